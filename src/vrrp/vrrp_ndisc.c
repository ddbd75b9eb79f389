/* Unsolicited Neighbour Advertisements over a raw ICMPv6 socket (see
 * vrrp_ndisc.h). */
#include "vrrp/vrrp_ndisc.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NA_FLAG_ROUTER 0x80
#define NA_FLAG_SOLICITED 0x40
#define NA_FLAG_OVERRIDE 0x20
#define OPT_TARGET_LLADDR 2

int vrrp_na_build(uint8_t *buf, size_t len, const struct in6_addr *target, const uint8_t mac[6],
                  bool router)
{
	if (len < VRRP_NA_LEN)
		return -EMSGSIZE;
	memset(buf, 0, VRRP_NA_LEN);
	buf[0] = ND_NEIGHBOR_ADVERT; /* type 136 */
	buf[1] = 0;                  /* code */
	/* buf[2..3]: checksum, computed by the kernel */
	buf[4] = NA_FLAG_OVERRIDE | (router ? NA_FLAG_ROUTER : 0); /* S clear: unsolicited */
	memcpy(buf + 8, target, sizeof(*target));
	buf[24] = OPT_TARGET_LLADDR;
	buf[25] = 1; /* option length in units of 8 octets */
	memcpy(buf + 26, mac, 6);
	return VRRP_NA_LEN;
}

int vrrp_ndisc_open(struct vrrp_ndisc *n)
{
	struct icmp6_filter filt;
	int hops = 255, off = 0, err;

	n->fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (n->fd < 0)
		return -errno;
	ICMP6_FILTER_SETBLOCKALL(&filt);
	if (setsockopt(n->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof(filt)) < 0 ||
	    setsockopt(n->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(n->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(n->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off)) < 0) {
		err = -errno;
		close(n->fd);
		n->fd = -1;
		return err;
	}
	return 0;
}

void vrrp_ndisc_close(struct vrrp_ndisc *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

int vrrp_ndisc_send_na(struct vrrp_ndisc *n, int ifindex, const struct in6_addr *target,
                       const uint8_t mac[6], bool router, const struct in6_addr *src)
{
	uint8_t pkt[VRRP_NA_LEN];
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} ctl;
	struct sockaddr_in6 dst;
	struct iovec iov = {.iov_base = pkt, .iov_len = sizeof(pkt)};
	struct msghdr msg;
	struct cmsghdr *cm;
	struct in6_pktinfo pi;
	ssize_t r;

	if (n->fd < 0)
		return -EBADF;
	vrrp_na_build(pkt, sizeof(pkt), target, mac, router);
	memset(&dst, 0, sizeof(dst));
	dst.sin6_family = AF_INET6;
	dst.sin6_addr.s6_addr[0] = 0xff; /* ff02::1, all nodes */
	dst.sin6_addr.s6_addr[1] = 0x02;
	dst.sin6_addr.s6_addr[15] = 0x01;
	dst.sin6_scope_id = (uint32_t)ifindex;

	memset(&ctl, 0, sizeof(ctl));
	memset(&pi, 0, sizeof(pi));
	pi.ipi6_ifindex = (unsigned int)ifindex;
	if (src)
		pi.ipi6_addr = *src;
	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &dst;
	msg.msg_namelen = sizeof(dst);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.b;
	msg.msg_controllen = sizeof(ctl.b);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	do
		r = sendmsg(n->fd, &msg, 0);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r == (ssize_t)sizeof(pkt) ? 0 : -EIO;
}
