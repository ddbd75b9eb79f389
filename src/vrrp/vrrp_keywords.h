/* Keyword tables of the VRRP side (src/vrrp/keywords*.c). */
#ifndef KA_VRRP_KEYWORDS_H
#define KA_VRRP_KEYWORDS_H

#include "conf/conf.h"

extern const struct conf_block vrrp_instance_block;
extern const struct conf_block vrrp_script_block;
extern const struct conf_block vrrp_sync_group_block;
extern const struct conf_block garp_group_block;
extern const struct conf_block track_group_block;
extern const struct conf_block linkbeat_interfaces_block;
extern const struct conf_block interface_up_down_delays_block;
extern const struct conf_block track_file_block;
extern const struct conf_block vrrp_track_process_block;
extern const struct conf_block bfd_instance_block;
extern const struct conf_block static_ipaddress_block;
extern const struct conf_block static_routes_block;
extern const struct conf_block static_rules_block;

/* Checks that need the whole tree (sync group members, tracker references,
 * duplicate instances and VRIDs, interfaces that don't exist unless
 * global_defs has dynamic_interfaces).  Called from the root block's finish
 * hook. */
void vrrp_kw_finish_root(struct conf_ctx *c, conf_node *root);

#endif
