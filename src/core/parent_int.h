/* Private to the parent watchdog (parent.c, parent_signals.c). */
#ifndef KA_PARENT_INT_H
#define KA_PARENT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/daemon.h"

struct event;
struct event_base;
struct script_runner;
struct parent;

struct kid {
	struct parent *parent;
	enum ka_child_kind kind;
	pid_t pid; /* 0 when not running */
	int ctl;   /* our end of the control socketpair */
	struct event *ctl_ev;
	struct event *reply_ev; /* hello reply deadline */
	struct event *respawn_ev;
	uint32_t hello_seq;
	bool awaiting; /* a hello is unanswered */
	uint64_t started_us;
	uint64_t last_restart_us;
	unsigned quick_restarts; /* restarts inside the crash window */
	unsigned long restarts;  /* every respawn, for metrics */
};

struct parent {
	struct ka_options *o;
	struct ka_config *cfg;
	struct ka_pidfiles pf;
	pid_t pid;
	struct event_base *base;
	struct script_runner *scripts;
	struct kid kids[KA_CHILD_MAX];
	struct event *hello_ev;
	struct event *stop_ev;
	struct event *sig_ev[10];
	struct event *reload_ev; /* SIGHUPs coalesced into one reload per loop turn */
	unsigned nsig;
	bool stopping;
	int exit_code;
	unsigned reloads, reload_failures;
	struct ka_metrics *metrics; /* metrics_http.c */
};

int parent_start_child(struct parent *p, enum ka_child_kind k);
void parent_schedule_respawn(struct parent *p, struct kid *kid);
void parent_stop(struct parent *p, int code);
void parent_check_stopped(struct parent *p);
void parent_relay(struct parent *p, int sig, bool vrrp_only);
void parent_apply_children(struct parent *p);
int parent_setup_signals(struct parent *p);
void parent_free(struct parent *p);

/* metrics_http.c: the metrics endpoint and textfile (metrics_listen,
 * metrics_textfile); init after parent_setup, reloaded(ok) after each
 * SIGHUP, child_reply takes ownership of fd (-1: none came). */
int parent_metrics_init(struct parent *p);
void parent_metrics_reloaded(struct parent *p, bool ok);
void parent_metrics_child_reply(struct parent *p, struct kid *kid, uint32_t seq, int fd);
void parent_metrics_free(struct parent *p);

#endif
