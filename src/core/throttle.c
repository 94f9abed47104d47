/*
 * throttle.c - token bucket (see throttle.h). The bucket holds at most one
 * second of budget, so a pause never turns into a burst afterwards.
 */
#include "core/compat.h"

#include <time.h>

#include "core/throttle.h"

double ws_now_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ws_throttle_init(struct ws_throttle *t, double rate)
{
    pthread_mutex_init(&t->lock, NULL);
    t->rate = rate > 0 ? rate : 0;
    t->burst = t->rate;
    t->tokens = 0; /* no initial burst: the budget holds from the first file */
    t->last = ws_now_monotonic();
}

void ws_throttle_release(struct ws_throttle *t)
{
    pthread_mutex_destroy(&t->lock);
}

void ws_throttle_take(struct ws_throttle *t, double n)
{
    if (!t || t->rate <= 0)
        return;
    pthread_mutex_lock(&t->lock);
    double now = ws_now_monotonic();
    t->tokens += (now - t->last) * t->rate;
    if (t->tokens > t->burst)
        t->tokens = t->burst;
    t->last = now;
    t->tokens -= n;
    double wait = t->tokens < 0 ? -t->tokens / t->rate : 0;
    pthread_mutex_unlock(&t->lock);
    if (wait > 0) {
        struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
        while (nanosleep(&ts, &ts) != 0)
            ;
    }
}
