/* Notify scripts and FIFOs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/script.h"
#include "vrrp/vrrp_notify.h"

int vrrp_fifo_open(const char *path)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) < 0) {
		if (errno != ENOENT || mkfifo(path, 0600) < 0) {
			log_err("Cannot create notify FIFO %s: %s", path, strerror(errno));
			return -1;
		}
	} else if (!S_ISFIFO(st.st_mode)) {
		log_err("Notify FIFO %s exists and is not a FIFO", path);
		return -1;
	}
	/* Read-write so that opening never fails for want of a reader. */
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		log_err("Cannot open notify FIFO %s: %s", path, strerror(errno));
	return fd;
}

void vrrp_fifo_write_state(int fd, bool group, const char *name, const char *state, int priority)
{
	char line[512];
	int n;

	if (fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%s \"%s\" %s %d\n", group ? "GROUP" : "INSTANCE", name,
	             state, priority);
	if (n <= 0 || (size_t)n >= sizeof(line))
		return;
	if (write(fd, line, (size_t)n) < 0 && errno != EAGAIN)
		log_warn("Notify FIFO write failed: %s", strerror(errno));
}

struct notify_job {
	struct notify_job *next;
	char **argv;
	uid_t uid;
	gid_t gid;
	bool set_ids;
	uint64_t timeout_us;
};

struct vrrp_notify_queue {
	struct script_runner *sr;
	struct notify_job *head, *tail;
	unsigned len;
	bool running;
	bool dead; /* freed by its owner while a script ran */
};

static void job_free(struct notify_job *j)
{
	char **a;

	for (a = j->argv; a && *a; a++)
		free(*a);
	free(j->argv);
	free(j);
}

static void run_next(struct vrrp_notify_queue *q);

static void job_done(void *arg, enum script_result r, int status)
{
	struct vrrp_notify_queue *q = arg;

	if (r != SCRIPT_EXITED || status != 0)
		log_info("Notify script ended: %s %d", script_result_str(r), status);
	q->running = false;
	if (q->dead) {
		free(q);
		return;
	}
	run_next(q);
}

static void run_next(struct vrrp_notify_queue *q)
{
	while (!q->running && q->head) {
		struct notify_job *j = q->head;
		struct script_spec spec = {.argv = j->argv,
		                           .uid = j->uid,
		                           .gid = j->gid,
		                           .set_ids = j->set_ids,
		                           .timeout_us = j->timeout_us,
		                           .done = job_done,
		                           .arg = q};

		q->head = j->next;
		if (!q->head)
			q->tail = NULL;
		q->len--;
		if (script_run(q->sr, &spec) > 0)
			q->running = true;
		else
			log_err("Cannot run notify script %s", j->argv[0]);
		job_free(j);
	}
}

static char **argv_build(char *const *base, const char *extra[], int nextra)
{
	int n = 0, i;
	char **v;

	while (base[n])
		n++;
	v = calloc((size_t)(n + nextra + 1), sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < n; i++)
		v[i] = strdup(base[i]);
	for (i = 0; i < nextra; i++)
		v[n + i] = strdup(extra[i]);
	for (i = 0; i < n + nextra; i++)
		if (!v[i]) {
			for (i = 0; i < n + nextra; i++)
				free(v[i]);
			free(v);
			return NULL;
		}
	return v;
}

static void push(struct vrrp_notify_queue *q, char **argv, uid_t uid, gid_t gid, bool set_ids,
                 uint64_t timeout_us)
{
	struct notify_job *j;

	if (!argv)
		return;
	j = calloc(1, sizeof(*j));
	if (!j) {
		char **a;

		for (a = argv; *a; a++)
			free(*a);
		free(argv);
		return;
	}
	j->argv = argv;
	j->uid = uid;
	j->gid = gid;
	j->set_ids = set_ids;
	j->timeout_us = timeout_us;
	if (q->tail)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
	q->len++;
}

void vrrp_notify_queue_push(struct vrrp_notify_queue *q, char *const *state_argv,
                            char *const *generic_argv, bool group, const char *name,
                            const char *state, int priority, uid_t uid, gid_t gid, bool set_ids,
                            uint64_t timeout_us)
{
	char prio[16];
	const char *extra[4] = {group ? "GROUP" : "INSTANCE", name, state, prio};

	snprintf(prio, sizeof(prio), "%d", priority);
	if (state_argv && state_argv[0])
		push(q, argv_build(state_argv, NULL, 0), uid, gid, set_ids, timeout_us);
	if (generic_argv && generic_argv[0])
		push(q, argv_build(generic_argv, extra, 4), uid, gid, set_ids, timeout_us);
	run_next(q);
}

struct vrrp_notify_queue *vrrp_notify_queue_new(struct script_runner *sr)
{
	struct vrrp_notify_queue *q = calloc(1, sizeof(*q));

	if (q)
		q->sr = sr;
	return q;
}

void vrrp_notify_queue_free(struct vrrp_notify_queue *q)
{
	struct notify_job *j, *next;

	if (!q)
		return;
	for (j = q->head; j; j = next) {
		next = j->next;
		job_free(j);
	}
	q->head = q->tail = NULL;
	q->len = 0;
	if (q->running)
		q->dead = true; /* the running script's completion frees it */
	else
		free(q);
}

unsigned vrrp_notify_queue_len(const struct vrrp_notify_queue *q)
{
	return q->len + (q->running ? 1 : 0);
}
