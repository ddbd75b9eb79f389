/* virtual_server_group (a data block of addresses, ranges and fwmarks) and
 * the SSL block (client TLS context of SSL_GET). */
#include <string.h>

#include "check/check_keywords.h"
#include "check/kw_checks.h"
#include "lib/addr.h"

/* What one virtual_server_group line holds. */
enum vsg_kind {
	VSG_BAD,
	VSG_V4,
	VSG_V6,
	VSG_FWMARK,        /* fwmark N without a family */
	VSG_FWMARK_FAMILY, /* fwmark N inet|inet6 */
};

/* Classify a line; with c non-NULL, report what is wrong with it (once). */
static enum vsg_kind vsg_line(struct conf_ctx *c, int argc, char **argv)
{
	struct ka_addr first, last;
	long long mark;
	uint16_t port;

	if (strcmp(argv[0], "fwmark") == 0) {
		if (argc < 2) {
			if (c)
				conf_error(c, "virtual_server_group: 'fwmark' needs a number");
			return VSG_BAD;
		}
		if (conf_parse_int(argv[1], 0, KWC_U32_MAX, &mark) < 0) {
			if (c)
				conf_error(c,
				           "virtual_server_group: invalid fwmark '%s' (expected "
				           "0-4294967295)",
				           argv[1]);
			return VSG_BAD;
		}
		if (argc < 3)
			return VSG_FWMARK;
		if (strcmp(argv[2], "inet") != 0 && strcmp(argv[2], "inet6") != 0) {
			if (c)
				conf_error(c,
				           "virtual_server_group: fwmark %s: invalid family '%s' "
				           "(expected inet or inet6)",
				           argv[1], argv[2]);
			return VSG_BAD;
		}
		if (argc > 3 && c)
			conf_warn(c, "virtual_server_group: extra argument '%s' ignored", argv[3]);
		return VSG_FWMARK_FAMILY;
	}

	if (strchr(argv[0], '-') || strchr(argv[0], '/')) {
		const char *dash = strchr(argv[0], '-');

		if (addr_parse_range(argv[0], &first, &last) < 0) {
			if (c)
				conf_error(c, "virtual_server_group: invalid address range '%s'",
				           argv[0]);
			return VSG_BAD;
		}
		/* The short form "a.b.c.d-e" must really be a range. */
		if (dash && !strpbrk(dash + 1, ".:") && addr_equal(&first, &last)) {
			if (c)
				conf_error(c,
				           "virtual_server_group: range '%s' does not end above "
				           "its start",
				           argv[0]);
			return VSG_BAD;
		}
	} else if (addr_parse(argv[0], &first) < 0) {
		if (c)
			conf_error(c, "virtual_server_group: invalid IP address '%s'", argv[0]);
		return VSG_BAD;
	}
	if (argc >= 2 && kwc_parse_port(argv[1], 0, &port) < 0) {
		if (c)
			conf_error(c,
			           "virtual_server_group: %s: invalid port '%s' (expected 0-65535)",
			           argv[0], argv[1]);
		return VSG_BAD;
	}
	if (argc > 2 && c)
		conf_warn(c, "virtual_server_group: extra argument '%s' ignored", argv[2]);
	return first.family == AF_INET ? VSG_V4 : VSG_V6;
}

static int chk_vsg_data(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	return vsg_line(c, argc, argv) == VSG_BAD ? -1 : 0;
}

static void finish_vsg(struct conf_ctx *c, conf_node *node)
{
	bool v4 = false, v6 = false, bare_mark = false;
	const char *name = node->argc > 1 ? node->argv[1] : "";
	const conf_node *n;

	if (!node->child) {
		conf_node_error(c, node, "virtual_server_group %s has no entries", name);
		return;
	}
	for (n = node->child; n; n = n->next) {
		switch (vsg_line(NULL, n->argc, n->argv)) {
		case VSG_V4:
			v4 = true;
			break;
		case VSG_V6:
			v6 = true;
			break;
		case VSG_FWMARK:
			bare_mark = true;
			break;
		default:
			break;
		}
	}
	if (v4 && v6 && bare_mark)
		conf_node_error(c, node,
		                "virtual_server_group %s mixes IPv4 and IPv6 addresses, so its "
		                "fwmarks need a family (fwmark N inet|inet6)",
		                name);
}

const struct conf_block virtual_server_group_block = {
    .name = "virtual_server_group",
    .kws = NULL,
    .data = chk_vsg_data,
    .data_min = 1,
    .data_max = -1,
    .finish = finish_vsg,
};

/* ---- SSL ----------------------------------------------------------------------- */

// clang-format off
static const struct conf_kw ssl_kws[] = {
	{.name = "password", .min_args = 1, .max_args = 1, .flags = CONF_KW_SECRET},
	KWC_STR("ca"),
	KWC_STR("certificate"),
	KWC_STR("key"),
	{.name = NULL},
};
// clang-format on

const struct conf_block ssl_block = {
    .name = "SSL",
    .kws = ssl_kws,
};
