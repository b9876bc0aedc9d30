/* STREAM.SNAPSHOT and STREAM.RESTORE: a stream, its consumers and all its
 * messages sent to a client in chunks with flow control, and taken back
 * the same way (the protocol of "nats stream backup" / "restore").
 *
 * Snapshot: the reply carries config and state; chunks then go to the
 * client's deliver subject, each with a reply subject
 * $JS.SNAPSHOT.ACK.<stream>.<id>.<size>.<index> the client answers; at most
 * SNAP_WINDOW bytes are unanswered at a time; an empty message ends it.
 * Restore: the reply names $JS.SNAPSHOT.RESTORE.<stream>.<id>; every chunk
 * sent there as a request is decoded into a new store at once and answered
 * empty; the empty request at the end creates the stream and is answered
 * with the stream info, or an error. Both give up when the client goes
 * quiet for SNAP_IDLE_MS. */
#include "js/engine.h"

#include "js/api_json.h"
#include "js/consumer.h"
#include "js/snapshot.h"
#include "js/stream.h"
#include "store/store.h"

#include "ballast/err.h"
#include "ballast/log.h"
#include "ballast/mem.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define SNAP_WINDOW (8 * 1024 * 1024)
#define SNAP_CHUNK_DEFAULT (128 * 1024)
#define SNAP_CHUNK_MIN 1024
#define SNAP_CHUNK_MAX (1024 * 1024)
#define SNAP_IDLE_MS 30000
#define SNAP_TICK_MS 1000

#define T_SNAPSHOT "io.nats.jetstream.api.v1.stream_snapshot_response"
#define T_RESTORE "io.nats.jetstream.api.v1.stream_restore_response"
#define T_CREATE "io.nats.jetstream.api.v1.stream_create_response"

static uint64_t now_ms(const struct js_host *h)
{
    return bl_clock_mono_ns(h->clock) / 1000000u;
}

/* ---- Snapshot ----------------------------------------------------------- */

static void snap_pump(void *ctx);

struct snap_job {
    struct js_stream_entry *se;
    struct snap_job *next;
    char *deliver;
    char ack_prefix[256]; /* $JS.SNAPSHOT.ACK.<stream>.<id> */
    struct js_isub *ack_sub;
    struct js_timer *tick;
    size_t chunk_size;
    int64_t outstanding; /* bytes sent and not yet acknowledged */
    uint64_t index;
    uint64_t next_seq; /* next message to encode */
    uint64_t last_seq; /* the snapshot ends here */
    uint64_t n_msgs;
    bool end_written;
    bool pumping;
    uint64_t last_ack_ms;
    struct bl_buf buf; /* encoded, not yet sent */
};

static void snap_free(struct snap_job *j)
{
    const struct js_host *h = j->se->acct->js->host;
    struct snap_job **pp = &j->se->snaps;
    while (*pp != NULL && *pp != j)
        pp = &(*pp)->next;
    if (*pp == j)
        *pp = j->next;
    js_host_defer_cancel(h, snap_pump, j);
    js_host_unsubscribe(h, j->ack_sub);
    js_host_timer_stop(h, j->tick);
    bl_buf_close(&j->buf);
    bl_free(j->deliver);
    bl_free(j);
}

static void snap_publish(struct snap_job *j, struct bl_slice reply,
                         size_t hdr_len, struct bl_slice data)
{
    struct js_account *a = j->se->acct;
    js_host_publish(a->js->host, a->acc, bl_slice_of(j->deliver), reply,
                    hdr_len, data);
}

/* Encodes messages until a chunk's worth is buffered or all are. */
static int snap_fill(struct snap_job *j)
{
    struct store *st = stream_store(j->se->s);
    struct store_msg m;
    store_msg_init(&m);
    int rv = 0;
    while (j->buf.len < j->chunk_size && !j->end_written) {
        if (j->next_seq > j->last_seq) {
            snap_write_end(&j->buf, j->n_msgs);
            j->end_written = true;
            break;
        }
        rv = store_load_next(st, (struct bl_slice){NULL, 0}, j->next_seq, &m,
                             NULL);
        if (rv == BL_ENOENT || (rv == 0 && m.seq > j->last_seq)) {
            j->next_seq = j->last_seq + 1;
            rv = 0;
            continue;
        }
        if (rv != 0)
            break;
        snap_write_msg(&j->buf, m.seq, m.ts_ns, m.subject, m.hdr, m.data);
        j->n_msgs++;
        j->next_seq = m.seq + 1;
    }
    store_msg_close(&m);
    return rv;
}

static void snap_pump(void *ctx)
{
    struct snap_job *j = ctx;
    j->pumping = false;
    while (j->outstanding < SNAP_WINDOW) {
        if (snap_fill(j) != 0) {
            bl_log_error("js: snapshot of %s: reading the store failed",
                         j->se->name);
            static const char st[] = "NATS/1.0 500 Snapshot Failed\r\n\r\n";
            snap_publish(j, (struct bl_slice){NULL, 0}, sizeof(st) - 1,
                         (struct bl_slice){st, sizeof(st) - 1});
            snap_free(j);
            return;
        }
        if (j->buf.len == 0) {
            /* Everything sent: the empty message ends the snapshot. */
            snap_publish(j, (struct bl_slice){NULL, 0}, 0,
                         (struct bl_slice){"", 0});
            bl_log_info("js: snapshot of stream %s sent: %" PRIu64
                        " messages",
                        j->se->name, j->n_msgs);
            snap_free(j);
            return;
        }
        size_t n = j->buf.len < j->chunk_size ? j->buf.len : j->chunk_size;
        char reply[320];
        int rl = snprintf(reply, sizeof(reply), "%s.%zu.%" PRIu64,
                          j->ack_prefix, n, ++j->index);
        j->outstanding += (int64_t)n;
        snap_publish(j, (struct bl_slice){reply, (size_t)rl}, 0,
                     (struct bl_slice){j->buf.p, n});
        bl_buf_consume(&j->buf, n);
    }
}

static void snap_schedule(struct snap_job *j)
{
    if (!j->pumping) {
        j->pumping = true;
        js_host_defer(j->se->acct->js->host, snap_pump, j);
    }
}

static void on_snap_ack(void *ctx, const struct js_inmsg *m)
{
    struct snap_job *j = ctx;
    /* ...<id>.<size>.<index>: the size is the second token from the end. */
    const char *p = m->subject.p, *end = p + m->subject.len;
    const char *last_dot = NULL, *prev_dot = NULL;
    for (const char *q = p; q < end; q++) {
        if (*q == '.') {
            prev_dot = last_dot;
            last_dot = q;
        }
    }
    if (prev_dot == NULL)
        return;
    int64_t n = bl_parse_size(prev_dot + 1, (size_t)(last_dot - prev_dot - 1));
    if (n < 0)
        return;
    j->outstanding -= n;
    if (j->outstanding < 0)
        j->outstanding = 0;
    j->last_ack_ms = now_ms(j->se->acct->js->host);
    snap_schedule(j);
}

static void on_snap_tick(void *ctx)
{
    struct snap_job *j = ctx;
    if (now_ms(j->se->acct->js->host) - j->last_ack_ms > SNAP_IDLE_MS) {
        bl_log_warn("js: snapshot of %s abandoned: no acks for %d s",
                    j->se->name, SNAP_IDLE_MS / 1000);
        snap_free(j);
    }
}

/* Encodes the stream's config, sequences and consumers into j->buf. */
static void snap_write_head(struct snap_job *j, bool no_consumers)
{
    struct js_stream_entry *se = j->se;
    struct bl_buf tmp, state;
    bl_buf_init(&tmp);
    bl_buf_init(&state);
    snap_write_magic(&j->buf);
    js_stream_config_render(&tmp, stream_config(se->s));
    snap_write_config(&j->buf, (struct bl_slice){tmp.p, tmp.len});
    struct js_stream_state st;
    stream_state(se->s, &st);
    snap_write_seqs(&j->buf, st.first_seq, st.last_seq);
    for (size_t i = 0; !no_consumers && i < se->n_consumers; i++) {
        struct js_consumer_entry *ce = se->consumers[i];
        const struct js_consumer_config *cc = consumer_config(ce->c);
        if (!js_consumer_is_durable(cc))
            continue;
        bl_buf_clear(&tmp);
        js_consumer_config_render(&tmp, cc);
        if (engine_consumer_state(ce, &state) != 0)
            bl_buf_clear(&state);
        snap_write_consumer(&j->buf, bl_slice_of(ce->name),
                            (struct bl_slice){tmp.p, tmp.len},
                            consumer_created(ce->c),
                            (struct bl_slice){state.p, state.len});
    }
    bl_buf_close(&tmp);
    bl_buf_close(&state);
}

void backup_snapshot_request(struct js_account *a, const struct js_inmsg *m,
                             const char *stream, struct bl_slice body)
{
    struct js_error err;
    js_error_clear(&err);
    struct bl_buf out;
    bl_buf_init(&out);
    struct js_snapshot_request sr;
    memset(&sr, 0, sizeof(sr));
    struct js_stream_entry *se = engine_find_stream(a, stream);
    if (se == NULL) {
        js_error_set(&err, JS_ERR_STREAM_NOT_FOUND);
        goto fail;
    }
    if (js_snapshot_request_parse(&sr, body.p, body.len, &err) != 0)
        goto fail;

    struct snap_job *j = bl_xcalloc(1, sizeof(*j));
    j->se = se;
    j->deliver = bl_xstrdup(sr.deliver_subject);
    size_t chunk = sr.chunk_size > 0 ? (size_t)sr.chunk_size
                                     : SNAP_CHUNK_DEFAULT;
    if (chunk < SNAP_CHUNK_MIN)
        chunk = SNAP_CHUNK_MIN;
    if (chunk > SNAP_CHUNK_MAX)
        chunk = SNAP_CHUNK_MAX;
    j->chunk_size = chunk;
    char id[23];
    engine_random_id(id, sizeof(id));
    snprintf(j->ack_prefix, sizeof(j->ack_prefix), "$JS.SNAPSHOT.ACK.%s.%s",
             se->name, id);
    bl_buf_init(&j->buf);
    struct js_stream_state st;
    struct js_stream_info si;
    stream_info(se->s, &si, &st);
    j->next_seq = st.first_seq ? st.first_seq : 1;
    j->last_seq = st.last_seq;
    const struct js_host *h = a->js->host;
    char filter[300];
    snprintf(filter, sizeof(filter), "%s.>", j->ack_prefix);
    j->ack_sub = js_host_subscribe(h, a->acc, filter, NULL, on_snap_ack, j);
    j->tick = js_host_timer_start(h, SNAP_TICK_MS, SNAP_TICK_MS, on_snap_tick,
                                  j);
    j->last_ack_ms = now_ms(h);
    j->next = se->snaps;
    se->snaps = j;
    snap_write_head(j, sr.no_consumers);

    js_response_open(&out, T_SNAPSHOT);
    js_json_key(&out, "config");
    js_stream_config_render(&out, si.config);
    js_json_key(&out, "state");
    js_stream_state_render(&out, &st);
    bl_buf_append_str(&out, "}");
    engine_reply(a, m->reply, &out);
    bl_log_info("js: snapshot of stream %s to %s: %" PRIu64 " messages",
                se->name, j->deliver, st.msgs);
    snap_schedule(j);
    goto done;
fail:
    a->js->api_errors++;
    js_error_reply(&out, T_SNAPSHOT, &err);
    engine_reply(a, m->reply, &out);
done:
    js_snapshot_request_close(&sr);
    bl_buf_close(&out);
}

void backup_cancel_stream(struct js_stream_entry *se)
{
    while (se->snaps != NULL)
        snap_free(se->snaps);
}

/* ---- Restore ------------------------------------------------------------ */

struct saved_consumer {
    char *name;
    struct js_consumer_config cfg;
    uint64_t created_ns;
    struct bl_buf state;
};

struct restore_job {
    struct js_account *a;
    struct restore_job *next;
    char *stream;
    struct js_stream_config cfg; /* from the request */
    char subject[320];
    struct js_isub *sub;
    struct js_timer *tick;
    uint64_t last_msg_ms;
    struct snap_decoder dec;
    struct store *st;
    char *dir; /* the stream's directory, created for the restore */
    uint64_t last_seq;
    struct saved_consumer *consumers;
    size_t n_consumers;
    bool failed;
    struct js_error err;
    char errmsg[BL_ERRMSG_SIZE];
};

static void restore_free(struct restore_job *r, bool remove_files)
{
    const struct js_host *h = r->a->js->host;
    struct restore_job **pp = &r->a->restores;
    while (*pp != NULL && *pp != r)
        pp = &(*pp)->next;
    if (*pp == r)
        *pp = r->next;
    js_host_unsubscribe(h, r->sub);
    js_host_timer_stop(h, r->tick);
    if (r->st != NULL) {
        if (remove_files)
            store_delete(r->st, NULL);
        else
            store_close(r->st);
    }
    /* The directory was made for this restore; a stream of that name can
     * only exist now if the restore itself created it. */
    if (remove_files && r->dir != NULL &&
        engine_find_stream(r->a, r->stream) == NULL)
        engine_rm_rf(r->dir);
    for (size_t i = 0; i < r->n_consumers; i++) {
        bl_free(r->consumers[i].name);
        js_consumer_config_close(&r->consumers[i].cfg);
        bl_buf_close(&r->consumers[i].state);
    }
    bl_free(r->consumers);
    snap_decoder_close(&r->dec);
    js_stream_config_close(&r->cfg);
    bl_free(r->dir);
    bl_free(r->stream);
    bl_free(r);
}

static void restore_fail(struct restore_job *r, enum js_err id,
                         const char *what)
{
    if (r->failed)
        return;
    r->failed = true;
    js_error_setf(&r->err, id, "%s", what);
    bl_log_warn("js: restore of stream %s failed: %s", r->stream, what);
}

static int on_restore_item(void *ctx, const struct snap_item *it)
{
    struct restore_job *r = ctx;
    switch (it->kind) {
    case SNAP_CONFIG:
    case SNAP_END:
        return 0;
    case SNAP_SEQS:
        r->last_seq = it->last_seq;
        return 0;
    case SNAP_CONSUMER: {
        json_error_t jerr;
        json_t *j = json_loadb(it->json.p, it->json.len, 0, &jerr);
        struct saved_consumer sc;
        memset(&sc, 0, sizeof(sc));
        js_consumer_config_init(&sc.cfg);
        struct js_error err;
        js_error_clear(&err);
        if (j == NULL || js_consumer_config_from_json(&sc.cfg, j, &err) != 0) {
            json_decref(j);
            js_consumer_config_close(&sc.cfg);
            bl_errmsg_set(r->errmsg, "consumer %.*s: bad config",
                          (int)it->name.len, it->name.p);
            return BL_EPROTO;
        }
        json_decref(j);
        sc.name = bl_xstrndup(it->name.p, it->name.len);
        sc.created_ns = it->created_ns;
        bl_buf_init(&sc.state);
        bl_buf_append(&sc.state, it->state.p, it->state.len);
        r->consumers = bl_xrealloc(r->consumers, (r->n_consumers + 1) *
                                                     sizeof(*r->consumers));
        r->consumers[r->n_consumers++] = sc;
        return 0;
    }
    case SNAP_MSG:
        return store_append_at(r->st, it->seq, it->subject, it->hdr, it->data,
                               it->ts_ns, r->errmsg);
    }
    return 0;
}

static void restore_reply_empty(struct restore_job *r,
                                const struct js_inmsg *m)
{
    js_host_publish(r->a->js->host, r->a->acc, m->reply,
                    (struct bl_slice){NULL, 0}, 0, (struct bl_slice){"", 0});
}

static void restore_reply_error(struct restore_job *r,
                                const struct js_inmsg *m, const char *type)
{
    struct bl_buf out;
    bl_buf_init(&out);
    r->a->js->api_errors++;
    js_error_reply(&out, type, &r->err);
    engine_reply(r->a, m->reply, &out);
    bl_buf_close(&out);
}

/* The last, empty message: build the stream from what arrived. */
static void restore_finish(struct restore_job *r, const struct js_inmsg *m)
{
    struct js_account *a = r->a;
    if (!r->failed && snap_decoder_finish(&r->dec, r->errmsg) != 0)
        restore_fail(r, JS_ERR_STREAM_RESTORE, r->errmsg);
    if (!r->failed && r->last_seq > 0) {
        struct store_state ss;
        store_state(r->st, &ss);
        if (ss.last_seq < r->last_seq &&
            store_skip_to(r->st, r->last_seq, 0, r->errmsg) != 0)
            restore_fail(r, JS_ERR_STREAM_RESTORE, r->errmsg);
    }
    if (!r->failed && store_sync(r->st, r->errmsg) != 0)
        restore_fail(r, JS_ERR_STREAM_RESTORE, r->errmsg);
    if (r->failed || engine_find_stream(a, r->stream) != NULL) {
        if (!r->failed)
            js_error_set(&r->err, JS_ERR_STREAM_NAME_EXIST_RESTORE_FAILED);
        restore_reply_error(r, m, T_CREATE);
        restore_free(r, true);
        return;
    }
    struct store *st = r->st;
    r->st = NULL;
    struct js_stream_entry *se = NULL;
    if (engine_adopt_stream(a, &r->cfg, st, &se, &r->err) != 0) {
        restore_reply_error(r, m, T_CREATE);
        restore_free(r, true);
        return;
    }
    for (size_t i = 0; i < r->n_consumers; i++) {
        struct saved_consumer *sc = &r->consumers[i];
        struct js_error cerr;
        js_error_clear(&cerr);
        if (engine_restore_consumer(
                se, sc->name, &sc->cfg, sc->created_ns,
                (struct bl_slice){sc->state.p, sc->state.len}, &cerr) != 0)
            bl_log_warn("js: restore of %s: consumer %s not restored: %s",
                        r->stream, sc->name, cerr.description);
    }
    struct js_stream_state st_state;
    struct js_stream_info si;
    stream_info(se->s, &si, &st_state);
    struct bl_buf out;
    bl_buf_init(&out);
    js_stream_info_reply(&out, T_CREATE, &si, false);
    engine_reply(a, m->reply, &out);
    bl_buf_close(&out);
    bl_log_info("js: restored stream %s: %" PRIu64 " messages, %zu consumers",
                r->stream, st_state.msgs, se->n_consumers);
    restore_free(r, false);
}

static void on_restore_chunk(void *ctx, const struct js_inmsg *m)
{
    struct restore_job *r = ctx;
    r->last_msg_ms = now_ms(r->a->js->host);
    struct bl_slice data = {m->data.p + m->hdr_len, m->data.len - m->hdr_len};
    if (data.len == 0) {
        restore_finish(r, m);
        return;
    }
    if (!r->failed) {
        int rv = snap_decode(&r->dec, data.p, data.len, on_restore_item, r,
                             r->errmsg);
        if (rv != 0) {
            if (r->errmsg[0] == '\0')
                bl_errmsg_set(r->errmsg, "%s", bl_strerror(rv));
            restore_fail(r, JS_ERR_STREAM_RESTORE, r->errmsg);
        }
    }
    if (r->failed)
        restore_reply_error(r, m, T_RESTORE);
    else
        restore_reply_empty(r, m);
}

static void on_restore_tick(void *ctx)
{
    struct restore_job *r = ctx;
    if (now_ms(r->a->js->host) - r->last_msg_ms > SNAP_IDLE_MS) {
        bl_log_warn("js: restore of %s abandoned: no data for %d s",
                    r->stream, SNAP_IDLE_MS / 1000);
        restore_free(r, true);
    }
}

void backup_restore_request(struct js_account *a, const struct js_inmsg *m,
                            const char *stream, struct bl_slice body)
{
    struct js_error err;
    js_error_clear(&err);
    struct bl_buf out;
    bl_buf_init(&out);
    struct js_restore_request rr;
    memset(&rr, 0, sizeof(rr));
    js_stream_config_init(&rr.config);
    char errmsg[BL_ERRMSG_SIZE] = "";
    struct restore_job *r = NULL;

    if (js_restore_request_parse(&rr, body.p, body.len, &err) != 0)
        goto fail;
    if (rr.config.name == NULL || strcmp(rr.config.name, stream) != 0) {
        js_error_set(&err, JS_ERR_STREAM_MISMATCH);
        goto fail;
    }
    if (engine_find_stream(a, stream) != NULL) {
        js_error_set(&err, JS_ERR_STREAM_NAME_EXIST_RESTORE_FAILED);
        goto fail;
    }
    for (struct restore_job *o = a->restores; o != NULL; o = o->next) {
        if (strcmp(o->stream, stream) == 0) {
            js_error_set(&err, JS_ERR_STREAM_NAME_EXIST_RESTORE_FAILED);
            goto fail;
        }
    }
    if (rr.config.num_replicas > 1) {
        js_error_set(&err, JS_ERR_STREAM_REPLICAS_NOT_SUPPORTED);
        goto fail;
    }
    if (js_stream_config_check_create(&rr.config, &err) != 0)
        goto fail;
    if (engine_subjects_taken(a, &rr.config, NULL)) {
        js_error_set(&err, JS_ERR_STREAM_SUBJECT_OVERLAP);
        goto fail;
    }

    r = bl_xcalloc(1, sizeof(*r));
    r->a = a;
    r->stream = bl_xstrdup(stream);
    js_stream_config_copy(&r->cfg, &rr.config);
    snap_decoder_init(&r->dec);
    struct store_cfg scfg;
    memset(&scfg, 0, sizeof(scfg));
    scfg.name = stream;
    int rv;
    if (r->cfg.storage == JS_STORAGE_MEMORY) {
        rv = memstore_new(&scfg, &r->st);
    } else {
        r->dir = engine_stream_dir(a, stream);
        struct bl_buf msgs;
        bl_buf_init(&msgs);
        bl_buf_printf(&msgs, "%s/msgs", r->dir);
        rv = engine_mkdir_p(r->dir, errmsg);
        if (rv == 0)
            rv = filestore_open(msgs.p, &scfg, &r->st, errmsg);
        bl_buf_close(&msgs);
    }
    if (rv != 0) {
        js_error_from_bl(&err, rv, JS_ERR_STREAM_RESTORE, errmsg);
        restore_free(r, true);
        goto fail;
    }
    char id[23];
    engine_random_id(id, sizeof(id));
    snprintf(r->subject, sizeof(r->subject), "$JS.SNAPSHOT.RESTORE.%s.%s",
             stream, id);
    const struct js_host *h = a->js->host;
    r->sub = js_host_subscribe(h, a->acc, r->subject, NULL, on_restore_chunk,
                               r);
    r->tick = js_host_timer_start(h, SNAP_TICK_MS, SNAP_TICK_MS,
                                  on_restore_tick, r);
    r->last_msg_ms = now_ms(h);
    r->next = a->restores;
    a->restores = r;

    js_response_open(&out, T_RESTORE);
    js_json_kv_str(&out, "deliver_subject", r->subject);
    bl_buf_append_str(&out, "}");
    engine_reply(a, m->reply, &out);
    bl_log_info("js: restore of stream %s started on %s", stream, r->subject);
    goto done;
fail:
    a->js->api_errors++;
    js_error_reply(&out, T_RESTORE, &err);
    engine_reply(a, m->reply, &out);
done:
    js_restore_request_close(&rr);
    bl_buf_close(&out);
}

void backup_cancel_account(struct js_account *a)
{
    while (a->restores != NULL)
        restore_free(a->restores, true);
}
