/* DNS_CHECK: one query over UDP to conn addr:port; the first datagram
 * carrying our ID decides.  Datagrams with another ID (late replies to an
 * earlier attempt) are skipped; an ICMP error (port unreachable on the
 * connected socket) fails at once; silence fails at connect_timeout. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check/chk_core.h"
#include "check/dns_parse.h"

struct check_attempt {
	struct chk_core core; /* first */
	uint64_t timeout_us;
	size_t qlen;
	uint8_t query[DNS_QUERY_MAX];
};

static void on_io(evutil_socket_t fd, short what, void *arg);

static void on_readable(struct check_attempt *a)
{
	/* Big enough for any header + question; longer replies are cut,
	 * which is fine as only those are looked at. */
	uint8_t buf[1024];
	unsigned skipped = 0;

	/* bounded: a flood of foreign datagrams must not starve the loop */
	while (skipped < 64) {
		ssize_t n = recv(a->core.fd, buf, sizeof(buf), 0);
		const char *why = NULL;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			chk_fail(&a->core, "ICMP error: %s", strerror(errno));
			return;
		}
		switch (dns_reply_check(buf, (size_t)n, a->query, a->qlen, NULL, &why)) {
		case DNS_REPLY_OK:
			chk_succeed(&a->core);
			return;
		case DNS_REPLY_BAD:
			chk_fail(&a->core, "%s", why);
			return;
		case DNS_REPLY_IGNORE:
			skipped++;
			break;
		}
	}
}

static void on_io(evutil_socket_t fd, short what, void *arg)
{
	struct check_attempt *a = arg;

	(void)fd;
	if (what & EV_WRITE) {
		/* the first send found the socket buffer full */
		chk_dgram_resend(&a->core, on_io, a, a->query, a->qlen);
		return;
	}
	on_readable(a);
}

static void on_timeout(struct chk_core *c)
{
	struct check_attempt *a = (struct check_attempt *)c;
	char d[32];

	chk_fail(c, "no reply within %s", chk_dur_fmt(a->timeout_us, d, sizeof(d)));
}

static struct check_attempt *dns_start(const struct check_io *io, const struct check_cfg *cfg,
                                       unsigned step, check_done_fn done, void *arg)
{
	const struct check_dns *d = &cfg->u.dns;
	struct check_attempt *a = calloc(1, sizeof(*a));
	char why[sizeof(a->core.out.why)];
	const char *bad = NULL;
	uint16_t id;
	int len, fd;

	(void)step;
	if (!a)
		return NULL;
	chk_core_init(&a->core, io, done, arg, on_timeout);
	chk_core_who(&a->core, "DNS", &cfg->conn.addr, cfg->conn.port, true);
	a->timeout_us = chk_timeout_us(&cfg->conn);
	chk_random(&id, sizeof(id));
	len = dns_query_build(id, d->name ? d->name : ".", d->qtype ? d->qtype : DNS_TYPE_SOA,
	                      a->query, sizeof(a->query), &bad);
	if (len < 0) {
		chk_fail_later(&a->core, "name %s: %s", d->name ? d->name : ".", bad);
		return a;
	}
	a->qlen = (size_t)len;
	fd = check_sock_connect(&cfg->conn, SOCK_DGRAM, 0, why, sizeof(why));
	if (fd < 0) {
		chk_fail_later(&a->core, "%s", why);
		return a;
	}
	chk_dgram_begin(&a->core, fd, cfg->conn.addr.family, a->timeout_us, on_io, a, a->query,
	                a->qlen);
	return a;
}

static void dns_cancel(struct check_attempt *a)
{
	chk_cancel(&a->core);
}

const struct check_type_ops check_dns_ops = {
    .type = CHECK_DNS,
    .start = dns_start,
    .cancel = dns_cancel,
};
