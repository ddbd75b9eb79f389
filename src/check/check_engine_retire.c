/* Configurations kept alive for the attempts that started under them.
 *
 * A check that survives a reload keeps running: its attempt in flight
 * goes on with the check_cfg it started with, which belongs to the old
 * configuration.  That configuration is therefore freed only when the
 * last such attempt has finished or been cancelled (ASan caught an HTTP
 * attempt reading its url's status ranges after a reload had freed them). */
#include <stdlib.h>

#include "check/check_engine_int.h"
#include "lib/log.h"

void ck_conf_retire(struct check_engine *e, struct check_conf *old)
{
	unsigned refs = 0;
	struct ck_retired *r;

	if (!old)
		return;
	for (unsigned i = 0; i < CK_HASH_SIZE; i++)
		for (struct ck_check *c = e->hash[i]; c; c = c->hnext)
			refs += c->att && c->att_conf == old;
	if (!refs) {
		check_conf_free(old);
		return;
	}
	r = realloc(e->retired, (e->n_retired + 1) * sizeof(*r));
	if (!r) {
		/* Cannot track it: leak it rather than free it under an attempt. */
		log_err("checker: out of memory keeping a previous configuration");
		return;
	}
	e->retired = r;
	e->retired[e->n_retired].conf = old;
	e->retired[e->n_retired].refs = refs;
	e->n_retired++;
}

void ck_conf_unref(struct check_engine *e, struct check_conf *held)
{
	if (!held || held == e->conf)
		return;
	for (size_t i = 0; i < e->n_retired; i++) {
		struct ck_retired *r = &e->retired[i];

		if (r->conf != held)
			continue;
		if (--r->refs == 0) {
			check_conf_free(r->conf);
			*r = e->retired[--e->n_retired];
		}
		return;
	}
}

void ck_retired_free_all(struct check_engine *e)
{
	for (size_t i = 0; i < e->n_retired; i++)
		check_conf_free(e->retired[i].conf);
	free(e->retired);
	e->retired = NULL;
	e->n_retired = 0;
}
