/* Argument checkers shared by the VRRP keyword tables (src/vrrp/keywords*.c)
 * and the root/global_defs tables (src/core/kw_root.c, src/core/kw_global.c).
 * Every checker reports at most one error per line, naming the bad word. */
#ifndef KA_VRRP_KW_CHECKS_H
#define KA_VRRP_KW_CHECKS_H

#include "conf/conf.h"

/* Range bounds used in the tables. */
#define VKW_U32_MAX 4294967295LL
#define VKW_I32_MAX 2147483647LL
#define VKW_US 1000000LL /* one second in the µs unit of conf_chk_timer */

/* Shorthands for table rows (one row per keyword). */
// clang-format off
#define VKW_FLAG(n)            {.name = (n), .max_args = -1, .check = vkw_chk_flag}
#define VKW_BOOL(n)            {.name = (n), .max_args = 1, .check = conf_chk_bool}
#define VKW_STR(n)             {.name = (n), .min_args = 1, .max_args = 1}
#define VKW_INT(n, l, h)       {.name = (n), .min_args = 1, .max_args = 1, .check = conf_chk_int, .lo = (l), .hi = (h)}
#define VKW_TIMER(n, l, h)     {.name = (n), .min_args = 1, .max_args = 1, .check = conf_chk_timer, .lo = (l), .hi = (h)}
#define VKW_ENUM(n, ch)        {.name = (n), .min_args = 1, .max_args = 1, .check = vkw_chk_enum_cs, .choices = (ch)}
#define VKW_OPT_ENUM(n, ch)    {.name = (n), .max_args = 1, .check = vkw_chk_enum_cs, .choices = (ch)}
#define VKW_SCRIPT(n)          {.name = (n), .min_args = 1, .max_args = -1, .flags = CONF_KW_SCRIPT}
#define VKW_ARGS(n, a, b, f)   {.name = (n), .min_args = (a), .max_args = (b), .check = (f)}
#define VKW_ARGSR(n, a, b, f, l, h) {.name = (n), .min_args = (a), .max_args = (b), .check = (f), .lo = (l), .hi = (h)}
#define VKW_WEIGHT(n, l, h)    VKW_ARGSR(n, 1, 2, vkw_chk_weight, l, h)
#define VKW_BLOCK(n, b)        {.name = (n), .block = (b)}
#define VKW_NAMED(n, b)        {.name = (n), .min_args = 1, .max_args = 1, .block = (b)}
#define VKW_DEP(n, a, b, repl) {.name = (n), .min_args = (a), .max_args = (b), .flags = CONF_KW_DEPRECATED, .note = (repl)}
#define VKW_END                {.name = NULL}
// clang-format on

/* ---- generic keyword checkers ------------------------------------------- */

/* A keyword that takes no argument.  Extra words are accepted (as upstream
 * does) with a warning that they are ignored.  Use with max_args -1. */
int vkw_chk_flag(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);
/* Like conf_chk_enum but case-sensitive (state MASTER, auth_type PASS). */
int vkw_chk_enum_cs(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);
/* Every argument is an integer in kw->lo..kw->hi (lists of numbers). */
int vkw_chk_int_list(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);
/* "W [reverse]" with W in kw->lo..kw->hi. */
int vkw_chk_weight(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);
/* "USER [GROUP]" (also "USER:GROUP"): both must exist on this host. */
int vkw_chk_user(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);
/* argv[1] is a syntactically valid interface name (existence is checked
 * after the parse, see vrrp_kw_finish_root). */
int vkw_chk_ifname(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);
/* argv[1] is a multicast IPv4 or IPv6 address. */
int vkw_chk_mcast(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);
/* "[all] SECS" with SECS in kw->lo..kw->hi (garp_extra_if). */
int vkw_chk_garp_extra_if(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);

/* ---- data-line checkers (kw is NULL, argv[0] is the first word) ---------- */

/* Every word is a name (group members, interfaces, e-mail addresses). */
int vkw_data_names(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);
/* Addresses: virtual_ipaddress, virtual_ipaddress_excluded, static_ipaddress. */
int vkw_data_vip(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);
int vkw_data_static_addr(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);
/* Routes and rules, virtual_* and static_* flavours. */
int vkw_data_vroute(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);
int vkw_data_static_route(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);
int vkw_data_vrule(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);
int vkw_data_static_rule(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);

/* ---- helpers --------------------------------------------------------------- */

/* Whether s is a plausible interface name (1..15 bytes, no '/' or blank). */
int vkw_ifname_ok(const char *s);
/* The word following `token` on a data line, or NULL. */
const char *vkw_token_value(const conf_node *n, const char *token);

/* Blocks shared between files. */
extern const struct conf_block vkw_track_if_block;
extern const struct conf_block vkw_track_script_block;
extern const struct conf_block vkw_track_file_block;
extern const struct conf_block vkw_track_process_block;
extern const struct conf_block vkw_track_bfd_block;
extern const struct conf_block vkw_names_block;

#endif
