/* Generic argument checkers used by the VRRP, root and global_defs keyword
 * tables: flags, case-sensitive choices, weights, users, interface names. */
#include <arpa/inet.h>
#include <grp.h>
#include <net/if.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lib/addr.h"
#include "vrrp/kw_checks.h"

static const char *name_of(const struct conf_kw *kw, char **argv)
{
	return kw ? kw->name : argv[0];
}

int vkw_chk_flag(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	if (argc > 1)
		conf_warn(c, "%s takes no argument - ignoring '%s'%s", name_of(kw, argv), argv[1],
		          argc > 2 ? " and what follows" : "");
	return 0;
}

/* Whether word is exactly one of the '|'-separated choices. */
static bool choice_is(const char *choices, const char *word)
{
	size_t wl = strlen(word);
	const char *p = choices;

	while (p && *p) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);

		if (l == wl && strncmp(p, word, l) == 0)
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

int vkw_chk_enum_cs(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	const char *choices = kw && kw->choices ? kw->choices : "";

	if (argc < 2 || choice_is(choices, argv[1]))
		return 0;
	conf_error(c, "%s: invalid value '%s' (expected one of %s)", name_of(kw, argv), argv[1],
	           choices);
	return -1;
}

int vkw_chk_int_list(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	long long v;

	for (int i = 1; i < argc; i++) {
		if (conf_parse_int(argv[i], kw->lo, kw->hi, &v) < 0) {
			conf_error(c, "%s: invalid number '%s' (expected %lld..%lld)", kw->name,
			           argv[i], kw->lo, kw->hi);
			return -1;
		}
	}
	return 0;
}

int vkw_chk_weight(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	long long v;

	if (argc < 2)
		return 0;
	if (conf_parse_int(argv[1], kw->lo, kw->hi, &v) < 0) {
		conf_error(c, "%s: weight '%s' must be an integer in [%lld, %lld]", kw->name,
		           argv[1], kw->lo, kw->hi);
		return -1;
	}
	if (argc > 2 && strcmp(argv[2], "reverse") != 0) {
		conf_error(c, "%s: unknown option '%s' (expected 'reverse')", kw->name, argv[2]);
		return -1;
	}
	return 0;
}

int vkw_chk_user(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	char user[256];
	const char *group = argc > 2 ? argv[2] : NULL;
	const char *colon;

	if (argc < 2)
		return 0;
	colon = strchr(argv[1], ':');
	if (colon && !group) {
		size_t n = (size_t)(colon - argv[1]);

		if (n >= sizeof(user))
			n = sizeof(user) - 1;
		memcpy(user, argv[1], n);
		user[n] = '\0';
		group = colon[1] ? colon + 1 : NULL;
	} else {
		snprintf(user, sizeof(user), "%s", argv[1]);
	}
	if (!getpwnam(user)) {
		conf_error(c, "%s: unknown user '%s'", name_of(kw, argv), user);
		return -1;
	}
	if (group && !getgrnam(group)) {
		conf_error(c, "%s: unknown group '%s'", name_of(kw, argv), group);
		return -1;
	}
	return 0;
}

int vkw_ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || *s == ' ' || *s == '\t')
			return 0;
	return 1;
}

int vkw_chk_ifname(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	if (argc < 2 || vkw_ifname_ok(argv[1]))
		return 0;
	conf_error(c, "%s: invalid interface name '%s'", name_of(kw, argv), argv[1]);
	return -1;
}

static bool is_multicast(const struct ka_addr *a)
{
	if (a->family == AF_INET)
		return (ntohl(a->u.v4.s_addr) >> 28) == 0xe;
	return a->u.v6.s6_addr[0] == 0xff;
}

int vkw_chk_mcast(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	struct ka_addr a;

	if (argc < 2)
		return 0;
	if (addr_parse(argv[1], &a) < 0) {
		conf_error(c, "%s: invalid address '%s'", name_of(kw, argv), argv[1]);
		return -1;
	}
	if (!is_multicast(&a)) {
		conf_error(c, "%s: '%s' is not a multicast address", name_of(kw, argv), argv[1]);
		return -1;
	}
	return 0;
}

int vkw_chk_garp_extra_if(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	int i = 1;
	long long v;

	if (argc > 1 && strcmp(argv[1], "all") == 0)
		i++;
	if (i >= argc) {
		conf_error(c, "%s: missing interval in seconds", kw->name);
		return -1;
	}
	if (i + 1 < argc) {
		conf_error(c, "%s: unexpected '%s'", kw->name, argv[i + 1]);
		return -1;
	}
	if (conf_parse_int(argv[i], kw->lo, kw->hi, &v) < 0) {
		conf_error(c, "%s: interval '%s' must be an integer in [%lld, %lld]", kw->name,
		           argv[i], kw->lo, kw->hi);
		return -1;
	}
	return 0;
}

int vkw_data_names(struct conf_ctx *c, const struct conf_kw *kw, int argc, char **argv)
{
	(void)c;
	(void)kw;
	(void)argc;
	(void)argv;
	return 0;
}

const char *vkw_token_value(const conf_node *n, const char *token)
{
	for (int i = 1; i + 1 < n->argc; i++)
		if (strcmp(n->argv[i], token) == 0)
			return n->argv[i + 1];
	return NULL;
}

/* A block of plain names, one or more per line. */
const struct conf_block vkw_names_block = {
    .name = "list",
    .data = vkw_data_names,
    .data_min = 1,
    .data_max = -1,
};
