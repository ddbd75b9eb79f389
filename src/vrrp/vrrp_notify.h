/* Notifications of VRRP state changes: the per-state scripts, the generic
 * `notify` script (with TYPE NAME STATE PRIORITY appended) and the notify
 * FIFOs.  Scripts of one instance or group run one after another, in the
 * order of the transitions; different instances do not wait for each other. */
#ifndef KA_VRRP_NOTIFY_H
#define KA_VRRP_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct script_runner;
struct vrrp_notify_queue;

/* Open (creating it if missing) a notify FIFO for non-blocking writes.
 * Returns an fd or -1 (logged). */
int vrrp_fifo_open(const char *path);
/* `INSTANCE "VI_1" MASTER 100\n` / `GROUP "G1" BACKUP 0\n`; a full FIFO
 * drops the line, as upstream does. */
void vrrp_fifo_write_state(int fd, bool group, const char *name, const char *state, int priority);

struct vrrp_notify_queue *vrrp_notify_queue_new(struct script_runner *sr);
void vrrp_notify_queue_free(struct vrrp_notify_queue *q);

/* Queue the scripts for one transition: the state script (argv, may be
 * NULL) and the generic script (argv, may be NULL; the four arguments are
 * appended).  uid/gid apply when set_ids.  timeout_us 0 = none. */
void vrrp_notify_queue_push(struct vrrp_notify_queue *q, char *const *state_argv,
                            char *const *generic_argv, bool group, const char *name,
                            const char *state, int priority, uid_t uid, gid_t gid, bool set_ids,
                            uint64_t timeout_us);
unsigned vrrp_notify_queue_len(const struct vrrp_notify_queue *q);

#endif
