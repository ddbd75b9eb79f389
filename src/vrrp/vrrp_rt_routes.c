/* Runtime of virtual/static routes, rules and static addresses, the
 * no-accept address lists and garp_group intervals (vrrp_rt_routes.h). */
#include "vrrp/vrrp_rt_routes.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "vrrp/vrrp_if.h"
#include "vrrp/vrrp_route.h"
#include "vrrp/vrrp_rt.h"
#include "vrrp/vrrp_vip.h"

#define DEFAULT_STATIC_DEV "eth0"

/* ---- one route / rule line ---------------------------------------------------- */

static int ifindex_of(struct vrrp_rt *rt, const char *name)
{
	struct vrrp_if *ifp = name[0] && rt->ift ? vrrp_if_by_name(rt->ift, name) : NULL;

	return ifp ? ifp->ifindex : 0;
}

/* Add or remove one route line.  who: the instance name, or "static". */
static int route_apply(struct vrrp_rt *rt, const char *who, const struct vrrp_raw_line *l, bool add)
{
	struct vrrp_nl_route r;
	union {
		struct nlmsghdr h;
		uint8_t b[4096];
	} req;
	int rc;

	if (vrrp_route_parse(l->argv, l->argc, &r, NULL, 0) < 0)
		return -EINVAL;
	if (r.dev[0] && !(r.ifindex = ifindex_of(rt, r.dev))) {
		if (add)
			log_err("(%s) cannot add route %s: no interface %s", who, l->text, r.dev);
		return -ENODEV;
	}
	for (size_t k = 0; k < r.n_nh; k++)
		if (r.nh[k].dev[0] && !(r.nh[k].ifindex = ifindex_of(rt, r.nh[k].dev))) {
			if (add)
				log_err("(%s) cannot add route %s: no interface %s", who, l->text,
				        r.nh[k].dev);
			return -ENODEV;
		}
	rc = vrrp_route_build(req.b, sizeof(req.b), &r, add);
	if (rc < 0)
		return rc;
	rc = nl_request(&rt->nl, &req.h, VRRP_VIP_ACK_TIMEOUT_MS, NULL, NULL);
	/* Prepending an identical route, or deleting a missing one. */
	if ((add && rc == -EEXIST) || (!add && (rc == -ESRCH || rc == -ENOENT)))
		rc = 0;
	if (rc < 0)
		log_err("(%s) cannot %s route %s: %s%s%s", who, add ? "add" : "remove", l->text,
		        strerror(-rc), rt->nl.errmsg[0] ? ": " : "", rt->nl.errmsg);
	else
		log_debug("(%s) %s route %s", who, add ? "added" : "removed", l->text);
	return rc;
}

static int rule_apply(struct vrrp_rt *rt, const char *who, const struct vrrp_raw_line *l, bool add)
{
	struct vrrp_nl_rule r;
	union {
		struct nlmsghdr h;
		uint8_t b[1024];
	} req;
	int rc;

	if (vrrp_rule_parse(l->argv, l->argc, &r, NULL, 0) < 0)
		return -EINVAL;
	rc = vrrp_rule_build(req.b, sizeof(req.b), &r, add);
	if (rc < 0)
		return rc;
	rc = nl_request(&rt->nl, &req.h, VRRP_VIP_ACK_TIMEOUT_MS, NULL, NULL);
	if ((add && rc == -EEXIST) || (!add && (rc == -ENOENT || rc == -ESRCH)))
		rc = 0;
	if (rc < 0)
		log_err("(%s) cannot %s rule %s: %s%s%s", who, add ? "add" : "remove", l->text,
		        strerror(-rc), rt->nl.errmsg[0] ? ": " : "", rt->nl.errmsg);
	else
		log_debug("(%s) %s rule %s", who, add ? "added" : "removed", l->text);
	return rc;
}

/* Whether line l has a twin (same words) in the list. */
static bool line_in(const struct vrrp_raw_line *l, const struct vrrp_raw_line *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(l->text, list[i].text) == 0)
			return true;
	return false;
}

/* Routes before rules when adding (a rule may send traffic to a table that
 * must be filled first), rules before routes when removing. */
static void lines_apply(struct vrrp_rt *rt, const char *who, const struct vrrp_raw_line *routes,
                        size_t n_routes, const struct vrrp_raw_line *rules, size_t n_rules,
                        bool add)
{
	if (add) {
		for (size_t i = 0; i < n_routes; i++)
			route_apply(rt, who, &routes[i], true);
		for (size_t i = 0; i < n_rules; i++)
			rule_apply(rt, who, &rules[i], true);
	} else {
		for (size_t i = n_rules; i-- > 0;)
			rule_apply(rt, who, &rules[i], false);
		for (size_t i = n_routes; i-- > 0;)
			route_apply(rt, who, &routes[i], false);
	}
}

/* a -> b: remove what only a has, then add what only b has. */
static void lines_diff(struct vrrp_rt *rt, const char *who, const struct vrrp_raw_line *ar,
                       size_t n_ar, const struct vrrp_raw_line *arl, size_t n_arl,
                       const struct vrrp_raw_line *br, size_t n_br, const struct vrrp_raw_line *brl,
                       size_t n_brl)
{
	for (size_t i = n_arl; i-- > 0;)
		if (!line_in(&arl[i], brl, n_brl)) {
			log_info("(%s) removing rule %s", who, arl[i].text);
			rule_apply(rt, who, &arl[i], false);
		}
	for (size_t i = n_ar; i-- > 0;)
		if (!line_in(&ar[i], br, n_br)) {
			log_info("(%s) removing route %s", who, ar[i].text);
			route_apply(rt, who, &ar[i], false);
		}
	for (size_t i = 0; i < n_br; i++)
		if (!line_in(&br[i], ar, n_ar)) {
			log_info("(%s) adding route %s", who, br[i].text);
			route_apply(rt, who, &br[i], true);
		}
	for (size_t i = 0; i < n_brl; i++)
		if (!line_in(&brl[i], arl, n_arl)) {
			log_info("(%s) adding rule %s", who, brl[i].text);
			rule_apply(rt, who, &brl[i], true);
		}
}

/* ---- instances ----------------------------------------------------------------- */

/* The no-accept addresses of an instance holding its VIPs. */
static void strict_update(struct vrrp_inst *vi)
{
	const struct vrrp_instance_conf *c = vi->c;
	struct ka_addr *a;
	size_t n = 0;

	if (!vi->vips_set || c->accept || c->owner || !(c->n_vips + c->n_evips)) {
		vrrp_strict_set(vi, NULL, 0);
		return;
	}
	a = calloc(c->n_vips + c->n_evips, sizeof(*a));
	if (!a)
		return;
	for (size_t i = 0; i < c->n_vips; i++)
		a[n++] = c->vips[i].addr;
	for (size_t i = 0; i < c->n_evips; i++)
		a[n++] = c->evips[i].addr;
	vrrp_strict_set(vi, a, n);
	free(a);
}

void vrrp_inst_routes_pre(struct vrrp_inst *vi, bool add)
{
	const struct vrrp_instance_conf *c = vi->c;

	if (!add)
		lines_apply(vi->rt, c->name, c->routes, c->n_routes, c->rules, c->n_rules, false);
}

void vrrp_inst_routes_post(struct vrrp_inst *vi, bool add)
{
	const struct vrrp_instance_conf *c = vi->c;

	if (add)
		lines_apply(vi->rt, c->name, c->routes, c->n_routes, c->rules, c->n_rules, true);
	strict_update(vi);
}

void vrrp_inst_routes_rebind(struct vrrp_inst *vi, const struct vrrp_instance_conf *old)
{
	const struct vrrp_instance_conf *c = vi->c;

	if (vi->vips_set)
		lines_diff(vi->rt, c->name, old->routes, old->n_routes, old->rules, old->n_rules,
		           c->routes, c->n_routes, c->rules, c->n_rules);
	strict_update(vi);
}

/* ---- static entries --------------------------------------------------------------- */

static void static_vip(struct vrrp_rt *rt, const struct vrrp_vip *v, bool add)
{
	const char *dev = v->dev                               ? v->dev
	                  : rt->conf->global.default_interface ? rt->conf->global.default_interface
	                                                       : DEFAULT_STATIC_DEV;
	struct vrrp_nl_vip nv;
	int rc;

	vrrp_vip_init(&nv, &v->addr);
	nv.prefixlen = (uint8_t)v->prefixlen;
	nv.ifindex = ifindex_of(rt, dev);
	if (nv.ifindex <= 0) {
		if (add)
			log_err("(static) cannot add address %s: no interface %s", v->text, dev);
		return;
	}
	switch (v->brd) {
	case VRRP_BRD_ADDR:
		nv.brd = VRRP_VIP_BRD_EXPLICIT;
		nv.brd_addr = v->brd_addr.u.v4;
		break;
	case VRRP_BRD_PLUS:
		nv.brd = VRRP_VIP_BRD_PLUS;
		break;
	case VRRP_BRD_MINUS:
		nv.brd = VRRP_VIP_BRD_MINUS;
		break;
	default:
		break;
	}
	if (v->scope >= 0)
		nv.scope = (uint8_t)v->scope;
	if (v->label)
		snprintf(nv.label, sizeof(nv.label), "%s", v->label);
	if (v->has_peer) {
		nv.has_peer = true;
		nv.peer = v->peer;
	}
	if (v->preferred_lft_set)
		nv.preferred_lft = v->preferred_lft;
	/* A static address is a normal one: no forced deprecation of /128s. */
	else if (v->addr.family == AF_INET6)
		nv.preferred_lft = VRRP_VIP_LFT_FOREVER;
	if (v->flags & VRRP_VIP_HOME)
		nv.flags |= IFA_F_HOMEADDRESS;
	if (v->flags & VRRP_VIP_MNGTMPADDR)
		nv.flags |= IFA_F_MANAGETEMPADDR;
	if (v->flags & VRRP_VIP_NOPREFIXROUTE)
		nv.flags |= IFA_F_NOPREFIXROUTE;
	if (v->flags & VRRP_VIP_AUTOJOIN)
		nv.flags |= IFA_F_MCAUTOJOIN;
	rc = add ? vrrp_vip_add(&rt->nl, &nv) : vrrp_vip_del(&rt->nl, &nv);
	if (rc == 0)
		log_debug("(static) %s address %s", add ? "added" : "removed", v->text);
}

static bool vip_in(const struct vrrp_vip *v, const struct vrrp_vip *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (vrrp_vip_equal(v, &list[i]))
			return true;
	return false;
}

/* ---- warnings about what is not implemented ---------------------------------------- */

static void warn_lines(const struct vrrp_raw_line *l, size_t n, bool rule)
{
	char why[160];

	for (size_t i = 0; i < n; i++) {
		struct vrrp_nl_route r;
		struct vrrp_nl_rule ru;
		int rc = rule ? vrrp_rule_parse(l[i].argv, l[i].argc, &ru, why, sizeof(why))
		              : vrrp_route_parse(l[i].argv, l[i].argc, &r, why, sizeof(why));

		if (rc == 1)
			log_warn("(%s: Line %d) %s '%s': not implemented, ignored: %s",
			         l[i].file ? l[i].file : "?", l[i].line, rule ? "rule" : "route",
			         l[i].text, why);
		else if (rc < 0)
			log_err("(%s: Line %d) %s '%s' cannot be used: %s",
			        l[i].file ? l[i].file : "?", l[i].line, rule ? "rule" : "route",
			        l[i].text, why);
	}
}

static void warn_vips(const struct vrrp_vip *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].track_group)
			log_warn(
			    "(%s: Line %d) address '%s': track_group is not implemented, ignored",
			    v[i].file ? v[i].file : "?", v[i].line, v[i].text);
}

static void warn_conf(const struct vrrp_conf *c)
{
	for (size_t i = 0; i < c->n_instances; i++) {
		warn_lines(c->instances[i].routes, c->instances[i].n_routes, false);
		warn_lines(c->instances[i].rules, c->instances[i].n_rules, true);
	}
	warn_lines(c->static_routes, c->n_static_routes, false);
	warn_lines(c->static_rules, c->n_static_rules, true);
	warn_vips(c->static_addrs, c->n_static_addrs);
}

/* ---- start / reload / stop ------------------------------------------------------------ */

static bool strict_used(const struct vrrp_conf *c)
{
	for (size_t i = 0; i < c->n_instances; i++)
		if (!c->instances[i].accept && !c->instances[i].owner)
			return true;
	return false;
}

void vrrp_rt_routes_start(struct vrrp_rt *rt)
{
	const struct vrrp_conf *c = rt->conf;

	warn_conf(c);
	/* A predecessor killed hard may have left its drop rules. */
	if (strict_used(c))
		vrrp_strict_clear(true);
	for (size_t i = 0; i < c->n_static_addrs; i++)
		static_vip(rt, &c->static_addrs[i], true);
	lines_apply(rt, "static", c->static_routes, c->n_static_routes, c->static_rules,
	            c->n_static_rules, true);
}

void vrrp_rt_routes_reload(struct vrrp_rt *rt, const struct vrrp_conf *old)
{
	const struct vrrp_conf *c = rt->conf;

	warn_conf(c);
	for (size_t i = old->n_static_addrs; i-- > 0;)
		if (!vip_in(&old->static_addrs[i], c->static_addrs, c->n_static_addrs)) {
			log_info("(static) removing address %s", old->static_addrs[i].text);
			static_vip(rt, &old->static_addrs[i], false);
		}
	for (size_t i = 0; i < c->n_static_addrs; i++)
		if (!vip_in(&c->static_addrs[i], old->static_addrs, old->n_static_addrs)) {
			log_info("(static) adding address %s", c->static_addrs[i].text);
			static_vip(rt, &c->static_addrs[i], true);
		}
	lines_diff(rt, "static", old->static_routes, old->n_static_routes, old->static_rules,
	           old->n_static_rules, c->static_routes, c->n_static_routes, c->static_rules,
	           c->n_static_rules);
}

void vrrp_rt_routes_stop(struct vrrp_rt *rt)
{
	const struct vrrp_conf *c = rt->conf;

	if (c && rt->ift) {
		lines_apply(rt, "static", c->static_routes, c->n_static_routes, c->static_rules,
		            c->n_static_rules, false);
		for (size_t i = c->n_static_addrs; i-- > 0;)
			static_vip(rt, &c->static_addrs[i], false);
	}
	vrrp_strict_clear(false);
}

/* ---- garp_group ---------------------------------------------------------------------- */

uint64_t vrrp_garp_interval(const struct vrrp_conf *c, const char *ifname, int family)
{
	for (size_t g = 0; ifname && g < c->n_garp_groups; g++) {
		const struct vrrp_garp_group_conf *gg = &c->garp_groups[g];

		for (size_t k = 0; k < gg->n_ifnames; k++)
			if (strcmp(gg->ifnames[k], ifname) == 0)
				return family == AF_INET6 ? gg->gna_interval_us
				                          : gg->garp_interval_us;
	}
	return family == AF_INET6 ? c->global.gna_interval_us : c->global.garp_interval_us;
}
