/* AgentX subagent session.  See agentx_sess.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/log.h"
#include "snmp/agentx_sess.h"

#define RESP_MAX 65536 /* one response PDU we build */

enum sess_state { S_IDLE, S_CONNECTING, S_OPENING, S_REGISTERING, S_READY };

struct pending_trap {
	uint8_t *body; /* encoded varbinds */
	size_t len;
};

struct agentx_sess {
	struct event_base *base;
	struct agentx_sess_cfg cfg;
	char *addr;
	enum sess_state st;
	int fd;
	struct event *rev, *wev, *retry_tm, *resp_tm, *ping_tm;
	unsigned backoff_ms;
	uint32_t session_id, next_packet;
	uint32_t wait_packet; /* Open or Ping awaiting its response (0 none) */
	uint32_t reg_first;   /* packet ids of the Registers: reg_first.. */
	size_t reg_left;
	uint8_t *in;
	size_t in_len, in_cap;
	uint8_t *out;
	size_t out_len, out_cap;
	uint8_t *resp; /* RESP_MAX scratch */
	struct agentx_pdu *pdu;
	struct pending_trap *pend;
	size_t n_pend;
	bool logged_down;        /* "cannot reach the master" said once per outage */
	uint64_t dropped_logged; /* traps_dropped already reported */
	struct agentx_sess_stats stats;
};

static void sess_connect(struct agentx_sess *s);

static const char *nm(const struct agentx_sess *s)
{
	return s->cfg.name ? s->cfg.name : "SNMP";
}

static void ms_tv(unsigned ms, struct timeval *tv)
{
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (long)(ms % 1000) * 1000;
}

static void disconnect(struct agentx_sess *s, const char *why)
{
	if (s->fd >= 0) {
		if (s->st == S_READY || !s->logged_down)
			log_warn("%s SNMP: AgentX connection to %s lost (%s); will reconnect",
			         nm(s), s->addr, why);
		s->logged_down = true;
		event_del(s->rev);
		event_del(s->wev);
		close(s->fd);
		s->fd = -1;
	}
	event_del(s->resp_tm);
	event_del(s->ping_tm);
	s->in_len = s->out_len = 0;
	s->wait_packet = 0;
	s->reg_left = 0;
	s->st = S_IDLE;

	struct timeval tv;

	ms_tv(s->backoff_ms, &tv);
	evtimer_add(s->retry_tm, &tv);
	s->backoff_ms *= 2;
	if (s->backoff_ms > s->cfg.backoff_max_ms)
		s->backoff_ms = s->cfg.backoff_max_ms;
}

/* ---- output ---------------------------------------------------------------- */

static void flush_out(struct agentx_sess *s)
{
	while (s->out_len) {
		ssize_t k = send(s->fd, s->out, s->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				event_add(s->wev, NULL);
				return;
			}
			disconnect(s, strerror(errno));
			return;
		}
		memmove(s->out, s->out + k, s->out_len - (size_t)k);
		s->out_len -= (size_t)k;
	}
	event_del(s->wev);
}

/* Queue one encoded PDU; false when it does not fit (stalled master). */
static bool queue_out(struct agentx_sess *s, const uint8_t *p, size_t n)
{
	if (s->fd < 0 || n > s->cfg.outq_max - s->out_len)
		return false;
	if (s->out_cap < s->out_len + n) {
		size_t cap = s->out_len + n > 4096 ? s->out_len + n : 4096;
		uint8_t *nb;

		if (cap < s->out_cap * 2)
			cap = s->out_cap * 2;
		if (cap > s->cfg.outq_max)
			cap = s->cfg.outq_max;
		nb = realloc(s->out, cap);
		if (!nb)
			return false;
		s->out = nb;
		s->out_cap = cap;
	}
	memcpy(s->out + s->out_len, p, n);
	s->out_len += n;
	flush_out(s);
	return true;
}

static struct agentx_hdr hdr(struct agentx_sess *s, uint8_t type)
{
	struct agentx_hdr h = {.type = type, .session_id = s->session_id};

	h.packet_id = ++s->next_packet;
	if (!h.packet_id)
		h.packet_id = ++s->next_packet;
	return h;
}

static void arm_resp(struct agentx_sess *s)
{
	struct timeval tv;

	ms_tv(s->cfg.timeout_ms, &tv);
	evtimer_add(s->resp_tm, &tv);
}

static void arm_ping(struct agentx_sess *s)
{
	struct timeval tv;

	ms_tv(s->cfg.ping_ms, &tv);
	evtimer_add(s->ping_tm, &tv);
}

/* ---- traps --------------------------------------------------------------- */

static bool send_trap(struct agentx_sess *s, const uint8_t *body, size_t len)
{
	struct agentx_wbuf w;
	struct agentx_hdr h = hdr(s, AGENTX_NOTIFY);

	agentx_wbuf_init(&w, s->resp, RESP_MAX);
	agentx_begin(&w, &h);
	if (len > RESP_MAX - AGENTX_HDR_LEN)
		return false;
	memcpy(w.p + w.len, body, len);
	w.len += len;
	long n = agentx_end(&w);

	if (n < 0 || !queue_out(s, s->resp, (size_t)n))
		return false;
	s->stats.traps_sent++;
	return true;
}

static void flush_pending(struct agentx_sess *s)
{
	size_t i;

	for (i = 0; i < s->n_pend && s->st == S_READY; i++) {
		if (!send_trap(s, s->pend[i].body, s->pend[i].len))
			s->stats.traps_dropped++;
		free(s->pend[i].body);
	}
	for (size_t j = i; j < s->n_pend; j++) /* left by a disconnect */
		s->pend[j - i] = s->pend[j];
	s->n_pend -= i;
}

int agentx_sess_notify(struct agentx_sess *s, const struct agentx_oid *trap,
                       const struct agentx_varbind *vbs, size_t n)
{
	static const uint32_t trap_oid0[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
	struct agentx_varbind *tv = malloc(sizeof(*tv));
	struct agentx_wbuf w;
	uint8_t *body;

	if (!tv) {
		s->stats.traps_dropped++;
		return -1;
	}
	memset(tv, 0, sizeof(*tv));
	tv->type = AGENTX_V_OID;
	agentx_oid_set(&tv->name, trap_oid0, sizeof(trap_oid0) / sizeof(trap_oid0[0]));
	tv->v.oid = *trap;
	agentx_wbuf_init(&w, s->resp, RESP_MAX);
	agentx_put_varbind(&w, tv);
	free(tv);
	for (size_t i = 0; i < n; i++)
		agentx_put_varbind(&w, &vbs[i]);
	if (w.overflow) {
		s->stats.traps_dropped++;
		return -1;
	}
	if (s->st == S_READY && s->n_pend == 0) {
		body = malloc(w.len);
		if (!body) {
			s->stats.traps_dropped++;
			return -1;
		}
		memcpy(body, w.p, w.len);
		bool ok = send_trap(s, body, w.len);

		free(body);
		if (!ok) {
			s->stats.traps_dropped++;
			return -1;
		}
		return 0;
	}
	/* not registered yet: keep it for later, bounded */
	if (s->n_pend == s->cfg.max_pending) {
		free(s->pend[0].body);
		memmove(s->pend, s->pend + 1, (s->n_pend - 1) * sizeof(*s->pend));
		s->n_pend--;
		s->stats.traps_dropped++;
	}
	body = malloc(w.len);
	if (!body) {
		s->stats.traps_dropped++;
		return -1;
	}
	memcpy(body, w.p, w.len);
	s->pend[s->n_pend++] = (struct pending_trap){body, w.len};
	return 0;
}

/* ---- requests from the master --------------------------------------------- */

struct resp_ctx {
	struct agentx_sess *s;
	struct agentx_wbuf *w;
	struct agentx_varbind *vb;
	size_t count;
};

static bool emit_vb(void *arg, const struct agentx_oid *name, const struct mib_val *v)
{
	struct resp_ctx *rc = arg;
	size_t mark = rc->w->len;

	mib_val_to_vb(name, v, rc->vb);
	agentx_put_varbind(rc->w, rc->vb);
	if (rc->w->overflow || rc->count >= 1024) {
		/* a partial GetBulk answer is allowed: end before the overflow */
		rc->w->len = mark;
		rc->w->overflow = false;
		return false;
	}
	rc->count++;
	return true;
}

static void answer(struct agentx_sess *s, const struct agentx_pdu *q)
{
	struct agentx_hdr h = q->h;
	struct agentx_wbuf w;
	struct agentx_varbind *vb = malloc(sizeof(*vb));
	struct mib_val *v = malloc(sizeof(*v));
	struct agentx_oid out;
	uint16_t err = AGENTX_E_NOERROR, index = 0;
	size_t errpos;
	long n;

	if (!vb || !v) {
		free(vb);
		free(v);
		return;
	}
	h.type = AGENTX_RESPONSE;
	h.flags &= (uint8_t) ~(AGENTX_F_NON_DEFAULT_CONTEXT | AGENTX_F_INSTANCE_REGISTRATION);
	agentx_wbuf_init(&w, s->resp, RESP_MAX);
	agentx_begin(&w, &h);
	agentx_put_u32(&w, 0); /* sysUpTime: unused in a subagent's response */
	errpos = w.len;
	agentx_put_u16(&w, 0);
	agentx_put_u16(&w, 0);
	if (q->h.flags & AGENTX_F_NON_DEFAULT_CONTEXT) {
		err = AGENTX_E_UNSUPPORTEDCONTEXT;
	} else if (q->h.type == AGENTX_GETBULK) {
		struct resp_ctx rc = {s, &w, vb, 0};

		mib_begin(s->cfg.mib);
		mib_getbulk(s->cfg.mib, q->ranges, q->n_ranges, q->non_repeaters,
		            q->max_repetitions, emit_vb, &rc);
	} else if (q->h.type == AGENTX_GET || q->h.type == AGENTX_GETNEXT) {
		mib_begin(s->cfg.mib);
		for (size_t i = 0; i < q->n_ranges && !w.overflow; i++) {
			if (q->h.type == AGENTX_GET)
				mib_get(s->cfg.mib, &q->ranges[i].start, &out, v);
			else
				mib_getnext(s->cfg.mib, &q->ranges[i].start, &q->ranges[i].end,
				            &out, v);
			mib_val_to_vb(&out, v, vb);
			agentx_put_varbind(&w, vb);
		}
		if (w.overflow) { /* tooBig: answer with the error alone */
			w.overflow = false;
			w.len = errpos + 4;
			err = 1;
		}
	} else if (q->h.type == AGENTX_TESTSET) {
		err = AGENTX_E_NOTWRITABLE;
		index = 1;
	} else {
		err = AGENTX_E_PROCESSINGERROR;
	}
	w.p[errpos] = (uint8_t)(err >> 8), w.p[errpos + 1] = (uint8_t)err;
	w.p[errpos + 2] = (uint8_t)(index >> 8), w.p[errpos + 3] = (uint8_t)index;
	n = agentx_end(&w);
	if (n > 0 && !queue_out(s, s->resp, (size_t)n))
		s->stats.out_dropped++;
	s->stats.requests++;
	free(vb);
	free(v);
}

static void send_registers(struct agentx_sess *s)
{
	s->reg_first = s->next_packet + 1;
	s->reg_left = s->cfg.n_subtrees;
	for (size_t i = 0; i < s->cfg.n_subtrees; i++) {
		struct agentx_wbuf w;
		struct agentx_hdr h = hdr(s, AGENTX_REGISTER);

		agentx_wbuf_init(&w, s->resp, RESP_MAX);
		agentx_begin(&w, &h);
		agentx_put_u8(&w, (uint8_t)((s->cfg.timeout_ms + 999) / 1000));
		agentx_put_u8(&w, s->cfg.priority);
		agentx_put_u8(&w, 0);
		agentx_put_u8(&w, 0);
		agentx_put_oid(&w, &s->cfg.subtrees[i]);
		long n = agentx_end(&w);

		if (n < 0 || !queue_out(s, s->resp, (size_t)n)) {
			disconnect(s, "cannot queue Register");
			return;
		}
	}
	s->st = S_REGISTERING;
	arm_resp(s);
	if (!s->reg_left) {
		s->st = S_READY;
		event_del(s->resp_tm);
	}
}

static void became_ready(struct agentx_sess *s)
{
	s->st = S_READY;
	event_del(s->resp_tm);
	s->backoff_ms = s->cfg.backoff_min_ms;
	s->stats.connects++;
	log_info("%s SNMP: AgentX subagent registered with %s (session %u)", nm(s), s->addr,
	         s->session_id);
	s->logged_down = false;
	if (s->stats.traps_dropped != s->dropped_logged) {
		log_warn(
		    "%s SNMP: %llu trap(s) dropped while the master was unreachable or stalled",
		    nm(s), (unsigned long long)(s->stats.traps_dropped - s->dropped_logged));
		s->dropped_logged = s->stats.traps_dropped;
	}
	arm_ping(s);
	flush_pending(s);
}

static void on_response(struct agentx_sess *s, const struct agentx_pdu *p)
{
	uint32_t id = p->h.packet_id;

	if (s->st == S_OPENING && id == s->wait_packet) {
		s->wait_packet = 0;
		if (p->error) {
			log_warn("%s SNMP: the AgentX master refused Open (error %u)", nm(s),
			         p->error);
			disconnect(s, "Open refused");
			return;
		}
		s->session_id = p->h.session_id;
		send_registers(s);
		return;
	}
	if (s->st == S_REGISTERING && id >= s->reg_first && id < s->reg_first + s->cfg.n_subtrees) {
		if (p->error) {
			char b[256];

			log_warn("%s SNMP: registering %s failed (error %u)", nm(s),
			         agentx_oid_fmt(&s->cfg.subtrees[id - s->reg_first], b, sizeof(b)),
			         p->error);
		}
		if (--s->reg_left == 0)
			became_ready(s);
		else
			arm_resp(s);
		return;
	}
	if (s->st == S_READY && id == s->wait_packet) { /* Ping answered */
		s->wait_packet = 0;
		event_del(s->resp_tm);
		arm_ping(s);
	}
	/* anything else: a Notify's response; nothing to do */
}

static void handle(struct agentx_sess *s, const uint8_t *buf, size_t len)
{
	const char *why = NULL;
	struct agentx_pdu *p = s->pdu;

	if (agentx_decode(buf, len, p, &why) < 0) {
		s->stats.bad_pdus++;
		log_warn("%s SNMP: bad AgentX PDU from the master: %s", nm(s), why);
		/* answer requests anyway so the master does not wait on us */
		if (p->h.type >= AGENTX_GET && p->h.type <= AGENTX_TESTSET) {
			struct agentx_wbuf w;
			struct agentx_hdr h = p->h;

			h.type = AGENTX_RESPONSE;
			h.flags = 0;
			agentx_wbuf_init(&w, s->resp, RESP_MAX);
			agentx_begin(&w, &h);
			agentx_put_u32(&w, 0);
			agentx_put_u16(&w, AGENTX_E_PARSEERROR);
			agentx_put_u16(&w, 0);
			long n = agentx_end(&w);
			if (n > 0 && !queue_out(s, s->resp, (size_t)n))
				s->stats.out_dropped++;
		}
		return;
	}
	switch (p->h.type) {
	case AGENTX_RESPONSE:
		on_response(s, p);
		break;
	case AGENTX_GET:
	case AGENTX_GETNEXT:
	case AGENTX_GETBULK:
	case AGENTX_TESTSET:
	case AGENTX_COMMITSET:
	case AGENTX_UNDOSET:
		if (s->st == S_READY || s->st == S_REGISTERING)
			answer(s, p);
		break;
	case AGENTX_CLEANUPSET: /* no response (RFC 2741 §7.2.4.4) */
		break;
	case AGENTX_CLOSE:
		disconnect(s, "closed by the master");
		break;
	default:
		s->stats.bad_pdus++;
		break;
	}
}

/* ---- events ---------------------------------------------------------------- */

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct agentx_sess *s = arg;

	(void)fd;
	(void)what;
	for (int rounds = 0; rounds < 64 && s->fd >= 0; rounds++) {
		if (s->in_cap - s->in_len < 4096) {
			size_t cap = s->in_cap ? s->in_cap * 2 : 16384;
			uint8_t *nb;

			if (cap > AGENTX_MAX_PDU + AGENTX_HDR_LEN + 65536) {
				disconnect(s, "input too large");
				return;
			}
			nb = realloc(s->in, cap);
			if (!nb) {
				disconnect(s, "out of memory");
				return;
			}
			s->in = nb;
			s->in_cap = cap;
		}
		ssize_t k = recv(s->fd, s->in + s->in_len, s->in_cap - s->in_len, MSG_DONTWAIT);

		if (k == 0) {
			disconnect(s, "closed");
			return;
		}
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				disconnect(s, strerror(errno));
			return;
		}
		s->in_len += (size_t)k;
		size_t pos = 0;

		while (s->fd >= 0) {
			long need = agentx_pdu_size(s->in + pos, s->in_len - pos);

			if (need < 0) {
				s->stats.bad_pdus++;
				disconnect(s, "bad AgentX header");
				return;
			}
			if (need == 0 || (size_t)need > s->in_len - pos)
				break;
			handle(s, s->in + pos, (size_t)need);
			pos += (size_t)need;
		}
		if (s->fd < 0)
			return;
		memmove(s->in, s->in + pos, s->in_len - pos);
		s->in_len -= pos;
	}
}

static void send_open(struct agentx_sess *s)
{
	static const uint32_t id[] = {1, 3, 6, 1, 4, 1, 9586, 100, 5};
	struct agentx_oid oid;
	struct agentx_wbuf w;
	struct agentx_hdr h;
	const char *d = s->cfg.descr ? s->cfg.descr : "keepalived";

	s->session_id = 0;
	h = hdr(s, AGENTX_OPEN);
	agentx_oid_set(&oid, id, sizeof(id) / sizeof(id[0]));
	agentx_wbuf_init(&w, s->resp, RESP_MAX);
	agentx_begin(&w, &h);
	agentx_put_u8(&w, (uint8_t)((s->cfg.timeout_ms + 999) / 1000));
	agentx_put_u8(&w, 0), agentx_put_u16(&w, 0);
	agentx_put_oid(&w, &oid);
	agentx_put_str(&w, d, (uint32_t)strlen(d));
	long n = agentx_end(&w);

	s->st = S_OPENING;
	s->wait_packet = h.packet_id;
	if (n < 0 || !queue_out(s, s->resp, (size_t)n)) {
		disconnect(s, "cannot send Open");
		return;
	}
	if (s->fd >= 0)
		arm_resp(s);
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
	struct agentx_sess *s = arg;

	(void)what;
	if (s->st == S_CONNECTING) {
		int err = 0;
		socklen_t l = sizeof(err);

		event_del(s->wev);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0 || err) {
			disconnect(s, strerror(err ? err : errno));
			return;
		}
		event_add(s->rev, NULL);
		send_open(s);
		return;
	}
	flush_out(s);
}

static void on_resp_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct agentx_sess *s = arg;

	(void)fd;
	(void)what;
	s->stats.timeouts++;
	disconnect(s, s->st == S_CONNECTING ? "connect timed out" : "the master did not answer");
}

static void on_ping(evutil_socket_t fd, short what, void *arg)
{
	struct agentx_sess *s = arg;
	struct agentx_wbuf w;
	struct agentx_hdr h;

	(void)fd;
	(void)what;
	if (s->st != S_READY)
		return;
	h = hdr(s, AGENTX_PING);
	agentx_wbuf_init(&w, s->resp, RESP_MAX);
	agentx_begin(&w, &h);
	long n = agentx_end(&w);

	if (n < 0 || !queue_out(s, s->resp, (size_t)n)) {
		/* the queue is full: the master has not read for a while */
		s->stats.timeouts++;
		disconnect(s, "output queue full");
		return;
	}
	if (s->fd >= 0) {
		s->wait_packet = h.packet_id;
		arm_resp(s);
	}
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	sess_connect(arg);
}

/* "PATH", "unix:PATH", "tcp:HOST:PORT" (numeric host or localhost). */
static int open_socket(const char *addr, int *fd_out)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, fam;

	memset(&ss, 0, sizeof(ss));
	if (!strncmp(addr, "tcp:", 4)) {
		char host[256];
		const char *colon = strrchr(addr + 4, ':');
		size_t hl;
		char *end;
		unsigned long port;

		if (!colon)
			return -EINVAL;
		hl = (size_t)(colon - (addr + 4));
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, addr + 4, hl);
		host[hl] = 0;
		port = strtoul(colon + 1, &end, 10);
		if (*end || !port || port > 65535)
			return -EINVAL;
		if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
			memmove(host, host + 1, hl - 2);
			host[hl - 2] = 0;
		}
		if (!strcmp(host, "localhost") || !host[0])
			strcpy(host, "127.0.0.1");
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)port);
			sl = sizeof(*s4);
		} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((uint16_t)port);
			sl = sizeof(*s6);
		} else {
			return -EINVAL;
		}
		fam = ss.ss_family;
	} else {
		struct sockaddr_un *su = (struct sockaddr_un *)&ss;

		if (!strncmp(addr, "unix:", 5))
			addr += 5;
		if (strlen(addr) >= sizeof(su->sun_path) || !addr[0])
			return -EINVAL;
		su->sun_family = AF_UNIX;
		strcpy(su->sun_path, addr);
		sl = sizeof(*su);
		fam = AF_UNIX;
	}
	fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (fam != AF_UNIX) {
		int one = 1;

		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	*fd_out = fd;
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		/* EAGAIN on a unix socket is a full backlog (a stalled master): a
		 * failure to retry later, not a connect in progress */
		if (errno == EINPROGRESS)
			return 1;
		int e = errno;

		close(fd);
		*fd_out = -1;
		return -e;
	}
	return 0;
}

static void sess_connect(struct agentx_sess *s)
{
	int fd = -1, r;

	s->stats.attempts++;
	r = open_socket(s->addr, &fd);
	if (r < 0) {
		if (!s->logged_down)
			log_warn("%s SNMP: cannot connect to the AgentX master %s: %s; will retry",
			         nm(s), s->addr, strerror(-r));
		s->logged_down = true;
		disconnect(s, strerror(-r));
		return;
	}
	s->fd = fd;
	event_assign(s->rev, s->base, fd, EV_READ | EV_PERSIST, on_read, s);
	event_assign(s->wev, s->base, fd, EV_WRITE | EV_PERSIST, on_write, s);
	if (r == 1) {
		s->st = S_CONNECTING;
		event_add(s->wev, NULL);
		arm_resp(s);
		return;
	}
	event_add(s->rev, NULL);
	send_open(s);
}

struct agentx_sess *agentx_sess_new(struct event_base *base, const struct agentx_sess_cfg *cfg)
{
	struct agentx_sess *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->base = base;
	s->cfg = *cfg;
	s->fd = -1;
	if (!s->cfg.priority)
		s->cfg.priority = 127;
	if (!s->cfg.timeout_ms)
		s->cfg.timeout_ms = 1000;
	if (!s->cfg.ping_ms)
		s->cfg.ping_ms = 5000;
	if (!s->cfg.backoff_min_ms)
		s->cfg.backoff_min_ms = 500;
	if (!s->cfg.backoff_max_ms)
		s->cfg.backoff_max_ms = 5000;
	if (!s->cfg.outq_max)
		s->cfg.outq_max = 256 * 1024;
	if (s->cfg.outq_max < RESP_MAX + 1024)
		s->cfg.outq_max = RESP_MAX + 1024;
	if (!s->cfg.max_pending)
		s->cfg.max_pending = 32;
	s->backoff_ms = s->cfg.backoff_min_ms;
	s->addr = strdup(cfg->addr && cfg->addr[0] ? cfg->addr : AGENTX_DEFAULT_SOCKET);
	s->cfg.addr = s->addr;
	s->resp = malloc(RESP_MAX);
	s->pdu = malloc(sizeof(*s->pdu));
	s->pend = calloc(s->cfg.max_pending, sizeof(*s->pend));
	s->rev = event_new(base, -1, 0, on_read, s);
	s->wev = event_new(base, -1, 0, on_write, s);
	s->retry_tm = evtimer_new(base, on_retry, s);
	s->resp_tm = evtimer_new(base, on_resp_timeout, s);
	s->ping_tm = evtimer_new(base, on_ping, s);
	if (!s->addr || !s->resp || !s->pdu || !s->pend || !s->rev || !s->wev || !s->retry_tm ||
	    !s->resp_tm || !s->ping_tm) {
		agentx_sess_free(s);
		return NULL;
	}
	sess_connect(s);
	return s;
}

void agentx_sess_free(struct agentx_sess *s)
{
	if (!s)
		return;
	if (s->fd >= 0 && s->st == S_READY) {
		/* Close is a courtesy: one non-blocking attempt */
		struct agentx_wbuf w;
		struct agentx_hdr h = hdr(s, AGENTX_CLOSE);

		agentx_wbuf_init(&w, s->resp, RESP_MAX);
		agentx_begin(&w, &h);
		agentx_put_u8(&w, AGENTX_CLOSE_SHUTDOWN);
		agentx_put_u8(&w, 0), agentx_put_u16(&w, 0);
		long n = agentx_end(&w);
		if (n > 0 && s->out_len == 0)
			(void)!send(s->fd, s->resp, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	if (s->fd >= 0)
		close(s->fd);
	if (s->rev)
		event_free(s->rev);
	if (s->wev)
		event_free(s->wev);
	if (s->retry_tm)
		event_free(s->retry_tm);
	if (s->resp_tm)
		event_free(s->resp_tm);
	if (s->ping_tm)
		event_free(s->ping_tm);
	for (size_t i = 0; i < s->n_pend; i++)
		free(s->pend[i].body);
	free(s->pend);
	free(s->pdu);
	free(s->resp);
	free(s->in);
	free(s->out);
	free(s->addr);
	free(s);
}

bool agentx_sess_ready(const struct agentx_sess *s)
{
	return s && s->st == S_READY;
}

const struct agentx_sess_stats *agentx_sess_stats(const struct agentx_sess *s)
{
	return &s->stats;
}
