/* The LVS table: services, each with its destinations (see lvs.h).  Pure.
 *
 * Arrays grow by doubling; a pointer returned by lvs_table_add_svc or held
 * into a service's dests is valid until the next insertion into that array. */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lvs/lvs.h"

void lvs_table_init(struct lvs_table *t)
{
	memset(t, 0, sizeof(*t));
}

void lvs_table_free(struct lvs_table *t)
{
	size_t i;

	for (i = 0; i < t->n_svcs; i++)
		free(t->svcs[i].dests);
	free(t->svcs);
	lvs_table_init(t);
}

bool lvs_svc_key_equal(const struct lvs_svc_key *a, const struct lvs_svc_key *b)
{
	if (a->af != b->af || a->fwmark != b->fwmark)
		return false;
	/* The kernel knows a fwmark service by (af, mark) alone and does not
	 * even report its protocol. */
	if (a->fwmark)
		return true;
	return a->protocol == b->protocol && a->port == b->port && addr_equal(&a->addr, &b->addr);
}

bool lvs_svc_attr_equal(const struct lvs_svc_attr *a, const struct lvs_svc_attr *b)
{
	return strncmp(a->sched, b->sched, sizeof(a->sched)) == 0 && a->flags == b->flags &&
	       a->timeout_s == b->timeout_s && a->netmask == b->netmask &&
	       strncmp(a->pe_name, b->pe_name, sizeof(a->pe_name)) == 0;
}

static uint16_t dest_af(const struct lvs_dest *d)
{
	return d->af ? d->af : d->addr.family;
}

bool lvs_dest_same_id(const struct lvs_dest *a, const struct lvs_dest *b)
{
	return dest_af(a) == dest_af(b) && a->port == b->port && addr_equal(&a->addr, &b->addr);
}

bool lvs_dest_equal(const struct lvs_dest *a, const struct lvs_dest *b)
{
	return lvs_dest_same_id(a, b) && a->fwd == b->fwd && a->weight == b->weight &&
	       a->u_threshold == b->u_threshold && a->l_threshold == b->l_threshold &&
	       a->tun_type == b->tun_type && a->tun_port == b->tun_port &&
	       a->tun_flags == b->tun_flags;
}

struct lvs_tsvc *lvs_table_find(const struct lvs_table *t, const struct lvs_svc_key *k)
{
	size_t i;

	for (i = 0; i < t->n_svcs; i++)
		if (lvs_svc_key_equal(&t->svcs[i].key, k))
			return &t->svcs[i];
	return NULL;
}

struct lvs_tsvc *lvs_table_add_svc(struct lvs_table *t, const struct lvs_svc_key *k,
                                   const struct lvs_svc_attr *a)
{
	struct lvs_tsvc *s = lvs_table_find(t, k);
	size_t cap;

	if (s)
		return s;
	if (t->n_svcs == t->cap_svcs) {
		cap = t->cap_svcs ? t->cap_svcs * 2 : 8;
		s = realloc(t->svcs, cap * sizeof(*s));
		if (!s)
			return NULL;
		t->svcs = s;
		t->cap_svcs = cap;
	}
	s = &t->svcs[t->n_svcs++];
	memset(s, 0, sizeof(*s));
	s->key = *k;
	if (a)
		s->attr = *a;
	/* Names are used as C strings everywhere: never trust the caller's
	 * arrays to be terminated. */
	s->attr.sched[sizeof(s->attr.sched) - 1] = '\0';
	s->attr.pe_name[sizeof(s->attr.pe_name) - 1] = '\0';
	return s;
}

struct lvs_tdest *lvs_svc_find_dest(const struct lvs_tsvc *s, const struct lvs_dest *d)
{
	size_t i;

	for (i = 0; i < s->n_dests; i++)
		if (lvs_dest_same_id(&s->dests[i].d, d))
			return &s->dests[i];
	return NULL;
}

int lvs_svc_set_dest(struct lvs_tsvc *s, const struct lvs_dest *d)
{
	struct lvs_tdest *td = lvs_svc_find_dest(s, d);
	size_t cap;

	if (td) {
		td->d = *d;
		return 0;
	}
	if (s->n_dests == s->cap_dests) {
		cap = s->cap_dests ? s->cap_dests * 2 : 8;
		td = realloc(s->dests, cap * sizeof(*td));
		if (!td)
			return -1;
		s->dests = td;
		s->cap_dests = cap;
	}
	td = &s->dests[s->n_dests++];
	memset(td, 0, sizeof(*td));
	td->d = *d;
	return 0;
}

static const char *proto_name(uint16_t p, char *buf, size_t len)
{
	switch (p) {
	case IPPROTO_TCP:
		return "TCP";
	case IPPROTO_UDP:
		return "UDP";
	case IPPROTO_SCTP:
		return "SCTP";
	default:
		snprintf(buf, len, "proto %u", p);
		return buf;
	}
}

const char *lvs_svc_key_fmt(const struct lvs_svc_key *k, char *buf, size_t len)
{
	char a[KA_ADDRSTRLEN], p[16];

	if (!len)
		return buf;
	if (k->fwmark)
		snprintf(buf, len, "FWM %u (%s)", k->fwmark,
		         k->af == AF_INET6  ? "IPv6"
		         : k->af == AF_INET ? "IPv4"
		                            : "?");
	else
		snprintf(buf, len, "%s [%s]:%u", proto_name(k->protocol, p, sizeof(p)),
		         addr_fmt(&k->addr, a, sizeof(a)), k->port);
	return buf;
}

void lvs_table_del_svc(struct lvs_table *t, const struct lvs_svc_key *k)
{
	struct lvs_tsvc *s = lvs_table_find(t, k);
	size_t i;

	if (!s)
		return;
	i = (size_t)(s - t->svcs);
	free(s->dests);
	memmove(&t->svcs[i], &t->svcs[i + 1], (t->n_svcs - i - 1) * sizeof(*s));
	t->n_svcs--;
}

void lvs_svc_del_dest(struct lvs_tsvc *s, const struct lvs_dest *d)
{
	struct lvs_tdest *td = lvs_svc_find_dest(s, d);
	size_t i;

	if (!td)
		return;
	i = (size_t)(td - s->dests);
	memmove(&s->dests[i], &s->dests[i + 1], (s->n_dests - i - 1) * sizeof(*td));
	s->n_dests--;
}

struct lvs_tsvc *lvs_table_copy_svc(struct lvs_table *t, const struct lvs_tsvc *src)
{
	struct lvs_tsvc *s = lvs_table_add_svc(t, &src->key, &src->attr);
	size_t i;

	if (!s)
		return NULL;
	s->stats = src->stats;
	for (i = 0; i < src->n_dests; i++) {
		if (lvs_svc_set_dest(s, &src->dests[i].d) < 0)
			return NULL;
		*lvs_svc_find_dest(s, &src->dests[i].d) = src->dests[i];
	}
	return s;
}
