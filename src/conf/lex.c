/* Text helpers of the configuration reader: memory, growable strings,
 * comment removal and splitting a line into words. */
#include <stdlib.h>
#include <string.h>

#include "conf/reader_int.h"

/* ---- memory ----------------------------------------------------------- */

static void rd_oom(void)
{
	fputs("keepalived: out of memory while reading the configuration\n", stderr);
	abort();
}

void *rd_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		rd_oom();
	return p;
}

void *rd_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		rd_oom();
	return q;
}

char *rd_xstrndup(const char *s, size_t n)
{
	char *p = rd_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *rd_xstrdup(const char *s)
{
	return rd_xstrndup(s, strlen(s));
}

/* ---- growable strings ------------------------------------------------- */

void sb_reserve(struct sbuf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->s = rd_xrealloc(b->s, cap);
	b->cap = cap;
}

void sb_add(struct sbuf *b, const char *s, size_t n)
{
	sb_reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sb_putc(struct sbuf *b, char c)
{
	sb_add(b, &c, 1);
}

void sb_adds(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

void sb_reset(struct sbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void sb_free(struct sbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

char *sb_steal(struct sbuf *b)
{
	char *s = b->s ? b->s : rd_xstrdup("");
	b->s = NULL;
	b->len = b->cap = 0;
	return s;
}

/* ---- comments and white space ----------------------------------------- */

bool rd_isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

void rd_decomment(char *s)
{
	char quote = '\0';

	for (char *p = s; *p; p++) {
		if (*p == '\\') {
			if (p[1])
				p++;
		} else if (quote) {
			if (*p == quote)
				quote = '\0';
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '#' || *p == '!') {
			*p = '\0';
			return;
		}
	}
}

char *rd_trim(char *s)
{
	size_t n = strlen(s);
	while (n && rd_isspace((unsigned char)s[n - 1]))
		n--;
	s[n] = '\0';
	while (rd_isspace((unsigned char)*s))
		s++;
	return s;
}

/* ---- words ------------------------------------------------------------ */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode the escape sequence after a backslash inside quotes.  Returns the
 * number of characters consumed after the backslash; *out gets the byte
 * (0 when the sequence produces a NUL, which is dropped). */
static size_t unescape(const char *p, int *out)
{
	static const char plain[] = "abEfnrtv";
	static const char value[] = "\a\b\033\f\n\r\t\v";
	const char *hit;
	size_t n = 0;
	int v = 0;

	if (*p == '\0') {
		*out = '\\';
		return 0;
	}
	if ((hit = strchr(plain, *p)) != NULL) {
		*out = value[hit - plain];
		return 1;
	}
	if (*p >= '0' && *p <= '7') {
		while (n < 3 && p[n] >= '0' && p[n] <= '7')
			v = v * 8 + (p[n++] - '0');
		*out = v & 0xff;
		return n;
	}
	if (*p == 'x' && hexval((unsigned char)p[1]) >= 0) {
		for (n = 1; n < 3 && hexval((unsigned char)p[n]) >= 0; n++)
			v = v * 16 + hexval((unsigned char)p[n]);
		*out = v;
		return n;
	}
	if (*p == 'c' && p[1]) {
		*out = p[1] == '?' ? 0x7f : (p[1] & 0x1f);
		return 2;
	}
	*out = (unsigned char)*p;
	return 1;
}

static void words_reset(struct conf_reader *r)
{
	sb_reset(&r->wordbuf);
	r->nwords = 0;
}

static void word_finish(struct conf_reader *r, bool *in_word)
{
	if (!*in_word)
		return;
	if (r->nwords + 1 >= r->words_cap) {
		r->words_cap = r->words_cap ? r->words_cap * 2 : 16;
		r->offs = rd_xrealloc(r->offs, r->words_cap * sizeof(*r->offs));
		r->words = rd_xrealloc(r->words, r->words_cap * sizeof(*r->words));
	}
	/* Each word ends with its NUL; its start is recorded in offs. */
	size_t start = r->nwords ? r->offs[r->nwords - 1] : 0;
	if (r->nwords)
		start += strlen(r->wordbuf.s + start) + 1;
	r->offs[r->nwords++] = start;
	sb_putc(&r->wordbuf, '\0');
	*in_word = false;
}

static void word_brace(struct conf_reader *r, char brace)
{
	bool in_word = true;
	sb_putc(&r->wordbuf, brace);
	word_finish(r, &in_word);
}

static void words_publish(struct conf_reader *r)
{
	for (size_t i = 0; i < r->nwords; i++)
		r->words[i] = r->wordbuf.s + r->offs[i];
	if (r->words)
		r->words[r->nwords] = NULL;
}

/* Characters a backslash makes literal outside quotes. */
static bool unquoted_escapable(int c)
{
	return c && strchr("#!\"'\\{}", c) != NULL;
}

/* A brace glued to other characters, in word_braces mode, is literal. */
static bool glued_brace(const char *p, bool in_word)
{
	return in_word || (p[1] && !rd_isspace((unsigned char)p[1]));
}

void rd_lex(struct conf_reader *r, const char *file, int lineno, const char *text, bool word_braces,
            const char **residue)
{
	const char *p = text;
	char quote = '\0';
	bool in_word = false;
	int c;

	words_reset(r);
	for (; *p; p++) {
		if (quote) {
			if (*p == quote) {
				quote = '\0';
			} else if (*p == '\\') {
				p += unescape(p + 1, &c);
				if (c)
					sb_putc(&r->wordbuf, (char)c);
			} else {
				sb_putc(&r->wordbuf, *p);
			}
			continue;
		}
		if (rd_isspace((unsigned char)*p)) {
			word_finish(r, &in_word);
			continue;
		}
		if ((*p == '{' || *p == '}') && !(word_braces && glued_brace(p, in_word))) {
			word_finish(r, &in_word);
			if (*p == '}' && r->nwords) {
				*residue = p;
				goto done;
			}
			word_brace(r, *p);
			*residue = p + 1;
			goto done;
		}
		in_word = true;
		if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '\\' && unquoted_escapable((unsigned char)p[1])) {
			sb_putc(&r->wordbuf, *++p);
		} else {
			sb_putc(&r->wordbuf, *p);
		}
	}
	if (quote)
		conf_reader_report(r, CONF_SEV_ERROR, CONF_CLASS_CONFIG, file, lineno,
		                   "Unterminated quote '%s'", text);
	word_finish(r, &in_word);
	*residue = p;
done:
	words_publish(r);
}
