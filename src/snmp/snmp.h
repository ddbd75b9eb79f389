/* The SNMP subagent as the VRRP and checker children see it: start it with
 * the loaded configuration, tell it about reloads, stop it.  Each child
 * runs its own AgentX session; nothing happens unless -x or an
 * enable_snmp_* keyword asks for SNMP. */
#ifndef KA_SNMP_H
#define KA_SNMP_H

struct ka_child_env;
struct ka_config;
struct vrrp_rt;
struct check_engine;

/* The VRRP child: KEEPALIVED-MIB global + vrrp groups, VRRPv3-MIB, and
 * their traps.  Call start before the runtime starts (its first
 * transitions become traps, sent once registered). */
void snmp_vrrp_start(const struct ka_child_env *env, const struct ka_config *c, struct vrrp_rt *rt);
void snmp_vrrp_reload(const struct ka_config *c);
void snmp_vrrp_stop(void);
/* The checker child: KEEPALIVED-MIB check group (and the global group
 * when no VRRP child serves it), with their traps. */
void snmp_check_start(const struct ka_child_env *env, const struct ka_config *c,
                      struct check_engine *e);
void snmp_check_reload(const struct ka_config *c);
void snmp_check_stop(void);

#endif
