/* Forgetting the remembered clients of real servers that leave a service
 * (nftables backend): NAT persistence affinities (@aff) and DR flows
 * (@flows).  The elements are read from the kernel and deleted in the
 * service's update batch, so the next packet of such a client is
 * scheduled afresh. */
#ifndef KA_NFT_PURGE_H
#define KA_NFT_PURGE_H

#include "lvs/lvs.h"
#include "lvs/nft_batch.h"
#include "lvs/nft_sock.h"

/* old -> now of a NAT service: the affinities of destinations that left
 * the live set (when now is persistent as old was). */
void nft_purge_departed(struct nft_sock *sock, struct nft_batch *b, const struct lvs_tsvc *old,
                        const struct lvs_tsvc *now);
/* old -> now of a DR service: the flows of real servers no longer
 * reachable (removed; quiesced under persistence). */
void nft_purge_departed_dr(struct nft_sock *sock, struct nft_batch *b, const struct lvs_tsvc *old,
                           const struct lvs_tsvc *now);

#endif
