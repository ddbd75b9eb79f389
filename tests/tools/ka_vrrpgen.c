/* Crafted VRRP frames for the receive-path fault tests
 * (tests/netns/t_fault_vrrp_rx.sh): whole Ethernet frames through an
 * AF_PACKET socket, so every IP and VRRP field can lie (TTL, hop limit,
 * tot_len, checksums, count, type, version, AH in front).
 *
 *   ka_vrrpgen -i IF [options]       send N crafted adverts
 *   ka_vrrpgen -i IF -F SECS [-X VRID]... [-s A.B.C.0] flood
 *
 * Options (defaults give a valid v3/IPv4 advert to 224.0.0.18):
 *   -6            IPv6 (dst ff02::12, hop limit 255)
 *   -s SRC -d DST source / destination address (default src: from -i's
 *                 first address is NOT looked up: give -s)
 *   -m MAC        destination MAC (default: the multicast MAC of DST)
 *   -t TTL        IPv4 TTL / IPv6 hop limit (255)
 *   -V VER -T TYPE -r VRID -p PRIO -I INT   header fields (3, 1, 51, 100,
 *                 interval: v3 centiseconds, v2 seconds; 10 / 1)
 *   -a ADDR       one address of the list (repeat); none = 0 addresses
 *   -c N          Count field value (default: the number of -a)
 *   -A TYPE -P PASS  v2 auth type and password (0, none)
 *   -C MODE       checksum: good (v2 plain, v3 pseudo-header), plain,
 *                 pseudo, bad (good + 1), zero
 *   -D ADDR       the pseudo-header's destination (default DST): the
 *                 group for keepalived < 1.3.6's unicast form
 *   -x N          N extra garbage bytes after the message (inside the IP
 *                 payload)
 *   -k N          keep only the first N bytes of the VRRP message
 *   -L N          IPv4 tot_len / IPv6 payload length field, a lie
 *   -H            an AH header (protocol 51) in front of the message
 *   -n N -g US    send N frames, US microseconds apart (1, 0)
 *   -F SECS       flood for SECS seconds: random valid adverts from random
 *                 sources in -s's /24 (last octet 20..199) and random VRIDs
 *                 (never the -X ones), plus random garbage on protocol 112
 *                 (any VRID byte); prints "FLOOD sent=N secs=S pps=R"
 *   -R PPS        flood rate cap (0 = as fast as possible)
 *
 * Clean room: written from RFC 791, RFC 8200, RFC 3768 §5, RFC 5798 §5 and
 * packet(7). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXADDR 64
#define MAXX 4
#define FRAME_MAX 2048

struct opts {
	const char *ifname;
	bool v6;
	uint8_t src[16], dst[16], pdst[16];
	bool have_src, have_dst, have_mac;
	uint8_t dmac[6];
	int ttl, ver, type, vrid, prio, interval;
	uint8_t addrs[MAXADDR][16];
	int naddr, count;
	int auth_type;
	char pass[9];
	const char *csum;
	int extra, keep, totlen;
	bool ah;
	long n, gap_us;
	double flood_s;
	long rate;
	int excl[MAXX];
	int nexcl;
};

static uint32_t rng_state = 0x9e3779b9u;

static uint32_t rnd(void)
{
	/* xorshift32: deterministic, fast, good enough for junk */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		acc += (uint32_t)p[len - 1] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The VRRP message into m; returns its length. */
static size_t build_vrrp(const struct opts *o, uint8_t *m)
{
	size_t alen = o->v6 ? 16 : 4, len = 8, i;
	uint32_t acc = 0;
	uint16_t c;
	bool pseudo;

	m[0] = (uint8_t)(o->ver << 4 | (o->type & 0x0f));
	m[1] = (uint8_t)o->vrid;
	m[2] = (uint8_t)o->prio;
	m[3] = (uint8_t)(o->count >= 0 ? o->count : o->naddr);
	if (o->ver == 2) {
		m[4] = (uint8_t)o->auth_type;
		m[5] = (uint8_t)o->interval;
	} else {
		m[4] = (uint8_t)((o->interval >> 8) & 0x0f);
		m[5] = (uint8_t)o->interval;
	}
	m[6] = m[7] = 0;
	for (i = 0; i < (size_t)o->naddr; i++, len += alen)
		memcpy(m + len, o->addrs[i], alen);
	if (o->ver == 2) {
		memset(m + len, 0, 8);
		memcpy(m + len, o->pass, strlen(o->pass));
		len += 8;
	}
	pseudo = strcmp(o->csum, "pseudo") == 0 ||
	         ((!strcmp(o->csum, "good") || !strcmp(o->csum, "bad")) && o->ver != 2);
	acc = sum16(0, m, len);
	if (pseudo) {
		acc = sum16(acc, o->src, alen);
		acc = sum16(acc, o->pdst, alen);
		acc += 112 + (uint32_t)len;
	}
	c = fold(acc);
	if (!strcmp(o->csum, "bad"))
		c = (uint16_t)(c + 1);
	if (!strcmp(o->csum, "zero"))
		c = 0;
	put16(m + 6, c);
	return len;
}

/* Ethernet + IP (+ AH) around a VRRP payload of plen bytes. */
static size_t build_frame(const struct opts *o, const uint8_t *smac, uint8_t *f, const uint8_t *pl,
                          size_t plen)
{
	size_t off = 14, iplen, ah = o->ah ? 24 : 0;

	memcpy(f, o->dmac, 6);
	memcpy(f + 6, smac, 6);
	if (!o->v6) {
		uint8_t *ip = f + off;

		put16(f + 12, ETH_P_IP);
		iplen = 20 + ah + plen;
		memset(ip, 0, 20);
		ip[0] = 0x45;
		ip[1] = 0xc0;
		put16(ip + 2, o->totlen >= 0 ? (unsigned)o->totlen : (unsigned)iplen);
		put16(ip + 4, rnd() & 0xffff);
		ip[8] = (uint8_t)o->ttl;
		ip[9] = o->ah ? 51 : 112;
		memcpy(ip + 12, o->src, 4);
		memcpy(ip + 16, o->dst, 4);
		put16(ip + 10, fold(sum16(0, ip, 20)));
		off += 20;
	} else {
		uint8_t *ip = f + off;

		put16(f + 12, ETH_P_IPV6);
		iplen = 40 + ah + plen;
		memset(ip, 0, 40);
		ip[0] = 0x6c; /* version 6, traffic class 0xc0 */
		put16(ip + 4, o->totlen >= 0 ? (unsigned)o->totlen : (unsigned)(ah + plen));
		ip[6] = o->ah ? 51 : 112;
		ip[7] = (uint8_t)o->ttl;
		memcpy(ip + 8, o->src, 16);
		memcpy(ip + 24, o->dst, 16);
		off += 40;
	}
	if (ah) {
		uint8_t *a = f + off;

		memset(a, 0, 24);
		a[0] = 112;
		a[1] = 4;
		memcpy(a + 4, o->src, 4); /* SPI = source, as keepalived does */
		put16(a + 10, 1);
		off += 24;
	}
	memcpy(f + off, pl, plen);
	off += plen;
	/* Ethernet minimum frame: pad with zeros (not part of the IP packet) */
	while (off < 60)
		f[off++] = 0;
	(void)iplen;
	return off;
}

static void mcast_mac(const struct opts *o, uint8_t *mac)
{
	if (o->v6) {
		mac[0] = mac[1] = 0x33;
		memcpy(mac + 2, o->dst + 12, 4);
	} else {
		mac[0] = 0x01;
		mac[1] = 0x00;
		mac[2] = 0x5e;
		mac[3] = o->dst[1] & 0x7f;
		mac[4] = o->dst[2];
		mac[5] = o->dst[3];
	}
}

static int parse_mac(const char *s, uint8_t *mac)
{
	unsigned b[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static bool excluded(const struct opts *o, int vrid)
{
	int i;

	for (i = 0; i < o->nexcl; i++)
		if (o->excl[i] == vrid)
			return true;
	return false;
}

/* One random flood frame: 3 of 4 are well-formed v2/v3 adverts for VRIDs
 * we are not configured for (from random on-link sources), 1 of 4 is
 * garbage of random length with any VRID byte. */
static size_t flood_frame(const struct opts *base, const uint8_t *smac, uint8_t *f)
{
	struct opts o = *base;
	uint8_t m[FRAME_MAX];
	size_t len;
	uint32_t r = rnd();
	int i;

	o.src[3] = (uint8_t)(20 + rnd() % 180);
	o.count = -1;
	o.totlen = -1;
	o.ah = false;
	if ((r & 3) != 0) {
		do
			o.vrid = 1 + (int)(rnd() % 255);
		while (excluded(&o, o.vrid));
		o.ver = (r & 4) ? 3 : 2;
		o.type = 1;
		o.prio = 1 + (int)(rnd() % 255);
		o.interval = o.ver == 2 ? 1 : 1 + (int)(rnd() % 4095);
		o.naddr = 1 + (int)(rnd() % 4);
		for (i = 0; i < o.naddr; i++)
			memcpy(o.addrs[i], (uint8_t[]){198, 51, 100, (uint8_t)rnd()}, 4);
		o.auth_type = 0;
		o.pass[0] = 0;
		o.csum = "good";
		len = build_vrrp(&o, m);
	} else {
		len = rnd() % 200;
		for (i = 0; i < (int)len; i++)
			m[i] = (uint8_t)rnd();
		if (len > 1 && (rnd() & 1))
			m[0] = (uint8_t)(((rnd() & 1) ? 0x20 : 0x30) | (rnd() & 0x0f));
	}
	return build_frame(&o, smac, f, m, len);
}

/* The frames are made once (a pool of POOL random frames, sent in turn),
 * so the rate is the kernel's, not the generator's. */
static int flood(const struct opts *o, int fd, const struct sockaddr_ll *sll, const uint8_t *smac)
{
	enum { BATCH = 64, POOL = 4096 };
	static uint8_t frames[POOL][FRAME_MAX / 8];
	static struct mmsghdr msgs[POOL];
	static struct iovec iov[POOL];
	uint64_t start, end, t;
	unsigned long long sent = 0, errs = 0;
	size_t i, pos = 0;
	int rc;

	for (i = 0; i < POOL; i++) {
		uint8_t f[FRAME_MAX];
		size_t len = flood_frame(o, smac, f);

		if (len > sizeof(frames[i]))
			len = sizeof(frames[i]); /* never: at most 14+20+200 bytes */
		memcpy(frames[i], f, len);
		iov[i].iov_base = frames[i];
		iov[i].iov_len = len;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = (void *)sll;
		msgs[i].msg_hdr.msg_namelen = sizeof(*sll);
	}
	start = now_us();
	end = start + (uint64_t)(o->flood_s * 1e6);
	for (;;) {
		t = now_us();
		if (t >= end)
			break;
		if (o->rate > 0 && sent * 1000000ull > (t - start) * (unsigned long long)o->rate) {
			usleep(200);
			continue;
		}
		rc = sendmmsg(fd, &msgs[pos], BATCH, 0);
		if (rc > 0)
			sent += (unsigned long long)rc;
		else
			errs++;
		pos = (pos + BATCH) % POOL;
	}
	t = now_us() - start;
	printf("FLOOD sent=%llu secs=%.2f pps=%.0f errors=%llu\n", sent, (double)t / 1e6,
	       (double)sent * 1e6 / (double)(t ? t : 1), errs);
	return 0;
}

static int addr_arg(const char *s, bool v6, uint8_t *out)
{
	if (inet_pton(v6 ? AF_INET6 : AF_INET, s, out) != 1) {
		fprintf(stderr, "bad address %s\n", s);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {.ttl = 255,
	                 .ver = 3,
	                 .type = 1,
	                 .vrid = 51,
	                 .prio = 100,
	                 .interval = -1,
	                 .count = -1,
	                 .csum = "good",
	                 .keep = -1,
	                 .totlen = -1,
	                 .n = 1};
	const char *srcs = NULL, *dsts = NULL, *pdsts = NULL, *as[MAXADDR];
	struct sockaddr_ll sll = {0};
	struct ifreq ifr = {0};
	uint8_t smac[6], m[FRAME_MAX], f[FRAME_MAX + 128];
	size_t mlen, flen;
	int c, fd, i;
	long k;

	while ((c = getopt(argc, argv, "i:6s:d:D:m:t:V:T:r:p:I:a:c:A:P:C:x:k:L:Hn:g:F:R:X:")) !=
	       -1) {
		switch (c) {
		case 'i':
			o.ifname = optarg;
			break;
		case '6':
			o.v6 = true;
			break;
		case 's':
			srcs = optarg;
			break;
		case 'd':
			dsts = optarg;
			break;
		case 'D':
			pdsts = optarg;
			break;
		case 'm':
			if (parse_mac(optarg, o.dmac) < 0)
				return 2;
			o.have_mac = true;
			break;
		case 't':
			o.ttl = atoi(optarg);
			break;
		case 'V':
			o.ver = atoi(optarg);
			break;
		case 'T':
			o.type = atoi(optarg);
			break;
		case 'r':
			o.vrid = atoi(optarg);
			break;
		case 'p':
			o.prio = atoi(optarg);
			break;
		case 'I':
			o.interval = atoi(optarg);
			break;
		case 'a':
			if (o.naddr < MAXADDR)
				as[o.naddr++] = optarg;
			break;
		case 'c':
			o.count = atoi(optarg);
			break;
		case 'A':
			o.auth_type = atoi(optarg);
			break;
		case 'P':
			snprintf(o.pass, sizeof(o.pass), "%s", optarg);
			break;
		case 'C':
			o.csum = optarg;
			break;
		case 'x':
			o.extra = atoi(optarg);
			break;
		case 'k':
			o.keep = atoi(optarg);
			break;
		case 'L':
			o.totlen = atoi(optarg);
			break;
		case 'H':
			o.ah = true;
			break;
		case 'n':
			o.n = atol(optarg);
			break;
		case 'g':
			o.gap_us = atol(optarg);
			break;
		case 'F':
			o.flood_s = atof(optarg);
			break;
		case 'R':
			o.rate = atol(optarg);
			break;
		case 'X':
			if (o.nexcl < MAXX)
				o.excl[o.nexcl++] = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: see the comment at the top of ka_vrrpgen.c\n");
			return 2;
		}
	}
	if (!o.ifname || !srcs) {
		fprintf(stderr, "ka_vrrpgen: -i IF and -s SRC are required\n");
		return 2;
	}
	if (o.interval < 0)
		o.interval = o.ver == 2 ? 1 : 10;
	if (addr_arg(srcs, o.v6, o.src) < 0 || addr_arg(dsts   ? dsts
	                                                : o.v6 ? "ff02::12"
	                                                       : "224.0.0.18",
	                                                o.v6, o.dst) < 0)
		return 2;
	memcpy(o.pdst, o.dst, sizeof(o.pdst));
	if (pdsts && addr_arg(pdsts, o.v6, o.pdst) < 0)
		return 2;
	for (i = 0; i < o.naddr; i++)
		if (addr_arg(as[i], o.v6, o.addrs[i]) < 0)
			return 2;
	if (!o.have_mac)
		mcast_mac(&o, o.dmac);
	rng_state ^= (uint32_t)getpid() ^ (uint32_t)now_us();

	fd = socket(AF_PACKET, SOCK_RAW, 0); /* send only: protocol 0 receives nothing */
	if (fd < 0) {
		perror("socket(AF_PACKET)");
		return 1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o.ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		perror("SIOCGIFHWADDR");
		return 1;
	}
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(o.ifname);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, o.dmac, 6);
	if (!sll.sll_ifindex) {
		perror("if_nametoindex");
		return 1;
	}
	if (o.flood_s > 0)
		return flood(&o, fd, &sll, smac);

	mlen = build_vrrp(&o, m);
	if (o.keep >= 0 && (size_t)o.keep < mlen)
		mlen = (size_t)o.keep;
	for (i = 0; i < o.extra && mlen < sizeof(m); i++)
		m[mlen++] = (uint8_t)(0xa5 ^ i);
	flen = build_frame(&o, smac, f, m, mlen);
	for (k = 0; k < o.n; k++) {
		if (sendto(fd, f, flen, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
			fprintf(stderr, "sendto: %s\n", strerror(errno));
			return 1;
		}
		if (o.gap_us && k + 1 < o.n)
			usleep((useconds_t)o.gap_us);
	}
	printf("SENT %ld frames of %zu bytes (VRRP %zu)\n", o.n, flen, mlen);
	return 0;
}
