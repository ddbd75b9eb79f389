/* libFuzzer target for the AgentX PDU codec (src/snmp/agentx_pdu.c).
 *
 * Input: a byte stream from the master agent.  It is cut into PDUs the
 * way the session does it (agentx_pdu_size on what is left, then
 * agentx_decode on exactly that many bytes).
 *
 * Invariants: agentx_pdu_size never claims more than a header plus
 * AGENTX_MAX_PDU; a PDU that decodes re-encodes (encode always uses
 * network byte order), the encoding decodes again, and encoding that
 * gives the same bytes (encode . decode is idempotent after one round);
 * the re-decoded PDU has the same type, ids and counts. */
#include <stdlib.h>
#include <string.h>

#include "snmp/agentx_pdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_CAP (AGENTX_MAX_PDU + AGENTX_HDR_LEN)

static void roundtrip(const struct agentx_pdu *p, struct agentx_pdu *q)
{
	static uint8_t out1[OUT_CAP], out2[OUT_CAP];
	const char *why = NULL;
	long n1, n2;

	n1 = agentx_encode(p, out1, sizeof(out1));
	/* The encoder refuses what it cannot represent; that is not a bug. */
	if (n1 < 0)
		return;
	if (agentx_pdu_size(out1, (size_t)n1) != n1)
		abort();
	if (agentx_decode(out1, (size_t)n1, q, &why) != 0)
		abort();
	if (q->h.type != p->h.type || q->h.session_id != p->h.session_id ||
	    q->h.transaction_id != p->h.transaction_id || q->h.packet_id != p->h.packet_id ||
	    q->n_vbs != p->n_vbs || q->n_ranges != p->n_ranges)
		abort();
	n2 = agentx_encode(q, out2, sizeof(out2));
	if (n2 != n1 || memcmp(out1, out2, (size_t)n1) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct agentx_pdu *p, *q;
	size_t off = 0;
	unsigned rounds = 0;

	if (!p) {
		p = malloc(sizeof(*p));
		q = malloc(sizeof(*q));
		if (!p || !q)
			abort();
	}
	while (off < size && rounds++ < 64) {
		long n = agentx_pdu_size(data + off, size - off);
		const char *why = NULL;
		uint8_t *copy;

		if (n < 0 || n == 0)
			break;
		if (n < AGENTX_HDR_LEN ||
		    (unsigned long)n > AGENTX_HDR_LEN + (unsigned long)AGENTX_MAX_PDU)
			abort();
		if ((size_t)n > size - off)
			break; /* incomplete: the session would wait for more */
		/* exactly n bytes on the heap so ASan sees any overread */
		copy = malloc((size_t)n);
		if (!copy)
			return 0;
		memcpy(copy, data + off, (size_t)n);
		memset(p, 0, sizeof(*p));
		if (agentx_decode(copy, (size_t)n, p, &why) == 0) {
			{
				char txt[64];

				(void)agentx_type_str(p->h.type);
				(void)agentx_oid_fmt(&p->oid, txt, sizeof(txt));
			}
			roundtrip(p, q);
		} else if (!why) {
			abort();
		}
		free(copy);
		off += (size_t)n;
	}
	return 0;
}
