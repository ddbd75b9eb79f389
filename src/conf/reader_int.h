/* Private interface of the configuration reader (reader.c, include.c,
 * lex.c, defs.c, seq.c).  Nothing here is visible to the parser. */
#ifndef KA_CONF_READER_INT_H
#define KA_CONF_READER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "conf/conf.h"

/* Defaults for the zero fields of struct conf_opts. */
#define RD_DEF_DEPTH 32u
#define RD_LINE_LEN ((size_t)1024 * 1024)
#define RD_INCLUDE_DEPTH 64u
#define RD_SEQ_LINES ((size_t)1000000)
/* Items processed while expanding one physical line, per allowed ~SEQ line. */
#define RD_BUDGET_FACTOR 64u

/* include_check bits. */
enum rd_inc_flag {
	RD_INC_READABLE = 1u << 0,
	RD_INC_MATCH = 1u << 1,
	RD_INC_WILDCARD = 1u << 2,
	RD_INC_BRACE = 1u << 3,
	RD_INC_ALL = 0xfu,
};

/* ---- memory and growable strings (lex.c) ------------------------------ */

/* These abort on allocation failure: a configuration reader cannot do
 * anything useful without memory. */
void *rd_xmalloc(size_t n);
void *rd_xrealloc(void *p, size_t n);
char *rd_xstrdup(const char *s);
char *rd_xstrndup(const char *s, size_t n);

struct sbuf {
	char *s; /* always NUL-terminated once anything was added */
	size_t len, cap;
};

void sb_reserve(struct sbuf *b, size_t extra);
void sb_putc(struct sbuf *b, char c);
void sb_add(struct sbuf *b, const char *s, size_t n);
void sb_adds(struct sbuf *b, const char *s);
void sb_reset(struct sbuf *b);
void sb_free(struct sbuf *b);
char *sb_steal(struct sbuf *b); /* returns the string, leaves b empty */

/* ---- definitions (defs.c) ---------------------------------------------- */

struct rd_def {
	char *name;
	char **lines;  /* the value, one string per line */
	size_t nlines; /* more than one: a multi-line definition */
	struct rd_def *next;
};

#define RD_DEF_BUCKETS 256

struct rd_defs {
	struct rd_def *bucket[RD_DEF_BUCKETS];
};

/* ---- sequence and list generators (seq.c) ------------------------------ */

struct rd_gen {
	char **vars; /* variable names */
	size_t nvars;
	bool is_seq, hex;
	long long start, step; /* ~SEQ */
	char **vals;           /* ~LST: count rows of nvars values */
	size_t count, idx;
	char *rest; /* the text repeated for each value */
};

/* ---- pending work of one file ------------------------------------------ */

/* A text still to be processed, a ~SEQ/~LST generator, or one file matched
 * by an include (files are queued so that they are read in order). */
enum rd_item_kind { RD_ITEM_TEXT, RD_ITEM_GEN, RD_ITEM_FILE };

struct rd_item {
	enum rd_item_kind kind;
	int lineno;
	unsigned depth;     /* multi-line definition expansions behind this text */
	bool substituted;   /* definitions were already expanded in text */
	char *text;         /* RD_ITEM_TEXT; the path for RD_ITEM_FILE */
	unsigned inc_flags; /* RD_ITEM_FILE: checks requested by the include */
	struct rd_gen *gen; /* RD_ITEM_GEN */
	size_t product;     /* lines this generator and its enclosing ones yield */
	struct rd_item *next;
};

/* Where physical lines come from: a FILE or a memory buffer. */
struct rd_src {
	FILE *fp;
	const char *mem;
	size_t mem_len, mem_pos;
	char *buf;
	size_t bpos, blen;
	bool eof;
};

struct rd_frame {
	struct rd_src src;
	const char *path; /* interned */
	char *dir;        /* base for relative includes; "" = current directory */
	char *pwd;        /* absolute directory, for ${_PWD} */
	int lineno;
	unsigned inc_flags; /* include_check setting while reading this file */
	bool have_id;
	dev_t dev;
	ino_t ino;
	struct rd_item *pending; /* stack: top is processed first */
	size_t budget;           /* items left for the current physical line */
	/* A multi-line definition being collected. */
	bool collecting;
	char *def_name;
	char **def_lines;
	size_t def_nlines;
	unsigned level; /* 1 for the main file */
	struct rd_frame *up;
};

struct rd_name {
	struct rd_name *next;
	char name[];
};

struct conf_reader {
	struct conf_opts opts; /* with defaults applied */
	char *config_id;
	struct conf_diag_counts *counts;
	struct conf_diag_counts own_counts;
	struct rd_frame *top;
	struct rd_defs defs;
	struct rd_name *names;
	uint64_t rng;
	struct sbuf line; /* the physical line being processed */
	/* The current output line. */
	struct sbuf wordbuf;
	size_t *offs;
	char **words;
	size_t nwords, words_cap;
	const char *out_file;
	int out_line;
};

/* ---- reader.c ----------------------------------------------------------- */

const char *rd_intern(struct conf_reader *r, const char *name);
struct rd_item *rd_push_item(struct rd_frame *f, enum rd_item_kind kind, int lineno);
void rd_push_text(struct rd_frame *f, char *text, int lineno, unsigned depth, bool substituted);
void rd_clear_pending(struct rd_frame *f);
/* Open a file as a new frame on top of the stack; 0 or -1 (errno set). */
int rd_frame_open_file(struct conf_reader *r, const char *path, unsigned inc_flags);

/* ---- include.c ---------------------------------------------------------- */

/* Whether text starts with an include keyword or include_check. */
bool rd_is_include_line(const char *text);
/* If words[0] is include, include?, or include_check, handle the line and
 * return true. */
bool rd_handle_include(struct conf_reader *r, struct rd_frame *f, int lineno);
/* Open the file of an RD_ITEM_FILE item (checks, cycle detection). */
void rd_include_file(struct conf_reader *r, struct rd_frame *f, const struct rd_item *it);

/* ---- lex.c -------------------------------------------------------------- */

bool rd_isspace(int c);
/* Cut the text at an unquoted '#' or '!'. */
void rd_decomment(char *s);
/* Strip trailing white space in place; return the first non-space. */
char *rd_trim(char *s);
/* Split the first segment of text into r's words (quotes removed, escapes
 * applied, cut after an unquoted '{' or before/after an unquoted '}').
 * With word_braces, only a brace standing alone as a word cuts the line, so
 * glob patterns such as "{a,b}.conf" survive.  *residue points to the text
 * still to be processed ("" if none). */
void rd_lex(struct conf_reader *r, const char *file, int lineno, const char *text, bool word_braces,
            const char **residue);

/* ---- defs.c ------------------------------------------------------------- */

void rd_defs_free(struct rd_defs *d);
/* Set NAME (len bytes) to the given lines; takes ownership of lines. */
void rd_def_set(struct conf_reader *r, const char *name, size_t len, char **lines, size_t nlines);
void rd_def_set1(struct conf_reader *r, const char *name, const char *value);
const struct rd_def *rd_def_find(const struct conf_reader *r, const char *name, size_t len);
bool rd_is_name_start(int c);
bool rd_is_name_char(int c);
/* Length of NAME if text is "$NAME=...", else 0. */
size_t rd_definition_name(const char *text);

void rd_report_recursion(struct conf_reader *r, const struct rd_frame *f, int lineno);

enum rd_subst_result {
	RD_SUBST_SAME,    /* nothing replaced */
	RD_SUBST_CHANGED, /* out holds the new text */
	RD_SUBST_MULTI,   /* out holds the first line, *ml the definition whose
			   * lines[1..] follow */
	RD_SUBST_ERROR,   /* reported; drop the line */
};

enum rd_subst_result rd_subst(struct conf_reader *r, const struct rd_frame *f, int lineno,
                              const char *text, struct sbuf *out, const struct rd_def **ml);

/* ---- seq.c -------------------------------------------------------------- */

bool rd_is_generator(const char *text);
/* Parse "~SEQ(...) rest" or "~LST(...) rest"; NULL after reporting. */
struct rd_gen *rd_gen_parse(struct conf_reader *r, const struct rd_frame *f, int lineno,
                            const char *text);
/* Define the variables for the next value; false when done. */
bool rd_gen_next(struct conf_reader *r, struct rd_gen *g);
void rd_gen_free(struct rd_gen *g);

#endif
