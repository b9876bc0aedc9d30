/* The fake host (fake_host.h). */
#include "fake_host.h"

#include "ballast/mem.h"
#include "subj/subject.h"

#include <stdio.h>
#include <string.h>

struct fake_isub {
    size_t acc;
    char *filter;
    js_msg_cb cb;
    void *ctx;
    bool dead;
};

struct fake_timer {
    uint64_t due_ns; /* mono */
    uint64_t repeat_ns;
    js_timer_cb cb;
    void *ctx;
    bool dead;
};

struct fake_defer {
    js_timer_cb cb;
    void *ctx;
};

static uint64_t f_mono(void *ctx)
{
    return ((struct fake_host *)ctx)->mono_ns;
}

static uint64_t f_wall(void *ctx)
{
    return ((struct fake_host *)ctx)->wall_ns;
}

static struct js_isub *f_subscribe(void *host, size_t acc, const char *filter,
                                   const char *queue, js_msg_cb cb, void *ctx)
{
    struct fake_host *fh = host;
    if (!subject_valid_subscribe(bl_slice_of(filter)))
        return NULL;
    struct fake_isub *s = bl_xcalloc(1, sizeof(*s));
    s->acc = acc;
    s->filter = bl_xstrdup(filter);
    s->cb = cb;
    s->ctx = ctx;
    fh->subs = bl_xrealloc(fh->subs, (fh->n_subs + 1) * sizeof(*fh->subs));
    fh->subs[fh->n_subs++] = s;
    return (struct js_isub *)s;
}

static void f_unsubscribe(void *host, struct js_isub *sub)
{
    if (sub != NULL)
        ((struct fake_isub *)sub)->dead = true;
}

static void deliver_internal(struct fake_host *fh, size_t acc,
                             struct bl_slice subject, struct bl_slice reply,
                             size_t hdr_len, struct bl_slice data)
{
    struct js_inmsg m = {acc, subject, reply, hdr_len, data};
    /* Subscriptions added during delivery are not visited. */
    size_t n = fh->n_subs;
    for (size_t i = 0; i < n; i++) {
        struct fake_isub *s = fh->subs[i];
        if (!s->dead && s->acc == acc &&
            subject_matches(bl_slice_of(s->filter), subject))
            s->cb(s->ctx, &m);
    }
}

static void record(struct fake_host *fh, size_t acc, struct bl_slice subject,
                   struct bl_slice shown, struct bl_slice reply,
                   size_t hdr_len, struct bl_slice data)
{
    if (fh->n_pubs == fh->cap_pubs) {
        fh->cap_pubs = fh->cap_pubs ? fh->cap_pubs * 2 : 64;
        fh->pubs = bl_xrealloc(fh->pubs, fh->cap_pubs * sizeof(*fh->pubs));
    }
    struct fake_pub *p = &fh->pubs[fh->n_pubs++];
    p->subject = bl_xstrndup(subject.p, subject.len);
    p->shown = bl_xstrndup(shown.p, shown.len);
    p->reply = bl_xstrndup(reply.p ? reply.p : "", reply.len);
    p->hdr_len = hdr_len;
    p->data = bl_xstrndup(data.p ? data.p : "", data.len);
    p->data_len = data.len;
    deliver_internal(fh, acc, subject, reply, hdr_len, data);
}

static void f_publish(void *host, size_t acc, struct bl_slice subject,
                      struct bl_slice reply, size_t hdr_len,
                      struct bl_slice data)
{
    record(host, acc, subject, subject, reply, hdr_len, data);
}

static void f_deliver(void *host, size_t acc, struct bl_slice route,
                      struct bl_slice shown, struct bl_slice reply,
                      size_t hdr_len, struct bl_slice data)
{
    record(host, acc, route, shown, reply, hdr_len, data);
}

static bool f_has_interest(void *host, size_t acc, struct bl_slice subject)
{
    struct fake_host *fh = host;
    for (size_t i = 0; i < fh->n_interest; i++)
        if (subject_matches(bl_slice_of(fh->interest[i]), subject))
            return true;
    for (size_t i = 0; i < fh->n_subs; i++)
        if (!fh->subs[i]->dead && fh->subs[i]->acc == acc &&
            subject_matches(bl_slice_of(fh->subs[i]->filter), subject))
            return true;
    return false;
}

static struct js_timer *f_timer_start(void *host, uint64_t ms,
                                      uint64_t repeat_ms, js_timer_cb cb,
                                      void *ctx)
{
    struct fake_host *fh = host;
    struct fake_timer *t = bl_xcalloc(1, sizeof(*t));
    t->due_ns = fh->mono_ns + ms * 1000000ull;
    t->repeat_ns = repeat_ms * 1000000ull;
    t->cb = cb;
    t->ctx = ctx;
    fh->timers =
        bl_xrealloc(fh->timers, (fh->n_timers + 1) * sizeof(*fh->timers));
    fh->timers[fh->n_timers++] = t;
    return (struct js_timer *)t;
}

static void f_timer_stop(void *host, struct js_timer *t)
{
    if (t != NULL)
        ((struct fake_timer *)t)->dead = true;
}

static void f_defer(void *host, js_timer_cb cb, void *ctx)
{
    struct fake_host *fh = host;
    for (size_t i = 0; i < fh->n_defers; i++)
        if (fh->defers[i].cb == cb && fh->defers[i].ctx == ctx)
            return;
    fh->defers =
        bl_xrealloc(fh->defers, (fh->n_defers + 1) * sizeof(*fh->defers));
    fh->defers[fh->n_defers++] = (struct fake_defer){cb, ctx};
}

static void f_defer_cancel(void *host, js_timer_cb cb, void *ctx)
{
    struct fake_host *fh = host;
    size_t j = 0;
    for (size_t i = 0; i < fh->n_defers; i++)
        if (fh->defers[i].cb != cb || fh->defers[i].ctx != ctx)
            fh->defers[j++] = fh->defers[i];
    fh->n_defers = j;
}

/* The fsync work runs at once, then its completion, as net/ does when it
 * has no thread pool. */
static void f_run_blocking(void *host, js_work_cb work, js_timer_cb done,
                           void *ctx)
{
    (void)host;
    work(ctx);
    done(ctx);
}

static const struct js_host_ops fake_ops = {
    .subscribe = f_subscribe,
    .unsubscribe = f_unsubscribe,
    .publish = f_publish,
    .deliver = f_deliver,
    .has_interest = f_has_interest,
    .timer_start = f_timer_start,
    .timer_stop = f_timer_stop,
    .defer = f_defer,
    .defer_cancel = f_defer_cancel,
    .run_blocking = f_run_blocking,
};

struct fake_host *fake_host_new(void)
{
    struct fake_host *fh = bl_xcalloc(1, sizeof(*fh));
    fh->mono_ns = 1000000000ull;
    fh->wall_ns = 1700000000ull * 1000000000ull;
    fh->clock = (struct bl_clock){f_mono, f_wall, fh};
    fh->h = (struct js_host){&fake_ops, fh, &fh->clock};
    return fh;
}

void fake_host_clear(struct fake_host *fh)
{
    for (size_t i = 0; i < fh->n_pubs; i++) {
        bl_free(fh->pubs[i].subject);
        bl_free(fh->pubs[i].shown);
        bl_free(fh->pubs[i].reply);
        bl_free(fh->pubs[i].data);
    }
    fh->n_pubs = 0;
}

void fake_host_free(struct fake_host *fh)
{
    if (fh == NULL)
        return;
    fake_host_clear(fh);
    bl_free(fh->pubs);
    for (size_t i = 0; i < fh->n_subs; i++) {
        bl_free(fh->subs[i]->filter);
        bl_free(fh->subs[i]);
    }
    bl_free(fh->subs);
    for (size_t i = 0; i < fh->n_timers; i++)
        bl_free(fh->timers[i]);
    bl_free(fh->timers);
    bl_free(fh->defers);
    for (size_t i = 0; i < fh->n_interest; i++)
        bl_free(fh->interest[i]);
    bl_free(fh->interest);
    bl_free(fh);
}

void fake_host_run_deferred(struct fake_host *fh)
{
    while (fh->n_defers > 0) {
        struct fake_defer d = fh->defers[0];
        memmove(fh->defers, fh->defers + 1,
                (fh->n_defers - 1) * sizeof(*fh->defers));
        fh->n_defers--;
        d.cb(d.ctx);
    }
}

/* Frees stopped timers; only between firings, never inside a callback. */
static void reap_timers(struct fake_host *fh)
{
    size_t j = 0;
    for (size_t i = 0; i < fh->n_timers; i++) {
        if (fh->timers[i]->dead)
            bl_free(fh->timers[i]);
        else
            fh->timers[j++] = fh->timers[i];
    }
    fh->n_timers = j;
}

void fake_host_advance(struct fake_host *fh, uint64_t ms)
{
    uint64_t target = fh->mono_ns + ms * 1000000ull;
    for (;;) {
        reap_timers(fh);
        struct fake_timer *next = NULL;
        for (size_t i = 0; i < fh->n_timers; i++) {
            struct fake_timer *t = fh->timers[i];
            if (t->due_ns <= target &&
                (next == NULL || t->due_ns < next->due_ns))
                next = t;
        }
        if (next == NULL)
            break;
        if (next->due_ns > fh->mono_ns) {
            fh->wall_ns += next->due_ns - fh->mono_ns;
            fh->mono_ns = next->due_ns;
        }
        if (next->repeat_ns > 0)
            next->due_ns += next->repeat_ns;
        else
            next->due_ns = UINT64_MAX; /* fired; stays until stopped */
        next->cb(next->ctx);
        fake_host_run_deferred(fh);
    }
    fh->wall_ns += target - fh->mono_ns;
    fh->mono_ns = target;
    fake_host_run_deferred(fh);
}

size_t fake_host_live_timers(const struct fake_host *fh)
{
    size_t n = 0;
    for (size_t i = 0; i < fh->n_timers; i++)
        n += !fh->timers[i]->dead;
    return n;
}

size_t fake_host_live_subs(const struct fake_host *fh)
{
    size_t n = 0;
    for (size_t i = 0; i < fh->n_subs; i++)
        n += !fh->subs[i]->dead;
    return n;
}

void fake_host_interest_add(struct fake_host *fh, const char *filter)
{
    fh->interest =
        bl_xrealloc(fh->interest, (fh->n_interest + 1) * sizeof(*fh->interest));
    fh->interest[fh->n_interest++] = bl_xstrdup(filter);
}

void fake_host_interest_del(struct fake_host *fh, const char *filter)
{
    for (size_t i = 0; i < fh->n_interest; i++) {
        if (strcmp(fh->interest[i], filter) == 0) {
            bl_free(fh->interest[i]);
            fh->interest[i] = fh->interest[--fh->n_interest];
            return;
        }
    }
}

void fake_host_client_pub(struct fake_host *fh, const char *subject,
                          const char *reply, const char *body)
{
    deliver_internal(fh, 0, bl_slice_of(subject), bl_slice_of(reply), 0,
                     bl_slice_of(body));
}

size_t fake_host_count(const struct fake_host *fh, const char *subject)
{
    size_t n = 0;
    for (size_t i = 0; i < fh->n_pubs; i++)
        n += strcmp(fh->pubs[i].subject, subject) == 0;
    return n;
}

const struct fake_pub *fake_host_nth(const struct fake_host *fh,
                                     const char *subject, size_t i)
{
    for (size_t k = 0; k < fh->n_pubs; k++)
        if (strcmp(fh->pubs[k].subject, subject) == 0 && i-- == 0)
            return &fh->pubs[k];
    return NULL;
}

bool fake_pub_is_status(const struct fake_pub *p, const char *status)
{
    char line[128];
    size_t n = (size_t)snprintf(line, sizeof line, "NATS/1.0 %s", status);
    return p != NULL && p->hdr_len >= n && strncmp(p->data, line, n) == 0;
}

const char *fake_pub_payload(const struct fake_pub *p)
{
    return p->data + p->hdr_len;
}
