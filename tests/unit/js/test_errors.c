/* The JetStream API error table and the error reply JSON. */
#include "js/errors.h"

#include "ballast/buf.h"
#include "ballast/err.h"

#include <check.h>
#include <inttypes.h>
#include <string.h>

#include "suites.h"

static struct bl_buf out;
static struct js_error e;

static void setup(void)
{
    bl_buf_init(&out);
    js_error_clear(&e);
}

static void teardown(void)
{
    bl_buf_close(&out);
}

struct row {
    enum js_err id;
    int code;
    unsigned err_code;
    const char *description;
};

/* Codes the clients test for, as in nats-server's errors.json. */
static const struct row rows[] = {
    {JS_ERR_STREAM_NAME_EXIST, 400, 10058,
     "stream name already in use with a different configuration"},
    {JS_ERR_STREAM_NOT_FOUND, 404, 10059, "stream not found"},
    {JS_ERR_CONSUMER_NOT_FOUND, 404, 10014, "consumer not found"},
    {JS_ERR_STREAM_WRONG_LAST_SEQUENCE, 400, 10071,
     "wrong last sequence: {seq}"},
    {JS_ERR_STREAM_NOT_MATCH, 400, 10060, "expected stream does not match"},
    {JS_ERR_STREAM_SUBJECT_OVERLAP, 400, 10065,
     "subjects overlap with an existing stream"},
    {JS_ERR_STREAM_INVALID_CONFIG, 500, 10052, "{err}"},
    {JS_ERR_NO_MESSAGE_FOUND, 404, 10037, "no message found"},
    {JS_ERR_BAD_REQUEST, 400, 10003, "bad request"},
    {JS_ERR_INVALID_JSON, 400, 10025, "invalid JSON"},
    {JS_ERR_STREAM_WRONG_LAST_MSG_ID, 400, 10070, "wrong last msg ID: {id}"},
    {JS_ERR_STREAM_MESSAGE_EXCEEDS_MAXIMUM, 400, 10054,
     "message size exceeds maximum allowed"},
    {JS_ERR_STORAGE_RESOURCES_EXCEEDED, 500, 10047,
     "insufficient storage resources available"},
    {JS_ERR_STREAM_SEALED, 400, 10109, "invalid operation on sealed stream"},
    {JS_ERR_STREAM_NAME_EXIST_RESTORE_FAILED, 400, 10130,
     "stream name already in use, cannot restore"},
    {JS_ERR_CONSUMER_NAME_EXIST, 400, 10013, "consumer name already in use"},
    {JS_ERR_CONSUMER_MAX_DELIVER_BACKOFF, 400, 10116,
     "max deliver is required to be > length of backoff values"},
    {JS_ERR_NOT_ENABLED_FOR_ACCOUNT, 503, 10039,
     "JetStream not enabled for account"},
    {JS_ERR_CLUSTER_NOT_AVAIL, 503, 10008,
     "JetStream system temporarily unavailable"},
    {JS_ERR_REPLICAS_COUNT_CANNOT_BE_NEGATIVE, 400, 10133,
     "replicas count cannot be negative"},
};

/* Each error carries nats-server's code, err_code and text. */
START_TEST(table_rows_match_nats_server)
{
    const struct row *r = &rows[_i];
    const struct js_err_info *info = js_err_info(r->id);
    ck_assert_ptr_nonnull(info);
    ck_assert_int_eq(info->code, r->code);
    ck_assert_uint_eq(info->err_code, r->err_code);
    ck_assert_str_eq(info->description, r->description);
    ck_assert_int_eq(js_err_by_code(r->err_code), r->id);
}
END_TEST

/* Every row has a unique err_code and an HTTP-like code; out-of-range ids
 * have no row. */
START_TEST(table_is_consistent)
{
    ck_assert_ptr_null(js_err_info(JS_ERR_NONE));
    ck_assert_ptr_null(js_err_info(JS_ERR_COUNT_));
    ck_assert_int_eq(js_err_by_code(99999), JS_ERR_NONE);
    for (int id = JS_ERR_NONE + 1; id < JS_ERR_COUNT_; id++) {
        const struct js_err_info *info = js_err_info((enum js_err)id);
        ck_assert_ptr_nonnull(info);
        ck_assert(info->code == 400 || info->code == 404 || info->code == 500 ||
                  info->code == 503);
        ck_assert_int_eq(js_err_by_code(info->err_code), id);
    }
}
END_TEST

/* The whole error reply reads exactly like nats-server's. */
START_TEST(error_reply_is_exact)
{
    js_error_set(&e, JS_ERR_STREAM_NAME_EXIST);
    js_error_reply(&out, "io.nats.jetstream.api.v1.stream_create_response", &e);
    ck_assert_str_eq(out.p,
                     "{\"type\":\"io.nats.jetstream.api.v1.stream_create_"
                     "response\",\"error\":{\"code\":400,\"err_code\":10058,"
                     "\"description\":\"stream name already in use with a "
                     "different configuration\"}}");
}
END_TEST

/* A placeholder is filled with the formatted value. */
START_TEST(setf_fills_the_placeholder)
{
    js_error_setf(&e, JS_ERR_STREAM_WRONG_LAST_SEQUENCE, "%" PRIu64,
                  (uint64_t)2);
    ck_assert_str_eq(e.description, "wrong last sequence: 2");
    js_error_setf(&e, JS_ERR_STREAM_INVALID_CONFIG, "%s", "invalid subject");
    ck_assert_str_eq(e.description, "invalid subject");
    js_error_setf(&e, JS_ERR_STREAM_RESTORE, "%s", "bad tar");
    ck_assert_str_eq(e.description, "restore failed: bad tar");
    /* A template without holes ignores the text. */
    js_error_setf(&e, JS_ERR_STREAM_NOT_FOUND, "%s", "ignored");
    ck_assert_str_eq(e.description, "stream not found");
}
END_TEST

/* Two-hole templates take both values in order. */
START_TEST(set2_fills_both_placeholders)
{
    js_error_set2(&e, JS_ERR_STREAM_EXTERNAL_API_OVERLAP, "$JS.API", "$JS.API");
    ck_assert_str_eq(e.description, "stream external api prefix $JS.API must "
                                    "not overlap with $JS.API");
    js_error_set2(&e, JS_ERR_RESTORE_SUBSCRIBE_FAILED, "x.y", "boom");
    ck_assert_str_eq(e.description, "JetStream unable to subscribe to restore "
                                    "snapshot x.y: boom");
}
END_TEST

/* Go escapes '>' in JSON strings; so do we. */
START_TEST(description_is_html_escaped_like_go)
{
    js_error_set(&e, JS_ERR_CONSUMER_BAD_DURABLE_NAME);
    js_error_render_obj(&out, &e);
    ck_assert_str_eq(out.p, "{\"code\":400,\"err_code\":10103,\"description\":"
                            "\"durable name can not contain '.', '*', "
                            "'\\u003e'\"}");
}
END_TEST

/* A full disk from the store becomes the storage-exceeded error; other
 * codes become the operation's error with the text. */
START_TEST(from_bl_maps_codes)
{
    js_error_from_bl(&e, BL_ENOSPC, JS_ERR_STREAM_CREATE, "write: no space");
    ck_assert_int_eq(e.id, JS_ERR_STORAGE_RESOURCES_EXCEEDED);
    ck_assert_str_eq(e.description, "insufficient storage resources available");
    ck_assert_str_eq(e.detail, "write: no space");
    js_error_from_bl(&e, BL_EIO, JS_ERR_STREAM_CREATE,
                     "error creating store for stream");
    ck_assert_int_eq(e.id, JS_ERR_STREAM_CREATE);
    ck_assert_str_eq(e.description, "error creating store for stream");
}
END_TEST

/* Responses with more fields are built from open + error. */
START_TEST(open_and_error_compose)
{
    js_error_set(&e, JS_ERR_STREAM_NOT_FOUND);
    js_response_open(&out, "io.nats.jetstream.api.v1.stream_info_response");
    js_response_error(&out, &e);
    bl_buf_append_str(&out, ",\"total\":0,\"offset\":0,\"limit\":0}");
    ck_assert_str_eq(out.p,
                     "{\"type\":\"io.nats.jetstream.api.v1.stream_info_"
                     "response\",\"error\":{\"code\":404,\"err_code\":10059,"
                     "\"description\":\"stream not found\"},\"total\":0,"
                     "\"offset\":0,\"limit\":0}");
}
END_TEST

/* An overlong value is cut, never overflowing the description. */
START_TEST(long_values_are_truncated)
{
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    js_error_setf(&e, JS_ERR_STREAM_RESTORE, "%s", big);
    ck_assert_uint_eq(strlen(e.description), JS_ERROR_DESC_SIZE - 1);
    ck_assert(strncmp(e.description, "restore failed: xxx", 19) == 0);
}
END_TEST

Suite *errors_suite(void)
{
    Suite *s = suite_create("js/errors");
    TCase *tc = tcase_create("table");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, table_rows_match_nats_server, 0,
                        sizeof rows / sizeof rows[0]);
    tcase_add_test(tc, table_is_consistent);
    suite_add_tcase(s, tc);
    tc = tcase_create("render");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, error_reply_is_exact);
    tcase_add_test(tc, setf_fills_the_placeholder);
    tcase_add_test(tc, set2_fills_both_placeholders);
    tcase_add_test(tc, description_is_html_escaped_like_go);
    tcase_add_test(tc, from_bl_maps_codes);
    tcase_add_test(tc, open_and_error_compose);
    tcase_add_test(tc, long_values_are_truncated);
    suite_add_tcase(s, tc);
    return s;
}
