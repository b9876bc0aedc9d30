/* Key-value buckets through libnats's kvStore API: put, get, create,
 * update with a revision, delete, purge, keys, history, watch, status,
 * TTL, and the bucket across a restart. These build on per-subject limits,
 * rollups, direct get and last-per-subject delivery.
 * libnats 3.4.1 has no object store API, so there is no object store
 * test. */
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

static kvStore *make_bucket(const char *name, int history, int64_t ttl_ns)
{
    kvConfig kc;
    kvConfig_Init(&kc);
    kc.Bucket = name;
    kc.History = (uint8_t)history;
    kc.TTL = ttl_ns;
    kvStore *kv = NULL;
    HARNESS_NATS_OK("create bucket", js_CreateKeyValue(&kv, c.js, &kc));
    return kv;
}

/* Fails unless `key` reads `value` at revision `rev`. */
static void expect_value(kvStore *kv, const char *key, const char *value,
                         uint64_t rev)
{
    kvEntry *e = NULL;
    natsStatus st = kvStore_Get(&e, kv, key);
    ck_assert_msg(st == NATS_OK, "get %s: %s", key, natsStatus_GetText(st));
    ck_assert_str_eq(kvEntry_Key(e), key);
    ck_assert_int_eq(kvEntry_ValueLen(e), (int)strlen(value));
    ck_assert_mem_eq(kvEntry_Value(e), value, strlen(value));
    ck_assert_int_eq(kvEntry_Revision(e), rev);
    ck_assert_int_eq(kvEntry_Operation(e), kvOp_Put);
    kvEntry_Destroy(e);
}

/* Put, get, create and update with revisions; the bucket's stream has the
 * shape the client asked for. */
START_TEST(put_get_create_update)
{
    start();
    kvStore *kv = make_bucket("CFG", 5, 0);
    ck_assert_str_eq(kvStore_Bucket(kv), "CFG");
    uint64_t rev = 0;
    HARNESS_NATS_OK("put a", kvStore_PutString(&rev, kv, "a", "1"));
    ck_assert_int_eq(rev, 1);
    kvEntry *e = NULL;
    HARNESS_NATS_OK("get a", kvStore_Get(&e, kv, "a"));
    ck_assert_str_eq(kvEntry_Bucket(e), "CFG");
    ck_assert_str_eq(kvEntry_ValueString(e), "1");
    ck_assert_int_gt(kvEntry_Created(e), 0);
    kvEntry_Destroy(e);

    HARNESS_NATS_OK("update a@1", kvStore_UpdateString(&rev, kv, "a", "2", 1));
    ck_assert_int_eq(rev, 2);
    natsStatus st = kvStore_UpdateString(&rev, kv, "a", "stale", 1);
    ck_assert_int_ne(st, NATS_OK);
    expect_value(kv, "a", "2", 2);

    st = kvStore_CreateString(&rev, kv, "a", "again");
    ck_assert_int_ne(st, NATS_OK);
    HARNESS_NATS_OK("create b", kvStore_CreateString(&rev, kv, "b", "new"));
    ck_assert_int_eq(rev, 3);
    expect_value(kv, "b", "new", 3);
    HARNESS_NATS_OK("get a@1", kvStore_GetRevision(&e, kv, "a", 1));
    ck_assert_str_eq(kvEntry_ValueString(e), "1");
    kvEntry_Destroy(e);
    ck_assert_int_eq(kvStore_Get(&e, kv, "missing"), NATS_NOT_FOUND);

    /* Binary values with NUL bytes round-trip. */
    const char bin[] = {'x', 0, 'y', 0, (char)0xff};
    HARNESS_NATS_OK("put bin", kvStore_Put(&rev, kv, "bin", bin, 5));
    HARNESS_NATS_OK("get bin", kvStore_Get(&e, kv, "bin"));
    ck_assert_int_eq(kvEntry_ValueLen(e), 5);
    ck_assert_mem_eq(kvEntry_Value(e), bin, 5);
    kvEntry_Destroy(e);

    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("stream info",
                    js_GetStreamInfo(&si, c.js, "KV_CFG", NULL, &jerr));
    ck_assert_int_eq(si->Config->SubjectsLen, 1);
    ck_assert_str_eq(si->Config->Subjects[0], "$KV.CFG.>");
    ck_assert_int_eq(si->Config->MaxMsgsPerSubject, 5);
    ck_assert(si->Config->AllowRollup);
    ck_assert(si->Config->DenyDelete);
    ck_assert(si->Config->AllowDirect);
    ck_assert_int_eq(si->Config->Discard, js_DiscardNew);
    ck_assert_int_eq(si->State.Msgs, 4);
    jsStreamInfo_Destroy(si);

    kvStatus *sts = NULL;
    HARNESS_NATS_OK("status", kvStore_Status(&sts, kv));
    ck_assert_str_eq(kvStatus_Bucket(sts), "CFG");
    ck_assert_int_eq(kvStatus_Values(sts), 4);
    ck_assert_int_eq(kvStatus_History(sts), 5);
    kvStatus_Destroy(sts);
    kvStore_Destroy(kv);
    jsu_close(&c);
}
END_TEST

/* Delete leaves a marker (get says not found, history shows it); purge
 * replaces the key's history by one marker; purging the key's subject
 * removes the marker too. */
START_TEST(delete_and_purge)
{
    start();
    kvStore *kv = make_bucket("D", 10, 0);
    uint64_t rev = 0;
    HARNESS_NATS_OK("put", kvStore_PutString(&rev, kv, "k", "v1"));
    HARNESS_NATS_OK("put", kvStore_PutString(&rev, kv, "k", "v2"));
    HARNESS_NATS_OK("put other", kvStore_PutString(&rev, kv, "o", "x"));
    HARNESS_NATS_OK("delete", kvStore_Delete(kv, "k"));
    kvEntry *e = NULL;
    ck_assert_int_eq(kvStore_Get(&e, kv, "k"), NATS_NOT_FOUND);

    kvEntryList hist = {0};
    HARNESS_NATS_OK("history", kvStore_History(&hist, kv, "k", NULL));
    ck_assert_int_eq(hist.Count, 3);
    ck_assert_int_eq(kvEntry_Operation(hist.Entries[0]), kvOp_Put);
    ck_assert_int_eq(kvEntry_Operation(hist.Entries[2]), kvOp_Delete);
    ck_assert_int_eq(kvEntry_Revision(hist.Entries[2]), 4);
    kvEntryList_Destroy(&hist);

    kvKeysList keys = {0};
    HARNESS_NATS_OK("keys", kvStore_Keys(&keys, kv, NULL));
    ck_assert_int_eq(keys.Count, 1);
    ck_assert_str_eq(keys.Keys[0], "o");
    kvKeysList_Destroy(&keys);

    HARNESS_NATS_OK("put k3", kvStore_PutString(&rev, kv, "k", "v3"));
    HARNESS_NATS_OK("purge", kvStore_Purge(kv, "k", NULL));
    memset(&hist, 0, sizeof(hist));
    HARNESS_NATS_OK("history", kvStore_History(&hist, kv, "k", NULL));
    ck_assert_int_eq(hist.Count, 1);
    ck_assert_int_eq(kvEntry_Operation(hist.Entries[0]), kvOp_Purge);
    kvEntryList_Destroy(&hist);
    jsStreamState state;
    jsu_stream_state(c.js, "KV_D", &state);
    ck_assert_int_eq(state.Msgs, 2); /* o and k's purge marker */

    /* What kvStore_PurgeDeletes() does for a key with a marker: purge the
     * key's subject. (It is not called itself: in libnats 3.4.1 it leaks a
     * reference to the connection, which the Asan build reports.) */
    jsOptions o;
    jsOptions_Init(&o);
    o.Stream.Purge.Subject = "$KV.D.k";
    jsErrCode jerr = 0;
    HARNESS_NATS_OK("purge markers", js_PurgeStream(c.js, "KV_D", &o, &jerr));
    jsu_stream_state(c.js, "KV_D", &state);
    ck_assert_int_eq(state.Msgs, 1);
    expect_value(kv, "o", "x", 3);
    kvStore_Destroy(kv);
    jsu_close(&c);
}
END_TEST

/* Keys lists each live key once; history keeps at most `history`
 * revisions per key, oldest first. */
START_TEST(keys_and_history_limit)
{
    start();
    kvStore *kv = make_bucket("H", 3, 0);
    uint64_t rev = 0;
    const char *names[] = {"k1", "k2", "k3", "k1", "k1", "k1", "k1"};
    for (int i = 0; i < 7; i++) {
        char v[16];
        snprintf(v, sizeof(v), "v%d", i + 1);
        HARNESS_NATS_OK("put", kvStore_PutString(&rev, kv, names[i], v));
        ck_assert_int_eq(rev, i + 1);
    }
    kvKeysList keys = {0};
    HARNESS_NATS_OK("keys", kvStore_Keys(&keys, kv, NULL));
    ck_assert_int_eq(keys.Count, 3);
    int seen = 0;
    for (int i = 0; i < keys.Count; i++)
        for (int k = 0; k < 3; k++)
            if (strcmp(keys.Keys[i], (const char *[]){"k1", "k2", "k3"}[k]) ==
                0)
                seen |= 1 << k;
    ck_assert_int_eq(seen, 7);
    kvKeysList_Destroy(&keys);

    kvEntryList hist = {0};
    HARNESS_NATS_OK("history", kvStore_History(&hist, kv, "k1", NULL));
    ck_assert_int_eq(hist.Count, 3);
    ck_assert_int_eq(kvEntry_Revision(hist.Entries[0]), 5);
    ck_assert_int_eq(kvEntry_Revision(hist.Entries[2]), 7);
    ck_assert_str_eq(kvEntry_ValueString(hist.Entries[2]), "v7");
    kvEntryList_Destroy(&hist);
    kvEntry *e = NULL;
    ck_assert_int_eq(kvStore_GetRevision(&e, kv, "k1", 1), NATS_NOT_FOUND);
    kvStore_Destroy(kv);
    jsu_close(&c);
}
END_TEST

/* Next watcher entry; NULL is the "initial values done" marker. */
static kvEntry *watch_next(kvWatcher *w)
{
    kvEntry *e = NULL;
    natsStatus st = kvWatcher_Next(&e, w, 5000);
    ck_assert_msg(st == NATS_OK, "watcher: %s", natsStatus_GetText(st));
    return e;
}

/* A watcher first gets the latest value of each matching key, then a NULL
 * marker, then every change as it happens (deletes included). */
START_TEST(watch)
{
    start();
    kvStore *kv = make_bucket("W", 5, 0);
    uint64_t rev = 0;
    HARNESS_NATS_OK("put", kvStore_PutString(&rev, kv, "w.a", "old"));
    HARNESS_NATS_OK("put", kvStore_PutString(&rev, kv, "w.a", "a1"));
    HARNESS_NATS_OK("put", kvStore_PutString(&rev, kv, "w.b", "b1"));
    HARNESS_NATS_OK("put", kvStore_PutString(&rev, kv, "x.c", "c1"));

    kvWatcher *w = NULL;
    HARNESS_NATS_OK("watch", kvStore_Watch(&w, kv, "w.*", NULL));
    kvEntry *e = watch_next(w);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(kvEntry_Key(e), "w.a");
    ck_assert_str_eq(kvEntry_ValueString(e), "a1");
    ck_assert_int_eq(kvEntry_Revision(e), 2);
    kvEntry_Destroy(e);
    e = watch_next(w);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(kvEntry_Key(e), "w.b");
    ck_assert_int_eq(kvEntry_Delta(e), 0);
    kvEntry_Destroy(e);
    ck_assert_ptr_null(watch_next(w));

    HARNESS_NATS_OK("put", kvStore_PutString(&rev, kv, "x.c", "ignored"));
    HARNESS_NATS_OK("put", kvStore_PutString(&rev, kv, "w.b", "b2"));
    e = watch_next(w);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(kvEntry_Key(e), "w.b");
    ck_assert_str_eq(kvEntry_ValueString(e), "b2");
    ck_assert_int_eq(kvEntry_Revision(e), 6);
    kvEntry_Destroy(e);
    HARNESS_NATS_OK("delete", kvStore_Delete(kv, "w.a"));
    e = watch_next(w);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(kvEntry_Key(e), "w.a");
    ck_assert_int_eq(kvEntry_Operation(e), kvOp_Delete);
    kvEntry_Destroy(e);
    kvWatcher_Stop(w);
    kvWatcher_Destroy(w);

    /* Watching an empty bucket gives the marker at once. */
    kvStore *empty = make_bucket("EMPTY", 1, 0);
    HARNESS_NATS_OK("watch all", kvStore_WatchAll(&w, empty, NULL));
    ck_assert_ptr_null(watch_next(w));
    kvWatcher_Destroy(w);
    kvStore_Destroy(empty);
    kvStore_Destroy(kv);
    jsu_close(&c);
}
END_TEST

/* A bucket with a TTL forgets values after it. */
START_TEST(ttl_expires_values)
{
    start();
    kvStore *kv = make_bucket("T", 1, 1000LL * 1000000LL);
    uint64_t rev = 0;
    HARNESS_NATS_OK("put", kvStore_PutString(&rev, kv, "k", "brief"));
    expect_value(kv, "k", "brief", 1);
    int64_t deadline = harness_now_ms() + 6000;
    natsStatus st = NATS_OK;
    kvEntry *e = NULL;
    while (harness_now_ms() < deadline) {
        st = kvStore_Get(&e, kv, "k");
        if (st != NATS_OK)
            break;
        kvEntry_Destroy(e);
        harness_sleep_ms(100);
    }
    ck_assert_int_eq(st, NATS_NOT_FOUND);
    kvStore_Destroy(kv);
    jsu_close(&c);
}
END_TEST

/* A bucket and its values survive a restart; revisions carry on. */
START_TEST(bucket_survives_restart)
{
    start();
    kvStore *kv = make_bucket("R", 5, 0);
    uint64_t rev = 0;
    HARNESS_NATS_OK("put", kvStore_PutString(&rev, kv, "k", "v1"));
    HARNESS_NATS_OK("put", kvStore_PutString(&rev, kv, "k", "v2"));
    kvStore_Destroy(kv);
    jsu_close(&c);
    harness_server_stop(&srv, SIGINT);
    harness_server_restart(&srv);
    jsu_connect(&c, &srv);
    HARNESS_NATS_OK("bind bucket", js_KeyValue(&kv, c.js, "R"));
    expect_value(kv, "k", "v2", 2);
    HARNESS_NATS_OK("update", kvStore_UpdateString(&rev, kv, "k", "v3", 2));
    ck_assert_int_eq(rev, 3);
    kvStore_Destroy(kv);
    HARNESS_NATS_OK("delete bucket", js_DeleteKeyValue(c.js, "R"));
    ck_assert_int_eq(js_KeyValue(&kv, c.js, "R"), NATS_NOT_FOUND);
    jsu_close(&c);
}
END_TEST

static Suite *kv_suite(void)
{
    Suite *s = suite_create("js/kv");
    HARNESS_ADD(s, put_get_create_update, 30);
    HARNESS_ADD(s, delete_and_purge, 30);
    HARNESS_ADD(s, keys_and_history_limit, 30);
    HARNESS_ADD(s, watch, 30);
    HARNESS_ADD(s, ttl_expires_values, 30);
    HARNESS_ADD(s, bucket_survives_restart, 30);
    return s;
}

int main(void)
{
    return harness_main(kv_suite());
}
