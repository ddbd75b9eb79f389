/* The VRRP state machine: one table of (state, event) -> handler, one
 * function (vrrp_fsm_event) that performs every transition.  See
 * vrrp_fsm.h for the action contract. */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "vrrp/vrrp_fsm.h"

static const char *const state_names[VRRP_STATE_COUNT] = {
    [VRRP_STATE_INIT] = "INIT",   [VRRP_STATE_BACKUP] = "BACKUP", [VRRP_STATE_MASTER] = "MASTER",
    [VRRP_STATE_FAULT] = "FAULT", [VRRP_STATE_STOP] = "STOP",
};

static const char *const event_names[VRRP_EV_COUNT] = {
    [VRRP_EV_STARTUP] = "STARTUP",
    [VRRP_EV_SHUTDOWN] = "SHUTDOWN",
    [VRRP_EV_MASTER_DOWN] = "MASTER_DOWN",
    [VRRP_EV_ADVER_TIMER] = "ADVER_TIMER",
    [VRRP_EV_ADVERT_RX] = "ADVERT_RX",
    [VRRP_EV_FAULT_ON] = "FAULT_ON",
    [VRRP_EV_FAULT_OFF] = "FAULT_OFF",
    [VRRP_EV_PRIORITY_CHANGED] = "PRIORITY_CHANGED",
    [VRRP_EV_GROUP_TO_BACKUP] = "GROUP_TO_BACKUP",
    [VRRP_EV_GROUP_TO_FAULT] = "GROUP_TO_FAULT",
    [VRRP_EV_GROUP_FAULT_OFF] = "GROUP_FAULT_OFF",
    [VRRP_EV_GROUP_TO_MASTER] = "GROUP_TO_MASTER",
};

static const char *const action_names[VRRP_ACT_COUNT] = {
    "SEND_PRIO0_ADVERT", "SEND_ADVERT",     "DEL_VIPS", "ADD_VIPS",
    "GARP_MASTER",       "GARP_LOWER_PRIO", "NOTIFY",   "RESCHEDULE",
};

const char *vrrp_state_str(enum vrrp_fsm_state s)
{
	return (unsigned)s < VRRP_STATE_COUNT ? state_names[s] : "?";
}

const char *vrrp_event_str(enum vrrp_event e)
{
	return (unsigned)e < VRRP_EV_COUNT ? event_names[e] : "?";
}

const char *vrrp_action_str(unsigned one_bit)
{
	unsigned i;

	for (i = 0; i < VRRP_ACT_COUNT; i++)
		if (one_bit == 1u << i)
			return action_names[i];
	return "?";
}

const char *vrrp_actions_fmt(unsigned acts, char *buf, size_t len)
{
	size_t off = 0;
	unsigned i;
	int n;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (!acts) {
		snprintf(buf, len, "-");
		return buf;
	}
	for (i = 0; i < VRRP_ACT_COUNT && off < len; i++) {
		if (!(acts & (1u << i)))
			continue;
		n = snprintf(buf + off, len - off, "%s%s", off ? "|" : "", action_names[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	return buf;
}

/* ---- logging ---- */

static void call_log(const struct vrrp_fsm *f, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void call_log(const struct vrrp_fsm *f, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	f->log(f->log_ctx, level, fmt, ap);
	va_end(ap);
}

void vrrp_fsm_log(const struct vrrp_fsm *f, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!f->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	call_log(f, level, "(%s) %s", f->name ? f->name : "?", msg);
}

/* ---- configuration and timer arithmetic ---- */

void vrrp_fsm_cfg_defaults(struct vrrp_fsm_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->version = 2;
	cfg->priority = 100;
	cfg->adver_int_cs = 100;
	cfg->down_timer_adverts = VRRP_DOWN_TIMER_ADVERTS_DEFAULT;
}

static bool is_owner(const struct vrrp_fsm *f)
{
	return f->cfg.priority == VRRP_PRIO_OWNER;
}

void vrrp_fsm_init(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *cfg, const char *name)
{
	memset(f, 0, sizeof(*f));
	f->cfg = *cfg;
	if (f->cfg.version != 2 && f->cfg.version != 3)
		f->cfg.version = 2;
	if (f->cfg.adver_int_cs == 0 || f->cfg.adver_int_cs > 4095)
		f->cfg.adver_int_cs = f->cfg.adver_int_cs ? 4095 : 100;
	if (f->cfg.down_timer_adverts == 0 || f->cfg.down_timer_adverts > 100)
		f->cfg.down_timer_adverts = VRRP_DOWN_TIMER_ADVERTS_DEFAULT;
	if (f->cfg.priority == 0)
		f->cfg.priority = 1;
	f->name = name;
	f->state = f->prev_state = VRRP_STATE_INIT;
	f->prio = f->cfg.priority;
	f->master_adver_int_cs = f->cfg.adver_int_cs;
}

uint64_t vrrp_skew_time_us(unsigned version, unsigned prio, unsigned mai_cs)
{
	uint64_t w = prio > 256 ? 0 : 256u - prio;

	if (version == 2)
		return w * 1000000u / 256u;
	return w * mai_cs * 10000u / 256u;
}

uint64_t vrrp_master_down_interval_us(unsigned version, unsigned prio, unsigned mai_cs,
                                      unsigned down_adverts)
{
	return (uint64_t)down_adverts * mai_cs * 10000u + vrrp_skew_time_us(version, prio, mai_cs);
}

uint64_t vrrp_fsm_skew_us(const struct vrrp_fsm *f)
{
	return vrrp_skew_time_us(f->cfg.version, f->prio, f->master_adver_int_cs);
}

uint64_t vrrp_fsm_master_down_us(const struct vrrp_fsm *f)
{
	return vrrp_master_down_interval_us(f->cfg.version, f->prio, f->master_adver_int_cs,
	                                    f->cfg.down_timer_adverts);
}

static uint64_t adver_int_us(const struct vrrp_fsm *f)
{
	return (uint64_t)f->cfg.adver_int_cs * 10000u;
}

uint64_t vrrp_fsm_next_deadline(const struct vrrp_fsm *f)
{
	switch (f->state) {
	case VRRP_STATE_MASTER:
		return f->adver_timer_at;
	case VRRP_STATE_BACKUP:
		return f->master_down_at;
	default:
		return 0;
	}
}

/* Effective priority the FSM accepts: the owner is never adjusted, nobody
 * else reaches 255 or drops below 1. */
static uint8_t sane_prio(const struct vrrp_fsm *f, unsigned p)
{
	if (is_owner(f))
		return VRRP_PRIO_OWNER;
	if (p < 1)
		return 1;
	if (p > 254)
		return 254;
	return (uint8_t)p;
}

/* Is the advert's sender "better" than us on equal priority?  Primary
 * addresses compared as unsigned big-endian bytes (network order). */
static int addr_order(const struct ka_addr *theirs, const struct ka_addr *ours)
{
	return addr_cmp(theirs, ours);
}

/* ---- handlers ----
 * A handler returns the actions and stores the next state in *next (left
 * at the current state for no transition).  Bookkeeping common to every
 * transition (timers of the state left, counters, NOTIFY, log) is done by
 * vrrp_fsm_event(). */

typedef unsigned (*fsm_handler)(struct vrrp_fsm *f, const struct vrrp_fsm_rx *rx, uint64_t now,
                                enum vrrp_fsm_state *next);

/* BACKUP with Master_Down_Timer = now + interval. */
static void arm_backup(struct vrrp_fsm *f, uint64_t now, uint64_t interval,
                       enum vrrp_fsm_state *next)
{
	f->master_down_at = now + interval;
	*next = VRRP_STATE_BACKUP;
}

/* Back to BACKUP without a known master: own interval, full down timer;
 * the owner configured `state MASTER` only waits advert + skew. */
static void enter_backup_fresh(struct vrrp_fsm *f, uint64_t now, enum vrrp_fsm_state *next)
{
	f->master_adver_int_cs = f->cfg.adver_int_cs;
	if (is_owner(f) && f->cfg.start_master)
		arm_backup(f, now, adver_int_us(f) + vrrp_fsm_skew_us(f), next);
	else
		arm_backup(f, now, vrrp_fsm_master_down_us(f), next);
}

static unsigned become_master(struct vrrp_fsm *f, enum vrrp_fsm_state *next)
{
	(void)f;
	*next = VRRP_STATE_MASTER;
	return VRRP_ACT_SEND_ADVERT | VRRP_ACT_ADD_VIPS | VRRP_ACT_GARP_MASTER;
}

/* Leave MASTER voluntarily (shutdown, fault, group demotion). */
static unsigned release_master(struct vrrp_fsm *f, enum vrrp_fsm_state to,
                               enum vrrp_fsm_state *next)
{
	(void)f;
	*next = to;
	return VRRP_ACT_SEND_PRIO0_ADVERT | VRRP_ACT_DEL_VIPS;
}

static unsigned h_ignore(struct vrrp_fsm *f, const struct vrrp_fsm_rx *rx, uint64_t now,
                         enum vrrp_fsm_state *next)
{
	(void)f, (void)rx, (void)now, (void)next;
	return 0;
}

/* RFC 5798 §6.4.1 Initialize, keepalived §4.4. */
static unsigned h_startup(struct vrrp_fsm *f, const struct vrrp_fsm_rx *rx, uint64_t now,
                          enum vrrp_fsm_state *next)
{
	(void)rx;
	f->prio = sane_prio(f, f->prio);
	f->master_adver_int_cs = f->cfg.adver_int_cs;
	f->preempt_until = 0;
	if (f->own_fault) {
		*next = VRRP_STATE_FAULT;
		return 0;
	}
	if (is_owner(f) && f->cfg.start_master) {
		if (!f->sync_member)
			return become_master(f, next);
		/* A group member asks its group first: expire at once. */
		arm_backup(f, now, 1, next);
		return 0;
	}
	arm_backup(f, now, vrrp_fsm_master_down_us(f), next);
	return 0;
}

static unsigned h_shutdown(struct vrrp_fsm *f, const struct vrrp_fsm_rx *rx, uint64_t now,
                           enum vrrp_fsm_state *next)
{
	(void)rx, (void)now;
	if (f->state == VRRP_STATE_MASTER)
		return release_master(f, VRRP_STATE_STOP, next);
	*next = VRRP_STATE_STOP;
	return 0;
}

static unsigned h_master_down(struct vrrp_fsm *f, const struct vrrp_fsm_rx *rx, uint64_t now,
                              enum vrrp_fsm_state *next)
{
	(void)rx;
	if (f->sync_member) {
		/* The group decides; meanwhile wait another down interval. */
		if (!f->want_master)
			vrrp_fsm_log(f, LOG_INFO, "Master_Down expired, waiting for sync group");
		f->want_master = true;
		f->master_down_at = now + vrrp_fsm_master_down_us(f);
		return 0;
	}
	return become_master(f, next);
}

static unsigned h_adver_timer(struct vrrp_fsm *f, const struct vrrp_fsm_rx *rx, uint64_t now,
                              enum vrrp_fsm_state *next)
{
	(void)rx, (void)next;
	f->adver_timer_at = now + adver_int_us(f);
	return VRRP_ACT_SEND_ADVERT;
}

static bool ignore_as_owner(const struct vrrp_fsm *f)
{
	return f->cfg.owner_ignore_adverts && f->prio == VRRP_PRIO_OWNER;
}

/* RFC 5798 §6.4.2 Backup, with keepalived's nopreempt / preempt_delay. */
static unsigned h_rx_backup(struct vrrp_fsm *f, const struct vrrp_fsm_rx *rx, uint64_t now,
                            enum vrrp_fsm_state *next)
{
	bool accept;

	(void)next;
	if (ignore_as_owner(f))
		return 0;
	if (rx->prio == VRRP_PRIO_STOP) {
		f->master_down_at = now + vrrp_fsm_skew_us(f);
		return 0;
	}
	if (rx->prio >= f->prio) {
		f->preempt_until = 0;
		accept = true;
	} else if (f->cfg.nopreempt && !is_owner(f)) {
		accept = true;
	} else if (f->cfg.preempt_delay_us) {
		if (!f->preempt_until) {
			f->preempt_until = now + f->cfg.preempt_delay_us;
			vrrp_fsm_log(f, LOG_INFO, "lower priority %u < %u, preempt delay started",
			             rx->prio, f->prio);
		}
		accept = now < f->preempt_until;
	} else {
		accept = false;
	}
	if (!accept) {
		f->stats.lower_prio_discarded++;
		vrrp_fsm_log(f, LOG_DEBUG, "lower priority %u < %u, discarding", rx->prio, f->prio);
		return 0;
	}
	f->master_saddr = rx->saddr;
	f->master_prio = rx->prio;
	if (f->cfg.version == 3 && rx->adver_int_cs)
		f->master_adver_int_cs = rx->adver_int_cs;
	f->master_down_at = now + vrrp_fsm_master_down_us(f);
	f->want_master = false;
	return 0;
}

/* RFC 5798 §6.4.3 Master, with keepalived's lower-priority behaviour. */
static unsigned h_rx_master(struct vrrp_fsm *f, const struct vrrp_fsm_rx *rx, uint64_t now,
                            enum vrrp_fsm_state *next)
{
	int c;

	if (ignore_as_owner(f))
		return 0;
	if (rx->prio == VRRP_PRIO_STOP) {
		f->adver_timer_at = now + adver_int_us(f);
		return VRRP_ACT_SEND_ADVERT;
	}
	c = rx->prio > f->prio ? 1 : rx->prio < f->prio ? -1 : addr_order(&rx->saddr, &f->saddr);
	if (c > 0) {
		f->master_saddr = rx->saddr;
		f->master_prio = rx->prio;
		if (f->cfg.version == 3 && rx->adver_int_cs)
			f->master_adver_int_cs = rx->adver_int_cs;
		arm_backup(f, now, vrrp_fsm_master_down_us(f), next);
		return (f->cfg.higher_prio_send_advert ? VRRP_ACT_SEND_ADVERT : 0) |
		       VRRP_ACT_DEL_VIPS;
	}
	if (c == 0) {
		vrrp_fsm_log(f, LOG_WARNING, "advert with our own priority %u and address, ignored",
		             rx->prio);
		return 0;
	}
	if (f->cfg.lower_prio_no_advert)
		return VRRP_ACT_GARP_LOWER_PRIO;
	f->adver_timer_at = now + adver_int_us(f);
	return VRRP_ACT_SEND_ADVERT | VRRP_ACT_GARP_LOWER_PRIO;
}

static unsigned h_fault_on(struct vrrp_fsm *f, const struct vrrp_fsm_rx *rx, uint64_t now,
                           enum vrrp_fsm_state *next)
{
	(void)rx, (void)now;
	f->own_fault = true;
	switch (f->state) {
	case VRRP_STATE_MASTER:
		return release_master(f, VRRP_STATE_FAULT, next);
	case VRRP_STATE_BACKUP:
		*next = VRRP_STATE_FAULT;
		return 0;
	default: /* INIT/STOP: applies at STARTUP; FAULT: already */
		return 0;
	}
}

static unsigned h_fault_off(struct vrrp_fsm *f, const struct vrrp_fsm_rx *rx, uint64_t now,
                            enum vrrp_fsm_state *next)
{
	(void)rx;
	f->own_fault = false;
	/* A sync member waits for GROUP_FAULT_OFF from the coordinator. */
	if (f->state == VRRP_STATE_FAULT && !f->sync_member)
		enter_backup_fresh(f, now, next);
	return 0;
}

static unsigned h_priority(struct vrrp_fsm *f, const struct vrrp_fsm_rx *rx, uint64_t now,
                           enum vrrp_fsm_state *next)
{
	uint8_t p = sane_prio(f, rx->prio);

	(void)now, (void)next;
	if (p != f->prio)
		vrrp_fsm_log(f, LOG_INFO, "priority %u -> %u", f->prio, p);
	f->prio = p;
	return 0;
}

static unsigned h_group_to_backup(struct vrrp_fsm *f, const struct vrrp_fsm_rx *rx, uint64_t now,
                                  enum vrrp_fsm_state *next)
{
	unsigned acts;

	(void)rx;
	acts = release_master(f, VRRP_STATE_BACKUP, next);
	f->master_adver_int_cs = f->cfg.adver_int_cs;
	f->master_down_at = now + vrrp_fsm_master_down_us(f);
	return acts;
}

static unsigned h_group_to_fault(struct vrrp_fsm *f, const struct vrrp_fsm_rx *rx, uint64_t now,
                                 enum vrrp_fsm_state *next)
{
	(void)rx, (void)now;
	if (f->state == VRRP_STATE_MASTER)
		return release_master(f, VRRP_STATE_FAULT, next);
	*next = VRRP_STATE_FAULT;
	return 0;
}

static unsigned h_group_fault_off(struct vrrp_fsm *f, const struct vrrp_fsm_rx *rx, uint64_t now,
                                  enum vrrp_fsm_state *next)
{
	(void)rx;
	if (!f->own_fault)
		enter_backup_fresh(f, now, next);
	return 0;
}

static unsigned h_group_to_master(struct vrrp_fsm *f, const struct vrrp_fsm_rx *rx, uint64_t now,
                                  enum vrrp_fsm_state *next)
{
	(void)rx, (void)now;
	return become_master(f, next);
}

/* The transition table.  NULL = not expected in that state: logged,
 * counted, ignored.  h_ignore = expected and deliberately a no-op (adverts
 * while FAULT, repeated shutdowns, level events already applied). */
static const fsm_handler fsm_table[VRRP_STATE_COUNT][VRRP_EV_COUNT] = {
    [VRRP_STATE_INIT] =
        {
            [VRRP_EV_STARTUP] = h_startup,
            [VRRP_EV_SHUTDOWN] = h_shutdown,
            [VRRP_EV_ADVERT_RX] = h_ignore,
            [VRRP_EV_FAULT_ON] = h_fault_on,
            [VRRP_EV_FAULT_OFF] = h_fault_off,
            [VRRP_EV_PRIORITY_CHANGED] = h_priority,
            [VRRP_EV_GROUP_TO_BACKUP] = h_ignore,
            [VRRP_EV_GROUP_TO_FAULT] = h_ignore,
            [VRRP_EV_GROUP_FAULT_OFF] = h_ignore,
        },
    [VRRP_STATE_BACKUP] =
        {
            [VRRP_EV_SHUTDOWN] = h_shutdown,
            [VRRP_EV_MASTER_DOWN] = h_master_down,
            [VRRP_EV_ADVERT_RX] = h_rx_backup,
            [VRRP_EV_FAULT_ON] = h_fault_on,
            [VRRP_EV_FAULT_OFF] = h_fault_off,
            [VRRP_EV_PRIORITY_CHANGED] = h_priority,
            [VRRP_EV_GROUP_TO_BACKUP] = h_ignore,
            [VRRP_EV_GROUP_TO_FAULT] = h_group_to_fault,
            [VRRP_EV_GROUP_FAULT_OFF] = h_ignore,
            [VRRP_EV_GROUP_TO_MASTER] = h_group_to_master,
        },
    [VRRP_STATE_MASTER] =
        {
            [VRRP_EV_SHUTDOWN] = h_shutdown,
            [VRRP_EV_ADVER_TIMER] = h_adver_timer,
            [VRRP_EV_ADVERT_RX] = h_rx_master,
            [VRRP_EV_FAULT_ON] = h_fault_on,
            [VRRP_EV_FAULT_OFF] = h_fault_off,
            [VRRP_EV_PRIORITY_CHANGED] = h_priority,
            [VRRP_EV_GROUP_TO_BACKUP] = h_group_to_backup,
            [VRRP_EV_GROUP_TO_FAULT] = h_group_to_fault,
            [VRRP_EV_GROUP_FAULT_OFF] = h_ignore,
            [VRRP_EV_GROUP_TO_MASTER] = h_ignore,
        },
    [VRRP_STATE_FAULT] =
        {
            [VRRP_EV_SHUTDOWN] = h_shutdown,
            [VRRP_EV_ADVERT_RX] = h_ignore,
            [VRRP_EV_FAULT_ON] = h_fault_on,
            [VRRP_EV_FAULT_OFF] = h_fault_off,
            [VRRP_EV_PRIORITY_CHANGED] = h_priority,
            [VRRP_EV_GROUP_TO_BACKUP] = h_ignore,
            [VRRP_EV_GROUP_TO_FAULT] = h_ignore,
            [VRRP_EV_GROUP_FAULT_OFF] = h_group_fault_off,
        },
    [VRRP_STATE_STOP] =
        {
            [VRRP_EV_STARTUP] = h_startup,
            [VRRP_EV_SHUTDOWN] = h_ignore,
            [VRRP_EV_ADVERT_RX] = h_ignore,
            [VRRP_EV_FAULT_ON] = h_fault_on,
            [VRRP_EV_FAULT_OFF] = h_fault_off,
            [VRRP_EV_PRIORITY_CHANGED] = h_priority,
            [VRRP_EV_GROUP_TO_BACKUP] = h_ignore,
            [VRRP_EV_GROUP_TO_FAULT] = h_ignore,
            [VRRP_EV_GROUP_FAULT_OFF] = h_ignore,
        },
};

/* Bookkeeping of one transition old -> new. */
static void transition(struct vrrp_fsm *f, enum vrrp_event ev, enum vrrp_fsm_state to, uint64_t now)
{
	enum vrrp_fsm_state from = f->state;

	vrrp_fsm_log(f, LOG_INFO, "event %s: %s -> %s", vrrp_event_str(ev), vrrp_state_str(from),
	             vrrp_state_str(to));
	f->stats.transitions[from][to]++;
	f->prev_state = from;
	f->state = to;
	f->last_transition_us = now;
	f->want_master = false;

	if (from == VRRP_STATE_MASTER) {
		f->stats.released_master++;
		f->adver_timer_at = 0;
	}
	if (from == VRRP_STATE_BACKUP)
		f->preempt_until = 0;
	if (to != VRRP_STATE_BACKUP)
		f->master_down_at = 0;
	if (to == VRRP_STATE_MASTER) {
		/* Our own Advertisement_Interval again (RFC 5798 §6.4.3). */
		f->stats.became_master++;
		f->master_adver_int_cs = f->cfg.adver_int_cs;
		f->adver_timer_at = now + adver_int_us(f);
		f->master_down_at = 0;
	}
}

unsigned vrrp_fsm_event(struct vrrp_fsm *f, enum vrrp_event ev, const struct vrrp_fsm_rx *rx,
                        uint64_t now_us)
{
	enum vrrp_fsm_state next = f->state;
	uint64_t deadline = vrrp_fsm_next_deadline(f);
	fsm_handler h;
	unsigned acts;

	if ((unsigned)ev >= VRRP_EV_COUNT || (unsigned)f->state >= VRRP_STATE_COUNT) {
		f->stats.unexpected++;
		vrrp_fsm_log(f, LOG_ERR, "bad event %d in state %d, ignored", (int)ev,
		             (int)f->state);
		return 0;
	}
	f->stats.events[ev]++;
	h = fsm_table[f->state][ev];
	if (h && !rx && (ev == VRRP_EV_ADVERT_RX || ev == VRRP_EV_PRIORITY_CHANGED))
		h = NULL;
	if (!h) {
		f->stats.unexpected++;
		vrrp_fsm_log(f, LOG_WARNING, "unexpected event %s in state %s, ignored",
		             vrrp_event_str(ev), vrrp_state_str(f->state));
		return 0;
	}
	if (ev == VRRP_EV_ADVERT_RX && rx->prio == VRRP_PRIO_STOP)
		f->stats.pri_zero_rcvd++;

	acts = h(f, rx, now_us, &next);
	if (next != f->state) {
		transition(f, ev, next, now_us);
		acts |= VRRP_ACT_NOTIFY;
	}
	if (acts & VRRP_ACT_SEND_PRIO0_ADVERT)
		f->stats.pri_zero_sent++;
	if (vrrp_fsm_next_deadline(f) != deadline)
		acts |= VRRP_ACT_RESCHEDULE;
	return acts;
}

unsigned vrrp_fsm_set_priority(struct vrrp_fsm *f, uint8_t prio, uint64_t now_us)
{
	struct vrrp_fsm_rx rx;

	memset(&rx, 0, sizeof(rx));
	rx.prio = prio;
	return vrrp_fsm_event(f, VRRP_EV_PRIORITY_CHANGED, &rx, now_us);
}

unsigned vrrp_fsm_tick(struct vrrp_fsm *f, uint64_t now_us)
{
	if (f->state == VRRP_STATE_MASTER && f->adver_timer_at && f->adver_timer_at <= now_us)
		return vrrp_fsm_event(f, VRRP_EV_ADVER_TIMER, NULL, now_us);
	if (f->state == VRRP_STATE_BACKUP && f->master_down_at && f->master_down_at <= now_us)
		return vrrp_fsm_event(f, VRRP_EV_MASTER_DOWN, NULL, now_us);
	return 0;
}
