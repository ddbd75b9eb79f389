/* The SMTP client (notify/smtp_client.c) and the alert queue
 * (notify/smtp_alert.c) against a scripted server on loopback, in the same
 * event loop: the whole dialogue, EHLO refused -> HELO, a refused
 * recipient, multi-line replies, a stalled server (step timeout), a closed
 * port; and the queue: filtering, coalescing and the drop-oldest bound. */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "core/keywords.h"
#include "lib/kaevent.h"
#include "lib/mtime.h"
#include "notify/smtp_alert.h"
#include "notify/smtp_client.h"
#include "notify/smtp_msg.h"

static struct event_base *base;

/* ---- the scripted server -------------------------------------------------------- */

struct srv {
	int lfd;
	uint16_t port;
	struct event *lev;
	/* script */
	bool stall;      /* accept, never answer */
	bool ehlo_502;   /* refuse EHLO */
	bool multi_line; /* multi-line banner and EHLO reply */
	/* what happened */
	int conns;
	char log[4096]; /* the command lines, "\n" separated */
	char data[16384];
	size_t data_len;
	int messages;
	/* the current connection */
	int cfd;
	struct event *cev;
	char in[8192];
	size_t in_len;
	bool in_data;
};

static void srv_say(struct srv *s, const char *text)
{
	if (send(s->cfd, text, strlen(text), MSG_NOSIGNAL) < 0)
		perror("srv send");
}

static void srv_line(struct srv *s, const char *line)
{
	size_t l = strlen(s->log);

	snprintf(s->log + l, sizeof(s->log) - l, "%s\n", line);
	if (!strncmp(line, "EHLO ", 5))
		srv_say(s, s->ehlo_502     ? "502 5.5.1 no EHLO here\r\n"
		           : s->multi_line ? "250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n"
		                           : "250 sink\r\n");
	else if (!strncmp(line, "HELO ", 5))
		srv_say(s, "250 sink\r\n");
	else if (!strncmp(line, "MAIL FROM:", 10))
		srv_say(s, "250 2.1.0 ok\r\n");
	else if (!strncmp(line, "RCPT TO:", 8))
		srv_say(s, strstr(line, "bad") ? "550 5.1.1 no such user\r\n" : "250 2.1.5 ok\r\n");
	else if (!strcmp(line, "DATA")) {
		s->in_data = true;
		srv_say(s, "354 go ahead\r\n");
	} else if (!strcmp(line, "QUIT"))
		srv_say(s, "221 bye\r\n");
	else
		srv_say(s, "500 what\r\n");
}

static void srv_close_conn(struct srv *s)
{
	if (s->cev) {
		event_free(s->cev);
		s->cev = NULL;
	}
	if (s->cfd >= 0)
		close(s->cfd);
	s->cfd = -1;
	s->in_len = 0;
	s->in_data = false;
}

static void srv_read(evutil_socket_t fd, short what, void *arg)
{
	struct srv *s = arg;
	ssize_t n;
	char *eol;

	(void)what;
	n = recv(fd, s->in + s->in_len, sizeof(s->in) - 1 - s->in_len, 0);
	if (n <= 0) {
		srv_close_conn(s);
		return;
	}
	s->in_len += (size_t)n;
	s->in[s->in_len] = '\0';
	for (;;) {
		if (s->in_data) {
			char *end = strstr(s->in, "\r\n.\r\n");
			size_t take;

			if (!end)
				return;
			take = (size_t)(end - s->in) + 2;
			if (take > sizeof(s->data) - 1)
				take = sizeof(s->data) - 1;
			memcpy(s->data, s->in, take);
			s->data[take] = '\0';
			s->data_len = take;
			s->messages++;
			s->in_data = false;
			take = (size_t)(end - s->in) + 5;
			memmove(s->in, s->in + take, s->in_len - take + 1);
			s->in_len -= take;
			srv_say(s, "250 2.0.0 queued\r\n");
			continue;
		}
		eol = strstr(s->in, "\r\n");
		if (!eol)
			return;
		*eol = '\0';
		srv_line(s, s->in);
		memmove(s->in, eol + 2, s->in_len - (size_t)(eol + 2 - s->in) + 1);
		s->in_len -= (size_t)(eol + 2 - s->in);
	}
}

static void srv_accept(evutil_socket_t fd, short what, void *arg)
{
	struct srv *s = arg;
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	(void)what;
	if (c < 0)
		return;
	srv_close_conn(s);
	s->conns++;
	s->cfd = c;
	if (s->stall)
		return; /* held open, never read or answered */
	s->cev = event_new(base, c, EV_READ | EV_PERSIST, srv_read, s);
	event_add(s->cev, NULL);
	srv_say(s,
	        s->multi_line ? "220-sink.example ESMTP\r\n220 welcome\r\n" : "220 sink ESMTP\r\n");
}

static void srv_start(struct srv *s)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);

	s->cfd = -1;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK(s->lfd >= 0);
	CHECK(bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	CHECK(listen(s->lfd, 8) == 0);
	CHECK(getsockname(s->lfd, (struct sockaddr *)&sa, &sl) == 0);
	s->port = ntohs(sa.sin_port);
	s->lev = event_new(base, s->lfd, EV_READ | EV_PERSIST, srv_accept, s);
	event_add(s->lev, NULL);
}

static void srv_stop(struct srv *s)
{
	srv_close_conn(s);
	event_free(s->lev);
	close(s->lfd);
}

/* ---- running the loop until something happens ------------------------------------- */

struct result {
	int calls;
	bool ok;
	char why[640];
};

static void on_done(void *arg, bool ok, const char *why)
{
	struct result *r = arg;

	r->calls++;
	r->ok = ok;
	snprintf(r->why, sizeof(r->why), "%s", why ? why : "");
	event_base_loopbreak(base);
}

/* Runs the loop until cond(arg) or ms pass. */
static void run_until(bool (*cond)(void *), void *arg, unsigned ms)
{
	uint64_t end = mono_us() + (uint64_t)ms * 1000u;

	while (!cond(arg) && mono_us() < end) {
		struct timeval tv = {0, 20000};

		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
}

static bool result_in(void *arg)
{
	return ((struct result *)arg)->calls > 0;
}

static char *payload(void)
{
	const char *to[] = {"ops@example.com"};
	struct smtp_msg_params p = {.from = "ka@example.com",
	                            .to = to,
	                            .n_to = 1,
	                            .router_id = "r",
	                            .date = "d",
	                            .msgid = "1",
	                            .host = "h"};
	struct smtp_event e;
	struct ka_event ke = {.kind = KA_EV_VRRP_INSTANCE, .name = "VI_1", .state = "MASTER"};

	smtp_event_set(&e, &ke, ".early");
	return smtp_msg_compose(&p, &e, 1, NULL, NULL);
}

static void test_dialogue(bool ehlo_502, bool multi)
{
	struct srv s = {.ehlo_502 = ehlo_502, .multi_line = multi};
	const char *to[] = {"ops@example.com", "bad@example.com", "pager@example.net"};
	struct smtp_client_cfg cfg = {.server = "127.0.0.1",
	                              .step_timeout_us = 2000000,
	                              .deadline_us = 5000000,
	                              .helo = "lb1.example.com",
	                              .from = "ka@example.com",
	                              .to = to,
	                              .n_to = 3};
	struct result r = {0};
	char *pl = payload(), *expect;

	srv_start(&s);
	cfg.port = s.port;
	CHECK(pl != NULL);
	expect = strdup(pl);
	CHECK(smtp_client_send(base, NULL, &cfg, pl, strlen(pl), on_done, &r) != NULL);
	CHECK_INT(r.calls, 0); /* never from inside the call */
	run_until(result_in, &r, 3000);
	CHECK_INT(r.calls, 1);
	CHECK(r.ok);
	if (!r.ok)
		fprintf(stderr, "why: %s\nlog:\n%s", r.why, s.log);
	CHECK_STR(s.log, ehlo_502 ? "EHLO lb1.example.com\nHELO lb1.example.com\n"
	                            "MAIL FROM:<ka@example.com>\nRCPT TO:<ops@example.com>\n"
	                            "RCPT TO:<bad@example.com>\nRCPT TO:<pager@example.net>\n"
	                            "DATA\nQUIT\n"
	                          : "EHLO lb1.example.com\n"
	                            "MAIL FROM:<ka@example.com>\nRCPT TO:<ops@example.com>\n"
	                            "RCPT TO:<bad@example.com>\nRCPT TO:<pager@example.net>\n"
	                            "DATA\nQUIT\n");
	CHECK_INT(s.messages, 1);
	/* The server saw the payload up to its terminator, still dot-stuffed. */
	CHECK(expect && s.data_len + 3 == strlen(expect) && !memcmp(s.data, expect, s.data_len));
	CHECK(strstr(s.data, "\r\n..early  VRRP Instance VI_1") != NULL);
	free(expect);
	srv_stop(&s);
}

static void test_stall(void)
{
	struct srv s = {.stall = true};
	const char *to[] = {"ops@example.com"};
	struct smtp_client_cfg cfg = {.server = "127.0.0.1",
	                              .step_timeout_us = 300000,
	                              .deadline_us = 5000000,
	                              .helo = "h",
	                              .from = "ka@example.com",
	                              .to = to,
	                              .n_to = 1};
	struct result r = {0};
	uint64_t t0;
	char *pl = payload();

	srv_start(&s);
	cfg.port = s.port;
	t0 = mono_us();
	CHECK(smtp_client_send(base, NULL, &cfg, pl, strlen(pl), on_done, &r) != NULL);
	run_until(result_in, &r, 3000);
	CHECK_INT(r.calls, 1);
	CHECK(!r.ok);
	CHECK(strstr(r.why, "timed out (banner)") != NULL);
	CHECK(strstr(r.why, "127.0.0.1:") == r.why);
	CHECK(mono_us() - t0 >= 280000 && mono_us() - t0 < 1500000);
	CHECK_INT(s.conns, 1);
	srv_stop(&s);

	/* A closed port: refused, and said so. */
	memset(&r, 0, sizeof(r));
	pl = payload();
	CHECK(smtp_client_send(base, NULL, &cfg, pl, strlen(pl), on_done, &r) != NULL);
	run_until(result_in, &r, 3000);
	CHECK_INT(r.calls, 1);
	CHECK(!r.ok);
	CHECK(strstr(r.why, "connect: Connection refused") != NULL);

	/* A host name without a resolver fails cleanly; abort stays silent. */
	memset(&r, 0, sizeof(r));
	cfg.server = "mail.example.com";
	pl = payload();
	CHECK(smtp_client_send(base, NULL, &cfg, pl, strlen(pl), on_done, &r) != NULL);
	run_until(result_in, &r, 3000);
	CHECK(!r.ok && strstr(r.why, "no resolver") != NULL);
	memset(&r, 0, sizeof(r));
	pl = payload();
	smtp_client_abort(smtp_client_send(base, NULL, &cfg, pl, strlen(pl), on_done, &r));
	run_until(result_in, &r, 100);
	CHECK_INT(r.calls, 0);
}

/* ---- the alert queue ---------------------------------------------------------------- */

static bool got_message(void *arg)
{
	return ((struct srv *)arg)->messages > 0;
}

static void test_queue(void)
{
	struct srv s = {0};
	struct conf_opts opts = {0};
	struct conf_tree *t;
	struct smtp_alert *a;
	char text[512], name[32];

	srv_start(&s);
	snprintf(text, sizeof(text),
	         "global_defs {\n router_id lb1\n smtp_server 127.0.0.1 %u\n"
	         " notification_email {\n  ops@example.com\n }\n"
	         " notification_email_from ka@example.com\n}\n",
	         s.port);
	t = conf_parse_mem("t.conf", text, strlen(text), &ka_root_block, &opts);
	CHECK(t != NULL);
	a = smtp_alert_start(base, t, "test");
	CHECK(a != NULL);
	conf_tree_free(t);
	/* Not mailed: no alert, an initial report, a reload. */
	ka_event_publish(&(struct ka_event){.kind = KA_EV_RS, .name = "vs", .rs = "rs0"});
	ka_event_publish(&(struct ka_event){
	    .kind = KA_EV_RS, .name = "vs", .rs = "rs0", .initial = true, .alert = true});
	ka_event_publish(&(struct ka_event){.kind = KA_EV_RELOAD, .up = true, .alert = true});
	/* 100 events at once: the oldest 36 are dropped. */
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "rs%d", i);
		ka_event_publish(&(struct ka_event){
		    .kind = KA_EV_RS, .name = "vs", .rs = name, .up = i % 2, .alert = true});
	}
	run_until(got_message, &s, 4000);
	CHECK_INT(s.messages, 1);
	CHECK(strstr(s.data, "Subject: [lb1] 64 events, first: Realserver rs36 of virtual server "
	                     "vs - DOWN\r\n") != NULL);
	CHECK(strstr(s.data, "36 earlier event(s) were dropped") != NULL);
	CHECK(strstr(s.data, "Realserver rs99 of virtual server vs - DOWN") == NULL);
	CHECK(strstr(s.data, "Realserver rs99 of virtual server vs - UP") != NULL);
	CHECK(strstr(s.data, "Realserver rs0 ") == NULL);
	CHECK(strstr(s.data, "Realserver rs35 ") == NULL);
	/* Stop flushes what is queued, within its bound. */
	ka_event_publish(&(struct ka_event){.kind = KA_EV_VS_QUORUM, .name = "vs", .alert = true});
	{
		uint64_t t0 = mono_us();

		smtp_alert_stop(a, 1000);
		CHECK(mono_us() - t0 < 1500000);
	}
	CHECK_INT(s.messages, 2);
	CHECK(strstr(s.data, "Subject: [lb1] Virtualserver vs - quorum DOWN\r\n") != NULL);
	srv_stop(&s);
}

int main(void)
{
	base = event_base_new();
	test_dialogue(false, false);
	test_dialogue(true, true);
	test_stall();
	test_queue();
	event_base_free(base);
	return check_report("test_smtp_client");
}
