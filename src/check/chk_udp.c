/* UDP_CHECK: send the payload (maybe empty) on a connected UDP socket.
 *
 * With require_reply the first datagram back must pass udp_reply_match
 * within connect_timeout.  Without it there is no positive signal to wait
 * for: like upstream, the check relies on the ICMP port/host unreachable
 * that a dead service provokes, so it waits out the whole connect_timeout
 * and succeeds when no error came back.  A datagram back proves the
 * service is there, so it ends the wait early with success. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check/chk_core.h"
#include "check/udp_match.h"

struct check_attempt {
	struct chk_core core; /* first */
	const struct check_udp *u;
	uint64_t timeout_us;
	bool sent;
};

/* Larger than any max_reply_length that makes sense; MSG_TRUNC still
 * tells the true length of a longer datagram. */
#define UDP_RX_MAX 65536

static void on_io(evutil_socket_t fd, short what, void *arg);

static void on_readable(struct check_attempt *a)
{
	static uint8_t buf[UDP_RX_MAX]; /* single-threaded; only read here */
	char why[sizeof(a->core.out.why)];
	ssize_t n;

	do
		n = recv(a->core.fd, buf, sizeof(buf), MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		chk_fail(&a->core, "ICMP error: %s", strerror(errno));
		return;
	}
	if (!a->u->require_reply) {
		chk_succeed(&a->core);
		return;
	}
	/* With MSG_TRUNC n is the datagram's real length; a datagram beyond
	 * the buffer is beyond any sane max_reply_length too. */
	if ((size_t)n > sizeof(buf) && (size_t)n <= a->u->max_reply_len) {
		chk_fail(&a->core, "reply %zd bytes, too long to check", n);
		return;
	}
	if (udp_reply_match(a->u, buf, (size_t)n, why, sizeof(why)) < 0) {
		chk_fail(&a->core, "%s", why);
		return;
	}
	chk_succeed(&a->core);
}

static void on_io(evutil_socket_t fd, short what, void *arg)
{
	struct check_attempt *a = arg;

	(void)fd;
	if (what & EV_WRITE) {
		static const uint8_t empty[1];

		if (chk_dgram_resend(&a->core, on_io, a, a->u->payload ? a->u->payload : empty,
		                     a->u->payload ? a->u->payload_len : 0) > 0)
			a->sent = true;
		return;
	}
	on_readable(a);
}

static void on_timeout(struct chk_core *c)
{
	struct check_attempt *a = (struct check_attempt *)c;
	char d[32];

	if (a->sent && !a->u->require_reply) {
		chk_succeed(c); /* no ICMP error: presumed up */
		return;
	}
	chk_fail(c, "no reply within %s", chk_dur_fmt(a->timeout_us, d, sizeof(d)));
}

static struct check_attempt *udp_start(const struct check_io *io, const struct check_cfg *cfg,
                                       unsigned step, check_done_fn done, void *arg)
{
	struct check_attempt *a = calloc(1, sizeof(*a));
	char why[sizeof(a->core.out.why)];
	int fd;

	(void)step;
	if (!a)
		return NULL;
	chk_core_init(&a->core, io, done, arg, on_timeout);
	chk_core_who(&a->core, "UDP", &cfg->conn.addr, cfg->conn.port, true);
	a->u = &cfg->u.udp;
	a->timeout_us = chk_timeout_us(&cfg->conn);
	fd = check_sock_connect(&cfg->conn, SOCK_DGRAM, 0, why, sizeof(why));
	if (fd < 0) {
		chk_fail_later(&a->core, "%s", why);
		return a;
	}
	{
		static const uint8_t empty[1];
		const uint8_t *p = a->u->payload ? a->u->payload : empty;

		if (chk_dgram_begin(&a->core, fd, cfg->conn.addr.family, a->timeout_us, on_io, a, p,
		                    a->u->payload ? a->u->payload_len : 0) > 0)
			a->sent = true;
	}
	return a;
}

static void udp_cancel(struct check_attempt *a)
{
	chk_cancel(&a->core);
}

const struct check_type_ops check_udp_ops = {
    .type = CHECK_UDP,
    .start = udp_start,
    .cancel = udp_cancel,
};
