/* Which DR service forwards on which interface (nftables backend).
 *
 * A DR service is bound to the interface whose connected subnet holds its
 * real servers (nft_dr_pick_dev).  The backend keeps the binding of every
 * DR service it programmed: a service left without real servers keeps
 * its interface (and drops traffic there, no server being available), and
 * the netdev table hooks exactly the interfaces in use. */
#ifndef KA_NFT_BIND_H
#define KA_NFT_BIND_H

#include <stdbool.h>
#include <stddef.h>

#include "lvs/lvs.h"
#include "lvs/nft_rules.h"

struct nft_bind {
	struct lvs_svc_key key;
	struct nft_dev dev;
};

struct nft_binds {
	struct nft_bind *v;
	size_t n, cap;
};

void nft_binds_free(struct nft_binds *b);
const struct nft_dev *nft_binds_find(const struct nft_binds *b, const struct lvs_svc_key *k);
/* Add or replace; -1 on ENOMEM. */
int nft_binds_set(struct nft_binds *b, const struct lvs_svc_key *k, const struct nft_dev *d);
void nft_binds_del(struct nft_binds *b, const struct lvs_svc_key *k);
int nft_binds_copy(struct nft_binds *dst, const struct nft_binds *src);
bool nft_binds_uses(const struct nft_binds *b, const char *ifname);

/* The binding of s: 1 DR on *dev, 0 not DR (NAT), -1 DR without a usable
 * interface (why says which server).  old: its current binding or NULL. */
int nft_bind_svc(const struct lvs_tsvc *s, const struct nft_dev *old, const struct nft_ifaddr *ifs,
                 size_t nifs, struct nft_dev *dev, char *why, size_t whylen);

/* The addresses of this host's interfaces that are up (getifaddrs).
 * 0 or -errno; *out is malloc'ed. */
int nft_ifaddrs_read(struct nft_ifaddr **out, size_t *n);

#endif
