/* Purging departed servers' clients (nft_purge.h). */
#include "lvs/nft_purge.h"

#include <linux/ip_vs.h>
#include <linux/netfilter.h>
#include <stdlib.h>
#include <string.h>

#include "lvs/nft_rules.h"

/* ---- NAT: persistence affinities ---- */

static bool persistent(const struct lvs_tsvc *s)
{
	return s->attr.flags & IP_VS_SVC_F_PERSISTENT;
}

static bool live_in(const struct lvs_tsvc *s, const struct lvs_dest *d)
{
	const struct lvs_tdest *td = lvs_svc_find_dest(s, d);

	return td && td->d.weight > 0;
}

/* Whether an affinity's destination (its @aff data) left the live set
 * between old and now. */
static bool departed(const struct lvs_tsvc *old, const struct lvs_tsvc *now,
                     const struct nft_elem *e, bool with_port)
{
	uint8_t k[32];
	size_t i;

	for (i = 0; i < old->n_dests; i++) {
		const struct lvs_dest *d = &old->dests[i].d;

		if (d->weight <= 0 || live_in(now, d))
			continue;
		if (nft_dest_key(d, with_port, k) == e->dlen && !memcmp(k, e->data, e->dlen))
			return true;
	}
	return false;
}

static bool any_departed(const struct lvs_tsvc *old, const struct lvs_tsvc *now)
{
	size_t i;

	for (i = 0; i < old->n_dests; i++)
		if (old->dests[i].d.weight > 0 && !live_in(now, &old->dests[i].d))
			return true;
	return false;
}

/* A destination leaving a persistent service takes its clients'
 * affinities with it (the packet path cannot check them, see
 * nft_batch.h): find them in the kernel's @aff and forget them in the
 * same batch.  When @aff cannot be read, forget every affinity. */
void nft_purge_departed(struct nft_sock *sock, struct nft_batch *b, const struct lvs_tsvc *old,
                        const struct lvs_tsvc *now)
{
	char set[NFT_NAME_MAX];
	struct nft_elem *e = NULL;
	uint8_t *keys = NULL;
	size_t n = 0, i, k = 0, klen = now->key.af == AF_INET6 ? 16 : 4;
	bool with_port = nft_svc_with_port(now), destroy = nft_sock_has_destroy(sock);

	if (!persistent(old) || !persistent(now) || with_port != nft_svc_with_port(old) ||
	    !any_departed(old, now))
		return;
	nft_set_name(&now->key, "aff", set, sizeof(set));
	if (destroy && nft_sock_elems(sock, set, &e, &n) < 0)
		destroy = false;
	if (destroy && n)
		keys = malloc(n * klen);
	if (destroy && n && !keys)
		destroy = false;
	for (i = 0; destroy && i < n; i++)
		if (e[i].klen == klen && departed(old, now, &e[i], with_port))
			memcpy(keys + klen * k++, e[i].key, klen);
	if (!destroy || k)
		nft_batch_aff_purge(b, now, keys, klen, k, destroy);
	free(keys);
	free(e);
}

/* ---- DR: flows ---- */

/* Whether a flow remembering d still reaches it (nft_dr.c to_member). */
static bool dr_reachable(const struct lvs_tsvc *s, const struct lvs_dest *d)
{
	return !persistent(s) || d->weight > 0;
}

/* The flow numbers of s's real servers that stop being reachable in now;
 * n of them. */
static size_t dr_departed(const struct lvs_tsvc *old, const struct lvs_tsvc *now, uint32_t *ix)
{
	const struct lvs_tdest *td;
	size_t i, n = 0;

	for (i = 0; i < old->n_dests; i++) {
		const struct lvs_dest *d = &old->dests[i].d;

		td = lvs_svc_find_dest(now, d);
		if (dr_reachable(old, d) && !(td && dr_reachable(now, &td->d)))
			ix[n++] = nft_dr_index(d);
	}
	return n;
}

/* The flows of DR real servers that left (removed, or quiesced under
 * persistence) are forgotten, so their next packet is scheduled afresh
 * and remembered anew (see nft_purge_departed). */
void nft_purge_departed_dr(struct nft_sock *sock, struct nft_batch *b, const struct lvs_tsvc *old,
                           const struct lvs_tsvc *now)
{
	char set[NFT_NAME_MAX];
	struct nft_elem *e = NULL;
	uint32_t *ix = calloc(old->n_dests ? old->n_dests : 1, sizeof(*ix)), v;
	uint8_t *keys = NULL;
	size_t n = 0, nd, i, j, k = 0, klen = now->key.af == AF_INET6 ? 16 : 4;
	bool destroy = nft_sock_has_destroy(sock);

	nd = ix ? dr_departed(old, now, ix) : 1;
	if (!nd) {
		free(ix);
		return;
	}
	if (!persistent(now))
		klen += 4;
	nft_set_name(&now->key, "flows", set, sizeof(set));
	if (!ix || (destroy && nft_sock_elems_fam(sock, NFPROTO_NETDEV, set, &e, &n) < 0))
		destroy = false;
	if (destroy && n && !(keys = malloc(n * klen)))
		destroy = false;
	for (i = 0; destroy && i < n; i++) {
		if (e[i].klen != klen || e[i].dlen != 4)
			continue;
		memcpy(&v, e[i].data, 4);
		for (j = 0; j < nd; j++)
			if (ix[j] == v) {
				memcpy(keys + klen * k++, e[i].key, klen);
				break;
			}
	}
	if (!destroy || k)
		nft_batch_dr_flows_purge(b, now, keys, klen, k, destroy);
	free(keys);
	free(e);
	free(ix);
}
