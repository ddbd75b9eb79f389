/* The VRRP child's Prometheus families (doc/metrics.md). */
#ifndef KA_VRRP_RT_METRICS_H
#define KA_VRRP_RT_METRICS_H

#include <stdio.h>

struct vrrp_rt;

void vrrp_rt_metrics(const struct vrrp_rt *rt, FILE *fp);

#endif
