/* vrrp_flood: a hostile VRRP peer for the endurance run.  It floods the
 * VRRP multicast group with adverts from random source addresses through a
 * packet socket (AF_PACKET, SOCK_DGRAM: the IPv4 packets are complete, the
 * kernel adds the Ethernet header for 01:00:5e:00:00:12; the qdisc is
 * bypassed), in sendmmsg batches paced by a token bucket, and prints the
 * rate it achieved:
 *
 *   vrrp_flood sent=6000000 secs=60.00 rate=100000 target=100000 foreign=...
 * own=... garbage=... errors=0
 *
 * Packet mix (a pool generated once, sent round-robin):
 *   - own:     PCT % (-k) carry a VRID of the configured range with a random
 *              priority and bad authentication (VRRPv2, PASS with a wrong
 *              password, or no authentication), with a valid checksum: the
 *              authentication is the only reason to drop them;
 *   - garbage: PCT % (-g) are random bytes of random length;
 *   - foreign: the rest are valid VRRPv2/v3 adverts for random VRIDs outside
 *              the excluded range (-x), random priority.
 *
 * Usage: vrrp_flood -i IFNAME [-r RATE] [-t SECONDS] [-b BATCH]
 *                   [-s A.B.C.0/24] [-e ADDR]... [-x LO-HI] [-k LO-HI:PCT]
 *                   [-g PCT]
 *   -r  packets per second (default 100000; 0 = as fast as possible)
 *   -t  run time in seconds (default 10; the loop is bounded by it)
 *   -s  source pool (default 192.0.2.0/24), -e excludes one address of it
 *       (repeatable, e.g. the real routers)
 *   -x  VRIDs never used by "foreign" adverts (default none)
 *   -k  VRIDs and percentage of "own" adverts (default none)
 *   -g  percentage of garbage payloads (default 5)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define POOL 16384u
#define PKT_MAX 80u
#define BATCH_MAX 256u
#define MAX_EXCL 32u

enum kind { K_FOREIGN, K_OWN, K_GARBAGE };

struct pkt {
	uint8_t b[PKT_MAX];
	uint16_t len;
	uint8_t kind;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: cheap and good enough for a flood */
static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_range(const char *s, unsigned *lo, unsigned *hi)
{
	char *end;
	unsigned long a = strtoul(s, &end, 10), b = a;

	if (*end == '-')
		b = strtoul(end + 1, &end, 10);
	if ((*end && *end != ':') || a < 1 || b > 255 || a > b)
		return -1;
	*lo = (unsigned)a;
	*hi = (unsigned)b;
	return 0;
}

struct opts {
	unsigned ifindex, batch;
	double rate, secs;
	uint32_t net; /* host order, /24 */
	uint32_t excl[MAX_EXCL];
	unsigned n_excl;
	unsigned x_lo, x_hi; /* 0,0: none */
	unsigned k_lo, k_hi, k_pct;
	unsigned g_pct;
};

static uint32_t pick_src(const struct opts *o)
{
	unsigned tries, i;

	for (tries = 0; tries < 1000; tries++) {
		uint32_t a = o->net | (1 + rnd() % 254);
		for (i = 0; i < o->n_excl && o->excl[i] != a; i++)
			;
		if (i == o->n_excl)
			return a;
	}
	return o->net | 254;
}

static unsigned pick_foreign_vrid(const struct opts *o)
{
	unsigned tries;

	for (tries = 0; tries < 1000; tries++) {
		unsigned v = 1 + rnd() % 255;
		if (!o->x_hi || v < o->x_lo || v > o->x_hi)
			return v;
	}
	return 0; /* everything excluded: VRID 0 is invalid anyway */
}

/* One IPv4 packet to 224.0.0.18 from SRC: header + VRRP payload. */
static void build(struct pkt *p, const struct opts *o, enum kind k)
{
	uint8_t *ip = p->b, *v = p->b + 20;
	uint32_t src = htonl(pick_src(o)), dst = htonl(0xe0000012u);
	size_t vlen, i;

	memset(p->b, 0, sizeof(p->b));
	if (k == K_GARBAGE) {
		vlen = 1 + rnd() % 48;
		for (i = 0; i < vlen; i++)
			v[i] = (uint8_t)rnd();
	} else if (k == K_OWN || rnd() % 2) {
		/* VRRPv2: ver/type, vrid, prio, 1 address, auth, adver_int 1 */
		unsigned vrid =
		    k == K_OWN ? o->k_lo + rnd() % (o->k_hi - o->k_lo + 1) : pick_foreign_vrid(o);
		v[0] = 0x21;
		v[1] = (uint8_t)vrid;
		v[2] = (uint8_t)(1 + rnd() % 254);
		v[3] = 1;
		v[4] = k == K_OWN ? (uint8_t)(rnd() % 2) : 0; /* PASS (wrong) or none */
		v[5] = 1;
		v[8] = 198, v[9] = 51, v[10] = 100, v[11] = (uint8_t)vrid;
		if (v[4] == 1)
			memcpy(v + 12, "badpass!", 8);
		vlen = 20;
		v[6] = 0, v[7] = 0;
		{
			uint16_t c = csum(v, vlen, 0);
			v[6] = (uint8_t)(c >> 8), v[7] = (uint8_t)c;
		}
	} else {
		/* VRRPv3 with the pseudo-header checksum */
		unsigned vrid = pick_foreign_vrid(o);
		uint8_t ph[12];
		uint32_t s = 0;
		v[0] = 0x31;
		v[1] = (uint8_t)vrid;
		v[2] = (uint8_t)(1 + rnd() % 254);
		v[3] = 1;
		v[4] = 0, v[5] = 100; /* max_adver_int 100 cs */
		v[8] = 198, v[9] = 51, v[10] = 100, v[11] = (uint8_t)vrid;
		vlen = 12;
		memcpy(ph, &src, 4);
		memcpy(ph + 4, &dst, 4);
		ph[8] = 0, ph[9] = 112, ph[10] = 0, ph[11] = (uint8_t)vlen;
		for (i = 0; i < 12; i += 2)
			s += (uint32_t)(ph[i] << 8 | ph[i + 1]);
		{
			uint16_t c = csum(v, vlen, s);
			v[6] = (uint8_t)(c >> 8), v[7] = (uint8_t)c;
		}
	}
	ip[0] = 0x45;
	ip[1] = 0xc0;
	ip[2] = (uint8_t)((20 + vlen) >> 8), ip[3] = (uint8_t)(20 + vlen);
	ip[8] = 255; /* TTL 255: RFC 5798 receivers drop anything else */
	ip[9] = 112;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	/* a packet socket sends it as it is: id and header checksum here */
	ip[4] = (uint8_t)rnd(), ip[5] = (uint8_t)rnd();
	ip[6] = ip[7] = ip[10] = ip[11] = 0;
	{
		uint16_t c = csum(ip, 20, 0);

		ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
	}
	p->len = (uint16_t)(20 + vlen);
	p->kind = (uint8_t)k;
}

static volatile sig_atomic_t stop;
static void on_sig(int s)
{
	(void)s;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: vrrp_flood -i IFNAME [-r RATE] [-t SECONDS] [-b BATCH] "
	                "[-s A.B.C.0/24] [-e ADDR]... [-x LO-HI] [-k LO-HI:PCT] [-g PCT]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct pkt pool[POOL];
	static struct mmsghdr msgs[BATCH_MAX];
	static struct iovec iov[BATCH_MAX];
	struct opts o = {.batch = 64, .rate = 100000, .secs = 10, .net = 0xc0000200u, .g_pct = 5};
	struct sockaddr_ll dst = {.sll_family = AF_PACKET,
	                          .sll_protocol = htons(ETH_P_IP),
	                          .sll_halen = 6,
	                          .sll_addr = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x12}};
	unsigned long long sent = 0, errors = 0, n_kind[3] = {0, 0, 0};
	unsigned i, next = 0;
	double t0, t_end, last, tokens, t;
	int c, fd, one = 1;
	struct in_addr a;
	char *colon;

	while ((c = getopt(argc, argv, "i:r:t:b:s:e:x:k:g:")) != -1) {
		switch (c) {
		case 'i':
			o.ifindex = if_nametoindex(optarg);
			if (!o.ifindex) {
				fprintf(stderr, "vrrp_flood: no interface %s\n", optarg);
				return 2;
			}
			break;
		case 'r':
			o.rate = atof(optarg);
			break;
		case 't':
			o.secs = atof(optarg);
			break;
		case 'b':
			o.batch = (unsigned)atoi(optarg);
			if (o.batch < 1 || o.batch > BATCH_MAX)
				usage();
			break;
		case 's':
			if ((colon = strchr(optarg, '/')))
				*colon = 0;
			if (inet_pton(AF_INET, optarg, &a) != 1)
				usage();
			o.net = ntohl(a.s_addr) & 0xffffff00u;
			break;
		case 'e':
			if (o.n_excl == MAX_EXCL || inet_pton(AF_INET, optarg, &a) != 1)
				usage();
			o.excl[o.n_excl++] = ntohl(a.s_addr);
			break;
		case 'x':
			if (parse_range(optarg, &o.x_lo, &o.x_hi) < 0)
				usage();
			break;
		case 'k':
			if (parse_range(optarg, &o.k_lo, &o.k_hi) < 0 ||
			    !(colon = strchr(optarg, ':')))
				usage();
			o.k_pct = (unsigned)atoi(colon + 1);
			break;
		case 'g':
			o.g_pct = (unsigned)atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (!o.ifindex || o.secs <= 0 || o.k_pct + o.g_pct > 100)
		usage();
	rng_state ^= (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);

	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (fd < 0) {
		perror("vrrp_flood: socket");
		return 1;
	}
	/* straight to the device: no qdisc to fill up (best effort) */
	(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	dst.sll_ifindex = (int)o.ifindex;
	for (i = 0; i < POOL; i++) {
		unsigned r = rnd() % 100;
		enum kind k = r < o.g_pct ? K_GARBAGE : r < o.g_pct + o.k_pct ? K_OWN : K_FOREIGN;
		build(&pool[i], &o, k);
	}
	for (i = 0; i < o.batch; i++) {
		msgs[i].msg_hdr.msg_name = &dst;
		msgs[i].msg_hdr.msg_namelen = sizeof(dst);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	signal(SIGINT, on_sig);
	signal(SIGTERM, on_sig);

	t0 = last = now_s();
	t_end = t0 + o.secs;
	tokens = o.batch;
	while (!stop && (t = now_s()) < t_end) {
		unsigned n;
		int r;

		if (o.rate > 0) {
			tokens += (t - last) * o.rate;
			/* a short burst allowance only: the rate stays smooth */
			if (tokens > o.rate * 0.01 + o.batch)
				tokens = o.rate * 0.01 + o.batch;
			last = t;
			if (tokens < o.batch) {
				double wait = (o.batch - tokens) / o.rate;
				struct timespec ts = {(time_t)wait,
				                      (long)((wait - (double)(time_t)wait) * 1e9)};
				nanosleep(&ts, NULL);
				continue;
			}
		}
		for (n = 0; n < o.batch; n++) {
			struct pkt *p = &pool[(next + n) % POOL];
			iov[n].iov_base = p->b;
			iov[n].iov_len = p->len;
		}
		r = sendmmsg(fd, msgs, o.batch, 0);
		if (r < 0) {
			errors++;
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR) {
				perror("vrrp_flood: sendmmsg");
				break;
			}
			continue;
		}
		for (n = 0; n < (unsigned)r; n++)
			n_kind[pool[(next + n) % POOL].kind]++;
		next = (next + (unsigned)r) % POOL;
		sent += (unsigned)r;
		tokens -= r;
	}
	t = now_s() - t0;
	printf("vrrp_flood sent=%llu secs=%.2f rate=%.0f target=%.0f foreign=%llu "
	       "own=%llu "
	       "garbage=%llu errors=%llu\n",
	       sent, t, t > 0 ? (double)sent / t : 0.0, o.rate, n_kind[K_FOREIGN], n_kind[K_OWN],
	       n_kind[K_GARBAGE], errors);
	close(fd);
	return 0;
}
