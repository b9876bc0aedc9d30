/* The server as the JetStream engine sees it (js/host.h): internal
 * subscriptions in the accounts' indexes, publishing as the server, libuv
 * timers, and callbacks deferred to the end of the loop iteration. */
#include "net/internal.h"

#include "ballast/mem.h"

#include <string.h>

struct js_timer {
    uv_timer_t t;
    js_timer_cb cb;
    void *ctx;
};

static struct js_isub *h_subscribe(void *host, size_t acc, const char *filter,
                                   const char *queue, js_msg_cb cb, void *ctx)
{
    struct server *s = host;
    if (acc >= s->n_accounts)
        return NULL;
    struct sub *sub = bl_xcalloc(1, sizeof(*sub));
    sub->acc = acc;
    sub->cb = cb;
    sub->cb_ctx = ctx;
    sub->subject = bl_xstrdup(filter);
    sub->subject_len = strlen(filter);
    if (queue != NULL && queue[0] != '\0') {
        sub->queue = bl_xstrdup(queue);
        sub->queue_len = strlen(queue);
    }
    int rv = sublist_insert(s->sublists[acc],
                            (struct bl_slice){sub->subject, sub->subject_len},
                            (struct bl_slice){sub->queue, sub->queue_len},
                            sub);
    if (rv != 0) {
        bl_free(sub->subject);
        bl_free(sub->queue);
        bl_free(sub);
        return NULL;
    }
    return (struct js_isub *)sub;
}

static void h_unsubscribe(void *host, struct js_isub *isub)
{
    if (isub == NULL)
        return;
    /* Freed through the graveyard: a delivery loop may still hold it. */
    route_remove_sub(host, (struct sub *)isub);
}

static void enqueue(struct server *s, size_t acc, struct bl_slice route,
                    struct bl_slice shown, struct bl_slice reply,
                    size_t hdr_len, struct bl_slice data)
{
    if (acc >= s->n_accounts)
        return;
    struct queued_msg *q = bl_xmalloc(sizeof(*q) + route.len + shown.len +
                                      reply.len + data.len);
    q->next = NULL;
    q->acc = acc;
    q->route_len = route.len;
    q->shown_len = shown.len;
    q->reply_len = reply.len;
    q->hdr_len = hdr_len;
    q->data_len = data.len;
    char *p = q->bytes;
    memcpy(p, route.p, route.len);
    p += route.len;
    if (shown.len)
        memcpy(p, shown.p, shown.len);
    p += shown.len;
    if (reply.len)
        memcpy(p, reply.p, reply.len);
    p += reply.len;
    if (data.len)
        memcpy(p, data.p, data.len);
    if (s->sendq_tail)
        s->sendq_tail->next = q;
    else
        s->sendq = q;
    s->sendq_tail = q;
    server_wake(s);
}

static void h_publish(void *host, size_t acc, struct bl_slice subject,
                      struct bl_slice reply, size_t hdr_len,
                      struct bl_slice data)
{
    enqueue(host, acc, subject, subject, reply, hdr_len, data);
}

static void h_deliver(void *host, size_t acc, struct bl_slice route,
                      struct bl_slice subject, struct bl_slice reply,
                      size_t hdr_len, struct bl_slice data)
{
    enqueue(host, acc, route, subject, reply, hdr_len, data);
}

/* Routes what is queued now (not what routing queues meanwhile). */
static size_t drain_sendq(struct server *s)
{
    struct queued_msg *q = s->sendq;
    s->sendq = s->sendq_tail = NULL;
    size_t n = 0;
    while (q != NULL) {
        struct queued_msg *next = q->next;
        const char *p = q->bytes;
        struct bl_slice route = {p, q->route_len};
        struct bl_slice shown = {p + q->route_len, q->shown_len};
        p += q->route_len + q->shown_len;
        struct bl_slice reply = {p, q->reply_len};
        struct bl_slice data = {p + q->reply_len, q->data_len};
        route_publish_as(s, NULL, q->acc, route, shown, reply, q->hdr_len,
                         data);
        bl_free(q);
        q = next;
        n++;
    }
    server_collect(s);
    return n;
}

static bool h_has_interest(void *host, size_t acc, struct bl_slice subject)
{
    struct server *s = host;
    if (acc >= s->n_accounts)
        return false;
    struct sublist_result *r = sublist_match(s->sublists[acc], subject);
    bool any = r->n_psubs > 0 || r->n_qgroups > 0;
    sublist_result_release(r);
    return any;
}

static void on_js_timer(uv_timer_t *t)
{
    struct js_timer *jt = container_of(t, struct js_timer, t);
    jt->cb(jt->ctx);
}

static void on_js_timer_closed(uv_handle_t *h)
{
    bl_free(container_of((uv_timer_t *)h, struct js_timer, t));
}

static struct js_timer *h_timer_start(void *host, uint64_t ms,
                                      uint64_t repeat_ms, js_timer_cb cb,
                                      void *ctx)
{
    struct server *s = host;
    struct js_timer *jt = bl_xcalloc(1, sizeof(*jt));
    jt->cb = cb;
    jt->ctx = ctx;
    uv_timer_init(s->loop, &jt->t);
    uv_timer_start(&jt->t, on_js_timer, ms, repeat_ms);
    return jt;
}

static void h_timer_stop(void *host, struct js_timer *jt)
{
    if (jt == NULL)
        return;
    uv_timer_stop(&jt->t);
    uv_close((uv_handle_t *)&jt->t, on_js_timer_closed);
}

static void h_defer(void *host, js_timer_cb cb, void *ctx)
{
    struct server *s = host;
    /* The newest entries are the likeliest repeats. */
    for (size_t i = s->n_deferred; i-- > 0;)
        if (s->deferred[i].cb == cb && s->deferred[i].ctx == ctx)
            return;
    if (s->n_deferred == s->cap_deferred) {
        s->cap_deferred = s->cap_deferred ? 2 * s->cap_deferred : 16;
        s->deferred = bl_xrealloc(s->deferred,
                                  s->cap_deferred * sizeof(*s->deferred));
    }
    s->deferred[s->n_deferred++] = (struct deferred){cb, ctx};
    server_wake(s);
}

static void h_defer_cancel(void *host, js_timer_cb cb, void *ctx)
{
    struct server *s = host;
    for (size_t i = 0; i < s->n_deferred; i++)
        if (s->deferred[i].cb == cb && s->deferred[i].ctx == ctx)
            s->deferred[i].cb = NULL;
    for (size_t i = s->run_pos; i < s->n_running; i++)
        if (s->running[i].cb == cb && s->running[i].ctx == ctx)
            s->running[i].cb = NULL;
}

/* Runs the callbacks deferred so far; ones deferred meanwhile wait for the
 * next round. */
static size_t run_deferred(struct server *s)
{
    if (s->n_deferred == 0)
        return 0;
    struct deferred *batch = s->deferred;
    size_t n = s->n_deferred;
    s->deferred = NULL;
    s->n_deferred = s->cap_deferred = 0;
    s->running = batch;
    s->n_running = n;
    for (s->run_pos = 0; s->run_pos < s->n_running;) {
        struct deferred d = s->running[s->run_pos++];
        if (d.cb != NULL)
            d.cb(d.ctx);
    }
    s->running = NULL;
    s->n_running = s->run_pos = 0;
    bl_free(batch);
    return n;
}

bool jshost_run(struct server *s, int max_rounds)
{
    for (int i = 0; i < max_rounds; i++) {
        size_t n = run_deferred(s);
        n += drain_sendq(s);
        if (n == 0)
            return false;
    }
    return s->n_deferred > 0 || s->sendq != NULL;
}

void jshost_clear(struct server *s)
{
    while (s->sendq != NULL) {
        struct queued_msg *q = s->sendq;
        s->sendq = q->next;
        bl_free(q);
    }
    s->sendq_tail = NULL;
    s->n_deferred = 0;
}

struct blocking_work {
    uv_work_t req;
    js_work_cb work;
    js_timer_cb done;
    void *ctx;
};

static void on_blocking_work(uv_work_t *req)
{
    struct blocking_work *w = container_of(req, struct blocking_work, req);
    w->work(w->ctx);
}

static void on_blocking_done(uv_work_t *req, int status)
{
    struct blocking_work *w = container_of(req, struct blocking_work, req);
    (void)status; /* never cancelled */
    js_timer_cb done = w->done;
    void *ctx = w->ctx;
    bl_free(w);
    done(ctx);
}

static void h_run_blocking(void *host, js_work_cb work, js_timer_cb done,
                           void *ctx)
{
    struct server *s = host;
    struct blocking_work *w = bl_xcalloc(1, sizeof(*w));
    w->work = work;
    w->done = done;
    w->ctx = ctx;
    if (uv_queue_work(s->loop, &w->req, on_blocking_work, on_blocking_done) !=
        0) {
        /* No thread pool: do it here rather than not at all. */
        bl_free(w);
        work(ctx);
        done(ctx);
    }
}

static const struct js_host_ops host_ops = {
    .subscribe = h_subscribe,
    .unsubscribe = h_unsubscribe,
    .publish = h_publish,
    .deliver = h_deliver,
    .has_interest = h_has_interest,
    .timer_start = h_timer_start,
    .timer_stop = h_timer_stop,
    .defer = h_defer,
    .defer_cancel = h_defer_cancel,
    .run_blocking = h_run_blocking,
};

void jshost_init(struct server *s)
{
    s->js_host.ops = &host_ops;
    s->js_host.host = s;
    s->js_host.clock = &bl_clock_real;
}
