/* The plans of our services as the kernel has them (nft_plans.h). */
#include "lvs/nft_plans.h"

#include <stdlib.h>
#include <string.h>

static struct nft_plan_entry *find(const struct nft_plans *ps, const struct lvs_svc_key *k)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		if (lvs_svc_key_equal(&ps->v[i].key, k))
			return &ps->v[i];
	return NULL;
}

const struct nft_svc_plan *nft_plans_find(const struct nft_plans *ps, const struct lvs_svc_key *k)
{
	struct nft_plan_entry *e = find(ps, k);

	return e ? &e->p : NULL;
}

int nft_plans_put(struct nft_plans *ps, const struct lvs_svc_key *k, struct nft_svc_plan *p)
{
	struct nft_plan_entry *e = find(ps, k);

	if (!e) {
		if (ps->n == ps->cap) {
			size_t nc = ps->cap ? ps->cap * 2 : 8;
			struct nft_plan_entry *v = realloc(ps->v, nc * sizeof(*v));

			if (!v) {
				nft_svc_plan_free(p);
				return -1;
			}
			ps->v = v;
			ps->cap = nc;
		}
		e = &ps->v[ps->n++];
		memset(e, 0, sizeof(*e));
		e->key = *k;
	}
	nft_svc_plan_free(&e->p);
	e->p = *p;
	memset(p, 0, sizeof(*p));
	return 0;
}

void nft_plans_del(struct nft_plans *ps, const struct lvs_svc_key *k)
{
	struct nft_plan_entry *e = find(ps, k);

	if (!e)
		return;
	nft_svc_plan_free(&e->p);
	*e = ps->v[--ps->n];
}

void nft_plans_free(struct nft_plans *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++)
		nft_svc_plan_free(&ps->v[i].p);
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}
