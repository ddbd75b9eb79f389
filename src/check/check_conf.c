/* Build the checker configuration (check_conf.h) from the parsed tree:
 * global LVS keywords, the SSL block, virtual_server_group and
 * virtual_server with its real servers.  Checker blocks are in
 * check_conf_chk.c. */
#include <grp.h>
#include <linux/ip_vs.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_conf_int.h"
#include "lib/script.h"

/* ---- arena ------------------------------------------------------------------ */

struct check_arena {
	struct check_arena *next;
	size_t used, cap;
	max_align_t data[];
};

#define ARENA_CHUNK (64 * 1024)

void *cb_alloc(struct cb *b, size_t n, size_t size)
{
	struct check_arena *a = b->c->arena;
	size_t want;
	void *p;

	if (size && n > SIZE_MAX / size) {
		b->oom = true;
		return NULL;
	}
	want = (n * size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!want)
		want = sizeof(max_align_t);
	if (!a || a->cap - a->used < want) {
		size_t cap = want > ARENA_CHUNK ? want : ARENA_CHUNK;

		a = malloc(sizeof(*a) + cap);
		if (!a) {
			b->oom = true;
			return NULL;
		}
		a->used = 0;
		a->cap = cap;
		a->next = b->c->arena;
		b->c->arena = a;
	}
	p = (char *)a->data + a->used;
	a->used += want;
	memset(p, 0, want);
	return p;
}

char *cb_strdup(struct cb *b, const char *s)
{
	size_t l;
	char *d;

	if (!s)
		return NULL;
	l = strlen(s);
	d = cb_alloc(b, 1, l + 1);
	if (d)
		memcpy(d, s, l + 1);
	return d;
}

void check_conf_free(struct check_conf *c)
{
	struct check_arena *a, *next;

	if (!c)
		return;
	for (a = c->arena; a; a = next) {
		next = a->next;
		free(a);
	}
	free(c);
}

void cb_report(struct cb *b, enum conf_sev sev, const conf_node *n, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (sev == CONF_SEV_WARN)
		b->c->counts.warnings++;
	else
		b->c->counts.errors[CONF_CLASS_CONFIG]++;
	if (!b->report)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	b->report(b->arg, sev, CONF_CLASS_CONFIG, n ? n->file : NULL, n ? n->lineno : 0, msg);
}

/* ---- values ----------------------------------------------------------------- */

bool cb_is(const conf_node *n, const char *name)
{
	return n->argc > 0 && strcmp(n->argv[0], name) == 0;
}

bool cb_bool(const conf_node *n)
{
	bool v = true;

	if (n->argc > 1 && conf_parse_bool(n->argv[1], &v) < 0)
		v = true;
	return v;
}

long long cb_int(const conf_node *n, int i, long long dflt)
{
	long long v;

	if (n->argc <= i ||
	    conf_parse_int(n->argv[i], -9223372036854775807LL, 9223372036854775807LL, &v) < 0)
		return dflt;
	return v;
}

uint64_t cb_timer(const conf_node *n, int i, uint64_t dflt)
{
	uint64_t v;

	if (n->argc <= i || conf_parse_timer_us(n->argv[i], 0, UINT64_MAX, &v) < 0)
		return dflt;
	return v;
}

struct check_cmd *cb_cmd(struct cb *b, const conf_node *n)
{
	struct check_cmd *cmd;
	char **argv;
	size_t len = 0;
	int i, argc = 0;

	if (n->argc < 2)
		return NULL;
	cmd = cb_alloc(b, 1, sizeof(*cmd));
	if (!cmd)
		return NULL;
	if (n->argc == 2) {
		char **tmp = script_argv_split(n->argv[1]);

		if (!tmp || !tmp[0] || !tmp[0][0]) {
			cb_err(b, n, "%s: cannot parse script '%s'", n->argv[0], n->argv[1]);
			script_argv_free(tmp);
			return NULL;
		}
		while (tmp[argc])
			argc++;
		argv = cb_alloc(b, (size_t)argc + 1, sizeof(char *));
		for (i = 0; argv && i < argc; i++)
			argv[i] = cb_strdup(b, tmp[i]);
		script_argv_free(tmp);
	} else {
		argc = n->argc - 1;
		argv = cb_alloc(b, (size_t)argc + 1, sizeof(char *));
		for (i = 0; argv && i < argc; i++)
			argv[i] = cb_strdup(b, n->argv[i + 1]);
	}
	if (!argv)
		return NULL;
	cmd->argv = argv;
	for (i = 1; i < n->argc; i++)
		len += strlen(n->argv[i]) + 1;
	cmd->text = cb_alloc(b, 1, len + 1);
	if (cmd->text)
		for (i = 1; i < n->argc; i++) {
			if (i > 1)
				strcat(cmd->text, " ");
			strcat(cmd->text, n->argv[i]);
		}
	cmd->set_ids = b->script_user_set;
	cmd->uid = b->script_uid;
	cmd->gid = b->script_gid;
	return cmd;
}

uint8_t *cb_hex(struct cb *b, const char *s, uint8_t **mask, size_t *len)
{
	size_t n = strlen(s), i;
	uint8_t *out, *m = NULL;

	*len = (n + 1) / 2;
	out = cb_alloc(b, *len ? *len : 1, 1);
	if (mask)
		m = *mask = cb_alloc(b, *len ? *len : 1, 1);
	if (!out || (mask && !m))
		return NULL;
	/* An odd count: the first digit is a low nibble. */
	for (i = 0; i < n; i++) {
		size_t pos = i + (n & 1);
		int v = conf_hex_digit((unsigned char)s[i]);
		uint8_t nib_mask = (pos & 1) ? 0x0f : 0xf0;

		if (v < 0) {
			v = 0; /* X wildcard: masked out */
		} else if (m) {
			m[pos / 2] |= nib_mask;
		}
		out[pos / 2] |= (uint8_t)((pos & 1) ? v : v << 4);
	}
	return out;
}

/* ---- global_defs ------------------------------------------------------------ */

void cb_resolve_user(struct cb *b, const conf_node *n, int i, bool *set, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;
	struct group *gr;

	if (n->argc <= i)
		return;
	pw = getpwnam(n->argv[i]);
	if (!pw) {
		cb_err(b, n, "%s: unknown user '%s'", n->argv[0], n->argv[i]);
		return;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (n->argc > i + 1) {
		gr = getgrnam(n->argv[i + 1]);
		if (!gr) {
			cb_err(b, n, "%s: unknown group '%s'", n->argv[0], n->argv[i + 1]);
			return;
		}
		*gid = gr->gr_gid;
	}
	*set = true;
}

static void build_globals(struct cb *b, const conf_node *root)
{
	struct check_conf *c = b->c;
	const conf_node *g, *n;

	for (g = conf_first(root, "global_defs"); g; g = conf_next_named(g)) {
		for (n = g->child; n; n = n->next) {
			if (cb_is(n, "script_user"))
				cb_resolve_user(b, n, 1, &b->script_user_set, &b->script_uid,
				                &b->script_gid);
			else if (cb_is(n, "lvs_flush"))
				c->lvs_flush = true;
			else if (cb_is(n, "lvs_flush_on_stop") || cb_is(n, "lvs_flush_onstop")) {
				c->lvs_flush_on_stop = true;
				c->lvs_flush_on_stop_vs = n->argc > 1;
			} else if (cb_is(n, "lvs_timeouts")) {
				for (int i = 1; i + 1 < n->argc; i += 2) {
					uint32_t v = (uint32_t)cb_int(n, i + 1, 0);

					if (strcmp(n->argv[i], "tcp") == 0)
						c->timeout_tcp = v;
					else if (strcmp(n->argv[i], "tcpfin") == 0)
						c->timeout_tcpfin = v;
					else if (strcmp(n->argv[i], "udp") == 0)
						c->timeout_udp = v;
				}
			} else if (cb_is(n, "lvs_notify_fifo") && n->argc > 1)
				c->lvs_fifo = cb_strdup(b, n->argv[1]);
			else if (cb_is(n, "notify_fifo") && n->argc > 1)
				c->notify_fifo = cb_strdup(b, n->argv[1]);
			else if (cb_is(n, "rs_init_notifies"))
				c->rs_init_notifies = cb_bool(n);
			else if (cb_is(n, "checker_log_all_failures"))
				c->log_all_failures = cb_bool(n);
		}
	}
	{
		char inst[64];

		c->has_syncd = lvs_syncd_from_tree(b->t, &c->syncd, inst, sizeof(inst));
		if (c->has_syncd && inst[0])
			c->syncd_instance = cb_strdup(b, inst);
	}
	for (g = conf_first(root, "SSL"); g; g = conf_next_named(g)) {
		c->tls.present = true;
		for (n = g->child; n; n = n->next) {
			char **slot = cb_is(n, "password")      ? &c->tls.password
			              : cb_is(n, "ca")          ? &c->tls.ca
			              : cb_is(n, "certificate") ? &c->tls.certificate
			              : cb_is(n, "key")         ? &c->tls.key
			                                        : NULL;

			if (slot && n->argc > 1)
				*slot = cb_strdup(b, n->argv[1]);
		}
	}
}

/* ---- virtual_server_group -------------------------------------------------- */

#define CHECK_MAX_GROUP_SVCS 65536

static const conf_node *find_group(const conf_node *root, const char *name)
{
	const conf_node *g;

	for (g = conf_first(root, "virtual_server_group"); g; g = conf_next_named(g))
		if (g->argc > 1 && strcmp(g->argv[1], name) == 0)
			return g;
	return NULL;
}

/* Count (out == NULL) or fill the services a group stands for. */
static size_t expand_group(const conf_node *g, const struct check_vs_conf *vs,
                           struct lvs_svc_key *out)
{
	const conf_node *l;
	size_t n = 0;

	for (l = g->child; l; l = l->next) {
		struct ka_addr first, last, a;
		uint16_t port = 0;

		if (l->argc < 1)
			continue;
		if (strcmp(l->argv[0], "fwmark") == 0) {
			if (out) {
				memset(&out[n], 0, sizeof(out[n]));
				out[n].fwmark = (uint32_t)cb_int(l, 1, 0);
				out[n].af = l->argc > 2 && strcmp(l->argv[2], "inet6") == 0
				                ? AF_INET6
				                : vs->af;
				out[n].protocol = vs->protocol;
			}
			n++;
			continue;
		}
		if (addr_parse_range(l->argv[0], &first, &last) < 0)
			continue;
		if (l->argc > 1)
			(void)port_parse(l->argv[1], &port);
		for (a = first;;) {
			if (n >= CHECK_MAX_GROUP_SVCS)
				return n;
			if (out) {
				memset(&out[n], 0, sizeof(out[n]));
				out[n].af = a.family;
				out[n].protocol = vs->protocol;
				out[n].addr = a;
				out[n].port = port;
			}
			n++;
			if (addr_equal(&a, &last) || addr_inc(&a) < 0)
				break;
		}
	}
	return n;
}

/* ---- virtual_server / real_server ------------------------------------------ */

static void parse_method(const conf_node *n, struct lvs_dest *d)
{
	int i;

	if (n->argc < 2)
		return;
	if (strcmp(n->argv[1], "DR") == 0)
		d->fwd = LVS_FWD_DR;
	else if (strcmp(n->argv[1], "TUN") == 0)
		d->fwd = LVS_FWD_TUN;
	else
		d->fwd = LVS_FWD_NAT;
	d->tun_type = IP_VS_CONN_F_TUNNEL_TYPE_IPIP;
	d->tun_port = 0;
	d->tun_flags = 0;
	for (i = 2; i < n->argc; i++) {
		const char *w = n->argv[i];

		if (strcmp(w, "type") == 0 && i + 1 < n->argc) {
			i++;
			if (strcmp(n->argv[i], "gue") == 0)
				d->tun_type = IP_VS_CONN_F_TUNNEL_TYPE_GUE;
			else if (strcmp(n->argv[i], "gre") == 0)
				d->tun_type = IP_VS_CONN_F_TUNNEL_TYPE_GRE;
		} else if (strcmp(w, "port") == 0 && i + 1 < n->argc) {
			(void)port_parse(n->argv[++i], &d->tun_port);
		} else if (strcmp(w, "nocsum") == 0) {
			d->tun_flags = IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM;
		} else if (strcmp(w, "csum") == 0) {
			d->tun_flags = IP_VS_TUNNEL_ENCAP_FLAG_CSUM;
		} else if (strcmp(w, "remcsum") == 0) {
			d->tun_flags = IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM;
		}
	}
}

static const char *proto_str(uint16_t p)
{
	return p == IPPROTO_UDP ? "udp" : p == IPPROTO_SCTP ? "sctp" : "tcp";
}

const char *check_rs_fmt(const struct check_vs_conf *vs, const struct check_rs_conf *rs, char *buf,
                         size_t len)
{
	char a[KA_ADDRSTRLEN];

	snprintf(buf, len, "[%s]:%s:%u", addr_fmt(&rs->addr, a, sizeof(a)), proto_str(vs->protocol),
	         rs->port);
	return buf;
}

static void vs_names(struct cb *b, struct check_vs_conf *vs)
{
	char buf[KA_ADDRSTRLEN + 64], a[KA_ADDRSTRLEN];

	if (vs->kind == CHECK_VS_FWMARK)
		snprintf(buf, sizeof(buf), "FWM %u", vs->fwmark);
	else if (vs->kind == CHECK_VS_GROUP)
		snprintf(buf, sizeof(buf), "[%s]:0", vs->group);
	else
		snprintf(buf, sizeof(buf), "[%s]:%s:%u", addr_fmt(&vs->addr, a, sizeof(a)),
		         proto_str(vs->protocol), vs->port);
	vs->fifo_name = cb_strdup(b, buf);
}

static void inherit_from(struct cb_inherit *in, const conf_node *n)
{
	if (cb_is(n, "retry"))
		in->retry = cb_int(n, 1, in->retry);
	else if (cb_is(n, "delay_before_retry"))
		in->delay_before_retry_us = cb_timer(n, 1, in->delay_before_retry_us);
	else if (cb_is(n, "delay_loop"))
		in->delay_loop_us = cb_timer(n, 1, in->delay_loop_us);
	else if (cb_is(n, "warmup"))
		in->warmup_us = cb_timer(n, 1, in->warmup_us);
	else if (cb_is(n, "connect_timeout"))
		in->connect_timeout_us = cb_timer(n, 1, in->connect_timeout_us);
	else if (cb_is(n, "alpha"))
		in->alpha = cb_bool(n);
	else if (cb_is(n, "virtualhost") && n->argc > 1)
		in->virtualhost = n->argv[1];
}

static bool is_checker_kw(const conf_node *n)
{
	static const char *const kws[] = {"TCP_CHECK",  "HTTP_GET",  "SSL_GET",    "SMTP_CHECK",
	                                  "DNS_CHECK",  "UDP_CHECK", "PING_CHECK", "MISC_CHECK",
	                                  "FILE_CHECK", "BFD_CHECK", NULL};

	for (int i = 0; kws[i]; i++)
		if (cb_is(n, kws[i]))
			return true;
	return false;
}

static void build_rs(struct cb *b, struct check_vs_conf *vs, const conf_node *n,
                     const struct cb_inherit *vsin, const struct lvs_dest *vsdest,
                     int32_t vs_weight, bool vs_inhibit, struct check_rs_conf *rs)
{
	struct cb_inherit in = *vsin;
	const conf_node *k;
	unsigned nchk = 0;

	rs->file = n->file;
	rs->line = n->lineno;
	(void)addr_parse(n->argv[1], &rs->addr);
	rs->port = vs->kind == CHECK_VS_ADDR ? vs->port : 0;
	if (n->argc > 2)
		(void)port_parse(n->argv[2], &rs->port);
	rs->dest = *vsdest;
	rs->dest.af = rs->addr.family;
	rs->dest.addr = rs->addr;
	rs->dest.port = rs->port;
	rs->dest.weight = vs_weight;
	rs->inhibit_on_failure = vs_inhibit;
	for (k = n->child; k; k = k->next) {
		inherit_from(&in, k);
		if (cb_is(k, "weight"))
			rs->dest.weight = (int32_t)cb_int(k, 1, 1);
		else if (cb_is(k, "lvs_method"))
			parse_method(k, &rs->dest);
		else if (cb_is(k, "uthreshold"))
			rs->dest.u_threshold = (uint32_t)cb_int(k, 1, 0);
		else if (cb_is(k, "lthreshold"))
			rs->dest.l_threshold = (uint32_t)cb_int(k, 1, 0);
		else if (cb_is(k, "inhibit_on_failure"))
			rs->inhibit_on_failure = cb_bool(k);
		else if (cb_is(k, "notify_up"))
			rs->notify_up = cb_cmd(b, k);
		else if (cb_is(k, "notify_down"))
			rs->notify_down = cb_cmd(b, k);
		else if (cb_is(k, "smtp_alert"))
			rs->smtp_alert = cb_bool(k);
		else if (is_checker_kw(k))
			nchk++;
	}
	if (!nchk)
		return;
	rs->checkers = cb_alloc(b, nchk, sizeof(*rs->checkers));
	if (!rs->checkers)
		return;
	for (k = n->child; k; k = k->next)
		if (is_checker_kw(k) &&
		    cb_build_checker(b, k, rs, &in, &rs->checkers[rs->n_checkers]) == 0)
			rs->n_checkers++;
}

static uint32_t v4_mask(unsigned plen)
{
	return plen ? htonl(~0u << (32 - plen)) : 0;
}

static void build_vs_attr(struct cb *b, struct check_vs_conf *vs, const conf_node *k)
{
	struct lvs_svc_attr *a = &vs->attr;

	if (cb_is(k, "lvs_sched") || cb_is(k, "lb_algo")) {
		snprintf(a->sched, sizeof(a->sched), "%s", k->argv[1]);
	} else if (cb_is(k, "hashed")) {
		a->flags |= IP_VS_SVC_F_HASHED;
	} else if (cb_is(k, "flag-1") || cb_is(k, "sh-fallback") || cb_is(k, "mh-fallback")) {
		a->flags |= IP_VS_SVC_F_SCHED1;
	} else if (cb_is(k, "flag-2") || cb_is(k, "sh-port") || cb_is(k, "mh-port")) {
		a->flags |= IP_VS_SVC_F_SCHED2;
	} else if (cb_is(k, "flag-3")) {
		a->flags |= IP_VS_SVC_F_SCHED3;
	} else if (cb_is(k, "ops")) {
		a->flags |= IP_VS_SVC_F_ONEPACKET;
	} else if (cb_is(k, "persistence_timeout")) {
		long long t = k->argc > 1 ? cb_int(k, 1, CHECK_DEFAULT_PERSISTENCE_S)
		                          : CHECK_DEFAULT_PERSISTENCE_S;

		if (t > 0) {
			a->flags |= IP_VS_SVC_F_PERSISTENT;
			a->timeout_s = (uint32_t)t;
		} else {
			a->flags &= ~(uint32_t)IP_VS_SVC_F_PERSISTENT;
			a->timeout_s = 0;
		}
	} else if (cb_is(k, "persistence_granularity")) {
		struct ka_addr m;

		if (addr_parse(k->argv[1], &m) == 0 && m.family == AF_INET)
			a->netmask = m.u.v4.s_addr;
		else
			a->netmask = (uint32_t)cb_int(k, 1, 0); /* prefix; fixed below */
	} else if (cb_is(k, "persistence_engine")) {
		snprintf(a->pe_name, sizeof(a->pe_name), "%s", k->argv[1]);
	} else {
		(void)b;
	}
}

/* smtp_alert of a VS or RS without its own: smtp_alert_checker if set,
 * else smtp_alert, else off. */
static bool smtp_alert_default(const conf_node *root)
{
	int all = -1, chk = -1;

	for (const conf_node *g = conf_first(root, "global_defs"); g; g = conf_next_named(g))
		for (const conf_node *n = g->child; n; n = n->next) {
			if (cb_is(n, "smtp_alert"))
				all = cb_bool(n);
			else if (cb_is(n, "smtp_alert_checker"))
				chk = cb_bool(n);
		}
	return chk >= 0 ? chk : all > 0;
}

static void build_vs(struct cb *b, const conf_node *root, const conf_node *n,
                     struct check_vs_conf *vs)
{
	struct cb_inherit in = {.retry = -1,
	                        .delay_before_retry_us = UINT64_MAX,
	                        .delay_loop_us = CHECK_DEFAULT_DELAY_LOOP_US,
	                        .warmup_us = UINT64_MAX,
	                        .connect_timeout_us = CHECK_DEFAULT_CONNECT_TIMEOUT_US,
	                        .alpha = -1};
	struct lvs_dest dest = {.fwd = LVS_FWD_NAT, .tun_type = IP_VS_CONN_F_TUNNEL_TYPE_IPIP};
	const conf_node *k, *sorry = NULL, *sorry_method = NULL;
	bool inhibit = false, have_proto = false, have_sched = false, have_family = false;
	int32_t weight = 1;
	unsigned nrs = 0;

	vs->file = n->file;
	vs->line = n->lineno;
	vs->quorum = 1;
	vs->smtp_alert = smtp_alert_default(root);
	vs->af = AF_INET;
	vs->protocol = IPPROTO_TCP;
	snprintf(vs->attr.sched, sizeof(vs->attr.sched), "wlc");
	if (strcmp(n->argv[1], "fwmark") == 0) {
		vs->kind = CHECK_VS_FWMARK;
		vs->fwmark = (uint32_t)cb_int(n, 2, 0);
	} else if (strcmp(n->argv[1], "group") == 0) {
		vs->kind = CHECK_VS_GROUP;
		vs->group = cb_strdup(b, n->argv[2]);
	} else {
		vs->kind = CHECK_VS_ADDR;
		(void)addr_parse(n->argv[1], &vs->addr);
		vs->af = vs->addr.family;
		if (n->argc > 2)
			(void)port_parse(n->argv[2], &vs->port);
	}
	for (k = n->child; k; k = k->next) {
		inherit_from(&in, k);
		build_vs_attr(b, vs, k);
		if (cb_is(k, "lvs_sched") || cb_is(k, "lb_algo"))
			have_sched = true;
		else if (cb_is(k, "lvs_method") || cb_is(k, "lb_kind"))
			parse_method(k, &dest);
		else if (cb_is(k, "protocol")) {
			have_proto = true;
			vs->protocol = strcasecmp(k->argv[1], "UDP") == 0    ? IPPROTO_UDP
			               : strcasecmp(k->argv[1], "SCTP") == 0 ? IPPROTO_SCTP
			                                                     : IPPROTO_TCP;
		} else if (cb_is(k, "ip_family")) {
			have_family = true;
			vs->af = strcmp(k->argv[1], "inet6") == 0 ? AF_INET6 : AF_INET;
		} else if (cb_is(k, "quorum"))
			vs->quorum = (uint32_t)cb_int(k, 1, 1);
		else if (cb_is(k, "hysteresis"))
			vs->hysteresis = (uint32_t)cb_int(k, 1, 0);
		else if (cb_is(k, "quorum_up"))
			vs->quorum_up = cb_cmd(b, k);
		else if (cb_is(k, "quorum_down"))
			vs->quorum_down = cb_cmd(b, k);
		else if (cb_is(k, "omega"))
			vs->omega = cb_bool(k);
		else if (cb_is(k, "ha_suspend")) {
			vs->ha_suspend = true;
			cb_warn(b, k, "ha_suspend is not supported yet - the checks always run");
		} else if (cb_is(k, "smtp_alert"))
			vs->smtp_alert = cb_bool(k);
		else if (cb_is(k, "weight"))
			weight = (int32_t)cb_int(k, 1, 1);
		else if (cb_is(k, "inhibit_on_failure"))
			inhibit = cb_bool(k);
		else if (cb_is(k, "sorry_server"))
			sorry = k;
		else if (cb_is(k, "sorry_server_inhibit"))
			vs->sorry_inhibit = cb_bool(k);
		else if (cb_is(k, "sorry_server_lvs_method"))
			sorry_method = k;
		else if (cb_is(k, "real_server"))
			nrs++;
	}
	if (vs->kind == CHECK_VS_ADDR && have_family && vs->af != vs->addr.family)
		cb_err(b, n, "virtual_server %s: ip_family does not match the address", n->argv[1]);
	if (vs->kind == CHECK_VS_ADDR)
		vs->af = vs->addr.family;
	/* Upstream's defaults, with its warnings. */
	if (!have_proto && vs->kind != CHECK_VS_FWMARK) {
		vs->protocol = IPPROTO_UDP;
		cb_warn(b, n, "virtual_server %s: no protocol set - defaulting to UDP",
		        n->argc > 1 ? n->argv[1] : "");
	}
	if (!have_sched)
		cb_warn(b, n, "virtual_server %s: no scheduler set, setting default 'wlc'",
		        n->argc > 1 ? n->argv[1] : "");
	/* persistence_granularity as a prefix length */
	if (vs->attr.netmask && vs->attr.netmask <= 128 && vs->af == AF_INET)
		vs->attr.netmask = v4_mask(vs->attr.netmask > 32 ? 32 : vs->attr.netmask);
	if (!vs->attr.netmask && (vs->attr.flags & IP_VS_SVC_F_PERSISTENT))
		vs->attr.netmask = vs->af == AF_INET6 ? 128 : 0xffffffffu;
	vs_names(b, vs);

	/* The kernel services. */
	if (vs->kind == CHECK_VS_GROUP) {
		const conf_node *g = find_group(root, vs->group);

		if (!g) {
			cb_err(b, n,
			       "virtual_server group %s: no virtual_server_group of that name",
			       vs->group);
		} else {
			vs->n_svcs = expand_group(g, vs, NULL);
			if (vs->n_svcs >= CHECK_MAX_GROUP_SVCS)
				cb_err(b, g, "virtual_server_group %s: more than %u services",
				       vs->group, CHECK_MAX_GROUP_SVCS);
			vs->svcs = cb_alloc(b, vs->n_svcs ? vs->n_svcs : 1, sizeof(*vs->svcs));
			if (vs->svcs)
				expand_group(g, vs, vs->svcs);
		}
	} else {
		vs->n_svcs = 1;
		vs->svcs = cb_alloc(b, 1, sizeof(*vs->svcs));
		if (vs->svcs) {
			vs->svcs->af = vs->af;
			vs->svcs->protocol = vs->protocol;
			vs->svcs->addr = vs->addr;
			vs->svcs->port = vs->port;
			vs->svcs->fwmark = vs->fwmark;
		}
	}

	if (sorry) {
		vs->has_sorry = true;
		vs->sorry = dest;
		if (sorry_method)
			parse_method(sorry_method, &vs->sorry);
		(void)addr_parse(sorry->argv[1], &vs->sorry.addr);
		vs->sorry.af = vs->sorry.addr.family;
		vs->sorry.port = vs->kind == CHECK_VS_ADDR ? vs->port : 0;
		if (sorry->argc > 2)
			(void)port_parse(sorry->argv[2], &vs->sorry.port);
		vs->sorry.weight = 1;
	}
	if (!nrs)
		return;
	vs->rs = cb_alloc(b, nrs, sizeof(*vs->rs));
	if (!vs->rs)
		return;
	for (k = conf_first(n, "real_server"); k; k = conf_next_named(k)) {
		struct check_rs_conf *rs = &vs->rs[vs->n_rs];

		if (k->argc < 2)
			continue;
		rs->smtp_alert = smtp_alert_default(root);
		build_rs(b, vs, k, &in, &dest, weight, inhibit, rs);
		for (unsigned j = 0; j < vs->n_rs; j++)
			if (addr_equal(&vs->rs[j].addr, &rs->addr) && vs->rs[j].port == rs->port) {
				cb_warn(
				    b, k,
				    "real_server %s %u: duplicate in this virtual_server - ignored",
				    k->argv[1], rs->port);
				goto next;
			}
		vs->n_rs++;
	next:;
	}
}

struct check_conf *check_conf_build(const struct conf_tree *t, conf_report_fn report, void *arg)
{
	struct cb b = {.t = t, .report = report, .arg = arg};
	const conf_node *root = &t->root, *n;
	unsigned nvs = 0;

	b.c = calloc(1, sizeof(*b.c));
	if (!b.c)
		return NULL;
	build_globals(&b, root);
	cb_plane_globals(&b, root);
	for (n = conf_first(root, "virtual_server"); n; n = conf_next_named(n))
		nvs++;
	if (nvs)
		b.c->vs = cb_alloc(&b, nvs, sizeof(*b.c->vs));
	for (n = conf_first(root, "virtual_server"); n && b.c->vs; n = conf_next_named(n)) {
		if (n->argc < 2)
			continue;
		build_vs(&b, root, n, &b.c->vs[b.c->n_vs]);
		cb_plane_vs(&b, n, &b.c->vs[b.c->n_vs++]);
	}
	if (b.oom) {
		check_conf_free(b.c);
		return NULL;
	}
	return b.c;
}
