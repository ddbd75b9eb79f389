/* After the parse: every script keyword names an executable, and unless
 * enable_script_security is set, no script may be modifiable by a non-root
 * user (it would run as root). */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/daemon.h"
#include "lib/script.h"

struct sc_ctx {
	struct conf_tree *t;
	bool security;
	conf_report_fn report;
	void *arg;
	unsigned insecure;
};

static void sc_report(struct sc_ctx *s, enum conf_sev sev, enum conf_class cls, const conf_node *n,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void sc_report(struct sc_ctx *s, enum conf_sev sev, enum conf_class cls, const conf_node *n,
                      const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sev == CONF_SEV_WARN)
		s->t->counts.warnings++;
	else
		s->t->counts.errors[cls]++;
	if (s->report)
		s->report(s->arg, sev, cls, n ? n->file : NULL, n ? n->lineno : 0, msg);
	else if (n)
		fprintf(stderr, "(%s: Line %d) %s\n", n->file, n->lineno, msg);
	else
		fprintf(stderr, "%s\n", msg);
}

/* Resolve a program name like execvp would.  Returns 0 and fills out. */
static int resolve(const char *prog, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL;
	int rc = -1;

	if (strchr(prog, '/')) {
		snprintf(out, len, "%s", prog);
		return 0;
	}
	copy = strdup(path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if (!copy)
		return -1;
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", dir, prog);
		if (access(out, X_OK) == 0) {
			rc = 0;
			break;
		}
	}
	free(copy);
	return rc;
}

static bool writable_by_others(const struct stat *st)
{
	if (st->st_uid != 0)
		return true;
	if (S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX))
		return false; /* sticky: others cannot replace our entries */
	return (st->st_mode & (S_IWGRP | S_IWOTH)) != 0;
}

/* The file and every directory above it must be root's and not writable
 * by anyone else. */
static bool path_insecure(const char *path)
{
	char buf[PATH_MAX], *slash;
	struct stat st;

	if (!realpath(path, buf))
		return true;
	if (stat(buf, &st) < 0 || writable_by_others(&st))
		return true;
	while ((slash = strrchr(buf, '/')) != NULL) {
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (stat(buf, &st) < 0 || writable_by_others(&st))
			return true;
		if (slash == buf)
			break;
	}
	return false;
}

static bool in_vrrp_script(const conf_node *n)
{
	return n->parent && n->parent->argc > 0 && n->parent->kw &&
	       strcmp(n->parent->argv[0], "vrrp_script") == 0;
}

/* Returns true when the script must not run: the caller removes it. */
static bool check_one(struct sc_ctx *s, const conf_node *n)
{
	char **argv, path[PATH_MAX];
	struct stat st;
	enum conf_sev sev = in_vrrp_script(n) ? CONF_SEV_ERROR : CONF_SEV_WARN;
	bool disable = false;

	if (n->argc < 2)
		return false;
	argv = n->argc == 2 ? script_argv_split(n->argv[1]) : NULL;
	if (n->argc == 2 && !argv) {
		sc_report(s, CONF_SEV_ERROR, CONF_CLASS_CONFIG, n, "%s: cannot parse script '%s'",
		          n->argv[0], n->argv[1]);
		return true;
	}
	const char *prog = argv ? argv[0] : n->argv[1];

	if (resolve(prog, path, sizeof(path)) < 0 || stat(path, &st) < 0) {
		sc_report(s, sev, CONF_CLASS_CONFIG, n, "%s: script '%s' not found - disabling",
		          n->argv[0], prog);
		disable = true;
	} else if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0) {
		sc_report(s, sev, CONF_CLASS_CONFIG, n,
		          "%s: script '%s' is not executable - disabling", n->argv[0], prog);
		disable = true;
	} else if (path_insecure(path)) {
		if (s->security) {
			sc_report(s, CONF_SEV_ERROR, CONF_CLASS_CONFIG, n,
			          "%s: script '%s' is writable by a non-root user - disabling",
			          n->argv[0], prog);
			disable = true;
		} else
			sc_report(s, CONF_SEV_WARN, CONF_CLASS_CONFIG, n,
			          "%s: script '%s' is writable by a non-root user", n->argv[0],
			          prog);
		s->insecure++;
	}
	script_argv_free(argv);
	return disable;
}

/* "- disabling" must mean it: the keyword leaves the tree, so no child
 * ever runs the script (a vrrp_script without one is then reported and
 * ignored by the VRRP checks).  Nodes live in the tree's pool: unlink only. */
static void unlink_node(conf_node *parent, conf_node *prev, conf_node *n)
{
	if (prev)
		prev->next = n->next;
	else
		parent->child = n->next;
	if (parent->last == n)
		parent->last = prev;
	n->next = NULL;
}

static void walk(struct sc_ctx *s, conf_node *parent)
{
	conf_node *n, *next, *prev = NULL;

	for (n = parent->child; n; n = next) {
		next = n->next;
		if (n->kw && (n->kw->flags & CONF_KW_SCRIPT) && check_one(s, n)) {
			unlink_node(parent, prev, n);
			continue;
		}
		if (n->child)
			walk(s, n);
		prev = n;
	}
}

void ka_check_scripts(struct conf_tree *t, bool script_security, conf_report_fn report, void *arg)
{
	struct sc_ctx s = {.t = t, .security = script_security, .report = report, .arg = arg};

	walk(&s, &t->root);
	if (s.insecure && !script_security)
		sc_report(&s, CONF_SEV_ERROR, CONF_CLASS_SCRIPT_SEC, NULL,
		          "SECURITY VIOLATION - scripts are being executed but script_security "
		          "not enabled. There are insecure scripts.");
}
