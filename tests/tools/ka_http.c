/* ka_http: the real servers and the client of the nftables data-plane tests
 * and benchmarks.  Python answers a few hundred requests a second; the
 * tests make thousands of short connections through the director, so both
 * ends are a small C program.
 *
 *   ka_http serve [-w WORKERS] NAME PORT...
 *       Listens on 0.0.0.0:PORT for every PORT (one epoll loop) and answers
 *       every request with "200 OK" and the body "NAME\n".  HTTP/1.1
 *       keep-alive is honoured (wrk reuses its connections); HTTP/1.0 or
 *       "Connection: close" closes after the answer.  Prints "ready" once
 *       every port listens.  Runs until killed.  -w: that many processes
 *       (default 1), each with its own SO_REUSEPORT sockets and loop, so
 *       that a benchmark can give two paths the same server capacity; the
 *       extra ones die with the first (PR_SET_PDEATHSIG).
 *   ka_http get ADDR PORT N [-s SRC] [-t TIMEOUT_MS] [-v]
 *       N requests one after the other, each on a new connection (a new
 *       connection is what the data plane schedules), bound to SRC when
 *       given.  Prints one summary line, the answers counted by body:
 *           rs1=500 rs2=333 rs3=167 err=0
 *       (names in order of first appearance; err = no complete answer
 *       within TIMEOUT_MS, default 1000).  With -v: one line per request
 *       instead, the body or "err".
 *
 * Self-contained (no kacore): the benchmark builds it with plain
 * `gcc -O2 tests/tools/ka_http.c`. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REQ_MAX 4096
#define MAX_NAMES 64
#define MAX_PORTS 32

struct conn {
	int fd;
	bool listener;
	size_t len;
	char buf[REQ_MAX];
};

static char g_resp[256];
static size_t g_resp_len;

static int usage(void)
{
	fprintf(stderr, "usage: ka_http serve [-w WORKERS] NAME PORT...\n"
	                "       ka_http get ADDR PORT N [-s SRC] [-t TIMEOUT_MS] [-v]\n");
	return 2;
}

/* reuseport: one socket per process, the kernel spreads the connections
 * evenly (one shared socket lets whichever process wakes first take most of
 * a benchmark's long-lived connections). */
static int listen_on(unsigned port, bool reuseport)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4096) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void conn_close(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
}

static void accept_all(int ep, int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = {.events = EPOLLIN};
		struct conn *c;

		if (fd < 0)
			return;
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		ev.data.ptr = c;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(c);
		}
	}
}

/* Does the request head ask to keep the connection?  HTTP/1.1 does unless
 * it says "Connection: close"; 1.0 only with "Connection: keep-alive". */
static bool wants_keepalive(const char *head)
{
	const char *eol = strstr(head, "\r\n");
	bool v11 = eol && eol - head >= 8 && memcmp(eol - 8, "HTTP/1.1", 8) == 0;

	if (strcasestr(head, "\nConnection: close"))
		return false;
	if (strcasestr(head, "\nConnection: keep-alive"))
		return true;
	return v11;
}

/* Answers every complete request in the buffer; false = close it. */
static bool serve_requests(struct conn *c)
{
	for (;;) {
		char *end;
		size_t used;
		bool keep;

		c->buf[c->len] = '\0';
		end = strstr(c->buf, "\r\n\r\n");
		if (!end)
			return c->len < REQ_MAX - 1;
		keep = wants_keepalive(c->buf);
		if (write(c->fd, g_resp, g_resp_len) != (ssize_t)g_resp_len || !keep)
			return false;
		used = (size_t)(end + 4 - c->buf);
		memmove(c->buf, c->buf + used, c->len - used);
		c->len -= used;
	}
}

static void conn_read(int ep, struct conn *c)
{
	for (;;) {
		ssize_t r = read(c->fd, c->buf + c->len, REQ_MAX - 1 - c->len);

		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r <= 0) {
			conn_close(ep, c);
			return;
		}
		c->len += (size_t)r;
		if (!serve_requests(c)) {
			conn_close(ep, c);
			return;
		}
	}
}

/* WORKERS - 1 more processes from here on; each returns to run its own
 * loop (epoll instances must not be shared across the fork).  True in the
 * first process. */
static bool fork_workers(int workers)
{
	pid_t parent = getpid();

	for (int i = 1; i < workers; i++) {
		pid_t p = fork();

		if (p == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(0);
			return false;
		}
	}
	return true;
}

static int serve(int argc, char **argv)
{
	int ep, workers = 1, lfd[MAX_PORTS + 3];
	bool first;

	if (argc >= 5 && strcmp(argv[2], "-w") == 0) {
		workers = atoi(argv[3]);
		argv += 2;
		argc -= 2;
	}
	if (argc < 4 || argc > MAX_PORTS + 3 || workers < 1)
		return usage();
	g_resp_len = (size_t)snprintf(g_resp, sizeof(g_resp),
	                              "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	                              "Content-Length: %zu\r\n\r\n%s\n",
	                              strlen(argv[2]) + 1, argv[2]);
	signal(SIGPIPE, SIG_IGN);
	first = fork_workers(workers);
	for (int i = 3; i < argc; i++) {
		lfd[i] = listen_on((unsigned)atoi(argv[i]), workers > 1);
		if (lfd[i] < 0) {
			fprintf(stderr, "ka_http: cannot listen on port %s: %s\n", argv[i],
			        strerror(errno));
			return 1;
		}
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	for (int i = 3; i < argc; i++) {
		struct conn *l = calloc(1, sizeof(*l));
		struct epoll_event ev = {.events = EPOLLIN};

		if (ep < 0 || !l)
			return 1;
		l->fd = lfd[i];
		l->listener = true;
		ev.data.ptr = l;
		epoll_ctl(ep, EPOLL_CTL_ADD, l->fd, &ev);
	}
	if (first) {
		printf("ready\n");
		fflush(stdout);
	}
	for (;;) {
		struct epoll_event evs[64];
		int n = epoll_wait(ep, evs, 64, -1);

		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			if (c->listener)
				accept_all(ep, c->fd);
			else
				conn_read(ep, c);
		}
	}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for EVENTS on fd until the absolute deadline (ms). */
static bool wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = {.fd = fd, .events = events};
	long long left = deadline - now_ms();

	return left > 0 && poll(&p, 1, (int)left) == 1;
}

static bool connect_to(int fd, const struct sockaddr_in *dst, long long deadline)
{
	int err = 0;
	socklen_t l = sizeof(err);

	if (connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) == 0)
		return true;
	if (errno != EINPROGRESS || !wait_fd(fd, POLLOUT, deadline))
		return false;
	return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) == 0 && err == 0;
}

/* Reads the answer until the body announced by Content-Length is in (or
 * the server closes); copies the body's first line to name. */
static bool read_answer(int fd, long long deadline, char *name, size_t namelen)
{
	char buf[2048];
	size_t len = 0;
	char *body = NULL, *cl, *nl;
	long want = -1;

	while (len < sizeof(buf) - 1) {
		ssize_t r;

		if (!wait_fd(fd, POLLIN, deadline))
			return false;
		r = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
		if (!body && (body = strstr(buf, "\r\n\r\n"))) {
			body += 4;
			cl = strcasestr(buf, "\nContent-Length:");
			want = cl ? strtol(cl + 16, NULL, 10) : -1;
		}
		if (body && want >= 0 && (long)(len - (size_t)(body - buf)) >= want)
			break;
	}
	buf[len] = '\0';
	if (!body || strncmp(buf, "HTTP/1.", 7) != 0 || strncmp(buf + 8, " 200", 4) != 0)
		return false;
	nl = strchr(body, '\n');
	if (nl)
		*nl = '\0';
	snprintf(name, namelen, "%s", body);
	return name[0] != '\0';
}

/* One request on a new connection: the body's first line in name, or
 * false. */
static bool one_get(const struct sockaddr_in *dst, const struct sockaddr_in *src, int timeout_ms,
                    char *name, size_t namelen)
{
	static const char req[] = "GET / HTTP/1.0\r\nHost: vip\r\nUser-Agent: ka_http\r\n\r\n";
	long long deadline = now_ms() + timeout_ms;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	bool ok = false;

	if (fd < 0)
		return false;
	if (src && bind(fd, (const struct sockaddr *)src, sizeof(*src)) < 0)
		goto out;
	if (!connect_to(fd, dst, deadline))
		goto out;
	if (write(fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1)
		goto out;
	ok = read_answer(fd, deadline, name, namelen);
out:
	close(fd);
	return ok;
}

static bool parse_v4(const char *s, unsigned port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, s, &sa->sin_addr) == 1;
}

struct tally {
	char names[MAX_NAMES][64];
	unsigned long count[MAX_NAMES];
	unsigned n;
	unsigned long err;
};

static void tally_add(struct tally *t, const char *name)
{
	unsigned i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->names[i], name) == 0)
			break;
	if (i == t->n) {
		if (t->n == MAX_NAMES) {
			t->err++;
			return;
		}
		snprintf(t->names[t->n++], sizeof(t->names[0]), "%s", name);
	}
	t->count[i]++;
}

static int get(int argc, char **argv)
{
	struct sockaddr_in dst, src;
	bool have_src = false, verbose = false;
	int timeout_ms = 1000;
	long n;
	struct tally t = {.n = 0};

	if (argc < 5 || !parse_v4(argv[2], (unsigned)atoi(argv[3]), &dst))
		return usage();
	n = atol(argv[4]);
	for (int i = 5; i < argc; i++) {
		if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
			if (!parse_v4(argv[++i], 0, &src))
				return usage();
			have_src = true;
		} else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
			timeout_ms = atoi(argv[++i]);
		} else if (strcmp(argv[i], "-v") == 0) {
			verbose = true;
		} else {
			return usage();
		}
	}
	for (long i = 0; i < n; i++) {
		char name[64];

		if (one_get(&dst, have_src ? &src : NULL, timeout_ms, name, sizeof(name))) {
			tally_add(&t, name);
			if (verbose)
				printf("%s\n", name);
		} else {
			t.err++;
			if (verbose)
				printf("err\n");
		}
	}
	if (!verbose) {
		for (unsigned i = 0; i < t.n; i++)
			printf("%s=%lu ", t.names[i], t.count[i]);
		printf("err=%lu\n", t.err);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "serve") == 0)
		return serve(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "get") == 0)
		return get(argc, argv);
	return usage();
}
