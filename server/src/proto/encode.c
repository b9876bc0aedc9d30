/* NATS server-to-client frames. encode_msg_line() runs once per delivered
 * message, so it writes straight into the buffer instead of formatting. */
#include "proto/encode.h"

#include <string.h>

/* "HMSG " + 3 separators + hdr_len + ' ' + len + "\r\n", generously. */
#define MSG_LINE_FIXED (5 + 3 + 20 + 1 + 20 + 2)

static inline char *put(char *w, const char *s, size_t n)
{
    if (n > 0)
        memcpy(w, s, n);
    return w + n;
}

static void finish(struct bl_buf *out, char *w)
{
    out->len = (size_t)(w - out->p);
    out->p[out->len] = '\0';
}

static char *write_msg_line(char *w, struct bl_slice subject,
                            struct bl_slice sid, struct bl_slice reply,
                            size_t hdr_len, size_t data_len)
{
    if (hdr_len > 0)
        w = put(w, "HMSG ", 5);
    else
        w = put(w, "MSG ", 4);
    w = put(w, subject.p, subject.len);
    *w++ = ' ';
    w = put(w, sid.p, sid.len);
    *w++ = ' ';
    if (reply.len > 0) {
        w = put(w, reply.p, reply.len);
        *w++ = ' ';
    }
    if (hdr_len > 0) {
        w += bl_u64_to_str(hdr_len, w);
        *w++ = ' ';
    }
    w += bl_u64_to_str(data_len, w);
    *w++ = '\r';
    *w++ = '\n';
    return w;
}

void encode_msg_line(struct bl_buf *out, struct bl_slice subject,
                     struct bl_slice sid, struct bl_slice reply, size_t hdr_len,
                     size_t data_len)
{
    bl_buf_reserve(out, MSG_LINE_FIXED + subject.len + sid.len + reply.len);
    char *w = write_msg_line(out->p + out->len, subject, sid, reply, hdr_len,
                             data_len);
    finish(out, w);
}

void encode_msg(struct bl_buf *out, struct bl_slice subject,
                struct bl_slice sid, struct bl_slice reply, size_t hdr_len,
                struct bl_slice data)
{
    bl_buf_reserve(out, MSG_LINE_FIXED + subject.len + sid.len + reply.len +
                            data.len + 2);
    char *w = write_msg_line(out->p + out->len, subject, sid, reply, hdr_len,
                             data.len);
    w = put(w, data.p, data.len);
    *w++ = '\r';
    *w++ = '\n';
    finish(out, w);
}

static void encode_line(struct bl_buf *out, const char *op, size_t op_len,
                        const char *text)
{
    size_t n = strlen(text);
    bl_buf_reserve(out, op_len + n + 2);
    char *w = put(out->p + out->len, op, op_len);
    w = put(w, text, n);
    *w++ = '\r';
    *w++ = '\n';
    finish(out, w);
}

void encode_err(struct bl_buf *out, const char *text)
{
    encode_line(out, "-ERR ", 5, text);
}

void encode_info(struct bl_buf *out, const char *json)
{
    encode_line(out, "INFO ", 5, json);
}
