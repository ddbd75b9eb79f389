/* IPVS generic netlink messages: encode requests, decode replies.  Pure:
 * no sockets, no globals.
 *
 * Wire facts (linux/ip_vs.h and the kernel's ip_vs_ctl.c):
 *  - a request is nlmsghdr + genlmsghdr{cmd, IPVS_GENL_VERSION} + attrs,
 *    sent to the family id resolved from "IPVS" via nlctrl;
 *  - service and destination addresses travel as 16 bytes
 *    (union nf_inet_addr), an IPv4 address in the first 4;
 *  - ports (service, destination, tunnel) are big-endian u16; the sync
 *    daemon's port and maxlen are host order;
 *  - the persistence netmask is a big-endian IPv4 mask, or for IPv6 a
 *    host-order prefix length (1..128) in the same u32;
 *  - the kernel always reports IP_VS_SVC_F_HASHED in a service's flags.
 *
 * Encoders write one whole message at buf (seq and portid left 0 for the
 * socket to stamp) and return 0, or -EMSGSIZE if buflen is too small.
 * Decoders take one netlink message of len bytes (nlmsg_len must fit in
 * len) and return 0, or -EBADMSG with *why set to a short reason (a wrong
 * genl command, a missing or wrongly sized attribute, a nest running past
 * its parent); they never read outside [msg, msg + len). */
#ifndef KA_IPVS_MSG_H
#define KA_IPVS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lvs/lvs.h"

/* Enough for any request we build (the largest, a destination with its
 * service key and tunnel attributes, is under 200 bytes). */
#define IPVS_MSG_MAX 512

/* The form the kernel stores and reports: netmask 0 becomes the family's
 * full mask (IPv4 255.255.255.255, IPv6 128), HASHED is set, names are
 * terminated.  Comparing canonical forms tells whether an edit is due. */
void ipvs_svc_attr_canon(const struct lvs_svc_key *k, struct lvs_svc_attr *a);
/* af 0 becomes the address's family; tunnel fields are zeroed unless the
 * method is TUN (they are only sent with TUN). */
void ipvs_dest_canon(struct lvs_dest *d);

/* nlctrl: CTRL_CMD_GETFAMILY for `name`, and its reply. */
int ipvs_msg_getfamily(void *buf, size_t buflen, const char *name);
int ipvs_parse_family(const void *msg, size_t len, uint16_t *id, const char **why);

/* A request carrying no attributes: IPVS_CMD_FLUSH, IPVS_CMD_GET_SERVICE
 * (with NLM_F_DUMP), IPVS_CMD_GET_DAEMON (dump), IPVS_CMD_GET_CONFIG,
 * IPVS_CMD_GET_INFO.  nlflags: NLM_F_REQUEST is always added. */
int ipvs_msg_simple(void *buf, size_t buflen, uint16_t family, uint8_t cmd, uint16_t nlflags);
/* IPVS_CMD_NEW_SERVICE / SET_SERVICE (attr given: every attribute) or
 * DEL_SERVICE / GET_SERVICE (attr NULL: the key only). */
int ipvs_msg_svc(void *buf, size_t buflen, uint16_t family, uint8_t cmd, uint16_t nlflags,
                 const struct lvs_svc_key *k, const struct lvs_svc_attr *attr);
/* IPVS_CMD_NEW_DEST / SET_DEST (every attribute; tunnel ones with TUN) or
 * DEL_DEST (identity only, full false).  With d NULL: only the service
 * key, as IPVS_CMD_GET_DEST dumps want it. */
int ipvs_msg_dest(void *buf, size_t buflen, uint16_t family, uint8_t cmd, uint16_t nlflags,
                  const struct lvs_svc_key *k, const struct lvs_dest *d, bool full);
/* IPVS_CMD_NEW_DAEMON with the optional attributes that are non-zero. */
int ipvs_msg_daemon_new(void *buf, size_t buflen, uint16_t family, uint16_t nlflags,
                        const struct lvs_syncd *s);
int ipvs_msg_daemon_del(void *buf, size_t buflen, uint16_t family, uint16_t nlflags, bool backup);
/* IPVS_CMD_SET_CONFIG with the timeouts that are non-zero. */
int ipvs_msg_timeouts(void *buf, size_t buflen, uint16_t family, uint16_t nlflags, uint32_t tcp,
                      uint32_t tcpfin, uint32_t udp);

/* Replies.  A service: key, attributes and counters (stats may be NULL). */
int ipvs_parse_svc(const void *msg, size_t len, struct lvs_svc_key *k, struct lvs_svc_attr *a,
                   struct lvs_stats *stats, const char **why);
/* A destination (counters included).  svc_af is the family assumed when
 * the reply has no IPVS_DEST_ATTR_ADDR_FAMILY (kernels before 4.x). */
int ipvs_parse_dest(const void *msg, size_t len, uint16_t svc_af, struct lvs_tdest *d,
                    const char **why);
/* A sync daemon (state gives `backup`). */
int ipvs_parse_daemon(const void *msg, size_t len, struct lvs_syncd *s, const char **why);
/* The IPVS_CMD_SET_CONFIG reply to IPVS_CMD_GET_CONFIG. */
int ipvs_parse_timeouts(const void *msg, size_t len, uint32_t *tcp, uint32_t *tcpfin, uint32_t *udp,
                        const char **why);

#endif
