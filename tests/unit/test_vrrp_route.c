/* virtual_routes / virtual_rules lines to rtnetlink requests
 * (src/vrrp/vrrp_route.c): every option's attribute, IPv4 and IPv6,
 * defaults, add/delete flags, multipath, rules. */
#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "check.h"
#include "lib/nl.h"
#include "vrrp/vrrp_route.h"

#define RTPROT_KA 18

static char words[512];
static char *argv_[64];

static int split(const char *line)
{
	int n = 0;

	snprintf(words, sizeof(words), "%s", line);
	for (char *t = strtok(words, " "); t && n < 63; t = strtok(NULL, " "))
		argv_[n++] = t;
	argv_[n] = NULL;
	return n;
}

static uint8_t buf[4096];
static const struct nlattr *tb[64];

static int parse_route(const char *line, struct vrrp_nl_route *r)
{
	char why[160];
	int n = split(line);

	return vrrp_route_parse(argv_, n, r, why, sizeof(why));
}

/* Build and parse back: the rtmsg and its attributes in tb. */
static const struct rtmsg *route_msg(const struct vrrp_nl_route *r, bool add)
{
	int len = vrrp_route_build(buf, sizeof(buf), r, add);
	const struct nlmsghdr *nlh = (const void *)buf;

	CHECK(len > 0);
	if (len <= 0)
		return NULL;
	CHECK_INT(nlh->nlmsg_len, len);
	CHECK(nl_attr_parse_msg(nlh, sizeof(struct rtmsg), tb, RTA_MAX) == 0);
	return nl_msg_payload(nlh, sizeof(struct rtmsg));
}

static bool attr_addr(const struct nlattr *a, int family, const char *want)
{
	struct ka_addr x, w;

	return a && nl_attr_addr(a, family, &x) && addr_parse(want, &w) == 0 && addr_equal(&x, &w);
}

static uint32_t attr_u32(const struct nlattr *a)
{
	uint32_t v = 0xdeadbeef;

	nl_attr_u32(a, &v);
	return v;
}

static void test_route_v4_options(void)
{
	struct vrrp_nl_route r;
	const struct rtmsg *rtm;
	const struct nlattr *m[RTAX_MAX + 1];
	const struct nlmsghdr *nlh = (const void *)buf;

	CHECK_INT(parse_route("192.0.2.0/24 via 198.51.100.1 dev eth0 metric 10 table 100 src "
	                      "198.51.100.5 scope link protocol static onlink mtu lock 1400 tos 4 "
	                      "realms 1/2 advmss 1300 rtt 10ms hoplimit 9 features ecn",
	                      &r),
	          0);
	CHECK_STR(r.dev, "eth0");
	r.ifindex = 7;
	rtm = route_msg(&r, true);
	if (!rtm)
		return;
	CHECK_INT(nlh->nlmsg_type, RTM_NEWROUTE);
	CHECK_INT(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE); /* prepend */
	CHECK_INT(rtm->rtm_family, AF_INET);
	CHECK_INT(rtm->rtm_dst_len, 24);
	CHECK_INT(rtm->rtm_table, 100);
	CHECK_INT(rtm->rtm_scope, RT_SCOPE_LINK);
	CHECK_INT(rtm->rtm_protocol, RTPROT_STATIC);
	CHECK_INT(rtm->rtm_type, RTN_UNICAST);
	CHECK_INT(rtm->rtm_tos, 4);
	CHECK(rtm->rtm_flags & RTNH_F_ONLINK);
	CHECK(attr_addr(tb[RTA_DST], AF_INET, "192.0.2.0"));
	CHECK(attr_addr(tb[RTA_GATEWAY], AF_INET, "198.51.100.1"));
	CHECK(attr_addr(tb[RTA_PREFSRC], AF_INET, "198.51.100.5"));
	CHECK_INT(attr_u32(tb[RTA_OIF]), 7);
	CHECK_INT(attr_u32(tb[RTA_PRIORITY]), 10);
	CHECK_INT(attr_u32(tb[RTA_TABLE]), 100);
	CHECK_INT(attr_u32(tb[RTA_FLOW]), 1 << 16 | 2);
	CHECK(tb[RTA_METRICS] != NULL);
	if (tb[RTA_METRICS] && nl_attr_parse_nested(tb[RTA_METRICS], m, RTAX_MAX) == 0) {
		CHECK_INT(attr_u32(m[RTAX_MTU]), 1400);
		CHECK_INT(attr_u32(m[RTAX_LOCK]), 1u << RTAX_MTU);
		CHECK_INT(attr_u32(m[RTAX_ADVMSS]), 1300);
		CHECK_INT(attr_u32(m[RTAX_RTT]), 80); /* ms * 8 */
		CHECK_INT(attr_u32(m[RTAX_HOPLIMIT]), 9);
		CHECK_INT(attr_u32(m[RTAX_FEATURES]), RTAX_FEATURE_ECN);
		CHECK(m[RTAX_WINDOW] == NULL);
	}

	/* Deletion: same key, any scope, no metrics. */
	rtm = route_msg(&r, false);
	if (!rtm)
		return;
	CHECK_INT(nlh->nlmsg_type, RTM_DELROUTE);
	CHECK_INT(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	CHECK_INT(rtm->rtm_scope, RT_SCOPE_LINK); /* given explicitly: kept */
	CHECK(tb[RTA_METRICS] == NULL);
	CHECK(attr_addr(tb[RTA_GATEWAY], AF_INET, "198.51.100.1"));
	CHECK_INT(attr_u32(tb[RTA_PRIORITY]), 10);
}

static void test_route_defaults(void)
{
	struct vrrp_nl_route r;
	const struct rtmsg *rtm;
	const struct nlmsghdr *nlh = (const void *)buf;

	/* Gatewayless: scope link, main table, proto keepalived, /32. */
	CHECK_INT(parse_route("192.0.2.128 dev eth0", &r), 0);
	r.ifindex = 3;
	rtm = route_msg(&r, true);
	if (rtm) {
		CHECK_INT(rtm->rtm_dst_len, 32);
		CHECK_INT(rtm->rtm_scope, RT_SCOPE_LINK);
		CHECK_INT(rtm->rtm_table, RT_TABLE_MAIN);
		CHECK_INT(attr_u32(tb[RTA_TABLE]), RT_TABLE_MAIN);
		CHECK_INT(rtm->rtm_protocol, RTPROT_KA);
		CHECK(tb[RTA_PRIORITY] == NULL && tb[RTA_GATEWAY] == NULL);
	}
	rtm = route_msg(&r, false);
	if (rtm)
		CHECK_INT(rtm->rtm_scope, RT_SCOPE_NOWHERE); /* matches any scope */

	/* default via GW: scope universe, no RTA_DST; `add` = exclusive. */
	CHECK_INT(parse_route("default via 192.0.2.1 add table 200", &r), 0);
	rtm = route_msg(&r, true);
	if (rtm) {
		CHECK_INT(rtm->rtm_family, AF_INET);
		CHECK_INT(rtm->rtm_dst_len, 0);
		CHECK(tb[RTA_DST] == NULL);
		CHECK_INT(rtm->rtm_scope, RT_SCOPE_UNIVERSE);
		CHECK_INT(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	}
	/* The family of "default" follows the gateway, or inet6. */
	CHECK_INT(parse_route("to default via 2001:db8::1 append", &r), 0);
	CHECK_INT(r.family, AF_INET6);
	rtm = route_msg(&r, true);
	if (rtm)
		CHECK_INT(nlh->nlmsg_flags,
		          NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_APPEND);
	CHECK_INT(parse_route("default inet6 dev eth0", &r), 0);
	CHECK_INT(r.family, AF_INET6);

	/* Big table numbers only in RTA_TABLE. */
	CHECK_INT(parse_route("192.0.2.0/24 dev eth0 table 100000", &r), 0);
	rtm = route_msg(&r, true);
	if (rtm) {
		CHECK_INT(rtm->rtm_table, RT_TABLE_UNSPEC);
		CHECK_INT(attr_u32(tb[RTA_TABLE]), 100000);
	}
	CHECK_INT(parse_route("192.0.2.0/24 dev eth0 table main", &r), 0);
	CHECK_INT(r.table, RT_TABLE_MAIN);
}

static void test_route_types(void)
{
	static const struct {
		const char *line;
		int type;
	} t[] = {{"blackhole 203.0.113.0/24 table 5", RTN_BLACKHOLE},
	         {"unreachable 203.0.113.0/24", RTN_UNREACHABLE},
	         {"prohibit 2001:db8:5::/48", RTN_PROHIBIT},
	         {"throw 203.0.113.0/25", RTN_THROW}};
	struct vrrp_nl_route r;
	const struct rtmsg *rtm;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK_INT(parse_route(t[i].line, &r), 0);
		rtm = route_msg(&r, true);
		if (!rtm)
			continue;
		CHECK_INT(rtm->rtm_type, t[i].type);
		CHECK_INT(rtm->rtm_scope, RT_SCOPE_UNIVERSE);
		CHECK(tb[RTA_OIF] == NULL && tb[RTA_GATEWAY] == NULL);
	}
	CHECK_INT(parse_route("local 192.0.2.9 dev lo table local", &r), 0);
	rtm = route_msg(&r, true);
	if (rtm) {
		CHECK_INT(rtm->rtm_type, RTN_LOCAL);
		CHECK_INT(rtm->rtm_scope, RT_SCOPE_HOST);
		CHECK_INT(rtm->rtm_table, RT_TABLE_LOCAL);
	}
}

static void test_route_v6(void)
{
	struct vrrp_nl_route r;
	const struct rtmsg *rtm;
	uint8_t pref = 0xff;

	CHECK_INT(parse_route("2001:db8:1::/48 via 2001:db8::1 dev eth0 metric 1024 expires 30 "
	                      "pref high from 2001:db8:2::/64 src 2001:db8::10",
	                      &r),
	          0);
	r.ifindex = 2;
	rtm = route_msg(&r, true);
	if (!rtm)
		return;
	CHECK_INT(rtm->rtm_family, AF_INET6);
	CHECK_INT(rtm->rtm_dst_len, 48);
	CHECK_INT(rtm->rtm_src_len, 64);
	CHECK_INT(rtm->rtm_scope, RT_SCOPE_UNIVERSE);
	CHECK(attr_addr(tb[RTA_DST], AF_INET6, "2001:db8:1::"));
	CHECK(attr_addr(tb[RTA_SRC], AF_INET6, "2001:db8:2::"));
	CHECK(attr_addr(tb[RTA_GATEWAY], AF_INET6, "2001:db8::1"));
	CHECK(attr_addr(tb[RTA_PREFSRC], AF_INET6, "2001:db8::10"));
	CHECK_INT(attr_u32(tb[RTA_EXPIRES]), 30);
	CHECK_INT(attr_u32(tb[RTA_PRIORITY]), 1024);
	CHECK(nl_attr_u8(tb[RTA_PREF], &pref));
	CHECK_INT(pref, 1); /* ICMPV6_ROUTER_PREF_HIGH */

	/* An IPv4 route through an IPv6 gateway: RTA_VIA. */
	CHECK_INT(parse_route("192.0.2.0/24 via inet6 fe80::1 dev eth0", &r), 0);
	r.ifindex = 2;
	rtm = route_msg(&r, true);
	if (rtm) {
		size_t l = 0;
		const struct rtvia *v = nl_attr_data(tb[RTA_VIA], &l);

		CHECK_INT(rtm->rtm_family, AF_INET);
		CHECK(tb[RTA_GATEWAY] == NULL);
		CHECK(v && l == sizeof(*v) + 16 && v->rtvia_family == AF_INET6);
	}
	/* Mixed families are refused. */
	CHECK_INT(parse_route("192.0.2.0/24 src 2001:db8::1", &r), -1);
}

static void test_route_multipath(void)
{
	struct vrrp_nl_route r;
	const struct rtmsg *rtm;
	const struct rtnexthop *nh;
	const struct nlattr *a[RTA_MAX + 1];
	size_t len = 0;

	CHECK_INT(parse_route("192.0.2.0/24 table 9 nexthop via 198.51.100.1 dev eth0 weight 2 "
	                      "nexthop via 198.51.100.2 dev eth1 onlink",
	                      &r),
	          0);
	CHECK_INT(r.n_nh, 2);
	CHECK_STR(r.nh[1].dev, "eth1");
	r.nh[0].ifindex = 4;
	r.nh[1].ifindex = 5;
	rtm = route_msg(&r, true);
	if (!rtm)
		return;
	CHECK_INT(rtm->rtm_scope, RT_SCOPE_UNIVERSE);
	nh = nl_attr_data(tb[RTA_MULTIPATH], &len);
	CHECK(nh != NULL && len >= 2 * sizeof(*nh));
	if (!nh || len < sizeof(*nh))
		return;
	CHECK_INT(nh->rtnh_ifindex, 4);
	CHECK_INT(nh->rtnh_hops, 1);
	CHECK_INT(nh->rtnh_flags, 0);
	CHECK(nl_attr_parse(RTNH_DATA(nh), nh->rtnh_len - RTNH_LENGTH(0), a, RTA_MAX) == 0);
	CHECK(attr_addr(a[RTA_GATEWAY], AF_INET, "198.51.100.1"));
	CHECK(nh->rtnh_len < len);
	if (nh->rtnh_len >= len)
		return;
	nh = (const struct rtnexthop *)((const uint8_t *)nh + RTNH_ALIGN(nh->rtnh_len));
	CHECK_INT(nh->rtnh_ifindex, 5);
	CHECK_INT(nh->rtnh_hops, 0);
	CHECK_INT(nh->rtnh_flags, RTNH_F_ONLINK);
	CHECK(nl_attr_parse(RTNH_DATA(nh), nh->rtnh_len - RTNH_LENGTH(0), a, RTA_MAX) == 0);
	CHECK(attr_addr(a[RTA_GATEWAY], AF_INET, "198.51.100.2"));
}

static void test_route_unsupported(void)
{
	struct vrrp_nl_route r;
	char why[160];
	int n = split("192.0.2.0/24 dev eth0 vrf blue encap mpls 100 track_group G no_track");

	CHECK_INT(vrrp_route_parse(argv_, n, &r, why, sizeof(why)), 1);
	CHECK(strstr(why, "vrf") && strstr(why, "encap") && strstr(why, "track_group"));
	CHECK_STR(r.dev, "eth0");
	n = split("192.0.2.0/24 dev");
	CHECK_INT(vrrp_route_parse(argv_, n, &r, why, sizeof(why)), -1);
	n = split("dev eth0");
	CHECK_INT(vrrp_route_parse(argv_, n, &r, why, sizeof(why)), -1);
}

/* ---- rules ---- */

static const struct fib_rule_hdr *rule_msg(const char *line, struct vrrp_nl_rule *r, bool add)
{
	char why[160];
	int n = split(line), len;
	const struct nlmsghdr *nlh = (const void *)buf;

	CHECK_INT(vrrp_rule_parse(argv_, n, r, why, sizeof(why)), 0);
	len = vrrp_rule_build(buf, sizeof(buf), r, add);
	CHECK(len > 0);
	if (len <= 0)
		return NULL;
	CHECK(nl_attr_parse_msg(nlh, sizeof(struct fib_rule_hdr), tb, FRA_MAX) == 0);
	return nl_msg_payload(nlh, sizeof(struct fib_rule_hdr));
}

static void test_rules(void)
{
	struct vrrp_nl_rule r;
	const struct fib_rule_hdr *f;
	const struct nlmsghdr *nlh = (const void *)buf;
	char s[IFNAMSIZ];
	uint8_t u8 = 0;
	char why[160];
	int n;

	f = rule_msg("from 192.0.2.0/24 to 198.51.100.0/25 table 100 priority 200 fwmark 5/0xff "
	             "iif eth0 oif eth1 not tos 4 realms 3",
	             &r, true);
	if (f) {
		CHECK_INT(nlh->nlmsg_type, RTM_NEWRULE);
		CHECK_INT(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
		CHECK_INT(f->family, AF_INET);
		CHECK_INT(f->src_len, 24);
		CHECK_INT(f->dst_len, 25);
		CHECK_INT(f->tos, 4);
		CHECK_INT(f->table, 100);
		CHECK_INT(f->action, FR_ACT_TO_TBL);
		CHECK_INT(f->flags, FIB_RULE_INVERT);
		CHECK(attr_addr(tb[FRA_SRC], AF_INET, "192.0.2.0"));
		CHECK(attr_addr(tb[FRA_DST], AF_INET, "198.51.100.0"));
		CHECK_INT(attr_u32(tb[FRA_TABLE]), 100);
		CHECK_INT(attr_u32(tb[FRA_PRIORITY]), 200);
		CHECK_INT(attr_u32(tb[FRA_FWMARK]), 5);
		CHECK_INT(attr_u32(tb[FRA_FWMASK]), 0xff);
		CHECK_INT(attr_u32(tb[FRA_FLOW]), 3);
		CHECK(nl_attr_str(tb[FRA_IIFNAME], s, sizeof(s)) && !strcmp(s, "eth0"));
		CHECK(nl_attr_str(tb[FRA_OIFNAME], s, sizeof(s)) && !strcmp(s, "eth1"));
		CHECK(nl_attr_u8(tb[FRA_PROTOCOL], &u8) && u8 == RTPROT_KA);
	}
	f = rule_msg("from 192.0.2.0/24 table 100 priority 200", &r, false);
	if (f) {
		CHECK_INT(nlh->nlmsg_type, RTM_DELRULE);
		CHECK_INT(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
		CHECK(tb[FRA_FWMARK] == NULL && tb[FRA_DST] == NULL);
	}
	/* IPv6, a table above 255, `lookup`, `preference`. */
	f = rule_msg("from 2001:db8::/32 lookup 1000 preference 10", &r, true);
	if (f) {
		CHECK_INT(f->family, AF_INET6);
		CHECK_INT(f->src_len, 32);
		CHECK_INT(f->table, RT_TABLE_UNSPEC);
		CHECK_INT(attr_u32(tb[FRA_TABLE]), 1000);
		CHECK_INT(attr_u32(tb[FRA_PRIORITY]), 10);
		CHECK(attr_addr(tb[FRA_SRC], AF_INET6, "2001:db8::"));
	}
	f = rule_msg("inet6 priority 7 table main", &r, true);
	if (f) {
		CHECK_INT(f->family, AF_INET6);
		CHECK_INT(f->src_len, 0);
		CHECK(tb[FRA_SRC] == NULL);
		CHECK_INT(attr_u32(tb[FRA_TABLE]), RT_TABLE_MAIN);
	}
	/* Actions other than a table. */
	f = rule_msg("to 192.0.2.1 blackhole priority 5", &r, true);
	if (f) {
		CHECK_INT(f->action, FR_ACT_BLACKHOLE);
		CHECK_INT(f->dst_len, 32);
		CHECK(tb[FRA_TABLE] == NULL);
	}
	f = rule_msg("from all priority 3 goto 10", &r, true);
	if (f) {
		CHECK_INT(f->action, FR_ACT_GOTO);
		CHECK_INT(attr_u32(tb[FRA_GOTO]), 10);
		CHECK(tb[FRA_SRC] == NULL);
	}
	f = rule_msg("priority 4 type unreachable", &r, true);
	if (f)
		CHECK_INT(f->action, FR_ACT_UNREACHABLE);
	f = rule_msg("priority 4 l3mdev", &r, true);
	if (f) {
		CHECK(nl_attr_u8(tb[FRA_L3MDEV], &u8) && u8 == 1);
		CHECK(tb[FRA_TABLE] == NULL);
	}
	/* Selectors added in later kernels. */
	f = rule_msg("priority 9 ipproto tcp sport 10-20 dport 80 uidrange 1000-2000 "
	             "suppress_prefixlength 0 fwmark 0x10 protocol 99 table 7",
	             &r, true);
	if (f) {
		size_t l = 0;
		const struct fib_rule_port_range *p;
		const struct fib_rule_uid_range *u;

		CHECK(nl_attr_u8(tb[FRA_IP_PROTO], &u8) && u8 == IPPROTO_TCP);
		p = nl_attr_data(tb[FRA_SPORT_RANGE], &l);
		CHECK(p && l == sizeof(*p) && p->start == 10 && p->end == 20);
		p = nl_attr_data(tb[FRA_DPORT_RANGE], &l);
		CHECK(p && p->start == 80 && p->end == 80);
		u = nl_attr_data(tb[FRA_UID_RANGE], &l);
		CHECK(u && l == sizeof(*u) && u->start == 1000 && u->end == 2000);
		CHECK_INT(attr_u32(tb[FRA_SUPPRESS_PREFIXLEN]), 0);
		CHECK_INT(attr_u32(tb[FRA_FWMARK]), 0x10);
		CHECK(tb[FRA_FWMASK] == NULL);
		CHECK(nl_attr_u8(tb[FRA_PROTOCOL], &u8) && u8 == 99);
	}
	/* Refused and partial lines. */
	n = split("from 192.0.2.0/24 to 2001:db8::/32 priority 1");
	CHECK_INT(vrrp_rule_parse(argv_, n, &r, why, sizeof(why)), -1);
	n = split("from 192.0.2.0/24 priority 1 track_group G");
	CHECK_INT(vrrp_rule_parse(argv_, n, &r, why, sizeof(why)), 1);
	CHECK(strstr(why, "track_group") != NULL);
	n = split("from 192.0.2.0/24 priority");
	CHECK_INT(vrrp_rule_parse(argv_, n, &r, why, sizeof(why)), -1);
}

int main(void)
{
	test_route_v4_options();
	test_route_defaults();
	test_route_types();
	test_route_v6();
	test_route_multipath();
	test_route_unsupported();
	test_rules();
	return check_report("test_vrrp_route");
}
