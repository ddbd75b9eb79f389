/* The identity of a check: two checkers with the same key are the same
 * check (same target, type, parameters and timing) and run once. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check/check_conf.h"

struct kbuf {
	char *p;
	size_t len, used;
};

__attribute__((format(printf, 2, 3))) static void put(struct kbuf *k, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(k->used < k->len ? k->p + k->used : NULL,
	              k->used < k->len ? k->len - k->used : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		k->used += (size_t)n;
}

static void put_str(struct kbuf *k, const char *s)
{
	/* Length-prefixed, so no separator inside a value can fake another key. */
	put(k, "%zu:%s|", s ? strlen(s) : (size_t)0, s ? s : "");
}

static void put_bytes(struct kbuf *k, const uint8_t *b, size_t n)
{
	put(k, "%zu:", n);
	for (size_t i = 0; b && i < n; i++)
		put(k, "%02x", b[i]);
	put(k, "|");
}

static void put_conn(struct kbuf *k, const struct check_conn *c)
{
	char a[KA_ADDRSTRLEN], b[KA_ADDRSTRLEN];

	put(k, "%s/%u>", c->addr.family ? addr_fmt(&c->addr, a, sizeof(a)) : "-", c->port);
	put(k, "%s/%u/%s/%u/%llu|",
	    c->has_bind && c->bind.family ? addr_fmt(&c->bind, b, sizeof(b)) : "-",
	    c->has_bind ? c->bind_port : 0, c->bind_if, c->fwmark,
	    (unsigned long long)c->connect_timeout_us);
}

size_t check_cfg_key(const struct check_cfg *c, char *buf, size_t len)
{
	struct kbuf k = {buf, len, 0};
	unsigned i;

	if (len)
		buf[0] = '\0';
	put(&k, "%d|", (int)c->type);
	put_conn(&k, &c->conn);
	put(&k, "%u/%llu/%llu/%llu/%d/%d|", c->retry, (unsigned long long)c->delay_before_retry_us,
	    (unsigned long long)c->delay_loop_us, (unsigned long long)c->warmup_us, c->alpha,
	    c->log_all_failures);
	switch (c->type) {
	case CHECK_HTTP:
	case CHECK_SSL:
		put_str(&k, c->u.http.virtualhost);
		put(&k, "%d/%d/%d/%d|", (int)c->u.http.proto, c->u.http.fast_recovery,
		    c->u.http.enable_sni, c->u.http.tls_compliant);
		put_str(&k, c->u.http.sni_name);
		for (i = 0; i < c->u.http.n_urls; i++) {
			const struct check_http_url *u = &c->u.http.urls[i];

			put_str(&k, u->path);
			put_str(&k, u->virtualhost);
			put_bytes(&k, u->has_digest ? u->digest : NULL, u->has_digest ? 16 : 0);
			for (unsigned j = 0; j < u->n_status; j++)
				put(&k, "%u-%u,", u->status[j].lo, u->status[j].hi);
			put(&k, "|");
		}
		break;
	case CHECK_SMTP:
		put_str(&k, c->u.smtp.helo_name);
		for (i = 0; i < c->u.smtp.n_hosts; i++)
			put_conn(&k, &c->u.smtp.hosts[i]);
		break;
	case CHECK_DNS:
		put(&k, "%u|", c->u.dns.qtype);
		put_str(&k, c->u.dns.name);
		break;
	case CHECK_UDP:
		put_bytes(&k, c->u.udp.payload, c->u.udp.payload_len);
		put(&k, "%d/%u/%u|", c->u.udp.require_reply, c->u.udp.min_reply_len,
		    c->u.udp.max_reply_len);
		put_bytes(&k, c->u.udp.reply, c->u.udp.reply_len);
		put_bytes(&k, c->u.udp.reply_mask, c->u.udp.reply_mask ? c->u.udp.reply_len : 0);
		break;
	case CHECK_MISC:
		for (i = 0; c->u.misc.argv && c->u.misc.argv[i]; i++)
			put_str(&k, c->u.misc.argv[i]);
		put(&k, "%llu/%d/%d/%u/%u|", (unsigned long long)c->u.misc.timeout_us,
		    c->u.misc.dynamic, c->u.misc.set_ids, (unsigned)c->u.misc.uid,
		    (unsigned)c->u.misc.gid);
		break;
	case CHECK_FILE:
		put_str(&k, c->u.file.path);
		put(&k, "%d/%d|", c->u.file.weight, c->u.file.reverse);
		break;
	default:
		break;
	}
	return k.used;
}
