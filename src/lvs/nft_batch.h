/* nftables transactions of the LVS data plane, encoded (pure).
 *
 * A batch is BATCH_BEGIN, messages, BATCH_END in one growable buffer; the
 * kernel applies all of it or nothing.  Every message asks for an ack, so
 * the sender knows which one failed (its sequence number is first_seq +
 * its position).  Nothing here touches a socket: the same functions feed
 * the kernel (nft_sock.h) and the golden tests (nft_batch_render).
 *
 * The layout built here (table inet keepalived_lvs):
 *   maps svc4, svc6: daddr . l4proto . dport -> jump <service chain>;
 *     svcmark: mark . nfproto -> jump (the family is in the key because
 *     IPVS allows a fwmark service per family)
 *   chains prerouting and output (nat, dstnat) look packets up there; a
 *     service chain translates: rule 1 an affinity (@aff), rule 2 a number
 *     (numgen/jhash) through @idx, rule 3 drop
 *   chains forward and local (filter, after NAT) see the first packet of
 *     each translated connection: they count it (rsconn4/6 keyed vip .
 *     proto . vport . rip . rport, fwconn4/6 keyed mark . rip) and pass it
 *     to the post chain of a persistent service (post4/post6/postmark),
 *     which records the client's affinity; forward also counts packets and
 *     bytes in (original direction) and out (reply) in rsin4/6, rsout4/6
 *   per service: chains <chain> (and <chain>_post), sets @idx (and
 *     @aff, @live), per destination counters _conn, _in, _out (fwmark:
 *     _conn only).
 * Connections are counted after NAT rather than by a counter map keyed by
 * the destination in the service chain: a rule keyed by what a map lookup
 * returned makes the nft CLI (1.0.x) abort while listing, and an
 * operator's `nft list ruleset` must keep working.  The protocol is in
 * the counter keys so a TCP and a UDP service on the same address and
 * port keep separate counters. */
#ifndef KA_NFT_BATCH_H
#define KA_NFT_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lvs/lvs.h"

struct nft_svc_plan;

struct nft_batch {
	uint8_t *buf;
	size_t len, cap;
	uint32_t first_seq; /* of the first message after BATCH_BEGIN */
	uint32_t seq;       /* next sequence number */
	unsigned n_msgs;    /* messages between BEGIN and END */
	uint32_t set_id;    /* last NFTA_SET_ID given */
	uint16_t family;    /* of the messages added now: NFPROTO_INET or _NETDEV */
	const char *table;  /* the table they name: NFT_TABLE_NAME unless changed */
	bool oom;           /* an allocation failed: the batch is unusable */
};

/* Start a batch (writes BATCH_BEGIN); seq is the first sequence number. */
void nft_batch_init(struct nft_batch *b, uint32_t seq);
void nft_batch_free(struct nft_batch *b);
/* Close it (BATCH_END).  0, or -1 when an allocation failed on the way. */
int nft_batch_end(struct nft_batch *b);

/* A hash of the messages (not their sequence numbers): two batches that
 * ask the kernel for the same thing have the same fingerprint. */
uint64_t nft_batch_fingerprint(const struct nft_batch *b);

/* Adopting the tables a killed checker left (nft_dp.c).  After a
 * rebuild, the checker publishes the ruleset generation its commit made
 * and the rebuild's fingerprint; the parent keeps the last one and its
 * next checker inherits it.  That checker's first rebuild is not sent when
 * the generation has not moved since (nobody committed anything, so the
 * tables are exactly what that batch made) and the fingerprints are the
 * same: a respawn does not rewrite 10,000 servers' worth of objects,
 * which holds a non-preemptible kernel for tens of ms.  Any later change
 * withdraws it (valid 0). */
struct nft_adopt {
	uint64_t fp;
	uint32_t gen;
	uint32_t valid;
};
extern struct nft_adopt nft_adopt_inherited;
/* Set by the checker's runtime to pass a new token to the parent. */
extern void (*nft_adopt_publish)(const struct nft_adopt *a);

/* Our table from scratch: whatever a predecessor left goes (add, delete,
 * add), then the base objects and every service of t. */
void nft_batch_replace(struct nft_batch *b, const struct lvs_table *t);
/* A service with @idx laid out as p says (NULL: nft_svc_compile's fresh
 * layout; nft_rules.h). */
void nft_batch_svc_add(struct nft_batch *b, const struct lvs_tsvc *s, const struct nft_svc_plan *p);
void nft_batch_svc_del(struct nft_batch *b, const struct lvs_tsvc *s);
/* old, whose plan in the kernel is op, -> now with plan np (same key;
 * NULL plans: fresh layouts).  Only what differs is sent: the chain's
 * rules when they change (the modulus, say), the @idx elements that
 * differ (nft_idx_diff), @live's elements of the destinations that join
 * or leave it, counters of added and removed destinations; @aff survives
 * (flushed only when the persistence netmask changed). */
void nft_batch_svc_update(struct nft_batch *b, const struct lvs_tsvc *old,
                          const struct nft_svc_plan *op, const struct lvs_tsvc *now,
                          const struct nft_svc_plan *np);
void nft_batch_table_del(struct nft_batch *b);
/* Both of our tables (inet and netdev), whether or not they exist: each
 * is added, then deleted. */
void nft_batch_tables_del(struct nft_batch *b);
/* Forget the persistence affinities with these keys (n keys of klen
 * bytes, as dumped from the service's @aff) with DESTROYSETELEM, which
 * does not fail on one that expired meanwhile; without destroy (older
 * kernels) the whole @aff is flushed instead. */
void nft_batch_aff_purge(struct nft_batch *b, const struct lvs_tsvc *s, const uint8_t *keys,
                         size_t klen, size_t n, bool destroy);

/* A destination as @idx, @aff and @live hold it: addr [. port] with the
 * port in 4 bytes (network order first).  Returns the length. */
uint32_t nft_dest_key(const struct lvs_dest *d, bool with_port, uint8_t *p);

/* "add set vs_tcp_192_0_2_1_80_idx": one message, for error logs. */
const char *nft_batch_msg_describe(const void *nlh, char *buf, size_t len);
/* The batch as stable text, one block per message (libnftnl's own
 * printing of each object).  malloc'ed, NULL on error. */
char *nft_batch_render(const void *buf, size_t len);

/* ---- direct routing: table netdev keepalived_lvs (nft_dr.c) ----
 *
 * A DR service cannot use NAT hooks (the packet must leave unchanged), so
 * it lives in a second table of ours, family netdev, at the ingress hook
 * of the interface facing its real servers:
 *   maps svc4, svc6: daddr . l4proto . dport -> jump <service chain>,
 *     looked up by one base chain per interface in use, in_<ifname>
 *   per service: chain <chain>; maps <chain>_flows (client -> the number
 *     of its real server, nft_dr_index; dynamic, with a timeout),
 *     <chain>_idx (numgen/jhash number -> goto <rs>_new) and <chain>_to
 *     (real server number -> goto <rs>_fwd); per real server chains
 *     <chain>__<addr>_<port>_new (count the flow, remember it) and
 *     _fwd (count the packet, `fwd` to the server's MAC), counters _conn
 *     and _in (replies bypass the director: no _out).
 * Ingress comes before conntrack, so @flows keeps each connection (or,
 * with persistence, each client) on one server.  The flow's number goes
 * through the packet mark to pick the _fwd chain: a lookup keyed by what
 * another lookup returned makes the nft CLI (1.0.x) abort while listing,
 * and `nft list ruleset` must keep working.  The mark is scratch: the
 * packet leaves through `fwd` (or is dropped) right after. */
void nft_batch_dr_replace(struct nft_batch *b);
/* The base chain hooking one interface (add or delete). */
void nft_batch_dr_hook(struct nft_batch *b, const char *ifname, bool add);
/* Plans as for nft_batch_svc_add and _update (NULL: fresh layouts). */
void nft_batch_dr_svc_add(struct nft_batch *b, const struct lvs_tsvc *s,
                          const struct nft_svc_plan *p, unsigned ifindex);
void nft_batch_dr_svc_del(struct nft_batch *b, const struct lvs_tsvc *s);
/* old -> now, same key, interface and flow key (persistence, netmask):
 * the rules when they change, the @idx and @to elements that differ,
 * real server chains and counters of added and removed servers; @flows
 * survives. */
void nft_batch_dr_svc_update(struct nft_batch *b, const struct lvs_tsvc *old,
                             const struct nft_svc_plan *op, const struct lvs_tsvc *now,
                             const struct nft_svc_plan *np, unsigned ifindex);
/* Whether old -> now can be an update (else delete and add). */
bool nft_dr_updatable(const struct lvs_tsvc *old, const struct lvs_tsvc *now);
/* Delete the netdev table whether or not it exists (add, then delete). */
void nft_batch_dr_table_del(struct nft_batch *b);
/* Forget these flows of s (keys of klen bytes, as dumped from its
 * @flows), as nft_batch_aff_purge. */
void nft_batch_dr_flows_purge(struct nft_batch *b, const struct lvs_tsvc *s, const uint8_t *keys,
                              size_t klen, size_t n, bool destroy);

#endif
