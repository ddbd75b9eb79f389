/* Effective priority from trackers (weights, reverse, weight 0 = FAULT,
 * clamps, owner) and rise/fall counting. */
#include "check.h"
#include "vrrp/vrrp_prio.h"

#define T(w, rev, up)                                                                              \
	{                                                                                          \
		(w), (rev), (up)                                                                   \
	}

static struct vrrp_prio_result one(unsigned base, int w, bool rev, bool up)
{
	struct vrrp_track_input t = T(w, rev, up);

	return vrrp_prio_compute(base, &t, 1);
}

static void test_single(void)
{
	static const struct {
		int weight;
		bool reverse, up;
		int contribution;
		bool fault;
	} cases[] = {
	    /* positive: added while up */
	    {10, false, true, 10, false},
	    {10, false, false, 0, false},
	    /* negative: subtracted while down */
	    {-20, false, false, -20, false},
	    {-20, false, true, 0, false},
	    /* reverse flips the direction of the adjustment */
	    {10, true, true, -10, false},
	    {10, true, false, 0, false},
	    {-20, true, false, 20, false},
	    {-20, true, true, 0, false},
	    /* weight 0: FAULT while down; reverse: FAULT while up */
	    {0, false, false, 0, true},
	    {0, false, true, 0, false},
	    {0, true, true, 0, true},
	    {0, true, false, 0, false},
	    {253, false, true, 253, false},
	    {-253, false, false, -253, false},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vrrp_track_input t = T(cases[i].weight, cases[i].reverse, cases[i].up);
		struct vrrp_prio_result r = vrrp_prio_compute(100, &t, 1);
		long want = 100 + cases[i].contribution;

		if (want < 1)
			want = 1;
		if (want > 254)
			want = 254;
		CHECK_INT(vrrp_track_contribution(&t), cases[i].contribution);
		CHECK_INT(vrrp_track_faulted(&t), cases[i].fault);
		CHECK_INT(r.fault, cases[i].fault);
		CHECK_INT(r.faults, cases[i].fault ? 1 : 0);
		CHECK_INT(r.sum, cases[i].contribution);
		CHECK_INT(r.effective, want);
	}
}

static void test_sum_and_clamp(void)
{
	struct vrrp_track_input t[] = {
	    T(10, false, true),   /* +10 */
	    T(-30, false, false), /* -30 */
	    T(5, false, false),   /* 0 */
	    T(-7, false, true),   /* 0 */
	    T(4, true, true),     /* -4 */
	};
	struct vrrp_prio_result r;

	r = vrrp_prio_compute(100, t, 5);
	CHECK_INT(r.sum, -24);
	CHECK_INT(r.effective, 76);
	CHECK(!r.fault);
	r = vrrp_prio_compute(100, NULL, 0);
	CHECK_INT(r.effective, 100);
	CHECK_INT(r.sum, 0);

	/* Clamped to 1..254: trackers never make anyone the owner. */
	CHECK_INT(one(250, 10, false, true).effective, 254);
	CHECK_INT(one(254, 1, false, true).effective, 254);
	CHECK_INT(one(200, 100, false, true).effective, 254);
	CHECK_INT(one(10, -50, false, false).effective, 1);
	CHECK_INT(one(1, -1, false, false).effective, 1);
	CHECK_INT(one(2, -1, false, false).effective, 1);
	CHECK_INT(one(1, 253, false, true).effective, 254);
	{
		struct vrrp_track_input two[] = {T(50, false, true), T(60, false, true)};

		r = vrrp_prio_compute(200, two, 2);
		CHECK_INT(r.sum, 110);
		CHECK_INT(r.effective, 254);
	}

	/* The owner is never adjusted, but weight-0 faults still count. */
	CHECK_INT(one(255, -50, false, false).effective, 255);
	CHECK_INT(one(255, 50, true, true).effective, 255);
	r = one(255, 0, false, false);
	CHECK_INT(r.effective, 255);
	CHECK(r.fault);

	/* Several faults, mixed with weights. */
	{
		struct vrrp_track_input mix[] = {T(0, false, false), T(0, true, true),
		                                 T(0, false, true), T(-10, false, false)};

		r = vrrp_prio_compute(100, mix, 4);
		CHECK(r.fault);
		CHECK_INT(r.faults, 2);
		CHECK_INT(r.effective, 90);
	}
}

static void test_risefall(void)
{
	struct vrrp_risefall rf;
	int i;

	/* Default start: up but unconfirmed; the first result applies. */
	vrrp_risefall_init(&rf, 3, 2, false);
	CHECK(rf.up);
	CHECK(!rf.known);
	CHECK(vrrp_risefall_result(&rf, false)); /* first KO: down at once */
	CHECK(!rf.up);
	/* rise 3: two OKs are not enough, a KO restarts the count. */
	CHECK(!vrrp_risefall_result(&rf, true));
	CHECK(!vrrp_risefall_result(&rf, true));
	CHECK(!vrrp_risefall_result(&rf, false));
	CHECK(!vrrp_risefall_result(&rf, true));
	CHECK(!vrrp_risefall_result(&rf, true));
	CHECK(!rf.up);
	CHECK(vrrp_risefall_result(&rf, true));
	CHECK(rf.up);
	/* fall 2 */
	CHECK(!vrrp_risefall_result(&rf, false));
	CHECK(!vrrp_risefall_result(&rf, true));
	CHECK(!vrrp_risefall_result(&rf, false));
	CHECK(rf.up);
	CHECK(vrrp_risefall_result(&rf, false));
	CHECK(!rf.up);
	/* Steady results change nothing. */
	for (i = 0; i < 5; i++)
		CHECK(!vrrp_risefall_result(&rf, false));
	CHECK(!rf.up);

	/* First result OK while assumed up: no change reported. */
	vrrp_risefall_init(&rf, 3, 2, false);
	CHECK(!vrrp_risefall_result(&rf, true));
	CHECK(rf.up && rf.known);

	/* init_fail: starts down and needs `rise` successes. */
	vrrp_risefall_init(&rf, 2, 2, true);
	CHECK(!rf.up);
	CHECK(!vrrp_risefall_result(&rf, true));
	CHECK(vrrp_risefall_result(&rf, true));
	CHECK(rf.up);

	/* rise/fall 0 are taken as 1. */
	vrrp_risefall_init(&rf, 0, 0, true);
	CHECK_INT(rf.rise, 1);
	CHECK_INT(rf.fall, 1);
	CHECK(vrrp_risefall_result(&rf, true));
	CHECK(vrrp_risefall_result(&rf, false));
	CHECK(vrrp_risefall_result(&rf, true));
}

int main(void)
{
	test_single();
	test_sum_and_clamp();
	test_risefall();
	return check_report("test_vrrp_prio");
}
