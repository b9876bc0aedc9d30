/* Human-readable sizes, durations, counts, times, sections, tables and the
 * progress bar. See format.h. */
#include "format.h"

#include "ballast/duration.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ballast/err.h"
#include "ballast/mem.h"

char *fmt_size(uint64_t bytes, char *out)
{
    static const char *const units[] = {"B",   "KiB", "MiB", "GiB",
                                        "TiB", "PiB", "EiB"};
    /* go-humanize prints small values as they are, then picks the largest
     * unit not above the value and rounds to one decimal. */
    if (bytes < 10) {
        snprintf(out, FMT_SIZE_LEN, "%" PRIu64 " B", bytes);
        return out;
    }
    int e = 0;
    double v = (double)bytes;
    while (v >= 1024.0 && e < 6) {
        v /= 1024.0;
        e++;
    }
    double rounded = (double)(int64_t)(v * 10.0 + 0.5) / 10.0;
    if (e == 0)
        snprintf(out, FMT_SIZE_LEN, "%" PRIu64 " B", bytes);
    else if (rounded < 10.0)
        snprintf(out, FMT_SIZE_LEN, "%.1f %s", rounded, units[e]);
    else
        snprintf(out, FMT_SIZE_LEN, "%.0f %s", rounded, units[e]);
    return out;
}

char *fmt_count(int64_t n, char *out)
{
    char digits[24];
    uint64_t u = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
    int len = snprintf(digits, sizeof digits, "%" PRIu64, u);
    size_t w = 0;
    if (n < 0)
        out[w++] = '-';
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[w++] = ',';
        out[w++] = digits[i];
    }
    out[w] = '\0';
    return out;
}

char *fmt_duration(int64_t ns, char *out)
{
    bl_duration_format(ns, out, FMT_DURATION_LEN);
    return out;
}

char *fmt_duration_short(int64_t ns, char *out)
{
    int64_t unit = ns < 60000000000LL ? 1000000LL : 1000000000LL;
    if (ns > 0 && ns < 1000000LL)
        return fmt_duration(ns - ns % 1000LL, out); /* keep "31µs" */
    int64_t r = (ns + (ns >= 0 ? unit / 2 : -unit / 2)) / unit * unit;
    return fmt_duration(r, out);
}

int parse_duration(const char *s, int64_t *ns)
{
    static const struct {
        const char *name;
        double ns;
    } units[] = {
        {"ns", 1.0},          {"us", 1e3},    {"\xc2\xb5s", 1e3},
        {"ms", 1e6},          {"s", 1e9},     {"m", 60e9},
        {"h", 3600e9},        {"d", 86400e9}, {"w", 7 * 86400e9},
        {"y", 365 * 86400e9},
    };
    if (s == NULL || *s == '\0')
        return BL_EINVAL;
    if (strcmp(s, "0") == 0) {
        *ns = 0;
        return 0;
    }
    double total = 0;
    const char *p = s;
    while (*p != '\0') {
        if (!isdigit((unsigned char)*p) && *p != '.')
            return BL_EINVAL;
        char *end;
        double v = strtod(p, &end);
        if (end == p)
            return BL_EINVAL;
        p = end;
        size_t ul = 0;
        while (p[ul] != '\0' && !isdigit((unsigned char)p[ul]) && p[ul] != '.')
            ul++;
        if (ul == 0)
            return BL_EINVAL; /* a unit is required after each number */
        double mult = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            if (strlen(units[i].name) == ul &&
                memcmp(units[i].name, p, ul) == 0) {
                mult = units[i].ns;
                break;
            }
        }
        if (mult == 0)
            return BL_EINVAL;
        total += v * mult;
        p += ul;
    }
    if (total > 9.2e18)
        return BL_EINVAL;
    *ns = (int64_t)(total + 0.5);
    return 0;
}

int parse_size(const char *s, int64_t *bytes)
{
    if (s == NULL || *s == '\0')
        return BL_EINVAL;
    if (strcmp(s, "-1") == 0 || strcasecmp(s, "unlimited") == 0) {
        *bytes = -1;
        return 0;
    }
    char *end;
    if (!isdigit((unsigned char)*s))
        return BL_EINVAL;
    double v = strtod(s, &end);
    if (end == s)
        return BL_EINVAL;
    while (*end == ' ')
        end++;
    double mult = 1;
    if (*end != '\0') {
        static const char *const prefixes = "BKMGT";
        const char *q = strchr(prefixes, toupper((unsigned char)*end));
        if (q == NULL)
            return BL_EINVAL;
        for (const char *k = prefixes; k < q; k++)
            mult *= 1024;
        const char *rest = end + 1;
        if (*q != 'B' && *rest != '\0' && strcasecmp(rest, "B") != 0 &&
            strcasecmp(rest, "iB") != 0)
            return BL_EINVAL;
        if (*q == 'B' && *rest != '\0')
            return BL_EINVAL;
    }
    double total = v * mult;
    if (total > 9.2e18)
        return BL_EINVAL;
    *bytes = (int64_t)(total + 0.5);
    return 0;
}

int parse_count(const char *s, int64_t *n)
{
    if (s == NULL || *s == '\0')
        return BL_EINVAL;
    if (strcmp(s, "-1") == 0 || strcasecmp(s, "unlimited") == 0) {
        *n = -1;
        return 0;
    }
    int64_t v = 0;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == ',' || *p == '_')
            continue; /* "1,000" and "1_000" read as written */
        if (!isdigit((unsigned char)*p) || v > (INT64_MAX - 9) / 10)
            return BL_EINVAL;
        v = v * 10 + (*p - '0');
    }
    *n = v;
    return 0;
}

int parse_rfc3339(const char *s, int64_t *unix_ns)
{
    int y, mo, d, h, mi, sec, n = 0;
    if (s == NULL ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
               &n) != 6 ||
        n != 19)
        return BL_EINVAL;
    const char *p = s + n;
    int64_t frac = 0;
    if (*p == '.') {
        int digits = 0;
        p++;
        while (isdigit((unsigned char)*p)) {
            if (digits < 9) {
                frac = frac * 10 + (*p - '0');
                digits++;
            }
            p++;
        }
        if (digits == 0)
            return BL_EINVAL;
        for (; digits < 9; digits++)
            frac *= 10;
    }
    int64_t offset_s = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2 || strlen(p) != 6)
            return BL_EINVAL;
        offset_s = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return BL_EINVAL;
    }
    if (*p != '\0')
        return BL_EINVAL;
    if (y == 1 && mo == 1 && d == 1 && h == 0 && mi == 0 && sec == 0) {
        *unix_ns = INT64_MIN; /* Go's zero time: "never" */
        return 0;
    }
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    *unix_ns = ((int64_t)t - offset_s) * 1000000000LL + frac;
    return 0;
}

char *fmt_time(int64_t unix_ns, int utc, char *out)
{
    time_t t = (time_t)(unix_ns / 1000000000LL);
    struct tm tm;
    if (utc)
        gmtime_r(&t, &tm);
    else
        localtime_r(&t, &tm);
    size_t n = strftime(out, FMT_TIME_LEN, "%Y-%m-%d %H:%M:%S", &tm);
    if (utc)
        snprintf(out + n, FMT_TIME_LEN - n, " UTC");
    return out;
}

size_t fmt_width(const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            w++;
    return w;
}

/* ---- sections ---- */

void kv_display_init(struct kv_display *d)
{
    memset(d, 0, sizeof *d);
}

void kv_display_close(struct kv_display *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->n; i++) {
        bl_free(d->lines[i].key);
        bl_free(d->lines[i].value);
    }
    bl_free(d->lines);
    memset(d, 0, sizeof *d);
}

static void kv_push(struct kv_display *d, char *key, char *value)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 32;
        d->lines = bl_xrealloc(d->lines, d->cap * sizeof *d->lines);
    }
    d->lines[d->n].key = key;
    d->lines[d->n].value = value;
    d->n++;
}

void kv_display_section(struct kv_display *d, const char *title)
{
    kv_push(d, NULL, NULL);
    size_t len = strlen(title);
    char *t = bl_xmalloc(len + 2);
    memcpy(t, title, len);
    t[len] = ':';
    t[len + 1] = '\0';
    kv_push(d, NULL, t);
    kv_push(d, NULL, NULL);
}

void kv_display_add(struct kv_display *d, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = NULL;
    if (vasprintf(&v, fmt, ap) < 0)
        v = bl_xstrdup("");
    va_end(ap);
    /* vasprintf() allocates with malloc(); hand our allocator a copy so the
     * close path frees everything with bl_free(). */
    char *copy = bl_xstrdup(v);
    free(v);
    kv_push(d, bl_xstrdup(key), copy);
}

void kv_display_print(const struct kv_display *d, FILE *out)
{
    size_t width = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->lines[i].key != NULL && fmt_width(d->lines[i].key) > width)
            width = fmt_width(d->lines[i].key);
    for (size_t i = 0; i < d->n; i++) {
        const struct kv_section_line *l = &d->lines[i];
        if (l->key == NULL) {
            fprintf(out, "%s\n", l->value ? l->value : "");
            continue;
        }
        /* Two spaces of margin, as the nats CLI leaves before its longest
         * key. */
        fprintf(out, "%*s%s: %s\n", (int)(width + 2 - fmt_width(l->key)), "",
                l->key, l->value);
    }
}

/* ---- tables ---- */

static void table_grow(struct table *t)
{
    if (t->n_rows == t->cap_rows) {
        t->cap_rows = t->cap_rows ? t->cap_rows * 2 : 16;
        t->cells = bl_xrealloc(t->cells, t->cap_rows * (size_t)t->n_cols *
                                             sizeof(char *));
    }
}

void table_init(struct table *t, const char *title, int n_cols, ...)
{
    memset(t, 0, sizeof *t);
    t->title = title ? bl_xstrdup(title) : NULL;
    t->n_cols = n_cols;
    const char *cells[TABLE_MAX_COLS];
    va_list ap;
    va_start(ap, n_cols);
    for (int i = 0; i < n_cols && i < TABLE_MAX_COLS; i++)
        cells[i] = va_arg(ap, const char *);
    va_end(ap);
    table_add_rowv(t, cells);
}

void table_close(struct table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n_rows * (size_t)t->n_cols; i++)
        bl_free(t->cells[i]);
    bl_free(t->cells);
    bl_free(t->title);
    memset(t, 0, sizeof *t);
}

void table_add_row(struct table *t, ...)
{
    const char *cells[TABLE_MAX_COLS];
    va_list ap;
    va_start(ap, t);
    for (int i = 0; i < t->n_cols && i < TABLE_MAX_COLS; i++)
        cells[i] = va_arg(ap, const char *);
    va_end(ap);
    table_add_rowv(t, cells);
}

void table_add_rowv(struct table *t, const char *const *cells)
{
    table_grow(t);
    char **row = t->cells + t->n_rows * (size_t)t->n_cols;
    for (int i = 0; i < t->n_cols; i++)
        row[i] = bl_xstrdup(cells[i] ? cells[i] : "");
    t->n_rows++;
}

static void table_rule(const size_t *widths, int n_cols, FILE *out)
{
    fputc('+', out);
    for (int c = 0; c < n_cols; c++) {
        for (size_t i = 0; i < widths[c] + 2; i++)
            fputc('-', out);
        fputc('+', out);
    }
    fputc('\n', out);
}

void table_print(const struct table *t, FILE *out)
{
    size_t widths[TABLE_MAX_COLS] = {0};
    for (size_t r = 0; r < t->n_rows; r++)
        for (int c = 0; c < t->n_cols; c++) {
            size_t w = fmt_width(t->cells[r * (size_t)t->n_cols + c]);
            if (w > widths[c])
                widths[c] = w;
        }
    size_t inner = (size_t)t->n_cols * 3 - 1; /* "| a | b |" padding */
    for (int c = 0; c < t->n_cols; c++)
        inner += widths[c];
    if (t->title != NULL) {
        size_t tw = fmt_width(t->title);
        if (tw + 2 > inner) {
            widths[t->n_cols - 1] += tw + 2 - inner;
            inner = tw + 2;
        }
        fputc('+', out);
        for (size_t i = 0; i < inner; i++)
            fputc('-', out);
        fputs("+\n", out);
        size_t left = (inner - tw) / 2;
        fprintf(out, "|%*s%s%*s|\n", (int)left, "", t->title,
                (int)(inner - tw - left), "");
    }
    table_rule(widths, t->n_cols, out);
    for (size_t r = 0; r < t->n_rows; r++) {
        fputc('|', out);
        for (int c = 0; c < t->n_cols; c++) {
            const char *cell = t->cells[r * (size_t)t->n_cols + c];
            fprintf(out, " %s%*s |", cell, (int)(widths[c] - fmt_width(cell)),
                    "");
        }
        fputc('\n', out);
        if (r == 0)
            table_rule(widths, t->n_cols, out);
    }
    if (t->n_rows > 1) /* a header alone is closed by its own rule */
        table_rule(widths, t->n_cols, out);
}

/* ---- progress ---- */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *progress_bar(uint64_t done, uint64_t total, int width, char *out,
                   size_t cap)
{
    char a[FMT_SIZE_LEN], b[FMT_SIZE_LEN];
    if (total == 0) {
        snprintf(out, cap, "%s", fmt_size(done, a));
        return out;
    }
    uint64_t shown = done > total ? total : done;
    int pct = (int)(shown * 100 / total);
    int filled = (int)(shown * (uint64_t)width / total);
    char bar[256];
    if (width > (int)sizeof bar - 1)
        width = (int)sizeof bar - 1;
    for (int i = 0; i < width; i++)
        bar[i] = i < filled ? '=' : (i == filled ? '>' : ' ');
    bar[width] = '\0';
    snprintf(out, cap, "[%s] %3d%% | %s / %s", bar, pct, fmt_size(done, a),
             fmt_size(total, b));
    return out;
}

void progress_init(struct progress *p, FILE *out, int is_tty, const char *what,
                   uint64_t total)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->is_tty = is_tty;
    p->what = what;
    p->total = total;
    p->start_ms = mono_ms();
    p->last_draw_ms = p->start_ms;
    p->log_interval_ms = 1000;
}

static void progress_draw(struct progress *p, int final)
{
    char line[512];
    if (p->is_tty && p->total > 0) {
        progress_bar(final ? p->total : p->done, p->total, 40, line,
                     sizeof line);
        fprintf(p->out, "\r%s%s", line, final ? "\n" : "");
    } else if (p->is_tty) {
        /* Unknown total (a snapshot's compressed size): a counter. */
        char sz[FMT_SIZE_LEN], cnt[FMT_SIZE_LEN];
        fprintf(p->out, "\r%s %s in %s chunks\033[K%s", p->what,
                fmt_size(p->done, sz), fmt_count((int64_t)p->chunks, cnt),
                final ? "\n" : "");
    } else {
        char sz[FMT_SIZE_LEN], cnt[FMT_SIZE_LEN];
        char ts[16];
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        strftime(ts, sizeof ts, "%H:%M:%S", &tm);
        fprintf(p->out, "%s %s %s in %s chunks", ts, p->what,
                fmt_size(p->done, sz), fmt_count((int64_t)p->chunks, cnt));
        if (p->total > 0 && !final)
            fprintf(p->out, " (%d%%)",
                    (int)((p->done > p->total ? p->total : p->done) * 100 /
                          p->total));
        fputc('\n', p->out);
    }
    fflush(p->out);
}

void progress_add(struct progress *p, uint64_t n)
{
    p->done += n;
    p->chunks++;
    int64_t now = mono_ms();
    int interval = p->is_tty ? 100 : p->log_interval_ms;
    if (now - p->last_draw_ms >= interval) {
        p->last_draw_ms = now;
        progress_draw(p, 0);
    }
}

void progress_finish(struct progress *p)
{
    progress_draw(p, 1);
}
