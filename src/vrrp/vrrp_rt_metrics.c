/* The VRRP child's metrics: per instance state, priorities, transitions and
 * every advert/error counter of the stats dump, under the names
 * mehdy/keepalived-exporter uses where they overlap; per script and per
 * sync group state.  Rendered on request from the parent. */
#include <ctype.h>
#include <time.h>

#include "lib/mtime.h"
#include "lib/promtext.h"
#include "vrrp/vrrp_rt.h"
#include "vrrp/vrrp_rt_metrics.h"

/* Labels of every per-instance family (mehdy's). */
#define INST_LABELS(vi, vrid) "iname", (vi)->c->name, "intf", (vi)->c->ifname, "vrid", (vrid)

struct counter_def {
	const char *name, *help;
};

/* The stats dump's counters, in its order, under mehdy's names. */
enum {
	C_ADV_RCVD,
	C_ADV_SENT,
	C_BECOME,
	C_RELEASE,
	C_LEN,
	C_TTL,
	C_TYPE,
	C_INTERVAL,
	C_ADDR_LIST,
	C_AUTH_INVALID,
	C_AUTH_MISMATCH,
	C_AUTH_FAILURE,
	C_PZ_RCVD,
	C_PZ_SENT,
	C_COUNT
};

static const struct counter_def counters[C_COUNT] = {
    [C_ADV_RCVD] = {"keepalived_advertisements_received_total", "Adverts received."},
    [C_ADV_SENT] = {"keepalived_advertisements_sent_total", "Adverts sent."},
    [C_BECOME] = {"keepalived_become_master_total", "Transitions into MASTER."},
    [C_RELEASE] = {"keepalived_release_master_total", "Transitions out of MASTER."},
    [C_LEN] = {"keepalived_packet_length_errors_total", "Adverts dropped: bad length."},
    [C_TTL] = {"keepalived_ip_ttl_errors_total", "Adverts dropped: TTL/hop limit not 255."},
    [C_TYPE] = {"keepalived_invalid_type_received_total", "Adverts dropped: type not 1."},
    [C_INTERVAL] = {"keepalived_advertisements_interval_errors_total",
                    "Adverts whose interval differs from ours."},
    [C_ADDR_LIST] = {"keepalived_address_list_errors_total",
                     "Adverts whose address list differs from ours."},
    [C_AUTH_INVALID] = {"keepalived_authentication_invalid_total",
                        "Adverts dropped: unknown authentication type."},
    [C_AUTH_MISMATCH] = {"keepalived_authentication_mismatch_total",
                         "Adverts dropped: authentication type differs from ours."},
    [C_AUTH_FAILURE] = {"keepalived_authentication_failure_total",
                        "Adverts dropped: authentication failed."},
    [C_PZ_RCVD] = {"keepalived_priority_zero_received_total", "Priority-0 adverts received."},
    [C_PZ_SENT] = {"keepalived_priority_zero_sent_total", "Priority-0 adverts sent."},
};

static void counter_values(const struct vrrp_inst *vi, uint64_t *v)
{
	const uint64_t *e = vi->rx_err;
	const struct vrrp_fsm_stats *st = &vi->fsm.stats;

	v[C_ADV_RCVD] = vi->advert_rcvd;
	v[C_ADV_SENT] = vi->advert_sent;
	v[C_BECOME] = st->became_master;
	v[C_RELEASE] = st->released_master;
	v[C_LEN] = e[VRRP_RX_LENGTH];
	v[C_TTL] = e[VRRP_RX_TTL];
	v[C_TYPE] = e[VRRP_RX_TYPE];
	v[C_INTERVAL] = e[VRRP_RX_INTERVAL] + vi->interval_warn;
	v[C_ADDR_LIST] = vi->addr_list_warn;
	v[C_AUTH_INVALID] = e[VRRP_RX_AUTH_TYPE_INVALID];
	v[C_AUTH_MISMATCH] = e[VRRP_RX_AUTH_TYPE_MISMATCH];
	v[C_AUTH_FAILURE] = e[VRRP_RX_AUTH_FAILURE];
	v[C_PZ_RCVD] = st->pri_zero_rcvd;
	v[C_PZ_SENT] = st->pri_zero_sent;
}

/* "bad TTL/hop limit" -> "bad_ttl_hop_limit": the receive reasons as label
 * values, from the same table the logs use. */
static void reason_label(enum vrrp_rx_err e, char *buf, size_t len)
{
	const char *s = vrrp_rx_err_str(e);
	size_t n = 0;
	bool sep = false;

	for (; s && *s && n + 1 < len; s++) {
		if (isalnum((unsigned char)*s)) {
			if (sep && n)
				buf[n++] = '_';
			sep = false;
			if (n + 1 < len)
				buf[n++] = (char)tolower((unsigned char)*s);
		} else {
			sep = true;
		}
	}
	buf[n] = '\0';
}

/* A CLOCK_MONOTONIC instant as Unix time. */
static double mono_to_wall(uint64_t at_us)
{
	struct timespec ts;
	double now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	return now - (double)(mono_us() - at_us) / 1e6;
}

static void inst_state(struct prom *pr, const struct vrrp_inst *vi, const char *vrid)
{
	const struct vrrp_instance_conf *c = vi->c;
	char a[KA_ADDRSTRLEN];
	struct prom_fam *f;
	size_t i;

	f = prom_family(pr, "keepalived_vrrp_state", PROM_GAUGE,
	                "Instance state: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT, 4 STOP; one series "
	                "per virtual IP.");
	for (i = 0; i < c->n_vips; i++)
		prom_addu(f, vi->fsm.state, INST_LABELS(vi, vrid), "ip_address",
		          addr_fmt(&c->vips[i].addr, a, sizeof(a)), NULL);
	if (!c->n_vips)
		prom_addu(f, vi->fsm.state, INST_LABELS(vi, vrid), "ip_address", "", NULL);
	f = prom_family(pr, "keepalived_vrrp_excluded_state", PROM_GAUGE,
	                "Instance state, one series per excluded virtual IP.");
	for (i = 0; i < c->n_evips; i++)
		prom_addu(f, vi->fsm.state, INST_LABELS(vi, vrid), "ip_address",
		          addr_fmt(&c->evips[i].addr, a, sizeof(a)), NULL);
	f = prom_family(pr, "keepalived_vrrp_wantstate", PROM_GAUGE,
	                "The state the instance is heading for (2 while a sync-group member "
	                "waits for its group to go MASTER), else its state.");
	prom_addu(f,
	          vi->fsm.want_master || vi->fsm.state == VRRP_STATE_MASTER ? VRRP_STATE_MASTER
	                                                                    : vi->fsm.state,
	          INST_LABELS(vi, vrid), NULL);
	f = prom_family(pr, "keepalived_vrrp_priority", PROM_GAUGE, "Configured priority.");
	prom_addu(f, c->priority, INST_LABELS(vi, vrid), NULL);
	f = prom_family(pr, "keepalived_vrrp_effective_priority", PROM_GAUGE,
	                "Priority after tracking weights (what the adverts carry).");
	prom_addu(f, vi->fsm.prio, INST_LABELS(vi, vrid), NULL);
	f = prom_family(pr, "keepalived_vrrp_fault_flags", PROM_GAUGE,
	                "Why the instance is in FAULT, a bit mask: 1 interface down, 2 tracker, "
	                "4 no source address, 8 configuration, 16 socket.");
	prom_addu(f, vi->fault, INST_LABELS(vi, vrid), NULL);
	if (vi->fsm.last_transition_us) {
		f = prom_family(pr, "keepalived_vrrp_last_transition_timestamp_seconds", PROM_GAUGE,
		                "When the instance last changed state (Unix time).");
		prom_addd(f, mono_to_wall(vi->fsm.last_transition_us), INST_LABELS(vi, vrid), NULL);
	}
	f = prom_family(pr, "keepalived_vrrp_master_priority", PROM_GAUGE,
	                "Priority of the last master heard (BACKUP), 0 if none.");
	prom_addu(f, vi->fsm.master_prio, INST_LABELS(vi, vrid), NULL);
}

static void inst_counters(struct prom *pr, const struct vrrp_inst *vi, const char *vrid)
{
	uint64_t v[C_COUNT];
	struct prom_fam *f;
	char reason[64];

	counter_values(vi, v);
	for (int i = 0; i < C_COUNT; i++) {
		f = prom_family(pr, counters[i].name, PROM_COUNTER, counters[i].help);
		prom_addu(f, v[i], INST_LABELS(vi, vrid), NULL);
	}
	f = prom_family(pr, "keepalived_gratuitous_arp_delay_total", PROM_COUNTER,
	                "garp_master_delay in seconds (a setting; mehdy's name and type).");
	prom_addu(f, vi->c->garp.master_delay_us / 1000000, INST_LABELS(vi, vrid), NULL);
	f = prom_family(pr, "keepalived_vrrp_rx_errors_total", PROM_COUNTER,
	                "Received packets by the rule that rejected or flagged them.");
	for (int e = VRRP_RX_OK + 1; e < VRRP_RX_ERR_COUNT; e++) {
		reason_label((enum vrrp_rx_err)e, reason, sizeof(reason));
		prom_addu(f, vi->rx_err[e], INST_LABELS(vi, vrid), "reason", reason, NULL);
	}
	f = prom_family(pr, "keepalived_vrrp_transitions_total", PROM_COUNTER,
	                "State changes by (from, to); pairs that never happened are left out.");
	for (int a = 0; a < VRRP_STATE_COUNT; a++)
		for (int b = 0; b < VRRP_STATE_COUNT; b++)
			if (a != b && vi->fsm.stats.transitions[a][b])
				prom_addu(f, vi->fsm.stats.transitions[a][b], INST_LABELS(vi, vrid),
				          "from", vrrp_state_str((enum vrrp_fsm_state)a), "to",
				          vrrp_state_str((enum vrrp_fsm_state)b), NULL);
}

static void scripts_groups(struct prom *pr, const struct vrrp_rt *rt)
{
	struct prom_fam *f;
	size_t i;

	for (i = 0; i < rt->n_scripts; i++) {
		const struct vrrp_script_rt *s = rt->scripts[i];
		const char *name = s->c->name;

		f = prom_family(pr, "keepalived_script_status", PROM_GAUGE,
		                "vrrp_script result: 1 GOOD, 0 BAD (after rise/fall).");
		prom_addu(f, s->rf.up, "name", name, NULL);
		f = prom_family(pr, "keepalived_script_state", PROM_GAUGE,
		                "vrrp_script process: 0 idle, 1 running.");
		prom_addu(f, s->running, "name", name, NULL);
		f = prom_family(pr, "keepalived_script_runs_total", PROM_COUNTER,
		                "vrrp_script runs completed.");
		prom_addu(f, s->runs, "name", name, NULL);
		f = prom_family(pr, "keepalived_script_failures_total", PROM_COUNTER,
		                "vrrp_script runs that failed (non-zero exit or timeout).");
		prom_addu(f, s->failures, "name", name, NULL);
	}
	for (i = 0; i < rt->n_tfiles; i++) {
		f = prom_family(pr, "keepalived_track_file_value", PROM_GAUGE,
		                "The number in a vrrp_track_file (0 when unreadable).");
		prom_addi(f, rt->tfiles[i].ok ? rt->tfiles[i].value : 0, "name",
		          rt->tfiles[i].c->name, NULL);
	}
	for (i = 0; i < rt->n_groups; i++) {
		f = prom_family(pr, "keepalived_vrrp_sync_group_state", PROM_GAUGE,
		                "Sync group state: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT, 4 STOP.");
		prom_addu(f, rt->groups[i].state, "name", rt->groups[i].c->name, NULL);
	}
}

void vrrp_rt_metrics(const struct vrrp_rt *rt, FILE *fp)
{
	struct prom *pr = prom_new();
	struct prom_fam *f;
	char vrid[8];
	size_t i;

	if (!pr)
		return;
	f = prom_family(pr, "keepalived_vrrp_instances", PROM_GAUGE, "VRRP instances configured.");
	prom_addu(f, rt->conf ? rt->n_inst : 0, NULL);
	f = prom_family(pr, "keepalived_vrrp_reloads_total", PROM_COUNTER,
	                "Reloads applied by the VRRP child.");
	prom_addu(f, rt->reloads, NULL);
	for (i = 0; rt->conf && i < rt->n_inst; i++) {
		const struct vrrp_inst *vi = rt->inst[i];

		if (vi->deleted)
			continue;
		snprintf(vrid, sizeof(vrid), "%u", vi->c->vrid);
		inst_state(pr, vi, vrid);
		inst_counters(pr, vi, vrid);
	}
	if (rt->conf)
		scripts_groups(pr, rt);
	prom_write(pr, fp);
	prom_free(pr);
}
