/* The small API request bodies. */
#include "js/api_types.h"

#include "ballast/err.h"

#include <check.h>
#include <string.h>

#include "suites.h"

static struct js_error err;

static void setup(void)
{
    js_error_clear(&err);
}

static unsigned err_code(void)
{
    const struct js_err_info *info = js_err_info(err.id);
    return info ? info->err_code : 0;
}

#define LEN(s) (sizeof(s) - 1)

/* Names/list requests: empty means the first page; offset and subject are
 * read; bad JSON is 10025; a negative offset is the first page. */
START_TEST(list_request)
{
    struct js_list_request r;
    ck_assert_int_eq(js_list_request_parse(&r, "", 0, &err), 0);
    ck_assert_int_eq(r.offset, 0);
    ck_assert_ptr_null(r.subject);
    ck_assert_int_eq(js_list_request_parse(&r, " { } ", 5, &err), 0);
    const char *b = "{\"offset\":256,\"subject\":\"orders.*\"}";
    ck_assert_int_eq(js_list_request_parse(&r, b, strlen(b), &err), 0);
    ck_assert_int_eq(r.offset, 256);
    ck_assert_str_eq(r.subject, "orders.*");
    js_list_request_close(&r);
    b = "{\"offset\":-4}";
    ck_assert_int_eq(js_list_request_parse(&r, b, strlen(b), &err), 0);
    ck_assert_int_eq(r.offset, 0);
    b = "{\"offset\":\"x\"}";
    ck_assert_int_eq(js_list_request_parse(&r, b, strlen(b), &err), BL_EINVAL);
    ck_assert_uint_eq(err_code(), 10025);
    ck_assert_ptr_null(r.subject);
    js_list_request_close(&r);
}
END_TEST

/* Stream info request fields. */
START_TEST(stream_info_request)
{
    struct js_stream_info_request r;
    ck_assert_int_eq(js_stream_info_request_parse(&r, "{}", 2, &err), 0);
    ck_assert(!r.deleted_details);
    const char *b = "{\"deleted_details\":true,\"subjects_filter\":\">\","
                    "\"offset\":10}";
    ck_assert_int_eq(js_stream_info_request_parse(&r, b, strlen(b), &err), 0);
    ck_assert(r.deleted_details);
    ck_assert_str_eq(r.subjects_filter, ">");
    ck_assert_int_eq(r.offset, 10);
    js_stream_info_request_close(&r);
    b = "{\"deleted_details\":1}";
    ck_assert_int_eq(js_stream_info_request_parse(&r, b, strlen(b), &err),
                     BL_EINVAL);
    ck_assert_uint_eq(err_code(), 10025);
}
END_TEST

/* Purge: empty purges all; seq with keep is a bad request. */
START_TEST(purge_request)
{
    struct js_purge_request r;
    ck_assert_int_eq(js_purge_request_parse(&r, "", 0, &err), 0);
    ck_assert(r.seq == 0 && r.keep == 0 && r.filter == NULL);
    const char *b = "{\"filter\":\"a.>\",\"keep\":5}";
    ck_assert_int_eq(js_purge_request_parse(&r, b, strlen(b), &err), 0);
    ck_assert_str_eq(r.filter, "a.>");
    ck_assert_uint_eq(r.keep, 5);
    js_purge_request_close(&r);
    b = "{\"seq\":2,\"keep\":1}";
    ck_assert_int_eq(js_purge_request_parse(&r, b, strlen(b), &err), BL_EINVAL);
    ck_assert_uint_eq(err_code(), 10003);
    ck_assert_str_eq(err.description, "bad request");
    b = "{\"seq\":-2}";
    ck_assert_int_eq(js_purge_request_parse(&r, b, strlen(b), &err), BL_EINVAL);
    ck_assert_uint_eq(err_code(), 10025);
}
END_TEST

struct get_row {
    const char *body;
    unsigned err_code; /* 0: ok */
};

static const struct get_row get_rows[] = {
    {"", 10003},
    {"{}", 10003},
    {"{\"seq\":0}", 10003},
    {"{\"seq\":4}", 0},
    {"{\"last_by_subj\":\"a\"}", 0},
    {"{\"next_by_subj\":\"a.*\"}", 0},
    {"{\"seq\":4,\"next_by_subj\":\"a\"}", 0},
    {"{\"seq\":4,\"last_by_subj\":\"a\"}", 10003},
    {"{\"last_by_subj\":\"a\",\"next_by_subj\":\"b\"}", 10003},
    {"{\"seq\":\"4\"}", 10025},
    {"{\"seq\":4", 10025},
};

/* Message get combinations, as nats-server judges them. */
START_TEST(msg_get_request)
{
    const struct get_row *row = &get_rows[_i];
    struct js_msg_get_request r;
    int rv = js_msg_get_request_parse(&r, row->body, strlen(row->body), &err);
    if (row->err_code == 0) {
        ck_assert_int_eq(rv, 0);
    } else {
        ck_assert_int_eq(rv, BL_EINVAL);
        ck_assert_uint_eq(err_code(), row->err_code);
        ck_assert(r.last_by_subj == NULL && r.next_by_subj == NULL);
    }
    js_msg_get_request_close(&r);
}
END_TEST

/* Message delete: needs a body. */
START_TEST(msg_delete_request)
{
    struct js_msg_delete_request r;
    ck_assert_int_eq(js_msg_delete_request_parse(&r, "", 0, &err), BL_EINVAL);
    ck_assert_uint_eq(err_code(), 10003);
    const char *b = "{\"seq\":9,\"no_erase\":true}";
    ck_assert_int_eq(js_msg_delete_request_parse(&r, b, strlen(b), &err), 0);
    ck_assert_uint_eq(r.seq, 9);
    ck_assert(r.no_erase);
    b = "{\"seq\":9,\"no_erase\":\"yes\"}";
    ck_assert_int_eq(js_msg_delete_request_parse(&r, b, strlen(b), &err),
                     BL_EINVAL);
    ck_assert_uint_eq(err_code(), 10025);
    ck_assert_uint_eq(r.seq, 0);
}
END_TEST

/* Consumer create: stream name and config; errors inside config name the
 * path; an empty body is invalid JSON (nats-server unmarshals it). */
START_TEST(consumer_create_request)
{
    struct js_consumer_create_request r;
    const char *b = "{\"stream_name\":\"S\",\"config\":{\"durable_name\":\"D\","
                    "\"ack_policy\":\"explicit\"}}";
    ck_assert_int_eq(js_consumer_create_request_parse(&r, b, strlen(b), &err),
                     0);
    ck_assert_str_eq(r.stream_name, "S");
    ck_assert_str_eq(r.config.durable_name, "D");
    ck_assert_int_eq(r.config.ack_policy, JS_ACK_EXPLICIT);
    js_consumer_create_request_close(&r);
    b = "{\"stream_name\":\"S\"}";
    ck_assert_int_eq(js_consumer_create_request_parse(&r, b, strlen(b), &err),
                     0);
    ck_assert_ptr_null(r.config.durable_name);
    js_consumer_create_request_close(&r);
    b = "{\"stream_name\":\"S\",\"config\":{\"ack_wait\":\"1s\"}}";
    ck_assert_int_eq(js_consumer_create_request_parse(&r, b, strlen(b), &err),
                     BL_EINVAL);
    ck_assert_uint_eq(err_code(), 10025);
    ck_assert_str_eq(err.detail, "config.ack_wait: expected an integer");
    ck_assert_ptr_null(r.stream_name);
    ck_assert_int_eq(js_consumer_create_request_parse(&r, "", 0, &err),
                     BL_EINVAL);
    ck_assert_uint_eq(err_code(), 10025);
}
END_TEST

struct pull_row {
    const char *body;
    int ok;
    int64_t batch;
    int64_t expires_ns;
    bool no_wait;
    int64_t max_bytes;
    int64_t idle_heartbeat_ns;
};

static const struct pull_row pull_rows[] = {
    {"", 1, 1, 0, false, 0, 0},
    {"  \r\n", 1, 1, 0, false, 0, 0},
    {"10", 1, 10, 0, false, 0, 0},
    {" +7 ", 1, 7, 0, false, 0, 0},
    {"-3", 1, -3, 0, false, 0, 0},
    {"abc", 1, 1, 0, false, 0, 0},
    {"99999999999999999999", 1, 1, 0, false, 0, 0},
    {"{}", 1, 0, 0, false, 0, 0},
    {"{\"batch\":5,\"expires\":30000000000,\"no_wait\":true,\"max_bytes\":"
     "1024,\"idle_heartbeat\":5000000000}",
     1, 5, 30000000000LL, true, 1024, 5000000000LL},
    {"{\"batch\":5,\"idle_heartbeat\":1000000000}", 0, 0, 0, false, 0, 0},
    {"{\"batch\":5,\"expires\":1999999999,\"idle_heartbeat\":1000000000}", 0, 0,
     0, false, 0, 0},
    {"{\"batch\":5,\"expires\":2000000000,\"idle_heartbeat\":1000000000}", 1, 5,
     2000000000LL, false, 0, 1000000000LL},
    {"{\"batch\":\"5\"}", 0, 0, 0, false, 0, 0},
    {"{\"batch\":5", 0, 0, 0, false, 0, 0},
};

/* Pull requests: bare numbers, empty bodies and JSON, as nats-server reads
 * them. */
START_TEST(pull_request)
{
    const struct pull_row *row = &pull_rows[_i];
    struct js_pull_request r;
    int rv = js_pull_request_parse(&r, row->body, strlen(row->body), &err);
    if (!row->ok) {
        ck_assert_int_eq(rv, BL_EINVAL);
        ck_assert_uint_eq(err_code(), 10003);
        ck_assert(err.description[0] != '\0');
        return;
    }
    ck_assert_int_eq(rv, 0);
    ck_assert_int_eq(r.batch, row->batch);
    ck_assert_int_eq(r.expires_ns, row->expires_ns);
    ck_assert_int_eq(r.no_wait, row->no_wait);
    ck_assert_int_eq(r.max_bytes, row->max_bytes);
    ck_assert_int_eq(r.idle_heartbeat_ns, row->idle_heartbeat_ns);
}
END_TEST

/* The heartbeat error text is nats-server's. */
START_TEST(pull_heartbeat_too_large_text)
{
    struct js_pull_request r;
    const char *b = "{\"batch\":1,\"idle_heartbeat\":1000000000}";
    ck_assert_int_eq(js_pull_request_parse(&r, b, strlen(b), &err), BL_EINVAL);
    ck_assert_str_eq(err.description, "heartbeat value too large");
}
END_TEST

/* Snapshot: a body and a valid deliver subject are required. */
START_TEST(snapshot_request)
{
    struct js_snapshot_request r;
    ck_assert_int_eq(js_snapshot_request_parse(&r, "{}", 2, &err), BL_EINVAL);
    ck_assert_uint_eq(err_code(), 10003);
    const char *b = "{\"deliver_subject\":\"\"}";
    ck_assert_int_eq(js_snapshot_request_parse(&r, b, strlen(b), &err),
                     BL_EINVAL);
    ck_assert_uint_eq(err_code(), 10015);
    b = "{\"deliver_subject\":\"a b\"}";
    ck_assert_int_eq(js_snapshot_request_parse(&r, b, strlen(b), &err),
                     BL_EINVAL);
    ck_assert_uint_eq(err_code(), 10015);
    ck_assert_ptr_null(r.deliver_subject);
    b = "{\"deliver_subject\":\"_INBOX.x\",\"no_consumers\":true,"
        "\"chunk_size\":65536,\"jsck\":true}";
    ck_assert_int_eq(js_snapshot_request_parse(&r, b, strlen(b), &err), 0);
    ck_assert_str_eq(r.deliver_subject, "_INBOX.x");
    ck_assert(r.no_consumers && r.jsck);
    ck_assert_int_eq(r.chunk_size, 65536);
    js_snapshot_request_close(&r);
}
END_TEST

/* Restore: config parsed fully, state counters kept, Go zero times are 0. */
START_TEST(restore_request)
{
    struct js_restore_request r;
    ck_assert_int_eq(js_restore_request_parse(&r, "", 0, &err), BL_EINVAL);
    ck_assert_uint_eq(err_code(), 10003);
    const char *b =
        "{\"config\":{\"name\":\"S\",\"subjects\":[\"a\"],\"max_msgs\":-1},"
        "\"state\":{\"messages\":3,\"bytes\":120,\"first_seq\":1,"
        "\"first_ts\":\"2022-01-02T03:04:05.5Z\",\"last_seq\":3,\"last_ts\":"
        "\"0001-01-01T00:00:00Z\",\"consumer_count\":2,\"deleted\":[2]}}";
    ck_assert_int_eq(js_restore_request_parse(&r, b, strlen(b), &err), 0);
    ck_assert_str_eq(r.config.name, "S");
    ck_assert_int_eq(r.config.max_msgs, -1);
    ck_assert_uint_eq(r.state.msgs, 3);
    ck_assert_uint_eq(r.state.bytes, 120);
    ck_assert_uint_eq(r.state.first_ts_ns, 1641092645500000000ULL);
    ck_assert_uint_eq(r.state.last_ts_ns, 0);
    ck_assert_uint_eq(r.state.consumer_count, 2);
    js_restore_request_close(&r);
    b = "{\"config\":{\"name\":\"S\"},\"state\":{\"messages\":-1}}";
    ck_assert_int_eq(js_restore_request_parse(&r, b, strlen(b), &err),
                     BL_EINVAL);
    ck_assert_uint_eq(err_code(), 10025);
    ck_assert_str_eq(err.detail, "state.messages: integer out of range");
    ck_assert_ptr_null(r.config.name);
}
END_TEST

Suite *requests_suite(void)
{
    Suite *s = suite_create("js/requests");
    TCase *tc = tcase_create("stream");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, list_request);
    tcase_add_test(tc, stream_info_request);
    tcase_add_test(tc, purge_request);
    tcase_add_loop_test(tc, msg_get_request, 0,
                        sizeof get_rows / sizeof get_rows[0]);
    tcase_add_test(tc, msg_delete_request);
    tcase_add_test(tc, snapshot_request);
    tcase_add_test(tc, restore_request);
    suite_add_tcase(s, tc);
    tc = tcase_create("consumer");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, consumer_create_request);
    tcase_add_loop_test(tc, pull_request, 0,
                        sizeof pull_rows / sizeof pull_rows[0]);
    tcase_add_test(tc, pull_heartbeat_too_large_text);
    suite_add_tcase(s, tc);
    return s;
}
