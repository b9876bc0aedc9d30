#include "http/render.h"

#include "ballast/duration.h"

#include "ballast/clock.h"
#include "ballast/mem.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull

void render_go_duration(uint64_t ns, char *out)
{
    bl_duration_format(ns > INT64_MAX ? INT64_MAX : (int64_t)ns, out,
                       RENDER_DURATION_SIZE);
}

void render_uptime(uint64_t ns, char *out)
{
    const size_t size = RENDER_DURATION_SIZE;
    uint64_t secs = ns / NS_PER_S;
    uint64_t mins = secs / 60, hrs = mins / 60, days = hrs / 24;
    uint64_t yrs = days / 365;
    if (yrs > 0)
        snprintf(out, size,
                 "%" PRIu64 "y%" PRIu64 "d%" PRIu64 "h%" PRIu64 "m%" PRIu64 "s",
                 yrs, days % 365, hrs % 24, mins % 60, secs % 60);
    else if (days > 0)
        snprintf(out, size, "%" PRIu64 "d%" PRIu64 "h%" PRIu64 "m%" PRIu64 "s",
                 days, hrs % 24, mins % 60, secs % 60);
    else if (hrs > 0)
        snprintf(out, size, "%" PRIu64 "h%" PRIu64 "m%" PRIu64 "s", hrs,
                 mins % 60, secs % 60);
    else if (mins > 0)
        snprintf(out, size, "%" PRIu64 "m%" PRIu64 "s", mins, secs % 60);
    else
        snprintf(out, size, "%" PRIu64 "s", secs);
}

/* JSON building. jansson integers are signed 64-bit; our counters never
 * get near 2^63, but clamp rather than wrap if one did. */

static void set_u64(json_t *o, const char *key, uint64_t v)
{
    json_object_set_new(
        o, key, json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v));
}

static void set_i64(json_t *o, const char *key, int64_t v)
{
    json_object_set_new(o, key, json_integer(v));
}

static void set_str(json_t *o, const char *key, const char *s)
{
    /* json_string() refuses invalid UTF-8 (a client's name, say); keep the
     * field rather than drop the whole reply. */
    json_t *j = json_string(s);
    if (j == NULL)
        j = json_string("");
    json_object_set_new(o, key, j);
}

static void set_str_nonempty(json_t *o, const char *key, const char *s)
{
    if (s[0] != '\0')
        set_str(o, key, s);
}

static void set_time(json_t *o, const char *key, uint64_t wall_ns)
{
    char ts[40];
    bl_time_rfc3339(wall_ns, ts);
    set_str(o, key, ts);
}

static void set_uptime(json_t *o, const char *key, uint64_t from, uint64_t to)
{
    char d[RENDER_DURATION_SIZE];
    render_uptime(to > from ? to - from : 0, d);
    set_str(o, key, d);
}

static int dump_cb(const char *p, size_t n, void *data)
{
    bl_buf_append(data, p, n);
    return 0;
}

/* Appends the document and frees it. Two-space indentation like
 * nats-server; 15 significant digits print 0.8 as 0.8. */
static void dump(json_t *doc, struct bl_buf *out)
{
    json_dump_callback(doc, dump_cb, out,
                       JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                           JSON_REAL_PRECISION(15));
    json_decref(doc);
}

/* JetStream. */

/* Like set_time(), but 0 is Go's zero time, which nats-server prints for
 * the first and last message of an empty stream. */
static void set_go_time(json_t *o, const char *key, uint64_t wall_ns)
{
    if (wall_ns == 0)
        set_str(o, key, "0001-01-01T00:00:00Z");
    else
        set_time(o, key, wall_ns);
}

static bool js_on(const struct stats_jsz *z)
{
    return z != NULL && z->enabled;
}

/* nats-server's JetStreamConfig. */
static json_t *js_config_json(const struct stats_jsz *z)
{
    json_t *o = json_object();
    if (!js_on(z)) {
        set_i64(o, "max_memory", 0);
        set_i64(o, "max_storage", 0);
        return o;
    }
    set_i64(o, "max_memory", z->max_memory);
    set_i64(o, "max_storage", z->max_storage);
    set_str_nonempty(o, "store_dir", z->store_dir);
    /* A time.Duration in nanoseconds, omitted when zero; servers that
     * fsync before every ack say sync_always instead (2.10's fields). */
    if (z->sync_interval_ms > 0)
        set_u64(o, "sync_interval", z->sync_interval_ms * NS_PER_MS);
    else
        json_object_set_new(o, "sync_always", json_true());
    return o;
}

static json_t *js_api_json(uint64_t total, uint64_t errors)
{
    json_t *o = json_object();
    set_u64(o, "total", total);
    set_u64(o, "errors", errors);
    return o;
}

/* The JetStreamStats fields, in nats-server's order. Nothing is reserved:
 * we have no account limits to reserve for. */
static void js_stats_fields(json_t *o, uint64_t memory, uint64_t storage,
                            uint64_t accounts, uint64_t api_total,
                            uint64_t api_errors)
{
    set_u64(o, "memory", memory);
    set_u64(o, "storage", storage);
    set_i64(o, "reserved_memory", 0);
    set_i64(o, "reserved_storage", 0);
    set_u64(o, "accounts", accounts);
    set_i64(o, "ha_assets", 0);
    json_object_set_new(o, "api", js_api_json(api_total, api_errors));
}

/* The stream config the provider rendered, as JSON. Go writes uint64
 * limits that jansson's int64 cannot hold; those come back as reals
 * rather than losing the whole config. NULL if it is not JSON at all. */
static json_t *parse_config(const char *text)
{
    json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
    if (j == NULL)
        j = json_loads(text, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, NULL);
    return j;
}

static json_t *stream_json(const struct stats_js_stream *st,
                           const char *server_id, bool with_config)
{
    json_t *o = json_object();
    set_str(o, "name", st->name != NULL ? st->name : "");
    set_go_time(o, "created", st->created_wall_ns);
    /* A single server leads every stream it has. */
    json_t *cl = json_object();
    set_str(cl, "leader", server_id);
    json_object_set_new(o, "cluster", cl);
    if (with_config && st->config_json != NULL) {
        json_t *cfg = parse_config(st->config_json);
        if (cfg != NULL)
            json_object_set_new(o, "config", cfg);
    }
    json_t *s = json_object();
    set_u64(s, "messages", st->msgs);
    set_u64(s, "bytes", st->bytes);
    set_u64(s, "first_seq", st->first_seq);
    set_go_time(s, "first_ts", st->first_ts_wall_ns);
    set_u64(s, "last_seq", st->last_seq);
    set_go_time(s, "last_ts", st->last_ts_wall_ns);
    if (st->num_subjects != 0)
        set_u64(s, "num_subjects", st->num_subjects);
    if (st->num_deleted != 0)
        set_u64(s, "num_deleted", st->num_deleted);
    set_u64(s, "consumer_count", st->consumer_count);
    json_object_set_new(o, "state", s);
    return o;
}

static const char *str_or_empty(const char *s)
{
    return s != NULL ? s : "";
}

static int stream_ptr_cmp(const void *pa, const void *pb)
{
    const struct stats_js_stream *a =
        *(const struct stats_js_stream *const *)pa;
    const struct stats_js_stream *b =
        *(const struct stats_js_stream *const *)pb;
    int r = strcmp(str_or_empty(a->account), str_or_empty(b->account));
    return r != 0 ? r : strcmp(str_or_empty(a->name), str_or_empty(b->name));
}

/* One account_details entry per account among z's streams, the streams
 * grouped under it. */
static json_t *account_details_json(const struct stats_jsz *z,
                                    const struct stats_jsz_query *q,
                                    const char *server_id)
{
    const struct stats_js_stream **sorted =
        bl_xcalloc(z->n_streams + 1, sizeof(*sorted));
    size_t n = 0;
    for (size_t i = 0; i < z->n_streams; i++) {
        const struct stats_js_stream *st = &z->stream_detail[i];
        if (q->account[0] == '\0' ||
            strcmp(q->account, str_or_empty(st->account)) == 0)
            sorted[n++] = st;
    }
    qsort(sorted, n, sizeof(*sorted), stream_ptr_cmp);

    json_t *a = json_array();
    for (size_t i = 0; i < n;) {
        const char *acc = str_or_empty(sorted[i]->account);
        size_t end = i;
        uint64_t memory = 0, storage = 0;
        while (end < n &&
               strcmp(str_or_empty(sorted[end]->account), acc) == 0) {
            if (sorted[end]->is_memory)
                memory += sorted[end]->bytes;
            else
                storage += sorted[end]->bytes;
            end++;
        }
        json_t *o = json_object();
        set_str(o, "name", acc);
        set_str(o, "id", acc);
        /* API counters are kept per server; with one JetStream account
         * they are that account's, with more we cannot split them. */
        bool sole = z->accounts <= 1;
        js_stats_fields(o, memory, storage, 0, sole ? z->api_total : 0,
                        sole ? z->api_errors : 0);
        if (q->streams) {
            json_t *sd = json_array();
            for (size_t k = i; k < end; k++)
                json_array_append_new(
                    sd, stream_json(sorted[k], server_id, q->config));
            json_object_set_new(o, "stream_detail", sd);
        }
        json_array_append_new(a, o);
        i = end;
    }
    bl_free(sorted);
    return a;
}

void render_jsz(const struct stats_jsz *z, const struct stats_jsz_query *q,
                const char *server_id, uint64_t now_wall_ns, struct bl_buf *out)
{
    json_t *o = json_object();
    set_str(o, "server_id", server_id);
    set_time(o, "now", now_wall_ns);
    if (!js_on(z)) {
        json_object_set_new(o, "disabled", json_true());
        json_object_set_new(o, "config", js_config_json(NULL));
        js_stats_fields(o, 0, 0, 0, 0, 0);
        set_i64(o, "streams", 0);
        set_i64(o, "consumers", 0);
        set_i64(o, "messages", 0);
        set_i64(o, "bytes", 0);
        dump(o, out);
        return;
    }
    json_object_set_new(o, "config", js_config_json(z));
    js_stats_fields(o, z->memory, z->storage, z->accounts, z->api_total,
                    z->api_errors);
    set_u64(o, "streams", z->streams);
    set_u64(o, "consumers", z->consumers);
    set_u64(o, "messages", z->messages);
    set_u64(o, "bytes", z->bytes);
    if (q != NULL && (q->accounts || q->streams)) {
        json_t *a = account_details_json(z, q, server_id);
        /* omitempty, as in nats-server: an unknown acc= has no key. */
        if (json_array_size(a) > 0)
            json_object_set_new(o, "account_details", a);
        else
            json_decref(a);
    }
    dump(o, out);
}

/* varz's "jetstream": {} when off, else its config and stats. */
static json_t *varz_jetstream_json(const struct stats_jsz *z)
{
    json_t *o = json_object();
    if (!js_on(z))
        return o;
    json_object_set_new(o, "config", js_config_json(z));
    json_t *st = json_object();
    js_stats_fields(st, z->memory, z->storage, z->accounts, z->api_total,
                    z->api_errors);
    json_object_set_new(o, "stats", st);
    return o;
}

void render_varz(const struct stats_varz *v, const struct render_extra *x,
                 struct bl_buf *out)
{
    json_t *o = json_object();
    set_str(o, "server_id", v->server_id);
    set_str(o, "server_name", v->server_name);
    set_str(o, "version", v->version);
    set_i64(o, "proto", 1);
    set_str(o, "host", v->host);
    set_i64(o, "port", v->port);
    if (v->auth_required)
        json_object_set_new(o, "auth_required", json_true());
    set_i64(o, "max_connections", v->max_connections);
    /* Go's time.Duration marshals as integer nanoseconds. */
    set_i64(o, "ping_interval", v->ping_interval_ms * (int64_t)NS_PER_MS);
    set_i64(o, "ping_max", v->max_pings_out);
    set_str(o, "http_host", x->http_host != NULL ? x->http_host : "");
    set_i64(o, "http_port", v->http_port);
    set_str(o, "http_base_path", "");
    set_i64(o, "https_port", 0);
    /* auth_timeout is float64 seconds in nats-server. */
    json_object_set_new(o, "auth_timeout",
                        json_real((double)v->auth_timeout_ms / 1000.0));
    set_i64(o, "max_control_line", v->max_control_line);
    set_i64(o, "max_payload", v->max_payload);
    set_i64(o, "max_pending", v->max_pending);
    /* nats-server always writes these objects; tools expect them. */
    json_object_set_new(o, "cluster", json_object());
    json_object_set_new(o, "gateway", json_object());
    json_object_set_new(o, "leaf", json_object());
    json_object_set_new(o, "mqtt", json_object());
    json_object_set_new(o, "websocket", json_object());
    json_object_set_new(o, "jetstream", varz_jetstream_json(x->jsz));
    set_i64(o, "write_deadline", v->write_deadline_ms * (int64_t)NS_PER_MS);
    set_time(o, "start", v->start_wall_ns);
    set_time(o, "now", v->now_wall_ns);
    set_uptime(o, "uptime", v->start_wall_ns, v->now_wall_ns);
    set_u64(o, "mem", x->rss_bytes);
    set_i64(o, "cores", x->cores);
    set_i64(o, "gomaxprocs", x->cores);
    json_object_set_new(o, "cpu", json_real(x->cpu_percent));
    set_u64(o, "connections", v->connections);
    set_u64(o, "total_connections", v->total_connections);
    set_i64(o, "routes", 0);
    set_i64(o, "remotes", 0);
    set_i64(o, "leafnodes", 0);
    set_u64(o, "in_msgs", v->in_msgs);
    set_u64(o, "out_msgs", v->out_msgs);
    set_u64(o, "in_bytes", v->in_bytes);
    set_u64(o, "out_bytes", v->out_bytes);
    set_u64(o, "slow_consumers", v->slow_consumers);
    set_u64(o, "subscriptions", v->subscriptions);
    json_t *reqs = json_object();
    for (size_t i = 0; i < x->n_reqs; i++)
        set_u64(reqs, x->reqs[i].path, x->reqs[i].n_reqs);
    json_object_set_new(o, "http_req_stats", reqs);
    set_str_nonempty(o, "config_file", v->config_file);
    /* No reload yet: the configuration was loaded at start. */
    set_time(o, "config_load_time", v->start_wall_ns);
    dump(o, out);
}

static json_t *conn_json(const struct stats_conn *c, uint64_t now)
{
    json_t *o = json_object();
    set_u64(o, "cid", c->cid);
    set_str(o, "kind", "Client");
    set_str(o, "type", "nats");
    set_str(o, "ip", c->ip);
    set_i64(o, "port", c->port);
    set_time(o, "start", c->start_wall_ns);
    set_time(o, "last_activity", c->last_activity_wall_ns);
    uint64_t end = now;
    if (c->stop_wall_ns != 0) {
        set_time(o, "stop", c->stop_wall_ns);
        end = c->stop_wall_ns;
    }
    set_str_nonempty(o, "reason", c->reason);
    if (c->rtt_ns != 0) {
        char d[RENDER_DURATION_SIZE];
        render_go_duration(c->rtt_ns, d);
        set_str(o, "rtt", d);
    }
    set_uptime(o, "uptime", c->start_wall_ns, end);
    set_uptime(o, "idle", c->last_activity_wall_ns, end);
    set_u64(o, "pending_bytes", c->pending_bytes);
    set_u64(o, "in_msgs", c->in_msgs);
    set_u64(o, "out_msgs", c->out_msgs);
    set_u64(o, "in_bytes", c->in_bytes);
    set_u64(o, "out_bytes", c->out_bytes);
    set_u64(o, "subscriptions", c->n_subs);
    set_str_nonempty(o, "name", c->name);
    set_str_nonempty(o, "lang", c->lang);
    set_str_nonempty(o, "version", c->version);
    set_str_nonempty(o, "authorized_user", c->username);
    set_str_nonempty(o, "account", c->account);
    if (c->subs != NULL && c->n_subs > 0) {
        json_t *a = json_array();
        for (uint32_t i = 0; i < c->n_subs; i++) {
            json_t *s = json_string(c->subs[i] != NULL ? c->subs[i] : "");
            json_array_append_new(a, s != NULL ? s : json_string(""));
        }
        json_object_set_new(o, "subscriptions_list", a);
    }
    return o;
}

void render_connz(const struct stats_connz *z, const char *server_id,
                  struct bl_buf *out)
{
    json_t *o = json_object();
    set_str(o, "server_id", server_id);
    set_time(o, "now", z->now_wall_ns);
    set_u64(o, "num_connections", z->n_conns);
    set_u64(o, "total", z->total);
    set_i64(o, "offset", z->offset);
    set_i64(o, "limit", z->limit);
    json_t *a = json_array();
    for (size_t i = 0; i < z->n_conns; i++)
        json_array_append_new(a, conn_json(&z->conns[i], z->now_wall_ns));
    json_object_set_new(o, "connections", a);
    dump(o, out);
}

void render_subsz(const struct stats_subz *s, const char *server_id,
                  uint64_t now_wall_ns, struct bl_buf *out)
{
    json_t *o = json_object();
    set_str(o, "server_id", server_id);
    set_time(o, "now", now_wall_ns);
    set_u64(o, "num_subscriptions", s->n_subs);
    set_u64(o, "num_cache", s->n_cache);
    set_u64(o, "num_inserts", s->n_inserts);
    set_u64(o, "num_removes", s->n_removes);
    set_u64(o, "num_matches", s->n_matches);
    json_object_set_new(o, "cache_hit_rate", json_real(s->cache_hit_rate));
    set_u64(o, "max_fanout", s->max_fanout);
    json_object_set_new(o, "avg_fanout", json_real(s->avg_fanout));
    dump(o, out);
}

void render_healthz(const char *error, struct bl_buf *out)
{
    json_t *o = json_object();
    if (error == NULL) {
        set_str(o, "status", "ok");
    } else {
        set_str(o, "status", "unavailable");
        set_str(o, "error", error);
    }
    /* Compact like nats-server's healthz. */
    json_dump_callback(o, dump_cb, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
}

void render_error(const char *msg, struct bl_buf *out)
{
    json_t *o = json_object();
    set_str(o, "error", msg);
    dump(o, out);
}

static void append_html(struct bl_buf *out, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '&':
            bl_buf_append_str(out, "&amp;");
            break;
        case '<':
            bl_buf_append_str(out, "&lt;");
            break;
        case '>':
            bl_buf_append_str(out, "&gt;");
            break;
        case '"':
            bl_buf_append_str(out, "&quot;");
            break;
        default:
            bl_buf_append(out, s, 1);
        }
    }
}

void render_index(const char *const *paths, size_t n, const char *version,
                  struct bl_buf *out)
{
    bl_buf_append_str(out, "<!DOCTYPE html>\n<html lang=\"en\">\n"
                           "<head><title>Ballast monitoring</title></head>\n"
                           "<body>\n<h1>Ballast ");
    append_html(out, version);
    bl_buf_append_str(out, "</h1>\n");
    for (size_t i = 0; i < n; i++) {
        /* Relative links, so the page works behind a path prefix. */
        bl_buf_append_str(out, "<a href=\".");
        append_html(out, paths[i]);
        bl_buf_append_str(out, "\">");
        append_html(out, paths[i]);
        bl_buf_append_str(out, "</a><br>\n");
    }
    bl_buf_append_str(out, "</body>\n</html>\n");
}

/* Prometheus text format. */

static void family(struct bl_buf *out, const char *name, const char *type,
                   const char *help)
{
    bl_buf_printf(out, "# HELP ballast_%s %s\n# TYPE ballast_%s %s\n", name,
                  help, name, type);
}

static void sample_u64(struct bl_buf *out, const char *name, const char *type,
                       const char *help, uint64_t v)
{
    family(out, name, type, help);
    bl_buf_printf(out, "ballast_%s %" PRIu64 "\n", name, v);
}

static void sample_f(struct bl_buf *out, const char *name, const char *type,
                     const char *help, const char *fmt, double v)
{
    family(out, name, type, help);
    bl_buf_printf(out, "ballast_%s ", name);
    bl_buf_printf(out, fmt, v);
    bl_buf_append_str(out, "\n");
}

/* A label value: backslash, double quote and newline escaped. */
static void label_value(struct bl_buf *out, const char *s)
{
    for (; *s != '\0'; s++) {
        if (*s == '\\')
            bl_buf_append_str(out, "\\\\");
        else if (*s == '"')
            bl_buf_append_str(out, "\\\"");
        else if (*s == '\n')
            bl_buf_append_str(out, "\\n");
        else
            bl_buf_append(out, s, 1);
    }
}

static uint64_t stream_msgs(const struct stats_js_stream *st)
{
    return st->msgs;
}

static uint64_t stream_bytes(const struct stats_js_stream *st)
{
    return st->bytes;
}

static uint64_t stream_consumers(const struct stats_js_stream *st)
{
    return st->consumer_count;
}

static uint64_t stream_last_seq(const struct stats_js_stream *st)
{
    return st->last_seq;
}

/* The per-stream gauges, labelled by account and stream. */
static const struct {
    const char *name;
    const char *help;
    uint64_t (*value)(const struct stats_js_stream *st);
} stream_families[] = {
    {"stream_messages", "Messages stored in the stream.", stream_msgs},
    {"stream_bytes", "Bytes stored in the stream.", stream_bytes},
    {"stream_consumers", "Consumers of the stream.", stream_consumers},
    {"stream_last_seq", "Sequence number of the stream's last message.",
     stream_last_seq},
};

static void metrics_jetstream(const struct stats_jsz *z, struct bl_buf *out)
{
    sample_u64(out, "jetstream_streams", "gauge", "JetStream streams.",
               z->streams);
    sample_u64(out, "jetstream_consumers", "gauge", "JetStream consumers.",
               z->consumers);
    sample_u64(out, "jetstream_messages", "gauge",
               "Messages stored in all streams.", z->messages);
    sample_u64(out, "jetstream_bytes", "gauge", "Bytes stored in all streams.",
               z->bytes);
    sample_u64(out, "jetstream_memory_bytes", "gauge",
               "Bytes stored in memory streams.", z->memory);
    sample_u64(out, "jetstream_storage_bytes", "gauge",
               "Bytes stored in file streams.", z->storage);
    sample_u64(out, "jetstream_api_requests_total", "counter",
               "JetStream API requests served since start.", z->api_total);
    sample_u64(out, "jetstream_api_errors_total", "counter",
               "JetStream API requests answered with an error since start.",
               z->api_errors);
    if (z->n_streams == 0)
        return;
    for (size_t f = 0; f < sizeof(stream_families) / sizeof(stream_families[0]);
         f++) {
        family(out, stream_families[f].name, "gauge", stream_families[f].help);
        for (size_t i = 0; i < z->n_streams; i++) {
            const struct stats_js_stream *st = &z->stream_detail[i];
            bl_buf_printf(out, "ballast_%s{account=\"",
                          stream_families[f].name);
            label_value(out, str_or_empty(st->account));
            bl_buf_append_str(out, "\",stream=\"");
            label_value(out, str_or_empty(st->name));
            bl_buf_printf(out, "\"} %" PRIu64 "\n",
                          stream_families[f].value(st));
        }
    }
}

void render_metrics(const struct stats_varz *v, const struct render_extra *x,
                    struct bl_buf *out)
{
    family(out, "info", "gauge", "Server identity; the value is always 1.");
    bl_buf_append_str(out, "ballast_info{server_id=\"");
    label_value(out, v->server_id);
    bl_buf_append_str(out, "\",server_name=\"");
    label_value(out, v->server_name);
    bl_buf_append_str(out, "\",version=\"");
    label_value(out, v->version);
    bl_buf_append_str(out, "\"} 1\n");

    sample_u64(out, "connections", "gauge", "Open client connections.",
               v->connections);
    sample_u64(out, "connections_total", "counter",
               "Client connections accepted since start.",
               v->total_connections);
    sample_u64(out, "max_connections", "gauge",
               "Configured maximum of client connections.",
               v->max_connections > 0 ? (uint64_t)v->max_connections : 0);
    sample_u64(out, "subscriptions", "gauge", "Active subscriptions.",
               v->subscriptions);
    sample_u64(out, "slow_consumers_total", "counter",
               "Clients disconnected as slow consumers since start.",
               v->slow_consumers);
    sample_u64(out, "in_msgs_total", "counter",
               "Messages received from clients.", v->in_msgs);
    sample_u64(out, "out_msgs_total", "counter",
               "Messages delivered to clients.", v->out_msgs);
    sample_u64(out, "in_bytes_total", "counter",
               "Payload bytes received from clients.", v->in_bytes);
    sample_u64(out, "out_bytes_total", "counter",
               "Payload bytes delivered to clients.", v->out_bytes);
    sample_u64(out, "memory_bytes", "gauge",
               "Resident set size of the process.", x->rss_bytes);
    sample_f(out, "cpu_percent", "gauge",
             "CPU used since the previous sample, percent of one core.", "%.2f",
             x->cpu_percent);
    sample_u64(out, "cores", "gauge", "Online processors.",
               x->cores > 0 ? (uint64_t)x->cores : 0);
    uint64_t up = v->now_wall_ns > v->start_wall_ns
                      ? v->now_wall_ns - v->start_wall_ns
                      : 0;
    sample_f(out, "uptime_seconds", "gauge",
             "Seconds since the server started.", "%.3f",
             (double)up / (double)NS_PER_S);
    sample_f(out, "start_time_seconds", "gauge",
             "Start time of the server since the Unix epoch in seconds.",
             "%.3f", (double)v->start_wall_ns / (double)NS_PER_S);
    sample_u64(out, "max_payload_bytes", "gauge",
               "Largest message payload accepted.",
               v->max_payload > 0 ? (uint64_t)v->max_payload : 0);
    sample_u64(out, "lame_duck", "gauge",
               "1 while the server is in lame duck mode, else 0.",
               v->lame_duck ? 1 : 0);
    sample_u64(out, "jetstream_enabled", "gauge",
               "1 when JetStream is enabled, else 0.",
               v->jetstream || js_on(x->jsz) ? 1 : 0);
    if (js_on(x->jsz))
        metrics_jetstream(x->jsz, out);

    if (x->n_reqs > 0) {
        family(out, "http_requests_total", "counter",
               "Monitoring requests served, by endpoint.");
        for (size_t i = 0; i < x->n_reqs; i++) {
            bl_buf_append_str(out, "ballast_http_requests_total{endpoint=\"");
            label_value(out, x->reqs[i].path);
            bl_buf_printf(out, "\"} %" PRIu64 "\n", x->reqs[i].n_reqs);
        }
    }
}
