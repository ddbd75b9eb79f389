/* The elements that turn one @idx into another (nft_idx_diff,
 * nft_rules.h).
 *
 * An interval map holds a start element (key lo, data: the destination)
 * and an end element (key hi + 1, flagged INTERVAL_END) per range; where
 * one range ends and the next starts both share the key.  In key order,
 * end before start on a tie, a plan's elements alternate start, end,
 * start, end.
 *
 * The kernel (nft_set_rbtree) checks each element against the set as it
 * is at that moment, the transaction's earlier deletions already gone:
 *
 * - adding, refused as overlaps: a start whose closest element at or
 *   below is a start, an end whose closest element at or below is an end,
 *   an end whose closest element at or above is an end.  With the
 *   deletions first and the additions in ascending order, every element
 *   below the one added is in place, so its neighbour below is of the
 *   other kind; the one risk is above: a new end cutting a range whose old
 *   end is kept.  That kept end is deleted and added again, which moves
 *   the question to the next kept element above it.
 * - deleting (kernels with interval validation, 6.18 has it): deleting a
 *   start leaves a mark on the set, cleared by the next end deleted or
 *   start added, and kept across transactions; an end deleted while the
 *   mark is on must be the deleted start's own end (right above it), else
 *   it is "not found".  So the starts go first (the first one also clears
 *   a mark someone left), those whose end goes too each followed by that
 *   end, then the ends whose start stays.  The deletions must not end on
 *   a start whose end stays (the mark would outlive the transaction and
 *   fail the next one): if every start deleted is such a start, the end
 *   of one of them is deleted too (and added again). */
#include <stdlib.h>
#include <string.h>

#include "lvs/nft_rules.h"

struct elems {
	struct nft_idx_elem *v;
	size_t n;
};

/* A plan's elements in key order (end before start on equal keys): its
 * ranges are sorted and disjoint, so that is their order. */
static int elems_of(const struct nft_svc_plan *p, struct elems *e)
{
	size_t i;

	e->n = 0;
	e->v = calloc(p && p->n_ranges ? 2 * p->n_ranges : 1, sizeof(*e->v));
	if (!e->v)
		return -1;
	for (i = 0; p && i < p->n_ranges; i++) {
		e->v[e->n++] = (struct nft_idx_elem){p->ranges[i].lo, false, p->ranges[i].dest};
		e->v[e->n++] = (struct nft_idx_elem){p->ranges[i].hi + 1, true, 0};
	}
	return 0;
}

/* Key order, ends first on a tie; memcmp-like. */
static int elem_cmp(const struct nft_idx_elem *a, const struct nft_idx_elem *b)
{
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return (int)b->end - (int)a->end;
}

/* Room is allocated beforehand: at most every old element is deleted,
 * every new one added. */
static void push(struct nft_idx_elem *v, size_t *n, const struct nft_idx_elem *e)
{
	v[(*n)++] = *e;
}

/* Deletion order (above). */
static void order_deletions(const struct elems *eo, const bool *gone, struct nft_idx_diff *d)
{
	size_t r, n = eo->n / 2;

	for (r = 0; r < n; r++)
		if (gone[2 * r] && !gone[2 * r + 1])
			push(d->del, &d->n_del, &eo->v[2 * r]);
	for (r = 0; r < n; r++) {
		if (!gone[2 * r] || !gone[2 * r + 1])
			continue;
		push(d->del, &d->n_del, &eo->v[2 * r]);
		push(d->del, &d->n_del, &eo->v[2 * r + 1]);
	}
	for (r = 0; r < n; r++)
		if (gone[2 * r + 1] && !gone[2 * r])
			push(d->del, &d->n_del, &eo->v[2 * r + 1]);
}

/* A start deleted whose end stays, when no start goes with its end:
 * the index of its range, or SIZE_MAX. */
static size_t lone_start(const struct elems *eo, const bool *gone)
{
	size_t r, n = eo->n / 2, lone = SIZE_MAX;

	for (r = 0; r < n; r++) {
		if (gone[2 * r] && gone[2 * r + 1])
			return SIZE_MAX;
		if (gone[2 * r] && lone == SIZE_MAX)
			lone = r;
	}
	return lone;
}

/* From the top down: `above` stacks the kept elements above the current
 * one, nearest last.  A new end below a kept end: that end goes too (and
 * comes back), and the check repeats against the next one up. */
static void unkeep(const struct elems *en, size_t *match, bool *gone, size_t *above)
{
	size_t j, n_above = 0, k;

	for (j = en->n; j-- > 0;) {
		if (match[j]) {
			above[n_above++] = j;
			continue;
		}
		if (!en->v[j].end)
			continue;
		while (n_above && en->v[above[n_above - 1]].end) {
			k = above[--n_above];
			gone[match[k] - 1] = true;
			match[k] = 0;
		}
	}
}

int nft_idx_diff(const struct nft_svc_plan *o, const struct lvs_tsvc *so,
                 const struct nft_svc_plan *n, const struct lvs_tsvc *sn, struct nft_idx_diff *d)
{
	struct elems eo = {0}, en = {0};
	bool *gone = NULL;
	size_t *match = NULL, *above = NULL, i = 0, j = 0, lone;
	int c, r = -1;

	memset(d, 0, sizeof(*d));
	if (elems_of(o, &eo) < 0 || elems_of(n, &en) < 0)
		goto out;
	gone = calloc(eo.n ? eo.n : 1, sizeof(*gone));
	match = calloc(en.n ? en.n : 1, sizeof(*match));
	above = calloc(en.n ? en.n : 1, sizeof(*above));
	d->del = calloc(eo.n ? eo.n : 1, sizeof(*d->del));
	d->add = calloc(en.n ? en.n : 1, sizeof(*d->add));
	if (!gone || !match || !above || !d->del || !d->add)
		goto out;
	/* Merge: an element in both (same key, kind and destination) stays;
	 * match[j] is its old index + 1 (0: added). */
	while (i < eo.n || j < en.n) {
		c = i == eo.n ? 1 : j == en.n ? -1 : elem_cmp(&eo.v[i], &en.v[j]);
		if (c == 0 && (eo.v[i].end || lvs_dest_same_id(&so->dests[eo.v[i].dest].d,
		                                               &sn->dests[en.v[j].dest].d))) {
			match[j++] = ++i;
			continue;
		}
		if (c <= 0)
			gone[i++] = true;
		if (c >= 0)
			j++;
	}
	unkeep(&en, match, gone, above);
	lone = lone_start(&eo, gone);
	if (lone != SIZE_MAX) {
		/* Its end goes too: find it in en (it was kept). */
		for (j = 0; j < en.n && match[j] != 2 * lone + 2; j++)
			;
		gone[2 * lone + 1] = true;
		if (j < en.n)
			match[j] = 0;
		unkeep(&en, match, gone, above);
	}
	order_deletions(&eo, gone, d);
	for (j = 0; j < en.n; j++)
		if (!match[j])
			push(d->add, &d->n_add, &en.v[j]);
	r = 0;
out:
	free(eo.v);
	free(en.v);
	free(gone);
	free(match);
	free(above);
	if (r < 0)
		nft_idx_diff_free(d);
	return r;
}

void nft_idx_diff_free(struct nft_idx_diff *d)
{
	free(d->del);
	free(d->add);
	memset(d, 0, sizeof(*d));
}
