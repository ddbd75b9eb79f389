/* libFuzzer target for UDP_CHECK's reply matcher (src/check/udp_match.c).
 *
 * Input layout: byte 0 = pattern length P (mod 32), byte 1 = min length,
 * byte 2 = max length, then P pattern bytes and P mask bytes (a mask byte
 * is reduced to the nibble masks the config can express: 0x00, 0x0f, 0xf0
 * or 0xff), then the received datagram.
 *
 * Invariants: a match implies the length limits hold and every masked
 * nibble of the pattern equals the datagram's; a refusal comes with a
 * terminated reason; the pattern matched against itself (within limits)
 * matches. */
#include <stdlib.h>
#include <string.h>

#include "check/udp_match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t masks[4] = {0x00, 0x0f, 0xf0, 0xff};
	uint8_t pat[32], mask[32];
	struct check_udp u;
	char why[128];
	uint8_t *copy;
	size_t p;
	int r;

	if (size < 3)
		return 0;
	p = data[0] % 32;
	if (size < 3 + 2 * p)
		return 0;
	memset(&u, 0, sizeof(u));
	u.min_reply_len = data[1];
	u.max_reply_len = data[2];
	memcpy(pat, data + 3, p);
	for (size_t i = 0; i < p; i++)
		mask[i] = masks[data[3 + p + i] & 3];
	u.reply = p ? pat : NULL;
	u.reply_mask = p ? mask : NULL;
	u.reply_len = p;
	data += 3 + 2 * p;
	size -= 3 + 2 * p;

	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	why[0] = 0;
	memset(why, 'x', sizeof(why));
	r = udp_reply_match(&u, copy, size, why, sizeof(why));
	if (r == 0) {
		if (size < u.min_reply_len || size > u.max_reply_len || size < p)
			abort();
		for (size_t i = 0; i < p; i++)
			if ((copy[i] ^ pat[i]) & mask[i])
				abort();
	} else if (r == -1) {
		if (!memchr(why, 0, sizeof(why)))
			abort();
	} else {
		abort();
	}
	free(copy);
	if (p >= u.min_reply_len && p <= u.max_reply_len &&
	    udp_reply_match(&u, pat, p, why, sizeof(why)) != 0)
		abort();
	return 0;
}
