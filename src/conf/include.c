/* include, its variants and include_check.
 *
 * A pattern is expanded like glob(3) with GLOB_BRACE: the brace
 * alternatives are expanded here (so that brace_match can check each one)
 * and every alternative is globbed, in order, each sorted.  Relative
 * patterns are taken from the directory of the including file; the process
 * never changes directory.  Matched files are queued on the including
 * file, so they are read in order and before the rest of its line. */
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/reader_int.h"

#define MAX_BRACE_ALTERNATIVES 1024

struct strlist {
	char **v;
	size_t n, cap;
};

static void sl_add(struct strlist *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = rd_xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = s;
}

static void sl_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- brace expansion -------------------------------------------------- */

static const char *brace_close(const char *open)
{
	int depth = 0;

	for (const char *p = open; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
		} else if (*p == '{') {
			depth++;
		} else if (*p == '}' && --depth == 0) {
			return p;
		}
	}
	return NULL;
}

static char *concat3(const char *a, size_t alen, const char *b, size_t blen, const char *c)
{
	struct sbuf s = {0};
	sb_add(&s, a, alen);
	sb_add(&s, b, blen);
	sb_adds(&s, c);
	return sb_steal(&s);
}

/* Append the expansions of pat to out; false if there are too many. */
static bool brace_expand(const char *pat, struct strlist *out)
{
	const char *open = NULL, *close = NULL, *start;
	int depth = 0;

	for (const char *p = pat; *p && !open; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '{' && (close = brace_close(p)) != NULL)
			open = p;
	}
	if (!open) {
		if (out->n >= MAX_BRACE_ALTERNATIVES)
			return false;
		sl_add(out, rd_xstrdup(pat));
		return true;
	}
	start = open + 1;
	for (const char *p = open + 1; p <= close; p++) {
		if (*p == '\\' && p + 1 < close) {
			p++;
		} else if (*p == '{') {
			depth++;
		} else if (*p == '}' && depth) {
			depth--;
		} else if ((*p == ',' && depth == 0) || p == close) {
			char *alt = concat3(pat, (size_t)(open - pat), start, (size_t)(p - start),
			                    close + 1);
			bool ok = brace_expand(alt, out);
			free(alt);
			if (!ok)
				return false;
			start = p + 1;
		}
	}
	return true;
}

static bool has_wildcard(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' && s[1])
			s++;
		else if (*s == '*' || *s == '?' || *s == '[')
			return true;
	}
	return false;
}

/* dir (escaped for glob) joined with a relative pattern. */
static char *join_base(const char *dir, const char *pat)
{
	struct sbuf s = {0};

	if (pat[0] == '/' || !dir[0])
		return rd_xstrdup(pat);
	for (const char *p = dir; *p; p++) {
		if (strchr("*?[]{}\\", *p))
			sb_putc(&s, '\\');
		sb_putc(&s, *p);
	}
	if (s.s[s.len - 1] != '/')
		sb_putc(&s, '/');
	sb_adds(&s, pat);
	return sb_steal(&s);
}

/* ---- include ---------------------------------------------------------- */

static void report_no_match(struct conf_reader *r, struct rd_frame *f, int lineno,
                            const char *pattern, unsigned flags)
{
	if (has_wildcard(pattern)) {
		if (flags & RD_INC_WILDCARD)
			conf_reader_report(r, CONF_SEV_ERROR, CONF_CLASS_FILE, f->path, lineno,
			                   "No config files matched '%s'.", pattern);
		return;
	}
	conf_reader_report(r, (flags & RD_INC_MATCH) ? CONF_SEV_ERROR : CONF_SEV_WARN,
	                   CONF_CLASS_FILE, f->path, lineno, "Config files missing '%s'.", pattern);
}

/* Glob every alternative; missing alternatives are added to missing. */
static void glob_all(const struct rd_frame *f, const struct strlist *alts, struct strlist *files,
                     struct strlist *missing)
{
	for (size_t i = 0; i < alts->n; i++) {
		char *full = join_base(f->dir, alts->v[i]);
		glob_t g;
		size_t before = files->n;

		memset(&g, 0, sizeof(g));
		if (glob(full, 0, NULL, &g) == 0)
			for (size_t j = 0; j < g.gl_pathc; j++)
				sl_add(files, rd_xstrdup(g.gl_pathv[j]));
		globfree(&g);
		free(full);
		if (files->n == before)
			sl_add(missing, rd_xstrdup(alts->v[i]));
	}
}

static void do_include(struct conf_reader *r, struct rd_frame *f, int lineno, const char *pattern,
                       unsigned flags)
{
	struct strlist alts = {0}, files = {0}, missing = {0};

	if (!brace_expand(pattern, &alts)) {
		conf_reader_report(r, CONF_SEV_ERROR, CONF_CLASS_CONFIG, f->path, lineno,
		                   "More than %d brace alternatives in '%s' - ignoring",
		                   MAX_BRACE_ALTERNATIVES, pattern);
		goto out;
	}
	glob_all(f, &alts, &files, &missing);
	if (!files.n) {
		report_no_match(r, f, lineno, pattern, flags);
	} else if ((flags & RD_INC_BRACE) && (alts.n != 1 || strcmp(alts.v[0], pattern))) {
		for (size_t i = 0; i < missing.n; i++)
			conf_reader_report(r, CONF_SEV_ERROR, CONF_CLASS_FILE, f->path, lineno,
			                   "Config files missing '%s'.", missing.v[i]);
	}
	/* Queued in reverse, so the first match is read first. */
	for (size_t i = files.n; i-- > 0;) {
		struct rd_item *it = rd_push_item(f, RD_ITEM_FILE, lineno);
		it->text = files.v[i];
		it->inc_flags = flags;
		files.v[i] = NULL;
	}
out:
	sl_free(&alts);
	sl_free(&files);
	sl_free(&missing);
}

static void report_cycle(struct conf_reader *r, struct rd_frame *f, const struct rd_frame *g,
                         const struct rd_item *it)
{
	struct sbuf chain = {0};
	size_t n = 0, i;

	for (const struct rd_frame *h = f; h != g->up; h = h->up)
		n++;
	const struct rd_frame **v = rd_xmalloc(n * sizeof(*v));
	i = n;
	for (const struct rd_frame *h = f; h != g->up; h = h->up)
		v[--i] = h;
	for (i = 0; i < n; i++) {
		sb_adds(&chain, v[i]->path);
		sb_adds(&chain, " -> ");
	}
	sb_adds(&chain, it->text);
	conf_reader_report(r, CONF_SEV_ERROR, CONF_CLASS_CONFIG, f->path, it->lineno,
	                   "Include cycle %s - skipping", chain.s);
	free(v);
	sb_free(&chain);
}

void rd_include_file(struct conf_reader *r, struct rd_frame *f, const struct rd_item *it)
{
	enum conf_sev sev = it->inc_flags ? CONF_SEV_ERROR : CONF_SEV_WARN;
	struct stat st;

	if (f->level >= r->opts.max_include_depth) {
		conf_reader_report(r, CONF_SEV_ERROR, CONF_CLASS_CONFIG, f->path, it->lineno,
		                   "Includes nested more than %u deep - skipping '%s'",
		                   r->opts.max_include_depth, it->text);
		return;
	}
	if (stat(it->text, &st) < 0) {
		conf_reader_report(r, sev, CONF_CLASS_FILE, f->path, it->lineno,
		                   "Could not open config file '%s': %s", it->text,
		                   strerror(errno));
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		conf_reader_report(r, sev, CONF_CLASS_FILE, f->path, it->lineno,
		                   "Config file '%s' is not a regular file", it->text);
		return;
	}
	for (const struct rd_frame *g = f; g; g = g->up) {
		if (g->have_id && g->dev == st.st_dev && g->ino == st.st_ino) {
			report_cycle(r, f, g, it);
			return;
		}
	}
	if (rd_frame_open_file(r, it->text, f->inc_flags) < 0)
		conf_reader_report(r, sev, CONF_CLASS_FILE, f->path, it->lineno,
		                   "Could not open config file '%s': %s", it->text,
		                   strerror(errno));
}

/* ---- include_check ---------------------------------------------------- */

static unsigned check_option(const char *w)
{
	static const struct {
		const char *name;
		unsigned bit;
	} opts[] = {
	    {"readable", RD_INC_READABLE},
	    {"match", RD_INC_MATCH},
	    {"wildcard_match", RD_INC_WILDCARD},
	    {"brace_match", RD_INC_BRACE},
	};
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strcmp(w, opts[i].name) == 0)
			return opts[i].bit;
	return 0;
}

/* "include_check" alone sets every check; words without a leading sign
 * replace the setting; "+" adds and "-" removes the words that follow. */
static void include_check(struct conf_reader *r, struct rd_frame *f, int lineno)
{
	unsigned v = f->inc_flags, bit;
	bool add = true;

	if (r->nwords == 1) {
		f->inc_flags = RD_INC_ALL;
		return;
	}
	for (size_t i = 1; i < r->nwords; i++) {
		const char *w = r->words[i];
		if (*w == '+' || *w == '-')
			add = *w++ == '+';
		else if (i == 1)
			v = 0;
		if (!*w)
			continue;
		if (!(bit = check_option(w))) {
			conf_reader_report(r, CONF_SEV_ERROR, CONF_CLASS_CONFIG, f->path, lineno,
			                   "Unknown include_check option '%s' - ignoring", w);
			continue;
		}
		v = add ? (v | bit) : (v & ~bit);
	}
	f->inc_flags = v;
}

bool rd_is_include_line(const char *t)
{
	size_t n = 7;

	if (strncmp(t, "include", 7) != 0)
		return false;
	if (strncmp(t + 7, "_check", 6) == 0)
		n = 13;
	else if (t[7] && strchr("rmwba", t[7]))
		n = 8;
	return t[n] == '\0' || rd_isspace((unsigned char)t[n]);
}

bool rd_handle_include(struct conf_reader *r, struct rd_frame *f, int lineno)
{
	static const struct {
		const char *name;
		unsigned flags;
	} kws[] = {
	    {"include", 0},
	    {"includer", RD_INC_READABLE},
	    {"includem", RD_INC_MATCH},
	    {"includew", RD_INC_WILDCARD},
	    {"includeb", RD_INC_BRACE},
	    {"includea", RD_INC_ALL},
	};
	const char *w = r->words[0];

	if (strncmp(w, "include", 7) != 0)
		return false;
	if (strcmp(w, "include_check") == 0) {
		include_check(r, f, lineno);
		return true;
	}
	for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++) {
		if (strcmp(w, kws[i].name) != 0)
			continue;
		if (r->nwords < 2) {
			conf_reader_report(r, CONF_SEV_ERROR, CONF_CLASS_CONFIG, f->path, lineno,
			                   "'%s' without a file name - ignoring", w);
			return true;
		}
		/* Like upstream, the pattern is the rest of the line. */
		struct sbuf pat = {0};
		for (size_t j = 1; j < r->nwords; j++) {
			if (j > 1)
				sb_putc(&pat, ' ');
			sb_adds(&pat, r->words[j]);
		}
		do_include(r, f, lineno, pat.s, f->inc_flags | kws[i].flags);
		sb_free(&pat);
		return true;
	}
	return false;
}
