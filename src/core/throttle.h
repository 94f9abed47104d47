/*
 * throttle.h - a token bucket shared by all workers, for the I/O budget
 * (bytes per second) and the files-per-second budget that keep a scan gentle
 * on a live clinical workstation. Thread-safe.
 */
#ifndef WS_THROTTLE_H
#define WS_THROTTLE_H

#include <pthread.h>

#include "core/compat.h"

struct ws_throttle {
    pthread_mutex_t lock;
    double rate;   /* units per second; 0: unlimited */
    double tokens; /* may go negative: the debt is slept off */
    double burst;
    double last; /* monotonic seconds */
};

void ws_throttle_init(struct ws_throttle *t, double rate);
void ws_throttle_release(struct ws_throttle *t);
/* Take n units, sleeping as long as the budget requires. */
void ws_throttle_take(struct ws_throttle *t, double n);
double ws_now_monotonic(void);

#endif
