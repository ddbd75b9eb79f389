/* Encoding of the nftables LVS transactions (nft_batch.h). */
#include "lvs/nft_batch.h"

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

#include "lvs/nft_rules.h"

/* Room made before each message: libnftnl writes without bounds, so
 * every message must fit in this (element lists are cut to ELEM_CHUNK). */
#define MSG_RESERVE (64 * 1024)
#define ELEM_CHUNK 128
#define R(n) (NFT_REG32_00 + (n))
/* enum ip_conntrack_dir is not in the uapi headers. */
#define CT_DIR_ORIGINAL 0
#define CT_DIR_REPLY 1
/* Kernels from 6.3 delete elements without failing on missing ones; the
 * uapi header here predates it. */
#ifndef NFT_MSG_DESTROYSETELEM
#define NFT_MSG_DESTROYSETELEM 30
#endif

/* nft's datatype numbers (for `nft list` only; the kernel ignores them). */
enum { T_INTEGER = 4, T_IPADDR = 7, T_IP6ADDR = 8, T_PROTO = 12, T_SERVICE = 13, T_MARK = 19 };
#define T_NFPROTO 2
#define CONCAT(a, b) (((a) << 6) | (b))

/* ---- the buffer ---- */

void nft_batch_init(struct nft_batch *b, uint32_t seq)
{
	memset(b, 0, sizeof(*b));
	b->seq = seq;
	b->first_seq = seq + 1;
	b->buf = malloc(MSG_RESERVE);
	b->cap = b->buf ? MSG_RESERVE : 0;
	b->oom = !b->buf;
	if (!b->oom)
		b->len = nftnl_batch_begin((char *)b->buf, b->seq++)->nlmsg_len;
}

void nft_batch_free(struct nft_batch *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

static char *reserve(struct nft_batch *b)
{
	if (b->oom)
		return NULL;
	if (b->cap - b->len < MSG_RESERVE) {
		size_t nc = b->cap * 2 + MSG_RESERVE;
		uint8_t *p = realloc(b->buf, nc);

		if (!p) {
			b->oom = true;
			return NULL;
		}
		b->buf = p;
		b->cap = nc;
	}
	return (char *)b->buf + b->len;
}

static struct nlmsghdr *msg_start(struct nft_batch *b, uint16_t cmd, uint16_t flags)
{
	char *p = reserve(b);

	if (!p)
		return NULL;
	return nftnl_nlmsg_build_hdr(p, cmd, NFPROTO_INET, flags | NLM_F_ACK, b->seq);
}

static void msg_done(struct nft_batch *b, struct nlmsghdr *nlh)
{
	b->len += nlh->nlmsg_len;
	b->seq++;
	b->n_msgs++;
}

int nft_batch_end(struct nft_batch *b)
{
	char *p = reserve(b);

	if (!p)
		return -1;
	b->len += nftnl_batch_end(p, b->seq++)->nlmsg_len;
	return 0;
}

/* ---- objects ---- */

static void put_table(struct nft_batch *b, uint16_t cmd)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t) {
		b->oom = true;
		return;
	}
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFT_TABLE_NAME);
	nlh = msg_start(b, cmd, cmd == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0);
	if (nlh) {
		nftnl_table_nlmsg_build_payload(nlh, t);
		msg_done(b, nlh);
	}
	nftnl_table_free(t);
}

/* hook < 0: a regular chain. */
static void put_chain(struct nft_batch *b, uint16_t cmd, const char *name, int hook, int prio,
                      const char *type)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c) {
		b->oom = true;
		return;
	}
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NFT_TABLE_NAME);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	if (hook >= 0) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	}
	nlh = msg_start(b, cmd, cmd == NFT_MSG_NEWCHAIN ? NLM_F_CREATE : 0);
	if (nlh) {
		nftnl_chain_nlmsg_build_payload(nlh, c);
		msg_done(b, nlh);
	}
	nftnl_chain_free(c);
}

/* Delete every rule of a chain (DELRULE without a handle). */
static void flush_chain(struct nft_batch *b, const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	if (!r) {
		b->oom = true;
		return;
	}
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE_NAME);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nlh = msg_start(b, NFT_MSG_DELRULE, 0);
	if (nlh) {
		nftnl_rule_nlmsg_build_payload(nlh, r);
		msg_done(b, nlh);
	}
	nftnl_rule_free(r);
}

struct set_spec {
	const char *name;
	uint32_t flags, key_type, key_len, data_type, data_len, obj_type, size;
};

static void put_set(struct nft_batch *b, uint16_t cmd, const struct set_spec *sp)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;

	if (!s) {
		b->oom = true;
		return;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE_NAME);
	nftnl_set_set_str(s, NFTNL_SET_NAME, sp->name);
	if (cmd == NFT_MSG_NEWSET) {
		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
		nftnl_set_set_u32(s, NFTNL_SET_FLAGS, sp->flags);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, sp->key_type);
		nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, sp->key_len);
		if (sp->flags & NFT_SET_MAP) {
			nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, sp->data_type);
			nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, sp->data_len);
		}
		if (sp->flags & NFT_SET_OBJECT)
			nftnl_set_set_u32(s, NFTNL_SET_OBJ_TYPE, sp->obj_type);
		if (sp->size)
			nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, sp->size);
		/* The kernel insists on an id naming the set within the batch. */
		nftnl_set_set_u32(s, NFTNL_SET_ID, ++b->set_id);
	}
	nlh = msg_start(b, cmd, cmd == NFT_MSG_NEWSET ? NLM_F_CREATE : 0);
	if (nlh) {
		nftnl_set_nlmsg_build_payload(nlh, s);
		msg_done(b, nlh);
	}
	nftnl_set_free(s);
}

static void put_counter(struct nft_batch *b, uint16_t cmd, const char *name)
{
	struct nftnl_obj *o = nftnl_obj_alloc();
	struct nlmsghdr *nlh;

	if (!o) {
		b->oom = true;
		return;
	}
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, NFT_TABLE_NAME);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, name);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	nlh = msg_start(b, cmd, cmd == NFT_MSG_NEWOBJ ? NLM_F_CREATE : 0);
	if (nlh) {
		nftnl_obj_nlmsg_build_payload(nlh, o);
		msg_done(b, nlh);
	}
	nftnl_obj_free(o);
}

/* ---- set elements, ELEM_CHUNK per message ---- */

struct elw {
	struct nft_batch *b;
	struct nftnl_set *s;
	const char *name;
	uint16_t cmd;
	unsigned n;
};

static void elw_flush(struct elw *w)
{
	struct nlmsghdr *nlh;

	if (w->s && w->n) {
		nlh = msg_start(w->b, w->cmd, w->cmd == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0);
		if (nlh) {
			nftnl_set_elems_nlmsg_build_payload(nlh, w->s);
			msg_done(w->b, nlh);
		}
	}
	if (w->s)
		nftnl_set_free(w->s);
	w->s = NULL;
	w->n = 0;
}

static struct nftnl_set_elem *elw_new(struct elw *w)
{
	struct nftnl_set_elem *e;

	if (w->n == ELEM_CHUNK)
		elw_flush(w);
	if (!w->s) {
		w->s = nftnl_set_alloc();
		if (!w->s) {
			w->b->oom = true;
			return NULL;
		}
		nftnl_set_set_str(w->s, NFTNL_SET_TABLE, NFT_TABLE_NAME);
		nftnl_set_set_str(w->s, NFTNL_SET_NAME, w->name);
	}
	e = nftnl_set_elem_alloc();
	if (!e) {
		w->b->oom = true;
		return NULL;
	}
	nftnl_set_elem_add(w->s, e);
	w->n++;
	return e;
}

static void elw_init(struct elw *w, struct nft_batch *b, const char *name, uint16_t cmd)
{
	*w = (struct elw){.b = b, .name = name, .cmd = cmd};
}

/* DELSETELEM without elements empties the set. */
static void flush_set(struct nft_batch *b, const char *name)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;

	if (!s) {
		b->oom = true;
		return;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE_NAME);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nlh = msg_start(b, NFT_MSG_DELSETELEM, 0);
	if (nlh) {
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		msg_done(b, nlh);
	}
	nftnl_set_free(s);
}

/* ---- keys, in register layout: every field starts on 4 bytes ---- */

static uint32_t alen(uint16_t af)
{
	return af == AF_INET6 ? 16 : 4;
}

static uint32_t addr_type(uint16_t af)
{
	return af == AF_INET6 ? T_IP6ADDR : T_IPADDR;
}

static uint32_t put_port(uint8_t *p, uint16_t port)
{
	memset(p, 0, 4);
	p[0] = (uint8_t)(port >> 8);
	p[1] = (uint8_t)port;
	return 4;
}

static uint32_t put_byte(uint8_t *p, uint8_t v)
{
	memset(p, 0, 4);
	p[0] = v;
	return 4;
}

/* The destination as the service chain holds it: addr [. port]. */
uint32_t nft_dest_key(const struct lvs_dest *d, bool with_port, uint8_t *p)
{
	uint32_t n = alen(d->af);

	memcpy(p, &d->addr.u, n);
	if (with_port)
		n += put_port(p + n, d->port);
	return n;
}

static uint32_t dest_type(uint16_t af, bool with_port)
{
	return with_port ? CONCAT(addr_type(af), T_SERVICE) : addr_type(af);
}

/* svc4/svc6: daddr . l4proto . dport; svcmark: mark . nfproto. */
static uint32_t svc_key(const struct lvs_svc_key *k, uint8_t *p)
{
	uint32_t n = alen(k->af);

	if (k->fwmark) {
		memcpy(p, &k->fwmark, 4); /* meta mark is in host order */
		return 4 + put_byte(p + 4, k->af == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	}
	memcpy(p, &k->addr.u, n);
	n += put_byte(p + n, (uint8_t)k->protocol);
	return n + put_port(p + n, k->port);
}

/* rsin/rsout: vip . proto . vport . rip . rport. */
static uint32_t rs_key(const struct lvs_svc_key *k, const struct lvs_dest *d, uint8_t *p)
{
	uint32_t n = svc_key(k, p);

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

/* ---- rule expressions ---- */

struct rb {
	struct nftnl_rule *r;
	bool oom;
};

static struct nftnl_expr *ex(struct rb *rb, const char *name)
{
	struct nftnl_expr *e;

	if (rb->oom || !rb->r)
		return NULL;
	e = nftnl_expr_alloc(name);
	if (!e) {
		rb->oom = true;
		return NULL;
	}
	nftnl_rule_add_expr(rb->r, e);
	return e;
}

static void e_meta(struct rb *rb, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = ex(rb, "meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	}
}

static void e_cmp(struct rb *rb, uint32_t op, uint32_t sreg, const void *data, uint32_t len)
{
	struct nftnl_expr *e = ex(rb, "cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
}

static void e_payload(struct rb *rb, uint32_t base, uint32_t off, uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *e = ex(rb, "payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
}

static void e_bitwise(struct rb *rb, uint32_t reg, const uint8_t *mask, uint32_t len)
{
	static const uint8_t zero[16];
	struct nftnl_expr *e = ex(rb, "bitwise");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, reg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, reg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
	}
}

/* dreg < 0: a set membership test. */
static void e_lookup(struct rb *rb, const char *set, uint32_t sreg, int dreg)
{
	struct nftnl_expr *e = ex(rb, "lookup");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
		if (dreg >= 0)
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, (uint32_t)dreg);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	}
}

static void e_ct(struct rb *rb, uint32_t key, int dir, uint32_t dreg)
{
	struct nftnl_expr *e = ex(rb, "ct");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
		if (dir >= 0)
			nftnl_expr_set_u8(e, NFTNL_EXPR_CT_DIR, (uint8_t)dir);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, dreg);
	}
}

static void e_objref_map(struct rb *rb, const char *set, uint32_t sreg)
{
	struct nftnl_expr *e = ex(rb, "objref");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_SET_SREG, sreg);
		nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_SET_NAME, set);
	}
}

static void e_dynset(struct rb *rb, uint32_t op, const char *set, uint32_t timeout_s)
{
	struct nftnl_expr *e = ex(rb, "dynset");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, R(8));
		/* A map's dynset needs a data register even to delete. */
		nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_DATA, R(0));
		nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, op);
		if (timeout_s)
			nftnl_expr_set_u64(e, NFTNL_EXPR_DYNSET_TIMEOUT,
			                   (uint64_t)timeout_s * 1000);
		nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, set);
	}
}

static void e_verdict(struct rb *rb, int verdict, const char *chain)
{
	struct nftnl_expr *e = ex(rb, "immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
		if (chain)
			nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
	}
}

static void e_u8_eq(struct rb *rb, uint32_t meta_key, uint8_t v)
{
	e_meta(rb, meta_key, R(0));
	e_cmp(rb, NFT_CMP_EQ, R(0), &v, 1);
}

static struct rb rule_begin(struct nft_batch *b, const char *chain)
{
	struct rb rb = {.r = nftnl_rule_alloc()};

	if (!rb.r) {
		b->oom = true;
		rb.oom = true;
		return rb;
	}
	nftnl_rule_set_str(rb.r, NFTNL_RULE_TABLE, NFT_TABLE_NAME);
	nftnl_rule_set_str(rb.r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(rb.r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	return rb;
}

static void rule_end(struct nft_batch *b, struct rb *rb)
{
	struct nlmsghdr *nlh;

	if (!rb->r)
		return;
	if (rb->oom) {
		b->oom = true;
	} else {
		nlh = msg_start(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
		if (nlh) {
			nftnl_rule_nlmsg_build_payload(nlh, rb->r);
			msg_done(b, nlh);
		}
	}
	nftnl_rule_free(rb->r);
	rb->r = NULL;
}

/* ---- base objects ---- */

static void dispatch_rules(struct nft_batch *b, const char *chain)
{
	uint32_t zero = 0;
	struct rb rb = rule_begin(b, chain);

	/* fwmark services first, as IPVS looks them up first. */
	e_meta(&rb, NFT_META_MARK, R(0));
	e_cmp(&rb, NFT_CMP_NEQ, R(0), &zero, 4);
	e_meta(&rb, NFT_META_NFPROTO, R(1));
	e_lookup(&rb, "svcmark", R(0), NFT_REG_VERDICT);
	rule_end(b, &rb);
	rb = rule_begin(b, chain);
	e_u8_eq(&rb, NFT_META_NFPROTO, NFPROTO_IPV4);
	e_payload(&rb, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, R(0));
	e_meta(&rb, NFT_META_L4PROTO, R(1));
	e_payload(&rb, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, R(2));
	e_lookup(&rb, "svc4", R(0), NFT_REG_VERDICT);
	rule_end(b, &rb);
	rb = rule_begin(b, chain);
	e_u8_eq(&rb, NFT_META_NFPROTO, NFPROTO_IPV6);
	e_payload(&rb, NFT_PAYLOAD_NETWORK_HEADER, 24, 16, R(0));
	e_meta(&rb, NFT_META_L4PROTO, R(4));
	e_payload(&rb, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, R(5));
	e_lookup(&rb, "svc6", R(0), NFT_REG_VERDICT);
	rule_end(b, &rb);
}

/* ct status has IPS_DST_NAT (and, with ct_state, ct state has it). */
static void match_nated(struct rb *rb, uint16_t af, uint32_t ct_state)
{
	uint32_t dnat = IPS_DST_NAT, zero = 0;

	e_u8_eq(rb, NFT_META_NFPROTO, af == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	if (ct_state) {
		e_ct(rb, NFT_CT_STATE, -1, R(0));
		e_bitwise(rb, R(0), (const uint8_t *)&ct_state, 4);
		e_cmp(rb, NFT_CMP_NEQ, R(0), &zero, 4);
	}
	e_ct(rb, NFT_CT_STATUS, -1, R(0));
	e_bitwise(rb, R(0), (const uint8_t *)&dnat, 4);
	e_cmp(rb, NFT_CMP_NEQ, R(0), &zero, 4);
}

/* vip . proto . vport [. rip . rport] of the connection, from conntrack,
 * in R(0)..: the same layout as svc_key/rs_key. */
static void load_conn(struct rb *rb, uint16_t af, bool with_rs)
{
	uint32_t n = alen(af) / 4;
	bool v6 = af == AF_INET6;

	e_ct(rb, v6 ? NFT_CT_DST_IP6 : NFT_CT_DST_IP, CT_DIR_ORIGINAL, R(0));
	e_ct(rb, NFT_CT_PROTOCOL, CT_DIR_ORIGINAL, R(n));
	e_ct(rb, NFT_CT_PROTO_DST, CT_DIR_ORIGINAL, R(n + 1));
	if (!with_rs)
		return;
	e_ct(rb, v6 ? NFT_CT_SRC_IP6 : NFT_CT_SRC_IP, CT_DIR_REPLY, R(n + 2));
	e_ct(rb, NFT_CT_PROTO_SRC, CT_DIR_REPLY, R(2 * n + 2));
}

static void mark_nonzero(struct rb *rb)
{
	uint32_t zero = 0;

	e_meta(rb, NFT_META_MARK, R(0));
	e_cmp(rb, NFT_CMP_NEQ, R(0), &zero, 4);
}

/* Packets of connections we translated, counted per (service, dest) in
 * the direction they travel: original = in, reply = out. */
static void inout_rule(struct nft_batch *b, uint16_t af, bool in)
{
	uint8_t dir = in ? CT_DIR_ORIGINAL : CT_DIR_REPLY;
	struct rb rb = rule_begin(b, "forward");
	struct lvs_svc_key k = {.af = af};

	match_nated(&rb, af, 0);
	e_ct(&rb, NFT_CT_DIRECTION, -1, R(0));
	e_cmp(&rb, NFT_CMP_EQ, R(0), &dir, 1);
	load_conn(&rb, af, true);
	e_objref_map(&rb, ctr_map(&k, in ? CTR_IN : CTR_OUT), R(0));
	rule_end(b, &rb);
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
	struct rb rb = rule_begin(b, chain);

	match_nated(&rb, af, st_new);
	load_conn(&rb, af, true);
	e_objref_map(&rb, ctr_map(&k, CTR_CONN), R(0));
	rule_end(b, &rb);
	rb = rule_begin(b, chain);
	match_nated(&rb, af, st_new);
	mark_nonzero(&rb);
	e_ct(&rb, af == AF_INET6 ? NFT_CT_SRC_IP6 : NFT_CT_SRC_IP, CT_DIR_REPLY, R(1));
	e_objref_map(&rb, ctr_map(&km, CTR_CONN), R(0));
	rule_end(b, &rb);
	rb = rule_begin(b, chain);
	match_nated(&rb, af, st_new);
	load_conn(&rb, af, false);
	e_lookup(&rb, post_map(&k), R(0), NFT_REG_VERDICT);
	rule_end(b, &rb);
	rb = rule_begin(b, chain);
	match_nated(&rb, af, st_new);
	mark_nonzero(&rb);
	e_meta(&rb, NFT_META_NFPROTO, R(1));
	e_lookup(&rb, "postmark", R(0), NFT_REG_VERDICT);
	rule_end(b, &rb);
}

static void put_map(struct nft_batch *b, const char *name, uint32_t kt, uint32_t kl, bool obj)
{
	struct set_spec sp = {.name = name, .key_type = kt, .key_len = kl};

	if (obj) {
		sp.flags = NFT_SET_OBJECT;
		sp.obj_type = NFT_OBJECT_COUNTER;
	} else {
		sp.flags = NFT_SET_MAP;
		sp.data_type = NFT_DATA_VERDICT;
	}
	put_set(b, NFT_MSG_NEWSET, &sp);
}

static void base_sets(struct nft_batch *b)
{
	static const uint16_t afs[] = {AF_INET, AF_INET6};
	struct lvs_svc_key k = {0}, km = {.fwmark = 1};
	uint32_t at, al, svc_t, rs_t;
	size_t i;

	for (i = 0; i < 2; i++) {
		k.af = km.af = afs[i];
		at = addr_type(afs[i]);
		al = alen(afs[i]);
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
	put_chain(b, NFT_MSG_NEWCHAIN, "prerouting", NF_INET_PRE_ROUTING, -100, "nat");
	put_chain(b, NFT_MSG_NEWCHAIN, "output", NF_INET_LOCAL_OUT, -100, "nat");
	put_chain(b, NFT_MSG_NEWCHAIN, "forward", NF_INET_FORWARD, 0, "filter");
	put_chain(b, NFT_MSG_NEWCHAIN, "local", NF_INET_LOCAL_OUT, 0, "filter");
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
	put_table(b, NFT_MSG_DELTABLE);
}

/* ---- one service ---- */

/* What every function below needs to know about a service. */
struct svc_ctx {
	const struct lvs_tsvc *s;
	struct nft_svc_plan p;
	char chain[NFT_NAME_MAX], post[NFT_NAME_MAX], idx[NFT_NAME_MAX], aff[NFT_NAME_MAX],
	    live[NFT_NAME_MAX];
	uint32_t al, dl;
};

static int ctx_init(struct nft_batch *b, struct svc_ctx *c, const struct lvs_tsvc *s)
{
	const struct lvs_svc_key *k = &s->key;

	c->s = s;
	if (nft_svc_compile(s, &c->p) < 0) {
		b->oom = true;
		return -1;
	}
	nft_chain_name(k, c->chain, sizeof(c->chain));
	nft_set_name(k, "post", c->post, sizeof(c->post));
	nft_set_name(k, "idx", c->idx, sizeof(c->idx));
	nft_set_name(k, "aff", c->aff, sizeof(c->aff));
	nft_set_name(k, "live", c->live, sizeof(c->live));
	c->al = alen(k->af);
	c->dl = c->al + (c->p.with_port ? 4 : 0);
	return 0;
}

static void persist_sets(struct nft_batch *b, const struct svc_ctx *c, uint16_t cmd)
{
	uint32_t dt = dest_type(c->s->key.af, c->p.with_port);
	struct set_spec aff = {c->aff,
	                       NFT_SET_MAP | NFT_SET_TIMEOUT | NFT_SET_EVAL,
	                       addr_type(c->s->key.af),
	                       c->al,
	                       dt,
	                       c->dl,
	                       0,
	                       NFT_AFF_SIZE};
	struct set_spec live = {c->live, 0, dt, c->dl};

	put_set(b, cmd, &aff);
	put_set(b, cmd, &live);
}

static void idx_set(struct nft_batch *b, const struct svc_ctx *c, uint16_t cmd)
{
	uint32_t dt = dest_type(c->s->key.af, c->p.with_port);
	struct set_spec idx = {c->idx, NFT_SET_MAP | NFT_SET_INTERVAL, T_INTEGER, 4, dt, c->dl};

	put_set(b, cmd, &idx);
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
	struct elw w;
	size_t i, n = k->fwmark ? 1 : 3;

	for (i = 0; i < n; i++) {
		nft_counter_name(k, d, sfx[i], name[i], sizeof(name[i]));
		if (add)
			put_counter(b, NFT_MSG_NEWOBJ, name[i]);
	}
	for (i = 0; i < n; i++) {
		elw_init(&w, b, ctr_map(k, (enum ctr_kind)i),
		         add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
		e = elw_new(&w);
		if (e) {
			uint32_t kl = k->fwmark ? fw_key(k, d, key) : rs_key(k, d, key);

			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, kl);
			if (add)
				nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_OBJREF, name[i]);
		}
		elw_flush(&w);
	}
	for (i = 0; !add && i < n; i++)
		put_counter(b, NFT_MSG_DELOBJ, name[i]);
}

static void idx_elems(struct nft_batch *b, const struct svc_ctx *c)
{
	struct nftnl_set_elem *e;
	uint8_t data[32];
	uint32_t key, dl;
	struct elw w;
	size_t i;

	elw_init(&w, b, c->idx, NFT_MSG_NEWSETELEM);
	for (i = 0; i < c->p.n_ranges; i++) {
		const struct nft_range *r = &c->p.ranges[i];

		/* Interval maps take a start element and an end element (the
		 * first number past the range); the keys are big-endian so
		 * the kernel's byte order is the numeric order. */
		e = elw_new(&w);
		if (!e)
			break;
		key = htonl(r->lo);
		dl = nft_dest_key(&c->s->dests[r->dest].d, c->p.with_port, data);
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &key, 4);
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, data, dl);
		e = elw_new(&w);
		if (!e)
			break;
		key = htonl(r->hi + 1);
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &key, 4);
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
	}
	elw_flush(&w);
}

static void live_elems(struct nft_batch *b, const struct svc_ctx *c)
{
	struct nftnl_set_elem *e;
	uint8_t key[32];
	struct elw w;
	size_t i;

	elw_init(&w, b, c->live, NFT_MSG_NEWSETELEM);
	for (i = 0; i < c->s->n_dests; i++) {
		if (c->s->dests[i].d.weight <= 0)
			continue;
		e = elw_new(&w);
		if (!e)
			break;
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key,
		                   nft_dest_key(&c->s->dests[i].d, c->p.with_port, key));
	}
	elw_flush(&w);
}

/* key -> jump chain in map (svc4/6/mark or post4/6/mark). */
static void jump_elem(struct nft_batch *b, const struct svc_ctx *c, const char *map,
                      const char *chain, bool add)
{
	struct nftnl_set_elem *e;
	uint8_t key[32];
	struct elw w;

	elw_init(&w, b, map, add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
	e = elw_new(&w);
	if (e) {
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, svc_key(&c->s->key, key));
		if (add) {
			nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, (uint32_t)NFT_JUMP);
			nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, chain);
		}
	}
	elw_flush(&w);
}

/* The persistence key: the source address masked by the netmask, in
 * R(8).. (a v4 netmask is in network order, a v6 one a prefix length). */
static void persist_key(struct rb *rb, const struct svc_ctx *c)
{
	uint8_t mask[16];
	uint32_t plen = c->p.netmask, i;
	bool v6 = c->s->key.af == AF_INET6;

	if (v6) {
		if (plen == 0 || plen > 128)
			plen = 128;
		memset(mask, 0, sizeof(mask));
		for (i = 0; i < plen; i++)
			mask[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	} else {
		memcpy(mask, &c->p.netmask, 4);
		if (!c->p.netmask)
			memset(mask, 0xff, 4);
	}
	e_payload(rb, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, c->al, R(8));
	e_bitwise(rb, R(8), mask, c->al);
}

/* Translate to the destination in R(0).. */
static void dnat(struct rb *rb, const struct svc_ctx *c)
{
	struct nftnl_expr *e = ex(rb, "nat");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY,
	                   c->s->key.af == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, R(0));
	if (c->p.with_port)
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, R(c->al / 4));
}

/* Rule 1: a client with an affinity goes where it went before.  The post
 * chain refreshes it on each new connection while that destination is
 * live; a destination leaving purges its affinities (nft_batch_aff_purge)
 * so a removed or weight-0 server breaks them, as expire_quiescent_template
 * does. */
static void rule_persist(struct nft_batch *b, const struct svc_ctx *c)
{
	struct rb rb = rule_begin(b, c->chain);

	persist_key(&rb, c);
	e_lookup(&rb, c->aff, R(8), R(0));
	dnat(&rb, c);
	rule_end(b, &rb);
}

/* The number that picks a destination, in R(13), big-endian. */
static void choose(struct rb *rb, const struct svc_ctx *c)
{
	bool v6 = c->s->key.af == AF_INET6, dh = c->p.sched == NFT_SCHED_DH;
	uint32_t len = c->al;
	struct nftnl_expr *e;

	if (c->p.sched == NFT_SCHED_RR || c->p.sched == NFT_SCHED_WRR) {
		e = ex(rb, "numgen");
		if (e) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_NG_DREG, R(13));
			nftnl_expr_set_u32(e, NFTNL_EXPR_NG_TYPE, NFT_NG_INCREMENTAL);
			nftnl_expr_set_u32(e, NFTNL_EXPR_NG_MODULUS, c->p.modulus);
		}
	} else {
		e_payload(rb, NFT_PAYLOAD_NETWORK_HEADER, (v6 ? 8 : 12) + (dh ? c->al : 0), c->al,
		          R(8));
		if (c->p.hash_port) {
			e_payload(rb, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, R(8 + c->al / 4));
			len += 4;
		}
		e = ex(rb, "hash");
		if (e) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_TYPE, NFT_HASH_JENKINS);
			nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_SREG, R(8));
			nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_DREG, R(13));
			nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_LEN, len);
			nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_MODULUS, c->p.modulus);
			nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_SEED, c->p.seed);
		}
	}
	/* @idx keys are big-endian (interval order is byte order). */
	e = ex(rb, "byteorder");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, R(13));
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, R(13));
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, 4);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, 4);
	}
}

/* Rule 2: schedule. */
static void rule_schedule(struct nft_batch *b, const struct svc_ctx *c)
{
	struct rb rb = rule_begin(b, c->chain);

	choose(&rb, c);
	e_lookup(&rb, c->idx, R(13), R(0));
	dnat(&rb, c);
	rule_end(b, &rb);
}

/* The post chain of a persistent service (first packet, after NAT): the
 * destination conntrack chose, if still live, becomes or stays the
 * client's affinity for timeout seconds more. */
static void rule_post(struct nft_batch *b, const struct svc_ctx *c)
{
	struct rb rb = rule_begin(b, c->post);
	bool v6 = c->s->key.af == AF_INET6;

	e_ct(&rb, v6 ? NFT_CT_SRC_IP6 : NFT_CT_SRC_IP, CT_DIR_REPLY, R(0));
	if (c->p.with_port)
		e_ct(&rb, NFT_CT_PROTO_SRC, CT_DIR_REPLY, R(c->al / 4));
	e_lookup(&rb, c->live, R(0), -1);
	persist_key(&rb, c);
	e_dynset(&rb, NFT_DYNSET_OP_UPDATE, c->aff, c->p.timeout_s);
	rule_end(b, &rb);
}

static void svc_rules(struct nft_batch *b, const struct svc_ctx *c)
{
	struct rb rb;

	if (c->p.persist) {
		rule_persist(b, c);
		rule_post(b, c);
	}
	if (c->p.modulus)
		rule_schedule(b, c);
	/* Rule 3: no destination available. */
	rb = rule_begin(b, c->chain);
	e_verdict(&rb, NF_DROP, NULL);
	rule_end(b, &rb);
}

/* ---- the service transactions ---- */

static void persist_add(struct nft_batch *b, const struct svc_ctx *c)
{
	put_chain(b, NFT_MSG_NEWCHAIN, c->post, -1, 0, NULL);
	persist_sets(b, c, NFT_MSG_NEWSET);
}

/* After the rules that bind them are gone (chain deleted or flushed). */
static void persist_del(struct nft_batch *b, const struct svc_ctx *c)
{
	jump_elem(b, c, post_map(&c->s->key), c->post, false);
	put_chain(b, NFT_MSG_DELCHAIN, c->post, -1, 0, NULL);
	persist_sets(b, c, NFT_MSG_DELSET);
}

static void svc_add(struct nft_batch *b, const struct svc_ctx *c)
{
	size_t i;

	put_chain(b, NFT_MSG_NEWCHAIN, c->chain, -1, 0, NULL);
	idx_set(b, c, NFT_MSG_NEWSET);
	if (c->p.persist)
		persist_add(b, c);
	for (i = 0; i < c->s->n_dests; i++)
		dest_counters(b, c, &c->s->dests[i].d, true);
	idx_elems(b, c);
	if (c->p.persist)
		live_elems(b, c);
	svc_rules(b, c);
	jump_elem(b, c, dispatch_map(&c->s->key), c->chain, true);
	if (c->p.persist)
		jump_elem(b, c, post_map(&c->s->key), c->post, true);
}

/* Order matters: the elements jumping to a chain and the rules binding
 * the sets go before the chain and sets; elements naming a counter go
 * before the counter. */
static void svc_del(struct nft_batch *b, const struct svc_ctx *c)
{
	size_t i;

	jump_elem(b, c, dispatch_map(&c->s->key), c->chain, false);
	put_chain(b, NFT_MSG_DELCHAIN, c->chain, -1, 0, NULL);
	if (c->p.persist)
		persist_del(b, c);
	idx_set(b, c, NFT_MSG_DELSET);
	for (i = 0; i < c->s->n_dests; i++)
		dest_counters(b, c, &c->s->dests[i].d, false);
}

void nft_batch_svc_add(struct nft_batch *b, const struct lvs_tsvc *s)
{
	struct svc_ctx c;

	if (ctx_init(b, &c, s) < 0)
		return;
	svc_add(b, &c);
	nft_svc_plan_free(&c.p);
}

void nft_batch_svc_del(struct nft_batch *b, const struct lvs_tsvc *s)
{
	struct svc_ctx c;

	if (ctx_init(b, &c, s) < 0)
		return;
	svc_del(b, &c);
	nft_svc_plan_free(&c.p);
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

static void update_in_place(struct nft_batch *b, const struct svc_ctx *o, const struct svc_ctx *n)
{
	flush_chain(b, n->chain);
	counters_delta(b, o, n, false);
	if (o->p.persist && !n->p.persist) {
		persist_del(b, o);
	} else if (!o->p.persist && n->p.persist) {
		persist_add(b, n);
		jump_elem(b, n, post_map(&n->s->key), n->post, true);
	} else if (n->p.persist) {
		flush_chain(b, n->post);
		flush_set(b, n->live);
		if (o->p.netmask != n->p.netmask)
			flush_set(b, n->aff);
	}
	flush_set(b, n->idx);
	counters_delta(b, n, o, true);
	idx_elems(b, n);
	if (n->p.persist)
		live_elems(b, n);
	svc_rules(b, n);
}

void nft_batch_svc_update(struct nft_batch *b, const struct lvs_tsvc *old,
                          const struct lvs_tsvc *now)
{
	struct svc_ctx o, n;

	if (ctx_init(b, &o, old) < 0)
		return;
	if (ctx_init(b, &n, now) < 0) {
		nft_svc_plan_free(&o.p);
		return;
	}
	/* The type of the destination keys changed: every set is new. */
	if (o.p.with_port != n.p.with_port) {
		svc_del(b, &o);
		svc_add(b, &n);
	} else {
		update_in_place(b, &o, &n);
	}
	nft_svc_plan_free(&o.p);
	nft_svc_plan_free(&n.p);
}

void nft_batch_aff_purge(struct nft_batch *b, const struct lvs_tsvc *s, const uint8_t *keys,
                         size_t klen, size_t n, bool destroy)
{
	struct nftnl_set_elem *e;
	char aff[NFT_NAME_MAX];
	struct elw w;
	size_t i;

	nft_set_name(&s->key, "aff", aff, sizeof(aff));
	if (!destroy) {
		flush_set(b, aff);
		return;
	}
	elw_init(&w, b, aff, NFT_MSG_DESTROYSETELEM);
	for (i = 0; i < n; i++) {
		e = elw_new(&w);
		if (!e)
			break;
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, keys + i * klen, (uint32_t)klen);
	}
	elw_flush(&w);
}

void nft_batch_replace(struct nft_batch *b, const struct lvs_table *t)
{
	size_t i;

	/* Adding first makes the delete succeed whether or not the table
	 * exists; the kernel applies the three as one. */
	put_table(b, NFT_MSG_NEWTABLE);
	put_table(b, NFT_MSG_DELTABLE);
	put_table(b, NFT_MSG_NEWTABLE);
	base_objects(b);
	for (i = 0; i < t->n_svcs; i++)
		nft_batch_svc_add(b, &t->svcs[i]);
}

/* ---- reading a batch back ---- */

static const char *verb_of(uint16_t cmd)
{
	switch (cmd) {
	case NFT_MSG_NEWTABLE:
	case NFT_MSG_NEWCHAIN:
	case NFT_MSG_NEWRULE:
	case NFT_MSG_NEWSET:
	case NFT_MSG_NEWSETELEM:
	case NFT_MSG_NEWOBJ:
		return "add";
	case NFT_MSG_DELRULE:
		return "flush";
	case NFT_MSG_DELSETELEM:
		return "del";
	case NFT_MSG_DESTROYSETELEM:
		return "destroy";
	default:
		return "del";
	}
}

static void hex_print(FILE *f, const struct nlattr *data)
{
	const struct nlattr *a;
	const uint8_t *p;
	uint16_t i;

	mnl_attr_for_each_nested(a, data)
	{
		if (mnl_attr_get_type(a) == NFTA_DATA_VALUE) {
			p = mnl_attr_get_payload(a);
			for (i = 0; i < mnl_attr_get_payload_len(a); i++)
				fprintf(f, "%s%02x", i && i % 4 == 0 ? " " : "", p[i]);
		} else if (mnl_attr_get_type(a) == NFTA_DATA_VERDICT) {
			const struct nlattr *v;

			mnl_attr_for_each_nested(v, a)
			{
				if (mnl_attr_get_type(v) == NFTA_VERDICT_CODE)
					fprintf(f, "verdict %d", (int)ntohl(mnl_attr_get_u32(v)));
				else if (mnl_attr_get_type(v) == NFTA_VERDICT_CHAIN)
					fprintf(f, " %s", mnl_attr_get_str(v));
			}
		}
	}
}

/* "\telement KEY [: DATA] [flags N] [obj NAME]" per element; returns the
 * set name (pointing into the message) or NULL. */
static const char *elems_print(const struct nlmsghdr *nlh, char *out, size_t outlen)
{
	const struct nlattr *a, *el, *f;
	const char *set = NULL;
	FILE *fp = fmemopen(out, outlen, "w");

	if (!fp)
		return NULL;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(a) == NFTA_SET_ELEM_LIST_SET)
			set = mnl_attr_get_str(a);
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(el, a)
		{
			fprintf(fp, "\telement");
			mnl_attr_for_each_nested(f, el)
			{
				switch (mnl_attr_get_type(f)) {
				case NFTA_SET_ELEM_KEY:
					fprintf(fp, " ");
					hex_print(fp, f);
					break;
				case NFTA_SET_ELEM_DATA:
					fprintf(fp, " : ");
					hex_print(fp, f);
					break;
				case NFTA_SET_ELEM_FLAGS:
					fprintf(fp, " flags %u", ntohl(mnl_attr_get_u32(f)));
					break;
				case NFTA_SET_ELEM_OBJREF:
					fprintf(fp, " obj %s", mnl_attr_get_str(f));
					break;
				default:
					fprintf(fp, " attr %u", mnl_attr_get_type(f));
				}
			}
			fprintf(fp, "\n");
		}
	}
	if (fclose(fp) != 0)
		return NULL;
	return set;
}

/* Print one message with libnftnl; name (may be NULL) receives the name
 * of the object (or of its chain or set). */
static int msg_print(const struct nlmsghdr *nlh, char *out, size_t outlen, char *name,
                     size_t namelen)
{
	uint16_t cmd = NFNL_MSG_TYPE(nlh->nlmsg_type);
	const char *nm = NULL, *kind = "?";
	int r = -1;

	out[0] = '\0';
	if (cmd == NFT_MSG_NEWTABLE || cmd == NFT_MSG_DELTABLE) {
		struct nftnl_table *t = nftnl_table_alloc();

		kind = "table";
		if (t && nftnl_table_nlmsg_parse(nlh, t) == 0) {
			nftnl_table_snprintf(out, outlen, t, NFTNL_OUTPUT_DEFAULT, 0);
			nm = nftnl_table_get_str(t, NFTNL_TABLE_NAME);
			snprintf(name, namelen, "%s %s", kind, nm ? nm : "?");
			r = 0;
		}
		nftnl_table_free(t);
	} else if (cmd == NFT_MSG_NEWCHAIN || cmd == NFT_MSG_DELCHAIN) {
		struct nftnl_chain *c = nftnl_chain_alloc();

		kind = "chain";
		if (c && nftnl_chain_nlmsg_parse(nlh, c) == 0) {
			nftnl_chain_snprintf(out, outlen, c, NFTNL_OUTPUT_DEFAULT, 0);
			nm = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
			snprintf(name, namelen, "%s %s", kind, nm ? nm : "?");
			r = 0;
		}
		nftnl_chain_free(c);
	} else if (cmd == NFT_MSG_NEWRULE || cmd == NFT_MSG_DELRULE) {
		struct nftnl_rule *ru = nftnl_rule_alloc();

		kind = "rule";
		if (ru && nftnl_rule_nlmsg_parse(nlh, ru) == 0) {
			nftnl_rule_snprintf(out, outlen, ru, NFTNL_OUTPUT_DEFAULT, 0);
			nm = nftnl_rule_get_str(ru, NFTNL_RULE_CHAIN);
			snprintf(name, namelen, "%s in chain %s",
			         cmd == NFT_MSG_DELRULE ? "chain" : kind, nm ? nm : "?");
			r = 0;
		}
		nftnl_rule_free(ru);
	} else if (cmd == NFT_MSG_NEWSET || cmd == NFT_MSG_DELSET || cmd == NFT_MSG_NEWSETELEM ||
	           cmd == NFT_MSG_DELSETELEM || cmd == NFT_MSG_DESTROYSETELEM) {
		struct nftnl_set *s = nftnl_set_alloc();
		bool el = cmd != NFT_MSG_NEWSET && cmd != NFT_MSG_DELSET;

		if (el) {
			/* libnftnl 1.2.4 cannot parse a list of more than one
			 * element back: print them here. */
			nm = elems_print(nlh, out, outlen);
			snprintf(name, namelen, "elements of set %s", nm ? nm : "?");
			r = nm ? 0 : -1;
		} else if (s && nftnl_set_nlmsg_parse(nlh, s) == 0) {
			int w = nftnl_set_snprintf(out, outlen, s, NFTNL_OUTPUT_DEFAULT, 0);

			/* libnftnl leaves out the shape of a new set. */
			if (cmd == NFT_MSG_NEWSET && w >= 0 && (size_t)w < outlen)
				snprintf(out + w, outlen - (size_t)w,
				         " flags 0x%x key 0x%x/%u data 0x%x/%u obj %u size %u",
				         nftnl_set_get_u32(s, NFTNL_SET_FLAGS),
				         nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE),
				         nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN),
				         nftnl_set_get_u32(s, NFTNL_SET_DATA_TYPE),
				         nftnl_set_get_u32(s, NFTNL_SET_DATA_LEN),
				         nftnl_set_get_u32(s, NFTNL_SET_OBJ_TYPE),
				         nftnl_set_get_u32(s, NFTNL_SET_DESC_SIZE));
			nm = nftnl_set_get_str(s, NFTNL_SET_NAME);
			snprintf(name, namelen, "set %s", nm ? nm : "?");
			r = 0;
		}
		nftnl_set_free(s);
	} else if (cmd == NFT_MSG_NEWOBJ || cmd == NFT_MSG_DELOBJ) {
		struct nftnl_obj *o = nftnl_obj_alloc();

		if (o && nftnl_obj_nlmsg_parse(nlh, o) == 0) {
			nftnl_obj_snprintf(out, outlen, o, NFTNL_OUTPUT_DEFAULT, 0);
			nm = nftnl_obj_get_str(o, NFTNL_OBJ_NAME);
			snprintf(name, namelen, "counter %s", nm ? nm : "?");
			r = 0;
		}
		nftnl_obj_free(o);
	}
	if (r < 0)
		snprintf(name, namelen, "message %u", cmd);
	return r;
}

const char *nft_batch_msg_describe(const void *msg, char *buf, size_t len)
{
	const struct nlmsghdr *nlh = msg;
	char *out = malloc(MSG_RESERVE), name[2 * NFT_NAME_MAX];
	uint16_t cmd = NFNL_MSG_TYPE(nlh->nlmsg_type);

	if (!out) {
		snprintf(buf, len, "message %u", cmd);
		return buf;
	}
	msg_print(nlh, out, MSG_RESERVE, name, sizeof(name));
	snprintf(buf, len, "%s %s", verb_of(cmd), name);
	free(out);
	return buf;
}

char *nft_batch_render(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int rem = len > INT32_MAX ? INT32_MAX : (int)len;
	size_t sz = 0;
	char *out = malloc(MSG_RESERVE), name[2 * NFT_NAME_MAX];
	FILE *f;
	char *text = NULL;

	if (!out)
		return NULL;
	f = open_memstream(&text, &sz);
	if (!f) {
		free(out);
		return NULL;
	}
	while (mnl_nlmsg_ok(nlh, rem)) {
		uint16_t cmd = NFNL_MSG_TYPE(nlh->nlmsg_type);

		if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN ||
		    nlh->nlmsg_type == NFNL_MSG_BATCH_END) {
			fprintf(f, "%s\n",
			        nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN ? "begin" : "end");
		} else {
			msg_print(nlh, out, MSG_RESERVE, name, sizeof(name));
			fprintf(f, "%s %s\n%s%s", verb_of(cmd), name, out,
			        out[0] && out[strlen(out) - 1] != '\n' ? "\n" : "");
		}
		nlh = mnl_nlmsg_next(nlh, &rem);
	}
	free(out);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
