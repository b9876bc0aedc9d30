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

static void h_publish(void *host, size_t acc, struct bl_slice subject,
                      struct bl_slice reply, size_t hdr_len,
                      struct bl_slice data)
{
    struct server *s = host;
    if (acc >= s->n_accounts)
        return;
    route_publish(s, NULL, acc, subject, reply, hdr_len, data);
}

static void h_deliver(void *host, size_t acc, struct bl_slice route,
                      struct bl_slice subject, struct bl_slice reply,
                      size_t hdr_len, struct bl_slice data)
{
    struct server *s = host;
    if (acc >= s->n_accounts)
        return;
    route_publish_as(s, NULL, acc, route, subject, reply, hdr_len, data);
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
    for (size_t i = 0; i < s->n_deferred; i++)
        if (s->deferred[i].cb == cb && s->deferred[i].ctx == ctx)
            return;
    if (s->n_deferred == s->cap_deferred) {
        s->cap_deferred = s->cap_deferred ? 2 * s->cap_deferred : 16;
        s->deferred = bl_xrealloc(s->deferred,
                                  s->cap_deferred * sizeof(*s->deferred));
    }
    s->deferred[s->n_deferred++] = (struct deferred){cb, ctx};
}

size_t jshost_run_deferred(struct server *s)
{
    size_t ran = 0;
    /* A callback may defer more work (an ack that triggers a delivery that
     * updates consumer state): run until the queue stays empty. */
    while (s->n_deferred > 0) {
        size_t n = s->n_deferred;
        struct deferred batch[64];
        if (n > 64)
            n = 64;
        memcpy(batch, s->deferred, n * sizeof(*batch));
        memmove(s->deferred, s->deferred + n,
                (s->n_deferred - n) * sizeof(*s->deferred));
        s->n_deferred -= n;
        for (size_t i = 0; i < n; i++)
            batch[i].cb(batch[i].ctx);
        ran += n;
    }
    return ran;
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
};

void jshost_init(struct server *s)
{
    s->js_host.ops = &host_ops;
    s->js_host.host = s;
    s->js_host.clock = &bl_clock_real;
}
