/* The checker child's Prometheus families (doc/metrics.md). */
#ifndef KA_CHECK_ENGINE_METRICS_H
#define KA_CHECK_ENGINE_METRICS_H

#include <stdio.h>

struct check_engine;

void check_engine_metrics(struct check_engine *e, FILE *fp);

#endif
