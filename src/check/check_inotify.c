/* inotify watcher for FILE_CHECK files: one inotify fd, one watch per
 * directory (the kernel merges watches on the same directory into one wd),
 * and a callback per changed path. */
#include "check/check_inotify.h"

#include <errno.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define WATCH_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_CREATE)

struct watch {
	int wd;           /* -1 once the directory went away (IN_IGNORED) */
	char *path;       /* as given */
	const char *name; /* the last component, inside path */
	bool pending;
};

struct check_inotify {
	int fd;
	struct event *ev;
	struct watch *w;
	size_t n, cap;
	void (*changed)(void *arg, const char *path);
	void *arg;
};

static void mark(struct check_inotify *w, const struct inotify_event *ie)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		struct watch *x = &w->w[i];

		if (ie->mask & IN_Q_OVERFLOW) {
			/* Events were lost: any file may have changed. */
			x->pending = true;
		} else if (x->wd == ie->wd) {
			if (ie->mask & IN_IGNORED) {
				x->wd = -1;
				x->pending = true;
			} else if (ie->len && strcmp(ie->name, x->name) == 0) {
				x->pending = true;
			}
		}
	}
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct check_inotify *w = arg;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	size_t i;

	(void)what;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (i = 0; i + sizeof(struct inotify_event) <= (size_t)n;) {
			const struct inotify_event *ie = (const struct inotify_event *)(buf + i);

			if (i + sizeof(*ie) + ie->len > (size_t)n)
				break;
			mark(w, ie);
			i += sizeof(*ie) + ie->len;
		}
	}
	/* By index: changed() may add watches (and so move the array). */
	for (i = 0; i < w->n; i++) {
		if (!w->w[i].pending)
			continue;
		w->w[i].pending = false;
		w->changed(w->arg, w->w[i].path);
	}
}

struct check_inotify *check_inotify_new(struct event_base *base,
                                        void (*changed)(void *arg, const char *path), void *arg)
{
	struct check_inotify *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->changed = changed;
	w->arg = arg;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		free(w);
		return NULL;
	}
	w->ev = event_new(base, w->fd, EV_READ | EV_PERSIST, on_read, w);
	if (!w->ev || event_add(w->ev, NULL) < 0) {
		check_inotify_free(w);
		return NULL;
	}
	return w;
}

int check_inotify_watch(struct check_inotify *w, const char *path)
{
	struct watch *x;
	const char *slash;
	char *dir;
	size_t i;
	int wd;

	if (!path || !*path || path[strlen(path) - 1] == '/') {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < w->n; i++)
		if (strcmp(w->w[i].path, path) == 0 && w->w[i].wd >= 0)
			return 0;
	slash = strrchr(path, '/');
	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return -1;
	wd = inotify_add_watch(w->fd, dir, WATCH_EVENTS | IN_ONLYDIR);
	free(dir);
	if (wd < 0)
		return -1;
	/* A path whose directory vanished and came back: re-arm in place. */
	for (i = 0; i < w->n; i++) {
		if (strcmp(w->w[i].path, path) == 0) {
			w->w[i].wd = wd;
			return 0;
		}
	}
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 4;
		struct watch *nw = realloc(w->w, cap * sizeof(*nw));

		if (!nw)
			return -1;
		w->w = nw;
		w->cap = cap;
	}
	x = &w->w[w->n];
	x->path = strdup(path);
	if (!x->path)
		return -1;
	x->name = slash ? x->path + (slash - path) + 1 : x->path;
	x->wd = wd;
	x->pending = false;
	w->n++;
	return 0;
}

void check_inotify_free(struct check_inotify *w)
{
	size_t i;

	if (!w)
		return;
	if (w->ev)
		event_free(w->ev);
	if (w->fd >= 0)
		close(w->fd);
	for (i = 0; i < w->n; i++)
		free(w->w[i].path);
	free(w->w);
	free(w);
}
