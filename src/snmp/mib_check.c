/* KEEPALIVED-MIB check group: virtualServerTable and realServerTable read
 * from the checker engine, and the realServerStateChange /
 * virtualServerQuorumStateChange traps.  Virtual servers are numbered by
 * position (1-based), real servers by position within their virtual
 * server, the sorry server (type sorry(2)) last. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check/check_engine_int.h"
#include "lib/kaevent.h"
#include "snmp/snmp_int.h"

#define ARRLEN(a) (sizeof(a) / sizeof((a)[0]))

static const uint32_t vs_entry[] = {KA_MIB_OID, 3, 3, 1};
static const uint32_t rs_entry[] = {KA_MIB_OID, 3, 4, 1};

/* A real server row: a configured one, or the sorry server (rs == NULL). */
struct rs_ref {
	const struct ck_vs *vs;
	const struct ck_rs *rs;
};
static struct rs_ref *rs_refs;
static size_t cap_rs_refs;

static int32_t tv(bool b)
{
	return b ? 1 : 2;
}

static void put_addr(struct mib_val *v, const struct ka_addr *a)
{
	if (a->family == AF_INET6)
		mib_v_bytes(v, &a->u.v6, 16);
	else
		mib_v_bytes(v, &a->u.v4, 4);
}

static int32_t fwd_kind(enum lvs_fwd f)
{
	return f == LVS_FWD_DR ? 2 : f == LVS_FWD_TUN ? 3 : 1;
}

static unsigned rs_up(const struct ck_vs *v)
{
	unsigned n = 0;

	for (unsigned j = 0; j < v->n_rs; j++)
		n += v->rs[j].alive;
	return n;
}

static void vs_rows(void *ctx, struct mib_rows *r)
{
	struct snmp_ctx *x = ctx;

	for (unsigned i = 0; x->e && x->e->conf && i < x->e->n_vs; i++) {
		uint32_t idx = i + 1;

		mib_rows_add(r, &idx, 1, &x->e->vs[i]);
	}
}

static int vs_get(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	static const char *const algos[] = {"rr",    "wrr", "lc", "wlc", "lblc",
	                                    "lblcr", "dh",  "sh", "sed", "nq"};
	const struct ck_vs *vs = row;
	const struct check_vs_conf *c = vs->conf;

	(void)ctx;
	switch (col) {
	case 2: /* fwmark(1) ip(2) group(3) */
		mib_v_int(v, c->kind == CHECK_VS_FWMARK ? 1 : c->kind == CHECK_VS_GROUP ? 3 : 2);
		break;
	case 3:
		if (c->kind != CHECK_VS_GROUP)
			return -1;
		mib_v_str(v, c->group);
		break;
	case 4:
		if (c->kind != CHECK_VS_FWMARK)
			return -1;
		mib_v_u32(v, AGENTX_V_GAUGE32, c->fwmark);
		break;
	case 5:
		if (c->kind != CHECK_VS_ADDR)
			return -1;
		mib_v_int(v, c->addr.family == AF_INET6 ? 2 : 1);
		break;
	case 6:
		if (c->kind != CHECK_VS_ADDR)
			return -1;
		put_addr(v, &c->addr);
		break;
	case 7:
		if (c->kind != CHECK_VS_ADDR)
			return -1;
		mib_v_u32(v, AGENTX_V_GAUGE32, c->port);
		break;
	case 8: /* tcp(1) udp(2) sctp(3) */
		mib_v_int(v, c->protocol == 17 ? 2 : c->protocol == 132 ? 3 : 1);
		break;
	case 9:
		for (size_t k = 0; k < ARRLEN(algos); k++)
			if (!strcmp(c->attr.sched, algos[k])) {
				mib_v_int(v, (int32_t)k + 1);
				return 0;
			}
		return -1;
	case 10:
		if (!c->n_rs)
			return -1;
		mib_v_int(v, fwd_kind(c->rs[0].dest.fwd));
		break;
	case 11:
		mib_v_int(v, vs->q.up ? 1 : 2);
		break;
	case 13:
		mib_v_int(v, tv(c->attr.timeout_s > 0));
		break;
	case 14:
		mib_v_u32(v, AGENTX_V_GAUGE32, c->attr.timeout_s);
		break;
	case 16:
		if (!c->n_rs || !c->rs[0].n_checkers)
			return -1;
		mib_v_u32(v, AGENTX_V_GAUGE32,
		          (uint32_t)(c->rs[0].checkers[0].delay_loop_us / 1000000u));
		break;
	case 17:
		mib_v_int(v, tv(c->ha_suspend));
		break;
	case 19:
		mib_v_int(v, tv(c->omega));
		break;
	case 20:
		mib_v_u32(v, AGENTX_V_GAUGE32, vs->n_rs);
		break;
	case 21:
		mib_v_u32(v, AGENTX_V_GAUGE32, rs_up(vs));
		break;
	case 22:
		mib_v_u32(v, AGENTX_V_GAUGE32, vs->q.quorum);
		break;
	case 23: /* met(1) notMet(2) */
		mib_v_int(v, vs->q.up ? 1 : 2);
		break;
	case 24:
	case 25: {
		const struct check_cmd *cmd = col == 24 ? c->quorum_up : c->quorum_down;

		if (!cmd)
			return -1;
		mib_v_str(v, cmd->text);
		break;
	}
	case 26:
		mib_v_u32(v, AGENTX_V_GAUGE32, vs->q.hysteresis);
		break;
	default:
		return -1;
	}
	return 0;
}

static void rs_rows(void *ctx, struct mib_rows *r)
{
	struct snmp_ctx *x = ctx;
	size_t need = 0, n = 0;

	for (unsigned i = 0; x->e && x->e->conf && i < x->e->n_vs; i++)
		need += x->e->vs[i].n_rs + 1;
	if (need > cap_rs_refs) {
		struct rs_ref *nr = realloc(rs_refs, need * sizeof(*nr));

		if (!nr)
			return;
		rs_refs = nr;
		cap_rs_refs = need;
	}
	for (unsigned i = 0; x->e && x->e->conf && i < x->e->n_vs; i++) {
		const struct ck_vs *vs = &x->e->vs[i];
		uint32_t idx[2] = {i + 1, 0};

		for (unsigned j = 0; j < vs->n_rs; j++) {
			rs_refs[n] = (struct rs_ref){vs, &vs->rs[j]};
			idx[1] = j + 1;
			mib_rows_add(r, idx, 2, &rs_refs[n++]);
		}
		if (vs->conf->has_sorry) {
			rs_refs[n] = (struct rs_ref){vs, NULL};
			idx[1] = vs->n_rs + 1;
			mib_rows_add(r, idx, 2, &rs_refs[n++]);
		}
	}
}

static int rs_get(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	const struct rs_ref *ref = row;
	const struct ck_rs *rs = ref->rs;
	const struct lvs_dest *d = rs ? &rs->conf->dest : &ref->vs->conf->sorry;

	(void)ctx;
	switch (col) {
	case 2: /* regular(1) sorry(2) */
		mib_v_int(v, rs ? 1 : 2);
		break;
	case 3:
		mib_v_int(v, d->addr.family == AF_INET6 ? 2 : 1);
		break;
	case 4:
		put_addr(v, &d->addr);
		break;
	case 5:
		mib_v_u32(v, AGENTX_V_GAUGE32, d->port);
		break;
	case 6: /* alive(1) dead(2); the sorry server is alive while in use */
		mib_v_int(v, rs ? (rs->alive ? 1 : 2) : (ref->vs->sorry_dp_weight >= 0 ? 1 : 2));
		break;
	case 7:
		mib_v_int(v, rs ? rs->weight : d->weight);
		break;
	case 8:
		mib_v_u32(v, AGENTX_V_GAUGE32, d->u_threshold);
		break;
	case 9:
		mib_v_u32(v, AGENTX_V_GAUGE32, d->l_threshold);
		break;
	case 10: /* remove(1) inhibit(2) */
		mib_v_int(v, rs ? (rs->conf->inhibit_on_failure ? 2 : 1)
		                : (ref->vs->conf->sorry_inhibit ? 2 : 1));
		break;
	case 11:
	case 12: {
		const struct check_cmd *cmd = !rs         ? NULL
		                              : col == 11 ? rs->conf->notify_up
		                                          : rs->conf->notify_down;

		if (!cmd)
			return -1;
		mib_v_str(v, cmd->text);
		break;
	}
	case 13:
		if (!rs)
			return -1;
		mib_v_u32(v, AGENTX_V_GAUGE32, rs->n_failed);
		break;
	case 40:
		mib_v_int(v, fwd_kind(d->fwd));
		break;
	default:
		return -1;
	}
	return 0;
}

int mib_check_register(struct mib *m, struct snmp_ctx *x)
{
	int r = 0;

	r |= mib_add_table(m, vs_entry, ARRLEN(vs_entry), 2, 26, vs_get, vs_rows, x);
	r |= mib_add_table(m, rs_entry, ARRLEN(rs_entry), 2, 40, rs_get, rs_rows, x);
	return r;
}

/* ---- traps ----------------------------------------------------------------- */

#define TRAP_VBS 14

struct trap {
	struct agentx_varbind vb[TRAP_VBS];
	struct mib_val v[TRAP_VBS];
	size_t n;
};

static void add_col(struct trap *t, const uint32_t *entry, size_t ne, unsigned col,
                    const uint32_t *idx, size_t ni, mib_get_fn get, const void *row)
{
	uint32_t oid[MIB_OID_MAX + 1];

	if (t->n >= TRAP_VBS)
		return;
	memcpy(oid, entry, ne * sizeof(*oid));
	oid[ne] = col;
	memset(&t->v[t->n], 0, sizeof(t->v[t->n]));
	if (get(NULL, row, col, &t->v[t->n]) < 0)
		return;
	snmp_vb(&t->vb[t->n], oid, ne + 1, idx, ni, &t->v[t->n]);
	t->n++;
}

/* The virtual server's identity columns, by its type. */
static void add_vs_ident(struct trap *t, const struct ck_vs *vs, const uint32_t *idx)
{
	static const unsigned cols[] = {3, 4, 5, 6, 7};

	for (size_t k = 0; k < ARRLEN(cols); k++)
		add_col(t, vs_entry, ARRLEN(vs_entry), cols[k], idx, 1, vs_get, vs);
}

void mib_check_trap(struct snmp_ctx *x, const struct ka_event *ev)
{
	static const uint32_t t_rs[] = {KA_MIB_OID, 3, 5, 0, 1}, t_q[] = {KA_MIB_OID, 3, 5, 0, 2};
	struct trap *t;
	struct agentx_oid trap;
	const struct ck_vs *vs = NULL;
	uint32_t vidx = 0;

	if (ev->initial || !x->e || !x->e->conf)
		return;
	for (unsigned i = 0; i < x->e->n_vs; i++)
		if (!strcmp(x->e->vs[i].conf->fifo_name, ev->name)) {
			vs = &x->e->vs[i];
			vidx = i + 1;
			break;
		}
	if (!vs)
		return;
	t = calloc(1, sizeof(*t));
	if (!t)
		return;
	if (ev->kind == KA_EV_RS) {
		const struct ck_rs *rs = NULL;
		struct rs_ref ref;
		uint32_t idx[2] = {vidx, 0};

		for (unsigned j = 0; j < vs->n_rs && ev->rs; j++) {
			char a[KA_ADDRSTRLEN + 32];

			check_rs_fmt(vs->conf, vs->rs[j].conf, a, sizeof(a));
			if (!strcmp(a, ev->rs)) {
				rs = &vs->rs[j];
				idx[1] = j + 1;
				break;
			}
		}
		if (!rs) {
			free(t);
			return;
		}
		ref = (struct rs_ref){vs, rs};
		add_col(t, rs_entry, ARRLEN(rs_entry), 3, idx, 2, rs_get, &ref);
		add_col(t, rs_entry, ARRLEN(rs_entry), 4, idx, 2, rs_get, &ref);
		add_col(t, rs_entry, ARRLEN(rs_entry), 5, idx, 2, rs_get, &ref);
		/* the event's view: the engine may publish before updating alive */
		memset(&t->v[t->n], 0, sizeof(t->v[t->n]));
		mib_v_int(&t->v[t->n], ev->up ? 1 : 2);
		{
			uint32_t oid[ARRLEN(rs_entry) + 1];

			memcpy(oid, rs_entry, sizeof(rs_entry));
			oid[ARRLEN(rs_entry)] = 6;
			snmp_vb(&t->vb[t->n], oid, ARRLEN(oid), idx, 2, &t->v[t->n]);
			t->n++;
		}
		add_col(t, vs_entry, ARRLEN(vs_entry), 2, &vidx, 1, vs_get, vs);
		add_col(t, vs_entry, ARRLEN(vs_entry), 8, &vidx, 1, vs_get, vs);
		add_col(t, vs_entry, ARRLEN(vs_entry), 21, &vidx, 1, vs_get, vs);
		add_col(t, vs_entry, ARRLEN(vs_entry), 20, &vidx, 1, vs_get, vs);
		agentx_oid_set(&trap, t_rs, ARRLEN(t_rs));
	} else {
		add_col(t, vs_entry, ARRLEN(vs_entry), 2, &vidx, 1, vs_get, vs);
		add_col(t, vs_entry, ARRLEN(vs_entry), 8, &vidx, 1, vs_get, vs);
		memset(&t->v[t->n], 0, sizeof(t->v[t->n]));
		mib_v_int(&t->v[t->n], ev->up ? 1 : 2);
		{
			uint32_t oid[ARRLEN(vs_entry) + 1];

			memcpy(oid, vs_entry, sizeof(vs_entry));
			oid[ARRLEN(vs_entry)] = 23;
			snmp_vb(&t->vb[t->n], oid, ARRLEN(oid), &vidx, 1, &t->v[t->n]);
			t->n++;
		}
		add_col(t, vs_entry, ARRLEN(vs_entry), 22, &vidx, 1, vs_get, vs);
		add_col(t, vs_entry, ARRLEN(vs_entry), 21, &vidx, 1, vs_get, vs);
		add_col(t, vs_entry, ARRLEN(vs_entry), 20, &vidx, 1, vs_get, vs);
		agentx_oid_set(&trap, t_q, ARRLEN(t_q));
	}
	snmp_vb_router_id(x, &t->vb[t->n], &t->v[t->n]);
	t->n++;
	add_vs_ident(t, vs, &vidx);
	agentx_sess_notify(x->sess, &trap, t->vb, t->n);
	free(t);
}
