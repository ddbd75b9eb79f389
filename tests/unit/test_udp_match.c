/* UDP_CHECK reply matching: length bounds, exact bytes, nibble wildcards. */
#include "check.h"
#include "check/udp_match.h"

static int match(const struct check_udp *u, const char *buf, size_t len, char *why)
{
	why[0] = 0;
	return udp_reply_match(u, (const uint8_t *)buf, len, why, 160);
}

static void test_lengths(void)
{
	struct check_udp u = {.min_reply_len = 0, .max_reply_len = 255};
	char why[160], big[300];

	memset(big, 'x', sizeof(big));
	CHECK_INT(match(&u, "", 0, why), 0);
	CHECK_INT(match(&u, big, 255, why), 0);
	CHECK_INT(match(&u, big, 256, why), -1);
	u.max_reply_len = 10;
	CHECK_INT(match(&u, big, 12, why), -1);
	CHECK_STR(why, "reply 12 bytes, above max_reply_length 10");
	CHECK_INT(match(&u, big, 10, why), 0);
	u.min_reply_len = 4;
	CHECK_INT(match(&u, big, 3, why), -1);
	CHECK_STR(why, "reply 3 bytes, below min_reply_length 4");
	CHECK_INT(match(&u, big, 4, why), 0);
	CHECK_INT(match(&u, "", 0, why), -1);
}

static void test_pattern(void)
{
	/* require_reply 4a5X00 */
	static uint8_t reply[] = {0x4a, 0x50, 0x00};
	static uint8_t mask[] = {0xff, 0xf0, 0xff};
	struct check_udp u = {.require_reply = true,
	                      .reply = reply,
	                      .reply_mask = mask,
	                      .reply_len = 3,
	                      .max_reply_len = 255};
	char why[160];

	CHECK_INT(match(&u, "\x4a\x50\x00", 3, why), 0);
	CHECK_INT(match(&u, "\x4a\x5f\x00", 3, why), 0);
	CHECK_INT(match(&u, "\x4a\x57\x00tail", 7, why), 0); /* a prefix */
	CHECK_INT(match(&u, "\x4a\x60\x00", 3, why), -1);
	CHECK_STR(why, "reply byte 1 is 60, expected 5X");
	CHECK_INT(match(&u, "\x4b\x50\x00", 3, why), -1);
	CHECK_STR(why, "reply byte 0 is 4b, expected 4a");
	CHECK_INT(match(&u, "\x4a\x50\x01", 3, why), -1);
	CHECK_INT(match(&u, "\x4a\x50", 2, why), -1);
	CHECK_STR(why, "reply 2 bytes, shorter than the expected 3");
	CHECK_INT(match(&u, "", 0, why), -1);
	/* low nibble wildcard, and a whole wildcard byte */
	mask[0] = 0x0f;
	mask[1] = 0x00;
	CHECK_INT(match(&u, "\xfa\x99\x00", 3, why), 0);
	CHECK_INT(match(&u, "\xfb\x99\x00", 3, why), -1);
	CHECK_STR(why, "reply byte 0 is fb, expected Xa");
	/* no mask: every bit counts */
	u.reply_mask = NULL;
	CHECK_INT(match(&u, "\x4a\x50\x00", 3, why), 0);
	CHECK_INT(match(&u, "\x4a\x51\x00", 3, why), -1);
	/* length bounds are checked before the pattern */
	u.max_reply_len = 2;
	CHECK_INT(match(&u, "\x4a\x50\x00", 3, why), -1);
	CHECK_STR(why, "reply 3 bytes, above max_reply_length 2");
	/* an empty pattern: any reply in bounds */
	u.reply_len = 0;
	u.max_reply_len = 255;
	CHECK_INT(match(&u, "zz", 2, why), 0);
}

int main(void)
{
	test_lengths();
	test_pattern();
	return check_report("test_udp_match");
}
