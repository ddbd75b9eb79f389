/* AgentX PDU codec (RFC 2741 §6).  See agentx_pdu.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snmp/agentx_pdu.h"

/* ---- decoding ------------------------------------------------------------ */

struct rd {
	const uint8_t *p;
	size_t len, pos;
	bool be; /* NETWORK_BYTE_ORDER */
	const char *why;
};

static bool rd_fail(struct rd *r, const char *why)
{
	if (!r->why)
		r->why = why;
	return false;
}

static bool rd_u8(struct rd *r, uint8_t *v)
{
	if (r->len - r->pos < 1)
		return rd_fail(r, "truncated");
	*v = r->p[r->pos++];
	return true;
}

static bool rd_u16(struct rd *r, uint16_t *v)
{
	const uint8_t *b = r->p + r->pos;

	if (r->len - r->pos < 2)
		return rd_fail(r, "truncated");
	*v = r->be ? (uint16_t)(b[0] << 8 | b[1]) : (uint16_t)(b[1] << 8 | b[0]);
	r->pos += 2;
	return true;
}

static bool rd_u32(struct rd *r, uint32_t *v)
{
	const uint8_t *b = r->p + r->pos;

	if (r->len - r->pos < 4)
		return rd_fail(r, "truncated");
	if (r->be)
		*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	else
		*v = (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
	r->pos += 4;
	return true;
}

static bool rd_u64(struct rd *r, uint64_t *v)
{
	uint32_t a, b;

	if (!rd_u32(r, &a) || !rd_u32(r, &b))
		return false;
	/* RFC 2741 §5.4: the most significant half comes first in network
	 * order, the least significant first in little-endian order. */
	*v = r->be ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
	return true;
}

static bool rd_skip(struct rd *r, size_t n)
{
	if (r->len - r->pos < n)
		return rd_fail(r, "truncated");
	r->pos += n;
	return true;
}

static bool rd_oid(struct rd *r, struct agentx_oid *o)
{
	uint8_t n, prefix, include, rsv;
	size_t base = 0;

	if (!rd_u8(r, &n) || !rd_u8(r, &prefix) || !rd_u8(r, &include) || !rd_u8(r, &rsv))
		return false;
	if (include > 1)
		return rd_fail(r, "bad OID include byte");
	if (prefix) {
		base = 5;
		o->sub[0] = 1, o->sub[1] = 3, o->sub[2] = 6, o->sub[3] = 1, o->sub[4] = prefix;
	}
	if (base + n > AGENTX_OID_MAX)
		return rd_fail(r, "OID too long");
	if ((size_t)n * 4 > r->len - r->pos)
		return rd_fail(r, "truncated OID");
	for (size_t i = 0; i < n; i++)
		rd_u32(r, &o->sub[base + i]);
	o->n = (uint32_t)(base + n);
	o->include = include;
	return true;
}

static bool rd_str(struct rd *r, struct agentx_str *s)
{
	uint32_t len;
	size_t padded;

	if (!rd_u32(r, &len))
		return false;
	padded = ((size_t)len + 3) & ~(size_t)3;
	if (len > r->len - r->pos || padded > r->len - r->pos)
		return rd_fail(r, "truncated octet string");
	s->p = r->p + r->pos;
	s->len = len;
	r->pos += padded;
	return true;
}

static bool rd_varbind(struct rd *r, struct agentx_varbind *vb)
{
	uint16_t rsv;

	memset(vb, 0, sizeof(*vb));
	if (!rd_u16(r, &vb->type) || !rd_u16(r, &rsv) || !rd_oid(r, &vb->name))
		return false;
	switch (vb->type) {
	case AGENTX_V_INTEGER:
		return rd_u32(r, (uint32_t *)&vb->v.i);
	case AGENTX_V_COUNTER32:
	case AGENTX_V_GAUGE32:
	case AGENTX_V_TIMETICKS:
		return rd_u32(r, &vb->v.u);
	case AGENTX_V_COUNTER64:
		return rd_u64(r, &vb->v.u64);
	case AGENTX_V_OCTETS:
	case AGENTX_V_OPAQUE:
		return rd_str(r, &vb->v.s);
	case AGENTX_V_IPADDR:
		if (!rd_str(r, &vb->v.s))
			return false;
		return vb->v.s.len == 4 || rd_fail(r, "IpAddress not 4 octets");
	case AGENTX_V_OID:
		return rd_oid(r, &vb->v.oid);
	case AGENTX_V_NULL:
	case AGENTX_V_NOSUCHOBJECT:
	case AGENTX_V_NOSUCHINSTANCE:
	case AGENTX_V_ENDOFMIBVIEW:
		return true;
	default:
		return rd_fail(r, "unknown varbind type");
	}
}

static bool rd_varbinds(struct rd *r, struct agentx_pdu *pdu)
{
	while (r->pos < r->len) {
		if (pdu->n_vbs >= AGENTX_MAX_VBS)
			return rd_fail(r, "too many varbinds");
		if (!rd_varbind(r, &pdu->vbs[pdu->n_vbs]))
			return false;
		pdu->n_vbs++;
	}
	return true;
}

static bool rd_ranges(struct rd *r, struct agentx_pdu *pdu)
{
	while (r->pos < r->len) {
		struct agentx_range *g;

		if (pdu->n_ranges >= AGENTX_MAX_RANGES)
			return rd_fail(r, "too many search ranges");
		g = &pdu->ranges[pdu->n_ranges];
		if (!rd_oid(r, &g->start) || !rd_oid(r, &g->end))
			return false;
		pdu->n_ranges++;
	}
	return true;
}

long agentx_pdu_size(const uint8_t *buf, size_t len)
{
	uint32_t pl;

	if (len < AGENTX_HDR_LEN)
		return 0;
	if (buf[0] != AGENTX_VERSION)
		return -1;
	if (buf[2] & AGENTX_F_NETWORK_BYTE_ORDER)
		pl = (uint32_t)buf[16] << 24 | (uint32_t)buf[17] << 16 | (uint32_t)buf[18] << 8 |
		     buf[19];
	else
		pl = (uint32_t)buf[19] << 24 | (uint32_t)buf[18] << 16 | (uint32_t)buf[17] << 8 |
		     buf[16];
	if (pl > AGENTX_MAX_PDU || pl % 4)
		return -1;
	return (long)(AGENTX_HDR_LEN + pl);
}

static bool has_context(uint8_t type)
{
	switch (type) {
	case AGENTX_REGISTER:
	case AGENTX_UNREGISTER:
	case AGENTX_GET:
	case AGENTX_GETNEXT:
	case AGENTX_GETBULK:
	case AGENTX_TESTSET: /* RFC 2741 §6.2.13: "(context) OPTIONAL" too */
	case AGENTX_NOTIFY:
	case AGENTX_PING:
	case AGENTX_INDEXALLOCATE:
	case AGENTX_INDEXDEALLOCATE:
	case AGENTX_ADDAGENTCAPS:
	case AGENTX_REMOVEAGENTCAPS:
		return true;
	default:
		return false;
	}
}

static bool rd_body(struct rd *r, struct agentx_pdu *pdu)
{
	uint8_t rsv8;
	uint16_t rsv16;

	if ((pdu->h.flags & AGENTX_F_NON_DEFAULT_CONTEXT)) {
		if (!has_context(pdu->h.type))
			return rd_fail(r, "context on a PDU that has none");
		if (!rd_str(r, &pdu->context))
			return false;
	}
	switch (pdu->h.type) {
	case AGENTX_OPEN:
		return rd_u8(r, &pdu->timeout) && rd_skip(r, 3) && rd_oid(r, &pdu->oid) &&
		       rd_str(r, &pdu->descr);
	case AGENTX_CLOSE:
		return rd_u8(r, &pdu->reason) && rd_skip(r, 3);
	case AGENTX_REGISTER:
	case AGENTX_UNREGISTER:
		if (!rd_u8(r, &pdu->timeout) || !rd_u8(r, &pdu->priority) ||
		    !rd_u8(r, &pdu->range_subid) || !rd_u8(r, &rsv8) || !rd_oid(r, &pdu->oid))
			return false;
		if (pdu->h.type == AGENTX_UNREGISTER)
			pdu->timeout = 0;
		if (pdu->range_subid) {
			if (pdu->range_subid > pdu->oid.n)
				return rd_fail(r, "range_subid beyond the subtree");
			return rd_u32(r, &pdu->upper_bound);
		}
		return true;
	case AGENTX_GET:
	case AGENTX_GETNEXT:
		return rd_ranges(r, pdu);
	case AGENTX_GETBULK:
		return rd_u16(r, &pdu->non_repeaters) && rd_u16(r, &pdu->max_repetitions) &&
		       rd_ranges(r, pdu);
	case AGENTX_TESTSET:
	case AGENTX_NOTIFY:
	case AGENTX_INDEXALLOCATE:
	case AGENTX_INDEXDEALLOCATE:
		return rd_varbinds(r, pdu);
	case AGENTX_COMMITSET:
	case AGENTX_UNDOSET:
	case AGENTX_CLEANUPSET:
	case AGENTX_PING:
		return true;
	case AGENTX_ADDAGENTCAPS:
		return rd_oid(r, &pdu->oid) && rd_str(r, &pdu->descr);
	case AGENTX_REMOVEAGENTCAPS:
		return rd_oid(r, &pdu->oid);
	case AGENTX_RESPONSE:
		return rd_u32(r, &pdu->sysuptime) && rd_u16(r, &pdu->error) &&
		       rd_u16(r, &pdu->index) && rd_varbinds(r, pdu);
	default:
		(void)rsv16;
		return rd_fail(r, "unknown PDU type");
	}
}

int agentx_decode(const uint8_t *buf, size_t len, struct agentx_pdu *pdu, const char **why)
{
	struct rd r = {.p = buf, .len = len};
	long size = agentx_pdu_size(buf, len);
	uint8_t rsv;

	pdu->h = (struct agentx_hdr){0};
	pdu->context = (struct agentx_str){0};
	pdu->n_ranges = pdu->n_vbs = 0;
	pdu->timeout = pdu->priority = pdu->range_subid = pdu->reason = 0;
	pdu->upper_bound = pdu->sysuptime = 0;
	pdu->error = pdu->index = pdu->non_repeaters = pdu->max_repetitions = 0;
	pdu->oid.n = 0;
	pdu->descr = (struct agentx_str){0};
	if (size <= 0 || (size_t)size != len) {
		*why = size == 0 ? "truncated header" : size < 0 ? "bad header" : "length mismatch";
		return -1;
	}
	r.be = buf[2] & AGENTX_F_NETWORK_BYTE_ORDER;
	rd_u8(&r, &pdu->h.version);
	rd_u8(&r, &pdu->h.type);
	rd_u8(&r, &pdu->h.flags);
	rd_u8(&r, &rsv);
	rd_u32(&r, &pdu->h.session_id);
	rd_u32(&r, &pdu->h.transaction_id);
	rd_u32(&r, &pdu->h.packet_id);
	rd_u32(&r, &pdu->h.payload_len);
	if (!rd_body(&r, pdu)) {
		*why = r.why ? r.why : "malformed";
		return -1;
	}
	if (r.pos != r.len) {
		*why = "trailing bytes";
		return -1;
	}
	return 0;
}

/* ---- encoding ------------------------------------------------------------ */

void agentx_wbuf_init(struct agentx_wbuf *w, uint8_t *buf, size_t cap)
{
	*w = (struct agentx_wbuf){.p = buf, .cap = cap};
}

static void put(struct agentx_wbuf *w, const void *p, size_t n)
{
	if (w->overflow || w->cap - w->len < n) {
		w->overflow = true;
		return;
	}
	memcpy(w->p + w->len, p, n);
	w->len += n;
}

void agentx_put_u8(struct agentx_wbuf *w, uint8_t v)
{
	put(w, &v, 1);
}

void agentx_put_u16(struct agentx_wbuf *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	put(w, b, 2);
}

void agentx_put_u32(struct agentx_wbuf *w, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	put(w, b, 4);
}

void agentx_put_u64(struct agentx_wbuf *w, uint64_t v)
{
	agentx_put_u32(w, (uint32_t)(v >> 32));
	agentx_put_u32(w, (uint32_t)v);
}

void agentx_put_oid(struct agentx_wbuf *w, const struct agentx_oid *o)
{
	size_t base = 0;
	uint8_t prefix = 0;

	if (o->n >= 5 && o->sub[0] == 1 && o->sub[1] == 3 && o->sub[2] == 6 && o->sub[3] == 1 &&
	    o->sub[4] >= 1 && o->sub[4] <= 255) {
		prefix = (uint8_t)o->sub[4];
		base = 5;
	}
	if (o->n > AGENTX_OID_MAX) {
		w->overflow = true;
		return;
	}
	agentx_put_u8(w, (uint8_t)(o->n - base));
	agentx_put_u8(w, prefix);
	agentx_put_u8(w, o->include ? 1 : 0);
	agentx_put_u8(w, 0);
	for (size_t i = base; i < o->n; i++)
		agentx_put_u32(w, o->sub[i]);
}

void agentx_put_str(struct agentx_wbuf *w, const void *p, uint32_t len)
{
	static const uint8_t zero[4];

	agentx_put_u32(w, len);
	if (len)
		put(w, p, len);
	put(w, zero, (4 - len % 4) % 4);
}

void agentx_put_varbind(struct agentx_wbuf *w, const struct agentx_varbind *vb)
{
	struct agentx_oid name = vb->name;

	name.include = false;
	agentx_put_u16(w, vb->type);
	agentx_put_u16(w, 0);
	agentx_put_oid(w, &name);
	switch (vb->type) {
	case AGENTX_V_INTEGER:
		agentx_put_u32(w, (uint32_t)vb->v.i);
		break;
	case AGENTX_V_COUNTER32:
	case AGENTX_V_GAUGE32:
	case AGENTX_V_TIMETICKS:
		agentx_put_u32(w, vb->v.u);
		break;
	case AGENTX_V_COUNTER64:
		agentx_put_u64(w, vb->v.u64);
		break;
	case AGENTX_V_OCTETS:
	case AGENTX_V_OPAQUE:
	case AGENTX_V_IPADDR:
		agentx_put_str(w, vb->v.s.p, vb->v.s.len);
		break;
	case AGENTX_V_OID: {
		struct agentx_oid v = vb->v.oid;

		v.include = false;
		agentx_put_oid(w, &v);
		break;
	}
	default:
		break;
	}
}

void agentx_begin(struct agentx_wbuf *w, const struct agentx_hdr *h)
{
	w->start = w->len;
	agentx_put_u8(w, AGENTX_VERSION);
	agentx_put_u8(w, h->type);
	agentx_put_u8(w, (uint8_t)(h->flags | AGENTX_F_NETWORK_BYTE_ORDER));
	agentx_put_u8(w, 0);
	agentx_put_u32(w, h->session_id);
	agentx_put_u32(w, h->transaction_id);
	agentx_put_u32(w, h->packet_id);
	agentx_put_u32(w, 0);
}

long agentx_end(struct agentx_wbuf *w)
{
	size_t pl;
	uint8_t *b;

	if (w->overflow || w->len - w->start < AGENTX_HDR_LEN)
		return -1;
	pl = w->len - w->start - AGENTX_HDR_LEN;
	b = w->p + w->start + 16;
	b[0] = (uint8_t)(pl >> 24), b[1] = (uint8_t)(pl >> 16), b[2] = (uint8_t)(pl >> 8);
	b[3] = (uint8_t)pl;
	return (long)(w->len - w->start);
}

static void put_ranges(struct agentx_wbuf *w, const struct agentx_pdu *pdu)
{
	for (size_t i = 0; i < pdu->n_ranges; i++) {
		struct agentx_oid end = pdu->ranges[i].end;

		end.include = false;
		agentx_put_oid(w, &pdu->ranges[i].start);
		agentx_put_oid(w, &end);
	}
}

long agentx_encode(const struct agentx_pdu *pdu, uint8_t *buf, size_t cap)
{
	struct agentx_wbuf w;
	struct agentx_oid o = pdu->oid;

	agentx_wbuf_init(&w, buf, cap);
	agentx_begin(&w, &pdu->h);
	if (pdu->h.flags & AGENTX_F_NON_DEFAULT_CONTEXT)
		agentx_put_str(&w, pdu->context.p, pdu->context.len);
	o.include = false;
	switch (pdu->h.type) {
	case AGENTX_OPEN:
		agentx_put_u8(&w, pdu->timeout);
		agentx_put_u8(&w, 0), agentx_put_u16(&w, 0);
		agentx_put_oid(&w, &o);
		agentx_put_str(&w, pdu->descr.p, pdu->descr.len);
		break;
	case AGENTX_CLOSE:
		agentx_put_u8(&w, pdu->reason);
		agentx_put_u8(&w, 0), agentx_put_u16(&w, 0);
		break;
	case AGENTX_REGISTER:
	case AGENTX_UNREGISTER:
		agentx_put_u8(&w, pdu->h.type == AGENTX_REGISTER ? pdu->timeout : 0);
		agentx_put_u8(&w, pdu->priority);
		agentx_put_u8(&w, pdu->range_subid);
		agentx_put_u8(&w, 0);
		agentx_put_oid(&w, &o);
		if (pdu->range_subid)
			agentx_put_u32(&w, pdu->upper_bound);
		break;
	case AGENTX_GET:
	case AGENTX_GETNEXT:
		put_ranges(&w, pdu);
		break;
	case AGENTX_GETBULK:
		agentx_put_u16(&w, pdu->non_repeaters);
		agentx_put_u16(&w, pdu->max_repetitions);
		put_ranges(&w, pdu);
		break;
	case AGENTX_TESTSET:
	case AGENTX_NOTIFY:
	case AGENTX_INDEXALLOCATE:
	case AGENTX_INDEXDEALLOCATE:
		for (size_t i = 0; i < pdu->n_vbs; i++)
			agentx_put_varbind(&w, &pdu->vbs[i]);
		break;
	case AGENTX_ADDAGENTCAPS:
		agentx_put_oid(&w, &o);
		agentx_put_str(&w, pdu->descr.p, pdu->descr.len);
		break;
	case AGENTX_REMOVEAGENTCAPS:
		agentx_put_oid(&w, &o);
		break;
	case AGENTX_RESPONSE:
		agentx_put_u32(&w, pdu->sysuptime);
		agentx_put_u16(&w, pdu->error);
		agentx_put_u16(&w, pdu->index);
		for (size_t i = 0; i < pdu->n_vbs; i++)
			agentx_put_varbind(&w, &pdu->vbs[i]);
		break;
	default:
		break;
	}
	return agentx_end(&w);
}

/* ---- OIDs ---------------------------------------------------------------- */

int agentx_oid_cmp(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	size_t n = na < nb ? na : nb;

	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return na < nb ? -1 : na > nb ? 1 : 0;
}

int agentx_oid_parse(const char *s, struct agentx_oid *o)
{
	o->n = 0;
	o->include = false;
	if (*s == '.')
		s++;
	while (*s) {
		char *end;
		unsigned long v;

		if (*s < '0' || *s > '9' || o->n >= AGENTX_OID_MAX)
			return -1;
		v = strtoul(s, &end, 10);
		if (v > UINT32_MAX)
			return -1;
		o->sub[o->n++] = (uint32_t)v;
		s = end;
		if (*s == '.' && s[1])
			s++;
		else if (*s)
			return -1;
	}
	return 0;
}

const char *agentx_oid_fmt(const struct agentx_oid *o, char *buf, size_t len)
{
	size_t pos = 0;

	if (len)
		buf[0] = 0;
	for (size_t i = 0; i < o->n && pos < len; i++) {
		int k = snprintf(buf + pos, len - pos, "%s%u", i ? "." : "", o->sub[i]);

		if (k < 0)
			break;
		pos += (size_t)k;
	}
	return buf;
}

void agentx_oid_set(struct agentx_oid *o, const uint32_t *sub, size_t n)
{
	if (n > AGENTX_OID_MAX)
		n = AGENTX_OID_MAX;
	memcpy(o->sub, sub, n * sizeof(*sub));
	o->n = (uint32_t)n;
	o->include = false;
}

const char *agentx_type_str(unsigned type)
{
	static const char *const names[] = {"?",
	                                    "Open",
	                                    "Close",
	                                    "Register",
	                                    "Unregister",
	                                    "Get",
	                                    "GetNext",
	                                    "GetBulk",
	                                    "TestSet",
	                                    "CommitSet",
	                                    "UndoSet",
	                                    "CleanupSet",
	                                    "Notify",
	                                    "Ping",
	                                    "IndexAllocate",
	                                    "IndexDeallocate",
	                                    "AddAgentCaps",
	                                    "RemoveAgentCaps",
	                                    "Response"};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}
