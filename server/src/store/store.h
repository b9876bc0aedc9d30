/* Message store of one JetStream stream: an ordered log of messages keyed by
 * sequence number, with an index by subject. Two implementations share this
 * interface: the file store (a directory of checksummed block files, an
 * in-memory index but not the payloads in memory) and the memory store (the
 * same semantics in RAM). The index costs about 24 bytes of RAM a message
 * (16 in the sequence index, 8 in its subject's list) plus each distinct
 * subject once.
 *
 * The store knows subjects and sequences, not streams: limits (max_msgs,
 * max_bytes, max_age, max_msgs_per_subject, discard policy), retention and
 * deduplication are enforced by the caller (js/) with the primitives below.
 * It never sees a socket, JSON or libuv; every call is synchronous and does
 * plain POSIX file I/O. A store is not thread-safe: one caller at a time.
 *
 * Sequence numbers start at 1. `first_seq` is the lowest live message (or
 * last_seq + 1 when the store is empty); every sequence in
 * [first_seq, last_seq] that holds no message counts as deleted. Sequences
 * are never reused, even after a purge.
 *
 * Durability: an append or delete returns once the bytes are written to the
 * kernel (they survive a crash of the process, not of the machine).
 * store_sync() makes everything written so far durable with one fsync per
 * touched file, so the caller can group-commit; cfg.sync_every_write makes
 * every mutating call sync before it returns. store_sync_begin/run/end
 * split that sync so the fsyncs can run on a worker thread while the
 * owner keeps using the store (see below). */
#ifndef BALLAST_STORE_STORE_H
#define BALLAST_STORE_STORE_H

#include "ballast/buf.h"
#include "ballast/err.h"

#include <stdbool.h>
#include <stdint.h>

enum store_kind { STORE_FILE, STORE_MEMORY };

struct store_cfg {
    const char *name;        /* for messages only ("ORDERS"); may be NULL */
    uint64_t block_size;     /* file store: roll to a new block file past
                                this many bytes; 0 = STORE_BLOCK_SIZE_DEFAULT */
    bool sync_every_write;   /* fsync before every mutating call returns */
    unsigned compact_pct;    /* file store: rewrite a block whose live bytes
                                fall below this percentage of its size;
                                0 = STORE_COMPACT_PCT_DEFAULT, >100 = never */
};

#define STORE_BLOCK_SIZE_DEFAULT (8u * 1024 * 1024)
#define STORE_COMPACT_PCT_DEFAULT 50u

/* Bytes one message is accounted for in store_state.bytes, the same for
 * both implementations (it is the file store's record size): the caller
 * uses it to check max_bytes before appending. */
#define STORE_MSG_OVERHEAD 40u
static inline uint64_t store_msg_size(size_t subject_len, size_t hdr_len,
                                      size_t data_len)
{
    return (uint64_t)subject_len + hdr_len + data_len + STORE_MSG_OVERHEAD;
}

/* Largest subject + headers + payload one message may have. */
#define STORE_MSG_MAX (64u * 1024 * 1024)

/* A loaded message. The slices point into `buf`, which the message owns:
 * they stay valid until the next load into the same struct or
 * store_msg_close(). */
struct store_msg {
    uint64_t seq;
    uint64_t ts_ns;          /* wall-clock nanoseconds given at append */
    struct bl_slice subject;
    struct bl_slice hdr;     /* NATS/1.0 header block, len 0 if none */
    struct bl_slice data;
    struct bl_buf buf;
};

void store_msg_init(struct store_msg *m);
void store_msg_close(struct store_msg *m);

struct store_state {
    uint64_t msgs;
    uint64_t bytes;          /* sum of store_msg_size() of live messages */
    uint64_t first_seq;
    uint64_t first_ts_ns;    /* 0 when empty */
    uint64_t last_seq;       /* 0 when nothing was ever stored */
    uint64_t last_ts_ns;     /* time of the last appended or skipped seq */
    uint64_t num_deleted;    /* holes in [first_seq, last_seq] */
    uint64_t num_subjects;   /* distinct subjects with live messages */
};

/* Messages of one subject, or of every subject matching a filter. */
struct store_subject_state {
    uint64_t msgs;
    uint64_t first_seq;      /* 0 when msgs == 0 */
    uint64_t last_seq;
};

/* What opening a file store found and repaired. Problems here did not stop
 * the open; they are also logged once with bl_log_warn(). */
struct store_recovery {
    uint64_t n_bad_records;  /* corrupt records skipped in the middle */
    uint64_t n_torn_bytes;   /* bytes cut off the tail of the last block */
    char msg[256];           /* the first problem, "" if none */
};

/* Called for each message in sequence order; nonzero stops the walk and is
 * returned by the walking function. `m` is valid during the call only. */
typedef int (*store_msg_cb)(void *ctx, const struct store_msg *m);
/* Called for each subject; nonzero stops the walk. */
typedef int (*store_subject_cb)(void *ctx, struct bl_slice subject,
                                const struct store_subject_state *st);
/* Called for each deleted sequence; nonzero stops the walk. */
typedef int (*store_seq_cb)(void *ctx, uint64_t seq);

struct store;
struct store_sync;

/* Implementation vtable; use the store_*() wrappers below. */
struct store_ops {
    int (*append)(struct store *s, uint64_t seq, struct bl_slice subject,
                  struct bl_slice hdr, struct bl_slice data, uint64_t ts_ns,
                  uint64_t *seq_out, char *errmsg);
    int (*skip_to)(struct store *s, uint64_t seq, uint64_t ts_ns,
                   char *errmsg);
    int (*load)(struct store *s, uint64_t seq, struct store_msg *m,
                char *errmsg);
    int (*load_next)(struct store *s, struct bl_slice filter, uint64_t seq,
                     struct store_msg *m, char *errmsg);
    int (*load_prev)(struct store *s, struct bl_slice filter, uint64_t seq,
                     struct store_msg *m, char *errmsg);
    int (*remove)(struct store *s, uint64_t seq, bool erase, char *errmsg);
    int (*purge)(struct store *s, struct bl_slice filter, uint64_t below_seq,
                 uint64_t keep, uint64_t *n_purged, char *errmsg);
    int (*compact)(struct store *s, uint64_t seq, uint64_t *n_purged,
                   char *errmsg);
    int (*truncate)(struct store *s, uint64_t seq, char *errmsg);
    int (*sync)(struct store *s, char *errmsg);
    void (*close)(struct store *s);
    int (*destroy)(struct store *s, char *errmsg);
    int (*sync_begin)(struct store *s, struct store_sync **out, char *errmsg);
};

/* One fsync batch taken by store_sync_begin(). Implementations (and test
 * wrappers) embed it and fill `run` and `free`; the fields below them
 * belong to store_sync_run() and store_sync_end(). */
struct store_sync {
    /* Worker thread: does the fsyncs and returns 0 or a BL_E* code with
     * errmsg filled. Reads only the job (never the store), and may run
     * again, concurrently, through store_sync_repeat(). */
    int (*run)(const struct store_sync *j, char *errmsg);
    /* Loop thread: releases what the job holds and frees it. */
    void (*free)(struct store_sync *j);
    int rv;
    char errmsg[BL_ERRMSG_SIZE];
};

/* Fields shared by both implementations; js/ reads nothing here but calls
 * the functions below. */
struct store {
    const struct store_ops *ops;
    enum store_kind kind;
    struct store_core *core; /* index and counters (internal.h) */
};

/* Opens (creating if needed) the file store in directory `dir`, scanning
 * its blocks, truncating a torn tail of the last one and rebuilding the
 * index. Corrupt records elsewhere are skipped and reported through
 * store_recovery(). On success *out is the caller's (store_close() or
 * store_delete()). Fails with BL_EIO/BL_ENOSPC/BL_EPERM (cannot create or
 * read the directory) or BL_EINVAL (bad config, not a store directory). */
int filestore_open(const char *dir, const struct store_cfg *cfg,
                   struct store **out, char *errmsg);

/* Creates an empty memory store; cfg may be NULL. Never fails except on a
 * bad config (BL_EINVAL). */
int memstore_new(const struct store_cfg *cfg, struct store **out);

/* Appends a message with the next sequence (last_seq + 1), written to
 * *seq_out if not NULL. Borrows the slices for the call. subject must be
 * non-empty; sizes above STORE_MSG_MAX give BL_ETOOBIG. A failed append
 * (BL_ENOSPC, BL_EIO) leaves the store as it was. */
static inline int store_append(struct store *s, struct bl_slice subject,
                               struct bl_slice hdr, struct bl_slice data,
                               uint64_t ts_ns, uint64_t *seq_out,
                               char *errmsg)
{
    return s->ops->append(s, 0, subject, hdr, data, ts_ns, seq_out, errmsg);
}

/* Appends a message that must keep sequence `seq` (restore, replication).
 * seq must be greater than last_seq (else BL_EINVAL); the sequences
 * skipped in between become deleted. */
static inline int store_append_at(struct store *s, uint64_t seq,
                                  struct bl_slice subject, struct bl_slice hdr,
                                  struct bl_slice data, uint64_t ts_ns,
                                  char *errmsg)
{
    if (seq == 0)
        return BL_EINVAL;
    return s->ops->append(s, seq, subject, hdr, data, ts_ns, NULL, errmsg);
}

/* Moves last_seq up to `seq` without storing a message (the sequences in
 * between become deleted; if the store is empty first_seq becomes seq + 1).
 * seq < last_seq is BL_EINVAL, seq == last_seq does nothing. Durable like an
 * append. */
static inline int store_skip_to(struct store *s, uint64_t seq, uint64_t ts_ns,
                                char *errmsg)
{
    return s->ops->skip_to(s, seq, ts_ns, errmsg);
}

/* Loads message `seq` into m. BL_ENOENT if it was deleted or is outside
 * [first_seq, last_seq]; BL_EIO if its bytes are unreadable or fail their
 * checksum (it stays in the index until the caller removes it). The
 * load_* functions below return BL_EIO the same way. */
static inline int store_load(struct store *s, uint64_t seq,
                             struct store_msg *m, char *errmsg)
{
    return s->ops->load(s, seq, m, errmsg);
}

/* Loads the first live message with sequence >= seq whose subject matches
 * `filter` (wildcards allowed; an empty filter or ">" matches all); m->seq
 * tells which. BL_ENOENT if there is none (yet). A literal filter is a
 * binary search in the subject's list; a wildcard scans the in-memory
 * index (16 bytes a sequence, empty stretches skipped 1024 at a time). */
static inline int store_load_next(struct store *s, struct bl_slice filter,
                                  uint64_t seq, struct store_msg *m,
                                  char *errmsg)
{
    return s->ops->load_next(s, filter, seq, m, errmsg);
}

/* Loads the last live message with sequence <= seq matching `filter`.
 * BL_ENOENT if none. */
static inline int store_load_prev(struct store *s, struct bl_slice filter,
                                  uint64_t seq, struct store_msg *m,
                                  char *errmsg)
{
    return s->ops->load_prev(s, filter, seq, m, errmsg);
}

/* Loads the newest message matching `filter` (last-by-subject, KV get).
 * BL_ENOENT if none. */
static inline int store_load_last(struct store *s, struct bl_slice filter,
                                  struct store_msg *m, char *errmsg)
{
    return s->ops->load_prev(s, filter, UINT64_MAX, m, errmsg);
}

/* Removes message `seq`; with `erase` its bytes are overwritten on disk
 * too. BL_ENOENT if there is no such live message. If only the overwrite
 * fails, the message is removed and the error (BL_EIO) still returned. */
static inline int store_remove(struct store *s, uint64_t seq, bool erase,
                               char *errmsg)
{
    return s->ops->remove(s, seq, erase, errmsg);
}

/* Removes the messages that match `filter` (empty = all subjects), have a
 * sequence below `below_seq` (0 = no bound) and are not among the `keep`
 * newest matching ones (0 = keep none), oldest first. With no filter, bound
 * or keep, this is a full purge: the store becomes empty and first_seq
 * becomes last_seq + 1. Writes the number removed to *n_purged if not
 * NULL. `keep` counts messages across everything the filter matches (for a
 * per-subject rollup pass a literal subject); nats-server's unfiltered
 * keep is compact(last_seq - keep + 1) instead, which the caller can use
 * directly. Refusing below_seq together with keep (ErrPurgeArgMismatch) is
 * the caller's job. */
static inline int store_purge(struct store *s, struct bl_slice filter,
                              uint64_t below_seq, uint64_t keep,
                              uint64_t *n_purged, char *errmsg)
{
    return s->ops->purge(s, filter, below_seq, keep, n_purged, errmsg);
}

/* Removes every message below `seq` and makes first_seq at least seq; if
 * seq > last_seq + 1, last_seq becomes seq - 1 (a restore or catch-up that
 * starts later). Whole blocks below seq are unlinked. */
static inline int store_compact(struct store *s, uint64_t seq,
                                uint64_t *n_purged, char *errmsg)
{
    return s->ops->compact(s, seq, n_purged, errmsg);
}

/* Removes every message above `seq` and sets last_seq = seq (replication
 * rollback). seq must be >= first_seq - 1 and <= last_seq. */
static inline int store_truncate(struct store *s, uint64_t seq, char *errmsg)
{
    return s->ops->truncate(s, seq, errmsg);
}

/* Makes every change so far durable (fsync of the touched files and the
 * directory). A no-op for the memory store. */
static inline int store_sync(struct store *s, char *errmsg)
{
    return s->ops->sync(s, errmsg);
}

/* The sync in three steps, for a group commit whose fsyncs run on a
 * worker thread:
 *
 * store_sync_begin() (owner's thread) captures what must be synced for
 * every change made so far -- duplicated descriptors of the block and dmap
 * files written since the last begin or store_sync(), and of the directory
 * if a file was created, renamed or removed -- and marks the store clean.
 * Changes made after it returns belong to the next sync. *out is NULL when
 * there is nothing to sync (always for the memory store); otherwise the
 * caller must pass it to store_sync_end() exactly once. Fails (BL_EIO,
 * descriptors exhausted) leaving the store's dirty state as it was.
 *
 * store_sync_run() (any thread) does the fsyncs and records the result in
 * the job. It never touches the store, so the owner may keep appending,
 * removing, closing or deleting the store meanwhile: the job holds its own
 * descriptors. Safe on NULL (returns 0).
 *
 * store_sync_end() (owner's thread, after run returned) returns run's
 * result with its message in errmsg, closes the job's descriptors and frees
 * it. Safe on NULL. Does not need the store, which may be gone by then.
 *
 * store_sync() is unchanged: it syncs what changed since the last begin (a
 * begun job covers the rest). store_sync_repeat() does a begun job's fsyncs
 * again on the calling thread, to make its changes durable now (shutdown)
 * even while store_sync_run() of the same job is still running elsewhere;
 * the job stays the caller's to end. */
int store_sync_begin(struct store *s, struct store_sync **out, char *errmsg);
int store_sync_run(struct store_sync *j);
int store_sync_end(struct store_sync *j, char *errmsg);
int store_sync_repeat(const struct store_sync *j, char *errmsg);

/* Syncs, releases memory and file descriptors, frees s. Safe on NULL. */
void store_close(struct store *s);

/* Closes the store and removes its files (and the directory). Frees s even
 * when removing fails. Safe on NULL. */
int store_delete(struct store *s, char *errmsg);

enum store_kind store_kind(const struct store *s);

/* The counters, O(1) (after removals of the first message, the file store
 * reads the new first timestamp from disk once, here). */
void store_state(const struct store *s, struct store_state *st);

/* Messages, first and last sequence of one literal subject, O(1) (each
 * subject keeps its sequence list). Zeroes when the subject has no
 * message. */
void store_subject_state(struct store *s, struct bl_slice subject,
                         struct store_subject_state *st);

/* Messages matching `filter` with sequence >= seq, and the first and last
 * of them (NumPending for consumers, FilteredState in nats-server). A
 * literal filter costs a binary search; a wildcard uses the subject table
 * when seq <= first_seq, else scans the index from seq. */
void store_filtered_state(struct store *s, struct bl_slice filter,
                          uint64_t seq, struct store_subject_state *st);

/* Calls cb for every subject matching `filter` (empty = all) that has
 * messages, in no particular order, with its exact state
 * (SubjectsState/SubjectsTotals, last_per_subject delivery). Returns cb's
 * nonzero value if it stopped the walk, else 0. */
int store_subjects(struct store *s, struct bl_slice filter,
                   store_subject_cb cb, void *ctx);

/* Number of distinct subjects matching `filter` with messages. */
uint64_t store_num_subjects(struct store *s, struct bl_slice filter);

/* Calls cb for every deleted sequence in [first_seq, last_seq] in order.
 * Returns cb's nonzero value if it stopped the walk, else 0. */
int store_deleted(struct store *s, store_seq_cb cb, void *ctx);

/* The first live sequence whose timestamp is >= ts_ns (deliver policy
 * by_start_time), or last_seq + 1 if none. Assumes timestamps do not go
 * backwards along the sequence. */
uint64_t store_seq_from_time(struct store *s, uint64_t ts_ns);

/* Calls cb for every live message with sequence >= seq, in order (backup).
 * Returns cb's nonzero value, or a negative BL_E* on a read error (errmsg
 * says which message), else 0. The store must not be modified by cb. */
int store_iter(struct store *s, uint64_t seq, store_msg_cb cb, void *ctx,
               char *errmsg);

/* What filestore_open() repaired; all zero for the memory store. */
const struct store_recovery *store_recovery(const struct store *s);

#endif
