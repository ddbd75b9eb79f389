/* The floor for the health-check benchmarks: the least a checker can do per
 * check, measured on the same targets at the same rate as the daemons.
 *
 *   http mode (default), "minimal HTTP request loop": non-blocking connect,
 *     epoll, SO_ERROR, send "GET PATH HTTP/1.0", read until the server closes,
 *     status 200 is a success, close.
 *   tcp mode (-m tcp): non-blocking connect, epoll, SO_ERROR, close.
 *
 * Checks start at RATE per second (a timerfd tick, every TICK ms, default 1,
 * starts those that are due), spread round-robin over ADDRS x PORTS (address first, so consecutive
 * checks go to different addresses), for SECONDS; each has a 2 s timeout.
 * The CPU is this process's own (getrusage: user + system), which includes
 * the kernel's work for the connections, as it does for the daemons'
 * checker processes.  Output, one line:
 *   floor_http checks=N ok=N fail=N cpu_us=N us_per_check=F
 *
 * Usage: floor_http [-m http|tcp] -a A.B.C.LO-HI -p LO-HI -r RATE -t SECONDS
 *                   [-u PATH] [-i TICK_MS] */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_FD 65536
#define TIMEOUT_NS 2000000000LL

struct conn {
	int64_t deadline;
	int fd;
	int next;     /* FIFO of live connections (all have the same timeout) */
	uint8_t sent; /* request sent, now reading */
	uint16_t got; /* bytes of the status line kept */
	char head[16];
};

static struct conn conns[MAX_FD];
static int q_head = -1, q_tail = -1, live;
#ifdef FLOOR_DEFAULT_TCP
static int http_mode = 0;
#else
static int http_mode = 1;
#endif
static uint64_t n_checks, n_ok, n_fail;
static char request[512];
static size_t request_len;
static int ep;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void finish(int fd, int ok)
{
	int *pp;

	/* unlink from the FIFO: almost always the head or close to it */
	for (pp = &q_head; *pp != fd; pp = &conns[*pp].next)
		;
	*pp = conns[fd].next;
	if (q_tail == fd) {
		int t = q_head;

		q_tail = -1;
		while (t >= 0) {
			q_tail = t;
			t = conns[t].next;
		}
	}
	close(fd); /* also removes it from the epoll set */
	conns[fd].fd = -1;
	live--;
	if (ok)
		n_ok++;
	else
		n_fail++;
}

static void start_check(struct sockaddr_in *sin)
{
	struct epoll_event ev;
	int fd;

	n_checks++;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || fd >= MAX_FD) {
		if (fd >= 0)
			close(fd);
		n_fail++;
		return;
	}
	if (connect(fd, (struct sockaddr *)sin, sizeof(*sin)) < 0 && errno != EINPROGRESS) {
		close(fd);
		n_fail++;
		return;
	}
	conns[fd] = (struct conn){.deadline = now_ns() + TIMEOUT_NS, .fd = fd, .next = -1};
	ev = (struct epoll_event){.events = EPOLLOUT, .data.fd = fd};
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		n_fail++;
		return;
	}
	if (q_tail >= 0)
		conns[q_tail].next = fd;
	else
		q_head = fd;
	q_tail = fd;
	live++;
}

static void on_event(int fd, uint32_t events)
{
	struct conn *c = &conns[fd];
	struct epoll_event ev;
	socklen_t len = sizeof(int);
	char buf[4096];
	int err = 0;
	ssize_t n;

	if (!c->sent) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
			finish(fd, 0);
			return;
		}
		if (!http_mode) {
			finish(fd, 1);
			return;
		}
		if (send(fd, request, request_len, MSG_NOSIGNAL) != (ssize_t)request_len) {
			finish(fd, 0);
			return;
		}
		c->sent = 1;
		ev = (struct epoll_event){.events = EPOLLIN, .data.fd = fd};
		epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
		return;
	}
	(void)events;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			finish(fd, 0);
			return;
		}
		if (n == 0) { /* the server closed: the answer is complete */
			finish(fd, c->got >= 12 && memcmp(c->head, "HTTP/1.", 7) == 0 &&
			               memcmp(c->head + 8, " 200", 4) == 0);
			return;
		}
		if (c->got < sizeof(c->head)) {
			size_t k = sizeof(c->head) - c->got;

			if ((size_t)n < k)
				k = (size_t)n;
			memcpy(c->head + c->got, buf, k);
			c->got = (uint16_t)(c->got + k);
		}
	}
}

static void expire(int64_t now)
{
	while (q_head >= 0 && conns[q_head].deadline <= now)
		finish(q_head, 0);
}

static int parse_range(const char *s, int *lo, int *hi, int max)
{
	char *end;

	*lo = (int)strtol(s, &end, 10);
	*hi = *lo;
	if (*end == '-')
		*hi = (int)strtol(end + 1, &end, 10);
	return *end || *lo < 0 || *hi > max || *hi < *lo ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct rlimit rl = {MAX_FD, MAX_FD};
	struct itimerspec its = {.it_interval = {0, 1000000}, .it_value = {0, 1000000}};
	struct epoll_event ev, evs[256];
	struct sockaddr_in *targets, sin;
	struct rusage ru;
	const char *path = "/", *addrs = NULL, *ports = NULL, *dot;
	char prefix[32];
	int alo = 0, ahi = -1, plo = 0, phi = -1, opt, tfd, i, n, ntargets, next = 0;
	double rate = 0, secs = 0;
	int64_t t0, t_end, now;
	uint64_t expiries, due, cpu_us;

	while ((opt = getopt(argc, argv, "m:a:p:r:t:u:i:")) != -1) {
		switch (opt) {
		case 'm':
			http_mode = strcmp(optarg, "tcp") != 0;
			break;
		case 'a':
			addrs = optarg;
			break;
		case 'p':
			ports = optarg;
			break;
		case 'r':
			rate = atof(optarg);
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 'u':
			path = optarg;
			break;
		case 'i':
			its.it_interval.tv_nsec = its.it_value.tv_nsec = (long)(atof(optarg) * 1e6);
			if (its.it_value.tv_nsec <= 0 || its.it_value.tv_nsec >= 1000000000L)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (!addrs || !ports || rate <= 0 || secs <= 0)
		goto usage;
	dot = strrchr(addrs, '.');
	if (!dot || (size_t)(dot - addrs) >= sizeof(prefix) - 1 ||
	    parse_range(dot + 1, &alo, &ahi, 255) || parse_range(ports, &plo, &phi, 65535))
		goto usage;
	memcpy(prefix, addrs, (size_t)(dot - addrs));
	prefix[dot - addrs] = 0;
	ntargets = (ahi - alo + 1) * (phi - plo + 1);
	targets = calloc((size_t)ntargets, sizeof(*targets));
	if (!targets)
		return 1;
	for (i = 0; i < ntargets; i++) {
		char a[48];

		snprintf(a, sizeof(a), "%s.%d", prefix, alo + i % (ahi - alo + 1));
		sin =
		    (struct sockaddr_in){.sin_family = AF_INET,
		                         .sin_port = htons((uint16_t)(plo + i / (ahi - alo + 1)))};
		if (inet_pton(AF_INET, a, &sin.sin_addr) != 1)
			goto usage;
		targets[i] = sin;
	}
	request_len = (size_t)snprintf(
	    request, sizeof(request),
	    "GET %s HTTP/1.0\r\nUser-Agent: floor_http\r\nHost: %s.%d\r\n\r\n", path, prefix, alo);
	setrlimit(RLIMIT_NOFILE, &rl);
	for (i = 0; i < MAX_FD; i++)
		conns[i].fd = -1;

	ep = epoll_create1(EPOLL_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (ep < 0 || tfd < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0) {
		perror("floor_http: setup");
		return 1;
	}
	ev = (struct epoll_event){.events = EPOLLIN, .data.fd = -1};
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);

	t0 = now_ns();
	t_end = t0 + (int64_t)(secs * 1e9);
	for (;;) {
		now = now_ns();
		if (now >= t_end && live == 0)
			break;
		if (now >= t_end + TIMEOUT_NS + 100000000LL)
			break; /* cannot happen: expire() bounds every connection */
		n = epoll_wait(ep, evs, 256, 100);
		if (n < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == -1) {
				if (read(tfd, &expiries, sizeof(expiries)) < 0)
					continue;
				now = now_ns();
				if (now < t_end) {
					due = (uint64_t)((double)(now - t0) * rate / 1e9);
					while (n_checks < due) {
						start_check(&targets[next]);
						next = (next + 1) % ntargets;
					}
				}
				expire(now);
			} else if (conns[evs[i].data.fd].fd >= 0) {
				on_event(evs[i].data.fd, evs[i].events);
			}
		}
	}
	getrusage(RUSAGE_SELF, &ru);
	cpu_us = (uint64_t)ru.ru_utime.tv_sec * 1000000 + (uint64_t)ru.ru_utime.tv_usec +
	         (uint64_t)ru.ru_stime.tv_sec * 1000000 + (uint64_t)ru.ru_stime.tv_usec;
	printf("floor_%s checks=%llu ok=%llu fail=%llu cpu_us=%llu us_per_check=%.2f\n",
	       http_mode ? "http" : "tcp", (unsigned long long)n_checks, (unsigned long long)n_ok,
	       (unsigned long long)n_fail, (unsigned long long)cpu_us,
	       n_checks ? (double)cpu_us / (double)n_checks : 0.0);
	return 0;
usage:
	fprintf(stderr,
	        "usage: floor_http [-m http|tcp] -a A.B.C.LO-HI -p LO-HI -r RATE -t SECONDS "
	        "[-u PATH] [-i TICK_MS]\n");
	return 2;
}
