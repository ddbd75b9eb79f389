/* Typed, defaulted VRRP configuration ("config structs"), built from the
 * parsed tree (conf/conf.h).  Pure: no sockets and no interface lookups;
 * interfaces are kept as names for the runtime to resolve.  The only system
 * lookups are getpwnam/getgrnam for script users.
 *
 * Ownership: everything hangs off one struct vrrp_conf and is freed by
 * vrrp_conf_free().  Arrays are allocated once and never move, so pointers
 * into them (track_ref.script, instance.sync_group, ...) stay valid for the
 * life of the conf.  No pointer refers into the conf_tree: the tree may be
 * freed after vrrp_conf_build().
 *
 * Units: times are µs (uint64_t, suffix _us) except advert_int_cs
 * (centiseconds, the VRRPv3 wire unit).  "Default" below is the value used
 * when the keyword is absent.
 *
 * Diagnostics: vrrp_conf_build() reports semantic problems that the keyword
 * tables' checkers cannot see.  It does NOT repeat what the tables' finish
 * hooks already report (missing virtual_router_id or interface, duplicate
 * instance names or VRIDs, VIPs of a family other than the instance's,
 * unknown sync group members or trackers, a sync group of one member, a
 * member of two groups); it silently applies the consequence instead (the
 * instance, VIP or reference is left out).
 */
#ifndef KA_VRRP_CONF_H
#define KA_VRRP_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf/conf.h"
#include "lib/addr.h"

#define VRRP_PRIO_OWNER 255
#define VRRP_DEFAULT_PRIORITY 100
#define VRRP_DEFAULT_ADVERT_CS 100 /* 1 s */
#define VRRP_MAX_ADVERT_CS_V3 4095 /* 40.95 s (12-bit field) */
#define VRRP_PREFERRED_LFT_FOREVER UINT32_MAX

/* A configured command line (notify scripts, vrrp_script, FIFO scripts). */
struct vrrp_cmd {
	char **argv;      /* NULL-terminated; argv[0] is the program.  A single
	                   * configured word is split with script_argv_split()
	                   * (quotes group, backslash escapes); several words are
	                   * taken as they are (the reader already unquoted them). */
	char *text;       /* the configured words joined by spaces (logs, dumps) */
	uid_t uid;        /* who runs it: the script's own `user`, else the global */
	gid_t gid;        /*   script user (see vrrp_global.script_uid) */
	const char *file; /* where it was configured (owned by the conf) */
	int line;
};

/* ---- global_defs ---------------------------------------------------------- */

/* A FIFO: `notify_fifo PATH [USER [GROUP]]` + `notify_fifo_script CMD`. */
struct vrrp_fifo {
	char *path;              /* NULL = not configured */
	bool user_set;           /* USER [GROUP] given after the path */
	uid_t uid;               /*   resolved USER (getpwnam) */
	gid_t gid;               /*   GROUP, else USER's primary group */
	struct vrrp_cmd *script; /* *_fifo_script, NULL = none; run with the FIFO
	                          * path appended as its last argument */
};

/* GARP / unsolicited NA schedule (reference §4.8).  The same struct holds
 * the global defaults and each instance's effective values. */
struct vrrp_garp_conf {
	uint64_t master_delay_us;       /* second burst after becoming master;
	                                  * default 5 s, 0 = none */
	uint32_t master_repeat;         /* messages per burst; default 5 */
	uint64_t master_refresh_us;     /* periodic refresh; default 0 = off */
	uint32_t master_refresh_repeat; /* messages per refresh; default 1 */
	uint64_t lower_prio_delay_us;   /* on a lower-priority advert while master;
	                                  * default = master_delay_us */
	uint32_t lower_prio_repeat;     /* default = master_repeat */
	uint64_t extra_if_us;           /* garp_extra_if: periodic GARPs on VIP
	                                  * interfaces other than the instance's;
	                                  * default 0 = off */
	bool extra_if_all;              /* `garp_extra_if all S`: all such
	                                  * interfaces, not only VMACs */
};

struct vrrp_global {
	char *router_id;             /* NULL = unset (the runtime uses the host name) */
	int version;                 /* vrrp_version: default 2 */
	struct ka_addr mcast_group4; /* vrrp_mcast_group4, default 224.0.0.18 */
	struct ka_addr mcast_group6; /* vrrp_mcast_group6, default ff02::12 */

	/* Instance defaults.  In `garp` the two lower_prio values are
	 * VRRP_CONF_UNSET_* when not configured (each instance then uses its
	 * own master_delay_us / master_repeat). */
	struct vrrp_garp_conf garp;   /* vrrp_garp_* (+ vrrp_min_garp: repeat 1,
	                              * no second burst, applied before the
	                              * explicit keywords) */
	bool min_garp;                /* vrrp_min_garp; default off */
	uint64_t garp_interval_us;    /* vrrp_garp_interval: gap between GARPs on
	                              * one interface; default 0 */
	uint64_t gna_interval_us;     /* vrrp_gna_interval: same for NAs; default 0 */
	unsigned down_timer_adverts;  /* vrrp_down_timer_adverts 1..100; default 3 */
	bool lower_prio_no_advert;    /* default off; on under vrrp_strict */
	bool higher_prio_send_advert; /* default off */
	bool check_unicast_src;       /* vrrp_check_unicast_src; default off */
	bool skip_check_adv_addr;     /* vrrp_skip_check_adv_addr; default off */
	bool strict;                  /* vrrp_strict; default off */
	bool owner_ignore_adverts;    /* vrrp_owner_ignore_adverts; default off,
	                              * on under vrrp_strict */
	bool v3_checksum_as_v2;       /* default off */
	bool notify_priority_changes; /* vrrp_notify_priority_changes; default off */
	bool smtp_alert;              /* smtp_alert_vrrp, else smtp_alert; default off */
	uint64_t startup_delay_us;    /* vrrp_startup_delay; default 0 */
	uint64_t delay_after_boot_us; /* vrrp_delay_after_boot; default 0 */
	bool log_unknown_vrids;
	/* vrrp_netlink_monitor_rcv_bufs: the interface monitor's socket
	 * buffer in bytes; 0 = the default (8 MB) */
	uint32_t nl_monitor_rcvbuf;
	char *vmac_prefix;       /* default "vrrp" (VMAC names PREFIX.VRID) */
	char *default_interface; /* NULL = unset (runtime default eth0) */
	bool dynamic_interfaces; /* interfaces may be missing at start */
	bool allow_if_changes;   /* `dynamic_interfaces allow_if_changes` */
	bool disable_local_igmp;

	/* Notify FIFOs: VRRP lines go to both notify_fifo and vrrp_notify_fifo. */
	struct vrrp_fifo notify_fifo;      /* notify_fifo (+ notify_fifo_script) */
	struct vrrp_fifo vrrp_notify_fifo; /* vrrp_notify_fifo (+ _script) */
	bool fifo_write_states_on_reload;  /* fifo_write_vrrp_states_on_reload */

	/* Scripts. */
	bool script_user_set; /* script_user given */
	uid_t script_uid;     /* script_user, else keepalived_script if that
	                        * user exists, else 0 (root) */
	gid_t script_gid;     /* its group (GROUP given, else primary group) */
	bool script_security; /* enable_script_security */

	int max_auto_priority; /* -1 = not set (default); the keyword alone = 99 */
};

#define VRRP_CONF_UNSET_U32 UINT32_MAX
#define VRRP_CONF_UNSET_U64 UINT64_MAX

/* ---- root-level tracker definitions ----------------------------------------- */

/* vrrp_script NAME { ... } */
struct vrrp_script_conf {
	char *name;
	struct vrrp_cmd cmd;  /* `script`; uid/gid = `user`, else global */
	bool user_set;        /* `user` given */
	uint64_t interval_us; /* default 1 s */
	uint64_t timeout_us;  /* default = interval_us */
	int weight;           /* -253..253; default 0 (= FAULT while failed) */
	bool weight_reverse;  /* `weight W reverse` */
	unsigned rise;        /* successes to become OK; default 1 */
	unsigned fall;        /* failures to become KO; default 1 */
	bool init_fail;       /* init_fail: start in the failed state; default
	                       * off (the first result(s) decide) */
	const char *file;
	int line;
};

/* track_file NAME { file PATH; weight W [reverse]; init_file [V] [overwrite] }
 * (also the deprecated vrrp_track_file). */
struct vrrp_track_file_conf {
	char *name;
	char *path; /* `file` */
	int weight; /* default 1 */
	bool weight_reverse;
	bool init_file;      /* create/initialise the file at start */
	int init_value;      /* value written by init_file; default 0 */
	bool init_overwrite; /* overwrite an existing file */
	const char *file;
	int line;
};

/* garp_group { garp_interval; gna_interval; interface IF | interfaces {...} } */
struct vrrp_garp_group_conf {
	uint64_t garp_interval_us; /* default 0 */
	uint64_t gna_interval_us;  /* default 0 */
	char **ifnames;            /* NULL-terminated */
	size_t n_ifnames;
	const char *file;
	int line;
};

/* linkbeat_interfaces { IF [MII|ETHTOOL|IOCTL] } */
enum vrrp_linkbeat_type { VRRP_LB_AUTO = 0, VRRP_LB_MII, VRRP_LB_ETHTOOL, VRRP_LB_IOCTL };
struct vrrp_linkbeat_conf {
	char *ifname;
	enum vrrp_linkbeat_type type; /* default AUTO */
};

/* interface_up_down_delays { IF DOWN [UP] } */
struct vrrp_if_delay_conf {
	char *ifname;
	uint64_t down_us;
	uint64_t up_us; /* default = 0 */
};

/* ---- addresses ------------------------------------------------------------- */

enum vrrp_vip_flags {
	VRRP_VIP_HOME = 1 << 0,
	VRRP_VIP_NODAD = 1 << 1, /* -nodad (IPv6 VIPs always get NODAD anyway) */
	VRRP_VIP_MNGTMPADDR = 1 << 2,
	VRRP_VIP_NOPREFIXROUTE = 1 << 3,
	VRRP_VIP_AUTOJOIN = 1 << 4,
	VRRP_VIP_NO_TRACK = 1 << 5, /* no_track: removal by others not acted on */
	VRRP_VIP_USE_VMAC = 1 << 6, /* use_vmac: put it on the instance's VMAC */
};

enum vrrp_brd { VRRP_BRD_NONE = 0, VRRP_BRD_ADDR, VRRP_BRD_PLUS, VRRP_BRD_MINUS };

/* One line of virtual_ipaddress, virtual_ipaddress_excluded or
 * static_ipaddress:
 * IP[/M] [brd IP|+|-] [dev IF] [scope S] [label L] [peer IP] [flags...]
 * [preferred_lft N|forever] [track_group G]. */
struct vrrp_vip {
	struct ka_addr addr;
	int prefixlen;           /* /M, default 32 (IPv4) / 128 (IPv6) */
	char *dev;               /* NULL = the instance interface (static:
	                         * global default_interface) */
	enum vrrp_brd brd;       /* default NONE */
	struct ka_addr brd_addr; /* when brd == VRRP_BRD_ADDR */
	bool has_peer;
	struct ka_addr peer;
	int scope;              /* RT_SCOPE_* value: global 0 (default), site 200,
	                         * link 253, host 254, nowhere 255, or a number;
	                         * -1 = a name from rt_scopes (see scope_name) */
	char *scope_name;       /* the word as given, NULL if absent */
	char *label;            /* NULL = none */
	unsigned flags;         /* enum vrrp_vip_flags */
	uint32_t preferred_lft; /* seconds; VRRP_PREFERRED_LFT_FOREVER = default,
	                         * 0 by default for IPv6 /128 (deprecated addr) */
	bool preferred_lft_set; /* given explicitly */
	char *track_group;      /* static_ipaddress only; NULL = none */
	char *text;             /* the line's words joined by spaces */
	const char *file;
	int line;
};

/* A virtual_routes / virtual_rules / static_routes / static_rules line,
 * kept as words (validated by the keyword tables) for the netlink layer. */
struct vrrp_raw_line {
	char **argv; /* NULL-terminated */
	int argc;
	char *text; /* words joined by spaces (comparison key for reloads) */
	const char *file;
	int line;
};

struct vrrp_unicast_peer {
	struct ka_addr addr;
	int min_ttl; /* default 0 (no check) */
	int max_ttl; /* default 255 */
	const char *file;
	int line;
};

/* ---- tracking references ---------------------------------------------------- */

/* One line of a track_* block inside an instance or sync group:
 * NAME [weight W] [reverse|noreverse]. */
struct vrrp_track_ref {
	char *name; /* interface, vrrp_script, track_file, process or bfd name */
	/* Resolved definition (same conf), NULL for interfaces, processes and
	 * bfd (their definitions are not built here). */
	const struct vrrp_script_conf *script;    /* track_script */
	const struct vrrp_track_file_conf *tfile; /* track_file */
	int index;       /* index of script/tfile in its conf array, else -1 */
	int weight;      /* effective: `weight W` on the line, else the
	                   * definition's weight (script/file), else 0.  Forced to
	                   * 0 in sync group members without
	                   * sync_group_tracking_weight (with a warning). */
	bool weight_set; /* `weight W` on the line */
	bool reverse;    /* effective: reverse/noreverse on the line, else the
	                   * definition's `weight W reverse` */
	const char *file;
	int line;
};

struct vrrp_tracking {
	struct vrrp_track_ref *ifs; /* track_interface */
	size_t n_ifs;
	struct vrrp_track_ref *scripts; /* track_script */
	size_t n_scripts;
	struct vrrp_track_ref *files; /* track_file */
	size_t n_files;
	struct vrrp_track_ref *processes; /* track_process (by name only) */
	size_t n_processes;
	struct vrrp_track_ref *bfds; /* track_bfd (by name only) */
	size_t n_bfds;
};

/* Notify scripts of an instance or a sync group (reference §3.4).  NULL =
 * not configured. */
struct vrrp_notify {
	struct vrrp_cmd *master, *backup, *fault, *stop;
	struct vrrp_cmd *deleted;             /* notify_deleted SCRIPT */
	bool deleted_set;                     /* notify_deleted present (with or without a
	                             * script): on reload-delete report DELETED
	                             * instead of FAULT */
	struct vrrp_cmd *generic;             /* `notify`: gets 4 extra arguments */
	struct vrrp_cmd *master_rx_lower_pri; /* instances only */
	bool priority_changes;                /* notify_priority_changes; default global */
	bool smtp_alert;                      /* default global smtp_alert */
};

/* ---- vrrp_instance ---------------------------------------------------------- */

enum vrrp_auth_type { VRRP_AUTH_NONE = 0, VRRP_AUTH_PASS = 1, VRRP_AUTH_AH = 2 };

enum vrrp_old_csum {
	VRRP_OLD_CSUM_AUTO = 0, /* default: detect an old peer and switch */
	VRRP_OLD_CSUM_ON,       /* old_unicast_checksum */
	VRRP_OLD_CSUM_NEVER,    /* old_unicast_checksum never */
};

enum vrrp_ipvlan_mode { VRRP_IPVLAN_BRIDGE = 0, VRRP_IPVLAN_PRIVATE, VRRP_IPVLAN_VEPA };

struct vrrp_sync_group_conf;
struct vrrp_conf_index;

struct vrrp_instance_conf {
	char *name;
	const char *file; /* location of the `vrrp_instance` line */
	int line;

	/* core */
	bool want_master;       /* state MASTER; default BACKUP */
	bool owner;             /* priority == 255 (address owner) */
	char *ifname;           /* interface; NULL = none (unicast only) */
	char *vrf;              /* vrf; NULL = none */
	unsigned vrid;          /* virtual_router_id 1..255 */
	unsigned priority;      /* 1..255; default 100 */
	unsigned advert_int_cs; /* centiseconds; default 100.  v2: whole
	                         * seconds (rounded half up, min 1 s, warned);
	                         * v3: 1..4095 (rounded to 10 ms, clamped) */
	int version;            /* `version`, else vrrp_version; IPv6 forces 3 */
	int family;             /* AF_INET / AF_INET6: native_ipv6, else the first
	                     * VIP, else unicast_src_ip / mcast_src_ip / first
	                     * peer, else AF_INET */

	/* addresses */
	struct vrrp_vip *vips; /* virtual_ipaddress, all of `family` */
	size_t n_vips;
	struct vrrp_vip *evips; /* virtual_ipaddress_excluded (any family) */
	size_t n_evips;
	bool no_virtual_ipaddress;
	bool promote_secondaries;
	struct vrrp_raw_line *routes; /* virtual_routes */
	size_t n_routes;
	struct vrrp_raw_line *rules; /* virtual_rules */
	size_t n_rules;

	/* election */
	bool nopreempt;               /* default off (`preempt` turns it off again) */
	uint64_t preempt_delay_us;    /* 0..1000 s; default 0 */
	bool accept;                  /* accept / no_accept; default on, under strict
	                            * mode only for the owner */
	bool strict;                  /* strict_mode, default vrrp_strict */
	bool skip_check_adv_addr;     /* default global */
	unsigned down_timer_adverts;  /* 1..100; default global (3) */
	bool lower_prio_no_advert;    /* default global; forced on by strict */
	bool higher_prio_send_advert; /* default global */
	bool owner_ignore_adverts;    /* default global; on by strict */

	/* transport */
	bool has_mcast_src;
	struct ka_addr mcast_src_ip; /* mcast_src_ip */
	struct ka_addr mcast_dst_ip; /* mcast_dst_ip, default the global group of
	                                * `family` */
	bool has_unicast_src;
	struct ka_addr unicast_src_ip; /* unicast_src_ip */
	bool unicast;                  /* a unicast_peer block is present (even
	                                * empty): adverts are unicast */
	struct vrrp_unicast_peer *peers;
	size_t n_peers;
	int unicast_ttl; /* TTL of sent unicast adverts; default 255 */
	bool unicast_fault_no_peer;
	bool check_unicast_src; /* default global vrrp_check_unicast_src */
	bool track_src_ip;
	bool v3_checksum_as_v2; /* default global */
	enum vrrp_old_csum old_unicast_checksum;
	uint32_t kernel_rx_buf_size; /* 0 = default */

	/* authentication (v2 IPv4 only; ignored with a warning for v3) */
	enum vrrp_auth_type auth_type; /* default NONE */
	uint8_t auth_pass[8];          /* first 8 bytes, zero padded */
	bool has_auth_hmac;            /* auth_hmac block present (not built) */

	/* VMAC / ipvlan */
	bool use_vmac;
	char *vmac_name; /* NULL = vmac_prefix "." VRID (runtime) */
	bool vmac_mac_set;
	uint8_t vmac_mac[6];      /* configured MAC */
	unsigned vmac_mac_len;    /* 5 or 6 octets given (5: VRID appended) */
	bool vmac_netlink_notify; /* netlink_notify_msg */
	char *vmac_group;         /* `group G` (interface group), NULL = none */
	bool use_vmac_addr;
	bool vmac_xmit_base;
	bool use_ipvlan;
	char *ipvlan_name; /* NULL = default name */
	bool ipvlan_has_addr;
	struct ka_addr ipvlan_addr;
	int ipvlan_prefixlen;
	enum vrrp_ipvlan_mode ipvlan_mode; /* default bridge */
	char *ipvlan_group;

	/* tracking */
	struct vrrp_tracking track;
	bool dont_track_primary;

	/* GARP: instance keywords override the global defaults */
	struct vrrp_garp_conf garp;

	/* notify */
	struct vrrp_notify notify;

	/* sync group (NULL / -1 = none) */
	const struct vrrp_sync_group_conf *sync_group;
	int sync_group_index;

	/* vrrp_conf_build reported an error (not a warning) for this instance
	 * (e.g. AH with v3, a unicast peer of the other family); the setting
	 * was dropped.  The runtime may keep it in FAULT (CONFIG_ERROR). */
	bool config_error;
};

/* ---- vrrp_sync_group ---------------------------------------------------------- */

struct vrrp_sync_group_conf {
	char *name;
	const char *file;
	int line;
	size_t *members; /* indices in vrrp_conf.instances, file order */
	size_t n_members;
	struct vrrp_tracking track; /* the group's own trackers */
	struct vrrp_notify notify;  /* master_rx_lower_pri is always NULL */
	bool tracking_weight;       /* sync_group_tracking_weight: members'
	                             * tracker weights are honoured */
};

/* ---- the whole VRRP configuration ---------------------------------------------- */

struct vrrp_conf {
	struct vrrp_global global;
	struct vrrp_script_conf *scripts;
	size_t n_scripts;
	struct vrrp_track_file_conf *track_files;
	size_t n_track_files;
	struct vrrp_instance_conf *instances; /* file order */
	size_t n_instances;
	struct vrrp_sync_group_conf *sync_groups;
	size_t n_sync_groups;
	struct vrrp_garp_group_conf *garp_groups;
	size_t n_garp_groups;
	struct vrrp_linkbeat_conf *linkbeat;
	size_t n_linkbeat;
	struct vrrp_if_delay_conf *if_delays;
	size_t n_if_delays;
	struct vrrp_vip *static_addrs; /* static_ipaddress */
	size_t n_static_addrs;
	struct vrrp_raw_line *static_routes; /* static_routes */
	size_t n_static_routes;
	struct vrrp_raw_line *static_rules; /* static_rules */
	size_t n_static_rules;
	/* Diagnostics reported by vrrp_conf_build (not those of the parse). */
	struct conf_diag_counts counts;
	char **files; /* interned file names that `file` fields point to */
	size_t n_files;
	struct vrrp_conf_index *index; /* private: sorted names for the finders */
};

/* Build from a parsed tree.  Semantic warnings and errors go to report
 * (NULL: stderr as "(FILE: Line N) MSG") with the node's file and line and
 * are counted in ->counts.  Returns NULL only when out of memory. */
struct vrrp_conf *vrrp_conf_build(const struct conf_tree *t, conf_report_fn report, void *arg);
void vrrp_conf_free(struct vrrp_conf *c);

/* Index by name, or -1.  O(log n). */
int vrrp_conf_find_instance(const struct vrrp_conf *c, const char *name);
int vrrp_conf_find_script(const struct vrrp_conf *c, const char *name);
int vrrp_conf_find_sync_group(const struct vrrp_conf *c, const char *name);

/* ---- reload support ------------------------------------------------------------ */

/* What differs between two versions of an instance (same name, usually
 * from the old and the new conf).  File/line locations never count. */
enum vrrp_inst_diff {
	VRRP_DIFF_IDENTITY = 1 << 0,    /* interface, vrf, vrid, family, version,
	                               * use_vmac/ipvlan settings: effectively a
	                               * different router (recreate it) */
	VRRP_DIFF_PRIORITY = 1 << 1,    /* priority, state, owner */
	VRRP_DIFF_TIMERS = 1 << 2,      /* advert_int, down_timer_adverts,
	                               * preempt / preempt_delay */
	VRRP_DIFF_VIPS = 1 << 3,        /* virtual_ipaddress (see the lists; set
	                                 * with empty lists when only the order
	                                 * changed - adverts carry the order) */
	VRRP_DIFF_EVIPS = 1 << 4,       /* virtual_ipaddress_excluded */
	VRRP_DIFF_ROUTES = 1 << 5,      /* virtual_routes / virtual_rules */
	VRRP_DIFF_TRACKING = 1 << 6,    /* track_* refs (names, weights, reverse),
	                               * the referenced script / file definitions,
	                               * dont_track_primary, track_src_ip */
	VRRP_DIFF_NOTIFY = 1 << 7,      /* notify scripts, smtp_alert,
	                               * notify_priority_changes */
	VRRP_DIFF_TRANSPORT = 1 << 8,   /* mcast/unicast addresses, peers, TTLs,
	                               * checksum options, auth, rx buffer */
	VRRP_DIFF_GARP = 1 << 9,        /* garp settings */
	VRRP_DIFF_BEHAVIOUR = 1 << 10,  /* accept, strict, lower_prio_no_advert,
	                                * higher_prio_send_advert,
	                                * owner_ignore_adverts, skip_check_adv_addr,
	                                * no_virtual_ipaddress, promote_secondaries,
	                                * config_error */
	VRRP_DIFF_SYNC_GROUP = 1 << 11, /* member of another (or no) group, by name */
};

struct vrrp_instance_diff {
	unsigned changed; /* enum vrrp_inst_diff bits */
	/* VIPs only in a (removed) / only in b (added): indices into a->vips /
	 * b->vips.  A VIP whose options changed is both removed and added. */
	size_t *vips_removed, n_vips_removed;
	size_t *vips_added, n_vips_added;
	size_t *evips_removed, n_evips_removed;
	size_t *evips_added, n_evips_added;
};

/* Returns the changed bits; fills *d when not NULL (free it with
 * vrrp_instance_diff_free; on allocation failure the lists are empty but
 * the bits are right). */
unsigned vrrp_instance_conf_diff(const struct vrrp_instance_conf *a,
                                 const struct vrrp_instance_conf *b, struct vrrp_instance_diff *d);
void vrrp_instance_diff_free(struct vrrp_instance_diff *d);
/* vrrp_instance_conf_diff(a, b, NULL) == 0 (names are not compared). */
bool vrrp_instance_conf_equal(const struct vrrp_instance_conf *a,
                              const struct vrrp_instance_conf *b);

/* Same address, prefix and options (dev, brd, peer, scope, label, flags,
 * preferred_lft, track_group). */
bool vrrp_vip_equal(const struct vrrp_vip *a, const struct vrrp_vip *b);
/* Definitions equal (command, user, timings, weight, rise/fall, init_fail). */
bool vrrp_script_conf_equal(const struct vrrp_script_conf *a, const struct vrrp_script_conf *b);
/* Members (by name), trackers, notify and flags equal. */
bool vrrp_sync_group_conf_equal(const struct vrrp_conf *ca, const struct vrrp_sync_group_conf *a,
                                const struct vrrp_conf *cb, const struct vrrp_sync_group_conf *b);

#endif
