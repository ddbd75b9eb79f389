/* The nftables backend of the LVS data plane (lvs_backend.h, lvs.h).
 *
 * Everything we program lives in our own table (inet keepalived_lvs), so
 * ownership is simple: the table is ours, nothing else is ever touched,
 * and `drop`/`flush` of lvs_dp_sync need no action.  The mirror is the
 * table as the kernel has it after our last committed batch; a batch the
 * kernel refused changed nothing there (nftables transactions are all or
 * nothing), so the mirror stays as it was and a later call retries.
 *
 * The first sync after open replaces the table in one batch (leftovers of
 * a crashed predecessor go); later calls send one batch of per-service
 * differences, or none when nothing differs (the reload contract).  After
 * a refused batch the next sync replaces the table again: the kernel's
 * table is then not what the mirror says (changed by hand, say).
 *
 * DR services (nft_batch.h) live in a second table, netdev
 * keepalived_lvs, replaced and deleted together with the inet one; each
 * is bound to the interface facing its real servers (nft_bind.h).
 *
 * The mirror keeps each service's @idx layout too (nft_plans.h): rr and
 * wrr change it little from one update to the next (nft_rules.h), so the
 * next change starts from what the kernel has; a replace lays every
 * service out afresh.
 *
 * sync returns the failed batches plus the services nft_svc_check (or the
 * choice of a DR interface) refused (each logged), or -1 when the kernel
 * could not be talked to. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lvs/lvs.h"
#include "lvs/lvs_backend.h"
#include "lvs/nft_batch.h"
#include "lvs/nft_bind.h"
#include "lvs/nft_plans.h"
#include "lvs/nft_purge.h"
#include "lvs/nft_rules.h"
#include "lvs/nft_sock.h"

struct nft_dp {
	struct nft_sock *sock;
	struct lvs_table mirror;
	struct nft_binds binds; /* the DR services of the mirror */
	struct nft_plans plans; /* the @idx layout of each service of the mirror */
	unsigned long mutations;
	bool replaced;    /* our table has been rebuilt since open */
	bool token_valid; /* the parent holds a valid nft_adopt for our tables */
	bool gen_known;   /* gen is the ruleset generation our last commit made */
	uint32_t gen;
};

struct nft_adopt nft_adopt_inherited;
void (*nft_adopt_publish)(const struct nft_adopt *a);

static void publish(struct nft_dp *dp, const struct nft_adopt *a)
{
	dp->token_valid = a->valid != 0;
	if (nft_adopt_publish)
		nft_adopt_publish(a);
}

/* After a committed batch: a rebuild (fp) leaves a token when the
 * generation moved by exactly our commit (g0: before it); anything else
 * withdraws the one the parent has. */
static void after_commit(struct nft_dp *dp, bool rebuilt, uint64_t fp, bool have_g0, uint32_t g0)
{
	struct nft_adopt a = {0};
	uint32_t g1 = 0;

	/* someone else's commit in between: we cannot vouch for the tables */
	dp->gen_known = have_g0 && nft_sock_genid(dp->sock, &g1) == 0 && g1 == g0 + 1;
	dp->gen = g1;
	if (rebuilt && dp->gen_known) {
		a.fp = fp;
		a.gen = g1;
		a.valid = 1;
		publish(dp, &a);
	} else if (dp->token_valid || rebuilt) {
		publish(dp, &a);
	}
}

/* The first rebuild of a respawned checker: the tables its predecessor
 * built are still exactly that (see nft_batch.h). */
static bool can_adopt(struct nft_dp *dp, const struct nft_batch *b)
{
	const struct nft_adopt *t = &nft_adopt_inherited;
	uint32_t gen;

	if (!t->valid || b->oom || nft_sock_genid(dp->sock, &gen) < 0)
		return false;
	if (gen != t->gen || nft_batch_fingerprint(b) != t->fp)
		return false;
	log_info("nftables: the tables the previous checker built are unchanged (generation "
	         "%u): kept as they are",
	         gen);
	dp->token_valid = true;
	dp->gen_known = true;
	dp->gen = gen;
	return true;
}

static void *nft_dp_open(char *err, size_t errlen)
{
	struct nft_dp *dp = calloc(1, sizeof(*dp));

	if (!dp) {
		snprintf(err, errlen, "nftables: out of memory");
		return NULL;
	}
	dp->sock = nft_sock_open(err, errlen);
	if (!dp->sock) {
		free(dp);
		return NULL;
	}
	lvs_table_init(&dp->mirror);
	return dp;
}

static unsigned long nft_dp_mutations(const void *b)
{
	const struct nft_dp *dp = b;

	return dp->mutations;
}

/* ---- service copies ---- */

/* A standalone deep copy (its own dests array); -1 on ENOMEM. */
static int svc_clone(struct lvs_tsvc *dst, const struct lvs_tsvc *src)
{
	*dst = *src;
	dst->dests = NULL;
	dst->cap_dests = 0;
	if (!src->n_dests)
		return 0;
	dst->dests = malloc(src->n_dests * sizeof(*dst->dests));
	if (!dst->dests)
		return -1;
	memcpy(dst->dests, src->dests, src->n_dests * sizeof(*dst->dests));
	dst->cap_dests = src->n_dests;
	return 0;
}

/* Whether the kernel must change to go from a (plan pa) to b (plan pb):
 * other rules or @idx, or another set of destinations (their counters). */
static bool svc_differs(const struct lvs_tsvc *a, const struct nft_svc_plan *pa,
                        const struct lvs_tsvc *b, const struct nft_svc_plan *pb)
{
	return !pa || !nft_same_dest_ids(a, b) || !nft_svc_plan_equal(pa, a, pb, b);
}

/* ---- one service, either kind ---- */

static bool same_dev(const struct nft_dev *a, const struct nft_dev *b)
{
	if (!a || !b)
		return !a && !b;
	return a->ifindex == b->ifindex && !strcmp(a->name, b->name);
}

static void svc_add(struct nft_batch *b, const struct lvs_tsvc *s, const struct nft_svc_plan *p,
                    const struct nft_dev *dev)
{
	if (dev)
		nft_batch_dr_svc_add(b, s, p, dev->ifindex);
	else
		nft_batch_svc_add(b, s, p);
}

static void svc_del(struct nft_batch *b, const struct lvs_tsvc *s, const struct nft_dev *dev)
{
	if (dev)
		nft_batch_dr_svc_del(b, s);
	else
		nft_batch_svc_del(b, s);
}

/* old (NULL: new service) bound to od (NULL: NAT) -> now bound to nd;
 * np gets now's plan (to keep once the batch is committed).  Out of
 * memory marks the batch. */
static void svc_change(struct nft_dp *dp, struct nft_batch *b, const struct lvs_tsvc *old,
                       const struct nft_dev *od, const struct lvs_tsvc *now,
                       const struct nft_dev *nd, struct nft_svc_plan *np)
{
	/* Another table, interface or flow key: rebuild it, laid out afresh. */
	bool rebuild = old && (!same_dev(od, nd) || (nd && !nft_dr_updatable(old, now)));
	const struct nft_svc_plan *op = old ? nft_plans_find(&dp->plans, &old->key) : NULL;

	if (nft_svc_compile_next(now, rebuild ? NULL : op, old, np) < 0) {
		b->oom = true;
		return;
	}
	if (!old) {
		svc_add(b, now, np, nd);
	} else if (rebuild) {
		svc_del(b, old, od);
		svc_add(b, now, np, nd);
	} else if (!svc_differs(old, op, now, np)) {
		return;
	} else if (nd) {
		nft_batch_dr_svc_update(b, old, op, now, np, nd->ifindex);
		nft_purge_departed_dr(dp->sock, b, old, now);
	} else {
		nft_batch_svc_update(b, old, op, now, np);
		nft_purge_departed(dp->sock, b, old, now);
	}
}

/* Hook the interfaces DR services use now, unhook those they left. */
static void hooks_delta(struct nft_batch *b, const struct nft_binds *old,
                        const struct nft_binds *now)
{
	size_t i, j;

	for (i = 0; i < now->n; i++) {
		for (j = 0; j < i && strcmp(now->v[j].dev.name, now->v[i].dev.name); j++)
			;
		if (j == i && !nft_binds_uses(old, now->v[i].dev.name))
			nft_batch_dr_hook(b, now->v[i].dev.name, true);
	}
	for (i = 0; i < old->n; i++) {
		for (j = 0; j < i && strcmp(old->v[j].dev.name, old->v[i].dev.name); j++)
			;
		if (j == i && !nft_binds_uses(now, old->v[i].dev.name))
			nft_batch_dr_hook(b, old->v[i].dev.name, false);
	}
}

/* ---- sending ---- */

/* Finish and send a batch with messages; 0, -1 when the kernel refused
 * it, -2 when it could not be talked to (each logged once). */
static int send_batch(struct nft_dp *dp, struct nft_batch *b, const char *what)
{
	char err[512];
	int r;

	if (nft_batch_end(b) < 0) {
		log_err("nftables: out of memory building the batch to %s", what);
		return -1;
	}
	dp->mutations++;
	r = nft_sock_send(dp->sock, b, err, sizeof(err));
	if (r < 0) {
		log_err("nftables: cannot %s: %s", what, err);
		if (dp->token_valid) {
			static const struct nft_adopt none;
			publish(dp, &none);
		}
		return nft_sock_transport_failed(dp->sock) ? -2 : -1;
	}
	return 0;
}

/* send_batch for anything but a rebuild: the tables move away from the
 * rebuild the parent's token describes. */
static int send_change(struct nft_dp *dp, struct nft_batch *b, const char *what)
{
	uint32_t g0 = 0;
	bool have_g0 = nft_sock_genid(dp->sock, &g0) == 0;
	int r = send_batch(dp, b, what);

	if (r == 0)
		after_commit(dp, false, 0, have_g0, g0);
	return r;
}

/* Drift (fault catalogue case 28): the mirror is what our last commit
 * made; when anything was committed since, by anyone (`nft flush table`,
 * a weight edited by hand, another program's tables), the mirror may be
 * wrong, so a reload rebuilds ours whole. */
static void check_drift(struct nft_dp *dp)
{
	uint32_t g;

	if (!dp->replaced || nft_sock_genid(dp->sock, &g) < 0)
		return;
	if (dp->gen_known && g == dp->gen)
		return;
	if (dp->gen_known)
		log_warn("nftables: the ruleset changed since our last commit (generation %u, now "
		         "%u): rebuilding table %s",
		         dp->gen, g, NFT_TABLE_NAME);
	else
		log_warn("nftables: cannot tell whether the ruleset changed since our last commit: "
		         "rebuilding table %s",
		         NFT_TABLE_NAME);
	dp->replaced = false;
}

/* nft_svc_check on a table service; -1 also on ENOMEM. */
static int check_svc(const struct lvs_tsvc *s, char *why, size_t whylen)
{
	struct lvs_dest *d = calloc(s->n_dests ? s->n_dests : 1, sizeof(*d));
	size_t j;
	int r;

	if (!d) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (j = 0; j < s->n_dests; j++)
		d[j] = s->dests[j].d;
	r = nft_svc_check(&s->key, &s->attr, d, s->n_dests, why, whylen);
	free(d);
	return r;
}

/* The supported services of want (DR ones bound to their interface in
 * binds); each unsupported one is logged and counted in *failed. */
static int supported(struct nft_dp *dp, const struct lvs_table *want, struct lvs_table *out,
                     struct nft_binds *binds, int *failed)
{
	struct nft_ifaddr *ifs = NULL;
	char why[320], k[96];
	struct nft_dev dev;
	size_t i, nifs = 0;
	int r = 0, kind;

	/* Without the addresses every DR service fails below, saying so. */
	if (nft_ifaddrs_read(&ifs, &nifs) < 0)
		nifs = 0;
	for (i = 0; r == 0 && i < want->n_svcs; i++) {
		const struct lvs_tsvc *s = &want->svcs[i];

		kind = check_svc(s, why, sizeof(why));
		if (kind == 0)
			kind = nft_bind_svc(s, nft_binds_find(&dp->binds, &s->key), ifs, nifs, &dev,
			                    why, sizeof(why));
		if (kind < 0) {
			log_err("nftables: service %s not set up: %s",
			        lvs_svc_key_fmt(&s->key, k, sizeof(k)), why);
			(*failed)++;
			continue;
		}
		if (!lvs_table_copy_svc(out, s) ||
		    (kind && nft_binds_set(binds, &s->key, &dev) < 0))
			r = -1;
	}
	free(ifs);
	return r;
}

/* Per-service differences of the mirror -> next (bound nb) into b; the
 * plans of next's services into np. */
static void diff(struct nft_dp *dp, const struct lvs_table *next, const struct nft_binds *nb,
                 struct nft_batch *b, struct nft_plans *np)
{
	const struct lvs_tsvc *old, *s;
	struct nft_svc_plan p;
	size_t i;

	for (i = 0; i < dp->mirror.n_svcs; i++) {
		s = &dp->mirror.svcs[i];
		if (!lvs_table_find(next, &s->key))
			svc_del(b, s, nft_binds_find(&dp->binds, &s->key));
	}
	for (i = 0; i < next->n_svcs; i++) {
		s = &next->svcs[i];
		old = lvs_table_find(&dp->mirror, &s->key);
		memset(&p, 0, sizeof(p));
		svc_change(dp, b, old, old ? nft_binds_find(&dp->binds, &s->key) : NULL, s,
		           nft_binds_find(nb, &s->key), &p);
		if (nft_plans_put(np, &s->key, &p) < 0)
			b->oom = true;
	}
	hooks_delta(b, &dp->binds, nb);
}

/* Both tables from scratch: the NAT services in the inet one (a view of
 * next without the DR ones), the DR ones in the netdev one; every
 * service laid out afresh (its plan into np). */
static void replace(struct nft_batch *b, const struct lvs_table *next, const struct nft_binds *nb,
                    struct nft_plans *np)
{
	struct nft_svc_plan p;
	struct lvs_table nat = {0};
	const struct nft_dev *dev;
	static const struct nft_binds none;
	size_t i;

	nat.svcs = calloc(next->n_svcs ? next->n_svcs : 1, sizeof(*nat.svcs));
	if (!nat.svcs) {
		b->oom = true;
		return;
	}
	for (i = 0; i < next->n_svcs; i++)
		if (!nft_binds_find(nb, &next->svcs[i].key))
			nat.svcs[nat.n_svcs++] = next->svcs[i]; /* shallow: not freed */
	nft_batch_replace(b, &nat);
	free(nat.svcs);
	nft_batch_dr_replace(b);
	hooks_delta(b, &none, nb);
	for (i = 0; i < next->n_svcs; i++) {
		dev = nft_binds_find(nb, &next->svcs[i].key);
		if (dev)
			nft_batch_dr_svc_add(b, &next->svcs[i], NULL, dev->ifindex);
		/* The same fresh layout the batch has. */
		if (nft_svc_compile(&next->svcs[i], &p) < 0 ||
		    nft_plans_put(np, &next->svcs[i].key, &p) < 0)
			b->oom = true;
	}
}

static int nft_dp_sync(void *bk, const struct lvs_table *want, const struct lvs_table *drop,
                       bool flush)
{
	struct nft_dp *dp = bk;
	struct lvs_table next;
	struct nft_binds nb = {0};
	struct nft_plans np = {0};
	struct nft_batch b;
	int failed = 0, r = 0;

	(void)drop;  /* only our own tables are touched: what is not wanted goes */
	(void)flush; /* never another table's */
	check_drift(dp);
	lvs_table_init(&next);
	if (supported(dp, want, &next, &nb, &failed) < 0) {
		log_err("nftables: out of memory planning the virtual server table");
		lvs_table_free(&next);
		nft_binds_free(&nb);
		return -1;
	}
	nft_batch_init(&b, nft_sock_seq(dp->sock));
	if (!dp->replaced)
		replace(&b, &next, &nb, &np);
	else
		diff(dp, &next, &nb, &b, &np);
	if (!dp->replaced && (b.n_msgs || b.oom)) {
		uint64_t fp = 0;
		uint32_t g0 = 0;
		bool have_g0 = false;

		if (!b.oom)
			fp = nft_batch_fingerprint(&b);
		if (can_adopt(dp, &b)) {
			r = 0;
		} else {
			have_g0 = nft_sock_genid(dp->sock, &g0) == 0;
			r = send_batch(dp, &b, "create the tables");
			if (r == 0)
				after_commit(dp, true, fp, have_g0, g0);
		}
		/* one inheritance only: a later rebuild is not a respawn */
		memset(&nft_adopt_inherited, 0, sizeof(nft_adopt_inherited));
	} else if (b.n_msgs || b.oom) {
		r = send_change(dp, &b, "update the services");
	}
	nft_batch_free(&b);
	if (r < 0) {
		lvs_table_free(&next);
		nft_binds_free(&nb);
		nft_plans_free(&np);
		/* Our tables are not what we think (someone changed them, or
		 * the kernel lacks something): the next sync rebuilds them. */
		dp->replaced = false;
		return r == -2 ? -1 : failed + 1;
	}
	dp->replaced = true;
	/* Also without a batch: attributes the kernel does not see. */
	lvs_table_free(&dp->mirror);
	dp->mirror = next;
	nft_binds_free(&dp->binds);
	dp->binds = nb;
	nft_plans_free(&dp->plans);
	dp->plans = np;
	return failed;
}

/* The bindings after s becomes now; -1 (logged) when now is a DR service
 * without a usable interface, or on ENOMEM. */
static int rebind(struct nft_dp *dp, const struct lvs_tsvc *now, struct nft_binds *nb)
{
	struct nft_ifaddr *ifs = NULL;
	char why[320], ks[96];
	struct nft_dev dev;
	size_t nifs = 0;
	int kind;

	if (nft_svc_is_dr(now) && nft_ifaddrs_read(&ifs, &nifs) < 0)
		nifs = 0;
	kind = nft_bind_svc(now, nft_binds_find(&dp->binds, &now->key), ifs, nifs, &dev, why,
	                    sizeof(why));
	free(ifs);
	if (kind < 0) {
		log_warn("nftables: cannot change a destination of service %s: %s",
		         lvs_svc_key_fmt(&now->key, ks, sizeof(ks)), why);
		return -1;
	}
	if (nft_binds_copy(nb, &dp->binds) < 0 ||
	    (kind && nft_binds_set(nb, &now->key, &dev) < 0)) {
		log_err("nftables: out of memory changing a destination");
		nft_binds_free(nb);
		return -1;
	}
	if (!kind)
		nft_binds_del(nb, &now->key);
	return 0;
}

/* Apply `now` (a clone of s with one destination changed) to s. */
static int apply_svc(struct nft_dp *dp, struct lvs_tsvc *s, struct lvs_tsvc *now)
{
	struct nft_svc_plan np = {0};
	struct nft_binds nb;
	struct nft_batch b;
	char k[96], what[128];
	int r = rebind(dp, now, &nb);

	if (r == 0) {
		nft_batch_init(&b, nft_sock_seq(dp->sock));
		svc_change(dp, &b, s, nft_binds_find(&dp->binds, &s->key), now,
		           nft_binds_find(&nb, &now->key), &np);
		hooks_delta(&b, &dp->binds, &nb);
		snprintf(what, sizeof(what), "update service %s",
		         lvs_svc_key_fmt(&s->key, k, sizeof(k)));
		if (b.n_msgs || b.oom)
			r = send_change(dp, &b, what);
		nft_batch_free(&b);
		if (r < 0) {
			nft_binds_free(&nb);
			dp->replaced = false; /* the next sync rebuilds the tables */
		}
	}
	if (r < 0) {
		nft_svc_plan_free(&np);
		free(now->dests);
		return -1;
	}
	nft_binds_free(&dp->binds);
	dp->binds = nb;
	/* The entry exists (s is in the mirror): replaced without allocating. */
	if (nft_plans_put(&dp->plans, &now->key, &np) < 0)
		dp->replaced = false;
	free(s->dests);
	*s = *now;
	return 0;
}

static int nft_dp_dest_set(void *bk, const struct lvs_svc_key *k, const struct lvs_dest *d)
{
	struct nft_dp *dp = bk;
	struct lvs_tsvc *s = lvs_table_find(&dp->mirror, k), now;
	struct lvs_tdest *cur;
	char ks[96], why[256];

	if (!s) {
		log_warn("nftables: cannot set a destination in %s: not one of our services",
		         lvs_svc_key_fmt(k, ks, sizeof(ks)));
		return -1;
	}
	cur = lvs_svc_find_dest(s, d);
	if (cur && lvs_dest_equal(&cur->d, d))
		return 0;
	if (svc_clone(&now, s) < 0 || lvs_svc_set_dest(&now, d) < 0) {
		free(now.dests);
		log_err("nftables: out of memory setting a destination");
		return -1;
	}
	if (check_svc(&now, why, sizeof(why)) < 0) {
		log_warn("nftables: cannot set a destination in %s: %s",
		         lvs_svc_key_fmt(k, ks, sizeof(ks)), why);
		free(now.dests);
		return -1;
	}
	return apply_svc(dp, s, &now);
}

static int nft_dp_dest_del(void *bk, const struct lvs_svc_key *k, const struct lvs_dest *d)
{
	struct nft_dp *dp = bk;
	struct lvs_tsvc *s = lvs_table_find(&dp->mirror, k), now;

	if (!s || !lvs_svc_find_dest(s, d))
		return 0;
	if (svc_clone(&now, s) < 0) {
		log_err("nftables: out of memory deleting a destination");
		return -1;
	}
	lvs_svc_del_dest(&now, d);
	return apply_svc(dp, s, &now);
}

/* ---- counters ---- */

static uint64_t ctr(const struct nft_counter *c, size_t n, const struct lvs_svc_key *k,
                    const struct lvs_dest *d, const char *sfx, bool bytes)
{
	char name[NFT_NAME_MAX];
	const struct nft_counter *f =
	    nft_counter_find(c, n, nft_counter_name(k, d, sfx, name, sizeof(name)));

	return f ? (bytes ? f->bytes : f->packets) : 0;
}

/* Per-destination stats; fwmark services have no in/out counters (see
 * nft_batch.h) and report 0 there. */
static void fill_stats(struct lvs_tsvc *s, const struct nft_counter *c, size_t n)
{
	size_t i;

	memset(&s->stats, 0, sizeof(s->stats));
	for (i = 0; i < s->n_dests; i++) {
		struct lvs_stats *st = &s->dests[i].stats;
		const struct lvs_dest *d = &s->dests[i].d;

		memset(st, 0, sizeof(*st));
		st->conns = ctr(c, n, &s->key, d, "conn", false);
		st->inpkts = ctr(c, n, &s->key, d, "in", false);
		st->inbytes = ctr(c, n, &s->key, d, "in", true);
		st->outpkts = ctr(c, n, &s->key, d, "out", false);
		st->outbytes = ctr(c, n, &s->key, d, "out", true);
		s->stats.conns += st->conns;
		s->stats.inpkts += st->inpkts;
		s->stats.inbytes += st->inbytes;
		s->stats.outpkts += st->outpkts;
		s->stats.outbytes += st->outbytes;
	}
}

static int nft_dp_read(void *bk, struct lvs_table *out)
{
	struct nft_dp *dp = bk;
	struct nft_counter *c = NULL;
	struct lvs_tsvc *s;
	size_t n = 0, i;
	int r;

	r = nft_sock_counters(dp->sock, &c, &n);
	if (r < 0 && r != -ENOENT) {
		log_warn("nftables: cannot read the counters: %s", strerror(-r));
		return -1;
	}
	for (i = 0; i < dp->mirror.n_svcs; i++) {
		if (!lvs_table_copy_svc(out, &dp->mirror.svcs[i])) {
			free(c);
			return -1;
		}
		s = lvs_table_find(out, &dp->mirror.svcs[i].key);
		fill_stats(s, c, n);
	}
	free(c);
	return 0;
}

static void nft_dp_close(void *bk, bool remove_own)
{
	struct nft_dp *dp = bk;
	struct nft_batch b;
	char err[512];
	int r;

	if (!dp)
		return;
	if (remove_own) {
		/* Adding before deleting: neither table need exist (never
		 * created, or deleted by hand). */
		nft_batch_init(&b, nft_sock_seq(dp->sock));
		nft_batch_tables_del(&b);
		if (nft_batch_end(&b) == 0) {
			dp->mutations++;
			r = nft_sock_send(dp->sock, &b, err, sizeof(err));
			if (r < 0)
				log_err("nftables: cannot delete tables %s: %s", NFT_TABLE_NAME,
				        err);
		}
		nft_batch_free(&b);
	}
	lvs_table_free(&dp->mirror);
	nft_binds_free(&dp->binds);
	nft_plans_free(&dp->plans);
	nft_sock_close(dp->sock);
	free(dp);
}

const struct lvs_backend_ops lvs_nft_backend = {
    .name = "nftables",
    .open = nft_dp_open,
    .sync = nft_dp_sync,
    .dest_set = nft_dp_dest_set,
    .dest_del = nft_dp_dest_del,
    .read = nft_dp_read,
    .syncd_start = NULL,
    .syncd_stop = NULL,
    .set_timeouts = NULL,
    .mutations = nft_dp_mutations,
    .close = nft_dp_close,
};
