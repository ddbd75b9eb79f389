/* Internals of the checker engine (check_engine*.c). */
#ifndef KA_CHECK_ENGINE_INT_H
#define KA_CHECK_ENGINE_INT_H

#include <stdint.h>

#include "check/check_engine.h"
#include "check/check_state.h"
#include "lvs/lvs.h"

struct event;
struct ck_rs;

/* A real server that subscribes to a check. */
struct ck_sub {
	struct ck_rs *rs;
};

/* One distinct check (identical checkers share one). */
struct ck_check {
	struct check_engine *e;
	const struct check_cfg *cfg; /* in the current conf */
	uint32_t hash;               /* of check_cfg_key(cfg); the key itself is not kept */
	struct ck_check *hnext;      /* hash chain */
	struct check_sm sm;
	int dyn_weight;   /* misc_dynamic weight, -1 = none */
	int64_t file_add; /* FILE_CHECK contribution */
	struct event *timer;
	struct check_attempt *att;
	struct check_conf *att_conf; /* the configuration att's cfg belongs to */
	uint64_t att_start_us;
	struct ck_sub *subs;
	unsigned n_subs, cap_subs;
	bool keep; /* reload: still configured */
	/* stats */
	unsigned long n_attempts, n_failures;
	uint64_t last_latency_us;
	char *last_why; /* the last failure's reason, NULL after a success */
};

struct ck_vs;

struct ck_rs {
	struct ck_vs *vs;
	const struct check_rs_conf *conf;
	struct ck_check **checks;
	unsigned n_checks;
	unsigned n_failed;
	bool alive;
	int32_t weight;    /* effective */
	int64_t dp_weight; /* what the data plane has: weight or CHECK_DP_ABSENT */
	unsigned long transitions;
};

struct ck_vs {
	const struct check_vs_conf *conf;
	struct ck_rs *rs;
	unsigned n_rs;
	struct check_quorum q;
	uint64_t total_weight;
	int64_t sorry_dp_weight;
};

#define CK_HASH_SIZE 4096u

struct check_engine {
	struct event_base *base;
	struct script_runner *scripts;
	struct check_engine_opts opts;
	struct check_conf *conf;
	struct ck_vs *vs;
	unsigned n_vs;
	struct ck_check *hash[CK_HASH_SIZE];
	unsigned long n_checks;
	struct lvs_dp *dp;
	bool dp_tried;
	enum lvs_plane dp_plane; /* the plane dp was opened for */
	void *ssl_ctx;
	struct check_inotify *ino; /* FILE_CHECK files */
	int lvs_fifo_fd, notify_fifo_fd;
	uint64_t rng;
	bool started;
	struct check_engine_counters cnt;
	char *kbuf2; /* check_cfg_key() of a hash-chain candidate */
	/* Previous configurations still used by attempts in flight. */
	struct ck_retired {
		struct check_conf *conf;
		unsigned refs;
	} * retired;
	size_t n_retired;
};

/* check_engine_retire.c: a replaced configuration is freed once no attempt
 * in flight uses it (retire: at reload; unref: when an attempt ends). */
void ck_conf_retire(struct check_engine *e, struct check_conf *old);
void ck_conf_unref(struct check_engine *e, struct check_conf *held);
void ck_retired_free_all(struct check_engine *e);

/* check_engine_run.c */
void ck_check_schedule(struct ck_check *c, uint64_t delay_us);
/* delay_us moved back onto the engine's 10 ms grid (never later). */
uint64_t ck_align(uint64_t delay_us);
void ck_check_cancel(struct ck_check *c);
uint64_t ck_rand(struct check_engine *e, uint64_t below); /* [0, below] */
/* Recompute a real server from its checks; notify and program changes. */
void ck_rs_update(struct check_engine *e, struct ck_rs *rs, bool notify);
/* Recompute the quorum of a virtual server; notify and program changes. */
void ck_vs_update(struct check_engine *e, struct ck_vs *vs, bool notify);
/* Program a real server's desired weight into the data plane. */
void ck_rs_program(struct check_engine *e, struct ck_rs *rs);
void ck_vs_program_sorry(struct check_engine *e, struct ck_vs *vs);
int64_t ck_rs_want(const struct ck_rs *rs);
int64_t ck_sorry_want(const struct ck_vs *vs);

/* check_engine_notify.c */
void ck_notify_rs(struct check_engine *e, struct ck_rs *rs, bool up);
void ck_notify_vs(struct check_engine *e, struct ck_vs *vs, bool up);
void ck_fifos_open(struct check_engine *e);
void ck_fifos_close(struct check_engine *e);

#endif
