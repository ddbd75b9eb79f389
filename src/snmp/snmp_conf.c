/* What the command line and global_defs say about SNMP. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/daemon.h"
#include "snmp/snmp_int.h"

static void copy(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

void snmp_conf_read(struct snmp_conf *sc, const struct ka_options *o, const struct ka_config *c)
{
	const char *sock = NULL;
	bool any = false;

	memset(sc, 0, sizeof(*sc));
	for (conf_node *g = c && c->tree ? conf_first(&c->tree->root, "global_defs") : NULL; g;
	     g = conf_next_named(g)) {
		for (conf_node *n = g->child; n; n = n->next) {
			const char *k = n->argv && n->argc ? n->argv[0] : "";

			if (!strcmp(k, "snmp_socket") && n->argc > 1)
				sock = n->argv[1];
			else if (!strcmp(k, "enable_traps"))
				sc->traps = true;
			else if (!strcmp(k, "enable_snmp_vrrp") ||
			         !strcmp(k, "enable_snmp_keepalived"))
				sc->keepalived = any = true;
			else if (!strcmp(k, "enable_snmp_checker"))
				sc->checker = any = true;
			else if (!strcmp(k, "enable_snmp_rfc"))
				sc->rfcv2 = sc->rfcv3 = any = true;
			else if (!strcmp(k, "enable_snmp_rfcv2"))
				sc->rfcv2 = any = true;
			else if (!strcmp(k, "enable_snmp_rfcv3"))
				sc->rfcv3 = any = true;
			else if (!strcmp(k, "dynamic_interfaces"))
				sc->dynamic_interfaces = true;
		}
	}
	/* -x alone serves everything; with keywords, only what they name */
	if (o && o->snmp && !any)
		sc->keepalived = sc->checker = sc->rfcv2 = sc->rfcv3 = true;
	sc->enabled = (o && o->snmp) || any;
	copy(sc->socket, sizeof(sc->socket), o && o->snmp_socket ? o->snmp_socket : sock);
	if (c && c->router_id) {
		copy(sc->router_id, sizeof(sc->router_id), c->router_id);
	} else {
		char h[256] = "";

		gethostname(h, sizeof(h) - 1);
		copy(sc->router_id, sizeof(sc->router_id), h);
	}
	copy(sc->netns, sizeof(sc->netns), o ? o->namespace_name : NULL);
	/* -C without -P: no VRRP child, whatever the configuration holds */
	sc->has_vrrp = c && c->has_vrrp && !(o && o->want_check && !o->want_vrrp);
}

bool snmp_conf_same_session(const struct snmp_conf *a, const struct snmp_conf *b)
{
	return a->enabled == b->enabled && a->keepalived == b->keepalived &&
	       a->checker == b->checker && a->rfcv2 == b->rfcv2 && a->rfcv3 == b->rfcv3 &&
	       a->has_vrrp == b->has_vrrp && !strcmp(a->socket, b->socket);
}

void snmp_vb(struct agentx_varbind *vb, const uint32_t *oid, size_t n, const uint32_t *idx,
             size_t nidx, const struct mib_val *v)
{
	struct agentx_oid name;

	agentx_oid_set(&name, oid, n);
	for (size_t i = 0; i < nidx && name.n < AGENTX_OID_MAX; i++)
		name.sub[name.n++] = idx[i];
	mib_val_to_vb(&name, v, vb);
}

void snmp_vb_router_id(struct snmp_ctx *x, struct agentx_varbind *vb, struct mib_val *v)
{
	static const uint32_t oid[] = {KA_MIB_OID, 1, 2, 0};

	mib_v_str(v, x->conf.router_id);
	snmp_vb(vb, oid, sizeof(oid) / sizeof(oid[0]), NULL, 0, v);
}
