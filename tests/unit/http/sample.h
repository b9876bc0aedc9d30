/* A hand-made server snapshot shared by the render tests and the
 * metrics_sample program. */
#ifndef BALLAST_TEST_HTTP_SAMPLE_H
#define BALLAST_TEST_HTTP_SAMPLE_H

#include "http/render.h"
#include "http/stats.h"

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

#endif
