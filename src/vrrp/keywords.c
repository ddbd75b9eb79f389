/* The vrrp_instance and vrrp_sync_group keyword tables, their sub-blocks
 * (authentication, auth_hmac, addresses, unicast peers), and the checks
 * that need the whole tree (vrrp_kw_finish_root). */
#include <arpa/inet.h>
#include <ctype.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lib/addr.h"
#include "vrrp/kw_checks.h"
#include "vrrp/vrrp_keywords.h"

static const char *node_name(const conf_node *n)
{
	return n->argc > 1 ? n->argv[1] : "?";
}

/* ---- authentication { auth_type PASS|AH; auth_pass X } --------------------- */

static int chk_auth_pass(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)kw;
	if (argc > 1 && strlen(argv[1]) > 8)
		conf_warn(c, "auth_pass is longer than 8 characters - truncated to 8 characters");
	return 0;
}

// clang-format off
static const struct conf_kw auth_kws[] = {
	VKW_ENUM("auth_type", "PASS|AH"),
	{.name = "auth_pass", .min_args = 1, .max_args = 1, .check = chk_auth_pass, .flags = CONF_KW_SECRET},
	VKW_END,
};
// clang-format on

static const struct conf_block auth_block = {
    .name = "authentication",
    .kws = auth_kws,
};

/* ---- auth_hmac { key ID VALUE; active_key ID; ... } -------------------------- */

#define HMAC_KEY_MIN 32 /* bytes */
#define HMAC_KEY_MAX 64

static int chk_hmac_key_value(struct conf_ctx *c, const char *v)
{
	size_t n;

	if (strncmp(v, "hex:", 4) == 0) {
		v += 4;
		n = strlen(v);
		for (size_t i = 0; i < n; i++) {
			if (!isxdigit((unsigned char)v[i])) {
				conf_error(c, "auth_hmac key: invalid hex digit '%c'", v[i]);
				return -1;
			}
		}
		if (n % 2 || n / 2 < HMAC_KEY_MIN || n / 2 > HMAC_KEY_MAX) {
			conf_error(c,
			           "auth_hmac key: a hex key must be %d to %d bytes (%zu hex "
			           "digits given)",
			           HMAC_KEY_MIN, HMAC_KEY_MAX, n);
			return -1;
		}
	} else if (strncmp(v, "ascii:", 6) == 0) {
		n = strlen(v + 6);
		if (n < HMAC_KEY_MIN || n > HMAC_KEY_MAX) {
			conf_error(c,
			           "auth_hmac key: an ascii key must be %d to %d characters (%zu "
			           "given)",
			           HMAC_KEY_MIN, HMAC_KEY_MAX, n);
			return -1;
		}
	} else if (strncmp(v, "file:", 5) == 0) {
		if (access(v + 5, R_OK) < 0) {
			conf_error(c, "auth_hmac key: cannot read key file '%s'", v + 5);
			return -1;
		}
	} else {
		conf_error(c, "auth_hmac key: the key must start with hex:, ascii: or file:");
		return -1;
	}
	return 0;
}

static int chk_hmac_key(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	long long id;

	(void)argc;
	if (conf_parse_int(argv[1], 0, 255, &id) < 0) {
		conf_error(c, "%s: invalid key id '%s' (0..255)", kw->name, argv[1]);
		return -1;
	}
	return chk_hmac_key_value(c, argv[2]);
}

static void finish_auth_hmac(struct conf_ctx *c, conf_node *node)
{
	const conf_node *active = conf_first(node, "active_key");
	const conf_node *k;

	if (!conf_first(node, "key")) {
		conf_node_error(c, node, "auth_hmac: no key specified");
		return;
	}
	if (!active)
		return;
	for (k = conf_first(node, "key"); k; k = conf_next_named(k))
		if (strcmp(k->argv[1], active->argv[1]) == 0)
			return;
	conf_node_error(c, active, "auth_hmac: active_key %s is not a configured key",
	                active->argv[1]);
}

// clang-format off
static const struct conf_kw auth_hmac_kws[] = {
	{.name = "key", .min_args = 2, .max_args = 2, .check = chk_hmac_key, .flags = CONF_KW_SECRET},
	VKW_INT("active_key", 0, 255),
	VKW_ENUM("anti_replay", "time|monotonic"),
	VKW_TIMER("time_window", 0, 86400 * VKW_US),
	VKW_ENUM("mode", "enforce|permissive|receive-only"),
	VKW_END,
};
// clang-format on

static const struct conf_block auth_hmac_block = {
    .name = "auth_hmac",
    .kws = auth_hmac_kws,
    .finish = finish_auth_hmac,
};

/* ---- address, route and rule blocks ------------------------------------------- */

static const struct conf_block vip_block = {
    .name = "virtual_ipaddress",
    .data = vkw_data_vip,
    .data_min = 1,
    .data_max = -1,
};

static const struct conf_block evip_block = {
    .name = "virtual_ipaddress_excluded",
    .data = vkw_data_vip,
    .data_min = 1,
    .data_max = -1,
};

static const struct conf_block vroutes_block = {
    .name = "virtual_routes",
    .data = vkw_data_vroute,
    .data_min = 1,
    .data_max = -1,
};

static const struct conf_block vrules_block = {
    .name = "virtual_rules",
    .data = vkw_data_vrule,
    .data_min = 1,
    .data_max = -1,
};

/* ---- unicast_peer { IP [min_ttl N] [max_ttl N] } -------------------------------- */

static int data_unicast_peer(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	struct ka_addr a;
	long long v;

	(void)kw;
	if (addr_parse(argv[0], &a) < 0) {
		conf_error(c, "unicast_peer: invalid address '%s'", argv[0]);
		return -1;
	}
	for (int i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "min_ttl") && strcmp(argv[i], "max_ttl")) {
			conf_error(c, "unicast_peer: unknown option '%s' for peer %s", argv[i],
			           argv[0]);
			return -1;
		}
		if (i + 1 >= argc || conf_parse_int(argv[i + 1], 0, 255, &v) < 0) {
			conf_error(c, "unicast_peer: %s for peer %s needs a value 0..255", argv[i],
			           argv[0]);
			return -1;
		}
	}
	return 0;
}

static void finish_unicast_peer(struct conf_ctx *c, conf_node *node)
{
	for (conf_node *n = node->child; n; n = n->next) {
		for (conf_node *m = node->child; m != n; m = m->next) {
			if (strcmp(m->argv[0], n->argv[0]) == 0) {
				conf_node_warn(c, n, "unicast_peer: duplicate peer %s", n->argv[0]);
				break;
			}
		}
	}
}

static const struct conf_block unicast_peer_block = {
    .name = "unicast_peer",
    .data = data_unicast_peer,
    .data_min = 1,
    .data_max = 5,
    .finish = finish_unicast_peer,
};

/* ---- use_vmac / use_ipvlan ------------------------------------------------------- */

/* "xx:xx:xx:xx:xx" or "xx:xx:xx:xx:xx:xx". */
static bool mac_ok(const char *s)
{
	int octets = 0;

	while (*s) {
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
			return false;
		s += 2;
		octets++;
		if (*s == ':')
			s++;
		else if (*s)
			return false;
	}
	return octets == 5 || octets == 6;
}

/* use_vmac [NAME] [MAC] [netlink_notify_msg] [group G] */
static int chk_use_vmac(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	bool have_name = false, have_mac = false;

	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (strcmp(w, "netlink_notify_msg") == 0)
			continue;
		if (strcmp(w, "group") == 0) {
			if (++i >= argc) {
				conf_error(c, "%s: missing value after 'group'", kw->name);
				return -1;
			}
		} else if (strchr(w, ':')) {
			if (have_mac || !mac_ok(w)) {
				conf_error(c, "%s: invalid MAC address '%s'", kw->name, w);
				return -1;
			}
			if (strncasecmp(w, "00:00:5e:00:01", 14) == 0 ||
			    strncasecmp(w, "00:00:5e:00:02", 14) == 0) {
				conf_error(c, "%s: MAC address %s is in the RFC 5798 VRRP range",
				           kw->name, w);
				return -1;
			}
			have_mac = true;
		} else if (!have_name && vkw_ifname_ok(w)) {
			have_name = true;
		} else {
			conf_error(c, "%s: unexpected '%s'", kw->name, w);
			return -1;
		}
	}
	return 0;
}

/* use_ipvlan [NAME] [IP[/LEN]] [bridge|private|vepa] [group G] */
static int chk_use_ipvlan(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	bool have_name = false, have_ip = false, have_mode = false;
	struct ka_addr a;
	int plen;

	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (!strcmp(w, "bridge") || !strcmp(w, "private") || !strcmp(w, "vepa")) {
			if (have_mode) {
				conf_error(c, "%s: more than one mode ('%s')", kw->name, w);
				return -1;
			}
			have_mode = true;
		} else if (strcmp(w, "group") == 0) {
			if (++i >= argc) {
				conf_error(c, "%s: missing value after 'group'", kw->name);
				return -1;
			}
		} else if (!have_ip && addr_parse_prefix(w, &a, &plen, NULL) == 0) {
			have_ip = true;
		} else if (!have_name && !strchr(w, '.') && vkw_ifname_ok(w)) {
			have_name = true;
		} else {
			conf_error(c, "%s: unexpected '%s'", kw->name, w);
			return -1;
		}
	}
	return 0;
}

/* old_unicast_checksum [never] */
static int chk_never(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "never") == 0)
		return 0;
	conf_error(c, "%s: unexpected '%s' (expected 'never' or nothing)", kw->name, argv[1]);
	return -1;
}

/* ---- vrrp_instance NAME { ... } --------------------------------------------------- */

/* Family of an instance's first VIP (AF_INET if none). */
static int instance_family(const conf_node *vi)
{
	const conf_node *v = conf_first(vi, "virtual_ipaddress");
	struct ka_addr a;
	int plen;

	if (conf_first(vi, "native_ipv6"))
		return AF_INET6;
	if (v && v->child && addr_parse_prefix(v->child->argv[0], &a, &plen, NULL) == 0)
		return a.family;
	return AF_INET;
}

static void finish_vrrp_instance(struct conf_ctx *c, conf_node *node)
{
	const char *name = node_name(node);
	const conf_node *vips = conf_first(node, "virtual_ipaddress");

	if (!conf_first(node, "virtual_router_id"))
		conf_node_error(c, node, "(%s) the virtual router id must be set", name);
	if (!conf_first(node, "interface") && !conf_first(node, "unicast_peer"))
		conf_node_error(c, node,
		                "(%s) no interface specified (an interface is required "
		                "unless unicast_peer is used)",
		                name);
	if (conf_first(node, "vrf") && conf_first(node, "interface"))
		conf_node_error(c, conf_first(node, "vrf"),
		                "(%s) cannot specify both vrf and interface", name);
	if (conf_first(node, "vmac_xmit_base") && !conf_first(node, "use_vmac"))
		conf_node_error(c, conf_first(node, "vmac_xmit_base"),
		                "(%s) vmac_xmit_base is only valid with use_vmac", name);
	if (!conf_first(node, "unicast_peer")) {
		static const char *const ukw[] = {"unicast_src_ip", "unicast_ttl",
		                                  "check_unicast_src", "old_unicast_checksum",
		                                  NULL};

		for (const char *const *k = ukw; *k; k++)
			if (conf_first(node, *k)) {
				conf_node_warn(c, conf_first(node, *k),
				               "(%s) %s without any unicast_peer - using multicast",
				               name, *k);
				break;
			}
	}
	if ((!vips || !vips->child) && !conf_first(node, "no_virtual_ipaddress"))
		conf_node_warn(c, node, "(%s) No VIP specified; at least one is sensible", name);
	if (vips && vips->child) {
		int fam = instance_family(node);
		struct ka_addr a;
		int plen;

		for (const conf_node *v = vips->child; v; v = v->next)
			if (addr_parse_prefix(v->argv[0], &a, &plen, NULL) == 0 && a.family != fam)
				conf_node_error(c, v,
				                "(%s) address family of %s does not match the "
				                "instance's (all virtual_ipaddress entries must be "
				                "the same family)",
				                name, v->argv[0]);
	}
}

/* Keywords that make no sense twice in one instance. */
#define VI_UNIQUE CONF_KW_UNIQUE

// clang-format off
static const struct conf_kw vrrp_instance_kws[] = {
	/* core */
	{.name = "state", .min_args = 1, .max_args = 1, .check = vkw_chk_enum_cs, .choices = "MASTER|BACKUP", .flags = VI_UNIQUE},
	{.name = "interface", .min_args = 1, .max_args = 1, .check = vkw_chk_ifname, .flags = VI_UNIQUE},
	VKW_ARGS("vrf", 1, 1, vkw_chk_ifname),
	{.name = "virtual_router_id", .min_args = 1, .max_args = 1, .check = conf_chk_int, .lo = 1, .hi = 255, .flags = VI_UNIQUE},
	{.name = "priority", .min_args = 1, .max_args = 1, .check = conf_chk_int, .lo = 1, .hi = 255, .flags = VI_UNIQUE},
	{.name = "advert_int", .min_args = 1, .max_args = 1, .check = conf_chk_timer, .lo = 10000, .hi = 255 * VKW_US, .flags = VI_UNIQUE},
	VKW_INT("version", 2, 3),
	VKW_DEP("native_ipv6", 0, -1, NULL),
	/* addresses */
	VKW_BLOCK("virtual_ipaddress", &vip_block),
	VKW_BLOCK("virtual_ipaddress_excluded", &evip_block),
	VKW_FLAG("no_virtual_ipaddress"),
	VKW_FLAG("promote_secondaries"),
	VKW_BLOCK("virtual_routes", &vroutes_block),
	VKW_BLOCK("virtual_rules", &vrules_block),
	/* election */
	VKW_FLAG("nopreempt"),
	VKW_FLAG("preempt"),
	VKW_TIMER("preempt_delay", 0, 1000 * VKW_US),
	VKW_FLAG("accept"),
	VKW_FLAG("no_accept"),
	VKW_BOOL("strict_mode"),
	VKW_BOOL("skip_check_adv_addr"),
	VKW_INT("down_timer_adverts", 1, 100),
	VKW_BOOL("lower_prio_no_advert"),
	VKW_BOOL("higher_prio_send_advert"),
	VKW_BOOL("owner_ignore_adverts"),
	VKW_ARGSR("timer_expired_backup", 0, 1, conf_chk_int, 0, 255),
	{.name = "thread_timer_expired", .max_args = 1, .check = conf_chk_int, .lo = 0, .hi = 255, .flags = CONF_KW_DEPRECATED, .note = "timer_expired_backup"},
	/* transport */
	VKW_ARGS("unicast_src_ip", 1, 1, conf_chk_ip),
	VKW_BLOCK("unicast_peer", &unicast_peer_block),
	VKW_INT("unicast_ttl", 0, 255),
	VKW_FLAG("unicast_fault_no_peer"),
	VKW_FLAG("check_unicast_src"),
	VKW_ARGS("old_unicast_checksum", 0, 1, chk_never),
	VKW_ARGS("mcast_src_ip", 1, 1, conf_chk_ip),
	VKW_ARGS("mcast_dst_ip", 1, 1, vkw_chk_mcast),
	VKW_FLAG("track_src_ip"),
	VKW_BOOL("v3_checksum_as_v2"),
	VKW_INT("kernel_rx_buf_size", 0, VKW_U32_MAX),
	/* VMAC / ipvlan */
	VKW_ARGS("use_vmac", 0, -1, chk_use_vmac),
	VKW_FLAG("use_vmac_addr"),
	VKW_FLAG("vmac_xmit_base"),
	VKW_ARGS("use_ipvlan", 0, -1, chk_use_ipvlan),
	/* tracking */
	VKW_BLOCK("track_interface", &vkw_track_if_block),
	VKW_BLOCK("track_script", &vkw_track_script_block),
	VKW_BLOCK("track_file", &vkw_track_file_block),
	VKW_BLOCK("track_process", &vkw_track_process_block),
	VKW_BLOCK("track_bfd", &vkw_track_bfd_block),
	VKW_FLAG("dont_track_primary"),
	VKW_DEP("linkbeat_use_polling", 0, -1, "linkbeat_interfaces"),
	/* GARP */
	VKW_INT("garp_master_delay", 0, 4294),
	VKW_INT("garp_master_repeat", 1, VKW_I32_MAX),
	VKW_INT("garp_master_refresh", 0, VKW_U32_MAX),
	VKW_INT("garp_master_refresh_repeat", 1, VKW_I32_MAX),
	VKW_INT("garp_lower_prio_delay", 0, 4294),
	VKW_INT("garp_lower_prio_repeat", 0, VKW_I32_MAX),
	VKW_ARGSR("garp_extra_if", 1, 2, vkw_chk_garp_extra_if, 0, 86400),
	{.name = "vmac_garp_intvl", .min_args = 1, .max_args = 2, .check = vkw_chk_garp_extra_if, .lo = 0, .hi = 86400, .flags = CONF_KW_DEPRECATED, .note = "garp_extra_if"},
	/* notify */
	VKW_SCRIPT("notify_master"),
	VKW_SCRIPT("notify_backup"),
	VKW_SCRIPT("notify_fault"),
	VKW_SCRIPT("notify_stop"),
	{.name = "notify_deleted", .max_args = -1, .flags = CONF_KW_SCRIPT},
	VKW_SCRIPT("notify"),
	VKW_SCRIPT("notify_master_rx_lower_pri"),
	VKW_BOOL("notify_priority_changes"),
	VKW_BOOL("smtp_alert"),
	/* authentication */
	VKW_BLOCK("authentication", &auth_block),
	VKW_BLOCK("auth_hmac", &auth_hmac_block),
	/* misc */
	{.name = "debug", .max_args = 1, .flags = CONF_KW_DEPRECATED | CONF_KW_IGNORED},
	VKW_DEP("lvs_sync_daemon_interface", 1, 1, "lvs_sync_daemon"),
	VKW_END,
};
// clang-format on

const struct conf_block vrrp_instance_block = {
    .name = "vrrp_instance",
    .kws = vrrp_instance_kws,
    .finish = finish_vrrp_instance,
};

/* ---- vrrp_sync_group NAME { group { VI ... } ... } ------------------------------ */

static void finish_sync_group(struct conf_ctx *c, conf_node *node)
{
	const conf_node *g = conf_first(node, "group");

	if (!g || !g->child)
		conf_node_error(c, node,
		                "vrrp_sync_group %s has no member vrrp_instance - it will "
		                "be ignored",
		                node_name(node));
}

// clang-format off
static const struct conf_kw sync_group_kws[] = {
	VKW_BLOCK("group", &vkw_names_block),
	VKW_BLOCK("track_interface", &vkw_track_if_block),
	VKW_BLOCK("track_script", &vkw_track_script_block),
	VKW_BLOCK("track_file", &vkw_track_file_block),
	VKW_BLOCK("track_process", &vkw_track_process_block),
	VKW_BLOCK("track_bfd", &vkw_track_bfd_block),
	VKW_SCRIPT("notify_master"),
	VKW_SCRIPT("notify_backup"),
	VKW_SCRIPT("notify_fault"),
	VKW_SCRIPT("notify_stop"),
	{.name = "notify_deleted", .max_args = -1, .flags = CONF_KW_SCRIPT},
	VKW_SCRIPT("notify"),
	VKW_BOOL("smtp_alert"),
	VKW_BOOL("notify_priority_changes"),
	VKW_FLAG("sync_group_tracking_weight"),
	VKW_DEP("global_tracking", 0, -1, "track_* in the vrrp_sync_group"),
	VKW_END,
};
// clang-format on

const struct conf_block vrrp_sync_group_block = {
    .name = "vrrp_sync_group",
    .kws = sync_group_kws,
    .finish = finish_sync_group,
};

/* ---- whole-tree checks ------------------------------------------------------------ */

/* Sorted indexes of root nodes by their first argument, so that the
 * whole-tree checks stay O(n log n) with tens of thousands of instances. */
struct name_entry {
	const conf_node *n;
	const char *key;  /* usually argv[1] */
	const char *key2; /* secondary key (interface), may be NULL */
	long num;         /* numeric key (VRID, family) */
	size_t ord;       /* position in the file order */
};

struct name_index {
	struct name_entry *v;
	size_t n;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct name_entry *x = a, *y = b;
	int r = strcmp(x->key, y->key);

	if (!r && (x->key2 || y->key2))
		r = strcmp(x->key2 ? x->key2 : "", y->key2 ? y->key2 : "");
	if (!r)
		r = (x->num > y->num) - (x->num < y->num);
	if (!r)
		r = (x->ord > y->ord) - (x->ord < y->ord);
	return r;
}

static bool same_key(const struct name_entry *x, const struct name_entry *y)
{
	return strcmp(x->key, y->key) == 0 &&
	       strcmp(x->key2 ? x->key2 : "", y->key2 ? y->key2 : "") == 0 && x->num == y->num;
}

static bool named_any(const conf_node *n, const char *const *names)
{
	for (const char *const *p = names; *p; p++)
		if (n->argc > 1 && strcmp(n->argv[0], *p) == 0)
			return true;
	return false;
}

static int index_add(struct name_index *ix, size_t *cap, struct name_entry e)
{
	if (ix->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct name_entry *nv = realloc(ix->v, ncap * sizeof(*nv));

		if (!nv)
			return -1;
		ix->v = nv;
		*cap = ncap;
	}
	e.ord = ix->n;
	ix->v[ix->n++] = e;
	return 0;
}

static void index_sort(struct name_index *ix)
{
	if (ix->n)
		qsort(ix->v, ix->n, sizeof(*ix->v), cmp_entry);
}

/* Root nodes named one of names[], keyed by their first argument. */
static void index_build(struct name_index *ix, const conf_node *root, const char *const *names)
{
	size_t cap = 0;

	ix->v = NULL;
	ix->n = 0;
	for (const conf_node *n = root->child; n; n = n->next)
		if (named_any(n, names) &&
		    index_add(ix, &cap, (struct name_entry){.n = n, .key = n->argv[1]}) < 0)
			break;
	index_sort(ix);
}

static void index_free(struct name_index *ix)
{
	free(ix->v);
	ix->v = NULL;
	ix->n = 0;
}

/* The first node (in file order) whose key is `key`. */
static const conf_node *index_find(const struct name_index *ix, const char *key)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ix->v[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n && strcmp(ix->v[lo].key, key) == 0 ? ix->v[lo].n : NULL;
}

static bool is_named(const conf_node *n, const char *name)
{
	return n->argc > 0 && strcmp(n->argv[0], name) == 0;
}

/* ---- interfaces ---- */

struct if_pass {
	struct conf_ctx *c;
	unsigned missing;
};

static void need_if(struct if_pass *p, const conf_node *at, const char *ifname, const char *what,
                    const char *owner)
{
	if (!ifname || if_nametoindex(ifname) != 0)
		return;
	conf_node_warn(p->c, at, "interface %s for %s%s%s doesn't exist", ifname, what,
	               owner ? " " : "", owner ? owner : "");
	p->missing++;
}

/* Addresses and routes of one data block: their dev/oif words. */
static void need_ifs_of_lines(struct if_pass *p, const conf_node *blk, const char *what)
{
	if (!blk)
		return;
	for (const conf_node *l = blk->child; l; l = l->next) {
		for (int i = 1; i + 1 < l->argc; i++)
			if (!strcmp(l->argv[i], "dev") || !strcmp(l->argv[i], "oif") ||
			    !strcmp(l->argv[i], "vrf"))
				need_if(p, l, l->argv[i + 1], what, l->argv[0]);
	}
}

static void need_ifs_of_tracking(struct if_pass *p, const conf_node *owner)
{
	for (const conf_node *t = conf_first(owner, "track_interface"); t; t = conf_next_named(t))
		for (const conf_node *l = t->child; l; l = l->next)
			need_if(p, l, l->argv[0], "track_interface of", node_name(owner));
}

static void check_interfaces(struct conf_ctx *c, const conf_node *root)
{
	struct if_pass p = {.c = c};

	for (const conf_node *g = conf_first(root, "global_defs"); g; g = conf_next_named(g))
		if (conf_first(g, "dynamic_interfaces"))
			return;
	for (const conf_node *n = root->child; n; n = n->next) {
		if (is_named(n, "vrrp_instance")) {
			const conf_node *i = conf_first(n, "interface");
			const conf_node *v = conf_first(n, "vrf");

			if (i)
				need_if(&p, i, i->argv[1], "vrrp_instance", node_name(n));
			if (v)
				need_if(&p, v, v->argv[1], "vrf of vrrp_instance", node_name(n));
			need_ifs_of_lines(&p, conf_first(n, "virtual_ipaddress"), "ip address");
			need_ifs_of_lines(&p, conf_first(n, "virtual_ipaddress_excluded"),
			                  "ip address");
			need_ifs_of_lines(&p, conf_first(n, "virtual_routes"), "route");
			need_ifs_of_tracking(&p, n);
		} else if (is_named(n, "vrrp_sync_group")) {
			need_ifs_of_tracking(&p, n);
		} else if (is_named(n, "static_ipaddress")) {
			need_ifs_of_lines(&p, n, "static ip address");
		} else if (is_named(n, "static_routes")) {
			need_ifs_of_lines(&p, n, "static route");
		}
	}
	if (p.missing)
		conf_error_class(
		    c, CONF_CLASS_FILE,
		    "Non-existent interface specified in configuration (%u reference%s)", p.missing,
		    p.missing == 1 ? "" : "s");
}

/* ---- instances, VRIDs, sync groups ---- */

static const char *const vi_names[] = {"vrrp_instance", NULL};

static void check_instances(struct conf_ctx *c, const conf_node *root, const struct name_index *vis)
{
	struct name_index vr = {0};
	size_t cap = 0;

	/* Duplicate names: every later definition is reported. */
	for (size_t i = 1; i < vis->n; i++)
		if (same_key(&vis->v[i - 1], &vis->v[i])) {
			size_t first = i - 1;

			while (first > 0 && same_key(&vis->v[first - 1], &vis->v[i]))
				first--;
			conf_node_error(c, vis->v[i].n,
			                "vrrp_instance %s already defined (line %d)", vis->v[i].key,
			                vis->v[first].n->lineno);
		}

	/* Same VRID, interface and family, both plain multicast. */
	for (const conf_node *n = root->child; n; n = n->next) {
		const conf_node *ifn, *vrid;

		if (!is_named(n, "vrrp_instance") || n->argc < 2)
			continue;
		ifn = conf_first(n, "interface");
		vrid = conf_first(n, "virtual_router_id");
		if (!ifn || !vrid || conf_first(n, "unicast_peer") || conf_first(n, "mcast_dst_ip"))
			continue;
		if (index_add(&vr, &cap,
		              (struct name_entry){.n = n,
		                                  .key = ifn->argv[1],
		                                  .key2 = vrid->argv[1],
		                                  .num = instance_family(n)}) < 0)
			break;
	}
	index_sort(&vr);
	for (size_t i = 1; i < vr.n; i++) {
		size_t j;

		if (!same_key(&vr.v[i - 1], &vr.v[i]))
			continue;
		/* The first earlier one in this run with another name. */
		for (j = i; j-- > 0 && same_key(&vr.v[j], &vr.v[i]);) {
			if (strcmp(node_name(vr.v[j].n), node_name(vr.v[i].n)) != 0) {
				conf_node_error(
				    c, conf_first(vr.v[i].n, "virtual_router_id"),
				    "%s and %s both use VRID %s with %s on interface %s",
				    node_name(vr.v[j].n), node_name(vr.v[i].n), vr.v[i].key2,
				    vr.v[i].num == AF_INET6 ? "IPv6" : "IPv4", vr.v[i].key);
				break;
			}
		}
	}
	index_free(&vr);
}

static void check_sync_groups(struct conf_ctx *c, const conf_node *root,
                              const struct name_index *vis)
{
	struct name_index mem = {0};
	size_t cap = 0;

	for (const conf_node *n = root->child; n; n = n->next) {
		const conf_node *g;
		unsigned members = 0;

		if (!is_named(n, "vrrp_sync_group") || !(g = conf_first(n, "group")))
			continue;
		for (const conf_node *l = g->child; l; l = l->next) {
			for (int i = 0; i < l->argc; i++) {
				if (!index_find(vis, l->argv[i])) {
					conf_node_error(c, l,
					                "vrrp_instance %s in sync group %s doesn't "
					                "exist",
					                l->argv[i], node_name(n));
					continue;
				}
				members++;
				index_add(&mem, &cap,
				          (struct name_entry){
				              .n = l, .key = l->argv[i], .key2 = node_name(n)});
			}
		}
		if (members == 1)
			conf_node_warn(c, n,
			               "sync group %s has only 1 vrrp_instance - this probably "
			               "isn't what you want",
			               node_name(n));
	}
	/* A member of two groups: sort by member, then by file order. */
	for (size_t i = 0; i < mem.n; i++)
		mem.v[i].key2 = NULL, mem.v[i].num = 0;
	index_sort(&mem);
	for (size_t i = 1; i < mem.n; i++) {
		const conf_node *gi = mem.v[i].n->parent ? mem.v[i].n->parent->parent : NULL;

		for (size_t j = i; j-- > 0 && same_key(&mem.v[j], &mem.v[i]);) {
			const conf_node *gj =
			    mem.v[j].n->parent ? mem.v[j].n->parent->parent : NULL;

			if (gi && gj && gi != gj)
				conf_node_error(
				    c, mem.v[i].n,
				    "vrrp_instance %s cannot be in sync groups %s and %s",
				    mem.v[i].key, node_name(gj), node_name(gi));
		}
	}
	index_free(&mem);
}

/* ---- references to named trackers ---- */

struct tracker_ref {
	const char *block;       /* track_* block inside an instance or sync group */
	const char *what;        /* for messages */
	const char *const *defs; /* root blocks that define it */
	const char *required;    /* keyword the definition needs to be usable */
};

static const char *const script_defs[] = {"vrrp_script", NULL};
static const char *const file_defs[] = {"track_file", "vrrp_track_file", NULL};
static const char *const process_defs[] = {"vrrp_track_process", NULL};
static const char *const bfd_defs[] = {"bfd_instance", NULL};

static const struct tracker_ref tracker_refs[] = {
    {"track_script", "track script", script_defs, "script"},
    {"track_file", "track file", file_defs, "file"},
    {"track_process", "track process", process_defs, "process"},
    {"track_bfd", "track bfd", bfd_defs, NULL},
};

static void check_tracker_refs(struct conf_ctx *c, const conf_node *root)
{
	struct name_index ix[sizeof(tracker_refs) / sizeof(tracker_refs[0])];

	for (size_t k = 0; k < sizeof(tracker_refs) / sizeof(tracker_refs[0]); k++)
		index_build(&ix[k], root, tracker_refs[k].defs);
	for (const conf_node *n = root->child; n; n = n->next) {
		if (!is_named(n, "vrrp_instance") && !is_named(n, "vrrp_sync_group"))
			continue;
		for (size_t k = 0; k < sizeof(tracker_refs) / sizeof(tracker_refs[0]); k++) {
			const struct tracker_ref *r = &tracker_refs[k];

			for (const conf_node *t = conf_first(n, r->block); t;
			     t = conf_next_named(t))
				for (const conf_node *l = t->child; l; l = l->next) {
					const conf_node *d = index_find(&ix[k], l->argv[0]);

					if (!d || (r->required && !conf_first(d, r->required)))
						conf_node_error(c, l, "(%s) %s %s not found",
						                node_name(n), r->what, l->argv[0]);
				}
		}
	}
	for (size_t k = 0; k < sizeof(tracker_refs) / sizeof(tracker_refs[0]); k++)
		index_free(&ix[k]);
}

/* track_group NAME on static addresses, routes and rules; members of track_group. */
static void check_track_groups(struct conf_ctx *c, const conf_node *root,
                               const struct name_index *vis)
{
	static const char *const tg_defs[] = {"track_group", NULL};
	struct name_index tgs;

	index_build(&tgs, root, tg_defs);

	for (const conf_node *n = root->child; n; n = n->next) {
		if (is_named(n, "static_ipaddress") || is_named(n, "static_routes") ||
		    is_named(n, "static_rules")) {
			for (const conf_node *l = n->child; l; l = l->next) {
				const char *g = vkw_token_value(l, "track_group");

				if (!g && l->argc > 1 && strcmp(l->argv[0], "track_group") == 0)
					g = l->argv[1];
				if (g && !index_find(&tgs, g))
					conf_node_error(c, l, "track_group %s not found", g);
			}
		} else if (is_named(n, "track_group")) {
			const conf_node *g = conf_first(n, "group");

			for (const conf_node *l = g ? g->child : NULL; l; l = l->next)
				for (int i = 0; i < l->argc; i++)
					if (!index_find(vis, l->argv[i]))
						conf_node_error(
						    c, l,
						    "vrrp_instance %s in track_group %s "
						    "doesn't exist",
						    l->argv[i], node_name(n));
		}
	}
	index_free(&tgs);
}

void vrrp_kw_finish_root(struct conf_ctx *c, conf_node *root)
{
	struct name_index vis;

	index_build(&vis, root, vi_names);
	check_instances(c, root, &vis);
	check_sync_groups(c, root, &vis);
	check_tracker_refs(c, root);
	check_track_groups(c, root, &vis);
	check_interfaces(c, root);
	index_free(&vis);
}
