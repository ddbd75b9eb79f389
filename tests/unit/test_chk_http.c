/* HTTP_GET / SSL_GET against in-process loopback servers on one libevent
 * base: status, digest, ranges, timeouts, refusal, IPv6, the request as
 * sent, and TLS with a self-signed certificate made here (SNI included). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "check.h"
#include "check/check.h"
#include "check/check_tls.h"
#include "check/chk_http.h"
#include "lib/addr.h"

static struct event_base *base;

/* ---- a tiny server ------------------------------------------------------------ */

enum srv_mode {
	SRV_RESPOND,
	SRV_SILENT,
	SRV_HOLD,  /* respond, keep the connection open */
	SRV_GREET, /* respond at once, without reading the request */
};

struct srv {
	int lfd;
	uint16_t port;
	struct event *ev;
	enum srv_mode mode;
	const char *response;
	size_t response_len;
	SSL_CTX *ssl;
	char last_req[1024];
	char sni[256];
	char client_cn[64]; /* CN of the client certificate, "" = none */
	int accepted;
	int held[64];
	int n_held;
	struct bufferevent *held_bev[64];
	int n_held_bev;
};

static void srv_write_done(struct bufferevent *bev, void *arg)
{
	struct srv *s = arg;

	if (s->mode == SRV_HOLD) {
		if (s->n_held_bev < 64)
			s->held_bev[s->n_held_bev++] = bev;
		bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
		return;
	}
	bufferevent_free(bev);
}

static void srv_read(struct bufferevent *bev, void *arg)
{
	struct srv *s = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr p = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	size_t n;

	if (p.pos < 0)
		return;
	n = (size_t)p.pos + 4;
	if (n >= sizeof(s->last_req))
		n = sizeof(s->last_req) - 1;
	evbuffer_remove(in, s->last_req, n);
	s->last_req[n] = '\0';
	s->client_cn[0] = '\0';
	if (s->ssl) {
		X509 *peer = SSL_get0_peer_certificate(bufferevent_openssl_get_ssl(bev));

		if (peer)
			X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName,
			                          s->client_cn, sizeof(s->client_cn));
	}
	if (s->response_len == 0) {
		bufferevent_free(bev);
		return;
	}
	bufferevent_setcb(bev, NULL, srv_write_done, NULL, s);
	bufferevent_write(bev, s->response, s->response_len);
}

static void srv_event(struct bufferevent *bev, short what, void *arg)
{
	(void)arg;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		bufferevent_free(bev);
}

static void srv_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct srv *s = arg;
	struct bufferevent *bev;
	int fd;

	(void)what;
	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	s->accepted++;
	if (s->mode == SRV_SILENT) {
		if (s->n_held < 64)
			s->held[s->n_held++] = fd;
		else
			close(fd);
		return;
	}
	if (s->ssl) {
		SSL *ssl = SSL_new(s->ssl);

		SSL_set_app_data(ssl, s);
		bev = bufferevent_openssl_socket_new(base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
		                                     BEV_OPT_CLOSE_ON_FREE);
	} else {
		bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	}
	bufferevent_setcb(bev, srv_read, NULL, srv_event, s);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
	if (s->mode == SRV_GREET) {
		bufferevent_setcb(bev, NULL, srv_write_done, srv_event, s);
		bufferevent_write(bev, s->response, s->response_len);
	}
}

static int srv_open(struct srv *s, int family, enum srv_mode mode, const char *response)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct ka_addr a;
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->mode = mode;
	s->response = response;
	s->response_len = response ? strlen(response) : 0;
	addr_parse(family == AF_INET6 ? "::1" : "127.0.0.1", &a);
	len = addr_to_sockaddr(&a, 0, &ss);
	s->lfd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		return -1;
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s->lfd, (struct sockaddr *)&ss, len) < 0 || listen(s->lfd, 256) < 0) {
		close(s->lfd);
		return -1;
	}
	len = sizeof(ss);
	getsockname(s->lfd, (struct sockaddr *)&ss, &len);
	s->port = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                                   : ((struct sockaddr_in *)&ss)->sin_port);
	s->ev = event_new(base, s->lfd, EV_READ | EV_PERSIST, srv_accept, s);
	event_add(s->ev, NULL);
	return 0;
}

static void srv_close(struct srv *s)
{
	int i;

	event_free(s->ev);
	close(s->lfd);
	for (i = 0; i < s->n_held; i++)
		close(s->held[i]);
	for (i = 0; i < s->n_held_bev; i++)
		bufferevent_free(s->held_bev[i]);
}

/* ---- TLS server context with a fresh self-signed certificate ------------------ */

static int sni_cb(SSL *ssl, int *al, void *arg)
{
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	struct srv *s = SSL_get_app_data(ssl);

	(void)al;
	(void)arg;
	if (s)
		snprintf(s->sni, sizeof(s->sni), "%s", name ? name : "");
	return SSL_TLSEXT_ERR_OK;
}

static X509 *make_cert(const char *cn, EVP_PKEY **keyp)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *n;

	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_version(x, 2);
	X509_set_pubkey(x, key);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509_sign(x, key, EVP_sha256());
	*keyp = key;
	return x;
}

/* Client certificates are accepted whatever they are: the test only looks
 * at which one came. */
static int accept_any(int ok, X509_STORE_CTX *x)
{
	(void)ok;
	(void)x;
	return 1;
}

static SSL_CTX *server_ctx(void)
{
	EVP_PKEY *key;
	X509 *x = make_cert("ka-test", &key);
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any);
	SSL_CTX_use_certificate(ctx, x);
	SSL_CTX_use_PrivateKey(ctx, key);
	SSL_CTX_set_tlsext_servername_callback(ctx, sni_cb);
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;
}

/* ---- driving attempts --------------------------------------------------------- */

struct result {
	int calls;
	struct check_outcome o;
};

static void on_done(void *arg, const struct check_outcome *o)
{
	struct result *r = arg;

	r->calls++;
	r->o = *o;
}

static void guard_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	*(bool *)arg = true;
}

/* Run the loop until *calls reaches want, at most ms milliseconds. */
static void run_until(const int *calls, int want, int ms)
{
	bool expired = false;
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
	struct event *g = evtimer_new(base, guard_cb, &expired);

	evtimer_add(g, &tv);
	while (*calls < want && !expired)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(g);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const uint8_t hello_md5[16] = {0xb1, 0x94, 0x6a, 0xc9, 0x24, 0x92, 0xd2, 0x34,
                                      0x7c, 0x62, 0x35, 0xb4, 0xd2, 0x61, 0x11, 0x84};

static void cfg_init(struct check_cfg *c, struct check_http_url *u, enum check_type t,
                     const char *ip, uint16_t port)
{
	memset(c, 0, sizeof(*c));
	memset(u, 0, sizeof(*u));
	c->type = t;
	addr_parse(ip, &c->conn.addr);
	c->conn.port = port;
	c->conn.connect_timeout_us = 2000000;
	u->path = "/check";
	c->u.http.urls = u;
	c->u.http.n_urls = 1;
	c->n_steps = 1;
}

/* One attempt to completion. */
static struct result attempt(const struct check_type_ops *ops, const struct check_cfg *c,
                             unsigned step, void *ssl_ctx)
{
	struct check_io io = {.base = base, .ssl_ctx = ssl_ctx};
	struct result r = {0};
	struct check_attempt *a = ops->start(&io, c, step, on_done, &r);

	CHECK(a != NULL);
	CHECK_INT(r.calls, 0); /* never from inside start */
	if (a)
		run_until(&r.calls, 1, 5000);
	CHECK_INT(r.calls, 1);
	return r;
}

#define RESP_HELLO "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nServer: t\r\n\r\nhello\n"

static void test_plain(void)
{
	struct srv s;
	struct check_cfg c;
	struct check_http_url u;
	struct result r;
	char want[256];

	CHECK_INT(srv_open(&s, AF_INET, SRV_RESPOND, RESP_HELLO), 0);
	cfg_init(&c, &u, CHECK_HTTP, "127.0.0.1", s.port);

	/* 200 without digest, then with the right one */
	r = attempt(&check_http_ops, &c, 0, NULL);
	CHECK(r.o.ok);
	snprintf(want, sizeof(want),
	         "GET /check HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 127.0.0.1:%u\r\n\r\n",
	         s.port);
	CHECK_STR(s.last_req, want);
	u.has_digest = true;
	memcpy(u.digest, hello_md5, 16);
	r = attempt(&check_http_ops, &c, 0, NULL);
	CHECK(r.o.ok);
	CHECK_INT(r.o.dyn_weight, -1);

	/* wrong digest */
	u.digest[0] ^= 0xff;
	r = attempt(&check_http_ops, &c, 0, NULL);
	CHECK(!r.o.ok);
	CHECK_STR(r.o.why, "digest mismatch: got b1946ac92492d2347c6235b4d2611184, expected "
	                   "4e946ac92492d2347c6235b4d2611184");
	u.has_digest = false;

	/* status ranges: 200 outside 301-302,404 */
	{
		struct check_status_range rg[2] = {{301, 302}, {404, 404}};

		u.status = rg;
		u.n_status = 2;
		r = attempt(&check_http_ops, &c, 0, NULL);
		CHECK(!r.o.ok);
		CHECK_STR(r.o.why, "HTTP status 200 not in 301-302,404");
		rg[1].lo = 100;
		rg[1].hi = 200;
		r = attempt(&check_http_ops, &c, 0, NULL);
		CHECK(r.o.ok);
		u.status = NULL;
		u.n_status = 0;
	}

	/* 1.0C and 1.1 send Connection: close; a virtualhost replaces the IP */
	c.u.http.proto = HTTP_PROTO_10C;
	c.u.http.virtualhost = "www.example.com";
	r = attempt(&check_http_ops, &c, 0, NULL);
	CHECK(r.o.ok);
	snprintf(want, sizeof(want),
	         "GET /check HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\n"
	         "Host: www.example.com:%u\r\n\r\n",
	         s.port);
	CHECK_STR(s.last_req, want);
	/* the url's own virtualhost wins */
	u.virtualhost = "url.example.com";
	c.u.http.proto = HTTP_PROTO_11;
	r = attempt(&check_http_ops, &c, 0, NULL);
	snprintf(want, sizeof(want),
	         "GET /check HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\n"
	         "Host: url.example.com:%u\r\n\r\n",
	         s.port);
	CHECK_STR(s.last_req, want);
	srv_close(&s);
}

static void test_status_fail(void)
{
	struct srv s;
	struct check_cfg c;
	struct check_http_url u[2];
	struct result r;

	CHECK_INT(
	    srv_open(&s, AF_INET, SRV_RESPOND, "HTTP/1.0 503 Service Unavailable\r\n\r\ndown\n"),
	    0);
	cfg_init(&c, &u[0], CHECK_HTTP, "127.0.0.1", s.port);
	r = attempt(&check_http_ops, &c, 0, NULL);
	CHECK(!r.o.ok);
	CHECK_STR(r.o.why, "HTTP status 503 not in 200-299");

	/* step picks the URL */
	memset(&u[1], 0, sizeof(u[1]));
	u[1].path = "/second";
	c.u.http.urls = u;
	c.u.http.n_urls = 2;
	r = attempt(&check_http_ops, &c, 1, NULL);
	CHECK(strncmp(s.last_req, "GET /second HTTP/1.0\r\n", 22) == 0);
	srv_close(&s);

	/* garbage instead of HTTP */
	CHECK_INT(srv_open(&s, AF_INET, SRV_RESPOND, "SSH-2.0-OpenSSH\r\n"), 0);
	cfg_init(&c, &u[0], CHECK_HTTP, "127.0.0.1", s.port);
	r = attempt(&check_http_ops, &c, 0, NULL);
	CHECK(!r.o.ok);
	CHECK_STR(r.o.why, "malformed status line (not an HTTP response)");
	srv_close(&s);

	/* answers and closes before the request is even read */
	CHECK_INT(srv_open(&s, AF_INET, SRV_GREET, RESP_HELLO), 0);
	cfg_init(&c, &u[0], CHECK_HTTP, "127.0.0.1", s.port);
	u[0].has_digest = true;
	memcpy(u[0].digest, hello_md5, 16);
	r = attempt(&check_http_ops, &c, 0, NULL);
	CHECK(r.o.ok);
	srv_close(&s);

	/* closes without a byte */
	CHECK_INT(srv_open(&s, AF_INET, SRV_RESPOND, ""), 0);
	cfg_init(&c, &u[0], CHECK_HTTP, "127.0.0.1", s.port);
	r = attempt(&check_http_ops, &c, 0, NULL);
	CHECK(!r.o.ok);
	CHECK_STR(r.o.why, "no data received");
	srv_close(&s);
}

static void test_timeouts(void)
{
	struct srv s;
	struct check_cfg c;
	struct check_http_url u;
	struct result r;
	uint64_t t0, dt;
	int fd;
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);

	/* accepts and never answers */
	CHECK_INT(srv_open(&s, AF_INET, SRV_SILENT, NULL), 0);
	cfg_init(&c, &u, CHECK_HTTP, "127.0.0.1", s.port);
	c.conn.connect_timeout_us = 200000;
	t0 = now_ms();
	r = attempt(&check_http_ops, &c, 0, NULL);
	dt = now_ms() - t0;
	CHECK(!r.o.ok);
	CHECK_STR(r.o.why, "timeout after 0.2 s waiting for the response");
	CHECK(dt >= 195 && dt < 1500);
	CHECK_INT(s.accepted, 1);
	srv_close(&s);

	/* Content-Length satisfied: done without waiting for EOF */
	CHECK_INT(srv_open(&s, AF_INET, SRV_HOLD, RESP_HELLO "extra"), 0);
	cfg_init(&c, &u, CHECK_HTTP, "127.0.0.1", s.port);
	c.conn.connect_timeout_us = 1000000;
	u.has_digest = true;
	memcpy(u.digest, hello_md5, 16);
	t0 = now_ms();
	r = attempt(&check_http_ops, &c, 0, NULL);
	CHECK(r.o.ok);
	CHECK(now_ms() - t0 < 900);
	/* without Content-Length, an open connection is a timeout */
	s.response = "HTTP/1.0 200 OK\r\n\r\nhello\n";
	s.response_len = strlen(s.response);
	c.conn.connect_timeout_us = 200000;
	r = attempt(&check_http_ops, &c, 0, NULL);
	CHECK(!r.o.ok);
	CHECK_STR(r.o.why, "timeout after 0.2 s waiting for the response");
	srv_close(&s);

	/* refused: a port that was just free */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	getsockname(fd, (struct sockaddr *)&sin, &len);
	close(fd);
	cfg_init(&c, &u, CHECK_HTTP, "127.0.0.1", ntohs(sin.sin_port));
	r = attempt(&check_http_ops, &c, 0, NULL);
	CHECK(!r.o.ok);
	CHECK_STR(r.o.why, "connection refused");
}

static void test_ipv6(void)
{
	struct srv s;
	struct check_cfg c;
	struct check_http_url u;
	struct result r;
	char want[256];

	if (srv_open(&s, AF_INET6, SRV_RESPOND, RESP_HELLO) < 0) {
		printf("no IPv6 loopback: skipped\n");
		return;
	}
	cfg_init(&c, &u, CHECK_HTTP, "::1", s.port);
	u.has_digest = true;
	memcpy(u.digest, hello_md5, 16);
	r = attempt(&check_http_ops, &c, 0, NULL);
	CHECK(r.o.ok);
	snprintf(want, sizeof(want),
	         "GET /check HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: [::1]:%u\r\n\r\n",
	         s.port);
	CHECK_STR(s.last_req, want);
	srv_close(&s);
}

/* The SSL block: a client certificate with a password-protected key. */
static void test_client_cert(SSL_CTX *sctx)
{
	char dir[] = "/tmp/ka-test-tls.XXXXXX", cert[64], key[64], err[256] = "";
	EVP_PKEY *k;
	X509 *x = make_cert("ka-client", &k);
	FILE *f;
	struct check_tls_conf tc = {.certificate = cert, .key = key, .password = "s3cret"};
	void *cctx;
	struct srv s;
	struct check_cfg c;
	struct check_http_url u;
	struct result r;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	f = fopen(cert, "w");
	PEM_write_X509(f, x);
	fclose(f);
	f = fopen(key, "w");
	PEM_write_PrivateKey(f, k, EVP_aes_128_cbc(), (const unsigned char *)"s3cret", 6, NULL,
	                     NULL);
	fclose(f);
	X509_free(x);
	EVP_PKEY_free(k);

	cctx = check_tls_ctx_new(&tc, err, sizeof(err));
	CHECK(cctx != NULL);
	CHECK_INT(srv_open(&s, AF_INET, SRV_RESPOND, RESP_HELLO), 0);
	s.ssl = sctx;
	cfg_init(&c, &u, CHECK_SSL, "127.0.0.1", s.port);
	r = attempt(&check_ssl_ops, &c, 0, cctx);
	CHECK(r.o.ok);
	CHECK_STR(s.client_cn, "ka-client");
	srv_close(&s);
	check_tls_ctx_free(cctx);

	/* a wrong password: the key cannot be loaded, and the error says which */
	tc.password = "wrong";
	CHECK(check_tls_ctx_new(&tc, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "SSL key") == err);
	CHECK(strstr(err, key) != NULL);
	printf("wrong password: %s\n", err);
	unlink(cert);
	unlink(key);
	rmdir(dir);
}

static void test_ssl(void)
{
	struct srv s, plain;
	struct check_cfg c;
	struct check_http_url u;
	struct result r;
	char err[256] = "";
	void *cctx = check_tls_ctx_new(NULL, err, sizeof(err));
	SSL_CTX *sctx;
	char want[256];

	CHECK(cctx != NULL);
	CHECK_INT(srv_open(&s, AF_INET, SRV_RESPOND, RESP_HELLO), 0);
	sctx = server_ctx();
	s.ssl = sctx;
	cfg_init(&c, &u, CHECK_SSL, "127.0.0.1", s.port);
	u.has_digest = true;
	memcpy(u.digest, hello_md5, 16);

	/* no SNI unless asked */
	r = attempt(&check_ssl_ops, &c, 0, cctx);
	CHECK(r.o.ok);
	CHECK_STR(s.sni, "");
	CHECK_STR(s.client_cn, "");
	snprintf(want, sizeof(want),
	         "GET /check HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 127.0.0.1:%u\r\n\r\n",
	         s.port);
	CHECK_STR(s.last_req, want);

	/* enable_sni: the virtualhost; sni_name overrides */
	c.u.http.enable_sni = true;
	c.u.http.virtualhost = "www.example.com";
	r = attempt(&check_ssl_ops, &c, 0, cctx);
	CHECK(r.o.ok);
	CHECK_STR(s.sni, "www.example.com");
	c.u.http.sni_name = "sni.example.net";
	c.u.http.tls_compliant = true;
	r = attempt(&check_ssl_ops, &c, 0, cctx);
	CHECK(r.o.ok);
	CHECK_STR(s.sni, "sni.example.net");

	/* wrong digest over TLS */
	u.digest[15] ^= 1;
	r = attempt(&check_ssl_ops, &c, 0, cctx);
	CHECK(!r.o.ok);
	CHECK(strncmp(r.o.why, "digest mismatch: got b1946ac9", 29) == 0);

	/* SSL_GET against a plain HTTP server: the handshake fails, clearly */
	CHECK_INT(srv_open(&plain, AF_INET, SRV_GREET, RESP_HELLO), 0);
	cfg_init(&c, &u, CHECK_SSL, "127.0.0.1", plain.port);
	r = attempt(&check_ssl_ops, &c, 0, cctx);
	CHECK(!r.o.ok);
	CHECK(strncmp(r.o.why, "TLS handshake failed: ", 22) == 0);
	printf("plain server over TLS: %s\n", r.o.why);
	srv_close(&plain);

	/* a server that only speaks TLS 1.1: the reason says so */
	{
		SSL_CTX *old = server_ctx();
		struct srv o;

		SSL_CTX_set_security_level(old, 0);
		SSL_CTX_set_min_proto_version(old, TLS1_VERSION);
		SSL_CTX_set_max_proto_version(old, TLS1_1_VERSION);
		SSL_CTX_set_cipher_list(old, "DEFAULT:@SECLEVEL=0");
		CHECK_INT(srv_open(&o, AF_INET, SRV_RESPOND, RESP_HELLO), 0);
		o.ssl = old;
		cfg_init(&c, &u, CHECK_SSL, "127.0.0.1", o.port);
		r = attempt(&check_ssl_ops, &c, 0, cctx);
		CHECK(!r.o.ok);
		CHECK(strstr(r.o.why, "TLS handshake failed: ") == r.o.why);
		CHECK(strstr(r.o.why, "TLS 1.1 or older") != NULL);
		printf("TLS 1.1 server: %s\n", r.o.why);
		srv_close(&o);
		SSL_CTX_free(old);
	}

	/* no context: fails, from the loop */
	cfg_init(&c, &u, CHECK_SSL, "127.0.0.1", s.port);
	r = attempt(&check_ssl_ops, &c, 0, NULL);
	CHECK(!r.o.ok);
	CHECK(strstr(r.o.why, "no TLS context") != NULL);

	/* silent TLS server: timeout in the handshake */
	srv_close(&s);
	CHECK_INT(srv_open(&s, AF_INET, SRV_SILENT, NULL), 0);
	cfg_init(&c, &u, CHECK_SSL, "127.0.0.1", s.port);
	c.conn.connect_timeout_us = 200000;
	r = attempt(&check_ssl_ops, &c, 0, cctx);
	CHECK(!r.o.ok);
	CHECK_STR(r.o.why, "timeout after 0.2 s in the TLS handshake");
	srv_close(&s);
	test_client_cert(sctx);
	SSL_CTX_free(sctx);
	check_tls_ctx_free(cctx);

	/* a missing certificate file is reported */
	{
		struct check_tls_conf tc = {.certificate = "/nonexistent/cert.pem"};

		CHECK(check_tls_ctx_new(&tc, err, sizeof(err)) == NULL);
		CHECK(strstr(err, "/nonexistent/cert.pem") != NULL);
	}
}

static void test_cancel_and_many(void)
{
	struct srv s;
	struct check_cfg c;
	struct check_http_url u;
	struct check_io io = {.base = 0};
	struct result r = {0}, many[200];
	struct check_attempt *a;
	int i, calls = 0, ok = 0;

	io.base = base;
	CHECK_INT(srv_open(&s, AF_INET, SRV_RESPOND, RESP_HELLO), 0);
	cfg_init(&c, &u, CHECK_HTTP, "127.0.0.1", s.port);

	/* cancel right away, and once connected */
	a = check_http_ops.start(&io, &c, 0, on_done, &r);
	CHECK(a != NULL);
	check_http_ops.cancel(a);
	a = check_http_ops.start(&io, &c, 0, on_done, &r);
	event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	check_http_ops.cancel(a);
	run_until(&r.calls, 1, 100);
	CHECK_INT(r.calls, 0);

	/* 200 at once on one loop */
	u.has_digest = true;
	memcpy(u.digest, hello_md5, 16);
	memset(many, 0, sizeof(many));
	for (i = 0; i < 200; i++)
		CHECK(check_http_ops.start(&io, &c, 0, on_done, &many[i]) != NULL);
	for (i = 0; i < 10000 && calls < 200; i++) {
		int j;

		event_base_loop(base, EVLOOP_ONCE);
		for (calls = 0, j = 0; j < 200; j++)
			calls += many[j].calls;
	}
	for (i = 0; i < 200; i++) {
		CHECK_INT(many[i].calls, 1);
		ok += many[i].o.ok;
	}
	CHECK_INT(ok, 200);
	srv_close(&s);
}

int main(void)
{
	base = event_base_new();
	test_plain();
	test_status_fail();
	test_timeouts();
	test_ipv6();
	test_ssl();
	test_cancel_and_many();
	event_base_free(base);
	return check_report("test_chk_http");
}
