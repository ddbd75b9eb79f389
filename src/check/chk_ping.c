/* PING_CHECK: one ICMP (v6) echo request, success on the matching reply
 * within connect_timeout.
 *
 * An unprivileged ICMP datagram socket is preferred: the kernel picks the
 * echo ID, computes the checksum and delivers only our replies, without
 * the IP header.  When ping_group_range refuses it (EACCES), a raw socket
 * does the same job (we run as root): then the IPv4 header is in front of
 * every message, the ICMPv4 checksum is ours to compute, and every ICMP
 * message from the target comes in, so the ID, sequence and payload
 * cookie pick out our reply.  ping_group_range itself is left alone. */
#include <errno.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check/chk_core.h"
#include "check/chk_ping.h"

bool chk_ping_force_raw;
unsigned chk_ping_raw_opened;

#define ECHO_HDR 8
#define COOKIE_LEN 16
#define T_ECHO4 8
#define T_REPLY4 0
#define T_ECHO6 128
#define T_REPLY6 129

struct check_attempt {
	struct chk_core core; /* first */
	uint64_t timeout_us;
	bool raw, v6;
	uint16_t id, seq;
	uint8_t pkt[ECHO_HDR + COOKIE_LEN];
};

static uint16_t inet_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void build_echo(struct check_attempt *a)
{
	uint8_t *p = a->pkt;
	uint16_t ck;

	p[0] = a->v6 ? T_ECHO6 : T_ECHO4;
	p[1] = 0;
	p[2] = p[3] = 0;
	p[4] = (uint8_t)(a->id >> 8);
	p[5] = (uint8_t)a->id;
	p[6] = (uint8_t)(a->seq >> 8);
	p[7] = (uint8_t)a->seq;
	chk_random(p + ECHO_HDR, COOKIE_LEN);
	/* ICMPv6 checksums cover a pseudo-header: the kernel does them on
	 * both socket kinds.  ICMPv4 on a datagram socket too, but it costs
	 * nothing to have it right for the raw one. */
	if (!a->v6) {
		ck = inet_csum(p, sizeof(a->pkt));
		p[2] = (uint8_t)(ck >> 8);
		p[3] = (uint8_t)ck;
	}
}

/* Is this message (ICMP header first) our echo reply? */
static bool is_our_reply(const struct check_attempt *a, const uint8_t *m, size_t len)
{
	if (len < sizeof(a->pkt))
		return false;
	if (m[0] != (a->v6 ? T_REPLY6 : T_REPLY4) || m[1] != 0)
		return false;
	/* a datagram socket's ID is the kernel's, and it demultiplexes on it */
	if (a->raw && (uint16_t)(m[4] << 8 | m[5]) != a->id)
		return false;
	if ((uint16_t)(m[6] << 8 | m[7]) != a->seq)
		return false;
	return memcmp(m + ECHO_HDR, a->pkt + ECHO_HDR, COOKIE_LEN) == 0;
}

static void on_readable(struct check_attempt *a)
{
	uint8_t buf[1500];
	unsigned seen = 0;

	/* bounded: other ICMP traffic must not starve the loop */
	while (seen++ < 64) {
		ssize_t n = recv(a->core.fd, buf, sizeof(buf), 0);
		const uint8_t *m = buf;
		size_t len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			chk_fail(&a->core, "ICMP error: %s", strerror(errno));
			return;
		}
		len = (size_t)n;
		if (a->raw && !a->v6) {
			size_t ihl;

			if (len < 20)
				continue;
			ihl = (size_t)(buf[0] & 0x0f) * 4;
			if (ihl < 20 || ihl > len)
				continue;
			m += ihl;
			len -= ihl;
		}
		if (is_our_reply(a, m, len)) {
			chk_succeed(&a->core);
			return;
		}
	}
}

static void on_io(evutil_socket_t fd, short what, void *arg)
{
	struct check_attempt *a = arg;

	(void)fd;
	if (what & EV_WRITE) {
		chk_dgram_resend(&a->core, on_io, a, a->pkt, sizeof(a->pkt));
		return;
	}
	on_readable(a);
}

static void on_timeout(struct chk_core *c)
{
	struct check_attempt *a = (struct check_attempt *)c;
	char d[32];

	chk_fail(c, "no echo reply within %s", chk_dur_fmt(a->timeout_us, d, sizeof(d)));
}

/* Only echo replies reach a raw socket: less to wake up for. */
static void raw_filter(int fd, bool v6)
{
	if (v6) {
		struct icmp6_filter f;

		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(T_REPLY6, &f);
		(void)setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	} else {
		struct icmp_filter f = {.data = ~(1U << T_REPLY4)};

		(void)setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
	}
}

static int open_socket(struct check_attempt *a, const struct check_conn *conn, char *why,
                       size_t whylen)
{
	struct check_conn c = *conn;
	int proto = a->v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	int fd = -1;

	c.port = 0; /* a raw IPv6 socket would take a port for a protocol */
	if (!chk_ping_force_raw) {
		fd = check_sock_connect(&c, SOCK_DGRAM, proto, why, whylen);
		if (fd >= 0)
			return fd;
		/* only a refused socket(), not a failed bind or connect */
		if (strncmp(why, "socket:", 7) != 0 ||
		    (errno != EACCES && errno != EPERM && errno != EPROTONOSUPPORT &&
		     errno != ESOCKTNOSUPPORT))
			return -1;
	}
	a->raw = true;
	chk_ping_raw_opened++;
	fd = check_sock_connect(&c, SOCK_RAW, proto, why, whylen);
	if (fd >= 0)
		raw_filter(fd, a->v6);
	return fd;
}

static struct check_attempt *ping_start(const struct check_io *io, const struct check_cfg *cfg,
                                        unsigned step, check_done_fn done, void *arg)
{
	struct check_attempt *a = calloc(1, sizeof(*a));
	char why[sizeof(a->core.out.why)];
	int fd;

	(void)step;
	if (!a)
		return NULL;
	chk_core_init(&a->core, io, done, arg, on_timeout);
	chk_core_who(&a->core, "PING", &cfg->conn.addr, 0, false);
	a->timeout_us = chk_timeout_us(&cfg->conn);
	a->v6 = cfg->conn.addr.family == AF_INET6;
	chk_random(&a->id, sizeof(a->id));
	chk_random(&a->seq, sizeof(a->seq));
	fd = open_socket(a, &cfg->conn, why, sizeof(why));
	if (fd < 0) {
		chk_fail_later(&a->core, "%s", why);
		return a;
	}
	build_echo(a);
	chk_dgram_begin(&a->core, fd, cfg->conn.addr.family, a->timeout_us, on_io, a, a->pkt,
	                sizeof(a->pkt));
	return a;
}

static void ping_cancel(struct check_attempt *a)
{
	chk_cancel(&a->core);
}

const struct check_type_ops check_ping_ops = {
    .type = CHECK_PING,
    .start = ping_start,
    .cancel = ping_cancel,
};
