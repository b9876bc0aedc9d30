/* A hand-made server snapshot shared by the render tests and the
 * metrics_sample program. */
#ifndef BALLAST_TEST_HTTP_SAMPLE_H
#define BALLAST_TEST_HTTP_SAMPLE_H

#include "http/render.h"
#include "http/stats.h"

#include "ballast/mem.h"

#include <stdbool.h>
#include <string.h>

/* 2026-11-23T17:52:20.123456789Z */
#define SAMPLE_START_NS 1795456340123456789ull
/* One hour, two minutes and three seconds later. */
#define SAMPLE_NOW_NS (SAMPLE_START_NS + 3723000000000ull)

static inline void sample_varz(struct stats_varz *v)
{
    memset(v, 0, sizeof(*v));
    strcpy(v->server_id, "NSAMPLE");
    strcpy(v->server_name, "node \"a\"\\1");
    strcpy(v->version, "0.1.0");
    strcpy(v->host, "0.0.0.0");
    v->port = 4222;
    v->http_port = 8222;
    v->max_connections = 65536;
    v->max_payload = 1048576;
    v->max_control_line = 4096;
    v->max_pending = 67108864;
    v->ping_interval_ms = 120000;
    v->max_pings_out = 2;
    v->auth_timeout_ms = 2000;
    v->write_deadline_ms = 10000;
    v->start_wall_ns = SAMPLE_START_NS;
    v->now_wall_ns = SAMPLE_NOW_NS;
    v->connections = 3;
    v->total_connections = 17;
    v->subscriptions = 42;
    v->slow_consumers = 1;
    v->in_msgs = 10;
    v->out_msgs = 20;
    v->in_bytes = 1000;
    v->out_bytes = 2000;
    v->lame_duck = true;
}

static const struct render_req_count sample_reqs[] = {
    {"/varz", 3},
    {"/metrics", 5},
};

static inline void sample_extra(struct render_extra *x)
{
    memset(x, 0, sizeof(*x));
    x->http_host = "127.0.0.1";
    x->rss_bytes = 12345678;
    x->cpu_percent = 12.5;
    x->cores = 2;
    x->reqs = sample_reqs;
    x->n_reqs = 2;
}

/* The stream config given to ORDERS with config. */
#define SAMPLE_ORDERS_CONFIG                                                   \
    "{\"name\":\"ORDERS\",\"subjects\":[\"orders.>\"],\"max_bytes\":-1,"       \
    "\"placement\":{\"tags\":[]}}"

static inline void sample_stream(struct stats_js_stream *st,
                                 const char *account, const char *name,
                                 bool is_memory, uint64_t msgs, uint64_t bytes,
                                 uint64_t first_seq, uint64_t last_seq)
{
    memset(st, 0, sizeof(*st));
    st->account = bl_xstrdup(account);
    st->name = bl_xstrdup(name);
    st->is_memory = is_memory;
    st->created_wall_ns = SAMPLE_START_NS + 1000000000ull;
    st->msgs = msgs;
    st->bytes = bytes;
    st->first_seq = first_seq;
    st->last_seq = last_seq;
    if (msgs > 0) {
        st->first_ts_wall_ns = SAMPLE_START_NS + 2000000000ull;
        st->last_ts_wall_ns = SAMPLE_NOW_NS;
    }
}

/* JetStream with four streams in two accounts, listed out of order:
 * ACME/ORDERS (file, 2 msgs, 1 consumer), $G/EVENTS (file, 4 deleted),
 * ACME/EMPTY (memory, empty) and $G/"q\"uote\\d" (memory). Config JSON
 * for ORDERS (SAMPLE_ORDERS_CONFIG) and, not being JSON, for EVENTS when
 * `with_config`. Free with stats_jsz_free(). */
static inline void sample_jsz(struct stats_jsz *z, bool with_config)
{
    memset(z, 0, sizeof(*z));
    z->enabled = true;
    strcpy(z->store_dir, "/var/lib/ballast/jetstream");
    z->max_memory = 1073741824;
    z->max_storage = -1;
    z->sync_interval_ms = 120000;
    z->accounts = 2;
    z->streams = 4;
    z->consumers = 3;
    z->messages = 8;
    z->bytes = 609;
    z->memory = 22;
    z->storage = 587;
    z->api_total = 40;
    z->api_errors = 3;
    z->n_streams = 4;
    z->stream_detail = bl_xcalloc(4, sizeof(z->stream_detail[0]));
    struct stats_js_stream *st = z->stream_detail;
    sample_stream(&st[0], "ACME", "ORDERS", false, 2, 87, 1, 2);
    st[0].num_subjects = 2;
    st[0].consumer_count = 1;
    sample_stream(&st[1], "$G", "EVENTS", false, 5, 500, 5, 9);
    st[1].num_subjects = 1;
    st[1].num_deleted = 4;
    st[1].consumer_count = 2;
    sample_stream(&st[2], "ACME", "EMPTY", true, 0, 0, 0, 0);
    sample_stream(&st[3], "$G", "q\"uote\\d", true, 1, 22, 1, 1);
    st[3].num_subjects = 1;
    if (with_config) {
        st[0].config_json = bl_xstrdup(SAMPLE_ORDERS_CONFIG);
        st[1].config_json = bl_xstrdup("not json");
    }
}

#endif
