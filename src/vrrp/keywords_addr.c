/* Address, route and rule lines (virtual_ipaddress, virtual_routes,
 * virtual_rules and their static_* counterparts), following the argument
 * names of "ip addr|route|rule add" without abbreviations.  Each checker
 * reports at most one error per line, naming the offending word, and drops
 * the line on error so that the tree only holds lines that validated. */
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/iproute_names.h"
#include "vrrp/kw_checks.h"
#include "vrrp/vrrp_keywords.h"

/* ---- iproute2 name files (rt_tables, rt_protos, ...) ---------------------- */

static bool in_list(const char *const *list, const char *w)
{
	for (; *list; list++)
		if (strcmp(*list, w) == 0)
			return true;
	return false;
}

static bool is_uint(const char *s, long long hi)
{
	long long v;

	return conf_parse_int(s, 0, hi, &v) == 0;
}

static bool table_ok(const char *s)
{
	static const char *const builtin[] = {"unspec", "default", "main", "local", NULL};

	return is_uint(s, VKW_U32_MAX) || in_list(builtin, s) ||
	       iproute_name_lookup("rt_tables", s, NULL);
}

/* RTPROT_* names of linux/rtnetlink.h, for hosts without rt_protos. */
static bool protocol_ok(const char *s)
{
	static const char *const builtin[] = {
	    "unspec", "redirect", "kernel",   "boot", "static", "gated", "ra",         "mrt",
	    "zebra",  "bird",     "dnrouted", "xorp", "ntk",    "dhcp",  "keepalived", "babel",
	    "openr",  "bgp",      "isis",     "ospf", "rip",    "eigrp", NULL};

	return is_uint(s, 255) || in_list(builtin, s) || iproute_name_lookup("rt_protos", s, NULL);
}

static bool scope_ok(const char *s)
{
	static const char *const builtin[] = {"global", "universe", "site", "link",
	                                      "host",   "nowhere",  NULL};

	return is_uint(s, 255) || in_list(builtin, s) || iproute_name_lookup("rt_scopes", s, NULL);
}

/* One realm: a number or a name from rt_realms. */
static bool realm_ok(const char *s)
{
	return is_uint(s, 65535) || iproute_name_lookup("rt_realms", s, NULL);
}

/* "REALM" or "FROM/TO". */
static bool realms_ok(const char *s)
{
	char buf[128];
	const char *slash = strchr(s, '/');

	if (!slash)
		return realm_ok(s);
	if ((size_t)(slash - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	return realm_ok(buf) && realm_ok(slash + 1);
}

/* "N" or "N/M" (fwmark and mask). */
static bool mark_ok(const char *s)
{
	char buf[32];
	const char *slash = strchr(s, '/');

	if (!slash)
		return is_uint(s, VKW_U32_MAX);
	if ((size_t)(slash - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	return is_uint(buf, VKW_U32_MAX) && is_uint(slash + 1, VKW_U32_MAX);
}

/* "N" or "N-M" with N <= M <= hi. */
static bool range_ok(const char *s, long long hi)
{
	char buf[32];
	const char *dash = strchr(s, '-');
	long long a, b;

	if (!dash)
		return is_uint(s, hi);
	if ((size_t)(dash - s) >= sizeof(buf))
		return false;
	memcpy(buf, s, (size_t)(dash - s));
	buf[dash - s] = '\0';
	return conf_parse_int(buf, 0, hi, &a) == 0 && conf_parse_int(dash + 1, 0, hi, &b) == 0 &&
	       a <= b;
}

static bool ipproto_ok(const char *s)
{
	static const char *const builtin[] = {"tcp",     "udp", "icmp", "ipv6-icmp", "sctp",
	                                      "udplite", "gre", "esp",  "ah",        NULL};

	return is_uint(s, 255) || in_list(builtin, s) || getprotobyname(s) != NULL;
}

/* ---- addresses -------------------------------------------------------------- */

enum addr_kind {
	ADDR_VIRTUAL, /* virtual_ipaddress[_excluded] */
	ADDR_STATIC,  /* static_ipaddress */
};

/* A value-taking option whose value is missing: report and fail. */
static int need_value(struct conf_ctx *c, int i, int argc, char **argv, const char *what)
{
	if (i + 1 < argc)
		return 0;
	conf_error(c, "missing value after '%s' for %s '%s'", argv[i], what, argv[0]);
	return -1;
}

static int bad_value(struct conf_ctx *c, char **argv, int i, const char *what)
{
	conf_error(c, "invalid %s '%s' for %s '%s'", argv[i - 1], argv[i], what, argv[0]);
	return -1;
}

static int check_addr(struct conf_ctx *c, int argc, char **argv, enum addr_kind kind)
{
	static const char *const flags[] = {"home",     "-nodad",   "mngtmpaddr", "noprefixroute",
	                                    "autojoin", "no_track", NULL};
	struct ka_addr a, b;
	bool have_dev = false, had_plen = false;
	int plen;
	long long v;

	if (addr_parse_prefix(argv[0], &a, &plen, &had_plen) < 0) {
		conf_error(c, "invalid address '%s'", argv[0]);
		return -1;
	}
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (in_list(flags, w))
			continue;
		if (kind == ADDR_VIRTUAL && strcmp(w, "use_vmac") == 0)
			continue;
		if (strcmp(w, "brd") == 0 || strcmp(w, "broadcast") == 0) {
			if (need_value(c, i++, argc, argv, "address") < 0)
				return -1;
			if (strcmp(argv[i], "+") && strcmp(argv[i], "-") &&
			    (addr_parse(argv[i], &b) < 0 || b.family != a.family))
				return bad_value(c, argv, i, "address");
		} else if (strcmp(w, "dev") == 0) {
			if (need_value(c, i++, argc, argv, "address") < 0)
				return -1;
			if (have_dev) {
				conf_error(c, "'dev' given twice for address '%s'", argv[0]);
				return -1;
			}
			have_dev = true;
			if (!vkw_ifname_ok(argv[i]))
				return bad_value(c, argv, i, "address");
		} else if (strcmp(w, "scope") == 0) {
			if (need_value(c, i++, argc, argv, "address") < 0)
				return -1;
			if (!scope_ok(argv[i]))
				return bad_value(c, argv, i, "address");
			if (a.family == AF_INET6)
				conf_warn(c, "scope is ignored for IPv6 address '%s'", argv[0]);
		} else if (strcmp(w, "label") == 0) {
			if (need_value(c, i++, argc, argv, "address") < 0)
				return -1;
			if (strlen(argv[i]) >= 16)
				return bad_value(c, argv, i, "address");
		} else if (strcmp(w, "peer") == 0) {
			if (need_value(c, i++, argc, argv, "address") < 0)
				return -1;
			if (addr_parse(argv[i], &b) < 0 || b.family != a.family)
				return bad_value(c, argv, i, "address");
			if (had_plen)
				conf_warn(
				    c, "the prefix length of '%s' is ignored with a peer address",
				    argv[0]);
		} else if (strcmp(w, "preferred_lft") == 0) {
			if (need_value(c, i++, argc, argv, "address") < 0)
				return -1;
			if (strcmp(argv[i], "forever") &&
			    conf_parse_int(argv[i], 0, VKW_U32_MAX, &v) < 0)
				return bad_value(c, argv, i, "address");
		} else if (kind == ADDR_STATIC && strcmp(w, "track_group") == 0) {
			if (need_value(c, i++, argc, argv, "address") < 0)
				return -1;
		} else {
			conf_error(c, "unknown option '%s' for address '%s'", w, argv[0]);
			return -1;
		}
	}
	return 0;
}

int vkw_data_vip(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	return check_addr(c, argc, argv, ADDR_VIRTUAL);
}

int vkw_data_static_addr(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	return check_addr(c, argc, argv, ADDR_STATIC);
}

/* ---- routes ------------------------------------------------------------------ */

struct route_state {
	const char *dest; /* the destination word, for messages */
	struct ka_addr dst;
	bool have_dst, dst_v6, inet6, nexthop;
	const char *v6_only; /* an IPv6-only option that was given */
	bool track_group, have_dev;
};

enum val_type {
	V_ADDR,    /* an address of either family */
	V_PREFIX,  /* ADDR[/LEN] */
	V_IF,      /* interface name */
	V_U32,     /* 0..UINT32_MAX */
	V_U8,      /* 0..255 */
	V_BOOL01,  /* 0 or 1 */
	V_TABLE,   /* number or rt_tables name */
	V_PROTO,   /* number or rt_protos name */
	V_SCOPE,   /* number or rt_scopes name */
	V_REALMS,  /* realm[/realm] */
	V_TIME,    /* number with an optional s/ms/us suffix (rtt, rttvar, rto_min) */
	V_WORD,    /* anything */
	V_WEIGHT,  /* nexthop weight 1..256 */
	V_PREF,    /* low|medium|high */
	V_TTLPROP, /* enabled|disabled */
	V_ECN,     /* features: ecn */
};

/* Route options taking one value; the "lockable" ones accept "lock" first. */
struct route_opt {
	const char *name;
	enum val_type type;
	bool lockable;
};

static const struct route_opt route_opts[] = {
    {"src", V_ADDR, false},        {"from", V_PREFIX, false},
    {"via", V_ADDR, false},        {"gw", V_ADDR, false},
    {"or", V_ADDR, false},         {"dev", V_IF, false},
    {"oif", V_IF, false},          {"scope", V_SCOPE, false},
    {"table", V_TABLE, false},     {"metric", V_U32, false},
    {"priority", V_U32, false},    {"preference", V_U32, false},
    {"protocol", V_PROTO, false},  {"tos", V_U8, false},
    {"dsfield", V_U8, false},      {"realms", V_REALMS, false},
    {"mtu", V_U32, true},          {"advmss", V_U32, true},
    {"rtt", V_TIME, true},         {"rttvar", V_TIME, true},
    {"reordering", V_U32, true},   {"window", V_U32, true},
    {"cwnd", V_U32, true},         {"ssthresh", V_U32, true},
    {"initcwnd", V_U32, true},     {"initrwnd", V_U32, true},
    {"rto_min", V_TIME, true},     {"hoplimit", V_U8, true},
    {"congctl", V_WORD, true},     {"features", V_ECN, false},
    {"quickack", V_BOOL01, false}, {"fastopen_no_cookie", V_BOOL01, false},
    {"expires", V_U32, false},     {"pref", V_PREF, false},
    {"vrf", V_IF, false},          {"ttl-propagate", V_TTLPROP, false},
    {"weight", V_WEIGHT, false},   {NULL, V_WORD, false},
};

static const char *const route_types[] = {"unicast", "local",       "broadcast", "multicast",
                                          "throw",   "unreachable", "prohibit",  "blackhole",
                                          "nat",     "anycast",     NULL};

static const char *const route_flags[] = {"onlink",  "append", "prepend", "add", "no_track",
                                          "nexthop", "inet6",  "inet",    NULL};

static bool time_ok(const char *s)
{
	char buf[32];
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n + 1);
	if (n > 2 && (strcmp(buf + n - 2, "ms") == 0 || strcmp(buf + n - 2, "us") == 0))
		buf[n - 2] = '\0';
	else if (n > 1 && (buf[n - 1] == 's'))
		buf[n - 1] = '\0';
	return is_uint(buf, VKW_U32_MAX);
}

static bool value_ok(enum val_type t, const char *s)
{
	struct ka_addr a;
	long long v;
	int plen;

	switch (t) {
	case V_ADDR:
		return addr_parse(s, &a) == 0;
	case V_PREFIX:
		return strcmp(s, "all") == 0 || strcmp(s, "default") == 0 ||
		       addr_parse_prefix(s, &a, &plen, NULL) == 0;
	case V_IF:
		return vkw_ifname_ok(s);
	case V_U32:
		return is_uint(s, VKW_U32_MAX);
	case V_U8:
		return is_uint(s, 255);
	case V_BOOL01:
		return strcmp(s, "0") == 0 || strcmp(s, "1") == 0;
	case V_TABLE:
		return table_ok(s);
	case V_PROTO:
		return protocol_ok(s);
	case V_SCOPE:
		return scope_ok(s);
	case V_REALMS:
		return realms_ok(s);
	case V_TIME:
		return time_ok(s);
	case V_WEIGHT:
		return conf_parse_int(s, 1, 256, &v) == 0;
	case V_PREF:
		return strcmp(s, "low") == 0 || strcmp(s, "medium") == 0 || strcmp(s, "high") == 0;
	case V_TTLPROP:
		return strcmp(s, "enabled") == 0 || strcmp(s, "disabled") == 0;
	case V_ECN:
		return strcmp(s, "ecn") == 0;
	case V_WORD:
		return true;
	}
	return false;
}

static const struct route_opt *find_route_opt(const char *w)
{
	for (const struct route_opt *o = route_opts; o->name; o++)
		if (strcmp(o->name, w) == 0)
			return o;
	return NULL;
}

/* Record the destination (first bare word, or the word after "to"). */
static int route_dest(struct conf_ctx *c, struct route_state *st, const char *w)
{
	int plen;

	if (st->have_dst) {
		conf_error(c, "unknown route option '%s' (destination '%s' already given)", w,
		           st->dest);
		return -1;
	}
	st->have_dst = true;
	st->dest = w;
	if (strcmp(w, "default") == 0)
		return 0;
	if (addr_parse_prefix(w, &st->dst, &plen, NULL) < 0) {
		conf_error(c, "invalid route destination '%s'", w);
		return -1;
	}
	st->dst_v6 = st->dst.family == AF_INET6;
	return 0;
}

/* "encap TYPE ...": the sub-options of the lightweight tunnel. */
static int route_encap(struct conf_ctx *c, int *pi, int argc, char **argv)
{
	static const char *const types[] = {"mpls", "ip", "ip6", "ila", NULL};
	static const char *const subopts[] = {"id",        "dst", "tos",       "ttl",
	                                      "hoplimit",  "tc",  "csum-mode", "ident-type",
	                                      "hook-type", NULL};
	int i = *pi;

	if (i + 1 >= argc || !in_list(types, argv[i + 1])) {
		conf_error(c, "invalid encap type '%s' in route", i + 1 < argc ? argv[i + 1] : "");
		return -1;
	}
	i++;
	/* mpls and ila take a label stack / locator first. */
	if ((strcmp(argv[i], "mpls") == 0 || strcmp(argv[i], "ila") == 0)) {
		if (i + 1 >= argc) {
			conf_error(c, "missing value after 'encap %s' in route", argv[i]);
			return -1;
		}
		i++;
	}
	while (i + 2 < argc && in_list(subopts, argv[i + 1]))
		i += 2;
	*pi = i;
	return 0;
}

static int check_route(struct conf_ctx *c, int argc, char **argv, bool is_static)
{
	struct route_state st = {0};
	int i = 0;

	if (in_list(route_types, argv[0]))
		i++;
	for (; i < argc; i++) {
		const char *w = argv[i];
		const struct route_opt *o;

		if (strcmp(w, "to") == 0) {
			if (i + 1 >= argc) {
				conf_error(c, "missing destination after 'to' in route");
				return -1;
			}
			if (route_dest(c, &st, argv[++i]) < 0)
				return -1;
			continue;
		}
		if (in_list(route_flags, w)) {
			if (strcmp(w, "nexthop") == 0)
				st.nexthop = true;
			else if (strcmp(w, "inet6") == 0)
				st.inet6 = true;
			continue;
		}
		if (strcmp(w, "encap") == 0) {
			if (route_encap(c, &i, argc, argv) < 0)
				return -1;
			continue;
		}
		if (is_static && strcmp(w, "track_group") == 0) {
			if (i + 1 >= argc) {
				conf_error(c, "missing value after 'track_group' in route");
				return -1;
			}
			i++;
			st.track_group = true;
			continue;
		}
		o = find_route_opt(w);
		if (o && (!strcmp(w, "expires") || !strcmp(w, "pref") || !strcmp(w, "from")))
			st.v6_only = w;
		if (o && o->type == V_IF && strcmp(w, "vrf"))
			st.have_dev = true;
		if (o && !strcmp(w, "or"))
			conf_warn(c, "'or' in routes is deprecated - use 'nexthop'");
		if (!o || (o->type == V_WEIGHT && !st.nexthop)) {
			if (!st.have_dst && !o) {
				if (route_dest(c, &st, w) < 0)
					return -1;
				continue;
			}
			conf_error(c, "unknown route option '%s'", w);
			return -1;
		}
		if (i + 1 < argc && o->lockable && strcmp(argv[i + 1], "lock") == 0)
			i++;
		if (i + 1 < argc && o->type == V_ADDR &&
		    (strcmp(argv[i + 1], "inet") == 0 || strcmp(argv[i + 1], "inet6") == 0))
			i++;
		if (i + 1 >= argc) {
			conf_error(c, "missing value after '%s' in route", w);
			return -1;
		}
		i++;
		if (!value_ok(o->type, argv[i])) {
			conf_error(c, "invalid %s '%s' in route", w, argv[i]);
			return -1;
		}
	}
	if (!st.have_dst) {
		conf_error(c, "route '%s' has no destination", argv[0]);
		return -1;
	}
	if (st.track_group && !st.have_dev) {
		conf_error(c, "a static route with track_group needs dev or oif ('%s')", st.dest);
		return -1;
	}
	if (st.v6_only && strcmp(st.dest, "default") && !st.dst_v6) {
		conf_error(c, "'%s' is only valid for IPv6 routes ('%s')", st.v6_only, st.dest);
		return -1;
	}
	if (st.inet6 && st.dest && strcmp(st.dest, "default") && !st.dst_v6) {
		conf_error(c, "inet6 specified for IPv4 route '%s'", st.dest);
		return -1;
	}
	return 0;
}

int vkw_data_vroute(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	return check_route(c, argc, argv, false);
}

int vkw_data_static_route(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	return check_route(c, argc, argv, true);
}

/* ---- rules --------------------------------------------------------------------- */

struct rule_opt {
	const char *name;
	int type; /* enum val_type, or one of the RV_* below */
};

enum {
	RV_MARK = 100, /* N[/M] */
	RV_PORTS,      /* N[-M] 0..65535 */
	RV_UIDS,       /* N-M */
	RV_IPPROTO,    /* number or protocol name */
	RV_TYPE,       /* rule action type */
};

static const struct rule_opt rule_opts[] = {
    {"from", V_PREFIX},
    {"to", V_PREFIX},
    {"priority", V_U32},
    {"preference", V_U32},
    {"order", V_U32},
    {"table", V_TABLE},
    {"lookup", V_TABLE},
    {"fwmark", RV_MARK},
    {"tos", V_U8},
    {"dsfield", V_U8},
    {"realms", V_REALMS},
    {"iif", V_IF},
    {"oif", V_IF},
    {"goto", V_U32},
    {"uidrange", RV_UIDS},
    {"ipproto", RV_IPPROTO},
    {"sport", RV_PORTS},
    {"dport", RV_PORTS},
    {"suppress_prefixlength", V_U32},
    {"suppress_ifgroup", V_WORD},
    {"tunnel-id", V_U32},
    {"protocol", V_PROTO},
    {"type", RV_TYPE},
    {NULL, 0},
};

static const char *const rule_actions[] = {"blackhole", "unreachable", "prohibit", NULL};

static bool rule_value_ok(int type, const char *s)
{
	switch (type) {
	case RV_MARK:
		return mark_ok(s);
	case RV_PORTS:
		return range_ok(s, 65535);
	case RV_UIDS:
		return strchr(s, '-') && range_ok(s, VKW_U32_MAX);
	case RV_IPPROTO:
		return ipproto_ok(s);
	case RV_TYPE:
		return in_list(rule_actions, s);
	default:
		return value_ok((enum val_type)type, s);
	}
}

static int check_rule(struct conf_ctx *c, int argc, char **argv, bool is_static)
{
	bool have_pref = false, inet6 = false, l3mdev = false, action = false;
	bool track_group = false, have_dev = false;
	const char *v4_addr = NULL;
	struct ka_addr a;
	int plen;

	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		const struct rule_opt *o;

		if (strcmp(w, "not") == 0 || strcmp(w, "no_track") == 0)
			continue;
		if (strcmp(w, "inet6") == 0) {
			inet6 = true;
			continue;
		}
		if (strcmp(w, "nop") == 0 || in_list(rule_actions, w)) {
			action = true;
			continue;
		}
		if (strcmp(w, "l3mdev") == 0) {
			l3mdev = true;
			continue;
		}
		if (is_static && strcmp(w, "track_group") == 0) {
			if (i + 1 >= argc) {
				conf_error(c, "missing value after 'track_group' in rule");
				return -1;
			}
			i++;
			track_group = true;
			continue;
		}
		for (o = rule_opts; o->name && strcmp(o->name, w); o++)
			;
		if (!o->name) {
			conf_error(c, "unknown rule option '%s'", w);
			return -1;
		}
		if (i + 1 >= argc) {
			conf_error(c, "missing value after '%s' in rule", w);
			return -1;
		}
		i++;
		if (!rule_value_ok(o->type, argv[i])) {
			conf_error(c, "invalid %s '%s' in rule", w, argv[i]);
			return -1;
		}
		if (o->type == V_U32 &&
		    (!strcmp(w, "priority") || !strcmp(w, "preference") || !strcmp(w, "order")))
			have_pref = true;
		if (o->type == V_IF)
			have_dev = true;
		if (o->type == V_TABLE || !strcmp(w, "goto") || o->type == RV_TYPE)
			action = true;
		if (o->type == V_PREFIX && addr_parse_prefix(argv[i], &a, &plen, NULL) == 0 &&
		    a.family == AF_INET)
			v4_addr = argv[i];
	}
	if (l3mdev && action) {
		conf_error(c, "l3mdev cannot be combined with another rule action");
		return -1;
	}
	if (track_group && !have_dev) {
		conf_error(c, "a static rule with track_group needs iif or oif");
		return -1;
	}
	if (inet6 && v4_addr) {
		conf_error(c, "inet6 specified for IPv4 rule ('%s')", v4_addr);
		return -1;
	}
	if (!have_pref)
		conf_warn(c, "rule has no preference specified - the kernel will pick one, which "
		             "is probably not what you want");
	return 0;
}

int vkw_data_vrule(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	return check_rule(c, argc, argv, false);
}

int vkw_data_static_rule(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	return check_rule(c, argc, argv, true);
}

/* ---- the root-level static_* blocks --------------------------------------------- */

const struct conf_block static_ipaddress_block = {
    .name = "static_ipaddress",
    .data = vkw_data_static_addr,
    .data_min = 1,
    .data_max = -1,
};

const struct conf_block static_routes_block = {
    .name = "static_routes",
    .data = vkw_data_static_route,
    .data_min = 1,
    .data_max = -1,
};

const struct conf_block static_rules_block = {
    .name = "static_rules",
    .data = vkw_data_static_rule,
    .data_min = 1,
    .data_max = -1,
};
