/* VIP add/delete over rtnetlink (see vrrp_vip.h). */
#include "vrrp/vrrp_vip.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "lib/log.h"
#include "lib/nl.h"

void vrrp_vip_init(struct vrrp_nl_vip *v, const struct ka_addr *a)
{
	memset(v, 0, sizeof(*v));
	v->addr = *a;
	v->prefixlen = a->family == AF_INET ? 32 : 128;
	v->scope = RT_SCOPE_UNIVERSE;
	v->brd = VRRP_VIP_BRD_NONE;
	v->flags = a->family == AF_INET6 ? IFA_F_NODAD : 0;
	v->preferred_lft = VRRP_VIP_LFT_DEFAULT;
}

static uint32_t v4_mask(uint8_t plen)
{
	return plen == 0 ? 0 : htonl(~(uint32_t)0 << (32 - plen));
}

static const void *addr_data(const struct ka_addr *a, size_t *len)
{
	*len = a->family == AF_INET ? sizeof(a->u.v4) : sizeof(a->u.v6);
	return a->family == AF_INET ? (const void *)&a->u.v4 : (const void *)&a->u.v6;
}

int vrrp_vip_build(void *buf, size_t len, const struct vrrp_nl_vip *v, bool add)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	const struct ka_addr *address;
	struct ifa_cacheinfo ci;
	struct in_addr brd;
	const void *d;
	size_t dl;
	int fam = v->addr.family;
	long long pref;

	if ((fam != AF_INET && fam != AF_INET6) || v->ifindex <= 0 ||
	    v->prefixlen > (fam == AF_INET ? 32 : 128) || (v->has_peer && v->peer.family != fam))
		return -EINVAL;
	if (len < NLMSG_SPACE(sizeof(*ifa)))
		return -EMSGSIZE;
	memset(buf, 0, NLMSG_SPACE(sizeof(*ifa)));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (add)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)fam;
	ifa->ifa_prefixlen = v->prefixlen;
	ifa->ifa_flags = (uint8_t)(v->flags & 0xff);
	ifa->ifa_scope = fam == AF_INET ? v->scope : 0;
	ifa->ifa_index = (uint32_t)v->ifindex;

	/* IFA_LOCAL is the address; IFA_ADDRESS the peer, or the address
	 * itself.  The kernel matches a deletion on both and the prefix. */
	d = addr_data(&v->addr, &dl);
	if (nl_put(nlh, len, IFA_LOCAL, dl, d) < 0)
		return -EMSGSIZE;
	address = v->has_peer ? &v->peer : &v->addr;
	d = addr_data(address, &dl);
	if (nl_put(nlh, len, IFA_ADDRESS, dl, d) < 0)
		return -EMSGSIZE;
	if (!add)
		return (int)nlh->nlmsg_len;

	if (v->flags > 0xff && nl_put(nlh, len, IFA_FLAGS, sizeof(v->flags), &v->flags) < 0)
		return -EMSGSIZE;
	if (fam == AF_INET && v->label[0] &&
	    nl_put(nlh, len, IFA_LABEL, strnlen(v->label, sizeof(v->label) - 1) + 1, v->label) < 0)
		return -EMSGSIZE;
	/* "brd +" and "brd -" mean nothing on a /31 or /32: no broadcast. */
	if (fam == AF_INET && (v->brd == VRRP_VIP_BRD_EXPLICIT ||
	                       (v->brd != VRRP_VIP_BRD_NONE && v->prefixlen < 31))) {
		if (v->brd == VRRP_VIP_BRD_EXPLICIT)
			brd = v->brd_addr;
		else if (v->brd == VRRP_VIP_BRD_PLUS)
			brd.s_addr = v->addr.u.v4.s_addr | ~v4_mask(v->prefixlen);
		else
			brd.s_addr = v->addr.u.v4.s_addr & v4_mask(v->prefixlen);
		if (nl_put(nlh, len, IFA_BROADCAST, sizeof(brd), &brd) < 0)
			return -EMSGSIZE;
	}
	pref = v->preferred_lft;
	if (pref == VRRP_VIP_LFT_DEFAULT)
		pref = fam == AF_INET6 && v->prefixlen == 128 ? 0 : VRRP_VIP_LFT_FOREVER;
	if (pref < 0 || pref > VRRP_VIP_LFT_FOREVER)
		return -EINVAL;
	if (pref != VRRP_VIP_LFT_FOREVER) {
		memset(&ci, 0, sizeof(ci));
		ci.ifa_prefered = (uint32_t)pref;
		ci.ifa_valid = (uint32_t)VRRP_VIP_LFT_FOREVER;
		if (nl_put(nlh, len, IFA_CACHEINFO, sizeof(ci), &ci) < 0)
			return -EMSGSIZE;
	}
	return (int)nlh->nlmsg_len;
}

const char *vrrp_vip_fmt(const struct vrrp_nl_vip *v, char *buf, size_t len)
{
	char a[KA_ADDRSTRLEN], p[KA_ADDRSTRLEN];

	snprintf(buf, len, "%s/%u%s%s dev %d%s%s", addr_fmt(&v->addr, a, sizeof(a)), v->prefixlen,
	         v->has_peer ? " peer " : "", v->has_peer ? addr_fmt(&v->peer, p, sizeof(p)) : "",
	         v->ifindex, v->label[0] ? " label " : "", v->label);
	return buf;
}

static int vip_request(struct nl_sock *s, const struct vrrp_nl_vip *v, bool add)
{
	union {
		struct nlmsghdr h;
		uint8_t b[512];
	} req;
	char txt[160];
	int r;

	r = vrrp_vip_build(req.b, sizeof(req.b), v, add);
	if (r < 0)
		return r;
	r = nl_request(s, &req.h, VRRP_VIP_ACK_TIMEOUT_MS, NULL, NULL);
	if (add && r == -EEXIST)
		r = 0;
	if (!add && r == -EADDRNOTAVAIL)
		r = 0;
	if (r < 0)
		log_err("netlink: %s %s: %s%s%s", add ? "add" : "delete",
		        vrrp_vip_fmt(v, txt, sizeof(txt)), strerror(-r), s->errmsg[0] ? ": " : "",
		        s->errmsg);
	return r;
}

int vrrp_vip_add(struct nl_sock *s, const struct vrrp_nl_vip *v)
{
	return vip_request(s, v, true);
}

int vrrp_vip_del(struct nl_sock *s, const struct vrrp_nl_vip *v)
{
	return vip_request(s, v, false);
}
