/* The stream state machine: one JetStream stream over its message store.
 *
 * Every change of a stream's state (a stored message, a deleted message, a
 * purge, a config update, max_age expiry, retention removals) goes through
 * stream_apply(), fed by ordered commands. The function is deterministic
 * given the store contents and the command: it never reads the clock (times
 * travel in the commands) and never talks to the network, so clustering can
 * later feed the same commands through Raft on every replica.
 *
 * Around apply sit the single-server entry points: stream_process_msg()
 * turns a client publish into a STREAM_CMD_MSG and queues its PubAck, which
 * is sent only once an fsync covering its message has completed (group
 * commit), or at once when the stream syncs on an interval instead. At the
 * end of the loop iteration the stream takes the changes so far
 * (store_sync_begin()) and runs their fsyncs on the host's worker thread
 * (js_host_run_blocking()) while the loop keeps serving; when they complete
 * it sends that batch's acks. Messages stored meanwhile wait for the next
 * sync, which starts as soon as the previous one completes and covers all
 * of them at once. The stream also runs its own max_age timer.
 *
 * Knows the store (store.h), the host (timers, publish, defer) and the
 * consumers only through the consumer_*() functions declared below; knows
 * nothing of the API subjects or connections. Everything runs on the loop
 * thread except store_sync_run(), which touches only its sync job. */
#ifndef BALLAST_JS_STREAM_H
#define BALLAST_JS_STREAM_H

#include "ballast/buf.h"
#include "js/api_types.h"
#include "js/errors.h"
#include "js/host.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stream;
struct consumer;

/* ---- What the stream needs from consumers (implemented in consumer.c) --- */

/* True while consumer `c` may still deliver or wait for an ack of stream
 * sequence `seq` (not yet acked, or not yet delivered and matching its
 * filter): an interest-retention stream keeps a message while any attached
 * consumer needs it. */
bool consumer_needs_msg(const struct consumer *c, uint64_t seq);

/* Tells `c` that new messages were committed to its stream (after the group
 * commit); the consumer delivers what it can. Must not call back into
 * stream_apply() synchronously for the same stream's commit in progress,
 * but may load messages and call stream_msg_acked(). */
void consumer_signal(struct consumer *c);

/* The consumer's configuration (for its filter subject: an interest stream
 * does not store a message that no attached consumer's filter matches). */
const struct js_consumer_config *consumer_config(const struct consumer *c);

/* The stream purged messages (STREAM.PURGE, or a Nats-Rollup) that `c`'s
 * filter may match: nothing below `first_seq` is left for `c` (it is the
 * first sequence left that c's filter matches, or last_seq + 1 if none),
 * so the consumer moves its start up to it and drops pending acks below
 * it, as nats-server's consumer purge(sseq). */
void consumer_purged(struct consumer *c, uint64_t first_seq);

/* ---- Commands ----------------------------------------------------------- */

enum stream_cmd_kind {
    STREAM_CMD_MSG,         /* store a published message */
    STREAM_CMD_DELETE_MSG,  /* STREAM.MSG.DELETE (refused if deny_delete) */
    STREAM_CMD_PURGE,       /* STREAM.PURGE (refused if deny_purge) */
    STREAM_CMD_UPDATE,      /* STREAM.UPDATE: a new config, already checked */
    STREAM_CMD_EXPIRE,      /* drop messages older than max_age at `now_ns` */
    STREAM_CMD_REMOVE_ACKED /* retention: remove a message no consumer needs
                               any more (ignores deny_delete) */
};

/* One ordered command. Only the member for `kind` is read. Everything is
 * borrowed for the call. */
struct stream_cmd {
    enum stream_cmd_kind kind;
    union {
        struct {
            struct bl_slice subject;
            struct bl_slice reply; /* unused by apply; kept for replication */
            size_t hdr_len;        /* data holds headers then payload */
            struct bl_slice data;
            uint64_t ts_ns; /* wall-clock time assigned by the leader */
        } msg;
        struct {
            uint64_t seq;
            bool erase; /* overwrite the bytes too (no_erase false) */
        } del;
        const struct js_purge_request *purge;
        const struct js_stream_config *update;
        struct {
            uint64_t now_ns; /* wall-clock nanoseconds */
        } expire;
        struct {
            uint64_t seq;
        } remove_acked;
    } u;
};

/* What a command did. */
struct stream_result {
    struct js_error err; /* id JS_ERR_NONE when applied */
    uint64_t seq;        /* MSG: the new sequence, or the original one of a
                            duplicate; DELETE_MSG/REMOVE_ACKED: the seq */
    bool duplicate;      /* MSG: Nats-Msg-Id seen within the window */
    uint64_t n_removed;  /* messages removed (purge, rollup, limits, expiry) */
};

/* Applies `cmd` to the stream. Returns 0 when applied (res->err clear, for
 * a duplicate too), BL_EINVAL when refused without any change (res->err
 * says why: wrong last sequence, sealed, deny_purge, no such message...),
 * or BL_EIO/BL_ENOSPC/... when the store failed (res->err is the API error
 * to report; the store is as the failing call left it, see store.h). */
int stream_apply(struct stream *s, const struct stream_cmd *cmd,
                 struct stream_result *res);

/* ---- Life cycle --------------------------------------------------------- */

/* Creates the stream `cfg` (a config that passed js_stream_config_check;
 * copied) over the store `st`, taking ownership of `st` even on failure.
 * Rebuilds the duplicate window from the store's recent messages and starts
 * the max_age timer. `sync_interval_ms` 0 fsyncs before every PubAck (group
 * commit, see above); otherwise acks go out without
 * waiting and a timer syncs every sync_interval_ms. The created time is the
 * host's wall clock now (see stream_set_created()). `host` is borrowed for
 * the stream's life; `acc` is the account index acks are published in.
 * Returns 0 and *out, or a BL_E* code with errmsg. */
int stream_open(const struct js_stream_config *cfg, struct store *st,
                const struct js_host *host, size_t acc,
                uint64_t sync_interval_ms, struct stream **out, char *errmsg);

/* Stops the timers, sends any queued acks after a last sync, closes the
 * store and frees the stream. A group commit still in flight is finished
 * here as by stream_flush(); its late completion only frees its job. Attached consumers are not signalled or
 * otherwise touched (detach or free them before or after). Safe on NULL. */
void stream_close(struct stream *s);

/* Like stream_close() but deletes the store's files (STREAM.DELETE). Queued
 * acks are dropped, those waiting for a sync in flight too. Returns store_delete()'s result. Safe on NULL. */
int stream_delete(struct stream *s, char *errmsg);

/* ---- Accessors ---------------------------------------------------------- */

const char *stream_name(const struct stream *s);
const struct js_stream_config *stream_config(const struct stream *s);
struct store *stream_store(struct stream *s);
size_t stream_account(const struct stream *s);
const struct js_host *stream_host(const struct stream *s);

/* Overrides the created time (a stream loaded at restart keeps the time it
 * was first created). */
void stream_set_created(struct stream *s, uint64_t created_ns);
uint64_t stream_created(const struct stream *s);

/* JetStream domain put into PubAcks ("domain":"D"); copied; NULL: none. */
void stream_set_domain(struct stream *s, const char *domain);

/* Fills `out` with the store's counters and the consumer count;
 * subjects/deleted details are left empty (NULL, 0). A stream that never
 * had a message reports first_seq 0, as nats-server does. */
void stream_state(struct stream *s, struct js_stream_state *out);

/* Fills `out`: config, created time and `state` (which the caller provides
 * and stream_state() fills here; it must outlive `out`). */
void stream_info(struct stream *s, struct js_stream_info *out,
                 struct js_stream_state *state);

/* ---- Consumers ---------------------------------------------------------- */

/* Adds `c` to the consumers that get consumer_signal() and are asked
 * consumer_needs_msg(). Borrowed until detached. */
void stream_attach_consumer(struct stream *s, struct consumer *c);

/* Removes `c`; no effect if not attached. Does not touch messages: after
 * deleting a consumer of an interest stream call
 * stream_check_interest(). */
void stream_detach_consumer(struct stream *s, struct consumer *c);

size_t stream_n_consumers(const struct stream *s);
/* The i-th attached consumer, i < stream_n_consumers(). */
struct consumer *stream_consumer_at(const struct stream *s, size_t i);

/* Consumer acked `seq`. Interest retention: removes the message once no
 * attached consumer needs it; workqueue: removes it at once; limits:
 * nothing. Goes through stream_apply(STREAM_CMD_REMOVE_ACKED). */
void stream_msg_acked(struct stream *s, uint64_t seq);

/* Interest retention, after a consumer was deleted: removes every message
 * no remaining consumer needs (all of them when none is left). No effect
 * for other retention policies. Returns the number removed. */
uint64_t stream_check_interest(struct stream *s);

/* ---- Client operations -------------------------------------------------- */

/* A client published `m` on one of the stream's subjects at wall-clock
 * `now_ns`. Applies a STREAM_CMD_MSG and queues the reply to m->reply (none
 * without a reply subject or with no_ack): the PubAck, a duplicate PubAck
 * or the error PubAck, published with js_host_publish() after the group
 * commit (see stream_open()). Returns stream_apply()'s result. */
int stream_process_msg(struct stream *s, const struct js_inmsg *m,
                       uint64_t now_ns);

/* Sends what stream_process_msg() queued now, after syncing, instead of
 * waiting for the deferred flush (tests, shutdown). A group commit in
 * flight is finished synchronously: its fsyncs are done again here
 * (store_sync_repeat()) together with a store_sync() of everything newer,
 * then its acks and the queued ones are sent in order. Blocks the loop for
 * the fsyncs. */
void stream_flush(struct stream *s);

/* STREAM.MSG.GET / DIRECT.GET: by seq, last_by_subj, or next_by_subj (the
 * first at or after seq). Fills *out pointing into `buf`, which the caller
 * initialised with store_msg_init() and closes with store_msg_close(); `out`
 * stays valid until then. Returns 0, or BL_ENOENT with NO_MESSAGE_FOUND
 * (10037) in err, or BL_EIO with STREAM_GENERAL. */
int stream_get_msg(struct stream *s, const struct js_msg_get_request *req,
                   struct store_msg *buf, struct js_stored_msg *out,
                   struct js_error *err);

/* STREAM.MSG.DELETE through apply. 0, or BL_EINVAL with err (sealed:
 * STREAM_SEALED; deny_delete: STREAM_MSG_DELETE_FAILED "message delete not
 * permitted"; no such message: SEQUENCE_NOT_FOUND "sequence N not found"),
 * or a store error (STREAM_MSG_DELETE_FAILED). */
int stream_delete_msg(struct stream *s, uint64_t seq, bool erase,
                      struct js_error *err);

/* STREAM.PURGE through apply; *n_purged gets the count. Errors as
 * stream_apply(). */
int stream_purge(struct stream *s, const struct js_purge_request *req,
                 uint64_t *n_purged, struct js_error *err);

/* STREAM.UPDATE: js_stream_config_check_update() against the current
 * config (modifies `cfg` in place: defaults), then apply: new limits are
 * enforced at once (discard old). 0 or BL_EINVAL with err. */
int stream_update_config(struct stream *s, struct js_stream_config *cfg,
                         struct js_error *err);

/* ---- Headers ------------------------------------------------------------ */

/* Finds header `key` (case-sensitive, as nats-server's getHeader) in a
 * "NATS/1.0\r\nKey: value\r\n..." block and returns its value with spaces
 * trimmed, borrowing `hdr`. Returns false when absent. */
bool stream_header_get(struct bl_slice hdr, const char *key,
                       struct bl_slice *value);

#endif
