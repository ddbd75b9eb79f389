/* FILE_CHECK: the number in a track_file decides the checker.
 *
 * The file is small and local, so an attempt reads it at once and reports
 * from the next loop iteration (done must never run inside start).  The
 * contents are read as upstream 2.2 does (observed): a leading C integer,
 * trailing text ignored, and a missing, empty or non-numeric file is 0.
 * check_inotify.c lets the engine re-check as soon as the file changes.
 */
#include "check/chk_file.h"
#include "lib/track_value.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <limits.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int check_file_parse(const char *buf, size_t len, long long *value, const char **why)
{
	return track_value_parse(buf, len, value, why);
}

void check_file_judge(const struct check_file *f, long long value, struct check_outcome *o,
                      long long *weight_add)
{
	o->ok = true;
	o->dyn_weight = -1;
	o->why[0] = '\0';
	*weight_add = 0;
	if (f->weight == 0) {
		/* Down while non-zero; reverse: down while zero. */
		if ((value != 0) == f->reverse)
			return;
		if (f->reverse)
			check_outcome_fail(o, "track file %s holds 0 (reverse)", f->name);
		else
			check_outcome_fail(o, "track file %s holds %lld", f->name, value);
		return;
	}
	/* |value| and |weight| are both below 2^31: the product fits. */
	*weight_add = value * f->weight;
	if (f->reverse)
		*weight_add = -*weight_add;
}

struct check_attempt {
	check_done_fn done;
	void *arg;
	struct check_outcome o;
	/* followed by the struct event */
};

#define EV_OFFSET                                                                                  \
	((sizeof(struct check_attempt) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1))

static inline struct event *attempt_ev(struct check_attempt *a)
{
	return (struct event *)((char *)a + EV_OFFSET);
}

static void on_ready(evutil_socket_t fd, short what, void *arg)
{
	struct check_attempt *a = arg;
	struct check_outcome o = a->o;
	check_done_fn done = a->done;
	void *done_arg = a->arg;

	(void)fd;
	(void)what;
	free(a);
	done(done_arg, &o);
}

/* Read the file into buf; a file that cannot be read counts as empty,
 * which is the value 0 (upstream). */
static size_t read_small(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return 0;
	do {
		n = read(fd, buf, size);
	} while (n < 0 && errno == EINTR);
	close(fd);
	return n > 0 ? (size_t)n : 0;
}

static struct check_attempt *file_start(const struct check_io *io, const struct check_cfg *cfg,
                                        unsigned step, check_done_fn done, void *arg)
{
	const struct check_file *f = &cfg->u.file;
	struct check_attempt *a;
	long long value = 0, add;
	const char *why = NULL;
	char buf[64];
	size_t n;

	(void)step;
	a = malloc(EV_OFFSET + event_get_struct_event_size());
	if (!a)
		return NULL;
	a->done = done;
	a->arg = arg;
	n = f->path ? read_small(f->path, buf, sizeof(buf)) : 0;
	if (check_file_parse(buf, n, &value, &why) < 0) {
		a->o.dyn_weight = -1;
		a->o.weight_add = 0;
		check_outcome_fail(&a->o, "track file %s (%s): %s", f->name ? f->name : "?",
		                   f->path, why);
	} else {
		check_file_judge(f, value, &a->o, &add);
		a->o.weight_add = add;
	}
	if (event_assign(attempt_ev(a), io->base, -1, 0, on_ready, a) < 0) {
		free(a);
		return NULL;
	}
	event_active(attempt_ev(a), EV_TIMEOUT, 1);
	return a;
}

static void file_cancel(struct check_attempt *a)
{
	if (!a)
		return;
	event_del(attempt_ev(a));
	free(a);
}

const struct check_type_ops check_file_ops = {
    .type = CHECK_FILE,
    .start = file_start,
    .cancel = file_cancel,
};
