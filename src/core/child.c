/* The runtime shared by the VRRP and checker children: a fresh event loop,
 * the parent's hello on the control socket, signals, reloads and dumps. */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/child_reload.h"
#include "core/daemon.h"
#include "lib/script.h"

#define STOP_SCRIPT_WAIT_MS 1000

static int child_ctl_fd = -1; /* for ka_child_ctl_send */

int ka_child_ctl_send(const void *msg, size_t len)
{
	if (child_ctl_fd < 0)
		return -1;
	return send(child_ctl_fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -1 : 0;
}

struct child_rt {
	const struct ka_child_ops *ops;
	struct ka_options *o;
	struct ka_config *cfg;
	struct event_base *base;
	struct script_runner *scripts;
	struct event *ctl_ev;
	struct event *sig_ev[8];
	unsigned nsig;
	struct reload_worker *reloader; /* parses off the loop; SIGHUPs coalesced */
	/* a parsed configuration waiting for a gap between adverts */
	struct event *apply_ev;
	struct ka_config *pend_cfg;
	void *pend_prepared;
	uint64_t pend_parse_ms;
	unsigned pend_waits;
	int ctl_fd;
	int exit_code;
	struct ka_child_env env;
};

/* Forget everything inherited from the parent: its descriptors (event loop,
 * other children's sockets) and its signal handlers. */
static int detach_from_parent(int ctl_fd)
{
	struct sigaction sa;
	int sig;

	closelog();
	if (ctl_fd != 3) {
		if (dup2(ctl_fd, 3) < 0)
			return -1;
		ctl_fd = 3;
	}
	close_range(4, ~0U, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return ctl_fd;
}

/* VRRP timers are in centiseconds and adverts must leave on time: ask
 * libevent for timerfd-based timers instead of millisecond epoll waits.
 * The checker's timers are seconds apart and many: millisecond epoll
 * timeouts serve them without a timerfd_settime per reschedule. */
static struct event_base *child_base(bool precise)
{
	struct event_config *cfg = precise ? event_config_new() : NULL;
	struct event_base *base = NULL;

	if (cfg) {
		event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
		base = event_base_new_with_config(cfg);
		event_config_free(cfg);
	}
	return base ? base : event_base_new();
}

/* Render the metrics into a sealed memfd and pass it to the parent: the
 * text never crosses the socket, so a large page cannot block us on a full
 * socket buffer, and the parent reads it at its own pace. */
static void answer_metrics(struct child_rt *rt, int fd, const struct ka_hello *h)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct ka_hello r = *h;
	struct iovec iov = {.iov_base = &r, .iov_len = sizeof(r)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cm;
	FILE *fp = NULL;
	int mfd, wfd = -1;

	if (!rt->ops->dump_metrics)
		return; /* the parent's deadline reports it */
	mfd = memfd_create("keepalived-metrics", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd >= 0)
		wfd = dup(mfd);
	if (wfd >= 0)
		fp = fdopen(wfd, "w");
	if (!fp) {
		log_warn("%s child: cannot render metrics: %s", rt->ops->name, strerror(errno));
		if (wfd >= 0)
			close(wfd);
		if (mfd >= 0)
			close(mfd);
		return;
	}
	rt->ops->dump_metrics(rt->ops->state, fp);
	if (fclose(fp) != 0 ||
	    fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		log_warn("%s child: cannot render metrics: %s", rt->ops->name, strerror(errno));
		close(mfd);
		return;
	}
	memset(&u, 0, sizeof(u));
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &mfd, sizeof(int));
	if (sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_warn("%s child: cannot send metrics: %s", rt->ops->name, strerror(errno));
	close(mfd);
}

static void on_ctl(evutil_socket_t fd, short what, void *arg)
{
	struct child_rt *rt = arg;
	struct ka_hello h;
	ssize_t n;

	(void)what;
	n = recv(fd, &h, sizeof(h), MSG_DONTWAIT);
	if (n == 0) {
		log_notice("%s child: the parent has gone away, stopping", rt->ops->name);
		rt->exit_code = KA_EXIT_OK;
		event_base_loopbreak(rt->base);
		return;
	}
	if (n < 0)
		return; /* EAGAIN or a transient error */
	if ((size_t)n == sizeof(h) && h.magic == KA_METRICS_MAGIC) {
		answer_metrics(rt, fd, &h);
		return;
	}
	if ((size_t)n != sizeof(h) || h.magic != KA_HELLO_MAGIC)
		return;
	if (send(fd, &h, sizeof(h), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_warn("%s child: cannot answer hello: %s", rt->ops->name, strerror(errno));
}

static void drop_tree(const struct ka_child_ops *ops, struct ka_config *c)
{
	if (!ops->drop_tree || !c->tree)
		return;
	conf_tree_free(c->tree);
	c->tree = NULL;
	malloc_trim(0);
}

/* A reload is applied when the subsystem's next timer is at least this far
 * (the VRRP child: its adverts), waiting at most APPLY_WAITS gaps' worth. */
#define APPLY_GAP_US 20000
#define APPLY_WAITS 40

static void drop_prepared(struct child_rt *rt, void *prepared)
{
	if (prepared && rt->ops->prepared_free)
		rt->ops->prepared_free(prepared);
}

static void apply_parsed(struct child_rt *rt, struct ka_config *nc, void *prepared,
                         uint64_t parse_ms)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (rt->ops->reload)
		rt->ops->reload(rt->ops->state, rt->cfg, nc, prepared);
	else
		drop_prepared(rt, prepared);
	reload_worker_dispose(rt->reloader, rt->cfg); /* freed off the loop */
	drop_tree(rt->ops, nc);
	rt->cfg = nc;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info("%s child: configuration reloaded (read in %llu ms off the loop, applied in %lld "
	         "us)",
	         rt->ops->name, (unsigned long long)parse_ms,
	         (long long)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
}

/* Apply the pending configuration now if the next timer is far enough,
 * else look again just after it. */
static void try_apply(struct child_rt *rt)
{
	uint64_t quiet = rt->ops->quiet_us ? rt->ops->quiet_us(rt->ops->state) : UINT64_MAX;
	struct ka_config *nc = rt->pend_cfg;

	if (!nc)
		return;
	if (quiet < APPLY_GAP_US && rt->pend_waits < APPLY_WAITS && rt->apply_ev) {
		struct timeval tv = {0, (suseconds_t)quiet + 2000};

		rt->pend_waits++;
		evtimer_add(rt->apply_ev, &tv);
		return;
	}
	rt->pend_cfg = NULL;
	apply_parsed(rt, nc, rt->pend_prepared, rt->pend_parse_ms);
	rt->pend_prepared = NULL;
}

static void on_apply(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	try_apply(arg);
}

static void drop_pending(struct child_rt *rt)
{
	if (!rt->pend_cfg)
		return;
	drop_prepared(rt, rt->pend_prepared);
	ka_config_free(rt->pend_cfg);
	rt->pend_cfg = NULL;
	rt->pend_prepared = NULL;
	if (rt->apply_ev)
		evtimer_del(rt->apply_ev);
}

/* A parse ended (child_reload.c): apply it on the loop, in a gap between
 * the subsystem's timers. */
static void on_parsed(void *arg, struct ka_config *nc, void *prepared, uint64_t parse_ms)
{
	struct child_rt *rt = arg;

	if (!nc) {
		log_err("Reload: out of memory, keeping the running configuration");
		drop_prepared(rt, prepared);
		return;
	}
	if (ka_config_exit_code(nc) != 0) {
		log_err("Reload: configuration %s has errors, keeping the running configuration",
		        rt->o->conf_file);
		drop_prepared(rt, prepared);
		ka_config_free(nc);
		return;
	}
	drop_pending(rt); /* a newer parse supersedes one still waiting */
	if (!rt->apply_ev)
		rt->apply_ev = evtimer_new(rt->base, on_apply, rt);
	rt->pend_cfg = nc;
	rt->pend_prepared = prepared;
	rt->pend_parse_ms = parse_ms;
	rt->pend_waits = 0;
	try_apply(rt);
}

struct fill_arg {
	struct child_rt *rt;
	bool clear;
};

static void fill_data(void *arg, FILE *fp)
{
	struct child_rt *rt = ((struct fill_arg *)arg)->rt;

	rt->ops->dump_data(rt->ops->state, fp);
}

static void fill_stats(void *arg, FILE *fp)
{
	struct fill_arg *fa = arg;

	fa->rt->ops->dump_stats(fa->rt->ops->state, fp, fa->clear);
}

static void fill_json(void *arg, FILE *fp)
{
	struct child_rt *rt = ((struct fill_arg *)arg)->rt;

	rt->ops->dump_json(rt->ops->state, fp);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct child_rt *rt = arg;
	struct fill_arg fa = {.rt = rt};
	const char *data_path;

	(void)what;
	data_path =
	    rt->ops->kind == KA_CHILD_VRRP ? rt->cfg->state_dump_file : rt->cfg->check_dump_file;
	if (sig == SIGHUP) {
		/* one parse at a time, and one more for all the SIGHUPs that
		 * came during it */
		if (!rt->reloader)
			rt->reloader = reload_worker_new(rt->base, rt->o, rt->ops, on_parsed, rt);
		if (!rt->reloader || reload_worker_request(rt->reloader) < 0)
			log_err("Reload: cannot start it, keeping the running configuration");
	} else if (sig == SIGTERM || sig == SIGINT) {
		log_info("%s child: stopping", rt->ops->name);
		rt->exit_code = KA_EXIT_OK;
		event_base_loopbreak(rt->base);
	} else if (sig == SIGUSR1 && rt->ops->dump_data) {
		ka_dump_write(data_path, fill_data, &fa);
	} else if ((sig == SIGUSR2 || sig == SIGRTMAX - 1) && rt->ops->dump_stats) {
		fa.clear = sig != SIGUSR2;
		ka_dump_write(rt->ops->kind == KA_CHILD_VRRP ? rt->cfg->stats_dump_file
		                                             : rt->cfg->check_stats_file,
		              fill_stats, &fa);
	} else if (sig == SIGRTMIN + 2 && rt->ops->dump_json) {
		ka_dump_write(rt->ops->kind == KA_CHILD_VRRP ? rt->cfg->json_dump_file
		                                             : rt->cfg->check_json_file,
		              fill_json, &fa);
	}
}

static int add_signal(struct child_rt *rt, int sig)
{
	struct event *ev = evsignal_new(rt->base, sig, on_signal, rt);

	if (!ev || evsignal_add(ev, NULL) < 0)
		return -1;
	rt->sig_ev[rt->nsig++] = ev;
	return 0;
}

static void on_script_poll(evutil_socket_t fd, short what, void *arg)
{
	struct child_rt *rt = arg;

	(void)fd;
	(void)what;
	if (!script_running(rt->scripts))
		event_base_loopbreak(rt->base);
}

/* Scripts started while stopping (notify_stop and friends) get up to
 * STOP_SCRIPT_WAIT_MS to finish, as upstream waits for them. */
static void wait_scripts(struct child_rt *rt)
{
	struct timeval poll = {0, 10000},
	               limit = {STOP_SCRIPT_WAIT_MS / 1000, (STOP_SCRIPT_WAIT_MS % 1000) * 1000};
	struct event *ev;

	if (!rt->scripts || !script_running(rt->scripts))
		return;
	ev = event_new(rt->base, -1, EV_PERSIST, on_script_poll, rt);
	if (!ev)
		return;
	event_add(ev, &poll);
	event_base_loopexit(rt->base, &limit);
	event_base_dispatch(rt->base);
	event_free(ev);
}

static void child_cleanup(struct child_rt *rt)
{
	unsigned i;

	for (i = 0; i < rt->nsig; i++)
		event_free(rt->sig_ev[i]);
	reload_worker_free(rt->reloader);
	drop_pending(rt);
	if (rt->apply_ev)
		event_free(rt->apply_ev);
	if (rt->ctl_ev)
		event_free(rt->ctl_ev);
	if (rt->scripts)
		script_runner_free(rt->scripts);
	ka_config_free(rt->cfg);
	event_base_free(rt->base);
	close(rt->ctl_fd);
}

_Noreturn void ka_child_run(const struct ka_child_ops *ops, struct ka_options *o,
                            struct ka_config *c, int ctl_fd, pid_t parent_pid)
{
	static const int sigs[] = {SIGHUP, SIGTERM, SIGINT, SIGUSR1, SIGUSR2, 0, 0};
	struct child_rt rt = {.ops = ops, .o = o, .cfg = c, .exit_code = KA_EXIT_PROGRAM_ERROR};
	sigset_t none;
	unsigned i;

	/* Stop cleanly when the parent dies, even if it died before this line. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent_pid)
		_exit(KA_EXIT_OK);
	rt.ctl_fd = detach_from_parent(ctl_fd);
	child_ctl_fd = rt.ctl_fd;
	log_init(ops->ident, &o->log, ops->file_suffix);
	if (rt.ctl_fd < 0) {
		log_err("%s child: cannot set up the control socket", ops->name);
		_exit(KA_EXIT_FATAL);
	}
	ka_child_sched(ops->kind, c->tree);
	rt.base = child_base(ops->kind == KA_CHILD_VRRP);
	if (!rt.base) {
		log_err("%s child: cannot create the event loop", ops->name);
		_exit(KA_EXIT_FATAL);
	}
	rt.scripts = script_runner_new(rt.base);
	rt.ctl_ev = event_new(rt.base, rt.ctl_fd, EV_READ | EV_PERSIST, on_ctl, &rt);
	if (!rt.scripts || !rt.ctl_ev || event_add(rt.ctl_ev, NULL) < 0) {
		log_err("%s child: cannot set up the event loop", ops->name);
		_exit(KA_EXIT_FATAL);
	}
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		int sig = sigs[i] ? sigs[i] : (i == 5 ? SIGRTMIN + 2 : SIGRTMAX - 1);
		if (sig == SIGINT && o->ignore_sigint)
			continue;
		if (add_signal(&rt, sig) < 0) {
			log_err("%s child: cannot watch signal %d", ops->name, sig);
			_exit(KA_EXIT_FATAL);
		}
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	log_info("Starting %s child process, pid %d", ops->name, (int)getpid());
	rt.env.base = rt.base;
	rt.env.scripts = rt.scripts;
	rt.env.opts = o;
	if (ops->start && ops->start(ops->state, &rt.env, c) < 0) {
		log_err("%s child: start failed", ops->name);
		_exit(KA_EXIT_FATAL);
	}
	drop_tree(ops, c);
	event_base_dispatch(rt.base);
	/* a parse still running or waiting is dropped: nothing applies it
	 * after stop */
	reload_worker_free(rt.reloader);
	rt.reloader = NULL;
	drop_pending(&rt);
	if (ops->stop)
		ops->stop(ops->state);
	wait_scripts(&rt);
	child_cleanup(&rt);
	log_info("Stopped %s child process", ops->name);
	log_close();
	_exit(rt.exit_code == KA_EXIT_PROGRAM_ERROR ? KA_EXIT_OK : rt.exit_code);
}
