/* The checker configuration (check_conf.c): defaults, inheritance VS ->
 * RS -> checker, groups, sorry server, per-type defaults and the identity
 * of shared checks. */
#include <linux/ip_vs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "check/check_conf.h"
#include "core/keywords.h"

static struct conf_tree *tree;
static int nmsg, last_line;
static char last_msg[512];

static void report(void *arg, enum conf_sev sev, enum conf_class cls, const char *file, int line,
                   const char *msg)
{
	(void)arg;
	(void)sev;
	(void)cls;
	(void)file;
	last_line = line;
	snprintf(last_msg, sizeof(last_msg), "%s", msg);
	nmsg++;
}

static struct check_conf *build(const char *text)
{
	struct conf_opts opts = {0};

	conf_tree_free(tree);
	opts.report = report;
	tree = conf_parse_mem("t.conf", text, strlen(text), &ka_root_block, &opts);
	nmsg = 0;
	return check_conf_build(tree, report, NULL);
}

static void test_defaults_and_inheritance(void)
{
	struct check_conf *c = build("virtual_server 192.0.2.1 80 {\n"
	                             "  delay_loop 6\n"
	                             "  lb_algo wrr\n"
	                             "  lb_kind DR\n"
	                             "  protocol TCP\n"
	                             "  persistence_timeout 50\n"
	                             "  connect_timeout 3\n"
	                             "  real_server 192.0.2.10 8080 {\n"
	                             "    weight 3\n"
	                             "    retry 4\n"
	                             "    TCP_CHECK {\n"
	                             "      connect_port 8081\n"
	                             "    }\n"
	                             "    HTTP_GET {\n"
	                             "      url { path /a\n"
	                             "            digest 0123456789abcdef0123456789ABCDEF\n"
	                             "            status_code 200 300-302 }\n"
	                             "      url { path /b }\n"
	                             "      delay_before_retry 2\n"
	                             "    }\n"
	                             "  }\n"
	                             "  real_server 192.0.2.11 {\n"
	                             "    MISC_CHECK { misc_path \"/bin/echo 'a b' c\" }\n"
	                             "    DNS_CHECK { }\n"
	                             "  }\n"
	                             "}\n");
	const struct check_vs_conf *vs;
	const struct check_cfg *tcp, *http, *misc, *dns;

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_INT(nmsg, 0);
	CHECK_INT(c->n_vs, 1);
	vs = &c->vs[0];
	CHECK_STR(vs->attr.sched, "wrr");
	CHECK_INT(vs->protocol, IPPROTO_TCP);
	CHECK_INT(vs->attr.timeout_s, 50);
	CHECK(vs->attr.flags & IP_VS_SVC_F_PERSISTENT);
	CHECK_INT(vs->attr.netmask, 0xffffffffu);
	CHECK_STR(vs->fifo_name, "[192.0.2.1]:tcp:80");
	CHECK_INT(vs->n_svcs, 1);
	CHECK_INT(vs->quorum, 1);
	CHECK_INT(vs->n_rs, 2);
	CHECK_INT(vs->rs[0].dest.weight, 3);
	CHECK_INT(vs->rs[0].dest.fwd, LVS_FWD_DR);
	CHECK_INT(vs->rs[0].port, 8080);
	/* A real server without a port takes the virtual server's. */
	CHECK_INT(vs->rs[1].port, 80);
	CHECK_INT(vs->rs[1].dest.weight, 1);

	CHECK_INT(vs->rs[0].n_checkers, 2);
	tcp = &vs->rs[0].checkers[0];
	http = &vs->rs[0].checkers[1];
	CHECK_INT(tcp->type, CHECK_TCP);
	CHECK_INT(tcp->conn.port, 8081);
	CHECK_INT(tcp->delay_loop_us, 6000000);
	CHECK_INT(tcp->conn.connect_timeout_us, 3000000);
	CHECK_INT(tcp->retry, 4);                       /* from the RS */
	CHECK_INT(tcp->delay_before_retry_us, 1000000); /* TCP default */
	CHECK_INT(tcp->warmup_us, 6000000);             /* = delay_loop */
	CHECK(!tcp->alpha);
	CHECK_INT(http->type, CHECK_HTTP);
	CHECK_INT(http->conn.port, 8080);
	CHECK_INT(http->delay_before_retry_us, 2000000);
	CHECK_INT(http->n_steps, 2);
	CHECK_INT(http->u.http.n_urls, 2);
	CHECK_STR(http->u.http.urls[0].path, "/a");
	CHECK(http->u.http.urls[0].has_digest);
	CHECK_INT(http->u.http.urls[0].digest[0], 0x01);
	CHECK_INT(http->u.http.urls[0].digest[15], 0xef);
	CHECK_INT(http->u.http.urls[0].n_status, 2);
	CHECK_INT(http->u.http.urls[0].status[1].lo, 300);
	CHECK_INT(http->u.http.urls[0].status[1].hi, 302);
	CHECK(!http->u.http.urls[1].has_digest);
	CHECK_INT(http->u.http.urls[1].n_status, 0);

	misc = &vs->rs[1].checkers[0];
	dns = &vs->rs[1].checkers[1];
	CHECK_INT(misc->type, CHECK_MISC);
	CHECK_INT(misc->retry, 0); /* MISC default */
	CHECK_STR(misc->u.misc.argv[0], "/bin/echo");
	CHECK_STR(misc->u.misc.argv[1], "a b");
	CHECK_STR(misc->u.misc.argv[2], "c");
	CHECK(misc->u.misc.argv[3] == NULL);
	CHECK_INT(misc->u.misc.timeout_us, 6000000); /* = delay_loop */
	CHECK_INT(dns->retry, 3);
	CHECK_INT(dns->delay_before_retry_us, 6000000);
	CHECK_INT(dns->u.dns.qtype, 6);
	CHECK_STR(dns->u.dns.name, ".");
	check_conf_free(c);
}

static void test_upstream_defaults(void)
{
	/* No protocol -> UDP, no scheduler -> wlc, each with a warning. */
	struct check_conf *c = build("virtual_server 192.0.2.1 53 {\n"
	                             "  real_server 192.0.2.10 53 { weight 2 }\n"
	                             "}\n");

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_INT(nmsg, 2);
	CHECK_INT(c->vs[0].protocol, IPPROTO_UDP);
	CHECK_STR(c->vs[0].attr.sched, "wlc");
	CHECK_STR(c->vs[0].fifo_name, "[192.0.2.1]:udp:53");
	CHECK_INT(c->vs[0].rs[0].n_checkers, 0);
	check_conf_free(c);
}

static void test_group_fwmark_sorry(void)
{
	struct check_conf *c = build("virtual_server_group G {\n"
	                             "  192.0.2.1-3 80\n"
	                             "  2001:db8::1 443\n"
	                             "  fwmark 7\n"
	                             "}\n"
	                             "virtual_server group G {\n"
	                             "  protocol TCP\n lb_algo rr\n"
	                             "  sorry_server 198.51.100.9 8080\n"
	                             "  sorry_server_inhibit\n"
	                             "  quorum 3\n hysteresis 1\n"
	                             "  inhibit_on_failure\n"
	                             "  real_server 198.51.100.1 80 { TCP_CHECK { } }\n"
	                             "}\n"
	                             "virtual_server fwmark 5 {\n"
	                             "  lb_algo sh\n sh-port\n persistence_timeout\n"
	                             "  real_server 198.51.100.2 { inhibit_on_failure off }\n"
	                             "}\n");
	const struct check_vs_conf *g, *f;

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_INT(c->n_vs, 2);
	g = &c->vs[0];
	f = &c->vs[1];
	CHECK_INT(g->kind, CHECK_VS_GROUP);
	CHECK_STR(g->fifo_name, "[G]:0");
	CHECK_INT(g->n_svcs, 5);
	CHECK_INT(g->svcs[2].addr.u.v4.s_addr, htonl(0xc0000203));
	CHECK_INT(g->svcs[2].port, 80);
	CHECK_INT(g->svcs[3].af, AF_INET6);
	CHECK_INT(g->svcs[4].fwmark, 7);
	CHECK(g->has_sorry);
	CHECK_INT(g->sorry.port, 8080);
	CHECK(g->sorry_inhibit);
	CHECK_INT(g->quorum, 3);
	CHECK_INT(g->hysteresis, 1);
	CHECK(g->rs[0].inhibit_on_failure);

	CHECK_INT(f->kind, CHECK_VS_FWMARK);
	CHECK_STR(f->fifo_name, "FWM 5");
	CHECK_INT(f->svcs[0].fwmark, 5);
	CHECK_INT(f->attr.timeout_s, 360); /* bare persistence_timeout */
	CHECK(f->attr.flags & IP_VS_SVC_F_SCHED2);
	CHECK_INT(f->rs[0].port, 0); /* no port under fwmark */
	CHECK(!f->rs[0].inhibit_on_failure);
	check_conf_free(c);
}

static void test_shared_keys(void)
{
	/* The same real server behind two virtual servers with identical
	 * checks: equal keys.  Another port or another retry: different. */
	struct check_conf *c = build("virtual_server 192.0.2.1 80 {\n protocol TCP\n lb_algo rr\n"
	                             "  real_server 198.51.100.1 80 { TCP_CHECK { retry 2 } }\n"
	                             "}\n"
	                             "virtual_server 192.0.2.2 80 {\n protocol TCP\n lb_algo rr\n"
	                             "  real_server 198.51.100.1 80 { TCP_CHECK { retry 2 } }\n"
	                             "  real_server 198.51.100.1 81 { TCP_CHECK { retry 2 } }\n"
	                             "  real_server 198.51.100.2 80 { TCP_CHECK { retry 3 } }\n"
	                             "}\n");
	char k1[1024], k2[1024], k3[1024], k4[1024];

	CHECK(c != NULL);
	if (!c)
		return;
	check_cfg_key(&c->vs[0].rs[0].checkers[0], k1, sizeof(k1));
	check_cfg_key(&c->vs[1].rs[0].checkers[0], k2, sizeof(k2));
	check_cfg_key(&c->vs[1].rs[1].checkers[0], k3, sizeof(k3));
	check_cfg_key(&c->vs[1].rs[2].checkers[0], k4, sizeof(k4));
	CHECK_STR(k1, k2);
	CHECK(strcmp(k1, k3) != 0);
	CHECK(strcmp(k1, k4) != 0);
	check_conf_free(c);
}

/* lvs_data_plane: the default is IPVS (nothing checked); nftables rejects
 * at load what it cannot program, naming the block's line. */
static void test_data_plane(void)
{
	static const char vs_wlc[] = "virtual_server 192.0.2.1 80 {\n"
	                             "  lb_algo wlc\n  lb_kind NAT\n  protocol TCP\n"
	                             "  real_server 198.51.100.10 80 { weight 1 }\n"
	                             "}\n";
	char text[1024];
	struct check_conf *c = build(vs_wlc);

	CHECK(c && c->lvs_plane == LVS_PLANE_IPVS && nmsg == 0);
	check_conf_free(c);

	snprintf(text, sizeof(text), "global_defs {\n lvs_data_plane nftables\n}\n%s", vs_wlc);
	c = build(text);
	CHECK(c && c->lvs_plane == LVS_PLANE_NFT && c->lvs_plane_eff == LVS_PLANE_NFT);
	CHECK_INT(nmsg, 1);
	CHECK_INT(last_line, 4);
	CHECK(strstr(last_msg, "virtual_server 192.0.2.1 80: lb_algo wlc") != NULL);
	CHECK(strstr(last_msg, "use rr, wrr, sh, dh or mh") != NULL);
	check_conf_free(c);

	c = build("global_defs {\n lvs_data_plane nftables\n}\n"
	          "virtual_server 192.0.2.1 80 {\n lb_algo wrr\n lb_kind NAT\n protocol TCP\n"
	          " persistence_timeout 60\n"
	          " real_server 198.51.100.10 80 { weight 3 }\n"
	          " real_server 198.51.100.11 80 { weight 1 }\n"
	          " sorry_server 198.51.100.12 80\n}\n");
	CHECK(c && nmsg == 0);
	if (nmsg)
		fprintf(stderr, "unexpected: line %d: %s\n", last_line, last_msg);
	check_conf_free(c);

	c = build("global_defs {\n lvs_data_plane nftables\n"
	          " lvs_sync_daemon eth0 VI_1\n lvs_timeouts tcp 900\n}\n");
	CHECK_INT(nmsg, 2);
	CHECK(strstr(last_msg, "lvs_timeouts") != NULL);
	check_conf_free(c);

	/* An unknown plane is the keyword table's error (at parse time). */
	{
		static const char bad[] = "global_defs {\n lvs_data_plane kernel\n}\n";
		struct conf_opts opts = {.report = report};
		struct conf_tree *t;

		nmsg = 0;
		t = conf_parse_mem("t.conf", bad, strlen(bad), &ka_root_block, &opts);
		CHECK_INT(nmsg, 1);
		CHECK_INT(last_line, 2);
		CHECK(strstr(last_msg, "kernel") != NULL);
		conf_tree_free(t);
	}
}

int main(void)
{
	test_data_plane();
	test_defaults_and_inheritance();
	test_upstream_defaults();
	test_group_fwmark_sorry();
	test_shared_keys();
	conf_tree_free(tree);
	return check_report("check_conf");
}
