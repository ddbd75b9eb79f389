/* The VRRP child's runtime: instances with their FSMs, timers, sockets,
 * VIPs, tracking and notifications, on one libevent loop.  Private to
 * src/vrrp/vrrp_rt*.c and vrrp_daemon.c. */
#ifndef KA_VRRP_RT_H
#define KA_VRRP_RT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/nl.h"
#include "lvs/lvs.h"
#include "vrrp/vrrp_conf.h"
#include "vrrp/vrrp_fsm.h"
#include "vrrp/vrrp_pkt.h"
#include "vrrp/vrrp_prio.h"

struct event;
struct event_base;
struct script_runner;
struct vrrp_if_table;
struct vrrp_notify_queue;
struct ka_config;
struct vrrp_rt;
struct vrrp_vmac_state;
struct vrrp_vmac_sys;

/* One paced GARP/NA: a VIP to announce. */
struct vrrp_garp_msg {
	const struct vrrp_vip *vip;
};

/* Reasons an instance is in FAULT (keepalived's flags_if_fault). */
enum vrrp_fault {
	VRRP_FAULT_IF_DOWN = 1 << 0,   /* its interface is down or missing */
	VRRP_FAULT_TRACKER = 1 << 1,   /* a weight-0 tracker failed */
	VRRP_FAULT_NO_SOURCE = 1 << 2, /* no usable source address */
	VRRP_FAULT_CONFIG = 1 << 3,    /* a configuration error */
	VRRP_FAULT_SOCKET = 1 << 4,    /* the socket could not be opened */
};

/* One raw socket per (interface, family), shared by its instances. */
struct vrrp_sockent {
	struct vrrp_rt *rt;
	int family;
	int ifindex;
	int proto; /* 112, or 51 for auth_type AH */
	int fd;
	struct event *ev;
	unsigned users;
	struct vrrp_inst *by_vrid[256]; /* receive demultiplexing by VRID */
	/* VRIDs known to have no instance on this socket, and none on the
	 * other protocol's socket of the interface (a flood of foreign VRIDs
	 * costs one lookup each); cleared on every socket when an instance
	 * attaches */
	uint8_t no_inst[256], no_other[256];
	struct vrrp_sockent *next;
};

/* A vrrp_script and its running state (shared by every instance using it). */
struct vrrp_script_rt {
	struct vrrp_rt *rt;
	const struct vrrp_script_conf *c;
	struct event *timer;
	struct vrrp_risefall rf;
	bool running;
	bool orphan; /* replaced by a reload while running: freed on completion */
	uint64_t runs, failures;
};

/* A track_file and the number it holds. */
struct vrrp_tfile_rt {
	const struct vrrp_track_file_conf *c;
	long value;
	bool ok; /* readable and a number */
};

struct vrrp_inst {
	struct vrrp_rt *rt;
	const struct vrrp_instance_conf *c;
	struct vrrp_fsm fsm;
	struct event *timer;      /* the FSM's next deadline */
	struct event *garp_timer; /* second GARP burst / refresh */
	unsigned garp_phase;      /* 0 none, 1 second burst due, 2 refresh,
				   * 3 second lower-priority burst due */
	struct event *pace_timer; /* paced GARP/NA (vrrp_garp/gna_interval) */
	struct vrrp_garp_msg *pace_q;
	size_t pace_n, pace_pos;
	int ifindex;
	struct vrrp_sockent *sock;
	struct ka_addr src; /* source address of our adverts */
	struct vrrp_rx_policy pol;
	uint32_t fault;
	bool vips_set; /* our VIPs are on the interface */
	bool old_csum; /* v3 unicast: the pre-1.3.6 checksum form (against the group) */
	bool deleted;  /* removed by a reload, waiting to be freed */
	int group;     /* index in rt->groups, -1 = none */
	struct vrrp_notify_queue *nq;
	/* counters for the stats dump (upstream's names) */
	uint64_t advert_rcvd, advert_sent;
	uint64_t rx_err[VRRP_RX_ERR_COUNT];
	uint64_t addr_list_warn, interval_warn;
	uint64_t vip_restored;
	enum vrrp_fsm_state last_notified;
	struct vrrp_vmac_state *vmac; /* use_vmac (vrrp_rt_vmac.c), NULL = none */
	uint32_t ah_seq;              /* auth_type AH: last sequence number seen or sent */
};

struct vrrp_group_rt {
	const struct vrrp_sync_group_conf *c;
	struct vrrp_fsm **members; /* FSM pointers, in member order */
	struct vrrp_inst **insts;
	size_t n;
	enum vrrp_fsm_state state; /* last notified group state */
	struct vrrp_notify_queue *nq;
};

/* When the next paced GARP/NA may leave an interface (per family): the
 * intervals are per interface, shared by every instance using it. */
struct vrrp_pace_slot {
	int ifindex;
	int family;
	uint64_t next_us; /* monotonic */
};

struct vrrp_rt {
	struct event_base *base;
	struct script_runner *sr;
	const struct ka_config *kcfg;
	struct vrrp_conf *conf;
	struct vrrp_if_table *ift;
	struct nl_sock nl; /* command socket for VIPs */
	struct vrrp_inst **inst;
	size_t n_inst;
	struct vrrp_group_rt *groups;
	size_t n_groups;
	struct vrrp_script_rt **scripts;
	size_t n_scripts;
	struct vrrp_sockent *socks;
	struct vrrp_tfile_rt *tfiles;
	size_t n_tfiles;
	int inotify_fd;
	struct event *inotify_ev;
	int fifo_fd, vrrp_fifo_fd;
	bool release_on_stop; /* !-V */
	struct vrrp_pace_slot *pace_slots;
	size_t n_pace_slots;
	uint64_t reloads;
	/* lvs_sync_daemon driven by an instance (vrrp_rt_syncd.c) */
	struct lvs_dp *syncd_dp;
	struct lvs_syncd syncd;
	char syncd_inst[64];
	int syncd_mode;
	struct vrrp_vmac_sys *vmac_sys; /* sysctls changed for VMACs */
};

/* vrrp_rt_syncd.c */
void vrrp_syncd_start(struct vrrp_rt *rt);
void vrrp_syncd_state(struct vrrp_rt *rt, const char *inst, bool master);
void vrrp_syncd_stop(struct vrrp_rt *rt);

/* vrrp_rt_io.c: the interface a VIP goes on (its dev, else the VMAC or
 * the instance's interface); 0 when unknown. */
int vrrp_vip_ifindex(struct vrrp_inst *vi, const struct vrrp_vip *v);

/* vrrp_rt.c */
int vrrp_rt_start(struct vrrp_rt *rt, struct event_base *base, struct script_runner *sr,
                  const struct ka_config *kc);
/* Microseconds until the next instance timer (an advert due, a master
 * down timer); UINT64_MAX when none is armed. */
uint64_t vrrp_rt_quiet_us(const struct vrrp_rt *rt);
/* Apply a reloaded configuration, the new instances' configuration already
 * built (NULL: build it here); takes nconf. */
int vrrp_rt_reload_conf(struct vrrp_rt *rt, const struct ka_config *kc, struct vrrp_conf *nconf);
void vrrp_rt_stop(struct vrrp_rt *rt);
/* Deliver an event to an instance (through its sync group) and apply. */
void vrrp_inst_event(struct vrrp_inst *vi, enum vrrp_event ev, const struct vrrp_fsm_rx *rx);
/* Recompute priority and tracker faults, and deliver what changed. */
void vrrp_inst_update_tracking(struct vrrp_inst *vi);
void vrrp_inst_set_fault(struct vrrp_inst *vi, uint32_t bit, bool on);

/* vrrp_rt_io.c: sockets, adverts, VIPs, GARP */
struct vrrp_sockent *vrrp_rt_sock_get(struct vrrp_rt *rt, int family, int proto, int ifindex,
                                      const char *ifname, const struct ka_addr *group);
void vrrp_rt_sock_put(struct vrrp_rt *rt, struct vrrp_sockent *s);
int vrrp_inst_send_advert(struct vrrp_inst *vi, uint8_t prio);
void vrrp_inst_vips(struct vrrp_inst *vi, bool add);
void vrrp_inst_vip_list(struct vrrp_inst *vi, const struct vrrp_vip *v, size_t n, bool add);
void vrrp_inst_garp_list(struct vrrp_inst *vi, const struct vrrp_vip *v, size_t n, unsigned repeat);
void vrrp_inst_garp_burst(struct vrrp_inst *vi, unsigned repeat);
void vrrp_inst_garp_cancel(struct vrrp_inst *vi);
bool vrrp_inst_resolve_source(struct vrrp_inst *vi);

/* vrrp_rt_track.c */
int vrrp_rt_scripts_start(struct vrrp_rt *rt);
/* Replace the script runtimes after a reload, keeping the state of scripts
 * whose definition did not change. */
int vrrp_rt_scripts_restart(struct vrrp_rt *rt, const struct vrrp_conf *old);
void vrrp_rt_scripts_stop(struct vrrp_rt *rt);
int vrrp_inst_track_inputs(const struct vrrp_inst *vi, struct vrrp_track_input *in, size_t max);

/* vrrp_rt_file.c */
int vrrp_rt_files_start(struct vrrp_rt *rt);
void vrrp_rt_files_stop(struct vrrp_rt *rt);
struct vrrp_track_input vrrp_rt_file_input(const struct vrrp_rt *rt,
                                           const struct vrrp_track_ref *r);

/* vrrp_rt_dump.c */
void vrrp_rt_dump_data(const struct vrrp_rt *rt, FILE *fp);
void vrrp_rt_dump_stats(struct vrrp_rt *rt, FILE *fp, bool clear);
void vrrp_rt_dump_json(const struct vrrp_rt *rt, FILE *fp);

#endif
