/* Loading the configuration and deriving what the process model needs. */
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/check_conf.h"
#include "core/daemon.h"
#include "core/keywords.h"
#include "lib/safefile.h"
#include "vrrp/vrrp_conf.h"

void ka_config_log_report(void *arg, enum conf_sev sev, enum conf_class cls, const char *file,
                          int line, const char *msg)
{
	(void)arg;
	(void)cls;
	if (file)
		log_message(sev == CONF_SEV_WARN ? LOG_WARNING : LOG_ERR, "(%s: Line %d) %s", file,
		            line, msg);
	else
		log_message(sev == CONF_SEV_WARN ? LOG_WARNING : LOG_ERR, "%s", msg);
}

static bool has_root(const struct conf_tree *t, const char *name)
{
	return conf_first(&t->root, name) != NULL;
}

static const char *global_arg(const struct conf_tree *t, const char *kw)
{
	conf_node *g = conf_first(&t->root, "global_defs");
	conf_node *n = NULL;

	/* The last occurrence wins, as it does for repeated keywords. */
	for (; g; g = conf_next_named(g)) {
		conf_node *m = conf_first(g, kw);
		for (; m; m = conf_next_named(m))
			n = m;
	}
	return n ? conf_arg(n, 1) : NULL;
}

static bool global_flag(const struct conf_tree *t, const char *kw)
{
	conf_node *g;

	for (g = conf_first(&t->root, "global_defs"); g; g = conf_next_named(g))
		if (conf_first(g, kw))
			return true;
	return false;
}

static char *path_join(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) < 0)
		return NULL;
	return p;
}

/* A sibling of `file` in the same directory. */
static char *sibling(const char *file, const char *name)
{
	char *copy = strdup(file), *p;

	if (!copy)
		return NULL;
	p = path_join(dirname(copy), name);
	free(copy);
	return p;
}

static void resolve_dump_paths(struct ka_config *c)
{
	const char *state = global_arg(c->tree, "state_dump_file");
	const char *stats = global_arg(c->tree, "stats_dump_file");
	const char *json = global_arg(c->tree, "json_dump_file");
	const char *dir = dump_dir();

	c->state_dump_file = state ? strdup(state) : path_join(dir, "keepalived.data");
	c->stats_dump_file = stats ? strdup(stats) : path_join(dir, "keepalived.stats");
	c->json_dump_file = json ? strdup(json) : path_join(dir, "keepalived.json");
	c->check_dump_file = state ? sibling(state, "keepalived_check.data")
	                           : path_join(dir, "keepalived_check.data");
	c->check_stats_file = sibling(c->stats_dump_file, "keepalived_check.stats");
	c->check_json_file = sibling(c->json_dump_file, "keepalived_check.json");
	c->parent_dump_file = state ? sibling(state, "keepalived_parent.data")
	                            : path_join(dir, "keepalived_parent.data");
}

/* The VRRP builder's semantic checks count for --config-test and reloads. */
static void vrrp_semantic_check(struct conf_tree *t, conf_report_fn report, void *arg)
{
	struct vrrp_conf *vc;

	if (!conf_first(&t->root, "vrrp_instance"))
		return;
	vc = vrrp_conf_build(t, report, arg);
	if (!vc)
		return;
	conf_counts_add(&t->counts, &vc->counts);
	vrrp_conf_free(vc);
}

/* The same for the checker side. */
static void check_semantic_check(struct conf_tree *t, conf_report_fn report, void *arg)
{
	struct check_conf *cc;

	if (!conf_first(&t->root, "virtual_server"))
		return;
	cc = check_conf_build(t, report, arg);
	if (!cc)
		return;
	conf_counts_add(&t->counts, &cc->counts);
	check_conf_free(cc);
}

struct ka_config *ka_config_load(const struct ka_options *o, conf_report_fn report, void *arg)
{
	return ka_config_load_part(o, report, arg, KA_SEMANTIC_VRRP | KA_SEMANTIC_CHECK);
}

struct ka_config *ka_config_load_part(const struct ka_options *o, conf_report_fn report, void *arg,
                                      unsigned semantic)
{
	struct conf_opts copts = {0};
	struct ka_config *c = calloc(1, sizeof(*c));
	const char *s;

	if (!c)
		return NULL;
	copts.config_id = o->config_id;
	copts.all_config = o->all_config;
	copts.report = report ? report : ka_config_log_report;
	copts.report_arg = arg;
	c->tree = conf_parse_file(o->conf_file, &ka_root_block, &copts);
	if (!c->tree) {
		free(c);
		return NULL;
	}
	ka_check_scripts(c->tree, global_flag(c->tree, "enable_script_security"), copts.report,
	                 arg);

	if (semantic & KA_SEMANTIC_VRRP)
		vrrp_semantic_check(c->tree, copts.report, arg);
	if (semantic & KA_SEMANTIC_CHECK)
		check_semantic_check(c->tree, copts.report, arg);
	c->has_vrrp = has_root(c->tree, "vrrp_instance") || has_root(c->tree, "static_ipaddress") ||
	              has_root(c->tree, "static_routes") || has_root(c->tree, "static_rules");
	c->has_check = has_root(c->tree, "virtual_server");
	c->use_pid_dir = has_root(c->tree, "use_pid_dir");
	if (conf_first(&c->tree->root, "instance") &&
	    (s = conf_arg(conf_first(&c->tree->root, "instance"), 1)))
		c->instance_name = strdup(s);
	if ((s = global_arg(c->tree, "router_id")))
		c->router_id = strdup(s);
	resolve_dump_paths(c);
	return c;
}

void ka_config_free(struct ka_config *c)
{
	if (!c)
		return;
	conf_tree_free(c->tree);
	free(c->instance_name);
	free(c->router_id);
	free(c->state_dump_file);
	free(c->stats_dump_file);
	free(c->json_dump_file);
	free(c->check_dump_file);
	free(c->check_stats_file);
	free(c->check_json_file);
	free(c->parent_dump_file);
	free(c);
}

int ka_config_exit_code(const struct ka_config *c)
{
	return conf_exit_code(&c->tree->counts);
}

static char *pid_path(const char *dir, const char *base, const char *inst)
{
	char *p;
	int rc = inst ? asprintf(&p, "%s/%s_%s.pid", dir, base, inst)
	              : asprintf(&p, "%s/%s.pid", dir, base);

	return rc < 0 ? NULL : p;
}

void ka_pidfiles_resolve(const struct ka_options *o, const struct ka_config *c,
                         struct ka_pidfiles *p)
{
	const char *inst = c ? c->instance_name : NULL;
	bool sub = inst || (c && c->use_pid_dir);
	const char *dir = sub ? KA_RUN_DIR "/keepalived" : KA_RUN_DIR;

	p->parent = o->pid_file ? strdup(o->pid_file) : pid_path(dir, "keepalived", inst);
	p->vrrp = o->vrrp_pid_file ? strdup(o->vrrp_pid_file) : pid_path(dir, "vrrp", inst);
	p->check =
	    o->checkers_pid_file ? strdup(o->checkers_pid_file) : pid_path(dir, "checkers", inst);
}

void ka_pidfiles_free(struct ka_pidfiles *p)
{
	free(p->parent);
	free(p->vrrp);
	free(p->check);
	memset(p, 0, sizeof(*p));
}
