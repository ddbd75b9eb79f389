/* Unit tests of the keyword-table parser engine (src/conf/parser.c): block
 * structure, unknown keywords, argument counts, deprecation, includes. */
#include <unistd.h>

#include "conf_fixture.h"

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
	test_finish_hook();
	test_include();
	test_empty();
	return check_report("test_parser");
}
