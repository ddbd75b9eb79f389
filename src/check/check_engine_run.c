/* The engine at run time: a timer per check, one attempt at a time, results
 * fanned out to the real servers that share the check, and only changes
 * travel on to the virtual server, the data plane and the notifications. */
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_engine_int.h"
#include "lib/log.h"
#include "lib/mtime.h"

const struct check_type_ops *check_type_ops(enum check_type t)
{
	switch (t) {
	case CHECK_TCP:
		return &check_tcp_ops;
	case CHECK_HTTP:
		return &check_http_ops;
	case CHECK_SSL:
		return &check_ssl_ops;
	case CHECK_SMTP:
		return &check_smtp_ops;
	case CHECK_DNS:
		return &check_dns_ops;
	case CHECK_UDP:
		return &check_udp_ops;
	case CHECK_PING:
		return &check_ping_ops;
	case CHECK_MISC:
		return &check_misc_ops;
	case CHECK_FILE:
		return &check_file_ops;
	default:
		return NULL;
	}
}

uint64_t ck_rand(struct check_engine *e, uint64_t below)
{
	/* xorshift64*: spreading start times needs no more than this */
	e->rng ^= e->rng >> 12;
	e->rng ^= e->rng << 25;
	e->rng ^= e->rng >> 27;
	return below ? (e->rng * 2685821657736338717ULL) % (below + 1) : 0;
}

static void attempt_done(void *arg, const struct check_outcome *o);

static void fire(evutil_socket_t fd, short what, void *arg)
{
	struct ck_check *c = arg;
	struct check_engine *e = c->e;
	const struct check_type_ops *ops = check_type_ops(c->cfg->type);
	struct check_io io = {.base = e->base, .scripts = e->scripts, .ssl_ctx = e->ssl_ctx};
	struct check_outcome o = {.dyn_weight = -1};

	(void)fd;
	(void)what;
	if (c->att)
		return;
	c->n_attempts++;
	e->cnt.attempts++;
	c->att_start_us = mono_us();
	if (!ops || !ops->start) {
		check_outcome_fail(&o, "%s is not supported by this build",
		                   check_type_str(c->cfg->type));
		attempt_done(c, &o);
		return;
	}
	c->att_conf = e->conf;
	c->att = ops->start(&io, c->cfg, c->sm.step, attempt_done, c);
	if (!c->att) {
		check_outcome_fail(&o, "cannot start the check");
		attempt_done(c, &o);
	}
}

/* Optionally (KA_CHECK_GRID=1 in the environment), regular runs start on a
 * 10 ms grid, so that checks due at nearly the same time share one wakeup;
 * a run may then be up to 10 ms early, never late.  It is off by default:
 * it saves about a fifth of the CPU at 500 checks/s, but bursts of
 * simultaneous connects delayed VRRP adverts by several ms on a 2-core
 * director (bench/check_isolation.sh: max deviation 5.5 ms with it, 0.98 ms
 * without). */
#define CK_TICK_US 10000u

uint64_t ck_align(uint64_t delay_us)
{
	uint64_t now = mono_us(), at = now + delay_us;

	static int grid = -1;

	if (grid < 0)
		grid = getenv("KA_CHECK_GRID") != NULL;
	if (!grid || delay_us < 2 * CK_TICK_US)
		return delay_us; /* short periods keep their exact value */
	at = at / CK_TICK_US * CK_TICK_US;
	return at > now ? at - now : 0;
}

void ck_check_schedule(struct ck_check *c, uint64_t delay_us)
{
	struct timeval tv = {.tv_sec = (time_t)(delay_us / 1000000),
	                     .tv_usec = (suseconds_t)(delay_us % 1000000)};

	if (!c->timer) {
		c->timer = evtimer_new(c->e->base, fire, c);
		if (!c->timer) {
			log_err("checker: out of memory for a timer");
			return;
		}
	}
	evtimer_add(c->timer, &tv);
}

void ck_check_cancel(struct ck_check *c)
{
	const struct check_type_ops *ops = check_type_ops(c->cfg->type);

	if (c->att && ops && ops->cancel)
		ops->cancel(c->att);
	c->att = NULL;
	ck_conf_unref(c->e, c->att_conf);
	c->att_conf = NULL;
	if (c->timer) {
		event_free(c->timer);
		c->timer = NULL;
	}
}

static void log_result(struct ck_check *c, const struct check_outcome *o, enum check_change ch)
{
	char a[KA_ADDRSTRLEN + 16];
	const struct check_cfg *cfg = c->cfg;

	addr_port_fmt(&cfg->conn.addr, cfg->conn.port, a, sizeof(a));
	if (ch == CHECK_WENT_DOWN)
		log_info("%s on %s failed: %s", check_type_str(cfg->type), a, o->why);
	else if (ch == CHECK_WENT_UP)
		log_info("%s on %s succeeded", check_type_str(cfg->type), a);
	else if (!o->ok && c->sm.state == CHECK_STATE_UP &&
	         (cfg->log_all_failures || c->sm.fails == 1))
		log_info("%s on %s failed (retry %u of %u): %s", check_type_str(cfg->type), a,
		         c->sm.fails, cfg->retry, o->why);
	else if (!o->ok && c->sm.state == CHECK_STATE_DOWN &&
	         (cfg->log_all_failures || !c->last_why || strcmp(c->last_why, o->why) != 0))
		log_info("%s on %s still failing: %s", check_type_str(cfg->type), a, o->why);
}

static void attempt_done(void *arg, const struct check_outcome *o)
{
	struct ck_check *c = arg;
	struct check_engine *e = c->e;
	enum check_change ch;
	uint64_t next;
	bool weight_changed = false;
	/* Released once o is no longer read: it may point into the attempt's
	 * configuration. */
	struct check_conf *held = c->att_conf;

	c->att = NULL;
	c->att_conf = NULL;
	c->last_latency_us = mono_us() - c->att_start_us;
	if (!o->ok)
		c->n_failures++;
	if (o->ok && c->cfg->type == CHECK_FILE) {
		weight_changed = c->file_add != o->weight_add;
		c->file_add = o->weight_add;
	} else if (o->ok && o->dyn_weight >= 0) {
		weight_changed = c->dyn_weight != o->dyn_weight;
		c->dyn_weight = o->dyn_weight;
	}
	ch = check_sm_result(&c->sm, c->cfg, o->ok, &next);
	log_result(c, o, ch);
	if (!o->ok && (!c->last_why || strcmp(c->last_why, o->why) != 0)) {
		free(c->last_why);
		c->last_why = strdup(o->why);
	} else if (o->ok && c->last_why) {
		free(c->last_why);
		c->last_why = NULL;
	}
	ck_conf_unref(e, held);
	ck_check_schedule(c, next == c->cfg->delay_loop_us ? ck_align(next) : next);
	if (ch == CHECK_NO_CHANGE && !weight_changed)
		return;
	for (unsigned i = 0; i < c->n_subs; i++)
		ck_rs_update(e, c->subs[i].rs, true);
}

/* ---- real servers and virtual servers --------------------------------------- */

int64_t ck_rs_want(const struct ck_rs *rs)
{
	return check_rs_dp_weight(rs->alive, rs->weight, rs->conf->inhibit_on_failure,
	                          !rs->vs->q.up && rs->vs->conf->has_sorry);
}

int64_t ck_sorry_want(const struct ck_vs *vs)
{
	return check_sorry_dp_weight(vs->conf->has_sorry, !vs->q.up, vs->conf->sorry_inhibit);
}

static void dp_set(struct check_engine *e, const struct check_vs_conf *vs,
                   const struct lvs_dest *base, int64_t from, int64_t to)
{
	struct lvs_dest d = *base;

	if (!e->dp || from == to)
		return;
	d.weight = to < 0 ? 0 : (int32_t)to;
	for (size_t i = 0; i < vs->n_svcs; i++) {
		if (to == CHECK_DP_ABSENT)
			lvs_dp_dest_del(e->dp, &vs->svcs[i], &d);
		else
			lvs_dp_dest_set(e->dp, &vs->svcs[i], &d);
	}
}

void ck_rs_program(struct check_engine *e, struct ck_rs *rs)
{
	int64_t want = ck_rs_want(rs);
	char a[KA_ADDRSTRLEN + 16];

	if (want == rs->dp_weight)
		return;
	check_rs_fmt(rs->vs->conf, rs->conf, a, sizeof(a));
	if (want == CHECK_DP_ABSENT)
		log_info("Removing service %s from VS %s", a, rs->vs->conf->fifo_name);
	else if (rs->dp_weight == CHECK_DP_ABSENT)
		log_info("Adding service %s to VS %s (weight %lld)", a, rs->vs->conf->fifo_name,
		         (long long)want);
	else
		log_info("Setting weight of %s in VS %s to %lld", a, rs->vs->conf->fifo_name,
		         (long long)want);
	dp_set(e, rs->vs->conf, &rs->conf->dest, rs->dp_weight, want);
	rs->dp_weight = want;
}

void ck_vs_program_sorry(struct check_engine *e, struct ck_vs *vs)
{
	int64_t want = ck_sorry_want(vs);

	if (want == vs->sorry_dp_weight)
		return;
	if (want != CHECK_DP_ABSENT && vs->sorry_dp_weight == CHECK_DP_ABSENT)
		log_info("VS %s: adding sorry server", vs->conf->fifo_name);
	else if (want == CHECK_DP_ABSENT)
		log_info("VS %s: removing sorry server", vs->conf->fifo_name);
	dp_set(e, vs->conf, &vs->conf->sorry, vs->sorry_dp_weight, want);
	vs->sorry_dp_weight = want;
}

static uint64_t weight_sum(const struct ck_vs *vs)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < vs->n_rs; i++)
		if (vs->rs[i].alive)
			sum += (uint64_t)vs->rs[i].weight;
	return sum;
}

void ck_vs_update(struct check_engine *e, struct ck_vs *vs, bool notify)
{
	enum check_change ch = check_quorum_update(&vs->q, weight_sum(vs));

	if (ch == CHECK_NO_CHANGE)
		return;
	log_info("VS %s: quorum %s (weight sum %llu, quorum %u, hysteresis %u)",
	         vs->conf->fifo_name, ch == CHECK_WENT_UP ? "gained" : "lost",
	         (unsigned long long)weight_sum(vs), vs->q.quorum, vs->q.hysteresis);
	/* With a sorry server, the pool and the sorry server swap places. */
	if (ch == CHECK_WENT_UP) {
		for (unsigned i = 0; i < vs->n_rs; i++)
			ck_rs_program(e, &vs->rs[i]);
		ck_vs_program_sorry(e, vs);
	} else {
		ck_vs_program_sorry(e, vs);
		for (unsigned i = 0; i < vs->n_rs; i++)
			ck_rs_program(e, &vs->rs[i]);
	}
	if (notify)
		ck_notify_vs(e, vs, ch == CHECK_WENT_UP);
}

void ck_rs_update(struct check_engine *e, struct ck_rs *rs, bool notify)
{
	unsigned failed = 0;
	int dyn = -1;
	int64_t file_add = 0;
	bool was = rs->alive;
	int32_t old_weight = rs->weight;

	for (unsigned i = 0; i < rs->n_checks; i++) {
		const struct ck_check *c = rs->checks[i];

		if (c->sm.state != CHECK_STATE_UP)
			failed++;
		if (c->dyn_weight >= 0)
			dyn = c->dyn_weight;
		file_add += c->file_add;
	}
	rs->n_failed = failed;
	rs->alive = failed == 0;
	rs->weight = check_rs_weight(rs->conf->dest.weight, dyn, file_add);
	if (was == rs->alive && old_weight == rs->weight)
		return;
	if (was != rs->alive) {
		rs->transitions++;
		e->cnt.transitions++;
	}
	ck_rs_program(e, rs);
	if (was != rs->alive && notify)
		ck_notify_rs(e, rs, rs->alive);
	ck_vs_update(e, rs->vs, notify);
}
