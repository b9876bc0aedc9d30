/* The JetStream engine of one server: per account, the $JS.API handlers,
 * the streams with their consumers, and where they live on disk.
 *
 * Reaches the server only through js/host.h, so it runs the same in
 * ballastd and in a unit test with a fake host. Streams are recovered from
 * the store directory when an account is enabled:
 *   <store_dir>/jetstream/<account>/streams/<stream>/meta.json  config
 *   <store_dir>/jetstream/<account>/streams/<stream>/msgs/      file store
 *   <store_dir>/jetstream/<account>/streams/<stream>/obs/<consumer>/
 * Memory streams leave nothing on disk and, as in nats-server, are gone
 * after a restart. */
#ifndef BALLAST_JS_JETSTREAM_H
#define BALLAST_JS_JETSTREAM_H

#include "js/api_types.h"
#include "js/host.h"

#include <stddef.h>
#include <stdint.h>

struct jetstream;

struct jetstream_opts {
    const char *store_dir;     /* NULL: "/tmp/ballast" */
    int64_t max_memory;        /* bytes for memory streams; -1 unlimited */
    int64_t max_file;          /* bytes for file streams; -1 unlimited */
    uint64_t sync_interval_ms; /* 0: fsync before every PubAck */
    const char *domain;        /* NULL: none */
};

struct jetstream_stats {
    uint64_t accounts;
    uint64_t streams;
    uint64_t consumers;
    uint64_t messages;
    uint64_t bytes;
    uint64_t memory;  /* bytes held by memory streams */
    uint64_t storage; /* bytes held by file streams */
    int64_t max_memory;
    int64_t max_storage;
    uint64_t api_total;
    uint64_t api_errors;
    char store_dir[512];
};

/* Creates the engine (copies the options). `host` is borrowed for its
 * life. Returns 0 or a BL_E* code with errmsg. */
int jetstream_new(const struct js_host *host, const struct jetstream_opts *o,
                  struct jetstream **out, char *errmsg);

/* Enables JetStream in account `acc` named `name`: answers $JS.API.> there
 * and loads the account's streams and consumers from disk. Returns 0 or a
 * BL_E* code with errmsg (a stream that fails to load is logged and
 * skipped, not fatal). */
int jetstream_enable_account(struct jetstream *js, size_t acc,
                             const char *name, char *errmsg);

/* Answers $JS.API.> in account `acc`, which has no JetStream, with
 * 10039 "jetstream not enabled for account", as nats-server does. */
int jetstream_refuse_account(struct jetstream *js, size_t acc);

/* Flushes and closes every stream and consumer and frees the engine. Safe
 * on NULL. */
void jetstream_free(struct jetstream *js);

void jetstream_get_stats(struct jetstream *js, struct jetstream_stats *out);

/* One stream, for monitoring. Everything is borrowed for the callback. */
struct jetstream_stream_view {
    const char *account;
    const char *name;
    uint64_t created_ns;
    const struct js_stream_config *config;
    struct js_stream_state state;
};

typedef void (*jetstream_stream_cb)(void *ctx,
                                    const struct jetstream_stream_view *v);

/* Calls cb for every stream of every account, in no particular order. */
void jetstream_visit_streams(struct jetstream *js, jetstream_stream_cb cb,
                             void *ctx);

#endif
