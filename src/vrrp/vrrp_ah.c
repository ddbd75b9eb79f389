/* auth_type AH codec (see vrrp_ah.h).  Written from RFC 2402 §2-3 (AH
 * layout, mutable fields), RFC 2403 (HMAC-MD5-96) and the observed
 * behaviour of keepalived's adverts (tests/data/vrrp_ah/). */
#include "vrrp/vrrp_ah.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

#include "vrrp/vrrp_pkt.h"

#define IP_PROTO_OFF 9

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

const char *vrrp_ah_verdict_str(enum vrrp_ah_verdict v)
{
	switch (v) {
	case VRRP_AH_OK:
		return "ok";
	case VRRP_AH_BAD_HDR:
		return "malformed AH header";
	case VRRP_AH_BAD_ICV:
		return "AH ICV mismatch";
	case VRRP_AH_BAD_SPI:
		return "AH SPI is not the source address";
	case VRRP_AH_REPLAY:
		return "AH sequence number replayed";
	}
	return "unknown";
}

int vrrp_ah_parse(const uint8_t *p, size_t len, struct vrrp_ah_hdr *out)
{
	if (len < VRRP_AH_LEN)
		return -1;
	out->next_hdr = p[0];
	out->payload_len = p[1];
	out->reserved = (uint16_t)(p[2] << 8 | p[3]);
	out->spi = get32(p + 4);
	out->seq = get32(p + 8);
	memcpy(out->icv, p + 12, VRRP_AH_ICV_LEN);
	if (out->next_hdr != VRRP_PROTO || out->payload_len != VRRP_AH_PAYLOAD_LEN)
		return -1;
	return 0;
}

/* Header length of a plausible IPv4 + AH packet, or 0. */
static size_t ip_hlen(const uint8_t *ip, size_t len)
{
	size_t hlen;

	if (len < VRRP_AH_IPHDR_LEN || (ip[0] >> 4) != 4)
		return 0;
	hlen = (size_t)(ip[0] & 0x0f) * 4;
	if (hlen < VRRP_AH_IPHDR_LEN || len < hlen + VRRP_AH_LEN ||
	    ip[IP_PROTO_OFF] != VRRP_PROTO_AH)
		return 0;
	return hlen;
}

int vrrp_ah_icv(const uint8_t key[VRRP_AH_KEY_LEN], const uint8_t *ip, size_t len, bool zero_ttl,
                uint8_t out[VRRP_AH_ICV_LEN])
{
	uint8_t pkt[VRRP_MAX_IPV4_PKT];
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	size_t hlen = ip_hlen(ip, len);

	if (!hlen || len > sizeof(pkt))
		return -1;
	/* RFC 2402 §3.3.3.1.1.1: mutable fields count as zero.  IP options
	 * (never sent by VRRP) are covered as received. */
	memcpy(pkt, ip, len);
	pkt[1] = 0;            /* TOS */
	pkt[6] = pkt[7] = 0;   /* flags + fragment offset */
	pkt[10] = pkt[11] = 0; /* header checksum */
	if (zero_ttl)
		pkt[8] = 0;
	memset(pkt + hlen + 12, 0, VRRP_AH_ICV_LEN);
	if (!HMAC(EVP_md5(), key, VRRP_AH_KEY_LEN, pkt, len, md, &mdlen) || mdlen < VRRP_AH_ICV_LEN)
		return -1;
	memcpy(out, md, VRRP_AH_ICV_LEN);
	return 0;
}

enum vrrp_ah_verdict vrrp_ah_verify(const uint8_t key[VRRP_AH_KEY_LEN], const uint8_t *ip,
                                    size_t len, bool zero_ttl, uint32_t last_seq, uint32_t *seq)
{
	size_t hlen = ip_hlen(ip, len), i;
	struct vrrp_ah_hdr ah;
	uint8_t icv[VRRP_AH_ICV_LEN];
	unsigned diff = 0;

	if (!hlen || vrrp_ah_parse(ip + hlen, len - hlen, &ah) < 0)
		return VRRP_AH_BAD_HDR;
	*seq = ah.seq;
	if (vrrp_ah_icv(key, ip, len, zero_ttl, icv) < 0)
		return VRRP_AH_BAD_HDR;
	for (i = 0; i < VRRP_AH_ICV_LEN; i++)
		diff |= (unsigned)(icv[i] ^ ah.icv[i]);
	if (diff)
		return VRRP_AH_BAD_ICV;
	if (ah.spi != get32(ip + 12))
		return VRRP_AH_BAD_SPI;
	if (ah.seq <= last_seq)
		return VRRP_AH_REPLAY;
	return VRRP_AH_OK;
}

static uint16_t ip_csum(const uint8_t *p, size_t len)
{
	uint32_t acc = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

size_t vrrp_ah_build(uint8_t *buf, size_t len, const struct vrrp_ah_tx *tx)
{
	size_t tot = VRRP_AH_IPHDR_LEN + VRRP_AH_LEN + tx->mlen;
	uint8_t *ah = buf + VRRP_AH_IPHDR_LEN, *msg = ah + VRRP_AH_LEN;
	uint8_t icv[VRRP_AH_ICV_LEN];
	uint16_t c;

	if (!tx->key || !tx->msg || tx->mlen < VRRP_HDR_LEN + VRRP_AUTH_LEN || tot > len ||
	    tot > 0xffff || !tx->ip_id || (tx->msg[0] >> 4) != VRRP_VERSION_2)
		return 0;
	memset(buf, 0, VRRP_AH_IPHDR_LEN + VRRP_AH_LEN);
	buf[0] = 0x45;
	buf[1] = tx->tos;
	buf[2] = (uint8_t)(tot >> 8);
	buf[3] = (uint8_t)tot;
	buf[4] = (uint8_t)(tx->ip_id >> 8);
	buf[5] = (uint8_t)tx->ip_id;
	buf[8] = tx->ttl;
	buf[IP_PROTO_OFF] = VRRP_PROTO_AH;
	memcpy(buf + 12, &tx->src, 4);
	memcpy(buf + 16, &tx->dst, 4);
	ah[0] = VRRP_PROTO;
	ah[1] = VRRP_AH_PAYLOAD_LEN;
	memcpy(ah + 4, &tx->src, 4); /* SPI: the source address, network order */
	put32(ah + 8, tx->seq);
	memcpy(msg, tx->msg, tx->mlen);
	msg[4] = VRRP_PKT_AUTH_AH;
	c = vrrp_csum_compute(msg, tx->mlen, NULL, NULL);
	msg[6] = (uint8_t)(c >> 8);
	msg[7] = (uint8_t)c;
	if (vrrp_ah_icv(tx->key, buf, tot, tx->unicast, icv) < 0)
		return 0;
	memcpy(ah + 12, icv, VRRP_AH_ICV_LEN);
	c = ip_csum(buf, VRRP_AH_IPHDR_LEN);
	buf[10] = (uint8_t)(c >> 8);
	buf[11] = (uint8_t)c;
	return tot;
}

uint32_t vrrp_ah_next_seq(uint32_t last)
{
	return last == UINT32_MAX ? 1 : last + 1;
}
