/* VRRPV3-MIB (RFC 6527), read-only: vrrpv3OperationsTable,
 * vrrpv3AssociatedIpAddrTable, the router-wide statistics,
 * vrrpv3StatisticsTable, and the vrrpv3NewMaster notification.
 *
 * Rows are indexed by (ifIndex, VRID, InetAddressType) as the RFC says;
 * an instance without an interface (unicast only, ifindex 0) has no
 * row.  Two instances with the same triple (possible with VRFs) show as
 * one: the first in configuration order. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/kaevent.h"
#include "snmp/snmp_int.h"
#include "vrrp/vrrp_rt.h"

#define ARRLEN(a) (sizeof(a) / sizeof((a)[0]))

static const uint32_t ops_entry[] = {VRRPV3_MIB_OID, 1, 1, 1, 1};
static const uint32_t aip_entry[] = {VRRPV3_MIB_OID, 1, 1, 2, 1};
static const uint32_t stats_entry[] = {VRRPV3_MIB_OID, 1, 2, 5, 1};

static uint32_t atype(const struct vrrp_inst *vi)
{
	return vi->c->family == AF_INET6 ? 2 : 1;
}

static size_t row_index(const struct vrrp_inst *vi, uint32_t *idx)
{
	idx[0] = (uint32_t)vi->ifindex;
	idx[1] = vi->c->vrid;
	idx[2] = atype(vi);
	return 3;
}

static void ops_rows(void *ctx, struct mib_rows *r)
{
	struct snmp_ctx *x = ctx;

	for (size_t i = 0; x->rt && i < x->rt->n_inst; i++) {
		const struct vrrp_inst *vi = x->rt->inst[i];
		uint32_t idx[3];

		if (vi->deleted || vi->ifindex <= 0)
			continue;
		mib_rows_add(r, idx, row_index(vi, idx), vi);
	}
}

static void put_addr(struct mib_val *v, const struct ka_addr *a)
{
	if (a->family == AF_INET6)
		mib_v_bytes(v, &a->u.v6, 16);
	else if (a->family == AF_INET)
		mib_v_bytes(v, &a->u.v4, 4);
	else
		mib_v_bytes(v, NULL, 0);
}

static int ops_get(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	const struct vrrp_inst *vi = row;
	const struct vrrp_instance_conf *c = vi->c;

	(void)ctx;
	switch (col) {
	case 3: /* MasterIpAddr: ours while master, else the master heard */
		put_addr(v, vi->fsm.state == VRRP_STATE_MASTER ? &vi->src : &vi->fsm.master_saddr);
		break;
	case 4:
		put_addr(v, &vi->src);
		break;
	case 5: { /* 00-00-5E-00-01-VRID (IPv4) / 00-00-5E-00-02-VRID (IPv6) */
		uint8_t mac[6] = {0, 0, 0x5e, 0, atype(vi) == 2 ? 2 : 1, (uint8_t)c->vrid};

		mib_v_bytes(v, mac, 6);
		break;
	}
	case 6: /* initialize(1) backup(2) master(3) */
		mib_v_int(v, vi->fsm.state == VRRP_STATE_MASTER   ? 3
		             : vi->fsm.state == VRRP_STATE_BACKUP ? 2
		                                                  : 1);
		break;
	case 7:
		mib_v_u32(v, AGENTX_V_GAUGE32, vi->fsm.prio);
		break;
	case 8:
		mib_v_int(v, (int32_t)(c->n_vips > 255 ? 255 : c->n_vips));
		break;
	case 9: /* TimeInterval: centiseconds */
		mib_v_int(v, (int32_t)c->advert_int_cs);
		break;
	case 10:
		mib_v_int(v, c->nopreempt ? 2 : 1);
		break;
	case 11:
		mib_v_int(v, c->accept ? 1 : 2);
		break;
	case 13: /* RowStatus: active(1) (rows come from the configuration) */
		mib_v_int(v, 1);
		break;
	default:
		return -1;
	}
	return 0;
}

struct aip_ref {
	const struct vrrp_inst *vi;
	const struct vrrp_vip *vip;
};
static struct aip_ref *aips;
static size_t n_aips, cap_aips;

static void aip_rows(void *ctx, struct mib_rows *r)
{
	struct snmp_ctx *x = ctx;
	size_t need = 0;

	for (size_t i = 0; x->rt && i < x->rt->n_inst; i++)
		need += x->rt->inst[i]->c->n_vips;
	if (need > cap_aips) {
		struct aip_ref *nr = realloc(aips, need * sizeof(*nr));

		if (!nr)
			return;
		aips = nr;
		cap_aips = need;
	}
	n_aips = 0;
	for (size_t i = 0; x->rt && i < x->rt->n_inst; i++) {
		const struct vrrp_inst *vi = x->rt->inst[i];

		if (vi->deleted || vi->ifindex <= 0)
			continue;
		for (size_t k = 0; k < vi->c->n_vips; k++) {
			const struct vrrp_vip *p = &vi->c->vips[k];
			uint32_t idx[3 + 17];
			size_t n = row_index(vi, idx);
			const uint8_t *b = p->addr.family == AF_INET6
			                       ? (const uint8_t *)&p->addr.u.v6
			                       : (const uint8_t *)&p->addr.u.v4;
			size_t bl = p->addr.family == AF_INET6 ? 16 : 4;

			/* InetAddress index: length-prefixed (no IMPLIED) */
			idx[n++] = (uint32_t)bl;
			for (size_t j = 0; j < bl; j++)
				idx[n++] = b[j];
			aips[n_aips] = (struct aip_ref){vi, p};
			mib_rows_add(r, idx, n, &aips[n_aips]);
			n_aips++;
		}
	}
}

static int aip_get(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	(void)ctx, (void)row;
	if (col != 2)
		return -1;
	mib_v_int(v, 1); /* RowStatus active */
	return 0;
}

/* Router-wide counters: sums over the instances. */
static uint64_t sum_err(const struct snmp_ctx *x, enum vrrp_rx_err e)
{
	uint64_t s = 0;

	for (size_t i = 0; x->rt && i < x->rt->n_inst; i++)
		s += x->rt->inst[i]->rx_err[e];
	return s;
}

static int glob_get(void *ctx, const void *row, unsigned col, struct mib_val *v, unsigned which)
{
	struct snmp_ctx *x = ctx;

	(void)row, (void)col;
	switch (which) {
	case 1:
		mib_v_c64(v, sum_err(x, VRRP_RX_CHECKSUM));
		break;
	case 2:
		mib_v_c64(v, sum_err(x, VRRP_RX_VERSION));
		break;
	case 3:
		mib_v_c64(v, sum_err(x, VRRP_RX_VRID));
		break;
	default: /* DiscontinuityTime: the counters start with the process */
		mib_v_u32(v, AGENTX_V_TIMETICKS, 0);
		break;
	}
	return 0;
}

static int g_cksum(void *c, const void *r, unsigned k, struct mib_val *v)
{
	return glob_get(c, r, k, v, 1);
}
static int g_version(void *c, const void *r, unsigned k, struct mib_val *v)
{
	return glob_get(c, r, k, v, 2);
}
static int g_vrid(void *c, const void *r, unsigned k, struct mib_val *v)
{
	return glob_get(c, r, k, v, 3);
}
static int g_disc(void *c, const void *r, unsigned k, struct mib_val *v)
{
	return glob_get(c, r, k, v, 4);
}

static int stats_get(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	const struct vrrp_inst *vi = row;

	(void)ctx;
	switch (col) {
	case 1:
		mib_v_u32(v, AGENTX_V_COUNTER32, (uint32_t)vi->fsm.stats.became_master);
		break;
	case 3:
		mib_v_c64(v, vi->advert_rcvd);
		break;
	case 4:
		mib_v_c64(v, vi->rx_err[VRRP_RX_INTERVAL]);
		break;
	case 5:
		mib_v_c64(v, vi->rx_err[VRRP_RX_TTL]);
		break;
	case 7:
		mib_v_c64(v, vi->fsm.stats.pri_zero_rcvd);
		break;
	case 8:
		mib_v_c64(v, vi->fsm.stats.pri_zero_sent);
		break;
	case 9:
		mib_v_c64(v, vi->rx_err[VRRP_RX_TYPE]);
		break;
	case 10:
		mib_v_c64(v, vi->rx_err[VRRP_RX_ADDR_LIST] + vi->rx_err[VRRP_RX_ADDR_COUNT_ZERO]);
		break;
	case 11:
		mib_v_c64(v, vi->rx_err[VRRP_RX_LENGTH]);
		break;
	case 12:
		mib_v_u32(v, AGENTX_V_TIMETICKS, 0);
		break;
	default:
		return -1;
	}
	return 0;
}

int mib_vrrpv3_register(struct mib *m, struct snmp_ctx *x)
{
	static const uint32_t ck[] = {VRRPV3_MIB_OID, 1, 2, 1}, ve[] = {VRRPV3_MIB_OID, 1, 2, 2},
	                      vr[] = {VRRPV3_MIB_OID, 1, 2, 3}, di[] = {VRRPV3_MIB_OID, 1, 2, 4};
	int r = 0;

	r |= mib_add_table(m, ops_entry, ARRLEN(ops_entry), 3, 13, ops_get, ops_rows, x);
	r |= mib_add_table(m, aip_entry, ARRLEN(aip_entry), 2, 2, aip_get, aip_rows, x);
	r |= mib_add_scalar(m, ck, ARRLEN(ck), g_cksum, x);
	r |= mib_add_scalar(m, ve, ARRLEN(ve), g_version, x);
	r |= mib_add_scalar(m, vr, ARRLEN(vr), g_vrid, x);
	r |= mib_add_scalar(m, di, ARRLEN(di), g_disc, x);
	r |= mib_add_table(m, stats_entry, ARRLEN(stats_entry), 1, 12, stats_get, ops_rows, x);
	return r;
}

/* vrrpv3NewMaster { vrrpv3OperationsMasterIpAddr,
 * vrrpv3StatisticsNewMasterReason }.  The runtime does not record why it
 * became master; the reason is inferred from the state it left: BACKUP
 * -> masterNoResponse(3), otherwise (startup, owner) priority(1). */
void mib_vrrpv3_trap(struct snmp_ctx *x, const struct ka_event *ev)
{
	static const uint32_t trap_oid[] = {VRRPV3_MIB_OID, 0, 1};
	static const uint32_t reason_col[] = {VRRPV3_MIB_OID, 1, 2, 5, 1, 2};
	static const uint32_t master_col[] = {VRRPV3_MIB_OID, 1, 1, 1, 1, 3};
	struct agentx_varbind vb[2];
	struct mib_val v[2];
	struct agentx_oid trap;
	const struct vrrp_inst *vi = NULL;
	uint32_t idx[3];

	if (ev->kind != KA_EV_VRRP_INSTANCE || !ev->state || strcmp(ev->state, "MASTER"))
		return;
	for (size_t i = 0; x->rt && i < x->rt->n_inst; i++)
		if (!x->rt->inst[i]->deleted && !strcmp(x->rt->inst[i]->c->name, ev->name))
			vi = x->rt->inst[i];
	if (!vi || vi->ifindex <= 0)
		return;
	row_index(vi, idx);
	memset(v, 0, sizeof(v));
	put_addr(&v[0], &vi->src);
	snmp_vb(&vb[0], master_col, ARRLEN(master_col), idx, 3, &v[0]);
	mib_v_int(&v[1], vi->fsm.prev_state == VRRP_STATE_BACKUP ? 3 : 1);
	snmp_vb(&vb[1], reason_col, ARRLEN(reason_col), idx, 3, &v[1]);
	agentx_oid_set(&trap, trap_oid, ARRLEN(trap_oid));
	agentx_sess_notify(x->sess, &trap, vb, 2);
}
