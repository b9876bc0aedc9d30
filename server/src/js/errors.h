/* JetStream API errors: the one table of the errors the API can return, each
 * with nats-server's HTTP-like `code`, its numeric `err_code` and description
 * text (nats-server 2.9 server/errors.json), and the renderers for the error
 * part of an API reply. Descriptions with `{name}` placeholders are filled in
 * by js_error_setf()/js_error_set2() as nats-server fills them.
 *
 * Knows nothing of streams, consumers or connections: a module that fails
 * picks the JS_ERR_* constant, this file turns it into JSON. */
#ifndef BALLAST_JS_ERRORS_H
#define BALLAST_JS_ERRORS_H

#include "ballast/buf.h"

#include <stdint.h>

/* X(NAME, code, err_code, description). Ordered by err_code. */
#define JS_ERRORS(X)                                                           \
    X(ACCOUNT_RESOURCES_EXCEEDED, 400, 10002,                                  \
      "resource limits exceeded for account")                                  \
    X(BAD_REQUEST, 400, 10003, "bad request")                                  \
    X(CLUSTER_INCOMPLETE, 503, 10004, "incomplete results")                    \
    X(CLUSTER_NO_PEERS, 400, 10005, "{err}")                                   \
    X(CLUSTER_NOT_ACTIVE, 500, 10006, "JetStream not in clustered mode")       \
    X(CLUSTER_NOT_ASSIGNED, 500, 10007,                                        \
      "JetStream cluster not assigned to this server")                         \
    X(CLUSTER_NOT_AVAIL, 503, 10008,                                           \
      "JetStream system temporarily unavailable")                              \
    X(CLUSTER_NOT_LEADER, 500, 10009,                                          \
      "JetStream cluster can not handle request")                              \
    X(CLUSTER_REQUIRED, 503, 10010, "JetStream clustering support required")   \
    X(CLUSTER_TAGS, 400, 10011, "tags placement not supported for operation")  \
    X(CONSUMER_CREATE, 500, 10012, "{err}")                                    \
    X(CONSUMER_NAME_EXIST, 400, 10013, "consumer name already in use")         \
    X(CONSUMER_NOT_FOUND, 404, 10014, "consumer not found")                    \
    X(SNAPSHOT_DELIVER_SUBJECT_INVALID, 400, 10015,                            \
      "deliver subject not valid")                                             \
    X(CONSUMER_DURABLE_NAME_NOT_IN_SUBJECT, 400, 10016,                        \
      "consumer expected to be durable but no durable name set in subject")    \
    X(CONSUMER_DURABLE_NAME_NOT_MATCH_SUBJECT, 400, 10017,                     \
      "consumer name in subject does not match durable name in request")       \
    X(CONSUMER_DURABLE_NAME_NOT_SET, 400, 10018,                               \
      "consumer expected to be durable but a durable name was not set")        \
    X(CONSUMER_EPHEMERAL_WITH_DURABLE_IN_SUBJECT, 400, 10019,                  \
      "consumer expected to be ephemeral but detected a durable name set "     \
      "in subject")                                                            \
    X(CONSUMER_EPHEMERAL_WITH_DURABLE_NAME, 400, 10020,                        \
      "consumer expected to be ephemeral but a durable name was set in "       \
      "request")                                                               \
    X(STREAM_EXTERNAL_API_OVERLAP, 400, 10021,                                 \
      "stream external api prefix {prefix} must not overlap with {subject}")   \
    X(STREAM_EXTERNAL_DEL_PREFIX_OVERLAPS, 400, 10022,                         \
      "stream external delivery prefix {prefix} overlaps with stream "         \
      "subject {subject}")                                                     \
    X(INSUFFICIENT_RESOURCES, 503, 10023, "insufficient resources")            \
    X(STREAM_INVALID_EXTERNAL_DELIVERY_SUBJ, 400, 10024,                       \
      "stream external delivery prefix {prefix} must not contain wildcards")   \
    X(INVALID_JSON, 400, 10025, "invalid JSON")                                \
    X(MAXIMUM_CONSUMERS_LIMIT, 400, 10026, "maximum consumers limit reached")  \
    X(MAXIMUM_STREAMS_LIMIT, 400, 10027, "maximum number of streams reached")  \
    X(MEMORY_RESOURCES_EXCEEDED, 500, 10028,                                   \
      "insufficient memory resources available")                               \
    X(MIRROR_CONSUMER_SETUP_FAILED, 500, 10029, "{err}")                       \
    X(MIRROR_MAX_MESSAGE_SIZE_TOO_BIG, 400, 10030,                             \
      "stream mirror must have max message size >= source")                    \
    X(MIRROR_WITH_SOURCES, 400, 10031,                                         \
      "stream mirrors can not also contain other sources")                     \
    X(MIRROR_WITH_START_SEQ_AND_TIME, 400, 10032,                              \
      "stream mirrors can not have both start seq and start time configured")  \
    X(MIRROR_WITH_SUBJECT_FILTERS, 400, 10033,                                 \
      "stream mirrors can not contain filtered subjects")                      \
    X(MIRROR_WITH_SUBJECTS, 400, 10034,                                        \
      "stream mirrors can not contain subjects")                               \
    X(NO_ACCOUNT, 503, 10035, "account not found")                             \
    X(CLUSTER_UNSUPPORTED_FEATURE, 503, 10036,                                 \
      "not currently supported in clustered mode")                             \
    X(NO_MESSAGE_FOUND, 404, 10037, "no message found")                        \
    X(NOT_EMPTY_REQUEST, 400, 10038, "expected an empty request payload")      \
    X(NOT_ENABLED_FOR_ACCOUNT, 503, 10039,                                     \
      "JetStream not enabled for account")                                     \
    X(CLUSTER_PEER_NOT_MEMBER, 400, 10040, "peer not a member")                \
    X(RAFT_GENERAL, 500, 10041, "{err}")                                       \
    X(RESTORE_SUBSCRIBE_FAILED, 500, 10042,                                    \
      "JetStream unable to subscribe to restore snapshot {subject}: {err}")    \
    X(SEQUENCE_NOT_FOUND, 400, 10043, "sequence {seq} not found")              \
    X(CLUSTER_SERVER_NOT_MEMBER, 400, 10044,                                   \
      "server is not a member of the cluster")                                 \
    X(SOURCE_CONSUMER_SETUP_FAILED, 500, 10045, "{err}")                       \
    X(SOURCE_MAX_MESSAGE_SIZE_TOO_BIG, 400, 10046,                             \
      "stream source must have max message size >= target")                    \
    X(STORAGE_RESOURCES_EXCEEDED, 500, 10047,                                  \
      "insufficient storage resources available")                              \
    X(STREAM_ASSIGNMENT, 500, 10048, "{err}")                                  \
    X(STREAM_CREATE, 500, 10049, "{err}")                                      \
    X(STREAM_DELETE, 500, 10050, "{err}")                                      \
    X(STREAM_GENERAL, 500, 10051, "{err}")                                     \
    X(STREAM_INVALID_CONFIG, 500, 10052, "{err}")                              \
    X(STREAM_LIMITS, 500, 10053, "{err}")                                      \
    X(STREAM_MESSAGE_EXCEEDS_MAXIMUM, 400, 10054,                              \
      "message size exceeds maximum allowed")                                  \
    X(STREAM_MIRROR_NOT_UPDATABLE, 400, 10055,                                 \
      "stream mirror configuration can not be updated")                        \
    X(STREAM_MISMATCH, 400, 10056,                                             \
      "stream name in subject does not match request")                         \
    X(STREAM_MSG_DELETE_FAILED, 500, 10057, "{err}")                           \
    X(STREAM_NAME_EXIST, 400, 10058,                                           \
      "stream name already in use with a different configuration")             \
    X(STREAM_NOT_FOUND, 404, 10059, "stream not found")                        \
    X(STREAM_NOT_MATCH, 400, 10060, "expected stream does not match")          \
    X(STREAM_REPLICAS_NOT_UPDATABLE, 400, 10061,                               \
      "Replicas configuration can not be updated")                             \
    X(STREAM_RESTORE, 500, 10062, "restore failed: {err}")                     \
    X(STREAM_SEQUENCE_NOT_MATCH, 503, 10063,                                   \
      "expected stream sequence does not match")                               \
    X(STREAM_SNAPSHOT, 500, 10064, "snapshot failed: {err}")                   \
    X(STREAM_SUBJECT_OVERLAP, 400, 10065,                                      \
      "subjects overlap with an existing stream")                              \
    X(STREAM_TEMPLATE_CREATE, 500, 10066, "{err}")                             \
    X(STREAM_TEMPLATE_DELETE, 500, 10067, "{err}")                             \
    X(STREAM_TEMPLATE_NOT_FOUND, 404, 10068, "template not found")             \
    X(STREAM_UPDATE, 500, 10069, "{err}")                                      \
    X(STREAM_WRONG_LAST_MSG_ID, 400, 10070, "wrong last msg ID: {id}")         \
    X(STREAM_WRONG_LAST_SEQUENCE, 400, 10071, "wrong last sequence: {seq}")    \
    X(TEMP_STORAGE_FAILED, 500, 10072,                                         \
      "JetStream unable to open temp storage for restore")                     \
    X(TEMPLATE_NAME_NOT_MATCH_SUBJECT, 400, 10073,                             \
      "template name in subject does not match request")                       \
    X(STREAM_REPLICAS_NOT_SUPPORTED, 500, 10074,                               \
      "replicas > 1 not supported in non-clustered mode")                      \
    X(PEER_REMAP, 503, 10075, "peer remap failed")                             \
    X(NOT_ENABLED, 503, 10076, "JetStream not enabled")                        \
    X(STREAM_STORE_FAILED, 503, 10077, "{err}")                                \
    X(CONSUMER_CONFIG_REQUIRED, 400, 10078, "consumer config required")        \
    X(CONSUMER_DELIVER_TO_WILDCARDS, 400, 10079,                               \
      "consumer deliver subject has wildcards")                                \
    X(CONSUMER_PUSH_MAX_WAITING, 400, 10080,                                   \
      "consumer in push mode can not set max waiting")                         \
    X(CONSUMER_DELIVER_CYCLE, 400, 10081,                                      \
      "consumer deliver subject forms a cycle")                                \
    X(CONSUMER_MAX_PENDING_ACK_POLICY_REQUIRED, 400, 10082,                    \
      "consumer requires ack policy for max ack pending")                      \
    X(CONSUMER_SMALL_HEARTBEAT, 400, 10083,                                    \
      "consumer idle heartbeat needs to be >= 100ms")                          \
    X(CONSUMER_PULL_REQUIRES_ACK, 400, 10084,                                  \
      "consumer in pull mode requires ack policy")                             \
    X(CONSUMER_PULL_NOT_DURABLE, 400, 10085,                                   \
      "consumer in pull mode requires a durable name")                         \
    X(CONSUMER_PULL_WITH_RATE_LIMIT, 400, 10086,                               \
      "consumer in pull mode can not have rate limit set")                     \
    X(CONSUMER_MAX_WAITING_NEGATIVE, 400, 10087,                               \
      "consumer max waiting needs to be positive")                             \
    X(CONSUMER_HB_REQUIRES_PUSH, 400, 10088,                                   \
      "consumer idle heartbeat requires a push based consumer")                \
    X(CONSUMER_FC_REQUIRES_PUSH, 400, 10089,                                   \
      "consumer flow control requires a push based consumer")                  \
    X(CONSUMER_DIRECT_REQUIRES_PUSH, 400, 10090,                               \
      "consumer direct requires a push based consumer")                        \
    X(CONSUMER_DIRECT_REQUIRES_EPHEMERAL, 400, 10091,                          \
      "consumer direct requires an ephemeral consumer")                        \
    X(CONSUMER_ON_MAPPED, 400, 10092, "consumer direct on a mapped consumer")  \
    X(CONSUMER_FILTER_NOT_SUBSET, 400, 10093,                                  \
      "consumer filter subject is not a valid subset of the interest "         \
      "subjects")                                                              \
    X(CONSUMER_INVALID_POLICY, 400, 10094, "{err}")                            \
    X(CONSUMER_INVALID_SAMPLING, 400, 10095,                                   \
      "failed to parse consumer sampling configuration: {err}")                \
    X(STREAM_INVALID, 500, 10096, "stream not valid")                          \
    X(STREAM_HEADER_EXCEEDS_MAXIMUM, 400, 10097,                               \
      "header size exceeds maximum allowed of 64k")                            \
    X(CONSUMER_WQ_REQUIRES_EXPLICIT_ACK, 400, 10098,                           \
      "workqueue stream requires explicit ack")                                \
    X(CONSUMER_WQ_MULTIPLE_UNFILTERED, 400, 10099,                             \
      "multiple non-filtered consumers not allowed on workqueue stream")       \
    X(CONSUMER_WQ_CONSUMER_NOT_UNIQUE, 400, 10100,                             \
      "filtered consumer not unique on workqueue stream")                      \
    X(CONSUMER_WQ_CONSUMER_NOT_DELIVER_ALL, 400, 10101,                        \
      "consumer must be deliver all on workqueue stream")                      \
    X(CONSUMER_NAME_TOO_LONG, 400, 10102,                                      \
      "consumer name is too long, maximum allowed is {max}")                   \
    X(CONSUMER_BAD_DURABLE_NAME, 400, 10103,                                   \
      "durable name can not contain '.', '*', '>'")                            \
    X(CONSUMER_STORE_FAILED, 500, 10104,                                       \
      "error creating store for consumer: {err}")                              \
    X(CONSUMER_EXISTING_ACTIVE, 400, 10105,                                    \
      "consumer already exists and is still active")                           \
    X(CONSUMER_REPLACEMENT_WITH_DIFFERENT_NAME, 400, 10106,                    \
      "consumer replacement durable config not the same")                      \
    X(CONSUMER_DESCRIPTION_TOO_LONG, 400, 10107,                               \
      "consumer description is too long, maximum allowed is {max}")            \
    X(CONSUMER_WITH_FLOW_CONTROL_NEEDS_HEARTBEATS, 400, 10108,                 \
      "consumer with flow control also needs heartbeats")                      \
    X(STREAM_SEALED, 400, 10109, "invalid operation on sealed stream")         \
    X(STREAM_PURGE_FAILED, 500, 10110, "{err}")                                \
    X(STREAM_ROLLUP_FAILED, 500, 10111, "{err}")                               \
    X(CONSUMER_INVALID_DELIVER_SUBJECT, 400, 10112,                            \
      "invalid push consumer deliver subject")                                 \
    X(STREAM_MAX_BYTES_REQUIRED, 400, 10113,                                   \
      "account requires a stream config to have max bytes set")                \
    X(CONSUMER_MAX_REQUEST_BATCH_NEGATIVE, 400, 10114,                         \
      "consumer max request batch needs to be > 0")                            \
    X(CONSUMER_MAX_REQUEST_EXPIRES_TO_SMALL, 400, 10115,                       \
      "consumer max request expires needs to be >= 1ms")                       \
    X(CONSUMER_MAX_DELIVER_BACKOFF, 400, 10116,                                \
      "max deliver is required to be > length of backoff values")              \
    X(STREAM_INFO_MAX_SUBJECTS, 500, 10117,                                    \
      "subject details would exceed maximum allowed")                          \
    X(STREAM_OFFLINE, 500, 10118, "stream is offline")                         \
    X(CONSUMER_OFFLINE, 500, 10119, "consumer is offline")                     \
    X(NO_LIMITS, 400, 10120,                                                   \
      "no JetStream default or applicable tiered limit present")               \
    X(CONSUMER_MAX_PENDING_ACK_EXCESS, 400, 10121,                             \
      "consumer max ack pending exceeds system limit of {limit}")              \
    X(STREAM_MAX_STREAM_BYTES_EXCEEDED, 400, 10122,                            \
      "stream max bytes exceeds account limit max stream bytes")               \
    X(STREAM_MOVE_AND_SCALE, 400, 10123,                                       \
      "can not move and scale a stream in a single update")                    \
    X(STREAM_MOVE_IN_PROGRESS, 400, 10124,                                     \
      "stream move already in progress: {msg}")                                \
    X(CONSUMER_MAX_REQUEST_BATCH_EXCEEDED, 400, 10125,                         \
      "consumer max request batch exceeds server limit of {limit}")            \
    X(CONSUMER_REPLICAS_EXCEEDS_STREAM, 400, 10126,                            \
      "consumer config replica count exceeds parent stream")                   \
    X(CONSUMER_NAME_CONTAINS_PATH_SEPARATORS, 400, 10127,                      \
      "Consumer name can not contain path separators")                         \
    X(STREAM_NAME_CONTAINS_PATH_SEPARATORS, 400, 10128,                        \
      "Stream name can not contain path separators")                           \
    X(STREAM_MOVE_NOT_IN_PROGRESS, 400, 10129, "stream move not in progress")  \
    X(STREAM_NAME_EXIST_RESTORE_FAILED, 400, 10130,                            \
      "stream name already in use, cannot restore")                            \
    X(CONSUMER_CREATE_FILTER_SUBJECT_MISMATCH, 400, 10131,                     \
      "Consumer create request did not match filtered subject from create "    \
      "subject")                                                               \
    X(CONSUMER_CREATE_DURABLE_AND_NAME_MISMATCH, 400, 10132,                   \
      "Consumer Durable and Name have to be equal if both are provided")       \
    X(REPLICAS_COUNT_CANNOT_BE_NEGATIVE, 400, 10133,                           \
      "replicas count cannot be negative")

enum js_err {
    JS_ERR_NONE = 0, /* no error */
#define JS_ERR_ENUM_(name, code, err_code, desc) JS_ERR_##name,
    JS_ERRORS(JS_ERR_ENUM_)
#undef JS_ERR_ENUM_
        JS_ERR_COUNT_
};

/* One row of the table. */
struct js_err_info {
    const char *name;        /* "STREAM_NAME_EXIST" */
    int code;                /* 400, 404, 500 or 503 */
    uint16_t err_code;       /* 10058 */
    const char *description; /* template, may hold "{err}"-style holes */
};

/* The table row for `id`, or NULL for JS_ERR_NONE and out-of-range ids. */
const struct js_err_info *js_err_info(enum js_err id);

/* The id whose err_code is `err_code`, or JS_ERR_NONE. */
enum js_err js_err_by_code(unsigned err_code);

#define JS_ERROR_DESC_SIZE 512

/* An API error ready to render. Zero-initialised (or js_error_clear()) means
 * "no error". */
struct js_error {
    enum js_err id;                       /* JS_ERR_NONE: no error */
    char description[JS_ERROR_DESC_SIZE]; /* text sent to the client */
    char detail[JS_ERROR_DESC_SIZE];      /* for logs only: the precise cause
                                             ("max_msgs: expected an integer");
                                             may be empty */
};

void js_error_clear(struct js_error *e);

/* Sets `e` to `id` with the table's description; placeholders, if any, stay
 * as written ("{err}"). Clears detail. */
void js_error_set(struct js_error *e, enum js_err id);

/* Sets `e` to `id`, replacing the description's first placeholder with the
 * printf-formatted text: js_error_setf(e, JS_ERR_STREAM_WRONG_LAST_SEQUENCE,
 * "%" PRIu64, seq) gives "wrong last sequence: 5". For a template without a
 * placeholder the formatted text is ignored. Clears detail. */
void js_error_setf(struct js_error *e, enum js_err id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets `e` to `id`, replacing the first two placeholders with `a` and `b`
 * (for "{prefix} ... {subject}" templates). Clears detail. */
void js_error_set2(struct js_error *e, enum js_err id, const char *a,
                   const char *b);

/* Sets the log-only detail text; keeps id and description. */
void js_error_detail(struct js_error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Maps a BL_E* code from an inner module (store, raft) to the closest API
 * error for `context_err` (the operation's generic "{err}" error such as
 * JS_ERR_STREAM_CREATE): BL_ENOSPC becomes STORAGE_RESOURCES_EXCEEDED, other
 * codes become `context_err` with `what` as its text. */
void js_error_from_bl(struct js_error *e, int bl_code, enum js_err context_err,
                      const char *what);

/* Appends the error object {"code":..,"err_code":..,"description":".."}
 * as nats-server encodes it (err_code and description omitted when empty). */
void js_error_render_obj(struct bl_buf *out, const struct js_error *e);

/* Appends `{"type":"<type>"` — the opening of every API response; the
 * caller continues with fields and closes with '}'. */
void js_response_open(struct bl_buf *out, const char *type);

/* Appends `,"error":{...}` after js_response_open(). */
void js_response_error(struct bl_buf *out, const struct js_error *e);

/* Appends a whole error reply: {"type":"<type>","error":{...}}. Some
 * responses carry more non-optional fields after the error (stream info adds
 * "total":0,"offset":0,"limit":0; purge adds "purged":0); build those with
 * js_response_open()/js_response_error() instead. */
void js_error_reply(struct bl_buf *out, const char *type,
                    const struct js_error *e);

#endif
