/* Scheduling of a child: `<vrrp|checker>_priority` (nice),
 * `<..>_rt_priority` (SCHED_RR), `<..>_no_swap` (mlockall) and
 * `<..>_cpu_affinity`.  Scripts never inherit a real-time policy
 * (SCHED_RESET_ON_FORK).
 *
 * Without `vrrp_rt_priority`, the VRRP child takes SCHED_RR 1 when it may:
 * adverts must leave on time even while the checker child keeps both CPUs
 * of a small director busy (bench/check_isolation.sh), and it needs almost
 * no CPU.  No keyword turns that off (upstream has none); KA_NO_RT=1 in the
 * environment does. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "core/daemon.h"

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

static const conf_node *global_kw(const struct conf_tree *t, const char *name)
{
	const conf_node *g, *n, *last = NULL;

	for (g = conf_first(&t->root, "global_defs"); g; g = conf_next_named(g))
		for (n = conf_first(g, name); n; n = conf_next_named(n))
			last = n;
	return last;
}

static long long global_int(const struct conf_tree *t, const char *name, long long dflt)
{
	const conf_node *n = global_kw(t, name);
	long long v;

	if (!n || n->argc < 2 || conf_parse_int(n->argv[1], -100, 100, &v) < 0)
		return dflt;
	return v;
}

static void set_affinity(const conf_node *n, const char *what)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int i = 1; i < n->argc; i++) {
		long long lo, hi;
		char *dash = strchr(n->argv[i], '-');

		if (dash) {
			*dash = '\0';
			lo = strtoll(n->argv[i], NULL, 10);
			hi = strtoll(dash + 1, NULL, 10);
			*dash = '-';
		} else {
			lo = hi = strtoll(n->argv[i], NULL, 10);
		}
		for (long long c = lo; c <= hi && c >= 0 && c < CPU_SETSIZE; c++)
			CPU_SET((int)c, &set);
	}
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		log_warn("%s: cannot set the CPU affinity: %s", what, strerror(errno));
}

void ka_child_sched(enum ka_child_kind kind, const struct conf_tree *t)
{
	const char *p = kind == KA_CHILD_VRRP ? "vrrp" : "checker";
	char name[64];
	long long nice_v, rt;
	const conf_node *n;

	if (!t)
		return;
	snprintf(name, sizeof(name), "%s_priority", p);
	nice_v = global_int(t, name, 0);
	if (nice_v && setpriority(PRIO_PROCESS, 0, (int)nice_v) < 0)
		log_warn("%s: cannot set priority %lld: %s", name, nice_v, strerror(errno));

	snprintf(name, sizeof(name), "%s_rt_priority", p);
	rt = global_int(t, name, 0);
	if (!rt && kind == KA_CHILD_VRRP && !getenv("KA_NO_RT"))
		rt = -1; /* the quiet default */
	if (rt) {
		struct sched_param sp = {.sched_priority = rt < 0 ? 1 : (int)rt};

		if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp) < 0) {
			if (rt > 0)
				log_warn("%s: cannot use SCHED_RR %d: %s", name, sp.sched_priority,
				         strerror(errno));
			else
				log_debug("VRRP child: no real-time scheduling (%s)",
				          strerror(errno));
		}
	}

	snprintf(name, sizeof(name), "%s_no_swap", p);
	if (global_kw(t, name) && mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		log_warn("%s: mlockall: %s", name, strerror(errno));

	snprintf(name, sizeof(name), "%s_cpu_affinity", p);
	if ((n = global_kw(t, name)) && n->argc > 1)
		set_affinity(n, name);
}
