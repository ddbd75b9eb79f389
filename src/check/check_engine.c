/* The checker engine: building the run-time objects from a configuration,
 * sharing identical checks, carrying state across reloads, and the data
 * plane's start-up and reload reconciliation. */
#include <event2/event.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "check/check_engine_int.h"
#include "check/check_inotify.h"
#include "check/check_tls.h"
#include "lib/log.h"
#include "lib/mtime.h"

#define CK_KEY_MAX 8192

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* Checks run many sockets at once: take the hard limit. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		log_warn("checker: cannot raise the open files limit: %m");
}

struct check_engine *check_engine_new(struct event_base *base, struct script_runner *scripts,
                                      const struct check_engine_opts *opts)
{
	struct check_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->base = base;
	e->scripts = scripts;
	if (opts)
		e->opts = *opts;
	e->lvs_fifo_fd = e->notify_fifo_fd = -1;
	e->rng = mono_us() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ULL;
	if (!e->rng)
		e->rng = 1;
	raise_nofile();
	return e;
}

/* ---- distinct checks ------------------------------------------------------- */

static struct ck_check *check_find(struct check_engine *e, const char *key, uint32_t h)
{
	struct ck_check *c;

	for (c = e->hash[h % CK_HASH_SIZE]; c; c = c->hnext) {
		if (c->hash != h)
			continue;
		if (!e->kbuf2 && !(e->kbuf2 = malloc(CK_KEY_MAX)))
			return NULL;
		check_cfg_key(c->cfg, e->kbuf2, CK_KEY_MAX);
		if (strcmp(e->kbuf2, key) == 0)
			return c;
	}
	return NULL;
}

static struct ck_check *check_get(struct check_engine *e, const struct check_cfg *cfg, char *kbuf,
                                  bool *fresh)
{
	struct ck_check *c;
	uint32_t h;

	*fresh = false;
	if (check_cfg_key(cfg, kbuf, CK_KEY_MAX) >= CK_KEY_MAX) {
		/* Too long to compare: never shared. */
		snprintf(kbuf, CK_KEY_MAX, "unique:%p", (const void *)cfg);
	}
	h = fnv1a(kbuf);
	c = check_find(e, kbuf, h);
	if (c) {
		if (!c->keep) {
			c->keep = true;
			c->cfg = cfg;
		}
		return c;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->e = e;
	c->cfg = cfg;
	c->hash = h;
	c->keep = true;
	c->dyn_weight = -1;
	check_sm_init(&c->sm, cfg);
	c->hnext = e->hash[h % CK_HASH_SIZE];
	e->hash[h % CK_HASH_SIZE] = c;
	e->n_checks++;
	*fresh = true;
	return c;
}

static int check_subscribe(struct ck_check *c, struct ck_rs *rs)
{
	if (c->n_subs && c->subs[c->n_subs - 1].rs == rs)
		return 0; /* the same check twice on one real server */
	if (c->n_subs == c->cap_subs) {
		unsigned cap = c->cap_subs ? c->cap_subs * 2 : 2;
		struct ck_sub *s = realloc(c->subs, cap * sizeof(*s));

		if (!s)
			return -1;
		c->subs = s;
		c->cap_subs = cap;
	}
	c->subs[c->n_subs++].rs = rs;
	return 0;
}

static void check_destroy(struct ck_check *c)
{
	ck_check_cancel(c);
	free(c->subs);
	free(c->last_why);
	free(c);
}

/* Drop the checks that the new configuration no longer has. */
static void checks_sweep(struct check_engine *e)
{
	for (unsigned i = 0; i < CK_HASH_SIZE; i++) {
		struct ck_check **pp = &e->hash[i];

		while (*pp) {
			struct ck_check *c = *pp;

			if (c->keep) {
				pp = &c->hnext;
				continue;
			}
			*pp = c->hnext;
			e->n_checks--;
			check_destroy(c);
		}
	}
}

static void checks_unmark(struct check_engine *e)
{
	for (unsigned i = 0; i < CK_HASH_SIZE; i++)
		for (struct ck_check *c = e->hash[i]; c; c = c->hnext) {
			c->keep = false;
			c->n_subs = 0;
		}
}

/* ---- virtual and real servers ----------------------------------------------- */

static void vs_free_array(struct ck_vs *vs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		for (unsigned j = 0; j < vs[i].n_rs; j++)
			free(vs[i].rs[j].checks);
		free(vs[i].rs);
	}
	free(vs);
}

static const struct ck_vs *old_vs_find(const struct ck_vs *old, unsigned n, unsigned hint,
                                       const struct check_vs_conf *vc)
{
	if (hint < n && strcmp(old[hint].conf->fifo_name, vc->fifo_name) == 0)
		return &old[hint];
	for (unsigned i = 0; i < n; i++)
		if (strcmp(old[i].conf->fifo_name, vc->fifo_name) == 0)
			return &old[i];
	return NULL;
}

static const struct ck_rs *old_rs_find(const struct ck_vs *ovs, unsigned hint,
                                       const struct check_rs_conf *rc)
{
	if (!ovs)
		return NULL;
	if (hint < ovs->n_rs && addr_equal(&ovs->rs[hint].conf->addr, &rc->addr) &&
	    ovs->rs[hint].conf->port == rc->port)
		return &ovs->rs[hint];
	for (unsigned i = 0; i < ovs->n_rs; i++)
		if (addr_equal(&ovs->rs[i].conf->addr, &rc->addr) &&
		    ovs->rs[i].conf->port == rc->port)
			return &ovs->rs[i];
	return NULL;
}

/* The state of a real server from its checks, without side effects. */
static void rs_compute(struct ck_rs *rs)
{
	unsigned failed = 0;
	int dyn = -1;
	int64_t file_add = 0;

	for (unsigned i = 0; i < rs->n_checks; i++) {
		if (rs->checks[i]->sm.state != CHECK_STATE_UP)
			failed++;
		if (rs->checks[i]->dyn_weight >= 0)
			dyn = rs->checks[i]->dyn_weight;
		file_add += rs->checks[i]->file_add;
	}
	rs->n_failed = failed;
	rs->alive = failed == 0;
	rs->weight = check_rs_weight(rs->conf->dest.weight, dyn, file_add);
}

static uint64_t vs_weight_sum(const struct ck_vs *vs, bool configured)
{
	uint64_t s = 0;

	for (unsigned i = 0; i < vs->n_rs; i++)
		if (configured || vs->rs[i].alive)
			s +=
			    (uint64_t)(configured ? vs->rs[i].conf->dest.weight : vs->rs[i].weight);
	return s;
}

/* Build the new objects; fresh checks are collected for scheduling. */
static int build(struct check_engine *e, struct check_conf *conf, struct ck_vs **out,
                 struct ck_check ***fresh, size_t *n_fresh)
{
	struct ck_vs *vs = calloc(conf->n_vs ? conf->n_vs : 1, sizeof(*vs));
	char *kbuf = malloc(CK_KEY_MAX);
	size_t cap = 0;

	*fresh = NULL;
	*n_fresh = 0;
	if (!vs || !kbuf)
		goto oom;
	for (unsigned i = 0; i < conf->n_vs; i++) {
		const struct check_vs_conf *vc = &conf->vs[i];

		vs[i].conf = vc;
		vs[i].sorry_dp_weight = CHECK_DP_ABSENT;
		vs[i].rs = calloc(vc->n_rs ? vc->n_rs : 1, sizeof(*vs[i].rs));
		if (!vs[i].rs)
			goto oom;
		vs[i].n_rs = vc->n_rs;
		for (unsigned j = 0; j < vc->n_rs; j++) {
			struct ck_rs *rs = &vs[i].rs[j];

			rs->vs = &vs[i];
			rs->conf = &vc->rs[j];
			rs->dp_weight = CHECK_DP_ABSENT;
			rs->checks = calloc(vc->rs[j].n_checkers ? vc->rs[j].n_checkers : 1,
			                    sizeof(*rs->checks));
			if (!rs->checks)
				goto oom;
			for (unsigned k = 0; k < vc->rs[j].n_checkers; k++) {
				bool is_new;
				struct ck_check *c =
				    check_get(e, &vc->rs[j].checkers[k], kbuf, &is_new);

				if (!c || check_subscribe(c, rs) < 0)
					goto oom;
				rs->checks[rs->n_checks++] = c;
				if (!is_new)
					continue;
				if (*n_fresh == cap) {
					size_t ncap = cap ? cap * 2 : 64;
					struct ck_check **f = realloc(*fresh, ncap * sizeof(*f));

					if (!f)
						goto oom;
					*fresh = f;
					cap = ncap;
				}
				(*fresh)[(*n_fresh)++] = c;
			}
		}
	}
	free(kbuf);
	*out = vs;
	return 0;
oom:
	free(kbuf);
	if (vs)
		vs_free_array(vs, conf->n_vs);
	return -1;
}

/* ---- the data plane ------------------------------------------------------------ */

static int table_of(const struct ck_vs *vs, unsigned n, struct lvs_table *t)
{
	lvs_table_init(t);
	for (unsigned i = 0; i < n; i++) {
		const struct check_vs_conf *vc = vs[i].conf;

		for (size_t s = 0; s < vc->n_svcs; s++) {
			struct lvs_tsvc *ts = lvs_table_add_svc(t, &vc->svcs[s], &vc->attr);

			if (!ts)
				return -1;
			for (unsigned j = 0; j < vs[i].n_rs; j++) {
				int64_t w = vs[i].rs[j].dp_weight;
				struct lvs_dest d = vs[i].rs[j].conf->dest;

				if (w == CHECK_DP_ABSENT)
					continue;
				d.weight = (int32_t)w;
				if (lvs_svc_set_dest(ts, &d) < 0)
					return -1;
			}
			if (vs[i].sorry_dp_weight != CHECK_DP_ABSENT) {
				struct lvs_dest d = vc->sorry;

				d.weight = (int32_t)vs[i].sorry_dp_weight;
				if (lvs_svc_set_dest(ts, &d) < 0)
					return -1;
			}
		}
	}
	return 0;
}

static void dp_open(struct check_engine *e)
{
	char err[256] = "";

	if (e->dp_tried || e->opts.no_dataplane)
		return;
	e->dp_tried = true;
	e->dp_plane = e->conf->lvs_plane_eff;
	e->dp = lvs_dp_open(e->dp_plane, err, sizeof(err));
	if (!e->dp)
		log_err("%s; health checks run, but no virtual service is programmed", err);
}

static void dp_reconcile(struct check_engine *e, const struct ck_vs *old, unsigned n_old,
                         bool first)
{
	struct lvs_table want, prev, drop;
	int failed;

	if (!e->dp)
		return;
	lvs_table_init(&drop);
	if (table_of(e->vs, e->n_vs, &want) < 0 || table_of(old, n_old, &prev) < 0) {
		log_err("checker: out of memory building the virtual service table");
		goto out;
	}
	for (size_t i = 0; i < prev.n_svcs; i++)
		if (!lvs_table_find(&want, &prev.svcs[i].key) &&
		    !lvs_table_add_svc(&drop, &prev.svcs[i].key, &prev.svcs[i].attr))
			goto out;
	failed = lvs_dp_sync(e->dp, &want, &drop, first && e->conf->lvs_flush);
	if (failed < 0)
		log_err("%s: cannot read the kernel's virtual service table", lvs_dp_name(e->dp));
	else if (failed > 0)
		log_warn("%s: %d operation(s) failed while programming the table",
		         lvs_dp_name(e->dp), failed);
	if (first) {
		if (e->conf->timeout_tcp || e->conf->timeout_tcpfin || e->conf->timeout_udp)
			lvs_dp_set_timeouts(e->dp, e->conf->timeout_tcp, e->conf->timeout_tcpfin,
			                    e->conf->timeout_udp);
		if (e->conf->has_syncd && !e->conf->syncd_instance) {
			/* No VRRP instance drives it: run both directions. */
			struct lvs_syncd s = e->conf->syncd;

			s.backup = false;
			lvs_dp_syncd_start(e->dp, &s);
			s.backup = true;
			lvs_dp_syncd_start(e->dp, &s);
		}
	}
out:
	lvs_table_free(&want);
	lvs_table_free(&prev);
	lvs_table_free(&drop);
}

/* SSL_GET needs the process's client TLS context. */
static void tls_setup(struct check_engine *e, const struct check_conf *conf)
{
	struct check_tls_conf tc = {conf->tls.password, conf->tls.ca, conf->tls.certificate,
	                            conf->tls.key};
	char err[256] = "";
	bool need = false;

	if (e->ssl_ctx)
		return;
	for (unsigned i = 0; i < conf->n_vs && !need; i++)
		for (unsigned j = 0; j < conf->vs[i].n_rs && !need; j++)
			for (unsigned k = 0; k < conf->vs[i].rs[j].n_checkers; k++)
				if (conf->vs[i].rs[j].checkers[k].type == CHECK_SSL)
					need = true;
	if (!need)
		return;
	e->ssl_ctx = check_tls_ctx_new(conf->tls.present ? &tc : NULL, err, sizeof(err));
	if (!e->ssl_ctx)
		log_err("SSL_GET: cannot set up TLS: %s", err);
}

/* A FILE_CHECK re-runs as soon as its file changes. */
static void file_changed(void *arg, const char *path)
{
	struct check_engine *e = arg;

	for (unsigned i = 0; i < CK_HASH_SIZE; i++)
		for (struct ck_check *c = e->hash[i]; c; c = c->hnext)
			if (c->cfg->type == CHECK_FILE && c->cfg->u.file.path &&
			    strcmp(c->cfg->u.file.path, path) == 0 && !c->att)
				ck_check_schedule(c, 0);
}

static void files_watch(struct check_engine *e)
{
	for (unsigned i = 0; i < CK_HASH_SIZE; i++)
		for (struct ck_check *c = e->hash[i]; c; c = c->hnext) {
			if (c->cfg->type != CHECK_FILE || !c->cfg->u.file.path)
				continue;
			if (!e->ino && !(e->ino = check_inotify_new(e->base, file_changed, e)))
				return;
			if (check_inotify_watch(e->ino, c->cfg->u.file.path) < 0)
				log_warn("FILE_CHECK: cannot watch %s: %m", c->cfg->u.file.path);
		}
}

/* ---- apply ----------------------------------------------------------------------- */

int check_engine_apply(struct check_engine *e, struct check_conf *conf)
{
	struct ck_vs *vs = NULL, *old = e->vs;
	unsigned n_old = e->n_vs;
	struct ck_check **fresh = NULL;
	size_t n_fresh = 0;
	bool first = !e->started, replane = false;
	struct check_conf *old_conf = e->conf;

	checks_unmark(e);
	if (build(e, conf, &vs, &fresh, &n_fresh) < 0) {
		log_err("checker: out of memory applying the configuration - keeping the old one");
		/* Restore the old subscriptions. */
		checks_unmark(e);
		for (size_t i = 0; i < n_fresh; i++)
			fresh[i]->keep = false;
		if (old) {
			for (unsigned i = 0; i < n_old; i++)
				for (unsigned j = 0; j < old[i].n_rs; j++)
					for (unsigned k = 0; k < old[i].rs[j].n_checks; k++) {
						old[i].rs[j].checks[k]->keep = true;
						(void)check_subscribe(old[i].rs[j].checks[k],
						                      &old[i].rs[j]);
					}
		}
		checks_sweep(e);
		free(fresh);
		check_conf_free(conf);
		return -1;
	}
	checks_sweep(e);
	e->vs = vs;
	e->n_vs = conf->n_vs;
	e->conf = conf;
	/* A reload that changes lvs_data_plane: our services leave the old
	 * plane and are programmed afresh in the new one. */
	if (!first && e->dp_tried && conf->lvs_plane_eff != e->dp_plane) {
		log_info("lvs_data_plane: moving the virtual services from %s to %s",
		         lvs_plane_str(e->dp_plane), lvs_plane_str(conf->lvs_plane_eff));
		lvs_dp_close(e->dp, true);
		e->dp = NULL;
		e->dp_tried = false;
		replane = true;
	}
	if (first || replane)
		dp_open(e);
	tls_setup(e, conf);
	ck_fifos_open(e);

	for (unsigned i = 0; i < e->n_vs; i++) {
		struct ck_vs *v = &vs[i];
		const struct ck_vs *ov = old_vs_find(old, n_old, i, v->conf);

		for (unsigned j = 0; j < v->n_rs; j++) {
			const struct ck_rs *ors = old_rs_find(ov, j, v->rs[j].conf);

			rs_compute(&v->rs[j]);
			v->rs[j].transitions = ors ? ors->transitions : 0;
			if (ors && ors->alive != v->rs[j].alive)
				ck_notify_rs(e, &v->rs[j], v->rs[j].alive);
		}
		v->total_weight = vs_weight_sum(v, true);
		check_quorum_init(&v->q, v->conf->quorum, v->conf->hysteresis, v->total_weight,
		                  vs_weight_sum(v, false));
		if (ov) {
			/* The quorum state carries over; only a real change notifies. */
			v->q.up = ov->q.up;
			if (check_quorum_update(&v->q, vs_weight_sum(v, false)) != CHECK_NO_CHANGE)
				ck_notify_vs(e, v, v->q.up);
		}
		/* What the data plane should hold now. */
		for (unsigned j = 0; j < v->n_rs; j++)
			v->rs[j].dp_weight = ck_rs_want(&v->rs[j]);
		v->sorry_dp_weight = ck_sorry_want(v);
		if (first && conf->rs_init_notifies) {
			for (unsigned j = 0; j < v->n_rs; j++)
				ck_notify_rs(e, &v->rs[j], v->rs[j].alive);
			ck_notify_vs(e, v, v->q.up);
		}
	}
	dp_reconcile(e, replane ? NULL : old, replane ? 0 : n_old, first || replane);

	files_watch(e);
	/* New checks start at a random point within their warmup. */
	for (size_t i = 0; i < n_fresh; i++)
		ck_check_schedule(fresh[i], ck_align(ck_rand(e, fresh[i]->cfg->warmup_us)));
	free(fresh);
	if (old)
		vs_free_array(old, n_old);
	ck_conf_retire(e, old_conf);
	e->started = true;
	/* Building a large configuration leaves freed heap behind: return it. */
	malloc_trim(0);
	log_info("Checker: %u virtual server(s), %lu distinct check(s)", e->n_vs, e->n_checks);
	return 0;
}

void check_engine_stop(struct check_engine *e)
{
	if (!e || !e->started)
		return;
	for (unsigned i = 0; i < CK_HASH_SIZE; i++)
		for (struct ck_check *c = e->hash[i]; c; c = c->hnext)
			ck_check_cancel(c);
	for (unsigned i = 0; i < e->n_vs; i++) {
		struct ck_vs *v = &e->vs[i];

		if (!v->conf->omega)
			continue;
		for (unsigned j = 0; j < v->n_rs; j++)
			if (v->rs[j].alive)
				ck_notify_rs(e, &v->rs[j], false);
		if (v->q.up)
			ck_notify_vs(e, v, false);
	}
	if (e->dp) {
		/* Only the daemons we started: with an instance, the VRRP child
		 * owns them (and stops them itself). */
		if (e->conf->has_syncd && !e->conf->syncd_instance && !e->opts.dont_release_ipvs) {
			lvs_dp_syncd_stop(e->dp, false);
			lvs_dp_syncd_stop(e->dp, true);
		}
		/* lvs_flush_on_stop: the whole table goes (with "VS": only
		 * ours, which is the default anyway).  -I keeps everything. */
		if (!e->opts.dont_release_ipvs && e->conf->lvs_flush_on_stop &&
		    !e->conf->lvs_flush_on_stop_vs) {
			struct lvs_table none;

			lvs_table_init(&none);
			if (lvs_dp_sync(e->dp, &none, &none, true) != 0)
				log_warn("%s: the flush on stop failed", lvs_dp_name(e->dp));
		}
		lvs_dp_close(e->dp, !e->opts.dont_release_ipvs);
		e->dp = NULL;
	}
	ck_fifos_close(e);
	e->started = false;
}

void check_engine_free(struct check_engine *e)
{
	if (!e)
		return;
	check_engine_stop(e);
	for (unsigned i = 0; i < CK_HASH_SIZE; i++) {
		while (e->hash[i]) {
			struct ck_check *c = e->hash[i];

			e->hash[i] = c->hnext;
			check_destroy(c);
		}
	}
	if (e->vs)
		vs_free_array(e->vs, e->n_vs);
	check_conf_free(e->conf);
	ck_retired_free_all(e);
	free(e->kbuf2);
	if (e->ssl_ctx)
		check_tls_ctx_free(e->ssl_ctx);
	if (e->ino)
		check_inotify_free(e->ino);
	free(e);
}

void check_engine_counters(const struct check_engine *e, struct check_engine_counters *out)
{
	*out = e->cnt;
	out->checks = e->n_checks;
	out->dp_mutations = e->dp ? lvs_dp_mutations(e->dp) : 0;
}
