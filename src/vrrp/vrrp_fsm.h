/* The VRRP state machine (RFC 3768 §6.4, RFC 5798/9568 §6.4, keepalived's
 * FAULT and sync-group extensions) as pure code.
 *
 * No sockets, no clock reads, no globals.  The caller feeds events together
 * with `now` (microseconds of CLOCK_MONOTONIC) and executes the actions the
 * FSM returns.  Log lines go through the callback in struct vrrp_fsm (none
 * when it is NULL).
 *
 * Units: intervals in configuration and on the wire are centiseconds
 * (`_cs`); timer deadlines and computed intervals are microseconds (`_us`).
 * A deadline of 0 means "not armed".
 *
 * ACTION CONTRACT.  vrrp_fsm_event() and vrrp_fsm_tick() return a bitmask
 * of VRRP_ACT_*.  The state change (if any) has already happened when the
 * caller sees the mask; the caller applies the bits in ascending bit order,
 * which is the order of the enum below:
 *
 *   1. SEND_PRIO0_ADVERT  advert with priority 0 (leaving MASTER voluntarily)
 *   2. SEND_ADVERT        advert with the current effective priority
 *   3. DEL_VIPS           remove VIPs, eVIPs, routes, rules
 *   4. ADD_VIPS           add VIPs, eVIPs, routes, rules
 *   5. GARP_MASTER        first GARP/NA burst; schedule garp_master_delay
 *                         second burst and garp_master_refresh
 *   6. GARP_LOWER_PRIO    MASTER heard a lower priority: garp_lower_prio
 *                         burst and notify_master_rx_lower_pri
 *   7. NOTIFY             state changed: read f->prev_state -> f->state and
 *                         run notify scripts / FIFO / SNMP / SMTP
 *   8. RESCHEDULE         vrrp_fsm_next_deadline() changed: re-arm the timer
 *
 * Hence becoming MASTER = SEND_ADVERT, ADD_VIPS, GARP_MASTER, NOTIFY (the
 * advert goes first so the old master drops its VIPs); leaving MASTER on
 * shutdown / FAULT / sync-group demotion = SEND_PRIO0_ADVERT, DEL_VIPS,
 * NOTIFY; preempted by a higher priority = [SEND_ADVERT if
 * higher_prio_send_advert], DEL_VIPS, NOTIFY.  The send functions must not
 * refuse because the state is no longer MASTER.  One call never returns
 * both ADD_VIPS and DEL_VIPS, nor both advert kinds.
 */
#ifndef KA_VRRP_FSM_H
#define KA_VRRP_FSM_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

/* States.  INIT before STARTUP; STOP after SHUTDOWN (STARTUP restarts). */
enum vrrp_fsm_state {
	VRRP_STATE_INIT,
	VRRP_STATE_BACKUP,
	VRRP_STATE_MASTER,
	VRRP_STATE_FAULT,
	VRRP_STATE_STOP,
	VRRP_STATE_COUNT
};

enum vrrp_event {
	VRRP_EV_STARTUP,          /* RFC Startup: leave INIT (or STOP) */
	VRRP_EV_SHUTDOWN,         /* RFC Shutdown: go to STOP */
	VRRP_EV_MASTER_DOWN,      /* Master_Down_Timer expired (BACKUP) */
	VRRP_EV_ADVER_TIMER,      /* Adver_Timer expired (MASTER) */
	VRRP_EV_ADVERT_RX,        /* a validated advert; rx required */
	VRRP_EV_FAULT_ON,         /* own fault flags went non-zero */
	VRRP_EV_FAULT_OFF,        /* own fault flags went to zero */
	VRRP_EV_PRIORITY_CHANGED, /* rx->prio = new effective priority */
	/* Sent only by the sync-group coordinator (vrrp_sync.h): */
	VRRP_EV_GROUP_TO_BACKUP, /* another member went MASTER -> BACKUP */
	VRRP_EV_GROUP_TO_FAULT,  /* another member has a fault */
	VRRP_EV_GROUP_FAULT_OFF, /* no member has a fault any more */
	VRRP_EV_GROUP_TO_MASTER, /* every member wants MASTER */
	VRRP_EV_COUNT
};

/* Actions, in the order the caller applies them (see the contract above). */
enum vrrp_action {
	VRRP_ACT_SEND_PRIO0_ADVERT = 1u << 0,
	VRRP_ACT_SEND_ADVERT = 1u << 1,
	VRRP_ACT_DEL_VIPS = 1u << 2,
	VRRP_ACT_ADD_VIPS = 1u << 3,
	VRRP_ACT_GARP_MASTER = 1u << 4,
	VRRP_ACT_GARP_LOWER_PRIO = 1u << 5,
	VRRP_ACT_NOTIFY = 1u << 6,
	VRRP_ACT_RESCHEDULE = 1u << 7,
};
#define VRRP_ACT_COUNT 8

#define VRRP_PRIO_OWNER 255 /* IP address owner */
#define VRRP_PRIO_STOP 0    /* "stop participating" advert */
#define VRRP_DOWN_TIMER_ADVERTS_DEFAULT 3

/* What an event carries: for ADVERT_RX the advert's fields, for
 * PRIORITY_CHANGED only prio (the new effective priority). */
struct vrrp_fsm_rx {
	uint8_t prio;          /* Priority field, 0..255 */
	uint16_t adver_int_cs; /* v3 Max Adver Int (cs); v2 Adver Int × 100 */
	struct ka_addr saddr;  /* sender's primary address (IP source) */
};

/* Configuration: copied into the FSM by vrrp_fsm_init(); the caller may
 * change fields of f->cfg between events (reload) except priority. */
struct vrrp_fsm_cfg {
	uint8_t version;              /* 2 or 3 */
	uint8_t priority;             /* configured priority 1..255; 255 = owner */
	uint16_t adver_int_cs;        /* Advertisement_Interval, cs (v2: n × 100) */
	uint8_t down_timer_adverts;   /* Master_Down_Interval multiplier, 1..100 (3) */
	bool start_master;            /* `state MASTER` (only a hint unless owner) */
	bool nopreempt;               /* Preempt_Mode = False (ignored by owner) */
	uint64_t preempt_delay_us;    /* preempt_delay; 0 = none */
	bool higher_prio_send_advert; /* one last advert before going BACKUP */
	bool lower_prio_no_advert;    /* MASTER ignores lower prio (pre-9568) */
	bool owner_ignore_adverts;    /* at 255, drop every advert */
};

struct vrrp_fsm_stats {
	uint64_t became_master;        /* entries into MASTER */
	uint64_t released_master;      /* exits from MASTER */
	uint64_t pri_zero_sent;        /* SEND_PRIO0_ADVERT actions returned */
	uint64_t pri_zero_rcvd;        /* ADVERT_RX with priority 0 */
	uint64_t lower_prio_discarded; /* BACKUP: "lower priority, discarding" */
	uint64_t unexpected;           /* (state, event) pairs not in the table */
	uint64_t events[VRRP_EV_COUNT];
	uint64_t transitions[VRRP_STATE_COUNT][VRRP_STATE_COUNT]; /* [from][to] */
};

/* Log sink: level is a syslog level (LOG_INFO, ...); fmt/ap as vprintf.
 * Lines carry the "(name) " prefix already. */
typedef void (*vrrp_fsm_log_fn)(void *ctx, int level, const char *fmt, va_list ap);

struct vrrp_fsm {
	struct vrrp_fsm_cfg cfg;
	const char *name; /* instance name for log lines (not copied) */
	vrrp_fsm_log_fn log;
	void *log_ctx;

	enum vrrp_fsm_state state;
	enum vrrp_fsm_state prev_state; /* state before the last transition */
	uint64_t last_transition_us;    /* `now` of the last transition */
	uint8_t prio;                   /* effective Priority (owner: 255) */
	struct ka_addr saddr;         /* our primary address (tie-break); caller keeps it current */
	uint16_t master_adver_int_cs; /* Master_Adver_Interval, cs */

	/* Timers: absolute CLOCK_MONOTONIC µs, 0 = not armed. */
	uint64_t adver_timer_at; /* Adver_Timer (MASTER only) */
	uint64_t master_down_at; /* Master_Down_Timer (BACKUP only) */
	/* preempt_delay window (BACKUP): lower-priority adverts are accepted
	 * until this time.  Not a timer: nothing happens when it passes. */
	uint64_t preempt_until;

	/* Last master heard (accepted advert in BACKUP, or the advert that
	 * made us leave MASTER). */
	struct ka_addr master_saddr;
	uint8_t master_prio;

	bool own_fault;   /* our own fault flags are set */
	bool sync_member; /* set by vrrp_sync_attach(): defer to the group */
	bool want_master; /* sync member: Master_Down expired, waiting for the group */

	struct vrrp_fsm_stats stats;
};

const char *vrrp_state_str(enum vrrp_fsm_state s); /* "INIT", "BACKUP", ... */
const char *vrrp_event_str(enum vrrp_event e);     /* "ADVERT_RX", ... */
const char *vrrp_action_str(unsigned one_bit);     /* "SEND_ADVERT", ... */
/* "SEND_ADVERT|ADD_VIPS|..." or "-" for 0.  Returns buf (truncated to len). */
const char *vrrp_actions_fmt(unsigned acts, char *buf, size_t len);

/* Defaults: v2, priority 100, 100 cs, 3 down adverts, everything else off. */
void vrrp_fsm_cfg_defaults(struct vrrp_fsm_cfg *cfg);
/* State INIT, prio from cfg (255 stays 255), counters zero.  Out-of-range
 * cfg values are normalised (version 2/3, adver_int 1..4095 cs,
 * down_timer_adverts 1..100, priority 0 -> 1).  name may be NULL. */
void vrrp_fsm_init(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *cfg, const char *name);

/* Skew_Time in µs, truncated toward zero:
 *   v2: (256 - prio) × 1000000 / 256          (independent of the interval)
 *   v3: (256 - prio) × mai_cs × 10000 / 256   (= × 625 / 16)
 * e.g. v2 prio 100 -> 609375; v3 prio 100, 10 cs -> 60937 (60937.5). */
uint64_t vrrp_skew_time_us(unsigned version, unsigned prio, unsigned mai_cs);
/* Master_Down_Interval in µs: down_adverts × mai_cs × 10000 + Skew_Time. */
uint64_t vrrp_master_down_interval_us(unsigned version, unsigned prio, unsigned mai_cs,
                                      unsigned down_adverts);
/* The same for f (effective priority, current Master_Adver_Interval). */
uint64_t vrrp_fsm_skew_us(const struct vrrp_fsm *f);
uint64_t vrrp_fsm_master_down_us(const struct vrrp_fsm *f);

/* Deliver one event.  rx is required for ADVERT_RX and PRIORITY_CHANGED,
 * ignored otherwise.  Performs at most one transition, logs
 * "(name) event E: OLD -> NEW", counts it; an event the table does not
 * expect in the current state is logged (LOG_WARNING), counted in
 * stats.unexpected and ignored.  Returns VRRP_ACT_* bits. */
unsigned vrrp_fsm_event(struct vrrp_fsm *f, enum vrrp_event ev, const struct vrrp_fsm_rx *rx,
                        uint64_t now_us);
/* PRIORITY_CHANGED with rx.prio = prio.  The owner stays at 255; others are
 * clamped to 1..254. */
unsigned vrrp_fsm_set_priority(struct vrrp_fsm *f, uint8_t prio, uint64_t now_us);

/* Earliest armed timer relevant to the current state, 0 if none. */
uint64_t vrrp_fsm_next_deadline(const struct vrrp_fsm *f);
/* Fire the timers that expired at now_us (deadline <= now) as
 * ADVER_TIMER / MASTER_DOWN events; returns their actions (0 if none). */
unsigned vrrp_fsm_tick(struct vrrp_fsm *f, uint64_t now_us);

/* Log through f's callback with f's "(name) " prefix. */
void vrrp_fsm_log(const struct vrrp_fsm *f, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
