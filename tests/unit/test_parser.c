/* Unit tests of the keyword-table parser engine (src/conf/parser.c, tree.c,
 * checks.c, diag.c) with small private keyword tables. */
#include <limits.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "conf/conf.h"

/* ---- diagnostics capture ------------------------------------------------ */

#define MAXMSG 64

static struct {
	char m[MAXMSG][320];
	int n;
} cap;

static void cap_report(void *arg, enum conf_sev sev, enum conf_class cls, const char *file,
                       int line, const char *msg)
{
	(void)arg;
	(void)cls;
	if (cap.n < MAXMSG)
		snprintf(cap.m[cap.n], sizeof(cap.m[0]), "%c %s:%d %s",
		         sev == CONF_SEV_WARN ? 'W' : 'E', file ? file : "-", line, msg);
	cap.n++;
}

static void cap_dump(void)
{
	for (int i = 0; i < cap.n && i < MAXMSG; i++)
		fprintf(stderr, "    [%d] %s\n", i, cap.m[i]);
}

/* CHECK_INT on the number of messages, listing them when it fails. */
#define CHECK_NMSG(k)                                                                              \
	do {                                                                                       \
		int _f = t_failures;                                                               \
		CHECK_INT(cap.n, k);                                                               \
		if (t_failures != _f)                                                              \
			cap_dump();                                                                \
	} while (0)

/* ---- private keyword tables ------------------------------------------------ */

static int finish_calls, root_finish_calls, root_finish_line = -1;
static int seen_line;
static const char *root_finish_file = "unset";

static int chk_drop(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	(void)argc;
	conf_error(c, "dropped %s", argv[1]);
	return -1;
}

static int chk_where(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	(void)argc;
	(void)argv;
	seen_line = conf_ctx_line(c);
	CHECK(conf_ctx_file(c) != NULL);
	return 0;
}

static int chk_sec(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	(void)argc;
	(void)argv;
	conf_error_class(c, CONF_CLASS_SCRIPT_SEC, "unsafe");
	return 0;
}

static int data_ip(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	(void)argc;
	if (strchr(argv[0], '.') || strchr(argv[0], ':'))
		return 0;
	conf_error(c, "bad address '%s'", argv[0]);
	return -1;
}

static void inst_finish(struct conf_ctx *c, conf_node *n)
{
	finish_calls++;
	if (n->argc > 1 && strcmp(n->argv[1], "NEEDPRIO") == 0 && !conf_first(n, "prio"))
		conf_node_error(c, n, "instance %s: no prio", n->argv[1]);
}

static void root_finish(struct conf_ctx *c, conf_node *n)
{
	(void)n;
	root_finish_calls++;
	root_finish_file = conf_ctx_file(c);
	root_finish_line = conf_ctx_line(c);
}

static const struct conf_block leaf_blk = {.name = "leaf", .data = data_ip};

static const struct conf_kw check_kws[] = {
    {.name = "port", .min_args = 1, .max_args = 1, .check = conf_chk_port},
    {.name = "inner", .max_args = 0, .block = &leaf_blk},
    {.name = NULL},
};
static const struct conf_block check_blk = {.name = "check", .kws = check_kws};

static const struct conf_block addr_blk = {
    .name = "addrs", .data = data_ip, .data_min = 1, .data_max = 3};

static const struct conf_kw mixed_kws[] = {
    {.name = "dev", .min_args = 1, .max_args = 1},
    {.name = NULL},
};
static const struct conf_block mixed_blk = {.name = "mixed", .kws = mixed_kws, .data = data_ip};

static const struct conf_kw inst_kws[] = {
    {.name = "prio", 1, 1, conf_chk_int, 1, 255, .flags = CONF_KW_UNIQUE},
    {.name = "timer", 1, 1, conf_chk_timer, 10000, 255000000},
    {.name = "flag", 0, 1, conf_chk_bool},
    {.name = "mode", 1, 1, conf_chk_enum, .choices = "a|b|c"},
    {.name = "ip", 1, 1, conf_chk_ip},
    {.name = "ipp", 1, 2, conf_chk_ip_port},
    {.name = "path", 1, 1, conf_chk_path},
    {.name = "addrs", 0, 0, .block = &addr_blk},
    {.name = "mixed", 0, 0, .block = &mixed_blk},
    {.name = "check", 0, 1, .block = &check_blk},
    {.name = "opt", 0, 1, .block = &check_blk, .flags = CONF_KW_BLOCK_OPT},
    {.name = "old", 1, 1, .flags = CONF_KW_DEPRECATED, .note = "prio"},
    {.name = "older", 0, -1, .flags = CONF_KW_DEPRECATED | CONF_KW_IGNORED},
    {.name = "gone", 0, 0, .block = &check_blk, .flags = CONF_KW_DEPRECATED | CONF_KW_IGNORED},
    {.name = "password", 1, 1, .flags = CONF_KW_SECRET},
    {.name = "dropme", 1, 1, chk_drop},
    {.name = "where", 0, -1, chk_where},
    {.name = "unsafe", 0, 0, chk_sec},
    {.name = "many", 2, -1},
    {.name = "two", 2, 2},
    {.name = "one", 1, 1},
    {.name = "none", 0, 0},
    {.name = "range", 1, 3},
    {.name = "words", 0, -1},
    {.name = NULL},
};
static const struct conf_block inst_blk = {.name = "inst", .kws = inst_kws, .finish = inst_finish};

static const struct conf_kw root_kws[] = {
    {.name = "inst", 1, 1, .block = &inst_blk},
    {.name = "vblk", 1, 1, conf_chk_int, 1, 5, .block = &inst_blk},
    {.name = "top", 1, 1},
    {.name = NULL},
};
static const struct conf_block root_blk = {.name = "root", .kws = root_kws, .finish = root_finish};

/* ---- helpers ------------------------------------------------------------------- */

static const struct conf_opts opts = {.report = cap_report, .config_id = "test"};

static struct conf_tree *parse(const char *text)
{
	memset(&cap, 0, sizeof(cap));
	finish_calls = 0;
	root_finish_calls = 0;
	return conf_parse_mem("t.conf", text, strlen(text), &root_blk, &opts);
}

static char *dump_str(const struct conf_tree *t, bool origins)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	conf_tree_dump(t, f, origins);
	fclose(f);
	return buf;
}

static bool same_tree(const conf_node *a, const conf_node *b)
{
	for (; a && b; a = a->next, b = b->next) {
		if (a->kw != b->kw || a->argc != b->argc || a->is_block != b->is_block)
			return false;
		/* Secrets are masked in dumps: only their count survives. */
		for (int i = 0; i < (a->kw && (a->kw->flags & CONF_KW_SECRET) ? 1 : a->argc); i++)
			if (strcmp(a->argv[i], b->argv[i]) != 0)
				return false;
		if (!same_tree(a->child, b->child))
			return false;
	}
	return !a && !b;
}

static void errors_only(const struct conf_tree *t, unsigned cfg)
{
	CHECK_INT(t->counts.errors[CONF_CLASS_CONFIG], cfg);
}

/* ---- tests --------------------------------------------------------------------- */

static void test_nesting(void)
{
	struct conf_tree *t = parse("inst A {\n"
	                            "  prio 10\n"
	                            "  check {\n"
	                            "    port 80\n"
	                            "    inner {\n"
	                            "      1.2.3.4\n"
	                            "    }\n"
	                            "  }\n"
	                            "}\n"
	                            "top x\n");
	conf_node *i, *c, *p;

	CHECK_NMSG(0);
	CHECK_INT(conf_exit_code(&t->counts), 0);
	i = conf_first(&t->root, "inst");
	CHECK(i && i->is_block && i->argc == 2);
	CHECK_STR(conf_arg(i, 1), "A");
	CHECK(conf_arg(i, 2) == NULL);
	CHECK(conf_arg(i, -1) == NULL);
	CHECK(i && i->kw == &root_kws[0] && i->lineno == 1);
	CHECK_STR(i->file, "t.conf");
	c = conf_first(i, "check");
	CHECK(c && c->is_block && c->parent == i && c->lineno == 3);
	p = conf_first(c, "port");
	CHECK(p && !p->is_block && p->lineno == 4);
	CHECK_STR(conf_arg(p, 1), "80");
	p = conf_first(conf_first(c, "inner"), "1.2.3.4");
	CHECK(p && p->kw == NULL && p->argc == 1);
	CHECK(conf_first(&t->root, "top") != NULL);
	CHECK(i && i->next == conf_first(&t->root, "top"));
	CHECK_INT(finish_calls, 1);
	CHECK_INT(root_finish_calls, 1);
	CHECK(root_finish_file == NULL);
	CHECK_INT(root_finish_line, 0);
	conf_tree_free(t);
}

static void test_helpers(void)
{
	struct conf_tree *t = parse("inst A {\n}\ntop 1\ninst B {\n}\ninst C {\n}\n");
	conf_node *n = conf_first(&t->root, "inst");

	CHECK_NMSG(0);
	CHECK_INT(conf_count(&t->root, "inst"), 3);
	CHECK_INT(conf_count(&t->root, "top"), 1);
	CHECK_INT(conf_count(&t->root, "nope"), 0);
	CHECK(conf_first(&t->root, "nope") == NULL);
	CHECK_STR(conf_arg(n, 1), "A");
	n = conf_next_named(n);
	CHECK_STR(conf_arg(n, 1), "B");
	n = conf_next_named(n);
	CHECK_STR(conf_arg(n, 1), "C");
	CHECK(conf_next_named(n) == NULL);
	CHECK(conf_first(NULL, "x") == NULL);
	CHECK(conf_next_named(NULL) == NULL);
	CHECK_INT(conf_count(NULL, "x"), 0);
	CHECK_INT(finish_calls, 3);
	conf_tree_free(t);
}

static void test_data_blocks(void)
{
	struct conf_tree *t = parse("inst A {\n"
	                            "  addrs {\n"
	                            "    10.0.0.1\n"
	                            "    10.0.0.2 dev eth0\n"
	                            "    bogus\n"
	                            "    10.0.0.3 a b c\n"
	                            "    10.0.0.4 {\n"
	                            "      x\n"
	                            "    }\n"
	                            "  }\n"
	                            "  mixed {\n"
	                            "    dev eth0\n"
	                            "    ::1 x\n"
	                            "  }\n"
	                            "}\n");
	conf_node *a = conf_first(conf_first(&t->root, "inst"), "addrs");
	conf_node *m = conf_first(conf_first(&t->root, "inst"), "mixed");

	CHECK_NMSG(3);
	CHECK_STR(cap.m[0], "E t.conf:5 bad address 'bogus'");
	CHECK_STR(cap.m[1], "E t.conf:6 '10.0.0.3': a addrs line takes at most 3 words");
	CHECK_STR(cap.m[2],
	          "E t.conf:7 Unexpected '{' after '10.0.0.4' - ignoring it and its block");
	CHECK_INT(conf_count(a, "10.0.0.1"), 1);
	CHECK_INT(conf_count(a, "bogus"), 0);
	CHECK_INT(conf_count(a, "10.0.0.3"), 0);
	CHECK_INT(conf_count(a, "10.0.0.4"), 0);
	CHECK_INT(conf_count(a, "x"), 0);
	CHECK(a && a->child && a->child->next && !a->child->next->next);
	CHECK_STR(conf_arg(conf_first(a, "10.0.0.2"), 2), "eth0");
	CHECK(m && conf_first(m, "dev")->kw == &mixed_kws[0]);
	CHECK(m && conf_first(m, "::1") && conf_first(m, "::1")->kw == NULL);
	errors_only(t, 3);
	CHECK_INT(conf_exit_code(&t->counts), CONF_EXIT_CONFIG);
	conf_tree_free(t);
}

static void test_brace_next_line(void)
{
	struct conf_tree *t = parse("inst A\n"
	                            "{\n"
	                            "  check\n"
	                            "  {\n"
	                            "    port 1\n"
	                            "  }\n"
	                            "  opt 1\n"
	                            "  opt\n"
	                            "  {\n"
	                            "    port 2\n"
	                            "  }\n"
	                            "  opt { port 3 }\n"
	                            "}\n"
	                            "inst B { prio 2 }\n"
	                            "inst C { check { port 4 } }\n");
	conf_node *i = conf_first(&t->root, "inst"), *o;

	CHECK_NMSG(0);
	CHECK(i && i->is_block && i->lineno == 1);
	CHECK(conf_first(conf_first(i, "check"), "port") != NULL);
	o = conf_first(i, "opt");
	CHECK(o && !o->is_block && o->argc == 2);
	o = conf_next_named(o);
	CHECK(o && o->is_block && o->lineno == 8);
	CHECK_STR(conf_arg(conf_first(o, "port"), 1), "2");
	o = conf_next_named(o);
	CHECK(o && o->is_block && o->lineno == 12);
	CHECK_STR(conf_arg(conf_first(o, "port"), 1), "3");
	/* Braces may share a line with content. */
	i = conf_next_named(i);
	CHECK(i && i->is_block && i->lineno == 14);
	CHECK_STR(conf_arg(conf_first(i, "prio"), 1), "2");
	i = conf_next_named(i);
	o = conf_first(conf_first(i, "check"), "port");
	CHECK(o && o->lineno == 15);
	CHECK_STR(conf_arg(o, 1), "4");
	conf_tree_free(t);
}

static void test_missing_brace(void)
{
	struct conf_tree *t = parse("inst A\n"
	                            "top 1\n"
	                            "inst B {\n"
	                            "  check\n"
	                            "  prio 1\n"
	                            "}\n");

	CHECK_NMSG(2);
	CHECK_STR(cap.m[0], "E t.conf:1 'inst' missing '{'");
	CHECK_STR(cap.m[1], "E t.conf:4 'check' missing '{'");
	CHECK_INT(conf_count(&t->root, "inst"), 1);
	CHECK_INT(conf_count(&t->root, "top"), 1);
	CHECK(conf_first(conf_first(&t->root, "inst"), "prio") != NULL);
	conf_tree_free(t);
}

static void test_nonblock_with_block(void)
{
	struct conf_tree *t = parse("inst A {\n"
	                            "  prio 500 {\n"
	                            "    x y\n"
	                            "    z {\n"
	                            "    }\n"
	                            "  }\n"
	                            "  one 1\n"
	                            "  {\n"
	                            "    q\n"
	                            "  }\n"
	                            "  two a b\n"
	                            "}\n");
	conf_node *i = conf_first(&t->root, "inst");

	CHECK_NMSG(2);
	CHECK_STR(cap.m[0], "E t.conf:2 'prio' does not open a block - ignoring it and its block");
	CHECK_STR(cap.m[1], "E t.conf:8 Unexpected '{' - ignoring it and its block");
	CHECK_INT(conf_count(i, "prio"), 0);
	CHECK_INT(conf_count(i, "one"), 1);
	CHECK_INT(conf_count(i, "two"), 1);
	CHECK_INT(conf_count(&t->root, "inst"), 1);
	conf_tree_free(t);
}

static void test_unknown_line(void)
{
	struct conf_tree *t = parse("inst A {\n"
	                            "  prio 1\n"
	                            "  bogus 1 2\n"
	                            "  one x\n"
	                            "}\n"
	                            "nothing\n");
	conf_node *i = conf_first(&t->root, "inst");

	CHECK_NMSG(2);
	CHECK_STR(cap.m[0], "E t.conf:3 Unknown keyword 'bogus'");
	CHECK_STR(cap.m[1], "E t.conf:6 Unknown keyword 'nothing'");
	CHECK_INT(conf_count(i, "one"), 1);
	CHECK_INT(conf_count(i, "bogus"), 0);
	CHECK_INT(conf_exit_code(&t->counts), CONF_EXIT_CONFIG);
	conf_tree_free(t);
}

static void test_unknown_block(void)
{
	struct conf_tree *t = parse("inst A {\n"
	                            "  bogus {\n"
	                            "    a 1\n"
	                            "    b {\n"
	                            "    }\n"
	                            "  }\n"
	                            "  prio 3\n"
	                            "}\n");
	conf_node *i = conf_first(&t->root, "inst");

	CHECK_NMSG(5);
	CHECK_STR(cap.m[0], "E t.conf:2 Unknown keyword 'bogus'");
	CHECK_STR(cap.m[1], "E t.conf:3 Unknown keyword 'a'");
	CHECK_STR(cap.m[2], "E t.conf:4 Unknown keyword 'b'");
	CHECK_STR(cap.m[3], "E t.conf:5 Unknown keyword '}'");
	CHECK_STR(cap.m[4], "E t.conf:6 Unknown keyword '}'");
	CHECK_INT(conf_count(i, "prio"), 1);
	CHECK_INT(finish_calls, 1);
	conf_tree_free(t);
}

static void test_extra_brace(void)
{
	struct conf_tree *t = parse("inst A {\n}\n}\ntop 1\n");

	CHECK_NMSG(1);
	CHECK_STR(cap.m[0], "E t.conf:3 Extra '}' found");
	CHECK_INT(conf_count(&t->root, "top"), 1);
	conf_tree_free(t);
}

static void test_unclosed(void)
{
	struct conf_tree *t = parse("top 1\n"
	                            "inst A {\n"
	                            "  prio 1\n"
	                            "  check {\n"
	                            "    port 1\n"
	                            "  }\n");

	CHECK_NMSG(1);
	CHECK_STR(cap.m[0], "E t.conf:2 Missing '}' for 'inst' opened here");
	CHECK_INT(finish_calls, 1);
	CHECK(conf_first(conf_first(&t->root, "inst"), "check") != NULL);
	conf_tree_free(t);

	/* Unclosed skipped blocks count too, each at its own line. */
	t = parse("inst A {\n  bogus {\n    x\n");
	CHECK_NMSG(4);
	CHECK_STR(cap.m[0], "E t.conf:2 Unknown keyword 'bogus'");
	CHECK_STR(cap.m[1], "E t.conf:3 Unknown keyword 'x'");
	CHECK_STR(cap.m[2], "E t.conf:2 Missing '}' for 'bogus' opened here");
	CHECK_STR(cap.m[3], "E t.conf:1 Missing '}' for 'inst' opened here");
	conf_tree_free(t);
}

static void test_check_drops(void)
{
	struct conf_tree *t = parse("inst A {\n"
	                            "  dropme x\n"
	                            "  one 1\n"
	                            "}\n"
	                            "vblk 9 {\n"
	                            "  prio 1\n"
	                            "  bogus\n"
	                            "}\n"
	                            "vblk 8\n"
	                            "{\n"
	                            "  bogus\n"
	                            "}\n"
	                            "vblk 3\n"
	                            "{\n"
	                            "}\n");

	CHECK_NMSG(3);
	CHECK_STR(cap.m[0], "E t.conf:2 dropped x");
	CHECK_STR(cap.m[1], "E t.conf:5 vblk: number '9' outside range [1, 5]");
	CHECK_STR(cap.m[2], "E t.conf:9 vblk: number '8' outside range [1, 5]");
	CHECK_INT(conf_count(conf_first(&t->root, "inst"), "dropme"), 0);
	CHECK_INT(conf_count(conf_first(&t->root, "inst"), "one"), 1);
	CHECK_INT(conf_count(&t->root, "vblk"), 1);
	CHECK_INT(finish_calls, 2);
	conf_tree_free(t);
}

static void test_deprecated_unique(void)
{
	struct conf_tree *t = parse("inst A {\n"
	                            "  old 1\n"
	                            "  older 2 3\n"
	                            "  gone {\n"
	                            "    port 1\n"
	                            "  }\n"
	                            "  prio 1\n"
	                            "  prio 2\n"
	                            "  prio 3\n"
	                            "}\n"
	                            "inst B {\n"
	                            "  prio 1\n"
	                            "}\n");
	conf_node *i = conf_first(&t->root, "inst");

	CHECK_NMSG(5);
	CHECK_STR(cap.m[0], "W t.conf:2 'old' is deprecated - use 'prio' instead");
	CHECK_STR(cap.m[1], "W t.conf:3 'older' is deprecated and ignored");
	CHECK_STR(cap.m[2], "W t.conf:4 'gone' is deprecated and ignored");
	CHECK_STR(cap.m[3], "W t.conf:8 'prio' specified more than once (previously at t.conf:7)");
	CHECK_STR(cap.m[4], "W t.conf:9 'prio' specified more than once (previously at t.conf:7)");
	CHECK_INT(conf_count(i, "old"), 1);
	CHECK_INT(conf_count(i, "older"), 0);
	CHECK_INT(conf_count(i, "gone"), 0);
	CHECK_INT(conf_count(i, "prio"), 3);
	CHECK_INT(t->counts.warnings, 5);
	CHECK_INT(conf_exit_code(&t->counts), 0);
	conf_tree_free(t);
}

static void test_arg_counts(void)
{
	struct conf_tree *t = parse("inst A {\n"
	                            "  none x\n"
	                            "  two a\n"
	                            "  two a b c\n"
	                            "  many a\n"
	                            "  range\n"
	                            "  range a b c d\n"
	                            "  one\n"
	                            "  two a b\n"
	                            "  many a b c d e\n"
	                            "  range a b c\n"
	                            "}\n"
	                            "inst\n"
	                            "{\n"
	                            "  bogus\n"
	                            "}\n"
	                            "inst A B {\n"
	                            "  bogus\n"
	                            "}\n");
	conf_node *i = conf_first(&t->root, "inst");

	CHECK_NMSG(9);
	CHECK_STR(cap.m[0], "E t.conf:2 'none' takes no arguments");
	CHECK_STR(cap.m[1], "E t.conf:3 'two' requires exactly 2 arguments");
	CHECK_STR(cap.m[2], "E t.conf:4 'two' requires exactly 2 arguments");
	CHECK_STR(cap.m[3], "E t.conf:5 'many' requires at least 2 arguments");
	CHECK_STR(cap.m[4], "E t.conf:6 'range' requires at least 1 argument");
	CHECK_STR(cap.m[5], "E t.conf:7 'range' takes at most 3 arguments");
	CHECK_STR(cap.m[6], "E t.conf:8 'one' requires exactly 1 argument");
	CHECK_STR(cap.m[7], "E t.conf:13 'inst' requires exactly 1 argument");
	CHECK_STR(cap.m[8], "E t.conf:17 'inst' requires exactly 1 argument");
	CHECK_INT(conf_count(i, "two"), 1);
	CHECK_INT(conf_count(i, "many"), 1);
	CHECK_INT(conf_count(i, "range"), 1);
	CHECK_INT(conf_count(i, "none"), 0);
	CHECK_INT(conf_count(&t->root, "inst"), 1);
	conf_tree_free(t);
}

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

static void test_finish_hook(void)
{
	struct conf_tree *t = parse("top 1\ninst NEEDPRIO {\n  one 1\n}\ninst NEEDPRIO {\n"
	                            "  prio 4\n}\n");

	CHECK_NMSG(1);
	CHECK_STR(cap.m[0], "E t.conf:2 instance NEEDPRIO: no prio");
	CHECK_INT(finish_calls, 2);
	conf_tree_free(t);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void test_include(void)
{
	char dir[] = "/tmp/test_parser.XXXXXX", main_path[256], sub_path[256], want[400];
	struct conf_tree *t;

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(main_path, sizeof(main_path), "%s/main.conf", dir);
	snprintf(sub_path, sizeof(sub_path), "%s/sub.conf", dir);
	write_file(main_path, "inst A {\n  prio 1\n  include sub.conf\n  two x\n}\n");
	write_file(sub_path, "  one 1\n  bogus 2\n  timer 300\n");
	memset(&cap, 0, sizeof(cap));
	t = conf_parse_file(main_path, &root_blk, &opts);
	CHECK(t != NULL);
	CHECK_NMSG(3);
	/* The reader may name the included file by its path or by the name
	 * given in the include line; the line numbers are the sub file's. */
	snprintf(want, sizeof(want), "E %s:2 Unknown keyword 'bogus'", sub_path);
	CHECK(strstr(cap.m[0], "sub.conf:2 Unknown keyword 'bogus'") != NULL);
	CHECK(strstr(cap.m[1], "sub.conf:3 timer: time '300' outside range [0.01, 255] seconds"));
	snprintf(want, sizeof(want), "E %s:4 'two' requires exactly 2 arguments", main_path);
	CHECK_STR(cap.m[2], want);
	if (t) {
		conf_node *i = conf_first(&t->root, "inst");
		conf_node *o = conf_first(i, "one");

		CHECK(o && strstr(o->file, "sub.conf") && o->lineno == 1);
		CHECK_STR(t->main_file, main_path);
		CHECK_STR(i->file, main_path);
	}
	conf_tree_free(t);
	unlink(sub_path);
	unlink(main_path);
	rmdir(dir);

	/* A missing main file is an error, not a crash. */
	memset(&cap, 0, sizeof(cap));
	t = conf_parse_file("/nonexistent/keepalived.conf", &root_blk, &opts);
	CHECK(t != NULL);
	CHECK(cap.n >= 1);
	CHECK(conf_exit_code(&t->counts) != 0);
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

static void test_empty(void)
{
	struct conf_tree *t = parse("");

	CHECK_NMSG(0);
	CHECK(t->root.child == NULL);
	CHECK_INT(root_finish_calls, 1);
	conf_tree_free(t);
	t = parse("# only a comment\n\n! another\n");
	CHECK_NMSG(0);
	CHECK(t->root.child == NULL);
	conf_tree_free(t);
	conf_tree_free(NULL);
}

int main(void)
{
	test_nesting();
	test_helpers();
	test_data_blocks();
	test_brace_next_line();
	test_missing_brace();
	test_nonblock_with_block();
	test_unknown_line();
	test_unknown_block();
	test_extra_brace();
	test_unclosed();
	test_check_drops();
	test_deprecated_unique();
	test_arg_counts();
	test_checkers();
	test_checker_class();
	test_finish_hook();
	test_include();
	test_dump_roundtrip();
	test_large();
	test_random_roundtrip();
	test_empty();
	return check_report("test_parser");
}
