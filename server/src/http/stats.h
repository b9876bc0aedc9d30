/* Snapshots of server state for the monitoring endpoints.
 *
 * The event loop fills these (it owns the live data); the HTTP module
 * renders them as JSON or Prometheus text. Plain data, no behaviour, so the
 * renderers can be unit-tested with hand-made snapshots. */
#ifndef BALLAST_HTTP_STATS_H
#define BALLAST_HTTP_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stats_varz {
    char server_id[64];
    char server_name[128];
    char version[32];
    char host[64];
    int port;
    int http_port;
    bool auth_required;
    bool jetstream;
    bool lame_duck;
    int max_connections;
    int64_t max_payload;
    int64_t max_control_line;
    int64_t max_pending;
    int64_t ping_interval_ms;
    int max_pings_out;
    int64_t auth_timeout_ms;
    int64_t write_deadline_ms;
    uint64_t start_wall_ns;
    uint64_t now_wall_ns;
    uint64_t connections;       /* open client connections */
    uint64_t total_connections; /* accepted since start */
    uint64_t subscriptions;
    uint64_t slow_consumers;
    uint64_t in_msgs;
    uint64_t out_msgs;
    uint64_t in_bytes;
    uint64_t out_bytes;
    char config_file[512];
};

struct stats_conn {
    uint64_t cid;
    char ip[64];
    int port;
    char name[128];
    char lang[32];
    char version[32];
    char account[64];
    char username[128];
    uint64_t start_wall_ns;
    uint64_t last_activity_wall_ns;
    uint64_t rtt_ns;
    uint64_t pending_bytes;
    uint64_t in_msgs;
    uint64_t out_msgs;
    uint64_t in_bytes;
    uint64_t out_bytes;
    uint32_t n_subs;
    char **subs; /* n_subs subjects when asked for, else NULL */
    /* Closed connections only. */
    uint64_t stop_wall_ns;
    char reason[64];
};

struct stats_connz {
    uint64_t now_wall_ns;
    uint64_t total; /* matching connections before offset/limit */
    int offset;
    int limit;
    bool closed; /* listing closed connections */
    size_t n_conns;
    struct stats_conn *conns;
};

struct stats_subz {
    uint64_t n_subs;
    uint64_t n_cache;
    uint64_t n_inserts;
    uint64_t n_removes;
    uint64_t n_matches;
    double cache_hit_rate;
    uint64_t max_fanout;
    double avg_fanout;
};

/* Sort orders of /connz (the `sort` query parameter). Like nats-server,
 * cid and start sort ascending, reason alphabetically, all others largest
 * first. */
enum stats_connz_sort {
    STATS_SORT_CID = 0,
    STATS_SORT_MSGS_TO = 1,   /* out_msgs */
    STATS_SORT_MSGS_FROM = 2, /* in_msgs */
    STATS_SORT_BYTES_TO = 3,  /* out_bytes */
    STATS_SORT_BYTES_FROM = 4,
    STATS_SORT_SUBS = 5,
    STATS_SORT_PENDING = 6,
    STATS_SORT_START = 7,
    STATS_SORT_LAST = 8, /* last activity, most recent first */
    STATS_SORT_IDLE = 9, /* longest idle first */
    STATS_SORT_UPTIME = 10,
    STATS_SORT_RTT = 11,
    STATS_SORT_STOP = 12,  /* closed connections only */
    STATS_SORT_REASON = 13 /* closed connections only */
};

/* Query parameters of /connz that the provider applies. */
struct stats_connz_query {
    int offset;  /* default 0 */
    int limit;   /* default 1024 */
    bool subs;   /* include subscription subjects */
    bool closed; /* state=closed */
    int sort;    /* enum stats_connz_sort */
};

/* Frees z->conns, every conns[i].subs array and its subjects (all malloc'd,
 * e.g. with bl_xmalloc()/bl_xstrdup()), and leaves z with no connections.
 * Safe on NULL. */
void stats_connz_free(struct stats_connz *z);

/* For providers: given every matching connection in z->conns (n_conns of
 * them, z->now_wall_ns set), sorts them by q->sort, keeps the window
 * [q->offset, q->offset + q->limit) and frees the others as
 * stats_connz_free() would. Sets z->total (the count before the window),
 * z->offset, z->limit and z->closed from q. */
void stats_connz_sort_page(struct stats_connz *z,
                           const struct stats_connz_query *q);

/* One stream for /jsz?streams=true. Strings are owned by the snapshot. */
struct stats_js_stream {
    char *account;
    char *name;
    uint64_t created_wall_ns;
    char *config_json; /* the stream config as JSON (config=true), or NULL */
    bool is_memory;    /* memory storage, else file: splits an account's
                          bytes into its memory and storage */
    uint64_t msgs;
    uint64_t bytes;
    uint64_t first_seq;
    uint64_t first_ts_wall_ns;
    uint64_t last_seq;
    uint64_t last_ts_wall_ns;
    uint64_t num_subjects;
    uint64_t num_deleted;
    uint64_t consumer_count;
};

/* JetStream for /jsz, /varz and /metrics. */
struct stats_jsz {
    bool enabled;
    char store_dir[512];
    int64_t max_memory;  /* -1 unlimited */
    int64_t max_storage; /* -1 unlimited */
    uint64_t sync_interval_ms; /* 0: fsync before every ack */
    uint64_t accounts;
    uint64_t streams;
    uint64_t consumers;
    uint64_t messages;
    uint64_t bytes;
    uint64_t memory;  /* bytes in memory streams */
    uint64_t storage; /* bytes in file streams */
    uint64_t api_total;
    uint64_t api_errors;
    size_t n_streams; /* details, when asked for */
    struct stats_js_stream *stream_detail;
};

/* Query parameters of /jsz. */
struct stats_jsz_query {
    bool streams;  /* streams=true (or accounts=true): per-stream detail */
    bool config;   /* config=true: include each stream's config */
    char account[64]; /* acc=NAME: only that account; "" for all */
    /* accounts=true or acc=NAME without streams: account_details without
     * stream_detail. The monitor asks the provider for streams then too
     * (an account's totals are summed from its streams) and leaves them
     * out of the page; providers may ignore this field. */
    bool accounts;
};

/* Frees the details (account, name and config_json of each, malloc'd)
 * and leaves z with none; safe on NULL and on a zeroed struct. */
void stats_jsz_free(struct stats_jsz *z);

/* What the monitoring server calls to get snapshots. Every callback runs on
 * the event loop thread; the HTTP module arranges that. */
struct stats_provider {
    void (*varz)(void *ctx, struct stats_varz *out);
    void (*connz)(void *ctx, const struct stats_connz_query *q,
                  struct stats_connz *out); /* out->conns: malloc'd */
    void (*subz)(void *ctx, struct stats_subz *out);
    bool (*healthy)(void *ctx, char *why, size_t why_len);
    /* May be NULL: JetStream not built in. */
    void (*jsz)(void *ctx, const struct stats_jsz_query *q,
                struct stats_jsz *out);
    void *ctx;
};

#endif
