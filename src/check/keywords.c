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
		conf_warn(c,
		          "%s 0 is deprecated (current keepalived rejects it); treated as "
		          "no persistence - remove the line instead",
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

static const struct conf_kw real_server_kws[] = {
    {.name = "weight",
     .min_args = 1,
     .max_args = 1,
     .check = conf_chk_int,
     .lo = 0,
     .hi = KWC_I32_MAX},
    {.name = "lvs_method", .min_args = 1, .max_args = -1, .check = kwc_chk_lvs_method},
    {.name = "uthreshold",
     .min_args = 1,
     .max_args = 1,
     .check = conf_chk_int,
     .lo = 0,
     .hi = KWC_U32_MAX},
    {.name = "lthreshold",
     .min_args = 1,
     .max_args = 1,
     .check = conf_chk_int,
     .lo = 0,
     .hi = KWC_U32_MAX},
    {.name = "inhibit_on_failure", .min_args = 0, .max_args = 1, .check = conf_chk_bool},
    {.name = "notify_up", .min_args = 1, .max_args = -1, .flags = CONF_KW_SCRIPT},
    {.name = "notify_down", .min_args = 1, .max_args = -1, .flags = CONF_KW_SCRIPT},
    {.name = "alpha", .min_args = 0, .max_args = 1, .check = conf_chk_bool},
    {.name = "retry",
     .min_args = 1,
     .max_args = 1,
     .check = conf_chk_int,
     .lo = 1,
     .hi = KWC_U32_MAX},
    {.name = "delay_before_retry",
     .min_args = 1,
     .max_args = 1,
     .check = conf_chk_timer,
     .lo = 0,
     .hi = KWC_TIMER_MAX},
    {.name = "warmup",
     .min_args = 1,
     .max_args = 1,
     .check = conf_chk_timer,
     .lo = 0,
     .hi = KWC_TIMER_MAX},
    {.name = "connect_timeout",
     .min_args = 1,
     .max_args = 1,
     .check = conf_chk_timer,
     .lo = 1,
     .hi = KWC_CONNECT_TIMEOUT_MAX},
    {.name = "delay_loop",
     .min_args = 1,
     .max_args = 1,
     .check = conf_chk_timer,
     .lo = 1,
     .hi = KWC_TIMER_MAX},
    {.name = "smtp_alert", .min_args = 0, .max_args = 1, .check = conf_chk_bool},
    {.name = "virtualhost", .min_args = 1, .max_args = 1},
    {.name = "snmp_name", .min_args = 1, .max_args = 1},
    {.name = "TCP_CHECK", .min_args = 0, .max_args = 0, .block = &kwc_tcp_check_block},
    {.name = "HTTP_GET", .min_args = 0, .max_args = 0, .block = &kwc_http_get_block},
    {.name = "SSL_GET", .min_args = 0, .max_args = 0, .block = &kwc_ssl_get_block},
    {.name = "SMTP_CHECK", .min_args = 0, .max_args = 0, .block = &kwc_smtp_check_block},
    {.name = "DNS_CHECK", .min_args = 0, .max_args = 0, .block = &kwc_dns_check_block},
    {.name = "UDP_CHECK", .min_args = 0, .max_args = 0, .block = &kwc_udp_check_block},
    {.name = "PING_CHECK", .min_args = 0, .max_args = 0, .block = &kwc_ping_check_block},
    {.name = "MISC_CHECK", .min_args = 0, .max_args = 0, .block = &kwc_misc_check_block},
    {.name = "FILE_CHECK", .min_args = 0, .max_args = 0, .block = &kwc_file_check_block},
    {.name = "BFD_CHECK", .min_args = 0, .max_args = 0, .block = &kwc_bfd_check_block},
    {.name = NULL},
};

static const struct conf_block real_server_block = {
    .name = "real_server",
    .kws = real_server_kws,
    .finish = finish_rs,
};

static const struct conf_kw virtual_server_kws[] = {
    {.name = "delay_loop",
     .min_args = 1,
     .max_args = 1,
     .check = conf_chk_timer,
     .lo = 1,
     .hi = KWC_TIMER_MAX},
    {.name = "lvs_sched",
     .min_args = 1,
     .max_args = 1,
     .check = kwc_chk_enum_cs,
     .choices = KWC_SCHEDULERS},
    {.name = "lb_algo",
     .min_args = 1,
     .max_args = 1,
     .check = kwc_chk_enum_cs,
     .choices = KWC_SCHEDULERS},
    {.name = "hashed", .min_args = 0, .max_args = 0},
    {.name = "flag-1", .min_args = 0, .max_args = 0},
    {.name = "flag-2", .min_args = 0, .max_args = 0},
    {.name = "flag-3", .min_args = 0, .max_args = 0},
    {.name = "sh-port", .min_args = 0, .max_args = 0},
    {.name = "sh-fallback", .min_args = 0, .max_args = 0},
    {.name = "mh-port", .min_args = 0, .max_args = 0},
    {.name = "mh-fallback", .min_args = 0, .max_args = 0},
    {.name = "ops", .min_args = 0, .max_args = 0},
    {.name = "lvs_method", .min_args = 1, .max_args = -1, .check = kwc_chk_lvs_method},
    {.name = "lb_kind", .min_args = 1, .max_args = -1, .check = kwc_chk_lvs_method},
    {.name = "persistence_timeout",
     .min_args = 0,
     .max_args = 1,
     .check = chk_persistence_timeout,
     .lo = 1,
     .hi = 2678400},
    {.name = "persistence_granularity", .min_args = 1, .max_args = 1, .check = chk_granularity},
    {.name = "persistence_engine", .min_args = 1, .max_args = 1},
    {.name = "protocol",
     .min_args = 1,
     .max_args = 1,
     .check = conf_chk_enum,
     .choices = "TCP|UDP|SCTP"},
    {.name = "ha_suspend", .min_args = 0, .max_args = 0},
    {.name = "virtualhost", .min_args = 1, .max_args = 1},
    {.name = "snmp_name", .min_args = 1, .max_args = 1},
    {.name = "alpha", .min_args = 0, .max_args = 1, .check = conf_chk_bool},
    {.name = "omega", .min_args = 0, .max_args = 1, .check = conf_chk_bool},
    {.name = "quorum",
     .min_args = 1,
     .max_args = 1,
     .check = conf_chk_int,
     .lo = 1,
     .hi = KWC_U32_MAX},
    {.name = "hysteresis",
     .min_args = 1,
     .max_args = 1,
     .check = conf_chk_int,
     .lo = 0,
     .hi = KWC_U32_MAX},
    {.name = "quorum_up", .min_args = 1, .max_args = -1, .flags = CONF_KW_SCRIPT},
    {.name = "quorum_down", .min_args = 1, .max_args = -1, .flags = CONF_KW_SCRIPT},
    {.name = "ip_family",
     .min_args = 1,
     .max_args = 1,
     .check = conf_chk_enum,
     .choices = "inet|inet6"},
    {.name = "weight",
     .min_args = 1,
     .max_args = 1,
     .check = conf_chk_int,
     .lo = 1,
     .hi = KWC_I32_MAX},
    {.name = "sorry_server", .min_args = 1, .max_args = 2, .check = kwc_chk_addr_port},
    {.name = "sorry_server_inhibit", .min_args = 0, .max_args = 1, .check = conf_chk_bool},
    {.name = "sorry_server_lvs_method", .min_args = 1, .max_args = -1, .check = kwc_chk_lvs_method},
    {.name = "retry",
     .min_args = 1,
     .max_args = 1,
     .check = conf_chk_int,
     .lo = 1,
     .hi = KWC_U32_MAX},
    {.name = "delay_before_retry",
     .min_args = 1,
     .max_args = 1,
     .check = conf_chk_timer,
     .lo = 0,
     .hi = KWC_TIMER_MAX},
    {.name = "warmup",
     .min_args = 1,
     .max_args = 1,
     .check = conf_chk_timer,
     .lo = 0,
     .hi = KWC_TIMER_MAX},
    {.name = "connect_timeout",
     .min_args = 1,
     .max_args = 1,
     .check = conf_chk_timer,
     .lo = 1,
     .hi = KWC_CONNECT_TIMEOUT_MAX},
    {.name = "inhibit_on_failure", .min_args = 0, .max_args = 1, .check = conf_chk_bool},
    {.name = "smtp_alert", .min_args = 0, .max_args = 1, .check = conf_chk_bool},
    {.name = "real_server",
     .min_args = 1,
     .max_args = 2,
     .check = kwc_chk_addr_port,
     .block = &real_server_block},
    {.name = "nat_mask",
     .min_args = 1,
     .max_args = 1,
     .flags = CONF_KW_DEPRECATED | CONF_KW_IGNORED,
     .note = "it only mattered for Linux 2.2 kernels"},
    {.name = NULL},
};

const struct conf_block virtual_server_block = {
    .name = "virtual_server",
    .kws = virtual_server_kws,
    .finish = finish_vs,
};
