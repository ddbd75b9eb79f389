/* VRRP advertisement codec: IPv4 header strip, decode, per-instance receive
 * validation, checksums and encode, for VRRPv2 (RFC 3768) and VRRPv3
 * (RFC 5798 / RFC 9568), IPv4 and IPv6.
 *
 * Pure: no sockets, clocks, allocation or globals; every function reads only
 * its arguments, never past the lengths it is given, so the whole file can be
 * driven by unit tests and fuzzers.  Receive rules are labelled R1..R15 as in
 * shared/reference/operations-and-reliability.md §3.2.
 *
 * Receive path (the daemon's socket code does the I/O):
 *
 *   IPv4 raw socket:  vrrp_ipv4_strip(buf, n, &meta, &msg, &mlen, &why)
 *   IPv6 raw socket:  the caller fills meta from the cmsgs (hop limit, dst)
 *   both:             vrrp_pkt_decode(msg, mlen, family, &pkt, &why)
 *                     find the instance by pkt.vrid (R6), then
 *                     why = vrrp_pkt_validate(&pkt, &meta, &policy, &info)
 *                     counters[why]++ if why != VRRP_RX_OK;
 *                     counters[e]++ for every bit e in info.warn (not drops)
 *
 * Intervals are centiseconds everywhere in this API; VRRPv2's 8-bit seconds
 * field is converted (1 s = 100 cs).  Multi-byte header fields are host
 * order in the structs; addresses stay in network order. */
#ifndef KA_VRRP_PKT_H
#define KA_VRRP_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

/* ---- constants ------------------------------------------------------------ */

#define VRRP_PROTO 112                     /* IP protocol / IPv6 next header (RFC 5798 §5.1.1.4) */
#define VRRP_PROTO_AH 51                   /* IPsec AH (keepalived's auth_type AH, RFC 2402) */
#define VRRP_TTL 255                       /* IPv4 TTL / IPv6 Hop Limit of every advert (R1) */
#define VRRP_MCAST_GROUP4 "224.0.0.18"     /* RFC 5798 §5.1.1.2 */
#define VRRP_MCAST_GROUP4_HOST 0xe0000012u /* the same, host order */
#define VRRP_MCAST_GROUP6 "ff02::12"       /* RFC 5798 §5.1.2.2 */

#define VRRP_VERSION_2 2 /* RFC 3768 */
#define VRRP_VERSION_3 3 /* RFC 5798 / RFC 9568 */
#define VRRP_TYPE_ADVERT 1

/* Auth Type (VRRPv2 only, RFC 3768 §5.3.6; values from RFC 2338 as keepalived
 * uses them).  Named VRRP_PKT_* to stay clear of vrrp_conf.h's enum. */
#define VRRP_PKT_AUTH_NONE 0
#define VRRP_PKT_AUTH_PASS 1 /* simple text password, 8 bytes zero padded */
#define VRRP_PKT_AUTH_AH 2   /* IPsec AH, IP protocol 51 (vrrp_ah.h) */

#define VRRP_HDR_LEN 8          /* version/type .. checksum */
#define VRRP_AUTH_LEN 8         /* v2 Authentication Data, always present */
#define VRRP_MAX_ADDRS 255      /* Count IPvX Addr is 8 bits */
#define VRRP_V3_MAX_INT_CS 4095 /* Max Adver Int is 12 bits (40.95 s) */
#define VRRP_V2_MAX_INT_S 255   /* v2 Adver Int is 8 bits of seconds */

/* Largest VRRP messages (no IP header): v2 8+4n+8, v3/IPv4 8+4n, v3/IPv6 8+16n. */
#define VRRP_MAX_PKT_V2 (VRRP_HDR_LEN + 4 * VRRP_MAX_ADDRS + VRRP_AUTH_LEN) /* 1036 */
#define VRRP_MAX_PKT_V3_4 (VRRP_HDR_LEN + 4 * VRRP_MAX_ADDRS)               /* 1028 */
#define VRRP_MAX_PKT_V3_6 (VRRP_HDR_LEN + 16 * VRRP_MAX_ADDRS)              /* 4088 */
#define VRRP_MAX_PKT VRRP_MAX_PKT_V3_6
/* Largest IPv4 packet an IPv4 raw socket can hand over for a valid advert:
 * 60-byte header with options + 24-byte AH + the largest v2 message.  A
 * receive buffer should be a little larger, so oversize packets are seen
 * (and rejected as LENGTH) rather than silently truncated. */
#define VRRP_MAX_IPV4_PKT (60 + 24 + VRRP_MAX_PKT_V2)
/* Ethernet minimum payload: an IP packet shorter than this may arrive with
 * padding after it (R4 allows it). */
#define VRRP_ETH_MIN_PAYLOAD 46

/* ---- receive reasons ------------------------------------------------------ */

/* One value per receive rule; the caller keeps counters in an array indexed
 * by this enum.  Values stay below 32 so VRRP_RX_BIT() works. */
enum vrrp_rx_err {
	VRRP_RX_OK = 0,
	/* malformed IPv4 header (version, IHL, fragment, header checksum), or a
	 * meta family that disagrees with the decoded advert */
	VRRP_RX_IP_HDR,
	VRRP_RX_IP_PROTO, /* IPv4 protocol neither 112 nor 51 */
	/* AH presence differs from the policy (AH packet for a non-AH
	 * instance or the reverse), proto 51 through vrrp_ipv4_strip(), or a
	 * malformed AH header.  A bad ICV, SPI or sequence number is
	 * VRRP_RX_AUTH_FAILURE. */
	VRRP_RX_AH,
	VRRP_RX_TTL,     /* R1: TTL / Hop Limit != 255 (or outside min/max_ttl) */
	VRRP_RX_VERSION, /* R2: version not 2/3, not the instance's, or v2 over IPv6 */
	VRRP_RX_TYPE,    /* R3: type != 1 (ADVERTISEMENT) */
	/* R4: truncated, count vs length, tot_len vs bytes read, trailing bytes
	 * that are not Ethernet padding */
	VRRP_RX_LENGTH,
	VRRP_RX_CHECKSUM,           /* R5 */
	VRRP_RX_VRID,               /* R6: VRID is not the instance's */
	VRRP_RX_OWNER,              /* R7: owner_ignore_adverts (local priority 255) */
	VRRP_RX_AUTH_TYPE_INVALID,  /* R8: v2 Auth Type not 0, 1 or 2 */
	VRRP_RX_AUTH_TYPE_MISMATCH, /* R8: v2 Auth Type differs from ours */
	VRRP_RX_AUTH_FAILURE,       /* R8: v2 PASS password differs */
	/* R9: interval differs from ours: a drop for v2; for v3 only a warning
	 * bit (the backup adopts the master's interval, RFC 5798 §6.4.2) */
	VRRP_RX_INTERVAL,
	VRRP_RX_INTERVAL_ZERO, /* R10: (Max) Adver Int == 0 */
	/* R11: count or address list differs from our VIPs: a warning bit only,
	 * never a drop (RFC 3768 §7.1 "MAY"; keepalived accepts and logs) */
	VRRP_RX_ADDR_LIST,
	VRRP_RX_ADDR_COUNT_ZERO, /* R12: count 0 while we have VIPs */
	/* R13: IPv6 first address not link-local: a warning bit only
	 * (keepalived does not check it) */
	VRRP_RX_LINK_LOCAL,
	VRRP_RX_DST,         /* R15: multicast/unicast destination mismatch */
	VRRP_RX_UNICAST_SRC, /* check_unicast_src: source is not a peer */
	VRRP_RX_ERR_COUNT
};
#define VRRP_RX_BIT(e) (1u << (e))

/* Short lower-case text for logs, e.g. "bad TTL/hop limit".  Never NULL. */
const char *vrrp_rx_err_str(enum vrrp_rx_err e);

/* ---- decoded advert --------------------------------------------------------- */

struct vrrp_pkt {
	uint8_t version;   /* Version: 2 (RFC 3768 §5.3.1) or 3 (RFC 5798 §5.2.1) */
	uint8_t type;      /* Type: always 1 (ADVERTISEMENT) after decode */
	uint8_t vrid;      /* Virtual Rtr ID (VRID), 0..255 as received */
	uint8_t priority;  /* Priority: 0 = master stops, 255 = address owner */
	uint8_t naddr;     /* Count IP Addrs (v2) / Count IPvX Addr (v3) */
	uint8_t auth_type; /* v2 Auth Type (VRRP_PKT_AUTH_*); 0 for v3 */
	uint8_t rsvd;      /* v3 Rsvd nibble as received (ignored, R14); 0 for v2 */
	/* centiseconds: v2 Adver Int (seconds) × 100; v3 Max Adver Int (0..4095) */
	uint16_t adver_int_cs;
	uint16_t checksum;  /* Checksum field as received, host order */
	sa_family_t family; /* AF_INET or AF_INET6: the addresses' family */
	uint8_t addr_len;   /* bytes per address: 4 or 16 */
	/* IPvX Address(es): naddr × addr_len bytes, network order, pointing
	 * into the decoded buffer */
	const uint8_t *addrs;
	uint8_t auth_data[VRRP_AUTH_LEN]; /* v2 Authentication Data; zeros for v3 */
	const uint8_t *msg;               /* start of the VRRP message (the decoded buffer) */
	size_t len;                       /* VRRP message length: 8 + addrs (+ 8 for v2) */
	size_t trailing;                  /* bytes in the buffer after the message (padding) */
};

/* Received-packet facts outside the VRRP message.  vrrp_ipv4_strip() fills it
 * for IPv4; for IPv6 the caller fills it from IPV6_PKTINFO / IPV6_HOPLIMIT. */
struct vrrp_rx_meta {
	sa_family_t family; /* AF_INET or AF_INET6 */
	struct ka_addr src; /* IP source address (the sender's primary address) */
	struct ka_addr dst; /* IP destination; family 0 (AF_UNSPEC) = unknown */
	int ttl;            /* IPv4 TTL / IPv6 Hop Limit; -1 = unknown */
	/* IP header bytes before the VRRP message (IPv4 IHL × 4, options
	 * included); 0 = unknown (20 / 40 assumed by the padding rule) */
	size_t ip_hlen;
	/* vrrp_ipv4_strip_ah() on an AH packet: ip_hlen then includes the
	 * 24-byte AH; ip_pkt/ip_len are the whole IPv4 packet (tot_len bytes),
	 * for the ICV; ah_seq its sequence number. */
	bool ah;
	uint32_t ah_seq;
	const uint8_t *ip_pkt;
	size_t ip_len;
};

/* Parse the IPv4 header in front of what a raw IPPROTO_VRRP socket returns.
 * Checks version 4, IHL >= 5, header checksum, no fragment, tot_len against
 * len (R4: longer than read = LENGTH; bytes read past tot_len are accepted
 * only as Ethernet padding, i.e. len <= 46), protocol 112 (51 = VRRP_RX_AH,
 * others VRRP_RX_IP_PROTO).  Fills meta (family, src, dst, ttl, ip_hlen) as
 * soon as the header is readable, even when it then fails.  On success
 * *payload and *plen are the VRRP message (tot_len - IHL × 4 bytes).
 * Returns 0, or -1 with *why set. */
int vrrp_ipv4_strip(const uint8_t *buf, size_t len, struct vrrp_rx_meta *meta,
                    const uint8_t **payload, size_t *plen, enum vrrp_rx_err *why);
/* The same for an IPPROTO_AH socket: protocol 112 as above, and protocol
 * 51 with an AH header (next header 112, payload length 4, else
 * VRRP_RX_AH) in front of the message, which *payload then points at.
 * meta->ah, ah_seq, ip_pkt and ip_len are set for AH packets. */
int vrrp_ipv4_strip_ah(const uint8_t *buf, size_t len, struct vrrp_rx_meta *meta,
                       const uint8_t **payload, size_t *plen, enum vrrp_rx_err *why);

/* Structural decode of one VRRP message (no IP header) of the given family.
 * Checks: len >= 8; version 2 or 3 (VERSION), v2 with AF_INET6 (VERSION);
 * type 1 (TYPE); len >= the size the count implies (LENGTH): v2 8+4n+8,
 * v3/IPv4 8+4n, v3/IPv6 8+16n.  Extra bytes are kept in out->trailing for
 * vrrp_pkt_validate() to judge.  Count 0 is left to validate (R12).  The
 * checksum is not checked here.  out->addrs and out->msg point into p.
 * Returns 0, or -1 with *why set (out is then unspecified). */
int vrrp_pkt_decode(const uint8_t *p, size_t len, int family, struct vrrp_pkt *out,
                    enum vrrp_rx_err *why);

/* Expected message length for (version, family, naddr); 0 if the combination
 * is invalid (v2 with IPv6, unknown version/family, naddr > 255). */
size_t vrrp_pkt_len(int version, int family, unsigned naddr);

/* Address i (< pkt->naddr) of a decoded advert. */
void vrrp_pkt_addr(const struct vrrp_pkt *pkt, unsigned i, struct ka_addr *out);

/* The default multicast group of a family (224.0.0.18 / ff02::12). */
void vrrp_mcast_group(int family, struct ka_addr *out);

/* ---- checksum (R5) -------------------------------------------------------- */

/* Which bytes a VRRP checksum covers:
 *  PLAIN         the VRRP message only: v2 (RFC 3768 §5.3.8), and v3/IPv4
 *                under v3_checksum_as_v2 (the RFC 9568 §5.2.8 reading)
 *  PSEUDO        message + pseudo-header (src, dst, length, proto 112):
 *                v3/IPv6 (RFC 8200 §8.1) and keepalived's default for v3/IPv4
 *  PSEUDO_MCAST  as PSEUDO but with the multicast group as destination: what
 *                keepalived < 1.3.6 sent for v3/IPv4 unicast
 *                (old_unicast_checksum)
 *  NONE          no form matched (checksum error) */
enum vrrp_csum_form {
	VRRP_CSUM_NONE = 0,
	VRRP_CSUM_PLAIN,
	VRRP_CSUM_PSEUDO,
	VRRP_CSUM_PSEUDO_MCAST,
};
const char *vrrp_csum_form_str(enum vrrp_csum_form f); /* "none", "plain", ... */

/* Checksum of msg[0..len) as it should be stored in the Checksum field
 * (host order), treating the field itself (bytes 6-7) as zero.  With src and
 * dst non-NULL (same family), the IPv4 or IPv6 pseudo-header is included:
 * IPv4 src(4) dst(4) 0 112 len(2); IPv6 src(16) dst(16) len(4) 0 0 0 112.
 * With either NULL, no pseudo-header.  len must be >= 8. */
uint16_t vrrp_csum_compute(const uint8_t *msg, size_t len, const struct ka_addr *src,
                           const struct ka_addr *dst);
/* Whether the stored checksum of msg matches vrrp_csum_compute(). */
bool vrrp_csum_verify(const uint8_t *msg, size_t len, const struct ka_addr *src,
                      const struct ka_addr *dst);
/* Which form the decoded advert's checksum matches, trying in this order:
 * v2: PLAIN.  v3/IPv6: PSEUDO.  v3/IPv4: PSEUDO, PLAIN, then PSEUDO_MCAST
 * (with mcast_group, NULL = 224.0.0.18).  PSEUDO forms need meta->src and
 * meta->dst; without a known dst only PLAIN can match.  For auto-detection
 * (reference §4.2) and for logging "peer uses the other form". */
enum vrrp_csum_form vrrp_csum_detect(const struct vrrp_pkt *pkt, const struct vrrp_rx_meta *meta,
                                     const struct ka_addr *mcast_group);

/* ---- per-instance validation ---------------------------------------------- */

/* The instance's side of the receive rules.  Start from
 * vrrp_rx_policy_init() (multicast defaults), then set what the instance
 * configures. */
struct vrrp_rx_policy {
	uint8_t version; /* expected Version, 2 or 3 (R2) */
	uint8_t vrid;    /* our VRID; 0 = not checked (caller demuxed) (R6) */
	/* our Advertisement_Interval, centiseconds (R9); v2 compares whole
	 * seconds, rounded as vrrp_v2_interval_s() does */
	uint16_t adver_int_cs;
	uint8_t auth_type; /* v2: VRRP_PKT_AUTH_NONE/PASS/AH (R8) */
	/* v2 PASS: the first 8 characters of auth_pass, zero padded
	 * (vrrp_auth_pass_set()) */
	uint8_t auth_data[VRRP_AUTH_LEN];
	/* R1: on for multicast; for unicast only when the peer has
	 * min_ttl/max_ttl.  An unknown TTL (meta->ttl -1) fails the check. */
	bool check_ttl;
	int min_ttl, max_ttl; /* accepted TTL / Hop Limit range (255..255 multicast) */
	/* form expected for v3/IPv4: PSEUDO (default), PLAIN
	 * (v3_checksum_as_v2) or PSEUDO_MCAST (old_unicast_checksum set, or
	 * switched to after detection) */
	enum vrrp_csum_form v3_ipv4_csum;
	/* also accept PSEUDO_MCAST (unicast with old_unicast_checksum auto);
	 * info->csum_form tells the caller when to switch */
	bool v3_csum_try_old;
	bool unicast; /* instance uses unicast_peer: dst must not be multicast */
	/* multicast instance: the group dst must equal (R15); family 0 = the
	 * default group.  Also the PSEUDO_MCAST destination. */
	struct ka_addr mcast_group;
	bool owner_ignore; /* owner_ignore_adverts at priority 255: drop all (R7) */
	/* Our virtual_ipaddress list (R11/R12), compared as a set.  Address i is
	 * at (const char *)vips + i * vip_stride, so an array of larger structs
	 * with a struct ka_addr member can be passed as &arr[0].addr with
	 * vip_stride = sizeof(arr[0]); 0 = sizeof(struct ka_addr). */
	const struct ka_addr *vips;
	size_t nvips;
	size_t vip_stride;
	bool skip_addr_check;        /* skip_check_adv_addr with the master unchanged */
	bool check_unicast_src;      /* the source must be one of peers */
	const struct ka_addr *peers; /* unicast_peer addresses, same stride rule */
	size_t npeers;
	size_t peer_stride;
	/* auth_type AH: the last sequence number seen or sent (anti-replay:
	 * a packet must carry a larger one); 0 accepts any.  The caller
	 * keeps the counter and stores the packet's ah_seq after OK. */
	uint32_t ah_last_seq;
};

/* What validation found besides the verdict. */
struct vrrp_rx_info {
	/* VRRP_RX_BIT(e) of findings that do not drop: ADDR_LIST, INTERVAL
	 * (v3 mismatch), LINK_LOCAL */
	uint32_t warn;
	/* the form the checksum matched (NONE if none); set whenever the
	 * checksum step ran, also when it failed */
	enum vrrp_csum_form csum_form;
	/* auth_type AH: the vrrp_ah_verify() verdict (enum vrrp_ah_verdict),
	 * 0 when not checked or fine */
	int ah_verdict;
};

/* Defaults: version 2, VRID unchecked, 100 cs, no auth, check_ttl with
 * 255..255, v3/IPv4 checksum PSEUDO, multicast to the default group,
 * nothing else. */
void vrrp_rx_policy_init(struct vrrp_rx_policy *pol);

/* Copy the first 8 characters of a PASS password, zero padded (RFC 2338
 * simple text; longer passwords are truncated as keepalived does). */
void vrrp_auth_pass_set(uint8_t out[VRRP_AUTH_LEN], const char *pass);

/* v2 Adver Int for an interval in centiseconds: rounded to the nearest second
 * (half up), at least 1; 0 if it does not fit 8 bits or cs is 0. */
uint8_t vrrp_v2_interval_s(uint16_t adver_int_cs);

/* Apply the instance's receive rules to a decoded advert, in keepalived's
 * order (reference §4.5), returning the first rule that drops it:
 *   VRID (R6, demux); AH: presence must match the policy (AH), then ICV,
 *   SPI == source and sequence > ah_last_seq (AUTH_FAILURE); LENGTH (trailing bytes other than Ethernet
 *   padding, R4); TTL (R1); VERSION (R2); v2: AUTH_TYPE_INVALID,
 *   AUTH_TYPE_MISMATCH, AUTH_FAILURE (R8, constant time), INTERVAL_ZERO (R10),
 *   INTERVAL (R9 drop); v3: INTERVAL_ZERO (R10), INTERVAL mismatch -> warn;
 *   CHECKSUM (R5); DST (R15, when meta->dst is known); OWNER (R7);
 *   ADDR_COUNT_ZERO (R12); ADDR_LIST -> warn (R11), LINK_LOCAL -> warn
 *   (R13); UNICAST_SRC.
 * meta must describe the packet pkt was decoded from (src/dst/ttl).
 * info may be NULL; when given it is always filled (warn bits found before a
 * drop are kept).  Returns VRRP_RX_OK when the advert is to be processed. */
enum vrrp_rx_err vrrp_pkt_validate(const struct vrrp_pkt *pkt, const struct vrrp_rx_meta *meta,
                                   const struct vrrp_rx_policy *pol, struct vrrp_rx_info *info);

/* ---- encode --------------------------------------------------------------- */

/* One advert to build. */
struct vrrp_tx {
	uint8_t version;  /* 2 or 3 */
	uint8_t vrid;     /* Virtual Rtr ID, 1..255 */
	uint8_t priority; /* Priority (0 on shutdown) */
	/* Advertisement_Interval, centiseconds: v2 sends vrrp_v2_interval_s(),
	 * v3 sends it as Max Adver Int (1..4095) */
	uint16_t adver_int_cs;
	uint8_t auth_type; /* v2 Auth Type: VRRP_PKT_AUTH_NONE or _PASS; ignored by v3 */
	/* v2 PASS Authentication Data; zeros are sent for NONE */
	uint8_t auth_data[VRRP_AUTH_LEN];
	sa_family_t family; /* AF_INET, or AF_INET6 (v3 only) */
	/* the virtual addresses, in order; same stride rule as
	 * vrrp_rx_policy.vips (0 = sizeof(struct ka_addr)) */
	const struct ka_addr *addrs;
	size_t naddr; /* 0..255 */
	size_t addr_stride;
	/* v3 checksum: PSEUDO (src/dst required), PLAIN (v3_checksum_as_v2,
	 * IPv4 only), PSEUDO_MCAST (the same as PSEUDO: give the group as dst),
	 * NONE = leave 0 (IPv6 with the kernel's IPV6_CHECKSUM).  v2 is
	 * always PLAIN. */
	enum vrrp_csum_form csum;
	struct ka_addr src; /* IP source, for the pseudo-header */
	struct ka_addr dst; /* IP destination (or the group), for the pseudo-header */
};

/* Build the VRRP message (no IP header) into buf.  Reserved bits are 0; the
 * type is ADVERTISEMENT.  Returns its length, or 0 when it does not fit len
 * or tx is invalid (version, family, v2 over IPv6, VRID 0, an address of
 * another family, naddr > 255, interval 0 or out of range, a v2 auth type
 * other than NONE/PASS, PSEUDO without src/dst of the family). */
size_t vrrp_pkt_encode(uint8_t *buf, size_t len, const struct vrrp_tx *tx);

#endif
