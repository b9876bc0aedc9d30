/* ConsumerConfig: parsing, nats-server's defaults, validation and update
 * rules, and rendering in nats-server's field order. */
#include "ballast/err.h"
#include "ballast/mem.h"
#include "js/api_internal.h"
#include "js/api_json.h"
#include "subj/subject.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const deliver_names[] = {
    "all",           "last",
    "new",           "by_start_sequence",
    "by_start_time", "last_per_subject",
    "undefined", /* accepted on input, means "all" */
};
static const char *const ack_names[] = {"none", "all", "explicit"};
static const char *const replay_names[] = {"instant", "original"};

void js_consumer_config_init(struct js_consumer_config *c)
{
    memset(c, 0, sizeof *c);
}

void js_consumer_config_close(struct js_consumer_config *c)
{
    bl_free(c->durable_name);
    bl_free(c->name);
    bl_free(c->description);
    bl_free(c->backoff_ns);
    bl_free(c->filter_subject);
    bl_free(c->sample_freq);
    bl_free(c->deliver_subject);
    bl_free(c->deliver_group);
    memset(c, 0, sizeof *c);
}

void js_consumer_config_copy(struct js_consumer_config *dst,
                             const struct js_consumer_config *src)
{
    *dst = *src;
    dst->durable_name = js__strdup(src->durable_name);
    dst->name = js__strdup(src->name);
    dst->description = js__strdup(src->description);
    dst->backoff_ns = NULL;
    if (src->n_backoff > 0) {
        dst->backoff_ns = bl_xcalloc(src->n_backoff, sizeof *dst->backoff_ns);
        memcpy(dst->backoff_ns, src->backoff_ns,
               src->n_backoff * sizeof *dst->backoff_ns);
    }
    dst->filter_subject = js__strdup(src->filter_subject);
    dst->sample_freq = js__strdup(src->sample_freq);
    dst->deliver_subject = js__strdup(src->deliver_subject);
    dst->deliver_group = js__strdup(src->deliver_group);
}

static bool start_time_equal(const struct js_consumer_config *a,
                             const struct js_consumer_config *b)
{
    return a->has_opt_start_time == b->has_opt_start_time &&
           (!a->has_opt_start_time ||
            a->opt_start_time_ns == b->opt_start_time_ns);
}

bool js_consumer_config_equal(const struct js_consumer_config *a,
                              const struct js_consumer_config *b)
{
    return js__str_eq(a->durable_name, b->durable_name) &&
           js__str_eq(a->name, b->name) &&
           js__str_eq(a->description, b->description) &&
           a->deliver_policy == b->deliver_policy &&
           a->opt_start_seq == b->opt_start_seq && start_time_equal(a, b) &&
           a->ack_policy == b->ack_policy && a->ack_wait_ns == b->ack_wait_ns &&
           a->max_deliver == b->max_deliver && a->n_backoff == b->n_backoff &&
           (a->n_backoff == 0 ||
            memcmp(a->backoff_ns, b->backoff_ns,
                   a->n_backoff * sizeof *a->backoff_ns) == 0) &&
           js__str_eq(a->filter_subject, b->filter_subject) &&
           a->replay_policy == b->replay_policy &&
           a->rate_limit_bps == b->rate_limit_bps &&
           js__str_eq(a->sample_freq, b->sample_freq) &&
           a->max_waiting == b->max_waiting &&
           a->max_ack_pending == b->max_ack_pending &&
           a->idle_heartbeat_ns == b->idle_heartbeat_ns &&
           a->flow_control == b->flow_control &&
           a->headers_only == b->headers_only && a->max_batch == b->max_batch &&
           a->max_expires_ns == b->max_expires_ns &&
           a->max_bytes == b->max_bytes &&
           js__str_eq(a->deliver_subject, b->deliver_subject) &&
           js__str_eq(a->deliver_group, b->deliver_group) &&
           a->inactive_threshold_ns == b->inactive_threshold_ns &&
           a->num_replicas == b->num_replicas &&
           a->mem_storage == b->mem_storage && a->direct == b->direct;
}

int js_consumer_config_from_json(struct js_consumer_config *out,
                                 const json_t *obj, struct js_error *err)
{
    int rv;
    int deliver = 0, ack = 0, replay = 0;
    js_consumer_config_init(out);
    if (!json_is_object(obj))
        return js__bad_field(err, "config", "expected an object");
    if ((rv = js__get_str(obj, "durable_name", &out->durable_name, err)) ||
        (rv = js__get_str(obj, "name", &out->name, err)) ||
        (rv = js__get_str(obj, "description", &out->description, err)) ||
        (rv = js__get_enum(obj, "deliver_policy", deliver_names, 7, false,
                           &deliver, err)) ||
        (rv = js__get_u64(obj, "opt_start_seq", &out->opt_start_seq, err)) ||
        (rv = js__get_time(obj, "opt_start_time", &out->has_opt_start_time,
                           &out->opt_start_time_ns, err)) ||
        (rv =
             js__get_enum(obj, "ack_policy", ack_names, 3, false, &ack, err)) ||
        (rv = js__get_i64(obj, "ack_wait", INT64_MIN, INT64_MAX,
                          &out->ack_wait_ns, err)) ||
        (rv = js__get_i64(obj, "max_deliver", INT64_MIN, INT64_MAX,
                          &out->max_deliver, err)) ||
        (rv = js__get_i64_array(obj, "backoff", &out->backoff_ns,
                                &out->n_backoff, err)) ||
        (rv = js__get_str(obj, "filter_subject", &out->filter_subject, err)) ||
        (rv = js__get_enum(obj, "replay_policy", replay_names, 2, false,
                           &replay, err)) ||
        (rv = js__get_u64(obj, "rate_limit_bps", &out->rate_limit_bps, err)) ||
        (rv = js__get_str(obj, "sample_freq", &out->sample_freq, err)) ||
        (rv = js__get_i64(obj, "max_waiting", INT64_MIN, INT64_MAX,
                          &out->max_waiting, err)) ||
        (rv = js__get_i64(obj, "max_ack_pending", INT64_MIN, INT64_MAX,
                          &out->max_ack_pending, err)) ||
        (rv = js__get_i64(obj, "idle_heartbeat", INT64_MIN, INT64_MAX,
                          &out->idle_heartbeat_ns, err)) ||
        (rv = js__get_bool(obj, "flow_control", &out->flow_control, err)) ||
        (rv = js__get_bool(obj, "headers_only", &out->headers_only, err)) ||
        (rv = js__get_i64(obj, "max_batch", INT64_MIN, INT64_MAX,
                          &out->max_batch, err)) ||
        (rv = js__get_i64(obj, "max_expires", INT64_MIN, INT64_MAX,
                          &out->max_expires_ns, err)) ||
        (rv = js__get_i64(obj, "max_bytes", INT64_MIN, INT64_MAX,
                          &out->max_bytes, err)) ||
        (rv =
             js__get_str(obj, "deliver_subject", &out->deliver_subject, err)) ||
        (rv = js__get_str(obj, "deliver_group", &out->deliver_group, err)) ||
        (rv = js__get_i64(obj, "inactive_threshold", INT64_MIN, INT64_MAX,
                          &out->inactive_threshold_ns, err)) ||
        (rv = js__get_i64(obj, "num_replicas", INT64_MIN, INT64_MAX,
                          &out->num_replicas, err)) ||
        (rv = js__get_bool(obj, "mem_storage", &out->mem_storage, err)) ||
        (rv = js__get_bool(obj, "direct", &out->direct, err))) {
        js_consumer_config_close(out);
        return rv;
    }
    out->deliver_policy =
        deliver == 6 ? JS_DELIVER_ALL : (enum js_deliver_policy)deliver;
    out->ack_policy = (enum js_ack_policy)ack;
    out->replay_policy = (enum js_replay_policy)replay;
    return 0;
}

void js_consumer_config_set_defaults(struct js_consumer_config *c)
{
    bool acks = c->ack_policy == JS_ACK_EXPLICIT || c->ack_policy == JS_ACK_ALL;
    if (c->deliver_subject == NULL && c->max_waiting == 0)
        c->max_waiting = JS_DEFAULT_MAX_WAITING;
    if (c->ack_wait_ns == 0 && acks)
        c->ack_wait_ns = JS_DEFAULT_ACK_WAIT_NS;
    if (c->max_deliver == 0)
        c->max_deliver = -1;
    /* A backoff list overrides the ack wait with its first step. */
    if (c->n_backoff > 0)
        c->ack_wait_ns = c->backoff_ns[0];
    if (acks && c->max_ack_pending == 0)
        c->max_ack_pending = JS_DEFAULT_MAX_ACK_PENDING;
    if (c->durable_name == NULL && c->inactive_threshold_ns <= 0)
        c->inactive_threshold_ns = JS_DEFAULT_INACTIVE_THRESHOLD_NS;
}

static int fail(struct js_error *err, enum js_err id)
{
    js_error_set(err, id);
    return BL_EINVAL;
}

static int policy(struct js_error *err, const char *fmt, const char *dp,
                  const char *what)
{
    js_error_setf(err, JS_ERR_CONSUMER_INVALID_POLICY, fmt, dp, what);
    return BL_EINVAL;
}

#define BAD_START                                                              \
    "consumer delivery policy is deliver %s, but optional start %s is also "   \
    "set"
#define NOT_SET                                                                \
    "consumer delivery policy is deliver %s, but optional %s is not set"

static int check_start(const struct js_consumer_config *c, struct js_error *err)
{
    static const char *const label[] = {
        [JS_DELIVER_ALL] = "all",
        [JS_DELIVER_LAST] = "last",
        [JS_DELIVER_NEW] = "new",
        [JS_DELIVER_LAST_PER_SUBJECT] = "last per subject",
    };
    switch (c->deliver_policy) {
    case JS_DELIVER_ALL:
    case JS_DELIVER_LAST:
    case JS_DELIVER_NEW:
    case JS_DELIVER_LAST_PER_SUBJECT:
        if (c->opt_start_seq > 0)
            return policy(err, BAD_START, label[c->deliver_policy], "sequence");
        if (c->has_opt_start_time)
            return policy(err, BAD_START, label[c->deliver_policy], "time");
        if (c->deliver_policy == JS_DELIVER_LAST_PER_SUBJECT &&
            c->filter_subject == NULL)
            return policy(err, NOT_SET, "last per subject", "filter subject");
        return 0;
    case JS_DELIVER_BY_START_SEQUENCE:
        if (c->opt_start_seq == 0)
            return policy(err, NOT_SET, "by start sequence", "start sequence");
        if (c->has_opt_start_time)
            return policy(err, BAD_START, "by start sequence", "time");
        return 0;
    case JS_DELIVER_BY_START_TIME:
        if (!c->has_opt_start_time)
            return policy(err, NOT_SET, "by start time", "start time");
        if (c->opt_start_seq != 0)
            return policy(err, BAD_START, "by start time", "start sequence");
        return 0;
    }
    return 0;
}

/* sample_freq is an integer percentage with an optional '%'. The error
 * text follows Go's strconv.Atoi, which nats-server passes through. */
static int check_sampling(const char *freq, struct js_error *err)
{
    size_t len = strlen(freq);
    if (len > 0 && freq[len - 1] == '%')
        len--;
    char num[64];
    bool too_long = len >= sizeof num;
    snprintf(num, sizeof num, "%.*s", (int)len, freq);
    const char *p = num;
    if (*p == '+' || *p == '-')
        p++;
    bool digits = *p != '\0' && !too_long;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            digits = false;
    if (!digits) {
        js_error_setf(err, JS_ERR_CONSUMER_INVALID_SAMPLING,
                      "strconv.Atoi: parsing \"%.*s\": invalid syntax",
                      (int)len, freq);
        return BL_EINVAL;
    }
    errno = 0;
    long long v = strtoll(num, NULL, 10);
    if (errno == ERANGE) {
        js_error_setf(err, JS_ERR_CONSUMER_INVALID_SAMPLING,
                      "strconv.Atoi: parsing \"%s\": value out of range", num);
        return BL_EINVAL;
    }
    if (v < 0) {
        /* nats-server formats a nil error here. */
        js_error_setf(err, JS_ERR_CONSUMER_INVALID_SAMPLING, "<nil>");
        return BL_EINVAL;
    }
    return 0;
}

/* nats-server's validFilteredSubject: the filter lies within one of the
 * stream's subjects, or (a wildcard filter) covers one of them. */
static bool filter_valid(const char *filter,
                         const struct js_stream_config *stream)
{
    struct bl_slice f = bl_slice_of(filter);
    if (!subject_valid_subscribe(f))
        return false;
    bool wildcard = !subject_is_literal(f);
    for (size_t i = 0; i < stream->n_subjects; i++) {
        struct bl_slice s = bl_slice_of(stream->subjects[i]);
        if (subject_is_subset(f, s))
            return true;
        if (wildcard && subject_is_subset(s, f))
            return true;
    }
    return false;
}

int js_consumer_config_check(const struct js_consumer_config *c,
                             const struct js_stream_config *stream,
                             struct js_error *err)
{
    if (c->num_replicas > 0 && c->num_replicas > stream->num_replicas)
        return fail(err, JS_ERR_CONSUMER_REPLICAS_EXCEEDS_STREAM);
    if (c->num_replicas < 0)
        return fail(err, JS_ERR_REPLICAS_COUNT_CANNOT_BE_NEGATIVE);
    if (c->n_backoff > 0 && c->max_deliver <= (int64_t)c->n_backoff)
        return fail(err, JS_ERR_CONSUMER_MAX_DELIVER_BACKOFF);
    if (c->description != NULL &&
        strlen(c->description) > JS_MAX_DESCRIPTION_LEN) {
        js_error_setf(err, JS_ERR_CONSUMER_DESCRIPTION_TOO_LONG, "%d",
                      JS_MAX_DESCRIPTION_LEN);
        return BL_EINVAL;
    }
    if (c->deliver_subject != NULL) {
        struct bl_slice ds = bl_slice_of(c->deliver_subject);
        if (!subject_is_literal(ds))
            return fail(err, JS_ERR_CONSUMER_DELIVER_TO_WILDCARDS);
        if (!subject_valid_subscribe(ds))
            return fail(err, JS_ERR_CONSUMER_INVALID_DELIVER_SUBJECT);
        for (size_t i = 0; i < stream->n_subjects; i++)
            if (subject_is_subset(ds, bl_slice_of(stream->subjects[i])))
                return fail(err, JS_ERR_CONSUMER_DELIVER_CYCLE);
        if (c->max_waiting != 0)
            return fail(err, JS_ERR_CONSUMER_PUSH_MAX_WAITING);
        if (c->max_ack_pending > 0 && c->ack_policy == JS_ACK_NONE)
            return fail(err, JS_ERR_CONSUMER_MAX_PENDING_ACK_POLICY_REQUIRED);
        if (c->idle_heartbeat_ns > 0 &&
            c->idle_heartbeat_ns < JS_MIN_HEARTBEAT_NS)
            return fail(err, JS_ERR_CONSUMER_SMALL_HEARTBEAT);
    } else {
        if (c->ack_policy == JS_ACK_NONE &&
            stream->retention == JS_RETENTION_WORKQUEUE)
            return fail(err, JS_ERR_CONSUMER_PULL_REQUIRES_ACK);
        if (c->rate_limit_bps > 0)
            return fail(err, JS_ERR_CONSUMER_PULL_WITH_RATE_LIMIT);
        if (c->max_waiting < 0)
            return fail(err, JS_ERR_CONSUMER_MAX_WAITING_NEGATIVE);
        if (c->idle_heartbeat_ns > 0)
            return fail(err, JS_ERR_CONSUMER_HB_REQUIRES_PUSH);
        if (c->flow_control)
            return fail(err, JS_ERR_CONSUMER_FC_REQUIRES_PUSH);
        if (c->max_batch < 0)
            return fail(err, JS_ERR_CONSUMER_MAX_REQUEST_BATCH_NEGATIVE);
        if (c->max_expires_ns != 0 && c->max_expires_ns < JS_NS_PER_SEC / 1000)
            return fail(err, JS_ERR_CONSUMER_MAX_REQUEST_EXPIRES_TO_SMALL);
    }
    if (c->direct) {
        if (c->deliver_subject == NULL)
            return fail(err, JS_ERR_CONSUMER_DIRECT_REQUIRES_PUSH);
        if (c->durable_name != NULL)
            return fail(err, JS_ERR_CONSUMER_DIRECT_REQUIRES_EPHEMERAL);
    }
    /* With mirrors or sources the interest subjects come from other streams;
     * the filter is then accepted as nats-server does for external ones. */
    if (c->filter_subject != NULL && stream->mirror == NULL &&
        stream->n_sources == 0 && !filter_valid(c->filter_subject, stream))
        return fail(err, JS_ERR_CONSUMER_FILTER_NOT_SUBSET);
    int rv = check_start(c, err);
    if (rv != 0)
        return rv;
    if (c->sample_freq != NULL && check_sampling(c->sample_freq, err))
        return BL_EINVAL;
    if (c->flow_control && c->idle_heartbeat_ns == 0)
        return fail(err, JS_ERR_CONSUMER_WITH_FLOW_CONTROL_NEEDS_HEARTBEATS);
    if (c->durable_name != NULL && c->name != NULL &&
        strcmp(c->durable_name, c->name) != 0)
        return fail(err, JS_ERR_CONSUMER_CREATE_DURABLE_AND_NAME_MISMATCH);
    if (c->durable_name != NULL && strlen(c->durable_name) > JS_MAX_NAME_LEN) {
        js_error_setf(err, JS_ERR_CONSUMER_NAME_TOO_LONG, "%d",
                      JS_MAX_NAME_LEN);
        return BL_EINVAL;
    }
    const char *name = c->durable_name ? c->durable_name : c->name;
    if (name != NULL && !js_name_valid(name))
        return fail(err, JS_ERR_CONSUMER_BAD_DURABLE_NAME);
    return 0;
}

int js_consumer_check_workqueue(const struct js_consumer_config *c,
                                const struct js_stream_config *stream,
                                const char *const *other_filters,
                                size_t n_others, struct js_error *err)
{
    if (stream->retention != JS_RETENTION_WORKQUEUE || c->direct)
        return 0;
    if (c->ack_policy != JS_ACK_EXPLICIT)
        return fail(err, JS_ERR_CONSUMER_WQ_REQUIRES_EXPLICIT_ACK);
    if (n_others > 0) {
        if (c->filter_subject == NULL)
            return fail(err, JS_ERR_CONSUMER_WQ_MULTIPLE_UNFILTERED);
        struct bl_slice mine = bl_slice_of(c->filter_subject);
        for (size_t i = 0; i < n_others; i++) {
            const char *other = other_filters[i];
            if (other == NULL || other[0] == '\0')
                return fail(err, JS_ERR_CONSUMER_WQ_CONSUMER_NOT_UNIQUE);
            struct bl_slice o = bl_slice_of(other);
            if (subject_is_subset(mine, o) || subject_is_subset(o, mine))
                return fail(err, JS_ERR_CONSUMER_WQ_CONSUMER_NOT_UNIQUE);
        }
    }
    if (c->deliver_policy != JS_DELIVER_ALL)
        return fail(err, JS_ERR_CONSUMER_WQ_CONSUMER_NOT_DELIVER_ALL);
    return 0;
}

static int refuse(struct js_error *err, const char *text)
{
    js_error_setf(err, JS_ERR_CONSUMER_CREATE, "%s", text);
    return BL_EINVAL;
}

int js_consumer_config_check_update(const struct js_consumer_config *old,
                                    const struct js_consumer_config *c,
                                    bool old_deliver_has_interest,
                                    struct js_error *err)
{
    if (js_consumer_config_equal(old, c))
        return 0;
    if (old->deliver_policy != c->deliver_policy)
        return refuse(err, "deliver policy can not be updated");
    if (old->opt_start_seq != c->opt_start_seq)
        return refuse(err, "start sequence can not be updated");
    if (!start_time_equal(old, c))
        return refuse(err, "start time can not be updated");
    if (old->ack_policy != c->ack_policy)
        return refuse(err, "ack policy can not be updated");
    if (old->replay_policy != c->replay_policy)
        return refuse(err, "replay policy can not be updated");
    if (old->idle_heartbeat_ns != c->idle_heartbeat_ns)
        return refuse(err, "heart beats can not be updated");
    if (old->flow_control != c->flow_control)
        return refuse(err, "flow control can not be updated");
    if (old->max_waiting != c->max_waiting)
        return refuse(err, "max waiting can not be updated");
    if (!js__str_eq(old->deliver_subject, c->deliver_subject)) {
        if (old->deliver_subject == NULL)
            return refuse(err, "can not update pull consumer to push based");
        if (c->deliver_subject == NULL)
            return refuse(err, "can not update push consumer to pull based");
        if (old_deliver_has_interest)
            return fail(err, JS_ERR_CONSUMER_NAME_EXIST);
    }
    if (c->n_backoff > 0 && c->max_deliver <= (int64_t)c->n_backoff)
        return fail(err, JS_ERR_CONSUMER_MAX_DELIVER_BACKOFF);
    return 0;
}

void js_consumer_config_render(struct bl_buf *out,
                               const struct js_consumer_config *c)
{
    bl_buf_append(out, "{", 1);
    if (c->durable_name != NULL)
        js_json_kv_str(out, "durable_name", c->durable_name);
    if (c->name != NULL)
        js_json_kv_str(out, "name", c->name);
    if (c->description != NULL)
        js_json_kv_str(out, "description", c->description);
    js_json_kv_str(out, "deliver_policy", deliver_names[c->deliver_policy]);
    if (c->opt_start_seq != 0)
        js_json_kv_u64(out, "opt_start_seq", c->opt_start_seq);
    if (c->has_opt_start_time) {
        char t[JS_TIME_STR_SIZE];
        js_json_key(out, "opt_start_time");
        js_json_strn(out, t, js_json_time_str(c->opt_start_time_ns, t));
    }
    js_json_kv_str(out, "ack_policy", ack_names[c->ack_policy]);
    if (c->ack_wait_ns != 0)
        js_json_kv_i64(out, "ack_wait", c->ack_wait_ns);
    if (c->max_deliver != 0)
        js_json_kv_i64(out, "max_deliver", c->max_deliver);
    if (c->n_backoff > 0) {
        js_json_key(out, "backoff");
        bl_buf_append(out, "[", 1);
        for (size_t i = 0; i < c->n_backoff; i++) {
            js_json_sep(out);
            bl_buf_printf(out, "%lld", (long long)c->backoff_ns[i]);
        }
        bl_buf_append(out, "]", 1);
    }
    if (c->filter_subject != NULL)
        js_json_kv_str(out, "filter_subject", c->filter_subject);
    js_json_kv_str(out, "replay_policy", replay_names[c->replay_policy]);
    if (c->rate_limit_bps != 0)
        js_json_kv_u64(out, "rate_limit_bps", c->rate_limit_bps);
    if (c->sample_freq != NULL)
        js_json_kv_str(out, "sample_freq", c->sample_freq);
    if (c->max_waiting != 0)
        js_json_kv_i64(out, "max_waiting", c->max_waiting);
    if (c->max_ack_pending != 0)
        js_json_kv_i64(out, "max_ack_pending", c->max_ack_pending);
    if (c->idle_heartbeat_ns != 0)
        js_json_kv_i64(out, "idle_heartbeat", c->idle_heartbeat_ns);
    if (c->flow_control)
        js_json_kv_bool(out, "flow_control", true);
    if (c->headers_only)
        js_json_kv_bool(out, "headers_only", true);
    if (c->max_batch != 0)
        js_json_kv_i64(out, "max_batch", c->max_batch);
    if (c->max_expires_ns != 0)
        js_json_kv_i64(out, "max_expires", c->max_expires_ns);
    if (c->max_bytes != 0)
        js_json_kv_i64(out, "max_bytes", c->max_bytes);
    if (c->deliver_subject != NULL)
        js_json_kv_str(out, "deliver_subject", c->deliver_subject);
    if (c->deliver_group != NULL)
        js_json_kv_str(out, "deliver_group", c->deliver_group);
    if (c->inactive_threshold_ns != 0)
        js_json_kv_i64(out, "inactive_threshold", c->inactive_threshold_ns);
    js_json_kv_i64(out, "num_replicas", c->num_replicas);
    if (c->mem_storage)
        js_json_kv_bool(out, "mem_storage", true);
    if (c->direct)
        js_json_kv_bool(out, "direct", true);
    bl_buf_append(out, "}", 1);
}
