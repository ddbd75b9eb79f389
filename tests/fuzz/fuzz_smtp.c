/* libFuzzer target for the SMTP reply parser (src/check/smtp_parse.c).
 *
 * Input layout: byte 0 is a chunk size (0 = one piece), the rest is what
 * the server sent.  Replies are parsed one after the other, as the SMTP
 * checker and the alert client do (the bytes after a DONE reply start the
 * next one).
 *
 * Invariants: `used` never exceeds what was offered, a DONE reply has a
 * 3-digit code and at least one line, ERROR comes with a reason and is
 * sticky, and chunked feeding gives the same sequence of replies as
 * feeding everything at once. */
#include <stdlib.h>
#include <string.h>

#include "check/smtp_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REPLIES 256

/* Parses every reply in p[0, n); codes[] gets the codes, the return value
 * is their count, *last the final state. */
static unsigned parse_all(const uint8_t *p, size_t n, size_t step, int *codes, int *last)
{
	struct smtp_reply r;
	unsigned count = 0;
	size_t off = 0;
	int ret = SMTP_PARSE_MORE;

	smtp_reply_init(&r);
	while (off < n && count < MAX_REPLIES) {
		size_t k = (step && n - off > step) ? step : n - off, used = (size_t)-1;
		const char *why = NULL;

		ret = smtp_reply_parse(&r, p + off, k, &used, &why);
		if (ret == SMTP_PARSE_ERROR) {
			const char *why2 = NULL;

			if (!why)
				abort();
			/* sticky */
			if (smtp_reply_parse(&r, p + off, k, NULL, &why2) != SMTP_PARSE_ERROR)
				abort();
			break;
		}
		if (used > k)
			abort();
		if (ret == SMTP_PARSE_MORE && used != k)
			abort();
		off += used;
		if (ret == SMTP_PARSE_DONE) {
			if (r.code < 100 || r.code > 999 || r.lines < 1 || r.lines > SMTP_LINES_MAX)
				abort();
			codes[count++] = r.code;
			smtp_reply_init(&r);
		} else if (used == 0) {
			abort(); /* MORE must take everything, so no progress is a bug */
		}
	}
	*last = ret;
	return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ca[MAX_REPLIES], cb[MAX_REPLIES];
	unsigned na, nb;
	int la, lb;
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
	na = parse_all(copy, size, 0, ca, &la);
	nb = parse_all(copy, size, step ? step : 1, cb, &lb);
	if (na < MAX_REPLIES && nb < MAX_REPLIES &&
	    (na != nb || la != lb || memcmp(ca, cb, na * sizeof(int)) != 0))
		abort();
	free(copy);
	return 0;
}
