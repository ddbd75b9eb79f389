/* The IPVS generic netlink socket: one synchronous call per operation.
 *
 * Every request carries a fresh sequence number; only replies with that
 * number and our port id are read (lib/nl.h's nl_request), every mutation
 * asks for an ACK, and every wait is bounded by IPVS_TIMEOUT_MS so a wedged
 * kernel cannot hang the caller.  Functions return 0 or -errno (the
 * kernel's error, -ETIMEDOUT, -EBADMSG for a reply we could not parse). */
#ifndef KA_IPVS_H
#define KA_IPVS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lvs/lvs.h"

#define IPVS_TIMEOUT_MS 2000

struct ipvs;

/* NULL on failure with a one-line reason in err. */
struct ipvs *ipvs_open(char *err, size_t errlen);
void ipvs_close(struct ipvs *ip);

/* One plan operation (any lvs_op_kind). */
int ipvs_apply(struct ipvs *ip, const struct lvs_op *op);

/* Every service (no destinations) appended to out. */
int ipvs_read_services(struct ipvs *ip, struct lvs_table *out);
/* The destinations of one service, set into s. */
int ipvs_read_dests(struct ipvs *ip, struct lvs_tsvc *s);

int ipvs_daemon_start(struct ipvs *ip, const struct lvs_syncd *s);
int ipvs_daemon_stop(struct ipvs *ip, bool backup);
/* Running sync daemons (at most one master and one backup). */
int ipvs_read_daemons(struct ipvs *ip, struct lvs_syncd out[2], size_t *n);

/* 0 = leave unchanged. */
int ipvs_set_timeouts(struct ipvs *ip, uint32_t tcp, uint32_t tcpfin, uint32_t udp);
int ipvs_get_timeouts(struct ipvs *ip, uint32_t *tcp, uint32_t *tcpfin, uint32_t *udp);

/* Why the last call failed beyond its errno: the kernel's extended ack
 * or the reason a reply was rejected; "" when there is none. */
const char *ipvs_errmsg(const struct ipvs *ip);

#endif
