/* DNS query builder and reply check: see dns_parse.h. */
#include <string.h>

#include "check/dns_parse.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int dns_name_encode(const char *name, uint8_t *out, size_t outlen, const char **why)
{
	size_t n = 0;
	const char *p = name;

	if (strcmp(name, ".") == 0)
		p = "";
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		if (l == 0) {
			*why = "empty label in name";
			return -1;
		}
		if (l > DNS_LABEL_MAX) {
			*why = "label longer than 63 octets";
			return -1;
		}
		/* this label, and the root label that must still follow */
		if (n + 1 + l + 1 > DNS_NAME_MAX) {
			*why = "name longer than 255 octets";
			return -1;
		}
		if (n + 1 + l + 1 > outlen) {
			*why = "no room for the name";
			return -1;
		}
		out[n++] = (uint8_t)l;
		memcpy(out + n, p, l);
		n += l;
		p += l;
		if (*p == '.')
			p++;
	}
	if (n + 1 > outlen) {
		*why = "no room for the name";
		return -1;
	}
	out[n++] = 0;
	return (int)n;
}

int dns_query_build(uint16_t id, const char *name, uint16_t qtype, uint8_t *out, size_t outlen,
                    const char **why)
{
	int nl;

	if (outlen < DNS_HDR_LEN + 1 + 4) {
		*why = "no room for the query";
		return -1;
	}
	memset(out, 0, DNS_HDR_LEN);
	put16(out, id);
	out[2] = 0x01; /* QR=0 opcode=QUERY AA=0 TC=0 RD=1 */
	put16(out + 4, 1);
	nl = dns_name_encode(name, out + DNS_HDR_LEN, outlen - DNS_HDR_LEN - 4, why);
	if (nl < 0)
		return -1;
	put16(out + DNS_HDR_LEN + nl, qtype);
	put16(out + DNS_HDR_LEN + nl + 2, DNS_CLASS_IN);
	return DNS_HDR_LEN + nl + 4;
}

static const char *const rcode_names[16] = {
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
    "NXRRSET", "NOTAUTH", "NOTZONE",  "?",        "?",      "?",       "?",        "?",
};

/* Whole reasons, so that the check stays free of formatting. */
static const char *const rcode_why[16] = {
    "rcode 0 (NOERROR)", "rcode 1 (FORMERR)", "rcode 2 (SERVFAIL)", "rcode 3 (NXDOMAIN)",
    "rcode 4 (NOTIMP)",  "rcode 5 (REFUSED)", "rcode 6 (YXDOMAIN)", "rcode 7 (YXRRSET)",
    "rcode 8 (NXRRSET)", "rcode 9 (NOTAUTH)", "rcode 10 (NOTZONE)", "rcode 11",
    "rcode 12",          "rcode 13",          "rcode 14",           "rcode 15",
};

const char *dns_rcode_str(unsigned rcode)
{
	return rcode < 16 ? rcode_names[rcode] : "?";
}

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Compares the (possibly compressed) name at msg[off] with the plain wire
 * name `want`.  Compression pointers must point strictly backwards, which
 * bounds the walk without a jump counter.  Returns 1 = same name, 0 = other
 * name, -1 = malformed (*why); *end gets the offset after the name in the
 * question itself. */
static int name_equal(const uint8_t *msg, size_t len, size_t off, const uint8_t *want,
                      size_t wantlen, size_t *end, const char **why)
{
	size_t w = 0, limit = off; /* pointers must go below `limit` */
	bool jumped = false, same = true;

	for (;;) {
		uint8_t l;

		if (off >= len) {
			*why = "question truncated";
			return -1;
		}
		l = msg[off];
		if ((l & 0xc0) == 0xc0) {
			size_t to;

			if (off + 1 >= len) {
				*why = "question truncated";
				return -1;
			}
			to = (size_t)(l & 0x3f) << 8 | msg[off + 1];
			if (to >= limit) {
				*why = "compression pointer loops or points forward";
				return -1;
			}
			if (!jumped)
				*end = off + 2;
			jumped = true;
			limit = to;
			off = to;
			continue;
		}
		if (l & 0xc0) {
			*why = "unsupported label type";
			return -1;
		}
		if (off + 1 + l > len) {
			*why = "question truncated";
			return -1;
		}
		/* compare the length octet and the label */
		if (same) {
			size_t i;

			if (w + 1 + l > wantlen || want[w] != l) {
				same = false;
			} else {
				for (i = 0; i < l; i++)
					if (lower(msg[off + 1 + i]) != lower(want[w + 1 + i]))
						same = false;
				w += 1 + (size_t)l;
			}
		}
		if (l == 0)
			break;
		off += 1 + (size_t)l;
	}
	if (!jumped)
		*end = off + 1;
	return same && w == wantlen;
}

enum dns_reply_result dns_reply_check(const uint8_t *reply, size_t len, const uint8_t *query,
                                      size_t qlen, struct dns_reply_info *info, const char **why)
{
	struct dns_reply_info tmp;
	size_t qname_len, end = 0;
	unsigned opcode;
	int eq;

	if (!info)
		info = &tmp;
	memset(info, 0, sizeof(*info));
	if (qlen < DNS_HDR_LEN + 1 + 4) {
		*why = "bad query";
		return DNS_REPLY_BAD;
	}
	/* Without an ID, or with another one, it answers something else
	 * (a late reply to an earlier attempt, say): keep waiting. */
	if (len < 2 || get16(reply) != get16(query)) {
		*why = "reply to another query";
		return DNS_REPLY_IGNORE;
	}
	if (len < DNS_HDR_LEN) {
		*why = "reply shorter than a DNS header";
		return DNS_REPLY_BAD;
	}
	info->rcode = reply[3] & 0x0f;
	info->tc = reply[2] & 0x02;
	info->qdcount = get16(reply + 4);
	info->ancount = get16(reply + 6);
	if (!(reply[2] & 0x80)) {
		*why = "QR bit clear: a query, not a reply";
		return DNS_REPLY_BAD;
	}
	opcode = (reply[2] >> 3) & 0x0f;
	if (opcode != 0) {
		*why = "opcode is not QUERY";
		return DNS_REPLY_BAD;
	}
	if (info->rcode != 0) {
		*why = rcode_why[info->rcode];
		return DNS_REPLY_BAD;
	}
	/* Servers may leave the question out; when present it must be ours. */
	if (info->qdcount == 0)
		return DNS_REPLY_OK;
	qname_len = qlen - DNS_HDR_LEN - 4;
	eq = name_equal(reply, len, DNS_HDR_LEN, query + DNS_HDR_LEN, qname_len, &end, why);
	if (eq < 0)
		return DNS_REPLY_BAD;
	if (end + 4 > len) {
		*why = "question truncated";
		return DNS_REPLY_BAD;
	}
	if (!eq || memcmp(reply + end, query + DNS_HDR_LEN + qname_len, 4) != 0) {
		*why = "question does not match the query";
		return DNS_REPLY_BAD;
	}
	return DNS_REPLY_OK;
}
