/* libFuzzer target for the HTTP response parser (src/check/http_parse.c).
 *
 * Input layout: byte 0 is a chunk size (0 = feed the rest in one piece),
 * the rest is what the server sent; EOF follows it.
 *
 * Invariants besides "no crash": the parser documents that splitting the
 * input differently gives the same result, so the whole input fed at once
 * and fed in chunks must agree on every field and on the body digest; the
 * per-feed split (last_hdr + last_body) stays within the bytes fed; the
 * body never exceeds Content-Length; header bytes never exceed
 * HTTP_HDR_MAX; header + body + excess bytes = bytes fed. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "check/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	struct http_resp r;
	enum http_resp_state st;
	int eof;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen;
};

static void feed_all(struct run *out, const uint8_t *p, size_t n, size_t step)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	const char *why = NULL;
	size_t off = 0;

	if (!md || !EVP_DigestInit_ex2(md, EVP_md5(), NULL))
		abort();
	http_resp_init(&out->r, md);
	out->st = out->r.state;
	do {
		size_t k = (step && n - off > step) ? step : n - off;

		out->st = http_resp_feed(&out->r, p + off, k, &why);
		if (out->r.last_hdr > k || out->r.last_body > k - out->r.last_hdr)
			abort();
		if (out->st == HTTP_RESP_ERROR && !why)
			abort();
		off += k;
	} while (off < n);
	out->eof = http_resp_eof(&out->r, &why);
	if (out->r.has_clen && out->r.body_len > out->r.clen)
		abort();
	if (out->r.hdr_len > HTTP_HDR_MAX)
		abort();
	/* After an error further feeds are no-ops (not even counted). */
	if (out->st != HTTP_RESP_ERROR &&
	    (out->r.total != n || out->r.hdr_len + out->r.body_len + out->r.excess != n))
		abort();
	if (!EVP_DigestFinal_ex(md, out->md, &out->mdlen))
		abort();
	EVP_MD_CTX_free(md);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run a, b;
	uint8_t *copy;
	size_t step;

	if (size < 1)
		return 0;
	step = data[0];
	data++;
	size--;
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);

	feed_all(&a, copy, size, 0);
	feed_all(&b, copy, size, step ? step : 1);
	if (a.st != b.st || a.eof != b.eof)
		abort();
	if (a.st != HTTP_RESP_ERROR &&
	    (a.r.status != b.r.status || a.r.major != b.r.major || a.r.minor != b.r.minor ||
	     a.r.has_clen != b.r.has_clen || a.r.clen != b.r.clen || a.r.hdr_len != b.r.hdr_len ||
	     a.r.body_len != b.r.body_len || a.r.excess != b.r.excess || a.mdlen != b.mdlen ||
	     memcmp(a.md, b.md, a.mdlen) != 0))
		abort();
	/* the status line parser on its own, on the first line */
	{
		const char *why;
		uint8_t ma, mi;
		size_t n = 0;
		int code;

		while (n < size && copy[n] != '\r' && copy[n] != '\n')
			n++;
		code = http_parse_status_line((const char *)copy, n, &ma, &mi, &why);
		if (code != -1 && (code < 100 || code > 999))
			abort();
	}
	free(copy);
	return 0;
}
