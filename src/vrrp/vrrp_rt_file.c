/* track_file in the VRRP runtime: each tracked file holds a number, read
 * again whenever inotify reports a change in its directory.  With weight W
 * the number times W is added to the priority (reverse: subtracted); with
 * weight 0 a non-zero number (or an unreadable file) is a fault. */
#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/track_value.h"
#include "vrrp/vrrp_rt.h"

#define TF_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE)

/* Read the file's number; false if it cannot be read or is not a number. */
/* The file's value as upstream reads it: missing, empty or non-numeric is
 * 0.  False only for a number out of range (the old value then stays). */
static bool read_value(const char *path, long *out)
{
	char buf[64];
	ssize_t n = -1;
	long long v = 0;
	const char *why;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
	}
	if (track_value_parse(buf, n > 0 ? (size_t)n : 0, &v, &why) < 0)
		return false;
	*out = (long)v;
	return true;
}

static void refresh(struct vrrp_rt *rt)
{
	bool changed = false;
	size_t i;

	for (i = 0; i < rt->n_tfiles; i++) {
		struct vrrp_tfile_rt *f = &rt->tfiles[i];
		long v = f->value;
		bool ok = read_value(f->c->path, &v);

		if (!ok) {
			log_warn("Track file %s (%s): number out of range - value unchanged",
			         f->c->name, f->c->path);
			continue;
		}
		if (!f->ok || v != f->value) {
			log_info("Track file %s (%s) now holds %ld", f->c->name, f->c->path, v);
			f->ok = true;
			f->value = v;
			changed = true;
		}
	}
	if (changed)
		for (i = 0; i < rt->n_inst; i++)
			vrrp_inst_update_tracking(rt->inst[i]);
}

static void on_inotify(evutil_socket_t fd, short what, void *arg)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	refresh(arg);
}

static void init_file(const struct vrrp_track_file_conf *c)
{
	FILE *fp;

	if (!c->init_file || (!c->init_overwrite && access(c->path, F_OK) == 0))
		return;
	fp = fopen(c->path, "we");
	if (!fp) {
		log_warn("Track file %s: cannot create %s: %s", c->name, c->path, strerror(errno));
		return;
	}
	fprintf(fp, "%d\n", c->init_value);
	fclose(fp);
}

int vrrp_rt_files_start(struct vrrp_rt *rt)
{
	size_t i;

	rt->inotify_fd = -1;
	rt->n_tfiles = rt->conf->n_track_files;
	if (!rt->n_tfiles)
		return 0;
	rt->tfiles = calloc(rt->n_tfiles, sizeof(*rt->tfiles));
	if (!rt->tfiles)
		return -1;
	rt->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (rt->inotify_fd < 0) {
		log_err("track_file: inotify: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < rt->n_tfiles; i++) {
		struct vrrp_tfile_rt *f = &rt->tfiles[i];
		char *copy;

		f->c = &rt->conf->track_files[i];
		init_file(f->c);
		copy = strdup(f->c->path);
		if (copy && inotify_add_watch(rt->inotify_fd, dirname(copy), TF_EVENTS) < 0)
			log_warn("track_file %s: cannot watch %s: %s", f->c->name, f->c->path,
			         strerror(errno));
		free(copy);
		f->ok = read_value(f->c->path, &f->value);
	}
	rt->inotify_ev = event_new(rt->base, rt->inotify_fd, EV_READ | EV_PERSIST, on_inotify, rt);
	if (!rt->inotify_ev || event_add(rt->inotify_ev, NULL) < 0)
		return -1;
	return 0;
}

void vrrp_rt_files_stop(struct vrrp_rt *rt)
{
	if (rt->inotify_ev)
		event_free(rt->inotify_ev);
	rt->inotify_ev = NULL;
	if (rt->inotify_fd >= 0)
		close(rt->inotify_fd);
	rt->inotify_fd = -1;
	free(rt->tfiles);
	rt->tfiles = NULL;
	rt->n_tfiles = 0;
}

/* The tracker input of one track_file reference. */
struct vrrp_track_input vrrp_rt_file_input(const struct vrrp_rt *rt, const struct vrrp_track_ref *r)
{
	struct vrrp_track_input in = {.weight = 0, .reverse = r->reverse, .up = false};
	const struct vrrp_tfile_rt *f;
	long w;

	if (r->index < 0 || (size_t)r->index >= rt->n_tfiles)
		return in;
	f = &rt->tfiles[r->index];
	if (r->weight == 0) {
		in.up = f->ok && f->value == 0;
		return in;
	}
	if (!f->ok) {
		/* Unreadable: the worst the file could say. */
		in.weight = -253;
		in.up = false;
		in.reverse = false;
		return in;
	}
	w = f->value * r->weight;
	if (w > 253)
		w = 253;
	if (w < -253)
		w = -253;
	/* A positive weight counts while up, a negative one while down. */
	in.weight = (int)w;
	in.up = w >= 0;
	return in;
}
