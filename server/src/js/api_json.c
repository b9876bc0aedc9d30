/* JSON writers matching Go's encoding/json output, and RFC 3339 times. */
#include "js/api_json.h"

#include "ballast/err.h"

#include <stdio.h>
#include <string.h>

#define NS_PER_SEC 1000000000LL
#define SECS_PER_DAY 86400LL

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). The
 * usual era-based computation, valid for any year in int64 range we use. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

size_t js_json_time_str(int64_t unix_ns, char *out)
{
    int64_t secs = unix_ns / NS_PER_SEC;
    int64_t frac = unix_ns % NS_PER_SEC;
    if (frac < 0) {
        frac += NS_PER_SEC;
        secs -= 1;
    }
    int64_t days = secs / SECS_PER_DAY;
    int64_t sod = secs % SECS_PER_DAY;
    if (sod < 0) {
        sod += SECS_PER_DAY;
        days -= 1;
    }
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    int n = snprintf(out, JS_TIME_STR_SIZE, "%04lld-%02u-%02uT%02d:%02d:%02d",
                     (long long)y, m, d, (int)(sod / 3600),
                     (int)(sod / 60 % 60), (int)(sod % 60));
    if (frac != 0) {
        char digits[10];
        snprintf(digits, sizeof digits, "%09lld", (long long)frac);
        int len = 9;
        while (digits[len - 1] == '0')
            len--;
        n += snprintf(out + n, JS_TIME_STR_SIZE - (size_t)n, ".%.*s", len,
                      digits);
    }
    out[n++] = 'Z';
    out[n] = '\0';
    return (size_t)n;
}

/* Reads exactly `n` digits at *p. */
static int digits(const char **p, const char *end, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (*p >= end || **p < '0' || **p > '9')
            return -1;
        x = x * 10 + (**p - '0');
        (*p)++;
    }
    *v = x;
    return 0;
}

static int expect(const char **p, const char *end, char c)
{
    if (*p >= end || **p != c)
        return -1;
    (*p)++;
    return 0;
}

int js_json_time_parse(const char *s, size_t len, int64_t *unix_ns)
{
    const char *p = s, *end = s + len;
    int year, mon, day, hh, mm, ss;
    if (digits(&p, end, 4, &year) || expect(&p, end, '-') ||
        digits(&p, end, 2, &mon) || expect(&p, end, '-') ||
        digits(&p, end, 2, &day))
        return BL_EINVAL;
    if (p >= end || (*p != 'T' && *p != 't'))
        return BL_EINVAL;
    p++;
    if (digits(&p, end, 2, &hh) || expect(&p, end, ':') ||
        digits(&p, end, 2, &mm) || expect(&p, end, ':') ||
        digits(&p, end, 2, &ss))
        return BL_EINVAL;
    int64_t frac = 0;
    if (p < end && *p == '.') {
        p++;
        int n = 0;
        while (p < end && *p >= '0' && *p <= '9') {
            /* Digits past nanoseconds are dropped, as Go does. */
            if (n < 9)
                frac = frac * 10 + (*p - '0');
            n++;
            p++;
        }
        if (n == 0)
            return BL_EINVAL;
        for (int i = n; i < 9; i++)
            frac *= 10;
    }
    int64_t offset_s = 0;
    if (p < end && (*p == 'Z' || *p == 'z')) {
        p++;
    } else if (p < end && (*p == '+' || *p == '-')) {
        int sign = *p == '-' ? -1 : 1;
        int oh, om;
        p++;
        if (digits(&p, end, 2, &oh) || expect(&p, end, ':') ||
            digits(&p, end, 2, &om) || oh > 23 || om > 59)
            return BL_EINVAL;
        offset_s = sign * (oh * 3600 + om * 60);
    } else {
        return BL_EINVAL;
    }
    if (p != end)
        return BL_EINVAL;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || hh > 23 ||
        mm > 59 || ss > 59)
        return BL_EINVAL;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (mon == 2 && day == 29 && !leap)
        return BL_EINVAL;
    int64_t secs =
        days_from_civil(year, (unsigned)mon, (unsigned)day) * SECS_PER_DAY +
        hh * 3600 + mm * 60 + ss - offset_s;
    int64_t ns;
    if (__builtin_mul_overflow(secs, NS_PER_SEC, &ns) ||
        __builtin_add_overflow(ns, frac, &ns))
        return BL_EINVAL;
    *unix_ns = ns;
    return 0;
}

void js_json_sep(struct bl_buf *b)
{
    if (b->len == 0)
        return;
    char last = b->p[b->len - 1];
    if (last != '{' && last != '[' && last != ':')
        bl_buf_append(b, ",", 1);
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t avail)
{
    unsigned c = p[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if ((c & 0xe0) == 0xc0) {
        n = 2;
        min = 0x80;
        c &= 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3;
        min = 0x800;
        c &= 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4;
        min = 0x10000;
        c &= 0x07;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    return n;
}

void js_json_strn(struct bl_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    bl_buf_reserve(b, len + 2);
    bl_buf_append(b, "\"", 1);
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c >= 0x80) {
            size_t n = utf8_len(p + i, len - i);
            if (n == 0) {
                bl_buf_append_str(b, "\\ufffd");
                i++;
                continue;
            }
            /* U+2028 and U+2029 are escaped for JavaScript's sake. */
            if (n == 3 && c == 0xe2 && p[i + 1] == 0x80 &&
                (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
                bl_buf_append_str(b, p[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
            } else {
                bl_buf_append(b, p + i, n);
            }
            i += n;
            continue;
        }
        switch (c) {
        case '"':
            bl_buf_append_str(b, "\\\"");
            break;
        case '\\':
            bl_buf_append_str(b, "\\\\");
            break;
        case '\n':
            bl_buf_append_str(b, "\\n");
            break;
        case '\r':
            bl_buf_append_str(b, "\\r");
            break;
        case '\t':
            bl_buf_append_str(b, "\\t");
            break;
        case '<':
        case '>':
        case '&':
            goto escape;
        default:
            if (c < 0x20)
                goto escape;
            bl_buf_append(b, &c, 1);
        }
        i++;
        continue;
    escape : {
        char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
        bl_buf_append(b, u, sizeof u);
        i++;
    }
    }
    bl_buf_append(b, "\"", 1);
}

void js_json_str(struct bl_buf *b, const char *s)
{
    js_json_strn(b, s ? s : "", s ? strlen(s) : 0);
}

void js_json_key(struct bl_buf *b, const char *key)
{
    js_json_sep(b);
    js_json_str(b, key);
    bl_buf_append(b, ":", 1);
}

void js_json_kv_str(struct bl_buf *b, const char *key, const char *s)
{
    js_json_key(b, key);
    js_json_str(b, s);
}

void js_json_kv_i64(struct bl_buf *b, const char *key, int64_t v)
{
    js_json_key(b, key);
    bl_buf_printf(b, "%lld", (long long)v);
}

void js_json_kv_u64(struct bl_buf *b, const char *key, uint64_t v)
{
    js_json_key(b, key);
    bl_buf_append_u64(b, v);
}

void js_json_kv_bool(struct bl_buf *b, const char *key, bool v)
{
    js_json_key(b, key);
    bl_buf_append_str(b, v ? "true" : "false");
}

void js_json_kv_time(struct bl_buf *b, const char *key, uint64_t wall_ns)
{
    char t[JS_TIME_STR_SIZE];
    js_json_key(b, key);
    if (wall_ns == 0) {
        js_json_str(b, "0001-01-01T00:00:00Z");
        return;
    }
    /* Wall times past 2262 do not fit int64 nanoseconds; clamp. */
    int64_t ns = wall_ns > INT64_MAX ? INT64_MAX : (int64_t)wall_ns;
    js_json_strn(b, t, js_json_time_str(ns, t));
}

void js_json_kv_base64(struct bl_buf *b, const char *key, const void *data,
                       size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = data;
    js_json_key(b, key);
    bl_buf_reserve(b, (len + 2) / 3 * 4 + 2);
    bl_buf_append(b, "\"", 1);
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        char q[4] = {alphabet[v >> 18], alphabet[(v >> 12) & 63],
                     alphabet[(v >> 6) & 63], alphabet[v & 63]};
        bl_buf_append(b, q, 4);
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        char q[4] = {alphabet[v >> 18], alphabet[(v >> 12) & 63], '=', '='};
        bl_buf_append(b, q, 4);
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        char q[4] = {alphabet[v >> 18], alphabet[(v >> 12) & 63],
                     alphabet[(v >> 6) & 63], '='};
        bl_buf_append(b, q, 4);
    }
    bl_buf_append(b, "\"", 1);
}
