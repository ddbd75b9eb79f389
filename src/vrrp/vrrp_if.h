/* The interface table of the VRRP process: every link of the namespace
 * with its flags, MAC, type and IPv4/IPv6 addresses, kept current from
 * rtnetlink.
 *
 * Start-up: vrrp_if_start() opens a monitor socket subscribed to
 * RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV6_IFADDR, then dumps
 * links (RTM_GETLINK) and addresses (RTM_GETADDR, all families) on that
 * same socket, so dump replies and notifications reach us in the order the
 * kernel produced them.  The first dump runs synchronously, bounded by
 * VRRP_IF_SYNC_TIMEOUT_MS; no callbacks fire for it: the table is complete
 * when vrrp_if_start() returns.
 *
 * Afterwards the socket is read from the libevent loop (at most 64
 * datagrams per wake-up).  ENOBUFS (lost notifications), a rise of the
 * socket's drop counter (after one ENOBUFS report the kernel drops
 * silently until the queue has been emptied once), a truncated datagram
 * or a dump marked NLM_F_DUMP_INTR start a resynchronisation: a full
 * re-dump is taken on the same socket (each dump request is sent when the
 * receive queue is empty, so its first reply and any error ack fit; a
 * watchdog asks again after 5 s without an end),
 * every object seen is refreshed (firing the callbacks a notification
 * would), and objects the dump did not report are removed (firing DEL
 * callbacks).  The resync callback then reports that the table was
 * rebuilt.  Resyncs are asynchronous: nothing here blocks the loop.
 *
 * Links: only ifi_family AF_UNSPEC messages describe links (the bridge
 * sends AF_BRIDGE RTM_NEWLINK/DELLINK about ports on the same group; they
 * are ignored).
 *
 * Addresses are keyed by (family, local address, prefix length, peer) for
 * IPv4, as the kernel does, and by the address alone for IPv6.  List order
 * is the kernel's (dump order, then arrival order).
 *
 * Callbacks run from the event loop; pointers they get are valid for the
 * call (a deleted object is freed right after its DEL callback).  A
 * callback may look the table up but must not call vrrp_if_stop(). */
#ifndef KA_VRRP_IF_H
#define KA_VRRP_IF_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "lib/addr.h"

struct event_base;
struct nlmsghdr;

#define VRRP_IF_HWADDR_MAX 32 /* MAX_ADDR_LEN */
/* Bound on the synchronous first dump in vrrp_if_start() (ms). */
#define VRRP_IF_SYNC_TIMEOUT_MS 5000

struct vrrp_if_addr {
	TAILQ_ENTRY(vrrp_if_addr) entry;
	struct ka_addr addr; /* IFA_LOCAL, or IFA_ADDRESS when there is no IFA_LOCAL */
	struct ka_addr peer; /* IFA_ADDRESS when it differs from IFA_LOCAL (point-to-point) */
	bool has_peer;
	uint8_t prefixlen;    /* ifa_prefixlen, bits */
	uint8_t scope;        /* ifa_scope, RT_SCOPE_* */
	uint32_t flags;       /* IFA_F_* (IFA_FLAGS when present, else ifa_flags) */
	char label[IFNAMSIZ]; /* IFA_LABEL (IPv4); "" when absent */
	uint32_t gen;         /* private: resync generation last seen */
};

TAILQ_HEAD(vrrp_if_addr_list, vrrp_if_addr);

struct vrrp_if {
	int ifindex;                        /* ifi_index */
	char name[IFNAMSIZ];                /* IFLA_IFNAME */
	unsigned int flags;                 /* ifi_flags: IFF_UP, IFF_RUNNING, ... */
	uint16_t type;                      /* ifi_type: ARPHRD_* */
	uint8_t hwaddr[VRRP_IF_HWADDR_MAX]; /* IFLA_ADDRESS (the MAC for Ethernet) */
	uint8_t hwaddr_len;                 /* bytes; 0 when the link has none */
	uint32_t mtu;                       /* IFLA_MTU, bytes */
	int link;                           /* IFLA_LINK: lower device (macvlan/VMAC), 0 = none */
	int master;                         /* IFLA_MASTER: bridge/bond/VRF, 0 = none */
	uint8_t operstate;                  /* IFLA_OPERSTATE: IF_OPER_* (RFC 2863) */
	char kind[16];                  /* IFLA_LINKINFO/IFLA_INFO_KIND ("veth", "macvlan"), "" */
	struct vrrp_if_addr_list addrs; /* IPv4 and IPv6, kernel order */
	void *priv;                     /* free for the owner; never touched here */
	/* private */
	TAILQ_ENTRY(vrrp_if) entry;
	struct vrrp_if *hnext;
	uint32_t gen;
};

enum vrrp_if_event {
	VRRP_IF_EV_NEW,    /* a link appeared */
	VRRP_IF_EV_DEL,    /* a link went away (its addresses were reported deleted first) */
	VRRP_IF_EV_UP,     /* vrrp_if_is_up() became true */
	VRRP_IF_EV_DOWN,   /* vrrp_if_is_up() became false */
	VRRP_IF_EV_CHANGE, /* name, MAC, MTU, type, link or master changed */
};

enum vrrp_if_addr_event {
	VRRP_IF_ADDR_ADD,
	VRRP_IF_ADDR_DEL,
	VRRP_IF_ADDR_CHANGE, /* same address, new flags/scope/label/prefix (e.g. DAD done) */
};

struct vrrp_if_callbacks {
	void (*link)(void *arg, struct vrrp_if *ifp, enum vrrp_if_event ev);
	void (*addr)(void *arg, struct vrrp_if *ifp, const struct vrrp_if_addr *a,
	             enum vrrp_if_addr_event ev);
	/* A resynchronisation finished; the table matches the kernel again. */
	void (*resync)(void *arg);
};

struct vrrp_if_stats {
	uint64_t msgs;      /* link/address messages applied */
	uint64_t ignored;   /* not for us: other families, unknown ifindex, ... */
	uint64_t malformed; /* failed a bounds check */
	uint64_t enobufs;   /* ENOBUFS/truncation on the monitor socket */
	uint64_t resyncs;   /* full re-dumps completed (the first one included) */
	uint64_t foreign;   /* datagrams dropped: not sent by the kernel */
};

struct vrrp_if_table;

struct vrrp_if_opts {
	int rcvbuf; /* monitor socket receive buffer: 0 = NL_RCVBUF_DEFAULT */
};

/* Open the monitor, take the first dump (bounded, see above) and hook the
 * socket into base.  cb may be NULL; any member may be NULL; opts may be
 * NULL.  NULL with errno set on failure. */
struct vrrp_if_table *vrrp_if_start(struct event_base *base, const struct vrrp_if_callbacks *cb,
                                    void *arg, const struct vrrp_if_opts *opts);
void vrrp_if_stop(struct vrrp_if_table *t);
/* Ask for a full re-dump and reconcile (asynchronous). */
void vrrp_if_resync(struct vrrp_if_table *t);
const struct vrrp_if_stats *vrrp_if_get_stats(const struct vrrp_if_table *t);

/* Lookups. */
struct vrrp_if *vrrp_if_by_index(const struct vrrp_if_table *t, int ifindex);
struct vrrp_if *vrrp_if_by_name(const struct vrrp_if_table *t, const char *name);
/* Iteration in ifindex-arrival order: for (p = first(t); p; p = next(t, p)) */
struct vrrp_if *vrrp_if_first(const struct vrrp_if_table *t);
struct vrrp_if *vrrp_if_next(const struct vrrp_if_table *t, const struct vrrp_if *ifp);
size_t vrrp_if_count(const struct vrrp_if_table *t);

/* Administratively up and operationally running (IFF_UP && IFF_RUNNING). */
bool vrrp_if_is_up(const struct vrrp_if *ifp);
/* First IPv4 address that is not IFA_F_SECONDARY, or NULL. */
const struct vrrp_if_addr *vrrp_if_primary4(const struct vrrp_if *ifp);
/* First IPv6 link-local (fe80::/10) address usable as a source: not
 * tentative, not DAD-failed.  NULL if none yet (watch ADDR_CHANGE). */
const struct vrrp_if_addr *vrrp_if_linklocal6(const struct vrrp_if *ifp);
/* The address a on ifp (any prefix length), or NULL. */
const struct vrrp_if_addr *vrrp_if_find_addr(const struct vrrp_if *ifp, const struct ka_addr *a);

/* Socket-free core, for tests and tools: a table fed by hand.
 * vrrp_if_table_apply() takes one RTM_{NEW,DEL}{LINK,ADDR} message and
 * fires callbacks as the monitor would: 1 applied, 0 ignored, -EBADMSG
 * malformed. */
struct vrrp_if_table *vrrp_if_table_new(const struct vrrp_if_callbacks *cb, void *arg);
int vrrp_if_table_apply(struct vrrp_if_table *t, const struct nlmsghdr *nlh);
/* Reconcile helpers: begin() starts a new generation; sweep_links()/
 * sweep_addrs() drop what was not seen since begin() (DEL callbacks). */
void vrrp_if_table_gen_begin(struct vrrp_if_table *t);
void vrrp_if_table_sweep_links(struct vrrp_if_table *t);
void vrrp_if_table_sweep_addrs(struct vrrp_if_table *t);
void vrrp_if_table_free(struct vrrp_if_table *t);

const char *vrrp_if_event_str(enum vrrp_if_event ev);
const char *vrrp_if_addr_event_str(enum vrrp_if_addr_event ev);

#endif
