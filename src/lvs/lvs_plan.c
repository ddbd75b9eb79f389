/* have + want (+ drop) -> the operations that make the kernel agree (see
 * lvs.h).  Pure.
 *
 * Order: services dropped from the configuration go first (deleting a
 * service deletes its destinations, so those are never listed), then each
 * wanted service in `want` order: its add or edit, then its destination
 * deletes, then its destination adds and edits.  A service is added before
 * any of its destinations, which is the only order the kernel requires.
 *
 * Attributes and destinations are compared in the form the kernel reports
 * them (ipvs_*_canon), so a table read back from the kernel equals the one
 * that programmed it and an unchanged configuration yields no operation. */
#include <stdlib.h>
#include <string.h>

#include "lvs/ipvs_msg.h"
#include "lvs/lvs.h"

static struct lvs_op *plan_push(struct lvs_plan *p, enum lvs_op_kind kind,
                                const struct lvs_svc_key *k)
{
	struct lvs_op *op;
	size_t cap;

	if (p->n == p->cap) {
		cap = p->cap ? p->cap * 2 : 16;
		op = realloc(p->ops, cap * sizeof(*op));
		if (!op)
			return NULL;
		p->ops = op;
		p->cap = cap;
	}
	op = &p->ops[p->n++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->key = *k;
	return op;
}

static int push_dest(struct lvs_plan *p, enum lvs_op_kind kind, const struct lvs_svc_key *k,
                     const struct lvs_dest *d)
{
	struct lvs_op *op = plan_push(p, kind, k);

	if (!op)
		return -1;
	op->dest = *d;
	return 0;
}

static int push_svc(struct lvs_plan *p, enum lvs_op_kind kind, const struct lvs_svc_key *k,
                    const struct lvs_svc_attr *a)
{
	struct lvs_op *op = plan_push(p, kind, k);

	if (!op)
		return -1;
	if (a)
		op->attr = *a;
	return 0;
}

static bool attr_same(const struct lvs_svc_key *k, const struct lvs_svc_attr *a,
                      const struct lvs_svc_attr *b)
{
	struct lvs_svc_attr ca = *a, cb = *b;

	ipvs_svc_attr_canon(k, &ca);
	ipvs_svc_attr_canon(k, &cb);
	return lvs_svc_attr_equal(&ca, &cb);
}

static bool dest_same(const struct lvs_dest *a, const struct lvs_dest *b)
{
	struct lvs_dest ca = *a, cb = *b;

	ipvs_dest_canon(&ca);
	ipvs_dest_canon(&cb);
	return lvs_dest_equal(&ca, &cb);
}

/* Destinations of one wanted service that exists in the kernel. */
static int plan_dests(const struct lvs_tsvc *h, const struct lvs_tsvc *w, struct lvs_plan *p)
{
	const struct lvs_tdest *hd;
	size_t i;

	for (i = 0; i < h->n_dests; i++)
		if (!lvs_svc_find_dest(w, &h->dests[i].d) &&
		    push_dest(p, LVS_OP_DEST_DEL, &w->key, &h->dests[i].d) < 0)
			return -1;
	for (i = 0; i < w->n_dests; i++) {
		hd = lvs_svc_find_dest(h, &w->dests[i].d);
		if (!hd) {
			if (push_dest(p, LVS_OP_DEST_ADD, &w->key, &w->dests[i].d) < 0)
				return -1;
		} else if (!dest_same(&hd->d, &w->dests[i].d)) {
			if (push_dest(p, LVS_OP_DEST_EDIT, &w->key, &w->dests[i].d) < 0)
				return -1;
		}
	}
	return 0;
}

int lvs_plan_build(const struct lvs_table *have, const struct lvs_table *want,
                   const struct lvs_table *drop, struct lvs_plan *out)
{
	const struct lvs_tsvc *w, *h;
	size_t i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; drop && i < drop->n_svcs; i++) {
		const struct lvs_svc_key *k = &drop->svcs[i].key;

		/* Still configured (e.g. moved between groups): it stays. */
		if (want && lvs_table_find(want, k))
			continue;
		h = lvs_table_find(have, k);
		if (!h)
			continue;
		/* A drop table may name a service twice: delete it once. */
		for (j = 0; j < out->n; j++)
			if (out->ops[j].kind == LVS_OP_SVC_DEL &&
			    lvs_svc_key_equal(&out->ops[j].key, k))
				break;
		if (j < out->n)
			continue;
		if (push_svc(out, LVS_OP_SVC_DEL, &h->key, NULL) < 0)
			goto fail;
	}
	for (i = 0; want && i < want->n_svcs; i++) {
		w = &want->svcs[i];
		h = lvs_table_find(have, &w->key);
		if (!h) {
			if (push_svc(out, LVS_OP_SVC_ADD, &w->key, &w->attr) < 0)
				goto fail;
			for (j = 0; j < w->n_dests; j++)
				if (push_dest(out, LVS_OP_DEST_ADD, &w->key, &w->dests[j].d) < 0)
					goto fail;
			continue;
		}
		if (!attr_same(&w->key, &h->attr, &w->attr) &&
		    push_svc(out, LVS_OP_SVC_EDIT, &w->key, &w->attr) < 0)
			goto fail;
		if (plan_dests(h, w, out) < 0)
			goto fail;
	}
	return 0;
fail:
	lvs_plan_free(out);
	return -1;
}

void lvs_plan_free(struct lvs_plan *p)
{
	free(p->ops);
	memset(p, 0, sizeof(*p));
}

const char *lvs_op_kind_str(enum lvs_op_kind k)
{
	switch (k) {
	case LVS_OP_FLUSH:
		return "flush";
	case LVS_OP_SVC_ADD:
		return "add service";
	case LVS_OP_SVC_EDIT:
		return "edit service";
	case LVS_OP_SVC_DEL:
		return "delete service";
	case LVS_OP_DEST_ADD:
		return "add destination";
	case LVS_OP_DEST_EDIT:
		return "edit destination";
	case LVS_OP_DEST_DEL:
		return "delete destination";
	}
	return "?";
}
