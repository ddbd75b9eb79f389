/* Tracking: the track_* data blocks used inside vrrp_instance and
 * vrrp_sync_group, and the root-level tracker definitions (vrrp_script,
 * track_file, vrrp_track_process, bfd_instance, track_group), plus
 * linkbeat_interfaces, interface_up_down_delays and garp_group. */
#include <stdbool.h>
#include <string.h>

#include "vrrp/kw_checks.h"
#include "vrrp/vrrp_keywords.h"

/* ---- track_* data lines: NAME [weight W] [reverse|noreverse] ------------- */

struct track_kind {
	const char *what; /* for messages */
	long long lo, hi; /* weight range */
	bool is_if;       /* the name is an interface name */
};

static const struct track_kind tk_if = {"track_interface", -253, 253, true};
static const struct track_kind tk_script = {"track_script", -253, 253, false};
static const struct track_kind tk_file = {"track_file", -254, 254, false};
static const struct track_kind tk_process = {"track_process", -254, 254, false};
static const struct track_kind tk_bfd = {"track_bfd", -253, 253, false};

static bool is_reverse_word(const char *w)
{
	return strcmp(w, "reverse") == 0 || strcmp(w, "noreverse") == 0 ||
	       strcmp(w, "no_reverse") == 0;
}

static int check_track(struct conf_ctx *c, const struct track_kind *k, int argc, char **argv)
{
	bool have_weight = false, have_rev = false;
	long long v;

	if (k->is_if && !vkw_ifname_ok(argv[0])) {
		conf_error(c, "%s: invalid interface name '%s'", k->what, argv[0]);
		return -1;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "weight") == 0 && !have_weight) {
			if (i + 1 >= argc) {
				conf_error(c, "%s: missing value after 'weight' for '%s'", k->what,
				           argv[0]);
				return -1;
			}
			if (conf_parse_int(argv[++i], k->lo, k->hi, &v) < 0) {
				conf_error(c,
				           "%s: weight '%s' for '%s' must be an integer in [%lld, "
				           "%lld]",
				           k->what, argv[i], argv[0], k->lo, k->hi);
				return -1;
			}
			have_weight = true;
		} else if (is_reverse_word(argv[i]) && !have_rev) {
			have_rev = true;
		} else {
			conf_error(c, "%s: unexpected '%s' for '%s'", k->what, argv[i], argv[0]);
			return -1;
		}
	}
	return 0;
}

static int data_track_if(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	return check_track(c, &tk_if, argc, argv);
}

static int data_track_script(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	return check_track(c, &tk_script, argc, argv);
}

static int data_track_file(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	return check_track(c, &tk_file, argc, argv);
}

static int data_track_process(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	return check_track(c, &tk_process, argc, argv);
}

static int data_track_bfd(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	return check_track(c, &tk_bfd, argc, argv);
}

/* The same tracked object listed twice in one block. */
static void finish_no_duplicates(struct conf_ctx *c, conf_node *node)
{
	for (conf_node *n = node->child; n; n = n->next) {
		for (conf_node *m = node->child; m != n; m = m->next) {
			if (m->argc > 0 && n->argc > 0 && strcmp(m->argv[0], n->argv[0]) == 0) {
				conf_node_error(c, n, "duplicate %s entry '%s' (first at line %d)",
				                node->argv[0], n->argv[0], m->lineno);
				break;
			}
		}
	}
}

const struct conf_block vkw_track_if_block = {
    .name = "track_interface",
    .data = data_track_if,
    .data_min = 1,
    .data_max = 4,
    .finish = finish_no_duplicates,
};

const struct conf_block vkw_track_script_block = {
    .name = "track_script",
    .data = data_track_script,
    .data_min = 1,
    .data_max = 4,
    .finish = finish_no_duplicates,
};

const struct conf_block vkw_track_file_block = {
    .name = "track_file",
    .data = data_track_file,
    .data_min = 1,
    .data_max = 4,
    .finish = finish_no_duplicates,
};

const struct conf_block vkw_track_process_block = {
    .name = "track_process",
    .data = data_track_process,
    .data_min = 1,
    .data_max = 4,
    .finish = finish_no_duplicates,
};

const struct conf_block vkw_track_bfd_block = {
    .name = "track_bfd",
    .data = data_track_bfd,
    .data_min = 1,
    .data_max = 4,
    .finish = finish_no_duplicates,
};

/* A block that needs one keyword to be usable. */
static void require(struct conf_ctx *c, const conf_node *node, const char *kw)
{
	if (!conf_first(node, kw))
		conf_node_error(c, node, "%s %s: no '%s' specified - it will be ignored",
		                node->argv[0], node->argc > 1 ? node->argv[1] : "", kw);
}

/* ---- vrrp_script NAME { ... } -------------------------------------------- */

static void finish_vrrp_script(struct conf_ctx *c, conf_node *node)
{
	require(c, node, "script");
}

// clang-format off
static const struct conf_kw vrrp_script_kws[] = {
	VKW_SCRIPT("script"),
	VKW_TIMER("interval", 1000, 4294 * VKW_US),
	VKW_TIMER("timeout", 1000, 4294 * VKW_US),
	VKW_WEIGHT("weight", -253, 253),
	VKW_INT("rise", 1, VKW_I32_MAX),
	VKW_INT("fall", 1, VKW_I32_MAX),
	VKW_ARGS("user", 1, 2, vkw_chk_user),
	VKW_FLAG("init_fail"),
	VKW_END,
};
// clang-format on

const struct conf_block vrrp_script_block = {
    .name = "vrrp_script",
    .kws = vrrp_script_kws,
    .finish = finish_vrrp_script,
};

/* ---- track_file NAME { ... } ------------------------------------------------ */

/* init_file [VALUE] [overwrite] */
static int chk_init_file(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	long long v;
	int i = 1;

	if (i < argc && strcmp(argv[i], "overwrite") != 0) {
		if (conf_parse_int(argv[i], -VKW_I32_MAX, VKW_I32_MAX, &v) < 0) {
			conf_error(c, "%s: invalid value '%s'", kw->name, argv[i]);
			return -1;
		}
		i++;
	}
	if (i < argc && strcmp(argv[i], "overwrite") != 0) {
		conf_error(c, "%s: unexpected '%s' (expected 'overwrite')", kw->name, argv[i]);
		return -1;
	}
	return 0;
}

static void finish_track_file(struct conf_ctx *c, conf_node *node)
{
	require(c, node, "file");
}

// clang-format off
static const struct conf_kw track_file_kws[] = {
	VKW_STR("file"),
	VKW_WEIGHT("weight", -VKW_I32_MAX, VKW_I32_MAX),
	VKW_ARGS("init_file", 0, 2, chk_init_file),
	VKW_END,
};
// clang-format on

const struct conf_block track_file_block = {
    .name = "track_file",
    .kws = track_file_kws,
    .finish = finish_track_file,
};

/* ---- vrrp_track_process NAME { ... } --------------------------------------- */

static void finish_track_process(struct conf_ctx *c, conf_node *node)
{
	require(c, node, "process");
}

// clang-format off
static const struct conf_kw track_process_kws[] = {
	VKW_ARGS("process", 1, -1, NULL),
	VKW_ENUM("param_match", "initial|partial"),
	VKW_WEIGHT("weight", -254, 254),
	VKW_INT("quorum", 1, VKW_I32_MAX),
	VKW_INT("quorum_max", 0, VKW_I32_MAX),
	VKW_TIMER("delay", 0, VKW_U32_MAX),
	VKW_TIMER("fork_delay", 0, VKW_U32_MAX),
	VKW_TIMER("terminate_delay", 0, VKW_U32_MAX),
	VKW_FLAG("full_command"),
	VKW_END,
};
// clang-format on

const struct conf_block vrrp_track_process_block = {
    .name = "vrrp_track_process",
    .kws = track_process_kws,
    .finish = finish_track_process,
};

/* ---- bfd_instance NAME { ... } ---------------------------------------------- */

/* Intervals in milliseconds with µs resolution (min_rx 3.312). */
static int chk_ms(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	uint64_t v;

	if (argc < 2 || conf_parse_timer_us(argv[1], (uint64_t)kw->lo, (uint64_t)kw->hi, &v) == 0)
		return 0;
	conf_error(c, "%s: invalid interval '%s' (milliseconds, 0.001 to %lld)", kw->name, argv[1],
	           kw->hi / VKW_US);
	return -1;
}

static void finish_bfd(struct conf_ctx *c, conf_node *node)
{
	if (!conf_first(node, "neighbor_ip") && !conf_first(node, "neighbour_ip"))
		require(c, node, "neighbor_ip");
}

/* The ms value is parsed as if it were seconds, so the bounds are ms × 10^6. */
// clang-format off
#define BFD_MS(n) VKW_ARGSR(n, 1, 1, chk_ms, 1000, 4294967LL * VKW_US)
// clang-format on

// clang-format off
static const struct conf_kw bfd_kws[] = {
	VKW_ARGS("neighbor_ip", 1, 1, conf_chk_ip),
	VKW_ARGS("neighbour_ip", 1, 1, conf_chk_ip),
	VKW_ARGS("source_ip", 1, 1, conf_chk_ip),
	BFD_MS("min_rx"),
	BFD_MS("min_tx"),
	BFD_MS("idle_tx"),
	VKW_INT("multiplier", 1, 255),
	VKW_FLAG("passive"),
	VKW_INT("ttl", 1, 255),
	VKW_INT("hoplimit", 1, 255),
	VKW_INT("max_hops", 0, 255),
	VKW_FLAG("multihop"),
	VKW_WEIGHT("weight", -253, 253),
	VKW_FLAG("vrrp"),
	VKW_FLAG("checker"),
	VKW_END,
};
// clang-format on

const struct conf_block bfd_instance_block = {
    .name = "bfd_instance",
    .kws = bfd_kws,
    .finish = finish_bfd,
};

/* ---- track_group NAME { group { VI ... } } ------------------------------------ */

static void finish_track_group(struct conf_ctx *c, conf_node *node)
{
	const conf_node *g = conf_first(node, "group");

	if (!g || !g->child)
		conf_node_error(c, node, "track_group %s has no member vrrp_instance",
		                node->argc > 1 ? node->argv[1] : "");
}

// clang-format off
static const struct conf_kw track_group_kws[] = {
	VKW_BLOCK("group", &vkw_names_block),
	VKW_END,
};
// clang-format on

const struct conf_block track_group_block = {
    .name = "track_group",
    .kws = track_group_kws,
    .finish = finish_track_group,
};

/* ---- linkbeat_interfaces { IF [MII|ETHTOOL|IOCTL] } ---------------------------- */

static int data_linkbeat(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	if (!vkw_ifname_ok(argv[0])) {
		conf_error(c, "linkbeat_interfaces: invalid interface name '%s'", argv[0]);
		return -1;
	}
	if (argc > 1 && strcmp(argv[1], "MII") && strcmp(argv[1], "ETHTOOL") &&
	    strcmp(argv[1], "IOCTL")) {
		conf_error(c,
		           "linkbeat_interfaces: invalid polling type '%s' for %s (expected "
		           "MII, ETHTOOL or IOCTL)",
		           argv[1], argv[0]);
		return -1;
	}
	return 0;
}

const struct conf_block linkbeat_interfaces_block = {
    .name = "linkbeat_interfaces",
    .data = data_linkbeat,
    .data_min = 1,
    .data_max = 2,
    .finish = finish_no_duplicates,
};

/* ---- interface_up_down_delays { IF DOWN [UP] } ------------------------------- */

static int data_updown(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	uint64_t v;

	(void)kw;
	if (!vkw_ifname_ok(argv[0])) {
		conf_error(c, "interface_up_down_delays: invalid interface name '%s'", argv[0]);
		return -1;
	}
	for (int i = 1; i < argc; i++) {
		if (conf_parse_timer_us(argv[i], 0, 255 * VKW_US, &v) < 0) {
			conf_error(c,
			           "interface_up_down_delays: invalid delay '%s' for %s (0 to 255 "
			           "seconds)",
			           argv[i], argv[0]);
			return -1;
		}
	}
	return 0;
}

const struct conf_block interface_up_down_delays_block = {
    .name = "interface_up_down_delays",
    .data = data_updown,
    .data_min = 2,
    .data_max = 3,
    .finish = finish_no_duplicates,
};

/* ---- garp_group { garp_interval; gna_interval; interface | interfaces } ------- */

static int data_ifnames(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	for (int i = 0; i < argc; i++) {
		if (!vkw_ifname_ok(argv[i])) {
			conf_error(c, "invalid interface name '%s'", argv[i]);
			return -1;
		}
	}
	return 0;
}

static const struct conf_block ifnames_block = {
    .name = "interfaces",
    .data = data_ifnames,
    .data_min = 1,
    .data_max = -1,
};

static void finish_garp_group(struct conf_ctx *c, conf_node *node)
{
	bool one = conf_first(node, "interface") != NULL;
	bool many = conf_first(node, "interfaces") != NULL;

	if (one && many)
		conf_node_error(c, node,
		                "garp_group: specify only one of interface and interfaces");
	else if (!one && !many)
		conf_node_warn(c, node, "garp_group: no interface specified - it will be ignored");
}

// clang-format off
static const struct conf_kw garp_group_kws[] = {
	VKW_TIMER("garp_interval", 0, VKW_U32_MAX),
	VKW_TIMER("gna_interval", 0, VKW_U32_MAX),
	VKW_ARGS("interface", 1, 1, vkw_chk_ifname),
	VKW_BLOCK("interfaces", &ifnames_block),
	VKW_END,
};
// clang-format on

const struct conf_block garp_group_block = {
    .name = "garp_group",
    .kws = garp_group_kws,
    .finish = finish_garp_group,
};
