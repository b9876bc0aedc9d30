/* Time source passed into modules so tests can step a fake clock instead of
 * sleeping. The real clock reads CLOCK_MONOTONIC and CLOCK_REALTIME. */
#ifndef BALLAST_CLOCK_H
#define BALLAST_CLOCK_H

#include <stdint.h>

struct bl_clock {
    uint64_t (*mono_ns)(void *ctx); /* monotonic nanoseconds */
    uint64_t (*wall_ns)(void *ctx); /* nanoseconds since the Unix epoch */
    void *ctx;
};

/* The process-wide real clock. */
extern const struct bl_clock bl_clock_real;

static inline uint64_t bl_clock_mono_ns(const struct bl_clock *c)
{
    return c->mono_ns(c->ctx);
}

static inline uint64_t bl_clock_wall_ns(const struct bl_clock *c)
{
    return c->wall_ns(c->ctx);
}

/* Formats wall-clock nanoseconds as RFC 3339 with nanoseconds, UTC
 * ("2026-11-23T17:52:20.123456789Z"); out needs 40 bytes. */
void bl_time_rfc3339(uint64_t wall_ns, char *out);

#endif
