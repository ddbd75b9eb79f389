/* SMTP alerts: the global_defs mail settings (smtp_server, smtp_helo_name,
 * smtp_connect_timeout, notification_email_from, notification_email,
 * router_id, no_email_faults, no_checker_emails), a subscriber on the event
 * hub (kaevent.h) and the coalescing queue between the two.
 *
 * Only events with `alert` set (the object's resolved smtp_alert) and not
 * `initial` are mailed.  Events are queued; the first one of a burst opens
 * a gather window (SMTP_ALERT_GATHER_MS) and everything queued by then
 * goes out in one mail; mails are at least SMTP_ALERT_INTERVAL_MS apart;
 * at most one SMTP session is in flight and what arrives meanwhile goes
 * into the next mail.  The queue holds SMTP_ALERT_QUEUE_MAX events; beyond
 * that the oldest are dropped, counted, logged and mentioned in the mail. */
#ifndef KA_SMTP_ALERT_H
#define KA_SMTP_ALERT_H

#include "conf/conf.h"

#define SMTP_ALERT_GATHER_MS 1000u
#define SMTP_ALERT_INTERVAL_MS 2000u
#define SMTP_ALERT_QUEUE_MAX 64u
#define SMTP_ALERT_DEFAULT_TIMEOUT_S 30u
/* How long stop() may wait for the last mail. */
#define SMTP_ALERT_STOP_WAIT_MS 1000u

struct event_base;
struct smtp_alert;

/* Reads the settings from the parsed tree (nothing kept points into it)
 * and subscribes.  proc names the process in logs ("VRRP", "checker").
 * NULL only when out of memory. */
struct smtp_alert *smtp_alert_start(struct event_base *base, const struct conf_tree *t,
                                    const char *proc);
/* New settings after a reload; the queue and a session in flight stay. */
void smtp_alert_reload(struct smtp_alert *a, const struct conf_tree *t);
/* Unsubscribes, sends what is still queued if that takes at most
 * max_wait_ms (running the loop meanwhile), then frees.  a may be NULL. */
void smtp_alert_stop(struct smtp_alert *a, unsigned max_wait_ms);

#endif
