/* The checker child's subsystem hooks.  The check engine arrives with the
 * checker work; for now the child owns the virtual-server configuration and
 * reports it in its data dump. */
#include <stdio.h>

#include "core/daemon.h"

struct check_state {
	const struct ka_config *cfg;
};

static struct check_state check_state;

static int check_start_cfg(void *state, const struct ka_config *c)
{
	struct check_state *s = state;

	s->cfg = c;
	log_info("Checker: %u virtual server(s) configured",
	         conf_count(&c->tree->root, "virtual_server"));
	return 0;
}

static int check_reload(void *state, const struct ka_config *old, const struct ka_config *c)
{
	(void)old;
	return check_start_cfg(state, c);
}

static int check_start(void *state, const struct ka_child_env *env, const struct ka_config *c)
{
	(void)env;
	return check_start_cfg(state, c);
}

static void print_args(FILE *fp, const conf_node *n)
{
	int i;

	for (i = 1; i < n->argc; i++)
		fprintf(fp, "%s%s", i > 1 ? " " : "", n->argv[i]);
}

static void check_dump_data(void *state, FILE *fp)
{
	struct check_state *s = state;
	const conf_node *vs, *rs;

	fprintf(fp, "------< Health checkers >------\n");
	for (vs = conf_first(&s->cfg->tree->root, "virtual_server"); vs; vs = conf_next_named(vs)) {
		fprintf(fp, " Virtual Server = ");
		print_args(fp, vs);
		fputc('\n', fp);
		for (rs = conf_first(vs, "real_server"); rs; rs = conf_next_named(rs)) {
			fprintf(fp, "   Real Server = ");
			print_args(fp, rs);
			fputc('\n', fp);
		}
	}
}

const struct ka_child_ops check_child_ops = {
    .kind = KA_CHILD_CHECK,
    .name = "Healthcheck",
    .ident = "Keepalived_healthcheckers",
    .file_suffix = "_healthcheckers",
    .start = check_start,
    .reload = check_reload,
    .dump_data = check_dump_data,
    .state = &check_state,
};
