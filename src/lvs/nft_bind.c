/* DR service bindings and the host's interface addresses (nft_bind.h). */
#include "lvs/nft_bind.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nft_binds_free(struct nft_binds *b)
{
	free(b->v);
	memset(b, 0, sizeof(*b));
}

static struct nft_bind *find(const struct nft_binds *b, const struct lvs_svc_key *k)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (lvs_svc_key_equal(&b->v[i].key, k))
			return &b->v[i];
	return NULL;
}

const struct nft_dev *nft_binds_find(const struct nft_binds *b, const struct lvs_svc_key *k)
{
	const struct nft_bind *x = find(b, k);

	return x ? &x->dev : NULL;
}

int nft_binds_set(struct nft_binds *b, const struct lvs_svc_key *k, const struct nft_dev *d)
{
	struct nft_bind *x = find(b, k);

	if (!x) {
		if (b->n == b->cap) {
			size_t nc = b->cap ? b->cap * 2 : 8;
			struct nft_bind *v = realloc(b->v, nc * sizeof(*v));

			if (!v)
				return -1;
			b->v = v;
			b->cap = nc;
		}
		x = &b->v[b->n++];
		x->key = *k;
	}
	x->dev = *d;
	return 0;
}

void nft_binds_del(struct nft_binds *b, const struct lvs_svc_key *k)
{
	struct nft_bind *x = find(b, k);

	if (x)
		*x = b->v[--b->n];
}

int nft_binds_copy(struct nft_binds *dst, const struct nft_binds *src)
{
	memset(dst, 0, sizeof(*dst));
	if (!src->n)
		return 0;
	dst->v = malloc(src->n * sizeof(*dst->v));
	if (!dst->v)
		return -1;
	memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	dst->n = dst->cap = src->n;
	return 0;
}

bool nft_binds_uses(const struct nft_binds *b, const char *ifname)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (!strcmp(b->v[i].dev.name, ifname))
			return true;
	return false;
}

int nft_bind_svc(const struct lvs_tsvc *s, const struct nft_dev *old, const struct nft_ifaddr *ifs,
                 size_t nifs, struct nft_dev *dev, char *why, size_t whylen)
{
	if (nft_svc_is_dr(s))
		return nft_dr_pick_dev(ifs, nifs, s, dev, why, whylen) < 0 ? -1 : 1;
	/* No real server says what the service is: it stays what it was. */
	if (!s->n_dests && old) {
		*dev = *old;
		return 1;
	}
	return 0;
}

/* The prefix length of a netmask. */
static unsigned mask_len(const struct sockaddr *m)
{
	const uint8_t *p;
	size_t n, i;
	unsigned len = 0;

	if (m->sa_family == AF_INET) {
		p = (const uint8_t *)&((const struct sockaddr_in *)(const void *)m)->sin_addr;
		n = 4;
	} else {
		p = (const uint8_t *)&((const struct sockaddr_in6 *)(const void *)m)->sin6_addr;
		n = 16;
	}
	for (i = 0; i < n; i++)
		len += (unsigned)__builtin_popcount(p[i]);
	return len;
}

static bool take(const struct ifaddrs *a, struct nft_ifaddr *o)
{
	const struct sockaddr *sa = a->ifa_addr;

	if (!sa || !a->ifa_netmask || !(a->ifa_flags & IFF_UP) ||
	    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return false;
	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", a->ifa_name);
	o->ifindex = if_nametoindex(a->ifa_name);
	o->addr.family = sa->sa_family;
	if (sa->sa_family == AF_INET)
		o->addr.u.v4 = ((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else
		o->addr.u.v6 = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	o->prefix = mask_len(a->ifa_netmask);
	return o->ifindex != 0;
}

int nft_ifaddrs_read(struct nft_ifaddr **out, size_t *n)
{
	struct ifaddrs *all, *a;
	struct nft_ifaddr *v;
	size_t cnt = 0;

	if (getifaddrs(&all) < 0)
		return -errno;
	for (a = all; a; a = a->ifa_next)
		cnt++;
	v = calloc(cnt ? cnt : 1, sizeof(*v));
	if (!v) {
		freeifaddrs(all);
		return -ENOMEM;
	}
	cnt = 0;
	for (a = all; a; a = a->ifa_next)
		if (take(a, &v[cnt]))
			cnt++;
	freeifaddrs(all);
	*out = v;
	*n = cnt;
	return 0;
}
