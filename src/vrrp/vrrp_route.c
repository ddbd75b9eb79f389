/* Route and rule lines to rtnetlink requests (see vrrp_route.h). */
#include "vrrp/vrrp_route.h"

#include <endian.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/icmpv6.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/iproute_names.h"
#include "lib/nl.h"

#ifndef RTPROT_KEEPALIVED
#define RTPROT_KEEPALIVED 18
#endif

/* ---- small helpers ---------------------------------------------------------- */

static void say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* Append ", WORD" (or "WORD") to the list of ignored words. */
static void ignored(char *why, size_t len, const char *w)
{
	size_t n;

	if (!why || !len)
		return;
	n = strlen(why);
	if (n + 1 < len)
		snprintf(why + n, len - n, "%s%s", n ? ", " : "", w);
}

static bool num(const char *s, unsigned long long hi, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > hi)
		return false;
	*out = (uint32_t)v;
	return true;
}

struct named {
	const char *name;
	uint32_t val;
};

static bool named_lookup(const struct named *t, const char *s, uint32_t *out)
{
	for (; t->name; t++)
		if (strcmp(t->name, s) == 0) {
			*out = t->val;
			return true;
		}
	return false;
}

static bool table_val(const char *s, uint32_t *out)
{
	static const struct named t[] = {{"unspec", RT_TABLE_UNSPEC},
	                                 {"default", RT_TABLE_DEFAULT},
	                                 {"main", RT_TABLE_MAIN},
	                                 {"local", RT_TABLE_LOCAL},
	                                 {NULL, 0}};

	return num(s, UINT32_MAX, out) || named_lookup(t, s, out) ||
	       iproute_name_lookup("rt_tables", s, out);
}

static bool proto_val(const char *s, uint8_t *out)
{
	static const struct named t[] = {
	    {"unspec", 0}, {"redirect", 1}, {"kernel", 2},    {"boot", 3},
	    {"static", 4}, {"gated", 8},    {"ra", 9},        {"mrt", 10},
	    {"zebra", 11}, {"bird", 12},    {"dnrouted", 13}, {"xorp", 14},
	    {"ntk", 15},   {"dhcp", 16},    {"mrouted", 17},  {"keepalived", RTPROT_KEEPALIVED},
	    {"babel", 42}, {"openr", 99},   {"bgp", 186},     {"isis", 187},
	    {"ospf", 188}, {"rip", 189},    {"eigrp", 192},   {NULL, 0}};
	uint32_t v;

	if (num(s, 255, &v) || named_lookup(t, s, &v) ||
	    (iproute_name_lookup("rt_protos", s, &v) && v <= 255)) {
		*out = (uint8_t)v;
		return true;
	}
	return false;
}

static bool scope_val(const char *s, int *out)
{
	static const struct named t[] = {{"global", RT_SCOPE_UNIVERSE},
	                                 {"universe", RT_SCOPE_UNIVERSE},
	                                 {"site", RT_SCOPE_SITE},
	                                 {"link", RT_SCOPE_LINK},
	                                 {"host", RT_SCOPE_HOST},
	                                 {"nowhere", RT_SCOPE_NOWHERE},
	                                 {NULL, 0}};
	uint32_t v;

	if (num(s, 255, &v) || named_lookup(t, s, &v) ||
	    (iproute_name_lookup("rt_scopes", s, &v) && v <= 255)) {
		*out = (int)v;
		return true;
	}
	return false;
}

static bool realm_val(const char *s, uint32_t *out)
{
	return (num(s, 65535, out) || iproute_name_lookup("rt_realms", s, out)) && *out <= 65535;
}

/* "TO" or "FROM/TO": RTA_FLOW / FRA_FLOW hold FROM << 16 | TO. */
static bool realms_val(const char *s, uint32_t *out)
{
	char buf[128];
	const char *slash = strchr(s, '/');
	uint32_t from, to;

	if (!slash)
		return realm_val(s, out);
	if ((size_t)(slash - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (!realm_val(buf, &from) || !realm_val(slash + 1, &to))
		return false;
	*out = from << 16 | to;
	return true;
}

static bool prefix_val(const char *s, struct ka_addr *a, uint8_t *len)
{
	int plen;
	bool had;

	if (addr_parse_prefix(s, a, &plen, &had) < 0)
		return false;
	*len = (uint8_t)(had ? plen : (a->family == AF_INET ? 32 : 128));
	return true;
}

static const void *addr_bytes(const struct ka_addr *a, size_t *len)
{
	*len = a->family == AF_INET ? sizeof(a->u.v4) : sizeof(a->u.v6);
	return a->family == AF_INET ? (const void *)&a->u.v4 : (const void *)&a->u.v6;
}

/* ---- routes ----------------------------------------------------------------- */

static const struct named route_types[] = {{"unicast", RTN_UNICAST},
                                           {"local", RTN_LOCAL},
                                           {"broadcast", RTN_BROADCAST},
                                           {"anycast", RTN_ANYCAST},
                                           {"multicast", RTN_MULTICAST},
                                           {"blackhole", RTN_BLACKHOLE},
                                           {"unreachable", RTN_UNREACHABLE},
                                           {"prohibit", RTN_PROHIBIT},
                                           {"throw", RTN_THROW},
                                           {"nat", RTN_NAT},
                                           {NULL, 0}};

/* Metrics taking a u32 (possibly after "lock"). */
static const struct named route_metrics[] = {{"mtu", RTAX_MTU},
                                             {"advmss", RTAX_ADVMSS},
                                             {"reordering", RTAX_REORDERING},
                                             {"window", RTAX_WINDOW},
                                             {"cwnd", RTAX_CWND},
                                             {"ssthresh", RTAX_SSTHRESH},
                                             {"initcwnd", RTAX_INITCWND},
                                             {"initrwnd", RTAX_INITRWND},
                                             {"hoplimit", RTAX_HOPLIMIT},
                                             {"quickack", RTAX_QUICKACK},
                                             {"fastopen_no_cookie", RTAX_FASTOPEN_NO_COOKIE},
                                             {NULL, 0}};

/* rtt, rttvar, rto_min: a bare number is in the kernel's units; with a
 * suffix (s, ms, us) it is a time, kept by the kernel as ms * 8 (rtt),
 * ms * 4 (rttvar) or ms (rto_min), as ip route does. */
static bool time_metric(const char *s, unsigned scale, uint32_t *out)
{
	char buf[32];
	size_t n = strlen(s);
	unsigned long long mul = 0, div = 1;
	uint32_t v;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n + 1);
	if (n > 2 && strcmp(buf + n - 2, "ms") == 0) {
		buf[n - 2] = '\0';
		mul = 1;
	} else if (n > 2 && strcmp(buf + n - 2, "us") == 0) {
		buf[n - 2] = '\0';
		mul = 1;
		div = 1000;
	} else if (n > 1 && buf[n - 1] == 's') {
		buf[n - 1] = '\0';
		mul = 1000;
	}
	if (!num(buf, UINT32_MAX, &v))
		return false;
	if (!mul) {
		*out = v;
		return true;
	}
	*out = (uint32_t)((unsigned long long)v * mul / div * scale);
	return true;
}

static void route_defaults(struct vrrp_nl_route *r)
{
	memset(r, 0, sizeof(*r));
	r->type = RTN_UNICAST;
	r->table = RT_TABLE_MAIN;
	r->scope = -1;
	r->protocol = RTPROT_KEEPALIVED;
	r->pref = -1;
}

/* The address after via/gw/src, optionally preceded by inet/inet6. */
static bool route_addr(char *const *argv, int argc, int *pi, struct ka_addr *a)
{
	int i = *pi + 1;

	if (i < argc && (strcmp(argv[i], "inet") == 0 || strcmp(argv[i], "inet6") == 0))
		i++;
	if (i >= argc || addr_parse(argv[i], a) < 0)
		return false;
	*pi = i;
	return true;
}

int vrrp_route_parse(char *const *argv, int argc, struct vrrp_nl_route *r, char *why, size_t whylen)
{
	struct vrrp_nl_nexthop *nh = NULL;
	bool inet6 = false, have_dst = false, partial = false;
	uint32_t v;
	int i = 0;

	route_defaults(r);
	if (why && whylen)
		why[0] = '\0';
	if (argc > 0 && named_lookup(route_types, argv[0], &v)) {
		r->type = (uint8_t)v;
		i++;
	}
	for (; i < argc; i++) {
		const char *w = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		bool lock = false;

		if (strcmp(w, "to") == 0) {
			w = val;
			i++;
			goto dest;
		}
		if (strcmp(w, "inet6") == 0) {
			inet6 = true;
			continue;
		}
		if (strcmp(w, "inet") == 0 || strcmp(w, "no_track") == 0 ||
		    strcmp(w, "prepend") == 0) {
			/* no_track: we never restore routes deleted by someone else. */
			continue;
		}
		if (strcmp(w, "add") == 0) {
			r->mode = VRRP_ROUTE_ADD;
			continue;
		}
		if (strcmp(w, "append") == 0) {
			r->mode = VRRP_ROUTE_APPEND;
			continue;
		}
		if (strcmp(w, "onlink") == 0) {
			if (nh)
				nh->onlink = true;
			else
				r->onlink = true;
			continue;
		}
		if (strcmp(w, "nexthop") == 0) {
			if (r->n_nh >= VRRP_ROUTE_MAX_NH) {
				say(why, whylen, "more than %d nexthops", VRRP_ROUTE_MAX_NH);
				return -1;
			}
			nh = &r->nh[r->n_nh++];
			nh->weight = 1;
			continue;
		}
		if (strcmp(w, "encap") == 0) {
			/* Skip the tunnel's words as the checker does. */
			static const char *const sub[] = {
			    "id", "dst",       "tos",        "ttl",       "hoplimit",
			    "tc", "csum-mode", "ident-type", "hook-type", NULL};
			bool more = true;

			ignored(why, whylen, "encap");
			partial = true;
			i++;
			if (i < argc && (!strcmp(argv[i], "mpls") || !strcmp(argv[i], "ila")))
				i++;
			while (more && i + 2 < argc) {
				more = false;
				for (size_t k = 0; sub[k]; k++)
					if (strcmp(argv[i + 1], sub[k]) == 0)
						more = true;
				if (more)
					i += 2;
			}
			continue;
		}
		if (!val)
			goto dest;
		if (strcmp(w, "via") == 0 || strcmp(w, "gw") == 0) {
			struct ka_addr a;

			if (!route_addr(argv, argc, &i, &a))
				goto bad;
			if (nh) {
				nh->has_gw = true;
				nh->gw = a;
			} else {
				r->has_gw = true;
				r->gw = a;
			}
			continue;
		}
		if (strcmp(w, "src") == 0) {
			if (!route_addr(argv, argc, &i, &r->prefsrc))
				goto bad;
			r->has_prefsrc = true;
			continue;
		}
		if (strcmp(w, "dev") == 0 || strcmp(w, "oif") == 0) {
			snprintf(nh ? nh->dev : r->dev, IFNAMSIZ, "%s", val);
			i++;
			continue;
		}
		if (strcmp(w, "weight") == 0 && nh) {
			if (!num(val, 256, &v) || v < 1)
				goto bad;
			nh->weight = v;
			i++;
			continue;
		}
		if (strcmp(w, "from") == 0) {
			if (!prefix_val(val, &r->from, &r->from_len))
				goto bad;
			r->has_from = true;
			i++;
			continue;
		}
		if (strcmp(w, "table") == 0) {
			if (!table_val(val, &r->table))
				goto bad;
			i++;
			continue;
		}
		if (!strcmp(w, "metric") || !strcmp(w, "priority") || !strcmp(w, "preference")) {
			if (!num(val, UINT32_MAX, &r->metric))
				goto bad;
			r->has_metric = true;
			i++;
			continue;
		}
		if (strcmp(w, "scope") == 0) {
			if (!scope_val(val, &r->scope))
				goto bad;
			i++;
			continue;
		}
		if (strcmp(w, "protocol") == 0 || strcmp(w, "proto") == 0) {
			if (!proto_val(val, &r->protocol))
				goto bad;
			i++;
			continue;
		}
		if (strcmp(w, "tos") == 0 || strcmp(w, "dsfield") == 0) {
			if (!num(val, 255, &v))
				goto bad;
			r->tos = (uint8_t)v;
			i++;
			continue;
		}
		if (strcmp(w, "realms") == 0) {
			if (!realms_val(val, &r->realms))
				goto bad;
			r->has_realms = true;
			i++;
			continue;
		}
		if (strcmp(w, "expires") == 0) {
			if (!num(val, UINT32_MAX, &r->expires))
				goto bad;
			r->has_expires = true;
			i++;
			continue;
		}
		if (strcmp(w, "pref") == 0) {
			r->pref = !strcmp(val, "low")      ? ICMPV6_ROUTER_PREF_LOW
			          : !strcmp(val, "medium") ? ICMPV6_ROUTER_PREF_MEDIUM
			          : !strcmp(val, "high")   ? ICMPV6_ROUTER_PREF_HIGH
			                                   : -1;
			if (r->pref < 0)
				goto bad;
			i++;
			continue;
		}
		if (strcmp(w, "features") == 0) {
			if (strcmp(val, "ecn"))
				goto bad;
			r->metric_val[RTAX_FEATURES] |= RTAX_FEATURE_ECN;
			r->metrics_set |= 1u << RTAX_FEATURES;
			i++;
			continue;
		}
		if (strcmp(w, "vrf") == 0 || strcmp(w, "or") == 0 ||
		    strcmp(w, "track_group") == 0) {
			ignored(why, whylen, w);
			partial = true;
			i++;
			continue;
		}
		{
			int key = -1;
			unsigned scale = 0;

			if (named_lookup(route_metrics, w, &v))
				key = (int)v;
			else if (strcmp(w, "rtt") == 0)
				key = RTAX_RTT, scale = 8;
			else if (strcmp(w, "rttvar") == 0)
				key = RTAX_RTTVAR, scale = 4;
			else if (strcmp(w, "rto_min") == 0)
				key = RTAX_RTO_MIN, scale = 1;
			else if (strcmp(w, "congctl") == 0)
				key = RTAX_CC_ALGO;
			if (key >= 0) {
				if (strcmp(val, "lock") == 0) {
					lock = true;
					if (++i + 1 >= argc)
						goto bad;
					val = argv[i + 1];
				}
				if (key == RTAX_CC_ALGO) {
					if (strlen(val) >= sizeof(r->congctl))
						goto bad;
					snprintf(r->congctl, sizeof(r->congctl), "%s", val);
				} else if (scale ? !time_metric(val, scale, &r->metric_val[key])
				                 : !num(val, UINT32_MAX, &r->metric_val[key])) {
					goto bad;
				} else {
					r->metrics_set |= 1u << key;
				}
				if (lock)
					r->locks |= 1u << key;
				i++;
				continue;
			}
		}
	dest:
		if (!w || have_dst) {
			say(why, whylen, "unexpected word '%s'", w ? w : argv[i - 1]);
			return -1;
		}
		have_dst = true;
		if (strcmp(w, "default") == 0)
			continue;
		if (!prefix_val(w, &r->dst, &r->dst_len)) {
			say(why, whylen, "invalid destination '%s'", w);
			return -1;
		}
		r->has_dst = true;
		continue;
	bad:
		say(why, whylen, "invalid value for '%s'", w);
		return -1;
	}
	if (!have_dst) {
		say(why, whylen, "no destination");
		return -1;
	}
	if (r->has_dst)
		r->family = r->dst.family;
	else if (inet6)
		r->family = AF_INET6;
	else if (r->has_gw)
		r->family = r->gw.family;
	else if (r->n_nh && r->nh[0].has_gw)
		r->family = r->nh[0].gw.family;
	else if (r->has_prefsrc)
		r->family = r->prefsrc.family;
	else
		r->family = AF_INET;
	if ((r->has_prefsrc && r->prefsrc.family != r->family) ||
	    (r->has_from && r->from.family != r->family)) {
		say(why, whylen, "addresses of mixed families");
		return -1;
	}
	return partial ? 1 : 0;
}

static int put_gw(struct nlmsghdr *nlh, size_t len, int family, const struct ka_addr *gw)
{
	size_t al;
	const void *d = addr_bytes(gw, &al);

	if (gw->family == family)
		return nl_put(nlh, len, RTA_GATEWAY, al, d);
	{
		/* A gateway of the other family (IPv4 via IPv6): RTA_VIA. */
		uint8_t via[sizeof(struct rtvia) + 16];
		struct rtvia *rv = (struct rtvia *)via;

		rv->rtvia_family = (sa_family_t)gw->family;
		memcpy(rv->rtvia_addr, d, al);
		return nl_put(nlh, len, RTA_VIA, sizeof(struct rtvia) + al, via);
	}
}

static int put_metrics(struct nlmsghdr *nlh, size_t len, const struct vrrp_nl_route *r)
{
	uint8_t buf[512];
	struct nlattr *a;
	size_t off = 0;

	if (!r->metrics_set && !r->congctl[0] && !r->locks)
		return 0;
		/* Built as a flat list of attributes, then put as RTA_METRICS. */
#define PUT_M(type, l, data)                                                                       \
	do {                                                                                       \
		if (off + NLA_HDRLEN + NLA_ALIGN(l) > sizeof(buf))                                 \
			return -EMSGSIZE;                                                          \
		a = (struct nlattr *)(buf + off);                                                  \
		a->nla_type = (type);                                                              \
		a->nla_len = (uint16_t)(NLA_HDRLEN + (l));                                         \
		memset(buf + off + NLA_HDRLEN, 0, NLA_ALIGN(l));                                   \
		memcpy(buf + off + NLA_HDRLEN, (data), (l));                                       \
		off += NLA_HDRLEN + NLA_ALIGN(l);                                                  \
	} while (0)
	if (r->locks)
		PUT_M(RTAX_LOCK, sizeof(uint32_t), &r->locks);
	for (int k = 1; k <= RTAX_MAX; k++)
		if (k != RTAX_CC_ALGO && r->metrics_set & (1u << k))
			PUT_M(k, sizeof(uint32_t), &r->metric_val[k]);
	if (r->congctl[0])
		PUT_M(RTAX_CC_ALGO, strlen(r->congctl) + 1, r->congctl);
#undef PUT_M
	return nl_put(nlh, len, RTA_METRICS, off, buf);
}

static int put_multipath(struct nlmsghdr *nlh, size_t len, const struct vrrp_nl_route *r)
{
	uint8_t buf[VRRP_ROUTE_MAX_NH * 64];
	size_t off = 0;

	for (size_t k = 0; k < r->n_nh; k++) {
		const struct vrrp_nl_nexthop *h = &r->nh[k];
		struct rtnexthop *rtnh = (struct rtnexthop *)(buf + off);
		size_t start = off;

		memset(rtnh, 0, sizeof(*rtnh));
		rtnh->rtnh_hops = (unsigned char)(h->weight ? h->weight - 1 : 0);
		rtnh->rtnh_ifindex = h->ifindex;
		rtnh->rtnh_flags = h->onlink ? RTNH_F_ONLINK : 0;
		off += RTNH_ALIGN(sizeof(*rtnh));
		if (h->has_gw) {
			size_t al;
			const void *d = addr_bytes(&h->gw, &al);
			struct nlattr *a = (struct nlattr *)(buf + off);
			size_t pl = al;
			uint8_t via[sizeof(struct rtvia) + 16];

			if (h->gw.family != r->family) {
				struct rtvia *rv = (struct rtvia *)via;

				rv->rtvia_family = (sa_family_t)h->gw.family;
				memcpy(rv->rtvia_addr, d, al);
				d = via;
				pl = sizeof(struct rtvia) + al;
			}
			a->nla_type = h->gw.family == r->family ? RTA_GATEWAY : RTA_VIA;
			a->nla_len = (uint16_t)(NLA_HDRLEN + pl);
			memset(buf + off + NLA_HDRLEN, 0, NLA_ALIGN(pl));
			memcpy(buf + off + NLA_HDRLEN, d, pl);
			off += NLA_HDRLEN + NLA_ALIGN(pl);
		}
		rtnh->rtnh_len = (unsigned short)(off - start);
	}
	return nl_put(nlh, len, RTA_MULTIPATH, off, buf);
}

static uint8_t default_scope(const struct vrrp_nl_route *r)
{
	if (r->scope >= 0)
		return (uint8_t)r->scope;
	switch (r->type) {
	case RTN_LOCAL:
	case RTN_NAT:
		return RT_SCOPE_HOST;
	case RTN_BROADCAST:
	case RTN_MULTICAST:
	case RTN_ANYCAST:
		return RT_SCOPE_LINK;
	case RTN_UNICAST:
	case RTN_UNSPEC:
		return r->has_gw || r->n_nh ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	default:
		return RT_SCOPE_UNIVERSE;
	}
}

int vrrp_route_build(void *buf, size_t len, const struct vrrp_nl_route *r, bool add)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	const void *d;
	size_t al;
	int fam = r->family;

	if ((fam != AF_INET && fam != AF_INET6) || (r->has_dst && r->dst.family != fam) ||
	    r->dst_len > (fam == AF_INET ? 32 : 128))
		return -EINVAL;
	if (len < NLMSG_SPACE(sizeof(*rtm)))
		return -EMSGSIZE;
	memset(buf, 0, NLMSG_SPACE(sizeof(*rtm)));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (add) {
		nlh->nlmsg_flags |= NLM_F_CREATE;
		if (r->mode == VRRP_ROUTE_ADD)
			nlh->nlmsg_flags |= NLM_F_EXCL;
		else if (r->mode == VRRP_ROUTE_APPEND)
			nlh->nlmsg_flags |= NLM_F_APPEND;
	}
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)fam;
	rtm->rtm_dst_len = r->has_dst ? r->dst_len : 0;
	rtm->rtm_src_len = r->has_from ? r->from_len : 0;
	rtm->rtm_tos = r->tos;
	rtm->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = r->protocol;
	rtm->rtm_type = r->type;
	/* IPv6 has no route scopes; an IPv4 deletion matches any scope. */
	rtm->rtm_scope = fam == AF_INET6 ? RT_SCOPE_UNIVERSE
	                 : add           ? default_scope(r)
	                                 : (uint8_t)(r->scope >= 0 ? r->scope : RT_SCOPE_NOWHERE);
	rtm->rtm_flags = r->onlink ? RTNH_F_ONLINK : 0;

	if (nl_put(nlh, len, RTA_TABLE, sizeof(r->table), &r->table) < 0)
		return -EMSGSIZE;
	if (r->has_dst) {
		d = addr_bytes(&r->dst, &al);
		if (nl_put(nlh, len, RTA_DST, al, d) < 0)
			return -EMSGSIZE;
	}
	if (r->has_from) {
		d = addr_bytes(&r->from, &al);
		if (nl_put(nlh, len, RTA_SRC, al, d) < 0)
			return -EMSGSIZE;
	}
	if (r->has_prefsrc) {
		d = addr_bytes(&r->prefsrc, &al);
		if (nl_put(nlh, len, RTA_PREFSRC, al, d) < 0)
			return -EMSGSIZE;
	}
	if (r->has_gw && put_gw(nlh, len, fam, &r->gw) < 0)
		return -EMSGSIZE;
	if (r->ifindex > 0 && nl_put(nlh, len, RTA_OIF, sizeof(uint32_t), &r->ifindex) < 0)
		return -EMSGSIZE;
	if (r->has_metric && nl_put(nlh, len, RTA_PRIORITY, sizeof(r->metric), &r->metric) < 0)
		return -EMSGSIZE;
	if (r->has_realms && nl_put(nlh, len, RTA_FLOW, sizeof(r->realms), &r->realms) < 0)
		return -EMSGSIZE;
	if (r->n_nh && put_multipath(nlh, len, r) < 0)
		return -EMSGSIZE;
	if (!add)
		return (int)nlh->nlmsg_len;
	if (put_metrics(nlh, len, r) < 0)
		return -EMSGSIZE;
	if (r->has_expires && nl_put(nlh, len, RTA_EXPIRES, sizeof(r->expires), &r->expires) < 0)
		return -EMSGSIZE;
	if (r->pref >= 0) {
		uint8_t p = (uint8_t)r->pref;

		if (nl_put(nlh, len, RTA_PREF, sizeof(p), &p) < 0)
			return -EMSGSIZE;
	}
	return (int)nlh->nlmsg_len;
}

/* ---- rules ------------------------------------------------------------------ */

static bool range16(const char *s, uint16_t out[2])
{
	char buf[32];
	const char *dash = strchr(s, '-');
	uint32_t a, b;

	if (!dash) {
		if (!num(s, 65535, &a))
			return false;
		out[0] = out[1] = (uint16_t)a;
		return true;
	}
	if ((size_t)(dash - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, (size_t)(dash - s));
	buf[dash - s] = '\0';
	if (!num(buf, 65535, &a) || !num(dash + 1, 65535, &b) || a > b)
		return false;
	out[0] = (uint16_t)a;
	out[1] = (uint16_t)b;
	return true;
}

static bool rule_addr(const char *s, struct ka_addr *a, uint8_t *len, bool *has)
{
	if (strcmp(s, "all") == 0 || strcmp(s, "default") == 0) {
		*has = false;
		return true;
	}
	*has = prefix_val(s, a, len);
	return *has;
}

int vrrp_rule_parse(char *const *argv, int argc, struct vrrp_nl_rule *r, char *why, size_t whylen)
{
	static const struct named actions[] = {{"blackhole", FR_ACT_BLACKHOLE},
	                                       {"unreachable", FR_ACT_UNREACHABLE},
	                                       {"prohibit", FR_ACT_PROHIBIT},
	                                       {"nop", FR_ACT_NOP},
	                                       {NULL, 0}};
	bool inet6 = false, partial = false;
	uint32_t v;

	memset(r, 0, sizeof(*r));
	r->action = FR_ACT_TO_TBL;
	r->table = RT_TABLE_MAIN;
	r->protocol = RTPROT_KEEPALIVED;
	if (why && whylen)
		why[0] = '\0';
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(w, "not") == 0) {
			r->invert = true;
			continue;
		}
		if (strcmp(w, "no_track") == 0)
			continue;
		if (strcmp(w, "inet6") == 0) {
			inet6 = true;
			continue;
		}
		if (strcmp(w, "l3mdev") == 0) {
			r->l3mdev = true;
			continue;
		}
		if (named_lookup(actions, w, &v)) {
			r->action = (uint8_t)v;
			continue;
		}
		if (!val) {
			say(why, whylen, "unexpected word '%s'", w);
			return -1;
		}
		i++;
		if (strcmp(w, "from") == 0) {
			if (!rule_addr(val, &r->from, &r->from_len, &r->has_from) &&
			    strcmp(val, "all") && strcmp(val, "default"))
				goto bad;
		} else if (strcmp(w, "to") == 0) {
			if (!rule_addr(val, &r->to, &r->to_len, &r->has_to) && strcmp(val, "all") &&
			    strcmp(val, "default"))
				goto bad;
		} else if (!strcmp(w, "priority") || !strcmp(w, "preference") ||
		           !strcmp(w, "order")) {
			if (!num(val, UINT32_MAX, &r->priority))
				goto bad;
			r->has_priority = true;
		} else if (strcmp(w, "table") == 0 || strcmp(w, "lookup") == 0) {
			if (!table_val(val, &r->table))
				goto bad;
			r->action = FR_ACT_TO_TBL;
		} else if (strcmp(w, "goto") == 0) {
			if (!num(val, UINT32_MAX, &r->goto_prio))
				goto bad;
			r->action = FR_ACT_GOTO;
		} else if (strcmp(w, "type") == 0) {
			if (!named_lookup(actions, val, &v))
				goto bad;
			r->action = (uint8_t)v;
		} else if (strcmp(w, "fwmark") == 0) {
			char buf[32];
			const char *slash = strchr(val, '/');

			if (slash && (size_t)(slash - val) < sizeof(buf)) {
				memcpy(buf, val, (size_t)(slash - val));
				buf[slash - val] = '\0';
				if (!num(buf, UINT32_MAX, &r->fwmark) ||
				    !num(slash + 1, UINT32_MAX, &r->fwmask))
					goto bad;
				r->has_fwmask = true;
			} else if (slash || !num(val, UINT32_MAX, &r->fwmark)) {
				goto bad;
			}
			r->has_fwmark = true;
		} else if (strcmp(w, "tos") == 0 || strcmp(w, "dsfield") == 0) {
			if (!num(val, 255, &v))
				goto bad;
			r->tos = (uint8_t)v;
		} else if (strcmp(w, "realms") == 0) {
			if (!realms_val(val, &r->realms))
				goto bad;
			r->has_realms = true;
		} else if (strcmp(w, "iif") == 0) {
			snprintf(r->iif, sizeof(r->iif), "%s", val);
		} else if (strcmp(w, "oif") == 0) {
			snprintf(r->oif, sizeof(r->oif), "%s", val);
		} else if (strcmp(w, "uidrange") == 0) {
			char buf[32];
			const char *dash = strchr(val, '-');

			if (!dash || (size_t)(dash - val) >= sizeof(buf))
				goto bad;
			memcpy(buf, val, (size_t)(dash - val));
			buf[dash - val] = '\0';
			if (!num(buf, UINT32_MAX, &r->uid_start) ||
			    !num(dash + 1, UINT32_MAX, &r->uid_end))
				goto bad;
			r->has_uidrange = true;
		} else if (strcmp(w, "ipproto") == 0) {
			struct protoent *pe;

			if (num(val, 255, &v)) {
				r->ipproto = (uint8_t)v;
			} else if (!strcmp(val, "ipv6-icmp")) {
				r->ipproto = IPPROTO_ICMPV6;
			} else if ((pe = getprotobyname(val)) != NULL) {
				r->ipproto = (uint8_t)pe->p_proto;
			} else {
				static const struct named p[] = {{"tcp", IPPROTO_TCP},
				                                 {"udp", IPPROTO_UDP},
				                                 {"icmp", IPPROTO_ICMP},
				                                 {"sctp", IPPROTO_SCTP},
				                                 {"udplite", IPPROTO_UDPLITE},
				                                 {"gre", IPPROTO_GRE},
				                                 {"esp", IPPROTO_ESP},
				                                 {"ah", IPPROTO_AH},
				                                 {NULL, 0}};

				if (!named_lookup(p, val, &v))
					goto bad;
				r->ipproto = (uint8_t)v;
			}
			r->has_ipproto = true;
		} else if (strcmp(w, "sport") == 0) {
			if (!range16(val, r->sport))
				goto bad;
			r->has_sport = true;
		} else if (strcmp(w, "dport") == 0) {
			if (!range16(val, r->dport))
				goto bad;
			r->has_dport = true;
		} else if (strcmp(w, "suppress_prefixlength") == 0) {
			if (!num(val, UINT32_MAX, &r->suppress_prefixlen))
				goto bad;
			r->has_suppress_prefixlen = true;
		} else if (strcmp(w, "suppress_ifgroup") == 0) {
			if (!num(val, UINT32_MAX, &r->suppress_ifgroup) &&
			    !iproute_name_lookup("group", val, &r->suppress_ifgroup))
				goto bad;
			r->has_suppress_ifgroup = true;
		} else if (strcmp(w, "tunnel-id") == 0) {
			if (!num(val, UINT32_MAX, &v))
				goto bad;
			r->tun_id = v;
			r->has_tun_id = true;
		} else if (strcmp(w, "protocol") == 0) {
			if (!proto_val(val, &r->protocol))
				goto bad;
		} else if (strcmp(w, "track_group") == 0) {
			ignored(why, whylen, w);
			partial = true;
		} else {
			say(why, whylen, "unknown rule option '%s'", w);
			return -1;
		}
		continue;
	bad:
		say(why, whylen, "invalid value '%s' for '%s'", val, w);
		return -1;
	}
	r->family = r->has_from ? r->from.family
	            : r->has_to ? r->to.family
	            : inet6     ? AF_INET6
	                        : AF_INET;
	if (r->has_from && r->has_to && r->from.family != r->to.family) {
		say(why, whylen, "addresses of mixed families");
		return -1;
	}
	if (r->l3mdev)
		r->action = FR_ACT_TO_TBL;
	return partial ? 1 : 0;
}

int vrrp_rule_build(void *buf, size_t len, const struct vrrp_nl_rule *r, bool add)
{
	struct nlmsghdr *nlh;
	struct fib_rule_hdr *frh;
	const void *d;
	size_t al;

	if (r->family != AF_INET && r->family != AF_INET6)
		return -EINVAL;
	if (len < NLMSG_SPACE(sizeof(*frh)))
		return -EMSGSIZE;
	memset(buf, 0, NLMSG_SPACE(sizeof(*frh)));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWRULE : RTM_DELRULE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (add)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = (uint8_t)r->family;
	frh->dst_len = r->has_to ? r->to_len : 0;
	frh->src_len = r->has_from ? r->from_len : 0;
	frh->tos = r->tos;
	frh->action = r->action;
	frh->flags = r->invert ? FIB_RULE_INVERT : 0;
	if (r->action == FR_ACT_TO_TBL && !r->l3mdev)
		frh->table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;

#define PUT(t, l, p)                                                                               \
	do {                                                                                       \
		if (nl_put(nlh, len, (t), (l), (p)) < 0)                                           \
			return -EMSGSIZE;                                                          \
	} while (0)
	if (r->has_from) {
		d = addr_bytes(&r->from, &al);
		PUT(FRA_SRC, al, d);
	}
	if (r->has_to) {
		d = addr_bytes(&r->to, &al);
		PUT(FRA_DST, al, d);
	}
	if (r->has_priority)
		PUT(FRA_PRIORITY, sizeof(r->priority), &r->priority);
	if (r->action == FR_ACT_TO_TBL && !r->l3mdev)
		PUT(FRA_TABLE, sizeof(r->table), &r->table);
	if (r->action == FR_ACT_GOTO)
		PUT(FRA_GOTO, sizeof(r->goto_prio), &r->goto_prio);
	if (r->has_fwmark)
		PUT(FRA_FWMARK, sizeof(r->fwmark), &r->fwmark);
	if (r->has_fwmask)
		PUT(FRA_FWMASK, sizeof(r->fwmask), &r->fwmask);
	if (r->has_realms)
		PUT(FRA_FLOW, sizeof(r->realms), &r->realms);
	if (r->iif[0])
		PUT(FRA_IIFNAME, strlen(r->iif) + 1, r->iif);
	if (r->oif[0])
		PUT(FRA_OIFNAME, strlen(r->oif) + 1, r->oif);
	if (r->has_suppress_prefixlen)
		PUT(FRA_SUPPRESS_PREFIXLEN, sizeof(uint32_t), &r->suppress_prefixlen);
	if (r->has_suppress_ifgroup)
		PUT(FRA_SUPPRESS_IFGROUP, sizeof(uint32_t), &r->suppress_ifgroup);
	if (r->has_uidrange) {
		struct fib_rule_uid_range u = {.start = r->uid_start, .end = r->uid_end};

		PUT(FRA_UID_RANGE, sizeof(u), &u);
	}
	if (r->has_ipproto)
		PUT(FRA_IP_PROTO, sizeof(r->ipproto), &r->ipproto);
	if (r->has_sport) {
		struct fib_rule_port_range p = {.start = r->sport[0], .end = r->sport[1]};

		PUT(FRA_SPORT_RANGE, sizeof(p), &p);
	}
	if (r->has_dport) {
		struct fib_rule_port_range p = {.start = r->dport[0], .end = r->dport[1]};

		PUT(FRA_DPORT_RANGE, sizeof(p), &p);
	}
	if (r->l3mdev) {
		uint8_t one = 1;

		PUT(FRA_L3MDEV, sizeof(one), &one);
	}
	if (r->has_tun_id) {
		uint64_t be = htobe64(r->tun_id);

		PUT(FRA_TUN_ID, sizeof(be), &be);
	}
	PUT(FRA_PROTOCOL, sizeof(r->protocol), &r->protocol);
#undef PUT
	return (int)nlh->nlmsg_len;
}
