/* Thin rtnetlink helpers on top of libmnl (see nl.h for the contract). */
#include "lib/nl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/sock_diag.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/mtime.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

static void set_rcvbuf(int fd, int bytes)
{
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) == 0)
		return;
	/* Without CAP_NET_ADMIN the kernel caps this at rmem_max. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) < 0)
		log_debug("netlink: SO_RCVBUF %d: %s", bytes, strerror(errno));
}

int nl_open(struct nl_sock *s, int rcvbuf)
{
	return nl_open_proto(s, NETLINK_ROUTE, rcvbuf);
}

int nl_open_proto(struct nl_sock *s, int proto, int rcvbuf)
{
	int one = 1, err;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->buf = malloc(NL_RECV_BUF);
	if (!s->buf)
		return -ENOMEM;
	s->mnl = mnl_socket_open2(proto, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!s->mnl) {
		err = -errno;
		goto fail;
	}
	s->fd = mnl_socket_get_fd(s->mnl);
	if (rcvbuf >= 0)
		set_rcvbuf(s->fd, rcvbuf ? rcvbuf : NL_RCVBUF_DEFAULT);
	/* Best effort: shorter error replies and kernel error strings. */
	(void)setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	(void)setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_bind(s->mnl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto fail;
	}
	s->portid = mnl_socket_get_portid(s->mnl);
	/* Start somewhere unpredictable so replies meant for an earlier
	 * incarnation of this port id cannot match. */
	s->seq = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
	return 0;
fail:
	nl_close(s);
	return err;
}

void nl_close(struct nl_sock *s)
{
	if (s->mnl)
		mnl_socket_close(s->mnl);
	s->mnl = NULL;
	s->fd = -1;
	free(s->buf);
	s->buf = NULL;
}

int nl_join(struct nl_sock *s, unsigned int group)
{
	int g = (int)group;

	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0)
		return -errno;
	return 0;
}

uint32_t nl_next_seq(struct nl_sock *s)
{
	if (++s->seq == 0)
		s->seq = 1;
	return s->seq;
}

int nl_drops(const struct nl_sock *s, uint32_t *drops)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);

	memset(mem, 0, sizeof(mem));
	if (getsockopt(s->fd, SOL_SOCKET, SO_MEMINFO, mem, &len) < 0)
		return -errno;
	if (len < (SK_MEMINFO_DROPS + 1) * sizeof(uint32_t))
		return -ENOPROTOOPT;
	*drops = mem[SK_MEMINFO_DROPS];
	return 0;
}

bool nl_sender_ok(const void *sa, size_t salen)
{
	struct sockaddr_nl nl;

	if (salen != sizeof(nl))
		return false;
	memcpy(&nl, sa, sizeof(nl));
	return nl.nl_family == AF_NETLINK && nl.nl_pid == 0;
}

ssize_t nl_recv(struct nl_sock *s)
{
	struct sockaddr_nl sa;
	struct iovec iov = {.iov_base = s->buf, .iov_len = NL_RECV_BUF};
	struct msghdr msg = {
	    .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	n = recvmsg(s->fd, &msg, 0);
	if (n < 0) {
		if (errno == ENOBUFS)
			s->stats.enobufs++;
		return -errno;
	}
	if (!nl_sender_ok(&sa, msg.msg_namelen)) {
		s->stats.foreign++;
		return 0;
	}
	if (msg.msg_flags & MSG_TRUNC) {
		s->stats.truncated++;
		return -EMSGSIZE;
	}
	if (n == 0) /* an empty datagram carries nothing: treat as dropped */
		return 0;
	return n;
}

const struct nlmsghdr *nl_msg_first(const void *buf, size_t len, size_t *rem)
{
	const struct nlmsghdr *nlh = buf;

	*rem = len;
	if (len < sizeof(*nlh) || nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len)
		return NULL;
	return nlh;
}

const struct nlmsghdr *nl_msg_next(const struct nlmsghdr *nlh, size_t *rem)
{
	size_t step = NLMSG_ALIGN(nlh->nlmsg_len);

	if (step >= *rem) {
		*rem = 0;
		return NULL;
	}
	return nl_msg_first((const uint8_t *)nlh + step, *rem - step, rem);
}

const void *nl_msg_payload(const struct nlmsghdr *nlh, size_t hdrlen)
{
	if (nlh->nlmsg_len < NLMSG_HDRLEN + hdrlen)
		return NULL;
	return (const uint8_t *)nlh + NLMSG_HDRLEN;
}

int nl_msg_error(const struct nlmsghdr *nlh)
{
	int e;

	if (nlh->nlmsg_type == NLMSG_DONE) {
		/* DONE may carry the dump's status as an int; absent = 0. */
		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(int))
			return 0;
		memcpy(&e, (const uint8_t *)nlh + NLMSG_HDRLEN, sizeof(e));
		return e > 0 ? -e : e;
	}
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nlmsgerr))
		return -EBADMSG;
	memcpy(&e, (const uint8_t *)nlh + NLMSG_HDRLEN, sizeof(e));
	/* The kernel sends -errno; tolerate a positive value. */
	return e > 0 ? -e : e;
}

const char *nl_msg_extack(const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const struct nlmsgerr *err;
	const char *text;
	size_t off, n;

	if (nlh->nlmsg_type != NLMSG_ERROR || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	err = nl_msg_payload(nlh, sizeof(*err));
	if (!err)
		return NULL;
	off = sizeof(*err);
	/* Without NLM_F_CAPPED the whole request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (err->msg.nlmsg_len < sizeof(struct nlmsghdr))
			return NULL;
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	}
	off = NLMSG_ALIGN(off);
	if (nlh->nlmsg_len < NLMSG_HDRLEN + off)
		return NULL;
	if (nl_attr_parse((const uint8_t *)nlh + NLMSG_HDRLEN + off,
	                  nlh->nlmsg_len - NLMSG_HDRLEN - off, tb, NLMSGERR_ATTR_MAX) < 0)
		return NULL;
	/* Only a string terminated inside its attribute is handed out. */
	text = nl_attr_data(tb[NLMSGERR_ATTR_MSG], &n);
	if (!text || !memchr(text, '\0', n))
		return NULL;
	return text;
}

int nl_walk(const void *buf, size_t len, uint32_t seq, uint32_t portid, nl_msg_cb cb, void *arg,
            uint64_t *stale, bool *intr)
{
	const struct nlmsghdr *nlh;
	size_t rem;
	int r;

	if (len == 0)
		return 1;
	nlh = nl_msg_first(buf, len, &rem);
	if (!nlh)
		return -EBADMSG;
	for (; nlh; nlh = nl_msg_next(nlh, &rem)) {
		if (seq && (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != portid)) {
			if (stale)
				(*stale)++;
			continue;
		}
		if (intr && (nlh->nlmsg_flags & NLM_F_DUMP_INTR))
			*intr = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_ERROR:
		case NLMSG_DONE:
			return nl_msg_error(nlh);
		case NLMSG_OVERRUN:
			return -EOVERFLOW;
		default:
			break;
		}
		if (cb) {
			r = cb(nlh, arg);
			if (r < 0)
				return r;
		}
		/* A reply that is not part of a dump ends with its only message. */
		if (seq && !(nlh->nlmsg_flags & NLM_F_MULTI))
			return 0;
	}
	if (rem)
		return -EBADMSG; /* trailing bytes that are not a whole message */
	return 1;
}

int nl_attr_parse(const void *payload, size_t len, const struct nlattr **tb, unsigned int maxtype)
{
	const uint8_t *p = payload;
	struct nlattr a;
	unsigned int type;

	memset(tb, 0, sizeof(*tb) * (maxtype + 1));
	while (len >= sizeof(struct nlattr)) {
		memcpy(&a, p, sizeof(a));
		if (a.nla_len < sizeof(struct nlattr) || a.nla_len > len)
			return -EBADMSG;
		type = a.nla_type & NLA_TYPE_MASK;
		if (type <= maxtype)
			tb[type] = (const struct nlattr *)(const void *)p;
		if ((size_t)NLA_ALIGN(a.nla_len) >= len)
			return 0;
		p += (size_t)NLA_ALIGN(a.nla_len);
		len -= (size_t)NLA_ALIGN(a.nla_len);
	}
	/* 0..3 bytes left over: padding. */
	return 0;
}

int nl_attr_parse_msg(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb,
                      unsigned int maxtype)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);

	memset(tb, 0, sizeof(*tb) * (maxtype + 1));
	if (nlh->nlmsg_len < NLMSG_HDRLEN + hdrlen)
		return -EBADMSG;
	if (nlh->nlmsg_len <= off)
		return 0;
	return nl_attr_parse((const uint8_t *)nlh + off, nlh->nlmsg_len - off, tb, maxtype);
}

int nl_attr_parse_nested(const struct nlattr *a, const struct nlattr **tb, unsigned int maxtype)
{
	size_t len;
	const void *d = nl_attr_data(a, &len);

	if (!d) {
		memset(tb, 0, sizeof(*tb) * (maxtype + 1));
		return -EBADMSG;
	}
	return nl_attr_parse(d, len, tb, maxtype);
}

const void *nl_attr_data(const struct nlattr *a, size_t *len)
{
	struct nlattr h;

	*len = 0;
	if (!a)
		return NULL;
	memcpy(&h, a, sizeof(h));
	if (h.nla_len < NLA_HDRLEN)
		return NULL;
	*len = h.nla_len - NLA_HDRLEN;
	return (const uint8_t *)a + NLA_HDRLEN;
}

static bool attr_fixed(const struct nlattr *a, void *v, size_t want)
{
	size_t len;
	const void *d = nl_attr_data(a, &len);

	if (!d || len < want)
		return false;
	memcpy(v, d, want);
	return true;
}

bool nl_attr_u8(const struct nlattr *a, uint8_t *v)
{
	return attr_fixed(a, v, sizeof(*v));
}

bool nl_attr_u16(const struct nlattr *a, uint16_t *v)
{
	return attr_fixed(a, v, sizeof(*v));
}

bool nl_attr_u32(const struct nlattr *a, uint32_t *v)
{
	return attr_fixed(a, v, sizeof(*v));
}

bool nl_attr_str(const struct nlattr *a, char *buf, size_t len)
{
	size_t n;
	const char *d = nl_attr_data(a, &n);
	const char *nul;

	if (!d || len == 0)
		return false;
	nul = memchr(d, '\0', n);
	if (nul)
		n = (size_t)(nul - d);
	if (n >= len)
		return false;
	memcpy(buf, d, n);
	buf[n] = '\0';
	return true;
}

bool nl_attr_addr(const struct nlattr *a, int family, struct ka_addr *out)
{
	size_t n;
	const void *d = nl_attr_data(a, &n);

	if (!d)
		return false;
	memset(out, 0, sizeof(*out));
	if (family == AF_INET && n == sizeof(out->u.v4)) {
		out->family = AF_INET;
		memcpy(&out->u.v4, d, n);
		return true;
	}
	if (family == AF_INET6 && n == sizeof(out->u.v6)) {
		out->family = AF_INET6;
		memcpy(&out->u.v6, d, n);
		return true;
	}
	return false;
}

int nl_put(struct nlmsghdr *nlh, size_t buflen, uint16_t type, size_t len, const void *data)
{
	if (len > UINT16_MAX - NLA_HDRLEN)
		return -EMSGSIZE;
	return mnl_attr_put_check(nlh, buflen, type, len, data) ? 0 : -EMSGSIZE;
}

static int wait_readable(int fd, uint64_t deadline_ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	uint64_t now;
	int r;

	for (;;) {
		now = mono_ms();
		if (now >= deadline_ms)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, (int)(deadline_ms - now));
		if (r > 0)
			return 0;
		if (r == 0)
			return -ETIMEDOUT;
		if (errno != EINTR)
			return -errno;
	}
}

/* Copy the extended-ack text of our error reply, if any, into s->errmsg. */
static void keep_extack(struct nl_sock *s, size_t len, uint32_t seq)
{
	const struct nlmsghdr *nlh;
	const char *text;
	size_t rem;

	for (nlh = nl_msg_first(s->buf, len, &rem); nlh; nlh = nl_msg_next(nlh, &rem)) {
		if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_seq != seq ||
		    nlh->nlmsg_pid != s->portid)
			continue;
		text = nl_msg_extack(nlh);
		if (text)
			snprintf(s->errmsg, sizeof(s->errmsg), "%s", text);
		return;
	}
}

int nl_request(struct nl_sock *s, struct nlmsghdr *req, int timeout_ms, nl_msg_cb cb, void *arg)
{
	uint64_t deadline;
	uint32_t seq;
	ssize_t n;
	int r;

	if (timeout_ms <= 0)
		timeout_ms = NL_ACK_TIMEOUT_MS;
	deadline = mono_ms() + (uint64_t)timeout_ms;
	s->errmsg[0] = '\0';
	seq = nl_next_seq(s);
	req->nlmsg_seq = seq;
	req->nlmsg_pid = s->portid;
	/* The kernel handles a request inside sendto(): no queue to wait on. */
	do
		n = mnl_socket_sendto(s->mnl, req, req->nlmsg_len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (;;) {
		n = nl_recv(s);
		if (n == -EAGAIN || n == -EINTR) {
			r = wait_readable(s->fd, deadline);
			if (r < 0)
				return r;
			continue;
		}
		if (n < 0)
			return (int)n; /* ENOBUFS / EMSGSIZE: the caller decides */
		if (n == 0)
			continue; /* foreign datagram dropped */
		r = nl_walk(s->buf, (size_t)n, seq, s->portid, cb, arg, &s->stats.stale, NULL);
		if (r < 0)
			keep_extack(s, (size_t)n, seq);
		if (r <= 0)
			return r;
		if (mono_ms() >= deadline)
			return -ETIMEDOUT;
	}
}
