#include "http/monitor.h"

#include "ballast/buf.h"
#include "ballast/err.h"
#include "ballast/mem.h"

#include <check.h>
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "suites.h"

#define MAX_RESULTS 16
#define WATCHDOG_MS 20000

/* One HTTP exchange as the client thread saw it. */
struct result {
    long code; /* HTTP status, or -1 when the transfer failed */
    char content_type[128];
    struct bl_buf body;
};

/* The provider the monitor calls on the loop thread. */
struct fake {
    atomic_bool unhealthy;
    bool stop_in_varz;  /* call monitor_stop() from inside varz() */
    struct monitor **m; /* for stop_in_varz */
    int n_varz;         /* loop thread only */
    struct stats_connz_query last_q; /* loop thread only */
    int n_connz;
    bool with_jsz;                           /* provide the jsz callback */
    struct stats_jsz_query jqs[MAX_RESULTS]; /* what jsz was asked */
    size_t n_jsz;
};

struct live {
    uv_loop_t loop;
    uv_async_t done;     /* the client thread finished its script */
    uv_timer_t watchdog; /* ends a hung test */
    uv_timer_t blocker;  /* blocks the loop, then stops the monitor */
    bool use_blocker;
    struct monitor *m;
    struct fake fake;
    int port;
    pthread_t client;
    void (*script)(struct live *l); /* client thread */
    atomic_bool sent; /* the client has started its blocked request */
    bool timed_out;
    struct result res[MAX_RESULTS];
    size_t n_res;
};

static struct live live;

/* Fake provider: loop thread. */

static void fake_varz(void *ctx, struct stats_varz *out)
{
    struct fake *f = ctx;
    f->n_varz++;
    strcpy(out->server_id, "NFAKE");
    strcpy(out->server_name, "fake");
    strcpy(out->version, "0.1.0");
    strcpy(out->host, "127.0.0.1");
    out->port = 4222;
    out->max_payload = 1048576;
    out->ping_interval_ms = 120000;
    out->start_wall_ns = 1795456340000000000ull;
    out->now_wall_ns = out->start_wall_ns + 5000000000ull;
    out->connections = 3;
    out->total_connections = 9;
    out->subscriptions = 4;
    if (f->stop_in_varz) {
        f->stop_in_varz = false;
        monitor_stop(*f->m);
        *f->m = NULL;
    }
}

static void fake_connz(void *ctx, const struct stats_connz_query *q,
                       struct stats_connz *out)
{
    struct fake *f = ctx;
    f->n_connz++;
    f->last_q = *q;
    out->now_wall_ns = 1795456345000000000ull;
    out->n_conns = 3;
    out->conns = bl_xcalloc(3, sizeof(out->conns[0]));
    for (size_t i = 0; i < 3; i++) {
        struct stats_conn *c = &out->conns[i];
        c->cid = i + 1;
        snprintf(c->ip, sizeof(c->ip), "10.0.0.%zu", i + 1);
        c->start_wall_ns = 1795456340000000000ull;
        c->last_activity_wall_ns = c->start_wall_ns;
        c->out_msgs = 10 * (i + 1);
        if (q->subs) {
            c->n_subs = 1;
            c->subs = bl_xmalloc(sizeof(char *));
            c->subs[0] = bl_xstrdup("orders.>");
        }
    }
    stats_connz_sort_page(out, q);
}

static void fake_stream(struct stats_js_stream *st, const char *account,
                        const char *name, uint64_t msgs, bool with_config)
{
    memset(st, 0, sizeof(*st));
    st->account = bl_xstrdup(account);
    st->name = bl_xstrdup(name);
    st->created_wall_ns = 1795456340000000000ull;
    st->msgs = msgs;
    st->bytes = 100 * msgs;
    st->first_seq = 1;
    st->last_seq = msgs;
    st->first_ts_wall_ns = st->created_wall_ns;
    st->last_ts_wall_ns = st->created_wall_ns;
    st->consumer_count = 1;
    if (with_config) {
        char cfg[128];
        snprintf(cfg, sizeof(cfg), "{\"name\":\"%s\",\"max_msgs\":-1}", name);
        st->config_json = bl_xstrdup(cfg);
    }
}

/* JetStream with ACME/ORDERS (3 msgs) and $G/EVENTS (2 msgs), details
 * when asked, filtered by account as a provider does. */
static void fake_jsz(void *ctx, const struct stats_jsz_query *q,
                     struct stats_jsz *out)
{
    struct fake *f = ctx;
    if (f->n_jsz < MAX_RESULTS)
        f->jqs[f->n_jsz] = *q;
    f->n_jsz++;
    out->enabled = true;
    strcpy(out->store_dir, "/tmp/js");
    out->max_memory = 1024;
    out->max_storage = 4096;
    out->sync_interval_ms = 1000;
    out->accounts = 2;
    out->streams = 2;
    out->consumers = 2;
    out->messages = 5;
    out->bytes = 500;
    out->storage = 500;
    out->api_total = 7;
    out->api_errors = 1;
    if (!q->streams)
        return;
    out->stream_detail = bl_xcalloc(2, sizeof(out->stream_detail[0]));
    if (q->account[0] == '\0' || strcmp(q->account, "ACME") == 0)
        fake_stream(&out->stream_detail[out->n_streams++], "ACME", "ORDERS", 3,
                    q->config);
    if (q->account[0] == '\0' || strcmp(q->account, "$G") == 0)
        fake_stream(&out->stream_detail[out->n_streams++], "$G", "EVENTS", 2,
                    q->config);
}

static void fake_subz(void *ctx, struct stats_subz *out)
{
    out->n_subs = 4;
    out->n_matches = 2;
}

static bool fake_healthy(void *ctx, char *why, size_t why_len)
{
    struct fake *f = ctx;
    if (!atomic_load(&f->unhealthy))
        return true;
    snprintf(why, why_len, "lame duck mode");
    return false;
}

/* Client side. */

static size_t on_body(char *p, size_t size, size_t n, void *data)
{
    bl_buf_append(data, p, size * n);
    return size * n;
}

/* Fetches `path` into the next result; `method` NULL means GET. */
static struct result *fetch(struct live *l, const char *method,
                            const char *path)
{
    ck_assert_uint_lt(l->n_res, MAX_RESULTS);
    struct result *r = &l->res[l->n_res++];
    char url[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", l->port, path);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
    if (method != NULL) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "x=1");
    }
    r->code = -1;
    if (curl_easy_perform(c) == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->code);
        char *ct = NULL;
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
        if (ct != NULL)
            snprintf(r->content_type, sizeof(r->content_type), "%s", ct);
    }
    curl_easy_cleanup(c);
    return r;
}

static void *client_main(void *arg)
{
    struct live *l = arg;
    l->script(l);
    uv_async_send(&l->done);
    return NULL;
}

/* Loop side. */

static void close_cb_noop(uv_handle_t *h)
{
}

static void on_done(uv_async_t *a)
{
    struct live *l = container_of(a, struct live, done);
    monitor_stop(l->m);
    l->m = NULL;
    uv_close((uv_handle_t *)&l->done, close_cb_noop);
    uv_close((uv_handle_t *)&l->watchdog, close_cb_noop);
}

static void on_watchdog(uv_timer_t *t)
{
    struct live *l = container_of(t, struct live, watchdog);
    l->timed_out = true;
    monitor_stop(l->m);
    l->m = NULL;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Holds the loop until the client's request is surely waiting on it, then
 * stops the monitor from the loop thread. */
static void on_blocker(uv_timer_t *t)
{
    struct live *l = container_of(t, struct live, blocker);
    uint64_t give_up = mono_ms() + 5000;
    while (!atomic_load(&l->sent) && mono_ms() < give_up)
        usleep(1000);
    usleep(300 * 1000);
    monitor_stop(l->m);
    l->m = NULL;
    uv_close((uv_handle_t *)&l->blocker, close_cb_noop);
}

static void setup(void)
{
    memset(&live, 0, sizeof(live));
    curl_global_init(CURL_GLOBAL_DEFAULT);
    ck_assert_int_eq(uv_loop_init(&live.loop), 0);
    live.fake.m = &live.m;
    for (size_t i = 0; i < MAX_RESULTS; i++)
        bl_buf_init(&live.res[i].body);
}

static void teardown(void)
{
    for (size_t i = 0; i < MAX_RESULTS; i++)
        bl_buf_close(&live.res[i].body);
    uv_loop_close(&live.loop);
    curl_global_cleanup();
}

static void start_monitor(struct live *l)
{
    struct stats_provider p = {
        .varz = fake_varz,
        .connz = fake_connz,
        .subz = fake_subz,
        .healthy = fake_healthy,
        .jsz = l->fake.with_jsz ? fake_jsz : NULL,
        .ctx = &l->fake,
    };
    char errmsg[BL_ERRMSG_SIZE] = "";
    int rv = monitor_start(&l->loop, "127.0.0.1", -1, &p, &l->m, errmsg);
    ck_assert_msg(rv == 0, "monitor_start: %s", errmsg);
    l->port = monitor_port(l->m);
    ck_assert_int_gt(l->port, 0);
}

/* Runs the client script on its own thread while the loop runs here, until
 * the monitor is stopped and every handle closed. */
static void run_live(struct live *l)
{
    start_monitor(l);
    ck_assert_int_eq(uv_async_init(&l->loop, &l->done, on_done), 0);
    ck_assert_int_eq(uv_timer_init(&l->loop, &l->watchdog), 0);
    uv_timer_start(&l->watchdog, on_watchdog, WATCHDOG_MS, 0);
    if (l->use_blocker) {
        ck_assert_int_eq(uv_timer_init(&l->loop, &l->blocker), 0);
        uv_timer_start(&l->blocker, on_blocker, 0, 0);
    }
    ck_assert_int_eq(pthread_create(&l->client, NULL, client_main, l), 0);
    uv_run(&l->loop, UV_RUN_DEFAULT);
    pthread_join(l->client, NULL);
    ck_assert_msg(!l->timed_out, "watchdog fired");
    ck_assert_ptr_null(l->m);
}

static json_t *parse(const struct result *r)
{
    json_error_t err;
    json_t *doc = json_loadb(r->body.p, r->body.len, 0, &err);
    ck_assert_msg(doc != NULL, "bad JSON (%s): %.*s", err.text,
                  (int)r->body.len, r->body.p);
    return doc;
}

static json_int_t int_at(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_integer(v), "%s is not an integer", key);
    return json_integer_value(v);
}

/* Whether a fresh connection to the port is refused. */
static bool port_closed(int port)
{
    struct live probe;
    memset(&probe, 0, sizeof(probe));
    bl_buf_init(&probe.res[0].body);
    probe.port = port;
    struct result *r = fetch(&probe, NULL, "/healthz");
    bool closed = r->code == -1;
    bl_buf_close(&r->body);
    return closed;
}

static void script_endpoints(struct live *l)
{
    fetch(l, NULL, "/varz");    /* 0 */
    fetch(l, NULL, "/healthz"); /* 1 */
    atomic_store(&l->fake.unhealthy, true);
    fetch(l, NULL, "/healthz"); /* 2 */
    atomic_store(&l->fake.unhealthy, false);
    fetch(l, NULL, "/connz?limit=1&offset=1");                 /* 3 */
    fetch(l, NULL, "/connz?sort=bad");                         /* 4 */
    fetch(l, NULL, "/metrics");                                /* 5 */
    fetch(l, NULL, "/nope");                                   /* 6 */
    fetch(l, "POST", "/varz");                                 /* 7 */
    fetch(l, NULL, "/subsz");                                  /* 8 */
    fetch(l, NULL, "/");                                       /* 9 */
    fetch(l, NULL, "/connz?subs=1&sort=msgs_to&state=closed"); /* 10 */
    fetch(l, NULL, "/varz");                                   /* 11 */
    fetch(l, NULL, "/jsz?streams=true");                       /* 12 */
}

/* Every endpoint answers from the provider, on the loop thread. */
START_TEST(endpoints_answer_from_the_loop)
{
    live.script = script_endpoints;
    run_live(&live);
    ck_assert_uint_eq(live.n_res, 13);
    struct result *r = live.res;

    ck_assert_int_eq(r[0].code, 200);
    ck_assert_str_eq(r[0].content_type, "application/json");
    json_t *o = parse(&r[0]);
    ck_assert_str_eq(json_string_value(json_object_get(o, "server_id")),
                     "NFAKE");
    ck_assert_int_eq(int_at(o, "connections"), 3);
    ck_assert_int_eq(int_at(o, "ping_interval"), 120000000000ll);
    ck_assert_int_eq(int_at(o, "mem") > 0, 1);
    ck_assert_str_eq(json_string_value(json_object_get(o, "http_host")),
                     "127.0.0.1");
    json_t *reqs = json_object_get(o, "http_req_stats");
    ck_assert_int_eq(int_at(reqs, "/varz"), 1);
    json_decref(o);

    ck_assert_int_eq(r[1].code, 200);
    ck_assert_str_eq(r[1].body.p, "{\"status\":\"ok\"}");
    ck_assert_int_eq(r[2].code, 503);
    o = parse(&r[2]);
    ck_assert_str_eq(json_string_value(json_object_get(o, "status")),
                     "unavailable");
    ck_assert_str_eq(json_string_value(json_object_get(o, "error")),
                     "lame duck mode");
    json_decref(o);

    ck_assert_int_eq(r[3].code, 200);
    o = parse(&r[3]);
    ck_assert_str_eq(json_string_value(json_object_get(o, "server_id")),
                     "NFAKE");
    ck_assert_int_eq(int_at(o, "offset"), 1);
    ck_assert_int_eq(int_at(o, "limit"), 1);
    ck_assert_int_eq(int_at(o, "total"), 3);
    ck_assert_int_eq(int_at(o, "num_connections"), 1);
    json_t *c = json_array_get(json_object_get(o, "connections"), 0);
    ck_assert_int_eq(int_at(c, "cid"), 2);
    ck_assert_str_eq(json_string_value(json_object_get(c, "ip")), "10.0.0.2");
    ck_assert_ptr_null(json_object_get(c, "subscriptions_list"));
    json_decref(o);

    ck_assert_int_eq(r[4].code, 400);
    o = parse(&r[4]);
    ck_assert_str_eq(json_string_value(json_object_get(o, "error")),
                     "invalid sort 'bad'");
    json_decref(o);

    ck_assert_int_eq(r[5].code, 200);
    ck_assert_str_eq(r[5].content_type,
                     "text/plain; version=0.0.4; charset=utf-8");
    ck_assert_ptr_nonnull(strstr(r[5].body.p, "\nballast_connections 3\n"));
    ck_assert_ptr_nonnull(
        strstr(r[5].body.p, "\nballast_connections_total 9\n"));

    ck_assert_int_eq(r[6].code, 404);
    o = parse(&r[6]);
    ck_assert_str_eq(json_string_value(json_object_get(o, "error")),
                     "no such endpoint: /nope");
    json_decref(o);

    ck_assert_int_eq(r[7].code, 405);
    ck_assert_int_eq(r[8].code, 200);
    o = parse(&r[8]);
    ck_assert_int_eq(int_at(o, "num_subscriptions"), 4);
    ck_assert_int_eq(int_at(o, "num_matches"), 2);
    json_decref(o);

    ck_assert_int_eq(r[9].code, 200);
    ck_assert_str_eq(r[9].content_type, "text/html; charset=utf-8");
    ck_assert_ptr_nonnull(strstr(r[9].body.p, "href=\"./connz\""));

    ck_assert_int_eq(r[10].code, 200);
    o = parse(&r[10]);
    c = json_array_get(json_object_get(o, "connections"), 0);
    ck_assert_int_eq(int_at(c, "cid"), 3); /* most out_msgs first */
    ck_assert_str_eq(json_string_value(json_array_get(
                         json_object_get(c, "subscriptions_list"), 0)),
                     "orders.>");
    json_decref(o);
    ck_assert(live.fake.last_q.closed);
    ck_assert(live.fake.last_q.subs);
    ck_assert_int_eq(live.fake.last_q.sort, STATS_SORT_MSGS_TO);
    ck_assert_int_eq(live.fake.n_connz, 2); /* the bad sort never got there */

    o = parse(&r[11]);
    reqs = json_object_get(o, "http_req_stats");
    ck_assert_int_eq(int_at(reqs, "/varz"), 2);
    ck_assert_int_eq(int_at(reqs, "/healthz"), 2);
    ck_assert_int_eq(int_at(reqs, "/connz"), 3);
    ck_assert_int_eq(int_at(reqs, "/metrics"), 1);
    ck_assert_ptr_null(json_object_get(reqs, "/nope"));
    /* No JetStream callback: varz's jetstream is empty. */
    ck_assert_int_eq(json_object_size(json_object_get(o, "jetstream")), 0);
    json_decref(o);

    /* No JetStream callback: the disabled page. */
    ck_assert_int_eq(r[12].code, 200);
    o = parse(&r[12]);
    ck_assert(json_is_true(json_object_get(o, "disabled")));
    ck_assert_ptr_null(json_object_get(o, "account_details"));
    json_decref(o);

    ck_assert(port_closed(live.port));
}
END_TEST

static void script_jsz(struct live *l)
{
    fetch(l, NULL, "/jsz?streams=true");            /* 0 */
    fetch(l, NULL, "/jsz?streams=maybe");           /* 1 */
    fetch(l, NULL, "/jsz?acc=ACME");                /* 2 */
    fetch(l, NULL, "/jsz?consumers=1&config=true"); /* 3 */
    fetch(l, NULL, "/varz");                        /* 4 */
    fetch(l, NULL, "/metrics");                     /* 5 */
    fetch(l, NULL, "/jsz");                         /* 6 */
}

/* /jsz asks the provider on the loop and renders its streams by account;
 * a bad value is a 400 that never reaches the provider; varz and metrics
 * carry JetStream too. */
START_TEST(jsz_answers_from_the_provider)
{
    live.fake.with_jsz = true;
    live.script = script_jsz;
    run_live(&live);
    ck_assert_uint_eq(live.n_res, 7);
    struct result *r = live.res;

    ck_assert_int_eq(r[0].code, 200);
    ck_assert_str_eq(r[0].content_type, "application/json");
    json_t *o = parse(&r[0]);
    ck_assert_str_eq(json_string_value(json_object_get(o, "server_id")),
                     "NFAKE");
    ck_assert_ptr_null(json_object_get(o, "disabled"));
    ck_assert_int_eq(int_at(o, "streams"), 2);
    ck_assert_int_eq(int_at(o, "messages"), 5);
    ck_assert_int_eq(int_at(json_object_get(o, "config"), "sync_interval"),
                     1000000000ll);
    json_t *ad = json_object_get(o, "account_details");
    ck_assert_int_eq(json_array_size(ad), 2);
    json_t *acc = json_array_get(ad, 0);
    ck_assert_str_eq(json_string_value(json_object_get(acc, "name")), "$G");
    json_t *sd = json_object_get(acc, "stream_detail");
    ck_assert_int_eq(json_array_size(sd), 1);
    json_t *st = json_array_get(sd, 0);
    ck_assert_str_eq(json_string_value(json_object_get(st, "name")), "EVENTS");
    ck_assert_ptr_null(json_object_get(st, "config"));
    ck_assert_int_eq(int_at(json_object_get(st, "state"), "messages"), 2);
    acc = json_array_get(ad, 1);
    ck_assert_str_eq(json_string_value(json_object_get(acc, "name")), "ACME");
    ck_assert_int_eq(int_at(acc, "storage"), 300);
    json_decref(o);

    ck_assert_int_eq(r[1].code, 400);
    o = parse(&r[1]);
    ck_assert_str_eq(json_string_value(json_object_get(o, "error")),
                     "invalid streams 'maybe'");
    json_decref(o);

    ck_assert_int_eq(r[2].code, 200);
    o = parse(&r[2]);
    ad = json_object_get(o, "account_details");
    ck_assert_int_eq(json_array_size(ad), 1);
    acc = json_array_get(ad, 0);
    ck_assert_str_eq(json_string_value(json_object_get(acc, "name")), "ACME");
    ck_assert_int_eq(int_at(acc, "storage"), 300);
    ck_assert_ptr_null(json_object_get(acc, "stream_detail"));
    json_decref(o);

    ck_assert_int_eq(r[3].code, 200);
    o = parse(&r[3]);
    ad = json_object_get(o, "account_details");
    st = json_array_get(json_object_get(json_array_get(ad, 1), "stream_detail"),
                        0);
    json_t *cfg = json_object_get(st, "config");
    ck_assert_str_eq(json_string_value(json_object_get(cfg, "name")), "ORDERS");
    ck_assert_int_eq(int_at(cfg, "max_msgs"), -1);
    json_decref(o);

    o = parse(&r[4]);
    json_t *js = json_object_get(o, "jetstream");
    ck_assert_int_eq(int_at(json_object_get(js, "config"), "max_storage"),
                     4096);
    ck_assert_int_eq(
        int_at(json_object_get(json_object_get(js, "stats"), "api"), "total"),
        7);
    json_decref(o);

    ck_assert_int_eq(r[5].code, 200);
    ck_assert_ptr_nonnull(
        strstr(r[5].body.p, "\nballast_jetstream_api_errors_total 1\n"));
    ck_assert_ptr_nonnull(strstr(
        r[5].body.p,
        "\nballast_stream_messages{account=\"ACME\",stream=\"ORDERS\"} 3\n"));

    o = parse(&r[6]);
    ck_assert_ptr_null(json_object_get(o, "account_details"));
    ck_assert_int_eq(int_at(o, "bytes"), 500);
    json_decref(o);

    /* What the provider was asked: the 400 never got there; acc= without
     * streams still fetched them (for the account's totals). */
    ck_assert_uint_eq(live.fake.n_jsz, 6);
    const struct stats_jsz_query *jq = live.fake.jqs;
    ck_assert(jq[0].streams && !jq[0].config);
    ck_assert(jq[1].streams);
    ck_assert_str_eq(jq[1].account, "ACME");
    ck_assert(jq[2].streams && jq[2].config);
    ck_assert(!jq[3].streams); /* varz: totals */
    ck_assert(jq[4].streams);  /* metrics: per stream */
    ck_assert(!jq[5].streams && !jq[5].accounts);
}
END_TEST

static void script_one_blocked_varz(struct live *l)
{
    atomic_store(&l->sent, true);
    fetch(l, NULL, "/varz");
}

/* Stopping while a request waits on the (busy) loop answers it 503 at once
 * instead of deadlocking, and the provider is never called for it. */
START_TEST(stop_answers_waiting_request_503)
{
    live.script = script_one_blocked_varz;
    live.use_blocker = true;
    uint64_t t0 = mono_ms();
    run_live(&live);
    ck_assert_uint_lt(mono_ms() - t0, 5000);
    ck_assert_uint_eq(live.n_res, 1);
    ck_assert_int_eq(live.res[0].code, 503);
    json_t *o = parse(&live.res[0]);
    ck_assert_str_eq(json_string_value(json_object_get(o, "error")),
                     "monitoring server is stopping");
    json_decref(o);
    ck_assert_int_eq(live.fake.n_varz, 0);
    ck_assert(port_closed(live.port));
}
END_TEST

static void script_varz_then_more(struct live *l)
{
    fetch(l, NULL, "/varz");
    fetch(l, NULL, "/varz");
}

/* monitor_stop() from inside a provider callback finishes that reply, then
 * stops: later requests are not served. */
START_TEST(stop_from_provider_callback)
{
    live.script = script_varz_then_more;
    live.fake.stop_in_varz = true;
    run_live(&live);
    ck_assert_uint_eq(live.n_res, 2);
    ck_assert_int_eq(live.res[0].code, 200);
    json_t *o = parse(&live.res[0]);
    ck_assert_str_eq(json_string_value(json_object_get(o, "server_id")),
                     "NFAKE");
    json_decref(o);
    /* Refused, or 503 if it raced in before the listener closed. */
    ck_assert_msg(live.res[1].code == -1 || live.res[1].code == 503, "code %ld",
                  live.res[1].code);
    ck_assert_int_eq(live.fake.n_varz, 1);
}
END_TEST

/* A port in use is an error naming it; nothing is left running. */
START_TEST(start_fails_on_port_in_use)
{
    start_monitor(&live);
    struct stats_provider p = {.varz = fake_varz,
                               .connz = fake_connz,
                               .subz = fake_subz,
                               .healthy = fake_healthy,
                               .ctx = &live.fake};
    struct monitor *second = NULL;
    char errmsg[BL_ERRMSG_SIZE] = "";
    int rv =
        monitor_start(&live.loop, "127.0.0.1", live.port, &p, &second, errmsg);
    ck_assert_int_lt(rv, 0);
    ck_assert_ptr_null(second);
    char want[64];
    snprintf(want, sizeof(want), "listen on 127.0.0.1:%d", live.port);
    ck_assert_msg(strstr(errmsg, want) != NULL, "errmsg: %s", errmsg);
    ck_assert_msg(strncmp(errmsg, "monitoring server: ", 19) == 0, "errmsg: %s",
                  errmsg);

    monitor_stop(live.m);
    monitor_stop(NULL);
    ck_assert_int_eq(uv_run(&live.loop, UV_RUN_DEFAULT), 0);
    ck_assert(port_closed(live.port));
}
END_TEST

Suite *monitor_suite(void)
{
    Suite *s = suite_create("http/monitor");
    TCase *tc = tcase_create("live");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 40);
    tcase_add_test(tc, endpoints_answer_from_the_loop);
    tcase_add_test(tc, jsz_answers_from_the_provider);
    tcase_add_test(tc, stop_answers_waiting_request_503);
    tcase_add_test(tc, stop_from_provider_callback);
    tcase_add_test(tc, start_fails_on_port_in_use);
    suite_add_tcase(s, tc);
    return s;
}
