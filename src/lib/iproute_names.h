/* iproute2's name files (rt_tables, rt_protos, rt_scopes, rt_realms,
 * group): "NUMBER NAME" lines in /etc/iproute2, /usr/share/iproute2 and
 * /usr/lib/iproute2, each with its FILE.d/ *.conf fragments. */
#ifndef KA_IPROUTE_NAMES_H
#define KA_IPROUTE_NAMES_H

#include <stdbool.h>
#include <stdint.h>

/* Whether `name` is defined in `file` (e.g. "rt_tables"); its number in
 * *out when out is not NULL.  A line whose number does not parse counts as
 * known only when out is NULL. */
bool iproute_name_lookup(const char *file, const char *name, uint32_t *out);

#endif
