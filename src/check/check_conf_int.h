/* Internals shared by check_conf*.c: the arena and the builder context. */
#ifndef KA_CHECK_CONF_INT_H
#define KA_CHECK_CONF_INT_H

#include "check/check_conf.h"

struct cb {
	struct check_conf *c;
	const struct conf_tree *t;
	conf_report_fn report;
	void *arg;
	bool oom;
	bool script_user_set; /* global script_user */
	uid_t script_uid;
	gid_t script_gid;
};

void *cb_alloc(struct cb *b, size_t n, size_t size); /* zeroed, arena-owned */
char *cb_strdup(struct cb *b, const char *s);
void cb_report(struct cb *b, enum conf_sev sev, const conf_node *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define cb_warn(b, n, ...) cb_report((b), CONF_SEV_WARN, (n), __VA_ARGS__)
#define cb_err(b, n, ...) cb_report((b), CONF_SEV_ERROR, (n), __VA_ARGS__)

/* Tree values (the tables validated them; malformed values give dflt). */
bool cb_is(const conf_node *n, const char *name);
bool cb_bool(const conf_node *n); /* keyword alone = true */
long long cb_int(const conf_node *n, int i, long long dflt);
uint64_t cb_timer(const conf_node *n, int i, uint64_t dflt);
/* A script keyword's command line, run as the global script user. */
struct check_cmd *cb_cmd(struct cb *b, const conf_node *n);
/* USER [GROUP] at argv[i]: sets *set, *uid, *gid (reports unknown names). */
void cb_resolve_user(struct cb *b, const conf_node *n, int i, bool *set, uid_t *uid, gid_t *gid);
/* Hex string (X/x wildcards allowed when mask != NULL) -> bytes. */
uint8_t *cb_hex(struct cb *b, const char *s, uint8_t **mask, size_t *len);

/* Inherited behaviour values of the enclosing VS and RS (-1/UINT64_MAX =
 * unset). */
struct cb_inherit {
	long long retry;
	uint64_t delay_before_retry_us, delay_loop_us, warmup_us, connect_timeout_us;
	int alpha; /* -1 unset */
	const char *virtualhost;
};

/* check_conf_chk.c: one checker block of a real server. 0 = built. */
int cb_build_checker(struct cb *b, const conf_node *n, const struct check_rs_conf *rs,
                     const struct cb_inherit *in, struct check_cfg *out);

/* check_conf_plane.c: lvs_data_plane and what the chosen plane supports. */
void cb_plane_globals(struct cb *b, const conf_node *root);
void cb_plane_vs(struct cb *b, const conf_node *n, const struct check_vs_conf *vs);

#endif
