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

static void usage(void)
{
	fprintf(stderr, "usage: ka_ipvs probe | list | sync WANT [-d DROP] [-f] [--set SVC DEST]"
	                "... [--del SVC DEST]... [--read] [--remove-own] | daemon start|stop|list"
	                " ... | timeouts [TCP TCPFIN UDP]\n");
	exit(2);
}

static void die(const char *what, const char *line)
{
	fprintf(stderr, "ka_ipvs: %s: %s\n", what, line);
	exit(2);
}

static unsigned long num(const char *s, unsigned long max, const char *line)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s || v > max)
		die("bad number", line);
	return v;
}

#define MAXTOK 32

static int split(char *s, char **tok)
{
	int n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(s, " \t\r\n", &save); t && n < MAXTOK;
	     t = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = t;
	return n;
}

static int parse_svc(char **t, int n, struct lvs_svc_key *k, struct lvs_svc_attr *a,
                     const char *line)
{
	int i;

	memset(k, 0, sizeof(*k));
	memset(a, 0, sizeof(*a));
	strcpy(a->sched, "wlc");
	if (n < 4)
		die("short service line", line);
	if (!strcmp(t[1], "fwmark")) {
		k->fwmark = (uint32_t)num(t[2], UINT32_MAX, line);
		k->protocol = IPPROTO_TCP;
		if (!strcmp(t[3], "inet"))
			k->af = AF_INET;
		else if (!strcmp(t[3], "inet6"))
			k->af = AF_INET6;
		else
			die("fwmark family must be inet or inet6", line);
	} else {
		if (!strcmp(t[1], "tcp"))
			k->protocol = IPPROTO_TCP;
		else if (!strcmp(t[1], "udp"))
			k->protocol = IPPROTO_UDP;
		else if (!strcmp(t[1], "sctp"))
			k->protocol = IPPROTO_SCTP;
		else
			die("bad protocol", line);
		if (addr_parse(t[2], &k->addr) < 0)
			die("bad address", line);
		k->af = k->addr.family;
		k->port = (uint16_t)num(t[3], 65535, line);
	}
	for (i = 4; i + 1 < n; i += 2) {
		if (!strcmp(t[i], "sched"))
			snprintf(a->sched, sizeof(a->sched), "%s", t[i + 1]);
		else if (!strcmp(t[i], "flags"))
			a->flags = (uint32_t)num(t[i + 1], UINT32_MAX, line);
		else if (!strcmp(t[i], "timeout"))
			a->timeout_s = (uint32_t)num(t[i + 1], UINT32_MAX, line);
		else if (!strcmp(t[i], "pe"))
			snprintf(a->pe_name, sizeof(a->pe_name), "%s", t[i + 1]);
		else if (!strcmp(t[i], "netmask")) {
			struct in_addr m;

			if (k->af == AF_INET6)
				a->netmask = (uint32_t)num(t[i + 1], 128, line);
			else if (inet_pton(AF_INET, t[i + 1], &m) == 1)
				a->netmask = m.s_addr;
			else
				die("bad netmask", line);
		} else
			die("unknown service keyword", line);
	}
	if (i != n)
		die("odd service line", line);
	return 0;
}

static void parse_dest(char **t, int n, struct lvs_dest *d, const char *line)
{
	int i = 3;

	memset(d, 0, sizeof(*d));
	d->weight = 1;
	if (n < 3 || addr_parse(t[1], &d->addr) < 0)
		die("bad dest line", line);
	d->af = d->addr.family;
	d->port = (uint16_t)num(t[2], 65535, line);
	if (i < n && (!strcmp(t[i], "nat") || !strcmp(t[i], "dr") || !strcmp(t[i], "tun"))) {
		d->fwd = !strcmp(t[i], "nat")  ? LVS_FWD_NAT
		         : !strcmp(t[i], "dr") ? LVS_FWD_DR
		                               : LVS_FWD_TUN;
		i++;
	}
	for (; i + 1 < n; i += 2) {
		if (!strcmp(t[i], "weight"))
			d->weight = (int32_t)num(t[i + 1], INT32_MAX, line);
		else if (!strcmp(t[i], "uthreshold"))
			d->u_threshold = (uint32_t)num(t[i + 1], UINT32_MAX, line);
		else if (!strcmp(t[i], "lthreshold"))
			d->l_threshold = (uint32_t)num(t[i + 1], UINT32_MAX, line);
		else if (!strcmp(t[i], "tunport"))
			d->tun_port = (uint16_t)num(t[i + 1], 65535, line);
		else if (!strcmp(t[i], "tunflags"))
			d->tun_flags = (uint16_t)num(t[i + 1], 65535, line);
		else if (!strcmp(t[i], "tuntype")) {
			if (!strcmp(t[i + 1], "ipip"))
				d->tun_type = IP_VS_CONN_F_TUNNEL_TYPE_IPIP;
			else if (!strcmp(t[i + 1], "gue"))
				d->tun_type = IP_VS_CONN_F_TUNNEL_TYPE_GUE;
			else if (!strcmp(t[i + 1], "gre"))
				d->tun_type = IP_VS_CONN_F_TUNNEL_TYPE_GRE;
			else
				die("bad tunnel type", line);
		} else
			die("unknown dest keyword", line);
	}
	if (i != n)
		die("odd dest line", line);
}

static void load_table(const char *path, struct lvs_table *t)
{
	char line[512], copy[512], *tok[MAXTOK];
	struct lvs_tsvc *cur = NULL;
	struct lvs_svc_key k;
	struct lvs_svc_attr a;
	struct lvs_dest d;
	FILE *f = fopen(path, "r");
	int n;

	if (!f) {
		perror(path);
		exit(2);
	}
	lvs_table_init(t);
	while (fgets(line, sizeof(line), f)) {
		snprintf(copy, sizeof(copy), "%s", line);
		copy[strcspn(copy, "\n")] = '\0';
		n = split(line, tok);
		if (n == 0 || tok[0][0] == '#')
			continue;
		if (!strcmp(tok[0], "service")) {
			parse_svc(tok, n, &k, &a, copy);
			cur = lvs_table_add_svc(t, &k, &a);
			if (!cur)
				die("out of memory", copy);
		} else if (!strcmp(tok[0], "dest")) {
			if (!cur)
				die("dest before any service", copy);
			parse_dest(tok, n, &d, copy);
			if (lvs_svc_set_dest(cur, &d) < 0)
				die("out of memory", copy);
		} else {
			die("unknown line", copy);
		}
	}
	fclose(f);
}

static const char *proto_str(uint16_t p)
{
	return p == IPPROTO_TCP    ? "tcp"
	       : p == IPPROTO_UDP  ? "udp"
	       : p == IPPROTO_SCTP ? "sctp"
	                           : "?";
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

		if (s->key.fwmark)
			printf("service fwmark %u %s", s->key.fwmark,
			       s->key.af == AF_INET6 ? "inet6" : "inet");
		else
			printf("service %s %s %u", proto_str(s->key.protocol),
			       addr_fmt(&s->key.addr, b, sizeof(b)), s->key.port);
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

/* "SVCLINE" "DESTLINE" from the command line. */
static void parse_pair(const char *sl, const char *dl, struct lvs_svc_key *k, struct lvs_dest *d)
{
	char s1[512], s2[512], *tok[MAXTOK];
	struct lvs_svc_attr a;
	int n;

	snprintf(s1, sizeof(s1), "%s", sl);
	n = split(s1, tok);
	if (n == 0 || strcmp(tok[0], "service"))
		die("expected a service line", sl);
	parse_svc(tok, n, k, &a, sl);
	snprintf(s2, sizeof(s2), "%s", dl);
	n = split(s2, tok);
	if (n == 0 || strcmp(tok[0], "dest"))
		die("expected a dest line", dl);
	parse_dest(tok, n, d, dl);
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
	load_table(argv[0], &want);
	lvs_table_init(&drop);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-d") && i + 1 < argc) {
			lvs_table_free(&drop);
			load_table(argv[++i], &drop);
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
			parse_pair(argv[i + 1], argv[i + 2], &k, &d);
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
		s.syncid = (uint32_t)num(argv[3], 255, argv[3]);
		for (i = 4; i + 1 < argc; i += 2) {
			if (!strcmp(argv[i], "maxlen"))
				s.maxlen = (uint16_t)num(argv[i + 1], 65535, argv[i + 1]);
			else if (!strcmp(argv[i], "port"))
				s.port = (uint16_t)num(argv[i + 1], 65535, argv[i + 1]);
			else if (!strcmp(argv[i], "ttl"))
				s.ttl = (uint8_t)num(argv[i + 1], 255, argv[i + 1]);
			else if (!strcmp(argv[i], "group")) {
				if (addr_parse(argv[i + 1], &s.mcast) < 0)
					die("bad group", argv[i + 1]);
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
		r = ipvs_set_timeouts(ip, (uint32_t)num(argv[0], UINT32_MAX, argv[0]),
		                      (uint32_t)num(argv[1], UINT32_MAX, argv[1]),
		                      (uint32_t)num(argv[2], UINT32_MAX, argv[2]));
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
