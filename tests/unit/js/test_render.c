/* Response renderers: stream info, consumer info, PubAck, msg get, names. */
#include "js/api_types.h"

#include "ballast/buf.h"

#include <check.h>
#include <jansson.h>
#include <string.h>

#include "suites.h"

static struct bl_buf out;
static struct js_stream_config scfg;
static struct js_consumer_config ccfg;
static struct js_error err;

static void setup(void)
{
    bl_buf_init(&out);
    js_stream_config_init(&scfg);
    js_consumer_config_init(&ccfg);
    js_error_clear(&err);
}

static void teardown(void)
{
    bl_buf_close(&out);
    js_stream_config_close(&scfg);
    js_consumer_config_close(&ccfg);
}

static void stream_config(const char *json)
{
    ck_assert_int_eq(js_stream_config_parse(&scfg, json, strlen(json), &err),
                     0);
    ck_assert_int_eq(js_stream_config_check_create(&scfg, &err), 0);
}

static void consumer_config(const char *json)
{
    json_t *obj = json_loads(json, 0, NULL);
    ck_assert_int_eq(js_consumer_config_from_json(&ccfg, obj, &err), 0);
    json_decref(obj);
    js_consumer_config_set_defaults(&ccfg);
}

/* Parses the output with jansson; caller decrefs. */
static json_t *parsed(void)
{
    json_error_t jerr;
    json_t *j = json_loads(out.p, 0, &jerr);
    ck_assert_msg(j != NULL, "not JSON: %s (%s)", out.p, jerr.text);
    return j;
}

#define S_CONFIG                                                               \
    "{\"name\":\"S\",\"subjects\":[\"S\"],\"retention\":\"limits\","           \
    "\"max_consumers\":-1,\"max_msgs\":-1,\"max_bytes\":-1,\"max_age\":0,"     \
    "\"max_msgs_per_subject\":-1,\"max_msg_size\":-1,\"discard\":\"old\","     \
    "\"storage\":\"file\",\"num_replicas\":1,"                                 \
    "\"duplicate_window\":120000000000,\"allow_direct\":false,"                \
    "\"mirror_direct\":false,\"sealed\":false,\"deny_delete\":false,"          \
    "\"deny_purge\":false,\"allow_rollup_hdrs\":false}"
#define EMPTY_STATE                                                            \
    "\"messages\":0,\"bytes\":0,\"first_seq\":0,\"first_ts\":"                 \
    "\"0001-01-01T00:00:00Z\",\"last_seq\":0,\"last_ts\":"                     \
    "\"0001-01-01T00:00:00Z\","

/* STREAM.CREATE's reply is byte for byte what nats-server 2.9.10 sent. */
START_TEST(stream_create_reply_is_exact)
{
    stream_config("{\"name\":\"S\"}");
    struct js_stream_state st = {0};
    struct js_stream_info si = {
        .config = &scfg, .created_ns = 1795457195364014697ULL, .state = &st};
    js_stream_info_reply(&out, JS_TYPE_STREAM_CREATE, &si, true);
    ck_assert_str_eq(
        out.p, "{\"type\":\"io.nats.jetstream.api.v1.stream_create_"
               "response\",\"config\":" S_CONFIG ",\"created\":"
               "\"2026-11-23T18:06:35.364014697Z\",\"state\":{" EMPTY_STATE
               "\"consumer_count\":0},\"did_create\":true}");
}
END_TEST

/* STREAM.INFO carries the paging fields before the info. */
START_TEST(stream_info_reply_is_exact)
{
    stream_config("{\"name\":\"S\"}");
    struct js_stream_state st = {.consumer_count = 4};
    struct js_stream_info si = {
        .config = &scfg, .created_ns = 1795457195364014697ULL, .state = &st};
    js_stream_info_paged_reply(&out, &si, 0, 0, 0);
    ck_assert_str_eq(
        out.p, "{\"type\":\"io.nats.jetstream.api.v1.stream_info_"
               "response\",\"total\":0,\"offset\":0,\"limit\":0,"
               "\"config\":" S_CONFIG ",\"created\":"
               "\"2026-11-23T18:06:35.364014697Z\",\"state\":{" EMPTY_STATE
               "\"consumer_count\":4}}");
}
END_TEST

/* A busy stream's state, with subject and deleted details and a cluster
 * section, parses back to the same numbers. */
START_TEST(stream_state_details_parse_back)
{
    stream_config("{\"name\":\"S\",\"subjects\":[\"a.*\"]}");
    struct js_subject_count subjects[] = {{"a.x", 2}, {"a.<y>", 1}};
    uint64_t deleted[] = {2, 5};
    struct js_stream_state st = {
        .msgs = 3,
        .bytes = 300,
        .first_seq = 1,
        .first_ts_ns = 1641092645500000000ULL,
        .last_seq = 6,
        .last_ts_ns = 1641092646000000000ULL,
        .num_subjects = 2,
        .subjects = subjects,
        .n_subjects = 2,
        .num_deleted = 2,
        .deleted = deleted,
        .n_deleted = 2,
        .consumer_count = 1,
    };
    struct js_peer_info peers[] = {
        {.name = "n2", .current = true, .active_ns = 1000, .peer = "p2"},
        {.name = "n3", .offline = true, .lag = 7, .peer = "p3"},
    };
    struct js_cluster_info cl = {
        .name = "c1", .leader = "n1", .replicas = peers, .n_replicas = 2};
    struct js_stream_info si = {.config = &scfg,
                                .created_ns = 1,
                                .state = &st,
                                .domain = "hub",
                                .cluster = &cl};
    js_stream_info_render(&out, &si);
    json_t *j = parsed();
    json_t *state = json_object_get(j, "state");
    ck_assert_int_eq(json_integer_value(json_object_get(state, "messages")), 3);
    ck_assert_str_eq(json_string_value(json_object_get(state, "first_ts")),
                     "2022-01-02T03:04:05.5Z");
    ck_assert_str_eq(json_string_value(json_object_get(state, "last_ts")),
                     "2022-01-02T03:04:06Z");
    json_t *subj = json_object_get(state, "subjects");
    ck_assert_int_eq(json_integer_value(json_object_get(subj, "a.<y>")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(subj, "a.x")), 2);
    ck_assert_int_eq(json_integer_value(
                         json_array_get(json_object_get(state, "deleted"), 1)),
                     5);
    ck_assert_str_eq(json_string_value(json_object_get(j, "domain")), "hub");
    json_t *c = json_object_get(j, "cluster");
    ck_assert_str_eq(json_string_value(json_object_get(c, "leader")), "n1");
    json_t *r1 = json_array_get(json_object_get(c, "replicas"), 1);
    ck_assert(json_is_true(json_object_get(r1, "offline")));
    ck_assert_int_eq(json_integer_value(json_object_get(r1, "lag")), 7);
    json_t *r0 = json_array_get(json_object_get(c, "replicas"), 0);
    ck_assert_ptr_null(json_object_get(r0, "offline"));
    ck_assert_ptr_null(json_object_get(r0, "lag"));
    ck_assert_int_eq(json_integer_value(json_object_get(r0, "active")), 1000);
    /* The config inside parses back into an equal config. */
    struct js_stream_config back;
    char *cfg_json = json_dumps(json_object_get(j, "config"), 0);
    ck_assert_int_eq(
        js_stream_config_parse(&back, cfg_json, strlen(cfg_json), &err), 0);
    ck_assert(js_stream_config_equal(&back, &scfg));
    js_stream_config_close(&back);
    free(cfg_json);
    json_decref(j);
}
END_TEST

/* CONSUMER.CREATE's reply is byte for byte what nats-server sent. */
START_TEST(consumer_create_reply_is_exact)
{
    consumer_config("{\"durable_name\":\"D\",\"ack_policy\":\"explicit\"}");
    struct js_consumer_state st = {0};
    struct js_consumer_info ci = {.stream_name = "S",
                                  .name = "D",
                                  .created_ns = 1795457198411697496ULL,
                                  .config = &ccfg,
                                  .state = &st};
    js_consumer_info_reply(&out, JS_TYPE_CONSUMER_CREATE, &ci);
    ck_assert_str_eq(
        out.p,
        "{\"type\":\"io.nats.jetstream.api.v1.consumer_create_response\","
        "\"stream_name\":\"S\",\"name\":\"D\",\"created\":"
        "\"2026-11-23T18:06:38.411697496Z\",\"config\":{\"durable_name\":"
        "\"D\",\"deliver_policy\":\"all\",\"ack_policy\":\"explicit\","
        "\"ack_wait\":30000000000,\"max_deliver\":-1,\"replay_policy\":"
        "\"instant\",\"max_waiting\":512,\"max_ack_pending\":1000,"
        "\"num_replicas\":0},\"delivered\":{\"consumer_seq\":0,"
        "\"stream_seq\":0},\"ack_floor\":{\"consumer_seq\":0,\"stream_seq\":"
        "0},\"num_ack_pending\":0,\"num_redelivered\":0,\"num_waiting\":0,"
        "\"num_pending\":0}");
}
END_TEST

/* A consumer with activity shows last_active and push_bound. */
START_TEST(consumer_info_with_activity)
{
    consumer_config("{\"deliver_subject\":\"d\"}");
    struct js_consumer_state st = {
        .delivered = {10, 20, 1641092645500000000ULL},
        .ack_floor = {8, 18, 0},
        .num_ack_pending = 2,
        .num_redelivered = 1,
        .num_pending = 5,
        .push_bound = true,
    };
    struct js_consumer_info ci = {
        .stream_name = "S", .name = "e1", .created_ns = 5, .state = &st};
    js_consumer_info_render(&out, &ci);
    json_t *j = parsed();
    ck_assert_ptr_null(json_object_get(j, "config"));
    json_t *d = json_object_get(j, "delivered");
    ck_assert_int_eq(json_integer_value(json_object_get(d, "stream_seq")), 20);
    ck_assert_str_eq(json_string_value(json_object_get(d, "last_active")),
                     "2022-01-02T03:04:05.5Z");
    ck_assert_ptr_null(
        json_object_get(json_object_get(j, "ack_floor"), "last_active"));
    ck_assert(json_is_true(json_object_get(j, "push_bound")));
    ck_assert_int_eq(json_integer_value(json_object_get(j, "num_pending")), 5);
    json_decref(j);
}
END_TEST

/* PubAcks are nats-server's hand-written template, spaces included. */
START_TEST(puback_is_exact)
{
    js_puback_render(&out, "S", NULL, 1, false);
    ck_assert_str_eq(out.p, "{\"stream\":\"S\", \"seq\":1}");
    bl_buf_clear(&out);
    js_puback_render(&out, "S", NULL, 3, true);
    ck_assert_str_eq(out.p,
                     "{\"stream\":\"S\", \"seq\":3,\"duplicate\": true}");
    bl_buf_clear(&out);
    js_puback_render(&out, "S", "hub", 4, false);
    ck_assert_str_eq(out.p,
                     "{\"stream\":\"S\", \"domain\":\"hub\", \"seq\":4}");
    bl_buf_clear(&out);
    js_error_setf(&err, JS_ERR_STREAM_WRONG_LAST_SEQUENCE, "%d", 2);
    js_puback_error_render(&out, "S", &err);
    ck_assert_str_eq(out.p, "{\"error\":{\"code\":400,\"err_code\":10071,"
                            "\"description\":\"wrong last sequence: 2\"},"
                            "\"stream\":\"S\",\"seq\":0}");
    bl_buf_clear(&out);
    js_error_set(&err, JS_ERR_STREAM_NOT_MATCH);
    js_puback_error_render(&out, NULL, &err);
    ck_assert_str_eq(out.p, "{\"error\":{\"code\":400,\"err_code\":10060,"
                            "\"description\":\"expected stream does not "
                            "match\"}}");
}
END_TEST

/* The msg get reply base64-encodes headers and data. */
START_TEST(msg_get_reply_encodes_bytes)
{
    const char hdr[] = "NATS/1.0\r\nA: b\r\n\r\n";
    struct js_stored_msg m = {.subject = "a.b",
                              .seq = 9,
                              .hdrs = hdr,
                              .hdrs_len = sizeof hdr - 1,
                              .data = "hello",
                              .data_len = 5,
                              .time_ns = 1641092645500000000ULL};
    js_msg_get_reply(&out, &m);
    ck_assert_str_eq(out.p,
                     "{\"type\":\"io.nats.jetstream.api.v1.stream_msg_get_"
                     "response\",\"message\":{\"subject\":\"a.b\",\"seq\":9,"
                     "\"hdrs\":\"TkFUUy8xLjANCkE6IGINCg0K\",\"data\":"
                     "\"aGVsbG8=\",\"time\":\"2022-01-02T03:04:05.5Z\"}}");
    bl_buf_clear(&out);
    m.hdrs_len = 0;
    m.data_len = 0;
    js_msg_get_reply(&out, &m);
    json_t *j = parsed();
    json_t *msg = json_object_get(j, "message");
    ck_assert_ptr_null(json_object_get(msg, "hdrs"));
    ck_assert_ptr_null(json_object_get(msg, "data"));
    json_decref(j);
}
END_TEST

/* Names replies list the page; an empty page is []. */
START_TEST(names_and_simple_replies)
{
    const char *names[] = {"A", "B"};
    js_names_reply(&out, JS_TYPE_STREAM_NAMES, "streams", 2, 0,
                   JS_API_NAMES_LIMIT, names, 2);
    ck_assert_str_eq(out.p, "{\"type\":\"io.nats.jetstream.api.v1.stream_"
                            "names_response\",\"total\":2,\"offset\":0,"
                            "\"limit\":1024,\"streams\":[\"A\",\"B\"]}");
    bl_buf_clear(&out);
    js_names_reply(&out, JS_TYPE_CONSUMER_NAMES, "consumers", 0, 0,
                   JS_API_NAMES_LIMIT, NULL, 0);
    ck_assert_str_eq(out.p, "{\"type\":\"io.nats.jetstream.api.v1.consumer_"
                            "names_response\",\"total\":0,\"offset\":0,"
                            "\"limit\":1024,\"consumers\":[]}");
    bl_buf_clear(&out);
    js_success_reply(&out, JS_TYPE_STREAM_DELETE);
    ck_assert_str_eq(out.p, "{\"type\":\"io.nats.jetstream.api.v1.stream_"
                            "delete_response\",\"success\":true}");
    bl_buf_clear(&out);
    js_purge_reply(&out, 42);
    ck_assert_str_eq(out.p, "{\"type\":\"io.nats.jetstream.api.v1.stream_"
                            "purge_response\",\"success\":true,"
                            "\"purged\":42}");
}
END_TEST

Suite *render_suite(void)
{
    Suite *s = suite_create("js/render");
    TCase *tc = tcase_create("stream");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, stream_create_reply_is_exact);
    tcase_add_test(tc, stream_info_reply_is_exact);
    tcase_add_test(tc, stream_state_details_parse_back);
    suite_add_tcase(s, tc);
    tc = tcase_create("consumer");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, consumer_create_reply_is_exact);
    tcase_add_test(tc, consumer_info_with_activity);
    suite_add_tcase(s, tc);
    tc = tcase_create("misc");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, puback_is_exact);
    tcase_add_test(tc, msg_get_reply_encodes_bytes);
    tcase_add_test(tc, names_and_simple_replies);
    suite_add_tcase(s, tc);
    return s;
}
