/* libFuzzer entry point for the VRRP packet codec (src/vrrp/vrrp_pkt.c).
 * Built by tests/fuzz/CMakeLists.txt: with -DKA_FUZZ=ON (clang) as a
 * libFuzzer binary, always as replay_fuzz_vrrp_pkt (ctest
 * fuzz/replay_fuzz_vrrp_pkt replays corpus/ and regress/).  Run it with
 * scripts/fuzz.sh, or by hand:
 *
 *   build-fuzz/tests/fuzz/fuzz_vrrp_pkt -max_total_time=120 CORPUS_DIR
 *
 * Input layout:
 *   byte 0      mode: bit 0 = IPv6 (else a raw IPv4 packet with its header),
 *               bit 1 = policy version 3 (else 2), bit 2 = unicast,
 *               bit 3 = check_unicast_src, bit 4 = v3_csum_try_old,
 *               bits 5-6 = v3_ipv4_csum (0..3), bit 7 = skip_addr_check
 *   byte 1      policy: bits 0-1 auth type, bits 2-3 number of local VIPs,
 *               bit 4 = owner_ignore, bit 5 = check_ttl, bits 6-7 vrid low bits
 *   IPv6 only:  16 bytes source, 16 bytes destination, 1 byte hop limit
 *   rest        the bytes the socket returned
 * A seed is "\x00\x20" + the bytes of a tests/vrrp/fixtures/NAME.hex file for
 * IPv4, or "\x03\x20" + src + dst + "\xff" + the VRRP message for IPv6.
 *
 * Besides "no crash, no out-of-bounds read", every advert that decodes is
 * re-encoded from its fields and decoded again: the fields must survive. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vrrp/vrrp_pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_reencode(const struct vrrp_pkt *pkt, const struct vrrp_rx_meta *meta)
{
	static struct ka_addr addrs[VRRP_MAX_ADDRS];
	static uint8_t out[VRRP_MAX_PKT];
	struct vrrp_pkt again;
	enum vrrp_rx_err why;
	struct vrrp_tx tx;
	size_t n;
	unsigned i;

	memset(&tx, 0, sizeof(tx));
	tx.version = pkt->version;
	tx.vrid = pkt->vrid;
	tx.priority = pkt->priority;
	tx.adver_int_cs = pkt->adver_int_cs;
	tx.auth_type = pkt->auth_type;
	memcpy(tx.auth_data, pkt->auth_data, sizeof(tx.auth_data));
	tx.family = pkt->family;
	for (i = 0; i < pkt->naddr; i++)
		vrrp_pkt_addr(pkt, i, &addrs[i]);
	tx.addrs = addrs;
	tx.naddr = pkt->naddr;
	tx.csum = VRRP_CSUM_PSEUDO;
	tx.src = meta->src;
	tx.dst = meta->dst;
	n = vrrp_pkt_encode(out, sizeof(out), &tx);
	/* Refusals are legitimate for fields the encoder does not send:
	 * VRID 0, interval 0, v2 auth types other than NONE/PASS, pseudo-header
	 * addresses of another family. */
	if (!n)
		return;
	if (n != pkt->len)
		abort();
	if (vrrp_pkt_decode(out, n, pkt->family, &again, &why) != 0)
		abort();
	if (again.version != pkt->version || again.vrid != pkt->vrid ||
	    again.priority != pkt->priority || again.naddr != pkt->naddr ||
	    again.auth_type != pkt->auth_type || again.rsvd != 0)
		abort();
	/* v2 re-rounds nothing: it already was whole seconds */
	if (again.adver_int_cs != pkt->adver_int_cs)
		abort();
	if (memcmp(again.addrs, pkt->addrs, (size_t)pkt->naddr * pkt->addr_len) != 0)
		abort();
	if (pkt->version == VRRP_VERSION_2 && pkt->auth_type == VRRP_PKT_AUTH_PASS &&
	    memcmp(again.auth_data, pkt->auth_data, VRRP_AUTH_LEN) != 0)
		abort();
	if (!vrrp_csum_verify(out, n, pkt->version == VRRP_VERSION_3 ? &meta->src : NULL,
	                      pkt->version == VRRP_VERSION_3 ? &meta->dst : NULL))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ka_addr vips[3];
	struct vrrp_rx_policy pol;
	struct vrrp_rx_meta meta;
	struct vrrp_rx_info info;
	struct vrrp_pkt pkt;
	enum vrrp_rx_err why;
	const uint8_t *msg;
	size_t mlen;
	uint8_t mode, p;
	int family;
	unsigned i;

	if (size < 2)
		return 0;
	mode = data[0];
	p = data[1];
	data += 2;
	size -= 2;
	family = (mode & 1) ? AF_INET6 : AF_INET;

	if (family == AF_INET) {
		if (vrrp_ipv4_strip(data, size, &meta, &msg, &mlen, &why) != 0)
			return 0;
	} else {
		if (size < 33)
			return 0;
		memset(&meta, 0, sizeof(meta));
		meta.family = AF_INET6;
		meta.src.family = AF_INET6;
		memcpy(&meta.src.u.v6, data, 16);
		meta.dst.family = AF_INET6;
		memcpy(&meta.dst.u.v6, data + 16, 16);
		meta.ttl = data[32];
		meta.ip_hlen = 40;
		msg = data + 33;
		mlen = size - 33;
	}

	/* A copy of exactly mlen bytes, so ASan sees any read past the end. */
	{
		uint8_t *copy = malloc(mlen ? mlen : 1);

		if (!copy)
			return 0;
		memcpy(copy, msg, mlen);
		if (vrrp_pkt_decode(copy, mlen, family, &pkt, &why) != 0) {
			free(copy);
			return 0;
		}

		vrrp_rx_policy_init(&pol);
		pol.version = (mode & 2) ? 3 : 2;
		pol.unicast = (mode & 4) != 0;
		pol.check_unicast_src = (mode & 8) != 0;
		pol.v3_csum_try_old = (mode & 16) != 0;
		pol.v3_ipv4_csum = (enum vrrp_csum_form)((mode >> 5) & 3);
		pol.skip_addr_check = (mode & 128) != 0;
		pol.auth_type = p & 3;
		vrrp_auth_pass_set(pol.auth_data, "secret12");
		for (i = 0; i < 3; i++) {
			memset(&vips[i], 0, sizeof(vips[i]));
			vips[i].family = (sa_family_t)family;
			if (family == AF_INET) {
				vips[i].u.v4.s_addr = htonl(0xc0000264u + i); /* 192.0.2.100+i */
			} else {
				vips[i].u.v6.s6_addr[0] = 0xfe; /* fe80::i */
				vips[i].u.v6.s6_addr[1] = 0x80;
				vips[i].u.v6.s6_addr[15] = (uint8_t)i;
			}
		}
		pol.vips = vips;
		pol.nvips = (p >> 2) & 3; /* 0..3 */
		pol.peers = vips;
		pol.npeers = pol.nvips;
		pol.owner_ignore = (p & 16) != 0;
		pol.check_ttl = (p & 32) != 0;
		pol.vrid = (uint8_t)(p >> 6);
		pol.adver_int_cs = 100;

		why = vrrp_pkt_validate(&pkt, &meta, &pol, &info);
		if (why >= VRRP_RX_ERR_COUNT || !vrrp_rx_err_str(why))
			abort();
		(void)vrrp_csum_detect(&pkt, &meta, NULL);
		check_reencode(&pkt, &meta);
		free(copy);
	}
	return 0;
}
