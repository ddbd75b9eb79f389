/* ka_keywords: every keyword of the parser tables, for the test that keeps
 * keepalived.conf(5) in step with them (tests/conf/t_man_keywords.sh).
 *
 *   ka_keywords          one line per keyword: "BLOCK-PATH KEYWORD", e.g.
 *                        "root/vrrp_instance/authentication auth_type";
 *                        deprecated keywords end with " deprecated"
 *   ka_keywords -n       the distinct keyword names only, sorted
 *   ka_keywords -v       as the first form, plus the argument counts, the
 *                        numeric range, the choices and the flags (for
 *                        whoever writes the documentation)
 *
 * The tables are walked from the root block.  A block reached again from
 * itself (recursion in the tables) is not entered twice on one path, and
 * a table shared by several parents is listed under each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/keywords.h"

#define MAX_DEPTH 16

struct out {
	char **names;
	size_t n, cap;
	int names_only;
	int verbose;
};

static void add_name(struct out *o, const char *name)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 256;
		char **p = realloc(o->names, cap * sizeof(*p));

		if (!p) {
			perror("realloc");
			exit(2);
		}
		o->names = p;
		o->cap = cap;
	}
	o->names[o->n++] = strdup(name);
}

static void print_verbose(const char *path, const struct conf_kw *k)
{
	printf("%s %s args=%d..%d", path, k->name, k->min_args, k->max_args);
	if (k->lo || k->hi)
		printf(" range=%lld..%lld", k->lo, k->hi);
	if (k->choices)
		printf(" choices=%s", k->choices);
	if (k->block)
		printf(" block=%s%s", k->block->name, k->block->data ? "(data)" : "");
	if (k->flags & CONF_KW_DEPRECATED)
		printf(" deprecated%s", (k->flags & CONF_KW_IGNORED) ? "+ignored" : "");
	if (k->flags & CONF_KW_UNIQUE)
		printf(" unique");
	if (k->flags & CONF_KW_BLOCK_OPT)
		printf(" brace-optional");
	if (k->flags & CONF_KW_SCRIPT)
		printf(" script");
	if (k->flags & CONF_KW_SECRET)
		printf(" secret");
	if (k->note)
		printf(" note=%s", k->note);
	printf("\n");
}

static void walk(struct out *o, const struct conf_block *b, const char *path,
                 const struct conf_block **stack, int depth)
{
	for (int i = 0; i < depth; i++)
		if (stack[i] == b)
			return; /* a cycle: already being listed on this path */
	if (depth >= MAX_DEPTH || !b->kws)
		return;
	stack[depth] = b;
	for (const struct conf_kw *k = b->kws; k->name; k++) {
		if (o->names_only)
			add_name(o, k->name);
		else if (o->verbose)
			print_verbose(path, k);
		else
			printf("%s %s%s\n", path, k->name,
			       (k->flags & CONF_KW_DEPRECATED) ? " deprecated" : "");
		if (k->block) {
			char sub[1024];

			snprintf(sub, sizeof(sub), "%s/%s", path, k->name);
			walk(o, k->block, sub, stack, depth + 1);
		}
	}
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	const struct conf_block *stack[MAX_DEPTH];
	struct out o = {0};

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "-n") && strcmp(argv[1], "-v"))) {
		fprintf(stderr, "usage: %s [-n|-v]\n", argv[0]);
		return 2;
	}
	o.names_only = argc == 2 && !strcmp(argv[1], "-n");
	o.verbose = argc == 2 && !strcmp(argv[1], "-v");
	walk(&o, &ka_root_block, "root", stack, 0);
	if (o.names_only) {
		qsort(o.names, o.n, sizeof(*o.names), cmp);
		for (size_t i = 0; i < o.n; i++) {
			if (i == 0 || strcmp(o.names[i], o.names[i - 1]))
				printf("%s\n", o.names[i]);
		}
		for (size_t i = 0; i < o.n; i++)
			free(o.names[i]);
		free(o.names);
	}
	return 0;
}
