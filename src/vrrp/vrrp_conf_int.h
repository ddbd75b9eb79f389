/* Internals shared by vrrp_conf*.c: the builder context and its helpers. */
#ifndef KA_VRRP_CONF_INT_H
#define KA_VRRP_CONF_INT_H

#include "vrrp/vrrp_conf.h"

/* A name -> index entry of a sorted lookup table. */
struct vb_name {
	const char *name;
	size_t idx;
};

struct vb {
	struct vrrp_conf *c;
	const struct conf_tree *t;
	conf_report_fn report;
	void *arg;
	bool oom;
	/* Sorted lookups, built once. */
	struct vb_name *inst_ix, *script_ix, *tfile_ix;
	size_t n_inst_ix, n_script_ix, n_tfile_ix;
	/* Interning cache: the tree's last file pointer and its copy. */
	const char *last_tree_file, *last_file;
};

void vb_report(struct vb *b, enum conf_sev sev, const conf_node *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define vb_warn(b, n, ...) vb_report((b), CONF_SEV_WARN, (n), __VA_ARGS__)
#define vb_err(b, n, ...) vb_report((b), CONF_SEV_ERROR, (n), __VA_ARGS__)

/* Warn about a VIP configured in two instances (vrrp_conf_dupvip.c). */
void vb_check_dup_vips(struct vb *b);

void *vb_calloc(struct vb *b, size_t n, size_t size);
char *vb_strdup(struct vb *b, const char *s);
/* The conf's copy of a tree file name (NULL stays NULL). */
const char *vb_file(struct vb *b, const char *tree_file);
/* argv[from..] joined by single spaces ("" when none). */
char *vb_join(struct vb *b, const conf_node *n, int from);
/* Fill cmd from argv[1..] of a script keyword line. 0 or -1 (reported). */
int vb_cmd_init(struct vb *b, struct vrrp_cmd *cmd, const conf_node *n, uid_t uid, gid_t gid);
/* A new command from a script keyword line, or NULL. */
struct vrrp_cmd *vb_cmd_new(struct vb *b, const conf_node *n);
void vb_cmd_clear(struct vrrp_cmd *cmd);
void vb_cmd_free(struct vrrp_cmd *cmd);

/* Tree values (the tables validated them; malformed values give defaults). */
bool vb_bool(const conf_node *n); /* keyword alone = true */
long long vb_int(const conf_node *n, int i, long long dflt);
uint64_t vb_timer(const conf_node *n, int i, uint64_t dflt);
bool vb_is(const conf_node *n, const char *name);

/* Root children named one of names[] with a name argument; the first of
 * each name only, in file order.  Later duplicates are warned about when
 * `what` is set.  Returns the count; *out is malloc'd (free it). */
size_t vb_unique_nodes(struct vb *b, const conf_node *root, const char *const *names,
                       const char *what, const conf_node ***out);
/* Sorted name index lookup; -1 when absent. */
int vb_lookup(const struct vb_name *ix, size_t n, const char *name);

/* vrrp_conf_parts.c */
void vb_replace(struct vb *b, char **slot, const char *s); /* free + strdup */
size_t vb_block_lines(const conf_node *parent, const char *name);
void vb_build_tracking(struct vb *b, const conf_node *owner, struct vrrp_tracking *t);
void vb_tracking_clear(struct vrrp_tracking *t);
/* A notify keyword of an instance or sync group (false if n is not one);
 * notify_priority_changes / smtp_alert go to *prio_changes / *smtp. */
bool vb_notify_kw(struct vb *b, struct vrrp_notify *nt, const conf_node *n, int *prio_changes,
                  int *smtp);
void vb_notify_clear(struct vrrp_notify *nt);
int vb_parse_vip(struct vb *b, const conf_node *l, struct vrrp_vip *v, bool is_virtual);
void vb_vip_clear(struct vrrp_vip *v);
int vb_raw_line(struct vb *b, const conf_node *l, struct vrrp_raw_line *r);
void vb_raw_clear(struct vrrp_raw_line *r);
/* garp_group, linkbeat_interfaces, interface_up_down_delays, static_*. */
void vb_build_root_blocks(struct vb *b, const conf_node *root);
void vb_build_sync_groups(struct vb *b, const conf_node *root);
void vb_sync_group_clear(struct vrrp_sync_group_conf *g);

/* vrrp_conf_inst.c */
void vb_build_instances(struct vb *b, const conf_node *root);
void vb_instance_clear(struct vrrp_instance_conf *vi);

#endif
