/* DNS query building and reply checking for DNS_CHECK (RFC 1035 §4.1).
 * Pure: the caller supplies the query ID and owns the socket. */
#ifndef KA_DNS_PARSE_H
#define KA_DNS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_HDR_LEN 12
#define DNS_NAME_MAX 255 /* wire form, length octets and root included */
#define DNS_LABEL_MAX 63
/* header + name + QTYPE + QCLASS */
#define DNS_QUERY_MAX (DNS_HDR_LEN + DNS_NAME_MAX + 4)

#define DNS_CLASS_IN 1
#define DNS_TYPE_SOA 6

/* Wire form of a dotted name ("." and "" are the root; one trailing dot is
 * allowed).  Returns the encoded length, or -1 with *why set (empty label,
 * label > 63 octets, name > 255 octets, out too small). */
int dns_name_encode(const char *name, uint8_t *out, size_t outlen, const char **why);

/* A standard query: the given ID, RD set, one question (name, qtype, IN).
 * Returns its length, or -1 with *why set. */
int dns_query_build(uint16_t id, const char *name, uint16_t qtype, uint8_t *out, size_t outlen,
                    const char **why);

enum dns_reply_result {
	DNS_REPLY_BAD = -1,   /* a reply to our query that says "failed"; *why */
	DNS_REPLY_OK = 0,     /* ID matches, QR set, rcode 0, question echoed or absent */
	DNS_REPLY_IGNORE = 1, /* not a reply to this query (other ID, too short for one) */
};

struct dns_reply_info {
	unsigned rcode; /* valid once the header was read */
	bool tc;        /* truncated: an answer still, for a health check */
	uint16_t qdcount, ancount;
};

/* Checks a received datagram against the query we sent (query, qlen as
 * built by dns_query_build).  info may be NULL. */
enum dns_reply_result dns_reply_check(const uint8_t *reply, size_t len, const uint8_t *query,
                                      size_t qlen, struct dns_reply_info *info, const char **why);

/* "NOERROR", "SERVFAIL", ...; "?" for codes without a name. */
const char *dns_rcode_str(unsigned rcode);

#endif
