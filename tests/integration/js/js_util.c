/* Helpers for the JetStream integration tests; see js_util.h. */
#include "js_util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void jsu_server_start(struct harness_server *s, const char *store_name,
                      const char *const *extra)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof(dir), "%s/%s", harness_dir(), store_name) >=
        (int)sizeof(dir))
        ck_abort_msg("store dir path too long");
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        ck_abort_msg("mkdir %s: %s", dir, strerror(errno));
    const char *args[HARNESS_MAX_ARGS + 1];
    int n = 0;
    args[n++] = "-js";
    args[n++] = "-sd";
    args[n++] = dir;
    for (int i = 0; extra != NULL && extra[i] != NULL; i++) {
        ck_assert_int_lt(n, HARNESS_MAX_ARGS);
        args[n++] = extra[i];
    }
    args[n] = NULL;
    harness_server_start(s, 0, args);
}

void jsu_connect_with(struct jsu_conn *c, natsOptions *opts, jsOptions *jopts)
{
    memset(c, 0, sizeof(*c));
    HARNESS_NATS_OK("connect", natsConnection_Connect(&c->nc, opts));
    jsOptions own;
    if (jopts == NULL) {
        jsOptions_Init(&own);
        own.Wait = JSU_API_TIMEOUT_MS;
        jopts = &own;
    }
    HARNESS_NATS_OK("jetstream context",
                    natsConnection_JetStream(&c->js, c->nc, jopts));
}

void jsu_connect(struct jsu_conn *c, const struct harness_server *s)
{
    natsOptions *o = harness_opts(s);
    jsu_connect_with(c, o, NULL);
    natsOptions_Destroy(o);
}

void jsu_close(struct jsu_conn *c)
{
    jsCtx_Destroy(c->js);
    c->js = NULL;
    natsConnection_Destroy(c->nc);
    c->nc = NULL;
}

void jsu_stream_cfg(jsStreamConfig *cfg, const char *name, const char **subject)
{
    jsStreamConfig_Init(cfg);
    cfg->Name = name;
    cfg->Subjects = subject;
    cfg->SubjectsLen = 1;
    cfg->Storage = js_FileStorage;
}

void jsu_add_stream(jsCtx *js, jsStreamConfig *cfg)
{
    jsErrCode jerr = 0;
    natsStatus st = js_AddStream(NULL, js, cfg, NULL, &jerr);
    if (st != NATS_OK) {
        natsStatus last;
        const char *text = nats_GetLastError(&last);
        ck_abort_msg("add stream %s: %s, err_code %d (%s)", cfg->Name,
                     natsStatus_GetText(st), (int)jerr, text ? text : "");
    }
}

void jsu_add_simple_stream(jsCtx *js, const char *name, const char *subject)
{
    const char *subjects[] = {subject};
    jsStreamConfig cfg;
    jsu_stream_cfg(&cfg, name, subjects);
    jsu_add_stream(js, &cfg);
}

void jsu_stream_state(jsCtx *js, const char *name, jsStreamState *out)
{
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    natsStatus st = js_GetStreamInfo(&si, js, name, NULL, &jerr);
    ck_assert_msg(st == NATS_OK, "stream info %s: %s, err_code %d", name,
                  natsStatus_GetText(st), (int)jerr);
    *out = si->State;
    out->Subjects = NULL;
    out->Deleted = NULL;
    out->DeletedLen = 0;
    out->Lost = NULL;
    jsStreamInfo_Destroy(si);
}

uint64_t jsu_publish(jsCtx *js, const char *subject, const char *data)
{
    jsPubAck *pa = NULL;
    jsErrCode jerr = 0;
    natsStatus st =
        js_Publish(&pa, js, subject, data, (int)strlen(data), NULL, &jerr);
    if (st != NATS_OK) {
        natsStatus last;
        const char *text = nats_GetLastError(&last);
        ck_abort_msg("publish to %s: %s, err_code %d (%s)", subject,
                     natsStatus_GetText(st), (int)jerr, text ? text : "");
    }
    uint64_t seq = pa->Sequence;
    jsPubAck_Destroy(pa);
    return seq;
}

jsConsumerInfo *jsu_consumer_info(jsCtx *js, const char *stream,
                                  const char *consumer)
{
    jsConsumerInfo *ci = NULL;
    jsErrCode jerr = 0;
    natsStatus st = js_GetConsumerInfo(&ci, js, stream, consumer, NULL, &jerr);
    ck_assert_msg(st == NATS_OK, "consumer info %s/%s: %s, err_code %d", stream,
                  consumer, natsStatus_GetText(st), (int)jerr);
    return ci;
}

void jsu_expect_err(const char *what, natsStatus st, jsErrCode got, int want,
                    const char *file, int line)
{
    if (st == NATS_OK)
        ck_abort_msg("%s:%d: %s: succeeded, expected error %d", file, line,
                     what, want);
    if ((int)got != want) {
        natsStatus last;
        const char *text = nats_GetLastError(&last);
        ck_abort_msg("%s:%d: %s: err_code %d (%s: %s), expected %d", file, line,
                     what, (int)got, natsStatus_GetText(st), text ? text : "",
                     want);
    }
}

void jsu_expect_data(natsMsg *m, const char *data)
{
    ck_assert_ptr_nonnull(m);
    int len = natsMsg_GetDataLength(m);
    ck_assert_msg(len == (int)strlen(data) &&
                      memcmp(natsMsg_GetData(m), data, strlen(data)) == 0,
                  "payload \"%.*s\", expected \"%s\"", len, natsMsg_GetData(m),
                  data);
}

/* ---- raw API ---- */

json_t *jsu_api(natsConnection *nc, const char *api, const char *body)
{
    char subject[512];
    if (snprintf(subject, sizeof(subject), "$JS.API.%s", api) >=
        (int)sizeof(subject))
        ck_abort_msg("API subject too long: %s", api);
    natsMsg *reply = NULL;
    natsStatus st = natsConnection_Request(
        &reply, nc, subject, body ? body : "", body ? (int)strlen(body) : 0,
        JSU_API_TIMEOUT_MS);
    ck_assert_msg(st == NATS_OK, "request %s: %s", subject,
                  natsStatus_GetText(st));
    json_error_t err;
    json_t *j = json_loadb(natsMsg_GetData(reply),
                           (size_t)natsMsg_GetDataLength(reply), 0, &err);
    ck_assert_msg(j != NULL && json_is_object(j),
                  "request %s: reply is not a JSON object (%s): %.*s", subject,
                  err.text, natsMsg_GetDataLength(reply),
                  natsMsg_GetData(reply));
    natsMsg_Destroy(reply);
    return j;
}

int jsu_err_code(json_t *reply)
{
    json_t *e = json_object_get(reply, "error");
    if (e == NULL)
        return 0;
    json_t *c = json_object_get(e, "err_code");
    ck_assert_msg(c != NULL && json_is_integer(c),
                  "error without an integer err_code");
    return (int)json_integer_value(c);
}

void jsu_api_expect_err(natsConnection *nc, const char *api, const char *body,
                        int code, int status)
{
    json_t *r = jsu_api(nc, api, body);
    int got = jsu_err_code(r);
    if (got != code) {
        char *text = json_dumps(r, JSON_COMPACT);
        ck_abort_msg("%s: expected err_code %d, got %s", api, code, text);
    }
    if (status != 0) {
        json_t *c = json_object_get(json_object_get(r, "error"), "code");
        ck_assert_msg(c != NULL && json_integer_value(c) == status,
                      "%s: expected error.code %d", api, status);
    }
    json_decref(r);
}

json_t *jsu_api_ok(natsConnection *nc, const char *api, const char *body)
{
    json_t *r = jsu_api(nc, api, body);
    if (json_object_get(r, "error") != NULL) {
        char *text = json_dumps(r, JSON_COMPACT);
        ck_abort_msg("%s: unexpected error reply %s", api, text);
    }
    return r;
}

json_int_t jsu_json_int(json_t *j, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", path);
    json_t *cur = j;
    char *save = NULL;
    for (char *part = strtok_r(buf, ".", &save); part != NULL;
         part = strtok_r(NULL, ".", &save)) {
        cur = json_is_object(cur) ? json_object_get(cur, part) : NULL;
        ck_assert_msg(cur != NULL, "JSON path %s: %s missing", path, part);
    }
    ck_assert_msg(json_is_integer(cur), "JSON path %s is not an integer", path);
    return json_integer_value(cur);
}

/* ---- status messages ---- */

const char *jsu_status(natsMsg *m)
{
    const char *v = NULL;
    if (natsMsgHeader_Get(m, "Status", &v) != NATS_OK)
        return NULL;
    return v;
}

const char *jsu_status_desc(natsMsg *m)
{
    const char *v = NULL;
    if (natsMsgHeader_Get(m, "Description", &v) != NATS_OK || v == NULL)
        return "";
    return v;
}
