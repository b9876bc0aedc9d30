/* Growable byte buffer and read-only slices.
 *
 * struct bl_buf owns its bytes; struct bl_slice borrows bytes owned by
 * someone else (usually a read buffer) and is valid only as long as they
 * are. Neither knows anything about sockets. */
#ifndef BALLAST_BUF_H
#define BALLAST_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct bl_slice {
    const char *p;
    size_t len;
};

#define BL_SLICE_LIT(s) ((struct bl_slice){(s), sizeof(s) - 1})

static inline struct bl_slice bl_slice_of(const char *s)
{
    return (struct bl_slice){s, s ? strlen(s) : 0};
}

static inline int bl_slice_eq(struct bl_slice a, struct bl_slice b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static inline int bl_slice_eq_str(struct bl_slice a, const char *s)
{
    return bl_slice_eq(a, bl_slice_of(s));
}

struct bl_buf {
    char *p;    /* bytes, NUL-terminated when cap > 0 */
    size_t len; /* bytes in use, terminator excluded */
    size_t cap; /* bytes allocated */
};

void bl_buf_init(struct bl_buf *b);
void bl_buf_close(struct bl_buf *b);

/* Makes room for `n` more bytes (aborts on allocation failure). */
void bl_buf_reserve(struct bl_buf *b, size_t n);
void bl_buf_append(struct bl_buf *b, const void *p, size_t n);
void bl_buf_append_str(struct bl_buf *b, const char *s);
void bl_buf_append_u64(struct bl_buf *b, uint64_t v);
void bl_buf_printf(struct bl_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void bl_buf_vprintf(struct bl_buf *b, const char *fmt, va_list ap);

/* Drops the first `n` bytes, moving the rest to the front. */
void bl_buf_consume(struct bl_buf *b, size_t n);
void bl_buf_clear(struct bl_buf *b);

/* Hands the bytes to the caller (free with bl_free()); b becomes empty. */
char *bl_buf_steal(struct bl_buf *b);

/* Writes decimal `v` into `out` (at least 20 bytes), returns the length. */
size_t bl_u64_to_str(uint64_t v, char *out);

/* Parses a non-negative decimal; returns -1 if empty, not a number or > 2^62. */
int64_t bl_parse_size(const char *p, size_t len);

#endif
