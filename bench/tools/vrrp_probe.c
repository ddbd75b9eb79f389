/*
 * vrrp_probe: timing helper for the VRRP benchmarks in bench/.
 *
 * It watches IPv4 addresses in other network namespaces through rtnetlink
 * address notifications (event driven, so the time a VIP appears is known
 * to the microsecond, not to a polling period), and it sends ARP requests
 * for a VIP from a client namespace through a packet socket.
 *
 *   vrrp_probe failover -B BACKUP_NS -C CLIENT_NS -v VIP [-M MASTER_NS]
 *                       [-i IFNAME] [-s SIGNAL] [-a ARP_MS] [-t TIMEOUT_MS]
 *                       -k PID [-k PID ...]
 *     Checks that the VIP is not on BACKUP_NS, sends SIGNAL (default 9) to
 *     each PID in the order given, then reports, in ms from the signal:
 *       addr  the VIP appears on BACKUP_NS's interface,
 *       arp   the client gets an ARP reply for the VIP from BACKUP_NS's MAC
 *             (requests every ARP_MS, default 2, and at once when the
 *             address appears),
 *       rel   the VIP leaves MASTER_NS's interface (-M, -1 if not seen).
 *     With -S MASTER_IP it also watches VRRP adverts from MASTER_IP on the
 *     client's interface (kernel receive timestamps) and reports
 *       last  the last advert received before the signal (negative ms),
 *       p0    the first priority-0 advert after the signal (-1 if none),
 *       after adverts from MASTER_IP after the signal, priority 0 excluded.
 *     It then signals PHASE ms (-P, default random 0..100) after an advert
 *     was received, so the phase of the signal against the advert timer is
 *     known and can be the same for the daemons compared.
 *     Output: "addr_ms=A arp_ms=B rel_ms=C [last_ms=.. p0_ms=.. adv_after=..]
 *     arp_sent=N". Exit 0, 1 on timeout, 2 on a setup error.
 *
 *   vrrp_probe converge -A MASTER_NS -B BACKUP_NS -p NET/LEN -n COUNT
 *                       [-i IFNAME] [-T EPOCH_NS] [-H HOLD_MS] [-t TIMEOUT_MS]
 *                       [-R READY_FILE]
 *     Waits until MASTER_NS has COUNT addresses of NET/LEN (LEN >= 16) on
 *     its interface and BACKUP_NS none. Writes READY_FILE once it watches.
 *     Reports ms since EPOCH_NS (CLOCK_REALTIME, default: its own start):
 *       conv     the condition first holds,
 *       first    the first address of NET/LEN appears on MASTER_NS,
 *       bmax     the most addresses BACKUP_NS ever held (transient dual
 *                master during the election),
 *       breaks   times the condition broke during HOLD_MS after conv.
 *     conv_at and first_at are the same instants as CLOCK_REALTIME epoch ms
 *     (for a start time taken by the caller after READY_FILE appeared).
 *     Output: "conv_ms=.. first_ms=.. conv_at=.. first_at=.. bmax=..
 *     breaks=.. master=.. backup=..". Exit 0, 1 on timeout, 2 on a setup
 *     error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "vrrp_probe: %s: %s\n", what, strerror(errno));
	exit(2);
}

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int self_ns = -1;

static void enter_ns(const char *name)
{
	char p[512];
	int fd;
	if (self_ns < 0 && (self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
		die("open /proc/self/ns/net");
	snprintf(p, sizeof p, "/run/netns/%s", name);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		die(p);
	if (setns(fd, CLONE_NEWNET) < 0)
		die("setns");
	close(fd);
}

static void leave_ns(void)
{
	if (self_ns >= 0 && setns(self_ns, CLONE_NEWNET) < 0)
		die("setns back");
}

/* ---- address tracker: addresses of NET/LEN on one interface of a netns ---- */

struct tracker {
	const char *ns;
	int ifindex;
	uint32_t net, mask; /* host order */
	int ev_fd;          /* subscribed to RTMGRP_IPV4_IFADDR */
	uint8_t bits[65536 / 8];
	int count;
	unsigned char mac[6];
};

static int nl_socket(unsigned groups)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = groups};
	int rcv = 4 << 20;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		die("netlink socket");
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		die("netlink bind");
	return fd;
}

/* Apply one RTM_NEWADDR/RTM_DELADDR message; returns 1 if it changed the set. */
static int tr_apply(struct tracker *t, struct nlmsghdr *h)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	struct rtattr *rta;
	int len = IFA_PAYLOAD(h);
	uint32_t a = 0;
	int have = 0, idx, set, was;
	if (h->nlmsg_type != RTM_NEWADDR && h->nlmsg_type != RTM_DELADDR)
		return 0;
	if (ifa->ifa_family != AF_INET || (int)ifa->ifa_index != t->ifindex)
		return 0;
	for (rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == IFA_LOCAL) {
			memcpy(&a, RTA_DATA(rta), 4);
			have = 2;
		} else if (rta->rta_type == IFA_ADDRESS && have < 2) {
			memcpy(&a, RTA_DATA(rta), 4);
			have = 1;
		}
	}
	if (!have)
		return 0;
	a = ntohl(a);
	if ((a & t->mask) != t->net)
		return 0;
	idx = (int)(a & ~t->mask);
	set = h->nlmsg_type == RTM_NEWADDR;
	was = (t->bits[idx / 8] >> (idx % 8)) & 1;
	if (set == was)
		return 0;
	if (set) {
		t->bits[idx / 8] |= 1u << (idx % 8);
		t->count++;
	} else {
		t->bits[idx / 8] &= ~(1u << (idx % 8));
		t->count--;
	}
	return 1;
}

static void tr_dump(struct tracker *t)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg m;
	} req = {
	    .h = {.nlmsg_len = sizeof req,
	          .nlmsg_type = RTM_GETADDR,
	          .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
	          .nlmsg_seq = 1},
	    .m = {.ifa_family = AF_INET},
	};
	static char buf[1 << 16];
	int fd, done = 0;
	enter_ns(t->ns);
	fd = nl_socket(0);
	leave_ns();
	memset(t->bits, 0, sizeof t->bits);
	t->count = 0;
	if (send(fd, &req, sizeof req, 0) < 0)
		die("netlink dump");
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		struct nlmsghdr *h;
		if (n < 0)
			die("netlink dump recv");
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			tr_apply(t, h);
		}
	}
	close(fd);
}

static void tr_init(struct tracker *t, const char *ns, const char *ifname, uint32_t net, int plen)
{
	struct ifreq ifr;
	int s;
	memset(t, 0, sizeof *t);
	t->ns = ns;
	t->mask = plen ? 0xffffffffu << (32 - plen) : 0;
	t->net = net & t->mask;
	enter_ns(ns);
	if (!(t->ifindex = (int)if_nametoindex(ifname)))
		die(ifname);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
		die("SIOCGIFHWADDR");
	memcpy(t->mac, ifr.ifr_hwaddr.sa_data, 6);
	close(s);
	t->ev_fd = nl_socket(RTMGRP_IPV4_IFADDR); /* subscribe first, then dump */
	leave_ns();
	tr_dump(t);
}

/* Drain pending events; returns 1 if the set changed. */
static int tr_read(struct tracker *t)
{
	static char buf[1 << 16];
	int changed = 0;
	for (;;) {
		ssize_t n = recv(t->ev_fd, buf, sizeof buf, MSG_DONTWAIT);
		struct nlmsghdr *h;
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return changed;
			if (errno == ENOBUFS) { /* lost events: resynchronise */
				tr_dump(t);
				changed = 1;
				continue;
			}
			die("netlink recv");
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n))
			changed |= tr_apply(t, h);
	}
}

static void parse_prefix(const char *s, uint32_t *net, int *plen)
{
	char tmp[64], *slash;
	struct in_addr a;
	snprintf(tmp, sizeof tmp, "%s", s);
	*plen = 32;
	if ((slash = strchr(tmp, '/'))) {
		*slash = 0;
		*plen = atoi(slash + 1);
	}
	if (inet_pton(AF_INET, tmp, &a) != 1 || *plen < 16 || *plen > 32) {
		fprintf(stderr, "vrrp_probe: bad prefix %s (need IPv4, /16../32)\n", s);
		exit(2);
	}
	*net = ntohl(a.s_addr);
}

/* ---- ARP prober in the client namespace ---- */

struct arp_pkt {
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t op;
	uint8_t sha[6], spa[4], tha[6], tpa[4];
} __attribute__((packed));

struct prober {
	int fd, ifindex;
	unsigned char mac[6];
	uint32_t ip; /* network order */
	uint32_t vip;
	long sent;
};

static void pr_init(struct prober *p, const char *ns, const char *ifname, uint32_t vip)
{
	struct ifreq ifr;
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP)};
	int s;
	memset(p, 0, sizeof *p);
	p->vip = vip;
	enter_ns(ns);
	if (!(p->ifindex = (int)if_nametoindex(ifname)))
		die(ifname);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
		die("SIOCGIFHWADDR client");
	memcpy(p->mac, ifr.ifr_hwaddr.sa_data, 6);
	if (ioctl(s, SIOCGIFADDR, &ifr) < 0)
		die("SIOCGIFADDR client");
	p->ip = ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr.s_addr;
	close(s);
	if ((p->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	                    htons(ETH_P_ARP))) < 0)
		die("packet socket");
	sll.sll_ifindex = p->ifindex;
	if (bind(p->fd, (struct sockaddr *)&sll, sizeof sll) < 0)
		die("packet bind");
	leave_ns();
}

static void pr_send(struct prober *p)
{
	struct arp_pkt a = {.htype = htons(ARPHRD_ETHER),
	                    .ptype = htons(ETH_P_IP),
	                    .hlen = 6,
	                    .plen = 4,
	                    .op = htons(ARPOP_REQUEST)};
	struct sockaddr_ll to = {.sll_family = AF_PACKET,
	                         .sll_protocol = htons(ETH_P_ARP),
	                         .sll_ifindex = p->ifindex,
	                         .sll_halen = 6,
	                         .sll_addr = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	memcpy(a.sha, p->mac, 6);
	memcpy(a.spa, &p->ip, 4);
	memcpy(a.tpa, &p->vip, 4);
	if (sendto(p->fd, &a, sizeof a, 0, (struct sockaddr *)&to, sizeof to) == sizeof a)
		p->sent++;
}

/* Drain replies; returns 1 if one came for the VIP from MAC. */
static int pr_read(struct prober *p, const unsigned char *mac)
{
	struct arp_pkt a;
	int got = 0;
	for (;;) {
		ssize_t n = recv(p->fd, &a, sizeof a, 0);
		if (n < 0)
			return got;
		if (n < (ssize_t)sizeof a || ntohs(a.op) != ARPOP_REPLY)
			continue;
		if (memcmp(a.spa, &p->vip, 4) == 0 && memcmp(a.sha, mac, 6) == 0)
			got = 1;
	}
}

/* ---- VRRP advert watcher in the client namespace ---- */

struct watcher {
	int fd;
	uint32_t src;    /* network order */
	double last, p0; /* CLOCK_REALTIME ms of the newest advert / first prio 0 */
	long after;
};

static void wa_init(struct watcher *w, const char *ns, const char *ifname, const char *src)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP)};
	int one = 1;
	struct in_addr a;
	memset(w, 0, sizeof *w);
	w->last = w->p0 = -1;
	if (inet_pton(AF_INET, src, &a) != 1) {
		fprintf(stderr, "vrrp_probe: bad -S %s\n", src);
		exit(2);
	}
	w->src = a.s_addr;
	enter_ns(ns);
	if ((w->fd =
	         socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_IP))) < 0)
		die("packet socket (ip)");
	if (!(sll.sll_ifindex = (int)if_nametoindex(ifname)))
		die(ifname);
	if (bind(w->fd, (struct sockaddr *)&sll, sizeof sll) < 0)
		die("packet bind (ip)");
	if (setsockopt(w->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) < 0)
		die("SO_TIMESTAMPNS");
	leave_ns();
}

/* Drain packets; t_sig is the CLOCK_REALTIME ms of the signal (-1: before). */
static void wa_read(struct watcher *w, double t_sig)
{
	unsigned char pkt[256];
	char cbuf[256];
	for (;;) {
		struct iovec iov = {pkt, sizeof pkt};
		struct msghdr mh = {.msg_iov = &iov,
		                    .msg_iovlen = 1,
		                    .msg_control = cbuf,
		                    .msg_controllen = sizeof cbuf};
		struct cmsghdr *c;
		double ts = real_ms();
		ssize_t n = recvmsg(w->fd, &mh, 0);
		int ihl;
		if (n < 0)
			return;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_TIMESTAMPNS) {
				struct timespec t;
				memcpy(&t, CMSG_DATA(c), sizeof t);
				ts = t.tv_sec * 1e3 + t.tv_nsec / 1e6;
			}
		if (n < 20 || (pkt[0] >> 4) != 4 || pkt[9] != 112 || memcmp(pkt + 12, &w->src, 4))
			continue;
		ihl = (pkt[0] & 15) * 4;
		if (n < ihl + 8)
			continue;
		if (t_sig < 0 || ts < t_sig) {
			w->last = ts;
		} else if (pkt[ihl + 2] == 0) {
			if (w->p0 < 0)
				w->p0 = ts;
		} else {
			w->after++;
		}
	}
}

/* ---- modes ---- */

static int do_failover(int argc, char **argv)
{
	const char *bns = NULL, *cns = NULL, *mns = NULL, *ifname = "eth0", *vip_s = NULL;
	const char *src = NULL;
	double phase = -1;
	struct watcher wa;
	double t0r = -1;
	int sig = SIGKILL, arp_ms = 2, timeout = 3000, npid = 0, o;
	pid_t pids[16];
	struct tracker bt, mt;
	struct prober pr;
	struct in_addr vip;
	uint32_t vnet;
	int vlen;
	double t0, t_addr = -1, t_arp = -1, t_rel = -1, next_arp, now;

	while ((o = getopt(argc, argv, "B:C:M:S:P:i:v:s:a:t:k:")) != -1) {
		switch (o) {
		case 'B':
			bns = optarg;
			break;
		case 'C':
			cns = optarg;
			break;
		case 'M':
			mns = optarg;
			break;
		case 'S':
			src = optarg;
			break;
		case 'P':
			phase = strtod(optarg, NULL);
			break;
		case 'i':
			ifname = optarg;
			break;
		case 'v':
			vip_s = optarg;
			break;
		case 's':
			sig = atoi(optarg);
			break;
		case 'a':
			arp_ms = atoi(optarg);
			break;
		case 't':
			timeout = atoi(optarg);
			break;
		case 'k':
			if (npid < 16)
				pids[npid++] = (pid_t)atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	if (!bns || !cns || !vip_s || !npid || inet_pton(AF_INET, vip_s, &vip) != 1) {
		fprintf(stderr, "vrrp_probe failover: need -B -C -v -k\n");
		return 2;
	}
	parse_prefix(vip_s, &vnet, &vlen);
	tr_init(&bt, bns, ifname, vnet, 32);
	if (mns)
		tr_init(&mt, mns, ifname, vnet, 32);
	pr_init(&pr, cns, ifname, vip.s_addr);
	if (src)
		wa_init(&wa, cns, ifname, src);
	if (bt.count) {
		fprintf(stderr, "vrrp_probe: %s already holds %s before the signal\n", bns, vip_s);
		return 2;
	}
	if (mns && !mt.count) {
		fprintf(stderr, "vrrp_probe: %s does not hold %s before the signal\n", mns, vip_s);
		return 2;
	}
	pr_read(&pr, bt.mac); /* discard anything queued */

	if (src) {
		/* wait for a fresh advert (after draining the queue), then signal
		 * PHASE ms after its receive time (-P; default random 0..100 ms) */
		double target;
		wa_read(&wa, -1);
		wa.last = -1;
		for (o = 0; o < 100 && wa.last < 0; o++) {
			struct pollfd q = {wa.fd, POLLIN, 0};
			poll(&q, 1, 10);
			wa_read(&wa, -1);
		}
		if (wa.last < 0) {
			fprintf(stderr, "vrrp_probe: no advert from %s seen on %s\n", src, cns);
			return 2;
		}
		if (phase < 0) {
			srand((unsigned)(getpid() ^ (unsigned)(real_ms() * 1000)));
			phase = rand() % 100000 / 1000.0;
		}
		target = wa.last + phase;
		while ((now = real_ms()) < target)
			usleep((useconds_t)((target - now) * 1000 > 1000
			                        ? (target - now) * 1000 - 500
			                        : 50));
	}
	t0r = real_ms();
	t0 = mono_ms();
	for (o = 0; o < npid; o++)
		if (kill(pids[o], sig) < 0)
			fprintf(stderr, "vrrp_probe: kill %d: %s\n", (int)pids[o], strerror(errno));
	next_arp = t0;
	for (;;) {
		struct pollfd pf[4] = {{bt.ev_fd, POLLIN, 0},
		                       {pr.fd, POLLIN, 0},
		                       {mns ? mt.ev_fd : -1, POLLIN, 0},
		                       {src ? wa.fd : -1, POLLIN, 0}};
		int wait_ms;
		now = mono_ms();
		if (now >= next_arp) {
			pr_send(&pr);
			next_arp = now + arp_ms;
		}
		if (t_addr >= 0 && t_arp >= 0 && (!mns || t_rel >= 0 || now - t0 > t_arp + 300))
			break;
		if (now - t0 > timeout)
			break;
		wait_ms = (int)(next_arp - now) + 1;
		if (poll(pf, 4, wait_ms < 1 ? 1 : wait_ms) < 0 && errno != EINTR)
			die("poll");
		now = mono_ms();
		if (pf[0].revents && tr_read(&bt) && bt.count && t_addr < 0) {
			t_addr = now - t0;
			pr_send(&pr); /* ask at once */
			next_arp = now + arp_ms;
		}
		if (pf[2].revents && tr_read(&mt) && !mt.count && t_rel < 0)
			t_rel = now - t0;
		if (pf[1].revents && pr_read(&pr, bt.mac) && t_arp < 0)
			t_arp = now - t0;
		if (pf[3].revents)
			wa_read(&wa, t0r);
	}
	printf("addr_ms=%.3f arp_ms=%.3f rel_ms=%.3f", t_addr, t_arp, t_rel);
	if (src) {
		wa_read(&wa, t0r);
		printf(" last_ms=%.3f p0_ms=%.3f adv_after=%ld", wa.last - t0r,
		       wa.p0 < 0 ? -1.0 : wa.p0 - t0r, wa.after);
	}
	printf(" arp_sent=%ld\n", pr.sent);
	return t_addr >= 0 && t_arp >= 0 ? 0 : 1;
}

static int do_converge(int argc, char **argv)
{
	const char *mns = NULL, *bns = NULL, *ifname = "eth0", *pfx = NULL, *ready = NULL;
	int n = -1, hold = 0, timeout = 10000, o, bmax = 0, breaks = 0, ok_now;
	double t0 = -1, t_conv = -1, t_first = -1, start, now;
	struct tracker mt, bt;
	uint32_t net;
	int plen;

	while ((o = getopt(argc, argv, "A:B:i:p:n:T:H:t:R:")) != -1) {
		switch (o) {
		case 'A':
			mns = optarg;
			break;
		case 'B':
			bns = optarg;
			break;
		case 'i':
			ifname = optarg;
			break;
		case 'p':
			pfx = optarg;
			break;
		case 'n':
			n = atoi(optarg);
			break;
		case 'T':
			t0 = strtod(optarg, NULL) / 1e6;
			break;
		case 'H':
			hold = atoi(optarg);
			break;
		case 't':
			timeout = atoi(optarg);
			break;
		case 'R':
			ready = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!mns || !bns || !pfx || n < 0) {
		fprintf(stderr, "vrrp_probe converge: need -A -B -p -n\n");
		return 2;
	}
	parse_prefix(pfx, &net, &plen);
	tr_init(&mt, mns, ifname, net, plen);
	tr_init(&bt, bns, ifname, net, plen);
	if (ready) {
		FILE *f = fopen(ready, "w");
		if (f)
			fclose(f);
	}
	start = mono_ms();
	if (t0 < 0)
		t0 = real_ms();
	for (;;) {
		struct pollfd pf[2] = {{mt.ev_fd, POLLIN, 0}, {bt.ev_fd, POLLIN, 0}};
		if (poll(pf, 2, 5) < 0 && errno != EINTR)
			die("poll");
		if (pf[0].revents)
			tr_read(&mt);
		if (pf[1].revents)
			tr_read(&bt);
		now = mono_ms();
		if (bt.count > bmax)
			bmax = bt.count;
		if (t_first < 0 && mt.count)
			t_first = real_ms() - t0;
		ok_now = mt.count == n && bt.count == 0;
		if (t_conv < 0) {
			if (ok_now) {
				t_conv = real_ms() - t0;
				start = now; /* hold period starts */
				timeout = hold;
			}
		} else if (!ok_now) {
			breaks++;
			/* wait until it holds again before counting another break */
			while (!(mt.count == n && bt.count == 0) && mono_ms() - start < hold) {
				struct pollfd q[2] = {{mt.ev_fd, POLLIN, 0}, {bt.ev_fd, POLLIN, 0}};
				poll(q, 2, 5);
				tr_read(&mt);
				tr_read(&bt);
				if (bt.count > bmax)
					bmax = bt.count;
			}
		}
		if (now - start >= timeout)
			break;
	}
	printf("conv_ms=%.3f first_ms=%.3f conv_at=%.3f first_at=%.3f bmax=%d breaks=%d master=%d "
	       "backup=%d\n",
	       t_conv, t_first, t_conv < 0 ? -1 : t_conv + t0, t_first < 0 ? -1 : t_first + t0,
	       bmax, breaks, mt.count, bt.count);
	return t_conv >= 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "failover"))
		return do_failover(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "converge"))
		return do_converge(argc - 1, argv + 1);
	fprintf(stderr, "usage: vrrp_probe failover|converge ... (see the source)\n");
	return 2;
}
