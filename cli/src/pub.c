/* Core NATS commands: pub, sub, request, reply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ballast/buf.h"
#include "ballast/mem.h"
#include "cli.h"
#include "format.h"

/* Reads all of stdin into `b` (for "pub SUBJECT" with piped input). */
static void read_stdin(struct bl_buf *b)
{
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        bl_buf_append(b, chunk, n);
}

/* Expands "{{Count}}" / "{{.Count}}" in `tmpl` with `count` into `out`, so
 * "pub --count 3 s 'msg {{Count}}'" sends msg 1, msg 2, msg 3. */
static void expand_body(const char *tmpl, size_t len, uint64_t count,
                        struct bl_buf *out)
{
    bl_buf_clear(out);
    size_t i = 0;
    while (i < len) {
        const char *rest = tmpl + i;
        size_t left = len - i;
        if (left >= 9 && memcmp(rest, "{{Count}}", 9) == 0) {
            bl_buf_append_u64(out, count);
            i += 9;
        } else if (left >= 10 && memcmp(rest, "{{.Count}}", 10) == 0) {
            bl_buf_append_u64(out, count);
            i += 10;
        } else {
            bl_buf_append(out, rest, 1);
            i++;
        }
    }
}

/* Adds every -H key:value of `a` to `m`. Returns 0 or prints and returns 1. */
static int add_headers(const struct args *a, natsMsg *m)
{
    const char *h;
    for (int i = 0; (h = args_nth(a, "header", i)) != NULL; i++) {
        const char *colon = strchr(h, ':');
        if (colon == NULL || colon == h)
            return cli_fail("invalid header '%s': use -H Key:Value", h);
        char key[256];
        size_t kl = (size_t)(colon - h);
        if (kl >= sizeof key)
            return cli_fail("header name too long in '%s'", h);
        memcpy(key, h, kl);
        key[kl] = '\0';
        const char *v = colon + 1;
        while (*v == ' ')
            v++;
        if (natsMsgHeader_Add(m, key, v) != NATS_OK)
            return cli_fail("invalid header '%s': %s", h,
                            nats_GetLastError(NULL));
    }
    return 0;
}

static int opt_count(const struct args *a, const char *name, int64_t dflt,
                     int64_t *out)
{
    const char *v = args_get(a, name);
    if (v == NULL) {
        *out = dflt;
        return 0;
    }
    if (parse_count(v, out) != 0 || *out < 0)
        return cli_fail("invalid --%s '%s': expected a count", name, v);
    return 0;
}

static void log_line(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static void log_line(const char *fmt, ...)
{
    char ts[16];
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%H:%M:%S", &tm);
    fprintf(stderr, "%s ", ts);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int run_pub(struct cli *c, const struct args *a)
{
    const char *subject = a->pos[0];
    int64_t count;
    if (opt_count(a, "count", 1, &count) != 0)
        return 1;
    struct bl_buf tmpl, body;
    bl_buf_init(&tmpl);
    bl_buf_init(&body);
    if (a->n_pos > 1)
        bl_buf_append_str(&tmpl, a->pos[1]);
    else if (!isatty(STDIN_FILENO))
        read_stdin(&tmpl);
    natsConnection *nc = cli_conn(c);
    int rc = nc ? 0 : 1;
    int js = args_flag(a, "jetstream");
    for (int64_t i = 1; rc == 0 && i <= count; i++) {
        expand_body(tmpl.p ? tmpl.p : "", tmpl.len, (uint64_t)i, &body);
        natsMsg *m = NULL;
        natsStatus s = natsMsg_Create(&m, subject, args_get(a, "reply"), body.p,
                                      (int)body.len);
        if (s != NATS_OK) {
            rc = cli_fail("invalid message for '%s': %s", subject,
                          nats_GetLastError(NULL));
            break;
        }
        rc = add_headers(a, m);
        if (rc == 0 && js) {
            natsMsg *reply = NULL;
            s = natsConnection_RequestMsg(&reply, nc, m, c->timeout_ms);
            if (s == NATS_NO_RESPONDERS) {
                rc = cli_fail("no stream is listening on '%s'", subject);
            } else if (s != NATS_OK) {
                rc = cli_fail("publish to '%s': %s", subject,
                              natsStatus_GetText(s));
            } else {
                json_t *ack =
                    json_loadb(natsMsg_GetData(reply),
                               (size_t)natsMsg_GetDataLength(reply), 0, NULL);
                json_t *err = json_object_get(ack, "error");
                if (err != NULL) {
                    char errmsg[BL_ERRMSG_SIZE];
                    api_error_text(c, err, errmsg);
                    rc = cli_fail("%s", errmsg);
                } else if (c->json) {
                    cli_print_json(ack);
                } else {
                    char cnt[FMT_SIZE_LEN];
                    printf("Stored in Stream: %s Sequence: %s%s\n",
                           jstr(ack, "stream"),
                           fmt_count(jint(ack, "seq"), cnt),
                           jbool(ack, "duplicate") ? " (duplicate)" : "");
                }
                json_decref(ack);
                natsMsg_Destroy(reply);
            }
        } else if (rc == 0) {
            s = natsConnection_PublishMsg(nc, m);
            if (s != NATS_OK)
                rc = cli_fail("publish to '%s': %s", subject,
                              nats_GetLastError(NULL));
        }
        natsMsg_Destroy(m);
    }
    if (rc == 0 && !js) {
        natsStatus s = natsConnection_FlushTimeout(nc, c->timeout_ms);
        if (s != NATS_OK)
            rc = cli_fail("flush: %s", natsStatus_GetText(s));
        else if (count == 1)
            log_line("Published %zu bytes to \"%s\"", body.len, subject);
        else
            log_line("Published %lld messages to \"%s\"", (long long)count,
                     subject);
    }
    bl_buf_close(&tmpl);
    bl_buf_close(&body);
    return rc;
}

static void print_received(natsMsg *m, uint64_t n, int raw)
{
    const char *data = natsMsg_GetData(m);
    size_t len = (size_t)natsMsg_GetDataLength(m);
    if (raw) {
        print_body(data, len);
        return;
    }
    const char *reply = natsMsg_GetReply(m);
    if (reply != NULL && *reply)
        printf("[#%llu] Received on \"%s\" with reply \"%s\"\n",
               (unsigned long long)n, natsMsg_GetSubject(m), reply);
    else
        printf("[#%llu] Received on \"%s\"\n", (unsigned long long)n,
               natsMsg_GetSubject(m));
    print_msg_headers(m, "");
    putchar('\n');
    print_body(data, len);
    putchar('\n');
}

/* Waits for messages on `sub` until `count` (0: no limit) arrived or
 * `wait_ms` (0: forever) passed without one; calls back per message.
 * Returns the number received. */
static int64_t receive_loop(natsSubscription *sub, int64_t count,
                            int64_t wait_ms,
                            int (*on_msg)(void *ctx, natsMsg *m, uint64_t n),
                            void *ctx)
{
    int64_t n = 0;
    while (count == 0 || n < count) {
        natsMsg *m = NULL;
        natsStatus s = natsSubscription_NextMsg(
            &m, sub, wait_ms > 0 ? wait_ms : 3600 * 1000);
        if (s == NATS_TIMEOUT) {
            if (wait_ms > 0)
                break;
            continue;
        }
        if (s != NATS_OK) {
            cli_fail("subscription: %s", natsStatus_GetText(s));
            break;
        }
        n++;
        int stop = on_msg(ctx, m, (uint64_t)n);
        natsMsg_Destroy(m);
        fflush(stdout);
        if (stop)
            break;
    }
    return n;
}

struct sub_ctx {
    int raw;
};

static int on_sub_msg(void *ctx, natsMsg *m, uint64_t n)
{
    struct sub_ctx *sc = ctx;
    print_received(m, n, sc->raw);
    return 0;
}

static int parse_wait(const struct args *a, int64_t *wait_ms)
{
    const char *w = args_get(a, "wait");
    *wait_ms = 0;
    if (w == NULL)
        return 0;
    int64_t ns;
    if (parse_duration(w, &ns) != 0)
        return cli_fail("invalid --wait '%s' (e.g. 10s)", w);
    *wait_ms = ns / 1000000;
    return 0;
}

static int run_sub(struct cli *c, const struct args *a)
{
    int64_t count, wait_ms;
    if (opt_count(a, "count", 0, &count) != 0 || parse_wait(a, &wait_ms) != 0)
        return 1;
    natsConnection *nc = cli_conn(c);
    if (nc == NULL)
        return 1;
    natsSubscription *sub = NULL;
    const char *queue = args_get(a, "queue");
    natsStatus s =
        queue ? natsConnection_QueueSubscribeSync(&sub, nc, a->pos[0], queue)
              : natsConnection_SubscribeSync(&sub, nc, a->pos[0]);
    if (s == NATS_OK)
        s = natsSubscription_SetPendingLimits(sub, -1, -1);
    if (s == NATS_OK)
        s = natsConnection_FlushTimeout(nc, c->timeout_ms);
    if (s != NATS_OK) {
        natsSubscription_Destroy(sub);
        return cli_fail("subscribe to '%s': %s", a->pos[0],
                        nats_GetLastError(NULL));
    }
    /* Printed after the flush, so whoever waits for it (a script, a test)
     * knows the server has the subscription. */
    if (queue)
        printf("Subscribing on %s in group %s\n", a->pos[0], queue);
    else
        printf("Subscribing on %s\n", a->pos[0]);
    fflush(stdout);
    struct sub_ctx sc = {args_flag(a, "raw")};
    int64_t n = receive_loop(sub, count, wait_ms, on_sub_msg, &sc);
    natsSubscription_Destroy(sub);
    if (count > 0 && n < count)
        return cli_fail("received %lld of %lld messages before --wait "
                        "expired",
                        (long long)n, (long long)count);
    return 0;
}

static int run_request(struct cli *c, const struct args *a)
{
    natsConnection *nc = cli_conn(c);
    if (nc == NULL)
        return 1;
    const char *body = a->n_pos > 1 ? a->pos[1] : "";
    natsMsg *m = NULL, *reply = NULL;
    if (natsMsg_Create(&m, a->pos[0], NULL, body, (int)strlen(body)) != NATS_OK)
        return cli_fail("invalid request subject '%s'", a->pos[0]);
    if (add_headers(a, m) != 0) {
        natsMsg_Destroy(m);
        return 1;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    natsStatus s = natsConnection_RequestMsg(&reply, nc, m, c->timeout_ms);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    natsMsg_Destroy(m);
    if (s == NATS_NO_RESPONDERS)
        return cli_fail("no responders are available on '%s'", a->pos[0]);
    if (s == NATS_TIMEOUT)
        return cli_fail("timeout waiting for a reply on '%s'", a->pos[0]);
    if (s != NATS_OK)
        return cli_fail("request on '%s': %s", a->pos[0],
                        nats_GetLastError(NULL));
    char rtt[FMT_DURATION_LEN];
    int64_t ns = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000000LL +
                 (t1.tv_nsec - t0.tv_nsec);
    log_line("Received with rtt %s", fmt_duration(ns, rtt));
    const char **keys = NULL;
    int n_keys = 0;
    if (natsMsgHeader_Keys(reply, &keys, &n_keys) == NATS_OK && n_keys > 0) {
        print_msg_headers(reply, "");
        putchar('\n');
    }
    free((void *)keys);
    print_body(natsMsg_GetData(reply), (size_t)natsMsg_GetDataLength(reply));
    natsMsg_Destroy(reply);
    return 0;
}

struct reply_ctx {
    natsConnection *nc;
    const char *body;
    int failed;
};

static int on_request(void *ctx, natsMsg *m, uint64_t n)
{
    struct reply_ctx *rc = ctx;
    print_received(m, n, 0);
    const char *reply = natsMsg_GetReply(m);
    if (reply == NULL || *reply == '\0') {
        fprintf(stderr, "warning: message %llu has no reply subject\n",
                (unsigned long long)n);
        return 0;
    }
    natsStatus s = natsConnection_PublishString(rc->nc, reply, rc->body);
    if (s == NATS_OK)
        s = natsConnection_Flush(rc->nc);
    if (s != NATS_OK) {
        cli_fail("respond on '%s': %s", reply, natsStatus_GetText(s));
        rc->failed = 1;
        return 1;
    }
    return 0;
}

static int run_reply(struct cli *c, const struct args *a)
{
    int64_t count, wait_ms;
    if (opt_count(a, "count", 0, &count) != 0 || parse_wait(a, &wait_ms) != 0)
        return 1;
    natsConnection *nc = cli_conn(c);
    if (nc == NULL)
        return 1;
    const char *queue = args_get(a, "queue");
    if (queue == NULL)
        queue = "NATS-RPLY-22"; /* the nats CLI's default group */
    natsSubscription *sub = NULL;
    natsStatus s =
        natsConnection_QueueSubscribeSync(&sub, nc, a->pos[0], queue);
    if (s == NATS_OK)
        s = natsConnection_FlushTimeout(nc, c->timeout_ms);
    if (s != NATS_OK) {
        natsSubscription_Destroy(sub);
        return cli_fail("subscribe to '%s': %s", a->pos[0],
                        nats_GetLastError(NULL));
    }
    printf("Listening on \"%s\" in group \"%s\"\n", a->pos[0], queue);
    fflush(stdout);
    struct reply_ctx rc = {nc, a->n_pos > 1 ? a->pos[1] : "", 0};
    receive_loop(sub, count, wait_ms, on_request, &rc);
    natsSubscription_Destroy(sub);
    return rc.failed;
}

static const struct opt_spec pub_opts[] = {
    {"count", 0, OPT_VALUE, "N",
     "publish N messages; {{Count}} in BODY becomes 1..N"},
    {"header", 'H', OPT_VALUE, "KEY:VALUE", "add a header (repeatable)"},
    {"reply", 0, OPT_VALUE, "SUBJECT", "reply subject"},
    {"jetstream", 'J', OPT_FLAG, NULL,
     "wait for the JetStream acknowledgement and print it"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct opt_spec sub_opts[] = {
    {"count", 0, OPT_VALUE, "N", "exit after N messages"},
    {"queue", 0, OPT_VALUE, "GROUP", "join a queue group"},
    {"wait", 0, OPT_VALUE, "DURATION", "give up after this long idle"},
    {"raw", 'r', OPT_FLAG, NULL, "print only message bodies"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct opt_spec request_opts[] = {
    {"header", 'H', OPT_VALUE, "KEY:VALUE", "add a header (repeatable)"},
    {NULL, 0, 0, NULL, NULL},
};

static const struct opt_spec reply_opts[] = {
    {"count", 0, OPT_VALUE, "N", "exit after serving N requests"},
    {"queue", 0, OPT_VALUE, "GROUP", "queue group (default NATS-RPLY-22)"},
    {"wait", 0, OPT_VALUE, "DURATION", "give up after this long idle"},
    {NULL, 0, 0, NULL, NULL},
};

const struct command pub_commands[] = {
    {NULL, "pub", "SUBJECT [BODY]", "publish a message (BODY or stdin)", 1, 2,
     pub_opts, run_pub},
    {NULL, "sub", "SUBJECT", "subscribe and print messages", 1, 1, sub_opts,
     run_sub},
    {NULL, "request", "SUBJECT [BODY]", "send a request, print the reply", 1, 2,
     request_opts, run_request},
    {NULL, "reply", "SUBJECT [BODY]", "answer requests with BODY", 1, 2,
     reply_opts, run_reply},
    {NULL, NULL, NULL, NULL, 0, 0, NULL, NULL},
};
