/* Keyword tables of virtual_server and real_server, with the argument
 * checkers for addresses, schedulers and forwarding methods they need. */
#include <stdio.h>
#include <string.h>

#include "check/check_keywords.h"
#include "check/kw_checks.h"
#include "lib/addr.h"

/* ---- shared helpers --------------------------------------------------------- */

int kwc_parse_port(const char *s, unsigned min, uint16_t *port)
{
	uint16_t p;

	if (!s || s[0] < '0' || s[0] > '9' || port_parse(s, &p) < 0 || p < min)
		return -1;
	*port = p;
	return 0;
}

static const char *kwname(const struct conf_kw *kw, char **argv)
{
	return kw ? kw->name : argv[0];
}

int kwc_chk_addr_port(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	struct ka_addr a;
	uint16_t port;

	if (argc < 2)
		return 0;
	if (addr_parse(argv[1], &a) < 0) {
		conf_error(c, "%s: invalid IP address '%s'", kwname(kw, argv), argv[1]);
		return -1;
	}
	if (argc >= 3 && kwc_parse_port(argv[2], 0, &port) < 0) {
		conf_error(c, "%s %s: invalid port '%s' (expected 0-65535)", kwname(kw, argv),
		           argv[1], argv[2]);
		return -1;
	}
	return 0;
}

int kwc_chk_enum_cs(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	const char *choices = kw && kw->choices ? kw->choices : "";
	size_t wl;
	const char *p;

	if (argc < 2)
		return 0;
	wl = strlen(argv[1]);
	for (p = choices; *p;) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);

		if (l == wl && strncmp(p, argv[1], l) == 0)
			return 0;
		if (!bar)
			break;
		p = bar + 1;
	}
	conf_error(c, "%s: invalid value '%s' (expected one of %s)", kwname(kw, argv), argv[1],
	           choices);
	return -1;
}

int kwc_chk_lvs_method(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	const char *name = kwname(kw, argv), *type = NULL, *csum = NULL;
	bool has_port = false;
	uint16_t port;
	int i = 2;

	if (argc < 2)
		return 0;
	if (strcmp(argv[1], "NAT") != 0 && strcmp(argv[1], "DR") != 0 &&
	    strcmp(argv[1], "TUN") != 0) {
		conf_error(c, "%s: invalid forwarding method '%s' (expected one of NAT|DR|TUN)",
		           name, argv[1]);
		return -1;
	}
	if (strcmp(argv[1], "TUN") != 0) {
		if (argc > 2)
			conf_warn(c,
			          "%s: tunnel options after '%s' are ignored (only TUN has them)",
			          name, argv[1]);
		return 0;
	}
	if (i < argc && strcmp(argv[i], "type") == 0) {
		if (i + 1 >= argc) {
			conf_error(c, "%s: 'type' needs a tunnel type (ipip|gue|gre)", name);
			return -1;
		}
		type = argv[i + 1];
		if (strcmp(type, "ipip") != 0 && strcmp(type, "gue") != 0 &&
		    strcmp(type, "gre") != 0) {
			conf_error(c, "%s: invalid tunnel type '%s' (expected one of ipip|gue|gre)",
			           name, type);
			return -1;
		}
		i += 2;
	}
	if (i < argc && strcmp(argv[i], "port") == 0) {
		if (i + 1 >= argc || kwc_parse_port(argv[i + 1], 1, &port) < 0) {
			conf_error(c, "%s: invalid tunnel port '%s' (expected 1-65535)", name,
			           i + 1 < argc ? argv[i + 1] : "");
			return -1;
		}
		has_port = true;
		i += 2;
	}
	if (i < argc && (strcmp(argv[i], "nocsum") == 0 || strcmp(argv[i], "csum") == 0 ||
	                 strcmp(argv[i], "remcsum") == 0)) {
		csum = argv[i];
		i++;
	}
	if (i < argc) {
		conf_error(c,
		           "%s: unexpected word '%s' (syntax: TUN [type ipip|gue port N|gre] "
		           "[nocsum|csum|remcsum])",
		           name, argv[i]);
		return -1;
	}
	if (!type)
		type = "ipip";
	if (strcmp(type, "gue") == 0 && !has_port) {
		conf_error(c, "%s: a gue tunnel needs 'port N'", name);
		return -1;
	}
	if (strcmp(type, "gue") != 0 && has_port) {
		conf_error(c, "%s: only a gue tunnel takes a port", name);
		return -1;
	}
	if (csum && strcmp(type, "ipip") == 0) {
		conf_error(c, "%s: an ipip tunnel takes no checksum option ('%s')", name, csum);
		return -1;
	}
	if (csum && strcmp(type, "gre") == 0 && strcmp(csum, "remcsum") == 0) {
		conf_error(c, "%s: a gre tunnel does not support remcsum", name);
		return -1;
	}
	return 0;
}

/* ---- virtual_server --------------------------------------------------------- */

/* virtual_server IP [PORT] | fwmark N | group NAME */
int virtual_server_args_check(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	long long mark;
	struct ka_addr a;
	uint16_t port;
	int used;

	(void)kw;
	if (argc < 2)
		return 0;
	if (strcmp(argv[1], "fwmark") == 0) {
		if (argc < 3) {
			conf_error(c, "virtual_server: 'fwmark' needs a number");
			return -1;
		}
		if (conf_parse_int(argv[2], 0, KWC_U32_MAX, &mark) < 0) {
			conf_error(c, "virtual_server: invalid fwmark '%s' (expected 0-4294967295)",
			           argv[2]);
			return -1;
		}
		used = 3;
	} else if (strcmp(argv[1], "group") == 0) {
		if (argc < 3) {
			conf_error(c, "virtual_server: 'group' needs a virtual_server_group name");
			return -1;
		}
		used = 3;
	} else {
		if (addr_parse(argv[1], &a) < 0) {
			conf_error(c, "virtual_server: invalid IP address '%s'", argv[1]);
			return -1;
		}
		if (argc >= 3 && kwc_parse_port(argv[2], 0, &port) < 0) {
			conf_error(c, "virtual_server %s: invalid port '%s' (expected 0-65535)",
			           argv[1], argv[2]);
			return -1;
		}
		used = 3;
	}
	if (argc > used)
		conf_warn(c, "virtual_server: extra argument '%s' ignored", argv[used]);
	return 0;
}

/* persistence_timeout [N]: bare = 360 s; 0 is accepted (seed configs use it
 * to mean "no persistence") with a deprecation warning. */
static int chk_persistence_timeout(struct conf_ctx *c, const struct conf_kw *kw, int argc,
                                   char **argv)
{
	long long v;

	if (argc < 2)
		return 0;
	if (conf_parse_int(argv[1], 0, 0, &v) == 0) {
		conf_warn(
		    c,
		    "%s 0 is deprecated (newer keepalived rejects it) - treated as no persistence",
		    kw->name);
		return 0;
	}
	return conf_chk_int(c, kw, argc, argv);
}

/* persistence_granularity: an IPv4 netmask or a prefix length. */
static int chk_granularity(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	struct ka_addr a;
	long long v;

	if (argc < 2)
		return 0;
	if (strchr(argv[1], '.') || strchr(argv[1], ':')) {
		if (addr_parse(argv[1], &a) == 0)
			return 0;
	} else if (conf_parse_int(argv[1], 1, 128, &v) == 0) {
		return 0;
	}
	conf_error(c, "%s: invalid netmask '%s' (expected a netmask or a prefix length 1-128)",
	           kw->name, argv[1]);
	return -1;
}

static const char *vs_port(const conf_node *vs)
{
	if (!vs || vs->argc < 2 || strcmp(vs->argv[1], "fwmark") == 0 ||
	    strcmp(vs->argv[1], "group") == 0)
		return NULL;
	return vs->argc >= 3 ? vs->argv[2] : NULL;
}

static void finish_vs(struct conf_ctx *c, conf_node *node)
{
	/* In case the root table did not use our argument checker. */
	if (!node->kw || node->kw->check != virtual_server_args_check)
		virtual_server_args_check(c, node->kw, node->argc, node->argv);
	if (!conf_first(node, "real_server") && !conf_first(node, "sorry_server"))
		conf_node_warn(c, node,
		               "virtual_server %s%s%s has no real_server and no sorry_server",
		               node->argc > 1 ? node->argv[1] : "", node->argc > 2 ? " " : "",
		               node->argc > 2 ? node->argv[2] : "");
}

/* A real server without a port under a virtual server with one: keepalived
 * accepts it and uses the virtual server's port, so only tell the user. */
static void finish_rs(struct conf_ctx *c, conf_node *node)
{
	const char *port = vs_port(node->parent);

	if (node->argc == 2 && port && strcmp(port, "0") != 0)
		conf_node_warn(c, node,
		               "real_server %s has no port; the virtual server's port %s is used",
		               node->argv[1], port);
}

#define KWC_SCHEDULERS "rr|wrr|lc|wlc|lblc|sh|mh|dh|fo|ovf|lblcr|sed|nq|twos"

// clang-format off
static const struct conf_kw real_server_kws[] = {
	KWC_INT("weight", 0, KWC_I32_MAX),
	KWC_METHOD("lvs_method"),
	KWC_INT("uthreshold", 0, KWC_U32_MAX),
	KWC_INT("lthreshold", 0, KWC_U32_MAX),
	KWC_BOOL("inhibit_on_failure"),
	KWC_SCRIPT("notify_up"),
	KWC_SCRIPT("notify_down"),
	KWC_BOOL("alpha"),
	KWC_INT("retry", 1, KWC_U32_MAX),
	KWC_TIMER("delay_before_retry", 0, KWC_TIMER_MAX),
	KWC_TIMER("warmup", 0, KWC_TIMER_MAX),
	KWC_TIMER("connect_timeout", 1, KWC_CONNECT_TIMEOUT_MAX),
	KWC_TIMER("delay_loop", 1, KWC_TIMER_MAX),
	KWC_BOOL("smtp_alert"),
	KWC_STR("virtualhost"),
	KWC_STR("snmp_name"),
	KWC_BLOCK("TCP_CHECK", &kwc_tcp_check_block),
	KWC_BLOCK("HTTP_GET", &kwc_http_get_block),
	KWC_BLOCK("SSL_GET", &kwc_ssl_get_block),
	KWC_BLOCK("SMTP_CHECK", &kwc_smtp_check_block),
	KWC_BLOCK("DNS_CHECK", &kwc_dns_check_block),
	KWC_BLOCK("UDP_CHECK", &kwc_udp_check_block),
	KWC_BLOCK("PING_CHECK", &kwc_ping_check_block),
	KWC_BLOCK("MISC_CHECK", &kwc_misc_check_block),
	KWC_BLOCK("FILE_CHECK", &kwc_file_check_block),
	KWC_BLOCK("BFD_CHECK", &kwc_bfd_check_block),
	{.name = NULL},
};
// clang-format on

static const struct conf_block real_server_block = {
    .name = "real_server",
    .kws = real_server_kws,
    .finish = finish_rs,
};

// clang-format off
static const struct conf_kw virtual_server_kws[] = {
	KWC_TIMER("delay_loop", 1, KWC_TIMER_MAX),
	{.name = "lvs_sched", .min_args = 1, .max_args = 1, .check = kwc_chk_enum_cs,
	 .choices = KWC_SCHEDULERS},
	{.name = "lb_algo", .min_args = 1, .max_args = 1, .check = kwc_chk_enum_cs,
	 .choices = KWC_SCHEDULERS},
	KWC_FLAG("hashed"),
	KWC_FLAG("flag-1"),
	KWC_FLAG("flag-2"),
	KWC_FLAG("flag-3"),
	KWC_FLAG("sh-port"),
	KWC_FLAG("sh-fallback"),
	KWC_FLAG("mh-port"),
	KWC_FLAG("mh-fallback"),
	KWC_FLAG("ops"),
	KWC_METHOD("lvs_method"),
	KWC_METHOD("lb_kind"),
	{.name = "persistence_timeout", .min_args = 0, .max_args = 1,
	 .check = chk_persistence_timeout, .lo = 1, .hi = 2678400},
	{.name = "persistence_granularity", .min_args = 1, .max_args = 1, .check = chk_granularity},
	KWC_STR("persistence_engine"),
	KWC_ENUM("protocol", "TCP|UDP|SCTP"),
	KWC_FLAG("ha_suspend"),
	KWC_STR("virtualhost"),
	KWC_STR("snmp_name"),
	KWC_BOOL("alpha"),
	KWC_BOOL("omega"),
	KWC_INT("quorum", 1, KWC_U32_MAX),
	KWC_INT("hysteresis", 0, KWC_U32_MAX),
	KWC_SCRIPT("quorum_up"),
	KWC_SCRIPT("quorum_down"),
	KWC_ENUM("ip_family", "inet|inet6"),
	KWC_INT("weight", 1, KWC_I32_MAX),
	{.name = "sorry_server", .min_args = 1, .max_args = 2, .check = kwc_chk_addr_port},
	KWC_BOOL("sorry_server_inhibit"),
	KWC_METHOD("sorry_server_lvs_method"),
	KWC_INT("retry", 1, KWC_U32_MAX),
	KWC_TIMER("delay_before_retry", 0, KWC_TIMER_MAX),
	KWC_TIMER("warmup", 0, KWC_TIMER_MAX),
	KWC_TIMER("connect_timeout", 1, KWC_CONNECT_TIMEOUT_MAX),
	KWC_BOOL("inhibit_on_failure"),
	KWC_BOOL("smtp_alert"),
	{.name = "real_server", .min_args = 1, .max_args = 2, .check = kwc_chk_addr_port,
	 .block = &real_server_block},
	/* nat_mask only mattered for Linux 2.2 kernels */
	{.name = "nat_mask", .min_args = 1, .max_args = 1,
	 .flags = CONF_KW_DEPRECATED | CONF_KW_IGNORED},
	{.name = NULL},
};
// clang-format on

const struct conf_block virtual_server_block = {
    .name = "virtual_server",
    .kws = virtual_server_kws,
    .finish = finish_vs,
};
