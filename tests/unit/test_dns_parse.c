/* DNS query builder and reply check.  The golden queries were derived by
 * hand from RFC 1035 §4.1 and cross-checked with dnspython
 * (make_query(..., use_edns=False), flags = RD). */
#include "check.h"
#include "check/dns_parse.h"

static const uint8_t q_root_soa[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
                                     0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x01};
static const uint8_t q_example_a[] = {0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
                                      0x00, 0x00, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65,
                                      0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01};
static const uint8_t q_www_aaaa[] = {0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
                                     0x00, 0x00, 0x00, 0x03, 0x77, 0x77, 0x77, 0x07, 0x45,
                                     0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x6f, 0x72,
                                     0x67, 0x00, 0x00, 0x1c, 0x00, 0x01};

static void check_bytes(const uint8_t *got, int len, const uint8_t *want, size_t wantlen)
{
	CHECK_INT(len, wantlen);
	CHECK(len == (int)wantlen && memcmp(got, want, wantlen) == 0);
}

static void test_build(void)
{
	uint8_t q[DNS_QUERY_MAX];
	const char *why = NULL;
	int n;

	n = dns_query_build(0x1234, ".", 6, q, sizeof(q), &why);
	check_bytes(q, n, q_root_soa, sizeof(q_root_soa));
	n = dns_query_build(0x1234, "", 6, q, sizeof(q), &why);
	check_bytes(q, n, q_root_soa, sizeof(q_root_soa));
	n = dns_query_build(0xbeef, "example.com", 1, q, sizeof(q), &why);
	check_bytes(q, n, q_example_a, sizeof(q_example_a));
	n = dns_query_build(0xbeef, "example.com.", 1, q, sizeof(q), &why);
	check_bytes(q, n, q_example_a, sizeof(q_example_a));
	n = dns_query_build(0x0001, "www.Example.org.", 28, q, sizeof(q), &why);
	check_bytes(q, n, q_www_aaaa, sizeof(q_www_aaaa));
}

static void test_name_limits(void)
{
	char name[400];
	uint8_t q[DNS_QUERY_MAX], small[8];
	const char *why;
	int i;

	/* 63-octet label ok, 64 not */
	memset(name, 'a', 63);
	name[63] = 0;
	CHECK_INT(dns_name_encode(name, q, sizeof(q), &why), 65);
	memset(name, 'a', 64);
	name[64] = 0;
	why = NULL;
	CHECK_INT(dns_name_encode(name, q, sizeof(q), &why), -1);
	CHECK(why && strstr(why, "63"));
	/* 255 octets in wire form ok: 3 x (1+63) + (1+61) + 1 */
	memset(name, 'b', 63);
	name[63] = '.';
	memset(name + 64, 'c', 63);
	name[127] = '.';
	memset(name + 128, 'd', 63);
	name[191] = '.';
	memset(name + 192, 'e', 61);
	name[253] = 0;
	CHECK_INT(dns_name_encode(name, q, sizeof(q), &why), 255);
	CHECK_INT(dns_query_build(7, name, 1, q, sizeof(q), &why), DNS_QUERY_MAX);
	/* one more octet: 256 */
	name[253] = 'e';
	name[254] = 0;
	why = NULL;
	CHECK_INT(dns_name_encode(name, q, sizeof(q), &why), -1);
	CHECK(why && strstr(why, "255"));
	/* empty labels */
	CHECK_INT(dns_name_encode("a..b", q, sizeof(q), &why), -1);
	CHECK_INT(dns_name_encode(".com", q, sizeof(q), &why), -1);
	CHECK_INT(dns_name_encode("com..", q, sizeof(q), &why), -1);
	CHECK_INT(dns_name_encode("..", q, sizeof(q), &why), -1);
	/* small output buffers never overflow */
	for (i = 0; i <= (int)sizeof(small); i++)
		CHECK(dns_name_encode("abc.defg", small, (size_t)i, &why) == (i >= 10 ? 10 : -1));
	CHECK_INT(dns_query_build(1, ".", 1, q, 16, &why), -1);
	CHECK_INT(dns_query_build(1, ".", 1, q, 17, &why), 17);
}

/* A reply to q: header flags and rcode given, question echoed. */
static size_t make_reply(const uint8_t *q, size_t qlen, uint8_t flags2, uint8_t flags3, uint8_t *r)
{
	memcpy(r, q, qlen);
	r[2] = flags2;
	r[3] = flags3;
	return qlen;
}

static void test_reply(void)
{
	uint8_t q[DNS_QUERY_MAX], r[600];
	const struct dns_reply_info *ip;
	struct dns_reply_info info;
	const char *why;
	size_t rl, i;
	int ql;

	ql = dns_query_build(0xbeef, "example.com", 1, q, sizeof(q), &why);
	CHECK_INT(ql, sizeof(q_example_a));

	rl = make_reply(q, (size_t)ql, 0x81, 0x80, r);
	CHECK_INT(dns_reply_check(r, rl, q, (size_t)ql, &info, &why), DNS_REPLY_OK);
	ip = &info;
	CHECK_INT(ip->rcode, 0);
	CHECK_INT(ip->qdcount, 1);
	/* with an answer after the question */
	{
		static const uint8_t ans[] = {0xc0, 0x0c, 0, 1, 0,   1, 0, 0,
		                              0,    60,   0, 4, 192, 0, 2, 1};

		memcpy(r + rl, ans, sizeof(ans));
		r[7] = 1;
		CHECK_INT(dns_reply_check(r, rl + sizeof(ans), q, (size_t)ql, &info, &why),
		          DNS_REPLY_OK);
		CHECK_INT(info.ancount, 1);
		r[7] = 0;
	}
	/* case differs (DNS 0x20): same name */
	r[13] = 'E';
	CHECK_INT(dns_reply_check(r, rl, q, (size_t)ql, NULL, &why), DNS_REPLY_OK);
	r[13] = 'x';
	CHECK_INT(dns_reply_check(r, rl, q, (size_t)ql, NULL, &why), DNS_REPLY_BAD);
	CHECK_STR(why, "question does not match the query");
	r[13] = 'e';
	/* other qtype */
	r[rl - 3] = 2;
	CHECK_INT(dns_reply_check(r, rl, q, (size_t)ql, NULL, &why), DNS_REPLY_BAD);
	r[rl - 3] = 1;
	/* no question at all: fine */
	r[5] = 0;
	CHECK_INT(dns_reply_check(r, 12, q, (size_t)ql, NULL, &why), DNS_REPLY_OK);
	r[5] = 1;
	/* TC set: still an answer */
	r[2] = 0x83;
	CHECK_INT(dns_reply_check(r, rl, q, (size_t)ql, &info, &why), DNS_REPLY_OK);
	CHECK(info.tc);
	/* rcodes */
	r[2] = 0x81;
	r[3] = 0x82;
	CHECK_INT(dns_reply_check(r, rl, q, (size_t)ql, &info, &why), DNS_REPLY_BAD);
	CHECK_STR(why, "rcode 2 (SERVFAIL)");
	CHECK_INT(info.rcode, 2);
	r[3] = 0x83;
	CHECK_INT(dns_reply_check(r, rl, q, (size_t)ql, &info, &why), DNS_REPLY_BAD);
	CHECK_STR(why, "rcode 3 (NXDOMAIN)");
	r[3] = 0x8f;
	CHECK_INT(dns_reply_check(r, rl, q, (size_t)ql, &info, &why), DNS_REPLY_BAD);
	CHECK_STR(why, "rcode 15");
	CHECK_STR(dns_rcode_str(5), "REFUSED");
	CHECK_STR(dns_rcode_str(99), "?");
	r[3] = 0x80;
	/* QR clear: our own query reflected (an echo server on port 53) */
	CHECK_INT(dns_reply_check(q, (size_t)ql, q, (size_t)ql, NULL, &why), DNS_REPLY_BAD);
	CHECK(strstr(why, "QR"));
	/* opcode */
	r[2] = 0x81 | (2 << 3);
	CHECK_INT(dns_reply_check(r, rl, q, (size_t)ql, NULL, &why), DNS_REPLY_BAD);
	r[2] = 0x81;
	/* other ID: ignored; no ID at all: ignored */
	r[1] ^= 1;
	CHECK_INT(dns_reply_check(r, rl, q, (size_t)ql, NULL, &why), DNS_REPLY_IGNORE);
	r[1] ^= 1;
	CHECK_INT(dns_reply_check(r, 0, q, (size_t)ql, NULL, &why), DNS_REPLY_IGNORE);
	CHECK_INT(dns_reply_check(r, 1, q, (size_t)ql, NULL, &why), DNS_REPLY_IGNORE);
	/* every truncation of a good reply: bad or ok, never a crash/overread */
	for (i = 2; i < rl; i++) {
		enum dns_reply_result res = dns_reply_check(r, i, q, (size_t)ql, NULL, &why);

		CHECK(res == DNS_REPLY_BAD);
	}
}

static void test_compression(void)
{
	uint8_t q[DNS_QUERY_MAX], r[64];
	const char *why;
	int ql;

	ql = dns_query_build(0x4242, "a.b", 1, q, sizeof(q), &why);
	memcpy(r, q, 12);
	r[2] = 0x81;
	r[3] = 0x80;
	/* question name is a pointer to itself */
	r[12] = 0xc0;
	r[13] = 12;
	r[14] = 0;
	r[15] = 1;
	r[16] = 0;
	r[17] = 1;
	why = NULL;
	CHECK_INT(dns_reply_check(r, 18, q, (size_t)ql, NULL, &why), DNS_REPLY_BAD);
	CHECK(why && strstr(why, "pointer"));
	/* pointer forward */
	r[13] = 20;
	CHECK_INT(dns_reply_check(r, 18, q, (size_t)ql, NULL, &why), DNS_REPLY_BAD);
	/* label then a pointer back into the header that reads as labels and
	 * eventually a pointer to itself again */
	r[12] = 1;
	r[13] = 'a';
	r[14] = 0xc0;
	r[15] = 12;
	CHECK_INT(dns_reply_check(r, 20, q, (size_t)ql, NULL, &why), DNS_REPLY_BAD);
	/* pointer into the header: ID 0x42 0x42 reads as label type 01 */
	r[14] = 0xc0;
	r[15] = 0;
	CHECK_INT(dns_reply_check(r, 20, q, (size_t)ql, NULL, &why), DNS_REPLY_BAD);
	/* reserved label types */
	r[12] = 0x40;
	CHECK_INT(dns_reply_check(r, 20, q, (size_t)ql, NULL, &why), DNS_REPLY_BAD);
	r[12] = 0x80;
	CHECK_INT(dns_reply_check(r, 20, q, (size_t)ql, NULL, &why), DNS_REPLY_BAD);
	/* a truncated pointer */
	r[12] = 0xc0;
	CHECK_INT(dns_reply_check(r, 13, q, (size_t)ql, NULL, &why), DNS_REPLY_BAD);
	/* the question comes first, so a pointer in it can only reach the
	 * header: nothing legal to point at; plain names pass */
	{
		uint8_t m[40];

		memcpy(m, r, 12);
		memcpy(m + 12, q + 12, (size_t)ql - 12);
		CHECK_INT(dns_reply_check(m, (size_t)ql, q, (size_t)ql, NULL, &why), DNS_REPLY_OK);
	}
}

/* Deterministic pseudo-random garbage with our ID: must never crash and
 * must never say OK unless it really is a reply to the question. */
static void test_garbage(void)
{
	uint8_t q[DNS_QUERY_MAX], r[300];
	uint32_t x = 12345;
	const char *why;
	int ql, iter, ok = 0;

	ql = dns_query_build(0x5151, "a", 1, q, sizeof(q), &why);
	for (iter = 0; iter < 20000; iter++) {
		size_t len, i;

		x = x * 1103515245 + 12345;
		len = (x >> 8) % sizeof(r);
		for (i = 0; i < len; i++) {
			x = x * 1103515245 + 12345;
			r[i] = (uint8_t)(x >> 16);
		}
		if (len >= 2) {
			r[0] = 0x51;
			r[1] = 0x51;
		}
		if (len >= 4 && (iter & 1)) {
			r[2] = 0x81;
			r[3] = 0x80;
		}
		if (dns_reply_check(r, len, q, (size_t)ql, NULL, &why) == DNS_REPLY_OK)
			ok++;
	}
	/* qdcount 0 is rare (1 in 65536) but legal; the loop must finish */
	CHECK(ok < 20);
}

int main(void)
{
	test_build();
	test_name_limits();
	test_reply();
	test_compression();
	test_garbage();
	return check_report("test_dns_parse");
}
