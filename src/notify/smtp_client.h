/* An asynchronous SMTP client on the libevent loop: one session delivers
 * one message.  Host name, then a non-blocking connect, banner, EHLO (HELO
 * when EHLO is refused), MAIL FROM, RCPT TO for each recipient, DATA, the
 * message, QUIT.  Every step has a timeout and the whole session a
 * deadline; nothing in it ever blocks the loop (host names go through
 * evdns). */
#ifndef KA_SMTP_CLIENT_H
#define KA_SMTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct evdns_base;

struct smtp_client_cfg {
	const char *server; /* a literal address or a host name */
	uint16_t port;
	uint64_t step_timeout_us; /* connect, the resolver and each reply */
	uint64_t deadline_us;     /* the whole session */
	const char *helo;         /* smtp_helo_ok */
	const char *from;         /* smtp_addr_ok */
	const char *const *to;    /* smtp_addr_ok each */
	size_t n_to;
};

/* ok: the server took the message (250 after "."); why: what went wrong,
 * with the server's reply when there was one. */
typedef void (*smtp_client_done_fn)(void *arg, bool ok, const char *why);

struct smtp_client;

/* Starts a session.  Everything in cfg is copied; payload (a whole DATA
 * payload ending with ".\r\n", smtp_msg_compose) is taken over and freed
 * by the client.  dns may be NULL when cfg->server is a literal address.
 * done is called exactly once, always from the event loop (never from
 * inside this call), unless the session is aborted first.  NULL when out
 * of memory (payload is freed). */
struct smtp_client *smtp_client_send(struct event_base *base, struct evdns_base *dns,
                                     const struct smtp_client_cfg *cfg, char *payload, size_t len,
                                     smtp_client_done_fn done, void *arg);
/* Stops a session without calling done. */
void smtp_client_abort(struct smtp_client *c);

#endif
