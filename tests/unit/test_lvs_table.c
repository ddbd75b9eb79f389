/* The LVS table (lvs.h): identity rules, add/replace, growth, formatting. */
#include <linux/ip_vs.h>
#include <netinet/in.h>

#include "check.h"
#include "lvs/lvs.h"

static struct lvs_svc_key svc(uint16_t proto, const char *addr, uint16_t port)
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

static void test_key_identity(void)
{
	struct lvs_svc_key a = svc(IPPROTO_TCP, "192.0.2.1", 80), b = a;
	struct lvs_svc_key f1 = {.af = AF_INET, .protocol = IPPROTO_TCP, .fwmark = 3};
	struct lvs_svc_key f2 = {.af = AF_INET, .protocol = 0, .fwmark = 3};

	CHECK(lvs_svc_key_equal(&a, &b));
	b.port = 81;
	CHECK(!lvs_svc_key_equal(&a, &b));
	b = a;
	b.protocol = IPPROTO_UDP;
	CHECK(!lvs_svc_key_equal(&a, &b));
	b = svc(IPPROTO_TCP, "192.0.2.2", 80);
	CHECK(!lvs_svc_key_equal(&a, &b));
	/* fwmark: (af, mark) only; the kernel does not report the protocol */
	CHECK(lvs_svc_key_equal(&f1, &f2));
	f2.af = AF_INET6;
	CHECK(!lvs_svc_key_equal(&f1, &f2));
	f2.af = AF_INET;
	f2.fwmark = 4;
	CHECK(!lvs_svc_key_equal(&f1, &f2));
	/* a fwmark service is not the address service of the same af */
	CHECK(!lvs_svc_key_equal(&f1, &a));
	b = svc(IPPROTO_TCP, "2001:db8::1", 80);
	CHECK(!lvs_svc_key_equal(&a, &b));
}

static void test_attr_and_dest_equal(void)
{
	struct lvs_svc_attr a = {.sched = "wlc", .timeout_s = 300}, b = a;
	struct lvs_dest d = dest("192.0.2.10", 80, 1), e = d;

	CHECK(lvs_svc_attr_equal(&a, &b));
	strcpy(b.sched, "rr");
	CHECK(!lvs_svc_attr_equal(&a, &b));
	b = a;
	b.flags = IP_VS_SVC_F_PERSISTENT;
	CHECK(!lvs_svc_attr_equal(&a, &b));
	b = a;
	strcpy(b.pe_name, "sip");
	CHECK(!lvs_svc_attr_equal(&a, &b));
	b = a;
	b.netmask = 1;
	CHECK(!lvs_svc_attr_equal(&a, &b));

	CHECK(lvs_dest_same_id(&d, &e) && lvs_dest_equal(&d, &e));
	e.weight = 2;
	CHECK(lvs_dest_same_id(&d, &e) && !lvs_dest_equal(&d, &e));
	e = d;
	e.fwd = LVS_FWD_DR;
	CHECK(!lvs_dest_equal(&d, &e));
	e = d;
	e.u_threshold = 5;
	CHECK(!lvs_dest_equal(&d, &e));
	e = d;
	e.tun_port = 5;
	CHECK(!lvs_dest_equal(&d, &e)); /* every field */
	e = d;
	e.port = 8080;
	CHECK(!lvs_dest_same_id(&d, &e));
	e = d;
	e.af = 0; /* unset: the address's family */
	CHECK(lvs_dest_same_id(&d, &e));
}

static void test_add_find_set(void)
{
	struct lvs_table t;
	struct lvs_svc_key k = svc(IPPROTO_TCP, "192.0.2.1", 80), k2;
	struct lvs_svc_attr a = {.sched = "wlc"}, a2 = {.sched = "rr"};
	struct lvs_tsvc *s, *s2;
	struct lvs_dest d = dest("192.0.2.10", 80, 1), d2;
	char ip[32];
	int i, j, bad = 0;

	lvs_table_init(&t);
	CHECK(lvs_table_find(&t, &k) == NULL);
	s = lvs_table_add_svc(&t, &k, &a);
	CHECK(s != NULL);
	s2 = lvs_table_add_svc(&t, &k, &a2); /* existing: returned as is */
	CHECK(s2 == s);
	CHECK_STR(s2->attr.sched, "wlc");
	CHECK_INT(t.n_svcs, 1);
	CHECK_INT(lvs_svc_set_dest(s, &d), 0);
	d.weight = 7;
	CHECK_INT(lvs_svc_set_dest(s, &d), 0); /* replaces */
	CHECK_INT(s->n_dests, 1);
	CHECK_INT(lvs_svc_find_dest(s, &d)->d.weight, 7);
	d2 = dest("192.0.2.11", 80, 1);
	CHECK(lvs_svc_find_dest(s, &d2) == NULL);

	/* growth: pointers move, contents stay */
	for (i = 0; i < 300; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", i % 250);
		k2 = svc(IPPROTO_UDP, ip, (uint16_t)(1000 + i));
		s = lvs_table_add_svc(&t, &k2, &a2);
		for (j = 0; s && j < 20; j++) {
			snprintf(ip, sizeof(ip), "203.0.113.%d", j);
			d2 = dest(ip, (uint16_t)i, j);
			if (lvs_svc_set_dest(s, &d2) < 0)
				bad++;
		}
	}
	CHECK_INT(bad, 0);
	CHECK_INT(t.n_svcs, 301);
	for (i = 0; i < 300; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%d", i % 250);
		k2 = svc(IPPROTO_UDP, ip, (uint16_t)(1000 + i));
		s = lvs_table_find(&t, &k2);
		if (!s || s->n_dests != 20 || s->dests[19].d.weight != 19)
			bad++;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(lvs_table_find(&t, &k)->dests[0].d.weight, 7);
	lvs_table_free(&t);
	CHECK_INT(t.n_svcs, 0);
	lvs_table_free(&t); /* twice is harmless */
}

static void test_names_terminated(void)
{
	struct lvs_table t;
	struct lvs_svc_key k = svc(IPPROTO_TCP, "192.0.2.1", 80);
	struct lvs_svc_attr a;
	struct lvs_tsvc *s;

	memset(&a, 'x', sizeof(a));
	lvs_table_init(&t);
	s = lvs_table_add_svc(&t, &k, &a);
	CHECK(s && strlen(s->attr.sched) == LVS_SCHED_MAX - 1);
	CHECK(s && strlen(s->attr.pe_name) == LVS_PE_MAX - 1);
	s = lvs_table_add_svc(&t, &(struct lvs_svc_key){.af = AF_INET, .fwmark = 1}, NULL);
	CHECK(s && s->attr.sched[0] == '\0');
	lvs_table_free(&t);
}

static void test_fmt(void)
{
	char b[96];
	struct lvs_svc_key k = svc(IPPROTO_TCP, "192.0.2.1", 80);
	struct lvs_svc_key f = {.af = AF_INET6, .fwmark = 5};

	CHECK_STR(lvs_svc_key_fmt(&k, b, sizeof(b)), "TCP [192.0.2.1]:80");
	k = svc(IPPROTO_UDP, "2001:db8::1", 53);
	CHECK_STR(lvs_svc_key_fmt(&k, b, sizeof(b)), "UDP [2001:db8::1]:53");
	k = svc(IPPROTO_SCTP, "192.0.2.1", 3868);
	CHECK_STR(lvs_svc_key_fmt(&k, b, sizeof(b)), "SCTP [192.0.2.1]:3868");
	CHECK_STR(lvs_svc_key_fmt(&f, b, sizeof(b)), "FWM 5 (IPv6)");
	f.af = AF_INET;
	CHECK_STR(lvs_svc_key_fmt(&f, b, sizeof(b)), "FWM 5 (IPv4)");
	CHECK_STR(lvs_svc_key_fmt(&k, b, 5), "SCTP");
}

int main(void)
{
	test_key_identity();
	test_attr_and_dest_equal();
	test_add_find_set();
	test_names_terminated();
	test_fmt();
	return check_report("test_lvs_table");
}
