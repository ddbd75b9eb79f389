/* Incremental HTTP/1.x response parser (see http_parse.h).  The headers go
 * through a byte-at-a-time state machine (they are small and capped); the
 * body is handed to the digest in whole slices. */
#include <string.h>
#include <strings.h>

#include "check/http_parse.h"

static const char http_magic[] = "HTTP/";

void http_resp_init(struct http_resp *r, EVP_MD_CTX *md)
{
	memset(r, 0, sizeof(*r));
	r->state = HTTP_RESP_STATUS;
	r->status = -1;
	r->md = md;
}

static enum http_resp_state fail(struct http_resp *r, const char *why, const char **whyp)
{
	r->state = HTTP_RESP_ERROR;
	r->why = why;
	if (whyp)
		*whyp = why;
	return r->state;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int http_parse_status_line(const char *s, size_t n, uint8_t *major, uint8_t *minor,
                           const char **why)
{
	size_t i;
	int code;

	/* HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3) */
	if (n < 5 || memcmp(s, http_magic, 5) != 0) {
		*why = "malformed status line (not an HTTP response)";
		return -1;
	}
	if (n < 8 || !is_digit(s[5]) || s[6] != '.' || !is_digit(s[7])) {
		*why = "malformed status line (bad HTTP version)";
		return -1;
	}
	*major = (uint8_t)(s[5] - '0');
	*minor = (uint8_t)(s[7] - '0');
	i = 8;
	if (i >= n || s[i] != ' ') {
		*why = "malformed status line (no status code)";
		return -1;
	}
	while (i < n && s[i] == ' ')
		i++;
	if (n - i < 3 || !is_digit(s[i]) || !is_digit(s[i + 1]) || !is_digit(s[i + 2]) ||
	    (n - i > 3 && s[i + 3] != ' ')) {
		*why = "malformed status line (bad status code)";
		return -1;
	}
	code = (s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
	if (code < 100) {
		*why = "malformed status line (status code below 100)";
		return -1;
	}
	return code;
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Content-Length = 1*DIGIT; a list of identical values ("5, 5") is what
 * some intermediaries produce and RFC 9110 §8.6 lets us accept it. */
static int parse_clen(const char *s, size_t n, uint64_t *out, const char **why)
{
	size_t i = 0;
	bool have = false;
	uint64_t first = 0;

	for (;;) {
		uint64_t v = 0;
		size_t digits = 0;

		while (i < n && is_ows(s[i]))
			i++;
		while (i < n && is_digit(s[i])) {
			if (v > (HTTP_CLEN_MAX - (uint64_t)(s[i] - '0')) / 10) {
				*why = "Content-Length too large";
				return -1;
			}
			v = v * 10 + (uint64_t)(s[i] - '0');
			digits++;
			i++;
		}
		while (i < n && is_ows(s[i]))
			i++;
		if (digits == 0 || (i < n && s[i] != ',')) {
			*why = "invalid Content-Length";
			return -1;
		}
		if (have && v != first) {
			*why = "conflicting Content-Length values";
			return -1;
		}
		have = true;
		first = v;
		if (i == n)
			break;
		i++; /* the comma */
	}
	*out = first;
	return 0;
}

static const char clen_name[] = "content-length:";
#define CLEN_NAME_LEN (sizeof(clen_name) - 1)

/* A complete line (CRLF stripped) in the header block. */
static enum http_resp_state end_line(struct http_resp *r, size_t line_total, const char **why)
{
	const char *w;

	if (r->state == HTTP_RESP_STATUS) {
		/* The code is in the first 12 bytes: a truncated reason phrase
		 * does not matter. */
		int code = http_parse_status_line(r->line, r->line_len, &r->major, &r->minor, &w);

		if (code < 0)
			return fail(r, w, why);
		r->status = code;
		r->state = HTTP_RESP_HEADERS;
		return r->state;
	}
	if (line_total == 0) {
		r->state = HTTP_RESP_BODY;
		if (r->has_clen && r->clen == 0)
			r->state = HTTP_RESP_DONE;
		return r->state;
	}
	if (r->line_len >= CLEN_NAME_LEN && strncasecmp(r->line, clen_name, CLEN_NAME_LEN) == 0) {
		uint64_t v;

		if (r->line_trunc)
			return fail(r, "Content-Length header too long", why);
		if (parse_clen(r->line + CLEN_NAME_LEN, r->line_len - CLEN_NAME_LEN, &v, &w) < 0)
			return fail(r, w, why);
		if (r->has_clen && r->clen != v)
			return fail(r, "conflicting Content-Length headers", why);
		r->has_clen = true;
		r->clen = v;
	}
	return r->state;
}

static void line_add(struct http_resp *r, char c)
{
	if (r->line_len < sizeof(r->line))
		r->line[r->line_len++] = c;
	else
		r->line_trunc = true;
}

/* Header bytes; returns how many of p[] were header bytes. */
static size_t feed_headers(struct http_resp *r, const uint8_t *p, size_t n, const char **why)
{
	size_t i;

	for (i = 0; i < n && (r->state == HTTP_RESP_STATUS || r->state == HTTP_RESP_HEADERS); i++) {
		char c = (char)p[i];

		if (r->hdr_len >= HTTP_HDR_MAX) {
			fail(r, "response headers larger than 64 KiB", why);
			return i;
		}
		r->hdr_len++;
		if (c == '\0') {
			fail(r, "NUL byte in response headers", why);
			return i + 1;
		}
		/* Fail fast on a peer that does not speak HTTP at all. */
		if (r->state == HTTP_RESP_STATUS && r->hdr_len <= 5 &&
		    c != http_magic[r->hdr_len - 1]) {
			fail(r, "malformed status line (not an HTTP response)", why);
			return i + 1;
		}
		if (r->cr) {
			r->cr = false;
			if (c == '\n') {
				/* line_total: kept bytes, or more when truncated */
				size_t total = r->line_len + (r->line_trunc ? 1 : 0);

				end_line(r, total, why);
				r->line_len = 0;
				r->line_trunc = false;
				continue;
			}
			line_add(r, '\r'); /* a bare CR is just a byte of the line */
		}
		if (c == '\r')
			r->cr = true;
		else
			line_add(r, c);
	}
	return i;
}

enum http_resp_state http_resp_feed(struct http_resp *r, const uint8_t *p, size_t n,
                                    const char **why)
{
	size_t h = 0, take = 0;

	r->last_hdr = 0;
	r->last_body = 0;
	if (r->state == HTTP_RESP_ERROR) {
		if (why)
			*why = r->why;
		return r->state;
	}
	r->total += n;
	if (r->state == HTTP_RESP_STATUS || r->state == HTTP_RESP_HEADERS) {
		h = feed_headers(r, p, n, why);
		r->last_hdr = h;
		if (r->state == HTTP_RESP_ERROR)
			return r->state;
	}
	if (r->state == HTTP_RESP_BODY) {
		take = n - h;
		if (r->has_clen && take > r->clen - r->body_len)
			take = (size_t)(r->clen - r->body_len);
		if (take && r->md)
			EVP_DigestUpdate(r->md, p + h, take);
		r->body_len += take;
		r->last_body = take;
		if (r->has_clen && r->body_len == r->clen)
			r->state = HTTP_RESP_DONE;
	}
	r->excess += n - h - take;
	return r->state;
}

int http_resp_eof(struct http_resp *r, const char **why)
{
	switch (r->state) {
	case HTTP_RESP_ERROR:
		*why = r->why;
		return -1;
	case HTTP_RESP_STATUS:
	case HTTP_RESP_HEADERS:
		if (r->total == 0)
			*why = "no data received";
		else if (r->state == HTTP_RESP_STATUS)
			*why = "connection closed in the status line";
		else
			*why = "connection closed before the end of the headers";
		return -1;
	case HTTP_RESP_BODY:
	case HTTP_RESP_DONE:
		break;
	}
	return 0;
}

void http_hex(const uint8_t *d, size_t len, char *out)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[2 * len] = '\0';
}
