/* SMTP_CHECK, DNS_CHECK, UDP_CHECK and PING_CHECK attempts against
 * in-process servers on 127.0.0.1 and ::1 (ephemeral ports), all on one
 * libevent base.  Every attempt must report exactly once, never from
 * inside start(). */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "check/check.h"
#include "check/chk_ping.h"
#include "check/dns_parse.h"

static struct event_base *base;

/* ---- running one attempt ------------------------------------------------ */

struct res {
	int calls;
	bool in_start, sync;
	bool guard_fired;
	struct check_outcome o;
};

static void on_done(void *arg, const struct check_outcome *o)
{
	struct res *r = arg;

	r->calls++;
	if (r->in_start)
		r->sync = true;
	r->o = *o;
	event_base_loopbreak(base);
}

static void on_guard(evutil_socket_t fd, short what, void *arg)
{
	struct res *r = arg;

	(void)fd;
	(void)what;
	r->guard_fired = true;
	event_base_loopbreak(base);
}

/* Runs one attempt to its end (10 s guard) and checks the contract. */
static struct check_outcome run(const struct check_type_ops *ops, const struct check_cfg *cfg)
{
	struct check_io io = {.base = base};
	struct timeval tv = {10, 0};
	struct event *guard;
	struct check_attempt *a;
	struct res r = {0};

	guard = evtimer_new(base, on_guard, &r);
	evtimer_add(guard, &tv);
	r.in_start = true;
	a = ops->start(&io, cfg, 0, on_done, &r);
	r.in_start = false;
	CHECK(a != NULL);
	CHECK_INT(r.calls, 0);
	while (a && r.calls == 0 && !r.guard_fired)
		event_base_dispatch(base);
	CHECK(!r.guard_fired);
	CHECK(!r.sync);
	CHECK_INT(r.calls, 1);
	/* nothing more comes */
	event_base_loop(base, EVLOOP_NONBLOCK);
	event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK_INT(r.calls, 1);
	event_free(guard);
	if (r.calls != 1)
		snprintf(r.o.why, sizeof(r.o.why), "(no outcome)");
	return r.o;
}

static void cfg_init(struct check_cfg *cfg, enum check_type t, const char *ip, uint16_t port,
                     uint64_t timeout_us)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->type = t;
	CHECK_INT(addr_parse(ip, &cfg->conn.addr), 0);
	cfg->conn.port = port;
	cfg->conn.connect_timeout_us = timeout_us;
	cfg->n_steps = 1;
}

/* A socket bound to ip on an ephemeral port; *port gets it. */
static int bound(const char *ip, int type, uint16_t *port)
{
	struct sockaddr_storage ss;
	struct ka_addr a;
	socklen_t len;
	int fd;

	if (addr_parse(ip, &a) < 0)
		return -1;
	len = addr_to_sockaddr(&a, 0, &ss);
	fd = socket(a.family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0) {
		perror("bind");
		exit(2);
	}
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	                                      : ((struct sockaddr_in6 *)&ss)->sin6_port);
	if (type == SOCK_STREAM)
		listen(fd, 8);
	return fd;
}

/* A port nobody listens on (bound, then closed). */
static uint16_t closed_port(const char *ip, int type)
{
	uint16_t port;
	int fd = bound(ip, type, &port);

	close(fd);
	return port;
}

static void must_send(int fd, const void *p, size_t len)
{
	if (send(fd, p, len, MSG_NOSIGNAL) != (ssize_t)len)
		perror("server send");
}

/* ---- SMTP server ---------------------------------------------------------- */

enum smtp_mode { SM_OK, SM_BANNER_554, SM_SILENT, SM_HELO_500 };

struct smtp_srv {
	enum smtp_mode mode;
	int lfd, cfd;
	uint16_t port;
	struct event *lev, *cev;
	char rx[1024];
	size_t rxlen;
	unsigned accepted;
	char helo[128];
	bool quit;
	bool break_on_accept;
};

static void smtp_conn_close(struct smtp_srv *s)
{
	if (s->cev)
		event_free(s->cev);
	s->cev = NULL;
	if (s->cfd >= 0)
		close(s->cfd);
	s->cfd = -1;
}

static void smtp_line(struct smtp_srv *s, const char *line)
{
	if (strncmp(line, "HELO ", 5) == 0) {
		snprintf(s->helo, sizeof(s->helo), "%s", line + 5);
		if (s->mode == SM_HELO_500)
			must_send(s->cfd, "500 what\r\n", 10);
		else
			must_send(s->cfd, "250 hello\r\n", 11);
	} else if (strcmp(line, "QUIT") == 0) {
		s->quit = true;
		must_send(s->cfd, "221 bye\r\n", 9);
	} else {
		must_send(s->cfd, "502 eh\r\n", 8);
	}
}

static void smtp_conn_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_srv *s = arg;
	ssize_t n;
	char *nl;

	(void)what;
	n = recv(fd, s->rx + s->rxlen, sizeof(s->rx) - 1 - s->rxlen, 0);
	if (n <= 0) {
		if (n < 0 && errno == EAGAIN)
			return;
		smtp_conn_close(s);
		return;
	}
	s->rxlen += (size_t)n;
	s->rx[s->rxlen] = 0;
	while ((nl = strstr(s->rx, "\r\n")) != NULL) {
		size_t l = (size_t)(nl - s->rx) + 2;

		*nl = 0;
		smtp_line(s, s->rx);
		memmove(s->rx, s->rx + l, s->rxlen - l + 1);
		s->rxlen -= l;
	}
}

static void smtp_accept_cb(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_srv *s = arg;
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	(void)what;
	if (c < 0)
		return;
	smtp_conn_close(s);
	s->cfd = c;
	s->rxlen = 0;
	s->accepted++;
	if (s->mode == SM_OK || s->mode == SM_HELO_500)
		must_send(c, "220-smtp.test ESMTP\r\n220 ready\r\n", 32);
	else if (s->mode == SM_BANNER_554)
		must_send(c, "554 go away\r\n", 13);
	s->cev = event_new(base, c, EV_READ | EV_PERSIST, smtp_conn_cb, s);
	event_add(s->cev, NULL);
	if (s->break_on_accept)
		event_base_loopbreak(base);
}

static void smtp_srv_start(struct smtp_srv *s, const char *ip, enum smtp_mode mode)
{
	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->cfd = -1;
	s->lfd = bound(ip, SOCK_STREAM, &s->port);
	s->lev = event_new(base, s->lfd, EV_READ | EV_PERSIST, smtp_accept_cb, s);
	event_add(s->lev, NULL);
}

static void smtp_srv_stop(struct smtp_srv *s)
{
	smtp_conn_close(s);
	event_free(s->lev);
	close(s->lfd);
}

static void test_smtp(void)
{
	struct smtp_srv s1, s2;
	struct check_cfg cfg;
	struct check_conn hosts[2];
	struct check_outcome o;
	char want[160];

	/* ok over IPv4, multi-line banner */
	smtp_srv_start(&s1, "127.0.0.1", SM_OK);
	cfg_init(&cfg, CHECK_SMTP, "127.0.0.1", s1.port, 2000000);
	cfg.u.smtp.helo_name = "probe.example";
	o = run(&check_smtp_ops, &cfg);
	CHECK(o.ok);
	CHECK_STR(o.why, "");
	CHECK_INT(o.dyn_weight, -1);
	CHECK_STR(s1.helo, "probe.example");
	CHECK_INT(s1.accepted, 1);
	/* QUIT went out before the close; let the server read it */
	event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK(s1.quit);
	smtp_srv_stop(&s1);

	/* ok over IPv6, default helo name */
	smtp_srv_start(&s1, "::1", SM_OK);
	cfg_init(&cfg, CHECK_SMTP, "::1", s1.port, 2000000);
	o = run(&check_smtp_ops, &cfg);
	CHECK(o.ok);
	CHECK(s1.helo[0] != 0);
	smtp_srv_stop(&s1);

	/* 554 banner */
	smtp_srv_start(&s1, "127.0.0.1", SM_BANNER_554);
	cfg_init(&cfg, CHECK_SMTP, "127.0.0.1", s1.port, 2000000);
	o = run(&check_smtp_ops, &cfg);
	CHECK(!o.ok);
	snprintf(want, sizeof(want), "SMTP [127.0.0.1]:%u: banner 554, expected 220", s1.port);
	CHECK_STR(o.why, want);
	smtp_srv_stop(&s1);

	/* HELO refused */
	smtp_srv_start(&s1, "::1", SM_HELO_500);
	cfg_init(&cfg, CHECK_SMTP, "::1", s1.port, 2000000);
	o = run(&check_smtp_ops, &cfg);
	snprintf(want, sizeof(want), "SMTP [::1]:%u: HELO reply 500, expected 250", s1.port);
	CHECK_STR(o.why, want);
	smtp_srv_stop(&s1);

	/* silent: the connect_timeout ends it */
	smtp_srv_start(&s1, "127.0.0.1", SM_SILENT);
	cfg_init(&cfg, CHECK_SMTP, "127.0.0.1", s1.port, 200000);
	o = run(&check_smtp_ops, &cfg);
	CHECK(!o.ok);
	snprintf(want, sizeof(want), "SMTP [127.0.0.1]:%u: timeout (200ms) waiting for the banner",
	         s1.port);
	CHECK_STR(o.why, want);
	CHECK_INT(s1.accepted, 1);
	smtp_srv_stop(&s1);

	/* nobody listening */
	cfg_init(&cfg, CHECK_SMTP, "127.0.0.1", closed_port("127.0.0.1", SOCK_STREAM), 2000000);
	o = run(&check_smtp_ops, &cfg);
	CHECK(!o.ok);
	CHECK(strstr(o.why, "connect: Connection refused") != NULL);

	/* two hosts, both good: both see HELO */
	smtp_srv_start(&s1, "127.0.0.1", SM_OK);
	smtp_srv_start(&s2, "::1", SM_OK);
	cfg_init(&cfg, CHECK_SMTP, "192.0.2.99", 25, 2000000); /* unused with hosts */
	memset(hosts, 0, sizeof(hosts));
	addr_parse("127.0.0.1", &hosts[0].addr);
	hosts[0].port = s1.port;
	addr_parse("::1", &hosts[1].addr);
	hosts[1].port = s2.port; /* timeout 0: the checker's */
	hosts[0].connect_timeout_us = 1000000;
	cfg.u.smtp.hosts = hosts;
	cfg.u.smtp.n_hosts = 2;
	cfg.u.smtp.helo_name = "two.example";
	o = run(&check_smtp_ops, &cfg);
	CHECK(o.ok);
	CHECK_STR(s1.helo, "two.example");
	CHECK_STR(s2.helo, "two.example");
	smtp_srv_stop(&s2);

	/* two hosts, the second bad: fails, naming it */
	smtp_srv_start(&s2, "::1", SM_BANNER_554);
	hosts[1].port = s2.port;
	s1.accepted = 0;
	o = run(&check_smtp_ops, &cfg);
	CHECK(!o.ok);
	snprintf(want, sizeof(want), "SMTP [::1]:%u: banner 554, expected 220", s2.port);
	CHECK_STR(o.why, want);
	CHECK_INT(s1.accepted, 1);
	CHECK_INT(s2.accepted, 1);

	/* the first bad: the second is not tried */
	smtp_srv_stop(&s1);
	smtp_srv_stop(&s2);
	smtp_srv_start(&s1, "127.0.0.1", SM_SILENT);
	smtp_srv_start(&s2, "::1", SM_OK);
	hosts[0].port = s1.port;
	hosts[0].connect_timeout_us = 150000;
	hosts[1].port = s2.port;
	o = run(&check_smtp_ops, &cfg);
	CHECK(!o.ok);
	snprintf(want, sizeof(want), "SMTP [127.0.0.1]:%u: timeout (150ms) waiting for the banner",
	         s1.port);
	CHECK_STR(o.why, want);
	CHECK_INT(s2.accepted, 0);
	smtp_srv_stop(&s1);
	smtp_srv_stop(&s2);

	/* a helo_name that would inject a command */
	smtp_srv_start(&s1, "127.0.0.1", SM_OK);
	cfg_init(&cfg, CHECK_SMTP, "127.0.0.1", s1.port, 2000000);
	cfg.u.smtp.helo_name = "x\r\nRCPT TO:<a@b>";
	o = run(&check_smtp_ops, &cfg);
	CHECK(!o.ok);
	CHECK(strstr(o.why, "helo_name") != NULL);
	CHECK_INT(s1.accepted, 0);
	smtp_srv_stop(&s1);
}

/* cancel() in mid-dialogue: no report, nothing left behind (ASan). */
static void test_smtp_cancel(void)
{
	struct check_io io = {.base = base};
	struct check_attempt *a;
	struct smtp_srv s;
	struct check_cfg cfg;
	struct res r = {0};
	int i;

	smtp_srv_start(&s, "127.0.0.1", SM_SILENT);
	s.break_on_accept = true;
	cfg_init(&cfg, CHECK_SMTP, "127.0.0.1", s.port, 2000000);
	a = check_smtp_ops.start(&io, &cfg, 0, on_done, &r);
	CHECK(a != NULL);
	for (i = 0; i < 100 && s.accepted == 0 && r.calls == 0; i++)
		event_base_loop(base, EVLOOP_ONCE);
	CHECK_INT(s.accepted, 1);
	check_smtp_ops.cancel(a);
	event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK_INT(r.calls, 0);
	smtp_srv_stop(&s);

	/* cancel before the loop ever ran: also for a start that failed
	 * early and has its report queued */
	cfg_init(&cfg, CHECK_SMTP, "127.0.0.1", closed_port("127.0.0.1", SOCK_STREAM), 2000000);
	cfg.u.smtp.helo_name = "bad\n";
	a = check_smtp_ops.start(&io, &cfg, 0, on_done, &r);
	CHECK(a != NULL);
	check_smtp_ops.cancel(a);
	event_base_loop(base, EVLOOP_NONBLOCK);
	CHECK_INT(r.calls, 0);
}

/* ---- DNS responder -------------------------------------------------------- */

enum dns_mode { DM_OK, DM_WRONG_ID_FIRST, DM_RCODE2, DM_QUERY_ECHO };

struct dns_srv {
	enum dns_mode mode;
	int fd;
	uint16_t port;
	struct event *ev;
	uint8_t q[512];
	size_t qlen;
	unsigned queries;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	struct event *late;
};

static void dns_send(struct dns_srv *s, uint16_t id, uint8_t rcode)
{
	uint8_t r[512];

	memcpy(r, s->q, s->qlen);
	r[0] = (uint8_t)(id >> 8);
	r[1] = (uint8_t)id;
	r[2] = 0x81; /* QR, RD */
	r[3] = 0x80 | rcode;
	sendto(s->fd, r, s->qlen, 0, (struct sockaddr *)&s->peer, s->peerlen);
}

static void dns_late_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns_srv *s = arg;

	(void)fd;
	(void)what;
	dns_send(s, (uint16_t)(s->q[0] << 8 | s->q[1]), 0);
}

static void dns_srv_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dns_srv *s = arg;
	ssize_t n;

	(void)what;
	s->peerlen = sizeof(s->peer);
	n = recvfrom(fd, s->q, sizeof(s->q), 0, (struct sockaddr *)&s->peer, &s->peerlen);
	if (n < DNS_HDR_LEN)
		return;
	s->qlen = (size_t)n;
	s->queries++;
	switch (s->mode) {
	case DM_OK:
		dns_send(s, (uint16_t)(s->q[0] << 8 | s->q[1]), 0);
		break;
	case DM_WRONG_ID_FIRST: {
		struct timeval tv = {0, 50000};

		/* a stray reply first; the right one on a later loop turn */
		dns_send(s, (uint16_t) ~(s->q[0] << 8 | s->q[1]), 0);
		s->late = evtimer_new(base, dns_late_cb, s);
		evtimer_add(s->late, &tv);
		break;
	}
	case DM_RCODE2:
		dns_send(s, (uint16_t)(s->q[0] << 8 | s->q[1]), 2);
		break;
	case DM_QUERY_ECHO:
		sendto(fd, s->q, s->qlen, 0, (struct sockaddr *)&s->peer, s->peerlen);
		break;
	}
}

static void dns_srv_start(struct dns_srv *s, const char *ip, enum dns_mode mode)
{
	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->fd = bound(ip, SOCK_DGRAM, &s->port);
	s->ev = event_new(base, s->fd, EV_READ | EV_PERSIST, dns_srv_cb, s);
	event_add(s->ev, NULL);
}

static void dns_srv_stop(struct dns_srv *s)
{
	if (s->late)
		event_free(s->late);
	event_free(s->ev);
	close(s->fd);
}

static void test_dns(void)
{
	static const uint8_t q_example_a_tail[] = {0x07, 'e',  'x',  'a',  'm', 'p',
	                                           'l',  'e',  0x03, 'c',  'o', 'm',
	                                           0x00, 0x00, 0x01, 0x00, 0x01};
	struct check_outcome o;
	struct check_cfg cfg;
	struct dns_srv s;
	char want[160];
	uint16_t id1;

	/* defaults: ". SOA" */
	dns_srv_start(&s, "127.0.0.1", DM_OK);
	cfg_init(&cfg, CHECK_DNS, "127.0.0.1", s.port, 2000000);
	o = run(&check_dns_ops, &cfg);
	CHECK(o.ok);
	CHECK_INT(s.queries, 1);
	CHECK_INT(s.qlen, 17);
	CHECK_INT(s.q[2], 0x01); /* RD */
	CHECK_INT(s.q[5], 1);    /* QDCOUNT */
	CHECK_INT(s.q[12], 0);   /* root */
	CHECK_INT(s.q[14], 6);   /* SOA */
	CHECK_INT(s.q[16], 1);   /* IN */
	id1 = (uint16_t)(s.q[0] << 8 | s.q[1]);
	/* a given name and type; a new ID each time (1 in 65536 to collide) */
	cfg.u.dns.name = "example.com";
	cfg.u.dns.qtype = 1;
	o = run(&check_dns_ops, &cfg);
	CHECK(o.ok);
	CHECK_INT(s.qlen, 12 + sizeof(q_example_a_tail));
	CHECK(memcmp(s.q + 12, q_example_a_tail, sizeof(q_example_a_tail)) == 0);
	CHECK(id1 != (uint16_t)(s.q[0] << 8 | s.q[1]));
	dns_srv_stop(&s);

	/* IPv6 */
	dns_srv_start(&s, "::1", DM_OK);
	cfg_init(&cfg, CHECK_DNS, "::1", s.port, 2000000);
	o = run(&check_dns_ops, &cfg);
	CHECK(o.ok);
	dns_srv_stop(&s);

	/* wrong ID first, then the right one */
	dns_srv_start(&s, "127.0.0.1", DM_WRONG_ID_FIRST);
	cfg_init(&cfg, CHECK_DNS, "127.0.0.1", s.port, 2000000);
	o = run(&check_dns_ops, &cfg);
	CHECK(o.ok);
	CHECK(s.late != NULL);
	dns_srv_stop(&s);

	/* SERVFAIL */
	dns_srv_start(&s, "::1", DM_RCODE2);
	cfg_init(&cfg, CHECK_DNS, "::1", s.port, 2000000);
	o = run(&check_dns_ops, &cfg);
	CHECK(!o.ok);
	snprintf(want, sizeof(want), "DNS [::1]:%u: rcode 2 (SERVFAIL)", s.port);
	CHECK_STR(o.why, want);
	dns_srv_stop(&s);

	/* an echo server is not a DNS server */
	dns_srv_start(&s, "127.0.0.1", DM_QUERY_ECHO);
	cfg_init(&cfg, CHECK_DNS, "127.0.0.1", s.port, 2000000);
	o = run(&check_dns_ops, &cfg);
	CHECK(!o.ok);
	CHECK(strstr(o.why, "QR bit clear") != NULL);
	dns_srv_stop(&s);

	/* no server: ICMP port unreachable, well before the timeout */
	cfg_init(&cfg, CHECK_DNS, "127.0.0.1", closed_port("127.0.0.1", SOCK_DGRAM), 5000000);
	o = run(&check_dns_ops, &cfg);
	snprintf(want, sizeof(want), "DNS [127.0.0.1]:%u: ICMP error: Connection refused",
	         cfg.conn.port);
	CHECK_STR(o.why, want);
	cfg_init(&cfg, CHECK_DNS, "::1", closed_port("::1", SOCK_DGRAM), 5000000);
	o = run(&check_dns_ops, &cfg);
	CHECK(!o.ok);
	CHECK(strstr(o.why, "Connection refused") != NULL);

	/* silence: a bound socket that never answers */
	{
		uint16_t port;
		int fd = bound("127.0.0.1", SOCK_DGRAM, &port);

		cfg_init(&cfg, CHECK_DNS, "127.0.0.1", port, 150000);
		o = run(&check_dns_ops, &cfg);
		snprintf(want, sizeof(want), "DNS [127.0.0.1]:%u: no reply within 150ms", port);
		CHECK_STR(o.why, want);
		close(fd);
	}

	/* a name that cannot be encoded */
	cfg_init(&cfg, CHECK_DNS, "127.0.0.1", 53, 150000);
	cfg.u.dns.name = "a..b";
	o = run(&check_dns_ops, &cfg);
	CHECK(!o.ok);
	CHECK(strstr(o.why, "empty label") != NULL);
}

/* ---- UDP ------------------------------------------------------------------ */

enum udp_mode { UM_ECHO, UM_SILENT };

struct udp_srv {
	enum udp_mode mode;
	int fd;
	uint16_t port;
	struct event *ev;
	unsigned got;
	size_t last_len;
};

static void udp_srv_cb(evutil_socket_t fd, short what, void *arg)
{
	struct udp_srv *s = arg;
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	uint8_t buf[2048];
	ssize_t n;

	(void)what;
	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen);
	if (n < 0)
		return;
	s->got++;
	s->last_len = (size_t)n;
	if (s->mode == UM_ECHO)
		sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&peer, plen);
}

static void udp_srv_start(struct udp_srv *s, const char *ip, enum udp_mode mode)
{
	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->fd = bound(ip, SOCK_DGRAM, &s->port);
	s->ev = event_new(base, s->fd, EV_READ | EV_PERSIST, udp_srv_cb, s);
	event_add(s->ev, NULL);
}

static void udp_srv_stop(struct udp_srv *s)
{
	event_free(s->ev);
	close(s->fd);
}

static void test_udp_ip(const char *ip)
{
	static uint8_t payload[] = "hello";
	static uint8_t pat_ok[] = {'h', 'e', 0x60};
	static uint8_t mask_ok[] = {0xff, 0xff, 0xf0};
	static uint8_t pat_bad[] = {'x', 'y', 'z'};
	struct check_outcome o;
	struct check_cfg cfg;
	struct udp_srv s;
	char want[160], who[64];

	udp_srv_start(&s, ip, UM_ECHO);
	snprintf(who, sizeof(who), "UDP [%s]:%u", ip, s.port);
	cfg_init(&cfg, CHECK_UDP, ip, s.port, 2000000);
	cfg.u.udp.payload = payload;
	cfg.u.udp.payload_len = 5;
	cfg.u.udp.require_reply = true;
	cfg.u.udp.max_reply_len = 255;
	/* any reply */
	o = run(&check_udp_ops, &cfg);
	CHECK(o.ok);
	CHECK_INT(s.last_len, 5);
	/* pattern with a wildcard nibble: "he" then 0x6X ('l' = 0x6c) */
	cfg.u.udp.reply = pat_ok;
	cfg.u.udp.reply_mask = mask_ok;
	cfg.u.udp.reply_len = 3;
	o = run(&check_udp_ops, &cfg);
	CHECK(o.ok);
	/* mismatch */
	cfg.u.udp.reply = pat_bad;
	cfg.u.udp.reply_mask = NULL;
	o = run(&check_udp_ops, &cfg);
	snprintf(want, sizeof(want), "%s: reply byte 0 is 68, expected 78", who);
	CHECK_STR(o.why, want);
	/* too long */
	cfg.u.udp.reply = NULL;
	cfg.u.udp.reply_len = 0;
	cfg.u.udp.max_reply_len = 4;
	o = run(&check_udp_ops, &cfg);
	snprintf(want, sizeof(want), "%s: reply 5 bytes, above max_reply_length 4", who);
	CHECK_STR(o.why, want);
	/* too short */
	cfg.u.udp.max_reply_len = 255;
	cfg.u.udp.min_reply_len = 6;
	o = run(&check_udp_ops, &cfg);
	snprintf(want, sizeof(want), "%s: reply 5 bytes, below min_reply_length 6", who);
	CHECK_STR(o.why, want);
	cfg.u.udp.min_reply_len = 0;
	/* empty payload, echoed empty */
	cfg.u.udp.payload = NULL;
	cfg.u.udp.payload_len = 0;
	s.got = 0;
	o = run(&check_udp_ops, &cfg);
	CHECK(o.ok);
	CHECK_INT(s.got, 1);
	CHECK_INT(s.last_len, 0);
	/* no reply required, and one comes: ok at once */
	cfg.u.udp.require_reply = false;
	cfg.u.udp.payload = payload;
	cfg.u.udp.payload_len = 5;
	o = run(&check_udp_ops, &cfg);
	CHECK(o.ok);
	udp_srv_stop(&s);

	/* silent server */
	udp_srv_start(&s, ip, UM_SILENT);
	cfg_init(&cfg, CHECK_UDP, ip, s.port, 150000);
	cfg.u.udp.max_reply_len = 255;
	cfg.u.udp.require_reply = true;
	o = run(&check_udp_ops, &cfg);
	snprintf(want, sizeof(want), "UDP [%s]:%u: no reply within 150ms", ip, s.port);
	CHECK_STR(o.why, want);
	/* without require_reply: no ICMP error by the timeout = up */
	cfg.u.udp.require_reply = false;
	s.got = 0;
	o = run(&check_udp_ops, &cfg);
	CHECK(o.ok);
	CHECK_INT(s.got, 1);
	udp_srv_stop(&s);

	/* closed port: ICMP port unreachable fails both kinds */
	cfg_init(&cfg, CHECK_UDP, ip, closed_port(ip, SOCK_DGRAM), 5000000);
	cfg.u.udp.max_reply_len = 255;
	o = run(&check_udp_ops, &cfg);
	snprintf(want, sizeof(want), "UDP [%s]:%u: ICMP error: Connection refused", ip,
	         cfg.conn.port);
	CHECK_STR(o.why, want);
	cfg.u.udp.require_reply = true;
	o = run(&check_udp_ops, &cfg);
	CHECK_STR(o.why, want);
}

/* ---- PING ----------------------------------------------------------------- */

static void test_ping(void)
{
	struct check_outcome o;
	struct check_cfg cfg;
	unsigned raw0;

	cfg_init(&cfg, CHECK_PING, "127.0.0.1", 80, 2000000);
	o = run(&check_ping_ops, &cfg);
	CHECK(o.ok);
	CHECK_STR(o.why, "");
	cfg_init(&cfg, CHECK_PING, "::1", 0, 2000000);
	o = run(&check_ping_ops, &cfg);
	CHECK(o.ok);

	/* the raw fallback (what ping_group_range refusing leads to) */
	chk_ping_force_raw = true;
	raw0 = chk_ping_raw_opened;
	cfg_init(&cfg, CHECK_PING, "127.0.0.1", 80, 2000000);
	o = run(&check_ping_ops, &cfg);
	CHECK(o.ok);
	cfg_init(&cfg, CHECK_PING, "::1", 0, 2000000);
	o = run(&check_ping_ops, &cfg);
	CHECK(o.ok);
	CHECK_INT(chk_ping_raw_opened, raw0 + 2);
	chk_ping_force_raw = false;
	if (!o.ok)
		fprintf(stderr, "ping: %s\n", o.why);
}

/* Is gid inside ping_group_range (datagram ICMP sockets allowed)? */
static bool ping_gid_allowed(unsigned long gid)
{
	unsigned long lo = 1, hi = 0;
	FILE *f = fopen("/proc/sys/net/ipv4/ping_group_range", "r");

	if (f) {
		if (fscanf(f, "%lu %lu", &lo, &hi) != 2)
			lo = 1, hi = 0;
		fclose(f);
	}
	return gid >= lo && gid <= hi;
}

/* The real refusal: a child drops to a group outside ping_group_range
 * (keeping uid 0, so CAP_NET_RAW), and socket() says EACCES. */
static void test_ping_eacces(void)
{
	const unsigned long gid = 65534;
	int status = -1;
	pid_t pid;

	if (getuid() != 0) {
		printf("test_ping_eacces: not root, skipped\n");
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct check_outcome o;
		struct check_cfg cfg;
		unsigned raw0 = chk_ping_raw_opened;
		bool allowed = ping_gid_allowed(gid);

		/* a base of its own: the parent's epoll set is shared */
		base = event_base_new();
		if (!base || setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0)
			_exit(3);
		cfg_init(&cfg, CHECK_PING, "127.0.0.1", 0, 2000000);
		o = run(&check_ping_ops, &cfg);
		CHECK(o.ok);
		cfg_init(&cfg, CHECK_PING, "::1", 0, 2000000);
		o = run(&check_ping_ops, &cfg);
		CHECK(o.ok);
		if (!allowed)
			CHECK_INT(chk_ping_raw_opened, raw0 + 2);
		fflush(NULL);
		_exit(t_failures ? 1 : 0);
	}
	CHECK(pid > 0);
	if (pid > 0)
		CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	base = event_base_new();
	if (!base)
		return 2;
	test_smtp();
	test_smtp_cancel();
	test_dns();
	test_udp_ip("127.0.0.1");
	test_udp_ip("::1");
	test_ping();
	test_ping_eacces();
	event_base_free(base);
	return check_report("test_chk_proto");
}
