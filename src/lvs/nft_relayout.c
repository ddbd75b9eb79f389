/* rr and wrr layouts that change little (nft_svc_compile_next,
 * nft_rules.h).
 *
 * numgen inc mod TOTAL walks [0, TOTAL) one number per connection, so a
 * destination's share over a full cycle is the count of numbers it owns,
 * wherever they are.  A fresh layout puts the destinations in address
 * order, which renumbers everything after a change near the start; here
 * the numbers a destination gives up become holes, the numbers past the
 * new TOTAL move into them, and new numbers (a new destination, a larger
 * weight) are taken at the end.  Only the holes and the end change in
 * the kernel's @idx.
 *
 * Everything works on ranges, never on single numbers: TOTAL can be
 * large (weights up to 2^31 over their gcd). */
#include <stdlib.h>
#include <string.h>

#include "lvs/nft_rules.h"

#define HOLE UINT32_MAX
/* A layout with more ranges than this (for n live destinations) is laid
 * out afresh: each change can cut a range or two, and the kernel's
 * lookups and the next diffs grow with the number of ranges. */
#define FRAG_RANGES(n) (2 * (n) + 64)

/* A run of numbers and who owns it (an index into s's dests, or HOLE). */
struct piece {
	uint32_t lo, hi, own;
};

struct pieces {
	struct piece *v;
	size_t n, cap;
};

static int put(struct pieces *p, uint32_t lo, uint32_t hi, uint32_t own)
{
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 16;
		struct piece *v = realloc(p->v, nc * sizeof(*v));

		if (!v)
			return -1;
		p->v = v;
		p->cap = nc;
	}
	p->v[p->n++] = (struct piece){lo, hi, own};
	return 0;
}

/* Where the destinations of ps went in s (SIZE_MAX: gone). */
struct join {
	uint32_t *map; /* ps index -> s index or HOLE */
};

static void join_one(size_t ia, size_t ib, void *arg)
{
	struct join *j = arg;

	if (ia != SIZE_MAX)
		j->map[ia] = ib == SIZE_MAX ? HOLE : (uint32_t)ib;
}

/* What the relocation works from: per destination of s, the units it
 * owns in prev (cur) and must own now (want, from the fresh layout). */
struct units {
	uint64_t *cur, *want;
	uint32_t *map;
};

static void units_free(struct units *u)
{
	free(u->cur);
	free(u->want);
	free(u->map);
}

/* 1: counts ready; 0: the fresh layout is the answer; -1: ENOMEM. */
static int count_units(const struct lvs_tsvc *s, const struct nft_svc_plan *fresh,
                       const struct nft_svc_plan *prev, const struct lvs_tsvc *ps, struct units *u)
{
	size_t n = s->n_dests ? s->n_dests : 1, i;
	struct join j;

	u->cur = calloc(n, sizeof(*u->cur));
	u->want = calloc(n, sizeof(*u->want));
	u->map = calloc(ps->n_dests ? ps->n_dests : 1, sizeof(*u->map));
	if (!u->cur || !u->want || !u->map)
		return -1;
	j.map = u->map;
	if (nft_dests_join(ps, s, join_one, &j) < 0)
		return -1;
	for (i = 0; i < fresh->n_ranges; i++)
		u->want[fresh->ranges[i].dest] += fresh->ranges[i].hi - fresh->ranges[i].lo + 1ull;
	for (i = 0; i < prev->n_ranges; i++) {
		const struct nft_range *r = &prev->ranges[i];

		if (r->dest >= ps->n_dests)
			return 0; /* not a plan of ps: start afresh */
		if (u->map[r->dest] != HOLE)
			u->cur[u->map[r->dest]] += r->hi - r->lo + 1ull;
	}
	/* A destination whose weight did not change but whose units did:
	 * the unit of weight (gcd, or the halving for huge totals) moved, so
	 * every share is counted anew. */
	for (i = 0; i < ps->n_dests; i++) {
		uint32_t k = u->map[i];

		if (k != HOLE && s->dests[k].d.weight > 0 &&
		    s->dests[k].d.weight == ps->dests[i].d.weight && u->cur[k] != u->want[k])
			return 0;
	}
	return 1;
}

/* prev's ranges with s's indices (s has n destinations); the units each
 * destination gives up (its highest numbers first) are holes.  Spends
 * u->cur. */
static int free_units(const struct nft_svc_plan *prev, struct units *u, size_t n,
                      struct pieces *out)
{
	uint64_t *give = u->cur; /* from here on: units still to give up */
	size_t i, a, b;
	struct piece t;

	for (i = 0; i < n; i++)
		give[i] = u->cur[i] > u->want[i] ? u->cur[i] - u->want[i] : 0;
	/* Backwards, so the highest numbers go first; reversed after. */
	for (i = prev->n_ranges; i-- > 0;) {
		const struct nft_range *r = &prev->ranges[i];
		uint32_t k = u->map[r->dest], len = r->hi - r->lo + 1, g;

		if (k == HOLE || give[k] == 0) {
			if (put(out, r->lo, r->hi, k) < 0)
				return -1;
			continue;
		}
		g = give[k] < len ? (uint32_t)give[k] : len;
		give[k] -= g;
		if (put(out, r->hi - g + 1, r->hi, HOLE) < 0 ||
		    (g < len && put(out, r->lo, r->hi - g, k) < 0))
			return -1;
	}
	for (a = 0, b = out->n; a + 1 < b; a++, b--) {
		t = out->v[a];
		out->v[a] = out->v[b - 1];
		out->v[b - 1] = t;
	}
	return 0;
}

/* Who fills the holes: first the owners of the numbers past the new
 * total, in their order, then the destinations that need more units. */
struct fillers {
	struct piece *mv; /* movers: own and count (lo unused) */
	size_t n_mv, at_mv;
	const struct nft_svc_plan *fresh; /* growers, in its (address) order */
	const struct units *u;
	size_t at_gr;
	uint64_t left; /* of the current filler */
};

/* The next filler's owner and how many units it has left; false when
 * none is left (a bug: the counts always match). */
static bool next_filler(struct fillers *f, uint32_t *own)
{
	uint32_t k;

	while (!f->left) {
		if (f->at_mv < f->n_mv) {
			f->left = f->mv[f->at_mv++].hi;
			continue;
		}
		if (f->at_gr >= f->fresh->n_ranges)
			return false;
		k = f->fresh->ranges[f->at_gr++].dest;
		f->left = f->u->want[k] > f->u->cur[k] ? f->u->want[k] - f->u->cur[k] : 0;
	}
	*own = f->at_gr ? f->fresh->ranges[f->at_gr - 1].dest : f->mv[f->at_mv - 1].own;
	return true;
}

/* Cut the pieces at total, collecting the owned numbers past it. */
static int cut_tail(struct pieces *w, uint32_t total, struct pieces *movers)
{
	size_t i, keep = 0;

	for (i = 0; i < w->n; i++) {
		struct piece *p = &w->v[i];
		uint32_t lo = p->lo > total ? p->lo : total;

		if (p->hi < total) {
			keep = i + 1;
			continue;
		}
		if (p->own != HOLE && put(movers, 0, p->hi - lo + 1, p->own) < 0)
			return -1;
		if (p->lo < total) {
			p->hi = total - 1;
			keep = i + 1;
		}
	}
	w->n = keep;
	return 0;
}

/* Fill the holes of w into p's ranges (merging neighbours). */
static int fill(const struct pieces *w, struct fillers *f, struct nft_svc_plan *p)
{
	size_t i, cap = 0;
	uint32_t own, lo, take;

	for (i = 0; i < w->n; i++) {
		const struct piece *x = &w->v[i];

		if (x->own != HOLE) {
			if (nft_range_push(p, &cap, x->lo, x->hi, x->own) < 0)
				return -1;
			continue;
		}
		for (lo = x->lo; lo <= x->hi; lo += take) {
			if (!next_filler(f, &own))
				return 1;
			take = f->left < (uint64_t)(x->hi - lo) + 1 ? (uint32_t)f->left
			                                            : x->hi - lo + 1;
			f->left -= take;
			if (nft_range_push(p, &cap, lo, lo + take - 1, own) < 0)
				return -1;
			if (lo + take - 1 == x->hi)
				break;
		}
	}
	/* Every filler used up, or the counts were wrong. */
	return f->left || f->at_mv < f->n_mv || next_filler(f, &own) ? 1 : 0;
}

/* 1: p has the relocated ranges; 0: keep the fresh layout; -1: ENOMEM. */
static int relocate(const struct lvs_tsvc *s, const struct nft_svc_plan *fresh,
                    const struct nft_svc_plan *prev, const struct lvs_tsvc *ps,
                    struct nft_svc_plan *p)
{
	struct units u = {0};
	struct pieces w = {0}, mv = {0};
	struct fillers f = {0};
	size_t live = fresh->n_ranges, i;
	int r;

	r = count_units(s, fresh, prev, ps, &u);
	if (r <= 0)
		goto out;
	r = -1;
	if (free_units(prev, &u, s->n_dests, &w) < 0)
		goto out;
	if (fresh->modulus > prev->modulus && put(&w, prev->modulus, fresh->modulus - 1, HOLE) < 0)
		goto out;
	if (cut_tail(&w, fresh->modulus, &mv) < 0)
		goto out;
	/* free_units spent u.cur; growers need what each still owns. */
	memset(u.cur, 0, (s->n_dests ? s->n_dests : 1) * sizeof(*u.cur));
	for (i = 0; i < w.n; i++)
		if (w.v[i].own != HOLE)
			u.cur[w.v[i].own] += w.v[i].hi - w.v[i].lo + 1ull;
	for (i = 0; i < mv.n; i++)
		u.cur[mv.v[i].own] += mv.v[i].hi;
	f = (struct fillers){.mv = mv.v, .n_mv = mv.n, .fresh = fresh, .u = &u};
	r = fill(&w, &f, p);
	if (r == 0)
		r = p->n_ranges > FRAG_RANGES(live) ? 0 : 1;
	else if (r > 0)
		r = 0; /* counts did not match: never expected, the fresh layout is safe */
out:
	units_free(&u);
	free(w.v);
	free(mv.v);
	return r;
}

int nft_svc_compile_next(const struct lvs_tsvc *s, const struct nft_svc_plan *prev,
                         const struct lvs_tsvc *ps, struct nft_svc_plan *p)
{
	struct nft_svc_plan q;
	int r;

	if (nft_svc_compile(s, p) < 0)
		return -1;
	if (!prev || !ps || (p->sched != NFT_SCHED_RR && p->sched != NFT_SCHED_WRR) ||
	    prev->sched != p->sched || !prev->modulus || !p->modulus)
		return 0;
	q = *p;
	q.ranges = NULL;
	q.n_ranges = 0;
	r = relocate(s, p, prev, ps, &q);
	if (r <= 0) {
		nft_svc_plan_free(&q);
		if (r < 0)
			nft_svc_plan_free(p);
		return r < 0 ? -1 : 0;
	}
	nft_svc_plan_free(p);
	*p = q;
	return 0;
}
