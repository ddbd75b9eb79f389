/* One service of every combination the nftables plane supports, encoded
 * (nft_batch_svc_add / nft_batch_dr_svc_add) and compared with a golden
 * text in tests/data/nft/combo_<name>.txt (KA_UPDATE_GOLDEN=1 rewrites
 * them after a reviewed change).  Each case also asserts, on the rendered
 * kernel expressions, what makes it that combination: the selector and
 * its modulus (weights expanded), the hashed field, persistence, the
 * family, the forwarding.  Every combination is first accepted by
 * nft_svc_check, as the configuration loader would. */
#include <arpa/inet.h>
#include <linux/ip_vs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lvs/lvs_backend.h"
#include "lvs/nft_batch.h"
#include "lvs/nft_rules.h"

struct combo {
	const char *name;
	const char *vip; /* NULL: fwmark 7 of family `fam` */
	int fam;
	uint16_t proto, port;
	const char *sched;
	uint32_t flags;
	enum lvs_fwd fwd;
	const char *rs[3];
	int32_t w[3];
	uint16_t rport;
	const char *must[5]; /* substrings of the rendered batch */
};

#define V4 AF_INET
#define V6 AF_INET6
#define PERSIST IP_VS_SVC_F_PERSISTENT
static const struct combo combos[] = {
    {"nat_rr",
     "192.0.2.1",
     V4,
     IPPROTO_TCP,
     80,
     "rr",
     0,
     LVS_FWD_NAT,
     {"198.51.100.1", "198.51.100.2", "198.51.100.3"},
     {1, 2, 3},
     8080,
     /* rr ignores weights: one number each */
     {"inc mod 3", "[ nat dnat ip"}},
    {"nat_wrr",
     "192.0.2.1",
     V4,
     IPPROTO_TCP,
     80,
     "wrr",
     0,
     LVS_FWD_NAT,
     {"198.51.100.1", "198.51.100.2", "198.51.100.3"},
     {2, 4, 6},
     8080,
     /* weights / gcd 2 = 1 + 2 + 3 numbers, as ranges */
     {"inc mod 6", "element 00000000 : c6336401", "element 00000001 : c6336402",
      "element 00000003 : c6336403", "element flags 1 00000006"}},
    {"nat_sh",
     "192.0.2.1",
     V4,
     IPPROTO_TCP,
     80,
     "sh",
     0,
     LVS_FWD_NAT,
     {"198.51.100.1", "198.51.100.2"},
     {1, 3},
     8080,
     /* the source address (network header + 12) hashed, weighted */
     {"network header + 12", "jhash(", "% mod 4"}},
    {"nat_sh_port",
     "192.0.2.1",
     V4,
     IPPROTO_TCP,
     80,
     "sh",
     IP_VS_SVC_F_SCHED_SH_PORT,
     LVS_FWD_NAT,
     {"198.51.100.1", "198.51.100.2"},
     {1, 1},
     8080,
     /* and the source port (transport header + 0) */
     {"network header + 12", "transport header + 0", "jhash(", "% mod 2"}},
    {"nat_dh",
     "192.0.2.1",
     V4,
     IPPROTO_UDP,
     53,
     "dh",
     0,
     LVS_FWD_NAT,
     {"198.51.100.1", "198.51.100.2"},
     {5, 1},
     53,
     /* the destination address hashed, unweighted */
     {"network header + 16", "jhash(", "% mod 2", "c0000201 11000000 00350000"}},
    {"nat_mh",
     "192.0.2.1",
     V4,
     IPPROTO_TCP,
     443,
     "mh",
     0,
     LVS_FWD_NAT,
     {"198.51.100.1", "198.51.100.2", "198.51.100.3"},
     {1, 1, 1},
     443,
     {"network header + 12", "jhash(", "% mod 4093"}},
    {"nat_rr_persist",
     "192.0.2.1",
     V4,
     IPPROTO_TCP,
     80,
     "rr",
     PERSIST,
     LVS_FWD_NAT,
     {"198.51.100.1", "198.51.100.2"},
     {1, 1},
     80,
     /* the /24 of the client, remembered for 60 s */
     {"_aff", "_live", "0x00ffffff", "inc mod 2"}},
    {"nat_v6_wrr",
     "2001:db8::1",
     V6,
     IPPROTO_TCP,
     80,
     "wrr",
     0,
     LVS_FWD_NAT,
     {"2001:db8:1::1", "2001:db8:1::2"},
     {3, 1},
     80,
     {"inc mod 4", "[ nat dnat ip6"}},
    {"nat_v6_sh_persist",
     "2001:db8::1",
     V6,
     IPPROTO_UDP,
     53,
     "sh",
     PERSIST,
     LVS_FWD_NAT,
     {"2001:db8:1::1", "2001:db8:1::2"},
     {1, 1},
     53,
     /* the source address of an IPv6 header is at + 8, 16 bytes */
     {"network header + 8", "_aff", "jhash(", "% mod 2"}},
    {"nat_fwmark_rr",
     NULL,
     V4,
     IPPROTO_TCP,
     0,
     "rr",
     0,
     LVS_FWD_NAT,
     {"198.51.100.1", "198.51.100.2"},
     {1, 1},
     0,
     /* the packet's port is kept: dnat to an address only */
     {"svcmark", "inc mod 2", "[ nat dnat ip addr_min"}},
    {"nat_fwmark_v6_wrr",
     NULL,
     V6,
     IPPROTO_TCP,
     0,
     "wrr",
     0,
     LVS_FWD_NAT,
     {"2001:db8:1::1", "2001:db8:1::2"},
     {2, 1},
     0,
     {"svcmark", "inc mod 3"}},
    {"dr_rr",
     "192.0.2.1",
     V4,
     IPPROTO_TCP,
     80,
     "rr",
     0,
     LVS_FWD_DR,
     {"192.0.2.21", "192.0.2.22"},
     {1, 1},
     80,
     {"inc mod 2", "[ fwd sreg_dev", "_flows"}},
    {"dr_wrr",
     "192.0.2.1",
     V4,
     IPPROTO_TCP,
     80,
     "wrr",
     0,
     LVS_FWD_DR,
     {"192.0.2.21", "192.0.2.22"},
     {3, 1},
     80,
     {"inc mod 4", "[ fwd sreg_dev"}},
    {"dr_sh",
     "192.0.2.1",
     V4,
     IPPROTO_UDP,
     53,
     "sh",
     0,
     LVS_FWD_DR,
     {"192.0.2.21", "192.0.2.22"},
     {1, 1},
     53,
     {"jhash(", "% mod 2", "[ fwd sreg_dev"}},
    {"dr_mh",
     "192.0.2.1",
     V4,
     IPPROTO_TCP,
     80,
     "mh",
     0,
     LVS_FWD_DR,
     {"192.0.2.21", "192.0.2.22"},
     {1, 1},
     80,
     {"% mod 4093", "[ fwd sreg_dev"}},
    {"dr_rr_persist",
     "192.0.2.1",
     V4,
     IPPROTO_TCP,
     80,
     "rr",
     PERSIST,
     LVS_FWD_DR,
     {"192.0.2.21", "192.0.2.22"},
     {1, 1},
     80,
     {"_flows", "0x00ffffff", "[ fwd sreg_dev"}},
    {"dr_v6_wrr",
     "2001:db8::1",
     V6,
     IPPROTO_TCP,
     80,
     "wrr",
     0,
     LVS_FWD_DR,
     {"2001:db8::21", "2001:db8::22"},
     {1, 2},
     80,
     {"inc mod 3", "nfproto 10"}},
};

static void build(const struct combo *c, struct lvs_table *t, struct lvs_tsvc **out)
{
	struct lvs_svc_key k = {.af = (uint16_t)c->fam, .protocol = c->proto, .port = c->port};
	struct lvs_svc_attr a = {.flags = c->flags};
	struct lvs_dest d[3];
	struct lvs_tsvc *s;
	char why[256] = "";
	size_t n = 0;

	if (c->vip)
		CHECK(addr_parse(c->vip, &k.addr) == 0);
	else
		k.fwmark = 7;
	snprintf(a.sched, sizeof(a.sched), "%s", c->sched);
	if (c->flags & PERSIST) {
		a.timeout_s = 60;
		a.netmask = c->fam == V6 ? 64 : htonl(0xffffff00);
	}
	memset(d, 0, sizeof(d));
	for (; n < 3 && c->rs[n]; n++) {
		CHECK(addr_parse(c->rs[n], &d[n].addr) == 0);
		d[n].af = d[n].addr.family;
		d[n].port = c->rport;
		d[n].weight = c->w[n];
		d[n].fwd = c->fwd;
	}
	if (nft_svc_check(&k, &a, d, n, why, sizeof(why)) != 0) {
		CHECK(!"combination refused");
		fprintf(stderr, "%s: %s\n", c->name, why);
	}
	lvs_table_init(t);
	s = lvs_table_add_svc(t, &k, &a);
	CHECK(s != NULL);
	for (size_t i = 0; s && i < n; i++)
		CHECK_INT(lvs_svc_set_dest(s, &d[i]), 0);
	*out = s;
}

static void golden(const char *name, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/data/nft/combo_%s.txt", test_data_dir(), name);
	check_golden(path, text);
}

static void run(const struct combo *c)
{
	struct lvs_table t;
	struct lvs_tsvc *s = NULL;
	struct nft_batch b;
	char *text;

	build(c, &t, &s);
	if (!s)
		return;
	nft_batch_init(&b, 1);
	if (c->fwd == LVS_FWD_DR)
		nft_batch_dr_svc_add(&b, s, NULL, 2);
	else
		nft_batch_svc_add(&b, s, NULL);
	CHECK_INT(nft_batch_end(&b), 0);
	text = nft_batch_render(b.buf, b.len);
	CHECK(text != NULL);
	for (size_t i = 0; text && i < 5 && c->must[i]; i++) {
		if (!strstr(text, c->must[i])) {
			CHECK(!"expected expression missing");
			fprintf(stderr, "%s: no \"%s\"\n", c->name, c->must[i]);
		}
	}
	if (text)
		golden(c->name, text);
	free(text);
	nft_batch_free(&b);
	lvs_table_free(&t);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(combos) / sizeof(combos[0]); i++)
		run(&combos[i]);
	return check_report("test_nft_combos");
}
