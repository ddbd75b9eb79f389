/* The script runner, driven by a real libevent loop.  Every loop run has a
 * safety timer, and alarm() backs that up, so the test can never hang. */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "lib/mtime.h"
#include "lib/script.h"

struct result {
	bool done;
	enum script_result r;
	int status;
	uint64_t elapsed_us;
	uint64_t start_us;
};

static struct event_base *base;
static struct script_runner *runner;
static bool (*finished)(void);
static pid_t others[64];
static int others_status[64];
static unsigned n_others;
static char dir[] = "/tmp/ka_script_XXXXXX";

static void check_finished(void)
{
	if (finished && finished())
		event_base_loopexit(base, NULL);
}

static void on_done(void *arg, enum script_result r, int status)
{
	struct result *res = arg;

	CHECK(!res->done); /* exactly once */
	res->done = true;
	res->r = r;
	res->status = status;
	res->elapsed_us = mono_us() - res->start_us;
	check_finished();
}

static void on_other(void *arg, pid_t pid, int wstatus)
{
	(void)arg;
	if (n_others < sizeof(others) / sizeof(others[0])) {
		others[n_others] = pid;
		others_status[n_others++] = wstatus;
	}
	check_finished();
}

static bool other_seen(pid_t pid, int *wstatus)
{
	unsigned i;

	for (i = 0; i < n_others; i++) {
		if (others[i] == pid) {
			if (wstatus)
				*wstatus = others_status[i];
			return true;
		}
	}
	return false;
}

static void on_safety(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	fprintf(stderr, "safety timeout in %s: loop stopped\n", (const char *)arg);
	CHECK(0);
	event_base_loopexit(base, NULL);
}

static void on_poll(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	check_finished();
}

/* Run the loop until `until` holds or the safety timeout expires. */
#define run_loop(until, safety_s) run_loop_(until, safety_s, __func__)
static void run_loop_(bool (*until)(void), int safety_s, const char *who)
{
	struct timeval tv = {safety_s, 0}, poll_tv = {0, 20000};
	struct event *safety = evtimer_new(base, on_safety, (void *)who);
	/* Some conditions change without a callback (fire-and-forget). */
	struct event *poll = event_new(base, -1, EV_PERSIST, on_poll, NULL);

	finished = until;
	evtimer_add(safety, &tv);
	evtimer_add(poll, &poll_tv);
	if (!until())
		event_base_dispatch(base);
	event_free(poll);
	event_free(safety);
	finished = NULL;
}

static pid_t start(struct result *res, char *const *argv, uint64_t timeout_us, uint64_t grace_us)
{
	struct script_spec spec = {.argv = argv,
	                           .timeout_us = timeout_us,
	                           .kill_grace_us = grace_us,
	                           .done = on_done,
	                           .arg = res};

	memset(res, 0, sizeof(*res));
	res->start_us = mono_us();
	return script_run(runner, &spec);
}

static struct result r1, r2, r3;

static bool r1_done(void)
{
	return r1.done;
}

static void test_exit_code(void)
{
	char *argv[] = {"/bin/sh", "-c", "exit 3", NULL};

	CHECK(start(&r1, argv, 0, 0) > 0);
	CHECK_INT(script_running(runner), 1);
	run_loop(r1_done, 10);
	CHECK(r1.done);
	CHECK_INT(r1.r, SCRIPT_EXITED);
	CHECK_INT(r1.status, 3);
	CHECK_INT(script_running(runner), 0);
}

static void test_timeout(void)
{
	char *argv[] = {"sleep", "30", NULL};
	pid_t pid;

	pid = start(&r1, argv, 200000, 0);
	CHECK(pid > 0);
	/* The parent already placed the child in its own process group. */
	CHECK_INT(getpgid(pid), pid);
	run_loop(r1_done, 10);
	CHECK(r1.done);
	CHECK_INT(r1.r, SCRIPT_TIMEOUT);
	CHECK_INT(r1.status, SIGTERM);
	CHECK(r1.elapsed_us >= 190000);
	CHECK(r1.elapsed_us < 2000000);
	CHECK_INT(kill(pid, 0), -1);
}

static pid_t grandchild;

static bool grandchild_done(void)
{
	return r1.done && grandchild > 0 && other_seen(grandchild, NULL);
}

static pid_t read_pid(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return (pid_t)atoi(buf);
}

static void on_done_grandchild(void *arg, enum script_result r, int status)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/gpid", dir);
	grandchild = read_pid(path);
	on_done(arg, r, status);
}

static void test_group_kill(void)
{
	char cmd[512];
	char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	struct script_spec spec = {.argv = argv,
	                           .timeout_us = 200000,
	                           .kill_grace_us = 300000,
	                           .done = on_done_grandchild,
	                           .arg = &r1};
	int wstatus = 0;

	/* The script ignores TERM (and so does its background grandchild). */
	snprintf(cmd, sizeof(cmd),
	         "trap '' TERM; sleep 30 & echo $! > %s/gpid.tmp; mv %s/gpid.tmp %s/gpid; "
	         "while :; do wait; done",
	         dir, dir, dir);
	memset(&r1, 0, sizeof(r1));
	grandchild = 0;
	r1.start_us = mono_us();
	CHECK(script_run(runner, &spec) > 0);
	run_loop(grandchild_done, 10);
	CHECK(r1.done);
	CHECK_INT(r1.r, SCRIPT_TIMEOUT);
	CHECK_INT(r1.status, SIGKILL);
	CHECK(r1.elapsed_us >= 450000); /* TERM was ignored; KILL after the grace */
	CHECK(r1.elapsed_us < 3000000);
	CHECK(grandchild > 0);
	CHECK(other_seen(grandchild, &wstatus));
	CHECK(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
	CHECK_INT(kill(grandchild, 0), -1);
	CHECK_INT(errno, ESRCH);
}

static void test_exec_failure(void)
{
	char *argv[] = {"/nonexistent/ka-no-such-program", "x", NULL};
	char *argv2[] = {"ka-no-such-program-in-path", NULL};

	CHECK(start(&r1, argv, 0, 0) > 0);
	run_loop(r1_done, 10);
	CHECK_INT(r1.r, SCRIPT_EXITED);
	CHECK_INT(r1.status, 127);

	CHECK(start(&r1, argv2, 0, 0) > 0);
	run_loop(r1_done, 10);
	CHECK_INT(r1.r, SCRIPT_EXITED);
	CHECK_INT(r1.status, 127);

	/* Bad specs fail synchronously and never call back. */
	{
		char *empty[] = {NULL};
		struct script_spec spec = {.argv = empty, .done = on_done, .arg = &r2};

		memset(&r2, 0, sizeof(r2));
		CHECK_INT(script_run(runner, &spec), -1);
		spec.argv = NULL;
		CHECK_INT(script_run(runner, &spec), -1);
		CHECK(!r2.done);
		CHECK_INT(script_running(runner), 0);
	}
}

static void test_argv_spaces(void)
{
	char **argv = script_argv_split("/bin/sh -c 'test \"$1\" = \"a b\" && test \"$2\" = "
	                                "\"c\\\"d\" && exit 5' sh 'a b' c\\\"d");

	CHECK(argv != NULL);
	if (!argv)
		return;
	CHECK(start(&r1, argv, 0, 0) > 0);
	script_argv_free(argv); /* the runner does not keep argv */
	run_loop(r1_done, 10);
	CHECK_INT(r1.r, SCRIPT_EXITED);
	CHECK_INT(r1.status, 5);
}

static struct result many[6];

static bool many_done(void)
{
	size_t i;

	for (i = 0; i < sizeof(many) / sizeof(many[0]); i++)
		if (!many[i].done)
			return false;
	return true;
}

static void test_concurrent(void)
{
	char cmds[6][64];
	uint64_t t0 = mono_us();
	size_t i;

	for (i = 0; i < 6; i++) {
		char *argv[] = {"/bin/sh", "-c", cmds[i], NULL};

		snprintf(cmds[i], sizeof(cmds[i]), "sleep 0.3; exit %zu", 10 + i);
		CHECK(start(&many[i], argv, 5000000, 0) > 0);
	}
	CHECK_INT(script_running(runner), 6);
	run_loop(many_done, 10);
	for (i = 0; i < 6; i++) {
		CHECK_INT(many[i].r, SCRIPT_EXITED);
		CHECK_INT(many[i].status, 10 + (int)i);
	}
	/* They ran side by side, not one after another (6 x 0.3 s). */
	CHECK(mono_us() - t0 < 1500000);
	CHECK_INT(script_running(runner), 0);
}

static pid_t plain_child;

static bool plain_child_done(void)
{
	return other_seen(plain_child, NULL);
}

static void test_other_hook(void)
{
	int wstatus = 0;

	plain_child = fork();
	if (plain_child == 0)
		_exit(7);
	CHECK(plain_child > 0);
	run_loop(plain_child_done, 10);
	CHECK(other_seen(plain_child, &wstatus));
	CHECK(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 7);
}

static bool all3_done(void)
{
	return r1.done && r2.done && r3.done;
}

/* The child gets default dispositions, an empty mask, /dev/null as stdin and
 * no inherited descriptors beyond 0-2. */
static void test_child_environment(void)
{
	char *sig_argv[] = {"/bin/sh", "-c", "kill -USR1 $$; exit 0", NULL};
	char *mask_argv[] = {"/bin/sh", "-c", "kill -USR2 $$; exit 0", NULL};
	char *fd_argv[] = {"/bin/sh", "-c",
	                   "[ -e /proc/$$/fd/57 ] && exit 1; "
	                   "[ \"$(readlink /proc/$$/fd/0)\" = /dev/null ] || exit 2; exit 0",
	                   NULL};
	sigset_t set, old;
	int fd;

	signal(SIGUSR1, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, &old);
	fd = open("/dev/zero", O_RDONLY); /* no O_CLOEXEC on purpose */
	CHECK(dup2(fd, 57) == 57);
	close(fd);

	CHECK(start(&r1, sig_argv, 5000000, 0) > 0);
	CHECK(start(&r2, mask_argv, 5000000, 0) > 0);
	CHECK(start(&r3, fd_argv, 5000000, 0) > 0);
	run_loop(all3_done, 10);
	CHECK_INT(r1.r, SCRIPT_SIGNALED);
	CHECK_INT(r1.status, SIGUSR1);
	CHECK_INT(r2.r, SCRIPT_SIGNALED);
	CHECK_INT(r2.status, SIGUSR2);
	CHECK_INT(r3.r, SCRIPT_EXITED);
	CHECK_INT(r3.status, 0);

	close(57);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR1, SIG_DFL);
}

static void test_set_ids(void)
{
	char *argv[] = {"/bin/sh", "-c",
	                "[ \"$(id -u)\" = 65534 ] && [ \"$(id -g)\" = 65534 ] && "
	                "[ \"$(id -G)\" = 65534 ] && exit 9; exit 1",
	                NULL};
	struct script_spec spec = {.argv = argv,
	                           .uid = 65534,
	                           .gid = 65534,
	                           .set_ids = true,
	                           .timeout_us = 5000000,
	                           .done = on_done,
	                           .arg = &r1};

	if (geteuid() != 0) {
		printf("test_script: not root, uid/gid switch not tested\n");
		return;
	}
	memset(&r1, 0, sizeof(r1));
	CHECK(script_run(runner, &spec) > 0);
	run_loop(r1_done, 10);
	CHECK_INT(r1.r, SCRIPT_EXITED);
	CHECK_INT(r1.status, 9);
}

static bool no_scripts(void)
{
	return script_running(runner) == 0;
}

static void test_fire_and_forget(void)
{
	char *argv[] = {"/bin/true", NULL};
	struct script_spec spec = {.argv = argv};

	CHECK(script_run(runner, &spec) > 0);
	CHECK_INT(script_running(runner), 1);
	run_loop(no_scripts, 10);
	CHECK_INT(script_running(runner), 0);
}

static void test_free_running(void)
{
	char *argv[] = {"sleep", "30", NULL};
	pid_t a, b;

	a = start(&r1, argv, 0, 0);
	b = start(&r2, argv, 10000000, 0);
	CHECK(a > 0 && b > 0);
	CHECK_INT(script_running(runner), 2);
	script_runner_free(runner);
	runner = NULL;
	/* Killed and reaped, without callbacks. */
	CHECK_INT(kill(a, 0), -1);
	CHECK_INT(kill(b, 0), -1);
	CHECK(!r1.done && !r2.done);
	/* A leftover timer must not fire into freed memory. */
	event_base_loop(base, EVLOOP_NONBLOCK);
}

int main(void)
{
	alarm(60);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	/* Orphaned grandchildren are reparented to us, so we can see them die. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	base = event_base_new();
	runner = script_runner_new(base);
	CHECK(runner != NULL);
	if (!runner)
		return check_report("test_script");
	script_runner_set_other(runner, on_other, NULL);
	CHECK_STR(script_result_str(SCRIPT_TIMEOUT), "timeout");

	test_exit_code();
	test_timeout();
	test_group_kill();
	test_exec_failure();
	test_argv_spaces();
	test_concurrent();
	test_other_hook();
	test_child_environment();
	test_set_ids();
	test_fire_and_forget();
	test_free_running();

	/* A new runner on the same base works after the old one is gone. */
	runner = script_runner_new(base);
	CHECK(runner != NULL);
	test_exit_code();
	script_runner_free(runner);
	event_base_free(base);

	{
		char path[256];

		snprintf(path, sizeof(path), "%s/gpid", dir);
		unlink(path);
		rmdir(dir);
	}
	return check_report("test_script");
}
