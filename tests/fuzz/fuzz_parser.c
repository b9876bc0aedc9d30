/* libFuzzer target for proto/parser.c.
 *
 * Beyond crashes, it checks the parser's central promise: where reads split
 * the input never changes the outcome. The first input byte picks the
 * limits and a cut point; the rest is fed three ways (whole, cut once at
 * that point, one byte at a time) and the three runs must give the same ops
 * and the same final result, or the target aborts. Every piece is fed from
 * its own exact-size allocation, freed right after, so ASan catches reads
 * past a piece and slices kept past their parser_feed(). */
#include "ballast/buf.h"
#include "ballast/err.h"
#include "proto/parser.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Small limits let short inputs reach the limit checks. */
static const struct proto_limits small_limits = {32, 64};

struct trace {
    const struct proto_limits *limits;
    struct bl_buf ops; /* every op, serialized */
    size_t n_ops;
};

struct outcome {
    int rv;
    enum parser_error error;
};

static void put_slice(struct bl_buf *b, struct bl_slice s)
{
    if (s.len > 0 && s.p == NULL) {
        fprintf(stderr, "fuzz_parser: slice with length and no bytes\n");
        abort();
    }
    bl_buf_append_u64(b, s.len);
    bl_buf_append(b, ":", 1);
    bl_buf_append(b, s.p, s.len);
}

static int record(void *ctx, const struct op *op)
{
    struct trace *t = ctx;
    if ((op->kind == OP_PUB || op->kind == OP_HPUB) &&
        (op->data.len > t->limits->max_payload || op->hdr_len > op->data.len)) {
        fprintf(stderr, "fuzz_parser: op breaks limits: len=%zu hdr=%zu\n",
                op->data.len, op->hdr_len);
        abort();
    }
    bl_buf_append_u64(&t->ops, (uint64_t)op->kind);
    put_slice(&t->ops, op->subject);
    put_slice(&t->ops, op->reply);
    put_slice(&t->ops, op->queue);
    put_slice(&t->ops, op->sid);
    put_slice(&t->ops, op->args);
    bl_buf_append_u64(&t->ops, (uint64_t)op->max_msgs);
    bl_buf_append_u64(&t->ops, op->hdr_len);
    put_slice(&t->ops, op->data);
    bl_buf_append(&t->ops, "\n", 1);
    t->n_ops++;
    return 0;
}

/* Feeds in[0..len) in pieces of at most `step` bytes, except that the
 * first piece ends at `cut` when cut > 0. */
static struct outcome run(struct trace *t, const uint8_t *in, size_t len,
                          size_t cut, size_t step)
{
    struct parser p;
    parser_init(&p, t->limits);
    struct outcome o = {0, PARSER_OK};
    size_t off = 0;
    while (off < len && o.rv == 0) {
        size_t n = len - off;
        if (off == 0 && cut > 0)
            n = cut;
        else if (n > step)
            n = step;
        char *piece = malloc(n);
        if (piece == NULL)
            abort();
        memcpy(piece, in + off, n);
        o.rv = parser_feed(&p, piece, n, record, t);
        free(piece);
        off += n;
    }
    o.error = p.error;
    if (o.rv == BL_EPROTO) {
        if (o.error == PARSER_OK ||
            parser_feed(&p, "PING\r\n", 6, record, t) != BL_EPROTO) {
            fprintf(stderr, "fuzz_parser: parser usable after error\n");
            abort();
        }
    } else if (o.rv != 0 || o.error != PARSER_OK) {
        fprintf(stderr, "fuzz_parser: rv=%d error=%d\n", o.rv, (int)o.error);
        abort();
    }
    parser_close(&p);
    return o;
}

static void compare(const char *how, const struct trace *want,
                    struct outcome want_o, const struct trace *got,
                    struct outcome got_o)
{
    if (want_o.rv == got_o.rv && want_o.error == got_o.error &&
        want->n_ops == got->n_ops && want->ops.len == got->ops.len &&
        (want->ops.len == 0 ||
         memcmp(want->ops.p, got->ops.p, want->ops.len) == 0))
        return;
    fprintf(stderr,
            "fuzz_parser: %s differs from whole feed: rv %d/%d error %d/%d "
            "ops %zu/%zu\n",
            how, got_o.rv, want_o.rv, (int)got_o.error, (int)want_o.error,
            got->n_ops, want->n_ops);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const struct proto_limits *limits =
        (data[0] & 0x80) ? &small_limits : &proto_limits_default;
    const uint8_t *in = data + 1;
    size_t len = size - 1;
    size_t cut = len * (size_t)(data[0] & 0x7f) / 0x7f;

    struct trace whole = {limits, {NULL, 0, 0}, 0};
    struct trace split = {limits, {NULL, 0, 0}, 0};
    struct trace bytes = {limits, {NULL, 0, 0}, 0};
    struct outcome whole_o = run(&whole, in, len, 0, SIZE_MAX);
    struct outcome split_o = run(&split, in, len, cut, SIZE_MAX);
    compare("cut feed", &whole, whole_o, &split, split_o);
    struct outcome bytes_o = run(&bytes, in, len, 0, 1);
    compare("byte-at-a-time feed", &whole, whole_o, &bytes, bytes_o);

    bl_buf_close(&whole.ops);
    bl_buf_close(&split.ops);
    bl_buf_close(&bytes.ops);
    return 0;
}
