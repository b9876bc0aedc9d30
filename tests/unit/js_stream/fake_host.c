#include "fake_host.h"

#include "ballast/mem.h"

#include <string.h>

struct fake_timer {
    uint64_t due_ns;
    uint64_t repeat_ms;
    js_timer_cb cb;
    void *ctx;
    bool stopped;
};

static uint64_t fake_now(void *ctx)
{
    return ((struct fake_host *)ctx)->now_ns;
}

static struct js_isub *fake_subscribe(void *host, size_t acc,
                                      const char *filter, const char *queue,
                                      js_msg_cb cb, void *ctx)
{
    (void)host, (void)acc, (void)filter, (void)queue, (void)cb, (void)ctx;
    static char token;
    return (struct js_isub *)&token;
}

static void fake_unsubscribe(void *host, struct js_isub *sub)
{
    (void)host, (void)sub;
}

static void fake_publish(void *host, size_t acc, struct bl_slice subject,
                         struct bl_slice reply, size_t hdr_len,
                         struct bl_slice data)
{
    struct fake_host *fh = host;
    (void)reply, (void)hdr_len;
    if (fh->n_pubs == fh->cap_pubs) {
        fh->cap_pubs = fh->cap_pubs ? fh->cap_pubs * 2 : 16;
        fh->pubs = bl_xrealloc(fh->pubs, fh->cap_pubs * sizeof(*fh->pubs));
    }
    struct fake_pub *p = &fh->pubs[fh->n_pubs++];
    p->acc = acc;
    p->subject = bl_xstrndup(subject.p, subject.len);
    p->data = bl_xstrndup(data.p, data.len);
    p->len = data.len;
}

static bool fake_has_interest(void *host, size_t acc, struct bl_slice subject)
{
    (void)host, (void)acc, (void)subject;
    return false;
}

static struct js_timer *fake_timer_start(void *host, uint64_t ms,
                                         uint64_t repeat_ms, js_timer_cb cb,
                                         void *ctx)
{
    struct fake_host *fh = host;
    struct fake_timer *t = bl_xcalloc(1, sizeof(*t));
    t->due_ns = fh->now_ns + ms * 1000000u;
    t->repeat_ms = repeat_ms;
    t->cb = cb;
    t->ctx = ctx;
    if (fh->n_timers == fh->cap_timers) {
        fh->cap_timers = fh->cap_timers ? fh->cap_timers * 2 : 8;
        fh->timers =
            bl_xrealloc(fh->timers, fh->cap_timers * sizeof(*fh->timers));
    }
    fh->timers[fh->n_timers++] = t;
    return (struct js_timer *)t;
}

static void fake_timer_stop(void *host, struct js_timer *jt)
{
    (void)host;
    if (jt != NULL)
        ((struct fake_timer *)jt)->stopped = true;
}

static void fake_defer(void *host, js_timer_cb cb, void *ctx)
{
    struct fake_host *fh = host;
    fh->n_defer_calls++;
    for (size_t i = 0; i < fh->n_deferred; i++)
        if (fh->deferred[i].cb == cb && fh->deferred[i].ctx == ctx)
            return;
    if (fh->n_deferred == fh->cap_deferred) {
        fh->cap_deferred = fh->cap_deferred ? fh->cap_deferred * 2 : 8;
        fh->deferred =
            bl_xrealloc(fh->deferred, fh->cap_deferred * sizeof(*fh->deferred));
    }
    fh->deferred[fh->n_deferred++] = (struct fake_deferred){cb, ctx};
}

static void fake_defer_cancel(void *host, js_timer_cb cb, void *ctx)
{
    struct fake_host *fh = host;
    size_t j = 0;
    for (size_t i = 0; i < fh->n_deferred; i++)
        if (fh->deferred[i].cb != cb || fh->deferred[i].ctx != ctx)
            fh->deferred[j++] = fh->deferred[i];
    fh->n_deferred = j;
}

static void fake_deliver(void *host, size_t acc, struct bl_slice route,
                         struct bl_slice shown, struct bl_slice reply,
                         size_t hdr_len, struct bl_slice data)
{
    (void)shown;
    fake_publish(host, acc, route, reply, hdr_len, data);
}

static void fake_run_blocking(void *host, js_work_cb work, js_timer_cb done,
                              void *ctx)
{
    struct fake_host *fh = host;
    fh->n_blocking_calls++;
    if (fh->n_blocking == fh->cap_blocking) {
        fh->cap_blocking = fh->cap_blocking ? fh->cap_blocking * 2 : 8;
        fh->blocking =
            bl_xrealloc(fh->blocking, fh->cap_blocking * sizeof(*fh->blocking));
    }
    fh->blocking[fh->n_blocking++] =
        (struct fake_blocking){work, done, ctx, false};
}

static const struct js_host_ops fake_ops = {
    .subscribe = fake_subscribe,
    .unsubscribe = fake_unsubscribe,
    .publish = fake_publish,
    .deliver = fake_deliver,
    .has_interest = fake_has_interest,
    .timer_start = fake_timer_start,
    .timer_stop = fake_timer_stop,
    .defer = fake_defer,
    .defer_cancel = fake_defer_cancel,
    .run_blocking = fake_run_blocking,
};

void fake_host_init(struct fake_host *fh, uint64_t now_ns)
{
    memset(fh, 0, sizeof(*fh));
    fh->now_ns = now_ns;
    fh->clock.mono_ns = fake_now;
    fh->clock.wall_ns = fake_now;
    fh->clock.ctx = fh;
    fh->host.ops = &fake_ops;
    fh->host.host = fh;
    fh->host.clock = &fh->clock;
}

void fake_host_clear_pubs(struct fake_host *fh)
{
    for (size_t i = 0; i < fh->n_pubs; i++) {
        bl_free(fh->pubs[i].subject);
        bl_free(fh->pubs[i].data);
    }
    fh->n_pubs = 0;
}

size_t fake_host_run_work(struct fake_host *fh)
{
    size_t n = 0;
    for (size_t i = 0; i < fh->n_blocking; i++) {
        if (!fh->blocking[i].worked) {
            fh->blocking[i].worked = true;
            fh->blocking[i].work(fh->blocking[i].ctx);
            n++;
        }
    }
    return n;
}

size_t fake_host_run_done(struct fake_host *fh)
{
    size_t n = 0;
    size_t todo = fh->n_blocking; /* done may queue more: not those */
    while (todo > 0 && fh->n_blocking > 0 && fh->blocking[0].worked) {
        struct fake_blocking b = fh->blocking[0];
        memmove(&fh->blocking[0], &fh->blocking[1],
                (fh->n_blocking - 1) * sizeof(*fh->blocking));
        fh->n_blocking--;
        todo--;
        b.done(b.ctx);
        n++;
    }
    return n;
}

static void complete_blocking(struct fake_host *fh)
{
    while (fh->n_blocking > 0) {
        fake_host_run_work(fh);
        fake_host_run_done(fh);
    }
}

void fake_host_close(struct fake_host *fh)
{
    complete_blocking(fh);
    bl_free(fh->blocking);
    fake_host_clear_pubs(fh);
    bl_free(fh->pubs);
    bl_free(fh->deferred);
    for (size_t i = 0; i < fh->n_timers; i++)
        bl_free(fh->timers[i]);
    bl_free(fh->timers);
    memset(fh, 0, sizeof(*fh));
}

size_t fake_host_run_deferred(struct fake_host *fh)
{
    size_t n = 0;
    while (fh->n_deferred > 0) {
        struct fake_deferred d = fh->deferred[0];
        memmove(&fh->deferred[0], &fh->deferred[1],
                (fh->n_deferred - 1) * sizeof(*fh->deferred));
        fh->n_deferred--;
        d.cb(d.ctx);
        n++;
        if (fh->n_deferred == 0 && !fh->manual_blocking)
            complete_blocking(fh);
    }
    if (!fh->manual_blocking)
        complete_blocking(fh);
    return n;
}

/* The stopped timers are kept (and freed at close) so a handle stopped
 * from its own callback stays valid. */
void fake_host_advance(struct fake_host *fh, uint64_t ms)
{
    uint64_t end = fh->now_ns + ms * 1000000u;
    for (;;) {
        struct fake_timer *next = NULL;
        for (size_t i = 0; i < fh->n_timers; i++) {
            struct fake_timer *t = fh->timers[i];
            if (!t->stopped && t->due_ns <= end &&
                (next == NULL || t->due_ns < next->due_ns))
                next = t;
        }
        if (next == NULL)
            break;
        if (next->due_ns > fh->now_ns)
            fh->now_ns = next->due_ns;
        if (next->repeat_ms > 0)
            next->due_ns += next->repeat_ms * 1000000u;
        else
            next->stopped = true;
        next->cb(next->ctx);
    }
    fh->now_ns = end;
}

size_t fake_host_n_timers(const struct fake_host *fh)
{
    size_t n = 0;
    for (size_t i = 0; i < fh->n_timers; i++)
        n += !fh->timers[i]->stopped;
    return n;
}
