/* UDP_CHECK reply check: see udp_match.h. */
#include <stdio.h>

#include "check/udp_match.h"

/* "4X": a byte of the expected pattern with its wildcard nibbles. */
static void pattern_fmt(uint8_t v, uint8_t mask, char out[3])
{
	static const char hex[] = "0123456789abcdef";

	out[0] = (mask & 0xf0) ? hex[v >> 4] : 'X';
	out[1] = (mask & 0x0f) ? hex[v & 0x0f] : 'X';
	out[2] = 0;
}

int udp_reply_match(const struct check_udp *u, const uint8_t *buf, size_t len, char *why,
                    size_t whylen)
{
	size_t i;

	if (len < u->min_reply_len) {
		snprintf(why, whylen, "reply %zu bytes, below min_reply_length %u", len,
		         u->min_reply_len);
		return -1;
	}
	if (len > u->max_reply_len) {
		snprintf(why, whylen, "reply %zu bytes, above max_reply_length %u", len,
		         u->max_reply_len);
		return -1;
	}
	if (!u->reply)
		return 0;
	if (len < u->reply_len) {
		snprintf(why, whylen, "reply %zu bytes, shorter than the expected %zu", len,
		         u->reply_len);
		return -1;
	}
	for (i = 0; i < u->reply_len; i++) {
		uint8_t m = u->reply_mask ? u->reply_mask[i] : 0xff;

		if ((buf[i] & m) != (u->reply[i] & m)) {
			char pat[3];

			pattern_fmt(u->reply[i], m, pat);
			snprintf(why, whylen, "reply byte %zu is %02x, expected %s", i, buf[i],
			         pat);
			return -1;
		}
	}
	return 0;
}
