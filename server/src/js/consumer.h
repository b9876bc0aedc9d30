/* The consumer state machine: one JetStream consumer of one stream, pull or
 * push, with nats-server 2.9's delivery, ack and redelivery semantics.
 *
 * Every change of the consumer's durable state (what was delivered, what is
 * pending an ack, the ack floor) goes through consumer_apply(), fed by
 * ordered commands that carry their own times; clustering will later feed
 * the same commands through Raft. Around apply sit the single-server entry
 * points: the delivery loop (driven by consumer_signal(), pull requests,
 * acks and timers) and the ack subscription on
 * `$JS.ACK.<stream>.<consumer>.>`, which turn what happens on the wire into
 * commands. Things that are not state (the waiting pull requests, the
 * redelivery queue, flow control, heartbeats) live beside it.
 *
 * The state is written to `<state_dir>/state` (a temp file renamed over
 * it) at most once per loop iteration, through js_host_defer(), and read
 * back by consumer_open() after a restart. Those writes are not fsynced:
 * like nats-server's consumer store they survive a crash of the process,
 * not of the machine; consumer_flush() and consumer_close() fsync.
 *
 * Knows its stream only through stream.h and the network only through the
 * host (host.h); knows nothing of the API subjects or of connections. Every
 * call happens on the loop thread. */
#ifndef BALLAST_JS_CONSUMER_H
#define BALLAST_JS_CONSUMER_H

#include "ballast/buf.h"
#include "js/api_types.h"
#include "js/errors.h"
#include "js/host.h"
#include "js/stream.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct consumer;

/* ---- Commands ----------------------------------------------------------- */

enum consumer_cmd_kind {
    CONSUMER_CMD_DELIVERED, /* message sseq went out as delivery dseq, its
                               dc-th delivery, at now_ns */
    CONSUMER_CMD_ACK,       /* +ACK of (sseq, dseq): that one (explicit) or
                               everything up to it (ack all) */
    CONSUMER_CMD_NAK,       /* -NAK of (sseq, dseq): redeliver now, or
                               delay_ns after now_ns when has_delay */
    CONSUMER_CMD_TERM,      /* +TERM: never redeliver; counts as an ack */
    CONSUMER_CMD_PROGRESS,  /* +WPI: restart sseq's ack wait at now_ns */
    CONSUMER_CMD_SKIP,      /* no message to deliver below sseq: the next
                               stream sequence to look at becomes sseq */
    CONSUMER_CMD_DROP,      /* stop tracking sseq without acking it: it hit
                               max_deliver, or left the stream */
    CONSUMER_CMD_PURGED     /* the stream's first sequence is now sseq:
                               forget everything below, raise the floors */
};

/* One ordered command. Fields a kind does not use are ignored. */
struct consumer_cmd {
    enum consumer_cmd_kind kind;
    uint64_t sseq;    /* stream sequence */
    uint64_t dseq;    /* consumer (delivery) sequence */
    uint64_t dc;      /* DELIVERED: delivery count, 1 for the first */
    uint64_t now_ns;  /* wall-clock time the leader saw the event */
    bool has_delay;   /* NAK: delay_ns is set */
    int64_t delay_ns; /* NAK: wait this long before redelivering */
};

/* Applies `cmd`. Returns 0 when it changed the state, BL_ENOENT when it was
 * ignored (an ack of something not pending, a sequence outside the
 * delivered range). Acks of messages of an interest or workqueue stream
 * call stream_msg_acked(). Deterministic: reads neither clock nor network;
 * the resulting deliveries and timers are the caller's business (the entry
 * points below do both). Marks the state for writing at the end of the loop
 * iteration. */
int consumer_apply(struct consumer *c, const struct consumer_cmd *cmd);

/* ---- Life cycle --------------------------------------------------------- */

/* Opens consumer `name` of stream `s` with `cfg` (defaulted and checked by
 * the caller with js_consumer_config_set_defaults()/_check(); copied).
 * `state_dir` NULL keeps the state in memory only (ephemerals, mem_storage);
 * otherwise the directory is created if needed and a state written there
 * before is loaded (a restart), else the start position comes from the
 * deliver policy. Subscribes to the ack subject (and for push with flow
 * control to `$JS.FC.<stream>.<consumer>.*`) in the stream's account,
 * attaches to the stream and delivers what it can. `host` and `s` are
 * borrowed for the consumer's life. `created_ns` is reported by info.
 * Returns 0 and *out, or BL_EIO/BL_ENOSPC/... with err (CONSUMER_CREATE or
 * CONSUMER_STORE_FAILED) and errmsg (for the log). */
int consumer_open(struct stream *s, const char *name,
                  const struct js_consumer_config *cfg,
                  const struct js_host *host, const char *state_dir,
                  uint64_t created_ns, struct consumer **out,
                  struct js_error *err, char *errmsg);

/* Detaches from the stream, drops subscriptions and timers and frees `c`.
 * With `delete_state` (CONSUMER.DELETE, ephemeral clean-up) waiting pull
 * requests get "409 Consumer Deleted" and the state file and state_dir (if
 * empty then) are removed; without it (shutdown) the state is written
 * first. Safe on NULL, and from inside the on-delete callback or any other
 * callback of this consumer (the memory is then released when that returns).
 * Interest streams: call stream_check_interest() afterwards. */
void consumer_close(struct consumer *c, bool delete_state);

/* Called when an inactive consumer (inactive_threshold passed with no
 * interest on its deliver subject, or no pull requests) should go away. The
 * callback normally removes it from the engine's tables and calls
 * consumer_close(c, true). Without a callback the consumer closes itself
 * that way. */
typedef void (*consumer_delete_cb)(void *ctx, struct consumer *c);
void consumer_set_on_delete(struct consumer *c, consumer_delete_cb cb,
                            void *ctx);

/* ---- Accessors ---------------------------------------------------------- */

const char *consumer_name(const struct consumer *c);
/* Declared in stream.h too. Borrowed until the next consumer_update(). */
const struct js_consumer_config *consumer_config(const struct consumer *c);
struct stream *consumer_stream(const struct consumer *c);
uint64_t consumer_created(const struct consumer *c);

/* Fills the state the way CONSUMER.INFO reports it (num_pending counted in
 * the store, expired pull requests dropped first). */
void consumer_state(struct consumer *c, struct js_consumer_state *out);

/* Fills `out` for the info reply: names, created, config and a state held
 * inside `c`, valid until the next consumer_info() or consumer_close(). */
void consumer_info(struct consumer *c, struct js_consumer_info *out);

/* Changes the configuration (CONSUMER.CREATE of an existing durable). Runs
 * js_consumer_config_check_update() against the current config; on success
 * copies `cfg` and applies what changed (ack wait, backoff, max_deliver,
 * max_ack_pending, deliver subject, inactive threshold, rate limit, ...).
 * Returns 0, or BL_EINVAL with err. */
int consumer_update(struct consumer *c, const struct js_consumer_config *cfg,
                    struct js_error *err);

/* Writes the state now, fsynced, if it changed since the last write,
 * instead of at the end of the loop iteration. Returns 0 or
 * BL_EIO/BL_ENOSPC with errmsg. Memory-only consumers return 0. */
int consumer_flush(struct consumer *c, char *errmsg);

/* ---- Wire entry points -------------------------------------------------- */

/* A pull request (CONSUMER.MSG.NEXT) answered on `reply` (borrowed). Sends a
 * status instead of queueing when nats-server would: "409 Consumer is push
 * based", "409 Exceeded MaxRequestBatch of N", "409 Exceeded
 * MaxRequestExpires of D", "409 Exceeded MaxRequestMaxBytes of N", "404 No
 * Messages" (no_wait, nothing pending, no expires), "408 Requests Pending",
 * "409 Exceeded MaxWaiting". Queued requests are served as messages arrive
 * and end with "408 Request Timeout" (expiry, or a no_wait request that got
 * something), "409 Message Size Exceeds MaxBytes", or "409 Consumer
 * Deleted"; idle_heartbeat sends "100 Idle Heartbeat" while waiting. Returns
 * 0 whenever the request was handled (queued, served or answered with a
 * status), BL_EINVAL for an empty reply (nothing sent). */
int consumer_pull(struct consumer *c, struct bl_slice reply,
                  const struct js_pull_request *req);

/* The same from the raw request body (JSON, a bare batch size, or empty):
 * a body js_pull_request_parse() refuses is answered with
 * "400 Bad Request - <reason>". */
int consumer_pull_msg(struct consumer *c, struct bl_slice reply,
                      struct bl_slice body);

/* True for a consumer in push mode whose deliver subject has interest (the
 * "push_bound" of info); false for pull consumers. */
bool consumer_is_active(const struct consumer *c);

/* (Declared in stream.h, implemented here: consumer_signal(),
 * consumer_needs_msg() and consumer_purged().) */

#endif
