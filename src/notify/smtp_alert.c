/* SMTP alerts: settings, the event subscriber and the coalescing queue
 * (see smtp_alert.h).  Composition is smtp_msg.c, the protocol
 * smtp_client.c. */
#include <event2/dns.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/addr.h"
#include "lib/kaevent.h"
#include "lib/log.h"
#include "lib/mtime.h"
#include "notify/smtp_alert.h"
#include "notify/smtp_client.h"
#include "notify/smtp_msg.h"

struct alert_conf {
	bool enabled; /* a server and at least one valid recipient */
	char *server;
	uint16_t port;
	unsigned timeout_s;
	char *helo, *from, *router_id, *host;
	char **to;
	size_t n_to;
	bool no_email_faults;   /* no mail when a VRRP object enters FAULT */
	bool no_checker_emails; /* no mail for single real servers (quorum only) */
};

struct smtp_alert {
	struct event_base *base;
	struct evdns_base *dns; /* made when the server is a host name */
	bool dns_used;
	const char *proc;
	struct alert_conf *conf;
	bool warned_disabled;

	struct smtp_event q[SMTP_ALERT_QUEUE_MAX]; /* a ring, oldest at head */
	size_t head, count;
	unsigned dropped;  /* since the last mail */
	bool drop_logged;  /* once per burst */
	uint64_t first_us; /* when the oldest queued event came */

	struct event *timer;
	struct smtp_client *session;
	unsigned session_events;
	char session_subject[160];
	uint64_t last_start_us;
	bool ever_sent;
	unsigned seq;

	bool stopping;
	struct event *stop_timer;
};

/* ---- settings ------------------------------------------------------------------ */

static void conf_free(struct alert_conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_to; i++)
		free(c->to[i]);
	free(c->to);
	free(c->server);
	free(c->helo);
	free(c->from);
	free(c->router_id);
	free(c->host);
	free(c);
}

static void set_str(char **slot, const char *v)
{
	char *d = v ? strdup(v) : NULL;

	if (d || !v) {
		free(*slot);
		*slot = d;
	}
}

static void add_rcpt(struct alert_conf *c, size_t *cap, const char *to, const char *proc)
{
	const char *why = NULL;
	char **nt;

	if (!smtp_addr_ok(to, &why)) {
		log_warn("%s: notification_email: %s - recipient ignored", proc, why);
		return;
	}
	if (c->n_to == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		nt = realloc(c->to, *cap * sizeof(*nt));
		if (!nt) {
			*cap = c->n_to;
			return;
		}
		c->to = nt;
	}
	c->to[c->n_to] = strdup(to);
	if (c->to[c->n_to])
		c->n_to++;
}

/* One global_defs line. */
static void global_kw(struct alert_conf *c, const conf_node *n, size_t *cap, const char *proc)
{
	const char *k = conf_arg(n, 0), *v = conf_arg(n, 1), *why = NULL;
	char shown[SMTP_EV_NAME_MAX];
	uint16_t port = 25;
	long long x;

	if (!k)
		return;
	if (!strcmp(k, "smtp_server") && v) {
		set_str(&c->server, v);
		if (!conf_arg(n, 2) || port_parse(conf_arg(n, 2), &port) < 0 || !port)
			port = 25;
		c->port = port;
	} else if (!strcmp(k, "smtp_connect_timeout") && v) {
		if (conf_parse_int(v, 0, 4294, &x) == 0)
			c->timeout_s = x ? (unsigned)x : SMTP_ALERT_DEFAULT_TIMEOUT_S;
	} else if (!strcmp(k, "smtp_helo_name") && v) {
		if (smtp_helo_ok(v))
			set_str(&c->helo, v);
		else
			log_warn("%s: smtp_helo_name '%s' is not a host name - ignored", proc,
			         smtp_clean(shown, sizeof(shown), v));
	} else if (!strcmp(k, "notification_email_from") && v) {
		if (smtp_addr_ok(v, &why))
			set_str(&c->from, v);
		else
			log_warn("%s: notification_email_from: %s - ignored", proc, why);
	} else if (!strcmp(k, "router_id") && v) {
		set_str(&c->router_id, v);
	} else if (!strcmp(k, "no_email_faults")) {
		c->no_email_faults = true;
	} else if (!strcmp(k, "no_checker_emails")) {
		bool b = true;

		c->no_checker_emails = !v || conf_parse_bool(v, &b) < 0 || b;
	} else if (!strcmp(k, "notification_email")) {
		for (const conf_node *e = n->child; e; e = e->next)
			for (int i = 0; i < e->argc; i++)
				add_rcpt(c, cap, e->argv[i], proc);
	}
}

static struct alert_conf *conf_build(const struct conf_tree *t, const char *proc)
{
	struct alert_conf *c = calloc(1, sizeof(*c));
	const conf_node *g, *n;
	char host[256] = "localhost", dflt_from[300];
	size_t cap = 0;

	if (!c)
		return NULL;
	if (gethostname(host, sizeof(host) - 1) < 0 || !host[0])
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	set_str(&c->host, host);
	c->timeout_s = SMTP_ALERT_DEFAULT_TIMEOUT_S;
	for (g = t ? conf_first(&t->root, "global_defs") : NULL; g; g = conf_next_named(g))
		for (n = g->child; n; n = n->next)
			global_kw(c, n, &cap, proc);
	if (!c->helo)
		set_str(&c->helo, smtp_helo_ok(host) ? host : "localhost");
	if (!c->router_id)
		set_str(&c->router_id, host);
	if (!c->from) {
		snprintf(dflt_from, sizeof(dflt_from), "keepalived@%s", host);
		set_str(&c->from,
		        smtp_addr_ok(dflt_from, NULL) ? dflt_from : "keepalived@localhost");
	}
	c->enabled = c->server && c->n_to > 0 && c->from && c->helo && c->router_id;
	return c;
}

/* ---- sending ------------------------------------------------------------------- */

static void schedule(struct smtp_alert *a);

static void on_done(void *arg, bool ok, const char *why)
{
	struct smtp_alert *a = arg;

	a->session = NULL;
	if (ok)
		log_info("SMTP alert: mail sent (%u event(s)): %s", a->session_events,
		         a->session_subject);
	else
		log_err("SMTP alert: cannot send the mail about %u event(s): %s", a->session_events,
		        why ? why : "failed");
	if (a->stopping) {
		if (!a->count)
			event_base_loopbreak(a->base);
		else
			schedule(a);
		return;
	}
	schedule(a);
}

static bool server_is_literal(const struct alert_conf *c)
{
	struct ka_addr lit;

	return addr_parse(c->server, &lit) == 0;
}

/* A host name is resolved with evdns; its resolver is made with the
 * settings (it reads resolv.conf and hosts), not on the way to a mail. */
static void ensure_resolver(struct smtp_alert *a)
{
	if (a->dns || !a->conf || !a->conf->enabled || server_is_literal(a->conf))
		return;
	a->dns = evdns_base_new(a->base, EVDNS_BASE_INITIALIZE_NAMESERVERS);
	if (!a->dns)
		log_err("%s: cannot set up the resolver for smtp_server", a->proc);
}

static struct evdns_base *resolver(struct smtp_alert *a)
{
	if (server_is_literal(a->conf))
		return NULL;
	ensure_resolver(a);
	if (a->dns)
		a->dns_used = true;
	return a->dns;
}

static void start_session(struct smtp_alert *a)
{
	struct alert_conf *c = a->conf;
	struct smtp_event *evs;
	struct smtp_msg_params p;
	struct smtp_client_cfg cc;
	char date[64], msgid[96];
	const char *why = NULL;
	unsigned n = (unsigned)a->count, dropped = a->dropped;
	char *payload;
	size_t len = 0;

	if (!n || a->session)
		return;
	evs = malloc(n * sizeof(*evs));
	if (!evs) {
		log_err("SMTP alert: out of memory, %u event(s) not mailed", n);
		a->count = 0;
		return;
	}
	for (unsigned i = 0; i < n; i++)
		evs[i] = a->q[(a->head + i) % SMTP_ALERT_QUEUE_MAX];
	a->head = a->count = 0;
	a->dropped = 0;
	a->drop_logged = false;
	if (!c || !c->enabled) {
		free(evs);
		return;
	}
	smtp_date_fmt(time(NULL), date, sizeof(date));
	snprintf(msgid, sizeof(msgid), "%lld.%d.%u", (long long)time(NULL), (int)getpid(),
	         ++a->seq);
	p = (struct smtp_msg_params){.from = c->from,
	                             .to = (const char *const *)c->to,
	                             .n_to = c->n_to,
	                             .router_id = c->router_id,
	                             .date = date,
	                             .msgid = msgid,
	                             .host = c->host,
	                             .dropped = dropped};
	payload = smtp_msg_compose(&p, evs, n, &len, &why);
	smtp_subject(c->router_id, evs, n, a->session_subject, sizeof(a->session_subject));
	free(evs);
	if (!payload) {
		log_err("SMTP alert: cannot compose the mail about %u event(s): %s", n,
		        why ? why : "?");
		return;
	}
	cc = (struct smtp_client_cfg){.server = c->server,
	                              .port = c->port,
	                              .step_timeout_us = (uint64_t)c->timeout_s * 1000000u,
	                              .deadline_us = (uint64_t)c->timeout_s * 3000000u,
	                              .helo = c->helo,
	                              .from = c->from,
	                              .to = (const char *const *)c->to,
	                              .n_to = c->n_to};
	a->session_events = n;
	a->last_start_us = mono_us();
	a->ever_sent = true;
	a->session = smtp_client_send(a->base, resolver(a), &cc, payload, len, on_done, a);
	if (!a->session)
		log_err("SMTP alert: out of memory, %u event(s) not mailed", n);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	start_session(arg);
}

/* Arms the timer for the queued events: the gather window after the first
 * of them, and the minimum interval after the previous mail. */
static void schedule(struct smtp_alert *a)
{
	uint64_t now = mono_us(), due;
	struct timeval tv;

	if (!a->count || a->session || evtimer_pending(a->timer, NULL))
		return;
	due = a->stopping ? now : a->first_us + SMTP_ALERT_GATHER_MS * 1000ULL;
	if (!a->stopping && a->ever_sent &&
	    due < a->last_start_us + SMTP_ALERT_INTERVAL_MS * 1000ULL)
		due = a->last_start_us + SMTP_ALERT_INTERVAL_MS * 1000ULL;
	us_to_timeval(due > now ? due - now : 0, &tv);
	evtimer_add(a->timer, &tv);
}

/* ---- the subscriber -------------------------------------------------------------- */

static void on_event(void *arg, const struct ka_event *ev)
{
	struct smtp_alert *a = arg;
	struct timespec ts;
	struct tm tm;
	char when[96] = "";
	struct smtp_event *slot;

	if (ev->kind == KA_EV_RELOAD || !ev->alert || ev->initial || a->stopping)
		return;
	if (a->conf && a->conf->no_email_faults &&
	    (ev->kind == KA_EV_VRRP_INSTANCE || ev->kind == KA_EV_VRRP_GROUP) && ev->state &&
	    !strcmp(ev->state, "FAULT"))
		return;
	if (a->conf && a->conf->no_checker_emails && ev->kind == KA_EV_RS)
		return;
	if (!a->conf || !a->conf->enabled) {
		if (!a->warned_disabled)
			log_warn("%s: smtp_alert is set but no smtp_server or no valid "
			         "notification_email is configured - no mail is sent",
			         a->proc);
		a->warned_disabled = true;
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	if (localtime_r(&ts.tv_sec, &tm))
		snprintf(when, sizeof(when), "%04d-%02d-%02d %02d:%02d:%02d.%03d",
		         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		         tm.tm_sec, (int)(ts.tv_nsec / 1000000) % 1000);
	if (a->count == SMTP_ALERT_QUEUE_MAX) {
		a->head = (a->head + 1) % SMTP_ALERT_QUEUE_MAX;
		a->count--;
		a->dropped++;
		if (!a->drop_logged)
			log_warn("SMTP alert: %u events waiting to be mailed - dropping the oldest",
			         SMTP_ALERT_QUEUE_MAX);
		a->drop_logged = true;
	}
	if (!a->count)
		a->first_us = mono_us();
	slot = &a->q[(a->head + a->count) % SMTP_ALERT_QUEUE_MAX];
	smtp_event_set(slot, ev, when);
	a->count++;
	schedule(a);
}

/* ---- life cycle ------------------------------------------------------------------ */

struct smtp_alert *smtp_alert_start(struct event_base *base, const struct conf_tree *t,
                                    const char *proc)
{
	struct smtp_alert *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->base = base;
	a->proc = proc;
	a->conf = conf_build(t, proc);
	a->timer = evtimer_new(base, on_timer, a);
	if (!a->conf || !a->timer || ka_event_subscribe(on_event, a) < 0) {
		if (a->timer)
			event_free(a->timer);
		conf_free(a->conf);
		free(a);
		log_err("%s: cannot set up SMTP alerts", proc);
		return NULL;
	}
	ensure_resolver(a);
	if (a->conf->enabled)
		log_info("%s: SMTP alerts to %zu recipient(s) through %s port %u", proc,
		         a->conf->n_to, a->conf->server, a->conf->port);
	return a;
}

void smtp_alert_reload(struct smtp_alert *a, const struct conf_tree *t)
{
	struct alert_conf *c;

	if (!a)
		return;
	c = conf_build(t, a->proc);
	if (!c) {
		log_err("%s: out of memory - SMTP alert settings unchanged", a->proc);
		return;
	}
	conf_free(a->conf);
	a->conf = c;
	a->warned_disabled = false;
	ensure_resolver(a);
}

static void on_stop_timer(evutil_socket_t fd, short what, void *arg)
{
	struct smtp_alert *a = arg;

	(void)fd;
	(void)what;
	event_base_loopbreak(a->base);
}

void smtp_alert_stop(struct smtp_alert *a, unsigned max_wait_ms)
{
	if (!a)
		return;
	ka_event_unsubscribe(on_event, a);
	a->stopping = true;
	evtimer_del(a->timer);
	if (a->count && a->conf && a->conf->enabled && !a->session)
		start_session(a);
	if (a->session && max_wait_ms) {
		struct timeval tv;

		/* The caller's loop has ended: run it once more, for this mail only
		 * and for a bounded time (as the child waits for stop scripts). */
		a->stop_timer = evtimer_new(a->base, on_stop_timer, a);
		if (a->stop_timer) {
			us_to_timeval((uint64_t)max_wait_ms * 1000u, &tv);
			evtimer_add(a->stop_timer, &tv);
			event_base_dispatch(a->base);
			event_free(a->stop_timer);
		}
	}
	if (a->session) {
		log_warn("SMTP alert: the mail about %u event(s) was not sent before the stop",
		         a->session_events);
		smtp_client_abort(a->session);
		a->session = NULL;
	}
	if (a->count)
		log_warn("SMTP alert: %zu event(s) not mailed at stop", a->count);
	event_free(a->timer);
	/* A resolver that has served a request may still own a cancelled
	 * lookup whose callback frees its session: it lives until exit. */
	if (a->dns && !a->dns_used)
		evdns_base_free(a->dns, 0);
	conf_free(a->conf);
	free(a);
}
