/* The configuration reader: turns files into logical lines.
 *
 * Each open file is a frame on a stack.  A frame reads physical lines;
 * whatever one physical line expands to (multi-line definitions, ~SEQ and
 * ~LST repetitions, the rest of a line after a brace, matched include
 * files) is queued on the frame's pending stack and consumed before the
 * next physical line.  For each piece of text the order is: @ID
 * conditional, $NAME= definition, ~SEQ/~LST, expansion of definitions
 * (after which the conditional, definition and generator checks apply
 * again), splitting into words at the first brace, include. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "conf/reader_int.h"

#define SRC_BUFSZ 65536

/* ---- diagnostics ------------------------------------------------------ */

static void default_report(void *arg, enum conf_sev sev, enum conf_class cls, const char *file,
                           int line, const char *msg)
{
	(void)arg;
	(void)sev;
	(void)cls;
	if (file)
		fprintf(stderr, "(%s: Line %d) %s\n", file, line, msg);
	else
		fprintf(stderr, "%s\n", msg);
}

void conf_reader_report(struct conf_reader *r, enum conf_sev sev, enum conf_class cls,
                        const char *file, int line, const char *fmt, ...)
{
	char small[512], *msg = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		snprintf(small, sizeof(small), "(message could not be formatted)");
	} else if ((size_t)n >= sizeof(small)) {
		msg = rd_xmalloc((size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(msg, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	if (!r) {
		default_report(NULL, sev, cls, file, line, msg);
	} else {
		if (sev == CONF_SEV_WARN)
			r->counts->warnings++;
		else if ((unsigned)cls < sizeof(r->counts->errors) / sizeof(r->counts->errors[0]))
			r->counts->errors[cls]++;
		r->opts.report(r->opts.report_arg, sev, cls, file, line, msg);
	}
	if (msg != small)
		free(msg);
}

const char *rd_intern(struct conf_reader *r, const char *name)
{
	struct rd_name *n;
	size_t len = strlen(name);

	for (n = r->names; n; n = n->next)
		if (strcmp(n->name, name) == 0)
			return n->name;
	n = rd_xmalloc(sizeof(*n) + len + 1);
	memcpy(n->name, name, len + 1);
	n->next = r->names;
	r->names = n;
	return n->name;
}

/* ---- physical lines --------------------------------------------------- */

static bool src_chunk(struct rd_src *s, const char **data, size_t *n)
{
	if (!s->fp) {
		*data = s->mem + s->mem_pos;
		*n = s->mem_len - s->mem_pos;
		return *n > 0;
	}
	if (s->bpos == s->blen) {
		if (s->eof)
			return false;
		s->blen = fread(s->buf, 1, SRC_BUFSZ, s->fp);
		s->bpos = 0;
		if (s->blen == 0) {
			s->eof = true;
			return false;
		}
	}
	*data = s->buf + s->bpos;
	*n = s->blen - s->bpos;
	return true;
}

static void src_consume(struct rd_src *s, size_t n)
{
	if (s->fp)
		s->bpos += n;
	else
		s->mem_pos += n;
}

/* Read one physical line without its newline, keeping at most max bytes
 * (the rest is skipped and *too_long set).  False at the end of input. */
static bool src_getline(struct rd_src *s, struct sbuf *line, size_t max, bool *too_long)
{
	const char *d;
	size_t n;
	bool got = false;

	sb_reset(line);
	*too_long = false;
	while (src_chunk(s, &d, &n)) {
		const char *nl = memchr(d, '\n', n);
		size_t take = nl ? (size_t)(nl - d) : n;
		got = true;
		if (!*too_long && line->len + take > max)
			*too_long = true;
		if (!*too_long)
			sb_add(line, d, take);
		src_consume(s, take + (nl != NULL));
		if (nl)
			break;
	}
	if (!line->s)
		sb_adds(line, "");
	return got;
}

/* ---- frames and pending items ----------------------------------------- */

static struct rd_frame *frame_new(struct conf_reader *r, const char *path, unsigned inc_flags)
{
	struct rd_frame *f = rd_xmalloc(sizeof(*f));
	const char *slash = strrchr(path, '/');

	memset(f, 0, sizeof(*f));
	f->path = rd_intern(r, path);
	if (!slash)
		f->dir = rd_xstrdup("");
	else
		f->dir = rd_xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
	f->pwd = realpath(*f->dir ? f->dir : ".", NULL);
	if (!f->pwd)
		f->pwd = rd_xstrdup(*f->dir ? f->dir : ".");
	f->inc_flags = inc_flags;
	f->level = r->top ? r->top->level + 1 : 1;
	f->up = r->top;
	r->top = f;
	return f;
}

int rd_frame_open_file(struct conf_reader *r, const char *path, unsigned inc_flags)
{
	FILE *fp = fopen(path, "re");
	struct rd_frame *f;
	struct stat st;
	bool have_id;

	if (!fp)
		return -1;
	have_id = fstat(fileno(fp), &st) == 0;
	if (have_id && S_ISDIR(st.st_mode)) {
		fclose(fp);
		errno = EISDIR;
		return -1;
	}
	f = frame_new(r, path, inc_flags);
	f->src.fp = fp;
	f->src.buf = rd_xmalloc(SRC_BUFSZ);
	f->have_id = have_id;
	if (have_id) {
		f->dev = st.st_dev;
		f->ino = st.st_ino;
	}
	return 0;
}

struct rd_item *rd_push_item(struct rd_frame *f, enum rd_item_kind kind, int lineno)
{
	struct rd_item *it = rd_xmalloc(sizeof(*it));

	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->lineno = lineno;
	it->next = f->pending;
	f->pending = it;
	return it;
}

void rd_push_text(struct rd_frame *f, char *text, int lineno, unsigned depth, bool substituted)
{
	struct rd_item *it = rd_push_item(f, RD_ITEM_TEXT, lineno);
	it->text = text;
	it->depth = depth;
	it->substituted = substituted;
}

static void item_free(struct rd_item *it)
{
	free(it->text);
	rd_gen_free(it->gen);
	free(it);
}

void rd_clear_pending(struct rd_frame *f)
{
	while (f->pending) {
		struct rd_item *it = f->pending;
		f->pending = it->next;
		item_free(it);
	}
}

/* ---- multi-line definitions ------------------------------------------- */

static void collect_add(struct rd_frame *f, const char *line)
{
	f->def_lines = rd_xrealloc(f->def_lines, (f->def_nlines + 1) * sizeof(*f->def_lines));
	f->def_lines[f->def_nlines++] = rd_xstrdup(line);
}

static void finish_def(struct conf_reader *r, struct rd_frame *f)
{
	if (!f->collecting)
		return;
	rd_def_set(r, f->def_name, strlen(f->def_name), f->def_lines, f->def_nlines);
	free(f->def_name);
	f->def_name = NULL;
	f->def_lines = NULL;
	f->def_nlines = 0;
	f->collecting = false;
}

static bool ends_with_backslash(const char *s)
{
	size_t n = strlen(s);
	return n && s[n - 1] == '\\';
}

/* A physical line inside a multi-line definition.  The continuation is
 * seen before comments are removed, so "value # note \" continues. */
static void collect_line(struct conf_reader *r, struct rd_frame *f, char *raw)
{
	bool cont = ends_with_backslash(raw);
	char *t;

	if (cont)
		raw[strlen(raw) - 1] = '\0';
	rd_decomment(raw);
	t = rd_trim(raw);
	if (*t)
		collect_add(f, t);
	if (!cont)
		finish_def(r, f);
}

/* "$NAME=value"; with cont the definition continues on the next lines. */
static void define(struct conf_reader *r, struct rd_frame *f, char *t, size_t nlen, bool cont)
{
	char *value = t + nlen + 2;

	while (rd_isspace((unsigned char)*value))
		value++;
	if (!cont) {
		char **lines = rd_xmalloc(sizeof(*lines));
		lines[0] = rd_xstrdup(value);
		rd_def_set(r, t + 1, nlen, lines, 1);
		return;
	}
	if (ends_with_backslash(value))
		value[strlen(value) - 1] = '\0';
	value = rd_trim(value);
	f->collecting = true;
	f->def_name = rd_xstrndup(t + 1, nlen);
	if (*value)
		collect_add(f, value);
}

/* ---- processing one piece of text ------------------------------------- */

/* The text after an "@ID " or "@^ID " prefix, or NULL if the line is not
 * for this configuration id. */
static char *conditional(const struct conf_reader *r, char *t)
{
	bool neg, match;
	char *id, *end;

	if (*t != '@')
		return t;
	neg = t[1] == '^';
	id = end = t + 1 + neg;
	while (*end && !rd_isspace((unsigned char)*end))
		end++;
	match = (size_t)(end - id) == strlen(r->config_id) &&
	        memcmp(id, r->config_id, (size_t)(end - id)) == 0;
	if (match == neg)
		return NULL;
	while (rd_isspace((unsigned char)*end))
		end++;
	return end;
}

static void start_generator(struct conf_reader *r, struct rd_frame *f, const char *t, int lineno,
                            unsigned depth)
{
	struct rd_gen *g = rd_gen_parse(r, f, lineno, t);
	size_t outer = 1;
	struct rd_item *it;

	if (!g)
		return;
	/* The nearest generator below is the one whose value this line is. */
	for (it = f->pending; it; it = it->next) {
		if (it->kind == RD_ITEM_GEN) {
			outer = it->product;
			break;
		}
	}
	if (g->count > r->opts.max_seq_lines / outer) {
		conf_reader_report(r, CONF_SEV_ERROR, CONF_CLASS_CONFIG, f->path, lineno,
		                   "nested ~SEQ/~LST would produce more than %zu lines"
		                   " - ignoring the rest of the line",
		                   r->opts.max_seq_lines);
		rd_gen_free(g);
		rd_clear_pending(f);
		return;
	}
	it = rd_push_item(f, RD_ITEM_GEN, lineno);
	it->gen = g;
	it->depth = depth;
	it->product = outer * g->count;
}

/* The first line of a multi-line expansion is in first, the others are
 * the lines of d after its first. */
static void push_multi(struct conf_reader *r, struct rd_frame *f, struct sbuf *first,
                       const struct rd_def *d, int lineno, unsigned depth)
{
	if (depth + 1 > r->opts.max_def_depth) {
		rd_report_recursion(r, f, lineno);
		return;
	}
	for (size_t i = d->nlines; i-- > 1;)
		rd_push_text(f, rd_xstrdup(d->lines[i]), lineno, depth + 1, false);
	rd_push_text(f, sb_steal(first), lineno, depth + 1, false);
}

/* Apply the meta-features to text (trimmed, without comments; modified in
 * place).  True when a logical line is ready in r's words. */
static bool process_text(struct conf_reader *r, struct rd_frame *f, char *text, int lineno,
                         unsigned depth, bool substituted, bool cont)
{
	struct sbuf sub = {0};
	const struct rd_def *ml = NULL;
	const char *residue;
	bool ready = false;
	char *t = rd_trim(text);
	size_t nlen;

	for (;;) {
		if (!(t = conditional(r, t)) || !*t)
			goto out;
		if ((nlen = rd_definition_name(t)) != 0) {
			define(r, f, t, nlen, cont && !substituted);
			goto out;
		}
		if (rd_is_generator(t)) {
			start_generator(r, f, t, lineno, depth);
			goto out;
		}
		if (substituted)
			break;
		substituted = true;
		enum rd_subst_result res = rd_subst(r, f, lineno, t, &sub, &ml);
		if (res == RD_SUBST_SAME)
			break;
		if (res == RD_SUBST_MULTI)
			push_multi(r, f, &sub, ml, lineno, depth);
		if (res != RD_SUBST_CHANGED)
			goto out;
		t = rd_trim(sub.s);
	}
	rd_lex(r, f->path, lineno, t, rd_is_include_line(t), &residue);
	while (rd_isspace((unsigned char)*residue))
		residue++;
	if (*residue)
		rd_push_text(f, rd_xstrdup(residue), lineno, depth, true);
	if (r->nwords == 0 || rd_handle_include(r, f, lineno))
		goto out;
	r->out_file = f->path;
	r->out_line = lineno;
	ready = true;
out:
	sb_free(&sub);
	return ready;
}

/* Take the top pending item of f.  True when a logical line is ready. */
static bool step_pending(struct conf_reader *r, struct rd_frame *f)
{
	struct rd_item *it = f->pending;
	bool ready = false;

	if (it->kind == RD_ITEM_GEN) {
		if (rd_gen_next(r, it->gen)) {
			rd_push_text(f, rd_xstrdup(it->gen->rest), it->lineno, it->depth, false);
		} else {
			f->pending = it->next;
			item_free(it);
		}
		return false;
	}
	f->pending = it->next;
	if (!f->budget) {
		conf_reader_report(r, CONF_SEV_ERROR, CONF_CLASS_CONFIG, f->path, it->lineno,
		                   "line expands to too many lines - ignoring the rest");
		rd_clear_pending(f);
	} else {
		f->budget--;
		if (it->kind == RD_ITEM_FILE)
			rd_include_file(r, f, it);
		else
			ready = process_text(r, f, it->text, it->lineno, it->depth, it->substituted,
			                     false);
	}
	item_free(it);
	return ready;
}

/* Read and process the next physical line of f; false at its end. */
static bool read_physical(struct conf_reader *r, struct rd_frame *f, bool *ready)
{
	bool too_long, cont;
	char *raw;

	*ready = false;
	if (!src_getline(&f->src, &r->line, r->opts.max_line_len, &too_long)) {
		if (f->src.fp && ferror(f->src.fp))
			conf_reader_report(r, CONF_SEV_ERROR, CONF_CLASS_FILE, f->path, f->lineno,
			                   "Error reading the file");
		return false;
	}
	f->lineno++;
	f->budget = r->opts.max_seq_lines > SIZE_MAX / RD_BUDGET_FACTOR
	                ? SIZE_MAX
	                : r->opts.max_seq_lines * RD_BUDGET_FACTOR;
	if (too_long || memchr(r->line.s, '\0', r->line.len)) {
		if (too_long)
			conf_reader_report(r, CONF_SEV_ERROR, CONF_CLASS_CONFIG, f->path, f->lineno,
			                   "Line longer than %zu bytes - ignoring",
			                   r->opts.max_line_len);
		else
			conf_reader_report(r, CONF_SEV_ERROR, CONF_CLASS_CONFIG, f->path, f->lineno,
			                   "NUL byte in line - ignoring");
		finish_def(r, f);
		return true;
	}
	raw = rd_trim(r->line.s);
	if (f->collecting) {
		collect_line(r, f, raw);
		return true;
	}
	cont = ends_with_backslash(raw);
	rd_decomment(raw);
	*ready = process_text(r, f, raw, f->lineno, 0, false, cont);
	return true;
}

static void frame_pop(struct conf_reader *r)
{
	struct rd_frame *f = r->top;

	finish_def(r, f);
	rd_clear_pending(f);
	if (f->src.fp)
		fclose(f->src.fp);
	free(f->src.buf);
	free(f->dir);
	free(f->pwd);
	r->top = f->up;
	free(f);
}

/* ---- the public interface --------------------------------------------- */

static char *default_config_id(void)
{
	struct utsname u;

	if (uname(&u) < 0)
		return rd_xstrdup("");
	return rd_xstrndup(u.nodename, strcspn(u.nodename, "."));
}

static struct conf_reader *reader_new(const struct conf_opts *opts, struct conf_diag_counts *counts)
{
	struct conf_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (opts)
		r->opts = *opts;
	if (!r->opts.max_def_depth)
		r->opts.max_def_depth = RD_DEF_DEPTH;
	if (!r->opts.max_line_len)
		r->opts.max_line_len = RD_LINE_LEN;
	if (!r->opts.max_include_depth)
		r->opts.max_include_depth = RD_INCLUDE_DEPTH;
	if (!r->opts.max_seq_lines)
		r->opts.max_seq_lines = RD_SEQ_LINES;
	if (!r->opts.report)
		r->opts.report = default_report;
	r->counts = counts ? counts : &r->own_counts;
	r->config_id = r->opts.config_id ? rd_xstrdup(r->opts.config_id) : default_config_id();
	r->opts.config_id = r->config_id;
	if (r->opts.have_random_seed || r->opts.random_seed)
		r->rng = r->opts.random_seed;
	else
		r->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uintptr_t)r;
	return r;
}

struct conf_reader *conf_reader_open(const char *path, const struct conf_opts *opts,
                                     struct conf_diag_counts *counts)
{
	struct conf_reader *r = reader_new(opts, counts);

	if (!r)
		return NULL;
	if (!path) {
		conf_reader_report(r, CONF_SEV_ERROR, CONF_CLASS_FILE, NULL, 0,
		                   "No configuration file given");
		return r;
	}
	if (rd_frame_open_file(r, path, r->opts.all_config ? RD_INC_ALL : 0) < 0) {
		int err = errno;
		if (err == ENOENT)
			conf_reader_report(r, CONF_SEV_ERROR, CONF_CLASS_FILE, NULL, 0,
			                   "Configuration file '%s' not found", path);
		else
			conf_reader_report(r, CONF_SEV_ERROR, CONF_CLASS_FILE, NULL, 0,
			                   "Configuration file '%s' could not be opened: %s", path,
			                   strerror(err));
	}
	return r;
}

struct conf_reader *conf_reader_open_mem(const char *name, const char *buf, size_t len,
                                         const struct conf_opts *opts,
                                         struct conf_diag_counts *counts)
{
	struct conf_reader *r = reader_new(opts, counts);
	struct rd_frame *f;

	if (!r)
		return NULL;
	f = frame_new(r, name ? name : "<memory>", r->opts.all_config ? RD_INC_ALL : 0);
	/* The buffer is copied, so the caller may free it at once. */
	f->src.buf = rd_xmalloc(len);
	if (len)
		memcpy(f->src.buf, buf, len);
	f->src.mem = f->src.buf;
	f->src.mem_len = len;
	return r;
}

int conf_reader_next(struct conf_reader *r, struct conf_line *out)
{
	struct rd_frame *f;
	bool ready;

	if (!r)
		return 0;
	while ((f = r->top) != NULL) {
		if (f->pending) {
			ready = step_pending(r, f);
		} else if (!read_physical(r, f, &ready)) {
			frame_pop(r);
			continue;
		}
		if (ready) {
			out->words = r->words;
			out->nwords = (int)r->nwords;
			out->file = r->out_file;
			out->lineno = r->out_line;
			return 1;
		}
	}
	return 0;
}

void conf_reader_close(struct conf_reader *r)
{
	if (!r)
		return;
	while (r->top)
		frame_pop(r);
	rd_defs_free(&r->defs);
	while (r->names) {
		struct rd_name *n = r->names;
		r->names = n->next;
		free(n);
	}
	sb_free(&r->line);
	sb_free(&r->wordbuf);
	free(r->offs);
	free(r->words);
	free(r->config_id);
	free(r);
}
