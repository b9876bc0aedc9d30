#include "ballast/buf.h"

#include "ballast/mem.h"

#include <stdio.h>

void bl_buf_init(struct bl_buf *b)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

void bl_buf_close(struct bl_buf *b)
{
    if (b == NULL)
        return;
    bl_free(b->p);
    bl_buf_init(b);
}

void bl_buf_reserve(struct bl_buf *b, size_t n)
{
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->p = bl_xrealloc(b->p, cap);
    b->cap = cap;
}

void bl_buf_append(struct bl_buf *b, const void *p, size_t n)
{
    bl_buf_reserve(b, n);
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void bl_buf_append_str(struct bl_buf *b, const char *s)
{
    bl_buf_append(b, s, strlen(s));
}

size_t bl_u64_to_str(uint64_t v, char *out)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

void bl_buf_append_u64(struct bl_buf *b, uint64_t v)
{
    char tmp[20];
    size_t n = bl_u64_to_str(v, tmp);
    bl_buf_append(b, tmp, n);
}

void bl_buf_vprintf(struct bl_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return;
    bl_buf_reserve(b, (size_t)n);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void bl_buf_printf(struct bl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bl_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void bl_buf_consume(struct bl_buf *b, size_t n)
{
    if (n >= b->len) {
        bl_buf_clear(b);
        return;
    }
    memmove(b->p, b->p + n, b->len - n);
    b->len -= n;
    b->p[b->len] = '\0';
}

void bl_buf_clear(struct bl_buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

char *bl_buf_steal(struct bl_buf *b)
{
    char *p = b->p;
    if (p == NULL)
        p = bl_xstrdup("");
    bl_buf_init(b);
    return p;
}

int64_t bl_parse_size(const char *p, size_t len)
{
    if (len == 0 || len > 18)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}
