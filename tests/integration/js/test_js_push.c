/* JetStream push consumers: delivery to a deliver subject, deliver groups,
 * idle heartbeats and flow control, the deliver policies, headers_only and
 * replay original. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "js_util.h"

static struct harness_server srv;
static struct jsu_conn c;

#define MS_NS(ms) ((int64_t)(ms)*1000000LL)

static void start(void)
{
    jsu_server_start(&srv, "store", NULL);
    jsu_connect(&c, &srv);
}

static uint64_t stream_seq_of(natsMsg *m)
{
    jsMsgMetaData *meta = NULL;
    HARNESS_NATS_OK("metadata", natsMsg_GetMetaData(&meta, m));
    uint64_t seq = meta->Sequence.Stream;
    jsMsgMetaData_Destroy(meta);
    return seq;
}

/* Adds durable push consumer `name` on `stream` from `cc` (Durable and
 * DeliverSubject are set here). */
static void add_push(const char *stream, const char *name, const char *deliver,
                     jsConsumerConfig *cc)
{
    cc->Durable = name;
    cc->DeliverSubject = deliver;
    jsErrCode jerr = 0;
    natsStatus st = js_AddConsumer(NULL, c.js, stream, cc, NULL, &jerr);
    ck_assert_msg(st == NATS_OK, "add push consumer %s: %s, err_code %d", name,
                  natsStatus_GetText(st), (int)jerr);
}

/* Next message that is not a status message (heartbeat, flow control). */
static natsMsg *next_data(natsSubscription *sub, int timeout_ms)
{
    int64_t deadline = harness_now_ms() + timeout_ms;
    for (;;) {
        int64_t left = deadline - harness_now_ms();
        natsMsg *m = NULL;
        natsStatus st = natsSubscription_NextMsg(&m, sub, left > 0 ? left : 1);
        ck_assert_msg(st == NATS_OK, "next message: %s",
                      natsStatus_GetText(st));
        if (jsu_status(m) == NULL)
            return m;
        natsMsg_Destroy(m);
    }
}

/* Messages go to the deliver subject with $JS.ACK reply subjects; raw
 * +ACKs on them are counted; a bound consumer reports push_bound. */
START_TEST(deliver_subject_and_raw_acks)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s.*");
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("sub", natsConnection_SubscribeSync(&sub, c.nc, "dlv.P"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(c.nc, 5000));
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.AckPolicy = js_AckExplicit;
    add_push("S", "P", "dlv.P", &cc);
    for (int i = 1; i <= 5; i++) {
        char data[16];
        snprintf(data, sizeof(data), "p-%d", i);
        jsu_publish(c.js, "s.x", data);
    }
    for (int i = 1; i <= 5; i++) {
        natsMsg *m = next_data(sub, 5000);
        char data[16];
        snprintf(data, sizeof(data), "p-%d", i);
        jsu_expect_data(m, data);
        ck_assert_str_eq(natsMsg_GetSubject(m), "s.x");
        const char *reply = natsMsg_GetReply(m);
        ck_assert_ptr_nonnull(reply);
        ck_assert_msg(strncmp(reply, "$JS.ACK.S.P.1.", 14) == 0, "reply %s",
                      reply);
        if (i <= 3)
            HARNESS_NATS_OK("ack",
                            natsConnection_PublishString(c.nc, reply, "+ACK"));
        natsMsg_Destroy(m);
    }
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(c.nc, 5000));
    int64_t deadline = harness_now_ms() + 3000;
    jsConsumerInfo *ci = NULL;
    for (;;) {
        ci = jsu_consumer_info(c.js, "S", "P");
        if (ci->NumAckPending == 2 || harness_now_ms() > deadline)
            break;
        jsConsumerInfo_Destroy(ci);
        harness_sleep_ms(20);
    }
    ck_assert_int_eq(ci->NumAckPending, 2);
    ck_assert_int_eq(ci->AckFloor.Stream, 3);
    ck_assert_int_eq(ci->Delivered.Stream, 5);
    ck_assert(ci->PushBound);
    ck_assert_str_eq(ci->Config->DeliverSubject, "dlv.P");
    jsConsumerInfo_Destroy(ci);
    natsSubscription_Destroy(sub);
    jsu_close(&c);
}
END_TEST

/* js_SubscribeSync makes a push consumer; natsMsg_Ack works on its
 * messages and a durable keeps its place across subscriptions. */
START_TEST(js_subscribe_sync_durable)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s.*");
    for (int i = 0; i < 4; i++)
        jsu_publish(c.js, "s.a", "x");
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Config.Durable = "DUR";
    so.Config.AckPolicy = js_AckExplicit;
    so.ManualAck = true;
    natsSubscription *sub = NULL;
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("subscribe",
                    js_SubscribeSync(&sub, c.js, "s.*", NULL, &so, &jerr));
    for (int i = 1; i <= 2; i++) {
        natsMsg *m = NULL;
        HARNESS_NATS_OK("next", natsSubscription_NextMsg(&m, sub, 5000));
        ck_assert_int_eq(stream_seq_of(m), i);
        HARNESS_NATS_OK("ack", natsMsg_AckSync(m, NULL, &jerr));
        natsMsg_Destroy(m);
    }
    /* Dropping the subscription keeps the durable and its ack floor. */
    natsSubscription_Destroy(sub);
    jsConsumerInfo *ci = jsu_consumer_info(c.js, "S", "DUR");
    ck_assert_int_eq(ci->AckFloor.Stream, 2);
    ck_assert_int_eq(ci->Delivered.Stream, 4);
    ck_assert_int_eq(ci->NumAckPending, 2);
    jsConsumerInfo_Destroy(ci);
    jsu_close(&c);
}
END_TEST

/* A deliver group spreads the messages over the group's queue
 * subscribers, each message to exactly one of them. */
START_TEST(deliver_group)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    natsSubscription *q1 = NULL, *q2 = NULL;
    HARNESS_NATS_OK(
        "q1", natsConnection_QueueSubscribeSync(&q1, c.nc, "grp.D", "workers"));
    HARNESS_NATS_OK(
        "q2", natsConnection_QueueSubscribeSync(&q2, c.nc, "grp.D", "workers"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(c.nc, 5000));
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.AckPolicy = js_AckNone;
    cc.DeliverGroup = "workers";
    add_push("S", "G", "grp.D", &cc);
    jsConsumerInfo *ci = jsu_consumer_info(c.js, "S", "G");
    ck_assert_str_eq(ci->Config->DeliverGroup, "workers");
    jsConsumerInfo_Destroy(ci);

    enum { N = 100 };
    for (int i = 0; i < N; i++)
        jsu_publish(c.js, "s", "w");
    char seen[N + 1] = {0};
    int n1 = 0, n2 = 0;
    int64_t deadline = harness_now_ms() + 5000;
    while (n1 + n2 < N && harness_now_ms() < deadline) {
        for (int k = 0; k < 2; k++) {
            natsMsg *m = NULL;
            if (natsSubscription_NextMsg(&m, k ? q2 : q1, 20) != NATS_OK)
                continue;
            if (jsu_status(m) == NULL) {
                uint64_t seq = stream_seq_of(m);
                ck_assert_int_le(seq, N);
                ck_assert_msg(!seen[seq], "seq %llu delivered twice",
                              (unsigned long long)seq);
                seen[seq] = 1;
                *(k ? &n2 : &n1) += 1;
            }
            natsMsg_Destroy(m);
        }
    }
    ck_assert_int_eq(n1 + n2, N);
    ck_assert_int_gt(n1, 0);
    ck_assert_int_gt(n2, 0);
    harness_expect_no_msg(q1, 200);
    harness_expect_no_msg(q2, 1);
    natsSubscription_Destroy(q1);
    natsSubscription_Destroy(q2);
    jsu_close(&c);
}
END_TEST

/* An idle push consumer with a heartbeat sends "100 Idle Heartbeat" status
 * messages; with flow control it asks "100 FlowControl Request" on a reply
 * subject and, answered, delivers everything. */
START_TEST(heartbeat_and_flow_control)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("sub", natsConnection_SubscribeSync(&sub, c.nc, "fc.D"));
    natsSubscription_SetPendingLimits(sub, -1, -1);
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(c.nc, 5000));
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.AckPolicy = js_AckNone;
    cc.FlowControl = true;
    cc.Heartbeat = MS_NS(300);
    add_push("S", "F", "fc.D", &cc);

    int64_t t0 = harness_now_ms();
    natsMsg *m = NULL;
    HARNESS_NATS_OK("heartbeat", natsSubscription_NextMsg(&m, sub, 3000));
    ck_assert_str_eq(jsu_status(m), "100");
    ck_assert_str_eq(jsu_status_desc(m), "Idle Heartbeat");
    ck_assert_ptr_null(natsMsg_GetReply(m));
    ck_assert_int_eq(natsMsg_GetDataLength(m), 0);
    natsMsg_Destroy(m);
    HARNESS_NATS_OK("heartbeat 2", natsSubscription_NextMsg(&m, sub, 3000));
    ck_assert_str_eq(jsu_status(m), "100");
    natsMsg_Destroy(m);
    int64_t two_beats = harness_now_ms() - t0;
    ck_assert_msg(two_beats >= 400, "two heartbeats in %lld ms",
                  (long long)two_beats);

    /* Enough data to need flow control several times over. */
    enum { N = 160, SIZE = 64 * 1024 };
    static char payload[SIZE];
    memset(payload, 'f', sizeof(payload));
    jsErrCode jerr = 0;
    for (int i = 0; i < N; i++)
        HARNESS_NATS_OK(
            "publish", js_Publish(NULL, c.js, "s", payload, SIZE, NULL, &jerr));
    int n_data = 0, n_fc = 0;
    int64_t deadline = harness_now_ms() + 20000;
    while (n_data < N && harness_now_ms() < deadline) {
        if (natsSubscription_NextMsg(&m, sub, 1000) != NATS_OK)
            continue;
        const char *status = jsu_status(m);
        if (status == NULL) {
            ck_assert_int_eq(natsMsg_GetDataLength(m), SIZE);
            ck_assert_int_eq(stream_seq_of(m), n_data + 1);
            n_data++;
        } else if (strcmp(jsu_status_desc(m), "FlowControl Request") == 0) {
            ck_assert_str_eq(status, "100");
            ck_assert_ptr_nonnull(natsMsg_GetReply(m));
            HARNESS_NATS_OK(
                "fc reply",
                natsConnection_Publish(c.nc, natsMsg_GetReply(m), NULL, 0));
            n_fc++;
        }
        natsMsg_Destroy(m);
    }
    ck_assert_int_eq(n_data, N);
    ck_assert_int_ge(n_fc, 1);
    natsSubscription_Destroy(sub);
    jsu_close(&c);
}
END_TEST

struct counter {
    pthread_mutex_t mu;
    int n;
    uint64_t last_seq;
    int out_of_order;
};

static void on_msg(natsConnection *nc, natsSubscription *sub, natsMsg *m,
                   void *closure)
{
    struct counter *k = closure;
    jsMsgMetaData *meta = NULL;
    uint64_t seq = 0;
    if (natsMsg_GetMetaData(&meta, m) == NATS_OK) {
        seq = meta->Sequence.Stream;
        jsMsgMetaData_Destroy(meta);
    }
    pthread_mutex_lock(&k->mu);
    if (seq != k->last_seq + 1)
        k->out_of_order++;
    k->last_seq = seq;
    k->n++;
    pthread_mutex_unlock(&k->mu);
    natsMsg_Destroy(m);
}

/* libnats's own push subscription with flow control and heartbeats
 * receives a large backlog completely and in order. */
START_TEST(js_subscribe_with_flow_control)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    enum { N = 300, SIZE = 16 * 1024 };
    static char payload[SIZE];
    memset(payload, 'p', sizeof(payload));
    jsErrCode jerr = 0;
    for (int i = 0; i < N; i++)
        HARNESS_NATS_OK(
            "publish", js_Publish(NULL, c.js, "s", payload, SIZE, NULL, &jerr));
    struct counter k = {.mu = PTHREAD_MUTEX_INITIALIZER};
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Config.AckPolicy = js_AckNone;
    so.Config.FlowControl = true;
    so.Config.Heartbeat = MS_NS(500);
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("subscribe", js_Subscribe(&sub, c.js, "s", on_msg, &k, NULL,
                                              &so, &jerr));
    int64_t deadline = harness_now_ms() + 20000;
    int n = 0;
    while (harness_now_ms() < deadline) {
        pthread_mutex_lock(&k.mu);
        n = k.n;
        pthread_mutex_unlock(&k.mu);
        if (n >= N)
            break;
        harness_sleep_ms(20);
    }
    ck_assert_int_eq(n, N);
    ck_assert_int_eq(k.out_of_order, 0);
    natsSubscription_Unsubscribe(sub);
    natsSubscription_Destroy(sub);
    jsu_close(&c);
}
END_TEST

/* Stream seq of the first message an ephemeral push consumer with `cc`
 * delivers (0 when none arrives within `timeout_ms`). */
static uint64_t first_delivered(jsConsumerConfig *cc, const char *filter,
                                int timeout_ms, natsSubscription **keep)
{
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Config = *cc;
    so.Config.AckPolicy = js_AckNone;
    natsSubscription *sub = NULL;
    jsErrCode jerr = 0;
    natsStatus st = js_SubscribeSync(&sub, c.js, filter, NULL, &so, &jerr);
    ck_assert_msg(st == NATS_OK, "subscribe: %s, err_code %d",
                  natsStatus_GetText(st), (int)jerr);
    natsMsg *m = NULL;
    uint64_t seq = 0;
    if (natsSubscription_NextMsg(&m, sub, timeout_ms) == NATS_OK) {
        seq = stream_seq_of(m);
        natsMsg_Destroy(m);
    }
    if (keep != NULL) {
        *keep = sub;
    } else {
        natsSubscription_Unsubscribe(sub);
        natsSubscription_Destroy(sub);
    }
    return seq;
}

/* Creates an ephemeral push consumer with deliver_policy by_start_time at
 * `start_ns` through the raw API and returns the stream seq of its first
 * message. libnats 3.4.1 cannot be used here: it drops the leading zeros
 * of the nanoseconds when it encodes opt_start_time ("...:53.012345678Z"
 * goes out as "...:53.12345678Z"). */
static uint64_t first_by_start_time(int64_t start_ns)
{
    time_t sec = (time_t)(start_ns / 1000000000LL);
    struct tm tm;
    gmtime_r(&sec, &tm);
    char when[64];
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    natsInbox *inbox = NULL;
    natsInbox_Create(&inbox);
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("sub", natsConnection_SubscribeSync(&sub, c.nc, inbox));
    char body[512];
    snprintf(body, sizeof(body),
             "{\"stream_name\":\"DP\",\"config\":{\"deliver_policy\":"
             "\"by_start_time\",\"opt_start_time\":\"%s.%09lldZ\","
             "\"ack_policy\":\"none\",\"deliver_subject\":\"%s\"}}",
             when, (long long)(start_ns % 1000000000LL), inbox);
    json_t *r = jsu_api_ok(c.nc, "CONSUMER.CREATE.DP", body);
    json_decref(r);
    natsMsg *m = next_data(sub, 5000);
    uint64_t seq = stream_seq_of(m);
    natsMsg_Destroy(m);
    natsSubscription_Destroy(sub);
    natsInbox_Destroy(inbox);
    return seq;
}

/* Each deliver policy starts where it says. */
START_TEST(deliver_policies)
{
    start();
    jsu_add_simple_stream(c.js, "DP", "dp.*");
    jsu_publish(c.js, "dp.a", "a1");
    jsu_publish(c.js, "dp.b", "b1");
    jsu_publish(c.js, "dp.a", "a2");
    harness_sleep_ms(50);
    jsu_publish(c.js, "dp.b", "b2");
    jsu_publish(c.js, "dp.a", "a3");
    natsMsg *m4 = NULL;
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("get 4", js_GetMsg(&m4, c.js, "DP", 4, NULL, &jerr));
    int64_t t4 = natsMsg_GetTime(m4);
    natsMsg_Destroy(m4);

    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.DeliverPolicy = js_DeliverAll;
    ck_assert_int_eq(first_delivered(&cc, "dp.*", 5000, NULL), 1);
    cc.DeliverPolicy = js_DeliverLast;
    ck_assert_int_eq(first_delivered(&cc, "dp.*", 5000, NULL), 5);
    cc.DeliverPolicy = js_DeliverByStartSequence;
    cc.OptStartSeq = 3;
    ck_assert_int_eq(first_delivered(&cc, "dp.*", 5000, NULL), 3);
    ck_assert_int_eq(first_by_start_time(t4 - 1000000), 4); /* 1 ms before */
    ck_assert_int_eq(first_by_start_time(t4 + 1), 5);
    /* Last per subject on a filter: the latest a and b. */
    jsConsumerConfig_Init(&cc);
    cc.DeliverPolicy = js_DeliverLastPerSubject;
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Config = cc;
    so.Config.AckPolicy = js_AckNone;
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("last per subject",
                    js_SubscribeSync(&sub, c.js, "dp.*", NULL, &so, &jerr));
    natsMsg *m = NULL;
    HARNESS_NATS_OK("lps 1", natsSubscription_NextMsg(&m, sub, 5000));
    ck_assert_int_eq(stream_seq_of(m), 4);
    natsMsg_Destroy(m);
    HARNESS_NATS_OK("lps 2", natsSubscription_NextMsg(&m, sub, 5000));
    ck_assert_int_eq(stream_seq_of(m), 5);
    natsMsg_Destroy(m);
    harness_expect_no_msg(sub, 200);
    natsSubscription_Unsubscribe(sub);
    natsSubscription_Destroy(sub);

    /* New: nothing old, then the next message. */
    jsConsumerConfig_Init(&cc);
    cc.DeliverPolicy = js_DeliverNew;
    natsSubscription *keep = NULL;
    ck_assert_int_eq(first_delivered(&cc, "dp.*", 300, &keep), 0);
    jsu_publish(c.js, "dp.b", "b3");
    HARNESS_NATS_OK("new", natsSubscription_NextMsg(&m, keep, 5000));
    ck_assert_int_eq(stream_seq_of(m), 6);
    natsMsg_Destroy(m);
    natsSubscription_Unsubscribe(keep);
    natsSubscription_Destroy(keep);

    /* Bad combinations are refused (config errors). */
    jsConsumerConfig_Init(&cc);
    cc.Durable = "BAD";
    cc.DeliverSubject = "bad.D";
    cc.DeliverPolicy = js_DeliverByStartSequence;
    JSU_EXPECT_ERR("start seq without a seq",
                   js_AddConsumer(NULL, c.js, "DP", &cc, NULL, &jerr), jerr,
                   10094);
    jsu_close(&c);
}
END_TEST

/* headers_only delivers the headers with an empty body and the body's size
 * in Nats-Msg-Size. */
START_TEST(headers_only)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    natsMsg *pm = NULL;
    HARNESS_NATS_OK("msg", natsMsg_Create(&pm, "s", NULL, "hello world", 11));
    natsMsgHeader_Set(pm, "X-Keep", "yes");
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("publish", js_PublishMsg(NULL, c.js, pm, NULL, &jerr));
    natsMsg_Destroy(pm);
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Config.HeadersOnly = true;
    so.Config.AckPolicy = js_AckNone;
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("subscribe",
                    js_SubscribeSync(&sub, c.js, "s", NULL, &so, &jerr));
    natsMsg *m = NULL;
    HARNESS_NATS_OK("next", natsSubscription_NextMsg(&m, sub, 5000));
    ck_assert_int_eq(natsMsg_GetDataLength(m), 0);
    const char *v = NULL;
    HARNESS_NATS_OK("size hdr", natsMsgHeader_Get(m, "Nats-Msg-Size", &v));
    ck_assert_str_eq(v, "11");
    HARNESS_NATS_OK("app hdr", natsMsgHeader_Get(m, "X-Keep", &v));
    ck_assert_str_eq(v, "yes");
    natsMsg_Destroy(m);
    natsSubscription_Unsubscribe(sub);
    natsSubscription_Destroy(sub);
    jsu_close(&c);
}
END_TEST

/* replay original keeps the gaps between messages (loosely), replay
 * instant does not. */
START_TEST(replay_original_keeps_timing)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    for (int i = 0; i < 3; i++) {
        if (i > 0)
            harness_sleep_ms(400);
        jsu_publish(c.js, "s", "r");
    }
    for (int pass = 0; pass < 2; pass++) {
        jsSubOptions so;
        jsSubOptions_Init(&so);
        so.Config.AckPolicy = js_AckNone;
        so.Config.ReplayPolicy = pass ? js_ReplayInstant : js_ReplayOriginal;
        natsSubscription *sub = NULL;
        jsErrCode jerr = 0;
        HARNESS_NATS_OK("subscribe",
                        js_SubscribeSync(&sub, c.js, "s", NULL, &so, &jerr));
        int64_t at[3];
        for (int i = 0; i < 3; i++) {
            natsMsg *m = NULL;
            HARNESS_NATS_OK("next", natsSubscription_NextMsg(&m, sub, 5000));
            at[i] = harness_now_ms();
            natsMsg_Destroy(m);
        }
        int64_t span = at[2] - at[0];
        if (pass == 0)
            ck_assert_msg(span >= 600 && span < 3000,
                          "replay original span %lld ms", (long long)span);
        else
            ck_assert_msg(span < 300, "replay instant span %lld ms",
                          (long long)span);
        natsSubscription_Unsubscribe(sub);
        natsSubscription_Destroy(sub);
    }
    jsu_close(&c);
}
END_TEST

/* Push redelivery after ack_wait, and +TERM on a push message. */
START_TEST(push_redelivery_and_term)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    jsu_publish(c.js, "s", "one");
    jsu_publish(c.js, "s", "two");
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Config.Durable = "R";
    so.Config.AckPolicy = js_AckExplicit;
    so.Config.AckWait = MS_NS(500);
    so.ManualAck = true;
    natsSubscription *sub = NULL;
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("subscribe",
                    js_SubscribeSync(&sub, c.js, "s", NULL, &so, &jerr));
    natsMsg *m1 = next_data(sub, 5000);
    natsMsg *m2 = next_data(sub, 5000);
    ck_assert_int_eq(stream_seq_of(m1), 1);
    ck_assert_int_eq(stream_seq_of(m2), 2);
    HARNESS_NATS_OK("term 2", natsMsg_Term(m2, NULL));
    natsMsg_Destroy(m2);
    natsMsg *again = next_data(sub, 3000);
    jsMsgMetaData *meta = NULL;
    HARNESS_NATS_OK("meta", natsMsg_GetMetaData(&meta, again));
    ck_assert_int_eq(meta->Sequence.Stream, 1);
    ck_assert_int_eq(meta->NumDelivered, 2);
    jsMsgMetaData_Destroy(meta);
    HARNESS_NATS_OK("ack", natsMsg_AckSync(again, NULL, &jerr));
    natsMsg_Destroy(again);
    natsMsg_Destroy(m1);
    natsMsg *m = NULL;
    natsStatus st = NATS_OK;
    /* Nothing else: 2 was terminated, 1 is acked (heartbeats aside). */
    int64_t deadline = harness_now_ms() + 1200;
    while (harness_now_ms() < deadline) {
        st = natsSubscription_NextMsg(&m, sub, 200);
        if (st == NATS_OK) {
            ck_assert_msg(jsu_status(m) != NULL, "unexpected redelivery");
            natsMsg_Destroy(m);
        }
    }
    jsConsumerInfo *ci = jsu_consumer_info(c.js, "S", "R");
    ck_assert_int_eq(ci->NumAckPending, 0);
    ck_assert_int_eq(ci->NumRedelivered, 0);
    ck_assert_int_eq(ci->AckFloor.Stream, 2);
    jsConsumerInfo_Destroy(ci);
    natsSubscription_Unsubscribe(sub);
    natsSubscription_Destroy(sub);
    jsu_close(&c);
}
END_TEST

static Suite *push_suite(void)
{
    Suite *s = suite_create("js/push");
    HARNESS_ADD(s, deliver_subject_and_raw_acks, 30);
    HARNESS_ADD(s, js_subscribe_sync_durable, 30);
    HARNESS_ADD(s, deliver_group, 30);
    HARNESS_ADD(s, heartbeat_and_flow_control, 40);
    HARNESS_ADD(s, js_subscribe_with_flow_control, 40);
    HARNESS_ADD(s, deliver_policies, 30);
    HARNESS_ADD(s, headers_only, 30);
    HARNESS_ADD(s, replay_original_keeps_timing, 30);
    HARNESS_ADD(s, push_redelivery_and_term, 30);
    return s;
}

int main(void)
{
    return harness_main(push_suite());
}
