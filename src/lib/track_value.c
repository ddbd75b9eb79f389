/* See track_value.h. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/track_value.h"

int track_value_parse(const char *buf, size_t len, long long *value, const char **why)
{
	char text[64];
	long long v;

	/* A number that fits is short: nothing past 63 bytes can be part of it. */
	if (len >= sizeof(text))
		len = sizeof(text) - 1;
	memcpy(text, buf, len);
	text[len] = '\0';
	errno = 0;
	v = strtoll(text, NULL, 0);
	if (errno == ERANGE || v < INT_MIN || v > INT_MAX) {
		*why = "number out of range";
		return -1;
	}
	*value = v;
	return 0;
}
