/* Attempt plumbing for the protocol checkers: see chk_core.h. */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check/chk_core.h"

static void tmo_cb(evutil_socket_t fd, short what, void *arg)
{
	struct chk_core *c = arg;

	(void)fd;
	(void)what;
	if (c->finishing)
		chk_finish(c);
	else
		c->on_timeout(c);
}

void chk_core_init(struct chk_core *c, const struct check_io *io, check_done_fn done, void *arg,
                   void (*on_timeout)(struct chk_core *c))
{
	c->base = io->base;
	c->done = done;
	c->arg = arg;
	c->io_assigned = false;
	c->finishing = false;
	c->fd = -1;
	c->on_timeout = on_timeout;
	c->who[0] = 0;
	memset(&c->out, 0, sizeof(c->out));
	c->out.dyn_weight = -1;
	evtimer_assign(&c->tmo_ev, c->base, tmo_cb, c);
}

void chk_core_who(struct chk_core *c, const char *type, const struct ka_addr *a, uint16_t port,
                  bool has_port)
{
	char b[KA_ADDRSTRLEN];

	addr_fmt(a, b, sizeof(b));
	if (has_port)
		snprintf(c->who, sizeof(c->who), "%s [%s]:%u", type, b, port);
	else
		snprintf(c->who, sizeof(c->who), "%s [%s]", type, b);
}

void chk_core_arm(struct chk_core *c, uint64_t us)
{
	struct timeval tv = {.tv_sec = (time_t)(us / 1000000),
	                     .tv_usec = (suseconds_t)(us % 1000000)};

	evtimer_add(&c->tmo_ev, &tv);
}

void chk_core_watch(struct chk_core *c, int fd, short what, event_callback_fn cb, void *cbarg)
{
	chk_core_close_fd(c);
	c->fd = fd;
	event_assign(&c->io_ev, c->base, fd, what, cb, cbarg);
	c->io_assigned = true;
	event_add(&c->io_ev, NULL);
}

void chk_core_rewatch(struct chk_core *c, short what, event_callback_fn cb, void *cbarg)
{
	if (c->io_assigned)
		event_del(&c->io_ev);
	event_assign(&c->io_ev, c->base, c->fd, what, cb, cbarg);
	c->io_assigned = true;
	event_add(&c->io_ev, NULL);
}

void chk_core_close_fd(struct chk_core *c)
{
	if (c->io_assigned) {
		event_del(&c->io_ev);
		c->io_assigned = false;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}

static void release(struct chk_core *c)
{
	chk_core_close_fd(c);
	evtimer_del(&c->tmo_ev);
}

void chk_finish(struct chk_core *c)
{
	struct check_outcome o = c->out;
	check_done_fn done = c->done;
	void *arg = c->arg;

	release(c);
	free(c);
	/* last: done may well start the next attempt */
	done(arg, &o);
}

static void vfail(struct chk_core *c, const char *fmt, va_list ap)
{
	char msg[sizeof(c->out.why)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	check_outcome_fail(&c->out, "%s: %s", c->who, msg);
}

void chk_fail(struct chk_core *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(c, fmt, ap);
	va_end(ap);
	chk_finish(c);
}

void chk_succeed(struct chk_core *c)
{
	c->out.ok = true;
	c->out.why[0] = 0;
	chk_finish(c);
}

void chk_fail_later(struct chk_core *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(c, fmt, ap);
	va_end(ap);
	chk_core_close_fd(c);
	c->finishing = true;
	evtimer_del(&c->tmo_ev);
	event_active(&c->tmo_ev, EV_TIMEOUT, 1);
}

void chk_cancel(struct chk_core *c)
{
	release(c);
	free(c);
}

uint64_t chk_timeout_us(const struct check_conn *conn)
{
	return conn->connect_timeout_us ? conn->connect_timeout_us : CHK_DEFAULT_TIMEOUT_US;
}

const char *chk_dur_fmt(uint64_t us, char *buf, size_t len)
{
	if (us % 1000000 == 0)
		snprintf(buf, len, "%llus", (unsigned long long)(us / 1000000));
	else if (us < 1000000 && us % 1000 == 0)
		snprintf(buf, len, "%llums", (unsigned long long)(us / 1000));
	else
		snprintf(buf, len, "%.3gs", (double)us / 1e6);
	return buf;
}

void chk_dgram_recverr(int fd, int family)
{
	int one = 1;

	if (family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one));
	else
		(void)setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
}

int chk_dgram_begin(struct chk_core *c, int fd, int family, uint64_t timeout_us,
                    event_callback_fn cb, void *cbarg, const void *buf, size_t len)
{
	ssize_t n;

	chk_dgram_recverr(fd, family);
	chk_core_watch(c, fd, EV_READ | EV_PERSIST, cb, cbarg);
	chk_core_arm(c, timeout_us);
	do
		n = send(fd, buf, len, 0);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return 1;
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		chk_core_rewatch(c, EV_WRITE | EV_PERSIST, cb, cbarg);
		return 0;
	}
	chk_fail_later(c, "send: %s", strerror(errno));
	return -1;
}

int chk_dgram_resend(struct chk_core *c, event_callback_fn cb, void *cbarg, const void *buf,
                     size_t len)
{
	if (send(c->fd, buf, len, 0) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		chk_fail(c, "send: %s", strerror(errno));
		return -1;
	}
	chk_core_rewatch(c, EV_READ | EV_PERSIST, cb, cbarg);
	return 1;
}

void chk_random(void *buf, size_t len)
{
	uint8_t *p = buf;
	ssize_t n = getrandom(buf, len, GRND_NONBLOCK);

	if (n == (ssize_t)len)
		return;
	{
		struct timespec ts;
		uint64_t x;
		size_t i;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)getpid() << 16;
		for (i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			p[i] = (uint8_t)x;
		}
	}
}
