/* The checker engine: runs the checks of a check_conf, keeps real-server
 * and virtual-server state, and programs the data plane.  One per checker
 * child, on its event loop. */
#ifndef KA_CHECK_ENGINE_H
#define KA_CHECK_ENGINE_H

#include <stdbool.h>
#include <stdio.h>

#include "check/check_conf.h"

struct event_base;
struct script_runner;

struct check_engine_opts {
	bool dont_release_ipvs; /* -I: leave our services in the kernel on stop */
	bool no_dataplane;      /* never open IPVS (tests, benchmarks) */
};

struct check_engine;

struct check_engine *check_engine_new(struct event_base *base, struct script_runner *scripts,
                                      const struct check_engine_opts *opts);
/* Start (first call) or reload: the engine takes ownership of conf.
 * Identical checks keep their state and timers; only the difference
 * reaches the data plane.  0, or -1 on allocation failure (the previous
 * configuration then stays in force and conf is freed). */
int check_engine_apply(struct check_engine *e, struct check_conf *conf);
/* Stop: omega notifications, data-plane cleanup (unless -I). */
void check_engine_stop(struct check_engine *e);
void check_engine_free(struct check_engine *e);

void check_engine_dump(struct check_engine *e, FILE *fp);
void check_engine_dump_stats(struct check_engine *e, FILE *fp, bool clear);
void check_engine_dump_json(struct check_engine *e, FILE *fp);

/* Counters for tests and metrics. */
struct check_engine_counters {
	unsigned long checks;       /* distinct checks running */
	unsigned long attempts;     /* attempts started */
	unsigned long dp_mutations; /* data-plane operations sent */
	unsigned long transitions;  /* real-server up/down changes */
};
void check_engine_counters(const struct check_engine *e, struct check_engine_counters *out);

#endif
