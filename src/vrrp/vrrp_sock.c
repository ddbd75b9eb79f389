/* Raw VRRP sockets. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/log.h"
#include "vrrp/vrrp_sock.h"

static int set_int(int fd, int level, int opt, int v)
{
	return setsockopt(fd, level, opt, &v, sizeof(v));
}

static int open_v4(const struct ka_addr *group, int ifindex, int proto)
{
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	struct ip_mreqn oif = {.imr_ifindex = ifindex};

	if (fd < 0)
		return -1;
	/* AH: we build the IP header, whose fields the ICV covers. */
	if (proto == IPPROTO_AH &&
	    (set_int(fd, IPPROTO_IP, IP_HDRINCL, 1) < 0 ||
	     setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &oif, sizeof(oif)) < 0))
		goto fail;
	if (set_int(fd, IPPROTO_IP, IP_TOS, VRRP_TOS) < 0 ||
	    set_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, 255) < 0 ||
	    set_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0) < 0 ||
	    set_int(fd, IPPROTO_IP, IP_PKTINFO, 1) < 0)
		goto fail;
	if (group) {
		struct ip_mreqn mr = {.imr_multiaddr = group->u.v4, .imr_ifindex = ifindex};

		if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
			goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

static int open_v6(const struct ka_addr *group, int ifindex)
{
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, VRRP_IPPROTO);

	if (fd < 0)
		return -1;
	/* The checksum field is at offset 6; the kernel fills and checks it. */
	if (set_int(fd, IPPROTO_IPV6, IPV6_CHECKSUM, 6) < 0 ||
	    set_int(fd, IPPROTO_IPV6, IPV6_TCLASS, VRRP_TOS) < 0 ||
	    set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255) < 0 ||
	    set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255) < 0 ||
	    set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0) < 0 ||
	    set_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1) < 0 ||
	    set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) < 0 ||
	    set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex) < 0)
		goto fail;
	if (group) {
		struct ipv6_mreq mr = {.ipv6mr_multiaddr = group->u.v6,
		                       .ipv6mr_interface = (unsigned)ifindex};

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
			goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

static int sock_open(int family, int proto, const char *ifname, int ifindex,
                     const struct ka_addr *group, int rcvbuf)
{
	int fd = family == AF_INET6 ? open_v6(group, ifindex) : open_v4(group, ifindex, proto);
	int saved;

	if (fd < 0)
		return -1;
	/* Only this interface's packets reach this socket. */
	if (ifname &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) < 0)
		goto fail;
	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int vrrp_sock_open(int family, const char *ifname, int ifindex, const struct ka_addr *group,
                   int rcvbuf)
{
	return sock_open(family, VRRP_IPPROTO, ifname, ifindex, group, rcvbuf);
}

int vrrp_sock_open_ah(const char *ifname, int ifindex, const struct ka_addr *group, int rcvbuf)
{
	return sock_open(AF_INET, IPPROTO_AH, ifname, ifindex, group, rcvbuf);
}

int vrrp_sock_send_ip(int fd, int ifindex, const struct ka_addr *dst, const uint8_t *pkt,
                      size_t len)
{
	struct sockaddr_storage ss;
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = (void *)pkt, .iov_len = len};
	struct msghdr mh = {.msg_name = &ss, .msg_iov = &iov, .msg_iovlen = 1};
	struct in_pktinfo pi = {.ipi_ifindex = ifindex};
	struct cmsghdr *c;

	memset(&ctl, 0, sizeof(ctl));
	mh.msg_namelen = addr_to_sockaddr(dst, 0, &ss);
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	return sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -1 : 0;
}

void vrrp_sock_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

static void rx_cmsgs(struct msghdr *mh, struct vrrp_sock_rx *rx)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(&rx->hoplimit, CMSG_DATA(c), sizeof(int));
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
		           c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			rx->dst.family = AF_INET6;
			rx->dst.u.v6 = pi.ipi6_addr;
			rx->ifindex = (int)pi.ipi6_ifindex;
		} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
		           c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			rx->ifindex = pi.ipi_ifindex;
		}
	}
}

ssize_t vrrp_sock_recv(int fd, uint8_t *buf, size_t len, struct vrrp_sock_rx *rx)
{
	struct sockaddr_storage ss;
	union {
		char buf[256];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr mh = {.msg_name = &ss,
	                    .msg_namelen = sizeof(ss),
	                    .msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = ctl.buf,
	                    .msg_controllen = sizeof(ctl.buf)};
	ssize_t n;

	memset(rx, 0, sizeof(*rx));
	rx->hoplimit = -1;
	n = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
	if (ss.ss_family == AF_INET6) {
		rx->family = AF_INET6;
		rx->src.family = AF_INET6;
		rx->src.u.v6 = ((struct sockaddr_in6 *)&ss)->sin6_addr;
	} else {
		rx->family = AF_INET;
		rx->src.family = AF_INET;
		rx->src.u.v4 = ((struct sockaddr_in *)&ss)->sin_addr;
	}
	rx_cmsgs(&mh, rx);
	if (mh.msg_flags & MSG_TRUNC)
		return (ssize_t)len + 1; /* caller sees a length error */
	return n;
}

int vrrp_sock_send(int fd, int ifindex, const struct ka_addr *src, const struct ka_addr *dst,
                   int ttl, const uint8_t *msg, size_t len)
{
	struct sockaddr_storage ss;
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
	struct msghdr mh = {.msg_name = &ss, .msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;

	memset(&ctl, 0, sizeof(ctl));
	mh.msg_namelen = addr_to_sockaddr(dst, 0, &ss);
	mh.msg_control = ctl.buf;
	if (dst->family == AF_INET6) {
		struct in6_pktinfo pi = {.ipi6_ifindex = (unsigned)ifindex};

		if (src)
			pi.ipi6_addr = src->u.v6;
		mh.msg_controllen = CMSG_SPACE(sizeof(pi)) + CMSG_SPACE(sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		c = CMSG_NXTHDR(&mh, c);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_HOPLIMIT;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &ttl, sizeof(int));
	} else {
		struct in_pktinfo pi = {.ipi_ifindex = ifindex};

		if (src)
			pi.ipi_spec_dst = src->u.v4;
		mh.msg_controllen = CMSG_SPACE(sizeof(pi)) + CMSG_SPACE(sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		c = CMSG_NXTHDR(&mh, c);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_TTL;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &ttl, sizeof(int));
	}
	return sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -1 : 0;
}
