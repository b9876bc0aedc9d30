/* JetStream publishing: PubAck replies, duplicate detection by
 * Nats-Msg-Id, the Nats-Expected-* headers, Nats-Rollup, no_ack streams,
 * headers kept with the message, and asynchronous publishing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "js_util.h"

static struct harness_server srv;
static struct jsu_conn c;

static void start(void)
{
    jsu_server_start(&srv, "store", NULL);
    jsu_connect(&c, &srv);
}

/* A PubAck names the stream and sequence; the raw reply is exactly that
 * JSON. A js_Publish to a subject no stream takes has no responders. */
START_TEST(puback_fields)
{
    start();
    jsu_add_simple_stream(c.js, "P", "p.>");
    jsPubAck *pa = NULL;
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("publish",
                    js_Publish(&pa, c.js, "p.1", "hello", 5, NULL, &jerr));
    ck_assert_str_eq(pa->Stream, "P");
    ck_assert_int_eq(pa->Sequence, 1);
    ck_assert(!pa->Duplicate);
    ck_assert_ptr_null(pa->Domain);
    jsPubAck_Destroy(pa);

    natsMsg *reply = NULL;
    HARNESS_NATS_OK("raw publish", natsConnection_RequestString(
                                       &reply, c.nc, "p.2", "raw", 5000));
    json_t *j = json_loadb(natsMsg_GetData(reply),
                           (size_t)natsMsg_GetDataLength(reply), 0, NULL);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(json_object_get(j, "stream")), "P");
    ck_assert_int_eq(jsu_json_int(j, "seq"), 2);
    ck_assert_ptr_null(json_object_get(j, "duplicate"));
    ck_assert_ptr_null(json_object_get(j, "error"));
    json_decref(j);
    natsMsg_Destroy(reply);

    /* A plain publish (no reply subject) is stored too. */
    HARNESS_NATS_OK("core publish",
                    natsConnection_PublishString(c.nc, "p.3", "core"));
    HARNESS_NATS_OK("flush", natsConnection_FlushTimeout(c.nc, 5000));
    ck_assert_int_eq(jsu_publish(c.js, "p.4", "after"), 4);
    natsMsg *m = NULL;
    HARNESS_NATS_OK("get 3", js_GetMsg(&m, c.js, "P", 3, NULL, &jerr));
    jsu_expect_data(m, "core");
    natsMsg_Destroy(m);

    natsStatus st = js_Publish(NULL, c.js, "nostream", "x", 1, NULL, &jerr);
    ck_assert_int_eq(st, NATS_NO_RESPONDERS);
    jsu_close(&c);
}
END_TEST

/* The same Nats-Msg-Id within the duplicate window is acked as a
 * duplicate with the original sequence and not stored again; after the
 * window it is a new message. */
START_TEST(msg_id_duplicates)
{
    start();
    const char *subjects[] = {"d.>"};
    jsStreamConfig cfg;
    jsu_stream_cfg(&cfg, "D", subjects);
    cfg.Duplicates = 700LL * 1000000LL; /* 700 ms */
    jsu_add_stream(c.js, &cfg);

    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = "id-1";
    jsPubAck *pa = NULL;
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("first", js_Publish(&pa, c.js, "d.x", "a", 1, &po, &jerr));
    ck_assert_int_eq(pa->Sequence, 1);
    ck_assert(!pa->Duplicate);
    jsPubAck_Destroy(pa);
    jsu_publish(c.js, "d.x", "no id");
    HARNESS_NATS_OK("again", js_Publish(&pa, c.js, "d.x", "b", 1, &po, &jerr));
    ck_assert_int_eq(pa->Sequence, 1);
    ck_assert(pa->Duplicate);
    jsPubAck_Destroy(pa);
    po.MsgId = "id-2";
    HARNESS_NATS_OK("other id",
                    js_Publish(&pa, c.js, "d.x", "c", 1, &po, &jerr));
    ck_assert_int_eq(pa->Sequence, 3);
    ck_assert(!pa->Duplicate);
    jsPubAck_Destroy(pa);

    /* The raw reply says "duplicate": true. */
    natsMsg *msg = NULL;
    natsInbox *inbox = NULL;
    natsInbox_Create(&inbox);
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("sub", natsConnection_SubscribeSync(&sub, c.nc, inbox));
    HARNESS_NATS_OK("msg", natsMsg_Create(&msg, "d.x", inbox, "d", 1));
    natsMsgHeader_Set(msg, "Nats-Msg-Id", "id-2");
    HARNESS_NATS_OK("raw pub", natsConnection_PublishMsg(c.nc, msg));
    natsMsg_Destroy(msg);
    natsMsg *reply = NULL;
    HARNESS_NATS_OK("reply", natsSubscription_NextMsg(&reply, sub, 5000));
    json_t *j = json_loadb(natsMsg_GetData(reply),
                           (size_t)natsMsg_GetDataLength(reply), 0, NULL);
    ck_assert_ptr_nonnull(j);
    ck_assert(json_is_true(json_object_get(j, "duplicate")));
    ck_assert_int_eq(jsu_json_int(j, "seq"), 3);
    json_decref(j);
    natsMsg_Destroy(reply);
    natsSubscription_Destroy(sub);
    natsInbox_Destroy(inbox);

    jsStreamState state;
    jsu_stream_state(c.js, "D", &state);
    ck_assert_int_eq(state.Msgs, 3);

    harness_sleep_ms(1500);
    po.MsgId = "id-1";
    HARNESS_NATS_OK("after window",
                    js_Publish(&pa, c.js, "d.x", "e", 1, &po, &jerr));
    ck_assert(!pa->Duplicate);
    ck_assert_int_eq(pa->Sequence, 4);
    jsPubAck_Destroy(pa);
    jsu_close(&c);
}
END_TEST

/* Nats-Expected-Last-Sequence: a mismatch is 10071 and nothing is stored;
 * the right value is accepted. */
START_TEST(expected_last_sequence)
{
    start();
    jsu_add_simple_stream(c.js, "E", "e.*");
    jsu_publish(c.js, "e.a", "1");
    jsu_publish(c.js, "e.b", "2");
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.ExpectLastSeq = 1;
    jsErrCode jerr = 0;
    JSU_EXPECT_ERR("stale last seq",
                   js_Publish(NULL, c.js, "e.a", "x", 1, &po, &jerr), jerr,
                   10071);
    po.ExpectLastSeq = 2;
    jsPubAck *pa = NULL;
    HARNESS_NATS_OK("right last seq",
                    js_Publish(&pa, c.js, "e.a", "y", 1, &po, &jerr));
    ck_assert_int_eq(pa->Sequence, 3);
    jsPubAck_Destroy(pa);
    jsStreamState state;
    jsu_stream_state(c.js, "E", &state);
    ck_assert_int_eq(state.Msgs, 3);
    jsu_close(&c);
}
END_TEST

/* Nats-Expected-Stream: another stream's name is 10060. */
START_TEST(expected_stream)
{
    start();
    jsu_add_simple_stream(c.js, "E", "e.*");
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.ExpectStream = "OTHER";
    jsErrCode jerr = 0;
    JSU_EXPECT_ERR("wrong stream",
                   js_Publish(NULL, c.js, "e.a", "x", 1, &po, &jerr), jerr,
                   10060);
    po.ExpectStream = "E";
    HARNESS_NATS_OK("right stream",
                    js_Publish(NULL, c.js, "e.a", "x", 1, &po, &jerr));
    jsStreamState state;
    jsu_stream_state(c.js, "E", &state);
    ck_assert_int_eq(state.Msgs, 1);
    jsu_close(&c);
}
END_TEST

/* Nats-Expected-Last-Subject-Sequence compares with the subject's own
 * last sequence (0 for a subject not seen yet); a mismatch is 10071. */
START_TEST(expected_last_subject_sequence)
{
    start();
    jsu_add_simple_stream(c.js, "E", "e.*");
    jsu_publish(c.js, "e.a", "1");
    jsu_publish(c.js, "e.b", "2");
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.ExpectLastSubjectSeq = 2;
    jsErrCode jerr = 0;
    JSU_EXPECT_ERR("e.a is at 1, not 2",
                   js_Publish(NULL, c.js, "e.a", "x", 1, &po, &jerr), jerr,
                   10071);
    po.ExpectLastSubjectSeq = 1;
    jsPubAck *pa = NULL;
    HARNESS_NATS_OK("e.a at 1",
                    js_Publish(&pa, c.js, "e.a", "y", 1, &po, &jerr));
    ck_assert_int_eq(pa->Sequence, 3);
    jsPubAck_Destroy(pa);
    /* ExpectNoMessage: the subject must have no message yet. */
    jsPubOptions_Init(&po);
    po.ExpectNoMessage = true;
    JSU_EXPECT_ERR("e.b exists",
                   js_Publish(NULL, c.js, "e.b", "x", 1, &po, &jerr), jerr,
                   10071);
    HARNESS_NATS_OK("e.c is new",
                    js_Publish(NULL, c.js, "e.c", "x", 1, &po, &jerr));
    jsStreamState state;
    jsu_stream_state(c.js, "E", &state);
    ck_assert_int_eq(state.Msgs, 4);
    jsu_close(&c);
}
END_TEST

/* Nats-Expected-Last-Msg-Id: a mismatch is 10070. */
START_TEST(expected_last_msg_id)
{
    start();
    jsu_add_simple_stream(c.js, "E", "e.*");
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = "m1";
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("m1", js_Publish(NULL, c.js, "e.a", "1", 1, &po, &jerr));
    jsPubOptions_Init(&po);
    po.MsgId = "m2";
    po.ExpectLastMsgId = "m0";
    JSU_EXPECT_ERR("last id is m1",
                   js_Publish(NULL, c.js, "e.a", "2", 1, &po, &jerr), jerr,
                   10070);
    po.ExpectLastMsgId = "m1";
    HARNESS_NATS_OK("m2 after m1",
                    js_Publish(NULL, c.js, "e.a", "2", 1, &po, &jerr));
    jsStreamState state;
    jsu_stream_state(c.js, "E", &state);
    ck_assert_int_eq(state.Msgs, 2);
    jsu_close(&c);
}
END_TEST

/* Publishes `data` to `subject` with header Nats-Rollup: `how`; returns
 * the status and fills `jerr`. */
static natsStatus publish_rollup(const char *subject, const char *data,
                                 const char *how, jsErrCode *jerr)
{
    natsMsg *m = NULL;
    HARNESS_NATS_OK("msg",
                    natsMsg_Create(&m, subject, NULL, data, (int)strlen(data)));
    natsMsgHeader_Set(m, "Nats-Rollup", how);
    natsStatus st = js_PublishMsg(NULL, c.js, m, NULL, jerr);
    natsMsg_Destroy(m);
    return st;
}

/* Nats-Rollup "sub" replaces the subject's messages with the new one,
 * "all" replaces the whole stream; both need allow_rollup_hdrs. */
START_TEST(rollup_sub_and_all)
{
    start();
    jsu_add_simple_stream(c.js, "NR", "nr.*");
    jsErrCode jerr = 0;
    JSU_EXPECT_ERR("rollup not allowed",
                   publish_rollup("nr.a", "x", "sub", &jerr), jerr, 10111);

    const char *subjects[] = {"r.*"};
    jsStreamConfig cfg;
    jsu_stream_cfg(&cfg, "R", subjects);
    cfg.AllowRollup = true;
    jsu_add_stream(c.js, &cfg);
    for (int i = 0; i < 3; i++)
        jsu_publish(c.js, "r.a", "a");
    jsu_publish(c.js, "r.b", "b1");
    jsu_publish(c.js, "r.b", "b2");
    HARNESS_NATS_OK("rollup sub", publish_rollup("r.a", "a-sum", "sub", &jerr));
    jsStreamState state;
    jsu_stream_state(c.js, "R", &state);
    ck_assert_int_eq(state.Msgs, 3);
    ck_assert_int_eq(state.LastSeq, 6);
    ck_assert_int_eq(state.FirstSeq, 4);
    natsMsg *m = NULL;
    HARNESS_NATS_OK("last r.a",
                    js_GetLastMsg(&m, c.js, "R", "r.a", NULL, &jerr));
    jsu_expect_data(m, "a-sum");
    ck_assert_int_eq(natsMsg_GetSequence(m), 6);
    natsMsg_Destroy(m);

    /* An unknown rollup value is not stored. nats-server 2.9.10 sends no
     * reply at all then, so only a failed publish is required. */
    HARNESS_NATS_OK("msg", natsMsg_Create(&m, "r.a", NULL, "x", 1));
    natsMsgHeader_Set(m, "Nats-Rollup", "bogus");
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = 1000;
    ck_assert_int_ne(js_PublishMsg(NULL, c.js, m, &po, &jerr), NATS_OK);
    natsMsg_Destroy(m);
    jsu_stream_state(c.js, "R", &state);
    ck_assert_int_eq(state.Msgs, 3);
    ck_assert_int_eq(state.LastSeq, 6);

    HARNESS_NATS_OK("rollup all", publish_rollup("r.c", "all", "all", &jerr));
    jsu_stream_state(c.js, "R", &state);
    ck_assert_int_eq(state.Msgs, 1);
    ck_assert_int_eq(state.FirstSeq, 7);
    ck_assert_int_eq(state.LastSeq, 7);
    jsu_close(&c);
}
END_TEST

/* A no_ack stream stores what it gets but sends no PubAck. */
START_TEST(no_ack_stream_sends_no_ack)
{
    start();
    const char *subjects[] = {"na"};
    jsStreamConfig cfg;
    jsu_stream_cfg(&cfg, "NA", subjects);
    cfg.NoAck = true;
    jsu_add_stream(c.js, &cfg);
    natsMsg *reply = NULL;
    natsStatus st =
        natsConnection_RequestString(&reply, c.nc, "na", "quiet", 700);
    ck_assert_msg(st == NATS_TIMEOUT, "expected no reply, got %s",
                  natsStatus_GetText(st));
    jsStreamState state;
    jsu_stream_state(c.js, "NA", &state);
    ck_assert_int_eq(state.Msgs, 1);
    natsMsg *m = NULL;
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("get 1", js_GetMsg(&m, c.js, "NA", 1, NULL, &jerr));
    jsu_expect_data(m, "quiet");
    natsMsg_Destroy(m);
    jsu_close(&c);
}
END_TEST

/* Application headers, including a repeated key, come back unchanged from
 * msg get and from a consumer; JetStream's own headers are not stored. */
START_TEST(headers_are_preserved)
{
    start();
    jsu_add_simple_stream(c.js, "H", "h");
    natsMsg *m = NULL;
    HARNESS_NATS_OK("msg", natsMsg_Create(&m, "h", NULL, "body", 4));
    natsMsgHeader_Set(m, "X-Trace", "abc-123");
    natsMsgHeader_Add(m, "X-Multi", "one");
    natsMsgHeader_Add(m, "X-Multi", "two");
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = "hdr-1";
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("publish", js_PublishMsg(NULL, c.js, m, &po, &jerr));
    natsMsg_Destroy(m);

    for (int pass = 0; pass < 2; pass++) {
        natsMsg *got = NULL;
        natsSubscription *sub = NULL;
        natsMsgList list = {0};
        if (pass == 0) {
            HARNESS_NATS_OK("get", js_GetMsg(&got, c.js, "H", 1, NULL, &jerr));
        } else {
            HARNESS_NATS_OK("pull sub", js_PullSubscribe(&sub, c.js, "h", "HC",
                                                         NULL, NULL, &jerr));
            HARNESS_NATS_OK("fetch",
                            natsSubscription_Fetch(&list, sub, 1, 5000, &jerr));
            ck_assert_int_eq(list.Count, 1);
            got = list.Msgs[0];
        }
        jsu_expect_data(got, "body");
        const char *v = NULL;
        HARNESS_NATS_OK("X-Trace", natsMsgHeader_Get(got, "X-Trace", &v));
        ck_assert_str_eq(v, "abc-123");
        const char **vals = NULL;
        int n = 0;
        HARNESS_NATS_OK("X-Multi",
                        natsMsgHeader_Values(got, "X-Multi", &vals, &n));
        ck_assert_int_eq(n, 2);
        ck_assert_str_eq(vals[0], "one");
        ck_assert_str_eq(vals[1], "two");
        free((void *)vals);
        /* The message id is stored with the message. */
        HARNESS_NATS_OK("msg id", natsMsgHeader_Get(got, "Nats-Msg-Id", &v));
        ck_assert_str_eq(v, "hdr-1");
        if (pass == 0) {
            natsMsg_Destroy(got);
        } else {
            natsMsgList_Destroy(&list);
            natsSubscription_Destroy(sub);
        }
    }
    jsu_close(&c);
}
END_TEST

struct async_acks {
    pthread_mutex_t mu;
    int n_ok;
    int n_err;
    uint64_t max_seq;
};

static void on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae,
                   void *closure)
{
    struct async_acks *a = closure;
    pthread_mutex_lock(&a->mu);
    if (pa != NULL) {
        a->n_ok++;
        if (pa->Sequence > a->max_seq)
            a->max_seq = pa->Sequence;
    } else {
        a->n_err++;
    }
    pthread_mutex_unlock(&a->mu);
    natsMsg_Destroy(msg);
}

/* 2000 asynchronous publishes with a window of 128 in flight are all
 * acked, each with its own sequence. */
START_TEST(async_publish_window)
{
    jsu_server_start(&srv, "store", NULL);
    struct async_acks acks = {.mu = PTHREAD_MUTEX_INITIALIZER};
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = JSU_API_TIMEOUT_MS;
    jo.PublishAsync.MaxPending = 128;
    jo.PublishAsync.AckHandler = on_ack;
    jo.PublishAsync.AckHandlerClosure = &acks;
    natsOptions *o = harness_opts(&srv);
    jsu_connect_with(&c, o, &jo);
    natsOptions_Destroy(o);
    jsu_add_simple_stream(c.js, "A", "a");
    for (int i = 0; i < 2000; i++) {
        char data[32];
        int len = snprintf(data, sizeof(data), "m-%d", i);
        HARNESS_NATS_OK("publish async",
                        js_PublishAsync(c.js, "a", data, len, NULL));
    }
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = 10000;
    HARNESS_NATS_OK("complete", js_PublishAsyncComplete(c.js, &po));
    pthread_mutex_lock(&acks.mu);
    ck_assert_int_eq(acks.n_ok, 2000);
    ck_assert_int_eq(acks.n_err, 0);
    ck_assert_int_eq(acks.max_seq, 2000);
    pthread_mutex_unlock(&acks.mu);
    natsMsg *m = NULL;
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("get 1234", js_GetMsg(&m, c.js, "A", 1234, NULL, &jerr));
    jsu_expect_data(m, "m-1233");
    natsMsg_Destroy(m);
    jsu_close(&c);
}
END_TEST

static Suite *publish_suite(void)
{
    Suite *s = suite_create("js/publish");
    HARNESS_ADD(s, puback_fields, 30);
    HARNESS_ADD(s, msg_id_duplicates, 30);
    HARNESS_ADD(s, expected_last_sequence, 30);
    HARNESS_ADD(s, expected_stream, 30);
    HARNESS_ADD(s, expected_last_subject_sequence, 30);
    HARNESS_ADD(s, expected_last_msg_id, 30);
    HARNESS_ADD(s, rollup_sub_and_all, 30);
    HARNESS_ADD(s, no_ack_stream_sends_no_ack, 30);
    HARNESS_ADD(s, headers_are_preserved, 30);
    HARNESS_ADD(s, async_publish_window, 60);
    return s;
}

int main(void)
{
    return harness_main(publish_suite());
}
