/* A child's reload off its event loop (child_reload.c). */
#ifndef KA_CORE_CHILD_RELOAD_H
#define KA_CORE_CHILD_RELOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "core/daemon.h"

struct event_base;
struct reload_worker;

/* Called on the loop when a parse ends: nc is the loaded configuration (NULL
 * when out of memory; check ka_config_exit_code), prepared what ops->prepare
 * built from it (may be NULL); both are the callee's.  ms: the parse time. */
typedef void (*reload_done_fn)(void *arg, struct ka_config *nc, void *prepared, uint64_t ms);

struct reload_worker *reload_worker_new(struct event_base *base, const struct ka_options *o,
                                        const struct ka_child_ops *ops, reload_done_fn done,
                                        void *arg);
/* Starts a parse, or queues one more after the running one.  -1 (logged)
 * when no thread could be started. */
int reload_worker_request(struct reload_worker *w);
/* Frees c on the thread (now, or after the running job); w may be NULL
 * (freed here). */
void reload_worker_dispose(struct reload_worker *w, struct ka_config *c);
/* Waits for a running parse and drops its result.  w may be NULL. */
void reload_worker_free(struct reload_worker *w);

#endif
