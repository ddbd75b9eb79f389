/* Test driver for the netlink, VIP, GARP and NA code (tests/netns/t_vrrp_if.sh).
 *
 *   ka_nltool dump
 *   ka_nltool monitor [--rcvbuf BYTES] [--stall MS] [--duration S]
 *   ka_nltool vip add|del IF ADDR[/PLEN] [label L] [brd ADDR|+|-] [peer ADDR]
 *                         [lft N|forever] [dad]
 *   ka_nltool garp IF ADDR [COUNT]
 *   ka_nltool na IF ADDR [router]
 *
 * Output is one line per fact, flushed, for grep:
 *   IF <name> idx=<n> type=<n> mac=<mac> up=<0|1> flags=0x.. kind=<k>
 *   IFADDR <name> <addr>/<plen> flags=0x.. scope=<n> label=<l>
 *   PRIMARY4 <name> <addr>     LL6 <name> <addr>
 *   LINK <new|del|up|down|change> <name>
 *   ADDR <add|del|change> <name> <addr>/<plen> flags=0x..
 *   RESYNC enobufs=<n> resyncs=<n>
 * The monitor prints the table, then READY, then events; SIGUSR1 prints the
 * table again followed by TABLE_END; SIGTERM/SIGINT or --duration stop it. */
#include <errno.h>
#include <event2/event.h>
#include <linux/if_addr.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/addr.h"
#include "lib/log.h"
#include "lib/nl.h"
#include "vrrp/vrrp_arp.h"
#include "vrrp/vrrp_if.h"
#include "vrrp/vrrp_ndisc.h"
#include "vrrp/vrrp_vip.h"

struct tool {
	struct event_base *base;
	struct vrrp_if_table *t;
};

static const char *mac_fmt(const struct vrrp_if *ifp, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < ifp->hwaddr_len && off + 4 <= len; i++)
		off +=
		    (size_t)snprintf(buf + off, len - off, "%s%02x", i ? ":" : "", ifp->hwaddr[i]);
	if (!ifp->hwaddr_len)
		snprintf(buf, len, "none");
	return buf;
}

static void print_addr(const char *tag, const struct vrrp_if *ifp, const struct vrrp_if_addr *a)
{
	char b[KA_ADDRSTRLEN];

	printf("%s %s %s/%u flags=0x%x scope=%u label=%s\n", tag, ifp->name,
	       addr_fmt(&a->addr, b, sizeof(b)), a->prefixlen, a->flags, a->scope,
	       a->label[0] ? a->label : "-");
}

static void print_table(const struct vrrp_if_table *t)
{
	const struct vrrp_if *ifp;
	const struct vrrp_if_addr *a;
	char m[3 * VRRP_IF_HWADDR_MAX + 8], b[KA_ADDRSTRLEN];

	for (ifp = vrrp_if_first(t); ifp; ifp = vrrp_if_next(t, ifp)) {
		printf("IF %s idx=%d type=%u mac=%s up=%d flags=0x%x kind=%s\n", ifp->name,
		       ifp->ifindex, ifp->type, mac_fmt(ifp, m, sizeof(m)), vrrp_if_is_up(ifp),
		       ifp->flags, ifp->kind[0] ? ifp->kind : "-");
		for (a = TAILQ_FIRST(&ifp->addrs); a; a = TAILQ_NEXT(a, entry))
			print_addr("IFADDR", ifp, a);
		if ((a = vrrp_if_primary4(ifp)))
			printf("PRIMARY4 %s %s\n", ifp->name, addr_fmt(&a->addr, b, sizeof(b)));
		if ((a = vrrp_if_linklocal6(ifp)))
			printf("LL6 %s %s\n", ifp->name, addr_fmt(&a->addr, b, sizeof(b)));
	}
	fflush(stdout);
}

static void on_link(void *arg, struct vrrp_if *ifp, enum vrrp_if_event ev)
{
	(void)arg;
	printf("LINK %s %s\n", vrrp_if_event_str(ev), ifp->name);
	fflush(stdout);
}

static void on_addr(void *arg, struct vrrp_if *ifp, const struct vrrp_if_addr *a,
                    enum vrrp_if_addr_event ev)
{
	char tag[32];

	(void)arg;
	snprintf(tag, sizeof(tag), "ADDR %s", vrrp_if_addr_event_str(ev));
	print_addr(tag, ifp, a);
	fflush(stdout);
}

static void on_resync(void *arg)
{
	struct tool *tl = arg;
	const struct vrrp_if_stats *st = vrrp_if_get_stats(tl->t);

	printf("RESYNC enobufs=%llu resyncs=%llu\n", (unsigned long long)st->enobufs,
	       (unsigned long long)st->resyncs);
	fflush(stdout);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct tool *tl = arg;

	(void)what;
	if (sig == SIGUSR1) {
		print_table(tl->t);
		printf("TABLE_END\n");
		fflush(stdout);
		return;
	}
	event_base_loopbreak(tl->base);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(((struct tool *)arg)->base);
}

static int start(struct tool *tl, int rcvbuf, bool cbs)
{
	static const struct vrrp_if_callbacks cb = {on_link, on_addr, on_resync};
	struct vrrp_if_opts o = {.rcvbuf = rcvbuf};

	tl->base = event_base_new();
	if (!tl->base)
		return -1;
	tl->t = vrrp_if_start(tl->base, cbs ? &cb : NULL, tl, &o);
	if (!tl->t) {
		fprintf(stderr, "vrrp_if_start: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static void stop(struct tool *tl)
{
	vrrp_if_stop(tl->t);
	if (tl->base)
		event_base_free(tl->base);
}

static int cmd_monitor(int argc, char **argv)
{
	struct tool tl = {0};
	struct event *sigs[3], *tmo;
	struct timeval tv = {60, 0};
	struct timespec ts;
	int rcvbuf = 0, stall = 0, i;

	for (i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--rcvbuf"))
			rcvbuf = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--stall"))
			stall = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--duration"))
			tv.tv_sec = atoi(argv[i + 1]);
		else
			return 2;
	}
	if (start(&tl, rcvbuf, true) < 0)
		return 1;
	print_table(tl.t);
	printf("READY\n");
	fflush(stdout);
	if (stall > 0) { /* stop reading so that the kernel overruns us */
		ts.tv_sec = stall / 1000;
		ts.tv_nsec = (long)(stall % 1000) * 1000000L;
		nanosleep(&ts, NULL);
	}
	sigs[0] = evsignal_new(tl.base, SIGUSR1, on_signal, &tl);
	sigs[1] = evsignal_new(tl.base, SIGTERM, on_signal, &tl);
	sigs[2] = evsignal_new(tl.base, SIGINT, on_signal, &tl);
	tmo = evtimer_new(tl.base, on_timeout, &tl);
	for (i = 0; i < 3; i++)
		evsignal_add(sigs[i], NULL);
	evtimer_add(tmo, &tv);
	event_base_dispatch(tl.base);
	for (i = 0; i < 3; i++)
		event_free(sigs[i]);
	event_free(tmo);
	printf("EXIT\n");
	stop(&tl);
	return 0;
}

static int cmd_dump(void)
{
	struct tool tl = {0};

	if (start(&tl, 0, false) < 0)
		return 1;
	print_table(tl.t);
	stop(&tl);
	return 0;
}

static int lookup(struct tool *tl, const char *name, struct vrrp_if **ifp)
{
	if (start(tl, 0, false) < 0)
		return -1;
	*ifp = vrrp_if_by_name(tl->t, name);
	if (!*ifp) {
		fprintf(stderr, "no interface %s\n", name);
		return -1;
	}
	return 0;
}

static int cmd_vip(int argc, char **argv)
{
	struct tool tl = {0};
	struct vrrp_if *ifp;
	struct vrrp_nl_vip v;
	struct ka_addr a;
	struct nl_sock s;
	int plen, i, r;
	bool had, add;

	if (argc < 3)
		return 2;
	add = !strcmp(argv[0], "add");
	if (addr_parse_prefix(argv[2], &a, &plen, &had) < 0)
		return 2;
	if (lookup(&tl, argv[1], &ifp) < 0) {
		stop(&tl);
		return 1;
	}
	vrrp_vip_init(&v, &a);
	v.prefixlen = (uint8_t)plen;
	v.ifindex = ifp->ifindex;
	stop(&tl);
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "dad")) {
			v.flags &= ~(uint32_t)IFA_F_NODAD;
			continue;
		}
		if (i + 1 >= argc)
			return 2;
		if (!strcmp(argv[i], "label")) {
			snprintf(v.label, sizeof(v.label), "%s", argv[++i]);
		} else if (!strcmp(argv[i], "brd")) {
			i++;
			if (!strcmp(argv[i], "+"))
				v.brd = VRRP_VIP_BRD_PLUS;
			else if (!strcmp(argv[i], "-"))
				v.brd = VRRP_VIP_BRD_MINUS;
			else if (addr_parse(argv[i], &a) == 0 && a.family == AF_INET) {
				v.brd = VRRP_VIP_BRD_EXPLICIT;
				v.brd_addr = a.u.v4;
			} else
				return 2;
		} else if (!strcmp(argv[i], "peer")) {
			if (addr_parse(argv[++i], &v.peer) < 0)
				return 2;
			v.has_peer = true;
		} else if (!strcmp(argv[i], "lft")) {
			i++;
			v.preferred_lft =
			    !strcmp(argv[i], "forever") ? VRRP_VIP_LFT_FOREVER : atoll(argv[i]);
		} else {
			return 2;
		}
	}
	r = nl_open(&s, -1);
	if (r < 0) {
		fprintf(stderr, "nl_open: %s\n", strerror(-r));
		return 1;
	}
	r = add ? vrrp_vip_add(&s, &v) : vrrp_vip_del(&s, &v);
	printf("VIP %s %s r=%d%s%s\n", argv[0], argv[2], r, r ? " " : "", r ? strerror(-r) : "");
	nl_close(&s);
	return r ? 1 : 0;
}

static int cmd_garp(int argc, char **argv)
{
	struct tool tl = {0};
	struct vrrp_if *ifp;
	struct vrrp_arp arp;
	struct ka_addr a;
	int count = argc > 2 ? atoi(argv[2]) : 1, i, r = 0;

	if (argc < 2 || addr_parse(argv[1], &a) < 0 || a.family != AF_INET || count < 1 ||
	    count > 100)
		return 2;
	if (lookup(&tl, argv[0], &ifp) < 0 || ifp->hwaddr_len != 6) {
		stop(&tl);
		return 1;
	}
	r = vrrp_arp_open(&arp, ifp->ifindex, ifp->hwaddr);
	stop(&tl);
	for (i = 0; r == 0 && i < count; i++)
		r = vrrp_arp_send(&arp, a.u.v4, NULL);
	printf("GARP %s r=%d\n", argv[1], r);
	vrrp_arp_close(&arp);
	return r ? 1 : 0;
}

static int cmd_na(int argc, char **argv)
{
	struct tool tl = {0};
	struct vrrp_if *ifp;
	struct vrrp_ndisc nd;
	struct ka_addr a;
	uint8_t mac[6];
	int ifindex, r;

	if (argc < 2 || addr_parse(argv[1], &a) < 0 || a.family != AF_INET6)
		return 2;
	if (lookup(&tl, argv[0], &ifp) < 0 || ifp->hwaddr_len != 6) {
		stop(&tl);
		return 1;
	}
	memcpy(mac, ifp->hwaddr, 6);
	ifindex = ifp->ifindex;
	stop(&tl);
	r = vrrp_ndisc_open(&nd);
	if (r == 0)
		r = vrrp_ndisc_send_na(&nd, ifindex, &a.u.v6, mac,
		                       argc > 2 && !strcmp(argv[2], "router"), NULL);
	printf("NA %s r=%d\n", argv[1], r);
	vrrp_ndisc_close(&nd);
	return r ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct log_opts lo = {.console = true, .no_syslog = true};

	lo.detail = getenv("KA_NLTOOL_DEBUG") != NULL;
	log_init("ka_nltool", &lo, NULL);
	if (argc < 2)
		goto usage;
	if (!strcmp(argv[1], "dump"))
		return cmd_dump();
	if (!strcmp(argv[1], "monitor"))
		return cmd_monitor(argc - 2, argv + 2);
	if (!strcmp(argv[1], "vip") && argc > 2 &&
	    (!strcmp(argv[2], "add") || !strcmp(argv[2], "del")))
		return cmd_vip(argc - 2, argv + 2);
	if (!strcmp(argv[1], "garp"))
		return cmd_garp(argc - 2, argv + 2);
	if (!strcmp(argv[1], "na"))
		return cmd_na(argc - 2, argv + 2);
usage:
	fprintf(stderr, "usage: ka_nltool dump | monitor [--rcvbuf N] [--stall MS] "
	                "[--duration S] | vip add|del IF ADDR[/PLEN] [...] | garp IF ADDR [N] "
	                "| na IF ADDR [router]\n");
	return 2;
}
