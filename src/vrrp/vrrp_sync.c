/* Sync-group coordination over member FSMs. */
#include <syslog.h>

#include "vrrp/vrrp_sync.h"

static bool active(const struct vrrp_fsm *f)
{
	return f->state != VRRP_STATE_INIT && f->state != VRRP_STATE_STOP;
}

void vrrp_sync_attach(struct vrrp_fsm *const *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		m[i]->sync_member = true;
}

void vrrp_sync_detach(struct vrrp_fsm *const *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		m[i]->sync_member = false;
		m[i]->want_master = false;
	}
}

bool vrrp_sync_can_goto_master(struct vrrp_fsm *const *m, size_t n)
{
	size_t i, nactive = 0;

	for (i = 0; i < n; i++) {
		if (!active(m[i]))
			continue;
		nactive++;
		if (m[i]->state == VRRP_STATE_MASTER)
			continue;
		if (m[i]->state != VRRP_STATE_BACKUP || !m[i]->want_master)
			return false;
	}
	return nactive > 0;
}

enum vrrp_fsm_state vrrp_sync_state(struct vrrp_fsm *const *m, size_t n)
{
	static const enum vrrp_fsm_state order[] = {VRRP_STATE_FAULT, VRRP_STATE_BACKUP,
	                                            VRRP_STATE_MASTER, VRRP_STATE_INIT};
	size_t i, k;

	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (i = 0; i < n; i++)
			if (m[i]->state == order[k])
				return order[k];
	return VRRP_STATE_STOP;
}

/* Send ev to every member in state `in` (other than skip). */
static unsigned push(struct vrrp_fsm *const *m, size_t n, size_t skip, enum vrrp_fsm_state in,
                     enum vrrp_event ev, uint64_t now, unsigned *acts)
{
	unsigned all = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i == skip || m[i]->state != in)
			continue;
		acts[i] |= vrrp_fsm_event(m[i], ev, NULL, now);
		all |= acts[i];
	}
	return all;
}

/* Bring the group back to a consistent state after member idx moved from
 * `from` (idx == n: no particular member). */
static void reconcile(struct vrrp_fsm *const *m, size_t n, size_t idx, enum vrrp_fsm_state from,
                      uint64_t now, unsigned *acts)
{
	bool fault = false, in_fault = false;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!active(m[i]))
			continue;
		fault |= m[i]->own_fault;
		in_fault |= m[i]->state == VRRP_STATE_FAULT;
	}
	if (fault) {
		push(m, n, n, VRRP_STATE_MASTER, VRRP_EV_GROUP_TO_FAULT, now, acts);
		push(m, n, n, VRRP_STATE_BACKUP, VRRP_EV_GROUP_TO_FAULT, now, acts);
		return;
	}
	if (in_fault) {
		push(m, n, n, VRRP_STATE_FAULT, VRRP_EV_GROUP_FAULT_OFF, now, acts);
		return;
	}
	if (idx < n && from == VRRP_STATE_MASTER && m[idx]->state == VRRP_STATE_BACKUP) {
		push(m, n, idx, VRRP_STATE_MASTER, VRRP_EV_GROUP_TO_BACKUP, now, acts);
		return;
	}
	if (vrrp_sync_can_goto_master(m, n))
		push(m, n, n, VRRP_STATE_BACKUP, VRRP_EV_GROUP_TO_MASTER, now, acts);
}

static unsigned or_all(const unsigned *acts, size_t n)
{
	unsigned all = 0;
	size_t i;

	for (i = 0; i < n; i++)
		all |= acts[i];
	return all;
}

unsigned vrrp_sync_event(struct vrrp_fsm *const *m, size_t n, size_t idx, enum vrrp_event ev,
                         const struct vrrp_fsm_rx *rx, uint64_t now_us, unsigned *acts)
{
	enum vrrp_fsm_state from;
	size_t i;

	for (i = 0; i < n; i++)
		acts[i] = 0;
	if (idx >= n)
		return 0;
	from = m[idx]->state;
	acts[idx] = vrrp_fsm_event(m[idx], ev, rx, now_us);
	reconcile(m, n, idx, from, now_us, acts);
	return or_all(acts, n);
}

unsigned vrrp_sync_tick(struct vrrp_fsm *const *m, size_t n, uint64_t now_us, unsigned *acts)
{
	enum vrrp_fsm_state from;
	unsigned a;
	size_t i;

	for (i = 0; i < n; i++)
		acts[i] = 0;
	for (i = 0; i < n; i++) {
		from = m[i]->state;
		a = vrrp_fsm_tick(m[i], now_us);
		if (!a)
			continue;
		acts[i] |= a;
		reconcile(m, n, i, from, now_us, acts);
	}
	return or_all(acts, n);
}

uint64_t vrrp_sync_next_deadline(struct vrrp_fsm *const *m, size_t n)
{
	uint64_t best = 0, d;
	size_t i;

	for (i = 0; i < n; i++) {
		d = vrrp_fsm_next_deadline(m[i]);
		if (d && (!best || d < best))
			best = d;
	}
	return best;
}
