/* ConsumerConfig: parsing, defaults, validation, work queue and update
 * rules, rendering. */
#include "js/api_types.h"

#include "ballast/buf.h"
#include "ballast/err.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"

static struct js_consumer_config cfg;
static struct js_consumer_config old;
static struct js_stream_config stream;
static struct js_error err;
static struct bl_buf out;

/* Stream S on subjects S and orders.>, limits retention, one replica. */
static void use_stream(const char *json)
{
    struct js_error e;
    js_stream_config_close(&stream);
    ck_assert_int_eq(js_stream_config_parse(&stream, json, strlen(json), &e),
                     0);
    ck_assert_int_eq(js_stream_config_check(&stream, &e), 0);
}

static void setup(void)
{
    js_consumer_config_init(&cfg);
    js_consumer_config_init(&old);
    js_stream_config_init(&stream);
    js_error_clear(&err);
    bl_buf_init(&out);
    use_stream("{\"name\":\"S\",\"subjects\":[\"S\",\"orders.>\"]}");
}

static void teardown(void)
{
    js_consumer_config_close(&cfg);
    js_consumer_config_close(&old);
    js_stream_config_close(&stream);
    bl_buf_close(&out);
}

static int parse_into(struct js_consumer_config *c, const char *json)
{
    js_consumer_config_close(c);
    json_t *obj = json_loads(json, 0, NULL);
    ck_assert_ptr_nonnull(obj);
    int rv = js_consumer_config_from_json(c, obj, &err);
    json_decref(obj);
    return rv;
}

/* Parses, applies defaults and checks against `stream`, as CONSUMER.CREATE
 * does. */
static int create(const char *json)
{
    int rv = parse_into(&cfg, json);
    if (rv != 0)
        return rv;
    js_consumer_config_set_defaults(&cfg);
    return js_consumer_config_check(&cfg, &stream, &err);
}

static const char *render(void)
{
    bl_buf_clear(&out);
    js_consumer_config_render(&out, &cfg);
    return out.p;
}

static unsigned err_code(void)
{
    const struct js_err_info *info = js_err_info(err.id);
    return info ? info->err_code : 0;
}

/* Defaulted configs render exactly as nats-server 2.9.10 answered. */
START_TEST(defaults_match_nats_server)
{
    ck_assert_int_eq(create("{\"durable_name\":\"D\",\"ack_policy\":"
                            "\"explicit\"}"),
                     0);
    ck_assert_str_eq(render(),
                     "{\"durable_name\":\"D\",\"deliver_policy\":\"all\","
                     "\"ack_policy\":\"explicit\",\"ack_wait\":30000000000,"
                     "\"max_deliver\":-1,\"replay_policy\":\"instant\","
                     "\"max_waiting\":512,\"max_ack_pending\":1000,"
                     "\"num_replicas\":0}");
    ck_assert_int_eq(create("{\"deliver_subject\":\"dx\",\"ack_policy\":"
                            "\"none\"}"),
                     0);
    ck_assert_str_eq(render(),
                     "{\"deliver_policy\":\"all\",\"ack_policy\":\"none\","
                     "\"max_deliver\":-1,\"replay_policy\":\"instant\","
                     "\"deliver_subject\":\"dx\",\"inactive_threshold\":"
                     "5000000000,\"num_replicas\":0}");
    /* Ack policy defaults to none, as Go's zero value. */
    ck_assert_int_eq(create("{}"), 0);
    ck_assert_str_eq(render(),
                     "{\"deliver_policy\":\"all\",\"ack_policy\":\"none\","
                     "\"max_deliver\":-1,\"replay_policy\":\"instant\","
                     "\"max_waiting\":512,\"inactive_threshold\":5000000000,"
                     "\"num_replicas\":0}");
    /* A backoff list sets ack_wait to its first step. */
    ck_assert_int_eq(
        create("{\"deliver_policy\":\"by_start_time\",\"opt_start_time\":"
               "\"2022-01-02T03:04:05.5+01:00\",\"ack_policy\":\"explicit\","
               "\"backoff\":[1000000000,2000000000],\"max_deliver\":5}"),
        0);
    ck_assert_str_eq(render(),
                     "{\"deliver_policy\":\"by_start_time\",\"opt_start_time\":"
                     "\"2022-01-02T02:04:05.5Z\",\"ack_policy\":\"explicit\","
                     "\"ack_wait\":1000000000,\"max_deliver\":5,\"backoff\":["
                     "1000000000,2000000000],\"replay_policy\":\"instant\","
                     "\"max_waiting\":512,\"max_ack_pending\":1000,"
                     "\"inactive_threshold\":5000000000,\"num_replicas\":0}");
}
END_TEST

/* Explicit settings are kept; durables get no inactive threshold. */
START_TEST(explicit_values_are_kept)
{
    ck_assert_int_eq(create("{\"durable_name\":\"D\",\"ack_policy\":\"all\","
                            "\"ack_wait\":5000000000,\"max_ack_pending\":7,"
                            "\"max_waiting\":3,\"max_deliver\":4,"
                            "\"deliver_policy\":\"last_per_subject\","
                            "\"filter_subject\":\"orders.*\",\"replay_policy\":"
                            "\"original\",\"max_batch\":10,\"max_expires\":"
                            "1000000,\"max_bytes\":99,\"headers_only\":true,"
                            "\"mem_storage\":true,\"sample_freq\":\"50%\","
                            "\"description\":\"x\"}"),
                     0);
    ck_assert_int_eq(cfg.ack_policy, JS_ACK_ALL);
    ck_assert_int_eq(cfg.ack_wait_ns, 5 * JS_NS_PER_SEC);
    ck_assert_int_eq(cfg.max_ack_pending, 7);
    ck_assert_int_eq(cfg.max_waiting, 3);
    ck_assert_int_eq(cfg.max_deliver, 4);
    ck_assert_int_eq(cfg.deliver_policy, JS_DELIVER_LAST_PER_SUBJECT);
    ck_assert_int_eq(cfg.replay_policy, JS_REPLAY_ORIGINAL);
    ck_assert_int_eq(cfg.inactive_threshold_ns, 0);
    ck_assert(js_consumer_is_durable(&cfg) && js_consumer_is_pull(&cfg));
    /* "undefined" is read as deliver all. */
    ck_assert_int_eq(create("{\"deliver_policy\":\"undefined\"}"), 0);
    ck_assert_int_eq(cfg.deliver_policy, JS_DELIVER_ALL);
}
END_TEST

static const char *const bad_json[] = {
    "[]",
    "{\"durable_name\":1}",
    "{\"deliver_policy\":\"first\"}",
    "{\"ack_policy\":\"Explicit\"}",
    "{\"replay_policy\":\"fast\"}",
    "{\"ack_wait\":\"30s\"}",
    "{\"max_deliver\":1.0}",
    "{\"backoff\":1000}",
    "{\"backoff\":[\"1s\"]}",
    "{\"opt_start_seq\":-1}",
    "{\"opt_start_time\":12}",
    "{\"opt_start_time\":\"yesterday\"}",
    "{\"rate_limit_bps\":-5}",
    "{\"flow_control\":1}",
    "{\"num_replicas\":\"1\"}",
};

/* Wrong types and unknown enum values are INVALID_JSON. */
START_TEST(bad_json_is_invalid_json)
{
    json_t *obj = json_loads(bad_json[_i], JSON_DECODE_ANY, NULL);
    ck_assert_ptr_nonnull(obj);
    ck_assert_int_eq(js_consumer_config_from_json(&cfg, obj, &err), BL_EINVAL);
    json_decref(obj);
    ck_assert_uint_eq(err_code(), 10025);
    ck_assert_ptr_null(cfg.durable_name);
}
END_TEST

struct invalid_row {
    const char *json;
    unsigned err_code;
    const char *description; /* NULL: the table's */
};

static const struct invalid_row invalid_rows[] = {
    {"{\"num_replicas\":3}", 10126, NULL},
    {"{\"num_replicas\":-1}", 10133, NULL},
    {"{\"backoff\":[1000000000]}", 10116, NULL},
    {"{\"backoff\":[1000000000,2000000000],\"max_deliver\":2}", 10116, NULL},
    {"{\"deliver_subject\":\"d.*\"}", 10079, NULL},
    {"{\"deliver_subject\":\"d..x\"}", 10112, NULL},
    {"{\"deliver_subject\":\"orders.new\"}", 10081, NULL},
    {"{\"deliver_subject\":\"S\"}", 10081, NULL},
    {"{\"deliver_subject\":\"d\",\"max_waiting\":5}", 10080, NULL},
    {"{\"deliver_subject\":\"d\",\"max_ack_pending\":5}", 10082, NULL},
    {"{\"deliver_subject\":\"d\",\"idle_heartbeat\":50000000}", 10083, NULL},
    {"{\"rate_limit_bps\":100}", 10086, NULL},
    {"{\"max_waiting\":-1}", 10087, NULL},
    {"{\"idle_heartbeat\":1000000000}", 10088, NULL},
    {"{\"flow_control\":true}", 10089, NULL},
    {"{\"max_batch\":-1}", 10114, NULL},
    {"{\"max_expires\":999999}", 10115, NULL},
    {"{\"direct\":true}", 10090, NULL},
    {"{\"direct\":true,\"deliver_subject\":\"d\",\"durable_name\":\"D\"}",
     10091, NULL},
    {"{\"filter_subject\":\"other\"}", 10093, NULL},
    {"{\"filter_subject\":\"orders..x\"}", 10093, NULL},
    {"{\"opt_start_seq\":5}", 10094,
     "consumer delivery policy is deliver all, but optional start sequence "
     "is also set"},
    {"{\"deliver_policy\":\"last\",\"opt_start_time\":"
     "\"2022-01-02T03:04:05Z\"}",
     10094,
     "consumer delivery policy is deliver last, but optional start time is "
     "also set"},
    {"{\"deliver_policy\":\"new\",\"opt_start_seq\":1}", 10094,
     "consumer delivery policy is deliver new, but optional start sequence "
     "is also set"},
    {"{\"deliver_policy\":\"last_per_subject\"}", 10094,
     "consumer delivery policy is deliver last per subject, but optional "
     "filter subject is not set"},
    {"{\"deliver_policy\":\"by_start_sequence\"}", 10094,
     "consumer delivery policy is deliver by start sequence, but optional "
     "start sequence is not set"},
    {"{\"deliver_policy\":\"by_start_sequence\",\"opt_start_seq\":1,"
     "\"opt_start_time\":\"2022-01-02T03:04:05Z\"}",
     10094,
     "consumer delivery policy is deliver by start sequence, but optional "
     "start time is also set"},
    {"{\"deliver_policy\":\"by_start_time\"}", 10094,
     "consumer delivery policy is deliver by start time, but optional start "
     "time is not set"},
    {"{\"deliver_policy\":\"by_start_time\",\"opt_start_seq\":1,"
     "\"opt_start_time\":\"2022-01-02T03:04:05Z\"}",
     10094,
     "consumer delivery policy is deliver by start time, but optional start "
     "start sequence is also set"},
    {"{\"sample_freq\":\"abc\"}", 10095,
     "failed to parse consumer sampling configuration: strconv.Atoi: "
     "parsing \"abc\": invalid syntax"},
    {"{\"sample_freq\":\"%\"}", 10095,
     "failed to parse consumer sampling configuration: strconv.Atoi: "
     "parsing \"\": invalid syntax"},
    {"{\"sample_freq\":\"-5%\"}", 10095,
     "failed to parse consumer sampling configuration: <nil>"},
    {"{\"sample_freq\":\"99999999999999999999\"}", 10095,
     "failed to parse consumer sampling configuration: strconv.Atoi: "
     "parsing \"99999999999999999999\": value out of range"},
    {"{\"deliver_subject\":\"d\",\"flow_control\":true}", 10108, NULL},
    {"{\"durable_name\":\"A\",\"name\":\"B\"}", 10132, NULL},
    {"{\"durable_name\":\"a.b\"}", 10103,
     "durable name can not contain '.', '*', '>'"},
    {"{\"name\":\"a>\"}", 10103, NULL},
    {"{\"name\":\"a b\"}", 10103, NULL},
};

/* Each invalid config gets nats-server's error. */
START_TEST(invalid_configs_are_refused)
{
    const struct invalid_row *r = &invalid_rows[_i];
    ck_assert_int_eq(create(r->json), BL_EINVAL);
    ck_assert_uint_eq(err_code(), r->err_code);
    const char *want =
        r->description ? r->description : js_err_info(err.id)->description;
    ck_assert_str_eq(err.description, want);
}
END_TEST

/* Length limits of description (10107) and durable name (10102). */
START_TEST(length_limits)
{
    char json[8192], s[4200];
    memset(s, 'd', 4097);
    s[4097] = '\0';
    snprintf(json, sizeof json, "{\"description\":\"%s\"}", s);
    ck_assert_int_eq(create(json), BL_EINVAL);
    ck_assert_uint_eq(err_code(), 10107);
    ck_assert_str_eq(err.description, "consumer description is too long, "
                                      "maximum allowed is 4096");
    s[256] = '\0';
    snprintf(json, sizeof json, "{\"durable_name\":\"%s\"}", s);
    ck_assert_int_eq(create(json), BL_EINVAL);
    ck_assert_uint_eq(err_code(), 10102);
    ck_assert_str_eq(err.description,
                     "consumer name is too long, maximum allowed is 255");
    s[255] = '\0';
    snprintf(json, sizeof json, "{\"durable_name\":\"%s\"}", s);
    ck_assert_int_eq(create(json), 0);
}
END_TEST

/* Valid push and pull configs and filters pass. */
START_TEST(valid_configs_pass)
{
    ck_assert_int_eq(create("{\"filter_subject\":\"orders.*\"}"), 0);
    ck_assert_int_eq(create("{\"filter_subject\":\">\"}"), 0);
    ck_assert_int_eq(create("{\"filter_subject\":\"S\"}"), 0);
    ck_assert_int_eq(create("{\"deliver_subject\":\"push.x\",\"deliver_group\":"
                            "\"q\",\"flow_control\":true,\"idle_heartbeat\":"
                            "5000000000,\"rate_limit_bps\":1000,"
                            "\"ack_policy\":\"explicit\"}"),
                     0);
    ck_assert_int_eq(create("{\"durable_name\":\"D\",\"name\":\"D\"}"), 0);
    ck_assert_int_eq(create("{\"direct\":true,\"deliver_subject\":\"d\"}"), 0);
    /* A sourced stream cannot vouch for filters, so any valid one goes. */
    use_stream("{\"name\":\"A\",\"sources\":[{\"name\":\"S\"}]}");
    ck_assert_int_eq(create("{\"filter_subject\":\"anything.*\"}"), 0);
}
END_TEST

/* Pull consumers on a work queue stream need acks. */
START_TEST(workqueue_pull_requires_ack)
{
    use_stream("{\"name\":\"W\",\"retention\":\"workqueue\"}");
    ck_assert_int_eq(create("{}"), BL_EINVAL);
    ck_assert_uint_eq(err_code(), 10084);
}
END_TEST

struct wq_row {
    const char *json;
    const char *others[3];
    size_t n_others;
    unsigned err_code;
};

static const struct wq_row wq_rows[] = {
    {"{\"ack_policy\":\"explicit\"}", {NULL}, 0, 0},
    {"{\"ack_policy\":\"all\"}", {NULL}, 0, 10098},
    {"{\"ack_policy\":\"explicit\",\"deliver_policy\":\"new\"}",
     {NULL},
     0,
     10101},
    {"{\"ack_policy\":\"explicit\"}", {"w.a"}, 1, 10099},
    {"{\"ack_policy\":\"explicit\",\"filter_subject\":\"w.b\"}", {"w.a"}, 1, 0},
    {"{\"ack_policy\":\"explicit\",\"filter_subject\":\"w.b\"}",
     {NULL},
     1,
     10100},
    {"{\"ack_policy\":\"explicit\",\"filter_subject\":\"w.*\"}",
     {"w.a"},
     1,
     10100},
    {"{\"ack_policy\":\"explicit\",\"filter_subject\":\"w.a\"}",
     {"w.b", "w.>"},
     2,
     10100},
};

/* The work queue rules against the other consumers' filters. */
START_TEST(workqueue_rules)
{
    const struct wq_row *r = &wq_rows[_i];
    use_stream("{\"name\":\"W\",\"subjects\":[\"w.>\"],\"retention\":"
               "\"workqueue\"}");
    ck_assert_int_eq(create(r->json), 0);
    int rv = js_consumer_check_workqueue(&cfg, &stream, r->others, r->n_others,
                                         &err);
    if (r->err_code == 0) {
        ck_assert_int_eq(rv, 0);
    } else {
        ck_assert_int_eq(rv, BL_EINVAL);
        ck_assert_uint_eq(err_code(), r->err_code);
    }
    /* Limits streams never apply them. */
    use_stream("{\"name\":\"L\",\"subjects\":[\"w.>\"]}");
    ck_assert_int_eq(js_consumer_check_workqueue(&cfg, &stream, r->others,
                                                 r->n_others, &err),
                     0);
}
END_TEST

struct update_row {
    const char *old;
    const char *new;
    bool interest;
    unsigned err_code; /* 0: allowed */
    const char *description;
};

static const struct update_row update_rows[] = {
    {"{\"durable_name\":\"D\",\"ack_policy\":\"explicit\"}",
     "{\"durable_name\":\"D\",\"ack_policy\":\"explicit\"}", false, 0, NULL},
    {"{\"durable_name\":\"D\",\"ack_policy\":\"explicit\"}",
     "{\"durable_name\":\"D\",\"ack_policy\":\"explicit\",\"max_ack_pending\":"
     "5,\"ack_wait\":1000000000,\"description\":\"new\",\"max_deliver\":9}",
     false, 0, NULL},
    {"{\"durable_name\":\"D\",\"ack_policy\":\"explicit\"}",
     "{\"durable_name\":\"D\",\"ack_policy\":\"all\"}", false, 10012,
     "ack policy can not be updated"},
    {"{\"durable_name\":\"D\"}",
     "{\"durable_name\":\"D\",\"deliver_policy\":\"new\"}", false, 10012,
     "deliver policy can not be updated"},
    {"{\"durable_name\":\"D\",\"deliver_policy\":\"by_start_sequence\","
     "\"opt_start_seq\":1}",
     "{\"durable_name\":\"D\",\"deliver_policy\":\"by_start_sequence\","
     "\"opt_start_seq\":2}",
     false, 10012, "start sequence can not be updated"},
    {"{\"durable_name\":\"D\",\"deliver_policy\":\"by_start_time\","
     "\"opt_start_time\":\"2022-01-02T03:04:05Z\"}",
     "{\"durable_name\":\"D\",\"deliver_policy\":\"by_start_time\","
     "\"opt_start_time\":\"2022-01-02T03:04:06Z\"}",
     false, 10012, "start time can not be updated"},
    {"{\"durable_name\":\"D\"}",
     "{\"durable_name\":\"D\",\"replay_policy\":\"original\"}", false, 10012,
     "replay policy can not be updated"},
    {"{\"durable_name\":\"D\",\"deliver_subject\":\"d\"}",
     "{\"durable_name\":\"D\",\"deliver_subject\":\"d\",\"idle_heartbeat\":"
     "1000000000}",
     false, 10012, "heart beats can not be updated"},
    {"{\"durable_name\":\"D\",\"deliver_subject\":\"d\",\"idle_heartbeat\":"
     "1000000000}",
     "{\"durable_name\":\"D\",\"deliver_subject\":\"d\",\"idle_heartbeat\":"
     "1000000000,\"flow_control\":true}",
     false, 10012, "flow control can not be updated"},
    {"{\"durable_name\":\"D\"}", "{\"durable_name\":\"D\",\"max_waiting\":1}",
     false, 10012, "max waiting can not be updated"},
    {"{\"durable_name\":\"D\"}",
     "{\"durable_name\":\"D\",\"deliver_subject\":\"d\",\"max_waiting\":0}",
     false, 10012, "max waiting can not be updated"},
    {"{\"durable_name\":\"D\",\"deliver_subject\":\"d\"}",
     "{\"durable_name\":\"D\",\"max_waiting\":0}", false, 10012,
     "max waiting can not be updated"},
    {"{\"durable_name\":\"D\",\"deliver_subject\":\"d\"}",
     "{\"durable_name\":\"D\",\"deliver_subject\":\"e\"}", false, 0, NULL},
    {"{\"durable_name\":\"D\",\"deliver_subject\":\"d\"}",
     "{\"durable_name\":\"D\",\"deliver_subject\":\"e\"}", true, 10013,
     "consumer name already in use"},
};

/* Only what nats-server lets change may change on an update. */
START_TEST(update_rules)
{
    const struct update_row *r = &update_rows[_i];
    ck_assert_int_eq(parse_into(&old, r->old), 0);
    js_consumer_config_set_defaults(&old);
    ck_assert_int_eq(js_consumer_config_check(&old, &stream, &err), 0);
    int rv = create(r->new);
    if (rv == 0)
        rv = js_consumer_config_check_update(&old, &cfg, r->interest, &err);
    if (r->err_code == 0) {
        ck_assert_int_eq(rv, 0);
    } else {
        ck_assert_int_eq(rv, BL_EINVAL);
        ck_assert_uint_eq(err_code(), r->err_code);
        ck_assert_str_eq(err.description, r->description);
    }
}
END_TEST

/* Pull/push flips are refused with nats-server's words (the max_waiting
 * default makes a plain flip fail on max_waiting first, as in nats-server,
 * so these compare configs without defaults). */
START_TEST(pull_push_flip_is_refused)
{
    ck_assert_int_eq(parse_into(&old, "{\"durable_name\":\"D\"}"), 0);
    ck_assert_int_eq(parse_into(&cfg, "{\"durable_name\":\"D\","
                                      "\"deliver_subject\":\"d\"}"),
                     0);
    ck_assert_int_eq(js_consumer_config_check_update(&old, &cfg, false, &err),
                     BL_EINVAL);
    ck_assert_str_eq(err.description,
                     "can not update pull consumer to push based");
    ck_assert_int_eq(js_consumer_config_check_update(&cfg, &old, false, &err),
                     BL_EINVAL);
    ck_assert_str_eq(err.description,
                     "can not update push consumer to pull based");
}
END_TEST

#define FULL_CONSUMER                                                          \
    "{\"durable_name\":\"D\",\"name\":\"D\",\"description\":\"d\","            \
    "\"deliver_policy\":\"by_start_sequence\",\"opt_start_seq\":42,"           \
    "\"ack_policy\":\"explicit\",\"ack_wait\":1000000000,\"max_deliver\":5,"   \
    "\"backoff\":[1000000000,5000000000],\"filter_subject\":\"orders.eu\","    \
    "\"replay_policy\":\"original\",\"rate_limit_bps\":8000,"                  \
    "\"sample_freq\":\"10%\",\"max_ack_pending\":20,\"idle_heartbeat\":"       \
    "2000000000,\"flow_control\":true,\"headers_only\":true,"                  \
    "\"deliver_subject\":\"push.d\",\"deliver_group\":\"g\","                  \
    "\"inactive_threshold\":60000000000,\"num_replicas\":1,"                   \
    "\"mem_storage\":true}"

/* Every field survives config -> JSON -> config. */
START_TEST(round_trip)
{
    ck_assert_int_eq(create(FULL_CONSUMER), 0);
    ck_assert_str_eq(render(), FULL_CONSUMER);
    js_consumer_config_copy(&old, &cfg);
    ck_assert(js_consumer_config_equal(&old, &cfg));
    ck_assert_int_eq(create(out.p), 0);
    ck_assert(js_consumer_config_equal(&old, &cfg));
    old.backoff_ns[1] = 1;
    ck_assert(!js_consumer_config_equal(&old, &cfg));
    ck_assert_int_eq(create("{\"deliver_policy\":\"by_start_time\","
                            "\"opt_start_time\":\"1960-06-01T00:00:00.25Z\"}"),
                     0);
    ck_assert_str_eq(render(),
                     "{\"deliver_policy\":\"by_start_time\",\"opt_start_time\":"
                     "\"1960-06-01T00:00:00.25Z\",\"ack_policy\":\"none\","
                     "\"max_deliver\":-1,\"replay_policy\":\"instant\","
                     "\"max_waiting\":512,\"inactive_threshold\":5000000000,"
                     "\"num_replicas\":0}");
}
END_TEST

Suite *consumer_config_suite(void)
{
    Suite *s = suite_create("js/consumer_config");
    TCase *tc = tcase_create("defaults");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, defaults_match_nats_server);
    tcase_add_test(tc, explicit_values_are_kept);
    tcase_add_loop_test(tc, bad_json_is_invalid_json, 0,
                        sizeof bad_json / sizeof bad_json[0]);
    suite_add_tcase(s, tc);
    tc = tcase_create("validate");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, invalid_configs_are_refused, 0,
                        sizeof invalid_rows / sizeof invalid_rows[0]);
    tcase_add_test(tc, length_limits);
    tcase_add_test(tc, valid_configs_pass);
    tcase_add_test(tc, workqueue_pull_requires_ack);
    tcase_add_loop_test(tc, workqueue_rules, 0,
                        sizeof wq_rows / sizeof wq_rows[0]);
    suite_add_tcase(s, tc);
    tc = tcase_create("update");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, update_rules, 0,
                        sizeof update_rows / sizeof update_rows[0]);
    tcase_add_test(tc, pull_push_flip_is_refused);
    suite_add_tcase(s, tc);
    tc = tcase_create("render");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, round_trip);
    suite_add_tcase(s, tc);
    return s;
}
