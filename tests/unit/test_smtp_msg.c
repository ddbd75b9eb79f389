/* Alert mail composition (notify/smtp_msg.c): cleaning, address checks,
 * dot-stuffing, subjects, whole messages, header injection attempts and
 * coalesced mails; and the checker's smtp_alert resolution
 * (check_conf.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "check/check_conf.h"
#include "core/keywords.h"
#include "notify/smtp_msg.h"

static const char *const allowed_hdrs[] = {
    "From",       "To",           "Subject",      "Date",
    "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
    NULL};

/* Checks the header block of msg: CRLF line ends only, every line a known
 * header or a continuation; counts the headers; returns the body. */
static const char *check_headers(const char *msg, int *nhdr, char *subject, size_t slen)
{
	const char *p = msg, *end = strstr(msg, "\r\n\r\n");

	*nhdr = 0;
	subject[0] = '\0';
	CHECK(end != NULL);
	if (!end)
		return msg;
	while (p < end + 2) {
		const char *eol = strstr(p, "\r\n");
		size_t n = (size_t)(eol - p);
		bool known = false;

		for (const char *q = p; q < eol; q++)
			CHECK(*q != '\r' && *q != '\n' && (unsigned char)*q >= 0x20);
		if (p[0] == ' ' || p[0] == '\t') {
			p = eol + 2;
			continue;
		}
		for (int i = 0; allowed_hdrs[i]; i++) {
			size_t hl = strlen(allowed_hdrs[i]);

			if (n > hl + 1 && !strncmp(p, allowed_hdrs[i], hl) && p[hl] == ':')
				known = true;
		}
		if (!known)
			fprintf(stderr, "unexpected header line: %.*s\n", (int)n, p);
		CHECK(known);
		if (!strncmp(p, "Subject: ", 9))
			snprintf(subject, slen, "%.*s", (int)(n - 9), p + 9);
		(*nhdr)++;
		p = eol + 2;
	}
	return end + 4;
}

static void ev_vrrp(struct smtp_event *e, const char *name, const char *state, int prio,
                    const char *when)
{
	struct ka_event ke = {
	    .kind = KA_EV_VRRP_INSTANCE, .name = name, .state = state, .prio = prio, .alert = true};

	smtp_event_set(e, &ke, when);
}

static void test_clean_and_addresses(void)
{
	char buf[64];
	const char *why = NULL;

	CHECK_STR(smtp_clean(buf, sizeof(buf), "a\r\nBcc: x"), "a  Bcc: x");
	CHECK_STR(smtp_clean(buf, sizeof(buf), "t\tab\x7f\xc3\xa9"), "t ab ??");
	CHECK_STR(smtp_clean(buf, 4, "abcdef"), "abc");
	CHECK_STR(smtp_clean(buf, sizeof(buf), NULL), "");

	CHECK(smtp_addr_ok("root@example.com", NULL));
	CHECK(smtp_addr_ok("a.b+c@[192.0.2.1]", NULL));
	CHECK(smtp_addr_ok("postmaster", NULL));
	CHECK(!smtp_addr_ok("", &why));
	CHECK(why != NULL);
	CHECK(!smtp_addr_ok(NULL, NULL));
	CHECK(!smtp_addr_ok("a@b>\r\nRCPT TO:<c@d", &why));
	CHECK(!smtp_addr_ok("a@b\r\nBcc: x", NULL));
	CHECK(!smtp_addr_ok("<a@b>", NULL));
	CHECK(!smtp_addr_ok("a b@c", NULL));
	CHECK(!smtp_addr_ok("a@b,c@d", NULL));
	CHECK(!smtp_addr_ok("\xc3\xa9@b", NULL));
	{
		char longa[300];

		memset(longa, 'a', sizeof(longa) - 1);
		longa[sizeof(longa) - 1] = '\0';
		why = NULL;
		CHECK(!smtp_addr_ok(longa, &why));
		CHECK_STR(why, "address too long");
	}
	CHECK(smtp_helo_ok("lb1.example.com"));
	CHECK(smtp_helo_ok("[192.0.2.1]"));
	CHECK(!smtp_helo_ok("lb1\r\nMAIL FROM:<x>"));
	CHECK(!smtp_helo_ok("a b"));
	CHECK(!smtp_helo_ok(""));
}

static void test_dot_stuff(void)
{
	size_t n = 0;
	char *s;

	s = smtp_dot_stuff(".foo\nbar\n..x\n.", 14, &n);
	CHECK_STR(s, "..foo\r\nbar\r\n...x\r\n..\r\n.\r\n");
	CHECK_INT(n, strlen("..foo\r\nbar\r\n...x\r\n..\r\n.\r\n"));
	free(s);
	/* CRLF kept, a lone CR is a line end, a missing final line end is added. */
	s = smtp_dot_stuff("a\r\n.b\rc", 7, &n);
	CHECK_STR(s, "a\r\n..b\r\nc\r\n.\r\n");
	free(s);
	s = smtp_dot_stuff("", 0, &n);
	CHECK_STR(s, ".\r\n");
	free(s);
	/* A line that is only "." would end the DATA early without stuffing. */
	s = smtp_dot_stuff("x\n.\ny", 5, &n);
	CHECK_STR(s, "x\r\n..\r\ny\r\n.\r\n");
	free(s);
}

static void test_subjects(void)
{
	struct smtp_event e[2];
	struct ka_event ke;
	char s[512];

	ev_vrrp(&e[0], "VI_1", "MASTER", 150, "t");
	smtp_subject("lb1", e, 1, s, sizeof(s));
	CHECK_STR(s, "[lb1] VRRP Instance VI_1 - Entering MASTER state");
	ke = (struct ka_event){.kind = KA_EV_VRRP_GROUP, .name = "G1", .state = "FAULT"};
	smtp_event_set(&e[0], &ke, "t");
	smtp_subject("lb1", e, 1, s, sizeof(s));
	CHECK_STR(s, "[lb1] VRRP Group G1 - Entering FAULT state");
	ke = (struct ka_event){.kind = KA_EV_RS,
	                       .name = "[203.0.113.1]:tcp:80",
	                       .rs = "[192.0.2.10]:tcp:80",
	                       .up = false};
	smtp_event_set(&e[0], &ke, "t");
	smtp_subject("lb1", e, 1, s, sizeof(s));
	CHECK_STR(s, "[lb1] Realserver [192.0.2.10]:tcp:80 of virtual server "
	             "[203.0.113.1]:tcp:80 - DOWN");
	ke.up = true;
	smtp_event_set(&e[0], &ke, "t");
	smtp_subject("lb1", e, 1, s, sizeof(s));
	CHECK_STR(s, "[lb1] Realserver [192.0.2.10]:tcp:80 of virtual server "
	             "[203.0.113.1]:tcp:80 - UP");
	ke =
	    (struct ka_event){.kind = KA_EV_VS_QUORUM, .name = "[203.0.113.1]:tcp:80", .up = false};
	smtp_event_set(&e[1], &ke, "t");
	smtp_subject("lb1", &e[1], 1, s, sizeof(s));
	CHECK_STR(s, "[lb1] Virtualserver [203.0.113.1]:tcp:80 - quorum DOWN");
	smtp_subject("lb1", e, 2, s, sizeof(s));
	CHECK_STR(s, "[lb1] 2 events, first: Realserver [192.0.2.10]:tcp:80 of virtual server "
	             "[203.0.113.1]:tcp:80 - UP");
	/* Injection through the router id or an event field: one line. */
	ev_vrrp(&e[0], "VI\r\nBcc: x@y", "MASTER\n", 1, "t");
	smtp_subject("r\r\nBcc: evil@example.com", e, 1, s, sizeof(s));
	CHECK(!strpbrk(s, "\r\n"));
	CHECK_STR(s, "[r  Bcc: evil@example.com] VRRP Instance VI  Bcc: x@y - Entering MASTER  "
	             "state");
	/* A struct filled by hand (not smtp_event_set) is cleaned too. */
	memset(&e[0], 0, sizeof(e[0]));
	e[0].kind = KA_EV_VRRP_INSTANCE;
	snprintf(e[0].name, sizeof(e[0].name), "A\r\nB");
	snprintf(e[0].state, sizeof(e[0].state), "MASTER");
	smtp_subject("r", e, 1, s, sizeof(s));
	CHECK_STR(s, "[r] VRRP Instance A  B - Entering MASTER state");
}

static void test_date(void)
{
	char d[64];

	setenv("TZ", "UTC", 1);
	tzset();
	smtp_date_fmt(0, d, sizeof(d));
	CHECK_STR(d, "Thu, 01 Jan 1970 00:00:00 +0000");
	smtp_date_fmt(1700000000, d, sizeof(d));
	CHECK_STR(d, "Tue, 14 Nov 2023 22:13:20 +0000");
	setenv("TZ", "EST5", 1);
	tzset();
	smtp_date_fmt(1700000000, d, sizeof(d));
	CHECK_STR(d, "Tue, 14 Nov 2023 17:13:20 -0500");
	setenv("TZ", "UTC", 1);
	tzset();
}

static void test_compose_single(void)
{
	const char *to[] = {"ops@example.com", "pager@example.net"};
	struct smtp_msg_params p = {.from = "ka@example.com",
	                            .to = to,
	                            .n_to = 2,
	                            .router_id = "lb1",
	                            .date = "Tue, 14 Nov 2023 22:13:20 +0000",
	                            .msgid = "1700000000.42.1",
	                            .host = "lb1.example.com"};
	struct smtp_event e;
	char subj[512];
	const char *body, *why = NULL;
	size_t n = 0;
	int nh;
	char *m;

	ev_vrrp(&e, "VI_1", "MASTER", 150, "2023-11-14 22:13:20.123");
	m = smtp_msg_compose(&p, &e, 1, &n, &why);
	CHECK(m != NULL);
	if (!m)
		return;
	CHECK_INT(n, strlen(m));
	body = check_headers(m, &nh, subj, sizeof(subj));
	CHECK_INT(nh, 8);
	CHECK_STR(subj, "[lb1] VRRP Instance VI_1 - Entering MASTER state");
	{
		const char *hd =
		    "From: ka@example.com\r\nTo: ops@example.com,\r\n pager@example.net\r\n";

		CHECK(!strncmp(m, hd, strlen(hd)));
	}
	CHECK(strstr(m, "\r\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\n") != NULL);
	CHECK(strstr(m, "\r\nMessage-ID: <1700000000.42.1.keepalived@lb1.example.com>\r\n") !=
	      NULL);
	CHECK(strstr(m, "\r\nMIME-Version: 1.0\r\n") != NULL);
	CHECK(strstr(m, "\r\nContent-Type: text/plain; charset=us-ascii\r\n") != NULL);
	CHECK(strstr(body, "2023-11-14 22:13:20.123  VRRP Instance VI_1 - Entering MASTER state "
	                   "(priority 150") != NULL);
	CHECK(n > 5 && !strcmp(m + n - 5, "\r\n.\r\n"));
	/* No bare LF or CR anywhere. */
	for (size_t i = 0; i < n; i++) {
		if (m[i] == '\n')
			CHECK(i > 0 && m[i - 1] == '\r');
		if (m[i] == '\r')
			CHECK(i + 1 < n && m[i + 1] == '\n');
	}
	free(m);
}

static void test_compose_injection(void)
{
	const char *to[] = {"ops@example.com", "x@y>\r\nBcc: evil@example.com", "a b@c"};
	struct smtp_msg_params p = {.from = "ka@example.com",
	                            .to = to,
	                            .n_to = 3,
	                            .router_id = "lb1\r\nBcc: evil@example.com",
	                            .date = "Tue, 14 Nov 2023 22:13:20 +0000\r\nX-Evil: 1",
	                            .msgid = "1>\r\nX-Evil: 2",
	                            .host = "h\r\nX-Evil: 3"};
	struct smtp_event e[2];
	const char *why = NULL, *body;
	char subj[512];
	size_t n = 0;
	int nh;
	char *m;

	ev_vrrp(&e[0], "VI_1\r\nBcc: evil@example.com", "MASTER\r\n\r\nbody", 150,
	        "now\r\n.\r\nMAIL FROM:<x>");
	ev_vrrp(&e[1], ".hidden\n.", "BACKUP", 100, ".5");
	m = smtp_msg_compose(&p, e, 2, &n, &why);
	CHECK(m != NULL);
	if (!m)
		return;
	body = check_headers(m, &nh, subj, sizeof(subj));
	CHECK_INT(nh, 8);
	CHECK(!strstr(m, "\r\nBcc:"));
	CHECK(!strstr(m, "\r\nX-Evil"));
	CHECK(!strstr(m, "evil@example.com,") && !strstr(m, " x@y"));
	CHECK(strstr(m, "To: ops@example.com\r\n") != NULL); /* the bad recipients left out */
	CHECK(strstr(subj, "[lb1  Bcc: evil@example.com] 2 events, first:") == subj);
	/* The DATA terminator appears exactly once, at the end. */
	CHECK(strstr(m, "\r\n.\r\n") == m + n - 5);
	/* The second event's time starts a body line with '.': stuffed. */
	CHECK(strstr(body, "\r\n..5  VRRP Instance .hidden . - Entering BACKUP state") != NULL);
	free(m);

	/* A bad sender or no good recipient: no message at all. */
	p.from = "ka@example.com>\r\nRCPT TO:<evil@example.com";
	why = NULL;
	CHECK(smtp_msg_compose(&p, e, 1, &n, &why) == NULL);
	CHECK(why != NULL);
	p.from = "ka@example.com";
	p.n_to = 0;
	why = NULL;
	CHECK(smtp_msg_compose(&p, e, 1, &n, &why) == NULL);
	CHECK_STR(why, "no valid recipient");
	p.to = to + 1;
	p.n_to = 2;
	CHECK(smtp_msg_compose(&p, e, 1, &n, &why) == NULL);
	p.to = to;
	p.n_to = 1;
	CHECK(smtp_msg_compose(&p, e, 0, &n, &why) == NULL);
}

static void test_compose_coalesced(void)
{
	const char *to[] = {"ops@example.com"};
	struct smtp_msg_params p = {.from = "ka@example.com",
	                            .to = to,
	                            .n_to = 1,
	                            .router_id = "lb1",
	                            .date = "d",
	                            .msgid = "1",
	                            .host = "h",
	                            .dropped = 7};
	struct smtp_event e[5];
	struct ka_event ke;
	char subj[512], line[512];
	const char *body, *why = NULL, *prev;
	size_t n = 0;
	int nh;
	char *m;

	ev_vrrp(&e[0], "VI_1", "BACKUP", 100, "2023-11-14 22:13:20.001");
	ev_vrrp(&e[1], "VI_1", "MASTER", 100, "2023-11-14 22:13:20.002");
	ev_vrrp(&e[2], "VI_1", "FAULT", 0, "2023-11-14 22:13:20.003");
	ke = (struct ka_event){.kind = KA_EV_RS,
	                       .name = "[203.0.113.1]:tcp:80",
	                       .rs = "[192.0.2.10]:tcp:80",
	                       .up = false};
	smtp_event_set(&e[3], &ke, "2023-11-14 22:13:20.004");
	ke =
	    (struct ka_event){.kind = KA_EV_VS_QUORUM, .name = "[203.0.113.1]:tcp:80", .up = false};
	smtp_event_set(&e[4], &ke, "2023-11-14 22:13:20.005");
	m = smtp_msg_compose(&p, e, 5, &n, &why);
	CHECK(m != NULL);
	if (!m)
		return;
	body = check_headers(m, &nh, subj, sizeof(subj));
	CHECK_STR(subj, "[lb1] 5 events, first: VRRP Instance VI_1 - Entering BACKUP state");
	CHECK(strstr(body, "reports 5 events") != NULL);
	/* Every event, in order, with its time. */
	prev = body;
	for (int i = 0; i < 5; i++) {
		char sum[400];
		const char *at;

		smtp_event_summary(&e[i], sum, sizeof(sum));
		snprintf(line, sizeof(line), "%s  %s", e[i].when, sum);
		at = strstr(prev, line);
		if (!at)
			fprintf(stderr, "missing in order: %s\n", line);
		CHECK(at != NULL);
		if (at)
			prev = at + 1;
	}
	CHECK(strstr(body, "7 earlier event(s) were dropped") != NULL);
	free(m);
}

/* ---- check_conf: smtp_alert of VS and RS ------------------------------------ */

static struct conf_tree *tree;

static struct check_conf *build(const char *globals, const char *vs_kw, const char *rs_kw)
{
	struct conf_opts opts = {0};
	char text[1024];

	snprintf(text, sizeof(text),
	         "global_defs {\n%s\n}\n"
	         "virtual_server 192.0.2.1 80 {\n  lb_algo rr\n  protocol TCP\n%s\n"
	         "  real_server 192.0.2.10 80 {\n%s\n    TCP_CHECK {\n    }\n  }\n"
	         "  real_server 192.0.2.11 80 {\n    TCP_CHECK {\n    }\n  }\n}\n",
	         globals, vs_kw, rs_kw);
	conf_tree_free(tree);
	tree = conf_parse_mem("t.conf", text, strlen(text), &ka_root_block, &opts);
	return tree ? check_conf_build(tree, NULL, NULL) : NULL;
}

static void expect(const char *g, const char *v, const char *r, bool vs, bool rs0, bool rs1)
{
	struct check_conf *c = build(g, v, r);

	CHECK(c && c->n_vs == 1 && c->vs[0].n_rs == 2);
	if (c && c->n_vs == 1 && c->vs[0].n_rs == 2) {
		CHECK_INT(c->vs[0].smtp_alert, vs);
		CHECK_INT(c->vs[0].rs[0].smtp_alert, rs0);
		CHECK_INT(c->vs[0].rs[1].smtp_alert, rs1);
	}
	check_conf_free(c);
}

static void test_check_resolution(void)
{
	expect("", "", "", false, false, false);
	expect("smtp_alert", "", "", true, true, true);
	expect("smtp_alert", "smtp_alert off", "smtp_alert false", false, false, true);
	expect("smtp_alert_checker", "", "", true, true, true);
	expect("smtp_alert\nsmtp_alert_checker off", "", "", false, false, false);
	expect("smtp_alert off\nsmtp_alert_checker", "", "", true, true, true);
	expect("smtp_alert_vrrp", "", "", false, false, false);
	expect("", "smtp_alert", "", true, false, false);
	expect("", "", "smtp_alert", false, true, false);
	conf_tree_free(tree);
	tree = NULL;
}

int main(void)
{
	test_clean_and_addresses();
	test_dot_stuff();
	test_subjects();
	test_date();
	test_compose_single();
	test_compose_injection();
	test_compose_coalesced();
	test_check_resolution();
	return check_report("test_smtp_msg");
}
