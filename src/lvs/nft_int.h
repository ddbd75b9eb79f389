/* Internal declarations shared by the files that encode nftables batches
 * (nft_msg.c, nft_expr.c, nft_batch.c, nft_dr.c, nft_render.c).  Not for
 * use outside src/lvs/nft_*.c: nft_batch.h is the interface. */
#ifndef KA_NFT_INT_H
#define KA_NFT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lvs/lvs.h"
#include "lvs/nft_batch.h"
#include "lvs/nft_rules.h"

struct nlmsghdr;
struct nftnl_expr;
struct nftnl_rule;
struct nftnl_set;
struct nftnl_set_elem;

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

/* ---- messages and objects (nft_msg.c) ---- */

/* The header of a message in b's current family (b->family), asking for
 * an ack; NULL when out of memory.  nft_msg_done counts it in. */
struct nlmsghdr *nft_msg_start(struct nft_batch *b, uint16_t cmd, uint16_t flags);
void nft_msg_done(struct nft_batch *b, struct nlmsghdr *nlh);
void nft_put_table(struct nft_batch *b, uint16_t cmd);
/* hook < 0: a regular chain. */
void nft_put_chain(struct nft_batch *b, uint16_t cmd, const char *name, int hook, int prio,
                   const char *type);
/* Delete every rule of a chain (DELRULE without a handle). */
void nft_flush_chain(struct nft_batch *b, const char *chain);

struct nft_set_spec {
	const char *name;
	uint32_t flags, key_type, key_len, data_type, data_len, obj_type, size;
};
void nft_put_set(struct nft_batch *b, uint16_t cmd, const struct nft_set_spec *sp);
void nft_put_counter(struct nft_batch *b, uint16_t cmd, const char *name);

/* Elements of one set, ELEM_CHUNK per message: init, new per element,
 * flush at the end. */
struct nft_elw {
	struct nft_batch *b;
	struct nftnl_set *s;
	const char *name;
	uint16_t cmd;
	unsigned n;
};
void nft_elw_init(struct nft_elw *w, struct nft_batch *b, const char *name, uint16_t cmd);
struct nftnl_set_elem *nft_elw_new(struct nft_elw *w);
void nft_elw_flush(struct nft_elw *w);
/* DELSETELEM without elements empties the set. */
void nft_flush_set(struct nft_batch *b, const char *name);

/* Keys in register layout: every field starts on 4 bytes. */
uint32_t nft_alen(uint16_t af);
uint32_t nft_addr_type(uint16_t af);
uint32_t nft_put_port(uint8_t *p, uint16_t port);
uint32_t nft_put_byte(uint8_t *p, uint8_t v);
uint32_t nft_dest_type(uint16_t af, bool with_port);
/* A service's key in svc4/svc6 (daddr . l4proto . dport) or svcmark
 * (mark . nfproto), in both tables (nft_batch.c). */
uint32_t nft_svc_key(const struct lvs_svc_key *k, uint8_t *p);

/* ---- rule expressions (nft_expr.c) ---- */

/* A rule being built; an allocation failure sticks (oom) and the rule is
 * then not sent (the batch is marked oom). */
struct nft_rb {
	struct nftnl_rule *r;
	bool oom;
};
struct nft_rb nft_rule_begin(struct nft_batch *b, const char *chain);
void nft_rule_end(struct nft_batch *b, struct nft_rb *rb);
struct nftnl_expr *nft_ex(struct nft_rb *rb, const char *name);
void nft_e_meta(struct nft_rb *rb, uint32_t key, uint32_t dreg);
void nft_e_meta_set(struct nft_rb *rb, uint32_t key, uint32_t sreg);
void nft_e_cmp(struct nft_rb *rb, uint32_t op, uint32_t sreg, const void *data, uint32_t len);
void nft_e_payload(struct nft_rb *rb, uint32_t base, uint32_t off, uint32_t len, uint32_t dreg);
void nft_e_bitwise(struct nft_rb *rb, uint32_t reg, const uint8_t *mask, uint32_t len);
/* dreg < 0: a set membership test. */
void nft_e_lookup(struct nft_rb *rb, const char *set, uint32_t sreg, int dreg);
void nft_e_ct(struct nft_rb *rb, uint32_t key, int dir, uint32_t dreg);
void nft_e_objref_map(struct nft_rb *rb, const char *set, uint32_t sreg);
/* A counter object by name. */
void nft_e_objref_counter(struct nft_rb *rb, const char *name);
/* Key in R(8).., data in R(0) (the NAT layout). */
void nft_e_dynset(struct nft_rb *rb, uint32_t op, const char *set, uint32_t timeout_s);
void nft_e_dynset_regs(struct nft_rb *rb, uint32_t op, const char *set, uint32_t sreg_key,
                       uint32_t sreg_data, uint32_t timeout_s);
void nft_e_verdict(struct nft_rb *rb, int verdict, const char *chain);
void nft_e_u8_eq(struct nft_rb *rb, uint32_t meta_key, uint8_t v);
/* The number that picks a destination (numgen or jhash as the plan
 * says, nft_rules.h), in R(13), big-endian (the @idx key order). */
void nft_e_choose(struct nft_rb *rb, const struct nft_svc_plan *p, uint16_t af);
/* len bytes of data into dreg. */
void nft_e_imm(struct nft_rb *rb, uint32_t dreg, const void *data, uint32_t len);

#endif
