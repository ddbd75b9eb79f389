/* `lvs_sync_daemon IF [[inst] VI] [id N] [maxlen N] [port N] [ttl N]
 * [group IP]` from global_defs: read by the checker (no instance: it runs
 * the daemon in both directions) and by the VRRP child (an instance: the
 * daemon follows that instance's state). */
#include <stdio.h>
#include <string.h>

#include "conf/conf.h"
#include "lvs/lvs.h"

static bool is_opt(const char *w)
{
	return strcmp(w, "id") == 0 || strcmp(w, "maxlen") == 0 || strcmp(w, "port") == 0 ||
	       strcmp(w, "ttl") == 0 || strcmp(w, "group") == 0;
}

bool lvs_syncd_from_tree(const struct conf_tree *t, struct lvs_syncd *s, char *inst,
                         size_t inst_len)
{
	const conf_node *g, *n, *found = NULL;
	int i = 2;

	memset(s, 0, sizeof(*s));
	if (inst_len)
		inst[0] = '\0';
	for (g = conf_first(&t->root, "global_defs"); g; g = conf_next_named(g))
		for (n = conf_first(g, "lvs_sync_daemon"); n; n = conf_next_named(n))
			if (n->argc > 1)
				found = n;
	if (!found)
		return false;
	n = found;
	snprintf(s->ifname, sizeof(s->ifname), "%s", n->argv[1]);
	if (i < n->argc && strcmp(n->argv[i], "inst") == 0)
		i++;
	if (i < n->argc && !is_opt(n->argv[i])) {
		if (inst_len)
			snprintf(inst, inst_len, "%s", n->argv[i]);
		i++;
	}
	for (; i + 1 < n->argc; i += 2) {
		const char *w = n->argv[i];
		long long v = 0;

		if (strcmp(w, "group") == 0) {
			(void)addr_parse(n->argv[i + 1], &s->mcast);
			continue;
		}
		if (conf_parse_int(n->argv[i + 1], 0, 65535, &v) < 0)
			continue;
		if (strcmp(w, "id") == 0)
			s->syncid = (uint32_t)v;
		else if (strcmp(w, "maxlen") == 0)
			s->maxlen = (uint16_t)v;
		else if (strcmp(w, "port") == 0)
			s->port = (uint16_t)v;
		else if (strcmp(w, "ttl") == 0)
			s->ttl = (uint8_t)v;
	}
	return true;
}
