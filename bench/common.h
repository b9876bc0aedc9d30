/* What both halves of ballast-bench (bench.c, jsbench.c) share: the clock,
 * short sleeps, and the first-failure record that client callback threads
 * write and the main thread reads. */
#ifndef BALLAST_BENCH_COMMON_H
#define BALLAST_BENCH_COMMON_H

#include "ballast/clock.h"
#include "ballast/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static inline uint64_t now_ns(void)
{
    return bl_clock_mono_ns(&bl_clock_real);
}

static inline void sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* The first failure of a run; later ones are usually its consequences (a
 * dropped connection after a slow-consumer error, say). Zero it, then
 * clear `taken` with atomic_flag_clear() before use. */
struct bench_failure {
    _Atomic int failed;
    atomic_flag taken;
    char reason[BL_ERRMSG_SIZE]; /* valid once failed is set */
};

static inline void bench_failure_vset(struct bench_failure *f,
                                      const char *fmt, va_list ap)
{
    if (atomic_flag_test_and_set(&f->taken))
        return;
    vsnprintf(f->reason, sizeof(f->reason), fmt, ap);
    atomic_store(&f->failed, 1);
}

static inline bool bench_failure_set(const struct bench_failure *f)
{
    return atomic_load(&f->failed) != 0;
}

#endif
