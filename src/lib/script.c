/* Asynchronous script runner: fork/exec into a new process group, reap on
 * SIGCHLD through a libevent signal event, enforce timeouts with TERM then
 * KILL to the whole group.  Nothing here blocks the event loop. */
#include "lib/script.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/mtime.h"

#define DEFAULT_KILL_GRACE_US 1000000u

struct script_job {
	struct script_job *next;
	pid_t pid; /* also the process group id */
	struct event *timer;
	bool timed_out; /* SIGTERM was sent; the timer now waits to send SIGKILL */
	uint64_t grace_us;
	script_done_fn done;
	void *arg;
};

struct script_runner {
	struct event_base *base;
	struct event *sigchld;
	struct script_job *jobs;
	unsigned count;
	void (*other)(void *arg, pid_t pid, int wstatus);
	void *other_arg;
	bool reaping; /* inside the SIGCHLD callback */
	bool freed;   /* script_runner_free was called from a callback */
};

const char *script_result_str(enum script_result r)
{
	switch (r) {
	case SCRIPT_EXITED:
		return "exited";
	case SCRIPT_SIGNALED:
		return "signaled";
	case SCRIPT_TIMEOUT:
		return "timeout";
	case SCRIPT_EXEC_FAILED:
		return "exec failed";
	}
	return "unknown";
}

/* Signal the script's process group, or the script alone if the group is
 * not there (setpgid failed). */
static void kill_job(const struct script_job *j, int sig)
{
	if (kill(-j->pid, sig) < 0 && errno == ESRCH)
		kill(j->pid, sig);
}

static void job_free(struct script_job *j)
{
	if (j->timer)
		event_free(j->timer);
	free(j);
}

/* Remove and return the job for pid, or NULL. */
static struct script_job *job_take(struct script_runner *r, pid_t pid)
{
	struct script_job **pp, *j;

	for (pp = &r->jobs; (j = *pp); pp = &j->next) {
		if (j->pid == pid) {
			*pp = j->next;
			r->count--;
			return j;
		}
	}
	return NULL;
}

static void job_finished(struct script_job *j, int wstatus)
{
	script_done_fn done = j->done;
	void *arg = j->arg;
	enum script_result res;
	int status;

	if (WIFSIGNALED(wstatus)) {
		res = SCRIPT_SIGNALED;
		status = WTERMSIG(wstatus);
	} else {
		res = SCRIPT_EXITED;
		status = WEXITSTATUS(wstatus);
	}
	if (j->timed_out) {
		/* The leader is gone; take any stragglers in its group with it. */
		kill(-j->pid, SIGKILL);
		res = SCRIPT_TIMEOUT;
	}
	job_free(j);
	if (done)
		done(arg, res, status);
}

static void on_sigchld(evutil_socket_t fd, short what, void *arg)
{
	struct script_runner *r = arg;
	int wstatus;
	pid_t pid;

	(void)fd;
	(void)what;
	r->reaping = true;
	/* Signals coalesce, so reap everything that is ready. */
	while (!r->freed && (pid = waitpid(-1, &wstatus, WNOHANG)) > 0) {
		struct script_job *j = job_take(r, pid);

		if (j)
			job_finished(j, wstatus);
		else if (r->other)
			r->other(r->other_arg, pid, wstatus);
	}
	r->reaping = false;
	if (r->freed)
		free(r);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct script_job *j = arg;
	struct timeval tv;

	(void)fd;
	(void)what;
	if (j->timed_out) {
		kill_job(j, SIGKILL);
		return;
	}
	j->timed_out = true;
	kill_job(j, SIGTERM);
	us_to_timeval(j->grace_us, &tv);
	evtimer_add(j->timer, &tv);
}

struct script_runner *script_runner_new(struct event_base *base)
{
	struct script_runner *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->base = base;
	r->sigchld = evsignal_new(base, SIGCHLD, on_sigchld, r);
	if (!r->sigchld || evsignal_add(r->sigchld, NULL) < 0) {
		if (r->sigchld)
			event_free(r->sigchld);
		free(r);
		return NULL;
	}
	return r;
}

void script_runner_free(struct script_runner *r)
{
	struct script_job *j;

	if (!r)
		return;
	event_free(r->sigchld);
	r->sigchld = NULL;
	while ((j = r->jobs)) {
		r->jobs = j->next;
		kill_job(j, SIGKILL);
		/* After SIGKILL this wait is short; callbacks are not called. */
		while (waitpid(j->pid, NULL, 0) < 0 && errno == EINTR)
			;
		job_free(j);
	}
	r->count = 0;
	if (r->reaping)
		r->freed = true;
	else
		free(r);
}

void script_forget(struct script_runner *r, pid_t pid)
{
	struct script_job *j;

	for (j = r ? r->jobs : NULL; j; j = j->next) {
		if (j->pid == pid) {
			j->done = NULL;
			kill_job(j, SIGKILL);
			return;
		}
	}
}

void script_runner_set_other(struct script_runner *r, void (*fn)(void *arg, pid_t pid, int wstatus),
                             void *arg)
{
	r->other = fn;
	r->other_arg = arg;
}

unsigned script_running(const struct script_runner *r)
{
	return r ? r->count : 0;
}

/* Runs in the forked child; never returns. */
static void __attribute__((noreturn)) child_exec(const struct script_spec *spec, pid_t runner)
{
	sigset_t none;
	int sig, fd;

	setpgid(0, 0);
	/* Signals are still blocked here (see script_run). */
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
		_exit(127);
	if (close_range(3, ~0u, 0) < 0) {
		long max = sysconf(_SC_OPEN_MAX);

		for (fd = 3; fd < (max > 0 ? max : 1024); fd++)
			close(fd);
	}
	if (spec->set_ids) {
		/* Drop the group first: afterwards we may lack the right to. */
		if (setgid(spec->gid) < 0 || setgroups(1, &spec->gid) < 0 || setuid(spec->uid) < 0)
			_exit(127);
	}
	/* A script whose result we wait for is useless once we are gone: if
	 * the runner dies without a graceful stop (SIGKILL, crash), take the
	 * script with it instead of leaving an orphan behind.  Fire-and-forget
	 * scripts (notify) are meant to outlive a stopping daemon.  Set after
	 * the uid change, which clears it. */
	if (spec->done) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != runner)
			_exit(127);
	}
	execvp(spec->argv[0], spec->argv);
	_exit(127);
}

pid_t script_run(struct script_runner *r, const struct script_spec *spec)
{
	struct script_job *j;
	sigset_t all, old;
	pid_t pid, self = getpid();
	int err;

	if (!r || !spec || !spec->argv || !spec->argv[0]) {
		errno = EINVAL;
		return -1;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return -1;
	j->timer = evtimer_new(r->base, on_timer, j);
	if (!j->timer) {
		free(j);
		errno = ENOMEM;
		return -1;
	}
	j->grace_us = spec->kill_grace_us ? spec->kill_grace_us : DEFAULT_KILL_GRACE_US;
	j->done = spec->done;
	j->arg = spec->arg;

	/* Block signals across fork so that no handler of ours runs in the
	 * child before it has reset the dispositions. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0)
		child_exec(spec, self);
	err = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		job_free(j);
		errno = err;
		return -1;
	}

	/* Also set the group here, so signals sent before the child runs
	 * still reach the group.  EACCES after the child's exec is harmless. */
	setpgid(pid, pid);
	j->pid = pid;
	j->next = r->jobs;
	r->jobs = j;
	r->count++;
	if (spec->timeout_us) {
		struct timeval tv;

		us_to_timeval(spec->timeout_us, &tv);
		evtimer_add(j->timer, &tv);
	}
	return pid;
}
