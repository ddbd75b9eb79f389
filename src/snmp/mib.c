/* Generic read-only MIB.  See mib.h. */
#include <stdlib.h>
#include <string.h>

#include "snmp/mib.h"

struct mib_row {
	uint32_t idx[MIB_IDX_MAX];
	size_t n;
	const void *row;
};

struct mib_rows {
	struct mib_row *v;
	size_t n, cap;
};

void mib_v_int(struct mib_val *v, int32_t x)
{
	v->type = AGENTX_V_INTEGER;
	v->i = x;
}

void mib_v_u32(struct mib_val *v, uint16_t type, uint32_t x)
{
	v->type = type;
	v->u = x;
}

void mib_v_c64(struct mib_val *v, uint64_t x)
{
	v->type = AGENTX_V_COUNTER64;
	v->u64 = x;
}

void mib_v_bytes(struct mib_val *v, const void *p, size_t n)
{
	v->type = AGENTX_V_OCTETS;
	if (n > MIB_STR_MAX)
		n = MIB_STR_MAX;
	if (n)
		memcpy(v->s, p, n);
	v->slen = (uint32_t)n;
}

void mib_v_str(struct mib_val *v, const char *s)
{
	mib_v_bytes(v, s ? s : "", s ? strlen(s) : 0);
}

void mib_rows_add(struct mib_rows *r, const uint32_t *idx, size_t n, const void *row)
{
	if (n > MIB_IDX_MAX)
		return;
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct mib_row *nv = realloc(r->v, cap * sizeof(*nv));

		if (!nv)
			return; /* a row less in this answer; nothing else to do */
		r->v = nv;
		r->cap = cap;
	}
	memcpy(r->v[r->n].idx, idx, n * sizeof(*idx));
	r->v[r->n].n = n;
	r->v[r->n].row = row;
	r->n++;
}

void mib_init(struct mib *m)
{
	memset(m, 0, sizeof(*m));
}

void mib_free(struct mib *m)
{
	for (size_t i = 0; i < m->n; i++) {
		if (m->objs[i].cache) {
			free(m->objs[i].cache->v);
			free(m->objs[i].cache);
		}
	}
	free(m->objs);
	memset(m, 0, sizeof(*m));
}

static int add(struct mib *m, const struct mib_obj *o)
{
	if (o->n == 0 || o->n > MIB_OID_MAX)
		return -1;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct mib_obj *nv = realloc(m->objs, cap * sizeof(*nv));

		if (!nv)
			return -1;
		m->objs = nv;
		m->cap = cap;
	}
	m->objs[m->n++] = *o;
	m->sorted = false;
	return 0;
}

int mib_add_scalar(struct mib *m, const uint32_t *oid, size_t n, mib_get_fn get, void *ctx)
{
	struct mib_obj o = {.n = n, .get = get, .ctx = ctx};

	if (n > MIB_OID_MAX)
		return -1;
	memcpy(o.oid, oid, n * sizeof(*oid));
	return add(m, &o);
}

int mib_add_table(struct mib *m, const uint32_t *entry, size_t n, unsigned col_lo, unsigned col_hi,
                  mib_get_fn get, mib_rows_fn rows, void *ctx)
{
	struct mib_obj o = {
	    .n = n, .col_lo = col_lo, .col_hi = col_hi, .get = get, .rows = rows, .ctx = ctx};

	if (n > MIB_OID_MAX || !rows || col_lo == 0 || col_hi < col_lo)
		return -1;
	memcpy(o.oid, entry, n * sizeof(*entry));
	return add(m, &o);
}

static int obj_cmp(const void *a, const void *b)
{
	const struct mib_obj *x = a, *y = b;

	return agentx_oid_cmp(x->oid, x->n, y->oid, y->n);
}

static int row_cmp(const void *a, const void *b)
{
	const struct mib_row *x = a, *y = b;

	return agentx_oid_cmp(x->idx, x->n, y->idx, y->n);
}

void mib_begin(struct mib *m)
{
	if (!m->sorted) {
		if (m->n)
			qsort(m->objs, m->n, sizeof(*m->objs), obj_cmp);
		m->sorted = true;
	}
	m->gen++;
}

static struct mib_rows *rows_of(struct mib *m, struct mib_obj *o)
{
	if (!o->cache) {
		o->cache = calloc(1, sizeof(*o->cache));
		if (!o->cache)
			return NULL;
		o->cache_gen = m->gen - 1;
	}
	if (o->cache_gen != m->gen) {
		o->cache->n = 0;
		o->rows(o->ctx, o->cache);
		if (o->cache->n)
			qsort(o->cache->v, o->cache->n, sizeof(*o->cache->v), row_cmp);
		/* duplicates would break the order: keep the first */
		size_t w = 0;
		for (size_t i = 0; i < o->cache->n; i++)
			if (!w || row_cmp(&o->cache->v[w - 1], &o->cache->v[i]) != 0)
				o->cache->v[w++] = o->cache->v[i];
		o->cache->n = w;
		o->cache_gen = m->gen;
	}
	return o->cache;
}

static bool is_prefix(const uint32_t *p, size_t np, const uint32_t *o, size_t no)
{
	return np <= no && memcmp(p, o, np * sizeof(*p)) == 0;
}

static void set_exc(struct mib_val *v, uint16_t type)
{
	memset(v, 0, sizeof(*v));
	v->type = type;
}

void mib_get(struct mib *m, const struct agentx_oid *name, struct agentx_oid *out,
             struct mib_val *v)
{
	*out = *name;
	out->include = false;
	set_exc(v, AGENTX_V_NOSUCHOBJECT);
	if (!m->sorted)
		mib_begin(m);
	for (size_t i = 0; i < m->n; i++) {
		struct mib_obj *o = &m->objs[i];

		if (!is_prefix(o->oid, o->n, name->sub, name->n))
			continue;
		if (!o->rows) {
			if (name->n == o->n + 1 && name->sub[o->n] == 0) {
				memset(v, 0, sizeof(*v));
				if (o->get(o->ctx, NULL, 0, v) < 0)
					set_exc(v, AGENTX_V_NOSUCHINSTANCE);
			} else {
				set_exc(v, AGENTX_V_NOSUCHINSTANCE);
			}
			return;
		}
		if (name->n <= o->n || name->sub[o->n] < o->col_lo || name->sub[o->n] > o->col_hi)
			return; /* noSuchObject */
		set_exc(v, AGENTX_V_NOSUCHINSTANCE);
		struct mib_rows *rs = rows_of(m, o);
		struct mib_row key;
		size_t kn = name->n - o->n - 1;

		if (!rs || kn > MIB_IDX_MAX)
			return;
		memcpy(key.idx, name->sub + o->n + 1, kn * sizeof(uint32_t));
		key.n = kn;
		struct mib_row *r =
		    rs->n ? bsearch(&key, rs->v, rs->n, sizeof(*rs->v), row_cmp) : NULL;
		if (r) {
			memset(v, 0, sizeof(*v));
			if (o->get(o->ctx, r->row, name->sub[o->n], v) < 0)
				set_exc(v, AGENTX_V_NOSUCHINSTANCE);
		}
		return;
	}
}

/* First row index in rs >= (or >) bound. */
static size_t lower_row(const struct mib_rows *rs, const uint32_t *b, size_t nb, bool incl)
{
	size_t lo = 0, hi = rs->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = agentx_oid_cmp(rs->v[mid].idx, rs->v[mid].n, b, nb);

		if (c < 0 || (c == 0 && !incl))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool before_end(const struct agentx_oid *x, const struct agentx_oid *end)
{
	return end->n == 0 || agentx_oid_cmp(x->sub, x->n, end->sub, end->n) < 0;
}

/* The first instance of o after start; true when found (out, v set). */
static bool next_in(struct mib *m, struct mib_obj *o, const struct agentx_oid *start,
                    struct agentx_oid *out, struct mib_val *v)
{
	if (!o->rows) {
		agentx_oid_set(out, o->oid, o->n);
		out->sub[out->n++] = 0;
		int c = agentx_oid_cmp(out->sub, out->n, start->sub, start->n);

		if (c < 0 || (c == 0 && !start->include))
			return false;
		memset(v, 0, sizeof(*v));
		return o->get(o->ctx, NULL, 0, v) == 0;
	}
	struct mib_rows *rs = rows_of(m, o);

	if (!rs || !rs->n)
		return false;
	for (unsigned col = o->col_lo; col <= o->col_hi; col++) {
		uint32_t colp[MIB_OID_MAX + 1];
		size_t i;

		memcpy(colp, o->oid, o->n * sizeof(uint32_t));
		colp[o->n] = col;
		if (is_prefix(colp, o->n + 1, start->sub, start->n)) {
			i = lower_row(rs, start->sub + o->n + 1, start->n - o->n - 1,
			              start->include);
		} else if (agentx_oid_cmp(colp, o->n + 1, start->sub, start->n) > 0) {
			i = 0;
		} else {
			continue;
		}
		for (; i < rs->n; i++) {
			memset(v, 0, sizeof(*v));
			if (o->get(o->ctx, rs->v[i].row, col, v) == 0) {
				agentx_oid_set(out, colp, o->n + 1);
				memcpy(out->sub + out->n, rs->v[i].idx,
				       rs->v[i].n * sizeof(uint32_t));
				out->n += (uint32_t)rs->v[i].n;
				return true;
			}
		}
	}
	return false;
}

void mib_getnext(struct mib *m, const struct agentx_oid *start, const struct agentx_oid *end,
                 struct agentx_oid *out, struct mib_val *v)
{
	if (!m->sorted)
		mib_begin(m);
	for (size_t i = 0; i < m->n; i++) {
		struct mib_obj *o = &m->objs[i];

		/* a whole object before start: skip without enumerating rows */
		if (agentx_oid_cmp(o->oid, o->n, start->sub, start->n) < 0 &&
		    !is_prefix(o->oid, o->n, start->sub, start->n))
			continue;
		if (next_in(m, o, start, out, v)) {
			if (before_end(out, end))
				return;
			break;
		}
	}
	*out = *start;
	out->include = false;
	set_exc(v, AGENTX_V_ENDOFMIBVIEW);
}

void mib_val_to_vb(const struct agentx_oid *name, const struct mib_val *v,
                   struct agentx_varbind *vb)
{
	vb->type = v->type;
	vb->name = *name;
	vb->name.include = false;
	switch (v->type) {
	case AGENTX_V_INTEGER:
		vb->v.i = v->i;
		break;
	case AGENTX_V_COUNTER32:
	case AGENTX_V_GAUGE32:
	case AGENTX_V_TIMETICKS:
		vb->v.u = v->u;
		break;
	case AGENTX_V_COUNTER64:
		vb->v.u64 = v->u64;
		break;
	case AGENTX_V_OCTETS:
	case AGENTX_V_IPADDR:
	case AGENTX_V_OPAQUE:
		vb->v.s.p = v->s;
		vb->v.s.len = v->slen;
		break;
	case AGENTX_V_OID:
		vb->v.oid = v->oid;
		break;
	default:
		break;
	}
}

size_t mib_getbulk(struct mib *m, const struct agentx_range *r, size_t nr, unsigned non_repeaters,
                   unsigned max_repetitions, mib_emit_fn emit, void *arg)
{
	struct agentx_oid out;
	struct mib_val *v = malloc(sizeof(*v));
	struct agentx_oid *cur = NULL;
	size_t n = 0, nrep;

	if (!v)
		return 0;
	if (non_repeaters > nr)
		non_repeaters = (unsigned)nr;
	for (size_t i = 0; i < non_repeaters; i++) {
		mib_getnext(m, &r[i].start, &r[i].end, &out, v);
		if (!emit(arg, &out, v))
			goto done;
		n++;
	}
	nrep = nr - non_repeaters;
	if (!nrep || !max_repetitions)
		goto done;
	cur = malloc(nrep * sizeof(*cur));
	if (!cur)
		goto done;
	for (size_t j = 0; j < nrep; j++)
		cur[j] = r[non_repeaters + j].start;
	for (unsigned rep = 0; rep < max_repetitions; rep++) {
		bool all_end = true;

		for (size_t j = 0; j < nrep; j++) {
			mib_getnext(m, &cur[j], &r[non_repeaters + j].end, &out, v);
			if (v->type != AGENTX_V_ENDOFMIBVIEW) {
				all_end = false;
				cur[j] = out;
			}
			cur[j].include = false;
			if (!emit(arg, &out, v))
				goto done;
			n++;
		}
		if (all_end)
			break;
	}
done:
	free(cur);
	free(v);
	return n;
}
