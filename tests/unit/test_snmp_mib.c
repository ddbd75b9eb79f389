/* The generic MIB: Get / GetNext / GetBulk over scalars and tables in
 * lexicographic order, rows enumerated out of order, holes in columns,
 * partial indexes, range ends, noSuchObject / noSuchInstance /
 * endOfMibView. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
/* Compiled in here (kacore's copies are then not linked), as the other
 * AgentX tests do. */
#include "snmp/agentx_pdu.c"
#include "snmp/mib.c"

#define E 1, 3, 6, 1, 4, 1, 99999

struct row {
	uint32_t idx[3];
	size_t n;
	int val;
};

/* table A: one-part index, given out of order; row 2 has no column 3 */
static struct row rows_a[] = {{{3}, 1, 30}, {{1}, 1, 10}, {{2}, 1, 20}};
/* table B: two-part index */
static struct row rows_b[] = {{{2, 1}, 2, 21}, {{1, 7}, 2, 17}, {{1, 3}, 2, 13}};
static int rows_calls;

static int scalar_get(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	(void)row, (void)col;
	mib_v_int(v, (int)(intptr_t)ctx);
	return 0;
}

static int missing_scalar(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	(void)ctx, (void)row, (void)col, (void)v;
	return -1;
}

static int tab_get(void *ctx, const void *row, unsigned col, struct mib_val *v)
{
	const struct row *r = row;

	(void)ctx;
	if (r->val == 20 && col == 3)
		return -1;
	if (col == 4) {
		mib_v_str(v, "s");
		return 0;
	}
	mib_v_u32(v, AGENTX_V_GAUGE32, (uint32_t)(r->val * 100 + (int)col));
	return 0;
}

static void rows_a_fn(void *ctx, struct mib_rows *r)
{
	(void)ctx;
	rows_calls++;
	for (size_t i = 0; i < 3; i++)
		mib_rows_add(r, rows_a[i].idx, rows_a[i].n, &rows_a[i]);
}

static void rows_b_fn(void *ctx, struct mib_rows *r)
{
	(void)ctx;
	for (size_t i = 0; i < 3; i++)
		mib_rows_add(r, rows_b[i].idx, rows_b[i].n, &rows_b[i]);
}

static struct mib m;

static void build(void)
{
	static const uint32_t s1[] = {E, 1, 1}, s2[] = {E, 1, 2}, s3[] = {E, 1, 3},
	                      ta[] = {E, 2, 1, 1}, tb[] = {E, 3, 1, 1};

	mib_init(&m);
	/* registered out of order on purpose */
	CHECK(mib_add_table(&m, tb, 10, 2, 2, tab_get, rows_b_fn, NULL) == 0);
	CHECK(mib_add_scalar(&m, s2, 9, scalar_get, (void *)(intptr_t)2) == 0);
	CHECK(mib_add_table(&m, ta, 10, 2, 4, tab_get, rows_a_fn, NULL) == 0);
	CHECK(mib_add_scalar(&m, s1, 9, scalar_get, (void *)(intptr_t)1) == 0);
	CHECK(mib_add_scalar(&m, s3, 9, missing_scalar, NULL) == 0);
	CHECK(mib_add_table(&m, ta, 10, 0, 0, tab_get, rows_a_fn, NULL) < 0);
}

static void o(struct agentx_oid *x, const char *s)
{
	CHECK(agentx_oid_parse(s, x) == 0);
}

static const char *fmt(const struct agentx_oid *x)
{
	static char b[256];

	return agentx_oid_fmt(x, b, sizeof(b));
}

static void t_walk(void)
{
	static const char *const want[] = {
	    "1.3.6.1.4.1.99999.1.1.0",       "1.3.6.1.4.1.99999.1.2.0",
	    "1.3.6.1.4.1.99999.2.1.1.2.1",   "1.3.6.1.4.1.99999.2.1.1.2.2",
	    "1.3.6.1.4.1.99999.2.1.1.2.3",   "1.3.6.1.4.1.99999.2.1.1.3.1",
	    "1.3.6.1.4.1.99999.2.1.1.3.3",   "1.3.6.1.4.1.99999.2.1.1.4.1",
	    "1.3.6.1.4.1.99999.2.1.1.4.2",   "1.3.6.1.4.1.99999.2.1.1.4.3",
	    "1.3.6.1.4.1.99999.3.1.1.2.1.3", "1.3.6.1.4.1.99999.3.1.1.2.1.7",
	    "1.3.6.1.4.1.99999.3.1.1.2.2.1",
	};
	struct agentx_oid cur, out, end = {0};
	struct mib_val v;
	size_t i = 0;

	o(&cur, "1.3.6.1.4.1.99999");
	rows_calls = 0;
	mib_begin(&m);
	for (int guard = 0; guard < 100; guard++) {
		mib_getnext(&m, &cur, &end, &out, &v);
		if (v.type == AGENTX_V_ENDOFMIBVIEW)
			break;
		CHECK(i < sizeof(want) / sizeof(want[0]));
		if (i < sizeof(want) / sizeof(want[0]))
			CHECK_STR(fmt(&out), want[i]);
		i++;
		cur = out;
	}
	CHECK_INT(i, sizeof(want) / sizeof(want[0]));
	/* one batch: table A's rows were enumerated once */
	CHECK_INT(rows_calls, 1);
	/* a new batch enumerates again */
	mib_begin(&m);
	o(&cur, "1.3.6.1.4.1.99999.2");
	mib_getnext(&m, &cur, &end, &out, &v);
	CHECK_INT(rows_calls, 2);
	CHECK_STR(fmt(&out), "1.3.6.1.4.1.99999.2.1.1.2.1");
	CHECK_INT(v.type, AGENTX_V_GAUGE32);
	CHECK_INT(v.u, 1002);
}

static void t_getnext_edges(void)
{
	struct agentx_oid cur, out, end = {0};
	struct mib_val v;

	mib_begin(&m);
	/* include: the start itself when it exists */
	o(&cur, "1.3.6.1.4.1.99999.2.1.1.3.3");
	cur.include = true;
	mib_getnext(&m, &cur, &end, &out, &v);
	CHECK_STR(fmt(&out), "1.3.6.1.4.1.99999.2.1.1.3.3");
	cur.include = false;
	mib_getnext(&m, &cur, &end, &out, &v);
	CHECK_STR(fmt(&out), "1.3.6.1.4.1.99999.2.1.1.4.1");
	/* include on a hole (row 2 of column 3) moves on */
	o(&cur, "1.3.6.1.4.1.99999.2.1.1.3.2");
	cur.include = true;
	mib_getnext(&m, &cur, &end, &out, &v);
	CHECK_STR(fmt(&out), "1.3.6.1.4.1.99999.2.1.1.3.3");
	/* partial index: 3.1 < 3.1.5 < 3.1.7 */
	o(&cur, "1.3.6.1.4.1.99999.3.1.1.2.1.5");
	mib_getnext(&m, &cur, &end, &out, &v);
	CHECK_STR(fmt(&out), "1.3.6.1.4.1.99999.3.1.1.2.1.7");
	o(&cur, "1.3.6.1.4.1.99999.3.1.1.2.1");
	mib_getnext(&m, &cur, &end, &out, &v);
	CHECK_STR(fmt(&out), "1.3.6.1.4.1.99999.3.1.1.2.1.3");
	/* a start inside a scalar instance (x.0.5) goes to the next object */
	o(&cur, "1.3.6.1.4.1.99999.1.1.0.5");
	mib_getnext(&m, &cur, &end, &out, &v);
	CHECK_STR(fmt(&out), "1.3.6.1.4.1.99999.1.2.0");
	/* a start before everything, and after everything */
	o(&cur, "1.3");
	mib_getnext(&m, &cur, &end, &out, &v);
	CHECK_STR(fmt(&out), "1.3.6.1.4.1.99999.1.1.0");
	CHECK_INT(v.type, AGENTX_V_INTEGER);
	CHECK_INT(v.i, 1);
	o(&cur, "1.3.6.1.4.1.99999.3.1.1.2.2.1");
	mib_getnext(&m, &cur, &end, &out, &v);
	CHECK_INT(v.type, AGENTX_V_ENDOFMIBVIEW);
	CHECK_STR(fmt(&out), "1.3.6.1.4.1.99999.3.1.1.2.2.1");
	o(&cur, "2");
	mib_getnext(&m, &cur, &end, &out, &v);
	CHECK_INT(v.type, AGENTX_V_ENDOFMIBVIEW);
	/* a range end: the next instance must be before it */
	o(&cur, "1.3.6.1.4.1.99999.1.2.0");
	o(&end, "1.3.6.1.4.1.99999.2");
	mib_getnext(&m, &cur, &end, &out, &v);
	CHECK_INT(v.type, AGENTX_V_ENDOFMIBVIEW);
	o(&end, "1.3.6.1.4.1.99999.2.1.1.2.2");
	mib_getnext(&m, &cur, &end, &out, &v);
	CHECK_STR(fmt(&out), "1.3.6.1.4.1.99999.2.1.1.2.1");
}

static void t_get(void)
{
	struct agentx_oid q, out;
	struct mib_val v;

	mib_begin(&m);
	o(&q, "1.3.6.1.4.1.99999.1.2.0");
	mib_get(&m, &q, &out, &v);
	CHECK_INT(v.type, AGENTX_V_INTEGER);
	CHECK_INT(v.i, 2);
	CHECK_STR(fmt(&out), "1.3.6.1.4.1.99999.1.2.0");
	o(&q, "1.3.6.1.4.1.99999.1.2.1"); /* scalar, wrong instance */
	mib_get(&m, &q, &out, &v);
	CHECK_INT(v.type, AGENTX_V_NOSUCHINSTANCE);
	o(&q, "1.3.6.1.4.1.99999.1.3.0"); /* getter has no value */
	mib_get(&m, &q, &out, &v);
	CHECK_INT(v.type, AGENTX_V_NOSUCHINSTANCE);
	o(&q, "1.3.6.1.4.1.99999.1.9.0"); /* no such scalar */
	mib_get(&m, &q, &out, &v);
	CHECK_INT(v.type, AGENTX_V_NOSUCHOBJECT);
	o(&q, "1.3.6.1.4.1.99999.2.1.1.3.1");
	mib_get(&m, &q, &out, &v);
	CHECK_INT(v.type, AGENTX_V_GAUGE32);
	CHECK_INT(v.u, 1003);
	o(&q, "1.3.6.1.4.1.99999.2.1.1.4.2");
	mib_get(&m, &q, &out, &v);
	CHECK_INT(v.type, AGENTX_V_OCTETS);
	CHECK(v.slen == 1 && v.s[0] == 's');
	o(&q, "1.3.6.1.4.1.99999.2.1.1.3.2"); /* hole */
	mib_get(&m, &q, &out, &v);
	CHECK_INT(v.type, AGENTX_V_NOSUCHINSTANCE);
	o(&q, "1.3.6.1.4.1.99999.2.1.1.2.9"); /* no such row */
	mib_get(&m, &q, &out, &v);
	CHECK_INT(v.type, AGENTX_V_NOSUCHINSTANCE);
	o(&q, "1.3.6.1.4.1.99999.2.1.1.2"); /* the column itself */
	mib_get(&m, &q, &out, &v);
	CHECK_INT(v.type, AGENTX_V_NOSUCHINSTANCE);
	o(&q, "1.3.6.1.4.1.99999.2.1.1.7.1"); /* column not served */
	mib_get(&m, &q, &out, &v);
	CHECK_INT(v.type, AGENTX_V_NOSUCHOBJECT);
	o(&q, "1.3.6.1.4.1.99999.3.1.1.2.1.7");
	mib_get(&m, &q, &out, &v);
	CHECK_INT(v.u, 1702);
}

struct collect {
	char names[64][128];
	uint16_t types[64];
	size_t n, limit;
};

static bool collect(void *arg, const struct agentx_oid *name, const struct mib_val *v)
{
	struct collect *c = arg;

	if (c->n >= c->limit)
		return false;
	agentx_oid_fmt(name, c->names[c->n], sizeof(c->names[0]));
	c->types[c->n++] = v->type;
	return true;
}

static void t_bulk(void)
{
	struct agentx_range r[3];
	struct collect *c = calloc(1, sizeof(*c));

	if (!c)
		return;
	memset(r, 0, sizeof(r));
	o(&r[0].start, "1.3.6.1.4.1.99999.1"); /* non-repeater */
	o(&r[1].start, "1.3.6.1.4.1.99999.2.1.1.2");
	o(&r[2].start, "1.3.6.1.4.1.99999.3.1.1.2.2");
	c->limit = 64;
	mib_begin(&m);
	size_t n = mib_getbulk(&m, r, 3, 1, 4, collect, c);
	/* 1 + 2 per repetition; repeater 2 is at its end after one step, and
	 * keeps reporting endOfMibView until repeater 1 ends too */
	CHECK_INT(n, 1 + 2 * 4);
	CHECK_STR(c->names[0], "1.3.6.1.4.1.99999.1.1.0");
	CHECK_STR(c->names[1], "1.3.6.1.4.1.99999.2.1.1.2.1");
	CHECK_STR(c->names[2], "1.3.6.1.4.1.99999.3.1.1.2.2.1");
	CHECK_STR(c->names[3], "1.3.6.1.4.1.99999.2.1.1.2.2");
	CHECK_INT(c->types[4], AGENTX_V_ENDOFMIBVIEW);
	CHECK_STR(c->names[5], "1.3.6.1.4.1.99999.2.1.1.2.3");
	CHECK_STR(c->names[7], "1.3.6.1.4.1.99999.2.1.1.3.1");

	/* every repeater at the end: stop before max_repetitions */
	memset(c, 0, sizeof(*c));
	c->limit = 64;
	o(&r[0].start, "1.3.6.1.4.1.99999.3.1.1.2.1.7");
	n = mib_getbulk(&m, r, 1, 0, 10, collect, c);
	CHECK_INT(n, 2);
	CHECK_STR(c->names[0], "1.3.6.1.4.1.99999.3.1.1.2.2.1");
	CHECK_INT(c->types[1], AGENTX_V_ENDOFMIBVIEW);

	/* the emitter can cut the answer short (a full response) */
	memset(c, 0, sizeof(*c));
	c->limit = 3;
	o(&r[0].start, "1.3.6.1.4.1.99999");
	n = mib_getbulk(&m, r, 1, 0, 50, collect, c);
	CHECK_INT(n, 3);
	/* non_repeaters larger than the list */
	memset(c, 0, sizeof(*c));
	c->limit = 64;
	n = mib_getbulk(&m, r, 1, 5, 50, collect, c);
	CHECK_INT(n, 1);
	free(c);
}

/* Many rows: a walk stays correct and ordered. */
static struct row many[500];
static void rows_many(void *ctx, struct mib_rows *r)
{
	(void)ctx;
	for (size_t i = 0; i < 500; i++)
		mib_rows_add(r, many[i].idx, 1, &many[i]);
}

static void t_many(void)
{
	static const uint32_t t[] = {E, 9, 1};
	struct mib mm;
	struct agentx_oid cur, out, end = {0};
	struct mib_val v;
	uint32_t last = 0;
	int count = 0;

	for (size_t i = 0; i < 500; i++) {
		many[i].idx[0] = (uint32_t)((i * 7919) % 500) + 1; /* a permutation */
		many[i].n = 1;
		many[i].val = 1;
	}
	mib_init(&mm);
	CHECK(mib_add_table(&mm, t, 9, 2, 2, tab_get, rows_many, NULL) == 0);
	mib_begin(&mm);
	o(&cur, "1.3.6.1.4.1.99999.9");
	for (int g = 0; g < 1000; g++) {
		mib_getnext(&mm, &cur, &end, &out, &v);
		if (v.type == AGENTX_V_ENDOFMIBVIEW)
			break;
		CHECK(out.sub[out.n - 1] > last);
		last = out.sub[out.n - 1];
		count++;
		cur = out;
	}
	CHECK_INT(count, 500);
	mib_free(&mm);
}

int main(void)
{
	build();
	t_walk();
	t_getnext_edges();
	t_get();
	t_bulk();
	t_many();
	mib_free(&m);
	return check_report("test_snmp_mib");
}
