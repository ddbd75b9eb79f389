/* Test driver for the IPVS data plane (src/lvs): used in the qemu VM next to
 * Debian's ipvsadm, and on the host to check that IPVS is reported missing.
 *
 *   ka_ipvs probe
 *   ka_ipvs list
 *   ka_ipvs sync WANT [-d DROP] [-f] [--set SVC DEST]... [--del SVC DEST]...
 *                [--read] [--remove-own]
 *   ka_ipvs daemon start master|backup IFNAME SYNCID [maxlen N] [port N] [ttl N]
 *                  [group ADDR]
 *   ka_ipvs daemon stop master|backup
 *   ka_ipvs daemon list
 *   ka_ipvs timeouts [TCP TCPFIN UDP]
 *
 * Table files (WANT, DROP) and the SVC/DEST arguments use one line per
 * service or destination; a dest line belongs to the service above it:
 *   service tcp|udp|sctp ADDR PORT [sched S] [flags N] [timeout N]
 *           [netmask MASK|PLEN] [pe NAME]
 *   service fwmark N inet|inet6 [sched S] ...
 *   dest ADDR PORT [nat|dr|tun] [weight N] [uthreshold N] [lthreshold N]
 *        [tuntype ipip|gue|gre] [tunport N] [tunflags N]
 * `list` prints every service in the kernel (ours or not) in that form with
 * every field, destinations indented.  `sync` prints
 *   sync failed=N mutations=M
 * then for each --set/--del "set|del rc=R mutations=M", and with --read the
 * table lvs_dp_read returns.  Exit status: 0, 1 on a failed operation, 2 on
 * usage errors. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/ip_vs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/log.h"
#include "lvs/ipvs.h"
#include "lvs/lvs.h"
#include "tablefile.h"

static void usage(void)
{
	fprintf(stderr, "usage: ka_ipvs probe | list | sync WANT [-d DROP] [-f] [--set SVC DEST]"
	                "... [--del SVC DEST]... [--read] [--remove-own] | daemon start|stop|list"
	                " ... | timeouts [TCP TCPFIN UDP]\n");
	exit(2);
}

static void print_table(const struct lvs_table *t)
{
	static const char *const fwd[] = {"nat", "dr", "tun"};
	static const char *const tun[] = {"ipip", "gue", "gre"};
	char b[KA_ADDRSTRLEN], m[INET_ADDRSTRLEN];
	size_t i, j;

	for (i = 0; i < t->n_svcs; i++) {
		const struct lvs_tsvc *s = &t->svcs[i];
		const struct lvs_svc_attr *a = &s->attr;

		tf_print_svc_key(&s->key);
		printf(" sched %s flags 0x%x timeout %u", a->sched, a->flags, a->timeout_s);
		if (s->key.af == AF_INET6)
			printf(" netmask %u", a->netmask);
		else
			printf(" netmask %s",
			       inet_ntop(AF_INET, &a->netmask, m, sizeof(m)) ? m : "?");
		if (a->pe_name[0])
			printf(" pe %s", a->pe_name);
		printf("\n");
		for (j = 0; j < s->n_dests; j++) {
			const struct lvs_dest *d = &s->dests[j].d;

			printf("  dest %s %u %s weight %d uthreshold %u lthreshold %u",
			       addr_fmt(&d->addr, b, sizeof(b)), d->port,
			       (unsigned)d->fwd < 3 ? fwd[d->fwd] : "?", d->weight, d->u_threshold,
			       d->l_threshold);
			if (d->fwd == LVS_FWD_TUN)
				printf(" tuntype %s tunport %u tunflags %u",
				       d->tun_type < 3 ? tun[d->tun_type] : "?", d->tun_port,
				       d->tun_flags);
			printf("\n");
		}
	}
	fflush(stdout);
}

static struct ipvs *open_ipvs(void)
{
	char err[256];
	struct ipvs *ip = ipvs_open(err, sizeof(err));

	if (!ip) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	return ip;
}

static int cmd_list(void)
{
	struct ipvs *ip = open_ipvs();
	struct lvs_table t;
	size_t i;
	int r;

	lvs_table_init(&t);
	r = ipvs_read_services(ip, &t);
	for (i = 0; r == 0 && i < t.n_svcs; i++)
		r = ipvs_read_dests(ip, &t.svcs[i]);
	if (r < 0) {
		fprintf(stderr, "ka_ipvs: list: %s %s\n", strerror(-r), ipvs_errmsg(ip));
		return 1;
	}
	print_table(&t);
	lvs_table_free(&t);
	ipvs_close(ip);
	return 0;
}

static int cmd_sync(int argc, char **argv)
{
	struct lvs_table want, drop;
	bool flush = false, remove_own = false, have_drop = false;
	struct lvs_svc_key k;
	struct lvs_dest d;
	struct lvs_dp *dp;
	char err[256];
	int i, r, status = 0;

	if (argc < 1)
		usage();
	tf_load_table(argv[0], &want);
	lvs_table_init(&drop);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-d") && i + 1 < argc) {
			lvs_table_free(&drop);
			tf_load_table(argv[++i], &drop);
			have_drop = true;
		} else if (!strcmp(argv[i], "-f"))
			flush = true;
	}
	dp = lvs_dp_open(LVS_PLANE_IPVS, err, sizeof(err));
	if (!dp) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	r = lvs_dp_sync(dp, &want, have_drop ? &drop : NULL, flush);
	printf("sync failed=%d mutations=%lu\n", r, lvs_dp_mutations(dp));
	if (r != 0)
		status = 1;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-d"))
			i++;
		else if ((!strcmp(argv[i], "--set") || !strcmp(argv[i], "--del")) && i + 2 < argc) {
			tf_parse_pair(argv[i + 1], argv[i + 2], &k, &d);
			r = !strcmp(argv[i], "--set") ? lvs_dp_dest_set(dp, &k, &d)
			                              : lvs_dp_dest_del(dp, &k, &d);
			printf("%s rc=%d mutations=%lu\n", argv[i] + 2, r, lvs_dp_mutations(dp));
			if (r)
				status = 1;
			i += 2;
		} else if (!strcmp(argv[i], "--read")) {
			struct lvs_table t;

			lvs_table_init(&t);
			r = lvs_dp_read(dp, &t);
			printf("read rc=%d\n", r);
			print_table(&t);
			lvs_table_free(&t);
		} else if (!strcmp(argv[i], "--remove-own"))
			remove_own = true;
		else if (strcmp(argv[i], "-f"))
			usage();
	}
	fflush(stdout);
	lvs_dp_close(dp, remove_own);
	lvs_table_free(&want);
	lvs_table_free(&drop);
	return status;
}

static int cmd_daemon(int argc, char **argv)
{
	struct lvs_syncd s;
	struct lvs_syncd ds[2];
	struct ipvs *ip;
	size_t n, j;
	int i, r;
	char b[KA_ADDRSTRLEN];

	if (argc < 1)
		usage();
	ip = open_ipvs();
	if (!strcmp(argv[0], "list")) {
		r = ipvs_read_daemons(ip, ds, &n);
		if (r < 0) {
			fprintf(stderr, "ka_ipvs: daemon list: %s\n", strerror(-r));
			return 1;
		}
		for (j = 0; j < n; j++) {
			printf("%s %s syncid %u maxlen %u port %u ttl %u",
			       ds[j].backup ? "backup" : "master", ds[j].ifname, ds[j].syncid,
			       ds[j].maxlen, ds[j].port, ds[j].ttl);
			if (ds[j].mcast.family)
				printf(" group %s", addr_fmt(&ds[j].mcast, b, sizeof(b)));
			printf("\n");
		}
		ipvs_close(ip);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "master") && strcmp(argv[1], "backup")))
		usage();
	memset(&s, 0, sizeof(s));
	s.backup = !strcmp(argv[1], "backup");
	if (!strcmp(argv[0], "stop")) {
		r = ipvs_daemon_stop(ip, s.backup);
	} else if (!strcmp(argv[0], "start") && argc >= 4) {
		snprintf(s.ifname, sizeof(s.ifname), "%s", argv[2]);
		s.syncid = (uint32_t)tf_num(argv[3], 255, argv[3]);
		for (i = 4; i + 1 < argc; i += 2) {
			if (!strcmp(argv[i], "maxlen"))
				s.maxlen = (uint16_t)tf_num(argv[i + 1], 65535, argv[i + 1]);
			else if (!strcmp(argv[i], "port"))
				s.port = (uint16_t)tf_num(argv[i + 1], 65535, argv[i + 1]);
			else if (!strcmp(argv[i], "ttl"))
				s.ttl = (uint8_t)tf_num(argv[i + 1], 255, argv[i + 1]);
			else if (!strcmp(argv[i], "group")) {
				if (addr_parse(argv[i + 1], &s.mcast) < 0)
					tf_die("bad group", argv[i + 1]);
			} else
				usage();
		}
		r = ipvs_daemon_start(ip, &s);
	} else {
		usage();
	}
	if (r < 0)
		fprintf(stderr, "ka_ipvs: daemon %s: %s\n", argv[0], strerror(-r));
	ipvs_close(ip);
	return r < 0;
}

static int cmd_timeouts(int argc, char **argv)
{
	struct ipvs *ip = open_ipvs();
	uint32_t tcp, fin, udp;
	int r;

	if (argc == 3) {
		r = ipvs_set_timeouts(ip, (uint32_t)tf_num(argv[0], UINT32_MAX, argv[0]),
		                      (uint32_t)tf_num(argv[1], UINT32_MAX, argv[1]),
		                      (uint32_t)tf_num(argv[2], UINT32_MAX, argv[2]));
		if (r < 0) {
			fprintf(stderr, "ka_ipvs: timeouts: %s\n", strerror(-r));
			return 1;
		}
	} else if (argc != 0) {
		usage();
	}
	r = ipvs_get_timeouts(ip, &tcp, &fin, &udp);
	if (r < 0) {
		fprintf(stderr, "ka_ipvs: timeouts: %s\n", strerror(-r));
		return 1;
	}
	printf("tcp %u tcpfin %u udp %u\n", tcp, fin, udp);
	ipvs_close(ip);
	return 0;
}

int main(int argc, char **argv)
{
	struct log_opts lo = {.console = true, .no_syslog = true, .facility = LOG_DAEMON};
	char err[256];
	struct lvs_dp *dp;

	tf_prog = "ka_ipvs";

	log_init("ka_ipvs", &lo, NULL);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "probe")) {
		dp = lvs_dp_open(LVS_PLANE_IPVS, err, sizeof(err));
		if (!dp) {
			printf("%s\n", err);
			return 1;
		}
		printf("IPVS available\n");
		lvs_dp_close(dp, false);
		return 0;
	}
	if (!strcmp(argv[1], "list"))
		return cmd_list();
	if (!strcmp(argv[1], "sync"))
		return cmd_sync(argc - 2, argv + 2);
	if (!strcmp(argv[1], "daemon"))
		return cmd_daemon(argc - 2, argv + 2);
	if (!strcmp(argv[1], "timeouts"))
		return cmd_timeouts(argc - 2, argv + 2);
	usage();
	return 2;
}
