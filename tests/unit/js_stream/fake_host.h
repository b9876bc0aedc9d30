/* A js_host for unit tests: records what is published, queues deferred
 * calls and blocking work until the test runs them, and fires timers only
 * when the test steps the fake clock. Subscriptions are accepted and
 * ignored. */
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

/* A run_blocking() call: work, then done, both run on the test's thread
 * when the test says so. */
struct fake_blocking {
    js_work_cb work;
    js_timer_cb done;
    void *ctx;
    bool worked; /* work has run, done has not */
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

    struct fake_blocking *blocking; /* queued, oldest first */
    size_t n_blocking, cap_blocking;
    size_t n_blocking_calls; /* run_blocking() calls so far */
    /* false: fake_host_run_deferred() also completes blocking work (and
     * what that queues); true: only fake_host_run_work/_done() do. */
    bool manual_blocking;
};

void fake_host_init(struct fake_host *fh, uint64_t now_ns);
/* Completes blocking calls still queued (their ctx may need freeing), then
 * frees everything. */
void fake_host_close(struct fake_host *fh);

/* Runs the deferred calls queued so far (and any they queue), and unless
 * manual_blocking the blocking work too, until neither is left; returns
 * how many deferred calls ran. */
size_t fake_host_run_deferred(struct fake_host *fh);

/* Runs the work of every queued blocking call whose work has not run;
 * returns how many. */
size_t fake_host_run_work(struct fake_host *fh);

/* Runs done, oldest first, of the queued calls whose work has run (not of
 * calls queued meanwhile), removing them; returns how many. */
size_t fake_host_run_done(struct fake_host *fh);

/* Steps the clock by `ms`, firing due timers in time order. */
void fake_host_advance(struct fake_host *fh, uint64_t ms);

/* Active timers. */
size_t fake_host_n_timers(const struct fake_host *fh);

/* Forgets the recorded publishes. */
void fake_host_clear_pubs(struct fake_host *fh);

#endif
