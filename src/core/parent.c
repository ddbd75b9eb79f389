/* The parent watchdog: forks the children, says hello to each over its
 * control socket, respawns a child that dies or hangs (with a backoff on
 * crash loops), relays signals, reloads, and stops everything in order. */
#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/daemon.h"
#include "core/parent_int.h"
#include "lib/mtime.h"
#include "lib/pidfile.h"
#include "lib/script.h"
#include "lib/sdnotify.h"
#include "lvs/nft_batch.h"

#define HELLO_REPLY_MS 3000u      /* a child must answer within this */
#define CRASH_WINDOW_US 60000000u /* restarts closer than this back off */
#define BACKOFF_MAX_S 60u
#define STOP_WAIT_S 5u /* bounded wait for children on stop */

static const struct ka_child_ops *const child_ops[KA_CHILD_MAX] = {
    [KA_CHILD_VRRP] = &vrrp_child_ops,
    [KA_CHILD_CHECK] = &check_child_ops,
};

static bool child_wanted(const struct parent *p, enum ka_child_kind k)
{
	bool only_some = p->o->want_vrrp || p->o->want_check;

	if (k == KA_CHILD_VRRP) {
		if (only_some && !p->o->want_vrrp)
			return false;
		return p->o->all_children || p->cfg->has_vrrp;
	}
	if (only_some && !p->o->want_check)
		return false;
	return p->o->all_children || p->cfg->has_check;
}

static const char *kid_pidfile(const struct parent *p, enum ka_child_kind k)
{
	return k == KA_CHILD_VRRP ? p->pf.vrrp : p->pf.check;
}

/* The descriptor passed with a message, or -1 (any extra is closed). */
static int ctl_fd_received(struct msghdr *msg)
{
	int fd = -1;

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		size_t nfd;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int one;

			memcpy(&one, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (fd < 0)
				fd = one;
			else
				close(one);
		}
	}
	return fd;
}

static void on_ctl(evutil_socket_t fd, short what, void *arg)
{
	struct kid *kid = arg;
	union {
		struct ka_hello h;
		struct ka_nft_token t;
	} m;
	struct ka_hello h;
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = &m, .iov_len = sizeof(m)};
	struct msghdr msg = {.msg_iov = &iov,
	                     .msg_iovlen = 1,
	                     .msg_control = u.buf,
	                     .msg_controllen = sizeof(u.buf)};
	int passed;
	ssize_t n;

	(void)what;
	n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	passed = n >= 0 ? ctl_fd_received(&msg) : -1;
	if (n == (ssize_t)sizeof(m.t) && m.t.magic == KA_NFTADOPT_MAGIC &&
	    kid->kind == KA_CHILD_CHECK) {
		/* kept for the checker's next incarnation (inherited at fork) */
		nft_adopt_inherited.valid = m.t.valid;
		nft_adopt_inherited.gen = m.t.gen;
		nft_adopt_inherited.fp = m.t.fp;
		if (passed >= 0)
			close(passed);
		return;
	}
	memcpy(&h, &m.h, sizeof(h));
	if (n == (ssize_t)sizeof(h) && h.magic == KA_METRICS_MAGIC) {
		parent_metrics_child_reply(kid->parent, kid, h.seq, passed);
		return;
	}
	if (passed >= 0)
		close(passed);
	if (n == (ssize_t)sizeof(h) && h.magic == KA_HELLO_MAGIC && h.seq == kid->hello_seq) {
		kid->awaiting = false;
		evtimer_del(kid->reply_ev);
	}
	/* EOF: the child is exiting; SIGCHLD tells us the rest. */
	if (n == 0)
		event_del(kid->ctl_ev);
}

static void kid_close_ctl(struct kid *kid)
{
	if (kid->ctl_ev) {
		event_free(kid->ctl_ev);
		kid->ctl_ev = NULL;
	}
	if (kid->ctl >= 0) {
		close(kid->ctl);
		kid->ctl = -1;
	}
	kid->awaiting = false;
	if (kid->reply_ev)
		evtimer_del(kid->reply_ev);
}

int parent_start_child(struct parent *p, enum ka_child_kind k)
{
	struct kid *kid = &p->kids[k];
	sigset_t all, old;
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		log_err("Cannot create the control socket: %s", strerror(errno));
		return -1;
	}
	/* Signals stay blocked across fork so the child cannot run the
	 * parent's handlers before it installs its own. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		ka_child_run(child_ops[k], p->o, p->cfg, sv[1], p->pid);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(sv[1]);
	if (pid < 0) {
		log_err("Cannot fork the %s child: %s", child_ops[k]->name, strerror(errno));
		close(sv[0]);
		return -1;
	}
	kid->pid = pid;
	kid->ctl = sv[0];
	kid->started_us = mono_us();
	kid->awaiting = false;
	kid->ctl_ev = event_new(p->base, kid->ctl, EV_READ | EV_PERSIST, on_ctl, kid);
	if (kid->ctl_ev)
		event_add(kid->ctl_ev, NULL);
	if (pidfile_write(kid_pidfile(p, k), pid) < 0)
		log_warn("Cannot write pid file %s: %s", kid_pidfile(p, k), strerror(errno));
	log_info("Started %s child process, pid %d", child_ops[k]->name, (int)pid);
	return 0;
}

static void on_respawn(evutil_socket_t fd, short what, void *arg)
{
	struct kid *kid = arg;
	struct parent *p = kid->parent;

	(void)fd;
	(void)what;
	if (p->stopping || kid->pid > 0 || !child_wanted(p, kid->kind))
		return;
	if (parent_start_child(p, kid->kind) < 0)
		parent_schedule_respawn(p, kid);
}

void parent_schedule_respawn(struct parent *p, struct kid *kid)
{
	uint64_t now = mono_us();
	struct timeval tv = {0, 0};
	unsigned delay_s = 0;

	if (kid->last_restart_us && now - kid->last_restart_us < CRASH_WINDOW_US) {
		kid->quick_restarts++;
		delay_s =
		    kid->quick_restarts >= 7 ? BACKOFF_MAX_S : 1u << (kid->quick_restarts - 1);
		if (delay_s > BACKOFF_MAX_S)
			delay_s = BACKOFF_MAX_S;
	} else {
		kid->quick_restarts = 0;
	}
	kid->last_restart_us = now;
	kid->restarts++;
	tv.tv_sec = delay_s;
	log_info("Restarting %s child process%s", child_ops[kid->kind]->name,
	         delay_s ? " after a backoff" : "");
	if (delay_s)
		log_info("%s child respawn delayed %u s (crash loop backoff)",
		         child_ops[kid->kind]->name, delay_s);
	evtimer_add(kid->respawn_ev, &tv);
	(void)p;
}

static bool fatal_status(int wstatus)
{
	if (!WIFEXITED(wstatus))
		return false;
	switch (WEXITSTATUS(wstatus)) {
	case KA_EXIT_FATAL:
	case KA_EXIT_CONFIG:
	case KA_EXIT_MISSING_PERMISSION:
	case KA_EXIT_NO_CONFIG:
		return true;
	default:
		return false;
	}
}

static void on_child_exit(void *arg, pid_t pid, int wstatus)
{
	struct parent *p = arg;
	struct kid *kid = NULL;
	enum ka_child_kind k;

	for (k = 0; k < KA_CHILD_MAX; k++)
		if (p->kids[k].pid == pid)
			kid = &p->kids[k];
	if (!kid)
		return;
	if (WIFSIGNALED(wstatus))
		log_warn("%s child process (pid %d) died: killed by signal %d",
		         child_ops[kid->kind]->name, (int)pid, WTERMSIG(wstatus));
	else
		log_info("%s child process (pid %d) exited with status %d",
		         child_ops[kid->kind]->name, (int)pid, WEXITSTATUS(wstatus));
	kid->pid = 0;
	kid_close_ctl(kid);
	pidfile_remove(kid_pidfile(p, kid->kind), pid);

	if (p->stopping) {
		parent_check_stopped(p);
		return;
	}
	if (fatal_status(wstatus)) {
		log_err("%s child exited with fatal status %d - stopping",
		        child_ops[kid->kind]->name, WEXITSTATUS(wstatus));
		parent_stop(p, WEXITSTATUS(wstatus));
		return;
	}
	if (p->o->dont_respawn) {
		log_err("%s child died and respawning is disabled (-R) - stopping",
		        child_ops[kid->kind]->name);
		parent_stop(p, KA_EXIT_FATAL);
		return;
	}
	if (child_wanted(p, kid->kind))
		parent_schedule_respawn(p, kid);
}

static void on_reply_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct kid *kid = arg;

	(void)fd;
	(void)what;
	if (!kid->awaiting || kid->pid <= 0)
		return;
	log_err("%s child process (pid %d) did not answer hello %u - killing it",
	        child_ops[kid->kind]->name, (int)kid->pid, kid->hello_seq);
	kid->awaiting = false;
	/* SIGKILL also ends a stopped process; the exit path respawns it. */
	kill(kid->pid, SIGKILL);
}

static void on_hello_tick(evutil_socket_t fd, short what, void *arg)
{
	struct parent *p = arg;
	struct timeval tv = {HELLO_REPLY_MS / 1000, (HELLO_REPLY_MS % 1000) * 1000};
	struct ka_hello h = {.magic = KA_HELLO_MAGIC};
	enum ka_child_kind k;

	(void)fd;
	(void)what;
	for (k = 0; k < KA_CHILD_MAX; k++) {
		struct kid *kid = &p->kids[k];

		if (kid->pid <= 0 || kid->ctl < 0 || kid->awaiting)
			continue;
		h.seq = ++kid->hello_seq;
		if (send(kid->ctl, &h, sizeof(h), MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
		    errno != EAGAIN)
			continue;
		kid->awaiting = true;
		evtimer_add(kid->reply_ev, &tv);
	}
}

static void kill_children(struct parent *p, int sig)
{
	enum ka_child_kind k;

	for (k = 0; k < KA_CHILD_MAX; k++)
		if (p->kids[k].pid > 0)
			kill(p->kids[k].pid, sig);
}

void parent_check_stopped(struct parent *p)
{
	enum ka_child_kind k;

	for (k = 0; k < KA_CHILD_MAX; k++)
		if (p->kids[k].pid > 0)
			return;
	event_base_loopbreak(p->base);
}

static void on_stop_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct parent *p = arg;

	(void)fd;
	(void)what;
	log_warn("Children did not stop within %u s - killing them", STOP_WAIT_S);
	kill_children(p, SIGKILL);
}

void parent_stop(struct parent *p, int code)
{
	struct timeval tv = {STOP_WAIT_S, 0};
	enum ka_child_kind k;

	if (p->stopping)
		return;
	p->stopping = true;
	p->exit_code = code;
	sdnotify("STOPPING=1\nSTATUS=Stopping");
	for (k = 0; k < KA_CHILD_MAX; k++)
		evtimer_del(p->kids[k].respawn_ev);
	kill_children(p, SIGTERM);
	evtimer_add(p->stop_ev, &tv);
	parent_check_stopped(p);
}

void parent_relay(struct parent *p, int sig, bool vrrp_only)
{
	if (p->kids[KA_CHILD_VRRP].pid > 0)
		kill(p->kids[KA_CHILD_VRRP].pid, sig);
	if (!vrrp_only && p->kids[KA_CHILD_CHECK].pid > 0)
		kill(p->kids[KA_CHILD_CHECK].pid, sig);
}

void parent_apply_children(struct parent *p)
{
	enum ka_child_kind k;

	for (k = 0; k < KA_CHILD_MAX; k++) {
		struct kid *kid = &p->kids[k];
		bool want = child_wanted(p, k);

		if (want && kid->pid <= 0 && !evtimer_pending(kid->respawn_ev, NULL))
			parent_start_child(p, k);
		else if (!want && kid->pid > 0) {
			log_info("%s child no longer configured - stopping it", child_ops[k]->name);
			kill(kid->pid, SIGTERM);
		}
	}
}

static int parent_setup(struct parent *p)
{
	struct timeval hello = {KA_HELLO_INTERVAL_MS / 1000, (KA_HELLO_INTERVAL_MS % 1000) * 1000};
	enum ka_child_kind k;

	p->base = event_base_new();
	if (!p->base)
		return -1;
	p->scripts = script_runner_new(p->base);
	if (!p->scripts)
		return -1;
	script_runner_set_other(p->scripts, on_child_exit, p);
	for (k = 0; k < KA_CHILD_MAX; k++) {
		struct kid *kid = &p->kids[k];

		kid->parent = p;
		kid->kind = k;
		kid->ctl = -1;
		kid->respawn_ev = evtimer_new(p->base, on_respawn, kid);
		kid->reply_ev = evtimer_new(p->base, on_reply_timeout, kid);
		if (!kid->respawn_ev || !kid->reply_ev)
			return -1;
	}
	p->stop_ev = evtimer_new(p->base, on_stop_timeout, p);
	p->hello_ev = event_new(p->base, -1, EV_PERSIST, on_hello_tick, p);
	if (!p->stop_ev || !p->hello_ev || event_add(p->hello_ev, &hello) < 0)
		return -1;
	return parent_setup_signals(p);
}

_Noreturn void ka_parent_run(struct ka_options *o, struct ka_config *c)
{
	struct parent *p = calloc(1, sizeof(*p));
	int code;

	if (!p)
		exit(KA_EXIT_NO_MEMORY);
	p->o = o;
	p->cfg = c;
	p->pid = getpid();
	ka_pidfiles_resolve(o, c, &p->pf);
	if (pidfile_running(p->pf.parent)) {
		log_err("Daemon is already running (pid file %s)", p->pf.parent);
		exit(KA_EXIT_FATAL);
	}
	if (pidfile_write(p->pf.parent, p->pid) < 0) {
		log_err("Cannot write pid file %s: %s", p->pf.parent, strerror(errno));
		exit(KA_EXIT_MISSING_PERMISSION);
	}
	if (parent_setup(p) < 0) {
		log_err("Cannot set up the parent event loop");
		pidfile_remove(p->pf.parent, p->pid);
		exit(KA_EXIT_FATAL);
	}
	parent_apply_children(p);
	if (parent_metrics_init(p) < 0)
		log_err("Cannot set up metrics");
	sdnotifyf("READY=1\nMAINPID=%d\nSTATUS=Running", (int)p->pid);
	event_base_dispatch(p->base);

	parent_metrics_free(p);
	code = p->exit_code;
	pidfile_remove(p->pf.parent, p->pid);
	log_info("Stopped Keepalived");
	parent_free(p);
	exit(code);
}
