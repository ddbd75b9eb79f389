/* The configuration reader: golden cases under tests/conf/golden/reader/
 * plus explicit checks of counts, bounds and built-ins.
 *
 * Each golden case is a directory with input.conf (and any files it
 * includes), an optional "opts" file (key=value lines: config_id,
 * all_config, random_seed, max_def_depth, max_line_len, max_include_depth,
 * max_seq_lines), expected.lines and expected.diag.  KA_GOLDEN_UPDATE=1
 * rewrites the expected files from the current output.
 *
 * With arguments, "test_reader FILE [CONFIG_ID]" prints the logical lines
 * of FILE in the golden format, which helps when writing a case. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "check.h"
#include "conf/conf.h"

/* ---- capturing output ------------------------------------------------- */

struct out {
	char *buf;
	size_t len, cap;
};

static void out_add(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->buf = realloc(o->buf, o->cap);
		if (!o->buf)
			abort();
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void out_str(struct out *o, const char *s)
{
	out_add(o, s, strlen(s));
}

/* The case directory is replaced by <CASEDIR> so that the expected files
 * do not depend on where the tree is checked out. */
static const char *case_dir;

static void out_text(struct out *o, const char *s, bool escape)
{
	size_t dl = case_dir ? strlen(case_dir) : 0;

	while (*s) {
		unsigned char c = (unsigned char)*s;
		char hex[8];
		if (dl && strncmp(s, case_dir, dl) == 0) {
			out_str(o, "<CASEDIR>");
			s += dl;
			continue;
		}
		if (escape && (c == '|' || c == '\\' || c == '"')) {
			out_add(o, "\\", 1);
			out_add(o, s, 1);
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(hex, sizeof(hex), "\\x%02x", c);
			out_str(o, hex);
		} else {
			out_add(o, s, 1);
		}
		s++;
	}
}

static void out_file(struct out *o, const char *file)
{
	size_t dl = case_dir ? strlen(case_dir) : 0;

	if (!file) {
		out_str(o, "-");
		return;
	}
	if (dl && strncmp(file, case_dir, dl) == 0 && file[dl] == '/')
		file += dl + 1;
	out_text(o, file, false);
}

static const char *const sev_name[] = {"WARN", "ERROR"};
static const char *const cls_name[] = {"CONFIG", "FILE", "SCRIPT_SEC"};

static void capture_diag(void *arg, enum conf_sev sev, enum conf_class cls, const char *file,
                         int line, const char *msg)
{
	struct out *o = arg;
	char num[32];

	out_str(o, sev_name[sev]);
	out_str(o, " ");
	out_str(o, cls_name[cls]);
	out_str(o, " ");
	out_file(o, file);
	snprintf(num, sizeof(num), ":%d: ", line);
	out_str(o, num);
	out_text(o, msg, false);
	out_str(o, "\n");
}

static void format_line(struct out *o, const struct conf_line *l)
{
	char num[32];

	out_file(o, l->file);
	snprintf(num, sizeof(num), ":%d: ", l->lineno);
	out_str(o, num);
	for (int i = 0; i < l->nwords; i++) {
		if (i)
			out_str(o, "|");
		if (!l->words[i][0])
			out_str(o, "\"\"");
		else
			out_text(o, l->words[i], true);
	}
	out_str(o, "\n");
}

/* Read everything; returns the number of logical lines. */
static size_t run_reader(struct conf_reader *r, struct out *lines)
{
	struct conf_line l;
	size_t n = 0;

	while (conf_reader_next(r, &l) == 1) {
		CHECK(l.words[l.nwords] == NULL);
		if (lines)
			format_line(lines, &l);
		n++;
	}
	return n;
}

/* ---- golden cases ----------------------------------------------------- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct out o = {0};
	char buf[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		out_add(&o, buf, n);
	fclose(f);
	if (!o.buf)
		out_add(&o, "", 0);
	return o.buf;
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

/* opts lines are key=value; the strings live in *store. */
static void load_opts(const char *dir, struct conf_opts *opts, char **store)
{
	char path[PATH_MAX * 3];

	snprintf(path, sizeof(path), "%s/opts", dir);
	*store = slurp(path);
	if (!*store)
		return;
	for (char *line = strtok(*store, "\n"); line; line = strtok(NULL, "\n")) {
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq++ = '\0';
		unsigned long v = strtoul(eq, NULL, 0);
		if (!strcmp(line, "config_id"))
			opts->config_id = eq;
		else if (!strcmp(line, "all_config"))
			opts->all_config = v != 0;
		else if (!strcmp(line, "random_seed"))
			opts->random_seed = (unsigned)v, opts->have_random_seed = true;
		else if (!strcmp(line, "max_def_depth"))
			opts->max_def_depth = (unsigned)v;
		else if (!strcmp(line, "max_line_len"))
			opts->max_line_len = v;
		else if (!strcmp(line, "max_include_depth"))
			opts->max_include_depth = (unsigned)v;
		else if (!strcmp(line, "max_seq_lines"))
			opts->max_seq_lines = v;
		else
			fprintf(stderr, "%s: unknown option '%s'\n", path, line);
	}
}

static void compare_or_update(const char *dir, const char *name, const char *got, bool update)
{
	char path[PATH_MAX * 3];
	char *want;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (update) {
		spit(path, got);
		return;
	}
	want = slurp(path);
	CHECK(want != NULL);
	if (want && strcmp(want, got) != 0) {
		CHECK(!"golden mismatch");
		fprintf(stderr, "--- %s: expected\n%s--- got\n%s---\n", path, want, got);
	}
	free(want);
}

static void run_case(const char *dir, bool update)
{
	struct conf_diag_counts counts = {0};
	struct out lines = {0}, diag = {0};
	struct conf_opts opts = {0};
	char path[PATH_MAX * 3], *store = NULL;
	struct conf_reader *r;

	out_add(&lines, "", 0);
	out_add(&diag, "", 0);
	load_opts(dir, &opts, &store);
	opts.report = capture_diag;
	opts.report_arg = &diag;
	if (!opts.config_id)
		opts.config_id = "main";
	case_dir = dir;
	snprintf(path, sizeof(path), "%s/input.conf", dir);
	r = conf_reader_open(path, &opts, &counts);
	CHECK(r != NULL);
	run_reader(r, &lines);
	conf_reader_close(r);
	compare_or_update(dir, "expected.lines", lines.buf, update);
	compare_or_update(dir, "expected.diag", diag.buf, update);
	case_dir = NULL;
	free(lines.buf);
	free(diag.buf);
	free(store);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_golden(void)
{
	const char *update_env = getenv("KA_GOLDEN_UPDATE");
	bool update = update_env && *update_env && strcmp(update_env, "0") != 0;
	char base[PATH_MAX], dir[PATH_MAX * 2];
	char *names[512];
	size_t n = 0;
	struct dirent *e;
	DIR *d;

	if (!realpath(test_data_dir(), base)) {
		CHECK(!"test data directory");
		return;
	}
	strncat(base, "/conf/golden/reader", sizeof(base) - strlen(base) - 1);
	d = opendir(base);
	CHECK(d != NULL);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL && n < sizeof(names) / sizeof(names[0]))
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_names);
	CHECK(n >= 30);
	for (size_t i = 0; i < n; i++) {
		int failures = t_failures;
		snprintf(dir, sizeof(dir), "%s/%s", base, names[i]);
		run_case(dir, update);
		if (t_failures != failures)
			fprintf(stderr, "golden case %s failed\n", names[i]);
		free(names[i]);
	}
	printf("%zu golden cases%s\n", n, update ? " updated" : "");
}

/* ---- explicit checks -------------------------------------------------- */

struct mem_result {
	size_t nlines;
	struct out lines, diag;
	struct conf_diag_counts counts;
};

static void mem_run(struct mem_result *m, const char *text, size_t len, struct conf_opts *opts,
                    bool keep_lines)
{
	struct conf_reader *r;

	memset(m, 0, sizeof(*m));
	out_add(&m->lines, "", 0);
	out_add(&m->diag, "", 0);
	opts->report = capture_diag;
	opts->report_arg = &m->diag;
	r = conf_reader_open_mem("t.conf", text, len, opts, &m->counts);
	CHECK(r != NULL);
	m->nlines = run_reader(r, keep_lines ? &m->lines : NULL);
	conf_reader_close(r);
}

static void mem_runs(struct mem_result *m, const char *text, struct conf_opts *opts,
                     bool keep_lines)
{
	mem_run(m, text, strlen(text), opts, keep_lines);
}

static void mem_free(struct mem_result *m)
{
	free(m->lines.buf);
	free(m->diag.buf);
}

static size_t count_errors(const struct conf_diag_counts *c)
{
	return c->errors[0] + c->errors[1] + c->errors[2];
}

static void test_seq_counts(void)
{
	static const struct {
		const char *text;
		size_t lines, errors;
	} cases[] = {
	    {"~SEQ(i,1,10) x $i\n", 10, 0},
	    {"~SEQ(i,10) x $i\n", 10, 0},
	    {"~SEQ(i,0,5,100) x $i\n", 21, 0},
	    {"~SEQ(i,100,-7,1) x $i\n", 15, 0},
	    {"~SEQ(i,-1,-10) x $i\n", 10, 0},
	    {"~SEQx(i,0,0xff) x $i\n", 256, 0},
	    {"~SEQ(i,1,10) ~SEQ(j,1,20) x ${i}_$j\n", 200, 0},
	    {"~SEQ(i,1,3) ~SEQ(j,1,$i) x ${i}_$j\n", 6, 0},
	    {"~LST(a,1,2,3) ~SEQ(j,1,4) x ${a}_$j\n", 12, 0},
	    {"~LST({a,b},{1,2},{3,4},{5,6}) x $a $b\n", 3, 0},
	    {"~SEQ(i,1,0,5) x\n", 0, 1},
	    {"~SEQ(i,5,1,1) x\n", 0, 1},
	    {"~SEQ(i,1,2000000) x\n", 0, 1},
	    {"~SEQ(i,-9223372036854775807,9223372036854775807) x\n", 0, 1},
	    {"~SEQ(i,9223372036854775807,-1,-9223372036854775807) x\n", 0, 1},
	    {"~SEQ(i,1,9223372036854775807,9223372036854775807) x $i\n", 1, 0},
	    {"~SEQ(i,1,99999999999999999999) x\n", 0, 1},
	    {"~SEQ(i,1,2000) ~SEQ(j,1,2000) x\n", 0, 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conf_opts opts = {0};
		struct mem_result m;
		mem_runs(&m, cases[i].text, &opts, false);
		CHECK_INT(m.nlines, cases[i].lines);
		CHECK_INT(count_errors(&m.counts), cases[i].errors);
		if (m.nlines != cases[i].lines || count_errors(&m.counts) != cases[i].errors)
			fprintf(stderr, "  case: %s%s", cases[i].text, m.diag.buf);
		mem_free(&m);
	}
}

/* A large range produces exactly the right number of lines, each with the
 * right value, and the default bound is exactly inclusive. */
static void test_seq_large(void)
{
	const char *text = "~SEQ(n,7,3,3000004) v $n\n";
	struct conf_reader *r;
	struct conf_line l;
	long long want = 7;
	size_t n = 0, bad = 0;

	r = conf_reader_open_mem("big.conf", text, strlen(text), NULL, NULL);
	while (conf_reader_next(r, &l) == 1) {
		if (l.nwords != 2 || strtoll(l.words[1], NULL, 10) != want)
			bad++;
		want += 3;
		n++;
	}
	conf_reader_close(r);
	CHECK_INT(n, 1000000);
	CHECK_INT(bad, 0);

	struct conf_opts opts = {.max_seq_lines = 1000};
	struct mem_result m;
	mem_runs(&m, "~SEQ(i,1,1000) x\n~SEQ(i,1,1001) x\n", &opts, false);
	CHECK_INT(m.nlines, 1000);
	CHECK_INT(m.counts.errors[CONF_CLASS_CONFIG], 1);
	mem_free(&m);
}

static void test_random(void)
{
	struct conf_opts opts = {.random_seed = 42, .have_random_seed = true};
	const char *text = "~SEQ(i,1,500) r ${_RANDOM} ${_RANDOM 10} ${_RANDOM 5 7} $_RANDOM\n";
	struct conf_reader *r = conf_reader_open_mem("t.conf", text, strlen(text), &opts, NULL);
	struct conf_line l;
	bool seen[3] = {false};
	size_t n = 0, bad = 0;

	while (conf_reader_next(r, &l) == 1) {
		long a = strtol(l.words[1], NULL, 10), b = strtol(l.words[2], NULL, 10);
		long c = strtol(l.words[3], NULL, 10), d = strtol(l.words[4], NULL, 10);
		if (l.nwords != 5 || a < 0 || a > 32767 || b < 10 || b > 32767 || c < 5 || c > 7 ||
		    d < 0 || d > 32767)
			bad++;
		if (c >= 5 && c <= 7)
			seen[c - 5] = true;
		n++;
	}
	conf_reader_close(r);
	CHECK_INT(n, 500);
	CHECK_INT(bad, 0);
	CHECK(seen[0] && seen[1] && seen[2]);

	/* The same seed gives the same configuration. */
	struct mem_result m1, m2;
	struct conf_opts o1 = {.random_seed = 7, .have_random_seed = true}, o2 = o1;
	mem_runs(&m1, "x ${_RANDOM} ${_RANDOM}\n", &o1, true);
	mem_runs(&m2, "x ${_RANDOM} ${_RANDOM}\n", &o2, true);
	CHECK_STR(m1.lines.buf, m2.lines.buf);
	mem_free(&m1);
	mem_free(&m2);
}

static void test_builtins(void)
{
	struct conf_opts opts = {0};
	struct mem_result m;
	struct utsname u;
	char want[512];

	/* The default config id is the host name up to the first dot. */
	CHECK(uname(&u) == 0);
	u.nodename[strcspn(u.nodename, ".")] = '\0';
	mem_runs(&m, "id ${_INSTANCE}\n$IF=@${_INSTANCE}\n$IF y\n", &opts, true);
	snprintf(want, sizeof(want), "t.conf:1: id|%s\nt.conf:3: y\n", u.nodename);
	CHECK_STR(m.lines.buf, want);
	mem_free(&m);

	setenv("KA_READER_TEST", "a b", 1);
	unsetenv("KA_READER_UNSET");
	memset(&opts, 0, sizeof(opts));
	mem_runs(&m,
	         "e ${_ENV KA_READER_TEST} \"${_ENV KA_READER_TEST}\" x${_ENV KA_READER_UNSET}y\n",
	         &opts, true);
	CHECK_STR(m.lines.buf, "t.conf:1: e|a|b|a b|xy\n");
	mem_free(&m);
}

/* opts may be NULL and counts may be NULL; reading past the end is safe. */
static void test_api_edges(void)
{
	struct conf_reader *r = conf_reader_open_mem("t.conf", "a {\n", 4, NULL, NULL);
	struct conf_line l;

	CHECK_INT(conf_reader_next(r, &l), 1);
	CHECK_INT(l.nwords, 2);
	CHECK_STR(l.words[0], "a");
	CHECK_STR(l.words[1], "{");
	CHECK_STR(l.file, "t.conf");
	CHECK_INT(l.lineno, 1);
	CHECK_INT(conf_reader_next(r, &l), 0);
	CHECK_INT(conf_reader_next(r, &l), 0);
	conf_reader_close(r);
	conf_reader_close(NULL);

	r = conf_reader_open_mem("empty.conf", NULL, 0, NULL, NULL);
	CHECK_INT(conf_reader_next(r, &l), 0);
	conf_reader_close(r);

	/* A missing main file: an error of class FILE, then no lines. */
	struct conf_diag_counts counts = {0};
	struct out diag = {0};
	struct conf_opts opts = {.report = capture_diag, .report_arg = &diag};
	r = conf_reader_open("/nonexistent/dir/keepalived.conf", &opts, &counts);
	CHECK(r != NULL);
	CHECK_INT(conf_reader_next(r, &l), 0);
	conf_reader_close(r);
	CHECK_INT(counts.errors[CONF_CLASS_FILE], 1);
	CHECK_STR(diag.buf, "ERROR FILE -:0: Configuration file '/nonexistent/dir/keepalived.conf' "
	                    "not found\n");
	free(diag.buf);
}

/* Bytes that must not upset the reader: NUL, a lone backslash at the end
 * of input inside a definition, a line over the bound. */
static void test_hostile(void)
{
	static const char nul[] = "a 1\nb \0 2\nc 3\n";
	struct conf_opts opts = {0};
	struct mem_result m;

	mem_run(&m, nul, sizeof(nul) - 1, &opts, true);
	CHECK_STR(m.lines.buf, "t.conf:1: a|1\nt.conf:3: c|3\n");
	CHECK_STR(m.diag.buf, "ERROR CONFIG t.conf:2: NUL byte in line - ignoring\n");
	mem_free(&m);

	memset(&opts, 0, sizeof(opts));
	mem_runs(&m, "$A=x \\", &opts, true);
	CHECK_STR(m.lines.buf, "");
	CHECK_INT(count_errors(&m.counts), 0);
	mem_free(&m);

	memset(&opts, 0, sizeof(opts));
	mem_runs(&m, "\\", &opts, true);
	CHECK_STR(m.lines.buf, "t.conf:1: \\\\\n");
	mem_free(&m);

	memset(&opts, 0, sizeof(opts));
	mem_runs(&m, "\"\\", &opts, true);
	CHECK_INT(m.counts.errors[CONF_CLASS_CONFIG], 1);
	mem_free(&m);

	/* 2 MiB on one line with the default 1 MiB bound. */
	size_t big = 2u << 20;
	char *text = malloc(big + 16);
	memset(text, 'x', big);
	memcpy(text + big, "\nok 1\n", 7);
	memset(&opts, 0, sizeof(opts));
	mem_runs(&m, text, &opts, true);
	CHECK_STR(m.lines.buf, "t.conf:2: ok|1\n");
	CHECK_STR(m.diag.buf, "ERROR CONFIG t.conf:1: Line longer than 1048576 bytes - ignoring\n");
	mem_free(&m);
	free(text);

	/* Exponential growth of a definition stops at the line bound. */
	const char *boom = "$A=aaaaaaaa\n$B=${A}${A}${A}${A}\n$C=${B}${B}${B}${B}\n"
	                   "$D=${C}${C}${C}${C}\n$E=${D}${D}${D}${D}\n$F=${E}${E}${E}${E}\n"
	                   "$G=${F}${F}${F}${F}\n$H=${G}${G}${G}${G}\n$I=${H}${H}${H}${H}\n"
	                   "$J=${I}${I}${I}${I}\n$K=${J}${J}${J}${J}\n$L=${K}${K}${K}${K}\n"
	                   "x $L\ny 1\n";
	memset(&opts, 0, sizeof(opts));
	mem_runs(&m, boom, &opts, true);
	CHECK_STR(m.lines.buf, "t.conf:14: y|1\n");
	CHECK_INT(m.counts.errors[CONF_CLASS_CONFIG], 1);
	mem_free(&m);

	/* Multi-line definitions that double at each level are cut off. */
	const char *dbl = "$A0=a\n$A1=\\\n$A0\\\n$A0\n$A2=\\\n$A1\\\n$A1\n$A3=\\\n$A2\\\n$A2\n"
	                  "$A4=\\\n$A3\\\n$A3\n$A5=\\\n$A4\\\n$A4\n$A6=\\\n$A5\\\n$A5\n"
	                  "$A7=\\\n$A6\\\n$A6\n$A8=\\\n$A7\\\n$A7\n$A9=\\\n$A8\\\n$A8\n$A9\n";
	struct conf_opts small = {.max_seq_lines = 4};
	mem_runs(&m, dbl, &small, false);
	CHECK(m.nlines < 512);
	CHECK_INT(m.counts.errors[CONF_CLASS_CONFIG], 1);
	mem_free(&m);
	memset(&opts, 0, sizeof(opts));
	mem_runs(&m, dbl, &opts, false);
	CHECK_INT(m.nlines, 512);
	CHECK_INT(count_errors(&m.counts), 0);
	mem_free(&m);
}

/* ---- a helper for writing cases ---------------------------------------- */

static int dump_file(const char *path, const char *id)
{
	struct out lines = {0}, diag = {0};
	struct conf_opts opts = {0};
	char dir[PATH_MAX], *store = NULL, *slash;
	struct conf_reader *r;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	load_opts(slash ? dir : ".", &opts, &store);
	opts.report = capture_diag;
	opts.report_arg = &diag;
	if (!opts.config_id)
		opts.config_id = id;
	r = conf_reader_open(path, &opts, NULL);

	out_add(&lines, "", 0);
	out_add(&diag, "", 0);
	run_reader(r, &lines);
	conf_reader_close(r);
	printf("%s--- diagnostics\n%s", lines.buf, diag.buf);
	free(store);
	free(lines.buf);
	free(diag.buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return dump_file(argv[1], argc > 2 ? argv[2] : "main");
	setenv("KA_GOLDEN_ENV", "from-env", 1);
	test_golden();
	test_seq_counts();
	test_seq_large();
	test_random();
	test_builtins();
	test_api_edges();
	test_hostile();
	return check_report("test_reader");
}
