/* libevent's own diagnostics go to our log.  A forked child creates a new
 * event base while the parent's (inherited, unused) one still has signal
 * events; libevent then notes that the newest base takes the signals, which
 * is exactly what the child wants, so that note is only detail. */
#include <event2/event.h>
#include <string.h>

#include "lib/evlog.h"
#include "lib/log.h"

static void evlog_cb(int severity, const char *msg)
{
	int prio;

	switch (severity) {
	case EVENT_LOG_ERR:
		prio = LOG_ERR;
		break;
	case EVENT_LOG_WARN:
		prio = LOG_WARNING;
		break;
	case EVENT_LOG_MSG:
		prio = LOG_INFO;
		break;
	default:
		prio = LOG_DEBUG;
		break;
	}
	if (strstr(msg, "Added a signal to event base"))
		prio = LOG_DEBUG;
	log_message(prio, "libevent: %s", msg);
}

void evlog_init(void)
{
	event_set_log_callback(evlog_cb);
}
