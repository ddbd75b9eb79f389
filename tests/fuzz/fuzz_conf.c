/* libFuzzer target for the configuration engine: the reader (comments,
 * $DEF definitions and expansion, @conditionals, ~SEQ/~LST, quoting,
 * brace splitting, include with globs and braces) and the keyword-table
 * parser with the daemon's real root table (src/conf/ and the tables
 * and checkers of every subsystem), then the VRRP and checker builders
 * (vrrp_conf_build, check_conf_build) on the tree, as --config-test does.
 *
 * Input layout: up to five files separated by NUL bytes: the main file,
 * then a.conf, b.conf, c.inc, d.inc.  They are written into a private
 * directory created once per process (removed at exit), where the main
 * file is keepalived.conf, so "include a.conf", "include *.inc" and
 * "include {a,b}.conf" resolve against them.  Every '/' of the input, and
 * every backslash escape that could produce one, becomes '_': an include
 * must not reach the rest of the filesystem (/proc/kmsg, /dev/...); the
 * environment is cleared for the same reason (${HOME} and friends).
 *
 * Invariants: every logical line has words, words[nwords] == NULL, no word
 * is NULL, the line number is >= 1 and the file name is set; the parse
 * never returns NULL; the tree's nodes have argc >= 1 and argv[argc] ==
 * NULL; parsing is deterministic (two parses dump the same text, which
 * catches reads of uninitialised memory that ASan does not). */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/check_conf.h"
#include "conf/conf.h"
#include "core/keywords.h"
#include "vrrp/vrrp_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NFILES 5
static const char *const names[NFILES] = {"keepalived.conf", "a.conf", "b.conf", "c.inc", "d.inc"};
static char dir[64];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	if (dir[0])
		nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
	strcpy(dir, "/tmp/ka-fuzz-conf-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	clearenv();
}

static void quiet(void *arg, enum conf_sev sev, enum conf_class cls, const char *file, int line,
                  const char *msg)
{
	(void)arg;
	(void)sev;
	(void)cls;
	(void)file;
	(void)line;
	if (!msg)
		abort();
}

/* Neutralise what could name a file outside dir: '/' and escapes that
 * could produce one become '_' (seed configs full of absolute paths still
 * exercise everything else). */
static void defang(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '/')
			p[i] = '_';
		else if (p[i] == '\\' && i + 1 < n &&
		         ((p[i + 1] >= '0' && p[i + 1] <= '7') || p[i + 1] == 'x' ||
		          p[i + 1] == 'X'))
			p[i] = '_';
	}
}

static void write_file(const char *name, const uint8_t *p, size_t n)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!p) {
		unlink(path);
		return;
	}
	f = fopen(path, "we");
	if (!f)
		abort();
	if (n && fwrite(p, 1, n, f) != n)
		abort();
	fclose(f);
}

static void check_tree(const conf_node *n, int depth)
{
	for (; n; n = n->next) {
		if (n->argc < 1 || !n->argv || n->argv[n->argc] != NULL || !n->argv[0])
			abort();
		if (n->lineno < 1 || !n->file)
			abort();
		if (depth < 64)
			check_tree(n->child, depth + 1);
	}
}

/* The tree in config syntax with origins, in memory. */
static char *dump_tree(const struct conf_tree *t, size_t *len)
{
	char *p = NULL;
	FILE *f = open_memstream(&p, len);

	if (!f)
		abort();
	conf_tree_dump(t, f, true);
	fclose(f);
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part[NFILES] = {0};
	size_t plen[NFILES] = {0};
	struct conf_opts opts;
	struct conf_reader *r;
	struct conf_line line;
	struct conf_tree *t;
	char main_path[128];
	size_t start = 0;
	uint8_t *buf;
	char *dump[2];
	size_t dlen[2];
	unsigned np = 0, lines = 0;

	if (!dir[0])
		setup();
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	defang(buf, size);
	data = buf;
	for (size_t i = 0; i <= size && np < NFILES; i++) {
		if (i == size || data[i] == 0) {
			part[np] = data + start;
			plen[np] = i - start;
			np++;
			start = i + 1;
		}
	}
	for (unsigned i = 1; i < NFILES; i++)
		write_file(names[i], part[i], plen[i]);
	snprintf(main_path, sizeof(main_path), "%s/%s", dir, names[0]);

	memset(&opts, 0, sizeof(opts));
	opts.config_id = "fuzz";
	opts.random_seed = 1;
	opts.have_random_seed = true;
	opts.report = quiet;
	/* tighter than the defaults so one input stays fast */
	opts.max_line_len = 64 * 1024;
	opts.max_seq_lines = 20000;
	opts.max_include_depth = 8;

	/* the reader alone */
	r = conf_reader_open_mem(main_path, (const char *)part[0], plen[0], &opts, NULL);
	if (!r)
		abort();
	while (conf_reader_next(r, &line) == 1 && lines++ < 200000) {
		if (line.nwords < 1 || !line.words || line.words[line.nwords] != NULL)
			abort();
		if (line.lineno < 1 || !line.file)
			abort();
		/* A "}" or "{" word may be an escaped or quoted brace, so the
		 * word list alone cannot tell where braces may be. */
		for (int i = 0; i < line.nwords; i++)
			if (!line.words[i])
				abort();
	}
	conf_reader_close(r);

	/* the whole parse against the daemon's tables */
	for (int pass = 0; pass < 2; pass++) {
		t = conf_parse_mem(main_path, (const char *)part[0], plen[0], &ka_root_block,
		                   &opts);
		if (!t)
			abort();
		check_tree(t->root.child, 0);
		dump[pass] = dump_tree(t, &dlen[pass]);
		if (pass == 0) {
			/* the subsystems' builders read the values, as --config-test does */
			vrrp_conf_free(vrrp_conf_build(t, quiet, NULL));
			check_conf_free(check_conf_build(t, quiet, NULL));
		}
		conf_tree_free(t);
	}
	if (dlen[0] != dlen[1] || memcmp(dump[0], dump[1], dlen[0]) != 0)
		abort();
	free(dump[0]);
	free(dump[1]);
	free(buf);
	return 0;
}
