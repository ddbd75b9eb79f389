/* The checker child's subsystem hooks: the configuration goes to the
 * checker engine, which runs the checks and programs the data plane. */
#include <stdio.h>
#include <stdlib.h>

#include "check/check_engine.h"
#include "check/check_engine_metrics.h"
#include "core/daemon.h"
#include "lvs/nft_batch.h"
#include "notify/smtp_alert.h"
#include "snmp/snmp.h"

struct check_state {
	struct check_engine *engine;
};

static struct check_state check_state;
/* SMTP alerts: subscribed before the first apply. */
static struct smtp_alert *check_smtp;

static void log_report(void *arg, enum conf_sev sev, enum conf_class cls, const char *file,
                       int line, const char *msg)
{
	(void)arg;
	(void)cls;
	log_message(sev == CONF_SEV_WARN ? LOG_WARNING : LOG_ERR, "(%s: Line %d) %s",
	            file ? file : "?", line, msg);
}

static int check_apply(struct check_state *s, const struct ka_config *c, struct check_conf *cc)
{
	if (!cc)
		cc = check_conf_build(c->tree, log_report, NULL);

	if (!cc) {
		log_err("Checker: out of memory building the configuration");
		return -1;
	}
	return check_engine_apply(s->engine, cc);
}

/* The nftables plane's adoption token goes to the parent, which hands it
 * to our next incarnation. */
static void publish_token(const struct nft_adopt *a)
{
	struct ka_nft_token t = {
	    .magic = KA_NFTADOPT_MAGIC, .gen = a->gen, .fp = a->fp, .valid = a->valid};

	if (ka_child_ctl_send(&t, sizeof(t)) < 0)
		log_warn("Checker: cannot pass the nftables token to the parent");
}

static int check_start(void *state, const struct ka_child_env *env, const struct ka_config *c)
{
	struct check_state *s = state;
	struct check_engine_opts eo = {
	    .dont_release_ipvs = env->opts && env->opts->dont_release_ipvs,
	    .no_dataplane = getenv("KA_NO_DATAPLANE") != NULL,
	};

	nft_adopt_publish = publish_token;
	s->engine = check_engine_new(env->base, env->scripts, &eo);
	if (!s->engine) {
		log_err("Checker: out of memory");
		return -1;
	}
	check_smtp = smtp_alert_start(env->base, c->tree, "checker");
	snmp_check_start(env, c, s->engine);
	return check_apply(s, c, NULL);
}

/* On the reload thread: the virtual servers' configuration, with its
 * errors counted as --config-test counts them. */
static void *check_prepare(struct ka_config *c)
{
	struct check_conf *cc = check_conf_build(c->tree, log_report, NULL);

	if (cc)
		conf_counts_add(&c->tree->counts, &cc->counts);
	return cc;
}

static void check_prepared_free(void *p)
{
	check_conf_free(p);
}

static int check_reload(void *state, const struct ka_config *old, const struct ka_config *c,
                        void *prepared)
{
	(void)old;
	smtp_alert_reload(check_smtp, c->tree);
	snmp_check_reload(c);
	return check_apply(state, c, prepared);
}

static void check_stop(void *state)
{
	struct check_state *s = state;

	snmp_check_stop();
	check_engine_stop(s->engine);
	smtp_alert_stop(check_smtp, SMTP_ALERT_STOP_WAIT_MS);
	check_smtp = NULL;
}

static void check_dump_data(void *state, FILE *fp)
{
	struct check_state *s = state;

	check_engine_dump(s->engine, fp);
}

static void check_dump_stats(void *state, FILE *fp, bool clear)
{
	struct check_state *s = state;

	check_engine_dump_stats(s->engine, fp, clear);
}

static void check_dump_json(void *state, FILE *fp)
{
	struct check_state *s = state;

	check_engine_dump_json(s->engine, fp);
}

static void check_dump_metrics(void *state, FILE *fp)
{
	struct check_state *s = state;

	check_engine_metrics(s->engine, fp);
}

const struct ka_child_ops check_child_ops = {
    .kind = KA_CHILD_CHECK,
    .name = "Healthcheck",
    .ident = "Keepalived_healthcheckers",
    .file_suffix = "_healthcheckers",
    .start = check_start,
    .prepare = check_prepare,
    .prepared_free = check_prepared_free,
    .reload = check_reload,
    .stop = check_stop,
    .dump_data = check_dump_data,
    .dump_stats = check_dump_stats,
    .dump_json = check_dump_json,
    .dump_metrics = check_dump_metrics,
    .state = &check_state,
    .drop_tree = true,
};
