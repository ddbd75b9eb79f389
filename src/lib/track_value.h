/* The number in a tracked file (VRRP track_file, FILE_CHECK), read as
 * upstream does: a leading C integer (strtoll base 0: "0x10" is 16, "010"
 * is 8), trailing text ignored; empty or non-numeric text is 0.  Pure. */
#ifndef KA_TRACK_VALUE_H
#define KA_TRACK_VALUE_H

#include <stddef.h>

/* 0, or -1 (why set) when the number is outside the 32-bit range. */
int track_value_parse(const char *buf, size_t len, long long *value, const char **why);

#endif
