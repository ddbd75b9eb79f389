/* One implementation of the LVS data plane behind lvs_dp (lvs.h).
 *
 * lvs_dp.c picks a backend (IPVS or nftables) at open and forwards every
 * call to it.  The checker engine and the VRRP child only ever see lvs_dp.
 * A backend owns its own mirror of what it programmed; the contract of each
 * call is the one documented on the matching lvs_dp_* function in lvs.h. */
#ifndef KA_LVS_BACKEND_H
#define KA_LVS_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lvs/lvs.h"

struct lvs_backend_ops {
	const char *name; /* "IPVS", "nftables": prefixes log lines */
	/* NULL with a one-line reason in err when the kernel cannot do it. */
	void *(*open)(char *err, size_t errlen);
	int (*sync)(void *b, const struct lvs_table *want, const struct lvs_table *drop,
	            bool flush);
	int (*dest_set)(void *b, const struct lvs_svc_key *k, const struct lvs_dest *d);
	int (*dest_del)(void *b, const struct lvs_svc_key *k, const struct lvs_dest *d);
	int (*read)(void *b, struct lvs_table *out);
	/* NULL when the backend has no such thing (lvs_dp then logs and
	 * returns -1). */
	int (*syncd_start)(void *b, const struct lvs_syncd *s);
	int (*syncd_stop)(void *b, bool backup);
	int (*set_timeouts)(void *b, uint32_t tcp, uint32_t tcpfin, uint32_t udp);
	/* Kernel transactions sent since open: one per IPVS command, one per
	 * nftables batch. */
	unsigned long (*mutations)(const void *b);
	void (*close)(void *b, bool remove_own);
};

/* What the nftables backend can program (nft_rules.c): 0, or -1 with `why`
 * one sentence naming what is unsupported and what to use instead.  The
 * configuration loader rejects such a virtual server at load time. */
int nft_svc_check(const struct lvs_svc_key *k, const struct lvs_svc_attr *a,
                  const struct lvs_dest *dests, size_t n, char *why, size_t whylen);

extern const struct lvs_backend_ops lvs_ipvs_backend;
extern const struct lvs_backend_ops lvs_nft_backend;

#endif
