/* Sync groups: FAULT and BACKUP propagation, MASTER only when every member
 * wants MASTER, members not started, owners, detach. */
#include <stdarg.h>

#include "check.h"
#include "vrrp/vrrp_sync.h"

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

#define MS 1000ull
#define SEC 1000000ull
#define T0 (1000 * SEC)

#define NMAX 4

static char last_log[NMAX][256];

static void capture(void *ctx, int level, const char *fmt, va_list ap)
{
	(void)level;
	vsnprintf(last_log[(size_t)ctx], sizeof(last_log[0]), fmt, ap);
}

static const char *acts_str(unsigned a)
{
	static char buf[4][160];
	static int k;

	k = (k + 1) % 4;
	return vrrp_actions_fmt(a, buf[k], sizeof(buf[k]));
}

#define CHECK_ACTS(got, want) CHECK_STR(acts_str(got), acts_str(want))

static struct vrrp_fsm fsm[NMAX];
static struct vrrp_fsm *m[NMAX];
static unsigned acts[NMAX];
static const char *const names[NMAX] = {"VI_0", "VI_1", "VI_2", "VI_3"};

/* n members, v3, 10 cs, priorities prio[i]; attached to one group. */
static void group(size_t n, const unsigned *prio, bool attach)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct vrrp_fsm_cfg c;

		vrrp_fsm_cfg_defaults(&c);
		c.version = 3;
		c.adver_int_cs = 10;
		c.priority = (uint8_t)prio[i];
		c.start_master = prio[i] == 255;
		vrrp_fsm_init(&fsm[i], &c, names[i]);
		fsm[i].log = capture;
		fsm[i].log_ctx = (void *)i;
		addr_parse("10.0.0.1", &fsm[i].saddr);
		m[i] = &fsm[i];
	}
	if (attach)
		vrrp_sync_attach(m, n);
}

/* One event for member idx; asserts the contract's per-call invariants. */
static unsigned ev(size_t n, size_t idx, enum vrrp_event e, const struct vrrp_fsm_rx *rx,
                   uint64_t now)
{
	unsigned all = vrrp_sync_event(m, n, idx, e, rx, now, acts);
	size_t i;

	for (i = 0; i < n; i++) {
		CHECK(!((acts[i] & A_ADD) && (acts[i] & A_DEL)));
		CHECK(!((acts[i] & A_ADV) && (acts[i] & A_P0)));
	}
	return all;
}

static unsigned tick(size_t n, uint64_t now)
{
	unsigned all = vrrp_sync_tick(m, n, now, acts);
	size_t i;

	for (i = 0; i < n; i++)
		CHECK(!((acts[i] & A_ADD) && (acts[i] & A_DEL)));
	return all;
}

static struct vrrp_fsm_rx advert(unsigned prio, const char *from)
{
	struct vrrp_fsm_rx r;

	memset(&r, 0, sizeof(r));
	r.prio = (uint8_t)prio;
	r.adver_int_cs = 10;
	addr_parse(from, &r.saddr);
	return r;
}

static void start_all(size_t n, uint64_t now)
{
	size_t i;

	for (i = 0; i < n; i++)
		ev(n, i, VRRP_EV_STARTUP, NULL, now);
}

/* v3 10 cs: prio 150 -> 341406 µs, prio 100 -> 360937 µs. */
static const unsigned prio_150_100[] = {150, 100};
#define DOWN150 341406u
#define DOWN100 360937u

static void test_gate(void)
{
	group(2, prio_150_100, true);
	CHECK(fsm[0].sync_member && fsm[1].sync_member);
	ev(2, 0, VRRP_EV_STARTUP, NULL, T0);
	CHECK_ACTS(acts[0], A_NTF | A_RS);
	CHECK_ACTS(acts[1], 0);
	ev(2, 1, VRRP_EV_STARTUP, NULL, T0);
	CHECK_ACTS(acts[0], 0);
	CHECK_ACTS(acts[1], A_NTF | A_RS);
	CHECK_INT(vrrp_sync_state(m, 2), S_BACK);
	CHECK_INT(vrrp_sync_next_deadline(m, 2), T0 + DOWN150);
	CHECK(!vrrp_sync_can_goto_master(m, 2));

	/* The first member to expire only wants MASTER and waits another
	 * down interval. */
	CHECK_ACTS(tick(2, T0 + DOWN150 - 1), 0);
	tick(2, T0 + DOWN150);
	CHECK_ACTS(acts[0], A_RS);
	CHECK_ACTS(acts[1], 0);
	CHECK_INT(fsm[0].state, S_BACK);
	CHECK(fsm[0].want_master);
	CHECK_INT(fsm[0].master_down_at, T0 + 2 * DOWN150);
	CHECK_INT(fsm[0].stats.became_master, 0);
	CHECK(strstr(last_log[0], "waiting for sync group") != NULL);
	CHECK_INT(vrrp_sync_next_deadline(m, 2), T0 + DOWN100);

	/* When the last one expires, everybody goes MASTER together. */
	tick(2, T0 + DOWN100);
	CHECK_ACTS(acts[0], A_MASTER);
	CHECK_ACTS(acts[1], A_MASTER);
	CHECK_INT(fsm[0].state, S_MAST);
	CHECK_INT(fsm[1].state, S_MAST);
	CHECK(!fsm[0].want_master && !fsm[1].want_master);
	CHECK_INT(fsm[0].adver_timer_at, T0 + DOWN100 + 100 * MS);
	CHECK_STR(last_log[0], "(VI_0) event GROUP_TO_MASTER: BACKUP -> MASTER");
	CHECK_STR(last_log[1], "(VI_1) event GROUP_TO_MASTER: BACKUP -> MASTER");
	CHECK_INT(vrrp_sync_state(m, 2), S_MAST);
	/* Adverts as usual afterwards, per member. */
	tick(2, T0 + DOWN100 + 100 * MS);
	CHECK_ACTS(acts[0], A_ADV | A_RS);
	CHECK_ACTS(acts[1], A_ADV | A_RS);
}

/* While one member still hears a master, the group stays BACKUP. */
static void test_gate_blocked(void)
{
	struct vrrp_fsm_rx r = advert(200, "10.0.0.2");
	uint64_t now, next_adv = T0 + 50 * MS, stop = T0 + 5 * SEC;

	group(2, prio_150_100, true);
	start_all(2, T0);
	for (now = T0; now < T0 + 10 * SEC;) {
		uint64_t d = vrrp_sync_next_deadline(m, 2);

		if (next_adv < stop && next_adv < d) {
			now = next_adv;
			ev(2, 1, VRRP_EV_ADVERT_RX, &r, now);
			next_adv += 100 * MS;
		} else {
			now = d;
			tick(2, now);
		}
		if (fsm[0].state == S_MAST || fsm[1].state == S_MAST)
			break;
	}
	/* Nothing before the master went silent (last advert at 4.95 s)... */
	CHECK_INT(fsm[0].stats.became_master, 1);
	CHECK_INT(fsm[1].stats.became_master, 1);
	CHECK_INT(fsm[1].master_prio, 200);
	/* ... then both at VI_1's expiry, one down interval later. */
	CHECK_INT(now, T0 + 4950 * MS + DOWN100);
	CHECK_INT(fsm[0].state, S_MAST);
	CHECK_INT(fsm[1].state, S_MAST);
}

/* An accepted advert withdraws a member's wish to be MASTER. */
static void test_want_withdrawn(void)
{
	struct vrrp_fsm_rx r = advert(200, "10.0.0.2");

	group(2, prio_150_100, true);
	start_all(2, T0);
	tick(2, T0 + DOWN150);
	CHECK(fsm[0].want_master);
	ev(2, 0, VRRP_EV_ADVERT_RX, &r, T0 + DOWN150 + 1);
	CHECK(!fsm[0].want_master);
	tick(2, T0 + DOWN100);
	CHECK_INT(fsm[0].state, S_BACK);
	CHECK_INT(fsm[1].state, S_BACK);
	CHECK(fsm[1].want_master);
	/* A lower-priority (discarded) advert does not withdraw it. */
	r = advert(50, "10.0.0.2");
	ev(2, 1, VRRP_EV_ADVERT_RX, &r, T0 + DOWN100 + 1);
	CHECK(fsm[1].want_master);
}

static void both_master(void)
{
	group(2, prio_150_100, true);
	start_all(2, T0);
	tick(2, T0 + DOWN150);
	tick(2, T0 + DOWN100);
	CHECK_INT(fsm[0].state, S_MAST);
	CHECK_INT(fsm[1].state, S_MAST);
}

static void test_fault(void)
{
	struct vrrp_fsm_rx r = advert(50, "10.0.0.2");
	uint64_t t = T0 + 10 * SEC;

	both_master();
	ev(2, 1, VRRP_EV_FAULT_ON, NULL, t);
	CHECK_ACTS(acts[1], A_P0 | A_DEL | A_NTF | A_RS);
	CHECK_ACTS(acts[0], A_P0 | A_DEL | A_NTF | A_RS);
	CHECK_INT(fsm[0].state, S_FLT);
	CHECK_INT(fsm[1].state, S_FLT);
	CHECK(!fsm[0].own_fault);
	CHECK(fsm[1].own_fault);
	CHECK_STR(last_log[0], "(VI_0) event GROUP_TO_FAULT: MASTER -> FAULT");
	CHECK_INT(vrrp_sync_state(m, 2), S_FLT);
	CHECK_INT(vrrp_sync_next_deadline(m, 2), 0);
	/* Adverts are ignored in FAULT. */
	CHECK_ACTS(ev(2, 0, VRRP_EV_ADVERT_RX, &r, t + 1), 0);

	/* Second member's own fault too; clearing one is not enough. */
	CHECK_ACTS(ev(2, 0, VRRP_EV_FAULT_ON, NULL, t + 2), 0);
	CHECK_ACTS(ev(2, 1, VRRP_EV_FAULT_OFF, NULL, t + 3), 0);
	CHECK_INT(fsm[0].state, S_FLT);
	CHECK_INT(fsm[1].state, S_FLT);
	/* Clearing the last fault releases the whole group to BACKUP. */
	ev(2, 0, VRRP_EV_FAULT_OFF, NULL, t + 4);
	CHECK_ACTS(acts[0], A_NTF | A_RS);
	CHECK_ACTS(acts[1], A_NTF | A_RS);
	CHECK_INT(fsm[0].state, S_BACK);
	CHECK_INT(fsm[1].state, S_BACK);
	CHECK_INT(fsm[0].master_down_at, t + 4 + DOWN150);
	CHECK_INT(fsm[1].master_down_at, t + 4 + DOWN100);

	/* From BACKUP: a fault on one takes the other to FAULT as well. */
	ev(2, 0, VRRP_EV_FAULT_ON, NULL, t + 5);
	CHECK_ACTS(acts[0], A_NTF | A_RS);
	CHECK_ACTS(acts[1], A_NTF | A_RS);
	CHECK_INT(fsm[1].state, S_FLT);
	ev(2, 0, VRRP_EV_FAULT_OFF, NULL, t + 6);
	CHECK_INT(fsm[0].state, S_BACK);
	CHECK_INT(fsm[1].state, S_BACK);
}

static void test_fault_at_start(void)
{
	group(2, prio_150_100, true);
	/* Not started yet: a member in INIT does not drag the group. */
	ev(2, 1, VRRP_EV_FAULT_ON, NULL, T0);
	CHECK_ACTS(acts[0], 0);
	CHECK_INT(fsm[1].state, S_INIT);
	ev(2, 0, VRRP_EV_STARTUP, NULL, T0);
	CHECK_INT(fsm[0].state, S_BACK);
	/* Starting the faulty one takes the group to FAULT. */
	ev(2, 1, VRRP_EV_STARTUP, NULL, T0 + 1);
	CHECK_INT(fsm[1].state, S_FLT);
	CHECK_INT(fsm[0].state, S_FLT);
	CHECK_ACTS(acts[0], A_NTF | A_RS);
	CHECK_ACTS(acts[1], A_NTF);
	/* Start order reversed: the new member goes to FAULT immediately. */
	group(2, prio_150_100, true);
	ev(2, 1, VRRP_EV_FAULT_ON, NULL, T0);
	ev(2, 1, VRRP_EV_STARTUP, NULL, T0);
	ev(2, 0, VRRP_EV_STARTUP, NULL, T0 + 1);
	CHECK_INT(fsm[0].state, S_FLT);
	CHECK_INT(fsm[0].stats.transitions[S_BACK][S_FLT], 1);
}

static void test_backup_propagation(void)
{
	struct vrrp_fsm_rx r = advert(200, "10.0.0.2");
	uint64_t t = T0 + 10 * SEC;

	both_master();
	/* VI_0 hears a higher master: it goes BACKUP (no priority 0), VI_1
	 * is forced to BACKUP and releases with a priority-0 advert. */
	ev(2, 0, VRRP_EV_ADVERT_RX, &r, t);
	CHECK_ACTS(acts[0], A_DEL | A_NTF | A_RS);
	CHECK_ACTS(acts[1], A_P0 | A_DEL | A_NTF | A_RS);
	CHECK_INT(fsm[0].state, S_BACK);
	CHECK_INT(fsm[1].state, S_BACK);
	CHECK_STR(last_log[1], "(VI_1) event GROUP_TO_BACKUP: MASTER -> BACKUP");
	CHECK_INT(fsm[1].master_down_at, t + DOWN100);
	CHECK_INT(fsm[1].adver_timer_at, 0);
	CHECK_INT(fsm[1].stats.pri_zero_sent, 1);
	CHECK_INT(fsm[0].stats.pri_zero_sent, 0);
	CHECK_INT(vrrp_sync_state(m, 2), S_BACK);

	/* A lower priority heard by a MASTER member stays local. */
	both_master();
	r = advert(50, "10.0.0.2");
	ev(2, 1, VRRP_EV_ADVERT_RX, &r, t);
	CHECK_ACTS(acts[1], A_ADV | A_LOW | A_RS);
	CHECK_ACTS(acts[0], 0);
	/* So does a priority 0. */
	r = advert(0, "10.0.0.2");
	ev(2, 0, VRRP_EV_ADVERT_RX, &r, t + 1);
	CHECK_ACTS(acts[0], A_ADV | A_RS);
	CHECK_ACTS(acts[1], 0);
	/* Shutting one member down does not move the others. */
	ev(2, 0, VRRP_EV_SHUTDOWN, NULL, t + 2);
	CHECK_ACTS(acts[0], A_P0 | A_DEL | A_NTF | A_RS);
	CHECK_ACTS(acts[1], 0);
	CHECK_INT(fsm[1].state, S_MAST);
	CHECK_INT(vrrp_sync_state(m, 2), S_MAST);
}

/* Members in INIT (or STOP) take no part; a late member joins a MASTER
 * group without disturbing it. */
static void test_inactive_members(void)
{
	static const unsigned prio[] = {150, 100, 120};

	group(3, prio, true);
	ev(3, 0, VRRP_EV_STARTUP, NULL, T0);
	ev(3, 1, VRRP_EV_STARTUP, NULL, T0);
	tick(3, T0 + DOWN150);
	tick(3, T0 + DOWN100);
	CHECK_INT(fsm[0].state, S_MAST);
	CHECK_INT(fsm[1].state, S_MAST);
	CHECK_INT(fsm[2].state, S_INIT);
	CHECK_INT(vrrp_sync_state(m, 3), S_MAST);

	ev(3, 2, VRRP_EV_STARTUP, NULL, T0 + SEC);
	CHECK_INT(fsm[2].state, S_BACK);
	CHECK_ACTS(acts[0], 0);
	CHECK_ACTS(acts[1], 0);
	CHECK_INT(vrrp_sync_state(m, 3), S_BACK);
	/* Its own expiry: everyone else is MASTER, so it may go. */
	tick(3, fsm[2].master_down_at);
	CHECK_INT(fsm[2].state, S_MAST);
	CHECK_ACTS(acts[2], A_MASTER);
	CHECK_INT(acts[0] & (A_NTF | A_ADD | A_DEL), 0);
	CHECK_INT(acts[1] & (A_NTF | A_ADD | A_DEL), 0);
}

static void test_owner_in_group(void)
{
	static const unsigned prio[] = {255, 100};

	/* Alone, an owner with `state MASTER` is MASTER at once... */
	group(2, prio, false);
	ev(2, 0, VRRP_EV_STARTUP, NULL, T0);
	CHECK_INT(fsm[0].state, S_MAST);

	/* ... in a group it asks the group first. */
	group(2, prio, true);
	ev(2, 0, VRRP_EV_STARTUP, NULL, T0);
	CHECK_INT(fsm[0].state, S_BACK);
	CHECK_INT(fsm[0].master_down_at, T0 + 1);
	ev(2, 1, VRRP_EV_STARTUP, NULL, T0);
	tick(2, T0 + 1);
	CHECK(fsm[0].want_master);
	CHECK_INT(fsm[0].state, S_BACK);
	tick(2, T0 + DOWN100);
	CHECK_INT(fsm[0].state, S_MAST);
	CHECK_INT(fsm[1].state, S_MAST);
}

static void test_single_and_detach(void)
{
	static const unsigned prio[] = {100, 100};

	/* A one-member group behaves like a plain instance. */
	group(1, prio, true);
	ev(1, 0, VRRP_EV_STARTUP, NULL, T0);
	tick(1, T0 + DOWN100);
	CHECK_INT(fsm[0].state, S_MAST);
	CHECK_ACTS(acts[0], A_MASTER);

	/* Attached: the FSM alone never goes MASTER on its timer. */
	group(2, prio, true);
	vrrp_fsm_event(m[0], VRRP_EV_STARTUP, NULL, T0);
	vrrp_fsm_tick(m[0], T0 + DOWN100);
	CHECK_INT(fsm[0].state, S_BACK);
	/* Detached: it does. */
	vrrp_sync_detach(m, 2);
	CHECK(!fsm[0].sync_member && !fsm[0].want_master);
	vrrp_fsm_tick(m[0], fsm[0].master_down_at);
	CHECK_INT(fsm[0].state, S_MAST);

	/* Bad index: nothing happens, acts cleared. */
	acts[0] = acts[1] = 0xff;
	CHECK_INT(vrrp_sync_event(m, 2, 5, VRRP_EV_STARTUP, NULL, T0, acts), 0);
	CHECK_INT(acts[0], 0);
	CHECK_INT(acts[1], 0);
}

static void test_group_state(void)
{
	static const unsigned prio[] = {100, 100};

	group(2, prio, true);
	CHECK_INT(vrrp_sync_state(m, 2), S_INIT);
	CHECK(!vrrp_sync_can_goto_master(m, 2)); /* nobody active */
	ev(2, 0, VRRP_EV_SHUTDOWN, NULL, T0);
	ev(2, 1, VRRP_EV_SHUTDOWN, NULL, T0);
	CHECK_INT(vrrp_sync_state(m, 2), S_STOP);
	CHECK_STR(vrrp_state_str(vrrp_sync_state(m, 2)), "STOP");
	CHECK_INT(vrrp_sync_next_deadline(m, 2), 0);
}

int main(void)
{
	test_gate();
	test_gate_blocked();
	test_want_withdrawn();
	test_fault();
	test_fault_at_start();
	test_backup_propagation();
	test_inactive_members();
	test_owner_in_group();
	test_single_and_detach();
	test_group_state();
	return check_report("test_vrrp_sync");
}
