/* Renderers for the JetStream API responses, in nats-server's field order
 * with its omitempty rules. */
#include "js/api_json.h"
#include "js/api_types.h"

static void render_cluster(struct bl_buf *out, const struct js_cluster_info *c)
{
    bl_buf_append(out, "{", 1);
    if (c->name != NULL && c->name[0] != '\0')
        js_json_kv_str(out, "name", c->name);
    if (c->leader != NULL && c->leader[0] != '\0')
        js_json_kv_str(out, "leader", c->leader);
    if (c->n_replicas > 0) {
        js_json_key(out, "replicas");
        bl_buf_append(out, "[", 1);
        for (size_t i = 0; i < c->n_replicas; i++) {
            const struct js_peer_info *p = &c->replicas[i];
            js_json_sep(out);
            bl_buf_append(out, "{", 1);
            js_json_kv_str(out, "name", p->name);
            js_json_kv_bool(out, "current", p->current);
            if (p->offline)
                js_json_kv_bool(out, "offline", true);
            js_json_kv_i64(out, "active", p->active_ns);
            if (p->lag != 0)
                js_json_kv_u64(out, "lag", p->lag);
            js_json_kv_str(out, "peer", p->peer);
            bl_buf_append(out, "}", 1);
        }
        bl_buf_append(out, "]", 1);
    }
    bl_buf_append(out, "}", 1);
}

void js_stream_state_render(struct bl_buf *out,
                            const struct js_stream_state *st)
{
    bl_buf_append(out, "{", 1);
    js_json_kv_u64(out, "messages", st->msgs);
    js_json_kv_u64(out, "bytes", st->bytes);
    js_json_kv_u64(out, "first_seq", st->first_seq);
    js_json_kv_time(out, "first_ts", st->first_ts_ns);
    js_json_kv_u64(out, "last_seq", st->last_seq);
    js_json_kv_time(out, "last_ts", st->last_ts_ns);
    if (st->num_subjects != 0)
        js_json_kv_u64(out, "num_subjects", st->num_subjects);
    if (st->n_subjects > 0) {
        js_json_key(out, "subjects");
        bl_buf_append(out, "{", 1);
        for (size_t i = 0; i < st->n_subjects; i++)
            js_json_kv_u64(out, st->subjects[i].subject, st->subjects[i].msgs);
        bl_buf_append(out, "}", 1);
    }
    if (st->num_deleted != 0)
        js_json_kv_u64(out, "num_deleted", st->num_deleted);
    if (st->n_deleted > 0) {
        js_json_key(out, "deleted");
        bl_buf_append(out, "[", 1);
        for (size_t i = 0; i < st->n_deleted; i++) {
            js_json_sep(out);
            bl_buf_append_u64(out, st->deleted[i]);
        }
        bl_buf_append(out, "]", 1);
    }
    js_json_kv_u64(out, "consumer_count", st->consumer_count);
    bl_buf_append(out, "}", 1);
}

void js_stream_info_fields(struct bl_buf *out, const struct js_stream_info *si)
{
    js_json_key(out, "config");
    js_stream_config_render(out, si->config);
    js_json_kv_time(out, "created", si->created_ns);
    js_json_key(out, "state");
    js_stream_state_render(out, si->state);
    if (si->domain != NULL && si->domain[0] != '\0')
        js_json_kv_str(out, "domain", si->domain);
    if (si->cluster != NULL) {
        js_json_key(out, "cluster");
        render_cluster(out, si->cluster);
    }
}

void js_stream_info_render(struct bl_buf *out, const struct js_stream_info *si)
{
    bl_buf_append(out, "{", 1);
    js_stream_info_fields(out, si);
    bl_buf_append(out, "}", 1);
}

void js_stream_info_reply(struct bl_buf *out, const char *type,
                          const struct js_stream_info *si, bool did_create)
{
    js_response_open(out, type);
    js_stream_info_fields(out, si);
    if (did_create)
        js_json_kv_bool(out, "did_create", true);
    bl_buf_append(out, "}", 1);
}

void js_stream_info_paged_reply(struct bl_buf *out,
                                const struct js_stream_info *si, uint64_t total,
                                uint64_t offset, uint64_t limit)
{
    js_response_open(out, JS_TYPE_STREAM_INFO);
    js_json_kv_u64(out, "total", total);
    js_json_kv_u64(out, "offset", offset);
    js_json_kv_u64(out, "limit", limit);
    js_stream_info_fields(out, si);
    bl_buf_append(out, "}", 1);
}

static void render_sequence(struct bl_buf *out, const char *key,
                            const struct js_sequence_info *s)
{
    js_json_key(out, key);
    bl_buf_append(out, "{", 1);
    js_json_kv_u64(out, "consumer_seq", s->consumer_seq);
    js_json_kv_u64(out, "stream_seq", s->stream_seq);
    if (s->last_active_ns != 0)
        js_json_kv_time(out, "last_active", s->last_active_ns);
    bl_buf_append(out, "}", 1);
}

void js_consumer_info_fields(struct bl_buf *out,
                             const struct js_consumer_info *ci)
{
    const struct js_consumer_state *st = ci->state;
    js_json_kv_str(out, "stream_name", ci->stream_name);
    js_json_kv_str(out, "name", ci->name);
    js_json_kv_time(out, "created", ci->created_ns);
    if (ci->config != NULL) {
        js_json_key(out, "config");
        js_consumer_config_render(out, ci->config);
    }
    render_sequence(out, "delivered", &st->delivered);
    render_sequence(out, "ack_floor", &st->ack_floor);
    js_json_kv_u64(out, "num_ack_pending", st->num_ack_pending);
    js_json_kv_u64(out, "num_redelivered", st->num_redelivered);
    js_json_kv_u64(out, "num_waiting", st->num_waiting);
    js_json_kv_u64(out, "num_pending", st->num_pending);
    if (ci->cluster != NULL) {
        js_json_key(out, "cluster");
        render_cluster(out, ci->cluster);
    }
    if (st->push_bound)
        js_json_kv_bool(out, "push_bound", true);
}

void js_consumer_info_render(struct bl_buf *out,
                             const struct js_consumer_info *ci)
{
    bl_buf_append(out, "{", 1);
    js_consumer_info_fields(out, ci);
    bl_buf_append(out, "}", 1);
}

void js_consumer_info_reply(struct bl_buf *out, const char *type,
                            const struct js_consumer_info *ci)
{
    js_response_open(out, type);
    js_consumer_info_fields(out, ci);
    bl_buf_append(out, "}", 1);
}

void js_puback_render(struct bl_buf *out, const char *stream,
                      const char *domain, uint64_t seq, bool duplicate)
{
    /* nats-server writes this one by hand from a template, spaces included:
     * {"stream":"S", "domain":"D", "seq":7,"duplicate": true} */
    bl_buf_append_str(out, "{\"stream\":");
    js_json_str(out, stream);
    if (domain != NULL && domain[0] != '\0') {
        bl_buf_append_str(out, ", \"domain\":");
        js_json_str(out, domain);
    }
    bl_buf_append_str(out, ", \"seq\":");
    bl_buf_append_u64(out, seq);
    bl_buf_append_str(out, duplicate ? ",\"duplicate\": true}" : "}");
}

void js_puback_error_render(struct bl_buf *out, const char *stream,
                            const struct js_error *e)
{
    bl_buf_append(out, "{", 1);
    js_response_error(out, e);
    if (stream != NULL) {
        js_json_kv_str(out, "stream", stream);
        js_json_kv_u64(out, "seq", 0);
    }
    bl_buf_append(out, "}", 1);
}

void js_msg_get_reply(struct bl_buf *out, const struct js_stored_msg *m)
{
    js_response_open(out, JS_TYPE_STREAM_MSG_GET);
    js_json_key(out, "message");
    bl_buf_append(out, "{", 1);
    js_json_kv_str(out, "subject", m->subject);
    js_json_kv_u64(out, "seq", m->seq);
    if (m->hdrs_len > 0)
        js_json_kv_base64(out, "hdrs", m->hdrs, m->hdrs_len);
    if (m->data_len > 0)
        js_json_kv_base64(out, "data", m->data, m->data_len);
    js_json_kv_time(out, "time", m->time_ns);
    bl_buf_append(out, "}}", 2);
}

void js_names_reply(struct bl_buf *out, const char *type, const char *key,
                    uint64_t total, uint64_t offset, uint64_t limit,
                    const char *const *names, size_t n_names)
{
    js_response_open(out, type);
    js_json_kv_u64(out, "total", total);
    js_json_kv_u64(out, "offset", offset);
    js_json_kv_u64(out, "limit", limit);
    js_json_key(out, key);
    bl_buf_append(out, "[", 1);
    for (size_t i = 0; i < n_names; i++) {
        js_json_sep(out);
        js_json_str(out, names[i]);
    }
    bl_buf_append(out, "]}", 2);
}

void js_success_reply(struct bl_buf *out, const char *type)
{
    js_response_open(out, type);
    js_json_kv_bool(out, "success", true);
    bl_buf_append(out, "}", 1);
}

void js_purge_reply(struct bl_buf *out, uint64_t purged)
{
    js_response_open(out, JS_TYPE_STREAM_PURGE);
    js_json_kv_bool(out, "success", true);
    js_json_kv_u64(out, "purged", purged);
    bl_buf_append(out, "}", 1);
}
