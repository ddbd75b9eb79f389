/* floor_tcp: the least CPU a TCP connect check can cost, as a yardstick
 * for TCP_CHECK.  A bare loop: non-blocking connect, epoll, SO_ERROR,
 * close, paced at RATE connects per second for SECONDS, round-robin over
 * the targets.  It prints one line with its own CPU time (getrusage,
 * user + system, including the softirq work charged to it):
 *
 *   floor_tcp checks=50000 ok=50000 fail=0 timeout=0 cpu_us=1950000 us_per_check=39.0 ...
 *
 * Usage: floor_tcp [-a ADDR[-RANGE]]... [-p PORT[-PORT]]... [-f FILE]
 *                  [-r RATE] [-t SECONDS] [-T TIMEOUT_MS] [-l 0|1] [-D]
 *   -a/-p   every address of every -a range with every port of every -p
 *   -f      targets, one "ADDR PORT", "ADDR:PORT" or "[ADDR6]:PORT" a line
 *   -r      connects per second (default 5000); -t run time (default 10)
 *   -T      connect timeout in ms (default 5000)
 *   -l 1    close a completed connection with RST (SO_LINGER {1,0}), as
 *           TCP_CHECK does (default); -l 0 plain close (FIN)
 *   -D      epoll_ctl(DEL) before close, as libevent does
 *   -i MS   start the checks that are due only every MS ms (default 0:
 *           each at its own time, which wakes up to once per ms)
 *
 * Self-contained (no kacore): the bench scripts build it with plain
 * `gcc -O2 -Wall tests/tools/floor_tcp.c`.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* An IPv4 or IPv6 address as big-endian bytes, so ranges are byte maths. */
struct faddr {
	int family;
	size_t len; /* 4 or 16 */
	uint8_t b[16];
};

struct target {
	struct sockaddr_storage ss;
	socklen_t len;
	int family;
};

struct slot {
	int fd; /* -1 = free */
	uint64_t start_ns;
};

static struct target *targets;
static size_t n_targets, cap_targets;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)ru.ru_utime.tv_sec * 1000000u + (uint64_t)ru.ru_utime.tv_usec +
	       (uint64_t)ru.ru_stime.tv_sec * 1000000u + (uint64_t)ru.ru_stime.tv_usec;
}

static void add_target(const struct faddr *a, uint16_t port)
{
	struct target *t;

	if (n_targets == cap_targets) {
		cap_targets = cap_targets ? 2 * cap_targets : 64;
		targets = realloc(targets, cap_targets * sizeof(*targets));
		if (!targets) {
			perror("realloc");
			exit(2);
		}
	}
	t = &targets[n_targets++];
	memset(&t->ss, 0, sizeof(t->ss));
	t->family = a->family;
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&t->ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->b, 4);
		t->len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&t->ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, a->b, 16);
		t->len = sizeof(*sin6);
	}
}

static int parse_addr(const char *s, struct faddr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->b) == 1) {
		a->family = AF_INET;
		a->len = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->b) == 1) {
		a->family = AF_INET6;
		a->len = 16;
		return 0;
	}
	return -1;
}

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* "ADDR", "A.B.C.D-E" (last octet), "ADDR-ADDR", "V6-HHHH" (last group). */
static int parse_addr_range(const char *s, struct faddr *first, struct faddr *last)
{
	char buf[128], *dash, *end;
	unsigned long v;

	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (parse_addr(buf, first) < 0)
		return -1;
	*last = *first;
	if (!dash)
		return 0;
	if (strchr(dash, '.') || strchr(dash, ':')) {
		if (parse_addr(dash, last) < 0 || last->family != first->family)
			return -1;
	} else {
		v = strtoul(dash, &end, first->family == AF_INET ? 10 : 16);
		if (end == dash || *end || v > (first->family == AF_INET ? 255u : 65535u))
			return -1;
		if (first->family == AF_INET) {
			last->b[3] = (uint8_t)v;
		} else {
			last->b[14] = (uint8_t)(v >> 8);
			last->b[15] = (uint8_t)v;
		}
	}
	return memcmp(first->b, last->b, first->len) <= 0 ? 0 : -1;
}

static void addr_next(struct faddr *a)
{
	size_t i = a->len;

	while (i-- > 0 && ++a->b[i] == 0)
		;
}

static int parse_port_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	char buf[32], *dash;

	snprintf(buf, sizeof(buf), "%s", s);
	dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	if (parse_port(buf, lo) < 0 || (dash && parse_port(dash, hi) < 0))
		return -1;
	if (!dash)
		*hi = *lo;
	return *hi >= *lo ? 0 : -1;
}

/* "ADDR PORT", "ADDR:PORT", "[ADDR6]:PORT" */
static int parse_target_line(char *line, struct faddr *a, uint16_t *port)
{
	char *p, *sep;

	p = line + strspn(line, " \t");
	p[strcspn(p, "#\r\n")] = '\0';
	if (!*p)
		return 1;
	if (*p == '[') {
		sep = strchr(p, ']');
		if (!sep || sep[1] != ':')
			return -1;
		*sep = '\0';
		return parse_addr(p + 1, a) < 0 || parse_port(sep + 2, port) < 0 ? -1 : 0;
	}
	sep = strpbrk(p, " \t");
	if (!sep) {
		sep = strrchr(p, ':');
		if (!sep || strchr(p, ':') != sep)
			return -1;
	}
	*sep++ = '\0';
	sep += strspn(sep, " \t");
	sep[strcspn(sep, " \t")] = '\0';
	return parse_addr(p, a) < 0 || parse_port(sep, port) < 0 ? -1 : 0;
}

static void load_file(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "re");
	struct faddr a;
	uint16_t port;
	int n = 0, rc;

	if (!f) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		n++;
		rc = parse_target_line(line, &a, &port);
		if (rc < 0) {
			fprintf(stderr, "%s:%d: bad target\n", path, n);
			exit(2);
		}
		if (rc == 0)
			add_target(&a, port);
	}
	fclose(f);
}

static void usage(void)
{
	fprintf(stderr, "usage: floor_tcp [-a ADDR[-RANGE]]... [-p PORT[-PORT]]... [-f FILE] "
	                "[-r RATE] [-t SECONDS] [-T TIMEOUT_MS] [-l 0|1] [-D] [-i TICK_MS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct {
		struct faddr first, last;
	} ranges[64];
	struct {
		uint16_t lo, hi;
	} ports[64];
	size_t n_ranges = 0, n_ports = 0, i, cap, head = 0, tail = 0, inflight = 0, next_target = 0;
	unsigned rate = 5000, linger_rst = 1;
	double seconds = 10;
	uint64_t timeout_ns = 5000000000u, tick_ns = 0, total, launched = 0, n_ok = 0, n_fail = 0,
	         n_timeout = 0, t0, cpu0, wall_ns;
	bool del_first = false;
	struct epoll_event evs[256];
	struct slot *slots;
	int opt, epfd;

	while ((opt = getopt(argc, argv, "a:p:f:r:t:T:l:Di:")) != -1) {
		switch (opt) {
		case 'a':
			if (n_ranges == 64 || parse_addr_range(optarg, &ranges[n_ranges].first,
			                                       &ranges[n_ranges].last) < 0)
				usage();
			n_ranges++;
			break;
		case 'p':
			if (n_ports == 64 ||
			    parse_port_range(optarg, &ports[n_ports].lo, &ports[n_ports].hi) < 0)
				usage();
			n_ports++;
			break;
		case 'f':
			load_file(optarg);
			break;
		case 'r':
			rate = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 't':
			seconds = strtod(optarg, NULL);
			break;
		case 'T':
			timeout_ns = strtoull(optarg, NULL, 10) * 1000000u;
			break;
		case 'l':
			linger_rst = (unsigned)atoi(optarg) != 0;
			break;
		case 'D':
			del_first = true;
			break;
		case 'i':
			tick_ns = strtoull(optarg, NULL, 10) * 1000000u;
			break;
		default:
			usage();
		}
	}
	if (n_ranges && !n_ports)
		usage();
	for (i = 0; i < n_ranges; i++) {
		struct faddr a = ranges[i].first;
		size_t j;

		for (;;) {
			for (j = 0; j < n_ports; j++) {
				unsigned p;

				for (p = ports[j].lo; p <= ports[j].hi; p++)
					add_target(&a, (uint16_t)p);
			}
			if (memcmp(a.b, ranges[i].last.b, a.len) == 0)
				break;
			addr_next(&a);
		}
	}
	if (!n_targets || !rate || seconds <= 0 || !timeout_ns)
		usage();

	total = (uint64_t)(rate * seconds);
	/* In flight at most: everything started within one timeout. */
	cap = (size_t)((double)rate * ((double)timeout_ns / 1e9)) + 1024;
	slots = calloc(cap, sizeof(*slots));
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!slots || epfd < 0) {
		perror("setup");
		return 2;
	}
	for (i = 0; i < cap; i++)
		slots[i].fd = -1;

	t0 = now_ns();
	cpu0 = cpu_us();
	while (launched < total || inflight) {
		uint64_t now = now_ns(), due, wait_ns, elapsed;
		int n, k, timeout_ms;

		/* Start whatever is due by now. */
		elapsed = now - t0;
		if (tick_ns) /* only what was due at the last tick */
			elapsed = elapsed / tick_ns * tick_ns;
		due = (uint64_t)((double)elapsed * rate / 1e9) + 1;
		if (due > total)
			due = total;
		while (launched < due) {
			const struct target *t = &targets[next_target];
			struct slot *s = &slots[tail];
			struct epoll_event ev = {.events = EPOLLOUT};
			int fd;

			next_target = (next_target + 1) % n_targets;
			launched++;
			if (s->fd >= 0) { /* the ring is full: the oldest has timed out */
				close(s->fd);
				s->fd = -1;
				inflight--;
				n_timeout++;
				head = (head + 1) % cap;
			}
			fd = socket(t->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			if (fd < 0) {
				n_fail++;
				continue;
			}
			if (connect(fd, (struct sockaddr *)&t->ss, t->len) < 0 &&
			    errno != EINPROGRESS) {
				close(fd);
				n_fail++;
				continue;
			}
			ev.data.u64 = tail;
			if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
				close(fd);
				n_fail++;
				continue;
			}
			s->fd = fd;
			s->start_ns = now;
			tail = (tail + 1) % cap;
			inflight++;
		}

		/* Expire from the head: slots are in start order. */
		while (inflight &&
		       (slots[head].fd < 0 || now - slots[head].start_ns >= timeout_ns)) {
			if (slots[head].fd >= 0) {
				close(slots[head].fd);
				slots[head].fd = -1;
				inflight--;
				n_timeout++;
			}
			head = (head + 1) % cap;
		}

		/* Sleep until the next start or the next expiry. */
		wait_ns = UINT64_MAX;
		if (launched < total) {
			uint64_t next = (uint64_t)((double)launched * 1e9 / rate);

			if (tick_ns)
				next = (next + tick_ns - 1) / tick_ns * tick_ns;
			next += t0;

			wait_ns = next > now ? next - now : 0;
		}
		if (inflight) {
			uint64_t exp = slots[head].start_ns + timeout_ns;
			uint64_t w = exp > now ? exp - now : 0;

			if (w < wait_ns)
				wait_ns = w;
		}
		if (wait_ns == UINT64_MAX)
			break;
		timeout_ms = (int)((wait_ns + 999999) / 1000000);
		n = epoll_wait(epfd, evs, (int)(sizeof(evs) / sizeof(evs[0])), timeout_ms);
		for (k = 0; k < n; k++) {
			struct slot *s = &slots[evs[k].data.u64];
			int err = 0;
			socklen_t len = sizeof(err);

			if (s->fd < 0)
				continue;
			if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
				err = errno;
			if (err == 0) {
				n_ok++;
				if (linger_rst) {
					static const struct linger rst = {1, 0};

					setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
				}
			} else {
				n_fail++;
			}
			if (del_first)
				epoll_ctl(epfd, EPOLL_CTL_DEL, s->fd, NULL);
			close(s->fd);
			s->fd = -1;
			inflight--;
		}
	}
	wall_ns = now_ns() - t0;
	{
		uint64_t cpu = cpu_us() - cpu0, checks = n_ok + n_fail + n_timeout;

		printf("floor_tcp checks=%llu ok=%llu fail=%llu timeout=%llu cpu_us=%llu "
		       "us_per_check=%.2f wall_s=%.2f rate=%u targets=%zu linger_rst=%u\n",
		       (unsigned long long)checks, (unsigned long long)n_ok,
		       (unsigned long long)n_fail, (unsigned long long)n_timeout,
		       (unsigned long long)cpu, checks ? (double)cpu / (double)checks : 0.0,
		       (double)wall_ns / 1e9, rate, n_targets, linger_rst);
	}
	close(epfd);
	free(slots);
	free(targets);
	return 0;
}
