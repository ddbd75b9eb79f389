/* Building vrrp_instance configuration: keywords, addresses, effective
 * defaults and the semantic checks of reference §4. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrrp/vrrp_conf_int.h"
/* ---- VMAC / ipvlan ------------------------------------------------------------------ */

static unsigned parse_mac(const char *s, uint8_t *mac)
{
	unsigned n = 0;

	while (*s && n < 6) {
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
			return 0;
		mac[n++] = (uint8_t)strtoul((char[]){s[0], s[1], 0}, NULL, 16);
		s += 2;
		if (*s == ':')
			s++;
	}
	return *s ? 0 : n;
}

static void parse_use_vmac(struct vb *b, struct vrrp_instance_conf *vi, const conf_node *n)
{
	vi->use_vmac = true;
	for (int i = 1; i < n->argc; i++) {
		const char *w = n->argv[i];

		if (!strcmp(w, "netlink_notify_msg")) {
			vi->vmac_netlink_notify = true;
		} else if (!strcmp(w, "group") && i + 1 < n->argc) {
			vb_replace(b, &vi->vmac_group, n->argv[++i]);
		} else if (strchr(w, ':')) {
			vi->vmac_mac_len = parse_mac(w, vi->vmac_mac);
			vi->vmac_mac_set = vi->vmac_mac_len >= 5;
		} else {
			vb_replace(b, &vi->vmac_name, w);
		}
	}
}

static void parse_use_ipvlan(struct vb *b, struct vrrp_instance_conf *vi, const conf_node *n)
{
	vi->use_ipvlan = true;
	for (int i = 1; i < n->argc; i++) {
		const char *w = n->argv[i];

		if (!strcmp(w, "bridge"))
			vi->ipvlan_mode = VRRP_IPVLAN_BRIDGE;
		else if (!strcmp(w, "private"))
			vi->ipvlan_mode = VRRP_IPVLAN_PRIVATE;
		else if (!strcmp(w, "vepa"))
			vi->ipvlan_mode = VRRP_IPVLAN_VEPA;
		else if (!strcmp(w, "group") && i + 1 < n->argc)
			vb_replace(b, &vi->ipvlan_group, n->argv[++i]);
		else if (!vi->ipvlan_has_addr &&
		         addr_parse_prefix(w, &vi->ipvlan_addr, &vi->ipvlan_prefixlen, NULL) == 0)
			vi->ipvlan_has_addr = true;
		else
			vb_replace(b, &vi->ipvlan_name, w);
	}
}

/* ---- vrrp_instance ----------------------------------------------------------------- */

/* Settings whose default depends on other settings: -1 = not configured. */
struct inst_raw {
	const conf_node *node;
	const conf_node *advert, *version_n, *state_n, *mcast_src, *mcast_dst, *ucast_src;
	const conf_node *auth_type, *auth_pass, *accept_n, *preempt_delay_n;
	uint64_t advert_us;
	int version, native6, accept, strict, skip_check, down_adverts;
	int lpna, hpsa, oia, v3csum, prio_changes, smtp;
	long long garp_delay, garp_rep, garp_refresh, garp_refresh_rep, garp_lp_delay, garp_lp_rep;
	bool extra_if_set, extra_if_all;
	long long extra_if;
	bool check_unicast_src;
};

static void inst_kw(struct vb *b, struct vrrp_instance_conf *vi, struct inst_raw *r,
                    const conf_node *n)
{
	const char *k = n->argv[0];

	if (vb_notify_kw(b, &vi->notify, n, &r->prio_changes, &r->smtp))
		return;
	if (!strcmp(k, "state")) {
		vi->want_master = !strcmp(n->argv[1], "MASTER");
		r->state_n = n;
	} else if (!strcmp(k, "interface")) {
		vb_replace(b, &vi->ifname, n->argv[1]);
	} else if (!strcmp(k, "vrf")) {
		vb_replace(b, &vi->vrf, n->argv[1]);
	} else if (!strcmp(k, "virtual_router_id")) {
		vi->vrid = (unsigned)vb_int(n, 1, 0);
	} else if (!strcmp(k, "priority")) {
		vi->priority = (unsigned)vb_int(n, 1, VRRP_DEFAULT_PRIORITY);
	} else if (!strcmp(k, "advert_int")) {
		r->advert = n;
		r->advert_us = vb_timer(n, 1, 1000000);
	} else if (!strcmp(k, "version")) {
		r->version = (int)vb_int(n, 1, 2);
		r->version_n = n;
	} else if (!strcmp(k, "native_ipv6")) {
		r->native6 = 1;
	} else if (!strcmp(k, "no_virtual_ipaddress")) {
		vi->no_virtual_ipaddress = true;
	} else if (!strcmp(k, "promote_secondaries")) {
		vi->promote_secondaries = true;
	} else if (!strcmp(k, "nopreempt")) {
		vi->nopreempt = true;
	} else if (!strcmp(k, "preempt")) {
		vi->nopreempt = false;
	} else if (!strcmp(k, "preempt_delay")) {
		vi->preempt_delay_us = vb_timer(n, 1, 0);
		r->preempt_delay_n = n;
	} else if (!strcmp(k, "accept") || !strcmp(k, "no_accept")) {
		r->accept = !strcmp(k, "accept");
		r->accept_n = n;
	} else if (!strcmp(k, "strict_mode")) {
		r->strict = vb_bool(n);
	} else if (!strcmp(k, "skip_check_adv_addr")) {
		r->skip_check = vb_bool(n);
	} else if (!strcmp(k, "down_timer_adverts")) {
		r->down_adverts = (int)vb_int(n, 1, 3);
	} else if (!strcmp(k, "lower_prio_no_advert")) {
		r->lpna = vb_bool(n);
	} else if (!strcmp(k, "higher_prio_send_advert")) {
		r->hpsa = vb_bool(n);
	} else if (!strcmp(k, "owner_ignore_adverts")) {
		r->oia = vb_bool(n);
	} else if (!strcmp(k, "unicast_src_ip")) {
		r->ucast_src = n;
	} else if (!strcmp(k, "unicast_peer")) {
		vi->unicast = true;
	} else if (!strcmp(k, "unicast_ttl")) {
		vi->unicast_ttl = (int)vb_int(n, 1, 255);
	} else if (!strcmp(k, "unicast_fault_no_peer")) {
		vi->unicast_fault_no_peer = true;
	} else if (!strcmp(k, "check_unicast_src")) {
		r->check_unicast_src = true;
	} else if (!strcmp(k, "old_unicast_checksum")) {
		vi->old_unicast_checksum = n->argc > 1 ? VRRP_OLD_CSUM_NEVER : VRRP_OLD_CSUM_ON;
	} else if (!strcmp(k, "mcast_src_ip")) {
		r->mcast_src = n;
	} else if (!strcmp(k, "mcast_dst_ip")) {
		r->mcast_dst = n;
	} else if (!strcmp(k, "track_src_ip")) {
		vi->track_src_ip = true;
	} else if (!strcmp(k, "v3_checksum_as_v2")) {
		r->v3csum = vb_bool(n);
	} else if (!strcmp(k, "kernel_rx_buf_size")) {
		vi->kernel_rx_buf_size = (uint32_t)vb_int(n, 1, 0);
	} else if (!strcmp(k, "use_vmac")) {
		parse_use_vmac(b, vi, n);
	} else if (!strcmp(k, "use_vmac_addr")) {
		vi->use_vmac_addr = true;
	} else if (!strcmp(k, "vmac_xmit_base")) {
		vi->vmac_xmit_base = true;
	} else if (!strcmp(k, "use_ipvlan")) {
		parse_use_ipvlan(b, vi, n);
	} else if (!strcmp(k, "dont_track_primary")) {
		vi->dont_track_primary = true;
	} else if (!strcmp(k, "garp_master_delay")) {
		r->garp_delay = vb_int(n, 1, 5);
	} else if (!strcmp(k, "garp_master_repeat")) {
		r->garp_rep = vb_int(n, 1, 5);
	} else if (!strcmp(k, "garp_master_refresh")) {
		r->garp_refresh = vb_int(n, 1, 0);
	} else if (!strcmp(k, "garp_master_refresh_repeat")) {
		r->garp_refresh_rep = vb_int(n, 1, 1);
	} else if (!strcmp(k, "garp_lower_prio_delay")) {
		r->garp_lp_delay = vb_int(n, 1, 5);
	} else if (!strcmp(k, "garp_lower_prio_repeat")) {
		r->garp_lp_rep = vb_int(n, 1, 5);
	} else if (!strcmp(k, "garp_extra_if") || !strcmp(k, "vmac_garp_intvl")) {
		int i = n->argc > 2 && !strcmp(n->argv[1], "all") ? 2 : 1;

		r->extra_if_set = true;
		r->extra_if_all = i == 2;
		r->extra_if = vb_int(n, i, 0);
	} else if (!strcmp(k, "authentication")) {
		for (const conf_node *a = n->child; a; a = a->next) {
			if (vb_is(a, "auth_type"))
				r->auth_type = a;
			else if (vb_is(a, "auth_pass"))
				r->auth_pass = a;
		}
	} else if (!strcmp(k, "auth_hmac")) {
		vi->has_auth_hmac = true;
	}
}

static bool same_family(const struct ka_addr *a, int family)
{
	return a->family == family;
}

/* Addresses: VIPs (one family), eVIPs, routes, rules, peers; sets family. */
static void inst_addresses(struct vb *b, struct vrrp_instance_conf *vi, struct inst_raw *r)
{
	const conf_node *node = r->node, *first_blk = conf_first(node, "virtual_ipaddress");
	size_t n = vb_block_lines(node, "virtual_ipaddress"), k = 0;
	struct ka_addr a;

	vi->family = r->native6 > 0 ? AF_INET6 : AF_UNSPEC;
	vi->vips = vb_calloc(b, n, sizeof(*vi->vips));
	for (const conf_node *x = first_blk; vi->vips && x; x = conf_next_named(x)) {
		for (const conf_node *l = x->child; l; l = l->next) {
			struct vrrp_vip *v = &vi->vips[k];

			if (vb_parse_vip(b, l, v, true) < 0)
				continue;
			if (vi->family == AF_UNSPEC)
				vi->family = v->addr.family;
			if (v->addr.family != vi->family) {
				/* The tables report mismatches in the first block. */
				if (x != first_blk)
					vb_err(b, l,
					       "(%s) address family of %s does not match the "
					       "instance's - ignoring it",
					       vi->name, l->argv[0]);
				vb_vip_clear(v);
				continue;
			}
			k++;
		}
	}
	vi->n_vips = vi->vips ? k : 0;

	n = vb_block_lines(node, "virtual_ipaddress_excluded");
	k = 0;
	vi->evips = vb_calloc(b, n, sizeof(*vi->evips));
	for (const conf_node *x = conf_first(node, "virtual_ipaddress_excluded"); vi->evips && x;
	     x = conf_next_named(x))
		for (const conf_node *l = x->child; l; l = l->next)
			if (vb_parse_vip(b, l, &vi->evips[k], true) == 0)
				k++;
	vi->n_evips = vi->evips ? k : 0;

	/* No VIP: the family comes from the configured addresses. */
	if (vi->family == AF_UNSPEC && r->ucast_src && addr_parse(r->ucast_src->argv[1], &a) == 0)
		vi->family = a.family;
	if (vi->family == AF_UNSPEC && r->mcast_src && addr_parse(r->mcast_src->argv[1], &a) == 0)
		vi->family = a.family;
	if (vi->family == AF_UNSPEC) {
		const conf_node *u = conf_first(node, "unicast_peer");

		if (u && u->child && addr_parse(u->child->argv[0], &a) == 0)
			vi->family = a.family;
	}
	if (vi->family == AF_UNSPEC)
		vi->family = AF_INET;

	if (r->ucast_src && addr_parse(r->ucast_src->argv[1], &a) == 0) {
		if (same_family(&a, vi->family)) {
			vi->unicast_src_ip = a;
			vi->has_unicast_src = true;
		} else {
			vb_err(b, r->ucast_src,
			       "(%s) unicast_src_ip %s is not of the instance's address family - "
			       "ignoring it",
			       vi->name, r->ucast_src->argv[1]);
		}
	}
	if (r->mcast_src && addr_parse(r->mcast_src->argv[1], &a) == 0) {
		if (same_family(&a, vi->family)) {
			vi->mcast_src_ip = a;
			vi->has_mcast_src = true;
		} else {
			vb_err(b, r->mcast_src,
			       "(%s) mcast_src_ip %s is not of the instance's address family - "
			       "ignoring it",
			       vi->name, r->mcast_src->argv[1]);
		}
	}
	vi->mcast_dst_ip =
	    vi->family == AF_INET6 ? b->c->global.mcast_group6 : b->c->global.mcast_group4;
	if (r->mcast_dst && addr_parse(r->mcast_dst->argv[1], &a) == 0) {
		if (same_family(&a, vi->family))
			vi->mcast_dst_ip = a;
		else
			vb_err(b, r->mcast_dst,
			       "(%s) mcast_dst_ip %s is not of the instance's address family - "
			       "using the default group",
			       vi->name, r->mcast_dst->argv[1]);
	}

	n = vb_block_lines(node, "unicast_peer");
	k = 0;
	vi->peers = vb_calloc(b, n, sizeof(*vi->peers));
	for (const conf_node *x = conf_first(node, "unicast_peer"); vi->peers && x;
	     x = conf_next_named(x)) {
		for (const conf_node *l = x->child; l; l = l->next) {
			struct vrrp_unicast_peer *p = &vi->peers[k];
			bool dup = false;

			if (addr_parse(l->argv[0], &p->addr) < 0)
				continue;
			if (!same_family(&p->addr, vi->family)) {
				vb_err(b, l,
				       "(%s) unicast peer %s is not of the instance's address "
				       "family - ignoring it",
				       vi->name, l->argv[0]);
				continue;
			}
			for (size_t m = 0; m < k && !dup; m++)
				dup = addr_equal(&vi->peers[m].addr, &p->addr);
			if (dup) /* warned by the tables */
				continue;
			p->min_ttl = 0;
			p->max_ttl = 255;
			for (int i = 1; i + 1 < l->argc; i += 2) {
				if (!strcmp(l->argv[i], "min_ttl"))
					p->min_ttl = (int)vb_int(l, i + 1, 0);
				else if (!strcmp(l->argv[i], "max_ttl"))
					p->max_ttl = (int)vb_int(l, i + 1, 255);
			}
			p->file = vb_file(b, l->file);
			p->line = l->lineno;
			k++;
		}
	}
	vi->n_peers = vi->peers ? k : 0;

	n = vb_block_lines(node, "virtual_routes");
	k = 0;
	vi->routes = vb_calloc(b, n, sizeof(*vi->routes));
	for (const conf_node *x = conf_first(node, "virtual_routes"); vi->routes && x;
	     x = conf_next_named(x))
		for (const conf_node *l = x->child; l; l = l->next)
			if (vb_raw_line(b, l, &vi->routes[k]) == 0)
				k++;
	vi->n_routes = vi->routes ? k : 0;
	n = vb_block_lines(node, "virtual_rules");
	k = 0;
	vi->rules = vb_calloc(b, n, sizeof(*vi->rules));
	for (const conf_node *x = conf_first(node, "virtual_rules"); vi->rules && x;
	     x = conf_next_named(x))
		for (const conf_node *l = x->child; l; l = l->next)
			if (vb_raw_line(b, l, &vi->rules[k]) == 0)
				k++;
	vi->n_rules = vi->rules ? k : 0;
}

static void fmt_secs(char *buf, size_t len, uint64_t us)
{
	int n = snprintf(buf, len, "%llu.%06llu", (unsigned long long)(us / 1000000),
	                 (unsigned long long)(us % 1000000));

	/* Trim trailing zeros, keep at least one decimal. */
	while (n > 0 && (size_t)n < len && buf[n - 1] == '0' && buf[n - 2] != '.')
		buf[--n] = '\0';
}

/* Version, advert interval and authentication. */
static void inst_protocol(struct vb *b, struct vrrp_instance_conf *vi, struct inst_raw *r)
{
	const conf_node *at = r->advert ? r->advert : r->node;
	uint64_t us = r->advert ? r->advert_us : 1000000;
	char buf[48];

	vi->version = r->version > 0 ? r->version : b->c->global.version;
	if (vi->family == AF_INET6 && vi->version == 2) {
		if (r->version == 2)
			vb_warn(b, r->version_n,
			        "(%s) IPv6 requires VRRP version 3 - using version 3", vi->name);
		vi->version = 3;
	}

	if (vi->version == 2) {
		uint64_t s = (us + 500000) / 1000000;

		if (s == 0)
			s = 1;
		if (us % 1000000) {
			fmt_secs(buf, sizeof(buf), us);
			vb_warn(b, at,
			        "(%s) VRRPv2 advert_int %s is not an integer number of seconds - "
			        "rounding to %llu",
			        vi->name, buf, (unsigned long long)s);
		}
		vi->advert_int_cs = (unsigned)(s * 100);
	} else {
		uint64_t cs = (us + 5000) / 10000;

		if (cs == 0)
			cs = 1;
		if (cs > VRRP_MAX_ADVERT_CS_V3) {
			fmt_secs(buf, sizeof(buf), us);
			vb_warn(b, at,
			        "(%s) VRRPv3 advert_int %s is more than 40.95 seconds - using "
			        "40.95",
			        vi->name, buf);
			cs = VRRP_MAX_ADVERT_CS_V3;
		} else if (us % 10000) {
			fmt_secs(buf, sizeof(buf), us);
			vb_warn(b, at,
			        "(%s) VRRPv3 advert_int %s is not a multiple of 10 ms - rounding "
			        "to %llu.%02llu",
			        vi->name, buf, (unsigned long long)(cs / 100),
			        (unsigned long long)(cs % 100));
		}
		vi->advert_int_cs = (unsigned)cs;
	}

	/* Authentication. */
	if (r->auth_type && !r->auth_pass) {
		vb_warn(b, r->auth_type,
		        "(%s) auth_type without auth_pass - ignoring authentication", vi->name);
	} else if (!r->auth_type && r->auth_pass) {
		vb_warn(b, r->auth_pass,
		        "(%s) auth_pass without auth_type - ignoring authentication", vi->name);
	} else if (r->auth_type) {
		bool ah = !strcmp(r->auth_type->argv[1], "AH");

		if (ah && (vi->version == 3 || vi->family == AF_INET6)) {
			vb_err(b, r->auth_type,
			       "(%s) IPSEC-AH authentication is only supported with VRRPv2 over "
			       "IPv4 - ignoring authentication",
			       vi->name);
		} else if (vi->version == 3) {
			vb_warn(b, r->auth_type,
			        "(%s) VRRP version 3 does not support authentication - ignoring it",
			        vi->name);
		} else {
			size_t l = strlen(r->auth_pass->argv[1]);

			vi->auth_type = ah ? VRRP_AUTH_AH : VRRP_AUTH_PASS;
			memcpy(vi->auth_pass, r->auth_pass->argv[1], l > 8 ? 8 : l);
		}
	}
}

static uint64_t secs_or(long long v, uint64_t dflt)
{
	return v >= 0 ? (uint64_t)v * 1000000u : dflt;
}

/* Effective defaults (instance keyword > global > built-in) and checks. */
static void inst_defaults(struct vb *b, struct vrrp_instance_conf *vi, struct inst_raw *r)
{
	const struct vrrp_global *g = &b->c->global;
	const conf_node *node = r->node;

	vi->owner = vi->priority == VRRP_PRIO_OWNER;
	if (vi->owner && !vi->want_master)
		vb_warn(b, r->state_n ? r->state_n : node,
		        "(%s) priority 255 is reserved for the address owner, which should have "
		        "state MASTER",
		        vi->name);
	if (vi->nopreempt && vi->want_master)
		vb_warn(b, r->state_n ? r->state_n : node,
		        "(%s) nopreempt will not work with initial state MASTER", vi->name);

	vi->strict = r->strict >= 0 ? r->strict : g->strict;
	vi->accept = r->accept >= 0 ? r->accept : (vi->strict ? vi->owner : true);
	vi->skip_check_adv_addr = r->skip_check >= 0 ? r->skip_check : g->skip_check_adv_addr;
	vi->down_timer_adverts =
	    r->down_adverts > 0 ? (unsigned)r->down_adverts : g->down_timer_adverts;
	vi->lower_prio_no_advert = vi->strict || (r->lpna >= 0 ? r->lpna : g->lower_prio_no_advert);
	vi->higher_prio_send_advert = r->hpsa >= 0 ? r->hpsa : g->higher_prio_send_advert;
	vi->owner_ignore_adverts = vi->strict || (r->oia >= 0 ? r->oia : g->owner_ignore_adverts);
	vi->check_unicast_src = r->check_unicast_src || g->check_unicast_src;
	vi->v3_checksum_as_v2 = r->v3csum >= 0 ? r->v3csum : g->v3_checksum_as_v2;
	vi->notify.priority_changes =
	    r->prio_changes >= 0 ? r->prio_changes : g->notify_priority_changes;
	vi->notify.smtp_alert = r->smtp >= 0 ? r->smtp : g->smtp_alert;

	vi->garp = g->garp;
	vi->garp.master_delay_us = secs_or(r->garp_delay, g->garp.master_delay_us);
	vi->garp.master_repeat = r->garp_rep >= 0 ? (uint32_t)r->garp_rep : g->garp.master_repeat;
	vi->garp.master_refresh_us = secs_or(r->garp_refresh, g->garp.master_refresh_us);
	vi->garp.master_refresh_repeat = r->garp_refresh_rep >= 0 ? (uint32_t)r->garp_refresh_rep
	                                                          : g->garp.master_refresh_repeat;
	vi->garp.lower_prio_delay_us = secs_or(r->garp_lp_delay, g->garp.lower_prio_delay_us);
	if (vi->garp.lower_prio_delay_us == VRRP_CONF_UNSET_U64)
		vi->garp.lower_prio_delay_us = vi->garp.master_delay_us;
	vi->garp.lower_prio_repeat =
	    r->garp_lp_rep >= 0 ? (uint32_t)r->garp_lp_rep : g->garp.lower_prio_repeat;
	if (vi->garp.lower_prio_repeat == VRRP_CONF_UNSET_U32)
		vi->garp.lower_prio_repeat = vi->garp.master_repeat;
	if (r->extra_if_set) {
		vi->garp.extra_if_us = (uint64_t)r->extra_if * 1000000u;
		vi->garp.extra_if_all = r->extra_if_all;
	}
}

/* The node of keyword kw in the instance, else the instance's own. */
static const conf_node *kw_node(const conf_node *inst, const char *kw)
{
	const conf_node *n = conf_first(inst, kw);

	return n ? n : inst;
}

/* vrrp_strict / strict_mode rules (reference §4.12).  Each breach is a
 * configuration error (-t exits 5, as upstream does), reported at the
 * offending line; where upstream corrects the setting, so do we and the
 * instance runs, otherwise (no VIP) it is kept in FAULT. */
static void inst_strict(struct vb *b, struct vrrp_instance_conf *vi, struct inst_raw *r)
{
	const conf_node *node = r->node;

	if (!vi->strict)
		return;
	if (!vi->n_vips) {
		vb_err(b, node, "(%s) strict mode requires at least one virtual_ipaddress",
		       vi->name);
		vi->config_error = true;
	}
	if (vi->unicast)
		vb_err(b, kw_node(node, "unicast_peer"),
		       "(%s) strict mode does not allow unicast peers", vi->name);
	if (vi->family == AF_INET6 && r->version == 2)
		vb_err(b, r->version_n,
		       "(%s) strict mode: IPv6 cannot use VRRP version 2 - using version 3",
		       vi->name);
	if (vi->family == AF_INET6 && vi->n_vips && !IN6_IS_ADDR_LINKLOCAL(&vi->vips[0].addr.u.v6))
		vb_err(b, kw_node(node, "virtual_ipaddress"),
		       "(%s) strict mode requires the first IPv6 VIP to be link-local", vi->name);
	if (vi->want_master && !vi->owner) {
		vb_err(b, r->state_n ? r->state_n : node,
		       "(%s) strict mode requires priority 255 for state MASTER - using BACKUP",
		       vi->name);
		vi->want_master = false;
	}
	if (r->auth_type || r->auth_pass) {
		vb_err(b, r->auth_type ? r->auth_type : r->auth_pass,
		       "(%s) strict mode does not allow authentication - ignoring it", vi->name);
		vi->auth_type = VRRP_AUTH_NONE;
		memset(vi->auth_pass, 0, sizeof(vi->auth_pass));
	}
	if (vi->preempt_delay_us) {
		vb_err(b, r->preempt_delay_n,
		       "(%s) strict mode does not allow preempt_delay - resetting it", vi->name);
		vi->preempt_delay_us = 0;
	}
	if (vi->version == 2 && r->accept == 1) {
		vb_err(b, r->accept_n,
		       "(%s) strict mode does not allow accept mode with VRRPv2 - resetting it",
		       vi->name);
		vi->accept = vi->owner;
	}
	if (r->garp_rep > 1 || r->garp_refresh_rep > 1 || r->garp_lp_rep > 1) {
		const char *kw = r->garp_rep > 1           ? "garp_master_repeat"
		                 : r->garp_refresh_rep > 1 ? "garp_master_refresh_repeat"
		                                           : "garp_lower_prio_repeat";

		vb_err(b, kw_node(node, kw),
		       "(%s) strict mode does not allow GARP repeats - using 1", vi->name);
		vi->garp.master_repeat = 1;
		vi->garp.master_refresh_repeat = 1;
		vi->garp.lower_prio_repeat = 1;
	}
	if (r->lpna == 0)
		vb_err(b, kw_node(node, "lower_prio_no_advert"),
		       "(%s) strict mode requires lower_prio_no_advert - setting it", vi->name);
	if (vi->higher_prio_send_advert) {
		vb_err(b, kw_node(node, "higher_prio_send_advert"),
		       "(%s) strict mode does not allow higher_prio_send_advert - clearing it",
		       vi->name);
		vi->higher_prio_send_advert = false;
	}
	if (vi->vmac_xmit_base) {
		vb_err(b, kw_node(node, "vmac_xmit_base"),
		       "(%s) strict mode does not allow vmac_xmit_base - clearing it", vi->name);
		vi->vmac_xmit_base = false;
	}
}

static void build_instance(struct vb *b, const conf_node *node, struct vrrp_instance_conf *vi)
{
	struct inst_raw r = {
	    .node = node,
	    .version = -1,
	    .native6 = -1,
	    .accept = -1,
	    .strict = -1,
	    .skip_check = -1,
	    .down_adverts = -1,
	    .lpna = -1,
	    .hpsa = -1,
	    .oia = -1,
	    .v3csum = -1,
	    .prio_changes = -1,
	    .smtp = -1,
	    .garp_delay = -1,
	    .garp_rep = -1,
	    .garp_refresh = -1,
	    .garp_refresh_rep = -1,
	    .garp_lp_delay = -1,
	    .garp_lp_rep = -1,
	};
	unsigned errors = b->c->counts.errors[CONF_CLASS_CONFIG];

	vi->name = vb_strdup(b, node->argv[1]);
	vi->file = vb_file(b, node->file);
	vi->line = node->lineno;
	vi->priority = VRRP_DEFAULT_PRIORITY;
	vi->unicast_ttl = 255;
	vi->sync_group_index = -1;
	for (const conf_node *n = node->child; n; n = n->next)
		if (n->argc > 0)
			inst_kw(b, vi, &r, n);
	inst_addresses(b, vi, &r);
	inst_protocol(b, vi, &r);
	inst_defaults(b, vi, &r);
	vb_build_tracking(b, node, &vi->track);
	vi->config_error = b->c->counts.errors[CONF_CLASS_CONFIG] != errors;
	inst_strict(b, vi, &r); /* after: most of its errors are corrected */
}

void vb_instance_clear(struct vrrp_instance_conf *vi)
{
	free(vi->name);
	free(vi->ifname);
	free(vi->vrf);
	for (size_t i = 0; i < vi->n_vips; i++)
		vb_vip_clear(&vi->vips[i]);
	free(vi->vips);
	for (size_t i = 0; i < vi->n_evips; i++)
		vb_vip_clear(&vi->evips[i]);
	free(vi->evips);
	for (size_t i = 0; i < vi->n_routes; i++)
		vb_raw_clear(&vi->routes[i]);
	free(vi->routes);
	for (size_t i = 0; i < vi->n_rules; i++)
		vb_raw_clear(&vi->rules[i]);
	free(vi->rules);
	free(vi->peers);
	free(vi->vmac_name);
	free(vi->vmac_group);
	free(vi->ipvlan_name);
	free(vi->ipvlan_group);
	vb_tracking_clear(&vi->track);
	vb_notify_clear(&vi->notify);
	memset(vi, 0, sizeof(*vi));
}

void vb_build_instances(struct vb *b, const conf_node *root)
{
	static const char *const names[] = {"vrrp_instance", NULL};
	struct vrrp_conf *c = b->c;
	const conf_node **v;
	/* Duplicate names are reported by the tables: the first one wins. */
	size_t n = vb_unique_nodes(b, root, names, NULL, &v), k = 0;

	c->instances = vb_calloc(b, n, sizeof(*c->instances));
	for (size_t i = 0; c->instances && i < n && !b->oom; i++) {
		const conf_node *x = v[i];

		/* Reported by the tables: no VRID, no interface nor unicast peers. */
		if (!conf_first(x, "virtual_router_id") ||
		    (!conf_first(x, "interface") && !conf_first(x, "unicast_peer")))
			continue;
		build_instance(b, x, &c->instances[k++]);
	}
	c->n_instances = c->instances ? k : 0;
	free(v);
}
