/* Table files of the LVS test drivers (tablefile.h). */
#include "tablefile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/ip_vs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"

const char *tf_prog = "tool";

void tf_die(const char *what, const char *line)
{
	fprintf(stderr, "%s: %s: %s\n", tf_prog, what, line);
	exit(2);
}

unsigned long tf_num(const char *s, unsigned long max, const char *line)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s || v > max)
		tf_die("bad number", line);
	return v;
}

int tf_split(char *s, char **tok)
{
	int n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(s, " \t\r\n", &save); t && n < TF_MAXTOK;
	     t = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = t;
	return n;
}

int tf_parse_svc(char **t, int n, struct lvs_svc_key *k, struct lvs_svc_attr *a, const char *line)
{
	int i;

	memset(k, 0, sizeof(*k));
	memset(a, 0, sizeof(*a));
	strcpy(a->sched, "wlc");
	if (n < 4)
		tf_die("short service line", line);
	if (!strcmp(t[1], "fwmark")) {
		k->fwmark = (uint32_t)tf_num(t[2], UINT32_MAX, line);
		k->protocol = IPPROTO_TCP;
		if (!strcmp(t[3], "inet"))
			k->af = AF_INET;
		else if (!strcmp(t[3], "inet6"))
			k->af = AF_INET6;
		else
			tf_die("fwmark family must be inet or inet6", line);
	} else {
		if (!strcmp(t[1], "tcp"))
			k->protocol = IPPROTO_TCP;
		else if (!strcmp(t[1], "udp"))
			k->protocol = IPPROTO_UDP;
		else if (!strcmp(t[1], "sctp"))
			k->protocol = IPPROTO_SCTP;
		else
			tf_die("bad protocol", line);
		if (addr_parse(t[2], &k->addr) < 0)
			tf_die("bad address", line);
		k->af = k->addr.family;
		k->port = (uint16_t)tf_num(t[3], 65535, line);
	}
	for (i = 4; i + 1 < n; i += 2) {
		if (!strcmp(t[i], "sched"))
			snprintf(a->sched, sizeof(a->sched), "%s", t[i + 1]);
		else if (!strcmp(t[i], "flags"))
			a->flags = (uint32_t)tf_num(t[i + 1], UINT32_MAX, line);
		else if (!strcmp(t[i], "timeout"))
			a->timeout_s = (uint32_t)tf_num(t[i + 1], UINT32_MAX, line);
		else if (!strcmp(t[i], "pe"))
			snprintf(a->pe_name, sizeof(a->pe_name), "%s", t[i + 1]);
		else if (!strcmp(t[i], "netmask")) {
			struct in_addr m;

			if (k->af == AF_INET6)
				a->netmask = (uint32_t)tf_num(t[i + 1], 128, line);
			else if (inet_pton(AF_INET, t[i + 1], &m) == 1)
				a->netmask = m.s_addr;
			else
				tf_die("bad netmask", line);
		} else
			tf_die("unknown service keyword", line);
	}
	if (i != n)
		tf_die("odd service line", line);
	return 0;
}

void tf_parse_dest(char **t, int n, struct lvs_dest *d, const char *line)
{
	int i = 3;

	memset(d, 0, sizeof(*d));
	d->weight = 1;
	if (n < 3 || addr_parse(t[1], &d->addr) < 0)
		tf_die("bad dest line", line);
	d->af = d->addr.family;
	d->port = (uint16_t)tf_num(t[2], 65535, line);
	if (i < n && (!strcmp(t[i], "nat") || !strcmp(t[i], "dr") || !strcmp(t[i], "tun"))) {
		d->fwd = !strcmp(t[i], "nat")  ? LVS_FWD_NAT
		         : !strcmp(t[i], "dr") ? LVS_FWD_DR
		                               : LVS_FWD_TUN;
		i++;
	}
	for (; i + 1 < n; i += 2) {
		if (!strcmp(t[i], "weight"))
			d->weight = (int32_t)tf_num(t[i + 1], INT32_MAX, line);
		else if (!strcmp(t[i], "uthreshold"))
			d->u_threshold = (uint32_t)tf_num(t[i + 1], UINT32_MAX, line);
		else if (!strcmp(t[i], "lthreshold"))
			d->l_threshold = (uint32_t)tf_num(t[i + 1], UINT32_MAX, line);
		else if (!strcmp(t[i], "tunport"))
			d->tun_port = (uint16_t)tf_num(t[i + 1], 65535, line);
		else if (!strcmp(t[i], "tunflags"))
			d->tun_flags = (uint16_t)tf_num(t[i + 1], 65535, line);
		else if (!strcmp(t[i], "tuntype")) {
			if (!strcmp(t[i + 1], "ipip"))
				d->tun_type = IP_VS_CONN_F_TUNNEL_TYPE_IPIP;
			else if (!strcmp(t[i + 1], "gue"))
				d->tun_type = IP_VS_CONN_F_TUNNEL_TYPE_GUE;
			else if (!strcmp(t[i + 1], "gre"))
				d->tun_type = IP_VS_CONN_F_TUNNEL_TYPE_GRE;
			else
				tf_die("bad tunnel type", line);
		} else
			tf_die("unknown dest keyword", line);
	}
	if (i != n)
		tf_die("odd dest line", line);
}

void tf_load_table(const char *path, struct lvs_table *t)
{
	char line[512], copy[512], *tok[TF_MAXTOK];
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
		n = tf_split(line, tok);
		if (n == 0 || tok[0][0] == '#')
			continue;
		if (!strcmp(tok[0], "service")) {
			tf_parse_svc(tok, n, &k, &a, copy);
			cur = lvs_table_add_svc(t, &k, &a);
			if (!cur)
				tf_die("out of memory", copy);
		} else if (!strcmp(tok[0], "dest")) {
			if (!cur)
				tf_die("dest before any service", copy);
			tf_parse_dest(tok, n, &d, copy);
			if (lvs_svc_set_dest(cur, &d) < 0)
				tf_die("out of memory", copy);
		} else {
			tf_die("unknown line", copy);
		}
	}
	fclose(f);
}

const char *tf_proto_str(uint16_t p)
{
	return p == IPPROTO_TCP    ? "tcp"
	       : p == IPPROTO_UDP  ? "udp"
	       : p == IPPROTO_SCTP ? "sctp"
	                           : "?";
}

/* "SVCLINE" "DESTLINE" from the command line. */
void tf_parse_pair(const char *sl, const char *dl, struct lvs_svc_key *k, struct lvs_dest *d)
{
	char s1[512], s2[512], *tok[TF_MAXTOK];
	struct lvs_svc_attr a;
	int n;

	snprintf(s1, sizeof(s1), "%s", sl);
	n = tf_split(s1, tok);
	if (n == 0 || strcmp(tok[0], "service"))
		tf_die("expected a service line", sl);
	tf_parse_svc(tok, n, k, &a, sl);
	snprintf(s2, sizeof(s2), "%s", dl);
	n = tf_split(s2, tok);
	if (n == 0 || strcmp(tok[0], "dest"))
		tf_die("expected a dest line", dl);
	tf_parse_dest(tok, n, d, dl);
}

void tf_print_svc_key(const struct lvs_svc_key *k)
{
	char b[KA_ADDRSTRLEN];

	if (k->fwmark)
		printf("service fwmark %u %s", k->fwmark, k->af == AF_INET6 ? "inet6" : "inet");
	else
		printf("service %s %s %u", tf_proto_str(k->protocol),
		       addr_fmt(&k->addr, b, sizeof(b)), k->port);
}
