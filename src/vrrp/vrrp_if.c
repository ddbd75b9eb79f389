/* The interface table, kept current from rtnetlink (see vrrp_if.h). */
#include "vrrp/vrrp_if.h"

#include <errno.h>
#include <event2/event.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/mtime.h"
#include "lib/nl.h"

#define IF_HASH 256u              /* buckets for ifindex lookups (power of two) */
#define READ_BATCH 64             /* datagrams per read event, then back to the loop */
#define DUMP_RETRY_US 200000u     /* after a failed dump request */
#define DUMP_WATCHDOG_US 5000000u /* a dump phase that shows no end is asked again */

enum dump_state { DUMP_IDLE, DUMP_LINKS, DUMP_ADDRS };

struct vrrp_if_table {
	struct vrrp_if_callbacks cb;
	void *arg;
	TAILQ_HEAD(, vrrp_if) links;
	size_t count;
	struct vrrp_if *hash[IF_HASH];
	uint32_t gen;
	bool quiet; /* first dump: no callbacks */
	struct vrrp_if_stats stats;

	/* monitor socket (vrrp_if_start only) */
	struct nl_sock nl;
	bool have_nl;
	struct event_base *base;
	struct event *ev_read;
	struct event *ev_retry;
	struct event *ev_wd; /* dump watchdog */
	enum dump_state dump;
	bool send_pending; /* the dump request waits for an empty queue */
	uint32_t dump_seq;
	int dump_err;        /* last dump error (first sync reports it) */
	bool dump_intr;      /* a reply of this dump had NLM_F_DUMP_INTR */
	bool resync_wanted;  /* start another dump when this one ends */
	bool drops_ok;       /* SO_MEMINFO works: drops_mark is meaningful */
	uint32_t drops_mark; /* socket drop count when the current dump began */
	uint64_t log_ms;     /* rate limit for overrun/malformed messages */
	unsigned int log_suppressed;
};

/* ---- table core ------------------------------------------------------ */

static unsigned int hash_idx(int ifindex)
{
	return (unsigned int)ifindex & (IF_HASH - 1);
}

const char *vrrp_if_event_str(enum vrrp_if_event ev)
{
	switch (ev) {
	case VRRP_IF_EV_NEW:
		return "new";
	case VRRP_IF_EV_DEL:
		return "del";
	case VRRP_IF_EV_UP:
		return "up";
	case VRRP_IF_EV_DOWN:
		return "down";
	case VRRP_IF_EV_CHANGE:
		return "change";
	}
	return "?";
}

const char *vrrp_if_addr_event_str(enum vrrp_if_addr_event ev)
{
	switch (ev) {
	case VRRP_IF_ADDR_ADD:
		return "add";
	case VRRP_IF_ADDR_DEL:
		return "del";
	case VRRP_IF_ADDR_CHANGE:
		return "change";
	}
	return "?";
}

static void fire_link(struct vrrp_if_table *t, struct vrrp_if *ifp, enum vrrp_if_event ev)
{
	log_debug("netlink: link %s (%d) %s", ifp->name, ifp->ifindex, vrrp_if_event_str(ev));
	if (!t->quiet && t->cb.link)
		t->cb.link(t->arg, ifp, ev);
}

static void fire_addr(struct vrrp_if_table *t, struct vrrp_if *ifp, const struct vrrp_if_addr *a,
                      enum vrrp_if_addr_event ev)
{
	char b[KA_ADDRSTRLEN];

	log_debug("netlink: address %s/%u on %s %s", addr_fmt(&a->addr, b, sizeof(b)), a->prefixlen,
	          ifp->name, vrrp_if_addr_event_str(ev));
	if (!t->quiet && t->cb.addr)
		t->cb.addr(t->arg, ifp, a, ev);
}

struct vrrp_if_table *vrrp_if_table_new(const struct vrrp_if_callbacks *cb, void *arg)
{
	struct vrrp_if_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	if (cb)
		t->cb = *cb;
	t->arg = arg;
	TAILQ_INIT(&t->links);
	t->nl.fd = -1;
	return t;
}

struct vrrp_if *vrrp_if_by_index(const struct vrrp_if_table *t, int ifindex)
{
	struct vrrp_if *p;

	for (p = t->hash[hash_idx(ifindex)]; p; p = p->hnext)
		if (p->ifindex == ifindex)
			return p;
	return NULL;
}

struct vrrp_if *vrrp_if_by_name(const struct vrrp_if_table *t, const char *name)
{
	struct vrrp_if *p;

	for (p = TAILQ_FIRST(&t->links); p; p = TAILQ_NEXT(p, entry))
		if (strncmp(p->name, name, sizeof(p->name)) == 0)
			return p;
	return NULL;
}

struct vrrp_if *vrrp_if_first(const struct vrrp_if_table *t)
{
	return TAILQ_FIRST(&t->links);
}

struct vrrp_if *vrrp_if_next(const struct vrrp_if_table *t, const struct vrrp_if *ifp)
{
	(void)t;
	return TAILQ_NEXT(ifp, entry);
}

size_t vrrp_if_count(const struct vrrp_if_table *t)
{
	return t->count;
}

const struct vrrp_if_stats *vrrp_if_get_stats(const struct vrrp_if_table *t)
{
	return &t->stats;
}

bool vrrp_if_is_up(const struct vrrp_if *ifp)
{
	return (ifp->flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
}

const struct vrrp_if_addr *vrrp_if_primary4(const struct vrrp_if *ifp)
{
	const struct vrrp_if_addr *a;

	for (a = TAILQ_FIRST(&ifp->addrs); a; a = TAILQ_NEXT(a, entry))
		if (a->addr.family == AF_INET && !(a->flags & IFA_F_SECONDARY))
			return a;
	return NULL;
}

const struct vrrp_if_addr *vrrp_if_linklocal6(const struct vrrp_if *ifp)
{
	const struct vrrp_if_addr *a;

	for (a = TAILQ_FIRST(&ifp->addrs); a; a = TAILQ_NEXT(a, entry))
		if (a->addr.family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&a->addr.u.v6) &&
		    !(a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
			return a;
	return NULL;
}

const struct vrrp_if_addr *vrrp_if_find_addr(const struct vrrp_if *ifp, const struct ka_addr *x)
{
	const struct vrrp_if_addr *a;

	for (a = TAILQ_FIRST(&ifp->addrs); a; a = TAILQ_NEXT(a, entry))
		if (addr_equal(&a->addr, x))
			return a;
	return NULL;
}

static void addr_remove(struct vrrp_if_table *t, struct vrrp_if *ifp, struct vrrp_if_addr *a)
{
	TAILQ_REMOVE(&ifp->addrs, a, entry);
	fire_addr(t, ifp, a, VRRP_IF_ADDR_DEL);
	free(a);
}

static void link_remove(struct vrrp_if_table *t, struct vrrp_if *ifp)
{
	struct vrrp_if **pp;

	while (!TAILQ_EMPTY(&ifp->addrs))
		addr_remove(t, ifp, TAILQ_FIRST(&ifp->addrs));
	for (pp = &t->hash[hash_idx(ifp->ifindex)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == ifp) {
			*pp = ifp->hnext;
			break;
		}
	}
	TAILQ_REMOVE(&t->links, ifp, entry);
	t->count--;
	fire_link(t, ifp, VRRP_IF_EV_DEL);
	free(ifp);
}

void vrrp_if_table_gen_begin(struct vrrp_if_table *t)
{
	t->gen++;
}

void vrrp_if_table_sweep_links(struct vrrp_if_table *t)
{
	struct vrrp_if *p, *n;

	for (p = TAILQ_FIRST(&t->links); p; p = n) {
		n = TAILQ_NEXT(p, entry);
		if (p->gen != t->gen)
			link_remove(t, p);
	}
}

void vrrp_if_table_sweep_addrs(struct vrrp_if_table *t)
{
	struct vrrp_if *p;
	struct vrrp_if_addr *a, *n;

	for (p = TAILQ_FIRST(&t->links); p; p = TAILQ_NEXT(p, entry)) {
		for (a = TAILQ_FIRST(&p->addrs); a; a = n) {
			n = TAILQ_NEXT(a, entry);
			if (a->gen != t->gen)
				addr_remove(t, p, a);
		}
	}
}

static void table_clear(struct vrrp_if_table *t)
{
	struct vrrp_if *p;
	struct vrrp_if_addr *a;

	while ((p = TAILQ_FIRST(&t->links))) {
		while ((a = TAILQ_FIRST(&p->addrs))) {
			TAILQ_REMOVE(&p->addrs, a, entry);
			free(a);
		}
		TAILQ_REMOVE(&t->links, p, entry);
		free(p);
	}
	memset(t->hash, 0, sizeof(t->hash));
	t->count = 0;
}

void vrrp_if_table_free(struct vrrp_if_table *t)
{
	if (!t)
		return;
	table_clear(t);
	free(t);
}

/* ---- message parsing (pure) ------------------------------------------ */

struct link_msg {
	int ifindex;
	unsigned int flags;
	uint16_t type;
	char name[IFNAMSIZ];
	uint8_t hwaddr[VRRP_IF_HWADDR_MAX];
	uint8_t hwaddr_len;
	uint32_t mtu;
	int link;
	int master;
	uint8_t operstate;
	char kind[16];
};

/* 1 = a link message for us, 0 = not a link (other family), -EBADMSG. */
static int parse_link(const struct nlmsghdr *nlh, struct link_msg *m)
{
	const struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	const struct ifinfomsg *ifi = nl_msg_payload(nlh, sizeof(*ifi));
	struct ifinfomsg h;
	const void *d;
	size_t len;
	uint32_t v;

	if (!ifi)
		return -EBADMSG;
	memcpy(&h, ifi, sizeof(h));
	if (h.ifi_family != AF_UNSPEC)
		return 0;
	if (h.ifi_index <= 0)
		return -EBADMSG;
	if (nl_attr_parse_msg(nlh, sizeof(h), tb, IFLA_MAX) < 0)
		return -EBADMSG;
	memset(m, 0, sizeof(*m));
	m->ifindex = h.ifi_index;
	m->flags = h.ifi_flags;
	m->type = h.ifi_type;
	if (tb[IFLA_IFNAME] && !nl_attr_str(tb[IFLA_IFNAME], m->name, sizeof(m->name)))
		return -EBADMSG;
	d = nl_attr_data(tb[IFLA_ADDRESS], &len);
	if (d) {
		if (len > sizeof(m->hwaddr))
			return -EBADMSG;
		memcpy(m->hwaddr, d, len);
		m->hwaddr_len = (uint8_t)len;
	}
	(void)nl_attr_u32(tb[IFLA_MTU], &m->mtu);
	if (nl_attr_u32(tb[IFLA_LINK], &v))
		m->link = (int)v;
	if (nl_attr_u32(tb[IFLA_MASTER], &v))
		m->master = (int)v;
	(void)nl_attr_u8(tb[IFLA_OPERSTATE], &m->operstate);
	if (tb[IFLA_LINKINFO] && nl_attr_parse_nested(tb[IFLA_LINKINFO], li, IFLA_INFO_MAX) == 0)
		(void)nl_attr_str(li[IFLA_INFO_KIND], m->kind, sizeof(m->kind));
	return 1;
}

/* 1 = an IPv4/IPv6 address message, 0 = other family, -EBADMSG. */
static int parse_addr(const struct nlmsghdr *nlh, int *ifindex, struct vrrp_if_addr *a)
{
	const struct nlattr *tb[IFA_MAX + 1];
	const struct ifaddrmsg *ifa = nl_msg_payload(nlh, sizeof(*ifa));
	struct ifaddrmsg h;
	struct ka_addr local, address;
	bool has_local, has_address;
	uint32_t flags;

	if (!ifa)
		return -EBADMSG;
	memcpy(&h, ifa, sizeof(h));
	if (h.ifa_family != AF_INET && h.ifa_family != AF_INET6)
		return 0;
	if (nl_attr_parse_msg(nlh, sizeof(h), tb, IFA_MAX) < 0)
		return -EBADMSG;
	if (h.ifa_prefixlen > (h.ifa_family == AF_INET ? 32 : 128) || h.ifa_index == 0)
		return -EBADMSG;
	memset(a, 0, sizeof(*a));
	has_local = tb[IFA_LOCAL] != NULL;
	has_address = tb[IFA_ADDRESS] != NULL;
	if ((has_local && !nl_attr_addr(tb[IFA_LOCAL], h.ifa_family, &local)) ||
	    (has_address && !nl_attr_addr(tb[IFA_ADDRESS], h.ifa_family, &address)))
		return -EBADMSG;
	if (has_local) {
		a->addr = local;
		if (has_address && !addr_equal(&local, &address)) {
			a->peer = address;
			a->has_peer = true;
		}
	} else if (has_address) {
		a->addr = address;
	} else {
		return -EBADMSG;
	}
	a->prefixlen = h.ifa_prefixlen;
	a->scope = h.ifa_scope;
	a->flags = h.ifa_flags;
	if (nl_attr_u32(tb[IFA_FLAGS], &flags))
		a->flags = flags;
	if (tb[IFA_LABEL] && !nl_attr_str(tb[IFA_LABEL], a->label, sizeof(a->label)))
		return -EBADMSG;
	*ifindex = (int)h.ifa_index;
	return 1;
}

/* ---- applying messages ----------------------------------------------- */

static int apply_newlink(struct vrrp_if_table *t, const struct link_msg *m)
{
	struct vrrp_if *ifp = vrrp_if_by_index(t, m->ifindex);
	bool was_up, changed;

	if (!ifp) {
		ifp = calloc(1, sizeof(*ifp));
		if (!ifp)
			return -ENOMEM;
		ifp->ifindex = m->ifindex;
		TAILQ_INIT(&ifp->addrs);
		memcpy(ifp->name, m->name, sizeof(ifp->name));
		ifp->flags = m->flags;
		ifp->type = m->type;
		memcpy(ifp->hwaddr, m->hwaddr, sizeof(ifp->hwaddr));
		ifp->hwaddr_len = m->hwaddr_len;
		ifp->mtu = m->mtu;
		ifp->link = m->link;
		ifp->master = m->master;
		ifp->operstate = m->operstate;
		memcpy(ifp->kind, m->kind, sizeof(ifp->kind));
		ifp->gen = t->gen;
		ifp->hnext = t->hash[hash_idx(m->ifindex)];
		t->hash[hash_idx(m->ifindex)] = ifp;
		TAILQ_INSERT_TAIL(&t->links, ifp, entry);
		t->count++;
		fire_link(t, ifp, VRRP_IF_EV_NEW);
		return 1;
	}
	ifp->gen = t->gen;
	was_up = vrrp_if_is_up(ifp);
	changed = (m->name[0] && strcmp(ifp->name, m->name) != 0) || ifp->type != m->type ||
	          ifp->hwaddr_len != m->hwaddr_len ||
	          memcmp(ifp->hwaddr, m->hwaddr, m->hwaddr_len) != 0 || ifp->mtu != m->mtu ||
	          ifp->link != m->link || ifp->master != m->master ||
	          strcmp(ifp->kind, m->kind) != 0;
	if (m->name[0])
		memcpy(ifp->name, m->name, sizeof(ifp->name));
	ifp->flags = m->flags;
	ifp->type = m->type;
	memcpy(ifp->hwaddr, m->hwaddr, sizeof(ifp->hwaddr));
	ifp->hwaddr_len = m->hwaddr_len;
	ifp->mtu = m->mtu;
	ifp->link = m->link;
	ifp->master = m->master;
	ifp->operstate = m->operstate;
	memcpy(ifp->kind, m->kind, sizeof(ifp->kind));
	if (changed)
		fire_link(t, ifp, VRRP_IF_EV_CHANGE);
	if (was_up != vrrp_if_is_up(ifp))
		fire_link(t, ifp, was_up ? VRRP_IF_EV_DOWN : VRRP_IF_EV_UP);
	return 1;
}

static bool addr_same_key(const struct vrrp_if_addr *x, const struct vrrp_if_addr *y)
{
	if (!addr_equal(&x->addr, &y->addr))
		return false;
	if (x->addr.family == AF_INET6)
		return true; /* one IPv6 address per device, whatever its prefix */
	if (x->prefixlen != y->prefixlen || x->has_peer != y->has_peer)
		return false;
	return !x->has_peer || addr_equal(&x->peer, &y->peer);
}

static struct vrrp_if_addr *addr_lookup(struct vrrp_if *ifp, const struct vrrp_if_addr *key)
{
	struct vrrp_if_addr *a;

	for (a = TAILQ_FIRST(&ifp->addrs); a; a = TAILQ_NEXT(a, entry))
		if (addr_same_key(a, key))
			return a;
	return NULL;
}

static int apply_addr(struct vrrp_if_table *t, const struct nlmsghdr *nlh)
{
	struct vrrp_if_addr m, *a;
	struct vrrp_if *ifp;
	int ifindex = 0, r;
	bool changed;

	r = parse_addr(nlh, &ifindex, &m);
	if (r <= 0)
		return r;
	ifp = vrrp_if_by_index(t, ifindex);
	if (!ifp)
		return 0; /* unknown link; a resync would bring both */
	a = addr_lookup(ifp, &m);
	if (nlh->nlmsg_type == RTM_DELADDR) {
		if (!a)
			return 0;
		addr_remove(t, ifp, a);
		return 1;
	}
	if (!a) {
		a = malloc(sizeof(*a));
		if (!a)
			return -ENOMEM;
		*a = m;
		a->gen = t->gen;
		TAILQ_INSERT_TAIL(&ifp->addrs, a, entry);
		fire_addr(t, ifp, a, VRRP_IF_ADDR_ADD);
		return 1;
	}
	a->gen = t->gen;
	changed = a->flags != m.flags || a->scope != m.scope || a->prefixlen != m.prefixlen ||
	          strcmp(a->label, m.label) != 0;
	if (changed) {
		a->flags = m.flags;
		a->scope = m.scope;
		a->prefixlen = m.prefixlen;
		memcpy(a->label, m.label, sizeof(a->label));
		fire_addr(t, ifp, a, VRRP_IF_ADDR_CHANGE);
	}
	return 1;
}

int vrrp_if_table_apply(struct vrrp_if_table *t, const struct nlmsghdr *nlh)
{
	struct link_msg m;
	struct vrrp_if *ifp;
	int r;

	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		r = parse_link(nlh, &m);
		if (r <= 0)
			break;
		if (nlh->nlmsg_type == RTM_NEWLINK) {
			r = apply_newlink(t, &m);
		} else {
			ifp = vrrp_if_by_index(t, m.ifindex);
			if (ifp)
				link_remove(t, ifp);
			r = ifp ? 1 : 0;
		}
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		r = apply_addr(t, nlh);
		break;
	default:
		r = 0;
		break;
	}
	if (r > 0)
		t->stats.msgs++;
	else if (r == 0)
		t->stats.ignored++;
	else if (r == -EBADMSG)
		t->stats.malformed++;
	return r;
}

/* At most one overrun/malformed line per second; the rest are counted. */
static bool log_allowed(struct vrrp_if_table *t)
{
	uint64_t now = mono_ms();

	if (t->log_ms && now - t->log_ms < 1000) {
		t->log_suppressed++;
		return false;
	}
	if (t->log_suppressed)
		log_info("netlink: %u similar message(s) suppressed", t->log_suppressed);
	t->log_ms = now;
	t->log_suppressed = 0;
	return true;
}

/* ---- monitor socket --------------------------------------------------
 *
 * Resync state machine: IDLE -> LINKS -> ADDRS -> IDLE.  A dump request is
 * only sent when the receive queue has just been found empty: the kernel
 * then always has room for the first part of the dump and for an error
 * ack (an ack that does not fit is dropped, and a dump that starts while
 * the queue is full answers ENOBUFS but keeps running, so later requests
 * get EBUSY).  A watchdog re-asks if a dump shows no end. */

static void schedule_retry(struct vrrp_if_table *t)
{
	struct timeval tv;

	t->resync_wanted = true;
	if (!t->ev_retry)
		return;
	us_to_timeval(DUMP_RETRY_US, &tv);
	evtimer_add(t->ev_retry, &tv);
}

static int send_dump(struct vrrp_if_table *t, uint16_t type)
{
	union {
		struct nlmsghdr h;
		uint8_t b[256];
	} req;
	struct nlmsghdr *nlh = &req.h;
	size_t hdr = type == RTM_GETLINK ? sizeof(struct ifinfomsg) : sizeof(struct ifaddrmsg);
	uint32_t mask = RTEXT_FILTER_SKIP_STATS;
	ssize_t n;

	memset(&req, 0, sizeof(req));
	nlh->nlmsg_len = (uint32_t)NLMSG_LENGTH(hdr);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = nl_next_seq(&t->nl);
	nlh->nlmsg_pid = t->nl.portid;
	/* ifi_family / ifa_family are already AF_UNSPEC (0): every family. */
	if (type == RTM_GETLINK && nl_put(nlh, sizeof(req), IFLA_EXT_MASK, sizeof(mask), &mask) < 0)
		return -EMSGSIZE;
	do
		n = send(t->nl.fd, nlh, nlh->nlmsg_len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	t->dump_seq = nlh->nlmsg_seq;
	return 0;
}

static void dump_failed(struct vrrp_if_table *t, int err)
{
	if (log_allowed(t))
		log_warn("netlink: %s dump failed: %s", t->dump == DUMP_LINKS ? "link" : "address",
		         strerror(-err));
	t->dump = DUMP_IDLE;
	t->dump_err = err;
	t->send_pending = false;
	t->dump_seq = 0;
	if (t->ev_wd)
		evtimer_del(t->ev_wd);
	schedule_retry(t);
}

/* Begin a full resync; the request goes out at the next empty queue. */
static void start_dump(struct vrrp_if_table *t)
{
	if (t->ev_retry)
		evtimer_del(t->ev_retry);
	t->resync_wanted = false;
	t->dump_intr = false;
	t->dump_err = 0;
	t->dump = DUMP_LINKS;
	t->dump_seq = 0;
	t->send_pending = true;
	vrrp_if_table_gen_begin(t);
}

/* Called with an empty receive queue. */
static void flush_send(struct vrrp_if_table *t)
{
	struct timeval tv;
	int r;

	if (!t->send_pending)
		return;
	if (t->dump == DUMP_LINKS) /* drops before this are covered by the dump */
		t->drops_ok = nl_drops(&t->nl, &t->drops_mark) == 0;
	r = send_dump(t, t->dump == DUMP_LINKS ? RTM_GETLINK : RTM_GETADDR);
	if (r < 0) {
		dump_failed(t, r);
		return;
	}
	t->send_pending = false;
	if (t->ev_wd) {
		us_to_timeval(DUMP_WATCHDOG_US, &tv);
		evtimer_add(t->ev_wd, &tv);
	}
}

static void request_resync(struct vrrp_if_table *t)
{
	if (t->dump != DUMP_IDLE)
		t->resync_wanted = true; /* after the running dump: the kernel allows one */
	else
		start_dump(t);
}

static void dump_finished(struct vrrp_if_table *t, int err)
{
	if (err < 0) {
		/* ENOBUFS here means the dump is still running in the kernel:
		 * the retry meets EBUSY until it ends, then succeeds. */
		dump_failed(t, err);
		return;
	}
	if (t->dump == DUMP_LINKS) {
		vrrp_if_table_sweep_links(t);
		t->dump = DUMP_ADDRS;
		t->dump_seq = 0;
		t->send_pending = true;
		return;
	}
	if (t->ev_wd)
		evtimer_del(t->ev_wd);
	vrrp_if_table_sweep_addrs(t);
	t->dump = DUMP_IDLE;
	t->dump_seq = 0;
	t->stats.resyncs++;
	if (t->dump_intr) {
		log_debug("netlink: dump was interrupted by changes; dumping again");
		t->resync_wanted = true;
	}
	if (!t->quiet) {
		log_info("netlink: interface table resynchronised (%zu links)", t->count);
		if (t->cb.resync)
			t->cb.resync(t->arg);
	}
	if (t->resync_wanted)
		start_dump(t);
}

/* After one ENOBUFS report the kernel drops silently until our receive
 * queue has been emptied once; the drop counter catches those losses.
 * Called whenever the queue is found empty. */
static void check_drops(struct vrrp_if_table *t)
{
	uint32_t d;

	if (!t->drops_ok || nl_drops(&t->nl, &d) < 0 || d == t->drops_mark)
		return;
	if (log_allowed(t))
		log_info("netlink: monitor dropped %u message(s): resynchronising",
		         d - t->drops_mark);
	t->stats.enobufs++;
	t->drops_mark = d;
	request_resync(t);
}

static void process_datagram(struct vrrp_if_table *t, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh;
	size_t rem;
	bool ours;

	for (nlh = nl_msg_first(buf, len, &rem); nlh; nlh = nl_msg_next(nlh, &rem)) {
		ours = t->dump_seq != 0 && nlh->nlmsg_seq == t->dump_seq &&
		       nlh->nlmsg_pid == t->nl.portid;
		if (ours && (nlh->nlmsg_flags & NLM_F_DUMP_INTR))
			t->dump_intr = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_DONE:
		case NLMSG_ERROR:
			if (ours)
				dump_finished(t, nl_msg_error(nlh));
			else
				t->nl.stats.stale++;
			break;
		case NLMSG_NOOP:
			break;
		case NLMSG_OVERRUN:
			t->stats.enobufs++;
			request_resync(t);
			break;
		default:
			/* dump replies (any seq: all describe the current state)
			 * and notifications alike */
			(void)vrrp_if_table_apply(t, nlh);
			break;
		}
	}
	if (rem) {
		t->stats.malformed++;
		if (log_allowed(t))
			log_warn("netlink: malformed datagram (%zu trailing bytes)", rem);
	}
}

/* Read up to READ_BATCH datagrams.  1 = stopped at the batch limit (more
 * may be queued), 0 = queue empty, -errno on a hard error. */
static int monitor_read(struct vrrp_if_table *t)
{
	ssize_t n;
	int i;

	for (i = 0; i < READ_BATCH; i++) {
		n = nl_recv(&t->nl);
		if (n == -EAGAIN) {
			check_drops(t);
			flush_send(t);
			return 0;
		}
		if (n == -EINTR)
			continue;
		if (n == -ENOBUFS || n == -EMSGSIZE) {
			t->stats.enobufs++;
			if (log_allowed(t))
				log_info("netlink: monitor %s: resynchronising",
				         n == -ENOBUFS ? "overrun (ENOBUFS)"
				                       : "datagram truncated");
			request_resync(t);
			continue;
		}
		if (n < 0) {
			log_err("netlink: monitor read: %s", strerror((int)-n));
			return (int)n;
		}
		if (n == 0) {
			t->stats.foreign++;
			continue;
		}
		process_datagram(t, t->nl.buf, (size_t)n);
	}
	return 1;
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct vrrp_if_table *t = arg;

	(void)fd;
	(void)what;
	/* A request waiting for an empty queue must not wait for new data. */
	if (monitor_read(t) == 1 && t->send_pending)
		event_active(t->ev_read, EV_READ, 0);
}

void vrrp_if_resync(struct vrrp_if_table *t)
{
	if (!t->have_nl)
		return;
	request_resync(t);
	if (t->ev_read)
		event_active(t->ev_read, EV_READ, 0);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct vrrp_if_table *t = arg;

	(void)fd;
	(void)what;
	if (t->dump == DUMP_IDLE && t->resync_wanted) {
		start_dump(t);
		event_active(t->ev_read, EV_READ, 0);
	}
}

static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	struct vrrp_if_table *t = arg;

	(void)fd;
	(void)what;
	if (t->dump == DUMP_IDLE || t->send_pending)
		return;
	log_warn("netlink: %s dump did not finish in %u s; asking again",
	         t->dump == DUMP_LINKS ? "link" : "address", DUMP_WATCHDOG_US / 1000000u);
	t->dump = DUMP_IDLE;
	t->dump_seq = 0;
	start_dump(t);
	event_active(t->ev_read, EV_READ, 0);
}

/* The first dump, driven by poll() rather than the loop; bounded. */
static int first_sync(struct vrrp_if_table *t)
{
	struct pollfd pfd = {.fd = t->nl.fd, .events = POLLIN};
	uint64_t deadline = mono_ms() + VRRP_IF_SYNC_TIMEOUT_MS, now;
	int r;

	t->quiet = true;
	start_dump(t);
	for (;;) {
		r = monitor_read(t); /* sends the pending request once the queue is empty */
		if (r < 0)
			goto out;
		if (t->dump == DUMP_IDLE && t->dump_err) {
			r = t->dump_err;
			goto out;
		}
		if (t->dump == DUMP_IDLE && t->resync_wanted)
			start_dump(t);
		if (t->dump == DUMP_IDLE) {
			r = 0;
			goto out;
		}
		now = mono_ms();
		if (now >= deadline) {
			r = -ETIMEDOUT;
			goto out;
		}
		if (r == 1 || t->send_pending)
			continue; /* more queued, or a request to send: no waiting */
		r = poll(&pfd, 1, (int)(deadline - now));
		if (r < 0 && errno != EINTR) {
			r = -errno;
			goto out;
		}
	}
out:
	t->quiet = false;
	return r;
}

struct vrrp_if_table *vrrp_if_start(struct event_base *base, const struct vrrp_if_callbacks *cb,
                                    void *arg, const struct vrrp_if_opts *opts)
{
	static const unsigned int groups[] = {RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
	                                      RTNLGRP_IPV6_IFADDR};
	struct vrrp_if_table *t;
	size_t i;
	int r;

	t = vrrp_if_table_new(cb, arg);
	if (!t)
		return NULL;
	t->base = base;
	r = nl_open(&t->nl, opts ? opts->rcvbuf : 0);
	if (r < 0)
		goto fail;
	t->have_nl = true;
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		r = nl_join(&t->nl, groups[i]);
		/* IPv6 may be compiled out or disabled: not fatal. */
		if (r < 0 && groups[i] != RTNLGRP_IPV6_IFADDR)
			goto fail;
	}
	r = first_sync(t);
	if (r < 0) {
		log_err("netlink: initial interface dump: %s", strerror(-r));
		goto fail;
	}
	t->ev_read = event_new(base, t->nl.fd, EV_READ | EV_PERSIST, on_read, t);
	t->ev_retry = evtimer_new(base, on_retry, t);
	t->ev_wd = evtimer_new(base, on_watchdog, t);
	if (!t->ev_read || !t->ev_retry || !t->ev_wd || event_add(t->ev_read, NULL) < 0) {
		r = -ENOMEM;
		goto fail;
	}
	/* Anything left over from the first sync (a resync asked for at its
	 * very end) proceeds in the loop. */
	if (t->dump != DUMP_IDLE || t->resync_wanted)
		event_active(t->ev_read, EV_READ, 0);
	log_debug("netlink: interface table has %zu links", t->count);
	return t;
fail:
	vrrp_if_stop(t);
	errno = -r;
	return NULL;
}

void vrrp_if_stop(struct vrrp_if_table *t)
{
	if (!t)
		return;
	if (t->ev_read)
		event_free(t->ev_read);
	if (t->ev_retry)
		event_free(t->ev_retry);
	if (t->ev_wd)
		event_free(t->ev_wd);
	if (t->have_nl)
		nl_close(&t->nl);
	vrrp_if_table_free(t);
}
