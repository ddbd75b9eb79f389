/* Building the typed VRRP configuration from the parsed tree: helpers,
 * global_defs, the root-level tracker definitions and blocks, the entry
 * points.  Instances and sync groups are in vrrp_conf_inst.c, the reload
 * comparisons in vrrp_conf_diff.c. */
#include <arpa/inet.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/script.h"
#include "vrrp/vrrp_conf_int.h"

struct vrrp_conf_index {
	struct vb_name *inst, *script, *group; /* sorted by name */
};

/* ---- helpers ---------------------------------------------------------------- */

void vb_report(struct vb *b, enum conf_sev sev, const conf_node *n, const char *fmt, ...)
{
	char msg[512];
	const char *file = n ? n->file : NULL;
	int line = n ? n->lineno : 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sev == CONF_SEV_WARN)
		b->c->counts.warnings++;
	else
		b->c->counts.errors[CONF_CLASS_CONFIG]++;
	if (b->report)
		b->report(b->arg, sev, CONF_CLASS_CONFIG, file, line, msg);
	else if (file)
		fprintf(stderr, "(%s: Line %d) %s\n", file, line, msg);
	else
		fprintf(stderr, "%s\n", msg);
}

void *vb_calloc(struct vb *b, size_t n, size_t size)
{
	void *p;

	if (n == 0)
		return NULL;
	p = calloc(n, size);
	if (!p)
		b->oom = true;
	return p;
}

char *vb_strdup(struct vb *b, const char *s)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	if (!p)
		b->oom = true;
	return p;
}

const char *vb_file(struct vb *b, const char *tree_file)
{
	struct vrrp_conf *c = b->c;
	char **nf;

	if (!tree_file)
		return NULL;
	if (tree_file == b->last_tree_file)
		return b->last_file;
	for (size_t i = 0; i < c->n_files; i++) {
		if (strcmp(c->files[i], tree_file) == 0) {
			b->last_tree_file = tree_file;
			b->last_file = c->files[i];
			return c->files[i];
		}
	}
	nf = realloc(c->files, (c->n_files + 1) * sizeof(*nf));
	if (!nf) {
		b->oom = true;
		return NULL;
	}
	c->files = nf;
	if (!(nf[c->n_files] = vb_strdup(b, tree_file)))
		return NULL;
	b->last_tree_file = tree_file;
	b->last_file = nf[c->n_files];
	return nf[c->n_files++];
}

char *vb_join(struct vb *b, const conf_node *n, int from)
{
	size_t len = 1;
	char *s, *p;

	for (int i = from; i < n->argc; i++)
		len += strlen(n->argv[i]) + 1;
	s = malloc(len);
	if (!s) {
		b->oom = true;
		return NULL;
	}
	p = s;
	for (int i = from; i < n->argc; i++) {
		size_t l = strlen(n->argv[i]);

		if (i > from)
			*p++ = ' ';
		memcpy(p, n->argv[i], l);
		p += l;
	}
	*p = '\0';
	return s;
}

void vb_cmd_clear(struct vrrp_cmd *cmd)
{
	if (!cmd)
		return;
	script_argv_free(cmd->argv);
	free(cmd->text);
	memset(cmd, 0, sizeof(*cmd));
}

void vb_cmd_free(struct vrrp_cmd *cmd)
{
	vb_cmd_clear(cmd);
	free(cmd);
}

int vb_cmd_init(struct vb *b, struct vrrp_cmd *cmd, const conf_node *n, uid_t uid, gid_t gid)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->uid = uid;
	cmd->gid = gid;
	cmd->file = vb_file(b, n->file);
	cmd->line = n->lineno;
	if (n->argc < 2)
		return -1;
	cmd->text = vb_join(b, n, 1);
	if (n->argc == 2) {
		cmd->argv = script_argv_split(n->argv[1]);
		if (!cmd->argv || !cmd->argv[0] || !cmd->argv[0][0]) {
			vb_err(b, n, "%s: cannot parse script '%s'", n->argv[0], n->argv[1]);
			vb_cmd_clear(cmd);
			return -1;
		}
	} else {
		cmd->argv = calloc((size_t)n->argc, sizeof(char *));
		if (!cmd->argv) {
			b->oom = true;
			vb_cmd_clear(cmd);
			return -1;
		}
		for (int i = 1; i < n->argc; i++) {
			if (!(cmd->argv[i - 1] = vb_strdup(b, n->argv[i]))) {
				vb_cmd_clear(cmd);
				return -1;
			}
		}
	}
	if (!cmd->text) {
		vb_cmd_clear(cmd);
		return -1;
	}
	return 0;
}

struct vrrp_cmd *vb_cmd_new(struct vb *b, const conf_node *n)
{
	struct vrrp_cmd *cmd = vb_calloc(b, 1, sizeof(*cmd));

	if (!cmd)
		return NULL;
	if (vb_cmd_init(b, cmd, n, b->c->global.script_uid, b->c->global.script_gid) < 0) {
		free(cmd);
		return NULL;
	}
	return cmd;
}

bool vb_is(const conf_node *n, const char *name)
{
	return n->argc > 0 && strcmp(n->argv[0], name) == 0;
}

bool vb_bool(const conf_node *n)
{
	bool v = true;

	if (n->argc > 1 && conf_parse_bool(n->argv[1], &v) < 0)
		v = true;
	return v;
}

long long vb_int(const conf_node *n, int i, long long dflt)
{
	long long v;

	if (i >= n->argc || conf_parse_int(n->argv[i], -(1LL << 62), 1LL << 62, &v) < 0)
		return dflt;
	return v;
}

uint64_t vb_timer(const conf_node *n, int i, uint64_t dflt)
{
	uint64_t v;

	if (i >= n->argc || conf_parse_timer_us(n->argv[i], 0, UINT64_MAX, &v) < 0)
		return dflt;
	return v;
}

/* ---- name indexes --------------------------------------------------------------- */

static int cmp_name(const void *x, const void *y)
{
	const struct vb_name *a = x, *b = y;
	int r = strcmp(a->name, b->name);

	return r ? r : (a->idx > b->idx) - (a->idx < b->idx);
}

int vb_lookup(const struct vb_name *ix, size_t n, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ix[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(ix[lo].name, name) == 0 ? (int)ix[lo].idx : -1;
}

size_t vb_unique_nodes(struct vb *b, const conf_node *root, const char *const *names,
                       const char *what, const conf_node ***out)
{
	size_t n = 0, k = 0;
	const conf_node **v;
	struct vb_name *ix;
	bool *skip;

	*out = NULL;
	for (const conf_node *x = root->child; x; x = x->next)
		for (const char *const *nm = names; *nm; nm++)
			if (x->argc > 1 && vb_is(x, *nm))
				n++;
	if (!n)
		return 0;
	v = vb_calloc(b, n, sizeof(*v));
	ix = vb_calloc(b, n, sizeof(*ix));
	skip = vb_calloc(b, n, sizeof(*skip));
	if (!v || !ix || !skip) {
		free(v);
		free(ix);
		free(skip);
		return 0;
	}
	for (const conf_node *x = root->child; x; x = x->next)
		for (const char *const *nm = names; *nm; nm++)
			if (x->argc > 1 && vb_is(x, *nm)) {
				ix[k] = (struct vb_name){.name = x->argv[1], .idx = k};
				v[k++] = x;
			}
	qsort(ix, n, sizeof(*ix), cmp_name);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(ix[i].name, ix[i - 1].name) != 0)
			continue;
		skip[ix[i].idx] = true;
		if (what) {
			size_t first = i - 1;

			while (first > 0 && strcmp(ix[first - 1].name, ix[i].name) == 0)
				first--;
			vb_warn(b, v[ix[i].idx], "%s %s already defined (line %d) - ignoring", what,
			        ix[i].name, v[ix[first].idx]->lineno);
		}
	}
	k = 0;
	for (size_t i = 0; i < n; i++)
		if (!skip[i])
			v[k++] = v[i];
	free(ix);
	free(skip);
	*out = v;
	return k;
}

/* An index over names[i] (stride bytes apart), for vb_lookup. */
static struct vb_name *make_index(struct vb *b, const void *base, size_t n, size_t stride)
{
	struct vb_name *ix = vb_calloc(b, n, sizeof(*ix));

	if (!ix)
		return NULL;
	for (size_t i = 0; i < n; i++)
		ix[i] = (struct vb_name){.name = *(char *const *)((const char *)base + i * stride),
		                         .idx = i};
	qsort(ix, n, sizeof(*ix), cmp_name);
	return ix;
}

/* ---- users -------------------------------------------------------------------- */

/* "USER [GROUP]" or "USER:GROUP" at argv[i]. 0 or -1 (reported). */
static int resolve_user(struct vb *b, const conf_node *n, int i, uid_t *uid, gid_t *gid)
{
	char user[256];
	const char *group = i + 1 < n->argc ? n->argv[i + 1] : NULL;
	const char *colon = strchr(n->argv[i], ':');
	struct passwd *pw;
	struct group *gr;

	if (colon && !group) {
		size_t l = (size_t)(colon - n->argv[i]);

		if (l >= sizeof(user))
			l = sizeof(user) - 1;
		memcpy(user, n->argv[i], l);
		user[l] = '\0';
		group = colon[1] ? colon + 1 : NULL;
	} else {
		snprintf(user, sizeof(user), "%s", n->argv[i]);
	}
	if (!(pw = getpwnam(user))) {
		vb_err(b, n, "%s: unknown user '%s'", n->argv[0], user);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (group) {
		if (!(gr = getgrnam(group))) {
			vb_err(b, n, "%s: unknown group '%s'", n->argv[0], group);
			return -1;
		}
		*gid = gr->gr_gid;
	}
	return 0;
}

/* ---- global_defs ---------------------------------------------------------------- */

static void global_defaults(struct vrrp_global *g)
{
	struct passwd *pw;

	memset(g, 0, sizeof(*g));
	g->version = 2;
	addr_parse("224.0.0.18", &g->mcast_group4);
	addr_parse("ff02::12", &g->mcast_group6);
	g->garp.master_delay_us = 5000000;
	g->garp.master_repeat = 5;
	g->garp.master_refresh_us = 0;
	g->garp.master_refresh_repeat = 1;
	g->garp.lower_prio_delay_us = VRRP_CONF_UNSET_U64;
	g->garp.lower_prio_repeat = VRRP_CONF_UNSET_U32;
	g->down_timer_adverts = 3;
	g->max_auto_priority = -1;
	pw = getpwnam("keepalived_script");
	if (pw) {
		g->script_uid = pw->pw_uid;
		g->script_gid = pw->pw_gid;
	}
}

static void set_fifo(struct vb *b, struct vrrp_fifo *f, const conf_node *n)
{
	free(f->path);
	f->path = vb_strdup(b, n->argv[1]);
	f->user_set = false;
	if (n->argc > 2 && resolve_user(b, n, 2, &f->uid, &f->gid) == 0)
		f->user_set = true;
}

/* One global_defs keyword. */
static void global_kw(struct vb *b, const conf_node *n, bool *lpna_set, bool *oia_set,
                      int *smtp_vrrp, const conf_node **fifo_scripts)
{
	struct vrrp_global *g = &b->c->global;
	const char *k = n->argv[0];

	if (!strcmp(k, "router_id")) {
		free(g->router_id);
		g->router_id = vb_strdup(b, n->argv[1]);
	} else if (!strcmp(k, "vrrp_version")) {
		g->version = (int)vb_int(n, 1, 2);
	} else if (!strcmp(k, "vrrp_mcast_group4")) {
		addr_parse(n->argv[1], &g->mcast_group4);
	} else if (!strcmp(k, "vrrp_mcast_group6")) {
		addr_parse(n->argv[1], &g->mcast_group6);
	} else if (!strcmp(k, "vrrp_garp_master_delay")) {
		g->garp.master_delay_us = (uint64_t)vb_int(n, 1, 5) * 1000000u;
	} else if (!strcmp(k, "vrrp_garp_master_repeat")) {
		g->garp.master_repeat = (uint32_t)vb_int(n, 1, 5);
	} else if (!strcmp(k, "vrrp_garp_master_refresh")) {
		g->garp.master_refresh_us = (uint64_t)vb_int(n, 1, 0) * 1000000u;
	} else if (!strcmp(k, "vrrp_garp_master_refresh_repeat")) {
		g->garp.master_refresh_repeat = (uint32_t)vb_int(n, 1, 1);
	} else if (!strcmp(k, "vrrp_garp_lower_prio_delay")) {
		g->garp.lower_prio_delay_us = (uint64_t)vb_int(n, 1, 0) * 1000000u;
	} else if (!strcmp(k, "vrrp_garp_lower_prio_repeat")) {
		g->garp.lower_prio_repeat = (uint32_t)vb_int(n, 1, 0);
	} else if (!strcmp(k, "vrrp_garp_interval")) {
		g->garp_interval_us = vb_timer(n, 1, 0);
	} else if (!strcmp(k, "vrrp_gna_interval")) {
		g->gna_interval_us = vb_timer(n, 1, 0);
	} else if (!strcmp(k, "vrrp_garp_extra_if") || !strcmp(k, "vrrp_vmac_garp_intvl")) {
		int i = n->argc > 2 && !strcmp(n->argv[1], "all") ? 2 : 1;

		g->garp.extra_if_all = i == 2;
		g->garp.extra_if_us = (uint64_t)vb_int(n, i, 0) * 1000000u;
	} else if (!strcmp(k, "vrrp_down_timer_adverts")) {
		g->down_timer_adverts = (unsigned)vb_int(n, 1, 3);
	} else if (!strcmp(k, "vrrp_netlink_monitor_rcv_bufs")) {
		g->nl_monitor_rcvbuf = (uint32_t)vb_int(n, 1, 0);
	} else if (!strcmp(k, "vrrp_lower_prio_no_advert")) {
		g->lower_prio_no_advert = vb_bool(n);
		*lpna_set = true;
	} else if (!strcmp(k, "vrrp_higher_prio_send_advert")) {
		g->higher_prio_send_advert = vb_bool(n);
	} else if (!strcmp(k, "vrrp_check_unicast_src")) {
		g->check_unicast_src = true;
	} else if (!strcmp(k, "vrrp_skip_check_adv_addr")) {
		g->skip_check_adv_addr = true;
	} else if (!strcmp(k, "vrrp_strict")) {
		g->strict = true;
	} else if (!strcmp(k, "vrrp_owner_ignore_adverts")) {
		g->owner_ignore_adverts = vb_bool(n);
		*oia_set = true;
	} else if (!strcmp(k, "v3_checksum_as_v2")) {
		g->v3_checksum_as_v2 = vb_bool(n);
	} else if (!strcmp(k, "vrrp_notify_priority_changes")) {
		g->notify_priority_changes = vb_bool(n);
	} else if (!strcmp(k, "smtp_alert")) {
		g->smtp_alert = vb_bool(n);
	} else if (!strcmp(k, "smtp_alert_vrrp")) {
		*smtp_vrrp = vb_bool(n);
	} else if (!strcmp(k, "vrrp_startup_delay")) {
		g->startup_delay_us = vb_timer(n, 1, 0);
	} else if (!strcmp(k, "vrrp_delay_after_boot")) {
		g->delay_after_boot_us = vb_timer(n, 1, 0);
	} else if (!strcmp(k, "log_unknown_vrids")) {
		g->log_unknown_vrids = true;
	} else if (!strcmp(k, "vmac_prefix")) {
		free(g->vmac_prefix);
		g->vmac_prefix = vb_strdup(b, n->argv[1]);
	} else if (!strcmp(k, "default_interface")) {
		free(g->default_interface);
		g->default_interface = vb_strdup(b, n->argv[1]);
	} else if (!strcmp(k, "dynamic_interfaces")) {
		g->dynamic_interfaces = true;
		g->allow_if_changes = n->argc > 1;
	} else if (!strcmp(k, "disable_local_igmp")) {
		g->disable_local_igmp = true;
	} else if (!strcmp(k, "notify_fifo")) {
		set_fifo(b, &g->notify_fifo, n);
	} else if (!strcmp(k, "vrrp_notify_fifo")) {
		set_fifo(b, &g->vrrp_notify_fifo, n);
	} else if (!strcmp(k, "notify_fifo_script")) {
		fifo_scripts[0] = n;
	} else if (!strcmp(k, "vrrp_notify_fifo_script")) {
		fifo_scripts[1] = n;
	} else if (!strcmp(k, "fifo_write_vrrp_states_on_reload")) {
		g->fifo_write_states_on_reload = true;
	} else if (!strcmp(k, "script_user")) {
		if (resolve_user(b, n, 1, &g->script_uid, &g->script_gid) == 0)
			g->script_user_set = true;
	} else if (!strcmp(k, "enable_script_security")) {
		g->script_security = true;
	} else if (!strcmp(k, "max_auto_priority")) {
		g->max_auto_priority = (int)vb_int(n, 1, 99);
	}
}

static void build_global(struct vb *b, const conf_node *root)
{
	struct vrrp_global *g = &b->c->global;
	bool lpna_set = false, oia_set = false;
	int smtp_vrrp = -1;
	const conf_node *fifo_scripts[2] = {NULL, NULL};
	const conf_node *gd;

	global_defaults(g);
	/* vrrp_min_garp first, so that explicit keywords override it. */
	for (gd = conf_first(root, "global_defs"); gd; gd = conf_next_named(gd))
		for (const conf_node *n = conf_first(gd, "vrrp_min_garp"); n;
		     n = conf_next_named(n))
			g->min_garp = vb_bool(n);
	if (g->min_garp) {
		g->garp.master_repeat = 1;
		g->garp.master_delay_us = 0;
	}
	for (gd = conf_first(root, "global_defs"); gd; gd = conf_next_named(gd))
		for (const conf_node *n = gd->child; n; n = n->next)
			if (n->argc > 0)
				global_kw(b, n, &lpna_set, &oia_set, &smtp_vrrp, fifo_scripts);
	if (smtp_vrrp >= 0)
		g->smtp_alert = smtp_vrrp;
	if (g->strict && !lpna_set)
		g->lower_prio_no_advert = true;
	if (g->strict && !oia_set)
		g->owner_ignore_adverts = true;
	if (!g->vmac_prefix)
		g->vmac_prefix = vb_strdup(b, "vrrp");
	/* The FIFO scripts run as the script user, set by now. */
	if (fifo_scripts[0])
		g->notify_fifo.script = vb_cmd_new(b, fifo_scripts[0]);
	if (fifo_scripts[1])
		g->vrrp_notify_fifo.script = vb_cmd_new(b, fifo_scripts[1]);
}

/* ---- vrrp_script ----------------------------------------------------------------- */

static void build_script(struct vb *b, const conf_node *x, struct vrrp_script_conf *s)
{
	const struct vrrp_global *g = &b->c->global;
	const conf_node *script = NULL;
	bool timeout_set = false;

	s->name = vb_strdup(b, x->argv[1]);
	s->file = vb_file(b, x->file);
	s->line = x->lineno;
	s->interval_us = 1000000;
	s->rise = s->fall = 1;
	s->cmd.uid = g->script_uid;
	s->cmd.gid = g->script_gid;
	for (const conf_node *n = x->child; n; n = n->next) {
		const char *k = n->argv[0];

		if (!strcmp(k, "script")) {
			script = n;
		} else if (!strcmp(k, "interval")) {
			s->interval_us = vb_timer(n, 1, 1000000);
		} else if (!strcmp(k, "timeout")) {
			s->timeout_us = vb_timer(n, 1, 1000000);
			timeout_set = true;
		} else if (!strcmp(k, "weight")) {
			s->weight = (int)vb_int(n, 1, 0);
			s->weight_reverse = n->argc > 2 && !strcmp(n->argv[2], "reverse");
		} else if (!strcmp(k, "rise")) {
			s->rise = (unsigned)vb_int(n, 1, 1);
		} else if (!strcmp(k, "fall")) {
			s->fall = (unsigned)vb_int(n, 1, 1);
		} else if (!strcmp(k, "user")) {
			if (resolve_user(b, n, 1, &s->cmd.uid, &s->cmd.gid) == 0)
				s->user_set = true;
		} else if (!strcmp(k, "init_fail")) {
			s->init_fail = true;
		}
	}
	if (!timeout_set)
		s->timeout_us = s->interval_us;
	if (script) {
		uid_t uid = s->cmd.uid;
		gid_t gid = s->cmd.gid;

		vb_cmd_init(b, &s->cmd, script, uid, gid);
		s->cmd.uid = uid;
		s->cmd.gid = gid;
	}
}

static const char *const script_names[] = {"vrrp_script", NULL};
static const char *const tfile_names[] = {"track_file", "vrrp_track_file", NULL};

static void build_scripts(struct vb *b, const conf_node *root)
{
	struct vrrp_conf *c = b->c;
	const conf_node **v;
	size_t n = vb_unique_nodes(b, root, script_names, "vrrp_script", &v);
	size_t k = 0;

	c->scripts = vb_calloc(b, n, sizeof(*c->scripts));
	for (size_t i = 0; c->scripts && i < n; i++) {
		/* No `script`: reported by the tables, left out. */
		if (!conf_first(v[i], "script"))
			continue;
		build_script(b, v[i], &c->scripts[k]);
		if (!c->scripts[k].cmd.argv) { /* unparsable: reported */
			vb_cmd_clear(&c->scripts[k].cmd);
			free(c->scripts[k].name);
			memset(&c->scripts[k], 0, sizeof(c->scripts[k]));
			continue;
		}
		k++;
	}
	c->n_scripts = c->scripts ? k : 0;
	free(v);
	b->script_ix = make_index(b, c->scripts, c->n_scripts, sizeof(*c->scripts));
	b->n_script_ix = b->script_ix ? c->n_scripts : 0;
}

/* ---- track_file ------------------------------------------------------------------- */

static void build_tfile(struct vb *b, const conf_node *x, struct vrrp_track_file_conf *f)
{
	f->name = vb_strdup(b, x->argv[1]);
	f->file = vb_file(b, x->file);
	f->line = x->lineno;
	f->weight = 1;
	for (const conf_node *n = x->child; n; n = n->next) {
		const char *k = n->argv[0];

		if (!strcmp(k, "file")) {
			free(f->path);
			f->path = vb_strdup(b, n->argv[1]);
		} else if (!strcmp(k, "weight")) {
			f->weight = (int)vb_int(n, 1, 1);
			f->weight_reverse = n->argc > 2 && !strcmp(n->argv[2], "reverse");
		} else if (!strcmp(k, "init_file")) {
			int i = 1;

			f->init_file = true;
			f->init_value = 0;
			f->init_overwrite = false;
			if (i < n->argc && strcmp(n->argv[i], "overwrite") != 0)
				f->init_value = (int)vb_int(n, i++, 0);
			if (i < n->argc && !strcmp(n->argv[i], "overwrite"))
				f->init_overwrite = true;
		}
	}
}

static void build_track_files(struct vb *b, const conf_node *root)
{
	struct vrrp_conf *c = b->c;
	const conf_node **v;
	size_t n = vb_unique_nodes(b, root, tfile_names, "track_file", &v);
	size_t k = 0;

	c->track_files = vb_calloc(b, n, sizeof(*c->track_files));
	for (size_t i = 0; c->track_files && i < n; i++)
		if (conf_first(v[i], "file"))
			build_tfile(b, v[i], &c->track_files[k++]);
	c->n_track_files = c->track_files ? k : 0;
	free(v);
	b->tfile_ix = make_index(b, c->track_files, c->n_track_files, sizeof(*c->track_files));
	b->n_tfile_ix = b->tfile_ix ? c->n_track_files : 0;
}

/* ---- entry points ------------------------------------------------------------------ */

struct vrrp_conf *vrrp_conf_build(const struct conf_tree *t, conf_report_fn report, void *arg)
{
	struct vrrp_conf *c = calloc(1, sizeof(*c));
	struct vb b = {.c = c, .t = t, .report = report, .arg = arg};

	if (!c)
		return NULL;
	/* Each stage needs the previous ones complete: stop at the first
	 * allocation failure. */
	build_global(&b, &t->root);
	if (!b.oom)
		build_scripts(&b, &t->root);
	if (!b.oom)
		build_track_files(&b, &t->root);
	if (!b.oom)
		vb_build_root_blocks(&b, &t->root);
	if (!b.oom)
		vb_build_instances(&b, &t->root);
	if (!b.oom) {
		b.inst_ix = make_index(&b, c->instances, c->n_instances, sizeof(*c->instances));
		b.n_inst_ix = b.inst_ix ? c->n_instances : 0;
	}
	if (!b.oom)
		vb_build_sync_groups(&b, &t->root);
	if (!b.oom)
		vb_check_dup_vips(&b);
	free(b.tfile_ix);
	c->index = vb_calloc(&b, 1, sizeof(*c->index));
	if (c->index && !b.oom) {
		c->index->inst = b.inst_ix;
		c->index->script = b.script_ix;
		c->index->group =
		    make_index(&b, c->sync_groups, c->n_sync_groups, sizeof(*c->sync_groups));
	} else {
		free(b.inst_ix);
		free(b.script_ix);
	}
	if (b.oom) {
		vrrp_conf_free(c);
		return NULL;
	}
	return c;
}

static void fifo_clear(struct vrrp_fifo *f)
{
	free(f->path);
	vb_cmd_free(f->script);
}

void vrrp_conf_free(struct vrrp_conf *c)
{
	if (!c)
		return;
	free(c->global.router_id);
	free(c->global.vmac_prefix);
	free(c->global.default_interface);
	fifo_clear(&c->global.notify_fifo);
	fifo_clear(&c->global.vrrp_notify_fifo);
	for (size_t i = 0; i < c->n_scripts; i++) {
		free(c->scripts[i].name);
		vb_cmd_clear(&c->scripts[i].cmd);
	}
	free(c->scripts);
	for (size_t i = 0; i < c->n_track_files; i++) {
		free(c->track_files[i].name);
		free(c->track_files[i].path);
	}
	free(c->track_files);
	for (size_t i = 0; i < c->n_instances; i++)
		vb_instance_clear(&c->instances[i]);
	free(c->instances);
	for (size_t i = 0; i < c->n_sync_groups; i++)
		vb_sync_group_clear(&c->sync_groups[i]);
	free(c->sync_groups);
	for (size_t i = 0; i < c->n_garp_groups; i++) {
		for (size_t j = 0; c->garp_groups[i].ifnames && c->garp_groups[i].ifnames[j]; j++)
			free(c->garp_groups[i].ifnames[j]);
		free(c->garp_groups[i].ifnames);
	}
	free(c->garp_groups);
	for (size_t i = 0; i < c->n_linkbeat; i++)
		free(c->linkbeat[i].ifname);
	free(c->linkbeat);
	for (size_t i = 0; i < c->n_if_delays; i++)
		free(c->if_delays[i].ifname);
	free(c->if_delays);
	for (size_t i = 0; i < c->n_static_addrs; i++)
		vb_vip_clear(&c->static_addrs[i]);
	free(c->static_addrs);
	for (size_t i = 0; i < c->n_static_routes; i++)
		vb_raw_clear(&c->static_routes[i]);
	free(c->static_routes);
	for (size_t i = 0; i < c->n_static_rules; i++)
		vb_raw_clear(&c->static_rules[i]);
	free(c->static_rules);
	for (size_t i = 0; i < c->n_files; i++)
		free(c->files[i]);
	free(c->files);
	if (c->index) {
		free(c->index->inst);
		free(c->index->script);
		free(c->index->group);
		free(c->index);
	}
	free(c);
}

int vrrp_conf_find_instance(const struct vrrp_conf *c, const char *name)
{
	return c->index ? vb_lookup(c->index->inst, c->n_instances, name) : -1;
}

int vrrp_conf_find_script(const struct vrrp_conf *c, const char *name)
{
	return c->index ? vb_lookup(c->index->script, c->n_scripts, name) : -1;
}

int vrrp_conf_find_sync_group(const struct vrrp_conf *c, const char *name)
{
	return c->index ? vb_lookup(c->index->group, c->n_sync_groups, name) : -1;
}
