/* Monitoring snapshots to response bodies: JSON shaped like nats-server
 * 2.9's monitoring endpoints, and Prometheus text exposition format 0.0.4.
 *
 * Pure functions of their arguments (no clock, no I/O, no HTTP), so they
 * are tested with hand-made snapshots. Every function appends to `out`. */
#ifndef BALLAST_HTTP_RENDER_H
#define BALLAST_HTTP_RENDER_H

#include "http/stats.h"

#include "ballast/buf.h"

#include <stddef.h>
#include <stdint.h>

/* Bytes needed by render_go_duration() and render_uptime(). */
#define RENDER_DURATION_SIZE 64

/* Content type of render_metrics() output. */
#define RENDER_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Requests served by one endpoint, for "http_req_stats". */
struct render_req_count {
    const char *path; /* "/varz"; borrowed */
    uint64_t n_reqs;
};

/* What the monitor adds to the provider's varz snapshot. */
struct render_extra {
    const char *http_host; /* monitoring listen host; borrowed */
    uint64_t rss_bytes;
    double cpu_percent;
    int cores;
    const struct render_req_count *reqs; /* n_reqs entries; borrowed */
    size_t n_reqs;
    /* JetStream for varz's "jetstream" and the metrics' jetstream and
     * stream families; NULL, or not enabled, when it is off. Borrowed. */
    const struct stats_jsz *jsz;
};

/* Formats `ns` like Go's time.Duration.String(): "0s", "750ns",
 * "1.5µs", "2.25ms", "1h2m3.5s". */
void render_go_duration(uint64_t ns, char *out);

/* Formats `ns` like nats-server's uptimes, whole seconds with days and
 * years: "0s", "2m3s", "1h0m0s", "3d4h5m6s", "1y2d3h4m5s". */
void render_uptime(uint64_t ns, char *out);

/* /varz: server identity, limits, times ("uptime" from start to now),
 * counters, and "jetstream" {config, stats} from x->jsz ({} when off). */
void render_varz(const struct stats_varz *v, const struct render_extra *x,
                 struct bl_buf *out);

/* /connz: the page of connections in z; a connection's
 * "subscriptions_list" is written when its subs are not NULL. */
void render_connz(const struct stats_connz *z, const char *server_id,
                  struct bl_buf *out);

/* /subsz (/subscriptionsz): the subscription index statistics. */
void render_subsz(const struct stats_subz *s, const char *server_id,
                  uint64_t now_wall_ns, struct bl_buf *out);

/* /jsz: JetStream configuration, usage and API counters; with
 * q->accounts an "account_details" entry per account that has streams in
 * z (only q->account's when set), with q->streams each holding its
 * streams' "stream_detail", with q->config each stream's config_json
 * embedded as JSON. Accounts and streams sorted by name. When z is not
 * enabled, nats-server's "disabled": true page. */
void render_jsz(const struct stats_jsz *z, const struct stats_jsz_query *q,
                const char *server_id, uint64_t now_wall_ns,
                struct bl_buf *out);

/* /healthz: {"status":"ok"} when `error` is NULL, else
 * {"status":"unavailable","error":error}. */
void render_healthz(const char *error, struct bl_buf *out);

/* An error body: {"error": msg}. */
void render_error(const char *msg, struct bl_buf *out);

/* /: an HTML page linking the `n` endpoint paths. */
void render_index(const char *const *paths, size_t n, const char *version,
                  struct bl_buf *out);

/* /metrics: every family with # HELP and # TYPE, names prefixed "ballast_",
 * counters suffixed "_total". With x->jsz enabled also the ballast_jetstream_*
 * families and, for each stream in its details, ballast_stream_*
 * {account,stream}. */
void render_metrics(const struct stats_varz *v, const struct render_extra *x,
                    struct bl_buf *out);

#endif
