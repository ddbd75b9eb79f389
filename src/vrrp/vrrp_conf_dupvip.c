/* A VIP configured in two instances (fault catalogue case 2): both MASTERs
 * would add it and the first to release it takes it from the other.  The
 * configuration stays valid (upstream accepts it), so each repeat gets a
 * warning at its line naming the instance and line that have it first. */
#include <stdlib.h>
#include <string.h>

#include "vrrp/vrrp_conf_int.h"

struct vip_ref {
	const struct vrrp_vip *v;
	const struct vrrp_instance_conf *inst;
	size_t order; /* position in the file order of instances and VIPs */
};

static const char *vip_dev(const struct vip_ref *r)
{
	return r->v->dev ? r->v->dev : r->inst->ifname ? r->inst->ifname : "";
}

static int ref_cmp(const void *pa, const void *pb)
{
	const struct vip_ref *a = pa, *b = pb;
	int c = addr_cmp(&a->v->addr, &b->v->addr);

	if (!c)
		c = strcmp(vip_dev(a), vip_dev(b));
	if (!c)
		c = a->order < b->order ? -1 : a->order > b->order ? 1 : 0;
	return c;
}

void vb_check_dup_vips(struct vb *b)
{
	const struct vrrp_conf *c = b->c;
	struct vip_ref *refs;
	size_t n = 0, i, j, k;

	for (i = 0; i < c->n_instances; i++)
		n += c->instances[i].n_vips + c->instances[i].n_evips;
	if (n < 2)
		return;
	refs = calloc(n, sizeof(*refs));
	if (!refs)
		return; /* a warning only: not worth failing the build */
	for (i = 0, k = 0; i < c->n_instances; i++) {
		const struct vrrp_instance_conf *in = &c->instances[i];

		for (j = 0; j < in->n_vips; j++, k++)
			refs[k] = (struct vip_ref){&in->vips[j], in, k};
		for (j = 0; j < in->n_evips; j++, k++)
			refs[k] = (struct vip_ref){&in->evips[j], in, k};
	}
	qsort(refs, n, sizeof(*refs), ref_cmp);
	for (i = 1; i < n; i++) {
		const struct vip_ref *first = &refs[i - 1];

		/* the first of each run of equal addresses on one device */
		while (i < n && !addr_cmp(&refs[i].v->addr, &first->v->addr) &&
		       !strcmp(vip_dev(&refs[i]), vip_dev(first))) {
			if (refs[i].inst != first->inst && b->report) {
				char msg[512];

				snprintf(msg, sizeof(msg),
				         "(%s) VIP %s is also in instance %s (%s: Line %d): the "
				         "instances will take it from each other",
				         refs[i].inst->name, refs[i].v->text, first->inst->name,
				         first->v->file ? first->v->file : "?", first->v->line);
				b->report(b->arg, CONF_SEV_WARN, CONF_CLASS_CONFIG, refs[i].v->file,
				          refs[i].v->line, msg);
				b->c->counts.warnings++;
			}
			i++;
		}
	}
	free(refs);
}
