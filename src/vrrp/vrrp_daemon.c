/* The VRRP child's subsystem hooks: the runtime (vrrp_rt.c) on the child's
 * event loop. */
#include <stdio.h>
#include <string.h>

#include "core/daemon.h"
#include "notify/smtp_alert.h"
#include "snmp/snmp.h"
#include "vrrp/vrrp_conf.h"
#include "vrrp/vrrp_rt.h"
#include "vrrp/vrrp_rt_metrics.h"

struct vrrp_state {
	struct vrrp_rt rt;
	bool started;
};

static struct vrrp_state vrrp_state;
/* SMTP alerts: subscribed before the runtime starts, so that no transition
 * it makes is missed. */
static struct smtp_alert *vrrp_smtp;

static int vrrp_start(void *state, const struct ka_child_env *env, const struct ka_config *c)
{
	struct vrrp_state *s = state;

	memset(&s->rt, 0, sizeof(s->rt));
	s->rt.release_on_stop = !env->opts->dont_release_vrrp;
	vrrp_smtp = smtp_alert_start(env->base, c->tree, "VRRP");
	snmp_vrrp_start(env, c, &s->rt); /* before the runtime: traps for its first transitions */
	if (vrrp_rt_start(&s->rt, env->base, env->scripts, c) < 0) {
		snmp_vrrp_stop();
		smtp_alert_stop(vrrp_smtp, 0);
		vrrp_smtp = NULL;
		return -1;
	}
	s->started = true;
	return 0;
}

/* On the reload thread: the instances' configuration, with its errors
 * counted as --config-test counts them. */
static void *vrrp_prepare(struct ka_config *c)
{
	struct vrrp_conf *vc = vrrp_conf_build(c->tree, ka_config_log_report, NULL);

	if (vc)
		conf_counts_add(&c->tree->counts, &vc->counts);
	return vc;
}

static void vrrp_prepared_free(void *p)
{
	vrrp_conf_free(p);
}

static int vrrp_reload(void *state, const struct ka_config *old, const struct ka_config *c,
                       void *prepared)
{
	struct vrrp_state *s = state;

	(void)old;
	smtp_alert_reload(vrrp_smtp, c->tree);
	snmp_vrrp_reload(c);
	if (!s->started) {
		vrrp_conf_free(prepared);
		return -1;
	}
	return vrrp_rt_reload_conf(&s->rt, c, prepared);
}

static uint64_t vrrp_quiet_us(void *state)
{
	struct vrrp_state *s = state;

	return s->started ? vrrp_rt_quiet_us(&s->rt) : UINT64_MAX;
}

static void vrrp_stop(void *state)
{
	struct vrrp_state *s = state;

	snmp_vrrp_stop();
	if (s->started)
		vrrp_rt_stop(&s->rt);
	s->started = false;
	smtp_alert_stop(vrrp_smtp, SMTP_ALERT_STOP_WAIT_MS);
	vrrp_smtp = NULL;
}

static void vrrp_dump_data(void *state, FILE *fp)
{
	struct vrrp_state *s = state;

	vrrp_rt_dump_data(&s->rt, fp);
}

static void vrrp_dump_stats(void *state, FILE *fp, bool clear)
{
	struct vrrp_state *s = state;

	vrrp_rt_dump_stats(&s->rt, fp, clear);
}

static void vrrp_dump_json(void *state, FILE *fp)
{
	struct vrrp_state *s = state;

	vrrp_rt_dump_json(&s->rt, fp);
}

static void vrrp_dump_metrics(void *state, FILE *fp)
{
	struct vrrp_state *s = state;

	if (s->started)
		vrrp_rt_metrics(&s->rt, fp);
}

const struct ka_child_ops vrrp_child_ops = {
    .kind = KA_CHILD_VRRP,
    .name = "VRRP",
    .ident = "Keepalived_vrrp",
    .file_suffix = "_vrrp",
    .start = vrrp_start,
    .prepare = vrrp_prepare,
    .prepared_free = vrrp_prepared_free,
    .reload = vrrp_reload,
    .quiet_us = vrrp_quiet_us,
    .stop = vrrp_stop,
    .dump_data = vrrp_dump_data,
    .dump_stats = vrrp_dump_stats,
    .dump_json = vrrp_dump_json,
    .dump_metrics = vrrp_dump_metrics,
    .state = &vrrp_state,
};
