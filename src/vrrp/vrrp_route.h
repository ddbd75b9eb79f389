/* Routes and policy rules (virtual_routes, virtual_rules, static_routes,
 * static_rules) as rtnetlink requests: the configured words (already
 * validated by keywords_addr.c) are turned into a struct, and the struct
 * into an RTM_NEWROUTE / RTM_DELROUTE / RTM_NEWRULE / RTM_DELRULE message.
 * Both steps are pure except that names of tables, protocols, scopes and
 * realms are looked up in iproute2's files (/etc/iproute2/rt_tables, ...).
 * Interfaces stay names here: the runtime fills the ifindexes.
 *
 * Defaults follow `ip route add` / `ip rule add`, except the protocol,
 * which is RTPROT_KEEPALIVED ("proto keepalived") unless configured, so
 * that our entries are recognisable in `ip route` / `ip rule`.  A route
 * is prepended (NLM_F_CREATE) unless `add` (NLM_F_EXCL) or `append`
 * (NLM_F_APPEND) says otherwise; a rule is added with NLM_F_EXCL so that
 * adding it twice does not duplicate it (the runtime takes EEXIST as
 * success). */
#ifndef KA_VRRP_ROUTE_H
#define KA_VRRP_ROUTE_H

#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

#define VRRP_ROUTE_MAX_NH 16

enum vrrp_route_mode {
	VRRP_ROUTE_PREPEND = 0, /* the default: NLM_F_CREATE */
	VRRP_ROUTE_ADD,         /* `add`: NLM_F_CREATE | NLM_F_EXCL */
	VRRP_ROUTE_APPEND,      /* `append`: NLM_F_CREATE | NLM_F_APPEND */
};

/* One `nexthop via GW dev IF weight W onlink` of a multipath route. */
struct vrrp_nl_nexthop {
	bool has_gw;
	struct ka_addr gw;
	char dev[IFNAMSIZ]; /* "" = none */
	int ifindex;        /* runtime: resolved dev, 0 = none */
	unsigned weight;    /* 1..256; default 1 */
	bool onlink;
};

struct vrrp_nl_route {
	int family;   /* AF_INET / AF_INET6 */
	uint8_t type; /* RTN_*; default RTN_UNICAST */
	bool has_dst; /* false: "default" (0/0) */
	struct ka_addr dst;
	uint8_t dst_len; /* default full length */
	bool has_from;   /* IPv6 `from` (RTA_SRC) */
	struct ka_addr from;
	uint8_t from_len;
	bool has_prefsrc; /* `src` */
	struct ka_addr prefsrc;
	bool has_gw; /* `via` / `gw` (RTA_GATEWAY, or RTA_VIA for another family) */
	struct ka_addr gw;
	char dev[IFNAMSIZ]; /* `dev` / `oif`, "" = none */
	int ifindex;        /* runtime: resolved dev */
	uint32_t table;     /* default RT_TABLE_MAIN */
	bool has_metric;
	uint32_t metric;  /* `metric` / `priority` / `preference` */
	int scope;        /* RT_SCOPE_*; -1 = as ip route does (link for a
	                   * gatewayless unicast route, host for local, else
	                   * universe) */
	uint8_t protocol; /* default RTPROT_KEEPALIVED */
	uint8_t tos;
	bool has_realms;
	uint32_t realms;
	bool onlink;
	enum vrrp_route_mode mode;
	/* RTA_METRICS: metric[RTAX_x] is sent when bit x of metrics_set is
	 * set; bit x of locks locks it. */
	uint32_t metric_val[RTAX_MAX + 1];
	uint32_t metrics_set, locks;
	char congctl[16]; /* RTAX_CC_ALGO, "" = none */
	bool has_expires; /* IPv6 */
	uint32_t expires;
	int pref; /* RTA_PREF (IPv6 router preference), -1 = none */
	struct vrrp_nl_nexthop nh[VRRP_ROUTE_MAX_NH];
	size_t n_nh;
};

struct vrrp_nl_rule {
	int family;  /* AF_INET unless an address or `inet6` says IPv6 */
	bool invert; /* `not` */
	bool has_from, has_to;
	struct ka_addr from, to;
	uint8_t from_len, to_len;
	bool has_priority;
	uint32_t priority; /* priority / preference / order */
	uint8_t action;    /* FR_ACT_*; default FR_ACT_TO_TBL */
	uint32_t table;    /* default RT_TABLE_MAIN (with FR_ACT_TO_TBL) */
	uint32_t goto_prio;
	bool has_fwmark, has_fwmask;
	uint32_t fwmark, fwmask;
	uint8_t tos;
	bool has_realms;
	uint32_t realms;
	char iif[IFNAMSIZ], oif[IFNAMSIZ]; /* "" = none */
	bool has_suppress_prefixlen, has_suppress_ifgroup;
	uint32_t suppress_prefixlen, suppress_ifgroup;
	bool has_uidrange;
	uint32_t uid_start, uid_end;
	bool has_ipproto;
	uint8_t ipproto;
	bool has_sport, has_dport;
	uint16_t sport[2], dport[2];
	bool l3mdev;
	uint8_t protocol; /* default RTPROT_KEEPALIVED */
	bool has_tun_id;
	uint64_t tun_id;
};

/* Parse one configured line.  Returns 0; 1 when it parsed but some words
 * are not implemented and were left out (listed in why, for a warning);
 * -1 when it cannot be used (why says why).  why may be NULL. */
int vrrp_route_parse(char *const *argv, int argc, struct vrrp_nl_route *r, char *why,
                     size_t whylen);
int vrrp_rule_parse(char *const *argv, int argc, struct vrrp_nl_rule *r, char *why, size_t whylen);

/* Build the request: RTM_NEWROUTE (add) / RTM_DELROUTE, RTM_NEWRULE /
 * RTM_DELRULE, with NLM_F_REQUEST | NLM_F_ACK (+ the create flags on add);
 * seq/pid left 0.  A deletion carries the same attributes, with scope
 * RT_SCOPE_NOWHERE for IPv4 routes (matches any scope).  Returns the
 * length, or -EINVAL / -EMSGSIZE. */
int vrrp_route_build(void *buf, size_t len, const struct vrrp_nl_route *r, bool add);
int vrrp_rule_build(void *buf, size_t len, const struct vrrp_nl_rule *r, bool add);

#endif
