/* Comparing configurations for reloads: which parts of an instance changed,
 * and equality of VIPs, scripts and sync groups.  Locations (file, line)
 * and the original text of lines never count. */
#include <stdlib.h>
#include <string.h>

#include "vrrp/vrrp_conf_int.h"

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool cmd_eq(const struct vrrp_cmd *a, const struct vrrp_cmd *b)
{
	if (!a || !b)
		return a == b;
	return str_eq(a->text, b->text) && a->uid == b->uid && a->gid == b->gid;
}

/* Both absent, or both present and equal. */
static bool opt_addr_eq(bool ha, const struct ka_addr *a, bool hb, const struct ka_addr *b)
{
	return ha == hb && (!ha || addr_equal(a, b));
}

bool vrrp_vip_equal(const struct vrrp_vip *a, const struct vrrp_vip *b)
{
	return addr_equal(&a->addr, &b->addr) && a->prefixlen == b->prefixlen &&
	       str_eq(a->dev, b->dev) && a->brd == b->brd &&
	       (a->brd != VRRP_BRD_ADDR || addr_equal(&a->brd_addr, &b->brd_addr)) &&
	       opt_addr_eq(a->has_peer, &a->peer, b->has_peer, &b->peer) && a->scope == b->scope &&
	       str_eq(a->scope_name, b->scope_name) && str_eq(a->label, b->label) &&
	       a->flags == b->flags && a->preferred_lft == b->preferred_lft &&
	       str_eq(a->track_group, b->track_group);
}

bool vrrp_script_conf_equal(const struct vrrp_script_conf *a, const struct vrrp_script_conf *b)
{
	if (!a || !b)
		return a == b;
	return str_eq(a->name, b->name) && cmd_eq(&a->cmd, &b->cmd) &&
	       a->interval_us == b->interval_us && a->timeout_us == b->timeout_us &&
	       a->weight == b->weight && a->weight_reverse == b->weight_reverse &&
	       a->rise == b->rise && a->fall == b->fall && a->init_fail == b->init_fail;
}

static bool tfile_eq(const struct vrrp_track_file_conf *a, const struct vrrp_track_file_conf *b)
{
	if (!a || !b)
		return a == b;
	return str_eq(a->name, b->name) && str_eq(a->path, b->path) && a->weight == b->weight &&
	       a->weight_reverse == b->weight_reverse && a->init_file == b->init_file &&
	       a->init_value == b->init_value && a->init_overwrite == b->init_overwrite;
}

static bool refs_eq(const struct vrrp_track_ref *a, size_t na, const struct vrrp_track_ref *b,
                    size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!str_eq(a[i].name, b[i].name) || a[i].weight != b[i].weight ||
		    a[i].reverse != b[i].reverse ||
		    !vrrp_script_conf_equal(a[i].script, b[i].script) ||
		    !tfile_eq(a[i].tfile, b[i].tfile))
			return false;
	return true;
}

static bool tracking_eq(const struct vrrp_tracking *a, const struct vrrp_tracking *b)
{
	return refs_eq(a->ifs, a->n_ifs, b->ifs, b->n_ifs) &&
	       refs_eq(a->scripts, a->n_scripts, b->scripts, b->n_scripts) &&
	       refs_eq(a->files, a->n_files, b->files, b->n_files) &&
	       refs_eq(a->processes, a->n_processes, b->processes, b->n_processes) &&
	       refs_eq(a->bfds, a->n_bfds, b->bfds, b->n_bfds);
}

static bool notify_eq(const struct vrrp_notify *a, const struct vrrp_notify *b)
{
	return cmd_eq(a->master, b->master) && cmd_eq(a->backup, b->backup) &&
	       cmd_eq(a->fault, b->fault) && cmd_eq(a->stop, b->stop) &&
	       cmd_eq(a->deleted, b->deleted) && a->deleted_set == b->deleted_set &&
	       cmd_eq(a->generic, b->generic) &&
	       cmd_eq(a->master_rx_lower_pri, b->master_rx_lower_pri) &&
	       a->priority_changes == b->priority_changes && a->smtp_alert == b->smtp_alert;
}

static bool garp_eq(const struct vrrp_garp_conf *a, const struct vrrp_garp_conf *b)
{
	return a->master_delay_us == b->master_delay_us && a->master_repeat == b->master_repeat &&
	       a->master_refresh_us == b->master_refresh_us &&
	       a->master_refresh_repeat == b->master_refresh_repeat &&
	       a->lower_prio_delay_us == b->lower_prio_delay_us &&
	       a->lower_prio_repeat == b->lower_prio_repeat && a->extra_if_us == b->extra_if_us &&
	       a->extra_if_all == b->extra_if_all;
}

static bool raw_eq(const struct vrrp_raw_line *a, size_t na, const struct vrrp_raw_line *b,
                   size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!str_eq(a[i].text, b[i].text))
			return false;
	return true;
}

static bool peers_eq(const struct vrrp_instance_conf *a, const struct vrrp_instance_conf *b)
{
	if (a->n_peers != b->n_peers)
		return false;
	for (size_t i = 0; i < a->n_peers; i++)
		if (!addr_equal(&a->peers[i].addr, &b->peers[i].addr) ||
		    a->peers[i].min_ttl != b->peers[i].min_ttl ||
		    a->peers[i].max_ttl != b->peers[i].max_ttl)
			return false;
	return true;
}

static bool identity_eq(const struct vrrp_instance_conf *a, const struct vrrp_instance_conf *b)
{
	return str_eq(a->ifname, b->ifname) && str_eq(a->vrf, b->vrf) && a->vrid == b->vrid &&
	       a->family == b->family && a->version == b->version && a->use_vmac == b->use_vmac &&
	       str_eq(a->vmac_name, b->vmac_name) && a->vmac_mac_set == b->vmac_mac_set &&
	       a->vmac_mac_len == b->vmac_mac_len &&
	       !memcmp(a->vmac_mac, b->vmac_mac, sizeof(a->vmac_mac)) &&
	       a->vmac_netlink_notify == b->vmac_netlink_notify &&
	       str_eq(a->vmac_group, b->vmac_group) && a->use_vmac_addr == b->use_vmac_addr &&
	       a->vmac_xmit_base == b->vmac_xmit_base && a->use_ipvlan == b->use_ipvlan &&
	       str_eq(a->ipvlan_name, b->ipvlan_name) &&
	       opt_addr_eq(a->ipvlan_has_addr, &a->ipvlan_addr, b->ipvlan_has_addr,
	                   &b->ipvlan_addr) &&
	       (!a->ipvlan_has_addr || a->ipvlan_prefixlen == b->ipvlan_prefixlen) &&
	       a->ipvlan_mode == b->ipvlan_mode && str_eq(a->ipvlan_group, b->ipvlan_group);
}

static bool transport_eq(const struct vrrp_instance_conf *a, const struct vrrp_instance_conf *b)
{
	return opt_addr_eq(a->has_mcast_src, &a->mcast_src_ip, b->has_mcast_src,
	                   &b->mcast_src_ip) &&
	       addr_equal(&a->mcast_dst_ip, &b->mcast_dst_ip) &&
	       opt_addr_eq(a->has_unicast_src, &a->unicast_src_ip, b->has_unicast_src,
	                   &b->unicast_src_ip) &&
	       a->unicast == b->unicast && peers_eq(a, b) && a->unicast_ttl == b->unicast_ttl &&
	       a->unicast_fault_no_peer == b->unicast_fault_no_peer &&
	       a->check_unicast_src == b->check_unicast_src &&
	       a->v3_checksum_as_v2 == b->v3_checksum_as_v2 &&
	       a->old_unicast_checksum == b->old_unicast_checksum &&
	       a->kernel_rx_buf_size == b->kernel_rx_buf_size && a->auth_type == b->auth_type &&
	       !memcmp(a->auth_pass, b->auth_pass, sizeof(a->auth_pass)) &&
	       a->has_auth_hmac == b->has_auth_hmac;
}

static bool behaviour_eq(const struct vrrp_instance_conf *a, const struct vrrp_instance_conf *b)
{
	return a->accept == b->accept && a->strict == b->strict &&
	       a->lower_prio_no_advert == b->lower_prio_no_advert &&
	       a->higher_prio_send_advert == b->higher_prio_send_advert &&
	       a->owner_ignore_adverts == b->owner_ignore_adverts &&
	       a->skip_check_adv_addr == b->skip_check_adv_addr &&
	       a->no_virtual_ipaddress == b->no_virtual_ipaddress &&
	       a->promote_secondaries == b->promote_secondaries &&
	       a->config_error == b->config_error;
}

/* Indices of VIPs of x not in y (no allocation when out is NULL).
 * Returns the count, or SIZE_MAX when out of memory. */
static size_t vips_missing(const struct vrrp_vip *x, size_t nx, const struct vrrp_vip *y, size_t ny,
                           size_t **out)
{
	size_t n = 0;

	if (out)
		*out = NULL;
	for (size_t i = 0; i < nx; i++) {
		bool found = false;

		for (size_t j = 0; j < ny && !found; j++)
			found = vrrp_vip_equal(&x[i], &y[j]);
		if (found)
			continue;
		if (out) {
			size_t *nv = realloc(*out, (n + 1) * sizeof(*nv));

			if (!nv) {
				free(*out);
				*out = NULL;
				return SIZE_MAX;
			}
			*out = nv;
			nv[n] = i;
		}
		n++;
	}
	return n;
}

/* Whether the lists differ at all (set or order). */
static bool vips_differ(const struct vrrp_vip *x, size_t nx, const struct vrrp_vip *y, size_t ny)
{
	if (nx != ny)
		return true;
	for (size_t i = 0; i < nx; i++)
		if (!vrrp_vip_equal(&x[i], &y[i]))
			return true;
	return false;
}

static void vip_lists(const struct vrrp_vip *x, size_t nx, const struct vrrp_vip *y, size_t ny,
                      size_t **removed, size_t *nremoved, size_t **added, size_t *nadded)
{
	*nremoved = vips_missing(x, nx, y, ny, removed);
	if (*nremoved == SIZE_MAX)
		*nremoved = 0;
	*nadded = vips_missing(y, ny, x, nx, added);
	if (*nadded == SIZE_MAX)
		*nadded = 0;
}

unsigned vrrp_instance_conf_diff(const struct vrrp_instance_conf *a,
                                 const struct vrrp_instance_conf *b, struct vrrp_instance_diff *d)
{
	unsigned ch = 0;
	const char *ga = a->sync_group ? a->sync_group->name : NULL;
	const char *gb = b->sync_group ? b->sync_group->name : NULL;

	if (d)
		memset(d, 0, sizeof(*d));
	if (!identity_eq(a, b))
		ch |= VRRP_DIFF_IDENTITY;
	if (a->priority != b->priority || a->want_master != b->want_master || a->owner != b->owner)
		ch |= VRRP_DIFF_PRIORITY;
	if (a->advert_int_cs != b->advert_int_cs ||
	    a->down_timer_adverts != b->down_timer_adverts || a->nopreempt != b->nopreempt ||
	    a->preempt_delay_us != b->preempt_delay_us)
		ch |= VRRP_DIFF_TIMERS;
	if (vips_differ(a->vips, a->n_vips, b->vips, b->n_vips))
		ch |= VRRP_DIFF_VIPS;
	if (vips_differ(a->evips, a->n_evips, b->evips, b->n_evips))
		ch |= VRRP_DIFF_EVIPS;
	if (!raw_eq(a->routes, a->n_routes, b->routes, b->n_routes) ||
	    !raw_eq(a->rules, a->n_rules, b->rules, b->n_rules))
		ch |= VRRP_DIFF_ROUTES;
	if (!tracking_eq(&a->track, &b->track) || a->dont_track_primary != b->dont_track_primary ||
	    a->track_src_ip != b->track_src_ip)
		ch |= VRRP_DIFF_TRACKING;
	if (!notify_eq(&a->notify, &b->notify))
		ch |= VRRP_DIFF_NOTIFY;
	if (!transport_eq(a, b))
		ch |= VRRP_DIFF_TRANSPORT;
	if (!garp_eq(&a->garp, &b->garp))
		ch |= VRRP_DIFF_GARP;
	if (!behaviour_eq(a, b))
		ch |= VRRP_DIFF_BEHAVIOUR;
	if (!str_eq(ga, gb))
		ch |= VRRP_DIFF_SYNC_GROUP;
	if (d) {
		d->changed = ch;
		if (ch & VRRP_DIFF_VIPS)
			vip_lists(a->vips, a->n_vips, b->vips, b->n_vips, &d->vips_removed,
			          &d->n_vips_removed, &d->vips_added, &d->n_vips_added);
		if (ch & VRRP_DIFF_EVIPS)
			vip_lists(a->evips, a->n_evips, b->evips, b->n_evips, &d->evips_removed,
			          &d->n_evips_removed, &d->evips_added, &d->n_evips_added);
	}
	return ch;
}

void vrrp_instance_diff_free(struct vrrp_instance_diff *d)
{
	if (!d)
		return;
	free(d->vips_removed);
	free(d->vips_added);
	free(d->evips_removed);
	free(d->evips_added);
	memset(d, 0, sizeof(*d));
}

bool vrrp_instance_conf_equal(const struct vrrp_instance_conf *a,
                              const struct vrrp_instance_conf *b)
{
	return vrrp_instance_conf_diff(a, b, NULL) == 0;
}

bool vrrp_sync_group_conf_equal(const struct vrrp_conf *ca, const struct vrrp_sync_group_conf *a,
                                const struct vrrp_conf *cb, const struct vrrp_sync_group_conf *b)
{
	if (!str_eq(a->name, b->name) || a->n_members != b->n_members ||
	    a->tracking_weight != b->tracking_weight || !tracking_eq(&a->track, &b->track) ||
	    !notify_eq(&a->notify, &b->notify))
		return false;
	for (size_t i = 0; i < a->n_members; i++)
		if (!str_eq(ca->instances[a->members[i]].name, cb->instances[b->members[i]].name))
			return false;
	return true;
}
