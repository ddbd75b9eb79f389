/* The checker's parts of the dump files: SIGUSR1 data, SIGUSR2 stats and
 * JSON. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "check/check_engine_int.h"

static const char *fwd_str(enum lvs_fwd f)
{
	return f == LVS_FWD_DR ? "DR" : f == LVS_FWD_TUN ? "TUN" : "NAT";
}

static const char *proto_str(uint16_t p)
{
	return p == 17 ? "UDP" : p == 132 ? "SCTP" : "TCP";
}

static uint64_t live_weight(const struct ck_vs *v)
{
	uint64_t s = 0;

	for (unsigned j = 0; j < v->n_rs; j++)
		if (v->rs[j].alive)
			s += (uint64_t)v->rs[j].weight;
	return s;
}

static void dump_check(FILE *fp, const struct ck_check *c)
{
	const struct check_cfg *cfg = c->cfg;
	char a[KA_ADDRSTRLEN + 16];

	addr_port_fmt(&cfg->conn.addr, cfg->conn.port, a, sizeof(a));
	fprintf(fp, "     Checker = %s %s\n", check_type_str(cfg->type), a);
	fprintf(fp, "       State = %s\n", check_state_str(c->sm.state));
	fprintf(fp, "       Shared by = %u real server(s)\n", c->n_subs);
	fprintf(fp, "       Delay loop = %.6g s, retry = %u, delay before retry = %.6g s\n",
	        (double)cfg->delay_loop_us / 1e6, cfg->retry,
	        (double)cfg->delay_before_retry_us / 1e6);
	fprintf(fp, "       Connection timeout = %.6g s%s\n",
	        (double)cfg->conn.connect_timeout_us / 1e6, cfg->alpha ? ", alpha" : "");
	if (c->last_why)
		fprintf(fp, "       Last failure = %s\n", c->last_why);
}

void check_engine_dump(struct check_engine *e, FILE *fp)
{
	char a[KA_ADDRSTRLEN + 16];

	fprintf(fp, "------< Health checkers >------\n");
	if (!e || !e->conf)
		return;
	fprintf(fp, " Data plane = %s\n", e->dp ? lvs_dp_name(e->dp) : "none (not available)");
	for (unsigned i = 0; i < e->n_vs; i++) {
		const struct ck_vs *v = &e->vs[i];
		const struct check_vs_conf *vc = v->conf;

		fprintf(fp, " VS = %s\n", vc->fifo_name);
		fprintf(fp, "   delay_loop = %" PRIu64 " us, lvs_sched = %s\n",
		        vc->n_rs && vc->rs[0].n_checkers ? vc->rs[0].checkers[0].delay_loop_us : 0,
		        vc->attr.sched);
		fprintf(fp, "   protocol = %s, services = %zu\n", proto_str(vc->protocol),
		        vc->n_svcs);
		if (vc->attr.timeout_s)
			fprintf(fp, "   persistence timeout = %u\n", vc->attr.timeout_s);
		fprintf(fp,
		        "   quorum = %u, hysteresis = %u, state = %s, weight sum = %" PRIu64
		        " of %" PRIu64 "\n",
		        v->q.quorum, v->q.hysteresis, v->q.up ? "UP" : "DOWN", live_weight(v),
		        v->total_weight);
		if (vc->has_sorry)
			fprintf(fp, "   sorry server = %s%s\n",
			        addr_port_fmt(&vc->sorry.addr, vc->sorry.port, a, sizeof(a)),
			        v->sorry_dp_weight >= 0 ? " (active)" : "");
		for (unsigned j = 0; j < v->n_rs; j++) {
			const struct ck_rs *rs = &v->rs[j];

			fprintf(fp, "   RS = %s\n",
			        addr_port_fmt(&rs->conf->addr, rs->conf->port, a, sizeof(a)));
			fprintf(fp, "     Status = %s, weight = %d, effective weight = %d\n",
			        rs->alive ? "UP" : "DOWN", rs->conf->dest.weight, rs->weight);
			fprintf(fp, "     Forwarding method = %s%s\n", fwd_str(rs->conf->dest.fwd),
			        rs->conf->inhibit_on_failure ? ", inhibit_on_failure" : "");
			if (rs->dp_weight >= 0)
				fprintf(fp, "     In data plane with weight %lld\n",
				        (long long)rs->dp_weight);
			else
				fprintf(fp, "     Not in data plane\n");
			for (unsigned k = 0; k < rs->n_checks; k++)
				dump_check(fp, rs->checks[k]);
		}
	}
}

/* The kernel's counters of one real server, summed over the services its
 * virtual server stands for (a group's expansion has many). */
static bool rs_kernel_stats(const struct lvs_table *kt, const struct check_vs_conf *vc,
                            const struct lvs_dest *d, struct lvs_stats *sum)
{
	bool found = false;

	memset(sum, 0, sizeof(*sum));
	for (size_t s = 0; s < vc->n_svcs; s++) {
		const struct lvs_tsvc *ts = lvs_table_find(kt, &vc->svcs[s]);
		const struct lvs_tdest *td = ts ? lvs_svc_find_dest(ts, d) : NULL;

		if (!td)
			continue;
		found = true;
		sum->conns += td->stats.conns;
		sum->inpkts += td->stats.inpkts;
		sum->outpkts += td->stats.outpkts;
		sum->inbytes += td->stats.inbytes;
		sum->outbytes += td->stats.outbytes;
	}
	return found;
}

static void dump_rs_kernel(FILE *fp, const struct lvs_table *kt, const struct check_vs_conf *vc,
                           const struct lvs_dest *d)
{
	struct lvs_stats st;

	if (!kt || !rs_kernel_stats(kt, vc, d, &st))
		return;
	fprintf(fp,
	        "     Data plane: connections %" PRIu64 ", in %" PRIu64 " packets %" PRIu64
	        " bytes, out %" PRIu64 " packets %" PRIu64 " bytes\n",
	        st.conns, st.inpkts, st.inbytes, st.outpkts, st.outbytes);
}

void check_engine_dump_stats(struct check_engine *e, FILE *fp, bool clear)
{
	char a[KA_ADDRSTRLEN + 16];
	struct lvs_table kt;
	bool have_kt = false;

	fprintf(fp, "------< Health checker statistics >------\n");
	if (!e || !e->conf)
		return;
	fprintf(fp, " Distinct checks = %lu\n Attempts = %lu\n Transitions = %lu\n", e->n_checks,
	        e->cnt.attempts, e->cnt.transitions);
	fprintf(fp, " Data-plane mutations = %lu\n", e->dp ? lvs_dp_mutations(e->dp) : 0);
	lvs_table_init(&kt);
	have_kt = e->dp && lvs_dp_read(e->dp, &kt) == 0;
	for (unsigned i = 0; i < e->n_vs; i++) {
		const struct ck_vs *v = &e->vs[i];

		fprintf(fp, " VS = %s\n", v->conf->fifo_name);
		for (unsigned j = 0; j < v->n_rs; j++) {
			const struct ck_rs *rs = &v->rs[j];

			fprintf(fp, "   RS = %s\n",
			        addr_port_fmt(&rs->conf->addr, rs->conf->port, a, sizeof(a)));
			fprintf(fp, "     Transitions = %lu\n", rs->transitions);
			dump_rs_kernel(fp, have_kt ? &kt : NULL, v->conf, &rs->conf->dest);
			for (unsigned k = 0; k < rs->n_checks; k++) {
				struct ck_check *c = rs->checks[k];

				fprintf(fp, "     %s: attempts %lu, failures %lu, last %.3f ms\n",
				        check_type_str(c->cfg->type), c->n_attempts, c->n_failures,
				        (double)c->last_latency_us / 1000.0);
			}
		}
	}
	lvs_table_free(&kt);
	if (clear) {
		e->cnt.attempts = e->cnt.transitions = 0;
		for (unsigned i = 0; i < e->n_vs; i++)
			for (unsigned j = 0; j < e->vs[i].n_rs; j++) {
				e->vs[i].rs[j].transitions = 0;
				for (unsigned k = 0; k < e->vs[i].rs[j].n_checks; k++)
					e->vs[i].rs[j].checks[k]->n_attempts =
					    e->vs[i].rs[j].checks[k]->n_failures = 0;
			}
	}
}

static void json_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(fp, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(fp, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, fp);
	}
	fputc('"', fp);
}

void check_engine_dump_json(struct check_engine *e, FILE *fp)
{
	char a[KA_ADDRSTRLEN + 16];

	fprintf(fp, "[");
	for (unsigned i = 0; e && i < e->n_vs; i++) {
		const struct ck_vs *v = &e->vs[i];

		fprintf(fp, "%s{\"vs\":", i ? "," : "");
		json_str(fp, v->conf->fifo_name);
		fprintf(fp, ",\"quorum_up\":%s,\"real_servers\":[", v->q.up ? "true" : "false");
		for (unsigned j = 0; j < v->n_rs; j++) {
			const struct ck_rs *rs = &v->rs[j];

			fprintf(fp, "%s{\"address\":", j ? "," : "");
			json_str(fp, addr_port_fmt(&rs->conf->addr, rs->conf->port, a, sizeof(a)));
			fprintf(fp, ",\"alive\":%s,\"weight\":%d,\"in_dataplane\":%s}",
			        rs->alive ? "true" : "false", rs->weight,
			        rs->dp_weight >= 0 ? "true" : "false");
		}
		fprintf(fp, "]}");
	}
	fprintf(fp, "]\n");
}
