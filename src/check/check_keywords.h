/* Keyword tables of the checker/LVS side (src/check/keywords*.c). */
#ifndef KA_CHECK_KEYWORDS_H
#define KA_CHECK_KEYWORDS_H

#include "conf/conf.h"

extern const struct conf_block virtual_server_group_block;
extern const struct conf_block virtual_server_block;
extern const struct conf_block ssl_block;

/* Argument checker for the root row "virtual_server IP [PORT] | fwmark N |
 * group NAME" (min_args 1, max_args -1 or 2): one error naming a bad
 * address, port or mark. */
int virtual_server_args_check(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);

#endif
