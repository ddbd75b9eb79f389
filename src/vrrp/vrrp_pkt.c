/* VRRP advertisement codec (see vrrp_pkt.h).  Written from RFC 3768 §5 and
 * §7.1, RFC 5798 / RFC 9568 §5 and §7.1, RFC 8200 §8.1 (pseudo-header),
 * RFC 791 (IPv4 header) and RFC 1071 (Internet checksum).
 *
 * Every read is bounds-checked against the length the caller gave; nothing
 * here allocates, logs or keeps state. */
#include "vrrp/vrrp_pkt.h"

#include <arpa/inet.h>
#include <string.h>

#include "vrrp/vrrp_ah.h"

/* ---- small helpers ---------------------------------------------------------- */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static const struct ka_addr *addr_at(const struct ka_addr *base, size_t stride, size_t i)
{
	if (!stride)
		stride = sizeof(*base);
	return (const struct ka_addr *)(const void *)((const char *)base + i * stride);
}

static const uint8_t *ka_bytes(const struct ka_addr *a)
{
	return a->family == AF_INET ? (const uint8_t *)&a->u.v4 : (const uint8_t *)&a->u.v6;
}

static size_t family_addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* A packet address (network-order bytes of pkt->family) equals a? */
static bool addr_is(const struct ka_addr *a, int family, const uint8_t *bytes)
{
	return a->family == family && memcmp(ka_bytes(a), bytes, family_addr_len(family)) == 0;
}

static bool addr_is_multicast(const struct ka_addr *a)
{
	if (a->family == AF_INET)
		return (ntohl(a->u.v4.s_addr) & 0xf0000000u) == 0xe0000000u;
	if (a->family == AF_INET6)
		return a->u.v6.s6_addr[0] == 0xff;
	return false;
}

const char *vrrp_rx_err_str(enum vrrp_rx_err e)
{
	switch (e) {
	case VRRP_RX_OK:
		return "ok";
	case VRRP_RX_IP_HDR:
		return "malformed IP header";
	case VRRP_RX_IP_PROTO:
		return "not VRRP (IP protocol)";
	case VRRP_RX_AH:
		return "AH header missing, unexpected or malformed";
	case VRRP_RX_TTL:
		return "bad TTL/hop limit";
	case VRRP_RX_VERSION:
		return "wrong version";
	case VRRP_RX_TYPE:
		return "invalid type";
	case VRRP_RX_LENGTH:
		return "bad length";
	case VRRP_RX_CHECKSUM:
		return "bad checksum";
	case VRRP_RX_VRID:
		return "VRID mismatch";
	case VRRP_RX_OWNER:
		return "ignored by address owner";
	case VRRP_RX_AUTH_TYPE_INVALID:
		return "invalid auth type";
	case VRRP_RX_AUTH_TYPE_MISMATCH:
		return "auth type mismatch";
	case VRRP_RX_AUTH_FAILURE:
		return "authentication failure";
	case VRRP_RX_INTERVAL:
		return "advert interval mismatch";
	case VRRP_RX_INTERVAL_ZERO:
		return "advert interval zero";
	case VRRP_RX_ADDR_LIST:
		return "address list mismatch";
	case VRRP_RX_ADDR_COUNT_ZERO:
		return "address count zero";
	case VRRP_RX_LINK_LOCAL:
		return "first IPv6 address not link-local";
	case VRRP_RX_DST:
		return "multicast/unicast destination mismatch";
	case VRRP_RX_UNICAST_SRC:
		return "source is not a unicast peer";
	case VRRP_RX_ERR_COUNT:
		break;
	}
	return "unknown";
}

const char *vrrp_csum_form_str(enum vrrp_csum_form f)
{
	switch (f) {
	case VRRP_CSUM_NONE:
		return "none";
	case VRRP_CSUM_PLAIN:
		return "plain";
	case VRRP_CSUM_PSEUDO:
		return "pseudo-header";
	case VRRP_CSUM_PSEUDO_MCAST:
		return "pseudo-header (multicast destination)";
	}
	return "unknown";
}

void vrrp_mcast_group(int family, struct ka_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (family == AF_INET6) {
		out->family = AF_INET6;
		out->u.v6.s6_addr[0] = 0xff;
		out->u.v6.s6_addr[1] = 0x02;
		out->u.v6.s6_addr[15] = 0x12;
	} else {
		out->family = AF_INET;
		out->u.v4.s_addr = htonl(VRRP_MCAST_GROUP4_HOST);
	}
}

/* ---- checksum ---------------------------------------------------------------- */

/* RFC 1071: sum of big-endian 16-bit words; an odd last byte is the high
 * half of a word.  64-bit accumulator: no overflow for any size_t length
 * in practice. */
static uint64_t sum16(uint64_t acc, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += get16(p + i);
	if (len & 1)
		acc += (uint64_t)p[len - 1] << 8;
	return acc;
}

static uint16_t fold(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

uint16_t vrrp_csum_compute(const uint8_t *msg, size_t len, const struct ka_addr *src,
                           const struct ka_addr *dst)
{
	uint64_t acc = 0;

	if (len < VRRP_HDR_LEN)
		return 0;
	/* Bytes 0-5, then skip the checksum field (6-7), then the rest. */
	acc = sum16(acc, msg, 6);
	acc = sum16(acc, msg + VRRP_HDR_LEN, len - VRRP_HDR_LEN);
	if (src && dst && src->family == dst->family) {
		if (src->family == AF_INET) {
			/* src, dst, zero, protocol, VRRP length (16 bits) */
			acc = sum16(acc, ka_bytes(src), 4);
			acc = sum16(acc, ka_bytes(dst), 4);
			acc += VRRP_PROTO;
			acc += (uint64_t)(len & 0xffff);
		} else if (src->family == AF_INET6) {
			/* RFC 8200 §8.1: src, dst, 32-bit length, 3 zero
			 * bytes, next header */
			acc = sum16(acc, ka_bytes(src), 16);
			acc = sum16(acc, ka_bytes(dst), 16);
			acc += (uint64_t)((len >> 16) & 0xffff);
			acc += (uint64_t)(len & 0xffff);
			acc += VRRP_PROTO;
		}
	}
	return fold(acc);
}

bool vrrp_csum_verify(const uint8_t *msg, size_t len, const struct ka_addr *src,
                      const struct ka_addr *dst)
{
	if (len < VRRP_HDR_LEN)
		return false;
	return vrrp_csum_compute(msg, len, src, dst) == get16(msg + 6);
}

static bool csum_form_ok(const struct vrrp_pkt *pkt, const struct vrrp_rx_meta *meta,
                         const struct ka_addr *group, enum vrrp_csum_form form)
{
	struct ka_addr g;

	switch (form) {
	case VRRP_CSUM_PLAIN:
		return vrrp_csum_verify(pkt->msg, pkt->len, NULL, NULL);
	case VRRP_CSUM_PSEUDO:
		if (meta->src.family != pkt->family || meta->dst.family != pkt->family)
			return false;
		return vrrp_csum_verify(pkt->msg, pkt->len, &meta->src, &meta->dst);
	case VRRP_CSUM_PSEUDO_MCAST:
		if (meta->src.family != pkt->family)
			return false;
		if (group && group->family == pkt->family)
			g = *group;
		else
			vrrp_mcast_group(pkt->family, &g);
		return vrrp_csum_verify(pkt->msg, pkt->len, &meta->src, &g);
	case VRRP_CSUM_NONE:
		break;
	}
	return false;
}

enum vrrp_csum_form vrrp_csum_detect(const struct vrrp_pkt *pkt, const struct vrrp_rx_meta *meta,
                                     const struct ka_addr *mcast_group)
{
	static const enum vrrp_csum_form v3_ipv4_order[] = {VRRP_CSUM_PSEUDO, VRRP_CSUM_PLAIN,
	                                                    VRRP_CSUM_PSEUDO_MCAST};
	size_t i;

	if (pkt->version == VRRP_VERSION_2)
		return csum_form_ok(pkt, meta, mcast_group, VRRP_CSUM_PLAIN) ? VRRP_CSUM_PLAIN
		                                                             : VRRP_CSUM_NONE;
	if (pkt->family == AF_INET6)
		return csum_form_ok(pkt, meta, mcast_group, VRRP_CSUM_PSEUDO) ? VRRP_CSUM_PSEUDO
		                                                              : VRRP_CSUM_NONE;
	for (i = 0; i < sizeof(v3_ipv4_order) / sizeof(v3_ipv4_order[0]); i++)
		if (csum_form_ok(pkt, meta, mcast_group, v3_ipv4_order[i]))
			return v3_ipv4_order[i];
	return VRRP_CSUM_NONE;
}

/* ---- IPv4 header ------------------------------------------------------------- */

static int strip(const uint8_t *buf, size_t len, struct vrrp_rx_meta *meta, const uint8_t **payload,
                 size_t *plen, enum vrrp_rx_err *why, bool allow_ah)
{
	size_t hlen, tot_len, ahlen = 0;
	struct vrrp_ah_hdr ah;

	memset(meta, 0, sizeof(*meta));
	meta->ttl = -1;
	*payload = NULL;
	*plen = 0;
	/* RFC 791: version 4, IHL in 32-bit words, at least 5. */
	if (len < 20 || (buf[0] >> 4) != 4 || (buf[0] & 0x0f) < 5) {
		*why = VRRP_RX_IP_HDR;
		return -1;
	}
	hlen = (size_t)(buf[0] & 0x0f) * 4;
	if (hlen > len) {
		*why = VRRP_RX_IP_HDR;
		return -1;
	}
	meta->family = AF_INET;
	meta->src.family = AF_INET;
	memcpy(&meta->src.u.v4, buf + 12, 4);
	meta->dst.family = AF_INET;
	memcpy(&meta->dst.u.v4, buf + 16, 4);
	meta->ttl = buf[8];
	meta->ip_hlen = hlen;

	/* The header checksum sums to 0xffff over a valid header. */
	if (fold(sum16(0, buf, hlen)) != 0) {
		*why = VRRP_RX_IP_HDR;
		return -1;
	}
	/* MF or a fragment offset: the kernel reassembles before raw delivery,
	 * so a fragment here is malformed. */
	if ((get16(buf + 6) & 0x3fff) != 0) {
		*why = VRRP_RX_IP_HDR;
		return -1;
	}
	if (buf[9] == VRRP_PROTO_AH && !allow_ah) {
		*why = VRRP_RX_AH;
		return -1;
	}
	if (buf[9] != VRRP_PROTO && buf[9] != VRRP_PROTO_AH) {
		*why = VRRP_RX_IP_PROTO;
		return -1;
	}
	tot_len = get16(buf + 2);
	if (tot_len < hlen) {
		*why = VRRP_RX_IP_HDR;
		return -1;
	}
	/* R4: tot_len must match what was read; more bytes than tot_len are
	 * only acceptable as padding of a minimum-size Ethernet frame. */
	if (tot_len > len || (tot_len < len && len > VRRP_ETH_MIN_PAYLOAD)) {
		*why = VRRP_RX_LENGTH;
		return -1;
	}
	if (buf[9] == VRRP_PROTO_AH) {
		if (vrrp_ah_parse(buf + hlen, tot_len - hlen, &ah) < 0) {
			*why = VRRP_RX_AH;
			return -1;
		}
		ahlen = VRRP_AH_LEN;
		meta->ah = true;
		meta->ah_seq = ah.seq;
		meta->ip_pkt = buf;
		meta->ip_len = tot_len;
		meta->ip_hlen = hlen + ahlen;
	}
	*payload = buf + hlen + ahlen;
	*plen = tot_len - hlen - ahlen;
	*why = VRRP_RX_OK;
	return 0;
}

int vrrp_ipv4_strip(const uint8_t *buf, size_t len, struct vrrp_rx_meta *meta,
                    const uint8_t **payload, size_t *plen, enum vrrp_rx_err *why)
{
	return strip(buf, len, meta, payload, plen, why, false);
}

int vrrp_ipv4_strip_ah(const uint8_t *buf, size_t len, struct vrrp_rx_meta *meta,
                       const uint8_t **payload, size_t *plen, enum vrrp_rx_err *why)
{
	return strip(buf, len, meta, payload, plen, why, true);
}

/* ---- decode ------------------------------------------------------------------ */

size_t vrrp_pkt_len(int version, int family, unsigned naddr)
{
	size_t alen = family_addr_len(family);

	if (!alen || naddr > VRRP_MAX_ADDRS)
		return 0;
	if (version == VRRP_VERSION_2)
		return family == AF_INET ? VRRP_HDR_LEN + 4 * (size_t)naddr + VRRP_AUTH_LEN : 0;
	if (version == VRRP_VERSION_3)
		return VRRP_HDR_LEN + alen * naddr;
	return 0;
}

int vrrp_pkt_decode(const uint8_t *p, size_t len, int family, struct vrrp_pkt *out,
                    enum vrrp_rx_err *why)
{
	unsigned version, type;
	size_t need;

	memset(out, 0, sizeof(*out));
	if (family != AF_INET && family != AF_INET6) {
		*why = VRRP_RX_IP_HDR;
		return -1;
	}
	if (len < VRRP_HDR_LEN) {
		*why = VRRP_RX_LENGTH;
		return -1;
	}
	version = p[0] >> 4;
	type = p[0] & 0x0f;
	/* R2: only v2 and v3 have a known layout; v2 is IPv4 only. */
	if ((version != VRRP_VERSION_2 && version != VRRP_VERSION_3) ||
	    (version == VRRP_VERSION_2 && family != AF_INET)) {
		*why = VRRP_RX_VERSION;
		return -1;
	}
	/* R3 */
	if (type != VRRP_TYPE_ADVERT) {
		*why = VRRP_RX_TYPE;
		return -1;
	}
	/* R4 */
	need = vrrp_pkt_len((int)version, family, p[3]);
	if (!need || len < need) {
		*why = VRRP_RX_LENGTH;
		return -1;
	}

	out->version = (uint8_t)version;
	out->type = (uint8_t)type;
	out->vrid = p[1];
	out->priority = p[2];
	out->naddr = p[3];
	if (version == VRRP_VERSION_2) {
		out->auth_type = p[4];
		out->adver_int_cs = (uint16_t)(p[5] * 100u);
		memcpy(out->auth_data, p + need - VRRP_AUTH_LEN, VRRP_AUTH_LEN);
	} else {
		out->rsvd = p[4] >> 4;
		out->adver_int_cs = (uint16_t)((p[4] & 0x0f) << 8 | p[5]);
	}
	out->checksum = get16(p + 6);
	out->family = (sa_family_t)family;
	out->addr_len = (uint8_t)family_addr_len(family);
	out->addrs = p + VRRP_HDR_LEN;
	out->msg = p;
	out->len = need;
	out->trailing = len - need;
	*why = VRRP_RX_OK;
	return 0;
}

void vrrp_pkt_addr(const struct vrrp_pkt *pkt, unsigned i, struct ka_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (i >= pkt->naddr)
		return;
	out->family = pkt->family;
	memcpy(out->family == AF_INET ? (void *)&out->u.v4 : (void *)&out->u.v6,
	       pkt->addrs + (size_t)i * pkt->addr_len, pkt->addr_len);
}

/* ---- validation -------------------------------------------------------------- */

void vrrp_rx_policy_init(struct vrrp_rx_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	pol->version = VRRP_VERSION_2;
	pol->adver_int_cs = 100;
	pol->auth_type = VRRP_PKT_AUTH_NONE;
	pol->check_ttl = true;
	pol->min_ttl = VRRP_TTL;
	pol->max_ttl = VRRP_TTL;
	pol->v3_ipv4_csum = VRRP_CSUM_PSEUDO;
}

void vrrp_auth_pass_set(uint8_t out[VRRP_AUTH_LEN], const char *pass)
{
	size_t i;

	memset(out, 0, VRRP_AUTH_LEN);
	for (i = 0; pass && i < VRRP_AUTH_LEN && pass[i]; i++)
		out[i] = (uint8_t)pass[i];
}

uint8_t vrrp_v2_interval_s(uint16_t adver_int_cs)
{
	unsigned s = (adver_int_cs + 50u) / 100u;

	if (!adver_int_cs)
		return 0;
	if (!s)
		s = 1;
	return s > VRRP_V2_MAX_INT_S ? 0 : (uint8_t)s;
}

/* Constant-time equality of two auth blocks: every byte is always compared. */
static bool auth_equal(const uint8_t *a, const uint8_t *b)
{
	unsigned diff = 0;
	size_t i;

	for (i = 0; i < VRRP_AUTH_LEN; i++)
		diff |= (unsigned)(a[i] ^ b[i]);
	return diff == 0;
}

/* Is the advertised list the same set as ours?  Both directions, so
 * duplicates on one side cannot hide a missing address. */
static bool addr_list_matches(const struct vrrp_pkt *pkt, const struct vrrp_rx_policy *pol)
{
	size_t i, j;

	if (pkt->naddr != pol->nvips)
		return false;
	for (i = 0; i < pkt->naddr; i++) {
		const uint8_t *a = pkt->addrs + i * pkt->addr_len;
		bool found = false;

		for (j = 0; j < pol->nvips && !found; j++)
			found = addr_is(addr_at(pol->vips, pol->vip_stride, j), pkt->family, a);
		if (!found)
			return false;
	}
	for (j = 0; j < pol->nvips; j++) {
		const struct ka_addr *v = addr_at(pol->vips, pol->vip_stride, j);
		bool found = false;

		for (i = 0; i < pkt->naddr && !found; i++)
			found = addr_is(v, pkt->family, pkt->addrs + i * pkt->addr_len);
		if (!found)
			return false;
	}
	return true;
}

static bool ttl_ok(const struct vrrp_rx_meta *meta, const struct vrrp_rx_policy *pol)
{
	/* Unknown TTL fails closed: the caller must supply it when checking. */
	return meta->ttl >= 0 && meta->ttl >= pol->min_ttl && meta->ttl <= pol->max_ttl;
}

static enum vrrp_rx_err check_csum(const struct vrrp_pkt *pkt, const struct vrrp_rx_meta *meta,
                                   const struct vrrp_rx_policy *pol, struct vrrp_rx_info *info)
{
	const struct ka_addr *group = pol->mcast_group.family ? &pol->mcast_group : NULL;
	enum vrrp_csum_form want;

	if (pkt->version == VRRP_VERSION_2)
		want = VRRP_CSUM_PLAIN;
	else if (pkt->family == AF_INET6)
		want = VRRP_CSUM_PSEUDO;
	else
		want = pol->v3_ipv4_csum;

	if (want != VRRP_CSUM_NONE && csum_form_ok(pkt, meta, group, want)) {
		info->csum_form = want;
		return VRRP_RX_OK;
	}
	if (pkt->version == VRRP_VERSION_3 && pkt->family == AF_INET && pol->v3_csum_try_old &&
	    csum_form_ok(pkt, meta, group, VRRP_CSUM_PSEUDO_MCAST)) {
		info->csum_form = VRRP_CSUM_PSEUDO_MCAST;
		return VRRP_RX_OK;
	}
	/* Tell the caller what the sender used, for its log line. */
	info->csum_form = vrrp_csum_detect(pkt, meta, group);
	return VRRP_RX_CHECKSUM;
}

static enum vrrp_rx_err check_dst(const struct vrrp_pkt *pkt, const struct vrrp_rx_meta *meta,
                                  const struct vrrp_rx_policy *pol)
{
	struct ka_addr g;

	if (meta->dst.family != pkt->family)
		return VRRP_RX_OK; /* unknown: nothing to compare */
	if (pol->unicast)
		return addr_is_multicast(&meta->dst) ? VRRP_RX_DST : VRRP_RX_OK;
	if (pol->mcast_group.family == pkt->family)
		g = pol->mcast_group;
	else
		vrrp_mcast_group(pkt->family, &g);
	return addr_equal(&meta->dst, &g) ? VRRP_RX_OK : VRRP_RX_DST;
}

static bool src_is_peer(const struct vrrp_rx_meta *meta, const struct vrrp_rx_policy *pol)
{
	size_t i;

	for (i = 0; i < pol->npeers; i++)
		if (addr_equal(addr_at(pol->peers, pol->peer_stride, i), &meta->src))
			return true;
	return false;
}

static enum vrrp_rx_err validate(const struct vrrp_pkt *pkt, const struct vrrp_rx_meta *meta,
                                 const struct vrrp_rx_policy *pol, struct vrrp_rx_info *info)
{
	enum vrrp_rx_err e;
	size_t hlen;

	if (meta->family && meta->family != pkt->family)
		return VRRP_RX_IP_HDR;
	/* R6: demultiplexing normally happened already. */
	if (pol->vrid && pkt->vrid != pol->vrid)
		return VRRP_RX_VRID;
	/* AH presence must match the configuration; then ICV, SPI and
	 * sequence number, before anything else is believed. */
	if (pol->auth_type == VRRP_PKT_AUTH_AH || meta->ah) {
		uint32_t seq = 0;
		enum vrrp_ah_verdict v;

		if (pol->auth_type != VRRP_PKT_AUTH_AH || pol->version != VRRP_VERSION_2 ||
		    !meta->ah || !meta->ip_pkt)
			return VRRP_RX_AH;
		v = vrrp_ah_verify(pol->auth_data, meta->ip_pkt, meta->ip_len, pol->unicast,
		                   pol->ah_last_seq, &seq);
		info->ah_verdict = (int)v;
		if (v == VRRP_AH_BAD_HDR)
			return VRRP_RX_AH;
		if (v != VRRP_AH_OK)
			return VRRP_RX_AUTH_FAILURE;
	}
	/* R4: bytes after the message are only allowed as Ethernet padding. */
	if (pkt->trailing) {
		hlen = meta->ip_hlen ? meta->ip_hlen : pkt->family == AF_INET ? 20 : 40;
		if (hlen + pkt->len + pkt->trailing > VRRP_ETH_MIN_PAYLOAD)
			return VRRP_RX_LENGTH;
	}
	/* R1 */
	if (pol->check_ttl && !ttl_ok(meta, pol))
		return VRRP_RX_TTL;
	/* R2 */
	if (pkt->version != pol->version)
		return VRRP_RX_VERSION;

	if (pkt->version == VRRP_VERSION_2) {
		/* R8 (RFC 3768 §5.3.6 / §7.1) */
		if (pkt->auth_type > VRRP_PKT_AUTH_AH)
			return VRRP_RX_AUTH_TYPE_INVALID;
		if (pkt->auth_type != pol->auth_type)
			return VRRP_RX_AUTH_TYPE_MISMATCH;
		if (pol->auth_type == VRRP_PKT_AUTH_PASS &&
		    !auth_equal(pkt->auth_data, pol->auth_data))
			return VRRP_RX_AUTH_FAILURE;
		/* R10, R9: v2 MUST discard on a mismatch (RFC 3768 §7.1). */
		if (pkt->adver_int_cs == 0)
			return VRRP_RX_INTERVAL_ZERO;
		if (pkt->adver_int_cs != vrrp_v2_interval_s(pol->adver_int_cs) * 100u)
			return VRRP_RX_INTERVAL;
	} else {
		/* R10; R9 is only logged for v3 (the backup adopts the
		 * master's interval, RFC 5798 §6.4.2). */
		if (pkt->adver_int_cs == 0)
			return VRRP_RX_INTERVAL_ZERO;
		if (pkt->adver_int_cs != pol->adver_int_cs)
			info->warn |= VRRP_RX_BIT(VRRP_RX_INTERVAL);
	}

	/* R5 */
	e = check_csum(pkt, meta, pol, info);
	if (e != VRRP_RX_OK)
		return e;
	/* R15 */
	e = check_dst(pkt, meta, pol);
	if (e != VRRP_RX_OK)
		return e;
	/* R7 */
	if (pol->owner_ignore)
		return VRRP_RX_OWNER;
	/* R12: count 0 is malformed unless we have no VIPs either
	 * (no_virtual_ipaddress). */
	if (pkt->naddr == 0 && pol->nvips > 0)
		return VRRP_RX_ADDR_COUNT_ZERO;
	/* R11: counted and logged, never a drop (reference §4.5 item 12). */
	if (!pol->skip_addr_check && !addr_list_matches(pkt, pol))
		info->warn |= VRRP_RX_BIT(VRRP_RX_ADDR_LIST);
	/* R13 (RFC 5798 §5.2.9): informational. */
	if (pkt->family == AF_INET6 && pkt->naddr > 0 &&
	    !(pkt->addrs[0] == 0xfe && (pkt->addrs[1] & 0xc0) == 0x80))
		info->warn |= VRRP_RX_BIT(VRRP_RX_LINK_LOCAL);
	if (pol->check_unicast_src && !src_is_peer(meta, pol))
		return VRRP_RX_UNICAST_SRC;
	return VRRP_RX_OK;
}

enum vrrp_rx_err vrrp_pkt_validate(const struct vrrp_pkt *pkt, const struct vrrp_rx_meta *meta,
                                   const struct vrrp_rx_policy *pol, struct vrrp_rx_info *info)
{
	struct vrrp_rx_info scratch;

	if (!info)
		info = &scratch;
	info->warn = 0;
	info->csum_form = VRRP_CSUM_NONE;
	info->ah_verdict = 0;
	return validate(pkt, meta, pol, info);
}

/* ---- encode ------------------------------------------------------------------ */

size_t vrrp_pkt_encode(uint8_t *buf, size_t len, const struct vrrp_tx *tx)
{
	const struct ka_addr *src = NULL, *dst = NULL;
	size_t need, alen, i;
	uint8_t secs = 0;
	uint16_t csum;

	if (tx->naddr > VRRP_MAX_ADDRS || tx->vrid == 0)
		return 0;
	need = vrrp_pkt_len(tx->version, tx->family, (unsigned)tx->naddr);
	if (!need || need > len || (tx->naddr && !tx->addrs))
		return 0;
	alen = family_addr_len(tx->family);
	for (i = 0; i < tx->naddr; i++)
		if (addr_at(tx->addrs, tx->addr_stride, i)->family != tx->family)
			return 0;

	if (tx->version == VRRP_VERSION_2) {
		if (tx->auth_type != VRRP_PKT_AUTH_NONE && tx->auth_type != VRRP_PKT_AUTH_PASS)
			return 0;
		secs = vrrp_v2_interval_s(tx->adver_int_cs);
		if (!secs)
			return 0;
	} else {
		if (tx->adver_int_cs == 0 || tx->adver_int_cs > VRRP_V3_MAX_INT_CS)
			return 0;
		switch (tx->csum) {
		case VRRP_CSUM_NONE:
			break;
		case VRRP_CSUM_PLAIN:
			if (tx->family != AF_INET)
				return 0;
			break;
		case VRRP_CSUM_PSEUDO:
		case VRRP_CSUM_PSEUDO_MCAST:
			if (tx->src.family != tx->family || tx->dst.family != tx->family)
				return 0;
			src = &tx->src;
			dst = &tx->dst;
			break;
		default:
			return 0;
		}
	}

	buf[0] = (uint8_t)(tx->version << 4 | VRRP_TYPE_ADVERT);
	buf[1] = tx->vrid;
	buf[2] = tx->priority;
	buf[3] = (uint8_t)tx->naddr;
	if (tx->version == VRRP_VERSION_2) {
		buf[4] = tx->auth_type;
		buf[5] = secs;
	} else {
		/* Rsvd nibble 0 (R14), 12-bit Max Adver Int */
		buf[4] = (uint8_t)((tx->adver_int_cs >> 8) & 0x0f);
		buf[5] = (uint8_t)(tx->adver_int_cs & 0xff);
	}
	buf[6] = buf[7] = 0;
	for (i = 0; i < tx->naddr; i++)
		memcpy(buf + VRRP_HDR_LEN + i * alen,
		       ka_bytes(addr_at(tx->addrs, tx->addr_stride, i)), alen);
	if (tx->version == VRRP_VERSION_2) {
		/* RFC 3768 §5.3.10: zero unless PASS. */
		if (tx->auth_type == VRRP_PKT_AUTH_PASS)
			memcpy(buf + need - VRRP_AUTH_LEN, tx->auth_data, VRRP_AUTH_LEN);
		else
			memset(buf + need - VRRP_AUTH_LEN, 0, VRRP_AUTH_LEN);
	}
	if (tx->version == VRRP_VERSION_3 && tx->csum == VRRP_CSUM_NONE)
		return need;
	csum = vrrp_csum_compute(buf, need, src, dst);
	buf[6] = (uint8_t)(csum >> 8);
	buf[7] = (uint8_t)(csum & 0xff);
	return need;
}
