/* The checker's metrics: per virtual server quorum state, per real server
 * health, weights and transitions, per check result and latency, and the
 * data plane's traffic counters (gen2brain/keepalived_exporter's names for
 * those).  Rendered on request from the parent. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "check/check_engine_int.h"
#include "check/check_engine_metrics.h"
#include "lib/promtext.h"

#define SVC_STRLEN (KA_ADDRSTRLEN + 16)

static const char *proto_str(uint16_t p)
{
	return p == 17 ? "UDP" : p == 132 ? "SCTP" : "TCP";
}

static const char *svc_str(const struct lvs_svc_key *k, char *buf, size_t len)
{
	if (k->fwmark) {
		snprintf(buf, len, "fwmark:%" PRIu32, k->fwmark);
		return buf;
	}
	return addr_port_fmt(&k->addr, k->port, buf, len);
}

static void engine_families(struct prom *pr, const struct check_engine *e)
{
	struct prom_fam *f;

	f = prom_family(pr, "keepalived_checker_checks", PROM_GAUGE,
	                "Distinct health checks running (identical checkers share one).");
	prom_addu(f, e->n_checks, NULL);
	f = prom_family(pr, "keepalived_checker_attempts_total", PROM_COUNTER,
	                "Health-check attempts started.");
	prom_addu(f, e->cnt.attempts, NULL);
	f = prom_family(pr, "keepalived_checker_transitions_total", PROM_COUNTER,
	                "Real-server up/down changes.");
	prom_addu(f, e->cnt.transitions, NULL);
	f = prom_family(pr, "keepalived_checker_dataplane_up", PROM_GAUGE,
	                "1 when a data plane (IPVS or nftables) is programmed.");
	prom_addu(f, e->dp != NULL, e->dp ? "plane" : NULL, e->dp ? lvs_dp_name(e->dp) : NULL,
	          NULL);
	f = prom_family(pr, "keepalived_checker_dataplane_mutations_total", PROM_COUNTER,
	                "Data-plane operations sent.");
	prom_addu(f, e->dp ? lvs_dp_mutations(e->dp) : 0, NULL);
}

static void check_families(struct prom *pr, const char *vs, const char *rs,
                           const struct ck_check *c)
{
	char t[SVC_STRLEN];
	const char *type = check_type_str(c->cfg->type);
	struct prom_fam *f;

	addr_port_fmt(&c->cfg->conn.addr, c->cfg->conn.port, t, sizeof(t));
	f = prom_family(pr, "keepalived_check_up", PROM_GAUGE,
	                "A check's state: 1 up, 0 down (after retries).");
	prom_addu(f, c->sm.state == CHECK_STATE_UP, "vs", vs, "rs", rs, "checker", type, "target",
	          t, NULL);
	f = prom_family(pr, "keepalived_check_last_result", PROM_GAUGE,
	                "The last attempt: 1 success, 0 failure, -1 none finished yet.");
	prom_addi(f,
	          c->n_attempts == 0 && !c->last_latency_us ? -1
	          : c->last_why                             ? 0
	                                                    : 1,
	          "vs", vs, "rs", rs, "checker", type, "target", t, NULL);
	f = prom_family(pr, "keepalived_check_attempts_total", PROM_COUNTER,
	                "Attempts of the check finished.");
	prom_addu(f, c->n_attempts, "vs", vs, "rs", rs, "checker", type, "target", t, NULL);
	f = prom_family(pr, "keepalived_check_failures_total", PROM_COUNTER,
	                "Attempts of the check that failed.");
	prom_addu(f, c->n_failures, "vs", vs, "rs", rs, "checker", type, "target", t, NULL);
	f = prom_family(pr, "keepalived_check_latency_seconds", PROM_GAUGE,
	                "How long the last finished attempt took (connect to verdict).");
	prom_addd(f, (double)c->last_latency_us / 1e6, "vs", vs, "rs", rs, "checker", type,
	          "target", t, NULL);
}

static void rs_families(struct prom *pr, const char *vs, const struct ck_rs *rs)
{
	char r[SVC_STRLEN];
	struct prom_fam *f;

	addr_port_fmt(&rs->conf->addr, rs->conf->port, r, sizeof(r));
	f = prom_family(pr, "keepalived_real_server_up", PROM_GAUGE,
	                "Real server health: 1 up (every check up), 0 down.");
	prom_addu(f, rs->alive, "vs", vs, "rs", r, NULL);
	f = prom_family(pr, "keepalived_real_server_weight", PROM_GAUGE, "Configured weight.");
	prom_addi(f, rs->conf->dest.weight, "vs", vs, "rs", r, NULL);
	f = prom_family(pr, "keepalived_real_server_effective_weight", PROM_GAUGE,
	                "Weight after misc_dynamic and FILE_CHECK adjustments.");
	prom_addi(f, rs->weight, "vs", vs, "rs", r, NULL);
	f = prom_family(pr, "keepalived_real_server_in_dataplane", PROM_GAUGE,
	                "1 when the real server is programmed in the data plane.");
	prom_addu(f, rs->dp_weight >= 0, "vs", vs, "rs", r, NULL);
	if (rs->dp_weight >= 0) {
		f = prom_family(pr, "keepalived_real_server_dataplane_weight", PROM_GAUGE,
		                "The weight the data plane has (0: inhibited).");
		prom_addi(f, rs->dp_weight, "vs", vs, "rs", r, NULL);
	}
	f = prom_family(pr, "keepalived_real_server_transitions_total", PROM_COUNTER,
	                "Up/down changes of the real server.");
	prom_addu(f, rs->transitions, "vs", vs, "rs", r, NULL);
	f = prom_family(pr, "keepalived_real_server_checks_failed", PROM_GAUGE,
	                "Checks of the real server now down.");
	prom_addu(f, rs->n_failed, "vs", vs, "rs", r, NULL);
	for (unsigned k = 0; k < rs->n_checks; k++)
		check_families(pr, vs, r, rs->checks[k]);
}

static void vs_families(struct prom *pr, const struct ck_vs *v)
{
	const char *vs = v->conf->fifo_name;
	struct prom_fam *f;
	uint64_t live = 0;

	for (unsigned j = 0; j < v->n_rs; j++)
		if (v->rs[j].alive)
			live += (uint64_t)v->rs[j].weight;
	f = prom_family(pr, "keepalived_virtual_server_up", PROM_GAUGE,
	                "Quorum state: 1 up (live weight reached the quorum), 0 down.");
	prom_addu(f, v->q.up, "vs", vs, NULL);
	f = prom_family(pr, "keepalived_virtual_server_quorum", PROM_GAUGE, "Effective quorum.");
	prom_addu(f, v->q.quorum, "vs", vs, NULL);
	f = prom_family(pr, "keepalived_virtual_server_live_weight", PROM_GAUGE,
	                "Sum of the weights of the real servers up.");
	prom_addu(f, live, "vs", vs, NULL);
	f = prom_family(pr, "keepalived_virtual_server_total_weight", PROM_GAUGE,
	                "Sum of the configured weights.");
	prom_addu(f, v->total_weight, "vs", vs, NULL);
	f = prom_family(pr, "keepalived_virtual_server_real_servers", PROM_GAUGE,
	                "Real servers configured.");
	prom_addu(f, v->n_rs, "vs", vs, NULL);
	if (v->conf->has_sorry) {
		f = prom_family(pr, "keepalived_virtual_server_sorry_server_active", PROM_GAUGE,
		                "1 while the sorry server is in the data plane.");
		prom_addu(f, v->sorry_dp_weight >= 0, "vs", vs, NULL);
	}
	for (unsigned j = 0; j < v->n_rs; j++)
		rs_families(pr, vs, &v->rs[j]);
}

static void stats_families(struct prom *pr, const char *prefix, const char *const *labels,
                           const struct lvs_stats *st)
{
	static const char *const names[] = {"conn", "in_packets", "out_packets", "in_bytes",
	                                    "out_bytes"};
	static const char *const help[] = {
	    "Connections scheduled (data-plane counter).", "Packets in (data-plane counter).",
	    "Packets out (data-plane counter).", "Bytes in (data-plane counter).",
	    "Bytes out (data-plane counter)."};
	uint64_t v[] = {st->conns, st->inpkts, st->outpkts, st->inbytes, st->outbytes};
	char name[64];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct prom_fam *f;

		snprintf(name, sizeof(name), "%s_%s", prefix, names[i]);
		f = prom_family(pr, name, PROM_COUNTER, help[i]);
		if (labels[6]) /* rs: vs, vip, addr, proto */
			prom_addu(f, v[i], labels[0], labels[1], labels[2], labels[3], labels[4],
			          labels[5], labels[6], labels[7], NULL);
		else
			prom_addu(f, v[i], labels[0], labels[1], labels[2], labels[3], labels[4],
			          labels[5], NULL);
	}
}

/* The kernel's (or nftables') counters per service and destination, keyed
 * as the data plane sees them: a virtual_server_group stands for many. */
static void dataplane_families(struct prom *pr, struct check_engine *e)
{
	struct lvs_table kt;
	char vip[SVC_STRLEN], addr[SVC_STRLEN];

	if (!e->dp)
		return;
	lvs_table_init(&kt);
	if (lvs_dp_read(e->dp, &kt) < 0) {
		lvs_table_free(&kt);
		return;
	}
	for (unsigned i = 0; i < e->n_vs; i++) {
		const struct ck_vs *v = &e->vs[i];
		const struct check_vs_conf *vc = v->conf;

		for (size_t s = 0; s < vc->n_svcs; s++) {
			const struct lvs_tsvc *ts = lvs_table_find(&kt, &vc->svcs[s]);
			const char *proto = proto_str(vc->svcs[s].protocol);

			if (!ts)
				continue;
			svc_str(&vc->svcs[s], vip, sizeof(vip));
			stats_families(pr, "keepalived_lvs_vip",
			               (const char *const[]){"vs", vc->fifo_name, "addr", vip,
			                                     "proto", proto, NULL, NULL},
			               &ts->stats);
			for (unsigned j = 0; j < v->n_rs; j++) {
				const struct lvs_tdest *td =
				    lvs_svc_find_dest(ts, &v->rs[j].conf->dest);
				struct prom_fam *f;

				if (!td)
					continue;
				addr_port_fmt(&v->rs[j].conf->addr, v->rs[j].conf->port, addr,
				              sizeof(addr));
				stats_families(pr, "keepalived_lvs_rs",
				               (const char *const[]){"vs", vc->fifo_name, "vip",
				                                     vip, "addr", addr, "proto",
				                                     proto},
				               &td->stats);
				f = prom_family(pr, "keepalived_lvs_rs_active_conns", PROM_GAUGE,
				                "Active connections (data plane).");
				prom_addu(f, td->activeconns, "vs", vc->fifo_name, "vip", vip,
				          "addr", addr, "proto", proto, NULL);
				f = prom_family(pr, "keepalived_lvs_rs_inactive_conns", PROM_GAUGE,
				                "Inactive connections (data plane).");
				prom_addu(f, td->inactconns, "vs", vc->fifo_name, "vip", vip,
				          "addr", addr, "proto", proto, NULL);
			}
		}
	}
	lvs_table_free(&kt);
}

void check_engine_metrics(struct check_engine *e, FILE *fp)
{
	struct prom *pr = prom_new();
	struct prom_fam *f;

	if (!pr)
		return;
	f = prom_family(pr, "keepalived_checker_virtual_servers", PROM_GAUGE,
	                "Virtual servers configured.");
	prom_addu(f, e && e->conf ? e->n_vs : 0, NULL);
	if (e && e->conf) {
		engine_families(pr, e);
		for (unsigned i = 0; i < e->n_vs; i++)
			vs_families(pr, &e->vs[i]);
		dataplane_families(pr, e);
	}
	prom_write(pr, fp);
	prom_free(pr);
}
