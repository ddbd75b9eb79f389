/* SMTP reply parser: see smtp_parse.h.  Lines end with LF; a CR before it
 * is part of the terminator.  Only the code and the continuation marker
 * matter to a health check, so the text is skipped, not stored. */
#include "check/smtp_parse.h"

void smtp_reply_init(struct smtp_reply *r)
{
	r->code = -1;
	r->lines = 0;
	r->col = 0;
	r->line_code = 0;
	r->sep = 0;
	r->cr = 0;
	r->err = NULL;
}

static int fail(struct smtp_reply *r, const char *why, const char **whyp)
{
	r->err = why;
	if (whyp)
		*whyp = why;
	return SMTP_PARSE_ERROR;
}

/* One whole line has been read: 1 = the reply is complete, 0 = more lines
 * follow, -1 = error. */
static int end_of_line(struct smtp_reply *r, const char **why)
{
	if (r->col < 3)
		return fail(r, "reply line without a 3-digit code", why);
	r->lines++;
	if (r->lines == 1)
		r->code = r->line_code;
	else if (r->line_code != r->code)
		return fail(r, "reply code changes within a multi-line reply", why);
	if (r->sep == '-') {
		if (r->lines >= SMTP_LINES_MAX)
			return fail(r, "multi-line reply too long", why);
		r->col = 0;
		r->line_code = 0;
		r->sep = 0;
		r->cr = 0;
		return 0;
	}
	return 1;
}

int smtp_reply_parse(struct smtp_reply *r, const uint8_t *buf, size_t len, size_t *used,
                     const char **why)
{
	size_t i;

	if (used)
		*used = 0;
	if (r->err) {
		if (why)
			*why = r->err;
		return SMTP_PARSE_ERROR;
	}
	for (i = 0; i < len; i++) {
		uint8_t c = buf[i];

		if (c == '\n') {
			int e;

			/* "250\r" then LF: the CR ended the line early. */
			if (r->col == 4 && r->cr && r->sep == '\r')
				r->sep = ' ';
			if (r->col == 3)
				r->sep = ' ';
			e = end_of_line(r, why);
			if (e < 0)
				return SMTP_PARSE_ERROR;
			if (e > 0) {
				if (used)
					*used = i + 1;
				return SMTP_PARSE_DONE;
			}
			continue;
		}
		if (r->cr && r->col == 4 && r->sep == '\r')
			return fail(r, "CR inside the reply code", why);
		if (r->col >= SMTP_LINE_MAX - 1)
			return fail(r, "reply line longer than 512 octets", why);
		if (r->col < 3) {
			if (c < '0' || c > '9' || (r->col == 0 && (c < '1' || c > '5')))
				return fail(r, "reply does not start with a 3-digit code", why);
			r->line_code = r->line_code * 10 + (c - '0');
		} else if (r->col == 3) {
			if (c != '-' && c != ' ' && c != '\r')
				return fail(r, "no space or hyphen after the reply code", why);
			r->sep = (char)c;
		}
		r->cr = c == '\r';
		r->col++;
	}
	if (used)
		*used = len;
	return SMTP_PARSE_MORE;
}
