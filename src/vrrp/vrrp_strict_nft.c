/* No-accept mode: drop packets to and from the VIPs of a non-owner MASTER
 * without `accept` (reference §4.12), with a table of our own:
 *
 *   table inet keepalived {
 *     set vips  { type ipv4_addr }
 *     set vips6 { type ipv6_addr }
 *     chain in  { type filter hook input priority -1; policy accept;
 *                 ip daddr @vips drop
 *                 ip6 daddr @vips6 icmpv6 type nd-neighbor-solicit accept
 *                 ip6 daddr @vips6 icmpv6 type nd-neighbor-advert accept
 *                 ip6 daddr @vips6 drop }
 *     chain out { type filter hook output priority -1; policy accept;
 *                 ip saddr @vips drop
 *                 ip6 saddr @vips6 icmpv6 type nd-neighbor-solicit accept
 *                 ip6 saddr @vips6 icmpv6 type nd-neighbor-advert accept
 *                 ip6 saddr @vips6 drop }
 *   }
 *
 * Neighbour discovery for an IPv6 VIP (in strict mode the first one is the
 * link-local router address) must keep working, or hosts could not
 * resolve it at all.
 *
 * The table exists only while some address must be dropped.  Every change
 * of the union of the owners' addresses rebuilds it in one transaction
 * (add table, delete table, add table and its objects), so there is never
 * a moment without the rules or with a stale address.  Batches are framed
 * and sent with the LVS nftables helpers (lvs/nft_batch.h, lvs/nft_sock.h);
 * the objects are encoded here with libnftnl. */
#include <arpa/inet.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <netinet/icmp6.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lvs/nft_batch.h"
#include "lvs/nft_sock.h"
#include "vrrp/vrrp_rt_routes.h"

#define TABLE "keepalived"
#define SET4 "vips"
#define SET6 "vips6"
#define SET4_ID 1
#define SET6_ID 2
#define MSG_ROOM 8192 /* room made before each message */
#define ELEMS_PER_MSG 64
/* nft's datatype numbers (for `nft list`; the kernel ignores them). */
#define TYPE_IPADDR 7
#define TYPE_IP6ADDR 8

struct owner {
	const void *who;
	struct ka_addr *a;
	size_t n;
};

static struct owner *owners;
static size_t n_owners;
static struct ka_addr *applied; /* the union the kernel has, sorted */
static size_t n_applied;
static bool table_ours; /* we created it and it may still exist */

/* ---- batch building ---------------------------------------------------------- */

static struct nlmsghdr *msg_begin(struct nft_batch *b, uint16_t cmd, uint16_t flags)
{
	if (b->oom)
		return NULL;
	if (b->cap - b->len < MSG_ROOM) {
		size_t nc = b->cap * 2 + MSG_ROOM;
		uint8_t *p = realloc(b->buf, nc);

		if (!p) {
			b->oom = true;
			return NULL;
		}
		b->buf = p;
		b->cap = nc;
	}
	return nftnl_nlmsg_build_hdr((char *)b->buf + b->len, cmd, NFPROTO_INET, flags | NLM_F_ACK,
	                             b->seq);
}

static void msg_end(struct nft_batch *b, struct nlmsghdr *nlh)
{
	b->len += nlh->nlmsg_len;
	b->seq++;
	b->n_msgs++;
}

static void put_table(struct nft_batch *b, uint16_t cmd)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t) {
		b->oom = true;
		return;
	}
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, TABLE);
	nlh = msg_begin(b, cmd, cmd == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0);
	if (nlh) {
		nftnl_table_nlmsg_build_payload(nlh, t);
		msg_end(b, nlh);
	}
	nftnl_table_free(t);
}

static void put_chain(struct nft_batch *b, const char *name, unsigned hook)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c) {
		b->oom = true;
		return;
	}
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, -1);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nlh = msg_begin(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE);
	if (nlh) {
		nftnl_chain_nlmsg_build_payload(nlh, c);
		msg_end(b, nlh);
	}
	nftnl_chain_free(c);
}

static struct nftnl_set *set_new(const char *name, uint32_t id)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_u32(s, NFTNL_SET_ID, id);
	return s;
}

static void put_set(struct nft_batch *b, const char *name, uint32_t id, bool v6)
{
	struct nftnl_set *s = set_new(name, id);
	struct nlmsghdr *nlh;

	if (!s) {
		b->oom = true;
		return;
	}
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, v6 ? TYPE_IP6ADDR : TYPE_IPADDR);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, v6 ? 16 : 4);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, 0);
	nlh = msg_begin(b, NFT_MSG_NEWSET, NLM_F_CREATE);
	if (nlh) {
		nftnl_set_nlmsg_build_payload(nlh, s);
		msg_end(b, nlh);
	}
	nftnl_set_free(s);
}

/* The elements of one family, ELEMS_PER_MSG per message. */
static void put_elems(struct nft_batch *b, const char *name, uint32_t id, int family,
                      const struct ka_addr *a, size_t n)
{
	size_t i = 0;

	while (i < n && !b->oom) {
		struct nftnl_set *s = set_new(name, id);
		struct nlmsghdr *nlh;
		unsigned k = 0;

		if (!s) {
			b->oom = true;
			return;
		}
		for (; i < n && k < ELEMS_PER_MSG; i++) {
			struct nftnl_set_elem *e;

			if (a[i].family != family)
				continue;
			e = nftnl_set_elem_alloc();
			if (!e) {
				b->oom = true;
				break;
			}
			if (family == AF_INET)
				nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &a[i].u.v4, 4);
			else
				nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &a[i].u.v6, 16);
			nftnl_set_elem_add(s, e);
			k++;
		}
		if (k && (nlh = msg_begin(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE)) != NULL) {
			nftnl_set_elems_nlmsg_build_payload(nlh, s);
			msg_end(b, nlh);
		}
		nftnl_set_free(s);
	}
}

static void ex_add(struct nftnl_rule *r, struct nftnl_expr *e, bool *oom)
{
	if (!e)
		*oom = true;
	else
		nftnl_rule_add_expr(r, e);
}

static struct nftnl_expr *ex_meta(uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	return e;
}

static struct nftnl_expr *ex_cmp(const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
		nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	}
	return e;
}

static struct nftnl_expr *ex_payload(uint32_t base, uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
		nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	}
	return e;
}

static struct nftnl_expr *ex_lookup(const char *set, uint32_t id)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, id);
	}
	return e;
}

static struct nftnl_expr *ex_verdict(int v)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
	}
	return e;
}

/* [ip|ip6] [d|s]addr @set [icmpv6 type T] verdict.  icmp6_type 0: none. */
static void put_rule(struct nft_batch *b, const char *chain, bool v6, bool daddr,
                     uint8_t icmp6_type, int verdict)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	uint8_t proto = v6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	uint8_t l4 = IPPROTO_ICMPV6;
	struct nlmsghdr *nlh;
	bool oom = false;
	/* Offsets of the addresses in the IPv4 / IPv6 headers. */
	uint32_t off = v6 ? (daddr ? 24 : 8) : (daddr ? 16 : 12);

	if (!r) {
		b->oom = true;
		return;
	}
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	ex_add(r, ex_meta(NFT_META_NFPROTO), &oom);
	ex_add(r, ex_cmp(&proto, 1), &oom);
	ex_add(r, ex_payload(NFT_PAYLOAD_NETWORK_HEADER, off, v6 ? 16 : 4), &oom);
	ex_add(r, ex_lookup(v6 ? SET6 : SET4, v6 ? SET6_ID : SET4_ID), &oom);
	if (icmp6_type) {
		ex_add(r, ex_meta(NFT_META_L4PROTO), &oom);
		ex_add(r, ex_cmp(&l4, 1), &oom);
		ex_add(r, ex_payload(NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1), &oom);
		ex_add(r, ex_cmp(&icmp6_type, 1), &oom);
	}
	ex_add(r, ex_verdict(verdict), &oom);
	nlh = oom ? NULL : msg_begin(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	if (nlh) {
		nftnl_rule_nlmsg_build_payload(nlh, r);
		msg_end(b, nlh);
	} else {
		b->oom = true;
	}
	nftnl_rule_free(r);
}

static void put_chain_rules(struct nft_batch *b, const char *chain, bool daddr)
{
	put_rule(b, chain, false, daddr, 0, NF_DROP);
	put_rule(b, chain, true, daddr, ND_NEIGHBOR_SOLICIT, NF_ACCEPT);
	put_rule(b, chain, true, daddr, ND_NEIGHBOR_ADVERT, NF_ACCEPT);
	put_rule(b, chain, true, daddr, 0, NF_DROP);
}

/* The whole table with these addresses, replacing any previous one; n 0:
 * only remove it. */
static void build(struct nft_batch *b, const struct ka_addr *a, size_t n)
{
	put_table(b, NFT_MSG_NEWTABLE); /* so that the deletion cannot fail */
	put_table(b, NFT_MSG_DELTABLE);
	if (!n)
		return;
	put_table(b, NFT_MSG_NEWTABLE);
	put_set(b, SET4, SET4_ID, false);
	put_set(b, SET6, SET6_ID, true);
	put_chain(b, "in", NF_INET_LOCAL_IN);
	put_chain(b, "out", NF_INET_LOCAL_OUT);
	put_chain_rules(b, "in", true);
	put_chain_rules(b, "out", false);
	put_elems(b, SET4, SET4_ID, AF_INET, a, n);
	put_elems(b, SET6, SET6_ID, AF_INET6, a, n);
}

static int send_table(const struct ka_addr *a, size_t n)
{
	char err[256];
	struct nft_sock *s = nft_sock_open(err, sizeof(err));
	struct nft_batch b;
	int rc;

	if (!s) {
		log_err("no-accept mode: %s", err);
		return -1;
	}
	nft_batch_init(&b, nft_sock_seq(s));
	build(&b, a, n);
	rc = b.oom || nft_batch_end(&b) < 0 ? -1 : nft_sock_send(s, &b, err, sizeof(err));
	if (rc < 0)
		log_err("no-accept mode: cannot %s the nftables table inet %s: %s",
		        n ? "update" : "remove", TABLE, b.oom ? "out of memory" : err);
	nft_batch_free(&b);
	nft_sock_close(s);
	return rc;
}

/* ---- the owners' addresses ------------------------------------------------------ */

static int elem_cmp(const void *x, const void *y)
{
	const struct ka_addr *a = x, *b = y;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return a->family == AF_INET ? memcmp(&a->u.v4, &b->u.v4, 4)
	                            : memcmp(&a->u.v6, &b->u.v6, 16);
}

/* The sorted union without duplicates; NULL with *n 0 when empty. */
static struct ka_addr *union_of(size_t *n)
{
	size_t total = 0, k = 0;
	struct ka_addr *u;

	for (size_t i = 0; i < n_owners; i++)
		total += owners[i].n;
	*n = 0;
	if (!total)
		return NULL;
	u = calloc(total, sizeof(*u));
	if (!u)
		return NULL;
	for (size_t i = 0; i < n_owners; i++)
		for (size_t j = 0; j < owners[i].n; j++)
			u[k++] = owners[i].a[j];
	qsort(u, k, sizeof(*u), elem_cmp);
	*n = 0;
	for (size_t i = 0; i < k; i++)
		if (!*n || elem_cmp(&u[*n - 1], &u[i]) != 0)
			u[(*n)++] = u[i];
	return u;
}

static void sync_kernel(void)
{
	size_t n;
	struct ka_addr *u = union_of(&n);

	if (n == n_applied && (!n || memcmp(u, applied, n * sizeof(*u)) == 0)) {
		free(u);
		return;
	}
	if (!n && !table_ours) {
		free(u);
		return;
	}
	if (send_table(u, n) == 0) {
		log_info("no-accept mode: %zu address(es) dropped (nftables table inet %s)", n,
		         TABLE);
		table_ours = n > 0;
	}
	/* On failure remember the wish anyway: retrying every event would
	 * only repeat the error. */
	free(applied);
	applied = u;
	n_applied = n;
}

void vrrp_strict_set(const void *who, const struct ka_addr *addrs, size_t n)
{
	size_t i;

	for (i = 0; i < n_owners && owners[i].who != who; i++)
		;
	if (i == n_owners) {
		struct owner *o;

		if (!n)
			return;
		o = realloc(owners, (n_owners + 1) * sizeof(*o));
		if (!o)
			return;
		owners = o;
		owners[n_owners++] = (struct owner){.who = who};
	}
	free(owners[i].a);
	owners[i].a = NULL;
	owners[i].n = 0;
	if (n && (owners[i].a = calloc(n, sizeof(*addrs))) != NULL) {
		memcpy(owners[i].a, addrs, n * sizeof(*addrs));
		owners[i].n = n;
	}
	if (!owners[i].n)
		owners[i] = owners[--n_owners];
	sync_kernel();
}

void vrrp_strict_clear(bool force)
{
	for (size_t i = 0; i < n_owners; i++)
		free(owners[i].a);
	free(owners);
	owners = NULL;
	n_owners = 0;
	free(applied);
	applied = NULL;
	n_applied = 0;
	if ((force || table_ours) && send_table(NULL, 0) == 0 && table_ours)
		log_info("no-accept mode: nftables table inet %s removed", TABLE);
	table_ours = false;
}
