/* Value conversions and the standard keyword checkers. */
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/parser_int.h"
#include "lib/addr.h"

/* ---- conversions ------------------------------------------------------------ */

int conf_hex_digit(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Magnitude of a decimal or 0x-hex number; -1 if malformed or larger than
 * limit. */
static int parse_magnitude(const char *s, unsigned long long limit, unsigned long long *out)
{
	unsigned base = 10;
	unsigned long long v = 0;
	int d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -1;
	for (; *s; s++) {
		d = base == 16 ? conf_hex_digit(*s) : (*s >= '0' && *s <= '9' ? *s - '0' : -1);
		if (d < 0)
			return -1;
		if (v > (limit - (unsigned)d) / base)
			return -1;
		v = v * base + (unsigned)d;
	}
	*out = v;
	return 0;
}

int conf_parse_int(const char *s, long long lo, long long hi, long long *out)
{
	unsigned long long mag, limit;
	bool neg = false;
	long long v;

	if (!s || !*s)
		return -1;
	if (*s == '-' && lo < 0) {
		neg = true;
		s++;
	} else if (*s == '+') {
		s++;
	}
	/* The largest magnitude representable with this sign. */
	limit = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	if (parse_magnitude(s, limit, &mag) < 0)
		return -1;
	if (neg)
		v = mag == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)mag;
	else
		v = (long long)mag;
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int conf_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"on", "true", "yes"};
	static const char *const no[] = {"off", "false", "no"};

	if (!s)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

int conf_parse_timer_us(const char *s, uint64_t lo_us, uint64_t hi_us, uint64_t *out_us)
{
	uint64_t sec = 0, frac = 0, d;
	int ndig = 0, nfrac = 0;

	if (!s)
		return -1;
	if (*s == '+')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, ndig++) {
		d = (uint64_t)(*s - '0');
		if (sec > (UINT64_MAX - d) / 10)
			return -1;
		sec = sec * 10 + d;
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, nfrac++) {
			if (nfrac >= 6)
				return -1;
			frac = frac * 10 + (uint64_t)(*s - '0');
		}
	}
	if (*s || ndig + nfrac == 0)
		return -1;
	for (; nfrac < 6; nfrac++)
		frac *= 10;
	if (sec > (UINT64_MAX - frac) / 1000000)
		return -1;
	sec = sec * 1000000 + frac;
	if (sec < lo_us || sec > hi_us)
		return -1;
	*out_us = sec;
	return 0;
}

/* ---- standard checkers ----------------------------------------------------- */

static const char *kwname(const struct conf_kw *kw, char **argv)
{
	return kw ? kw->name : argv[0];
}

int conf_chk_int(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	long long lo = kw ? kw->lo : LLONG_MIN, hi = kw ? kw->hi : LLONG_MAX, v;

	if (argc < 2 || conf_parse_int(argv[1], lo, hi, &v) == 0)
		return 0;
	/* Tell a malformed number from one that is merely out of range. */
	if (conf_parse_int(argv[1], LLONG_MIN, LLONG_MAX, &v) == 0)
		conf_error(c, "%s: number '%s' outside range [%lld, %lld]", kwname(kw, argv),
		           argv[1], lo, hi);
	else
		conf_error(c, "%s: invalid number '%s'", kwname(kw, argv), argv[1]);
	return -1;
}

/* Seconds with the trailing zeros of the fraction removed: "0.01", "255". */
static const char *fmt_secs(char *buf, size_t len, unsigned long long us)
{
	int n = snprintf(buf, len, "%llu.%06llu", us / 1000000, us % 1000000);

	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
}

int conf_chk_timer(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	uint64_t lo = kw && kw->lo > 0 ? (uint64_t)kw->lo : 0;
	uint64_t hi = !kw ? UINT64_MAX : kw->hi > 0 ? (uint64_t)kw->hi : 0;
	char a[32], b[32];
	uint64_t v;

	if (argc < 2 || conf_parse_timer_us(argv[1], lo, hi, &v) == 0)
		return 0;
	if (conf_parse_timer_us(argv[1], 0, UINT64_MAX, &v) == 0)
		conf_error(c, "%s: time '%s' outside range [%s, %s] seconds", kwname(kw, argv),
		           argv[1], fmt_secs(a, sizeof(a), lo), fmt_secs(b, sizeof(b), hi));
	else
		conf_error(c, "%s: invalid time '%s' (decimal seconds, at most 6 decimals)",
		           kwname(kw, argv), argv[1]);
	return -1;
}

int conf_chk_bool(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	bool b;

	if (argc < 2 || conf_parse_bool(argv[1], &b) == 0)
		return 0;
	conf_error(c, "%s: invalid boolean '%s' (expected on/off, true/false or yes/no)",
	           kwname(kw, argv), argv[1]);
	return -1;
}

/* Whether word is one of the '|'-separated choices, ignoring case. */
static bool choice_match(const char *choices, const char *word)
{
	size_t wl = strlen(word);
	const char *p = choices, *bar;

	while (p) {
		bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);
		if (l == wl && strncasecmp(p, word, l) == 0)
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

int conf_chk_enum(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	const char *choices = kw && kw->choices ? kw->choices : "";

	if (argc < 2 || choice_match(choices, argv[1]))
		return 0;
	conf_error(c, "%s: invalid value '%s' (expected one of %s)", kwname(kw, argv), argv[1],
	           choices);
	return -1;
}

static int check_ip(struct conf_ctx *c, const char *name, const char *s)
{
	struct ka_addr a;

	if (addr_parse(s, &a) == 0)
		return 0;
	conf_error(c, "%s: invalid IP address '%s'", name, s);
	return -1;
}

static bool port_ok(const char *s)
{
	uint16_t port;

	if (port_parse(s, &port) == 0)
		return true;
	if (*s >= '0' && *s <= '9')
		return false;
	return getservbyname(s, "tcp") || getservbyname(s, "udp");
}

static int check_port(struct conf_ctx *c, const char *name, const char *s)
{
	if (port_ok(s))
		return 0;
	conf_error(c, "%s: invalid port '%s' (expected 0-65535 or a service name)", name, s);
	return -1;
}

int conf_chk_ip(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	if (argc < 2)
		return 0;
	return check_ip(c, kwname(kw, argv), argv[1]);
}

int conf_chk_ip_port(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	if (argc < 2)
		return 0;
	if (check_ip(c, kwname(kw, argv), argv[1]) < 0)
		return -1;
	if (argc < 3)
		return 0;
	return check_port(c, kwname(kw, argv), argv[2]);
}

int conf_chk_port(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	if (argc < 2)
		return 0;
	return check_port(c, kwname(kw, argv), argv[1]);
}

int conf_chk_path(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '/')
		return 0;
	conf_error(c, "%s: path '%s' is not absolute", kwname(kw, argv), argv[1]);
	return -1;
}
