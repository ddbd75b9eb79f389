/* Socket helpers shared by the checker types: a non-blocking connect with
 * the connection keywords applied, and failure reasons. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check/check.h"

void check_outcome_fail(struct check_outcome *o, const char *fmt, ...)
{
	va_list ap;

	o->ok = false;
	va_start(ap, fmt);
	vsnprintf(o->why, sizeof(o->why), fmt, ap);
	va_end(ap);
}

static int bind_local(int fd, const struct check_conn *conn, char *why, size_t whylen)
{
	struct sockaddr_storage ss;
	struct ka_addr any;
	socklen_t len;

	if (conn->bind_if[0] && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, conn->bind_if,
	                                   (socklen_t)strlen(conn->bind_if)) < 0) {
		snprintf(why, whylen, "bind_if %s: %s", conn->bind_if, strerror(errno));
		return -1;
	}
	if (!conn->has_bind)
		return 0;
	if (conn->bind.family == AF_INET || conn->bind.family == AF_INET6) {
		len = addr_to_sockaddr(&conn->bind, conn->bind_port, &ss);
	} else {
		memset(&any, 0, sizeof(any));
		any.family = conn->addr.family;
		len = addr_to_sockaddr(&any, conn->bind_port, &ss);
	}
	if (conn->bind_port) {
		int one = 1;

		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		char b[KA_ADDRSTRLEN];

		snprintf(why, whylen, "bind to %s: %s",
		         addr_port_fmt(&conn->bind, conn->bind_port, b, sizeof(b)),
		         strerror(errno));
		return -1;
	}
	return 0;
}

int check_sock_connect(const struct check_conn *conn, int type, int proto, char *why, size_t whylen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, err;

	fd = socket(conn->addr.family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0) {
		err = errno;
		snprintf(why, whylen, "socket: %s", strerror(err));
		errno = err;
		return -1;
	}
	if (conn->fwmark &&
	    setsockopt(fd, SOL_SOCKET, SO_MARK, &conn->fwmark, sizeof(conn->fwmark)) < 0) {
		err = errno;
		snprintf(why, whylen, "fwmark %u: %s", conn->fwmark, strerror(err));
		goto fail;
	}
	if (bind_local(fd, conn, why, whylen) < 0) {
		err = errno;
		goto fail;
	}
	len = addr_to_sockaddr(&conn->addr, conn->port, &ss);
	if (conn->addr.family == AF_INET6 && conn->bind_if[0])
		((struct sockaddr_in6 *)&ss)->sin6_scope_id = if_nametoindex(conn->bind_if);
	if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
		err = errno;
		snprintf(why, whylen, "connect: %s", strerror(err));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	errno = err;
	return -1;
}
