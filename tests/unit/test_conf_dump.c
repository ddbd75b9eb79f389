/* Unit tests of the parser engine's standard checkers, its tree dump (round
 * trips, secret masking) and its behaviour on large and random inputs. */
#include <netdb.h>
#include <stdint.h>
#include <time.h>

#include "conf_fixture.h"

static void test_checkers(void)
{
	bool have_http = getservbyname("http", "tcp") != NULL;
	struct conf_tree *t = parse("inst A {\n"
	                            "  prio 0\n"
	                            "  prio abc\n"
	                            "  prio 256\n"
	                            "  prio -1\n"
	                            "  timer 0.001\n"
	                            "  timer 1.0000001\n"
	                            "  timer 256\n"
	                            "  timer -1\n"
	                            "  flag maybe\n"
	                            "  mode d\n"
	                            "  ip 1.2.3\n"
	                            "  ipp 1.2.3.4 70000\n"
	                            "  ipp nothost 80\n"
	                            "  path rel/x\n"
	                            "  check {\n"
	                            "    port 65536\n"
	                            "    port -1\n"
	                            "  }\n"
	                            "  where a\n"
	                            "}\n");
	CHECK_NMSG(16);
	CHECK_STR(cap.m[0], "E t.conf:2 prio: number '0' outside range [1, 255]");
	CHECK_STR(cap.m[1], "E t.conf:3 prio: invalid number 'abc'");
	CHECK_STR(cap.m[2], "E t.conf:4 prio: number '256' outside range [1, 255]");
	CHECK_STR(cap.m[3], "E t.conf:5 prio: number '-1' outside range [1, 255]");
	CHECK_STR(cap.m[4], "E t.conf:6 timer: time '0.001' outside range [0.01, 255] seconds");
	CHECK_STR(cap.m[5], "E t.conf:7 timer: invalid time '1.0000001' "
	                    "(decimal seconds, at most 6 decimals)");
	CHECK_STR(cap.m[6], "E t.conf:8 timer: time '256' outside range [0.01, 255] seconds");
	CHECK_STR(cap.m[7], "E t.conf:9 timer: invalid time '-1' "
	                    "(decimal seconds, at most 6 decimals)");
	CHECK_STR(cap.m[8], "E t.conf:10 flag: invalid boolean 'maybe' "
	                    "(expected on/off, true/false or yes/no)");
	CHECK_STR(cap.m[9], "E t.conf:11 mode: invalid value 'd' (expected one of a|b|c)");
	CHECK_STR(cap.m[10], "E t.conf:12 ip: invalid IP address '1.2.3'");
	CHECK_STR(cap.m[11], "E t.conf:13 ipp: invalid port '70000' "
	                     "(expected 0-65535 or a service name)");
	CHECK_STR(cap.m[12], "E t.conf:14 ipp: invalid IP address 'nothost'");
	CHECK_STR(cap.m[13], "E t.conf:15 path: path 'rel/x' is not absolute");
	CHECK_STR(cap.m[14], "E t.conf:17 port: invalid port '65536' "
	                     "(expected 0-65535 or a service name)");
	CHECK_STR(cap.m[15], "E t.conf:18 port: invalid port '-1' "
	                     "(expected 0-65535 or a service name)");
	CHECK_INT(seen_line, 20);
	CHECK_INT(conf_count(conf_first(&t->root, "inst"), "prio"), 0);
	CHECK_INT(conf_count(conf_first(&t->root, "inst"), "where"), 1);
	conf_tree_free(t);

	t = parse("inst A {\n"
	          "  prio 1\n  prio 255\n  prio 0x10\n  prio +7\n"
	          "  timer 0.01\n  timer 255\n  timer 1.5\n  timer .5\n  timer 1.000001\n"
	          "  flag\n  flag YES\n  flag off\n  flag True\n  flag no\n"
	          "  mode B\n  mode a\n"
	          "  ip ::1\n  ip 192.0.2.1\n  ip 2001:db8::5\n"
	          "  ipp 192.0.2.1\n  ipp 2001:db8::1 443\n  ipp 192.0.2.1 0\n"
	          "  path /etc/x\n"
	          "  check {\n    port 0\n    port 65535\n  }\n"
	          "}\n");
	/* prio is a UNIQUE keyword: only warnings. */
	CHECK_NMSG(3);
	CHECK_INT(t->counts.warnings, 3);
	CHECK_INT(conf_exit_code(&t->counts), 0);
	CHECK_INT(conf_count(conf_first(&t->root, "inst"), "prio"), 4);
	conf_tree_free(t);

	if (have_http) {
		t = parse("inst A {\n  ipp 192.0.2.1 http\n  check {\n    port https\n  }\n}\n");
		CHECK_NMSG(0);
		conf_tree_free(t);
	}
}

static void test_checker_class(void)
{
	/* A checker can raise a particular class. */
	struct conf_tree *t = parse("inst A {\n  unsafe\n}\n");
	CHECK_NMSG(1);
	CHECK_STR(cap.m[0], "E t.conf:2 unsafe");
	CHECK_INT(t->counts.errors[CONF_CLASS_SCRIPT_SEC], 1);
	CHECK_INT(conf_exit_code(&t->counts), CONF_EXIT_SCRIPT_SEC);
	conf_tree_free(t);
}

static const char round_src[] =
    "inst \"with space\" {\n"
    "  prio 7\n"
    "  words \"a b\" \"c#d\" \"e!f\" \"{\" \"}\" 'x' \"q\\\"uote\" tail\n"
    "  words \"back\\\\slash\" \"\" \"tab\\there\" \"$NOTDEF\" \"@x\"\n"
    "  addrs {\n"
    "    10.0.0.1 dev eth0\n"
    "  }\n"
    "  check\n"
    "  {\n"
    "    inner {\n"
    "      ::1\n"
    "    }\n"
    "  }\n"
    "  opt 1\n"
    "  password hunter2\n"
    "}\n"
    "top \"~SEQ(i,1,3)\"\n";

static void test_dump_roundtrip(void)
{
	struct conf_tree *t = parse(round_src), *t2, *t3;
	char *d1 = dump_str(t, false), *d2, *d3 = dump_str(t, true), *d4;

	CHECK_NMSG(0);
	t2 = parse(d1);
	CHECK_NMSG(0);
	CHECK(same_tree(t->root.child, t2->root.child));
	d2 = dump_str(t2, false);
	CHECK_STR(d2, d1);
	/* The origin remarks are comments and change nothing. */
	t3 = parse(d3);
	CHECK_NMSG(0);
	CHECK(same_tree(t->root.child, t3->root.child));
	CHECK(strstr(d3, "  # t.conf:1\n") != NULL);
	CHECK(strstr(d3, "prio 7  # t.conf:2\n") != NULL);
	CHECK(strstr(d1, "\n    prio 7\n") != NULL);
	CHECK(strstr(d1, "\n        10.0.0.1 dev eth0\n") != NULL);
	CHECK(strstr(d1, "\n    check {\n") != NULL);
	/* Secrets are masked. */
	CHECK(strstr(d1, "hunter2") == NULL);
	CHECK(strstr(d1, "    password ****\n") != NULL);
	CHECK(strstr(d3, "hunter2") == NULL);
	CHECK_STR(conf_arg(conf_first(conf_first(&t->root, "inst"), "password"), 1), "hunter2");
	d4 = dump_str(t3, false);
	CHECK_STR(d4, d1);
	if (t_failures)
		fprintf(stderr, "--- dump:\n%s---\n", d1);
	free(d1);
	free(d2);
	free(d3);
	free(d4);
	conf_tree_free(t);
	conf_tree_free(t2);
	conf_tree_free(t3);
}

static long count_nodes(const conf_node *n)
{
	long k = 0;

	for (; n; n = n->next)
		k += 1 + count_nodes(n->child);
	return k;
}

static unsigned rnd(unsigned *seed, unsigned n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) % n;
}

/* Random lines built from the test tables' words: the engine must not
 * crash, and whatever tree it builds must dump to text that parses back,
 * without errors, to the same tree. */
static void test_random_roundtrip(void)
{
	static const char *first[] = {"inst",     "prio",     "check", "port", "bogus", "addrs",
	                              "10.0.0.1", "opt",      "none",  "many", "vblk",  "gone",
	                              "old",      "password", "mixed", "dev",  "inner", "::1",
	                              "top",      "words",    "{",     "}",    "}",     "}"};
	static const char *args[] = {"A", "7", "80", "2", "\"a b\"", "x", "'$y'", "1.5"};
	unsigned seed = 12345;
	long nodes = 0;
	char buf[4096];
	int bad = 0;

	for (int iter = 0; iter < 5000; iter++) {
		/* Most inputs start inside a block to reach the nested tables. */
		size_t len = rnd(&seed, 4) ? (size_t)snprintf(buf, sizeof(buf), "inst A {\n") : 0;
		int lines = 1 + (int)rnd(&seed, 40);

		for (int k = 0; k < lines && len < sizeof(buf) - 200; k++) {
			len +=
			    (size_t)snprintf(buf + len, sizeof(buf) - len, "%s",
			                     first[rnd(&seed, sizeof(first) / sizeof(first[0]))]);
			for (unsigned j = rnd(&seed, 4); j > 0; j--)
				len += (size_t)snprintf(
				    buf + len, sizeof(buf) - len, " %s",
				    args[rnd(&seed, sizeof(args) / sizeof(args[0]))]);
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s\n",
			                        rnd(&seed, 3) == 0 ? " {" : "");
		}
		struct conf_tree *t = parse(buf), *t2;
		char *d = dump_str(t, iter % 2 == 0);

		nodes += count_nodes(t->root.child);
		t2 = parse(d);
		if (t2->counts.errors[CONF_CLASS_CONFIG] ||
		    !same_tree(t->root.child, t2->root.child)) {
			if (!bad++)
				fprintf(stderr, "round trip failed for:\n%s\n--- dump:\n%s", buf,
				        d);
		}
		free(d);
		conf_tree_free(t);
		conf_tree_free(t2);
	}
	CHECK_INT(bad, 0);
	CHECK(nodes > 3000);
}

static void test_large(void)
{
	const int n = 65000;
	size_t cap_bytes = (size_t)n * 160, len = 0;
	char *buf = malloc(cap_bytes);
	struct conf_tree *t;
	clock_t c0;
	double secs;

	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap_bytes - len,
		                        "inst I_%d {\n  prio %d\n  timer 1\n  addrs {\n"
		                        "    10.%d.%d.1\n  }\n  mode a\n}\n",
		                        i, i % 255 + 1, i / 256 % 256, i % 256);
	memset(&cap, 0, sizeof(cap));
	c0 = clock();
	t = conf_parse_mem("big.conf", buf, len, &root_blk, &opts);
	secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
	CHECK_NMSG(0);
	CHECK_INT(conf_count(&t->root, "inst"), n);
	printf("parsed %d instances in %.2f s\n", n, secs);
	CHECK(secs < 30);
	conf_tree_free(t);
	free(buf);

	/* A large data block with a unique keyword beside it stays linear. */
	buf = malloc(cap_bytes);
	len = (size_t)snprintf(buf, cap_bytes, "inst X {\n  addrs {\n");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap_bytes - len, "    10.0.%d.%d\n",
		                        i / 256 % 256, i % 256);
	len += (size_t)snprintf(buf + len, cap_bytes - len, "  }\n  prio 1\n}\n");
	t = conf_parse_mem("big2.conf", buf, len, &root_blk, &opts);
	CHECK_NMSG(0);
	CHECK_INT(conf_count(conf_first(conf_first(&t->root, "inst"), "addrs"), "10.0.0.5"), 1);
	conf_tree_free(t);
	free(buf);
}

int main(void)
{
	test_checkers();
	test_checker_class();
	test_dump_roundtrip();
	test_random_roundtrip();
	test_large();
	return check_report("test_conf_dump");
}
