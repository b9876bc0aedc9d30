/* StreamConfig: parsing, defaults, validation, update rules, rendering. */
#include "js/api_types.h"

#include "ballast/buf.h"
#include "ballast/err.h"
#include "ballast/mem.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

static struct js_stream_config cfg;
static struct js_stream_config old;
static struct js_error err;
static struct bl_buf out;

static void setup(void)
{
    js_stream_config_init(&cfg);
    js_stream_config_init(&old);
    js_error_clear(&err);
    bl_buf_init(&out);
}

static void teardown(void)
{
    js_stream_config_close(&cfg);
    js_stream_config_close(&old);
    bl_buf_close(&out);
}

static int parse(const char *json)
{
    js_stream_config_close(&cfg);
    return js_stream_config_parse(&cfg, json, strlen(json), &err);
}

/* Parses and runs the STREAM.CREATE checks. */
static int create(const char *json)
{
    int rv = parse(json);
    return rv != 0 ? rv : js_stream_config_check_create(&cfg, &err);
}

static const char *render(const struct js_stream_config *c)
{
    bl_buf_clear(&out);
    js_stream_config_render(&out, c);
    return out.p;
}

/* Error code of the last failure, 0 if none. */
static unsigned err_code(void)
{
    const struct js_err_info *info = js_err_info(err.id);
    return info ? info->err_code : 0;
}

/* What nats-server 2.9.10 answered for {"name":"S"}. */
#define DEFAULT_S_CONFIG                                                       \
    "{\"name\":\"S\",\"subjects\":[\"S\"],\"retention\":\"limits\","           \
    "\"max_consumers\":-1,\"max_msgs\":-1,\"max_bytes\":-1,\"max_age\":0,"     \
    "\"max_msgs_per_subject\":-1,\"max_msg_size\":-1,\"discard\":\"old\","     \
    "\"storage\":\"file\",\"num_replicas\":1,"                                 \
    "\"duplicate_window\":120000000000,\"allow_direct\":false,"                \
    "\"mirror_direct\":false,\"sealed\":false,\"deny_delete\":false,"          \
    "\"deny_purge\":false,\"allow_rollup_hdrs\":false}"

/* A name-only config gets nats-server's defaults and renders exactly as
 * nats-server renders it. */
START_TEST(defaults_match_nats_server)
{
    ck_assert_int_eq(create("{\"name\":\"S\"}"), 0);
    ck_assert_str_eq(render(&cfg), DEFAULT_S_CONFIG);
    ck_assert_int_eq(cfg.max_msgs, -1);
    ck_assert_int_eq(cfg.max_bytes, -1);
    ck_assert_int_eq(cfg.max_age_ns, 0);
    ck_assert_int_eq(cfg.max_msg_size, -1);
    ck_assert_int_eq(cfg.max_msgs_per_subject, -1);
    ck_assert_int_eq(cfg.max_consumers, -1);
    ck_assert_int_eq(cfg.duplicate_window_ns, 120 * JS_NS_PER_SEC);
    ck_assert_int_eq(cfg.storage, JS_STORAGE_FILE);
    ck_assert_int_eq(cfg.retention, JS_RETENTION_LIMITS);
    ck_assert_int_eq(cfg.discard, JS_DISCARD_OLD);
    ck_assert_int_eq(cfg.num_replicas, 1);
}
END_TEST

/* A max_age under two minutes becomes the duplicate window. */
START_TEST(short_max_age_shortens_duplicate_window)
{
    ck_assert_int_eq(create("{\"name\":\"T\",\"max_age\":1000000000}"), 0);
    ck_assert_int_eq(cfg.duplicate_window_ns, JS_NS_PER_SEC);
    ck_assert_int_eq(create("{\"name\":\"T\",\"max_age\":600000000000}"), 0);
    ck_assert_int_eq(cfg.duplicate_window_ns, 120 * JS_NS_PER_SEC);
    ck_assert_int_eq(create("{\"name\":\"T\",\"max_age\":600000000000,"
                            "\"duplicate_window\":300000000000}"),
                     0);
    ck_assert_int_eq(cfg.duplicate_window_ns, 300 * JS_NS_PER_SEC);
}
END_TEST

/* Explicit values survive the defaults. */
START_TEST(explicit_values_are_kept)
{
    ck_assert_int_eq(
        create("{\"name\":\"K\",\"subjects\":[\"k.>\",\"other\"],"
               "\"retention\":\"workqueue\",\"max_msgs\":10,\"max_bytes\":"
               "1024,\"max_msg_size\":128,\"max_msgs_per_subject\":1,"
               "\"discard\":\"new\",\"storage\":\"memory\",\"num_replicas\":3,"
               "\"no_ack\":true,\"discard_new_per_subject\":true,"
               "\"allow_direct\":true,\"allow_rollup_hdrs\":true,"
               "\"deny_delete\":true,\"description\":\"d\"}"),
        0);
    ck_assert_uint_eq(cfg.n_subjects, 2);
    ck_assert_str_eq(cfg.subjects[0], "k.>");
    ck_assert_int_eq(cfg.retention, JS_RETENTION_WORKQUEUE);
    ck_assert_int_eq(cfg.max_msgs, 10);
    ck_assert_int_eq(cfg.max_bytes, 1024);
    ck_assert_int_eq(cfg.max_msg_size, 128);
    ck_assert_int_eq(cfg.discard, JS_DISCARD_NEW);
    ck_assert_int_eq(cfg.storage, JS_STORAGE_MEMORY);
    ck_assert_int_eq(cfg.num_replicas, 3);
    ck_assert(cfg.no_ack && cfg.discard_new_per_subject && cfg.allow_direct);
    ck_assert(cfg.allow_rollup_hdrs && cfg.deny_delete && !cfg.deny_purge);
    ck_assert_str_eq(cfg.description, "d");
}
END_TEST

/* Keys match case-insensitively; discard (only) ignores case; null is
 * absent; unknown keys are ignored. */
START_TEST(parsing_follows_go_json)
{
    ck_assert_int_eq(
        create("{\"NAME\":\"S\",\"Max_Msgs\":5,\"discard\":\"NEW\","
               "\"description\":null,\"bogus\":[1,{}]}"),
        0);
    ck_assert_str_eq(cfg.name, "S");
    ck_assert_int_eq(cfg.max_msgs, 5);
    ck_assert_int_eq(cfg.discard, JS_DISCARD_NEW);
    ck_assert_ptr_null(cfg.description);
    /* A JSON null body is Go's zero config: no name. */
    ck_assert_int_eq(parse("null"), 0);
    ck_assert_ptr_null(cfg.name);
}
END_TEST

static const char *const bad_json[] = {
    "",
    "{",
    "{\"name\":\"S\"} x",
    "[]",
    "\"S\"",
    "42",
    "{\"name\":5}",
    "{\"name\":\"S\",\"storage\":\"bogus\"}",
    "{\"name\":\"S\",\"storage\":\"File\"}",
    "{\"name\":\"S\",\"retention\":\"Limits\"}",
    "{\"name\":\"S\",\"retention\":\"\"}",
    "{\"name\":\"S\",\"discard\":\"oldest\"}",
    "{\"name\":\"S\",\"max_msgs\":\"x\"}",
    "{\"name\":\"S\",\"max_msgs\":1.5}",
    "{\"name\":\"S\",\"max_msgs\":1e3}",
    "{\"name\":\"S\",\"max_msgs\":true}",
    "{\"name\":\"S\",\"max_msg_size\":2147483648}",
    "{\"name\":\"S\",\"max_msgs\":99999999999999999999}",
    "{\"name\":\"S\",\"subjects\":\"foo\"}",
    "{\"name\":\"S\",\"subjects\":[1]}",
    "{\"name\":\"S\",\"sealed\":\"true\"}",
    "{\"name\":\"S\",\"placement\":5}",
    "{\"name\":\"S\",\"placement\":{\"tags\":\"a\"}}",
    "{\"name\":\"S\",\"mirror\":[]}",
    "{\"name\":\"S\",\"mirror\":{\"name\":\"M\",\"opt_start_seq\":-1}}",
    "{\"name\":\"S\",\"mirror\":{\"name\":\"M\",\"opt_start_time\":\"now\"}}",
    "{\"name\":\"S\",\"mirror\":{\"name\":\"M\",\"external\":\"x\"}}",
    "{\"name\":\"S\",\"sources\":{}}",
    "{\"name\":\"S\",\"sources\":[{\"name\":\"A\"},3]}",
    "{\"name\":\"S\",\"sources\":[null]}",
    "{\"name\":\"S\",\"republish\":{\"dest\":7}}",
    "{\"name\":\"S\",\"duplicate_window\":\"2m\"}",
    "{\"name\":\"S\\u0000x\"}",
    "{\"name\":\"\xff\"}",
};

/* Malformed JSON and wrong types are INVALID_JSON (10025), naming the field
 * in the detail, and leave the config empty. */
START_TEST(bad_json_is_invalid_json)
{
    ck_assert_int_eq(parse(bad_json[_i]), BL_EINVAL);
    ck_assert_int_eq(err.id, JS_ERR_INVALID_JSON);
    ck_assert_uint_eq(err_code(), 10025);
    ck_assert_str_eq(err.description, "invalid JSON");
    ck_assert(err.detail[0] != '\0');
    ck_assert_ptr_null(cfg.name);
    ck_assert_ptr_null(cfg.mirror);
    ck_assert_uint_eq(cfg.n_sources, 0);
}
END_TEST

/* The detail names the offending field, nested ones with their path. */
START_TEST(detail_names_the_field)
{
    parse("{\"name\":\"S\",\"max_msgs\":\"x\"}");
    ck_assert_str_eq(err.detail, "max_msgs: expected an integer");
    parse("{\"name\":\"S\",\"mirror\":{\"name\":\"M\",\"external\":{\"api\":1}}"
          "}");
    ck_assert_str_eq(err.detail, "mirror.api: expected a string");
    parse("{\"name\":\"S\",\"placement\":{\"cluster\":false}}");
    ck_assert_str_eq(err.detail, "placement.cluster: expected a string");
}
END_TEST

struct invalid_row {
    const char *json;
    unsigned err_code;
    const char *description;
};

static const struct invalid_row invalid_rows[] = {
    {"{}", 10052, "stream name is required and can not contain '.', '*', '>'"},
    {"{\"name\":\"a.b\"}", 10052,
     "stream name is required and can not contain '.', '*', '>'"},
    {"{\"name\":\"a b\"}", 10052,
     "stream name is required and can not contain '.', '*', '>'"},
    {"{\"name\":\"a*\"}", 10052,
     "stream name is required and can not contain '.', '*', '>'"},
    {"{\"name\":\"a\\tb\"}", 10052,
     "stream name is required and can not contain '.', '*', '>'"},
    {"{\"name\":\"a/b\"}", 10128,
     "Stream name can not contain path separators"},
    {"{\"name\":\"a\\\\b\"}", 10128,
     "Stream name can not contain path separators"},
    {"{\"name\":\"S\",\"sealed\":true}", 10052,
     "stream configuration for create can not be sealed"},
    {"{\"name\":\"S\",\"mirror_direct\":true}", 10052,
     "stream has no mirror but does have mirror direct"},
    {"{\"name\":\"S\",\"num_replicas\":6}", 10052, "maximum replicas is 5"},
    {"{\"name\":\"S\",\"num_replicas\":-1}", 10133,
     "replicas count cannot be negative"},
    {"{\"name\":\"S\",\"max_age\":50000000}", 10052,
     "max age needs to be >= 100ms"},
    {"{\"name\":\"S\",\"max_age\":-5}", 10052,
     "duplicates window can not be negative"},
    {"{\"name\":\"S\",\"duplicate_window\":-1}", 10052,
     "duplicates window can not be negative"},
    {"{\"name\":\"S\",\"max_age\":1000000000,\"duplicate_window\":2000000000}",
     10052, "duplicates window can not be larger then max age"},
    {"{\"name\":\"S\",\"duplicate_window\":50000000}", 10052,
     "duplicates window needs to be >= 100ms"},
    {"{\"name\":\"S\",\"deny_purge\":true,\"allow_rollup_hdrs\":true}", 10052,
     "roll-ups require the purge permission"},
    {"{\"name\":\"S\",\"discard_new_per_subject\":true}", 10052,
     "discard new per subject requires discard new policy to be set"},
    {"{\"name\":\"S\",\"discard_new_per_subject\":true,\"discard\":\"new\"}",
     10052, "discard new per subject requires max msgs per subject > 0"},
    {"{\"name\":\"S\",\"subjects\":[\"a\"],\"mirror\":{\"name\":\"M\"}}", 10034,
     "stream mirrors can not contain subjects"},
    {"{\"name\":\"S\",\"mirror\":{\"name\":\"M\"},\"sources\":[{\"name\":"
     "\"A\"}]}",
     10031, "stream mirrors can not also contain other sources"},
    {"{\"name\":\"S\",\"subjects\":[\"a\",\"b\",\"a\"]}", 10052,
     "duplicate subjects detected"},
    {"{\"name\":\"S\",\"subjects\":[\"$JS.API.STREAM.INFO\"]}", 10052,
     "subjects overlap with jetstream api"},
    {"{\"name\":\"S\",\"subjects\":[\"$JS.API.>\"]}", 10052,
     "subjects overlap with jetstream api"},
    {"{\"name\":\"S\",\"subjects\":[\"a..b\"]}", 10052, "invalid subject"},
    {"{\"name\":\"S\",\"subjects\":[\"a\",\"\"]}", 10052, "invalid subject"},
    {"{\"name\":\"S\",\"subjects\":[\"a.>.b\"]}", 10052, "invalid subject"},
    {"{\"name\":\"S\",\"subjects\":[\"w.>\",\"w.a\"]}", 10052,
     "subject \"w.>\" overlaps with \"w.a\""},
    {"{\"name\":\"S\",\"subjects\":[\"x\",\"w.*\",\"w.a\"]}", 10052,
     "subject \"w.*\" overlaps with \"w.a\""},
    {"{\"name\":\"S\",\"subjects\":[\"a.*\"],\"republish\":{\"src\":\"b.>\","
     "\"dest\":\"c.>\"}}",
     10052,
     "stream configuration for republish source is not valid subset of "
     "subjects"},
    {"{\"name\":\"S\",\"subjects\":[\"a.>\"],\"republish\":{\"dest\":"
     "\"a.b.>\"}}",
     10052, "stream configuration for republish destination forms a cycle"},
    {"{\"name\":\"S\",\"subjects\":[\"a.>\"],\"republish\":{\"dest\":\"b\"}}",
     10052, "stream configuration for republish not valid"},
    {"{\"name\":\"S\",\"subjects\":[\"a.*\"],\"republish\":{\"src\":\"a.*\","
     "\"dest\":\"b.*\"}}",
     10052, "stream configuration for republish not valid"},
    {"{\"name\":\"S\",\"subjects\":[\"a.*\"],\"republish\":{\"src\":\"a.*\"}}",
     10052, "stream configuration for republish not valid"},
    {"{\"name\":\"S\",\"sources\":[{\"name\":\"A\",\"external\":{\"api\":"
     "\"x.api\",\"deliver\":\"d.*\"}}]}",
     10024, "stream external delivery prefix d.* must not contain wildcards"},
    {"{\"name\":\"S\",\"mirror\":{\"name\":\"M\",\"external\":{\"api\":"
     "\"$JS.API\",\"deliver\":\"d\"}}}",
     10021, "stream external api prefix $JS.API must not overlap with $JS.API"},
    {"{\"name\":\"S\",\"mirror\":{\"name\":\"M\",\"external\":{\"api\":"
     "\"x.>\"}}}",
     10052,
     "stream external api prefix \"x.>\" must be a valid subject without "
     "wildcards"},
    {"{\"name\":\"S\",\"sources\":[{\"name\":\"S\"}]}", 10052,
     "detected cycle"},
    {"{\"name\":\"S\",\"mirror\":{\"name\":\"S\"}}", 10052, "detected cycle"},
};

/* Each invalid config gets nats-server's error code and text. */
START_TEST(invalid_configs_are_refused)
{
    const struct invalid_row *r = &invalid_rows[_i];
    ck_assert_int_eq(create(r->json), BL_EINVAL);
    ck_assert_uint_eq(err_code(), r->err_code);
    ck_assert_str_eq(err.description, r->description);
}
END_TEST

/* Name and description length limits. */
START_TEST(length_limits)
{
    char json[8192];
    char name[300];
    memset(name, 'n', 256);
    name[256] = '\0';
    snprintf(json, sizeof json, "{\"name\":\"%s\"}", name);
    ck_assert_int_eq(create(json), BL_EINVAL);
    ck_assert_str_eq(err.description,
                     "stream name is too long, maximum allowed is 255");
    name[255] = '\0';
    snprintf(json, sizeof json, "{\"name\":\"%s\"}", name);
    ck_assert_int_eq(create(json), 0);

    char desc[4200];
    memset(desc, 'd', 4097);
    desc[4097] = '\0';
    snprintf(json, sizeof json, "{\"name\":\"S\",\"description\":\"%s\"}",
             desc);
    ck_assert_int_eq(create(json), BL_EINVAL);
    ck_assert_str_eq(err.description,
                     "stream description is too long, maximum allowed is 4096");
    desc[4096] = '\0';
    snprintf(json, sizeof json, "{\"name\":\"S\",\"description\":\"%s\"}",
             desc);
    ck_assert_int_eq(create(json), 0);
}
END_TEST

/* Valid configs with wildcards, mirrors, sources and republish pass; a
 * mirror or sourced stream gets no default subject. */
START_TEST(valid_configs_pass)
{
    ck_assert_int_eq(create("{\"name\":\"S\",\"subjects\":[\"a.*\",\"b.>\","
                            "\"c\",\">x\"]}"),
                     0);
    ck_assert_int_eq(create("{\"name\":\"S\",\"subjects\":[\"a.>\"],"
                            "\"republish\":{\"dest\":\"r.>\"}}"),
                     0);
    ck_assert_str_eq(cfg.republish->src, ">");
    ck_assert_int_eq(create("{\"name\":\"S\",\"subjects\":[\"a.*.*\"],"
                            "\"republish\":{\"src\":\"a.*.*\",\"dest\":"
                            "\"r.$2.{{wildcard(1)}}\"}}"),
                     0);
    ck_assert_int_eq(
        create("{\"name\":\"M\",\"mirror\":{\"name\":\"S\",\"opt_start_seq\":"
               "5,\"filter_subject\":\"a\"},\"mirror_direct\":true}"),
        0);
    ck_assert_uint_eq(cfg.n_subjects, 0);
    /* A mirror has no default duplicate window. */
    ck_assert_int_eq(cfg.duplicate_window_ns, 0);
    ck_assert_int_eq(create("{\"name\":\"A\",\"sources\":[{\"name\":\"S\"},"
                            "{\"name\":\"T\",\"external\":{\"api\":\"$JS.H."
                            "API\",\"deliver\":\"dl\"}}]}"),
                     0);
    ck_assert_uint_eq(cfg.n_subjects, 0);
    ck_assert_str_eq(cfg.sources[1].external->api, "$JS.H.API");
}
END_TEST

struct update_row {
    const char *old;
    const char *new;
    unsigned err_code; /* 0: allowed */
    const char *description;
};

static const struct update_row update_rows[] = {
    {"{\"name\":\"S\"}", "{\"name\":\"S\",\"max_msgs\":5,\"subjects\":[\"x\"]}",
     0, NULL},
    {"{\"name\":\"S\"}", "{\"name\":\"T\"}", 10052,
     "stream configuration name must match original"},
    {"{\"name\":\"S\"}", "{\"name\":\"S\",\"max_consumers\":3}", 10052,
     "stream configuration update can not change MaxConsumers"},
    {"{\"name\":\"S\"}", "{\"name\":\"S\",\"storage\":\"memory\"}", 10052,
     "stream configuration update can not change storage type"},
    {"{\"name\":\"S\"}", "{\"name\":\"S\",\"retention\":\"interest\"}", 10052,
     "stream configuration update can not change retention policy"},
    {"{\"name\":\"S\"}", "{\"name\":\"S\",\"template_owner\":\"T\"}", 10052,
     "stream configuration update can not be owned by a template"},
    {"{\"name\":\"S\",\"deny_delete\":true}", "{\"name\":\"S\"}", 10052,
     "stream configuration update can not cancel deny message deletes"},
    {"{\"name\":\"S\",\"deny_purge\":true}", "{\"name\":\"S\"}", 10052,
     "stream configuration update can not cancel deny purge"},
    {"{\"name\":\"S\",\"mirror\":{\"name\":\"A\"}}",
     "{\"name\":\"S\",\"mirror\":{\"name\":\"B\"}}", 10055,
     "stream mirror configuration can not be updated"},
    {"{\"name\":\"S\",\"subjects\":[\"a.>\"],\"republish\":{\"dest\":\"r.>\"}}",
     "{\"name\":\"S\",\"subjects\":[\"a.>\"]}", 10052,
     "stream configuration update can not change RePublish"},
    {"{\"name\":\"S\"}", "{\"name\":\"S\",\"num_replicas\":9}", 10052,
     "maximum replicas is 5"},
    {"{\"name\":\"S\"}", "{\"name\":\"S\",\"deny_delete\":true}", 0, NULL},
};

/* Only what nats-server lets change may change on STREAM.UPDATE. */
START_TEST(update_rules)
{
    const struct update_row *r = &update_rows[_i];
    js_stream_config_close(&old);
    ck_assert_int_eq(js_stream_config_parse(&old, r->old, strlen(r->old), &err),
                     0);
    ck_assert_int_eq(js_stream_config_check(&old, &err), 0);
    ck_assert_int_eq(parse(r->new), 0);
    int rv = js_stream_config_check_update(&old, &cfg, &err);
    if (r->err_code == 0) {
        ck_assert_int_eq(rv, 0);
    } else {
        ck_assert_int_eq(rv, BL_EINVAL);
        ck_assert_uint_eq(err_code(), r->err_code);
        ck_assert_str_eq(err.description, r->description);
    }
}
END_TEST

/* Sealing on update forces nats-server's sealed settings, and a sealed
 * stream cannot be unsealed. */
START_TEST(sealing_on_update)
{
    const char *o = "{\"name\":\"S\",\"max_age\":600000000000,"
                    "\"allow_rollup_hdrs\":true}";
    ck_assert_int_eq(js_stream_config_parse(&old, o, strlen(o), &err), 0);
    ck_assert_int_eq(js_stream_config_check(&old, &err), 0);
    ck_assert_int_eq(parse("{\"name\":\"S\",\"max_age\":600000000000,"
                           "\"allow_rollup_hdrs\":true,\"sealed\":true}"),
                     0);
    ck_assert_int_eq(js_stream_config_check_update(&old, &cfg, &err), 0);
    ck_assert(cfg.sealed && cfg.deny_delete && cfg.deny_purge);
    ck_assert(!cfg.allow_rollup_hdrs);
    ck_assert_int_eq(cfg.max_age_ns, 0);
    ck_assert_int_eq(cfg.discard, JS_DISCARD_NEW);

    js_stream_config_close(&old);
    js_stream_config_copy(&old, &cfg);
    ck_assert_int_eq(parse("{\"name\":\"S\",\"deny_delete\":true,"
                           "\"deny_purge\":true}"),
                     0);
    ck_assert_int_eq(js_stream_config_check_update(&old, &cfg, &err),
                     BL_EINVAL);
    ck_assert_str_eq(err.description, "stream configuration update can not "
                                      "unseal a sealed stream");
}
END_TEST

#define FULL_CONFIG_HEAD "{\"name\":\"FULL\",\"description\":\"all <fields>\","
#define FULL_CONFIG FULL_CONFIG_HEAD FULL_CONFIG_TAIL
#define FULL_CONFIG_TAIL                                                       \
    "\"subjects\":["                                                           \
    "\"f.>\",\"g.*\"],\"retention\":\"interest\",\"max_consumers\":10,"        \
    "\"max_msgs\":100,\"max_bytes\":4096,\"max_age\":3600000000000,"           \
    "\"max_msgs_per_subject\":5,\"max_msg_size\":512,\"discard\":\"new\","     \
    "\"storage\":\"memory\",\"num_replicas\":3,\"no_ack\":true,"               \
    "\"duplicate_window\":60000000000,\"placement\":{\"cluster\":\"c1\","      \
    "\"tags\":[\"ssd\",\"eu\"]},\"sources\":[{\"name\":\"A\","                 \
    "\"opt_start_seq\":7,\"filter_subject\":\"a.b\"},{\"name\":\"B\","         \
    "\"opt_start_time\":\"2022-01-02T03:04:05.5Z\",\"external\":{\"api\":"     \
    "\"$JS.hub.API\",\"deliver\":\"dlv\"}}],\"republish\":{\"src\":\"f.>\","   \
    "\"dest\":\"r.>\",\"headers_only\":true},\"allow_direct\":true,"           \
    "\"mirror_direct\":false,\"discard_new_per_subject\":true,"                \
    "\"sealed\":false,\"deny_delete\":true,\"deny_purge\":false,"              \
    "\"allow_rollup_hdrs\":true}"

/* `json` as Go would write it: '<' and '>' escaped (our JSON texts here
 * have them only inside strings). Caller frees. */
static char *go_escaped(const char *json)
{
    struct bl_buf b;
    bl_buf_init(&b);
    for (const char *p = json; *p; p++) {
        if (*p == '<' || *p == '>')
            bl_buf_printf(&b, "\\u%04x", *p);
        else
            bl_buf_append(&b, p, 1);
    }
    return bl_buf_steal(&b);
}

/* Every field survives config -> JSON -> config, and rendering a parsed
 * rendering gives the same bytes (our output is nats-server's field
 * order, so the full config renders back as written). */
START_TEST(round_trip)
{
    ck_assert_int_eq(create(FULL_CONFIG), 0);
    const char *first = render(&cfg);
    char *copy = strdup(first);
    char *want = go_escaped(FULL_CONFIG);
    ck_assert_str_eq(copy, want);
    bl_free(want);
    js_stream_config_copy(&old, &cfg);
    ck_assert(js_stream_config_equal(&old, &cfg));
    ck_assert_int_eq(parse(copy), 0);
    ck_assert(js_stream_config_equal(&old, &cfg));
    ck_assert_str_eq(render(&cfg), copy);
    /* jansson agrees it is JSON. */
    json_t *j = json_loads(copy, 0, NULL);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(json_object_get(j, "description")),
                     "all <fields>");
    json_decref(j);
    free(copy);
}
END_TEST

/* Equality sees every kind of difference; copies are deep. */
START_TEST(equal_and_copy)
{
    ck_assert_int_eq(create(FULL_CONFIG), 0);
    js_stream_config_copy(&old, &cfg);
    ck_assert(js_stream_config_equal(&cfg, &old));
    old.sources[1].external->deliver[0] = 'X';
    ck_assert(!js_stream_config_equal(&cfg, &old));
    old.sources[1].external->deliver[0] = 'd';
    ck_assert(js_stream_config_equal(&cfg, &old));
    old.placement->tags[1][0] = 'x';
    ck_assert(!js_stream_config_equal(&cfg, &old));
    old.placement->tags[1][0] = 'e';
    old.max_msg_size = 1;
    ck_assert(!js_stream_config_equal(&cfg, &old));
    old.max_msg_size = cfg.max_msg_size;
    old.republish->headers_only = false;
    ck_assert(!js_stream_config_equal(&cfg, &old));
    old.republish->headers_only = true;
    ck_assert(js_stream_config_equal(&cfg, &old));
    js_stream_config_close(&old);
    ck_assert_int_eq(create("{\"name\":\"S\"}"), 0);
    js_stream_config_copy(&old, &cfg);
    ck_assert_int_eq(create("{\"name\":\"S\",\"subjects\":[\"S\"]}"), 0);
    ck_assert(js_stream_config_equal(&cfg, &old));
}
END_TEST

/* Other-stream overlap: what STREAM_SUBJECT_OVERLAP (10065) is based on. */
START_TEST(overlap_between_streams)
{
    char *a[] = {"orders.*", "x"};
    char *b[] = {"orders.new"};
    char *c[] = {"order.>", "y"};
    ck_assert(js_subjects_overlap(a, 2, b, 1));
    ck_assert(!js_subjects_overlap(a, 2, c, 2));
    ck_assert(!js_subjects_overlap(a, 2, c, 0));
    ck_assert(js_name_valid("KV_bucket-1"));
    ck_assert(!js_name_valid(""));
    ck_assert(!js_name_valid(NULL));
    ck_assert(!js_name_valid("a>"));
    ck_assert(js_name_has_path_sep("a/b"));
    ck_assert(!js_name_has_path_sep("ab"));
}
END_TEST

Suite *stream_config_suite(void)
{
    Suite *s = suite_create("js/stream_config");
    TCase *tc = tcase_create("defaults");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, defaults_match_nats_server);
    tcase_add_test(tc, short_max_age_shortens_duplicate_window);
    tcase_add_test(tc, explicit_values_are_kept);
    suite_add_tcase(s, tc);
    tc = tcase_create("parse");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, parsing_follows_go_json);
    tcase_add_loop_test(tc, bad_json_is_invalid_json, 0,
                        sizeof bad_json / sizeof bad_json[0]);
    tcase_add_test(tc, detail_names_the_field);
    suite_add_tcase(s, tc);
    tc = tcase_create("validate");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, invalid_configs_are_refused, 0,
                        sizeof invalid_rows / sizeof invalid_rows[0]);
    tcase_add_test(tc, length_limits);
    tcase_add_test(tc, valid_configs_pass);
    tcase_add_test(tc, overlap_between_streams);
    suite_add_tcase(s, tc);
    tc = tcase_create("update");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, update_rules, 0,
                        sizeof update_rows / sizeof update_rows[0]);
    tcase_add_test(tc, sealing_on_update);
    suite_add_tcase(s, tc);
    tc = tcase_create("render");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, equal_and_copy);
    suite_add_tcase(s, tc);
    return s;
}
