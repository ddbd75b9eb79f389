/* Real-server and virtual-server notifications: the notify_up/notify_down
 * and quorum_up/quorum_down scripts (argv as configured, no extra
 * arguments) and the LVS FIFO lines (reference §3.4). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check/check_engine_int.h"
#include "lib/kaevent.h"
#include "lib/log.h"
#include "lib/script.h"
#include "vrrp/vrrp_notify.h"

void ck_fifos_open(struct check_engine *e)
{
	const struct check_conf *c = e->conf;

	if (c->lvs_fifo && e->lvs_fifo_fd < 0)
		e->lvs_fifo_fd = vrrp_fifo_open(c->lvs_fifo);
	if (c->notify_fifo && e->notify_fifo_fd < 0)
		e->notify_fifo_fd = vrrp_fifo_open(c->notify_fifo);
}

void ck_fifos_close(struct check_engine *e)
{
	if (e->lvs_fifo_fd >= 0)
		close(e->lvs_fifo_fd);
	if (e->notify_fifo_fd >= 0)
		close(e->notify_fifo_fd);
	e->lvs_fifo_fd = e->notify_fifo_fd = -1;
}

/* Upstream writes the line with its terminating NUL; readers tolerate it,
 * and some depend on it, so do the same.  Non-blocking: a full FIFO drops
 * the line. */
static void fifo_line(struct check_engine *e, const char *line)
{
	size_t len = strlen(line) + 1;
	int fds[2] = {e->lvs_fifo_fd, e->notify_fifo_fd};

	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0 && write(fds[i], line, len) < 0 && errno != EAGAIN)
			log_warn("checker: cannot write to the notify FIFO: %s", strerror(errno));
}

static void run(struct check_engine *e, const struct check_cmd *cmd)
{
	struct script_spec s = {0};

	if (!cmd || !e->scripts)
		return;
	s.argv = cmd->argv;
	s.set_ids = cmd->set_ids;
	s.uid = cmd->uid;
	s.gid = cmd->gid;
	s.timeout_us = 0;
	if (script_run(e->scripts, &s) < 0)
		log_warn("checker: cannot run '%s'", cmd->text);
}

void ck_notify_rs(struct check_engine *e, struct ck_rs *rs, bool up)
{
	char a[KA_ADDRSTRLEN + 16], line[KA_ADDRSTRLEN * 2 + 64];

	check_rs_fmt(rs->vs->conf, rs->conf, a, sizeof(a));
	snprintf(line, sizeof(line), "RS %s %s %s\n", a, rs->vs->conf->fifo_name,
	         up ? "UP" : "DOWN");
	fifo_line(e, line);
	run(e, up ? rs->conf->notify_up : rs->conf->notify_down);
	ka_event_publish(&(struct ka_event){.kind = KA_EV_RS,
	                                    .name = rs->vs->conf->fifo_name,
	                                    .rs = a,
	                                    .up = up,
	                                    .initial = !e->started,
	                                    .alert = rs->conf->smtp_alert});
}

void ck_notify_vs(struct check_engine *e, struct ck_vs *vs, bool up)
{
	char line[KA_ADDRSTRLEN + 64];

	snprintf(line, sizeof(line), "VS %s %s\n", vs->conf->fifo_name, up ? "UP" : "DOWN");
	fifo_line(e, line);
	run(e, up ? vs->conf->quorum_up : vs->conf->quorum_down);
	ka_event_publish(&(struct ka_event){.kind = KA_EV_VS_QUORUM,
	                                    .name = vs->conf->fifo_name,
	                                    .up = up,
	                                    .initial = !e->started,
	                                    .alert = vs->conf->smtp_alert});
}
