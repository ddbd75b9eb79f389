/* keepalived's auth_type AH: VRRPv2 over IPv4 wrapped in an IPsec
 * Authentication Header (RFC 2402 §2 layout) without any SA machinery.
 *
 *   IPv4 header (protocol 51) | AH (24 bytes) | VRRPv2 message (Auth Type 2)
 *
 * AH: next header 112, payload length 4 (RFC 2402: length in 32-bit words
 * minus 2), reserved 0, SPI = the sender's IPv4 address, 32-bit sequence
 * number, 12-byte ICV = HMAC-MD5-96 (RFC 2403) keyed with the 8-byte
 * auth_pass (zero padded).  The ICV covers the IPv4 header with TOS,
 * fragment field and header checksum zeroed (TTL too for unicast, where
 * routers may change it), the AH with the ICV zeroed, and the VRRP message.
 * The IP identification field is covered as sent, so the sender must not
 * leave it 0 (the kernel would fill it in after the ICV was computed).
 *
 * Pure: no sockets, clocks or globals (libcrypto's HMAC only). */
#ifndef KA_VRRP_AH_H
#define KA_VRRP_AH_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VRRP_AH_LEN 24     /* the whole AH header with its ICV */
#define VRRP_AH_ICV_LEN 12 /* HMAC-MD5-96 */
#define VRRP_AH_KEY_LEN 8  /* auth_pass, zero padded */
#define VRRP_AH_PAYLOAD_LEN 4
#define VRRP_AH_IPHDR_LEN 20 /* what we send: no IP options */

/* A parsed AH header (host order). */
struct vrrp_ah_hdr {
	uint8_t next_hdr;
	uint8_t payload_len;
	uint16_t reserved;
	uint32_t spi;
	uint32_t seq;
	uint8_t icv[VRRP_AH_ICV_LEN];
};

enum vrrp_ah_verdict {
	VRRP_AH_OK = 0,
	VRRP_AH_BAD_HDR, /* truncated, not IPv4 protocol 51, wrong next header/length */
	VRRP_AH_BAD_ICV, /* HMAC mismatch: wrong key or tampered packet */
	VRRP_AH_BAD_SPI, /* SPI is not the IP source address */
	VRRP_AH_REPLAY,  /* sequence number not above the last one seen */
};
const char *vrrp_ah_verdict_str(enum vrrp_ah_verdict v);

/* Parse the AH header at p[0..len).  0, or -1 when too short or not the
 * shape above (next header 112, payload length 4). */
int vrrp_ah_parse(const uint8_t *p, size_t len, struct vrrp_ah_hdr *out);

/* The ICV of an IPv4 packet ip[0..len) whose AH starts at ip + hlen (the
 * IHL); the ICV field in the packet is treated as zero.  0, or -1 when the
 * packet is too short or HMAC fails. */
int vrrp_ah_icv(const uint8_t key[VRRP_AH_KEY_LEN], const uint8_t *ip, size_t len, bool zero_ttl,
                uint8_t out[VRRP_AH_ICV_LEN]);

/* Receive checks, in order: structure, ICV (constant-time compare), SPI ==
 * IPv4 source, then seq > last_seq (anti-replay).  ip is the whole packet
 * as read from a raw IPPROTO_AH socket (header included), len its length
 * (tot_len bytes; trailing padding excluded).  *seq is set to the packet's
 * sequence number whenever the header parsed. */
enum vrrp_ah_verdict vrrp_ah_verify(const uint8_t key[VRRP_AH_KEY_LEN], const uint8_t *ip,
                                    size_t len, bool zero_ttl, uint32_t last_seq, uint32_t *seq);

/* One packet to build. */
struct vrrp_ah_tx {
	struct in_addr src, dst; /* network order */
	uint8_t ttl;
	uint8_t tos;
	uint16_t ip_id; /* must be non-zero (see above) */
	uint32_t seq;
	bool unicast; /* TTL excluded from the ICV */
	const uint8_t *key;
	/* a VRRPv2 message as vrrp_pkt_encode() builds it with Auth Type
	 * NONE: it is copied, its Auth Type set to 2 and checksum refreshed */
	const uint8_t *msg;
	size_t mlen;
};

/* Build the IPv4 packet (for a raw socket with IP_HDRINCL) into buf:
 * header (20 bytes, DF clear, checksum filled), AH with ICV, message.
 * Returns the length, or 0 when it does not fit or tx is invalid. */
size_t vrrp_ah_build(uint8_t *buf, size_t len, const struct vrrp_ah_tx *tx);

/* The next sequence number to send after `last` (sent or received);
 * wraps to 1: 0 is never sent, so a fresh receiver (last 0) accepts it. */
uint32_t vrrp_ah_next_seq(uint32_t last);

#endif
