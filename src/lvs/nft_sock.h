/* The NETLINK_NETFILTER socket of the nftables LVS data plane.
 *
 * One batch at a time: send it, then collect one reply per message (every
 * message asks for an ack).  The kernel handles a batch inside sendmsg(),
 * so the replies are queued when it returns; the wait is bounded anyway
 * (NFT_SOCK_TIMEOUT_MS). */
#ifndef KA_NFT_SOCK_H
#define KA_NFT_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lvs/nft_batch.h"
#include "lvs/nft_rules.h"

#define NFT_SOCK_TIMEOUT_MS 1000

struct nft_sock;

/* Open and probe (NFT_MSG_GETGEN).  NULL with a one-line reason in err. */
struct nft_sock *nft_sock_open(char *err, size_t errlen);
/* Whether the kernel has DESTROYSETELEM (6.3+), probed at open with a
 * batch destroying a table that does not exist (changes nothing). */
bool nft_sock_has_destroy(const struct nft_sock *s);
void nft_sock_close(struct nft_sock *s);
/* The sequence number a new batch should start at. */
uint32_t nft_sock_seq(const struct nft_sock *s);
/* Send a finished batch.  0 when the kernel committed it; -errno of the
 * first failing message otherwise (the kernel then applied none of it),
 * with err saying which message and why. */
int nft_sock_send(struct nft_sock *s, const struct nft_batch *b, char *err, size_t errlen);
/* The ruleset generation (NFT_MSG_GETGEN): every committed transaction in
 * this network namespace, by anyone, moves it on.  0 or -errno. */
int nft_sock_genid(struct nft_sock *s, uint32_t *gen);
/* Whether the last nft_sock_send failed to talk to the kernel at all
 * (could not send, no answer in time) rather than being refused. */
bool nft_sock_transport_failed(const struct nft_sock *s);

struct nft_counter {
	char name[NFT_NAME_MAX];
	uint64_t packets, bytes;
};
/* Every counter object of our tables (inet and netdev), sorted by name (nft_counter_find).
 * 0 or -errno; *out is malloc'ed. */
int nft_sock_counters(struct nft_sock *s, struct nft_counter **out, size_t *n);
/* The elements of one of our sets (key, and data of a map: dlen 0 for a
 * verdict), in the kernel's order.  0 or -errno; *out is malloc'ed. */
struct nft_elem {
	uint8_t key[64], data[64];
	uint8_t klen, dlen;
	uint32_t flags; /* NFT_SET_ELEM_INTERVAL_END: the end of a range */
};
int nft_sock_elems(struct nft_sock *s, const char *set, struct nft_elem **out, size_t *n);
/* The same in the table of another family (NFPROTO_NETDEV: DR). */
int nft_sock_elems_fam(struct nft_sock *s, uint16_t family, const char *set, struct nft_elem **out,
                       size_t *n);
const struct nft_counter *nft_counter_find(const struct nft_counter *c, size_t n, const char *name);

#endif
