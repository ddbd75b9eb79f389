/* AgentX (RFC 2741) PDUs as a pure codec: no sockets, clocks or globals.
 *
 * Decoding accepts both byte orders (the NETWORK_BYTE_ORDER header flag)
 * and checks every length against the buffer: a hostile master can make a
 * decode fail, never read or write out of bounds.  Octet strings and
 * context names in a decoded PDU point into the input buffer, which must
 * outlive the struct.  Encoding always uses network byte order and
 * compresses 1.3.6.1.X prefixes (RFC 2741 §5.1). */
#ifndef KA_AGENTX_PDU_H
#define KA_AGENTX_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AGENTX_VERSION 1
#define AGENTX_HDR_LEN 20
#define AGENTX_OID_MAX 128     /* sub-identifiers (SNMP's own limit) */
#define AGENTX_MAX_RANGES 64   /* search ranges in one request we accept */
#define AGENTX_MAX_VBS 128     /* varbinds in one decoded PDU */
#define AGENTX_MAX_PDU 1048576 /* payload bytes we accept */

enum agentx_type {
	AGENTX_OPEN = 1,
	AGENTX_CLOSE = 2,
	AGENTX_REGISTER = 3,
	AGENTX_UNREGISTER = 4,
	AGENTX_GET = 5,
	AGENTX_GETNEXT = 6,
	AGENTX_GETBULK = 7,
	AGENTX_TESTSET = 8,
	AGENTX_COMMITSET = 9,
	AGENTX_UNDOSET = 10,
	AGENTX_CLEANUPSET = 11,
	AGENTX_NOTIFY = 12,
	AGENTX_PING = 13,
	AGENTX_INDEXALLOCATE = 14,
	AGENTX_INDEXDEALLOCATE = 15,
	AGENTX_ADDAGENTCAPS = 16,
	AGENTX_REMOVEAGENTCAPS = 17,
	AGENTX_RESPONSE = 18,
};

enum agentx_flags {
	AGENTX_F_INSTANCE_REGISTRATION = 0x01,
	AGENTX_F_NEW_INDEX = 0x02,
	AGENTX_F_ANY_INDEX = 0x04,
	AGENTX_F_NON_DEFAULT_CONTEXT = 0x08,
	AGENTX_F_NETWORK_BYTE_ORDER = 0x10,
};

/* Varbind value types (RFC 2741 §5.4). */
enum agentx_vtype {
	AGENTX_V_INTEGER = 2,
	AGENTX_V_OCTETS = 4,
	AGENTX_V_NULL = 5,
	AGENTX_V_OID = 6,
	AGENTX_V_IPADDR = 64,
	AGENTX_V_COUNTER32 = 65,
	AGENTX_V_GAUGE32 = 66,
	AGENTX_V_TIMETICKS = 67,
	AGENTX_V_OPAQUE = 68,
	AGENTX_V_COUNTER64 = 70,
	AGENTX_V_NOSUCHOBJECT = 128,
	AGENTX_V_NOSUCHINSTANCE = 129,
	AGENTX_V_ENDOFMIBVIEW = 130,
};

/* res.error values: SNMP's (0..18) and AgentX's own (256..). */
enum agentx_error {
	AGENTX_E_NOERROR = 0,
	AGENTX_E_GENERR = 5,
	AGENTX_E_NOACCESS = 6,
	AGENTX_E_NOTWRITABLE = 17,
	AGENTX_E_OPENFAILED = 256,
	AGENTX_E_NOTOPEN = 257,
	AGENTX_E_UNSUPPORTEDCONTEXT = 262,
	AGENTX_E_DUPLICATEREGISTRATION = 263,
	AGENTX_E_UNKNOWNREGISTRATION = 264,
	AGENTX_E_PARSEERROR = 266,
	AGENTX_E_REQUESTDENIED = 267,
	AGENTX_E_PROCESSINGERROR = 268,
};

enum agentx_close_reason {
	AGENTX_CLOSE_OTHER = 1,
	AGENTX_CLOSE_PARSEERROR = 2,
	AGENTX_CLOSE_PROTOCOLERROR = 3,
	AGENTX_CLOSE_TIMEOUTS = 4,
	AGENTX_CLOSE_SHUTDOWN = 5,
	AGENTX_CLOSE_BYMANAGER = 6,
};

struct agentx_oid {
	uint32_t n;
	bool include; /* the "include" byte of a search range start */
	uint32_t sub[AGENTX_OID_MAX];
};

/* Octet string: not owned. */
struct agentx_str {
	const uint8_t *p;
	uint32_t len;
};

struct agentx_varbind {
	uint16_t type; /* enum agentx_vtype */
	struct agentx_oid name;
	union {
		int32_t i;             /* INTEGER */
		uint32_t u;            /* Counter32, Gauge32, TimeTicks */
		uint64_t u64;          /* Counter64 */
		struct agentx_str s;   /* OCTET STRING, IpAddress, Opaque */
		struct agentx_oid oid; /* OBJECT IDENTIFIER */
	} v;
};

struct agentx_range {
	struct agentx_oid start; /* start.include */
	struct agentx_oid end;   /* n == 0: unbounded */
};

struct agentx_hdr {
	uint8_t version;
	uint8_t type;
	uint8_t flags;
	uint32_t session_id;
	uint32_t transaction_id;
	uint32_t packet_id;
	uint32_t payload_len; /* decode: as received; encode: computed */
};

/* One PDU; which fields mean something depends on h.type.  Large (about
 * 200 KiB): allocate it, do not put it on the stack. */
struct agentx_pdu {
	struct agentx_hdr h;
	struct agentx_str context; /* when h.flags has NON_DEFAULT_CONTEXT */
	/* Open: timeout, oid (id), descr.  Register/Unregister: timeout,
	 * priority, range_subid, oid (subtree), upper_bound. */
	uint8_t timeout, priority, range_subid;
	uint32_t upper_bound;
	struct agentx_oid oid;
	struct agentx_str descr;
	uint8_t reason; /* Close */
	/* GetBulk */
	uint16_t non_repeaters, max_repetitions;
	/* Response */
	uint32_t sysuptime;
	uint16_t error, index;
	/* Get/GetNext/GetBulk */
	struct agentx_range ranges[AGENTX_MAX_RANGES];
	size_t n_ranges;
	/* Response/Notify/TestSet/IndexAllocate... */
	struct agentx_varbind vbs[AGENTX_MAX_VBS];
	size_t n_vbs;
};

/* Bytes the PDU at buf occupies once complete: 0 when fewer than
 * AGENTX_HDR_LEN bytes are available, -1 when the header is not a
 * plausible AgentX header (version, payload length). */
long agentx_pdu_size(const uint8_t *buf, size_t len);

/* Decode exactly one PDU of len bytes (header included).  0, or -1 with
 * *why set to a static text. */
int agentx_decode(const uint8_t *buf, size_t len, struct agentx_pdu *pdu, const char **why);

/* ---- encoding ------------------------------------------------------------ */

/* A caller-provided output buffer; writes past cap set `overflow` and are
 * dropped, so a sequence of puts needs one check at the end. */
struct agentx_wbuf {
	uint8_t *p;
	size_t len, cap;
	size_t start; /* offset of the PDU being built */
	bool overflow;
};

void agentx_wbuf_init(struct agentx_wbuf *w, uint8_t *buf, size_t cap);
/* Start a PDU (payload length patched by agentx_end). */
void agentx_begin(struct agentx_wbuf *w, const struct agentx_hdr *h);
void agentx_put_u8(struct agentx_wbuf *w, uint8_t v);
void agentx_put_u16(struct agentx_wbuf *w, uint16_t v);
void agentx_put_u32(struct agentx_wbuf *w, uint32_t v);
void agentx_put_u64(struct agentx_wbuf *w, uint64_t v);
void agentx_put_oid(struct agentx_wbuf *w, const struct agentx_oid *o);
void agentx_put_str(struct agentx_wbuf *w, const void *p, uint32_t len);
void agentx_put_varbind(struct agentx_wbuf *w, const struct agentx_varbind *vb);
/* Patch the payload length; the PDU's total size, or -1 on overflow. */
long agentx_end(struct agentx_wbuf *w);

/* Encode a whole PDU (any type decode understands).  Size or -1. */
long agentx_encode(const struct agentx_pdu *pdu, uint8_t *buf, size_t cap);

/* ---- OIDs ---------------------------------------------------------------- */

/* Lexicographic order; a proper prefix sorts first. */
int agentx_oid_cmp(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);
/* "1.3.6.1..." into o; 0 or -1. */
int agentx_oid_parse(const char *s, struct agentx_oid *o);
/* Dotted text; returns buf. */
const char *agentx_oid_fmt(const struct agentx_oid *o, char *buf, size_t len);
void agentx_oid_set(struct agentx_oid *o, const uint32_t *sub, size_t n);

const char *agentx_type_str(unsigned type);

#endif
