/* Rule expression builders (nft_int.h). */
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
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lvs/nft_int.h"

/* ---- rule expressions ---- */

struct nftnl_expr *nft_ex(struct nft_rb *rb, const char *name)
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

void nft_e_meta(struct nft_rb *rb, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = nft_ex(rb, "meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	}
}

void nft_e_cmp(struct nft_rb *rb, uint32_t op, uint32_t sreg, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nft_ex(rb, "cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
}

void nft_e_payload(struct nft_rb *rb, uint32_t base, uint32_t off, uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *e = nft_ex(rb, "payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	}
}

void nft_e_bitwise(struct nft_rb *rb, uint32_t reg, const uint8_t *mask, uint32_t len)
{
	static const uint8_t zero[16];
	struct nftnl_expr *e = nft_ex(rb, "bitwise");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, reg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, reg);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
	}
}

/* dreg < 0: a set membership test. */
void nft_e_lookup(struct nft_rb *rb, const char *set, uint32_t sreg, int dreg)
{
	struct nftnl_expr *e = nft_ex(rb, "lookup");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
		if (dreg >= 0)
			nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, (uint32_t)dreg);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	}
}

void nft_e_ct(struct nft_rb *rb, uint32_t key, int dir, uint32_t dreg)
{
	struct nftnl_expr *e = nft_ex(rb, "ct");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
		if (dir >= 0)
			nftnl_expr_set_u8(e, NFTNL_EXPR_CT_DIR, (uint8_t)dir);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, dreg);
	}
}

void nft_e_objref_map(struct nft_rb *rb, const char *set, uint32_t sreg)
{
	struct nftnl_expr *e = nft_ex(rb, "objref");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_SET_SREG, sreg);
		nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_SET_NAME, set);
	}
}

void nft_e_dynset_regs(struct nft_rb *rb, uint32_t op, const char *set, uint32_t sreg_key,
                       uint32_t sreg_data, uint32_t timeout_s)
{
	struct nftnl_expr *e = nft_ex(rb, "dynset");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, sreg_key);
		/* A map's dynset needs a data register even to delete. */
		nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_DATA, sreg_data);
		nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, op);
		if (timeout_s)
			nftnl_expr_set_u64(e, NFTNL_EXPR_DYNSET_TIMEOUT,
			                   (uint64_t)timeout_s * 1000);
		nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, set);
	}
}

void nft_e_dynset(struct nft_rb *rb, uint32_t op, const char *set, uint32_t timeout_s)
{
	nft_e_dynset_regs(rb, op, set, R(8), R(0), timeout_s);
}

void nft_e_objref_counter(struct nft_rb *rb, const char *name)
{
	struct nftnl_expr *e = nft_ex(rb, "objref");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, NFT_OBJECT_COUNTER);
		nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, name);
	}
}

void nft_e_meta_set(struct nft_rb *rb, uint32_t key, uint32_t sreg)
{
	struct nftnl_expr *e = nft_ex(rb, "meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, sreg);
	}
}

void nft_e_imm(struct nft_rb *rb, uint32_t dreg, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nft_ex(rb, "immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, dreg);
		nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
	}
}

void nft_e_verdict(struct nft_rb *rb, int verdict, const char *chain)
{
	struct nftnl_expr *e = nft_ex(rb, "immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
		if (chain)
			nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
	}
}

void nft_e_u8_eq(struct nft_rb *rb, uint32_t meta_key, uint8_t v)
{
	nft_e_meta(rb, meta_key, R(0));
	nft_e_cmp(rb, NFT_CMP_EQ, R(0), &v, 1);
}

struct nft_rb nft_rule_begin(struct nft_batch *b, const char *chain)
{
	struct nft_rb rb = {.r = nftnl_rule_alloc()};

	if (!rb.r) {
		b->oom = true;
		rb.oom = true;
		return rb;
	}
	nftnl_rule_set_str(rb.r, NFTNL_RULE_TABLE, b->table);
	nftnl_rule_set_str(rb.r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(rb.r, NFTNL_RULE_FAMILY, b->family);
	return rb;
}

void nft_rule_end(struct nft_batch *b, struct nft_rb *rb)
{
	struct nlmsghdr *nlh;

	if (!rb->r)
		return;
	if (rb->oom) {
		b->oom = true;
	} else {
		nlh = nft_msg_start(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
		if (nlh) {
			nftnl_rule_nlmsg_build_payload(nlh, rb->r);
			nft_msg_done(b, nlh);
		}
	}
	nftnl_rule_free(rb->r);
	rb->r = NULL;
}

/* The number that picks a destination, in R(13), big-endian. */
void nft_e_choose(struct nft_rb *rb, const struct nft_svc_plan *p, uint16_t af)
{
	bool v6 = af == AF_INET6, dh = p->sched == NFT_SCHED_DH;
	uint32_t al = nft_alen(af), len = al;
	struct nftnl_expr *e;

	if (p->sched == NFT_SCHED_RR || p->sched == NFT_SCHED_WRR) {
		e = nft_ex(rb, "numgen");
		if (e) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_NG_DREG, R(13));
			nftnl_expr_set_u32(e, NFTNL_EXPR_NG_TYPE, NFT_NG_INCREMENTAL);
			nftnl_expr_set_u32(e, NFTNL_EXPR_NG_MODULUS, p->modulus);
		}
	} else {
		nft_e_payload(rb, NFT_PAYLOAD_NETWORK_HEADER, (v6 ? 8 : 12) + (dh ? al : 0), al,
		              R(8));
		if (p->hash_port) {
			nft_e_payload(rb, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, R(8 + al / 4));
			len += 4;
		}
		e = nft_ex(rb, "hash");
		if (e) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_TYPE, NFT_HASH_JENKINS);
			nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_SREG, R(8));
			nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_DREG, R(13));
			nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_LEN, len);
			nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_MODULUS, p->modulus);
			nftnl_expr_set_u32(e, NFTNL_EXPR_HASH_SEED, p->seed);
		}
	}
	/* @idx keys are big-endian (interval order is byte order). */
	e = nft_ex(rb, "byteorder");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SREG, R(13));
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_DREG, R(13));
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_OP, NFT_BYTEORDER_HTON);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_LEN, 4);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BYTEORDER_SIZE, 4);
	}
}
