/* JSON writing the way nats-server's Go encoding/json writes it, so replies
 * match byte for byte: strings escape '<', '>' and '&' as \u003c..., control
 * bytes as \u00XX, invalid UTF-8 as \ufffd; times are RFC 3339 with the
 * trailing zeros of the fraction dropped, and the zero time (our 0) is
 * "0001-01-01T00:00:00Z"; durations are integer nanoseconds.
 *
 * The writers append to a bl_buf and put the comma themselves: a key or an
 * array element written right after '{' or '[' gets none, any other gets
 * one. Also the RFC 3339 parser for times in requests. No jansson here. */
#ifndef BALLAST_JS_API_JSON_H
#define BALLAST_JS_API_JSON_H

#include "ballast/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Size of a buffer that holds any time js_json_time_str() writes. */
#define JS_TIME_STR_SIZE 48

/* Writes `unix_ns` (nanoseconds since the epoch, may be negative) as Go's
 * RFC3339Nano in UTC: "2022-01-02T03:04:05.5Z". Returns the length. */
size_t js_json_time_str(int64_t unix_ns, char *out);

/* Parses an RFC 3339 time ("2006-01-02T15:04:05.999999999Z07:00", offset
 * "Z" or "+hh:mm") into nanoseconds since the epoch. Returns 0, or
 * BL_EINVAL if malformed or outside what int64 nanoseconds can hold. */
int js_json_time_parse(const char *s, size_t len, int64_t *unix_ns);

/* Appends ',' unless the buffer is empty or ends with '{', '[' or ':'. */
void js_json_sep(struct bl_buf *b);

/* Appends `s` as a quoted, escaped JSON string; NULL is written as "". */
void js_json_str(struct bl_buf *b, const char *s);
void js_json_strn(struct bl_buf *b, const char *s, size_t len);

/* Appends a separator (js_json_sep) and "key": . */
void js_json_key(struct bl_buf *b, const char *key);

/* Key and value in one call. */
void js_json_kv_str(struct bl_buf *b, const char *key, const char *s);
void js_json_kv_i64(struct bl_buf *b, const char *key, int64_t v);
void js_json_kv_u64(struct bl_buf *b, const char *key, uint64_t v);
void js_json_kv_bool(struct bl_buf *b, const char *key, bool v);

/* "key":"<time>" for wall-clock nanoseconds; 0 is Go's zero time,
 * "0001-01-01T00:00:00Z" (what nats-server shows for an empty stream's
 * first_ts). */
void js_json_kv_time(struct bl_buf *b, const char *key, uint64_t wall_ns);

/* "key":"<base64>" (standard alphabet, padded), as Go encodes []byte. */
void js_json_kv_base64(struct bl_buf *b, const char *key, const void *data,
                       size_t len);

#endif
