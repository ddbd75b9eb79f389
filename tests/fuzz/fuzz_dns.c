/* libFuzzer target for DNS_CHECK's query builder and reply check
 * (src/check/dns_parse.c).
 *
 * Input layout: byte 0 = length L of the query name (taken mod 64; the
 * name is the next L bytes, a C string cut at the first NUL), then 2
 * bytes qtype, then the received datagram.  The query ID is 0x1234.
 *
 * Invariants: a built query is at most DNS_QUERY_MAX bytes and the name
 * part at most DNS_NAME_MAX; our own query echoed back as a reply (QR set,
 * rcode 0) is DNS_REPLY_OK; the check returns one of the three results
 * with a reason for BAD; the info counts match the header bytes. */
#include <stdlib.h>
#include <string.h>

#include "check/dns_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t q[DNS_QUERY_MAX + 16], echo[DNS_QUERY_MAX + 16];
	char name[64];
	struct dns_reply_info info;
	enum dns_reply_result res;
	const char *why = NULL;
	uint16_t qtype;
	uint8_t *copy;
	size_t l;
	int qlen, nlen;

	if (size < 3)
		return 0;
	l = data[0] % 64;
	if (size < 1 + l + 2)
		return 0;
	memcpy(name, data + 1, l);
	name[l] = 0;
	qtype = (uint16_t)(data[1 + l] << 8 | data[2 + l]);
	data += 3 + l;
	size -= 3 + l;

	nlen = dns_name_encode(name, q, sizeof(q), &why);
	if (nlen > DNS_NAME_MAX || (nlen < 0 && !why))
		abort();
	qlen = dns_query_build(0x1234, name, qtype, q, sizeof(q), &why);
	if (qlen < 0) {
		/* fall back to a fixed query so the reply check still runs */
		qlen = dns_query_build(0x1234, "example.com", DNS_TYPE_SOA, q, sizeof(q), &why);
		if (qlen < 0)
			abort();
	}
	if (qlen > DNS_QUERY_MAX || qlen < DNS_HDR_LEN)
		abort();

	/* our own query as a NOERROR reply */
	memcpy(echo, q, (size_t)qlen);
	echo[2] |= 0x80;
	echo[3] &= 0xf0;
	if (dns_reply_check(echo, (size_t)qlen, q, (size_t)qlen, NULL, &why) != DNS_REPLY_OK)
		abort();

	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	why = NULL;
	memset(&info, 0xa5, sizeof(info));
	res = dns_reply_check(copy, size, q, (size_t)qlen, &info, &why);
	if (res != DNS_REPLY_OK && res != DNS_REPLY_BAD && res != DNS_REPLY_IGNORE)
		abort();
	if (res == DNS_REPLY_BAD && !why)
		abort();
	if (res != DNS_REPLY_IGNORE && size >= DNS_HDR_LEN) {
		if (info.rcode > 15 || info.qdcount != (uint16_t)(copy[4] << 8 | copy[5]) ||
		    info.ancount != (uint16_t)(copy[6] << 8 | copy[7]))
			abort();
		if (!dns_rcode_str(info.rcode))
			abort();
	}
	free(copy);
	return 0;
}
