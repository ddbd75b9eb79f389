/* Tracking in the VRRP runtime: vrrp_script runs (asynchronous, with a
 * timeout, rise/fall), tracked interfaces, and the inputs of the priority
 * arithmetic. */
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/mtime.h"
#include "lib/script.h"
#include "vrrp/vrrp_if.h"
#include "vrrp/vrrp_rt.h"

static void schedule(struct vrrp_script_rt *s, uint64_t after_us)
{
	struct timeval tv;

	us_to_timeval(after_us, &tv);
	evtimer_add(s->timer, &tv);
}

static void script_done(void *arg, enum script_result r, int status)
{
	struct vrrp_script_rt *s = arg;
	struct vrrp_rt *rt = s->rt;
	bool ok = r == SCRIPT_EXITED && status == 0;
	size_t i;

	s->running = false;
	if (s->orphan) {
		event_free(s->timer);
		free(s);
		return;
	}
	s->runs++;
	if (!ok)
		s->failures++;
	if (vrrp_risefall_result(&s->rf, ok)) {
		log_info("VRRP_Script(%s) %s", s->c->name, s->rf.up ? "succeeded" : "failed");
		if (!ok && r == SCRIPT_TIMEOUT)
			log_info("VRRP_Script(%s) timed out", s->c->name);
		for (i = 0; i < rt->n_inst; i++)
			vrrp_inst_update_tracking(rt->inst[i]);
	}
	schedule(s, s->c->interval_us);
}

static void on_script_timer(evutil_socket_t fd, short what, void *arg)
{
	struct vrrp_script_rt *s = arg;
	struct script_spec spec = {.argv = s->c->cmd.argv,
	                           .uid = s->c->cmd.uid,
	                           .gid = s->c->cmd.gid,
	                           .set_ids = s->c->cmd.uid != 0 || s->c->cmd.gid != 0,
	                           .timeout_us = s->c->timeout_us,
	                           .done = script_done,
	                           .arg = s};

	(void)fd;
	(void)what;
	if (s->running)
		return;
	if (script_run(s->rt->sr, &spec) > 0) {
		s->running = true;
	} else {
		log_err("VRRP_Script(%s) cannot be run", s->c->name);
		script_done(s, SCRIPT_EXEC_FAILED, 0);
	}
}

/* Only scripts some instance tracks are run. */
static bool script_used(const struct vrrp_conf *c, size_t idx)
{
	size_t i, k;

	for (i = 0; i < c->n_instances; i++)
		for (k = 0; k < c->instances[i].track.n_scripts; k++)
			if (c->instances[i].track.scripts[k].index == (int)idx)
				return true;
	for (i = 0; i < c->n_sync_groups; i++)
		for (k = 0; k < c->sync_groups[i].track.n_scripts; k++)
			if (c->sync_groups[i].track.scripts[k].index == (int)idx)
				return true;
	return false;
}

static int scripts_create(struct vrrp_rt *rt, struct vrrp_script_rt *const *old, size_t n_old)
{
	size_t i, j;

	rt->n_scripts = rt->conf->n_scripts;
	rt->scripts = rt->n_scripts ? calloc(rt->n_scripts, sizeof(*rt->scripts)) : NULL;
	if (rt->n_scripts && !rt->scripts)
		return -1;
	for (i = 0; i < rt->n_scripts; i++) {
		struct vrrp_script_rt *s = calloc(1, sizeof(*s));
		bool carried = false;

		if (!s)
			return -1;
		rt->scripts[i] = s;
		s->rt = rt;
		s->c = &rt->conf->scripts[i];
		s->timer = evtimer_new(rt->base, on_script_timer, s);
		if (!s->timer)
			return -1;
		for (j = 0; j < n_old; j++)
			if (strcmp(old[j]->c->name, s->c->name) == 0 &&
			    vrrp_script_conf_equal(old[j]->c, s->c)) {
				s->rf = old[j]->rf;
				s->runs = old[j]->runs;
				s->failures = old[j]->failures;
				carried = true;
			}
		if (!carried)
			vrrp_risefall_init(&s->rf, s->c->rise, s->c->fall, s->c->init_fail);
		if (script_used(rt->conf, i))
			schedule(s, carried ? s->c->interval_us : 0);
	}
	return 0;
}

/* A script still running keeps its runtime until it completes. */
static void scripts_free(struct vrrp_script_rt **s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!s[i])
			continue;
		if (s[i]->running) {
			s[i]->orphan = true;
			evtimer_del(s[i]->timer);
			continue;
		}
		if (s[i]->timer)
			event_free(s[i]->timer);
		free(s[i]);
	}
	free(s);
}

int vrrp_rt_scripts_start(struct vrrp_rt *rt)
{
	return scripts_create(rt, NULL, 0);
}

int vrrp_rt_scripts_restart(struct vrrp_rt *rt, const struct vrrp_conf *old)
{
	struct vrrp_script_rt **os = rt->scripts;
	size_t n = rt->n_scripts;
	int rc;

	(void)old;
	rc = scripts_create(rt, os, n);
	scripts_free(os, n);
	return rc;
}

void vrrp_rt_scripts_stop(struct vrrp_rt *rt)
{
	scripts_free(rt->scripts, rt->n_scripts);
	rt->scripts = NULL;
	rt->n_scripts = 0;
}

static bool script_up(const struct vrrp_rt *rt, const struct vrrp_track_ref *r)
{
	if (r->index < 0 || (size_t)r->index >= rt->n_scripts)
		return false;
	return rt->scripts[r->index]->rf.up;
}

static bool if_up(const struct vrrp_rt *rt, const char *name)
{
	struct vrrp_if *ifp = vrrp_if_by_name(rt->ift, name);

	return ifp && vrrp_if_is_up(ifp);
}

static size_t add_refs(const struct vrrp_rt *rt, const struct vrrp_tracking *t,
                       struct vrrp_track_input *in, size_t n, size_t max)
{
	size_t k;

	for (k = 0; k < t->n_ifs && n < max; k++, n++)
		in[n] = (struct vrrp_track_input){.weight = t->ifs[k].weight,
		                                  .reverse = t->ifs[k].reverse,
		                                  .up = if_up(rt, t->ifs[k].name)};
	for (k = 0; k < t->n_scripts && n < max; k++, n++)
		in[n] = (struct vrrp_track_input){.weight = t->scripts[k].weight,
		                                  .reverse = t->scripts[k].reverse,
		                                  .up = script_up(rt, &t->scripts[k])};
	for (k = 0; k < t->n_files && n < max; k++, n++)
		in[n] = vrrp_rt_file_input(rt, &t->files[k]);
	return n;
}

int vrrp_inst_track_inputs(const struct vrrp_inst *vi, struct vrrp_track_input *in, size_t max)
{
	size_t n = add_refs(vi->rt, &vi->c->track, in, 0, max);

	if (vi->c->sync_group)
		n = add_refs(vi->rt, &vi->c->sync_group->track, in, n, max);
	return (int)n;
}
