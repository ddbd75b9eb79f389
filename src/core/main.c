/* keepalived: entry point. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check/genhash.h"
#include "core/daemon.h"
#include "lib/evlog.h"
#include "version.h"

struct test_report {
	FILE *out;
};

static void test_report_fn(void *arg, enum conf_sev sev, enum conf_class cls, const char *file,
                           int line, const char *msg)
{
	struct test_report *tr = arg;

	(void)sev;
	(void)cls;
	if (file)
		fprintf(tr->out, "(%s: Line %d) %s\n", file, line, msg);
	else
		fprintf(tr->out, "%s\n", msg);
}

/* -t: parse, report on stderr (or the given file), exit with the code. */
static int config_test(struct ka_options *o)
{
	struct test_report tr = {.out = stderr};
	struct ka_config *c;
	int rc;

	if (o->config_test_log) {
		tr.out = fopen(o->config_test_log, "we");
		if (!tr.out) {
			fprintf(stderr, "Cannot open %s: %s\n", o->config_test_log,
			        strerror(errno));
			return CONF_EXIT_FILE;
		}
	}
	c = ka_config_load(o, test_report_fn, &tr);
	if (!c)
		return KA_EXIT_NO_MEMORY;
	if (o->dump_conf)
		conf_tree_dump(c->tree, stdout, false);
	rc = ka_config_exit_code(c);
	if (rc != 0)
		fprintf(tr.out, "Configuration %s has errors (%u error(s), %u warning(s))\n",
		        o->conf_file,
		        c->tree->counts.errors[0] + c->tree->counts.errors[1] +
		            c->tree->counts.errors[2],
		        c->tree->counts.warnings);
	ka_config_free(c);
	if (tr.out != stderr)
		fclose(tr.out);
	return rc;
}

static int daemonize(bool keep_stderr)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(KA_EXIT_OK);
	if (setsid() < 0)
		return -1;
	if (chdir("/") < 0)
		return -1;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		if (!keep_stderr)
			dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return 0;
}

static int enter_namespace(const char *name)
{
	char path[256];
	int fd, rc;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = setns(fd, CLONE_NEWNET);
	close(fd);
	return rc;
}

/* Log the parsed configuration line by line (-d without -t). */
static void dump_conf_to_log(const struct ka_config *c)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (!fp)
		return;
	conf_tree_dump(c->tree, fp, true);
	fclose(fp);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		log_info("%s", line);
	free(buf);
}

int main(int argc, char **argv)
{
	struct ka_options o;
	struct ka_config *c;
	int rc;

	if (strcmp(basename(argv[0]), "genhash") == 0)
		return genhash_main(argc, argv);
	if (argc > 1 && (!strcmp(argv[1], "-T") || !strcmp(argv[1], "--genhash"))) {
		argv[1] = argv[0];
		return genhash_main(argc - 1, argv + 1);
	}
	rc = ka_parse_cmdline(argc, argv, &o);
	if (rc >= 0)
		return rc;
	umask(o.umask_val);
	if (o.config_test)
		return config_test(&o);

	if (o.core_dump) {
		struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
		setrlimit(RLIMIT_CORE, &rl);
	}
	if (!o.dont_fork && daemonize(o.log.console) < 0) {
		perror("daemonize");
		return KA_EXIT_FATAL;
	}
	log_init("Keepalived", &o.log, "");
	evlog_init();
	log_info("Starting Keepalived-cr v%s (%s)", KA_VERSION, KA_GIT);
	if (o.namespace_name && enter_namespace(o.namespace_name) < 0) {
		log_err("Cannot enter network namespace %s: %s", o.namespace_name, strerror(errno));
		return KA_EXIT_FATAL;
	}
	if (access(o.conf_file, R_OK) < 0) {
		log_err("Configuration file %s: %s", o.conf_file, strerror(errno));
		return KA_EXIT_NO_CONFIG;
	}
	c = ka_config_load(&o, NULL, NULL);
	if (!c)
		return KA_EXIT_NO_MEMORY;
	if (ka_config_exit_code(c) != 0)
		log_warn("Configuration %s has errors; the faulty lines are ignored", o.conf_file);
	if (o.dump_conf)
		dump_conf_to_log(c);
	ka_parent_run(&o, c);
}
