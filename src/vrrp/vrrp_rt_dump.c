/* Dumps of the VRRP runtime: the data file (SIGUSR1), the stats file
 * (SIGUSR2, with the section names exporters parse) and JSON (SIGRTMIN+2). */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "lib/mtime.h"
#include "vrrp/vrrp_rt.h"

static const char *src_str(const struct vrrp_inst *vi, char *buf, size_t len)
{
	if (!vi->src.family)
		return "(none)";
	return addr_fmt(&vi->src, buf, len);
}

/* The wall-clock time of a monotonic instant, in microseconds. */
static uint64_t wall_us(uint64_t mono)
{
	struct timespec ts;
	uint64_t now_mono = mono_us(), now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	return mono && mono <= now_mono ? now - (now_mono - mono) : now;
}

/* "1795349966.231706 (Sun Nov 22 12:19:26.231706 2026)", as upstream. */
static void fmt_time(FILE *fp, uint64_t us)
{
	time_t t = (time_t)(us / 1000000u);
	struct tm tm;
	char a[32], b[8];

	localtime_r(&t, &tm);
	strftime(a, sizeof(a), "%a %b %e %H:%M:%S", &tm);
	strftime(b, sizeof(b), "%Y", &tm);
	fprintf(fp, "%llu.%06llu (%s.%06llu %s)", (unsigned long long)(us / 1000000u),
	        (unsigned long long)(us % 1000000u), a, (unsigned long long)(us % 1000000u), b);
}

/* A VIP as upstream prints it: the address, /len unless a host length,
 * the device, the scope, and "set" while it is on the interface.  The
 * exporters take the first word as the ip_address label. */
static void fmt_vip(const struct vrrp_inst *vi, const struct vrrp_vip *v, char *buf, size_t len)
{
	char a[KA_ADDRSTRLEN];
	int host = v->addr.family == AF_INET6 ? 128 : 32;
	size_t n;

	addr_fmt(&v->addr, a, sizeof(a));
	n = (size_t)snprintf(buf, len, "%s", a);
	if (v->prefixlen != host && n < len)
		n += (size_t)snprintf(buf + n, len - n, "/%d", v->prefixlen);
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, " dev %s scope %s",
		                      v->dev          ? v->dev
		                      : vi->c->ifname ? vi->c->ifname
		                                      : "(none)",
		                      v->scope_name ? v->scope_name : "global");
	if (vi->vips_set && n < len)
		snprintf(buf + n, len - n, " set");
}

/* Seconds for an interval in centiseconds: "1", "0.1", "2.5". */
static void fmt_secs(FILE *fp, unsigned cs)
{
	if (cs % 100 == 0)
		fprintf(fp, "%u", cs / 100);
	else
		fprintf(fp, "%u.%02u", cs / 100, cs % 100);
}

static void data_inst(const struct vrrp_inst *vi, FILE *fp)
{
	const struct vrrp_instance_conf *c = vi->c;
	char a[KA_ADDRSTRLEN + 96];
	size_t i;

	fprintf(fp, " VRRP Instance = %s\n", c->name);
	fprintf(fp, "   VRRP Version = %d\n", c->version);
	fprintf(fp, "   State = %s\n", vrrp_state_str(vi->fsm.state));
	fprintf(fp, "   Wantstate = %s\n",
	        vi->fsm.want_master || vi->fsm.state == VRRP_STATE_MASTER
	            ? "MASTER"
	            : vrrp_state_str(vi->fsm.state));
	fprintf(fp, "   Fault flags = 0x%x\n", vi->fault);
	fprintf(fp, "   Last transition = ");
	fmt_time(fp, wall_us(vi->fsm.last_transition_us));
	fprintf(fp, "\n");
	fprintf(fp, "   Interface = %s\n", c->ifname ? c->ifname : "(none)");
	fprintf(fp, "   Using src_ip = %s\n", src_str(vi, a, sizeof(a)));
	fprintf(fp, "   Gratuitous ARP delay = %llu\n",
	        (unsigned long long)(c->garp.master_delay_us / 1000000));
	fprintf(fp, "   Gratuitous ARP repeat = %u\n", c->garp.master_repeat);
	fprintf(fp, "   Virtual Router ID = %u\n", c->vrid);
	fprintf(fp, "   Priority = %u\n", c->priority);
	fprintf(fp, "   Effective priority = %u\n", vi->fsm.prio);
	fprintf(fp, "   Advert interval = ");
	if (c->advert_int_cs % 100 == 0)
		fprintf(fp, "%u sec\n", c->advert_int_cs / 100);
	else
		fprintf(fp, "%u milli-sec\n", c->advert_int_cs * 10);
	fprintf(fp, "   Master advert interval = %u milli-sec\n", vi->fsm.master_adver_int_cs * 10);
	fprintf(fp, "   Accept = %s\n", c->accept ? "enabled" : "disabled");
	fprintf(fp, "   Preempt = %s\n", c->nopreempt ? "disabled" : "enabled");
	if (c->preempt_delay_us)
		fprintf(fp, "   Preempt delay = %llu secs\n",
		        (unsigned long long)(c->preempt_delay_us / 1000000));
	/* The password itself is never written (upstream masks it since 2.4). */
	fprintf(fp, "   Authentication type = %s\n",
	        c->auth_type == VRRP_AUTH_PASS ? "SIMPLE_PASSWORD"
	        : c->auth_type == VRRP_AUTH_AH ? "IPSEC_AH"
	                                       : "none");
	if (c->unicast) {
		fprintf(fp, "   Unicast Peer = %zu\n", c->n_peers);
		for (i = 0; i < c->n_peers; i++)
			fprintf(fp, "     %s\n", addr_fmt(&c->peers[i].addr, a, sizeof(a)));
	}
	fprintf(fp, "   Virtual IP (%zu):\n", c->n_vips);
	for (i = 0; i < c->n_vips; i++) {
		fmt_vip(vi, &c->vips[i], a, sizeof(a));
		fprintf(fp, "     %s\n", a);
	}
	if (c->n_evips) {
		fprintf(fp, "   Virtual IP Excluded (%zu):\n", c->n_evips);
		for (i = 0; i < c->n_evips; i++) {
			fmt_vip(vi, &c->evips[i], a, sizeof(a));
			fprintf(fp, "     %s\n", a);
		}
	}
	if (c->track.n_scripts) {
		fprintf(fp, "   Tracked scripts :\n");
		for (i = 0; i < c->track.n_scripts; i++)
			fprintf(fp, "     %s weight %d%s\n", c->track.scripts[i].name,
			        c->track.scripts[i].weight,
			        c->track.scripts[i].reverse ? " reverse" : "");
	}
	fprintf(fp, "   Using smtp notification = %s\n", c->notify.smtp_alert ? "yes" : "no");
}

void vrrp_rt_dump_data(const struct vrrp_rt *rt, FILE *fp)
{
	size_t i;

	fprintf(fp, "------< Global definitions >------\n");
	fprintf(fp, " Router ID = %s\n",
	        rt->conf->global.router_id ? rt->conf->global.router_id : "(unset)");
	fprintf(fp, " Reloads = %llu\n", (unsigned long long)rt->reloads);
	fprintf(fp, "------< VRRP Topology >------\n");
	for (i = 0; i < rt->n_inst; i++)
		data_inst(rt->inst[i], fp);
	if (rt->n_scripts) {
		fprintf(fp, "------< VRRP Scripts >------\n");
		for (i = 0; i < rt->n_scripts; i++) {
			const struct vrrp_script_rt *s = rt->scripts[i];

			fprintf(fp, " VRRP Script = %s\n", s->c->name);
			fprintf(fp, "   Command = '%s'\n", s->c->cmd.text);
			fprintf(fp, "   Interval = %llu sec\n",
			        (unsigned long long)(s->c->interval_us / 1000000));
			fprintf(fp, "   Weight = %d%s\n", s->c->weight,
			        s->c->weight_reverse ? " reverse" : "");
			fprintf(fp, "   Rise = %u\n   Fall = %u\n", s->c->rise, s->c->fall);
			fprintf(fp, "   Status = %s\n", s->rf.up ? "GOOD" : "BAD");
		}
	}
	if (rt->n_groups) {
		fprintf(fp, "------< VRRP Sync groups >------\n");
		for (i = 0; i < rt->n_groups; i++) {
			size_t m;

			fprintf(fp, " VRRP Sync Group = %s, %s\n", rt->groups[i].c->name,
			        vrrp_state_str(rt->groups[i].state));
			for (m = 0; m < rt->groups[i].n; m++)
				fprintf(fp, "   monitor = %s\n", rt->groups[i].insts[m]->c->name);
		}
	}
}

void vrrp_rt_dump_stats(struct vrrp_rt *rt, FILE *fp, bool clear)
{
	size_t i;

	for (i = 0; i < rt->n_inst; i++) {
		struct vrrp_inst *vi = rt->inst[i];
		const struct vrrp_fsm_stats *st = &vi->fsm.stats;
		const uint64_t *e = vi->rx_err;

		fprintf(fp, "VRRP Instance: %s\n", vi->c->name);
		fprintf(fp, "  Advertisements:\n    Received: %llu\n    Sent: %llu\n",
		        (unsigned long long)vi->advert_rcvd, (unsigned long long)vi->advert_sent);
		fprintf(fp, "  Became master: %llu\n", (unsigned long long)st->became_master);
		fprintf(fp, "  Released master: %llu\n", (unsigned long long)st->released_master);
		fprintf(fp, "  Packet Errors:\n");
		fprintf(fp, "    Length: %llu\n", (unsigned long long)e[VRRP_RX_LENGTH]);
		fprintf(fp, "    TTL: %llu\n", (unsigned long long)e[VRRP_RX_TTL]);
		fprintf(fp, "    Invalid Type: %llu\n", (unsigned long long)e[VRRP_RX_TYPE]);
		fprintf(fp, "    Advertisement Interval: %llu\n",
		        (unsigned long long)(e[VRRP_RX_INTERVAL] + vi->interval_warn));
		fprintf(fp, "    Address List: %llu\n", (unsigned long long)vi->addr_list_warn);
		fprintf(fp, "  Authentication Errors:\n");
		fprintf(fp, "    Invalid Type: %llu\n",
		        (unsigned long long)e[VRRP_RX_AUTH_TYPE_INVALID]);
		fprintf(fp, "    Type Mismatch: %llu\n",
		        (unsigned long long)e[VRRP_RX_AUTH_TYPE_MISMATCH]);
		fprintf(fp, "    Failure: %llu\n", (unsigned long long)e[VRRP_RX_AUTH_FAILURE]);
		fprintf(fp, "  Priority Zero:\n    Received: %llu\n    Sent: %llu\n",
		        (unsigned long long)st->pri_zero_rcvd,
		        (unsigned long long)st->pri_zero_sent);
		if (clear) {
			vi->advert_rcvd = vi->advert_sent = 0;
			vi->addr_list_warn = vi->interval_warn = 0;
			memset(vi->rx_err, 0, sizeof(vi->rx_err));
			vi->fsm.stats.became_master = vi->fsm.stats.released_master = 0;
			vi->fsm.stats.pri_zero_rcvd = vi->fsm.stats.pri_zero_sent = 0;
		}
	}
}

static void json_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(fp, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(fp, "\\u%04x", ch);
		else
			fputc(ch, fp);
	}
	fputc('"', fp);
}

void vrrp_rt_dump_json(const struct vrrp_rt *rt, FILE *fp)
{
	size_t i, k;

	fputc('[', fp);
	for (i = 0; i < rt->n_inst; i++) {
		const struct vrrp_inst *vi = rt->inst[i];
		const struct vrrp_instance_conf *c = vi->c;
		const uint64_t *e = vi->rx_err;
		char v[KA_ADDRSTRLEN + 96];
		uint64_t lt = wall_us(vi->fsm.last_transition_us);

		fprintf(fp, "%s{\"data\":{\"iname\":", i ? "," : "");
		json_str(fp, c->name);
		fprintf(fp, ",\"vmac_ifname\":\"\",\"ifp_ifname\":");
		json_str(fp, c->ifname);
		fprintf(fp,
		        ",\"last_transition\":%llu.%06llu,\"garp_delay\":%llu,\"garp_rep\":%u,"
		        "\"vrid\":%u,\"base_priority\":%u,\"effective_priority\":%u,"
		        "\"vipset\":%s,\"adver_int\":",
		        (unsigned long long)(lt / 1000000u), (unsigned long long)(lt % 1000000u),
		        (unsigned long long)(c->garp.master_delay_us / 1000000),
		        c->garp.master_repeat, c->vrid, c->priority, vi->fsm.prio,
		        vi->vips_set ? "true" : "false");
		fmt_secs(fp, c->advert_int_cs);
		fprintf(fp, ",\"master_adver_int\":");
		fmt_secs(fp, vi->fsm.master_adver_int_cs);
		fprintf(fp,
		        ",\"accept\":%d,\"nopreempt\":%s,\"preempt_delay\":%llu,\"state\":%d,"
		        "\"wantstate\":%d,\"version\":%d,\"smtp_alert\":%s,\"vips\":[",
		        c->accept ? 1 : 0, c->nopreempt ? "true" : "false",
		        (unsigned long long)(c->preempt_delay_us / 1000000), (int)vi->fsm.state,
		        vi->fsm.want_master ? (int)VRRP_STATE_MASTER : (int)vi->fsm.state,
		        c->version, c->notify.smtp_alert ? "true" : "false");
		for (k = 0; k < c->n_vips; k++) {
			fmt_vip(vi, &c->vips[k], v, sizeof(v));
			fprintf(fp, "%s", k ? "," : "");
			json_str(fp, v);
		}
		fprintf(fp, "],\"evips\":[");
		for (k = 0; k < c->n_evips; k++) {
			fmt_vip(vi, &c->evips[k], v, sizeof(v));
			fprintf(fp, "%s", k ? "," : "");
			json_str(fp, v);
		}
		fprintf(fp, "],\"track_script\":[");
		for (k = 0; k < c->track.n_scripts; k++) {
			fprintf(fp, "%s", k ? "," : "");
			json_str(fp, c->track.scripts[k].name);
		}
		fprintf(fp, "],\"auth_type\":%d},\"stats\":{", (int)c->auth_type);
		fprintf(fp,
		        "\"advert_rcvd\":%llu,\"advert_sent\":%llu,\"become_master\":%llu,"
		        "\"release_master\":%llu,\"packet_len_err\":%llu,"
		        "\"advert_interval_err\":%llu,\"ip_ttl_err\":%llu,"
		        "\"invalid_type_rcvd\":%llu,\"addr_list_err\":%llu,"
		        "\"invalid_authtype\":%llu,\"authtype_mismatch\":%llu,"
		        "\"auth_failure\":%llu,\"pri_zero_rcvd\":%llu,\"pri_zero_sent\":%llu}}",
		        (unsigned long long)vi->advert_rcvd, (unsigned long long)vi->advert_sent,
		        (unsigned long long)vi->fsm.stats.became_master,
		        (unsigned long long)vi->fsm.stats.released_master,
		        (unsigned long long)e[VRRP_RX_LENGTH],
		        (unsigned long long)(e[VRRP_RX_INTERVAL] + vi->interval_warn),
		        (unsigned long long)e[VRRP_RX_TTL], (unsigned long long)e[VRRP_RX_TYPE],
		        (unsigned long long)vi->addr_list_warn,
		        (unsigned long long)e[VRRP_RX_AUTH_TYPE_INVALID],
		        (unsigned long long)e[VRRP_RX_AUTH_TYPE_MISMATCH],
		        (unsigned long long)e[VRRP_RX_AUTH_FAILURE],
		        (unsigned long long)vi->fsm.stats.pri_zero_rcvd,
		        (unsigned long long)vi->fsm.stats.pri_zero_sent);
	}
	fprintf(fp, "]\n");
}
