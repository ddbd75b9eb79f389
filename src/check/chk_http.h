/* One HTTP(S) GET on the event loop: the code path shared by HTTP_GET,
 * SSL_GET (check_http_ops / check_ssl_ops) and the genhash tool. */
#ifndef KA_CHK_HTTP_H
#define KA_CHK_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "check/check.h"
#include "check/http_parse.h"

struct event_base;

struct http_fetch_req {
	const struct check_conn *conn; /* target, binding, fwmark; connect_timeout_us
	                                * bounds the whole fetch (0 = 5 s) */
	const char *path;
	const char *vhost; /* Host: name; NULL = the target address */
	enum http_proto proto;
	void *ssl_ctx;      /* SSL_CTX * (check_tls.c): HTTPS; NULL = plain HTTP */
	const char *sni;    /* server name to send, NULL = none */
	bool tls_compliant; /* send close_notify at the end */
	const EVP_MD *md;   /* digest of the body; NULL = none */
	/* Every byte received as it is classified (genhash prints them):
	 * header bytes, then the body bytes that are hashed. */
	void (*on_data)(void *arg, bool header, const uint8_t *p, size_t n);
	void *data_arg;
};

struct http_fetch_result {
	bool ok; /* a complete response was received (whatever its status) */
	char why[160];
	const struct http_resp *resp; /* status, Content-Length, sizes */
	uint8_t digest[EVP_MAX_MD_SIZE];
	unsigned digest_len; /* 0 when req.md was NULL or !ok */
};

struct http_fetch;
typedef void (*http_fetch_done_fn)(void *arg, const struct http_fetch_result *r);

/* Start a fetch; done is called exactly once, later from the loop, unless
 * http_fetch_cancel() first.  The strings of req must outlive the fetch.
 * NULL (errno set) when it cannot start at all (no fd, no memory). */
struct http_fetch *http_fetch_start(struct event_base *base, const struct http_fetch_req *req,
                                    http_fetch_done_fn done, void *arg);
void http_fetch_cancel(struct http_fetch *f);

/* The request as sent (§5.4 of the behaviour notes).  Returns its length,
 * or -1 when it does not fit in len. */
int http_request_fmt(char *buf, size_t len, const struct http_fetch_req *req);

/* MD5, fetched once (NULL if the provider refuses it). */
const EVP_MD *http_md5(void);

#endif
