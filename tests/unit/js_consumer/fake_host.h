/* A js_host for unit tests: records every publish, delivers publishes to
 * matching internal subscriptions at once, keeps a list of "client"
 * subscriptions for has_interest, a fake clock stepped by the test, timers
 * that fire only from fake_host_advance(), and a defer queue run by
 * fake_host_run_deferred(). */
#ifndef BALLAST_TEST_FAKE_HOST_H
#define BALLAST_TEST_FAKE_HOST_H

#include "js/host.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One recorded publish; strings are NUL-terminated copies. */
struct fake_pub {
    char *subject; /* where it was routed */
    char *shown;   /* the subject subscribers see (deliver); = subject */
    char *reply; /* "" when none */
    size_t hdr_len;
    char *data; /* headers then payload */
    size_t data_len;
};

struct fake_host {
    struct js_host h;
    struct bl_clock clock;
    uint64_t mono_ns;
    uint64_t wall_ns;
    struct fake_pub *pubs;
    size_t n_pubs, cap_pubs;
    struct fake_isub **subs;
    size_t n_subs;
    struct fake_timer **timers;
    size_t n_timers;
    struct fake_defer *defers;
    size_t n_defers;
    char **interest; /* client subscriptions, may hold wildcards */
    size_t n_interest;
};

struct fake_host *fake_host_new(void);
/* Frees everything, including timers and subscriptions still live. */
void fake_host_free(struct fake_host *fh);

/* Moves both clocks by `ms`, firing every timer that falls due on the way
 * (in due order, with the clock set to its due time), then runs the defer
 * queue. */
void fake_host_advance(struct fake_host *fh, uint64_t ms);
/* Runs deferred callbacks until the queue stays empty. */
void fake_host_run_deferred(struct fake_host *fh);
/* Timers started and not yet stopped. */
size_t fake_host_live_timers(const struct fake_host *fh);
/* Internal subscriptions not yet removed. */
size_t fake_host_live_subs(const struct fake_host *fh);

/* A client subscribes/unsubscribes (only has_interest sees it). */
void fake_host_interest_add(struct fake_host *fh, const char *filter);
void fake_host_interest_del(struct fake_host *fh, const char *filter);

/* A client publishes: delivered to matching internal subscriptions (not
 * recorded). `body` is the payload, no headers. reply may be NULL. */
void fake_host_client_pub(struct fake_host *fh, const char *subject,
                          const char *reply, const char *body);

/* Forgets the recorded publishes. */
void fake_host_clear(struct fake_host *fh);
/* The number of recorded publishes to `subject`. */
size_t fake_host_count(const struct fake_host *fh, const char *subject);
/* The i-th recorded publish to `subject`, or NULL. */
const struct fake_pub *fake_host_nth(const struct fake_host *fh,
                                     const char *subject, size_t i);
/* True when the publish is a status message whose first line starts with
 * "NATS/1.0 <status>". */
bool fake_pub_is_status(const struct fake_pub *p, const char *status);
/* The payload after the headers, NUL-terminated. */
const char *fake_pub_payload(const struct fake_pub *p);

#endif
