/* The IPVS backend of the LVS data plane (lvs_backend.h, lvs.h).
 *
 * The mirror holds our services as the kernel has them after our own
 * operations: an operation that failed leaves the mirror as it was, so a
 * later lvs_dp_dest_set retries it instead of believing it done.  Only
 * services in the mirror (ours) are ever changed by the incremental calls.
 *
 * Every kernel call is synchronous and bounded (ipvs.h); a failure is
 * logged on one line naming the service and destination. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lvs/ipvs.h"
#include "lvs/ipvs_msg.h"
#include "lvs/lvs.h"
#include "lvs/lvs_backend.h"

struct ipvs_dp {
	struct ipvs *ip;
	struct lvs_table mirror;
	unsigned long mutations;
};

static void *ipvs_dp_open(char *err, size_t errlen)
{
	struct ipvs_dp *dp;

	dp = calloc(1, sizeof(*dp));
	if (!dp) {
		snprintf(err, errlen, "IPVS: out of memory");
		return NULL;
	}
	dp->ip = ipvs_open(err, errlen);
	if (!dp->ip) {
		free(dp);
		return NULL;
	}
	lvs_table_init(&dp->mirror);
	return dp;
}

static unsigned long ipvs_dp_mutations(const void *b)
{
	const struct ipvs_dp *dp = b;
	return dp->mutations;
}

/* ---- logging ---- */

static const char *dest_fmt(const struct lvs_dest *d, char *buf, size_t len)
{
	char a[KA_ADDRSTRLEN];

	snprintf(buf, len, "[%s]:%u", addr_fmt(&d->addr, a, sizeof(a)), d->port);
	return buf;
}

static void log_op_failure(struct ipvs_dp *dp, const struct lvs_op *op, int err)
{
	char s[96], d[KA_ADDRSTRLEN + 8];
	const char *extra = ipvs_errmsg(dp->ip);
	const char *sep = extra[0] ? " (" : "", *end = extra[0] ? ")" : "";

	lvs_svc_key_fmt(&op->key, s, sizeof(s));
	switch (op->kind) {
	case LVS_OP_FLUSH:
		log_err("IPVS: cannot flush the virtual server table: %s%s%s%s", strerror(-err),
		        sep, extra, end);
		break;
	case LVS_OP_SVC_ADD:
	case LVS_OP_SVC_EDIT:
	case LVS_OP_SVC_DEL:
		log_err("IPVS: cannot %s %s: %s%s%s%s",
		        op->kind == LVS_OP_SVC_ADD    ? "add service"
		        : op->kind == LVS_OP_SVC_EDIT ? "edit service"
		                                      : "delete service",
		        s, strerror(-err), sep, extra, end);
		break;
	case LVS_OP_DEST_ADD:
	case LVS_OP_DEST_EDIT:
	case LVS_OP_DEST_DEL:
		log_warn("IPVS: cannot %s destination %s %s %s: %s%s%s%s",
		         op->kind == LVS_OP_DEST_ADD    ? "add"
		         : op->kind == LVS_OP_DEST_EDIT ? "edit"
		                                        : "delete",
		         dest_fmt(&op->dest, d, sizeof(d)),
		         op->kind == LVS_OP_DEST_ADD    ? "to"
		         : op->kind == LVS_OP_DEST_EDIT ? "in"
		                                        : "from",
		         s, strerror(-err), sep, extra, end);
		break;
	}
}

/* Send one operation; counts it. */
static int send_op(struct ipvs_dp *dp, const struct lvs_op *op)
{
	dp->mutations++;
	return ipvs_apply(dp->ip, op);
}

/* Record a successful operation in a mirror table.  -1 on ENOMEM (the
 * mirror then under-states the kernel, which later calls correct). */
static int mirror_apply(struct lvs_table *m, const struct lvs_op *op)
{
	struct lvs_tsvc *s;

	switch (op->kind) {
	case LVS_OP_FLUSH:
		lvs_table_free(m);
		return 0;
	case LVS_OP_SVC_ADD:
		return lvs_table_add_svc(m, &op->key, &op->attr) ? 0 : -1;
	case LVS_OP_SVC_EDIT:
		s = lvs_table_find(m, &op->key);
		if (s)
			s->attr = op->attr;
		return 0;
	case LVS_OP_SVC_DEL:
		lvs_table_del_svc(m, &op->key);
		return 0;
	case LVS_OP_DEST_ADD:
	case LVS_OP_DEST_EDIT:
		s = lvs_table_find(m, &op->key);
		return s ? lvs_svc_set_dest(s, &op->dest) : 0;
	case LVS_OP_DEST_DEL:
		s = lvs_table_find(m, &op->key);
		if (s)
			lvs_svc_del_dest(s, &op->dest);
		return 0;
	}
	return 0;
}

static bool in_table(const struct lvs_table *t, const struct lvs_svc_key *k)
{
	return t && lvs_table_find(t, k);
}

/* The kernel's table restricted to the services in want or drop, with the
 * destinations of the wanted ones. */
static int read_have(struct ipvs_dp *dp, const struct lvs_table *want, const struct lvs_table *drop,
                     struct lvs_table *have)
{
	struct lvs_table all;
	struct lvs_tsvc *s;
	size_t i;
	int r;

	lvs_table_init(&all);
	r = ipvs_read_services(dp->ip, &all);
	if (r < 0) {
		log_err("IPVS: cannot read the virtual server table: %s%s%s", strerror(-r),
		        ipvs_errmsg(dp->ip)[0] ? ": " : "", ipvs_errmsg(dp->ip));
		goto out;
	}
	for (i = 0; i < all.n_svcs; i++) {
		if (!in_table(want, &all.svcs[i].key) && !in_table(drop, &all.svcs[i].key))
			continue; /* foreign: never read, never touched */
		s = lvs_table_copy_svc(have, &all.svcs[i]);
		if (!s) {
			r = -ENOMEM;
			goto out;
		}
		if (!in_table(want, &s->key))
			continue;
		r = ipvs_read_dests(dp->ip, s);
		if (r < 0) {
			char k[96];

			log_err("IPVS: cannot read the destinations of %s: %s%s%s",
			        lvs_svc_key_fmt(&s->key, k, sizeof(k)), strerror(-r),
			        ipvs_errmsg(dp->ip)[0] ? ": " : "", ipvs_errmsg(dp->ip));
			goto out;
		}
	}
	r = 0;
out:
	lvs_table_free(&all);
	return r;
}

static int ipvs_dp_sync(void *b, const struct lvs_table *want, const struct lvs_table *drop,
                        bool flush)
{
	struct ipvs_dp *dp = b;
	struct lvs_table have, mirror;
	struct lvs_plan plan;
	struct lvs_op fl = {.kind = LVS_OP_FLUSH};
	const struct lvs_op *op;
	const struct lvs_svc_key *failed_svc = NULL;
	size_t i, skipped = 0;
	int failed = 0, r;
	char k[96];

	lvs_table_init(&have);
	lvs_table_init(&mirror);
	if (flush) {
		r = send_op(dp, &fl);
		if (r < 0) {
			log_op_failure(dp, &fl, r);
			failed++;
			flush = false; /* the kernel still holds something: read it */
		}
	}
	if (!flush && read_have(dp, want, drop, &have) < 0) {
		lvs_table_free(&have);
		return -1;
	}
	if (lvs_plan_build(&have, want, drop, &plan) < 0) {
		log_err("IPVS: out of memory planning the virtual server table");
		lvs_table_free(&have);
		return -1;
	}
	/* The new mirror starts from what the kernel has of the wanted
	 * services and follows each operation that succeeds. */
	for (i = 0; i < have.n_svcs; i++)
		if (in_table(want, &have.svcs[i].key) &&
		    !lvs_table_copy_svc(&mirror, &have.svcs[i]))
			goto nomem;
	for (i = 0; i < plan.n; i++) {
		op = &plan.ops[i];
		/* The destinations of a service the kernel refused cannot go in:
		 * say so once rather than once per destination. */
		if (failed_svc && op->kind == LVS_OP_DEST_ADD &&
		    lvs_svc_key_equal(failed_svc, &op->key)) {
			skipped++;
			failed++;
			continue;
		}
		if (skipped) {
			log_warn("IPVS: %zu destinations of %s not added (no service)", skipped,
			         lvs_svc_key_fmt(failed_svc, k, sizeof(k)));
			skipped = 0;
		}
		failed_svc = NULL;
		r = send_op(dp, op);
		if (r < 0) {
			log_op_failure(dp, op, r);
			failed++;
			if (op->kind == LVS_OP_SVC_ADD)
				failed_svc = &op->key;
			continue;
		}
		if (mirror_apply(&mirror, op) < 0)
			goto nomem;
	}
	if (skipped)
		log_warn("IPVS: %zu destinations of %s not added (no service)", skipped,
		         lvs_svc_key_fmt(failed_svc, k, sizeof(k)));
	lvs_plan_free(&plan);
	lvs_table_free(&have);
	lvs_table_free(&dp->mirror);
	dp->mirror = mirror;
	return failed;
nomem:
	log_err("IPVS: out of memory recording the virtual server table");
	lvs_plan_free(&plan);
	lvs_table_free(&have);
	lvs_table_free(&mirror);
	return -1;
}

static bool dest_same(const struct lvs_dest *a, const struct lvs_dest *b)
{
	struct lvs_dest ca = *a, cb = *b;

	ipvs_dest_canon(&ca);
	ipvs_dest_canon(&cb);
	return lvs_dest_equal(&ca, &cb);
}

static int ipvs_dp_dest_set(void *b, const struct lvs_svc_key *k, const struct lvs_dest *d)
{
	struct ipvs_dp *dp = b;
	struct lvs_tsvc *s = lvs_table_find(&dp->mirror, k);
	struct lvs_op op = {.key = *k, .dest = *d};
	struct lvs_tdest *cur;
	char ks[96], ds[KA_ADDRSTRLEN + 8];
	int r;

	if (!s) {
		log_warn("IPVS: cannot set destination %s in %s: not one of our services",
		         dest_fmt(d, ds, sizeof(ds)), lvs_svc_key_fmt(k, ks, sizeof(ks)));
		return -1;
	}
	cur = lvs_svc_find_dest(s, d);
	if (cur && dest_same(&cur->d, d))
		return 0;
	op.kind = cur ? LVS_OP_DEST_EDIT : LVS_OP_DEST_ADD;
	r = send_op(dp, &op);
	/* Someone else (ipvsadm) added or removed it behind our back: the
	 * other verb then does what was meant. */
	if (r == -EEXIST && op.kind == LVS_OP_DEST_ADD) {
		op.kind = LVS_OP_DEST_EDIT;
		r = send_op(dp, &op);
	} else if (r == -ENOENT && op.kind == LVS_OP_DEST_EDIT) {
		op.kind = LVS_OP_DEST_ADD;
		r = send_op(dp, &op);
	}
	if (r < 0) {
		log_op_failure(dp, &op, r);
		return -1;
	}
	/* The mirror may then under-state the kernel: a later set re-sends. */
	if (lvs_svc_set_dest(s, d) < 0)
		log_err("IPVS: out of memory recording a destination");
	return 0;
}

static int ipvs_dp_dest_del(void *b, const struct lvs_svc_key *k, const struct lvs_dest *d)
{
	struct ipvs_dp *dp = b;
	struct lvs_tsvc *s = lvs_table_find(&dp->mirror, k);
	struct lvs_op op = {.kind = LVS_OP_DEST_DEL, .key = *k, .dest = *d};
	int r;

	if (!s || !lvs_svc_find_dest(s, d))
		return 0;
	r = send_op(dp, &op);
	/* Already gone (deleted by hand): the goal is reached. */
	if (r < 0 && r != -ENOENT) {
		log_op_failure(dp, &op, r);
		return -1;
	}
	lvs_svc_del_dest(s, d);
	return 0;
}

static int ipvs_dp_read(void *b, struct lvs_table *out)
{
	struct ipvs_dp *dp = b;
	struct lvs_table all;
	struct lvs_tsvc *s;
	size_t i;
	int r;

	lvs_table_init(&all);
	r = ipvs_read_services(dp->ip, &all);
	for (i = 0; r == 0 && i < all.n_svcs; i++) {
		if (!lvs_table_find(&dp->mirror, &all.svcs[i].key))
			continue;
		s = lvs_table_copy_svc(out, &all.svcs[i]);
		r = s ? ipvs_read_dests(dp->ip, s) : -ENOMEM;
	}
	if (r < 0)
		log_warn("IPVS: cannot read the virtual server table: %s", strerror(-r));
	lvs_table_free(&all);
	return r < 0 ? -1 : 0;
}

static int ipvs_dp_syncd_start(void *b, const struct lvs_syncd *s)
{
	struct ipvs_dp *dp = b;
	int r;

	dp->mutations++;
	r = ipvs_daemon_start(dp->ip, s);
	if (r < 0) {
		log_err("IPVS: cannot start the %s sync daemon on %s (syncid %u): %s",
		        s->backup ? "backup" : "master", s->ifname, s->syncid, strerror(-r));
		return -1;
	}
	return 0;
}

static int ipvs_dp_syncd_stop(void *b, bool backup)
{
	struct ipvs_dp *dp = b;
	int r;

	dp->mutations++;
	r = ipvs_daemon_stop(dp->ip, backup);
	if (r < 0) {
		log_err("IPVS: cannot stop the %s sync daemon: %s", backup ? "backup" : "master",
		        strerror(-r));
		return -1;
	}
	return 0;
}

static int ipvs_dp_set_timeouts(void *b, uint32_t tcp, uint32_t tcpfin, uint32_t udp)
{
	struct ipvs_dp *dp = b;
	int r;

	if (!tcp && !tcpfin && !udp)
		return 0;
	dp->mutations++;
	r = ipvs_set_timeouts(dp->ip, tcp, tcpfin, udp);
	if (r < 0) {
		log_err("IPVS: cannot set timeouts (tcp %u, tcpfin %u, udp %u): %s", tcp, tcpfin,
		        udp, strerror(-r));
		return -1;
	}
	return 0;
}

static void ipvs_dp_close(void *b, bool remove_own)
{
	struct ipvs_dp *dp = b;
	struct lvs_op op = {.kind = LVS_OP_SVC_DEL};
	size_t i;
	int r;

	if (!dp)
		return;
	for (i = 0; remove_own && i < dp->mirror.n_svcs; i++) {
		op.key = dp->mirror.svcs[i].key;
		r = send_op(dp, &op);
		/* ESRCH: deleted by hand already. */
		if (r < 0 && r != -ESRCH && r != -ENOENT)
			log_op_failure(dp, &op, r);
	}
	lvs_table_free(&dp->mirror);
	ipvs_close(dp->ip);
	free(dp);
}

const struct lvs_backend_ops lvs_ipvs_backend = {
    .name = "IPVS",
    .open = ipvs_dp_open,
    .sync = ipvs_dp_sync,
    .dest_set = ipvs_dp_dest_set,
    .dest_del = ipvs_dp_dest_del,
    .read = ipvs_dp_read,
    .syncd_start = ipvs_dp_syncd_start,
    .syncd_stop = ipvs_dp_syncd_stop,
    .set_timeouts = ipvs_dp_set_timeouts,
    .mutations = ipvs_dp_mutations,
    .close = ipvs_dp_close,
};
