/* Batch buffer, framing, table/chain/set/counter objects, set elements and
 * key layouts (nft_int.h). */
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

/* ---- the buffer ---- */

void nft_batch_init(struct nft_batch *b, uint32_t seq)
{
	memset(b, 0, sizeof(*b));
	b->seq = seq;
	b->first_seq = seq + 1;
	b->family = NFPROTO_INET;
	b->table = NFT_TABLE_NAME;
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

struct nlmsghdr *nft_msg_start(struct nft_batch *b, uint16_t cmd, uint16_t flags)
{
	char *p = reserve(b);

	if (!p)
		return NULL;
	return nftnl_nlmsg_build_hdr(p, cmd, b->family, flags | NLM_F_ACK, b->seq);
}

void nft_msg_done(struct nft_batch *b, struct nlmsghdr *nlh)
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

void nft_put_table(struct nft_batch *b, uint16_t cmd)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t) {
		b->oom = true;
		return;
	}
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, b->table);
	nlh = nft_msg_start(b, cmd, cmd == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0);
	if (nlh) {
		nftnl_table_nlmsg_build_payload(nlh, t);
		nft_msg_done(b, nlh);
	}
	nftnl_table_free(t);
}

/* hook < 0: a regular chain. */
void nft_put_chain(struct nft_batch *b, uint16_t cmd, const char *name, int hook, int prio,
                   const char *type)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c) {
		b->oom = true;
		return;
	}
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, b->table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	if (hook >= 0) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	}
	nlh = nft_msg_start(b, cmd, cmd == NFT_MSG_NEWCHAIN ? NLM_F_CREATE : 0);
	if (nlh) {
		nftnl_chain_nlmsg_build_payload(nlh, c);
		nft_msg_done(b, nlh);
	}
	nftnl_chain_free(c);
}

/* Delete every rule of a chain (DELRULE without a handle). */
void nft_flush_chain(struct nft_batch *b, const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	if (!r) {
		b->oom = true;
		return;
	}
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, b->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nlh = nft_msg_start(b, NFT_MSG_DELRULE, 0);
	if (nlh) {
		nftnl_rule_nlmsg_build_payload(nlh, r);
		nft_msg_done(b, nlh);
	}
	nftnl_rule_free(r);
}

void nft_put_set(struct nft_batch *b, uint16_t cmd, const struct nft_set_spec *sp)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;

	if (!s) {
		b->oom = true;
		return;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, b->table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, sp->name);
	if (cmd == NFT_MSG_NEWSET) {
		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, b->family);
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
	nlh = nft_msg_start(b, cmd, cmd == NFT_MSG_NEWSET ? NLM_F_CREATE : 0);
	if (nlh) {
		nftnl_set_nlmsg_build_payload(nlh, s);
		nft_msg_done(b, nlh);
	}
	nftnl_set_free(s);
}

void nft_put_counter(struct nft_batch *b, uint16_t cmd, const char *name)
{
	struct nftnl_obj *o = nftnl_obj_alloc();
	struct nlmsghdr *nlh;

	if (!o) {
		b->oom = true;
		return;
	}
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, b->table);
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, name);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	nlh = nft_msg_start(b, cmd, cmd == NFT_MSG_NEWOBJ ? NLM_F_CREATE : 0);
	if (nlh) {
		nftnl_obj_nlmsg_build_payload(nlh, o);
		nft_msg_done(b, nlh);
	}
	nftnl_obj_free(o);
}

/* ---- set elements, ELEM_CHUNK per message ---- */

void nft_elw_flush(struct nft_elw *w)
{
	struct nlmsghdr *nlh;

	if (w->s && w->n) {
		nlh = nft_msg_start(w->b, w->cmd, w->cmd == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0);
		if (nlh) {
			nftnl_set_elems_nlmsg_build_payload(nlh, w->s);
			nft_msg_done(w->b, nlh);
		}
	}
	if (w->s)
		nftnl_set_free(w->s);
	w->s = NULL;
	w->n = 0;
}

struct nftnl_set_elem *nft_elw_new(struct nft_elw *w)
{
	struct nftnl_set_elem *e;

	if (w->n == ELEM_CHUNK)
		nft_elw_flush(w);
	if (!w->s) {
		w->s = nftnl_set_alloc();
		if (!w->s) {
			w->b->oom = true;
			return NULL;
		}
		nftnl_set_set_str(w->s, NFTNL_SET_TABLE, w->b->table);
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

void nft_elw_init(struct nft_elw *w, struct nft_batch *b, const char *name, uint16_t cmd)
{
	*w = (struct nft_elw){.b = b, .name = name, .cmd = cmd};
}

/* DELSETELEM without elements empties the set. */
void nft_flush_set(struct nft_batch *b, const char *name)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;

	if (!s) {
		b->oom = true;
		return;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, b->table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nlh = nft_msg_start(b, NFT_MSG_DELSETELEM, 0);
	if (nlh) {
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		nft_msg_done(b, nlh);
	}
	nftnl_set_free(s);
}

/* ---- keys, in register layout: every field starts on 4 bytes ---- */

uint32_t nft_alen(uint16_t af)
{
	return af == AF_INET6 ? 16 : 4;
}

uint32_t nft_addr_type(uint16_t af)
{
	return af == AF_INET6 ? T_IP6ADDR : T_IPADDR;
}

uint32_t nft_put_port(uint8_t *p, uint16_t port)
{
	memset(p, 0, 4);
	p[0] = (uint8_t)(port >> 8);
	p[1] = (uint8_t)port;
	return 4;
}

uint32_t nft_put_byte(uint8_t *p, uint8_t v)
{
	memset(p, 0, 4);
	p[0] = v;
	return 4;
}

/* The destination as the service chain holds it: addr [. port]. */
uint32_t nft_dest_key(const struct lvs_dest *d, bool with_port, uint8_t *p)
{
	uint32_t n = nft_alen(d->af);

	memcpy(p, &d->addr.u, n);
	if (with_port)
		n += nft_put_port(p + n, d->port);
	return n;
}

uint32_t nft_dest_type(uint16_t af, bool with_port)
{
	return with_port ? CONCAT(nft_addr_type(af), T_SERVICE) : nft_addr_type(af);
}

/* svc4/svc6: daddr . l4proto . dport; svcmark: mark . nfproto. */

/* ---- fingerprint ---- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *c = p;

	for (size_t i = 0; i < n; i++) {
		h ^= c[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t nft_batch_fingerprint(const struct nft_batch *b)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t off = 0;

	while (b->buf && off + sizeof(struct nlmsghdr) <= b->len) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(b->buf + off);

		if (nlh->nlmsg_len < sizeof(*nlh) || off + nlh->nlmsg_len > b->len)
			break;
		/* everything but the sequence number and port id */
		h = fnv(h, &nlh->nlmsg_len, sizeof(nlh->nlmsg_len));
		h = fnv(h, &nlh->nlmsg_type, sizeof(nlh->nlmsg_type));
		h = fnv(h, &nlh->nlmsg_flags, sizeof(nlh->nlmsg_flags));
		h = fnv(h, nlh + 1, nlh->nlmsg_len - sizeof(*nlh));
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	return h;
}
