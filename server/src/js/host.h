/* What the JetStream engine needs from the server around it: internal
 * subscriptions, publishing as the server, timers and the clock.
 *
 * net/ implements it on the event loop; unit tests use a fake that records
 * published messages and steps a fake clock. Every call happens on the loop
 * thread, and callbacks run there too. js/ never sees a connection. */
#ifndef BALLAST_JS_HOST_H
#define BALLAST_JS_HOST_H

#include "ballast/buf.h"
#include "ballast/clock.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A message delivered to an internal subscription. The slices borrow the
 * publisher's buffer until the callback returns. `data` holds headers then
 * payload; hdr_len is 0 when there are no headers. */
struct js_inmsg {
    size_t acc; /* account index the message was published in */
    struct bl_slice subject;
    struct bl_slice reply;
    size_t hdr_len;
    struct bl_slice data;
};

typedef void (*js_msg_cb)(void *ctx, const struct js_inmsg *m);
typedef void (*js_timer_cb)(void *ctx);
/* Runs on a worker thread: must touch nothing the loop thread uses. */
typedef void (*js_work_cb)(void *ctx);

struct js_isub;  /* an internal subscription, owned by the host */
struct js_timer; /* a timer, owned by the host */

struct js_host_ops {
    /* Subscribes in account `acc` to `filter` (wildcards allowed; queue may
     * be NULL). cb runs for every matching message. Returns NULL if the
     * filter is invalid. */
    struct js_isub *(*subscribe)(void *host, size_t acc, const char *filter,
                                 const char *queue, js_msg_cb cb, void *ctx);
    /* Removes the subscription; cb is not called after this returns. Safe
     * on NULL, and from inside its own callback. */
    void (*unsubscribe)(void *host, struct js_isub *sub);
    /* Publishes as the server into account `acc`. The message is copied and
     * routed at the end of the loop iteration, never from inside this call,
     * so no subscriber's callback runs inside the publisher's code. */
    void (*publish)(void *host, size_t acc, struct bl_slice subject,
                    struct bl_slice reply, size_t hdr_len,
                    struct bl_slice data);
    /* Like publish, but routed by `route` (a push consumer's deliver
     * subject, a pull request's inbox) while subscribers see `subject`
     * (the stream message's own subject), as JetStream deliveries are. */
    void (*deliver)(void *host, size_t acc, struct bl_slice route,
                    struct bl_slice subject, struct bl_slice reply,
                    size_t hdr_len, struct bl_slice data);
    /* True if some subscription in `acc` matches the literal subject. */
    bool (*has_interest)(void *host, size_t acc, struct bl_slice subject);
    /* Calls cb(ctx) after `ms`, then every `repeat_ms` if that is nonzero.
     * Returns a handle for timer_stop(). */
    struct js_timer *(*timer_start)(void *host, uint64_t ms,
                                    uint64_t repeat_ms, js_timer_cb cb,
                                    void *ctx);
    /* Cancels and frees the timer. Safe on NULL and from its callback. */
    void (*timer_stop)(void *host, struct js_timer *t);
    /* Calls cb(ctx) once at the end of the current loop iteration, after
     * every message read in it has been handled: the group-commit point.
     * Deferring the same (cb, ctx) twice before it runs calls it once. */
    void (*defer)(void *host, js_timer_cb cb, void *ctx);
    /* Forgets a deferred (cb, ctx) that has not run yet: call it before
     * freeing ctx. */
    void (*defer_cancel)(void *host, js_timer_cb cb, void *ctx);
    /* Runs work(ctx) on a worker thread (fsync), then done(ctx) on the loop
     * thread. Cannot be cancelled: ctx must live until done runs. */
    void (*run_blocking)(void *host, js_work_cb work, js_timer_cb done,
                         void *ctx);
};

struct js_host {
    const struct js_host_ops *ops;
    void *host;
    const struct bl_clock *clock;
};

static inline struct js_isub *js_host_subscribe(const struct js_host *h,
                                                size_t acc,
                                                const char *filter,
                                                const char *queue,
                                                js_msg_cb cb, void *ctx)
{
    return h->ops->subscribe(h->host, acc, filter, queue, cb, ctx);
}

static inline void js_host_unsubscribe(const struct js_host *h,
                                       struct js_isub *sub)
{
    h->ops->unsubscribe(h->host, sub);
}

static inline void js_host_publish(const struct js_host *h, size_t acc,
                                   struct bl_slice subject,
                                   struct bl_slice reply, size_t hdr_len,
                                   struct bl_slice data)
{
    h->ops->publish(h->host, acc, subject, reply, hdr_len, data);
}

static inline void js_host_deliver(const struct js_host *h, size_t acc,
                                   struct bl_slice route,
                                   struct bl_slice subject,
                                   struct bl_slice reply, size_t hdr_len,
                                   struct bl_slice data)
{
    h->ops->deliver(h->host, acc, route, subject, reply, hdr_len, data);
}

static inline bool js_host_has_interest(const struct js_host *h, size_t acc,
                                        struct bl_slice subject)
{
    return h->ops->has_interest(h->host, acc, subject);
}

static inline struct js_timer *js_host_timer_start(const struct js_host *h,
                                                   uint64_t ms,
                                                   uint64_t repeat_ms,
                                                   js_timer_cb cb, void *ctx)
{
    return h->ops->timer_start(h->host, ms, repeat_ms, cb, ctx);
}

static inline void js_host_timer_stop(const struct js_host *h,
                                      struct js_timer *t)
{
    h->ops->timer_stop(h->host, t);
}

static inline void js_host_defer(const struct js_host *h, js_timer_cb cb,
                                 void *ctx)
{
    h->ops->defer(h->host, cb, ctx);
}

static inline void js_host_defer_cancel(const struct js_host *h,
                                        js_timer_cb cb, void *ctx)
{
    h->ops->defer_cancel(h->host, cb, ctx);
}

static inline void js_host_run_blocking(const struct js_host *h,
                                        js_work_cb work, js_timer_cb done,
                                        void *ctx)
{
    h->ops->run_blocking(h->host, work, done, ctx);
}

#endif
