/* The VRRP runtime's I/O: shared sockets and received adverts, sending
 * adverts, VIPs through netlink, gratuitous ARP and unsolicited NA. */
#include <errno.h>
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/mtime.h"
#include "vrrp/vrrp_arp.h"
#include "vrrp/vrrp_if.h"
#include "vrrp/vrrp_ndisc.h"
#include "vrrp/vrrp_rt.h"
#include "vrrp/vrrp_rt_routes.h"
#include "vrrp/vrrp_rt_vmac.h"
#include "vrrp/vrrp_sock.h"
#include "vrrp/vrrp_vip.h"

#define RX_BATCH 64
#define SOCK_RCVBUF (4 * 1024 * 1024) /* hundreds of instances per interface */

/* Rate-limited log of dropped adverts: at most one line per instance and
 * reason every 10 s, and at most DROP_LOG_BURST lines at once and
 * DROP_LOG_PER_S a second in all: a flood across 255 instances would
 * otherwise write thousands of lines in a burst every 10 s, on the loop
 * that sends the adverts.  The lines held back are counted in the next. */
#define DROP_LOG_BURST 20
#define DROP_LOG_PER_S 5
static void log_drop(struct vrrp_inst *vi, enum vrrp_rx_err why, const struct ka_addr *src)
{
	static uint64_t last[256][VRRP_RX_ERR_COUNT], refill_at;
	static unsigned tokens = DROP_LOG_BURST, held;
	uint64_t now = mono_us();
	char a[KA_ADDRSTRLEN];

	if (now - last[vi->c->vrid][why] < 10000000 && last[vi->c->vrid][why])
		return;
	if (now - refill_at >= 1000000u / DROP_LOG_PER_S) {
		uint64_t add = (now - refill_at) / (1000000u / DROP_LOG_PER_S);

		tokens = add + tokens > DROP_LOG_BURST ? DROP_LOG_BURST : (unsigned)(add + tokens);
		refill_at = now;
	}
	if (!tokens) {
		held++;
		return;
	}
	tokens--;
	last[vi->c->vrid][why] = now;
	if (held)
		log_info("(%s) dropping advert from %s: %s (and %u other drop line(s) held back)",
		         vi->c->name, addr_fmt(src, a, sizeof(a)), vrrp_rx_err_str(why), held);
	else
		log_info("(%s) dropping advert from %s: %s", vi->c->name,
		         addr_fmt(src, a, sizeof(a)), vrrp_rx_err_str(why));
	held = 0;
}

/* The instance of a VRID on a socket: a per-socket table filled on first
 * use (inst_free clears its slot), so 255 instances cost one lookup. */
static struct vrrp_inst *find_inst(struct vrrp_rt *rt, struct vrrp_sockent *s, unsigned vrid)
{
	struct vrrp_inst *vi = s->by_vrid[vrid & 0xff];
	size_t i;

	if (vi && vi->sock == s && vi->c->vrid == vrid)
		return vi;
	if (vrid < 256 && s->no_inst[vrid])
		return NULL;
	for (i = 0; i < rt->n_inst; i++) {
		vi = rt->inst[i];
		if (vi->sock == s && vi->c->vrid == vrid) {
			s->by_vrid[vrid & 0xff] = vi;
			return vi;
		}
	}
	if (vrid < 256)
		s->no_inst[vrid] = 1;
	return NULL;
}

/* The instance of a VRID on the same interface and family but on the other
 * protocol's socket (112 vs AH): an advert with AH for an instance without
 * it, or the reverse, arrives on the socket the instance does not use. */
static struct vrrp_inst *find_inst_other_proto(struct vrrp_rt *rt, struct vrrp_sockent *s,
                                               unsigned vrid)
{
	size_t i;

	if (vrid < 256 && s->no_other[vrid])
		return NULL;
	for (i = 0; i < rt->n_inst; i++) {
		struct vrrp_inst *vi = rt->inst[i];

		if (vi->sock && vi->sock != s && vi->sock->family == s->family &&
		    vi->sock->ifindex == s->ifindex && vi->sock->proto != s->proto &&
		    vi->c->vrid == vrid)
			return vi;
	}
	if (vrid < 256)
		s->no_other[vrid] = 1;
	return NULL;
}

/* Unicast peers may set their own TTL bounds (min_ttl/max_ttl). */
static const struct vrrp_rx_policy *
unicast_policy(const struct vrrp_inst *vi, const struct ka_addr *src, struct vrrp_rx_policy *tmp)
{
	size_t i;

	if (!vi->c->unicast)
		return &vi->pol;
	for (i = 0; i < vi->c->n_peers; i++) {
		const struct vrrp_unicast_peer *p = &vi->c->peers[i];

		if (addr_equal(&p->addr, src) && (p->min_ttl > 0 || p->max_ttl < 255)) {
			*tmp = vi->pol;
			tmp->check_ttl = true;
			tmp->min_ttl = p->min_ttl;
			tmp->max_ttl = p->max_ttl;
			return tmp;
		}
	}
	return &vi->pol;
}

static void process(struct vrrp_sockent *s, const uint8_t *buf, size_t n,
                    const struct vrrp_sock_rx *rx)
{
	struct vrrp_rx_meta meta = {0};
	struct vrrp_pkt pkt;
	struct vrrp_rx_info info;
	const uint8_t *msg = buf;
	size_t mlen = n;
	enum vrrp_rx_err why;
	struct vrrp_inst *vi;
	struct vrrp_fsm_rx frx;
	struct vrrp_rx_policy pol;

	if (s->family == AF_INET) {
		if ((s->proto == IPPROTO_AH ? vrrp_ipv4_strip_ah : vrrp_ipv4_strip)(
		        buf, n, &meta, &msg, &mlen, &why) < 0)
			return;
	} else {
		meta.family = AF_INET6;
		meta.src = rx->src;
		meta.dst = rx->dst;
		meta.ttl = rx->hoplimit;
	}
	if (vrrp_pkt_decode(msg, mlen, s->family, &pkt, &why) < 0) {
		if (mlen >= 2 && (vi = find_inst(s->rt, s, msg[1]))) {
			vi->rx_err[why]++;
			log_drop(vi, why, &meta.src);
		}
		return;
	}
	vi = find_inst(s->rt, s, pkt.vrid);
	if (!vi) {
		/* AH presence differs from the instance's configuration */
		if ((vi = find_inst_other_proto(s->rt, s, pkt.vrid))) {
			vi->rx_err[VRRP_RX_AH]++;
			log_drop(vi, VRRP_RX_AH, &meta.src);
		}
		return;
	}
	vi->pol.ah_last_seq = vi->ah_seq; /* AH anti-replay */
	why = vrrp_pkt_validate(&pkt, &meta, unicast_policy(vi, &meta.src, &pol), &info);
	if (info.warn & VRRP_RX_BIT(VRRP_RX_ADDR_LIST))
		vi->addr_list_warn++;
	if (info.warn & VRRP_RX_BIT(VRRP_RX_INTERVAL))
		vi->interval_warn++;
	if (why != VRRP_RX_OK) {
		vi->rx_err[why]++;
		log_drop(vi, why, &meta.src);
		return;
	}
	if (info.csum_form == VRRP_CSUM_PSEUDO_MCAST && !vi->old_csum) {
		log_info("(%s) peer uses the old unicast checksum - switching to it", vi->c->name);
		vi->old_csum = true;
		vi->pol.v3_ipv4_csum = VRRP_CSUM_PSEUDO_MCAST;
	}
	if (meta.ah)
		vi->ah_seq = meta.ah_seq;
	vi->advert_rcvd++;
	frx.prio = pkt.priority;
	frx.adver_int_cs = pkt.adver_int_cs;
	frx.saddr = meta.src;
	vrrp_inst_event(vi, VRRP_EV_ADVERT_RX, &frx);
}

static void on_sock_read(evutil_socket_t fd, short what, void *arg)
{
	struct vrrp_sockent *s = arg;
	uint8_t buf[VRRP_MAX_IPV4_PKT + VRRP_MAX_PKT + 64];
	struct vrrp_sock_rx rx;
	int i;

	(void)what;
	for (i = 0; i < RX_BATCH; i++) {
		ssize_t n = vrrp_sock_recv(fd, buf, sizeof(buf), &rx);

		if (n <= 0)
			break;
		if ((size_t)n > sizeof(buf))
			continue; /* truncated: too long to be an advert */
		process(s, buf, (size_t)n, &rx);
	}
}

struct vrrp_sockent *vrrp_rt_sock_get(struct vrrp_rt *rt, int family, int proto, int ifindex,
                                      const char *ifname, const struct ka_addr *group)
{
	struct vrrp_sockent *s;

	for (s = rt->socks; s; s = s->next)
		if (s->family == family && s->ifindex == ifindex && s->proto == proto) {
			s->users++;
			return s;
		}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->rt = rt;
	s->family = family;
	s->ifindex = ifindex;
	s->proto = proto;
	if (proto == IPPROTO_AH)
		s->fd = vrrp_sock_open_ah(ifname, ifindex, group && group->family ? group : NULL,
		                          SOCK_RCVBUF);
	else
		s->fd = vrrp_sock_open(family, ifname, ifindex,
		                       group && group->family ? group : NULL, SOCK_RCVBUF);
	if (s->fd < 0) {
		log_err("Cannot open the VRRP socket on %s: %s", ifname, strerror(errno));
		free(s);
		return NULL;
	}
	s->ev = event_new(rt->base, s->fd, EV_READ | EV_PERSIST, on_sock_read, s);
	if (!s->ev || event_add(s->ev, NULL) < 0) {
		vrrp_sock_close(s->fd);
		free(s);
		return NULL;
	}
	s->users = 1;
	s->next = rt->socks;
	rt->socks = s;
	return s;
}

void vrrp_rt_sock_put(struct vrrp_rt *rt, struct vrrp_sockent *s)
{
	struct vrrp_sockent **pp;

	if (--s->users)
		return;
	for (pp = &rt->socks; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	event_free(s->ev);
	vrrp_sock_close(s->fd);
	free(s);
}

bool vrrp_inst_resolve_source(struct vrrp_inst *vi)
{
	const struct vrrp_instance_conf *c = vi->c;
	struct vrrp_if *ifp = vi->ifindex ? vrrp_if_by_index(vi->rt->ift, vi->ifindex) : NULL;
	const struct vrrp_if_addr *a = NULL;

	if (c->has_unicast_src) {
		vi->src = c->unicast_src_ip;
	} else if (c->has_mcast_src) {
		vi->src = c->mcast_src_ip;
	} else {
		if (ifp)
			a = c->family == AF_INET6 ? vrrp_if_linklocal6(ifp) : vrrp_if_primary4(ifp);
		if (!a)
			return false;
		vi->src = a->addr;
	}
	vi->fsm.saddr = vi->src;
	return true;
}

static int send_one(struct vrrp_inst *vi, struct vrrp_tx *tx, const struct ka_addr *dst, int ttl)
{
	uint8_t buf[VRRP_MAX_PKT];
	size_t len;

	/* The old unicast form computes the checksum against the group. */
	tx->dst = tx->csum == VRRP_CSUM_PSEUDO_MCAST ? vi->c->mcast_dst_ip : *dst;
	len = vrrp_pkt_encode(buf, sizeof(buf), tx);
	if (!len)
		return -1;
	if (vi->c->auth_type == VRRP_AUTH_AH)
		return vrrp_inst_send_ah(vi, buf, len, dst, ttl);
	/* the socket's interface: the VMAC unless vmac_xmit_base */
	return vrrp_sock_send(vi->sock->fd, vi->sock->ifindex, &vi->src, dst, ttl, buf, len);
}

int vrrp_inst_send_advert(struct vrrp_inst *vi, uint8_t prio)
{
	const struct vrrp_instance_conf *c = vi->c;
	struct vrrp_tx tx = {0};
	size_t i;
	int rc = 0;

	if (!vi->sock || vi->fault & (VRRP_FAULT_NO_SOURCE | VRRP_FAULT_SOCKET))
		return -1;
	tx.version = (uint8_t)c->version;
	tx.vrid = (uint8_t)c->vrid;
	tx.priority = prio;
	tx.adver_int_cs = (uint16_t)c->advert_int_cs;
	tx.auth_type = c->auth_type == VRRP_AUTH_PASS ? VRRP_PKT_AUTH_PASS : VRRP_PKT_AUTH_NONE;
	memcpy(tx.auth_data, c->auth_pass, sizeof(tx.auth_data));
	tx.family = (sa_family_t)c->family;
	tx.addrs = c->n_vips ? &c->vips[0].addr : NULL;
	tx.naddr = c->n_vips;
	tx.addr_stride = sizeof(c->vips[0]);
	if (c->family == AF_INET6)
		tx.csum = VRRP_CSUM_NONE; /* the kernel fills it (IPV6_CHECKSUM) */
	else if (c->version == 3 && vi->old_csum)
		tx.csum = VRRP_CSUM_PSEUDO_MCAST;
	else if (c->version == 3 && !c->v3_checksum_as_v2)
		tx.csum = VRRP_CSUM_PSEUDO;
	else
		tx.csum = VRRP_CSUM_PLAIN;
	tx.src = vi->src;
	if (c->unicast) {
		for (i = 0; i < c->n_peers; i++)
			if (send_one(vi, &tx, &c->peers[i].addr, c->unicast_ttl) < 0)
				rc = -1;
	} else {
		rc = send_one(vi, &tx, &c->mcast_dst_ip, 255);
	}
	if (rc == 0)
		vi->advert_sent++;
	else
		log_debug("(%s) advert send failed: %s", c->name, strerror(errno));
	return rc;
}

int vrrp_vip_ifindex(struct vrrp_inst *vi, const struct vrrp_vip *v)
{
	struct vrrp_if *ifp;

	if (!v->dev)
		return vrrp_inst_vip_ifindex(vi); /* the VMAC with use_vmac */
	ifp = vrrp_if_by_name(vi->rt->ift, v->dev);
	return ifp ? ifp->ifindex : 0;
}

static void nl_vip_from(struct vrrp_inst *vi, const struct vrrp_vip *v, struct vrrp_nl_vip *nv)
{
	vrrp_vip_init(nv, &v->addr);
	nv->prefixlen = (uint8_t)v->prefixlen;
	nv->ifindex = vrrp_vip_ifindex(vi, v);
	switch (v->brd) {
	case VRRP_BRD_ADDR:
		nv->brd = VRRP_VIP_BRD_EXPLICIT;
		nv->brd_addr = v->brd_addr.u.v4;
		break;
	case VRRP_BRD_PLUS:
		nv->brd = VRRP_VIP_BRD_PLUS;
		break;
	case VRRP_BRD_MINUS:
		nv->brd = VRRP_VIP_BRD_MINUS;
		break;
	default:
		break;
	}
	if (v->scope >= 0)
		nv->scope = (uint8_t)v->scope;
	if (v->label)
		snprintf(nv->label, sizeof(nv->label), "%s", v->label);
	if (v->has_peer) {
		nv->has_peer = true;
		nv->peer = v->peer;
	}
	if (v->preferred_lft_set)
		nv->preferred_lft = v->preferred_lft;
}

void vrrp_inst_vip_list(struct vrrp_inst *vi, const struct vrrp_vip *v, size_t n, bool add)
{
	struct vrrp_nl_vip nv;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		nl_vip_from(vi, &v[i], &nv);
		if (nv.ifindex <= 0)
			continue;
		rc = add ? vrrp_vip_add(&vi->rt->nl, &nv) : vrrp_vip_del(&vi->rt->nl, &nv);
		if (rc < 0)
			log_err("(%s) cannot %s VIP %s: %s", vi->c->name, add ? "add" : "remove",
			        v[i].text, strerror(-rc));
	}
}

void vrrp_inst_vips(struct vrrp_inst *vi, bool add)
{
	if (vi->ifindex <= 0)
		return;
	vrrp_inst_routes_pre(vi, add); /* virtual_routes/rules go first */
	vrrp_inst_vip_list(vi, vi->c->vips, vi->c->n_vips, add);
	vrrp_inst_vip_list(vi, vi->c->evips, vi->c->n_evips, add);
	vi->vips_set = add;
	vrrp_inst_routes_post(vi, add); /* ... and come after; no-accept set */
}

/* Send one GARP (IPv4) or unsolicited NA (IPv6) for v. */
static void garp_one(struct vrrp_inst *vi, const struct vrrp_vip *v)
{
	int ifindex = vrrp_vip_ifindex(vi, v);
	struct vrrp_if *ifp = ifindex > 0 ? vrrp_if_by_index(vi->rt->ift, ifindex) : NULL;
	/* A VMAC we just made may not be in the table yet: we know its MAC. */
	const uint8_t *mac = vrrp_inst_vmac_hwaddr(vi, ifindex);

	if (!mac && ifp && ifp->hwaddr_len == 6)
		mac = ifp->hwaddr;
	if (!mac)
		return;
	if (v->addr.family == AF_INET) {
		struct vrrp_arp a;

		if (vrrp_arp_open(&a, ifindex, mac) < 0)
			return;
		vrrp_arp_send(&a, v->addr.u.v4, NULL);
		vrrp_arp_close(&a);
	} else {
		struct vrrp_ndisc nd;

		if (vrrp_ndisc_open(&nd) < 0)
			return;
		vrrp_ndisc_send_na(&nd, ifindex, &v->addr.u.v6, mac, false, NULL);
		vrrp_ndisc_close(&nd);
	}
}

static uint64_t pace_us(const struct vrrp_inst *vi, const struct vrrp_vip *v)
{
	/* garp_group may override the global interval for the interface. */
	return vrrp_garp_interval(vi->rt->conf, v->dev ? v->dev : vi->c->ifname, v->addr.family);
}

/* The interface's slot for v's family; NULL when out of memory. */
static struct vrrp_pace_slot *pace_slot(struct vrrp_inst *vi, const struct vrrp_vip *v)
{
	struct vrrp_rt *rt = vi->rt;
	int ifindex = vrrp_vip_ifindex(vi, v);
	struct vrrp_pace_slot *s;

	for (size_t i = 0; i < rt->n_pace_slots; i++)
		if (rt->pace_slots[i].ifindex == ifindex &&
		    rt->pace_slots[i].family == v->addr.family)
			return &rt->pace_slots[i];
	s = realloc(rt->pace_slots, (rt->n_pace_slots + 1) * sizeof(*s));
	if (!s)
		return NULL;
	rt->pace_slots = s;
	s += rt->n_pace_slots++;
	*s = (struct vrrp_pace_slot){.ifindex = ifindex, .family = v->addr.family};
	return s;
}

/* How long v must wait for its interface's next slot (0: now). */
static uint64_t pace_wait(struct vrrp_inst *vi, const struct vrrp_vip *v)
{
	struct vrrp_pace_slot *s = pace_slot(vi, v);
	uint64_t now = mono_us();

	return s && s->next_us > now ? s->next_us - now : 0;
}

/* Send v now and take its interface's slot for one interval. */
static void pace_send(struct vrrp_inst *vi, const struct vrrp_vip *v)
{
	struct vrrp_pace_slot *s = pace_slot(vi, v);

	garp_one(vi, v);
	if (s)
		s->next_us = mono_us() + pace_us(vi, v);
}

static void pace_arm(struct vrrp_inst *vi)
{
	struct timeval tv;

	if (vi->pace_pos >= vi->pace_n) {
		free(vi->pace_q);
		vi->pace_q = NULL;
		vi->pace_n = vi->pace_pos = 0;
		return;
	}
	us_to_timeval(pace_wait(vi, vi->pace_q[vi->pace_pos].vip), &tv);
	evtimer_add(vi->pace_timer, &tv);
}

static void on_pace(evutil_socket_t fd, short what, void *arg)
{
	struct vrrp_inst *vi = arg;

	(void)fd;
	(void)what;
	if (vi->pace_pos >= vi->pace_n || !vi->vips_set)
		vi->pace_pos = vi->pace_n;
	/* Another instance may have taken the interface's slot meanwhile. */
	else if (!pace_wait(vi, vi->pace_q[vi->pace_pos].vip))
		pace_send(vi, vi->pace_q[vi->pace_pos++].vip);
	pace_arm(vi);
}

/* Announce n VIPs `repeat` times each.  Without vrrp_garp_interval /
 * vrrp_gna_interval (or a garp_group's) everything goes at once; with
 * them, one message per interval and interface, from a per-instance queue
 * on the event loop. */
void vrrp_inst_garp_list(struct vrrp_inst *vi, const struct vrrp_vip *v, size_t n, unsigned repeat)
{
	size_t i, total;
	unsigned r;
	struct vrrp_garp_msg *q;

	for (r = 0; r < repeat; r++)
		for (i = 0; i < n; i++) {
			if (pace_us(vi, &v[i]))
				goto paced;
			garp_one(vi, &v[i]);
		}
	return;
paced:
	if (!vi->pace_timer)
		vi->pace_timer = evtimer_new(vi->rt->base, on_pace, vi);
	total = vi->pace_n - vi->pace_pos + (size_t)repeat * n;
	q = vi->pace_timer ? malloc(total * sizeof(*q)) : NULL;
	if (!q)
		return;
	total = 0;
	for (i = vi->pace_pos; i < vi->pace_n; i++)
		q[total++] = vi->pace_q[i];
	for (r = 0; r < repeat; r++)
		for (i = 0; i < n; i++)
			q[total++].vip = &v[i];
	free(vi->pace_q);
	vi->pace_q = q;
	vi->pace_n = total;
	vi->pace_pos = 0;
	/* The first message goes as soon as its interface allows, the rest
	 * one interval apart on each interface, whichever instance sends. */
	if (!pace_wait(vi, vi->pace_q[0].vip))
		pace_send(vi, vi->pace_q[vi->pace_pos++].vip);
	pace_arm(vi);
}

/* Forget queued announcements (VIPs removed, or the config replaced). */
void vrrp_inst_garp_cancel(struct vrrp_inst *vi)
{
	if (vi->pace_timer)
		evtimer_del(vi->pace_timer);
	free(vi->pace_q);
	vi->pace_q = NULL;
	vi->pace_n = vi->pace_pos = 0;
}

void vrrp_inst_garp_burst(struct vrrp_inst *vi, unsigned repeat)
{
	if (!vi->vips_set || !repeat)
		return;
	vrrp_inst_garp_list(vi, vi->c->vips, vi->c->n_vips, repeat);
	vrrp_inst_garp_list(vi, vi->c->evips, vi->c->n_evips, repeat);
}
