/* The asynchronous SMTP client: see smtp_client.h.  One allocation per
 * session holds its socket, its events and its copy of the configuration;
 * finish() reports and frees it, so every path that calls finish() returns
 * at once. */
#include <errno.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/util.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check/smtp_parse.h"
#include "lib/addr.h"
#include "lib/log.h"
#include "lib/mtime.h"
#include "notify/smtp_client.h"
#include "notify/smtp_msg.h"

#define SMTP_MAX_ADDRS 4
#define SMTP_CMD_MAX (SMTP_ADDR_MAX + 32)

enum smtp_st {
	ST_START,
	ST_RESOLVE,
	ST_CONNECT,
	ST_BANNER,
	ST_EHLO,
	ST_HELO,
	ST_MAIL,
	ST_RCPT,
	ST_DATA,
	ST_BODY,
	ST_QUIT,
};

static const char *const st_name[] = {
    "start", "resolve", "connect", "banner",  "EHLO", "HELO",
    "MAIL",  "RCPT",    "DATA",    "message", "QUIT",
};

struct smtp_client {
	struct event_base *base;
	struct evdns_base *dns;
	struct evdns_getaddrinfo_request *dns_req;
	bool orphan;     /* aborted while resolving: the resolver callback frees */
	bool in_resolve; /* inside evdns_getaddrinfo (it may answer at once) */
	bool sync_done;
	int sync_err;
	struct evutil_addrinfo *sync_res;

	smtp_client_done_fn done;
	void *arg;
	char *server, *helo, *from, **to;
	size_t n_to;
	uint16_t port;
	uint64_t step_us;
	char who[SMTP_EV_NAME_MAX + 16]; /* "[192.0.2.1]:25" / "mail.example:25" */

	struct sockaddr_storage addrs[SMTP_MAX_ADDRS];
	socklen_t alen[SMTP_MAX_ADDRS];
	size_t n_addrs, cur;
	char conn_err[96];

	int fd;
	bool fd_events; /* ev_rd / ev_wr assigned to fd */
	struct event ev_rd, ev_wr, ev_step, ev_deadline, ev_kick;
	enum smtp_st st;

	const char *out;
	size_t out_len, out_off;
	char cmd[SMTP_CMD_MAX];
	char *payload;
	size_t payload_len;

	struct smtp_reply reply;
	char rline[120]; /* the first line of the last reply, for logs */
	size_t rline_len;
	bool rline_done;

	size_t rcpt_i, rcpt_ok;
	bool accepted; /* 250 after the message */
};

static void client_free(struct smtp_client *c)
{
	size_t i;

	free(c->server);
	free(c->helo);
	free(c->from);
	for (i = 0; i < c->n_to; i++)
		free(c->to[i]);
	free(c->to);
	free(c->payload);
	free(c);
}

/* Stops every event and closes the socket (the session itself stays). */
static void teardown(struct smtp_client *c)
{
	if (c->fd_events) {
		event_del(&c->ev_rd);
		event_del(&c->ev_wr);
		c->fd_events = false;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	event_del(&c->ev_step);
	event_del(&c->ev_deadline);
	event_del(&c->ev_kick);
}

static void finish(struct smtp_client *c, bool ok, const char *why)
{
	teardown(c);
	c->done(c->arg, ok, why);
	client_free(c);
}

__attribute__((format(printf, 2, 3))) static void fail(struct smtp_client *c, const char *fmt, ...)
{
	char what[256], why[640], line[sizeof(c->rline)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	smtp_clean(line, sizeof(line), c->rline);
	if (c->st >= ST_BANNER && c->rline_len)
		snprintf(why, sizeof(why), "%s: %s (%s), reply '%s'", c->who, what, st_name[c->st],
		         line);
	else
		snprintf(why, sizeof(why), "%s: %s (%s)", c->who, what, st_name[c->st]);
	finish(c, false, why);
}

static void arm_step(struct smtp_client *c)
{
	struct timeval tv;

	us_to_timeval(c->step_us, &tv);
	event_add(&c->ev_step, &tv);
}

static void start_reply(struct smtp_client *c)
{
	smtp_reply_init(&c->reply);
	c->rline_len = 0;
	c->rline[0] = '\0';
	c->rline_done = false;
	event_del(&c->ev_wr);
	event_add(&c->ev_rd, NULL);
	arm_step(c);
}

static void start_write(struct smtp_client *c, const char *p, size_t len)
{
	c->out = p;
	c->out_len = len;
	c->out_off = 0;
	event_del(&c->ev_rd);
	event_add(&c->ev_wr, NULL);
	arm_step(c);
}

/* One command line; the argument is checked once more for line breaks so
 * that nothing can smuggle a second command in. */
static void send_cmd(struct smtp_client *c, enum smtp_st st, const char *verb, const char *arg)
{
	int n;

	c->st = st;
	if (arg && strpbrk(arg, "\r\n")) {
		fail(c, "refusing a command argument with a line break");
		return;
	}
	n = snprintf(c->cmd, sizeof(c->cmd), "%s%s\r\n", verb, arg ? arg : "");
	if (n < 0 || (size_t)n >= sizeof(c->cmd)) {
		fail(c, "command too long");
		return;
	}
	start_write(c, c->cmd, (size_t)n);
}

static void send_addr_cmd(struct smtp_client *c, enum smtp_st st, const char *verb,
                          const char *addr)
{
	char arg[SMTP_ADDR_MAX + 3];

	snprintf(arg, sizeof(arg), "<%s>", addr);
	send_cmd(c, st, verb, arg);
}

static void next_rcpt(struct smtp_client *c)
{
	if (c->rcpt_i < c->n_to) {
		send_addr_cmd(c, ST_RCPT, "RCPT TO:", c->to[c->rcpt_i++]);
		return;
	}
	if (!c->rcpt_ok) {
		fail(c, "every recipient was refused");
		return;
	}
	send_cmd(c, ST_DATA, "DATA", NULL);
}

static void on_reply(struct smtp_client *c, int code)
{
	switch (c->st) {
	case ST_BANNER:
		if (code != 220)
			break;
		send_cmd(c, ST_EHLO, "EHLO ", c->helo);
		return;
	case ST_EHLO:
	case ST_HELO:
		if (code == 250) {
			send_addr_cmd(c, ST_MAIL, "MAIL FROM:", c->from);
			return;
		}
		/* A server that does not know EHLO gets the RFC 821 greeting. */
		if (c->st == ST_EHLO && code >= 500 && code < 600) {
			send_cmd(c, ST_HELO, "HELO ", c->helo);
			return;
		}
		break;
	case ST_MAIL:
		if (code != 250)
			break;
		next_rcpt(c);
		return;
	case ST_RCPT:
		if (code == 250 || code == 251) {
			c->rcpt_ok++;
		} else {
			char line[sizeof(c->rline)];

			log_warn("SMTP alert: %s refused recipient %s: '%s'", c->who,
			         c->to[c->rcpt_i - 1], smtp_clean(line, sizeof(line), c->rline));
		}
		next_rcpt(c);
		return;
	case ST_DATA:
		if (code != 354)
			break;
		c->st = ST_BODY;
		start_write(c, c->payload, c->payload_len);
		return;
	case ST_BODY:
		if (code != 250)
			break;
		c->accepted = true;
		send_cmd(c, ST_QUIT, "QUIT", NULL);
		return;
	case ST_QUIT:
		finish(c, true, NULL);
		return;
	default:
		break;
	}
	fail(c, "unexpected reply %d", code);
}

static void capture_line(struct smtp_client *c, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n && !c->rline_done; i++) {
		if (p[i] == '\r' || p[i] == '\n')
			c->rline_done = true;
		else if (c->rline_len + 1 < sizeof(c->rline))
			c->rline[c->rline_len++] = (char)p[i];
	}
	c->rline[c->rline_len] = '\0';
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_client *c = arg;
	uint8_t buf[1024];
	const char *why = NULL;
	size_t used = 0;
	ssize_t n;
	int r;

	(void)what;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		if (c->st == ST_QUIT)
			finish(c, true, NULL);
		else
			fail(c, "receive: %s", strerror(errno));
		return;
	}
	if (n == 0) {
		if (c->st == ST_QUIT)
			finish(c, true, NULL);
		else
			fail(c, "connection closed by the server");
		return;
	}
	r = smtp_reply_parse(&c->reply, buf, (size_t)n, &used, &why);
	capture_line(c, buf, r == SMTP_PARSE_ERROR ? (size_t)n : used);
	if (r == SMTP_PARSE_ERROR) {
		fail(c, "bad reply: %s", why ? why : "?");
		return;
	}
	if (r == SMTP_PARSE_MORE)
		return;
	/* We never pipeline: a server talking out of turn is not followed. */
	if (used < (size_t)n && c->st != ST_QUIT) {
		fail(c, "unexpected data after the reply");
		return;
	}
	on_reply(c, c->reply.code);
}

static void connect_next(struct smtp_client *c);

static void on_write(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_client *c = arg;
	ssize_t n;

	(void)what;
	if (c->st == ST_CONNECT) {
		int err = 0;
		socklen_t el = sizeof(err);

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
		if (err) {
			snprintf(c->conn_err, sizeof(c->conn_err), "connect: %s", strerror(err));
			c->cur++;
			connect_next(c);
			return;
		}
		c->st = ST_BANNER;
		start_reply(c);
		return;
	}
	while (c->out_off < c->out_len) {
		n = send(fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			fail(c, "send: %s", strerror(errno));
			return;
		}
		c->out_off += (size_t)n;
	}
	start_reply(c);
}

static void connect_next(struct smtp_client *c)
{
	if (c->fd_events) {
		event_del(&c->ev_rd);
		event_del(&c->ev_wr);
		c->fd_events = false;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	for (; c->cur < c->n_addrs; c->cur++) {
		int fd = socket(c->addrs[c->cur].ss_family,
		                SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd < 0) {
			snprintf(c->conn_err, sizeof(c->conn_err), "socket: %s", strerror(errno));
			continue;
		}
		if (connect(fd, (struct sockaddr *)&c->addrs[c->cur], c->alen[c->cur]) < 0 &&
		    errno != EINPROGRESS) {
			snprintf(c->conn_err, sizeof(c->conn_err), "connect: %s", strerror(errno));
			close(fd);
			continue;
		}
		c->fd = fd;
		event_assign(&c->ev_rd, c->base, fd, EV_READ | EV_PERSIST, on_read, c);
		event_assign(&c->ev_wr, c->base, fd, EV_WRITE | EV_PERSIST, on_write, c);
		c->fd_events = true;
		c->st = ST_CONNECT;
		event_add(&c->ev_wr, NULL);
		arm_step(c);
		return;
	}
	c->st = ST_CONNECT;
	fail(c, "%s", c->conn_err[0] ? c->conn_err : "no address to connect to");
}

static void resolved(struct smtp_client *c, int err, struct evutil_addrinfo *res)
{
	struct evutil_addrinfo *ai;

	event_del(&c->ev_step);
	if (err) {
		if (res)
			evutil_freeaddrinfo(res);
		fail(c, "cannot resolve the server: %s", evutil_gai_strerror(err));
		return;
	}
	for (ai = res; ai && c->n_addrs < SMTP_MAX_ADDRS; ai = ai->ai_next) {
		struct sockaddr_storage *ss = &c->addrs[c->n_addrs];

		if ((ai->ai_family != AF_INET && ai->ai_family != AF_INET6) ||
		    ai->ai_addrlen > sizeof(*ss))
			continue;
		memcpy(ss, ai->ai_addr, ai->ai_addrlen);
		if (ss->ss_family == AF_INET)
			((struct sockaddr_in *)ss)->sin_port = htons(c->port);
		else
			((struct sockaddr_in6 *)ss)->sin6_port = htons(c->port);
		c->alen[c->n_addrs++] = (socklen_t)ai->ai_addrlen;
	}
	if (res)
		evutil_freeaddrinfo(res);
	connect_next(c);
}

static void on_dns(int err, struct evutil_addrinfo *res, void *arg)
{
	struct smtp_client *c = arg;

	if (c->in_resolve) {
		c->sync_done = true;
		c->sync_err = err;
		c->sync_res = res;
		return;
	}
	c->dns_req = NULL;
	if (c->orphan) {
		if (res)
			evutil_freeaddrinfo(res);
		client_free(c);
		return;
	}
	resolved(c, err, res);
}

static void start(struct smtp_client *c)
{
	struct evutil_addrinfo hints;
	struct evdns_getaddrinfo_request *req;
	struct ka_addr a;

	if (addr_parse(c->server, &a) == 0) {
		c->alen[0] = addr_to_sockaddr(&a, c->port, &c->addrs[0]);
		c->n_addrs = 1;
		connect_next(c);
		return;
	}
	c->st = ST_RESOLVE;
	if (!c->dns) {
		fail(c, "no resolver for the host name");
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	arm_step(c);
	c->in_resolve = true;
	req = evdns_getaddrinfo(c->dns, c->server, NULL, &hints, on_dns, c);
	c->in_resolve = false;
	if (c->sync_done) {
		resolved(c, c->sync_err, c->sync_res);
		return;
	}
	if (!req) {
		fail(c, "cannot start the resolver");
		return;
	}
	c->dns_req = req;
}

static void on_kick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	start(arg);
}

static void on_step_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_client *c = arg;

	(void)fd;
	(void)what;
	if (c->st == ST_CONNECT) {
		snprintf(c->conn_err, sizeof(c->conn_err), "connect: timed out");
		c->cur++;
		connect_next(c);
		return;
	}
	if (c->st == ST_RESOLVE && c->dns_req) {
		/* The resolver answers the cancel later: the session is its own. */
		struct evdns_getaddrinfo_request *req = c->dns_req;
		char why[256];

		snprintf(why, sizeof(why), "%s: timed out (resolve)", c->who);
		teardown(c);
		c->done(c->arg, false, why);
		c->orphan = true;
		evdns_getaddrinfo_cancel(req);
		return;
	}
	fail(c, "timed out");
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_client *c = arg;

	(void)fd;
	(void)what;
	if (c->st == ST_RESOLVE && c->dns_req) {
		on_step_timeout(fd, what, arg);
		return;
	}
	fail(c, "session deadline passed");
}

struct smtp_client *smtp_client_send(struct event_base *base, struct evdns_base *dns,
                                     const struct smtp_client_cfg *cfg, char *payload, size_t len,
                                     smtp_client_done_fn done, void *arg)
{
	struct smtp_client *c = calloc(1, sizeof(*c));
	struct timeval tv;
	size_t i;
	bool oom = !c;

	if (c) {
		c->fd = -1;
		c->base = base;
		c->dns = dns;
		c->done = done;
		c->arg = arg;
		c->payload = payload;
		c->payload_len = len;
		payload = NULL;
		c->port = cfg->port ? cfg->port : 25;
		c->step_us = cfg->step_timeout_us ? cfg->step_timeout_us : 30000000ULL;
		c->server = strdup(cfg->server ? cfg->server : "");
		c->helo = strdup(cfg->helo ? cfg->helo : "localhost");
		c->from = strdup(cfg->from ? cfg->from : "");
		c->to = calloc(cfg->n_to ? cfg->n_to : 1, sizeof(char *));
		oom = !c->server || !c->helo || !c->from || !c->to;
		for (i = 0; !oom && i < cfg->n_to; i++) {
			c->to[i] = strdup(cfg->to[i]);
			oom = !c->to[i];
			c->n_to = i + 1;
		}
	}
	if (oom) {
		free(payload);
		if (c)
			client_free(c);
		return NULL;
	}
	if (strchr(c->server, ':'))
		snprintf(c->who, sizeof(c->who), "[%.*s]:%u", SMTP_EV_NAME_MAX - 1, c->server,
		         c->port);
	else
		snprintf(c->who, sizeof(c->who), "%.*s:%u", SMTP_EV_NAME_MAX - 1, c->server,
		         c->port);
	evtimer_assign(&c->ev_step, base, on_step_timeout, c);
	evtimer_assign(&c->ev_deadline, base, on_deadline, c);
	evtimer_assign(&c->ev_kick, base, on_kick, c);
	us_to_timeval(cfg->deadline_us ? cfg->deadline_us : 3 * c->step_us, &tv);
	event_add(&c->ev_deadline, &tv);
	/* done must never run inside this call: start from the loop. */
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	event_add(&c->ev_kick, &tv);
	return c;
}

void smtp_client_abort(struct smtp_client *c)
{
	if (!c)
		return;
	teardown(c);
	if (c->dns_req) {
		struct evdns_getaddrinfo_request *req = c->dns_req;

		c->orphan = true;
		evdns_getaddrinfo_cancel(req);
		return;
	}
	client_free(c);
}
