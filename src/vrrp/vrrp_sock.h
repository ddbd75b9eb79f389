/* VRRP sockets: raw IP protocol 112, one per (interface, family), shared by
 * every instance on that interface (the caller dispatches by VRID).
 * IPv4 reads include the IP header; IPv6 reads carry hop limit and
 * destination in control messages and the kernel verifies the checksum. */
#ifndef KA_VRRP_SOCK_H
#define KA_VRRP_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/addr.h"

#define VRRP_IPPROTO 112
#define VRRP_TOS 0xc0 /* upstream sends TOS/TCLASS 0xc0 (network control) */

struct vrrp_sock_rx {
	int family;
	int ifindex;
	struct ka_addr src, dst; /* dst from IP header (v4) or IPV6_PKTINFO (v6) */
	int hoplimit;            /* IPv6 hop limit from the cmsg, -1 for IPv4 (in header) */
};

/* Open a socket for `family` bound to interface `ifname`/`ifindex`; joins
 * the multicast group when `group` is non-NULL (NULL = unicast only).
 * rcvbuf: receive buffer size in bytes (0 = default).  Returns fd or -1. */
int vrrp_sock_open(int family, const char *ifname, int ifindex, const struct ka_addr *group,
                   int rcvbuf);
/* The same for auth_type AH (IPv4 only): a raw IPPROTO_AH socket with
 * IP_HDRINCL; reads include the IP and AH headers (vrrp_ipv4_strip_ah()),
 * sends take a whole IPv4 packet (vrrp_sock_send_ip()). */
int vrrp_sock_open_ah(const char *ifname, int ifindex, const struct ka_addr *group, int rcvbuf);
/* Send a complete IPv4 packet (IP_HDRINCL socket) out of ifindex.  The
 * kernel fills the header checksum and total length.  0 or -1/errno. */
int vrrp_sock_send_ip(int fd, int ifindex, const struct ka_addr *dst, const uint8_t *pkt,
                      size_t len);
/* Leave/close. */
void vrrp_sock_close(int fd);

/* Non-blocking read of one packet: bytes read, 0 if nothing, -1 on error. */
ssize_t vrrp_sock_recv(int fd, uint8_t *buf, size_t len, struct vrrp_sock_rx *rx);

/* Send one VRRP message (no IP header) to dst with the given source
 * address and TTL/hop limit, out of ifindex.  0 or -1/errno. */
int vrrp_sock_send(int fd, int ifindex, const struct ka_addr *src, const struct ka_addr *dst,
                   int ttl, const uint8_t *msg, size_t len);

#endif
