/* Private to the checker/LVS keyword tables (src/check/keywords*.c): the
 * blocks one file defines and another references, and the argument
 * checkers more than one of them uses. */
#ifndef KA_CHECK_KW_CHECKS_H
#define KA_CHECK_KW_CHECKS_H

#include <stdbool.h>
#include <stdint.h>

#include "conf/conf.h"

/* Range bounds used in the tables. */
#define KWC_U32_MAX 4294967295LL
#define KWC_I32_MAX 2147483647LL
#define KWC_TIMER_MAX 9223372036854775807LL  /* µs; effectively unbounded */
#define KWC_CONNECT_TIMEOUT_MAX 4294967295LL /* µs: 4294.967295 s */

/* Row shorthands for the tables. */
// clang-format off
#define KWC_FLAG(n) {.name = (n), .min_args = 0, .max_args = 0}
#define KWC_STR(n) {.name = (n), .min_args = 1, .max_args = 1}
#define KWC_BOOL(n) {.name = (n), .min_args = 0, .max_args = 1, .check = conf_chk_bool}
#define KWC_SCRIPT(n) {.name = (n), .min_args = 1, .max_args = -1, .flags = CONF_KW_SCRIPT}
#define KWC_BLOCK(n, b) {.name = (n), .min_args = 0, .max_args = 0, .block = (b)}
#define KWC_ENUM(n, ch) \
	{.name = (n), .min_args = 1, .max_args = 1, .check = conf_chk_enum, .choices = (ch)}
#define KWC_INT(n, l, h) \
	{.name = (n), .min_args = 1, .max_args = 1, .check = conf_chk_int, .lo = (l), .hi = (h)}
#define KWC_TIMER(n, l, h) \
	{.name = (n), .min_args = 1, .max_args = 1, .check = conf_chk_timer, .lo = (l), .hi = (h)}
#define KWC_METHOD(n) \
	{.name = (n), .min_args = 1, .max_args = -1, .check = kwc_chk_lvs_method}
// clang-format on

/* Checker blocks (keywords_checkers.c), opened from real_server. */
extern const struct conf_block kwc_tcp_check_block;
extern const struct conf_block kwc_http_get_block;
extern const struct conf_block kwc_ssl_get_block;
extern const struct conf_block kwc_smtp_check_block;
extern const struct conf_block kwc_dns_check_block;
extern const struct conf_block kwc_udp_check_block;
extern const struct conf_block kwc_ping_check_block;
extern const struct conf_block kwc_misc_check_block;
extern const struct conf_block kwc_file_check_block;
extern const struct conf_block kwc_bfd_check_block;

/* Parse a port in decimal only (no service names): 0 = ok.  min is the
 * lowest accepted value (0 or 1). */
int kwc_parse_port(const char *s, unsigned min, uint16_t *port);

/* Whether s is a non-empty run of hexadecimal digits (and, with
 * allow_mask, the wildcard digits 'X'/'x'). */
bool kwc_is_hex(const char *s, bool allow_mask);

/* "IP [PORT]" with a decimal port 0..65535; reports a bad address or port
 * once, naming it (real_server, sorry_server). */
int kwc_chk_addr_port(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);

/* A port 1..65535 in decimal (connect_port, bind_port). */
int kwc_chk_port1(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);

/* Like conf_chk_enum, but the match is case-sensitive (the names are
 * handed to the kernel as written). */
int kwc_chk_enum_cs(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);

/* NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum] */
int kwc_chk_lvs_method(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv);

#endif
