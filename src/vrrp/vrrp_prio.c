/* Effective priority arithmetic and rise/fall counting. */
#include <string.h>

#include "vrrp/vrrp_prio.h"

int vrrp_track_contribution(const struct vrrp_track_input *t)
{
	int c = 0;

	if (t->weight > 0 && t->up)
		c = t->weight;
	else if (t->weight < 0 && !t->up)
		c = t->weight;
	return t->reverse ? -c : c;
}

bool vrrp_track_faulted(const struct vrrp_track_input *t)
{
	return t->weight == 0 && t->up == t->reverse;
}

struct vrrp_prio_result vrrp_prio_compute(unsigned base, const struct vrrp_track_input *t, size_t n)
{
	struct vrrp_prio_result r;
	long v;
	size_t i;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < n; i++) {
		if (vrrp_track_faulted(&t[i]))
			r.faults++;
		r.sum += vrrp_track_contribution(&t[i]);
	}
	r.fault = r.faults > 0;
	if (base >= 255) {
		r.effective = 255;
		return r;
	}
	v = (long)base + r.sum;
	r.effective = (uint8_t)(v < 1 ? 1 : v > 254 ? 254 : v);
	return r;
}

void vrrp_risefall_init(struct vrrp_risefall *rf, unsigned rise, unsigned fall, bool init_fail)
{
	memset(rf, 0, sizeof(*rf));
	rf->rise = rise ? rise : 1;
	rf->fall = fall ? fall : 1;
	rf->up = !init_fail;
	rf->known = init_fail;
}

bool vrrp_risefall_result(struct vrrp_risefall *rf, bool ok)
{
	if (!rf->known) {
		rf->known = true;
		rf->count = 0;
		if (rf->up == ok)
			return false;
		rf->up = ok;
		return true;
	}
	if (ok == rf->up) {
		rf->count = 0;
		return false;
	}
	if (++rf->count < (ok ? rf->rise : rf->fall))
		return false;
	rf->count = 0;
	rf->up = ok;
	return true;
}
