/* The event hub: see kaevent.h.  A small fixed table: the listeners are
 * subsystems, not objects. */
#include <stddef.h>

#include "lib/kaevent.h"

#define KA_EVENT_MAX 8

static struct {
	ka_event_fn fn;
	void *arg;
} subs[KA_EVENT_MAX];

int ka_event_subscribe(ka_event_fn fn, void *arg)
{
	for (size_t i = 0; i < KA_EVENT_MAX; i++)
		if (!subs[i].fn) {
			subs[i].fn = fn;
			subs[i].arg = arg;
			return 0;
		}
	return -1;
}

void ka_event_unsubscribe(ka_event_fn fn, void *arg)
{
	for (size_t i = 0; i < KA_EVENT_MAX; i++)
		if (subs[i].fn == fn && subs[i].arg == arg)
			subs[i].fn = NULL;
}

void ka_event_publish(const struct ka_event *ev)
{
	for (size_t i = 0; i < KA_EVENT_MAX; i++)
		if (subs[i].fn)
			subs[i].fn(subs[i].arg, ev);
}
