/* The AgentX session against a fake master on a unix socket: Open and
 * Register, answers to GetNext and to an undecodable request, traps kept
 * while not registered (bounded), a master that stops reading (notify
 * never blocks, traps are dropped and counted, the queue stays bounded),
 * the ping timeout and the reconnection. */
#include <errno.h>
#include <event2/event.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
/* Compiled in here so the test sees the session's internals (queue
 * sizes); kacore's copies are then not linked. */
#include "snmp/agentx_pdu.c"
#include "snmp/agentx_sess.c"
#include "snmp/mib.c"

static struct event_base *base;
static struct agentx_pdu *pdu;
static uint8_t rbuf[1 << 20];
static size_t rlen;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Run the loop and poll fd, up to ms milliseconds.  Returns when fd is
 * readable (1) or the time is up (0). */
static int spin(int fd, unsigned ms)
{
	uint64_t end = now_ms() + ms;

	while (now_ms() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		event_base_loop(base, EVLOOP_NONBLOCK);
		if (fd >= 0 && poll(&p, 1, 2) > 0)
			return 1;
		if (fd < 0)
			poll(NULL, 0, 2);
	}
	return 0;
}

/* Read one PDU from the subagent within ms; 0 or -1. */
static int master_read(int fd, unsigned ms)
{
	uint64_t end = now_ms() + ms;
	const char *why = NULL;

	for (;;) {
		long need = agentx_pdu_size(rbuf, rlen);

		if (need > 0 && (size_t)need <= rlen) {
			int r = agentx_decode(rbuf, (size_t)need, pdu, &why);

			/* the pdu's strings point into rbuf: consume lazily */
			static uint8_t keep[1 << 20];
			memcpy(keep, rbuf, (size_t)need);
			memmove(rbuf, rbuf + need, rlen - (size_t)need);
			rlen -= (size_t)need;
			if (r == 0)
				agentx_decode(keep, (size_t)need, pdu, &why);
			return r;
		}
		if (need < 0 || now_ms() >= end)
			return -1;
		if (spin(fd, (unsigned)(end - now_ms())) <= 0)
			continue;
		ssize_t k = recv(fd, rbuf + rlen, sizeof(rbuf) - rlen, MSG_DONTWAIT);
		if (k == 0)
			return -1;
		if (k > 0)
			rlen += (size_t)k;
	}
}

static bool master_respond(int fd, const struct agentx_hdr *q, uint32_t session, uint16_t err)
{
	struct agentx_wbuf w;
	struct agentx_hdr h = *q;
	uint8_t b[64];

	h.type = AGENTX_RESPONSE;
	h.session_id = session;
	h.flags = 0;
	agentx_wbuf_init(&w, b, sizeof(b));
	agentx_begin(&w, &h);
	agentx_put_u32(&w, 0);
	agentx_put_u16(&w, err);
	agentx_put_u16(&w, 0);
	long n = agentx_end(&w);
	return n > 0 && send(fd, b, (size_t)n, MSG_NOSIGNAL) == n;
}

/* Accept the subagent and complete Open + Register; the connection.
 * Connections the subagent already gave up (it retries while nobody
 * accepts) are skipped: their Open cannot be answered. */
static int master_accept(int lfd, uint32_t session, unsigned ms)
{
	uint64_t end = now_ms() + ms;

	while (now_ms() < end) {
		int fd;

		if (!spin(lfd, (unsigned)(end - now_ms())))
			break;
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		rlen = 0;
		if (master_read(fd, 500) < 0 || pdu->h.type != AGENTX_OPEN || pdu->descr.len != 4 ||
		    memcmp(pdu->descr.p, "test", 4) || !master_respond(fd, &pdu->h, session, 0) ||
		    master_read(fd, 500) < 0 || pdu->h.type != AGENTX_REGISTER) {
			close(fd);
			continue;
		}
		CHECK_INT(pdu->h.session_id, session);
		CHECK_INT(pdu->oid.n, 7); /* the registered subtree */
		if (!master_respond(fd, &pdu->h, session, 0)) {
			close(fd);
			continue;
		}
		return fd;
	}
	return -1;
}

static int scalar(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	(void)ctx, (void)row, (void)col;
	mib_v_int(v, 4242);
	return 0;
}

static int listener(const char *path)
{
	struct sockaddr_un su = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(su.sun_path) || (fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return -1;
	memcpy(su.sun_path, path, strlen(path) + 1);
	if (bind(fd, (struct sockaddr *)&su, sizeof(su)) < 0 || listen(fd, 8) < 0)
		return -1;
	return fd;
}

int main(void)
{
	char dir[] = "/tmp/ka-agentx-XXXXXX", path[128];
	static const uint32_t sub[] = {1, 3, 6, 1, 4, 1, 99999},
	                      sc[] = {1, 3, 6, 1, 4, 1, 99999, 1};
	struct mib m;
	struct agentx_sess_cfg cfg = {
	    .descr = "test",
	    .name = "test",
	    .timeout_ms = 200,
	    .ping_ms = 300,
	    .backoff_min_ms = 20,
	    .backoff_max_ms = 100,
	    .outq_max = 70000,
	    .max_pending = 4,
	    .mib = &m,
	};
	struct agentx_sess *s;
	struct agentx_oid trap;
	struct agentx_varbind vb;
	int lfd, fd;

	pdu = calloc(1, sizeof(*pdu));
	base = event_base_new();
	if (!pdu || !base || !mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/master", dir);
	mib_init(&m);
	CHECK(mib_add_scalar(&m, sc, 8, scalar, NULL) == 0);
	cfg.addr = path;
	agentx_oid_set(&cfg.subtrees[0], sub, 7);
	cfg.n_subtrees = 1;
	agentx_oid_set(&trap, sub, 7);
	memset(&vb, 0, sizeof(vb));
	agentx_oid_set(&vb.name, sc, 8);
	vb.type = AGENTX_V_INTEGER;

	/* no master yet: traps wait, at most max_pending */
	s = agentx_sess_new(base, &cfg);
	CHECK(s != NULL);
	if (!s)
		return 1;
	spin(-1, 50);
	CHECK(!agentx_sess_ready(s));
	for (int i = 0; i < 10; i++) {
		vb.v.i = i;
		CHECK_INT(agentx_sess_notify(s, &trap, &vb, 1), 0);
	}
	CHECK_INT(agentx_sess_stats(s)->traps_dropped, 6);
	CHECK(agentx_sess_stats(s)->attempts >= 1);

	/* the master appears: the session connects by itself */
	lfd = listener(path);
	CHECK(lfd >= 0);
	fd = master_accept(lfd, 42, 2000);
	CHECK(fd >= 0);
	if (fd < 0)
		return 1;
	spin(-1, 20);
	CHECK(agentx_sess_ready(s));
	/* the 4 newest pending traps arrive, in order */
	for (int i = 6; i < 10; i++) {
		CHECK_INT(master_read(fd, 1000), 0);
		CHECK_INT(pdu->h.type, AGENTX_NOTIFY);
		CHECK_INT(pdu->h.session_id, 42);
		CHECK_INT(pdu->n_vbs, 2);
		CHECK_INT(pdu->vbs[0].type, AGENTX_V_OID); /* snmpTrapOID.0 first */
		CHECK_INT(pdu->vbs[0].name.n, 11);
		CHECK_INT(pdu->vbs[1].v.i, i);
	}

	/* a GetNext */
	{
		struct agentx_pdu *q = calloc(1, sizeof(*q));
		uint8_t b[256];

		q->h = (struct agentx_hdr){
		    .type = AGENTX_GETNEXT, .session_id = 42, .transaction_id = 5, .packet_id = 77};
		agentx_oid_set(&q->ranges[0].start, sub, 7);
		q->n_ranges = 1;
		long n = agentx_encode(q, b, sizeof(b));
		CHECK(n > 0 && send(fd, b, (size_t)n, MSG_NOSIGNAL) == n);
		CHECK_INT(master_read(fd, 1000), 0);
		CHECK_INT(pdu->h.type, AGENTX_RESPONSE);
		CHECK_INT(pdu->h.packet_id, 77);
		CHECK_INT(pdu->h.transaction_id, 5);
		CHECK_INT(pdu->error, 0);
		CHECK_INT(pdu->n_vbs, 1);
		CHECK_INT(pdu->vbs[0].type, AGENTX_V_INTEGER);
		CHECK_INT(pdu->vbs[0].v.i, 4242);
		CHECK_INT(pdu->vbs[0].name.n, 9);
		/* an undecodable Get (an OID claiming 200 sub-ids): parseError */
		n = agentx_encode(q, b, sizeof(b));
		b[1] = AGENTX_GET;
		b[20] = 200;
		CHECK(send(fd, b, (size_t)n, MSG_NOSIGNAL) == n);
		CHECK_INT(master_read(fd, 1000), 0);
		CHECK_INT(pdu->h.type, AGENTX_RESPONSE);
		CHECK_INT(pdu->error, AGENTX_E_PARSEERROR);
		CHECK_INT(agentx_sess_stats(s)->bad_pdus, 1);
		free(q);
	}

	/* the master stops reading: notify never blocks, drops are counted */
	{
		static char big[400];
		uint64_t t0 = now_ms(), worst = 0;

		memset(big, 'x', sizeof(big));
		vb.type = AGENTX_V_OCTETS;
		vb.v.s = (struct agentx_str){(const uint8_t *)big, sizeof(big)};
		for (int i = 0; i < 5000; i++) {
			uint64_t a = now_ms();

			agentx_sess_notify(s, &trap, &vb, 1);
			if (now_ms() - a > worst)
				worst = now_ms() - a;
		}
		CHECK(now_ms() - t0 < 2000);
		CHECK(worst < 100);
		CHECK(agentx_sess_stats(s)->traps_dropped > 6);
		CHECK(agentx_sess_stats(s)->traps_sent > 100);
		/* queue bounded by outq_max (the kernel holds the rest) */
		CHECK(s->out_len <= cfg.outq_max);
		CHECK(s->out_cap <= cfg.outq_max);
	}

	/* nobody answers the ping: the session gives up and reconnects */
	{
		uint64_t t0 = now_ms();

		spin(-1, 900);
		CHECK(agentx_sess_stats(s)->timeouts >= 1);
		close(fd);
		rlen = 0;
		fd = master_accept(lfd, 43, 2000);
		CHECK(fd >= 0);
		spin(-1, 20);
		CHECK(agentx_sess_ready(s));
		CHECK_INT(agentx_sess_stats(s)->connects, 2);
		CHECK(now_ms() - t0 < 3000);
		/* and it answers pings now: stays up */
		for (int k = 0; k < 3; k++) {
			CHECK_INT(master_read(fd, 1000), 0);
			CHECK_INT(pdu->h.type, AGENTX_PING);
			CHECK(master_respond(fd, &pdu->h, 43, 0));
		}
		CHECK(agentx_sess_ready(s));
		CHECK_INT(agentx_sess_stats(s)->connects, 2);
	}

	/* a Close from the master: reconnect */
	{
		struct agentx_pdu *q = calloc(1, sizeof(*q));
		uint8_t b[64];

		q->h = (struct agentx_hdr){.type = AGENTX_CLOSE, .session_id = 43};
		q->reason = AGENTX_CLOSE_BYMANAGER;
		long n = agentx_encode(q, b, sizeof(b));
		CHECK(send(fd, b, (size_t)n, MSG_NOSIGNAL) == n);
		spin(-1, 50);
		CHECK(!agentx_sess_ready(s));
		close(fd);
		fd = master_accept(lfd, 44, 2000);
		CHECK(fd >= 0);
		spin(-1, 20);
		CHECK(agentx_sess_ready(s));
		free(q);
	}

	agentx_sess_free(s);
	/* a clean Close on the way out */
	CHECK_INT(master_read(fd, 500), 0);
	CHECK_INT(pdu->h.type, AGENTX_CLOSE);
	CHECK_INT(pdu->reason, AGENTX_CLOSE_SHUTDOWN);
	close(fd);
	close(lfd);
	unlink(path);
	rmdir(dir);
	mib_free(&m);
	event_base_free(base);
	free(pdu);
	return check_report("test_agentx_sess");
}
