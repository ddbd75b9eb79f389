/* The parent's signals: reload, stop, dumps (relayed to the children). */
#include <event2/event.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/parent_int.h"
#include "lib/pidfile.h"
#include "lib/script.h"
#include "lib/sdnotify.h"
#include "version.h"

/* CLOCK_MONOTONIC in microseconds, as RELOADING=1 wants it. */
static unsigned long long monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000;
}

static void reload(struct parent *p)
{
	struct ka_config *nc;

	log_info("Reloading configuration %s", p->o->conf_file);
	sdnotifyf("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=Reloading %s", monotonic_usec(),
	          p->o->conf_file);
	nc = ka_config_load(p->o, NULL, NULL);
	if (!nc) {
		log_err("Reload: out of memory, keeping the running configuration");
		p->reload_failures++;
		sdnotify("READY=1\nSTATUS=Reload failed: out of memory; the previous "
		         "configuration runs");
		return;
	}
	if (ka_config_exit_code(nc) != 0) {
		log_err("Reload: configuration %s has errors, keeping the running configuration",
		        p->o->conf_file);
		ka_config_free(nc);
		p->reload_failures++;
		sdnotifyf("READY=1\nSTATUS=Reload failed: %s has errors; the previous "
		          "configuration runs",
		          p->o->conf_file);
		return;
	}
	ka_config_free(p->cfg);
	p->cfg = nc;
	p->reloads++;
	parent_relay(p, SIGHUP, false);
	parent_apply_children(p);
	sdnotifyf("READY=1\nSTATUS=Running (reloads %u, failed %u)", p->reloads,
	          p->reload_failures);
}

static void fill_parent_data(void *arg, FILE *fp)
{
	struct parent *p = arg;
	static const char *const names[KA_CHILD_MAX] = {"VRRP", "Checker"};
	enum ka_child_kind k;

	fprintf(fp, "------< Parent process >------\n");
	fprintf(fp, " Version = %s (%s)\n", KA_VERSION, KA_GIT);
	fprintf(fp, " Pid = %d\n", (int)p->pid);
	fprintf(fp, " Config file = %s\n", p->o->conf_file);
	fprintf(fp, " Reloads = %u\n", p->reloads);
	fprintf(fp, " Failed reloads = %u\n", p->reload_failures);
	for (k = 0; k < KA_CHILD_MAX; k++) {
		const struct kid *kid = &p->kids[k];

		fprintf(fp, " %s child pid = %d\n", names[k], (int)kid->pid);
		fprintf(fp, " %s child restarts in window = %u\n", names[k], kid->quick_restarts);
	}
}

static void on_reload(evutil_socket_t fd, short what, void *arg)
{
	struct parent *p = arg;
	unsigned ok_before = p->reloads;

	(void)fd;
	(void)what;
	if (p->stopping)
		return;
	reload(p);
	parent_metrics_reloaded(p, p->reloads != ok_before);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct parent *p = arg;

	(void)what;
	if (p->stopping)
		return;
	if (sig == SIGHUP) {
		/* libevent calls us once per SIGHUP received, and they pile up
		 * while a reload parses: run one reload from the loop for the
		 * lot, so that child exits and hellos are served in between. */
		static const struct timeval now = {0, 0};

		if (!evtimer_pending(p->reload_ev, NULL))
			evtimer_add(p->reload_ev, &now);
	} else if (sig == SIGTERM || sig == SIGINT) {
		log_info("Stopping");
		parent_stop(p, KA_EXIT_OK);
	} else if (sig == SIGRTMAX) {
		/* TDUMP (--signum): upstream logs its thread list.  Our processes
		 * each run one event loop; say so rather than die of the
		 * signal's default action. */
		log_info("TDUMP: no thread list to dump (one event loop per process); "
		         "use SIGUSR1 for the state");
	} else {
		if (sig == SIGUSR1)
			ka_dump_write(p->cfg->parent_dump_file, fill_parent_data, p);
		/* Each child writes its own files (the checker's beside the
		 * VRRP ones: keepalived_check.data/.stats/.json). */
		parent_relay(p, sig, false);
	}
}

int parent_setup_signals(struct parent *p)
{
	int sigs[] = {SIGHUP,  SIGTERM,      SIGINT,       SIGUSR1,
	              SIGUSR2, SIGRTMIN + 2, SIGRTMAX - 1, SIGRTMAX};
	unsigned i;

	signal(SIGPIPE, SIG_IGN);
	p->reload_ev = evtimer_new(p->base, on_reload, p);
	if (!p->reload_ev)
		return -1;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct event *ev;

		if (sigs[i] == SIGINT && p->o->ignore_sigint) {
			signal(SIGINT, SIG_IGN);
			continue;
		}
		ev = evsignal_new(p->base, sigs[i], on_signal, p);
		if (!ev || evsignal_add(ev, NULL) < 0)
			return -1;
		p->sig_ev[p->nsig++] = ev;
	}
	return 0;
}

void parent_free(struct parent *p)
{
	enum ka_child_kind k;
	unsigned i;

	for (i = 0; i < p->nsig; i++)
		event_free(p->sig_ev[i]);
	if (p->reload_ev)
		event_free(p->reload_ev);
	for (k = 0; k < KA_CHILD_MAX; k++) {
		struct kid *kid = &p->kids[k];

		if (kid->ctl_ev)
			event_free(kid->ctl_ev);
		if (kid->ctl >= 0)
			close(kid->ctl);
		if (kid->respawn_ev)
			event_free(kid->respawn_ev);
		if (kid->reply_ev)
			event_free(kid->reply_ev);
	}
	if (p->hello_ev)
		event_free(p->hello_ev);
	if (p->stop_ev)
		event_free(p->stop_ev);
	if (p->scripts)
		script_runner_free(p->scripts);
	if (p->base)
		event_base_free(p->base);
	ka_config_free(p->cfg);
	ka_pidfiles_free(&p->pf);
	free(p);
}
