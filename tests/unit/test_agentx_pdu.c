/* AgentX codec: round trips of every PDU we use, OID prefix compression,
 * both byte orders, and hostile input (truncations, bad lengths, random
 * corruption) that must fail cleanly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
/* The codec is compiled in here so the test reaches its static helpers
 * (rd_oid, rd_u64); kacore's copy is then not linked. */
#include "snmp/agentx_pdu.c"

static struct agentx_pdu *a, *b;
static uint8_t buf[65536];

static void oid(struct agentx_oid *o, const char *s)
{
	CHECK(agentx_oid_parse(s, o) == 0);
}

static bool oid_eq(const struct agentx_oid *x, const struct agentx_oid *y)
{
	return agentx_oid_cmp(x->sub, x->n, y->sub, y->n) == 0;
}

static long roundtrip(void)
{
	const char *why = NULL;
	long n = agentx_encode(a, buf, sizeof(buf));

	CHECK(n > 0);
	if (n <= 0)
		return n;
	CHECK_INT(n % 4, 0);
	CHECK_INT(agentx_pdu_size(buf, (size_t)n), n);
	CHECK_INT(agentx_decode(buf, (size_t)n, b, &why), 0);
	if (why)
		fprintf(stderr, "decode: %s\n", why);
	CHECK_INT(b->h.type, a->h.type);
	CHECK_INT(b->h.session_id, a->h.session_id);
	CHECK_INT(b->h.transaction_id, a->h.transaction_id);
	CHECK_INT(b->h.packet_id, a->h.packet_id);
	CHECK(b->h.flags & AGENTX_F_NETWORK_BYTE_ORDER);
	CHECK_INT(b->h.payload_len, n - AGENTX_HDR_LEN);
	return n;
}

static void t_open_close_register(void)
{
	memset(a, 0, sizeof(*a));
	a->h = (struct agentx_hdr){
	    .type = AGENTX_OPEN, .session_id = 0, .transaction_id = 7, .packet_id = 9};
	a->timeout = 3;
	oid(&a->oid, "1.3.6.1.4.1.9586.100.5");
	a->descr = (struct agentx_str){(const uint8_t *)"keepalived", 10};
	roundtrip();
	CHECK_INT(b->timeout, 3);
	CHECK(oid_eq(&b->oid, &a->oid));
	CHECK_INT(b->descr.len, 10);
	CHECK(b->descr.len == 10 && !memcmp(b->descr.p, "keepalived", 10));

	memset(a, 0, sizeof(*a));
	a->h = (struct agentx_hdr){.type = AGENTX_CLOSE, .session_id = 5, .packet_id = 10};
	a->reason = AGENTX_CLOSE_SHUTDOWN;
	CHECK_INT(roundtrip(), AGENTX_HDR_LEN + 4);
	CHECK_INT(b->reason, AGENTX_CLOSE_SHUTDOWN);

	memset(a, 0, sizeof(*a));
	a->h = (struct agentx_hdr){.type = AGENTX_REGISTER, .session_id = 5, .packet_id = 11};
	a->timeout = 1;
	a->priority = 127;
	a->range_subid = 10;
	a->upper_bound = 22;
	oid(&a->oid, "1.3.6.1.4.1.9586.100.5.2.3");
	roundtrip();
	CHECK_INT(b->priority, 127);
	CHECK_INT(b->range_subid, 10);
	CHECK_INT(b->upper_bound, 22);
	CHECK(oid_eq(&b->oid, &a->oid));
	/* with a non-default context */
	a->h.flags = AGENTX_F_NON_DEFAULT_CONTEXT;
	a->context = (struct agentx_str){(const uint8_t *)"ctx", 3};
	roundtrip();
	CHECK(b->h.flags & AGENTX_F_NON_DEFAULT_CONTEXT);
	CHECK(b->context.len == 3 && !memcmp(b->context.p, "ctx", 3));
	/* range_subid beyond the subtree is refused */
	a->range_subid = 30;
	long n = agentx_encode(a, buf, sizeof(buf));
	const char *why = NULL;
	CHECK(n > 0 && agentx_decode(buf, (size_t)n, b, &why) < 0 && why);
}

static void t_requests(void)
{
	memset(a, 0, sizeof(*a));
	a->h = (struct agentx_hdr){
	    .type = AGENTX_GETNEXT, .session_id = 1, .transaction_id = 2, .packet_id = 3};
	oid(&a->ranges[0].start, "1.3.6.1.4.1.9586.100.5");
	a->ranges[0].start.include = true;
	oid(&a->ranges[0].end, "1.3.6.1.4.1.9586.100.6");
	oid(&a->ranges[1].start, "1.3.6.1.2.1.207.1");
	a->ranges[1].end.n = 0;
	a->n_ranges = 2;
	roundtrip();
	CHECK_INT(b->n_ranges, 2);
	CHECK(b->ranges[0].start.include);
	CHECK(!b->ranges[1].start.include);
	CHECK(oid_eq(&b->ranges[0].end, &a->ranges[0].end));
	CHECK(oid_eq(&b->ranges[1].start, &a->ranges[1].start));
	CHECK_INT(b->ranges[1].end.n, 0);

	a->h.type = AGENTX_GETBULK;
	a->non_repeaters = 1;
	a->max_repetitions = 25;
	roundtrip();
	CHECK_INT(b->non_repeaters, 1);
	CHECK_INT(b->max_repetitions, 25);
	CHECK_INT(b->n_ranges, 2);

	a->h.type = AGENTX_GET;
	a->n_ranges = 1;
	roundtrip();
	CHECK_INT(b->n_ranges, 1);

	memset(a, 0, sizeof(*a));
	a->h = (struct agentx_hdr){.type = AGENTX_PING, .session_id = 9, .packet_id = 4};
	CHECK_INT(roundtrip(), AGENTX_HDR_LEN);
}

/* Response and Notify carry varbinds of every type. */
static void t_varbinds(void)
{
	static const uint8_t ip[4] = {192, 0, 2, 1};
	static const char *text = "hello"; /* 5 bytes: padded to 8 */
	const struct {
		uint16_t type;
	} types[] = {{AGENTX_V_INTEGER},     {AGENTX_V_OCTETS},       {AGENTX_V_NULL},
	             {AGENTX_V_OID},         {AGENTX_V_IPADDR},       {AGENTX_V_COUNTER32},
	             {AGENTX_V_GAUGE32},     {AGENTX_V_TIMETICKS},    {AGENTX_V_OPAQUE},
	             {AGENTX_V_COUNTER64},   {AGENTX_V_NOSUCHOBJECT}, {AGENTX_V_NOSUCHINSTANCE},
	             {AGENTX_V_ENDOFMIBVIEW}};
	size_t n = sizeof(types) / sizeof(types[0]);

	for (int kind = 0; kind < 2; kind++) {
		memset(a, 0, sizeof(*a));
		a->h = (struct agentx_hdr){.type = kind ? AGENTX_NOTIFY : AGENTX_RESPONSE,
		                           .session_id = 3,
		                           .packet_id = 77};
		a->sysuptime = 12345;
		a->error = AGENTX_E_NOERROR;
		for (size_t i = 0; i < n; i++) {
			struct agentx_varbind *vb = &a->vbs[i];
			char name[64];

			snprintf(name, sizeof(name), "1.3.6.1.4.1.9586.100.5.9.%zu.0", i);
			oid(&vb->name, name);
			vb->type = types[i].type;
			switch (vb->type) {
			case AGENTX_V_INTEGER:
				vb->v.i = -42;
				break;
			case AGENTX_V_OCTETS:
			case AGENTX_V_OPAQUE:
				vb->v.s = (struct agentx_str){(const uint8_t *)text, 5};
				break;
			case AGENTX_V_IPADDR:
				vb->v.s = (struct agentx_str){ip, 4};
				break;
			case AGENTX_V_OID:
				oid(&vb->v.oid, "1.3.6.1.6.3.1.1.5.1");
				break;
			case AGENTX_V_COUNTER32:
			case AGENTX_V_GAUGE32:
			case AGENTX_V_TIMETICKS:
				vb->v.u = 0xfedcba98u;
				break;
			case AGENTX_V_COUNTER64:
				vb->v.u64 = 0x0123456789abcdefULL;
				break;
			}
		}
		a->n_vbs = n;
		roundtrip();
		CHECK_INT(b->n_vbs, n);
		if (!kind) {
			CHECK_INT(b->sysuptime, 12345);
			CHECK_INT(b->error, 0);
		}
		for (size_t i = 0; i < n && i < b->n_vbs; i++) {
			const struct agentx_varbind *x = &a->vbs[i], *y = &b->vbs[i];

			CHECK_INT(y->type, x->type);
			CHECK(oid_eq(&x->name, &y->name));
			switch (x->type) {
			case AGENTX_V_INTEGER:
				CHECK_INT(y->v.i, -42);
				break;
			case AGENTX_V_OCTETS:
			case AGENTX_V_OPAQUE:
			case AGENTX_V_IPADDR:
				CHECK_INT(y->v.s.len, x->v.s.len);
				CHECK(y->v.s.len == x->v.s.len &&
				      !memcmp(y->v.s.p, x->v.s.p, x->v.s.len));
				break;
			case AGENTX_V_OID:
				CHECK(oid_eq(&x->v.oid, &y->v.oid));
				break;
			case AGENTX_V_COUNTER32:
			case AGENTX_V_GAUGE32:
			case AGENTX_V_TIMETICKS:
				CHECK_INT(y->v.u, 0xfedcba98u);
				break;
			case AGENTX_V_COUNTER64:
				CHECK(y->v.u64 == 0x0123456789abcdefULL);
				break;
			}
		}
	}
}

/* RFC 2741 §5.1: 1.3.6.1.X.rest is sent as prefix X and the rest. */
static void t_prefix(void)
{
	struct agentx_wbuf w;
	struct agentx_oid o;
	struct rd r = {.be = true};

	oid(&o, "1.3.6.1.4.1.9586");
	agentx_wbuf_init(&w, buf, sizeof(buf));
	agentx_put_oid(&w, &o);
	CHECK_INT(w.len, 4 + 2 * 4);
	CHECK_INT(buf[0], 2); /* 1.9586 after the prefix 4 */
	CHECK_INT(buf[1], 4);
	CHECK_INT(buf[2], 0);
	/* decodes back to the full OID */
	r.p = buf, r.len = w.len;
	struct agentx_oid d;
	CHECK(rd_oid(&r, &d));
	CHECK(oid_eq(&d, &o));

	/* exactly 1.3.6.1.2: no sub-identifiers left */
	oid(&o, "1.3.6.1.2");
	agentx_wbuf_init(&w, buf, sizeof(buf));
	agentx_put_oid(&w, &o);
	CHECK_INT(w.len, 4);
	CHECK_INT(buf[0], 0);
	CHECK_INT(buf[1], 2);
	r = (struct rd){.p = buf, .len = w.len, .be = true};
	CHECK(rd_oid(&r, &d) && oid_eq(&d, &o));

	/* not compressible: X > 255, or not under 1.3.6.1 */
	oid(&o, "1.3.6.1.300.7");
	agentx_wbuf_init(&w, buf, sizeof(buf));
	agentx_put_oid(&w, &o);
	CHECK_INT(buf[0], 6);
	CHECK_INT(buf[1], 0);
	oid(&o, "1.3.6.2.4");
	agentx_wbuf_init(&w, buf, sizeof(buf));
	agentx_put_oid(&w, &o);
	CHECK_INT(buf[0], 5);
	CHECK_INT(buf[1], 0);
	/* the null OID */
	o.n = 0;
	agentx_wbuf_init(&w, buf, sizeof(buf));
	agentx_put_oid(&w, &o);
	CHECK_INT(w.len, 4);
	CHECK(buf[0] == 0 && buf[1] == 0);
	/* a prefixed OID whose total would pass 128 sub-identifiers */
	uint8_t bad[4 + 124 * 4] = {124, 2, 0, 0};
	r = (struct rd){.p = bad, .len = sizeof(bad), .be = true};
	CHECK(!rd_oid(&r, &d));
	bad[1] = 0; /* without the prefix 124 fit */
	r = (struct rd){.p = bad, .len = sizeof(bad), .be = true};
	CHECK(rd_oid(&r, &d) && d.n == 124);
}

/* Swap every 16/32-bit field of a big-endian GetNext with one range into
 * little-endian, by hand, and compare the decodes. */
static void t_byte_order(void)
{
	const char *why = NULL;
	uint8_t le[256];
	long n;

	memset(a, 0, sizeof(*a));
	a->h = (struct agentx_hdr){.type = AGENTX_GETBULK,
	                           .session_id = 0x01020304,
	                           .transaction_id = 0x0a0b0c0d,
	                           .packet_id = 0x11223344};
	a->non_repeaters = 0x0102;
	a->max_repetitions = 0x0304;
	oid(&a->ranges[0].start, "1.3.6.1.4.1.9586.100.5.2.3.1.4.70000");
	a->n_ranges = 1;
	n = agentx_encode(a, buf, sizeof(buf));
	CHECK(n > 0 && (size_t)n < sizeof(le));
	memcpy(le, buf, (size_t)n);
	le[2] &= (uint8_t)~AGENTX_F_NETWORK_BYTE_ORDER;
	/* header words at 4, 8, 12, 16 */
	for (int off = 4; off < 20; off += 4) {
		uint8_t t0 = le[off], t1 = le[off + 1];

		le[off] = le[off + 3], le[off + 1] = le[off + 2], le[off + 2] = t1,
		le[off + 3] = t0;
	}
	/* non_repeaters, max_repetitions */
	for (int off = 20; off < 24; off += 2) {
		uint8_t t = le[off];

		le[off] = le[off + 1], le[off + 1] = t;
	}
	/* start OID: 4-byte header then sub-ids; end OID: null */
	int nsub = le[24];
	for (int k = 0; k < nsub; k++) {
		int off = 28 + 4 * k;
		uint8_t t0 = le[off], t1 = le[off + 1];

		le[off] = le[off + 3], le[off + 1] = le[off + 2], le[off + 2] = t1,
		le[off + 3] = t0;
	}
	CHECK_INT(agentx_pdu_size(le, (size_t)n), n);
	CHECK_INT(agentx_decode(le, (size_t)n, b, &why), 0);
	CHECK(!(b->h.flags & AGENTX_F_NETWORK_BYTE_ORDER));
	CHECK_INT(b->h.session_id, 0x01020304);
	CHECK_INT(b->h.transaction_id, 0x0a0b0c0d);
	CHECK_INT(b->h.packet_id, 0x11223344);
	CHECK_INT(b->non_repeaters, 0x0102);
	CHECK_INT(b->max_repetitions, 0x0304);
	CHECK_INT(b->n_ranges, 1);
	CHECK(oid_eq(&b->ranges[0].start, &a->ranges[0].start));
	CHECK_INT(b->ranges[0].start.sub[b->ranges[0].start.n - 1], 70000);

	/* Counter64 in little-endian order: low word first */
	uint8_t c64[8] = {0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01};
	struct rd r = {.p = c64, .len = 8, .be = false};
	uint64_t v = 0;
	CHECK(rd_u64(&r, &v) && v == 0x0123456789abcdefULL);
}

static void t_hostile(void)
{
	const char *why;
	long n;
	unsigned seed = 12345;

	/* a Response with several varbinds: every truncation fails */
	memset(a, 0, sizeof(*a));
	a->h = (struct agentx_hdr){.type = AGENTX_RESPONSE, .packet_id = 1};
	oid(&a->vbs[0].name, "1.3.6.1.4.1.9586.100.5.1.1.0");
	a->vbs[0].type = AGENTX_V_OCTETS;
	a->vbs[0].v.s = (struct agentx_str){(const uint8_t *)"abcdefg", 7};
	oid(&a->vbs[1].name, "1.3.6.1.4.1.9586.100.5.1.2.0");
	a->vbs[1].type = AGENTX_V_COUNTER64;
	a->vbs[1].v.u64 = 5;
	a->n_vbs = 2;
	n = agentx_encode(a, buf, sizeof(buf));
	CHECK(n > 0);
	for (long k = 0; k < n; k++) {
		why = NULL;
		CHECK(agentx_decode(buf, (size_t)k, b, &why) < 0 && why);
	}
	/* trailing garbage after the PDU */
	why = NULL;
	CHECK(agentx_decode(buf, (size_t)n + 4, b, &why) < 0);

	/* payload length that lies (bigger, smaller, not a multiple of 4) */
	uint8_t copy[512];
	memcpy(copy, buf, (size_t)n);
	copy[19] = (uint8_t)(copy[19] + 4);
	CHECK(agentx_decode(copy, (size_t)n, b, &why) < 0);
	copy[19] = (uint8_t)(copy[19] - 8);
	CHECK(agentx_decode(copy, (size_t)n - 4, b, &why) < 0); /* body cut mid-varbind */
	copy[19] = (uint8_t)(copy[19] + 5);
	CHECK_INT(agentx_pdu_size(copy, (size_t)n), -1);
	memcpy(copy, buf, (size_t)n);
	copy[16] = 0xff; /* payload length 4 GiB */
	CHECK_INT(agentx_pdu_size(copy, (size_t)n), -1);
	memcpy(copy, buf, (size_t)n);
	copy[0] = 2; /* version */
	CHECK(agentx_decode(copy, (size_t)n, b, &why) < 0);
	memcpy(copy, buf, (size_t)n);
	copy[1] = 99; /* type */
	CHECK(agentx_decode(copy, (size_t)n, b, &why) < 0);

	/* octet string length 0xffffffff */
	memcpy(copy, buf, (size_t)n);
	{
		/* find the first varbind's string length: header 20 + 8 (uptime,
		 * err, idx) + 4 (type) + OID (4 + 4 * nsub) */
		size_t off = 20 + 8 + 4 + 4 + 4 * (size_t)copy[20 + 8 + 4];

		copy[off] = copy[off + 1] = copy[off + 2] = copy[off + 3] = 0xff;
		CHECK(agentx_decode(copy, (size_t)n, b, &why) < 0);
	}
	/* unknown varbind type */
	memcpy(copy, buf, (size_t)n);
	copy[20 + 8 + 1] = 200;
	CHECK(agentx_decode(copy, (size_t)n, b, &why) < 0);
	/* include byte other than 0/1 */
	memcpy(copy, buf, (size_t)n);
	copy[20 + 8 + 4 + 2] = 7;
	CHECK(agentx_decode(copy, (size_t)n, b, &why) < 0);
	/* a context flag on a PDU type that has none */
	memcpy(copy, buf, (size_t)n);
	copy[2] |= AGENTX_F_NON_DEFAULT_CONTEXT;
	CHECK(agentx_decode(copy, (size_t)n, b, &why) < 0);

	/* more varbinds than we keep */
	{
		struct agentx_wbuf w;
		struct agentx_hdr h = {.type = AGENTX_RESPONSE};
		struct agentx_varbind vb = {.type = AGENTX_V_NULL};

		oid(&vb.name, "1.3.6.1.2.1.1.1.0");
		agentx_wbuf_init(&w, buf, sizeof(buf));
		agentx_begin(&w, &h);
		agentx_put_u32(&w, 0), agentx_put_u16(&w, 0), agentx_put_u16(&w, 0);
		for (int i = 0; i < AGENTX_MAX_VBS + 1; i++)
			agentx_put_varbind(&w, &vb);
		n = agentx_end(&w);
		CHECK(n > 0);
		why = NULL;
		CHECK(agentx_decode(buf, (size_t)n, b, &why) < 0 && why &&
		      !strcmp(why, "too many varbinds"));
	}
	/* encoding into a short buffer overflows, never writes past it */
	{
		uint8_t small[24];

		memset(a, 0, sizeof(*a));
		a->h.type = AGENTX_OPEN;
		oid(&a->oid, "1.3.6.1.4.1.9586.100.5");
		CHECK_INT(agentx_encode(a, small, sizeof(small)), -1);
	}

	/* random corruption of valid PDUs: decode may fail, never misbehave
	 * (ASan/UBSan builds watch) */
	memset(a, 0, sizeof(*a));
	a->h = (struct agentx_hdr){.type = AGENTX_GETBULK, .packet_id = 5};
	oid(&a->ranges[0].start, "1.3.6.1.4.1.9586.100.5");
	oid(&a->ranges[0].end, "1.3.6.1.4.1.9586.100.6");
	oid(&a->ranges[1].start, "1.3.6.1.2.1.207");
	a->n_ranges = 2;
	n = agentx_encode(a, buf, sizeof(buf));
	int ok = 0, bad_n = 0;
	for (int it = 0; it < 20000; it++) {
		memcpy(copy, buf, (size_t)n);
		for (int k = 0; k < 3; k++) {
			seed = seed * 1103515245u + 12345u;
			size_t pos = (seed >> 8) % (size_t)n;
			seed = seed * 1103515245u + 12345u;
			copy[pos] = (uint8_t)(seed >> 16);
		}
		if (agentx_decode(copy, (size_t)n, b, &why) == 0) {
			ok++;
			CHECK(b->n_ranges <= AGENTX_MAX_RANGES);
		} else {
			bad_n++;
		}
	}
	CHECK(ok > 0 && bad_n > 0);
}

static void t_oid_text(void)
{
	struct agentx_oid o;
	char t[64];

	CHECK(agentx_oid_parse(".1.3.6.1.4", &o) == 0 && o.n == 5);
	CHECK_STR(agentx_oid_fmt(&o, t, sizeof(t)), "1.3.6.1.4");
	CHECK(agentx_oid_parse("1..3", &o) < 0);
	CHECK(agentx_oid_parse("1.3.x", &o) < 0);
	CHECK(agentx_oid_parse("1.99999999999", &o) < 0);
	uint32_t x[] = {1, 3}, y[] = {1, 3, 0}, z[] = {1, 4};
	CHECK(agentx_oid_cmp(x, 2, y, 3) < 0);
	CHECK(agentx_oid_cmp(y, 3, z, 2) < 0);
	CHECK(agentx_oid_cmp(x, 2, x, 2) == 0);
	CHECK_STR(agentx_type_str(AGENTX_RESPONSE), "Response");
}

/* A TestSet may name a non-default context (RFC 2741 §6.2.13), as
 * Get/GetNext/GetBulk do; found by tests/fuzz/fuzz_agentx's seeds. */
static void t_testset_context(void)
{
	memset(a, 0, sizeof(*a));
	a->h = (struct agentx_hdr){.type = AGENTX_TESTSET,
	                           .flags = AGENTX_F_NON_DEFAULT_CONTEXT,
	                           .session_id = 5,
	                           .transaction_id = 3,
	                           .packet_id = 12};
	a->context = (struct agentx_str){(const uint8_t *)"ctx", 3};
	a->n_vbs = 1;
	oid(&a->vbs[0].name, "1.3.6.1.4.1.9586.100.5.1.1.0");
	a->vbs[0].type = AGENTX_V_INTEGER;
	a->vbs[0].v.i = 4;
	roundtrip();
	CHECK(b->h.flags & AGENTX_F_NON_DEFAULT_CONTEXT);
	CHECK(b->context.len == 3 && !memcmp(b->context.p, "ctx", 3));
	CHECK_INT(b->n_vbs, 1);
	CHECK_INT(b->vbs[0].v.i, 4);
}

int main(void)
{
	a = calloc(1, sizeof(*a));
	b = calloc(1, sizeof(*b));
	if (!a || !b)
		return 1;
	t_open_close_register();
	t_testset_context();
	t_requests();
	t_varbinds();
	t_prefix();
	t_byte_order();
	t_hostile();
	t_oid_text();
	free(a);
	free(b);
	return check_report("test_agentx_pdu");
}
