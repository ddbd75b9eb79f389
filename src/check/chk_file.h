/* FILE_CHECK internals shared with the unit test: how the tracked file's
 * text becomes a value, and how a value becomes a verdict. */
#ifndef KA_CHK_FILE_H
#define KA_CHK_FILE_H

#include <stddef.h>

#include "check/check.h"

/* The value of a track file's contents, as upstream reads it: a leading
 * C integer (strtol base 0: "0x10" is 16, "010" is 8), trailing text
 * ignored; empty or non-numeric text is 0.  Pure.  0, or -1 (why set) when
 * the number is outside the 32-bit range upstream accepts. */
int check_file_parse(const char *buf, size_t len, long long *value, const char **why);

/* The verdict for `value` (pure).  weight 0: up iff the value is 0 (reverse:
 * iff non-zero).  Otherwise always up, and *weight_add = value x weight,
 * negated with reverse: what the engine adds to the RS's configured weight. */
void check_file_judge(const struct check_file *f, long long value, struct check_outcome *o,
                      long long *weight_add);

#endif
