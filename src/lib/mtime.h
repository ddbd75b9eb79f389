/* Monotonic time helpers.  Only CLOCK_MONOTONIC is used for scheduling. */
#ifndef KA_MTIME_H
#define KA_MTIME_H

#include <stdint.h>
#include <sys/time.h>

uint64_t mono_us(void); /* microseconds since an arbitrary origin */
uint64_t mono_ms(void);
void us_to_timeval(uint64_t us, struct timeval *tv);
uint64_t timeval_to_us(const struct timeval *tv);
/* VRRP timers are in centiseconds. */
static inline uint64_t cs_to_us(uint64_t cs)
{
	return cs * 10000u;
}
static inline uint64_t us_to_cs(uint64_t us)
{
	return us / 10000u;
}

#endif
