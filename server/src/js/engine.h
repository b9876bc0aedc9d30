/* Shared by jetstream.c (accounts, streams on disk) and api.c (the
 * $JS.API handlers): the engine's data structures. */
#ifndef BALLAST_JS_ENGINE_H
#define BALLAST_JS_ENGINE_H

#include "js/api_types.h"
#include "js/errors.h"
#include "js/host.h"
#include "js/jetstream.h"

#include "ballast/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stream;
struct consumer;
struct store;
struct js_account;
struct snap_job;
struct restore_job;

struct js_consumer_entry {
    struct consumer *c;
    char *name;
    struct js_stream_entry *se;
};

struct js_stream_entry {
    struct js_account *acct;
    struct stream *s;
    char *name;
    char *dir;              /* on disk; meta.json and msgs/ live here */
    struct js_isub **subs;  /* one per configured subject */
    size_t n_subs;
    struct js_isub *direct; /* $JS.API.DIRECT.GET.<name>[.>] when allowed */
    struct js_isub *direct_subj;
    struct js_consumer_entry **consumers;
    size_t n_consumers;
    struct snap_job *snaps; /* snapshots being sent (backup.c) */
};

struct js_account {
    struct jetstream *js;
    size_t acc;
    char *name;
    char *dir; /* <store_dir>/jetstream/<name> */
    struct js_isub *api_sub;
    struct js_stream_entry **streams;
    size_t n_streams;
    struct restore_job *restores; /* restores in flight (backup.c) */
};

struct jetstream {
    const struct js_host *host;
    struct jetstream_opts opts; /* strings owned */
    struct js_account **accounts;
    size_t n_accounts;
    uint64_t api_total;
    uint64_t api_errors;
    struct js_isub **refusals; /* $JS.API.> in accounts without JetStream */
    size_t n_refusals;
};

/* jetstream.c */
/* Writes len-1 random letters and digits and a NUL (names of ephemeral
 * consumers, snapshot and restore subjects). */
void engine_random_id(char *out, size_t len);
/* The server's limit for a storage kind in bytes, -1 for none. */
int64_t engine_storage_limit(struct jetstream *js, enum js_storage kind);
/* rm -rf; 0 or a BL_E* code. */
int engine_rm_rf(const char *path);
/* mkdir -p; 0 or a BL_E* code with errmsg. */
int engine_mkdir_p(const char *path, char *errmsg);
struct js_stream_entry *engine_find_stream(struct js_account *a,
                                           const char *name);
/* Creates a stream (config checked and defaulted) with its store, files
 * and subscriptions. On failure fills err and returns nonzero. */
int engine_create_stream(struct js_account *a,
                         const struct js_stream_config *cfg,
                         struct js_stream_entry **out, struct js_error *err);
/* The directory a stream of this name lives in (caller frees). */
char *engine_stream_dir(struct js_account *a, const char *name);
/* Like engine_create_stream() over a store the caller filled (restore);
 * takes ownership of `st` even on failure. */
int engine_adopt_stream(struct js_account *a,
                        const struct js_stream_config *cfg, struct store *st,
                        struct js_stream_entry **out, struct js_error *err);
/* Restores a consumer with its saved state bytes (may be empty). */
int engine_restore_consumer(struct js_stream_entry *se, const char *name,
                            const struct js_consumer_config *cfg,
                            uint64_t created_ns, struct bl_slice state,
                            struct js_error *err);
/* Reads a durable consumer's saved state (caller frees *out); 0 bytes for
 * memory-only consumers. */
int engine_consumer_state(struct js_consumer_entry *ce, struct bl_buf *out);
/* True if `cfg`'s subjects overlap a stream of the account other than
 * `except`. */
bool engine_subjects_taken(struct js_account *a,
                           const struct js_stream_config *cfg,
                           const struct js_stream_entry *except);

/* Re-subscribes the stream's subjects after a config change and rewrites
 * meta.json. */
int engine_stream_updated(struct js_stream_entry *se, struct js_error *err);
/* Deletes the stream, its consumers and files. */
int engine_delete_stream(struct js_stream_entry *se, struct js_error *err);
/* Frees the entry (closing the stream, keeping its files). */
void engine_close_stream(struct js_stream_entry *se);

struct js_consumer_entry *engine_find_consumer(struct js_stream_entry *se,
                                               const char *name);
int engine_create_consumer(struct js_stream_entry *se, const char *name,
                           const struct js_consumer_config *cfg,
                           struct js_consumer_entry **out,
                           struct js_error *err);
int engine_delete_consumer(struct js_consumer_entry *ce, struct js_error *err);

/* Publishes `body` to `reply` in the account (no-op without reply). */
void engine_reply(struct js_account *a, struct bl_slice reply,
                  const struct bl_buf *body);
/* The same with a header block (hdr_len bytes at the start of data). */
void engine_reply_hdr(struct js_account *a, struct bl_slice reply,
                      size_t hdr_len, struct bl_slice data);

/* backup.c */
/* $JS.API.STREAM.SNAPSHOT.<stream> and $JS.API.STREAM.RESTORE.<stream>:
 * reply to `m` (the tokens name the stream). */
void backup_snapshot_request(struct js_account *a, const struct js_inmsg *m,
                             const char *stream, struct bl_slice body);
void backup_restore_request(struct js_account *a, const struct js_inmsg *m,
                            const char *stream, struct bl_slice body);
/* Stops the stream's snapshots in flight (stream deleted or closing). */
void backup_cancel_stream(struct js_stream_entry *se);
/* Stops every restore in flight in the account. */
void backup_cancel_account(struct js_account *a);

/* api.c */
/* The $JS.API.> subscription callback; ctx is the struct js_account. */
void api_on_request(void *ctx, const struct js_inmsg *m);
/* $JS.API.DIRECT.GET.<stream>[.<subject>]; ctx is the stream entry. */
void api_on_direct_get(void *ctx, const struct js_inmsg *m);

#endif
