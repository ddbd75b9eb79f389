/* The metrics endpoint, in the parent: an evhttp server on the parent's
 * event loop (metrics_listen) and a node_exporter textfile
 * (metrics_textfile).  A scrape is a "round": each running child is asked
 * over its control socket for its text (a memfd comes back), the round
 * ends when all have answered or after ROUND_MS, and every request that
 * waited gets the children's text followed by the parent's own families.
 * Nothing here waits: evhttp is asynchronous and has timeouts, a child
 * that is late is reported by keepalived_child_scrape_ok 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/parent_int.h"
#include "lib/addr.h"
#include "lib/mtime.h"
#include "lib/promtext.h"
#include "lib/safefile.h"
#include "version.h"

#define ROUND_MS 500u              /* the longest a scrape waits for children */
#define HTTP_TIMEOUT_S 5           /* per connection: read, write, idle */
#define MAX_HEADERS 8192           /* request headers, bytes */
#define MAX_WAITING 32             /* requests waiting for one round */
#define MAX_CHILD_TEXT (64u << 20) /* a child's page, bytes */

#define KA_METRICS_PORT 9712 /* 9650 is gen2brain's exporter, 9165 mehdy's */

static const char *const kid_label[KA_CHILD_MAX] = {"vrrp", "checker"};

/* A child's part in a round. */
enum ask { ASK_NONE, ASK_WAITING, ASK_ANSWERED, ASK_FAILED };

struct metrics_conf {
	bool listen;
	struct ka_addr addr;
	uint16_t port;
	char *textfile;
	unsigned interval_s;
};

struct waiting {
	struct evhttp_request *req;
	struct waiting *next;
};

struct ka_metrics {
	struct parent *p;
	struct metrics_conf conf;
	struct evhttp *http;
	struct event *textfile_ev;
	struct event *deadline_ev;
	/* the round in progress */
	bool active, for_textfile;
	uint32_t seq;
	uint64_t start_us;
	enum ask ask[KA_CHILD_MAX];
	char *text[KA_CHILD_MAX];
	size_t len[KA_CHILD_MAX];
	double took_s[KA_CHILD_MAX];
	struct waiting *waiting;
	unsigned n_waiting;
	/* the parent's own figures */
	time_t start_time, config_time, last_reload_time;
	bool last_reload_ok;
	unsigned long requests, rounds;
	bool textfile_failing;
};

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- configuration ---------------------------------------------------------- */

static conf_node *global_node(const struct conf_tree *t, const char *kw)
{
	conf_node *n = NULL;

	if (!t)
		return NULL;
	/* The last occurrence wins, as it does for other global keywords. */
	for (conf_node *g = conf_first(&t->root, "global_defs"); g; g = conf_next_named(g))
		for (conf_node *m = conf_first(g, kw); m; m = conf_next_named(m))
			n = m;
	return n;
}

static void conf_read(const struct conf_tree *t, struct metrics_conf *mc)
{
	conf_node *n = global_node(t, "metrics_listen");
	long long v;

	memset(mc, 0, sizeof(*mc));
	mc->port = KA_METRICS_PORT;
	mc->interval_s = 15;
	if (n) {
		mc->listen = true;
		if (!conf_arg(n, 1) || addr_parse(conf_arg(n, 1), &mc->addr) < 0)
			addr_parse("127.0.0.1", &mc->addr);
		if (conf_arg(n, 2) && conf_parse_int(conf_arg(n, 2), 1, 65535, &v) == 0)
			mc->port = (uint16_t)v;
	}
	n = global_node(t, "metrics_textfile");
	if (n && conf_arg(n, 1))
		mc->textfile = strdup(conf_arg(n, 1));
	n = global_node(t, "metrics_textfile_interval");
	if (n && conf_arg(n, 1) && conf_parse_int(conf_arg(n, 1), 1, 86400, &v) == 0)
		mc->interval_s = (unsigned)v;
}

static bool same_listen(const struct metrics_conf *a, const struct metrics_conf *b)
{
	return a->listen == b->listen &&
	       (!a->listen || (addr_equal(&a->addr, &b->addr) && a->port == b->port));
}

static bool is_loopback(const struct ka_addr *a)
{
	if (a->family == AF_INET)
		return (ntohl(a->u.v4.s_addr) >> 24) == 127;
	return IN6_IS_ADDR_LOOPBACK(&a->u.v6);
}

/* ---- the parent's families ------------------------------------------------------ */

static void parent_families(struct ka_metrics *m, struct prom *pr)
{
	struct parent *p = m->p;
	struct prom_fam *f;
	double now = wall_now();
	uint64_t mono = mono_us();

	f = prom_family(pr, "keepalived_up", PROM_GAUGE, "1: the keepalived parent answers.");
	prom_addu(f, 1, NULL);
	f = prom_family(pr, "keepalived_build_info", PROM_GAUGE,
	                "Always 1; the labels give the version and the git revision.");
	prom_addu(f, 1, "version", KA_VERSION, "revision", KA_GIT, NULL);
	f = prom_family(pr, "keepalived_start_time_seconds", PROM_GAUGE,
	                "When the parent process started (Unix time).");
	prom_addu(f, (uint64_t)m->start_time, NULL);
	f = prom_family(pr, "keepalived_config_reloads_total", PROM_COUNTER,
	                "Configuration reloads (SIGHUP) that took effect.");
	prom_addu(f, p->reloads, NULL);
	f = prom_family(pr, "keepalived_config_reload_failures_total", PROM_COUNTER,
	                "Configuration reloads refused (errors in the new configuration).");
	prom_addu(f, p->reload_failures, NULL);
	f = prom_family(pr, "keepalived_config_last_reload_successful", PROM_GAUGE,
	                "1 if the last reload took effect (or none was tried), 0 if it failed.");
	prom_addu(f, m->last_reload_ok, NULL);
	f = prom_family(pr, "keepalived_config_last_reload_timestamp_seconds", PROM_GAUGE,
	                "When the last reload was tried (Unix time), 0 if never.");
	prom_addu(f, (uint64_t)m->last_reload_time, NULL);
	f = prom_family(pr, "keepalived_config_load_timestamp_seconds", PROM_GAUGE,
	                "When the running configuration was loaded (Unix time).");
	prom_addu(f, (uint64_t)m->config_time, NULL);
	for (enum ka_child_kind k = 0; k < KA_CHILD_MAX; k++) {
		const struct kid *kid = &p->kids[k];

		if (!kid->started_us && kid->pid <= 0)
			continue; /* never configured */
		f = prom_family(pr, "keepalived_child_up", PROM_GAUGE,
		                "1 when the child process runs.");
		prom_addu(f, kid->pid > 0, "child", kid_label[k], NULL);
		f = prom_family(pr, "keepalived_child_restarts_total", PROM_COUNTER,
		                "Times the parent restarted the child after it died or hung.");
		prom_addu(f, kid->restarts, "child", kid_label[k], NULL);
		if (kid->pid > 0) {
			f = prom_family(pr, "keepalived_child_start_time_seconds", PROM_GAUGE,
			                "When the running child started (Unix time).");
			prom_addd(f,
			          (double)(uint64_t)(now - (double)(mono - kid->started_us) / 1e6),
			          "child", kid_label[k], NULL);
		}
	}
	for (enum ka_child_kind k = 0; k < KA_CHILD_MAX; k++) {
		if (m->ask[k] == ASK_NONE)
			continue;
		f = prom_family(pr, "keepalived_child_scrape_ok", PROM_GAUGE,
		                "1 if the child's metrics are in this page, 0 if it did not "
		                "answer in time (its families are then missing).");
		prom_addu(f, m->ask[k] == ASK_ANSWERED, "child", kid_label[k], NULL);
		if (m->ask[k] == ASK_ANSWERED) {
			f = prom_family(pr, "keepalived_child_scrape_duration_seconds", PROM_GAUGE,
			                "How long the child took to answer.");
			prom_addd(f, m->took_s[k], "child", kid_label[k], NULL);
		}
	}
	f = prom_family(pr, "keepalived_metrics_requests_total", PROM_COUNTER,
	                "HTTP requests received by the metrics endpoint.");
	prom_addu(f, m->requests, NULL);
}

/* The page: the children's text, then the parent's.  Families never
 * interleave: each process writes families of its own. */
static char *render_page(struct ka_metrics *m, size_t *len)
{
	char *buf = NULL;
	struct prom *pr = prom_new();
	FILE *fp = open_memstream(&buf, len);
	int rc = -1;

	if (fp && pr) {
		for (enum ka_child_kind k = 0; k < KA_CHILD_MAX; k++)
			if (m->ask[k] == ASK_ANSWERED && m->len[k])
				fwrite(m->text[k], 1, m->len[k], fp);
		parent_families(m, pr);
		rc = prom_write(pr, fp);
	}
	prom_free(pr);
	if (fp && fclose(fp) != 0)
		rc = -1;
	if (rc < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ---- textfile ---------------------------------------------------------------- */

static void textfile_write(struct ka_metrics *m, const char *body, size_t len)
{
	struct safe_file sf;
	const char *path = m->conf.textfile;

	if (!path)
		return;
	if (safe_file_open_mode(&sf, path, 0644) < 0) {
		if (!m->textfile_failing)
			log_err("Cannot write metrics textfile %s: %s", path, strerror(errno));
		m->textfile_failing = true;
		return;
	}
	fwrite(body, 1, len, sf.fp);
	if (ferror(sf.fp)) {
		safe_file_abort(&sf);
		errno = EIO;
	} else if (safe_file_commit(&sf) == 0) {
		if (m->textfile_failing)
			log_info("Metrics textfile %s written again", path);
		m->textfile_failing = false;
		return;
	}
	if (!m->textfile_failing)
		log_err("Cannot write metrics textfile %s: %s", path, strerror(errno));
	m->textfile_failing = true;
}

/* ---- rounds ------------------------------------------------------------------ */

static void reply(struct evhttp_request *req, int code, const char *reason, const char *ctype,
                  const char *body, size_t len)
{
	struct evbuffer *b = evbuffer_new();

	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", ctype);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	if (b && body)
		evbuffer_add(b, body, len);
	evhttp_send_reply(req, code, reason, b);
	if (b)
		evbuffer_free(b);
}

static void round_finish(struct ka_metrics *m)
{
	size_t len = 0;
	char *page;

	evtimer_del(m->deadline_ev);
	m->active = false;
	page = render_page(m, &len);
	while (m->waiting) {
		struct waiting *w = m->waiting;

		m->waiting = w->next;
		if (page)
			reply(w->req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", page,
			      len);
		else
			reply(w->req, 500, "Internal Server Error", "text/plain", "render failed\n",
			      14);
		free(w);
	}
	m->n_waiting = 0;
	if (m->for_textfile && page)
		textfile_write(m, page, len);
	m->for_textfile = false;
	free(page);
	for (enum ka_child_kind k = 0; k < KA_CHILD_MAX; k++) {
		free(m->text[k]);
		m->text[k] = NULL;
		m->len[k] = 0;
	}
}

static bool round_done(const struct ka_metrics *m)
{
	for (enum ka_child_kind k = 0; k < KA_CHILD_MAX; k++)
		if (m->ask[k] == ASK_WAITING)
			return false;
	return true;
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	round_finish(arg);
}

static void round_start(struct ka_metrics *m)
{
	struct timeval tv = {ROUND_MS / 1000, (ROUND_MS % 1000) * 1000};
	struct ka_hello h = {.magic = KA_METRICS_MAGIC};

	m->active = true;
	m->rounds++;
	m->seq++;
	m->start_us = mono_us();
	h.seq = m->seq;
	for (enum ka_child_kind k = 0; k < KA_CHILD_MAX; k++) {
		struct kid *kid = &m->p->kids[k];

		/* A running child that cannot be asked (its socket is full:
		 * stopped or hung) is reported as not answering. */
		if (kid->pid <= 0)
			m->ask[k] = ASK_NONE;
		else if (kid->ctl >= 0 && send(kid->ctl, &h, sizeof(h),
		                               MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)sizeof(h))
			m->ask[k] = ASK_WAITING;
		else
			m->ask[k] = ASK_FAILED;
	}
	if (round_done(m))
		round_finish(m);
	else
		evtimer_add(m->deadline_ev, &tv);
}

/* Read a child's page from its memfd (local memory: never blocks). */
static char *read_memfd(int fd, size_t *len)
{
	struct stat st;
	size_t got = 0;
	char *buf;

	if (fstat(fd, &st) < 0 || st.st_size < 0 || (uint64_t)st.st_size > MAX_CHILD_TEXT)
		return NULL;
	buf = malloc((size_t)st.st_size + 1);
	while (buf && got < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + got, (size_t)st.st_size - got, (off_t)got);

		if (n <= 0) {
			free(buf);
			return NULL;
		}
		got += (size_t)n;
	}
	if (buf)
		buf[got] = '\0';
	*len = got;
	return buf;
}

void parent_metrics_child_reply(struct parent *p, struct kid *kid, uint32_t seq, int fd)
{
	struct ka_metrics *m = p->metrics;
	enum ka_child_kind k = kid->kind;

	if (!m || !m->active || seq != m->seq || m->ask[k] != ASK_WAITING || fd < 0) {
		if (fd >= 0)
			close(fd); /* late: its round is over */
		return;
	}
	m->text[k] = read_memfd(fd, &m->len[k]);
	close(fd);
	if (!m->text[k]) {
		log_warn("Cannot read the %s child's metrics", kid_label[k]);
		m->ask[k] = ASK_FAILED;
		if (round_done(m))
			round_finish(m);
		return;
	}
	/* A page must end with a newline before the next one starts. */
	if (m->len[k] && m->text[k][m->len[k] - 1] != '\n') {
		char *t = realloc(m->text[k], m->len[k] + 2);

		if (t) {
			m->text[k] = t;
			t[m->len[k]++] = '\n';
			t[m->len[k]] = '\0';
		}
	}
	m->ask[k] = ASK_ANSWERED;
	m->took_s[k] = (double)(mono_us() - m->start_us) / 1e6;
	if (round_done(m))
		round_finish(m);
}

/* ---- HTTP ---------------------------------------------------------------------- */

static void on_request(struct evhttp_request *req, void *arg)
{
	struct ka_metrics *m = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	struct waiting *w;

	m->requests++;
	if (!path || (strcmp(path, "/metrics") != 0 && strcmp(path, "/") != 0)) {
		reply(req, 404, "Not Found", "text/plain", "not found: try /metrics\n", 24);
		return;
	}
	if (strcmp(path, "/") == 0) {
		static const char idx[] = "keepalived: metrics at /metrics\n";

		reply(req, 200, "OK", "text/plain", idx, sizeof(idx) - 1);
		return;
	}
	if (m->n_waiting >= MAX_WAITING || !(w = calloc(1, sizeof(*w)))) {
		reply(req, 503, "Service Unavailable", "text/plain", "busy\n", 5);
		return;
	}
	w->req = req;
	w->next = m->waiting;
	m->waiting = w;
	m->n_waiting++;
	if (!m->active)
		round_start(m);
}

static int listen_socket(const struct metrics_conf *mc)
{
	struct sockaddr_storage ss;
	socklen_t sl = addr_to_sockaddr(&mc->addr, mc->port, &ss);
	int fd = socket(mc->addr.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (mc->addr.family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 64) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void http_stop(struct ka_metrics *m)
{
	if (!m->http)
		return;
	/* Requests waiting for a round are answered before their server goes. */
	if (m->active && m->waiting)
		round_finish(m);
	evhttp_free(m->http);
	m->http = NULL;
}

static void http_start(struct ka_metrics *m)
{
	const struct metrics_conf *mc = &m->conf;
	struct timeval to = {HTTP_TIMEOUT_S, 0};
	char a[KA_ADDRSTRLEN + 16];
	int fd;

	addr_port_fmt(&mc->addr, mc->port, a, sizeof(a));
	fd = listen_socket(mc);
	if (fd < 0) {
		log_err("Cannot listen for metrics on %s: %s", a, strerror(errno));
		return;
	}
	m->http = evhttp_new(m->p->base);
	if (!m->http || !evhttp_accept_socket_with_handle(m->http, fd)) {
		log_err("Cannot serve metrics on %s", a);
		close(fd);
		if (m->http)
			evhttp_free(m->http);
		m->http = NULL;
		return;
	}
	evhttp_set_timeout_tv(m->http, &to);
	evhttp_set_max_headers_size(m->http, MAX_HEADERS);
	evhttp_set_max_body_size(m->http, 0);
	evhttp_set_allowed_methods(m->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_gencb(m->http, on_request, m);
	log_info("Serving metrics on http://%s/metrics%s", a,
	         is_loopback(&mc->addr) ? "" : " (not loopback: reachable from the network)");
}

/* ---- setup and reload ------------------------------------------------------ */

static void textfile_schedule(struct ka_metrics *m)
{
	struct timeval tv = {m->conf.interval_s, 0};

	event_del(m->textfile_ev);
	if (m->conf.textfile)
		event_add(m->textfile_ev, &tv);
}

static void on_textfile_tick(evutil_socket_t fd, short what, void *arg)
{
	struct ka_metrics *m = arg;

	(void)fd;
	(void)what;
	textfile_schedule(m);
	m->for_textfile = true;
	if (!m->active)
		round_start(m);
}

/* Take the new configuration: rebind when the listen address changed,
 * remove a textfile no longer configured (a stale file would show an old
 * state as current). */
static void apply(struct ka_metrics *m, bool first)
{
	struct metrics_conf nc;
	bool relisten, new_file;

	conf_read(m->p->cfg->tree, &nc);
	/* A bind that failed is retried by any reload. */
	relisten = first || !same_listen(&nc, &m->conf) || (nc.listen && !m->http);
	new_file = first || (nc.textfile == NULL) != (m->conf.textfile == NULL) ||
	           (nc.textfile && strcmp(nc.textfile, m->conf.textfile) != 0) ||
	           nc.interval_s != m->conf.interval_s;
	if (relisten)
		http_stop(m);
	if (!first && m->conf.textfile && (!nc.textfile || strcmp(nc.textfile, m->conf.textfile)))
		unlink(m->conf.textfile);
	free(m->conf.textfile);
	m->conf = nc;
	if (relisten && m->conf.listen)
		http_start(m);
	if (new_file) {
		m->textfile_failing = false;
		textfile_schedule(m);
		/* A first page soon rather than after a whole interval. */
		if (m->conf.textfile) {
			struct timeval soon = {1, 0};

			event_del(m->textfile_ev);
			event_add(m->textfile_ev, &soon);
		}
	}
}

int parent_metrics_init(struct parent *p)
{
	struct ka_metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return -1;
	m->p = p;
	m->start_time = m->config_time = time(NULL);
	m->last_reload_ok = true;
	m->textfile_ev = event_new(p->base, -1, 0, on_textfile_tick, m);
	m->deadline_ev = evtimer_new(p->base, on_deadline, m);
	p->metrics = m;
	if (!m->textfile_ev || !m->deadline_ev)
		return -1;
	apply(m, true);
	return 0;
}

void parent_metrics_reloaded(struct parent *p, bool ok)
{
	struct ka_metrics *m = p->metrics;

	if (!m)
		return;
	m->last_reload_time = time(NULL);
	m->last_reload_ok = ok;
	if (!ok)
		return;
	m->config_time = m->last_reload_time;
	apply(m, false);
}

void parent_metrics_free(struct parent *p)
{
	struct ka_metrics *m = p->metrics;

	if (!m)
		return;
	m->for_textfile = false;
	http_stop(m);
	if (m->active)
		round_finish(m);
	/* A textfile left behind would show this daemon as running. */
	if (m->conf.textfile)
		unlink(m->conf.textfile);
	if (m->textfile_ev)
		event_free(m->textfile_ev);
	if (m->deadline_ev)
		event_free(m->deadline_ev);
	free(m->conf.textfile);
	free(m);
	p->metrics = NULL;
}
