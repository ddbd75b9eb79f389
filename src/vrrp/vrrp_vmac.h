/* use_vmac: a macvlan interface (mode private) per instance carrying the
 * RFC 5798 §7.3 virtual MAC, and the sysctls it needs.
 *
 * Message building and parsing are pure (unit-testable like
 * vrrp_vip_build()); vrrp_vmac_up()/down() do the I/O over the VRRP
 * process's netlink command socket (bounded waits, like VIPs) and
 * /proc/sys writes.
 *
 * Sysctls (all restored when the last user goes away):
 *   VMAC:    arp_ignore=1, accept_local=1, rp_filter=0, promote_secondaries=1
 *   parent:  arp_ignore=1, arp_filter=1
 *   all.rp_filter lowered to 0 (the effective value is max(all, dev)), with
 *   every other interface's own rp_filter and default.rp_filter raised to
 *   the old all value so that their behaviour does not change. */
#ifndef KA_VRRP_VMAC_H
#define KA_VRRP_VMAC_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nl_sock;
struct nlmsghdr;

#define VRRP_VMAC_DEFAULT_PREFIX "vrrp"

/* What to create. */
struct vrrp_vmac_req {
	char name[IFNAMSIZ];
	int parent; /* ifindex of the lower device */
	uint8_t mac[6];
};

/* RTM_NEWLINK (NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK): a macvlan, mode
 * private, named r->name on r->parent with MAC r->mac, left down.
 * Returns the length, or -EINVAL / -EMSGSIZE. */
int vrrp_vmac_build_create(void *buf, size_t len, const struct vrrp_vmac_req *r);
/* RTM_NEWLINK on an existing ifindex: IPv6 address generation mode
 * none (no kernel link-local: the MAC is shared with the peers), and
 * IFF_UP set when up. */
int vrrp_vmac_build_setlink(void *buf, size_t len, int ifindex, bool up);
/* RTM_DELLINK of ifindex. */
int vrrp_vmac_build_del(void *buf, size_t len, int ifindex);
/* RTM_GETLINK of one interface by name. */
int vrrp_vmac_build_get(void *buf, size_t len, const char *name);

/* An interface as an RTM_NEWLINK reply describes it. */
struct vrrp_vmac_link {
	int ifindex;
	int link; /* IFLA_LINK, 0 = none */
	char name[IFNAMSIZ];
	char kind[16]; /* IFLA_INFO_KIND, "" = none */
	bool has_mode;
	uint32_t mode; /* IFLA_MACVLAN_MODE */
	bool has_mac;
	uint8_t mac[6];
};
/* Parse an RTM_NEWLINK message (bounded).  0 or -EBADMSG. */
int vrrp_vmac_parse_link(const struct nlmsghdr *nlh, struct vrrp_vmac_link *out);

/* 00:00:5e:00:01:VRID (IPv4) / 00:00:5e:00:02:VRID (IPv6), or the
 * configured MAC (5 octets: VRID appended). */
void vrrp_vmac_mac(int family, unsigned vrid, const uint8_t *cfg, unsigned cfg_len, uint8_t out[6]);
/* fe80::/64 with the modified EUI-64 of mac (RFC 4291 App. A). */
void vrrp_vmac_linklocal(const uint8_t mac[6], struct in6_addr *out);
/* cfg_name, or PREFIX.VRID (prefix NULL = "vrrp").  Truncated to fit. */
void vrrp_vmac_name(char out[IFNAMSIZ], const char *prefix, unsigned vrid, const char *cfg_name);

/* ---- runtime -------------------------------------------------------------- */

struct vrrp_vmac_sys; /* saved sysctl values, shared by all VMACs */
struct vrrp_vmac_sys *vrrp_vmac_sys_new(void);
/* Restore everything still changed, and free.  NULL is fine. */
void vrrp_vmac_sys_free(struct vrrp_vmac_sys *s);
/* The sysctl root, "/proc/sys" by default (tests may redirect it). */
void vrrp_vmac_sys_set_root(struct vrrp_vmac_sys *s, const char *root);

/* One instance's VMAC. */
struct vrrp_vmac_state {
	int ifindex;
	char name[IFNAMSIZ];
	char parent_name[IFNAMSIZ];
	uint8_t mac[6];
	bool created; /* ours: deleted by vrrp_vmac_down() */
	bool sysctls; /* holds references in the sysctl table */
};

/* Take (set, remembering old values) or release (restore when unused)
 * the sysctls of st->name and st->parent_name, and the rp_filter
 * adjustment.  Done by vrrp_vmac_up()/down(); public for tests. */
void vrrp_vmac_sysctls(struct vrrp_vmac_sys *s, const struct vrrp_vmac_state *st, bool take);

/* Create (or reuse: an existing macvlan of that name on the parent) and
 * bring up the VMAC for req, set the sysctls, and for IPv6 add the
 * link-local derived from the MAC.  A macvlan already carrying our MAC is
 * a leftover of an earlier run: it is adopted (and deleted at the end).
 * Any other interface of that name is refused.  0, or -errno with *why. */
int vrrp_vmac_up(struct nl_sock *nl, struct vrrp_vmac_sys *sys, const struct vrrp_vmac_req *req,
                 const char *parent_name, int family, struct vrrp_vmac_state *st, const char **why);
/* Release the sysctls and delete the VMAC if we created it. */
void vrrp_vmac_down(struct nl_sock *nl, struct vrrp_vmac_sys *sys, struct vrrp_vmac_state *st);

#endif
