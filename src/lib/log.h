/* Logging: syslog by default (idents like upstream: "Keepalived",
 * "Keepalived_vrrp", "Keepalived_healthcheckers"), optionally the console
 * (-l), a log file (-g), no syslog (-G), detail (-D). */
#ifndef KA_LOG_H
#define KA_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

struct log_opts {
	bool console;     /* -l: also write to stderr */
	bool no_syslog;   /* -G */
	bool detail;      /* -D: LOG_DEBUG lines are emitted */
	int facility;     /* LOG_DAEMON by default; -S n gives LOG_LOCALn */
	const char *file; /* -g FILE: also append here (per-process name derived) */
};

/* Parse -S argument: "0".."7", "local0".."local7", "user", "daemon".
 * Returns the facility or -1. */
int log_parse_facility(const char *s);

/* (Re)initialise: ident is the syslog ident for this process.
 * file_suffix (e.g. "_vrrp") is inserted before the last '.' of opts->file. */
void log_init(const char *ident, const struct log_opts *opts, const char *file_suffix);
void log_close(void);
/* The -g file name for one process: suffix inserted before the last '.' of
 * the file's name part ("/var/log/ka.log" + "_vrrp" -> "/var/log/ka_vrrp.log"),
 * or appended when the name has no extension.  0, or -1 if buf is too small. */
int log_file_name(const char *file, const char *suffix, char *buf, size_t len);

void log_message(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmessage(int prio, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#define log_err(...) log_message(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_message(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_message(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_message(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_message(LOG_DEBUG, __VA_ARGS__)

#endif
