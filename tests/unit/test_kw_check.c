/* The checker/LVS keyword tables (src/check/keywords*.c): seed configs
 * parse cleanly, deprecated forms warn once at the right place, and bad
 * values give exactly one error. */
#include <stdarg.h>

#include "check.h"
#include "check/check_keywords.h"
#include "conf/conf.h"

/* A root with only the LVS side, so the test does not depend on kw_root.c. */
static const struct conf_kw test_root_kws[] = {
    {.name = "virtual_server",
     .min_args = 1,
     .max_args = -1,
     .check = virtual_server_args_check,
     .block = &virtual_server_block},
    {.name = "virtual_server_group",
     .min_args = 1,
     .max_args = 1,
     .block = &virtual_server_group_block},
    {.name = "SSL", .min_args = 0, .max_args = 0, .block = &ssl_block},
    {.name = NULL},
};

static const struct conf_block test_root = {.name = "root", .kws = test_root_kws};

/* ---- captured diagnostics ---------------------------------------------------- */

#define MAX_DIAG 64

struct diag {
	enum conf_sev sev;
	char file[128];
	int line;
	char msg[512];
};

static struct diag diags[MAX_DIAG];
static int ndiag;

static void capture(void *arg, enum conf_sev sev, enum conf_class cls, const char *file, int line,
                    const char *msg)
{
	(void)arg;
	(void)cls;
	if (ndiag >= MAX_DIAG)
		return;
	diags[ndiag].sev = sev;
	snprintf(diags[ndiag].file, sizeof(diags[ndiag].file), "%s", file ? file : "");
	diags[ndiag].line = line;
	snprintf(diags[ndiag].msg, sizeof(diags[ndiag].msg), "%s", msg);
	ndiag++;
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

static bool has_msg(enum conf_sev sev, int line, const char *needle)
{
	for (int i = 0; i < ndiag; i++)
		if (diags[i].sev == sev && (line < 0 || diags[i].line == line) &&
		    strstr(diags[i].msg, needle))
			return true;
	return false;
}

static void dump_diags(const char *what)
{
	for (int i = 0; i < ndiag; i++)
		fprintf(stderr, "  [%s] %s %s:%d %s\n", what,
		        diags[i].sev == CONF_SEV_WARN ? "warn" : "error", diags[i].file,
		        diags[i].line, diags[i].msg);
}

static struct conf_tree *parse_named(const char *name, const char *text)
{
	struct conf_opts opts = {.report = capture, .config_id = "test"};

	ndiag = 0;
	return conf_parse_mem(name, text, strlen(text), &test_root, &opts);
}

static struct conf_tree *parse(const char *text)
{
	return parse_named("t.conf", text);
}

/* Parse text; expect the given numbers of errors and warnings. */
#define EXPECT(text, nerr, nwarn)                                                                  \
	do {                                                                                       \
		struct conf_tree *_t = parse(text);                                                \
		CHECK(_t != NULL);                                                                 \
		CHECK_INT(count(CONF_SEV_ERROR), nerr);                                            \
		CHECK_INT(count(CONF_SEV_WARN), nwarn);                                            \
		if (count(CONF_SEV_ERROR) != (nerr) || count(CONF_SEV_WARN) != (nwarn))            \
			dump_diags(#text);                                                         \
		conf_tree_free(_t);                                                                \
	} while (0)

/* A virtual server around some real_server body lines. */
#define VS_HEAD "virtual_server 10.0.0.1 80 {\n lvs_sched rr\n lvs_method NAT\n protocol TCP\n"
#define RS(body) VS_HEAD " real_server 10.0.0.4 80 {\n" body "\n }\n}\n"
#define CHECKER(name, body) RS("  " name " {\n" body "\n  }")

/* ---- seed files ---------------------------------------------------------------- */

/* The file's text with every line before the first virtual_server blanked,
 * so line numbers stay those of the file. */
static char *load_lvs_part(const char *base)
{
	char path[512], *buf, *p;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s/conf/seed-configs/%s", test_data_dir(), base);
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	fclose(f);
	for (p = buf; *p && strncmp(p, "virtual_server", 14) != 0;) {
		char *nl = strchr(p, '\n');

		if (!nl)
			break;
		memset(p, ' ', (size_t)(nl - p));
		p = nl + 1;
	}
	return buf;
}

static void test_seed_clean(const char *base, unsigned nvs)
{
	char *text = load_lvs_part(base);
	struct conf_tree *t;

	CHECK(text != NULL);
	if (!text)
		return;
	t = parse_named(base, text);
	CHECK(t != NULL);
	CHECK_INT(count(CONF_SEV_ERROR), 0);
	CHECK_INT(count(CONF_SEV_WARN), 0);
	if (ndiag)
		dump_diags(base);
	if (t)
		CHECK_INT(conf_count(&t->root, "virtual_server"), nvs);
	conf_tree_free(t);
	free(text);
}

static void test_seed_ssl(void)
{
	char *text = load_lvs_part("seed001-ssl-vs.conf");
	struct conf_tree *t;
	conf_node *vs, *rs, *chk;

	CHECK(text != NULL);
	if (!text)
		return;
	t = parse_named("seed001-ssl-vs.conf", text);
	CHECK_INT(count(CONF_SEV_ERROR), 0);
	vs = t ? conf_first(&t->root, "virtual_server") : NULL;
	rs = vs ? conf_first(vs, "real_server") : NULL;
	chk = rs ? conf_first(rs, "SSL_GET") : NULL;
	CHECK(chk != NULL);
	if (chk) {
		CHECK(chk->is_block);
		CHECK_INT(conf_count(chk, "url"), 2);
		CHECK_STR(conf_arg(conf_first(chk, "retry"), 1), "3");
	}
	conf_tree_free(t);
	free(text);
}

static void test_seed002(void)
{
	const char *name = "seed002-dr-lb01.conf";
	char *text = load_lvs_part(name);
	struct conf_tree *t;
	conf_node *vs, *rs, *chk;

	CHECK(text != NULL);
	if (!text)
		return;
	t = parse_named(name, text);
	CHECK_INT(count(CONF_SEV_ERROR), 0);
	CHECK_INT(count(CONF_SEV_WARN), 4);
	/* nat_mask, persistence_timeout 0, and nb_get_retry twice. */
	CHECK(has_msg(CONF_SEV_WARN, 20, "nat_mask"));
	CHECK(has_msg(CONF_SEV_WARN, 20, "deprecated and ignored"));
	CHECK(has_msg(CONF_SEV_WARN, 21, "persistence_timeout 0"));
	CHECK(has_msg(CONF_SEV_WARN, 21, "deprecated"));
	CHECK(has_msg(CONF_SEV_WARN, 31, "nb_get_retry"));
	CHECK(has_msg(CONF_SEV_WARN, 31, "'retry'"));
	CHECK(has_msg(CONF_SEV_WARN, 43, "nb_get_retry"));
	for (int i = 0; i < ndiag; i++)
		CHECK_STR(diags[i].file, name);
	if (ndiag != 4)
		dump_diags(name);
	vs = t ? conf_first(&t->root, "virtual_server") : NULL;
	CHECK(vs != NULL);
	if (vs) {
		CHECK_INT(conf_count(vs, "real_server"), 2);
		CHECK(conf_first(vs, "nat_mask") == NULL); /* ignored: not in the tree */
		CHECK_STR(conf_arg(conf_first(vs, "persistence_timeout"), 1), "0");
		CHECK_STR(conf_arg(conf_first(vs, "lb_kind"), 1), "DR");
		rs = conf_first(vs, "real_server");
		chk = rs ? conf_first(rs, "HTTP_GET") : NULL;
		CHECK(chk != NULL);
		CHECK_STR(conf_arg(conf_first(chk, "nb_get_retry"), 1), "3");
		CHECK_STR(conf_arg(conf_first(conf_first(chk, "url"), "status_code"), 1), "200");
	}
	conf_tree_free(t);
	free(text);
}

/* ---- virtual_server ------------------------------------------------------------ */

static void test_vs_args(void)
{
	struct conf_tree *t;

	EXPECT("virtual_server 10.0.0.1 80 {\n sorry_server 10.0.0.9 80\n}\n", 0, 0);
	EXPECT("virtual_server 10.0.0.1 {\n persistence_timeout\n sorry_server 10.0.0.9\n}\n", 0,
	       0);
	EXPECT("virtual_server 2001:db8::1 443 {\n sorry_server 2001:db8::9 443\n}\n", 0, 0);
	EXPECT("virtual_server fwmark 1 {\n sorry_server 10.0.0.9\n}\n", 0, 0);
	EXPECT("virtual_server group G {\n sorry_server 10.0.0.9 80\n}\n", 0, 0);
	EXPECT("virtual_server fwmark x {\n sorry_server 10.0.0.9\n}\n", 1, 0);
	EXPECT("virtual_server fwmark 4294967296 {\n sorry_server 10.0.0.9\n}\n", 1, 0);
	EXPECT("virtual_server fwmark {\n}\n", 1, 0);
	EXPECT("virtual_server group {\n}\n", 1, 0);
	EXPECT("virtual_server 10.0.0.1 http {\n sorry_server 10.0.0.9\n}\n", 1, 0);
	EXPECT("virtual_server 10.0.0.1 65536 {\n sorry_server 10.0.0.9\n}\n", 1, 0);

	/* A bad address: one error naming it, the block goes quietly. */
	t = parse("virtual_server 10.0.0.x 80 {\n lb_algo rr\n real_server 10.0.0.4 80 {\n"
	          "  TCP_CHECK {\n  }\n }\n}\nvirtual_server 10.0.0.2 80 {\n"
	          " real_server 10.0.0.4 80 {\n }\n}\n");
	CHECK_INT(count(CONF_SEV_ERROR), 1);
	CHECK_INT(count(CONF_SEV_WARN), 0);
	CHECK(first(CONF_SEV_ERROR) && strstr(first(CONF_SEV_ERROR)->msg, "10.0.0.x"));
	CHECK(first(CONF_SEV_ERROR) && first(CONF_SEV_ERROR)->line == 1);
	CHECK(t && conf_count(&t->root, "virtual_server") == 1);
	conf_tree_free(t);

	/* No real_server and no sorry_server: a warning at the block line. */
	t = parse("\nvirtual_server 10.0.0.1 80 {\n lb_algo rr\n}\n");
	CHECK_INT(count(CONF_SEV_ERROR), 0);
	CHECK_INT(count(CONF_SEV_WARN), 1);
	CHECK(has_msg(CONF_SEV_WARN, 2, "no real_server"));
	conf_tree_free(t);
}

static void test_vs_keywords(void)
{
	struct conf_tree *t;

	/* lb_algo / lvs_sched: the scheduler list, case as the kernel has it. */
	t = parse(VS_HEAD " lb_algo foo\n real_server 10.0.0.4 80 {\n }\n}\n");
	CHECK_INT(count(CONF_SEV_ERROR), 1);
	CHECK(has_msg(CONF_SEV_ERROR, 5, "'foo'"));
	CHECK(has_msg(CONF_SEV_ERROR, 5, "rr|wrr|lc|wlc|lblc|sh|mh|dh|fo|ovf|lblcr|sed|nq|twos"));
	conf_tree_free(t);
	EXPECT(RS(""), 0, 0);
	EXPECT(VS_HEAD " lvs_sched RR\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);
	EXPECT(VS_HEAD " lb_algo twos\n real_server 10.0.0.4 80 {\n }\n}\n", 0, 0);

	/* Forwarding methods. */
	EXPECT(VS_HEAD " lb_kind DR\n real_server 10.0.0.4 80 {\n }\n}\n", 0, 0);
	EXPECT(VS_HEAD " lvs_method TUN\n real_server 10.0.0.4 80 {\n }\n}\n", 0, 0);
	EXPECT(VS_HEAD " lvs_method TUN type ipip\n real_server 10.0.0.4 80 {\n }\n}\n", 0, 0);
	EXPECT(VS_HEAD
	       " lvs_method TUN type gue port 6080 csum\n real_server 10.0.0.4 80 {\n }\n}\n",
	       0, 0);
	EXPECT(VS_HEAD " lvs_method TUN type gre nocsum\n real_server 10.0.0.4 80 {\n }\n}\n", 0,
	       0);
	EXPECT(VS_HEAD " lvs_method TUN type gue\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);
	EXPECT(VS_HEAD " lvs_method TUN type gue port 0\n real_server 10.0.0.4 80 {\n }\n}\n", 1,
	       0);
	EXPECT(VS_HEAD " lvs_method TUN type gre port 9\n real_server 10.0.0.4 80 {\n }\n}\n", 1,
	       0);
	EXPECT(VS_HEAD " lvs_method TUN remcsum\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);
	EXPECT(VS_HEAD " lvs_method TUN type gre remcsum\n real_server 10.0.0.4 80 {\n }\n}\n", 1,
	       0);
	EXPECT(VS_HEAD " lvs_method TUN type vxlan\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);
	EXPECT(VS_HEAD " lvs_method nat\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);
	EXPECT(VS_HEAD " lvs_method TUN csum extra\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);

	/* persistence_timeout: bare, in range, 0 deprecated, too big. */
	EXPECT(VS_HEAD " persistence_timeout\n real_server 10.0.0.4 80 {\n }\n}\n", 0, 0);
	EXPECT(VS_HEAD " persistence_timeout 2678400\n real_server 10.0.0.4 80 {\n }\n}\n", 0, 0);
	EXPECT(VS_HEAD " persistence_timeout 2678401\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);
	EXPECT(VS_HEAD " persistence_timeout abc\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);
	t = parse(VS_HEAD " persistence_timeout 0\n real_server 10.0.0.4 80 {\n }\n}\n");
	CHECK_INT(count(CONF_SEV_ERROR), 0);
	CHECK_INT(count(CONF_SEV_WARN), 1);
	CHECK(first(CONF_SEV_WARN) && first(CONF_SEV_WARN)->line == 5 &&
	      strcmp(first(CONF_SEV_WARN)->file, "t.conf") == 0);
	conf_tree_free(t);

	/* nat_mask: deprecated and ignored, one warning. */
	t = parse(VS_HEAD " nat_mask 255.255.255.0\n real_server 10.0.0.4 80 {\n }\n}\n");
	CHECK_INT(count(CONF_SEV_ERROR), 0);
	CHECK_INT(count(CONF_SEV_WARN), 1);
	CHECK(has_msg(CONF_SEV_WARN, 5, "nat_mask"));
	conf_tree_free(t);

	EXPECT(VS_HEAD
	       " persistence_granularity 255.255.255.0\n real_server 10.0.0.4 80 {\n }\n}\n",
	       0, 0);
	EXPECT(VS_HEAD " persistence_granularity 24\n real_server 10.0.0.4 80 {\n }\n}\n", 0, 0);
	EXPECT(VS_HEAD " persistence_granularity 129\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);
	EXPECT(VS_HEAD " persistence_granularity 255.255.x.0\n real_server 10.0.0.4 80 {\n }\n}\n",
	       1, 0);
	EXPECT(VS_HEAD " protocol sctp\n real_server 10.0.0.4 80 {\n }\n}\n", 0, 0);
	EXPECT(VS_HEAD " protocol ICMP\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);
	EXPECT(VS_HEAD " ip_family inet7\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);
	EXPECT(VS_HEAD " quorum 0\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);
	EXPECT(VS_HEAD " hysteresis -1\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);
	EXPECT(VS_HEAD " delay_loop 0\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);
	EXPECT(VS_HEAD " delay_loop 0.5\n real_server 10.0.0.4 80 {\n }\n}\n", 0, 0);
	EXPECT(VS_HEAD " weight 0\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);
	EXPECT(VS_HEAD " retry 0\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);
	EXPECT(VS_HEAD " connect_timeout 0\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);
	EXPECT(VS_HEAD " sorry_server 10.0.0.x 80\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);
	EXPECT(VS_HEAD " hashed 1\n real_server 10.0.0.4 80 {\n }\n}\n", 1, 0);
}

static void test_rs(void)
{
	struct conf_tree *t;

	/* A bad real_server address: one error naming it, its block goes. */
	t = parse(VS_HEAD " real_server 10.0.0.300 80 {\n  weight 1\n  HTTP_GET {\n   url {\n"
	                  "    path /\n   }\n  }\n }\n real_server 10.0.0.5 80 {\n }\n}\n");
	CHECK_INT(count(CONF_SEV_ERROR), 1);
	CHECK_INT(count(CONF_SEV_WARN), 0);
	CHECK(has_msg(CONF_SEV_ERROR, 5, "10.0.0.300"));
	if (t) {
		conf_node *vs = conf_first(&t->root, "virtual_server");

		CHECK_INT(conf_count(vs, "real_server"), 1);
	}
	conf_tree_free(t);

	/* (the virtual server is then left without real servers: a warning) */
	EXPECT(VS_HEAD " real_server 10.0.0.4 99999 {\n }\n}\n", 1, 1);
	EXPECT(RS("  weight 0"), 0, 0);
	EXPECT(RS("  weight 2147483647"), 0, 0);
	EXPECT(RS("  weight 2147483648"), 1, 0);
	EXPECT(RS("  weight -1"), 1, 0);
	EXPECT(RS("  uthreshold 4294967295\n  lthreshold 0"), 0, 0);
	EXPECT(RS("  uthreshold 4294967296"), 1, 0);
	EXPECT(RS("  lvs_method TUN type gue port 80"), 0, 0);
	EXPECT(RS("  notify_up /bin/true up\n  notify_down \"/bin/echo down\" root"), 0, 0);
	EXPECT(RS("  notify_up"), 1, 0);
	EXPECT(RS("  inhibit_on_failure\n  alpha no\n  smtp_alert yes"), 0, 0);
	EXPECT(RS("  alpha maybe"), 1, 0);
	EXPECT(RS("  bogus 1"), 1, 0);

	/* No port under a virtual server with one: accepted, with a note. */
	t = parse(VS_HEAD " real_server 10.0.0.4 {\n }\n}\n");
	CHECK_INT(count(CONF_SEV_ERROR), 0);
	CHECK_INT(count(CONF_SEV_WARN), 1);
	CHECK(has_msg(CONF_SEV_WARN, 5, "no port"));
	conf_tree_free(t);
	EXPECT("virtual_server fwmark 3 {\n real_server 10.0.0.4 {\n }\n}\n", 0, 0);
}

/* ---- checkers -------------------------------------------------------------------- */

static void test_http(void)
{
	struct conf_tree *t;

	EXPECT(CHECKER("HTTP_GET", "url {\n path /\n digest 0123456789abcdef0123456789ABCDEF\n}"),
	       0, 0);
	/* digest: exactly 32 hex digits. */
	t = parse(
	    CHECKER("HTTP_GET", "url {\n path /\n digest 0123456789abcdef0123456789abcde\n}"));
	CHECK_INT(count(CONF_SEV_ERROR), 1);
	CHECK(has_msg(CONF_SEV_ERROR, 9, "31"));
	conf_tree_free(t);
	EXPECT(CHECKER("HTTP_GET", "url {\n path /\n digest 0123456789abcdef0123456789abcdef0\n}"),
	       1, 0);
	EXPECT(CHECKER("HTTP_GET", "url {\n path /\n digest 0123456789abcdef0123456789abcdeg\n}"),
	       1, 0);

	/* status_code: codes and ranges within 100..599. */
	EXPECT(CHECKER("HTTP_GET", "url {\n path /\n status_code 200 300-399 100-599 503\n}"), 0,
	       0);
	t = parse(CHECKER("HTTP_GET", "url {\n path /\n status_code 200 700\n}"));
	CHECK_INT(count(CONF_SEV_ERROR), 1);
	CHECK(has_msg(CONF_SEV_ERROR, 9, "'700'"));
	conf_tree_free(t);
	EXPECT(CHECKER("HTTP_GET", "url {\n path /\n status_code 99\n}"), 1, 0);
	EXPECT(CHECKER("HTTP_GET", "url {\n path /\n status_code 400-300\n}"), 1, 0);
	EXPECT(CHECKER("HTTP_GET", "url {\n path /\n status_code abc\n}"), 1, 0);
	EXPECT(CHECKER("HTTP_GET", "url {\n path /\n status_code 200-\n}"), 1, 0);

	/* No url at all: an error at the checker's line. */
	t = parse(CHECKER("HTTP_GET", "connect_timeout 3"));
	CHECK_INT(count(CONF_SEV_ERROR), 1);
	CHECK(has_msg(CONF_SEV_ERROR, 6, "HTTP_GET has no url"));
	conf_tree_free(t);
	t = parse(CHECKER("SSL_GET", "connect_timeout 3"));
	CHECK(has_msg(CONF_SEV_ERROR, 6, "SSL_GET has no url"));
	conf_tree_free(t);
	EXPECT(CHECKER("HTTP_GET", "url {\n digest 0123456789abcdef0123456789abcdef\n}"), 1, 0);

	EXPECT(CHECKER("HTTP_GET", "url {\n path /\n}\nhttp_protocol 1.0c\nfast_recovery\n"
	                           "virtualhost a.example"),
	       0, 0);
	EXPECT(CHECKER("HTTP_GET", "url {\n path /\n}\nhttp_protocol 2.0"), 1, 0);
	EXPECT(CHECKER("SSL_GET", "url {\n path /\n tls_compliant\n}\nenable_sni\n"
	                          "sni_name x.example\ntls_compliant yes"),
	       0, 0);
	EXPECT(CHECKER("HTTP_GET", "url {\n path /\n regex \"^ok\"\n regex_no_match\n"
	                           " regex_options caseless dotall\n regex_min_offset 0\n"
	                           " regex_max_offset 100\n regex_stack 10000 20000\n}"),
	       0, 0);
	EXPECT(CHECKER("HTTP_GET", "url {\n path /\n regex_options sideways\n}"), 1, 0);
	EXPECT(CHECKER("HTTP_GET", "url {\n path /\n regex_stack 200 100\n}"), 1, 0);

	t = parse(CHECKER("HTTP_GET", "url {\n path /\n}\nnb_get_retry 3"));
	CHECK_INT(count(CONF_SEV_ERROR), 0);
	CHECK_INT(count(CONF_SEV_WARN), 1);
	CHECK(has_msg(CONF_SEV_WARN, 10, "'retry'"));
	conf_tree_free(t);

	/* '{' on the line after the checker keyword. */
	EXPECT(RS("  SSL_GET\n  {\n   url {\n    path /\n   }\n  }"), 0, 0);
}

static void test_common(void)
{
	EXPECT(CHECKER("TCP_CHECK", "connect_ip 10.0.0.4\nconnect_port 81\nbindto 10.0.0.100\n"
	                            "bind_port 5000\nbind_if eth0\nconnect_timeout 2.5\nfwmark 5\n"
	                            "retry 0\ndelay_before_retry 1\nwarmup 0\ndelay_loop 5\nalpha\n"
	                            "log_all_failures yes"),
	       0, 0);
	EXPECT(CHECKER("TCP_CHECK", "connect_port 70000"), 1, 0);
	EXPECT(CHECKER("TCP_CHECK", "bind_port 0"), 1, 0);
	EXPECT(CHECKER("TCP_CHECK", "connect_ip 1.2.3"), 1, 0);
	EXPECT(CHECKER("TCP_CHECK", "fwmark -1"), 1, 0);
	EXPECT(CHECKER("TCP_CHECK", "log_all_failures maybe"), 1, 0);
	EXPECT(CHECKER("TCP_CHECK", "bind_if averyveryverylongname"), 1, 0);
	EXPECT(CHECKER("TCP_CHECK", "connect_timeout 0"), 1, 0);
	EXPECT(CHECKER("TCP_CHECK", "connect_ip 2001:db8::1\nbindto 10.0.0.1"), 1, 0);
	EXPECT(CHECKER("TCP_CHECK", "bindto fe80::1"), 1, 0);
	EXPECT(CHECKER("TCP_CHECK", "bindto fe80::1\nbind_if eth0"), 0, 0);
	EXPECT(CHECKER("PING_CHECK", "retry 2\nconnect_ip 10.0.0.4"), 0, 0);

	/* MISC_CHECK: behaviour keywords only, misc_path required. */
	EXPECT(CHECKER("MISC_CHECK", "misc_path \"/bin/true arg\"\nmisc_timeout 5\nmisc_dynamic\n"
	                             "user nobody nogroup\nretry 0\nwarmup 1\nalpha\n"
	                             "log_all_failures"),
	       0, 0);
	EXPECT(CHECKER("MISC_CHECK", "misc_path /bin/true\nconnect_timeout 3"), 1, 0);
	EXPECT(CHECKER("MISC_CHECK", "misc_path /bin/true\nmisc_timeout 4295"), 1, 0);
	{
		struct conf_tree *t = parse(CHECKER("MISC_CHECK", "retry 1"));

		CHECK_INT(count(CONF_SEV_ERROR), 1);
		CHECK(has_msg(CONF_SEV_ERROR, 6, "misc_path"));
		conf_tree_free(t);
	}

	/* FILE_CHECK and BFD_CHECK: none of the common keywords. */
	EXPECT(CHECKER("FILE_CHECK", "track_file tf\nweight -2147483647 reverse"), 0, 0);
	EXPECT(CHECKER("FILE_CHECK", "track_file tf\nweight 10 sideways"), 1, 0);
	EXPECT(CHECKER("FILE_CHECK", "track_file tf\nretry 3"), 1, 0);
	EXPECT(CHECKER("FILE_CHECK", "weight 3"), 1, 0);
	EXPECT(CHECKER("BFD_CHECK", "name b1\nalpha"), 0, 0);
	EXPECT(CHECKER("BFD_CHECK", "name b1\nretry 1"), 1, 0);
	EXPECT(CHECKER("BFD_CHECK", "alpha"), 1, 0);

	/* SMTP_CHECK with host blocks. */
	EXPECT(CHECKER("SMTP_CHECK", "helo_name mx.example\nconnect_timeout 3\nhost {\n"
	                             " connect_ip 10.0.0.4\n connect_port 25\n retry 2\n}\nhost {\n"
	                             " connect_ip 10.0.0.5\n}"),
	       0, 0);
	EXPECT(CHECKER("SMTP_CHECK", "host {\n helo_name x\n}"), 1, 0);
	EXPECT(CHECKER("SMTP_CHECK", "helo_name"), 1, 0);

	/* DNS_CHECK */
	EXPECT(CHECKER("DNS_CHECK", "type aaaa\nname example.com"), 0, 0);
	EXPECT(CHECKER("DNS_CHECK", "type SOA\nname ."), 0, 0);
	EXPECT(CHECKER("DNS_CHECK", "type PTR"), 1, 0);
	EXPECT(CHECKER("DNS_CHECK", "name a..b"), 1, 0);

	/* UDP_CHECK */
	EXPECT(CHECKER("UDP_CHECK", "payload Ab12f 3 456 546443123\nrequire_reply 00XX22 x\n"
	                            "min_reply_length 2\nmax_reply_length 100"),
	       0, 0);
	EXPECT(CHECKER("UDP_CHECK", "require_reply"), 0, 0);
	EXPECT(CHECKER("UDP_CHECK", "payload 0g"), 1, 0);
	EXPECT(CHECKER("UDP_CHECK", "payload 00XX"), 1, 0);
	EXPECT(CHECKER("UDP_CHECK", "require_reply 00XYZ"), 1, 0);
	EXPECT(CHECKER("UDP_CHECK", "min_reply_length 70000"), 1, 0);
}

/* ---- virtual_server_group and SSL --------------------------------------------------- */

static void test_vsg(void)
{
	struct conf_tree *t;

	t = parse("virtual_server_group G {\n 10.0.0.1-5 80\n 10.0.0.1-10.0.0.7 81\n"
	          " 10.1.0.0/30 80\n 10.2.0.1 80\n 10.2.0.2\n ae00::2-9 80\n fwmark 7 inet\n"
	          " fwmark 8 inet6\n}\n");
	CHECK_INT(count(CONF_SEV_ERROR), 0);
	CHECK_INT(count(CONF_SEV_WARN), 0);
	if (t) {
		conf_node *g = conf_first(&t->root, "virtual_server_group");

		CHECK(g != NULL);
		CHECK_INT(conf_count(g, "fwmark"), 2);
		CHECK_INT(conf_count(g, "10.0.0.1-5"), 1);
	}
	conf_tree_free(t);

	/* Each bad line: one error naming it; the good line stays. */
	static const struct {
		const char *line, *needle;
	} bad[] = {
	    {"10.0.0.x 80", "10.0.0.x"},
	    {"10.0.0.9 99999", "99999"},
	    {"fwmark x", "'x'"},
	    {"fwmark 3 foo", "foo"},
	    {"10.0.0.5-4 80", "10.0.0.5-4"},
	    {"10.0.0.5-5 80", "10.0.0.5-5"},
	    {"10.0.0.0/33 80", "10.0.0.0/33"},
	    {"fwmark", "fwmark"},
	    {"ae00::9-2 80", "ae00::9-2"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];

		snprintf(text, sizeof(text), "virtual_server_group G {\n 10.0.0.1 80\n %s\n}\n",
		         bad[i].line);
		t = parse(text);
		CHECK_INT(count(CONF_SEV_ERROR), 1);
		CHECK(has_msg(CONF_SEV_ERROR, 3, bad[i].needle));
		if (count(CONF_SEV_ERROR) != 1 || !has_msg(CONF_SEV_ERROR, 3, bad[i].needle))
			dump_diags(bad[i].line);
		CHECK(t &&
		      conf_count(conf_first(&t->root, "virtual_server_group"), "10.0.0.1") == 1);
		conf_tree_free(t);
	}

	/* Empty group; both families and a family-less fwmark. */
	EXPECT("virtual_server_group G {\n}\n", 1, 0);
	EXPECT("virtual_server_group G {\n 10.0.0.1 80\n 2001:db8::1 80\n fwmark 3\n}\n", 1, 0);
	EXPECT("virtual_server_group G {\n 10.0.0.1 80\n 2001:db8::1 80\n fwmark 3 inet\n}\n", 0,
	       0);
	EXPECT("virtual_server_group G {\n 10.0.0.1 80 extra\n}\n", 0, 1);
}

static void test_ssl(void)
{
	struct conf_tree *t;

	t = parse("SSL {\n password secret\n ca /etc/ssl/ca.pem\n certificate /etc/ssl/c.pem\n"
	          " key k.pem\n}\n");
	CHECK_INT(count(CONF_SEV_ERROR), 0);
	if (t) {
		conf_node *pw = conf_first(conf_first(&t->root, "SSL"), "password");

		CHECK(pw && pw->kw && (pw->kw->flags & CONF_KW_SECRET));
	}
	conf_tree_free(t);
	EXPECT("SSL {\n cipher x\n}\n", 1, 0);
	EXPECT("SSL {\n password\n}\n", 1, 0);
}

/* Every keyword of the tables at once. */
static void test_everything(void)
{
	EXPECT("virtual_server_group G1 {\n 10.0.0.1-5 80\n}\n"
	       "virtual_server group G1 {\n delay_loop 10\n lvs_sched sh\n hashed\n flag-1\n"
	       " flag-2\n flag-3\n sh-port\n sh-fallback\n mh-port\n mh-fallback\n ops\n"
	       " lvs_method TUN type gue port 6080 remcsum\n persistence_timeout\n"
	       " persistence_granularity 255.255.255.0\n persistence_engine sip\n protocol UDP\n"
	       " ha_suspend\n virtualhost www.example.com\n snmp_name vs1\n alpha\n omega\n"
	       " quorum 2\n hysteresis 1\n quorum_up /bin/true up\n quorum_down \"/bin/true d\"\n"
	       " ip_family inet\n weight 3\n sorry_server 10.9.9.9 80\n sorry_server_inhibit\n"
	       " sorry_server_lvs_method DR\n retry 2\n delay_before_retry 1.5\n warmup 3\n"
	       " connect_timeout 2.5\n inhibit_on_failure\n smtp_alert\n"
	       " real_server 10.3.0.1 80 {\n  weight 1\n  TCP_CHECK {\n  }\n  HTTP_GET {\n"
	       "   url {\n    path /\n   }\n  }\n  SSL_GET {\n   url {\n    path /\n   }\n  }\n"
	       "  SMTP_CHECK {\n  }\n  DNS_CHECK {\n  }\n  UDP_CHECK {\n  }\n  PING_CHECK {\n  }\n"
	       "  MISC_CHECK {\n   misc_path /bin/true\n  }\n  FILE_CHECK {\n   track_file t\n  }\n"
	       "  BFD_CHECK {\n   name b\n  }\n }\n}\n",
	       0, 0);
}

int main(void)
{
	test_seed_clean("seed001-healthcheck.conf", 3);
	test_seed_clean("seed001-mixed-lvs1.conf", 2);
	test_seed_clean("seed001-ssl-vs.conf", 1);
	test_seed_ssl();
	test_seed002();
	test_vs_args();
	test_vs_keywords();
	test_rs();
	test_http();
	test_common();
	test_vsg();
	test_ssl();
	test_everything();
	return check_report("test_kw_check");
}
