/* PING_CHECK internals visible to tests. */
#ifndef KA_CHK_PING_H
#define KA_CHK_PING_H

#include <stdbool.h>

/* Tests only: skip the ICMP datagram socket and use the raw fallback, as
 * when ping_group_range refuses datagram sockets. */
extern bool chk_ping_force_raw;
/* Set by each attempt that opened a raw socket (tests check the fallback
 * really ran). */
extern unsigned chk_ping_raw_opened;

#endif
