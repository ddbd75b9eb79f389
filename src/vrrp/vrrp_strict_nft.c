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
 * and encoded with the LVS nftables backend's helpers (lvs/nft_int.h: its
 * encoders name the table the batch says), and sent with lvs/nft_sock.h. */
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
#include "lvs/nft_int.h"
#include "lvs/nft_sock.h"
#include "vrrp/vrrp_rt_routes.h"

#define TABLE "keepalived"
#define SET4 "vips"
#define SET6 "vips6"

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

/* ---- batch building (with the LVS backend's encoders, on our table) ---------- */

static void put_set(struct nft_batch *b, const char *name, bool v6)
{
	struct nft_set_spec sp = {
	    .name = name, .key_type = v6 ? T_IP6ADDR : T_IPADDR, .key_len = v6 ? 16 : 4};

	nft_put_set(b, NFT_MSG_NEWSET, &sp);
}

/* The elements of one family. */
static void put_elems(struct nft_batch *b, const char *name, int family, const struct ka_addr *a,
                      size_t n)
{
	struct nft_elw w;

	nft_elw_init(&w, b, name, NFT_MSG_NEWSETELEM);
	for (size_t i = 0; i < n && !b->oom; i++) {
		struct nftnl_set_elem *e;

		if (a[i].family != family || !(e = nft_elw_new(&w)))
			continue;
		if (family == AF_INET)
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &a[i].u.v4, 4);
		else
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &a[i].u.v6, 16);
	}
	nft_elw_flush(&w);
}

/* [ip|ip6] [d|s]addr @set [icmpv6 type T] verdict.  icmp6_type 0: none. */
static void put_rule(struct nft_batch *b, const char *chain, bool v6, bool daddr,
                     uint8_t icmp6_type, int verdict)
{
	struct nft_rb rb = nft_rule_begin(b, chain);
	/* Offsets of the addresses in the IPv4 / IPv6 headers. */
	uint32_t off = v6 ? (daddr ? 24 : 8) : (daddr ? 16 : 12);

	nft_e_u8_eq(&rb, NFT_META_NFPROTO, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	nft_e_payload(&rb, NFT_PAYLOAD_NETWORK_HEADER, off, v6 ? 16 : 4, R(0));
	nft_e_lookup(&rb, v6 ? SET6 : SET4, R(0), -1);
	if (icmp6_type) {
		nft_e_u8_eq(&rb, NFT_META_L4PROTO, IPPROTO_ICMPV6);
		nft_e_payload(&rb, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, R(0));
		nft_e_cmp(&rb, NFT_CMP_EQ, R(0), &icmp6_type, 1);
	}
	nft_e_verdict(&rb, verdict, NULL);
	nft_rule_end(b, &rb);
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
	b->table = TABLE;
	nft_put_table(b, NFT_MSG_NEWTABLE); /* so that the deletion cannot fail */
	nft_put_table(b, NFT_MSG_DELTABLE);
	if (!n)
		return;
	nft_put_table(b, NFT_MSG_NEWTABLE);
	put_set(b, SET4, false);
	put_set(b, SET6, true);
	nft_put_chain(b, NFT_MSG_NEWCHAIN, "in", NF_INET_LOCAL_IN, -1, "filter");
	nft_put_chain(b, NFT_MSG_NEWCHAIN, "out", NF_INET_LOCAL_OUT, -1, "filter");
	put_chain_rules(b, "in", true);
	put_chain_rules(b, "out", false);
	put_elems(b, SET4, AF_INET, a, n);
	put_elems(b, SET6, AF_INET6, a, n);
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
