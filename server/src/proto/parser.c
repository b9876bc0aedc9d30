/* NATS client protocol decoder.
 *
 * The parser works a control line at a time: memchr() finds the '\n', the
 * line is split into its op name and arguments, and for PUB/HPUB the payload
 * and its "\r\n" follow. When all of that is in the caller's buffer (the
 * common case) the op is handed out as slices into it; otherwise the bytes
 * collected so far are kept in p->pending and the op is handed out from
 * there once it is complete.
 *
 * Where the input splits must never change the outcome: the same bytes give
 * the same ops and the same error however they are cut into reads. The
 * checks on an incomplete line (check_partial()) are therefore written to
 * agree with parse_line() on every possible completion of that line. */
#include "proto/parser.h"

#include "ballast/err.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

enum parser_state {
    ST_LINE = 0, /* expecting a control line; pending holds its start */
    ST_PAYLOAD,  /* collecting the payload of p->cur into pending */
    ST_ERROR     /* a protocol violation happened; refuse more input */
};

/* Longest op name: "CONNECT". */
#define OP_NAME_MAX 7

/* After an op larger than this was assembled in pending, the buffer is freed
 * rather than kept, so that idle connections hold little memory. */
#define PENDING_KEEP_MAX (64 * 1024)

/* Most arguments any op takes (HPUB: subject reply hdr_size total_size). */
#define ARGS_MAX 4

const struct proto_limits proto_limits_default = {4096, 1048576};

struct op_name {
    const char *lower; /* the name in lower case */
    size_t len;
    enum op_kind kind;
};

/* PUB first: it is by far the most frequent op. */
static const struct op_name op_names[] = {
    {"pub", 3, OP_PUB},         {"hpub", 4, OP_HPUB}, {"sub", 3, OP_SUB},
    {"unsub", 5, OP_UNSUB},     {"ping", 4, OP_PING}, {"pong", 4, OP_PONG},
    {"connect", 7, OP_CONNECT}, {"info", 4, OP_INFO}, {"+ok", 3, OP_OK},
    {"-err", 4, OP_ERR},
};

#define N_OP_NAMES (sizeof(op_names) / sizeof(op_names[0]))

static inline int is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Case-insensitive compare of s[0..n) with the start of a lower-case name.
 * Only letters fold: "\v" must not pass for "+". */
static inline int name_matches(const char *s, size_t n, const char *lower)
{
    for (size_t i = 0; i < n; i++) {
        char want = lower[i];
        char c = s[i];
        if (want >= 'a' && want <= 'z')
            c = (char)(c | 0x20);
        if (c != want)
            return 0;
    }
    return 1;
}

/* Finds the op whose whole name is s[0..n). */
static int op_lookup(const char *s, size_t n, enum op_kind *kind)
{
    for (size_t i = 0; i < N_OP_NAMES; i++) {
        if (op_names[i].len == n && name_matches(s, n, op_names[i].lower)) {
            *kind = op_names[i].kind;
            return 1;
        }
    }
    return 0;
}

/* Whether s[0..n) could still grow into an op name. */
static int op_is_prefix(const char *s, size_t n)
{
    for (size_t i = 0; i < N_OP_NAMES; i++) {
        if (op_names[i].len >= n && name_matches(s, n, op_names[i].lower))
            return 1;
    }
    return 0;
}

/* Parses a size field. Only decimal digits are allowed; values too large for
 * 64 bits saturate at UINT64_MAX (they are above any limit anyway). */
static int parse_u64(struct bl_slice s, uint64_t *out)
{
    if (s.len == 0)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < s.len; i++) {
        unsigned d = (unsigned)(unsigned char)s.p[i] - '0';
        if (d > 9)
            return -1;
        if (v > (UINT64_MAX - d) / 10)
            v = UINT64_MAX;
        else
            v = v * 10 + d;
    }
    *out = v;
    return 0;
}

static struct bl_slice trim(const char *s, size_t n)
{
    while (n > 0 && is_space(*s)) {
        s++;
        n--;
    }
    while (n > 0 && is_space(s[n - 1]))
        n--;
    return (struct bl_slice){n ? s : NULL, n};
}

/* Parses one complete control line (without its '\n') into `op`. For PUB
 * and HPUB op->data.len is the payload size and op->data.p is left NULL.
 * The checks run in the order check_partial() relies on: op name, then line
 * length, then arguments. */
static enum parser_error parse_line(const struct parser *p, const char *line,
                                    size_t len, struct op *op)
{
    if (len > 0 && line[len - 1] == '\r')
        len--;
    const char *end = line + len;
    const char *s = line;
    while (s < end && !is_space(*s))
        s++;
    if (!op_lookup(line, (size_t)(s - line), &op->kind))
        return PARSER_EUNKNOWN;
    if (len > p->limits.max_control_line)
        return PARSER_ECONTROL_LINE;

    static const struct bl_slice none = {NULL, 0};
    op->subject = none;
    op->reply = none;
    op->queue = none;
    op->sid = none;
    op->max_msgs = -1;
    op->args = none;
    op->hdr_len = 0;
    op->data = none;

    switch (op->kind) {
    case OP_PING:
    case OP_PONG:
    case OP_OK:
        return trim(s, (size_t)(end - s)).len == 0 ? PARSER_OK : PARSER_EARGS;
    case OP_CONNECT:
    case OP_INFO:
    case OP_ERR:
        /* The op name must be followed by whitespace, as in nats-server. */
        if (s == end)
            return PARSER_EARGS;
        op->args = trim(s, (size_t)(end - s));
        if (op->kind == OP_ERR) {
            if (op->args.len >= 2 && op->args.p[0] == '\'' &&
                op->args.p[op->args.len - 1] == '\'') {
                op->args.p++;
                op->args.len -= 2;
            }
            return PARSER_OK;
        }
        return op->args.len > 0 ? PARSER_OK : PARSER_EARGS;
    default:
        break;
    }

    /* PUB, HPUB, SUB, UNSUB: whitespace-separated tokens. */
    struct bl_slice tok[ARGS_MAX];
    size_t n = 0;
    for (;;) {
        while (s < end && is_space(*s))
            s++;
        if (s == end)
            break;
        if (n == ARGS_MAX)
            return PARSER_EARGS;
        const char *start = s;
        while (s < end && !is_space(*s))
            s++;
        tok[n].p = start;
        tok[n].len = (size_t)(s - start);
        n++;
    }

    uint64_t size, hdr, max;
    switch (op->kind) {
    case OP_PUB:
        if (n != 2 && n != 3)
            return PARSER_EARGS;
        if (parse_u64(tok[n - 1], &size) != 0)
            return PARSER_EARGS;
        if (size > p->limits.max_payload)
            return PARSER_EPAYLOAD;
        op->subject = tok[0];
        if (n == 3)
            op->reply = tok[1];
        op->data.len = (size_t)size;
        return PARSER_OK;
    case OP_HPUB:
        if (n != 3 && n != 4)
            return PARSER_EARGS;
        if (parse_u64(tok[n - 2], &hdr) != 0 ||
            parse_u64(tok[n - 1], &size) != 0 || hdr > size)
            return PARSER_EARGS;
        if (size > p->limits.max_payload)
            return PARSER_EPAYLOAD;
        op->subject = tok[0];
        if (n == 4)
            op->reply = tok[1];
        op->hdr_len = (size_t)hdr;
        op->data.len = (size_t)size;
        return PARSER_OK;
    case OP_SUB:
        if (n != 2 && n != 3)
            return PARSER_EARGS;
        op->subject = tok[0];
        if (n == 3)
            op->queue = tok[1];
        op->sid = tok[n - 1];
        return PARSER_OK;
    case OP_UNSUB:
        if (n != 1 && n != 2)
            return PARSER_EARGS;
        op->sid = tok[0];
        if (n == 2) {
            if (parse_u64(tok[1], &max) != 0 || max > INT64_MAX)
                return PARSER_EARGS;
            op->max_msgs = (int64_t)max;
        }
        return PARSER_OK;
    default:
        return PARSER_EUNKNOWN;
    }
}

/* Checks the start of a control line whose '\n' has not arrived: the bytes
 * in pending followed by more[0..n). Fails only where parse_line() would
 * fail for every completion of the line: the op name can no longer become a
 * known one, or the line is already longer than the limit. The length is
 * judged only once the op name is complete, since parse_line() reports an
 * unknown op before a long line. */
static enum parser_error check_partial(const struct parser *p, const char *more,
                                       size_t n)
{
    size_t have = p->pending.len;
    size_t total = have + n;
    if (total == 0)
        return PARSER_OK;
    char last = n > 0 ? more[n - 1] : p->pending.p[have - 1];
    /* A trailing '\r' may be the start of the terminator. */
    size_t trimmed = total - (last == '\r');

    char head[OP_NAME_MAX + 1];
    size_t head_len = trimmed < sizeof(head) ? trimmed : sizeof(head);
    for (size_t i = 0; i < head_len; i++)
        head[i] = i < have ? p->pending.p[i] : more[i - have];

    size_t name_len = 0;
    while (name_len < head_len && !is_space(head[name_len]))
        name_len++;
    enum op_kind kind;
    if (name_len == head_len) {
        /* No whitespace yet: the name may still be growing, unless it is
         * already no op's prefix (or longer than any op name). */
        return op_is_prefix(head, name_len) ? PARSER_OK : PARSER_EUNKNOWN;
    }
    if (!op_lookup(head, name_len, &kind))
        return PARSER_EUNKNOWN;
    if (trimmed > p->limits.max_control_line)
        return PARSER_ECONTROL_LINE;
    return PARSER_OK;
}

static int fail(struct parser *p, enum parser_error e)
{
    p->error = e;
    p->state = ST_ERROR;
    bl_buf_close(&p->pending);
    p->line_len = 0;
    p->need = 0;
    return BL_EPROTO;
}

static void reset_pending(struct parser *p)
{
    if (p->pending.cap > PENDING_KEEP_MAX)
        bl_buf_close(&p->pending);
    else
        bl_buf_clear(&p->pending);
    p->line_len = 0;
}

/* Hands out p->cur once its payload and trailer are all in pending. */
static int finish_payload(struct parser *p, parser_op_cb cb, void *ctx)
{
    const char *data = p->pending.p + p->line_len;
    size_t size = p->cur.data.len;
    /* nats-server treats anything but "\r\n" after the payload as a
     * parse error. */
    if (data[size] != '\r' || data[size + 1] != '\n')
        return fail(p, PARSER_EUNKNOWN);
    p->cur.data.p = data;
    p->state = ST_LINE;
    int rv = cb(ctx, &p->cur);
    reset_pending(p);
    return rv;
}

void parser_init(struct parser *p, const struct proto_limits *limits)
{
    memset(p, 0, sizeof(*p));
    p->limits = limits ? *limits : proto_limits_default;
    /* Payload size + CRLF must not overflow. */
    assert(p->limits.max_payload < SIZE_MAX / 2);
    p->error = PARSER_OK;
    p->state = ST_LINE;
    bl_buf_init(&p->pending);
}

void parser_close(struct parser *p)
{
    if (p == NULL)
        return;
    bl_buf_close(&p->pending);
}

int parser_feed(struct parser *p, const char *buf, size_t len, parser_op_cb cb,
                void *ctx)
{
    if (p->state == ST_ERROR)
        return BL_EPROTO;
    const char *start = buf;
    const char *end = buf + len;
    p->consumed = len;
    while (buf < end) {
        size_t avail = (size_t)(end - buf);
        if (p->state == ST_PAYLOAD) {
            size_t n = avail < p->need ? avail : p->need;
            /* Room was reserved when the payload started: no realloc, so
             * the slices in p->cur stay valid. */
            bl_buf_append(&p->pending, buf, n);
            buf += n;
            p->need -= n;
            if (p->need > 0)
                return 0;
            int rv = finish_payload(p, cb, ctx);
            if (rv != 0) {
                p->consumed = (size_t)(buf - start);
                return rv;
            }
            continue;
        }

        const char *nl = memchr(buf, '\n', avail);
        enum parser_error err;
        if (nl == NULL) {
            err = check_partial(p, buf, avail);
            if (err != PARSER_OK)
                return fail(p, err);
            bl_buf_append(&p->pending, buf, avail);
            return 0;
        }

        const char *line = buf;
        size_t line_len = (size_t)(nl - buf);
        int in_pending = p->pending.len > 0;
        if (in_pending) {
            /* Vet the line before copying what may be a lot of bytes. */
            err = check_partial(p, buf, line_len);
            if (err != PARSER_OK)
                return fail(p, err);
            bl_buf_append(&p->pending, buf, line_len);
            line = p->pending.p;
            line_len = p->pending.len;
        }
        buf = nl + 1;

        struct op op;
        err = parse_line(p, line, line_len, &op);
        if (err != PARSER_OK)
            return fail(p, err);

        int rv;
        if (op.kind != OP_PUB && op.kind != OP_HPUB) {
            rv = cb(ctx, &op);
            if (in_pending)
                reset_pending(p);
            if (rv != 0) {
                p->consumed = (size_t)(buf - start);
                return rv;
            }
            continue;
        }

        size_t size = op.data.len;
        avail = (size_t)(end - buf);
        if (avail >= size + 2) {
            /* The payload is all here: hand it out in place, even when the
             * control line itself had to be assembled. */
            if (buf[size] != '\r' || buf[size + 1] != '\n')
                return fail(p, PARSER_EUNKNOWN);
            op.data.p = buf;
            buf += size + 2;
            rv = cb(ctx, &op);
            if (in_pending)
                reset_pending(p);
            if (rv != 0) {
                p->consumed = (size_t)(buf - start);
                return rv;
            }
            continue;
        }

        /* The payload is split: keep the line and collect the payload
         * behind it. Reserve it all now (size is within max_payload), then
         * point p->cur at the line's final home. */
        if (!in_pending)
            bl_buf_append(&p->pending, line, line_len);
        p->line_len = p->pending.len;
        bl_buf_reserve(&p->pending, size + 2);
        err = parse_line(p, p->pending.p, p->line_len, &p->cur);
        assert(err == PARSER_OK); /* the same bytes parsed a moment ago */
        (void)err;
        p->need = size + 2;
        p->state = ST_PAYLOAD;
    }
    return 0;
}

const char *parser_error_text(enum parser_error e)
{
    switch (e) {
    case PARSER_OK:
        return "";
    case PARSER_EUNKNOWN:
        return "'Unknown Protocol Operation'";
    case PARSER_ECONTROL_LINE:
        return "'maximum control line exceeded'";
    case PARSER_EPAYLOAD:
        return "'Maximum Payload Violation'";
    case PARSER_EARGS:
        return "'Invalid Protocol Arguments'";
    }
    return "'Unknown Protocol Operation'";
}
