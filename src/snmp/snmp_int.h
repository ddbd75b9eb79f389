/* Internals of the SNMP subagent (src/snmp). */
#ifndef KA_SNMP_INT_H
#define KA_SNMP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snmp/agentx_sess.h"
#include "snmp/mib.h"

struct ka_options;
struct ka_config;
struct vrrp_rt;
struct check_engine;
struct ka_event;

/* KEEPALIVED-MIB: enterprises.debian(9586).project(100).keepalived(5) */
#define KA_MIB_OID 1, 3, 6, 1, 4, 1, 9586, 100, 5
#define KA_MIB_LEN 9
/* VRRPV3-MIB: mib-2 207 (RFC 6527) */
#define VRRPV3_MIB_OID 1, 3, 6, 1, 2, 1, 207
#define VRRPV3_MIB_LEN 7

/* What the configuration asks of SNMP. */
struct snmp_conf {
	bool enabled; /* -x or any enable_snmp_* keyword */
	bool keepalived, checker, rfcv2, rfcv3;
	bool traps; /* enable_traps */
	char socket[256];
	char router_id[256];
	char netns[64];
	bool dynamic_interfaces;
	bool has_vrrp; /* the VRRP child runs (and serves the global group) */
};

void snmp_conf_read(struct snmp_conf *sc, const struct ka_options *o, const struct ka_config *c);
bool snmp_conf_same_session(const struct snmp_conf *a, const struct snmp_conf *b);

/* What the getters read. */
struct snmp_ctx {
	struct snmp_conf conf;
	struct vrrp_rt *rt;     /* VRRP child */
	struct check_engine *e; /* checker child */
	struct agentx_sess *sess;
	struct mib mib;
};

/* mib_vrrp.c: the global group and the vrrp group. */
int mib_global_register(struct mib *m, struct snmp_ctx *x);
int mib_vrrp_register(struct mib *m, struct snmp_ctx *x);
void mib_vrrp_trap(struct snmp_ctx *x, const struct ka_event *ev);
/* mib_vrrpv3.c */
int mib_vrrpv3_register(struct mib *m, struct snmp_ctx *x);
void mib_vrrpv3_trap(struct snmp_ctx *x, const struct ka_event *ev);
/* mib_check.c */
int mib_check_register(struct mib *m, struct snmp_ctx *x);
void mib_check_trap(struct snmp_ctx *x, const struct ka_event *ev);

/* A varbind named oid.idx with value v (which must outlive the varbind). */
void snmp_vb(struct agentx_varbind *vb, const uint32_t *oid, size_t n, const uint32_t *idx,
             size_t nidx, const struct mib_val *v);
/* routerId.0 (value in v). */
void snmp_vb_router_id(struct snmp_ctx *x, struct agentx_varbind *vb, struct mib_val *v);

#endif
