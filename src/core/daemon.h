/* The daemon: command line, configuration loading, the parent watchdog and
 * the child runtime shared by the VRRP and checker children. */
#ifndef KA_DAEMON_H
#define KA_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "conf/conf.h"
#include "lib/log.h"

struct event_base;
struct script_runner;

/* Daemon exit codes (upstream's values). */
enum ka_exit {
	KA_EXIT_OK = 0,
	KA_EXIT_FATAL = 1,
	KA_EXIT_CONFIG = 2,
	KA_EXIT_MISSING_PERMISSION = 4,
	KA_EXIT_NO_CONFIG = 6,
	KA_EXIT_PROGRAM_ERROR = 70, /* respawnable */
	KA_EXIT_NO_MEMORY = 204,
};

#define KA_DEFAULT_CONF "/etc/keepalived/keepalived.conf"
#define KA_RUN_DIR "/run"
#define KA_HELLO_INTERVAL_MS 5000u

/* Everything the command line can say. */
struct ka_options {
	const char *conf_file;
	bool want_vrrp, want_check; /* -P / -C given */
	bool all_children;          /* --all */
	struct log_opts log;
	bool release_vips;      /* -X */
	bool dont_release_vrrp; /* -V */
	bool dont_release_ipvs; /* -I */
	bool dont_respawn;      /* -R */
	bool dont_fork;         /* -n */
	bool dump_conf;         /* -d */
	const char *pid_file, *vrrp_pid_file, *checkers_pid_file, *bfd_pid_file;
	bool address_monitoring;    /* -a */
	const char *namespace_name; /* -s */
	bool all_config;            /* -e */
	const char *config_id;      /* -i */
	bool snmp;                  /* -x */
	const char *snmp_socket;    /* -A */
	mode_t umask_val;
	bool umask_set;
	bool core_dump;              /* -m */
	const char *core_pattern;    /* -M */
	bool config_test;            /* -t */
	const char *config_test_log; /* -t=FILE */
	int config_fd;               /* --config-fd, -1 if unset */
	bool ignore_sigint;
};

/* Parse argv.  Returns -1 to continue, or an exit status (e.g. after -v,
 * -h, --signum, or a usage error). */
int ka_parse_cmdline(int argc, char **argv, struct ka_options *o);
/* Name -> signal for --signum (STOP RELOAD DATA STATS STATS_CLEAR JSON TDUMP). */
int ka_signum(const char *name);

/* What a loaded configuration means for the process model. */
struct ka_config {
	struct conf_tree *tree;
	bool has_vrrp;       /* vrrp_instance / vrrp_sync_group / static_* / vrrp_script ... */
	bool has_check;      /* virtual_server / virtual_server_group */
	char *instance_name; /* root `instance NAME` */
	bool use_pid_dir;    /* root `use_pid_dir` */
	char *state_dump_file, *stats_dump_file, *json_dump_file, *parent_dump_file,
	    *check_dump_file, *check_stats_file, *check_json_file; /* resolved paths; the
	                                                            * checker's sit beside
	                                                            * the VRRP ones */
	char *router_id;
};

/* Load and post-check the configuration (script security, scripts that
 * exist).  Diagnostics go to `report` (NULL: the log).  Returns NULL only
 * when out of memory; inspect cfg->tree->counts. */
struct ka_config *ka_config_load(const struct ka_options *o, conf_report_fn report, void *arg);
/* The same with only some of the subsystems' semantic checks (their
 * builders, whose errors count in the exit code): a child's reload runs its
 * own builder instead (ka_child_ops.prepare). */
#define KA_SEMANTIC_VRRP 1u
#define KA_SEMANTIC_CHECK 2u
struct ka_config *ka_config_load_part(const struct ka_options *o, conf_report_fn report, void *arg,
                                      unsigned semantic);
/* The default report: "(file: Line N) message" to the log. */
void ka_config_log_report(void *arg, enum conf_sev sev, enum conf_class cls, const char *file,
                          int line, const char *msg);
void ka_config_free(struct ka_config *c);
/* The --config-test exit code for a loaded configuration. */
int ka_config_exit_code(const struct ka_config *c);

/* Post-parse checks of every CONF_KW_SCRIPT keyword (in core/script_check.c). */
void ka_check_scripts(struct conf_tree *t, bool script_security, conf_report_fn report, void *arg);

/* Pid file paths after applying defaults, use_pid_dir, instance and -p/-r/-c. */
struct ka_pidfiles {
	char *parent, *vrrp, *check;
};
void ka_pidfiles_resolve(const struct ka_options *o, const struct ka_config *c,
                         struct ka_pidfiles *p);
void ka_pidfiles_free(struct ka_pidfiles *p);

/* The parent watchdog: never returns. */
_Noreturn void ka_parent_run(struct ka_options *o, struct ka_config *c);

/* Subsystem hooks run inside a child. */
enum ka_child_kind { KA_CHILD_VRRP, KA_CHILD_CHECK, KA_CHILD_MAX };

/* What a subsystem gets from the child runtime. */
struct ka_child_env {
	struct event_base *base;
	struct script_runner *scripts;
	const struct ka_options *opts;
};

struct ka_child_ops {
	enum ka_child_kind kind;
	const char *name;        /* "VRRP" / "checker" */
	const char *ident;       /* syslog ident */
	const char *file_suffix; /* for -g log files */
	/* Called with the loaded config at start and after each valid reload. */
	int (*start)(void *state, const struct ka_child_env *env, const struct ka_config *c);
	/* Optional, for reloads: builds the subsystem's own configuration from
	 * a freshly loaded one, off the event loop (on the reload thread, so
	 * it touches no runtime state), adding its errors to c->tree->counts.
	 * What it returns goes to reload as `prepared`. */
	void *(*prepare)(struct ka_config *c);
	void (*prepared_free)(void *prepared);
	/* Takes prepared (NULL: build it here). */
	int (*reload)(void *state, const struct ka_config *old, const struct ka_config *c,
	              void *prepared);
	/* Optional: microseconds until the subsystem's next time-critical
	 * event (UINT64_MAX: none).  A reload is applied in a gap. */
	uint64_t (*quiet_us)(void *state);
	void (*stop)(void *state);
	/* Dumps; NULL when the subsystem has none.  Write to fp. */
	void (*dump_data)(void *state, FILE *fp);
	void (*dump_stats)(void *state, FILE *fp, bool clear);
	void (*dump_json)(void *state, FILE *fp);
	/* Prometheus text (families of its own, see doc/metrics.md) for the
	 * parent's metrics endpoint; NULL when none. */
	void (*dump_metrics)(void *state, FILE *fp);
	void *state;
	/* The subsystem keeps nothing that points into the parsed tree: the
	 * runtime frees it after start and each reload (less memory). */
	bool drop_tree;
};

extern const struct ka_child_ops vrrp_child_ops;
extern const struct ka_child_ops check_child_ops;

/* Apply <vrrp|checker>_priority, _rt_priority, _no_swap, _cpu_affinity
 * (child_sched.c). */
void ka_child_sched(enum ka_child_kind kind, const struct conf_tree *t);

/* Run a child: called right after fork with the control socket.  Never
 * returns. */
_Noreturn void ka_child_run(const struct ka_child_ops *ops, struct ka_options *o,
                            struct ka_config *c, int ctl_fd, pid_t parent_pid);

/* Dump files: write through a fresh temporary file and rename (never
 * follows a symlink).  0 or -1 (logged). */
int ka_dump_write(const char *path, void (*fill)(void *arg, FILE *fp), void *arg);

/* Hello protocol on a SOCK_SEQPACKET socketpair. */
#define KA_HELLO_MAGIC 0x4b41484cu /* "KAHL" */
struct ka_hello {
	uint32_t magic;
	uint32_t seq;
};
/* The same message with this magic asks a child for its metrics; the
 * answer (same magic and seq) carries a sealed memfd with the text in
 * SCM_RIGHTS. */
#define KA_METRICS_MAGIC 0x4b414d45u /* "KAME" */
/* The checker to the parent: the nftables adoption token its next
 * incarnation inherits (lvs/nft_batch.h, struct nft_adopt). */
#define KA_NFTADOPT_MAGIC 0x4b414e54u /* "KANT" */
struct ka_nft_token {
	uint32_t magic;
	uint32_t gen;
	uint64_t fp;
	uint32_t valid;
	uint32_t pad;
};
/* A child's message to the parent on its control socket; -1 when there is
 * none (not a child) or it cannot be sent now. */
int ka_child_ctl_send(const void *msg, size_t len);

#endif
