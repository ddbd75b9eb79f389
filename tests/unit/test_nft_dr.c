/* Direct routing in the nftables data plane: the netdev table's batches
 * (goldens in tests/data/nft/dr_*.txt; KA_UPDATE_GOLDEN=1 rewrites them),
 * their order and family, and the pure decisions (capability check,
 * interface choice, flow numbers, bindings). */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/ip_vs.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "check.h"
#include "lvs/nft_batch.h"
#include "lvs/nft_bind.h"
#include "lvs/nft_rules.h"

static struct lvs_tsvc *svc(struct lvs_table *t, const char *addr, uint16_t proto, uint16_t port,
                            const char *sched, uint32_t flags)
{
	struct lvs_svc_key k = {.protocol = proto, .port = port};
	struct lvs_svc_attr a = {.flags = flags};

	addr_parse(addr, &k.addr);
	k.af = k.addr.family;
	snprintf(a.sched, sizeof(a.sched), "%s", sched);
	if (flags & IP_VS_SVC_F_PERSISTENT) {
		a.timeout_s = 60;
		a.netmask = k.af == AF_INET6 ? 64 : htonl(0xffffff00);
	}
	return lvs_table_add_svc(t, &k, &a);
}

static struct lvs_dest dest(const char *addr, uint16_t port, int32_t w, enum lvs_fwd fwd)
{
	struct lvs_dest d = {.port = port, .weight = w, .fwd = fwd};

	addr_parse(addr, &d.addr);
	d.af = d.addr.family;
	return d;
}

static void dst(struct lvs_tsvc *s, const char *addr, uint16_t port, int32_t w)
{
	struct lvs_dest d = dest(addr, port, w, LVS_FWD_DR);

	CHECK_INT(lvs_svc_set_dest(s, &d), 0);
}

/* Every message acked, in sequence, of the family expected. */
static void check_frame(const struct nft_batch *b, uint8_t family)
{
	const struct nlmsghdr *nlh = (const void *)b->buf;
	int rem = (int)b->len;
	unsigned n = 0;
	bool fam = true, seqs = true;

	for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
		const struct nfgenmsg *g = mnl_nlmsg_get_payload(nlh);

		if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN ||
		    nlh->nlmsg_type == NFNL_MSG_BATCH_END)
			continue;
		n++;
		seqs = seqs && nlh->nlmsg_seq == b->first_seq + n - 1 &&
		       (nlh->nlmsg_flags & NLM_F_ACK);
		fam = fam && (family == 0xff || g->nfgen_family == family);
	}
	CHECK_INT(rem, 0);
	CHECK(seqs);
	CHECK(fam);
	CHECK_INT(n, b->n_msgs);
}

static char *render(struct nft_batch *b, uint8_t family)
{
	char *text;

	CHECK(!b->oom);
	CHECK_INT(nft_batch_end(b), 0);
	check_frame(b, family);
	text = nft_batch_render(b->buf, b->len);
	CHECK(text != NULL);
	return text ? text : strdup("");
}

static void golden(const char *name, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/data/nft/%s", test_data_dir(), name);
	check_golden(path, text);
}

static long pos(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	return p ? p - hay : -1;
}

/* The replace of the netdev table, a hook and an rr service (v4). */
static void test_rr(void)
{
	struct lvs_table t;
	struct lvs_tsvc *s;
	struct nft_batch b;
	char *text;

	lvs_table_init(&t);
	s = svc(&t, "192.0.2.100", IPPROTO_TCP, 80, "rr", 0);
	dst(s, "192.0.2.22", 80, 1);
	dst(s, "192.0.2.21", 80, 1);
	dst(s, "192.0.2.23", 80, 0);
	nft_batch_init(&b, 1);
	nft_batch_dr_replace(&b);
	nft_batch_dr_hook(&b, "eth0", true);
	nft_batch_dr_svc_add(&b, s, NULL, 2);
	CHECK_INT(b.family, NFPROTO_INET); /* restored for the NAT code */
	text = render(&b, NFPROTO_NETDEV);
	golden("dr_rr.txt", text);
	/* objects before what names them */
	CHECK(pos(text, "add set vs_tcp_192_0_2_100_80_flows") <
	      pos(text, "add rule in chain vs_tcp_192_0_2_100_80__192_0_2_21_80_new"));
	CHECK(pos(text, "add chain vs_tcp_192_0_2_100_80__192_0_2_21_80_new") <
	      pos(text, "add elements of set vs_tcp_192_0_2_100_80_idx"));
	CHECK(pos(text, "add elements of set vs_tcp_192_0_2_100_80_idx") <
	      pos(text, "add elements of set svc4"));
	/* weight 0 keeps its established flows (in @to), gets no new ones */
	CHECK(pos(text, "vs_tcp_192_0_2_100_80__192_0_2_23_80_fwd") > 0);
	CHECK(pos(text, "verdict -3 vs_tcp_192_0_2_100_80__192_0_2_23_80_new") < 0);
	CHECK(pos(text, "vs_tcp_192_0_2_100_80__192_0_2_23_80_out") < 0);
	free(text);
	nft_batch_free(&b);
	lvs_table_free(&t);
}

/* sh with persistence (flows keyed by the masked client address). */
static void test_sh(void)
{
	struct lvs_table t;
	struct lvs_tsvc *s;
	struct nft_batch b;
	char *text;

	lvs_table_init(&t);
	s = svc(&t, "192.0.2.100", IPPROTO_TCP, 443, "sh", IP_VS_SVC_F_PERSISTENT);
	dst(s, "192.0.2.21", 443, 1);
	dst(s, "192.0.2.22", 443, 2);
	dst(s, "192.0.2.23", 443, 0);
	nft_batch_init(&b, 1);
	nft_batch_dr_svc_add(&b, s, NULL, 7);
	text = render(&b, NFPROTO_NETDEV);
	golden("dr_sh.txt", text);
	/* persistence: a quiesced server leaves @to too */
	CHECK(pos(text, "verdict -4 vs_tcp_192_0_2_100_443__192_0_2_23_443_fwd") < 0);
	CHECK(pos(text, "verdict -4 vs_tcp_192_0_2_100_443__192_0_2_22_443_fwd") > 0);
	free(text);
	nft_batch_free(&b);
	lvs_table_free(&t);
}

static void test_v6(void)
{
	struct lvs_table t;
	struct lvs_tsvc *s;
	struct nft_batch b;
	char *text;

	lvs_table_init(&t);
	s = svc(&t, "2001:db8::100", IPPROTO_UDP, 53, "wrr", 0);
	dst(s, "2001:db8::21", 53, 1);
	dst(s, "2001:db8::22", 53, 3);
	nft_batch_init(&b, 1);
	nft_batch_dr_svc_add(&b, s, NULL, 3);
	text = render(&b, NFPROTO_NETDEV);
	golden("dr_v6.txt", text);
	free(text);
	nft_batch_free(&b);
	lvs_table_free(&t);
}

/* Update: one server out, one in, a weight changed; @flows survives.
 * Delete: everything, naming objects gone before the objects. */
static void test_update_del(void)
{
	struct lvs_table t, u;
	struct lvs_tsvc *s, *n;
	struct nft_batch b;
	char *text;

	lvs_table_init(&t);
	lvs_table_init(&u);
	s = svc(&t, "192.0.2.100", IPPROTO_TCP, 80, "wrr", 0);
	dst(s, "192.0.2.21", 80, 1);
	dst(s, "192.0.2.22", 80, 1);
	n = svc(&u, "192.0.2.100", IPPROTO_TCP, 80, "wrr", 0);
	dst(n, "192.0.2.22", 80, 2);
	dst(n, "192.0.2.24", 80, 1);
	CHECK(nft_dr_updatable(s, n));
	nft_batch_init(&b, 1);
	nft_batch_dr_svc_update(&b, s, NULL, n, NULL, 2);
	text = render(&b, NFPROTO_NETDEV);
	golden("dr_update.txt", text);
	CHECK(pos(text, "_flows") < 0 || pos(text, "del set vs_tcp_192_0_2_100_80_flows") < 0);
	CHECK(pos(text, "flush chain in chain vs_tcp_192_0_2_100_80\n") >= 0);
	CHECK(pos(text, "del chain vs_tcp_192_0_2_100_80__192_0_2_21_80_fwd") >
	      pos(text, "del elements of set vs_tcp_192_0_2_100_80_to"));
	CHECK(pos(text, "add chain vs_tcp_192_0_2_100_80__192_0_2_24_80_fwd") > 0);
	/* kept as it was */
	CHECK(pos(text, "chain vs_tcp_192_0_2_100_80__192_0_2_22_80_fwd") < 0);
	CHECK(pos(text, "counter vs_tcp_192_0_2_100_80__192_0_2_22_80_conn") < 0);
	free(text);
	nft_batch_free(&b);

	nft_batch_init(&b, 1);
	nft_batch_dr_svc_del(&b, s);
	text = render(&b, NFPROTO_NETDEV);
	golden("dr_del.txt", text);
	CHECK(pos(text, "del elements of set svc4") <
	      pos(text, "del chain vs_tcp_192_0_2_100_80\n"));
	CHECK(pos(text, "del chain vs_tcp_192_0_2_100_80__192_0_2_21_80_new") <
	      pos(text, "del set vs_tcp_192_0_2_100_80_flows"));
	CHECK(pos(text, "del chain vs_tcp_192_0_2_100_80__192_0_2_21_80_fwd") <
	      pos(text, "del counter vs_tcp_192_0_2_100_80__192_0_2_21_80_in"));
	free(text);
	nft_batch_free(&b);

	/* another flow key: not an update */
	n->attr.flags |= IP_VS_SVC_F_PERSISTENT;
	CHECK(!nft_dr_updatable(s, n));
	lvs_table_free(&t);
	lvs_table_free(&u);
}

static void test_tables_del(void)
{
	struct nft_batch b;
	char *text;

	nft_batch_init(&b, 1);
	nft_batch_tables_del(&b);
	CHECK_INT(b.n_msgs, 4);
	text = render(&b, 0xff); /* two families: checked below */
	CHECK(pos(text, "add table keepalived_lvs") >= 0);
	CHECK(pos(text, "del table keepalived_lvs") >= 0);
	free(text);
	nft_batch_free(&b);
}

static int check1(const struct lvs_svc_key *k, const struct lvs_dest *d, size_t n, const char *want)
{
	struct lvs_svc_attr a = {.sched = "rr"};
	char why[320] = "";
	int r = nft_svc_check(k, &a, d, n, why, sizeof(why));

	if (want && !strstr(why, want)) {
		fprintf(stderr, "why \"%s\" lacks \"%s\"\n", why, want);
		return 99;
	}
	return r;
}

static void test_check(void)
{
	struct lvs_svc_key k = {.af = AF_INET, .protocol = IPPROTO_TCP, .port = 80};
	struct lvs_svc_key km = {.af = AF_INET, .protocol = IPPROTO_TCP, .fwmark = 3};
	struct lvs_dest d[2] = {dest("192.0.2.21", 80, 1, LVS_FWD_DR),
	                        dest("192.0.2.22", 80, 1, LVS_FWD_DR)};
	struct lvs_dest e[2];

	addr_parse("192.0.2.100", &k.addr);
	CHECK_INT(check1(&k, d, 2, NULL), 0);
	memcpy(e, d, sizeof(e));
	e[1].fwd = LVS_FWD_NAT;
	CHECK_INT(check1(&k, e, 2, "mixes real servers with lb_kind NAT and DR"), -1);
	e[1].fwd = LVS_FWD_TUN;
	CHECK_INT(check1(&k, e, 2, "lb_kind TUN"), -1);
	CHECK_INT(check1(&km, d, 2, "before any rule can set the mark"), -1);
	memcpy(e, d, sizeof(e));
	e[1].addr = e[0].addr;
	e[1].port = 81;
	CHECK_INT(check1(&k, e, 2, "listed twice"), -1);
}

static void test_index(void)
{
	struct lvs_dest a = dest("192.0.2.21", 80, 1, LVS_FWD_DR);
	struct lvs_dest b = dest("2001:db8::21", 80, 1, LVS_FWD_DR);
	struct lvs_dest c = dest("2001:db8::22", 80, 1, LVS_FWD_DR);
	uint32_t v = nft_dr_index(&a);

	CHECK(!memcmp(&v, &a.addr.u.v4, 4));
	CHECK(nft_dr_index(&b) != nft_dr_index(&c));
	c.port = 99; /* the port is no part of it (DR keeps the port) */
	CHECK_INT(nft_dr_index(&c), nft_dr_index(&(struct lvs_dest){.addr = c.addr}));
}

static struct nft_ifaddr ifa(const char *name, unsigned ix, const char *addr, unsigned plen)
{
	struct nft_ifaddr i = {.ifindex = ix, .prefix = plen};

	snprintf(i.name, sizeof(i.name), "%s", name);
	addr_parse(addr, &i.addr);
	return i;
}

static void test_pick_dev(void)
{
	struct nft_ifaddr ifs[4] = {
	    ifa("eth0", 2, "192.0.2.1", 24), ifa("eth1", 3, "198.51.100.1", 24),
	    ifa("eth2", 4, "192.0.2.129", 25), ifa("eth3", 5, "2001:db8::1", 64)};
	struct lvs_table t;
	struct lvs_tsvc *s;
	struct nft_dev dev, old = {9, "old0"};
	char why[320] = "";

	lvs_table_init(&t);
	s = svc(&t, "192.0.2.100", IPPROTO_TCP, 80, "rr", 0);
	dst(s, "192.0.2.21", 80, 1);
	CHECK_INT(nft_dr_pick_dev(ifs, 4, s, &dev, why, sizeof(why)), 0);
	CHECK_STR(dev.name, "eth0");
	CHECK_INT(dev.ifindex, 2);
	dst(s, "192.0.2.200", 80, 1); /* the longer prefix of eth2 */
	CHECK_INT(nft_dr_pick_dev(ifs, 4, s, &dev, why, sizeof(why)), -1);
	CHECK(strstr(why, "192.0.2.200") && strstr(why, "eth2") && strstr(why, "one interface"));
	s->n_dests = 0;
	dst(s, "203.0.113.9", 80, 1);
	CHECK_INT(nft_dr_pick_dev(ifs, 4, s, &dev, why, sizeof(why)), -1);
	CHECK(strstr(why, "203.0.113.9") && strstr(why, "no connected subnet"));
	CHECK_INT(nft_bind_svc(s, NULL, ifs, 4, &dev, why, sizeof(why)), -1);
	/* without real servers a service keeps its binding, or is NAT */
	s->n_dests = 0;
	CHECK_INT(nft_bind_svc(s, &old, ifs, 4, &dev, why, sizeof(why)), 1);
	CHECK_STR(dev.name, "old0");
	CHECK_INT(nft_bind_svc(s, NULL, ifs, 4, &dev, why, sizeof(why)), 0);
	s = svc(&t, "2001:db8::100", IPPROTO_TCP, 80, "rr", 0);
	dst(s, "2001:db8::21", 80, 1);
	CHECK_INT(nft_bind_svc(s, NULL, ifs, 4, &dev, why, sizeof(why)), 1);
	CHECK_STR(dev.name, "eth3");
	lvs_table_free(&t);
}

static void test_binds(void)
{
	struct nft_binds b = {0}, c;
	struct lvs_svc_key k1 = {.af = AF_INET, .protocol = IPPROTO_TCP, .port = 80}, k2 = k1;
	struct nft_dev d0 = {2, "eth0"}, d1 = {3, "eth1"};

	k2.port = 81;
	CHECK_INT(nft_binds_set(&b, &k1, &d0), 0);
	CHECK_INT(nft_binds_set(&b, &k2, &d0), 0);
	CHECK_INT(nft_binds_set(&b, &k2, &d1), 0);
	CHECK_INT(b.n, 2);
	CHECK_STR(nft_binds_find(&b, &k2)->name, "eth1");
	CHECK_INT(nft_binds_copy(&c, &b), 0);
	nft_binds_del(&b, &k1);
	CHECK(!nft_binds_uses(&b, "eth0") && nft_binds_uses(&c, "eth0"));
	CHECK(nft_binds_find(&b, &k1) == NULL);
	nft_binds_free(&b);
	nft_binds_free(&c);
}

int main(void)
{
	test_rr();
	test_sh();
	test_v6();
	test_update_del();
	test_tables_del();
	test_check();
	test_index();
	test_pick_dev();
	test_binds();
	return check_report("test_nft_dr");
}
