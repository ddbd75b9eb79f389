/* The IPVS generic netlink socket (see ipvs.h). */
#include "lvs/ipvs.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/nl.h"
#include "lvs/ipvs_msg.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

/* Dumps of thousands of services and destinations must not overrun. */
#define IPVS_RCVBUF (8 * 1024 * 1024)

struct ipvs {
	struct nl_sock nl;
	uint16_t family;
	char errmsg[128];
};

/* Callback state: the family to expect and where a parse failure says why. */
struct cb_ctx {
	struct ipvs *ip;
	const char *why;
	void *out;
	size_t n;
};

static int request(struct ipvs *ip, void *req, nl_msg_cb cb, struct cb_ctx *ctx)
{
	int r;

	ip->errmsg[0] = '\0';
	r = nl_request(&ip->nl, req, IPVS_TIMEOUT_MS, cb, ctx);
	if (r < 0) {
		if (ctx && ctx->why)
			snprintf(ip->errmsg, sizeof(ip->errmsg), "%s", ctx->why);
		else if (ip->nl.errmsg[0])
			snprintf(ip->errmsg, sizeof(ip->errmsg), "%s", ip->nl.errmsg);
	}
	return r;
}

static int family_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct cb_ctx *c = arg;

	return ipvs_parse_family(nlh, nlh->nlmsg_len, c->out, &c->why);
}

struct ipvs *ipvs_open(char *err, size_t errlen)
{
	uint8_t req[IPVS_MSG_MAX];
	struct cb_ctx ctx = {0};
	struct ipvs *ip;
	uint16_t id = 0;
	int r;

	ip = calloc(1, sizeof(*ip));
	if (!ip) {
		snprintf(err, errlen, "IPVS: out of memory");
		return NULL;
	}
	r = nl_open_proto(&ip->nl, NETLINK_GENERIC, IPVS_RCVBUF);
	if (r < 0) {
		snprintf(err, errlen, "IPVS: cannot open a generic netlink socket: %s",
		         strerror(-r));
		free(ip);
		return NULL;
	}
	ipvs_msg_getfamily(req, sizeof(req), IPVS_GENL_NAME);
	ctx.ip = ip;
	ctx.out = &id;
	r = request(ip, req, family_cb, &ctx);
	if (r == 0 && id == 0)
		r = -EBADMSG;
	if (r < 0) {
		if (r == -ENOENT)
			snprintf(err, errlen,
			         "IPVS is not available in this kernel (no IPVS generic netlink "
			         "family; is the ip_vs module loaded?)");
		else
			snprintf(err, errlen,
			         "IPVS: cannot resolve the IPVS netlink family: %s%s%s",
			         strerror(-r), ip->errmsg[0] ? ": " : "", ip->errmsg);
		ipvs_close(ip);
		return NULL;
	}
	ip->family = id;
	return ip;
}

void ipvs_close(struct ipvs *ip)
{
	if (!ip)
		return;
	nl_close(&ip->nl);
	free(ip);
}

const char *ipvs_errmsg(const struct ipvs *ip)
{
	return ip->errmsg;
}

/* A mutation: ACKed, no data expected back. */
static int mutate(struct ipvs *ip, uint8_t *req, int built)
{
	if (built < 0)
		return built;
	return request(ip, req, NULL, NULL);
}

int ipvs_apply(struct ipvs *ip, const struct lvs_op *op)
{
	uint8_t req[IPVS_MSG_MAX];
	const uint16_t f = NLM_F_ACK;

	switch (op->kind) {
	case LVS_OP_FLUSH:
		return mutate(ip, req,
		              ipvs_msg_simple(req, sizeof(req), ip->family, IPVS_CMD_FLUSH, f));
	case LVS_OP_SVC_ADD:
		return mutate(ip, req,
		              ipvs_msg_svc(req, sizeof(req), ip->family, IPVS_CMD_NEW_SERVICE, f,
		                           &op->key, &op->attr));
	case LVS_OP_SVC_EDIT:
		return mutate(ip, req,
		              ipvs_msg_svc(req, sizeof(req), ip->family, IPVS_CMD_SET_SERVICE, f,
		                           &op->key, &op->attr));
	case LVS_OP_SVC_DEL:
		return mutate(ip, req,
		              ipvs_msg_svc(req, sizeof(req), ip->family, IPVS_CMD_DEL_SERVICE, f,
		                           &op->key, NULL));
	case LVS_OP_DEST_ADD:
		return mutate(ip, req,
		              ipvs_msg_dest(req, sizeof(req), ip->family, IPVS_CMD_NEW_DEST, f,
		                            &op->key, &op->dest, true));
	case LVS_OP_DEST_EDIT:
		return mutate(ip, req,
		              ipvs_msg_dest(req, sizeof(req), ip->family, IPVS_CMD_SET_DEST, f,
		                            &op->key, &op->dest, true));
	case LVS_OP_DEST_DEL:
		return mutate(ip, req,
		              ipvs_msg_dest(req, sizeof(req), ip->family, IPVS_CMD_DEL_DEST, f,
		                            &op->key, &op->dest, false));
	}
	return -EINVAL;
}

static bool ours(const struct cb_ctx *c, const struct nlmsghdr *nlh)
{
	return nlh->nlmsg_type == c->ip->family;
}

static int svc_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct cb_ctx *c = arg;
	struct lvs_svc_key k;
	struct lvs_svc_attr a;
	struct lvs_stats st;
	struct lvs_tsvc *s;

	if (!ours(c, nlh)) {
		c->why = "reply from another netlink family";
		return -EBADMSG;
	}
	if (ipvs_parse_svc(nlh, nlh->nlmsg_len, &k, &a, &st, &c->why) < 0)
		return -EBADMSG;
	s = lvs_table_add_svc(c->out, &k, &a);
	if (!s)
		return -ENOMEM;
	s->stats = st;
	return 0;
}

int ipvs_read_services(struct ipvs *ip, struct lvs_table *out)
{
	uint8_t req[IPVS_MSG_MAX];
	struct cb_ctx ctx = {.ip = ip, .out = out};

	ipvs_msg_simple(req, sizeof(req), ip->family, IPVS_CMD_GET_SERVICE, NLM_F_DUMP);
	return request(ip, req, svc_cb, &ctx);
}

static int dest_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct cb_ctx *c = arg;
	struct lvs_tsvc *s = c->out;
	struct lvs_tdest td, *p;

	if (!ours(c, nlh)) {
		c->why = "reply from another netlink family";
		return -EBADMSG;
	}
	if (ipvs_parse_dest(nlh, nlh->nlmsg_len, s->key.af, &td, &c->why) < 0)
		return -EBADMSG;
	if (lvs_svc_set_dest(s, &td.d) < 0)
		return -ENOMEM;
	p = lvs_svc_find_dest(s, &td.d);
	if (p)
		*p = td;
	return 0;
}

int ipvs_read_dests(struct ipvs *ip, struct lvs_tsvc *s)
{
	uint8_t req[IPVS_MSG_MAX];
	struct cb_ctx ctx = {.ip = ip, .out = s};
	int r;

	r = ipvs_msg_dest(req, sizeof(req), ip->family, IPVS_CMD_GET_DEST, NLM_F_DUMP, &s->key,
	                  NULL, false);
	if (r < 0)
		return r;
	s->n_dests = 0;
	return request(ip, req, dest_cb, &ctx);
}

int ipvs_daemon_start(struct ipvs *ip, const struct lvs_syncd *s)
{
	uint8_t req[IPVS_MSG_MAX];

	return mutate(ip, req, ipvs_msg_daemon_new(req, sizeof(req), ip->family, NLM_F_ACK, s));
}

/* Generic netlink runs a request inside our sendmsg(), so its ACK is queued
 * before we start waiting -- with one exception: a sync thread stopped
 * before it ever ran (a stop right after a start, as in a VRRP flap or a
 * shutdown just after a transition) makes kthread_stop() return -EINTR,
 * and netlink_rcv_skb() sends no ACK at all for -EINTR, although the daemon
 * is gone.  So wait briefly (the VRRP child calls this) and, on a timeout,
 * ask the kernel whether that daemon still runs. */
#define IPVS_DAEMON_STOP_WAIT_MS 250

int ipvs_daemon_stop(struct ipvs *ip, bool backup)
{
	uint8_t req[IPVS_MSG_MAX];
	struct lvs_syncd ds[2];
	size_t n = 0;
	int r = ipvs_msg_daemon_del(req, sizeof(req), ip->family, NLM_F_ACK, backup);

	if (r < 0)
		return r;
	ip->errmsg[0] = '\0';
	r = nl_request(&ip->nl, (struct nlmsghdr *)(void *)req, IPVS_DAEMON_STOP_WAIT_MS, NULL,
	               NULL);
	if (r != -ETIMEDOUT) {
		if (r < 0 && ip->nl.errmsg[0])
			snprintf(ip->errmsg, sizeof(ip->errmsg), "%s", ip->nl.errmsg);
		return r;
	}
	if (ipvs_read_daemons(ip, ds, &n) < 0)
		return -ETIMEDOUT;
	for (size_t i = 0; i < n; i++)
		if (ds[i].backup == backup)
			return -ETIMEDOUT;
	return 0;
}

static int daemon_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct cb_ctx *c = arg;
	struct lvs_syncd *out = c->out, d;

	if (!ours(c, nlh)) {
		c->why = "reply from another netlink family";
		return -EBADMSG;
	}
	if (ipvs_parse_daemon(nlh, nlh->nlmsg_len, &d, &c->why) < 0)
		return -EBADMSG;
	if (c->n >= 2) {
		c->why = "more than two sync daemons";
		return -EBADMSG;
	}
	out[c->n++] = d;
	return 0;
}

int ipvs_read_daemons(struct ipvs *ip, struct lvs_syncd out[2], size_t *n)
{
	uint8_t req[IPVS_MSG_MAX];
	struct cb_ctx ctx = {.ip = ip, .out = out};
	int r;

	ipvs_msg_simple(req, sizeof(req), ip->family, IPVS_CMD_GET_DAEMON, NLM_F_DUMP);
	r = request(ip, req, daemon_cb, &ctx);
	*n = ctx.n;
	return r;
}

int ipvs_set_timeouts(struct ipvs *ip, uint32_t tcp, uint32_t tcpfin, uint32_t udp)
{
	uint8_t req[IPVS_MSG_MAX];

	return mutate(ip, req,
	              ipvs_msg_timeouts(req, sizeof(req), ip->family, NLM_F_ACK, tcp, tcpfin, udp));
}

struct tmo {
	uint32_t tcp, fin, udp;
	bool seen;
};

static int timeouts_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct cb_ctx *c = arg;
	struct tmo *t = c->out;

	if (!ours(c, nlh)) {
		c->why = "reply from another netlink family";
		return -EBADMSG;
	}
	if (ipvs_parse_timeouts(nlh, nlh->nlmsg_len, &t->tcp, &t->fin, &t->udp, &c->why) < 0)
		return -EBADMSG;
	t->seen = true;
	return 0;
}

int ipvs_get_timeouts(struct ipvs *ip, uint32_t *tcp, uint32_t *tcpfin, uint32_t *udp)
{
	uint8_t req[IPVS_MSG_MAX];
	struct tmo t = {0};
	struct cb_ctx ctx = {.ip = ip, .out = &t};
	int r;

	/* No ACK asked: the reply itself confirms, and an ACK behind it would
	 * only be left for the next request to skip. */
	ipvs_msg_simple(req, sizeof(req), ip->family, IPVS_CMD_GET_CONFIG, 0);
	r = request(ip, req, timeouts_cb, &ctx);
	if (r == 0 && !t.seen)
		r = -EBADMSG;
	*tcp = t.tcp;
	*tcpfin = t.fin;
	*udp = t.udp;
	return r;
}
