/* The monotonic clock in nanoseconds (waiters time their calls with it). */
#ifndef POLLSCOPE_CLOCK_H
#define POLLSCOPE_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t ps_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
