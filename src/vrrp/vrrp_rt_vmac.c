/* use_vmac and auth_type AH in the VRRP runtime (see vrrp_rt_vmac.h). */
#include "vrrp/vrrp_rt_vmac.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "vrrp/vrrp_ah.h"
#include "vrrp/vrrp_if.h"
#include "vrrp/vrrp_sock.h"
#include "vrrp/vrrp_vmac.h"

/* Unicast adverts cannot leave through a VMAC (they would carry the
 * shared MAC): they need vmac_xmit_base. */
static bool xmit_base(const struct vrrp_inst *vi)
{
	return vi->c->vmac_xmit_base || vi->c->unicast;
}

static void vmac_attach(struct vrrp_inst *vi, struct vrrp_if *parent)
{
	struct vrrp_rt *rt = vi->rt;
	const struct vrrp_instance_conf *c = vi->c;
	struct vrrp_vmac_req req = {.parent = parent->ifindex};
	const char *why = "";
	int rc;

	if (vi->vmac && vi->vmac->ifindex > 0)
		return;
	if (!rt->vmac_sys && !(rt->vmac_sys = vrrp_vmac_sys_new()))
		return;
	if (!vi->vmac && !(vi->vmac = calloc(1, sizeof(*vi->vmac))))
		return;
	if (c->unicast && !c->vmac_xmit_base)
		log_warn("(%s) unicast with use_vmac needs vmac_xmit_base - sending adverts on %s",
		         c->name, parent->name);
	vrrp_vmac_name(req.name, rt->conf->global.vmac_prefix, c->vrid, c->vmac_name);
	vrrp_vmac_mac(c->family, c->vrid, c->vmac_mac_set ? c->vmac_mac : NULL,
	              c->vmac_mac_set ? c->vmac_mac_len : 0, req.mac);
	rc = vrrp_vmac_up(&rt->nl, rt->vmac_sys, &req, parent->name, c->family, vi->vmac, &why);
	if (rc < 0) {
		log_err("(%s) cannot set up VMAC %s on %s: %s", c->name, req.name, parent->name,
		        why);
		return;
	}
	log_info("(%s) VMAC %s (ifindex %d, %02x:%02x:%02x:%02x:%02x:%02x) on %s", c->name,
	         vi->vmac->name, vi->vmac->ifindex, vi->vmac->mac[0], vi->vmac->mac[1],
	         vi->vmac->mac[2], vi->vmac->mac[3], vi->vmac->mac[4], vi->vmac->mac[5],
	         parent->name);
}

void vrrp_inst_transport_attach(struct vrrp_inst *vi)
{
	struct vrrp_rt *rt = vi->rt;
	const struct vrrp_instance_conf *c = vi->c;
	struct vrrp_if *parent = vrrp_if_by_index(rt->ift, vi->ifindex);
	const struct ka_addr *group = c->unicast ? NULL : &c->mcast_dst_ip;
	int proto = c->auth_type == VRRP_AUTH_AH ? IPPROTO_AH : VRRP_IPPROTO;
	int ifindex = vi->ifindex;
	const char *ifname = parent ? parent->name : c->ifname;

	if (vi->sock || !parent)
		return;
	if (c->want_master && c->auth_type == VRRP_AUTH_AH)
		log_info("(%s) initial state MASTER is incompatible with AH authentication - "
		         "starting as BACKUP",
		         c->name);
	if (c->use_vmac) {
		vmac_attach(vi, parent);
		if (!vi->vmac || vi->vmac->ifindex <= 0)
			return; /* no VMAC: no socket, the instance stays in FAULT */
		if (!xmit_base(vi)) {
			ifindex = vi->vmac->ifindex;
			ifname = vi->vmac->name;
		}
	}
	vi->sock = vrrp_rt_sock_get(rt, c->family, proto, ifindex, ifname, group);
	for (struct vrrp_sockent *s = rt->socks; s; s = s->next) {
		memset(s->no_inst, 0, sizeof(s->no_inst));
		memset(s->no_other, 0, sizeof(s->no_other));
	}
}

void vrrp_inst_vmac_detach(struct vrrp_inst *vi)
{
	if (!vi->vmac)
		return;
	if (vi->rt->vmac_sys)
		vrrp_vmac_down(&vi->rt->nl, vi->rt->vmac_sys, vi->vmac);
	free(vi->vmac);
	vi->vmac = NULL;
}

int vrrp_inst_vip_ifindex(const struct vrrp_inst *vi)
{
	return vi->vmac && vi->vmac->ifindex > 0 ? vi->vmac->ifindex : vi->ifindex;
}

const uint8_t *vrrp_inst_vmac_hwaddr(const struct vrrp_inst *vi, int ifindex)
{
	return vi->vmac && vi->vmac->ifindex > 0 && vi->vmac->ifindex == ifindex ? vi->vmac->mac
	                                                                         : NULL;
}

int vrrp_inst_send_ah(struct vrrp_inst *vi, const uint8_t *msg, size_t mlen,
                      const struct ka_addr *dst, int ttl)
{
	uint8_t pkt[VRRP_AH_IPHDR_LEN + VRRP_AH_LEN + VRRP_MAX_PKT_V2];
	struct vrrp_ah_tx tx = {0};
	size_t n;

	if (vi->src.family != AF_INET || dst->family != AF_INET) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	/* One counter for what we saw and what we send: a backup that takes
	 * over continues above the old master's numbers, so the other
	 * backups' anti-replay state accepts it. */
	vi->ah_seq = vrrp_ah_next_seq(vi->ah_seq);
	tx.src = vi->src.u.v4;
	tx.dst = dst->u.v4;
	tx.ttl = (uint8_t)ttl;
	tx.tos = VRRP_TOS;
	tx.ip_id = (uint16_t)(vi->ah_seq & 0xffff) ? (uint16_t)(vi->ah_seq & 0xffff) : 1;
	tx.seq = vi->ah_seq;
	tx.unicast = vi->c->unicast;
	tx.key = vi->c->auth_pass;
	tx.msg = msg;
	tx.mlen = mlen;
	n = vrrp_ah_build(pkt, sizeof(pkt), &tx);
	if (!n) {
		errno = EINVAL;
		return -1;
	}
	return vrrp_sock_send_ip(vi->sock->fd, vi->sock->ifindex, dst, pkt, n);
}

void vrrp_rt_vmac_stop(struct vrrp_rt *rt)
{
	vrrp_vmac_sys_free(rt->vmac_sys);
	rt->vmac_sys = NULL;
}
