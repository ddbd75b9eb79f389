/* Sync groups (keepalived extension): the members of a vrrp_sync_group
 * move together.  Pure functions over an array of member FSMs.
 *
 *   - any member with its own fault -> every member FAULT (GROUP_TO_FAULT);
 *     when no member has its own fault any more, all leave FAULT together
 *     (GROUP_FAULT_OFF -> BACKUP with a full Master_Down_Interval);
 *   - a member going MASTER -> BACKUP forces the other MASTER members to
 *     BACKUP (GROUP_TO_BACKUP: priority-0 advert, VIPs removed);
 *   - MASTER only when every member wants MASTER: a member whose
 *     Master_Down_Timer expires sets want_master and waits another down
 *     interval; when every active member is MASTER or wants MASTER, all the
 *     BACKUP members go MASTER at once (GROUP_TO_MASTER).
 *
 * Members in INIT or STOP do not take part.  Every event for a member
 * must be delivered through vrrp_sync_event() / vrrp_sync_tick() so the
 * group is reconciled after it.  acts[i] receives the actions of member i
 * (overwritten, 0 when none) and is applied per member as in vrrp_fsm.h.
 * A member makes at most one transition per call, except that a member
 * started (STARTUP -> BACKUP) into a group that has a fault is moved on to
 * FAULT in the same call: one NOTIFY, prev_state BACKUP.  acts[i] never
 * holds both ADD_VIPS and DEL_VIPS.
 */
#ifndef KA_VRRP_SYNC_H
#define KA_VRRP_SYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "vrrp/vrrp_fsm.h"

/* Mark the members as sync-group members (FSM defers MASTER and leaving
 * FAULT to the group).  Call before STARTUP. */
void vrrp_sync_attach(struct vrrp_fsm *const *m, size_t n);
/* Undo vrrp_sync_attach() (member removed from its group on reload). */
void vrrp_sync_detach(struct vrrp_fsm *const *m, size_t n);

/* Deliver ev to m[idx], then reconcile the group.  Returns the OR of all
 * acts[]. */
unsigned vrrp_sync_event(struct vrrp_fsm *const *m, size_t n, size_t idx, enum vrrp_event ev,
                         const struct vrrp_fsm_rx *rx, uint64_t now_us, unsigned *acts);
/* Fire every member's expired timers (vrrp_fsm_tick), reconciling after
 * each.  Returns the OR of all acts[]. */
unsigned vrrp_sync_tick(struct vrrp_fsm *const *m, size_t n, uint64_t now_us, unsigned *acts);
/* Earliest deadline over the members, 0 if none. */
uint64_t vrrp_sync_next_deadline(struct vrrp_fsm *const *m, size_t n);

/* True when every active member is MASTER or (BACKUP and want_master), at
 * least one is active, and none is in FAULT. */
bool vrrp_sync_can_goto_master(struct vrrp_fsm *const *m, size_t n);
/* Group state for group notifications: FAULT if any member is FAULT, else
 * BACKUP if any is BACKUP, else MASTER if any is MASTER, else INIT when
 * some member is INIT, else STOP. */
enum vrrp_fsm_state vrrp_sync_state(struct vrrp_fsm *const *m, size_t n);

#endif
