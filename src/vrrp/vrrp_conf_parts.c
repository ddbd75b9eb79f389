/* Parts shared by instances and sync groups (address lines, tracking
 * references, notify scripts), the root-level address / route / interface
 * blocks, and the vrrp_sync_group blocks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrrp/vrrp_conf_int.h"
/* ---- addresses -------------------------------------------------------------- */

static int scope_value(const char *s)
{
	static const struct {
		const char *name;
		int value;
	} names[] = {{"global", 0}, {"universe", 0}, {"site", 200},
	             {"link", 253}, {"host", 254},   {"nowhere", 255}};
	long long v;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i].name, s))
			return names[i].value;
	if (conf_parse_int(s, 0, 255, &v) == 0)
		return (int)v;
	return -1;
}

static const struct {
	const char *word;
	unsigned flag;
} vip_flag_words[] = {
    {"home", VRRP_VIP_HOME},
    {"-nodad", VRRP_VIP_NODAD},
    {"mngtmpaddr", VRRP_VIP_MNGTMPADDR},
    {"noprefixroute", VRRP_VIP_NOPREFIXROUTE},
    {"autojoin", VRRP_VIP_AUTOJOIN},
    {"no_track", VRRP_VIP_NO_TRACK},
    {"use_vmac", VRRP_VIP_USE_VMAC},
};

static unsigned vip_flag(const char *w)
{
	for (size_t i = 0; i < sizeof(vip_flag_words) / sizeof(vip_flag_words[0]); i++)
		if (!strcmp(vip_flag_words[i].word, w))
			return vip_flag_words[i].flag;
	return 0;
}

void vb_replace(struct vb *b, char **slot, const char *s)
{
	free(*slot);
	*slot = vb_strdup(b, s);
}

int vb_parse_vip(struct vb *b, const conf_node *l, struct vrrp_vip *v, bool is_virtual)
{
	bool had_plen = false;
	long long lft;

	memset(v, 0, sizeof(*v));
	if (l->argc < 1 || addr_parse_prefix(l->argv[0], &v->addr, &v->prefixlen, &had_plen) < 0)
		return -1; /* the tables drop such lines; defensive */
	v->preferred_lft = VRRP_PREFERRED_LFT_FOREVER;
	for (int i = 1; i < l->argc; i++) {
		const char *w = l->argv[i];
		const char *val = i + 1 < l->argc ? l->argv[i + 1] : NULL;
		unsigned f = vip_flag(w);

		if (f) {
			v->flags |= f;
			continue;
		}
		if (!val)
			break;
		i++;
		if (!strcmp(w, "brd") || !strcmp(w, "broadcast")) {
			if (!strcmp(val, "+"))
				v->brd = VRRP_BRD_PLUS;
			else if (!strcmp(val, "-"))
				v->brd = VRRP_BRD_MINUS;
			else if (addr_parse(val, &v->brd_addr) == 0)
				v->brd = VRRP_BRD_ADDR;
		} else if (!strcmp(w, "dev")) {
			vb_replace(b, &v->dev, val);
		} else if (!strcmp(w, "scope")) {
			vb_replace(b, &v->scope_name, val);
			v->scope = scope_value(val);
		} else if (!strcmp(w, "label")) {
			vb_replace(b, &v->label, val);
		} else if (!strcmp(w, "peer")) {
			v->has_peer = addr_parse(val, &v->peer) == 0;
		} else if (!strcmp(w, "preferred_lft")) {
			v->preferred_lft_set = true;
			if (!strcmp(val, "forever"))
				v->preferred_lft = VRRP_PREFERRED_LFT_FOREVER;
			else if (conf_parse_int(val, 0, UINT32_MAX, &lft) == 0)
				v->preferred_lft = (uint32_t)lft;
		} else if (!strcmp(w, "track_group")) {
			vb_replace(b, &v->track_group, val);
		} else {
			i--; /* unknown word (the tables reject them): skip it alone */
		}
	}
	if (is_virtual && v->addr.family == AF_INET6 && v->prefixlen == 128 &&
	    !v->preferred_lft_set)
		v->preferred_lft = 0;
	v->text = vb_join(b, l, 0);
	v->file = vb_file(b, l->file);
	v->line = l->lineno;
	return 0;
}

void vb_vip_clear(struct vrrp_vip *v)
{
	free(v->dev);
	free(v->scope_name);
	free(v->label);
	free(v->track_group);
	free(v->text);
	memset(v, 0, sizeof(*v));
}

int vb_raw_line(struct vb *b, const conf_node *l, struct vrrp_raw_line *r)
{
	memset(r, 0, sizeof(*r));
	r->argv = vb_calloc(b, (size_t)l->argc + 1, sizeof(char *));
	if (!r->argv)
		return -1;
	for (int i = 0; i < l->argc; i++)
		r->argv[i] = vb_strdup(b, l->argv[i]);
	r->argc = l->argc;
	r->text = vb_join(b, l, 0);
	r->file = vb_file(b, l->file);
	r->line = l->lineno;
	return 0;
}

void vb_raw_clear(struct vrrp_raw_line *r)
{
	for (int i = 0; r->argv && i < r->argc; i++)
		free(r->argv[i]);
	free(r->argv);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

/* Lines of every `name` block of parent. */
size_t vb_block_lines(const conf_node *parent, const char *name)
{
	size_t n = 0;

	for (const conf_node *x = conf_first(parent, name); x; x = conf_next_named(x))
		for (const conf_node *l = x->child; l; l = l->next)
			n++;
	return n;
}

/* ---- other root blocks ------------------------------------------------------------ */

static size_t count_lines(const conf_node *root, const char *name)
{
	size_t n = 0;

	for (const conf_node *x = conf_first(root, name); x; x = conf_next_named(x))
		for (const conf_node *l = x->child; l; l = l->next)
			n++;
	return n;
}

static void build_garp_groups(struct vb *b, const conf_node *root)
{
	struct vrrp_conf *c = b->c;
	size_t n = conf_count(root, "garp_group"), k = 0;

	c->garp_groups = vb_calloc(b, n, sizeof(*c->garp_groups));
	if (!c->garp_groups)
		return;
	for (const conf_node *x = conf_first(root, "garp_group"); x; x = conf_next_named(x)) {
		struct vrrp_garp_group_conf *gg = &c->garp_groups[k++];
		size_t nif = 0, j = 0;

		gg->file = vb_file(b, x->file);
		gg->line = x->lineno;
		for (const conf_node *m = x->child; m; m = m->next) {
			if (vb_is(m, "interface"))
				nif++;
			else if (vb_is(m, "interfaces"))
				for (const conf_node *l = m->child; l; l = l->next)
					nif += (size_t)l->argc;
		}
		gg->ifnames = vb_calloc(b, nif + 1, sizeof(char *));
		for (const conf_node *m = x->child; m; m = m->next) {
			if (vb_is(m, "garp_interval")) {
				gg->garp_interval_us = vb_timer(m, 1, 0);
			} else if (vb_is(m, "gna_interval")) {
				gg->gna_interval_us = vb_timer(m, 1, 0);
			} else if (gg->ifnames && vb_is(m, "interface")) {
				gg->ifnames[j++] = vb_strdup(b, m->argv[1]);
			} else if (gg->ifnames && vb_is(m, "interfaces")) {
				for (const conf_node *l = m->child; l; l = l->next)
					for (int i = 0; i < l->argc; i++)
						gg->ifnames[j++] = vb_strdup(b, l->argv[i]);
			}
		}
		gg->n_ifnames = j;
	}
	c->n_garp_groups = k;
}

static void build_linkbeat_delays(struct vb *b, const conf_node *root)
{
	struct vrrp_conf *c = b->c;
	size_t n = count_lines(root, "linkbeat_interfaces"), k = 0;

	c->linkbeat = vb_calloc(b, n, sizeof(*c->linkbeat));
	for (const conf_node *x = conf_first(root, "linkbeat_interfaces"); c->linkbeat && x;
	     x = conf_next_named(x)) {
		for (const conf_node *l = x->child; l; l = l->next) {
			struct vrrp_linkbeat_conf *lb = &c->linkbeat[k++];
			const char *t = l->argc > 1 ? l->argv[1] : "";

			lb->ifname = vb_strdup(b, l->argv[0]);
			lb->type = !strcmp(t, "MII")       ? VRRP_LB_MII
			           : !strcmp(t, "ETHTOOL") ? VRRP_LB_ETHTOOL
			           : !strcmp(t, "IOCTL")   ? VRRP_LB_IOCTL
			                                   : VRRP_LB_AUTO;
		}
	}
	c->n_linkbeat = c->linkbeat ? k : 0;

	n = count_lines(root, "interface_up_down_delays");
	k = 0;
	c->if_delays = vb_calloc(b, n, sizeof(*c->if_delays));
	for (const conf_node *x = conf_first(root, "interface_up_down_delays"); c->if_delays && x;
	     x = conf_next_named(x)) {
		for (const conf_node *l = x->child; l; l = l->next) {
			struct vrrp_if_delay_conf *d = &c->if_delays[k++];

			d->ifname = vb_strdup(b, l->argv[0]);
			d->down_us = vb_timer(l, 1, 0);
			d->up_us = vb_timer(l, 2, 0);
		}
	}
	c->n_if_delays = c->if_delays ? k : 0;
}

static void build_raw_lines(struct vb *b, const conf_node *root, const char *name,
                            struct vrrp_raw_line **out, size_t *nout)
{
	size_t n = count_lines(root, name), k = 0;

	*out = vb_calloc(b, n, sizeof(**out));
	for (const conf_node *x = conf_first(root, name); *out && x; x = conf_next_named(x))
		for (const conf_node *l = x->child; l; l = l->next)
			if (vb_raw_line(b, l, &(*out)[k]) == 0)
				k++;
	*nout = *out ? k : 0;
}

static void build_static(struct vb *b, const conf_node *root)
{
	struct vrrp_conf *c = b->c;
	size_t n = count_lines(root, "static_ipaddress"), k = 0;

	c->static_addrs = vb_calloc(b, n, sizeof(*c->static_addrs));
	for (const conf_node *x = conf_first(root, "static_ipaddress"); c->static_addrs && x;
	     x = conf_next_named(x))
		for (const conf_node *l = x->child; l; l = l->next)
			if (vb_parse_vip(b, l, &c->static_addrs[k], false) == 0)
				k++;
	c->n_static_addrs = c->static_addrs ? k : 0;
	build_raw_lines(b, root, "static_routes", &c->static_routes, &c->n_static_routes);
	build_raw_lines(b, root, "static_rules", &c->static_rules, &c->n_static_rules);
}

void vb_build_root_blocks(struct vb *b, const conf_node *root)
{
	build_garp_groups(b, root);
	if (!b->oom)
		build_linkbeat_delays(b, root);
	if (!b->oom)
		build_static(b, root);
}

/* ---- tracking ----------------------------------------------------------------- */

enum track_kind { TK_IF, TK_SCRIPT, TK_FILE, TK_PROCESS, TK_BFD, TK_N };

static const char *const track_blocks[TK_N] = {"track_interface", "track_script", "track_file",
                                               "track_process", "track_bfd"};

static void track_slots(struct vrrp_tracking *t, struct vrrp_track_ref ***v, size_t **n)
{
	v[TK_IF] = &t->ifs, n[TK_IF] = &t->n_ifs;
	v[TK_SCRIPT] = &t->scripts, n[TK_SCRIPT] = &t->n_scripts;
	v[TK_FILE] = &t->files, n[TK_FILE] = &t->n_files;
	v[TK_PROCESS] = &t->processes, n[TK_PROCESS] = &t->n_processes;
	v[TK_BFD] = &t->bfds, n[TK_BFD] = &t->n_bfds;
}

static bool parse_ref(struct vb *b, const conf_node *l, enum track_kind k, struct vrrp_track_ref *r)
{
	const struct vrrp_conf *c = b->c;
	int rev = -1;

	memset(r, 0, sizeof(*r));
	r->index = -1;
	if (k == TK_SCRIPT) {
		r->index = vb_lookup(b->script_ix, b->n_script_ix, l->argv[0]);
		if (r->index < 0)
			return false; /* reported by the tables */
		r->script = &c->scripts[r->index];
		r->weight = r->script->weight;
		r->reverse = r->script->weight_reverse;
	} else if (k == TK_FILE) {
		r->index = vb_lookup(b->tfile_ix, b->n_tfile_ix, l->argv[0]);
		if (r->index < 0)
			return false;
		r->tfile = &c->track_files[r->index];
		r->weight = r->tfile->weight;
		r->reverse = r->tfile->weight_reverse;
	}
	for (int i = 1; i < l->argc; i++) {
		if (!strcmp(l->argv[i], "weight") && i + 1 < l->argc) {
			r->weight = (int)vb_int(l, ++i, 0);
			r->weight_set = true;
		} else if (!strcmp(l->argv[i], "reverse")) {
			rev = 1;
		} else if (!strcmp(l->argv[i], "noreverse") || !strcmp(l->argv[i], "no_reverse")) {
			rev = 0;
		}
	}
	if (rev >= 0)
		r->reverse = rev;
	r->name = vb_strdup(b, l->argv[0]);
	r->file = vb_file(b, l->file);
	r->line = l->lineno;
	return true;
}

void vb_build_tracking(struct vb *b, const conf_node *owner, struct vrrp_tracking *t)
{
	struct vrrp_track_ref **v[TK_N];
	size_t *n[TK_N];

	track_slots(t, v, n);
	for (int k = 0; k < TK_N; k++) {
		size_t cnt = vb_block_lines(owner, track_blocks[k]), j = 0;

		*v[k] = vb_calloc(b, cnt, sizeof(**v[k]));
		if (!*v[k])
			continue;
		for (const conf_node *x = conf_first(owner, track_blocks[k]); x;
		     x = conf_next_named(x)) {
			for (const conf_node *l = x->child; l; l = l->next) {
				bool dup = false;

				/* Duplicates are reported by the tables: keep the first. */
				for (size_t m = 0; m < j && !dup; m++)
					dup =
					    (*v[k])[m].name && !strcmp((*v[k])[m].name, l->argv[0]);
				if (!dup && parse_ref(b, l, (enum track_kind)k, &(*v[k])[j]))
					j++;
			}
		}
		*n[k] = j;
	}
}

void vb_tracking_clear(struct vrrp_tracking *t)
{
	struct vrrp_track_ref **v[TK_N];
	size_t *n[TK_N];

	track_slots(t, v, n);
	for (int k = 0; k < TK_N; k++) {
		for (size_t i = 0; i < *n[k]; i++)
			free((*v[k])[i].name);
		free(*v[k]);
		*v[k] = NULL;
		*n[k] = 0;
	}
}

/* ---- notify ----------------------------------------------------------------------- */

static void set_cmd(struct vb *b, struct vrrp_cmd **slot, const conf_node *n)
{
	vb_cmd_free(*slot);
	*slot = vb_cmd_new(b, n);
}

/* A notify keyword of an instance or sync group; false if n is not one. */
bool vb_notify_kw(struct vb *b, struct vrrp_notify *nt, const conf_node *n, int *prio_changes,
                  int *smtp)
{
	const char *k = n->argv[0];

	if (!strcmp(k, "notify_master"))
		set_cmd(b, &nt->master, n);
	else if (!strcmp(k, "notify_backup"))
		set_cmd(b, &nt->backup, n);
	else if (!strcmp(k, "notify_fault"))
		set_cmd(b, &nt->fault, n);
	else if (!strcmp(k, "notify_stop"))
		set_cmd(b, &nt->stop, n);
	else if (!strcmp(k, "notify"))
		set_cmd(b, &nt->generic, n);
	else if (!strcmp(k, "notify_master_rx_lower_pri"))
		set_cmd(b, &nt->master_rx_lower_pri, n);
	else if (!strcmp(k, "notify_deleted")) {
		nt->deleted_set = true;
		vb_cmd_free(nt->deleted);
		nt->deleted = n->argc > 1 ? vb_cmd_new(b, n) : NULL;
	} else if (!strcmp(k, "notify_priority_changes"))
		*prio_changes = vb_bool(n);
	else if (!strcmp(k, "smtp_alert"))
		*smtp = vb_bool(n);
	else
		return false;
	return true;
}

void vb_notify_clear(struct vrrp_notify *nt)
{
	vb_cmd_free(nt->master);
	vb_cmd_free(nt->backup);
	vb_cmd_free(nt->fault);
	vb_cmd_free(nt->stop);
	vb_cmd_free(nt->deleted);
	vb_cmd_free(nt->generic);
	vb_cmd_free(nt->master_rx_lower_pri);
	memset(nt, 0, sizeof(*nt));
}

/* ---- vrrp_sync_group ------------------------------------------------------------------ */

void vb_sync_group_clear(struct vrrp_sync_group_conf *g)
{
	free(g->name);
	free(g->members);
	vb_tracking_clear(&g->track);
	vb_notify_clear(&g->notify);
	memset(g, 0, sizeof(*g));
}

static void ignore_weights(struct vb *b, struct vrrp_instance_conf *vi,
                           const struct vrrp_sync_group_conf *g)
{
	struct vrrp_track_ref **v[TK_N];
	size_t *n[TK_N];
	conf_node at = {0}; /* a location for the report */

	track_slots(&vi->track, v, n);
	for (int k = 0; k < TK_N; k++) {
		for (size_t i = 0; i < *n[k]; i++) {
			struct vrrp_track_ref *r = &(*v[k])[i];

			if (!r->weight)
				continue;
			at.file = r->file;
			at.lineno = r->line;
			vb_warn(b, &at,
			        "(%s) ignoring weight %d of %s %s since the instance is in sync "
			        "group %s without sync_group_tracking_weight",
			        vi->name, r->weight, track_blocks[k], r->name, g->name);
			r->weight = 0;
		}
	}
}

static void build_group(struct vb *b, const conf_node *x, struct vrrp_sync_group_conf *g, size_t gi)
{
	const struct vrrp_global *gl = &b->c->global;
	struct vrrp_conf *c = b->c;
	int prio_changes = -1, smtp = -1;
	size_t n = 0, k = 0;

	g->name = vb_strdup(b, x->argv[1]);
	g->file = vb_file(b, x->file);
	g->line = x->lineno;
	for (const conf_node *gr = conf_first(x, "group"); gr; gr = conf_next_named(gr))
		for (const conf_node *l = gr->child; l; l = l->next)
			n += (size_t)l->argc;
	g->members = vb_calloc(b, n, sizeof(*g->members));
	for (const conf_node *gr = conf_first(x, "group"); g->members && gr;
	     gr = conf_next_named(gr)) {
		for (const conf_node *l = gr->child; l; l = l->next) {
			for (int i = 0; i < l->argc; i++) {
				int idx = vb_lookup(b->inst_ix, b->n_inst_ix, l->argv[i]);

				/* Unknown, or already a member of a group: reported by
				 * the tables. */
				if (idx < 0 || c->instances[idx].sync_group)
					continue;
				c->instances[idx].sync_group = g;
				c->instances[idx].sync_group_index = (int)gi;
				g->members[k++] = (size_t)idx;
			}
		}
	}
	g->n_members = g->members ? k : 0;
	for (const conf_node *m = x->child; m; m = m->next) {
		if (m->argc < 1 || vb_notify_kw(b, &g->notify, m, &prio_changes, &smtp))
			continue;
		if (vb_is(m, "sync_group_tracking_weight"))
			g->tracking_weight = true;
	}
	/* Not an instance keyword: never set for a group. */
	vb_cmd_free(g->notify.master_rx_lower_pri);
	g->notify.master_rx_lower_pri = NULL;
	g->notify.priority_changes = prio_changes >= 0 ? prio_changes : gl->notify_priority_changes;
	g->notify.smtp_alert = smtp >= 0 ? smtp : gl->smtp_alert;
	vb_build_tracking(b, x, &g->track);
}

void vb_build_sync_groups(struct vb *b, const conf_node *root)
{
	static const char *const names[] = {"vrrp_sync_group", NULL};
	struct vrrp_conf *c = b->c;
	const conf_node **v;
	size_t n = vb_unique_nodes(b, root, names, "vrrp_sync_group", &v), k = 0;

	c->sync_groups = vb_calloc(b, n, sizeof(*c->sync_groups));
	for (size_t i = 0; c->sync_groups && i < n && !b->oom; i++) {
		struct vrrp_sync_group_conf *g = &c->sync_groups[k];

		build_group(b, v[i], g, k);
		if (!g->n_members) { /* reported by the tables */
			vb_sync_group_clear(g);
			continue;
		}
		if (!g->tracking_weight)
			for (size_t j = 0; j < g->n_members; j++)
				ignore_weights(b, &c->instances[g->members[j]], g);
		k++;
	}
	c->n_sync_groups = c->sync_groups ? k : 0;
	free(v);
}
