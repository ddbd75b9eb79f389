/* A per-process publish/subscribe hub for the events other subsystems react
 * to (SMTP alerts, SNMP traps, metrics): the VRRP and checker runtimes
 * publish, and nothing in them knows who listens.  Listeners run
 * synchronously inside ka_event_publish and must not block. */
#ifndef KA_KAEVENT_H
#define KA_KAEVENT_H

#include <stdbool.h>

enum ka_event_kind {
	KA_EV_VRRP_INSTANCE, /* an instance entered a state (name, state, prio) */
	KA_EV_VRRP_GROUP,    /* a sync group entered a state (name, state) */
	KA_EV_RS,            /* a real server went up or down (vs, rs, up) */
	KA_EV_VS_QUORUM,     /* a virtual server gained or lost its quorum (vs, up) */
	KA_EV_RELOAD,        /* the configuration was reloaded (ok) */
};

struct ka_event {
	enum ka_event_kind kind;
	const char *name;  /* instance or group name; virtual server for RS/VS */
	const char *state; /* "MASTER", "BACKUP", "FAULT", "STOP" (VRRP kinds) */
	int prio;          /* effective priority (instance) */
	const char *rs;    /* "[ip]:port" of the real server (KA_EV_RS) */
	bool up;           /* RS / VS kinds; `ok` for KA_EV_RELOAD */
	bool initial;      /* an rs_init_notifies report, not a change */
	bool alert;        /* smtp_alert resolved for this object (VRRP, RS, VS) */
};

typedef void (*ka_event_fn)(void *arg, const struct ka_event *ev);

/* 0, or -1 when the table is full (8 listeners). */
int ka_event_subscribe(ka_event_fn fn, void *arg);
void ka_event_unsubscribe(ka_event_fn fn, void *arg);
void ka_event_publish(const struct ka_event *ev);

#endif
