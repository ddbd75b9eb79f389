/* The direct-routing objects of the nftables LVS data plane: the netdev
 * table (nft_batch.h has the layout and why it is so). */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <linux/if_ether.h>
#include <linux/ip_vs.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <string.h>

#include "lvs/nft_int.h"

/* What every function below needs to know about a DR service. */
struct dr_ctx {
	const struct lvs_tsvc *s;
	const struct nft_svc_plan *p; /* given, or own */
	struct nft_svc_plan own;
	char chain[NFT_NAME_MAX], flows[NFT_NAME_MAX], idx[NFT_NAME_MAX], to[NFT_NAME_MAX];
	uint32_t al;        /* address length */
	uint32_t kl;        /* flow key length */
	uint32_t timeout_s; /* of a flow */
	unsigned ifindex;
};

/* p NULL: the fresh layout of s. */
static int ctx_init(struct nft_batch *b, struct dr_ctx *c, const struct lvs_tsvc *s,
                    const struct nft_svc_plan *p, unsigned ifindex)
{
	const struct lvs_svc_key *k = &s->key;

	c->s = s;
	c->ifindex = ifindex;
	memset(&c->own, 0, sizeof(c->own));
	if (!p && nft_svc_compile(s, &c->own) < 0) {
		b->oom = true;
		return -1;
	}
	c->p = p ? p : &c->own;
	nft_chain_name(k, c->chain, sizeof(c->chain));
	nft_set_name(k, "flows", c->flows, sizeof(c->flows));
	nft_set_name(k, "idx", c->idx, sizeof(c->idx));
	nft_set_name(k, "to", c->to, sizeof(c->to));
	c->al = nft_alen(k->af);
	/* Persistence remembers the client (masked address), otherwise the
	 * connection (address . port). */
	c->kl = c->p->persist ? c->al : c->al + 4;
	c->timeout_s = c->p->persist ? c->p->timeout_s : NFT_DR_FLOW_TIMEOUT;
	return 0;
}

static void ctx_free(struct dr_ctx *c)
{
	nft_svc_plan_free(&c->own);
}

/* Messages of this file go to the netdev table; callers' family back
 * after. */
static uint16_t enter(struct nft_batch *b)
{
	uint16_t f = b->family;

	b->family = NFPROTO_NETDEV;
	return f;
}

/* "<chain>__<addr>_<port>_<sfx>": the real server's chains (new, fwd)
 * and counters (conn, in). */
static const char *dest_name(const struct dr_ctx *c, const struct lvs_dest *d, const char *sfx,
                             char *buf, size_t len)
{
	return nft_counter_name(&c->s->key, d, sfx, buf, len);
}

/* ---- base objects ---- */

static void dispatch_map(struct nft_batch *b, uint16_t af, const char *name)
{
	uint32_t at = nft_addr_type(af);
	struct nft_set_spec sp = {.name = name,
	                          .flags = NFT_SET_MAP,
	                          .key_type = CONCAT(CONCAT(at, T_PROTO), T_SERVICE),
	                          .key_len = nft_alen(af) + 8,
	                          .data_type = NFT_DATA_VERDICT};

	nft_put_set(b, NFT_MSG_NEWSET, &sp);
}

void nft_batch_dr_replace(struct nft_batch *b)
{
	uint16_t f = enter(b);

	nft_put_table(b, NFT_MSG_NEWTABLE);
	nft_put_table(b, NFT_MSG_DELTABLE);
	nft_put_table(b, NFT_MSG_NEWTABLE);
	dispatch_map(b, AF_INET, "svc4");
	dispatch_map(b, AF_INET6, "svc6");
	b->family = f;
}

void nft_batch_dr_table_del(struct nft_batch *b)
{
	uint16_t f = enter(b);

	nft_put_table(b, NFT_MSG_NEWTABLE);
	nft_put_table(b, NFT_MSG_DELTABLE);
	b->family = f;
}

/* ip daddr . meta l4proto . th dport vmap @svc4 (ip6: @svc6). */
static void hook_rule(struct nft_batch *b, const char *chain, bool v6)
{
	uint16_t proto = htons(v6 ? ETH_P_IPV6 : ETH_P_IP);
	struct nft_rb rb = nft_rule_begin(b, chain);

	nft_e_meta(&rb, NFT_META_PROTOCOL, R(0));
	nft_e_cmp(&rb, NFT_CMP_EQ, R(0), &proto, 2);
	nft_e_payload(&rb, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 24 : 16, v6 ? 16 : 4, R(0));
	nft_e_meta(&rb, NFT_META_L4PROTO, R(v6 ? 4 : 1));
	nft_e_payload(&rb, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, R(v6 ? 5 : 2));
	nft_e_lookup(&rb, v6 ? "svc6" : "svc4", R(0), NFT_REG_VERDICT);
	nft_rule_end(b, &rb);
}

void nft_batch_dr_hook(struct nft_batch *b, const char *ifname, bool add)
{
	struct nftnl_chain *ch = nftnl_chain_alloc();
	uint16_t f = enter(b);
	struct nlmsghdr *nlh;
	char name[NFT_NAME_MAX];

	if (!ch) {
		b->oom = true;
		b->family = f;
		return;
	}
	snprintf(name, sizeof(name), "in_%s", ifname);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, NFT_TABLE_NAME);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, name);
	if (add) {
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_HOOKNUM, NF_NETDEV_INGRESS);
		nftnl_chain_set_s32(ch, NFTNL_CHAIN_PRIO, 0);
		nftnl_chain_set_str(ch, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_POLICY, NF_ACCEPT);
		nftnl_chain_set_str(ch, NFTNL_CHAIN_DEV, ifname);
	}
	nlh = nft_msg_start(b, add ? NFT_MSG_NEWCHAIN : NFT_MSG_DELCHAIN, add ? NLM_F_CREATE : 0);
	if (nlh) {
		nftnl_chain_nlmsg_build_payload(nlh, ch);
		nft_msg_done(b, nlh);
	}
	nftnl_chain_free(ch);
	if (add) {
		hook_rule(b, name, false);
		hook_rule(b, name, true);
	}
	b->family = f;
}

/* ---- one service: sets ---- */

static void sets(struct nft_batch *b, const struct dr_ctx *c, uint16_t cmd, bool flows)
{
	uint32_t at = nft_addr_type(c->s->key.af);
	struct nft_set_spec fl = {.name = c->flows,
	                          .flags = NFT_SET_MAP | NFT_SET_TIMEOUT | NFT_SET_EVAL,
	                          .key_type = c->p->persist ? at : CONCAT(at, T_SERVICE),
	                          .key_len = c->kl,
	                          .data_type = T_MARK,
	                          .data_len = 4,
	                          .size = NFT_DR_FLOWS_SIZE};
	struct nft_set_spec idx = {.name = c->idx,
	                           .flags = NFT_SET_MAP | NFT_SET_INTERVAL,
	                           .key_type = T_INTEGER,
	                           .key_len = 4,
	                           .data_type = NFT_DATA_VERDICT};
	struct nft_set_spec to = {.name = c->to,
	                          .flags = NFT_SET_MAP,
	                          .key_type = T_MARK,
	                          .key_len = 4,
	                          .data_type = NFT_DATA_VERDICT};

	if (flows)
		nft_put_set(b, cmd, &fl);
	nft_put_set(b, cmd, &idx);
	nft_put_set(b, cmd, &to);
}

/* A verdict element: key -> goto chain. */
static void goto_elem(struct nft_elw *w, const void *key, uint32_t kl, const char *chain)
{
	struct nftnl_set_elem *e = nft_elw_new(w);

	if (!e)
		return;
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, kl);
	nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, (uint32_t)NFT_GOTO);
	nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, chain);
}

/* One @idx element (of c's service): a range's start, going to its real
 * server's _new chain when data (a deletion needs only the key), or its
 * end. */
static void idx_elem(struct nft_elw *w, const struct dr_ctx *c, const struct nft_idx_elem *x,
                     bool data)
{
	char name[NFT_NAME_MAX];
	struct nftnl_set_elem *e;
	uint32_t key = htonl(x->key);

	if (!x->end && data) {
		dest_name(c, &c->s->dests[x->dest].d, "new", name, sizeof(name));
		goto_elem(w, &key, 4, name);
		return;
	}
	e = nft_elw_new(w);
	if (!e)
		return;
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &key, 4);
	if (x->end)
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
}

/* @idx: the scheduler's ranges of numbers -> the real server's _new. */
static void idx_elems(struct nft_batch *b, const struct dr_ctx *c)
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

/* The @idx elements that differ between o and n (nft_idx_diff): the
 * deletions (before the chains they name go), or the additions (after
 * the chains they name exist). */
static void idx_change(struct nft_batch *b, const struct dr_ctx *o, const struct dr_ctx *n,
                       const struct nft_idx_diff *d, bool add)
{
	struct nft_elw w;
	size_t i;

	nft_elw_init(&w, b, n->idx, add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
	for (i = 0; i < (add ? d->n_add : d->n_del); i++)
		idx_elem(&w, add ? n : o, add ? &d->add[i] : &d->del[i], add);
	nft_elw_flush(&w);
}

/* Whether a flow remembering d still goes to d: always without
 * persistence (weight 0 lets established connections finish, as IPVS
 * does); with it, only while d is live, so a quiesced server gets no new
 * connection from a remembered client either. */
static bool to_member(const struct dr_ctx *c, const struct lvs_dest *d)
{
	return !c->p->persist || d->weight > 0;
}

static void to_elems(struct nft_batch *b, const struct dr_ctx *c)
{
	char name[NFT_NAME_MAX];
	struct nft_elw w;
	uint32_t key;
	size_t i;

	nft_elw_init(&w, b, c->to, NFT_MSG_NEWSETELEM);
	for (i = 0; i < c->s->n_dests; i++) {
		const struct lvs_dest *d = &c->s->dests[i].d;

		if (!to_member(c, d))
			continue;
		key = nft_dr_index(d);
		dest_name(c, d, "fwd", name, sizeof(name));
		goto_elem(&w, &key, 4, name);
	}
	nft_elw_flush(&w);
}

/* @to of o -> of n: the real servers that left it (!add) or joined it
 * (add). */
struct to_ctx {
	struct nft_elw w;
	const struct dr_ctx *o, *n;
	bool add;
};

static void to_one(size_t io, size_t in, void *arg)
{
	struct to_ctx *t = arg;
	bool mo = io != SIZE_MAX && to_member(t->o, &t->o->s->dests[io].d);
	bool mn = in != SIZE_MAX && to_member(t->n, &t->n->s->dests[in].d);
	const struct lvs_dest *d;
	struct nftnl_set_elem *e;
	char name[NFT_NAME_MAX];
	uint32_t key;

	if (mo == mn || mn != t->add)
		return;
	d = t->add ? &t->n->s->dests[in].d : &t->o->s->dests[io].d;
	key = nft_dr_index(d);
	if (t->add) {
		goto_elem(&t->w, &key, 4, dest_name(t->n, d, "fwd", name, sizeof(name)));
		return;
	}
	e = nft_elw_new(&t->w);
	if (e)
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &key, 4);
}

static void to_delta(struct nft_batch *b, const struct dr_ctx *o, const struct dr_ctx *n, bool add)
{
	struct to_ctx t = {.o = o, .n = n, .add = add};

	nft_elw_init(&t.w, b, n->to, add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
	if (nft_dests_join(o->s, n->s, to_one, &t) < 0)
		b->oom = true;
	nft_elw_flush(&t.w);
}

static void dispatch_elem(struct nft_batch *b, const struct dr_ctx *c, bool add)
{
	const char *map = c->s->key.af == AF_INET6 ? "svc6" : "svc4";
	struct nftnl_set_elem *e;
	uint8_t key[32];
	struct nft_elw w;

	nft_elw_init(&w, b, map, add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
	e = nft_elw_new(&w);
	if (e) {
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, nft_svc_key(&c->s->key, key));
		if (add) {
			nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, (uint32_t)NFT_JUMP);
			nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, c->chain);
		}
	}
	nft_elw_flush(&w);
}

/* ---- one service: rules ---- */

/* meta protocol ip|ip6: the chains below read the network header, and
 * with the match `nft list` can name the fields (ip saddr, not @nh). */
static void proto_match(struct nft_rb *rb, const struct dr_ctx *c)
{
	uint16_t proto = htons(c->s->key.af == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP);

	nft_e_meta(rb, NFT_META_PROTOCOL, R(0));
	nft_e_cmp(rb, NFT_CMP_EQ, R(0), &proto, 2);
}

/* The flow key in R(8)..: source address (masked by the persistence
 * netmask) [. source port]. */
static void flow_key(struct nft_rb *rb, const struct dr_ctx *c)
{
	bool v6 = c->s->key.af == AF_INET6;
	uint8_t mask[16];
	uint32_t plen = c->p->netmask, i;

	nft_e_payload(rb, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, c->al, R(8));
	if (!c->p->persist) {
		nft_e_payload(rb, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, R(8 + c->al / 4));
		return;
	}
	if (v6) {
		if (plen == 0 || plen > 128)
			plen = 128;
		memset(mask, 0, sizeof(mask));
		for (i = 0; i < plen; i++)
			mask[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	} else if (c->p->netmask) {
		memcpy(mask, &c->p->netmask, 4);
	} else {
		memset(mask, 0xff, 4);
	}
	if (memcmp(mask, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", c->al))
		nft_e_bitwise(rb, R(8), mask, c->al);
}

/* Rule 1, a known flow: its number via the mark (see nft_batch.h) to
 * @to, refreshing the flow's timeout on the way. */
static void rule_flow(struct nft_batch *b, const struct dr_ctx *c)
{
	struct nft_rb rb = nft_rule_begin(b, c->chain);

	proto_match(&rb, c);
	flow_key(&rb, c);
	nft_e_lookup(&rb, c->flows, R(8), R(0));
	nft_e_meta_set(&rb, NFT_META_MARK, R(0));
	flow_key(&rb, c);
	nft_e_meta(&rb, NFT_META_MARK, R(0));
	nft_e_dynset_regs(&rb, NFT_DYNSET_OP_UPDATE, c->flows, R(8), R(0), c->timeout_s);
	nft_e_meta(&rb, NFT_META_MARK, R(0));
	nft_e_lookup(&rb, c->to, R(0), NFT_REG_VERDICT);
	nft_rule_end(b, &rb);
}

/* Rule 0 (TCP, without persistence): a SYN opens a new connection even
 * when its address and port made one before (the flow is remembered for
 * a while after the end): forget that flow, so the scheduler decides, as
 * IPVS does with conn_reuse_mode.  (A retransmitted SYN may then go to
 * another server, which answers instead.) */
static void rule_syn(struct nft_batch *b, const struct dr_ctx *c)
{
	uint8_t tcp = IPPROTO_TCP, mask = 0x17 /* fin syn rst ack */, syn = 0x02;
	uint32_t zero = 0;
	struct nft_rb rb;

	if (c->s->key.protocol != IPPROTO_TCP || c->p->persist)
		return;
	rb = nft_rule_begin(b, c->chain);
	proto_match(&rb, c);
	nft_e_u8_eq(&rb, NFT_META_L4PROTO, tcp);
	nft_e_payload(&rb, NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1, R(1));
	nft_e_bitwise(&rb, R(1), &mask, 1);
	nft_e_cmp(&rb, NFT_CMP_EQ, R(1), &syn, 1);
	flow_key(&rb, c);
	/* A map's dynset wants a data register even to delete. */
	nft_e_imm(&rb, R(0), &zero, 4);
	nft_e_dynset_regs(&rb, NFT_DYNSET_OP_DELETE, c->flows, R(8), R(0), 0);
	nft_rule_end(b, &rb);
}

static void svc_rules(struct nft_batch *b, const struct dr_ctx *c)
{
	struct nft_rb rb;

	rule_syn(b, c);
	rule_flow(b, c);
	if (c->p->modulus) {
		/* Rule 2, a new flow: the scheduler's number. */
		rb = nft_rule_begin(b, c->chain);
		proto_match(&rb, c);
		nft_e_choose(&rb, c->p, c->s->key.af);
		nft_e_lookup(&rb, c->idx, R(13), NFT_REG_VERDICT);
		nft_rule_end(b, &rb);
	}
	/* Rule 3: no real server available. */
	rb = nft_rule_begin(b, c->chain);
	nft_e_verdict(&rb, NF_DROP, NULL);
	nft_rule_end(b, &rb);
}

/* <rs>_new: remember the flow (a full @flows only stops remembering),
 * count it, forward.  <rs>_fwd: count, forward to the server's MAC; drop
 * when fwd cannot (the interface went away): the director holds the VIP
 * and would answer itself otherwise. */
static void dest_rules(struct nft_batch *b, const struct dr_ctx *c, const struct lvs_dest *d)
{
	char fwd[NFT_NAME_MAX], neu[NFT_NAME_MAX], ctr[NFT_NAME_MAX];
	uint32_t ix = nft_dr_index(d), dev = c->ifindex;
	struct nftnl_expr *e;
	struct nft_rb rb;

	dest_name(c, d, "fwd", fwd, sizeof(fwd));
	dest_name(c, d, "new", neu, sizeof(neu));
	rb = nft_rule_begin(b, fwd);
	nft_e_objref_counter(&rb, dest_name(c, d, "in", ctr, sizeof(ctr)));
	nft_e_imm(&rb, R(0), &d->addr.u, c->al);
	nft_e_imm(&rb, R(4), &dev, 4);
	e = nft_ex(&rb, "fwd");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_FWD_SREG_DEV, R(4));
		nftnl_expr_set_u32(e, NFTNL_EXPR_FWD_SREG_ADDR, R(0));
		nftnl_expr_set_u32(e, NFTNL_EXPR_FWD_NFPROTO,
		                   c->s->key.af == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	}
	nft_rule_end(b, &rb);
	rb = nft_rule_begin(b, fwd);
	nft_e_verdict(&rb, NF_DROP, NULL);
	nft_rule_end(b, &rb);
	rb = nft_rule_begin(b, neu);
	proto_match(&rb, c);
	flow_key(&rb, c);
	nft_e_imm(&rb, R(0), &ix, 4);
	nft_e_dynset_regs(&rb, NFT_DYNSET_OP_ADD, c->flows, R(8), R(0), c->timeout_s);
	nft_rule_end(b, &rb);
	rb = nft_rule_begin(b, neu);
	nft_e_objref_counter(&rb, dest_name(c, d, "conn", ctr, sizeof(ctr)));
	nft_e_verdict(&rb, NFT_GOTO, fwd);
	nft_rule_end(b, &rb);
}

/* The objects of one real server (its chains go after the sets their
 * rules name, and before the elements naming them). */
static void dest_add(struct nft_batch *b, const struct dr_ctx *c, const struct lvs_dest *d)
{
	char name[NFT_NAME_MAX];

	nft_put_counter(b, NFT_MSG_NEWOBJ, dest_name(c, d, "conn", name, sizeof(name)));
	nft_put_counter(b, NFT_MSG_NEWOBJ, dest_name(c, d, "in", name, sizeof(name)));
	nft_put_chain(b, NFT_MSG_NEWCHAIN, dest_name(c, d, "fwd", name, sizeof(name)), -1, 0, NULL);
	nft_put_chain(b, NFT_MSG_NEWCHAIN, dest_name(c, d, "new", name, sizeof(name)), -1, 0, NULL);
	dest_rules(b, c, d);
}

/* After every element and rule naming them is gone. */
static void dest_del(struct nft_batch *b, const struct dr_ctx *c, const struct lvs_dest *d)
{
	char name[NFT_NAME_MAX];

	nft_put_chain(b, NFT_MSG_DELCHAIN, dest_name(c, d, "new", name, sizeof(name)), -1, 0, NULL);
	nft_put_chain(b, NFT_MSG_DELCHAIN, dest_name(c, d, "fwd", name, sizeof(name)), -1, 0, NULL);
	nft_put_counter(b, NFT_MSG_DELOBJ, dest_name(c, d, "conn", name, sizeof(name)));
	nft_put_counter(b, NFT_MSG_DELOBJ, dest_name(c, d, "in", name, sizeof(name)));
}

/* ---- the service transactions ---- */

static void svc_add(struct nft_batch *b, const struct dr_ctx *c)
{
	size_t i;

	nft_put_chain(b, NFT_MSG_NEWCHAIN, c->chain, -1, 0, NULL);
	sets(b, c, NFT_MSG_NEWSET, true);
	for (i = 0; i < c->s->n_dests; i++)
		dest_add(b, c, &c->s->dests[i].d);
	idx_elems(b, c);
	to_elems(b, c);
	svc_rules(b, c);
	dispatch_elem(b, c, true);
}

static void svc_del(struct nft_batch *b, const struct dr_ctx *c)
{
	size_t i;

	dispatch_elem(b, c, false);
	nft_put_chain(b, NFT_MSG_DELCHAIN, c->chain, -1, 0, NULL);
	nft_flush_set(b, c->idx);
	nft_flush_set(b, c->to);
	sets(b, c, NFT_MSG_DELSET, false);
	for (i = 0; i < c->s->n_dests; i++)
		dest_del(b, c, &c->s->dests[i].d);
	nft_put_set(b, NFT_MSG_DELSET, &(struct nft_set_spec){.name = c->flows});
}

void nft_batch_dr_svc_add(struct nft_batch *b, const struct lvs_tsvc *s,
                          const struct nft_svc_plan *p, unsigned ifindex)
{
	uint16_t f = enter(b);
	struct dr_ctx c;

	if (ctx_init(b, &c, s, p, ifindex) == 0) {
		svc_add(b, &c);
		ctx_free(&c);
	}
	b->family = f;
}

void nft_batch_dr_svc_del(struct nft_batch *b, const struct lvs_tsvc *s)
{
	uint16_t f = enter(b);
	struct dr_ctx c;

	if (ctx_init(b, &c, s, NULL, 0) == 0) {
		svc_del(b, &c);
		ctx_free(&c);
	}
	b->family = f;
}

bool nft_dr_updatable(const struct lvs_tsvc *old, const struct lvs_tsvc *now)
{
	bool po = old->attr.flags & IP_VS_SVC_F_PERSISTENT,
	     pn = now->attr.flags & IP_VS_SVC_F_PERSISTENT;

	/* The flows' key and the timeout written by every _new chain. */
	return po == pn && (!pn || (old->attr.netmask == now->attr.netmask &&
	                            old->attr.timeout_s == now->attr.timeout_s));
}

struct delta_ctx {
	struct nft_batch *b;
	const struct dr_ctx *c;
	bool add;
};

static bool delta_one(size_t i, void *arg)
{
	struct delta_ctx *d = arg;

	if (d->add)
		dest_add(d->b, d->c, &d->c->s->dests[i].d);
	else
		dest_del(d->b, d->c, &d->c->s->dests[i].d);
	return true;
}

/* The real servers in `from` that `other` lacks. */
static void dests_delta(struct nft_batch *b, const struct dr_ctx *from, const struct dr_ctx *other,
                        bool add)
{
	struct delta_ctx d = {b, from, add};

	if (nft_dests_delta(from->s, other->s, delta_one, &d) < 0)
		b->oom = true;
}

/* Only what differs (as nft_batch_svc_update): references go before
 * what they name (@idx and @to elements before the real server chains
 * they jump to), and after it on the way in. */
static void update(struct nft_batch *b, const struct dr_ctx *o, const struct dr_ctx *n)
{
	bool rules = !nft_plan_rules_equal(o->p, n->p);
	struct nft_idx_diff d;

	if (nft_idx_diff(o->p, o->s, n->p, n->s, &d) < 0) {
		b->oom = true;
		return;
	}
	if (rules)
		nft_flush_chain(b, n->chain);
	idx_change(b, o, n, &d, false);
	to_delta(b, o, n, false);
	dests_delta(b, o, n, false);
	dests_delta(b, n, o, true);
	idx_change(b, o, n, &d, true);
	to_delta(b, o, n, true);
	if (rules)
		svc_rules(b, n);
	nft_idx_diff_free(&d);
}

void nft_batch_dr_svc_update(struct nft_batch *b, const struct lvs_tsvc *old,
                             const struct nft_svc_plan *op, const struct lvs_tsvc *now,
                             const struct nft_svc_plan *np, unsigned ifindex)
{
	uint16_t f = enter(b);
	struct dr_ctx o, n;

	if (ctx_init(b, &o, old, op, ifindex) < 0) {
		b->family = f;
		return;
	}
	if (ctx_init(b, &n, now, np, ifindex) == 0) {
		update(b, &o, &n);
		ctx_free(&n);
	}
	ctx_free(&o);
	b->family = f;
}

void nft_batch_dr_flows_purge(struct nft_batch *b, const struct lvs_tsvc *s, const uint8_t *keys,
                              size_t klen, size_t n, bool destroy)
{
	uint16_t f = enter(b);
	struct nftnl_set_elem *e;
	char flows[NFT_NAME_MAX];
	struct nft_elw w;
	size_t i;

	nft_set_name(&s->key, "flows", flows, sizeof(flows));
	if (!destroy) {
		nft_flush_set(b, flows);
		b->family = f;
		return;
	}
	nft_elw_init(&w, b, flows, NFT_MSG_DESTROYSETELEM);
	for (i = 0; i < n; i++) {
		e = nft_elw_new(&w);
		if (!e)
			break;
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, keys + i * klen, (uint32_t)klen);
	}
	nft_elw_flush(&w);
	b->family = f;
}
