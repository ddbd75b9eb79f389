/* SMTP_CHECK: every host in turn must greet with 220, take HELO with 250,
 * then gets QUIT and is closed.  connect_timeout bounds each host's whole
 * dialogue; the first host that fails fails the attempt. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check/chk_core.h"
#include "check/smtp_parse.h"

enum smtp_phase { SMTP_CONNECT, SMTP_BANNER, SMTP_HELO, SMTP_QUIT };

static const char *const phase_what[] = {
    [SMTP_CONNECT] = "connecting",
    [SMTP_BANNER] = "the banner",
    [SMTP_HELO] = "the HELO reply",
    [SMTP_QUIT] = "sending QUIT",
};

struct check_attempt {
	struct chk_core core; /* first */
	const struct check_cfg *cfg;
	unsigned host;
	uint64_t timeout_us; /* of the current host */
	enum smtp_phase phase;
	struct smtp_reply rep;
	const char *out; /* being sent: helo or QUIT */
	size_t out_len, out_off;
	size_t helo_len;
	char helo[SMTP_LINE_MAX];
};

static const char quit_cmd[] = "QUIT\r\n";

static const struct check_conn *host_conn(const struct check_attempt *a)
{
	const struct check_smtp *s = &a->cfg->u.smtp;

	return s->n_hosts ? &s->hosts[a->host] : &a->cfg->conn;
}

static void on_io(evutil_socket_t fd, short what, void *arg);

/* Connects to the current host.  -1 with the reason in why. */
static int host_begin(struct check_attempt *a, char *why, size_t whylen)
{
	const struct check_conn *conn = host_conn(a);
	int fd;

	chk_core_who(&a->core, "SMTP", &conn->addr, conn->port, true);
	a->timeout_us =
	    conn->connect_timeout_us ? conn->connect_timeout_us : chk_timeout_us(&a->cfg->conn);
	fd = check_sock_connect(conn, SOCK_STREAM, 0, why, whylen);
	if (fd < 0)
		return -1;
	a->phase = SMTP_CONNECT;
	smtp_reply_init(&a->rep);
	chk_core_watch(&a->core, fd, EV_WRITE, on_io, a);
	chk_core_arm(&a->core, a->timeout_us);
	return 0;
}

static void host_end(struct check_attempt *a)
{
	char why[sizeof(a->core.out.why)];

	chk_core_close_fd(&a->core);
	if (++a->host >= a->cfg->u.smtp.n_hosts) {
		chk_succeed(&a->core);
		return;
	}
	if (host_begin(a, why, sizeof(why)) < 0)
		chk_fail(&a->core, "%s", why);
}

/* 0 = all sent (or waiting to send the rest), -1 = the attempt is over. */
static int flush(struct check_attempt *a)
{
	while (a->out_off < a->out_len) {
		ssize_t n =
		    send(a->core.fd, a->out + a->out_off, a->out_len - a->out_off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				chk_core_rewatch(&a->core, EV_WRITE | EV_PERSIST, on_io, a);
				return 0;
			}
			chk_fail(&a->core, "send: %s", strerror(errno));
			return -1;
		}
		a->out_off += (size_t)n;
	}
	if (a->phase == SMTP_QUIT) {
		host_end(a);
		return -1;
	}
	chk_core_rewatch(&a->core, EV_READ | EV_PERSIST, on_io, a);
	return 0;
}

static int send_cmd(struct check_attempt *a, enum smtp_phase next, const char *cmd, size_t len)
{
	a->phase = next;
	a->out = cmd;
	a->out_len = len;
	a->out_off = 0;
	smtp_reply_init(&a->rep);
	return flush(a);
}

/* A whole reply came: 0 = go on, -1 = the attempt is over or moved on. */
static int on_reply(struct check_attempt *a)
{
	int code = a->rep.code;

	if (a->phase == SMTP_BANNER) {
		if (code != 220) {
			chk_fail(&a->core, "banner %d, expected 220", code);
			return -1;
		}
		return send_cmd(a, SMTP_HELO, a->helo, a->helo_len);
	}
	if (code != 250) {
		chk_fail(&a->core, "HELO reply %d, expected 250", code);
		return -1;
	}
	/* QUIT is sent and the socket closed: its 221 tells nothing more. */
	send_cmd(a, SMTP_QUIT, quit_cmd, sizeof(quit_cmd) - 1);
	return -1;
}

static void on_readable(struct check_attempt *a)
{
	uint8_t buf[SMTP_LINE_MAX];

	for (;;) {
		ssize_t n = recv(a->core.fd, buf, sizeof(buf), 0);
		size_t off = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			chk_fail(&a->core, "recv: %s", strerror(errno));
			return;
		}
		if (n == 0) {
			chk_fail(&a->core, "connection closed before %s", phase_what[a->phase]);
			return;
		}
		/* Several replies may come in one read; feed them in turn. */
		while (off < (size_t)n) {
			const char *why = NULL;
			size_t used;
			int r = smtp_reply_parse(&a->rep, buf + off, (size_t)n - off, &used, &why);

			off += used;
			if (r == SMTP_PARSE_ERROR) {
				chk_fail(&a->core, "bad %s: %s",
				         a->phase == SMTP_BANNER ? "banner" : "HELO reply", why);
				return;
			}
			if (r == SMTP_PARSE_DONE && on_reply(a) < 0)
				return;
		}
	}
}

static void on_io(evutil_socket_t fd, short what, void *arg)
{
	struct check_attempt *a = arg;

	(void)fd;
	if (a->phase == SMTP_CONNECT) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(a->core.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			chk_fail(&a->core, "connect: %s", strerror(err));
			return;
		}
		a->phase = SMTP_BANNER;
		chk_core_rewatch(&a->core, EV_READ | EV_PERSIST, on_io, a);
		return;
	}
	if (what & EV_WRITE) {
		flush(a);
		return;
	}
	on_readable(a);
}

static void on_timeout(struct chk_core *c)
{
	struct check_attempt *a = (struct check_attempt *)c;
	char d[32];

	chk_fail(c, "timeout (%s) %s%s", chk_dur_fmt(a->timeout_us, d, sizeof(d)),
	         a->phase == SMTP_CONNECT || a->phase == SMTP_QUIT ? "" : "waiting for ",
	         phase_what[a->phase]);
}

/* "HELO name\r\n"; -1 when the name cannot go on a command line. */
static int build_helo(struct check_attempt *a, const char *name)
{
	char host[256];
	size_t l;

	if (!name || !*name) {
		if (gethostname(host, sizeof(host)) < 0 || !host[0])
			strcpy(host, "localhost");
		host[sizeof(host) - 1] = 0;
		name = host;
	}
	l = strlen(name);
	if (strpbrk(name, "\r\n") || 5 + l + 2 > sizeof(a->helo))
		return -1;
	memcpy(a->helo, "HELO ", 5);
	memcpy(a->helo + 5, name, l);
	memcpy(a->helo + 5 + l, "\r\n", 2);
	a->helo_len = 5 + l + 2;
	return 0;
}

static struct check_attempt *smtp_start(const struct check_io *io, const struct check_cfg *cfg,
                                        unsigned step, check_done_fn done, void *arg)
{
	struct check_attempt *a = calloc(1, sizeof(*a));
	char why[sizeof(a->core.out.why)];

	(void)step;
	if (!a)
		return NULL;
	chk_core_init(&a->core, io, done, arg, on_timeout);
	a->cfg = cfg;
	a->host = 0;
	if (build_helo(a, cfg->u.smtp.helo_name) < 0) {
		chk_core_who(&a->core, "SMTP", &host_conn(a)->addr, host_conn(a)->port, true);
		chk_fail_later(&a->core, "helo_name unusable (line break or too long)");
		return a;
	}
	if (host_begin(a, why, sizeof(why)) < 0)
		chk_fail_later(&a->core, "%s", why);
	return a;
}

static void smtp_cancel(struct check_attempt *a)
{
	chk_cancel(&a->core);
}

const struct check_type_ops check_smtp_ops = {
    .type = CHECK_SMTP,
    .start = smtp_start,
    .cancel = smtp_cancel,
};
