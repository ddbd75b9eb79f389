/* Composition of the alert mails: headers, subject, body, dot-stuffing.
 * Pure: no sockets, no clocks, no globals; the date, the host name and
 * every other environmental value are parameters.
 *
 * Nothing from a configuration value or an event field reaches a header or
 * an SMTP command unfiltered: control characters (CR and LF above all) are
 * replaced before they are written, so no value can start a header of its
 * own; addresses are validated and refused rather than repaired. */
#ifndef KA_SMTP_MSG_H
#define KA_SMTP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "lib/kaevent.h"

#define SMTP_EV_NAME_MAX 128
#define SMTP_ADDR_MAX 254 /* RFC 5321 §4.5.3.1.3 path, less the brackets */

/* One queued event: a copy of a struct ka_event (whose strings only live
 * for the publish call) and the wall-clock time it happened. */
struct smtp_event {
	enum ka_event_kind kind;
	char name[SMTP_EV_NAME_MAX]; /* instance / group; virtual server for RS/VS */
	char state[16];              /* VRRP kinds */
	char rs[SMTP_EV_NAME_MAX];   /* KA_EV_RS */
	int prio;
	bool up;
	char when[40]; /* "2024-05-01 12:00:00.123", formatted by the caller */
};

/* Copy ev into out (strings truncated and cleaned), stamped `when`. */
void smtp_event_set(struct smtp_event *out, const struct ka_event *ev, const char *when);

/* Copy src into dst (len > 0) with every control character (< 0x20, 0x7f)
 * replaced by a space and every non-ASCII byte by '?': what is left can
 * sit in a header or a command line.  Returns dst. */
char *smtp_clean(char *dst, size_t len, const char *src);

/* A mailbox for MAIL FROM / RCPT TO / From / To: 1..254 printable ASCII
 * characters, none of them a space, '<', '>', '(', ')', ',', ';', '"' or
 * '\\'.  false with *why set (why may be NULL). */
bool smtp_addr_ok(const char *a, const char **why);
/* A HELO/EHLO argument: a domain or address literal ([A-Za-z0-9.-_:[]]). */
bool smtp_helo_ok(const char *h);

/* "VRRP Instance VI_1 - Entering MASTER state", "Realserver [192.0.2.1]:tcp:80
 * of virtual server [203.0.113.1]:tcp:80 - DOWN", ...: the subject of a
 * single-event mail without its "[router_id] " prefix.  Cleaned. */
void smtp_event_summary(const struct smtp_event *ev, char *buf, size_t len);

/* The Subject value: "[<router_id>] <summary>" for one event, or
 * "[<router_id>] <n> events, first: <summary>" for several. */
void smtp_subject(const char *router_id, const struct smtp_event *ev, size_t n, char *buf,
                  size_t len);

/* RFC 5322 date-time of t in local time: "Tue, 07 May 2024 12:00:00 +0200".
 * Formats a given time; reads no clock (the C locale's names). */
void smtp_date_fmt(time_t t, char *buf, size_t len);

/* Text -> DATA payload: every line ending (LF, CRLF or a lone CR) becomes
 * CRLF, a line starting with '.' gets another '.', the text ends with a
 * line break and the terminating ".\r\n" is appended.  malloc'd (NUL
 * terminated, *outlen without the NUL), NULL when out of memory. */
char *smtp_dot_stuff(const char *text, size_t len, size_t *outlen);

struct smtp_msg_params {
	const char *from;      /* validated with smtp_addr_ok */
	const char *const *to; /* the recipients; invalid ones are left out */
	size_t n_to;
	const char *router_id;
	const char *date;  /* Date: value (smtp_date_fmt) */
	const char *msgid; /* unique left part of the Message-ID */
	const char *host;  /* right part of the Message-ID */
	unsigned dropped;  /* events dropped from a full queue before these */
};

/* The whole DATA payload for events ev[0..n-1] (n >= 1), in order:
 * headers, a blank line, the dot-stuffed body and ".\r\n".  malloc'd, NULL
 * with *why set when from is invalid, no recipient is valid, n is 0 or
 * memory runs out. */
char *smtp_msg_compose(const struct smtp_msg_params *p, const struct smtp_event *ev, size_t n,
                       size_t *outlen, const char **why);

#endif
