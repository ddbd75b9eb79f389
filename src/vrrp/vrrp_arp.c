/* Gratuitous ARP over AF_PACKET (see vrrp_arp.h; packet(7)). */
#include "vrrp/vrrp_arp.h"

#include <errno.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int vrrp_garp_build(uint8_t *buf, size_t len, const uint8_t smac[6], struct in_addr vip)
{
	uint8_t *p = buf;
	uint16_t v;

	if (len < VRRP_ARP_FRAME_LEN)
		return -EMSGSIZE;
	/* Ethernet header */
	memset(p, 0xff, ETH_ALEN); /* broadcast */
	memcpy(p + ETH_ALEN, smac, ETH_ALEN);
	v = htons(ETH_P_ARP);
	memcpy(p + 12, &v, 2);
	p += ETH_HLEN;
	/* ARP (RFC 826) */
	v = htons(ARPHRD_ETHER);
	memcpy(p, &v, 2);
	v = htons(ETH_P_IP);
	memcpy(p + 2, &v, 2);
	p[4] = ETH_ALEN; /* hardware address length */
	p[5] = 4;        /* protocol address length */
	v = htons(ARPOP_REQUEST);
	memcpy(p + 6, &v, 2);
	memcpy(p + 8, smac, ETH_ALEN); /* sender hardware address */
	memcpy(p + 14, &vip, 4);       /* sender protocol address */
	memset(p + 18, 0, ETH_ALEN);   /* target hardware address: ignored (RFC 5227) */
	memcpy(p + 24, &vip, 4);       /* target protocol address */
	return VRRP_ARP_FRAME_LEN;
}

int vrrp_arp_open(struct vrrp_arp *a, int ifindex, const uint8_t mac[6])
{
	struct sockaddr_ll sll;
	int err;

	a->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (a->fd < 0)
		return -errno;
	/* protocol 0: bound to the interface but receiving nothing */
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = 0;
	sll.sll_ifindex = ifindex;
	if (bind(a->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		err = -errno;
		close(a->fd);
		a->fd = -1;
		return err;
	}
	a->ifindex = ifindex;
	memcpy(a->mac, mac, sizeof(a->mac));
	return 0;
}

void vrrp_arp_close(struct vrrp_arp *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}

int vrrp_arp_send(struct vrrp_arp *a, struct in_addr vip, const uint8_t *smac)
{
	uint8_t frame[VRRP_ARP_FRAME_LEN];
	struct sockaddr_ll sll;
	ssize_t n;

	if (a->fd < 0)
		return -EBADF;
	vrrp_garp_build(frame, sizeof(frame), smac ? smac : a->mac, vip);
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ARP);
	sll.sll_ifindex = a->ifindex;
	sll.sll_halen = ETH_ALEN;
	memset(sll.sll_addr, 0xff, ETH_ALEN);
	do
		n = sendto(a->fd, frame, sizeof(frame), 0, (struct sockaddr *)&sll, sizeof(sll));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)sizeof(frame) ? 0 : -EIO;
}
