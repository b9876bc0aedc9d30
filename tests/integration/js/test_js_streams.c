/* JetStream streams: the STREAM.* API (create, info, update, delete, names,
 * list, purge, msg get/delete, direct get), its error codes, the stream
 * flags (sealed, deny_delete, deny_purge), limits with both discard
 * policies, retention policies and storage types. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "js_util.h"

static struct harness_server srv;
static struct jsu_conn c;

static void start(void)
{
    jsu_server_start(&srv, "store", NULL);
    jsu_connect(&c, &srv);
}

static void stop(void)
{
    jsu_close(&c);
}

/* Publishes `n` messages "<prefix>-<i>" (i from 1) to `subject`. */
static void publish_n(const char *subject, const char *prefix, int n)
{
    for (int i = 1; i <= n; i++) {
        char data[64];
        snprintf(data, sizeof(data), "%s-%d", prefix, i);
        jsu_publish(c.js, subject, data);
    }
}

/* Create, info, update, delete: the config comes back as given, an update
 * that adds a subject and lowers max_msgs applies both at once, and a
 * deleted stream is gone (10059). */
START_TEST(create_info_update_delete)
{
    start();
    const char *subjects[] = {"orders.*"};
    jsStreamConfig cfg;
    jsu_stream_cfg(&cfg, "ORDERS", subjects);
    cfg.Description = "all orders";
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("add", js_AddStream(&si, c.js, &cfg, NULL, &jerr));
    ck_assert_str_eq(si->Config->Name, "ORDERS");
    ck_assert_str_eq(si->Config->Description, "all orders");
    ck_assert_int_eq(si->Config->SubjectsLen, 1);
    ck_assert_str_eq(si->Config->Subjects[0], "orders.*");
    ck_assert_int_eq(si->Config->Retention, js_LimitsPolicy);
    ck_assert_int_eq(si->Config->Storage, js_FileStorage);
    ck_assert_int_eq(si->Config->Discard, js_DiscardOld);
    ck_assert_int_eq(si->Config->MaxMsgs, -1);
    ck_assert_int_eq(si->Config->MaxBytes, -1);
    ck_assert_int_eq(si->Config->Replicas, 1);
    /* The default duplicate window is two minutes. */
    ck_assert_int_eq(si->Config->Duplicates, 120LL * 1000000000LL);
    ck_assert_int_eq(si->State.Msgs, 0);
    ck_assert_int_eq(si->State.LastSeq, 0);
    ck_assert_int_gt(si->Created, 0);
    jsStreamInfo_Destroy(si);

    publish_n("orders.new", "o", 3);
    jsStreamState state;
    jsu_stream_state(c.js, "ORDERS", &state);
    ck_assert_int_eq(state.Msgs, 3);
    ck_assert_int_eq(state.FirstSeq, 1);
    ck_assert_int_eq(state.LastSeq, 3);
    ck_assert_int_gt(state.Bytes, 0);
    ck_assert_int_eq(state.NumSubjects, 1);

    const char *more[] = {"orders.*", "refunds.*"};
    cfg.Subjects = more;
    cfg.SubjectsLen = 2;
    cfg.MaxMsgs = 2;
    si = NULL;
    HARNESS_NATS_OK("update", js_UpdateStream(&si, c.js, &cfg, NULL, &jerr));
    ck_assert_int_eq(si->Config->SubjectsLen, 2);
    ck_assert_str_eq(si->Config->Subjects[1], "refunds.*");
    ck_assert_int_eq(si->Config->MaxMsgs, 2);
    ck_assert_int_eq(si->State.Msgs, 2);
    ck_assert_int_eq(si->State.FirstSeq, 2);
    jsStreamInfo_Destroy(si);
    ck_assert_int_eq(jsu_publish(c.js, "refunds.1", "r"), 4);

    /* Storage type cannot change on update. */
    cfg.Storage = js_MemoryStorage;
    JSU_EXPECT_ERR("update storage",
                   js_UpdateStream(NULL, c.js, &cfg, NULL, &jerr), jerr, 10052);

    HARNESS_NATS_OK("delete", js_DeleteStream(c.js, "ORDERS", NULL, &jerr));
    natsStatus st = js_GetStreamInfo(&si, c.js, "ORDERS", NULL, &jerr);
    ck_assert_int_eq(st, NATS_NOT_FOUND);
    ck_assert_int_eq(jerr, 10059);
    jsu_api_expect_err(c.nc, "STREAM.DELETE.ORDERS", NULL, 10059, 404);
    stop();
}
END_TEST

/* STREAM.NAMES and STREAM.LIST report every stream, in name order, with
 * totals; js_StreamNames and js_Streams see the same. */
START_TEST(names_and_list)
{
    start();
    jsu_add_simple_stream(c.js, "C", "c.>");
    jsu_add_simple_stream(c.js, "A", "a.>");
    jsu_add_simple_stream(c.js, "B", "b.>");
    jsu_publish(c.js, "b.x", "one");

    jsStreamNamesList *names = NULL;
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("names", js_StreamNames(&names, c.js, NULL, &jerr));
    ck_assert_int_eq(names->Count, 3);
    int seen = 0;
    for (int i = 0; i < names->Count; i++)
        for (int k = 0; k < 3; k++)
            if (strcmp(names->List[i], (const char *[]){"A", "B", "C"}[k]) == 0)
                seen |= 1 << k;
    ck_assert_int_eq(seen, 7);
    jsStreamNamesList_Destroy(names);

    jsStreamInfoList *list = NULL;
    HARNESS_NATS_OK("list", js_Streams(&list, c.js, NULL, &jerr));
    ck_assert_int_eq(list->Count, 3);
    for (int i = 0; i < list->Count; i++)
        if (strcmp(list->List[i]->Config->Name, "B") == 0)
            ck_assert_int_eq(list->List[i]->State.Msgs, 1);
    jsStreamInfoList_Destroy(list);

    json_t *r = jsu_api_ok(c.nc, "STREAM.NAMES", "{\"offset\":0}");
    ck_assert_int_eq(jsu_json_int(r, "total"), 3);
    ck_assert_int_eq(jsu_json_int(r, "offset"), 0);
    ck_assert_int_eq(json_array_size(json_object_get(r, "streams")), 3);
    json_decref(r);
    /* Filtered by subject: only the stream that would store it. */
    r = jsu_api_ok(c.nc, "STREAM.NAMES", "{\"subject\":\"a.q\"}");
    json_t *arr = json_object_get(r, "streams");
    ck_assert_int_eq(json_array_size(arr), 1);
    ck_assert_str_eq(json_string_value(json_array_get(arr, 0)), "A");
    json_decref(r);
    r = jsu_api_ok(c.nc, "STREAM.LIST", "");
    ck_assert_int_eq(jsu_json_int(r, "total"), 3);
    ck_assert_int_eq(json_array_size(json_object_get(r, "streams")), 3);
    json_decref(r);
    stop();
}
END_TEST

/* Creating an existing stream again with the same config is a no-op; with
 * a different config it fails with 10058. */
START_TEST(name_in_use_with_other_config_is_10058)
{
    start();
    const char *subjects[] = {"x.>"};
    jsStreamConfig cfg;
    jsu_stream_cfg(&cfg, "X", subjects);
    jsu_add_stream(c.js, &cfg);
    jsu_publish(c.js, "x.1", "kept");
    jsu_add_stream(c.js, &cfg);
    jsStreamState state;
    jsu_stream_state(c.js, "X", &state);
    ck_assert_int_eq(state.Msgs, 1);

    cfg.MaxMsgs = 10;
    jsErrCode jerr = 0;
    JSU_EXPECT_ERR("add with other config",
                   js_AddStream(NULL, c.js, &cfg, NULL, &jerr), jerr, 10058);
    jsu_api_expect_err(c.nc, "STREAM.CREATE.X",
                       "{\"name\":\"X\",\"subjects\":[\"y.>\"]}", 10058, 400);
    stop();
}
END_TEST

/* Info, update, purge and delete of a missing stream: 10059 (code 404). */
START_TEST(missing_stream_is_10059)
{
    start();
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus st = js_GetStreamInfo(&si, c.js, "NOPE", NULL, &jerr);
    ck_assert_int_eq(st, NATS_NOT_FOUND);
    ck_assert_int_eq(jerr, 10059);
    jsu_api_expect_err(c.nc, "STREAM.INFO.NOPE", NULL, 10059, 404);
    jsu_api_expect_err(c.nc, "STREAM.PURGE.NOPE", NULL, 10059, 404);
    jsu_api_expect_err(c.nc, "STREAM.UPDATE.NOPE",
                       "{\"name\":\"NOPE\",\"subjects\":[\"n\"]}", 10059, 404);
    jsu_api_expect_err(c.nc, "STREAM.MSG.GET.NOPE", "{\"seq\":1}", 10059, 404);
    stop();
}
END_TEST

/* A stream whose subjects overlap another stream's is refused with 10065,
 * both on create and on update. */
START_TEST(overlapping_subjects_are_10065)
{
    start();
    jsu_add_simple_stream(c.js, "A", "a.>");
    jsu_add_simple_stream(c.js, "B", "b.*");
    const char *overlap[] = {"a.b"};
    jsStreamConfig cfg;
    jsu_stream_cfg(&cfg, "C", overlap);
    jsErrCode jerr = 0;
    JSU_EXPECT_ERR("add a.b over a.>",
                   js_AddStream(NULL, c.js, &cfg, NULL, &jerr), jerr, 10065);
    const char *wild[] = {"*.x"};
    jsu_stream_cfg(&cfg, "C", wild);
    JSU_EXPECT_ERR("add *.x over b.*",
                   js_AddStream(NULL, c.js, &cfg, NULL, &jerr), jerr, 10065);
    const char *b_over_a[] = {"a.*"};
    jsu_stream_cfg(&cfg, "B", b_over_a);
    JSU_EXPECT_ERR("update B onto a.*",
                   js_UpdateStream(NULL, c.js, &cfg, NULL, &jerr), jerr, 10065);
    jsStreamNamesList *names = NULL;
    HARNESS_NATS_OK("names", js_StreamNames(&names, c.js, NULL, &jerr));
    ck_assert_int_eq(names->Count, 2);
    jsStreamNamesList_Destroy(names);
    stop();
}
END_TEST

/* Malformed or inconsistent requests get error replies, not silence. */
START_TEST(bad_requests_get_error_replies)
{
    start();
    jsu_api_expect_err(c.nc, "STREAM.CREATE.X", "{not json", 10025, 400);
    jsu_api_expect_err(c.nc, "STREAM.CREATE.X", "[1,2]", 10025, 400);
    /* The name in the subject must match the one in the body. */
    jsu_api_expect_err(c.nc, "STREAM.CREATE.X",
                       "{\"name\":\"Y\",\"subjects\":[\"y\"]}", 10056, 400);
    jsu_add_simple_stream(c.js, "S", "s.>");
    jsu_api_expect_err(c.nc, "STREAM.MSG.GET.S", "{bad", 10025, 400);
    jsu_api_expect_err(c.nc, "STREAM.PURGE.S", "{\"filter\":", 10025, 400);
    jsu_api_expect_err(c.nc, "CONSUMER.CREATE.S", "nope", 10025, 400);
    /* The server is still fine. */
    ck_assert_int_eq(jsu_publish(c.js, "s.1", "alive"), 1);
    stop();
}
END_TEST

/* Purge by subject, up to a sequence, keeping the last n, and all; each
 * reply counts what went and the state follows. */
START_TEST(purge_variants)
{
    start();
    jsu_add_simple_stream(c.js, "P", "p.*");
    for (int i = 1; i <= 10; i++)
        jsu_publish(c.js, i % 2 ? "p.a" : "p.b", "x");

    json_t *r = jsu_api_ok(c.nc, "STREAM.PURGE.P", "{\"filter\":\"p.a\"}");
    ck_assert(json_is_true(json_object_get(r, "success")));
    ck_assert_int_eq(jsu_json_int(r, "purged"), 5);
    json_decref(r);
    jsStreamState state;
    jsu_stream_state(c.js, "P", &state);
    ck_assert_int_eq(state.Msgs, 5);
    ck_assert_int_eq(state.FirstSeq, 2);

    /* Up to, not including, sequence 6: removes 2 and 4. */
    jsOptions o;
    jsOptions_Init(&o);
    o.Stream.Purge.Sequence = 6;
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("purge seq", js_PurgeStream(c.js, "P", &o, &jerr));
    jsu_stream_state(c.js, "P", &state);
    ck_assert_int_eq(state.Msgs, 3);
    ck_assert_int_eq(state.FirstSeq, 6);

    r = jsu_api_ok(c.nc, "STREAM.PURGE.P", "{\"keep\":1}");
    ck_assert_int_eq(jsu_json_int(r, "purged"), 2);
    json_decref(r);
    jsu_stream_state(c.js, "P", &state);
    ck_assert_int_eq(state.Msgs, 1);
    ck_assert_int_eq(state.FirstSeq, 10);

    HARNESS_NATS_OK("purge all", js_PurgeStream(c.js, "P", NULL, &jerr));
    jsu_stream_state(c.js, "P", &state);
    ck_assert_int_eq(state.Msgs, 0);
    ck_assert_int_eq(state.Bytes, 0);
    ck_assert_int_eq(state.FirstSeq, 11);
    ck_assert_int_eq(state.LastSeq, 10);
    /* Sequences carry on after a purge. */
    ck_assert_int_eq(jsu_publish(c.js, "p.a", "after"), 11);
    stop();
}
END_TEST

/* Message get by sequence and last by subject, delete, and the errors for
 * missing messages. */
START_TEST(msg_get_and_delete)
{
    start();
    jsu_add_simple_stream(c.js, "M", "m.*");
    jsu_publish(c.js, "m.a", "one");
    jsu_publish(c.js, "m.b", "two");
    jsu_publish(c.js, "m.a", "three");

    natsMsg *m = NULL;
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("get 2", js_GetMsg(&m, c.js, "M", 2, NULL, &jerr));
    ck_assert_str_eq(natsMsg_GetSubject(m), "m.b");
    jsu_expect_data(m, "two");
    ck_assert_int_eq(natsMsg_GetSequence(m), 2);
    ck_assert_int_gt(natsMsg_GetTime(m), 0);
    natsMsg_Destroy(m);
    HARNESS_NATS_OK("get last m.a",
                    js_GetLastMsg(&m, c.js, "M", "m.a", NULL, &jerr));
    jsu_expect_data(m, "three");
    ck_assert_int_eq(natsMsg_GetSequence(m), 3);
    natsMsg_Destroy(m);

    HARNESS_NATS_OK("delete 2", js_DeleteMsg(c.js, "M", 2, NULL, &jerr));
    natsStatus st = js_GetMsg(&m, c.js, "M", 2, NULL, &jerr);
    ck_assert_int_eq(st, NATS_NOT_FOUND);
    ck_assert_int_eq(jerr, 10037);
    st = js_GetLastMsg(&m, c.js, "M", "m.b", NULL, &jerr);
    ck_assert_int_eq(st, NATS_NOT_FOUND);
    ck_assert_int_eq(jerr, 10037);
    jsu_api_expect_err(c.nc, "STREAM.MSG.GET.M", "{\"seq\":99}", 10037, 404);
    JSU_EXPECT_ERR("delete 2 again", js_DeleteMsg(c.js, "M", 2, NULL, &jerr),
                   jerr, 10043);
    /* Past the last sequence the store says EOF (500/10057). */
    jsu_api_expect_err(c.nc, "STREAM.MSG.DELETE.M", "{\"seq\":99}", 10057,
                       500);

    jsOptions o;
    jsOptions_Init(&o);
    o.Stream.Info.DeletedDetails = true;
    jsStreamInfo *si = NULL;
    HARNESS_NATS_OK("info", js_GetStreamInfo(&si, c.js, "M", &o, &jerr));
    ck_assert_int_eq(si->State.Msgs, 2);
    ck_assert_int_eq(si->State.NumDeleted, 1);
    ck_assert_int_eq(si->State.DeletedLen, 1);
    ck_assert_int_eq(si->State.Deleted[0], 2);
    jsStreamInfo_Destroy(si);

    /* Erase (overwrite) works like delete for readers. */
    HARNESS_NATS_OK("erase 1", js_EraseMsg(c.js, "M", 1, NULL, &jerr));
    jsStreamState state;
    jsu_stream_state(c.js, "M", &state);
    ck_assert_int_eq(state.Msgs, 1);
    ck_assert_int_eq(state.FirstSeq, 3);
    stop();
}
END_TEST

/* DIRECT.GET (allow_direct) by sequence, next and last by subject, and the
 * 404 status for a missing message. */
START_TEST(direct_get)
{
    start();
    const char *subjects[] = {"d.*"};
    jsStreamConfig cfg;
    jsu_stream_cfg(&cfg, "D", subjects);
    cfg.AllowDirect = true;
    jsu_add_stream(c.js, &cfg);
    jsu_publish(c.js, "d.a", "a1");
    jsu_publish(c.js, "d.b", "b1");
    jsu_publish(c.js, "d.a", "a2");

    jsDirectGetMsgOptions dg;
    jsDirectGetMsgOptions_Init(&dg);
    dg.Sequence = 2;
    natsMsg *m = NULL;
    HARNESS_NATS_OK("direct seq 2", js_DirectGetMsg(&m, c.js, "D", NULL, &dg));
    jsu_expect_data(m, "b1");
    ck_assert_str_eq(natsMsg_GetSubject(m), "d.b");
    ck_assert_int_eq(natsMsg_GetSequence(m), 2);
    const char *v = NULL;
    HARNESS_NATS_OK("stream hdr", natsMsgHeader_Get(m, "Nats-Stream", &v));
    ck_assert_str_eq(v, "D");
    natsMsg_Destroy(m);

    jsDirectGetMsgOptions_Init(&dg);
    dg.LastBySubject = "d.a";
    HARNESS_NATS_OK("direct last", js_DirectGetMsg(&m, c.js, "D", NULL, &dg));
    jsu_expect_data(m, "a2");
    ck_assert_int_eq(natsMsg_GetSequence(m), 3);
    natsMsg_Destroy(m);

    jsDirectGetMsgOptions_Init(&dg);
    dg.Sequence = 2;
    dg.NextBySubject = "d.a";
    HARNESS_NATS_OK("direct next", js_DirectGetMsg(&m, c.js, "D", NULL, &dg));
    jsu_expect_data(m, "a2");
    natsMsg_Destroy(m);

    jsDirectGetMsgOptions_Init(&dg);
    dg.Sequence = 50;
    ck_assert_int_eq(js_DirectGetMsg(&m, c.js, "D", NULL, &dg), NATS_NOT_FOUND);

    /* The raw reply to a missing message is a bare 404 status. */
    natsMsg *reply = NULL;
    HARNESS_NATS_OK("raw direct", natsConnection_RequestString(
                                      &reply, c.nc, "$JS.API.DIRECT.GET.D",
                                      "{\"seq\":50}", 5000));
    ck_assert_str_eq(jsu_status(reply), "404");
    natsMsg_Destroy(reply);
    HARNESS_NATS_OK("raw direct last",
                    natsConnection_RequestString(
                        &reply, c.nc, "$JS.API.DIRECT.GET.D.d.b", "", 5000));
    ck_assert_ptr_null(jsu_status(reply));
    jsu_expect_data(reply, "b1");
    HARNESS_NATS_OK("seq hdr", natsMsgHeader_Get(reply, "Nats-Sequence", &v));
    ck_assert_str_eq(v, "2");
    natsMsg_Destroy(reply);
    stop();
}
END_TEST

/* A sealed stream refuses new messages, deletes and purges; it can only be
 * sealed by an update, and not unsealed. */
START_TEST(sealed_stream)
{
    start();
    const char *subjects[] = {"z.>"};
    jsStreamConfig cfg;
    jsu_stream_cfg(&cfg, "Z", subjects);
    cfg.Sealed = true;
    jsErrCode jerr = 0;
    JSU_EXPECT_ERR("create sealed", js_AddStream(NULL, c.js, &cfg, NULL, &jerr),
                   jerr, 10052);
    cfg.Sealed = false;
    jsu_add_stream(c.js, &cfg);
    jsu_publish(c.js, "z.1", "a");
    jsu_publish(c.js, "z.1", "b");
    cfg.Sealed = true;
    jsStreamInfo *si = NULL;
    HARNESS_NATS_OK("seal", js_UpdateStream(&si, c.js, &cfg, NULL, &jerr));
    ck_assert(si->Config->Sealed);
    /* Sealing also implies deny_delete and deny_purge. */
    ck_assert(si->Config->DenyDelete);
    ck_assert(si->Config->DenyPurge);
    jsStreamInfo_Destroy(si);

    JSU_EXPECT_ERR("publish to sealed",
                   js_Publish(NULL, c.js, "z.1", "c", 1, NULL, &jerr), jerr,
                   10109);
    JSU_EXPECT_ERR("delete from sealed",
                   js_DeleteMsg(c.js, "Z", 1, NULL, &jerr), jerr, 10109);
    JSU_EXPECT_ERR("purge sealed", js_PurgeStream(c.js, "Z", NULL, &jerr), jerr,
                   10109);
    cfg.Sealed = false;
    JSU_EXPECT_ERR("unseal", js_UpdateStream(NULL, c.js, &cfg, NULL, &jerr),
                   jerr, 10052);
    jsStreamState state;
    jsu_stream_state(c.js, "Z", &state);
    ck_assert_int_eq(state.Msgs, 2);
    ck_assert_int_eq(state.LastSeq, 2);
    stop();
}
END_TEST

/* deny_delete refuses message deletes, deny_purge refuses purges; each
 * allows the other operation. */
START_TEST(deny_delete_and_deny_purge)
{
    start();
    const char *s1[] = {"dd.>"};
    jsStreamConfig cfg;
    jsu_stream_cfg(&cfg, "DD", s1);
    cfg.DenyDelete = true;
    jsu_add_stream(c.js, &cfg);
    const char *s2[] = {"dp.>"};
    jsStreamConfig cfg2;
    jsu_stream_cfg(&cfg2, "DP", s2);
    cfg2.DenyPurge = true;
    jsu_add_stream(c.js, &cfg2);
    for (int i = 0; i < 3; i++) {
        jsu_publish(c.js, "dd.x", "x");
        jsu_publish(c.js, "dp.x", "x");
    }
    jsErrCode jerr = 0;
    JSU_EXPECT_ERR("delete from DD", js_DeleteMsg(c.js, "DD", 1, NULL, &jerr),
                   jerr, 10057);
    jsu_api_expect_err(c.nc, "STREAM.MSG.DELETE.DD", "{\"seq\":2}", 10057, 0);
    HARNESS_NATS_OK("purge DD", js_PurgeStream(c.js, "DD", NULL, &jerr));
    JSU_EXPECT_ERR("purge DP", js_PurgeStream(c.js, "DP", NULL, &jerr), jerr,
                   10110);
    HARNESS_NATS_OK("delete from DP", js_DeleteMsg(c.js, "DP", 1, NULL, &jerr));
    jsStreamState state;
    jsu_stream_state(c.js, "DD", &state);
    ck_assert_int_eq(state.Msgs, 0);
    jsu_stream_state(c.js, "DP", &state);
    ck_assert_int_eq(state.Msgs, 2);
    stop();
}
END_TEST

/* max_msgs: discard old drops the oldest, discard new refuses the newest
 * with 10077 and keeps the stream as it was. */
START_TEST(max_msgs_discard_old_and_new)
{
    start();
    const char *s1[] = {"old.>"};
    jsStreamConfig cfg;
    jsu_stream_cfg(&cfg, "OLD", s1);
    cfg.MaxMsgs = 3;
    jsu_add_stream(c.js, &cfg);
    publish_n("old.x", "m", 5);
    jsStreamState state;
    jsu_stream_state(c.js, "OLD", &state);
    ck_assert_int_eq(state.Msgs, 3);
    ck_assert_int_eq(state.FirstSeq, 3);
    ck_assert_int_eq(state.LastSeq, 5);

    const char *s2[] = {"new.>"};
    jsu_stream_cfg(&cfg, "NEW", s2);
    cfg.MaxMsgs = 3;
    cfg.Discard = js_DiscardNew;
    jsu_add_stream(c.js, &cfg);
    publish_n("new.x", "m", 3);
    jsErrCode jerr = 0;
    JSU_EXPECT_ERR("4th into NEW",
                   js_Publish(NULL, c.js, "new.x", "m-4", 3, NULL, &jerr), jerr,
                   10077);
    jsu_stream_state(c.js, "NEW", &state);
    ck_assert_int_eq(state.Msgs, 3);
    ck_assert_int_eq(state.FirstSeq, 1);
    ck_assert_int_eq(state.LastSeq, 3);
    natsMsg *m = NULL;
    HARNESS_NATS_OK("get 3", js_GetMsg(&m, c.js, "NEW", 3, NULL, &jerr));
    jsu_expect_data(m, "m-3");
    natsMsg_Destroy(m);
    stop();
}
END_TEST

/* max_bytes: discard old keeps the stream under the limit, discard new
 * refuses a message that would exceed it (10077). */
START_TEST(max_bytes_discard_old_and_new)
{
    start();
    char payload[201];
    memset(payload, 'b', 200);
    payload[200] = '\0';
    const char *s1[] = {"bo.>"};
    jsStreamConfig cfg;
    jsu_stream_cfg(&cfg, "BO", s1);
    cfg.MaxBytes = 1000;
    jsu_add_stream(c.js, &cfg);
    for (int i = 0; i < 20; i++)
        jsu_publish(c.js, "bo.x", payload);
    jsStreamState state;
    jsu_stream_state(c.js, "BO", &state);
    ck_assert_int_le(state.Bytes, 1000);
    ck_assert_int_ge(state.Msgs, 3);
    ck_assert_int_le(state.Msgs, 4);
    ck_assert_int_eq(state.LastSeq, 20);
    ck_assert_int_eq(state.FirstSeq, 20 - state.Msgs + 1);

    const char *s2[] = {"bn.>"};
    jsu_stream_cfg(&cfg, "BN", s2);
    cfg.MaxBytes = 1000;
    cfg.Discard = js_DiscardNew;
    jsu_add_stream(c.js, &cfg);
    int stored = 0;
    jsErrCode jerr = 0;
    natsStatus st = NATS_OK;
    for (int i = 0; i < 20; i++) {
        st = js_Publish(NULL, c.js, "bn.x", payload, 200, NULL, &jerr);
        if (st != NATS_OK)
            break;
        stored++;
    }
    JSU_EXPECT_ERR("publish over max_bytes", st, jerr, 10077);
    ck_assert_int_ge(stored, 3);
    ck_assert_int_le(stored, 4);
    jsu_stream_state(c.js, "BN", &state);
    ck_assert_int_eq(state.Msgs, stored);
    ck_assert_int_le(state.Bytes, 1000);
    stop();
}
END_TEST

/* max_age: messages older than the limit disappear without further
 * publishing. */
START_TEST(max_age_expires_messages)
{
    start();
    const char *s[] = {"age.>"};
    jsStreamConfig cfg;
    jsu_stream_cfg(&cfg, "AGE", s);
    cfg.MaxAge = 1000LL * 1000000LL; /* 1 s */
    jsu_add_stream(c.js, &cfg);
    publish_n("age.x", "a", 5);
    jsStreamState state;
    jsu_stream_state(c.js, "AGE", &state);
    ck_assert_int_eq(state.Msgs, 5);
    int64_t deadline = harness_now_ms() + 6000;
    do {
        harness_sleep_ms(100);
        jsu_stream_state(c.js, "AGE", &state);
    } while (state.Msgs != 0 && harness_now_ms() < deadline);
    ck_assert_int_eq(state.Msgs, 0);
    ck_assert_int_eq(state.LastSeq, 5);
    ck_assert_int_eq(state.FirstSeq, 6);
    stop();
}
END_TEST

/* max_msgs_per_subject keeps the newest n per subject; with discard new
 * and discard_new_per_subject the extra message is refused instead. */
START_TEST(max_msgs_per_subject)
{
    start();
    const char *s[] = {"ps.*"};
    jsStreamConfig cfg;
    jsu_stream_cfg(&cfg, "PS", s);
    cfg.MaxMsgsPerSubject = 2;
    jsu_add_stream(c.js, &cfg);
    publish_n("ps.a", "a", 4);
    publish_n("ps.b", "b", 1);
    jsStreamState state;
    jsu_stream_state(c.js, "PS", &state);
    ck_assert_int_eq(state.Msgs, 3);
    ck_assert_int_eq(state.NumSubjects, 2);
    ck_assert_int_eq(state.FirstSeq, 3);
    natsMsg *m = NULL;
    jsErrCode jerr = 0;
    ck_assert_int_eq(js_GetMsg(&m, c.js, "PS", 2, NULL, &jerr), NATS_NOT_FOUND);
    HARNESS_NATS_OK("get 3", js_GetMsg(&m, c.js, "PS", 3, NULL, &jerr));
    jsu_expect_data(m, "a-3");
    natsMsg_Destroy(m);

    const char *s2[] = {"pn.*"};
    jsu_stream_cfg(&cfg, "PN", s2);
    cfg.MaxMsgsPerSubject = 1;
    cfg.Discard = js_DiscardNew;
    cfg.DiscardNewPerSubject = true;
    cfg.MaxMsgs = 100;
    jsu_add_stream(c.js, &cfg);
    jsu_publish(c.js, "pn.a", "first");
    JSU_EXPECT_ERR("second on pn.a",
                   js_Publish(NULL, c.js, "pn.a", "second", 6, NULL, &jerr),
                   jerr, 10077);
    jsu_publish(c.js, "pn.b", "other subject");
    HARNESS_NATS_OK("last pn.a",
                    js_GetLastMsg(&m, c.js, "PN", "pn.a", NULL, &jerr));
    jsu_expect_data(m, "first");
    natsMsg_Destroy(m);
    stop();
}
END_TEST

/* max_msg_size refuses a larger message with 10054 and accepts one at the
 * limit. */
START_TEST(max_msg_size)
{
    start();
    const char *s[] = {"sz"};
    jsStreamConfig cfg;
    jsu_stream_cfg(&cfg, "SZ", s);
    cfg.MaxMsgSize = 16;
    jsu_add_stream(c.js, &cfg);
    jsu_publish(c.js, "sz", "0123456789abcdef");
    jsErrCode jerr = 0;
    JSU_EXPECT_ERR(
        "17 bytes",
        js_Publish(NULL, c.js, "sz", "0123456789abcdefg", 17, NULL, &jerr),
        jerr, 10054);
    jsStreamState state;
    jsu_stream_state(c.js, "SZ", &state);
    ck_assert_int_eq(state.Msgs, 1);
    stop();
}
END_TEST

/* Workqueue retention: an acked message is removed; a second consumer
 * with an overlapping filter is refused; unfiltered consumers on disjoint
 * filters are fine. */
START_TEST(workqueue_retention)
{
    start();
    const char *s[] = {"wq.*"};
    jsStreamConfig cfg;
    jsu_stream_cfg(&cfg, "WQ", s);
    cfg.Retention = js_WorkQueuePolicy;
    jsu_add_stream(c.js, &cfg);
    publish_n("wq.a", "w", 3);
    jsu_publish(c.js, "wq.b", "b");

    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Config.FilterSubject = "wq.a";
    natsSubscription *sub = NULL;
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("pull sub", js_PullSubscribe(&sub, c.js, "wq.a", "W1", NULL,
                                                 &so, &jerr));
    natsMsgList list = {0};
    HARNESS_NATS_OK("fetch",
                    natsSubscription_Fetch(&list, sub, 2, 5000, &jerr));
    ck_assert_int_eq(list.Count, 2);
    for (int i = 0; i < list.Count; i++)
        HARNESS_NATS_OK("ack", natsMsg_AckSync(list.Msgs[i], NULL, &jerr));
    natsMsgList_Destroy(&list);
    jsStreamState state;
    jsu_stream_state(c.js, "WQ", &state);
    ck_assert_int_eq(state.Msgs, 2);
    ck_assert_int_eq(state.FirstSeq, 3);

    /* The same filter again: "filtered consumer not unique on workqueue
     * stream" (10100). */
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = "W2";
    cc.AckPolicy = js_AckExplicit;
    cc.FilterSubject = "wq.a";
    natsStatus st = js_AddConsumer(NULL, c.js, "WQ", &cc, NULL, &jerr);
    JSU_EXPECT_ERR("overlapping wq consumer", st, jerr, 10100);
    cc.FilterSubject = "wq.b";
    HARNESS_NATS_OK("disjoint wq consumer",
                    js_AddConsumer(NULL, c.js, "WQ", &cc, NULL, &jerr));
    /* Work queue consumers must ack explicitly. */
    cc.Durable = "W3";
    cc.FilterSubject = "wq.c";
    cc.AckPolicy = js_AckNone;
    JSU_EXPECT_ERR("ack none on wq",
                   js_AddConsumer(NULL, c.js, "WQ", &cc, NULL, &jerr), jerr,
                   10084);
    natsSubscription_Destroy(sub);
    stop();
}
END_TEST

/* Interest retention: with no consumer a message is not kept (but takes a
 * sequence); with two consumers it stays until both acked it. */
START_TEST(interest_retention)
{
    start();
    const char *s[] = {"in.>"};
    jsStreamConfig cfg;
    jsu_stream_cfg(&cfg, "IN", s);
    cfg.Retention = js_InterestPolicy;
    jsu_add_stream(c.js, &cfg);
    ck_assert_int_eq(jsu_publish(c.js, "in.x", "nobody"), 1);
    jsStreamState state;
    jsu_stream_state(c.js, "IN", &state);
    ck_assert_int_eq(state.Msgs, 0);
    ck_assert_int_eq(state.LastSeq, 1);

    natsSubscription *s1 = NULL, *s2 = NULL;
    jsErrCode jerr = 0;
    HARNESS_NATS_OK(
        "c1", js_PullSubscribe(&s1, c.js, "in.>", "C1", NULL, NULL, &jerr));
    HARNESS_NATS_OK(
        "c2", js_PullSubscribe(&s2, c.js, "in.>", "C2", NULL, NULL, &jerr));
    ck_assert_int_eq(jsu_publish(c.js, "in.x", "both"), 2);
    jsu_stream_state(c.js, "IN", &state);
    ck_assert_int_eq(state.Msgs, 1);

    natsMsgList list = {0};
    HARNESS_NATS_OK("fetch c1",
                    natsSubscription_Fetch(&list, s1, 1, 5000, &jerr));
    ck_assert_int_eq(list.Count, 1);
    jsu_expect_data(list.Msgs[0], "both");
    HARNESS_NATS_OK("ack c1", natsMsg_AckSync(list.Msgs[0], NULL, &jerr));
    natsMsgList_Destroy(&list);
    jsu_stream_state(c.js, "IN", &state);
    ck_assert_int_eq(state.Msgs, 1);

    HARNESS_NATS_OK("fetch c2",
                    natsSubscription_Fetch(&list, s2, 1, 5000, &jerr));
    ck_assert_int_eq(list.Count, 1);
    HARNESS_NATS_OK("ack c2", natsMsg_AckSync(list.Msgs[0], NULL, &jerr));
    natsMsgList_Destroy(&list);
    int64_t deadline = harness_now_ms() + 3000;
    do {
        jsu_stream_state(c.js, "IN", &state);
        if (state.Msgs == 0)
            break;
        harness_sleep_ms(20);
    } while (harness_now_ms() < deadline);
    ck_assert_int_eq(state.Msgs, 0);
    natsSubscription_Destroy(s1);
    natsSubscription_Destroy(s2);
    stop();
}
END_TEST

/* Memory storage is reported as such and does not survive a restart;
 * (nats-server forgets the whole stream);
 * file storage does, with the same sequences. */
START_TEST(memory_and_file_storage_across_restart)
{
    start();
    const char *s1[] = {"mem.>"};
    jsStreamConfig cfg;
    jsu_stream_cfg(&cfg, "MEM", s1);
    cfg.Storage = js_MemoryStorage;
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("add mem", js_AddStream(&si, c.js, &cfg, NULL, &jerr));
    ck_assert_int_eq(si->Config->Storage, js_MemoryStorage);
    jsStreamInfo_Destroy(si);
    jsu_add_simple_stream(c.js, "FILE", "file.>");
    publish_n("mem.x", "m", 3);
    publish_n("file.x", "f", 3);

    jsu_close(&c);
    harness_server_stop(&srv, SIGINT);
    harness_server_restart(&srv);
    jsu_connect(&c, &srv);

    jsStreamState state;
    jsu_stream_state(c.js, "FILE", &state);
    ck_assert_int_eq(state.Msgs, 3);
    ck_assert_int_eq(state.LastSeq, 3);
    natsMsg *m = NULL;
    HARNESS_NATS_OK("get file 2", js_GetMsg(&m, c.js, "FILE", 2, NULL, &jerr));
    jsu_expect_data(m, "f-2");
    natsMsg_Destroy(m);
    /* A memory stream does not outlive the server, definition included. */
    ck_assert_int_eq(js_GetStreamInfo(&si, c.js, "MEM", NULL, &jerr),
                     NATS_NOT_FOUND);
    ck_assert_int_eq(jerr, 10059);
    stop();
}
END_TEST

/* With the server's file storage limited to 1 MB, a stream asking for more
 * is refused (10047) and publishing stops with 10023 before the limit is
 * passed; what was stored stays. */
START_TEST(server_storage_limit_is_enforced)
{
    char dir[600];
    snprintf(dir, sizeof(dir), "%s/limited", harness_dir());
    char conf_text[1024];
    snprintf(conf_text, sizeof(conf_text),
             "jetstream {\n  store_dir: \"%s\"\n  max_file_store: 1MB\n}\n",
             dir);
    char *conf = harness_write_file("limited.conf", conf_text);
    const char *args[] = {"-c", conf, NULL};
    harness_server_start(&srv, 0, args);
    free(conf);
    jsu_connect(&c, &srv);
    jsu_api_expect_err(c.nc, "STREAM.CREATE.BIG",
                       "{\"name\":\"BIG\",\"subjects\":[\"big\"],"
                       "\"max_bytes\":2000000}",
                       10047, 500);
    jsu_add_simple_stream(c.js, "S", "s");
    char payload[1024];
    memset(payload, 'x', sizeof(payload));
    int stored = 0, refused_code = 0;
    for (int i = 0; i < 1500 && refused_code == 0; i++) {
        jsPubAck *pa = NULL;
        jsErrCode jerr = 0;
        natsStatus st = js_Publish(&pa, c.js, "s", payload, sizeof(payload),
                                   NULL, &jerr);
        if (st == NATS_OK)
            stored++;
        else
            refused_code = (int)jerr;
        jsPubAck_Destroy(pa);
    }
    ck_assert_int_eq(refused_code, 10023);
    ck_assert_msg(stored > 500 && stored < 1024, "stored %d", stored);
    jsStreamState state;
    jsu_stream_state(c.js, "S", &state);
    ck_assert_int_eq((int)state.Msgs, stored);
    stop();
}
END_TEST

/* In an account without JetStream the API answers 10039 (503), while the
 * account that has it works. */
START_TEST(account_without_jetstream_gets_10039)
{
    char text[1024];
    snprintf(text, sizeof(text),
             "jetstream { store_dir: \"%s/acc\" }\n"
             "accounts {\n"
             "  A: { jetstream: enabled, users: [{user: a, password: a}] }\n"
             "  B: { users: [{user: b, password: b}] }\n"
             "}\n",
             harness_dir());
    char *conf = harness_write_file("accounts.conf", text);
    const char *args[] = {"-c", conf, NULL};
    harness_server_start(&srv, 0, args);
    free(conf);
    const char *users[] = {"a", "b"};
    for (int k = 0; k < 2; k++) {
        natsOptions *o = harness_opts(&srv);
        HARNESS_NATS_OK("user", natsOptions_SetUserInfo(o, users[k], users[k]));
        natsConnection *nc = NULL;
        HARNESS_NATS_OK("connect", natsConnection_Connect(&nc, o));
        natsOptions_Destroy(o);
        if (k == 0) {
            json_t *r = jsu_api_ok(nc, "INFO", "");
            ck_assert_int_eq(jsu_json_int(r, "streams"), 0);
            json_decref(r);
        } else {
            jsu_api_expect_err(nc, "INFO", "", 10039, 503);
        }
        natsConnection_Destroy(nc);
    }
}
END_TEST

static Suite *streams_suite(void)
{
    Suite *s = suite_create("js/streams");
    HARNESS_ADD(s, create_info_update_delete, 30);
    HARNESS_ADD(s, names_and_list, 30);
    HARNESS_ADD(s, name_in_use_with_other_config_is_10058, 30);
    HARNESS_ADD(s, missing_stream_is_10059, 30);
    HARNESS_ADD(s, overlapping_subjects_are_10065, 30);
    HARNESS_ADD(s, bad_requests_get_error_replies, 30);
    HARNESS_ADD(s, purge_variants, 30);
    HARNESS_ADD(s, msg_get_and_delete, 30);
    HARNESS_ADD(s, direct_get, 30);
    HARNESS_ADD(s, sealed_stream, 30);
    HARNESS_ADD(s, deny_delete_and_deny_purge, 30);
    HARNESS_ADD(s, max_msgs_discard_old_and_new, 30);
    HARNESS_ADD(s, max_bytes_discard_old_and_new, 30);
    HARNESS_ADD(s, max_age_expires_messages, 30);
    HARNESS_ADD(s, max_msgs_per_subject, 30);
    HARNESS_ADD(s, max_msg_size, 30);
    HARNESS_ADD(s, workqueue_retention, 30);
    HARNESS_ADD(s, interest_retention, 30);
    HARNESS_ADD(s, memory_and_file_storage_across_restart, 30);
    HARNESS_ADD(s, server_storage_limit_is_enforced, 60);
    HARNESS_ADD(s, account_without_jetstream_gets_10039, 30);
    return s;
}

int main(void)
{
    return harness_main(streams_suite());
}
