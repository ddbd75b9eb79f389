/* Real servers for the health-check benchmarks: one epoll process that
 * listens on a range of TCP ports (accept, close) and a range of HTTP ports
 * (read the request head, answer a fixed 200 with a fixed body, close), on
 * the wildcard address or on one address (-b).  It must not be the
 * bottleneck: no per-connection allocation, no logging, accept4 until
 * EAGAIN.
 *
 * Counters live in a shared file mapping (-c FILE, 4 x uint64: TCP accepts,
 * HTTP accepts, HTTP responses sent, errors), so the benchmark reads them at
 * any moment with `od -An -t u8 FILE` without signalling the server.  The
 * file appears (renamed into place) once every listener is bound: its
 * existence means "ready".
 *
 * Usage: check_srv -c FILE [-b ADDR] [-t LO-HI] [-h LO-HI] */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_LISTEN 256
#define MAX_FD 65536
#define REQ_MAX 2048

enum { C_TCP, C_HTTP_ACC, C_HTTP_RESP, C_ERR, C_N };

static volatile uint64_t *ctr;

/* per fd: what it is (listener kind, or an HTTP connection) and how much of
 * the request head has been seen ("\r\n\r\n" matched so far) */
enum { F_NONE, F_LTCP, F_LHTTP, F_CONN };
static uint8_t fkind[MAX_FD];
static uint8_t fmatch[MAX_FD];
static uint16_t flen[MAX_FD];

static const char response[] = "HTTP/1.1 200 OK\r\n"
                               "Content-Type: text/plain\r\n"
                               "Content-Length: 13\r\n"
                               "Connection: close\r\n"
                               "\r\n"
                               "check_srv ok\n";

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int parse_range(const char *s, int *lo, int *hi)
{
	char *end;

	*lo = (int)strtol(s, &end, 10);
	*hi = *lo;
	if (*end == '-')
		*hi = (int)strtol(end + 1, &end, 10);
	return *end || *lo < 1 || *hi > 65535 || *hi < *lo ? -1 : 0;
}

static int listen_on(struct in_addr a, int port)
{
	struct sockaddr_in sin = {
	    .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = a};
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("bind");
	if (listen(fd, 4096) < 0)
		die("listen");
	return fd;
}

static void conn_close(int ep, int fd)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
	fkind[fd] = F_NONE;
	close(fd);
}

/* Read what the client sent; once the head is complete, answer and close. */
static void conn_read(int ep, int fd)
{
	static const char eoh[] = "\r\n\r\n";
	char buf[REQ_MAX];
	ssize_t n, i;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) { /* closed or failed before a full request */
			ctr[C_ERR]++;
			conn_close(ep, fd);
			return;
		}
		for (i = 0; i < n; i++) {
			fmatch[fd] =
			    buf[i] == eoh[fmatch[fd]] ? fmatch[fd] + 1 : (buf[i] == '\r' ? 1 : 0);
			if (fmatch[fd] == 4)
				break;
		}
		if (fmatch[fd] == 4) {
			if (write(fd, response, sizeof(response) - 1) ==
			    (ssize_t)sizeof(response) - 1)
				ctr[C_HTTP_RESP]++;
			else
				ctr[C_ERR]++;
			conn_close(ep, fd);
			return;
		}
		flen[fd] = (uint16_t)(flen[fd] + n > REQ_MAX ? REQ_MAX : flen[fd] + n);
		if (flen[fd] >= REQ_MAX) { /* no end of head in 2 kB: not ours */
			ctr[C_ERR]++;
			conn_close(ep, fd);
			return;
		}
	}
}

static void do_accept(int ep, int lfd)
{
	struct epoll_event ev = {.events = EPOLLIN};
	int fd;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				ctr[C_ERR]++;
			return;
		}
		if (fkind[lfd] == F_LTCP || fd >= MAX_FD) {
			if (fkind[lfd] == F_LTCP)
				ctr[C_TCP]++;
			else
				ctr[C_ERR]++;
			close(fd);
			continue;
		}
		ctr[C_HTTP_ACC]++;
		fkind[fd] = F_CONN;
		fmatch[fd] = 0;
		flen[fd] = 0;
		ev.data.fd = fd;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
			ctr[C_ERR]++;
			fkind[fd] = F_NONE;
			close(fd);
		}
	}
}

int main(int argc, char **argv)
{
	struct in_addr addr = {.s_addr = htonl(INADDR_ANY)};
	struct epoll_event ev, evs[256];
	struct rlimit rl = {MAX_FD, MAX_FD};
	const char *cfile = NULL;
	char tmp[4096];
	int tlo = 0, thi = -1, hlo = 0, hhi = -1, opt, ep, fd, p, i, n;

	while ((opt = getopt(argc, argv, "b:c:t:h:")) != -1) {
		switch (opt) {
		case 'b':
			if (inet_pton(AF_INET, optarg, &addr) != 1)
				goto usage;
			break;
		case 'c':
			cfile = optarg;
			break;
		case 't':
			if (parse_range(optarg, &tlo, &thi))
				goto usage;
			break;
		case 'h':
			if (parse_range(optarg, &hlo, &hhi))
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (!cfile || (thi < tlo && hhi < hlo) || (thi - tlo + 1) + (hhi - hlo + 1) > MAX_LISTEN)
		goto usage;
	setrlimit(RLIMIT_NOFILE, &rl);
	signal(SIGPIPE, SIG_IGN);

	snprintf(tmp, sizeof(tmp), "%s.tmp", cfile);
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || ftruncate(fd, C_N * sizeof(uint64_t)) < 0)
		die(tmp);
	ctr = mmap(NULL, C_N * sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ctr == MAP_FAILED)
		die("mmap");
	close(fd);

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");
	for (p = tlo; p <= thi; p++) {
		fd = listen_on(addr, p);
		fkind[fd] = F_LTCP;
		ev = (struct epoll_event){.events = EPOLLIN, .data.fd = fd};
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	}
	for (p = hlo; p <= hhi; p++) {
		fd = listen_on(addr, p);
		fkind[fd] = F_LHTTP;
		ev = (struct epoll_event){.events = EPOLLIN, .data.fd = fd};
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	}
	if (rename(tmp, cfile) < 0)
		die("rename");

	for (;;) {
		n = epoll_wait(ep, evs, 256, -1);
		if (n < 0 && errno != EINTR)
			die("epoll_wait");
		for (i = 0; i < n; i++) {
			fd = evs[i].data.fd;
			if (fkind[fd] == F_CONN)
				conn_read(ep, fd);
			else if (fkind[fd] != F_NONE)
				do_accept(ep, fd);
		}
	}
usage:
	fprintf(
	    stderr,
	    "usage: check_srv -c COUNTERFILE [-b ADDR] [-t PORTLO-PORTHI] [-h PORTLO-PORTHI]\n");
	return 2;
}
