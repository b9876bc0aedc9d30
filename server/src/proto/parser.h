/* NATS client protocol decoder: bytes in, one op per complete command out.
 *
 * A pure state machine: it knows nothing of sockets, subjects' meaning,
 * accounts or JetStream, so it can be unit-tested at every split point and
 * fuzzed. Input may be split at any byte; a command that arrives whole in
 * one parser_feed() is handed out without copying (slices into the caller's
 * buffer), a split one is assembled in the parser's own buffer. */
#ifndef BALLAST_PROTO_PARSER_H
#define BALLAST_PROTO_PARSER_H

#include "ballast/buf.h"

#include <stddef.h>
#include <stdint.h>

enum op_kind {
    OP_CONNECT, /* CONNECT {json}        args */
    OP_PUB,     /* PUB subj [reply] n    subject, reply, data */
    OP_HPUB,    /* HPUB subj [reply] h n subject, reply, hdr_len, data */
    OP_SUB,     /* SUB subj [queue] sid  subject, queue, sid */
    OP_UNSUB,   /* UNSUB sid [max]       sid, max_msgs */
    OP_PING,
    OP_PONG,
    OP_INFO, /* INFO {json}  args (clients do not normally send it) */
    OP_OK,   /* +OK */
    OP_ERR   /* -ERR 'text'  args (text without quotes) */
};

struct op {
    enum op_kind kind;
    struct bl_slice subject; /* PUB, HPUB, SUB */
    struct bl_slice reply;   /* PUB, HPUB; len 0 when absent */
    struct bl_slice queue;   /* SUB; len 0 when absent */
    struct bl_slice sid;     /* SUB, UNSUB */
    int64_t max_msgs;        /* UNSUB; -1 when absent */
    struct bl_slice args;    /* CONNECT, INFO: the JSON; ERR: the text */
    size_t hdr_len;          /* HPUB: header bytes at the start of data */
    struct bl_slice data;    /* PUB, HPUB: headers + payload, no CRLF */
};

/* Why parser_feed() failed; parser_error_text() gives the -ERR text. */
enum parser_error {
    PARSER_OK = 0,
    PARSER_EUNKNOWN,      /* unknown operation or garbage */
    PARSER_ECONTROL_LINE, /* control line longer than the limit */
    PARSER_EPAYLOAD,      /* PUB/HPUB size above max_payload */
    PARSER_EARGS          /* wrong number or form of arguments */
};

struct proto_limits {
    size_t max_control_line; /* bytes, default 4096 */
    size_t max_payload;      /* bytes, default 1 MiB */
};

extern const struct proto_limits proto_limits_default;

struct parser {
    struct proto_limits limits;
    enum parser_error error; /* set when parser_feed() fails */
    size_t consumed; /* bytes of the last feed used; less than its length
                        when the callback stopped parsing */
    /* Private state below. */
    int state;
    struct bl_buf pending; /* partial control line and/or payload */
    struct op cur;         /* op whose payload is being collected */
    size_t need;           /* payload bytes (incl. CRLF) still to come */
    size_t line_len;       /* control line bytes already in pending */
};

/* Returns nonzero to stop parsing (the connection is closing). */
typedef int (*parser_op_cb)(void *ctx, const struct op *op);

void parser_init(struct parser *p, const struct proto_limits *limits);
void parser_close(struct parser *p);

/* Feeds `len` bytes. Calls `cb` once per complete op, in order; slices in
 * the op are valid only until the callback returns. Returns 0 when all
 * bytes were consumed, the callback's positive value if it asked to stop
 * (p->consumed then tells how much of buf was used: feeding the rest later
 * resumes where it stopped), or BL_EPROTO with p->error set on a
 * protocol violation (the parser must not be fed again). */
int parser_feed(struct parser *p, const char *buf, size_t len,
                parser_op_cb cb, void *ctx);

/* The text nats-server sends after "-ERR " for an error, e.g.
 * "'Unknown Protocol Operation'" (quotes included). */
const char *parser_error_text(enum parser_error e);

#endif
