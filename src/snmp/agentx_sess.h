/* An AgentX subagent session on a libevent loop, never blocking: a
 * non-blocking connect to the master (a unix socket path, "unix:PATH" or
 * "tcp:HOST:PORT"), Open, one Register per subtree, answers to
 * Get/GetNext/GetBulk from a struct mib, Notify PDUs for traps, Ping for
 * liveness.
 *
 * A stalled master (e.g. snmpd stopped) costs nothing but memory bounded
 * by outq_max: writes that do not fit are dropped and counted (traps in
 * traps_dropped); a request the master does not answer within timeout_ms
 * closes the connection, and the session reconnects with exponential
 * backoff between backoff_min_ms and backoff_max_ms.  Traps raised while
 * not registered wait in a small queue (max_pending; the oldest go first
 * when it is full). */
#ifndef KA_AGENTX_SESS_H
#define KA_AGENTX_SESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snmp/agentx_pdu.h"
#include "snmp/mib.h"

struct event_base;

#define AGENTX_DEFAULT_SOCKET "/var/agentx/master"

struct agentx_sess_cfg {
	const char *addr;  /* NULL: AGENTX_DEFAULT_SOCKET */
	const char *descr; /* Open's description */
	const char *name;  /* for log lines: "VRRP", "checker" */
	struct agentx_oid subtrees[8];
	size_t n_subtrees;
	uint8_t priority;        /* registration priority; 0 -> 127 */
	unsigned timeout_ms;     /* response timeout; 0 -> 1000 */
	unsigned ping_ms;        /* liveness ping interval; 0 -> 5000 */
	unsigned backoff_min_ms; /* 0 -> 500 */
	unsigned backoff_max_ms; /* 0 -> 5000 */
	size_t outq_max;         /* 0 -> 256 KiB */
	size_t max_pending;      /* 0 -> 32 */
	struct mib *mib;
};

struct agentx_sess_stats {
	uint64_t connects;      /* connections that reached the registered state */
	uint64_t attempts;      /* connection attempts */
	uint64_t requests;      /* Get/GetNext/GetBulk answered */
	uint64_t traps_sent;    /* Notify PDUs queued to the master */
	uint64_t traps_dropped; /* lost: output queue full or pending queue overflow */
	uint64_t timeouts;      /* requests the master did not answer in time */
	uint64_t bad_pdus;      /* PDUs that did not decode */
	uint64_t out_dropped;   /* responses lost to a full output queue */
};

struct agentx_sess;

/* Starts connecting at once.  NULL on allocation failure. */
struct agentx_sess *agentx_sess_new(struct event_base *base, const struct agentx_sess_cfg *cfg);
/* Sends Close (best effort, non-blocking) and frees. */
void agentx_sess_free(struct agentx_sess *s);
bool agentx_sess_ready(const struct agentx_sess *s);
const struct agentx_sess_stats *agentx_sess_stats(const struct agentx_sess *s);
/* Queue a trap: snmpTrapOID.0 = trap, then vbs.  0, or -1 if dropped. */
int agentx_sess_notify(struct agentx_sess *s, const struct agentx_oid *trap,
                       const struct agentx_varbind *vbs, size_t n);

#endif
