/* MISC_CHECK: run misc_path through the script runner and judge its exit.
 *
 *   exit 0                  up, weight unchanged
 *   exit 1                  down
 *   exit 2..255             misc_dynamic: up, weight = exit - 2; else down
 *   killed at misc_timeout  down
 *   killed by a signal      down
 *
 * The runner reports from its SIGCHLD handler on the event loop, so done is
 * never called from inside start.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "lib/script.h"

struct check_attempt {
	check_done_fn done;
	void *arg;
	pid_t pid;
	struct script_runner *runner;
	bool dynamic;
	uint64_t timeout_us;
};

/* The verdict on one run of the script (pure). */
static void judge(const struct check_attempt *a, enum script_result r, int status,
                  struct check_outcome *o)
{
	o->ok = false;
	o->dyn_weight = -1;
	o->why[0] = '\0';
	switch (r) {
	case SCRIPT_EXITED:
		if (status == 0) {
			o->ok = true;
		} else if (a->dynamic && status >= 2 && status <= 255) {
			o->ok = true;
			o->dyn_weight = status - 2;
		} else {
			check_outcome_fail(o, "exit status %d", status);
		}
		break;
	case SCRIPT_TIMEOUT:
		check_outcome_fail(o, "misc_timeout %.1f s exceeded, killed",
		                   (double)a->timeout_us / 1e6);
		break;
	case SCRIPT_SIGNALED:
		check_outcome_fail(o, "killed by signal %d (%s)", status, strsignal(status));
		break;
	case SCRIPT_EXEC_FAILED:
		check_outcome_fail(o, "cannot run: %s", strerror(status));
		break;
	}
}

static void on_script(void *arg, enum script_result r, int status)
{
	struct check_attempt *a = arg;
	struct check_outcome o;
	check_done_fn done = a->done;
	void *done_arg = a->arg;

	judge(a, r, status, &o);
	free(a);
	done(done_arg, &o);
}

static struct check_attempt *misc_start(const struct check_io *io, const struct check_cfg *cfg,
                                        unsigned step, check_done_fn done, void *arg)
{
	const struct check_misc *m = &cfg->u.misc;
	struct script_spec spec;
	struct check_attempt *a;

	(void)step;
	if (!io->scripts || !m->argv || !m->argv[0])
		return NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->done = done;
	a->arg = arg;
	a->runner = io->scripts;
	a->dynamic = m->dynamic;
	/* misc_timeout defaults to delay_loop (the keyword code fills it in);
	 * never let a script run unbounded. */
	a->timeout_us = m->timeout_us ? m->timeout_us : cfg->delay_loop_us;
	memset(&spec, 0, sizeof(spec));
	spec.argv = m->argv;
	spec.set_ids = m->set_ids;
	spec.uid = m->uid;
	spec.gid = m->gid;
	spec.timeout_us = a->timeout_us;
	spec.done = on_script;
	spec.arg = a;
	a->pid = script_run(io->scripts, &spec);
	if (a->pid < 0) {
		free(a);
		return NULL;
	}
	return a;
}

/* The script is killed and forgotten: its completion never arrives. */
static void misc_cancel(struct check_attempt *a)
{
	if (!a)
		return;
	script_forget(a->runner, a->pid);
	free(a);
}

const struct check_type_ops check_misc_ops = {
    .type = CHECK_MISC,
    .start = misc_start,
    .cancel = misc_cancel,
};
