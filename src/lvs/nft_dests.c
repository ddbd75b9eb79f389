/* Destination sets compared by identity (nft_dests_delta,
 * nft_dests_join, nft_same_dest_ids; nft_rules.h).
 *
 * Every change of one destination compares the service before and after
 * a few times (counters, @live, @to, the relocation), so this is linear:
 * one side is put in a hash table of identities, the other looked up in
 * it. */
#include <stdlib.h>
#include <string.h>

#include "lvs/nft_rules.h"

/* Open addressing over s's destinations: slot = index + 1, 0 empty. */
struct dest_index {
	const struct lvs_tsvc *s;
	uint32_t *slot;
	size_t mask;
};

/* FNV-1a of what lvs_dest_same_id compares: family, address, port. */
static uint32_t dest_hash(const struct lvs_dest *d)
{
	const uint8_t *p = (const uint8_t *)&d->addr.u;
	size_t n = d->addr.family == AF_INET6 ? 16 : 4, i;
	uint32_t h = 2166136261u;

	h = (h ^ (uint8_t)d->addr.family) * 16777619u;
	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	h = (h ^ (uint8_t)(d->port >> 8)) * 16777619u;
	h = (h ^ (uint8_t)d->port) * 16777619u;
	return h ^ (h >> 15);
}

static int index_build(struct dest_index *x, const struct lvs_tsvc *s)
{
	size_t cap = 16, i, k;

	while (cap < 2 * s->n_dests)
		cap *= 2;
	x->s = s;
	x->mask = cap - 1;
	x->slot = calloc(cap, sizeof(*x->slot));
	if (!x->slot)
		return -1;
	for (i = 0; i < s->n_dests; i++) {
		for (k = dest_hash(&s->dests[i].d) & x->mask; x->slot[k]; k = (k + 1) & x->mask)
			;
		x->slot[k] = (uint32_t)i + 1;
	}
	return 0;
}

/* d's index in the indexed service, or SIZE_MAX. */
static size_t index_find(const struct dest_index *x, const struct lvs_dest *d)
{
	size_t k;

	for (k = dest_hash(d) & x->mask; x->slot[k]; k = (k + 1) & x->mask)
		if (lvs_dest_same_id(&x->s->dests[x->slot[k] - 1].d, d))
			return x->slot[k] - 1;
	return SIZE_MAX;
}

int nft_dests_join(const struct lvs_tsvc *a, const struct lvs_tsvc *b,
                   void (*both)(size_t ia, size_t ib, void *arg), void *arg)
{
	struct dest_index x;
	bool *seen = calloc(b->n_dests ? b->n_dests : 1, sizeof(*seen));
	size_t i, j;

	if (!seen || index_build(&x, b) < 0) {
		free(seen);
		return -1;
	}
	for (i = 0; i < a->n_dests; i++) {
		j = index_find(&x, &a->dests[i].d);
		if (j != SIZE_MAX)
			seen[j] = true;
		both(i, j, arg);
	}
	for (j = 0; j < b->n_dests; j++)
		if (!seen[j])
			both(SIZE_MAX, j, arg);
	free(x.slot);
	free(seen);
	return 0;
}

int nft_dests_delta(const struct lvs_tsvc *a, const struct lvs_tsvc *b,
                    bool (*only_a)(size_t ia, void *arg), void *arg)
{
	struct dest_index x;
	size_t i;
	int r = 0;

	if (index_build(&x, b) < 0)
		return -1;
	for (i = 0; i < a->n_dests; i++)
		if (index_find(&x, &a->dests[i].d) == SIZE_MAX && !only_a(i, arg)) {
			r = 1;
			break;
		}
	free(x.slot);
	return r;
}

static bool stop(size_t ia, void *arg)
{
	(void)ia;
	(void)arg;
	return false;
}

bool nft_same_dest_ids(const struct lvs_tsvc *a, const struct lvs_tsvc *b)
{
	/* Identities are unique within a service: same count, all of a in b. */
	return a->n_dests == b->n_dests && nft_dests_delta(a, b, stop, NULL) == 0;
}
