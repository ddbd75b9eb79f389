/* global_defs: every keyword of the block, with argument counts, ranges
 * and deprecations.  Values are only validated here; the subsystems read
 * them from the tree. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>

#include "core/keywords.h"
#include "lib/addr.h"
#include "vrrp/kw_checks.h"

/* ---- checkers ----------------------------------------------------------------- */

/* smtp_server HOST|IP [PORT] */
static int chk_smtp_server(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	struct ka_addr a;
	long long port;
	const char *h = argv[1];

	if (strchr(h, ':') && addr_parse(h, &a) < 0) {
		conf_error(c, "%s: invalid address '%s'", kw->name, h);
		return -1;
	}
	for (const char *p = h; *p; p++) {
		if (!(*p == '.' || *p == '-' || *p == ':' || *p == '_' ||
		      (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z'))) {
			conf_error(c, "%s: invalid host name '%s'", kw->name, h);
			return -1;
		}
	}
	if (argc > 2 && conf_parse_int(argv[2], 1, 65535, &port) < 0) {
		conf_error(c, "%s: invalid port '%s' (1..65535)", kw->name, argv[2]);
		return -1;
	}
	return 0;
}

/* A multicast group of one family (vrrp_mcast_group4/6). */
static int chk_mcast_family(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	struct ka_addr a;
	int fam = kw->lo == 6 ? AF_INET6 : AF_INET;

	if (vkw_chk_mcast(c, kw, argc, argv) < 0)
		return -1;
	if (addr_parse(argv[1], &a) == 0 && a.family != fam) {
		conf_error(c, "%s: '%s' is not an IPv%lld address", kw->name, argv[1], kw->lo);
		return -1;
	}
	return 0;
}

/* CPU ids that exist on this host. */
static int chk_cpus(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	long long ncpu = get_nprocs_conf(), v;

	for (int i = 1; i < argc; i++) {
		if (conf_parse_int(argv[i], 0, ncpu - 1, &v) < 0) {
			conf_error(c, "%s: invalid cpu id '%s' (this host has cpus 0..%lld)",
			           kw->name, argv[i], ncpu - 1);
			return -1;
		}
	}
	return 0;
}

/* umask NUMBER | BITS: "0022", or "IWGRP|IWOTH" (possibly spread over
 * several words around the '|'). */
static int chk_umask(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	static const char *const bits[] = {"IRUSR", "IWUSR", "IXUSR", "IRGRP", "IWGRP",
	                                   "IXGRP", "IROTH", "IWOTH", "IXOTH", NULL};
	char buf[256] = "";
	long long v;

	if (argc == 2 && argv[1][0] >= '0' && argv[1][0] <= '9') {
		/* A leading 0 means octal, as in the shell. */
		bool ok;

		if (argv[1][0] == '0' && argv[1][1] != 'x' && argv[1][1] != 'X') {
			unsigned long o = 0;
			const char *p = argv[1];

			ok = true;
			for (; *p && ok; p++) {
				ok = *p >= '0' && *p <= '7';
				o = o * 8 + (unsigned long)(*p - '0');
				ok = ok && o <= 0777;
			}
		} else {
			ok = conf_parse_int(argv[1], 0, 0777, &v) == 0;
		}
		if (!ok)
			conf_error(c, "%s: invalid umask value '%s'", kw->name, argv[1]);
		return ok ? 0 : -1;
	}
	for (int i = 1; i < argc; i++) {
		strncat(buf, argv[i], sizeof(buf) - strlen(buf) - 1);
	}
	for (char *save = NULL, *tok = strtok_r(buf, "|", &save); tok;
	     tok = strtok_r(NULL, "|", &save)) {
		bool found = false;

		for (const char *const *b = bits; *b && !found; b++)
			found = strcmp(*b, tok) == 0;
		if (!found) {
			conf_error(c, "%s: unknown umask bit '%s'", kw->name, tok);
			return -1;
		}
	}
	return 0;
}

/* Each word is one of kw->choices, optionally prefixed by + or -. */
static int chk_include_check(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i] + (argv[i][0] == '+' || argv[i][0] == '-');

		if (strcmp(w, "readable") && strcmp(w, "match") && strcmp(w, "wildcard_match") &&
		    strcmp(w, "brace_match")) {
			conf_error(c, "%s: unknown check '%s'", kw->name, argv[i]);
			return -1;
		}
	}
	return 0;
}

/* vrrp_rx_bufs_policy MTU|ADVERT|NUMBER */
static int chk_rx_bufs_policy(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	long long v;

	(void)argc;
	if (!strcmp(argv[1], "MTU") || !strcmp(argv[1], "ADVERT") ||
	    conf_parse_int(argv[1], 1, VKW_U32_MAX, &v) == 0)
		return 0;
	conf_error(c, "%s: invalid value '%s' (expected MTU, ADVERT or a size)", kw->name, argv[1]);
	return -1;
}

/* lvs_sync_daemon IF [[inst] VI] [id N] [maxlen N] [port N] [ttl N] [group IP] */
static int chk_lvs_sync_daemon(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	static const struct {
		const char *name;
		long long lo, hi;
	} opts[] = {{"id", 0, 255}, {"maxlen", 1, 65507}, {"port", 1, 65535}, {"ttl", 1, 255}};
	bool have_vi = false;
	struct ka_addr a;
	long long v;

	if (!vkw_ifname_ok(argv[1])) {
		conf_error(c, "%s: invalid interface name '%s'", kw->name, argv[1]);
		return -1;
	}
	for (int i = 2; i < argc; i++) {
		const char *w = argv[i];
		size_t k;

		if (i + 1 >= argc && (strcmp(w, "inst") == 0 || strcmp(w, "group") == 0)) {
			conf_error(c, "%s: missing value after '%s'", kw->name, w);
			return -1;
		}
		if (strcmp(w, "inst") == 0 && !have_vi) {
			have_vi = true;
			i++;
			continue;
		}
		if (strcmp(w, "group") == 0) {
			if (addr_parse(argv[++i], &a) < 0) {
				conf_error(c, "%s: invalid group address '%s'", kw->name, argv[i]);
				return -1;
			}
			continue;
		}
		for (k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
			if (strcmp(w, opts[k].name) == 0)
				break;
		if (k < sizeof(opts) / sizeof(opts[0])) {
			if (i + 1 >= argc ||
			    conf_parse_int(argv[i + 1], opts[k].lo, opts[k].hi, &v) < 0) {
				conf_error(c, "%s: %s needs a value in [%lld, %lld]", kw->name, w,
				           opts[k].lo, opts[k].hi);
				return -1;
			}
			i++;
			continue;
		}
		if (!have_vi && i == 2) {
			have_vi = true;
			continue;
		}
		conf_error(c, "%s: unexpected '%s'", kw->name, w);
		return -1;
	}
	return 0;
}

/* lvs_timeouts [tcp S] [tcpfin S] [udp S] */
static int chk_lvs_timeouts(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	long long v;

	for (int i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "tcp") && strcmp(argv[i], "tcpfin") && strcmp(argv[i], "udp")) {
			conf_error(c, "%s: unknown option '%s' (expected tcp, tcpfin or udp)",
			           kw->name, argv[i]);
			return -1;
		}
		if (i + 1 >= argc || conf_parse_int(argv[i + 1], 0, VKW_I32_MAX, &v) < 0) {
			conf_error(c, "%s: %s needs a number of seconds", kw->name, argv[i]);
			return -1;
		}
	}
	return 0;
}

/* FIFO [username [groupname]] */
static int chk_fifo(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	if (argc < 3)
		return 0;
	/* Reuse the user check on "FIFO USER [GROUP]" shifted by one word. */
	return vkw_chk_user(c, kw, argc - 1, argv + 1);
}

/* metrics_listen [ADDRESS [PORT]]: a numeric address (no name lookups in
 * the parent); the endpoint is loopback unless an address says otherwise. */
static int chk_metrics_listen(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	struct ka_addr a;
	long long port;

	if (argc > 1 && addr_parse(argv[1], &a) < 0) {
		conf_error(c, "%s: invalid address '%s' (a numeric IPv4 or IPv6 address)", kw->name,
		           argv[1]);
		return -1;
	}
	if (argc > 2 && conf_parse_int(argv[2], 1, 65535, &port) < 0) {
		conf_error(c, "%s: invalid port '%s' (1..65535)", kw->name, argv[2]);
		return -1;
	}
	return 0;
}

/* metrics_textfile PATH: node_exporter's textfile collector reads *.prom. */
static int chk_metrics_textfile(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	size_t n = strlen(argv[1]);

	if (conf_chk_path(c, kw, argc, argv) < 0)
		return -1;
	if (n < 6 || strcmp(argv[1] + n - 5, ".prom") != 0)
		conf_warn(c, "%s: '%s' does not end in .prom (node_exporter will not read it)",
		          kw->name, argv[1]);
	return 0;
}

/* ---- the table ---------------------------------------------------------------- */

static const struct conf_block notification_email_block = {
    .name = "notification_email",
    .data = vkw_data_names,
    .data_min = 1,
    .data_max = -1,
};

// clang-format off
#define NICE(n)              VKW_INT(n, -20, 19)
#define RTPRIO(n)            VKW_INT(n, 1, 99)
#define CPUS(n)              VKW_ARGS(n, 1, -1, chk_cpus)
#define RLIMIT(n)            VKW_INT(n, 1, VKW_U32_MAX)
#define RLIMIT_DEP(n, repl)  {.name = (n), .min_args = 1, .max_args = 1, .check = conf_chk_int, .lo = 1, .hi = VKW_U32_MAX, .flags = CONF_KW_DEPRECATED, .note = (repl)}
#define BUFS(n)              VKW_INT(n, 0, VKW_U32_MAX)
#define PATH(n)              VKW_ARGS(n, 1, 1, conf_chk_path)
#define FIFO(n)              VKW_ARGS(n, 1, 3, chk_fifo)
// clang-format on

// clang-format off
static const struct conf_kw global_defs_kws[] = {
	/* identity and mail */
	VKW_STR("router_id"),
	VKW_BLOCK("notification_email", &notification_email_block),
	VKW_STR("notification_email_from"),
	VKW_ARGS("smtp_server", 1, 2, chk_smtp_server),
	VKW_STR("smtp_helo_name"),
	VKW_INT("smtp_connect_timeout", 0, 4294),
	VKW_BOOL("smtp_alert"),
	VKW_BOOL("smtp_alert_vrrp"),
	VKW_BOOL("smtp_alert_checker"),
	VKW_FLAG("no_email_faults"),
	VKW_BOOL("no_checker_emails"),
	VKW_BOOL("checker_log_all_failures"),
	{.name = "lvs_id", .max_args = -1, .flags = CONF_KW_DEPRECATED | CONF_KW_IGNORED},

	/* processes and scheduling */
	VKW_FLAG("process_names"),
	VKW_STR("process_name"),
	VKW_STR("vrrp_process_name"),
	VKW_STR("checker_process_name"),
	VKW_DEP("lvs_process_name", 1, 1, "checker_process_name"),
	VKW_STR("bfd_process_name"),
	NICE("vrrp_priority"),
	NICE("checker_priority"),
	NICE("bfd_priority"),
	VKW_FLAG("vrrp_no_swap"),
	VKW_FLAG("checker_no_swap"),
	VKW_FLAG("bfd_no_swap"),
	RTPRIO("vrrp_rt_priority"),
	RTPRIO("checker_rt_priority"),
	RTPRIO("bfd_rt_priority"),
	CPUS("vrrp_cpu_affinity"),
	CPUS("checker_cpu_affinity"),
	CPUS("bfd_cpu_affinity"),
	RLIMIT("vrrp_rlimit_rttime"),
	RLIMIT("checker_rlimit_rttime"),
	RLIMIT("bfd_rlimit_rttime"),
	RLIMIT_DEP("vrrp_rlimit_rtime", "vrrp_rlimit_rttime"),
	RLIMIT_DEP("checker_rlimit_rtime", "checker_rlimit_rttime"),
	RLIMIT_DEP("bfd_rlimit_rtime", "bfd_rlimit_rttime"),
	VKW_ARGSR("max_auto_priority", 0, 1, conf_chk_int, -1, 99),
	VKW_INT("min_auto_priority_delay", 1, 10000000),
	VKW_ARGS("umask", 1, -1, chk_umask),
	VKW_INT("random_seed", 0, VKW_U32_MAX),

	/* scripts */
	VKW_ARGS("script_user", 1, 2, vkw_chk_user),
	VKW_FLAG("enable_script_security"),
	VKW_BOOL("set_supplementary_groups"),
	VKW_BOOL("use_symlink_paths"),
	VKW_SCRIPT("startup_script"),
	VKW_INT("startup_script_timeout", 1, 1000),
	VKW_SCRIPT("shutdown_script"),
	VKW_INT("shutdown_script_timeout", 1, 1000),

	/* VRRP defaults */
	VKW_INT("vrrp_version", 2, 3),
	VKW_ARGSR("vrrp_mcast_group4", 1, 1, chk_mcast_family, 4, 4),
	VKW_ARGSR("vrrp_mcast_group6", 1, 1, chk_mcast_family, 6, 6),
	VKW_INT("vrrp_garp_master_delay", 0, 4294),
	VKW_INT("vrrp_garp_master_repeat", 1, VKW_I32_MAX),
	VKW_INT("vrrp_garp_master_refresh", 0, VKW_U32_MAX),
	VKW_INT("vrrp_garp_master_refresh_repeat", 1, VKW_I32_MAX),
	VKW_INT("vrrp_garp_lower_prio_delay", 0, 4294),
	VKW_INT("vrrp_garp_lower_prio_repeat", 0, VKW_I32_MAX),
	VKW_TIMER("vrrp_garp_interval", 1, VKW_U32_MAX),
	VKW_TIMER("vrrp_gna_interval", 1, VKW_U32_MAX),
	VKW_BOOL("vrrp_min_garp"),
	VKW_ARGSR("vrrp_garp_extra_if", 1, 2, vkw_chk_garp_extra_if, 1, 86400),
	{.name = "vrrp_vmac_garp_intvl", .min_args = 1, .max_args = 2, .check = vkw_chk_garp_extra_if, .lo = 1, .hi = 86400, .flags = CONF_KW_DEPRECATED, .note = "vrrp_garp_extra_if"},
	VKW_INT("vrrp_down_timer_adverts", 1, 100),
	VKW_BOOL("vrrp_lower_prio_no_advert"),
	VKW_BOOL("vrrp_higher_prio_send_advert"),
	VKW_FLAG("vrrp_check_unicast_src"),
	VKW_FLAG("vrrp_skip_check_adv_addr"),
	VKW_FLAG("vrrp_strict"),
	VKW_BOOL("vrrp_owner_ignore_adverts"),
	VKW_BOOL("v3_checksum_as_v2"),
	VKW_BOOL("vrrp_notify_priority_changes"),
	VKW_TIMER("vrrp_startup_delay", 1000, VKW_U32_MAX),
	VKW_TIMER("vrrp_delay_after_boot", 0, VKW_U32_MAX),
	VKW_FLAG("log_unknown_vrids"),
	VKW_STR("vmac_prefix"),
	VKW_STR("vmac_addr_prefix"),
	VKW_ARGS("default_interface", 1, 1, vkw_chk_ifname),
	VKW_OPT_ENUM("dynamic_interfaces", "allow_if_changes"),
	VKW_FLAG("disable_local_igmp"),
	VKW_ARGS("vrrp_rx_bufs_policy", 1, 1, chk_rx_bufs_policy),
	VKW_INT("vrrp_rx_bufs_multiplier", 1, VKW_U32_MAX),

	/* firewall */
	VKW_ARGS("vrrp_iptables", 0, 2, NULL),
	VKW_ARGS("vrrp_ipsets", 0, 5, NULL),
	VKW_ARGS("nftables", 0, 1, NULL),
	VKW_INT("nftables_priority", -VKW_I32_MAX - 1, VKW_I32_MAX),
	VKW_FLAG("nftables_ifindex"),
	VKW_FLAG("nftables_counters"),
	VKW_ARGS("nftables_ipvs", 0, 1, NULL),
	VKW_INT("nftables_ipvs_priority", -VKW_I32_MAX - 1, VKW_I32_MAX),
	VKW_INT("nftables_ipvs_start_fwmark", 1, VKW_U32_MAX),

	/* LVS */
	VKW_ARGS("lvs_sync_daemon", 1, -1, chk_lvs_sync_daemon),
	VKW_ARGS("lvs_timeouts", 2, 6, chk_lvs_timeouts),
	VKW_FLAG("lvs_flush"),
	VKW_ENUM("lvs_data_plane", "ipvs|nftables|auto"),
	VKW_OPT_ENUM("lvs_flush_on_stop", "VS"),
	{.name = "lvs_flush_onstop", .max_args = 1, .check = vkw_chk_enum_cs, .choices = "VS", .flags = CONF_KW_DEPRECATED, .note = "lvs_flush_on_stop"},
	VKW_BOOL("rs_init_notifies"),

	/* notify FIFOs */
	FIFO("notify_fifo"),
	VKW_SCRIPT("notify_fifo_script"),
	FIFO("vrrp_notify_fifo"),
	VKW_SCRIPT("vrrp_notify_fifo_script"),
	FIFO("lvs_notify_fifo"),
	VKW_SCRIPT("lvs_notify_fifo_script"),
	VKW_FLAG("fifo_write_vrrp_states_on_reload"),

	/* SNMP and DBus */
	VKW_STR("snmp_socket"),
	VKW_FLAG("enable_traps"),
	VKW_FLAG("enable_snmp_vrrp"),
	VKW_DEP("enable_snmp_keepalived", 0, -1, "enable_snmp_vrrp"),
	VKW_FLAG("enable_snmp_checker"),
	VKW_FLAG("enable_snmp_rfc"),
	VKW_FLAG("enable_snmp_rfcv2"),
	VKW_FLAG("enable_snmp_rfcv3"),
	VKW_TIMER("snmp_vs_stats_update_interval", 0, 86400 * VKW_US),
	VKW_TIMER("snmp_rs_stats_update_interval", 0, 86400 * VKW_US),
	VKW_FLAG("enable_dbus"),
	VKW_STR("dbus_service_name"),
	VKW_FLAG("dbus_no_interface_name"),

	/* metrics (Prometheus text: HTTP endpoint, node_exporter textfile) */
	VKW_ARGS("metrics_listen", 0, 2, chk_metrics_listen),
	VKW_ARGS("metrics_textfile", 1, 1, chk_metrics_textfile),
	VKW_INT("metrics_textfile_interval", 1, 86400),

	/* netlink buffers */
	BUFS("vrrp_netlink_cmd_rcv_bufs"),
	VKW_BOOL("vrrp_netlink_cmd_rcv_bufs_force"),
	BUFS("vrrp_netlink_monitor_rcv_bufs"),
	VKW_BOOL("vrrp_netlink_monitor_rcv_bufs_force"),
	BUFS("lvs_netlink_cmd_rcv_bufs"),
	VKW_BOOL("lvs_netlink_cmd_rcv_bufs_force"),
	BUFS("lvs_netlink_monitor_rcv_bufs"),
	VKW_BOOL("lvs_netlink_monitor_rcv_bufs_force"),
	BUFS("process_monitor_rcv_bufs"),
	VKW_BOOL("process_monitor_rcv_bufs_force"),

	/* reload and files */
	VKW_ARGS("reload_check_config", 0, 1, NULL),
	PATH("reload_time_file"),
	VKW_FLAG("reload_repeat"),
	VKW_ARGS("reload_file", 0, 1, conf_chk_path),
	VKW_ARGS("include_check", 0, -1, chk_include_check),
	PATH("config_save_dir"),
	PATH("tmp_config_directory"),
	VKW_BOOL("data_use_instance"),
	VKW_INT("json_version", 1, 2),
	PATH("state_dump_file"),
	PATH("stats_dump_file"),
	PATH("json_dump_file"),
	PATH("iproute_usr_dir"),
	PATH("iproute_etc_dir"),
	VKW_END,
};
// clang-format on

const struct conf_block global_defs_block = {
    .name = "global_defs",
    .kws = global_defs_kws,
};
