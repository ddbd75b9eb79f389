/* Private interfaces shared by the parser engine files (parser.c, tree.c,
 * checks.c, diag.c).  Nothing outside src/conf/ should include this. */
#ifndef KA_CONF_PARSER_INT_H
#define KA_CONF_PARSER_INT_H

#include <stdarg.h>

#include "conf/conf.h"

/* ---- memory pool (tree.c) ------------------------------------------------ */

struct conf_pool *conf_pool_new(void);
void conf_pool_free(struct conf_pool *p);
/* Zeroed, suitably aligned memory owned by the pool; NULL on failure. */
void *conf_pool_alloc(struct conf_pool *p, size_t n);
char *conf_pool_strdup(struct conf_pool *p, const char *s);

/* A new tree with an empty root and its pool; NULL on failure. */
struct conf_tree *conf_tree_new(const char *main_file);
/* Append a node holding a copy of argv[0..argc-1] under parent. */
conf_node *conf_tree_add(struct conf_tree *t, conf_node *parent, const struct conf_kw *kw, int argc,
                         char **argv, const char *file, int lineno);

/* ---- checker context (parser.c fills it, diag.c reports through it) ----- */

struct conf_ctx {
	struct conf_reader *reader; /* NULL only when no reader could be opened */
	struct conf_tree *tree;
	const struct conf_opts *opts;
	const char *file; /* location of the line being checked or finished */
	int line;
};

void conf_ctx_vreport(struct conf_ctx *c, enum conf_sev sev, enum conf_class cls, const char *file,
                      int line, const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));
void conf_ctx_report(struct conf_ctx *c, enum conf_sev sev, enum conf_class cls, const char *file,
                     int line, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
