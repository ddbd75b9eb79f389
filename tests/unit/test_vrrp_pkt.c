/* VRRP packet codec: golden adverts captured from keepalived 2.2.7
 * (tests/vrrp/fixtures), one test per receive rule (R1..R15 of
 * operations-and-reliability.md §3.2), truncation at every length, encode/
 * decode round trips and a bounded mutation loop (run under ASan). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>

#include "check.h"
#include "vrrp/vrrp_pkt.h"

/* ---- helpers ------------------------------------------------------------- */

static struct ka_addr A(const char *s) {
	struct ka_addr a;

	memset(&a, 0, sizeof(a));
	if (addr_parse(s, &a) != 0) {
		fprintf(stderr, "bad test address %s\n", s);
		exit(2);
	}
	return a;
}

static bool
addr_is_s(const struct ka_addr *a, const char *s)
{
	struct ka_addr b = A(s);

	return addr_equal(a, &b);
}

/* Read NAME.hex (hex byte pairs separated by white space). */
static size_t load_fixture(const char *name, uint8_t *buf, size_t cap)
{
	char path[512];
	unsigned v;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/vrrp/fixtures/%s.hex", test_data_dir(), name);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(2);
	}
	while (n < cap && fscanf(f, "%2x", &v) == 1)
		buf[n++] = (uint8_t)v;
	fclose(f);
	return n;
}

static uint16_t ip_csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* IPv4 header (20 bytes, TOS 0xc0) + payload into out; tot_len = 20 + plen. */
static size_t build_ipv4(uint8_t *out, const char *src, const char *dst, int ttl, int proto,
                         const uint8_t *payload, size_t plen)
{
	struct ka_addr s = A(src), d = A(dst);
	size_t tot = 20 + plen;
	uint16_t c;

	memset(out, 0, 20);
	out[0] = 0x45;
	out[1] = 0xc0;
	out[2] = (uint8_t)(tot >> 8);
	out[3] = (uint8_t)tot;
	out[5] = 1;
	out[8] = (uint8_t)ttl;
	out[9] = (uint8_t)proto;
	memcpy(out + 12, &s.u.v4, 4);
	memcpy(out + 16, &d.u.v4, 4);
	c = ip_csum(out, 20);
	out[10] = (uint8_t)(c >> 8);
	out[11] = (uint8_t)c;
	memcpy(out + 20, payload, plen);
	return tot;
}

static void fix_ip_csum(uint8_t *ip)
{
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = ip_csum(ip, (size_t)(ip[0] & 0x0f) * 4);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

/* Recompute the VRRP checksum of msg in place. */
static void fix_vrrp_csum(uint8_t *msg, size_t len, const char *src, const char *dst)
{
	struct ka_addr s, d;
	uint16_t c;

	if (src) {
		s = A(src);
		d = A(dst);
	}
	c = vrrp_csum_compute(msg, len, src ? &s : NULL, src ? &d : NULL);
	msg[6] = (uint8_t)(c >> 8);
	msg[7] = (uint8_t)c;
}

static void meta6(struct vrrp_rx_meta *m, const char *src, const char *dst, int hl)
{
	memset(m, 0, sizeof(*m));
	m->family = AF_INET6;
	m->src = A(src);
	m->dst = A(dst);
	m->ttl = hl;
	m->ip_hlen = 40;
}

/* ---- crafted adverts ------------------------------------------------------ */

/* A small, configurable advert used by the rule tests. */
struct craft {
	int version;
	int family;
	int vrid, prio;
	unsigned adver_cs;
	int auth_type;
	const char *pass;
	const char *addrs[4];
	size_t naddr;
	const char *src, *dst;
	enum vrrp_csum_form csum;
};

static const struct craft C_V2 = {2,   AF_INET,     10,           100,
                                  100, 0,           NULL,         {"192.0.2.100", "192.0.2.101"},
                                  2,   "192.0.2.1", "224.0.0.18", VRRP_CSUM_PLAIN};
static const struct craft C_V3 = {3,   AF_INET,     10,           100,
                                  100, 0,           NULL,         {"192.0.2.100"},
                                  1,   "192.0.2.1", "224.0.0.18", VRRP_CSUM_PSEUDO};
static const struct craft C_V6 = {3,   AF_INET6,  10,         100,
                                  100, 0,         NULL,       {"fe80::10", "2001:db8::10"},
                                  2,   "fe80::1", "ff02::12", VRRP_CSUM_PSEUDO};

static size_t craft_msg(const struct craft *c, uint8_t *buf, size_t cap)
{
	struct ka_addr addrs[4];
	struct vrrp_tx tx;
	size_t i;

	memset(&tx, 0, sizeof(tx));
	for (i = 0; i < c->naddr; i++)
		addrs[i] = A(c->addrs[i]);
	tx.version = (uint8_t)c->version;
	tx.vrid = (uint8_t)c->vrid;
	tx.priority = (uint8_t)c->prio;
	tx.adver_int_cs = (uint16_t)c->adver_cs;
	tx.auth_type = (uint8_t)c->auth_type;
	vrrp_auth_pass_set(tx.auth_data, c->pass);
	tx.family = (sa_family_t)c->family;
	tx.addrs = addrs;
	tx.naddr = c->naddr;
	tx.csum = c->csum;
	tx.src = A(c->src);
	tx.dst = c->csum == VRRP_CSUM_PSEUDO_MCAST
	             ? A(c->family == AF_INET ? "224.0.0.18" : "ff02::12")
	             : A(c->dst);
	return vrrp_pkt_encode(buf, cap, &tx);
}

/* A policy that accepts C_V2/C_V3/C_V6 as built above. */
static struct ka_addr pol_vips[4];
static void craft_policy(const struct craft *c, struct vrrp_rx_policy *pol)
{
	size_t i;

	vrrp_rx_policy_init(pol);
	pol->version = (uint8_t)c->version;
	pol->vrid = (uint8_t)c->vrid;
	pol->adver_int_cs = (uint16_t)c->adver_cs;
	pol->auth_type = (uint8_t)c->auth_type;
	vrrp_auth_pass_set(pol->auth_data, c->pass);
	for (i = 0; i < c->naddr; i++)
		pol_vips[i] = A(c->addrs[i]);
	pol->vips = pol_vips;
	pol->nvips = c->naddr;
	if (c->csum != VRRP_CSUM_NONE)
		pol->v3_ipv4_csum = c->csum;
}

/* Full receive pipeline on bytes as a socket would return them: IPv4 with
 * the IP header (meta from vrrp_ipv4_strip), IPv6 the message with meta6. */
static enum vrrp_rx_err rx(const uint8_t *buf, size_t len, int family, struct vrrp_rx_meta *meta,
                           const struct vrrp_rx_policy *pol, struct vrrp_rx_info *info)
{
	const uint8_t *msg = buf;
	size_t mlen = len;
	struct vrrp_pkt pkt;
	enum vrrp_rx_err why;

	if (family == AF_INET && vrrp_ipv4_strip(buf, len, meta, &msg, &mlen, &why) < 0)
		return why;
	if (vrrp_pkt_decode(msg, mlen, family, &pkt, &why) < 0)
		return why;
	return vrrp_pkt_validate(&pkt, meta, pol, info);
}

/* IPv4: craft c, wrap in an IP header with ttl, run rx. */
static enum vrrp_rx_err rx4(const struct craft *c, int ttl, const struct vrrp_rx_policy *pol,
                            struct vrrp_rx_info *info)
{
	uint8_t msg[2048], ip[2100];
	struct vrrp_rx_meta meta;
	size_t n = craft_msg(c, msg, sizeof(msg)), l;

	CHECK(n > 0);
	l = build_ipv4(ip, c->src, c->dst, ttl, VRRP_PROTO, msg, n);
	return rx(ip, l, AF_INET, &meta, pol, info);
}

static enum vrrp_rx_err rx6(const struct craft *c, int hl, const struct vrrp_rx_policy *pol,
                            struct vrrp_rx_info *info)
{
	uint8_t msg[4096];
	struct vrrp_rx_meta meta;
	size_t n = craft_msg(c, msg, sizeof(msg));

	CHECK(n > 0);
	meta6(&meta, c->src, c->dst, hl);
	return rx(msg, n, AF_INET6, &meta, pol, info);
}

/* ---- golden fixtures ---------------------------------------------------------- */

struct fixture {
	const char *name;
	int family, version, vrid, prio;
	unsigned adver_cs;
	int auth_type;
	const char *pass;
	const char *addrs[3];
	unsigned naddr;
	enum vrrp_csum_form csum;
	const char *src, *dst;
	bool unicast;
};

static const struct fixture fixtures[] = {
    {"v2_noauth",
     AF_INET,
     2,
     51,
     150,
     100,
     0,
     NULL,
     {"192.0.2.100", "192.0.2.101"},
     2,
     VRRP_CSUM_PLAIN,
     "192.0.2.1",
     "224.0.0.18",
     false},
    {"v2_noauth_prio0",
     AF_INET,
     2,
     51,
     0,
     100,
     0,
     NULL,
     {"192.0.2.100", "192.0.2.101"},
     2,
     VRRP_CSUM_PLAIN,
     "192.0.2.1",
     "224.0.0.18",
     false},
    {"v2_pass",
     AF_INET,
     2,
     52,
     200,
     200,
     1,
     "secret12",
     {"192.0.2.102"},
     1,
     VRRP_CSUM_PLAIN,
     "192.0.2.1",
     "224.0.0.18",
     false},
    {"v2_pass_short",
     AF_INET,
     2,
     53,
     100,
     100,
     1,
     "1111",
     {"192.0.2.103"},
     1,
     VRRP_CSUM_PLAIN,
     "192.0.2.1",
     "224.0.0.18",
     false},
    {"v3_ipv4",
     AF_INET,
     3,
     60,
     120,
     50,
     0,
     NULL,
     {"192.0.2.110", "192.0.2.111", "192.0.2.112"},
     3,
     VRRP_CSUM_PSEUDO,
     "192.0.2.1",
     "224.0.0.18",
     false},
    {"v3_ipv4_prio0",
     AF_INET,
     3,
     60,
     0,
     50,
     0,
     NULL,
     {"192.0.2.110", "192.0.2.111", "192.0.2.112"},
     3,
     VRRP_CSUM_PSEUDO,
     "192.0.2.1",
     "224.0.0.18",
     false},
    {"v3_ipv4_csum_as_v2",
     AF_INET,
     3,
     60,
     120,
     50,
     0,
     NULL,
     {"192.0.2.110", "192.0.2.111", "192.0.2.112"},
     3,
     VRRP_CSUM_PLAIN,
     "192.0.2.1",
     "224.0.0.18",
     false},
    {"v3_ipv4_unicast",
     AF_INET,
     3,
     61,
     254,
     25,
     0,
     NULL,
     {"192.0.2.113"},
     1,
     VRRP_CSUM_PSEUDO,
     "192.0.2.1",
     "192.0.2.2",
     true},
    {"v3_ipv4_unicast_oldcsum",
     AF_INET,
     3,
     62,
     90,
     100,
     0,
     NULL,
     {"192.0.2.114"},
     1,
     VRRP_CSUM_PSEUDO_MCAST,
     "192.0.2.1",
     "192.0.2.2",
     true},
    {"v3_ipv6",
     AF_INET6,
     3,
     70,
     110,
     25,
     0,
     NULL,
     {"fe80::70", "2001:db8::70", "2001:db8::71"},
     3,
     VRRP_CSUM_PSEUDO,
     "fe80::ff:fe00:a",
     "ff02::12",
     false},
    {"v3_ipv6_prio0",
     AF_INET6,
     3,
     70,
     0,
     25,
     0,
     NULL,
     {"fe80::70", "2001:db8::70", "2001:db8::71"},
     3,
     VRRP_CSUM_PSEUDO,
     "fe80::ff:fe00:a",
     "ff02::12",
     false},
};
#define N_FIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

/* Split a fixture into meta + VRRP message (IPv6: parse the fixed header the
 * way the socket layer would get it from cmsgs). */
static int fixture_split(const struct fixture *fx, const uint8_t *ip, size_t n,
                         struct vrrp_rx_meta *meta, const uint8_t **msg, size_t *mlen)
{
	enum vrrp_rx_err why;
	char s[64], d[64];

	if (fx->family == AF_INET) {
		if (vrrp_ipv4_strip(ip, n, meta, msg, mlen, &why) < 0) {
			fprintf(stderr, "%s: strip: %s\n", fx->name, vrrp_rx_err_str(why));
			return -1;
		}
		return 0;
	}
	if (n < 40 || (ip[0] >> 4) != 6 || ip[6] != VRRP_PROTO)
		return -1;
	inet_ntop(AF_INET6, ip + 8, s, sizeof(s));
	inet_ntop(AF_INET6, ip + 24, d, sizeof(d));
	meta6(meta, s, d, ip[7]);
	*msg = ip + 40;
	*mlen = (size_t)(ip[4] << 8 | ip[5]);
	return *mlen + 40 == n ? 0 : -1;
}

static void fixture_policy(const struct fixture *fx, struct vrrp_rx_policy *pol,
                           struct ka_addr *vips)
{
	unsigned i;

	vrrp_rx_policy_init(pol);
	pol->version = (uint8_t)fx->version;
	pol->vrid = (uint8_t)fx->vrid;
	pol->adver_int_cs = (uint16_t)fx->adver_cs;
	pol->auth_type = (uint8_t)fx->auth_type;
	vrrp_auth_pass_set(pol->auth_data, fx->pass);
	if (fx->version == 3 && fx->family == AF_INET)
		pol->v3_ipv4_csum = fx->csum;
	pol->unicast = fx->unicast;
	for (i = 0; i < fx->naddr; i++)
		vips[i] = A(fx->addrs[i]);
	pol->vips = vips;
	pol->nvips = fx->naddr;
}

static void test_fixture(const struct fixture *fx)
{
	uint8_t ip[256], out[256];
	const uint8_t *msg = NULL;
	size_t n, mlen = 0, elen;
	struct vrrp_rx_meta meta;
	struct vrrp_rx_policy pol;
	struct vrrp_rx_info info;
	struct ka_addr vips[3], addrs[3], a;
	struct vrrp_pkt pkt;
	enum vrrp_rx_err why;
	struct vrrp_tx tx;
	uint8_t pass[8];
	unsigned i;

	n = load_fixture(fx->name, ip, sizeof(ip));
	CHECK(n > 0);
	if (fixture_split(fx, ip, n, &meta, &msg, &mlen) < 0) {
		CHECK(!"fixture split");
		return;
	}
	CHECK_INT(meta.family, fx->family);
	CHECK(addr_is_s(&meta.src, fx->src));
	CHECK(addr_is_s(&meta.dst, fx->dst));
	CHECK_INT(meta.ttl, 255);
	CHECK_INT(meta.ip_hlen, fx->family == AF_INET ? 20 : 40);

	CHECK_INT(vrrp_pkt_decode(msg, mlen, fx->family, &pkt, &why), 0);
	CHECK_INT(pkt.version, fx->version);
	CHECK_INT(pkt.type, 1);
	CHECK_INT(pkt.vrid, fx->vrid);
	CHECK_INT(pkt.priority, fx->prio);
	CHECK_INT(pkt.naddr, fx->naddr);
	CHECK_INT(pkt.adver_int_cs, fx->adver_cs);
	CHECK_INT(pkt.auth_type, fx->auth_type);
	CHECK_INT(pkt.rsvd, 0);
	CHECK_INT(pkt.family, fx->family);
	CHECK_INT(pkt.addr_len, fx->family == AF_INET ? 4 : 16);
	CHECK_INT(pkt.len, mlen);
	CHECK_INT(pkt.trailing, 0);
	CHECK_INT(pkt.checksum, msg[6] << 8 | msg[7]);
	CHECK(pkt.msg == msg);
	CHECK(pkt.addrs == msg + 8);
	vrrp_auth_pass_set(pass, fx->pass);
	CHECK(memcmp(pkt.auth_data, pass, 8) == 0);
	for (i = 0; i < fx->naddr; i++) {
		vrrp_pkt_addr(&pkt, i, &a);
		CHECK(addr_is_s(&a, fx->addrs[i]));
	}
	CHECK_INT(vrrp_pkt_len(fx->version, fx->family, fx->naddr), mlen);

	/* Checksum: the expected form, and only the forms that coincide. */
	CHECK_INT(vrrp_csum_detect(&pkt, &meta, NULL), fx->csum);
	if (fx->csum == VRRP_CSUM_PLAIN)
		CHECK(vrrp_csum_verify(msg, mlen, NULL, NULL));
	if (fx->csum == VRRP_CSUM_PSEUDO)
		CHECK(vrrp_csum_verify(msg, mlen, &meta.src, &meta.dst));
	if (fx->csum == VRRP_CSUM_PSEUDO_MCAST) {
		struct ka_addr g = A("224.0.0.18");
		CHECK(vrrp_csum_verify(msg, mlen, &meta.src, &g));
	}
	if (fx->csum != VRRP_CSUM_PLAIN)
		CHECK(!vrrp_csum_verify(msg, mlen, NULL, NULL));

	/* The matching instance accepts it, without warnings. */
	fixture_policy(fx, &pol, vips);
	CHECK_INT(vrrp_pkt_validate(&pkt, &meta, &pol, &info), VRRP_RX_OK);
	CHECK_INT(info.warn, 0);
	CHECK_INT(info.csum_form, fx->csum);

	/* Re-encode from the decoded fields: the identical VRRP bytes. */
	memset(&tx, 0, sizeof(tx));
	tx.version = pkt.version;
	tx.vrid = pkt.vrid;
	tx.priority = pkt.priority;
	tx.adver_int_cs = pkt.adver_int_cs;
	tx.auth_type = pkt.auth_type;
	memcpy(tx.auth_data, pkt.auth_data, 8);
	tx.family = pkt.family;
	for (i = 0; i < pkt.naddr; i++)
		vrrp_pkt_addr(&pkt, i, &addrs[i]);
	tx.addrs = addrs;
	tx.naddr = pkt.naddr;
	tx.csum = info.csum_form;
	tx.src = meta.src;
	tx.dst = meta.dst;
	if (tx.csum == VRRP_CSUM_PSEUDO_MCAST)
		vrrp_mcast_group(AF_INET, &tx.dst);
	memset(out, 0xee, sizeof(out));
	elen = vrrp_pkt_encode(out, sizeof(out), &tx);
	CHECK_INT(elen, mlen);
	if (elen != mlen || memcmp(out, msg, mlen) != 0) {
		fprintf(stderr, "%s: re-encode differs\n", fx->name);
		CHECK(!"re-encode identical");
	}
	/* Exactly-sized buffer works, one byte less does not. */
	CHECK_INT(vrrp_pkt_encode(out, mlen, &tx), mlen);
	CHECK_INT(vrrp_pkt_encode(out, mlen - 1, &tx), 0);
}

static void test_fixtures(void)
{
	size_t i;

	for (i = 0; i < N_FIXTURES; i++)
		test_fixture(&fixtures[i]);
}

/* The two v3/IPv4 checksum forms are accepted only per policy; the old
 * unicast form only when asked for or auto-detection is on. */
static void test_fixture_csum_policy(void)
{
	static const char *names[] = {"v3_ipv4", "v3_ipv4_csum_as_v2", "v3_ipv4_unicast_oldcsum"};
	static const enum vrrp_csum_form forms[] = {VRRP_CSUM_PSEUDO, VRRP_CSUM_PLAIN,
	                                            VRRP_CSUM_PSEUDO_MCAST};
	const struct fixture *fx[3] = {&fixtures[4], &fixtures[6], &fixtures[8]};
	struct vrrp_rx_policy pol;
	struct vrrp_rx_info info;
	struct vrrp_rx_meta meta;
	struct ka_addr vips[3];
	size_t i, j, n, mlen;
	const uint8_t *msg;
	struct vrrp_pkt pkt;
	enum vrrp_rx_err why;
	uint8_t ip[256];

	for (i = 0; i < 3; i++) {
		CHECK_STR(fx[i]->name, names[i]);
		n = load_fixture(fx[i]->name, ip, sizeof(ip));
		CHECK_INT(fixture_split(fx[i], ip, n, &meta, &msg, &mlen), 0);
		CHECK_INT(vrrp_pkt_decode(msg, mlen, AF_INET, &pkt, &why), 0);
		for (j = 0; j < 3; j++) {
			fixture_policy(fx[i], &pol, vips);
			pol.v3_ipv4_csum = forms[j];
			why = vrrp_pkt_validate(&pkt, &meta, &pol, &info);
			/* Sent to the group, PSEUDO and PSEUDO_MCAST coincide. */
			if (i == 0 && j == 2) {
				CHECK_INT(why, VRRP_RX_OK);
				CHECK_INT(info.csum_form, VRRP_CSUM_PSEUDO_MCAST);
				continue;
			}
			CHECK_INT(why, i == j ? VRRP_RX_OK : VRRP_RX_CHECKSUM);
			/* Whatever the verdict, the caller learns the sender's form. */
			CHECK_INT(info.csum_form, forms[i]);
		}
	}
	/* Auto-detection of the old unicast form (old_unicast_checksum auto). */
	fixture_policy(fx[2], &pol, vips);
	pol.v3_ipv4_csum = VRRP_CSUM_PSEUDO;
	pol.v3_csum_try_old = true;
	n = load_fixture(fx[2]->name, ip, sizeof(ip));
	CHECK_INT(fixture_split(fx[2], ip, n, &meta, &msg, &mlen), 0);
	CHECK_INT(vrrp_pkt_decode(msg, mlen, AF_INET, &pkt, &why), 0);
	CHECK_INT(vrrp_pkt_validate(&pkt, &meta, &pol, &info), VRRP_RX_OK);
	CHECK_INT(info.csum_form, VRRP_CSUM_PSEUDO_MCAST);
	/* ... but it does not let a plain checksum through. */
	n = load_fixture(fx[1]->name, ip, sizeof(ip));
	CHECK_INT(fixture_split(fx[1], ip, n, &meta, &msg, &mlen), 0);
	CHECK_INT(vrrp_pkt_decode(msg, mlen, AF_INET, &pkt, &why), 0);
	fixture_policy(fx[1], &pol, vips);
	pol.v3_ipv4_csum = VRRP_CSUM_PSEUDO;
	pol.v3_csum_try_old = true;
	CHECK_INT(vrrp_pkt_validate(&pkt, &meta, &pol, &info), VRRP_RX_CHECKSUM);
}

/* ---- receive rules --------------------------------------------------------- */

static void test_r1_ttl(void)
{
	struct vrrp_rx_policy pol;
	struct vrrp_rx_info info;

	craft_policy(&C_V2, &pol);
	CHECK_INT(rx4(&C_V2, 255, &pol, &info), VRRP_RX_OK);
	CHECK_INT(rx4(&C_V2, 254, &pol, &info), VRRP_RX_TTL);
	CHECK_INT(rx4(&C_V2, 1, &pol, &info), VRRP_RX_TTL);
	craft_policy(&C_V3, &pol);
	CHECK_INT(rx4(&C_V3, 254, &pol, &info), VRRP_RX_TTL);
	craft_policy(&C_V6, &pol);
	CHECK_INT(rx6(&C_V6, 255, &pol, &info), VRRP_RX_OK);
	CHECK_INT(rx6(&C_V6, 64, &pol, &info), VRRP_RX_TTL);
	CHECK_INT(rx6(&C_V6, -1, &pol, &info), VRRP_RX_TTL); /* unknown fails closed */
	/* Unicast without min/max_ttl: no TTL check (routed peers). */
	pol.check_ttl = false;
	CHECK_INT(rx6(&C_V6, 64, &pol, &info), VRRP_RX_OK);
	CHECK_INT(rx6(&C_V6, -1, &pol, &info), VRRP_RX_OK);
	/* Unicast peer with min_ttl 250 max_ttl 254. */
	pol.check_ttl = true;
	pol.min_ttl = 250;
	pol.max_ttl = 254;
	CHECK_INT(rx6(&C_V6, 250, &pol, &info), VRRP_RX_OK);
	CHECK_INT(rx6(&C_V6, 254, &pol, &info), VRRP_RX_OK);
	CHECK_INT(rx6(&C_V6, 249, &pol, &info), VRRP_RX_TTL);
	CHECK_INT(rx6(&C_V6, 255, &pol, &info), VRRP_RX_TTL);
}

static void test_r2_version(void)
{
	struct vrrp_rx_policy pol;
	struct vrrp_pkt pkt;
	enum vrrp_rx_err why;
	uint8_t msg[64];
	size_t n;
	unsigned v;

	/* v3 advert to a v2 instance and vice versa */
	craft_policy(&C_V2, &pol);
	pol.vips = NULL;
	pol.nvips = 0;
	{
		struct craft c = C_V3;
		c.vrid = C_V2.vrid;
		CHECK_INT(rx4(&c, 255, &pol, NULL), VRRP_RX_VERSION);
	}
	craft_policy(&C_V3, &pol);
	CHECK_INT(rx4(&C_V2, 255, &pol, NULL), VRRP_RX_VERSION);

	/* Versions without a layout, and v2 over IPv6 */
	n = craft_msg(&C_V2, msg, sizeof(msg));
	for (v = 0; v < 16; v++) {
		if (v == 2 || v == 3)
			continue;
		msg[0] = (uint8_t)(v << 4 | 1);
		CHECK_INT(vrrp_pkt_decode(msg, n, AF_INET, &pkt, &why), -1);
		CHECK_INT(why, VRRP_RX_VERSION);
	}
	msg[0] = 0x21;
	CHECK_INT(vrrp_pkt_decode(msg, n, AF_INET6, &pkt, &why), -1);
	CHECK_INT(why, VRRP_RX_VERSION);
	CHECK_INT(vrrp_pkt_decode(msg, n, AF_UNIX, &pkt, &why), -1);
	CHECK_INT(why, VRRP_RX_IP_HDR);
}

static void test_r3_type(void)
{
	struct vrrp_pkt pkt;
	enum vrrp_rx_err why;
	uint8_t msg[64];
	size_t n;
	unsigned t, v;

	for (v = 2; v <= 3; v++) {
		n = craft_msg(v == 2 ? &C_V2 : &C_V3, msg, sizeof(msg));
		for (t = 0; t < 16; t++) {
			msg[0] = (uint8_t)(v << 4 | t);
			CHECK_INT(vrrp_pkt_decode(msg, n, AF_INET, &pkt, &why), t == 1 ? 0 : -1);
			CHECK_INT(why, t == 1 ? VRRP_RX_OK : VRRP_RX_TYPE);
		}
	}
}

static void test_r4_length(void)
{
	uint8_t msg[128], ip[256], big[2048];
	struct vrrp_rx_policy pol;
	struct vrrp_rx_meta meta;
	const uint8_t *pl;
	struct vrrp_pkt pkt;
	enum vrrp_rx_err why;
	size_t n, l, plen;

	memset(msg, 0, sizeof(msg));
	memset(ip, 0, sizeof(ip));
	memset(big, 0, sizeof(big));
	/* Count 20 with one address present */
	n = craft_msg(&C_V3, msg, sizeof(msg));
	msg[3] = 20;
	CHECK_INT(vrrp_pkt_decode(msg, n, AF_INET, &pkt, &why), -1);
	CHECK_INT(why, VRRP_RX_LENGTH);
	n = craft_msg(&C_V2, msg, sizeof(msg));
	msg[3] = 20;
	CHECK_INT(vrrp_pkt_decode(msg, n, AF_INET, &pkt, &why), -1);
	CHECK_INT(why, VRRP_RX_LENGTH);
	/* v2 without its 8 auth bytes */
	n = craft_msg(&C_V2, msg, sizeof(msg));
	CHECK_INT(vrrp_pkt_decode(msg, n - 8, AF_INET, &pkt, &why), -1);
	CHECK_INT(why, VRRP_RX_LENGTH);
	/* Zero-length and header-only payloads */
	CHECK_INT(vrrp_pkt_decode(msg, 0, AF_INET, &pkt, &why), -1);
	CHECK_INT(why, VRRP_RX_LENGTH);
	CHECK_INT(vrrp_pkt_decode(msg, 7, AF_INET, &pkt, &why), -1);
	CHECK_INT(why, VRRP_RX_LENGTH);
	l = build_ipv4(ip, "192.0.2.1", "224.0.0.18", 255, VRRP_PROTO, msg, 0);
	craft_policy(&C_V2, &pol);
	CHECK_INT(rx(ip, l, AF_INET, &meta, &pol, NULL), VRRP_RX_LENGTH);

	/* IPv4 tot_len says more than was read */
	n = craft_msg(&C_V2, msg, sizeof(msg));
	l = build_ipv4(ip, "192.0.2.1", "224.0.0.18", 255, VRRP_PROTO, msg, n);
	CHECK_INT(vrrp_ipv4_strip(ip, l - 1, &meta, &pl, &plen, &why), -1);
	CHECK_INT(why, VRRP_RX_LENGTH);
	/* tot_len less than read: fine as Ethernet padding (<= 46 bytes) */
	CHECK_INT(l, 44);
	ip[3] = (uint8_t)(l - 4); /* claim 4 bytes less: v2 loses auth bytes */
	fix_ip_csum(ip);
	CHECK_INT(vrrp_ipv4_strip(ip, l + 2, &meta, &pl, &plen, &why), 0);
	CHECK_INT(plen, n - 4);
	CHECK_INT(rx(ip, l + 2, AF_INET, &meta, &pol, NULL), VRRP_RX_LENGTH);
	/* v3 1 address = 32 bytes, padded to 46 on the wire: accepted */
	n = craft_msg(&C_V3, msg, sizeof(msg));
	l = build_ipv4(ip, "192.0.2.1", "224.0.0.18", 255, VRRP_PROTO, msg, n);
	CHECK_INT(l, 32);
	memset(ip + l, 0, 14);
	craft_policy(&C_V3, &pol);
	CHECK_INT(rx(ip, 46, AF_INET, &meta, &pol, NULL), VRRP_RX_OK);
	CHECK_INT(rx(ip, 47, AF_INET, &meta, &pol, NULL), VRRP_RX_LENGTH);
	/* Padding counted in tot_len (sender padded the IP packet): the VRRP
	 * message has trailing bytes, allowed up to 46 bytes in all. */
	ip[3] = 46;
	fix_ip_csum(ip);
	CHECK_INT(rx(ip, 46, AF_INET, &meta, &pol, NULL), VRRP_RX_OK);
	ip[3] = 47;
	fix_ip_csum(ip);
	ip[46] = 0;
	CHECK_INT(rx(ip, 47, AF_INET, &meta, &pol, NULL), VRRP_RX_LENGTH);
	/* A bigger packet may not carry trailing bytes at all */
	n = craft_msg(&C_V2, msg, sizeof(msg));
	msg[n] = 0;
	l = build_ipv4(ip, "192.0.2.1", "224.0.0.18", 255, VRRP_PROTO, msg, n + 3);
	craft_policy(&C_V2, &pol);
	CHECK_INT(rx(ip, l, AF_INET, &meta, &pol, NULL), VRRP_RX_LENGTH);
	l = build_ipv4(ip, "192.0.2.1", "224.0.0.18", 255, VRRP_PROTO, msg, n + 2);
	CHECK_INT(rx(ip, l, AF_INET, &meta, &pol, NULL), VRRP_RX_OK); /* 46 */
	/* IPv6: never padding (40 + 24 > 46) */
	n = craft_msg(&C_V6, big, sizeof(big));
	big[n] = 0;
	meta6(&meta, C_V6.src, C_V6.dst, 255);
	craft_policy(&C_V6, &pol);
	CHECK_INT(rx(big, n, AF_INET6, &meta, &pol, NULL), VRRP_RX_OK);
	CHECK_INT(rx(big, n + 1, AF_INET6, &meta, &pol, NULL), VRRP_RX_LENGTH);
	/* Large IPv4 packet with garbage after tot_len */
	n = craft_msg(&C_V2, msg, sizeof(msg));
	l = build_ipv4(big, "192.0.2.1", "224.0.0.18", 255, VRRP_PROTO, msg, n);
	memset(big + l, 0, 100);
	CHECK_INT(vrrp_ipv4_strip(big, l + 100, &meta, &pl, &plen, &why), -1);
	CHECK_INT(why, VRRP_RX_LENGTH);
}

static void test_r5_checksum(void)
{
	const struct craft *cs[] = {&C_V2, &C_V3, &C_V6};
	struct vrrp_rx_policy pol;
	struct vrrp_rx_meta meta;
	struct vrrp_rx_info info;
	uint8_t msg[128], ip[256];
	size_t i, n, l, bit;

	for (i = 0; i < 3; i++) {
		craft_policy(cs[i], &pol);
		for (bit = 0; bit < 16; bit++) {
			n = craft_msg(cs[i], msg, sizeof(msg));
			msg[6 + bit / 8] ^= (uint8_t)(1u << (bit % 8));
			if (cs[i]->family == AF_INET) {
				l = build_ipv4(ip, cs[i]->src, cs[i]->dst, 255, VRRP_PROTO, msg, n);
				CHECK_INT(rx(ip, l, AF_INET, &meta, &pol, &info), VRRP_RX_CHECKSUM);
			} else {
				meta6(&meta, cs[i]->src, cs[i]->dst, 255);
				CHECK_INT(rx(msg, n, AF_INET6, &meta, &pol, &info),
				          VRRP_RX_CHECKSUM);
			}
			CHECK_INT(info.csum_form, VRRP_CSUM_NONE);
		}
		/* A flipped address bit is caught as well */
		n = craft_msg(cs[i], msg, sizeof(msg));
		msg[9] ^= 0x10;
		pol.skip_addr_check = true;
		if (cs[i]->family == AF_INET) {
			l = build_ipv4(ip, cs[i]->src, cs[i]->dst, 255, VRRP_PROTO, msg, n);
			CHECK_INT(rx(ip, l, AF_INET, &meta, &pol, &info), VRRP_RX_CHECKSUM);
		} else {
			meta6(&meta, cs[i]->src, cs[i]->dst, 255);
			CHECK_INT(rx(msg, n, AF_INET6, &meta, &pol, &info), VRRP_RX_CHECKSUM);
			/* IPv6 pseudo-header: another source breaks it */
			n = craft_msg(cs[i], msg, sizeof(msg));
			meta6(&meta, "fe80::2", cs[i]->dst, 255);
			CHECK_INT(rx(msg, n, AF_INET6, &meta, &pol, &info), VRRP_RX_CHECKSUM);
			/* unknown dst: the pseudo-header cannot be checked */
			meta6(&meta, cs[i]->src, cs[i]->dst, 255);
			memset(&meta.dst, 0, sizeof(meta.dst));
			CHECK_INT(rx(msg, n, AF_INET6, &meta, &pol, &info), VRRP_RX_CHECKSUM);
		}
	}
	/* v3/IPv4 both forms, each accepted only per policy */
	{
		struct craft plain = C_V3;
		plain.csum = VRRP_CSUM_PLAIN;
		craft_policy(&C_V3, &pol); /* expects PSEUDO */
		CHECK_INT(rx4(&plain, 255, &pol, &info), VRRP_RX_CHECKSUM);
		CHECK_INT(info.csum_form, VRRP_CSUM_PLAIN);
		CHECK_INT(rx4(&C_V3, 255, &pol, &info), VRRP_RX_OK);
		pol.v3_ipv4_csum = VRRP_CSUM_PLAIN; /* v3_checksum_as_v2 */
		CHECK_INT(rx4(&plain, 255, &pol, &info), VRRP_RX_OK);
		CHECK_INT(rx4(&C_V3, 255, &pol, &info), VRRP_RX_CHECKSUM);
		CHECK_INT(info.csum_form, VRRP_CSUM_PSEUDO);
	}
	/* vrrp_csum_compute: a known RFC 1071 example over a fake message
	 * (checksum bytes ignored): words 0x0001 0xf203 0xf4f5 0xf6f7 */
	{
		static const uint8_t m[] = {0x00, 0x01, 0xf2, 0x03, 0xf4,
		                            0xf5, 0xaa, 0xbb, 0xf6, 0xf7};
		/* sum = 0x0001+0xf203+0xf4f5+0xf6f7 = 0x2ddf0 -> 0xddf2, ~ = 0x220d */
		CHECK_INT(vrrp_csum_compute(m, sizeof(m), NULL, NULL), 0x220d);
		/* odd length 9: the last word is 0xf600 -> 0x2dcf9 -> 0xdcfb */
		CHECK_INT(vrrp_csum_compute(m, 9, NULL, NULL), 0x2304);
		CHECK_INT(vrrp_csum_compute(m, 7, NULL, NULL), 0);
	}
}

static void test_r6_r7_vrid_owner(void)
{
	struct vrrp_rx_policy pol;

	craft_policy(&C_V2, &pol);
	pol.vrid = 11;
	CHECK_INT(rx4(&C_V2, 255, &pol, NULL), VRRP_RX_VRID);
	pol.vrid = 0; /* demuxed by the caller */
	CHECK_INT(rx4(&C_V2, 255, &pol, NULL), VRRP_RX_OK);
	pol.owner_ignore = true;
	CHECK_INT(rx4(&C_V2, 255, &pol, NULL), VRRP_RX_OWNER);
	/* a bad TTL is still reported as such first */
	CHECK_INT(rx4(&C_V2, 254, &pol, NULL), VRRP_RX_TTL);
}

static void test_r8_auth(void)
{
	struct craft pass = C_V2, other = C_V2;
	struct vrrp_rx_policy pol;
	uint8_t msg[64], ip[128];
	struct vrrp_rx_meta meta;
	size_t n, l;

	pass.auth_type = VRRP_PKT_AUTH_PASS;
	pass.pass = "secret12";
	craft_policy(&pass, &pol);
	CHECK_INT(rx4(&pass, 255, &pol, NULL), VRRP_RX_OK);
	/* Wrong password, including one differing only in the last byte */
	other = pass;
	other.pass = "secret13";
	CHECK_INT(rx4(&other, 255, &pol, NULL), VRRP_RX_AUTH_FAILURE);
	other.pass = "Secret12";
	CHECK_INT(rx4(&other, 255, &pol, NULL), VRRP_RX_AUTH_FAILURE);
	other.pass = "secret1";
	CHECK_INT(rx4(&other, 255, &pol, NULL), VRRP_RX_AUTH_FAILURE);
	/* Only the first 8 characters count */
	vrrp_auth_pass_set(pol.auth_data, "secret12-and-more");
	CHECK_INT(rx4(&pass, 255, &pol, NULL), VRRP_RX_OK);
	/* Zero padding: "1111" == "1111\0\0\0\0" */
	other.pass = "1111";
	vrrp_auth_pass_set(pol.auth_data, "1111");
	CHECK_INT(rx4(&other, 255, &pol, NULL), VRRP_RX_OK);
	vrrp_auth_pass_set(pol.auth_data, "11111");
	CHECK_INT(rx4(&other, 255, &pol, NULL), VRRP_RX_AUTH_FAILURE);
	/* Auth type mismatch both ways */
	vrrp_auth_pass_set(pol.auth_data, "secret12");
	CHECK_INT(rx4(&C_V2, 255, &pol, NULL), VRRP_RX_AUTH_TYPE_MISMATCH);
	craft_policy(&C_V2, &pol);
	CHECK_INT(rx4(&pass, 255, &pol, NULL), VRRP_RX_AUTH_TYPE_MISMATCH);
	/* Auth data of a no-auth advert is ignored (RFC 3768 §5.3.10) */
	n = craft_msg(&C_V2, msg, sizeof(msg));
	memset(msg + n - 8, 'x', 8);
	fix_vrrp_csum(msg, n, NULL, NULL);
	l = build_ipv4(ip, "192.0.2.1", "224.0.0.18", 255, VRRP_PROTO, msg, n);
	CHECK_INT(rx(ip, l, AF_INET, &meta, &pol, NULL), VRRP_RX_OK);
	/* Invalid auth types 3..255 */
	for (unsigned t = 3; t < 256; t += 17) {
		n = craft_msg(&C_V2, msg, sizeof(msg));
		msg[4] = (uint8_t)t;
		fix_vrrp_csum(msg, n, NULL, NULL);
		l = build_ipv4(ip, "192.0.2.1", "224.0.0.18", 255, VRRP_PROTO, msg, n);
		CHECK_INT(rx(ip, l, AF_INET, &meta, &pol, NULL), VRRP_RX_AUTH_TYPE_INVALID);
	}
	/* AH instances: AH is not implemented yet */
	pol.auth_type = VRRP_PKT_AUTH_AH;
	CHECK_INT(rx4(&C_V2, 255, &pol, NULL), VRRP_RX_AH);
	/* v3 has no auth field: a PASS policy value is irrelevant */
	craft_policy(&C_V3, &pol);
	pol.auth_type = VRRP_PKT_AUTH_PASS;
	CHECK_INT(rx4(&C_V3, 255, &pol, NULL), VRRP_RX_OK);
	/* a wrong password never gets past a bad checksum report order:
	 * auth is checked before the checksum, as keepalived does */
	craft_policy(&pass, &pol);
	n = craft_msg(&other, msg, sizeof(msg));
	msg[6] ^= 1;
	l = build_ipv4(ip, "192.0.2.1", "224.0.0.18", 255, VRRP_PROTO, msg, n);
	CHECK_INT(rx(ip, l, AF_INET, &meta, &pol, NULL), VRRP_RX_AUTH_FAILURE);
}

static void test_r9_r10_interval(void)
{
	struct craft c;
	struct vrrp_rx_policy pol;
	struct vrrp_rx_info info;
	uint8_t msg[64], ip[128];
	struct vrrp_rx_meta meta;
	size_t n, l;

	/* v2: mismatch drops */
	c = C_V2;
	c.adver_cs = 200;
	craft_policy(&C_V2, &pol);
	CHECK_INT(rx4(&c, 255, &pol, &info), VRRP_RX_INTERVAL);
	/* v2 compares whole seconds: local 150 cs is sent and expected as 2 s */
	pol.adver_int_cs = 150;
	CHECK_INT(rx4(&c, 255, &pol, &info), VRRP_RX_OK);
	/* v3: mismatch is accepted with a warning */
	c = C_V3;
	c.adver_cs = 37;
	craft_policy(&C_V3, &pol);
	CHECK_INT(rx4(&c, 255, &pol, &info), VRRP_RX_OK);
	CHECK_INT(info.warn, VRRP_RX_BIT(VRRP_RX_INTERVAL));
	CHECK_INT(rx4(&C_V3, 255, &pol, &info), VRRP_RX_OK);
	CHECK_INT(info.warn, 0);
	c = C_V6;
	c.adver_cs = 4095;
	craft_policy(&C_V6, &pol);
	CHECK_INT(rx6(&c, 255, &pol, &info), VRRP_RX_OK);
	CHECK_INT(info.warn, VRRP_RX_BIT(VRRP_RX_INTERVAL));
	/* v3 interval 0 (the encoder refuses it: patch the bytes) */
	n = craft_msg(&C_V3, msg, sizeof(msg));
	msg[4] = 0xf0; /* Rsvd set too: ignored, the interval is 0 */
	msg[5] = 0;
	fix_vrrp_csum(msg, n, "192.0.2.1", "224.0.0.18");
	l = build_ipv4(ip, "192.0.2.1", "224.0.0.18", 255, VRRP_PROTO, msg, n);
	craft_policy(&C_V3, &pol);
	CHECK_INT(rx(ip, l, AF_INET, &meta, &pol, NULL), VRRP_RX_INTERVAL_ZERO);
	/* v2 interval 0 */
	n = craft_msg(&C_V2, msg, sizeof(msg));
	msg[5] = 0;
	fix_vrrp_csum(msg, n, NULL, NULL);
	l = build_ipv4(ip, "192.0.2.1", "224.0.0.18", 255, VRRP_PROTO, msg, n);
	craft_policy(&C_V2, &pol);
	CHECK_INT(rx(ip, l, AF_INET, &meta, &pol, NULL), VRRP_RX_INTERVAL_ZERO);

	CHECK_INT(vrrp_v2_interval_s(0), 0);
	CHECK_INT(vrrp_v2_interval_s(1), 1);
	CHECK_INT(vrrp_v2_interval_s(49), 1);
	CHECK_INT(vrrp_v2_interval_s(100), 1);
	CHECK_INT(vrrp_v2_interval_s(149), 1);
	CHECK_INT(vrrp_v2_interval_s(150), 2);
	CHECK_INT(vrrp_v2_interval_s(25500), 255);
	CHECK_INT(vrrp_v2_interval_s(25549), 255);
	CHECK_INT(vrrp_v2_interval_s(25550), 0);
}

static void test_r11_r12_r13_addrs(void)
{
	struct vrrp_rx_policy pol;
	struct vrrp_rx_info info;
	struct craft c;
	struct ka_addr list[3];
	struct {
		int before;
		struct ka_addr addr;
		char after[7];
	} wrapped[2];

	/* Same set, other order: no warning */
	craft_policy(&C_V2, &pol);
	list[0] = A("192.0.2.101");
	list[1] = A("192.0.2.100");
	pol.vips = list;
	pol.nvips = 2;
	CHECK_INT(rx4(&C_V2, 255, &pol, &info), VRRP_RX_OK);
	CHECK_INT(info.warn, 0);
	/* Different address: accepted, flagged */
	list[1] = A("192.0.2.99");
	CHECK_INT(rx4(&C_V2, 255, &pol, &info), VRRP_RX_OK);
	CHECK_INT(info.warn, VRRP_RX_BIT(VRRP_RX_ADDR_LIST));
	pol.skip_addr_check = true;
	CHECK_INT(rx4(&C_V2, 255, &pol, &info), VRRP_RX_OK);
	CHECK_INT(info.warn, 0);
	pol.skip_addr_check = false;
	/* Count differs */
	list[1] = A("192.0.2.100");
	list[2] = A("192.0.2.102");
	pol.nvips = 3;
	CHECK_INT(rx4(&C_V2, 255, &pol, &info), VRRP_RX_OK);
	CHECK_INT(info.warn, VRRP_RX_BIT(VRRP_RX_ADDR_LIST));
	/* Duplicates do not hide a missing address */
	c = C_V2;
	c.addrs[1] = "192.0.2.100";
	list[0] = A("192.0.2.100");
	list[1] = A("192.0.2.101");
	pol.nvips = 2;
	CHECK_INT(rx4(&c, 255, &pol, &info), VRRP_RX_OK);
	CHECK_INT(info.warn, VRRP_RX_BIT(VRRP_RX_ADDR_LIST));
	/* The VIP list may be a member of larger structs (stride) */
	wrapped[0].addr = A("192.0.2.101");
	wrapped[1].addr = A("192.0.2.100");
	pol.vips = &wrapped[0].addr;
	pol.vip_stride = sizeof(wrapped[0]);
	CHECK_INT(rx4(&C_V2, 255, &pol, &info), VRRP_RX_OK);
	CHECK_INT(info.warn, 0);
	pol.vip_stride = 0;

	/* R12: count 0 */
	c = C_V3;
	c.naddr = 0;
	craft_policy(&C_V3, &pol);
	CHECK_INT(rx4(&c, 255, &pol, &info), VRRP_RX_ADDR_COUNT_ZERO);
	pol.nvips = 0; /* no_virtual_ipaddress on our side too */
	CHECK_INT(rx4(&c, 255, &pol, &info), VRRP_RX_OK);
	CHECK_INT(info.warn, 0);
	c = C_V2;
	c.naddr = 0;
	craft_policy(&C_V2, &pol);
	CHECK_INT(rx4(&c, 255, &pol, &info), VRRP_RX_ADDR_COUNT_ZERO);

	/* R13: IPv6 first address not link-local: a warning */
	c = C_V6;
	c.addrs[0] = "2001:db8::10";
	c.addrs[1] = "fe80::10";
	craft_policy(&C_V6, &pol);
	CHECK_INT(rx6(&c, 255, &pol, &info), VRRP_RX_OK);
	CHECK_INT(info.warn, VRRP_RX_BIT(VRRP_RX_LINK_LOCAL));
	c.addrs[0] = "febf::1"; /* still fe80::/10 */
	c.naddr = 1;
	CHECK_INT(rx6(&c, 255, &pol, &info), VRRP_RX_OK);
	CHECK_INT(info.warn, VRRP_RX_BIT(VRRP_RX_ADDR_LIST));
}

static void test_r14_rsvd(void)
{
	struct vrrp_rx_policy pol;
	struct vrrp_rx_meta meta;
	struct vrrp_rx_info info;
	struct vrrp_pkt pkt;
	enum vrrp_rx_err why;
	uint8_t msg[64];
	size_t n;

	n = craft_msg(&C_V6, msg, sizeof(msg));
	CHECK_INT(msg[4] >> 4, 0); /* sent as 0 */
	msg[4] |= 0xa0;
	fix_vrrp_csum(msg, n, C_V6.src, C_V6.dst);
	CHECK_INT(vrrp_pkt_decode(msg, n, AF_INET6, &pkt, &why), 0);
	CHECK_INT(pkt.rsvd, 0xa);
	CHECK_INT(pkt.adver_int_cs, 100);
	meta6(&meta, C_V6.src, C_V6.dst, 255);
	craft_policy(&C_V6, &pol);
	CHECK_INT(vrrp_pkt_validate(&pkt, &meta, &pol, &info), VRRP_RX_OK);
	CHECK_INT(info.warn, 0);
}

static void test_r15_dst_and_unicast_src(void)
{
	struct vrrp_rx_policy pol;
	struct craft c;
	struct ka_addr peers[2];

	/* Multicast instance, unicast packet */
	c = C_V3;
	c.dst = "192.0.2.2";
	craft_policy(&C_V3, &pol);
	CHECK_INT(rx4(&c, 255, &pol, NULL), VRRP_RX_DST);
	/* Unicast instance, multicast packet */
	pol.unicast = true;
	pol.check_ttl = false;
	CHECK_INT(rx4(&C_V3, 255, &pol, NULL), VRRP_RX_DST);
	CHECK_INT(rx4(&c, 64, &pol, NULL), VRRP_RX_OK);
	/* Another multicast group (mcast_dst_ip) */
	craft_policy(&C_V3, &pol);
	pol.mcast_group = A("224.0.0.19");
	CHECK_INT(rx4(&C_V3, 255, &pol, NULL), VRRP_RX_DST);
	c = C_V3;
	c.dst = "224.0.0.19";
	CHECK_INT(rx4(&c, 255, &pol, NULL), VRRP_RX_OK);
	/* IPv6 */
	c = C_V6;
	c.dst = "2001:db8::2";
	craft_policy(&C_V6, &pol);
	CHECK_INT(rx6(&c, 255, &pol, NULL), VRRP_RX_DST);
	CHECK_INT(rx6(&C_V6, 255, &pol, NULL), VRRP_RX_OK);

	/* check_unicast_src */
	c = C_V3;
	c.dst = "192.0.2.1";
	c.src = "192.0.2.7";
	craft_policy(&C_V3, &pol);
	pol.unicast = true;
	pol.check_unicast_src = true;
	peers[0] = A("192.0.2.5");
	peers[1] = A("192.0.2.7");
	pol.peers = peers;
	pol.npeers = 1;
	CHECK_INT(rx4(&c, 255, &pol, NULL), VRRP_RX_UNICAST_SRC);
	pol.npeers = 2;
	CHECK_INT(rx4(&c, 255, &pol, NULL), VRRP_RX_OK);
	pol.check_unicast_src = false;
	pol.npeers = 0;
	CHECK_INT(rx4(&c, 255, &pol, NULL), VRRP_RX_OK);
}

static void test_strip(void)
{
	uint8_t msg[64], ip[128], opt[128];
	struct vrrp_rx_meta meta;
	struct vrrp_rx_policy pol;
	const uint8_t *pl;
	size_t n, l, plen;
	enum vrrp_rx_err why;

	n = craft_msg(&C_V2, msg, sizeof(msg));
	l = build_ipv4(ip, "192.0.2.1", "224.0.0.18", 255, VRRP_PROTO_AH, msg, n);
	CHECK_INT(vrrp_ipv4_strip(ip, l, &meta, &pl, &plen, &why), -1);
	CHECK_INT(why, VRRP_RX_AH);
	CHECK(addr_is_s(&meta.src, "192.0.2.1")); /* meta filled anyway */
	l = build_ipv4(ip, "192.0.2.1", "224.0.0.18", 255, 6, msg, n);
	CHECK_INT(vrrp_ipv4_strip(ip, l, &meta, &pl, &plen, &why), -1);
	CHECK_INT(why, VRRP_RX_IP_PROTO);
	/* header checksum */
	l = build_ipv4(ip, "192.0.2.1", "224.0.0.18", 255, VRRP_PROTO, msg, n);
	ip[10] ^= 1;
	CHECK_INT(vrrp_ipv4_strip(ip, l, &meta, &pl, &plen, &why), -1);
	CHECK_INT(why, VRRP_RX_IP_HDR);
	/* fragments */
	l = build_ipv4(ip, "192.0.2.1", "224.0.0.18", 255, VRRP_PROTO, msg, n);
	ip[6] = 0x20; /* MF */
	fix_ip_csum(ip);
	CHECK_INT(vrrp_ipv4_strip(ip, l, &meta, &pl, &plen, &why), -1);
	CHECK_INT(why, VRRP_RX_IP_HDR);
	ip[6] = 0x40; /* DF is fine */
	fix_ip_csum(ip);
	CHECK_INT(vrrp_ipv4_strip(ip, l, &meta, &pl, &plen, &why), 0);
	ip[6] = 0x00;
	ip[7] = 0x01; /* offset */
	fix_ip_csum(ip);
	CHECK_INT(vrrp_ipv4_strip(ip, l, &meta, &pl, &plen, &why), -1);
	CHECK_INT(why, VRRP_RX_IP_HDR);
	/* version, IHL, tot_len < IHL */
	l = build_ipv4(ip, "192.0.2.1", "224.0.0.18", 255, VRRP_PROTO, msg, n);
	ip[0] = 0x65;
	CHECK_INT(vrrp_ipv4_strip(ip, l, &meta, &pl, &plen, &why), -1);
	CHECK_INT(why, VRRP_RX_IP_HDR);
	ip[0] = 0x44;
	CHECK_INT(vrrp_ipv4_strip(ip, l, &meta, &pl, &plen, &why), -1);
	CHECK_INT(why, VRRP_RX_IP_HDR);
	ip[0] = 0x4f; /* 60 bytes > l */
	CHECK_INT(vrrp_ipv4_strip(ip, l, &meta, &pl, &plen, &why), -1);
	CHECK_INT(why, VRRP_RX_IP_HDR);
	ip[0] = 0x45;
	ip[2] = 0;
	ip[3] = 19;
	fix_ip_csum(ip);
	CHECK_INT(vrrp_ipv4_strip(ip, l, &meta, &pl, &plen, &why), -1);
	CHECK_INT(why, VRRP_RX_IP_HDR);
	/* IP options (IHL 6): skipped */
	l = build_ipv4(ip, "192.0.2.1", "224.0.0.18", 255, VRRP_PROTO, msg, n);
	memcpy(opt, ip, 20);
	opt[0] = 0x46;
	opt[3] = (uint8_t)(l + 4);
	memset(opt + 20, 1, 4); /* NOP options */
	memcpy(opt + 24, msg, n);
	fix_ip_csum(opt);
	CHECK_INT(vrrp_ipv4_strip(opt, l + 4, &meta, &pl, &plen, &why), 0);
	CHECK_INT(meta.ip_hlen, 24);
	CHECK_INT(plen, n);
	CHECK(pl == opt + 24);
	CHECK_INT(meta.ttl, 255);
	craft_policy(&C_V2, &pol);
	CHECK_INT(rx(opt, l + 4, AF_INET, &meta, &pol, NULL), VRRP_RX_OK);
	/* meta family that disagrees with the decode family */
	{
		struct vrrp_pkt pkt;
		CHECK_INT(vrrp_pkt_decode(msg, n, AF_INET, &pkt, &why), 0);
		meta6(&meta, "fe80::1", "ff02::12", 255);
		CHECK_INT(vrrp_pkt_validate(&pkt, &meta, &pol, NULL), VRRP_RX_IP_HDR);
	}
}

/* ---- truncation: every length, exact-size heap buffers (ASan) ----------------- */

static void truncate_one(const uint8_t *full, size_t n, int family, const struct vrrp_rx_meta *m6,
                         const struct vrrp_rx_policy *pol)
{
	struct vrrp_rx_meta meta;
	struct vrrp_pkt pkt;
	enum vrrp_rx_err why;
	const uint8_t *pl;
	size_t l, plen;

	for (l = 0; l <= n; l++) {
		uint8_t *b = malloc(l ? l : 1);

		memcpy(b, full, l);
		if (family == AF_INET) {
			int r = vrrp_ipv4_strip(b, l, &meta, &pl, &plen, &why);

			CHECK_INT(r, l == n ? 0 : -1);
			CHECK_INT(why, l == n   ? VRRP_RX_OK
			               : l < 20 ? VRRP_RX_IP_HDR
			                        : VRRP_RX_LENGTH);
			CHECK_INT(rx(b, l, AF_INET, &meta, pol, NULL), l == n   ? VRRP_RX_OK
			                                               : l < 20 ? VRRP_RX_IP_HDR
			                                                        : VRRP_RX_LENGTH);
			/* and the bare VRRP message cut short */
			if (l >= 20) {
				int rr = vrrp_pkt_decode(b + 20, l - 20, AF_INET, &pkt, &why);
				CHECK_INT(rr, l == n ? 0 : -1);
			}
		} else {
			meta = *m6;
			CHECK_INT(rx(b, l, AF_INET6, &meta, pol, NULL),
			          l == n ? VRRP_RX_OK : VRRP_RX_LENGTH);
		}
		free(b);
	}
}

static void test_truncation(void)
{
	struct vrrp_rx_policy pol;
	struct vrrp_rx_meta meta;
	struct ka_addr vips[3];
	const uint8_t *msg;
	uint8_t ip[256];
	size_t i, n, mlen;

	for (i = 0; i < N_FIXTURES; i++) {
		n = load_fixture(fixtures[i].name, ip, sizeof(ip));
		CHECK_INT(fixture_split(&fixtures[i], ip, n, &meta, &msg, &mlen), 0);
		fixture_policy(&fixtures[i], &pol, vips);
		if (fixtures[i].family == AF_INET)
			truncate_one(ip, n, AF_INET, NULL, &pol);
		else
			truncate_one(msg, mlen, AF_INET6, &meta, &pol);
	}
}

/* ---- round trips ---------------------------------------------------------------- */

static void roundtrip(int version, int family, size_t naddr, enum vrrp_csum_form csum)
{
	static struct ka_addr addrs[VRRP_MAX_ADDRS];
	static uint8_t buf[VRRP_MAX_PKT + 16], again[VRRP_MAX_PKT + 16];
	struct vrrp_rx_policy pol;
	struct vrrp_rx_meta meta;
	struct vrrp_rx_info info;
	struct vrrp_pkt pkt;
	enum vrrp_rx_err why;
	struct vrrp_tx tx;
	struct ka_addr a;
	size_t i, n;

	memset(&tx, 0, sizeof(tx));
	for (i = 0; i < naddr; i++) {
		memset(&addrs[i], 0, sizeof(addrs[i]));
		addrs[i].family = (sa_family_t)family;
		if (family == AF_INET) {
			addrs[i].u.v4.s_addr = htonl(0xc6336400u + (uint32_t)i); /* 198.51.100.i */
		} else {
			addrs[i] = A(i == 0 ? "fe80::1" : "2001:db8::");
			addrs[i].u.v6.s6_addr[14] = (uint8_t)(i >> 8);
			addrs[i].u.v6.s6_addr[15] = (uint8_t)i;
		}
	}
	tx.version = (uint8_t)version;
	tx.vrid = 200;
	tx.priority = 254;
	tx.adver_int_cs = version == 2 ? 300 : 1234;
	tx.auth_type = version == 2 ? VRRP_PKT_AUTH_PASS : 0;
	vrrp_auth_pass_set(tx.auth_data, "pw");
	tx.family = (sa_family_t)family;
	tx.addrs = addrs;
	tx.naddr = naddr;
	tx.csum = csum;
	tx.src = A(family == AF_INET ? "198.51.100.250" : "fe80::250");
	tx.dst = A(family == AF_INET ? "224.0.0.18" : "ff02::12");
	n = vrrp_pkt_encode(buf, sizeof(buf), &tx);
	if (version == 2 && family == AF_INET6) {
		CHECK_INT(n, 0);
		return;
	}
	CHECK_INT(n, vrrp_pkt_len(version, family, (unsigned)naddr));
	CHECK_INT(vrrp_pkt_decode(buf, n, family, &pkt, &why), 0);
	CHECK_INT(pkt.version, version);
	CHECK_INT(pkt.vrid, 200);
	CHECK_INT(pkt.priority, 254);
	CHECK_INT(pkt.naddr, naddr);
	CHECK_INT(pkt.adver_int_cs, version == 2 ? 300 : 1234);
	CHECK_INT(pkt.auth_type, version == 2 ? 1 : 0);
	for (i = 0; i < naddr; i++) {
		vrrp_pkt_addr(&pkt, (unsigned)i, &a);
		CHECK(addr_equal(&a, &addrs[i]));
	}
	vrrp_pkt_addr(&pkt, (unsigned)naddr, &a); /* out of range: zeroed */
	CHECK_INT(a.family, 0);

	memset(&meta, 0, sizeof(meta));
	meta.family = (sa_family_t)family;
	meta.src = tx.src;
	meta.dst = tx.dst;
	meta.ttl = 255;
	vrrp_rx_policy_init(&pol);
	pol.version = (uint8_t)version;
	pol.vrid = 200;
	pol.adver_int_cs = version == 2 ? 300 : 1234;
	pol.auth_type = version == 2 ? VRRP_PKT_AUTH_PASS : 0;
	vrrp_auth_pass_set(pol.auth_data, "pw");
	pol.vips = addrs;
	pol.nvips = naddr;
	if (csum != VRRP_CSUM_NONE)
		pol.v3_ipv4_csum = csum;
	why = vrrp_pkt_validate(&pkt, &meta, &pol, &info);
	CHECK_INT(why, csum == VRRP_CSUM_NONE ? VRRP_RX_CHECKSUM : VRRP_RX_OK);
	CHECK_INT(info.warn, 0);

	/* decode -> encode is the identity */
	tx.auth_type = pkt.auth_type;
	memcpy(tx.auth_data, pkt.auth_data, 8);
	CHECK_INT(vrrp_pkt_encode(again, sizeof(again), &tx), n);
	CHECK(memcmp(buf, again, n) == 0);
}

static void test_roundtrips(void)
{
	static const size_t counts[] = {1, 2, 7, 255};
	size_t i;

	for (i = 0; i < 4; i++) {
		roundtrip(2, AF_INET, counts[i], VRRP_CSUM_PLAIN);
		roundtrip(2, AF_INET6, counts[i], VRRP_CSUM_PLAIN);
		roundtrip(3, AF_INET, counts[i], VRRP_CSUM_PSEUDO);
		roundtrip(3, AF_INET, counts[i], VRRP_CSUM_PLAIN);
		roundtrip(3, AF_INET6, counts[i], VRRP_CSUM_PSEUDO);
		roundtrip(3, AF_INET6, counts[i], VRRP_CSUM_NONE); /* kernel fills it */
	}
}

static void test_encode_invalid(void)
{
	struct ka_addr a4 = A("192.0.2.1"), a6 = A("2001:db8::1"), two[2];
	uint8_t buf[64];
	struct vrrp_tx tx, t;

	memset(&tx, 0, sizeof(tx));
	tx.version = 3;
	tx.vrid = 1;
	tx.priority = 100;
	tx.adver_int_cs = 100;
	tx.family = AF_INET;
	tx.addrs = &a4;
	tx.naddr = 1;
	tx.csum = VRRP_CSUM_PLAIN;
	CHECK_INT(vrrp_pkt_encode(buf, sizeof(buf), &tx), 12);
	CHECK_INT(buf[0], 0x31);
	CHECK_INT(buf[4], 0x00);
	CHECK_INT(buf[5], 100);

	t = tx;
	t.adver_int_cs = 0;
	CHECK_INT(vrrp_pkt_encode(buf, sizeof(buf), &t), 0);
	t.adver_int_cs = 4096;
	CHECK_INT(vrrp_pkt_encode(buf, sizeof(buf), &t), 0);
	t.adver_int_cs = 4095;
	CHECK_INT(vrrp_pkt_encode(buf, sizeof(buf), &t), 12);
	CHECK_INT(buf[4], 0x0f);
	CHECK_INT(buf[5], 0xff);
	t = tx;
	t.vrid = 0;
	CHECK_INT(vrrp_pkt_encode(buf, sizeof(buf), &t), 0);
	t = tx;
	t.version = 4;
	CHECK_INT(vrrp_pkt_encode(buf, sizeof(buf), &t), 0);
	t = tx;
	t.naddr = 256;
	CHECK_INT(vrrp_pkt_encode(buf, sizeof(buf), &t), 0);
	t = tx;
	t.addrs = &a6; /* family mismatch */
	CHECK_INT(vrrp_pkt_encode(buf, sizeof(buf), &t), 0);
	t = tx;
	t.addrs = NULL;
	CHECK_INT(vrrp_pkt_encode(buf, sizeof(buf), &t), 0);
	t = tx;
	t.csum = VRRP_CSUM_PSEUDO; /* no src/dst */
	CHECK_INT(vrrp_pkt_encode(buf, sizeof(buf), &t), 0);
	t.src = a4;
	t.dst = a6;
	CHECK_INT(vrrp_pkt_encode(buf, sizeof(buf), &t), 0);
	t = tx;
	t.family = AF_INET6;
	t.addrs = &a6;
	t.csum = VRRP_CSUM_PLAIN; /* meaningless for IPv6 */
	CHECK_INT(vrrp_pkt_encode(buf, sizeof(buf), &t), 0);
	/* v2 */
	t = tx;
	t.version = 2;
	t.auth_type = VRRP_PKT_AUTH_AH;
	CHECK_INT(vrrp_pkt_encode(buf, sizeof(buf), &t), 0);
	t.auth_type = 7;
	CHECK_INT(vrrp_pkt_encode(buf, sizeof(buf), &t), 0);
	t.auth_type = VRRP_PKT_AUTH_NONE;
	memset(t.auth_data, 'z', 8); /* not sent without PASS */
	t.adver_int_cs = 149;
	CHECK_INT(vrrp_pkt_encode(buf, sizeof(buf), &t), 20);
	CHECK_INT(buf[0], 0x21);
	CHECK_INT(buf[5], 1);
	CHECK_INT(buf[12] | buf[13] | buf[14] | buf[15] | buf[16] | buf[17] | buf[18] | buf[19], 0);
	t.adver_int_cs = 25600;
	CHECK_INT(vrrp_pkt_encode(buf, sizeof(buf), &t), 0);
	t.adver_int_cs = 10; /* rounds to 0, sent as 1 s */
	CHECK_INT(vrrp_pkt_encode(buf, sizeof(buf), &t), 20);
	CHECK_INT(buf[5], 1);
	/* stride over larger structs */
	{
		struct {
			char pad[3];
			struct ka_addr addr;
		} w[2];
		two[0] = A("192.0.2.1");
		two[1] = A("192.0.2.2");
		w[0].addr = two[0];
		w[1].addr = two[1];
		t = tx;
		t.addrs = &w[0].addr;
		t.addr_stride = sizeof(w[0]);
		t.naddr = 2;
		CHECK_INT(vrrp_pkt_encode(buf, sizeof(buf), &t), 16);
		CHECK(memcmp(buf + 8, &two[0].u.v4, 4) == 0);
		CHECK(memcmp(buf + 12, &two[1].u.v4, 4) == 0);
	}
}

static void test_strings(void)
{
	int i, j;

	for (i = 0; i <= VRRP_RX_ERR_COUNT; i++)
		CHECK(vrrp_rx_err_str((enum vrrp_rx_err)i) != NULL);
	for (i = 0; i < VRRP_RX_ERR_COUNT; i++)
		for (j = i + 1; j < VRRP_RX_ERR_COUNT; j++)
			CHECK(strcmp(vrrp_rx_err_str((enum vrrp_rx_err)i),
			             vrrp_rx_err_str((enum vrrp_rx_err)j)) != 0);
	CHECK(VRRP_RX_ERR_COUNT <= 32);
	CHECK_STR(vrrp_rx_err_str(VRRP_RX_OK), "ok");
	CHECK_STR(vrrp_csum_form_str(VRRP_CSUM_PLAIN), "plain");
	CHECK_INT(VRRP_MAX_PKT_V2, 1036);
	CHECK_INT(VRRP_MAX_PKT_V3_4, 1028);
	CHECK_INT(VRRP_MAX_PKT_V3_6, 4088);
	{
		struct ka_addr g, p = A(VRRP_MCAST_GROUP4);
		vrrp_mcast_group(AF_INET, &g);
		CHECK(addr_equal(&g, &p));
		p = A(VRRP_MCAST_GROUP6);
		vrrp_mcast_group(AF_INET6, &g);
		CHECK(addr_equal(&g, &p));
	}
	CHECK_INT(vrrp_pkt_len(2, AF_INET, 1), 20);
	CHECK_INT(vrrp_pkt_len(2, AF_INET6, 1), 0);
	CHECK_INT(vrrp_pkt_len(3, AF_INET, 0), 8);
	CHECK_INT(vrrp_pkt_len(3, AF_INET6, 2), 40);
	CHECK_INT(vrrp_pkt_len(3, AF_INET6, 256), 0);
	CHECK_INT(vrrp_pkt_len(1, AF_INET, 1), 0);
}

/* ---- bounded mutation loop (a mini fuzzer; the real one is tests/fuzz) ---------- */

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

static void test_mutations(void)
{
	struct vrrp_rx_policy pol;
	struct vrrp_rx_meta meta;
	struct ka_addr vips[3];
	uint8_t ip[256];
	size_t i, n, k;
	unsigned iter, ok = 0;

	for (iter = 0; iter < 30000; iter++) {
		const struct fixture *fx = &fixtures[rng() % N_FIXTURES];
		const uint8_t *msg;
		size_t mlen, l;
		uint8_t *b;

		n = load_fixture(fx->name, ip, sizeof(ip));
		if (fixture_split(fx, ip, n, &meta, &msg, &mlen) < 0)
			continue;
		fixture_policy(fx, &pol, vips);
		pol.v3_csum_try_old = rng() & 1;
		if (fx->family == AF_INET) {
			for (k = rng() % 4 + 1; k; k--)
				ip[rng() % n] ^= (uint8_t)(1u << (rng() % 8));
			if (rng() % 2) /* keep the IP header valid most of the time */
				fix_ip_csum(ip);
			l = rng() % 8 ? n : rng() % (n + 8);
			b = malloc(l ? l : 1);
			for (i = 0; i < l; i++)
				b[i] = i < n ? ip[i] : (uint8_t)rng();
			if (rx(b, l, AF_INET, &meta, &pol, NULL) == VRRP_RX_OK)
				ok++;
		} else {
			uint8_t m[256];
			memcpy(m, msg, mlen);
			for (k = rng() % 4 + 1; k; k--)
				m[rng() % mlen] ^= (uint8_t)(1u << (rng() % 8));
			l = rng() % 8 ? mlen : rng() % (mlen + 8);
			b = malloc(l ? l : 1);
			for (i = 0; i < l; i++)
				b[i] = i < mlen ? m[i] : (uint8_t)rng();
			if (rx(b, l, AF_INET6, &meta, &pol, NULL) == VRRP_RX_OK)
				ok++;
		}
		free(b);
	}
	/* Flipped bits are almost always caught (checksum or a field rule);
	 * what gets through flipped IP header bytes no rule covers (TOS, ID). */
	printf("mutations: %u of 30000 accepted\n", ok);
	CHECK(ok < 3000);
}

int main(void)
{
	test_fixtures();
	test_fixture_csum_policy();
	test_r1_ttl();
	test_r2_version();
	test_r3_type();
	test_r4_length();
	test_r5_checksum();
	test_r6_r7_vrid_owner();
	test_r8_auth();
	test_r9_r10_interval();
	test_r11_r12_r13_addrs();
	test_r14_rsvd();
	test_r15_dst_and_unicast_src();
	test_strip();
	test_truncation();
	test_roundtrips();
	test_encode_invalid();
	test_strings();
	test_mutations();
	return check_report("test_vrrp_pkt");
}
