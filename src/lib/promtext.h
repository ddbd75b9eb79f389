/* Prometheus text exposition format 0.0.4: a builder that takes samples in
 * any order and writes them grouped by family (# HELP and # TYPE once, the
 * family's samples together, in declaration order), with label values
 * escaped and duplicate series dropped.  Pure: no I/O but the final write
 * to a FILE *. */
#ifndef KA_PROMTEXT_H
#define KA_PROMTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum prom_type { PROM_GAUGE, PROM_COUNTER };

struct prom;
struct prom_fam;

struct prom *prom_new(void);
void prom_free(struct prom *p);

/* Declare a family, or return the one already declared under that name
 * (its type and help are kept).  NULL for an invalid name or out of memory
 * (then every later call on it is a no-op and prom_write() fails). */
struct prom_fam *prom_family(struct prom *p, const char *name, enum prom_type type,
                             const char *help);

/* Add a sample to a family: label name/value pairs, then NULL.  A label
 * value NULL is written as "".  Returns 0, 1 when the same series is
 * already there (the sample is dropped), -1 on an invalid label name or
 * out of memory (f may be NULL: -1). */
int prom_addu(struct prom_fam *f, uint64_t v, ...) __attribute__((sentinel));
int prom_addi(struct prom_fam *f, int64_t v, ...) __attribute__((sentinel));
int prom_addd(struct prom_fam *f, double v, ...) __attribute__((sentinel));

/* Write every family that has at least one sample (a declared family
 * without samples is left out: # TYPE lines with nothing under them only
 * confuse).  0, or -1 after any failure (oom, invalid name) or a write
 * error. */
int prom_write(const struct prom *p, FILE *fp);
/* Samples held (tests). */
size_t prom_count(const struct prom *p);

/* Helpers, exposed for tests.  Append s escaped as a label value (\\ \" \n)
 * or as HELP text (\\ \n) to buf of size len; return the length the full
 * escaped text needs (like snprintf). */
size_t prom_escape_label(const char *s, char *buf, size_t len);
size_t prom_escape_help(const char *s, char *buf, size_t len);
bool prom_valid_metric_name(const char *s);
bool prom_valid_label_name(const char *s);
/* A sample value as the format wants it: integers exactly, NaN, +Inf,
 * -Inf, else the shortest %g form that reads back equal. */
void prom_fmt_double(double v, char *buf, size_t len);

#endif
