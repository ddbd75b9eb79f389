/* `lvs_data_plane ipvs|nftables|auto` and what each plane can do.
 *
 * The default is IPVS, as upstream: an existing configuration behaves as it
 * always did.  With nftables (chosen, or picked by auto on a kernel without
 * IPVS) every virtual server is checked at load time against what the
 * nftables backend can program (nft_svc_check): a combination it cannot do
 * is a configuration error naming the block, never a silently different
 * balancing. */
#include <stdlib.h>
#include <string.h>

#include "check/check_conf_int.h"
#include "lvs/lvs_backend.h"

void cb_plane_globals(struct cb *b, const conf_node *root)
{
	struct check_conf *c = b->c;
	const conf_node *g, *n, *syncd = NULL, *timeouts = NULL;

	c->lvs_plane = LVS_PLANE_IPVS;
	for (g = conf_first(root, "global_defs"); g; g = conf_next_named(g)) {
		for (n = g->child; n; n = n->next) {
			if (cb_is(n, "lvs_data_plane") && n->argc > 1)
				c->lvs_plane = strcmp(n->argv[1], "nftables") == 0 ? LVS_PLANE_NFT
				               : strcmp(n->argv[1], "auto") == 0   ? LVS_PLANE_AUTO
				                                                   : LVS_PLANE_IPVS;
			else if (cb_is(n, "lvs_sync_daemon"))
				syncd = n;
			else if (cb_is(n, "lvs_timeouts"))
				timeouts = n;
		}
	}
	c->lvs_plane_eff = lvs_plane_resolve(c->lvs_plane);
	if (c->lvs_plane_eff != LVS_PLANE_NFT)
		return;
	if (syncd)
		cb_err(b, syncd,
		       "lvs_sync_daemon needs IPVS: the nftables data plane has no connection "
		       "sync daemon (conntrackd can replicate its connections)");
	if (timeouts)
		cb_err(b, timeouts,
		       "lvs_timeouts sets IPVS timeouts: with the nftables data plane use the "
		       "net.netfilter.nf_conntrack_*_timeout* sysctls");
}

/* Every service the block stands for, with its real servers and sorry
 * server as configured. */
void cb_plane_vs(struct cb *b, const conf_node *n, const struct check_vs_conf *vs)
{
	struct lvs_dest *d;
	size_t nd = 0;
	char why[256];

	if (b->c->lvs_plane_eff != LVS_PLANE_NFT || !vs->n_svcs)
		return;
	d = calloc(vs->n_rs + 1u, sizeof(*d));
	if (!d) {
		b->oom = true;
		return;
	}
	for (unsigned i = 0; i < vs->n_rs; i++)
		d[nd++] = vs->rs[i].dest;
	if (vs->has_sorry)
		d[nd++] = vs->sorry;
	for (size_t s = 0; s < vs->n_svcs; s++) {
		if (nft_svc_check(&vs->svcs[s], &vs->attr, d, nd, why, sizeof(why)) < 0) {
			cb_err(
			    b, n, "virtual_server %s%s%s: %s%s", n->argv[1], n->argc > 2 ? " " : "",
			    n->argc > 2 ? n->argv[2] : "", why,
			    b->c->lvs_plane == LVS_PLANE_AUTO
			        ? " (lvs_data_plane auto chose nftables: this kernel has no IPVS)"
			        : "");
			break;
		}
	}
	free(d);
}
