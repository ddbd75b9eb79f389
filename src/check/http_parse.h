/* Incremental parser of an HTTP/1.x response, as HTTP_GET, SSL_GET and
 * genhash read it: the status line and code, the end of the headers
 * (CRLFCRLF), Content-Length, and the raw body (everything after CRLFCRLF,
 * capped at Content-Length when there is one) fed to a digest.  There is no
 * chunked decoding: a chunked body is hashed with its framing, as upstream.
 *
 * Pure: no sockets, clocks or globals.  Feed the bytes as they arrive, in
 * pieces of any size; splitting the input differently gives the same result.
 */
#ifndef KA_HTTP_PARSE_H
#define KA_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* Headers (status line to CRLFCRLF included) larger than this are refused:
 * a health check has no use for them and they would cost memory. */
#define HTTP_HDR_MAX (64u * 1024u)
/* Bytes of a header line kept to parse it; longer Content-Length lines are
 * refused, other long lines are skipped. */
#define HTTP_LINE_KEEP 128u
/* Largest Content-Length accepted (1 TiB): beyond that it is hostile. */
#define HTTP_CLEN_MAX (1ull << 40)

enum http_resp_state {
	HTTP_RESP_STATUS,  /* in the status line */
	HTTP_RESP_HEADERS, /* in the header lines */
	HTTP_RESP_BODY,    /* after CRLFCRLF, reading the body */
	HTTP_RESP_DONE,    /* Content-Length satisfied: nothing more to read */
	HTTP_RESP_ERROR,
};

struct http_resp {
	enum http_resp_state state;
	int status;           /* status code, -1 until the status line is parsed */
	uint8_t major, minor; /* HTTP version of the status line */
	bool has_clen;        /* a Content-Length header was seen */
	uint64_t clen;        /* its value */
	uint64_t total;       /* bytes fed so far (data received) */
	size_t hdr_len;       /* bytes of the headers so far, CRLFCRLF included */
	uint64_t body_len;    /* body bytes taken (hashed), <= clen when has_clen */
	uint64_t excess;      /* bytes after Content-Length was satisfied (ignored) */
	/* The split of the last feed: p[0, last_hdr) were header bytes,
	 * p[last_hdr, last_hdr + last_body) body bytes taken; the rest is excess. */
	size_t last_hdr, last_body;
	EVP_MD_CTX *md; /* digest of the body, NULL = none (caller owns it) */
	/* private */
	bool cr;                   /* the previous header byte was CR */
	bool line_trunc;           /* the current line is longer than line[] */
	uint16_t line_len;         /* bytes in line[] */
	char line[HTTP_LINE_KEEP]; /* start of the current header line */
	const char *why;           /* the reason of HTTP_RESP_ERROR */
};

/* md: an EVP_MD_CTX already initialised (EVP_DigestInit_ex2) or NULL. */
void http_resp_init(struct http_resp *r, EVP_MD_CTX *md);

/* Feed the next n bytes.  Returns the new state: HTTP_RESP_ERROR (with *why
 * set), HTTP_RESP_DONE when Content-Length is satisfied (the caller may stop
 * reading; bytes fed after that are counted as excess and not hashed), or an
 * in-progress state.  Feeding after an error keeps the error. */
enum http_resp_state http_resp_feed(struct http_resp *r, const uint8_t *p, size_t n,
                                    const char **why);

/* The peer closed the stream.  Returns 0 when a complete response was
 * received (headers done; a body shorter than Content-Length is not an
 * error: see http_resp_short()), -1 with *why otherwise ("no data
 * received" when nothing came at all). */
int http_resp_eof(struct http_resp *r, const char **why);

/* A Content-Length was given and fewer bytes came before EOF. */
static inline bool http_resp_short(const struct http_resp *r)
{
	return r->has_clen && r->body_len < r->clen;
}

/* Parse a status line (without CRLF): "HTTP/1.1 200 OK" -> 200.  Exposed
 * for the tests.  Returns the code (100..999) or -1 with *why. */
int http_parse_status_line(const char *s, size_t n, uint8_t *major, uint8_t *minor,
                           const char **why);

/* Lower-case hex of a digest into out (2 * len + 1 bytes). */
void http_hex(const uint8_t *d, size_t len, char *out);

#endif
