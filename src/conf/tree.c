/* The configuration tree: its memory pool, construction, lookup helpers
 * and the dump back to keepalived.conf syntax. */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/parser_int.h"

/* ---- pool ------------------------------------------------------------------ */

#define POOL_CHUNK (64 * 1024)

struct pool_chunk {
	struct pool_chunk *next;
	size_t used, size;
	alignas(max_align_t) unsigned char data[];
};

struct conf_pool {
	struct pool_chunk *head;
};

struct conf_pool *conf_pool_new(void)
{
	return calloc(1, sizeof(struct conf_pool));
}

void conf_pool_free(struct conf_pool *p)
{
	struct pool_chunk *c, *next;

	if (!p)
		return;
	for (c = p->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(p);
}

void *conf_pool_alloc(struct conf_pool *p, size_t n)
{
	const size_t align = alignof(max_align_t);
	struct pool_chunk *c = p->head;
	size_t off;

	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + align - 1) & ~(align - 1);
	if (!c || c->size - c->used < n) {
		size_t size = n > POOL_CHUNK / 4 ? n : POOL_CHUNK;

		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->size = size;
		c->used = 0;
		/* A large block gets its own chunk behind the current one so the
		 * free space of the current chunk is not wasted. */
		if (size != POOL_CHUNK && p->head) {
			c->next = p->head->next;
			p->head->next = c;
		} else {
			c->next = p->head;
			p->head = c;
		}
	}
	off = c->used;
	c->used += n;
	memset(c->data + off, 0, n);
	return c->data + off;
}

char *conf_pool_strdup(struct conf_pool *p, const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = conf_pool_alloc(p, n);

	if (d)
		memcpy(d, s, n);
	return d;
}

/* ---- construction ------------------------------------------------------------ */

struct conf_tree *conf_tree_new(const char *main_file)
{
	struct conf_tree *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->pool = conf_pool_new();
	if (!t->pool) {
		free(t);
		return NULL;
	}
	t->main_file = conf_pool_strdup(t->pool, main_file ? main_file : "");
	t->root.argv = conf_pool_alloc(t->pool, sizeof(char *));
	if (!t->main_file || !t->root.argv) {
		conf_tree_free(t);
		return NULL;
	}
	t->root.file = t->main_file;
	return t;
}

conf_node *conf_tree_add(struct conf_tree *t, conf_node *parent, const struct conf_kw *kw, int argc,
                         char **argv, const char *file, int lineno)
{
	size_t len = 0, ptrs = sizeof(char *) * ((size_t)argc + 1);
	conf_node *n;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	n = conf_pool_alloc(t->pool, sizeof(*n) + ptrs + len);
	if (!n)
		return NULL;
	n->argv = (char **)(n + 1);
	s = (char *)n->argv + ptrs;
	for (i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;

		memcpy(s, argv[i], l);
		n->argv[i] = s;
		s += l;
	}
	n->kw = kw;
	n->argc = argc;
	n->file = file;
	n->lineno = lineno;
	n->parent = parent;
	if (parent->last)
		parent->last->next = n;
	else
		parent->child = n;
	parent->last = n;
	return n;
}

void conf_tree_free(struct conf_tree *t)
{
	if (!t)
		return;
	conf_pool_free(t->pool);
	free(t);
}

/* ---- helpers -------------------------------------------------------------- */

static bool node_named(const conf_node *n, const char *name)
{
	return n->argc > 0 && strcmp(n->argv[0], name) == 0;
}

conf_node *conf_first(const conf_node *parent, const char *name)
{
	conf_node *n;

	if (!parent)
		return NULL;
	for (n = parent->child; n; n = n->next)
		if (node_named(n, name))
			return n;
	return NULL;
}

conf_node *conf_next_named(const conf_node *n)
{
	conf_node *m;

	if (!n || n->argc < 1)
		return NULL;
	for (m = n->next; m; m = m->next)
		if (node_named(m, n->argv[0]))
			return m;
	return NULL;
}

const char *conf_arg(const conf_node *n, int i)
{
	if (!n || i < 0 || i >= n->argc)
		return NULL;
	return n->argv[i];
}

unsigned conf_count(const conf_node *parent, const char *name)
{
	const conf_node *n;
	unsigned k = 0;

	if (!parent)
		return 0;
	for (n = parent->child; n; n = n->next)
		if (node_named(n, name))
			k++;
	return k;
}

/* ---- dump ------------------------------------------------------------------- */

/* Whether a word must be quoted to read back as the same single word.  The
 * reader splits at white space and braces, ends the line at '#' or '!',
 * groups with either quote, applies backslash escapes, expands '$' names
 * anywhere and treats '@' and '~' specially at the start of a line. */
static bool needs_quotes(const char *w)
{
	const unsigned char *s = (const unsigned char *)w;

	if (!*s || *s == '@' || *s == '~')
		return true;
	for (; *s; s++)
		if (*s <= ' ' || *s == 0x7f || strchr("\"'#!{}\\$", *s))
			return true;
	return false;
}

/* Inside double quotes the reader decodes \" \\ and \xHH; '$' is written
 * as \x24 because definitions are expanded before quotes are seen. */
static void put_quoted(FILE *out, const char *w)
{
	const unsigned char *s = (const unsigned char *)w;

	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if (*s < ' ' || *s == 0x7f || *s == '$')
			fprintf(out, "\\x%02x", *s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

static void put_word(FILE *out, const char *w)
{
	if (needs_quotes(w))
		put_quoted(out, w);
	else
		fputs(w, out);
}

static void dump_indent(FILE *out, int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("    ", out);
}

static void dump_node(const conf_node *n, FILE *out, bool origins, int depth)
{
	bool secret = n->kw && (n->kw->flags & CONF_KW_SECRET);
	const conf_node *c;

	dump_indent(out, depth);
	for (int i = 0; i < n->argc; i++) {
		if (i)
			fputc(' ', out);
		if (i && secret)
			fputs("****", out);
		else
			put_word(out, n->argv[i]);
	}
	if (n->is_block)
		fputs(" {", out);
	if (origins)
		fprintf(out, "  # %s:%d", n->file ? n->file : "?", n->lineno);
	fputc('\n', out);
	if (!n->is_block)
		return;
	for (c = n->child; c; c = c->next)
		dump_node(c, out, origins, depth + 1);
	dump_indent(out, depth);
	fputs("}\n", out);
}

void conf_tree_dump(const struct conf_tree *t, FILE *out, bool origins)
{
	const conf_node *n;

	if (!t)
		return;
	for (n = t->root.child; n; n = n->next)
		dump_node(n, out, origins, 0);
}
