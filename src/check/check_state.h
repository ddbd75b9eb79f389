/* The checker engine's state logic, pure: no clocks, sockets or globals,
 * so unit tests drive it with synthetic results and virtual time.
 *
 *   check: one result at a time -> UP/DOWN with retries (reference §5.1)
 *   real server: alive only while every one of its checks is up (§5.2)
 *   virtual server: quorum with hysteresis, sorry server (§5.3)
 *   data plane: the weight a real server should have in the kernel table,
 *     or "absent" (§5.2 inhibit_on_failure, §5.3 sorry server)
 */
#ifndef KA_CHECK_STATE_H
#define KA_CHECK_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "check/check.h"

enum check_state { CHECK_STATE_UP, CHECK_STATE_DOWN };
const char *check_state_str(enum check_state s);

enum check_change { CHECK_NO_CHANGE, CHECK_WENT_UP, CHECK_WENT_DOWN };
const char *check_change_str(enum check_change c);

struct check_sm {
	enum check_state state;
	unsigned fails; /* consecutive failures while UP (retries used) */
	unsigned step;  /* next step of the cycle (HTTP url index) */
};

/* The start state: DOWN with alpha, else UP (assumed up). */
void check_sm_init(struct check_sm *sm, const struct check_cfg *cfg);

/* One attempt's result.  Returns the change and, in *next_us, when the
 * next attempt should start (relative to now). */
enum check_change check_sm_result(struct check_sm *sm, const struct check_cfg *cfg, bool ok,
                                  uint64_t *next_us);

/* A real server's effective weight: the configured weight, replaced by a
 * misc_dynamic weight (>= 0) and shifted by FILE_CHECK contributions;
 * clamped to [0, INT32_MAX]. */
int32_t check_rs_weight(int32_t configured, int dyn_weight, int64_t file_add);

/* Quorum of a virtual server (reference §5.3). */
struct check_quorum {
	uint32_t quorum;     /* effective, after clamping */
	uint32_t hysteresis; /* effective */
	bool up;
};
/* Clamp quorum to the total configured weight (never below 1) and
 * hysteresis below quorum; the start state is up when weight_sum reaches
 * the quorum. */
void check_quorum_init(struct check_quorum *q, uint32_t quorum, uint32_t hysteresis,
                       uint64_t total_weight, uint64_t weight_sum);
/* Gain at weight_sum >= quorum + hysteresis; loss below quorum -
 * hysteresis, or at 0. */
enum check_change check_quorum_update(struct check_quorum *q, uint64_t weight_sum);

#define CHECK_DP_ABSENT (-1)
/* The weight a real server should have in the data plane, or
 * CHECK_DP_ABSENT.  sorry_active: quorum is lost and a sorry server
 * replaces the pool. */
int64_t check_rs_dp_weight(bool alive, int32_t weight, bool inhibit, bool sorry_active);
/* The same for the sorry server. */
int64_t check_sorry_dp_weight(bool has_sorry, bool sorry_active, bool sorry_inhibit);

#endif
