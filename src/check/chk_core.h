/* The plumbing shared by the SMTP, DNS, UDP and PING checkers: one attempt
 * owns at most one socket, one I/O event and one timer, all inside the
 * attempt's single allocation, and reports exactly once. */
#ifndef KA_CHK_CORE_H
#define KA_CHK_CORE_H

#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdbool.h>
#include <stdint.h>

#include "check/check.h"

#define CHK_DEFAULT_TIMEOUT_US 5000000ULL

struct chk_core {
	struct event_base *base;
	check_done_fn done;
	void *arg;
	struct event io_ev;  /* assigned by chk_core_watch */
	struct event tmo_ev; /* the attempt's deadline; also delivers late results */
	bool io_assigned;
	bool finishing; /* out is final; tmo_ev delivers it */
	int fd;
	void (*on_timeout)(struct chk_core *c);
	char who[80]; /* "SMTP [192.0.2.10]:25": prefix of every reason */
	struct check_outcome out;
};

/* The chk_core must be the first member of the attempt: chk_finish and
 * chk_cancel free it. */
void chk_core_init(struct chk_core *c, const struct check_io *io, check_done_fn done, void *arg,
                   void (*on_timeout)(struct chk_core *c));
/* "TYPE [addr]:port" into c->who (port omitted when has_port is false). */
void chk_core_who(struct chk_core *c, const char *type, const struct ka_addr *a, uint16_t port,
                  bool has_port);
/* (Re)arms the deadline us from now. */
void chk_core_arm(struct chk_core *c, uint64_t us);
/* Takes fd and watches it for `what` (EV_READ/EV_WRITE, EV_PERSIST). */
void chk_core_watch(struct chk_core *c, int fd, short what, event_callback_fn cb, void *cbarg);
/* Changes what the current fd is watched for. */
void chk_core_rewatch(struct chk_core *c, short what, event_callback_fn cb, void *cbarg);
/* Stops watching and closes the fd (the attempt goes on). */
void chk_core_close_fd(struct chk_core *c);

/* Report c->out now (from an event callback), then free the attempt. */
void chk_finish(struct chk_core *c);
/* Report failure with "who: reason" now. */
void chk_fail(struct chk_core *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void chk_succeed(struct chk_core *c);
/* From start(): the result is known already, but done must come from the
 * event loop.  Sets the failure and schedules its delivery. */
void chk_fail_later(struct chk_core *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Engine cancel: free without reporting. */
void chk_cancel(struct chk_core *c);

/* Helpers */
uint64_t chk_timeout_us(const struct check_conn *conn);      /* connect_timeout or 5 s */
const char *chk_dur_fmt(uint64_t us, char *buf, size_t len); /* "5s", "250ms", "1.5s" */
/* Have ICMP errors reported on a datagram socket: without it Linux keeps
 * quiet about "soft" errors such as host or net unreachable. */
void chk_dgram_recverr(int fd, int family);
/* A datagram check's start on its connected socket: ICMP errors on, the
 * read watch, the deadline, then the first datagram.  1 = sent; 0 = the
 * socket buffer is full and cb gets EV_WRITE to send it; -1 = failed
 * (reported through chk_fail_later). */
int chk_dgram_begin(struct chk_core *c, int fd, int family, uint64_t timeout_us,
                    event_callback_fn cb, void *cbarg, const void *buf, size_t len);
/* The EV_WRITE side of that: send the datagram that found the buffer full.
 * 1 = sent (cb gets EV_READ again); 0 = still full; -1 = failed (reported
 * with chk_fail: the attempt is over). */
int chk_dgram_resend(struct chk_core *c, event_callback_fn cb, void *cbarg, const void *buf,
                     size_t len);
/* Random bytes: getrandom(), falling back on a weak mix when it fails. */
void chk_random(void *buf, size_t len);

#endif
