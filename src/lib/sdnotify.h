/* sd_notify(3) without libsystemd: the service manager's readiness
 * protocol is one datagram of "KEY=VALUE" lines to the unix socket named by
 * $NOTIFY_SOCKET (a path, or "@name" for the abstract namespace). */
#ifndef KA_SDNOTIFY_H
#define KA_SDNOTIFY_H

/* Send msg; never blocks.  0 sent, 1 no $NOTIFY_SOCKET (not under a
 * service manager), -errno on failure. */
int sdnotify(const char *msg);
/* printf-style; the same returns. */
int sdnotifyf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
