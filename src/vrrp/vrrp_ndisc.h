/* Unsolicited Neighbour Advertisement (RFC 4861 §4.4, §7.2.6; RFC 5798
 * §6.4.2): ICMPv6 type 136 to ff02::1, hop limit 255, Override set,
 * Solicited clear, Router optional, with a Target Link-Layer Address
 * option.
 *
 * Choice: one raw IPPROTO_ICMPV6 socket for all interfaces (ipv6(7),
 * raw(7)); the kernel builds the IPv6 header and always computes the
 * ICMPv6 checksum for this protocol.  The outgoing interface (and, when
 * given, the source address) is chosen per message with IPV6_PKTINFO;
 * otherwise the kernel picks the interface's link-local address as source.
 * The Ethernet source is the interface's own MAC: send on the VMAC to get
 * the VMAC.  An ICMP6_FILTER that blocks every type keeps the socket
 * send-only.  Non-blocking: a full queue drops the message (-EAGAIN). */
#ifndef KA_VRRP_NDISC_H
#define KA_VRRP_NDISC_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VRRP_NA_LEN 32 /* 24 ICMPv6 NA + 8 target link-layer option (6-byte MAC) */

struct vrrp_ndisc {
	int fd;
};

int vrrp_ndisc_open(struct vrrp_ndisc *n); /* 0 or -errno */
void vrrp_ndisc_close(struct vrrp_ndisc *n);

/* Send one unsolicited NA for target on ifindex.  mac: the link-layer
 * address to advertise (6 bytes).  src: source address, NULL = kernel
 * choice (the link-local).  0 or -errno. */
int vrrp_ndisc_send_na(struct vrrp_ndisc *n, int ifindex, const struct in6_addr *target,
                       const uint8_t mac[6], bool router, const struct in6_addr *src);

/* Build the ICMPv6 part (pure; checksum left 0 for the kernel).
 * Returns VRRP_NA_LEN or -EMSGSIZE. */
int vrrp_na_build(uint8_t *buf, size_t len, const struct in6_addr *target, const uint8_t mac[6],
                  bool router);

#endif
