/* nft_batch.c: the encoded transactions, checked structurally (framing,
 * sequence numbers, acks, order, element chunks) and against golden texts
 * in tests/data/nft/ (KA_UPDATE_GOLDEN=1 rewrites them after a reviewed
 * change).  The texts are libnftnl's own printing of the parsed messages,
 * so they show the kernel expressions one by one. */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/ip_vs.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "check.h"
#include "lvs/nft_batch.h"
#include "lvs/nft_rules.h"

static struct lvs_tsvc *svc(struct lvs_table *t, const char *addr, uint16_t proto, uint16_t port,
                            uint32_t fwmark, const char *sched, uint32_t flags)
{
	struct lvs_svc_key k = {.protocol = proto, .port = port, .fwmark = fwmark};
	struct lvs_svc_attr a = {.flags = flags};

	addr_parse(addr, &k.addr);
	k.af = k.addr.family;
	if (fwmark)
		memset(&k.addr, 0, sizeof(k.addr));
	snprintf(a.sched, sizeof(a.sched), "%s", sched);
	if (flags & IP_VS_SVC_F_PERSISTENT) {
		a.timeout_s = 60;
		a.netmask = k.af == AF_INET6 ? 64 : htonl(0xffffff00);
	}
	return lvs_table_add_svc(t, &k, &a);
}

static void dst(struct lvs_tsvc *s, const char *addr, uint16_t port, int32_t w)
{
	struct lvs_dest d = {.port = port, .weight = w, .fwd = LVS_FWD_NAT};

	addr_parse(addr, &d.addr);
	d.af = d.addr.family;
	CHECK_INT(lvs_svc_set_dest(s, &d), 0);
}

/* The table of the goldens: a weighted v4 service, a persistent v6 sh
 * service with a quiescent destination, a fwmark service without ports. */
static void sample(struct lvs_table *t)
{
	struct lvs_tsvc *s;

	lvs_table_init(t);
	s = svc(t, "192.0.2.1", IPPROTO_TCP, 80, 0, "wrr", 0);
	dst(s, "198.51.100.2", 8080, 3);
	dst(s, "198.51.100.1", 8080, 1);
	s = svc(t, "2001:db8::1", IPPROTO_UDP, 53, 0, "sh",
	        IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_SCHED_SH_PORT);
	dst(s, "2001:db8:1::1", 53, 1);
	dst(s, "2001:db8:1::2", 53, 0);
	s = svc(t, "0.0.0.0", IPPROTO_TCP, 0, 5, "rr", 0);
	dst(s, "198.51.100.1", 0, 1);
}

/* Framing: BEGIN, n_msgs messages each asking for an ack with
 * consecutive sequence numbers, END. */
static void check_frame(const struct nft_batch *b)
{
	const struct nlmsghdr *nlh = (const void *)b->buf;
	int rem = (int)b->len;
	unsigned n = 0, i = 0;
	bool acks = true, seqs = true, end = false;

	CHECK(!b->oom);
	CHECK(mnl_nlmsg_ok(nlh, rem) && nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN);
	CHECK_INT(nlh->nlmsg_seq + 1, b->first_seq);
	for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem), i++) {
		if (nlh->nlmsg_type == NFNL_MSG_BATCH_BEGIN)
			continue;
		if (nlh->nlmsg_type == NFNL_MSG_BATCH_END) {
			end = true;
			continue;
		}
		n++;
		acks = acks && (nlh->nlmsg_flags & NLM_F_ACK);
		seqs = seqs && nlh->nlmsg_seq == b->first_seq + n - 1;
		CHECK_INT(NFNL_SUBSYS_ID(nlh->nlmsg_type), NFNL_SUBSYS_NFTABLES);
	}
	CHECK_INT(rem, 0);
	CHECK(end);
	CHECK(acks);
	CHECK(seqs);
	CHECK_INT(n, b->n_msgs);
}

static char *render(struct nft_batch *b)
{
	char *text;

	CHECK_INT(nft_batch_end(b), 0);
	check_frame(b);
	text = nft_batch_render(b->buf, b->len);
	CHECK(text != NULL);
	return text;
}

static void golden(const char *name, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/data/nft/%s", test_data_dir(), name);
	check_golden(path, text);
}

/* Position of needle in hay after `from` (or -1). */
static long pos(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	return p ? (long)(p - hay) : -1;
}

static unsigned occurrences(const char *hay, const char *needle)
{
	unsigned n = 0;
	const char *p;

	for (p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void test_replace(void)
{
	struct lvs_table t;
	struct nft_batch b;
	char *text;

	sample(&t);
	nft_batch_init(&b, 100);
	nft_batch_replace(&b, &t);
	text = render(&b);
	/* add, delete, add: a predecessor's table goes atomically */
	CHECK_INT(pos(text, "begin\nadd table keepalived_lvs\n"), 0);
	CHECK(pos(text, "del table keepalived_lvs") < pos(text, "add set svc4"));
	CHECK_INT(occurrences(text, "add table keepalived_lvs"), 2);
	/* the jump is added after the chain it jumps to is complete */
	CHECK(pos(text, "add chain vs_tcp_192_0_2_1_80") < pos(text, "add elements of set svc4\n"));
	/* connections are counted after NAT, persistence recorded there */
	CHECK(pos(text, "add chain local") > 0);
	CHECK(pos(text, "add chain vs_udp_2001_db8__1_53_post") > 0);
	CHECK(pos(text, "add elements of set post6") > 0);
	CHECK(pos(text, "add elements of set fwconn4") > 0);
	CHECK(pos(text, "add elements of set post4") < 0); /* tcp :80 is not persistent */
	/* fwmark services: no in/out counters */
	CHECK(pos(text, "vs_fwm5_v4__198_51_100_1_0_conn") > 0);
	CHECK(pos(text, "vs_fwm5_v4__198_51_100_1_0_in") < 0);
	/* the quiescent destination has counters but is not live */
	CHECK(pos(text, "add counter vs_udp_2001_db8__1_53__2001_db8_1__2_53_conn") > 0);
	CHECK_INT(b.first_seq, 101);
	golden("replace.txt", text);
	free(text);
	nft_batch_free(&b);
	lvs_table_free(&t);
}

static void test_update(void)
{
	struct lvs_table t, u;
	struct lvs_tsvc *s;
	struct nft_batch b;
	char *text;
	long flush, delel, delobj;

	sample(&t);
	lvs_table_init(&u);
	s = svc(&u, "192.0.2.1", IPPROTO_TCP, 80, 0, "wrr", 0);
	dst(s, "198.51.100.2", 8080, 2);
	dst(s, "198.51.100.3", 8080, 1);
	nft_batch_init(&b, 1);
	nft_batch_svc_update(&b, &t.svcs[0], NULL, s, NULL);
	text = render(&b);
	flush = pos(text, "flush chain in chain vs_tcp_192_0_2_1_80");
	delel = pos(text, "del elements of set rsconn4");
	delobj = pos(text, "del counter vs_tcp_192_0_2_1_80__198_51_100_1_8080_conn");
	CHECK(flush > 0 && flush < delel && delel < delobj);
	CHECK(pos(text, "add counter vs_tcp_192_0_2_1_80__198_51_100_3_8080_in") > 0);
	/* the kept destination keeps its counters */
	CHECK(pos(text, "198_51_100_2_8080_conn") < 0);
	CHECK(pos(text, "del elements of set vs_tcp_192_0_2_1_80_idx") > 0);
	CHECK(pos(text, "del chain") < 0 && pos(text, "del set") < 0);
	golden("update.txt", text);
	free(text);
	nft_batch_free(&b);

	/* persistent service: @live is refilled, @aff survives */
	s = svc(&u, "2001:db8::1", IPPROTO_UDP, 53, 0, "sh",
	        IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_SCHED_SH_PORT);
	dst(s, "2001:db8:1::1", 53, 1);
	dst(s, "2001:db8:1::2", 53, 1);
	nft_batch_init(&b, 1);
	nft_batch_svc_update(&b, &t.svcs[1], NULL, s, NULL);
	text = render(&b);
	/* only the destination that became live joins @live and @idx */
	CHECK(pos(text, "add elements of set vs_udp_2001_db8__1_53_live\n"
	                "\telement 20010db8 00010000 00000000 00000002 00350000\nadd") > 0);
	CHECK(pos(text, "del elements of set vs_udp_2001_db8__1_53_live") < 0);
	CHECK(pos(text, "del elements of set vs_udp_2001_db8__1_53_idx") < 0);
	CHECK(pos(text, "del elements of set vs_udp_2001_db8__1_53_aff") < 0);
	/* same timeout and netmask: the post chain stays */
	CHECK(pos(text, "vs_udp_2001_db8__1_53_post") < 0);
	CHECK(pos(text, "counter") < 0 || pos(text, "add counter") < 0);
	golden("update_persist.txt", text);
	free(text);
	nft_batch_free(&b);

	/* fwmark service getting ports: the key types change, so del + add */
	s = svc(&u, "0.0.0.0", IPPROTO_TCP, 0, 5, "rr", 0);
	dst(s, "198.51.100.1", 80, 1);
	nft_batch_init(&b, 1);
	nft_batch_svc_update(&b, &t.svcs[2], NULL, s, NULL);
	text = render(&b);
	CHECK(pos(text, "del chain vs_fwm5_v4") >= 0);
	CHECK(pos(text, "del chain vs_fwm5_v4") < pos(text, "add chain vs_fwm5_v4"));
	free(text);
	nft_batch_free(&b);
	lvs_table_free(&u);
	lvs_table_free(&t);
}

/* Elements in the messages that start with head (every such block). */
static unsigned elements_in(const char *text, const char *head)
{
	unsigned n = 0;
	const char *p, *e, *end;

	for (p = strstr(text, head); p; p = strstr(p + 1, head)) {
		end = strstr(p + 1, "\nadd ");
		e = strstr(p + 1, "\ndel ");
		if (e && (!end || e < end))
			end = e;
		for (e = strstr(p, "\telement "); e && (!end || e < end);
		     e = strstr(e + 1, "\telement "))
			n++;
	}
	return n;
}

/* An update from the plan the kernel has (nft_svc_compile_next): rr over
 * eight, the third leaves: the last one moves into its numbers, so @idx
 * changes by a handful of elements, the chain's rules (modulus 8 -> 7)
 * are rewritten, the counters of the one leaving go.  Then it comes back,
 * at the end. */
static void test_update_incremental(void)
{
	static const char idx[] = "elements of set vs_tcp_192_0_2_1_80_idx\n";
	struct lvs_table t, u, v;
	struct lvs_tsvc *s, *now, *back;
	struct nft_svc_plan p, q, r;
	struct nft_batch b;
	char *text, ip[32];
	unsigned i;

	lvs_table_init(&t);
	lvs_table_init(&u);
	lvs_table_init(&v);
	s = svc(&t, "192.0.2.1", IPPROTO_TCP, 80, 0, "rr", 0);
	now = svc(&u, "192.0.2.1", IPPROTO_TCP, 80, 0, "rr", 0);
	back = svc(&v, "192.0.2.1", IPPROTO_TCP, 80, 0, "rr", 0);
	for (i = 1; i <= 8; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%u", i);
		dst(s, ip, 8080, 1);
		if (i != 3)
			dst(now, ip, 8080, 1);
		dst(back, ip, 8080, 1);
	}
	CHECK_INT(nft_svc_compile(s, &p), 0);
	CHECK_INT(nft_svc_compile_next(now, &p, s, &q), 0);
	nft_batch_init(&b, 1);
	nft_batch_svc_update(&b, s, &p, now, &q);
	text = render(&b);
	/* start 2 changes hands (del + add), start 7 and end 8 go */
	CHECK_INT(elements_in(text, "del elements of set vs_tcp_192_0_2_1_80_idx"), 3);
	CHECK_INT(elements_in(text, "add elements of set vs_tcp_192_0_2_1_80_idx"), 1);
	CHECK(pos(text, "add elements of set vs_tcp_192_0_2_1_80_idx\n\telement 00000002 : "
	                "c6336408 1f900000\n") > 0);
	CHECK_INT(occurrences(text, "flush chain"), 1);
	CHECK(pos(text, "numgen reg 21 = inc mod 7") > 0);
	CHECK_INT(occurrences(text, "del counter"), 3);
	CHECK(pos(text, "_198_51_100_3_8080_conn") > 0);
	CHECK_INT(occurrences(text, "add counter"), 0);
	golden("update_incr.txt", text);
	free(text);
	nft_batch_free(&b);

	/* back at the end: start 7 and end 8 added, nothing removed */
	CHECK_INT(nft_svc_compile_next(back, &q, now, &r), 0);
	nft_batch_init(&b, 1);
	nft_batch_svc_update(&b, now, &q, back, &r);
	text = render(&b);
	CHECK_INT(elements_in(text, "del elements of set vs_tcp_192_0_2_1_80_idx"), 0);
	CHECK(pos(text, "add elements of set vs_tcp_192_0_2_1_80_idx\n\telement 00000007 : "
	                "c6336403 1f900000\n\telement flags 1 00000008\nadd") > 0);
	CHECK(pos(text, "numgen reg 21 = inc mod 8") > 0);
	CHECK_INT(occurrences(text, "add counter"), 3);
	CHECK(strstr(text, idx) != NULL);
	free(text);
	nft_batch_free(&b);

	/* nothing changed: only what is not the kernel's (no message) */
	nft_batch_init(&b, 1);
	nft_batch_svc_update(&b, back, &r, back, &r);
	CHECK_INT(b.n_msgs, 0);
	nft_batch_free(&b);
	nft_svc_plan_free(&p);
	nft_svc_plan_free(&q);
	nft_svc_plan_free(&r);
	lvs_table_free(&t);
	lvs_table_free(&u);
	lvs_table_free(&v);
}

static void test_del(void)
{
	struct lvs_table t;
	struct nft_batch b;
	char *text;
	long jump, chain, set, obj;

	sample(&t);
	nft_batch_init(&b, 1);
	nft_batch_svc_del(&b, &t.svcs[1]);
	text = render(&b);
	jump = pos(text, "del elements of set svc6");
	chain = pos(text, "del chain vs_udp_2001_db8__1_53");
	set = pos(text, "del set vs_udp_2001_db8__1_53_aff");
	obj = pos(text, "del counter vs_udp_2001_db8__1_53__2001_db8_1__1_53_in");
	/* references go before what they reference */
	CHECK(jump > 0 && jump < chain && chain < set && chain < obj);
	CHECK(pos(text, "del elements of set rsin6") < obj);
	CHECK(pos(text, "del elements of set post6") <
	      pos(text, "del chain vs_udp_2001_db8__1_53_post"));
	golden("del.txt", text);
	free(text);
	nft_batch_free(&b);

	nft_batch_init(&b, 1);
	nft_batch_table_del(&b);
	text = render(&b);
	CHECK_INT(b.n_msgs, 1);
	golden("table_del.txt", text);
	free(text);
	nft_batch_free(&b);
	lvs_table_free(&t);
}

/* 300 destinations: 600 interval elements, at most 128 per message. */
static void test_chunks(void)
{
	struct lvs_table t;
	struct lvs_tsvc *s;
	struct nft_batch b;
	char *text, ip[32];
	const char *p;
	unsigned msgs = 0, elems = 0, worst = 0, i;

	lvs_table_init(&t);
	s = svc(&t, "192.0.2.1", IPPROTO_TCP, 80, 0, "wrr", 0);
	for (i = 0; i < 300; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%u", i % 250 + 1);
		dst(s, ip, (uint16_t)(8000 + i / 250), (int32_t)(1 + i % 2));
	}
	nft_batch_init(&b, 1);
	nft_batch_svc_add(&b, s, NULL);
	text = render(&b);
	for (p = strstr(text, "add elements of set vs_tcp_192_0_2_1_80_idx\n"); p;
	     p = strstr(p + 1, "add elements of set vs_tcp_192_0_2_1_80_idx\n")) {
		const char *end = strstr(p + 1, "\nadd ");
		unsigned n = 0;
		const char *e;

		msgs++;
		for (e = strstr(p, "\telement "); e && (!end || e < end);
		     e = strstr(e + 1, "\telement "))
			n++;
		elems += n;
		worst = n > worst ? n : worst;
	}
	CHECK_INT(msgs, 5);
	CHECK_INT(elems, 600);
	CHECK(worst <= 128);
	free(text);
	nft_batch_free(&b);
	lvs_table_free(&t);
}

/* Affinities of departed destinations: destroyed one by one, or the
 * whole @aff flushed when the kernel cannot destroy. */
static void test_purge(void)
{
	struct lvs_table t;
	struct nft_batch b;
	uint8_t keys[8] = {198, 51, 100, 7, 198, 51, 100, 8};
	char *text;

	sample(&t);
	nft_batch_init(&b, 1);
	nft_batch_aff_purge(&b, &t.svcs[0], keys, 4, 2, true);
	text = render(&b);
	CHECK_INT(b.n_msgs, 1);
	CHECK(pos(text, "destroy elements of set vs_tcp_192_0_2_1_80_aff\n\telement c6336407\n"
	                "\telement c6336408\n") > 0);
	free(text);
	nft_batch_free(&b);
	nft_batch_init(&b, 1);
	nft_batch_aff_purge(&b, &t.svcs[0], NULL, 4, 0, false);
	text = render(&b);
	CHECK_INT(b.n_msgs, 1);
	CHECK(pos(text, "del elements of set vs_tcp_192_0_2_1_80_aff\nend") > 0);
	free(text);
	nft_batch_free(&b);
	lvs_table_free(&t);
}

static void test_describe(void)
{
	struct lvs_table t;
	struct nft_batch b;
	const struct nlmsghdr *nlh;
	char d[256];
	int rem;

	sample(&t);
	nft_batch_init(&b, 1);
	nft_batch_svc_add(&b, &t.svcs[0], NULL);
	CHECK_INT(nft_batch_end(&b), 0);
	rem = (int)b.len;
	nlh = mnl_nlmsg_next((const void *)b.buf, &rem); /* past BEGIN */
	CHECK_STR(nft_batch_msg_describe(nlh, d, sizeof(d)), "add chain vs_tcp_192_0_2_1_80");
	nlh = mnl_nlmsg_next(nlh, &rem);
	CHECK_STR(nft_batch_msg_describe(nlh, d, sizeof(d)), "add set vs_tcp_192_0_2_1_80_idx");
	nft_batch_free(&b);
	lvs_table_free(&t);
}

int main(void)
{
	test_replace();
	test_update();
	test_update_incremental();
	test_del();
	test_chunks();
	test_purge();
	test_describe();
	return check_report("test_nft_batch");
}
