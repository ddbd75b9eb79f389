/* The VRRP runtime: instance lifecycle, event delivery through sync
 * groups, applying the FSM's actions, timers, interface events, reload. */
#include <errno.h>
#include <event2/event.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/daemon.h"
#include "lib/kaevent.h"
#include "lib/mtime.h"
#include "lib/script.h"
#include "vrrp/vrrp_if.h"
#include "vrrp/vrrp_notify.h"
#include "vrrp/vrrp_rt.h"
#include "vrrp/vrrp_rt_routes.h"
#include "vrrp/vrrp_rt_vmac.h"
#include "vrrp/vrrp_sync.h"

static void fsm_log(void *ctx, int level, const char *fmt, va_list ap)
{
	(void)ctx;
	log_vmessage(level, fmt, ap);
}

static void arm_timer(struct vrrp_inst *vi)
{
	uint64_t at = vrrp_fsm_next_deadline(&vi->fsm), now;
	struct timeval tv;

	/* libevent adds a relative timeout to its cached loop time; after a
	 * callback that ran a while that cache is stale, so refresh it. */
	event_base_update_cache_time(vi->rt->base);
	now = mono_us();
	if (!at) {
		evtimer_del(vi->timer);
		return;
	}
	us_to_timeval(at > now ? at - now : 0, &tv);
	evtimer_add(vi->timer, &tv);
}

static const char *state_name(enum vrrp_fsm_state s)
{
	return vrrp_state_str(s);
}

#define NOTIFY_TIMEOUT_US 30000000 /* a notify script gets 30 s */

/* The per-state notify script of a configuration, or NULL. */
static const struct vrrp_cmd *state_cmd(const struct vrrp_notify *n, enum vrrp_fsm_state s)
{
	switch (s) {
	case VRRP_STATE_MASTER:
		return n->master;
	case VRRP_STATE_BACKUP:
		return n->backup;
	case VRRP_STATE_FAULT:
		return n->fault;
	case VRRP_STATE_STOP:
		return n->stop;
	default:
		return NULL;
	}
}

/* FIFO lines and scripts for one state change of an instance or group. */
static void notify(struct vrrp_rt *rt, struct vrrp_notify_queue *q, const struct vrrp_notify *n,
                   bool group, const char *name, enum vrrp_fsm_state s, int prio)
{
	const struct vrrp_cmd *cmd = state_cmd(n, s), *who;
	const char *st = state_name(s);

	vrrp_fifo_write_state(rt->fifo_fd, group, name, st, prio);
	vrrp_fifo_write_state(rt->vrrp_fifo_fd, group, name, st, prio);
	if (!cmd && !n->generic)
		return;
	who = cmd ? cmd : n->generic;
	vrrp_notify_queue_push(q, cmd ? cmd->argv : NULL, n->generic ? n->generic->argv : NULL,
	                       group, name, st, prio, who->uid, who->gid,
	                       who->uid != 0 || who->gid != 0, NOTIFY_TIMEOUT_US);
}

static void notify_instance(struct vrrp_inst *vi)
{
	enum vrrp_fsm_state s = vi->fsm.state;

	if (s == vi->last_notified)
		return;
	vi->last_notified = s;
	log_info("(%s) Entering %s STATE", vi->c->name, state_name(s));
	if (s != VRRP_STATE_INIT && s != VRRP_STATE_STOP)
		vrrp_syncd_state(vi->rt, vi->c->name, s == VRRP_STATE_MASTER);
	if (s != VRRP_STATE_INIT) {
		struct ka_event ev = {.kind = KA_EV_VRRP_INSTANCE,
		                      .name = vi->c->name,
		                      .state = state_name(s),
		                      .prio = vi->fsm.prio,
		                      .alert = vi->c->notify.smtp_alert};

		notify(vi->rt, vi->nq, &vi->c->notify, false, vi->c->name, s, vi->fsm.prio);
		ka_event_publish(&ev);
	}
}

static void notify_group(struct vrrp_group_rt *g)
{
	enum vrrp_fsm_state s = vrrp_sync_state(g->members, g->n);

	if (s == g->state || s == VRRP_STATE_INIT)
		return;
	g->state = s;
	log_info("VRRP_Group(%s) Syncing instances to %s state", g->c->name, state_name(s));
	notify(g->insts[0]->rt, g->nq, &g->c->notify, true, g->c->name, s, 0);
	ka_event_publish(&(struct ka_event){.kind = KA_EV_VRRP_GROUP,
	                                    .name = g->c->name,
	                                    .state = state_name(s),
	                                    .alert = g->c->notify.smtp_alert});
}

/* Apply one instance's actions in the order the FSM contract gives. */
static void apply(struct vrrp_inst *vi, unsigned acts)
{
	const struct vrrp_garp_conf *g = &vi->c->garp;

	if (acts & VRRP_ACT_SEND_PRIO0_ADVERT)
		vrrp_inst_send_advert(vi, 0);
	if (acts & VRRP_ACT_SEND_ADVERT)
		vrrp_inst_send_advert(vi, vi->fsm.prio);
	if (acts & VRRP_ACT_DEL_VIPS) {
		evtimer_del(vi->garp_timer);
		vrrp_inst_garp_cancel(vi);
		vi->garp_phase = 0;
		if (vi->vips_set)
			vrrp_inst_vips(vi, false);
	}
	if (acts & VRRP_ACT_ADD_VIPS)
		vrrp_inst_vips(vi, true);
	if (acts & VRRP_ACT_GARP_MASTER) {
		vrrp_inst_garp_burst(vi, g->master_repeat);
		if (g->master_delay_us || g->master_refresh_us) {
			struct timeval tv;

			vi->garp_phase = g->master_delay_us ? 1 : 2;
			us_to_timeval(
			    g->master_delay_us ? g->master_delay_us : g->master_refresh_us, &tv);
			evtimer_add(vi->garp_timer, &tv);
		}
	}
	if (acts & VRRP_ACT_GARP_LOWER_PRIO) {
		vrrp_inst_garp_burst(vi, g->lower_prio_repeat);
		if (g->lower_prio_delay_us && g->lower_prio_repeat) {
			struct timeval tv;

			vi->garp_phase = 3;
			us_to_timeval(g->lower_prio_delay_us, &tv);
			evtimer_add(vi->garp_timer, &tv);
		}
		if (vi->c->notify.master_rx_lower_pri) {
			const struct vrrp_cmd *c = vi->c->notify.master_rx_lower_pri;

			vrrp_notify_queue_push(vi->nq, c->argv, NULL, false, vi->c->name,
			                       "MASTER_RX_LOWER_PRI", vi->fsm.prio, c->uid, c->gid,
			                       c->uid != 0 || c->gid != 0, NOTIFY_TIMEOUT_US);
		}
	}
	if (acts & VRRP_ACT_NOTIFY)
		notify_instance(vi);
	arm_timer(vi);
}

static void apply_group(struct vrrp_group_rt *g, const unsigned *acts)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		apply(g->insts[i], acts[i]);
	notify_group(g);
}

void vrrp_inst_event(struct vrrp_inst *vi, enum vrrp_event ev, const struct vrrp_fsm_rx *rx)
{
	uint64_t now = mono_us();

	if (vi->group >= 0) {
		struct vrrp_group_rt *g = &vi->rt->groups[vi->group];
		unsigned acts[g->n];
		size_t idx;

		for (idx = 0; idx < g->n && g->insts[idx] != vi; idx++)
			;
		if (idx == g->n)
			return;
		vrrp_sync_event(g->members, g->n, idx, ev, rx, now, acts);
		apply_group(g, acts);
		return;
	}
	apply(vi, vrrp_fsm_event(&vi->fsm, ev, rx, now));
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct vrrp_inst *vi = arg;
	uint64_t now = mono_us();

	(void)fd;
	(void)what;
	if (vi->group >= 0) {
		struct vrrp_group_rt *g = &vi->rt->groups[vi->group];
		unsigned acts[g->n];

		vrrp_sync_tick(g->members, g->n, now, acts);
		apply_group(g, acts);
		return;
	}
	apply(vi, vrrp_fsm_tick(&vi->fsm, now));
}

static void on_garp_timer(evutil_socket_t fd, short what, void *arg)
{
	struct vrrp_inst *vi = arg;
	const struct vrrp_garp_conf *g = &vi->c->garp;
	struct timeval tv;

	(void)fd;
	(void)what;
	if (vi->fsm.state != VRRP_STATE_MASTER || !vi->vips_set)
		return;
	if (vi->garp_phase == 1) {
		vrrp_inst_garp_burst(vi, g->master_repeat);
	} else if (vi->garp_phase == 3) {
		vrrp_inst_garp_burst(vi, g->lower_prio_repeat);
	} else if (vi->garp_phase == 2) {
		vrrp_inst_garp_burst(vi, g->master_refresh_repeat);
	}
	if (g->master_refresh_us) {
		vi->garp_phase = 2;
		us_to_timeval(g->master_refresh_us, &tv);
		evtimer_add(vi->garp_timer, &tv);
	} else {
		vi->garp_phase = 0;
	}
}

void vrrp_inst_set_fault(struct vrrp_inst *vi, uint32_t bit, bool on)
{
	uint32_t old = vi->fault;

	vi->fault = on ? (vi->fault | bit) : (vi->fault & ~bit);
	if (!old && vi->fault)
		vrrp_inst_event(vi, VRRP_EV_FAULT_ON, NULL);
	else if (old && !vi->fault)
		vrrp_inst_event(vi, VRRP_EV_FAULT_OFF, NULL);
}

void vrrp_inst_update_tracking(struct vrrp_inst *vi)
{
	struct vrrp_track_input in[64];
	int n = vrrp_inst_track_inputs(vi, in, sizeof(in) / sizeof(in[0]));
	struct vrrp_prio_result r = vrrp_prio_compute(vi->c->priority, in, (size_t)n);

	vrrp_inst_set_fault(vi, VRRP_FAULT_TRACKER, r.fault);
	if (r.effective != vi->fsm.prio) {
		struct vrrp_fsm_rx rx = {.prio = r.effective};

		log_info("(%s) Changing effective priority from %u to %u", vi->c->name,
		         vi->fsm.prio, r.effective);
		vrrp_inst_event(vi, VRRP_EV_PRIORITY_CHANGED, &rx);
	}
}

/* ---- interface events ---- */

static void on_link(void *arg, struct vrrp_if *ifp, enum vrrp_if_event ev)
{
	struct vrrp_rt *rt = arg;
	size_t i;

	if (ev != VRRP_IF_EV_UP && ev != VRRP_IF_EV_DOWN && ev != VRRP_IF_EV_DEL &&
	    ev != VRRP_IF_EV_NEW)
		return;
	for (i = 0; i < rt->n_inst; i++) {
		struct vrrp_inst *vi = rt->inst[i];

		if (vi->c->ifname && strcmp(vi->c->ifname, ifp->name) == 0) {
			bool up = ev != VRRP_IF_EV_DEL && vrrp_if_is_up(ifp);

			/* Deleted, or back under a new ifindex (deleted and re-created,
			 * perhaps with the deletion lost in an overrun): the socket
			 * and VMAC belong to the old interface.  Drop them, so the
			 * attach below binds to the new one (keepalived#1232 class). */
			if (vi->sock &&
			    (ev == VRRP_IF_EV_DEL ? vi->ifindex == ifp->ifindex
			                          : up && vi->ifindex != ifp->ifindex)) {
				log_info("(%s) interface %s (ifindex %d) %s - releasing its socket",
				         vi->c->name, ifp->name, vi->ifindex,
				         ev == VRRP_IF_EV_DEL ? "deleted" : "re-created");
				if (vi->sock->by_vrid[vi->c->vrid & 0xff] == vi)
					vi->sock->by_vrid[vi->c->vrid & 0xff] = NULL;
				vrrp_rt_sock_put(rt, vi->sock);
				vi->sock = NULL;
				vrrp_inst_vmac_detach(vi);
			}
			if (up)
				vi->ifindex = ifp->ifindex;
			log_info("(%s) interface %s is %s", vi->c->name, ifp->name,
			         up ? "up" : "down");
			if (up && !vi->sock) {
				vrrp_inst_transport_attach(vi); /* VMAC, socket */
				vrrp_inst_set_fault(vi, VRRP_FAULT_SOCKET, vi->sock == NULL);
			}
			if (up)
				vrrp_inst_set_fault(vi, VRRP_FAULT_NO_SOURCE,
				                    !vrrp_inst_resolve_source(vi));
			vrrp_inst_set_fault(vi, VRRP_FAULT_IF_DOWN, !up);
		}
		vrrp_inst_update_tracking(vi);
	}
}

static void on_addr(void *arg, struct vrrp_if *ifp, const struct vrrp_if_addr *a,
                    enum vrrp_if_addr_event ev)
{
	struct vrrp_rt *rt = arg;
	size_t i, j;

	for (i = 0; i < rt->n_inst; i++) {
		struct vrrp_inst *vi = rt->inst[i];

		/* A VIP may sit on a VMAC or on its own dev: match where it is. */
		if (ev == VRRP_IF_ADDR_DEL && vi->vips_set && vi->fsm.state == VRRP_STATE_MASTER) {
			for (j = 0; j < vi->c->n_vips; j++) {
				const struct vrrp_vip *v = &vi->c->vips[j];

				if (addr_equal(&v->addr, &a->addr) &&
				    vrrp_vip_ifindex(vi, v) == ifp->ifindex &&
				    !(v->flags & VRRP_VIP_NO_TRACK)) {
					log_warn(
					    "(%s) VIP %s was removed from %s by someone else - "
					    "restoring it",
					    vi->c->name, v->text, ifp->name);
					vi->vip_restored++;
					vrrp_inst_vips(vi, true);
					vrrp_inst_garp_burst(vi, 1);
					break;
				}
			}
		}
		/* Someone else configured our VIP while we do not own it: a
		 * likely duplicate address on the LAN.  We do not remove what
		 * we did not add, but it must not pass silently. */
		if (ev == VRRP_IF_ADDR_ADD && !vi->vips_set && vi->fsm.state != VRRP_STATE_MASTER) {
			for (j = 0; j < vi->c->n_vips; j++) {
				const struct vrrp_vip *v = &vi->c->vips[j];

				if (addr_equal(&v->addr, &a->addr) &&
				    vrrp_vip_ifindex(vi, v) == ifp->ifindex) {
					log_warn(
					    "(%s) VIP %s was added to %s by someone else while "
					    "%s - possible duplicate address",
					    vi->c->name, v->text, ifp->name,
					    vrrp_state_str(vi->fsm.state));
					break;
				}
			}
		}
		if (vi->ifindex == ifp->ifindex && !vi->c->has_mcast_src && !vi->c->has_unicast_src)
			vrrp_inst_set_fault(vi, VRRP_FAULT_NO_SOURCE,
			                    !vrrp_inst_resolve_source(vi));
	}
}

static void on_resync(void *arg)
{
	(void)arg;
	log_info("Interface table resynchronised from the kernel");
}

/* ---- instance creation ---- */

static void policy_init(struct vrrp_inst *vi)
{
	const struct vrrp_instance_conf *c = vi->c;
	struct vrrp_rx_policy *p = &vi->pol;

	vrrp_rx_policy_init(p);
	p->version = (uint8_t)c->version;
	p->vrid = (uint8_t)c->vrid;
	p->adver_int_cs = (uint16_t)c->advert_int_cs;
	p->auth_type = c->auth_type == VRRP_AUTH_PASS ? VRRP_PKT_AUTH_PASS
	               : c->auth_type == VRRP_AUTH_AH ? VRRP_PKT_AUTH_AH
	                                              : VRRP_PKT_AUTH_NONE;
	memcpy(p->auth_data, c->auth_pass, sizeof(p->auth_data));
	p->unicast = c->unicast;
	p->check_ttl = !c->unicast;
	p->v3_ipv4_csum = c->v3_checksum_as_v2 ? VRRP_CSUM_PLAIN : VRRP_CSUM_PSEUDO;
	p->v3_csum_try_old = c->unicast && c->old_unicast_checksum == VRRP_OLD_CSUM_AUTO;
	vi->old_csum = c->unicast && c->version == 3 && c->old_unicast_checksum == VRRP_OLD_CSUM_ON;
	if (vi->old_csum)
		p->v3_ipv4_csum = VRRP_CSUM_PSEUDO_MCAST;
	p->mcast_group = c->mcast_dst_ip;
	p->owner_ignore = c->owner && c->owner_ignore_adverts;
	p->vips = c->n_vips ? &c->vips[0].addr : NULL;
	p->nvips = c->n_vips;
	p->vip_stride = sizeof(c->vips[0]);
	p->skip_addr_check = c->skip_check_adv_addr;
	p->check_unicast_src = c->check_unicast_src;
	p->peers = c->n_peers ? &c->peers[0].addr : NULL;
	p->npeers = c->n_peers;
	p->peer_stride = sizeof(c->peers[0]);
}

static void fsm_cfg(const struct vrrp_instance_conf *c, struct vrrp_fsm_cfg *f)
{
	vrrp_fsm_cfg_defaults(f);
	f->version = (uint8_t)c->version;
	f->priority = (uint8_t)c->priority;
	f->adver_int_cs = (uint16_t)c->advert_int_cs;
	f->down_timer_adverts = (uint8_t)c->down_timer_adverts;
	/* AH: a fresh sequence counter must learn the peers' first. */
	f->start_master = c->want_master && c->auth_type != VRRP_AUTH_AH;
	f->nopreempt = c->nopreempt;
	f->preempt_delay_us = c->preempt_delay_us;
	f->higher_prio_send_advert = c->higher_prio_send_advert;
	f->lower_prio_no_advert = c->lower_prio_no_advert;
	f->owner_ignore_adverts = c->owner_ignore_adverts;
}

static struct vrrp_inst *inst_new(struct vrrp_rt *rt, const struct vrrp_instance_conf *c)
{
	struct vrrp_inst *vi = calloc(1, sizeof(*vi));
	struct vrrp_fsm_cfg fc;

	if (!vi)
		return NULL;
	vi->rt = rt;
	vi->c = c;
	vi->group = -1;
	vi->last_notified = VRRP_STATE_INIT;
	fsm_cfg(c, &fc);
	vrrp_fsm_init(&vi->fsm, &fc, c->name);
	vi->fsm.log = fsm_log;
	vi->timer = evtimer_new(rt->base, on_timer, vi);
	vi->garp_timer = evtimer_new(rt->base, on_garp_timer, vi);
	vi->nq = vrrp_notify_queue_new(rt->sr);
	policy_init(vi);
	if (!vi->timer || !vi->garp_timer || !vi->nq) {
		if (vi->timer)
			event_free(vi->timer);
		if (vi->garp_timer)
			event_free(vi->garp_timer);
		vrrp_notify_queue_free(vi->nq);
		free(vi);
		return NULL;
	}
	return vi;
}

static void inst_free(struct vrrp_inst *vi)
{
	if (vi->sock && vi->sock->by_vrid[vi->c->vrid & 0xff] == vi)
		vi->sock->by_vrid[vi->c->vrid & 0xff] = NULL;
	vrrp_inst_garp_cancel(vi);
	if (vi->pace_timer)
		event_free(vi->pace_timer);
	event_free(vi->timer);
	event_free(vi->garp_timer);
	vrrp_notify_queue_free(vi->nq);
	if (vi->sock)
		vrrp_rt_sock_put(vi->rt, vi->sock);
	vrrp_inst_vmac_detach(vi); /* after the socket bound to it */
	free(vi);
}

/* Resolve the interface, open the socket, take the initial state. */
static void inst_attach(struct vrrp_inst *vi)
{
	struct vrrp_rt *rt = vi->rt;
	struct vrrp_if *ifp = vi->c->ifname ? vrrp_if_by_name(rt->ift, vi->c->ifname) : NULL;

	if (vi->c->config_error)
		vi->fault |= VRRP_FAULT_CONFIG;
	if (!ifp || !vrrp_if_is_up(ifp))
		vi->fault |= VRRP_FAULT_IF_DOWN;
	if (ifp) {
		vi->ifindex = ifp->ifindex;
		vrrp_inst_transport_attach(vi); /* VMAC, socket */
		if (!vi->sock)
			vi->fault |= VRRP_FAULT_SOCKET;
	}
	if (!vrrp_inst_resolve_source(vi))
		vi->fault |= VRRP_FAULT_NO_SOURCE;
}

static void inst_startup(struct vrrp_inst *vi)
{
	/* Addresses left from an earlier run are ours to remove. */
	if (vi->ifindex > 0)
		vrrp_inst_vips(vi, false);
	vrrp_inst_event(vi, VRRP_EV_STARTUP, NULL);
	if (vi->fault)
		vrrp_inst_event(vi, VRRP_EV_FAULT_ON, NULL);
	vrrp_inst_update_tracking(vi);
}

static int groups_build(struct vrrp_rt *rt)
{
	size_t gi, m;

	rt->n_groups = rt->conf->n_sync_groups;
	rt->groups = rt->n_groups ? calloc(rt->n_groups, sizeof(*rt->groups)) : NULL;
	if (rt->n_groups && !rt->groups)
		return -1;
	for (gi = 0; gi < rt->n_groups; gi++) {
		struct vrrp_group_rt *g = &rt->groups[gi];

		g->c = &rt->conf->sync_groups[gi];
		g->members = calloc(g->c->n_members + 1, sizeof(*g->members));
		g->insts = calloc(g->c->n_members + 1, sizeof(*g->insts));
		g->nq = vrrp_notify_queue_new(rt->sr);
		if (!g->members || !g->insts || !g->nq)
			return -1;
		for (m = 0; m < g->c->n_members; m++) {
			struct vrrp_inst *vi = rt->inst[g->c->members[m]];

			g->insts[g->n] = vi;
			g->members[g->n++] = &vi->fsm;
			vi->group = (int)gi;
		}
		vrrp_sync_attach(g->members, g->n);
	}
	return 0;
}

static void groups_free(struct vrrp_rt *rt)
{
	size_t i;

	for (i = 0; i < rt->n_groups; i++) {
		free(rt->groups[i].members);
		free(rt->groups[i].insts);
		vrrp_notify_queue_free(rt->groups[i].nq);
	}
	free(rt->groups);
	rt->groups = NULL;
	rt->n_groups = 0;
}

static void log_report(void *arg, enum conf_sev sev, enum conf_class cls, const char *file,
                       int line, const char *msg)
{
	(void)arg;
	(void)cls;
	log_message(sev == CONF_SEV_WARN ? LOG_WARNING : LOG_ERR, "(%s: Line %d) %s",
	            file ? file : "?", line, msg);
}

static void open_fifos(struct vrrp_rt *rt)
{
	rt->fifo_fd = rt->conf->global.notify_fifo.path
	                  ? vrrp_fifo_open(rt->conf->global.notify_fifo.path)
	                  : -1;
	rt->vrrp_fifo_fd = rt->conf->global.vrrp_notify_fifo.path
	                       ? vrrp_fifo_open(rt->conf->global.vrrp_notify_fifo.path)
	                       : -1;
}

static int instances_create(struct vrrp_rt *rt)
{
	size_t i;

	rt->n_inst = rt->conf->n_instances;
	rt->inst = rt->n_inst ? calloc(rt->n_inst, sizeof(*rt->inst)) : NULL;
	if (rt->n_inst && !rt->inst)
		return -1;
	for (i = 0; i < rt->n_inst; i++) {
		rt->inst[i] = inst_new(rt, &rt->conf->instances[i]);
		if (!rt->inst[i])
			return -1;
	}
	return groups_build(rt);
}

int vrrp_rt_start(struct vrrp_rt *rt, struct event_base *base, struct script_runner *sr,
                  const struct ka_config *kc)
{
	static const struct vrrp_if_callbacks cb = {
	    .link = on_link, .addr = on_addr, .resync = on_resync};
	size_t i;
	int rc;

	rt->base = base;
	rt->sr = sr;
	rt->kcfg = kc;
	rt->fifo_fd = rt->vrrp_fifo_fd = -1;
	rt->inotify_fd = -1;
	rt->conf = vrrp_conf_build(kc->tree, log_report, NULL);
	if (!rt->conf)
		return -1;
	if ((rc = nl_open(&rt->nl, 0)) < 0) {
		log_err("VRRP: cannot open the netlink socket: %s", strerror(-rc));
		return -1;
	}
	{
		uint32_t b = rt->conf->global.nl_monitor_rcvbuf;
		struct vrrp_if_opts io = {.rcvbuf = b > INT_MAX ? INT_MAX : (int)b};

		rt->ift = vrrp_if_start(base, &cb, rt, &io);
	}
	if (!rt->ift) {
		log_err("VRRP: cannot read the interfaces: %s", strerror(errno));
		return -1;
	}
	open_fifos(rt);
	vrrp_syncd_start(rt);
	vrrp_rt_routes_start(rt); /* static_* entries, whatever the states */
	if (instances_create(rt) < 0 || vrrp_rt_scripts_start(rt) < 0 ||
	    vrrp_rt_files_start(rt) < 0)
		return -1;
	for (i = 0; i < rt->n_inst; i++)
		inst_attach(rt->inst[i]);
	for (i = 0; i < rt->n_inst; i++)
		inst_startup(rt->inst[i]);
	log_info("VRRP: %zu instance(s) started", rt->n_inst);
	return 0;
}

static void stop_instances(struct vrrp_rt *rt, bool release)
{
	size_t i;

	for (i = 0; i < rt->n_inst; i++) {
		struct vrrp_inst *vi = rt->inst[i];
		uint64_t now = mono_us();
		unsigned acts = vrrp_fsm_event(&vi->fsm, VRRP_EV_SHUTDOWN, NULL, now);

		if (!release)
			acts &= ~(unsigned)VRRP_ACT_DEL_VIPS;
		apply(vi, acts);
	}
}

void vrrp_rt_stop(struct vrrp_rt *rt)
{
	size_t i;

	stop_instances(rt, rt->release_on_stop);
	vrrp_rt_routes_stop(rt); /* static_* entries, no-accept table */
	vrrp_syncd_stop(rt);
	vrrp_rt_scripts_stop(rt);
	vrrp_rt_files_stop(rt);
	for (i = 0; i < rt->n_inst; i++)
		inst_free(rt->inst[i]);
	free(rt->inst);
	rt->inst = NULL;
	rt->n_inst = 0;
	groups_free(rt);
	free(rt->pace_slots);
	rt->pace_slots = NULL;
	rt->n_pace_slots = 0;
	vrrp_rt_vmac_stop(rt); /* sysctls back as they were */
	if (rt->ift)
		vrrp_if_stop(rt->ift);
	rt->ift = NULL;
	nl_close(&rt->nl);
	if (rt->fifo_fd >= 0)
		close(rt->fifo_fd);
	if (rt->vrrp_fifo_fd >= 0)
		close(rt->vrrp_fifo_fd);
	vrrp_conf_free(rt->conf);
	rt->conf = NULL;
}

/* ---- reload ---- */

static struct vrrp_inst *take_old(struct vrrp_inst **old, size_t n_old, const char *name)
{
	size_t i;

	for (i = 0; i < n_old; i++)
		if (old[i] && strcmp(old[i]->c->name, name) == 0) {
			struct vrrp_inst *vi = old[i];

			old[i] = NULL;
			return vi;
		}
	return NULL;
}

/* Move a running instance onto its new configuration, changing only what
 * changed. */
static void inst_rebind(struct vrrp_inst *vi, const struct vrrp_instance_conf *nc)
{
	const struct vrrp_instance_conf *oc = vi->c;
	struct vrrp_instance_diff d;
	unsigned changed = vrrp_instance_conf_diff(oc, nc, &d);
	struct vrrp_fsm_cfg fc;
	uint8_t prio = vi->fsm.cfg.priority;
	size_t k;

	if (changed & VRRP_DIFF_VIPS && vi->vips_set) {
		for (k = 0; k < d.n_vips_removed; k++) {
			log_info("(%s) removing VIP %s", oc->name,
			         oc->vips[d.vips_removed[k]].text);
			vrrp_inst_vip_list(vi, &oc->vips[d.vips_removed[k]], 1, false);
		}
	}
	vrrp_inst_garp_cancel(vi); /* queued entries point into the old conf */
	vi->c = nc;
	vi->fsm.name = nc->name;
	fsm_cfg(nc, &fc);
	fc.priority = prio; /* the FSM keeps its base; tracking applies the new one */
	vi->fsm.cfg = fc;
	policy_init(vi);
	if (changed & VRRP_DIFF_VIPS && vi->vips_set) {
		for (k = 0; k < d.n_vips_added; k++) {
			const struct vrrp_vip *v = &nc->vips[d.vips_added[k]];

			log_info("(%s) adding VIP %s", nc->name, v->text);
			vrrp_inst_vip_list(vi, v, 1, true);
			vrrp_inst_garp_list(vi, v, 1, nc->garp.master_repeat);
		}
	}
	vrrp_instance_diff_free(&d);
	vrrp_inst_routes_rebind(vi, oc); /* changed virtual_routes/rules only */
	if (changed)
		log_info("(%s) configuration changed (0x%x)", nc->name, changed);
}

uint64_t vrrp_rt_quiet_us(const struct vrrp_rt *rt)
{
	uint64_t now = mono_us(), next = UINT64_MAX, at;

	for (size_t i = 0; i < rt->n_inst; i++) {
		at = vrrp_fsm_next_deadline(&rt->inst[i]->fsm);
		if (at && at < next)
			next = at;
	}
	return next == UINT64_MAX ? UINT64_MAX : next > now ? next - now : 0;
}

int vrrp_rt_reload_conf(struct vrrp_rt *rt, const struct ka_config *kc, struct vrrp_conf *nconf)
{
	struct vrrp_conf *oconf = rt->conf;
	struct vrrp_inst **old = rt->inst, **ninst;
	size_t n_old = rt->n_inst, i;

	/* The file is read off the loop (core/child_reload.c), so adverts
	 * keep their schedule; only the difference is applied here. */
	if (!nconf)
		nconf = vrrp_conf_build(kc->tree, log_report, NULL);
	if (!nconf)
		return -1;
	ninst = nconf->n_instances ? calloc(nconf->n_instances, sizeof(*ninst)) : NULL;
	if (nconf->n_instances && !ninst) {
		vrrp_conf_free(nconf);
		return -1;
	}
	for (i = 0; i < rt->n_groups; i++)
		vrrp_sync_detach(rt->groups[i].members, rt->groups[i].n);
	groups_free(rt);

	for (i = 0; i < nconf->n_instances; i++) {
		const struct vrrp_instance_conf *nc = &nconf->instances[i];
		struct vrrp_inst *vi = take_old(old, n_old, nc->name);

		if (vi && (vrrp_instance_conf_diff(vi->c, nc, NULL) & VRRP_DIFF_IDENTITY)) {
			log_info("(%s) identity changed - restarting the instance", nc->name);
			apply(vi, vrrp_fsm_event(&vi->fsm, VRRP_EV_SHUTDOWN, NULL, mono_us()));
			inst_free(vi);
			vi = NULL;
		}
		if (vi) {
			inst_rebind(vi, nc);
			vi->group = -1;
			ninst[i] = vi;
		} else {
			ninst[i] = inst_new(rt, nc);
			if (ninst[i])
				ninst[i]->deleted = true; /* marks "new": started below */
		}
	}
	/* Instances that are gone. */
	for (i = 0; i < n_old; i++) {
		if (!old[i])
			continue;
		log_info("(%s) removed from the configuration", old[i]->c->name);
		apply(old[i], vrrp_fsm_event(&old[i]->fsm, VRRP_EV_SHUTDOWN, NULL, mono_us()));
		inst_free(old[i]);
	}
	free(old);
	rt->inst = ninst;
	rt->n_inst = nconf->n_instances;
	rt->conf = nconf;
	rt->kcfg = kc;
	/* Drop NULLs (allocation failures) to keep the array dense. */
	for (i = 0; i < rt->n_inst;) {
		if (!rt->inst[i]) {
			memmove(&rt->inst[i], &rt->inst[i + 1],
			        (rt->n_inst - i - 1) * sizeof(*rt->inst));
			rt->n_inst--;
		} else {
			i++;
		}
	}
	if (rt->n_inst == nconf->n_instances)
		groups_build(rt);
	vrrp_rt_scripts_restart(rt, oconf);
	vrrp_rt_files_stop(rt);
	vrrp_rt_files_start(rt);
	for (i = 0; i < rt->n_inst; i++) {
		struct vrrp_inst *vi = rt->inst[i];

		if (vi->deleted) {
			vi->deleted = false;
			inst_attach(vi);
			inst_startup(vi);
		} else {
			vrrp_inst_update_tracking(vi);
			arm_timer(vi);
		}
	}
	if (rt->fifo_fd >= 0)
		close(rt->fifo_fd);
	if (rt->vrrp_fifo_fd >= 0)
		close(rt->vrrp_fifo_fd);
	open_fifos(rt);
	vrrp_rt_routes_reload(rt, oconf); /* static_* difference */
	vrrp_conf_free(oconf);
	rt->reloads++;
	return 0;
}
