/* libFuzzer target for the netlink parsers: message walking and
 * attribute parsing (src/lib/nl.c), the interface/address table fed by
 * RTM_{NEW,DEL}{LINK,ADDR} (vrrp_if_table_apply in src/vrrp/vrrp_if.c) and
 * the IPVS generic-netlink reply decoders (src/lvs/ipvs_msg.c).
 *
 * Input layout: byte 0 = maxtype for the generic attribute parse (mod 64),
 * the rest is one datagram as recv() returned it.  Every message of it is
 * handed to every decoder (they must refuse what is not theirs without
 * reading outside the message), and all of them feed one interface table
 * per input.
 *
 * Invariants: every message the iterator returns and every attribute the
 * attribute parser stores lies inside the buffer; nl_attr_data's length
 * fits the attribute; an extack text is terminated inside its message;
 * failures of the IPVS decoders say why; a service that decodes encodes
 * (ipvs_msg_svc) and decodes again to the same key. */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>

#include "lib/nl.h"
#include "lvs/ipvs_msg.h"
#include "vrrp/vrrp_if.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	const uint8_t *buf;
	size_t len;
	unsigned maxtype;
	struct vrrp_if_table *t;
	unsigned msgs;
};

static void check_inside(const struct ctx *c, const void *p, size_t n)
{
	const uint8_t *q = p;

	if (q < c->buf || q > c->buf + c->len || n > (size_t)(c->buf + c->len - q))
		abort();
}

static void check_attrs(const struct ctx *c, const struct nlattr **tb, unsigned maxtype, int depth)
{
	for (unsigned i = 0; i <= maxtype; i++) {
		const struct nlattr *a = tb[i];
		const struct nlattr *sub[65];
		size_t dlen;
		uint32_t u32;
		uint16_t u16;
		uint8_t u8;
		char s[32];

		if (!a)
			continue;
		check_inside(c, a, a->nla_len);
		if (a->nla_len < NLA_HDRLEN)
			abort();
		if (nl_attr_data(a, &dlen) == NULL || dlen > (size_t)a->nla_len - NLA_HDRLEN)
			abort();
		(void)nl_attr_u8(a, &u8);
		(void)nl_attr_u16(a, &u16);
		(void)nl_attr_u32(a, &u32);
		if (nl_attr_str(a, s, sizeof(s)) && strlen(s) >= sizeof(s))
			abort();
		if (depth < 3 && nl_attr_parse_nested(a, sub, c->maxtype) >= -EBADMSG)
			check_attrs(c, sub, c->maxtype, depth + 1);
	}
}

static void ipvs_all(const struct nlmsghdr *nlh)
{
	struct lvs_svc_key k, k2;
	struct lvs_svc_attr a, a2;
	struct lvs_stats st;
	struct lvs_tdest td;
	struct lvs_syncd sd;
	const char *why;
	uint32_t x, y, z;
	uint16_t id;
	size_t len = nlh->nlmsg_len;

	why = NULL;
	memset(&k, 0, sizeof(k));
	memset(&a, 0, sizeof(a));
	if (ipvs_parse_svc(nlh, len, &k, &a, &st, &why) == 0) {
		static uint32_t out[IPVS_MSG_MAX / 4];

		if (ipvs_msg_svc(out, sizeof(out), nlh->nlmsg_type, IPVS_CMD_NEW_SERVICE, 0, &k,
		                 &a) == 0) {
			memset(&k2, 0, sizeof(k2));
			memset(&a2, 0, sizeof(a2));
			why = NULL;
			if (ipvs_parse_svc(out, ((struct nlmsghdr *)out)->nlmsg_len, &k2, &a2, NULL,
			                   &why) != 0)
				abort();
			if (k2.af != k.af || k2.fwmark != k.fwmark)
				abort();
			/* a fwmark service's protocol/addr/port are not its identity */
			if (!k.fwmark && (k2.protocol != k.protocol || k2.port != k.port ||
			                  memcmp(&k2.addr, &k.addr, sizeof(k.addr)) != 0))
				abort();
		}
	} else if (!why) {
		abort();
	}
	why = NULL;
	if (ipvs_parse_dest(nlh, len, AF_INET, &td, &why) != 0 && !why)
		abort();
	why = NULL;
	if (ipvs_parse_daemon(nlh, len, &sd, &why) != 0 && !why)
		abort();
	why = NULL;
	if (ipvs_parse_timeouts(nlh, len, &x, &y, &z, &why) != 0 && !why)
		abort();
	why = NULL;
	if (ipvs_parse_family(nlh, len, &id, &why) != 0 && !why)
		abort();
}

static int on_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct ctx *c = arg;
	const struct nlattr *tb[65];
	const char *ext;

	c->msgs++;
	check_inside(c, nlh, nlh->nlmsg_len);
	(void)nl_msg_error(nlh);
	ext = nl_msg_extack(nlh);
	if (ext)
		check_inside(c, ext, strlen(ext) + 1);
	for (size_t hdr = 0; hdr <= 16; hdr += 4) {
		if (nl_attr_parse_msg(nlh, hdr, tb, c->maxtype) >= -EBADMSG)
			check_attrs(c, tb, c->maxtype, 0);
		if (nl_msg_payload(nlh, hdr))
			check_inside(c, nl_msg_payload(nlh, hdr), hdr);
	}
	(void)vrrp_if_table_apply(c->t, nlh);
	ipvs_all(nlh);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c;
	const struct nlmsghdr *h;
	uint8_t *copy;
	uint64_t stale = 0;
	bool intr = false;
	size_t rem;
	unsigned n = 0;

	if (size < 1)
		return 0;
	c.maxtype = data[0] % 64;
	data++;
	size--;
	/* exact size, malloc-aligned (netlink messages are 4-byte aligned) */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	c.buf = copy;
	c.len = size;
	c.msgs = 0;
	c.t = vrrp_if_table_new(NULL, NULL);
	if (!c.t)
		abort();

	for (h = nl_msg_first(copy, size, &rem); h; h = nl_msg_next(h, &rem)) {
		check_inside(&c, h, h->nlmsg_len);
		if (rem > size || ++n > size / NLMSG_HDRLEN)
			abort();
	}
	(void)nl_walk(copy, size, 0, 0, on_msg, &c, &stale, &intr);
	if (c.msgs > n)
		abort();
	/* the seq-filtered walk: everything is stale or matching */
	(void)nl_walk(copy, size, 1, 0, NULL, NULL, &stale, &intr);
	vrrp_if_table_gen_begin(c.t);
	vrrp_if_table_sweep_addrs(c.t);
	vrrp_if_table_sweep_links(c.t);
	vrrp_if_table_free(c.t);
	free(copy);
	return 0;
}
