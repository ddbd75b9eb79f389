/* KEEPALIVED-MIB: the global group and the vrrp group (sync groups and
 * their members, instances, addresses, scripts) read from the VRRP
 * runtime, and the vrrp traps. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/kaevent.h"
#include "snmp/snmp_int.h"
#include "version.h"
#include "vrrp/vrrp_rt.h"

#define ARRLEN(a) (sizeof(a) / sizeof((a)[0]))

enum { TV_TRUE = 1, TV_FALSE = 2 }; /* TruthValue and the MIB's enabled/disabled */

static int32_t tv(bool b)
{
	return b ? TV_TRUE : TV_FALSE;
}

/* VrrpState: init(0) backup(1) master(2) fault(3) unknown(4) shutdown(5) */
static int32_t ka_state(enum vrrp_fsm_state s)
{
	switch (s) {
	case VRRP_STATE_INIT:
		return 0;
	case VRRP_STATE_BACKUP:
		return 1;
	case VRRP_STATE_MASTER:
		return 2;
	case VRRP_STATE_FAULT:
		return 3;
	case VRRP_STATE_STOP:
		return 5;
	default:
		return 4;
	}
}

static int32_t ka_state_name(const char *s)
{
	if (!s)
		return 4;
	if (!strcmp(s, "MASTER"))
		return 2;
	if (!strcmp(s, "BACKUP"))
		return 1;
	if (!strcmp(s, "FAULT"))
		return 3;
	if (!strcmp(s, "STOP"))
		return 5;
	if (!strcmp(s, "INIT"))
		return 0;
	return 4;
}

static const char *cmd_text(const struct vrrp_cmd *c)
{
	return c ? c->text : NULL;
}

/* ---- global ---------------------------------------------------------------- */

static int g_version(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	(void)ctx, (void)row, (void)col;
	mib_v_str(v, "Keepalived v" KA_VERSION " (clean-room)");
	return 0;
}

static int g_router_id(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	struct snmp_ctx *x = ctx;

	(void)row, (void)col;
	mib_v_str(v, x->conf.router_id);
	return 0;
}

static int g_traps(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	struct snmp_ctx *x = ctx;

	(void)row, (void)col;
	mib_v_int(v, tv(x->conf.traps));
	return 0;
}

static int g_netns(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	struct snmp_ctx *x = ctx;

	(void)row, (void)col;
	if (!x->conf.netns[0])
		return -1;
	mib_v_str(v, x->conf.netns);
	return 0;
}

static int g_dynif(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	struct snmp_ctx *x = ctx;

	(void)row, (void)col;
	mib_v_int(v, tv(x->conf.dynamic_interfaces));
	return 0;
}

int mib_global_register(struct mib *m, struct snmp_ctx *x)
{
	static const struct {
		uint32_t sub;
		mib_get_fn get;
	} sc[] = {{1, g_version}, {2, g_router_id}, {4, g_traps}, {8, g_netns}, {10, g_dynif}};
	int r = 0;

	for (size_t i = 0; i < ARRLEN(sc); i++) {
		uint32_t oid[] = {KA_MIB_OID, 1, sc[i].sub};

		r |= mib_add_scalar(m, oid, ARRLEN(oid), sc[i].get, x);
	}
	return r;
}

/* ---- rows ------------------------------------------------------------------ */

/* Instances are numbered by their position in the runtime (1-based),
 * skipping none: a deleted one keeps its slot until it is freed. */
static void inst_rows(void *ctx, struct mib_rows *r)
{
	struct snmp_ctx *x = ctx;

	for (size_t i = 0; x->rt && i < x->rt->n_inst; i++) {
		uint32_t idx = (uint32_t)i + 1;

		if (!x->rt->inst[i]->deleted)
			mib_rows_add(r, &idx, 1, x->rt->inst[i]);
	}
}

static int inst_index(const struct snmp_ctx *x, const struct vrrp_inst *vi)
{
	for (size_t i = 0; x->rt && i < x->rt->n_inst; i++)
		if (x->rt->inst[i] == vi)
			return (int)i + 1;
	return -1;
}

static int inst_get(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	const struct vrrp_inst *vi = row;
	const struct vrrp_instance_conf *c = vi->c;
	struct snmp_ctx *x = ctx;

	switch (col) {
	case 2:
		mib_v_str(v, c->name);
		break;
	case 3:
		mib_v_u32(v, AGENTX_V_GAUGE32, c->vrid);
		break;
	case 4:
		mib_v_int(v, ka_state(vi->fsm.state));
		break;
	case 5:
		mib_v_int(v, c->want_master || c->owner ? 2 : 1);
		break;
	case 6: /* wanted: what the configuration asks for */
		mib_v_int(v, c->want_master || c->owner ? 2 : 1);
		break;
	case 7:
		mib_v_int(v, (int32_t)c->priority);
		break;
	case 8:
		mib_v_int(v, vi->fsm.prio);
		break;
	case 9:
		mib_v_int(v, vi->vips_set ? 1 : 2);
		break;
	case 10:
		if (!c->ifname)
			return -1;
		mib_v_str(v, c->ifname);
		break;
	case 11:
		mib_v_int(v, c->dont_track_primary ? 2 : 1);
		break;
	case 12: /* v2: seconds, v3: centiseconds */
		mib_v_u32(v, AGENTX_V_GAUGE32,
		          c->version == 3 ? c->advert_int_cs : c->advert_int_cs / 100);
		break;
	case 13:
		mib_v_int(v, c->nopreempt ? 2 : 1);
		break;
	case 14:
		mib_v_u32(v, AGENTX_V_GAUGE32, (uint32_t)(c->preempt_delay_us / 1000000u));
		break;
	case 15:
		mib_v_int(v, (int32_t)c->auth_type);
		break;
	case 18:
		if (!c->sync_group)
			return -1;
		mib_v_str(v, c->sync_group->name);
		break;
	case 19:
		mib_v_u32(v, AGENTX_V_GAUGE32, (uint32_t)(c->garp.master_delay_us / 1000000u));
		break;
	case 20:
		mib_v_int(v, tv(c->notify.smtp_alert));
		break;
	case 21: {
		const struct vrrp_notify *n = &c->notify;

		mib_v_int(v, tv(n->master || n->backup || n->fault || n->stop || n->generic));
		break;
	}
	case 22:
	case 23:
	case 24:
	case 25:
	case 26:
	case 31:
	case 32: {
		const struct vrrp_notify *n = &c->notify;
		const struct vrrp_cmd *cmd = col == 22   ? n->master
		                             : col == 23 ? n->backup
		                             : col == 24 ? n->fault
		                             : col == 25 ? n->stop
		                             : col == 26 ? n->generic
		                             : col == 31 ? n->master_rx_lower_pri
		                                         : n->deleted;

		if (!cmd)
			return -1;
		mib_v_str(v, cmd_text(cmd));
		break;
	}
	case 27:
		mib_v_int(v, tv(c->accept));
		break;
	case 28:
		mib_v_int(v, tv(c->promote_secondaries));
		break;
	case 30:
		mib_v_int(v, c->version);
		break;
	case 33:
		mib_v_int(v, tv(c->notify.deleted_set));
		break;
	case 34: /* InetAddressType of the multicast group; none when unicast */
		if (c->unicast)
			return -1;
		mib_v_int(v, c->mcast_dst_ip.family == AF_INET6 ? 2 : 1);
		break;
	case 35:
		if (c->unicast)
			return -1;
		if (c->mcast_dst_ip.family == AF_INET6)
			mib_v_bytes(v, &c->mcast_dst_ip.u.v6, 16);
		else
			mib_v_bytes(v, &c->mcast_dst_ip.u.v4, 4);
		break;
	default:
		return -1;
	}
	(void)x;
	return 0;
}

/* Addresses: index (instance, n) with VIPs first, then excluded VIPs. */
struct addr_ref {
	const struct vrrp_inst *vi;
	const struct vrrp_vip *vip;
	bool excluded;
};

static struct addr_ref *addr_refs;
static size_t n_addr_refs, cap_addr_refs;

static void addr_rows(void *ctx, struct mib_rows *r)
{
	struct snmp_ctx *x = ctx;
	size_t need = 0;

	for (size_t i = 0; x->rt && i < x->rt->n_inst; i++)
		need += x->rt->inst[i]->c->n_vips + x->rt->inst[i]->c->n_evips;
	if (need > cap_addr_refs) {
		struct addr_ref *nr = realloc(addr_refs, need * sizeof(*nr));

		if (!nr)
			return;
		addr_refs = nr;
		cap_addr_refs = need;
	}
	n_addr_refs = 0;
	for (size_t i = 0; x->rt && i < x->rt->n_inst; i++) {
		const struct vrrp_inst *vi = x->rt->inst[i];
		uint32_t idx[2] = {(uint32_t)i + 1, 0};

		if (vi->deleted)
			continue;
		for (size_t k = 0; k < vi->c->n_vips + vi->c->n_evips; k++) {
			struct addr_ref *a = &addr_refs[n_addr_refs++];

			a->vi = vi;
			a->excluded = k >= vi->c->n_vips;
			a->vip = a->excluded ? &vi->c->evips[k - vi->c->n_vips] : &vi->c->vips[k];
			idx[1] = (uint32_t)k + 1;
			mib_rows_add(r, idx, 2, a);
		}
	}
}

static void put_addr(struct mib_val *v, const struct ka_addr *a)
{
	if (a->family == AF_INET6)
		mib_v_bytes(v, &a->u.v6, 16);
	else
		mib_v_bytes(v, &a->u.v4, 4);
}

static int addr_get(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	const struct addr_ref *a = row;
	const struct vrrp_vip *p = a->vip;

	(void)ctx;
	switch (col) {
	case 2:
		mib_v_int(v, p->addr.family == AF_INET6 ? 2 : 1);
		break;
	case 3:
		put_addr(v, &p->addr);
		break;
	case 4:
		if (p->brd != VRRP_BRD_ADDR)
			return -1;
		put_addr(v, &p->brd_addr);
		break;
	case 5:
		mib_v_u32(v, AGENTX_V_GAUGE32, (uint32_t)p->prefixlen);
		break;
	case 8:
		mib_v_str(v, p->dev ? p->dev : a->vi->c->ifname);
		break;
	case 10:
		mib_v_int(v, a->vi->vips_set ? 1 : 2);
		break;
	case 11:
		mib_v_int(v, a->excluded ? 2 : 1);
		break;
	case 12:
		if (!p->has_peer)
			return -1;
		put_addr(v, &p->peer);
		break;
	default:
		return -1;
	}
	return 0;
}

static void sg_rows(void *ctx, struct mib_rows *r)
{
	struct snmp_ctx *x = ctx;

	for (size_t i = 0; x->rt && i < x->rt->n_groups; i++) {
		uint32_t idx = (uint32_t)i + 1;

		mib_rows_add(r, &idx, 1, &x->rt->groups[i]);
	}
}

static int sg_get(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	const struct vrrp_group_rt *g = row;
	const struct vrrp_notify *n = &g->c->notify;

	(void)ctx;
	switch (col) {
	case 2:
		mib_v_str(v, g->c->name);
		break;
	case 3:
		mib_v_int(v, ka_state(g->state));
		break;
	case 4:
		mib_v_int(v, tv(n->smtp_alert));
		break;
	case 5:
		mib_v_int(v, tv(n->master || n->backup || n->fault || n->stop || n->generic));
		break;
	case 6:
	case 7:
	case 8:
	case 9:
	case 11: {
		const struct vrrp_cmd *c = col == 6   ? n->master
		                           : col == 7 ? n->backup
		                           : col == 8 ? n->fault
		                           : col == 9 ? n->generic
		                                      : n->stop;
		if (!c)
			return -1;
		mib_v_str(v, c->text);
		break;
	}
	case 10:
		mib_v_int(v, tv(g->c->tracking_weight));
		break;
	default:
		return -1;
	}
	return 0;
}

static void sgm_rows(void *ctx, struct mib_rows *r)
{
	struct snmp_ctx *x = ctx;

	for (size_t i = 0; x->rt && i < x->rt->n_groups; i++) {
		const struct vrrp_group_rt *g = &x->rt->groups[i];

		for (size_t k = 0; k < g->n; k++) {
			int ii = inst_index(x, g->insts[k]);
			uint32_t idx[2] = {(uint32_t)i + 1, (uint32_t)ii};

			if (ii > 0)
				mib_rows_add(r, idx, 2, g->insts[k]);
		}
	}
}

static int sgm_get(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	const struct vrrp_inst *vi = row;

	(void)ctx;
	if (col != 2)
		return -1;
	mib_v_str(v, vi->c->name);
	return 0;
}

static void script_rows(void *ctx, struct mib_rows *r)
{
	struct snmp_ctx *x = ctx;

	for (size_t i = 0; x->rt && i < x->rt->n_scripts; i++) {
		uint32_t idx = (uint32_t)i + 1;

		if (x->rt->scripts[i])
			mib_rows_add(r, &idx, 1, x->rt->scripts[i]);
	}
}

static int script_get(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	const struct vrrp_script_rt *s = row;
	const struct vrrp_script_conf *c = s->c;

	(void)ctx;
	switch (col) {
	case 2:
		mib_v_str(v, c->name);
		break;
	case 3:
		mib_v_str(v, c->cmd.text);
		break;
	case 4:
		mib_v_int(v, (int32_t)(c->interval_us / 1000000u));
		break;
	case 5:
		mib_v_int(v, c->weight);
		break;
	case 6: /* init(1) bad(2) good(3) initfailed(5) */
		mib_v_int(v, !s->rf.known ? (c->init_fail ? 5 : 1) : s->rf.up ? 3 : 2);
		break;
	case 7:
		mib_v_u32(v, AGENTX_V_GAUGE32, c->rise);
		break;
	case 8:
		mib_v_u32(v, AGENTX_V_GAUGE32, c->fall);
		break;
	case 9:
		mib_v_int(v, tv(c->weight_reverse));
		break;
	default:
		return -1;
	}
	return 0;
}

int mib_vrrp_register(struct mib *m, struct snmp_ctx *x)
{
	static const uint32_t sg[] = {KA_MIB_OID, 2, 1, 1}, sgm[] = {KA_MIB_OID, 2, 2, 1},
	                      in[] = {KA_MIB_OID, 2, 3, 1}, ad[] = {KA_MIB_OID, 2, 6, 1},
	                      sc[] = {KA_MIB_OID, 2, 9, 1};
	int r = 0;

	r |= mib_add_table(m, sg, ARRLEN(sg), 2, 11, sg_get, sg_rows, x);
	r |= mib_add_table(m, sgm, ARRLEN(sgm), 2, 2, sgm_get, sgm_rows, x);
	r |= mib_add_table(m, in, ARRLEN(in), 2, 35, inst_get, inst_rows, x);
	r |= mib_add_table(m, ad, ARRLEN(ad), 2, 12, addr_get, addr_rows, x);
	r |= mib_add_table(m, sc, ARRLEN(sc), 2, 9, script_get, script_rows, x);
	return r;
}

/* ---- traps ----------------------------------------------------------------- */

void mib_vrrp_trap(struct snmp_ctx *x, const struct ka_event *ev)
{
	static const uint32_t t_inst[] = {KA_MIB_OID, 2, 10, 0, 2},
	                      t_group[] = {KA_MIB_OID, 2, 10, 0, 1};
	struct agentx_varbind vb[4];
	struct mib_val v[4];
	struct agentx_oid trap;
	uint32_t idx = 0;

	memset(v, 0, sizeof(v));
	if (ev->kind == KA_EV_VRRP_INSTANCE) {
		static const uint32_t name[] = {KA_MIB_OID, 2, 3, 1, 2},
		                      st[] = {KA_MIB_OID, 2, 3, 1, 4},
		                      init[] = {KA_MIB_OID, 2, 3, 1, 5};
		const struct vrrp_inst *vi = NULL;

		for (size_t i = 0; x->rt && i < x->rt->n_inst; i++)
			if (!x->rt->inst[i]->deleted &&
			    !strcmp(x->rt->inst[i]->c->name, ev->name)) {
				vi = x->rt->inst[i];
				idx = (uint32_t)i + 1;
			}
		if (!vi)
			return;
		mib_v_str(&v[0], ev->name);
		snmp_vb(&vb[0], name, ARRLEN(name), &idx, 1, &v[0]);
		mib_v_int(&v[1], ka_state_name(ev->state));
		snmp_vb(&vb[1], st, ARRLEN(st), &idx, 1, &v[1]);
		mib_v_int(&v[2], vi->c->want_master || vi->c->owner ? 2 : 1);
		snmp_vb(&vb[2], init, ARRLEN(init), &idx, 1, &v[2]);
		snmp_vb_router_id(x, &vb[3], &v[3]);
		agentx_oid_set(&trap, t_inst, ARRLEN(t_inst));
	} else {
		static const uint32_t name[] = {KA_MIB_OID, 2, 1, 1, 2},
		                      st[] = {KA_MIB_OID, 2, 1, 1, 3};

		for (size_t i = 0; x->rt && i < x->rt->n_groups; i++)
			if (!strcmp(x->rt->groups[i].c->name, ev->name))
				idx = (uint32_t)i + 1;
		if (!idx)
			return;
		mib_v_str(&v[0], ev->name);
		snmp_vb(&vb[0], name, ARRLEN(name), &idx, 1, &v[0]);
		mib_v_int(&v[1], ka_state_name(ev->state));
		snmp_vb(&vb[1], st, ARRLEN(st), &idx, 1, &v[1]);
		snmp_vb_router_id(x, &vb[2], &v[2]);
		agentx_oid_set(&trap, t_group, ARRLEN(t_group));
		agentx_sess_notify(x->sess, &trap, vb, 3);
		return;
	}
	agentx_sess_notify(x->sess, &trap, vb, 4);
}
