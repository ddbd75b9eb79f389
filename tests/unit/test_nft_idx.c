/* nft_relayout.c and nft_idxdiff.c: rr/wrr layouts that change little,
 * and the @idx elements sent for a change.
 *
 * The diffs are applied to a model of the kernel's interval set
 * (nft_set_rbtree as of 6.18): an element added is refused when it
 * overlaps what the set holds at that moment (a start whose closest
 * element at or below is a start; an end whose closest element at or
 * below, or at or above, is an end; a start with the same key and other
 * data); an end deleted right after a start that is not its own is "not
 * found".  The same sequences are checked against a real kernel by
 * `ka_nft stress`. */
#include <arpa/inet.h>
#include <linux/ip_vs.h>

#include "check.h"
#include "lvs/nft_rules.h"

/* ---- services ---- */

/* Destination number i: 198.51.100.(i % 250 + 1), port 8000 + i / 250. */
static struct lvs_dest dest_no(unsigned i, int32_t w)
{
	struct lvs_dest d = {.af = AF_INET, .fwd = LVS_FWD_NAT, .weight = w};
	char a[32];

	snprintf(a, sizeof(a), "198.51.100.%u", i % 250 + 1);
	addr_parse(a, &d.addr);
	d.port = (uint16_t)(8000 + i / 250);
	return d;
}

/* The number of a destination (inverse of dest_no). */
static unsigned no_of(const struct lvs_dest *d)
{
	const uint8_t *p = (const uint8_t *)&d->addr.u;

	return (unsigned)(d->port - 8000) * 250 + p[3] - 1;
}

static void svc_init(struct lvs_tsvc *s, const char *sched)
{
	memset(s, 0, sizeof(*s));
	s->key.af = AF_INET;
	s->key.protocol = IPPROTO_TCP;
	s->key.port = 80;
	addr_parse("192.0.2.1", &s->key.addr);
	snprintf(s->attr.sched, sizeof(s->attr.sched), "%s", sched);
}

static void set_dest(struct lvs_tsvc *s, unsigned i, int32_t w)
{
	struct lvs_dest d = dest_no(i, w);

	CHECK_INT(lvs_svc_set_dest(s, &d), 0);
}

static void del_dest(struct lvs_tsvc *s, unsigned i)
{
	struct lvs_dest d = dest_no(i, 0);
	struct lvs_tdest *t = lvs_svc_find_dest(s, &d);
	size_t k;

	if (!t)
		return;
	k = (size_t)(t - s->dests);
	memmove(&s->dests[k], &s->dests[k + 1], (s->n_dests - k - 1) * sizeof(*t));
	s->n_dests--;
}

static void svc_copy(struct lvs_tsvc *dst, const struct lvs_tsvc *src)
{
	*dst = *src;
	dst->dests = malloc((src->n_dests ? src->n_dests : 1) * sizeof(*dst->dests));
	CHECK(dst->dests != NULL);
	memcpy(dst->dests, src->dests, src->n_dests * sizeof(*dst->dests));
	dst->cap_dests = src->n_dests;
}

/* ---- a model of the kernel's interval set ---- */

struct kel {
	uint32_t key;
	bool end;
	unsigned who; /* destination number of a start */
	bool dead;    /* deleted in this transaction */
};

struct kset {
	struct kel v[16384];
	size_t n;
	long cookie; /* index of the start deleted last, -1: none */
};

/* The order of the rbtree's checks: keys, and an end before a start on
 * equal keys (for a new start an end with its key is below it, for a
 * new end a start with its key is above it). */
static int kcmp(const struct kel *a, const struct kel *b)
{
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return (int)b->end - (int)a->end;
}

/* The first element not below e. */
static size_t kfind(const struct kset *k, const struct kel *e)
{
	size_t lo = 0, hi = k->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (kcmp(&k->v[mid], e) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Adding (no deleted element left in k): 0, or -1 as the kernel refuses
 * (overlap or clash). */
static int kadd(struct kset *k, const struct kel *e)
{
	size_t i = kfind(k, e);

	if (i < k->n && kcmp(&k->v[i], e) == 0)
		return e->end || k->v[i].who == e->who ? 0 : -1;
	if (i > 0 && k->v[i - 1].end == e->end)
		return -1; /* below: start after start, end after end */
	if (e->end && i < k->n && k->v[i].end)
		return -1; /* an end inside a range */
	/* a start deleted and not closed by its end: a new end with nothing
	 * above is refused (kernels with open-interval checks) */
	if (e->end && i == k->n && k->cookie >= 0)
		return -1;
	if (k->n == sizeof(k->v) / sizeof(k->v[0]))
		return -1;
	k->cookie = -1;
	memmove(&k->v[i + 1], &k->v[i], (k->n - i) * sizeof(*e));
	k->v[i] = *e;
	k->v[i].dead = false;
	k->n++;
	return 0;
}

/* Deleting: the element must be there.  A start deleted leaves a mark
 * (kept across transactions); an end deleted while it is on must be the
 * one right above that start (its own end), and clears it. */
static int kdel(struct kset *k, const struct kel *e)
{
	size_t i = kfind(k, e);
	long c = k->cookie;

	if (i == k->n || kcmp(&k->v[i], e) != 0 || k->v[i].dead)
		return -1;
	if (!e->end) {
		k->v[i].dead = true;
		k->cookie = (long)i;
		return 0;
	}
	k->cookie = -1;
	if (c >= 0 && c + 1 != (long)i)
		return -1;
	k->v[i].dead = true;
	return 0;
}

/* The deletions done: the deleted elements leave the model (the mark
 * stays, pointing at nothing in it: any value >= 0 will do). */
static void kdel_done(struct kset *k)
{
	size_t i, n = 0;

	for (i = 0; i < k->n; i++)
		if (!k->v[i].dead)
			k->v[n++] = k->v[i];
	k->n = n;
	if (k->cookie >= 0)
		k->cookie = 0;
}

static struct kel kel_of(const struct nft_idx_elem *x, const struct lvs_tsvc *s)
{
	return (struct kel){x->key, x->end, x->end ? 0 : no_of(&s->dests[x->dest].d)};
}

/* The set as p's elements, added one by one (also checks they go in). */
static int kload(struct kset *k, const struct nft_svc_plan *p, const struct lvs_tsvc *s)
{
	size_t i;

	k->n = 0;
	k->cookie = -1;
	for (i = 0; i < p->n_ranges; i++) {
		struct nft_idx_elem a = {p->ranges[i].lo, false, p->ranges[i].dest};
		struct nft_idx_elem b = {p->ranges[i].hi + 1, true, 0};
		struct kel ka = kel_of(&a, s), kb = kel_of(&b, s);

		if (kadd(k, &ka) < 0 || kadd(k, &kb) < 0)
			return -1;
	}
	return 0;
}

static bool ksame(const struct kset *a, const struct kset *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (kcmp(&a->v[i], &b->v[i]) || a->v[i].who != b->v[i].who)
			return false;
	return true;
}

static struct kset k_have, k_want;

/* o -> n through nft_idx_diff on the model: every element accepted, the
 * result equal to n loaded from scratch.  Returns the elements sent. */
static size_t apply_diff(const struct nft_svc_plan *o, const struct lvs_tsvc *so,
                         const struct nft_svc_plan *n, const struct lvs_tsvc *sn)
{
	struct nft_idx_diff d;
	size_t i, sent;
	int bad = 0;

	CHECK_INT(kload(&k_have, o, so), 0);
	CHECK_INT(kload(&k_want, n, sn), 0);
	if (nft_idx_diff(o, so, n, sn, &d) < 0) {
		CHECK(!"nft_idx_diff failed");
		return 0;
	}
	for (i = 0; i < d.n_del; i++) {
		struct kel e = kel_of(&d.del[i], so);

		bad += kdel(&k_have, &e) < 0;
	}
	kdel_done(&k_have);
	for (i = 0; i < d.n_add; i++) {
		struct kel e = kel_of(&d.add[i], sn);

		bad += kadd(&k_have, &e) < 0;
	}
	CHECK_INT(bad, 0);
	CHECK(ksame(&k_have, &k_want));
	/* no mark left for the next transaction */
	CHECK_INT(k_have.cookie, -1);
	sent = d.n_del + d.n_add;
	nft_idx_diff_free(&d);
	return sent;
}

/* The model refuses what a 6.18 kernel was seen to refuse (and accepts
 * what it accepted), element sequences tried by hand in a namespace. */
static void test_model(void)
{
	static struct kset k;
	const struct kel s0 = {0, false, 1, false}, e10 = {10, true, 0, false};
	const struct kel e5 = {5, true, 0, false}, s5 = {5, false, 2, false};
	const struct kel s0b = {0, false, 3, false};

	/* an end inside a range, before or after its start */
	k.n = 0;
	k.cookie = -1;
	CHECK_INT(kadd(&k, &s0), 0);
	CHECK_INT(kadd(&k, &e10), 0);
	CHECK_INT(kadd(&k, &e5), -1);
	CHECK_INT(kadd(&k, &s5), -1);
	/* the same, the outer end deleted first */
	CHECK_INT(kdel(&k, &e10), 0);
	kdel_done(&k);
	CHECK_INT(kadd(&k, &e5), 0);
	CHECK_INT(kadd(&k, &s5), 0);
	CHECK_INT(kadd(&k, &e10), 0);
	/* another owner for a start: not over the old one, after deleting it */
	CHECK_INT(kadd(&k, &s0b), -1);
	CHECK_INT(kdel(&k, &s0), 0);
	kdel_done(&k);
	CHECK_INT(kadd(&k, &s0b), 0);
	/* a start deleted, then an end that is not its own: refused; its own
	 * end: accepted; a start deleted last marks the next transaction */
	CHECK_INT(kdel(&k, &s0b), 0);
	CHECK_INT(kdel(&k, &e10), -1);
	CHECK_INT(kdel(&k, &s5), 0);
	CHECK_INT(kdel(&k, &e10), 0);
	kdel_done(&k);
	CHECK_INT(k.cookie, -1);
	CHECK_INT(kdel(&k, &e5), 0);
	kdel_done(&k);
	CHECK_INT(k.n, 0);
}

/* ---- layouts ---- */

static uint32_t rnd_state = 20261122;

static uint32_t rnd(uint32_t n)
{
	/* xorshift32: a fixed sequence, the same on every run */
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state % n;
}

/* The plan is well formed and every live destination owns exactly its
 * units: weight / gcd for wrr, 1 for rr; nobody else owns any. */
static void check_shares(const struct lvs_tsvc *s, const struct nft_svc_plan *p, bool weighted)
{
	uint64_t *own = calloc(s->n_dests ? s->n_dests : 1, sizeof(*own));
	uint32_t g = 0, at = 0;
	size_t i;
	bool ok = true;

	for (i = 0; i < s->n_dests; i++)
		if (s->dests[i].d.weight > 0)
			g = nft_gcd(g, (uint32_t)s->dests[i].d.weight);
	for (i = 0; i < p->n_ranges; i++) {
		const struct nft_range *r = &p->ranges[i];

		ok = ok && r->lo == at && r->hi >= r->lo && r->dest < s->n_dests;
		ok = ok && (i == 0 || p->ranges[i - 1].dest != r->dest); /* merged */
		if (r->dest < s->n_dests)
			own[r->dest] += r->hi - r->lo + 1ull;
		at = r->hi + 1;
	}
	CHECK(ok);
	CHECK_INT(at, p->modulus);
	for (i = 0; i < s->n_dests; i++) {
		int32_t w = s->dests[i].d.weight;
		uint64_t want = w <= 0 ? 0 : weighted ? (uint64_t)w / g : 1;

		if (own[i] != want) {
			CHECK_INT(own[i], want);
			break;
		}
	}
	free(own);
}

/* prev (of ps) -> next plan of s, checked: exact shares, the diff goes
 * into the model.  Returns the elements sent. */
static size_t step(const struct lvs_tsvc *ps, struct nft_svc_plan *prev, const struct lvs_tsvc *s,
                   struct nft_svc_plan *next, bool weighted)
{
	size_t sent;

	CHECK_INT(nft_svc_compile_next(s, prev, ps, next), 0);
	check_shares(s, next, weighted);
	sent = apply_diff(prev, ps, next, s);
	return sent;
}

/* Random add / remove / weight (0 included) changes, one at a time,
 * from a fresh layout: every intermediate layout is exact. */
static void test_random_sequences(const char *sched, unsigned pool, unsigned steps, int32_t wmax)
{
	bool weighted = !strcmp(sched, "wrr");
	struct lvs_tsvc s, ps;
	struct nft_svc_plan p, q;
	size_t sent = 0, changes = 0, max_ranges = 0, fresh_sent;
	unsigned i, live = 0;

	svc_init(&s, sched);
	for (i = 0; i < pool / 2; i++)
		set_dest(&s, rnd(pool), 1 + (int32_t)rnd((uint32_t)wmax));
	CHECK_INT(nft_svc_compile(&s, &p), 0);
	for (i = 0; i < steps; i++) {
		unsigned who = rnd(pool), what = rnd(10);

		svc_copy(&ps, &s);
		if (what < 3)
			del_dest(&s, who);
		else if (what < 5)
			set_dest(&s, who, 0);
		else
			set_dest(&s, who, 1 + (int32_t)rnd((uint32_t)wmax));
		sent += step(&ps, &p, &s, &q, weighted);
		changes++;
		max_ranges = q.n_ranges > max_ranges ? q.n_ranges : max_ranges;
		nft_svc_plan_free(&p);
		p = q;
		free(ps.dests);
	}
	for (i = 0; i < s.n_dests; i++)
		live += s.dests[i].d.weight > 0;
	/* fragmentation stays bounded (a fresh layout past the bound) */
	CHECK(max_ranges <= 2 * pool + 64);
	/* on average far fewer elements than a full rewrite of the end state */
	CHECK_INT(nft_svc_compile(&s, &q), 0);
	fresh_sent = 4 * q.n_ranges;
	printf("%s: %zu changes, %.1f elements each on average (rewrite: %zu), %zu ranges at "
	       "most, %u live\n",
	       sched, changes, (double)sent / (double)changes, fresh_sent, max_ranges, live);
	nft_svc_plan_free(&q);
	nft_svc_plan_free(&p);
	free(s.dests);
}

/* 1,000 destinations (weights 1..3 for wrr, as ka_nft bench): one
 * change touches a handful of elements, wherever the destination is. */
static void test_single_change(const char *sched, size_t bound)
{
	bool weighted = !strcmp(sched, "wrr");
	struct lvs_tsvc s, ps;
	struct nft_svc_plan p, q, r;
	size_t worst = 0, n;
	unsigned i, who;

	svc_init(&s, sched);
	for (i = 0; i < 1000; i++)
		set_dest(&s, i, (int32_t)(1 + i % 3));
	CHECK_INT(nft_svc_compile(&s, &p), 0);
	for (who = 0; who < 1000; who += 37) {
		/* down (weight 0), then up again from the layout down made */
		svc_copy(&ps, &s);
		set_dest(&s, who, 0);
		n = step(&ps, &p, &s, &q, weighted);
		worst = n > worst ? n : worst;
		free(ps.dests);
		svc_copy(&ps, &s);
		set_dest(&s, who, (int32_t)(1 + who % 3));
		n = step(&ps, &q, &s, &r, weighted);
		worst = n > worst ? n : worst;
		free(ps.dests);
		nft_svc_plan_free(&q);
		/* weight up and down by one, removed, added back */
		svc_copy(&ps, &s);
		set_dest(&s, who, (int32_t)(2 + who % 3));
		n = step(&ps, &r, &s, &q, weighted);
		worst = n > worst ? n : worst;
		free(ps.dests);
		nft_svc_plan_free(&r);
		svc_copy(&ps, &s);
		del_dest(&s, who);
		n = step(&ps, &q, &s, &r, weighted);
		worst = n > worst ? n : worst;
		free(ps.dests);
		nft_svc_plan_free(&q);
		svc_copy(&ps, &s);
		set_dest(&s, who, (int32_t)(1 + who % 3));
		n = step(&ps, &r, &s, &q, weighted);
		worst = n > worst ? n : worst;
		free(ps.dests);
		nft_svc_plan_free(&r);
		nft_svc_plan_free(&p);
		p = q;
	}
	/* a new destination at the end */
	svc_copy(&ps, &s);
	set_dest(&s, 1000, 2);
	n = step(&ps, &p, &s, &q, weighted);
	worst = n > worst ? n : worst;
	free(ps.dests);
	printf("%s at 1000: at most %zu elements per change (bound %zu)\n", sched, worst, bound);
	CHECK(worst <= bound);
	nft_svc_plan_free(&q);
	nft_svc_plan_free(&p);
	free(s.dests);
}

/* The relocation itself, by hand: rr over 0..5, 2 leaves: the last one
 * (5) moves into its hole, nothing else changes. */
static void test_relocation_by_hand(void)
{
	struct lvs_tsvc s, ps;
	struct nft_svc_plan p, q;
	unsigned i;

	svc_init(&s, "rr");
	for (i = 0; i < 6; i++)
		set_dest(&s, i, 1);
	CHECK_INT(nft_svc_compile(&s, &p), 0);
	svc_copy(&ps, &s);
	del_dest(&s, 2);
	CHECK_INT(nft_svc_compile_next(&s, &p, &ps, &q), 0);
	CHECK_INT(q.modulus, 5);
	CHECK_INT(q.n_ranges, 5);
	for (i = 0; i < q.n_ranges; i++) {
		static const unsigned want[] = {0, 1, 5, 3, 4};

		CHECK_INT(q.ranges[i].lo, i);
		CHECK_INT(no_of(&s.dests[q.ranges[i].dest].d), want[i]);
	}
	/* elements: start 2 changes owner (del + add), start 5 and end 6
	 * go (range 4 still ends where 5 started) */
	CHECK_INT(apply_diff(&p, &ps, &q, &s), 4);
	free(ps.dests);
	nft_svc_plan_free(&p);

	/* 2 comes back: at the end */
	svc_copy(&ps, &s);
	set_dest(&s, 2, 1);
	CHECK_INT(nft_svc_compile_next(&s, &q, &ps, &p), 0);
	CHECK_INT(p.modulus, 6);
	CHECK_INT(no_of(&s.dests[p.ranges[5].dest].d), 2);
	CHECK_INT(no_of(&s.dests[p.ranges[2].dest].d), 5);
	CHECK_INT(apply_diff(&q, &ps, &p, &s), 2); /* start 5, end 6 */
	free(ps.dests);
	nft_svc_plan_free(&q);
	nft_svc_plan_free(&p);

	/* wrr: weights 2, 4, 6 (gcd 2: 1, 2, 3 units); 4 -> 2 makes the gcd
	 * 2 still, one unit freed: the last unit moves into it */
	free(s.dests);
	svc_init(&s, "wrr");
	set_dest(&s, 0, 2);
	set_dest(&s, 1, 4);
	set_dest(&s, 2, 6);
	CHECK_INT(nft_svc_compile(&s, &p), 0);
	svc_copy(&ps, &s);
	set_dest(&s, 1, 2);
	CHECK_INT(nft_svc_compile_next(&s, &p, &ps, &q), 0);
	check_shares(&s, &q, true);
	CHECK_INT(q.modulus, 5);
	/* 0:[0] 1:[1] 2:[2..4] with 2's last unit (5) moved into 1's freed 2 */
	CHECK_INT(q.n_ranges, 3);
	CHECK_INT(no_of(&s.dests[q.ranges[1].dest].d), 1);
	CHECK_INT(q.ranges[2].lo, 2);
	free(ps.dests);
	nft_svc_plan_free(&p);

	/* the gcd changes (2 -> 1): laid out afresh, still exact */
	svc_copy(&ps, &s);
	set_dest(&s, 0, 1);
	CHECK_INT(nft_svc_compile_next(&s, &q, &ps, &p), 0);
	check_shares(&s, &p, true);
	CHECK_INT(p.modulus, 1 + 2 + 6);
	free(ps.dests);
	nft_svc_plan_free(&q);
	nft_svc_plan_free(&p);
	free(s.dests);
}

/* sh, dh and mh ignore history: the layout is the fresh one. */
static void test_hashing_is_fresh(void)
{
	static const char *const scheds[] = {"sh", "dh", "mh"};
	struct lvs_tsvc s, ps;
	struct nft_svc_plan p, q, f;
	size_t k, n;
	unsigned i;

	for (k = 0; k < 3; k++) {
		svc_init(&s, scheds[k]);
		for (i = 0; i < 1000; i++)
			set_dest(&s, i, (int32_t)(1 + i % 3));
		CHECK_INT(nft_svc_compile(&s, &p), 0);
		svc_copy(&ps, &s);
		set_dest(&s, 500, 0);
		CHECK_INT(nft_svc_compile_next(&s, &p, &ps, &q), 0);
		CHECK_INT(nft_svc_compile(&s, &f), 0);
		CHECK(nft_svc_plan_equal(&q, &s, &f, &s));
		n = apply_diff(&p, &ps, &q, &s);
		printf("%s at 1000, one server down: %zu elements (rewrite: %zu)\n", scheds[k], n,
		       2 * p.n_ranges + 2 * q.n_ranges);
		/* mh moves few slots by design; sh/dh renumber (another modulus) */
		if (k == 2)
			CHECK(n < (2 * p.n_ranges) / 10);
		free(ps.dests);
		nft_svc_plan_free(&p);
		nft_svc_plan_free(&q);
		nft_svc_plan_free(&f);
		free(s.dests);
	}
}

/* Diffs of arbitrary layouts (gaps, any owners) go into the model:
 * the ordering argument of nft_idxdiff.c does not depend on how the
 * layouts were made. */
static void test_diff_random_layouts(void)
{
	struct lvs_tsvc s;
	struct nft_svc_plan a = {0}, b = {0};
	size_t ca = 0, cb = 0;
	unsigned t, i;

	svc_init(&s, "rr");
	for (i = 0; i < 6; i++)
		set_dest(&s, i, 1);
	for (t = 0; t < 3000; t++) {
		struct nft_svc_plan *pl[2] = {&a, &b};
		size_t *cap[2] = {&ca, &cb};
		unsigned side;

		for (side = 0; side < 2; side++) {
			uint32_t at = rnd(3), n = 1 + rnd(12);

			pl[side]->n_ranges = 0;
			for (i = 0; i < n; i++) {
				uint32_t len = 1 + rnd(4);

				CHECK_INT(
				    nft_range_push(pl[side], cap[side], at, at + len - 1, rnd(6)),
				    0);
				at += len + (rnd(4) == 0 ? 1 + rnd(3) : 0); /* sometimes a gap */
			}
			pl[side]->modulus = at;
		}
		apply_diff(&a, &s, &b, &s);
	}
	/* the case that needs a kept end re-added: [0,10) split in two */
	a.n_ranges = b.n_ranges = 0;
	CHECK_INT(nft_range_push(&a, &ca, 0, 9, 1), 0);
	CHECK_INT(nft_range_push(&b, &cb, 0, 4, 1), 0);
	CHECK_INT(nft_range_push(&b, &cb, 5, 9, 2), 0);
	CHECK_INT(apply_diff(&a, &s, &b, &s), 4); /* end 10 out and in, end 5, start 5 */
	/* nothing changed: nothing sent */
	CHECK_INT(apply_diff(&b, &s, &b, &s), 0);
	/* from and to an empty map */
	a.n_ranges = 0;
	CHECK_INT(apply_diff(&a, &s, &b, &s), 4);
	CHECK_INT(apply_diff(&b, &s, &a, &s), 4);
	nft_svc_plan_free(&a);
	nft_svc_plan_free(&b);
	free(s.dests);
}

int main(void)
{
	test_model();
	test_relocation_by_hand();
	test_diff_random_layouts();
	test_random_sequences("rr", 40, 1500, 1);
	test_random_sequences("wrr", 40, 1500, 4);
	test_random_sequences("wrr", 300, 1500, 100);
	test_single_change("rr", 8);
	test_single_change("wrr", 16);
	test_hashing_is_fresh();
	return check_report("test_nft_idx");
}
