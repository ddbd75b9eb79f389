/* Names, capability check and the compiled form of a service (nft_rules.h). */
#include "lvs/nft_rules.h"

#include <arpa/inet.h>
#include <linux/ip_vs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The uapi header of older kernels lacks the mh flags (same bits as sh). */
#ifndef IP_VS_SVC_F_SCHED_MH_PORT
#define IP_VS_SVC_F_SCHED_MH_PORT IP_VS_SVC_F_SCHED2
#endif

/* ---- names ---- */

/* An address with every ':' and '.' made '_', so names need no quoting in
 * the nft CLI. */
static void addr_token(const struct ka_addr *a, char *buf, size_t len)
{
	char *p;

	addr_fmt(a, buf, len);
	for (p = buf; *p; p++)
		if (*p == ':' || *p == '.')
			*p = '_';
}

static const char *proto_token(uint16_t p)
{
	return p == IPPROTO_TCP    ? "tcp"
	       : p == IPPROTO_UDP  ? "udp"
	       : p == IPPROTO_SCTP ? "sctp"
	                           : "ip";
}

const char *nft_chain_name(const struct lvs_svc_key *k, char *buf, size_t len)
{
	char a[KA_ADDRSTRLEN];

	if (k->fwmark) {
		snprintf(buf, len, "vs_fwm%u_%s", k->fwmark, k->af == AF_INET6 ? "v6" : "v4");
		return buf;
	}
	addr_token(&k->addr, a, sizeof(a));
	snprintf(buf, len, "vs_%s_%s_%u", proto_token(k->protocol), a, k->port);
	return buf;
}

const char *nft_set_name(const struct lvs_svc_key *k, const char *suffix, char *buf, size_t len)
{
	char c[NFT_NAME_MAX];

	snprintf(buf, len, "%s_%s", nft_chain_name(k, c, sizeof(c)), suffix);
	return buf;
}

const char *nft_counter_name(const struct lvs_svc_key *k, const struct lvs_dest *d,
                             const char *suffix, char *buf, size_t len)
{
	char c[NFT_NAME_MAX], a[KA_ADDRSTRLEN];

	addr_token(&d->addr, a, sizeof(a));
	snprintf(buf, len, "%s__%s_%u_%s", nft_chain_name(k, c, sizeof(c)), a, d->port, suffix);
	return buf;
}

/* ---- capability check ---- */

int nft_sched_parse(const char *name)
{
	static const char *const names[] = {"rr", "wrr", "sh", "dh", "mh"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return (int)i;
	return -1;
}

bool nft_svc_with_port(const struct lvs_tsvc *s)
{
	size_t i;

	if (!s->key.fwmark)
		return true;
	for (i = 0; i < s->n_dests; i++)
		if (s->dests[i].d.port)
			return true;
	return false;
}

/* DR: one kind per service, no fwmark, distinct flow numbers. */
static int check_dr(const struct lvs_svc_key *k, const struct lvs_dest *d, size_t n, char *why,
                    size_t whylen)
{
	size_t i, j, dr = 0;
	char a[KA_ADDRSTRLEN];

	for (i = 0; i < n; i++)
		dr += d[i].fwd == LVS_FWD_DR;
	if (!dr)
		return 0;
	if (dr != n) {
		snprintf(why, whylen,
		         "the service mixes real servers with lb_kind NAT and DR, which the "
		         "nftables data plane programs in different tables; give them one lb_kind "
		         "(or use lvs_data_plane ipvs)");
		return -1;
	}
	if (k->fwmark) {
		snprintf(why, whylen,
		         "fwmark service %u uses lb_kind DR, but the nftables data plane forwards "
		         "DR at the ingress hook, before any rule can set the mark; use an "
		         "address and port service (or lvs_data_plane ipvs)",
		         k->fwmark);
		return -1;
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			if (nft_dr_index(&d[i]) != nft_dr_index(&d[j]))
				continue;
			/* The same address twice (DR cannot change the port), or
			 * two IPv6 addresses whose hashes collide. */
			snprintf(
			    why, whylen,
			    "real server %s of a DR service is listed twice or shares its flow "
			    "number with another, which the nftables data plane cannot tell "
			    "apart; list each DR real server once (or use lvs_data_plane ipvs)",
			    addr_fmt(&d[i].addr, a, sizeof(a)));
			return -1;
		}
	return 0;
}

static int check_dests(const struct lvs_svc_key *k, const struct lvs_dest *d, size_t n, char *why,
                       size_t whylen)
{
	size_t i, with_port = 0;
	char a[KA_ADDRSTRLEN];

	for (i = 0; i < n; i++) {
		addr_fmt(&d[i].addr, a, sizeof(a));
		if (d[i].fwd == LVS_FWD_TUN) {
			snprintf(
			    why, whylen,
			    "real server %s uses lb_kind TUN, but the nftables data plane only "
			    "forwards by NAT or DR; use lb_kind NAT or DR (or lvs_data_plane ipvs)",
			    a);
			return -1;
		}
		if (d[i].af != k->af || d[i].addr.family != k->af) {
			snprintf(
			    why, whylen,
			    "real server %s is not of the virtual server's address family, "
			    "which the nftables data plane cannot translate; use a real server "
			    "of the same family (or lvs_data_plane ipvs)",
			    a);
			return -1;
		}
		if (d[i].u_threshold || d[i].l_threshold) {
			snprintf(why, whylen,
			         "real server %s has uthreshold/lthreshold, which need per-server "
			         "connection counts the nftables data plane does not keep; remove "
			         "them (or use lvs_data_plane ipvs)",
			         a);
			return -1;
		}
		with_port += d[i].port != 0;
	}
	for (i = 0; k->fwmark && i < n; i++) {
		size_t j;

		for (j = i + 1; j < n; j++) {
			if (!addr_equal(&d[i].addr, &d[j].addr))
				continue;
			snprintf(why, whylen,
			         "fwmark service %u lists real server %s twice (on two ports), "
			         "which the nftables data plane cannot count apart; give each real "
			         "server its own address (or use lvs_data_plane ipvs)",
			         k->fwmark, addr_fmt(&d[i].addr, a, sizeof(a)));
			return -1;
		}
	}
	if (check_dr(k, d, n, why, whylen) < 0)
		return -1;
	if (k->fwmark && with_port && with_port != n) {
		snprintf(why, whylen,
		         "fwmark service %u mixes real servers with port 0 and with a port, which "
		         "the nftables data plane cannot translate in one rule; give every real "
		         "server a port or none (or use lvs_data_plane ipvs)",
		         k->fwmark);
		return -1;
	}
	return 0;
}

int nft_svc_check(const struct lvs_svc_key *k, const struct lvs_svc_attr *a,
                  const struct lvs_dest *dests, size_t n, char *why, size_t whylen)
{
	if (nft_sched_parse(a->sched) < 0) {
		snprintf(why, whylen,
		         "lb_algo %s needs per-server connection counts, which the nftables data "
		         "plane does not keep; use rr, wrr, sh, dh or mh (or lvs_data_plane ipvs)",
		         a->sched);
		return -1;
	}
	if (!k->fwmark && k->protocol == IPPROTO_SCTP) {
		snprintf(why, whylen,
		         "protocol SCTP is not supported by the nftables data plane; use TCP or "
		         "UDP (or lvs_data_plane ipvs)");
		return -1;
	}
	if (!k->fwmark && k->port == 0) {
		snprintf(why, whylen,
		         "a virtual server on port 0 (all ports) is not supported by the nftables "
		         "data plane; use a fwmark service (or lvs_data_plane ipvs)");
		return -1;
	}
	if (a->pe_name[0]) {
		snprintf(why, whylen,
		         "persistence_engine %s is not supported by the nftables data plane; "
		         "remove it (or use lvs_data_plane ipvs)",
		         a->pe_name);
		return -1;
	}
	if (a->flags & IP_VS_SVC_F_ONEPACKET) {
		snprintf(why, whylen,
		         "ops (one-packet scheduling) is not supported by the nftables data "
		         "plane; remove it (or use lvs_data_plane ipvs)");
		return -1;
	}
	return check_dests(k, dests, n, why, whylen);
}

/* ---- weights ---- */

uint32_t nft_gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

uint32_t nft_svc_seed(const struct lvs_svc_key *k)
{
	uint8_t b[32];
	size_t n = 0, i;
	uint32_t h = 2166136261u;

	memcpy(b + n, &k->af, 2);
	n += 2;
	memcpy(b + n, &k->protocol, 2);
	n += 2;
	memcpy(b + n, &k->fwmark, 4);
	n += 4;
	if (!k->fwmark) {
		memcpy(b + n, &k->port, 2);
		n += 2;
		memcpy(b + n, &k->addr.u, k->af == AF_INET6 ? 16 : 4);
		n += k->af == AF_INET6 ? 16 : 4;
	}
	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

int nft_dest_order(const struct lvs_dest *a, const struct lvs_dest *b)
{
	int c = addr_cmp(&a->addr, &b->addr);

	return c ? c : (a->port > b->port) - (a->port < b->port);
}

static int dest_order_r(const void *a, const void *b, void *arg)
{
	const struct lvs_tsvc *s = arg;

	return nft_dest_order(&s->dests[*(const uint32_t *)a].d, &s->dests[*(const uint32_t *)b].d);
}

size_t nft_dests_sorted(const struct lvs_tsvc *s, uint32_t *idx, bool live_only)
{
	size_t n = 0, i;

	for (i = 0; i < s->n_dests; i++)
		if (!live_only || s->dests[i].d.weight > 0)
			idx[n++] = (uint32_t)i;
	/* qsort_r: the service is an argument, not a global. */
	qsort_r(idx, n, sizeof(*idx), dest_order_r, (void *)s);
	return n;
}

/* Indices of the live destinations (weight > 0), sorted by address and
 * port: the mapping must not depend on the order the config lists them. */
static size_t live_sorted(const struct lvs_tsvc *s, uint32_t *idx)
{
	return nft_dests_sorted(s, idx, true);
}

/* Units per live destination: 1 for rr/dh, weight/gcd for the weighted
 * ones, halved while the total would not fit the 32-bit modulus. */
static uint32_t units_of(const struct lvs_tsvc *s, enum nft_sched sc, const uint32_t *idx, size_t n,
                         uint32_t *u)
{
	uint32_t g = 0;
	uint64_t total;
	unsigned shift = 0;
	size_t i;

	for (i = 0; i < n; i++)
		g = nft_gcd(g, (uint32_t)s->dests[idx[i]].d.weight);
	for (;;) {
		total = 0;
		for (i = 0; i < n; i++) {
			bool weighted = sc == NFT_SCHED_WRR || sc == NFT_SCHED_SH;
			uint32_t w =
			    weighted ? ((uint32_t)s->dests[idx[i]].d.weight / g) >> shift : 1;

			u[i] = w ? w : 1;
			total += u[i];
		}
		if (total <= UINT32_MAX / 2)
			return (uint32_t)total;
		shift++;
	}
}

int nft_range_push(struct nft_svc_plan *p, size_t *cap, uint32_t lo, uint32_t hi, uint32_t d)
{
	if (p->n_ranges && p->ranges[p->n_ranges - 1].dest == d &&
	    p->ranges[p->n_ranges - 1].hi + 1 == lo) {
		p->ranges[p->n_ranges - 1].hi = hi;
		return 0;
	}
	if (p->n_ranges == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct nft_range *r = realloc(p->ranges, nc * sizeof(*r));

		if (!r)
			return -1;
		p->ranges = r;
		*cap = nc;
	}
	p->ranges[p->n_ranges++] = (struct nft_range){.lo = lo, .hi = hi, .dest = d};
	return 0;
}

static int compile_units(const struct lvs_tsvc *s, struct nft_svc_plan *p, const uint32_t *idx,
                         size_t n)
{
	uint32_t *u = calloc(n ? n : 1, sizeof(*u)), at = 0;
	size_t i, cap = 0;
	int r = 0;

	if (!u)
		return -1;
	p->modulus = units_of(s, p->sched, idx, n, u);
	for (i = 0; r == 0 && i < n; i++) {
		r = nft_range_push(p, &cap, at, at + u[i] - 1, idx[i]);
		at += u[i];
	}
	free(u);
	return r;
}

static int compile_maglev(const struct lvs_tsvc *s, struct nft_svc_plan *p, const uint32_t *idx,
                          size_t n)
{
	const struct lvs_dest **d = calloc(n, sizeof(*d));
	uint32_t *w = calloc(n, sizeof(*w)), *tab = calloc(NFT_MH_M, sizeof(*tab));
	size_t i, cap = 0;
	int r = -1;

	if (!d || !w || !tab)
		goto out;
	for (i = 0; i < n; i++) {
		d[i] = &s->dests[idx[i]].d;
		w[i] = (uint32_t)d[i]->weight;
	}
	if (nft_maglev_fill(d, w, n, NFT_MH_M, tab) < 0)
		goto out;
	p->modulus = NFT_MH_M;
	r = 0;
	for (i = 0; r == 0 && i < NFT_MH_M; i++)
		r = nft_range_push(p, &cap, (uint32_t)i, (uint32_t)i, idx[tab[i]]);
out:
	free(d);
	free(w);
	free(tab);
	return r;
}

int nft_svc_compile(const struct lvs_tsvc *s, struct nft_svc_plan *p)
{
	uint32_t *idx;
	size_t n;
	int sc = nft_sched_parse(s->attr.sched), r = 0;

	memset(p, 0, sizeof(*p));
	p->sched = sc < 0 ? NFT_SCHED_RR : (enum nft_sched)sc;
	p->persist = s->attr.flags & IP_VS_SVC_F_PERSISTENT;
	p->with_port = nft_svc_with_port(s);
	p->hash_port = (p->sched == NFT_SCHED_SH && (s->attr.flags & IP_VS_SVC_F_SCHED_SH_PORT)) ||
	               (p->sched == NFT_SCHED_MH && (s->attr.flags & IP_VS_SVC_F_SCHED_MH_PORT));
	p->seed = nft_svc_seed(&s->key);
	if (p->persist) {
		p->timeout_s = s->attr.timeout_s ? s->attr.timeout_s : 300;
		p->netmask = s->attr.netmask;
	}
	idx = calloc(s->n_dests ? s->n_dests : 1, sizeof(*idx));
	if (!idx)
		return -1;
	n = live_sorted(s, idx);
	if (n)
		r = p->sched == NFT_SCHED_MH ? compile_maglev(s, p, idx, n)
		                             : compile_units(s, p, idx, n);
	free(idx);
	if (r < 0)
		nft_svc_plan_free(p);
	return r;
}

void nft_svc_plan_free(struct nft_svc_plan *p)
{
	free(p->ranges);
	p->ranges = NULL;
	p->n_ranges = 0;
}

bool nft_svc_plan_equal(const struct nft_svc_plan *a, const struct lvs_tsvc *sa,
                        const struct nft_svc_plan *b, const struct lvs_tsvc *sb)
{
	size_t i;

	if (a->sched != b->sched || a->persist != b->persist || a->with_port != b->with_port ||
	    a->hash_port != b->hash_port || a->seed != b->seed || a->modulus != b->modulus ||
	    a->timeout_s != b->timeout_s || a->netmask != b->netmask || a->n_ranges != b->n_ranges)
		return false;
	for (i = 0; i < a->n_ranges; i++) {
		const struct nft_range *x = &a->ranges[i], *y = &b->ranges[i];

		if (x->lo != y->lo || x->hi != y->hi ||
		    !lvs_dest_same_id(&sa->dests[x->dest].d, &sb->dests[y->dest].d))
			return false;
	}
	return true;
}

/* ---- Maglev (Eisenbud et al., NSDI 2016, section 3.4) ---- */

static uint32_t fnv1a(uint32_t h, const struct lvs_dest *d)
{
	const uint8_t *p = (const uint8_t *)&d->addr.u;
	size_t n = d->addr.family == AF_INET6 ? 16 : 4, i;
	uint8_t port[2] = {(uint8_t)(d->port >> 8), (uint8_t)d->port};

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	for (i = 0; i < 2; i++)
		h = (h ^ port[i]) * 16777619u;
	/* FNV's low bits mix poorly: fold the high half in before the modulo. */
	return h ^ (h >> 16);
}

int nft_maglev_fill(const struct lvs_dest *const *d, const uint32_t *w, size_t n, uint32_t m,
                    uint32_t *table)
{
	uint32_t *off = calloc(n ? n : 1, sizeof(*off)), *skip = calloc(n ? n : 1, sizeof(*skip));
	uint32_t *next = calloc(n ? n : 1, sizeof(*next)),
	         *turns = calloc(n ? n : 1, sizeof(*turns));
	uint32_t g = 0, filled = 0, i, t;
	int r = -1;

	if (!off || !skip || !next || !turns || m < 2)
		goto out;
	for (i = 0; i < n; i++)
		g = nft_gcd(g, w[i]);
	if (!g)
		goto out;
	for (i = 0; i < n; i++) {
		off[i] = fnv1a(2166136261u, d[i]) % m;
		skip[i] = fnv1a(0x9e3779b9u, d[i]) % (m - 1) + 1;
		turns[i] = w[i] / g;
	}
	for (i = 0; i < m; i++)
		table[i] = UINT32_MAX;
	/* Each round gives every destination weight/gcd picks of its next
	 * preferred free slot; m is prime so a permutation visits them all. */
	while (filled < m) {
		for (i = 0; i < n && filled < m; i++) {
			for (t = 0; t < turns[i] && filled < m; t++) {
				uint32_t c = (uint32_t)((off[i] + (uint64_t)next[i] * skip[i]) % m);

				while (table[c] != UINT32_MAX) {
					next[i]++;
					c = (uint32_t)((off[i] + (uint64_t)next[i] * skip[i]) % m);
				}
				table[c] = i;
				next[i]++;
				filled++;
			}
		}
	}
	r = 0;
out:
	free(off);
	free(skip);
	free(next);
	free(turns);
	return r;
}

/* ---- plans ---- */

bool nft_plan_rules_equal(const struct nft_svc_plan *a, const struct nft_svc_plan *b)
{
	return a->sched == b->sched && a->persist == b->persist && a->with_port == b->with_port &&
	       a->hash_port == b->hash_port && a->seed == b->seed && a->modulus == b->modulus &&
	       a->timeout_s == b->timeout_s && a->netmask == b->netmask;
}
