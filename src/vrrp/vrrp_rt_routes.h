/* The VRRP runtime's routes, rules, static entries, no-accept firewall
 * and garp_group pacing.  Private to src/vrrp/vrrp_rt*.c; called from
 * small hooks in vrrp_rt.c and vrrp_rt_io.c.
 *
 * - virtual_routes / virtual_rules follow the VIPs: added after them when
 *   an instance becomes MASTER, removed before them when it leaves; a
 *   reload adds and removes only the lines that changed (by their text).
 *   Routes or rules deleted by someone else are not restored.
 * - static_ipaddress / static_routes / static_rules are installed when
 *   the VRRP child starts, whatever the instances' states, and a reload
 *   applies the difference.  At stop they are removed, as upstream does
 *   (keepalived 2.2.7 observed: removed even with --dont-release-vrrp,
 *   which keeps only the VIPs and virtual routes).
 * - No-accept mode (vrrp_strict, or no_accept) on a non-owner MASTER:
 *   packets to and from its VIPs are dropped by nftables, table
 *   `inet keepalived` (vrrp_strict_nft.c).
 * - garp_group: GARP / NA pacing per interface (vrrp_garp_interval). */
#ifndef KA_VRRP_RT_ROUTES_H
#define KA_VRRP_RT_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

struct vrrp_conf;
struct vrrp_inst;
struct vrrp_instance_conf;
struct vrrp_rt;

/* vrrp_inst_vips() hooks: before removing the VIPs (add false: routes and
 * rules go first), and after adding or removing them (add true: routes
 * and rules follow; both: the no-accept set is brought up to date). */
void vrrp_inst_routes_pre(struct vrrp_inst *vi, bool add);
void vrrp_inst_routes_post(struct vrrp_inst *vi, bool add);
/* inst_rebind() hook, once vi->c is the new configuration: apply the
 * route and rule lines that changed if the instance holds its VIPs, and
 * refresh its no-accept addresses. */
void vrrp_inst_routes_rebind(struct vrrp_inst *vi, const struct vrrp_instance_conf *old);

/* Child start (after the interface table is read): warn about what is
 * not implemented, install the static entries.  Reload (rt->conf is the
 * new configuration, old still valid): warn, apply the static
 * difference.  Stop: remove the static entries and the firewall table. */
void vrrp_rt_routes_start(struct vrrp_rt *rt);
void vrrp_rt_routes_reload(struct vrrp_rt *rt, const struct vrrp_conf *old);
void vrrp_rt_routes_stop(struct vrrp_rt *rt);

/* Gap between two GARPs (AF_INET) or NAs (AF_INET6) on an interface: its
 * garp_group's interval, else vrrp_garp_interval / vrrp_gna_interval.
 * ifname NULL: the global value.  Pure. */
uint64_t vrrp_garp_interval(const struct vrrp_conf *c, const char *ifname, int family);

/* vrrp_strict_nft.c: the addresses of one owner (an instance) that must
 * be dropped; n 0 = none.  The table is rebuilt, in one transaction, only
 * when the union over all owners changes. */
void vrrp_strict_set(const void *owner, const struct ka_addr *addrs, size_t n);
/* Forget every owner and remove the table if we made it, or in any case
 * with force (at start: a predecessor killed hard may have left one). */
void vrrp_strict_clear(bool force);

#endif
