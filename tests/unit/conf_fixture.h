/* Shared fixture of the parser engine tests: a diagnostics capture and
 * small private keyword tables exercising every engine feature.  Included
 * by exactly one test program each. */
#ifndef KA_TEST_CONF_FIXTURE_H
#define KA_TEST_CONF_FIXTURE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "conf/conf.h"

#define UNUSED __attribute__((unused))

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

static UNUSED void cap_dump(void)
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

static UNUSED struct conf_tree *parse(const char *text)
{
	memset(&cap, 0, sizeof(cap));
	finish_calls = 0;
	root_finish_calls = 0;
	return conf_parse_mem("t.conf", text, strlen(text), &root_blk, &opts);
}

static UNUSED char *dump_str(const struct conf_tree *t, bool origins)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	conf_tree_dump(t, f, origins);
	fclose(f);
	return buf;
}

static UNUSED bool same_tree(const conf_node *a, const conf_node *b)
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

static UNUSED void errors_only(const struct conf_tree *t, unsigned cfg)
{
	CHECK_INT(t->counts.errors[CONF_CLASS_CONFIG], cfg);
}

#endif
