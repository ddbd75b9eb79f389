/* VMAC interfaces and their sysctls (see vrrp_vmac.h).  Written from the
 * kernel UAPI (linux/if_link.h: IFLA_LINKINFO, IFLA_MACVLAN_MODE,
 * IFLA_INET6_ADDR_GEN_MODE), RFC 5798 §7.3 and RFC 4291 App. A. */
#include "vrrp/vrrp_vmac.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/addr.h"
#include "lib/log.h"
#include "lib/nl.h"
#include "vrrp/vrrp_vip.h"

/* ---- pure message building ------------------------------------------------- */

static struct nlmsghdr *link_hdr(void *buf, size_t len, uint16_t type, uint16_t flags, int ifindex)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	if (len < NLMSG_SPACE(sizeof(*ifi)))
		return NULL;
	memset(buf, 0, NLMSG_SPACE(sizeof(*ifi)));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

int vrrp_vmac_build_create(void *buf, size_t len, const struct vrrp_vmac_req *r)
{
	struct nlmsghdr *nlh;
	struct nlattr *info, *data;

	if (!r->name[0] || r->parent <= 0)
		return -EINVAL;
	nlh = link_hdr(buf, len, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	if (!nlh || !mnl_attr_put_strz_check(nlh, len, IFLA_IFNAME, r->name) ||
	    !mnl_attr_put_u32_check(nlh, len, IFLA_LINK, (uint32_t)r->parent) ||
	    !mnl_attr_put_check(nlh, len, IFLA_ADDRESS, 6, r->mac))
		return -EMSGSIZE;
	info = mnl_attr_nest_start_check(nlh, len, IFLA_LINKINFO);
	if (!info || !mnl_attr_put_strz_check(nlh, len, IFLA_INFO_KIND, "macvlan"))
		return -EMSGSIZE;
	/* Private: the lower device does not filter frames whose source is
	 * our own MAC, which every peer VMAC of this VRID shares. */
	data = mnl_attr_nest_start_check(nlh, len, IFLA_INFO_DATA);
	if (!data || !mnl_attr_put_u32_check(nlh, len, IFLA_MACVLAN_MODE, MACVLAN_MODE_PRIVATE))
		return -EMSGSIZE;
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return (int)nlh->nlmsg_len;
}

int vrrp_vmac_build_setlink(void *buf, size_t len, int ifindex, bool up)
{
	struct nlmsghdr *nlh;
	struct nlattr *spec, *inet6;
	struct ifinfomsg *ifi;

	if (ifindex <= 0)
		return -EINVAL;
	nlh = link_hdr(buf, len, RTM_NEWLINK, 0, ifindex);
	if (!nlh)
		return -EMSGSIZE;
	ifi = mnl_nlmsg_get_payload(nlh);
	if (up) {
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
	}
	spec = mnl_attr_nest_start_check(nlh, len, IFLA_AF_SPEC);
	if (!spec)
		return -EMSGSIZE;
	inet6 = mnl_attr_nest_start_check(nlh, len, AF_INET6);
	if (!inet6 ||
	    !mnl_attr_put_u8_check(nlh, len, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE))
		return -EMSGSIZE;
	mnl_attr_nest_end(nlh, inet6);
	mnl_attr_nest_end(nlh, spec);
	return (int)nlh->nlmsg_len;
}

int vrrp_vmac_build_del(void *buf, size_t len, int ifindex)
{
	struct nlmsghdr *nlh;

	if (ifindex <= 0)
		return -EINVAL;
	nlh = link_hdr(buf, len, RTM_DELLINK, 0, ifindex);
	return nlh ? (int)nlh->nlmsg_len : -EMSGSIZE;
}

int vrrp_vmac_build_get(void *buf, size_t len, const char *name)
{
	struct nlmsghdr *nlh;

	if (!name || !name[0] || strlen(name) >= IFNAMSIZ)
		return -EINVAL;
	nlh = link_hdr(buf, len, RTM_GETLINK, 0, 0);
	if (!nlh || !mnl_attr_put_strz_check(nlh, len, IFLA_IFNAME, name))
		return -EMSGSIZE;
	return (int)nlh->nlmsg_len;
}

int vrrp_vmac_parse_link(const struct nlmsghdr *nlh, struct vrrp_vmac_link *out)
{
	const struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1], *md[IFLA_MACVLAN_MAX + 1];
	const struct ifinfomsg *ifi = nl_msg_payload(nlh, sizeof(*ifi));
	uint32_t v;
	size_t alen;
	const void *a;

	memset(out, 0, sizeof(*out));
	if (!ifi || nlh->nlmsg_type != RTM_NEWLINK ||
	    nl_attr_parse_msg(nlh, sizeof(*ifi), tb, IFLA_MAX) < 0)
		return -EBADMSG;
	out->ifindex = ifi->ifi_index;
	nl_attr_str(tb[IFLA_IFNAME], out->name, sizeof(out->name));
	if (nl_attr_u32(tb[IFLA_LINK], &v))
		out->link = (int)v;
	a = nl_attr_data(tb[IFLA_ADDRESS], &alen);
	if (a && alen == 6) {
		memcpy(out->mac, a, 6);
		out->has_mac = true;
	}
	if (tb[IFLA_LINKINFO]) {
		if (nl_attr_parse_nested(tb[IFLA_LINKINFO], li, IFLA_INFO_MAX) < 0)
			return -EBADMSG;
		nl_attr_str(li[IFLA_INFO_KIND], out->kind, sizeof(out->kind));
		if (li[IFLA_INFO_DATA] && !strcmp(out->kind, "macvlan")) {
			if (nl_attr_parse_nested(li[IFLA_INFO_DATA], md, IFLA_MACVLAN_MAX) < 0)
				return -EBADMSG;
			out->has_mode = nl_attr_u32(md[IFLA_MACVLAN_MODE], &out->mode);
		}
	}
	return 0;
}

void vrrp_vmac_mac(int family, unsigned vrid, const uint8_t *cfg, unsigned cfg_len, uint8_t out[6])
{
	static const uint8_t base[5] = {0x00, 0x00, 0x5e, 0x00, 0x01};

	if (cfg && (cfg_len == 5 || cfg_len == 6)) {
		memcpy(out, cfg, cfg_len);
		if (cfg_len == 5)
			out[5] = (uint8_t)vrid;
		return;
	}
	memcpy(out, base, 5);
	out[4] = family == AF_INET6 ? 0x02 : 0x01;
	out[5] = (uint8_t)vrid;
}

void vrrp_vmac_linklocal(const uint8_t mac[6], struct in6_addr *out)
{
	memset(out, 0, sizeof(*out));
	out->s6_addr[0] = 0xfe;
	out->s6_addr[1] = 0x80;
	out->s6_addr[8] = mac[0] ^ 0x02; /* universal/local bit inverted */
	out->s6_addr[9] = mac[1];
	out->s6_addr[10] = mac[2];
	out->s6_addr[11] = 0xff;
	out->s6_addr[12] = 0xfe;
	out->s6_addr[13] = mac[3];
	out->s6_addr[14] = mac[4];
	out->s6_addr[15] = mac[5];
}

void vrrp_vmac_name(char out[IFNAMSIZ], const char *prefix, unsigned vrid, const char *cfg_name)
{
	if (cfg_name && cfg_name[0])
		snprintf(out, IFNAMSIZ, "%s", cfg_name);
	else
		snprintf(out, IFNAMSIZ, "%.*s.%u", IFNAMSIZ - 5,
		         prefix && prefix[0] ? prefix : VRRP_VMAC_DEFAULT_PREFIX, vrid & 0xff);
}

/* ---- sysctls ---------------------------------------------------------------- */

struct sys_ent {
	char path[160]; /* relative to root: net/ipv4/conf/IF/NAME */
	char old[32];
	unsigned users;
	struct sys_ent *next;
};

struct vrrp_vmac_sys {
	char root[64];
	struct sys_ent *ents;
	unsigned rpf_users; /* VMACs needing all.rp_filter = 0 */
	char **rpf_paths;   /* entries taken for that adjustment */
	size_t n_rpf;
};

struct vrrp_vmac_sys *vrrp_vmac_sys_new(void)
{
	struct vrrp_vmac_sys *s = calloc(1, sizeof(*s));

	if (s)
		snprintf(s->root, sizeof(s->root), "/proc/sys");
	return s;
}

void vrrp_vmac_sys_set_root(struct vrrp_vmac_sys *s, const char *root)
{
	snprintf(s->root, sizeof(s->root), "%s", root);
}

static int sys_read(const struct vrrp_vmac_sys *s, const char *path, char *buf, size_t len)
{
	char full[256];
	ssize_t n;
	int fd;

	snprintf(full, sizeof(full), "%s/%s", s->root, path);
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int sys_write(const struct vrrp_vmac_sys *s, const char *path, const char *val)
{
	char full[256];
	size_t l = strlen(val);
	int fd, rc = 0;

	snprintf(full, sizeof(full), "%s/%s", s->root, path);
	fd = open(full, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, l) != (ssize_t)l)
		rc = -errno;
	close(fd);
	return rc;
}

/* Set path to val, remembering the first old value; counted. */
static int sys_take(struct vrrp_vmac_sys *s, const char *path, const char *val)
{
	struct sys_ent *e;
	int rc;

	for (e = s->ents; e; e = e->next)
		if (!strcmp(e->path, path))
			break;
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		snprintf(e->path, sizeof(e->path), "%s", path);
		if ((rc = sys_read(s, path, e->old, sizeof(e->old))) < 0) {
			free(e);
			return rc;
		}
		e->next = s->ents;
		s->ents = e;
	}
	e->users++;
	rc = sys_write(s, path, val);
	if (rc < 0)
		log_warn("VMAC: cannot set %s to %s: %s", path, val, strerror(-rc));
	return rc;
}

static void sys_release(struct vrrp_vmac_sys *s, const char *path)
{
	struct sys_ent **pp, *e;

	for (pp = &s->ents; (e = *pp); pp = &e->next)
		if (!strcmp(e->path, path))
			break;
	if (!e || --e->users)
		return;
	sys_write(s, e->path, e->old); /* a deleted interface's entry just fails */
	*pp = e->next;
	free(e);
}

/* An interface name is at most IFNAMSIZ - 1 bytes: a path that does not
 * fit is left empty (and fails to open). */
static void conf_path(char *buf, size_t len, const char *ifname, const char *name)
{
	int n = snprintf(buf, len, "net/ipv4/conf/%s/%s", ifname, name);

	if (n < 0 || (size_t)n >= len)
		buf[0] = '\0';
}

/* all.rp_filter must be 0 for a VMAC's own 0 to count.  Everyone else
 * keeps the old effective value through its own setting. */
static void rpf_take(struct vrrp_vmac_sys *s, const char *vmac)
{
	char all[32], own[32], p[160];
	struct dirent *de;
	long old;
	DIR *d;

	if (s->rpf_users++)
		return;
	if (sys_read(s, "net/ipv4/conf/all/rp_filter", all, sizeof(all)) < 0 ||
	    (old = strtol(all, NULL, 10)) == 0)
		return;
	snprintf(p, sizeof(p), "%s/net/ipv4/conf", s->root);
	d = opendir(p);
	while (d && (de = readdir(d))) {
		char **np;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "all") || !strcmp(de->d_name, vmac))
			continue;
		conf_path(p, sizeof(p), de->d_name, "rp_filter");
		if (sys_read(s, p, own, sizeof(own)) < 0 || strtol(own, NULL, 10) >= old)
			continue;
		np = realloc(s->rpf_paths, (s->n_rpf + 1) * sizeof(*np));
		if (!np)
			break;
		s->rpf_paths = np;
		if (!(np[s->n_rpf] = strdup(p)))
			break;
		if (sys_take(s, p, all) < 0) {
			free(np[s->n_rpf]);
			continue;
		}
		s->n_rpf++;
	}
	if (d)
		closedir(d);
	if (sys_take(s, "net/ipv4/conf/all/rp_filter", "0") == 0) {
		char **np = realloc(s->rpf_paths, (s->n_rpf + 1) * sizeof(*np));

		if (np) {
			s->rpf_paths = np;
			if ((np[s->n_rpf] = strdup("net/ipv4/conf/all/rp_filter")))
				s->n_rpf++;
		}
	}
}

static void rpf_release(struct vrrp_vmac_sys *s)
{
	size_t i;

	if (!s->rpf_users || --s->rpf_users)
		return;
	/* all first, then the others: never a moment with less filtering */
	for (i = s->n_rpf; i-- > 0;) {
		sys_release(s, s->rpf_paths[i]);
		free(s->rpf_paths[i]);
	}
	free(s->rpf_paths);
	s->rpf_paths = NULL;
	s->n_rpf = 0;
}

void vrrp_vmac_sys_free(struct vrrp_vmac_sys *s)
{
	if (!s)
		return;
	while (s->rpf_users)
		rpf_release(s);
	while (s->ents) {
		s->ents->users = 1;
		sys_release(s, s->ents->path);
	}
	free(s);
}

static const char *const vmac_sysctls[][2] = {
    {"arp_ignore", "1"}, {"accept_local", "1"}, {"rp_filter", "0"}, {"promote_secondaries", "1"}};
static const char *const parent_sysctls[][2] = {{"arp_ignore", "1"}, {"arp_filter", "1"}};

void vrrp_vmac_sysctls(struct vrrp_vmac_sys *s, const struct vrrp_vmac_state *st, bool take)
{
	char p[160];
	size_t i;

	for (i = 0; i < sizeof(vmac_sysctls) / sizeof(vmac_sysctls[0]); i++) {
		conf_path(p, sizeof(p), st->name, vmac_sysctls[i][0]);
		if (take)
			sys_take(s, p, vmac_sysctls[i][1]);
		else
			sys_release(s, p);
	}
	for (i = 0; i < sizeof(parent_sysctls) / sizeof(parent_sysctls[0]); i++) {
		conf_path(p, sizeof(p), st->parent_name, parent_sysctls[i][0]);
		if (take)
			sys_take(s, p, parent_sysctls[i][1]);
		else
			sys_release(s, p);
	}
	if (take)
		rpf_take(s, st->name);
	else
		rpf_release(s);
}

/* ---- netlink I/O -------------------------------------------------------------- */

static int on_link_reply(const struct nlmsghdr *nlh, void *arg)
{
	struct vrrp_vmac_link *l = arg;

	if (nlh->nlmsg_type == RTM_NEWLINK)
		return vrrp_vmac_parse_link(nlh, l) < 0 ? -EBADMSG : 0;
	return 0;
}

/* 0 and *l filled, -ENODEV when there is no such interface, or -errno. */
static int get_link(struct nl_sock *nl, const char *name, struct vrrp_vmac_link *l)
{
	uint8_t buf[256];
	int rc = vrrp_vmac_build_get(buf, sizeof(buf), name);

	if (rc < 0)
		return rc;
	memset(l, 0, sizeof(*l));
	rc = nl_request(nl, (struct nlmsghdr *)buf, 0, on_link_reply, l);
	if (rc == 0 && l->ifindex <= 0)
		rc = -ENODEV;
	return rc;
}

static int simple(struct nl_sock *nl, int len, void *buf)
{
	return len < 0 ? len : nl_request(nl, (struct nlmsghdr *)buf, 0, NULL, NULL);
}

int vrrp_vmac_up(struct nl_sock *nl, struct vrrp_vmac_sys *sys, const struct vrrp_vmac_req *req,
                 const char *parent_name, int family, struct vrrp_vmac_state *st, const char **why)
{
	uint8_t buf[512];
	struct vrrp_vmac_link l;
	int rc;

	memset(st, 0, sizeof(*st));
	snprintf(st->name, sizeof(st->name), "%s", req->name);
	snprintf(st->parent_name, sizeof(st->parent_name), "%s", parent_name);
	memcpy(st->mac, req->mac, 6);
	rc = get_link(nl, req->name, &l);
	if (rc == 0) {
		if (strcmp(l.kind, "macvlan") != 0 || l.link != req->parent) {
			*why = "an interface of that name exists and is not a macvlan of the "
			       "instance's interface";
			return -EEXIST;
		}
		/* Ours from an earlier run when it carries our MAC. */
		st->created = l.has_mac && !memcmp(l.mac, req->mac, 6);
		if (l.has_mac)
			memcpy(st->mac, l.mac, 6);
		if (l.has_mode && l.mode != MACVLAN_MODE_PRIVATE)
			log_warn("VMAC %s exists in macvlan mode %u, not private", req->name,
			         l.mode);
		log_info("VMAC %s exists (ifindex %d) - reusing it", req->name, l.ifindex);
	} else if (rc == -ENODEV) {
		rc = simple(nl, vrrp_vmac_build_create(buf, sizeof(buf), req), buf);
		if (rc < 0) {
			*why = nl->errmsg[0] ? nl->errmsg : strerror(-rc);
			return rc;
		}
		if ((rc = get_link(nl, req->name, &l)) < 0) {
			*why = "created but not found";
			return rc;
		}
		st->created = true;
	} else {
		*why = strerror(-rc);
		return rc;
	}
	st->ifindex = l.ifindex;
	vrrp_vmac_sysctls(sys, st, true);
	st->sysctls = true;
	/* The address generation mode first, while down: going up with the
	 * default mode would already have made an EUI-64 link-local, the same
	 * on every peer sharing the MAC. */
	rc = simple(nl, vrrp_vmac_build_setlink(buf, sizeof(buf), st->ifindex, false), buf);
	if (rc == 0)
		rc = simple(nl, vrrp_vmac_build_setlink(buf, sizeof(buf), st->ifindex, true), buf);
	if (rc < 0) {
		*why = nl->errmsg[0] ? nl->errmsg : strerror(-rc);
		vrrp_vmac_down(nl, sys, st);
		return rc;
	}
	if (family == AF_INET6) {
		struct ka_addr ll = {.family = AF_INET6};
		struct vrrp_nl_vip v;

		vrrp_vmac_linklocal(st->mac, &ll.u.v6);
		vrrp_vip_init(&v, &ll);
		v.prefixlen = 64;
		v.ifindex = st->ifindex;
		v.preferred_lft = VRRP_VIP_LFT_FOREVER;
		if ((rc = vrrp_vip_add(nl, &v)) < 0)
			log_warn("VMAC %s: cannot add its link-local address: %s", st->name,
			         strerror(-rc));
	}
	return 0;
}

void vrrp_vmac_down(struct nl_sock *nl, struct vrrp_vmac_sys *sys, struct vrrp_vmac_state *st)
{
	uint8_t buf[64];
	int rc;

	if (st->sysctls)
		vrrp_vmac_sysctls(sys, st, false);
	st->sysctls = false;
	if (st->created && st->ifindex > 0) {
		rc = simple(nl, vrrp_vmac_build_del(buf, sizeof(buf), st->ifindex), buf);
		if (rc < 0 && rc != -ENODEV)
			log_warn("VMAC %s: cannot delete it: %s", st->name, strerror(-rc));
	}
	st->ifindex = 0;
	st->created = false;
}
