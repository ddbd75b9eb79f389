/* A child's reload off its event loop: a thread reads and checks the
 * configuration and builds the subsystem's view of it (ka_child_ops.prepare),
 * then hands both to the loop through a pipe, where the difference is
 * applied.  The loop never waits for the parse, so adverts and checks stay
 * on time while a 50,000-line file is read.
 *
 * Requests that arrive while a parse runs are coalesced into one more parse
 * when it ends (the file may have changed meanwhile).  The thread runs
 * SCHED_OTHER at a lower priority than the loop (the VRRP child's loop may
 * be SCHED_RR) and with every signal blocked.  The configuration a reload
 * replaced is freed there too (a 50,000-line tree takes milliseconds to
 * free, and the VRRP loop's adverts are due every few). */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/child_reload.h"

#define WORKER_NICE_STEP 10
#define TRASH_MAX 8

struct reload_worker {
	struct event_base *base;
	const struct ka_options *o;
	const struct ka_child_ops *ops;
	reload_done_fn done;
	void *arg;
	int pipe[2];
	struct event *ev;
	pthread_t thread;
	bool busy;  /* a thread runs (or ended and is not joined yet) */
	bool again; /* a request came while it ran */
	bool parse; /* the running thread's job: parse (else only free) */
	/* configurations to free: queued by the loop, handed to a thread */
	struct ka_config *trash[TRASH_MAX], *job_trash[TRASH_MAX];
	unsigned n_trash, n_job_trash;
	/* the thread's results, read by the loop after the join */
	struct ka_config *nc;
	void *prepared;
	uint64_t started_us;
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void *worker_main(void *arg)
{
	struct reload_worker *w = arg;
	unsigned semantic = KA_SEMANTIC_VRRP | KA_SEMANTIC_CHECK;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	int nice_v;
	char b = 1;

	errno = 0;
	nice_v = getpriority(PRIO_PROCESS, (id_t)tid);
	if (errno == 0)
		setpriority(PRIO_PROCESS, (id_t)tid,
		            nice_v + WORKER_NICE_STEP > 19 ? 19 : nice_v + WORKER_NICE_STEP);
	for (unsigned i = 0; i < w->n_job_trash; i++)
		ka_config_free(w->job_trash[i]);
	w->n_job_trash = 0;
	if (w->parse) {
		/* The subsystem's own builder runs below instead of its
		 * semantic check. */
		if (w->ops->prepare)
			semantic &=
			    w->ops->kind == KA_CHILD_VRRP ? ~KA_SEMANTIC_VRRP : ~KA_SEMANTIC_CHECK;
		w->nc = ka_config_load_part(w->o, NULL, NULL, semantic);
		if (w->nc && w->ops->prepare)
			w->prepared = w->ops->prepare(w->nc);
	}
	while (write(w->pipe[1], &b, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static int start_thread(struct reload_worker *w, bool parse)
{
	pthread_attr_t attr;
	struct sched_param sp = {0};
	sigset_t all, old;
	int r;

	if (pthread_attr_init(&attr) != 0)
		return -1;
	/* not the loop's real-time policy */
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_OTHER);
	pthread_attr_setschedparam(&attr, &sp);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	w->nc = NULL;
	w->prepared = NULL;
	w->parse = parse;
	memcpy(w->job_trash, w->trash, sizeof(w->trash));
	w->n_job_trash = w->n_trash;
	w->n_trash = 0;
	if (parse)
		w->started_us = now_us();
	r = pthread_create(&w->thread, &attr, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (r != 0) {
		log_err("Reload: cannot start the reload thread: %s", strerror(r));
		/* the loop frees them after all */
		for (unsigned i = 0; i < w->n_job_trash; i++)
			ka_config_free(w->job_trash[i]);
		w->n_job_trash = 0;
		return -1;
	}
	w->busy = true;
	return 0;
}

static void join(struct reload_worker *w)
{
	pthread_join(w->thread, NULL);
	w->busy = false;
}

static void on_done(evutil_socket_t fd, short what, void *arg)
{
	struct reload_worker *w = arg;
	struct ka_config *nc;
	void *prepared;
	char b[16];

	(void)what;
	while (read(fd, b, sizeof(b)) > 0)
		;
	if (!w->busy)
		return;
	join(w);
	if (w->parse) {
		nc = w->nc;
		prepared = w->prepared;
		w->nc = NULL;
		w->prepared = NULL;
		w->done(w->arg, nc, prepared, (now_us() - w->started_us) / 1000u);
	}
	/* done() may have started a thread to free the replaced
	 * configuration: a pending parse follows that one */
	if (w->busy)
		return;
	if (w->again) {
		w->again = false;
		if (start_thread(w, true) < 0)
			w->done(w->arg, NULL, NULL, 0);
	} else if (w->n_trash) {
		start_thread(w, false);
	}
}

struct reload_worker *reload_worker_new(struct event_base *base, const struct ka_options *o,
                                        const struct ka_child_ops *ops, reload_done_fn done,
                                        void *arg)
{
	struct reload_worker *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->base = base;
	w->o = o;
	w->ops = ops;
	w->done = done;
	w->arg = arg;
	if (pipe2(w->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		free(w);
		return NULL;
	}
	w->ev = event_new(base, w->pipe[0], EV_READ | EV_PERSIST, on_done, w);
	if (!w->ev || event_add(w->ev, NULL) < 0) {
		reload_worker_free(w);
		return NULL;
	}
	return w;
}

int reload_worker_request(struct reload_worker *w)
{
	if (w->busy) {
		w->again = true;
		return 0;
	}
	return start_thread(w, true);
}

void reload_worker_dispose(struct reload_worker *w, struct ka_config *c)
{
	if (!c)
		return;
	if (!w || w->n_trash == TRASH_MAX) {
		ka_config_free(c);
		return;
	}
	w->trash[w->n_trash++] = c;
	if (!w->busy)
		start_thread(w, false);
}

void reload_worker_free(struct reload_worker *w)
{
	if (!w)
		return;
	if (w->busy) {
		join(w);
		if (w->prepared && w->ops->prepared_free)
			w->ops->prepared_free(w->prepared);
		ka_config_free(w->nc);
	}
	for (unsigned i = 0; i < w->n_trash; i++)
		ka_config_free(w->trash[i]);
	if (w->ev)
		event_free(w->ev);
	close(w->pipe[0]);
	close(w->pipe[1]);
	free(w);
}
