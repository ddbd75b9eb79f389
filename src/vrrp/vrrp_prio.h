/* Effective priority from trackers, and rise/fall debouncing of script
 * results.  Pure arithmetic: no tracker objects, no clocks. */
#ifndef KA_VRRP_PRIO_H
#define KA_VRRP_PRIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One tracker as an instance sees it (track_interface, track_script,
 * track_file, track_process, track_bfd, track_group member).
 *
 *   weight 0            FAULT while down;  with reverse: FAULT while up
 *   weight W > 0        +W while up;       with reverse: -W while up
 *   weight W < 0        W (subtract) while down; with reverse: +|W| while down
 *
 * i.e. reverse flips the sign of the adjustment ("the direction of the
 * adjustment is reversed"); for weight 0 it flips when FAULT applies. */
struct vrrp_track_input {
	int weight;   /* -253..253 */
	bool reverse; /* `weight W reverse` */
	bool up;      /* tracker state after rise/fall */
};

struct vrrp_prio_result {
	uint8_t effective; /* clamp(base + sum, 1, 254); the owner stays 255 */
	bool fault;        /* at least one weight-0 tracker is failing */
	int sum;           /* Σ contributions before clamping */
	unsigned faults;   /* number of failing weight-0 trackers */
};

/* Contribution of one tracker to the priority (0 for weight 0). */
int vrrp_track_contribution(const struct vrrp_track_input *t);
/* Does this (weight 0) tracker put the instance in FAULT? */
bool vrrp_track_faulted(const struct vrrp_track_input *t);
/* base: configured priority 1..255.  base 255 (owner) is never adjusted,
 * and trackers never raise anyone else to 255.  t may be NULL when n is 0. */
struct vrrp_prio_result vrrp_prio_compute(unsigned base, const struct vrrp_track_input *t,
                                          size_t n);

/* rise/fall: `rise` consecutive successes to go up, `fall` consecutive
 * failures to go down (0 is taken as 1).  Without init_fail the tracker
 * starts up but unconfirmed, and its first result applies at once; with
 * init_fail it starts down and needs `rise` successes. */
struct vrrp_risefall {
	unsigned rise, fall;
	unsigned count; /* consecutive results against the current state */
	bool up;
	bool known; /* a result has been applied (or init_fail) */
};

void vrrp_risefall_init(struct vrrp_risefall *rf, unsigned rise, unsigned fall, bool init_fail);
/* Feed one result (true = OK: exit 0; false = KO: non-zero or timeout).
 * Returns true when rf->up changed. */
bool vrrp_risefall_result(struct vrrp_risefall *rf, bool ok);

#endif
