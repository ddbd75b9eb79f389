/* Netlink parsing: bounded attribute and message walks on crafted input
 * (every buffer is heap-allocated at its exact size so ASan catches any
 * read past it), the interface table fed by crafted messages, the VIP
 * request builder, and the non-kernel-sender filter on a real socket. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "lib/nl.h"
#include "vrrp/vrrp_if.h"
#include "vrrp/vrrp_vip.h"

static uint32_t work[4096]; /* aligned scratch for building messages */

/* Exact-size heap copy so that any over-read is an ASan error. */
static void *dup_exact(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);

	memcpy(q, p, n);
	return q;
}

static struct nlmsghdr *msg_start(uint16_t type, uint16_t flags, uint32_t seq, uint32_t pid)
{
	struct nlmsghdr *nlh;

	memset(work, 0, sizeof(work));
	nlh = mnl_nlmsg_put_header(work);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = pid;
	return nlh;
}

/* ---- attributes ------------------------------------------------------- */

static void put_raw_attr(uint8_t *p, uint16_t len, uint16_t type)
{
	struct nlattr a = {.nla_len = len, .nla_type = type};

	memcpy(p, &a, sizeof(a));
}

static void test_attrs(void)
{
	const struct nlattr *tb[8];
	uint8_t raw[64], *buf;
	uint32_t v32 = 0x11223344, got32;
	uint16_t got16;
	uint8_t got8;
	char s[8];
	size_t n;

	/* well-formed: u32 (type 1), string (type 2), unknown type 9, nested flag on 3 */
	memset(raw, 0, sizeof(raw));
	put_raw_attr(raw, 8, 1);
	memcpy(raw + 4, &v32, 4);
	put_raw_attr(raw + 8, 4 + 5, 2);
	memcpy(raw + 12, "eth0", 5); /* padded to 12 */
	put_raw_attr(raw + 20, 8, 9);
	put_raw_attr(raw + 28, 4, 3 | NLA_F_NESTED);
	buf = dup_exact(raw, 32);
	CHECK_INT(nl_attr_parse(buf, 32, tb, 7), 0);
	CHECK(tb[1] != NULL);
	CHECK(nl_attr_u32(tb[1], &got32));
	CHECK_INT(got32, 0x11223344);
	CHECK(nl_attr_u16(tb[1], &got16));
	CHECK(nl_attr_u8(tb[1], &got8));
	CHECK(nl_attr_str(tb[2], s, sizeof(s)));
	CHECK_STR(s, "eth0");
	CHECK(!nl_attr_str(tb[2], s, 4)); /* does not fit */
	CHECK(tb[3] != NULL);             /* NLA_F_NESTED masked off */
	CHECK(tb[0] == NULL && tb[4] == NULL);
	CHECK(!nl_attr_u32(tb[3], &got32)); /* empty payload */
	CHECK(nl_attr_data(tb[3], &n) != NULL && n == 0);
	CHECK(!nl_attr_u32(NULL, &got32));
	free(buf);

	/* cut inside the last attribute's header: up to 3 bytes are padding */
	buf = dup_exact(raw, 31);
	CHECK_INT(nl_attr_parse(buf, 31, tb, 7), 0);
	CHECK(tb[1] != NULL && tb[3] == NULL);
	free(buf);
	/* cut inside the last attribute's payload */
	buf = dup_exact(raw, 26);
	CHECK_INT(nl_attr_parse(buf, 26, tb, 7), -EBADMSG);
	free(buf);
	/* last attribute without its padding: still fine */
	buf = dup_exact(raw, 17); /* the string attr without its 3 pad bytes */
	CHECK_INT(nl_attr_parse(buf, 17, tb, 7), 0);
	CHECK(nl_attr_str(tb[2], s, sizeof(s)));
	CHECK_STR(s, "eth0");
	free(buf);

	/* truncated: the attribute claims more than is there */
	put_raw_attr(raw, 40, 1);
	buf = dup_exact(raw, 16);
	CHECK_INT(nl_attr_parse(buf, 16, tb, 7), -EBADMSG);
	CHECK(tb[1] == NULL);
	free(buf);
	/* oversized: 0xffff */
	put_raw_attr(raw, 0xffff, 2);
	buf = dup_exact(raw, 8);
	CHECK_INT(nl_attr_parse(buf, 8, tb, 7), -EBADMSG);
	free(buf);
	/* a length below the header size would loop forever if accepted */
	put_raw_attr(raw, 2, 1);
	buf = dup_exact(raw, 8);
	CHECK_INT(nl_attr_parse(buf, 8, tb, 7), -EBADMSG);
	free(buf);
	/* a good one followed by a bad one: tb keeps the good one */
	put_raw_attr(raw, 8, 1);
	memcpy(raw + 4, &v32, 4);
	put_raw_attr(raw + 8, 200, 2);
	buf = dup_exact(raw, 16);
	CHECK_INT(nl_attr_parse(buf, 16, tb, 7), -EBADMSG);
	CHECK(tb[1] != NULL && tb[2] == NULL);
	free(buf);
	/* fewer bytes than a header: nothing, no error */
	buf = dup_exact(raw, 3);
	CHECK_INT(nl_attr_parse(buf, 3, tb, 7), 0);
	CHECK(tb[1] == NULL);
	free(buf);
	/* repeated type: last wins */
	put_raw_attr(raw, 8, 1);
	v32 = 1;
	memcpy(raw + 4, &v32, 4);
	put_raw_attr(raw + 8, 8, 1);
	v32 = 2;
	memcpy(raw + 12, &v32, 4);
	buf = dup_exact(raw, 16);
	CHECK_INT(nl_attr_parse(buf, 16, tb, 7), 0);
	CHECK(nl_attr_u32(tb[1], &got32) && got32 == 2);
	free(buf);
	/* unterminated string: bounded by the payload */
	put_raw_attr(raw, 4 + 4, 2);
	memcpy(raw + 4, "abcd", 4);
	buf = dup_exact(raw, 8);
	CHECK_INT(nl_attr_parse(buf, 8, tb, 7), 0);
	CHECK(nl_attr_str(tb[2], s, sizeof(s)));
	CHECK_STR(s, "abcd");
	CHECK(!nl_attr_str(tb[2], s, 4));
	free(buf);
	/* addresses: exact sizes only */
	{
		struct ka_addr a;

		put_raw_attr(raw, 4 + 4, 1);
		memcpy(raw + 4, "\xc0\x00\x02\x01", 4);
		put_raw_attr(raw + 8, 4 + 5, 2);
		buf = dup_exact(raw, 20);
		CHECK_INT(nl_attr_parse(buf, 20, tb, 7), 0);
		CHECK(nl_attr_addr(tb[1], AF_INET, &a) && a.family == AF_INET);
		CHECK(!nl_attr_addr(tb[1], AF_INET6, &a));
		CHECK(!nl_attr_addr(tb[2], AF_INET, &a));
		free(buf);
	}
}

/* ---- messages --------------------------------------------------------- */

static int count_cb(const struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(*(int *)arg)++;
	return 0;
}

static void test_messages(void)
{
	struct nlmsghdr *nlh;
	const struct nlmsghdr *h;
	struct nlmsgerr *e;
	uint8_t two[256], *buf;
	size_t rem, l1, l2;
	uint64_t stale = 0;
	bool intr = false;
	int calls = 0;

	/* one RTM_NEWLINK with NLM_F_MULTI, then DONE: a dump in two messages */
	nlh = msg_start(RTM_NEWLINK, NLM_F_MULTI, 7, 99);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	l1 = nlh->nlmsg_len;
	memcpy(two, work, l1);
	nlh = msg_start(NLMSG_DONE, NLM_F_MULTI, 7, 99);
	mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	l2 = nlh->nlmsg_len;
	memcpy(two + l1, work, l2);
	buf = dup_exact(two, l1 + l2);
	h = nl_msg_first(buf, l1 + l2, &rem);
	CHECK(h != NULL);
	h = nl_msg_next(h, &rem);
	CHECK(h != NULL && h->nlmsg_type == NLMSG_DONE);
	h = nl_msg_next(h, &rem);
	CHECK(h == NULL && rem == 0);
	CHECK_INT(nl_walk(buf, l1, 7, 99, count_cb, &calls, &stale, &intr), 1);
	CHECK_INT(calls, 1);
	CHECK_INT(nl_walk(buf, l1 + l2, 7, 99, count_cb, &calls, &stale, &intr), 0);
	CHECK_INT(calls, 2);
	/* wrong seq or wrong portid: stale, skipped, not done */
	CHECK_INT(nl_walk(buf, l1 + l2, 8, 99, count_cb, &calls, &stale, &intr), 1);
	CHECK_INT(nl_walk(buf, l1 + l2, 7, 98, count_cb, &calls, &stale, &intr), 1);
	CHECK_INT(calls, 2);
	CHECK_INT(stale, 4);
	CHECK(!intr);
	/* a datagram cut inside the second message: trailing bytes */
	free(buf);
	buf = dup_exact(two, l1 + 10);
	h = nl_msg_first(buf, l1 + 10, &rem);
	h = nl_msg_next(h, &rem);
	CHECK(h == NULL && rem == 10);
	CHECK_INT(nl_walk(buf, l1 + 10, 7, 99, NULL, NULL, NULL, NULL), -EBADMSG);
	free(buf);
	/* nlmsg_len larger than the datagram, or smaller than a header */
	nlh = (struct nlmsghdr *)(void *)two;
	nlh->nlmsg_len = 4000;
	buf = dup_exact(two, l1);
	CHECK(nl_msg_first(buf, l1, &rem) == NULL);
	CHECK_INT(nl_walk(buf, l1, 7, 99, NULL, NULL, NULL, NULL), -EBADMSG);
	free(buf);
	nlh->nlmsg_len = 8;
	buf = dup_exact(two, l1);
	CHECK(nl_msg_first(buf, l1, &rem) == NULL);
	free(buf);
	buf = dup_exact(two, 10); /* shorter than a header */
	CHECK(nl_msg_first(buf, 10, &rem) == NULL);
	free(buf);

	/* NLM_F_DUMP_INTR is reported */
	nlh = msg_start(RTM_NEWADDR, NLM_F_MULTI | NLM_F_DUMP_INTR, 3, 5);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifaddrmsg));
	buf = dup_exact(work, nlh->nlmsg_len);
	CHECK_INT(nl_walk(buf, nlh->nlmsg_len, 3, 5, NULL, NULL, NULL, &intr), 1);
	CHECK(intr);
	free(buf);

	/* error and ack */
	nlh = msg_start(NLMSG_ERROR, 0, 4, 5);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -EEXIST;
	buf = dup_exact(work, nlh->nlmsg_len);
	CHECK_INT(nl_walk(buf, nlh->nlmsg_len, 4, 5, NULL, NULL, NULL, NULL), -EEXIST);
	CHECK_INT(nl_msg_error((const struct nlmsghdr *)buf), -EEXIST);
	CHECK(nl_msg_extack((const struct nlmsghdr *)buf) == NULL);
	free(buf);
	e->error = 0;
	buf = dup_exact(work, nlh->nlmsg_len);
	CHECK_INT(nl_walk(buf, nlh->nlmsg_len, 4, 5, NULL, NULL, NULL, NULL), 0);
	free(buf);
	/* an error message too short for struct nlmsgerr */
	nlh->nlmsg_len = NLMSG_HDRLEN + 4;
	buf = dup_exact(work, nlh->nlmsg_len);
	CHECK_INT(nl_walk(buf, nlh->nlmsg_len, 4, 5, NULL, NULL, NULL, NULL), -EBADMSG);
	free(buf);
	/* a non-dump reply (no NLM_F_MULTI) completes the request */
	nlh = msg_start(RTM_NEWLINK, 0, 4, 5);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	buf = dup_exact(work, nlh->nlmsg_len);
	calls = 0;
	CHECK_INT(nl_walk(buf, nlh->nlmsg_len, 4, 5, count_cb, &calls, NULL, NULL), 0);
	CHECK_INT(calls, 1);
	free(buf);
	/* DONE carrying a dump error */
	nlh = msg_start(NLMSG_DONE, NLM_F_MULTI, 4, 5);
	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = -EINTR;
	buf = dup_exact(work, nlh->nlmsg_len);
	CHECK_INT(nl_walk(buf, nlh->nlmsg_len, 4, 5, NULL, NULL, NULL, NULL), -EINTR);
	free(buf);

	/* extended ack text (capped: only the request header is echoed) */
	nlh = msg_start(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 4, 5);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -EINVAL;
	e->msg.nlmsg_len = 200; /* ignored when capped */
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "bad prefix");
	buf = dup_exact(work, nlh->nlmsg_len);
	CHECK_STR(nl_msg_extack((const struct nlmsghdr *)buf), "bad prefix");
	free(buf);
	/* not capped: the echoed request claims to be longer than the message */
	nlh->nlmsg_flags = NLM_F_ACK_TLVS;
	buf = dup_exact(work, nlh->nlmsg_len);
	CHECK(nl_msg_extack((const struct nlmsghdr *)buf) == NULL);
	free(buf);
	/* capped, but the string is not terminated inside its attribute */
	nlh = msg_start(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 4, 5);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	mnl_attr_put(nlh, NLMSGERR_ATTR_MSG, 4, "abcd");
	buf = dup_exact(work, nlh->nlmsg_len);
	CHECK(nl_msg_extack((const struct nlmsghdr *)buf) == NULL);
	free(buf);

	/* attribute parse of a message whose fixed header is cut */
	nlh = msg_start(RTM_NEWADDR, 0, 1, 0);
	nlh->nlmsg_len = NLMSG_HDRLEN + 4;
	{
		const struct nlattr *tb[IFA_MAX + 1];

		buf = dup_exact(work, nlh->nlmsg_len);
		CHECK_INT(nl_attr_parse_msg((const struct nlmsghdr *)buf, sizeof(struct ifaddrmsg),
		                            tb, IFA_MAX),
		          -EBADMSG);
		CHECK(nl_msg_payload((const struct nlmsghdr *)buf, sizeof(struct ifaddrmsg)) ==
		      NULL);
		free(buf);
	}
}

/* ---- the interface table on crafted messages -------------------------- */

struct rec {
	char log[2048];
};

static void rec_link(void *arg, struct vrrp_if *ifp, enum vrrp_if_event ev)
{
	struct rec *r = arg;
	size_t n = strlen(r->log);

	snprintf(r->log + n, sizeof(r->log) - n, "L:%s:%s;", vrrp_if_event_str(ev), ifp->name);
}

static void rec_addr(void *arg, struct vrrp_if *ifp, const struct vrrp_if_addr *a,
                     enum vrrp_if_addr_event ev)
{
	struct rec *r = arg;
	size_t n = strlen(r->log);
	char b[KA_ADDRSTRLEN];

	snprintf(r->log + n, sizeof(r->log) - n, "A:%s:%s:%s/%u;", vrrp_if_addr_event_str(ev),
	         ifp->name, addr_fmt(&a->addr, b, sizeof(b)), a->prefixlen);
}

static int apply_link(struct vrrp_if_table *t, uint16_t type, int family, int idx,
                      unsigned int flags, const char *name, const uint8_t *mac, size_t maclen)
{
	struct nlmsghdr *nlh = msg_start(type, 0, 0, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct nlattr *nest;
	void *buf;
	int r;

	ifi->ifi_family = (uint8_t)family;
	ifi->ifi_index = idx;
	ifi->ifi_flags = flags;
	ifi->ifi_type = 1;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, maclen, mac);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	mnl_attr_nest_end(nlh, nest);
	buf = dup_exact(work, nlh->nlmsg_len);
	r = vrrp_if_table_apply(t, buf);
	free(buf);
	return r;
}

static int apply_addr(struct vrrp_if_table *t, uint16_t type, int family, int idx, const char *addr,
                      int plen, uint32_t flags, const char *label)
{
	struct nlmsghdr *nlh = msg_start(type, 0, 0, 0);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	struct ka_addr a;
	void *buf;
	int r;

	if (addr_parse(addr, &a) < 0)
		return -999;
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = (uint8_t)plen;
	ifa->ifa_flags = (uint8_t)flags;
	ifa->ifa_index = (uint32_t)idx;
	/* the attribute has the parsed address's size, whatever the family says */
	if (family == AF_INET)
		mnl_attr_put(nlh, IFA_LOCAL, a.family == AF_INET ? 4 : 16, &a.u);
	mnl_attr_put(nlh, IFA_ADDRESS, a.family == AF_INET ? 4 : 16, &a.u);
	mnl_attr_put_u32(nlh, IFA_FLAGS, flags);
	if (label)
		mnl_attr_put_strz(nlh, IFA_LABEL, label);
	buf = dup_exact(work, nlh->nlmsg_len);
	r = vrrp_if_table_apply(t, buf);
	free(buf);
	return r;
}

static void test_table(void)
{
	static const struct vrrp_if_callbacks cb = {rec_link, rec_addr, NULL};
	static const uint8_t mac[6] = {0x02, 0, 0x5e, 0, 0, 0x01};
	struct rec r = {{0}};
	struct vrrp_if_table *t = vrrp_if_table_new(&cb, &r);
	struct vrrp_if *ifp;
	const struct vrrp_if_addr *a;
	struct ka_addr x;
	char b[KA_ADDRSTRLEN];
	unsigned int updown = IFF_UP | IFF_RUNNING;

	CHECK_INT(apply_link(t, RTM_NEWLINK, AF_UNSPEC, 2, updown, "eth0", mac, 6), 1);
	ifp = vrrp_if_by_name(t, "eth0");
	CHECK(ifp != NULL && ifp == vrrp_if_by_index(t, 2));
	CHECK(ifp && ifp->hwaddr_len == 6 && memcmp(ifp->hwaddr, mac, 6) == 0);
	CHECK(ifp && vrrp_if_is_up(ifp));
	CHECK_STR(ifp ? ifp->kind : NULL, "veth");
	CHECK(vrrp_if_by_index(t, 2 + 256) == NULL); /* same hash bucket */
	CHECK_INT(apply_link(t, RTM_NEWLINK, AF_UNSPEC, 2 + 256, updown, "eth1", mac, 6), 1);
	CHECK(vrrp_if_by_index(t, 258) != NULL && vrrp_if_by_index(t, 2) == ifp);
	CHECK_INT(vrrp_if_count(t), 2);
	/* down (RUNNING lost), then up again */
	CHECK_INT(apply_link(t, RTM_NEWLINK, AF_UNSPEC, 2, IFF_UP, "eth0", mac, 6), 1);
	CHECK_INT(apply_link(t, RTM_NEWLINK, AF_UNSPEC, 2, updown, "eth0", mac, 6), 1);
	/* the same state again: no event */
	CHECK_INT(apply_link(t, RTM_NEWLINK, AF_UNSPEC, 2, updown, "eth0", mac, 6), 1);
	/* bridge port messages on the link group are not links */
	CHECK_INT(apply_link(t, RTM_DELLINK, AF_BRIDGE, 2, updown, "eth0", mac, 6), 0);
	CHECK(vrrp_if_by_index(t, 2) != NULL);
	/* a hardware address longer than MAX_ADDR_LEN is malformed */
	{
		uint8_t big[40] = {0};

		CHECK_INT(apply_link(t, RTM_NEWLINK, AF_UNSPEC, 3, updown, "eth3", big, 40),
		          -EBADMSG);
	}
	CHECK_STR(r.log, "L:new:eth0;L:new:eth1;L:down:eth0;L:up:eth0;");
	r.log[0] = '\0';

	/* addresses */
	CHECK_INT(apply_addr(t, RTM_NEWADDR, AF_INET, 2, "192.0.2.1", 24, 0, "eth0"), 1);
	CHECK_INT(
	    apply_addr(t, RTM_NEWADDR, AF_INET, 2, "192.0.2.2", 24, IFA_F_SECONDARY, "eth0:1"), 1);
	CHECK_INT(apply_addr(t, RTM_NEWADDR, AF_INET, 2, "192.0.2.1", 25, 0, "eth0"), 1);
	CHECK_INT(apply_addr(t, RTM_NEWADDR, AF_INET6, 2, "fe80::1", 64, IFA_F_TENTATIVE, NULL), 1);
	a = vrrp_if_primary4(ifp);
	CHECK_STR(a ? addr_fmt(&a->addr, b, sizeof(b)) : NULL, "192.0.2.1");
	CHECK(a && a->prefixlen == 24 && !strcmp(a->label, "eth0"));
	CHECK(vrrp_if_linklocal6(ifp) == NULL); /* still tentative */
	CHECK_INT(apply_addr(t, RTM_NEWADDR, AF_INET6, 2, "fe80::1", 64, IFA_F_PERMANENT, NULL), 1);
	a = vrrp_if_linklocal6(ifp);
	CHECK_STR(a ? addr_fmt(&a->addr, b, sizeof(b)) : NULL, "fe80::1");
	addr_parse("192.0.2.2", &x);
	a = vrrp_if_find_addr(ifp, &x);
	CHECK(a && (a->flags & IFA_F_SECONDARY) && !strcmp(a->label, "eth0:1"));
	/* delete: the /25 goes, the /24 stays; deleting twice is ignored */
	CHECK_INT(apply_addr(t, RTM_DELADDR, AF_INET, 2, "192.0.2.1", 25, 0, NULL), 1);
	CHECK_INT(apply_addr(t, RTM_DELADDR, AF_INET, 2, "192.0.2.1", 25, 0, NULL), 0);
	CHECK(vrrp_if_primary4(ifp) != NULL);
	/* unknown interface, unknown family */
	CHECK_INT(apply_addr(t, RTM_NEWADDR, AF_INET, 77, "192.0.2.9", 24, 0, NULL), 0);
	CHECK_INT(apply_addr(t, RTM_NEWADDR, AF_PACKET, 2, "192.0.2.9", 24, 0, NULL), 0);
	/* malformed: prefix too long, address of the wrong size, header cut */
	CHECK_INT(apply_addr(t, RTM_NEWADDR, AF_INET, 2, "192.0.2.9", 33, 0, NULL), -EBADMSG);
	CHECK_INT(apply_addr(t, RTM_NEWADDR, AF_INET6, 2, "192.0.2.9", 64, 0, NULL), -EBADMSG);
	{
		struct nlmsghdr *nlh = msg_start(RTM_NEWADDR, 0, 0, 0);
		void *buf;

		nlh->nlmsg_len = NLMSG_HDRLEN + 3;
		buf = dup_exact(work, nlh->nlmsg_len);
		CHECK_INT(vrrp_if_table_apply(t, buf), -EBADMSG);
		free(buf);
		/* no address attribute at all */
		nlh = msg_start(RTM_NEWADDR, 0, 0, 0);
		((struct ifaddrmsg *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifaddrmsg)))
		    ->ifa_family = AF_INET;
		((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_index = 2;
		buf = dup_exact(work, nlh->nlmsg_len);
		CHECK_INT(vrrp_if_table_apply(t, buf), -EBADMSG);
		free(buf);
	}
	CHECK_STR(r.log, "A:add:eth0:192.0.2.1/24;A:add:eth0:192.0.2.2/24;"
	                 "A:add:eth0:192.0.2.1/25;A:add:eth0:fe80::1/64;"
	                 "A:change:eth0:fe80::1/64;A:del:eth0:192.0.2.1/25;");
	CHECK(vrrp_if_get_stats(t)->malformed == 5);
	r.log[0] = '\0';

	/* reconcile: a new generation; eth0 and one address seen again */
	vrrp_if_table_gen_begin(t);
	CHECK_INT(apply_link(t, RTM_NEWLINK, AF_UNSPEC, 2, updown, "eth0", mac, 6), 1);
	vrrp_if_table_sweep_links(t);
	CHECK(vrrp_if_by_index(t, 258) == NULL);
	CHECK_INT(apply_addr(t, RTM_NEWADDR, AF_INET, 2, "192.0.2.1", 24, 0, "eth0"), 1);
	vrrp_if_table_sweep_addrs(t);
	CHECK_STR(r.log, "L:del:eth1;A:del:eth0:192.0.2.2/24;A:del:eth0:fe80::1/64;");
	r.log[0] = '\0';

	/* link deletion reports its addresses first */
	CHECK_INT(apply_link(t, RTM_DELLINK, AF_UNSPEC, 2, 0, "eth0", NULL, 0), 1);
	CHECK_STR(r.log, "A:del:eth0:192.0.2.1/24;L:del:eth0;");
	CHECK_INT(vrrp_if_count(t), 0);
	vrrp_if_table_free(t);
}

/* ---- VIP requests ----------------------------------------------------- */

static void test_vip_build(void)
{
	const struct nlattr *tb[IFA_MAX + 1];
	const struct nlmsghdr *nlh;
	const struct ifaddrmsg *ifa;
	struct ifa_cacheinfo ci;
	struct vrrp_nl_vip v;
	struct ka_addr a, got;
	uint32_t buf[128];
	uint32_t u;
	char s[IFNAMSIZ];
	void *m;
	int len;

	addr_parse("192.0.2.100", &a);
	vrrp_vip_init(&v, &a);
	CHECK_INT(v.prefixlen, 32);
	CHECK_INT(vrrp_vip_build(buf, sizeof(buf), &v, true), -EINVAL); /* no ifindex */
	v.ifindex = 4;
	v.prefixlen = 24;
	v.brd = VRRP_VIP_BRD_PLUS;
	snprintf(v.label, sizeof(v.label), "eth0:vip");
	len = vrrp_vip_build(buf, sizeof(buf), &v, true);
	CHECK(len > 0);
	m = dup_exact(buf, (size_t)len);
	nlh = m;
	CHECK_INT(nlh->nlmsg_len, len);
	CHECK_INT(nlh->nlmsg_type, RTM_NEWADDR);
	CHECK_INT(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	ifa = nl_msg_payload(nlh, sizeof(*ifa));
	CHECK(ifa && ifa->ifa_family == AF_INET && ifa->ifa_prefixlen == 24 &&
	      ifa->ifa_index == 4 && ifa->ifa_flags == 0);
	CHECK_INT(nl_attr_parse_msg(nlh, sizeof(*ifa), tb, IFA_MAX), 0);
	CHECK(nl_attr_addr(tb[IFA_LOCAL], AF_INET, &got) && addr_equal(&got, &a));
	CHECK(nl_attr_addr(tb[IFA_ADDRESS], AF_INET, &got) && addr_equal(&got, &a));
	CHECK(nl_attr_addr(tb[IFA_BROADCAST], AF_INET, &got));
	CHECK_STR(addr_fmt(&got, (char[KA_ADDRSTRLEN]){0}, KA_ADDRSTRLEN), "192.0.2.255");
	CHECK(nl_attr_str(tb[IFA_LABEL], s, sizeof(s)));
	CHECK_STR(s, "eth0:vip");
	CHECK(tb[IFA_CACHEINFO] == NULL && tb[IFA_FLAGS] == NULL);
	free(m);
	/* brd - on a /24, explicit brd, none on a /32 */
	v.brd = VRRP_VIP_BRD_MINUS;
	len = vrrp_vip_build(buf, sizeof(buf), &v, true);
	nl_attr_parse_msg((const struct nlmsghdr *)buf, sizeof(*ifa), tb, IFA_MAX);
	CHECK(nl_attr_addr(tb[IFA_BROADCAST], AF_INET, &got));
	CHECK_STR(addr_fmt(&got, (char[KA_ADDRSTRLEN]){0}, KA_ADDRSTRLEN), "192.0.2.0");
	v.prefixlen = 32;
	v.brd = VRRP_VIP_BRD_PLUS;
	len = vrrp_vip_build(buf, sizeof(buf), &v, true);
	nl_attr_parse_msg((const struct nlmsghdr *)buf, sizeof(*ifa), tb, IFA_MAX);
	CHECK(tb[IFA_BROADCAST] == NULL);
	/* delete: address and prefix only */
	len = vrrp_vip_build(buf, sizeof(buf), &v, false);
	CHECK(len > 0);
	nlh = (const struct nlmsghdr *)buf;
	CHECK_INT(nlh->nlmsg_type, RTM_DELADDR);
	CHECK_INT(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	nl_attr_parse_msg(nlh, sizeof(*ifa), tb, IFA_MAX);
	CHECK(tb[IFA_LOCAL] && tb[IFA_ADDRESS] && !tb[IFA_LABEL] && !tb[IFA_BROADCAST]);
	/* too small a buffer */
	CHECK_INT(vrrp_vip_build(buf, 24, &v, true), -EMSGSIZE);
	CHECK_INT(vrrp_vip_build(buf, 40, &v, true), -EMSGSIZE);

	/* IPv6 /128: NODAD, preferred_lft 0, valid forever */
	addr_parse("2001:db8::100", &a);
	vrrp_vip_init(&v, &a);
	v.ifindex = 4;
	CHECK_INT(v.prefixlen, 128);
	snprintf(v.label, sizeof(v.label), "ignored");
	len = vrrp_vip_build(buf, sizeof(buf), &v, true);
	CHECK(len > 0);
	nlh = (const struct nlmsghdr *)buf;
	ifa = nl_msg_payload(nlh, sizeof(*ifa));
	CHECK(ifa && ifa->ifa_family == AF_INET6 && (ifa->ifa_flags & IFA_F_NODAD));
	nl_attr_parse_msg(nlh, sizeof(*ifa), tb, IFA_MAX);
	CHECK(tb[IFA_LABEL] == NULL);
	CHECK(nl_attr_data(tb[IFA_CACHEINFO], &(size_t){0}) != NULL);
	if (tb[IFA_CACHEINFO]) {
		memcpy(&ci, mnl_attr_get_payload(tb[IFA_CACHEINFO]), sizeof(ci));
		CHECK_INT(ci.ifa_prefered, 0);
		CHECK_INT(ci.ifa_valid, 0xffffffffu);
	}
	/* /64: forever, no cacheinfo; explicit lifetime; high flags via IFA_FLAGS */
	v.prefixlen = 64;
	vrrp_vip_build(buf, sizeof(buf), &v, true);
	nl_attr_parse_msg(nlh, sizeof(*ifa), tb, IFA_MAX);
	CHECK(tb[IFA_CACHEINFO] == NULL);
	v.preferred_lft = 30;
	v.flags |= IFA_F_NOPREFIXROUTE;
	vrrp_vip_build(buf, sizeof(buf), &v, true);
	nl_attr_parse_msg(nlh, sizeof(*ifa), tb, IFA_MAX);
	CHECK(tb[IFA_CACHEINFO] != NULL);
	CHECK(nl_attr_u32(tb[IFA_FLAGS], &u) && u == (IFA_F_NODAD | IFA_F_NOPREFIXROUTE));
	v.preferred_lft = -5;
	CHECK_INT(vrrp_vip_build(buf, sizeof(buf), &v, true), -EINVAL);
	/* family mismatch of the peer */
	v.preferred_lft = VRRP_VIP_LFT_DEFAULT;
	v.has_peer = true;
	addr_parse("192.0.2.1", &v.peer);
	CHECK_INT(vrrp_vip_build(buf, sizeof(buf), &v, true), -EINVAL);
}

/* ---- the sender filter on real sockets -------------------------------- */

static void test_foreign_sender(void)
{
	struct nl_sock a, b;
	struct nlmsghdr *nlh;
	struct sockaddr_nl dst = {.nl_family = AF_NETLINK};
	struct sockaddr_nl fake = {.nl_family = AF_NETLINK, .nl_pid = 1234};
	struct sockaddr_nl kern = {.nl_family = AF_NETLINK, .nl_pid = 0};
	ssize_t n;
	int i;

	CHECK(!nl_sender_ok(&fake, sizeof(fake)));
	CHECK(nl_sender_ok(&kern, sizeof(kern)));
	CHECK(!nl_sender_ok(&kern, sizeof(kern) - 1));

	if (nl_open(&a, -1) < 0 || nl_open(&b, -1) < 0) {
		printf("# netlink sockets unavailable: real-socket checks skipped\n");
		return;
	}
	/* b pretends to be the kernel announcing an address to a */
	nlh = msg_start(RTM_NEWADDR, 0, 0, 0);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifaddrmsg));
	dst.nl_pid = a.portid;
	n = sendto(b.fd, work, nlh->nlmsg_len, 0, (struct sockaddr *)&dst, sizeof(dst));
	if (n < 0) {
		printf("# user-to-user netlink refused (%s): skipped\n", strerror(errno));
	} else {
		for (i = 0; i < 100 && (n = nl_recv(&a)) == -EAGAIN; i++)
			usleep(1000);
		CHECK_INT(n, 0); /* dropped */
		CHECK_INT(a.stats.foreign, 1);
		CHECK_INT(nl_recv(&a), -EAGAIN);
	}
	/* and a real kernel reply gets through: dump the links (lo at least) */
	{
		int calls = 0;

		nlh = msg_start(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 0, 0);
		mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
		CHECK_INT(nl_request(&a, nlh, 1000, count_cb, &calls), 0);
		CHECK(calls >= 1);
		/* an ack for a bad request carries the kernel's error */
		nlh = msg_start(RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, 0, 0);
		((struct ifaddrmsg *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifaddrmsg)))
		    ->ifa_family = AF_INET;
		CHECK(nl_request(&a, nlh, 1000, NULL, NULL) < 0);
	}
	nl_close(&a);
	nl_close(&b);
	nl_close(&b); /* twice is safe */
}

int main(void)
{
	test_attrs();
	test_messages();
	test_table();
	test_vip_build();
	test_foreign_sender();
	return check_report("test_nl_parse");
}
