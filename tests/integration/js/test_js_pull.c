/* JetStream pull consumers: fetch batches, the 404/408/409 status replies,
 * durable and ephemeral consumers, ack policies, every kind of ack (+ACK,
 * -NAK with and without delay, +WPI, +TERM, +NXT), ack_wait redelivery,
 * max_deliver, backoff, max_ack_pending, filter_subject, the consumer info
 * figures, and durable consumer state across a restart. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "js_util.h"

static struct harness_server srv;
static struct jsu_conn c;

#define MS_NS(ms) ((int64_t)(ms)*1000000LL)

static void start(void)
{
    jsu_server_start(&srv, "store", NULL);
    jsu_connect(&c, &srv);
}

/* Publishes "m-1" .. "m-<n>" to `subject`. */
static void publish_n(const char *subject, int n)
{
    for (int i = 1; i <= n; i++) {
        char data[32];
        snprintf(data, sizeof(data), "m-%d", i);
        jsu_publish(c.js, subject, data);
    }
}

/* Adds durable pull consumer `name` on stream `stream` with `cc` (NULL: an
 * explicit-ack default) and returns a subscription bound to it. */
static natsSubscription *pull_sub(const char *stream, const char *name,
                                  jsConsumerConfig *cc)
{
    jsConsumerConfig def;
    if (cc == NULL) {
        jsConsumerConfig_Init(&def);
        def.AckPolicy = js_AckExplicit;
        cc = &def;
    }
    cc->Durable = name;
    jsErrCode jerr = 0;
    natsStatus st = js_AddConsumer(NULL, c.js, stream, cc, NULL, &jerr);
    ck_assert_msg(st == NATS_OK, "add consumer %s: %s, err_code %d", name,
                  natsStatus_GetText(st), (int)jerr);
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = stream;
    so.Consumer = name;
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("bind pull sub",
                    js_PullSubscribe(&sub, c.js, NULL, name, NULL, &so, &jerr));
    return sub;
}

/* Fetches exactly `n` messages within `timeout_ms` into `list`. */
static void fetch_n(natsSubscription *sub, int n, int timeout_ms,
                    natsMsgList *list)
{
    jsErrCode jerr = 0;
    memset(list, 0, sizeof(*list));
    natsStatus st = natsSubscription_Fetch(list, sub, n, timeout_ms, &jerr);
    ck_assert_msg(st == NATS_OK, "fetch %d: %s (err_code %d)", n,
                  natsStatus_GetText(st), (int)jerr);
    ck_assert_msg(list->Count == n, "fetch %d: got %d", n, list->Count);
}

/* Fails unless a fetch of one message times out after `timeout_ms`. */
static void fetch_none(natsSubscription *sub, int timeout_ms)
{
    natsMsgList list = {0};
    jsErrCode jerr = 0;
    natsStatus st = natsSubscription_Fetch(&list, sub, 1, timeout_ms, &jerr);
    if (st == NATS_OK) {
        uint64_t seq = 0;
        jsMsgMetaData *meta = NULL;
        if (natsMsg_GetMetaData(&meta, list.Msgs[0]) == NATS_OK)
            seq = meta->Sequence.Stream;
        ck_abort_msg("expected no message, got stream seq %llu",
                     (unsigned long long)seq);
    }
    ck_assert_msg(st == NATS_TIMEOUT, "fetch: %s", natsStatus_GetText(st));
}

/* The stream sequence and delivery count of a JetStream message. */
static void meta_of(natsMsg *m, uint64_t *stream_seq, uint64_t *delivered)
{
    jsMsgMetaData *meta = NULL;
    HARNESS_NATS_OK("metadata", natsMsg_GetMetaData(&meta, m));
    *stream_seq = meta->Sequence.Stream;
    if (delivered != NULL)
        *delivered = meta->NumDelivered;
    jsMsgMetaData_Destroy(meta);
}

static uint64_t stream_seq_of(natsMsg *m)
{
    uint64_t seq = 0;
    meta_of(m, &seq, NULL);
    return seq;
}

/* A fetch returns the batch in order with full metadata; the consumer info
 * counts delivered, acked, pending and waiting exactly. */
START_TEST(fetch_batch_and_info_figures)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s.*");
    publish_n("s.x", 10);
    natsSubscription *sub = pull_sub("S", "D", NULL);

    natsMsgList list;
    fetch_n(sub, 4, 5000, &list);
    for (int i = 0; i < 4; i++) {
        jsMsgMetaData *meta = NULL;
        HARNESS_NATS_OK("metadata", natsMsg_GetMetaData(&meta, list.Msgs[i]));
        ck_assert_int_eq(meta->Sequence.Stream, i + 1);
        ck_assert_int_eq(meta->Sequence.Consumer, i + 1);
        ck_assert_int_eq(meta->NumDelivered, 1);
        ck_assert_int_eq(meta->NumPending, 10 - (i + 1));
        ck_assert_str_eq(meta->Stream, "S");
        ck_assert_str_eq(meta->Consumer, "D");
        ck_assert_int_gt(meta->Timestamp, 0);
        jsMsgMetaData_Destroy(meta);
        char want[16];
        snprintf(want, sizeof(want), "m-%d", i + 1);
        jsu_expect_data(list.Msgs[i], want);
        ck_assert_str_eq(natsMsg_GetSubject(list.Msgs[i]), "s.x");
    }
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("ack 1", natsMsg_AckSync(list.Msgs[0], NULL, &jerr));
    HARNESS_NATS_OK("ack 2", natsMsg_AckSync(list.Msgs[1], NULL, &jerr));
    jsConsumerInfo *ci = jsu_consumer_info(c.js, "S", "D");
    ck_assert_str_eq(ci->Stream, "S");
    ck_assert_str_eq(ci->Name, "D");
    ck_assert_int_eq(ci->Delivered.Consumer, 4);
    ck_assert_int_eq(ci->Delivered.Stream, 4);
    ck_assert_int_eq(ci->AckFloor.Consumer, 2);
    ck_assert_int_eq(ci->AckFloor.Stream, 2);
    ck_assert_int_eq(ci->NumAckPending, 2);
    ck_assert_int_eq(ci->NumRedelivered, 0);
    ck_assert_int_eq(ci->NumPending, 6);
    ck_assert_int_eq(ci->NumWaiting, 0);
    jsConsumerInfo_Destroy(ci);

    /* An ack above a gap does not move the floor. */
    HARNESS_NATS_OK("ack 4", natsMsg_AckSync(list.Msgs[3], NULL, &jerr));
    ci = jsu_consumer_info(c.js, "S", "D");
    ck_assert_int_eq(ci->AckFloor.Stream, 2);
    ck_assert_int_eq(ci->NumAckPending, 1);
    jsConsumerInfo_Destroy(ci);
    HARNESS_NATS_OK("ack 3", natsMsg_AckSync(list.Msgs[2], NULL, &jerr));
    ci = jsu_consumer_info(c.js, "S", "D");
    ck_assert_int_eq(ci->AckFloor.Stream, 4);
    ck_assert_int_eq(ci->AckFloor.Consumer, 4);
    ck_assert_int_eq(ci->NumAckPending, 0);
    jsConsumerInfo_Destroy(ci);
    natsMsgList_Destroy(&list);

    /* A larger batch than what is left returns what is left. */
    memset(&list, 0, sizeof(list));
    HARNESS_NATS_OK("fetch rest",
                    natsSubscription_Fetch(&list, sub, 20, 1000, &jerr));
    ck_assert_int_eq(list.Count, 6);
    ck_assert_int_eq(stream_seq_of(list.Msgs[5]), 10);
    natsMsgList_Destroy(&list);
    natsSubscription_Destroy(sub);
    jsu_close(&c);
}
END_TEST

/* Sends a raw pull request `body` for S/D with replies to `inbox`. */
static void raw_pull(const char *inbox, const char *body)
{
    HARNESS_NATS_OK("pull request", natsConnection_PublishRequest(
                                        c.nc, "$JS.API.CONSUMER.MSG.NEXT.S.D",
                                        inbox, body, (int)strlen(body)));
}

/* Waits for the next message on `sub` and checks its status code. */
static void expect_status(natsSubscription *sub, const char *code,
                          int timeout_ms)
{
    natsMsg *m = NULL;
    natsStatus st = natsSubscription_NextMsg(&m, sub, timeout_ms);
    ck_assert_msg(st == NATS_OK, "waiting for status %s: %s", code,
                  natsStatus_GetText(st));
    const char *got = jsu_status(m);
    ck_assert_msg(got != NULL && strcmp(got, code) == 0,
                  "expected status %s, got %s (%s)", code, got ? got : "none",
                  jsu_status_desc(m));
    ck_assert_int_eq(natsMsg_GetDataLength(m), 0);
    natsMsg_Destroy(m);
}

/* Raw pull requests: no_wait on an empty consumer is a 404, an expired
 * request a 408 (not before its time), a batch over max_request_batch a
 * 409; a waiting request is counted in num_waiting. */
START_TEST(pull_status_replies)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.AckPolicy = js_AckExplicit;
    cc.MaxRequestBatch = 5;
    natsSubscription *bound = pull_sub("S", "D", &cc);
    natsSubscription_Destroy(bound);

    natsInbox *inbox = NULL;
    natsInbox_Create(&inbox);
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("sub", natsConnection_SubscribeSync(&sub, c.nc, inbox));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(c.nc, 5000));

    raw_pull(inbox, "{\"batch\":1,\"no_wait\":true}");
    expect_status(sub, "404", 5000);

    int64_t t0 = harness_now_ms();
    raw_pull(inbox, "{\"batch\":1,\"expires\":400000000}");
    expect_status(sub, "408", 5000);
    int64_t waited = harness_now_ms() - t0;
    ck_assert_msg(waited >= 300, "408 after %lld ms", (long long)waited);

    raw_pull(inbox, "{\"batch\":6}");
    expect_status(sub, "409", 5000);

    /* One message and no_wait for two: the message, then a 408 (nats-server
     * ends a partly served no_wait request with 408, not 404). */
    jsu_publish(c.js, "s", "only");
    raw_pull(inbox, "{\"batch\":2,\"no_wait\":true}");
    natsMsg *m = NULL;
    HARNESS_NATS_OK("msg", natsSubscription_NextMsg(&m, sub, 5000));
    ck_assert_ptr_null(jsu_status(m));
    jsu_expect_data(m, "only");
    ck_assert_str_eq(natsMsg_GetSubject(m), "s");
    ck_assert_ptr_nonnull(natsMsg_GetReply(m));
    ck_assert(strncmp(natsMsg_GetReply(m), "$JS.ACK.S.D.", 12) == 0);
    /* natsMsg_Ack() works only on messages of JetStream subscriptions. */
    HARNESS_NATS_OK(
        "ack", natsConnection_PublishString(c.nc, natsMsg_GetReply(m), "+ACK"));
    natsMsg_Destroy(m);
    expect_status(sub, "408", 5000);

    raw_pull(inbox, "{\"batch\":1,\"expires\":3000000000}");
    int64_t deadline = harness_now_ms() + 2000;
    int64_t waiting = 0;
    while (waiting != 1 && harness_now_ms() < deadline) {
        jsConsumerInfo *ci = jsu_consumer_info(c.js, "S", "D");
        waiting = ci->NumWaiting;
        jsConsumerInfo_Destroy(ci);
    }
    ck_assert_int_eq(waiting, 1);
    jsu_publish(c.js, "s", "for the waiter");
    HARNESS_NATS_OK("waited msg", natsSubscription_NextMsg(&m, sub, 5000));
    jsu_expect_data(m, "for the waiter");
    natsMsg_Destroy(m);

    /* Through libnats: an empty fetch times out. */
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = "S";
    so.Consumer = "D";
    jsErrCode jerr = 0;
    HARNESS_NATS_OK(
        "bind", js_PullSubscribe(&bound, c.js, NULL, "D", NULL, &so, &jerr));
    harness_sleep_ms(100);
    fetch_none(bound, 300);
    natsSubscription_Destroy(bound);
    natsSubscription_Destroy(sub);
    natsInbox_Destroy(inbox);
    jsu_close(&c);
}
END_TEST

/* An ephemeral consumer gets a generated name and is removed after its
 * inactive_threshold; consumer names and list see it while it lives. */
START_TEST(ephemeral_consumer_goes_away)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    publish_n("s", 3);
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.AckPolicy = js_AckExplicit;
    cc.InactiveThreshold = MS_NS(500);
    jsConsumerInfo *ci = NULL;
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("add ephemeral",
                    js_AddConsumer(&ci, c.js, "S", &cc, NULL, &jerr));
    ck_assert_ptr_nonnull(ci->Name);
    ck_assert_int_gt((int)strlen(ci->Name), 0);
    ck_assert_ptr_null(ci->Config->Durable);
    ck_assert_int_eq(ci->NumPending, 3);
    char name[128];
    snprintf(name, sizeof(name), "%s", ci->Name);
    jsConsumerInfo_Destroy(ci);

    jsConsumerNamesList *names = NULL;
    HARNESS_NATS_OK("names", js_ConsumerNames(&names, c.js, "S", NULL, &jerr));
    ck_assert_int_eq(names->Count, 1);
    ck_assert_str_eq(names->List[0], name);
    jsConsumerNamesList_Destroy(names);

    int64_t deadline = harness_now_ms() + 8000;
    natsStatus st = NATS_OK;
    while (harness_now_ms() < deadline) {
        ci = NULL;
        st = js_GetConsumerInfo(&ci, c.js, "S", name, NULL, &jerr);
        jsConsumerInfo_Destroy(ci);
        if (st != NATS_OK)
            break;
        harness_sleep_ms(100);
    }
    ck_assert_int_eq(st, NATS_NOT_FOUND);
    ck_assert_int_eq(jerr, 10014);
    jsu_close(&c);
}
END_TEST

/* Consumer lookups: a missing consumer is 10014 (404), a consumer on a
 * missing stream 10059; names, list and delete behave. */
START_TEST(consumer_not_found_and_listing)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    /* Names up to 255 characters are kept whole, not cut. */
    char long_name[201];
    memset(long_name, 'd', 200);
    long_name[200] = '\0';
    char api[300], body[600];
    snprintf(api, sizeof(api), "CONSUMER.DURABLE.CREATE.S.%s", long_name);
    snprintf(body, sizeof(body),
             "{\"stream_name\":\"S\",\"config\":{\"durable_name\":\"%s\","
             "\"ack_policy\":\"explicit\"}}",
             long_name);
    json_decref(jsu_api_ok(c.nc, api, body));
    snprintf(api, sizeof(api), "CONSUMER.INFO.S.%s", long_name);
    json_t *li = jsu_api_ok(c.nc, api, "");
    ck_assert_str_eq(json_string_value(json_object_get(li, "name")),
                     long_name);
    json_decref(li);
    snprintf(api, sizeof(api), "CONSUMER.DELETE.S.%s", long_name);
    json_decref(jsu_api_ok(c.nc, api, ""));

    jsConsumerInfo *ci = NULL;
    jsErrCode jerr = 0;
    natsStatus st = js_GetConsumerInfo(&ci, c.js, "S", "NOPE", NULL, &jerr);
    ck_assert_int_eq(st, NATS_NOT_FOUND);
    ck_assert_int_eq(jerr, 10014);
    jsu_api_expect_err(c.nc, "CONSUMER.INFO.S.NOPE", NULL, 10014, 404);
    jsu_api_expect_err(c.nc, "CONSUMER.DELETE.S.NOPE", NULL, 10014, 404);
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = "X";
    JSU_EXPECT_ERR("consumer on missing stream",
                   js_AddConsumer(NULL, c.js, "MISSING", &cc, NULL, &jerr),
                   jerr, 10059);

    natsSubscription *a = pull_sub("S", "A", NULL);
    natsSubscription *b = pull_sub("S", "B", NULL);
    jsConsumerInfoList *list = NULL;
    HARNESS_NATS_OK("list", js_Consumers(&list, c.js, "S", NULL, &jerr));
    ck_assert_int_eq(list->Count, 2);
    jsConsumerInfoList_Destroy(list);
    json_t *r = jsu_api_ok(c.nc, "CONSUMER.NAMES.S", "");
    ck_assert_int_eq(jsu_json_int(r, "total"), 2);
    json_decref(r);
    jsStreamState state;
    jsu_stream_state(c.js, "S", &state);
    ck_assert_int_eq(state.Consumers, 2);

    HARNESS_NATS_OK("delete A", js_DeleteConsumer(c.js, "S", "A", NULL, &jerr));
    JSU_EXPECT_ERR("delete A again",
                   js_DeleteConsumer(c.js, "S", "A", NULL, &jerr), jerr, 10014);
    /* Creating durable B again with another ack policy is refused: the
     * ack policy of a consumer cannot change (10012). */
    jsConsumerConfig_Init(&cc);
    cc.Durable = "B";
    cc.AckPolicy = js_AckAll;
    JSU_EXPECT_ERR("B with another ack policy",
                   js_AddConsumer(NULL, c.js, "S", &cc, NULL, &jerr), jerr,
                   10012);
    natsSubscription_Destroy(a);
    natsSubscription_Destroy(b);
    jsu_close(&c);
}
END_TEST

/* ack_policy all: acking one message acks everything below it. */
START_TEST(ack_policy_all)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    publish_n("s", 6);
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.AckPolicy = js_AckAll;
    natsSubscription *sub = pull_sub("S", "D", &cc);
    natsMsgList list;
    fetch_n(sub, 5, 5000, &list);
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("ack 3", natsMsg_AckSync(list.Msgs[2], NULL, &jerr));
    jsConsumerInfo *ci = jsu_consumer_info(c.js, "S", "D");
    ck_assert_int_eq(ci->AckFloor.Stream, 3);
    ck_assert_int_eq(ci->NumAckPending, 2);
    jsConsumerInfo_Destroy(ci);
    HARNESS_NATS_OK("ack 5", natsMsg_AckSync(list.Msgs[4], NULL, &jerr));
    ci = jsu_consumer_info(c.js, "S", "D");
    ck_assert_int_eq(ci->AckFloor.Stream, 5);
    ck_assert_int_eq(ci->NumAckPending, 0);
    ck_assert_int_eq(ci->NumPending, 1);
    jsConsumerInfo_Destroy(ci);
    natsMsgList_Destroy(&list);
    natsSubscription_Destroy(sub);
    jsu_close(&c);
}
END_TEST

/* ack_policy none: delivered means done, and nothing is redelivered. */
START_TEST(ack_policy_none)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    publish_n("s", 4);
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.AckPolicy = js_AckNone;
    cc.AckWait = MS_NS(300);
    natsSubscription *sub = pull_sub("S", "D", &cc);
    natsMsgList list;
    fetch_n(sub, 3, 5000, &list);
    natsMsgList_Destroy(&list);
    jsConsumerInfo *ci = jsu_consumer_info(c.js, "S", "D");
    ck_assert_int_eq(ci->Config->AckPolicy, js_AckNone);
    ck_assert_int_eq(ci->Delivered.Stream, 3);
    ck_assert_int_eq(ci->AckFloor.Stream, 3);
    ck_assert_int_eq(ci->NumAckPending, 0);
    jsConsumerInfo_Destroy(ci);
    harness_sleep_ms(500);
    fetch_n(sub, 1, 5000, &list);
    ck_assert_int_eq(stream_seq_of(list.Msgs[0]), 4);
    natsMsgList_Destroy(&list);
    fetch_none(sub, 500);
    natsSubscription_Destroy(sub);
    jsu_close(&c);
}
END_TEST

/* An unacked message comes back after ack_wait with its delivery count
 * raised, at most max_deliver times in all. */
START_TEST(ack_wait_redelivery_and_max_deliver)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    jsu_publish(c.js, "s", "again");
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.AckPolicy = js_AckExplicit;
    cc.AckWait = MS_NS(500);
    cc.MaxDeliver = 2;
    natsSubscription *sub = pull_sub("S", "D", &cc);
    natsMsgList list;
    fetch_n(sub, 1, 5000, &list);
    int64_t t0 = harness_now_ms();
    uint64_t seq = 0, delivered = 0;
    meta_of(list.Msgs[0], &seq, &delivered);
    ck_assert_int_eq(seq, 1);
    ck_assert_int_eq(delivered, 1);
    natsMsgList_Destroy(&list);

    fetch_n(sub, 1, 5000, &list);
    int64_t waited = harness_now_ms() - t0;
    meta_of(list.Msgs[0], &seq, &delivered);
    ck_assert_int_eq(seq, 1);
    ck_assert_int_eq(delivered, 2);
    jsu_expect_data(list.Msgs[0], "again");
    ck_assert_msg(waited >= 400, "redelivered after %lld ms",
                  (long long)waited);
    natsMsgList_Destroy(&list);
    jsConsumerInfo *ci = jsu_consumer_info(c.js, "S", "D");
    ck_assert_int_eq(ci->NumRedelivered, 1);
    ck_assert_int_eq(ci->Delivered.Consumer, 2);
    ck_assert_int_eq(ci->Delivered.Stream, 1);
    jsConsumerInfo_Destroy(ci);

    /* max_deliver reached: no third delivery. */
    fetch_none(sub, 1500);
    natsSubscription_Destroy(sub);
    jsu_close(&c);
}
END_TEST

/* With backoff, the n-th redelivery waits backoff[n-1]. */
START_TEST(backoff_spaces_redeliveries)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    jsu_publish(c.js, "s", "slow");
    int64_t backoff[] = {MS_NS(300), MS_NS(1000)};
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.AckPolicy = js_AckExplicit;
    cc.BackOff = backoff;
    cc.BackOffLen = 2;
    cc.MaxDeliver = 3;
    natsSubscription *sub = pull_sub("S", "D", &cc);
    jsConsumerInfo *ci = jsu_consumer_info(c.js, "S", "D");
    ck_assert_int_eq(ci->Config->BackOffLen, 2);
    ck_assert_int_eq(ci->Config->BackOff[1], MS_NS(1000));
    /* ack_wait defaults to the first backoff step. */
    ck_assert_int_eq(ci->Config->AckWait, MS_NS(300));
    jsConsumerInfo_Destroy(ci);

    int64_t at[3];
    for (int i = 0; i < 3; i++) {
        natsMsgList list;
        fetch_n(sub, 1, 5000, &list);
        at[i] = harness_now_ms();
        uint64_t seq = 0, delivered = 0;
        meta_of(list.Msgs[0], &seq, &delivered);
        ck_assert_int_eq(delivered, i + 1);
        natsMsgList_Destroy(&list);
    }
    int64_t gap1 = at[1] - at[0], gap2 = at[2] - at[1];
    ck_assert_msg(gap1 >= 200 && gap1 < 900, "first gap %lld ms",
                  (long long)gap1);
    ck_assert_msg(gap2 >= 850 && gap2 < 3000, "second gap %lld ms",
                  (long long)gap2);
    fetch_none(sub, 1300);
    jsErrCode jerr = 0;
    /* backoff longer than max_deliver allows is refused. */
    int64_t too_long[] = {MS_NS(100), MS_NS(200), MS_NS(300)};
    jsConsumerConfig_Init(&cc);
    cc.Durable = "BAD";
    cc.AckPolicy = js_AckExplicit;
    cc.BackOff = too_long;
    cc.BackOffLen = 3;
    cc.MaxDeliver = 2;
    JSU_EXPECT_ERR("backoff over max_deliver",
                   js_AddConsumer(NULL, c.js, "S", &cc, NULL, &jerr), jerr,
                   10116);
    natsSubscription_Destroy(sub);
    jsu_close(&c);
}
END_TEST

/* max_ack_pending caps what is out unacked; an ack lets one more out. */
START_TEST(max_ack_pending_caps_delivery)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    publish_n("s", 10);
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.AckPolicy = js_AckExplicit;
    cc.MaxAckPending = 3;
    natsSubscription *sub = pull_sub("S", "D", &cc);
    natsMsgList list = {0};
    jsErrCode jerr = 0;
    natsStatus st = natsSubscription_Fetch(&list, sub, 10, 700, &jerr);
    ck_assert_msg(st == NATS_OK, "fetch: %s", natsStatus_GetText(st));
    ck_assert_int_eq(list.Count, 3);
    jsConsumerInfo *ci = jsu_consumer_info(c.js, "S", "D");
    ck_assert_int_eq(ci->NumAckPending, 3);
    ck_assert_int_eq(ci->NumPending, 7);
    jsConsumerInfo_Destroy(ci);
    fetch_none(sub, 300);
    HARNESS_NATS_OK("ack 1", natsMsg_AckSync(list.Msgs[0], NULL, &jerr));
    natsMsgList list2;
    fetch_n(sub, 1, 5000, &list2);
    ck_assert_int_eq(stream_seq_of(list2.Msgs[0]), 4);
    natsMsgList_Destroy(&list2);
    natsMsgList_Destroy(&list);
    natsSubscription_Destroy(sub);
    jsu_close(&c);
}
END_TEST

/* filter_subject: only matching messages are delivered and counted. */
START_TEST(filter_subject)
{
    start();
    jsu_add_simple_stream(c.js, "S", "f.*");
    jsu_publish(c.js, "f.a", "a1");
    jsu_publish(c.js, "f.b", "b1");
    jsu_publish(c.js, "f.a", "a2");
    jsu_publish(c.js, "f.c", "c1");
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.AckPolicy = js_AckExplicit;
    cc.FilterSubject = "f.a";
    natsSubscription *sub = pull_sub("S", "D", &cc);
    jsConsumerInfo *ci = jsu_consumer_info(c.js, "S", "D");
    ck_assert_int_eq(ci->NumPending, 2);
    ck_assert_str_eq(ci->Config->FilterSubject, "f.a");
    jsConsumerInfo_Destroy(ci);
    natsMsgList list = {0};
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("fetch", natsSubscription_Fetch(&list, sub, 5, 700, &jerr));
    ck_assert_int_eq(list.Count, 2);
    ck_assert_int_eq(stream_seq_of(list.Msgs[0]), 1);
    ck_assert_int_eq(stream_seq_of(list.Msgs[1]), 3);
    jsu_expect_data(list.Msgs[1], "a2");
    natsMsgList_Destroy(&list);
    jsu_publish(c.js, "f.b", "b2");
    jsu_publish(c.js, "f.a", "a3");
    fetch_n(sub, 1, 5000, &list);
    ck_assert_int_eq(stream_seq_of(list.Msgs[0]), 6);
    natsMsgList_Destroy(&list);
    natsSubscription_Destroy(sub);
    jsu_close(&c);
}
END_TEST

/* -NAK redelivers at once; -NAK with a delay not before the delay. */
START_TEST(nak_and_nak_with_delay)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    jsu_publish(c.js, "s", "n");
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.AckPolicy = js_AckExplicit;
    cc.AckWait = MS_NS(10000);
    natsSubscription *sub = pull_sub("S", "D", &cc);
    natsMsgList list;
    fetch_n(sub, 1, 5000, &list);
    HARNESS_NATS_OK("nak", natsMsg_Nak(list.Msgs[0], NULL));
    natsMsgList_Destroy(&list);
    int64_t t0 = harness_now_ms();
    fetch_n(sub, 1, 2000, &list);
    ck_assert_int_lt(harness_now_ms() - t0, 1500);
    uint64_t seq = 0, delivered = 0;
    meta_of(list.Msgs[0], &seq, &delivered);
    ck_assert_int_eq(delivered, 2);

    HARNESS_NATS_OK("nak delay", natsMsg_NakWithDelay(list.Msgs[0], 800, NULL));
    natsMsgList_Destroy(&list);
    t0 = harness_now_ms();
    fetch_none(sub, 400);
    fetch_n(sub, 1, 3000, &list);
    int64_t waited = harness_now_ms() - t0;
    ck_assert_msg(waited >= 700, "delayed nak redelivered after %lld ms",
                  (long long)waited);
    meta_of(list.Msgs[0], &seq, &delivered);
    ck_assert_int_eq(delivered, 3);
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("ack", natsMsg_AckSync(list.Msgs[0], NULL, &jerr));
    natsMsgList_Destroy(&list);
    jsConsumerInfo *ci = jsu_consumer_info(c.js, "S", "D");
    ck_assert_int_eq(ci->NumAckPending, 0);
    ck_assert_int_eq(ci->AckFloor.Stream, 1);
    jsConsumerInfo_Destroy(ci);
    natsSubscription_Destroy(sub);
    jsu_close(&c);
}
END_TEST

/* +TERM: the message is never redelivered and no longer pending. */
START_TEST(term_stops_redelivery)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    jsu_publish(c.js, "s", "t");
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.AckPolicy = js_AckExplicit;
    cc.AckWait = MS_NS(300);
    natsSubscription *sub = pull_sub("S", "D", &cc);
    natsMsgList list;
    fetch_n(sub, 1, 5000, &list);
    HARNESS_NATS_OK("term", natsMsg_Term(list.Msgs[0], NULL));
    natsMsgList_Destroy(&list);
    fetch_none(sub, 1000);
    jsConsumerInfo *ci = jsu_consumer_info(c.js, "S", "D");
    ck_assert_int_eq(ci->NumAckPending, 0);
    ck_assert_int_eq(ci->NumRedelivered, 0);
    ck_assert_int_eq(ci->AckFloor.Stream, 1);
    jsConsumerInfo_Destroy(ci);
    natsSubscription_Destroy(sub);
    jsu_close(&c);
}
END_TEST

struct wpi_ctx {
    natsMsg *msg;
    int n_sent;
    volatile int stop;
};

/* Sends +WPI for the message every 150 ms until told to stop. */
static void *wpi_loop(void *arg)
{
    struct wpi_ctx *w = arg;
    while (!w->stop) {
        if (natsMsg_InProgress(w->msg, NULL) == NATS_OK)
            w->n_sent++;
        harness_sleep_ms(150);
    }
    return NULL;
}

/* +WPI resets ack_wait: a message kept in progress for three times its
 * ack_wait is not redelivered, and can still be acked. */
START_TEST(in_progress_extends_ack_wait)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    jsu_publish(c.js, "s", "busy");
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.AckPolicy = js_AckExplicit;
    cc.AckWait = MS_NS(500);
    natsSubscription *sub = pull_sub("S", "D", &cc);
    natsMsgList list;
    fetch_n(sub, 1, 5000, &list);
    struct wpi_ctx w = {.msg = list.Msgs[0]};
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, wpi_loop, &w), 0);
    /* A waiting pull request would receive any redelivery. */
    natsMsgList none = {0};
    jsErrCode jerr = 0;
    natsStatus st = natsSubscription_Fetch(&none, sub, 1, 1500, &jerr);
    w.stop = 1;
    pthread_join(th, NULL);
    ck_assert_msg(st == NATS_TIMEOUT, "redelivered during +WPI (%s)",
                  natsStatus_GetText(st));
    ck_assert_int_ge(w.n_sent, 5);
    HARNESS_NATS_OK("ack", natsMsg_AckSync(list.Msgs[0], NULL, &jerr));
    natsMsgList_Destroy(&list);
    jsConsumerInfo *ci = jsu_consumer_info(c.js, "S", "D");
    ck_assert_int_eq(ci->NumRedelivered, 0);
    ck_assert_int_eq(ci->Delivered.Consumer, 1);
    ck_assert_int_eq(ci->NumAckPending, 0);
    jsConsumerInfo_Destroy(ci);
    natsSubscription_Destroy(sub);
    jsu_close(&c);
}
END_TEST

/* +NXT acks a message and asks for the next one to the given inbox. */
START_TEST(ack_next)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    publish_n("s", 3);
    natsSubscription *bound = pull_sub("S", "D", NULL);
    natsMsgList list;
    fetch_n(bound, 1, 5000, &list);
    natsInbox *inbox = NULL;
    natsInbox_Create(&inbox);
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("sub", natsConnection_SubscribeSync(&sub, c.nc, inbox));
    const char *nxt = "+NXT {\"batch\":2}";
    HARNESS_NATS_OK("+NXT", natsConnection_PublishRequest(
                                c.nc, natsMsg_GetReply(list.Msgs[0]), inbox,
                                nxt, (int)strlen(nxt)));
    natsMsgList_Destroy(&list);
    for (int want = 2; want <= 3; want++) {
        natsMsg *m = NULL;
        HARNESS_NATS_OK("next", natsSubscription_NextMsg(&m, sub, 5000));
        ck_assert_int_eq(stream_seq_of(m), want);
        natsMsg_Destroy(m);
    }
    jsConsumerInfo *ci = jsu_consumer_info(c.js, "S", "D");
    ck_assert_int_eq(ci->AckFloor.Stream, 1);
    ck_assert_int_eq(ci->NumAckPending, 2);
    ck_assert_int_eq(ci->Delivered.Stream, 3);
    jsConsumerInfo_Destroy(ci);
    natsSubscription_Destroy(sub);
    natsSubscription_Destroy(bound);
    natsInbox_Destroy(inbox);
    jsu_close(&c);
}
END_TEST

/* A durable's delivered and ack state survive a restart: the figures are
 * the same, the unacked messages are redelivered and the rest follow. */
START_TEST(durable_state_survives_restart)
{
    start();
    jsu_add_simple_stream(c.js, "S", "s");
    publish_n("s", 10);
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.AckPolicy = js_AckExplicit;
    cc.AckWait = MS_NS(1000);
    natsSubscription *sub = pull_sub("S", "D", &cc);
    natsMsgList list;
    fetch_n(sub, 5, 5000, &list);
    jsErrCode jerr = 0;
    for (int i = 0; i < 3; i++)
        HARNESS_NATS_OK("ack", natsMsg_AckSync(list.Msgs[i], NULL, &jerr));
    natsMsgList_Destroy(&list);
    natsSubscription_Destroy(sub);
    jsu_close(&c);

    harness_server_stop(&srv, SIGINT);
    harness_server_restart(&srv);
    jsu_connect(&c, &srv);

    jsConsumerInfo *ci = jsu_consumer_info(c.js, "S", "D");
    ck_assert_int_eq(ci->Delivered.Stream, 5);
    ck_assert_int_eq(ci->Delivered.Consumer, 5);
    ck_assert_int_eq(ci->AckFloor.Stream, 3);
    ck_assert_int_eq(ci->AckFloor.Consumer, 3);
    ck_assert_int_eq(ci->NumAckPending, 2);
    ck_assert_int_eq(ci->NumPending, 5);
    ck_assert_int_eq(ci->Config->AckWait, MS_NS(1000));
    jsConsumerInfo_Destroy(ci);

    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = "S";
    so.Consumer = "D";
    HARNESS_NATS_OK("bind",
                    js_PullSubscribe(&sub, c.js, NULL, "D", NULL, &so, &jerr));
    /* nats-server hands out new messages first and redelivers 4 and 5
     * once their ack_wait ran out; either order is fine, but 1-3 must not
     * come back and 4, 5 must come back as redeliveries. */
    int seen4 = 0, seen5 = 0;
    uint64_t last_new = 5;
    int64_t deadline = harness_now_ms() + 8000;
    while (!(seen4 && seen5) && harness_now_ms() < deadline) {
        memset(&list, 0, sizeof(list));
        if (natsSubscription_Fetch(&list, sub, 1, 3000, &jerr) != NATS_OK)
            continue;
        uint64_t seq = 0, dlv = 0;
        meta_of(list.Msgs[0], &seq, &dlv);
        if (seq == 4 || seq == 5) {
            ck_assert_int_eq(dlv, 2);
            *(seq == 4 ? &seen4 : &seen5) = 1;
        } else {
            ck_assert_int_eq(seq, last_new + 1);
            ck_assert_int_eq(dlv, 1);
            last_new = seq;
        }
        HARNESS_NATS_OK("ack", natsMsg_AckSync(list.Msgs[0], NULL, &jerr));
        natsMsgList_Destroy(&list);
    }
    ck_assert(seen4 && seen5);
    ci = jsu_consumer_info(c.js, "S", "D");
    ck_assert_int_eq(ci->AckFloor.Stream, last_new);
    ck_assert_int_eq(ci->NumPending, 10 - last_new);
    ck_assert_int_eq(ci->NumAckPending, 0);
    jsConsumerInfo_Destroy(ci);
    natsSubscription_Destroy(sub);
    jsu_close(&c);
}
END_TEST

static Suite *pull_suite(void)
{
    Suite *s = suite_create("js/pull");
    HARNESS_ADD(s, fetch_batch_and_info_figures, 30);
    HARNESS_ADD(s, pull_status_replies, 30);
    HARNESS_ADD(s, ephemeral_consumer_goes_away, 30);
    HARNESS_ADD(s, consumer_not_found_and_listing, 30);
    HARNESS_ADD(s, ack_policy_all, 30);
    HARNESS_ADD(s, ack_policy_none, 30);
    HARNESS_ADD(s, ack_wait_redelivery_and_max_deliver, 30);
    HARNESS_ADD(s, backoff_spaces_redeliveries, 30);
    HARNESS_ADD(s, max_ack_pending_caps_delivery, 30);
    HARNESS_ADD(s, filter_subject, 30);
    HARNESS_ADD(s, nak_and_nak_with_delay, 30);
    HARNESS_ADD(s, term_stops_redelivery, 30);
    HARNESS_ADD(s, in_progress_extends_ack_wait, 30);
    HARNESS_ADD(s, ack_next, 30);
    HARNESS_ADD(s, durable_state_survives_restart, 40);
    return s;
}

int main(void)
{
    return harness_main(pull_suite());
}
