/* lvs_plan_build: order the kernel accepts, zero operations for an
 * unchanged table (also when `have` is in the kernel's reported form),
 * foreign services untouched, dropped services deleted without their
 * destinations. */
#include <arpa/inet.h>
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

static const struct lvs_svc_attr WLC = {.sched = "wlc"};

/* want: A = TCP 192.0.2.1:80 {rs1, rs2}; B = fwmark 7 (TCP) {rs3 DR};
 *       C = UDP [2001:db8::1]:53 {rs6} */
static void build_want(struct lvs_table *t)
{
	struct lvs_svc_key a = svc(IPPROTO_TCP, "192.0.2.1", 80);
	struct lvs_svc_key b = {.af = AF_INET, .protocol = IPPROTO_TCP, .fwmark = 7};
	struct lvs_svc_key c = svc(IPPROTO_UDP, "2001:db8::1", 53);
	struct lvs_svc_attr pa = {.sched = "rr", .flags = IP_VS_SVC_F_PERSISTENT, .timeout_s = 60};
	struct lvs_dest d;
	struct lvs_tsvc *s;

	lvs_table_init(t);
	s = lvs_table_add_svc(t, &a, &WLC);
	d = dest("192.0.2.10", 80, 1);
	lvs_svc_set_dest(s, &d);
	d = dest("192.0.2.11", 80, 2);
	lvs_svc_set_dest(s, &d);
	s = lvs_table_add_svc(t, &b, &pa);
	d = dest("192.0.2.12", 0, 1);
	d.fwd = LVS_FWD_DR;
	lvs_svc_set_dest(s, &d);
	s = lvs_table_add_svc(t, &c, &WLC);
	d = dest("2001:db8::6", 53, 1);
	lvs_svc_set_dest(s, &d);
}

/* What the kernel would report after programming `want`: HASHED set,
 * default netmasks filled in, fwmark protocol unknown, tunnel fields
 * zero, counters present. */
static void kernel_form(const struct lvs_table *want, struct lvs_table *have)
{
	size_t i, j;

	lvs_table_init(have);
	for (i = 0; i < want->n_svcs; i++) {
		struct lvs_tsvc *w = &want->svcs[i], *h;
		struct lvs_svc_key k = w->key;
		struct lvs_svc_attr a = w->attr;

		if (k.fwmark)
			k.protocol = 0;
		a.flags |= IP_VS_SVC_F_HASHED;
		if (!a.netmask)
			a.netmask = k.af == AF_INET6 ? 128 : 0xffffffffu;
		h = lvs_table_add_svc(have, &k, &a);
		h->stats.conns = 99;
		for (j = 0; j < w->n_dests; j++) {
			lvs_svc_set_dest(h, &w->dests[j].d);
			h->dests[j].activeconns = 5;
		}
	}
}

static int count(const struct lvs_plan *p, enum lvs_op_kind k)
{
	size_t i;
	int n = 0;

	for (i = 0; i < p->n; i++)
		n += p->ops[i].kind == k;
	return n;
}

static void test_from_empty(void)
{
	struct lvs_table have, want;
	struct lvs_plan p;
	size_t i;
	int svc_seen = 0, order_bad = 0;

	lvs_table_init(&have);
	build_want(&want);
	CHECK_INT(lvs_plan_build(&have, &want, NULL, &p), 0);
	CHECK_INT(p.n, 3 + 4);
	CHECK_INT(count(&p, LVS_OP_SVC_ADD), 3);
	CHECK_INT(count(&p, LVS_OP_DEST_ADD), 4);
	/* each destination comes after its service's add */
	for (i = 0; i < p.n; i++) {
		if (p.ops[i].kind == LVS_OP_SVC_ADD) {
			svc_seen++;
			continue;
		}
		if (i == 0 || !lvs_svc_key_equal(&p.ops[i].key, &p.ops[i - 1].key))
			order_bad++;
	}
	CHECK_INT(order_bad, 0);
	CHECK_INT(p.ops[0].kind, LVS_OP_SVC_ADD);
	CHECK_STR(p.ops[0].attr.sched, "wlc");
	CHECK_INT(p.ops[1].dest.weight, 1);
	CHECK_INT(p.ops[2].dest.weight, 2);
	lvs_plan_free(&p);
	CHECK(p.ops == NULL && p.n == 0);
	lvs_table_free(&want);
}

static void test_unchanged_is_zero(void)
{
	struct lvs_table have, want;
	struct lvs_plan p;

	build_want(&want);
	/* the same table */
	CHECK_INT(lvs_plan_build(&want, &want, &want, &p), 0);
	CHECK_INT(p.n, 0);
	lvs_plan_free(&p);
	/* the kernel's form of it */
	kernel_form(&want, &have);
	CHECK_INT(lvs_plan_build(&have, &want, NULL, &p), 0);
	CHECK_INT(p.n, 0);
	lvs_plan_free(&p);
	/* a TUN-only field set on a NAT destination is never sent: no edit */
	want.svcs[0].dests[0].d.tun_port = 4242;
	want.svcs[0].dests[0].d.tun_type = IP_VS_CONN_F_TUNNEL_TYPE_GRE;
	CHECK_INT(lvs_plan_build(&have, &want, NULL, &p), 0);
	CHECK_INT(p.n, 0);
	lvs_plan_free(&p);
	/* an IPv6 netmask of 0 means 128 */
	CHECK_INT(lvs_table_find(&have, &want.svcs[2].key)->attr.netmask, 128);
	lvs_table_free(&have);
	lvs_table_free(&want);
}

static void test_changes(void)
{
	struct lvs_table have, want;
	struct lvs_plan p;
	struct lvs_dest d;
	struct lvs_tsvc *a;

	build_want(&want);
	kernel_form(&want, &have);
	a = &want.svcs[0];
	a->dests[0].d.weight = 50; /* rs1 edited */
	a->n_dests = 1;            /* rs2 (the last one) dropped */
	d = dest("192.0.2.13", 80, 1);
	lvs_svc_set_dest(a, &d); /* rs4 added */
	strcpy(want.svcs[1].attr.sched, "wrr");
	CHECK_INT(lvs_plan_build(&have, &want, NULL, &p), 0);
	CHECK_INT(p.n, 4);
	if (p.n == 4) {
		/* deletes before adds within a service */
		CHECK_INT(p.ops[0].kind, LVS_OP_DEST_DEL);
		CHECK_INT(p.ops[0].dest.weight, 2); /* have's copy, rs2 */
		CHECK_INT(p.ops[1].kind, LVS_OP_DEST_EDIT);
		CHECK_INT(p.ops[1].dest.weight, 50);
		CHECK_INT(p.ops[2].kind, LVS_OP_DEST_ADD);
		CHECK_INT(p.ops[3].kind, LVS_OP_SVC_EDIT);
		CHECK_STR(p.ops[3].attr.sched, "wrr");
		/* the wanted key, with its configured protocol */
		CHECK_INT(p.ops[3].key.protocol, IPPROTO_TCP);
	}
	lvs_plan_free(&p);
	/* fwd method and thresholds are edits too */
	lvs_table_free(&want);
	build_want(&want);
	want.svcs[0].dests[0].d.fwd = LVS_FWD_DR;
	want.svcs[0].dests[1].d.l_threshold = 3;
	CHECK_INT(lvs_plan_build(&have, &want, NULL, &p), 0);
	CHECK_INT(count(&p, LVS_OP_DEST_EDIT), 2);
	CHECK_INT(p.n, 2);
	lvs_plan_free(&p);
	lvs_table_free(&have);
	lvs_table_free(&want);
}

static void test_foreign_and_drop(void)
{
	struct lvs_table have, want, drop;
	struct lvs_svc_key foreign = svc(IPPROTO_TCP, "203.0.113.9", 22);
	struct lvs_svc_key old = svc(IPPROTO_TCP, "192.0.2.50", 443);
	struct lvs_svc_key gone = svc(IPPROTO_TCP, "192.0.2.51", 443);
	struct lvs_dest d = dest("192.0.2.60", 443, 1);
	struct lvs_tsvc *s;
	struct lvs_plan p;
	size_t i;
	int touched = 0;

	build_want(&want);
	kernel_form(&want, &have);
	/* a foreign service (ipvsadm) with a destination we do not want */
	s = lvs_table_add_svc(&have, &foreign, &WLC);
	lvs_svc_set_dest(s, &d);
	/* a service we owned before the reload, with destinations */
	s = lvs_table_add_svc(&have, &old, &WLC);
	lvs_svc_set_dest(s, &d);
	lvs_table_init(&drop);
	lvs_table_add_svc(&drop, &old, &WLC);
	lvs_table_add_svc(&drop, &old, &WLC);  /* duplicate: one delete */
	lvs_table_add_svc(&drop, &gone, &WLC); /* not in the kernel: nothing */
	/* dropped and wanted again (moved in the config): kept */
	lvs_table_add_svc(&drop, &want.svcs[0].key, &WLC);

	CHECK_INT(lvs_plan_build(&have, &want, &drop, &p), 0);
	CHECK_INT(p.n, 1);
	CHECK_INT(p.ops[0].kind, LVS_OP_SVC_DEL);
	CHECK(lvs_svc_key_equal(&p.ops[0].key, &old));
	for (i = 0; i < p.n; i++)
		if (lvs_svc_key_equal(&p.ops[i].key, &foreign))
			touched++;
	CHECK_INT(touched, 0);
	CHECK_INT(count(&p, LVS_OP_DEST_DEL), 0);
	lvs_plan_free(&p);

	/* Stop-like: nothing wanted, everything dropped but the foreign
	 * service: our three and the old one go, the foreign one stays. */
	lvs_table_free(&drop);
	kernel_form(&want, &drop);
	lvs_table_add_svc(&drop, &old, &WLC);
	CHECK_INT(lvs_plan_build(&have, NULL, &drop, &p), 0);
	CHECK_INT(p.n, 4);
	CHECK_INT(count(&p, LVS_OP_SVC_DEL), 4);
	for (i = 0; i < p.n; i++)
		if (lvs_svc_key_equal(&p.ops[i].key, &foreign))
			touched++;
	CHECK_INT(touched, 0);
	lvs_plan_free(&p);

	/* A wanted service the kernel has with foreign destinations: those
	 * are deleted (the service is ours). */
	s = lvs_table_find(&have, &want.svcs[0].key);
	d = dest("192.0.2.99", 80, 1);
	lvs_svc_set_dest(s, &d);
	CHECK_INT(lvs_plan_build(&have, &want, NULL, &p), 0);
	CHECK_INT(p.n, 1);
	CHECK_INT(p.ops[0].kind, LVS_OP_DEST_DEL);
	CHECK(lvs_dest_same_id(&p.ops[0].dest, &d));
	lvs_plan_free(&p);

	lvs_table_free(&drop);
	lvs_table_free(&have);
	lvs_table_free(&want);
}

static void test_strings(void)
{
	CHECK_STR(lvs_op_kind_str(LVS_OP_FLUSH), "flush");
	CHECK_STR(lvs_op_kind_str(LVS_OP_SVC_ADD), "add service");
	CHECK_STR(lvs_op_kind_str(LVS_OP_DEST_DEL), "delete destination");
	CHECK_STR(lvs_op_kind_str((enum lvs_op_kind)99), "?");
}

int main(void)
{
	test_from_empty();
	test_unchanged_is_zero();
	test_changes();
	test_foreign_and_drop();
	test_strings();
	return check_report("test_lvs_plan");
}
