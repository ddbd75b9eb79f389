/* The root, global_defs and VRRP keyword tables, driven through the parser
 * with in-memory configurations and a capturing reporter. */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "conf/conf.h"
#include "core/keywords.h"
#include "vrrp/vrrp_keywords.h"

/* ---- capturing reporter ------------------------------------------------------ */

#define MAX_DIAG 64

struct diag {
	enum conf_sev sev;
	enum conf_class cls;
	char file[64];
	int line;
	char msg[512];
};

static struct diag diags[MAX_DIAG];
static int ndiag;

static void capture(void *arg, enum conf_sev sev, enum conf_class cls, const char *file, int line,
                    const char *msg)
{
	struct diag *d;

	(void)arg;
	if (ndiag == MAX_DIAG)
		return;
	d = &diags[ndiag++];
	d->sev = sev;
	d->cls = cls;
	snprintf(d->file, sizeof(d->file), "%s", file ? file : "");
	d->line = line;
	snprintf(d->msg, sizeof(d->msg), "%s", msg);
}

static int count(enum conf_sev sev)
{
	int n = 0;

	for (int i = 0; i < ndiag; i++)
		n += diags[i].sev == sev;
	return n;
}

static const struct diag *first(enum conf_sev sev)
{
	for (int i = 0; i < ndiag; i++)
		if (diags[i].sev == sev)
			return &diags[i];
	return NULL;
}

static void dump_diags(const char *why)
{
	for (int i = 0; i < ndiag; i++)
		fprintf(stderr, "  [%s] %s %s:%d %s\n", why,
		        diags[i].sev == CONF_SEV_WARN ? "warn" : "error", diags[i].file,
		        diags[i].line, diags[i].msg);
}

static struct conf_tree *parse(const char *text)
{
	struct conf_opts o = {.report = capture, .config_id = "test"};

	ndiag = 0;
	return conf_parse_mem("t.conf", text, strlen(text), &ka_root_block, &o);
}

/* Parse, expect `n` errors, the first at `line` with `needle` in its text. */
static void expect_errors(const char *text, int n, int line, const char *needle)
{
	struct conf_tree *t = parse(text);
	const struct diag *d = first(CONF_SEV_ERROR);

	CHECK_INT(count(CONF_SEV_ERROR), n);
	CHECK(d != NULL);
	if (d) {
		CHECK_INT(d->line, line);
		CHECK_STR(d->file, "t.conf");
		if (!strstr(d->msg, needle)) {
			t_failures++;
			fprintf(stderr, "message '%s' lacks '%s'\n", d->msg, needle);
		}
	}
	if (count(CONF_SEV_ERROR) != n)
		dump_diags(needle);
	conf_tree_free(t);
}

static void expect_one_error(const char *text, int line, const char *needle)
{
	expect_errors(text, 1, line, needle);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Replace every "eth0"/"eth1" by "lo" in place (the result is shorter). */
static void use_lo(char *s)
{
	char *p, *q;

	for (p = q = s; *p;) {
		if (strncmp(p, "eth0", 4) == 0 || strncmp(p, "eth1", 4) == 0) {
			memcpy(q, "lo", 2);
			q += 2;
			p += 4;
		} else {
			*q++ = *p++;
		}
	}
	*q = '\0';
}

/* Cut at the first root-level virtual_server block: the VRRP part. */
static void vrrp_part(char *s)
{
	char *p = s;

	while (p && *p) {
		if (strncmp(p, "virtual_server", 14) == 0) {
			*p = '\0';
			return;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

/* ---- tests --------------------------------------------------------------------- */

static void test_seeds(void)
{
	char dir[512], path[1024];
	struct dirent *e;
	int seen = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/conf/seed-configs", test_data_dir());
	d = opendir(dir);
	CHECK(d != NULL);
	if (!d)
		return;
	while ((e = readdir(d))) {
		struct conf_tree *t;
		char *text;

		if (!strstr(e->d_name, ".conf"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		text = read_file(path);
		CHECK(text != NULL);
		if (!text)
			continue;
		use_lo(text);
		vrrp_part(text);
		t = parse(text);
		CHECK(t != NULL);
		if (count(CONF_SEV_ERROR) != 0) {
			t_failures++;
			fprintf(stderr, "seed %s: %d errors\n", e->d_name, count(CONF_SEV_ERROR));
			dump_diags(e->d_name);
		}
		t_checks++;
		CHECK_INT(conf_exit_code(&t->counts), 0);
		conf_tree_free(t);
		free(text);
		seen++;
	}
	closedir(d);
	CHECK(seen >= 9);
}

static const char vi_head[] = "vrrp_instance VI_1 {\n" /* line 1 */
                              "    state MASTER\n"     /* 2 */
                              "    interface lo\n"     /* 3 */
                              "    priority 100\n";    /* 4 */

static void test_bad_address(void)
{
	char buf[1024];
	struct conf_tree *t;
	conf_node *vi, *vips;

	snprintf(buf, sizeof(buf),
	         "%s    virtual_router_id 51\n" /* 5 */
	         "    virtual_ipaddress {\n"    /* 6 */
	         "        10.0.0.1/24 dev lo\n" /* 7 */
	         "        192.168.200.300\n"    /* 8 */
	         "        10.0.0.2\n"           /* 9 */
	         "    }\n}\n",
	         vi_head);
	expect_one_error(buf, 8, "192.168.200.300");

	/* The bad line is dropped, the others are kept. */
	t = parse(buf);
	vi = conf_first(&t->root, "vrrp_instance");
	vips = vi ? conf_first(vi, "virtual_ipaddress") : NULL;
	CHECK(vips != NULL);
	if (vips) {
		int n = 0;

		for (conf_node *c = vips->child; c; c = c->next)
			n++;
		CHECK_INT(n, 2);
		CHECK_STR(conf_arg(vips->child, 0), "10.0.0.1/24");
		CHECK_STR(conf_arg(vips->child->next, 0), "10.0.0.2");
	}
	conf_tree_free(t);

	/* A bad prefix length, a bad option value, an unknown option: one each. */
	snprintf(buf, sizeof(buf),
	         "%s    virtual_router_id 51\n    virtual_ipaddress {\n        10.0.0.1/33\n    "
	         "}\n}\n",
	         vi_head);
	expect_one_error(buf, 7, "10.0.0.1/33");
	snprintf(buf, sizeof(buf),
	         "%s    virtual_router_id 51\n    virtual_ipaddress {\n        10.0.0.1 brd "
	         "x\n    }\n}\n",
	         vi_head);
	expect_one_error(buf, 7, "'x'");
	snprintf(buf, sizeof(buf),
	         "%s    virtual_router_id 51\n    virtual_ipaddress {\n        10.0.0.1 "
	         "track_group g\n    }\n}\n",
	         vi_head);
	expect_one_error(buf, 7, "track_group");
}

static void test_ranges(void)
{
	char buf[1024];

	/* The dropped line also leaves the VRID unset: the range error comes
	 * first, the missing VRID second. */
	snprintf(buf, sizeof(buf), "%s    virtual_router_id 0\n}\n", vi_head);
	expect_errors(buf, 2, 5, "'0'");
	snprintf(buf, sizeof(buf), "%s    virtual_router_id 256\n}\n", vi_head);
	expect_errors(buf, 2, 5, "'256'");
	expect_one_error("vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n"
	                 " priority 256\n}\n",
	                 4, "256");
	expect_one_error("vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n"
	                 " advert_int 0.001\n}\n",
	                 4, "0.001");
	expect_one_error("vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n"
	                 " preempt_delay 1001\n}\n",
	                 4, "1001");
	expect_one_error("vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n"
	                 " down_timer_adverts 101\n}\n",
	                 4, "101");
	expect_one_error("vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n"
	                 " state master\n}\n",
	                 4, "master");
	expect_one_error("global_defs {\n vrrp_priority -21\n}\n", 2, "-21");
	expect_one_error("global_defs {\n vrrp_version 4\n}\n", 2, "4");
	expect_one_error("global_defs {\n json_version 3\n}\n", 2, "3");
	expect_one_error("global_defs {\n vrrp_mcast_group4 1.2.3.4\n}\n", 2, "1.2.3.4");
	expect_one_error("global_defs {\n smtp_server 1.2.3.4 99999\n}\n", 2, "99999");
}

static void test_deprecated(void)
{
	struct conf_tree *t = parse("global_defs {\n"
	                            "    router_id r1\n"
	                            "    lvs_id LVS_MAIN\n"
	                            "}\n");
	const struct diag *w = first(CONF_SEV_WARN);
	conf_node *g;

	CHECK_INT(count(CONF_SEV_ERROR), 0);
	CHECK_INT(count(CONF_SEV_WARN), 1);
	CHECK(w != NULL);
	if (w) {
		CHECK_STR(w->file, "t.conf");
		CHECK_INT(w->line, 3);
		CHECK(strstr(w->msg, "lvs_id") != NULL);
	}
	CHECK_INT(conf_exit_code(&t->counts), 0);
	g = conf_first(&t->root, "global_defs");
	CHECK(g && conf_first(g, "router_id") && !conf_first(g, "lvs_id"));
	conf_tree_free(t);

	/* Deprecated spellings inside vrrp_instance: warnings, no errors. */
	t = parse("vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n"
	          " native_ipv6\n linkbeat_use_polling\n lvs_sync_daemon_interface lo\n"
	          " vmac_garp_intvl 10\n thread_timer_expired\n debug 2\n"
	          " virtual_ipaddress {\n  2001:db8::1\n }\n}\n");
	CHECK_INT(count(CONF_SEV_ERROR), 0);
	CHECK_INT(count(CONF_SEV_WARN), 6);
	conf_tree_free(t);
}

static void test_unknown_keyword(void)
{
	char buf[1024];
	struct conf_tree *t;

	snprintf(buf, sizeof(buf),
	         "%s    virtual_router_id 51\n    foo_bar 1\n    virtual_ipaddress {\n "
	         "10.0.0.1\n    }\n}\n",
	         vi_head);
	t = parse(buf);
	CHECK_INT(ndiag, 1);
	CHECK(ndiag >= 1 && diags[0].line == 6 && strstr(diags[0].msg, "foo_bar"));
	conf_tree_free(t);
}

static void test_missing_vrid(void)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s    virtual_ipaddress {\n 10.0.0.1\n    }\n}\n", vi_head);
	expect_one_error(buf, 1, "virtual router id");
	/* An interface is required unless unicast peers are given. */
	expect_one_error("vrrp_instance VI_2 {\n virtual_router_id 3\n"
	                 " virtual_ipaddress {\n 10.0.0.1\n }\n}\n",
	                 1, "interface");
	expect_one_error("vrrp_script chk {\n interval 2\n}\n", 1, "script");
}

static void test_auth_comment(void)
{
	struct conf_tree *t = parse("vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n"
	                            " authentication {\n  auth_type AH\n  auth_pass k@l!ve1\n }\n"
	                            " virtual_ipaddress {\n  10.1.1.1\n }\n}\n");
	conf_node *vi = conf_first(&t->root, "vrrp_instance");
	conf_node *auth = vi ? conf_first(vi, "authentication") : NULL;
	conf_node *pass = auth ? conf_first(auth, "auth_pass") : NULL;

	CHECK_INT(count(CONF_SEV_ERROR), 0);
	CHECK(pass != NULL);
	CHECK_STR(conf_arg(pass, 1), "k@l");
	CHECK_STR(conf_arg(conf_first(auth, "auth_type"), 1), "AH");
	conf_tree_free(t);

	/* Longer than 8: a warning. */
	t = parse("vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n"
	          " authentication {\n  auth_type PASS\n  auth_pass 123456789\n }\n"
	          " virtual_ipaddress {\n  10.1.1.1\n }\n}\n");
	CHECK_INT(count(CONF_SEV_ERROR), 0);
	CHECK_INT(count(CONF_SEV_WARN), 1);
	CHECK(first(CONF_SEV_WARN) && first(CONF_SEV_WARN)->line == 6 &&
	      strstr(first(CONF_SEV_WARN)->msg, "truncated to 8 characters"));
	conf_tree_free(t);
	expect_one_error("vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n"
	                 " authentication {\n  auth_type pass\n }\n"
	                 " virtual_ipaddress {\n  10.1.1.1\n }\n}\n",
	                 5, "pass");
}

static void test_interfaces(void)
{
	const char *text = "vrrp_instance VI_1 {\n interface kwv_nosuch0\n virtual_router_id 5\n"
	                   " virtual_ipaddress {\n  10.1.1.1\n }\n}\n";
	struct conf_tree *t = parse(text);
	char buf[512];

	CHECK_INT(t->counts.errors[CONF_CLASS_FILE], 1);
	CHECK_INT(t->counts.errors[CONF_CLASS_CONFIG], 0);
	CHECK_INT(conf_exit_code(&t->counts), CONF_EXIT_FILE);
	/* The located message names the interface. */
	CHECK(first(CONF_SEV_WARN) && first(CONF_SEV_WARN)->line == 2 &&
	      strstr(first(CONF_SEV_WARN)->msg, "kwv_nosuch0"));
	conf_tree_free(t);

	snprintf(buf, sizeof(buf), "global_defs {\n dynamic_interfaces\n}\n%s", text);
	t = parse(buf);
	CHECK_INT(ndiag, 0);
	CHECK_INT(conf_exit_code(&t->counts), 0);
	conf_tree_free(t);

	/* VIP dev and track_interface are checked too. */
	t = parse("vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n"
	          " track_interface {\n  kwv_nosuch1 weight 10\n }\n"
	          " virtual_ipaddress {\n  10.1.1.1 dev kwv_nosuch2\n }\n}\n");
	CHECK_INT(count(CONF_SEV_WARN), 2);
	CHECK_INT(t->counts.errors[CONF_CLASS_FILE], 1);
	conf_tree_free(t);
}

static void test_routes_rules(void)
{
	struct conf_tree *t;

	t = parse("vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n"
	          " virtual_ipaddress {\n  10.1.1.1\n }\n"
	          " virtual_routes {\n"
	          "  src 192.168.100.1 to 192.168.109.0/24 via 192.168.200.254 dev lo\n"
	          "  192.168.111.0/24 dev lo no_track\n"
	          "  192.168.113.0/24 via 192.168.200.254 or 192.168.100.254 dev lo\n"
	          "  blackhole 192.168.114.0/24\n"
	          "  0.0.0.0/0 gw 192.168.0.1 table 100\n"
	          "  192.168.100.0/24 table 6909 nexthop via 192.168.101.1 dev lo onlink weight 1"
	          " nexthop via 192.168.101.2 dev lo onlink weight 2\n"
	          "  192.168.200.0/24 dev lo table 6909 tos 0x04 protocol static scope link"
	          " priority 12 mtu lock 1000 hoplimit 100 advmss 101 rtt 102 features ecn\n"
	          "  2001:470:69e9:1:2::4 dev lo pref high expires 5 append\n"
	          " }\n"
	          " virtual_rules {\n"
	          "  from 192.168.2.0/24 table 1 priority 3\n"
	          "  to 192.168.2.0/24 table 1 no_track preference 4\n"
	          "  from 192.168.28.0/24 to 192.168.29.0/26 iif lo tos 22 fwmark 24/12"
	          " preference 39 realms 30/20 goto 40\n"
	          "  to 1:2:3:4:5:6:7:0/112 from 7:6:5:4:3:2::/96 table 6908 uidrange 10000-19999"
	          " priority 5\n"
	          "  from all ipproto udp sport 10-20 dport 20-30 table 5 order 6\n"
	          " }\n}\n");
	CHECK_INT(count(CONF_SEV_ERROR), 0);
	if (count(CONF_SEV_ERROR))
		dump_diags("routes");
	conf_tree_free(t);

	expect_one_error("static_routes {\n 10.9.1.0/24 bogus 3\n}\n", 2, "bogus");
	expect_one_error("static_routes {\n 10.9.1.0/24 via 10.0.0.x\n}\n", 2, "10.0.0.x");
	expect_one_error("static_routes {\n 10.9.1.0/24 dev lo proto static\n}\n", 2, "proto");
	expect_one_error("static_rules {\n from 10.0.0.0/24 table 5 pref 3\n}\n", 2, "pref");
	expect_one_error("static_rules {\n from 10.0.0.0/24 table 5 priority 3 tun_id 3\n}\n", 2,
	                 "tun_id");
	expect_one_error("static_ipaddress {\n 10.0.0.1/24 dev lo nodad\n}\n", 2, "nodad");
	/* track_group is for static items, and must name a track_group. */
	expect_one_error("static_ipaddress {\n 10.0.0.1/24 dev lo track_group TG\n}\n", 2, "TG");
	expect_one_error("static_routes {\n 10.2.0.0/16 via 10.1.1.254 track_group TG\n}\n", 2,
	                 "dev or oif");
	expect_one_error("static_rules {\n from 10.3.0.0/16 table 5 priority 5 track_group TG\n}\n",
	                 2, "iif or oif");
}

static void test_cross_checks(void)
{
	const char *vis = "vrrp_instance VI_1 {\n interface lo\n virtual_router_id 1\n"
	                  " virtual_ipaddress {\n  10.0.0.1\n }\n}\n"
	                  "vrrp_instance VI_2 {\n interface lo\n virtual_router_id 2\n"
	                  " virtual_ipaddress {\n  10.0.0.2\n }\n}\n";
	char buf[2048];

	snprintf(buf, sizeof(buf), "%svrrp_sync_group G {\n group {\n  VI_1 VI_X\n }\n}\n", vis);
	expect_one_error(buf, 17, "VI_X");
	snprintf(buf, sizeof(buf),
	         "%svrrp_script chk {\n script /bin/true\n}\n"
	         "vrrp_instance VI_3 {\n interface lo\n virtual_router_id 3\n"
	         " track_script {\n  chk weight 10\n  nochk\n }\n"
	         " virtual_ipaddress {\n  10.0.0.3\n }\n}\n",
	         vis);
	expect_one_error(buf, 23, "nochk");
	snprintf(buf, sizeof(buf),
	         "%svrrp_instance VI_3 {\n interface lo\n virtual_router_id 2\n"
	         " virtual_ipaddress {\n  10.0.0.3\n }\n}\n",
	         vis);
	expect_one_error(buf, 17, "VRID 2");
	snprintf(buf, sizeof(buf),
	         "%svrrp_instance VI_1 {\n interface lo\n virtual_router_id 3\n"
	         " virtual_ipaddress {\n  10.0.0.3\n }\n}\n",
	         vis);
	expect_one_error(buf, 15, "VI_1");
}

static void test_tracking_lines(void)
{
	expect_one_error("vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n"
	                 " track_interface {\n  lo weight 254\n }\n"
	                 " virtual_ipaddress {\n  10.1.1.1\n }\n}\n",
	                 5, "254");
	expect_one_error("vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n"
	                 " unicast_peer {\n  10.0.0.2 min_ttl 256\n }\n"
	                 " virtual_ipaddress {\n  10.1.1.1\n }\n}\n",
	                 5, "min_ttl");
	expect_one_error("vrrp_script s {\n script /bin/true\n weight 300\n}\n", 3, "300");
	expect_one_error("vrrp_script s {\n script /bin/true\n rise 0\n}\n", 3, "0");
	expect_one_error("vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n"
	                 " use_vmac 00:00:5e:00:01:05\n virtual_ipaddress {\n  10.1.1.1\n }\n}\n",
	                 4, "00:00:5e:00:01:05");
	expect_one_error("vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n"
	                 " vmac_xmit_base\n virtual_ipaddress {\n  10.1.1.1\n }\n}\n",
	                 4, "use_vmac");
	expect_one_error("vrrp_instance VI_1 {\n interface lo\n vrf lo\n virtual_router_id 5\n"
	                 " virtual_ipaddress {\n  10.1.1.1\n }\n}\n",
	                 3, "vrf");
	expect_one_error("vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n"
	                 " virtual_ipaddress {\n  10.1.1.1\n  2001:db8::1\n }\n}\n",
	                 6, "2001:db8::1");
	expect_one_error("static_routes {\n 10.9.1.0/24 dev lo pref high\n}\n", 2, "pref");
	/* The bad key is dropped, so the block also has no key. */
	expect_errors("vrrp_instance VI_1 {\n interface lo\n virtual_router_id 5\n"
	              " auth_hmac {\n  key 1 hex:abcd\n }\n virtual_ipaddress {\n  10.1.1.1\n"
	              " }\n}\n",
	              2, 5, "hex");
}

/* Every global_defs keyword of the reference (§2.3), typed from it. */
static const char *const global_defs_ref[] = {"router_id",
                                              "notification_email",
                                              "notification_email_from",
                                              "smtp_server",
                                              "smtp_helo_name",
                                              "smtp_connect_timeout",
                                              "smtp_alert",
                                              "smtp_alert_vrrp",
                                              "smtp_alert_checker",
                                              "no_email_faults",
                                              "no_checker_emails",
                                              "checker_log_all_failures",
                                              "process_names",
                                              "process_name",
                                              "vrrp_process_name",
                                              "checker_process_name",
                                              "lvs_process_name",
                                              "bfd_process_name",
                                              "vrrp_priority",
                                              "checker_priority",
                                              "bfd_priority",
                                              "vrrp_no_swap",
                                              "checker_no_swap",
                                              "bfd_no_swap",
                                              "vrrp_rt_priority",
                                              "checker_rt_priority",
                                              "bfd_rt_priority",
                                              "vrrp_cpu_affinity",
                                              "checker_cpu_affinity",
                                              "bfd_cpu_affinity",
                                              "vrrp_rlimit_rttime",
                                              "checker_rlimit_rttime",
                                              "bfd_rlimit_rttime",
                                              "vrrp_rlimit_rtime",
                                              "checker_rlimit_rtime",
                                              "bfd_rlimit_rtime",
                                              "max_auto_priority",
                                              "min_auto_priority_delay",
                                              "umask",
                                              "random_seed",
                                              "script_user",
                                              "enable_script_security",
                                              "set_supplementary_groups",
                                              "use_symlink_paths",
                                              "startup_script",
                                              "startup_script_timeout",
                                              "shutdown_script",
                                              "shutdown_script_timeout",
                                              "vrrp_version",
                                              "vrrp_mcast_group4",
                                              "vrrp_mcast_group6",
                                              "vrrp_garp_master_delay",
                                              "vrrp_garp_master_repeat",
                                              "vrrp_garp_master_refresh",
                                              "vrrp_garp_master_refresh_repeat",
                                              "vrrp_garp_lower_prio_delay",
                                              "vrrp_garp_lower_prio_repeat",
                                              "vrrp_garp_interval",
                                              "vrrp_gna_interval",
                                              "vrrp_min_garp",
                                              "vrrp_garp_extra_if",
                                              "vrrp_vmac_garp_intvl",
                                              "vrrp_down_timer_adverts",
                                              "vrrp_lower_prio_no_advert",
                                              "vrrp_higher_prio_send_advert",
                                              "vrrp_check_unicast_src",
                                              "vrrp_skip_check_adv_addr",
                                              "vrrp_strict",
                                              "vrrp_owner_ignore_adverts",
                                              "v3_checksum_as_v2",
                                              "vrrp_notify_priority_changes",
                                              "vrrp_startup_delay",
                                              "vrrp_delay_after_boot",
                                              "log_unknown_vrids",
                                              "vmac_prefix",
                                              "vmac_addr_prefix",
                                              "default_interface",
                                              "dynamic_interfaces",
                                              "disable_local_igmp",
                                              "vrrp_rx_bufs_policy",
                                              "vrrp_rx_bufs_multiplier",
                                              "vrrp_iptables",
                                              "vrrp_ipsets",
                                              "nftables",
                                              "nftables_priority",
                                              "nftables_ifindex",
                                              "nftables_counters",
                                              "nftables_ipvs",
                                              "nftables_ipvs_priority",
                                              "nftables_ipvs_start_fwmark",
                                              "lvs_sync_daemon",
                                              "lvs_timeouts",
                                              "lvs_flush",
                                              "lvs_flush_on_stop",
                                              "lvs_flush_onstop",
                                              "rs_init_notifies",
                                              "notify_fifo",
                                              "notify_fifo_script",
                                              "vrrp_notify_fifo",
                                              "vrrp_notify_fifo_script",
                                              "lvs_notify_fifo",
                                              "lvs_notify_fifo_script",
                                              "fifo_write_vrrp_states_on_reload",
                                              "snmp_socket",
                                              "enable_traps",
                                              "enable_snmp_vrrp",
                                              "enable_snmp_keepalived",
                                              "enable_snmp_checker",
                                              "enable_snmp_rfc",
                                              "enable_snmp_rfcv2",
                                              "enable_snmp_rfcv3",
                                              "snmp_vs_stats_update_interval",
                                              "snmp_rs_stats_update_interval",
                                              "enable_dbus",
                                              "dbus_service_name",
                                              "dbus_no_interface_name",
                                              "vrrp_netlink_cmd_rcv_bufs",
                                              "vrrp_netlink_cmd_rcv_bufs_force",
                                              "vrrp_netlink_monitor_rcv_bufs",
                                              "vrrp_netlink_monitor_rcv_bufs_force",
                                              "lvs_netlink_cmd_rcv_bufs",
                                              "lvs_netlink_cmd_rcv_bufs_force",
                                              "lvs_netlink_monitor_rcv_bufs",
                                              "lvs_netlink_monitor_rcv_bufs_force",
                                              "process_monitor_rcv_bufs",
                                              "process_monitor_rcv_bufs_force",
                                              "reload_check_config",
                                              "reload_time_file",
                                              "reload_repeat",
                                              "reload_file",
                                              "include_check",
                                              "config_save_dir",
                                              "tmp_config_directory",
                                              "data_use_instance",
                                              "json_version",
                                              "state_dump_file",
                                              "stats_dump_file",
                                              "json_dump_file",
                                              "iproute_usr_dir",
                                              "iproute_etc_dir",
                                              "lvs_id",
                                              NULL};

/* Every vrrp_instance keyword of the reference (§2.4). */
static const char *const vrrp_instance_ref[] = {"state",
                                                "interface",
                                                "virtual_router_id",
                                                "priority",
                                                "advert_int",
                                                "version",
                                                "native_ipv6",
                                                "vrf",
                                                "virtual_ipaddress",
                                                "virtual_ipaddress_excluded",
                                                "no_virtual_ipaddress",
                                                "promote_secondaries",
                                                "virtual_routes",
                                                "virtual_rules",
                                                "nopreempt",
                                                "preempt",
                                                "preempt_delay",
                                                "accept",
                                                "no_accept",
                                                "strict_mode",
                                                "skip_check_adv_addr",
                                                "down_timer_adverts",
                                                "lower_prio_no_advert",
                                                "higher_prio_send_advert",
                                                "owner_ignore_adverts",
                                                "timer_expired_backup",
                                                "thread_timer_expired",
                                                "unicast_src_ip",
                                                "unicast_peer",
                                                "unicast_ttl",
                                                "unicast_fault_no_peer",
                                                "check_unicast_src",
                                                "old_unicast_checksum",
                                                "mcast_src_ip",
                                                "mcast_dst_ip",
                                                "track_src_ip",
                                                "v3_checksum_as_v2",
                                                "kernel_rx_buf_size",
                                                "use_vmac",
                                                "use_vmac_addr",
                                                "vmac_xmit_base",
                                                "use_ipvlan",
                                                "track_interface",
                                                "track_script",
                                                "track_file",
                                                "track_process",
                                                "track_bfd",
                                                "dont_track_primary",
                                                "linkbeat_use_polling",
                                                "garp_master_delay",
                                                "garp_master_repeat",
                                                "garp_master_refresh",
                                                "garp_master_refresh_repeat",
                                                "garp_lower_prio_delay",
                                                "garp_lower_prio_repeat",
                                                "garp_extra_if",
                                                "vmac_garp_intvl",
                                                "notify_master",
                                                "notify_backup",
                                                "notify_fault",
                                                "notify_stop",
                                                "notify_deleted",
                                                "notify",
                                                "notify_master_rx_lower_pri",
                                                "notify_priority_changes",
                                                "smtp_alert",
                                                "authentication",
                                                "auth_hmac",
                                                "debug",
                                                "lvs_sync_daemon_interface",
                                                NULL};

static const char *const root_ref[] = {"global_defs",
                                       "linkbeat_interfaces",
                                       "interface_up_down_delays",
                                       "track_group",
                                       "static_ipaddress",
                                       "static_routes",
                                       "static_rules",
                                       "track_file",
                                       "vrrp_track_file",
                                       "vrrp_track_process",
                                       "bfd_instance",
                                       "vrrp_script",
                                       "vrrp_sync_group",
                                       "garp_group",
                                       "vrrp_instance",
                                       "virtual_server_group",
                                       "virtual_server",
                                       "SSL",
                                       "net_namespace",
                                       "net_namespace_ipvs",
                                       "namespace_with_ipsets",
                                       "use_pid_dir",
                                       "instance",
                                       "child_wait_time",
                                       "linkbeat_use_polling",
                                       NULL};

static const struct conf_kw *table_find(const struct conf_block *b, const char *name)
{
	for (const struct conf_kw *k = b->kws; k && k->name; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

static void check_table(const struct conf_block *b, const char *const *names)
{
	for (const char *const *n = names; *n; n++) {
		t_checks++;
		if (!table_find(b, *n)) {
			t_failures++;
			fprintf(stderr, "%s: keyword '%s' missing\n", b->name, *n);
		}
	}
	/* No keyword twice in one table. */
	for (const struct conf_kw *k = b->kws; k->name; k++)
		for (const struct conf_kw *j = b->kws; j != k; j++)
			if (strcmp(j->name, k->name) == 0) {
				t_failures++;
				fprintf(stderr, "%s: keyword '%s' twice\n", b->name, k->name);
			}
}

static void test_tables(void)
{
	const struct conf_kw *k;

	check_table(&global_defs_block, global_defs_ref);
	check_table(&vrrp_instance_block, vrrp_instance_ref);
	check_table(&ka_root_block, root_ref);
	k = table_find(&global_defs_block, "lvs_id");
	CHECK(k && (k->flags & CONF_KW_DEPRECATED) && (k->flags & CONF_KW_IGNORED));
	k = table_find(&vrrp_instance_block, "notify_master");
	CHECK(k && (k->flags & CONF_KW_SCRIPT));
	k = table_find(&global_defs_block, "startup_script");
	CHECK(k && (k->flags & CONF_KW_SCRIPT));
}

/* A configuration using most keywords parses cleanly. */
static void test_full_instance(void)
{
	struct conf_tree *t = parse(
	    "global_defs {\n"
	    " router_id r1\n notification_email {\n  a@b.c d@e.f\n }\n"
	    " notification_email_from k@b.c\n smtp_server 127.0.0.1 25\n"
	    " smtp_connect_timeout 30\n vrrp_garp_interval 0.001\n vrrp_gna_interval 0.000001\n"
	    " vrrp_garp_extra_if all 100\n vrrp_mcast_group4 224.0.0.18\n"
	    " vrrp_mcast_group6 ff02::12\n umask IRGRP|IWOTH\n vrrp_priority -5\n"
	    " vrrp_rt_priority 50\n lvs_sync_daemon lo VI_1 id 5 port 8848\n"
	    " lvs_timeouts tcp 900 udp 300\n state_dump_file /tmp/x.data\n json_version 2\n"
	    " vrrp_strict\n script_user root\n enable_script_security\n"
	    "}\n"
	    "vrrp_script chk {\n script \"/bin/true arg\"\n interval 0.5\n timeout 2\n"
	    " weight -10 reverse\n rise 2\n fall 3\n user root root\n init_fail\n}\n"
	    "track_file tf {\n file /tmp/tf\n weight 5 reverse\n init_file 0 overwrite\n}\n"
	    "vrrp_track_process tp {\n process haproxy -f x\n param_match partial\n"
	    " weight 10\n quorum 1\n quorum_max 2\n delay 0.5\n full_command\n}\n"
	    "bfd_instance b1 {\n neighbor_ip 10.0.0.9\n source_ip 10.0.0.1\n min_rx 3.312\n"
	    " multiplier 5\n passive\n ttl 255\n weight -20\n vrrp\n}\n"
	    "garp_group {\n garp_interval 0.01\n interfaces {\n  lo\n }\n}\n"
	    "linkbeat_interfaces {\n lo MII\n}\n"
	    "interface_up_down_delays {\n lo 1.5 2\n}\n"
	    "track_group TG {\n group {\n  VI_1\n }\n}\n"
	    "static_ipaddress {\n 10.9.9.9/24 dev lo scope link track_group TG\n}\n"
	    "static_routes {\n 10.8.0.0/16 via 10.9.9.1 dev lo track_group TG\n}\n"
	    "static_rules {\n from 10.3.0.0/16 table 5 priority 5 iif lo track_group TG\n}\n"
	    "vrrp_sync_group G {\n group {\n  VI_1\n  VI_2\n }\n notify_master /bin/true\n"
	    " notify \"/bin/echo x\" root\n smtp_alert\n sync_group_tracking_weight\n"
	    " track_script {\n  chk weight 5\n }\n}\n"
	    "vrrp_instance VI_1 {\n state BACKUP\n interface lo\n virtual_router_id 50\n"
	    " priority 200\n advert_int 0.5\n version 3\n nopreempt\n preempt_delay 4.12\n"
	    " accept\n strict_mode off\n skip_check_adv_addr on\n down_timer_adverts 4\n"
	    " lower_prio_no_advert\n higher_prio_send_advert true\n garp_master_delay 10\n"
	    " garp_master_repeat 1\n garp_master_refresh 60\n garp_master_refresh_repeat 2\n"
	    " garp_lower_prio_delay 10\n garp_lower_prio_repeat 1\n garp_extra_if all 100\n"
	    " use_vmac vrrp250 02:00:5e:00:01:fa\n vmac_xmit_base\n dont_track_primary\n"
	    " track_interface {\n  lo weight -20 reverse\n }\n"
	    " track_script {\n  chk\n }\n track_file {\n  tf weight 3 noreverse\n }\n"
	    " track_process {\n  tp\n }\n track_bfd {\n  b1 weight 7\n }\n"
	    " mcast_src_ip 10.0.0.1\n track_src_ip\n notify_master \"/bin/echo m\"\n"
	    " notify_backup /bin/true\n notify_fault /bin/true\n notify_stop /bin/true\n"
	    " notify_deleted\n notify /bin/true\n notify_priority_changes\n smtp_alert yes\n"
	    " auth_hmac {\n  key 1 ascii:0123456789abcdef0123456789abcdef\n  active_key 1\n"
	    "  anti_replay time\n  time_window 2\n  mode permissive\n }\n"
	    " virtual_ipaddress {\n  192.168.200.17/24 dev lo label lo:1\n"
	    "  192.168.200.18/24 brd + dev lo scope global no_track\n }\n"
	    " virtual_ipaddress_excluded {\n  2001:db8::5/64 dev lo preferred_lft forever\n }\n"
	    "}\n"
	    "vrrp_instance VI_2 {\n interface lo\n virtual_router_id 51\n"
	    " unicast_src_ip 10.0.0.1\n unicast_peer {\n  10.0.0.2 min_ttl 1 max_ttl 5\n"
	    "  10.0.0.3\n }\n unicast_ttl 10\n check_unicast_src\n old_unicast_checksum never\n"
	    " use_ipvlan ipv1 10.0.0.8/24 bridge\n"
	    " authentication {\n  auth_type PASS\n  auth_pass secret\n }\n"
	    " virtual_ipaddress {\n  10.5.5.5\n }\n}\n"
	    "net_namespace ns1\nuse_pid_dir\ninstance one\nchild_wait_time 10\n");

	CHECK_INT(count(CONF_SEV_ERROR), 0);
	CHECK_INT(count(CONF_SEV_WARN), 0);
	if (ndiag)
		dump_diags("full");
	conf_tree_free(t);
}

int main(void)
{
	test_tables();
	test_seeds();
	test_bad_address();
	test_ranges();
	test_deprecated();
	test_unknown_keyword();
	test_missing_vrid();
	test_auth_comment();
	test_interfaces();
	test_routes_rules();
	test_cross_checks();
	test_tracking_lines();
	test_full_instance();
	return check_report("test_kw_vrrp");
}
