/* Logging to syslog, the console and an optional per-process log file.
 * The process's log settings are the only mutable global state here; they
 * live in one static struct.  Never call these from a signal handler. */
#include "lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define LOG_MSG_MAX 2048
#define LOG_IDENT_MAX 64

static struct {
	bool inited;
	bool syslog_open;
	bool console;
	bool detail;
	int fd;                    /* -g log file, or -1 */
	char ident[LOG_IDENT_MAX]; /* openlog() keeps a pointer to this */
} lg = {.fd = -1};

int log_parse_facility(const char *s)
{
	static const int locals[8] = {LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
	                              LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7};

	if (!s)
		return -1;
	if (s[0] >= '0' && s[0] <= '7' && s[1] == '\0')
		return locals[s[0] - '0'];
	if (strncasecmp(s, "local", 5) == 0 && s[5] >= '0' && s[5] <= '7' && s[6] == '\0')
		return locals[s[5] - '0'];
	if (strcasecmp(s, "user") == 0)
		return LOG_USER;
	if (strcasecmp(s, "daemon") == 0)
		return LOG_DAEMON;
	return -1;
}

int log_file_name(const char *file, const char *suffix, char *buf, size_t len)
{
	const char *name, *dot;
	size_t head;
	int n;

	if (!file || !buf || !len)
		return -1;
	if (!suffix)
		suffix = "";
	name = strrchr(file, '/');
	name = name ? name + 1 : file;
	dot = strrchr(name, '.');
	/* A leading dot marks a hidden file, not an extension. */
	if (!dot || dot == name)
		dot = file + strlen(file);
	head = (size_t)(dot - file);
	n = snprintf(buf, len, "%.*s%s%s", (int)head, file, suffix, dot);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return 0;
}

void log_close(void)
{
	if (lg.syslog_open)
		closelog();
	if (lg.fd >= 0)
		close(lg.fd);
	lg.syslog_open = false;
	lg.console = false;
	lg.detail = false;
	lg.fd = -1;
	lg.inited = false;
}

void log_init(const char *ident, const struct log_opts *opts, const char *file_suffix)
{
	char path[4096];
	int facility = LOG_DAEMON;
	int open_errno = 0;

	log_close();
	snprintf(lg.ident, sizeof(lg.ident), "%s", ident ? ident : "Keepalived");
	if (opts) {
		lg.console = opts->console;
		lg.detail = opts->detail;
		/* LOG_KERN (0) is not usable from user space; treat it as unset. */
		if (opts->facility > 0)
			facility = opts->facility;
	}
	if (!opts || !opts->no_syslog) {
		openlog(lg.ident, LOG_PID | LOG_NDELAY, facility);
		lg.syslog_open = true;
	}
	if (opts && opts->file && *opts->file) {
		if (log_file_name(opts->file, file_suffix, path, sizeof(path)) < 0) {
			open_errno = ENAMETOOLONG;
		} else {
			lg.fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
			             0600);
			if (lg.fd < 0)
				open_errno = errno;
		}
	}
	lg.inited = true;
	if (open_errno)
		log_message(LOG_ERR, "cannot open log file %s: %s", opts->file,
		            strerror(open_errno));
}

/* Write all of buf, retrying on EINTR and short writes. */
static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* Build "Sun Nov 22 04:10:00 2026: message\n" and write it in one call. */
static void write_line(int fd, const char *msg)
{
	char line[LOG_MSG_MAX + 64];
	struct tm tm;
	time_t now = time(NULL);
	size_t n = 0;
	int m;

	if (localtime_r(&now, &tm))
		n = strftime(line, sizeof(line), "%a %b %e %H:%M:%S %Y", &tm);
	m = snprintf(line + n, sizeof(line) - n, ": %s\n", msg);
	if (m < 0)
		return;
	n += (size_t)m;
	if (n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	write_all(fd, line, n);
}

void log_vmessage(int prio, const char *fmt, va_list ap)
{
	char msg[LOG_MSG_MAX];
	int saved = errno;
	char *p;
	int n;

	if (LOG_PRI(prio) == LOG_DEBUG && !lg.detail)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0) {
		errno = saved;
		return;
	}
	/* One message is one line: drop a trailing newline, neutralise others. */
	for (p = msg; *p; p++) {
		if (*p == '\n' || *p == '\r')
			*p = p[1] ? ' ' : '\0';
	}
	if (lg.syslog_open)
		syslog(LOG_PRI(prio), "%s", msg);
	if (lg.console || !lg.inited)
		write_line(STDERR_FILENO, msg);
	if (lg.fd >= 0)
		write_line(lg.fd, msg);
	errno = saved;
}

void log_message(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmessage(prio, fmt, ap);
	va_end(ap);
}
