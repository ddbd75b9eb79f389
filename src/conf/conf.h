/* The configuration engine: reader (files, includes, comments, $DEFS,
 * @conditions, ~SEQ/~LST, quoting, brace splitting) and a keyword-table
 * driven parser producing a tree.  It knows nothing of VRRP or LVS: the
 * subsystems register their tables (struct conf_block) and walk the tree.
 */
#ifndef KA_CONF_H
#define KA_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct conf_node_s;
struct conf_pool;

/* ---- diagnostics ------------------------------------------------------ */

enum conf_sev {
	CONF_SEV_WARN,  /* logged, does not fail --config-test */
	CONF_SEV_ERROR, /* logged, the line is skipped; -t exits non-zero */
};

/* Error classes map to --config-test exit codes (see conf_exit_code). */
enum conf_class {
	CONF_CLASS_CONFIG = 0, /* ordinary config error: exit 5 */
	CONF_CLASS_FILE,       /* missing file with -e, bad interface, fatal: 4 */
	CONF_CLASS_SCRIPT_SEC, /* script security violation: 6 */
};

#define CONF_EXIT_OK 0
#define CONF_EXIT_FILE 4
#define CONF_EXIT_CONFIG 5
#define CONF_EXIT_SCRIPT_SEC 6

/* Called once per diagnostic.  file may be NULL (no location); the text
 * printed by the default reporter is "(FILE: Line N) MSG". */
typedef void (*conf_report_fn)(void *arg, enum conf_sev sev, enum conf_class cls, const char *file,
                               int line, const char *msg);

struct conf_diag_counts {
	unsigned warnings;
	unsigned errors[3]; /* indexed by enum conf_class */
};

/* Exit code for --config-test from the counts: 0, 4, 5 or 6. */
int conf_exit_code(const struct conf_diag_counts *c);
/* to += from (a builder's counts into its tree's). */
void conf_counts_add(struct conf_diag_counts *to, const struct conf_diag_counts *from);

/* ---- reader options --------------------------------------------------- */

struct conf_opts {
	const char *config_id; /* for @ID lines and ${_INSTANCE}; NULL = hostname up to '.' */
	bool all_config;       /* -e: a missing file is an error (class FILE) */
	unsigned random_seed;  /* for ${_RANDOM}; 0 = time based */
	bool have_random_seed;
	conf_report_fn report; /* NULL: print to stderr */
	void *report_arg;
	unsigned max_def_depth;     /* recursion bound for $DEF expansion; 0 = default (32) */
	size_t max_line_len;        /* bound on one expanded line; 0 = default (1 MiB) */
	unsigned max_include_depth; /* 0 = default (64) */
	size_t
	    max_seq_lines; /* bound on lines produced by one ~SEQ/~LST; 0 = default (1,000,000) */
};

/* ---- reader: logical lines -------------------------------------------- */

/* One logical line after every meta-feature has been applied: comments
 * removed, conditionals resolved, definitions expanded, ~SEQ/~LST expanded,
 * split into words (quotes removed, escapes applied) and split at unquoted
 * braces, so "{" and "}" are always words of their own at the end ("{") or
 * alone ("}") of a logical line.  Example: "a { b }" yields "a {", "b", "}".
 */
struct conf_line {
	char **words; /* words[nwords] == NULL; valid until the next call */
	int nwords;
	const char *file; /* interned path, valid while the reader lives */
	int lineno;       /* 1-based line in that file */
};

struct conf_reader;

struct conf_reader *conf_reader_open(const char *path, const struct conf_opts *opts,
                                     struct conf_diag_counts *counts);
/* Same, but from a memory buffer named `name` (for tests and fuzzers). */
struct conf_reader *conf_reader_open_mem(const char *name, const char *buf, size_t len,
                                         const struct conf_opts *opts,
                                         struct conf_diag_counts *counts);
/* 1 = a line in *out, 0 = end of input. */
int conf_reader_next(struct conf_reader *r, struct conf_line *out);
void conf_reader_close(struct conf_reader *r);

/* Report a diagnostic through the reader's reporter and counters. */
void conf_reader_report(struct conf_reader *r, enum conf_sev sev, enum conf_class cls,
                        const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* ---- keyword tables ----------------------------------------------------- */

struct conf_ctx; /* parser context handed to checkers */
struct conf_kw;

/* Validate the arguments of one line (argv[0] is the keyword or, in a data
 * block, the first word).  Report problems with conf_error()/conf_warn().
 * Return 0 to keep the line in the tree, -1 to drop it. */
typedef int (*conf_check_fn)(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);

enum conf_kw_flags {
	CONF_KW_DEPRECATED = 1 << 0, /* accepted with a warning naming file and line */
	CONF_KW_IGNORED = 1 << 1,    /* with DEPRECATED: "... and ignored" */
	CONF_KW_UNIQUE = 1 << 2,     /* a second occurrence in one block is warned about */
	CONF_KW_BLOCK_OPT = 1 << 3,  /* block keyword whose '{' is optional */
	CONF_KW_SCRIPT = 1 << 4,     /* argv[1..] is a script command line (checked for
				      * existence and script security after the parse) */
	CONF_KW_SECRET = 1 << 5,     /* arguments are masked ("****") in dumps */
};

struct conf_block;

struct conf_kw {
	const char *name;
	int min_args;                   /* words after the keyword (not counting '{') */
	int max_args;                   /* -1 = unlimited */
	conf_check_fn check;            /* NULL = no check beyond the counts */
	long long lo, hi;               /* range for the numeric checkers */
	const char *choices;            /* "a|b|c" for conf_chk_enum / conf_chk_enum_bare */
	const struct conf_block *block; /* non-NULL: keyword opens this block */
	unsigned flags;
	const char *note; /* deprecation: replacement keyword or hint */
};

/* A block: either keyword lines (kws) or data lines (data != NULL), or both
 * (a keyword match wins, everything else is a data line). */
struct conf_block {
	const char *name;          /* for messages: "global_defs", "vrrp_instance" */
	const struct conf_kw *kws; /* array terminated by { .name = NULL } */
	conf_check_fn data;        /* validator for a data line; NULL = none allowed */
	int data_min, data_max;    /* word counts for a data line; max -1 = unlimited */
	/* Called when the block closes, for cross-keyword checks (e.g. required
	 * keywords).  May be NULL. */
	void (*finish)(struct conf_ctx *c, struct conf_node_s *node);
};

/* ---- the tree ----------------------------------------------------------- */

struct conf_node_s {
	const struct conf_kw *kw; /* NULL for a data line and for the root */
	int argc;                 /* words including argv[0]; '{' not included */
	char **argv;
	const char *file;
	int lineno;
	struct conf_node_s *parent;
	struct conf_node_s *child; /* first child (block contents) */
	struct conf_node_s *last;  /* last child, for appends */
	struct conf_node_s *next;  /* next sibling */
	bool is_block;             /* had a { } body */
};
typedef struct conf_node_s conf_node;

struct conf_tree {
	conf_node root; /* root.child = top-level nodes */
	struct conf_diag_counts counts;
	const char *main_file;
	struct conf_pool *pool; /* owns all nodes and strings */
};

/* Parse a whole configuration against the root table.  Never returns NULL
 * except on allocation failure; inspect tree->counts for the outcome. */
struct conf_tree *conf_parse_file(const char *path, const struct conf_block *root,
                                  const struct conf_opts *opts);
struct conf_tree *conf_parse_mem(const char *name, const char *buf, size_t len,
                                 const struct conf_block *root, const struct conf_opts *opts);
void conf_tree_free(struct conf_tree *t);

/* Print the tree in keepalived.conf syntax, one item per line, indented,
 * with "# file:line" remarks when `origins` is set. */
void conf_tree_dump(const struct conf_tree *t, FILE *out, bool origins);

/* Tree helpers. */
conf_node *conf_first(const conf_node *parent, const char *name); /* first child named */
conf_node *conf_next_named(const conf_node *n);                   /* next sibling same name */
const char *conf_arg(const conf_node *n, int i);                  /* argv[i] or NULL */
unsigned conf_count(const conf_node *parent, const char *name);

/* ---- checker API ---------------------------------------------------------- */

void conf_error(struct conf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void conf_error_class(struct conf_ctx *c, enum conf_class cls, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void conf_warn(struct conf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Location of the line being checked / finished. */
const char *conf_ctx_file(const struct conf_ctx *c);
int conf_ctx_line(const struct conf_ctx *c);
/* For finish hooks: report at a node's location. */
void conf_node_error(struct conf_ctx *c, const conf_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void conf_node_warn(struct conf_ctx *c, const conf_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Value conversions shared by checkers and by the subsystems that read the
 * tree.  Return 0 on success, -1 if malformed or out of range (no report). */
int conf_parse_int(const char *s, long long lo, long long hi, long long *out);
int conf_parse_bool(const char *s, bool *out); /* on/off/true/false/yes/no */
int conf_hex_digit(int ch);                    /* 0-15, or -1 for a non-hex character */
/* <TIMER>: decimal seconds, microsecond resolution, range in µs. */
int conf_parse_timer_us(const char *s, uint64_t lo_us, uint64_t hi_us, uint64_t *out_us);

/* Standard checkers, used in tables.  Each checks argv[1] (the first
 * argument) unless said otherwise, and reports with the range/choices in the
 * message, e.g. "priority: number '256' outside range [1, 255]". */
int conf_chk_int(struct conf_ctx *, const struct conf_kw *, int, char **);   /* lo..hi */
int conf_chk_timer(struct conf_ctx *, const struct conf_kw *, int, char **); /* lo..hi in µs */
int conf_chk_bool(struct conf_ctx *, const struct conf_kw *, int, char **);  /* optional bool */
int conf_chk_enum(struct conf_ctx *, const struct conf_kw *, int,
                  char **); /* choices, case-insensitive */
int conf_chk_ip(struct conf_ctx *, const struct conf_kw *, int, char **); /* IPv4/IPv6 address */
int conf_chk_ip_port(struct conf_ctx *, const struct conf_kw *, int, char **); /* IP [PORT] */
int conf_chk_port(struct conf_ctx *, const struct conf_kw *, int,
                  char **); /* 0..65535 or service */
int conf_chk_path(struct conf_ctx *, const struct conf_kw *, int, char **); /* absolute path */

#endif
