/* VRRP runtime glue for use_vmac and auth_type AH: where an instance's
 * adverts go (VMAC or parent, protocol 112 or 51), creating and removing
 * its VMAC, and sending AH adverts.  Private to src/vrrp/vrrp_rt*.c. */
#ifndef KA_VRRP_RT_VMAC_H
#define KA_VRRP_RT_VMAC_H

#include <stdint.h>

#include "vrrp/vrrp_rt.h"

/* Create/adopt the VMAC (use_vmac) on vi->ifindex and open the instance's
 * socket (vi->sock; NULL on failure).  Call with vi->ifindex set. */
void vrrp_inst_transport_attach(struct vrrp_inst *vi);
/* Delete the VMAC we created and release its sysctls (inst_free). */
void vrrp_inst_vmac_detach(struct vrrp_inst *vi);
/* The interface VIPs without `dev` go on: the VMAC, else vi->ifindex. */
int vrrp_inst_vip_ifindex(const struct vrrp_inst *vi);
/* The MAC GARPs for VIPs on ifindex carry: the VMAC's, or NULL. */
const uint8_t *vrrp_inst_vmac_hwaddr(const struct vrrp_inst *vi, int ifindex);
/* Send one AH advert built from a v2 message to dst.  0 or -1/errno. */
int vrrp_inst_send_ah(struct vrrp_inst *vi, const uint8_t *msg, size_t mlen,
                      const struct ka_addr *dst, int ttl);
/* Restore every sysctl still changed (VRRP stop). */
void vrrp_rt_vmac_stop(struct vrrp_rt *rt);

#endif
