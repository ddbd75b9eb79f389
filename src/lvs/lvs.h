/* The LVS data plane: what the checker engine wants in the kernel's virtual
 * service table, and the code that makes the kernel agree.
 *
 *   lvs_table.c  the table (services, each with destinations): pure
 *   lvs_plan.c   have + want -> the list of operations: pure
 *   ipvs_msg.c   IPVS generic netlink messages, encode and decode: pure
 *   ipvs.c       the IPVS socket (libmnl): one call per operation
 *   lvs_dp.c     the runtime entry point: picks a backend (lvs_backend.h)
 *   ipvs_dp.c    the IPVS backend: a mirror of our part of the kernel table
 *                and incremental updates from the engine
 *   nft_*.c      the nftables backend: one table of our own
 *
 * Ownership rule: only services we own are ever touched.  A service is ours
 * when the configuration declares it (at start: adopted if the kernel
 * already has it; at reload: services dropped from the configuration are
 * deleted).  A foreign service (added with ipvsadm) survives start, reload
 * and stop.  Nothing is flushed unless `lvs_flush` asks for it.
 */
#ifndef KA_LVS_H
#define KA_LVS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

#define LVS_SCHED_MAX 16 /* IP_VS_SCHEDNAME_MAXLEN */
#define LVS_PE_MAX 16    /* IP_VS_PENAME_MAXLEN */

enum lvs_fwd { LVS_FWD_NAT, LVS_FWD_DR, LVS_FWD_TUN };

/* A service's identity: (af, protocol, addr, port) or (af, fwmark). */
struct lvs_svc_key {
	uint16_t af;       /* AF_INET / AF_INET6 */
	uint16_t protocol; /* IPPROTO_TCP/UDP/SCTP; for fwmark services as configured */
	struct ka_addr addr;
	uint16_t port;   /* host order */
	uint32_t fwmark; /* != 0: a fwmark service (addr/port unused) */
};

struct lvs_svc_attr {
	char sched[LVS_SCHED_MAX]; /* "wlc", "rr", ... */
	uint32_t flags;            /* IP_VS_SVC_F_*: persistent, hashed, sched flags, onepacket */
	uint32_t timeout_s;        /* persistence timeout */
	uint32_t netmask;          /* persistence granularity: IPv4 mask (network order)
	                              * or IPv6 prefix length */
	char pe_name[LVS_PE_MAX];  /* persistence engine, "" = none */
};

/* A destination's identity within its service: (af, addr, port). */
struct lvs_dest {
	uint16_t af;
	struct ka_addr addr;
	uint16_t port; /* host order; 0 under fwmark = same as the packet */
	enum lvs_fwd fwd;
	int32_t weight;
	uint32_t u_threshold, l_threshold;
	uint8_t tun_type;   /* IP_VS_CONN_F_TUNNEL_TYPE_* */
	uint16_t tun_port;  /* gue port, host order */
	uint16_t tun_flags; /* IP_VS_TUNNEL_ENCAP_FLAG_* */
};

struct lvs_stats {
	uint64_t conns, inpkts, outpkts, inbytes, outbytes;
	uint64_t cps, inpps, outpps, inbps, outbps;
};

struct lvs_tdest {
	struct lvs_dest d;
	struct lvs_stats stats; /* from a kernel dump; zero in wanted tables */
	uint32_t activeconns, inactconns, persistconns;
};

struct lvs_tsvc {
	struct lvs_svc_key key;
	struct lvs_svc_attr attr;
	struct lvs_stats stats;
	struct lvs_tdest *dests;
	size_t n_dests, cap_dests;
};

struct lvs_table {
	struct lvs_tsvc *svcs;
	size_t n_svcs, cap_svcs;
};

/* ---- the table (pure) ---- */
void lvs_table_init(struct lvs_table *t);
void lvs_table_free(struct lvs_table *t);
struct lvs_tsvc *lvs_table_find(const struct lvs_table *t, const struct lvs_svc_key *k);
/* Add (or return the existing) service; NULL on ENOMEM. */
struct lvs_tsvc *lvs_table_add_svc(struct lvs_table *t, const struct lvs_svc_key *k,
                                   const struct lvs_svc_attr *a);
struct lvs_tdest *lvs_svc_find_dest(const struct lvs_tsvc *s, const struct lvs_dest *d);
/* Add or replace a destination (matched by af/addr/port); -1 on ENOMEM. */
int lvs_svc_set_dest(struct lvs_tsvc *s, const struct lvs_dest *d);
/* Remove a service (and its destinations) / one destination; no-op when
 * absent. */
void lvs_table_del_svc(struct lvs_table *t, const struct lvs_svc_key *k);
void lvs_svc_del_dest(struct lvs_tsvc *s, const struct lvs_dest *d);
/* A deep copy of src (attributes, destinations, counters) into t; NULL on
 * ENOMEM. */
struct lvs_tsvc *lvs_table_copy_svc(struct lvs_table *t, const struct lvs_tsvc *src);
bool lvs_svc_key_equal(const struct lvs_svc_key *a, const struct lvs_svc_key *b);
bool lvs_svc_attr_equal(const struct lvs_svc_attr *a, const struct lvs_svc_attr *b);
bool lvs_dest_same_id(const struct lvs_dest *a, const struct lvs_dest *b);
bool lvs_dest_equal(const struct lvs_dest *a, const struct lvs_dest *b); /* every field */
/* "TCP [192.0.2.1]:80" / "FWM 5 (IPv4)": for logs. */
const char *lvs_svc_key_fmt(const struct lvs_svc_key *k, char *buf, size_t len);

/* ---- the plan (pure) ---- */
enum lvs_op_kind {
	LVS_OP_FLUSH,
	LVS_OP_SVC_ADD,
	LVS_OP_SVC_EDIT,
	LVS_OP_SVC_DEL,
	LVS_OP_DEST_ADD,
	LVS_OP_DEST_EDIT,
	LVS_OP_DEST_DEL,
};
struct lvs_op {
	enum lvs_op_kind kind;
	struct lvs_svc_key key;
	struct lvs_svc_attr attr; /* SVC_ADD / SVC_EDIT */
	struct lvs_dest dest;     /* DEST_* */
};
struct lvs_plan {
	struct lvs_op *ops;
	size_t n, cap;
};
/* Operations that turn `have` into `want` for the services in `want`, and
 * delete those in `drop` (previously ours, no longer configured) that
 * `have` holds.  Services in neither are never touched.  Destinations of a
 * wanted service that are not wanted are deleted.  -1 on ENOMEM. */
int lvs_plan_build(const struct lvs_table *have, const struct lvs_table *want,
                   const struct lvs_table *drop, struct lvs_plan *out);
void lvs_plan_free(struct lvs_plan *p);
const char *lvs_op_kind_str(enum lvs_op_kind k);

/* ---- the runtime data plane ---- */
struct lvs_syncd {
	bool backup; /* false = master */
	char ifname[16];
	uint32_t syncid;
	uint16_t maxlen;      /* 0 = kernel default */
	uint16_t port;        /* 0 = default 8848 */
	uint8_t ttl;          /* 0 = default 1 */
	struct ka_addr mcast; /* family AF_UNSPEC = default group */
};

struct conf_tree;
/* The global lvs_sync_daemon line, if any (lvs_syncd_conf.c): fills s
 * (backup = false) and the driving VRRP instance's name ("" = none). */
bool lvs_syncd_from_tree(const struct conf_tree *t, struct lvs_syncd *s, char *inst,
                         size_t inst_len);

struct lvs_dp;

/* Which kernel facility programs the virtual servers (`lvs_data_plane`). */
enum lvs_plane {
	LVS_PLANE_IPVS, /* the default, as upstream */
	LVS_PLANE_NFT,  /* nftables: NAT or DR with rr/wrr/sh/dh/mh (nft_rules.h) */
	LVS_PLANE_AUTO, /* IPVS when the kernel has it, else nftables */
};
const char *lvs_plane_str(enum lvs_plane p);
/* auto -> what open would pick on this kernel now; others unchanged. */
enum lvs_plane lvs_plane_resolve(enum lvs_plane p);

/* Open a backend.  NULL when the kernel cannot do it (or on another
 * error): `err` then says why, in one line fit for the log. */
struct lvs_dp *lvs_dp_open(enum lvs_plane p, char *err, size_t errlen);
/* "IPVS" or "nftables": for logs. */
const char *lvs_dp_name(const struct lvs_dp *dp);
/* Start and reload: read the kernel table, then apply lvs_plan_build(have,
 * want, drop) (after a flush when `flush`).  The mirror then holds `want`.
 * Returns the number of failed operations (each is logged), -1 when the
 * table could not be read. */
int lvs_dp_sync(struct lvs_dp *dp, const struct lvs_table *want, const struct lvs_table *drop,
                bool flush);
/* Incremental changes from the engine: add or edit a destination (no-op if
 * the mirror already has it equal), or delete it (no-op if absent). 0 / -1. */
int lvs_dp_dest_set(struct lvs_dp *dp, const struct lvs_svc_key *k, const struct lvs_dest *d);
int lvs_dp_dest_del(struct lvs_dp *dp, const struct lvs_svc_key *k, const struct lvs_dest *d);
/* Kernel counters of our services, freshly dumped (for the stats dump). */
int lvs_dp_read(struct lvs_dp *dp, struct lvs_table *out);
int lvs_dp_syncd_start(struct lvs_dp *dp, const struct lvs_syncd *s);
int lvs_dp_syncd_stop(struct lvs_dp *dp, bool backup);
/* Timeouts in seconds; 0 = leave unchanged. */
int lvs_dp_set_timeouts(struct lvs_dp *dp, uint32_t tcp, uint32_t tcpfin, uint32_t udp);
/* Mutations sent to the kernel since open (tests and the reload contract). */
unsigned long lvs_dp_mutations(const struct lvs_dp *dp);
/* Close; with remove_own, delete every service we own first. */
void lvs_dp_close(struct lvs_dp *dp, bool remove_own);

#endif
