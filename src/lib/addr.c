/* IPv4/IPv6 address parsing and printing.  Everything here is pure: it
 * uses inet_pton/inet_ntop only and never touches the resolver. */
#include "lib/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static size_t addr_len(const struct ka_addr *a)
{
	return a->family == AF_INET ? sizeof(a->u.v4) : sizeof(a->u.v6);
}

static uint8_t *addr_bytes(struct ka_addr *a)
{
	return a->family == AF_INET ? (uint8_t *)&a->u.v4 : (uint8_t *)&a->u.v6;
}

int addr_parse(const char *s, struct ka_addr *a)
{
	struct ka_addr tmp;

	if (!s || !*s)
		return -1;
	memset(&tmp, 0, sizeof(tmp));
	if (strchr(s, ':')) {
		tmp.family = AF_INET6;
		if (inet_pton(AF_INET6, s, &tmp.u.v6) != 1)
			return -1;
	} else {
		tmp.family = AF_INET;
		if (inet_pton(AF_INET, s, &tmp.u.v4) != 1)
			return -1;
	}
	*a = tmp;
	return 0;
}

/* Strict unsigned decimal of at most max_digits digits. */
static int parse_dec(const char *s, unsigned max_digits, unsigned long *out)
{
	unsigned long v = 0;
	unsigned n = 0;

	if (!*s)
		return -1;
	for (; *s; s++, n++) {
		if (*s < '0' || *s > '9' || n >= max_digits)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*out = v;
	return 0;
}

/* Copy the part of s before 'stop' into buf, which must hold it. */
static int copy_head(const char *s, const char *stop, char *buf, size_t len)
{
	size_t n = (size_t)(stop - s);

	if (n == 0 || n >= len)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

int addr_parse_prefix(const char *s, struct ka_addr *a, int *plen, bool *had_plen)
{
	char buf[INET6_ADDRSTRLEN];
	const char *slash;
	struct ka_addr tmp;
	unsigned long v;
	int max;

	if (!s)
		return -1;
	slash = strchr(s, '/');
	if (!slash) {
		if (addr_parse(s, &tmp) < 0)
			return -1;
		*a = tmp;
		*plen = tmp.family == AF_INET ? 32 : 128;
		if (had_plen)
			*had_plen = false;
		return 0;
	}
	if (copy_head(s, slash, buf, sizeof(buf)) < 0 || addr_parse(buf, &tmp) < 0)
		return -1;
	max = tmp.family == AF_INET ? 32 : 128;
	if (parse_dec(slash + 1, 3, &v) < 0 || v > (unsigned long)max)
		return -1;
	*a = tmp;
	*plen = (int)v;
	if (had_plen)
		*had_plen = true;
	return 0;
}

/* Network (set_host = false) or broadcast (true) of a with plen bits. */
static void apply_prefix(struct ka_addr *a, int plen, bool set_host)
{
	uint8_t *b = addr_bytes(a);
	size_t len = addr_len(a), i;

	for (i = 0; i < len; i++) {
		int bits = plen - (int)i * 8;
		uint8_t mask;

		if (bits >= 8)
			continue;
		mask = bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
		b[i] = set_host ? (uint8_t)(b[i] | ~mask) : (uint8_t)(b[i] & mask);
	}
}

/* The right-hand side of "ADDR-X" when X is only the last octet/group. */
static int range_last_part(const char *s, const struct ka_addr *first, struct ka_addr *last)
{
	unsigned long v = 0;
	size_t n;

	*last = *first;
	if (first->family == AF_INET) {
		uint8_t *b = (uint8_t *)&last->u.v4;

		if (parse_dec(s, 3, &v) < 0 || v > 255)
			return -1;
		b[3] = (uint8_t)v;
		return 0;
	}
	n = strlen(s);
	if (n == 0 || n > 4 || strspn(s, "0123456789abcdefABCDEF") != n)
		return -1;
	for (; *s; s++) {
		int c = *s;
		int d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

		v = v * 16 + (unsigned long)d;
	}
	last->u.v6.s6_addr[14] = (uint8_t)(v >> 8);
	last->u.v6.s6_addr[15] = (uint8_t)v;
	return 0;
}

int addr_parse_range(const char *s, struct ka_addr *first, struct ka_addr *last)
{
	char buf[INET6_ADDRSTRLEN];
	struct ka_addr f, l;
	const char *dash, *rhs;
	int plen;
	bool had;

	if (!s || !*s)
		return -1;
	if (strchr(s, '/')) {
		if (addr_parse_prefix(s, &f, &plen, &had) < 0)
			return -1;
		l = f;
		apply_prefix(&f, plen, false);
		apply_prefix(&l, plen, true);
		goto done;
	}
	dash = strchr(s, '-');
	if (!dash) {
		if (addr_parse(s, &f) < 0)
			return -1;
		l = f;
		goto done;
	}
	if (copy_head(s, dash, buf, sizeof(buf)) < 0 || addr_parse(buf, &f) < 0)
		return -1;
	rhs = dash + 1;
	if (strchr(rhs, '.') || strchr(rhs, ':')) {
		if (addr_parse(rhs, &l) < 0 || l.family != f.family)
			return -1;
	} else if (range_last_part(rhs, &f, &l) < 0) {
		return -1;
	}
	if (addr_cmp(&f, &l) > 0)
		return -1;
done:
	*first = f;
	*last = l;
	return 0;
}

int port_parse(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (!s)
		return -1;
	/* Five digits reach 99999, so the range check below catches the rest. */
	if (parse_dec(s, 5, &v) < 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int addr_cmp(const struct ka_addr *a, const struct ka_addr *b)
{
	int r;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->family != AF_INET && a->family != AF_INET6)
		return 0;
	r = memcmp(a->family == AF_INET ? (const void *)&a->u.v4 : (const void *)&a->u.v6,
	           b->family == AF_INET ? (const void *)&b->u.v4 : (const void *)&b->u.v6,
	           addr_len(a));
	return r < 0 ? -1 : r > 0;
}

bool addr_equal(const struct ka_addr *a, const struct ka_addr *b)
{
	return addr_cmp(a, b) == 0;
}

const char *addr_fmt(const struct ka_addr *a, char *buf, size_t len)
{
	if (!len)
		return buf;
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    !inet_ntop(a->family,
	               a->family == AF_INET ? (const void *)&a->u.v4 : (const void *)&a->u.v6, buf,
	               (socklen_t)len)) {
		/* Never hand back an unterminated buffer. */
		buf[0] = len > 1 ? '?' : '\0';
		if (len > 1)
			buf[1] = '\0';
	}
	return buf;
}

const char *addr_port_fmt(const struct ka_addr *a, uint16_t port, char *buf, size_t len)
{
	char ab[INET6_ADDRSTRLEN];

	if (!len)
		return buf;
	addr_fmt(a, ab, sizeof(ab));
	if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", ab, (unsigned)port);
	else
		snprintf(buf, len, "%s:%u", ab, (unsigned)port);
	return buf;
}

int addr_inc(struct ka_addr *a)
{
	uint8_t *b;
	size_t i;

	if (a->family != AF_INET && a->family != AF_INET6) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	b = addr_bytes(a);
	for (i = addr_len(a); i-- > 0;) {
		if (++b[i] != 0)
			return 0;
	}
	/* Every byte carried: the address wrapped to all zeros. */
	errno = ERANGE;
	return -1;
}

socklen_t addr_to_sockaddr(const struct ka_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr = a->u.v4;
		return sizeof(*sin);
	}
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		sin6->sin6_addr = a->u.v6;
		return sizeof(*sin6);
	}
	return 0;
}
