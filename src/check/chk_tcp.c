/* TCP_CHECK: success is a completed TCP handshake.
 *
 * This is the hot path of the checker process (thousands of attempts per
 * second), so an attempt is one allocation holding its libevent event, one
 * event serves as both the writability wait and the connect timeout, and a
 * success costs socket + connect + epoll + SO_ERROR + SO_LINGER + close.
 *
 * Close with RST (SO_LINGER {1, 0}) after a successful connect: upstream
 * closes with FIN, which leaves every probe in TIME_WAIT on our side for
 * 60 s (300,000 sockets at 5,000 checks/s, past tcp_max_tw_buckets on small
 * hosts) and costs both ends a FIN exchange.  The handshake is all the check
 * proves; nothing is lost by aborting it.  The price: a server that accept()s
 * and then reads sees ECONNRESET instead of EOF (some log it at info level).
 */
#include <errno.h>
#include <event2/event.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check/check.h"
#include "lib/mtime.h"

/* Abort the connection on close; see the top of the file.  (-D to 0 to
 * measure the FIN close.) */
#ifndef CHK_TCP_CLOSE_RST
#define CHK_TCP_CLOSE_RST 1
#endif

struct check_attempt {
	int fd;
	check_done_fn done;
	void *arg;
	uint64_t timeout_us;
	char *why; /* set when the connect failed at once; lives in the tail */
	           /* followed by the struct event (event_get_struct_event_size()) */
};

#define EV_OFFSET                                                                                  \
	((sizeof(struct check_attempt) + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1))

static inline struct event *attempt_ev(struct check_attempt *a)
{
	return (struct event *)((char *)a + EV_OFFSET);
}

static void attempt_free(struct check_attempt *a)
{
	if (a->fd >= 0)
		close(a->fd);
	free(a);
}

static void on_event(evutil_socket_t fd, short what, void *arg)
{
	struct check_attempt *a = arg;
	struct check_outcome o;
	check_done_fn done = a->done;
	void *done_arg = a->arg;

	o.dyn_weight = -1;
	if (a->why) {
		check_outcome_fail(&o, "%s", a->why);
	} else if (what & EV_WRITE) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err == 0) {
			o.ok = true;
			o.why[0] = '\0';
#if CHK_TCP_CLOSE_RST
			{
				static const struct linger rst = {.l_onoff = 1, .l_linger = 0};

				(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
			}
#endif
		} else {
			check_outcome_fail(&o, "connect: %s", strerror(err));
		}
	} else {
		check_outcome_fail(&o, "connect timeout (%.1f s)", (double)a->timeout_us / 1e6);
	}
	/* Free before reporting: done() may start the next attempt at once. */
	attempt_free(a);
	done(done_arg, &o);
}

/* Errors that mean we could not try at all, as opposed to the target
 * being unreachable. */
static bool resource_error(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

static struct check_attempt *tcp_start(const struct check_io *io, const struct check_cfg *cfg,
                                       unsigned step, check_done_fn done, void *arg)
{
	struct check_attempt *a;
	struct timeval tv;
	const struct timeval *ptv;
	char why[sizeof(((struct check_outcome *)0)->why)];
	int fd;

	(void)step;
	fd = check_sock_connect(&cfg->conn, SOCK_STREAM, 0, why, sizeof(why));
	if (fd < 0) {
		size_t wl;

		if (resource_error(errno))
			return NULL;
		/* Bind or connect failed at once (unreachable, bad bindto):
		 * a failed attempt, reported from the loop like any other. */
		wl = strlen(why) + 1;
		a = malloc(EV_OFFSET + event_get_struct_event_size() + wl);
		if (!a)
			return NULL;
		a->fd = -1;
		a->done = done;
		a->arg = arg;
		a->timeout_us = 0;
		a->why = (char *)attempt_ev(a) + event_get_struct_event_size();
		memcpy(a->why, why, wl);
		if (event_assign(attempt_ev(a), io->base, -1, 0, on_event, a) < 0) {
			free(a);
			return NULL;
		}
		event_active(attempt_ev(a), EV_TIMEOUT, 1);
		return a;
	}

	a = malloc(EV_OFFSET + event_get_struct_event_size());
	if (!a) {
		close(fd);
		return NULL;
	}
	a->fd = fd;
	a->done = done;
	a->arg = arg;
	a->why = NULL;
	a->timeout_us = cfg->conn.connect_timeout_us ? cfg->conn.connect_timeout_us : 5000000u;
	us_to_timeval(a->timeout_us, &tv);
	/* Every TCP check of a configuration shares a handful of timeouts: a
	 * common-timeout queue makes arming and disarming O(1) instead of a
	 * heap operation.  It falls back to the heap past 256 durations. */
	ptv = event_base_init_common_timeout(io->base, &tv);
	if (!ptv)
		ptv = &tv;
	if (event_assign(attempt_ev(a), io->base, fd, EV_WRITE, on_event, a) < 0 ||
	    event_add(attempt_ev(a), ptv) < 0) {
		attempt_free(a);
		return NULL;
	}
	return a;
}

static void tcp_cancel(struct check_attempt *a)
{
	if (!a)
		return;
	event_del(attempt_ev(a));
	attempt_free(a);
}

const struct check_type_ops check_tcp_ops = {
    .type = CHECK_TCP,
    .start = tcp_start,
    .cancel = tcp_cancel,
};
