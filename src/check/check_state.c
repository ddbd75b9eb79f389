/* Pure state logic of the checker engine (see check_state.h). */
#include "check/check_state.h"

const char *check_state_str(enum check_state s)
{
	return s == CHECK_STATE_UP ? "UP" : "DOWN";
}

const char *check_change_str(enum check_change c)
{
	switch (c) {
	case CHECK_WENT_UP:
		return "went up";
	case CHECK_WENT_DOWN:
		return "went down";
	default:
		return "no change";
	}
}

void check_sm_init(struct check_sm *sm, const struct check_cfg *cfg)
{
	sm->state = cfg->alpha ? CHECK_STATE_DOWN : CHECK_STATE_UP;
	sm->fails = 0;
	sm->step = 0;
}

/*
 * UP:   success -> next step after delay_loop.
 *       failure -> while retries remain, try again after
 *       delay_before_retry; after `retry` retries have failed too, DOWN.
 * DOWN: success -> the next step of the cycle (HTTP: the next url) after
 *       delay_loop, or at once with fast_recovery; the last step -> UP.
 *       failure -> the cycle restarts at step 0 after delay_loop.
 */
enum check_change check_sm_result(struct check_sm *sm, const struct check_cfg *cfg, bool ok,
                                  uint64_t *next_us)
{
	unsigned steps = cfg->n_steps ? cfg->n_steps : 1;
	bool fast =
	    (cfg->type == CHECK_HTTP || cfg->type == CHECK_SSL) && cfg->u.http.fast_recovery;

	*next_us = cfg->delay_loop_us;
	if (sm->state == CHECK_STATE_UP) {
		if (ok) {
			sm->fails = 0;
			sm->step = (sm->step + 1) % steps;
			return CHECK_NO_CHANGE;
		}
		if (sm->fails < cfg->retry) {
			sm->fails++;
			*next_us = cfg->delay_before_retry_us;
			return CHECK_NO_CHANGE;
		}
		sm->state = CHECK_STATE_DOWN;
		sm->fails = 0;
		sm->step = 0;
		return CHECK_WENT_DOWN;
	}
	if (!ok) {
		sm->step = 0;
		return CHECK_NO_CHANGE;
	}
	if (sm->step + 1 < steps) {
		sm->step++;
		if (fast)
			*next_us = 0;
		return CHECK_NO_CHANGE;
	}
	sm->state = CHECK_STATE_UP;
	sm->step = 0;
	sm->fails = 0;
	return CHECK_WENT_UP;
}

int32_t check_rs_weight(int32_t configured, int dyn_weight, int64_t file_add)
{
	int64_t w = dyn_weight >= 0 ? dyn_weight : configured;

	w += file_add;
	if (w < 0)
		return 0;
	if (w > INT32_MAX)
		return INT32_MAX;
	return (int32_t)w;
}

void check_quorum_init(struct check_quorum *q, uint32_t quorum, uint32_t hysteresis,
                       uint64_t total_weight, uint64_t weight_sum)
{
	if (quorum > total_weight)
		quorum = total_weight
		             ? (uint32_t)(total_weight > UINT32_MAX ? UINT32_MAX : total_weight)
		             : 1;
	if (quorum < 1)
		quorum = 1;
	if (hysteresis >= quorum)
		hysteresis = quorum - 1;
	q->quorum = quorum;
	q->hysteresis = hysteresis;
	q->up = weight_sum > 0 && weight_sum >= quorum;
}

enum check_change check_quorum_update(struct check_quorum *q, uint64_t weight_sum)
{
	if (q->up) {
		if (weight_sum == 0 || weight_sum < (uint64_t)q->quorum - q->hysteresis) {
			q->up = false;
			return CHECK_WENT_DOWN;
		}
		return CHECK_NO_CHANGE;
	}
	if (weight_sum > 0 && weight_sum >= (uint64_t)q->quorum + q->hysteresis) {
		q->up = true;
		return CHECK_WENT_UP;
	}
	return CHECK_NO_CHANGE;
}

int64_t check_rs_dp_weight(bool alive, int32_t weight, bool inhibit, bool sorry_active)
{
	if (alive && !sorry_active)
		return weight;
	if (inhibit)
		return 0;
	return CHECK_DP_ABSENT;
}

int64_t check_sorry_dp_weight(bool has_sorry, bool sorry_active, bool sorry_inhibit)
{
	if (!has_sorry)
		return CHECK_DP_ABSENT;
	if (sorry_active)
		return 1;
	return sorry_inhibit ? 0 : CHECK_DP_ABSENT;
}
