#include "http/stats.h"

#include "ballast/mem.h"

#include <stdlib.h>
#include <string.h>

static void conn_free_subs(struct stats_conn *c)
{
    if (c->subs == NULL)
        return;
    for (uint32_t i = 0; i < c->n_subs; i++)
        bl_free(c->subs[i]);
    bl_free(c->subs);
    c->subs = NULL;
}

void stats_connz_free(struct stats_connz *z)
{
    if (z == NULL)
        return;
    for (size_t i = 0; i < z->n_conns; i++)
        conn_free_subs(&z->conns[i]);
    bl_free(z->conns);
    z->conns = NULL;
    z->n_conns = 0;
}

struct sort_ctx {
    int sort;
    uint64_t now_wall_ns;
};

static int cmp_u64(uint64_t a, uint64_t b)
{
    return a < b ? -1 : a > b;
}

static uint64_t conn_uptime_ns(const struct stats_conn *c, uint64_t now)
{
    uint64_t end = c->stop_wall_ns != 0 ? c->stop_wall_ns : now;
    return end > c->start_wall_ns ? end - c->start_wall_ns : 0;
}

static uint64_t conn_idle_ns(const struct stats_conn *c, uint64_t now)
{
    uint64_t end = c->stop_wall_ns != 0 ? c->stop_wall_ns : now;
    return end > c->last_activity_wall_ns ? end - c->last_activity_wall_ns : 0;
}

/* Returns <0 when a sorts before b. Descending orders compare b to a; ties
 * fall back to cid so the order, and so the pages, are stable. */
static int conn_cmp(const void *pa, const void *pb, void *arg)
{
    const struct stats_conn *a = pa, *b = pb;
    const struct sort_ctx *ctx = arg;
    uint64_t now = ctx->now_wall_ns;
    int r = 0;
    switch (ctx->sort) {
    case STATS_SORT_MSGS_TO:
        r = cmp_u64(b->out_msgs, a->out_msgs);
        break;
    case STATS_SORT_MSGS_FROM:
        r = cmp_u64(b->in_msgs, a->in_msgs);
        break;
    case STATS_SORT_BYTES_TO:
        r = cmp_u64(b->out_bytes, a->out_bytes);
        break;
    case STATS_SORT_BYTES_FROM:
        r = cmp_u64(b->in_bytes, a->in_bytes);
        break;
    case STATS_SORT_SUBS:
        r = cmp_u64(b->n_subs, a->n_subs);
        break;
    case STATS_SORT_PENDING:
        r = cmp_u64(b->pending_bytes, a->pending_bytes);
        break;
    case STATS_SORT_START:
        r = cmp_u64(a->start_wall_ns, b->start_wall_ns);
        break;
    case STATS_SORT_LAST:
        r = cmp_u64(b->last_activity_wall_ns, a->last_activity_wall_ns);
        break;
    case STATS_SORT_IDLE:
        r = cmp_u64(conn_idle_ns(b, now), conn_idle_ns(a, now));
        break;
    case STATS_SORT_UPTIME:
        r = cmp_u64(conn_uptime_ns(b, now), conn_uptime_ns(a, now));
        break;
    case STATS_SORT_RTT:
        r = cmp_u64(b->rtt_ns, a->rtt_ns);
        break;
    case STATS_SORT_STOP:
        r = cmp_u64(b->stop_wall_ns, a->stop_wall_ns);
        break;
    case STATS_SORT_REASON:
        r = strcmp(a->reason, b->reason);
        break;
    default:
        break;
    }
    return r != 0 ? r : cmp_u64(a->cid, b->cid);
}

void stats_connz_sort_page(struct stats_connz *z,
                           const struct stats_connz_query *q)
{
    struct sort_ctx ctx = {q->sort, z->now_wall_ns};
    if (z->n_conns > 1)
        qsort_r(z->conns, z->n_conns, sizeof(z->conns[0]), conn_cmp, &ctx);

    size_t n = z->n_conns;
    size_t first = q->offset > 0 ? (size_t)q->offset : 0;
    size_t limit = q->limit > 0 ? (size_t)q->limit : 0;
    if (first > n)
        first = n;
    size_t end = n - first > limit ? first + limit : n;

    for (size_t i = 0; i < first; i++)
        conn_free_subs(&z->conns[i]);
    for (size_t i = end; i < n; i++)
        conn_free_subs(&z->conns[i]);
    if (first > 0)
        memmove(z->conns, z->conns + first,
                (end - first) * sizeof(z->conns[0]));
    z->n_conns = end - first;
    z->total = n;
    z->offset = q->offset > 0 ? q->offset : 0;
    z->limit = q->limit;
    z->closed = q->closed;
}

void stats_jsz_free(struct stats_jsz *z)
{
    if (z == NULL)
        return;
    for (size_t i = 0; i < z->n_streams; i++) {
        bl_free(z->stream_detail[i].account);
        bl_free(z->stream_detail[i].name);
        bl_free(z->stream_detail[i].config_json);
    }
    bl_free(z->stream_detail);
    z->stream_detail = NULL;
    z->n_streams = 0;
}
