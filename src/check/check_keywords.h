/* Keyword tables of the checker/LVS side (src/check/keywords*.c). */
#ifndef KA_CHECK_KEYWORDS_H
#define KA_CHECK_KEYWORDS_H

#include "conf/conf.h"

extern const struct conf_block virtual_server_group_block;
extern const struct conf_block virtual_server_block;
extern const struct conf_block ssl_block;

#endif
