/* nft_rules.c: names, the capability check, weights and Maglev. */
#include <arpa/inet.h>
#include <linux/ip_vs.h>

#include "check.h"
#include "lvs/nft_rules.h"

static struct lvs_svc_key key(const char *addr, uint16_t proto, uint16_t port)
{
	struct lvs_svc_key k = {.protocol = proto, .port = port};

	addr_parse(addr, &k.addr);
	k.af = k.addr.family;
	return k;
}

static struct lvs_dest dest(const char *addr, uint16_t port, int32_t weight)
{
	struct lvs_dest d = {.port = port, .weight = weight, .fwd = LVS_FWD_NAT};

	addr_parse(addr, &d.addr);
	d.af = d.addr.family;
	return d;
}

static void svc_init(struct lvs_tsvc *s, const struct lvs_svc_key *k, const char *sched)
{
	memset(s, 0, sizeof(*s));
	s->key = *k;
	snprintf(s->attr.sched, sizeof(s->attr.sched), "%s", sched);
}

static void test_names(void)
{
	struct lvs_svc_key k = key("192.0.2.1", IPPROTO_TCP, 80);
	struct lvs_svc_key k6 = key("2001:db8::1", IPPROTO_UDP, 53);
	struct lvs_svc_key km = {.af = AF_INET, .fwmark = 5};
	struct lvs_dest d = dest("198.51.100.7", 8080, 1);
	char b[NFT_NAME_MAX];

	CHECK_STR(nft_chain_name(&k, b, sizeof(b)), "vs_tcp_192_0_2_1_80");
	CHECK_STR(nft_chain_name(&k6, b, sizeof(b)), "vs_udp_2001_db8__1_53");
	CHECK_STR(nft_chain_name(&km, b, sizeof(b)), "vs_fwm5_v4");
	km.af = AF_INET6;
	CHECK_STR(nft_chain_name(&km, b, sizeof(b)), "vs_fwm5_v6");
	CHECK_STR(nft_set_name(&k, "idx", b, sizeof(b)), "vs_tcp_192_0_2_1_80_idx");
	CHECK_STR(nft_counter_name(&k, &d, "conn", b, sizeof(b)),
	          "vs_tcp_192_0_2_1_80__198_51_100_7_8080_conn");
}

static int check1(const struct lvs_svc_key *k, const struct lvs_svc_attr *a,
                  const struct lvs_dest *d, size_t n, const char *needle)
{
	char why[256] = "";
	int r = nft_svc_check(k, a, d, n, why, sizeof(why));

	if (needle && !strstr(why, needle)) {
		fprintf(stderr, "why \"%s\" lacks \"%s\"\n", why, needle);
		return 99;
	}
	/* A complete sentence naming an alternative. */
	if (r < 0 && !strstr(why, "use ")) {
		fprintf(stderr, "why \"%s\" names no alternative\n", why);
		return 98;
	}
	return r;
}

static void test_check(void)
{
	struct lvs_svc_key k = key("192.0.2.1", IPPROTO_TCP, 80), k0 = k, ks = k;
	struct lvs_svc_key km = {.af = AF_INET, .protocol = IPPROTO_TCP, .fwmark = 7};
	struct lvs_svc_attr a = {.sched = "wrr"}, b = a;
	struct lvs_dest d[2] = {dest("198.51.100.1", 80, 1), dest("198.51.100.2", 80, 2)};
	struct lvs_dest e[2];
	const char *ok[] = {"rr", "wrr", "sh", "dh", "mh"};
	size_t i;

	for (i = 0; i < 5; i++) {
		snprintf(b.sched, sizeof(b.sched), "%s", ok[i]);
		CHECK_INT(check1(&k, &b, d, 2, NULL), 0);
	}
	snprintf(b.sched, sizeof(b.sched), "wlc");
	CHECK_INT(check1(&k, &b, d, 2, "lb_algo wlc"), -1);
	k0.port = 0;
	CHECK_INT(check1(&k0, &a, d, 2, "port 0"), -1);
	ks.protocol = IPPROTO_SCTP;
	CHECK_INT(check1(&ks, &a, d, 2, "SCTP"), -1);
	b = a;
	snprintf(b.pe_name, sizeof(b.pe_name), "sip");
	CHECK_INT(check1(&k, &b, d, 2, "persistence_engine sip"), -1);
	b = a;
	b.flags = IP_VS_SVC_F_ONEPACKET;
	CHECK_INT(check1(&k, &b, d, 2, "one-packet"), -1);
	memcpy(e, d, sizeof(e));
	e[1].fwd = LVS_FWD_DR;
	CHECK_INT(check1(&k, &a, e, 2, "lvs_data_plane ipvs"), -1);
	memcpy(e, d, sizeof(e));
	e[0].u_threshold = 10;
	CHECK_INT(check1(&k, &a, e, 2, "uthreshold"), -1);
	memcpy(e, d, sizeof(e));
	e[1] = dest("2001:db8::2", 80, 1);
	CHECK_INT(check1(&k, &a, e, 2, "family"), -1);
	/* fwmark: all with a port, all without, but not mixed */
	CHECK_INT(check1(&km, &a, d, 2, NULL), 0);
	memcpy(e, d, sizeof(e));
	e[0].port = e[1].port = 0;
	CHECK_INT(check1(&km, &a, e, 2, NULL), 0);
	e[1].port = 80;
	CHECK_INT(check1(&km, &a, e, 2, "mixes"), -1);
	/* fwmark connections are counted by mark . address */
	e[1] = e[0];
	e[1].port = 0;
	e[0].port = 0;
	e[1].addr = e[0].addr;
	e[0].port = 1;
	e[1].port = 2;
	CHECK_INT(check1(&km, &a, e, 2, "twice"), -1);
	/* persistence and sh flags are fine */
	b = a;
	b.flags = IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_SCHED_SH_PORT;
	CHECK_INT(check1(&k, &b, d, 2, NULL), 0);
}

static void add(struct lvs_tsvc *s, const char *addr, uint16_t port, int32_t w)
{
	struct lvs_dest d = dest(addr, port, w);

	CHECK_INT(lvs_svc_set_dest(s, &d), 0);
}

/* The destination address at number x of the plan. */
static const char *at(const struct lvs_tsvc *s, const struct nft_svc_plan *p, uint32_t x, char *buf)
{
	size_t i;

	for (i = 0; i < p->n_ranges; i++)
		if (p->ranges[i].lo <= x && x <= p->ranges[i].hi)
			return addr_fmt(&s->dests[p->ranges[i].dest].d.addr, buf, KA_ADDRSTRLEN);
	return "none";
}

static void test_weights(void)
{
	struct lvs_svc_key k = key("192.0.2.1", IPPROTO_TCP, 80);
	struct lvs_tsvc s;
	struct nft_svc_plan p;
	char b[KA_ADDRSTRLEN];

	/* wrr: units are weight / gcd, ranges in address order whatever the
	 * order of the configuration, weight 0 left out. */
	svc_init(&s, &k, "wrr");
	add(&s, "198.51.100.3", 80, 6);
	add(&s, "198.51.100.9", 80, 0);
	add(&s, "198.51.100.1", 80, 2);
	add(&s, "198.51.100.2", 80, 4);
	CHECK_INT(nft_svc_compile(&s, &p), 0);
	CHECK_INT(p.sched, NFT_SCHED_WRR);
	CHECK_INT(p.modulus, 6);
	CHECK_INT(p.n_ranges, 3);
	CHECK_STR(at(&s, &p, 0, b), "198.51.100.1");
	CHECK_STR(at(&s, &p, 1, b), "198.51.100.2");
	CHECK_STR(at(&s, &p, 2, b), "198.51.100.2");
	CHECK_STR(at(&s, &p, 3, b), "198.51.100.3");
	CHECK_STR(at(&s, &p, 5, b), "198.51.100.3");
	CHECK_INT(p.ranges[2].lo, 3);
	CHECK_INT(p.ranges[2].hi, 5);
	nft_svc_plan_free(&p);

	/* rr and dh: one unit each */
	snprintf(s.attr.sched, sizeof(s.attr.sched), "rr");
	CHECK_INT(nft_svc_compile(&s, &p), 0);
	CHECK_INT(p.modulus, 3);
	CHECK_INT(p.n_ranges, 3);
	nft_svc_plan_free(&p);
	snprintf(s.attr.sched, sizeof(s.attr.sched), "dh");
	CHECK_INT(nft_svc_compile(&s, &p), 0);
	CHECK_INT(p.modulus, 3);
	nft_svc_plan_free(&p);
	/* sh is weighted, with the port flag */
	snprintf(s.attr.sched, sizeof(s.attr.sched), "sh");
	s.attr.flags = IP_VS_SVC_F_SCHED_SH_PORT;
	CHECK_INT(nft_svc_compile(&s, &p), 0);
	CHECK_INT(p.modulus, 6);
	CHECK(p.hash_port);
	CHECK(!p.persist);
	nft_svc_plan_free(&p);
	free(s.dests);

	/* no live destination: nothing to choose from */
	svc_init(&s, &k, "wrr");
	add(&s, "198.51.100.1", 80, 0);
	CHECK_INT(nft_svc_compile(&s, &p), 0);
	CHECK_INT(p.modulus, 0);
	CHECK_INT(p.n_ranges, 0);
	nft_svc_plan_free(&p);
	free(s.dests);

	/* huge weights do not overflow the 32-bit modulus */
	svc_init(&s, &k, "wrr");
	add(&s, "198.51.100.1", 80, INT32_MAX);
	add(&s, "198.51.100.2", 80, INT32_MAX - 1);
	add(&s, "198.51.100.3", 80, 1);
	CHECK_INT(nft_svc_compile(&s, &p), 0);
	CHECK(p.modulus > 0 && p.modulus <= UINT32_MAX / 2);
	CHECK_INT(p.n_ranges, 3);
	nft_svc_plan_free(&p);
	free(s.dests);
}

static void test_plan_equal(void)
{
	struct lvs_svc_key k = key("192.0.2.1", IPPROTO_TCP, 80);
	struct lvs_tsvc a, b;
	struct nft_svc_plan pa, pb;

	svc_init(&a, &k, "rr");
	add(&a, "198.51.100.1", 80, 1);
	add(&a, "198.51.100.2", 80, 1);
	svc_init(&b, &k, "rr");
	add(&b, "198.51.100.2", 80, 5); /* other order, other weight: rr ignores */
	add(&b, "198.51.100.1", 80, 1);
	CHECK_INT(nft_svc_compile(&a, &pa), 0);
	CHECK_INT(nft_svc_compile(&b, &pb), 0);
	CHECK(nft_svc_plan_equal(&pa, &a, &pb, &b));
	CHECK(nft_same_dest_ids(&a, &b));
	nft_svc_plan_free(&pb);
	snprintf(b.attr.sched, sizeof(b.attr.sched), "wrr");
	CHECK_INT(nft_svc_compile(&b, &pb), 0);
	CHECK(!nft_svc_plan_equal(&pa, &a, &pb, &b));
	nft_svc_plan_free(&pb);
	add(&b, "198.51.100.3", 80, 0);
	CHECK(!nft_same_dest_ids(&a, &b));
	nft_svc_plan_free(&pa);
	free(a.dests);
	free(b.dests);
}

static bool collect(size_t i, void *arg)
{
	size_t *n = arg;

	n[0]++;
	n[1] = i;
	return true;
}

static void test_delta(void)
{
	struct lvs_svc_key k = key("192.0.2.1", IPPROTO_TCP, 80);
	struct lvs_tsvc a, b;
	size_t got[2] = {0, 0};

	svc_init(&a, &k, "rr");
	svc_init(&b, &k, "rr");
	add(&a, "198.51.100.3", 80, 1);
	add(&a, "198.51.100.1", 80, 1);
	add(&a, "198.51.100.2", 81, 1);
	add(&b, "198.51.100.1", 80, 1);
	add(&b, "198.51.100.2", 80, 1); /* port differs: another dest */
	add(&b, "198.51.100.3", 80, 1);
	CHECK_INT(nft_dests_delta(&a, &b, collect, got), 0);
	CHECK_INT(got[0], 1);
	CHECK_INT(got[1], 2); /* 198.51.100.2:81 */
	free(a.dests);
	free(b.dests);
}

static void test_seed(void)
{
	struct lvs_svc_key k1 = key("192.0.2.1", IPPROTO_TCP, 80), k2 = k1, k3 = k1;

	k3.port = 81;
	CHECK_INT(nft_svc_seed(&k1), nft_svc_seed(&k2));
	CHECK(nft_svc_seed(&k1) != nft_svc_seed(&k3));
	CHECK_INT(nft_gcd(12, 18), 6);
	CHECK_INT(nft_gcd(0, 5), 5);
}

static void count_slots(const uint32_t *t, uint32_t *c, size_t n)
{
	size_t i;

	memset(c, 0, n * sizeof(*c));
	for (i = 0; i < NFT_MH_M; i++)
		if (t[i] < n)
			c[t[i]]++;
}

static void test_maglev(void)
{
	struct lvs_dest d[3] = {dest("198.51.100.1", 80, 1), dest("198.51.100.2", 80, 1),
	                        dest("198.51.100.3", 80, 1)};
	const struct lvs_dest *dp[3] = {&d[0], &d[1], &d[2]};
	static uint32_t t3[NFT_MH_M], t2[NFT_MH_M], tw[NFT_MH_M];
	uint32_t w[3] = {1, 1, 1}, c[3];
	size_t i, kept = 0, owned = 0;

	/* equal weights: a slot per destination per round */
	CHECK_INT(nft_maglev_fill(dp, w, 3, NFT_MH_M, t3), 0);
	count_slots(t3, c, 3);
	CHECK(c[0] >= 1364 && c[0] <= 1365);
	CHECK(c[1] >= 1364 && c[1] <= 1365);
	CHECK_INT(c[0] + c[1] + c[2], NFT_MH_M);
	/* deterministic */
	CHECK_INT(nft_maglev_fill(dp, w, 3, NFT_MH_M, tw), 0);
	CHECK(memcmp(t3, tw, sizeof(t3)) == 0);
	/* weights 3:1 */
	w[0] = 3;
	w[2] = 0;
	CHECK_INT(nft_maglev_fill(dp, w, 3, NFT_MH_M, tw), 0);
	count_slots(tw, c, 3);
	CHECK_INT(c[2], 0);
	CHECK(c[0] >= 3068 && c[0] <= 3071);
	/* minimal disruption: dropping the third destination moves few of
	 * the slots the other two had */
	w[0] = 1;
	CHECK_INT(nft_maglev_fill(dp, w, 2, NFT_MH_M, t2), 0);
	for (i = 0; i < NFT_MH_M; i++) {
		if (t3[i] == 2)
			continue;
		owned++;
		kept += t2[i] == t3[i];
	}
	CHECK(kept * 100 >= owned * 90);
	/* no weight at all */
	w[0] = w[1] = w[2] = 0;
	CHECK_INT(nft_maglev_fill(dp, w, 3, NFT_MH_M, tw), -1);
}

static void test_mh_plan(void)
{
	struct lvs_svc_key k = key("192.0.2.1", IPPROTO_TCP, 80);
	struct lvs_tsvc s;
	struct nft_svc_plan p;
	uint32_t next = 0;
	size_t i;
	bool contiguous = true;

	svc_init(&s, &k, "mh");
	add(&s, "198.51.100.1", 80, 1);
	add(&s, "198.51.100.2", 80, 1);
	CHECK_INT(nft_svc_compile(&s, &p), 0);
	CHECK_INT(p.modulus, NFT_MH_M);
	/* runs of a destination are merged: fewer ranges than slots, and
	 * they cover 0..M-1 without a gap */
	CHECK(p.n_ranges < NFT_MH_M);
	for (i = 0; i < p.n_ranges; i++) {
		contiguous = contiguous && p.ranges[i].lo == next;
		next = p.ranges[i].hi + 1;
		if (i)
			contiguous = contiguous && p.ranges[i].dest != p.ranges[i - 1].dest;
	}
	CHECK(contiguous);
	CHECK_INT(next, NFT_MH_M);
	nft_svc_plan_free(&p);
	free(s.dests);
}

int main(void)
{
	test_names();
	test_check();
	test_weights();
	test_plan_equal();
	test_delta();
	test_seed();
	test_maglev();
	test_mh_plan();
	return check_report("test_nft_rules");
}
