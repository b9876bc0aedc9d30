/* Parsers for the small JetStream API request bodies, with the body-only
 * checks nats-server's handlers make before touching any stream. */
#include "ballast/err.h"
#include "ballast/mem.h"
#include "js/api_internal.h"
#include "subj/subject.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad_request(struct js_error *err, const char *why)
{
    js_error_set(err, JS_ERR_BAD_REQUEST);
    js_error_detail(err, "%s", why);
    return BL_EINVAL;
}

void js_list_request_close(struct js_list_request *r)
{
    bl_free(r->subject);
    memset(r, 0, sizeof *r);
}

int js_list_request_parse(struct js_list_request *out, const char *body,
                          size_t len, struct js_error *err)
{
    memset(out, 0, sizeof *out);
    if (js__is_empty_request(body, len))
        return 0;
    json_t *obj = js__load_object(body, len, err);
    if (obj == NULL)
        return BL_EINVAL;
    int rv;
    if ((rv = js__get_i64(obj, "offset", INT64_MIN, INT64_MAX, &out->offset,
                          err)) ||
        (rv = js__get_str(obj, "subject", &out->subject, err)))
        js_list_request_close(out);
    json_decref(obj);
    if (out->offset < 0)
        out->offset = 0;
    return rv;
}

void js_stream_info_request_close(struct js_stream_info_request *r)
{
    bl_free(r->subjects_filter);
    memset(r, 0, sizeof *r);
}

int js_stream_info_request_parse(struct js_stream_info_request *out,
                                 const char *body, size_t len,
                                 struct js_error *err)
{
    memset(out, 0, sizeof *out);
    if (js__is_empty_request(body, len))
        return 0;
    json_t *obj = js__load_object(body, len, err);
    if (obj == NULL)
        return BL_EINVAL;
    int rv;
    if ((rv = js__get_i64(obj, "offset", INT64_MIN, INT64_MAX, &out->offset,
                          err)) ||
        (rv = js__get_bool(obj, "deleted_details", &out->deleted_details,
                           err)) ||
        (rv = js__get_str(obj, "subjects_filter", &out->subjects_filter, err)))
        js_stream_info_request_close(out);
    json_decref(obj);
    if (out->offset < 0)
        out->offset = 0;
    return rv;
}

void js_purge_request_close(struct js_purge_request *r)
{
    bl_free(r->filter);
    memset(r, 0, sizeof *r);
}

int js_purge_request_parse(struct js_purge_request *out, const char *body,
                           size_t len, struct js_error *err)
{
    memset(out, 0, sizeof *out);
    if (js__is_empty_request(body, len))
        return 0;
    json_t *obj = js__load_object(body, len, err);
    if (obj == NULL)
        return BL_EINVAL;
    int rv;
    if ((rv = js__get_str(obj, "filter", &out->filter, err)) ||
        (rv = js__get_u64(obj, "seq", &out->seq, err)) ||
        (rv = js__get_u64(obj, "keep", &out->keep, err))) {
        /* fall through to cleanup */
    } else if (out->seq > 0 && out->keep > 0) {
        rv = bad_request(err, "purge: seq and keep are mutually exclusive");
    }
    if (rv != 0)
        js_purge_request_close(out);
    json_decref(obj);
    return rv;
}

void js_msg_get_request_close(struct js_msg_get_request *r)
{
    bl_free(r->last_by_subj);
    bl_free(r->next_by_subj);
    memset(r, 0, sizeof *r);
}

int js_msg_get_request_parse(struct js_msg_get_request *out, const char *body,
                             size_t len, struct js_error *err)
{
    memset(out, 0, sizeof *out);
    if (js__is_empty_request(body, len))
        return bad_request(err, "msg get: empty request");
    json_t *obj = js__load_object(body, len, err);
    if (obj == NULL)
        return BL_EINVAL;
    int rv;
    if ((rv = js__get_u64(obj, "seq", &out->seq, err)) ||
        (rv = js__get_str(obj, "last_by_subj", &out->last_by_subj, err)) ||
        (rv = js__get_str(obj, "next_by_subj", &out->next_by_subj, err))) {
        /* fall through to cleanup */
    } else if ((out->seq > 0 && out->last_by_subj != NULL) ||
               (out->seq == 0 && out->last_by_subj == NULL &&
                out->next_by_subj == NULL)) {
        rv = bad_request(err, "msg get: give seq, last_by_subj or "
                              "next_by_subj (with an optional seq)");
    } else if (out->last_by_subj != NULL && out->next_by_subj != NULL) {
        rv = bad_request(err, "msg get: last_by_subj and next_by_subj are "
                              "mutually exclusive");
    }
    if (rv != 0)
        js_msg_get_request_close(out);
    json_decref(obj);
    return rv;
}

int js_msg_delete_request_parse(struct js_msg_delete_request *out,
                                const char *body, size_t len,
                                struct js_error *err)
{
    memset(out, 0, sizeof *out);
    if (js__is_empty_request(body, len))
        return bad_request(err, "msg delete: empty request");
    json_t *obj = js__load_object(body, len, err);
    if (obj == NULL)
        return BL_EINVAL;
    int rv;
    if ((rv = js__get_u64(obj, "seq", &out->seq, err)) ||
        (rv = js__get_bool(obj, "no_erase", &out->no_erase, err)))
        memset(out, 0, sizeof *out);
    json_decref(obj);
    return rv;
}

void js_consumer_create_request_close(struct js_consumer_create_request *r)
{
    bl_free(r->stream_name);
    js_consumer_config_close(&r->config);
    memset(r, 0, sizeof *r);
}

int js_consumer_create_request_parse(struct js_consumer_create_request *out,
                                     const char *body, size_t len,
                                     struct js_error *err)
{
    memset(out, 0, sizeof *out);
    json_t *obj = js__load_object(body, len, err);
    if (obj == NULL)
        return BL_EINVAL;
    int rv = js__get_str(obj, "stream_name", &out->stream_name, err);
    json_t *cfg = js__field(obj, "config");
    if (rv == 0 && cfg != NULL) {
        rv = js_consumer_config_from_json(&out->config, cfg, err);
        if (rv != 0)
            js__detail_prefix(err, "config");
    }
    if (rv != 0)
        js_consumer_create_request_close(out);
    json_decref(obj);
    return rv;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' ||
           c == '\r';
}

/* Go's strconv.Atoi: optional sign, decimal digits, int64 range. */
static bool atoi_go(const char *p, size_t len, int64_t *out)
{
    char num[32];
    if (len == 0 || len >= sizeof num)
        return false;
    memcpy(num, p, len);
    num[len] = '\0';
    const char *d = num + (num[0] == '+' || num[0] == '-');
    if (*d == '\0')
        return false;
    for (const char *q = d; *q; q++)
        if (*q < '0' || *q > '9')
            return false;
    errno = 0;
    long long v = strtoll(num, NULL, 10);
    if (errno == ERANGE)
        return false;
    *out = v;
    return true;
}

/* A pull request error is BAD_REQUEST whose description is the reason: the
 * consumer answers with the status "400 Bad Request - <reason>". */
static void pull_error(struct js_error *err, const char *why)
{
    char copy[JS_ERROR_DESC_SIZE];
    snprintf(copy, sizeof copy, "%s", why);
    js_error_set(err, JS_ERR_BAD_REQUEST);
    snprintf(err->description, sizeof err->description, "%s", copy);
    snprintf(err->detail, sizeof err->detail, "%s", copy);
}

int js_pull_request_parse(struct js_pull_request *out, const char *body,
                          size_t len, struct js_error *err)
{
    memset(out, 0, sizeof *out);
    while (len > 0 && is_space(body[0])) {
        body++;
        len--;
    }
    while (len > 0 && is_space(body[len - 1]))
        len--;
    if (len == 0 || body[0] != '{') {
        /* A bare number is a batch size; anything else means one. */
        if (len == 0 || !atoi_go(body, len, &out->batch))
            out->batch = 1;
        return 0;
    }
    json_t *obj = js__load_object(body, len, err);
    int rv = BL_EINVAL;
    if (obj == NULL)
        goto fail;
    if ((rv = js__get_i64(obj, "expires", INT64_MIN, INT64_MAX,
                          &out->expires_ns, err)) ||
        (rv = js__get_i64(obj, "batch", INT64_MIN, INT64_MAX, &out->batch,
                          err)) ||
        (rv = js__get_i64(obj, "max_bytes", INT64_MIN, INT64_MAX,
                          &out->max_bytes, err)) ||
        (rv = js__get_bool(obj, "no_wait", &out->no_wait, err)) ||
        (rv = js__get_i64(obj, "idle_heartbeat", INT64_MIN, INT64_MAX,
                          &out->idle_heartbeat_ns, err)))
        goto fail;
    json_decref(obj);
    /* The heartbeat must fit twice into the request's lifetime (and a
     * request without expires can have none). */
    if (out->idle_heartbeat_ns > 0 &&
        (__int128)out->idle_heartbeat_ns * 2 > out->expires_ns) {
        memset(out, 0, sizeof *out);
        pull_error(err, "heartbeat value too large");
        return BL_EINVAL;
    }
    return 0;
fail:
    json_decref(obj);
    memset(out, 0, sizeof *out);
    /* Pull errors go back as a "400 Bad Request - <why>" status. */
    char why[JS_ERROR_DESC_SIZE];
    memcpy(why, err->detail, sizeof why);
    pull_error(err, why[0] ? why : "invalid JSON");
    return rv;
}

void js_snapshot_request_close(struct js_snapshot_request *r)
{
    bl_free(r->deliver_subject);
    memset(r, 0, sizeof *r);
}

int js_snapshot_request_parse(struct js_snapshot_request *out, const char *body,
                              size_t len, struct js_error *err)
{
    memset(out, 0, sizeof *out);
    if (js__is_empty_request(body, len))
        return bad_request(err, "snapshot: empty request");
    json_t *obj = js__load_object(body, len, err);
    if (obj == NULL)
        return BL_EINVAL;
    int rv;
    if ((rv =
             js__get_str(obj, "deliver_subject", &out->deliver_subject, err)) ||
        (rv = js__get_bool(obj, "no_consumers", &out->no_consumers, err)) ||
        (rv = js__get_i64(obj, "chunk_size", INT64_MIN, INT64_MAX,
                          &out->chunk_size, err)) ||
        (rv = js__get_bool(obj, "jsck", &out->jsck, err))) {
        /* fall through to cleanup */
    } else if (out->deliver_subject == NULL ||
               !subject_valid_subscribe(bl_slice_of(out->deliver_subject))) {
        js_error_set(err, JS_ERR_SNAPSHOT_DELIVER_SUBJECT_INVALID);
        rv = BL_EINVAL;
    }
    if (rv != 0)
        js_snapshot_request_close(out);
    json_decref(obj);
    return rv;
}

void js_restore_request_close(struct js_restore_request *r)
{
    js_stream_config_close(&r->config);
    memset(r, 0, sizeof *r);
}

/* A state time: Go's zero time and anything before 1970 become 0. */
static int get_state_time(const json_t *obj, const char *key, uint64_t *out,
                          struct js_error *err)
{
    bool has = false;
    int64_t ns = 0;
    int rv = js__get_time(obj, key, &has, &ns, err);
    if (rv == 0 && has)
        *out = ns > 0 ? (uint64_t)ns : 0;
    return rv;
}

static int parse_state(struct js_stream_state *st, const json_t *obj,
                       struct js_error *err)
{
    if (!json_is_object(obj))
        return js__bad_field(err, "state", "expected an object");
    int rv;
    if ((rv = js__get_u64(obj, "messages", &st->msgs, err)) ||
        (rv = js__get_u64(obj, "bytes", &st->bytes, err)) ||
        (rv = js__get_u64(obj, "first_seq", &st->first_seq, err)) ||
        (rv = get_state_time(obj, "first_ts", &st->first_ts_ns, err)) ||
        (rv = js__get_u64(obj, "last_seq", &st->last_seq, err)) ||
        (rv = get_state_time(obj, "last_ts", &st->last_ts_ns, err)) ||
        (rv = js__get_u64(obj, "num_subjects", &st->num_subjects, err)) ||
        (rv = js__get_u64(obj, "num_deleted", &st->num_deleted, err)) ||
        (rv = js__get_u64(obj, "consumer_count", &st->consumer_count, err)))
        js__detail_prefix(err, "state");
    return rv;
}

int js_restore_request_parse(struct js_restore_request *out, const char *body,
                             size_t len, struct js_error *err)
{
    memset(out, 0, sizeof *out);
    if (js__is_empty_request(body, len))
        return bad_request(err, "restore: empty request");
    json_t *obj = js__load_object(body, len, err);
    if (obj == NULL)
        return BL_EINVAL;
    int rv = 0;
    json_t *v = js__field(obj, "config");
    if (v != NULL) {
        rv = js_stream_config_from_json(&out->config, v, err);
        if (rv != 0)
            js__detail_prefix(err, "config");
    }
    if (rv == 0 && (v = js__field(obj, "state")) != NULL)
        rv = parse_state(&out->state, v, err);
    if (rv != 0)
        js_restore_request_close(out);
    json_decref(obj);
    return rv;
}
