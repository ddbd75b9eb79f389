/* Alert mail composition: see smtp_msg.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify/smtp_msg.h"

/* ---- a growing string ------------------------------------------------------ */

struct sb {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_grow(struct sb *b, size_t more)
{
	size_t cap;
	char *np;

	if (b->oom || b->len + more + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 512;
	while (cap < b->len + more + 1)
		cap *= 2;
	np = realloc(b->p, cap);
	if (!np) {
		b->oom = true;
		return;
	}
	b->p = np;
	b->cap = cap;
}

static void sb_add(struct sb *b, const char *s, size_t n)
{
	sb_grow(b, n);
	if (b->oom)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	sb_grow(b, (size_t)n);
	if (b->oom)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* ---- values ---------------------------------------------------------------- */

char *smtp_clean(char *dst, size_t len, const char *src)
{
	size_t i = 0;

	if (!len)
		return dst;
	for (; src && *src && i + 1 < len; src++) {
		unsigned char ch = (unsigned char)*src;

		dst[i++] = ch < 0x20 || ch == 0x7f ? ' ' : ch >= 0x80 ? '?' : (char)ch;
	}
	dst[i] = '\0';
	return dst;
}

bool smtp_addr_ok(const char *a, const char **why)
{
	const char *w = NULL;
	size_t n;

	if (!a || !*a)
		w = "empty address";
	else if ((n = strlen(a)) > SMTP_ADDR_MAX)
		w = "address too long";
	else
		for (const char *p = a; *p; p++) {
			unsigned char ch = (unsigned char)*p;

			if (ch <= 0x20 || ch >= 0x7f) {
				w = "space, control or non-ASCII character in address";
				break;
			}
			if (strchr("<>(),;\"\\", ch)) {
				w = "forbidden character in address";
				break;
			}
		}
	if (w && why)
		*why = w;
	return !w;
}

bool smtp_helo_ok(const char *h)
{
	if (!h || !*h || strlen(h) > 255)
		return false;
	for (const char *p = h; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr(".-_:[]", ch)))
			return false;
	}
	return true;
}

void smtp_event_set(struct smtp_event *out, const struct ka_event *ev, const char *when)
{
	memset(out, 0, sizeof(*out));
	out->kind = ev->kind;
	smtp_clean(out->name, sizeof(out->name), ev->name);
	smtp_clean(out->state, sizeof(out->state), ev->state);
	smtp_clean(out->rs, sizeof(out->rs), ev->rs);
	out->prio = ev->prio;
	out->up = ev->up;
	smtp_clean(out->when, sizeof(out->when), when);
}

/* ---- subject and body -------------------------------------------------------- */

void smtp_event_summary(const struct smtp_event *ev, char *buf, size_t len)
{
	char name[SMTP_EV_NAME_MAX], state[sizeof(ev->state)], rs[SMTP_EV_NAME_MAX];
	char tmp[2 * SMTP_EV_NAME_MAX + 64];

	/* Cleaned again: the struct may not come from smtp_event_set. */
	smtp_clean(name, sizeof(name), ev->name);
	smtp_clean(state, sizeof(state), ev->state);
	smtp_clean(rs, sizeof(rs), ev->rs);
	switch (ev->kind) {
	case KA_EV_VRRP_INSTANCE:
	case KA_EV_VRRP_GROUP:
		snprintf(tmp, sizeof(tmp), "VRRP %s %s - Entering %s state",
		         ev->kind == KA_EV_VRRP_GROUP ? "Group" : "Instance", name, state);
		break;
	case KA_EV_RS:
		snprintf(tmp, sizeof(tmp), "Realserver %s of virtual server %s - %s", rs, name,
		         ev->up ? "UP" : "DOWN");
		break;
	case KA_EV_VS_QUORUM:
		snprintf(tmp, sizeof(tmp), "Virtualserver %s - quorum %s", name,
		         ev->up ? "UP" : "DOWN");
		break;
	default:
		snprintf(tmp, sizeof(tmp), "Configuration reload - %s", ev->up ? "OK" : "FAILED");
		break;
	}
	smtp_clean(buf, len, tmp);
}

void smtp_subject(const char *router_id, const struct smtp_event *ev, size_t n, char *buf,
                  size_t len)
{
	char rid[SMTP_EV_NAME_MAX], sum[3 * SMTP_EV_NAME_MAX], tmp[4 * SMTP_EV_NAME_MAX + 64];

	smtp_clean(rid, sizeof(rid), router_id);
	if (!n) {
		snprintf(tmp, sizeof(tmp), "[%s] no events", rid);
	} else {
		smtp_event_summary(&ev[0], sum, sizeof(sum));
		if (n == 1)
			snprintf(tmp, sizeof(tmp), "[%s] %s", rid, sum);
		else
			snprintf(tmp, sizeof(tmp), "[%s] %zu events, first: %s", rid, n, sum);
	}
	smtp_clean(buf, len, tmp);
}

/* What the event means, for the body. */
static void event_detail(const struct smtp_event *ev, char *buf, size_t len)
{
	char state[sizeof(ev->state)];

	smtp_clean(state, sizeof(state), ev->state);
	switch (ev->kind) {
	case KA_EV_VRRP_INSTANCE:
		if (!strcmp(state, "MASTER"))
			snprintf(buf, len,
			         "priority %d, this router now holds the virtual addresses",
			         ev->prio);
		else if (!strcmp(state, "FAULT"))
			snprintf(buf, len, "priority %d, the instance is failed", ev->prio);
		else
			snprintf(buf, len, "priority %d, the virtual addresses are not held here",
			         ev->prio);
		break;
	case KA_EV_VRRP_GROUP:
		snprintf(buf, len, "every instance of the group follows");
		break;
	case KA_EV_RS:
		snprintf(buf, len,
		         ev->up ? "the real server is back in service"
		                : "the real server is out of service");
		break;
	case KA_EV_VS_QUORUM:
		snprintf(buf, len,
		         ev->up ? "enough real servers are alive"
		                : "too few real servers are alive");
		break;
	default:
		buf[0] = '\0';
		break;
	}
}

static const char *month[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *wday[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

void smtp_date_fmt(time_t t, char *buf, size_t len)
{
	struct tm tm;
	long off;

	if (!localtime_r(&t, &tm)) {
		snprintf(buf, len, "Thu, 01 Jan 1970 00:00:00 +0000");
		return;
	}
	/* By hand, not strftime: the names must be English whatever the locale. */
	off = tm.tm_gmtoff / 60;
	snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld", wday[tm.tm_wday % 7],
	         tm.tm_mday, month[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
	         tm.tm_sec, off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60,
	         (off < 0 ? -off : off) % 60);
}

char *smtp_dot_stuff(const char *text, size_t len, size_t *outlen)
{
	struct sb b = {0};
	bool bol = true;
	size_t i;

	for (i = 0; i < len; i++) {
		char ch = text[i];

		if (ch == '\r' || ch == '\n') {
			if (ch == '\r' && i + 1 < len && text[i + 1] == '\n')
				i++;
			sb_add(&b, "\r\n", 2);
			bol = true;
			continue;
		}
		if (bol && ch == '.')
			sb_add(&b, ".", 1);
		sb_add(&b, &ch, 1);
		bol = false;
	}
	if (!bol)
		sb_add(&b, "\r\n", 2);
	sb_add(&b, ".\r\n", 3);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	if (outlen)
		*outlen = b.len;
	return b.p;
}

/* The Message-ID parts: atext only, so the header stays one token. */
static void id_part(char *dst, size_t len, const char *src, const char *dflt)
{
	size_t i = 0;

	for (; src && *src && i + 1 < len; src++) {
		unsigned char ch = (unsigned char)*src;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_')
			dst[i++] = (char)ch;
	}
	dst[i] = '\0';
	if (!i)
		snprintf(dst, len, "%s", dflt);
}

char *smtp_msg_compose(const struct smtp_msg_params *p, const struct smtp_event *ev, size_t n,
                       size_t *outlen, const char **why)
{
	struct sb h = {0}, body = {0};
	char subj[4 * SMTP_EV_NAME_MAX], rid[SMTP_EV_NAME_MAX], line[4 * SMTP_EV_NAME_MAX];
	char date[64], idl[128], idr[128], when[48], detail[128];
	const char *w = NULL;
	char *stuffed, *out = NULL;
	size_t slen = 0, nto = 0, i;

	if (!n)
		w = "no events";
	else
		(void)smtp_addr_ok(p->from, &w);
	for (i = 0; !w && i < p->n_to; i++)
		if (smtp_addr_ok(p->to[i], NULL))
			nto++;
	if (!w && !nto)
		w = "no valid recipient";
	if (w) {
		if (why)
			*why = w;
		return NULL;
	}

	smtp_clean(rid, sizeof(rid), p->router_id);
	smtp_subject(rid, ev, n, subj, sizeof(subj));
	smtp_clean(date, sizeof(date), p->date);
	id_part(idl, sizeof(idl), p->msgid, "0");
	id_part(idr, sizeof(idr), p->host, "localhost");

	sb_printf(&h, "From: %s\r\n", p->from);
	sb_puts(&h, "To: ");
	for (i = 0, nto = 0; i < p->n_to; i++) {
		if (!smtp_addr_ok(p->to[i], NULL))
			continue;
		/* One address per line: a long list never makes an over-long line. */
		if (nto++)
			sb_puts(&h, ",\r\n ");
		sb_puts(&h, p->to[i]);
	}
	sb_puts(&h, "\r\n");
	sb_printf(&h, "Subject: %s\r\n", subj);
	sb_printf(&h, "Date: %s\r\n", date);
	sb_printf(&h, "Message-ID: <%s.keepalived@%s>\r\n", idl, idr);
	sb_puts(&h, "MIME-Version: 1.0\r\n");
	sb_puts(&h, "Content-Type: text/plain; charset=us-ascii\r\n");
	sb_puts(&h, "Content-Transfer-Encoding: 7bit\r\n");
	sb_puts(&h, "\r\n");

	if (n == 1)
		sb_printf(&body, "Keepalived on %s reports an event:\n\n", rid);
	else
		sb_printf(&body, "Keepalived on %s reports %zu events, oldest first:\n\n", rid, n);
	for (i = 0; i < n; i++) {
		smtp_clean(when, sizeof(when), ev[i].when);
		smtp_event_summary(&ev[i], line, sizeof(line));
		event_detail(&ev[i], detail, sizeof(detail));
		sb_printf(&body, "%s  %s%s%s%s\n", when[0] ? when : "-", line,
		          detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
	}
	if (p->dropped)
		sb_printf(&body,
		          "\n%u earlier event(s) were dropped: more happened than one mail can "
		          "carry.\n",
		          p->dropped);
	if (h.oom || body.oom)
		goto out;
	stuffed = smtp_dot_stuff(body.p, body.len, &slen);
	if (!stuffed)
		goto out;
	sb_add(&h, stuffed, slen);
	free(stuffed);
	if (!h.oom) {
		out = h.p;
		h.p = NULL;
		if (outlen)
			*outlen = h.len;
	}
out:
	if (!out && why)
		*why = "out of memory";
	free(h.p);
	free(body.p);
	return out;
}
