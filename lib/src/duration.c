#include "ballast/duration.h"

#include "ballast/err.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Writes v / 10^prec with the fraction's trailing zeros dropped. */
static size_t put_frac(char *out, size_t size, uint64_t v, int prec)
{
    uint64_t div = 1;
    for (int i = 0; i < prec; i++)
        div *= 10;
    uint64_t whole = v / div, frac = v % div;
    int n = snprintf(out, size, "%" PRIu64, whole);
    if (frac != 0 && n >= 0 && (size_t)n < size) {
        int digits = prec;
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        n += snprintf(out + n, size - (size_t)n, ".%0*" PRIu64, digits, frac);
    }
    return n < 0 ? 0 : (size_t)n;
}

size_t bl_duration_format(int64_t ns, char *out, size_t size)
{
    if (size == 0)
        return 0;
    if (ns == 0)
        return (size_t)snprintf(out, size, "0s");
    size_t n = 0;
    uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    if (ns < 0)
        n += (size_t)snprintf(out, size, "-");
    if (u < 1000000000ull) {
        const char *unit;
        int prec;
        if (u < 1000) {
            unit = "ns";
            prec = 0;
        } else if (u < 1000000) {
            unit = "\xc2\xb5s"; /* µs, as Go writes it */
            prec = 3;
        } else {
            unit = "ms";
            prec = 6;
        }
        n += put_frac(out + n, size - n, u, prec);
        n += (size_t)snprintf(out + n, size - n, "%s", unit);
        return n < size ? n : size - 1;
    }
    uint64_t mins = u / 60000000000ull;
    uint64_t secs_ns = u % 60000000000ull;
    if (mins >= 60)
        n += (size_t)snprintf(out + n, size - n, "%" PRIu64 "h", mins / 60);
    if (mins > 0 && n < size)
        n += (size_t)snprintf(out + n, size - n, "%" PRIu64 "m", mins % 60);
    if (n < size)
        n += put_frac(out + n, size - n, secs_ns, 9);
    if (n < size)
        n += (size_t)snprintf(out + n, size - n, "s");
    return n < size ? n : size - 1;
}

static uint64_t unit_ns(const char *p, size_t len)
{
    static const struct {
        const char *name;
        uint64_t ns;
    } units[] = {
        {"ns", 1},
        {"us", 1000},
        {"\xc2\xb5s", 1000}, /* µs, micro sign */
        {"\xce\xbcs", 1000}, /* μs, Greek mu */
        {"ms", 1000000},
        {"s", 1000000000ull},
        {"m", 60000000000ull},
        {"h", 3600000000000ull},
    };
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strlen(units[i].name) == len &&
            memcmp(units[i].name, p, len) == 0)
            return units[i].ns;
    return 0;
}

int bl_duration_parse(const char *p, size_t len, int64_t *ns)
{
    const char *end = p + len;
    bool neg = false;
    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    if (end - p == 1 && *p == '0') {
        *ns = 0;
        return 0;
    }
    if (p == end)
        return BL_EINVAL;
    const uint64_t max = (uint64_t)INT64_MAX + (neg ? 1 : 0);
    uint64_t total = 0;
    while (p < end) {
        uint64_t whole = 0, frac = 0, scale = 1;
        bool digits = false;
        for (; p < end && *p >= '0' && *p <= '9'; p++, digits = true) {
            if (whole > (UINT64_MAX - 9) / 10)
                return BL_EINVAL;
            whole = whole * 10 + (uint64_t)(*p - '0');
        }
        if (p < end && *p == '.') {
            for (p++; p < end && *p >= '0' && *p <= '9'; p++, digits = true) {
                /* Digits past what 64 bits can scale add nothing. */
                if (scale <= UINT64_MAX / 10 / 10) {
                    frac = frac * 10 + (uint64_t)(*p - '0');
                    scale *= 10;
                }
            }
        }
        if (!digits)
            return BL_EINVAL;
        const char *u = p;
        while (p < end && *p != '.' && !(*p >= '0' && *p <= '9'))
            p++;
        uint64_t mult = unit_ns(u, (size_t)(p - u));
        if (mult == 0)
            return BL_EINVAL;
        if (whole > max / mult)
            return BL_EINVAL;
        uint64_t v = whole * mult;
        if (frac > 0)
            v += (uint64_t)((long double)frac * (long double)mult /
                            (long double)scale);
        if (v > max - total)
            return BL_EINVAL;
        total += v;
    }
    *ns = neg ? (int64_t)((uint64_t)0 - total) : (int64_t)total;
    return 0;
}
