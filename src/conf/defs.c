/* $NAME=value definitions and their expansion.
 *
 * A use is "$NAME" followed by white space, ')', ',' or the end of the
 * text, or "${NAME}" anywhere.  Expansion splices the value into the text
 * and scans it again from the same place, so a value may use other
 * definitions (their values at the time of use).  Each spliced region is
 * remembered with its end; the number of open regions is the recursion
 * depth, which is bounded.  A multi-line definition is only expanded at the
 * end of the text: the text before it is joined to its first line and its
 * other lines follow as lines of their own. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "conf/reader_int.h"

/* ---- the table -------------------------------------------------------- */

static unsigned name_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h % RD_DEF_BUCKETS;
}

static void def_free_lines(struct rd_def *d)
{
	for (size_t i = 0; i < d->nlines; i++)
		free(d->lines[i]);
	free(d->lines);
}

void rd_defs_free(struct rd_defs *defs)
{
	for (size_t b = 0; b < RD_DEF_BUCKETS; b++) {
		struct rd_def *d = defs->bucket[b];
		while (d) {
			struct rd_def *next = d->next;
			def_free_lines(d);
			free(d->name);
			free(d);
			d = next;
		}
		defs->bucket[b] = NULL;
	}
}

const struct rd_def *rd_def_find(const struct conf_reader *r, const char *name, size_t len)
{
	for (const struct rd_def *d = r->defs.bucket[name_hash(name, len)]; d; d = d->next)
		if (strlen(d->name) == len && memcmp(d->name, name, len) == 0)
			return d;
	return NULL;
}

void rd_def_set(struct conf_reader *r, const char *name, size_t len, char **lines, size_t nlines)
{
	unsigned h = name_hash(name, len);
	struct rd_def *d = (struct rd_def *)rd_def_find(r, name, len);

	if (d) {
		def_free_lines(d);
	} else {
		d = rd_xmalloc(sizeof(*d));
		d->name = rd_xstrndup(name, len);
		d->next = r->defs.bucket[h];
		r->defs.bucket[h] = d;
	}
	d->lines = lines;
	d->nlines = nlines;
}

void rd_def_set1(struct conf_reader *r, const char *name, const char *value)
{
	char **lines = rd_xmalloc(sizeof(*lines));
	lines[0] = rd_xstrdup(value);
	rd_def_set(r, name, strlen(name), lines, 1);
}

bool rd_is_name_start(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool rd_is_name_char(int c)
{
	return rd_is_name_start(c) || (c >= '0' && c <= '9');
}

size_t rd_definition_name(const char *text)
{
	size_t n = 1;

	if (text[0] != '$' || !rd_is_name_start((unsigned char)text[1]))
		return 0;
	while (rd_is_name_char((unsigned char)text[n]))
		n++;
	return text[n] == '=' ? n - 1 : 0;
}

/* ---- built-in definitions --------------------------------------------- */

static uint64_t rd_random(struct conf_reader *r)
{
	/* splitmix64: any seed, including 0, gives a good sequence. */
	uint64_t z = (r->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Parse up to two non-negative decimal numbers. */
static bool random_params(const char *p, size_t len, unsigned long long v[2], int *n)
{
	const char *end;

	*n = 0;
	if (!p)
		return true;
	end = p + len;
	while (p < end) {
		char *stop;
		if (rd_isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*n == 2 || *p < '0' || *p > '9')
			return false;
		errno = 0;
		v[*n] = strtoull(p, &stop, 10);
		if (errno || stop > end || v[*n] > (unsigned long long)INT64_MAX)
			return false;
		(*n)++;
		p = stop;
	}
	return true;
}

static bool builtin_random(struct conf_reader *r, const char *params, size_t plen, struct sbuf *val)
{
	unsigned long long v[2] = {0, 32767}, lo, hi;
	int n;
	char num[32];

	if (!random_params(params, plen, v, &n))
		return false;
	lo = v[0] < v[1] ? v[0] : v[1];
	hi = v[0] < v[1] ? v[1] : v[0];
	snprintf(num, sizeof(num), "%llu", lo + rd_random(r) % (hi - lo + 1));
	sb_adds(val, num);
	return true;
}

static bool builtin_env(const char *params, size_t plen, struct sbuf *val)
{
	while (plen && rd_isspace((unsigned char)*params)) {
		params++;
		plen--;
	}
	while (plen && rd_isspace((unsigned char)params[plen - 1]))
		plen--;
	if (!plen)
		return false;
	char *name = rd_xstrndup(params, plen);
	const char *v = getenv(name);
	free(name);
	sb_adds(val, v ? v : "");
	return true;
}

/* The value of a built-in, or false if NAME is not one (or its parameters
 * are malformed, in which case the use is left as it is). */
static bool builtin(struct conf_reader *r, const struct rd_frame *f, const char *name, size_t len,
                    const char *params, size_t plen, struct sbuf *val)
{
#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
	if (IS("_RANDOM"))
		return builtin_random(r, params, plen, val);
	if (IS("_ENV"))
		return builtin_env(params, plen, val);
	if (plen)
		return false;
	if (IS("_PWD"))
		sb_adds(val, f->pwd);
	else if (IS("_INSTANCE"))
		sb_adds(val, r->config_id);
	else if (IS("_HASH"))
		sb_putc(val, '#');
	else if (IS("_BANG"))
		sb_putc(val, '!');
	else
		return false;
	return true;
#undef IS
}

/* ---- expansion -------------------------------------------------------- */

struct use {
	size_t len;       /* bytes of the use in the text */
	const char *name; /* points into the text */
	size_t name_len;
	const char *params; /* ${NAME params}: the text after the space */
	size_t params_len;
};

static bool use_terminator(int c)
{
	return c == '\0' || rd_isspace(c) || c == ')' || c == ',';
}

/* Recognise a use at s (which points at '$'). */
static bool parse_use(const char *s, struct use *u)
{
	size_t n = 0;

	memset(u, 0, sizeof(*u));
	if (s[1] == '{') {
		const char *close = strchr(s + 2, '}');
		if (!close || !rd_is_name_start((unsigned char)s[2]))
			return false;
		u->name = s + 2;
		while (rd_is_name_char((unsigned char)u->name[n]))
			n++;
		u->name_len = n;
		if (u->name + n != close) {
			if (!rd_isspace((unsigned char)u->name[n]))
				return false;
			u->params = u->name + n + 1;
			u->params_len = (size_t)(close - u->params);
		}
		u->len = (size_t)(close - s) + 1;
		return true;
	}
	if (!rd_is_name_start((unsigned char)s[1]))
		return false;
	u->name = s + 1;
	while (rd_is_name_char((unsigned char)u->name[n]))
		n++;
	if (!use_terminator((unsigned char)u->name[n]))
		return false;
	u->name_len = n;
	u->len = n + 1;
	return true;
}

struct expander {
	struct conf_reader *r;
	const struct rd_frame *f;
	int lineno;
	struct sbuf *out;
	size_t *ends; /* end offsets of the spliced regions, innermost last */
	unsigned depth;
	size_t limit;
};

/* Replace the use at pos with value; the regions grow accordingly. */
static bool splice(struct expander *x, size_t pos, size_t use_len, const char *value, size_t vlen,
                   bool push)
{
	struct sbuf *b = x->out;

	if (b->len - use_len + vlen > x->limit) {
		conf_reader_report(x->r, CONF_SEV_ERROR, CONF_CLASS_CONFIG, x->f->path, x->lineno,
		                   "Line longer than %zu bytes after expanding definitions"
		                   " - ignoring",
		                   x->limit);
		return false;
	}
	sb_reserve(b, vlen);
	memmove(b->s + pos + vlen, b->s + pos + use_len, b->len - pos - use_len + 1);
	memcpy(b->s + pos, value, vlen);
	b->len = b->len - use_len + vlen;
	for (unsigned i = 0; i < x->depth; i++)
		x->ends[i] = x->ends[i] - use_len + vlen;
	if (push)
		x->ends[x->depth++] = pos + vlen;
	return true;
}

void rd_report_recursion(struct conf_reader *r, const struct rd_frame *f, int lineno)
{
	conf_reader_report(r, CONF_SEV_ERROR, CONF_CLASS_CONFIG, f->path, lineno,
	                   "definition recursion too deep (more than %u levels) - ignoring line",
	                   r->opts.max_def_depth);
}

enum step { STEP_SKIP, STEP_DONE, STEP_MULTI, STEP_ERROR };

/* Handle the use u at pos.  *pos is advanced past text that must not be
 * scanned again. */
static enum step expand_use(struct expander *x, size_t *pos, const struct use *u,
                            const struct rd_def **ml)
{
	const struct rd_def *d = NULL;
	struct sbuf val = {0};
	bool ok;

	if (!u->params)
		d = rd_def_find(x->r, u->name, u->name_len);
	if (d && d->nlines > 1) {
		/* Only at the very end of the text. */
		if (*pos + u->len != x->out->len) {
			*pos += u->len;
			return STEP_SKIP;
		}
		x->out->len = *pos;
		x->out->s[*pos] = '\0';
		sb_adds(x->out, d->lines[0]);
		*ml = d;
		return STEP_MULTI;
	}
	if (d) {
		if (x->depth >= x->r->opts.max_def_depth) {
			rd_report_recursion(x->r, x->f, x->lineno);
			return STEP_ERROR;
		}
		const char *v = d->nlines ? d->lines[0] : "";
		return splice(x, *pos, u->len, v, strlen(v), true) ? STEP_DONE : STEP_ERROR;
	}
	if (!builtin(x->r, x->f, u->name, u->name_len, u->params, u->params_len, &val)) {
		*pos += u->len; /* undefined: left as it is */
		return STEP_SKIP;
	}
	/* A built-in's value is literal text: it is not scanned again. */
	ok = splice(x, *pos, u->len, val.s ? val.s : "", val.len, false);
	*pos += val.len;
	sb_free(&val);
	return ok ? STEP_DONE : STEP_ERROR;
}

enum rd_subst_result rd_subst(struct conf_reader *r, const struct rd_frame *f, int lineno,
                              const char *text, struct sbuf *out, const struct rd_def **ml)
{
	struct expander x = {r, f, lineno, out, NULL, 0, r->opts.max_line_len};
	enum rd_subst_result res = RD_SUBST_SAME;
	size_t pos = 0;
	struct use u;

	sb_reset(out);
	sb_adds(out, text);
	x.ends = rd_xmalloc((r->opts.max_def_depth + 1) * sizeof(*x.ends));
	while (pos < out->len) {
		while (x.depth && x.ends[x.depth - 1] <= pos)
			x.depth--;
		if (out->s[pos] != '$' || !parse_use(out->s + pos, &u)) {
			pos++;
			continue;
		}
		enum step st = expand_use(&x, &pos, &u, ml);
		if (st == STEP_ERROR) {
			res = RD_SUBST_ERROR;
			break;
		}
		if (st == STEP_MULTI) {
			res = RD_SUBST_MULTI;
			break;
		}
		if (st == STEP_DONE)
			res = RD_SUBST_CHANGED;
	}
	free(x.ends);
	return res;
}
