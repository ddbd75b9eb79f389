/* Logging: facility names, -g file naming, console/file line format,
 * one write per line across processes, debug filtering. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "lib/log.h"

static char dir[] = "/tmp/ka_log_XXXXXX";

static void test_facility(void)
{
	CHECK_INT(log_parse_facility("0"), LOG_LOCAL0);
	CHECK_INT(log_parse_facility("3"), LOG_LOCAL3);
	CHECK_INT(log_parse_facility("7"), LOG_LOCAL7);
	CHECK_INT(log_parse_facility("local0"), LOG_LOCAL0);
	CHECK_INT(log_parse_facility("local5"), LOG_LOCAL5);
	CHECK_INT(log_parse_facility("local7"), LOG_LOCAL7);
	CHECK_INT(log_parse_facility("user"), LOG_USER);
	CHECK_INT(log_parse_facility("daemon"), LOG_DAEMON);
	CHECK_INT(log_parse_facility("8"), -1);
	CHECK_INT(log_parse_facility("-1"), -1);
	CHECK_INT(log_parse_facility("07"), -1);
	CHECK_INT(log_parse_facility("local8"), -1);
	CHECK_INT(log_parse_facility("local"), -1);
	CHECK_INT(log_parse_facility("local1x"), -1);
	CHECK_INT(log_parse_facility("kern"), -1);
	CHECK_INT(log_parse_facility(""), -1);
	CHECK_INT(log_parse_facility(NULL), -1);
}

static const char *fname(const char *file, const char *suffix)
{
	static char buf[256];

	if (log_file_name(file, suffix, buf, sizeof(buf)) < 0)
		return "(error)";
	return buf;
}

static void test_file_name(void)
{
	char small[8];

	CHECK_STR(fname("/var/log/ka.log", "_vrrp"), "/var/log/ka_vrrp.log");
	CHECK_STR(fname("/var/log/ka", "_vrrp"), "/var/log/ka_vrrp");
	CHECK_STR(fname("/var/log/ka.x.log", "_check"), "/var/log/ka.x_check.log");
	CHECK_STR(fname("/var/lo.g/ka", "_vrrp"), "/var/lo.g/ka_vrrp"); /* dot in a directory */
	CHECK_STR(fname("ka.log", "_vrrp"), "ka_vrrp.log");
	CHECK_STR(fname("/var/log/.ka", "_vrrp"), "/var/log/.ka_vrrp");
	CHECK_STR(fname("/var/log/ka.log", ""), "/var/log/ka.log");
	CHECK_STR(fname("/var/log/ka.log", NULL), "/var/log/ka.log");
	CHECK_INT(log_file_name("/var/log/ka.log", "_vrrp", small, sizeof(small)), -1);
}

static size_t slurp(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, len - 1) : -1;

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
	return n > 0 ? (size_t)n : 0;
}

/* "Sun Nov 22 04:10:00 2026: " is 26 characters. */
static int line_ok(const char *line, const char *msg)
{
	static const char shape[] = "Aaa Aaa d9 99:99:99 9999: ";
	size_t i;

	for (i = 0; i < sizeof(shape) - 1; i++) {
		char c = line[i], s = shape[i];

		if (s == 'A' && !(c >= 'A' && c <= 'z'))
			return 0;
		if (s == 'a' && !(c >= 'a' && c <= 'z'))
			return 0;
		if (s == '9' && !(c >= '0' && c <= '9'))
			return 0;
		if (s == 'd' && !(c == ' ' || (c >= '0' && c <= '9')))
			return 0;
		if (strchr(" :", s) && c != s)
			return 0;
	}
	return msg ? strcmp(line + i, msg) == 0 : 1;
}

static void test_console(void)
{
	struct log_opts o = {.console = true, .no_syslog = true};
	char path[256], buf[4096];
	int fd, saved;

	snprintf(path, sizeof(path), "%s/stderr", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);

	log_init("test", &o, NULL);
	errno = EAGAIN;
	log_info("hello %d %s", 42, "%n%s%x"); /* data is never a format */
	CHECK_INT(errno, EAGAIN);
	log_debug("hidden debug");
	log_err("two\nlines\n");

	o.detail = true;
	log_init("test", &o, NULL);
	log_debug("shown debug");
	log_close();

	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);

	slurp(path, buf, sizeof(buf));
	{
		char *l1 = buf, *l2, *l3, *end;

		l2 = strchr(l1, '\n');
		CHECK(l2 != NULL);
		if (!l2)
			return;
		*l2++ = '\0';
		l3 = strchr(l2, '\n');
		CHECK(l3 != NULL);
		if (!l3)
			return;
		*l3++ = '\0';
		end = strchr(l3, '\n');
		CHECK(end != NULL && end[1] == '\0');
		if (end)
			*end = '\0';
		CHECK(line_ok(l1, "hello 42 %n%s%x"));
		CHECK(line_ok(l2, "two lines"));
		CHECK(line_ok(l3, "shown debug"));
		if (!line_ok(l1, NULL))
			fprintf(stderr, "bad console line: \"%s\"\n", l1);
	}
	CHECK(strstr(buf, "hidden") == NULL);
	unlink(path);
}

static void test_file(void)
{
	struct log_opts o = {.no_syslog = true};
	static char buf[1 << 18];
	char base[256], path[256], sentinel[256];
	struct stat st;
	int i, lines = 0, bad = 0;
	char *p, *nl;

	snprintf(base, sizeof(base), "%s/ka.log", dir);
	snprintf(path, sizeof(path), "%s/ka_vrrp.log", dir);
	o.file = base;

	/* Several processes append to the same file at once. */
	for (i = 0; i < 4; i++) {
		if (fork() == 0) {
			int k;

			log_init("Keepalived_vrrp", &o, "_vrrp");
			for (k = 0; k < 200; k++)
				log_notice("process %d line %d %s", i, k,
				           "padding padding padding padding padding padding");
			log_close();
			_exit(0);
		}
	}
	while (wait(NULL) > 0)
		;
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	slurp(path, buf, sizeof(buf));
	for (p = buf; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = '\0';
		lines++;
		if (!line_ok(p, NULL) || !strstr(p, ": process ") ||
		    !strstr(p, " padding padding padding padding padding padding"))
			bad++;
	}
	CHECK_INT(lines, 800);
	CHECK_INT(bad, 0);
	CHECK(*p == '\0');
	unlink(path);

	/* A symlink planted at the log file is not followed. */
	snprintf(sentinel, sizeof(sentinel), "%s/sentinel", dir);
	close(open(sentinel, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	CHECK_INT(symlink(sentinel, path), 0);
	log_init("Keepalived_vrrp", &o, "_vrrp");
	log_err("must not reach the sentinel");
	log_close();
	CHECK_INT(stat(sentinel, &st), 0);
	CHECK_INT(st.st_size, 0);
	unlink(path);
	unlink(sentinel);
}

static void test_syslog_only(void)
{
	struct log_opts o = {.facility = LOG_LOCAL3};

	/* Smoke test: syslog may or may not be running; nothing must crash. */
	log_init("Keepalived_test", &o, NULL);
	log_warn("unit test message with %s", "%s%s%s%n");
	log_init("Keepalived_test2", NULL, NULL);
	log_info("reinitialised");
	log_close();
	log_close();
	CHECK(1);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_facility();
	test_file_name();
	test_console();
	test_file();
	test_syslog_only();
	rmdir(dir);
	return check_report("test_log");
}
