/* The keyword-table parser: walks the reader's logical lines with a stack
 * of open blocks, validates each line against the current block's table and
 * builds the tree. */
#include <stdlib.h>
#include <string.h>

#include "conf/parser_int.h"

/* A private copy of one logical line, so that the parser can look one line
 * ahead (for a '{' alone on the next line) without losing the current one. */
struct pline {
	char **words;
	int nwords, wcap;
	char *buf;
	size_t bcap;
	const char *file; /* interned in the tree's pool */
	int lineno;
};

enum frame_mode {
	FR_NORMAL,
	FR_SKIP_QUIET,  /* skipped because its opening line was rejected */
	FR_SKIP_REPORT, /* unknown block: every line is reported */
};

struct frame {
	enum frame_mode mode;
	conf_node *node; /* FR_NORMAL only */
	const struct conf_block *blk;
	const char *name; /* the opening word, for the end-of-input message */
	const char *file;
	int line;
	conf_node **uniq; /* nodes of UNIQUE keywords seen in this block */
	int nuniq, uniqcap;
};

struct file_name {
	const char *raw, *copy;
};

struct parser {
	struct conf_ctx ctx;
	struct frame *stk;
	int depth, stkcap;
	struct pline cur, ahead;
	bool have_ahead;
	bool skip_brace_next; /* a dropped block keyword may have its '{' next */
	bool nomem;
	struct file_name *files;
	int nfiles, filecap;
};

static void *grow(void *p, int *cap, size_t elem)
{
	int ncap = *cap ? *cap * 2 : 8;
	void *q = realloc(p, (size_t)ncap * elem);

	if (q)
		*cap = ncap;
	return q;
}

/* ---- input ------------------------------------------------------------------- */

/* The reader's file names die with it; nodes keep copies in the pool. */
static const char *intern_file(struct parser *p, const char *raw)
{
	struct file_name *f;
	int i;

	if (!raw)
		return NULL;
	for (i = p->nfiles - 1; i >= 0; i--)
		if (p->files[i].raw == raw)
			return p->files[i].copy;
	if (p->nfiles == p->filecap) {
		f = grow(p->files, &p->filecap, sizeof(*f));
		if (!f)
			return NULL;
		p->files = f;
	}
	f = &p->files[p->nfiles];
	f->raw = raw;
	f->copy = conf_pool_strdup(p->ctx.tree->pool, raw);
	if (!f->copy)
		return NULL;
	p->nfiles++;
	return f->copy;
}

static int pline_copy(struct parser *p, struct pline *d, const struct conf_line *s)
{
	size_t len = 0;
	char *b;
	int i;

	for (i = 0; i < s->nwords; i++)
		len += strlen(s->words[i]) + 1;
	if (len > d->bcap) {
		b = realloc(d->buf, len);
		if (!b)
			return -1;
		d->buf = b;
		d->bcap = len;
	}
	while (s->nwords + 1 > d->wcap) {
		char **w = grow(d->words, &d->wcap, sizeof(char *));
		if (!w)
			return -1;
		d->words = w;
	}
	b = d->buf;
	for (i = 0; i < s->nwords; i++) {
		size_t l = strlen(s->words[i]) + 1;

		memcpy(b, s->words[i], l);
		d->words[i] = b;
		b += l;
	}
	d->words[s->nwords] = NULL;
	d->nwords = s->nwords;
	d->file = intern_file(p, s->file);
	d->lineno = s->lineno;
	return 0;
}

/* Read the next logical line into p->ahead. */
static bool read_ahead(struct parser *p)
{
	struct conf_line l;

	if (p->have_ahead)
		return true;
	if (p->nomem || conf_reader_next(p->ctx.reader, &l) != 1)
		return false;
	if (pline_copy(p, &p->ahead, &l) < 0) {
		p->nomem = true;
		return false;
	}
	p->have_ahead = true;
	return true;
}

/* Make the next line current. */
static bool next_line(struct parser *p)
{
	struct pline tmp;

	if (!read_ahead(p))
		return false;
	tmp = p->cur;
	p->cur = p->ahead;
	p->ahead = tmp;
	p->have_ahead = false;
	return true;
}

static bool is_word(const struct pline *l, const char *w)
{
	return l->nwords == 1 && strcmp(l->words[0], w) == 0;
}

static bool ends_open(const struct pline *l)
{
	return l->nwords > 0 && strcmp(l->words[l->nwords - 1], "{") == 0;
}

/* ---- block stack ------------------------------------------------------------ */

static struct frame *top(struct parser *p)
{
	return &p->stk[p->depth - 1];
}

static struct frame *push(struct parser *p, enum frame_mode mode, const char *name)
{
	struct frame *f;

	if (p->depth == p->stkcap) {
		f = grow(p->stk, &p->stkcap, sizeof(*f));
		if (!f) {
			p->nomem = true;
			return NULL;
		}
		p->stk = f;
	}
	f = &p->stk[p->depth++];
	memset(f, 0, sizeof(*f));
	f->mode = mode;
	f->name = name;
	f->file = p->cur.file;
	f->line = p->cur.lineno;
	return f;
}

/* Enter a block whose contents are thrown away. */
static void push_skip(struct parser *p, enum frame_mode mode)
{
	const char *name = conf_pool_strdup(p->ctx.tree->pool, p->cur.words[0]);

	if (!name)
		p->nomem = true;
	else
		push(p, mode, name);
}

static void run_finish(struct parser *p, struct frame *f)
{
	if (f->mode != FR_NORMAL || !f->blk || !f->blk->finish)
		return;
	/* The root block's hook sees the whole tree and has no location. */
	p->ctx.file = p->depth > 1 ? f->node->file : NULL;
	p->ctx.line = p->depth > 1 ? f->node->lineno : 0;
	f->blk->finish(&p->ctx, f->node);
}

static void pop(struct parser *p)
{
	struct frame *f = top(p);

	run_finish(p, f);
	free(f->uniq);
	p->depth--;
}

/* ---- one line ---------------------------------------------------------------- */

static void report(struct parser *p, enum conf_sev sev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void report(struct parser *p, enum conf_sev sev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_ctx_vreport(&p->ctx, sev, CONF_CLASS_CONFIG, p->cur.file, p->cur.lineno, fmt, ap);
	va_end(ap);
}

static const struct conf_kw *find_kw(const struct conf_block *b, const char *w)
{
	const struct conf_kw *k;

	if (!b || !b->kws)
		return NULL;
	for (k = b->kws; k->name; k++)
		if (k->name[0] == w[0] && strcmp(k->name, w) == 0)
			return k;
	return NULL;
}

static const char *plural(int n)
{
	return n == 1 ? "" : "s";
}

/* 0 if nargs fits the keyword's bounds, else reports and returns -1. */
static int check_count(struct parser *p, const struct conf_kw *kw, int nargs)
{
	int lo = kw->min_args, hi = kw->max_args;

	if (nargs >= lo && (hi < 0 || nargs <= hi))
		return 0;
	if (hi == 0)
		report(p, CONF_SEV_ERROR, "'%s' takes no arguments", kw->name);
	else if (lo == hi)
		report(p, CONF_SEV_ERROR, "'%s' requires exactly %d argument%s", kw->name, lo,
		       plural(lo));
	else if (nargs < lo)
		report(p, CONF_SEV_ERROR, "'%s' requires at least %d argument%s", kw->name, lo,
		       plural(lo));
	else
		report(p, CONF_SEV_ERROR, "'%s' takes at most %d argument%s", kw->name, hi,
		       plural(hi));
	return -1;
}

static void warn_deprecated(struct parser *p, const struct conf_kw *kw)
{
	bool ign = kw->flags & CONF_KW_IGNORED;

	if (kw->note)
		report(p, CONF_SEV_WARN, "'%s' is deprecated%s - use '%s' instead", kw->name,
		       ign ? " and ignored" : "", kw->note);
	else
		report(p, CONF_SEV_WARN, "'%s' is deprecated%s", kw->name,
		       ign ? " and ignored" : "");
}

static void warn_unique(struct parser *p, struct frame *f, const struct conf_kw *kw)
{
	for (int i = 0; i < f->nuniq; i++) {
		const conf_node *n = f->uniq[i];

		if (n->kw == kw) {
			report(p, CONF_SEV_WARN,
			       "'%s' specified more than once (previously at %s:%d)", kw->name,
			       n->file ? n->file : "?", n->lineno);
			return;
		}
	}
}

static void remember_unique(struct parser *p, struct frame *f, conf_node *n)
{
	for (int i = 0; i < f->nuniq; i++)
		if (f->uniq[i]->kw == n->kw)
			return;
	if (f->nuniq == f->uniqcap) {
		conf_node **u = grow(f->uniq, &f->uniqcap, sizeof(*u));
		if (!u) {
			p->nomem = true;
			return;
		}
		f->uniq = u;
	}
	f->uniq[f->nuniq++] = n;
}

/* Throw the current line away; its block, if it opens one, goes silently. */
static void drop(struct parser *p, bool brace, bool maybe_next)
{
	if (brace)
		push_skip(p, FR_SKIP_QUIET);
	else if (maybe_next)
		p->skip_brace_next = true;
}

static conf_node *add_node(struct parser *p, struct frame *f, const struct conf_kw *kw)
{
	conf_node *n = conf_tree_add(p->ctx.tree, f->node, kw, p->cur.nwords, p->cur.words,
	                             p->cur.file, p->cur.lineno);

	if (!n)
		p->nomem = true;
	else if (kw && (kw->flags & CONF_KW_UNIQUE))
		remember_unique(p, f, n);
	return n;
}

static void open_block(struct parser *p, struct frame *f, const struct conf_kw *kw)
{
	conf_node *n = add_node(p, f, kw);
	struct frame *nf;

	if (!n)
		return;
	n->is_block = true;
	nf = push(p, FR_NORMAL, n->argv[0]);
	if (nf) {
		nf->node = n;
		nf->blk = kw->block;
	}
}

/* A block keyword without '{' on its line: accept a '{' alone on the next. */
static bool brace_follows(struct parser *p)
{
	if (!read_ahead(p) || !is_word(&p->ahead, "{"))
		return false;
	p->have_ahead = false;
	return true;
}

/* Whether the keyword line is acceptable: counts, deprecation, check. */
static bool keyword_ok(struct parser *p, struct frame *f, const struct conf_kw *kw)
{
	if (check_count(p, kw, p->cur.nwords - 1) < 0)
		return false;
	if (kw->flags & CONF_KW_DEPRECATED) {
		warn_deprecated(p, kw);
		if (kw->flags & CONF_KW_IGNORED)
			return false;
	}
	if (kw->flags & CONF_KW_UNIQUE)
		warn_unique(p, f, kw);
	return !kw->check || kw->check(&p->ctx, kw, p->cur.nwords, p->cur.words) == 0;
}

static void keyword_line(struct parser *p, struct frame *f, const struct conf_kw *kw, bool brace)
{
	if (!kw->block && brace) {
		report(p, CONF_SEV_ERROR, "'%s' does not open a block - ignoring it and its block",
		       kw->name);
		drop(p, true, false);
	} else if (!keyword_ok(p, f, kw)) {
		drop(p, brace, kw->block != NULL);
	} else if (!kw->block) {
		add_node(p, f, kw);
	} else if (brace || brace_follows(p)) {
		open_block(p, f, kw);
	} else if (kw->flags & CONF_KW_BLOCK_OPT) {
		add_node(p, f, kw);
	} else {
		report(p, CONF_SEV_ERROR, "'%s' missing '{'", kw->name);
	}
}

/* Whether a data line has an acceptable number of words. */
static bool data_count_ok(struct parser *p, const struct conf_block *b)
{
	const char *bn = b->name ? b->name : "data";
	int n = p->cur.nwords;

	if (b->data_min > 0 && n < b->data_min) {
		report(p, CONF_SEV_ERROR, "'%s': a %s line needs at least %d word%s",
		       p->cur.words[0], bn, b->data_min, plural(b->data_min));
		return false;
	}
	if (b->data_max > 0 && n > b->data_max) {
		report(p, CONF_SEV_ERROR, "'%s': a %s line takes at most %d word%s",
		       p->cur.words[0], bn, b->data_max, plural(b->data_max));
		return false;
	}
	return true;
}

static void data_line(struct parser *p, struct frame *f, bool brace)
{
	if (brace) {
		report(p, CONF_SEV_ERROR, "Unexpected '{' after '%s' - ignoring it and its block",
		       p->cur.words[0]);
		drop(p, true, false);
	} else if (data_count_ok(p, f->blk) &&
	           f->blk->data(&p->ctx, NULL, p->cur.nwords, p->cur.words) == 0) {
		add_node(p, f, NULL);
	}
}

static void skip_line(struct parser *p, struct frame *f)
{
	if (f->mode == FR_SKIP_REPORT)
		report(p, CONF_SEV_ERROR, "Unknown keyword '%s'", p->cur.words[0]);
	if (is_word(&p->cur, "}"))
		pop(p);
	else if (ends_open(&p->cur))
		push_skip(p, f->mode);
}

/* A line in a normal block. */
static void block_line(struct parser *p, struct frame *f)
{
	bool brace = ends_open(&p->cur);
	const struct conf_kw *kw;

	if (brace)
		p->cur.words[--p->cur.nwords] = NULL;
	kw = find_kw(f->blk, p->cur.words[0]);
	if (kw) {
		keyword_line(p, f, kw, brace);
	} else if (f->blk && f->blk->data) {
		data_line(p, f, brace);
	} else {
		report(p, CONF_SEV_ERROR, "Unknown keyword '%s'", p->cur.words[0]);
		if (brace)
			push_skip(p, FR_SKIP_REPORT);
	}
}

static void handle_line(struct parser *p)
{
	struct frame *f = top(p);

	p->ctx.file = p->cur.file;
	p->ctx.line = p->cur.lineno;
	if (p->skip_brace_next) {
		p->skip_brace_next = false;
		if (is_word(&p->cur, "{")) {
			push_skip(p, FR_SKIP_QUIET);
			return;
		}
	}
	if (f->mode != FR_NORMAL) {
		skip_line(p, f);
	} else if (is_word(&p->cur, "}")) {
		if (p->depth > 1)
			pop(p);
		else
			report(p, CONF_SEV_ERROR, "Extra '}' found");
	} else if (is_word(&p->cur, "{")) {
		report(p, CONF_SEV_ERROR, "Unexpected '{' - ignoring it and its block");
		push_skip(p, FR_SKIP_QUIET);
	} else {
		block_line(p, f);
	}
}

/* ---- driver ------------------------------------------------------------------ */

static void close_all(struct parser *p)
{
	while (p->depth > 1) {
		struct frame *f = top(p);

		conf_ctx_report(&p->ctx, CONF_SEV_ERROR, CONF_CLASS_CONFIG, f->file, f->line,
		                "Missing '}' for '%s' opened here", f->name);
		pop(p);
	}
	pop(p);
}

static void parse_all(struct parser *p, const struct conf_block *root)
{
	struct frame *f = push(p, FR_NORMAL, "");

	if (!f)
		return;
	f->node = &p->ctx.tree->root;
	f->blk = root;
	while (!p->nomem && next_line(p))
		if (p->cur.nwords > 0)
			handle_line(p);
	if (p->nomem)
		conf_ctx_report(&p->ctx, CONF_SEV_ERROR, CONF_CLASS_FILE, NULL, 0,
		                "Out of memory while parsing the configuration");
	close_all(p);
}

static void parser_free(struct parser *p)
{
	while (p->depth > 0)
		free(p->stk[--p->depth].uniq);
	free(p->stk);
	free(p->cur.words);
	free(p->cur.buf);
	free(p->ahead.words);
	free(p->ahead.buf);
	free(p->files);
}

static struct conf_tree *parse_with(struct conf_tree *t, struct conf_reader *r,
                                    const struct conf_block *root, const struct conf_opts *opts,
                                    const char *name)
{
	struct parser p;

	memset(&p, 0, sizeof(p));
	p.ctx.reader = r;
	p.ctx.tree = t;
	p.ctx.opts = opts;
	if (!r) {
		/* The reader normally reports an unopenable file itself. */
		if (!t->counts.errors[CONF_CLASS_FILE] && !t->counts.errors[CONF_CLASS_CONFIG])
			conf_ctx_report(&p.ctx, CONF_SEV_ERROR, CONF_CLASS_FILE, NULL, 0,
			                "Unable to read configuration '%s'", name);
		return t;
	}
	parse_all(&p, root);
	parser_free(&p);
	conf_reader_close(r);
	return t;
}

struct conf_tree *conf_parse_file(const char *path, const struct conf_block *root,
                                  const struct conf_opts *opts)
{
	struct conf_tree *t = conf_tree_new(path);

	if (!t)
		return NULL;
	return parse_with(t, conf_reader_open(path, opts, &t->counts), root, opts, path);
}

struct conf_tree *conf_parse_mem(const char *name, const char *buf, size_t len,
                                 const struct conf_block *root, const struct conf_opts *opts)
{
	struct conf_tree *t = conf_tree_new(name);

	if (!t)
		return NULL;
	return parse_with(t, conf_reader_open_mem(name, buf, len, opts, &t->counts), root, opts,
	                  name);
}
