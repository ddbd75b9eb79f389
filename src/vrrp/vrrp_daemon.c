/* The VRRP child's subsystem hooks.  The protocol engine arrives with the
 * VRRP work; for now the child owns the configuration of its instances and
 * reports it in the dumps. */
#include <stdio.h>
#include <string.h>

#include "core/daemon.h"

struct vrrp_state {
	const struct ka_config *cfg;
};

static struct vrrp_state vrrp_state;

static const char *inst_arg(const conf_node *inst, const char *kw)
{
	const conf_node *n = conf_first(inst, kw);

	return n ? conf_arg(n, 1) : NULL;
}

static int vrrp_start(void *state, const struct ka_config *c)
{
	struct vrrp_state *s = state;

	s->cfg = c;
	log_info("VRRP: %u instance(s) configured", conf_count(&c->tree->root, "vrrp_instance"));
	return 0;
}

static int vrrp_reload(void *state, const struct ka_config *old, const struct ka_config *c)
{
	(void)old;
	return vrrp_start(state, c);
}

static void vrrp_dump_data(void *state, FILE *fp)
{
	struct vrrp_state *s = state;
	const conf_node *inst, *vips, *v;
	const char *a;

	fprintf(fp, "------< Global definitions >------\n");
	fprintf(fp, " Router ID = %s\n", s->cfg->router_id ? s->cfg->router_id : "(unset)");
	fprintf(fp, "------< VRRP Topology >------\n");
	for (inst = conf_first(&s->cfg->tree->root, "vrrp_instance"); inst;
	     inst = conf_next_named(inst)) {
		fprintf(fp, " VRRP Instance = %s\n", conf_arg(inst, 1) ? conf_arg(inst, 1) : "");
		if ((a = inst_arg(inst, "state")))
			fprintf(fp, "   Initial state = %s\n", a);
		if ((a = inst_arg(inst, "interface")))
			fprintf(fp, "   Interface = %s\n", a);
		if ((a = inst_arg(inst, "virtual_router_id")))
			fprintf(fp, "   Virtual Router ID = %s\n", a);
		fprintf(fp, "   Priority = %s\n", (a = inst_arg(inst, "priority")) ? a : "100");
		vips = conf_first(inst, "virtual_ipaddress");
		if (vips) {
			unsigned nvip = 0;

			for (v = vips->child; v; v = v->next)
				nvip++;
			fprintf(fp, "   Virtual IP = %u\n", nvip);
			for (v = vips->child; v; v = v->next)
				fprintf(fp, "     %s\n", conf_arg(v, 0));
		}
	}
}

static void json_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(fp, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(fp, "\\u%04x", ch);
		else
			fputc(ch, fp);
	}
	fputc('"', fp);
}

static void vrrp_dump_json(void *state, FILE *fp)
{
	struct vrrp_state *s = state;
	const conf_node *inst;
	bool first = true;

	fputc('[', fp);
	for (inst = conf_first(&s->cfg->tree->root, "vrrp_instance"); inst;
	     inst = conf_next_named(inst)) {
		const char *a;

		fprintf(fp, "%s{\"data\":{\"iname\":", first ? "" : ",");
		json_str(fp, conf_arg(inst, 1));
		fprintf(fp, ",\"ifp_ifname\":");
		json_str(fp, inst_arg(inst, "interface"));
		fprintf(fp, ",\"vrid\":%s", (a = inst_arg(inst, "virtual_router_id")) ? a : "0");
		fprintf(fp, ",\"base_priority\":%s", (a = inst_arg(inst, "priority")) ? a : "100");
		fprintf(fp, "}}");
		first = false;
	}
	fprintf(fp, "]\n");
}

const struct ka_child_ops vrrp_child_ops = {
    .kind = KA_CHILD_VRRP,
    .name = "VRRP",
    .ident = "Keepalived_vrrp",
    .file_suffix = "_vrrp",
    .start = vrrp_start,
    .reload = vrrp_reload,
    .dump_data = vrrp_dump_data,
    .dump_json = vrrp_dump_json,
    .state = &vrrp_state,
};
