/* Asynchronous script runner on libevent.  fork/exec with optional uid/gid,
 * a new process group, a timeout after which the group gets SIGTERM and,
 * after a grace period, SIGKILL.  Completion is delivered as a callback on
 * the event loop; nothing here ever blocks. */
#ifndef KA_SCRIPT_H
#define KA_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct event_base;
struct script_runner;

enum script_result {
	SCRIPT_EXITED,      /* normal exit; status has the code */
	SCRIPT_SIGNALED,    /* killed by a signal we did not send; status = signal */
	SCRIPT_TIMEOUT,     /* we killed it after the timeout */
	SCRIPT_EXEC_FAILED, /* could not fork/exec (status = errno) */
};
const char *script_result_str(enum script_result r);

typedef void (*script_done_fn)(void *arg, enum script_result r, int status);

struct script_spec {
	char *const *argv; /* argv[0] is the program (absolute path or searched in PATH) */
	uid_t uid;         /* applied when set_ids */
	gid_t gid;
	bool set_ids;
	uint64_t timeout_us;    /* 0 = none */
	uint64_t kill_grace_us; /* TERM -> KILL delay; 0 = default 1 s */
	script_done_fn done;    /* may be NULL (fire and forget) */
	void *arg;
};

/* One runner per process; it owns the SIGCHLD handling for that event base.
 * A child-reaping hook lets the parent watchdog see its own children. */
struct script_runner *script_runner_new(struct event_base *base);
void script_runner_free(struct script_runner *r); /* kills running scripts */
/* Called for every reaped pid that is not a script of this runner. */
void script_runner_set_other(struct script_runner *r, void (*fn)(void *arg, pid_t pid, int wstatus),
                             void *arg);
/* Start; returns the child pid or -1 (and then `done` is not called). */
pid_t script_run(struct script_runner *r, const struct script_spec *spec);
unsigned script_running(const struct script_runner *r);
/* Forget a running script: its process group gets SIGKILL and its `done`
 * is never called; the runner still reaps it. */
void script_forget(struct script_runner *r, pid_t pid);

/* Split a script string as keepalived does: unquoted spaces separate
 * arguments, single and double quotes protect spaces.  Returns a
 * NULL-terminated malloc'd vector (free with script_argv_free) or NULL. */
char **script_argv_split(const char *s);
void script_argv_free(char **argv);

#endif
