/* ka_nftwatch: how long a real server's failure takes to reach the kernel's
 * nftables rule set, measured from outside the daemon.
 *
 *   ka_nftwatch flip N FILE... [-g GAP_MS] [-T TIMEOUT_MS] [-p]
 *   ka_nftwatch listen SECONDS
 *
 * Run it in the director's network namespace (nftables notifications are
 * per namespace).  It listens to the nftables multicast group (what
 * `nft monitor` prints) and makes N flips: flip k writes "1" (k even: the
 * FILE_CHECK fails) or "0" (k odd: it recovers) into FILE[(k / 2) % count].
 * T0 is taken just before the file is opened; T1 is the arrival of the
 * NFT_MSG_NEWGEN notification that ends the transaction the daemon sent in
 * response (the kernel sends it once the new rule set is live).  One line
 * per flip:
 *     flip K down|up FILE first_ms=F gen_ms=G msgs=M
 * (first_ms: the first notification of the transaction), or "timeout";
 * then a summary of gen_ms:
 *     summary n=N timeouts=T p50=... p99=... max=... (ms)
 * GAP_MS (default 100) separates the flips; TIMEOUT_MS (default 2000)
 * bounds each wait.  Notifications arriving outside a flip are counted as
 * "stray" in the summary (an unchanged rule set must produce none).
 * With -p nothing listens: T1 is when the rule-set generation
 * (NFT_MSG_GETGEN, asked every 100 us) moves.  A listener makes the kernel
 * build one message per changed object inside the commit, which a 1,000
 * element map update pays for; -p measures without that cost (at 0.1 ms
 * resolution).
 *
 * `listen` only subscribes and drains for SECONDS, then prints
 *     listen msgs=M gens=G overruns=O
 * (a listener makes the kernel build a message per changed object: run it
 * beside another tool to see what that costs).
 *
 * Self-contained (no kacore): the benchmark builds it with plain gcc. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FLIPS 10000

static int usage(void)
{
	fprintf(stderr, "usage: ka_nftwatch flip N FILE... [-g GAP_MS] [-T TIMEOUT_MS] [-p]\n"
	                "       ka_nftwatch listen SECONDS\n");
	return 2;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int nft_listen(void)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	int grp = NFNLGRP_NFTABLES, big = 32 << 20;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_NETFILTER);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	/* A flush and refill of a 1,000-element map is thousands of messages:
	 * a lost NEWGEN would read as a timeout. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0)
		return -1;
	return fd;
}

struct rx {
	unsigned long msgs; /* nftables notifications seen */
	unsigned long gens; /* of which NEWGEN (one per transaction) */
	unsigned long overruns;
};

/* Reads what is queued; true if a NEWGEN was among it. */
static bool drain(int fd, struct rx *rx)
{
	static char buf[1 << 16];
	bool gen = false;

	for (;;) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		size_t len;

		if (r < 0 && errno == ENOBUFS) {
			rx->overruns++;
			continue;
		}
		if (r <= 0)
			return gen;
		len = (size_t)r;
		for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (NFNL_SUBSYS_ID(h->nlmsg_type) != NFNL_SUBSYS_NFTABLES)
				continue;
			rx->msgs++;
			if (NFNL_MSG_TYPE(h->nlmsg_type) == NFT_MSG_NEWGEN) {
				rx->gens++;
				gen = true;
			}
		}
	}
}

/* The current rule-set generation, or -1. */
static long long get_gen(int fd)
{
	static unsigned seq;
	char buf[4096];
	struct {
		struct nlmsghdr h;
		struct nfgenmsg g;
	} req = {.h = {.nlmsg_len = sizeof(req),
	               .nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN,
	               .nlmsg_flags = NLM_F_REQUEST,
	               .nlmsg_seq = ++seq},
	         .g = {.nfgen_family = AF_UNSPEC, .version = NFNETLINK_V0}};
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t r;

	if (send(fd, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		return -1;
	for (;;) {
		size_t len;

		if (poll(&p, 1, 1000) != 1 || (r = recv(fd, buf, sizeof(buf), 0)) <= 0)
			return -1;
		len = (size_t)r;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			struct nlattr *a = (struct nlattr *)((char *)NLMSG_DATA(h) +
			                                     NLMSG_ALIGN(sizeof(struct nfgenmsg)));
			uint32_t id;

			if (h->nlmsg_seq != seq || NFNL_MSG_TYPE(h->nlmsg_type) != NFT_MSG_NEWGEN)
				continue;
			if (a->nla_type != NFTA_GEN_ID || a->nla_len < NLA_HDRLEN + 4)
				return -1;
			memcpy(&id, (char *)a + NLA_HDRLEN, 4);
			return ntohl(id);
		}
	}
}

/* -p: polls the generation until it moves (bounded); T1 in *gen. */
static bool poll_gen(int fd, long long g0, double deadline, double *gen)
{
	struct timespec pause = {.tv_nsec = 100000};

	while (now_ms() < deadline) {
		long long g = get_gen(fd);

		if (g < 0)
			return false;
		if (g != g0) {
			*gen = now_ms();
			return true;
		}
		nanosleep(&pause, NULL);
	}
	return false;
}

static bool write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	return close(fd) == 0 && ok;
}

/* Waits (bounded) for the end of the transaction the flip caused; fills
 * the arrival of its first message and of its NEWGEN. */
static bool wait_gen(int fd, struct rx *rx, double deadline, double *first, double *gen)
{
	unsigned long m0 = rx->msgs;

	*first = -1;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		double left = deadline - now_ms();
		bool got;

		if (left <= 0 || poll(&p, 1, (int)left + 1) <= 0)
			return false;
		got = drain(fd, rx);
		if (*first < 0 && rx->msgs > m0)
			*first = now_ms();
		if (got) {
			*gen = now_ms();
			return true;
		}
	}
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *v, int n, double p)
{
	int i = (int)(p * n + 0.999999) - 1;

	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int flip(int argc, char **argv)
{
	static double lat[MAX_FLIPS];
	int n, nfiles = 0, gap = 100, tmo = 2000, ok = 0, timeouts = 0, fd;
	bool polling = false;
	char **files = calloc((size_t)argc, sizeof(char *));
	struct rx rx = {0};
	unsigned long stray = 0;

	if (argc < 4 || !files)
		return usage();
	n = atoi(argv[2]);
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "-g") == 0 && i + 1 < argc)
			gap = atoi(argv[++i]);
		else if (strcmp(argv[i], "-T") == 0 && i + 1 < argc)
			tmo = atoi(argv[++i]);
		else if (strcmp(argv[i], "-p") == 0)
			polling = true;
		else
			files[nfiles++] = argv[i];
	}
	if (n <= 0 || n > MAX_FLIPS || nfiles == 0)
		return usage();
	fd = polling
	         ? socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_NETFILTER)
	         : nft_listen();
	if (fd < 0) {
		perror("ka_nftwatch: netlink");
		return 1;
	}
	for (int k = 0; k < n; k++) {
		const char *f = files[(k / 2) % nfiles];
		bool down = k % 2 == 0;
		unsigned long m0;
		double t0, first, gen;
		long long g0 = 0;
		bool done;

		sleep_ms(gap);
		m0 = rx.msgs;
		drain(fd, &rx);
		stray += rx.msgs - m0;
		m0 = rx.msgs;
		if (polling && (g0 = get_gen(fd)) < 0) {
			fprintf(stderr, "ka_nftwatch: NFT_MSG_GETGEN failed\n");
			return 1;
		}
		t0 = now_ms();
		if (!write_file(f, down ? "1\n" : "0\n")) {
			fprintf(stderr, "ka_nftwatch: cannot write %s: %s\n", f, strerror(errno));
			return 1;
		}
		if (polling) {
			done = poll_gen(fd, g0, t0 + tmo, &gen);
			first = gen;
		} else {
			done = wait_gen(fd, &rx, t0 + tmo, &first, &gen);
		}
		if (!done) {
			printf("flip %d %s %s timeout msgs=%lu\n", k, down ? "down" : "up", f,
			       rx.msgs - m0);
			timeouts++;
			continue;
		}
		lat[ok++] = gen - t0;
		printf("flip %d %s %s first_ms=%.3f gen_ms=%.3f msgs=%lu\n", k,
		       down ? "down" : "up", f, first - t0, gen - t0, rx.msgs - m0);
		fflush(stdout);
	}
	qsort(lat, (size_t)ok, sizeof(lat[0]), cmp_d);
	printf("summary n=%d timeouts=%d stray=%lu overruns=%lu", ok, timeouts, stray, rx.overruns);
	if (ok)
		printf(" p50=%.3f p99=%.3f max=%.3f min=%.3f", pct(lat, ok, 0.5),
		       pct(lat, ok, 0.99), lat[ok - 1], lat[0]);
	printf("\n");
	free(files);
	return timeouts ? 1 : 0;
}

static int listen_only(int argc, char **argv)
{
	struct rx rx = {0};
	double end;
	int fd;

	if (argc != 3)
		return usage();
	fd = nft_listen();
	if (fd < 0) {
		perror("ka_nftwatch: netlink");
		return 1;
	}
	end = now_ms() + atof(argv[2]) * 1000;
	for (double left; (left = end - now_ms()) > 0;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (poll(&p, 1, (int)left + 1) > 0)
			drain(fd, &rx);
	}
	printf("listen msgs=%lu gens=%lu overruns=%lu\n", rx.msgs, rx.gens, rx.overruns);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "flip") == 0)
		return flip(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "listen") == 0)
		return listen_only(argc, argv);
	return usage();
}
