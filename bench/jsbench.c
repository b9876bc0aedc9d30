/* JetStream scenarios of ballast-bench (see jsbench.h).
 *
 * Like the core scenarios, every payload carries its sequence number (0, 1,
 * 2, ...) in its first 8 bytes and every run checks what the server says
 * about it: each publish ack must name stream sequence payload + 1 (the
 * stream is fresh), the consumer must deliver 0, 1, 2, ... in order, and
 * after the last ack the consumer's own state must show every message
 * acknowledged and none redelivered. Anything else fails the run with the
 * libnats call and the error text, instead of being counted.
 *
 * Every wait is bounded: a publish ack, a fetch or a stall of the async
 * window that makes no progress for the idle timeout fails the run. */
#include "common.h"
#include "jsbench.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>

#include "ballast/err.h"
#include "ballast/mem.h"

#define SEQ_BYTES 8
#define CONSUMER_NAME "bench"
/* How long one wait for stalled async acks lasts before we look at
 * progress again (the idle timeout decides when to give up). */
#define STALL_WAIT_MS 1000

static const char *const kind_names[] = {"js-pub-sync", "js-pub-async",
                                         "js-consume"};

struct jsbench {
    const struct jsbench_opts *o;
    char stream[64];
    char subject[80];
    natsOptions *nopts;
    natsConnection *nc;
    jsCtx *js;
    char *payload;

    /* Async publishing: written by libnats's ack delivery thread. */
    uint64_t expect_acks; /* acks that complete the current phase */
    _Atomic uint64_t acked;
    _Atomic uint64_t ack_errors;
    _Atomic uint64_t acks_done_ns; /* when the last expected ack arrived */

    /* Results of the measured phase. */
    uint64_t published;
    uint64_t delivered;
    uint64_t start_ns;
    uint64_t end_ns;
    double p50_us, p99_us, max_us; /* js-pub-sync only */

    _Atomic bool stopping;
    struct bench_failure fail; /* the first failure */
};

static void fail(struct jsbench *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records the first failure only: later ones are usually its
 * consequences. */
static void fail(struct jsbench *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bench_failure_vset(&b->fail, fmt, ap);
    va_end(ap);
}

static bool has_failed(struct jsbench *b)
{
    return bench_failure_set(&b->fail);
}

/* "CALL: status text (detail) [JetStream error N]" for a failed libnats
 * call; the detail is libnats's last error of this thread, which often
 * carries the server's description. */
static void fail_call(struct jsbench *b, natsStatus s, jsErrCode jerr,
                      const char *call)
{
    const char *detail = nats_GetLastError(NULL);
    const char *text = natsStatus_GetText(s);
    bool show_detail =
        detail != NULL && detail[0] != '\0' && strcmp(detail, text) != 0;
    char code[48] = "";
    if (jerr != 0)
        snprintf(code, sizeof(code), " [JetStream error %d]", (int)jerr);
    fail(b, "%s: %s%s%s%s%s", call, text, show_detail ? " (" : "",
         show_detail ? detail : "", show_detail ? ")" : "", code);
}

static void on_error(natsConnection *nc, natsSubscription *sub, natsStatus err,
                     void *closure)
{
    fail(closure, "async error: %s", natsStatus_GetText(err));
}

static void on_closed(natsConnection *nc, void *closure)
{
    struct jsbench *b = closure;
    if (!atomic_load(&b->stopping))
        fail(b, "connection closed by server or network");
}

static uint64_t payload_seq(natsMsg *msg)
{
    uint64_t seq = UINT64_MAX;
    if (msg != NULL && natsMsg_GetDataLength(msg) >= SEQ_BYTES)
        memcpy(&seq, natsMsg_GetData(msg), SEQ_BYTES);
    return seq;
}

/* Called by libnats for every asynchronous publish, acked or failed. */
static void on_pub_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae,
                       void *closure)
{
    struct jsbench *b = closure;
    uint64_t seq = payload_seq(msg);
    bool ok = false;

    if (pae != NULL)
        fail(b,
             "js_PublishAsync: ack for message %" PRIu64
             " failed: %s (%s) [JetStream error %d]",
             seq, natsStatus_GetText(pae->Err),
             pae->ErrText != NULL ? pae->ErrText : "no text",
             (int)pae->ErrCode);
    else if (pa == NULL)
        fail(b, "js_PublishAsync: message %" PRIu64 ": no ack and no error",
             seq);
    else if (pa->Sequence != seq + 1 || pa->Duplicate)
        fail(b,
             "js_PublishAsync: message %" PRIu64
             " acked as stream sequence %" PRIu64 "%s, expected %" PRIu64,
             seq, pa->Sequence, pa->Duplicate ? " (duplicate)" : "", seq + 1);
    else
        ok = true;
    if (ok) {
        if (atomic_fetch_add(&b->acked, 1) + 1 == b->expect_acks)
            atomic_store(&b->acks_done_ns, now_ns());
    } else {
        atomic_fetch_add(&b->ack_errors, 1);
    }
    natsMsg_Destroy(msg);
}

static int make_connection(struct jsbench *b, char *errmsg)
{
    natsOptions *o = NULL;
    natsStatus s = natsOptions_Create(&o);
    const char *what = "nats options";
    if (s == NATS_OK)
        s = natsOptions_SetURL(o, b->o->url);
    if (s == NATS_OK)
        s = natsOptions_SetAllowReconnect(o, false);
    if (s == NATS_OK)
        s = natsOptions_SetTimeout(o, 5000);
    if (s == NATS_OK)
        s = natsOptions_SetWriteDeadline(o,
                                         (int64_t)b->o->idle_timeout_s * 1000);
    if (s == NATS_OK && b->o->io_buf_size > 0)
        s = natsOptions_SetIOBufSize(o, b->o->io_buf_size);
    if (s == NATS_OK)
        s = natsOptions_SetErrorHandler(o, on_error, b);
    if (s == NATS_OK)
        s = natsOptions_SetClosedCB(o, on_closed, b);
    if (s == NATS_OK) {
        what = "connect";
        b->nopts = o;
        s = natsConnection_Connect(&b->nc, o);
    }
    if (s == NATS_OK) {
        jsOptions jo;
        what = "natsConnection_JetStream";
        jsOptions_Init(&jo);
        jo.Wait = (int64_t)b->o->idle_timeout_s * 1000;
        jo.PublishAsync.MaxPending = b->o->window;
        jo.PublishAsync.AckHandler = on_pub_ack;
        jo.PublishAsync.AckHandlerClosure = b;
        jo.PublishAsync.StallWait = STALL_WAIT_MS;
        s = natsConnection_JetStream(&b->js, b->nc, &jo);
    }
    if (s != NATS_OK) {
        bl_errmsg_set(errmsg, "%s %s: %s", what, b->o->url,
                      natsStatus_GetText(s));
        if (b->nopts == NULL)
            natsOptions_Destroy(o);
        return BL_EIO;
    }
    return 0;
}

static int create_stream(struct jsbench *b)
{
    jsStreamConfig cfg;
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    const char *subjects[] = {b->subject};

    jsStreamConfig_Init(&cfg);
    cfg.Name = b->stream;
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    natsStatus s = js_AddStream(&si, b->js, &cfg, NULL, &jerr);
    jsStreamInfo_Destroy(si);
    if (s != NATS_OK) {
        fail_call(b, s, jerr, "js_AddStream");
        return BL_EPROTO;
    }
    return 0;
}

static void delete_stream(struct jsbench *b)
{
    jsErrCode jerr = 0;
    natsStatus s = js_DeleteStream(b->js, b->stream, NULL, &jerr);
    if (s != NATS_OK)
        fail_call(b, s, jerr, "js_DeleteStream");
}

/* Publishes n messages with js_PublishAsync, keeping at most `window` acks
 * outstanding (libnats blocks us beyond that), and waits for every ack.
 * Returns when done or failed; b->acks_done_ns is the last ack's arrival. */
static void publish_async(struct jsbench *b, uint64_t n)
{
    uint64_t idle_ns = (uint64_t)b->o->idle_timeout_s * 1000000000u;
    uint64_t last_progress = 0;
    uint64_t last_moved = now_ns();

    b->expect_acks = n;
    atomic_store(&b->acked, 0);
    atomic_store(&b->ack_errors, 0);
    atomic_store(&b->acks_done_ns, 0);
    b->published = 0;
    for (uint64_t seq = 0; seq < n && !has_failed(b); seq++) {
        memcpy(b->payload, &seq, SEQ_BYTES);
        for (;;) {
            natsStatus s = js_PublishAsync(b->js, b->subject, b->payload,
                                           (int)b->o->size, NULL);
            if (s == NATS_OK)
                break;
            if (s != NATS_TIMEOUT) {
                fail_call(b, s, 0, "js_PublishAsync");
                break;
            }
            /* The window stayed full for STALL_WAIT_MS; the message was
             * not sent, so sending it again is safe. Give up only when
             * no ack at all arrived for the idle timeout. */
            uint64_t progress =
                atomic_load(&b->acked) + atomic_load(&b->ack_errors);
            uint64_t t = now_ns();
            if (progress != last_progress) {
                last_progress = progress;
                last_moved = t;
            } else if (t - last_moved > idle_ns) {
                fail(b,
                     "js_PublishAsync: window of %d full and no ack for %d s "
                     "(published %" PRIu64 ", acked %" PRIu64 ")",
                     b->o->window, b->o->idle_timeout_s, seq,
                     atomic_load(&b->acked));
                break;
            }
            if (has_failed(b))
                break;
        }
        if (has_failed(b))
            break;
        b->published = seq + 1;
    }

    /* Wait for the outstanding acks, in short slices so that progress
     * rather than the total time decides. */
    last_moved = now_ns();
    last_progress = atomic_load(&b->acked) + atomic_load(&b->ack_errors);
    for (;;) {
        jsPubOptions po;
        jsPubOptions_Init(&po);
        po.MaxWait = has_failed(b) ? 200 : STALL_WAIT_MS;
        natsStatus s = js_PublishAsyncComplete(b->js, &po);
        if (s == NATS_OK || has_failed(b))
            break;
        if (s != NATS_TIMEOUT) {
            fail_call(b, s, 0, "js_PublishAsyncComplete");
            break;
        }
        uint64_t progress =
            atomic_load(&b->acked) + atomic_load(&b->ack_errors);
        uint64_t t = now_ns();
        if (progress != last_progress) {
            last_progress = progress;
            last_moved = t;
        } else if (t - last_moved > idle_ns) {
            fail(b,
                 "js_PublishAsyncComplete: no ack for %d s (published %" PRIu64
                 ", acked %" PRIu64 ")",
                 b->o->idle_timeout_s, b->published, atomic_load(&b->acked));
            break;
        }
    }
    if (!has_failed(b) && atomic_load(&b->acked) != n)
        fail(b, "js_PublishAsync: %" PRIu64 " of %" PRIu64 " messages acked",
             atomic_load(&b->acked), n);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted values, in microseconds. */
static double percentile_us(const uint64_t *sorted, uint64_t n, double p)
{
    uint64_t rank = (uint64_t)(p / 100.0 * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return (double)sorted[rank - 1] / 1000.0;
}

static void run_pub_sync(struct jsbench *b)
{
    uint64_t n = b->o->n_msgs;
    uint64_t *lat_ns = bl_xmalloc(n * sizeof(*lat_ns));
    jsPubOptions po;

    jsPubOptions_Init(&po);
    po.MaxWait = (int64_t)b->o->idle_timeout_s * 1000;
    b->start_ns = now_ns();
    for (uint64_t seq = 0; seq < n; seq++) {
        jsPubAck *pa = NULL;
        jsErrCode jerr = 0;
        memcpy(b->payload, &seq, SEQ_BYTES);
        uint64_t t0 = now_ns();
        natsStatus s = js_Publish(&pa, b->js, b->subject, b->payload,
                                  (int)b->o->size, &po, &jerr);
        lat_ns[seq] = now_ns() - t0;
        if (s != NATS_OK) {
            char call[64];
            snprintf(call, sizeof(call), "js_Publish message %" PRIu64, seq);
            fail_call(b, s, jerr, call);
        } else if (pa->Sequence != seq + 1 || pa->Duplicate) {
            fail(b,
                 "js_Publish: message %" PRIu64 " acked as stream sequence "
                 "%" PRIu64 "%s, expected %" PRIu64,
                 seq, pa->Sequence, pa->Duplicate ? " (duplicate)" : "",
                 seq + 1);
        }
        jsPubAck_Destroy(pa);
        if (has_failed(b))
            break;
        b->published = seq + 1;
    }
    b->end_ns = now_ns();
    if (!has_failed(b)) {
        qsort(lat_ns, n, sizeof(*lat_ns), cmp_u64);
        b->p50_us = percentile_us(lat_ns, n, 50);
        b->p99_us = percentile_us(lat_ns, n, 99);
        b->max_us = (double)lat_ns[n - 1] / 1000.0;
    }
    bl_free(lat_ns);
}

static void run_pub_async(struct jsbench *b)
{
    b->start_ns = now_ns();
    publish_async(b, b->o->n_msgs);
    b->end_ns = atomic_load(&b->acks_done_ns);
}

/* Waits until the consumer shows every message acknowledged, then checks
 * its state. The acks went out on this connection before the info
 * request, so the server has normally processed them all already. */
static void await_consumer_acked(struct jsbench *b, uint64_t n)
{
    uint64_t idle_ns = (uint64_t)b->o->idle_timeout_s * 1000000000u;
    uint64_t since = now_ns();
    jsConsumerInfo *ci = NULL;

    for (;;) {
        jsErrCode jerr = 0;
        jsConsumerInfo_Destroy(ci);
        ci = NULL;
        natsStatus s = js_GetConsumerInfo(&ci, b->js, b->stream, CONSUMER_NAME,
                                          NULL, &jerr);
        if (s != NATS_OK) {
            fail_call(b, s, jerr, "js_GetConsumerInfo");
            return;
        }
        if (ci->NumAckPending == 0 && ci->AckFloor.Stream >= n)
            break;
        if (now_ns() - since > idle_ns) {
            fail(b,
                 "js_GetConsumerInfo: after %d s num_ack_pending=%" PRId64
                 " ack_floor.stream_seq=%" PRIu64 ", expected 0 and %" PRIu64,
                 b->o->idle_timeout_s, ci->NumAckPending, ci->AckFloor.Stream,
                 n);
            jsConsumerInfo_Destroy(ci);
            return;
        }
        sleep_us(1000);
    }
    b->end_ns = now_ns();
    if (ci->NumPending != 0 || ci->NumRedelivered != 0 ||
        ci->Delivered.Stream != n || ci->Delivered.Consumer != n ||
        ci->AckFloor.Stream != n)
        fail(b,
             "js_GetConsumerInfo: after consuming %" PRIu64
             " messages: num_pending=%" PRIu64 " num_redelivered=%" PRId64
             " delivered.stream_seq=%" PRIu64 " delivered.consumer_seq=%" PRIu64
             " ack_floor.stream_seq=%" PRIu64,
             n, ci->NumPending, ci->NumRedelivered, ci->Delivered.Stream,
             ci->Delivered.Consumer, ci->AckFloor.Stream);
    jsConsumerInfo_Destroy(ci);
}

static void run_consume(struct jsbench *b)
{
    uint64_t n = b->o->n_msgs;
    natsSubscription *sub = NULL;
    jsSubOptions so;
    jsErrCode jerr = 0;

    publish_async(b, n); /* pre-fill, not timed */
    if (has_failed(b))
        return;
    jsSubOptions_Init(&so);
    so.Stream = b->stream;
    so.Config.AckPolicy = js_AckExplicit;
    natsStatus s = js_PullSubscribe(&sub, b->js, b->subject, CONSUMER_NAME,
                                    NULL, &so, &jerr);
    if (s != NATS_OK) {
        fail_call(b, s, jerr, "js_PullSubscribe");
        return;
    }
    b->start_ns = now_ns();
    while (b->delivered < n && !has_failed(b)) {
        natsMsgList list = {0};
        uint64_t left = n - b->delivered;
        int want = left < (uint64_t)b->o->batch ? (int)left : b->o->batch;
        jerr = 0;
        s = natsSubscription_Fetch(&list, sub, want,
                                   (int64_t)b->o->idle_timeout_s * 1000, &jerr);
        if (s != NATS_OK) {
            char call[96];
            snprintf(call, sizeof(call),
                     "natsSubscription_Fetch of %d after %" PRIu64 " messages",
                     want, b->delivered);
            fail_call(b, s, jerr, call);
            break;
        }
        for (int i = 0; i < list.Count && !has_failed(b); i++) {
            natsMsg *m = list.Msgs[i];
            uint64_t seq = payload_seq(m);
            if ((size_t)natsMsg_GetDataLength(m) != b->o->size)
                fail(b, "consumer: message of %d bytes, expected %zu",
                     natsMsg_GetDataLength(m), b->o->size);
            else if (seq != b->delivered)
                fail(b, "consumer: expected message %" PRIu64 ", got %" PRIu64,
                     b->delivered, seq);
            else if ((s = natsMsg_Ack(m, NULL)) != NATS_OK)
                fail_call(b, s, 0, "natsMsg_Ack");
            else
                b->delivered++;
        }
        natsMsgList_Destroy(&list);
    }
    if (!has_failed(b))
        await_consumer_acked(b, n);
    natsSubscription_Destroy(sub);
}

static void print_result(struct jsbench *b)
{
    bool ok = !has_failed(b) && b->end_ns > b->start_ns;
    double secs = ok ? (double)(b->end_ns - b->start_ns) / 1e9 : 0;
    double rate = ok ? (double)b->o->n_msgs / secs : 0;

    printf("scenario=%s size=%zu msgs=%" PRIu64 " window=%d batch=%d"
           " published=%" PRIu64 " acked=%" PRIu64 " delivered=%" PRIu64
           " secs=%.6f msgs_per_sec=%.0f mb_per_sec=%.2f",
           kind_names[b->o->kind], b->o->size, b->o->n_msgs, b->o->window,
           b->o->batch, b->published,
           b->o->kind == JSBENCH_PUB_SYNC ? b->published
                                          : atomic_load(&b->acked),
           b->delivered, secs, rate, rate * (double)b->o->size / 1e6);
    if (b->o->kind == JSBENCH_PUB_SYNC)
        printf(" p50_us=%.1f p99_us=%.1f max_us=%.1f", ok ? b->p50_us : 0,
               ok ? b->p99_us : 0, ok ? b->max_us : 0);
    printf(" status=%s", ok ? "ok" : "fail");
    if (!ok) {
        if (!has_failed(b))
            fail(b, "run took no measurable time");
        printf(" reason=");
        for (const char *p = b->fail.reason; *p; p++)
            putchar(*p == ' ' ? '_' : *p);
    }
    putchar('\n');
    fflush(stdout);
}

int jsbench_run(const struct jsbench_opts *o, char *errmsg)
{
    static struct jsbench b; /* big reason buffer; one run per process */
    uint64_t tag = now_ns() % 1000000000u;
    bool have_stream = false;

    b.o = o;
    atomic_flag_clear(&b.fail.taken);
    /* Fresh names per run keep leftovers of an earlier run out of the
     * sequence checks. */
    snprintf(b.stream, sizeof(b.stream), "BENCH_%ld_%" PRIu64, (long)getpid(),
             tag);
    snprintf(b.subject, sizeof(b.subject), "jsbench.%ld.%" PRIu64,
             (long)getpid(), tag);
    b.payload = bl_xmalloc(o->size);
    memset(b.payload, 'x', o->size);

    int rv = make_connection(&b, errmsg);
    if (rv != 0) {
        fail(&b, "%s", errmsg);
        goto out;
    }
    if (create_stream(&b) != 0)
        goto out;
    have_stream = true;
    switch (o->kind) {
    case JSBENCH_PUB_SYNC:
        run_pub_sync(&b);
        break;
    case JSBENCH_PUB_ASYNC:
        run_pub_async(&b);
        break;
    case JSBENCH_CONSUME:
        run_consume(&b);
        break;
    }
out:
    /* Deleted before the result line, so a stream that cannot be deleted
     * fails the run too (unless an earlier failure is already the reason). */
    if (have_stream)
        delete_stream(&b);
    print_result(&b);
    atomic_store(&b.stopping, true);
    jsCtx_Destroy(b.js);
    natsConnection_Destroy(b.nc);
    natsOptions_Destroy(b.nopts);
    bl_free(b.payload);
    if (has_failed(&b)) {
        bl_errmsg_set(errmsg, "%s", b.fail.reason);
        return BL_EPROTO;
    }
    return 0;
}
