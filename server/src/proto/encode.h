/* NATS client protocol encoder: server-to-client frames appended to a
 * buffer. Pure code, no sockets. */
#ifndef BALLAST_PROTO_ENCODE_H
#define BALLAST_PROTO_ENCODE_H

#include "ballast/buf.h"

#include <stddef.h>

/* Appends "MSG <subject> <sid> [reply] <len>\r\n<data>\r\n" when hdr_len is 0,
 * else "HMSG <subject> <sid> [reply] <hdr_len> <len>\r\n<data>\r\n". */
void encode_msg(struct bl_buf *out, struct bl_slice subject,
                struct bl_slice sid, struct bl_slice reply, size_t hdr_len,
                struct bl_slice data);

/* Appends only the control line of encode_msg() (CRLF included), so the
 * caller may write the data separately. */
void encode_msg_line(struct bl_buf *out, struct bl_slice subject,
                     struct bl_slice sid, struct bl_slice reply,
                     size_t hdr_len, size_t data_len);

/* Appends "-ERR <text>\r\n"; text is sent as given (callers quote it). */
void encode_err(struct bl_buf *out, const char *text);

/* Appends "INFO <json>\r\n". */
void encode_info(struct bl_buf *out, const char *json);

#endif
