/* The stream state machine over a memory store, a file store in a temp dir,
 * and a file store whose sync can be made to fail, driven through the fake
 * host (manual defer queue, fake clock). */
#include "consumer_stub.h"
#include "fake_host.h"
#include "js/stream.h"

#include "ballast/mem.h"

#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0_NS (1700000000ull * 1000000000ull)
#define MS_NS 1000000ull

enum kind { KIND_MEMORY, KIND_FILE, N_KINDS };

/* A file store whose sync returns `sync_rv` when nonzero; a sync job
 * begun while it is nonzero fails with it when run. */
struct fail_store {
    struct store base;
    struct store *inner;
    int sync_rv;
    unsigned n_begins; /* sync jobs handed out */
};

/* The wrapper's sync job: runs the inner store's, then fails if told. */
struct fail_job {
    struct store_sync base;
    struct store_sync *inner; /* may be NULL: nothing to sync */
    int rv;
};

/* Runs of wrapper jobs (repeats included); jobs may outlive the store. */
static unsigned n_job_runs;

static struct fake_host fh;
static char dir[PATH_MAX];
static struct stream *s;
static struct fail_store *fs; /* set when the stream runs on the wrapper */

/* ---- The failing store wrapper ----------------------------------------- */

static struct store *inner_of(struct store *st)
{
    return ((struct fail_store *)st)->inner;
}

static int w_append(struct store *st, uint64_t seq, struct bl_slice subject,
                    struct bl_slice hdr, struct bl_slice data, uint64_t ts,
                    uint64_t *seq_out, char *errmsg)
{
    struct store *in = inner_of(st);
    return in->ops->append(in, seq, subject, hdr, data, ts, seq_out, errmsg);
}
static int w_skip_to(struct store *st, uint64_t seq, uint64_t ts, char *e)
{
    struct store *in = inner_of(st);
    return in->ops->skip_to(in, seq, ts, e);
}
static int w_load(struct store *st, uint64_t seq, struct store_msg *m, char *e)
{
    struct store *in = inner_of(st);
    return in->ops->load(in, seq, m, e);
}
static int w_load_next(struct store *st, struct bl_slice f, uint64_t seq,
                       struct store_msg *m, char *e)
{
    struct store *in = inner_of(st);
    return in->ops->load_next(in, f, seq, m, e);
}
static int w_load_prev(struct store *st, struct bl_slice f, uint64_t seq,
                       struct store_msg *m, char *e)
{
    struct store *in = inner_of(st);
    return in->ops->load_prev(in, f, seq, m, e);
}
static int w_remove(struct store *st, uint64_t seq, bool erase, char *e)
{
    struct store *in = inner_of(st);
    return in->ops->remove(in, seq, erase, e);
}
static int w_purge(struct store *st, struct bl_slice f, uint64_t below,
                   uint64_t keep, uint64_t *n, char *e)
{
    struct store *in = inner_of(st);
    return in->ops->purge(in, f, below, keep, n, e);
}
static int w_compact(struct store *st, uint64_t seq, uint64_t *n, char *e)
{
    struct store *in = inner_of(st);
    return in->ops->compact(in, seq, n, e);
}
static int w_truncate(struct store *st, uint64_t seq, char *e)
{
    struct store *in = inner_of(st);
    return in->ops->truncate(in, seq, e);
}
static int w_sync(struct store *st, char *e)
{
    struct fail_store *w = (struct fail_store *)st;
    if (w->sync_rv != 0) {
        bl_errmsg_set(e, "fsync: injected failure");
        return w->sync_rv;
    }
    return w->inner->ops->sync(w->inner, e);
}
static int fail_job_run(const struct store_sync *j, char *e)
{
    const struct fail_job *fj = (const struct fail_job *)j;
    n_job_runs++;
    int rv = fj->inner ? fj->inner->run(fj->inner, e) : 0;
    if (rv == 0 && fj->rv != 0) {
        bl_errmsg_set(e, "fsync: injected failure");
        rv = fj->rv;
    }
    return rv;
}
static void fail_job_free(struct store_sync *j)
{
    struct fail_job *fj = (struct fail_job *)j;
    if (fj->inner != NULL)
        fj->inner->free(fj->inner);
    bl_free(fj);
}
static int w_sync_begin(struct store *st, struct store_sync **out, char *e)
{
    struct fail_store *w = (struct fail_store *)st;
    struct store_sync *inner = NULL;
    int rv = store_sync_begin(w->inner, &inner, e);
    if (rv != 0)
        return rv;
    struct fail_job *fj = bl_xcalloc(1, sizeof(*fj));
    fj->base.run = fail_job_run;
    fj->base.free = fail_job_free;
    fj->inner = inner;
    fj->rv = w->sync_rv;
    w->n_begins++;
    *out = &fj->base;
    return 0;
}
static void w_close(struct store *st)
{
    struct fail_store *w = (struct fail_store *)st;
    store_close(w->inner);
    if (fs == w)
        fs = NULL;
    bl_free(w);
}
static int w_destroy(struct store *st, char *e)
{
    struct fail_store *w = (struct fail_store *)st;
    int rv = store_delete(w->inner, e);
    if (fs == w)
        fs = NULL;
    bl_free(w);
    return rv;
}

static const struct store_ops fail_ops = {
    w_append, w_skip_to, w_load,       w_load_next, w_load_prev,
    w_remove, w_purge,   w_compact,    w_truncate,  w_sync,
    w_close,  w_destroy, w_sync_begin,
};

/* ---- Fixture ------------------------------------------------------------ */

static void setup(void)
{
    fake_host_init(&fh, T0_NS);
    snprintf(dir, sizeof(dir), "/tmp/ballast-js-stream-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    s = NULL;
    fs = NULL;
    n_job_runs = 0;
}

static void teardown(void)
{
    stream_close(s);
    s = NULL;
    fake_host_run_deferred(&fh);
    fake_host_close(&fh);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* A checked config from JSON; the caller closes it. */
static void make_cfg(struct js_stream_config *c, const char *json)
{
    struct js_error err;
    js_error_clear(&err);
    ck_assert_int_eq(js_stream_config_parse(c, json, strlen(json), &err), 0);
    ck_assert_msg(js_stream_config_check(c, &err) == 0, "config: %s",
                  err.description);
}

static struct store *new_store(int kind, bool failing)
{
    struct store_cfg scfg = {.name = "S"};
    struct store *st = NULL;
    char errmsg[BL_ERRMSG_SIZE] = "";
    if (kind == KIND_MEMORY) {
        ck_assert_int_eq(memstore_new(&scfg, &st), 0);
    } else {
        ck_assert_msg(filestore_open(dir, &scfg, &st, errmsg) == 0, "%s",
                      errmsg);
    }
    if (!failing)
        return st;
    struct fail_store *w = bl_xcalloc(1, sizeof(*w));
    w->base.ops = &fail_ops;
    w->base.kind = st->kind;
    w->base.core = st->core;
    w->inner = st;
    fs = w;
    return &w->base;
}

static void open_full(int kind, const char *json, bool failing,
                      uint64_t sync_interval_ms)
{
    struct js_stream_config c;
    char errmsg[BL_ERRMSG_SIZE] = "";
    make_cfg(&c, json);
    ck_assert_int_eq(stream_open(&c, new_store(kind, failing), &fh.host, 3,
                                 sync_interval_ms, &s, errmsg),
                     0);
    js_stream_config_close(&c);
}

static void open_s(int kind, const char *json)
{
    open_full(kind, json, false, 0);
}

/* Publishes `payload` on `subject` with the header lines `hdrs` (each
 * "Key: value\r\n", or NULL) and reply subject `reply` (or NULL). */
static int pub(const char *subject, const char *hdrs, const char *payload,
               const char *reply)
{
    struct bl_buf b;
    bl_buf_init(&b);
    size_t hdr_len = 0;
    if (hdrs != NULL) {
        bl_buf_printf(&b, "NATS/1.0\r\n%s\r\n", hdrs);
        hdr_len = b.len;
    }
    bl_buf_append_str(&b, payload);
    struct js_inmsg m = {
        .acc = 3,
        .subject = bl_slice_of(subject),
        .reply = bl_slice_of(reply),
        .hdr_len = hdr_len,
        .data = {b.p, b.len},
    };
    int rv = stream_process_msg(s, &m, fh.now_ns);
    bl_buf_close(&b);
    return rv;
}

/* Publishes with reply "r", runs the flush and returns the one ack. */
static const char *pub_ack(const char *subject, const char *hdrs,
                           const char *payload)
{
    fake_host_clear_pubs(&fh);
    pub(subject, hdrs, payload, "r");
    fake_host_run_deferred(&fh);
    ck_assert_uint_eq(fh.n_pubs, 1);
    ck_assert_str_eq(fh.pubs[0].subject, "r");
    return fh.pubs[0].data;
}

static struct js_stream_state state(void)
{
    struct js_stream_state st;
    stream_state(s, &st);
    return st;
}

static bool has_msg(uint64_t seq)
{
    struct store_msg m;
    store_msg_init(&m);
    char errmsg[BL_ERRMSG_SIZE];
    int rv = store_load(stream_store(s), seq, &m, errmsg);
    store_msg_close(&m);
    return rv == 0;
}

/* ---- Publish and group commit ------------------------------------------ */

static const char *const plain_cfg = "{\"name\":\"S\",\"subjects\":[\"s.>\"]}";

/* PubAcks wait for the deferred flush, which runs once for the batch and
 * then acks every message in order. */
START_TEST(acks_are_sent_only_after_the_group_commit)
{
    open_s(_i, "{\"name\":\"S\",\"subjects\":[\"s.>\"]}");
    ck_assert_int_eq(pub("s.a", NULL, "one", "r1"), 0);
    ck_assert_int_eq(pub("s.b", NULL, "two", "r2"), 0);
    ck_assert_int_eq(pub("s.a", NULL, "three", "r3"), 0);
    ck_assert_uint_eq(fh.n_pubs, 0);
    ck_assert_uint_eq(fh.n_deferred, 1);
    ck_assert_uint_eq(fake_host_run_deferred(&fh), 1);
    ck_assert_uint_eq(fh.n_pubs, 3);
    ck_assert_str_eq(fh.pubs[0].subject, "r1");
    ck_assert_str_eq(fh.pubs[0].data, "{\"stream\":\"S\", \"seq\":1}");
    ck_assert_str_eq(fh.pubs[1].subject, "r2");
    ck_assert_str_eq(fh.pubs[1].data, "{\"stream\":\"S\", \"seq\":2}");
    ck_assert_str_eq(fh.pubs[2].data, "{\"stream\":\"S\", \"seq\":3}");
    ck_assert_uint_eq(fh.pubs[2].acc, 3);
    ck_assert_uint_eq(state().msgs, 3);
    ck_assert_uint_eq(state().last_seq, 3);
}
END_TEST

/* No reply subject, or a no_ack stream, gets no PubAck at all. */
START_TEST(no_reply_or_no_ack_sends_nothing)
{
    open_s(_i, "{\"name\":\"S\",\"subjects\":[\"s.>\"],\"no_ack\":true}");
    ck_assert_int_eq(pub("s.a", NULL, "x", "r1"), 0);
    ck_assert_int_eq(pub("s.a", NULL, "y", NULL), 0);
    fake_host_run_deferred(&fh);
    ck_assert_uint_eq(fh.n_pubs, 0);
    ck_assert_uint_eq(state().msgs, 2);
}
END_TEST

/* Consumers are signalled after the commit, not before. */
START_TEST(consumers_are_signalled_after_the_commit)
{
    struct consumer c;
    consumer_stub_init(&c, NULL);
    open_s(_i, "{\"name\":\"S\",\"subjects\":[\"s.>\"]}");
    stream_attach_consumer(s, &c);
    pub("s.a", NULL, "x", "r");
    pub("s.a", NULL, "y", "r");
    ck_assert_uint_eq(c.n_signals, 0);
    fake_host_run_deferred(&fh);
    ck_assert_uint_eq(c.n_signals, 1);
    ck_assert_uint_eq(state().consumer_count, 1);
    stream_detach_consumer(s, &c);
    ck_assert_uint_eq(state().consumer_count, 0);
    pub("s.a", NULL, "z", "r");
    fake_host_run_deferred(&fh);
    ck_assert_uint_eq(c.n_signals, 1);
    consumer_stub_close(&c);
}
END_TEST

/* A failed sync turns every queued ack of the batch into an error ack. */
START_TEST(sync_failure_turns_queued_acks_into_errors)
{
    open_full(KIND_FILE, "{\"name\":\"S\",\"subjects\":[\"s.>\"]}", true, 0);
    pub_ack("s.a", NULL, "ok");
    fs->sync_rv = _i == 0 ? BL_EIO : BL_ENOSPC;
    pub("s.a", NULL, "x", "r1");
    pub("s.a", NULL, "y", "r2");
    fake_host_clear_pubs(&fh);
    fake_host_run_deferred(&fh);
    ck_assert_uint_eq(fh.n_pubs, 2);
    const char *want = _i == 0
                           ? "{\"error\":{\"code\":503,\"err_code\":10077,"
                             "\"description\":\"fsync: injected failure\"},"
                             "\"stream\":\"S\",\"seq\":0}"
                           : "{\"error\":{\"code\":500,\"err_code\":10047,"
                             "\"description\":\"insufficient storage resources "
                             "available\"},\"stream\":\"S\",\"seq\":0}";
    ck_assert_str_eq(fh.pubs[0].data, want);
    ck_assert_str_eq(fh.pubs[1].data, want);
    /* Once the disk recovers, the next batch syncs and acks normally. */
    fs->sync_rv = 0;
    ck_assert_str_eq(pub_ack("s.a", NULL, "z"),
                     "{\"stream\":\"S\", \"seq\":4}");
}
END_TEST

/* With an interval sync the acks do not wait for an fsync, and the timer
 * syncs. */
START_TEST(interval_sync_acks_without_fsync)
{
    open_full(KIND_FILE, "{\"name\":\"S\",\"subjects\":[\"s.>\"]}", true, 50);
    fs->sync_rv = BL_EIO;
    ck_assert_str_eq(pub_ack("s.a", NULL, "x"),
                     "{\"stream\":\"S\", \"seq\":1}");
    ck_assert_uint_eq(fake_host_n_timers(&fh), 1);
    fake_host_advance(&fh, 100); /* the failing sync is logged, not fatal */
    fs->sync_rv = 0;
    fake_host_advance(&fh, 100);
    ck_assert_uint_eq(state().msgs, 1);
    ck_assert_uint_eq(fh.n_blocking_calls, 0); /* timer syncs, inline */
}
END_TEST

/* ---- Group commit off the loop thread ---------------------------------- */

static void assert_ack(size_t i, const char *reply, uint64_t seq)
{
    char want[64];
    snprintf(want, sizeof(want), "{\"stream\":\"S\", \"seq\":%llu}",
             (unsigned long long)seq);
    ck_assert_uint_gt(fh.n_pubs, i);
    ck_assert_str_eq(fh.pubs[i].subject, reply);
    ck_assert_str_eq(fh.pubs[i].data, want);
}

/* The file store's fsyncs run as blocking work; the acks and the consumer
 * signal wait for its completion. The memory store has nothing to sync and
 * acks at once. */
START_TEST(acks_wait_for_the_blocking_sync)
{
    struct consumer c;
    consumer_stub_init(&c, NULL);
    open_s(_i, plain_cfg);
    fh.manual_blocking = true;
    stream_attach_consumer(s, &c);
    pub("s.a", NULL, "one", "r1");
    pub("s.b", NULL, "two", "r2");
    ck_assert_uint_eq(fake_host_run_deferred(&fh), 1);
    if (_i == KIND_MEMORY) {
        ck_assert_uint_eq(fh.n_blocking_calls, 0);
    } else {
        ck_assert_uint_eq(fh.n_blocking_calls, 1);
        ck_assert_uint_eq(fh.n_pubs, 0);
        ck_assert_uint_eq(c.n_signals, 0);
        ck_assert_uint_eq(fake_host_run_work(&fh), 1);
        ck_assert_uint_eq(fh.n_pubs, 0); /* fsynced, but not completed */
        ck_assert_uint_eq(c.n_signals, 0);
        ck_assert_uint_eq(fake_host_run_done(&fh), 1);
        ck_assert_uint_eq(fh.n_blocking, 0);
    }
    ck_assert_uint_eq(fh.n_pubs, 2);
    assert_ack(0, "r1", 1);
    assert_ack(1, "r2", 2);
    ck_assert_uint_eq(c.n_signals, 1);
    stream_detach_consumer(s, &c);
    consumer_stub_close(&c);
}
END_TEST

/* Messages stored while a sync runs are acked only after the next one,
 * which starts when the first completes and covers all of them. */
START_TEST(publishes_during_a_sync_wait_for_the_next)
{
    open_full(KIND_FILE, plain_cfg, true, 0);
    fh.manual_blocking = true;
    pub("s.a", NULL, "1", "r1");
    fake_host_run_deferred(&fh);
    ck_assert_uint_eq(fh.n_blocking_calls, 1);
    /* Three more loop iterations while the fsync runs. */
    pub("s.a", NULL, "2", "r2");
    fake_host_run_deferred(&fh);
    pub("s.a", NULL, "3", "r3");
    fake_host_run_deferred(&fh);
    pub("s.a", NULL, "4", NULL); /* no ack, but a change to sync */
    fake_host_run_deferred(&fh);
    ck_assert_uint_eq(fh.n_blocking_calls, 1);
    ck_assert_uint_eq(fs->n_begins, 1);
    ck_assert_uint_eq(fh.n_pubs, 0);

    ck_assert_uint_eq(fake_host_run_work(&fh), 1);
    ck_assert_uint_eq(fh.n_pubs, 0);
    ck_assert_uint_eq(fake_host_run_done(&fh), 1);
    ck_assert_uint_eq(fh.n_pubs, 1);
    assert_ack(0, "r1", 1);
    /* The next sync started at once, for everything that waited. */
    ck_assert_uint_eq(fh.n_blocking_calls, 2);
    ck_assert_uint_eq(fh.n_blocking, 1);
    ck_assert_uint_eq(fs->n_begins, 2);

    ck_assert_uint_eq(fake_host_run_work(&fh), 1);
    ck_assert_uint_eq(fh.n_pubs, 1);
    ck_assert_uint_eq(fake_host_run_done(&fh), 1);
    ck_assert_uint_eq(fh.n_pubs, 3);
    assert_ack(1, "r2", 2);
    assert_ack(2, "r3", 3);
    /* Nothing left: no third sync. */
    fake_host_run_deferred(&fh);
    ck_assert_uint_eq(fh.n_blocking_calls, 2);
    ck_assert_uint_eq(fh.n_blocking, 0);
    ck_assert_uint_eq(n_job_runs, 2);
    ck_assert_uint_eq(state().msgs, 4);
}
END_TEST

/* A failed blocking sync turns exactly its own batch into error acks; the
 * batch queued meanwhile gets its own sync and normal acks. */
START_TEST(failed_blocking_sync_errors_only_its_batch)
{
    open_full(KIND_FILE, plain_cfg, true, 0);
    fh.manual_blocking = true;
    fs->sync_rv = BL_EIO;
    pub("s.a", NULL, "x", "r1");
    pub("s.a", NULL, "y", "r2");
    fake_host_run_deferred(&fh);
    fs->sync_rv = 0;
    pub("s.a", NULL, "z", "r3");
    fake_host_run_deferred(&fh);
    fake_host_run_work(&fh);
    ck_assert_uint_eq(fake_host_run_done(&fh), 1);
    ck_assert_uint_eq(fh.n_pubs, 2);
    const char *want = "{\"error\":{\"code\":503,\"err_code\":10077,"
                       "\"description\":\"fsync: injected failure\"},"
                       "\"stream\":\"S\",\"seq\":0}";
    ck_assert_str_eq(fh.pubs[0].subject, "r1");
    ck_assert_str_eq(fh.pubs[0].data, want);
    ck_assert_str_eq(fh.pubs[1].subject, "r2");
    ck_assert_str_eq(fh.pubs[1].data, want);
    fake_host_run_work(&fh);
    ck_assert_uint_eq(fake_host_run_done(&fh), 1);
    ck_assert_uint_eq(fh.n_pubs, 3);
    assert_ack(2, "r3", 3);
}
END_TEST

/* Closing with a sync in flight (_i 0: its work not started, 1: done but
 * not completed) syncs here and sends every ack once, in order; the late
 * completion only frees. Everything acked is in the store after reopen. */
START_TEST(close_with_sync_in_flight)
{
    open_s(KIND_FILE, plain_cfg);
    fh.manual_blocking = true;
    pub("s.a", NULL, "1", "r1");
    pub("s.a", NULL, "2", "r2");
    fake_host_run_deferred(&fh);
    ck_assert_uint_eq(fh.n_blocking, 1);
    pub("s.a", NULL, "3", "r3"); /* queued, its flush still deferred */
    if (_i == 1)
        ck_assert_uint_eq(fake_host_run_work(&fh), 1);
    stream_close(s);
    s = NULL;
    ck_assert_uint_eq(fh.n_pubs, 3);
    assert_ack(0, "r1", 1);
    assert_ack(1, "r2", 2);
    assert_ack(2, "r3", 3);
    fake_host_run_deferred(&fh); /* the orphaned flush token */
    ck_assert_uint_eq(fake_host_run_work(&fh), _i == 0 ? 1 : 0);
    ck_assert_uint_eq(fake_host_run_done(&fh), 1);
    ck_assert_uint_eq(fh.n_pubs, 3);
    ck_assert_uint_eq(fh.n_blocking_calls, 1);

    struct store *st = NULL;
    struct store_state ss;
    char errmsg[BL_ERRMSG_SIZE] = "";
    struct store_cfg scfg = {.name = "S"};
    ck_assert_msg(filestore_open(dir, &scfg, &st, errmsg) == 0, "%s", errmsg);
    store_state(st, &ss);
    ck_assert_uint_eq(ss.msgs, 3);
    store_close(st);
}
END_TEST

/* stream_flush() with a sync in flight finishes it synchronously; the
 * stream goes on with the next batch normally. */
START_TEST(flush_with_sync_in_flight)
{
    open_full(KIND_FILE, plain_cfg, true, 0);
    fh.manual_blocking = true;
    pub("s.a", NULL, "1", "r1");
    fake_host_run_deferred(&fh);
    pub("s.a", NULL, "2", "r2");
    stream_flush(s);
    ck_assert_uint_eq(fh.n_pubs, 2);
    assert_ack(0, "r1", 1);
    assert_ack(1, "r2", 2);
    ck_assert_uint_eq(n_job_runs, 1); /* the job's fsyncs, repeated here */
    fake_host_run_work(&fh);
    fake_host_run_done(&fh); /* the old job: frees only */
    ck_assert_uint_eq(fh.n_pubs, 2);
    pub("s.a", NULL, "3", "r3");
    fake_host_run_deferred(&fh);
    ck_assert_uint_eq(fh.n_blocking_calls, 2);
    fake_host_run_work(&fh);
    fake_host_run_done(&fh);
    ck_assert_uint_eq(fh.n_pubs, 3);
    assert_ack(2, "r3", 3);
}
END_TEST

/* STREAM.DELETE with a sync in flight drops its acks; the late completion
 * only frees. */
START_TEST(delete_with_sync_in_flight)
{
    char errmsg[BL_ERRMSG_SIZE];
    open_s(KIND_FILE, plain_cfg);
    fh.manual_blocking = true;
    pub("s.a", NULL, "1", "r1");
    fake_host_run_deferred(&fh);
    ck_assert_uint_eq(fh.n_blocking, 1);
    ck_assert_int_eq(stream_delete(s, errmsg), 0);
    s = NULL;
    ck_assert_int_ne(access(dir, F_OK), 0);
    fake_host_run_work(&fh);
    ck_assert_uint_eq(fake_host_run_done(&fh), 1);
    ck_assert_uint_eq(fh.n_pubs, 0);
}
END_TEST

/* ---- Duplicates --------------------------------------------------------- */

/* A Nats-Msg-Id seen within the window returns the original seq marked
 * duplicate; after the window it is stored again. */
START_TEST(duplicate_within_window_and_not_after)
{
    open_s(_i, "{\"name\":\"S\",\"subjects\":[\"s.>\"],"
               "\"duplicate_window\":1000000000}");
    ck_assert_str_eq(pub_ack("s.a", "Nats-Msg-Id: a\r\n", "1"),
                     "{\"stream\":\"S\", \"seq\":1}");
    ck_assert_str_eq(pub_ack("s.b", "Nats-Msg-Id: b\r\n", "2"),
                     "{\"stream\":\"S\", \"seq\":2}");
    fh.now_ns += 500 * MS_NS;
    ck_assert_str_eq(pub_ack("s.a", "Nats-Msg-Id: a\r\n", "1"),
                     "{\"stream\":\"S\", \"seq\":1,\"duplicate\": true}");
    ck_assert_uint_eq(state().msgs, 2);
    fh.now_ns += 600 * MS_NS;
    ck_assert_str_eq(pub_ack("s.a", "Nats-Msg-Id: a\r\n", "1"),
                     "{\"stream\":\"S\", \"seq\":3}");
    ck_assert_str_eq(pub_ack("s.a", "Nats-Msg-Id: a\r\n", "1"),
                     "{\"stream\":\"S\", \"seq\":3,\"duplicate\": true}");
    ck_assert_uint_eq(state().msgs, 3);
}
END_TEST

/* A file stream reopened remembers the ids of its last window. */
START_TEST(duplicate_window_survives_reopen)
{
    const char *cfg = "{\"name\":\"S\",\"subjects\":[\"s.>\"]}";
    open_s(KIND_FILE, cfg);
    pub_ack("s.a", "Nats-Msg-Id: a\r\n", "1");
    pub_ack("s.a", "Nats-Msg-Id: b\r\n", "2");
    stream_close(s);
    s = NULL;
    fh.now_ns += 1000 * MS_NS;
    open_s(KIND_FILE, cfg);
    ck_assert_str_eq(pub_ack("s.a", "Nats-Msg-Id: a\r\n", "1"),
                     "{\"stream\":\"S\", \"seq\":1,\"duplicate\": true}");
    /* The last id comes back too. */
    ck_assert_str_eq(pub_ack("s.a", "Nats-Expected-Last-Msg-Id: b\r\n", "3"),
                     "{\"stream\":\"S\", \"seq\":3}");
}
END_TEST

/* ---- Expected-* headers ------------------------------------------------- */

struct hdr_case {
    const char *cfg;
    const char *subject;
    const char *hdrs;
    const char *ack; /* the exact reply */
};

static const struct hdr_case hdr_cases[] = {
    {NULL, "s.a", "Nats-Expected-Stream: T\r\n",
     "{\"error\":{\"code\":400,\"err_code\":10060,\"description\":"
     "\"expected stream does not match\"},\"stream\":\"S\",\"seq\":0}"},
    {NULL, "s.a", "Nats-Expected-Stream: S\r\n",
     "{\"stream\":\"S\", \"seq\":3}"},
    {NULL, "s.a", "Nats-Expected-Last-Sequence: 1\r\n",
     "{\"error\":{\"code\":400,\"err_code\":10071,\"description\":"
     "\"wrong last sequence: 2\"},\"stream\":\"S\",\"seq\":0}"},
    {NULL, "s.a", "Nats-Expected-Last-Sequence: 2\r\n",
     "{\"stream\":\"S\", \"seq\":3}"},
    {NULL, "s.a", "Nats-Expected-Last-Sequence: x\r\n",
     "{\"error\":{\"code\":400,\"err_code\":10071,\"description\":"
     "\"wrong last sequence: 2\"},\"stream\":\"S\",\"seq\":0}"},
    {NULL, "s.a", "Nats-Expected-Last-Subject-Sequence: 2\r\n",
     "{\"error\":{\"code\":400,\"err_code\":10071,\"description\":"
     "\"wrong last sequence: 1\"},\"stream\":\"S\",\"seq\":0}"},
    {NULL, "s.a", "Nats-Expected-Last-Subject-Sequence: 1\r\n",
     "{\"stream\":\"S\", \"seq\":3}"},
    {NULL, "s.new", "Nats-Expected-Last-Subject-Sequence: 0\r\n",
     "{\"stream\":\"S\", \"seq\":3}"},
    {NULL, "s.new", "Nats-Expected-Last-Subject-Sequence: 1\r\n",
     "{\"error\":{\"code\":400,\"err_code\":10071,\"description\":"
     "\"wrong last sequence: 0\"},\"stream\":\"S\",\"seq\":0}"},
    {NULL, "s.a", "Nats-Expected-Last-Msg-Id: m1\r\n",
     "{\"error\":{\"code\":400,\"err_code\":10070,\"description\":"
     "\"wrong last msg ID: m2\"},\"stream\":\"S\",\"seq\":0}"},
    {NULL, "s.a", "Nats-Expected-Last-Msg-Id: m2\r\n",
     "{\"stream\":\"S\", \"seq\":3}"},
    {NULL, "s.a", "Nats-Rollup: sub\r\n",
     "{\"error\":{\"code\":500,\"err_code\":10111,\"description\":"
     "\"rollup not permitted\"},\"stream\":\"S\",\"seq\":0}"},
    {"{\"name\":\"S\",\"subjects\":[\"s.>\"],\"allow_rollup_hdrs\":true}",
     "s.a", "Nats-Rollup: bogus\r\n",
     "{\"error\":{\"code\":500,\"err_code\":10111,\"description\":"
     "\"rollup value invalid: \\\"bogus\\\"\"},\"stream\":\"S\",\"seq\":0}"},
    /* Keys are case-sensitive, as in nats-server. */
    {NULL, "s.a", "nats-expected-last-sequence: 1\r\n",
     "{\"stream\":\"S\", \"seq\":3}"},
    {"{\"name\":\"S\",\"subjects\":[\"s.>\"],\"max_msg_size\":34}", "s.a",
     "X-Long: 12345678901234\r\n",
     "{\"error\":{\"code\":400,\"err_code\":10054,\"description\":"
     "\"message size exceeds maximum allowed\"},\"stream\":\"S\",\"seq\":0}"},
};

/* Each header check gives the exact ack, error code and text; a refused
 * message changes nothing. */
START_TEST(expected_headers_give_exact_errors)
{
    const struct hdr_case *hc = &hdr_cases[_i];
    open_s(KIND_MEMORY, hc->cfg ? hc->cfg : plain_cfg);
    pub_ack("s.a", "Nats-Msg-Id: m1\r\n", "1");
    pub_ack("s.b", "Nats-Msg-Id: m2\r\n", "2");
    ck_assert_str_eq(pub_ack(hc->subject, hc->hdrs, "three"), hc->ack);
    bool ok = strstr(hc->ack, "error") == NULL;
    ck_assert_uint_eq(state().msgs, (ok ? 3 : 2));
    ck_assert_uint_eq(state().last_seq, (ok ? 3 : 2));
}
END_TEST

/* The apply function reports refusals with BL_EINVAL and the error id. */
START_TEST(apply_refuses_without_changes)
{
    open_s(KIND_MEMORY, plain_cfg);
    struct stream_cmd cmd = {.kind = STREAM_CMD_MSG};
    struct stream_result res;
    const char data[] = "NATS/1.0\r\nNats-Expected-Last-Sequence: 9\r\n\r\nhi";
    cmd.u.msg.subject = BL_SLICE_LIT("s.a");
    cmd.u.msg.hdr_len = sizeof(data) - 1 - 2;
    cmd.u.msg.data = BL_SLICE_LIT(data);
    cmd.u.msg.ts_ns = T0_NS;
    ck_assert_int_eq(stream_apply(s, &cmd, &res), BL_EINVAL);
    ck_assert_int_eq(res.err.id, JS_ERR_STREAM_WRONG_LAST_SEQUENCE);
    ck_assert_str_eq(res.err.description, "wrong last sequence: 0");
    ck_assert_uint_eq(state().last_seq, 0);
    cmd.u.msg.hdr_len = 0;
    ck_assert_int_eq(stream_apply(s, &cmd, &res), 0);
    ck_assert_uint_eq(res.seq, 1);
    ck_assert_int_eq(res.err.id, JS_ERR_NONE);
}
END_TEST

/* ---- Rollups ------------------------------------------------------------ */

/* Rollup "sub" keeps only the new message of its subject; "all" keeps only
 * the new message. */
START_TEST(rollup_sub_and_all)
{
    struct consumer c;
    consumer_stub_init(&c, NULL);
    open_s(_i, "{\"name\":\"S\",\"subjects\":[\"s.>\"],"
               "\"allow_rollup_hdrs\":true}");
    stream_attach_consumer(s, &c);
    pub_ack("s.a", NULL, "1");
    pub_ack("s.b", NULL, "2");
    pub_ack("s.a", NULL, "3");
    ck_assert_str_eq(pub_ack("s.a", "Nats-Rollup: sub\r\n", "4"),
                     "{\"stream\":\"S\", \"seq\":4}");
    ck_assert_uint_eq(state().msgs, 2);
    ck_assert(!has_msg(1) && has_msg(2) && !has_msg(3) && has_msg(4));
    ck_assert_uint_eq(c.n_purged, 1);
    ck_assert_str_eq(pub_ack("s.c", "Nats-Rollup: All\r\n", "5"),
                     "{\"stream\":\"S\", \"seq\":5}");
    ck_assert_uint_eq(state().msgs, 1);
    ck_assert_uint_eq(state().first_seq, 5);
    ck_assert_uint_eq(c.n_purged, 2);
    ck_assert_uint_eq(c.purged_first, 5);
    stream_detach_consumer(s, &c);
    consumer_stub_close(&c);
}
END_TEST

/* ---- Limits ------------------------------------------------------------- */

/* Discard old: max_msgs drops the oldest. */
START_TEST(discard_old_max_msgs)
{
    open_s(_i, "{\"name\":\"S\",\"subjects\":[\"s.>\"],\"max_msgs\":2}");
    for (int i = 0; i < 5; i++)
        pub("s.a", NULL, "x", "r");
    fake_host_run_deferred(&fh);
    ck_assert_uint_eq(state().msgs, 2);
    ck_assert_uint_eq(state().first_seq, 4);
    ck_assert_uint_eq(state().last_seq, 5);
}
END_TEST

/* Discard old: max_bytes drops the oldest until the stream fits. */
START_TEST(discard_old_max_bytes)
{
    /* Each message: subject 3 + payload 7 + 40 overhead = 50 bytes. */
    open_s(_i, "{\"name\":\"S\",\"subjects\":[\"s.>\"],\"max_bytes\":120}");
    for (int i = 0; i < 4; i++)
        pub_ack("s.a", NULL, "1234567");
    ck_assert_uint_eq(state().msgs, 2);
    ck_assert_uint_eq(state().bytes, 100);
    ck_assert_uint_eq(state().first_seq, 3);
}
END_TEST

/* max_msgs_per_subject drops the oldest of that subject only. */
START_TEST(discard_old_max_msgs_per_subject)
{
    open_s(_i, "{\"name\":\"S\",\"subjects\":[\"s.>\"],"
               "\"max_msgs_per_subject\":2}");
    pub_ack("s.a", NULL, "1");
    pub_ack("s.b", NULL, "2");
    pub_ack("s.a", NULL, "3");
    pub_ack("s.a", NULL, "4");
    ck_assert_uint_eq(state().msgs, 3);
    ck_assert(!has_msg(1) && has_msg(2) && has_msg(3) && has_msg(4));
}
END_TEST

struct discard_case {
    const char *cfg;
    unsigned n_ok;   /* publishes that succeed first */
    const char *err; /* the ack of the next one */
};

static const struct discard_case discard_cases[] = {
    {"{\"name\":\"S\",\"subjects\":[\"s.>\"],\"discard\":\"new\","
     "\"max_msgs\":2}",
     2,
     "{\"error\":{\"code\":503,\"err_code\":10077,\"description\":"
     "\"maximum messages exceeded\"},\"stream\":\"S\",\"seq\":0}"},
    {"{\"name\":\"S\",\"subjects\":[\"s.>\"],\"discard\":\"new\","
     "\"max_bytes\":100}",
     2,
     "{\"error\":{\"code\":503,\"err_code\":10077,\"description\":"
     "\"maximum bytes exceeded\"},\"stream\":\"S\",\"seq\":0}"},
    {"{\"name\":\"S\",\"subjects\":[\"s.>\"],\"discard\":\"new\","
     "\"max_msgs_per_subject\":1,\"discard_new_per_subject\":true,"
     "\"max_msgs\":10}",
     1,
     "{\"error\":{\"code\":503,\"err_code\":10077,\"description\":"
     "\"maximum messages per subject exceeded\"},\"stream\":\"S\","
     "\"seq\":0}"},
};

/* Discard new refuses the message over the limit with the store's text. */
START_TEST(discard_new_refuses_with_exact_error)
{
    const struct discard_case *dc = &discard_cases[_i];
    open_s(KIND_FILE, dc->cfg);
    for (unsigned i = 0; i < dc->n_ok; i++)
        ck_assert_ptr_null(strstr(pub_ack("s.a", NULL, "1234567"), "error"));
    ck_assert_str_eq(pub_ack("s.a", NULL, "1234567"), dc->err);
    ck_assert_uint_eq(state().msgs, dc->n_ok);
}
END_TEST

/* Discard new with a per-subject limit (without discard_new_per_subject)
 * replaces the subject's oldest even when the stream is full. */
START_TEST(discard_new_at_subject_limit_replaces)
{
    open_s(_i, "{\"name\":\"S\",\"subjects\":[\"s.>\"],\"discard\":\"new\","
               "\"max_msgs\":2,\"max_msgs_per_subject\":1}");
    pub_ack("s.a", NULL, "1");
    pub_ack("s.b", NULL, "2");
    ck_assert_str_eq(pub_ack("s.a", NULL, "3"),
                     "{\"stream\":\"S\", \"seq\":3}");
    ck_assert_uint_eq(state().msgs, 2);
    ck_assert(!has_msg(1));
    ck_assert_ptr_nonnull(
        strstr(pub_ack("s.c", NULL, "4"), "maximum messages exceeded"));
}
END_TEST

/* ---- max_age ------------------------------------------------------------ */

/* EXPIRE drops exactly the messages older than max_age at its time. */
START_TEST(expire_command_drops_old_messages)
{
    open_s(_i, "{\"name\":\"S\",\"subjects\":[\"s.>\"],"
               "\"max_age\":10000000000}");
    pub_ack("s.a", NULL, "1");
    fh.now_ns += 4000 * MS_NS;
    pub_ack("s.a", NULL, "2");
    fh.now_ns += 4000 * MS_NS;
    pub_ack("s.a", NULL, "3");
    struct stream_cmd cmd = {.kind = STREAM_CMD_EXPIRE};
    struct stream_result res;
    cmd.u.expire.now_ns = T0_NS + 10000 * MS_NS; /* seq 1 is exactly 10s */
    ck_assert_int_eq(stream_apply(s, &cmd, &res), 0);
    ck_assert_uint_eq(res.n_removed, 1);
    ck_assert_uint_eq(state().first_seq, 2);
    cmd.u.expire.now_ns = T0_NS + 13999 * MS_NS;
    ck_assert_int_eq(stream_apply(s, &cmd, &res), 0);
    ck_assert_uint_eq(res.n_removed, 0);
    cmd.u.expire.now_ns = T0_NS + 60000 * MS_NS;
    ck_assert_int_eq(stream_apply(s, &cmd, &res), 0);
    ck_assert_uint_eq(res.n_removed, 2);
    ck_assert_uint_eq(state().msgs, 0);
    ck_assert_uint_eq(state().last_seq, 3);
    ck_assert_uint_eq(state().first_seq, 4);
}
END_TEST

/* The stream's own timer expires messages as the clock moves. */
START_TEST(expire_timer_runs_on_the_clock)
{
    open_s(_i, "{\"name\":\"S\",\"subjects\":[\"s.>\"],"
               "\"max_age\":2000000000}");
    pub_ack("s.a", NULL, "1");
    fake_host_advance(&fh, 1000);
    pub_ack("s.a", NULL, "2");
    fake_host_advance(&fh, 1000);
    ck_assert_uint_eq(state().msgs, 1);
    fake_host_advance(&fh, 1000);
    ck_assert_uint_eq(state().msgs, 0);
}
END_TEST

/* ---- Sealed, deny_delete, deny_purge ------------------------------------ */

START_TEST(sealed_refuses_writes_deletes_and_purges)
{
    struct js_error err;
    uint64_t n = 0;
    open_s(_i, plain_cfg);
    pub_ack("s.a", NULL, "1");
    struct js_stream_config c;
    make_cfg(&c, "{\"name\":\"S\",\"subjects\":[\"s.>\"],\"sealed\":true}");
    js_error_clear(&err);
    ck_assert_int_eq(stream_update_config(s, &c, &err), 0);
    js_stream_config_close(&c);
    ck_assert(stream_config(s)->sealed);
    ck_assert_str_eq(pub_ack("s.a", NULL, "2"),
                     "{\"error\":{\"code\":400,\"err_code\":10109,"
                     "\"description\":\"invalid operation on sealed "
                     "stream\"},\"stream\":\"S\",\"seq\":0}");
    ck_assert_int_eq(stream_delete_msg(s, 1, false, &err), BL_EINVAL);
    ck_assert_int_eq(err.id, JS_ERR_STREAM_SEALED);
    struct js_purge_request pr = {NULL, 0, 0};
    ck_assert_int_eq(stream_purge(s, &pr, &n, &err), BL_EINVAL);
    ck_assert_int_eq(err.id, JS_ERR_STREAM_SEALED);
    ck_assert_uint_eq(state().msgs, 1);
}
END_TEST

START_TEST(deny_delete_and_deny_purge)
{
    struct js_error err;
    uint64_t n = 0;
    open_s(_i, "{\"name\":\"S\",\"subjects\":[\"s.>\"],\"deny_delete\":true,"
               "\"deny_purge\":true}");
    pub_ack("s.a", NULL, "1");
    ck_assert_int_eq(stream_delete_msg(s, 1, true, &err), BL_EINVAL);
    ck_assert_int_eq(err.id, JS_ERR_STREAM_MSG_DELETE_FAILED);
    ck_assert_str_eq(err.description, "message delete not permitted");
    struct js_purge_request pr = {NULL, 0, 0};
    ck_assert_int_eq(stream_purge(s, &pr, &n, &err), BL_EINVAL);
    ck_assert_int_eq(err.id, JS_ERR_STREAM_PURGE_FAILED);
    ck_assert_str_eq(err.description, "stream purge not permitted");
    /* Rollups need allow_rollup_hdrs, which deny_purge excludes. */
    ck_assert_ptr_nonnull(strstr(pub_ack("s.a", "Nats-Rollup: all\r\n", "2"),
                                 "rollup not permitted"));
    ck_assert_uint_eq(state().msgs, 1);
}
END_TEST

/* Deleting a message, erased or not; a missing one gets nats-server's
 * answer for where it is: a hole inside the range 10043, below the first
 * message "no message found" and past the end "stream store EOF" (both
 * 10057). */
START_TEST(delete_msg)
{
    struct js_error err;
    open_s(_i, plain_cfg);
    pub_ack("s.a", NULL, "1");
    pub_ack("s.a", NULL, "2");
    pub_ack("s.a", NULL, "3");
    pub_ack("s.a", NULL, "4");
    ck_assert_int_eq(stream_delete_msg(s, 3, false, &err), 0);
    ck_assert_int_eq(stream_delete_msg(s, 3, false, &err), BL_EINVAL);
    ck_assert_int_eq(err.id, JS_ERR_SEQUENCE_NOT_FOUND);
    ck_assert_str_eq(err.description, "sequence 3 not found");
    ck_assert_int_eq(stream_delete_msg(s, 4, false, &err), 0);
    ck_assert_int_eq(stream_delete_msg(s, 2, true, &err), 0);
    ck_assert_int_eq(stream_delete_msg(s, 1, false, &err), 0);
    pub_ack("s.a", NULL, "5");
    pub_ack("s.a", NULL, "6");
    ck_assert_int_eq(stream_delete_msg(s, 5, false, &err), 0);
    ck_assert_int_eq(stream_delete_msg(s, 2, false, &err), BL_EINVAL);
    ck_assert_int_eq(err.id, JS_ERR_STREAM_MSG_DELETE_FAILED);
    ck_assert_str_eq(err.description, "no message found");
    ck_assert_int_eq(stream_delete_msg(s, 9, false, &err), BL_EINVAL);
    ck_assert_int_eq(err.id, JS_ERR_STREAM_MSG_DELETE_FAILED);
    ck_assert_str_eq(err.description, "stream store EOF");
    ck_assert_uint_eq(state().msgs, 1);
    ck_assert_uint_eq(state().first_seq, 6);
}
END_TEST

/* ---- Purge -------------------------------------------------------------- */

struct purge_case {
    const char *filter;
    uint64_t seq, keep;
    uint64_t purged;
    const char *left; /* live seqs after, e.g. "5,6" */
};

/* Messages: 1 s.a, 2 s.b, 3 s.a, 4 s.b, 5 s.a, 6 s.c */
static const struct purge_case purge_cases[] = {
    {NULL, 0, 0, 6, ""},         {"s.a", 0, 0, 3, "2,4,6"},
    {"s.*", 0, 0, 6, ""},        {NULL, 4, 0, 3, "4,5,6"},
    {NULL, 0, 2, 4, "5,6"},      {NULL, 0, 10, 0, "1,2,3,4,5,6"},
    {"s.a", 0, 1, 2, "2,4,5,6"}, {"s.a", 4, 0, 2, "2,4,5,6"},
    {">", 0, 0, 6, ""},
};

START_TEST(purge_variants)
{
    const struct purge_case *pc = &purge_cases[_i];
    struct consumer c;
    consumer_stub_init(&c, NULL);
    open_s(KIND_FILE, plain_cfg);
    stream_attach_consumer(s, &c);
    const char *subj[] = {"s.a", "s.b", "s.a", "s.b", "s.a", "s.c"};
    for (int i = 0; i < 6; i++)
        pub_ack(subj[i], NULL, "x");
    struct js_purge_request pr = {(char *)pc->filter, pc->seq, pc->keep};
    struct js_error err;
    uint64_t n = 99;
    ck_assert_int_eq(stream_purge(s, &pr, &n, &err), 0);
    ck_assert_uint_eq(n, pc->purged);
    char left[64] = "";
    for (uint64_t q = 1; q <= 6; q++)
        if (has_msg(q))
            snprintf(left + strlen(left), sizeof(left) - strlen(left), "%s%llu",
                     left[0] ? "," : "", (unsigned long long)q);
    ck_assert_str_eq(left, pc->left);
    ck_assert_uint_eq(state().last_seq, 6);
    ck_assert_uint_eq(c.n_purged, 1);
    /* New messages keep counting after a purge. */
    ck_assert_str_eq(pub_ack("s.a", NULL, "y"),
                     "{\"stream\":\"S\", \"seq\":7}");
    stream_detach_consumer(s, &c);
    consumer_stub_close(&c);
}
END_TEST

/* A purge tells each consumer whose filter it touches the first message
 * left for that filter. */
START_TEST(purge_tells_consumers_their_first_seq)
{
    struct consumer all, a, b, c;
    consumer_stub_init(&all, NULL);
    consumer_stub_init(&a, "s.a");
    consumer_stub_init(&b, "s.b");
    consumer_stub_init(&c, "s.*");
    open_s(_i, plain_cfg);
    stream_attach_consumer(s, &all);
    stream_attach_consumer(s, &a);
    stream_attach_consumer(s, &b);
    stream_attach_consumer(s, &c);
    const char *subj[] = {"s.a", "s.b", "s.a", "s.b"};
    for (int i = 0; i < 4; i++)
        pub_ack(subj[i], NULL, "x");
    struct js_purge_request pr = {"s.a", 0, 0};
    struct js_error err;
    uint64_t n = 0;
    ck_assert_int_eq(stream_purge(s, &pr, &n, &err), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(all.n_purged, 1);
    ck_assert_uint_eq(all.purged_first, 2);
    ck_assert_uint_eq(a.n_purged, 1);
    ck_assert_uint_eq(a.purged_first, 5); /* none left: last + 1 */
    ck_assert_uint_eq(b.n_purged, 0);     /* untouched subject */
    ck_assert_uint_eq(c.n_purged, 1);
    ck_assert_uint_eq(c.purged_first, 2);
    stream_detach_consumer(s, &all);
    stream_detach_consumer(s, &a);
    stream_detach_consumer(s, &b);
    stream_detach_consumer(s, &c);
    consumer_stub_close(&all);
    consumer_stub_close(&a);
    consumer_stub_close(&b);
    consumer_stub_close(&c);
}
END_TEST

/* ---- Retention ---------------------------------------------------------- */

/* Work queue: an acked message goes at once. */
START_TEST(workqueue_removes_on_ack)
{
    struct consumer c;
    consumer_stub_init(&c, NULL);
    open_s(_i, "{\"name\":\"S\",\"subjects\":[\"s.>\"],"
               "\"retention\":\"workqueue\"}");
    pub_ack("s.a", NULL, "1"); /* kept without consumers */
    stream_attach_consumer(s, &c);
    pub_ack("s.a", NULL, "2");
    ck_assert_uint_eq(state().msgs, 2);
    consumer_stub_ack(&c, s, 2);
    ck_assert_uint_eq(state().msgs, 1);
    ck_assert(has_msg(1) && !has_msg(2));
    consumer_stub_ack(&c, s, 1);
    ck_assert_uint_eq(state().msgs, 0);
    stream_detach_consumer(s, &c);
    consumer_stub_close(&c);
}
END_TEST

/* Interest: kept while any consumer needs it; without interested consumers
 * a publish uses a sequence but stores nothing. */
START_TEST(interest_keeps_while_needed)
{
    struct consumer a, b;
    consumer_stub_init(&a, NULL);
    consumer_stub_init(&b, "s.b");
    open_s(_i, "{\"name\":\"S\",\"subjects\":[\"s.>\"],"
               "\"retention\":\"interest\"}");
    ck_assert_str_eq(pub_ack("s.a", NULL, "1"),
                     "{\"stream\":\"S\", \"seq\":1}");
    ck_assert_uint_eq(state().msgs, 0);
    ck_assert_uint_eq(state().last_seq, 1);
    consumer_stub_attach(&b, s);
    pub_ack("s.a", NULL, "2"); /* b's filter does not match: skipped */
    ck_assert_uint_eq(state().msgs, 0);
    consumer_stub_attach(&a, s);
    pub_ack("s.b", NULL, "3");
    pub_ack("s.a", NULL, "4");
    ck_assert_uint_eq(state().msgs, 2);
    consumer_stub_ack(&a, s, 3);
    ck_assert(has_msg(3)); /* b still needs it */
    consumer_stub_ack(&b, s, 3);
    ck_assert(!has_msg(3));
    /* Deleting a, the only one that needed seq 4, drops it. */
    stream_detach_consumer(s, &a);
    ck_assert_uint_eq(stream_check_interest(s), 1);
    ck_assert_uint_eq(state().msgs, 0);
    stream_detach_consumer(s, &b);
    consumer_stub_close(&a);
    consumer_stub_close(&b);
}
END_TEST

/* Limits retention ignores acks. */
START_TEST(limits_ignores_acks)
{
    struct consumer c;
    consumer_stub_init(&c, NULL);
    open_s(_i, plain_cfg);
    stream_attach_consumer(s, &c);
    pub_ack("s.a", NULL, "1");
    consumer_stub_ack(&c, s, 1);
    ck_assert_uint_eq(state().msgs, 1);
    ck_assert_uint_eq(stream_check_interest(s), 0);
    stream_detach_consumer(s, &c);
    consumer_stub_close(&c);
}
END_TEST

/* ---- Update ------------------------------------------------------------- */

/* Lowered limits apply at once; forbidden changes are refused with the
 * update checker's error and leave the config alone. */
START_TEST(update_applies_limits_and_rules)
{
    struct js_error err;
    struct js_stream_config c;
    open_s(_i, plain_cfg);
    for (int i = 0; i < 4; i++)
        pub_ack(i % 2 ? "s.b" : "s.a", NULL, "x");
    make_cfg(&c, "{\"name\":\"S\",\"subjects\":[\"s.>\"],"
                 "\"max_msgs_per_subject\":1}");
    ck_assert_int_eq(stream_update_config(s, &c, &err), 0);
    js_stream_config_close(&c);
    ck_assert_uint_eq(state().msgs, 2);
    ck_assert(has_msg(3) && has_msg(4));
    make_cfg(&c, "{\"name\":\"S\",\"subjects\":[\"s.>\"],\"max_msgs\":1}");
    ck_assert_int_eq(stream_update_config(s, &c, &err), 0);
    js_stream_config_close(&c);
    ck_assert_uint_eq(state().msgs, 1);
    ck_assert_int_eq(stream_config(s)->max_msgs, 1);
    make_cfg(&c, "{\"name\":\"S\",\"subjects\":[\"s.>\"],"
                 "\"storage\":\"memory\",\"retention\":\"workqueue\"}");
    ck_assert_int_eq(stream_update_config(s, &c, &err), BL_EINVAL);
    ck_assert_int_ne(err.id, JS_ERR_NONE);
    js_stream_config_close(&c);
    ck_assert_int_eq(stream_config(s)->retention, JS_RETENTION_LIMITS);
    ck_assert_int_eq(stream_config(s)->max_msgs, 1);
}
END_TEST

/* An update adding max_age starts the expiry timer. */
START_TEST(update_starts_expiry)
{
    struct js_error err;
    struct js_stream_config c;
    open_s(_i, plain_cfg);
    ck_assert_uint_eq(fake_host_n_timers(&fh), 0);
    pub_ack("s.a", NULL, "x");
    make_cfg(&c, "{\"name\":\"S\",\"subjects\":[\"s.>\"],"
                 "\"max_age\":1000000000}");
    ck_assert_int_eq(stream_update_config(s, &c, &err), 0);
    js_stream_config_close(&c);
    ck_assert_uint_eq(fake_host_n_timers(&fh), 1);
    fake_host_advance(&fh, 1500);
    ck_assert_uint_eq(state().msgs, 0);
}
END_TEST

/* ---- Get ---------------------------------------------------------------- */

START_TEST(get_msg_by_seq_last_and_next)
{
    struct store_msg buf;
    struct js_stored_msg out;
    struct js_error err;
    store_msg_init(&buf);
    open_s(_i, plain_cfg);
    pub_ack("s.a", "K: v\r\n", "one");
    fh.now_ns += MS_NS;
    pub_ack("s.b", NULL, "two");
    pub_ack("s.a", NULL, "three");

    struct js_msg_get_request r1 = {1, NULL, NULL};
    ck_assert_int_eq(stream_get_msg(s, &r1, &buf, &out, &err), 0);
    ck_assert_str_eq(out.subject, "s.a");
    ck_assert_uint_eq(out.seq, 1);
    ck_assert_uint_eq(out.time_ns, T0_NS);
    ck_assert_uint_eq(out.hdrs_len, strlen("NATS/1.0\r\nK: v\r\n\r\n"));
    ck_assert_mem_eq(out.hdrs, "NATS/1.0\r\nK: v\r\n\r\n", out.hdrs_len);
    ck_assert_uint_eq(out.data_len, 3);
    ck_assert_mem_eq(out.data, "one", 3);

    struct js_msg_get_request r2 = {0, "s.a", NULL};
    ck_assert_int_eq(stream_get_msg(s, &r2, &buf, &out, &err), 0);
    ck_assert_uint_eq(out.seq, 3);
    ck_assert_mem_eq(out.data, "three", 5);
    ck_assert_uint_eq(out.hdrs_len, 0);

    struct js_msg_get_request r3 = {2, NULL, "s.a"};
    ck_assert_int_eq(stream_get_msg(s, &r3, &buf, &out, &err), 0);
    ck_assert_uint_eq(out.seq, 3);
    struct js_msg_get_request r4 = {0, NULL, "s.*"};
    ck_assert_int_eq(stream_get_msg(s, &r4, &buf, &out, &err), 0);
    ck_assert_uint_eq(out.seq, 1);

    struct js_msg_get_request r5 = {9, NULL, NULL};
    ck_assert_int_eq(stream_get_msg(s, &r5, &buf, &out, &err), BL_ENOENT);
    ck_assert_int_eq(err.id, JS_ERR_NO_MESSAGE_FOUND);
    struct js_msg_get_request r6 = {0, "s.zzz", NULL};
    ck_assert_int_eq(stream_get_msg(s, &r6, &buf, &out, &err), BL_ENOENT);
    store_msg_close(&buf);
}
END_TEST

/* ---- Info and life cycle ------------------------------------------------ */

START_TEST(info_has_config_state_and_created)
{
    struct js_stream_info info;
    struct js_stream_state st;
    open_s(_i, plain_cfg);
    ck_assert_uint_eq(state().first_seq, 0); /* as nats-server: 0 and 0 */
    ck_assert_uint_eq(state().last_seq, 0);
    fh.now_ns += 5 * MS_NS;
    pub_ack("s.a", NULL, "x");
    pub_ack("s.b", NULL, "y");
    stream_info(s, &info, &st);
    ck_assert_str_eq(info.config->name, "S");
    ck_assert_uint_eq(info.created_ns, T0_NS);
    ck_assert_ptr_eq(info.state, &st);
    ck_assert_uint_eq(st.msgs, 2);
    ck_assert_uint_eq(st.first_seq, 1);
    ck_assert_uint_eq(st.last_seq, 2);
    ck_assert_uint_eq(st.first_ts_ns, T0_NS + 5 * MS_NS);
    ck_assert_uint_eq(st.num_subjects, 2);
    stream_set_created(s, 42);
    ck_assert_uint_eq(stream_created(s), 42);
    ck_assert_str_eq(stream_name(s), "S");
    ck_assert_uint_eq(stream_account(s), 3);
    stream_set_domain(s, "hub");
    ck_assert_str_eq(pub_ack("s.a", NULL, "z"),
                     "{\"stream\":\"S\", \"domain\":\"hub\", \"seq\":3}");
}
END_TEST

/* Closing with a flush still scheduled sends the acks and leaves the
 * deferred call harmless. */
START_TEST(close_with_flush_pending)
{
    open_s(_i, plain_cfg);
    pub("s.a", NULL, "x", "r");
    ck_assert_uint_eq(fh.n_deferred, 1);
    stream_close(s);
    s = NULL;
    ck_assert_uint_eq(fh.n_pubs, 1);
    ck_assert_uint_eq(fake_host_run_deferred(&fh), 1);
    ck_assert_uint_eq(fh.n_pubs, 1);
}
END_TEST

/* STREAM.DELETE removes the files. */
START_TEST(delete_removes_files)
{
    char errmsg[BL_ERRMSG_SIZE];
    open_s(KIND_FILE, plain_cfg);
    pub_ack("s.a", NULL, "x");
    ck_assert_int_eq(stream_delete(s, errmsg), 0);
    s = NULL;
    ck_assert_int_ne(access(dir, F_OK), 0);
}
END_TEST

/* ---- Headers ------------------------------------------------------------ */

START_TEST(header_get)
{
    struct bl_slice v;
    struct bl_slice h =
        BL_SLICE_LIT("NATS/1.0\r\nX-Nats-Msg-Id: no\r\nNats-Msg-Id:  abc \r\n"
                     "Nats-Expected-Last-Sequence: 5\r\nEmpty:\r\n\r\n");
    ck_assert(stream_header_get(h, "Nats-Msg-Id", &v));
    ck_assert_uint_eq(v.len, 3);
    ck_assert_mem_eq(v.p, "abc", 3);
    ck_assert(stream_header_get(h, "Nats-Expected-Last-Sequence", &v));
    ck_assert_mem_eq(v.p, "5", 1);
    ck_assert(!stream_header_get(h, "Nats-Expected-Last", &v));
    ck_assert(!stream_header_get(h, "nats-msg-id", &v));
    ck_assert(!stream_header_get(h, "NATS/1.0", &v));
    ck_assert(stream_header_get(h, "Empty", &v));
    ck_assert_uint_eq(v.len, 0);
    ck_assert(!stream_header_get(BL_SLICE_LIT("NATS/1.0\r\n\r\n"), "A", &v));
    ck_assert(!stream_header_get((struct bl_slice){"", 0}, "A", &v));
}
END_TEST

static void add(Suite *su, const char *name, const TTest *t, int n)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, t, 0, n);
    suite_add_tcase(su, tc);
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *stream_suite(void);

Suite *stream_suite(void)
{
    Suite *su = suite_create("js/stream");
    add(su, "group_commit", acks_are_sent_only_after_the_group_commit, N_KINDS);
    add(su, "no_ack", no_reply_or_no_ack_sends_nothing, N_KINDS);
    add(su, "signal", consumers_are_signalled_after_the_commit, N_KINDS);
    add(su, "sync_failure", sync_failure_turns_queued_acks_into_errors, 2);
    add(su, "sync_interval", interval_sync_acks_without_fsync, 1);
    add(su, "blocking_sync", acks_wait_for_the_blocking_sync, N_KINDS);
    add(su, "next_sync", publishes_during_a_sync_wait_for_the_next, 1);
    add(su, "blocking_sync_failure", failed_blocking_sync_errors_only_its_batch,
        1);
    add(su, "close_in_flight", close_with_sync_in_flight, 2);
    add(su, "flush_in_flight", flush_with_sync_in_flight, 1);
    add(su, "delete_in_flight", delete_with_sync_in_flight, 1);
    add(su, "dedupe", duplicate_within_window_and_not_after, N_KINDS);
    add(su, "dedupe_reopen", duplicate_window_survives_reopen, 1);
    add(su, "expected_headers", expected_headers_give_exact_errors,
        N(hdr_cases));
    add(su, "apply_refuses", apply_refuses_without_changes, 1);
    add(su, "rollup", rollup_sub_and_all, N_KINDS);
    add(su, "max_msgs", discard_old_max_msgs, N_KINDS);
    add(su, "max_bytes", discard_old_max_bytes, N_KINDS);
    add(su, "max_per_subject", discard_old_max_msgs_per_subject, N_KINDS);
    add(su, "discard_new", discard_new_refuses_with_exact_error,
        N(discard_cases));
    add(su, "discard_new_subject", discard_new_at_subject_limit_replaces,
        N_KINDS);
    add(su, "expire", expire_command_drops_old_messages, N_KINDS);
    add(su, "expire_timer", expire_timer_runs_on_the_clock, N_KINDS);
    add(su, "sealed", sealed_refuses_writes_deletes_and_purges, N_KINDS);
    add(su, "deny", deny_delete_and_deny_purge, N_KINDS);
    add(su, "delete_msg", delete_msg, N_KINDS);
    add(su, "purge", purge_variants, N(purge_cases));
    add(su, "purge_consumers", purge_tells_consumers_their_first_seq, N_KINDS);
    add(su, "workqueue", workqueue_removes_on_ack, N_KINDS);
    add(su, "interest", interest_keeps_while_needed, N_KINDS);
    add(su, "limits_acks", limits_ignores_acks, N_KINDS);
    add(su, "update", update_applies_limits_and_rules, N_KINDS);
    add(su, "update_expiry", update_starts_expiry, N_KINDS);
    add(su, "get", get_msg_by_seq_last_and_next, N_KINDS);
    add(su, "info", info_has_config_state_and_created, N_KINDS);
    add(su, "close_pending", close_with_flush_pending, N_KINDS);
    add(su, "delete", delete_removes_files, 1);
    add(su, "headers", header_get, 1);
    return su;
}
