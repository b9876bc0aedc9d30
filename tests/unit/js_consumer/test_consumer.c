/* The consumer state machine over a real stream on a memory store, driven
 * through a fake host: pull and push delivery, acks, redelivery timers,
 * status replies, persistence and clean-up. */
#include "fake_host.h"
#include "suites.h"

#include "ballast/err.h"
#include "ballast/mem.h"
#include "js/consumer.h"
#include "js/stream.h"
#include "store/store.h"

#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INBOX "inbox.1"
#define DLV "dlv.C"
#define SEC 1000000000ll

static struct fake_host *fh;
static struct stream *st;
static struct consumer *con;
static char tmpdir[64];
static int n_deleted; /* on-delete callbacks seen */

static void setup(void)
{
    fh = fake_host_new();
    st = NULL;
    con = NULL;
    n_deleted = 0;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/js_consumer_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    fake_host_interest_add(fh, "inbox.>");
}

static void teardown(void)
{
    consumer_close(con, false);
    stream_close(st);
    fake_host_run_deferred(fh);
    fake_host_free(fh);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static void open_stream(enum js_retention ret, const char *subject)
{
    struct js_stream_config cfg;
    js_stream_config_init(&cfg);
    cfg.name = bl_xstrdup("S");
    cfg.subjects = bl_xcalloc(1, sizeof(char *));
    cfg.subjects[0] = bl_xstrdup(subject);
    cfg.n_subjects = 1;
    cfg.retention = ret;
    struct js_error err;
    js_error_clear(&err);
    ck_assert_int_eq(js_stream_config_check(&cfg, &err), 0);
    struct store *store;
    ck_assert_int_eq(memstore_new(NULL, &store), 0);
    char errmsg[BL_ERRMSG_SIZE];
    ck_assert_int_eq(stream_open(&cfg, store, &fh->h, 0, 0, &st, errmsg), 0);
    js_stream_config_close(&cfg);
}

/* Stores a message (1 ms of wall time after the previous one) without
 * committing; returns its sequence. */
static uint64_t put_hdr(const char *subject, const char *hdr, const char *body)
{
    char buf[4096];
    size_t hl = hdr ? strlen(hdr) : 0, bl = strlen(body);
    ck_assert_uint_lt(hl + bl, sizeof buf);
    memcpy(buf, hdr ? hdr : "", hl);
    memcpy(buf + hl, body, bl);
    struct js_inmsg m = {0,
                         bl_slice_of(subject),
                         {NULL, 0},
                         hl,
                         (struct bl_slice){buf, hl + bl}};
    fh->wall_ns += 1000000;
    ck_assert_int_eq(stream_process_msg(st, &m, fh->wall_ns), 0);
    struct store_state ss;
    store_state(stream_store(st), &ss);
    return ss.last_seq;
}

static uint64_t put(const char *subject, const char *body)
{
    return put_hdr(subject, NULL, body);
}

/* The group commit: the stream flushes and signals its consumers. */
static void commit(void)
{
    fake_host_run_deferred(fh);
}

static void base_cfg(struct js_consumer_config *cfg, bool push)
{
    js_consumer_config_init(cfg);
    cfg->durable_name = bl_xstrdup("C");
    cfg->ack_policy = JS_ACK_EXPLICIT;
    if (push)
        cfg->deliver_subject = bl_xstrdup(DLV);
}

static int open_with(struct js_consumer_config *cfg, const char *state_dir)
{
    struct js_error err;
    js_error_clear(&err);
    js_consumer_config_set_defaults(cfg);
    ck_assert_int_eq(js_consumer_config_check(cfg, stream_config(st), &err), 0);
    char errmsg[BL_ERRMSG_SIZE];
    int rv =
        consumer_open(st, "C", cfg, &fh->h, state_dir, 42, &con, &err, errmsg);
    js_consumer_config_close(cfg);
    return rv;
}

static void open_pull(void)
{
    struct js_consumer_config cfg;
    base_cfg(&cfg, false);
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
}

static void pull_req(const char *reply, int64_t batch, int64_t expires_ns,
                     bool no_wait, int64_t max_bytes)
{
    struct js_pull_request r = {batch, expires_ns, no_wait, max_bytes, 0};
    ck_assert_int_eq(consumer_pull(con, bl_slice_of(reply), &r), 0);
}

static void pull(int64_t batch)
{
    pull_req(INBOX, batch, 0, false, 0);
}

/* Fields of an ack reply subject. */
struct ackinfo {
    uint64_t dc, sseq, dseq, ts, pending;
};

static struct ackinfo ackinfo(const struct fake_pub *p)
{
    struct ackinfo a;
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(sscanf(p->reply,
                            "$JS.ACK.S.C.%" SCNu64 ".%" SCNu64 ".%" SCNu64
                            ".%" SCNu64 ".%" SCNu64,
                            &a.dc, &a.sseq, &a.dseq, &a.ts, &a.pending),
                     5);
    return a;
}

static const struct fake_pub *got(const char *to, size_t i)
{
    const struct fake_pub *p = fake_host_nth(fh, to, i);
    ck_assert_msg(p != NULL, "no publish #%zu to %s", i, to);
    return p;
}

/* The ack of the i-th message published to `to`. */
static void ack_nth(const char *to, size_t i, const char *body)
{
    fake_host_client_pub(fh, got(to, i)->reply, NULL, body);
}

static struct js_consumer_state state(void)
{
    struct js_consumer_state s;
    consumer_state(con, &s);
    return s;
}

/* Messages (not statuses) published to `to`. */
static size_t n_msgs(const char *to)
{
    size_t n = 0;
    for (size_t i = 0; i < fake_host_count(fh, to); i++)
        n += strncmp(got(to, i)->reply, "$JS.ACK.", 8) == 0;
    return n;
}

static const struct fake_pub *nth_msg(const char *to, size_t k)
{
    for (size_t i = 0; i < fake_host_count(fh, to); i++) {
        const struct fake_pub *p = got(to, i);
        if (strncmp(p->reply, "$JS.ACK.", 8) == 0 && k-- == 0)
            return p;
    }
    ck_abort_msg("no message #%zu to %s", k, to);
    return NULL;
}

static size_t n_status(const char *to, const char *status)
{
    size_t n = 0;
    for (size_t i = 0; i < fake_host_count(fh, to); i++)
        n += fake_pub_is_status(got(to, i), status);
    return n;
}

/* ---- Pull basics -------------------------------------------------------- */

/* A batch of two gets the first two messages with nats-server's ack reply
 * subject; the next request gets the third. */
START_TEST(pull_batch_delivers_in_order_with_ack_subjects)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put("foo.a", "one");
    put("foo.b", "two");
    put("foo.c", "three");
    commit();
    open_pull();
    pull(2);
    ck_assert_uint_eq(n_msgs(INBOX), 2);
    struct ackinfo a = ackinfo(nth_msg(INBOX, 0));
    ck_assert_uint_eq(a.dc, 1);
    ck_assert_uint_eq(a.sseq, 1);
    ck_assert_uint_eq(a.dseq, 1);
    ck_assert_uint_eq(a.pending, 2);
    ck_assert_str_eq(fake_pub_payload(nth_msg(INBOX, 0)), "one");
    /* Routed to the inbox, shown under the stream message's subject. */
    ck_assert_str_eq(nth_msg(INBOX, 0)->shown, "foo.a");
    ck_assert_str_eq(nth_msg(INBOX, 1)->shown, "foo.b");
    a = ackinfo(nth_msg(INBOX, 1));
    ck_assert_uint_eq(a.sseq, 2);
    ck_assert_uint_eq(a.pending, 1);
    struct store_msg m;
    store_msg_init(&m);
    ck_assert_int_eq(store_load(stream_store(st), 2, &m, NULL), 0);
    ck_assert_uint_eq(a.ts, m.ts_ns);
    store_msg_close(&m);
    ck_assert_uint_eq(state().num_waiting, 0);
    pull(5);
    ck_assert_uint_eq(n_msgs(INBOX), 3);
    ck_assert_str_eq(fake_pub_payload(nth_msg(INBOX, 2)), "three");
    struct js_consumer_state s = state();
    ck_assert_uint_eq(s.delivered.consumer_seq, 3);
    ck_assert_uint_eq(s.delivered.stream_seq, 3);
    ck_assert_uint_eq(s.num_ack_pending, 3);
    ck_assert_uint_eq(s.num_pending, 0);
    ck_assert_uint_eq(s.num_waiting, 1);
    ck_assert_uint_ne(s.delivered.last_active_ns, 0);
}
END_TEST

/* A waiting request is served when a message is committed later. */
START_TEST(pull_waits_for_new_messages)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    open_pull();
    pull(1);
    ck_assert_uint_eq(fake_host_count(fh, INBOX), 0);
    ck_assert_uint_eq(state().num_waiting, 1);
    put("foo.a", "late");
    commit();
    ck_assert_uint_eq(n_msgs(INBOX), 1);
    ck_assert_str_eq(fake_pub_payload(nth_msg(INBOX, 0)), "late");
    ck_assert_uint_eq(state().num_waiting, 0);
}
END_TEST

/* no_wait with nothing pending is answered "404 No Messages". */
START_TEST(pull_no_wait_empty_is_404)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    open_pull();
    pull_req(INBOX, 5, 0, true, 0);
    ck_assert_uint_eq(fake_host_count(fh, INBOX), 1);
    ck_assert(fake_pub_is_status(got(INBOX, 0), "404 No Messages"));
    ck_assert_uint_eq(state().num_waiting, 0);
}
END_TEST

/* no_wait for more than there is gets what there is, then "408 Request
 * Timeout" with the messages it still wanted. */
START_TEST(pull_no_wait_partial_ends_with_408)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put("foo.a", "1");
    put("foo.a", "2");
    commit();
    open_pull();
    pull_req(INBOX, 5, 0, true, 0);
    ck_assert_uint_eq(n_msgs(INBOX), 2);
    ck_assert_uint_eq(n_status(INBOX, "408 Request Timeout"), 1);
    const struct fake_pub *p = got(INBOX, 2);
    ck_assert_ptr_nonnull(strstr(p->data, "Nats-Pending-Messages: 3\r\n"));
    ck_assert_ptr_nonnull(strstr(p->data, "Nats-Pending-Bytes: 0\r\n"));
    ck_assert_uint_eq(state().num_waiting, 0);
}
END_TEST

/* A request with expires that gets nothing is answered "408 Request
 * Timeout" when it expires, not before. */
START_TEST(pull_expires_with_408)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    open_pull();
    pull_req(INBOX, 3, 2 * SEC, false, 0);
    fake_host_advance(fh, 1999);
    ck_assert_uint_eq(fake_host_count(fh, INBOX), 0);
    fake_host_advance(fh, 1);
    ck_assert_uint_eq(fake_host_count(fh, INBOX), 1);
    ck_assert(fake_pub_is_status(got(INBOX, 0), "408 Request Timeout"));
    ck_assert_ptr_nonnull(
        strstr(got(INBOX, 0)->data, "Nats-Pending-Messages: 3\r\n"));
    ck_assert_uint_eq(state().num_waiting, 0);
}
END_TEST

/* Past max_waiting queued requests the next is refused with "409 Exceeded
 * MaxWaiting". */
START_TEST(pull_max_waiting_409)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    struct js_consumer_config cfg;
    base_cfg(&cfg, false);
    cfg.max_waiting = 2;
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    pull_req("inbox.a", 1, 0, false, 0);
    pull_req("inbox.b", 1, 0, false, 0);
    pull_req("inbox.c", 1, 0, false, 0);
    ck_assert_uint_eq(fake_host_count(fh, "inbox.a"), 0);
    ck_assert_uint_eq(n_status("inbox.c", "409 Exceeded MaxWaiting"), 1);
    ck_assert_uint_eq(state().num_waiting, 2);
}
END_TEST

/* A request whose reply nobody listens to any more is dropped. */
START_TEST(pull_request_without_interest_is_dropped)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    open_pull();
    pull_req("gone.1", 1, 0, false, 0);
    ck_assert_uint_eq(state().num_waiting, 0);
    put("foo.a", "x");
    commit();
    ck_assert_uint_eq(fake_host_count(fh, "gone.1"), 0);
    ck_assert_uint_eq(state().num_pending, 1);
}
END_TEST

/* max_bytes: a request stops once its byte budget is used; a message too
 * big for what is left ends it with "409 Message Size Exceeds MaxBytes". */
START_TEST(pull_max_bytes)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    put("foo.a", big);
    put("foo.a", big);
    commit();
    open_pull();
    pull_req("inbox.small", 10, 0, false, 100);
    ck_assert_uint_eq(n_msgs("inbox.small"), 0);
    ck_assert_uint_eq(
        n_status("inbox.small", "409 Message Size Exceeds MaxBytes"), 1);
    /* One message is ~300 + subject + reply bytes: room for one, not two. */
    pull_req("inbox.mid", 10, 0, false, 500);
    ck_assert_uint_eq(n_msgs("inbox.mid"), 1);
    ck_assert_uint_eq(
        n_status("inbox.mid", "409 Message Size Exceeds MaxBytes"), 1);
    ck_assert_uint_eq(state().num_waiting, 0);
}
END_TEST

/* Requests over the consumer's max_batch / max_expires / max_bytes are
 * refused with nats-server's 409 texts; bad bodies with 400. */
START_TEST(pull_request_limits)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    struct js_consumer_config cfg;
    base_cfg(&cfg, false);
    cfg.max_batch = 10;
    cfg.max_expires_ns = 60 * SEC;
    cfg.max_bytes = 1000;
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    pull_req("inbox.a", 11, 0, false, 0);
    ck_assert_uint_eq(n_status("inbox.a", "409 Exceeded MaxRequestBatch of 10"),
                      1);
    pull_req("inbox.b", 1, 61 * SEC, false, 0);
    ck_assert_uint_eq(
        n_status("inbox.b", "409 Exceeded MaxRequestExpires of 1m0s"), 1);
    pull_req("inbox.c", 1, 0, false, 1001);
    ck_assert_uint_eq(
        n_status("inbox.c", "409 Exceeded MaxRequestMaxBytes of 1000"), 1);
    ck_assert_int_eq(consumer_pull_msg(con, bl_slice_of("inbox.d"),
                                       bl_slice_of("{\"batch\": \"x\"}")),
                     0);
    ck_assert_uint_eq(n_status("inbox.d", "400 Bad Request"), 1);
    ck_assert_uint_eq(state().num_waiting, 0);
}
END_TEST

/* A pull request with idle_heartbeat gets "100 Idle Heartbeat" while it
 * waits. */
START_TEST(pull_idle_heartbeat)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    open_pull();
    struct js_pull_request r = {1, 10 * SEC, false, 0, 2 * SEC};
    ck_assert_int_eq(consumer_pull(con, bl_slice_of(INBOX), &r), 0);
    fake_host_advance(fh, 1900);
    ck_assert_uint_eq(fake_host_count(fh, INBOX), 0);
    fake_host_advance(fh, 100);
    ck_assert_uint_eq(n_status(INBOX, "100 Idle Heartbeat"), 1);
    fake_host_advance(fh, 2000);
    ck_assert_uint_eq(n_status(INBOX, "100 Idle Heartbeat"), 2);
}
END_TEST

/* A push consumer refuses pull requests. */
START_TEST(pull_on_push_consumer_is_409)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    struct js_consumer_config cfg;
    base_cfg(&cfg, true);
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    pull(1);
    ck_assert_uint_eq(n_status(INBOX, "409 Consumer is push based"), 1);
}
END_TEST

/* Deleting the consumer answers waiting requests "409 Consumer Deleted". */
START_TEST(delete_answers_waiting_requests)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    open_pull();
    pull(1);
    consumer_close(con, true);
    con = NULL;
    ck_assert_uint_eq(n_status(INBOX, "409 Consumer Deleted"), 1);
    ck_assert_uint_eq(fake_host_live_timers(fh), 0);
    ck_assert_uint_eq(fake_host_live_subs(fh), 0);
}
END_TEST

/* ---- Deliver policies ---------------------------------------------------- */

struct policy_case {
    enum js_deliver_policy policy;
    uint64_t opt_start_seq;
    int start_time_of; /* use the timestamp of this seq; 0 none */
    const char *filter;
    uint64_t expect[3]; /* stream seqs delivered, 0 ends */
};

/* Stream: 1 foo.a, 2 foo.b, 3 foo.a, 4 foo.b; then 5 foo.c after the
 * consumer exists. */
static const struct policy_case policy_cases[] = {
    {JS_DELIVER_ALL, 0, 0, NULL, {1, 2, 3}},
    {JS_DELIVER_LAST, 0, 0, NULL, {4, 5, 0}},
    {JS_DELIVER_LAST, 0, 0, "foo.a", {3, 0, 0}},
    {JS_DELIVER_NEW, 0, 0, NULL, {5, 0, 0}},
    {JS_DELIVER_BY_START_SEQUENCE, 3, 0, NULL, {3, 4, 5}},
    {JS_DELIVER_BY_START_TIME, 0, 2, NULL, {2, 3, 4}},
    {JS_DELIVER_LAST_PER_SUBJECT, 0, 0, "foo.>", {3, 4, 5}},
    {JS_DELIVER_LAST_PER_SUBJECT, 0, 0, "foo.b", {4, 0, 0}},
};

/* Each deliver policy starts where nats-server starts it. */
START_TEST(deliver_policies)
{
    const struct policy_case *pc = &policy_cases[_i];
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put("foo.a", "1");
    put("foo.b", "2");
    put("foo.a", "3");
    put("foo.b", "4");
    commit();
    struct js_consumer_config cfg;
    base_cfg(&cfg, false);
    cfg.deliver_policy = pc->policy;
    cfg.opt_start_seq = pc->opt_start_seq;
    if (pc->filter != NULL)
        cfg.filter_subject = bl_xstrdup(pc->filter);
    if (pc->start_time_of != 0) {
        struct store_msg m;
        store_msg_init(&m);
        ck_assert_int_eq(
            store_load(stream_store(st), (uint64_t)pc->start_time_of, &m, NULL),
            0);
        cfg.has_opt_start_time = true;
        cfg.opt_start_time_ns = (int64_t)m.ts_ns;
        store_msg_close(&m);
    }
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    put("foo.c", "5");
    commit();
    pull(3);
    size_t n = 0;
    while (n < 3 && pc->expect[n] != 0)
        n++;
    ck_assert_uint_eq(n_msgs(INBOX), n);
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_eq(ackinfo(nth_msg(INBOX, i)).sseq, pc->expect[i]);
}
END_TEST

/* A filtered consumer gets only its subject; num_pending counts only
 * matching messages and the delivered stream sequence moves past the
 * others. */
START_TEST(filter_subject)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put("foo.a", "1");
    put("foo.b", "2");
    put("foo.a", "3");
    put("foo.b", "4");
    put("foo.a", "5");
    commit();
    struct js_consumer_config cfg;
    base_cfg(&cfg, false);
    cfg.filter_subject = bl_xstrdup("foo.b");
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    ck_assert_uint_eq(state().num_pending, 2);
    pull(10);
    ck_assert_uint_eq(n_msgs(INBOX), 2);
    ck_assert_uint_eq(ackinfo(nth_msg(INBOX, 0)).sseq, 2);
    ck_assert_uint_eq(ackinfo(nth_msg(INBOX, 0)).pending, 1);
    ck_assert_uint_eq(ackinfo(nth_msg(INBOX, 1)).sseq, 4);
    struct js_consumer_state s = state();
    ck_assert_uint_eq(s.num_pending, 0);
    ck_assert_uint_eq(s.delivered.consumer_seq, 2);
    ck_assert_uint_eq(s.delivered.stream_seq, 5);
    ck_assert(consumer_needs_msg(con, 4));
    ck_assert(!consumer_needs_msg(con, 3));
}
END_TEST

/* ---- Acks ------------------------------------------------------------------
 */

/* Explicit acks: the floor moves only over a contiguous acked prefix. */
START_TEST(ack_explicit_moves_floor)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    for (int i = 0; i < 3; i++)
        put("foo.a", "m");
    commit();
    open_pull();
    pull(3);
    ack_nth(INBOX, 1, "+ACK");
    struct js_consumer_state s = state();
    ck_assert_uint_eq(s.num_ack_pending, 2);
    ck_assert_uint_eq(s.ack_floor.stream_seq, 0);
    ack_nth(INBOX, 0, "");
    s = state();
    ck_assert_uint_eq(s.num_ack_pending, 1);
    ck_assert_uint_eq(s.ack_floor.stream_seq, 2);
    ck_assert_uint_eq(s.ack_floor.consumer_seq, 2);
    ck_assert_uint_ne(s.ack_floor.last_active_ns, 0);
    ack_nth(INBOX, 2, "+ACK");
    s = state();
    ck_assert_uint_eq(s.num_ack_pending, 0);
    ck_assert_uint_eq(s.ack_floor.stream_seq, 3);
    ack_nth(INBOX, 2, "+ACK"); /* again: ignored */
    ck_assert_uint_eq(state().ack_floor.stream_seq, 3);
}
END_TEST

/* Ack all: acking one acks everything delivered before it. */
START_TEST(ack_all_acks_prefix)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    for (int i = 0; i < 3; i++)
        put("foo.a", "m");
    commit();
    struct js_consumer_config cfg;
    base_cfg(&cfg, false);
    cfg.ack_policy = JS_ACK_ALL;
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    pull(3);
    ack_nth(INBOX, 1, "+ACK");
    struct js_consumer_state s = state();
    ck_assert_uint_eq(s.num_ack_pending, 1);
    ck_assert_uint_eq(s.ack_floor.stream_seq, 2);
    ack_nth(INBOX, 0, "+ACK"); /* below the floor: ignored */
    ck_assert_uint_eq(state().num_ack_pending, 1);
}
END_TEST

/* Ack none: nothing is pending, the floor follows delivery. */
START_TEST(ack_none_tracks_nothing)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put("foo.a", "m");
    put("foo.a", "m");
    commit();
    struct js_consumer_config cfg;
    base_cfg(&cfg, true);
    cfg.ack_policy = JS_ACK_NONE;
    fake_host_interest_add(fh, DLV);
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    ck_assert_uint_eq(n_msgs(DLV), 2);
    struct js_consumer_state s = state();
    ck_assert_uint_eq(s.num_ack_pending, 0);
    ck_assert_uint_eq(s.ack_floor.stream_seq, 2);
    ck_assert_uint_eq(s.ack_floor.consumer_seq, 2);
}
END_TEST

/* An ack with a reply subject (AckSync) is answered with an empty
 * message; +NXT is not. */
START_TEST(ack_sync_gets_reply)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put("foo.a", "m");
    put("foo.a", "m");
    commit();
    open_pull();
    pull(1);
    fake_host_client_pub(fh, got(INBOX, 0)->reply, "ackack.1", "+ACK");
    ck_assert_uint_eq(fake_host_count(fh, "ackack.1"), 1);
    ck_assert_uint_eq(got("ackack.1", 0)->data_len, 0);
    ck_assert_uint_eq(state().num_ack_pending, 0);
}
END_TEST

/* +NXT acks and asks for the next message on the ack's reply subject. */
START_TEST(ack_next_requests_more)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put("foo.a", "1");
    put("foo.a", "2");
    put("foo.a", "3");
    commit();
    open_pull();
    pull(1);
    fake_host_client_pub(fh, got(INBOX, 0)->reply, "inbox.next", "+NXT");
    ck_assert_uint_eq(n_msgs("inbox.next"), 1);
    ck_assert_uint_eq(ackinfo(nth_msg("inbox.next", 0)).sseq, 2);
    fake_host_client_pub(fh, got("inbox.next", 0)->reply, "inbox.next",
                         "+NXT {\"batch\":5,\"no_wait\":true}");
    ck_assert_uint_eq(n_msgs("inbox.next"), 2);
    ck_assert_uint_eq(state().num_ack_pending, 1);
    ck_assert_uint_eq(state().ack_floor.stream_seq, 2);
}
END_TEST

/* -NAK redelivers at once, with the delivery count raised. */
START_TEST(nak_redelivers)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put("foo.a", "1");
    put("foo.a", "2");
    commit();
    open_pull();
    pull(1);
    ack_nth(INBOX, 0, "-NAK");
    pull(1);
    ck_assert_uint_eq(n_msgs(INBOX), 2);
    struct ackinfo a = ackinfo(nth_msg(INBOX, 1));
    ck_assert_uint_eq(a.sseq, 1);
    ck_assert_uint_eq(a.dc, 2);
    ck_assert_uint_eq(a.dseq, 2);
    struct js_consumer_state s = state();
    ck_assert_uint_eq(s.num_redelivered, 1);
    ck_assert_uint_eq(s.num_ack_pending, 1);
    ck_assert_uint_eq(s.delivered.consumer_seq, 2);
    ck_assert_uint_eq(s.delivered.stream_seq, 1);
}
END_TEST

/* -NAK with a delay redelivers only after that delay (JSON and Go
 * duration forms). */
START_TEST(nak_with_delay)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put("foo.a", "1");
    put("foo.a", "2");
    commit();
    open_pull();
    pull(2);
    ack_nth(INBOX, 0, "-NAK {\"delay\": 2000000000}");
    ack_nth(INBOX, 1, "-NAK 3s");
    pull(2);
    ck_assert_uint_eq(n_msgs(INBOX), 2);
    fake_host_advance(fh, 1900);
    ck_assert_uint_eq(n_msgs(INBOX), 2);
    fake_host_advance(fh, 200);
    ck_assert_uint_eq(n_msgs(INBOX), 3);
    ck_assert_uint_eq(ackinfo(nth_msg(INBOX, 2)).sseq, 1);
    fake_host_advance(fh, 1000);
    ck_assert_uint_eq(n_msgs(INBOX), 4);
    ck_assert_uint_eq(ackinfo(nth_msg(INBOX, 3)).sseq, 2);
    ck_assert_uint_eq(ackinfo(nth_msg(INBOX, 3)).dc, 2);
}
END_TEST

/* +TERM stops redelivery and frees the pending slot. */
START_TEST(term_stops_redelivery)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put("foo.a", "1");
    commit();
    struct js_consumer_config cfg;
    base_cfg(&cfg, false);
    cfg.ack_wait_ns = 1 * SEC;
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    pull(1);
    ack_nth(INBOX, 0, "+TERM");
    pull(1);
    fake_host_advance(fh, 5000);
    ck_assert_uint_eq(n_msgs(INBOX), 1);
    ck_assert_uint_eq(state().num_ack_pending, 0);
    ck_assert_uint_eq(state().ack_floor.stream_seq, 1);
}
END_TEST

/* +WPI restarts the ack wait. */
START_TEST(progress_resets_ack_wait)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put("foo.a", "1");
    commit();
    struct js_consumer_config cfg;
    base_cfg(&cfg, false);
    cfg.ack_wait_ns = 1 * SEC;
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    pull(1);
    pull(1);
    fake_host_advance(fh, 800);
    ack_nth(INBOX, 0, "+WPI");
    fake_host_advance(fh, 700); /* 1.5 s after delivery */
    ck_assert_uint_eq(n_msgs(INBOX), 1);
    fake_host_advance(fh, 400); /* 1.1 s after the progress */
    ck_assert_uint_eq(n_msgs(INBOX), 2);
    ck_assert_uint_eq(ackinfo(nth_msg(INBOX, 1)).dc, 2);
}
END_TEST

/* ack_wait redelivers until max_deliver, then gives up. */
START_TEST(ack_wait_redelivery_and_max_deliver)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put("foo.a", "1");
    commit();
    struct js_consumer_config cfg;
    base_cfg(&cfg, true);
    cfg.ack_wait_ns = 1 * SEC;
    cfg.max_deliver = 3;
    fake_host_interest_add(fh, DLV);
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    ck_assert_uint_eq(n_msgs(DLV), 1);
    fake_host_advance(fh, 900);
    ck_assert_uint_eq(n_msgs(DLV), 1);
    fake_host_advance(fh, 200);
    ck_assert_uint_eq(n_msgs(DLV), 2);
    ck_assert_uint_eq(ackinfo(nth_msg(DLV, 1)).dc, 2);
    fake_host_advance(fh, 1100);
    ck_assert_uint_eq(n_msgs(DLV), 3);
    ck_assert_uint_eq(ackinfo(nth_msg(DLV, 2)).dc, 3);
    fake_host_advance(fh, 10000);
    ck_assert_uint_eq(n_msgs(DLV), 3);
    struct js_consumer_state s = state();
    ck_assert_uint_eq(s.num_ack_pending, 0);
    ck_assert_uint_eq(s.delivered.consumer_seq, 3);
}
END_TEST

/* Backoff: the n-th redelivery waits backoff[n-1] (the last value
 * repeating). */
START_TEST(backoff_schedule)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put("foo.a", "1");
    commit();
    struct js_consumer_config cfg;
    base_cfg(&cfg, true);
    cfg.backoff_ns = bl_xcalloc(2, sizeof(int64_t));
    cfg.backoff_ns[0] = 1 * SEC;
    cfg.backoff_ns[1] = 3 * SEC;
    cfg.n_backoff = 2;
    cfg.max_deliver = 5;
    fake_host_interest_add(fh, DLV);
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    ck_assert_uint_eq(n_msgs(DLV), 1);
    fake_host_advance(fh, 1100); /* t=1.1 */
    ck_assert_uint_eq(n_msgs(DLV), 2);
    fake_host_advance(fh, 2500); /* t=3.6: 2.5 s after the second */
    ck_assert_uint_eq(n_msgs(DLV), 2);
    fake_host_advance(fh, 600); /* t=4.2 */
    ck_assert_uint_eq(n_msgs(DLV), 3);
    fake_host_advance(fh, 2800); /* t=7.0 */
    ck_assert_uint_eq(n_msgs(DLV), 3);
    fake_host_advance(fh, 400); /* t=7.4 */
    ck_assert_uint_eq(n_msgs(DLV), 4);
}
END_TEST

/* max_ack_pending stops delivery until an ack makes room. */
START_TEST(max_ack_pending_blocks_then_resumes)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    for (int i = 0; i < 4; i++)
        put("foo.a", "m");
    commit();
    struct js_consumer_config cfg;
    base_cfg(&cfg, false);
    cfg.max_ack_pending = 2;
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    pull(4);
    ck_assert_uint_eq(n_msgs(INBOX), 2);
    ck_assert_uint_eq(state().num_waiting, 1);
    ack_nth(INBOX, 0, "+ACK");
    ck_assert_uint_eq(n_msgs(INBOX), 3);
    ck_assert_uint_eq(ackinfo(nth_msg(INBOX, 2)).sseq, 3);
    ack_nth(INBOX, 1, "+ACK");
    ack_nth(INBOX, 2, "+ACK");
    ck_assert_uint_eq(n_msgs(INBOX), 4);
}
END_TEST

/* ---- Push ---------------------------------------------------------------- */

/* Push delivery waits for interest on the deliver subject and resumes when
 * a subscriber shows up. */
START_TEST(push_delivers_with_interest)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put("foo.a", "1");
    commit();
    struct js_consumer_config cfg;
    base_cfg(&cfg, true);
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    ck_assert_uint_eq(fake_host_count(fh, DLV), 0);
    ck_assert(!state().push_bound);
    fake_host_interest_add(fh, DLV);
    fake_host_advance(fh, 300);
    ck_assert_uint_eq(n_msgs(DLV), 1);
    ck_assert(state().push_bound);
    put("foo.b", "2");
    commit();
    ck_assert_uint_eq(n_msgs(DLV), 2);
    ck_assert_str_eq(fake_pub_payload(nth_msg(DLV, 1)), "2");
}
END_TEST

/* Flow control: past half the window a "100 FlowControl Request" goes out
 * with a $JS.FC reply; past the window delivery stops until the client
 * answers it. */
START_TEST(push_flow_control)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    static char big[3001];
    memset(big, 'x', 3000);
    struct js_consumer_config cfg;
    base_cfg(&cfg, true);
    cfg.flow_control = true;
    cfg.idle_heartbeat_ns = 5 * SEC;
    fake_host_interest_add(fh, DLV);
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    /* Window: 2 MiB. 800 messages of ~3 KiB are ~2.4 MiB. */
    for (int i = 0; i < 800; i++)
        put("foo.a", big);
    commit();
    size_t n_fc = n_status(DLV, "100 FlowControl Request");
    ck_assert_uint_eq(n_fc, 1);
    size_t delivered = n_msgs(DLV);
    ck_assert_uint_lt(delivered, 800);
    ck_assert_uint_gt(delivered, 600);
    const struct fake_pub *fc = NULL;
    for (size_t i = 0; i < fake_host_count(fh, DLV); i++)
        if (fake_pub_is_status(got(DLV, i), "100 FlowControl Request"))
            fc = got(DLV, i);
    ck_assert_ptr_nonnull(fc);
    ck_assert(strncmp(fc->reply, "$JS.FC.S.C.", 11) == 0);
    /* A heartbeat while stalled names the outstanding request. */
    fake_host_advance(fh, 5000);
    ck_assert_uint_eq(n_status(DLV, "100 Idle Heartbeat"), 1);
    char want[128];
    snprintf(want, sizeof want, "Nats-Consumer-Stalled: %s\r\n", fc->reply);
    for (size_t i = 0; i < fake_host_count(fh, DLV); i++)
        if (fake_pub_is_status(got(DLV, i), "100 Idle Heartbeat"))
            ck_assert_ptr_nonnull(strstr(got(DLV, i)->data, want));
    char fc_reply[128];
    snprintf(fc_reply, sizeof fc_reply, "%s", fc->reply);
    fake_host_client_pub(fh, fc_reply, NULL, "");
    ck_assert_uint_eq(n_msgs(DLV), 800);
}
END_TEST

/* An idle push consumer sends "100 Idle Heartbeat" with the last
 * sequences; a delivery postpones it. */
START_TEST(push_idle_heartbeat)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put("foo.a", "1");
    commit();
    struct js_consumer_config cfg;
    base_cfg(&cfg, true);
    cfg.idle_heartbeat_ns = 1 * SEC;
    fake_host_interest_add(fh, DLV);
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    ck_assert_uint_eq(n_msgs(DLV), 1);
    fake_host_advance(fh, 600);
    put("foo.a", "2");
    commit();
    fake_host_advance(fh, 600); /* 0.6 s after the last delivery */
    ck_assert_uint_eq(n_status(DLV, "100 Idle Heartbeat"), 0);
    fake_host_advance(fh, 500);
    ck_assert_uint_eq(n_status(DLV, "100 Idle Heartbeat"), 1);
    const struct fake_pub *hb = got(DLV, 2);
    ck_assert(fake_pub_is_status(hb, "100 Idle Heartbeat"));
    ck_assert_ptr_nonnull(strstr(hb->data, "Nats-Last-Consumer: 2\r\n"));
    ck_assert_ptr_nonnull(strstr(hb->data, "Nats-Last-Stream: 2\r\n"));
}
END_TEST

/* headers_only: the headers plus Nats-Msg-Size, no payload. */
START_TEST(headers_only)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put_hdr("foo.a", "NATS/1.0\r\nK: v\r\n\r\n", "hello");
    put("foo.a", "abc");
    commit();
    struct js_consumer_config cfg;
    base_cfg(&cfg, false);
    cfg.headers_only = true;
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    pull(2);
    const struct fake_pub *p = nth_msg(INBOX, 0);
    ck_assert_str_eq(p->data, "NATS/1.0\r\nK: v\r\nNats-Msg-Size: 5\r\n\r\n");
    ck_assert_uint_eq(p->hdr_len, p->data_len);
    p = nth_msg(INBOX, 1);
    ck_assert_str_eq(p->data, "NATS/1.0\r\nNats-Msg-Size: 3\r\n\r\n");
}
END_TEST

/* Stored headers travel with the message. */
START_TEST(headers_are_delivered)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put_hdr("foo.a", "NATS/1.0\r\nK: v\r\n\r\n", "hello");
    commit();
    open_pull();
    pull(1);
    const struct fake_pub *p = nth_msg(INBOX, 0);
    ck_assert_uint_eq(p->hdr_len, strlen("NATS/1.0\r\nK: v\r\n\r\n"));
    ck_assert_str_eq(fake_pub_payload(p), "hello");
}
END_TEST

/* Replay original spaces deliveries like the original publishes. */
START_TEST(replay_original)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put("foo.a", "1");
    fh->wall_ns += 2 * SEC;
    put("foo.a", "2");
    commit();
    struct js_consumer_config cfg;
    base_cfg(&cfg, true);
    cfg.replay_policy = JS_REPLAY_ORIGINAL;
    fake_host_interest_add(fh, DLV);
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    ck_assert_uint_eq(n_msgs(DLV), 1);
    fake_host_advance(fh, 1500);
    ck_assert_uint_eq(n_msgs(DLV), 1);
    fake_host_advance(fh, 600);
    ck_assert_uint_eq(n_msgs(DLV), 2);
}
END_TEST

/* ---- Retention, purge, persistence, clean-up ----------------------------- */

/* On an interest stream an acked message leaves the stream. */
START_TEST(interest_stream_drops_acked)
{
    open_stream(JS_RETENTION_INTEREST, "foo.>");
    open_pull();
    put("foo.a", "1");
    put("foo.a", "2");
    commit();
    pull(2);
    ack_nth(INBOX, 0, "+ACK");
    struct store_state ss;
    store_state(stream_store(st), &ss);
    ck_assert_uint_eq(ss.msgs, 1);
    ck_assert_uint_eq(ss.first_seq, 2);
    ck_assert(consumer_needs_msg(con, 2));
    ck_assert(!consumer_needs_msg(con, 1));
}
END_TEST

/* After a purge the floors move to the new first sequence. */
START_TEST(purge_moves_floors)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    for (int i = 0; i < 5; i++)
        put("foo.a", "m");
    commit();
    open_pull();
    pull(2);
    struct js_purge_request pr = {0};
    uint64_t n = 0;
    struct js_error err;
    js_error_clear(&err);
    ck_assert_int_eq(stream_purge(st, &pr, &n, &err), 0);
    ck_assert_uint_eq(n, 5);
    struct js_consumer_state s = state();
    ck_assert_uint_eq(s.num_ack_pending, 0);
    ck_assert_uint_eq(s.ack_floor.stream_seq, 5);
    ck_assert_uint_eq(s.delivered.stream_seq, 5);
    ck_assert_uint_eq(s.num_pending, 0);
    put("foo.a", "new");
    commit();
    pull(1);
    ck_assert_uint_eq(ackinfo(nth_msg(INBOX, 2)).sseq, 6);
}
END_TEST

/* The state written to state_dir survives a close and reopen: delivered,
 * floors and pending, which is redelivered after the ack wait. */
START_TEST(state_survives_reopen)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    for (int i = 0; i < 4; i++)
        put("foo.a", "m");
    commit();
    struct js_consumer_config cfg;
    base_cfg(&cfg, false);
    cfg.ack_wait_ns = 2 * SEC;
    ck_assert_int_eq(open_with(&cfg, tmpdir), 0);
    pull(3);
    ack_nth(INBOX, 0, "+ACK");
    ack_nth(INBOX, 2, "+ACK");
    fake_host_run_deferred(fh); /* the deferred write */
    char path[128];
    snprintf(path, sizeof path, "%s/state", tmpdir);
    ck_assert_int_eq(access(path, F_OK), 0);
    consumer_close(con, false);
    con = NULL;
    ck_assert_uint_eq(fake_host_live_timers(fh), 0);
    fake_host_clear(fh);

    base_cfg(&cfg, false);
    cfg.ack_wait_ns = 2 * SEC;
    ck_assert_int_eq(open_with(&cfg, tmpdir), 0);
    struct js_consumer_state s = state();
    ck_assert_uint_eq(s.delivered.consumer_seq, 3);
    ck_assert_uint_eq(s.delivered.stream_seq, 3);
    ck_assert_uint_eq(s.ack_floor.stream_seq, 1);
    ck_assert_uint_eq(s.num_ack_pending, 1);
    ck_assert_uint_eq(s.num_pending, 1);
    pull(1);
    ck_assert_uint_eq(ackinfo(nth_msg(INBOX, 0)).sseq, 4);
    pull(1);
    fake_host_advance(fh, 2100);
    ck_assert_uint_eq(n_msgs(INBOX), 2);
    struct ackinfo a = ackinfo(nth_msg(INBOX, 1));
    ck_assert_uint_eq(a.sseq, 2);
    ck_assert_uint_eq(a.dc, 2);
    ck_assert_uint_eq(a.dseq, 5);
}
END_TEST

/* A corrupt state file fails the open instead of starting over. */
START_TEST(corrupt_state_refused)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    char path[128];
    snprintf(path, sizeof path, "%s/state", tmpdir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("BLCONS01 garbage that is not a state", f);
    fclose(f);
    struct js_consumer_config cfg;
    base_cfg(&cfg, false);
    ck_assert_int_eq(open_with(&cfg, tmpdir), BL_EIO);
    ck_assert_ptr_null(con);
}
END_TEST

/* The deliver policy's start survives a restart before any delivery. */
START_TEST(start_position_survives_reopen)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put("foo.a", "old");
    commit();
    struct js_consumer_config cfg;
    base_cfg(&cfg, false);
    cfg.deliver_policy = JS_DELIVER_NEW;
    ck_assert_int_eq(open_with(&cfg, tmpdir), 0);
    fake_host_run_deferred(fh);
    consumer_close(con, false);
    con = NULL;
    put("foo.a", "new");
    commit();
    base_cfg(&cfg, false);
    cfg.deliver_policy = JS_DELIVER_NEW;
    ck_assert_int_eq(open_with(&cfg, tmpdir), 0);
    pull(5);
    ck_assert_uint_eq(n_msgs(INBOX), 1);
    ck_assert_str_eq(fake_pub_payload(nth_msg(INBOX, 0)), "new");
}
END_TEST

static void on_gone(void *ctx, struct consumer *c)
{
    n_deleted++;
    ck_assert_ptr_eq(c, con);
    consumer_close(c, true);
    con = NULL;
}

/* An ephemeral pull consumer without requests for inactive_threshold is
 * deleted; requests keep it alive. */
START_TEST(ephemeral_pull_inactive_deleted)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    struct js_consumer_config cfg;
    js_consumer_config_init(&cfg);
    cfg.ack_policy = JS_ACK_EXPLICIT;
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    ck_assert_int_eq(consumer_config(con)->inactive_threshold_ns, 5 * SEC);
    consumer_set_on_delete(con, on_gone, NULL);
    fake_host_advance(fh, 4000);
    pull_req(INBOX, 1, 1 * SEC, false, 0); /* activity at t=4 */
    fake_host_advance(fh, 4500);           /* t=8.5 */
    ck_assert_int_eq(n_deleted, 0);
    fake_host_advance(fh, 1000); /* t=9.5 */
    ck_assert_int_eq(n_deleted, 1);
    ck_assert_ptr_null(con);
    ck_assert_uint_eq(fake_host_live_timers(fh), 0);
    ck_assert_uint_eq(fake_host_live_subs(fh), 0);
    ck_assert_uint_eq(stream_n_consumers(st), 0);
}
END_TEST

/* An ephemeral push consumer without interest for inactive_threshold is
 * deleted; regaining interest in time saves it. */
START_TEST(ephemeral_push_inactive_deleted)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    struct js_consumer_config cfg;
    js_consumer_config_init(&cfg);
    cfg.ack_policy = JS_ACK_EXPLICIT;
    cfg.deliver_subject = bl_xstrdup(DLV);
    cfg.inactive_threshold_ns = 2 * SEC;
    fake_host_interest_add(fh, DLV);
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    consumer_set_on_delete(con, on_gone, NULL);
    fake_host_advance(fh, 5000);
    ck_assert_int_eq(n_deleted, 0);
    fake_host_interest_del(fh, DLV);
    put("foo.a", "x"); /* a delivery attempt notices the lost interest */
    commit();
    fake_host_advance(fh, 1500);
    ck_assert_int_eq(n_deleted, 0);
    fake_host_interest_add(fh, DLV);
    fake_host_advance(fh, 300);
    ck_assert_uint_eq(n_msgs(DLV), 1);
    fake_host_advance(fh, 5000);
    ck_assert_int_eq(n_deleted, 0);
    fake_host_interest_del(fh, DLV);
    fake_host_advance(fh, 300);
    fake_host_advance(fh, 2100);
    ck_assert_int_eq(n_deleted, 1);
    ck_assert_uint_eq(fake_host_live_timers(fh), 0);
}
END_TEST

/* Closing stops every timer and subscription of the consumer. */
START_TEST(close_releases_everything)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    put("foo.a", "1");
    commit();
    struct js_consumer_config cfg;
    base_cfg(&cfg, true);
    cfg.idle_heartbeat_ns = 1 * SEC;
    cfg.flow_control = true;
    cfg.inactive_threshold_ns = 10 * SEC;
    ck_assert_int_eq(open_with(&cfg, tmpdir), 0);
    ck_assert_uint_gt(fake_host_live_timers(fh), 0);
    ck_assert_uint_eq(fake_host_live_subs(fh), 2);
    consumer_close(con, true);
    con = NULL;
    ck_assert_uint_eq(fake_host_live_timers(fh), 0);
    ck_assert_uint_eq(fake_host_live_subs(fh), 0);
    fake_host_run_deferred(fh);
    ck_assert_int_ne(access(tmpdir, F_OK), 0); /* state_dir removed */
}
END_TEST

/* The commands alone rebuild the same state (what a replica would do). */
START_TEST(apply_is_the_only_path)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    for (int i = 0; i < 3; i++)
        put("foo.a", "m");
    commit();
    open_pull();
    struct consumer_cmd cmds[] = {
        {.kind = CONSUMER_CMD_DELIVERED,
         .sseq = 1,
         .dseq = 1,
         .dc = 1,
         .now_ns = 10},
        {.kind = CONSUMER_CMD_DELIVERED,
         .sseq = 2,
         .dseq = 2,
         .dc = 1,
         .now_ns = 11},
        {.kind = CONSUMER_CMD_ACK, .sseq = 2, .dseq = 2, .now_ns = 12},
        {.kind = CONSUMER_CMD_DELIVERED,
         .sseq = 1,
         .dseq = 3,
         .dc = 2,
         .now_ns = 13},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        ck_assert_int_eq(consumer_apply(con, &cmds[i]), 0);
    struct consumer_cmd again = cmds[2];
    ck_assert_int_eq(consumer_apply(con, &again), BL_ENOENT);
    struct js_consumer_state s = state();
    ck_assert_uint_eq(s.delivered.consumer_seq, 3);
    ck_assert_uint_eq(s.delivered.stream_seq, 2);
    ck_assert_uint_eq(s.num_ack_pending, 1);
    ck_assert_uint_eq(s.num_redelivered, 1);
    ck_assert_uint_eq(s.ack_floor.stream_seq, 0);
    ck_assert_uint_eq(s.num_pending, 1);
    struct consumer_cmd ack1 = {
        .kind = CONSUMER_CMD_ACK, .sseq = 1, .dseq = 3, .now_ns = 14};
    ck_assert_int_eq(consumer_apply(con, &ack1), 0);
    s = state();
    ck_assert_uint_eq(s.ack_floor.stream_seq, 2);
    ck_assert_uint_eq(s.ack_floor.consumer_seq, 3);
    ck_assert_uint_eq(s.ack_floor.last_active_ns, 14);
    ck_assert_uint_eq(s.num_redelivered, 0);
}
END_TEST

/* Info carries names, created time, config and state. */
START_TEST(info_fields)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    open_pull();
    struct js_consumer_info ci;
    consumer_info(con, &ci);
    ck_assert_str_eq(ci.stream_name, "S");
    ck_assert_str_eq(ci.name, "C");
    ck_assert_uint_eq(ci.created_ns, 42);
    ck_assert_ptr_eq(ci.config, consumer_config(con));
    ck_assert_int_eq(ci.config->max_waiting, 512);
    ck_assert_ptr_nonnull(ci.state);
    ck_assert_str_eq(consumer_name(con), "C");
}
END_TEST

/* Update: a higher max_ack_pending lets a stalled consumer go on; a changed
 * ack policy is refused. */
START_TEST(update_config)
{
    open_stream(JS_RETENTION_LIMITS, "foo.>");
    for (int i = 0; i < 3; i++)
        put("foo.a", "m");
    commit();
    struct js_consumer_config cfg;
    base_cfg(&cfg, false);
    cfg.max_ack_pending = 1;
    ck_assert_int_eq(open_with(&cfg, NULL), 0);
    pull(3);
    ck_assert_uint_eq(n_msgs(INBOX), 1);
    struct js_consumer_config up;
    js_consumer_config_copy(&up, consumer_config(con));
    up.max_ack_pending = 10;
    struct js_error err;
    js_error_clear(&err);
    ck_assert_int_eq(consumer_update(con, &up, &err), 0);
    ck_assert_uint_eq(n_msgs(INBOX), 3);
    up.ack_policy = JS_ACK_ALL;
    ck_assert_int_eq(consumer_update(con, &up, &err), BL_EINVAL);
    ck_assert_int_eq(err.id, JS_ERR_CONSUMER_CREATE);
    js_consumer_config_close(&up);
}
END_TEST

Suite *consumer_suite(void)
{
    Suite *s = suite_create("js/consumer");
    struct {
        const char *name;
        const TTest *t;
    } tests[] = {
        {"pull_batch", pull_batch_delivers_in_order_with_ack_subjects},
        {"pull_wait", pull_waits_for_new_messages},
        {"pull_404", pull_no_wait_empty_is_404},
        {"pull_no_wait_408", pull_no_wait_partial_ends_with_408},
        {"pull_expires", pull_expires_with_408},
        {"pull_max_waiting", pull_max_waiting_409},
        {"pull_no_interest", pull_request_without_interest_is_dropped},
        {"pull_max_bytes", pull_max_bytes},
        {"pull_limits", pull_request_limits},
        {"pull_heartbeat", pull_idle_heartbeat},
        {"pull_on_push", pull_on_push_consumer_is_409},
        {"delete_409", delete_answers_waiting_requests},
        {"filter", filter_subject},
        {"ack_explicit", ack_explicit_moves_floor},
        {"ack_all", ack_all_acks_prefix},
        {"ack_none", ack_none_tracks_nothing},
        {"ack_sync", ack_sync_gets_reply},
        {"ack_next", ack_next_requests_more},
        {"nak", nak_redelivers},
        {"nak_delay", nak_with_delay},
        {"term", term_stops_redelivery},
        {"progress", progress_resets_ack_wait},
        {"ack_wait", ack_wait_redelivery_and_max_deliver},
        {"backoff", backoff_schedule},
        {"max_ack_pending", max_ack_pending_blocks_then_resumes},
        {"push_interest", push_delivers_with_interest},
        {"push_flow_control", push_flow_control},
        {"push_heartbeat", push_idle_heartbeat},
        {"headers_only", headers_only},
        {"headers", headers_are_delivered},
        {"replay_original", replay_original},
        {"interest_retention", interest_stream_drops_acked},
        {"purge", purge_moves_floors},
        {"persist", state_survives_reopen},
        {"persist_corrupt", corrupt_state_refused},
        {"persist_start", start_position_survives_reopen},
        {"ephemeral_pull", ephemeral_pull_inactive_deleted},
        {"ephemeral_push", ephemeral_push_inactive_deleted},
        {"close", close_releases_everything},
        {"apply", apply_is_the_only_path},
        {"info", info_fields},
        {"update", update_config},
    };
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        TCase *tc = tcase_create(tests[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, tests[i].t);
        suite_add_tcase(s, tc);
    }
    TCase *tc = tcase_create("deliver_policies");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, deliver_policies, 0,
                        (int)(sizeof policy_cases / sizeof policy_cases[0]));
    suite_add_tcase(s, tc);
    return s;
}
