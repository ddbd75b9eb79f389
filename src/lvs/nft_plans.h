/* The @idx layout the kernel has for each of our services (nftables
 * backend).  rr and wrr layouts depend on history (nft_svc_compile_next),
 * so the next change must start from what the last committed batch
 * made, not from a fresh compile of the old service.  Plans refer to
 * destinations by index, into the service of the mirror they were made
 * for. */
#ifndef KA_NFT_PLANS_H
#define KA_NFT_PLANS_H

#include <stddef.h>

#include "lvs/lvs.h"
#include "lvs/nft_rules.h"

struct nft_plans {
	struct nft_plan_entry {
		struct lvs_svc_key key;
		struct nft_svc_plan p;
	} * v;
	size_t n, cap;
};

/* NULL when k has none. */
const struct nft_svc_plan *nft_plans_find(const struct nft_plans *ps, const struct lvs_svc_key *k);
/* Store p (taken over: p is emptied, even on failure) as k's plan,
 * replacing the one there.  0, -1 on ENOMEM. */
int nft_plans_put(struct nft_plans *ps, const struct lvs_svc_key *k, struct nft_svc_plan *p);
void nft_plans_del(struct nft_plans *ps, const struct lvs_svc_key *k);
void nft_plans_free(struct nft_plans *ps);

#endif
