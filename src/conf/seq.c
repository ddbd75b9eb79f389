/* ~SEQ(var, [start,] [step,] end), ~SEQx(...) and ~LST(...) at the start of
 * a line: the rest of the line is processed once for each value, with the
 * variable(s) defined.  Generators are lazy, so a large sequence never sits
 * in memory; the reader bounds how many lines one line may produce. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conf/reader_int.h"

bool rd_is_generator(const char *text)
{
	return strncmp(text, "~SEQ(", 5) == 0 || strncmp(text, "~SEQx(", 6) == 0 ||
	       strncmp(text, "~LST(", 5) == 0;
}

void rd_gen_free(struct rd_gen *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nvars; i++)
		free(g->vars[i]);
	free(g->vars);
	if (g->vals)
		for (size_t i = 0; i < g->count * g->nvars; i++)
			free(g->vals[i]);
	free(g->vals);
	free(g->rest);
	free(g);
}

/* ---- small parsing helpers -------------------------------------------- */

struct field {
	const char *s;
	size_t len;
};

static struct field trim_field(const char *s, size_t len)
{
	while (len && rd_isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && rd_isspace((unsigned char)s[len - 1]))
		len--;
	return (struct field){s, len};
}

static bool valid_name(struct field f)
{
	if (!f.len || !rd_is_name_start((unsigned char)f.s[0]))
		return false;
	for (size_t i = 1; i < f.len; i++)
		if (!rd_is_name_char((unsigned char)f.s[i]))
			return false;
	return true;
}

static bool has_space(struct field f)
{
	for (size_t i = 0; i < f.len; i++)
		if (rd_isspace((unsigned char)f.s[i]))
			return true;
	return false;
}

/* Split s at commas into at most max fields; returns the count, or max + 1
 * if there are more. */
static size_t split_commas(const char *s, struct field *out, size_t max)
{
	size_t n = 0;

	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		if (n == max)
			return max + 1;
		out[n++] = trim_field(s, len);
		if (!comma)
			return n;
		s = comma + 1;
	}
}

static bool parse_num(struct field f, long long *v)
{
	char buf[64], *end;

	if (!f.len || f.len >= sizeof(buf))
		return false;
	memcpy(buf, f.s, f.len);
	buf[f.len] = '\0';
	errno = 0;
	*v = strtoll(buf, &end, 0);
	return !errno && *end == '\0';
}

/* ---- ~SEQ -------------------------------------------------------------- */

struct seq_ctx {
	struct conf_reader *r;
	const struct rd_frame *f;
	int lineno;
	const char *line;
};

static void seq_error(const struct seq_ctx *c, const char *what)
{
	conf_reader_report(c->r, CONF_SEV_ERROR, CONF_CLASS_CONFIG, c->f->path, c->lineno,
	                   "%s '%s' - ignoring", what, c->line);
}

/* Number of values minus one, or -1 after reporting. */
static bool seq_count(const struct seq_ctx *c, struct rd_gen *g, long long end)
{
	unsigned long long diff, step;

	if (g->step == 0) {
		seq_error(c, "~SEQ step must not be zero");
		return false;
	}
	if (g->start != end && (end > g->start) != (g->step > 0)) {
		seq_error(c, "~SEQ step goes away from the end value");
		return false;
	}
	if (g->step > 0) {
		diff = (unsigned long long)end - (unsigned long long)g->start;
		step = (unsigned long long)g->step;
	} else {
		diff = (unsigned long long)g->start - (unsigned long long)end;
		step = 0ull - (unsigned long long)g->step;
	}
	if (diff / step >= c->r->opts.max_seq_lines) {
		conf_reader_report(c->r, CONF_SEV_ERROR, CONF_CLASS_CONFIG, c->f->path, c->lineno,
		                   "~SEQ would produce more than %zu lines '%s' - ignoring",
		                   c->r->opts.max_seq_lines, c->line);
		return false;
	}
	g->count = (size_t)(diff / step) + 1;
	return true;
}

static bool seq_parse(const struct seq_ctx *c, struct rd_gen *g, const char *args)
{
	struct field a[5];
	long long num[3], end;
	size_t n = split_commas(args, a, 4);

	if (n < 2 || n > 4 || !valid_name(a[0])) {
		seq_error(c, "Invalid ~SEQ specification");
		return false;
	}
	for (size_t i = 1; i < n; i++) {
		if (!parse_num(a[i], &num[i - 1])) {
			seq_error(c, "Invalid ~SEQ number in");
			return false;
		}
	}
	end = num[n - 2];
	g->start = n >= 3 ? num[0] : (end < 0 ? -1 : 1);
	g->step = n == 4 ? num[1] : (end >= g->start ? 1 : -1);
	if (g->hex && (g->start < 0 || end < 0)) {
		seq_error(c, "~SEQx is only valid for non-negative numbers");
		return false;
	}
	g->nvars = 1;
	g->vars = rd_xmalloc(sizeof(*g->vars));
	g->vars[0] = rd_xstrndup(a[0].s, a[0].len);
	return seq_count(c, g, end);
}

/* ---- ~LST -------------------------------------------------------------- */

/* One element of a list: "{a, b}" or a plain value up to the next comma.
 * On return *s is past the element (at ',' or the end).  The fields point
 * into the text. */
static bool lst_element(const char **s, struct field *out, size_t max, size_t *n)
{
	const char *p = *s;

	while (rd_isspace((unsigned char)*p))
		p++;
	if (*p == '{') {
		const char *close = strchr(p, '}');
		if (!close)
			return false;
		char *inner = rd_xstrndup(p + 1, (size_t)(close - p - 1));
		*n = split_commas(inner, out, max);
		/* Rebase the fields from the copy onto the original text. */
		for (size_t i = 0; i < *n && i < max; i++)
			out[i].s = p + 1 + (out[i].s - inner);
		free(inner);
		p = close + 1;
		while (rd_isspace((unsigned char)*p))
			p++;
	} else {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		out[0] = trim_field(p, len);
		*n = 1;
		p += len;
	}
	*s = p;
	return *p == '\0' || *p == ',';
}

#define LST_MAX_VARS 64

static bool lst_vars(const struct seq_ctx *c, struct rd_gen *g, const char **s)
{
	struct field v[LST_MAX_VARS + 1];
	size_t n;

	if (!lst_element(s, v, LST_MAX_VARS, &n) || n > LST_MAX_VARS || **s != ',') {
		seq_error(c, "Invalid ~LST specification");
		return false;
	}
	g->vars = rd_xmalloc(n * sizeof(*g->vars));
	for (size_t i = 0; i < n; i++) {
		if (!valid_name(v[i])) {
			seq_error(c, "Invalid ~LST variable name in");
			return false;
		}
		g->vars[g->nvars++] = rd_xstrndup(v[i].s, v[i].len);
	}
	return true;
}

static bool lst_row(const struct seq_ctx *c, struct rd_gen *g, const char **s, size_t *cap)
{
	struct field v[LST_MAX_VARS + 1];
	size_t n;

	if (!lst_element(s, v, g->nvars, &n)) {
		seq_error(c, "Invalid ~LST specification");
		return false;
	}
	if (n > g->nvars) {
		seq_error(c, "~LST specification has too many values");
		return false;
	}
	if (g->count >= c->r->opts.max_seq_lines) {
		conf_reader_report(c->r, CONF_SEV_ERROR, CONF_CLASS_CONFIG, c->f->path, c->lineno,
		                   "~LST would produce more than %zu lines '%s' - ignoring",
		                   c->r->opts.max_seq_lines, c->line);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (has_space(v[i])) {
			seq_error(c, "~LST value contains white space in");
			return false;
		}
	}
	if ((g->count + 1) * g->nvars > *cap) {
		*cap = *cap ? *cap * 2 : 16 * g->nvars;
		g->vals = rd_xrealloc(g->vals, *cap * sizeof(*g->vals));
	}
	for (size_t i = 0; i < g->nvars; i++)
		g->vals[g->count * g->nvars + i] =
		    i < n ? rd_xstrndup(v[i].s, v[i].len) : rd_xstrdup("");
	g->count++;
	return true;
}

static bool lst_parse(const struct seq_ctx *c, struct rd_gen *g, const char *args)
{
	size_t cap = 0;

	if (!lst_vars(c, g, &args))
		return false;
	while (*args == ',') {
		args++;
		if (!lst_row(c, g, &args, &cap))
			return false;
	}
	return true;
}

/* ---- both -------------------------------------------------------------- */

struct rd_gen *rd_gen_parse(struct conf_reader *r, const struct rd_frame *f, int lineno,
                            const char *text)
{
	struct seq_ctx c = {r, f, lineno, text};
	struct rd_gen *g = rd_xmalloc(sizeof(*g));
	const char *open = strchr(text, '(');
	const char *close = strchr(open, ')');
	const struct rd_def *ml = NULL;
	struct sbuf args = {0};
	bool ok = false;

	memset(g, 0, sizeof(*g));
	g->is_seq = text[1] == 'S';
	g->hex = text[4] == 'x';
	if (!close) {
		seq_error(&c, g->is_seq ? "~SEQ without ')'" : "~LST without ')'");
		goto out;
	}
	/* Definitions are expanded in the parameters, e.g. ~SEQ(i, 1, $N). */
	char *inner = rd_xstrndup(open + 1, (size_t)(close - open - 1));
	enum rd_subst_result sr = rd_subst(r, f, lineno, inner, &args, &ml);
	free(inner);
	if (sr == RD_SUBST_ERROR)
		goto out;
	if (sr == RD_SUBST_MULTI) {
		seq_error(&c, "multi-line definition used in");
		goto out;
	}
	ok = g->is_seq ? seq_parse(&c, g, args.s) : lst_parse(&c, g, args.s);
	if (ok)
		g->rest = rd_xstrdup(close + 1);
out:
	sb_free(&args);
	if (!ok) {
		rd_gen_free(g);
		return NULL;
	}
	return g;
}

bool rd_gen_next(struct conf_reader *r, struct rd_gen *g)
{
	char num[32];

	if (g->idx >= g->count)
		return false;
	if (g->is_seq) {
		/* Unsigned arithmetic: the value lies between start and end. */
		unsigned long long v =
		    (unsigned long long)g->start + g->idx * (unsigned long long)g->step;
		if (g->hex)
			snprintf(num, sizeof(num), "%llx", v);
		else
			snprintf(num, sizeof(num), "%lld", (long long)v);
		rd_def_set1(r, g->vars[0], num);
	} else {
		for (size_t i = 0; i < g->nvars; i++)
			rd_def_set1(r, g->vars[i], g->vals[g->idx * g->nvars + i]);
	}
	g->idx++;
	return true;
}
