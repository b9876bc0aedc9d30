/* ballast-bench: drives one load scenario against a NATS server through the
 * official C client (libnats) and prints one machine-readable result line.
 *
 * It knows nothing about which server it talks to: bench/run.sh runs the same
 * binary with the same flags against ballastd and nats-server and compares
 * the lines. Every message carries its sequence number in its first 8 bytes,
 * so a lost, duplicated or reordered message fails the run (exit 1) instead
 * of silently inflating or deflating the numbers.
 *
 * Threads: the publisher runs in its own thread on its own connection; every
 * subscriber has its own connection, and libnats delivers each asynchronous
 * subscription on its own thread. The main thread only watches progress and
 * enforces the idle timeout. The JetStream scenarios (js-*) live in
 * jsbench.c; main() hands them over after parsing the flags. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>

#include "ballast/err.h"
#include "ballast/mem.h"
#include "common.h"
#include "jsbench.h"

/* Protocol bytes a message costs beyond its payload ("MSG subj sid len\r\n"
 * and the trailing CRLF, rounded up); only used to turn the in-flight window
 * from bytes into messages. */
#define WIRE_OVERHEAD 64
#define SEQ_BYTES 8

enum scenario {
    SCENARIO_PUB,    /* publish only, nobody subscribed */
    SCENARIO_PUBSUB, /* one publisher, one subscriber */
    SCENARIO_FANOUT, /* one publisher, n plain subscribers, each gets all */
    SCENARIO_QUEUE,  /* one publisher, n queue-group members, one copy total */
    /* JetStream, run by jsbench.c */
    SCENARIO_JS_PUB_SYNC,
    SCENARIO_JS_PUB_ASYNC,
    SCENARIO_JS_CONSUME,
    N_SCENARIOS
};

static const char *const scenario_names[] = {
    "pub",         "pubsub",       "fanout",    "queue",
    "js-pub-sync", "js-pub-async", "js-consume"};

static bool is_js(enum scenario s)
{
    return s >= SCENARIO_JS_PUB_SYNC;
}

struct bench_opts {
    const char *url;
    enum scenario scenario;
    size_t size;           /* payload bytes per message */
    uint64_t n_msgs;       /* messages published */
    int n_subs;            /* subscriber connections */
    int idle_timeout_s;    /* fail when nothing moves for this long */
    uint64_t window_bytes; /* max published-but-undelivered bytes; 0: none */
    int io_buf_size;       /* libnats socket buffer size; 0: its default */
    int js_window;         /* JetStream: in-flight publish acks */
    int js_batch;          /* JetStream: fetch batch size */
};

struct bench;

struct sub_state {
    struct bench *b;
    natsConnection *nc;
    natsSubscription *sub;
    uint64_t next_seq;         /* only this subscription's thread touches it */
    _Atomic uint64_t received; /* written by its thread, read by others */
};

struct bench {
    struct bench_opts o;
    char subject[64];
    char pub_subject[80]; /* differs from subject for SCENARIO_PUB */
    natsOptions *nopts;
    natsConnection *pub_nc;
    struct sub_state *subs;
    _Atomic uint8_t *seen;   /* queue group: one flag per sequence number */
    uint64_t expected_total; /* deliveries that complete the run */
    uint64_t window_msgs;    /* 0: publish without waiting */
    _Atomic uint64_t published;
    _Atomic uint64_t total_received;
    _Atomic uint64_t start_ns; /* just before the first publish */
    _Atomic uint64_t end_ns;   /* last delivery (or flush for SCENARIO_PUB) */
    _Atomic bool pub_done;
    _Atomic bool stopping; /* we are closing connections ourselves */
    struct bench_failure fail; /* the first failure */
};

/* Records the first failure only: later ones are usually its consequences
 * (a dropped connection after a slow-consumer error, say). */
static void fail(struct bench *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fail(struct bench *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bench_failure_vset(&b->fail, fmt, ap);
    va_end(ap);
}

static bool has_failed(struct bench *b)
{
    return bench_failure_set(&b->fail);
}

static void on_msg(natsConnection *nc, natsSubscription *sub, natsMsg *msg,
                   void *closure)
{
    struct sub_state *s = closure;
    struct bench *b = s->b;
    int len = natsMsg_GetDataLength(msg);
    uint64_t seq = 0;

    if (len < 0 || (size_t)len != b->o.size) {
        fail(b, "message of %d bytes, expected %zu", len, b->o.size);
        goto done;
    }
    memcpy(&seq, natsMsg_GetData(msg), SEQ_BYTES);
    if (b->o.scenario == SCENARIO_QUEUE) {
        if (seq >= b->o.n_msgs)
            fail(b, "unknown sequence %" PRIu64, seq);
        else if (atomic_exchange_explicit(&b->seen[seq], 1,
                                          memory_order_relaxed))
            fail(b, "sequence %" PRIu64 " delivered twice in queue group", seq);
    } else if (seq != s->next_seq) {
        /* NATS keeps one publisher's order per subscription, so any gap or
         * repeat here is a lost or duplicated message. */
        fail(b, "subscriber %td expected sequence %" PRIu64 ", got %" PRIu64,
             s - b->subs, s->next_seq, seq);
    }
    s->next_seq = seq + 1;
done:
    atomic_store_explicit(
        &s->received,
        atomic_load_explicit(&s->received, memory_order_relaxed) + 1,
        memory_order_relaxed);
    if (atomic_fetch_add(&b->total_received, 1) + 1 == b->expected_total)
        atomic_store(&b->end_ns, now_ns());
    natsMsg_Destroy(msg);
}

static void on_error(natsConnection *nc, natsSubscription *sub, natsStatus err,
                     void *closure)
{
    fail(closure, "async error: %s", natsStatus_GetText(err));
}

static void on_closed(natsConnection *nc, void *closure)
{
    struct bench *b = closure;
    if (!atomic_load(&b->stopping))
        fail(b, "connection closed by server or network");
}

/* Deliveries the slowest consumer has seen, in published messages: every
 * plain subscriber must see every message, a queue group shares them. */
static uint64_t delivered_progress(struct bench *b)
{
    if (b->o.scenario == SCENARIO_QUEUE)
        return atomic_load_explicit(&b->total_received, memory_order_relaxed);
    uint64_t min = UINT64_MAX;
    for (int i = 0; i < b->o.n_subs; i++) {
        uint64_t r =
            atomic_load_explicit(&b->subs[i].received, memory_order_relaxed);
        if (r < min)
            min = r;
    }
    return min;
}

/* Blocks the publisher while more than window_msgs are in flight, so that
 * neither server has to buffer an unbounded backlog for a subscriber that
 * is momentarily slower (which would end in a slow-consumer disconnect and
 * measure buffer sizes instead of throughput). */
static void wait_for_window(struct bench *b, uint64_t sent)
{
    while (!has_failed(b) && sent - delivered_progress(b) > b->window_msgs)
        sleep_us(20);
}

static void *publisher_main(void *arg)
{
    struct bench *b = arg;
    char *payload = bl_xmalloc(b->o.size);
    bool use_window = b->window_msgs > 0 && b->o.scenario != SCENARIO_PUB;

    memset(payload, 'x', b->o.size);
    atomic_store(&b->start_ns, now_ns());
    for (uint64_t seq = 0; seq < b->o.n_msgs; seq++) {
        memcpy(payload, &seq, SEQ_BYTES);
        natsStatus s = natsConnection_Publish(b->pub_nc, b->pub_subject,
                                              payload, (int)b->o.size);
        if (s != NATS_OK) {
            fail(b, "publish %" PRIu64 ": %s", seq, natsStatus_GetText(s));
            goto out;
        }
        atomic_store_explicit(&b->published, seq + 1, memory_order_relaxed);
        if (use_window && (seq & 255) == 255)
            wait_for_window(b, seq + 1);
        if ((seq & 4095) == 4095 && has_failed(b))
            goto out;
    }
    /* The PONG comes back only after the server has processed every PUB
     * before it, which is what publish-only throughput means. */
    natsStatus s = natsConnection_FlushTimeout(
        b->pub_nc, (int64_t)b->o.idle_timeout_s * 1000);
    if (s != NATS_OK)
        fail(b, "flush publisher: %s", natsStatus_GetText(s));
    else if (b->o.scenario == SCENARIO_PUB)
        atomic_store(&b->end_ns, now_ns());
out:
    atomic_store(&b->pub_done, true);
    bl_free(payload);
    return NULL;
}

static int make_options(struct bench *b, char *errmsg)
{
    natsOptions *o = NULL;
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK)
        s = natsOptions_SetURL(o, b->o.url);
    if (s == NATS_OK)
        s = natsOptions_SetAllowReconnect(o, false);
    if (s == NATS_OK)
        s = natsOptions_SetTimeout(o, 5000);
    if (s == NATS_OK)
        s = natsOptions_SetWriteDeadline(o,
                                         (int64_t)b->o.idle_timeout_s * 1000);
    if (s == NATS_OK && b->o.io_buf_size > 0)
        s = natsOptions_SetIOBufSize(o, b->o.io_buf_size);
    if (s == NATS_OK)
        s = natsOptions_SetErrorHandler(o, on_error, b);
    if (s == NATS_OK)
        s = natsOptions_SetClosedCB(o, on_closed, b);
    if (s != NATS_OK) {
        bl_errmsg_set(errmsg, "nats options: %s", natsStatus_GetText(s));
        natsOptions_Destroy(o);
        return BL_EINVAL;
    }
    b->nopts = o;
    return 0;
}

static int connect_one(struct bench *b, natsConnection **nc, char *errmsg)
{
    natsStatus s = natsConnection_Connect(nc, b->nopts);
    if (s != NATS_OK) {
        bl_errmsg_set(errmsg, "connect %s: %s", b->o.url,
                      natsStatus_GetText(s));
        return BL_EIO;
    }
    return 0;
}

static int subscribe_all(struct bench *b, char *errmsg)
{
    for (int i = 0; i < b->o.n_subs; i++) {
        struct sub_state *s = &b->subs[i];
        s->b = b;
        int rv = connect_one(b, &s->nc, errmsg);
        if (rv != 0)
            goto fail;
        natsStatus st;
        if (b->o.scenario == SCENARIO_QUEUE)
            st = natsConnection_QueueSubscribe(&s->sub, s->nc, b->subject,
                                               "bench", on_msg, s);
        else
            st =
                natsConnection_Subscribe(&s->sub, s->nc, b->subject, on_msg, s);
        /* libnats drops messages beyond 65536 pending per subscription by
         * default; we want the server, not the client, to be the limit. */
        if (st == NATS_OK)
            st = natsSubscription_SetPendingLimits(s->sub, -1, -1);
        /* The server has registered the SUB once it answers the PING. */
        if (st == NATS_OK)
            st = natsConnection_FlushTimeout(s->nc, 5000);
        if (st != NATS_OK) {
            bl_errmsg_set(errmsg, "%s", natsStatus_GetText(st));
            rv = BL_EIO;
            goto fail;
        }
        continue;
    fail:
        bl_errmsg_prefix(errmsg, "subscriber %d", i);
        return rv;
    }
    return 0;
}

/* After the last expected delivery, a round trip on every subscriber
 * connection plus a short grace period lets any extra (duplicate) message
 * show up in the counters before we judge the run. */
static void drain_subscribers(struct bench *b)
{
    for (int i = 0; i < b->o.n_subs; i++) {
        natsStatus s = natsConnection_FlushTimeout(b->subs[i].nc, 5000);
        if (s != NATS_OK)
            fail(b, "flush subscriber %d: %s", i, natsStatus_GetText(s));
    }
    sleep_us(100000);
}

/* The lowest sequence number some subscriber has not seen, for the
 * diagnosis of a stalled run (only meaningful once publishing is done). */
static uint64_t first_missing(struct bench *b)
{
    if (b->o.scenario == SCENARIO_PUB)
        return atomic_load(&b->published);
    if (b->o.scenario == SCENARIO_QUEUE) {
        uint64_t seq = 0;
        while (seq < b->o.n_msgs && atomic_load(&b->seen[seq]))
            seq++;
        return seq;
    }
    uint64_t min = UINT64_MAX;
    for (int i = 0; i < b->o.n_subs; i++) {
        uint64_t r = atomic_load(&b->subs[i].received);
        if (r < min)
            min = r;
    }
    return min; /* in order and without gaps, or we had failed already */
}

/* Watches progress until the run completes, fails, or stalls. */
static void watch(struct bench *b)
{
    uint64_t last_moved = now_ns();
    uint64_t last_seen = 0;
    uint64_t idle_ns = (uint64_t)b->o.idle_timeout_s * 1000000000u;

    for (;;) {
        if (has_failed(b))
            return;
        if (b->o.scenario == SCENARIO_PUB ? atomic_load(&b->pub_done)
                                          : atomic_load(&b->end_ns) != 0)
            return;
        uint64_t seen =
            atomic_load(&b->published) + atomic_load(&b->total_received);
        uint64_t t = now_ns();
        if (seen != last_seen) {
            last_seen = seen;
            last_moved = t;
        } else if (t - last_moved > idle_ns) {
            fail(b,
                 "no progress for %d s: published %" PRIu64 " of %" PRIu64
                 ", delivered %" PRIu64 " of %" PRIu64
                 ", first missing sequence %" PRIu64,
                 b->o.idle_timeout_s, atomic_load(&b->published), b->o.n_msgs,
                 atomic_load(&b->total_received), b->expected_total,
                 first_missing(b));
            return;
        }
        sleep_us(10000);
    }
}

static void close_all(struct bench *b)
{
    atomic_store(&b->stopping, true);
    for (int i = 0; b->subs != NULL && i < b->o.n_subs; i++) {
        natsSubscription_Destroy(b->subs[i].sub);
        natsConnection_Destroy(b->subs[i].nc);
    }
    natsConnection_Destroy(b->pub_nc);
    natsOptions_Destroy(b->nopts);
}

static void print_result(struct bench *b)
{
    uint64_t start = atomic_load(&b->start_ns);
    uint64_t end = atomic_load(&b->end_ns);
    bool ok = !has_failed(b) && end > start;
    double secs = ok ? (double)(end - start) / 1e9 : 0;
    uint64_t published = atomic_load(&b->published);
    uint64_t delivered = atomic_load(&b->total_received);
    uint64_t counted = b->o.scenario == SCENARIO_PUB ? published : delivered;
    double rate = ok ? (double)counted / secs : 0;
    double per_sub = b->o.n_subs > 0 ? rate / b->o.n_subs : rate;

    printf("scenario=%s size=%zu msgs=%" PRIu64 " subs=%d published=%" PRIu64
           " delivered=%" PRIu64 " secs=%.6f msgs_per_sec=%.0f"
           " per_sub_msgs_per_sec=%.0f mb_per_sec=%.2f status=%s",
           scenario_names[b->o.scenario], b->o.size, b->o.n_msgs, b->o.n_subs,
           published, delivered, secs, rate, per_sub,
           rate * (double)b->o.size / 1e6, ok ? "ok" : "fail");
    if (!ok) {
        /* Keep the line one token per field: no spaces in the reason. */
        printf(" reason=");
        for (const char *p = b->fail.reason; *p; p++)
            putchar(*p == ' ' ? '_' : *p);
    }
    putchar('\n');
    fflush(stdout);
}

static int run(struct bench *b, char *errmsg)
{
    pthread_t pub_thread;
    int rv = make_options(b, errmsg);
    if (rv != 0)
        goto setup_failed;
    b->subs = bl_xcalloc((size_t)(b->o.n_subs > 0 ? b->o.n_subs : 1),
                         sizeof(*b->subs));
    if (b->o.scenario == SCENARIO_QUEUE)
        b->seen = bl_xcalloc(b->o.n_msgs, sizeof(*b->seen));
    rv = subscribe_all(b, errmsg);
    if (rv != 0)
        goto setup_failed;
    rv = connect_one(b, &b->pub_nc, errmsg);
    if (rv != 0) {
        bl_errmsg_prefix(errmsg, "publisher");
        goto setup_failed;
    }
    if (pthread_create(&pub_thread, NULL, publisher_main, b) != 0) {
        bl_errmsg_set(errmsg, "start publisher thread");
        rv = BL_ENOMEM;
        goto setup_failed;
    }
    watch(b);
    if (has_failed(b)) {
        /* Unblocks a publisher stuck in a write to a server that stopped
         * reading; it then sees the closed connection and exits. */
        atomic_store(&b->stopping, true);
        natsConnection_Close(b->pub_nc);
    }
    pthread_join(pub_thread, NULL);
    if (!has_failed(b) && b->o.scenario != SCENARIO_PUB) {
        drain_subscribers(b);
        uint64_t got = atomic_load(&b->total_received);
        if (got != b->expected_total)
            fail(b, "delivered %" PRIu64 " messages, expected %" PRIu64, got,
                 b->expected_total);
    }
    print_result(b);
    rv = has_failed(b) ? BL_EPROTO : 0;
    if (rv != 0)
        bl_errmsg_set(errmsg, "%s", b->fail.reason);
    goto out;
setup_failed:
    /* run.sh parses stdout, so a run that never started still gets its
     * status=fail line. */
    fail(b, "%s", errmsg);
    print_result(b);
out:
    close_all(b);
    bl_free(b->subs);
    bl_free((void *)b->seen);
    return rv;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: ballast-bench [options]\n"
               "  --url URL            server (default nats://127.0.0.1:4222)\n"
               "  --scenario NAME      pub | pubsub | fanout | queue |"
               " js-pub-sync |\n"
               "                       js-pub-async | js-consume"
               " (default pubsub)\n"
               "  --size BYTES         payload size, >= 8 (default 16)\n"
               "  --msgs N             messages to publish (default 1000000;"
               " js-* 10000)\n"
               "  --subs N             subscribers (default 1; fanout 10,"
               " queue 4)\n"
               "  --idle-timeout SECS  fail if nothing moves this long"
               " (default 10)\n"
               "  --window-bytes N     max undelivered bytes in flight,"
               " 0 = unbounded\n"
               "                       (default 8388608)\n"
               "  --io-buf BYTES       libnats socket buffer size"
               " (default: libnats's)\n"
               "  --window N           js-pub-async, js-consume pre-fill:"
               " acks in flight\n"
               "                       (default 256)\n"
               "  --batch N            js-consume: fetch batch size"
               " (default 100)\n"
               "Prints one line: scenario=... msgs_per_sec=... status=ok|fail;"
               " exits 1 on\nany lost, duplicated or reordered message.\n");
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min ||
        v > max)
        return BL_EINVAL;
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, struct bench_opts *o)
{
    static const struct option longopts[] = {
        {"url", required_argument, NULL, 'u'},
        {"scenario", required_argument, NULL, 's'},
        {"size", required_argument, NULL, 'z'},
        {"msgs", required_argument, NULL, 'n'},
        {"subs", required_argument, NULL, 'c'},
        {"idle-timeout", required_argument, NULL, 't'},
        {"window-bytes", required_argument, NULL, 'w'},
        {"io-buf", required_argument, NULL, 'b'},
        {"window", required_argument, NULL, 'W'},
        {"batch", required_argument, NULL, 'B'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    uint64_t v;
    int subs = -1;
    bool msgs_given = false;
    int idx = 0;
    int c;

    *o = (struct bench_opts){.url = "nats://127.0.0.1:4222",
                             .scenario = SCENARIO_PUBSUB,
                             .size = 16,
                             .n_msgs = 1000000,
                             .idle_timeout_s = 10,
                             .window_bytes = 8u << 20,
                             .js_window = 256,
                             .js_batch = 100};
    while ((c = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
        switch (c) {
        case 'u':
            o->url = optarg;
            break;
        case 's': {
            size_t i;
            for (i = 0; i < N_SCENARIOS; i++)
                if (strcmp(optarg, scenario_names[i]) == 0)
                    break;
            if (i == N_SCENARIOS)
                goto bad;
            o->scenario = (enum scenario)i;
            break;
        }
        case 'z':
            if (parse_u64(optarg, SEQ_BYTES, 64u << 20, &v) != 0)
                goto bad;
            o->size = (size_t)v;
            break;
        case 'n':
            if (parse_u64(optarg, 1, UINT64_C(1) << 34, &v) != 0)
                goto bad;
            o->n_msgs = v;
            msgs_given = true;
            break;
        case 'c':
            if (parse_u64(optarg, 1, 1000, &v) != 0)
                goto bad;
            subs = (int)v;
            break;
        case 't':
            if (parse_u64(optarg, 1, 3600, &v) != 0)
                goto bad;
            o->idle_timeout_s = (int)v;
            break;
        case 'w':
            if (parse_u64(optarg, 0, UINT64_C(1) << 40, &v) != 0)
                goto bad;
            o->window_bytes = v;
            break;
        case 'b':
            if (parse_u64(optarg, 0, 1u << 30, &v) != 0)
                goto bad;
            o->io_buf_size = (int)v;
            break;
        case 'W':
            if (parse_u64(optarg, 1, 1000000, &v) != 0)
                goto bad;
            o->js_window = (int)v;
            break;
        case 'B':
            if (parse_u64(optarg, 1, 100000, &v) != 0)
                goto bad;
            o->js_batch = (int)v;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return BL_EINVAL;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "ballast-bench: unexpected argument '%s'\n",
                argv[optind]);
        return BL_EINVAL;
    }
    switch (o->scenario) {
    case SCENARIO_PUB:
        o->n_subs = 0;
        break;
    case SCENARIO_PUBSUB:
        o->n_subs = 1;
        break;
    case SCENARIO_FANOUT:
        o->n_subs = subs > 0 ? subs : 10;
        break;
    case SCENARIO_QUEUE:
        o->n_subs = subs > 0 ? subs : 4;
        break;
    default: /* JetStream: one connection, no subscribers to count */
        o->n_subs = 0;
        if (!msgs_given)
            o->n_msgs = 10000;
        break;
    }
    return 0;
bad:
    fprintf(stderr, "ballast-bench: bad value '%s' for --%s\n", optarg,
            longopts[idx].name);
    return BL_EINVAL;
}

int main(int argc, char **argv)
{
    static struct bench b;
    char errmsg[BL_ERRMSG_SIZE] = "";

    if (parse_args(argc, argv, &b.o) != 0)
        return 2;
    atomic_flag_clear(&b.fail.taken);
    /* A fresh subject per run keeps a straggler from an earlier run (or a
     * concurrent one) out of our sequence checks. */
    snprintf(b.subject, sizeof(b.subject), "bench.%ld.%" PRIu64, (long)getpid(),
             now_ns() % 1000000000u);
    snprintf(b.pub_subject, sizeof(b.pub_subject), "%s%s", b.subject,
             b.o.scenario == SCENARIO_PUB ? ".nobody" : "");
    if (b.o.scenario == SCENARIO_FANOUT)
        b.expected_total = b.o.n_msgs * (uint64_t)b.o.n_subs;
    else if (b.o.scenario != SCENARIO_PUB)
        b.expected_total = b.o.n_msgs;
    if (b.o.window_bytes > 0) {
        b.window_msgs = b.o.window_bytes / (b.o.size + WIRE_OVERHEAD);
        if (b.window_msgs < 256)
            b.window_msgs = 256; /* the publisher checks every 256 sends */
    }

    natsStatus s = nats_Open(-1);
    if (s != NATS_OK) {
        fprintf(stderr, "ballast-bench: init libnats: %s\n",
                natsStatus_GetText(s));
        return 1;
    }
    int rv;
    if (is_js(b.o.scenario)) {
        struct jsbench_opts jo = {
            .url = b.o.url,
            .kind = (enum jsbench_kind)(b.o.scenario - SCENARIO_JS_PUB_SYNC),
            .size = b.o.size,
            .n_msgs = b.o.n_msgs,
            .idle_timeout_s = b.o.idle_timeout_s,
            .window = b.o.js_window,
            .batch = b.o.js_batch,
            .io_buf_size = b.o.io_buf_size,
        };
        rv = jsbench_run(&jo, errmsg);
    } else {
        rv = run(&b, errmsg);
    }
    nats_Close();
    if (rv != 0) {
        fprintf(stderr, "ballast-bench: %s %s: %s\n",
                scenario_names[b.o.scenario], b.o.url, errmsg);
        return 1;
    }
    return 0;
}
