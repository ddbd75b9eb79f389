/* auth_type AH: adverts captured from Debian's keepalived 2.2.7
 * (tests/data/vrrp_ah/debian-2.2.7-ah.txt) verify, tampered copies and
 * replays fail, and our builder reproduces them byte for byte. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vrrp/vrrp_ah.h"
#include "vrrp/vrrp_pkt.h"

#define MAXPKT 8
static uint8_t pkts[MAXPKT][256];
static size_t plens[MAXPKT];
static size_t npkts;
static const uint8_t KEY[8] = {'k', '3', '3', 'p', 'a', 'l', '1', 'v'};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void load_fixture(void)
{
	char path[512], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/data/vrrp_ah/debian-2.2.7-ah.txt", test_data_dir());
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (!f)
		return;
	while (npkts < MAXPKT && fgets(line, sizeof(line), f)) {
		size_t i, n = 0;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		for (i = 0; hexval(line[i]) >= 0 && hexval(line[i + 1]) >= 0 && n < 256; i += 2)
			pkts[npkts][n++] = (uint8_t)(hexval(line[i]) << 4 | hexval(line[i + 1]));
		plens[npkts++] = n;
	}
	fclose(f);
}

static void policy(struct vrrp_rx_policy *pol, struct ka_addr *vip)
{
	vrrp_rx_policy_init(pol);
	pol->version = 2;
	pol->vrid = 51;
	pol->adver_int_cs = 100;
	pol->auth_type = VRRP_PKT_AUTH_AH;
	memcpy(pol->auth_data, KEY, 8);
	memset(vip, 0, sizeof(*vip));
	vip->family = AF_INET;
	inet_pton(AF_INET, "192.0.2.100", &vip->u.v4);
	pol->vips = vip;
	pol->nvips = 1;
}

/* The daemon's receive path: strip, decode, validate. */
static enum vrrp_rx_err rx(const uint8_t *ip, size_t len, const struct vrrp_rx_policy *pol,
                           struct vrrp_rx_info *info)
{
	struct vrrp_rx_meta meta;
	struct vrrp_pkt pkt;
	const uint8_t *msg;
	size_t mlen;
	enum vrrp_rx_err why;

	if (vrrp_ipv4_strip_ah(ip, len, &meta, &msg, &mlen, &why) < 0)
		return why;
	if (vrrp_pkt_decode(msg, mlen, AF_INET, &pkt, &why) < 0)
		return why;
	return vrrp_pkt_validate(&pkt, &meta, pol, info);
}

static void test_fixture(void)
{
	struct vrrp_rx_policy pol;
	struct vrrp_rx_info info;
	struct ka_addr vip;
	struct vrrp_rx_meta meta;
	const uint8_t *msg;
	size_t i, mlen;
	enum vrrp_rx_err why;
	uint32_t seq;

	CHECK_INT(npkts, 4);
	policy(&pol, &vip);
	for (i = 0; i < npkts; i++) {
		CHECK_INT(vrrp_ipv4_strip_ah(pkts[i], plens[i], &meta, &msg, &mlen, &why), 0);
		CHECK(meta.ah);
		CHECK_INT(meta.ah_seq, i + 1);
		CHECK_INT(mlen, 20);
		CHECK_INT(meta.ip_len, 64);
		CHECK_INT(vrrp_ah_verify(KEY, pkts[i], plens[i], false, (uint32_t)i, &seq),
		          VRRP_AH_OK);
		CHECK_INT(seq, i + 1);
		/* whole receive path, with the anti-replay counter moving on */
		pol.ah_last_seq = (uint32_t)i;
		CHECK_INT(rx(pkts[i], plens[i], &pol, &info), VRRP_RX_OK);
		CHECK_INT(info.warn, 0);
	}
	/* the plain strip still refuses AH */
	CHECK_INT(vrrp_ipv4_strip(pkts[0], plens[0], &meta, &msg, &mlen, &why), -1);
	CHECK_INT(why, VRRP_RX_AH);
}

static void test_replay(void)
{
	struct vrrp_rx_policy pol;
	struct vrrp_rx_info info;
	struct ka_addr vip;
	uint32_t seq;

	policy(&pol, &vip);
	/* packet 2 (seq 2) after seq 2 or 3 was seen: a replay */
	CHECK_INT(vrrp_ah_verify(KEY, pkts[1], plens[1], false, 2, &seq), VRRP_AH_REPLAY);
	CHECK_INT(vrrp_ah_verify(KEY, pkts[1], plens[1], false, 3, &seq), VRRP_AH_REPLAY);
	CHECK_INT(vrrp_ah_verify(KEY, pkts[1], plens[1], false, 1, &seq), VRRP_AH_OK);
	pol.ah_last_seq = 2;
	CHECK_INT(rx(pkts[1], plens[1], &pol, &info), VRRP_RX_AUTH_FAILURE);
	CHECK_INT(info.ah_verdict, VRRP_AH_REPLAY);
	pol.ah_last_seq = 0;
	CHECK_INT(rx(pkts[1], plens[1], &pol, &info), VRRP_RX_OK);
}

static void test_tampered(void)
{
	struct vrrp_rx_policy pol;
	struct vrrp_rx_info info;
	struct ka_addr vip;
	uint8_t p[256];
	uint8_t badkey[8];
	size_t n = plens[0], off;
	uint32_t seq;
	/* every byte the ICV covers, except the mutable IP fields */
	static const size_t mutable_off[] = {1, 6, 7, 10, 11};

	policy(&pol, &vip);
	for (off = 0; off < n; off++) {
		bool is_mutable = false;
		size_t k;

		for (k = 0; k < sizeof(mutable_off) / sizeof(mutable_off[0]); k++)
			is_mutable |= mutable_off[k] == off;
		if (is_mutable || off == 0 || off == 2 || off == 3 || off == 9 || off == 20 ||
		    off == 21)
			continue; /* version/IHL/tot_len/proto/next hdr: structural */
		memcpy(p, pkts[0], n);
		p[off] ^= 0x01;
		if (vrrp_ah_verify(KEY, p, n, false, 0, &seq) != VRRP_AH_BAD_ICV) {
			fprintf(stderr, "byte %zu flipped still verifies\n", off);
			CHECK(0);
		}
	}
	/* through validate: a bad ICV is an authentication failure */
	memcpy(p, pkts[0], n);
	p[46] ^= 0x10; /* priority */
	CHECK_INT(rx(p, n, &pol, &info), VRRP_RX_AUTH_FAILURE);
	CHECK_INT(info.ah_verdict, VRRP_AH_BAD_ICV);
	/* TOS is mutable: changing it (and fixing the header checksum, as a
	 * router would) keeps the ICV valid */
	memcpy(p, pkts[0], n);
	p[1] = 0;
	CHECK_INT(vrrp_ah_verify(KEY, p, n, false, 0, &seq), VRRP_AH_OK);
	/* TTL is covered for multicast, not for unicast */
	memcpy(p, pkts[0], n);
	p[8] = 64;
	CHECK_INT(vrrp_ah_verify(KEY, p, n, false, 0, &seq), VRRP_AH_BAD_ICV);
	/* wrong key */
	memcpy(badkey, KEY, 8);
	badkey[7] ^= 1;
	CHECK_INT(vrrp_ah_verify(badkey, pkts[0], n, false, 0, &seq), VRRP_AH_BAD_ICV);
	memcpy(pol.auth_data, badkey, 8);
	CHECK_INT(rx(pkts[0], n, &pol, &info), VRRP_RX_AUTH_FAILURE);
	/* truncated */
	CHECK_INT(vrrp_ah_verify(KEY, pkts[0], 40, false, 0, &seq), VRRP_AH_BAD_HDR);
	/* AH packet for a non-AH instance, plain packet for an AH instance */
	policy(&pol, &vip);
	pol.auth_type = VRRP_PKT_AUTH_NONE;
	CHECK_INT(rx(pkts[0], n, &pol, &info), VRRP_RX_AH);
	/* wrong next header */
	memcpy(p, pkts[0], n);
	p[20] = 6;
	CHECK_INT(rx(p, n, &pol, &info), VRRP_RX_AH);
}

static size_t build(uint8_t *buf, size_t len, const char *src, const char *dst, uint32_t seq,
                    uint16_t id, bool unicast, uint8_t ttl)
{
	struct ka_addr vip;
	struct vrrp_tx t = {0};
	struct vrrp_ah_tx ah = {0};
	uint8_t msg[64];
	size_t mlen;

	memset(&vip, 0, sizeof(vip));
	vip.family = AF_INET;
	inet_pton(AF_INET, "192.0.2.100", &vip.u.v4);
	t.version = 2;
	t.vrid = 51;
	t.priority = 150;
	t.adver_int_cs = 100;
	t.family = AF_INET;
	t.addrs = &vip;
	t.naddr = 1;
	t.csum = VRRP_CSUM_PLAIN;
	mlen = vrrp_pkt_encode(msg, sizeof(msg), &t);
	CHECK_INT(mlen, 20);
	inet_pton(AF_INET, src, &ah.src);
	inet_pton(AF_INET, dst, &ah.dst);
	ah.ttl = ttl;
	ah.tos = 0xc0;
	ah.ip_id = id;
	ah.seq = seq;
	ah.unicast = unicast;
	ah.key = KEY;
	ah.msg = msg;
	ah.mlen = mlen;
	return vrrp_ah_build(buf, len, &ah);
}

static void test_build(void)
{
	uint8_t p[256];
	size_t n, i;
	uint32_t seq;
	uint8_t icv[VRRP_AH_ICV_LEN];

	/* byte for byte what keepalived sent (IP id = sequence number) */
	for (i = 0; i < npkts; i++) {
		n = build(p, sizeof(p), "192.0.2.11", "224.0.0.18", (uint32_t)i + 1,
		          (uint16_t)(i + 1), false, 255);
		CHECK_INT(n, plens[i]);
		CHECK(n == plens[i] && memcmp(p, pkts[i], n) == 0);
	}
	/* IP id 0 would be rewritten by the kernel after the ICV: refused */
	CHECK_INT(build(p, sizeof(p), "192.0.2.11", "224.0.0.18", 1, 0, false, 255), 0);
	CHECK_INT(build(p, 40, "192.0.2.11", "224.0.0.18", 1, 1, false, 255), 0);
	/* unicast: TTL not covered */
	n = build(p, sizeof(p), "192.0.2.11", "192.0.2.12", 7, 7, true, 64);
	CHECK_INT(n, 64);
	p[8] = 60;
	CHECK_INT(vrrp_ah_verify(KEY, p, n, true, 0, &seq), VRRP_AH_OK);
	CHECK_INT(vrrp_ah_verify(KEY, p, n, false, 0, &seq), VRRP_AH_BAD_ICV);
	/* a valid ICV over an SPI that is not the source */
	n = build(p, sizeof(p), "192.0.2.11", "224.0.0.18", 9, 9, false, 255);
	p[27] ^= 1;
	CHECK_INT(vrrp_ah_icv(KEY, p, n, false, icv), 0);
	memcpy(p + 32, icv, sizeof(icv));
	CHECK_INT(vrrp_ah_verify(KEY, p, n, false, 0, &seq), VRRP_AH_BAD_SPI);
	/* sequence numbers never send 0 */
	CHECK_INT(vrrp_ah_next_seq(0), 1);
	CHECK_INT(vrrp_ah_next_seq(41), 42);
	CHECK_INT(vrrp_ah_next_seq(UINT32_MAX), 1);
	CHECK_STR(vrrp_ah_verdict_str(VRRP_AH_REPLAY), "AH sequence number replayed");
}

int main(void)
{
	load_fixture();
	test_fixture();
	test_replay();
	test_tampered();
	test_build();
	return check_report("test_vrrp_ah");
}
