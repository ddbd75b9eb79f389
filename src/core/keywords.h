/* The root keyword table (every root block and root keyword) and
 * global_defs, in src/core/kw_root.c and src/core/kw_global.c. */
#ifndef KA_CORE_KEYWORDS_H
#define KA_CORE_KEYWORDS_H

#include "conf/conf.h"

extern const struct conf_block ka_root_block;
extern const struct conf_block global_defs_block;

#endif
