/* Checker blocks of a real server -> struct check_cfg, with upstream's
 * per-type defaults (reference §2.5 and §5.1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/check_conf_int.h"

static const struct {
	const char *kw;
	enum check_type type;
	uint16_t default_port; /* when neither connect_port nor the RS has one */
} types[] = {
    {"TCP_CHECK", CHECK_TCP, 0},    {"HTTP_GET", CHECK_HTTP, 80},  {"SSL_GET", CHECK_SSL, 443},
    {"SMTP_CHECK", CHECK_SMTP, 25}, {"DNS_CHECK", CHECK_DNS, 53},  {"UDP_CHECK", CHECK_UDP, 0},
    {"PING_CHECK", CHECK_PING, 0},  {"MISC_CHECK", CHECK_MISC, 0}, {"FILE_CHECK", CHECK_FILE, 0},
    {"BFD_CHECK", CHECK_BFD, 0},
};

const char *check_type_str(enum check_type t)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (types[i].type == t)
			return types[i].kw;
	return "?";
}

/* Connection keywords of a checker block or an SMTP host block. */
static void conn_kw(const conf_node *k, struct check_conn *c)
{
	if (cb_is(k, "connect_ip"))
		(void)addr_parse(k->argv[1], &c->addr);
	else if (cb_is(k, "connect_port"))
		(void)port_parse(k->argv[1], &c->port);
	else if (cb_is(k, "bindto")) {
		(void)addr_parse(k->argv[1], &c->bind);
		c->has_bind = true;
	} else if (cb_is(k, "bind_port")) {
		(void)port_parse(k->argv[1], &c->bind_port);
		c->has_bind = true;
	} else if (cb_is(k, "bind_if"))
		snprintf(c->bind_if, sizeof(c->bind_if), "%s", k->argv[1]);
	else if (cb_is(k, "connect_timeout"))
		c->connect_timeout_us = cb_timer(k, 1, c->connect_timeout_us);
	else if (cb_is(k, "fwmark"))
		c->fwmark = (uint32_t)cb_int(k, 1, 0);
}

static void build_url(struct cb *b, const conf_node *u, struct check_http_url *url)
{
	const conf_node *k;

	for (k = u->child; k; k = k->next) {
		if (cb_is(k, "path") && k->argc > 1) {
			url->path = cb_strdup(b, k->argv[1]);
		} else if (cb_is(k, "digest") && k->argc > 1) {
			size_t len;
			uint8_t *d = cb_hex(b, k->argv[1], NULL, &len);

			if (d && len == 16) {
				memcpy(url->digest, d, 16);
				url->has_digest = true;
			}
		} else if (cb_is(k, "status_code")) {
			url->status = cb_alloc(b, (size_t)k->argc, sizeof(*url->status));
			for (int i = 1; url->status && i < k->argc; i++) {
				char *dash = strchr(k->argv[i], '-');
				unsigned long lo = strtoul(k->argv[i], NULL, 10);
				unsigned long hi = dash ? strtoul(dash + 1, NULL, 10) : lo;

				url->status[url->n_status].lo = (uint16_t)lo;
				url->status[url->n_status].hi = (uint16_t)hi;
				url->n_status++;
			}
		} else if (cb_is(k, "virtualhost") && k->argc > 1) {
			url->virtualhost = cb_strdup(b, k->argv[1]);
		}
	}
	if (!url->path)
		url->path = cb_strdup(b, "/");
}

static int build_http(struct cb *b, const conf_node *n, struct check_cfg *c, const char *vhost)
{
	struct check_http *h = &c->u.http;
	const conf_node *k;
	unsigned nurl = conf_count(n, "url");

	h->virtualhost = vhost ? cb_strdup(b, vhost) : NULL;
	h->proto = HTTP_PROTO_10;
	if (nurl)
		h->urls = cb_alloc(b, nurl, sizeof(*h->urls));
	for (k = n->child; k; k = k->next) {
		if (cb_is(k, "url") && h->urls)
			build_url(b, k, &h->urls[h->n_urls++]);
		else if (cb_is(k, "virtualhost") && k->argc > 1)
			h->virtualhost = cb_strdup(b, k->argv[1]);
		else if (cb_is(k, "http_protocol") && k->argc > 1)
			h->proto = strcmp(k->argv[1], "1.1") == 0    ? HTTP_PROTO_11
			           : strcmp(k->argv[1], "1.0C") == 0 ? HTTP_PROTO_10C
			                                             : HTTP_PROTO_10;
		else if (cb_is(k, "fast_recovery"))
			h->fast_recovery = cb_bool(k);
		else if (cb_is(k, "enable_sni"))
			h->enable_sni = cb_bool(k);
		else if (cb_is(k, "sni_name") && k->argc > 1)
			h->sni_name = cb_strdup(b, k->argv[1]);
		else if (cb_is(k, "tls_compliant"))
			h->tls_compliant = cb_bool(k);
	}
	if (!h->n_urls) {
		cb_err(b, n, "%s: no url configured - checker ignored", n->argv[0]);
		return -1;
	}
	c->n_steps = h->n_urls;
	return 0;
}

static int build_smtp(struct cb *b, const conf_node *n, struct check_cfg *c)
{
	struct check_smtp *s = &c->u.smtp;
	unsigned nhost = conf_count(n, "host");
	const conf_node *k, *h;
	char name[256];

	if (nhost)
		s->hosts = cb_alloc(b, nhost, sizeof(*s->hosts));
	for (k = n->child; k; k = k->next) {
		if (cb_is(k, "helo_name") && k->argc > 1)
			s->helo_name = cb_strdup(b, k->argv[1]);
		if (!cb_is(k, "host") || !s->hosts)
			continue;
		struct check_conn *hc = &s->hosts[s->n_hosts++];

		*hc = c->conn;
		for (h = k->child; h; h = h->next)
			conn_kw(h, hc);
		if (hc->port == 0)
			hc->port = 25;
	}
	if (!s->helo_name) {
		if (gethostname(name, sizeof(name)) < 0)
			snprintf(name, sizeof(name), "localhost");
		name[sizeof(name) - 1] = '\0';
		s->helo_name = cb_strdup(b, name);
	}
	return 0;
}

static uint16_t dns_qtype(const char *s)
{
	static const struct {
		const char *name;
		uint16_t v;
	} t[] = {{"A", 1},    {"NS", 2},    {"CNAME", 5},  {"SOA", 6},    {"MX", 15},
	         {"TXT", 16}, {"AAAA", 28}, {"RRSIG", 46}, {"DNSKEY", 48}};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(s, t[i].name) == 0)
			return t[i].v;
	return 6;
}

static int build_udp(struct cb *b, const conf_node *n, struct check_cfg *c)
{
	struct check_udp *u = &c->u.udp;
	const conf_node *k;

	u->max_reply_len = 255;
	for (k = n->child; k; k = k->next) {
		if (cb_is(k, "payload") && k->argc > 1) {
			u->payload = cb_hex(b, k->argv[1], NULL, &u->payload_len);
		} else if (cb_is(k, "require_reply")) {
			u->require_reply = true;
			if (k->argc > 1)
				u->reply = cb_hex(b, k->argv[1], &u->reply_mask, &u->reply_len);
		} else if (cb_is(k, "min_reply_length")) {
			u->min_reply_len = (uint32_t)cb_int(k, 1, 0);
		} else if (cb_is(k, "max_reply_length")) {
			u->max_reply_len = (uint32_t)cb_int(k, 1, 255);
		}
	}
	return 0;
}

static int build_misc(struct cb *b, const conf_node *n, struct check_cfg *c)
{
	struct check_misc *m = &c->u.misc;
	const conf_node *k;
	bool timeout_set = false;

	for (k = n->child; k; k = k->next) {
		if (cb_is(k, "misc_path")) {
			struct check_cmd *cmd = cb_cmd(b, k);

			if (cmd) {
				m->argv = cmd->argv;
				m->text = cmd->text;
				m->set_ids = cmd->set_ids;
				m->uid = cmd->uid;
				m->gid = cmd->gid;
			}
		} else if (cb_is(k, "misc_timeout")) {
			m->timeout_us = (uint64_t)cb_int(k, 1, 0) * 1000000u;
			timeout_set = m->timeout_us != 0;
		} else if (cb_is(k, "misc_dynamic")) {
			m->dynamic = cb_bool(k);
		}
	}
	/* `user` is applied after misc_path whatever the order. */
	for (k = conf_first(n, "user"); k; k = conf_next_named(k)) {
		bool set = false;

		cb_resolve_user(b, k, 1, &set, &m->uid, &m->gid);
		if (set)
			m->set_ids = true;
	}
	if (!timeout_set)
		m->timeout_us = c->delay_loop_us;
	if (!m->argv) {
		cb_err(b, n, "MISC_CHECK: no misc_path - checker ignored");
		return -1;
	}
	return 0;
}

static const conf_node *find_track_file(const conf_node *root, const char *name)
{
	static const char *const kws[] = {"track_file", "vrrp_track_file"};

	for (size_t i = 0; i < 2; i++)
		for (const conf_node *t = conf_first(root, kws[i]); t; t = conf_next_named(t))
			if (t->argc > 1 && strcmp(t->argv[1], name) == 0)
				return t;
	return NULL;
}

static void file_weight(const conf_node *k, int *weight, bool *reverse)
{
	*weight = (int)cb_int(k, 1, *weight);
	*reverse = k->argc > 2 && strcmp(k->argv[2], "reverse") == 0;
}

static int build_file(struct cb *b, const conf_node *n, struct check_cfg *c)
{
	struct check_file *f = &c->u.file;
	const conf_node *k, *tf = NULL;

	f->weight = 1;
	for (k = n->child; k; k = k->next)
		if (cb_is(k, "track_file") && k->argc > 1)
			f->name = cb_strdup(b, k->argv[1]);
	if (!f->name) {
		cb_err(b, n, "FILE_CHECK: no track_file - checker ignored");
		return -1;
	}
	tf = find_track_file(&b->t->root, f->name);
	if (!tf) {
		cb_err(b, n, "FILE_CHECK: track_file %s is not defined - checker ignored", f->name);
		return -1;
	}
	for (k = tf->child; k; k = k->next) {
		if (cb_is(k, "file") && k->argc > 1)
			f->path = cb_strdup(b, k->argv[1]);
		else if (cb_is(k, "weight"))
			file_weight(k, &f->weight, &f->reverse);
	}
	for (k = conf_first(n, "weight"); k; k = conf_next_named(k))
		file_weight(k, &f->weight, &f->reverse);
	if (!f->path) {
		cb_err(b, n, "FILE_CHECK: track_file %s has no file - checker ignored", f->name);
		return -1;
	}
	return 0;
}

int cb_build_checker(struct cb *b, const conf_node *n, const struct check_rs_conf *rs,
                     const struct cb_inherit *in, struct check_cfg *c)
{
	struct cb_inherit my = *in;
	const conf_node *k;
	size_t ti;
	uint16_t dport;

	for (ti = 0; ti < sizeof(types) / sizeof(types[0]); ti++)
		if (cb_is(n, types[ti].kw))
			break;
	if (ti == sizeof(types) / sizeof(types[0]))
		return -1;
	memset(c, 0, sizeof(*c));
	c->type = types[ti].type;
	dport = types[ti].default_port;
	c->file = n->file;
	c->line = n->lineno;
	c->n_steps = 1;
	c->conn.addr = rs->addr;
	c->conn.port = rs->port;
	c->log_all_failures = b->c->log_all_failures;
	for (k = n->child; k; k = k->next) {
		if (cb_is(k, "retry") || cb_is(k, "nb_get_retry"))
			my.retry = cb_int(k, 1, my.retry);
		else if (cb_is(k, "delay_before_retry"))
			my.delay_before_retry_us = cb_timer(k, 1, my.delay_before_retry_us);
		else if (cb_is(k, "delay_loop"))
			my.delay_loop_us = cb_timer(k, 1, my.delay_loop_us);
		else if (cb_is(k, "warmup"))
			my.warmup_us = cb_timer(k, 1, my.warmup_us);
		else if (cb_is(k, "connect_timeout"))
			my.connect_timeout_us = cb_timer(k, 1, my.connect_timeout_us);
		else if (cb_is(k, "alpha"))
			my.alpha = cb_bool(k);
		else if (cb_is(k, "log_all_failures"))
			c->log_all_failures = cb_bool(k);
	}
	c->delay_loop_us = my.delay_loop_us;
	c->conn.connect_timeout_us = my.connect_timeout_us;
	for (k = n->child; k; k = k->next)
		conn_kw(k, &c->conn);
	if (c->conn.port == 0)
		c->conn.port = dport;
	if (c->conn.has_bind && c->conn.bind.family == 0)
		c->conn.bind.family = AF_UNSPEC;
	if (c->type == CHECK_FILE)
		c->retry = 0; /* the file's value is the verdict: acted on at once */
	else if (my.retry >= 0)
		c->retry = (unsigned)my.retry;
	else
		c->retry = c->type == CHECK_MISC ? 0 : c->type == CHECK_DNS ? 3 : 1;
	if (my.delay_before_retry_us != UINT64_MAX)
		c->delay_before_retry_us = my.delay_before_retry_us;
	else if (c->type == CHECK_HTTP || c->type == CHECK_SSL)
		c->delay_before_retry_us = 3000000;
	else if (c->type == CHECK_DNS)
		c->delay_before_retry_us = c->delay_loop_us;
	else
		c->delay_before_retry_us = 1000000;
	c->warmup_us = my.warmup_us != UINT64_MAX ? my.warmup_us : c->delay_loop_us;
	c->alpha = my.alpha > 0;

	switch (c->type) {
	case CHECK_HTTP:
	case CHECK_SSL:
		return build_http(b, n, c, my.virtualhost);
	case CHECK_SMTP:
		return build_smtp(b, n, c);
	case CHECK_DNS:
		c->u.dns.qtype = 6;
		c->u.dns.name = cb_strdup(b, ".");
		for (k = n->child; k; k = k->next) {
			if (cb_is(k, "type") && k->argc > 1)
				c->u.dns.qtype = dns_qtype(k->argv[1]);
			else if (cb_is(k, "name") && k->argc > 1)
				c->u.dns.name = cb_strdup(b, k->argv[1]);
		}
		return 0;
	case CHECK_UDP:
		return build_udp(b, n, c);
	case CHECK_MISC:
		return build_misc(b, n, c);
	case CHECK_FILE:
		return build_file(b, n, c);
	case CHECK_BFD:
		cb_warn(b, n, "BFD_CHECK is not supported yet - checker ignored");
		return -1;
	default:
		return 0;
	}
}
