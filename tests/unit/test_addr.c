/* Address parsing, ranges, formatting and arithmetic. */
#include <arpa/inet.h>

#include "check.h"
#include "lib/addr.h"

static const char *fmt(const struct ka_addr *a)
{
	static char buf[KA_ADDRSTRLEN];

	return addr_fmt(a, buf, sizeof(buf));
}

static void test_parse(void)
{
	static const char *good[] = {
	    "0.0.0.0",       "192.168.1.1",     "255.255.255.255",      "::", "::1", "2001:db8::1",
	    "fe80::1:2:3:4", "::ffff:10.0.0.1", "2001:db8:0:0:0:0:0:ff"};
	static const char *bad[] = {"",
	                            "1.2.3",
	                            "192.168.1.300",
	                            "1.2.3.4.5",
	                            "1.2.3.4 ",
	                            " 1.2.3.4",
	                            "1.2.3.4x",
	                            "localhost",
	                            "1.2.3.-1",
	                            "01.2.3.4",
	                            "2001:db8::1::2",
	                            "2001:db8::g",
	                            "fe80::1%eth0",
	                            ":::",
	                            "1.2.3.4/24",
	                            "1.2.3.4:80",
	                            "0x7f.0.0.1"};
	struct ka_addr a;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CHECK_INT(addr_parse(good[i], &a), 0);
		CHECK_INT(a.family, strchr(good[i], ':') ? AF_INET6 : AF_INET);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a.family = 99;
		if (addr_parse(bad[i], &a) != -1)
			fprintf(stderr, "accepted bad address \"%s\"\n", bad[i]);
		CHECK_INT(addr_parse(bad[i], &a), -1);
		CHECK_INT(a.family, 99); /* untouched on failure */
	}
	CHECK_INT(addr_parse(NULL, &a), -1);

	CHECK_INT(addr_parse("10.1.2.3", &a), 0);
	CHECK_INT(a.u.v4.s_addr, htonl(0x0a010203));
}

static void test_prefix(void)
{
	struct ka_addr a;
	bool had = true;
	int plen = -1;

	CHECK_INT(addr_parse_prefix("10.0.0.1", &a, &plen, &had), 0);
	CHECK_INT(plen, 32);
	CHECK(!had);
	CHECK_INT(addr_parse_prefix("2001:db8::1", &a, &plen, &had), 0);
	CHECK_INT(plen, 128);
	CHECK(!had);
	CHECK_INT(addr_parse_prefix("10.0.0.1/24", &a, &plen, &had), 0);
	CHECK_INT(plen, 24);
	CHECK(had);
	CHECK_STR(fmt(&a), "10.0.0.1"); /* host bits are kept */
	CHECK_INT(addr_parse_prefix("0.0.0.0/0", &a, &plen, NULL), 0);
	CHECK_INT(plen, 0);
	CHECK_INT(addr_parse_prefix("1.2.3.4/32", &a, &plen, NULL), 0);
	CHECK_INT(plen, 32);
	CHECK_INT(addr_parse_prefix("2001:db8::/64", &a, &plen, NULL), 0);
	CHECK_INT(plen, 64);
	CHECK_INT(addr_parse_prefix("::/128", &a, &plen, NULL), 0);
	CHECK_INT(plen, 128);

	CHECK_INT(addr_parse_prefix("1.2.3.4/", &a, &plen, NULL), -1);
	CHECK_INT(addr_parse_prefix("1.2.3.4/33", &a, &plen, NULL), -1);
	CHECK_INT(addr_parse_prefix("1.2.3.4/x", &a, &plen, NULL), -1);
	CHECK_INT(addr_parse_prefix("1.2.3.4/-1", &a, &plen, NULL), -1);
	CHECK_INT(addr_parse_prefix("1.2.3.4/+8", &a, &plen, NULL), -1);
	CHECK_INT(addr_parse_prefix("1.2.3.4/24/1", &a, &plen, NULL), -1);
	CHECK_INT(addr_parse_prefix("1.2.3.4/2 ", &a, &plen, NULL), -1);
	CHECK_INT(addr_parse_prefix("1.2.3.4/0024", &a, &plen, NULL), -1);
	CHECK_INT(addr_parse_prefix("/33", &a, &plen, NULL), -1);
	CHECK_INT(addr_parse_prefix("/24", &a, &plen, NULL), -1);
	CHECK_INT(addr_parse_prefix("", &a, &plen, NULL), -1);
	CHECK_INT(addr_parse_prefix("::1/129", &a, &plen, NULL), -1);
	CHECK_INT(addr_parse_prefix("1.2.3/24", &a, &plen, NULL), -1);
}

/* Parse s as a range and compare both ends with the expected text. */
static void range_ok(const char *s, const char *first, const char *last)
{
	struct ka_addr f, l;
	char b1[KA_ADDRSTRLEN], b2[KA_ADDRSTRLEN];

	if (addr_parse_range(s, &f, &l) != 0) {
		fprintf(stderr, "range \"%s\" rejected\n", s);
		CHECK(0);
		return;
	}
	CHECK_STR(addr_fmt(&f, b1, sizeof(b1)), first);
	CHECK_STR(addr_fmt(&l, b2, sizeof(b2)), last);
	CHECK(addr_cmp(&f, &l) <= 0);
}

static void range_bad(const char *s)
{
	struct ka_addr f, l;

	if (addr_parse_range(s, &f, &l) != -1)
		fprintf(stderr, "range \"%s\" accepted\n", s);
	CHECK_INT(addr_parse_range(s, &f, &l), -1);
}

static void test_range(void)
{
	range_ok("192.168.1.10-20", "192.168.1.10", "192.168.1.20");
	range_ok("192.168.1.10-10", "192.168.1.10", "192.168.1.10");
	range_ok("192.168.1.0-255", "192.168.1.0", "192.168.1.255");
	range_ok("10.0.0.250-10.0.1.5", "10.0.0.250", "10.0.1.5");
	range_ok("10.0.0.1-10.0.0.1", "10.0.0.1", "10.0.0.1");
	range_ok("ae00::2-9", "ae00::2", "ae00::9");
	range_ok("2001:db8::10-1f", "2001:db8::10", "2001:db8::1f");
	range_ok("2001:db8::10-1F", "2001:db8::10", "2001:db8::1f");
	range_ok("2001:db8::1:0-ffff", "2001:db8::1:0", "2001:db8::1:ffff");
	range_ok("2001:db8::1-2001:db8::1:0", "2001:db8::1", "2001:db8::1:0");
	range_ok("192.168.1.77/24", "192.168.1.0", "192.168.1.255");
	range_ok("10.1.2.3/32", "10.1.2.3", "10.1.2.3");
	range_ok("10.1.2.3/31", "10.1.2.2", "10.1.2.3");
	range_ok("172.16.5.4/12", "172.16.0.0", "172.31.255.255");
	range_ok("1.2.3.4/0", "0.0.0.0", "255.255.255.255");
	range_ok("2001:db8::5/126", "2001:db8::4", "2001:db8::7");
	range_ok("2001:db8:1:2::/63", "2001:db8:1:2::", "2001:db8:1:3:ffff:ffff:ffff:ffff");
	range_ok("10.0.0.1", "10.0.0.1", "10.0.0.1");

	range_bad("");
	range_bad("192.168.1.20-10");      /* reversed last octet */
	range_bad("192.168.1.10-256");     /* octet out of range */
	range_bad("192.168.1.10-");        /* empty end */
	range_bad("-10");                  /* empty start */
	range_bad("192.168.1.10--12");     /* junk */
	range_bad("192.168.1.10-1x");      /* junk */
	range_bad("192.168.1.10-0x1f");    /* hex only for IPv6 */
	range_bad("192.168.1.10-1000");    /* too many digits */
	range_bad("10.0.1.5-10.0.0.250");  /* reversed full range */
	range_bad("10.0.0.1-2001:db8::1"); /* mixed families */
	range_bad("2001:db8::1-10.0.0.1"); /* mixed families */
	range_bad("2001:db8::1f-10");      /* reversed IPv6 group */
	range_bad("2001:db8::10-10000");   /* group wider than 16 bits */
	range_bad("2001:db8::10-xyz");     /* not hex */
	range_bad("1.2.3.4/33");
	range_bad("1.2.3.4/");
	range_bad("1.2.3.4-5/24");
	range_bad("1.2.3-4");
	range_bad("1.2.3.300-301");
	range_bad("::1/129");
}

static void test_port(void)
{
	uint16_t p = 7;

	CHECK_INT(port_parse("0", &p), 0);
	CHECK_INT(p, 0);
	CHECK_INT(port_parse("80", &p), 0);
	CHECK_INT(p, 80);
	CHECK_INT(port_parse("65535", &p), 0);
	CHECK_INT(p, 65535);
	p = 7;
	CHECK_INT(port_parse("65536", &p), -1);
	CHECK_INT(port_parse("99999", &p), -1);
	CHECK_INT(port_parse("4294967376", &p), -1); /* would wrap a 32-bit parse to 80 */
	CHECK_INT(port_parse("", &p), -1);
	CHECK_INT(port_parse("-1", &p), -1);
	CHECK_INT(port_parse("+80", &p), -1);
	CHECK_INT(port_parse(" 80", &p), -1);
	CHECK_INT(port_parse("80 ", &p), -1);
	CHECK_INT(port_parse("80x", &p), -1);
	CHECK_INT(port_parse("0x50", &p), -1);
	CHECK_INT(port_parse("http", &p), -1);
	CHECK_INT(port_parse(NULL, &p), -1);
	CHECK_INT(p, 7);
}

static void test_fmt(void)
{
	static const char *rt[] = {"0.0.0.0", "10.20.30.40", "255.255.255.255", "::",
	                           "::1",     "2001:db8::1", "fe80::1:2:3:4",   "::ffff:10.0.0.1"};
	char buf[KA_ADDRSTRLEN], tiny[4];
	struct ka_addr a, b;
	size_t i;

	for (i = 0; i < sizeof(rt) / sizeof(rt[0]); i++) {
		CHECK_INT(addr_parse(rt[i], &a), 0);
		CHECK_STR(addr_fmt(&a, buf, sizeof(buf)), rt[i]);
		CHECK_INT(addr_parse(buf, &b), 0);
		CHECK(addr_equal(&a, &b));
	}
	/* Non-canonical input prints canonically. */
	CHECK_INT(addr_parse("2001:0DB8:0000:0000:0000:0000:0000:0001", &a), 0);
	CHECK_STR(addr_fmt(&a, buf, sizeof(buf)), "2001:db8::1");

	CHECK_INT(addr_parse("1.2.3.4", &a), 0);
	CHECK_STR(addr_port_fmt(&a, 80, buf, sizeof(buf)), "1.2.3.4:80");
	CHECK_INT(addr_parse("2001:db8::1", &a), 0);
	CHECK_STR(addr_port_fmt(&a, 443, buf, sizeof(buf)), "[2001:db8::1]:443");
	CHECK_INT(addr_parse("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", &a), 0);
	CHECK(strlen(addr_port_fmt(&a, 65535, buf, sizeof(buf))) < KA_ADDRSTRLEN);
	CHECK_STR(buf, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");

	/* Too small a buffer still yields a terminated string. */
	CHECK_INT(addr_parse("10.20.30.40", &a), 0);
	addr_fmt(&a, tiny, sizeof(tiny));
	CHECK(strlen(tiny) < sizeof(tiny));
	memset(&a, 0, sizeof(a));
	CHECK_STR(addr_fmt(&a, buf, sizeof(buf)), "?");
}

static void test_cmp(void)
{
	struct ka_addr a, b, c;

	CHECK_INT(addr_parse("10.0.0.2", &a), 0);
	CHECK_INT(addr_parse("10.0.0.10", &b), 0);
	CHECK_INT(addr_parse("::1", &c), 0);
	CHECK_INT(addr_cmp(&a, &b), -1);
	CHECK_INT(addr_cmp(&b, &a), 1);
	CHECK_INT(addr_cmp(&a, &a), 0);
	CHECK(addr_cmp(&a, &c) < 0); /* AF_INET sorts before AF_INET6 */
	CHECK(addr_cmp(&c, &a) > 0);
	CHECK(addr_equal(&a, &a));
	CHECK(!addr_equal(&a, &b));
}

static void test_inc(void)
{
	struct ka_addr a;

	CHECK_INT(addr_parse("10.0.0.254", &a), 0);
	CHECK_INT(addr_inc(&a), 0);
	CHECK_STR(fmt(&a), "10.0.0.255");
	CHECK_INT(addr_inc(&a), 0);
	CHECK_STR(fmt(&a), "10.0.1.0");
	CHECK_INT(addr_parse("10.255.255.255", &a), 0);
	CHECK_INT(addr_inc(&a), 0);
	CHECK_STR(fmt(&a), "11.0.0.0");
	CHECK_INT(addr_parse("255.255.255.255", &a), 0);
	CHECK_INT(addr_inc(&a), -1);
	CHECK_STR(fmt(&a), "0.0.0.0");

	CHECK_INT(addr_parse("2001:db8::ffff", &a), 0);
	CHECK_INT(addr_inc(&a), 0);
	CHECK_STR(fmt(&a), "2001:db8::1:0");
	CHECK_INT(addr_parse("2001:db8:0:0:ffff:ffff:ffff:ffff", &a), 0);
	CHECK_INT(addr_inc(&a), 0);
	CHECK_STR(fmt(&a), "2001:db8:0:1::");
	CHECK_INT(addr_parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &a), 0);
	CHECK_INT(addr_inc(&a), -1);
	CHECK_STR(fmt(&a), "::");

	/* Walking a range visits exactly its members. */
	{
		struct ka_addr f, l;
		int n = 0;

		CHECK_INT(addr_parse_range("10.0.0.250-10.0.1.5", &f, &l), 0);
		for (; addr_cmp(&f, &l) <= 0 && n < 1000; n++)
			if (addr_inc(&f) < 0)
				break;
		CHECK_INT(n, 12);
	}
}

static void test_sockaddr(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct ka_addr a;

	CHECK_INT(addr_parse("192.0.2.7", &a), 0);
	CHECK_INT(addr_to_sockaddr(&a, 8080, &ss), sizeof(struct sockaddr_in));
	CHECK_INT(sin->sin_family, AF_INET);
	CHECK_INT(ntohs(sin->sin_port), 8080);
	CHECK_INT(sin->sin_addr.s_addr, a.u.v4.s_addr);
	CHECK_INT(addr_parse("2001:db8::7", &a), 0);
	CHECK_INT(addr_to_sockaddr(&a, 53, &ss), sizeof(struct sockaddr_in6));
	CHECK_INT(sin6->sin6_family, AF_INET6);
	CHECK_INT(ntohs(sin6->sin6_port), 53);
	CHECK(memcmp(&sin6->sin6_addr, &a.u.v6, 16) == 0);
}

int main(void)
{
	test_parse();
	test_prefix();
	test_range();
	test_port();
	test_fmt();
	test_cmp();
	test_inc();
	test_sockaddr();
	return check_report("test_addr");
}
