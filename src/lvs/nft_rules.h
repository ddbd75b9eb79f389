/* The nftables LVS data plane: what one virtual service compiles to (pure).
 *
 * Everything lives in one table, inet "keepalived_lvs" (nft_batch.h builds
 * the messages).  A service becomes a chain named after its key, an
 * interval map from a 32-bit number to a destination (@idx), and per
 * destination named counters.  The packet picks a number (numgen for rr
 * and wrr, jhash for sh/dh/mh) and @idx turns it into the destination:
 * weights are consecutive ranges of numbers, so the shares are exact
 * without one element per unit of weight.
 *
 * This file decides names, ranges and the Maglev table; it has no
 * sockets, clocks or globals, so the same table gives the same rules on
 * every director and after every restart. */
#ifndef KA_NFT_RULES_H
#define KA_NFT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lvs/lvs.h"

#define NFT_TABLE_NAME "keepalived_lvs"
/* Object names: "vs_udp_" + 39 address chars + "_65535" + "__" + another
 * address and port + "_conn" stays far below this. */
#define NFT_NAME_MAX 160
/* Maglev lookup table size: the kernel's default CONFIG_IP_VS_MH_TAB_INDEX
 * (a prime, so every skip visits every slot). */
#define NFT_MH_M 4093
/* Entries of a persistence map before the packet path stops adding. */
#define NFT_AFF_SIZE 65535

enum nft_sched { NFT_SCHED_RR, NFT_SCHED_WRR, NFT_SCHED_SH, NFT_SCHED_DH, NFT_SCHED_MH };

/* Numbers lo..hi (inclusive) of @idx go to dests[dest] of the service. */
struct nft_range {
	uint32_t lo, hi;
	uint32_t dest;
};

/* The compiled form of one service: two services with equal plans (and the
 * same destination list) need no change in the kernel. */
struct nft_svc_plan {
	enum nft_sched sched;
	bool persist;     /* IP_VS_SVC_F_PERSISTENT: rule 1 and @aff/@live */
	bool with_port;   /* dnat to addr . port (else addr only, fwmark) */
	bool hash_port;   /* sh/mh: the source port joins the hash */
	uint32_t seed;    /* jhash seed, a function of the key only */
	uint32_t modulus; /* numgen/jhash modulus; 0 = no live destination */
	uint32_t timeout_s;
	uint32_t netmask;
	struct nft_range *ranges; /* sorted by lo, covering 0..modulus-1 */
	size_t n_ranges;
};

/* "vs_tcp_192_0_2_1_80", "vs_udp_2001_db8__1_53", "vs_fwm5_v4". */
const char *nft_chain_name(const struct lvs_svc_key *k, char *buf, size_t len);
/* "<chain>_<suffix>": the service's sets ("idx", "aff", "live", "conn"). */
const char *nft_set_name(const struct lvs_svc_key *k, const char *suffix, char *buf, size_t len);
/* "<chain>__<addr>_<port>_<suffix>": counters ("conn", "in", "out"). */
const char *nft_counter_name(const struct lvs_svc_key *k, const struct lvs_dest *d,
                             const char *suffix, char *buf, size_t len);

/* The scheduler of a name; -1 when nftables cannot do it. */
int nft_sched_parse(const char *name);
/* Whether the service's destinations carry a port (fwmark with port 0:
 * keep the packet's port). */
bool nft_svc_with_port(const struct lvs_tsvc *s);
/* 0 = supported; -1 with why (a complete sentence naming an alternative). */
int nft_svc_check(const struct lvs_svc_key *k, const struct lvs_svc_attr *a,
                  const struct lvs_dest *dests, size_t n, char *why, size_t whylen);

/* Compile a service (assumed to pass nft_svc_check).  0, -1 on ENOMEM. */
int nft_svc_compile(const struct lvs_tsvc *s, struct nft_svc_plan *p);
void nft_svc_plan_free(struct nft_svc_plan *p);
/* Same rules and same @idx contents (ranges compared by destination
 * identity, looked up in each plan's own service). */
bool nft_svc_plan_equal(const struct nft_svc_plan *a, const struct lvs_tsvc *sa,
                        const struct nft_svc_plan *b, const struct lvs_tsvc *sb);

/* Destination identity order (address, then port); memcmp-like. */
int nft_dest_order(const struct lvs_dest *a, const struct lvs_dest *b);
/* Indices of s's destinations (all, or those with weight > 0) sorted in
 * that order; idx holds s->n_dests entries.  Returns how many. */
size_t nft_dests_sorted(const struct lvs_tsvc *s, uint32_t *idx, bool live_only);

/* ---- destination sets by identity (nft_dests.c), O(n) ---- */

/* Calls only_a(index in a) for each destination of a that b lacks, in a's
 * order; only_a returns false to stop (then 1 is returned).  0, or -1 on
 * ENOMEM. */
int nft_dests_delta(const struct lvs_tsvc *a, const struct lvs_tsvc *b,
                    bool (*only_a)(size_t ia, void *arg), void *arg);
/* Same destination identities (weights aside). */
bool nft_same_dest_ids(const struct lvs_tsvc *a, const struct lvs_tsvc *b);
/* Calls both(ia, ib) for every destination identity of a or b with its
 * index in each (SIZE_MAX where absent): a's in a's order, then b's own
 * in b's order.  0, or -1 on ENOMEM. */
int nft_dests_join(const struct lvs_tsvc *a, const struct lvs_tsvc *b,
                   void (*both)(size_t ia, size_t ib, void *arg), void *arg);

/* ---- changing @idx a little (nft_relayout.c, nft_idxdiff.c) ----
 *
 * The kernel's @idx is whatever the last committed batch made it, so an
 * update is computed from the plan the kernel has (kept by nft_dp.c), not
 * from a fresh compile of the old service. */

/* Compile s as a change of prev, the plan the kernel has for ps (s as it
 * was; prev NULL: none).  rr and wrr keep prev's layout where they can:
 * a destination that leaves (or loses units) leaves holes that the units
 * at the end of [0, modulus) move into, and a new destination (or more
 * units) takes numbers at the end, so each live destination still owns
 * exactly weight/gcd units.  The layout is fresh (nft_svc_compile) when
 * the unit of weight changes (another gcd), the scheduler changes, or the
 * ranges grew fragmented.  sh, dh and mh are always fresh: their layout
 * must follow from the set alone (directors and restarts hash a client
 * alike).  0, -1 on ENOMEM. */
int nft_svc_compile_next(const struct lvs_tsvc *s, const struct nft_svc_plan *prev,
                         const struct lvs_tsvc *ps, struct nft_svc_plan *p);
/* Whether two plans need the same rules in the service chain (modulus,
 * hash, persistence); @idx aside. */
bool nft_plan_rules_equal(const struct nft_svc_plan *a, const struct nft_svc_plan *b);

/* One element of an interval map: the start of a range (data: its
 * destination) or an end (the first number past a range, no data). */
struct nft_idx_elem {
	uint32_t key;
	bool end;
	uint32_t dest; /* start: index into the service's dests */
};
/* The elements to delete (of the old plan's service) and to add (of the
 * new one's), to turn o's @idx into n's in one transaction: the deletes
 * first, then the adds, each in the order given.  The kernel checks every
 * element against what the set holds at that moment (nft_idxdiff.c has
 * the rules), so the order matters, and a kept end element is sometimes
 * deleted and added again. */
struct nft_idx_diff {
	struct nft_idx_elem *del, *add;
	size_t n_del, n_add;
};
/* o or n NULL: an empty @idx.  0, -1 on ENOMEM. */
int nft_idx_diff(const struct nft_svc_plan *o, const struct lvs_tsvc *so,
                 const struct nft_svc_plan *n, const struct lvs_tsvc *sn, struct nft_idx_diff *d);
void nft_idx_diff_free(struct nft_idx_diff *d);

/* Building blocks, exported for the tests. */
/* Append lo..hi -> d to p's ranges (merged with the last one when it is
 * d's and adjacent); cap is the room allocated.  -1 on ENOMEM. */
int nft_range_push(struct nft_svc_plan *p, size_t *cap, uint32_t lo, uint32_t hi, uint32_t d);
uint32_t nft_gcd(uint32_t a, uint32_t b);
/* The jhash seed of a service: FNV-1a over the key's identity. */
uint32_t nft_svc_seed(const struct lvs_svc_key *k);
/* Fill table[0..m-1] with indices into the n destinations of weights w
 * (0 = out) by Maglev's permutation fill; -1 when no weight is > 0 or on
 * ENOMEM.  offset/skip of a destination come from two hashes of its
 * address and port. */
int nft_maglev_fill(const struct lvs_dest *const *d, const uint32_t *w, size_t n, uint32_t m,
                    uint32_t *table);

/* ---- direct routing (nft_drplan.c) ---- */

/* Flows remembered per DR service (the packet path stops adding beyond),
 * and how long an idle one is kept without persistence. */
#define NFT_DR_FLOWS_SIZE 262144
#define NFT_DR_FLOW_TIMEOUT 300

/* The interface a DR service forwards on. */
struct nft_dev {
	unsigned ifindex;
	char name[16]; /* IFNAMSIZ */
};
/* One address of one interface of this host (its connected subnet). */
struct nft_ifaddr {
	char name[16];
	unsigned ifindex;
	struct ka_addr addr;
	unsigned prefix;
};

/* A service of real servers with lb_kind DR (nft_svc_check keeps a
 * service from mixing NAT and DR). */
bool nft_svc_is_dr(const struct lvs_tsvc *s);
/* The 32-bit number a DR flow remembers its real server by: stable while
 * the server stays (unlike its position in the list).  */
uint32_t nft_dr_index(const struct lvs_dest *d);
/* The interface whose connected subnet holds every real server of s
 * (longest prefix); -1 with why (naming the server). */
int nft_dr_pick_dev(const struct nft_ifaddr *ifs, size_t n, const struct lvs_tsvc *s,
                    struct nft_dev *out, char *why, size_t whylen);

#endif
