/* UDP_CHECK reply check.  Pure. */
#ifndef KA_UDP_MATCH_H
#define KA_UDP_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "check/check.h"

/* Checks a received datagram against u: its length must be within
 * [min_reply_len, max_reply_len], and when u->reply is set its first
 * reply_len bytes must equal u->reply where u->reply_mask has bits set
 * (the nibbles written as X in the config are 0 in the mask; no mask = all
 * bits compared).  Bytes after reply_len are not compared: the pattern is a
 * prefix, the length limits bound the rest.  0 = match, -1 = no match with
 * the reason in why. */
int udp_reply_match(const struct check_udp *u, const uint8_t *buf, size_t len, char *why,
                    size_t whylen);

#endif
