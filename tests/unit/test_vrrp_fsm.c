/* VRRP state machine: the full (state, event) table, timers, preemption,
 * tie-breaks, owner, priority 0, v3 interval adoption, FAULT. */
#include <stdarg.h>
#include <syslog.h>

#include "check.h"
#include "vrrp/vrrp_fsm.h"

#define S_INIT VRRP_STATE_INIT
#define S_BACK VRRP_STATE_BACKUP
#define S_MAST VRRP_STATE_MASTER
#define S_FLT VRRP_STATE_FAULT
#define S_STOP VRRP_STATE_STOP

#define A_P0 VRRP_ACT_SEND_PRIO0_ADVERT
#define A_ADV VRRP_ACT_SEND_ADVERT
#define A_DEL VRRP_ACT_DEL_VIPS
#define A_ADD VRRP_ACT_ADD_VIPS
#define A_GARP VRRP_ACT_GARP_MASTER
#define A_LOW VRRP_ACT_GARP_LOWER_PRIO
#define A_NTF VRRP_ACT_NOTIFY
#define A_RS VRRP_ACT_RESCHEDULE
#define A_MASTER (A_ADV | A_ADD | A_GARP | A_NTF | A_RS)

#define SEC 1000000ull
#define T0 (1000 * SEC) /* virtual CLOCK_MONOTONIC origin */

/* ---- log capture ---- */

static char last_log[512];
static int last_level, n_logs, n_warnings;

static void capture(void *ctx, int level, const char *fmt, va_list ap)
{
	(void)ctx;
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	last_level = level;
	n_logs++;
	if (level <= LOG_WARNING)
		n_warnings++;
}

/* ---- helpers ---- */

static struct vrrp_fsm_cfg cfg_v(unsigned version, unsigned prio, unsigned adver_cs)
{
	struct vrrp_fsm_cfg c;

	vrrp_fsm_cfg_defaults(&c);
	c.version = (uint8_t)version;
	c.priority = (uint8_t)prio;
	c.adver_int_cs = (uint16_t)adver_cs;
	return c;
}

static struct ka_addr ip(const char *s)
{
	struct ka_addr a;

	memset(&a, 0, sizeof(a));
	if (addr_parse(s, &a) != 0)
		fprintf(stderr, "bad test address %s\n", s);
	return a;
}

static struct vrrp_fsm_rx rx_of(unsigned prio, unsigned int_cs, const char *from)
{
	struct vrrp_fsm_rx r;

	memset(&r, 0, sizeof(r));
	r.prio = (uint8_t)prio;
	r.adver_int_cs = (uint16_t)int_cs;
	r.saddr = ip(from);
	return r;
}

static void mk(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c, const char *self)
{
	vrrp_fsm_init(f, c, "VI_1");
	f->log = capture;
	f->saddr = ip(self);
}

static unsigned rx(struct vrrp_fsm *f, unsigned prio, unsigned int_cs, const char *from,
                   uint64_t now)
{
	struct vrrp_fsm_rx r = rx_of(prio, int_cs, from);

	return vrrp_fsm_event(f, VRRP_EV_ADVERT_RX, &r, now);
}

static const char *acts_str(unsigned a)
{
	static char buf[4][160];
	static int k;

	k = (k + 1) % 4;
	return vrrp_actions_fmt(a, buf[k], sizeof(buf[k]));
}

#define CHECK_ACTS(got, want) CHECK_STR(acts_str(got), acts_str(want))

/* Drive a fresh FSM (v3, prio 100, 1 s, self 10.0.0.1) into state s at T0. */
static void drive_to(struct vrrp_fsm *f, enum vrrp_fsm_state s)
{
	struct vrrp_fsm_cfg c = cfg_v(3, 100, 100);

	mk(f, &c, "10.0.0.1");
	if (s == S_INIT)
		return;
	vrrp_fsm_event(f, VRRP_EV_STARTUP, NULL, T0);
	if (s == S_MAST)
		vrrp_fsm_tick(f, f->master_down_at);
	else if (s == S_FLT)
		vrrp_fsm_event(f, VRRP_EV_FAULT_ON, NULL, T0);
	else if (s == S_STOP)
		vrrp_fsm_event(f, VRRP_EV_SHUTDOWN, NULL, T0);
}

/* ---- the whole table ---- */

struct row {
	enum vrrp_fsm_state from;
	enum vrrp_event ev;
	enum vrrp_fsm_state to;
	unsigned acts;
	int unexpected;
};

/* ADVERT_RX is priority 150 from 10.0.0.2 (higher than our 100);
 * PRIORITY_CHANGED carries 90.  Events are delivered 1 ms after
 * the state was reached so that re-armed timers move (RESCHEDULE). */
static const struct row table[] = {
    {S_INIT, VRRP_EV_STARTUP, S_BACK, A_NTF | A_RS, 0},
    {S_INIT, VRRP_EV_SHUTDOWN, S_STOP, A_NTF, 0},
    {S_INIT, VRRP_EV_MASTER_DOWN, S_INIT, 0, 1},
    {S_INIT, VRRP_EV_ADVER_TIMER, S_INIT, 0, 1},
    {S_INIT, VRRP_EV_ADVERT_RX, S_INIT, 0, 0},
    {S_INIT, VRRP_EV_FAULT_ON, S_INIT, 0, 0},
    {S_INIT, VRRP_EV_FAULT_OFF, S_INIT, 0, 0},
    {S_INIT, VRRP_EV_PRIORITY_CHANGED, S_INIT, 0, 0},
    {S_INIT, VRRP_EV_GROUP_TO_BACKUP, S_INIT, 0, 0},
    {S_INIT, VRRP_EV_GROUP_TO_FAULT, S_INIT, 0, 0},
    {S_INIT, VRRP_EV_GROUP_FAULT_OFF, S_INIT, 0, 0},
    {S_INIT, VRRP_EV_GROUP_TO_MASTER, S_INIT, 0, 1},

    {S_BACK, VRRP_EV_STARTUP, S_BACK, 0, 1},
    {S_BACK, VRRP_EV_SHUTDOWN, S_STOP, A_NTF | A_RS, 0},
    {S_BACK, VRRP_EV_MASTER_DOWN, S_MAST, A_MASTER, 0},
    {S_BACK, VRRP_EV_ADVER_TIMER, S_BACK, 0, 1},
    {S_BACK, VRRP_EV_ADVERT_RX, S_BACK, A_RS, 0},
    {S_BACK, VRRP_EV_FAULT_ON, S_FLT, A_NTF | A_RS, 0},
    {S_BACK, VRRP_EV_FAULT_OFF, S_BACK, 0, 0},
    {S_BACK, VRRP_EV_PRIORITY_CHANGED, S_BACK, 0, 0},
    {S_BACK, VRRP_EV_GROUP_TO_BACKUP, S_BACK, 0, 0},
    {S_BACK, VRRP_EV_GROUP_TO_FAULT, S_FLT, A_NTF | A_RS, 0},
    {S_BACK, VRRP_EV_GROUP_FAULT_OFF, S_BACK, 0, 0},
    {S_BACK, VRRP_EV_GROUP_TO_MASTER, S_MAST, A_MASTER, 0},

    {S_MAST, VRRP_EV_STARTUP, S_MAST, 0, 1},
    {S_MAST, VRRP_EV_SHUTDOWN, S_STOP, A_P0 | A_DEL | A_NTF | A_RS, 0},
    {S_MAST, VRRP_EV_MASTER_DOWN, S_MAST, 0, 1},
    {S_MAST, VRRP_EV_ADVER_TIMER, S_MAST, A_ADV | A_RS, 0},
    {S_MAST, VRRP_EV_ADVERT_RX, S_BACK, A_DEL | A_NTF | A_RS, 0},
    {S_MAST, VRRP_EV_FAULT_ON, S_FLT, A_P0 | A_DEL | A_NTF | A_RS, 0},
    {S_MAST, VRRP_EV_FAULT_OFF, S_MAST, 0, 0},
    {S_MAST, VRRP_EV_PRIORITY_CHANGED, S_MAST, 0, 0},
    {S_MAST, VRRP_EV_GROUP_TO_BACKUP, S_BACK, A_P0 | A_DEL | A_NTF | A_RS, 0},
    {S_MAST, VRRP_EV_GROUP_TO_FAULT, S_FLT, A_P0 | A_DEL | A_NTF | A_RS, 0},
    {S_MAST, VRRP_EV_GROUP_FAULT_OFF, S_MAST, 0, 0},
    {S_MAST, VRRP_EV_GROUP_TO_MASTER, S_MAST, 0, 0},

    {S_FLT, VRRP_EV_STARTUP, S_FLT, 0, 1},
    {S_FLT, VRRP_EV_SHUTDOWN, S_STOP, A_NTF, 0},
    {S_FLT, VRRP_EV_MASTER_DOWN, S_FLT, 0, 1},
    {S_FLT, VRRP_EV_ADVER_TIMER, S_FLT, 0, 1},
    {S_FLT, VRRP_EV_ADVERT_RX, S_FLT, 0, 0},
    {S_FLT, VRRP_EV_FAULT_ON, S_FLT, 0, 0},
    {S_FLT, VRRP_EV_FAULT_OFF, S_BACK, A_NTF | A_RS, 0},
    {S_FLT, VRRP_EV_PRIORITY_CHANGED, S_FLT, 0, 0},
    {S_FLT, VRRP_EV_GROUP_TO_BACKUP, S_FLT, 0, 0},
    {S_FLT, VRRP_EV_GROUP_TO_FAULT, S_FLT, 0, 0},
    {S_FLT, VRRP_EV_GROUP_FAULT_OFF, S_FLT, 0, 0}, /* own fault still set */
    {S_FLT, VRRP_EV_GROUP_TO_MASTER, S_FLT, 0, 1},

    {S_STOP, VRRP_EV_STARTUP, S_BACK, A_NTF | A_RS, 0},
    {S_STOP, VRRP_EV_SHUTDOWN, S_STOP, 0, 0},
    {S_STOP, VRRP_EV_MASTER_DOWN, S_STOP, 0, 1},
    {S_STOP, VRRP_EV_ADVER_TIMER, S_STOP, 0, 1},
    {S_STOP, VRRP_EV_ADVERT_RX, S_STOP, 0, 0},
    {S_STOP, VRRP_EV_FAULT_ON, S_STOP, 0, 0},
    {S_STOP, VRRP_EV_FAULT_OFF, S_STOP, 0, 0},
    {S_STOP, VRRP_EV_PRIORITY_CHANGED, S_STOP, 0, 0},
    {S_STOP, VRRP_EV_GROUP_TO_BACKUP, S_STOP, 0, 0},
    {S_STOP, VRRP_EV_GROUP_TO_FAULT, S_STOP, 0, 0},
    {S_STOP, VRRP_EV_GROUP_FAULT_OFF, S_STOP, 0, 0},
    {S_STOP, VRRP_EV_GROUP_TO_MASTER, S_STOP, 0, 1},
};

static void test_table(void)
{
	size_t i, n = sizeof(table) / sizeof(table[0]);
	int seen[VRRP_STATE_COUNT][VRRP_EV_COUNT];
	struct vrrp_fsm_rx adv = rx_of(150, 100, "10.0.0.2");
	struct vrrp_fsm_rx pc = rx_of(90, 0, "0.0.0.0");
	int s, e;

	memset(seen, 0, sizeof(seen));
	CHECK_INT(n, VRRP_STATE_COUNT * VRRP_EV_COUNT);
	for (i = 0; i < n; i++) {
		const struct row *r = &table[i];
		struct vrrp_fsm f;
		const struct vrrp_fsm_rx *arg = NULL;
		uint64_t unexp, before_tr, events, now;
		unsigned a;
		int warnings;
		char want[160];

		seen[r->from][r->ev]++;
		drive_to(&f, r->from);
		CHECK_INT(f.state, r->from);
		if (r->ev == VRRP_EV_ADVERT_RX)
			arg = &adv;
		else if (r->ev == VRRP_EV_PRIORITY_CHANGED)
			arg = &pc;
		unexp = f.stats.unexpected;
		before_tr = f.stats.transitions[r->from][r->to];
		events = f.stats.events[r->ev];
		warnings = n_warnings;
		last_log[0] = '\0';

		now = (f.last_transition_us > T0 ? f.last_transition_us : T0) + 1000;
		a = vrrp_fsm_event(&f, r->ev, arg, now);
		if (f.state != r->to || a != r->acts)
			fprintf(stderr, "row %zu: %s + %s -> %s [%s], expected %s [%s]\n", i,
			        vrrp_state_str(r->from), vrrp_event_str(r->ev),
			        vrrp_state_str(f.state), acts_str(a), vrrp_state_str(r->to),
			        acts_str(r->acts));
		CHECK_INT(f.state, r->to);
		CHECK_ACTS(a, r->acts);
		CHECK_INT(f.stats.unexpected - unexp, r->unexpected);
		CHECK_INT(f.stats.events[r->ev] - events, 1);
		/* Action invariants of the contract. */
		CHECK(!((a & A_ADD) && (a & A_DEL)));
		CHECK(!((a & A_ADV) && (a & A_P0)));
		CHECK_INT(!!(a & A_NTF), r->from != r->to);
		if (r->unexpected) {
			CHECK(n_warnings > warnings);
			CHECK(strstr(last_log, "unexpected event") != NULL);
			CHECK(strstr(last_log, vrrp_event_str(r->ev)) != NULL);
		}
		if (r->from != r->to) {
			CHECK_INT(f.stats.transitions[r->from][r->to] - before_tr, 1);
			CHECK_INT(f.prev_state, r->from);
			CHECK_INT(f.last_transition_us, now);
			snprintf(want, sizeof(want), "(VI_1) event %s: %s -> %s",
			         vrrp_event_str(r->ev), vrrp_state_str(r->from),
			         vrrp_state_str(r->to));
			CHECK_STR(last_log, want);
		}
		/* Timers armed only in the state they belong to. */
		CHECK(f.state == S_MAST || f.adver_timer_at == 0);
		CHECK(f.state == S_BACK || f.master_down_at == 0);
		CHECK(f.state != S_MAST || f.adver_timer_at > now);
		CHECK(f.state != S_BACK || f.master_down_at > now);
	}
	for (s = 0; s < VRRP_STATE_COUNT; s++)
		for (e = 0; e < VRRP_EV_COUNT; e++)
			CHECK_INT(seen[s][e], 1);

	/* ADVERT_RX / PRIORITY_CHANGED without an argument are refused. */
	{
		struct vrrp_fsm f;

		drive_to(&f, S_BACK);
		CHECK_INT(vrrp_fsm_event(&f, VRRP_EV_ADVERT_RX, NULL, T0 + 1), 0);
		CHECK_INT(f.stats.unexpected, 1);
		CHECK_INT(vrrp_fsm_event(&f, (enum vrrp_event)99, NULL, T0 + 1), 0);
		CHECK_INT(f.stats.unexpected, 2);
		CHECK_INT(f.state, S_BACK);
	}
}

static void test_strings(void)
{
	char buf[16];

	CHECK_STR(vrrp_state_str(VRRP_STATE_MASTER), "MASTER");
	CHECK_STR(vrrp_state_str(VRRP_STATE_STOP), "STOP");
	CHECK_STR(vrrp_state_str((enum vrrp_fsm_state)42), "?");
	CHECK_STR(vrrp_event_str(VRRP_EV_MASTER_DOWN), "MASTER_DOWN");
	CHECK_STR(vrrp_event_str(VRRP_EV_GROUP_TO_MASTER), "GROUP_TO_MASTER");
	CHECK_STR(vrrp_action_str(VRRP_ACT_GARP_LOWER_PRIO), "GARP_LOWER_PRIO");
	CHECK_STR(vrrp_action_str(3), "?");
	CHECK_STR(acts_str(0), "-");
	CHECK_STR(acts_str(A_MASTER), "SEND_ADVERT|ADD_VIPS|GARP_MASTER|NOTIFY|RESCHEDULE");
	CHECK_STR(acts_str(A_P0 | A_DEL | A_NTF), "SEND_PRIO0_ADVERT|DEL_VIPS|NOTIFY");
	/* Truncation stays inside the buffer. */
	CHECK_STR(vrrp_actions_fmt(A_MASTER, buf, sizeof(buf)), "SEND_ADVERT|ADD");
	/* Bit order is the application order of the contract. */
	CHECK(A_P0 < A_ADV && A_ADV < A_DEL && A_DEL < A_ADD && A_ADD < A_GARP && A_GARP < A_LOW &&
	      A_LOW < A_NTF && A_NTF < A_RS);
}

/* ---- timer arithmetic ---- */

static void test_timer_math(void)
{
	/* v2: (256 - prio) / 256 s, independent of the interval. */
	CHECK_INT(vrrp_skew_time_us(2, 100, 100), 609375);
	CHECK_INT(vrrp_skew_time_us(2, 100, 300), 609375);
	CHECK_INT(vrrp_skew_time_us(2, 255, 100), 3906); /* 3906.25 */
	CHECK_INT(vrrp_skew_time_us(2, 1, 100), 996093); /* 996093.75 */
	CHECK_INT(vrrp_skew_time_us(2, 254, 100), 7812); /* 7812.5 */
	CHECK_INT(vrrp_master_down_interval_us(2, 100, 100, 3), 3609375);
	CHECK_INT(vrrp_master_down_interval_us(2, 100, 300, 3), 9609375);
	CHECK_INT(vrrp_master_down_interval_us(2, 200, 100, 3), 3218750);
	/* v3: ((256 - prio) × MAI) / 256. */
	CHECK_INT(vrrp_skew_time_us(3, 100, 10), 60937); /* 60.9375 ms */
	CHECK_INT(vrrp_master_down_interval_us(3, 100, 10, 3), 360937);
	CHECK_INT(vrrp_skew_time_us(3, 100, 100), 609375);
	CHECK_INT(vrrp_skew_time_us(3, 100, 300), 1828125);
	CHECK_INT(vrrp_master_down_interval_us(3, 100, 300, 3), 10828125);
	CHECK_INT(vrrp_skew_time_us(3, 200, 50), 109375);
	CHECK_INT(vrrp_master_down_interval_us(3, 200, 50, 3), 1609375);
	CHECK_INT(vrrp_skew_time_us(3, 255, 1), 39); /* 39.0625 */
	CHECK_INT(vrrp_master_down_interval_us(3, 255, 1, 3), 30039);
	CHECK_INT(vrrp_skew_time_us(3, 1, 4095), 40790039);
	CHECK_INT(vrrp_skew_time_us(3, 0, 100), 1000000);
	/* down_timer_adverts other than 3. */
	CHECK_INT(vrrp_master_down_interval_us(3, 100, 10, 1), 160937);
	CHECK_INT(vrrp_master_down_interval_us(3, 100, 10, 100), 10060937);
}

static void test_timers_fsm(void)
{
	struct vrrp_fsm_cfg c = cfg_v(3, 100, 10);
	struct vrrp_fsm f;
	unsigned a;
	uint64_t t;

	mk(&f, &c, "10.0.0.1");
	CHECK_INT(vrrp_fsm_next_deadline(&f), 0);
	CHECK_INT(vrrp_fsm_tick(&f, T0), 0);
	a = vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	CHECK_ACTS(a, A_NTF | A_RS);
	CHECK_INT(f.state, S_BACK);
	CHECK_INT(vrrp_fsm_skew_us(&f), 60937);
	CHECK_INT(vrrp_fsm_master_down_us(&f), 360937);
	CHECK_INT(f.master_down_at, T0 + 360937);
	CHECK_INT(vrrp_fsm_next_deadline(&f), T0 + 360937);
	CHECK_INT(vrrp_fsm_tick(&f, T0 + 360936), 0);
	CHECK_INT(f.state, S_BACK);
	a = vrrp_fsm_tick(&f, T0 + 360937);
	CHECK_ACTS(a, A_MASTER);
	CHECK_INT(f.state, S_MAST);
	CHECK_INT(f.stats.became_master, 1);
	/* MASTER: an advert every Advertisement_Interval. */
	t = T0 + 360937;
	CHECK_INT(vrrp_fsm_next_deadline(&f), t + 100000);
	CHECK_INT(vrrp_fsm_tick(&f, t + 99999), 0);
	CHECK_ACTS(vrrp_fsm_tick(&f, t + 100000), A_ADV | A_RS);
	CHECK_INT(vrrp_fsm_next_deadline(&f), t + 200000);
	/* Late tick: re-armed from now. */
	CHECK_ACTS(vrrp_fsm_tick(&f, t + 250000), A_ADV | A_RS);
	CHECK_INT(vrrp_fsm_next_deadline(&f), t + 350000);
	CHECK_INT(f.stats.events[VRRP_EV_ADVER_TIMER], 2);

	/* v2 prio 100, 1 s: Master_Down = 3.609375 s. */
	c = cfg_v(2, 100, 100);
	mk(&f, &c, "10.0.0.1");
	vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	CHECK_INT(f.master_down_at, T0 + 3609375);
	/* An accepted advert resets the Master_Down_Timer from now. */
	rx(&f, 100, 100, "10.0.0.2", T0 + 3 * SEC);
	CHECK_INT(f.master_down_at, T0 + 3 * SEC + 3609375);
	CHECK_INT(vrrp_fsm_tick(&f, T0 + 3609375), 0);
	CHECK_INT(f.state, S_BACK);

	/* down_timer_adverts 1. */
	c = cfg_v(3, 100, 10);
	c.down_timer_adverts = 1;
	mk(&f, &c, "10.0.0.1");
	vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	CHECK_INT(f.master_down_at, T0 + 160937);
}

/* ---- virtual-time simulation: one remote master at `rprio` advertising
 * every `period` µs from `start` until `stop`; returns when f becomes
 * MASTER or at `until`. */
static uint64_t simulate(struct vrrp_fsm *f, unsigned rprio, uint64_t start, uint64_t period,
                         uint64_t stop, uint64_t until)
{
	uint64_t next_adv = start, now = start;

	while (f->state != S_MAST) {
		uint64_t d = vrrp_fsm_next_deadline(f);
		bool adv_first = next_adv < stop && (!d || next_adv < d);

		now = adv_first ? next_adv : d;
		if (!now || now > until)
			return until;
		if (adv_first) {
			rx(f, rprio, 100, "10.0.0.2", now);
			next_adv += period;
		} else {
			vrrp_fsm_tick(f, now);
		}
	}
	return now;
}

static void test_preempt(void)
{
	struct vrrp_fsm_cfg c = cfg_v(2, 150, 100);
	struct vrrp_fsm f;
	uint64_t t;
	/* v2 prio 150: skew = 106/256 s = 414062 µs; down = 3.414062 s. */
	const uint64_t down = 3414062;

	/* Preempt (default): lower-priority adverts are discarded and the
	 * timer runs out 3.41 s after start-up. */
	mk(&f, &c, "10.0.0.1");
	vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	CHECK_INT(vrrp_fsm_master_down_us(&f), down);
	t = simulate(&f, 100, T0 + SEC / 2, SEC, UINT64_MAX, T0 + 60 * SEC);
	CHECK_INT(f.state, S_MAST);
	CHECK_INT(t, T0 + down);
	CHECK_INT(f.stats.lower_prio_discarded, 3);
	CHECK(strstr(last_log, "BACKUP -> MASTER") != NULL);

	/* A higher or equal master keeps us BACKUP indefinitely. */
	mk(&f, &c, "10.0.0.1");
	vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	t = simulate(&f, 150, T0 + SEC / 2, SEC, UINT64_MAX, T0 + 60 * SEC);
	CHECK_INT(f.state, S_BACK);
	CHECK_INT(f.master_prio, 150);
	CHECK_INT(f.master_saddr.family, AF_INET);
	/* ... until it goes silent: MASTER one down interval after its last advert. */
	t = simulate(&f, 150, t, SEC, 0, T0 + 120 * SEC);
	CHECK_INT(f.state, S_MAST);
	CHECK_INT(t, T0 + 59 * SEC + SEC / 2 + down);

	/* nopreempt: never takes over from a lower-priority master. */
	c.nopreempt = true;
	mk(&f, &c, "10.0.0.1");
	vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	t = simulate(&f, 100, T0 + SEC / 2, SEC, UINT64_MAX, T0 + 60 * SEC);
	CHECK_INT(f.state, S_BACK);
	CHECK_INT(f.stats.lower_prio_discarded, 0);
	CHECK_INT(f.master_prio, 100);
	/* but still takes over when the master disappears */
	t = simulate(&f, 100, t, SEC, 0, T0 + 120 * SEC);
	CHECK_INT(f.state, S_MAST);

	/* preempt_delay 5 s: the first lower advert (T0+0.5) opens a window
	 * until T0+5.5; adverts at 0.5..4.5 are accepted, 5.5 onwards
	 * discarded; MASTER one down interval after the last accepted one. */
	c.nopreempt = false;
	c.preempt_delay_us = 5 * SEC;
	mk(&f, &c, "10.0.0.1");
	vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	t = simulate(&f, 100, T0 + SEC / 2, SEC, UINT64_MAX, T0 + 60 * SEC);
	CHECK_INT(f.state, S_MAST);
	CHECK_INT(t, T0 + 4 * SEC + SEC / 2 + down);
	CHECK_INT(f.preempt_until, 0); /* cleared on leaving BACKUP */

	/* A >= advert cancels a running preempt delay. */
	mk(&f, &c, "10.0.0.1");
	vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	rx(&f, 100, 100, "10.0.0.2", T0 + SEC);
	CHECK_INT(f.preempt_until, T0 + 6 * SEC);
	rx(&f, 100, 100, "10.0.0.2", T0 + 2 * SEC);
	CHECK_INT(f.preempt_until, T0 + 6 * SEC); /* not restarted */
	rx(&f, 150, 100, "10.0.0.3", T0 + 3 * SEC);
	CHECK_INT(f.preempt_until, 0);
	CHECK_INT(f.master_prio, 150);
	/* The next lower advert starts a fresh window. */
	rx(&f, 100, 100, "10.0.0.2", T0 + 4 * SEC);
	CHECK_INT(f.preempt_until, T0 + 9 * SEC);
	CHECK_INT(f.master_down_at, T0 + 4 * SEC + down);
	/* Once passed, lower adverts are discarded: the timer is not reset. */
	rx(&f, 100, 100, "10.0.0.2", T0 + 9 * SEC);
	CHECK_INT(f.master_down_at, T0 + 4 * SEC + down);
	CHECK_INT(f.state, S_BACK);
	CHECK_INT(vrrp_fsm_tick(&f, T0 + 4 * SEC + down) & A_ADD, A_ADD);
	CHECK_INT(f.state, S_MAST);

	/* A priority raised above the master's makes the backup preempt. */
	c = cfg_v(2, 90, 100);
	mk(&f, &c, "10.0.0.1");
	vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	rx(&f, 100, 100, "10.0.0.2", T0 + SEC);
	CHECK_INT(vrrp_fsm_set_priority(&f, 120, T0 + SEC + 1), 0);
	CHECK_INT(f.prio, 120);
	CHECK(strstr(last_log, "priority 90 -> 120") != NULL);
	rx(&f, 100, 100, "10.0.0.2", T0 + 2 * SEC); /* now lower: discarded */
	CHECK_INT(f.stats.lower_prio_discarded, 1);
	/* Skew of the new priority applies to the next (re)arm only. */
	CHECK_INT(f.master_down_at, T0 + SEC + vrrp_master_down_interval_us(2, 90, 100, 3));
}

static void test_master_rx(void)
{
	struct vrrp_fsm_cfg c = cfg_v(3, 100, 100);
	struct vrrp_fsm f;
	unsigned a;
	uint64_t t;

	/* Lower priority: advert at once (forcing a new election) + GARP hook. */
	drive_to(&f, S_MAST);
	t = f.adver_timer_at - SEC + 300000; /* 0.3 s into the interval */
	a = rx(&f, 50, 100, "10.0.0.9", t);
	CHECK_ACTS(a, A_ADV | A_LOW | A_RS);
	CHECK_INT(f.state, S_MAST);
	CHECK_INT(f.adver_timer_at, t + SEC);

	/* lower_prio_no_advert: only the GARP/notify hook, timer untouched. */
	c.lower_prio_no_advert = true;
	mk(&f, &c, "10.0.0.1");
	vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	vrrp_fsm_tick(&f, f.master_down_at);
	t = f.adver_timer_at;
	CHECK_ACTS(rx(&f, 50, 100, "10.0.0.9", t - 500000), A_LOW);
	CHECK_INT(f.adver_timer_at, t);

	/* Higher priority: BACKUP at once, VIPs removed, no priority 0. */
	drive_to(&f, S_MAST);
	t = f.adver_timer_at - 1;
	a = rx(&f, 101, 100, "10.0.0.0", t);
	CHECK_ACTS(a, A_DEL | A_NTF | A_RS);
	CHECK_INT(f.state, S_BACK);
	CHECK_INT(f.stats.released_master, 1);
	CHECK_INT(f.stats.pri_zero_sent, 0);
	CHECK_INT(f.master_prio, 101);
	CHECK_INT(f.adver_timer_at, 0);
	CHECK_INT(f.master_down_at, t + vrrp_master_down_interval_us(3, 100, 100, 3));

	/* higher_prio_send_advert: one last advert before DEL_VIPS. */
	c = cfg_v(3, 100, 100);
	c.higher_prio_send_advert = true;
	mk(&f, &c, "10.0.0.1");
	vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	vrrp_fsm_tick(&f, f.master_down_at);
	CHECK_ACTS(rx(&f, 200, 100, "10.0.0.2", T0 + 5 * SEC), A_ADV | A_DEL | A_NTF | A_RS);
	CHECK_INT(f.state, S_BACK);
}

static void test_tie_break(void)
{
	static const struct {
		const char *self, *peer;
		int peer_wins;
	} cases[] = {
	    {"10.0.0.5", "10.0.0.6", 1},
	    {"10.0.0.5", "10.0.0.4", 0},
	    /* big-endian byte order, not host integer order */
	    {"10.0.0.255", "10.0.1.0", 1},
	    {"1.0.0.128", "128.0.0.1", 1},
	    {"128.0.0.1", "1.0.0.128", 0},
	    {"192.168.1.10", "192.168.1.9", 0},
	    {"fe80::2", "fe80::10", 1},
	    {"fe80::10", "fe80::2", 0},
	    {"2001:db8::1:0", "2001:db8::ff", 0},
	    {"fe80::ff", "fe80::100", 1},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vrrp_fsm_cfg c = cfg_v(3, 100, 100);
		struct vrrp_fsm f;
		unsigned a;

		mk(&f, &c, cases[i].self);
		vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
		vrrp_fsm_tick(&f, f.master_down_at);
		CHECK_INT(f.state, S_MAST);
		a = rx(&f, 100, 100, cases[i].peer, T0 + 10 * SEC);
		if ((f.state == S_BACK) != cases[i].peer_wins)
			fprintf(stderr, "tie-break %s vs %s wrong\n", cases[i].self, cases[i].peer);
		CHECK_INT(f.state, cases[i].peer_wins ? S_BACK : S_MAST);
		CHECK_ACTS(a, cases[i].peer_wins ? (A_DEL | A_NTF | A_RS) : (A_ADV | A_LOW | A_RS));
	}

	/* Our own priority and address: warning, nothing done. */
	{
		struct vrrp_fsm f;
		int w;

		drive_to(&f, S_MAST);
		w = n_warnings;
		CHECK_ACTS(rx(&f, 100, 100, "10.0.0.1", T0 + 10 * SEC), 0);
		CHECK_INT(f.state, S_MAST);
		CHECK_INT(n_warnings, w + 1);
	}
}

static void test_owner(void)
{
	struct vrrp_fsm_cfg c = cfg_v(2, 255, 100);
	struct vrrp_fsm f;
	unsigned a;

	/* Priority 255 + state MASTER: MASTER at once. */
	c.start_master = true;
	mk(&f, &c, "10.0.0.1");
	a = vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	CHECK_ACTS(a, A_MASTER);
	CHECK_INT(f.state, S_MAST);
	CHECK_INT(f.prio, 255);
	CHECK_INT(f.stats.became_master, 1);
	CHECK_INT(f.stats.transitions[S_INIT][S_MAST], 1);
	CHECK_INT(f.adver_timer_at, T0 + SEC);
	/* Trackers never move the owner. */
	vrrp_fsm_set_priority(&f, 200, T0 + 1);
	CHECK_INT(f.prio, 255);
	/* Lower priorities are answered with an advert. */
	CHECK_ACTS(rx(&f, 254, 100, "10.0.0.9", T0 + 2), A_ADV | A_LOW | A_RS);
	/* Two owners: the lower address backs off. */
	CHECK_ACTS(rx(&f, 255, 100, "10.0.0.9", T0 + 3), A_DEL | A_NTF | A_RS);
	CHECK_INT(f.state, S_BACK);
	/* ... and the owner with the higher address stays. */
	mk(&f, &c, "10.0.0.9");
	vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	CHECK_ACTS(rx(&f, 255, 100, "10.0.0.1", T0 + 3), A_ADV | A_LOW | A_RS);
	CHECK_INT(f.state, S_MAST);

	/* owner_ignore_adverts: every advert dropped at 255. */
	c.owner_ignore_adverts = true;
	mk(&f, &c, "10.0.0.1");
	vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	CHECK_ACTS(rx(&f, 255, 100, "10.0.0.9", T0 + 3), 0);
	CHECK_ACTS(rx(&f, 0, 100, "10.0.0.9", T0 + 4), 0);
	CHECK_INT(f.state, S_MAST);
	CHECK_INT(f.stats.pri_zero_rcvd, 1); /* still counted as received */

	/* Owner without `state MASTER`: a full down interval like anyone. */
	c = cfg_v(2, 255, 100);
	mk(&f, &c, "10.0.0.1");
	vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	CHECK_INT(f.state, S_BACK);
	CHECK_INT(f.master_down_at, T0 + 3 * SEC + 3906);

	/* Owner ignores nopreempt. */
	c.nopreempt = true;
	mk(&f, &c, "10.0.0.1");
	vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	rx(&f, 200, 100, "10.0.0.2", T0 + SEC);
	CHECK_INT(f.stats.lower_prio_discarded, 1);

	/* `state MASTER` without 255 is only a hint: full Master_Down_Interval. */
	c = cfg_v(2, 200, 100);
	c.start_master = true;
	mk(&f, &c, "10.0.0.1");
	CHECK_ACTS(vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0), A_NTF | A_RS);
	CHECK_INT(f.state, S_BACK);
	CHECK_INT(f.master_down_at, T0 + 3218750);
	/* ... and after a FAULT too (only the owner shortens it). */
	vrrp_fsm_event(&f, VRRP_EV_FAULT_ON, NULL, T0 + SEC);
	vrrp_fsm_event(&f, VRRP_EV_FAULT_OFF, NULL, T0 + 2 * SEC);
	CHECK_INT(f.master_down_at, T0 + 2 * SEC + 3218750);

	/* Non-owners never reach 255 nor 0. */
	vrrp_fsm_set_priority(&f, 255, T0 + 1);
	CHECK_INT(f.prio, 254);
	vrrp_fsm_set_priority(&f, 0, T0 + 2);
	CHECK_INT(f.prio, 1);
}

static void test_prio_zero(void)
{
	struct vrrp_fsm f;
	unsigned a;

	/* BACKUP: Master_Down_Timer = Skew_Time. */
	drive_to(&f, S_BACK);
	rx(&f, 200, 100, "10.0.0.2", T0 + SEC);
	a = rx(&f, 0, 100, "10.0.0.2", T0 + 2 * SEC);
	CHECK_ACTS(a, A_RS);
	CHECK_INT(f.master_down_at, T0 + 2 * SEC + 609375);
	CHECK_INT(f.stats.pri_zero_rcvd, 1);
	CHECK_INT(f.state, S_BACK);
	CHECK_ACTS(vrrp_fsm_tick(&f, T0 + 2 * SEC + 609375), A_MASTER);

	/* MASTER: send an advert now, stay, Adver_Timer reset. */
	drive_to(&f, S_MAST);
	a = rx(&f, 0, 100, "10.0.0.2", T0 + 4 * SEC);
	CHECK_ACTS(a, A_ADV | A_RS);
	CHECK_INT(f.state, S_MAST);
	CHECK_INT(f.adver_timer_at, T0 + 5 * SEC);
	CHECK_INT(f.stats.pri_zero_rcvd, 1);

	/* Shutdown as MASTER: priority 0 then VIPs removed; counted. */
	a = vrrp_fsm_event(&f, VRRP_EV_SHUTDOWN, NULL, T0 + 5 * SEC);
	CHECK_ACTS(a, A_P0 | A_DEL | A_NTF | A_RS);
	CHECK_INT(f.state, S_STOP);
	CHECK_INT(f.stats.pri_zero_sent, 1);
	CHECK_INT(f.stats.released_master, 1);
	CHECK_INT(vrrp_fsm_next_deadline(&f), 0);
	/* Shutdown as BACKUP sends nothing. */
	drive_to(&f, S_BACK);
	CHECK_ACTS(vrrp_fsm_event(&f, VRRP_EV_SHUTDOWN, NULL, T0 + 1), A_NTF | A_RS);
	CHECK_INT(f.stats.pri_zero_sent, 0);
}

static void test_v3_interval(void)
{
	struct vrrp_fsm_cfg c = cfg_v(3, 100, 100);
	struct vrrp_fsm f;

	/* Backup adopts the master's interval from its advert. */
	mk(&f, &c, "10.0.0.1");
	vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	rx(&f, 200, 50, "10.0.0.2", T0 + SEC);
	CHECK_INT(f.master_adver_int_cs, 50);
	CHECK_INT(vrrp_fsm_skew_us(&f), 304687); /* 156 × 50 × 10000 / 256 */
	CHECK_INT(f.master_down_at, T0 + SEC + 1500000 + 304687);
	/* A discarded (lower) advert does not change it. */
	rx(&f, 20, 300, "10.0.0.3", T0 + SEC + 1);
	CHECK_INT(f.master_adver_int_cs, 50);
	/* Becoming MASTER restores our own Advertisement_Interval. */
	vrrp_fsm_tick(&f, f.master_down_at);
	CHECK_INT(f.state, S_MAST);
	CHECK_INT(f.master_adver_int_cs, 100);
	CHECK_INT(f.adver_timer_at, T0 + SEC + 1804687 + SEC);
	/* Preempted as MASTER: adopt the new master's interval. */
	rx(&f, 200, 20, "10.0.0.2", T0 + 10 * SEC);
	CHECK_INT(f.state, S_BACK);
	CHECK_INT(f.master_adver_int_cs, 20);
	CHECK_INT(f.master_down_at, T0 + 10 * SEC + 600000 + 121875);
	/* FAULT and back: own interval again. */
	vrrp_fsm_event(&f, VRRP_EV_FAULT_ON, NULL, T0 + 11 * SEC);
	vrrp_fsm_event(&f, VRRP_EV_FAULT_OFF, NULL, T0 + 12 * SEC);
	CHECK_INT(f.master_adver_int_cs, 100);

	/* v2 never adopts (mismatching adverts are dropped before the FSM). */
	c = cfg_v(2, 100, 100);
	mk(&f, &c, "10.0.0.1");
	vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	rx(&f, 200, 300, "10.0.0.2", T0 + SEC);
	CHECK_INT(f.master_adver_int_cs, 100);
	CHECK_INT(f.master_down_at, T0 + SEC + 3609375);
}

static void test_fault(void)
{
	struct vrrp_fsm_cfg c = cfg_v(3, 100, 100);
	struct vrrp_fsm f;
	unsigned a;

	/* From MASTER: priority 0 + VIPs removed. */
	drive_to(&f, S_MAST);
	a = vrrp_fsm_event(&f, VRRP_EV_FAULT_ON, NULL, T0 + 10 * SEC);
	CHECK_ACTS(a, A_P0 | A_DEL | A_NTF | A_RS);
	CHECK_INT(f.state, S_FLT);
	CHECK(f.own_fault);
	CHECK_INT(vrrp_fsm_next_deadline(&f), 0);
	/* In FAULT adverts are ignored, nothing is armed. */
	CHECK_ACTS(rx(&f, 50, 100, "10.0.0.2", T0 + 11 * SEC), 0);
	CHECK_ACTS(rx(&f, 0, 100, "10.0.0.2", T0 + 11 * SEC), 0);
	CHECK_INT(vrrp_fsm_tick(&f, T0 + 100 * SEC), 0);
	CHECK_INT(f.state, S_FLT);
	/* Repeated FAULT_ON is a no-op, not a transition. */
	CHECK_ACTS(vrrp_fsm_event(&f, VRRP_EV_FAULT_ON, NULL, T0 + 12 * SEC), 0);
	CHECK_INT(f.stats.transitions[S_MAST][S_FLT], 1);
	/* Leaving FAULT: BACKUP with a full Master_Down_Interval. */
	a = vrrp_fsm_event(&f, VRRP_EV_FAULT_OFF, NULL, T0 + 20 * SEC);
	CHECK_ACTS(a, A_NTF | A_RS);
	CHECK_INT(f.state, S_BACK);
	CHECK_INT(f.master_down_at, T0 + 20 * SEC + 3609375);
	CHECK(!f.own_fault);

	/* A fault present before start-up: STARTUP goes straight to FAULT. */
	mk(&f, &c, "10.0.0.1");
	CHECK_ACTS(vrrp_fsm_event(&f, VRRP_EV_FAULT_ON, NULL, T0), 0);
	CHECK_INT(f.state, S_INIT);
	CHECK_ACTS(vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0), A_NTF);
	CHECK_INT(f.state, S_FLT);
	CHECK_INT(f.stats.transitions[S_INIT][S_FLT], 1);

	/* Owner with `state MASTER` leaving FAULT: advert + skew only. */
	c = cfg_v(3, 255, 100);
	c.start_master = true;
	mk(&f, &c, "10.0.0.1");
	vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	vrrp_fsm_event(&f, VRRP_EV_FAULT_ON, NULL, T0 + SEC);
	vrrp_fsm_event(&f, VRRP_EV_FAULT_OFF, NULL, T0 + 2 * SEC);
	CHECK_INT(f.state, S_BACK);
	CHECK_INT(f.master_down_at, T0 + 2 * SEC + SEC + 3906);
	CHECK_ACTS(vrrp_fsm_tick(&f, T0 + 3 * SEC + 3906), A_MASTER);

	/* A sync member leaving its own fault waits for the group. */
	c = cfg_v(3, 100, 100);
	mk(&f, &c, "10.0.0.1");
	f.sync_member = true;
	vrrp_fsm_event(&f, VRRP_EV_STARTUP, NULL, T0);
	vrrp_fsm_event(&f, VRRP_EV_FAULT_ON, NULL, T0 + 1);
	CHECK_ACTS(vrrp_fsm_event(&f, VRRP_EV_FAULT_OFF, NULL, T0 + 2), 0);
	CHECK_INT(f.state, S_FLT);
	CHECK_ACTS(vrrp_fsm_event(&f, VRRP_EV_GROUP_FAULT_OFF, NULL, T0 + 3), A_NTF | A_RS);
	CHECK_INT(f.state, S_BACK);
}

static void test_counters(void)
{
	struct vrrp_fsm f;

	drive_to(&f, S_MAST);                                       /* I->B, B->M */
	rx(&f, 200, 100, "10.0.0.2", T0 + 10 * SEC);                /* M->B */
	vrrp_fsm_tick(&f, f.master_down_at);                        /* B->M */
	vrrp_fsm_event(&f, VRRP_EV_FAULT_ON, NULL, T0 + 30 * SEC);  /* M->F */
	vrrp_fsm_event(&f, VRRP_EV_FAULT_OFF, NULL, T0 + 31 * SEC); /* F->B */
	vrrp_fsm_event(&f, VRRP_EV_SHUTDOWN, NULL, T0 + 32 * SEC);  /* B->S */
	CHECK_INT(f.stats.transitions[S_INIT][S_BACK], 1);
	CHECK_INT(f.stats.transitions[S_BACK][S_MAST], 2);
	CHECK_INT(f.stats.transitions[S_MAST][S_BACK], 1);
	CHECK_INT(f.stats.transitions[S_MAST][S_FLT], 1);
	CHECK_INT(f.stats.transitions[S_FLT][S_BACK], 1);
	CHECK_INT(f.stats.transitions[S_BACK][S_STOP], 1);
	CHECK_INT(f.stats.became_master, 2);
	CHECK_INT(f.stats.released_master, 2);
	CHECK_INT(f.stats.pri_zero_sent, 1);
	CHECK_INT(f.stats.events[VRRP_EV_MASTER_DOWN], 2);
	CHECK_INT(f.stats.events[VRRP_EV_ADVERT_RX], 1);
	CHECK_INT(f.stats.unexpected, 0);
	CHECK_INT(f.prev_state, S_BACK);
	/* No callback: silent, still counted. */
	f.log = NULL;
	vrrp_fsm_event(&f, VRRP_EV_ADVER_TIMER, NULL, T0 + 40 * SEC);
	CHECK_INT(f.stats.unexpected, 1);
}

static void test_init_normalise(void)
{
	struct vrrp_fsm_cfg c;
	struct vrrp_fsm f;

	vrrp_fsm_cfg_defaults(&c);
	CHECK_INT(c.version, 2);
	CHECK_INT(c.priority, 100);
	CHECK_INT(c.adver_int_cs, 100);
	CHECK_INT(c.down_timer_adverts, 3);
	c.version = 7;
	c.adver_int_cs = 0;
	c.down_timer_adverts = 0;
	c.priority = 0;
	vrrp_fsm_init(&f, &c, NULL);
	CHECK_INT(f.cfg.version, 2);
	CHECK_INT(f.cfg.adver_int_cs, 100);
	CHECK_INT(f.cfg.down_timer_adverts, 3);
	CHECK_INT(f.prio, 1);
	CHECK_INT(f.state, S_INIT);
	c.adver_int_cs = 5000;
	vrrp_fsm_init(&f, &c, NULL);
	CHECK_INT(f.cfg.adver_int_cs, 4095);
}

int main(void)
{
	test_table();
	test_strings();
	test_timer_math();
	test_timers_fsm();
	test_preempt();
	test_master_rx();
	test_tie_break();
	test_owner();
	test_prio_zero();
	test_v3_interval();
	test_fault();
	test_counters();
	test_init_normalise();
	return check_report("test_vrrp_fsm");
}
