/* The $JS.API request handlers: decode the subject and body, call the
 * engine, stream or consumer, and reply in nats-server's JSON shapes. Every
 * request with a reply subject gets an answer; malformed ones get an error
 * reply, never silence. */
#include "js/engine.h"

#include "js/api_json.h"
#include "js/consumer.h"
#include "js/stream.h"
#include "store/store.h"
#include "subj/subject.h"

#include "ballast/log.h"
#include "ballast/mem.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#define API_PREFIX "$JS.API."
#define API_LIST_LIMIT 256
#define API_NAMES_LIMIT 1024
#define API_MAX_TOKENS 8

#define T_ACCOUNT_INFO "io.nats.jetstream.api.v1.account_info_response"
#define T_STREAM_CREATE "io.nats.jetstream.api.v1.stream_create_response"
#define T_STREAM_UPDATE "io.nats.jetstream.api.v1.stream_update_response"
#define T_STREAM_INFO "io.nats.jetstream.api.v1.stream_info_response"
#define T_STREAM_DELETE "io.nats.jetstream.api.v1.stream_delete_response"
#define T_STREAM_PURGE "io.nats.jetstream.api.v1.stream_purge_response"
#define T_STREAM_NAMES "io.nats.jetstream.api.v1.stream_names_response"
#define T_STREAM_LIST "io.nats.jetstream.api.v1.stream_list_response"
#define T_MSG_GET "io.nats.jetstream.api.v1.stream_msg_get_response"
#define T_MSG_DELETE "io.nats.jetstream.api.v1.stream_msg_delete_response"
#define T_CONSUMER_CREATE "io.nats.jetstream.api.v1.consumer_create_response"
#define T_CONSUMER_INFO "io.nats.jetstream.api.v1.consumer_info_response"
#define T_CONSUMER_DELETE "io.nats.jetstream.api.v1.consumer_delete_response"
#define T_CONSUMER_NAMES "io.nats.jetstream.api.v1.consumer_names_response"
#define T_CONSUMER_LIST "io.nats.jetstream.api.v1.consumer_list_response"
#define T_ERROR "io.nats.jetstream.api.v1.error_response"

/* One decoded request. */
struct req {
    struct js_account *a;
    const struct js_inmsg *m;
    struct bl_slice body;
    char tok[API_MAX_TOKENS][256]; /* subject tokens after $JS.API. */
    size_t n_tok;
    struct bl_buf out;
    struct js_error err;
};

static int split_tokens(struct req *r, struct bl_slice rest)
{
    size_t start = 0;
    for (size_t i = 0; i <= rest.len; i++) {
        if (i < rest.len && rest.p[i] != '.')
            continue;
        if (r->n_tok == API_MAX_TOKENS)
            return -1;
        size_t n = i - start;
        if (n == 0 || n >= sizeof(r->tok[0]))
            return -1;
        memcpy(r->tok[r->n_tok], rest.p + start, n);
        r->tok[r->n_tok][n] = '\0';
        r->n_tok++;
        start = i + 1;
    }
    return 0;
}

static bool tok_is(const struct req *r, size_t i, const char *s)
{
    return i < r->n_tok && strcmp(r->tok[i], s) == 0;
}

static void send(struct req *r)
{
    engine_reply(r->a, r->m->reply, &r->out);
}

static void send_error(struct req *r, const char *type)
{
    r->a->js->api_errors++;
    bl_buf_clear(&r->out);
    js_error_reply(&r->out, type, &r->err);
    send(r);
}

/* ---- Account ------------------------------------------------------------ */

static void handle_account_info(struct req *r)
{
    struct jetstream *js = r->a->js;
    uint64_t memory = 0, storage = 0, streams = 0, consumers = 0;
    for (size_t i = 0; i < r->a->n_streams; i++) {
        struct js_stream_entry *se = r->a->streams[i];
        struct js_stream_state st;
        stream_state(se->s, &st);
        if (stream_config(se->s)->storage == JS_STORAGE_MEMORY)
            memory += st.bytes;
        else
            storage += st.bytes;
        streams++;
        consumers += se->n_consumers;
    }
    js_response_open(&r->out, T_ACCOUNT_INFO);
    js_json_kv_u64(&r->out, "memory", memory);
    js_json_kv_u64(&r->out, "storage", storage);
    js_json_kv_u64(&r->out, "streams", streams);
    js_json_kv_u64(&r->out, "consumers", consumers);
    js_json_key(&r->out, "limits");
    bl_buf_append_str(&r->out, "{");
    js_json_kv_i64(&r->out, "max_memory", js->opts.max_memory);
    js_json_kv_i64(&r->out, "max_storage", js->opts.max_file);
    js_json_kv_i64(&r->out, "max_streams", -1);
    js_json_kv_i64(&r->out, "max_consumers", -1);
    js_json_kv_i64(&r->out, "max_ack_pending", -1);
    js_json_kv_i64(&r->out, "memory_max_stream_bytes", -1);
    js_json_kv_i64(&r->out, "storage_max_stream_bytes", -1);
    js_json_kv_bool(&r->out, "max_bytes_required", false);
    bl_buf_append_str(&r->out, "}");
    if (js->opts.domain)
        js_json_kv_str(&r->out, "domain", js->opts.domain);
    js_json_key(&r->out, "api");
    bl_buf_append_str(&r->out, "{");
    js_json_kv_u64(&r->out, "total", js->api_total);
    js_json_kv_u64(&r->out, "errors", js->api_errors);
    bl_buf_append_str(&r->out, "}}");
    send(r);
}

/* ---- Streams ------------------------------------------------------------ */

static struct js_stream_entry *stream_or_error(struct req *r, const char *type)
{
    struct js_stream_entry *se = engine_find_stream(r->a, r->tok[2]);
    if (se == NULL) {
        js_error_set(&r->err, JS_ERR_STREAM_NOT_FOUND);
        send_error(r, type);
    }
    return se;
}

static void reply_stream_info(struct req *r, const char *type,
                              struct js_stream_entry *se, bool did_create)
{
    struct js_stream_state st;
    struct js_stream_info si;
    stream_info(se->s, &si, &st);
    js_stream_info_reply(&r->out, type, &si, did_create);
    send(r);
}

/* Parses and checks a create/update body; the subject names the stream. */
static int parse_stream_config(struct req *r, struct js_stream_config *cfg)
{
    if (js_stream_config_parse(cfg, r->body.p, r->body.len, &r->err) != 0)
        return -1;
    if (cfg->name == NULL || cfg->name[0] == '\0') {
        bl_free(cfg->name);
        cfg->name = bl_xstrdup(r->tok[2]);
    } else if (strcmp(cfg->name, r->tok[2]) != 0) {
        js_error_set(&r->err, JS_ERR_STREAM_MISMATCH);
        return -1;
    }
    return 0;
}

static void handle_stream_create(struct req *r)
{
    struct js_stream_config cfg;
    js_stream_config_init(&cfg);
    if (r->body.len == 0) {
        js_error_set(&r->err, JS_ERR_INVALID_JSON);
        goto fail;
    }
    if (parse_stream_config(r, &cfg) != 0)
        goto fail;
    if (cfg.num_replicas > 1) {
        /* Replicas need clustering; alone we answer as nats-server does. */
        js_error_set(&r->err, JS_ERR_STREAM_REPLICAS_NOT_SUPPORTED);
        goto fail;
    }
    if (js_stream_config_check_create(&cfg, &r->err) != 0)
        goto fail;
    int64_t limit = engine_storage_limit(r->a->js, cfg.storage);
    if (limit >= 0 && cfg.max_bytes > limit) {
        js_error_set(&r->err, cfg.storage == JS_STORAGE_MEMORY
                                  ? JS_ERR_MEMORY_RESOURCES_EXCEEDED
                                  : JS_ERR_STORAGE_RESOURCES_EXCEEDED);
        goto fail;
    }
    struct js_stream_entry *se = engine_find_stream(r->a, cfg.name);
    if (se != NULL) {
        /* The same config again is a success, as in nats-server. */
        if (js_stream_config_equal(&cfg, stream_config(se->s))) {
            /* nats-server says did_create here too. */
            reply_stream_info(r, T_STREAM_CREATE, se, true);
            js_stream_config_close(&cfg);
            return;
        }
        js_error_set(&r->err, JS_ERR_STREAM_NAME_EXIST);
        goto fail;
    }
    if (engine_create_stream(r->a, &cfg, &se, &r->err) != 0)
        goto fail;
    reply_stream_info(r, T_STREAM_CREATE, se, true);
    js_stream_config_close(&cfg);
    return;
fail:
    js_stream_config_close(&cfg);
    send_error(r, T_STREAM_CREATE);
}

static void handle_stream_update(struct req *r)
{
    struct js_stream_config cfg;
    js_stream_config_init(&cfg);
    struct js_stream_entry *se;
    if (r->body.len == 0) {
        js_error_set(&r->err, JS_ERR_INVALID_JSON);
        goto fail;
    }
    if (parse_stream_config(r, &cfg) != 0)
        goto fail;
    se = engine_find_stream(r->a, r->tok[2]);
    if (se == NULL) {
        js_error_set(&r->err, JS_ERR_STREAM_NOT_FOUND);
        goto fail;
    }
    for (size_t i = 0; i < r->a->n_streams; i++) {
        struct js_stream_entry *o = r->a->streams[i];
        const struct js_stream_config *oc = stream_config(o->s);
        if (o != se && js_subjects_overlap(cfg.subjects, cfg.n_subjects,
                                           oc->subjects, oc->n_subjects)) {
            js_error_set(&r->err, JS_ERR_STREAM_SUBJECT_OVERLAP);
            goto fail;
        }
    }
    if (stream_update_config(se->s, &cfg, &r->err) != 0 ||
        engine_stream_updated(se, &r->err) != 0)
        goto fail;
    reply_stream_info(r, T_STREAM_UPDATE, se, false);
    js_stream_config_close(&cfg);
    return;
fail:
    js_stream_config_close(&cfg);
    send_error(r, T_STREAM_UPDATE);
}

static int cmp_subject_count(const void *a, const void *b)
{
    return strcmp(((const struct js_subject_count *)a)->subject,
                  ((const struct js_subject_count *)b)->subject);
}

struct subj_collect {
    struct js_subject_count *v;
    size_t n, cap;
};

static int collect_subject(void *ctx, struct bl_slice subject,
                           const struct store_subject_state *st)
{
    struct subj_collect *sc = ctx;
    if (sc->n == sc->cap) {
        sc->cap = sc->cap ? 2 * sc->cap : 64;
        sc->v = bl_xrealloc(sc->v, sc->cap * sizeof(*sc->v));
    }
    sc->v[sc->n++] = (struct js_subject_count){
        bl_xstrndup(subject.p, subject.len), st->msgs};
    return 0;
}

struct seq_collect {
    uint64_t *v;
    size_t n, cap;
};

static int collect_seq(void *ctx, uint64_t seq)
{
    struct seq_collect *sc = ctx;
    if (sc->n == sc->cap) {
        sc->cap = sc->cap ? 2 * sc->cap : 64;
        sc->v = bl_xrealloc(sc->v, sc->cap * sizeof(*sc->v));
    }
    sc->v[sc->n++] = seq;
    return 0;
}

static void handle_stream_info(struct req *r)
{
    struct js_stream_entry *se = stream_or_error(r, T_STREAM_INFO);
    if (se == NULL)
        return;
    struct js_stream_info_request ir;
    memset(&ir, 0, sizeof(ir));
    if (js_stream_info_request_parse(&ir, r->body.p, r->body.len, &r->err) !=
        0) {
        send_error(r, T_STREAM_INFO);
        return;
    }
    struct js_stream_state st;
    struct js_stream_info si;
    stream_info(se->s, &si, &st);
    struct subj_collect sc = {0};
    struct seq_collect deleted = {0};
    uint64_t total = 0, offset = 0, limit = 0;
    struct store *store = stream_store(se->s);
    if (ir.subjects_filter != NULL && ir.subjects_filter[0] != '\0') {
        store_subjects(store, bl_slice_of(ir.subjects_filter),
                       collect_subject, &sc);
        qsort(sc.v, sc.n, sizeof(*sc.v), cmp_subject_count);
        total = sc.n;
        offset = ir.offset > 0 ? (uint64_t)ir.offset : 0;
        limit = 100000;
        size_t from = offset < sc.n ? (size_t)offset : sc.n;
        size_t to = sc.n - from > limit ? from + limit : sc.n;
        st.subjects = sc.v + from;
        st.n_subjects = to - from;
    }
    if (ir.deleted_details &&
        store_deleted(store, collect_seq, &deleted) == 0) {
        st.deleted = deleted.v;
        st.n_deleted = deleted.n;
    }
    js_stream_info_paged_reply(&r->out, &si, total, offset, limit);
    send(r);
    for (size_t i = 0; i < sc.n; i++)
        bl_free((char *)sc.v[i].subject);
    bl_free(sc.v);
    bl_free(deleted.v);
    js_stream_info_request_close(&ir);
}

static void handle_stream_delete(struct req *r)
{
    struct js_stream_entry *se = stream_or_error(r, T_STREAM_DELETE);
    if (se == NULL)
        return;
    if (engine_delete_stream(se, &r->err) != 0) {
        send_error(r, T_STREAM_DELETE);
        return;
    }
    js_success_reply(&r->out, T_STREAM_DELETE);
    send(r);
}

static void handle_stream_purge(struct req *r)
{
    struct js_stream_entry *se = stream_or_error(r, T_STREAM_PURGE);
    if (se == NULL)
        return;
    struct js_purge_request pr;
    memset(&pr, 0, sizeof(pr));
    uint64_t n = 0;
    if (js_purge_request_parse(&pr, r->body.p, r->body.len, &r->err) != 0 ||
        stream_purge(se->s, &pr, &n, &r->err) != 0) {
        r->a->js->api_errors++;
        js_response_open(&r->out, T_STREAM_PURGE);
        js_response_error(&r->out, &r->err);
        bl_buf_append_str(&r->out, ",\"success\":false,\"purged\":0}");
        send(r);
    } else {
        js_purge_reply(&r->out, n);
        send(r);
    }
    js_purge_request_close(&pr);
}

/* The window [from, to) of n items that a list request's offset and the
 * page limit select. */
static void page(size_t n, int64_t offset, uint64_t limit, size_t *from,
                 size_t *to)
{
    *from = offset <= 0 ? 0 : (uint64_t)offset < n ? (size_t)offset : n;
    *to = n - *from > limit ? *from + limit : n;
}

static bool stream_matches_filter(struct js_stream_entry *se,
                                  const char *filter)
{
    if (filter == NULL || filter[0] == '\0')
        return true;
    const struct js_stream_config *c = stream_config(se->s);
    for (size_t i = 0; i < c->n_subjects; i++)
        if (subject_overlaps(bl_slice_of(c->subjects[i]),
                             bl_slice_of(filter)))
            return true;
    return false;
}

static int cmp_stream_entry(const void *a, const void *b)
{
    return strcmp((*(struct js_stream_entry *const *)a)->name,
                  (*(struct js_stream_entry *const *)b)->name);
}

/* The account's streams matching the list request, sorted by name. */
static size_t sorted_streams(struct req *r, const struct js_list_request *lr,
                             struct js_stream_entry ***out)
{
    struct js_stream_entry **v =
        bl_xcalloc(r->a->n_streams ? r->a->n_streams : 1, sizeof(*v));
    size_t n = 0;
    for (size_t i = 0; i < r->a->n_streams; i++)
        if (stream_matches_filter(r->a->streams[i], lr->subject))
            v[n++] = r->a->streams[i];
    qsort(v, n, sizeof(*v), cmp_stream_entry);
    *out = v;
    return n;
}

static void handle_stream_names(struct req *r, bool list)
{
    const char *type = list ? T_STREAM_LIST : T_STREAM_NAMES;
    struct js_list_request lr;
    memset(&lr, 0, sizeof(lr));
    if (js_list_request_parse(&lr, r->body.p, r->body.len, &r->err) != 0) {
        send_error(r, type);
        return;
    }
    struct js_stream_entry **v;
    size_t n = sorted_streams(r, &lr, &v);
    uint64_t limit = list ? API_LIST_LIMIT : API_NAMES_LIMIT;
    size_t from, to;
    page(n, lr.offset, limit, &from, &to);
    if (!list) {
        const char **names = bl_xcalloc(to - from + 1, sizeof(*names));
        for (size_t i = from; i < to; i++)
            names[i - from] = v[i]->name;
        js_names_reply(&r->out, type, "streams", n, from, limit, names,
                       to - from);
        bl_free(names);
    } else {
        js_response_open(&r->out, type);
        js_json_kv_u64(&r->out, "total", n);
        js_json_kv_u64(&r->out, "offset", from);
        js_json_kv_u64(&r->out, "limit", limit);
        js_json_key(&r->out, "streams");
        bl_buf_append_str(&r->out, "[");
        for (size_t i = from; i < to; i++) {
            struct js_stream_state st;
            struct js_stream_info si;
            stream_info(v[i]->s, &si, &st);
            js_json_sep(&r->out);
            js_stream_info_render(&r->out, &si);
        }
        bl_buf_append_str(&r->out, "]}");
    }
    send(r);
    bl_free(v);
    js_list_request_close(&lr);
}

static void handle_msg_get(struct req *r)
{
    struct js_stream_entry *se = stream_or_error(r, T_MSG_GET);
    if (se == NULL)
        return;
    struct js_msg_get_request gr;
    memset(&gr, 0, sizeof(gr));
    struct store_msg sm;
    store_msg_init(&sm);
    struct js_stored_msg msg;
    if (js_msg_get_request_parse(&gr, r->body.p, r->body.len, &r->err) != 0 ||
        stream_get_msg(se->s, &gr, &sm, &msg, &r->err) != 0) {
        send_error(r, T_MSG_GET);
    } else {
        js_msg_get_reply(&r->out, &msg);
        send(r);
    }
    store_msg_close(&sm);
    js_msg_get_request_close(&gr);
}

static void handle_msg_delete(struct req *r)
{
    struct js_stream_entry *se = stream_or_error(r, T_MSG_DELETE);
    if (se == NULL)
        return;
    struct js_msg_delete_request dr;
    memset(&dr, 0, sizeof(dr));
    if (js_msg_delete_request_parse(&dr, r->body.p, r->body.len, &r->err) !=
            0 ||
        stream_delete_msg(se->s, dr.seq, !dr.no_erase, &r->err) != 0) {
        send_error(r, T_MSG_DELETE);
        return;
    }
    js_success_reply(&r->out, T_MSG_DELETE);
    send(r);
}

/* ---- Direct get --------------------------------------------------------- */

static void direct_status(struct js_account *a, struct bl_slice reply,
                          const char *status)
{
    char hdr[128];
    int n = snprintf(hdr, sizeof(hdr), "NATS/1.0 %s\r\n\r\n", status);
    engine_reply_hdr(a, reply, (size_t)n, (struct bl_slice){hdr, (size_t)n});
}

void api_on_direct_get(void *ctx, const struct js_inmsg *m)
{
    struct js_stream_entry *se = ctx;
    struct js_account *a = se->acct;
    if (m->reply.len == 0)
        return;
    a->js->api_total++;
    struct bl_slice body = {m->data.p + m->hdr_len, m->data.len - m->hdr_len};
    struct js_msg_get_request gr;
    memset(&gr, 0, sizeof(gr));
    struct js_error err;
    js_error_clear(&err);
    /* $JS.API.DIRECT.GET.<stream>.<subject>: last message for subject. */
    size_t prefix = strlen("$JS.API.DIRECT.GET.") + strlen(se->name);
    if (m->subject.len > prefix + 1) {
        gr.last_by_subj = bl_xstrndup(m->subject.p + prefix + 1,
                                      m->subject.len - prefix - 1);
    } else if (js_msg_get_request_parse(&gr, body.p, body.len, &err) != 0) {
        direct_status(a, m->reply, "408 Bad Request");
        return;
    }
    struct store_msg sm;
    store_msg_init(&sm);
    struct js_stored_msg msg;
    if (stream_get_msg(se->s, &gr, &sm, &msg, &err) != 0) {
        direct_status(a, m->reply, "404 Message Not Found");
    } else {
        /* The stored message goes back as is, with the stream's own
         * headers added. */
        struct bl_buf out;
        bl_buf_init(&out);
        char ts[JS_TIME_STR_SIZE];
        js_json_time_str((int64_t)msg.time_ns, ts);
        if (msg.hdrs_len >= 12) {
            /* Drop the stored block's final CRLF to append ours. */
            bl_buf_append(&out, msg.hdrs, msg.hdrs_len - 2);
        } else {
            bl_buf_append_str(&out, "NATS/1.0\r\n");
        }
        bl_buf_printf(&out,
                      "Nats-Stream: %s\r\nNats-Subject: %s\r\n"
                      "Nats-Sequence: %" PRIu64 "\r\nNats-Time-Stamp: %s\r\n"
                      "\r\n",
                      se->name, msg.subject, msg.seq, ts);
        size_t hdr_len = out.len;
        bl_buf_append(&out, msg.data, msg.data_len);
        engine_reply_hdr(a, m->reply, hdr_len,
                         (struct bl_slice){out.p, out.len});
        bl_buf_close(&out);
    }
    store_msg_close(&sm);
    js_msg_get_request_close(&gr);
}

/* ---- Consumers ---------------------------------------------------------- */

static void reply_consumer_info(struct req *r, const char *type,
                                struct js_consumer_entry *ce)
{
    struct js_consumer_info ci;
    consumer_info(ce->c, &ci);
    js_consumer_info_reply(&r->out, type, &ci);
    send(r);
}

/* CONSUMER.CREATE.<stream>[.<name>[.<filter>]] and
 * CONSUMER.DURABLE.CREATE.<stream>.<durable>. */
static void handle_consumer_create(struct req *r, bool durable_subject)
{
    const char *type = T_CONSUMER_CREATE;
    size_t base = durable_subject ? 3 : 2; /* token index of the stream */
    const char *stream_tok = r->tok[base];
    const char *name_tok = base + 1 < r->n_tok ? r->tok[base + 1] : NULL;
    struct js_consumer_create_request cr;
    memset(&cr, 0, sizeof(cr));
    js_consumer_config_init(&cr.config);
    struct js_stream_entry *se;
    struct js_consumer_config *cfg = &cr.config;
    char name[JS_MAX_NAME_LEN + 1];

    if (r->body.len == 0) {
        js_error_set(&r->err, JS_ERR_INVALID_JSON);
        goto fail;
    }
    if (js_consumer_create_request_parse(&cr, r->body.p, r->body.len,
                                         &r->err) != 0)
        goto fail;
    if (cr.stream_name == NULL || strcmp(cr.stream_name, stream_tok) != 0) {
        js_error_set(&r->err, JS_ERR_STREAM_MISMATCH);
        goto fail;
    }
    se = engine_find_stream(r->a, stream_tok);
    if (se == NULL) {
        js_error_set(&r->err, JS_ERR_STREAM_NOT_FOUND);
        goto fail;
    }
    if (!durable_subject && name_tok == NULL && cfg->durable_name != NULL) {
        /* nats-server 2.9: this subject creates ephemerals only. */
        js_error_set(&r->err, JS_ERR_CONSUMER_EPHEMERAL_WITH_DURABLE_NAME);
        goto fail;
    }
    if (durable_subject) {
        if (cfg->durable_name == NULL) {
            js_error_set(&r->err, JS_ERR_CONSUMER_DURABLE_NAME_NOT_SET);
            goto fail;
        }
        if (strcmp(cfg->durable_name, name_tok) != 0) {
            js_error_set(&r->err,
                         JS_ERR_CONSUMER_DURABLE_NAME_NOT_MATCH_SUBJECT);
            goto fail;
        }
    }
    if (cfg->num_replicas > 1) {
        /* As nats-server outside a cluster, before the config checks. */
        js_error_set(&r->err, JS_ERR_STREAM_REPLICAS_NOT_SUPPORTED);
        goto fail;
    }
    js_consumer_config_set_defaults(cfg);
    if (js_consumer_config_check(cfg, stream_config(se->s), &r->err) != 0)
        goto fail;
    if (cfg->durable_name != NULL)
        snprintf(name, sizeof(name), "%s", cfg->durable_name);
    else if (cfg->name != NULL)
        snprintf(name, sizeof(name), "%s", cfg->name);
    else if (name_tok != NULL && !durable_subject)
        snprintf(name, sizeof(name), "%s", name_tok);
    else
        engine_random_id(name, 9);

    struct js_consumer_entry *ce = engine_find_consumer(se, name);
    if (ce != NULL) {
        if (js_consumer_config_equal(cfg, consumer_config(ce->c)) ||
            consumer_update(ce->c, cfg, &r->err) == 0) {
            reply_consumer_info(r, type, ce);
            js_consumer_create_request_close(&cr);
            return;
        }
        goto fail;
    }
    const struct js_stream_config *scfg = stream_config(se->s);
    if (scfg->max_consumers > 0 &&
        se->n_consumers >= (size_t)scfg->max_consumers) {
        js_error_set(&r->err, JS_ERR_MAXIMUM_CONSUMERS_LIMIT);
        goto fail;
    }
    if (scfg->retention == JS_RETENTION_WORKQUEUE) {
        const char **filters =
            bl_xcalloc(se->n_consumers + 1, sizeof(*filters));
        for (size_t i = 0; i < se->n_consumers; i++)
            filters[i] = consumer_config(se->consumers[i]->c)->filter_subject;
        int rv = js_consumer_check_workqueue(cfg, scfg, filters,
                                             se->n_consumers, &r->err);
        bl_free(filters);
        if (rv != 0)
            goto fail;
    }
    if (engine_create_consumer(se, name, cfg, &ce, &r->err) != 0)
        goto fail;
    reply_consumer_info(r, type, ce);
    js_consumer_create_request_close(&cr);
    return;
fail:
    js_consumer_create_request_close(&cr);
    send_error(r, type);
}

static struct js_consumer_entry *consumer_or_error(struct req *r,
                                                   const char *type)
{
    struct js_stream_entry *se = stream_or_error(r, type);
    if (se == NULL)
        return NULL;
    struct js_consumer_entry *ce =
        r->n_tok > 3 ? engine_find_consumer(se, r->tok[3]) : NULL;
    if (ce == NULL) {
        js_error_set(&r->err, JS_ERR_CONSUMER_NOT_FOUND);
        send_error(r, type);
    }
    return ce;
}

static void handle_consumer_info(struct req *r)
{
    struct js_consumer_entry *ce = consumer_or_error(r, T_CONSUMER_INFO);
    if (ce != NULL)
        reply_consumer_info(r, T_CONSUMER_INFO, ce);
}

static void handle_consumer_delete(struct req *r)
{
    struct js_consumer_entry *ce = consumer_or_error(r, T_CONSUMER_DELETE);
    if (ce == NULL)
        return;
    if (engine_delete_consumer(ce, &r->err) != 0) {
        send_error(r, T_CONSUMER_DELETE);
        return;
    }
    js_success_reply(&r->out, T_CONSUMER_DELETE);
    send(r);
}

static int cmp_consumer_entry(const void *a, const void *b)
{
    return strcmp((*(struct js_consumer_entry *const *)a)->name,
                  (*(struct js_consumer_entry *const *)b)->name);
}

static void handle_consumer_names(struct req *r, bool list)
{
    const char *type = list ? T_CONSUMER_LIST : T_CONSUMER_NAMES;
    struct js_stream_entry *se = stream_or_error(r, type);
    if (se == NULL)
        return;
    struct js_list_request lr;
    memset(&lr, 0, sizeof(lr));
    if (js_list_request_parse(&lr, r->body.p, r->body.len, &r->err) != 0) {
        send_error(r, type);
        return;
    }
    size_t n = se->n_consumers;
    struct js_consumer_entry **v = bl_xcalloc(n ? n : 1, sizeof(*v));
    memcpy(v, se->consumers, n * sizeof(*v));
    qsort(v, n, sizeof(*v), cmp_consumer_entry);
    uint64_t limit = list ? API_LIST_LIMIT : API_NAMES_LIMIT;
    size_t from, to;
    page(n, lr.offset, limit, &from, &to);
    if (!list) {
        const char **names = bl_xcalloc(to - from + 1, sizeof(*names));
        for (size_t i = from; i < to; i++)
            names[i - from] = v[i]->name;
        js_names_reply(&r->out, type, "consumers", n, from, limit, names,
                       to - from);
        bl_free(names);
    } else {
        js_response_open(&r->out, type);
        js_json_kv_u64(&r->out, "total", n);
        js_json_kv_u64(&r->out, "offset", from);
        js_json_kv_u64(&r->out, "limit", limit);
        js_json_key(&r->out, "consumers");
        bl_buf_append_str(&r->out, "[");
        for (size_t i = from; i < to; i++) {
            struct js_consumer_info ci;
            consumer_info(v[i]->c, &ci);
            js_json_sep(&r->out);
            js_consumer_info_render(&r->out, &ci);
        }
        bl_buf_append_str(&r->out, "]}");
    }
    send(r);
    bl_free(v);
    js_list_request_close(&lr);
}

static void handle_msg_next(struct req *r)
{
    struct js_stream_entry *se = engine_find_stream(r->a, r->tok[3]);
    struct js_consumer_entry *ce =
        se && r->n_tok > 4 ? engine_find_consumer(se, r->tok[4]) : NULL;
    if (ce == NULL) {
        /* nats-server answers a pull for a missing consumer with a 404
         * status on the request's reply. */
        direct_status(r->a, r->m->reply, "404 No Messages");
        return;
    }
    consumer_pull_msg(ce->c, r->m->reply, r->body);
}

/* ---- Dispatch ----------------------------------------------------------- */

static void dispatch(struct req *r)
{
    if (tok_is(r, 0, "INFO") && r->n_tok == 1) {
        handle_account_info(r);
    } else if (tok_is(r, 0, "STREAM")) {
        if (tok_is(r, 1, "NAMES") && r->n_tok == 2)
            handle_stream_names(r, false);
        else if (tok_is(r, 1, "LIST") && r->n_tok == 2)
            handle_stream_names(r, true);
        else if (r->n_tok == 3 && tok_is(r, 1, "CREATE"))
            handle_stream_create(r);
        else if (r->n_tok == 3 && tok_is(r, 1, "UPDATE"))
            handle_stream_update(r);
        else if (r->n_tok == 3 && tok_is(r, 1, "INFO"))
            handle_stream_info(r);
        else if (r->n_tok == 3 && tok_is(r, 1, "DELETE"))
            handle_stream_delete(r);
        else if (r->n_tok == 3 && tok_is(r, 1, "PURGE"))
            handle_stream_purge(r);
        else if (r->n_tok == 3 && tok_is(r, 1, "SNAPSHOT"))
            backup_snapshot_request(r->a, r->m, r->tok[2], r->body);
        else if (r->n_tok == 3 && tok_is(r, 1, "RESTORE"))
            backup_restore_request(r->a, r->m, r->tok[2], r->body);
        else if (r->n_tok == 4 && tok_is(r, 1, "MSG") && tok_is(r, 2, "GET")) {
            memmove(r->tok[2], r->tok[3], sizeof(r->tok[0]));
            handle_msg_get(r);
        } else if (r->n_tok == 4 && tok_is(r, 1, "MSG") &&
                   tok_is(r, 2, "DELETE")) {
            memmove(r->tok[2], r->tok[3], sizeof(r->tok[0]));
            handle_msg_delete(r);
        } else
            goto unknown;
    } else if (tok_is(r, 0, "CONSUMER")) {
        if (tok_is(r, 1, "CREATE") && r->n_tok >= 3 && r->n_tok <= 5)
            handle_consumer_create(r, false);
        else if (tok_is(r, 1, "DURABLE") && tok_is(r, 2, "CREATE") &&
                 r->n_tok == 5)
            handle_consumer_create(r, true);
        else if (tok_is(r, 1, "INFO") && r->n_tok == 4)
            handle_consumer_info(r);
        else if (tok_is(r, 1, "DELETE") && r->n_tok == 4)
            handle_consumer_delete(r);
        else if (tok_is(r, 1, "NAMES") && r->n_tok == 3)
            handle_consumer_names(r, false);
        else if (tok_is(r, 1, "LIST") && r->n_tok == 3)
            handle_consumer_names(r, true);
        else if (tok_is(r, 1, "MSG") && tok_is(r, 2, "NEXT") && r->n_tok == 5)
            handle_msg_next(r);
        else
            goto unknown;
    } else if (tok_is(r, 0, "DIRECT")) {
        /* Answered by the stream's own subscription when allow_direct. */
    } else {
        goto unknown;
    }
    return;
unknown:
    js_error_set(&r->err, JS_ERR_BAD_REQUEST);
    js_error_detail(&r->err, "unknown API subject");
    send_error(r, T_ERROR);
}

void api_on_request(void *ctx, const struct js_inmsg *m)
{
    struct js_account *a = ctx;
    /* Requests without a reply subject have nobody to answer. */
    if (m->reply.len == 0)
        return;
    size_t plen = strlen(API_PREFIX);
    if (m->subject.len <= plen || memcmp(m->subject.p, API_PREFIX, plen) != 0)
        return;
    struct req *r = bl_xcalloc(1, sizeof(*r));
    r->a = a;
    r->m = m;
    r->body = (struct bl_slice){m->data.p + m->hdr_len,
                                m->data.len - m->hdr_len};
    bl_buf_init(&r->out);
    js_error_clear(&r->err);
    a->js->api_total++;
    if (split_tokens(r, (struct bl_slice){m->subject.p + plen,
                                          m->subject.len - plen}) != 0) {
        js_error_set(&r->err, JS_ERR_BAD_REQUEST);
        send_error(r, T_ERROR);
    } else {
        dispatch(r);
    }
    bl_buf_close(&r->out);
    bl_free(r);
}
