/* HTTP_GET and SSL_GET: one attempt fetches one URL and checks the status
 * code and the MD5 of the body.  genhash fetches through the same code.
 *
 * Cost per attempt matters (thousands of checks per second): one
 * allocation holds the events, the parser and the result; the request is
 * rebuilt on a stack buffer when the socket is writable and the response
 * read into a stack buffer, so nothing else is allocated on the plain
 * path.  Plain HTTP uses a raw event + recv(); TLS drives the SSL object
 * directly on the same event, so both share one state machine.
 *
 * The socket is registered once, edge-triggered for both directions: no
 * epoll_ctl when the fetch turns from writing to reading or when TLS wants
 * the other direction.  Each step therefore runs until EAGAIN (or yields
 * with event_active()), as edge triggering requires. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "check/check.h"
#include "check/check_tls.h"
#include "check/chk_http.h"
#include "check/http_parse.h"
#include "lib/addr.h"
#include "lib/log.h"
#include "lib/mtime.h"

#define DEFAULT_TIMEOUT_US 5000000u
#define REQ_MAX 8192
#define READ_CHUNK 16384
/* recv() calls per wakeup: a peer that floods us yields to the others. */
#define READS_PER_WAKEUP 8

enum fetch_state {
	ST_CONNECT,
	ST_HANDSHAKE,
	ST_WRITE,
	ST_READ,
	ST_FAILED, /* failed before the loop ran: report from the loop */
	ST_FINISHED,
};

struct http_fetch {
	struct event ev;    /* the socket */
	struct event timer; /* the deadline of the whole fetch; deferred reports */
	struct event_base *base;
	struct http_fetch_req req;
	http_fetch_done_fn done;
	void *arg;
	bool self_free; /* allocated by http_fetch_start */
	bool ev_set;
	bool rd_edge; /* this wakeup reported the socket readable */
	enum fetch_state st;
	int fd;
	SSL *ssl;
	size_t wr_off;
	uint64_t timeout_us;
	EVP_MD_CTX *mdctx;
	struct http_resp resp;
	struct http_fetch_result res;
};

/* ---- digests ----------------------------------------------------------------- */

/* Contexts are recycled: EVP_MD_CTX_new + free per attempt is measurable
 * at thousands of checks per second.  The checker is single-threaded. */
#define MD_POOL 32
static EVP_MD_CTX *md_pool[MD_POOL];
static unsigned md_pool_n;

static EVP_MD_CTX *md_get(const EVP_MD *md)
{
	EVP_MD_CTX *c = md_pool_n ? md_pool[--md_pool_n] : EVP_MD_CTX_new();

	if (c && !EVP_DigestInit_ex2(c, md, NULL)) {
		EVP_MD_CTX_free(c);
		c = NULL;
	}
	return c;
}

static void md_put(EVP_MD_CTX *c)
{
	if (md_pool_n < MD_POOL)
		md_pool[md_pool_n++] = c;
	else
		EVP_MD_CTX_free(c);
}

const EVP_MD *http_md5(void)
{
	/* An explicit fetch once, instead of an implicit one per init. */
	static EVP_MD *md5;

	if (!md5)
		md5 = EVP_MD_fetch(NULL, "MD5", NULL);
	return md5;
}

/* ---- the request ------------------------------------------------------------- */

int http_request_fmt(char *buf, size_t len, const struct http_fetch_req *req)
{
	static const char *const ver[] = {
	    [HTTP_PROTO_10] = "1.0", [HTTP_PROTO_10C] = "1.0", [HTTP_PROTO_11] = "1.1"};
	const struct check_conn *c = req->conn;
	char host[KA_ADDRSTRLEN + 2], port[8] = "";
	uint16_t dflt = req->ssl_ctx ? 443 : 80;
	int n;

	host[0] = '\0';
	if (req->vhost) {
		/* given as is */
	} else if (c->addr.family == AF_INET6) {
		char a[KA_ADDRSTRLEN];

		snprintf(host, sizeof(host), "[%s]", addr_fmt(&c->addr, a, sizeof(a)));
	} else {
		addr_fmt(&c->addr, host, sizeof(host));
	}
	/* RFC 9110 §7.2: the port may be left out when it is the scheme's. */
	if (c->port != dflt)
		snprintf(port, sizeof(port), ":%u", c->port);
	n = snprintf(buf, len,
	             "GET %s HTTP/%s\r\n"
	             "User-Agent: KeepAliveClient\r\n"
	             "%s"
	             "Host: %s%s\r\n"
	             "\r\n",
	             req->path, ver[req->proto],
	             req->proto == HTTP_PROTO_10 ? "" : "Connection: close\r\n",
	             req->vhost ? req->vhost : host, port);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}

/* ---- the state machine ------------------------------------------------------- */

static void fetch_cb(evutil_socket_t fd, short what, void *arg);

static void fetch_release(struct http_fetch *f)
{
	if (f->ev_set)
		event_del(&f->ev);
	f->ev_set = false;
	event_del(&f->timer);
	if (f->ssl) {
		/* close_notify only once the handshake is done; one try, no
		 * wait for the peer's: the connection is over either way. */
		if (f->req.tls_compliant && SSL_is_init_finished(f->ssl))
			(void)SSL_shutdown(f->ssl);
		SSL_free(f->ssl);
		f->ssl = NULL;
		ERR_clear_error();
	}
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->mdctx)
		md_put(f->mdctx);
	f->mdctx = NULL;
}

static void fetch_finish(struct http_fetch *f)
{
	bool self_free = f->self_free;

	f->st = ST_FINISHED;
	if (f->res.ok && f->mdctx) {
		unsigned len = 0;

		if (EVP_DigestFinal_ex(f->mdctx, f->res.digest, &len))
			f->res.digest_len = len;
	}
	f->res.resp = &f->resp;
	fetch_release(f);
	f->done(f->arg, &f->res);
	/* done() of an embedded fetch frees the container; ours we free. */
	if (self_free)
		free(f);
}

static void fetch_fail(struct http_fetch *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void fetch_fail(struct http_fetch *f, const char *fmt, ...)
{
	va_list ap;

	f->res.ok = false;
	va_start(ap, fmt);
	vsnprintf(f->res.why, sizeof(f->res.why), fmt, ap);
	va_end(ap);
	fetch_finish(f);
}

static void fetch_ok(struct http_fetch *f)
{
	f->res.ok = true;
	f->res.why[0] = '\0';
	fetch_finish(f);
}

static int watch(struct http_fetch *f)
{
	event_assign(&f->ev, f->base, f->fd, EV_READ | EV_WRITE | EV_ET | EV_PERSIST, fetch_cb, f);
	f->ev_set = event_add(&f->ev, NULL) == 0;
	return f->ev_set ? 0 : -1;
}

static const char *phase(enum fetch_state st)
{
	switch (st) {
	case ST_CONNECT:
		return "connecting";
	case ST_HANDSHAKE:
		return "in the TLS handshake";
	case ST_WRITE:
		return "sending the request";
	default:
		return "waiting for the response";
	}
}

static void conn_error(struct http_fetch *f, int err)
{
	if (err == ECONNREFUSED)
		fetch_fail(f, "connection refused");
	else
		fetch_fail(f, "connect: %s", strerror(err));
}

/* Does the TLS layer only wait for the socket?  Both directions are
 * watched already. */
static bool tls_waits(struct http_fetch *f, int ret)
{
	int e = SSL_get_error(f->ssl, ret);

	return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

static void tls_fail(struct http_fetch *f, const char *what, int ret)
{
	char r[128];
	int e = SSL_get_error(f->ssl, ret);

	check_tls_reason(e, errno, r, sizeof(r));
	fetch_fail(f, "%s: %s", what, r);
}

static void do_read(struct http_fetch *f);

static void do_write(struct http_fetch *f)
{
	char req[REQ_MAX];
	int len = http_request_fmt(req, sizeof(req), &f->req);

	if (len < 0) {
		fetch_fail(f, "request longer than %d bytes", REQ_MAX);
		return;
	}
	while (f->wr_off < (size_t)len) {
		ssize_t n;

		if (f->ssl) {
			int r = SSL_write(f->ssl, req + f->wr_off, len - (int)f->wr_off);

			if (r <= 0) {
				if (!tls_waits(f, r))
					tls_fail(f, "TLS write", r);
				return;
			}
			n = r;
		} else {
			n = send(f->fd, req + f->wr_off, (size_t)len - f->wr_off, MSG_NOSIGNAL);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK ||
				    (f->st == ST_CONNECT && errno == ENOTCONN))
					return; /* wait for the next edge */
				if (f->st == ST_CONNECT)
					conn_error(f, errno);
				else
					fetch_fail(f, "send: %s", strerror(errno));
				return;
			}
		}
		f->st = ST_WRITE;
		f->wr_off += (size_t)n;
	}
	f->st = ST_READ;
	/* The readable edge may have come with this very wakeup (a server
	 * that answers without waiting for us): it will not come again. */
	if (f->rd_edge)
		do_read(f);
}

static void do_handshake(struct http_fetch *f)
{
	int r;

	errno = 0;
	r = SSL_connect(f->ssl);
	if (r == 1) {
		f->st = ST_WRITE;
		do_write(f);
		return;
	}
	if (!tls_waits(f, r))
		tls_fail(f, "TLS handshake failed", r);
}

static void start_tls_or_write(struct http_fetch *f)
{
	char err[128];

	if (!f->req.ssl_ctx) {
		f->st = ST_WRITE;
		do_write(f);
		return;
	}
	f->ssl = check_tls_conn_new(f->req.ssl_ctx, f->fd, f->req.sni, err, sizeof(err));
	if (!f->ssl) {
		fetch_fail(f, "%s", err);
		return;
	}
	f->st = ST_HANDSHAKE;
	do_handshake(f);
}

/* Bytes of the response: parse, hash, report.  1 = finished (f is gone). */
static int got_bytes(struct http_fetch *f, const uint8_t *p, size_t n)
{
	const char *why;
	enum http_resp_state s = http_resp_feed(&f->resp, p, n, &why);

	if (f->req.on_data) {
		if (f->resp.last_hdr)
			f->req.on_data(f->req.data_arg, true, p, f->resp.last_hdr);
		if (f->resp.last_body)
			f->req.on_data(f->req.data_arg, false, p + f->resp.last_hdr,
			               f->resp.last_body);
	}
	if (s == HTTP_RESP_ERROR) {
		fetch_fail(f, "%s", why);
		return 1;
	}
	if (s == HTTP_RESP_DONE) {
		fetch_ok(f);
		return 1;
	}
	return 0;
}

static void got_eof(struct http_fetch *f)
{
	const char *why;

	if (http_resp_eof(&f->resp, &why) < 0)
		fetch_fail(f, "%s", why);
	else
		fetch_ok(f);
}

static void do_read(struct http_fetch *f)
{
	uint8_t buf[READ_CHUNK];
	int i;

	for (i = 0; i < READS_PER_WAKEUP; i++) {
		ssize_t n;

		if (f->ssl) {
			int r;

			errno = 0;
			r = SSL_read(f->ssl, buf, sizeof(buf));
			if (r <= 0) {
				int e = SSL_get_error(f->ssl, r);

				if (e == SSL_ERROR_ZERO_RETURN) {
					got_eof(f);
				} else if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 &&
				           errno == 0) {
					got_eof(f); /* TCP FIN without close_notify */
				} else if (!tls_waits(f, r)) {
					tls_fail(f, "TLS read", r);
				}
				return;
			}
			n = r;
		} else {
			n = recv(f->fd, buf, sizeof(buf), 0);
			if (n == 0) {
				got_eof(f);
				return;
			}
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno != EAGAIN && errno != EWOULDBLOCK)
					fetch_fail(f, "read: %s", strerror(errno));
				return;
			}
		}
		if (got_bytes(f, buf, (size_t)n))
			return;
	}
	/* Not drained: no new edge will come, so come back after the others. */
	event_active(&f->ev, EV_READ, 1);
}

static void fetch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_fetch *f = arg;
	int err = 0;
	socklen_t len = sizeof(err);

	f->rd_edge = (what & EV_READ) != 0;
	switch (f->st) {
	case ST_CONNECT:
		/* Plain: send() itself reports a failed connect, one syscall
		 * less than asking SO_ERROR first. */
		if (!f->req.ssl_ctx) {
			do_write(f);
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err) {
			conn_error(f, err);
			return;
		}
		start_tls_or_write(f);
		return;
	case ST_HANDSHAKE:
		do_handshake(f);
		return;
	case ST_WRITE:
		do_write(f);
		return;
	case ST_READ:
		do_read(f);
		return;
	default:
		return;
	}
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_fetch *f = arg;

	(void)fd;
	(void)what;
	if (f->st == ST_FAILED) {
		f->res.ok = false;
		fetch_finish(f);
		return;
	}
	fetch_fail(f, "timeout after %.1f s %s", (double)f->timeout_us / 1e6, phase(f->st));
}

/* Failure before the loop ran: report it from the loop, as promised. */
static void defer_fail(struct http_fetch *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void defer_fail(struct http_fetch *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->res.why, sizeof(f->res.why), fmt, ap);
	va_end(ap);
	f->st = ST_FAILED;
	event_active(&f->timer, EV_TIMEOUT, 1);
}

/* Errors of our own resources (not of the target): no attempt at all. */
static bool local_exhaustion(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

static int fetch_begin(struct http_fetch *f, struct event_base *base,
                       const struct http_fetch_req *req, http_fetch_done_fn done, void *arg)
{
	char why[128];
	struct timeval tv;

	memset(f, 0, offsetof(struct http_fetch, resp));
	f->base = base;
	f->req = *req;
	f->done = done;
	f->arg = arg;
	f->fd = -1;
	f->st = ST_CONNECT;
	f->timeout_us =
	    req->conn->connect_timeout_us ? req->conn->connect_timeout_us : DEFAULT_TIMEOUT_US;
	f->res.ok = false;
	f->res.why[0] = '\0';
	f->res.digest_len = 0;
	f->res.resp = &f->resp;
	event_assign(&f->timer, base, -1, 0, timer_cb, f);
	if (req->md) {
		f->mdctx = md_get(req->md);
		if (!f->mdctx) {
			errno = ENOMEM;
			return -1;
		}
	}
	http_resp_init(&f->resp, f->mdctx);

	f->fd = check_sock_connect(req->conn, SOCK_STREAM, 0, why, sizeof(why));
	if (f->fd < 0) {
		int err = errno;

		if (local_exhaustion(err)) {
			fetch_release(f);
			errno = err;
			return -1;
		}
		if (err == ECONNREFUSED)
			defer_fail(f, "connection refused");
		else
			defer_fail(f, "%s", why);
		return 0;
	}
	us_to_timeval(f->timeout_us, &tv);
	if (watch(f) < 0 || event_add(&f->timer, &tv) < 0) {
		fetch_release(f);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

struct http_fetch *http_fetch_start(struct event_base *base, const struct http_fetch_req *req,
                                    http_fetch_done_fn done, void *arg)
{
	struct http_fetch *f = malloc(sizeof(*f));

	if (!f)
		return NULL;
	if (fetch_begin(f, base, req, done, arg) < 0) {
		int err = errno;

		free(f);
		errno = err;
		return NULL;
	}
	f->self_free = true;
	return f;
}

void http_fetch_cancel(struct http_fetch *f)
{
	bool self_free = f->self_free;

	fetch_release(f);
	if (self_free)
		free(f);
}

/* ---- HTTP_GET / SSL_GET ------------------------------------------------------ */

struct check_attempt {
	struct http_fetch f; /* first: the fetch is the attempt */
	const struct check_cfg *cfg;
	const struct check_http_url *url;
	check_done_fn done;
	void *arg;
};

static const struct check_status_range default_status = {200, 299};

static bool status_ok(const struct check_http_url *u, int code)
{
	const struct check_status_range *r = u->n_status ? u->status : &default_status;
	unsigned i, n = u->n_status ? u->n_status : 1;

	for (i = 0; i < n; i++)
		if (code >= r[i].lo && code <= r[i].hi)
			return true;
	return false;
}

/* "200-299" or "200,301-302" (truncated to the buffer). */
static void status_fmt(const struct check_http_url *u, char *buf, size_t len)
{
	const struct check_status_range *r = u->n_status ? u->status : &default_status;
	unsigned i, n = u->n_status ? u->n_status : 1;
	size_t off = 0;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		int k;

		if (r[i].lo == r[i].hi)
			k = snprintf(buf + off, len - off, "%s%u", i ? "," : "", r[i].lo);
		else
			k = snprintf(buf + off, len - off, "%s%u-%u", i ? "," : "", r[i].lo,
			             r[i].hi);
		if (k < 0)
			break;
		off += (size_t)k;
	}
}

static void attempt_done(void *arg, const struct http_fetch_result *r)
{
	struct check_attempt *a = arg;
	const struct check_http_url *u = a->url;
	const struct http_resp *resp = r->resp;
	struct check_outcome o = {.ok = false, .dyn_weight = -1};
	check_done_fn done = a->done;
	void *darg = a->arg;

	if (!r->ok) {
		check_outcome_fail(&o, "%s", r->why);
	} else if (!status_ok(u, resp->status)) {
		char ranges[64];

		status_fmt(u, ranges, sizeof(ranges));
		check_outcome_fail(&o, "HTTP status %d not in %s", resp->status, ranges);
	} else if (u->has_digest &&
	           (r->digest_len != 16 || memcmp(r->digest, u->digest, 16) != 0)) {
		char got[33], want[33];

		http_hex(r->digest, 16, got);
		http_hex(u->digest, 16, want);
		check_outcome_fail(&o, "digest mismatch: got %s, expected %s", got, want);
	} else {
		o.ok = true;
	}
	if (r->ok && http_resp_short(resp)) {
		char b[KA_ADDRSTRLEN];

		/* Upstream only logs this; so do we. */
		log_info("%s %s %s: Content-Length %llu but %llu body bytes received",
		         check_type_str(a->cfg->type),
		         addr_port_fmt(&a->cfg->conn.addr, a->cfg->conn.port, b, sizeof(b)),
		         u->path, (unsigned long long)resp->clen,
		         (unsigned long long)resp->body_len);
	}
	free(a);
	done(darg, &o);
}

static struct check_attempt *attempt_start(const struct check_io *io, const struct check_cfg *cfg,
                                           unsigned step, check_done_fn done, void *arg, bool tls)
{
	const struct check_http *h = &cfg->u.http;
	const struct check_http_url *u;
	struct http_fetch_req req = {0};
	struct check_attempt *a;

	if (h->n_urls == 0) {
		errno = EINVAL;
		return NULL;
	}
	u = &h->urls[step % h->n_urls];
	a = malloc(sizeof(*a));
	if (!a)
		return NULL;
	a->cfg = cfg;
	a->url = u;
	a->done = done;
	a->arg = arg;
	req.conn = &cfg->conn;
	req.path = u->path;
	req.vhost = u->virtualhost ? u->virtualhost : h->virtualhost;
	req.proto = h->proto;
	if (tls) {
		req.ssl_ctx = io->ssl_ctx;
		if (h->enable_sni || h->sni_name)
			req.sni = h->sni_name ? h->sni_name : req.vhost;
		req.tls_compliant = h->tls_compliant;
	}
	if (u->has_digest) {
		req.md = http_md5();
		if (!req.md) {
			free(a);
			errno = ENOSYS;
			return NULL;
		}
	}
	if (fetch_begin(&a->f, io->base, &req, attempt_done, a) < 0) {
		int err = errno;

		free(a);
		errno = err;
		return NULL;
	}
	if (tls && !io->ssl_ctx && a->f.st == ST_CONNECT) {
		/* No context: the engine could not build it (logged then). */
		if (a->f.ev_set)
			event_del(&a->f.ev);
		a->f.ev_set = false;
		event_del(&a->f.timer);
		defer_fail(&a->f, "no TLS context (see the SSL block errors)");
	}
	return a;
}

static struct check_attempt *http_start(const struct check_io *io, const struct check_cfg *cfg,
                                        unsigned step, check_done_fn done, void *arg)
{
	return attempt_start(io, cfg, step, done, arg, false);
}

static struct check_attempt *ssl_start(const struct check_io *io, const struct check_cfg *cfg,
                                       unsigned step, check_done_fn done, void *arg)
{
	return attempt_start(io, cfg, step, done, arg, true);
}

static void attempt_cancel(struct check_attempt *a)
{
	fetch_release(&a->f);
	free(a);
}

const struct check_type_ops check_http_ops = {
    .type = CHECK_HTTP,
    .start = http_start,
    .cancel = attempt_cancel,
};

const struct check_type_ops check_ssl_ops = {
    .type = CHECK_SSL,
    .start = ssl_start,
    .cancel = attempt_cancel,
};
