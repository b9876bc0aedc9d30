/* Stand-ins for the consumer_*() functions stream.c calls (consumer.c in
 * the server): a consumer that needs every message matching its filter
 * that it has not acked, and records the signals and purges it gets. */
#ifndef BALLAST_TEST_CONSUMER_STUB_H
#define BALLAST_TEST_CONSUMER_STUB_H

#include "js/stream.h"

#define CONSUMER_STUB_MAX_ACKS 256

struct consumer {
    struct js_consumer_config cfg;
    uint64_t acked[CONSUMER_STUB_MAX_ACKS];
    size_t n_acked;
    unsigned n_signals;
    unsigned n_purged;
    uint64_t purged_first; /* first_seq of the last consumer_purged() */
    struct stream *s;      /* set by consumer_stub_attach(): filters seqs */
};

/* filter may be NULL. */
void consumer_stub_init(struct consumer *c, const char *filter);
void consumer_stub_close(struct consumer *c);
/* Attaches c to s; from then on a filtered stub needs only the messages
 * of s that match its filter. */
void consumer_stub_attach(struct consumer *c, struct stream *s);
/* Marks seq acked (no longer needed) and tells the stream. */
void consumer_stub_ack(struct consumer *c, struct stream *s, uint64_t seq);

#endif
