/* The incremental HTTP response parser: status line, headers, Content-Length,
 * the body digest (goldens checked with md5sum), hostile input, and the same
 * result however the input is split. */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "check.h"
#include "check/http_parse.h"

struct run {
	int ok; /* 0 = complete response, -1 = error */
	int status;
	const char *why;
	char md5[33];
	uint64_t body_len, excess, clen;
	int has_clen, is_short, done_early;
};

/* Feed buf in pieces of `step` bytes (0 = one piece), then EOF unless
 * the parser reached DONE. */
static struct run parse(const void *buf, size_t len, size_t step)
{
	struct run o;
	struct http_resp r;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	const uint8_t *p = buf;
	size_t off = 0;
	enum http_resp_state s = HTTP_RESP_STATUS;
	uint8_t d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;

	memset(&o, 0, sizeof(o));
	EVP_DigestInit_ex2(md, EVP_md5(), NULL);
	http_resp_init(&r, md);
	if (step == 0)
		step = len ? len : 1;
	o.ok = 0;
	while (off < len) {
		size_t n = len - off < step ? len - off : step;

		s = http_resp_feed(&r, p + off, n, &o.why);
		off += n;
		if (s == HTTP_RESP_ERROR)
			break;
	}
	if (s == HTTP_RESP_ERROR)
		o.ok = -1;
	else if (s == HTTP_RESP_DONE)
		o.done_early = 1;
	else
		o.ok = http_resp_eof(&r, &o.why);
	if (o.ok == 0)
		o.why = "";
	EVP_DigestFinal_ex(md, d, &dl);
	http_hex(d, dl, o.md5);
	EVP_MD_CTX_free(md);
	o.status = r.status;
	o.body_len = r.body_len;
	o.excess = r.excess;
	o.clen = r.clen;
	o.has_clen = r.has_clen;
	o.is_short = http_resp_short(&r);
	return o;
}

#define S(x) x, sizeof(x) - 1

static void test_basic(void)
{
	struct run o;

	o = parse(S("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n"), 0);
	CHECK_INT(o.ok, 0);
	CHECK_INT(o.status, 200);
	CHECK_STR(o.md5, "b1946ac92492d2347c6235b4d2611184");
	CHECK_INT(o.done_early, 1);
	CHECK_INT(o.body_len, 6);

	/* no Content-Length: everything up to EOF */
	o = parse(S("HTTP/1.0 404 Not Found\r\nServer: x\r\n\r\nhello\n"), 0);
	CHECK_INT(o.ok, 0);
	CHECK_INT(o.status, 404);
	CHECK_INT(o.done_early, 0);
	CHECK_STR(o.md5, "b1946ac92492d2347c6235b4d2611184");

	/* empty body */
	o = parse(S("HTTP/1.1 204 No Content\r\n\r\n"), 0);
	CHECK_INT(o.ok, 0);
	CHECK_INT(o.status, 204);
	CHECK_STR(o.md5, "d41d8cd98f00b204e9800998ecf8427e");
	o = parse(S("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), 0);
	CHECK_INT(o.done_early, 1);
	CHECK_STR(o.md5, "d41d8cd98f00b204e9800998ecf8427e");

	/* no reason phrase; case-insensitive header name; OWS */
	o = parse(S("HTTP/1.1 301\r\ncontent-LENGTH:\t 6 \r\n\r\nhello\n"), 0);
	CHECK_INT(o.ok, 0);
	CHECK_INT(o.status, 301);
	CHECK_STR(o.md5, "b1946ac92492d2347c6235b4d2611184");

	/* chunked: hashed with its framing, as upstream */
	o = parse(S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
	          0);
	CHECK_INT(o.ok, 0);
	CHECK_STR(o.md5, "79e9489e3bd3f0cb0158215341de046d");

	/* NUL bytes in the body are data */
	o = parse(S("HTTP/1.0 200 OK\r\n\r\na\0b"), 0);
	CHECK_INT(o.ok, 0);
	CHECK_STR(o.md5, "70350f6027bce3713f6b76473084309b");
}

static void test_clen(void)
{
	struct run o;

	/* body longer than Content-Length: capped, the rest is excess */
	o = parse(S("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nhello\n"), 0);
	CHECK_INT(o.ok, 0);
	CHECK_STR(o.md5, "46356afe55fa3cea9cbe73ad442cad47");
	CHECK_INT(o.body_len, 3);
	CHECK_INT(o.excess, 3);

	/* shorter body: not an error, only noted */
	o = parse(S("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello\n"), 0);
	CHECK_INT(o.ok, 0);
	CHECK_INT(o.is_short, 1);
	CHECK_STR(o.md5, "b1946ac92492d2347c6235b4d2611184");

	/* duplicates that agree, and a list of equal values */
	o = parse(S("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nContent-Length: 6\r\n\r\nhello\n"), 0);
	CHECK_INT(o.ok, 0);
	CHECK_INT(o.clen, 6);
	o = parse(S("HTTP/1.1 200 OK\r\nContent-Length: 6, 6\r\n\r\nhello\n"), 0);
	CHECK_INT(o.ok, 0);
	CHECK_INT(o.clen, 6);

	o = parse(S("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nContent-Length: 7\r\n\r\nhello\n"), 0);
	CHECK_INT(o.ok, -1);
	CHECK_STR(o.why, "conflicting Content-Length headers");
	o = parse(S("HTTP/1.1 200 OK\r\nContent-Length: 6,7\r\n\r\nhello\n"), 0);
	CHECK_INT(o.ok, -1);
	CHECK_STR(o.why, "conflicting Content-Length values");
	o = parse(S("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nhello\n"), 0);
	CHECK_INT(o.ok, -1);
	CHECK_STR(o.why, "invalid Content-Length");
	o = parse(S("HTTP/1.1 200 OK\r\nContent-Length: +6\r\n\r\nhello\n"), 0);
	CHECK_STR(o.why, "invalid Content-Length");
	o = parse(S("HTTP/1.1 200 OK\r\nContent-Length: 6 6\r\n\r\nhello\n"), 0);
	CHECK_STR(o.why, "invalid Content-Length");
	o = parse(S("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\nhello\n"), 0);
	CHECK_STR(o.why, "invalid Content-Length");
	o = parse(S("HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\nhello\n"), 0);
	CHECK_STR(o.why, "invalid Content-Length");
	o = parse(S("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999999\r\n\r\nx"), 0);
	CHECK_INT(o.ok, -1);
	CHECK_STR(o.why, "Content-Length too large");
	o = parse(S("HTTP/1.1 200 OK\r\nContent-Length: 1099511627777\r\n\r\nx"), 0);
	CHECK_STR(o.why, "Content-Length too large");
	o = parse(S("HTTP/1.1 200 OK\r\nContent-Length: 1099511627776\r\n\r\nx"), 0);
	CHECK_INT(o.ok, 0);
	CHECK_INT(o.is_short, 1);

	/* a Content-Length line padded past what the parser keeps */
	{
		char buf[512];
		int n = snprintf(buf, sizeof(buf),
		                 "HTTP/1.1 200 OK\r\nContent-Length: %200s\r\n\r\n", "6");

		o = parse(buf, (size_t)n, 0);
		CHECK_INT(o.ok, -1);
		CHECK_STR(o.why, "Content-Length header too long");
	}
	/* "Content-Length-Foo" or "X-Content-Length" are other headers */
	o = parse(S("HTTP/1.1 200 OK\r\nX-Content-Length: 1\r\n\r\nhello\n"), 0);
	CHECK_INT(o.ok, 0);
	CHECK_INT(o.has_clen, 0);
}

static void test_hostile(void)
{
	struct run o;
	static char big[HTTP_HDR_MAX + 100];
	size_t n;

	o = parse(S(""), 0);
	CHECK_INT(o.ok, -1);
	CHECK_STR(o.why, "no data received");

	o = parse(S("SSH-2.0-OpenSSH_9.2\r\n"), 0);
	CHECK_INT(o.ok, -1);
	CHECK_STR(o.why, "malformed status line (not an HTTP response)");
	o = parse(S("\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"), 0);
	CHECK_STR(o.why, "malformed status line (not an HTTP response)");
	o = parse(S("HTTP/x.1 200 OK\r\n\r\n"), 0);
	CHECK_STR(o.why, "malformed status line (bad HTTP version)");
	o = parse(S("HTTP/1.1200 OK\r\n\r\n"), 0);
	CHECK_STR(o.why, "malformed status line (no status code)");
	o = parse(S("HTTP/1.1 20 OK\r\n\r\n"), 0);
	CHECK_STR(o.why, "malformed status line (bad status code)");
	o = parse(S("HTTP/1.1 2000 OK\r\n\r\n"), 0);
	CHECK_STR(o.why, "malformed status line (bad status code)");
	o = parse(S("HTTP/1.1 099 OK\r\n\r\n"), 0);
	CHECK_STR(o.why, "malformed status line (status code below 100)");
	o = parse(S("HTTP/1.1\r\n\r\n"), 0);
	CHECK_STR(o.why, "malformed status line (no status code)");
	o = parse(S("HTTP/1.1 2x0 OK\r\n\r\n"), 0);
	CHECK_STR(o.why, "malformed status line (bad status code)");

	/* truncated streams */
	o = parse(S("HTTP/1.1 200 O"), 0);
	CHECK_INT(o.ok, -1);
	CHECK_STR(o.why, "connection closed in the status line");
	o = parse(S("HTTP/1.1 200 OK\r\nServer: x\r\n"), 0);
	CHECK_STR(o.why, "connection closed before the end of the headers");
	/* bare LF line ends: no CRLFCRLF, so the headers never end */
	o = parse(S("HTTP/1.1 200 OK\nServer: x\n\nhello\n"), 0);
	CHECK_INT(o.ok, -1);
	CHECK_STR(o.why, "connection closed in the status line");
	o = parse(S("HTTP/1.1 200 OK\r\nServer: x\n\nhello\n"), 0);
	CHECK_INT(o.ok, -1);
	CHECK_STR(o.why, "connection closed before the end of the headers");

	/* NUL in the status line and in a header */
	o = parse(S("HTTP/1.1 200 \0OK\r\n\r\n"), 0);
	CHECK_STR(o.why, "NUL byte in response headers");
	o = parse(S("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n"), 0);
	CHECK_STR(o.why, "NUL byte in response headers");

	/* a huge header block (no CRLFCRLF at all) is refused at the cap */
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	memset(big + 20, 'a', sizeof(big) - 20);
	o = parse(big, sizeof(big), 0);
	CHECK_INT(o.ok, -1);
	CHECK_STR(o.why, "response headers larger than 64 KiB");
	/* the same, fed in pieces */
	o = parse(big, sizeof(big), 4000);
	CHECK_STR(o.why, "response headers larger than 64 KiB");
	/* just under the cap is fine */
	n = HTTP_HDR_MAX - 4;
	memcpy(big + n, "\r\n\r\n", 4);
	o = parse(big, HTTP_HDR_MAX, 0);
	CHECK_INT(o.ok, 0);
	CHECK_INT(o.status, 200);
	/* a bare CR inside a header line is just a byte */
	o = parse(S("HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\nhello\n"), 0);
	CHECK_INT(o.ok, 0);
	CHECK_STR(o.md5, "b1946ac92492d2347c6235b4d2611184");
}

static void test_status_line(void)
{
	uint8_t ma = 0, mi = 0;
	const char *why = NULL;

	CHECK_INT(http_parse_status_line(S("HTTP/1.0 503 Service Unavailable"), &ma, &mi, &why),
	          503);
	CHECK_INT(ma, 1);
	CHECK_INT(mi, 0);
	CHECK_INT(http_parse_status_line(S("HTTP/2.0  200"), &ma, &mi, &why), 200);
	CHECK_INT(ma, 2);
	CHECK_INT(http_parse_status_line(S("HTTP/1.1 200OK"), &ma, &mi, &why), -1);
}

/* Every split point, and one byte at a time, gives the same result. */
static void test_splits(void)
{
	static const char *const inputs[] = {
	    "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nServer: x\r\n\r\nhello\nTRAILING",
	    "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nhello\n",
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nContent-Length: 7\r\n\r\nhello\n",
	    "HTTP/1.1 200 OK\r\nX: a\rb\r\nContent-Length:3\r\n\r\nhello\n",
	    "HTTP/1.1 2x0 OK\r\n\r\n",
	};
	size_t i, cut, step;

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		size_t len = strlen(inputs[i]);
		struct run whole = parse(inputs[i], len, 0);

		for (step = 1; step <= len; step++) {
			struct run o = parse(inputs[i], len, step);

			CHECK_INT(o.ok, whole.ok);
			CHECK_INT(o.status, whole.status);
			CHECK_STR(o.md5, whole.md5);
			CHECK_STR(o.why, whole.why);
			CHECK_INT(o.body_len, whole.body_len);
		}
		/* two pieces, cut at every byte */
		for (cut = 1; cut < len; cut++) {
			struct http_resp r;
			EVP_MD_CTX *md = EVP_MD_CTX_new();
			uint8_t d[EVP_MAX_MD_SIZE];
			unsigned dl;
			char hex[33];
			const char *why = "";
			enum http_resp_state s;

			EVP_DigestInit_ex2(md, EVP_md5(), NULL);
			http_resp_init(&r, md);
			s = http_resp_feed(&r, (const uint8_t *)inputs[i], cut, &why);
			if (s != HTTP_RESP_ERROR)
				s = http_resp_feed(&r, (const uint8_t *)inputs[i] + cut, len - cut,
				                   &why);
			EVP_DigestFinal_ex(md, d, &dl);
			EVP_MD_CTX_free(md);
			http_hex(d, dl, hex);
			CHECK_INT(s == HTTP_RESP_ERROR ? -1 : 0, whole.ok);
			CHECK_STR(hex, whole.md5);
			CHECK_INT(r.status, whole.status);
		}
	}
}

/* last_hdr/last_body split a feed exactly where genhash prints. */
static void test_split_report(void)
{
	static const char in[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nhello";
	struct http_resp r;
	const char *why;

	http_resp_init(&r, NULL);
	CHECK_INT(http_resp_feed(&r, (const uint8_t *)in, sizeof(in) - 1, &why), HTTP_RESP_DONE);
	CHECK_INT(r.last_hdr, sizeof(in) - 1 - 5);
	CHECK_INT(r.hdr_len, sizeof(in) - 1 - 5);
	CHECK_INT(r.last_body, 3);
	CHECK_INT(r.excess, 2);
	CHECK_INT(r.total, sizeof(in) - 1);
	/* more after DONE: all excess */
	CHECK_INT(http_resp_feed(&r, (const uint8_t *)"zz", 2, &why), HTTP_RESP_DONE);
	CHECK_INT(r.last_hdr, 0);
	CHECK_INT(r.last_body, 0);
	CHECK_INT(r.excess, 4);
}

/* A 10 KiB binary body (golden from md5sum). */
static void test_big_body(void)
{
	static uint8_t buf[64 + 10240];
	size_t h, i;
	struct run o;

	h = (size_t)snprintf((char *)buf, 64, "HTTP/1.1 200 OK\r\nContent-Length: 10240\r\n\r\n");
	for (i = 0; i < 10240; i++)
		buf[h + i] = (uint8_t)(i & 0xff);
	o = parse(buf, h + 10240, 0);
	CHECK_INT(o.ok, 0);
	CHECK_STR(o.md5, "c3cd26e07e555c0116db237fbc06d99c");
	o = parse(buf, h + 10240, 1000);
	CHECK_STR(o.md5, "c3cd26e07e555c0116db237fbc06d99c");
}

int main(void)
{
	char hex[9];
	static const uint8_t d[4] = {0x9b, 0x3a, 0x00, 0xff};

	http_hex(d, 4, hex);
	CHECK_STR(hex, "9b3a00ff");
	test_basic();
	test_clen();
	test_hostile();
	test_status_line();
	test_splits();
	test_split_report();
	test_big_body();
	return check_report("test_http_parse");
}
