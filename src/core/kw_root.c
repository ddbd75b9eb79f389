/* The root of the keyword tree: every top-level block and keyword of
 * keepalived.conf.  The blocks themselves live with their subsystem. */
#include "check/check_keywords.h"
#include "core/keywords.h"
#include "vrrp/kw_checks.h"
#include "vrrp/vrrp_keywords.h"

/* Checks that need the whole configuration. */
static void finish_root(struct conf_ctx *c, conf_node *root)
{
	vrrp_kw_finish_root(c, root);
}

// clang-format off
static const struct conf_kw root_kws[] = {
	/* global configuration */
	VKW_BLOCK("global_defs", &global_defs_block),
	VKW_BLOCK("linkbeat_interfaces", &linkbeat_interfaces_block),
	VKW_BLOCK("interface_up_down_delays", &interface_up_down_delays_block),
	VKW_NAMED("track_group", &track_group_block),
	VKW_BLOCK("static_ipaddress", &static_ipaddress_block),
	VKW_BLOCK("static_routes", &static_routes_block),
	VKW_BLOCK("static_rules", &static_rules_block),
	VKW_NAMED("track_file", &track_file_block),
	{.name = "vrrp_track_file", .min_args = 1, .max_args = 1, .block = &track_file_block, .flags = CONF_KW_DEPRECATED, .note = "track_file"},
	VKW_NAMED("vrrp_track_process", &vrrp_track_process_block),
	VKW_NAMED("bfd_instance", &bfd_instance_block),

	/* VRRP */
	VKW_NAMED("vrrp_script", &vrrp_script_block),
	VKW_NAMED("vrrp_sync_group", &vrrp_sync_group_block),
	VKW_BLOCK("garp_group", &garp_group_block),
	VKW_NAMED("vrrp_instance", &vrrp_instance_block),

	/* LVS */
	VKW_NAMED("virtual_server_group", &virtual_server_group_block),
	{.name = "virtual_server", .min_args = 1, .max_args = 2, .check = virtual_server_args_check, .block = &virtual_server_block},
	VKW_BLOCK("SSL", &ssl_block),

	/* process-wide single keywords */
	VKW_STR("net_namespace"),
	VKW_ARGS("net_namespace_ipvs", 0, 1, NULL),
	VKW_FLAG("namespace_with_ipsets"),
	VKW_FLAG("use_pid_dir"),
	VKW_STR("instance"),
	VKW_INT("child_wait_time", 0, VKW_I32_MAX),
	VKW_FLAG("linkbeat_use_polling"),
	VKW_END,
};
// clang-format on

const struct conf_block ka_root_block = {
    .name = "root",
    .kws = root_kws,
    .finish = finish_root,
};
