/* Keyword tables of the health checkers opened from real_server: TCP_CHECK,
 * HTTP_GET/SSL_GET (with url blocks), SMTP_CHECK (with host blocks),
 * DNS_CHECK, UDP_CHECK, PING_CHECK, MISC_CHECK, FILE_CHECK and BFD_CHECK. */
#include <netinet/in.h>
#include <string.h>

#include "check/kw_checks.h"
#include "lib/addr.h"

static const char *kwname(const struct conf_kw *kw, char **argv)
{
	return kw ? kw->name : argv[0];
}

/* ---- shared checkers ---------------------------------------------------------- */

bool kwc_is_hex(const char *s, bool allow_mask)
{
	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
		    (*s >= 'A' && *s <= 'F'))
			continue;
		if (allow_mask && (*s == 'x' || *s == 'X'))
			continue;
		return false;
	}
	return true;
}

int kwc_chk_port1(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	uint16_t port;

	if (argc < 2 || kwc_parse_port(argv[1], 1, &port) == 0)
		return 0;
	conf_error(c, "%s: invalid port '%s' (expected 1-65535)", kwname(kw, argv), argv[1]);
	return -1;
}

/* ---- checker-specific argument checkers ---------------------------------------- */

static int chk_ifname(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	if (argc < 2 || strlen(argv[1]) < 16)
		return 0;
	conf_error(c, "%s: interface name '%s' is too long (at most 15 characters)", kw->name,
	           argv[1]);
	return -1;
}

/* digest: the MD5 of the page as 32 hexadecimal digits. */
static int chk_digest(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	size_t len;

	if (argc < 2)
		return 0;
	len = strlen(argv[1]);
	if (len != 32) {
		conf_error(c, "%s: '%s' has %zu characters, expected 32 hexadecimal digits",
		           kw->name, argv[1], len);
		return -1;
	}
	if (!kwc_is_hex(argv[1], false)) {
		conf_error(c, "%s: '%s' is not hexadecimal (expected 32 hexadecimal digits)",
		           kw->name, argv[1]);
		return -1;
	}
	return 0;
}

/* status_code N|N-M ...: every code within 100..599. */
static int parse_code(const char *s, const char *end, long long *v)
{
	char buf[8];
	size_t n = (size_t)(end - s);

	if (n == 0 || n >= sizeof(buf) || s[0] < '0' || s[0] > '9')
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return conf_parse_int(buf, 100, 599, v);
}

static int chk_status_code(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	int bad = 0;

	for (int i = 1; i < argc; i++) {
		const char *w = argv[i], *dash = strchr(w, '-');
		long long lo, hi;

		if (dash ? parse_code(w, dash, &lo) == 0 &&
		               parse_code(dash + 1, dash + strlen(dash), &hi) == 0 && lo <= hi
		         : parse_code(w, w + strlen(w), &lo) == 0)
			continue;
		conf_error(c, "%s: invalid status code '%s' (expected N or N-M within 100-599)",
		           kw->name, w);
		bad++;
	}
	return bad ? -1 : 0;
}

static const char regex_opts[] =
    "allow_empty_class|alt_bsux|auto_callout|caseless|dollar_endonly|dotall|dupnames|"
    "extended|firstline|match_unset_backref|multiline|never_ucp|never_utf|no_auto_capture|"
    "no_auto_possess|no_dotstar_anchor|no_start_optimize|ucp|ungreedy|utf|never_backslash_c|"
    "alt_circumflex|alt_verbnames|use_offset_limit";

/* Whether w is one of the '|'-separated words of list. */
static bool in_list(const char *list, const char *w)
{
	size_t wl = strlen(w);

	for (const char *p = list; p;) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);

		if (l == wl && strncmp(p, w, l) == 0)
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

static int chk_regex_options(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!in_list(regex_opts, argv[i])) {
			conf_error(c,
			           "%s: unknown option '%s' (see pcre2api: caseless, dotall, "
			           "extended, multiline, ungreedy, utf, ...)",
			           kw->name, argv[i]);
			return -1;
		}
	}
	return 0;
}

/* regex_stack START [MAX] in bytes. */
static int chk_regex_stack(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	long long start, max;

	for (int i = 1; i < argc; i++) {
		if (conf_parse_int(argv[i], 1, KWC_U32_MAX, i == 1 ? &start : &max) < 0) {
			conf_error(c, "%s: invalid size '%s' (expected 1-4294967295 bytes)",
			           kw->name, argv[i]);
			return -1;
		}
	}
	if (argc >= 3 && max < start) {
		conf_error(c, "%s: maximum %s is below the start size %s", kw->name, argv[2],
		           argv[1]);
		return -1;
	}
	return 0;
}

/* payload HEX... / require_reply [HEX-with-X...] */
static int chk_hex_words(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv,
                         bool mask)
{
	for (int i = 1; i < argc; i++) {
		if (!kwc_is_hex(argv[i], mask)) {
			conf_error(c, "%s: '%s' is not a hexadecimal string%s", kw->name, argv[i],
			           mask ? " (digits, or X for any)" : "");
			return -1;
		}
	}
	return 0;
}

static int chk_payload(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	return chk_hex_words(c, kw, argc, argv, false);
}

static int chk_reply(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	return chk_hex_words(c, kw, argc, argv, true);
}

/* DNS name: "." or labels of 1..63 characters, 253 in all. */
static int chk_dns_name(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	const char *s, *dot;
	size_t len;

	if (argc < 2 || strcmp(argv[1], ".") == 0)
		return 0;
	s = argv[1];
	len = strlen(s);
	if (len > 254 || (len == 254 && s[253] != '.')) {
		conf_error(c, "%s: '%s' is longer than 253 characters", kw->name, s);
		return -1;
	}
	while (*s) {
		dot = strchr(s, '.');
		len = dot ? (size_t)(dot - s) : strlen(s);
		if (len == 0 || len > 63) {
			conf_error(c, "%s: '%s' has an %s label", kw->name, argv[1],
			           len ? "over-long" : "empty");
			return -1;
		}
		if (!dot)
			break;
		s = dot + 1;
	}
	return 0;
}

/* FILE_CHECK weight W [reverse|noreverse] */
static int chk_file_weight(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	if (conf_chk_int(c, kw, argc, argv) < 0)
		return -1;
	if (argc >= 3 && strcmp(argv[2], "reverse") != 0 && strcmp(argv[2], "noreverse") != 0) {
		conf_error(c, "%s: unknown option '%s' (expected reverse or noreverse)", kw->name,
		           argv[2]);
		return -1;
	}
	return 0;
}

/* ---- finish hooks ------------------------------------------------------------- */

static const char *node_arg(const conf_node *n, int i)
{
	return n && i < n->argc ? n->argv[i] : NULL;
}

/* connect_ip and bindto must be of one family; an IPv6 link-local source
 * needs an interface. */
static void finish_connection(struct conf_ctx *c, conf_node *node)
{
	const conf_node *ip = conf_first(node, "connect_ip"), *bind = conf_first(node, "bindto");
	struct ka_addr a, b;

	if (!bind || addr_parse(node_arg(bind, 1), &b) < 0)
		return;
	if (ip && addr_parse(node_arg(ip, 1), &a) == 0 && a.family != b.family)
		conf_node_error(c, bind,
		                "bindto %s and connect_ip %s are of different address families",
		                bind->argv[1], ip->argv[1]);
	if (b.family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&b.u.v6) && !conf_first(node, "bind_if"))
		conf_node_error(c, bind, "bindto %s is link-local and needs bind_if",
		                bind->argv[1]);
}

static void finish_http(struct conf_ctx *c, conf_node *node)
{
	if (!conf_first(node, "url"))
		conf_node_error(c, node, "%s has no url block - the checker is ignored",
		                node->argv[0]);
	finish_connection(c, node);
}

static void finish_url(struct conf_ctx *c, conf_node *node)
{
	if (!conf_first(node, "path"))
		conf_node_error(c, node, "url has no path - the url is ignored");
}

static void finish_misc(struct conf_ctx *c, conf_node *node)
{
	if (!conf_first(node, "misc_path"))
		conf_node_error(c, node, "MISC_CHECK has no misc_path - the checker is ignored");
}

static void finish_file(struct conf_ctx *c, conf_node *node)
{
	if (!conf_first(node, "track_file"))
		conf_node_error(c, node, "FILE_CHECK has no track_file - the checker is ignored");
}

static void finish_bfd(struct conf_ctx *c, conf_node *node)
{
	if (!conf_first(node, "name"))
		conf_node_error(c, node, "BFD_CHECK has no name - the checker is ignored");
}

static void finish_udp(struct conf_ctx *c, conf_node *node)
{
	const conf_node *mn = conf_first(node, "min_reply_length");
	const conf_node *mx = conf_first(node, "max_reply_length");
	long long lo, hi;

	if (mn && mx && conf_parse_int(node_arg(mn, 1), 0, 65535, &lo) == 0 &&
	    conf_parse_int(node_arg(mx, 1), 0, 65535, &hi) == 0 && lo > hi)
		conf_node_error(c, mx, "max_reply_length %lld is below min_reply_length %lld", hi,
		                lo);
	finish_connection(c, node);
}

/* ---- tables ------------------------------------------------------------------ */

/* Connection keywords (every checker but MISC_CHECK, FILE_CHECK, BFD_CHECK). */
// clang-format off
#define KWC_CONNECTION_KWS \
	{.name = "connect_ip", .min_args = 1, .max_args = 1, .check = conf_chk_ip}, \
	{.name = "connect_port", .min_args = 1, .max_args = 1, .check = kwc_chk_port1}, \
	{.name = "bindto", .min_args = 1, .max_args = 1, .check = conf_chk_ip}, \
	{.name = "bind_port", .min_args = 1, .max_args = 1, .check = kwc_chk_port1}, \
	{.name = "bind_if", .min_args = 1, .max_args = 1, .check = chk_ifname}, \
	KWC_TIMER("connect_timeout", 1, KWC_CONNECT_TIMEOUT_MAX), \
	KWC_INT("fwmark", 0, KWC_U32_MAX)

/* Behaviour keywords (every checker but FILE_CHECK and BFD_CHECK). */
#define KWC_BEHAVIOUR_KWS \
	KWC_INT("retry", 0, KWC_U32_MAX), \
	KWC_TIMER("delay_before_retry", 0, KWC_TIMER_MAX), \
	KWC_TIMER("warmup", 0, KWC_TIMER_MAX), \
	KWC_TIMER("delay_loop", 1, KWC_TIMER_MAX), \
	KWC_BOOL("alpha"), \
	KWC_BOOL("log_all_failures")
// clang-format on

/* TCP_CHECK and PING_CHECK: only the common keywords. */
// clang-format off
static const struct conf_kw common_kws[] = {
	KWC_CONNECTION_KWS,
	KWC_BEHAVIOUR_KWS,
	{.name = NULL},
};
// clang-format on

const struct conf_block kwc_tcp_check_block = {
    .name = "TCP_CHECK",
    .kws = common_kws,
    .finish = finish_connection,
};

const struct conf_block kwc_ping_check_block = {
    .name = "PING_CHECK",
    .kws = common_kws,
    .finish = finish_connection,
};

/* url { } of HTTP_GET and SSL_GET */
// clang-format off
static const struct conf_kw url_kws[] = {
	KWC_STR("path"),
	{.name = "digest", .min_args = 1, .max_args = 1, .check = chk_digest},
	{.name = "status_code", .min_args = 1, .max_args = -1, .check = chk_status_code},
	KWC_STR("virtualhost"),
	KWC_STR("regex"),
	KWC_BOOL("regex_no_match"),
	{.name = "regex_options", .min_args = 1, .max_args = -1, .check = chk_regex_options},
	KWC_INT("regex_min_offset", 0, KWC_U32_MAX),
	KWC_INT("regex_max_offset", 0, KWC_U32_MAX),
	{.name = "regex_stack", .min_args = 1, .max_args = 2, .check = chk_regex_stack},
	KWC_BOOL("tls_compliant"),
	{.name = NULL},
};
// clang-format on

static const struct conf_block url_block = {
    .name = "url",
    .kws = url_kws,
    .finish = finish_url,
};

/* HTTP_GET and SSL_GET share their keywords. */
// clang-format off
static const struct conf_kw http_kws[] = {
	KWC_CONNECTION_KWS,
	KWC_BEHAVIOUR_KWS,
	KWC_BLOCK("url", &url_block),
	KWC_STR("virtualhost"),
	KWC_ENUM("http_protocol", "1.0|1.0C|1.1"),
	KWC_BOOL("fast_recovery"),
	KWC_BOOL("enable_sni"),
	KWC_STR("sni_name"),
	KWC_BOOL("tls_compliant"),
	{.name = "nb_get_retry", .min_args = 1, .max_args = 1, .check = conf_chk_int, .lo = 0,
	 .hi = KWC_U32_MAX, .flags = CONF_KW_DEPRECATED, .note = "retry"},
	{.name = NULL},
};
// clang-format on

const struct conf_block kwc_http_get_block = {
    .name = "HTTP_GET",
    .kws = http_kws,
    .finish = finish_http,
};

const struct conf_block kwc_ssl_get_block = {
    .name = "SSL_GET",
    .kws = http_kws,
    .finish = finish_http,
};

/* SMTP_CHECK and its (several) host { } targets. */
// clang-format off
static const struct conf_kw smtp_host_kws[] = {
	KWC_CONNECTION_KWS,
	KWC_BEHAVIOUR_KWS,
	{.name = NULL},
};
// clang-format on

static const struct conf_block smtp_host_block = {
    .name = "host",
    .kws = smtp_host_kws,
    .finish = finish_connection,
};

// clang-format off
static const struct conf_kw smtp_kws[] = {
	KWC_CONNECTION_KWS,
	KWC_BEHAVIOUR_KWS,
	KWC_STR("helo_name"),
	KWC_BLOCK("host", &smtp_host_block),
	{.name = NULL},
};
// clang-format on

const struct conf_block kwc_smtp_check_block = {
    .name = "SMTP_CHECK",
    .kws = smtp_kws,
    .finish = finish_connection,
};

// clang-format off
static const struct conf_kw dns_kws[] = {
	KWC_CONNECTION_KWS,
	KWC_BEHAVIOUR_KWS,
	KWC_ENUM("type", "A|NS|CNAME|SOA|MX|TXT|AAAA|RRSIG|DNSKEY"),
	{.name = "name", .min_args = 1, .max_args = 1, .check = chk_dns_name},
	{.name = NULL},
};
// clang-format on

const struct conf_block kwc_dns_check_block = {
    .name = "DNS_CHECK",
    .kws = dns_kws,
    .finish = finish_connection,
};

// clang-format off
static const struct conf_kw udp_kws[] = {
	KWC_CONNECTION_KWS,
	KWC_BEHAVIOUR_KWS,
	{.name = "payload", .min_args = 1, .max_args = -1, .check = chk_payload},
	{.name = "require_reply", .min_args = 0, .max_args = -1, .check = chk_reply},
	KWC_INT("min_reply_length", 0, 65535),
	KWC_INT("max_reply_length", 0, 65535),
	{.name = NULL},
};
// clang-format on

const struct conf_block kwc_udp_check_block = {
    .name = "UDP_CHECK",
    .kws = udp_kws,
    .finish = finish_udp,
};

// clang-format off
static const struct conf_kw misc_kws[] = {
	KWC_BEHAVIOUR_KWS,
	KWC_SCRIPT("misc_path"),
	KWC_INT("misc_timeout", 0, 4294),
	KWC_BOOL("misc_dynamic"),
	{.name = "user", .min_args = 1, .max_args = 2},
	{.name = NULL},
};
// clang-format on

const struct conf_block kwc_misc_check_block = {
    .name = "MISC_CHECK",
    .kws = misc_kws,
    .finish = finish_misc,
};

// clang-format off
static const struct conf_kw file_kws[] = {
	KWC_STR("track_file"),
	{.name = "weight", .min_args = 1, .max_args = 2, .check = chk_file_weight,
	 .lo = -KWC_I32_MAX, .hi = KWC_I32_MAX},
	{.name = NULL},
};
// clang-format on

const struct conf_block kwc_file_check_block = {
    .name = "FILE_CHECK",
    .kws = file_kws,
    .finish = finish_file,
};

// clang-format off
static const struct conf_kw bfd_kws[] = {
	KWC_STR("name"),
	KWC_BOOL("alpha"),
	{.name = NULL},
};
// clang-format on

const struct conf_block kwc_bfd_check_block = {
    .name = "BFD_CHECK",
    .kws = bfd_kws,
    .finish = finish_bfd,
};
