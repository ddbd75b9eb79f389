/* The checker engine's state logic (check_state.c) driven by synthetic
 * results on a virtual clock: retries, alpha, HTTP url cycles, quorum with
 * hysteresis, the sorry server and inhibit_on_failure. */
#include <string.h>

#include "check.h"
#include "check/check_state.h"

#define S 1000000ULL

static struct check_cfg cfg_tcp(unsigned retry, uint64_t dbr, uint64_t loop, bool alpha)
{
	struct check_cfg c;

	memset(&c, 0, sizeof(c));
	c.type = CHECK_TCP;
	c.retry = retry;
	c.delay_before_retry_us = dbr;
	c.delay_loop_us = loop;
	c.alpha = alpha;
	c.n_steps = 1;
	return c;
}

/* Run a check on a virtual clock against a server that is up while
 * up(t) says so; returns the virtual time of the first change of the
 * given kind after `from`, or 0 if none within `limit`. */
static uint64_t run_until(struct check_sm *sm, const struct check_cfg *c, bool (*up)(uint64_t),
                          uint64_t *t, uint64_t limit, enum check_change want)
{
	for (int i = 0; i < 100000 && *t <= limit; i++) {
		uint64_t next;
		enum check_change ch = check_sm_result(sm, c, up(*t), &next);

		if (ch == want)
			return *t;
		*t += next;
	}
	return 0;
}

static uint64_t fail_at;
static bool up_until_fail(uint64_t t)
{
	return t < fail_at;
}
static bool always_up(uint64_t t)
{
	(void)t;
	return true;
}
static bool always_down(uint64_t t)
{
	(void)t;
	return false;
}

static void test_retry(void)
{
	struct check_cfg c = cfg_tcp(3, 2 * S, 10 * S, false);
	struct check_sm sm;
	uint64_t t = 0, next, when;

	check_sm_init(&sm, &c);
	CHECK_INT(sm.state, CHECK_STATE_UP);
	/* A success keeps it up and waits delay_loop. */
	CHECK_INT(check_sm_result(&sm, &c, true, &next), CHECK_NO_CHANGE);
	CHECK_INT(next, 10 * S);
	/* Three failures are retried after delay_before_retry, the fourth is DOWN. */
	for (int i = 0; i < 3; i++) {
		CHECK_INT(check_sm_result(&sm, &c, false, &next), CHECK_NO_CHANGE);
		CHECK_INT(next, 2 * S);
		CHECK_INT(sm.state, CHECK_STATE_UP);
	}
	CHECK_INT(check_sm_result(&sm, &c, false, &next), CHECK_WENT_DOWN);
	CHECK_INT(sm.state, CHECK_STATE_DOWN);
	CHECK_INT(next, 10 * S);
	/* A DOWN check that fails stays down, re-tested every delay_loop. */
	CHECK_INT(check_sm_result(&sm, &c, false, &next), CHECK_NO_CHANGE);
	CHECK_INT(next, 10 * S);
	/* One success brings it back. */
	CHECK_INT(check_sm_result(&sm, &c, true, &next), CHECK_WENT_UP);
	CHECK_INT(sm.state, CHECK_STATE_UP);

	/* A success between failures resets the retry count. */
	check_sm_init(&sm, &c);
	CHECK_INT(check_sm_result(&sm, &c, false, &next), CHECK_NO_CHANGE);
	CHECK_INT(check_sm_result(&sm, &c, false, &next), CHECK_NO_CHANGE);
	CHECK_INT(check_sm_result(&sm, &c, true, &next), CHECK_NO_CHANGE);
	for (int i = 0; i < 3; i++)
		CHECK_INT(check_sm_result(&sm, &c, false, &next), CHECK_NO_CHANGE);
	CHECK_INT(check_sm_result(&sm, &c, false, &next), CHECK_WENT_DOWN);

	/* retry 0 (MISC_CHECK's default): the first failure is DOWN. */
	c = cfg_tcp(0, 1 * S, 5 * S, false);
	check_sm_init(&sm, &c);
	CHECK_INT(check_sm_result(&sm, &c, false, &next), CHECK_WENT_DOWN);

	/* Detection bound on the virtual clock: the server fails at 25 s;
	 * checks run every 10 s, so the first failing attempt is at 30 s, and
	 * the verdict comes retry x delay_before_retry later. */
	c = cfg_tcp(2, 3 * S, 10 * S, false);
	check_sm_init(&sm, &c);
	fail_at = 25 * S;
	t = 0;
	when = run_until(&sm, &c, up_until_fail, &t, 100 * S, CHECK_WENT_DOWN);
	CHECK_INT(when, 30 * S + 2 * 3 * S);
}

static void test_alpha(void)
{
	struct check_cfg c = cfg_tcp(1, 1 * S, 5 * S, true);
	struct check_sm sm;
	uint64_t t = 0, next;

	check_sm_init(&sm, &c);
	CHECK_INT(sm.state, CHECK_STATE_DOWN);
	/* The first success is the first UP. */
	CHECK_INT(run_until(&sm, &c, always_up, &t, 100 * S, CHECK_WENT_UP), 0 + 0);
	CHECK_INT(sm.state, CHECK_STATE_UP);
	/* An alpha check that keeps failing never comes up and never
	 * "goes down" (it never was up). */
	check_sm_init(&sm, &c);
	t = 0;
	for (int i = 0; i < 10; i++) {
		CHECK_INT(check_sm_result(&sm, &c, false, &next), CHECK_NO_CHANGE);
		CHECK_INT(next, 5 * S);
	}
	CHECK_INT(sm.state, CHECK_STATE_DOWN);
	(void)always_down;
}

static void test_http_cycle(void)
{
	struct check_cfg c = cfg_tcp(1, 3 * S, 10 * S, true);
	struct check_sm sm;
	uint64_t next;

	c.type = CHECK_HTTP;
	c.n_steps = 3;
	check_sm_init(&sm, &c);
	/* DOWN: each url must succeed in turn, one per delay_loop. */
	CHECK_INT(sm.step, 0);
	CHECK_INT(check_sm_result(&sm, &c, true, &next), CHECK_NO_CHANGE);
	CHECK_INT(sm.step, 1);
	CHECK_INT(next, 10 * S);
	/* A failure restarts the cycle at the first url. */
	CHECK_INT(check_sm_result(&sm, &c, false, &next), CHECK_NO_CHANGE);
	CHECK_INT(sm.step, 0);
	CHECK_INT(check_sm_result(&sm, &c, true, &next), CHECK_NO_CHANGE);
	CHECK_INT(check_sm_result(&sm, &c, true, &next), CHECK_NO_CHANGE);
	CHECK_INT(check_sm_result(&sm, &c, true, &next), CHECK_WENT_UP);
	CHECK_INT(sm.step, 0);
	/* UP: urls rotate, one per delay_loop. */
	CHECK_INT(check_sm_result(&sm, &c, true, &next), CHECK_NO_CHANGE);
	CHECK_INT(sm.step, 1);
	CHECK_INT(check_sm_result(&sm, &c, true, &next), CHECK_NO_CHANGE);
	CHECK_INT(check_sm_result(&sm, &c, true, &next), CHECK_NO_CHANGE);
	CHECK_INT(sm.step, 0);

	/* fast_recovery: the next url at once while down. */
	c.u.http.fast_recovery = true;
	check_sm_init(&sm, &c);
	CHECK_INT(check_sm_result(&sm, &c, true, &next), CHECK_NO_CHANGE);
	CHECK_INT(next, 0);
	CHECK_INT(check_sm_result(&sm, &c, true, &next), CHECK_NO_CHANGE);
	CHECK_INT(check_sm_result(&sm, &c, true, &next), CHECK_WENT_UP);
	CHECK_INT(next, 10 * S);
}

static void test_weight(void)
{
	CHECK_INT(check_rs_weight(3, -1, 0), 3);
	CHECK_INT(check_rs_weight(3, 7, 0), 7); /* misc_dynamic replaces */
	CHECK_INT(check_rs_weight(3, 0, 0), 0);
	CHECK_INT(check_rs_weight(3, -1, 5), 8); /* FILE_CHECK adds */
	CHECK_INT(check_rs_weight(3, -1, -10), 0);
	CHECK_INT(check_rs_weight(2147483647, -1, 5), 2147483647);
}

static void test_quorum(void)
{
	struct check_quorum q;

	/* Clamping: quorum above the total weight; hysteresis >= quorum. */
	check_quorum_init(&q, 100, 0, 6, 6);
	CHECK_INT(q.quorum, 6);
	CHECK(q.up);
	check_quorum_init(&q, 4, 9, 10, 10);
	CHECK_INT(q.hysteresis, 3);
	check_quorum_init(&q, 1, 0, 0, 0);
	CHECK_INT(q.quorum, 1);
	CHECK(!q.up);

	/* quorum 4, hysteresis 1: lost below 3, regained at 5. */
	check_quorum_init(&q, 4, 1, 10, 10);
	CHECK(q.up);
	CHECK_INT(check_quorum_update(&q, 4), CHECK_NO_CHANGE);
	CHECK_INT(check_quorum_update(&q, 3), CHECK_NO_CHANGE);
	CHECK_INT(check_quorum_update(&q, 2), CHECK_WENT_DOWN);
	CHECK_INT(check_quorum_update(&q, 3), CHECK_NO_CHANGE);
	CHECK_INT(check_quorum_update(&q, 4), CHECK_NO_CHANGE);
	CHECK_INT(check_quorum_update(&q, 5), CHECK_WENT_UP);
	CHECK_INT(check_quorum_update(&q, 5), CHECK_NO_CHANGE);
	/* A weight sum of 0 always loses quorum. */
	check_quorum_init(&q, 1, 0, 2, 2);
	CHECK_INT(check_quorum_update(&q, 0), CHECK_WENT_DOWN);
	CHECK_INT(check_quorum_update(&q, 1), CHECK_WENT_UP);
	/* Start state follows the live weight at start (alpha servers). */
	check_quorum_init(&q, 2, 0, 4, 1);
	CHECK(!q.up);
}

static void test_dataplane(void)
{
	/* alive, weight, inhibit, sorry active */
	CHECK_INT(check_rs_dp_weight(true, 5, false, false), 5);
	CHECK_INT(check_rs_dp_weight(false, 5, false, false), CHECK_DP_ABSENT);
	CHECK_INT(check_rs_dp_weight(false, 5, true, false), 0); /* inhibit_on_failure */
	CHECK_INT(check_rs_dp_weight(true, 5, false, true), CHECK_DP_ABSENT); /* sorry replaces */
	CHECK_INT(check_rs_dp_weight(true, 5, true, true), 0);
	CHECK_INT(check_sorry_dp_weight(false, true, false), CHECK_DP_ABSENT);
	CHECK_INT(check_sorry_dp_weight(true, true, false), 1);
	CHECK_INT(check_sorry_dp_weight(true, false, false), CHECK_DP_ABSENT);
	CHECK_INT(check_sorry_dp_weight(true, false, true), 0); /* sorry_server_inhibit */
}

/* A virtual server of two real servers on the virtual clock: when both
 * fail the sorry server replaces them; when one recovers it comes back. */
static void test_sorry_story(void)
{
	struct check_cfg c = cfg_tcp(1, 1 * S, 5 * S, false);
	struct check_sm a, b;
	struct check_quorum q;
	uint64_t next;
	int64_t wa, wb, ws;

	check_sm_init(&a, &c);
	check_sm_init(&b, &c);
	check_quorum_init(&q, 1, 0, 2, 2);
	CHECK(q.up);
	/* Both fail twice (retry 1). */
	for (int i = 0; i < 2; i++) {
		check_sm_result(&a, &c, false, &next);
		check_sm_result(&b, &c, false, &next);
	}
	CHECK_INT(a.state, CHECK_STATE_DOWN);
	CHECK_INT(b.state, CHECK_STATE_DOWN);
	CHECK_INT(check_quorum_update(&q, 0), CHECK_WENT_DOWN);
	wa = check_rs_dp_weight(a.state == CHECK_STATE_UP, 1, false, !q.up);
	wb = check_rs_dp_weight(b.state == CHECK_STATE_UP, 1, false, !q.up);
	ws = check_sorry_dp_weight(true, !q.up, false);
	CHECK_INT(wa, CHECK_DP_ABSENT);
	CHECK_INT(wb, CHECK_DP_ABSENT);
	CHECK_INT(ws, 1);
	/* a recovers: quorum regained, the sorry server leaves. */
	CHECK_INT(check_sm_result(&a, &c, true, &next), CHECK_WENT_UP);
	CHECK_INT(check_quorum_update(&q, 1), CHECK_WENT_UP);
	CHECK_INT(check_rs_dp_weight(true, 1, false, !q.up), 1);
	CHECK_INT(check_sorry_dp_weight(true, !q.up, false), CHECK_DP_ABSENT);
}

int main(void)
{
	test_retry();
	test_alpha();
	test_http_cycle();
	test_weight();
	test_quorum();
	test_dataplane();
	test_sorry_story();
	return check_report("check_state");
}
