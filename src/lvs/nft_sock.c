/* The nftables netlink socket (nft_sock.h). */
#include "lvs/nft_sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/object.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/mtime.h"
#include "lib/nl.h"

/* A batch rewriting a service of thousands of destinations is a few
 * hundred KiB; netlink refuses a message larger than the send buffer. */
#define NFT_SNDBUF (32 * 1024 * 1024)

struct nft_sock {
	struct nl_sock nl;
	bool destroy;
	bool transport_failed;
};

bool nft_sock_transport_failed(const struct nft_sock *s)
{
	return s->transport_failed;
}

#ifndef NFT_MSG_DESTROYTABLE
#define NFT_MSG_DESTROYTABLE 26
#endif

bool nft_sock_has_destroy(const struct nft_sock *s)
{
	return s->destroy;
}

static void probe_destroy(struct nft_sock *s)
{
	struct nft_batch b;
	struct nlmsghdr *nlh;
	char err[256];

	nft_batch_init(&b, nft_sock_seq(s));
	if (b.oom)
		return;
	nlh = nftnl_nlmsg_build_hdr((char *)b.buf + b.len, NFT_MSG_DESTROYTABLE, NFPROTO_INET,
	                            NLM_F_ACK, b.seq);
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, NFT_TABLE_NAME "_probe");
	b.len += nlh->nlmsg_len;
	b.seq++;
	b.n_msgs++;
	if (nft_batch_end(&b) == 0)
		s->destroy = nft_sock_send(s, &b, err, sizeof(err)) == 0;
	nft_batch_free(&b);
}

uint32_t nft_sock_seq(const struct nft_sock *s)
{
	return s->nl.seq + 1;
}

static int probe(struct nft_sock *s)
{
	char buf[256];
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK, 0);
	return nl_request(&s->nl, nlh, NFT_SOCK_TIMEOUT_MS, NULL, NULL);
}

static int gen_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *a;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct nfgenmsg)))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(a) == NFTA_GEN_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U32) == 0) {
			*(uint32_t *)arg = ntohl(mnl_attr_get_u32(a));
			*((uint32_t *)arg + 1) = 1;
		}
	}
	return MNL_CB_OK;
}

int nft_sock_genid(struct nft_sock *s, uint32_t *gen)
{
	char buf[256];
	struct nlmsghdr *nlh;
	uint32_t r[2] = {0, 0};
	int e;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK, 0);
	e = nl_request(&s->nl, nlh, NFT_SOCK_TIMEOUT_MS, gen_cb, r);
	if (e < 0)
		return e;
	if (!r[1])
		return -EBADMSG;
	*gen = r[0];
	return 0;
}

struct nft_sock *nft_sock_open(char *err, size_t errlen)
{
	struct nft_sock *s = calloc(1, sizeof(*s));
	int r, sz = NFT_SNDBUF;

	if (!s) {
		snprintf(err, errlen, "nftables: out of memory");
		return NULL;
	}
	r = nl_open_proto(&s->nl, NETLINK_NETFILTER, 0);
	if (r < 0) {
		snprintf(err, errlen, "nftables: cannot open a netfilter netlink socket: %s",
		         strerror(-r));
		free(s);
		return NULL;
	}
	if (setsockopt(s->nl.fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(s->nl.fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	/* Every message of a batch is acked: tens of thousands of acks for a
	 * large table must fit before we read them (else ENOBUFS). */
	if (setsockopt(s->nl.fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(s->nl.fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	r = probe(s);
	if (r < 0) {
		snprintf(err, errlen, "nftables: the kernel does not answer nf_tables requests: %s",
		         strerror(-r));
		nft_sock_close(s);
		return NULL;
	}
	probe_destroy(s);
	return s;
}

void nft_sock_close(struct nft_sock *s)
{
	if (!s)
		return;
	nl_close(&s->nl);
	free(s);
}

static int wait_readable(int fd, uint64_t deadline)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	uint64_t now = mono_ms();
	int r;

	if (now >= deadline)
		return -ETIMEDOUT;
	r = poll(&p, 1, (int)(deadline - now));
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	return r == 0 ? -ETIMEDOUT : 0;
}

/* Replies of one batch: seq first-1 (BATCH_BEGIN) .. first+n-1. */
struct acks {
	const struct nft_batch *b;
	unsigned got;
	int err;          /* first error */
	uint32_t err_seq; /* its message */
	char ext[128];
};

static void take_reply(struct acks *a, const struct nlmsghdr *nlh, uint32_t portid)
{
	const char *text;
	int e;

	if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_pid != portid ||
	    nlh->nlmsg_seq + 1 < a->b->first_seq ||
	    nlh->nlmsg_seq >= a->b->first_seq + a->b->n_msgs)
		return;
	e = nl_msg_error(nlh);
	if (nlh->nlmsg_seq + 1 == a->b->first_seq) {
		/* The batch itself was refused: no message will answer. */
		a->got = a->b->n_msgs;
	} else {
		a->got++;
	}
	if (e < 0 && !a->err) {
		a->err = e;
		a->err_seq = nlh->nlmsg_seq;
		text = nl_msg_extack(nlh);
		snprintf(a->ext, sizeof(a->ext), "%s", text ? text : "");
	}
}

static int collect(struct nft_sock *s, struct acks *a)
{
	uint64_t deadline = mono_ms() + NFT_SOCK_TIMEOUT_MS;
	const struct nlmsghdr *nlh;
	size_t rem;
	ssize_t n;
	int r;

	while (a->got < a->b->n_msgs) {
		n = nl_recv(&s->nl);
		if (n == -EAGAIN || n == -EINTR) {
			/* Replies are queued before sendmsg() returns: an empty
			 * queue after an error means no more will come. */
			if (a->err)
				return 0;
			r = wait_readable(s->nl.fd, deadline);
			if (r < 0)
				return r;
			continue;
		}
		if (n < 0)
			return (int)n;
		for (nlh = nl_msg_first(s->nl.buf, (size_t)n, &rem); nlh;
		     nlh = nl_msg_next(nlh, &rem))
			take_reply(a, nlh, s->nl.portid);
	}
	return 0;
}

/* The message of a batch with sequence number seq. */
static const struct nlmsghdr *msg_of(const struct nft_batch *b, uint32_t seq)
{
	const struct nlmsghdr *nlh;
	size_t rem;

	for (nlh = nl_msg_first(b->buf, b->len, &rem); nlh; nlh = nl_msg_next(nlh, &rem))
		if (nlh->nlmsg_seq == seq)
			return nlh;
	return NULL;
}

int nft_sock_send(struct nft_sock *s, const struct nft_batch *b, char *err, size_t errlen)
{
	struct acks a = {.b = b};
	const struct nlmsghdr *m;
	char what[2 * NFT_NAME_MAX + 32];
	ssize_t n;
	int r;

	err[0] = '\0';
	s->transport_failed = false;
	if (b->oom) {
		snprintf(err, errlen, "out of memory building the batch");
		return -ENOMEM;
	}
	/* Stale replies (a timed-out earlier batch) must not count. */
	while (nl_recv(&s->nl) >= 0)
		;
	do
		n = mnl_socket_sendto(s->nl.mnl, b->buf, b->len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot send the batch: %s", strerror(-r));
		s->transport_failed = true;
		return r;
	}
	s->nl.seq = b->seq;
	r = collect(s, &a);
	if (r < 0) {
		snprintf(err, errlen, "no answer to the batch: %s", strerror(-r));
		s->transport_failed = true;
		return r;
	}
	if (!a.err)
		return 0;
	m = msg_of(b, a.err_seq);
	if (m && a.err_seq >= b->first_seq)
		nft_batch_msg_describe(m, what, sizeof(what));
	else
		snprintf(what, sizeof(what), "batch");
	snprintf(err, errlen, "%s: %s%s%s%s", what, strerror(-a.err), a.ext[0] ? " (" : "", a.ext,
	         a.ext[0] ? ")" : "");
	return a.err;
}

/* ---- counters ---- */

struct ctr_list {
	struct nft_counter *v;
	size_t n, cap;
};

static int counter_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct ctr_list *l = arg;
	struct nftnl_obj *o = nftnl_obj_alloc();
	const char *name;
	int r = 0;

	if (!o)
		return -ENOMEM;
	if (nftnl_obj_nlmsg_parse(nlh, o) < 0 ||
	    nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE) != NFT_OBJECT_COUNTER)
		goto out;
	name = nftnl_obj_get_str(o, NFTNL_OBJ_NAME);
	if (!name)
		goto out;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		struct nft_counter *v = realloc(l->v, nc * sizeof(*v));

		if (!v) {
			r = -ENOMEM;
			goto out;
		}
		l->v = v;
		l->cap = nc;
	}
	snprintf(l->v[l->n].name, sizeof(l->v[l->n].name), "%s", name);
	l->v[l->n].packets = nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_PKTS);
	l->v[l->n].bytes = nftnl_obj_get_u64(o, NFTNL_OBJ_CTR_BYTES);
	l->n++;
out:
	nftnl_obj_free(o);
	return r;
}

static int ctr_cmp(const void *a, const void *b)
{
	return strcmp(((const struct nft_counter *)a)->name, ((const struct nft_counter *)b)->name);
}

static int counters_of(struct nft_sock *s, uint16_t family, struct ctr_list *l)
{
	char buf[512];
	struct nlmsghdr *nlh;
	struct nftnl_obj *o = nftnl_obj_alloc();

	if (!o)
		return -ENOMEM;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETOBJ, family, NLM_F_DUMP | NLM_F_ACK, 0);
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, NFT_TABLE_NAME);
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	nftnl_obj_nlmsg_build_payload(nlh, o);
	nftnl_obj_free(o);
	return nl_request(&s->nl, nlh, NFT_SOCK_TIMEOUT_MS, counter_cb, l);
}

/* Both tables: NAT services count in the inet one, DR services in the
 * netdev one (their names never collide: a service is one or the other). */
int nft_sock_counters(struct nft_sock *s, struct nft_counter **out, size_t *n)
{
	struct ctr_list l = {0};
	int r = counters_of(s, NFPROTO_INET, &l), r6;

	r6 = counters_of(s, NFPROTO_NETDEV, &l);
	if (r == -ENOENT)
		r = r6;
	if (r < 0) {
		free(l.v);
		return r;
	}
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), ctr_cmp);
	*out = l.v;
	*n = l.n;
	return 0;
}

const struct nft_counter *nft_counter_find(const struct nft_counter *c, size_t n, const char *name)
{
	struct nft_counter key;

	if (!n)
		return NULL;
	snprintf(key.name, sizeof(key.name), "%s", name);
	return bsearch(&key, c, n, sizeof(*c), ctr_cmp);
}

/* ---- set elements ---- */

struct elem_list {
	struct nft_elem *v;
	size_t n, cap;
};

/* The value inside an NFTA_SET_ELEM_KEY/DATA nest; false if none. */
static bool data_value(const struct nlattr *a, uint8_t *out, uint8_t *len)
{
	const struct nlattr *v;

	mnl_attr_for_each_nested(v, a)
	{
		if (mnl_attr_get_type(v) != NFTA_DATA_VALUE || mnl_attr_get_payload_len(v) > 64)
			continue;
		*len = (uint8_t)mnl_attr_get_payload_len(v);
		memcpy(out, mnl_attr_get_payload(v), *len);
		return true;
	}
	return false;
}

static int elem_one(struct elem_list *l, const struct nlattr *el)
{
	const struct nlattr *f;
	struct nft_elem e = {0};

	mnl_attr_for_each_nested(f, el)
	{
		if (mnl_attr_get_type(f) == NFTA_SET_ELEM_KEY)
			data_value(f, e.key, &e.klen);
		else if (mnl_attr_get_type(f) == NFTA_SET_ELEM_DATA)
			data_value(f, e.data, &e.dlen);
		else if (mnl_attr_get_type(f) == NFTA_SET_ELEM_FLAGS &&
		         mnl_attr_get_payload_len(f) == 4)
			e.flags = ntohl(mnl_attr_get_u32(f));
	}
	if (!e.klen)
		return 0;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		struct nft_elem *v = realloc(l->v, nc * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = nc;
	}
	l->v[l->n++] = e;
	return 0;
}

/* Parsed by hand: libnftnl 1.2.4 fails on a list of several elements. */
static int elems_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *a, *el;
	int r;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct nfgenmsg))
		return -EBADMSG;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(el, a)
		{
			r = elem_one(arg, el);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int nft_sock_elems(struct nft_sock *s, const char *set, struct nft_elem **out, size_t *n)
{
	return nft_sock_elems_fam(s, NFPROTO_INET, set, out, n);
}

int nft_sock_elems_fam(struct nft_sock *s, uint16_t family, const char *set, struct nft_elem **out,
                       size_t *n)
{
	char buf[512];
	struct nlmsghdr *nlh;
	struct elem_list l = {0};
	int r;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, family, NLM_F_DUMP | NLM_F_ACK, 0);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, NFT_TABLE_NAME);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set);
	r = nl_request(&s->nl, nlh, NFT_SOCK_TIMEOUT_MS, elems_cb, &l);
	if (r < 0) {
		free(l.v);
		return r;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}
