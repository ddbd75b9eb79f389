/* IPv4/IPv6 address parsing and printing, prefixes and ranges.
 * Pure: no sockets, no resolver. */
#ifndef KA_ADDR_H
#define KA_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct ka_addr {
	sa_family_t family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
};

/* Longest text form of an address, prefix or "[addr]:port". */
#define KA_ADDRSTRLEN 64

/* Strict parse of a numeric address (no leading zeros trickery beyond
 * inet_pton, no hostnames).  0 = ok, -1 = invalid. */
int addr_parse(const char *s, struct ka_addr *a);
/* "ADDR" or "ADDR/PLEN".  plen is set to the full length when absent.
 * Rejects plen out of range.  had_plen may be NULL. */
int addr_parse_prefix(const char *s, struct ka_addr *a, int *plen, bool *had_plen);
/* Ranges as keepalived accepts them in virtual_server_group:
 *   "a.b.c.d-e" (last octet range), "a.b.c.d-e.f.g.h", "ae00::2-9" (last
 *   16-bit group, hex), "a.b.c.d/nn" (whole prefix).
 * A plain "ADDR" is a range of one.
 * first/last are inclusive; last >= first; same family. */
int addr_parse_range(const char *s, struct ka_addr *first, struct ka_addr *last);
/* Port: decimal 0..65535. */
int port_parse(const char *s, uint16_t *port);

int addr_cmp(const struct ka_addr *a, const struct ka_addr *b); /* memcmp-like, family first */
bool addr_equal(const struct ka_addr *a, const struct ka_addr *b);
/* Returns buf. */
const char *addr_fmt(const struct ka_addr *a, char *buf, size_t len);
/* "1.2.3.4:80" or "[2001:db8::1]:80" */
const char *addr_port_fmt(const struct ka_addr *a, uint16_t port, char *buf, size_t len);
/* Increment in place (for ranges); returns -1 on wrap. */
int addr_inc(struct ka_addr *a);
/* Fill a sockaddr_storage; returns its length. */
socklen_t addr_to_sockaddr(const struct ka_addr *a, uint16_t port, struct sockaddr_storage *ss);

#endif
