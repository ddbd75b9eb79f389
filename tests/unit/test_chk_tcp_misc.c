/* TCP_CHECK, MISC_CHECK and FILE_CHECK attempts, and the inotify watcher,
 * on a real libevent loop against in-process loopback listeners.  Every
 * loop run is bounded by a timer, and alarm() backs that up. */
#include <dirent.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "check/check.h"
#include "check/check_inotify.h"
#include "check/chk_file.h"
#include "lib/mtime.h"
#include "lib/script.h"

static struct event_base *base;
static struct script_runner *runner;
static struct check_io io;
static bool in_start; /* done() must never run inside start() */
static char dir[] = "/tmp/ka_chk_XXXXXX";

struct result {
	int calls;
	bool sync; /* done() was called from inside start() */
	struct check_outcome o;
	uint64_t t0, elapsed_us;
};

static void on_done(void *arg, const struct check_outcome *o)
{
	struct result *r = arg;

	if (in_start)
		r->sync = true;
	r->calls++;
	r->o = *o;
	r->elapsed_us = mono_us() - r->t0;
}

static struct check_attempt *start(const struct check_type_ops *ops, const struct check_cfg *cfg,
                                   struct result *r)
{
	struct check_attempt *a;

	memset(r, 0, sizeof(*r));
	r->t0 = mono_us();
	in_start = true;
	a = ops->start(&io, cfg, 0, on_done, r);
	in_start = false;
	return a;
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	*(bool *)arg = true;
}

/* Run the loop until *count reaches `want` or max_ms pass; true if it did. */
static bool run_until(const int *count, int want, unsigned max_ms)
{
	bool expired = false;
	struct timeval tv;
	struct event *t = evtimer_new(base, on_deadline, &expired);

	us_to_timeval((uint64_t)max_ms * 1000, &tv);
	evtimer_add(t, &tv);
	while ((!count || *count < want) && !expired)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(t);
	return count && *count >= want;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n++;
	closedir(d);
	return n;
}

/* ---- TCP ---------------------------------------------------------------- */

/* A listening (or, with backlog < 0, only bound) TCP socket on the
 * loopback address of `family`; its port in *port.  -1 if unavailable. */
static int listener(int family, int backlog, uint16_t *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		s->sin_family = AF_INET;
		s->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

		s->sin6_family = AF_INET6;
		s->sin6_addr = in6addr_loopback;
		len = sizeof(*s);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (backlog >= 0 && listen(fd, backlog) < 0)) {
		close(fd);
		return -1;
	}
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	                                : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static void tcp_cfg(struct check_cfg *cfg, const char *addr, uint16_t port, unsigned timeout_ms)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->type = CHECK_TCP;
	CHECK_INT(addr_parse(addr, &cfg->conn.addr), 0);
	cfg->conn.port = port;
	cfg->conn.connect_timeout_us = (uint64_t)timeout_ms * 1000;
	cfg->n_steps = 1;
}

/* A listener whose accept queue is full, so further SYNs are dropped and a
 * connect hangs until its timeout: backlog 0 admits one connection, which
 * a filler takes.  The filler's fd is returned in *filler. */
static int full_listener(uint16_t *port, int *filler)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	struct tcp_info ti;
	socklen_t len;
	int lfd = listener(AF_INET, 0, port), i;

	*filler = -1;
	if (lfd < 0)
		return -1;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(*port);
	*filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*filler < 0 || connect(*filler, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return -1;
	/* For a listener, tcpi_unacked is the accept queue length: wait
	 * (bounded) until the filler is in it. */
	for (i = 0; i < 100000; i++) {
		len = sizeof(ti);
		if (getsockopt(lfd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 && ti.tcpi_unacked >= 1)
			return lfd;
		sched_yield();
	}
	return -1;
}

static void test_tcp_ok(void)
{
	struct check_cfg cfg;
	struct result r;
	uint16_t port;
	int lfd = listener(AF_INET, 16, &port), cfd;
	char c;

	CHECK(lfd >= 0);
	tcp_cfg(&cfg, "127.0.0.1", port, 2000);
	CHECK(start(&check_tcp_ops, &cfg, &r) != NULL);
	CHECK_INT(r.calls, 0);
	CHECK(run_until(&r.calls, 1, 3000));
	CHECK_INT(r.calls, 1);
	CHECK(!r.sync);
	CHECK(r.o.ok);
	CHECK_INT(r.o.dyn_weight, -1);
	CHECK_STR(r.o.why, "");
	/* The probe closed with RST (SO_LINGER 0): the server sees a reset,
	 * not an orderly EOF. */
	cfd = accept(lfd, NULL, NULL);
	CHECK(cfd >= 0);
	if (cfd >= 0) {
		errno = 0;
		CHECK_INT(read(cfd, &c, 1), -1);
		CHECK_INT(errno, ECONNRESET);
		close(cfd);
	}
	/* Nothing more arrives later. */
	run_until(NULL, 0, 50);
	CHECK_INT(r.calls, 1);
	close(lfd);
}

static void test_tcp_refused(void)
{
	struct check_cfg cfg;
	struct result r;
	uint16_t port;
	int fd = listener(AF_INET, -1, &port); /* bound, not listening: RST */

	CHECK(fd >= 0);
	tcp_cfg(&cfg, "127.0.0.1", port, 5000);
	CHECK(start(&check_tcp_ops, &cfg, &r) != NULL);
	CHECK(run_until(&r.calls, 1, 3000));
	CHECK(!r.sync);
	CHECK(!r.o.ok);
	CHECK(strcasestr(r.o.why, "connection refused") != NULL);
	CHECK(r.elapsed_us < 1000000); /* fast, not at the timeout */
	close(fd);
}

static void test_tcp_timeout(void)
{
	struct check_cfg cfg;
	struct result r;
	uint16_t port;
	int filler, lfd = full_listener(&port, &filler);

	CHECK(lfd >= 0);
	if (lfd < 0)
		return;
	tcp_cfg(&cfg, "127.0.0.1", port, 300);
	CHECK(start(&check_tcp_ops, &cfg, &r) != NULL);
	CHECK(run_until(&r.calls, 1, 3000));
	CHECK_INT(r.calls, 1);
	CHECK(!r.o.ok);
	CHECK_STR(r.o.why, "connect timeout (0.3 s)");
	CHECK(r.elapsed_us >= 290000);
	CHECK(r.elapsed_us < 1500000);
	close(filler);
	close(lfd);
}

static void test_tcp_ipv6(void)
{
	struct check_cfg cfg;
	struct result r;
	uint16_t port, rport;
	int lfd = listener(AF_INET6, 16, &port), rfd;

	if (lfd < 0) {
		printf("SKIP ipv6: no ::1 (%s)\n", strerror(errno));
		return;
	}
	tcp_cfg(&cfg, "::1", port, 2000);
	CHECK(start(&check_tcp_ops, &cfg, &r) != NULL);
	CHECK(run_until(&r.calls, 1, 3000));
	CHECK(r.o.ok);
	close(lfd);

	rfd = listener(AF_INET6, -1, &rport);
	CHECK(rfd >= 0);
	tcp_cfg(&cfg, "::1", rport, 2000);
	CHECK(start(&check_tcp_ops, &cfg, &r) != NULL);
	CHECK(run_until(&r.calls, 1, 3000));
	CHECK(!r.o.ok);
	CHECK(strcasestr(r.o.why, "connection refused") != NULL);
	close(rfd);
}

/* A connect that fails inside start (bindto an address that is not ours)
 * is still reported from the loop. */
static void test_tcp_immediate_failure(void)
{
	struct check_cfg cfg;
	struct result r;
	uint16_t port;
	int lfd = listener(AF_INET, 16, &port);

	tcp_cfg(&cfg, "127.0.0.1", port, 2000);
	cfg.conn.has_bind = true;
	CHECK_INT(addr_parse("192.0.2.55", &cfg.conn.bind), 0);
	CHECK(start(&check_tcp_ops, &cfg, &r) != NULL);
	CHECK_INT(r.calls, 0);
	CHECK(run_until(&r.calls, 1, 1000));
	CHECK(!r.sync);
	CHECK(!r.o.ok);
	CHECK(strstr(r.o.why, "bind to 192.0.2.55") != NULL);
	close(lfd);
}

static void test_tcp_cancel(void)
{
	struct check_attempt *a;
	struct check_cfg cfg;
	struct result r;
	uint16_t port;
	int filler, lfd = full_listener(&port, &filler), fds, okfd;

	CHECK(lfd >= 0);
	if (lfd < 0)
		return;
	fds = count_fds();
	/* Pending connect (SYN dropped): cancel while it waits. */
	tcp_cfg(&cfg, "127.0.0.1", port, 200);
	a = start(&check_tcp_ops, &cfg, &r);
	CHECK(a != NULL);
	CHECK_INT(count_fds(), fds + 1);
	run_until(NULL, 0, 50);
	CHECK_INT(r.calls, 0);
	check_tcp_ops.cancel(a);
	CHECK_INT(count_fds(), fds);
	run_until(NULL, 0, 400); /* past the timeout it would have had */
	CHECK_INT(r.calls, 0);

	/* Cancel before the loop ever ran, against a live listener. */
	okfd = listener(AF_INET, 16, &port);
	tcp_cfg(&cfg, "127.0.0.1", port, 200);
	a = start(&check_tcp_ops, &cfg, &r);
	CHECK(a != NULL);
	check_tcp_ops.cancel(a);
	run_until(NULL, 0, 100);
	CHECK_INT(r.calls, 0);

	/* Cancel the deferred report of an immediate failure. */
	cfg.conn.has_bind = true;
	CHECK_INT(addr_parse("192.0.2.55", &cfg.conn.bind), 0);
	a = start(&check_tcp_ops, &cfg, &r);
	CHECK(a != NULL);
	check_tcp_ops.cancel(a);
	run_until(NULL, 0, 100);
	CHECK_INT(r.calls, 0);
	CHECK_INT(count_fds(), fds + 1); /* only okfd is new */
	close(okfd);
	close(filler);
	close(lfd);
}

/* Many at once against one listener: each reports exactly once and no
 * descriptor is left behind. */
static void test_tcp_many(void)
{
	enum { N = 200 };
	static struct result rs[N];
	struct check_cfg cfg;
	uint16_t port;
	int lfd = listener(AF_INET, 1024, &port), fds = count_fds(), i, total = 0, ok = 0;

	tcp_cfg(&cfg, "127.0.0.1", port, 3000);
	for (i = 0; i < N; i++)
		CHECK(start(&check_tcp_ops, &cfg, &rs[i]) != NULL);
	for (i = 0; i < N; i++) {
		run_until(&rs[i].calls, 1, 3000);
		total += rs[i].calls;
		ok += rs[i].o.ok;
		CHECK(!rs[i].sync);
	}
	CHECK_INT(total, N);
	CHECK_INT(ok, N);
	CHECK_INT(count_fds(), fds);
	close(lfd);
}

/* ---- MISC --------------------------------------------------------------- */

static void misc_cfg(struct check_cfg *cfg, char **argv, bool dynamic, unsigned timeout_ms)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->type = CHECK_MISC;
	cfg->u.misc.argv = argv;
	cfg->u.misc.dynamic = dynamic;
	cfg->u.misc.timeout_us = (uint64_t)timeout_ms * 1000;
	cfg->delay_loop_us = 60000000;
	cfg->n_steps = 1;
}

/* Run one MISC attempt to completion. */
static void run_misc(const char *cmdline, bool dynamic, unsigned timeout_ms, struct result *r)
{
	char **argv = script_argv_split(cmdline);
	struct check_cfg cfg;

	CHECK(argv != NULL);
	if (!argv)
		return;
	misc_cfg(&cfg, argv, dynamic, timeout_ms);
	CHECK(start(&check_misc_ops, &cfg, r) != NULL);
	CHECK_INT(r->calls, 0);
	CHECK(run_until(&r->calls, 1, 10000));
	CHECK_INT(r->calls, 1);
	CHECK(!r->sync);
	script_argv_free(argv);
}

static void test_misc_exit_codes(void)
{
	struct result r;

	run_misc("/bin/true", false, 5000, &r);
	CHECK(r.o.ok);
	CHECK_INT(r.o.dyn_weight, -1);

	run_misc("/bin/false", false, 5000, &r);
	CHECK(!r.o.ok);
	CHECK_STR(r.o.why, "exit status 1");

	run_misc("/bin/sh -c 'exit 7'", true, 5000, &r);
	CHECK(r.o.ok);
	CHECK_INT(r.o.dyn_weight, 5);

	run_misc("/bin/sh -c 'exit 255'", true, 5000, &r);
	CHECK(r.o.ok);
	CHECK_INT(r.o.dyn_weight, 253);

	run_misc("/bin/sh -c 'exit 2'", true, 5000, &r);
	CHECK(r.o.ok);
	CHECK_INT(r.o.dyn_weight, 0);

	/* misc_dynamic: 0 is up with the weight left alone, 1 is down. */
	run_misc("/bin/true", true, 5000, &r);
	CHECK(r.o.ok);
	CHECK_INT(r.o.dyn_weight, -1);
	run_misc("/bin/false", true, 5000, &r);
	CHECK(!r.o.ok);
	CHECK_INT(r.o.dyn_weight, -1);

	/* Without misc_dynamic any non-zero exit is down. */
	run_misc("/bin/sh -c 'exit 7'", false, 5000, &r);
	CHECK(!r.o.ok);
	CHECK_STR(r.o.why, "exit status 7");

	/* PATH lookup, and a program that does not exist. */
	run_misc("true", false, 5000, &r);
	CHECK(r.o.ok);
	run_misc("/nonexistent/ka-no-such-program", false, 5000, &r);
	CHECK(!r.o.ok);

	run_misc("/bin/sh -c 'kill -9 $$'", true, 5000, &r);
	CHECK(!r.o.ok);
	CHECK(strstr(r.o.why, "killed by signal 9") != NULL);
}

static void test_misc_quoting(void)
{
	struct result r;

	/* The quoted words reach the script intact: $1 is "two words". */
	run_misc("/bin/sh -c '[ \"$1\" = \"two words\" ] && exit 9; exit 1' sh \"two words\"", true,
	         5000, &r);
	CHECK(r.o.ok);
	CHECK_INT(r.o.dyn_weight, 7);
	run_misc("/bin/sh -c '[ \"$#\" = 3 ] && exit 4; exit 1' sh 'a b' c \"d e\"", true, 5000,
	         &r);
	CHECK(r.o.ok);
	CHECK_INT(r.o.dyn_weight, 2);
}

/* `user`: the script runs with the configured uid/gid (needs root). */
static void test_misc_user(void)
{
	char **argv = script_argv_split(
	    "/bin/sh -c '[ \"$(id -u):$(id -g)\" = 65534:65534 ] && exit 6; exit 1'");
	struct check_cfg cfg;
	struct result r;

	if (geteuid() != 0) {
		printf("SKIP misc user: not root\n");
		script_argv_free(argv);
		return;
	}
	misc_cfg(&cfg, argv, true, 5000);
	cfg.u.misc.set_ids = true;
	cfg.u.misc.uid = 65534;
	cfg.u.misc.gid = 65534;
	CHECK(start(&check_misc_ops, &cfg, &r) != NULL);
	CHECK(run_until(&r.calls, 1, 10000));
	CHECK(r.o.ok);
	CHECK_INT(r.o.dyn_weight, 4);
	script_argv_free(argv);
}

/* The pid of our only child (the script just started), from procfs:
 * exact, unlike a pid file the script may not get to write. */
static pid_t only_child(void)
{
	char path[64];
	FILE *f;
	long pid = -1, more;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/children", (long)getpid());
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &pid) != 1 || fscanf(f, "%ld", &more) == 1)
		pid = -1;
	fclose(f);
	return (pid_t)pid;
}

static void test_misc_timeout(void)
{
	char **argv = script_argv_split("/bin/sh -c 'exec sleep 10'");
	struct check_cfg cfg;
	struct result r;
	pid_t pid;

	CHECK_INT(script_running(runner), 0);
	misc_cfg(&cfg, argv, true, 200);
	CHECK(start(&check_misc_ops, &cfg, &r) != NULL);
	pid = only_child();
	CHECK(pid > 1);
	CHECK(run_until(&r.calls, 1, 10000));
	CHECK_INT(r.calls, 1);
	CHECK(!r.sync);
	CHECK(!r.o.ok);
	CHECK_STR(r.o.why, "misc_timeout 0.2 s exceeded, killed");
	CHECK(r.elapsed_us >= 190000);
	CHECK(r.elapsed_us < 5000000);
	/* Reaped by the runner before done(): no process, not even a zombie. */
	errno = 0;
	CHECK(pid > 1 && kill(pid, 0) < 0 && errno == ESRCH);
	CHECK_INT(script_running(runner), 0);
	script_argv_free(argv);
}

static void test_misc_cancel(void)
{
	char **argv = script_argv_split("/bin/sh -c 'exec sleep 10'");
	struct check_attempt *a;
	struct check_cfg cfg;
	struct result r;
	pid_t pid;
	int i;

	misc_cfg(&cfg, argv, false, 5000);
	a = start(&check_misc_ops, &cfg, &r);
	CHECK(a != NULL);
	pid = only_child();
	CHECK(pid > 1);
	run_until(NULL, 0, 20);
	check_misc_ops.cancel(a);
	/* The killed script is reaped; done is never called. */
	for (i = 0; i < 500 && script_running(runner) > 0; i++)
		run_until(NULL, 0, 10);
	CHECK_INT(script_running(runner), 0);
	CHECK_INT(r.calls, 0);
	errno = 0;
	CHECK(pid > 1 && kill(pid, 0) < 0 && errno == ESRCH);
	script_argv_free(argv);
}

/* ---- FILE --------------------------------------------------------------- */

static void test_file_parse(void)
{
	static const struct {
		const char *text;
		int rc;
		long long v;
	} cases[] = {
	    {"0", 0, 0},
	    {"1\n", 0, 1},
	    {"5", 0, 5},
	    {" -3\n", 0, -3},
	    {"0x10", 0, 16},
	    {"010", 0, 8},
	    {"7x", 0, 7},
	    {"garbage", 0, 0},
	    {"", 0, 0},
	    {"\n", 0, 0},
	    {"+12 apples", 0, 12},
	    {"2147483647", 0, 2147483647},
	    {"-2147483648", 0, -2147483648LL},
	    {"2147483648", -1, 0},
	    {"99999999999", -1, 0},
	};
	const char *why;
	long long v;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = -999;
		why = NULL;
		CHECK_INT(check_file_parse(cases[i].text, strlen(cases[i].text), &v, &why),
		          cases[i].rc);
		if (cases[i].rc == 0)
			CHECK_INT(v, cases[i].v);
		else
			CHECK(why != NULL);
	}
	/* Not NUL-terminated, and longer than any number. */
	{
		char big[200];

		memset(big, '7', sizeof(big));
		CHECK_INT(check_file_parse(big, sizeof(big), &v, &why), -1);
		CHECK_INT(check_file_parse("42xyz", 2, &v, &why), 0);
		CHECK_INT(v, 42);
	}
}

static void test_file_judge(void)
{
	struct check_file f = {.name = "tf", .path = "/x", .weight = 0};
	struct check_outcome o;
	long long add;

	check_file_judge(&f, 0, &o, &add);
	CHECK(o.ok);
	CHECK_INT(add, 0);
	CHECK_INT(o.dyn_weight, -1);
	check_file_judge(&f, 1, &o, &add);
	CHECK(!o.ok);
	CHECK_STR(o.why, "track file tf holds 1");
	check_file_judge(&f, -4, &o, &add);
	CHECK(!o.ok);
	f.reverse = true;
	check_file_judge(&f, 0, &o, &add);
	CHECK(!o.ok);
	CHECK_STR(o.why, "track file tf holds 0 (reverse)");
	check_file_judge(&f, 5, &o, &add);
	CHECK(o.ok);

	f.reverse = false;
	f.weight = 3;
	check_file_judge(&f, 5, &o, &add);
	CHECK(o.ok);
	CHECK_INT(add, 15);
	check_file_judge(&f, -2, &o, &add);
	CHECK(o.ok);
	CHECK_INT(add, -6);
	f.reverse = true;
	check_file_judge(&f, 5, &o, &add);
	CHECK(o.ok);
	CHECK_INT(add, -15);
	f.weight = -2147483647;
	f.reverse = false;
	check_file_judge(&f, -2147483648LL, &o, &add);
	CHECK_INT(add, 4611686016279904256LL);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void run_file(const char *path, int weight, bool reverse, struct result *r)
{
	struct check_cfg cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.type = CHECK_FILE;
	cfg.u.file.name = "tf";
	cfg.u.file.path = (char *)path;
	cfg.u.file.weight = weight;
	cfg.u.file.reverse = reverse;
	CHECK(start(&check_file_ops, &cfg, r) != NULL);
	CHECK_INT(r->calls, 0);
	CHECK(run_until(&r->calls, 1, 1000));
	CHECK(!r->sync);
	CHECK_INT(r->calls, 1);
}

static void test_file_attempt(void)
{
	char path[64], missing[64];
	struct result r;
	struct check_cfg cfg;
	struct check_attempt *a;

	snprintf(path, sizeof(path), "%s/track", dir);
	snprintf(missing, sizeof(missing), "%s/no-such-file", dir);

	write_file(path, "0\n");
	run_file(path, 0, false, &r);
	CHECK(r.o.ok);
	write_file(path, "1\n");
	run_file(path, 0, false, &r);
	CHECK(!r.o.ok);
	CHECK_STR(r.o.why, "track file tf holds 1");
	run_file(path, 0, true, &r);
	CHECK(r.o.ok);
	write_file(path, "5\n");
	run_file(path, 0, false, &r);
	CHECK(!r.o.ok);
	run_file(path, 2, false, &r);
	CHECK(r.o.ok);
	CHECK_INT(r.o.dyn_weight, -1);
	CHECK_INT(r.o.weight_add, 10);
	run_file(path, 2, true, &r);
	CHECK(r.o.ok);
	CHECK_INT(r.o.weight_add, -10);
	/* Missing and garbage read as 0 (upstream): up with weight 0,
	 * down with weight 0 reverse. */
	run_file(missing, 0, false, &r);
	CHECK(r.o.ok);
	run_file(missing, 0, true, &r);
	CHECK(!r.o.ok);
	write_file(path, "garbage\n");
	run_file(path, 0, false, &r);
	CHECK(r.o.ok);
	write_file(path, "99999999999\n");
	run_file(path, 0, false, &r);
	CHECK(!r.o.ok);
	CHECK(strstr(r.o.why, "out of range") != NULL);

	/* Cancel before the report. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.type = CHECK_FILE;
	cfg.u.file.name = "tf";
	cfg.u.file.path = path;
	a = start(&check_file_ops, &cfg, &r);
	CHECK(a != NULL);
	check_file_ops.cancel(a);
	run_until(NULL, 0, 50);
	CHECK_INT(r.calls, 0);
}

/* ---- inotify ------------------------------------------------------------ */

static int n_changed;
static char last_changed[128];

static void on_changed(void *arg, const char *path)
{
	(void)arg;
	n_changed++;
	snprintf(last_changed, sizeof(last_changed), "%s", path);
}

static void test_inotify(void)
{
	char path[64], other[64], tmp[64], sub[64];
	struct check_inotify *w = check_inotify_new(base, on_changed, NULL);
	int before;

	CHECK(w != NULL);
	if (!w)
		return;
	snprintf(path, sizeof(path), "%s/watched", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	snprintf(tmp, sizeof(tmp), "%s/watched.tmp", dir);
	snprintf(sub, sizeof(sub), "%s/nodir/x", dir);
	unlink(path);
	CHECK_INT(check_inotify_watch(w, path), 0);
	CHECK_INT(check_inotify_watch(w, path), 0); /* again: no second report */
	CHECK_INT(check_inotify_watch(w, sub), -1);
	CHECK_INT(errno, ENOENT);
	CHECK_INT(check_inotify_watch(w, "dir/"), -1);

	/* Created and written (IN_CREATE + IN_CLOSE_WRITE in one batch or two). */
	n_changed = 0;
	write_file(path, "1\n");
	CHECK(run_until(&n_changed, 1, 2000));
	CHECK_STR(last_changed, path);
	run_until(NULL, 0, 50); /* drain a second batch, if the events were split */
	CHECK(n_changed >= 1 && n_changed <= 2);

	/* Another file in the same directory: nothing. */
	n_changed = 0;
	write_file(other, "1\n");
	run_until(NULL, 0, 100);
	CHECK_INT(n_changed, 0);

	/* Replaced by rename. */
	write_file(tmp, "2\n");
	run_until(NULL, 0, 50);
	n_changed = 0;
	CHECK_INT(rename(tmp, path), 0);
	CHECK(run_until(&n_changed, 1, 2000));
	CHECK_INT(n_changed, 1);

	/* Deleted. */
	before = n_changed;
	CHECK_INT(unlink(path), 0);
	CHECK(run_until(&n_changed, before + 1, 2000));
	CHECK_STR(last_changed, path);
	unlink(other);
	check_inotify_free(w);
}

int main(void)
{
	static const char *const files[] = {"track", "watched", "other"};
	char path[128];
	size_t i;

	alarm(120);
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	base = event_base_new();
	runner = script_runner_new(base);
	CHECK(base && runner);
	io.base = base;
	io.scripts = runner;

	test_tcp_ok();
	test_tcp_refused();
	test_tcp_timeout();
	test_tcp_ipv6();
	test_tcp_immediate_failure();
	test_tcp_cancel();
	test_tcp_many();
	test_misc_exit_codes();
	test_misc_quoting();
	test_misc_user();
	test_misc_timeout();
	test_misc_cancel();
	test_file_parse();
	test_file_judge();
	test_file_attempt();
	test_inotify();

	script_runner_free(runner);
	event_base_free(base);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	if (rmdir(dir) < 0)
		fprintf(stderr, "rmdir %s: %s\n", dir, strerror(errno));
	return check_report("test_chk_tcp_misc");
}
