/* Route libevent's diagnostics through log.h. */
#ifndef KA_EVLOG_H
#define KA_EVLOG_H

void evlog_init(void);

#endif
