/* A generic read-only MIB: scalars and conceptual tables with getter
 * callbacks, answering Get / GetNext / GetBulk in lexicographic OID order
 * (RFC 3416 §4.2) with noSuchObject / noSuchInstance / endOfMibView.
 *
 * Tables enumerate their rows (index sub-identifiers + an opaque row
 * pointer) through a callback; the MIB sorts them once per request batch
 * (mib_begin) so a walk costs O(log rows) per step.  No sockets, no
 * clocks. */
#ifndef KA_SNMP_MIB_H
#define KA_SNMP_MIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snmp/agentx_pdu.h"

#define MIB_OID_MAX 32  /* object / entry OID length */
#define MIB_IDX_MAX 40  /* row index sub-identifiers */
#define MIB_STR_MAX 512 /* octet string values (longer ones are cut) */

/* A value a getter produces. */
struct mib_val {
	uint16_t type; /* enum agentx_vtype */
	int32_t i;
	uint32_t u;
	uint64_t u64;
	uint8_t s[MIB_STR_MAX];
	uint32_t slen;
	struct agentx_oid oid;
};

void mib_v_int(struct mib_val *v, int32_t x);
void mib_v_u32(struct mib_val *v, uint16_t type, uint32_t x); /* Gauge32, Counter32, TimeTicks */
void mib_v_c64(struct mib_val *v, uint64_t x);
void mib_v_str(struct mib_val *v, const char *s); /* NULL -> "" */
void mib_v_bytes(struct mib_val *v, const void *p, size_t n);

struct mib_rows;
/* Add a row; idx[] is copied.  Rows may come in any order. */
void mib_rows_add(struct mib_rows *r, const uint32_t *idx, size_t n, const void *row);

/* Getter: fill v for (row, column); row is NULL and col 0 for a scalar.
 * Return 0, or -1 when the column has no value for this row (it is then
 * skipped by GetNext and noSuchInstance for Get). */
typedef int (*mib_get_fn)(void *ctx, const void *row, unsigned col, struct mib_val *v);
typedef void (*mib_rows_fn)(void *ctx, struct mib_rows *r);

struct mib_obj {
	uint32_t oid[MIB_OID_MAX]; /* scalar: the object (instance = oid.0);
	                            * table: the entry (xxxTable.1) */
	size_t n;
	unsigned col_lo, col_hi; /* table columns served; 0/0 for a scalar */
	mib_get_fn get;
	mib_rows_fn rows; /* NULL for a scalar */
	void *ctx;
	/* per-batch cache (tables) */
	struct mib_rows *cache;
	uint64_t cache_gen;
};

struct mib {
	struct mib_obj *objs;
	size_t n, cap;
	bool sorted;
	uint64_t gen;
};

void mib_init(struct mib *m);
void mib_free(struct mib *m);
/* 0, or -1 (out of memory, bad OID). */
int mib_add_scalar(struct mib *m, const uint32_t *oid, size_t n, mib_get_fn get, void *ctx);
int mib_add_table(struct mib *m, const uint32_t *entry, size_t n, unsigned col_lo, unsigned col_hi,
                  mib_get_fn get, mib_rows_fn rows, void *ctx);
/* Start a request batch: rows are enumerated afresh after this. */
void mib_begin(struct mib *m);

/* Results carry the instance name in vb->name and the value in *v (the
 * value's type; an exception type for noSuch* / endOfMibView). */
void mib_get(struct mib *m, const struct agentx_oid *name, struct agentx_oid *out,
             struct mib_val *v);
/* The first instance after start (or at it when start->include), before
 * end (end->n == 0: unbounded); endOfMibView when there is none. */
void mib_getnext(struct mib *m, const struct agentx_oid *start, const struct agentx_oid *end,
                 struct agentx_oid *out, struct mib_val *v);

/* GetBulk (RFC 3416 §4.2.3): the first non_repeaters ranges once, the
 * others max_repetitions times (interleaved by repetition), stopping early
 * when every repeater reached endOfMibView or `emit` returns false (full
 * answer).  Returns the number of results emitted. */
typedef bool (*mib_emit_fn)(void *arg, const struct agentx_oid *name, const struct mib_val *v);
size_t mib_getbulk(struct mib *m, const struct agentx_range *r, size_t nr, unsigned non_repeaters,
                   unsigned max_repetitions, mib_emit_fn emit, void *arg);

/* A varbind referring to v's data (valid while v lives). */
void mib_val_to_vb(const struct agentx_oid *name, const struct mib_val *v,
                   struct agentx_varbind *vb);

#endif
