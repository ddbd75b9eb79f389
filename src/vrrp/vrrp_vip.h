/* Adding and removing virtual addresses (VIPs) with RTM_NEWADDR /
 * RTM_DELADDR on the netlink command socket (an nl_sock the owner opened
 * with nl_open(); not the monitor socket of vrrp_if).
 *
 * Each call sends one request with NLM_F_ACK and waits for the matching
 * ack (seq and port id checked) with poll(), for at most
 * VRRP_VIP_ACK_TIMEOUT_MS: the only blocking wait in the VRRP loop, and a
 * bounded one.  The kernel applies address changes inside sendto(), so the
 * ack is normally already queued when the wait starts.
 *
 * Defaults (vrrp_vip_init()): full-length prefix (/32, /128), scope
 * global, no broadcast, IPv6 with IFA_F_NODAD, preferred lifetime
 * "default" = 0 (deprecated) for an IPv6 /128 and forever otherwise, as
 * keepalived does so that a VIP is never chosen as a source address. */
#ifndef KA_VRRP_VIP_H
#define KA_VRRP_VIP_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

struct nl_sock;

#define VRRP_VIP_ACK_TIMEOUT_MS 1000
#define VRRP_VIP_LFT_DEFAULT (-1LL)       /* see above */
#define VRRP_VIP_LFT_FOREVER 0xffffffffLL /* INFINITY_LIFE_TIME */

enum vrrp_vip_brd {
	VRRP_VIP_BRD_NONE,     /* no IFA_BROADCAST */
	VRRP_VIP_BRD_EXPLICIT, /* brd ADDR */
	VRRP_VIP_BRD_PLUS,     /* brd + : host bits set */
	VRRP_VIP_BRD_MINUS,    /* brd - : host bits clear */
};

struct vrrp_nl_vip {
	struct ka_addr addr;     /* the VIP (IFA_LOCAL) */
	uint8_t prefixlen;       /* bits; vrrp_vip_init(): 32 or 128 */
	int ifindex;             /* interface to put it on */
	enum vrrp_vip_brd brd;   /* IPv4 only */
	struct in_addr brd_addr; /* with VRRP_VIP_BRD_EXPLICIT */
	uint8_t scope;           /* RT_SCOPE_* (IPv4; IPv6 derives it from the address) */
	char label[IFNAMSIZ];    /* IFA_LABEL, IPv4 only; "" = none */
	uint32_t flags; /* IFA_F_*: NODAD, HOMEADDRESS, NOPREFIXROUTE, MANAGETEMPADDR, ... */
	bool has_peer;
	struct ka_addr peer;     /* IFA_ADDRESS for a point-to-point VIP */
	long long preferred_lft; /* seconds, VRRP_VIP_LFT_DEFAULT or VRRP_VIP_LFT_FOREVER */
};

/* Defaults for the address a (see above); ifindex 0 (set it). */
void vrrp_vip_init(struct vrrp_nl_vip *v, const struct ka_addr *a);

/* Add (EEXIST counts as success) / delete (EADDRNOTAVAIL counts as
 * success).  0 or -errno (-ETIMEDOUT when no ack came in time). */
int vrrp_vip_add(struct nl_sock *s, const struct vrrp_nl_vip *v);
int vrrp_vip_del(struct nl_sock *s, const struct vrrp_nl_vip *v);

/* Build the request (pure): RTM_NEWADDR (add) or RTM_DELADDR with
 * NLM_F_REQUEST | NLM_F_ACK (+ NLM_F_CREATE | NLM_F_EXCL on add); seq/pid
 * left 0.  Returns its length, or -EINVAL / -EMSGSIZE. */
int vrrp_vip_build(void *buf, size_t len, const struct vrrp_nl_vip *v, bool add);

/* "192.0.2.1/32 dev 3 label eth0:1" style text for logs.  Returns buf. */
const char *vrrp_vip_fmt(const struct vrrp_nl_vip *v, char *buf, size_t len);

#endif
