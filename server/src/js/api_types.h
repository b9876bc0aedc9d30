/* JetStream API request and response types: stream and consumer
 * configurations, the small request bodies, and the renderers for the
 * replies, all in nats-server 2.9's JSON shapes (field names, defaults,
 * omitempty behaviour, validation messages and error codes).
 *
 * Parsers take the raw request body and fill a C struct or a struct
 * js_error (errors.h) that the caller renders as the reply; renderers
 * append to a bl_buf. Checks that need only the request and the parent
 * stream's configuration live here (js_stream_config_check(),
 * js_consumer_config_check(), the update rules); checks that need the set
 * of existing streams or consumers (name in use, subject overlap with other
 * streams, work queue uniqueness against other consumers' filters) belong to
 * the stream and consumer state machines, which get helpers below.
 *
 * Pure code: no sockets, no files, no clock (times come in as numbers).
 *
 * Conventions: a `char *` field is owned by its struct and is NULL when
 * empty (parsers never store ""), while the strings in arrays (subjects,
 * tags) are never NULL; durations are int64 nanoseconds (`_ns`);
 * wall-clock times are nanoseconds since the Unix epoch, where 0 renders as
 * Go's zero time. Every parser returns 0 or BL_EINVAL and on failure fills
 * `err` (id, client text, and a log-only detail naming the field) and leaves
 * `out` initialised but empty, so *_close() is always safe. */
#ifndef BALLAST_JS_API_TYPES_H
#define BALLAST_JS_API_TYPES_H

#include "ballast/buf.h"
#include "js/errors.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JS_NS_PER_SEC 1000000000LL

/* Limits and defaults of nats-server 2.9. */
#define JS_MAX_NAME_LEN 255         /* stream, consumer names */
#define JS_MAX_DESCRIPTION_LEN 4096 /* stream, consumer description */
#define JS_STREAM_MAX_REPLICAS 5
#define JS_DEFAULT_DUPLICATE_WINDOW_NS (120 * JS_NS_PER_SEC)
#define JS_MIN_MAX_AGE_NS (JS_NS_PER_SEC / 10) /* max_age, duplicate_window */
#define JS_DEFAULT_ACK_WAIT_NS (30 * JS_NS_PER_SEC)
#define JS_DEFAULT_MAX_ACK_PENDING 1000
#define JS_DEFAULT_MAX_WAITING 512 /* pull consumers' waiting requests */
#define JS_DEFAULT_INACTIVE_THRESHOLD_NS (5 * JS_NS_PER_SEC) /* ephemerals */
#define JS_MIN_HEARTBEAT_NS (JS_NS_PER_SEC / 10)
/* Page sizes of STREAM.NAMES and CONSUMER.NAMES, and of the LIST calls. */
#define JS_API_NAMES_LIMIT 1024
#define JS_API_LIST_LIMIT 256

/* The "type" of each API response. */
#define JS_TYPE_PREFIX "io.nats.jetstream.api.v1."
#define JS_TYPE_ACCOUNT_INFO JS_TYPE_PREFIX "account_info_response"
#define JS_TYPE_STREAM_CREATE JS_TYPE_PREFIX "stream_create_response"
#define JS_TYPE_STREAM_UPDATE JS_TYPE_PREFIX "stream_update_response"
#define JS_TYPE_STREAM_INFO JS_TYPE_PREFIX "stream_info_response"
#define JS_TYPE_STREAM_DELETE JS_TYPE_PREFIX "stream_delete_response"
#define JS_TYPE_STREAM_PURGE JS_TYPE_PREFIX "stream_purge_response"
#define JS_TYPE_STREAM_NAMES JS_TYPE_PREFIX "stream_names_response"
#define JS_TYPE_STREAM_LIST JS_TYPE_PREFIX "stream_list_response"
#define JS_TYPE_STREAM_MSG_GET JS_TYPE_PREFIX "stream_msg_get_response"
#define JS_TYPE_STREAM_MSG_DELETE JS_TYPE_PREFIX "stream_msg_delete_response"
#define JS_TYPE_STREAM_SNAPSHOT JS_TYPE_PREFIX "stream_snapshot_response"
#define JS_TYPE_STREAM_RESTORE JS_TYPE_PREFIX "stream_restore_response"
#define JS_TYPE_CONSUMER_CREATE JS_TYPE_PREFIX "consumer_create_response"
#define JS_TYPE_CONSUMER_DELETE JS_TYPE_PREFIX "consumer_delete_response"
#define JS_TYPE_CONSUMER_INFO JS_TYPE_PREFIX "consumer_info_response"
#define JS_TYPE_CONSUMER_NAMES JS_TYPE_PREFIX "consumer_names_response"
#define JS_TYPE_CONSUMER_LIST JS_TYPE_PREFIX "consumer_list_response"

/* ---- Stream configuration ---------------------------------------------- */

enum js_retention {
    JS_RETENTION_LIMITS = 0,
    JS_RETENTION_INTEREST,
    JS_RETENTION_WORKQUEUE
};

enum js_discard { JS_DISCARD_OLD = 0, JS_DISCARD_NEW };

enum js_storage { JS_STORAGE_FILE = 0, JS_STORAGE_MEMORY };

struct js_placement {
    char *cluster;
    char **tags;
    size_t n_tags;
};

/* Another account's stream, reached through its API and deliver prefixes. */
struct js_external {
    char *api;
    char *deliver;
};

/* A mirror or a source. Parsed and kept; whether they work is the stream
 * module's business. */
struct js_stream_source {
    char *name;
    uint64_t opt_start_seq;
    bool has_opt_start_time;
    int64_t opt_start_time_ns;
    char *filter_subject;
    struct js_external *external; /* NULL when absent */
};

struct js_republish {
    char *src; /* NULL: all subjects (">" after js_stream_config_check()) */
    char *dest;
    bool headers_only;
};

struct js_stream_config {
    char *name;
    char *description;
    char **subjects;
    size_t n_subjects;
    enum js_retention retention;
    int64_t max_consumers;        /* -1: unlimited */
    int64_t max_msgs;             /* -1: unlimited */
    int64_t max_bytes;            /* -1: unlimited */
    int64_t max_age_ns;           /* 0: unlimited */
    int64_t max_msgs_per_subject; /* -1: unlimited */
    int32_t max_msg_size;         /* -1: unlimited */
    enum js_discard discard;
    enum js_storage storage;
    int64_t num_replicas;
    bool no_ack;
    char *template_owner;
    int64_t duplicate_window_ns;
    struct js_placement *placement;  /* NULL when absent */
    struct js_stream_source *mirror; /* NULL when absent */
    struct js_stream_source *sources;
    size_t n_sources;
    struct js_republish *republish; /* NULL when absent */
    bool allow_direct;
    bool mirror_direct;
    bool discard_new_per_subject;
    bool sealed;
    bool deny_delete;
    bool deny_purge;
    bool allow_rollup_hdrs;
};

/* Zeroes `c` (Go's zero value: no defaults applied). */
void js_stream_config_init(struct js_stream_config *c);
/* Frees everything `c` owns and zeroes it. Safe on a zeroed struct. */
void js_stream_config_close(struct js_stream_config *c);
/* Deep copy; `dst` is overwritten (not closed first). */
void js_stream_config_copy(struct js_stream_config *dst,
                           const struct js_stream_config *src);
/* Deep equality, NULL and "" strings being equal: nats-server answers a
 * create of an existing stream with the same (defaulted) config with
 * success and with STREAM_NAME_EXIST otherwise. */
bool js_stream_config_equal(const struct js_stream_config *a,
                            const struct js_stream_config *b);

/* Parses a StreamConfig JSON body (the STREAM.CREATE/UPDATE request). Wrong
 * types, unknown enum values, non-integer or out-of-range numbers and
 * malformed JSON give INVALID_JSON (10025) as nats-server does; unknown
 * fields are ignored, JSON null is "absent", keys match case-insensitively.
 * No defaults are applied. */
int js_stream_config_parse(struct js_stream_config *out, const char *body,
                           size_t len, struct js_error *err);
/* The same from an already parsed JSON object (a restore request's
 * "config"). Borrows `obj`. */
int js_stream_config_from_json(struct js_stream_config *out, const json_t *obj,
                               struct js_error *err);

/* nats-server's checkStreamCfg, the part that needs no other stream: name
 * rules, then defaults (max_msgs, max_bytes, max_msg_size,
 * max_msgs_per_subject, max_consumers -1; storage file; one replica;
 * duplicate window 2 min or max_age if shorter; subjects = [name] when none
 * and no mirror/sources), then the limits, rollup, discard-new-per-subject,
 * mirror/subjects, subject validity/duplication/overlap and republish
 * rules. Modifies `c` in place (defaults). On failure fills `err`
 * (STREAM_INVALID_CONFIG 10052 with nats-server's text, or the specific
 * error) and returns BL_EINVAL. */
int js_stream_config_check(struct js_stream_config *c, struct js_error *err);

/* STREAM.CREATE's extra checks before js_stream_config_check(): no path
 * separators in the name (10128), not sealed, no mirror_direct without a
 * mirror. Then runs js_stream_config_check(). */
int js_stream_config_check_create(struct js_stream_config *c,
                                  struct js_error *err);

/* STREAM.UPDATE: js_stream_config_check() on `c`, then what may not change
 * from `old` (name, max_consumers, storage, retention, template, mirror,
 * republish; sealed, deny_delete, deny_purge cannot go back to false), then
 * a sealed stream's forced settings (max_age 0, discard new, deny delete and
 * purge, no rollups). `old` is a config that passed the check before. */
int js_stream_config_check_update(const struct js_stream_config *old,
                                  struct js_stream_config *c,
                                  struct js_error *err);

/* Appends the config as a JSON object, as nats-server renders it. */
void js_stream_config_render(struct bl_buf *out,
                             const struct js_stream_config *c);

/* True if `name` is a valid stream/consumer name: non-empty, none of
 * ". * >" or whitespace. */
bool js_name_valid(const char *name);
/* True if `name` holds '/' or '\'. */
bool js_name_has_path_sep(const char *name);

/* True if any of the subjects of `a` collides with one of `b`: the rule for
 * STREAM_SUBJECT_OVERLAP (10065) between two streams. */
bool js_subjects_overlap(char *const *a, size_t n_a, char *const *b,
                         size_t n_b);

/* ---- Consumer configuration -------------------------------------------- */

enum js_deliver_policy {
    JS_DELIVER_ALL = 0,
    JS_DELIVER_LAST,
    JS_DELIVER_NEW,
    JS_DELIVER_BY_START_SEQUENCE,
    JS_DELIVER_BY_START_TIME,
    JS_DELIVER_LAST_PER_SUBJECT
};

enum js_ack_policy { JS_ACK_NONE = 0, JS_ACK_ALL, JS_ACK_EXPLICIT };

enum js_replay_policy { JS_REPLAY_INSTANT = 0, JS_REPLAY_ORIGINAL };

struct js_consumer_config {
    char *durable_name; /* set: durable consumer */
    char *name;
    char *description;
    enum js_deliver_policy deliver_policy;
    uint64_t opt_start_seq;
    bool has_opt_start_time;
    int64_t opt_start_time_ns;
    enum js_ack_policy ack_policy;
    int64_t ack_wait_ns;
    int64_t max_deliver; /* -1: unlimited */
    int64_t *backoff_ns;
    size_t n_backoff;
    char *filter_subject;
    enum js_replay_policy replay_policy;
    uint64_t rate_limit_bps;
    char *sample_freq; /* "30" or "30%" */
    int64_t max_waiting;
    int64_t max_ack_pending;
    int64_t idle_heartbeat_ns;
    bool flow_control;
    bool headers_only;
    int64_t max_batch;      /* pull: largest batch per request */
    int64_t max_expires_ns; /* pull: longest expires per request */
    int64_t max_bytes;      /* pull: largest max_bytes per request */
    char *deliver_subject;  /* set: push consumer */
    char *deliver_group;
    int64_t inactive_threshold_ns;
    int64_t num_replicas;
    bool mem_storage;
    bool direct;
};

void js_consumer_config_init(struct js_consumer_config *c);
void js_consumer_config_close(struct js_consumer_config *c);
void js_consumer_config_copy(struct js_consumer_config *dst,
                             const struct js_consumer_config *src);
bool js_consumer_config_equal(const struct js_consumer_config *a,
                              const struct js_consumer_config *b);

static inline bool js_consumer_is_durable(const struct js_consumer_config *c)
{
    return c->durable_name != NULL;
}

static inline bool js_consumer_is_pull(const struct js_consumer_config *c)
{
    return c->deliver_subject == NULL;
}

/* Parses a ConsumerConfig JSON object (same rules as the stream config
 * parser). Borrows `obj`. */
int js_consumer_config_from_json(struct js_consumer_config *out,
                                 const json_t *obj, struct js_error *err);

/* nats-server's setConsumerConfigDefaults: pull max_waiting 512, ack_wait
 * 30s for ack all/explicit (backoff[0] when a backoff is set), max_deliver
 * -1, max_ack_pending 1000 for ack all/explicit, and the 5s
 * inactive_threshold of ephemerals. */
void js_consumer_config_set_defaults(struct js_consumer_config *c);

/* nats-server's checkConsumerCfg against the parent stream's config
 * (replicas, backoff vs max_deliver, description, push/pull rules, deliver
 * subject validity and cycles, filter subject within the stream's subjects,
 * deliver policy vs optional start, sample frequency, flow control needs
 * heartbeats, durable/name mismatch), then the name rules (10103, 10102).
 * Call after js_consumer_config_set_defaults(). Mirrors and sources are not
 * consulted for the filter check: a stream with sources accepts any valid
 * filter. */
int js_consumer_config_check(const struct js_consumer_config *c,
                             const struct js_stream_config *stream,
                             struct js_error *err);

/* The work queue stream rules (10098 explicit ack, 10099 one unfiltered
 * consumer, 10100 filters may not overlap, 10101 deliver all), to run when a
 * new consumer is added to a workqueue stream. `other_filters` are the
 * filter subjects of the stream's existing consumers, NULL entries for
 * unfiltered ones. Returns 0 at once for other retention policies. */
int js_consumer_check_workqueue(const struct js_consumer_config *c,
                                const struct js_stream_config *stream,
                                const char *const *other_filters,
                                size_t n_others, struct js_error *err);

/* Updating an existing consumer `old` to `c` (both defaulted and checked):
 * deliver policy, start sequence/time, ack and replay policy, heartbeat,
 * flow control and max_waiting may not change, nor pull <-> push; a changed
 * deliver subject is refused (CONSUMER_NAME_EXIST) while the old one is
 * still subscribed (`old_deliver_has_interest`). Errors are CONSUMER_CREATE
 * (10012, nats-server's text) unless a specific one applies. */
int js_consumer_config_check_update(const struct js_consumer_config *old,
                                    const struct js_consumer_config *c,
                                    bool old_deliver_has_interest,
                                    struct js_error *err);

/* Appends the config as a JSON object, as nats-server renders it. */
void js_consumer_config_render(struct bl_buf *out,
                               const struct js_consumer_config *c);

/* ---- Small requests ------------------------------------------------------
 * Empty bodies (no bytes, "{}", or an empty JSON object) mean "all
 * defaults" unless said otherwise. */

/* STREAM.NAMES, STREAM.LIST {offset, subject}; CONSUMER.NAMES/LIST use only
 * offset. */
struct js_list_request {
    int64_t offset;
    char *subject; /* filter, NULL: all streams */
};
void js_list_request_close(struct js_list_request *r);
int js_list_request_parse(struct js_list_request *out, const char *body,
                          size_t len, struct js_error *err);

/* STREAM.INFO {deleted_details, subjects_filter, offset}. */
struct js_stream_info_request {
    int64_t offset;
    bool deleted_details;
    char *subjects_filter;
};
void js_stream_info_request_close(struct js_stream_info_request *r);
int js_stream_info_request_parse(struct js_stream_info_request *out,
                                 const char *body, size_t len,
                                 struct js_error *err);

/* STREAM.PURGE {filter, seq, keep}; seq and keep together are a
 * BAD_REQUEST. seq: purge below this sequence; keep: keep the newest N. */
struct js_purge_request {
    char *filter;
    uint64_t seq;
    uint64_t keep;
};
void js_purge_request_close(struct js_purge_request *r);
int js_purge_request_parse(struct js_purge_request *out, const char *body,
                           size_t len, struct js_error *err);

/* STREAM.MSG.GET {seq, last_by_subj, next_by_subj}; an empty body, none set,
 * seq with last_by_subj, or last with next are BAD_REQUEST. (Also the body
 * of DIRECT.GET.) */
struct js_msg_get_request {
    uint64_t seq;
    char *last_by_subj;
    char *next_by_subj;
};
void js_msg_get_request_close(struct js_msg_get_request *r);
int js_msg_get_request_parse(struct js_msg_get_request *out, const char *body,
                             size_t len, struct js_error *err);

/* STREAM.MSG.DELETE {seq, no_erase}; an empty body is BAD_REQUEST. */
struct js_msg_delete_request {
    uint64_t seq;
    bool no_erase;
};
int js_msg_delete_request_parse(struct js_msg_delete_request *out,
                                const char *body, size_t len,
                                struct js_error *err);

/* CONSUMER.CREATE / CONSUMER.DURABLE.CREATE {stream_name, config}. The
 * subject checks (stream name, durable name in subject) are the API
 * handler's. */
struct js_consumer_create_request {
    char *stream_name;
    struct js_consumer_config config;
};
void js_consumer_create_request_close(struct js_consumer_create_request *r);
int js_consumer_create_request_parse(struct js_consumer_create_request *out,
                                     const char *body, size_t len,
                                     struct js_error *err);

/* CONSUMER.MSG.NEXT: {batch, expires, no_wait, max_bytes, idle_heartbeat},
 * or a bare integer N meaning batch N, or an empty (all whitespace) body
 * meaning batch 1; any other text also means batch 1, as in nats-server. A
 * JSON body without "batch" gives batch 0, which nats-server treats as an
 * already satisfied request. Failure (bad JSON, or an idle_heartbeat over
 * half of expires) fills err with BAD_REQUEST and the reason as description:
 * the reply is the status "400 Bad Request - <description>". */
struct js_pull_request {
    int64_t batch;
    int64_t expires_ns; /* 0: no expiry */
    bool no_wait;
    int64_t max_bytes; /* 0: no limit */
    int64_t idle_heartbeat_ns;
};
int js_pull_request_parse(struct js_pull_request *out, const char *body,
                          size_t len, struct js_error *err);

/* STREAM.SNAPSHOT {deliver_subject, no_consumers, chunk_size, jsck}; an
 * empty body is BAD_REQUEST, an invalid deliver subject
 * SNAPSHOT_DELIVER_SUBJECT_INVALID (10015). */
struct js_snapshot_request {
    char *deliver_subject;
    bool no_consumers;
    int64_t chunk_size;
    bool jsck; /* check message checksums first */
};
void js_snapshot_request_close(struct js_snapshot_request *r);
int js_snapshot_request_parse(struct js_snapshot_request *out, const char *body,
                              size_t len, struct js_error *err);

/* ---- State and responses ------------------------------------------------ */

/* Per-subject message count, for stream info with subjects_filter. */
struct js_subject_count {
    const char *subject;
    uint64_t msgs;
};

/* What the stream state machine reports; borrowed by the renderers. */
struct js_stream_state {
    uint64_t msgs;
    uint64_t bytes;
    uint64_t first_seq;
    uint64_t first_ts_ns; /* 0: no message */
    uint64_t last_seq;
    uint64_t last_ts_ns;                     /* 0: no message */
    uint64_t num_subjects;                   /* omitted when 0 */
    const struct js_subject_count *subjects; /* omitted when n == 0 */
    size_t n_subjects;
    uint64_t num_deleted;    /* omitted when 0 */
    const uint64_t *deleted; /* deleted_details; omitted when n == 0 */
    size_t n_deleted;
    uint64_t consumer_count;
};

/* STREAM.RESTORE {config, state}: the config is parsed fully; of the state
 * only the plain counters (messages, bytes, first/last seq and ts,
 * consumer_count) are kept. An empty body is BAD_REQUEST. */
struct js_restore_request {
    struct js_stream_config config;
    struct js_stream_state state; /* subjects/deleted stay NULL */
};
void js_restore_request_close(struct js_restore_request *r);
int js_restore_request_parse(struct js_restore_request *out, const char *body,
                             size_t len, struct js_error *err);

struct js_peer_info {
    const char *name;
    bool current;
    bool offline;
    int64_t active_ns;
    uint64_t lag;
    const char *peer;
};

struct js_cluster_info {
    const char *name;   /* omitted when NULL */
    const char *leader; /* omitted when NULL */
    const struct js_peer_info *replicas;
    size_t n_replicas;
};

struct js_stream_info {
    const struct js_stream_config *config;
    uint64_t created_ns;
    const struct js_stream_state *state;
    const char *domain;                    /* omitted when NULL */
    const struct js_cluster_info *cluster; /* omitted when NULL */
};

/* Appends ,"config":..,"created":..,"state":..[,"domain"][,"cluster"] into
 * an open object (after js_response_open() or '{'). */
void js_stream_info_fields(struct bl_buf *out, const struct js_stream_info *si);
/* Appends the stream info as one object (an element of STREAM.LIST). */
void js_stream_info_render(struct bl_buf *out, const struct js_stream_info *si);
/* Appends the state object alone. */
void js_stream_state_render(struct bl_buf *out,
                            const struct js_stream_state *st);
/* STREAM.CREATE / STREAM.UPDATE reply: {"type":..,<info>[,"did_create":true]}.
 */
void js_stream_info_reply(struct bl_buf *out, const char *type,
                          const struct js_stream_info *si, bool did_create);
/* STREAM.INFO reply: {"type":..,"total":..,"offset":..,"limit":..,<info>}
 * (the paging is of the subjects detail). */
void js_stream_info_paged_reply(struct bl_buf *out,
                                const struct js_stream_info *si, uint64_t total,
                                uint64_t offset, uint64_t limit);

struct js_sequence_info {
    uint64_t consumer_seq;
    uint64_t stream_seq;
    uint64_t last_active_ns; /* omitted when 0 */
};

/* What the consumer state machine reports; borrowed by the renderers. */
struct js_consumer_state {
    struct js_sequence_info delivered;
    struct js_sequence_info ack_floor;
    uint64_t num_ack_pending;
    uint64_t num_redelivered;
    uint64_t num_waiting;
    uint64_t num_pending;
    bool push_bound; /* omitted when false */
};

struct js_consumer_info {
    const char *stream_name;
    const char *name;
    uint64_t created_ns;
    const struct js_consumer_config *config; /* omitted when NULL */
    const struct js_consumer_state *state;
    const struct js_cluster_info *cluster; /* omitted when NULL */
};

void js_consumer_info_fields(struct bl_buf *out,
                             const struct js_consumer_info *ci);
void js_consumer_info_render(struct bl_buf *out,
                             const struct js_consumer_info *ci);
/* CONSUMER.CREATE / CONSUMER.INFO reply: {"type":..,<info>}. */
void js_consumer_info_reply(struct bl_buf *out, const char *type,
                            const struct js_consumer_info *ci);

/* The publish acknowledgement exactly as nats-server writes it:
 * {"stream":"S", "seq":7} or with ", "domain":"D"" before seq, and
 * ,"duplicate": true} for a duplicate. `domain` may be NULL. */
void js_puback_render(struct bl_buf *out, const char *stream,
                      const char *domain, uint64_t seq, bool duplicate);
/* A failed publish: {"error":{..},"stream":"S","seq":0}; with NULL stream
 * just {"error":{..}}. */
void js_puback_error_render(struct bl_buf *out, const char *stream,
                            const struct js_error *e);

/* A stored message for STREAM.MSG.GET; borrowed. */
struct js_stored_msg {
    const char *subject;
    uint64_t seq;
    const void *hdrs; /* raw "NATS/1.0\r\n..." block, omitted when len 0 */
    size_t hdrs_len;
    const void *data;
    size_t data_len; /* omitted when 0 */
    uint64_t time_ns;
};

/* STREAM.MSG.GET reply: {"type":..,"message":{"subject","seq","hdrs",
 * "data","time"}} with hdrs and data base64. */
void js_msg_get_reply(struct bl_buf *out, const struct js_stored_msg *m);

/* STREAM.NAMES / CONSUMER.NAMES reply: {"type":..,"total":..,"offset":..,
 * "limit":..,"<key>":[names]} where key is "streams" or "consumers". An
 * empty page renders [] . */
void js_names_reply(struct bl_buf *out, const char *type, const char *key,
                    uint64_t total, uint64_t offset, uint64_t limit,
                    const char *const *names, size_t n_names);

/* Replies that only say success: {"type":..,"success":true} (stream and
 * consumer delete, msg delete). */
void js_success_reply(struct bl_buf *out, const char *type);

/* STREAM.PURGE reply: {"type":..,"success":true,"purged":N}. */
void js_purge_reply(struct bl_buf *out, uint64_t purged);

#endif
