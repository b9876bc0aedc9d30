/* A js_host for unit tests: records what is published, queues deferred
 * calls until the test runs them, and fires timers only when the test
 * steps the fake clock. Subscriptions are accepted and ignored. */
#ifndef BALLAST_TEST_FAKE_HOST_H
#define BALLAST_TEST_FAKE_HOST_H

#include "js/host.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fake_pub {
    size_t acc;
    char *subject;
    char *data; /* NUL-terminated copy of headers + payload */
    size_t len;
};

struct fake_deferred {
    js_timer_cb cb;
    void *ctx;
};

struct fake_timer; /* the js_timer of the fake */

struct fake_host {
    struct js_host host; /* hand &fh->host to the code under test */
    struct bl_clock clock;
    uint64_t now_ns; /* wall and monotonic clock */

    struct fake_pub *pubs;
    size_t n_pubs, cap_pubs;

    struct fake_deferred *deferred;
    size_t n_deferred, cap_deferred;
    size_t n_defer_calls; /* defer() calls, duplicates included */

    struct fake_timer **timers;
    size_t n_timers, cap_timers;
};

void fake_host_init(struct fake_host *fh, uint64_t now_ns);
void fake_host_close(struct fake_host *fh);

/* Runs the deferred calls queued so far (and any they queue); returns how
 * many ran. */
size_t fake_host_run_deferred(struct fake_host *fh);

/* Steps the clock by `ms`, firing due timers in time order. */
void fake_host_advance(struct fake_host *fh, uint64_t ms);

/* Active timers. */
size_t fake_host_n_timers(const struct fake_host *fh);

/* Forgets the recorded publishes. */
void fake_host_clear_pubs(struct fake_host *fh);

#endif
