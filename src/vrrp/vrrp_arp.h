/* Gratuitous ARP (RFC 5227 §3 "ARP Announcement", RFC 5798 §6.4.2):
 * an ARP request whose sender and target protocol addresses are both the
 * VIP, broadcast, from the interface MAC (or a given one, e.g. a VMAC).
 *
 * One AF_PACKET/SOCK_RAW socket per interface, bound to that ifindex with
 * protocol 0 so that it never receives (send-only, nothing queues up).
 * Non-blocking: a full transmit queue drops the message (-EAGAIN), it
 * never stalls the loop. */
#ifndef KA_VRRP_ARP_H
#define KA_VRRP_ARP_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define VRRP_ARP_FRAME_LEN 42 /* 14 Ethernet + 28 ARP; the NIC pads to 60 */

struct vrrp_arp {
	int fd;
	int ifindex;
	uint8_t mac[6]; /* default source MAC */
};

/* Open the socket for ifindex; mac is the interface's MAC (Ethernet
 * only).  0 or -errno. */
int vrrp_arp_open(struct vrrp_arp *a, int ifindex, const uint8_t mac[6]);
void vrrp_arp_close(struct vrrp_arp *a); /* safe twice */

/* Send one gratuitous ARP for vip.  smac: source MAC (Ethernet header and
 * ARP sender hardware address), NULL = a->mac.  0 or -errno. */
int vrrp_arp_send(struct vrrp_arp *a, struct in_addr vip, const uint8_t *smac);

/* Build the frame (pure): dst ff:ff:ff:ff:ff:ff, src smac, type ARP;
 * htype 1, ptype IPv4, op request, sha smac, spa vip, tha 0, tpa vip.
 * Returns VRRP_ARP_FRAME_LEN, or -EMSGSIZE. */
int vrrp_garp_build(uint8_t *buf, size_t len, const uint8_t smac[6], struct in_addr vip);

#endif
