/* SMTP reply parser: single and multi-line replies, split feeding, line
 * length cap, garbage. */
#include "check.h"
#include "check/smtp_parse.h"

/* Feeds s whole; returns the parse result, the code and what was used. */
static int feed(const char *s, int *code, size_t *used, const char **why)
{
	struct smtp_reply r;
	int ret;

	smtp_reply_init(&r);
	*why = NULL;
	ret = smtp_reply_parse(&r, (const uint8_t *)s, strlen(s), used, why);
	*code = r.code;
	return ret;
}

/* Feeds s in chunks of `step` octets; the result at the end. */
static int feed_split(const char *s, size_t step, int *code)
{
	struct smtp_reply r;
	size_t len = strlen(s), off = 0;
	const char *why;
	int ret = SMTP_PARSE_MORE;

	smtp_reply_init(&r);
	while (off < len && ret == SMTP_PARSE_MORE) {
		size_t n = len - off < step ? len - off : step, used;

		ret = smtp_reply_parse(&r, (const uint8_t *)s + off, n, &used, &why);
		off += used;
	}
	*code = r.code;
	return ret;
}

static void test_simple(void)
{
	const char *why;
	size_t used;
	int code;

	CHECK_INT(feed("220 mail.example ESMTP\r\n", &code, &used, &why), SMTP_PARSE_DONE);
	CHECK_INT(code, 220);
	CHECK_INT(used, 24);
	/* bare code, bare LF */
	CHECK_INT(feed("250\r\n", &code, &used, &why), SMTP_PARSE_DONE);
	CHECK_INT(code, 250);
	CHECK_INT(feed("554\n", &code, &used, &why), SMTP_PARSE_DONE);
	CHECK_INT(code, 554);
	CHECK_INT(feed("250 ok\n", &code, &used, &why), SMTP_PARSE_DONE);
	/* incomplete */
	CHECK_INT(feed("220 hello", &code, &used, &why), SMTP_PARSE_MORE);
	CHECK_INT(used, 9);
	CHECK_INT(feed("", &code, &used, &why), SMTP_PARSE_MORE);
	CHECK_INT(code, -1);
	CHECK_INT(feed("22", &code, &used, &why), SMTP_PARSE_MORE);
	/* what follows the reply is left alone */
	CHECK_INT(feed("220 hi\r\n250 next\r\n", &code, &used, &why), SMTP_PARSE_DONE);
	CHECK_INT(used, 8);
	CHECK_INT(code, 220);
}

static void test_multiline(void)
{
	const char *ehlo = "250-mail.example\r\n250-PIPELINING\r\n250-\r\n250 8BITMIME\r\n";
	const char *why;
	size_t used, step;
	int code;

	CHECK_INT(feed(ehlo, &code, &used, &why), SMTP_PARSE_DONE);
	CHECK_INT(code, 250);
	CHECK_INT(used, strlen(ehlo));
	for (step = 1; step <= strlen(ehlo); step++) {
		CHECK_INT(feed_split(ehlo, step, &code), SMTP_PARSE_DONE);
		CHECK_INT(code, 250);
	}
	/* the continuation lines alone are not a whole reply */
	CHECK_INT(feed("220-first\r\n220-second\r\n", &code, &used, &why), SMTP_PARSE_MORE);
	/* codes must agree */
	CHECK_INT(feed("220-first\r\n250 second\r\n", &code, &used, &why), SMTP_PARSE_ERROR);
	CHECK(why && strstr(why, "multi-line"));
	/* a multi-line reply that never ends is cut off */
	{
		char big[SMTP_LINES_MAX * 8 + 16];
		size_t i, n = 0;

		for (i = 0; i < SMTP_LINES_MAX + 2; i++)
			n += (size_t)snprintf(big + n, sizeof(big) - n, "220-x\r\n");
		CHECK_INT(feed(big, &code, &used, &why), SMTP_PARSE_ERROR);
		CHECK(why && strstr(why, "too long"));
	}
}

static void test_split_crlf(void)
{
	struct smtp_reply r;
	const char *why;
	size_t used;

	/* CR and LF in separate reads, code split too */
	smtp_reply_init(&r);
	CHECK_INT(smtp_reply_parse(&r, (const uint8_t *)"2", 1, &used, &why), SMTP_PARSE_MORE);
	CHECK_INT(smtp_reply_parse(&r, (const uint8_t *)"20", 2, &used, &why), SMTP_PARSE_MORE);
	CHECK_INT(smtp_reply_parse(&r, (const uint8_t *)"\r", 1, &used, &why), SMTP_PARSE_MORE);
	CHECK_INT(smtp_reply_parse(&r, (const uint8_t *)"\n", 1, &used, &why), SMTP_PARSE_DONE);
	CHECK_INT(r.code, 220);
	CHECK_INT(used, 1);
}

static void test_garbage(void)
{
	static const char *const bad[] = {
	    "HTTP/1.1 400 Bad Request\r\n", /* not an SMTP server */
	    "22a ok\r\n",
	    "020 zero\r\n",
	    "620 six\r\n",
	    "220x\r\n",
	    "2\r\n",
	    "\r\n",
	    "\n",
	    "220\rX\r\n",
	    "SSH-2.0-OpenSSH_9.2\r\n",
	};
	const char *why;
	size_t i, used;
	int code;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		CHECK_INT(feed(bad[i], &code, &used, &why), SMTP_PARSE_ERROR);
		CHECK(why != NULL);
	}
	/* binary junk, NULs included: an error or more, never a false 220 */
	{
		uint8_t junk[256];
		struct smtp_reply r;

		for (i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)(i * 37 + 11);
		smtp_reply_init(&r);
		CHECK_INT(smtp_reply_parse(&r, junk, sizeof(junk), &used, &why), SMTP_PARSE_ERROR);
	}
	/* the error is sticky */
	{
		struct smtp_reply r;

		smtp_reply_init(&r);
		CHECK_INT(smtp_reply_parse(&r, (const uint8_t *)"xx", 2, &used, &why),
		          SMTP_PARSE_ERROR);
		CHECK_INT(smtp_reply_parse(&r, (const uint8_t *)"220 ok\r\n", 8, &used, &why),
		          SMTP_PARSE_ERROR);
		CHECK_INT(used, 0);
	}
}

static void test_line_cap(void)
{
	char line[SMTP_LINE_MAX + 8];
	const char *why;
	size_t used;
	int code;

	/* exactly 512 octets with CRLF: accepted */
	memset(line, 'a', sizeof(line));
	memcpy(line, "220 ", 4);
	memcpy(line + SMTP_LINE_MAX - 2, "\r\n", 3);
	CHECK_INT(strlen(line), SMTP_LINE_MAX);
	CHECK_INT(feed(line, &code, &used, &why), SMTP_PARSE_DONE);
	CHECK_INT(code, 220);
	/* one more: refused, even before its end arrives */
	memset(line, 'a', sizeof(line));
	memcpy(line, "220 ", 4);
	memcpy(line + SMTP_LINE_MAX - 1, "\r\n", 3);
	CHECK_INT(feed(line, &code, &used, &why), SMTP_PARSE_ERROR);
	CHECK(why && strstr(why, "512"));
	line[SMTP_LINE_MAX] = 0; /* no CRLF at all */
	CHECK_INT(feed(line, &code, &used, &why), SMTP_PARSE_ERROR);
}

int main(void)
{
	test_simple();
	test_multiline();
	test_split_crlf();
	test_garbage();
	test_line_cap();
	return check_report("test_smtp_parse");
}
