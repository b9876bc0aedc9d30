/* libFuzzer target for the JetStream API request decoders (js/api_types.h).
 *
 * Every input goes to every request parser. Beyond crashes and leaks it
 * checks two promises: a failed parse always names an API error, and a
 * config that parses and passes its checks renders to JSON that parses back
 * into an equal config (what STREAM.INFO shows is what was stored). The
 * bytes come from an exact-size allocation so ASan catches reads past the
 * end of a body. */
#include "ballast/buf.h"
#include "ballast/err.h"
#include "js/api_types.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *json)
{
    fprintf(stderr, "fuzz_api: %s\n%s\n", what, json ? json : "");
    abort();
}

/* A failed parse must say which API error to send. */
static void expect_error(int rv, const struct js_error *err)
{
    if (rv == 0)
        return;
    if (rv != BL_EINVAL || js_err_info(err->id) == NULL)
        fail("parse failed without an API error", NULL);
    struct bl_buf out;
    bl_buf_init(&out);
    js_error_reply(&out, JS_TYPE_STREAM_CREATE, err);
    json_t *j = json_loads(out.p, 0, NULL);
    if (j == NULL)
        fail("error reply is not JSON", out.p);
    json_decref(j);
    bl_buf_close(&out);
}

/* A stream the consumer configs are checked against. */
static struct js_stream_config parent;

static void stream_config(const char *body, size_t len)
{
    struct js_stream_config c, back;
    struct js_error err;
    struct bl_buf out;
    int rv = js_stream_config_parse(&c, body, len, &err);
    expect_error(rv, &err);
    if (rv != 0)
        return;
    rv = js_stream_config_check_create(&c, &err);
    expect_error(rv, &err);
    if (rv == 0) {
        bl_buf_init(&out);
        js_stream_config_render(&out, &c);
        if (js_stream_config_parse(&back, out.p, out.len, &err) != 0)
            fail("rendered stream config does not parse", out.p);
        if (!js_stream_config_equal(&c, &back))
            fail("stream config changed in a round trip", out.p);
        /* A config that passed keeps passing, unchanged. */
        if (js_stream_config_check(&back, &err) != 0 ||
            !js_stream_config_equal(&c, &back))
            fail("checked stream config fails a second check", out.p);
        js_stream_config_close(&back);
        bl_buf_close(&out);
    }
    js_stream_config_close(&c);
}

static void consumer_create(const char *body, size_t len)
{
    struct js_consumer_create_request r;
    struct js_consumer_config back;
    struct js_error err;
    struct bl_buf out;
    int rv = js_consumer_create_request_parse(&r, body, len, &err);
    expect_error(rv, &err);
    if (rv != 0)
        return;
    js_consumer_config_set_defaults(&r.config);
    rv = js_consumer_config_check(&r.config, &parent, &err);
    expect_error(rv, &err);
    if (rv == 0) {
        expect_error(
            js_consumer_check_workqueue(&r.config, &parent, NULL, 0, &err),
            &err);
        bl_buf_init(&out);
        js_consumer_config_render(&out, &r.config);
        json_t *j = json_loads(out.p, 0, NULL);
        if (j == NULL)
            fail("rendered consumer config is not JSON", out.p);
        if (js_consumer_config_from_json(&back, j, &err) != 0)
            fail("rendered consumer config does not parse", out.p);
        if (!js_consumer_config_equal(&r.config, &back))
            fail("consumer config changed in a round trip", out.p);
        expect_error(
            js_consumer_config_check_update(&r.config, &back, true, &err),
            &err);
        js_consumer_config_close(&back);
        json_decref(j);
        bl_buf_close(&out);
    }
    js_consumer_create_request_close(&r);
}

static void small_requests(const char *body, size_t len)
{
    struct js_error err;
    struct js_list_request list;
    expect_error(js_list_request_parse(&list, body, len, &err), &err);
    js_list_request_close(&list);
    struct js_stream_info_request info;
    expect_error(js_stream_info_request_parse(&info, body, len, &err), &err);
    js_stream_info_request_close(&info);
    struct js_purge_request purge;
    expect_error(js_purge_request_parse(&purge, body, len, &err), &err);
    js_purge_request_close(&purge);
    struct js_msg_get_request get;
    expect_error(js_msg_get_request_parse(&get, body, len, &err), &err);
    js_msg_get_request_close(&get);
    struct js_msg_delete_request del;
    expect_error(js_msg_delete_request_parse(&del, body, len, &err), &err);
    struct js_pull_request pull;
    expect_error(js_pull_request_parse(&pull, body, len, &err), &err);
    struct js_snapshot_request snap;
    expect_error(js_snapshot_request_parse(&snap, body, len, &err), &err);
    js_snapshot_request_close(&snap);
    struct js_restore_request restore;
    int rv = js_restore_request_parse(&restore, body, len, &err);
    expect_error(rv, &err);
    if (rv == 0)
        expect_error(js_stream_config_check(&restore.config, &err), &err);
    js_restore_request_close(&restore);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        const char *s = "{\"name\":\"P\",\"subjects\":[\"orders.>\",\"p\"],"
                        "\"retention\":\"workqueue\",\"num_replicas\":3}";
        struct js_error err;
        if (js_stream_config_parse(&parent, s, strlen(s), &err) != 0 ||
            js_stream_config_check(&parent, &err) != 0)
            fail("parent stream config", s);
        ready = 1;
    }
    char *body = malloc(size ? size : 1);
    if (body == NULL)
        return 0;
    memcpy(body, data, size);
    stream_config(body, size);
    consumer_create(body, size);
    small_requests(body, size);
    free(body);
    return 0;
}
