/* Thin rtnetlink helpers on top of libmnl.
 *
 * Sockets: NETLINK_ROUTE, non-blocking, close-on-exec, a large receive
 * buffer (SO_RCVBUFFORCE, falling back to SO_RCVBUF), extended acks on.
 * Receiving: one datagram at a time into the socket's own buffer; a
 * datagram whose sender is not the kernel (sockaddr_nl.nl_pid != 0) is
 * dropped and counted, never parsed.
 * Requests: nl_request() stamps a fresh sequence number and our port id,
 * then waits with poll() -- bounded by a timeout -- for the reply whose
 * nlmsg_seq and nlmsg_pid match; any other message is stale and skipped.
 * Parsing: every length is checked against the bytes actually received;
 * a malformed message or attribute is rejected, never read past.
 *
 * Layer convention: functions return 0 (or a count) on success and
 * -errno on failure. */
#ifndef KA_NL_H
#define KA_NL_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/addr.h"

struct mnl_socket;

/* Receive buffer for one datagram: the kernel builds dump datagrams of at
 * most 32 KiB; anything longer arrives with MSG_TRUNC and is reported. */
#define NL_RECV_BUF (64 * 1024)
/* Default socket receive buffer (bytes asked of SO_RCVBUFFORCE). */
#define NL_RCVBUF_DEFAULT (8 * 1024 * 1024)
/* Default bound for nl_request() (ms). */
#define NL_ACK_TIMEOUT_MS 1000

struct nl_stats {
	uint64_t foreign;   /* datagrams dropped: sender nl_pid != 0 */
	uint64_t stale;     /* replies skipped: seq or portid not ours */
	uint64_t truncated; /* datagrams longer than NL_RECV_BUF (MSG_TRUNC) */
	uint64_t enobufs;   /* receive queue overruns reported by the kernel */
	uint64_t malformed; /* messages or attributes failing a bounds check */
};

struct nl_sock {
	struct mnl_socket *mnl;
	int fd;
	uint32_t portid; /* our netlink port id, from bind() */
	uint32_t seq;    /* last sequence number used */
	uint8_t *buf;    /* NL_RECV_BUF bytes */
	struct nl_stats stats;
	char errmsg[128]; /* extended-ack text of the last failed nl_request(), or "" */
};

/* Open a NETLINK_ROUTE socket.  rcvbuf: bytes for the socket receive
 * buffer, 0 = NL_RCVBUF_DEFAULT, < 0 = leave the system default.
 * SO_RCVBUFFORCE is tried first (needs CAP_NET_ADMIN), then SO_RCVBUF.
 * 0 or -errno. */
int nl_open(struct nl_sock *s, int rcvbuf);
/* The same on another netlink protocol (NETLINK_GENERIC for IPVS). */
int nl_open_proto(struct nl_sock *s, int proto, int rcvbuf);
void nl_close(struct nl_sock *s); /* safe on a zeroed or closed struct */
/* Subscribe to a multicast group (RTNLGRP_*).  0 or -errno. */
int nl_join(struct nl_sock *s, unsigned int group);

/* Next sequence number (never 0). */
uint32_t nl_next_seq(struct nl_sock *s);

/* Receive one datagram into s->buf.  Returns its length (> 0), 0 when a
 * datagram was dropped (not from the kernel; read again), or -errno:
 * -EAGAIN (nothing queued), -ENOBUFS (the kernel dropped messages: the
 * caller must resynchronise), -EMSGSIZE (truncated datagram: same). */
ssize_t nl_recv(struct nl_sock *s);
/* The socket's drop counter (SO_MEMINFO, SK_MEMINFO_DROPS): messages the
 * kernel could not queue.  Needed because after one ENOBUFS report the
 * kernel drops silently until the receive queue has been emptied once.
 * 0 or -errno (-ENOPROTOOPT on kernels without SO_MEMINFO). */
int nl_drops(const struct nl_sock *s, uint32_t *drops);
/* Whether a datagram's source address is the kernel's.  Pure. */
bool nl_sender_ok(const void *sa, size_t salen);

/* Callback for each data message of a reply; return 0 to go on, < 0
 * (-errno) to stop the walk with that error. */
typedef int (*nl_msg_cb)(const struct nlmsghdr *nlh, void *arg);

/* Walk the messages of one datagram (pure).  When seq != 0 only messages
 * with this seq and portid are looked at; others are counted in *stale
 * (may be NULL) and skipped.  NLMSG_NOOP is skipped.
 * Returns 1 when more datagrams are expected, 0 when the reply is
 * complete (NLMSG_DONE, or an NLMSG_ERROR ack with error 0), -errno on an
 * error reply, a malformed message (-EBADMSG) or a callback error.
 * *intr (may be NULL) is set when a message carries NLM_F_DUMP_INTR. */
int nl_walk(const void *buf, size_t len, uint32_t seq, uint32_t portid, nl_msg_cb cb, void *arg,
            uint64_t *stale, bool *intr);

/* Message iteration over a received datagram (pure, bounded):
 *   for (h = nl_msg_first(buf, len, &rem); h; h = nl_msg_next(h, &rem))
 * Each message returned lies wholly inside the buffer (nlmsg_len checked).
 * After the loop, rem != 0 means trailing bytes that are not a message. */
const struct nlmsghdr *nl_msg_first(const void *buf, size_t len, size_t *rem);
const struct nlmsghdr *nl_msg_next(const struct nlmsghdr *nlh, size_t *rem);
/* The error code of an NLMSG_ERROR (0 = ack) or NLMSG_DONE message, as a
 * negative errno; -EBADMSG if the message is too short to hold one. */
int nl_msg_error(const struct nlmsghdr *nlh);
/* The extended-ack text of an NLMSG_ERROR message (points into the
 * message, terminated inside its attribute), or NULL. */
const char *nl_msg_extack(const struct nlmsghdr *nlh);
/* The fixed header of a message (ifinfomsg, ifaddrmsg, ...) if the
 * message is long enough to hold hdrlen bytes of it, else NULL. */
const void *nl_msg_payload(const struct nlmsghdr *nlh, size_t hdrlen);

/* Attributes.  tb[0..maxtype] is cleared, then every attribute whose type
 * (NLA_TYPE_MASK applied) is <= maxtype is stored; unknown types are
 * ignored, a repeated type keeps the last one.  Returns 0, or -EBADMSG
 * when an attribute header or length runs past the end (tb then holds
 * what was parsed before the bad attribute). */
int nl_attr_parse(const void *payload, size_t len, const struct nlattr **tb, unsigned int maxtype);
/* Attributes following a fixed header of hdrlen bytes in a message;
 * -EBADMSG if the message cannot hold the header. */
int nl_attr_parse_msg(const struct nlmsghdr *nlh, size_t hdrlen, const struct nlattr **tb,
                      unsigned int maxtype);
/* Nested attributes inside an attribute. */
int nl_attr_parse_nested(const struct nlattr *a, const struct nlattr **tb, unsigned int maxtype);

/* Typed reads; false when a is NULL or its payload is too short. */
const void *nl_attr_data(const struct nlattr *a, size_t *len);
bool nl_attr_u8(const struct nlattr *a, uint8_t *v);
bool nl_attr_u16(const struct nlattr *a, uint16_t *v);
bool nl_attr_u32(const struct nlattr *a, uint32_t *v);
/* Copy a string attribute (terminated or not) into buf, always
 * terminated; false when absent, empty-buffer, or it does not fit. */
bool nl_attr_str(const struct nlattr *a, char *buf, size_t len);
/* An address of the given family: payload must be exactly 4 or 16 bytes. */
bool nl_attr_addr(const struct nlattr *a, int family, struct ka_addr *out);

/* Put an attribute with a bound on the message buffer; -EMSGSIZE if it
 * does not fit. */
int nl_put(struct nlmsghdr *nlh, size_t buflen, uint16_t type, size_t len, const void *data);

/* Send a request built in req (nlmsg_len set) and wait for its reply:
 * sets nlmsg_seq/nlmsg_pid, sends, then polls for at most timeout_ms
 * (<= 0: NL_ACK_TIMEOUT_MS).  cb (may be NULL) sees each data message of
 * a dump.  0, or -errno: the kernel's error, -ETIMEDOUT, -ENOBUFS,
 * -EBADMSG.  Blocks the caller for at most timeout_ms.  On a kernel error
 * with an extended ack, s->errmsg holds its text. */
int nl_request(struct nl_sock *s, struct nlmsghdr *req, int timeout_ms, nl_msg_cb cb, void *arg);

#endif
