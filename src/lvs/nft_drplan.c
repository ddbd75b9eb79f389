/* Direct routing with nftables: the pure decisions (nft_rules.h).
 *
 * A DR service forwards the unchanged packet (destination still the VIP)
 * to a real server's MAC address on the director's own L2 segment.  The
 * nftables data plane does it at the netdev ingress hook of the interface
 * facing the real servers, with `fwd ip to <rs> device <if>`: the kernel
 * resolves the MAC through the neighbour table.  Only that interface is
 * hooked, so this is one-armed DR: clients' packets must arrive on the
 * same interface as the real servers are reached on (the usual DR
 * layout, VIP and real servers on one segment). */
#include <stdio.h>
#include <string.h>

#include "lvs/nft_rules.h"

bool nft_svc_is_dr(const struct lvs_tsvc *s)
{
	size_t i;

	for (i = 0; i < s->n_dests; i++)
		if (s->dests[i].d.fwd == LVS_FWD_DR)
			return true;
	return false;
}

uint32_t nft_dr_index(const struct lvs_dest *d)
{
	const uint8_t *p = (const uint8_t *)&d->addr.u;
	uint32_t h = 2166136261u, v;
	size_t i;

	/* An IPv4 address is its own index (unique within a service); an
	 * IPv6 one is hashed (nft_svc_check rejects a collision). */
	if (d->addr.family != AF_INET6) {
		memcpy(&v, p, 4);
		return v;
	}
	for (i = 0; i < 16; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* Whether a lies in the subnet net/plen. */
static bool in_subnet(const struct ka_addr *a, const struct ka_addr *net, unsigned plen)
{
	const uint8_t *x = (const uint8_t *)&a->u, *y = (const uint8_t *)&net->u;
	unsigned full = plen / 8, rest = plen % 8;

	if (a->family != net->family || plen > (a->family == AF_INET6 ? 128u : 32u))
		return false;
	if (memcmp(x, y, full))
		return false;
	return !rest || !((x[full] ^ y[full]) & (uint8_t)(0xff00 >> rest));
}

/* The interface whose connected subnet holds a (longest prefix); -1. */
static int dev_of(const struct nft_ifaddr *ifs, size_t n, const struct ka_addr *a)
{
	int best = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!in_subnet(a, &ifs[i].addr, ifs[i].prefix))
			continue;
		if (best < 0 || ifs[i].prefix > ifs[best].prefix)
			best = (int)i;
	}
	return best;
}

int nft_dr_pick_dev(const struct nft_ifaddr *ifs, size_t n, const struct lvs_tsvc *s,
                    struct nft_dev *out, char *why, size_t whylen)
{
	char a[KA_ADDRSTRLEN];
	bool found = false;
	size_t i;
	int j;

	for (i = 0; i < s->n_dests; i++) {
		const struct lvs_dest *d = &s->dests[i].d;

		addr_fmt(&d->addr, a, sizeof(a));
		j = dev_of(ifs, n, &d->addr);
		if (j < 0) {
			snprintf(why, whylen,
			         "real server %s (DR) is on no connected subnet of this host, and "
			         "DR forwards on the local segment only",
			         a);
			return -1;
		}
		if (found && ifs[j].ifindex != out->ifindex) {
			snprintf(why, whylen,
			         "real server %s (DR) is reached on %s, the others on %s; the "
			         "nftables data plane needs every DR real server of a service on "
			         "one interface",
			         a, ifs[j].name, out->name);
			return -1;
		}
		out->ifindex = ifs[j].ifindex;
		snprintf(out->name, sizeof(out->name), "%s", ifs[j].name);
		found = true;
	}
	if (!found)
		snprintf(why, whylen, "no real server to find an interface by");
	return found ? 0 : -1;
}
