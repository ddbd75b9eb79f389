/* Typed, defaulted configuration of the checker side: virtual servers,
 * their real servers and checkers, virtual_server_group, and the global
 * LVS keywords.  Built from the parsed tree; pure apart from getpwnam for
 * script users and gethostname for the default HELO name.
 *
 * Ownership: everything is allocated in the conf's arena and freed at once
 * by check_conf_free().  Nothing points into the conf_tree.
 *
 * Inheritance (reference §2.5, §5.1): delay_loop, retry,
 * delay_before_retry, warmup, connect_timeout, alpha, inhibit_on_failure
 * and virtualhost go checker -> real_server -> virtual_server -> default.
 */
#ifndef KA_CHECK_CONF_H
#define KA_CHECK_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "check/check.h"
#include "conf/conf.h"
#include "lvs/lvs.h"

#define CHECK_DEFAULT_DELAY_LOOP_US 60000000ULL
#define CHECK_DEFAULT_CONNECT_TIMEOUT_US 5000000ULL
#define CHECK_DEFAULT_PERSISTENCE_S 360u

struct check_cmd {
	char **argv; /* NULL-terminated */
	char *text;  /* as configured, for logs */
	bool set_ids;
	uid_t uid;
	gid_t gid;
};

struct check_rs_conf {
	struct ka_addr addr;
	uint16_t port;
	struct lvs_dest dest; /* address, port, forwarding, weight, thresholds */
	bool inhibit_on_failure;
	struct check_cmd *notify_up, *notify_down;
	bool smtp_alert;
	struct check_cfg *checkers;
	unsigned n_checkers;
	const char *file;
	int line;
};

enum check_vs_kind { CHECK_VS_ADDR, CHECK_VS_FWMARK, CHECK_VS_GROUP };

struct check_vs_conf {
	enum check_vs_kind kind;
	struct ka_addr addr; /* CHECK_VS_ADDR */
	uint16_t port;
	uint32_t fwmark; /* CHECK_VS_FWMARK */
	char *group;     /* CHECK_VS_GROUP */
	uint16_t af;     /* ip_family, else from the address, else inet */
	uint16_t protocol;
	struct lvs_svc_attr attr;
	struct lvs_svc_key *svcs; /* the kernel services this VS stands for
	                           * (one, or a group's expansion) */
	size_t n_svcs;
	char *fifo_name;     /* "[192.0.2.1]:tcp:80", "FWM 5", "[grp]:0" */
	uint32_t quorum;     /* default 1 */
	uint32_t hysteresis; /* default 0 */
	struct check_cmd *quorum_up, *quorum_down;
	bool omega;
	bool ha_suspend;
	bool smtp_alert;
	bool has_sorry;
	struct lvs_dest sorry;
	bool sorry_inhibit;
	struct check_rs_conf *rs;
	unsigned n_rs;
	const char *file;
	int line;
};

/* `SSL { password; ca; certificate; key }` */
struct check_ssl_conf {
	bool present;
	char *password, *ca, *certificate, *key;
};

struct check_conf {
	struct check_vs_conf *vs;
	unsigned n_vs;
	/* global_defs */
	enum lvs_plane lvs_plane;     /* as configured (lvs_data_plane) */
	enum lvs_plane lvs_plane_eff; /* auto resolved on this kernel at load */
	bool lvs_flush;
	bool lvs_flush_on_stop; /* with "VS": only our services */
	bool lvs_flush_on_stop_vs;
	bool has_syncd;
	struct lvs_syncd syncd; /* ifname, syncid, ...; backup decided at run time */
	char *syncd_instance;   /* the VRRP instance that drives it, NULL = none */
	uint32_t timeout_tcp, timeout_tcpfin, timeout_udp; /* 0 = unchanged */
	char *lvs_fifo, *notify_fifo;                      /* FIFO paths, NULL = none */
	bool rs_init_notifies;
	bool log_all_failures;
	struct check_ssl_conf tls;
	struct conf_diag_counts counts; /* what check_conf_build() reported */
	struct check_arena *arena;
};

/* Build from a parsed tree; problems the keyword tables cannot see go to
 * `report` (may be NULL).  NULL only on allocation failure. */
struct check_conf *check_conf_build(const struct conf_tree *t, conf_report_fn report, void *arg);
void check_conf_free(struct check_conf *c);

/* A canonical text of everything that makes two checkers the same check
 * (type, target, parameters, timing): equal keys run once.  Returns the
 * length written (truncated like snprintf). */
size_t check_cfg_key(const struct check_cfg *c, char *buf, size_t len);

/* "[192.0.2.10]:tcp:80" for FIFO lines and logs. */
const char *check_rs_fmt(const struct check_vs_conf *vs, const struct check_rs_conf *rs, char *buf,
                         size_t len);

#endif
