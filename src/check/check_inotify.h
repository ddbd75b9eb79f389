/* Tell the checker engine when a watched file changes, so a FILE_CHECK can
 * run again at once instead of at its next delay_loop.
 *
 * Each path's directory is watched (IN_CLOSE_WRITE, IN_MOVED_TO, IN_DELETE,
 * IN_CREATE), so a file that does not exist yet, or is replaced by rename,
 * is still seen.  changed() runs on the event loop, at most once per path
 * per batch of inotify events; it must not free the watcher.
 */
#ifndef KA_CHECK_INOTIFY_H
#define KA_CHECK_INOTIFY_H

struct event_base;
struct check_inotify;

struct check_inotify *check_inotify_new(struct event_base *base,
                                        void (*changed)(void *arg, const char *path), void *arg);
/* 0, or -1 with errno (ENOENT: the directory does not exist). */
int check_inotify_watch(struct check_inotify *w, const char *path);
void check_inotify_free(struct check_inotify *w);

#endif
