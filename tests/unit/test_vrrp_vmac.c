/* use_vmac: netlink messages (built, then parsed back), names, MACs,
 * link-local, and the sysctl take/restore logic on a fake /proc/sys. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "lib/nl.h"
#include "vrrp/vrrp_vmac.h"

static void test_messages(void)
{
	uint8_t buf[512];
	struct vrrp_vmac_req r = {.parent = 7, .mac = {0, 0, 0x5e, 0, 1, 0x33}};
	struct vrrp_vmac_link l;
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	const struct nlattr *tb[IFLA_MAX + 1], *spec[AF_INET6 + 1], *in6[IFLA_INET6_MAX + 1];
	const struct ifinfomsg *ifi;
	int n;
	uint8_t mode = 0xff;

	snprintf(r.name, sizeof(r.name), "vrrp.51");
	n = vrrp_vmac_build_create(buf, sizeof(buf), &r);
	CHECK(n > 0);
	CHECK_INT(nlh->nlmsg_len, n);
	CHECK_INT(nlh->nlmsg_type, RTM_NEWLINK);
	CHECK(nlh->nlmsg_flags & NLM_F_CREATE);
	CHECK(nlh->nlmsg_flags & NLM_F_EXCL);
	CHECK(nlh->nlmsg_flags & NLM_F_ACK);
	CHECK_INT(vrrp_vmac_parse_link(nlh, &l), 0);
	CHECK_STR(l.name, "vrrp.51");
	CHECK_STR(l.kind, "macvlan");
	CHECK_INT(l.link, 7);
	CHECK(l.has_mode);
	CHECK_INT(l.mode, MACVLAN_MODE_PRIVATE);
	CHECK(l.has_mac && memcmp(l.mac, r.mac, 6) == 0);
	/* too small a buffer, bad requests */
	CHECK_INT(vrrp_vmac_build_create(buf, 40, &r), -EMSGSIZE);
	r.parent = 0;
	CHECK_INT(vrrp_vmac_build_create(buf, sizeof(buf), &r), -EINVAL);

	/* setlink: address generation mode none, up flag only when asked */
	n = vrrp_vmac_build_setlink(buf, sizeof(buf), 9, true);
	CHECK(n > 0);
	ifi = nl_msg_payload(nlh, sizeof(*ifi));
	CHECK(ifi && ifi->ifi_index == 9 && ifi->ifi_flags == IFF_UP && ifi->ifi_change == IFF_UP);
	CHECK_INT(nl_attr_parse_msg(nlh, sizeof(*ifi), tb, IFLA_MAX), 0);
	CHECK(tb[IFLA_AF_SPEC] != NULL);
	if (tb[IFLA_AF_SPEC]) {
		CHECK_INT(nl_attr_parse_nested(tb[IFLA_AF_SPEC], spec, AF_INET6), 0);
		CHECK(spec[AF_INET6] != NULL);
		if (spec[AF_INET6]) {
			CHECK_INT(nl_attr_parse_nested(spec[AF_INET6], in6, IFLA_INET6_MAX), 0);
			CHECK(nl_attr_u8(in6[IFLA_INET6_ADDR_GEN_MODE], &mode));
			CHECK_INT(mode, IN6_ADDR_GEN_MODE_NONE);
		}
	}
	n = vrrp_vmac_build_setlink(buf, sizeof(buf), 9, false);
	ifi = nl_msg_payload(nlh, sizeof(*ifi));
	CHECK(n > 0 && ifi && ifi->ifi_change == 0);
	CHECK_INT(vrrp_vmac_build_setlink(buf, sizeof(buf), 0, true), -EINVAL);

	n = vrrp_vmac_build_del(buf, sizeof(buf), 9);
	ifi = nl_msg_payload(nlh, sizeof(*ifi));
	CHECK(n > 0 && nlh->nlmsg_type == RTM_DELLINK && ifi && ifi->ifi_index == 9);
	n = vrrp_vmac_build_get(buf, sizeof(buf), "vrrp.51");
	CHECK(n > 0 && nlh->nlmsg_type == RTM_GETLINK);
	CHECK_INT(vrrp_vmac_build_get(buf, sizeof(buf), "a-name-far-too-long-for-ifnamsiz"),
	          -EINVAL);
	/* a truncated message is rejected */
	n = vrrp_vmac_build_create(buf, sizeof(buf),
	                           &(struct vrrp_vmac_req){.name = "x", .parent = 1, .mac = {1}});
	((struct nlmsghdr *)buf)->nlmsg_len = 20;
	CHECK_INT(vrrp_vmac_parse_link(nlh, &l), -EBADMSG);
}

static void test_names(void)
{
	char name[IFNAMSIZ];
	uint8_t mac[6], cfg[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
	struct in6_addr ll;
	char txt[INET6_ADDRSTRLEN];

	vrrp_vmac_name(name, NULL, 51, NULL);
	CHECK_STR(name, "vrrp.51");
	vrrp_vmac_name(name, "vmac", 255, NULL);
	CHECK_STR(name, "vmac.255");
	vrrp_vmac_name(name, "vrrp", 7, "myvmac");
	CHECK_STR(name, "myvmac");
	vrrp_vmac_name(name, "averyveryverylongprefix", 200, NULL);
	CHECK(strlen(name) < IFNAMSIZ && strstr(name, ".200") != NULL);

	vrrp_vmac_mac(AF_INET, 51, NULL, 0, mac);
	CHECK(!memcmp(mac, "\x00\x00\x5e\x00\x01\x33", 6));
	vrrp_vmac_mac(AF_INET6, 51, NULL, 0, mac);
	CHECK(!memcmp(mac, "\x00\x00\x5e\x00\x02\x33", 6));
	vrrp_vmac_mac(AF_INET, 51, cfg, 6, mac);
	CHECK(!memcmp(mac, cfg, 6));
	vrrp_vmac_mac(AF_INET, 51, cfg, 5, mac);
	CHECK(!memcmp(mac, "\x02\x11\x22\x33\x44\x33", 6));

	vrrp_vmac_linklocal((const uint8_t *)"\x00\x00\x5e\x00\x01\x33", &ll);
	inet_ntop(AF_INET6, &ll, txt, sizeof(txt));
	CHECK_STR(txt, "fe80::200:5eff:fe00:133");
}

/* ---- sysctls on a fake tree ---- */

static char root[64];

static void put(const char *ifn, const char *name, const char *val)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/net/ipv4/conf/%s", root, ifn);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/net/ipv4/conf/%s/%s", root, ifn, name);
	f = fopen(p, "w");
	if (f) {
		fprintf(f, "%s\n", val);
		fclose(f);
	}
}

static int get(const char *ifn, const char *name)
{
	char p[256];
	int v = -1;
	FILE *f;

	snprintf(p, sizeof(p), "%s/net/ipv4/conf/%s/%s", root, ifn, name);
	f = fopen(p, "r");
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void test_sysctls(void)
{
	static const char *ifs[] = {"all", "default", "lo", "eth0", "eth1", "vrrp.1", "vrrp.2"};
	static const char *names[] = {"rp_filter", "arp_ignore", "arp_filter", "accept_local",
	                              "promote_secondaries"};
	struct vrrp_vmac_state a = {.name = "vrrp.1", .parent_name = "eth0"};
	struct vrrp_vmac_state b = {.name = "vrrp.2", .parent_name = "eth0"};
	struct vrrp_vmac_sys *s;
	char p[128];
	size_t i, j;

	snprintf(root, sizeof(root), "/tmp/ka-vmac-test.XXXXXX");
	CHECK(mkdtemp(root) != NULL);
	snprintf(p, sizeof(p), "%s/net", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/net/ipv4", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/net/ipv4/conf", root);
	mkdir(p, 0755);
	for (i = 0; i < sizeof(ifs) / sizeof(ifs[0]); i++)
		for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
			put(ifs[i], names[j], "0");
	put("all", "rp_filter", "1");
	put("eth1", "rp_filter", "2");

	s = vrrp_vmac_sys_new();
	vrrp_vmac_sys_set_root(s, root);
	vrrp_vmac_sysctls(s, &a, true);
	CHECK_INT(get("vrrp.1", "arp_ignore"), 1);
	CHECK_INT(get("vrrp.1", "accept_local"), 1);
	CHECK_INT(get("vrrp.1", "rp_filter"), 0);
	CHECK_INT(get("vrrp.1", "promote_secondaries"), 1);
	CHECK_INT(get("eth0", "arp_ignore"), 1);
	CHECK_INT(get("eth0", "arp_filter"), 1);
	CHECK_INT(get("all", "rp_filter"), 0);
	/* everyone else keeps the old effective value max(all, own) */
	CHECK_INT(get("eth0", "rp_filter"), 1);
	CHECK_INT(get("lo", "rp_filter"), 1);
	CHECK_INT(get("default", "rp_filter"), 1);
	CHECK_INT(get("eth1", "rp_filter"), 2); /* already stricter: untouched */
	/* a second VMAC on the same parent shares the references */
	vrrp_vmac_sysctls(s, &b, true);
	CHECK_INT(get("vrrp.2", "rp_filter"), 0);
	vrrp_vmac_sysctls(s, &a, false);
	CHECK_INT(get("eth0", "arp_ignore"), 1); /* still used by vrrp.2 */
	CHECK_INT(get("all", "rp_filter"), 0);
	vrrp_vmac_sysctls(s, &b, false);
	CHECK_INT(get("eth0", "arp_ignore"), 0);
	CHECK_INT(get("eth0", "arp_filter"), 0);
	CHECK_INT(get("all", "rp_filter"), 1);
	CHECK_INT(get("eth0", "rp_filter"), 0);
	CHECK_INT(get("lo", "rp_filter"), 0);
	CHECK_INT(get("default", "rp_filter"), 0);
	CHECK_INT(get("vrrp.1", "arp_ignore"), 0);
	/* freeing restores what is still held */
	vrrp_vmac_sysctls(s, &a, true);
	CHECK_INT(get("all", "rp_filter"), 0);
	vrrp_vmac_sys_free(s);
	CHECK_INT(get("all", "rp_filter"), 1);
	CHECK_INT(get("eth0", "arp_filter"), 0);
	CHECK_INT(get("vrrp.1", "accept_local"), 0);

	for (i = 0; i < sizeof(ifs) / sizeof(ifs[0]); i++) {
		for (j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
			snprintf(p, sizeof(p), "%s/net/ipv4/conf/%s/%s", root, ifs[i], names[j]);
			unlink(p);
		}
		snprintf(p, sizeof(p), "%s/net/ipv4/conf/%s", root, ifs[i]);
		rmdir(p);
	}
	snprintf(p, sizeof(p), "%s/net/ipv4/conf", root);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/net/ipv4", root);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/net", root);
	rmdir(p);
	rmdir(root);
}

int main(void)
{
	test_messages();
	test_names();
	test_sysctls();
	return check_report("test_vrrp_vmac");
}
