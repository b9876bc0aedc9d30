/* Human-readable output for the ballast CLI: sizes ("1.2 MiB"), durations
 * ("1h0m0s"), counts ("1,385"), timestamps, aligned "Key: value" sections,
 * ASCII tables and a progress bar, plus the matching parsers for command-line
 * values ("1h30m", "1GB"). The formats follow the nats CLI (go-humanize and
 * Go's time.Duration.String()) so output reads the same against any server.
 * Pure functions apart from the renderers, which write to a FILE the caller
 * gives; nothing here knows NATS. */
#ifndef BALLAST_CLI_FORMAT_H
#define BALLAST_CLI_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FMT_SIZE_LEN 32 /* room for any fmt_size()/fmt_count() result */
#define FMT_DURATION_LEN 48
#define FMT_TIME_LEN 48

/* Formats `bytes` like go-humanize IBytes: "0 B", "130 B", "1.0 KiB",
 * "1.2 MiB", "13 MiB" (one decimal below 10 of a unit). Writes into `out`
 * (FMT_SIZE_LEN bytes) and returns it. */
char *fmt_size(uint64_t bytes, char *out);

/* Formats `n` with thousands separators: "1,385", "-12,000". Returns out
 * (FMT_SIZE_LEN bytes). */
char *fmt_count(int64_t n, char *out);

/* Formats `ns` like Go's time.Duration.String(): "0s", "31µs", "1.5ms",
 * "2m0s", "1h0m0s", "-1.5s". Returns out (FMT_DURATION_LEN bytes). */
char *fmt_duration(int64_t ns, char *out);

/* Like fmt_duration() but rounded for "seen 224ms ago" style output: to
 * whole milliseconds below a minute and whole seconds above. */
char *fmt_duration_short(int64_t ns, char *out);

/* Parses a Go-style duration ("1h", "1h30m", "2m", "500ms", "1.5s", "0")
 * with the extra units d (24h), w (7d) and y (365d). Returns 0 and writes
 * `*ns`, or BL_EINVAL for anything else (including negative values). */
int parse_duration(const char *s, int64_t *ns);

/* Parses a byte size: a plain number, or one with a unit B, K/KB/KiB,
 * M/MB/MiB, G/GB/GiB, T/TB/TiB (all powers of 1024, case-insensitive), or
 * "-1"/"unlimited" for -1. Returns 0 and writes `*bytes`, or BL_EINVAL. */
int parse_size(const char *s, int64_t *bytes);

/* Parses a non-negative decimal count, or "-1"/"unlimited" for -1. Returns
 * 0 and writes `*n`, or BL_EINVAL. */
int parse_count(const char *s, int64_t *n);

/* Parses an RFC 3339 timestamp with optional fraction and zone ("Z" or
 * "+01:00") into nanoseconds since the epoch. Returns 0 or BL_EINVAL. The
 * zero time "0001-01-01T00:00:00Z" parses to INT64_MIN. */
int parse_rfc3339(const char *s, int64_t *unix_ns);

/* Formats nanoseconds since the epoch as "2006-01-02 15:04:05" in local time
 * (`utc` nonzero: UTC with a " UTC" suffix). Returns out (FMT_TIME_LEN). */
char *fmt_time(int64_t unix_ns, int utc, char *out);

/* Number of terminal columns `s` takes: UTF-8 code points, not bytes. */
size_t fmt_width(const char *s);

/* ---- aligned "Key: value" sections ---- */

/* Lines of an info display. Keys are right-aligned to one width across all
 * sections, so every colon lines up as in the nats CLI. */
struct kv_section_line {
    char *key;   /* NULL for a section heading or blank line */
    char *value; /* heading text when key is NULL (may be NULL: blank) */
};

struct kv_display {
    struct kv_section_line *lines;
    size_t n, cap;
};

void kv_display_init(struct kv_display *d);
void kv_display_close(struct kv_display *d);

/* Starts a section: a blank line, "<title>:" and another blank line. */
void kv_display_section(struct kv_display *d, const char *title);

/* Adds "key: value" to the current section. */
void kv_display_add(struct kv_display *d, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes every line to `out`. */
void kv_display_print(const struct kv_display *d, FILE *out);

/* ---- tables ---- */

#define TABLE_MAX_COLS 16

/* An ASCII table in the style of the nats CLI's reports:
 *   +--------+-----------+
 *   | Stream | Consumers |
 *   +--------+-----------+
 *   | ORDERS | 4         |
 *   +--------+-----------+ */
struct table {
    char *title; /* printed centred above the header, may be NULL */
    int n_cols;
    char **cells; /* n_rows * n_cols cells, row-major; row 0 the header */
    size_t n_rows, cap_rows;
};

/* Creates a table with `n_cols` columns named by the NUL-free strings that
 * follow (exactly n_cols of them). `title` may be NULL. */
void table_init(struct table *t, const char *title, int n_cols, ...);
void table_close(struct table *t);

/* Adds a row of exactly n_cols strings (copied). */
void table_add_row(struct table *t, ...);

/* Adds a row from an array of n_cols strings (copied; NULL is ""). */
void table_add_rowv(struct table *t, const char *const *cells);

void table_print(const struct table *t, FILE *out);

/* ---- progress ---- */

/* Progress of a transfer of `total` bytes (0 when unknown). On a terminal
 * it redraws one bar line in place; otherwise (or with is_tty 0) it writes a
 * timestamped log line at most once per `log_interval_ms`. */
struct progress {
    FILE *out;
    int is_tty;
    const char *what;     /* "Received", "Sent" */
    uint64_t total;       /* bytes expected, 0 if unknown */
    uint64_t done;        /* bytes so far */
    uint64_t chunks;      /* chunks so far */
    int64_t start_ms;     /* monotonic start */
    int64_t last_draw_ms; /* last redraw or log line */
    int log_interval_ms;
};

void progress_init(struct progress *p, FILE *out, int is_tty, const char *what,
                   uint64_t total);

/* Records `n` more bytes in one chunk and redraws when due. */
void progress_add(struct progress *p, uint64_t n);

/* Draws the final state (100% when total was known) and ends the line. */
void progress_finish(struct progress *p);

/* Renders the bar line without writing it: "[=====>    ]  45% | 1.2 MiB /
 * 2.6 MiB". `width` is the bar width in cells. Returns out. */
char *progress_bar(uint64_t done, uint64_t total, int width, char *out,
                   size_t cap);

#endif
