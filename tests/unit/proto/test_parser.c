/* Tests for proto/parser.c: every op, every split point, every error. */
#include "suites.h"

#include "ballast/err.h"
#include "ballast/mem.h"
#include "proto/parser.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An op as the callback saw it, copied out (slices die with the callback). */
struct seen_op {
    enum op_kind kind;
    char *subject;
    char *reply;
    char *queue;
    char *sid;
    char *args;
    int64_t max_msgs;
    size_t hdr_len;
    char *data;
    size_t data_len;
    int data_in_place; /* data pointed into the buffer being fed */
};

struct op_log {
    struct seen_op *ops;
    size_t n;
    size_t cap;
    struct bl_buf text;  /* every op rendered, for comparing whole runs */
    size_t stop_after;   /* callback returns 99 after this many ops; 0: never */
    const char *feed_lo; /* the buffer of the parser_feed() in progress */
    const char *feed_hi;
};

static char *copy_slice(struct bl_slice s)
{
    char *c = bl_xmalloc(s.len + 1);
    if (s.len > 0)
        memcpy(c, s.p, s.len);
    c[s.len] = '\0';
    return c;
}

static void op_log_init(struct op_log *log)
{
    memset(log, 0, sizeof(*log));
    bl_buf_init(&log->text);
}

static void op_log_close(struct op_log *log)
{
    for (size_t i = 0; i < log->n; i++) {
        struct seen_op *o = &log->ops[i];
        bl_free(o->subject);
        bl_free(o->reply);
        bl_free(o->queue);
        bl_free(o->sid);
        bl_free(o->args);
        bl_free(o->data);
    }
    bl_free(log->ops);
    bl_buf_close(&log->text);
    memset(log, 0, sizeof(*log));
}

static void render_slice(struct bl_buf *b, struct bl_slice s)
{
    bl_buf_append_u64(b, s.len);
    bl_buf_append(b, ":", 1);
    bl_buf_append(b, s.p, s.len);
    bl_buf_append(b, "|", 1);
}

static int log_op(void *ctx, const struct op *op)
{
    struct op_log *log = ctx;
    if (log->n == log->cap) {
        log->cap = log->cap ? 2 * log->cap : 16;
        log->ops = bl_xrealloc(log->ops, log->cap * sizeof(*log->ops));
    }
    struct seen_op *o = &log->ops[log->n++];
    o->kind = op->kind;
    o->subject = copy_slice(op->subject);
    o->reply = copy_slice(op->reply);
    o->queue = copy_slice(op->queue);
    o->sid = copy_slice(op->sid);
    o->args = copy_slice(op->args);
    o->max_msgs = op->max_msgs;
    o->hdr_len = op->hdr_len;
    o->data = copy_slice(op->data);
    o->data_len = op->data.len;
    o->data_in_place = op->data.p != NULL && op->data.p >= log->feed_lo &&
                       op->data.p + op->data.len <= log->feed_hi;

    bl_buf_printf(&log->text, "%d|", (int)op->kind);
    render_slice(&log->text, op->subject);
    render_slice(&log->text, op->reply);
    render_slice(&log->text, op->queue);
    render_slice(&log->text, op->sid);
    render_slice(&log->text, op->args);
    bl_buf_printf(&log->text, "%lld|%zu|", (long long)op->max_msgs,
                  op->hdr_len);
    render_slice(&log->text, op->data);
    bl_buf_append(&log->text, "\n", 1);

    if (log->stop_after > 0 && log->n >= log->stop_after)
        return 99;
    return 0;
}

static int feed(struct parser *parser, struct op_log *log, const char *buf,
                size_t len)
{
    log->feed_lo = buf;
    log->feed_hi = buf + len;
    return parser_feed(parser, buf, len, log_op, log);
}

static int feed_str(struct parser *parser, struct op_log *log, const char *s)
{
    return feed(parser, log, s, strlen(s));
}

/* Outcome of feeding a whole stream in some number of pieces. */
struct run {
    int rv;                  /* first nonzero parser_feed() result, or 0 */
    enum parser_error error; /* p->error at the end */
    size_t n_ops;
    char *text; /* rendered ops; free with bl_free() */
};

/* Feeds `in` cut at the ascending offsets cuts[0..n_cuts), stopping at the
 * first nonzero return as a connection would. Each piece is copied into its
 * own allocation so that ASan catches slices kept past their feed. */
static struct run run_cuts(const struct proto_limits *limits, const char *in,
                           size_t len, const size_t *cuts, size_t n_cuts)
{
    struct parser parser;
    struct op_log log;
    parser_init(&parser, limits);
    op_log_init(&log);
    struct run r = {0, PARSER_OK, 0, NULL};
    size_t from = 0;
    for (size_t i = 0; i <= n_cuts && r.rv == 0; i++) {
        size_t to = i < n_cuts ? cuts[i] : len;
        size_t n = to - from;
        char *piece = bl_xmalloc(n ? n : 1);
        memcpy(piece, in + from, n);
        r.rv = feed(&parser, &log, piece, n);
        bl_free(piece);
        from = to;
    }
    r.error = parser.error;
    r.n_ops = log.n;
    r.text = bl_xstrdup(log.text.p ? log.text.p : "");
    op_log_close(&log);
    parser_close(&parser);
    return r;
}

static struct run run_whole(const struct proto_limits *limits, const char *in,
                            size_t len)
{
    return run_cuts(limits, in, len, NULL, 0);
}

static void assert_same_run(const struct run *want, const struct run *got,
                            const char *how)
{
    ck_assert_msg(got->rv == want->rv, "%s: rv %d, want %d", how, got->rv,
                  want->rv);
    ck_assert_msg(got->error == want->error, "%s: error %d, want %d", how,
                  (int)got->error, (int)want->error);
    ck_assert_msg(strcmp(got->text, want->text) == 0,
                  "%s: ops differ:\n%s\nwant:\n%s", how, got->text, want->text);
}

/* Checks that `in` gives the same ops and outcome fed whole, cut once at
 * every offset, cut twice at every pair of offsets, and one byte at a time.
 * Returns the whole-feed run. */
static struct run assert_split_invariant(const struct proto_limits *limits,
                                         const char *in, size_t len)
{
    struct run whole = run_whole(limits, in, len);
    char how[64];
    for (size_t i = 0; i <= len; i++) {
        struct run r = run_cuts(limits, in, len, &i, 1);
        snprintf(how, sizeof(how), "cut at %zu", i);
        assert_same_run(&whole, &r, how);
        bl_free(r.text);
        for (size_t j = i + 1; j < len && len <= 400; j++) {
            size_t cuts[2] = {i, j};
            r = run_cuts(limits, in, len, cuts, 2);
            snprintf(how, sizeof(how), "cuts at %zu and %zu", i, j);
            assert_same_run(&whole, &r, how);
            bl_free(r.text);
        }
    }
    size_t *cuts = bl_xmalloc((len + 1) * sizeof(*cuts));
    for (size_t i = 0; i < len; i++)
        cuts[i] = i + 1;
    struct run r = run_cuts(limits, in, len, cuts, len ? len - 1 : 0);
    assert_same_run(&whole, &r, "one byte at a time");
    bl_free(r.text);
    bl_free(cuts);
    return whole;
}

static struct parser p;
static struct op_log seen;

static void setup(void)
{
    parser_init(&p, &proto_limits_default);
    op_log_init(&seen);
}

static void teardown(void)
{
    op_log_close(&seen);
    parser_close(&p);
}

/* The defaults match nats-server's: 4 KiB control lines, 1 MiB payloads. */
START_TEST(default_limits_match_nats_server)
{
    ck_assert_uint_eq(proto_limits_default.max_control_line, 4096);
    ck_assert_uint_eq(proto_limits_default.max_payload, 1048576);
}
END_TEST

/* CONNECT hands out its JSON, trimmed. */
START_TEST(connect_hands_out_json)
{
    ck_assert_int_eq(feed_str(&p, &seen, "CONNECT  {\"verbose\":false} \r\n"),
                     0);
    ck_assert_uint_eq(seen.n, 1);
    ck_assert_int_eq(seen.ops[0].kind, OP_CONNECT);
    ck_assert_str_eq(seen.ops[0].args, "{\"verbose\":false}");
}
END_TEST

/* PUB without reply: subject, empty reply, payload without CRLF. */
START_TEST(pub_without_reply)
{
    ck_assert_int_eq(feed_str(&p, &seen, "PUB orders.new 5\r\nhello\r\n"), 0);
    ck_assert_uint_eq(seen.n, 1);
    ck_assert_int_eq(seen.ops[0].kind, OP_PUB);
    ck_assert_str_eq(seen.ops[0].subject, "orders.new");
    ck_assert_str_eq(seen.ops[0].reply, "");
    ck_assert_uint_eq(seen.ops[0].data_len, 5);
    ck_assert_str_eq(seen.ops[0].data, "hello");
    ck_assert_uint_eq(seen.ops[0].hdr_len, 0);
}
END_TEST

/* PUB with reply subject. */
START_TEST(pub_with_reply)
{
    ck_assert_int_eq(feed_str(&p, &seen, "PUB a.b _INBOX.x 2\r\nhi\r\n"), 0);
    ck_assert_uint_eq(seen.n, 1);
    ck_assert_str_eq(seen.ops[0].subject, "a.b");
    ck_assert_str_eq(seen.ops[0].reply, "_INBOX.x");
    ck_assert_str_eq(seen.ops[0].data, "hi");
}
END_TEST

/* A zero-byte payload is a valid PUB. */
START_TEST(pub_with_empty_payload)
{
    ck_assert_int_eq(feed_str(&p, &seen, "PUB a 0\r\n\r\nPING\r\n"), 0);
    ck_assert_uint_eq(seen.n, 2);
    ck_assert_int_eq(seen.ops[0].kind, OP_PUB);
    ck_assert_uint_eq(seen.ops[0].data_len, 0);
    ck_assert_int_eq(seen.ops[1].kind, OP_PING);
}
END_TEST

/* A payload may contain CR, LF and NUL bytes: only the size counts. */
START_TEST(pub_payload_may_contain_crlf)
{
    static const char in[] = "PUB a 6\r\nx\r\n\0yz\r\n";
    ck_assert_int_eq(feed(&p, &seen, in, sizeof(in) - 1), 0);
    ck_assert_uint_eq(seen.n, 1);
    ck_assert_uint_eq(seen.ops[0].data_len, 6);
    ck_assert_mem_eq(seen.ops[0].data, "x\r\n\0yz", 6);
}
END_TEST

/* HPUB: header size and total size; data holds headers then payload. */
START_TEST(hpub_without_reply)
{
    ck_assert_int_eq(
        feed_str(&p, &seen, "HPUB a 12 17\r\nNATS/1.0\r\n\r\nhello\r\n"), 0);
    ck_assert_uint_eq(seen.n, 1);
    ck_assert_int_eq(seen.ops[0].kind, OP_HPUB);
    ck_assert_str_eq(seen.ops[0].subject, "a");
    ck_assert_str_eq(seen.ops[0].reply, "");
    ck_assert_uint_eq(seen.ops[0].hdr_len, 12);
    ck_assert_uint_eq(seen.ops[0].data_len, 17);
    ck_assert_str_eq(seen.ops[0].data, "NATS/1.0\r\n\r\nhello");
}
END_TEST

/* HPUB with reply subject; header may make up the whole data. */
START_TEST(hpub_with_reply)
{
    ck_assert_int_eq(
        feed_str(&p, &seen, "HPUB a r 12 12\r\nNATS/1.0\r\n\r\n\r\n"), 0);
    ck_assert_uint_eq(seen.n, 1);
    ck_assert_str_eq(seen.ops[0].reply, "r");
    ck_assert_uint_eq(seen.ops[0].hdr_len, 12);
    ck_assert_uint_eq(seen.ops[0].data_len, 12);
}
END_TEST

/* SUB with and without queue group. */
START_TEST(sub_with_and_without_queue)
{
    ck_assert_int_eq(feed_str(&p, &seen, "SUB a.* 1\r\nSUB b q 22\r\n"), 0);
    ck_assert_uint_eq(seen.n, 2);
    ck_assert_int_eq(seen.ops[0].kind, OP_SUB);
    ck_assert_str_eq(seen.ops[0].subject, "a.*");
    ck_assert_str_eq(seen.ops[0].queue, "");
    ck_assert_str_eq(seen.ops[0].sid, "1");
    ck_assert_str_eq(seen.ops[1].subject, "b");
    ck_assert_str_eq(seen.ops[1].queue, "q");
    ck_assert_str_eq(seen.ops[1].sid, "22");
}
END_TEST

/* UNSUB with max gives the number; without it max_msgs is -1. */
START_TEST(unsub_with_and_without_max)
{
    ck_assert_int_eq(feed_str(&p, &seen, "UNSUB 7\r\nUNSUB 8 10\r\n"), 0);
    ck_assert_uint_eq(seen.n, 2);
    ck_assert_int_eq(seen.ops[0].kind, OP_UNSUB);
    ck_assert_str_eq(seen.ops[0].sid, "7");
    ck_assert_int_eq(seen.ops[0].max_msgs, -1);
    ck_assert_str_eq(seen.ops[1].sid, "8");
    ck_assert_int_eq(seen.ops[1].max_msgs, 10);
}
END_TEST

/* PING, PONG and +OK take no arguments. */
START_TEST(ping_pong_ok)
{
    ck_assert_int_eq(feed_str(&p, &seen, "PING\r\nPONG\r\n+OK\r\n"), 0);
    ck_assert_uint_eq(seen.n, 3);
    ck_assert_int_eq(seen.ops[0].kind, OP_PING);
    ck_assert_int_eq(seen.ops[1].kind, OP_PONG);
    ck_assert_int_eq(seen.ops[2].kind, OP_OK);
}
END_TEST

/* PING, PONG and +OK may carry trailing spaces and tabs. */
START_TEST(ping_pong_ok_allow_trailing_whitespace)
{
    ck_assert_int_eq(feed_str(&p, &seen, "PING \r\nPONG\t\r\n+OK  \t\r\n"), 0);
    ck_assert_uint_eq(seen.n, 3);
    ck_assert_int_eq(seen.ops[2].kind, OP_OK);
}
END_TEST

/* INFO hands out its JSON. */
START_TEST(info_hands_out_json)
{
    ck_assert_int_eq(feed_str(&p, &seen, "INFO {\"server_id\":\"x\"}\r\n"), 0);
    ck_assert_uint_eq(seen.n, 1);
    ck_assert_int_eq(seen.ops[0].kind, OP_INFO);
    ck_assert_str_eq(seen.ops[0].args, "{\"server_id\":\"x\"}");
}
END_TEST

/* -ERR hands out its text without the single quotes. */
START_TEST(err_text_loses_quotes)
{
    ck_assert_int_eq(
        feed_str(&p, &seen, "-ERR 'Stale Connection'\r\n-ERR bare\r\n"), 0);
    ck_assert_uint_eq(seen.n, 2);
    ck_assert_int_eq(seen.ops[0].kind, OP_ERR);
    ck_assert_str_eq(seen.ops[0].args, "Stale Connection");
    ck_assert_str_eq(seen.ops[1].args, "bare");
}
END_TEST

/* Op names are case-insensitive. */
START_TEST(ops_are_case_insensitive)
{
    ck_assert_int_eq(feed_str(&p, &seen,
                              "pub a 1\r\nx\r\nPuB b 1\r\ny\r\nhpub c 0 0\r\n"
                              "\r\nsub a 1\r\nunsub 1\r\nping\r\npOnG\r\n"
                              "connect {}\r\ninfo {}\r\n+ok\r\n-err 'x'\r\n"),
                     0);
    ck_assert_uint_eq(seen.n, 11);
    static const enum op_kind want[] = {OP_PUB,   OP_PUB,  OP_HPUB, OP_SUB,
                                        OP_UNSUB, OP_PING, OP_PONG, OP_CONNECT,
                                        OP_INFO,  OP_OK,   OP_ERR};
    for (size_t i = 0; i < 11; i++)
        ck_assert_int_eq(seen.ops[i].kind, want[i]);
    ck_assert_str_eq(seen.ops[1].subject, "b");
}
END_TEST

/* Arguments may be separated by runs of spaces and tabs. */
START_TEST(tabs_and_runs_of_spaces_separate_arguments)
{
    ck_assert_int_eq(
        feed_str(&p, &seen, "PUB\ta\t \tr  3 \r\nabc\r\nSUB\t\tx\tq\t9\t\r\n"),
        0);
    ck_assert_uint_eq(seen.n, 2);
    ck_assert_str_eq(seen.ops[0].subject, "a");
    ck_assert_str_eq(seen.ops[0].reply, "r");
    ck_assert_str_eq(seen.ops[0].data, "abc");
    ck_assert_str_eq(seen.ops[1].subject, "x");
    ck_assert_str_eq(seen.ops[1].queue, "q");
    ck_assert_str_eq(seen.ops[1].sid, "9");
}
END_TEST

/* A control line may end in a bare "\n". */
START_TEST(bare_newline_ends_control_line)
{
    ck_assert_int_eq(feed_str(&p, &seen, "PING\nPUB a 2\nhi\r\nSUB a 1\n"), 0);
    ck_assert_uint_eq(seen.n, 3);
    ck_assert_int_eq(seen.ops[0].kind, OP_PING);
    ck_assert_str_eq(seen.ops[1].data, "hi");
    ck_assert_str_eq(seen.ops[2].sid, "1");
}
END_TEST

/* A PUB split across two reads is delivered once, payload intact. */
START_TEST(pub_split_across_reads_is_delivered_once)
{
    ck_assert_int_eq(feed_str(&p, &seen, "PUB orders.new 5\r\nhel"), 0);
    ck_assert_uint_eq(seen.n, 0);
    ck_assert_int_eq(feed_str(&p, &seen, "lo\r\n"), 0);
    ck_assert_uint_eq(seen.n, 1);
    ck_assert_str_eq(seen.ops[0].subject, "orders.new");
    ck_assert_mem_eq(seen.ops[0].data, "hello", 5);
}
END_TEST

/* HPUB split inside the headers and inside the payload. */
START_TEST(hpub_split_in_headers_and_payload)
{
    ck_assert_int_eq(feed_str(&p, &seen, "HPUB a r 18 23\r\nNATS/1.0\r\nK:"),
                     0);
    ck_assert_int_eq(feed_str(&p, &seen, " v\r\n\r\nhel"), 0);
    ck_assert_uint_eq(seen.n, 0);
    ck_assert_int_eq(feed_str(&p, &seen, "lo\r"), 0);
    ck_assert_uint_eq(seen.n, 0);
    ck_assert_int_eq(feed_str(&p, &seen, "\n"), 0);
    ck_assert_uint_eq(seen.n, 1);
    ck_assert_int_eq(seen.ops[0].kind, OP_HPUB);
    ck_assert_str_eq(seen.ops[0].reply, "r");
    ck_assert_uint_eq(seen.ops[0].hdr_len, 18);
    ck_assert_str_eq(seen.ops[0].data, "NATS/1.0\r\nK: v\r\n\r\nhello");
}
END_TEST

/* Many PUBs in one buffer give one callback each, payloads in place. */
START_TEST(pipelined_pubs_give_one_callback_each_without_copying)
{
    struct bl_buf in;
    bl_buf_init(&in);
    for (int i = 0; i < 200; i++)
        bl_buf_printf(&in, "PUB s.%d 3\r\n%03d\r\n", i, i);
    ck_assert_int_eq(feed(&p, &seen, in.p, in.len), 0);
    ck_assert_uint_eq(seen.n, 200);
    for (int i = 0; i < 200; i++) {
        char subj[16], data[16];
        snprintf(subj, sizeof(subj), "s.%d", i);
        snprintf(data, sizeof(data), "%03d", i);
        ck_assert_str_eq(seen.ops[i].subject, subj);
        ck_assert_str_eq(seen.ops[i].data, data);
        ck_assert_int_eq(seen.ops[i].data_in_place, 1);
    }
    bl_buf_close(&in);
}
END_TEST

/* A big payload arriving in many reads is assembled, and the parser goes
 * on with the next op. */
START_TEST(big_payload_in_many_reads)
{
    size_t size = 300000;
    struct bl_buf in;
    bl_buf_init(&in);
    bl_buf_printf(&in, "PUB big %zu\r\n", size);
    size_t data_off = in.len;
    for (size_t i = 0; i < size; i++)
        bl_buf_append(&in, &"abcdefg"[i % 7], 1);
    bl_buf_append_str(&in, "\r\nPUB small 1\r\nx\r\n");
    for (size_t off = 0; off < in.len; off += 4096) {
        size_t n = in.len - off < 4096 ? in.len - off : 4096;
        ck_assert_int_eq(feed(&p, &seen, in.p + off, n), 0);
    }
    ck_assert_uint_eq(seen.n, 2);
    ck_assert_uint_eq(seen.ops[0].data_len, size);
    ck_assert_mem_eq(seen.ops[0].data, in.p + data_off, size);
    ck_assert_str_eq(seen.ops[1].data, "x");
    bl_buf_close(&in);
}
END_TEST

/* The stream every split test cuts up: every op kind, with the quirks. */
static const char all_ops[] =
    "CONNECT {\"verbose\":false,\"pedantic\":false}\r\n"
    "PING\r\n"
    "PUB a.b 5\r\nhello\r\n"
    "pub a.b reply.to 0\r\n\r\n"
    "HPUB h 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"
    "hpub\th\trep\t12\t12\r\nNATS/1.0\r\n\r\n\r\n"
    "SUB s 1\r\n"
    "sub  s  q  2 \n"
    "UNSUB 1\r\n"
    "UNSUB 2 5\r\n"
    "PONG \r\n"
    "+OK\r\n"
    "-ERR 'Permissions Violation'\r\n"
    "INFO {}\n"
    "PUB x 4\r\n\r\n\r\n\r\n";

/* The same stream cut anywhere, or fed a byte at a time, gives the same
 * ops as fed whole. */
START_TEST(any_split_gives_the_same_ops)
{
    struct run whole = assert_split_invariant(&proto_limits_default, all_ops,
                                              sizeof(all_ops) - 1);
    ck_assert_int_eq(whole.rv, 0);
    ck_assert_uint_eq(whole.n_ops, 15);
    bl_free(whole.text);
}
END_TEST

/* The callback's nonzero return stops parsing; the rest is dropped. */
START_TEST(callback_can_stop_parsing)
{
    seen.stop_after = 2;
    ck_assert_int_eq(feed_str(&p, &seen, "PING\r\nPONG\r\nPING\r\n"), 99);
    ck_assert_uint_eq(seen.n, 2);
}
END_TEST

/* After a stop, p.consumed says where it stopped; feeding the rest resumes
 * with the very next op, including one whose payload was split. */
START_TEST(stopped_feed_resumes_from_consumed)
{
    const char *in = "CONNECT {}\r\nPUB a 5\r\nhello\r\nPUB b 2\r\nhi\r\n";
    seen.stop_after = 1;
    ck_assert_int_eq(feed_str(&p, &seen, in), 99);
    ck_assert_uint_eq(p.consumed, strlen("CONNECT {}\r\n"));
    seen.stop_after = 2;
    ck_assert_int_eq(feed_str(&p, &seen, in + p.consumed), 99);
    ck_assert_uint_eq(seen.n, 2);
    ck_assert_str_eq(seen.ops[1].subject, "a");
    const char *rest = strstr(in, "PUB b");
    ck_assert_ptr_eq(in + strlen("CONNECT {}\r\n") + p.consumed, rest);
    seen.stop_after = 0;
    ck_assert_int_eq(feed_str(&p, &seen, rest), 0);
    ck_assert_uint_eq(seen.n, 3);
    ck_assert_mem_eq(seen.ops[2].data, "hi", 2);
}
END_TEST

/* A stop at the end of a payload that was assembled across reads counts
 * only the bytes of the read that finished it. */
START_TEST(stop_after_split_payload_counts_this_feed_only)
{
    seen.stop_after = 1;
    ck_assert_int_eq(feed_str(&p, &seen, "PUB a 5\r\nhe"), 0);
    ck_assert_int_eq(feed_str(&p, &seen, "llo\r\nPING\r\n"), 99);
    ck_assert_uint_eq(p.consumed, 5);
}
END_TEST

/* Bad input: each row gives exactly this error after this many ops. */
static const struct {
    const char *in;
    enum parser_error error;
    size_t n_ops;
} bad_input[] = {
    {"FOO\r\n", PARSER_EUNKNOWN, 0},
    {"\r\n", PARSER_EUNKNOWN, 0},
    {" PING\r\n", PARSER_EUNKNOWN, 0},
    {"PINGX\r\n", PARSER_EUNKNOWN, 0},
    {"PUBX a 1\r\n", PARSER_EUNKNOWN, 0},
    {"MSG a 1 2\r\n", PARSER_EUNKNOWN, 0},
    {"PIN\r\n", PARSER_EUNKNOWN, 0},
    {"\vOK\r\n", PARSER_EUNKNOWN, 0},
    {"PING\r\nPUB a 1\r\nx\r\nFOO", PARSER_EUNKNOWN, 2},
    {"PUB a 1\r\nxy\r\n", PARSER_EUNKNOWN, 0},
    {"PUB a 1\r\nx\nPING\r\n", PARSER_EUNKNOWN, 0},
    {"PUB a 1\r\nx\n\r", PARSER_EUNKNOWN, 0},
    {"PUB\r\n", PARSER_EARGS, 0},
    {"PUB a\r\n", PARSER_EARGS, 0},
    {"PUB a b c 1\r\n", PARSER_EARGS, 0},
    {"PUB a x\r\n", PARSER_EARGS, 0},
    {"PUB a -1\r\n", PARSER_EARGS, 0},
    {"PUB a 1a\r\n", PARSER_EARGS, 0},
    {"PUB a +1\r\n", PARSER_EARGS, 0},
    {"HPUB a 1\r\n", PARSER_EARGS, 0},
    {"HPUB a 5 3\r\n", PARSER_EARGS, 0},
    {"HPUB a x 3\r\n", PARSER_EARGS, 0},
    {"HPUB a b c 1 2\r\n", PARSER_EARGS, 0},
    {"SUB a\r\n", PARSER_EARGS, 0},
    {"SUB a b c d\r\n", PARSER_EARGS, 0},
    {"UNSUB\r\n", PARSER_EARGS, 0},
    {"UNSUB 1 x\r\n", PARSER_EARGS, 0},
    {"UNSUB 1 -1\r\n", PARSER_EARGS, 0},
    {"UNSUB 1 2 3\r\n", PARSER_EARGS, 0},
    {"UNSUB 1 99999999999999999999\r\n", PARSER_EARGS, 0},
    {"CONNECT\r\n", PARSER_EARGS, 0},
    {"CONNECT \t \r\n", PARSER_EARGS, 0},
    {"INFO\r\n", PARSER_EARGS, 0},
    {"-ERR\r\n", PARSER_EARGS, 0},
    {"PING x\r\n", PARSER_EARGS, 0},
    {"+OK ok\r\n", PARSER_EARGS, 0},
    {"PUB a 1048577\r\n", PARSER_EPAYLOAD, 0},
    {"PUB a 99999999999999999999999999\r\n", PARSER_EPAYLOAD, 0},
    {"HPUB a 1 1048577\r\n", PARSER_EPAYLOAD, 0},
    {"PING\r\nhpub a r 0 2000000\r\n", PARSER_EPAYLOAD, 1},
};

#define N_BAD_INPUT (sizeof(bad_input) / sizeof(bad_input[0]))

/* Each bad input fails with its own error, however it is split, and the
 * ops before it still come out. */
START_TEST(bad_input_gives_exact_error)
{
    const char *in = bad_input[_i].in;
    struct run whole =
        assert_split_invariant(&proto_limits_default, in, strlen(in));
    ck_assert_msg(whole.rv == BL_EPROTO, "row %d: rv %d", _i, whole.rv);
    ck_assert_msg(whole.error == bad_input[_i].error, "row %d: error %d", _i,
                  (int)whole.error);
    ck_assert_msg(whole.n_ops == bad_input[_i].n_ops, "row %d: %zu ops", _i,
                  whole.n_ops);
    bl_free(whole.text);
}
END_TEST

/* After an error the parser refuses more input. */
START_TEST(feeding_after_error_keeps_failing)
{
    ck_assert_int_eq(feed_str(&p, &seen, "BOGUS\r\n"), BL_EPROTO);
    ck_assert_int_eq(p.error, PARSER_EUNKNOWN);
    ck_assert_int_eq(feed_str(&p, &seen, "PING\r\n"), BL_EPROTO);
    ck_assert_int_eq(feed_str(&p, &seen, "PING\r\n"), BL_EPROTO);
    ck_assert_uint_eq(seen.n, 0);
    ck_assert_int_eq(p.error, PARSER_EUNKNOWN);
}
END_TEST

/* A control line over the limit fails while it is still arriving. */
START_TEST(long_control_line_fails_before_its_end)
{
    ck_assert_int_eq(feed_str(&p, &seen, "PUB "), 0);
    char chunk[1024];
    memset(chunk, 'a', sizeof(chunk));
    int rv = 0;
    int n_chunks = 0;
    while (rv == 0 && n_chunks < 10) {
        rv = feed(&p, &seen, chunk, sizeof(chunk));
        n_chunks++;
    }
    ck_assert_int_eq(rv, BL_EPROTO);
    ck_assert_int_eq(p.error, PARSER_ECONTROL_LINE);
    ck_assert_int_eq(n_chunks, 4); /* 4 + 4096 bytes > 4096 */
}
END_TEST

/* The limit counts the line without its CRLF: exactly at it passes, one
 * byte more fails, split or whole. */
START_TEST(control_line_limit_is_exact)
{
    struct proto_limits lim = {16, 100};
    /* "SUB abcdefghi 12" is 16 bytes. */
    static const char ok[] = "SUB abcdefghi 12\r\nPING \t  \r\n";
    static const char bad[] = "SUB abcdefghij 12\r\n";
    static const char bad_ping[] = "PING             \r\n";
    struct run r = assert_split_invariant(&lim, ok, sizeof(ok) - 1);
    ck_assert_int_eq(r.rv, 0);
    ck_assert_uint_eq(r.n_ops, 2);
    bl_free(r.text);
    r = assert_split_invariant(&lim, bad, sizeof(bad) - 1);
    ck_assert_int_eq(r.rv, BL_EPROTO);
    ck_assert_int_eq(r.error, PARSER_ECONTROL_LINE);
    bl_free(r.text);
    r = assert_split_invariant(&lim, bad_ping, sizeof(bad_ping) - 1);
    ck_assert_int_eq(r.error, PARSER_ECONTROL_LINE);
    bl_free(r.text);
}
END_TEST

/* With a tiny limit an unknown op still reads as unknown, wherever the
 * input is cut. */
START_TEST(tiny_limit_still_reports_unknown_op)
{
    struct proto_limits lim = {3, 100};
    static const char in[] = "CONNEX {}\r\n";
    struct run r = assert_split_invariant(&lim, in, sizeof(in) - 1);
    ck_assert_int_eq(r.error, PARSER_EUNKNOWN);
    bl_free(r.text);
}
END_TEST

/* A size above max_payload fails as soon as the control line is complete,
 * before any payload; a size at the limit is fine. */
START_TEST(payload_limit_checked_on_control_line)
{
    parser_close(&p);
    struct proto_limits lim = {4096, 10};
    parser_init(&p, &lim);
    ck_assert_int_eq(feed_str(&p, &seen, "PUB a 10\r\n0123456789\r\n"), 0);
    ck_assert_uint_eq(seen.n, 1);
    ck_assert_int_eq(feed_str(&p, &seen, "HPUB a 2 11\r"), 0);
    ck_assert_int_eq(feed_str(&p, &seen, "\n"), BL_EPROTO);
    ck_assert_int_eq(p.error, PARSER_EPAYLOAD);
    ck_assert_uint_eq(seen.n, 1);
}
END_TEST

/* Each error has nats-server's quoted -ERR text. */
START_TEST(error_texts_match_nats_server)
{
    ck_assert_str_eq(parser_error_text(PARSER_EUNKNOWN),
                     "'Unknown Protocol Operation'");
    ck_assert_str_eq(parser_error_text(PARSER_ECONTROL_LINE),
                     "'maximum control line exceeded'");
    ck_assert_str_eq(parser_error_text(PARSER_EPAYLOAD),
                     "'Maximum Payload Violation'");
    const char *args = parser_error_text(PARSER_EARGS);
    ck_assert_int_eq(args[0], '\'');
    ck_assert_int_eq(args[strlen(args) - 1], '\'');
    ck_assert_uint_gt(strlen(args), 2);
}
END_TEST

static void add(Suite *s, const char *name, const TTest *t)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, t);
    suite_add_tcase(s, tc);
}

Suite *parser_suite(void)
{
    Suite *s = suite_create("proto/parser");
    add(s, "limits", default_limits_match_nats_server);
    add(s, "connect", connect_hands_out_json);
    add(s, "pub", pub_without_reply);
    add(s, "pub_reply", pub_with_reply);
    add(s, "pub_empty", pub_with_empty_payload);
    add(s, "pub_crlf_payload", pub_payload_may_contain_crlf);
    add(s, "hpub", hpub_without_reply);
    add(s, "hpub_reply", hpub_with_reply);
    add(s, "sub", sub_with_and_without_queue);
    add(s, "unsub", unsub_with_and_without_max);
    add(s, "ping_pong_ok", ping_pong_ok);
    add(s, "trailing_ws", ping_pong_ok_allow_trailing_whitespace);
    add(s, "info", info_hands_out_json);
    add(s, "err", err_text_loses_quotes);
    add(s, "case", ops_are_case_insensitive);
    add(s, "tabs", tabs_and_runs_of_spaces_separate_arguments);
    add(s, "bare_lf", bare_newline_ends_control_line);
    add(s, "split_pub", pub_split_across_reads_is_delivered_once);
    add(s, "split_hpub", hpub_split_in_headers_and_payload);
    add(s, "pipelined", pipelined_pubs_give_one_callback_each_without_copying);
    add(s, "big_payload", big_payload_in_many_reads);
    add(s, "any_split", any_split_gives_the_same_ops);
    add(s, "stop", callback_can_stop_parsing);
    add(s, "resume", stopped_feed_resumes_from_consumed);
    add(s, "resume_split", stop_after_split_payload_counts_this_feed_only);
    add(s, "after_error", feeding_after_error_keeps_failing);
    add(s, "long_line", long_control_line_fails_before_its_end);
    add(s, "line_limit", control_line_limit_is_exact);
    add(s, "tiny_limit", tiny_limit_still_reports_unknown_op);
    add(s, "payload_limit", payload_limit_checked_on_control_line);
    add(s, "error_text", error_texts_match_nats_server);

    TCase *tc = tcase_create("bad_input");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, bad_input_gives_exact_error, 0, (int)N_BAD_INPUT);
    suite_add_tcase(s, tc);
    return s;
}
