/* The NAT transactions of the nftables LVS data plane (nft_batch.h): the
 * inet table, its base objects and one service. */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lvs/nft_int.h"
#include "lvs/nft_rules.h"

uint32_t nft_svc_key(const struct lvs_svc_key *k, uint8_t *p)
{
	uint32_t n = nft_alen(k->af);

	if (k->fwmark) {
		memcpy(p, &k->fwmark, 4); /* meta mark is in host order */
		return 4 + nft_put_byte(p + 4, k->af == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	}
	memcpy(p, &k->addr.u, n);
	n += nft_put_byte(p + n, (uint8_t)k->protocol);
	return n + nft_put_port(p + n, k->port);
}

/* rsin/rsout: vip . proto . vport . rip . rport. */
static uint32_t rs_key(const struct lvs_svc_key *k, const struct lvs_dest *d, uint8_t *p)
{
	uint32_t n = nft_svc_key(k, p);

	return n + nft_dest_key(d, true, p + n);
}

static const char *dispatch_map(const struct lvs_svc_key *k)
{
	return k->fwmark ? "svcmark" : k->af == AF_INET6 ? "svc6" : "svc4";
}

static const char *post_map(const struct lvs_svc_key *k)
{
	return k->fwmark ? "postmark" : k->af == AF_INET6 ? "post6" : "post4";
}

/* The per-destination counter maps, by counter kind (conn, in, out). */
enum ctr_kind { CTR_CONN, CTR_IN, CTR_OUT };

static const char *ctr_map(const struct lvs_svc_key *k, enum ctr_kind kind)
{
	static const char *const v4[] = {"rsconn4", "rsin4", "rsout4"};
	static const char *const v6[] = {"rsconn6", "rsin6", "rsout6"};

	if (k->fwmark)
		return k->af == AF_INET6 ? "fwconn6" : "fwconn4";
	return (k->af == AF_INET6 ? v6 : v4)[kind];
}

/* fwconn: mark . rip (a fwmark service has no address and port of its
 * own; nft_svc_check keeps its real server addresses distinct). */
static uint32_t fw_key(const struct lvs_svc_key *k, const struct lvs_dest *d, uint8_t *p)
{
	memcpy(p, &k->fwmark, 4);
	return 4 + nft_dest_key(d, false, p + 4);
}

/* ---- base objects ---- */

static void dispatch_rules(struct nft_batch *b, const char *chain)
{
	uint32_t zero = 0;
	struct nft_rb rb = nft_rule_begin(b, chain);

	/* fwmark services first, as IPVS looks them up first. */
	nft_e_meta(&rb, NFT_META_MARK, R(0));
	nft_e_cmp(&rb, NFT_CMP_NEQ, R(0), &zero, 4);
	nft_e_meta(&rb, NFT_META_NFPROTO, R(1));
	nft_e_lookup(&rb, "svcmark", R(0), NFT_REG_VERDICT);
	nft_rule_end(b, &rb);
	rb = nft_rule_begin(b, chain);
	nft_e_u8_eq(&rb, NFT_META_NFPROTO, NFPROTO_IPV4);
	nft_e_payload(&rb, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, R(0));
	nft_e_meta(&rb, NFT_META_L4PROTO, R(1));
	nft_e_payload(&rb, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, R(2));
	nft_e_lookup(&rb, "svc4", R(0), NFT_REG_VERDICT);
	nft_rule_end(b, &rb);
	rb = nft_rule_begin(b, chain);
	nft_e_u8_eq(&rb, NFT_META_NFPROTO, NFPROTO_IPV6);
	nft_e_payload(&rb, NFT_PAYLOAD_NETWORK_HEADER, 24, 16, R(0));
	nft_e_meta(&rb, NFT_META_L4PROTO, R(4));
	nft_e_payload(&rb, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, R(5));
	nft_e_lookup(&rb, "svc6", R(0), NFT_REG_VERDICT);
	nft_rule_end(b, &rb);
}

/* ct status has IPS_DST_NAT (and, with ct_state, ct state has it). */
static void match_nated(struct nft_rb *rb, uint16_t af, uint32_t ct_state)
{
	uint32_t dnat = IPS_DST_NAT, zero = 0;

	nft_e_u8_eq(rb, NFT_META_NFPROTO, af == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	if (ct_state) {
		nft_e_ct(rb, NFT_CT_STATE, -1, R(0));
		nft_e_bitwise(rb, R(0), (const uint8_t *)&ct_state, 4);
		nft_e_cmp(rb, NFT_CMP_NEQ, R(0), &zero, 4);
	}
	nft_e_ct(rb, NFT_CT_STATUS, -1, R(0));
	nft_e_bitwise(rb, R(0), (const uint8_t *)&dnat, 4);
	nft_e_cmp(rb, NFT_CMP_NEQ, R(0), &zero, 4);
}

/* vip . proto . vport [. rip . rport] of the connection, from conntrack,
 * in R(0)..: the same layout as svc_key/rs_key. */
static void load_conn(struct nft_rb *rb, uint16_t af, bool with_rs)
{
	uint32_t n = nft_alen(af) / 4;
	bool v6 = af == AF_INET6;

	nft_e_ct(rb, v6 ? NFT_CT_DST_IP6 : NFT_CT_DST_IP, CT_DIR_ORIGINAL, R(0));
	nft_e_ct(rb, NFT_CT_PROTOCOL, CT_DIR_ORIGINAL, R(n));
	nft_e_ct(rb, NFT_CT_PROTO_DST, CT_DIR_ORIGINAL, R(n + 1));
	if (!with_rs)
		return;
	nft_e_ct(rb, v6 ? NFT_CT_SRC_IP6 : NFT_CT_SRC_IP, CT_DIR_REPLY, R(n + 2));
	nft_e_ct(rb, NFT_CT_PROTO_SRC, CT_DIR_REPLY, R(2 * n + 2));
}

static void mark_nonzero(struct nft_rb *rb)
{
	uint32_t zero = 0;

	nft_e_meta(rb, NFT_META_MARK, R(0));
	nft_e_cmp(rb, NFT_CMP_NEQ, R(0), &zero, 4);
}

/* Packets of connections we translated, counted per (service, dest) in
 * the direction they travel: original = in, reply = out. */
static void inout_rule(struct nft_batch *b, uint16_t af, bool in)
{
	uint8_t dir = in ? CT_DIR_ORIGINAL : CT_DIR_REPLY;
	struct nft_rb rb = nft_rule_begin(b, "forward");
	struct lvs_svc_key k = {.af = af};

	match_nated(&rb, af, 0);
	nft_e_ct(&rb, NFT_CT_DIRECTION, -1, R(0));
	nft_e_cmp(&rb, NFT_CMP_EQ, R(0), &dir, 1);
	load_conn(&rb, af, true);
	nft_e_objref_map(&rb, ctr_map(&k, in ? CTR_IN : CTR_OUT), R(0));
	nft_rule_end(b, &rb);
}

/* The first packet of a translated connection, after NAT (so conntrack
 * knows the destination chosen): count the connection, and let a
 * persistent service remember the client (its post chain).  Done here,
 * not in the service chain, because a rule keyed by a register a map
 * lookup filled cannot be listed by the nft CLI (1.0.x aborts), and an
 * operator's `nft list ruleset` must keep working. */
static void track_rules(struct nft_batch *b, const char *chain, uint16_t af)
{
	uint32_t st_new = NF_CT_STATE_BIT(IP_CT_NEW);
	struct lvs_svc_key k = {.af = af}, km = {.af = af, .fwmark = 1};
	struct nft_rb rb = nft_rule_begin(b, chain);

	match_nated(&rb, af, st_new);
	load_conn(&rb, af, true);
	nft_e_objref_map(&rb, ctr_map(&k, CTR_CONN), R(0));
	nft_rule_end(b, &rb);
	rb = nft_rule_begin(b, chain);
	match_nated(&rb, af, st_new);
	mark_nonzero(&rb);
	nft_e_ct(&rb, af == AF_INET6 ? NFT_CT_SRC_IP6 : NFT_CT_SRC_IP, CT_DIR_REPLY, R(1));
	nft_e_objref_map(&rb, ctr_map(&km, CTR_CONN), R(0));
	nft_rule_end(b, &rb);
	rb = nft_rule_begin(b, chain);
	match_nated(&rb, af, st_new);
	load_conn(&rb, af, false);
	nft_e_lookup(&rb, post_map(&k), R(0), NFT_REG_VERDICT);
	nft_rule_end(b, &rb);
	rb = nft_rule_begin(b, chain);
	match_nated(&rb, af, st_new);
	mark_nonzero(&rb);
	nft_e_meta(&rb, NFT_META_NFPROTO, R(1));
	nft_e_lookup(&rb, "postmark", R(0), NFT_REG_VERDICT);
	nft_rule_end(b, &rb);
}

static void put_map(struct nft_batch *b, const char *name, uint32_t kt, uint32_t kl, bool obj)
{
	struct nft_set_spec sp = {.name = name, .key_type = kt, .key_len = kl};

	if (obj) {
		sp.flags = NFT_SET_OBJECT;
		sp.obj_type = NFT_OBJECT_COUNTER;
	} else {
		sp.flags = NFT_SET_MAP;
		sp.data_type = NFT_DATA_VERDICT;
	}
	nft_put_set(b, NFT_MSG_NEWSET, &sp);
}

static void base_sets(struct nft_batch *b)
{
	static const uint16_t afs[] = {AF_INET, AF_INET6};
	struct lvs_svc_key k = {0}, km = {.fwmark = 1};
	uint32_t at, al, svc_t, rs_t;
	size_t i;

	for (i = 0; i < 2; i++) {
		k.af = km.af = afs[i];
		at = nft_addr_type(afs[i]);
		al = nft_alen(afs[i]);
		svc_t = CONCAT(CONCAT(at, T_PROTO), T_SERVICE);
		rs_t = CONCAT(CONCAT(svc_t, at), T_SERVICE);
		put_map(b, dispatch_map(&k), svc_t, al + 8, false);
		put_map(b, post_map(&k), svc_t, al + 8, false);
		put_map(b, ctr_map(&k, CTR_CONN), rs_t, 2 * al + 12, true);
		put_map(b, ctr_map(&k, CTR_IN), rs_t, 2 * al + 12, true);
		put_map(b, ctr_map(&k, CTR_OUT), rs_t, 2 * al + 12, true);
		put_map(b, ctr_map(&km, CTR_CONN), CONCAT(T_MARK, at), 4 + al, true);
	}
	put_map(b, "svcmark", CONCAT(T_MARK, T_NFPROTO), 8, false);
	put_map(b, "postmark", CONCAT(T_MARK, T_NFPROTO), 8, false);
}

static void base_objects(struct nft_batch *b)
{
	base_sets(b);
	nft_put_chain(b, NFT_MSG_NEWCHAIN, "prerouting", NF_INET_PRE_ROUTING, -100, "nat");
	nft_put_chain(b, NFT_MSG_NEWCHAIN, "output", NF_INET_LOCAL_OUT, -100, "nat");
	nft_put_chain(b, NFT_MSG_NEWCHAIN, "forward", NF_INET_FORWARD, 0, "filter");
	nft_put_chain(b, NFT_MSG_NEWCHAIN, "local", NF_INET_LOCAL_OUT, 0, "filter");
	dispatch_rules(b, "prerouting");
	dispatch_rules(b, "output");
	track_rules(b, "forward", AF_INET);
	track_rules(b, "forward", AF_INET6);
	track_rules(b, "local", AF_INET);
	track_rules(b, "local", AF_INET6);
	inout_rule(b, AF_INET, true);
	inout_rule(b, AF_INET, false);
	inout_rule(b, AF_INET6, true);
	inout_rule(b, AF_INET6, false);
}

void nft_batch_table_del(struct nft_batch *b)
{
	nft_put_table(b, NFT_MSG_DELTABLE);
}

void nft_batch_tables_del(struct nft_batch *b)
{
	nft_put_table(b, NFT_MSG_NEWTABLE);
	nft_put_table(b, NFT_MSG_DELTABLE);
	nft_batch_dr_table_del(b);
}

/* ---- one service ---- */

/* What every function below needs to know about a service. */
struct svc_ctx {
	const struct lvs_tsvc *s;
	const struct nft_svc_plan *p; /* given, or own */
	struct nft_svc_plan own;
	char chain[NFT_NAME_MAX], post[NFT_NAME_MAX], idx[NFT_NAME_MAX], aff[NFT_NAME_MAX],
	    live[NFT_NAME_MAX];
	uint32_t al, dl;
};

/* p NULL: the fresh layout of s. */
static int ctx_init(struct nft_batch *b, struct svc_ctx *c, const struct lvs_tsvc *s,
                    const struct nft_svc_plan *p)
{
	const struct lvs_svc_key *k = &s->key;

	c->s = s;
	memset(&c->own, 0, sizeof(c->own));
	if (!p && nft_svc_compile(s, &c->own) < 0) {
		b->oom = true;
		return -1;
	}
	c->p = p ? p : &c->own;
	nft_chain_name(k, c->chain, sizeof(c->chain));
	nft_set_name(k, "post", c->post, sizeof(c->post));
	nft_set_name(k, "idx", c->idx, sizeof(c->idx));
	nft_set_name(k, "aff", c->aff, sizeof(c->aff));
	nft_set_name(k, "live", c->live, sizeof(c->live));
	c->al = nft_alen(k->af);
	c->dl = c->al + (c->p->with_port ? 4 : 0);
	return 0;
}

static void ctx_free(struct svc_ctx *c)
{
	nft_svc_plan_free(&c->own);
}

static void persist_sets(struct nft_batch *b, const struct svc_ctx *c, uint16_t cmd)
{
	uint32_t dt = nft_dest_type(c->s->key.af, c->p->with_port);
	struct nft_set_spec aff = {c->aff,
	                           NFT_SET_MAP | NFT_SET_TIMEOUT | NFT_SET_EVAL,
	                           nft_addr_type(c->s->key.af),
	                           c->al,
	                           dt,
	                           c->dl,
	                           0,
	                           NFT_AFF_SIZE};
	struct nft_set_spec live = {c->live, 0, dt, c->dl};

	nft_put_set(b, cmd, &aff);
	nft_put_set(b, cmd, &live);
}

static void idx_set(struct nft_batch *b, const struct svc_ctx *c, uint16_t cmd)
{
	uint32_t dt = nft_dest_type(c->s->key.af, c->p->with_port);
	struct nft_set_spec idx = {c->idx, NFT_SET_MAP | NFT_SET_INTERVAL, T_INTEGER, 4, dt, c->dl};

	nft_put_set(b, cmd, &idx);
}

/* Counters of one destination (NEWOBJ/DELOBJ) and the elements naming
 * them (NEWSETELEM/DELSETELEM; elements go before the objects they name
 * are deleted).  fwmark services have no in/out counters: the forward
 * chain finds a service by the connection's address and port, which a
 * fwmark service does not have (nor can the reply packets carry its
 * mark), so their in/out stats read 0. */
static void dest_counters(struct nft_batch *b, const struct svc_ctx *c, const struct lvs_dest *d,
                          bool add)
{
	static const char *const sfx[] = {"conn", "in", "out"};
	const struct lvs_svc_key *k = &c->s->key;
	char name[3][NFT_NAME_MAX];
	uint8_t key[64];
	struct nftnl_set_elem *e;
	struct nft_elw w;
	size_t i, n = k->fwmark ? 1 : 3;

	for (i = 0; i < n; i++) {
		nft_counter_name(k, d, sfx[i], name[i], sizeof(name[i]));
		if (add)
			nft_put_counter(b, NFT_MSG_NEWOBJ, name[i]);
	}
	for (i = 0; i < n; i++) {
		nft_elw_init(&w, b, ctr_map(k, (enum ctr_kind)i),
		             add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
		e = nft_elw_new(&w);
		if (e) {
			uint32_t kl = k->fwmark ? fw_key(k, d, key) : rs_key(k, d, key);

			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, kl);
			if (add)
				nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_OBJREF, name[i]);
		}
		nft_elw_flush(&w);
	}
	for (i = 0; !add && i < n; i++)
		nft_put_counter(b, NFT_MSG_DELOBJ, name[i]);
}

/* One @idx element (of c's service): a range's start, naming its
 * destination when data (a deletion needs only the key), or its end.
 * The keys are big-endian so the kernel's byte order is the numeric
 * order. */
static void idx_elem(struct nft_elw *w, const struct svc_ctx *c, const struct nft_idx_elem *x,
                     bool data)
{
	struct nftnl_set_elem *e = nft_elw_new(w);
	uint32_t key = htonl(x->key);
	uint8_t d[32];

	if (!e)
		return;
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &key, 4);
	if (x->end)
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
	else if (data)
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, d,
		                   nft_dest_key(&c->s->dests[x->dest].d, c->p->with_port, d));
}

/* Interval maps take a start element and an end element (the first
 * number past the range) per range. */
static void idx_elems(struct nft_batch *b, const struct svc_ctx *c)
{
	struct nft_elw w;
	size_t i;

	nft_elw_init(&w, b, c->idx, NFT_MSG_NEWSETELEM);
	for (i = 0; i < c->p->n_ranges; i++) {
		const struct nft_range *r = &c->p->ranges[i];

		idx_elem(&w, c, &(struct nft_idx_elem){r->lo, false, r->dest}, true);
		idx_elem(&w, c, &(struct nft_idx_elem){r->hi + 1, true, 0}, false);
	}
	nft_elw_flush(&w);
}

/* o's @idx -> n's: only the elements that differ (nft_idx_diff). */
static void idx_change(struct nft_batch *b, const struct svc_ctx *o, const struct svc_ctx *n)
{
	struct nft_idx_diff d;
	struct nft_elw w;
	size_t i;

	if (nft_idx_diff(o->p, o->s, n->p, n->s, &d) < 0) {
		b->oom = true;
		return;
	}
	nft_elw_init(&w, b, n->idx, NFT_MSG_DELSETELEM);
	for (i = 0; i < d.n_del; i++)
		idx_elem(&w, o, &d.del[i], false);
	nft_elw_flush(&w);
	nft_elw_init(&w, b, n->idx, NFT_MSG_NEWSETELEM);
	for (i = 0; i < d.n_add; i++)
		idx_elem(&w, n, &d.add[i], true);
	nft_elw_flush(&w);
	nft_idx_diff_free(&d);
}

static void live_elems(struct nft_batch *b, const struct svc_ctx *c)
{
	struct nftnl_set_elem *e;
	uint8_t key[32];
	struct nft_elw w;
	size_t i;

	nft_elw_init(&w, b, c->live, NFT_MSG_NEWSETELEM);
	for (i = 0; i < c->s->n_dests; i++) {
		if (c->s->dests[i].d.weight <= 0)
			continue;
		e = nft_elw_new(&w);
		if (!e)
			break;
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key,
		                   nft_dest_key(&c->s->dests[i].d, c->p->with_port, key));
	}
	nft_elw_flush(&w);
}

/* @live of o -> of n (persistent): the destinations that left it
 * (!add) or joined it (add); o not persistent has none. */
struct live_ctx {
	struct nft_elw w;
	const struct svc_ctx *o, *n;
	bool add;
};

static void live_one(size_t io, size_t in, void *arg)
{
	struct live_ctx *l = arg;
	bool lo = io != SIZE_MAX && l->o->p->persist && l->o->s->dests[io].d.weight > 0;
	bool ln = in != SIZE_MAX && l->n->s->dests[in].d.weight > 0;
	const struct svc_ctx *c = l->add ? l->n : l->o;
	struct nftnl_set_elem *e;
	uint8_t key[32];

	if (lo == ln || ln != l->add)
		return;
	e = nft_elw_new(&l->w);
	if (e)
		nftnl_set_elem_set(
		    e, NFTNL_SET_ELEM_KEY, key,
		    nft_dest_key(&c->s->dests[l->add ? in : io].d, c->p->with_port, key));
}

static void live_delta(struct nft_batch *b, const struct svc_ctx *o, const struct svc_ctx *n,
                       bool add)
{
	struct live_ctx l = {.o = o, .n = n, .add = add};

	nft_elw_init(&l.w, b, n->live, add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
	if (nft_dests_join(o->s, n->s, live_one, &l) < 0)
		b->oom = true;
	nft_elw_flush(&l.w);
}

/* key -> jump chain in map (svc4/6/mark or post4/6/mark). */
static void jump_elem(struct nft_batch *b, const struct svc_ctx *c, const char *map,
                      const char *chain, bool add)
{
	struct nftnl_set_elem *e;
	uint8_t key[32];
	struct nft_elw w;

	nft_elw_init(&w, b, map, add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
	e = nft_elw_new(&w);
	if (e) {
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, nft_svc_key(&c->s->key, key));
		if (add) {
			nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, (uint32_t)NFT_JUMP);
			nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, chain);
		}
	}
	nft_elw_flush(&w);
}

/* The persistence key: the source address masked by the netmask, in
 * R(8).. (a v4 netmask is in network order, a v6 one a prefix length). */
static void persist_key(struct nft_rb *rb, const struct svc_ctx *c)
{
	uint8_t mask[16];
	uint32_t plen = c->p->netmask, i;
	bool v6 = c->s->key.af == AF_INET6;

	if (v6) {
		if (plen == 0 || plen > 128)
			plen = 128;
		memset(mask, 0, sizeof(mask));
		for (i = 0; i < plen; i++)
			mask[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	} else {
		memcpy(mask, &c->p->netmask, 4);
		if (!c->p->netmask)
			memset(mask, 0xff, 4);
	}
	nft_e_payload(rb, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, c->al, R(8));
	nft_e_bitwise(rb, R(8), mask, c->al);
}

/* Translate to the destination in R(0).. */
static void dnat(struct nft_rb *rb, const struct svc_ctx *c)
{
	struct nftnl_expr *e = nft_ex(rb, "nat");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY,
	                   c->s->key.af == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, R(0));
	if (c->p->with_port)
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, R(c->al / 4));
}

/* Rule 1: a client with an affinity goes where it went before.  The post
 * chain refreshes it on each new connection while that destination is
 * live; a destination leaving purges its affinities (nft_batch_aff_purge)
 * so a removed or weight-0 server breaks them, as expire_quiescent_template
 * does. */
static void rule_persist(struct nft_batch *b, const struct svc_ctx *c)
{
	struct nft_rb rb = nft_rule_begin(b, c->chain);

	persist_key(&rb, c);
	nft_e_lookup(&rb, c->aff, R(8), R(0));
	dnat(&rb, c);
	nft_rule_end(b, &rb);
}

/* Rule 2: schedule. */
static void rule_schedule(struct nft_batch *b, const struct svc_ctx *c)
{
	struct nft_rb rb = nft_rule_begin(b, c->chain);

	nft_e_choose(&rb, c->p, c->s->key.af);
	nft_e_lookup(&rb, c->idx, R(13), R(0));
	dnat(&rb, c);
	nft_rule_end(b, &rb);
}

/* The post chain of a persistent service (first packet, after NAT): the
 * destination conntrack chose, if still live, becomes or stays the
 * client's affinity for timeout seconds more. */
static void rule_post(struct nft_batch *b, const struct svc_ctx *c)
{
	struct nft_rb rb = nft_rule_begin(b, c->post);
	bool v6 = c->s->key.af == AF_INET6;

	nft_e_ct(&rb, v6 ? NFT_CT_SRC_IP6 : NFT_CT_SRC_IP, CT_DIR_REPLY, R(0));
	if (c->p->with_port)
		nft_e_ct(&rb, NFT_CT_PROTO_SRC, CT_DIR_REPLY, R(c->al / 4));
	nft_e_lookup(&rb, c->live, R(0), -1);
	persist_key(&rb, c);
	nft_e_dynset(&rb, NFT_DYNSET_OP_UPDATE, c->aff, c->p->timeout_s);
	nft_rule_end(b, &rb);
}

/* The service chain's rules (chain) and the post chain's (post). */
static void svc_rules(struct nft_batch *b, const struct svc_ctx *c, bool chain, bool post)
{
	struct nft_rb rb;

	if (c->p->persist) {
		if (chain)
			rule_persist(b, c);
		if (post)
			rule_post(b, c);
	}
	if (!chain)
		return;
	if (c->p->modulus)
		rule_schedule(b, c);
	/* Rule 3: no destination available. */
	rb = nft_rule_begin(b, c->chain);
	nft_e_verdict(&rb, NF_DROP, NULL);
	nft_rule_end(b, &rb);
}

/* ---- the service transactions ---- */

static void persist_add(struct nft_batch *b, const struct svc_ctx *c)
{
	nft_put_chain(b, NFT_MSG_NEWCHAIN, c->post, -1, 0, NULL);
	persist_sets(b, c, NFT_MSG_NEWSET);
}

/* After the rules that bind them are gone (chain deleted or flushed). */
static void persist_del(struct nft_batch *b, const struct svc_ctx *c)
{
	jump_elem(b, c, post_map(&c->s->key), c->post, false);
	nft_put_chain(b, NFT_MSG_DELCHAIN, c->post, -1, 0, NULL);
	persist_sets(b, c, NFT_MSG_DELSET);
}

static void svc_add(struct nft_batch *b, const struct svc_ctx *c)
{
	size_t i;

	nft_put_chain(b, NFT_MSG_NEWCHAIN, c->chain, -1, 0, NULL);
	idx_set(b, c, NFT_MSG_NEWSET);
	if (c->p->persist)
		persist_add(b, c);
	for (i = 0; i < c->s->n_dests; i++)
		dest_counters(b, c, &c->s->dests[i].d, true);
	idx_elems(b, c);
	if (c->p->persist)
		live_elems(b, c);
	svc_rules(b, c, true, true);
	jump_elem(b, c, dispatch_map(&c->s->key), c->chain, true);
	if (c->p->persist)
		jump_elem(b, c, post_map(&c->s->key), c->post, true);
}

/* Order matters: the elements jumping to a chain and the rules binding
 * the sets go before the chain and sets; elements naming a counter go
 * before the counter. */
static void svc_del(struct nft_batch *b, const struct svc_ctx *c)
{
	size_t i;

	jump_elem(b, c, dispatch_map(&c->s->key), c->chain, false);
	nft_put_chain(b, NFT_MSG_DELCHAIN, c->chain, -1, 0, NULL);
	if (c->p->persist)
		persist_del(b, c);
	idx_set(b, c, NFT_MSG_DELSET);
	for (i = 0; i < c->s->n_dests; i++)
		dest_counters(b, c, &c->s->dests[i].d, false);
}

void nft_batch_svc_add(struct nft_batch *b, const struct lvs_tsvc *s, const struct nft_svc_plan *p)
{
	struct svc_ctx c;

	if (ctx_init(b, &c, s, p) < 0)
		return;
	svc_add(b, &c);
	ctx_free(&c);
}

void nft_batch_svc_del(struct nft_batch *b, const struct lvs_tsvc *s)
{
	struct svc_ctx c;

	if (ctx_init(b, &c, s, NULL) < 0)
		return;
	svc_del(b, &c);
	ctx_free(&c);
}

struct delta_ctx {
	struct nft_batch *b;
	const struct svc_ctx *c;
	bool add;
};

static bool delta_one(size_t i, void *arg)
{
	struct delta_ctx *d = arg;

	dest_counters(d->b, d->c, &d->c->s->dests[i].d, d->add);
	return true;
}

/* Counters of the destinations in `from` that `other` lacks. */
static void counters_delta(struct nft_batch *b, const struct svc_ctx *from,
                           const struct svc_ctx *other, bool add)
{
	struct delta_ctx d = {b, from, add};

	if (nft_dests_delta(from->s, other->s, delta_one, &d) < 0)
		b->oom = true;
}

/* Only what differs: the chain's few rules when they change (another
 * modulus, say), the @idx elements of the ranges that moved, @live's
 * elements of the destinations that joined or left it, the counters of
 * added and removed destinations.  @aff survives unless its key
 * (the netmask) changed. */
static void update_in_place(struct nft_batch *b, const struct svc_ctx *o, const struct svc_ctx *n)
{
	bool rules = !nft_plan_rules_equal(o->p, n->p);
	bool both = o->p->persist && n->p->persist;
	bool post = both && (o->p->timeout_s != n->p->timeout_s || o->p->netmask != n->p->netmask);

	if (rules)
		nft_flush_chain(b, n->chain);
	counters_delta(b, o, n, false);
	if (o->p->persist && !n->p->persist) {
		persist_del(b, o);
	} else if (!o->p->persist && n->p->persist) {
		persist_add(b, n);
		jump_elem(b, n, post_map(&n->s->key), n->post, true);
	} else if (both) {
		if (post)
			nft_flush_chain(b, n->post);
		live_delta(b, o, n, false);
		if (o->p->netmask != n->p->netmask)
			nft_flush_set(b, n->aff);
	}
	idx_change(b, o, n);
	counters_delta(b, n, o, true);
	if (n->p->persist)
		live_delta(b, o, n, true);
	svc_rules(b, n, rules, n->p->persist && (post || !o->p->persist));
}

void nft_batch_svc_update(struct nft_batch *b, const struct lvs_tsvc *old,
                          const struct nft_svc_plan *op, const struct lvs_tsvc *now,
                          const struct nft_svc_plan *np)
{
	struct svc_ctx o, n;

	if (ctx_init(b, &o, old, op) < 0)
		return;
	if (ctx_init(b, &n, now, np) < 0) {
		ctx_free(&o);
		return;
	}
	/* The type of the destination keys changed: every set is new. */
	if (o.p->with_port != n.p->with_port) {
		svc_del(b, &o);
		svc_add(b, &n);
	} else {
		update_in_place(b, &o, &n);
	}
	ctx_free(&o);
	ctx_free(&n);
}

void nft_batch_aff_purge(struct nft_batch *b, const struct lvs_tsvc *s, const uint8_t *keys,
                         size_t klen, size_t n, bool destroy)
{
	struct nftnl_set_elem *e;
	char aff[NFT_NAME_MAX];
	struct nft_elw w;
	size_t i;

	nft_set_name(&s->key, "aff", aff, sizeof(aff));
	if (!destroy) {
		nft_flush_set(b, aff);
		return;
	}
	nft_elw_init(&w, b, aff, NFT_MSG_DESTROYSETELEM);
	for (i = 0; i < n; i++) {
		e = nft_elw_new(&w);
		if (!e)
			break;
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, keys + i * klen, (uint32_t)klen);
	}
	nft_elw_flush(&w);
}

void nft_batch_replace(struct nft_batch *b, const struct lvs_table *t)
{
	size_t i;

	/* Adding first makes the delete succeed whether or not the table
	 * exists; the kernel applies the three as one. */
	nft_put_table(b, NFT_MSG_NEWTABLE);
	nft_put_table(b, NFT_MSG_DELTABLE);
	nft_put_table(b, NFT_MSG_NEWTABLE);
	base_objects(b);
	for (i = 0; i < t->n_svcs; i++)
		nft_batch_svc_add(b, &t->svcs[i], NULL);
}
