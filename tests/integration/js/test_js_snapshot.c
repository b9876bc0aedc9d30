/* Stream backup and restore through the raw API ($JS.API.STREAM.SNAPSHOT
 * and $JS.API.STREAM.RESTORE), the way `nats stream backup/restore` does
 * it: the snapshot arrives in chunks on a deliver subject, each acked by a
 * reply; the restore sends the chunks back as requests, then an empty
 * message. The snapshot is treated as opaque bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "js_util.h"

static struct harness_server srv;
static struct jsu_conn c;

/* Takes a snapshot of `stream` (with consumers) into `out`; returns the
 * snapshot reply (config and state; json_decref() it). */
static json_t *snapshot(const char *stream, struct bl_buf *out)
{
    natsInbox *inbox = NULL;
    natsInbox_Create(&inbox);
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK("sub", natsConnection_SubscribeSync(&sub, c.nc, inbox));
    natsSubscription_SetPendingLimits(sub, -1, -1);
    char api[128], body[256];
    snprintf(api, sizeof(api), "STREAM.SNAPSHOT.%s", stream);
    snprintf(body, sizeof(body),
             "{\"deliver_subject\":\"%s\",\"no_consumers\":false,"
             "\"chunk_size\":4096}",
             inbox);
    json_t *r = jsu_api_ok(c.nc, api, body);
    ck_assert_ptr_nonnull(json_object_get(r, "config"));
    ck_assert_ptr_nonnull(json_object_get(r, "state"));
    int n_chunks = 0;
    for (;;) {
        natsMsg *m = NULL;
        natsStatus st = natsSubscription_NextMsg(&m, sub, 5000);
        ck_assert_msg(st == NATS_OK, "snapshot chunk %d: %s", n_chunks,
                      natsStatus_GetText(st));
        const char *status = jsu_status(m);
        if (natsMsg_GetDataLength(m) == 0) {
            /* The end: an empty message, possibly "204 EOF". */
            ck_assert_msg(status == NULL || strcmp(status, "204") == 0,
                          "snapshot ended with status %s (%s)", status,
                          jsu_status_desc(m));
            natsMsg_Destroy(m);
            break;
        }
        bl_buf_append(out, natsMsg_GetData(m),
                      (size_t)natsMsg_GetDataLength(m));
        if (natsMsg_GetReply(m) != NULL)
            natsConnection_Publish(c.nc, natsMsg_GetReply(m), NULL, 0);
        n_chunks++;
        natsMsg_Destroy(m);
    }
    ck_assert_int_gt(n_chunks, 1);
    natsSubscription_Destroy(sub);
    natsInbox_Destroy(inbox);
    return r;
}

/* Restores `data` as `stream` with the snapshot reply's config and state;
 * returns the final reply (json_decref() it). */
/* The restore request for snapshot reply `snap`; free() it. */
static char *restore_body(json_t *snap)
{
    json_t *req = json_object();
    json_object_set(req, "config", json_object_get(snap, "config"));
    json_object_set(req, "state", json_object_get(snap, "state"));
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    return body;
}

static json_t *restore(const char *stream, json_t *snap,
                       const struct bl_buf *data)
{
    char *body = restore_body(snap);
    char api[128];
    snprintf(api, sizeof(api), "STREAM.RESTORE.%s", stream);
    json_t *r = jsu_api_ok(c.nc, api, body);
    free(body);
    const char *dlv = json_string_value(json_object_get(r, "deliver_subject"));
    ck_assert_ptr_nonnull(dlv);
    char subject[256];
    snprintf(subject, sizeof(subject), "%s", dlv);
    json_decref(r);
    for (size_t off = 0; off < data->len; off += 4096) {
        size_t n = data->len - off < 4096 ? data->len - off : 4096;
        natsMsg *ack = NULL;
        HARNESS_NATS_OK("restore chunk",
                        natsConnection_Request(&ack, c.nc, subject,
                                               data->p + off, (int)n, 5000));
        natsMsg_Destroy(ack);
    }
    natsMsg *done = NULL;
    HARNESS_NATS_OK("restore end", natsConnection_Request(&done, c.nc, subject,
                                                          NULL, 0, 10000));
    json_t *j = json_loadb(natsMsg_GetData(done),
                           (size_t)natsMsg_GetDataLength(done), 0, NULL);
    ck_assert_msg(j != NULL, "restore reply is not JSON: %.*s",
                  natsMsg_GetDataLength(done), natsMsg_GetData(done));
    natsMsg_Destroy(done);
    return j;
}

/* A snapshot restores into the same messages (headers and timestamps
 * included), the same consumer state, and refuses an existing name. */
START_TEST(snapshot_and_restore)
{
    jsu_server_start(&srv, "store", NULL);
    jsu_connect(&c, &srv);
    jsu_add_simple_stream(c.js, "BK", "bk.*");
    char big[1000];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    jsErrCode jerr = 0;
    for (int i = 1; i <= 60; i++) {
        natsMsg *m = NULL;
        char data[1100];
        int len = snprintf(data, sizeof(data), "%d-%s", i, big);
        HARNESS_NATS_OK("msg", natsMsg_Create(&m, i % 2 ? "bk.a" : "bk.b", NULL,
                                              data, len));
        char v[16];
        snprintf(v, sizeof(v), "%d", i);
        natsMsgHeader_Set(m, "X-N", v);
        HARNESS_NATS_OK("publish", js_PublishMsg(NULL, c.js, m, NULL, &jerr));
        natsMsg_Destroy(m);
    }
    HARNESS_NATS_OK("delete 7", js_DeleteMsg(c.js, "BK", 7, NULL, &jerr));
    jsConsumerConfig cc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = "DUR";
    cc.AckPolicy = js_AckExplicit;
    HARNESS_NATS_OK("consumer",
                    js_AddConsumer(NULL, c.js, "BK", &cc, NULL, &jerr));
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = "BK";
    so.Consumer = "DUR";
    natsSubscription *sub = NULL;
    HARNESS_NATS_OK(
        "bind", js_PullSubscribe(&sub, c.js, NULL, "DUR", NULL, &so, &jerr));
    natsMsgList list = {0};
    HARNESS_NATS_OK("fetch",
                    natsSubscription_Fetch(&list, sub, 5, 5000, &jerr));
    ck_assert_int_eq(list.Count, 5);
    for (int i = 0; i < 3; i++)
        HARNESS_NATS_OK("ack", natsMsg_AckSync(list.Msgs[i], NULL, &jerr));
    natsMsgList_Destroy(&list);
    natsSubscription_Destroy(sub);
    natsMsg *orig = NULL;
    HARNESS_NATS_OK("get 10", js_GetMsg(&orig, c.js, "BK", 10, NULL, &jerr));
    int64_t orig_time = natsMsg_GetTime(orig);
    natsMsg_Destroy(orig);

    struct bl_buf data;
    bl_buf_init(&data);
    json_t *snap = snapshot("BK", &data);
    ck_assert_int_eq(jsu_json_int(snap, "state.messages"), 59);

    /* Restoring over the live stream is refused. */
    char *body = restore_body(snap);
    jsu_api_expect_err(c.nc, "STREAM.RESTORE.BK", body, 10130, 0);
    free(body);

    HARNESS_NATS_OK("delete stream", js_DeleteStream(c.js, "BK", NULL, &jerr));
    json_t *r = restore("BK", snap, &data);
    ck_assert_msg(jsu_err_code(r) == 0, "restore failed: %s",
                  json_dumps(r, JSON_COMPACT));
    ck_assert_int_eq(jsu_json_int(r, "state.messages"), 59);
    json_decref(r);

    jsOptions o;
    jsOptions_Init(&o);
    o.Stream.Info.DeletedDetails = true;
    jsStreamInfo *si = NULL;
    HARNESS_NATS_OK("info", js_GetStreamInfo(&si, c.js, "BK", &o, &jerr));
    ck_assert_int_eq(si->State.Msgs, 59);
    ck_assert_int_eq(si->State.FirstSeq, 1);
    ck_assert_int_eq(si->State.LastSeq, 60);
    ck_assert_int_eq(si->State.NumDeleted, 1);
    ck_assert_int_eq(si->Config->SubjectsLen, 1);
    ck_assert_str_eq(si->Config->Subjects[0], "bk.*");
    jsStreamInfo_Destroy(si);
    natsMsg *m = NULL;
    HARNESS_NATS_OK("get 10", js_GetMsg(&m, c.js, "BK", 10, NULL, &jerr));
    ck_assert_str_eq(natsMsg_GetSubject(m), "bk.b");
    const char *v = NULL;
    HARNESS_NATS_OK("X-N", natsMsgHeader_Get(m, "X-N", &v));
    ck_assert_str_eq(v, "10");
    ck_assert(strncmp(natsMsg_GetData(m), "10-zzz", 6) == 0);
    ck_assert_int_eq(natsMsg_GetTime(m), orig_time);
    natsMsg_Destroy(m);
    ck_assert_int_eq(js_GetMsg(&m, c.js, "BK", 7, NULL, &jerr), NATS_NOT_FOUND);

    jsConsumerInfo *ci = jsu_consumer_info(c.js, "BK", "DUR");
    ck_assert_int_eq(ci->Delivered.Stream, 5);
    ck_assert_int_eq(ci->AckFloor.Stream, 3);
    ck_assert_int_eq(ci->NumAckPending, 2);
    jsConsumerInfo_Destroy(ci);
    /* The restored stream takes new messages after the old ones. */
    ck_assert_int_eq(jsu_publish(c.js, "bk.a", "new"), 61);
    bl_buf_close(&data);
    json_decref(snap);
    jsu_close(&c);
}
END_TEST

static Suite *snapshot_suite(void)
{
    Suite *s = suite_create("js/snapshot");
    HARNESS_ADD(s, snapshot_and_restore, 60);
    return s;
}

int main(void)
{
    return harness_main(snapshot_suite());
}
