/* IPVS generic netlink messages (see ipvs_msg.h for the wire facts). */
#include "lvs/ipvs_msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <string.h>

#include "lib/nl.h"

/* ---- canonical forms ---- */

void ipvs_svc_attr_canon(const struct lvs_svc_key *k, struct lvs_svc_attr *a)
{
	a->sched[sizeof(a->sched) - 1] = '\0';
	a->pe_name[sizeof(a->pe_name) - 1] = '\0';
	a->flags |= IP_VS_SVC_F_HASHED;
	if (a->netmask == 0)
		a->netmask = k->af == AF_INET6 ? 128 : 0xffffffffu;
}

void ipvs_dest_canon(struct lvs_dest *d)
{
	if (d->af == 0)
		d->af = d->addr.family;
	if (d->fwd != LVS_FWD_TUN) {
		d->tun_type = 0;
		d->tun_port = 0;
		d->tun_flags = 0;
	}
}

/* ---- encoding ---- */

/* A message under construction; `bad` latches the first overflow so the
 * builders can put attributes without checking each one. */
struct enc {
	struct nlmsghdr *nlh;
	size_t buflen;
	bool bad;
};

static int enc_start(struct enc *e, void *buf, size_t buflen, uint16_t type, uint16_t nlflags,
                     uint8_t cmd, uint8_t version)
{
	struct genlmsghdr *g;

	e->bad = false;
	e->buflen = buflen;
	if (buflen < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EMSGSIZE;
	/* libmnl 1.0.4 leaves attribute padding as it finds it: zero it all
	 * so a request is the same bytes every time. */
	memset(buf, 0, buflen);
	e->nlh = mnl_nlmsg_put_header(buf);
	e->nlh->nlmsg_type = type;
	e->nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | nlflags);
	g = mnl_nlmsg_put_extra_header(e->nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return 0;
}

static void put(struct enc *e, uint16_t type, size_t len, const void *data)
{
	if (!e->bad && !mnl_attr_put_check(e->nlh, e->buflen, type, len, data))
		e->bad = true;
}

static void put_u8(struct enc *e, uint16_t type, uint8_t v)
{
	put(e, type, sizeof(v), &v);
}

static void put_u16(struct enc *e, uint16_t type, uint16_t v)
{
	put(e, type, sizeof(v), &v);
}

static void put_u32(struct enc *e, uint16_t type, uint32_t v)
{
	put(e, type, sizeof(v), &v);
}

/* A terminated copy of at most max - 1 bytes: the source need not be
 * terminated (fixed-size name arrays). */
static void put_strz(struct enc *e, uint16_t type, const char *s, size_t max)
{
	char b[64];
	size_t n = strnlen(s, max - 1);

	if (n >= sizeof(b))
		n = sizeof(b) - 1;
	memcpy(b, s, n);
	b[n] = '\0';
	put(e, type, n + 1, b);
}

/* 16 bytes, as the kernel's union nf_inet_addr. */
static void put_inet_addr(struct enc *e, uint16_t type, const struct ka_addr *a)
{
	uint8_t b[16];

	memset(b, 0, sizeof(b));
	if (a->family == AF_INET)
		memcpy(b, &a->u.v4, sizeof(a->u.v4));
	else if (a->family == AF_INET6)
		memcpy(b, &a->u.v6, sizeof(a->u.v6));
	put(e, type, sizeof(b), b);
}

static struct nlattr *nest_start(struct enc *e, uint16_t type)
{
	struct nlattr *n;

	if (e->bad)
		return NULL;
	n = mnl_attr_nest_start_check(e->nlh, e->buflen, type);
	if (!n)
		e->bad = true;
	return n;
}

static void nest_end(struct enc *e, struct nlattr *n)
{
	if (!e->bad && n)
		mnl_attr_nest_end(e->nlh, n);
}

static int enc_end(struct enc *e)
{
	return e->bad ? -EMSGSIZE : 0;
}

int ipvs_msg_getfamily(void *buf, size_t buflen, const char *name)
{
	struct enc e;

	if (enc_start(&e, buf, buflen, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1) < 0)
		return -EMSGSIZE;
	if (!mnl_attr_put_strz_check(e.nlh, buflen, CTRL_ATTR_FAMILY_NAME, name))
		e.bad = true;
	return enc_end(&e);
}

int ipvs_msg_simple(void *buf, size_t buflen, uint16_t family, uint8_t cmd, uint16_t nlflags)
{
	struct enc e;

	if (enc_start(&e, buf, buflen, family, nlflags, cmd, IPVS_GENL_VERSION) < 0)
		return -EMSGSIZE;
	return enc_end(&e);
}

static void put_svc_key(struct enc *e, const struct lvs_svc_key *k)
{
	put_u16(e, IPVS_SVC_ATTR_AF, k->af);
	if (k->fwmark) {
		put_u32(e, IPVS_SVC_ATTR_FWMARK, k->fwmark);
		return;
	}
	put_u16(e, IPVS_SVC_ATTR_PROTOCOL, k->protocol);
	put_inet_addr(e, IPVS_SVC_ATTR_ADDR, &k->addr);
	put_u16(e, IPVS_SVC_ATTR_PORT, htons(k->port));
}

int ipvs_msg_svc(void *buf, size_t buflen, uint16_t family, uint8_t cmd, uint16_t nlflags,
                 const struct lvs_svc_key *k, const struct lvs_svc_attr *attr)
{
	struct ip_vs_flags fl;
	struct lvs_svc_attr a;
	struct nlattr *n;
	struct enc e;

	if (enc_start(&e, buf, buflen, family, nlflags, cmd, IPVS_GENL_VERSION) < 0)
		return -EMSGSIZE;
	n = nest_start(&e, IPVS_CMD_ATTR_SERVICE);
	put_svc_key(&e, k);
	if (attr) {
		a = *attr;
		ipvs_svc_attr_canon(k, &a);
		put_strz(&e, IPVS_SVC_ATTR_SCHED_NAME, a.sched, sizeof(a.sched));
		if (a.pe_name[0])
			put_strz(&e, IPVS_SVC_ATTR_PE_NAME, a.pe_name, sizeof(a.pe_name));
		/* Every flag is ours to set: the mask covers them all. */
		fl.flags = a.flags;
		fl.mask = ~0u;
		put(&e, IPVS_SVC_ATTR_FLAGS, sizeof(fl), &fl);
		put_u32(&e, IPVS_SVC_ATTR_TIMEOUT, a.timeout_s);
		put_u32(&e, IPVS_SVC_ATTR_NETMASK, a.netmask);
	}
	nest_end(&e, n);
	return enc_end(&e);
}

static uint32_t fwd_to_kernel(enum lvs_fwd f)
{
	switch (f) {
	case LVS_FWD_DR:
		return IP_VS_CONN_F_DROUTE;
	case LVS_FWD_TUN:
		return IP_VS_CONN_F_TUNNEL;
	case LVS_FWD_NAT:
	default:
		return IP_VS_CONN_F_MASQ;
	}
}

int ipvs_msg_dest(void *buf, size_t buflen, uint16_t family, uint8_t cmd, uint16_t nlflags,
                  const struct lvs_svc_key *k, const struct lvs_dest *dest, bool full)
{
	struct lvs_dest d;
	struct nlattr *n;
	struct enc e;

	if (enc_start(&e, buf, buflen, family, nlflags, cmd, IPVS_GENL_VERSION) < 0)
		return -EMSGSIZE;
	n = nest_start(&e, IPVS_CMD_ATTR_SERVICE);
	put_svc_key(&e, k);
	nest_end(&e, n);
	if (dest) {
		d = *dest;
		ipvs_dest_canon(&d);
		n = nest_start(&e, IPVS_CMD_ATTR_DEST);
		put_inet_addr(&e, IPVS_DEST_ATTR_ADDR, &d.addr);
		put_u16(&e, IPVS_DEST_ATTR_PORT, htons(d.port));
		put_u16(&e, IPVS_DEST_ATTR_ADDR_FAMILY, d.af);
		if (full) {
			put_u32(&e, IPVS_DEST_ATTR_FWD_METHOD, fwd_to_kernel(d.fwd));
			put_u32(&e, IPVS_DEST_ATTR_WEIGHT, (uint32_t)d.weight);
			put_u32(&e, IPVS_DEST_ATTR_U_THRESH, d.u_threshold);
			put_u32(&e, IPVS_DEST_ATTR_L_THRESH, d.l_threshold);
			/* Kernels before 5.3 (TUN_TYPE/PORT) and 5.7 (TUN_FLAGS)
			 * do not know these; only a TUN destination needs them. */
			if (d.fwd == LVS_FWD_TUN) {
				put_u8(&e, IPVS_DEST_ATTR_TUN_TYPE, d.tun_type);
				put_u16(&e, IPVS_DEST_ATTR_TUN_PORT, htons(d.tun_port));
				put_u16(&e, IPVS_DEST_ATTR_TUN_FLAGS, d.tun_flags);
			}
		}
		nest_end(&e, n);
	}
	return enc_end(&e);
}

int ipvs_msg_daemon_new(void *buf, size_t buflen, uint16_t family, uint16_t nlflags,
                        const struct lvs_syncd *s)
{
	struct nlattr *n;
	struct enc e;

	if (enc_start(&e, buf, buflen, family, nlflags, IPVS_CMD_NEW_DAEMON, IPVS_GENL_VERSION) < 0)
		return -EMSGSIZE;
	n = nest_start(&e, IPVS_CMD_ATTR_DAEMON);
	put_u32(&e, IPVS_DAEMON_ATTR_STATE, s->backup ? IP_VS_STATE_BACKUP : IP_VS_STATE_MASTER);
	put_strz(&e, IPVS_DAEMON_ATTR_MCAST_IFN, s->ifname, sizeof(s->ifname));
	put_u32(&e, IPVS_DAEMON_ATTR_SYNC_ID, s->syncid);
	if (s->maxlen)
		put_u16(&e, IPVS_DAEMON_ATTR_SYNC_MAXLEN, s->maxlen);
	if (s->mcast.family == AF_INET)
		put(&e, IPVS_DAEMON_ATTR_MCAST_GROUP, sizeof(s->mcast.u.v4), &s->mcast.u.v4);
	else if (s->mcast.family == AF_INET6)
		put(&e, IPVS_DAEMON_ATTR_MCAST_GROUP6, sizeof(s->mcast.u.v6), &s->mcast.u.v6);
	if (s->port)
		put_u16(&e, IPVS_DAEMON_ATTR_MCAST_PORT, s->port);
	if (s->ttl)
		put_u8(&e, IPVS_DAEMON_ATTR_MCAST_TTL, s->ttl);
	nest_end(&e, n);
	return enc_end(&e);
}

int ipvs_msg_daemon_del(void *buf, size_t buflen, uint16_t family, uint16_t nlflags, bool backup)
{
	struct nlattr *n;
	struct enc e;

	if (enc_start(&e, buf, buflen, family, nlflags, IPVS_CMD_DEL_DAEMON, IPVS_GENL_VERSION) < 0)
		return -EMSGSIZE;
	n = nest_start(&e, IPVS_CMD_ATTR_DAEMON);
	put_u32(&e, IPVS_DAEMON_ATTR_STATE, backup ? IP_VS_STATE_BACKUP : IP_VS_STATE_MASTER);
	nest_end(&e, n);
	return enc_end(&e);
}

int ipvs_msg_timeouts(void *buf, size_t buflen, uint16_t family, uint16_t nlflags, uint32_t tcp,
                      uint32_t tcpfin, uint32_t udp)
{
	struct enc e;

	if (enc_start(&e, buf, buflen, family, nlflags, IPVS_CMD_SET_CONFIG, IPVS_GENL_VERSION) < 0)
		return -EMSGSIZE;
	if (tcp)
		put_u32(&e, IPVS_CMD_ATTR_TIMEOUT_TCP, tcp);
	if (tcpfin)
		put_u32(&e, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, tcpfin);
	if (udp)
		put_u32(&e, IPVS_CMD_ATTR_TIMEOUT_UDP, udp);
	return enc_end(&e);
}

/* ---- decoding ---- */

#define FAIL(msg)                                                                                  \
	do {                                                                                       \
		*why = (msg);                                                                      \
		return -EBADMSG;                                                                   \
	} while (0)

/* The genl header of one message, checked against the bytes we hold. */
static const struct genlmsghdr *genl_hdr(const void *msg, size_t len, const char **why)
{
	const struct nlmsghdr *nlh = msg;

	if (!msg || len < NLMSG_HDRLEN + GENL_HDRLEN) {
		*why = "message too short";
		return NULL;
	}
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN || nlh->nlmsg_len > len) {
		*why = "bad message length";
		return NULL;
	}
	return nl_msg_payload(nlh, GENL_HDRLEN);
}

/* Top-level attributes of a genl message whose command must be `cmd`. */
static int genl_attrs(const void *msg, size_t len, uint8_t cmd, const struct nlattr **tb,
                      unsigned int maxtype, const char **why)
{
	const struct genlmsghdr *g = genl_hdr(msg, len, why);

	if (!g)
		return -EBADMSG;
	if (g->cmd != cmd)
		FAIL("unexpected command in reply");
	if (nl_attr_parse_msg(msg, GENL_HDRLEN, tb, maxtype) < 0)
		FAIL("malformed attribute");
	return 0;
}

/* Exact-size readers: a wrong length is an error, not a partial read. */
static bool get_exact(const struct nlattr *a, void *v, size_t want)
{
	size_t n;
	const void *d = nl_attr_data(a, &n);

	if (!d || n != want)
		return false;
	memcpy(v, d, want);
	return true;
}

static bool get_u8(const struct nlattr *a, uint8_t *v)
{
	return get_exact(a, v, sizeof(*v));
}

static bool get_u16(const struct nlattr *a, uint16_t *v)
{
	return get_exact(a, v, sizeof(*v));
}

static bool get_u32(const struct nlattr *a, uint32_t *v)
{
	return get_exact(a, v, sizeof(*v));
}

/* A counter: u32 or u64 (the old STATS nest mixes both). */
static bool get_counter(const struct nlattr *a, uint64_t *v)
{
	uint32_t v32;

	if (get_exact(a, v, sizeof(*v)))
		return true;
	if (!get_exact(a, &v32, sizeof(v32)))
		return false;
	*v = v32;
	return true;
}

/* A string that must be terminated inside its attribute and fit buf. */
static bool get_str(const struct nlattr *a, char *buf, size_t len)
{
	size_t n;
	const char *d = nl_attr_data(a, &n);

	if (!d || !memchr(d, '\0', n))
		return false;
	return nl_attr_str(a, buf, len);
}

/* 16 bytes (nf_inet_addr) or exactly the family's size. */
static bool get_inet_addr(const struct nlattr *a, uint16_t af, struct ka_addr *out)
{
	size_t n;
	const void *d = nl_attr_data(a, &n);

	memset(out, 0, sizeof(*out));
	if (!d || (af != AF_INET && af != AF_INET6))
		return false;
	if (n != 16 && n != (af == AF_INET ? 4u : 16u))
		return false;
	out->family = af;
	if (af == AF_INET)
		memcpy(&out->u.v4, d, sizeof(out->u.v4));
	else
		memcpy(&out->u.v6, d, sizeof(out->u.v6));
	return true;
}

static int parse_stats(const struct nlattr *nest, struct lvs_stats *st, const char **why)
{
	const struct nlattr *tb[IPVS_STATS_ATTR_MAX + 1];
	uint64_t *dst[IPVS_STATS_ATTR_MAX + 1] = {
	    [IPVS_STATS_ATTR_CONNS] = &st->conns,       [IPVS_STATS_ATTR_INPKTS] = &st->inpkts,
	    [IPVS_STATS_ATTR_OUTPKTS] = &st->outpkts,   [IPVS_STATS_ATTR_INBYTES] = &st->inbytes,
	    [IPVS_STATS_ATTR_OUTBYTES] = &st->outbytes, [IPVS_STATS_ATTR_CPS] = &st->cps,
	    [IPVS_STATS_ATTR_INPPS] = &st->inpps,       [IPVS_STATS_ATTR_OUTPPS] = &st->outpps,
	    [IPVS_STATS_ATTR_INBPS] = &st->inbps,       [IPVS_STATS_ATTR_OUTBPS] = &st->outbps,
	};
	unsigned int i;

	memset(st, 0, sizeof(*st));
	if (nl_attr_parse_nested(nest, tb, IPVS_STATS_ATTR_MAX) < 0)
		FAIL("malformed stats attribute");
	for (i = 0; i <= IPVS_STATS_ATTR_MAX; i++)
		if (tb[i] && dst[i] && !get_counter(tb[i], dst[i]))
			FAIL("bad stats counter length");
	return 0;
}

static bool fwd_from_kernel(uint32_t f, enum lvs_fwd *out)
{
	switch (f & IP_VS_CONN_F_FWD_MASK) {
	case IP_VS_CONN_F_MASQ:
		*out = LVS_FWD_NAT;
		return true;
	case IP_VS_CONN_F_DROUTE:
		*out = LVS_FWD_DR;
		return true;
	case IP_VS_CONN_F_TUNNEL:
		*out = LVS_FWD_TUN;
		return true;
	default:
		return false;
	}
}

int ipvs_parse_family(const void *msg, size_t len, uint16_t *id, const char **why)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	const struct nlmsghdr *nlh = msg;

	if (genl_attrs(msg, len, CTRL_CMD_NEWFAMILY, tb, CTRL_ATTR_MAX, why) < 0)
		return -EBADMSG;
	if (nlh->nlmsg_type != GENL_ID_CTRL)
		FAIL("reply not from nlctrl");
	if (!get_u16(tb[CTRL_ATTR_FAMILY_ID], id) || *id == 0)
		FAIL("no family id");
	return 0;
}

int ipvs_parse_svc(const void *msg, size_t len, struct lvs_svc_key *k, struct lvs_svc_attr *a,
                   struct lvs_stats *stats, const char **why)
{
	const struct nlattr *top[IPVS_CMD_ATTR_MAX + 1];
	const struct nlattr *tb[IPVS_SVC_ATTR_MAX + 1];
	struct ip_vs_flags fl;
	uint16_t port;

	memset(k, 0, sizeof(*k));
	memset(a, 0, sizeof(*a));
	if (genl_attrs(msg, len, IPVS_CMD_NEW_SERVICE, top, IPVS_CMD_ATTR_MAX, why) < 0)
		return -EBADMSG;
	if (!top[IPVS_CMD_ATTR_SERVICE])
		FAIL("no service attribute");
	if (nl_attr_parse_nested(top[IPVS_CMD_ATTR_SERVICE], tb, IPVS_SVC_ATTR_MAX) < 0)
		FAIL("malformed service attribute");
	if (!get_u16(tb[IPVS_SVC_ATTR_AF], &k->af) || (k->af != AF_INET && k->af != AF_INET6))
		FAIL("bad service address family");
	if (tb[IPVS_SVC_ATTR_FWMARK]) {
		if (!get_u32(tb[IPVS_SVC_ATTR_FWMARK], &k->fwmark) || k->fwmark == 0)
			FAIL("bad service fwmark");
	} else {
		if (!get_u16(tb[IPVS_SVC_ATTR_PROTOCOL], &k->protocol))
			FAIL("bad service protocol");
		if (!get_inet_addr(tb[IPVS_SVC_ATTR_ADDR], k->af, &k->addr))
			FAIL("bad service address");
		if (!get_u16(tb[IPVS_SVC_ATTR_PORT], &port))
			FAIL("bad service port");
		k->port = ntohs(port);
	}
	if (!get_str(tb[IPVS_SVC_ATTR_SCHED_NAME], a->sched, sizeof(a->sched)))
		FAIL("bad scheduler name");
	if (tb[IPVS_SVC_ATTR_PE_NAME] &&
	    !get_str(tb[IPVS_SVC_ATTR_PE_NAME], a->pe_name, sizeof(a->pe_name)))
		FAIL("bad persistence engine name");
	if (!get_exact(tb[IPVS_SVC_ATTR_FLAGS], &fl, sizeof(fl)))
		FAIL("bad service flags");
	a->flags = fl.flags & fl.mask;
	if (!get_u32(tb[IPVS_SVC_ATTR_TIMEOUT], &a->timeout_s))
		FAIL("bad service timeout");
	if (!get_u32(tb[IPVS_SVC_ATTR_NETMASK], &a->netmask))
		FAIL("bad service netmask");
	if (stats) {
		memset(stats, 0, sizeof(*stats));
		if (tb[IPVS_SVC_ATTR_STATS64] || tb[IPVS_SVC_ATTR_STATS]) {
			const struct nlattr *s = tb[IPVS_SVC_ATTR_STATS64]
			                             ? tb[IPVS_SVC_ATTR_STATS64]
			                             : tb[IPVS_SVC_ATTR_STATS];
			if (parse_stats(s, stats, why) < 0)
				return -EBADMSG;
		}
	}
	return 0;
}

int ipvs_parse_dest(const void *msg, size_t len, uint16_t svc_af, struct lvs_tdest *td,
                    const char **why)
{
	const struct nlattr *top[IPVS_CMD_ATTR_MAX + 1];
	const struct nlattr *tb[IPVS_DEST_ATTR_MAX + 1];
	struct lvs_dest *d = &td->d;
	uint32_t fwd, w;
	uint16_t port;

	memset(td, 0, sizeof(*td));
	if (genl_attrs(msg, len, IPVS_CMD_NEW_DEST, top, IPVS_CMD_ATTR_MAX, why) < 0)
		return -EBADMSG;
	if (!top[IPVS_CMD_ATTR_DEST])
		FAIL("no destination attribute");
	if (nl_attr_parse_nested(top[IPVS_CMD_ATTR_DEST], tb, IPVS_DEST_ATTR_MAX) < 0)
		FAIL("malformed destination attribute");
	d->af = svc_af;
	if (tb[IPVS_DEST_ATTR_ADDR_FAMILY] && !get_u16(tb[IPVS_DEST_ATTR_ADDR_FAMILY], &d->af))
		FAIL("bad destination address family");
	if (!get_inet_addr(tb[IPVS_DEST_ATTR_ADDR], d->af, &d->addr))
		FAIL("bad destination address");
	if (!get_u16(tb[IPVS_DEST_ATTR_PORT], &port))
		FAIL("bad destination port");
	d->port = ntohs(port);
	if (!get_u32(tb[IPVS_DEST_ATTR_FWD_METHOD], &fwd))
		FAIL("bad forwarding method");
	if (!fwd_from_kernel(fwd, &d->fwd))
		FAIL("unknown forwarding method");
	if (!get_u32(tb[IPVS_DEST_ATTR_WEIGHT], &w))
		FAIL("bad destination weight");
	d->weight = (int32_t)w;
	if (!get_u32(tb[IPVS_DEST_ATTR_U_THRESH], &d->u_threshold) ||
	    !get_u32(tb[IPVS_DEST_ATTR_L_THRESH], &d->l_threshold))
		FAIL("bad destination thresholds");
	if (tb[IPVS_DEST_ATTR_TUN_TYPE] && !get_u8(tb[IPVS_DEST_ATTR_TUN_TYPE], &d->tun_type))
		FAIL("bad tunnel type");
	if (tb[IPVS_DEST_ATTR_TUN_PORT]) {
		if (!get_u16(tb[IPVS_DEST_ATTR_TUN_PORT], &port))
			FAIL("bad tunnel port");
		d->tun_port = ntohs(port);
	}
	if (tb[IPVS_DEST_ATTR_TUN_FLAGS] && !get_u16(tb[IPVS_DEST_ATTR_TUN_FLAGS], &d->tun_flags))
		FAIL("bad tunnel flags");
	if ((tb[IPVS_DEST_ATTR_ACTIVE_CONNS] &&
	     !get_u32(tb[IPVS_DEST_ATTR_ACTIVE_CONNS], &td->activeconns)) ||
	    (tb[IPVS_DEST_ATTR_INACT_CONNS] &&
	     !get_u32(tb[IPVS_DEST_ATTR_INACT_CONNS], &td->inactconns)) ||
	    (tb[IPVS_DEST_ATTR_PERSIST_CONNS] &&
	     !get_u32(tb[IPVS_DEST_ATTR_PERSIST_CONNS], &td->persistconns)))
		FAIL("bad connection counter");
	if (tb[IPVS_DEST_ATTR_STATS64] || tb[IPVS_DEST_ATTR_STATS]) {
		const struct nlattr *s = tb[IPVS_DEST_ATTR_STATS64] ? tb[IPVS_DEST_ATTR_STATS64]
		                                                    : tb[IPVS_DEST_ATTR_STATS];
		if (parse_stats(s, &td->stats, why) < 0)
			return -EBADMSG;
	}
	ipvs_dest_canon(d);
	return 0;
}

int ipvs_parse_daemon(const void *msg, size_t len, struct lvs_syncd *s, const char **why)
{
	const struct nlattr *top[IPVS_CMD_ATTR_MAX + 1];
	const struct nlattr *tb[IPVS_DAEMON_ATTR_MAX + 1];
	uint32_t state;

	memset(s, 0, sizeof(*s));
	if (genl_attrs(msg, len, IPVS_CMD_NEW_DAEMON, top, IPVS_CMD_ATTR_MAX, why) < 0)
		return -EBADMSG;
	if (!top[IPVS_CMD_ATTR_DAEMON])
		FAIL("no daemon attribute");
	if (nl_attr_parse_nested(top[IPVS_CMD_ATTR_DAEMON], tb, IPVS_DAEMON_ATTR_MAX) < 0)
		FAIL("malformed daemon attribute");
	if (!get_u32(tb[IPVS_DAEMON_ATTR_STATE], &state) ||
	    (state != IP_VS_STATE_MASTER && state != IP_VS_STATE_BACKUP))
		FAIL("bad daemon state");
	s->backup = state == IP_VS_STATE_BACKUP;
	if (!get_str(tb[IPVS_DAEMON_ATTR_MCAST_IFN], s->ifname, sizeof(s->ifname)))
		FAIL("bad daemon interface");
	if (!get_u32(tb[IPVS_DAEMON_ATTR_SYNC_ID], &s->syncid))
		FAIL("bad daemon syncid");
	if (tb[IPVS_DAEMON_ATTR_SYNC_MAXLEN] &&
	    !get_u16(tb[IPVS_DAEMON_ATTR_SYNC_MAXLEN], &s->maxlen))
		FAIL("bad daemon maxlen");
	if (tb[IPVS_DAEMON_ATTR_MCAST_PORT] && !get_u16(tb[IPVS_DAEMON_ATTR_MCAST_PORT], &s->port))
		FAIL("bad daemon port");
	if (tb[IPVS_DAEMON_ATTR_MCAST_TTL] && !get_u8(tb[IPVS_DAEMON_ATTR_MCAST_TTL], &s->ttl))
		FAIL("bad daemon ttl");
	if (tb[IPVS_DAEMON_ATTR_MCAST_GROUP]) {
		if (!get_exact(tb[IPVS_DAEMON_ATTR_MCAST_GROUP], &s->mcast.u.v4,
		               sizeof(s->mcast.u.v4)))
			FAIL("bad daemon group");
		s->mcast.family = AF_INET;
	} else if (tb[IPVS_DAEMON_ATTR_MCAST_GROUP6]) {
		if (!get_exact(tb[IPVS_DAEMON_ATTR_MCAST_GROUP6], &s->mcast.u.v6,
		               sizeof(s->mcast.u.v6)))
			FAIL("bad daemon group");
		s->mcast.family = AF_INET6;
	}
	return 0;
}

int ipvs_parse_timeouts(const void *msg, size_t len, uint32_t *tcp, uint32_t *tcpfin, uint32_t *udp,
                        const char **why)
{
	const struct nlattr *tb[IPVS_CMD_ATTR_MAX + 1];

	*tcp = *tcpfin = *udp = 0;
	if (genl_attrs(msg, len, IPVS_CMD_SET_CONFIG, tb, IPVS_CMD_ATTR_MAX, why) < 0)
		return -EBADMSG;
	if ((tb[IPVS_CMD_ATTR_TIMEOUT_TCP] && !get_u32(tb[IPVS_CMD_ATTR_TIMEOUT_TCP], tcp)) ||
	    (tb[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN] &&
	     !get_u32(tb[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN], tcpfin)) ||
	    (tb[IPVS_CMD_ATTR_TIMEOUT_UDP] && !get_u32(tb[IPVS_CMD_ATTR_TIMEOUT_UDP], udp)))
		FAIL("bad timeout attribute");
	return 0;
}
