/* The subagent in each child: one AgentX session, the MIB it serves and
 * the event-hub listener that turns VRRP / checker events into traps.
 * One per process (the VRRP and checker children are processes). */
#include <stdlib.h>
#include <string.h>

#include "core/daemon.h"
#include "lib/kaevent.h"
#include "snmp/snmp.h"
#include "snmp/snmp_int.h"

enum agent_kind { AG_VRRP, AG_CHECK };

struct agent {
	enum agent_kind kind;
	struct event_base *base;
	const struct ka_options *opts;
	struct snmp_ctx x;
	bool running;
};

static struct agent vrrp_agent = {.kind = AG_VRRP}, check_agent = {.kind = AG_CHECK};

static bool serves_global(const struct agent *a)
{
	if (a->kind == AG_VRRP)
		return a->x.conf.keepalived;
	/* the checker serves it only when no VRRP child does */
	return (a->x.conf.checker || a->x.conf.keepalived) &&
	       (!a->x.conf.has_vrrp || !a->x.conf.keepalived);
}

static void on_event(void *arg, const struct ka_event *ev)
{
	struct agent *a = arg;

	if (!a->running || !a->x.sess || !a->x.conf.traps)
		return;
	if (a->kind == AG_VRRP &&
	    (ev->kind == KA_EV_VRRP_INSTANCE || ev->kind == KA_EV_VRRP_GROUP)) {
		if (a->x.conf.keepalived)
			mib_vrrp_trap(&a->x, ev);
		if (a->x.conf.rfcv3)
			mib_vrrpv3_trap(&a->x, ev);
	} else if (a->kind == AG_CHECK && a->x.conf.checker &&
	           (ev->kind == KA_EV_RS || ev->kind == KA_EV_VS_QUORUM)) {
		mib_check_trap(&a->x, ev);
	}
}

static void agent_down(struct agent *a)
{
	if (!a->running)
		return;
	ka_event_unsubscribe(on_event, a);
	agentx_sess_free(a->x.sess);
	a->x.sess = NULL;
	mib_free(&a->x.mib);
	a->running = false;
}

static void agent_up(struct agent *a)
{
	static const uint32_t g[] = {KA_MIB_OID, 1}, v[] = {KA_MIB_OID, 2}, c[] = {KA_MIB_OID, 3},
	                      r3[] = {VRRPV3_MIB_OID};
	struct agentx_sess_cfg sc = {
	    .addr = a->x.conf.socket,
	    .name = a->kind == AG_VRRP ? "VRRP" : "Healthcheck",
	    .descr =
	        a->kind == AG_VRRP ? "Keepalived VRRP subagent" : "Keepalived checker subagent",
	    .mib = &a->x.mib,
	};
	int r = 0;

	mib_init(&a->x.mib);
	if (serves_global(a)) {
		r |= mib_global_register(&a->x.mib, &a->x);
		agentx_oid_set(&sc.subtrees[sc.n_subtrees++], g, sizeof(g) / sizeof(g[0]));
	}
	if (a->kind == AG_VRRP && a->x.conf.keepalived) {
		r |= mib_vrrp_register(&a->x.mib, &a->x);
		agentx_oid_set(&sc.subtrees[sc.n_subtrees++], v, sizeof(v) / sizeof(v[0]));
	}
	if (a->kind == AG_VRRP && a->x.conf.rfcv3) {
		r |= mib_vrrpv3_register(&a->x.mib, &a->x);
		agentx_oid_set(&sc.subtrees[sc.n_subtrees++], r3, sizeof(r3) / sizeof(r3[0]));
	}
	if (a->kind == AG_CHECK && a->x.conf.checker) {
		r |= mib_check_register(&a->x.mib, &a->x);
		agentx_oid_set(&sc.subtrees[sc.n_subtrees++], c, sizeof(c) / sizeof(c[0]));
	}
	if (r || !sc.n_subtrees) {
		if (r)
			log_err("%s SNMP: cannot build the MIB", sc.name);
		mib_free(&a->x.mib);
		return;
	}
	a->x.sess = agentx_sess_new(a->base, &sc);
	if (!a->x.sess) {
		log_err("%s SNMP: out of memory", sc.name);
		mib_free(&a->x.mib);
		return;
	}
	if (ka_event_subscribe(on_event, a) < 0)
		log_warn("%s SNMP: event hub full, traps disabled", sc.name);
	a->running = true;
}

static void agent_start(struct agent *a, const struct ka_child_env *env, const struct ka_config *c)
{
	agent_down(a);
	a->base = env->base;
	a->opts = env->opts;
	snmp_conf_read(&a->x.conf, a->opts, c);
	if (a->x.conf.enabled)
		agent_up(a);
}

static void agent_reload(struct agent *a, const struct ka_config *c)
{
	struct snmp_conf nc;

	if (!a->base)
		return;
	snmp_conf_read(&nc, a->opts, c);
	if (a->running && snmp_conf_same_session(&a->x.conf, &nc)) {
		a->x.conf = nc; /* router id, traps: read live */
		return;
	}
	agent_down(a);
	a->x.conf = nc;
	if (nc.enabled)
		agent_up(a);
}

void snmp_vrrp_start(const struct ka_child_env *env, const struct ka_config *c, struct vrrp_rt *rt)
{
	vrrp_agent.x.rt = rt;
	agent_start(&vrrp_agent, env, c);
}

void snmp_vrrp_reload(const struct ka_config *c)
{
	agent_reload(&vrrp_agent, c);
}

void snmp_vrrp_stop(void)
{
	agent_down(&vrrp_agent);
	vrrp_agent.base = NULL;
}

void snmp_check_start(const struct ka_child_env *env, const struct ka_config *c,
                      struct check_engine *e)
{
	check_agent.x.e = e;
	agent_start(&check_agent, env, c);
}

void snmp_check_reload(const struct ka_config *c)
{
	agent_reload(&check_agent, c);
}

void snmp_check_stop(void)
{
	agent_down(&check_agent);
	check_agent.base = NULL;
}
