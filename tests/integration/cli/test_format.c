/* Check suite of cli/src/format.c: the nats CLI's size, count and duration
 * formats, the value parsers, aligned sections, tables and progress. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ballast/err.h"
#include "format.h"

/* Output of a renderer, captured with open_memstream(). */
static char *captured;
static size_t captured_len;
static FILE *mem;

static void setup(void)
{
    captured = NULL;
    captured_len = 0;
    mem = open_memstream(&captured, &captured_len);
    ck_assert_ptr_nonnull(mem);
}

static void teardown(void)
{
    if (mem != NULL)
        fclose(mem);
    mem = NULL;
    free(captured);
    captured = NULL;
}

static const char *take_output(void)
{
    fflush(mem);
    return captured;
}

/* ---- fmt_size ---- */

static const struct {
    uint64_t bytes;
    const char *want;
} size_rows[] = {
    {0, "0 B"},
    {9, "9 B"},
    {130, "130 B"},
    {1023, "1023 B"},
    {1024, "1.0 KiB"},
    {1536, "1.5 KiB"},
    {10 * 1024, "10 KiB"},
    {1258291, "1.2 MiB"},
    {13 * 1024 * 1024 + 1000, "13 MiB"},
    {1073741824ULL, "1.0 GiB"},
    {5ULL << 40, "5.0 TiB"},
};

/* Sizes read like go-humanize IBytes, as the nats CLI prints them. */
START_TEST(size_is_formatted_like_humanize_ibytes)
{
    char out[FMT_SIZE_LEN];
    ck_assert_str_eq(fmt_size(size_rows[_i].bytes, out), size_rows[_i].want);
}
END_TEST

/* ---- fmt_count ---- */

/* Counts get thousands separators, negatives keep their sign. */
START_TEST(count_has_thousands_separators)
{
    char out[FMT_SIZE_LEN];
    ck_assert_str_eq(fmt_count(0, out), "0");
    ck_assert_str_eq(fmt_count(999, out), "999");
    ck_assert_str_eq(fmt_count(1000, out), "1,000");
    ck_assert_str_eq(fmt_count(1385, out), "1,385");
    ck_assert_str_eq(fmt_count(1234567, out), "1,234,567");
    ck_assert_str_eq(fmt_count(-12000, out), "-12,000");
    ck_assert_str_eq(fmt_count(INT64_MAX, out), "9,223,372,036,854,775,807");
}
END_TEST

/* ---- fmt_duration ---- */

static const struct {
    int64_t ns;
    const char *want;
} dur_rows[] = {
    {0, "0s"},
    {1, "1ns"},
    {999, "999ns"},
    {31000, "31\xc2\xb5s"},
    {1500, "1.5\xc2\xb5s"},
    {1500000, "1.5ms"},
    {224000000, "224ms"},
    {1000000000LL, "1s"},
    {1500000000LL, "1.5s"},
    {90000000000LL, "1m30s"},
    {120000000000LL, "2m0s"},
    {3600000000000LL, "1h0m0s"},
    {5400000000000LL, "1h30m0s"},
    {86400000000000LL, "24h0m0s"},
    {-1500000000LL, "-1.5s"},
};

/* Durations read like Go's time.Duration.String(). */
START_TEST(duration_is_formatted_like_go)
{
    char out[FMT_DURATION_LEN];
    ck_assert_str_eq(fmt_duration(dur_rows[_i].ns, out), dur_rows[_i].want);
}
END_TEST

/* "seen ... ago" rounds to milliseconds below a minute, seconds above. */
START_TEST(short_duration_rounds)
{
    char out[FMT_DURATION_LEN];
    ck_assert_str_eq(fmt_duration_short(224123456, out), "224ms");
    ck_assert_str_eq(fmt_duration_short(2261999999LL, out), "2.262s");
    ck_assert_str_eq(fmt_duration_short(344499999999LL, out), "5m44s");
    ck_assert_str_eq(fmt_duration_short(31000, out), "31\xc2\xb5s");
    ck_assert_str_eq(fmt_duration_short(0, out), "0s");
}
END_TEST

/* ---- parse_duration ---- */

static const struct {
    const char *in;
    int64_t want; /* -1: rejected */
} parse_dur_rows[] = {
    {"0", 0},
    {"1h", 3600000000000LL},
    {"1h30m", 5400000000000LL},
    {"2m", 120000000000LL},
    {"90s", 90000000000LL},
    {"1.5s", 1500000000LL},
    {"500ms", 500000000LL},
    {"10us", 10000LL},
    {"10\xc2\xb5s", 10000LL},
    {"7ns", 7},
    {"1d", 86400000000000LL},
    {"1w", 604800000000000LL},
    {"", -1},
    {"10", -1},
    {"1x", -1},
    {"h", -1},
    {"-1s", -1},
    {"1h 2m", -1},
    {"1000000y", -1},
};

/* Go durations with d/w/y extras parse; anything else is BL_EINVAL. */
START_TEST(duration_parses_go_syntax)
{
    int64_t ns = 12345;
    int rv = parse_duration(parse_dur_rows[_i].in, &ns);
    if (parse_dur_rows[_i].want < 0) {
        ck_assert_int_eq(rv, BL_EINVAL);
        ck_assert_int_eq(ns, 12345);
    } else {
        ck_assert_int_eq(rv, 0);
        ck_assert_int_eq(ns, parse_dur_rows[_i].want);
    }
}
END_TEST

/* ---- parse_size / parse_count ---- */

static const struct {
    const char *in;
    int64_t want;
    int rv;
} parse_size_rows[] = {
    {"0", 0, 0},
    {"1024", 1024, 0},
    {"1K", 1024, 0},
    {"1KB", 1024, 0},
    {"1kib", 1024, 0},
    {"2MiB", 2 * 1024 * 1024, 0},
    {"1.5M", 1572864, 0},
    {"1GB", 1073741824LL, 0},
    {"1 TB", 1099511627776LL, 0},
    {"10B", 10, 0},
    {"-1", -1, 0},
    {"unlimited", -1, 0},
    {"", 0, BL_EINVAL},
    {"MB", 0, BL_EINVAL},
    {"1XB", 0, BL_EINVAL},
    {"1MBB", 0, BL_EINVAL},
    {"1Bx", 0, BL_EINVAL},
    {"-5", 0, BL_EINVAL},
};

/* Sizes take 1024-based units; -1 and "unlimited" mean no limit. */
START_TEST(size_parses_units)
{
    int64_t v = 777;
    int rv = parse_size(parse_size_rows[_i].in, &v);
    ck_assert_int_eq(rv, parse_size_rows[_i].rv);
    if (rv == 0)
        ck_assert_int_eq(v, parse_size_rows[_i].want);
    else
        ck_assert_int_eq(v, 777);
}
END_TEST

/* Counts accept separators and -1; reject signs, letters and overflow. */
START_TEST(count_parses_plain_numbers)
{
    int64_t v = 0;
    ck_assert_int_eq(parse_count("42", &v), 0);
    ck_assert_int_eq(v, 42);
    ck_assert_int_eq(parse_count("1,000", &v), 0);
    ck_assert_int_eq(v, 1000);
    ck_assert_int_eq(parse_count("-1", &v), 0);
    ck_assert_int_eq(v, -1);
    ck_assert_int_eq(parse_count("unlimited", &v), 0);
    ck_assert_int_eq(v, -1);
    ck_assert_int_eq(parse_count("", &v), BL_EINVAL);
    ck_assert_int_eq(parse_count("-2", &v), BL_EINVAL);
    ck_assert_int_eq(parse_count("12a", &v), BL_EINVAL);
    ck_assert_int_eq(parse_count("99999999999999999999", &v), BL_EINVAL);
}
END_TEST

/* ---- time ---- */

/* RFC 3339 with nanoseconds and zones parses to Unix nanoseconds; Go's
 * zero time is INT64_MIN ("never"); junk is rejected. */
START_TEST(rfc3339_parses)
{
    int64_t t = 0;
    ck_assert_int_eq(parse_rfc3339("1970-01-01T00:00:01Z", &t), 0);
    ck_assert_int_eq(t, 1000000000LL);
    ck_assert_int_eq(parse_rfc3339("2026-11-23T18:22:59.909795118Z", &t), 0);
    ck_assert_int_eq(t, 1795458179909795118LL);
    ck_assert_int_eq(parse_rfc3339("2021-02-05T12:07:34+01:00", &t), 0);
    ck_assert_int_eq(t, 1612523254000000000LL);
    ck_assert_int_eq(parse_rfc3339("2021-02-05T12:07:34.5-00:30", &t), 0);
    ck_assert_int_eq(t, 1612528654500000000LL);
    ck_assert_int_eq(parse_rfc3339("0001-01-01T00:00:00Z", &t), 0);
    ck_assert(t == INT64_MIN);
    ck_assert_int_eq(parse_rfc3339("2021-02-05 12:07:34Z", &t), BL_EINVAL);
    ck_assert_int_eq(parse_rfc3339("2021-02-05T12:07:34", &t), BL_EINVAL);
    ck_assert_int_eq(parse_rfc3339("2021-02-05T12:07:34.Z", &t), BL_EINVAL);
    ck_assert_int_eq(parse_rfc3339("2021-02-05T12:07:34Zjunk", &t), BL_EINVAL);
}
END_TEST

/* Times print as "2006-01-02 15:04:05", with " UTC" when asked. */
START_TEST(time_formats_in_utc)
{
    char out[FMT_TIME_LEN];
    ck_assert_str_eq(fmt_time(1795458179909795118LL, 1, out),
                     "2026-11-23 18:22:59 UTC");
}
END_TEST

/* Width counts code points, so "µs" is two columns, not three bytes. */
START_TEST(width_counts_code_points)
{
    ck_assert_uint_eq(fmt_width(""), 0);
    ck_assert_uint_eq(fmt_width("abc"), 3);
    ck_assert_uint_eq(fmt_width("31\xc2\xb5s"), 4);
    ck_assert_uint_eq(fmt_width("\xe2\x94\x82"), 1);
}
END_TEST

/* ---- sections ---- */

/* Keys are right-aligned across all sections: every colon lines up two
 * columns after the longest key. */
START_TEST(sections_align_keys)
{
    struct kv_display d;
    kv_display_init(&d);
    kv_display_section(&d, "Configuration");
    kv_display_add(&d, "Subjects", "%s", "orders.*");
    kv_display_add(&d, "Maximum Message Size", "%s", "unlimited");
    kv_display_section(&d, "State");
    kv_display_add(&d, "Messages", "%d", 5);
    kv_display_print(&d, mem);
    kv_display_close(&d);
    ck_assert_str_eq(take_output(), "\n"
                                    "Configuration:\n"
                                    "\n"
                                    "              Subjects: orders.*\n"
                                    "  Maximum Message Size: unlimited\n"
                                    "\n"
                                    "State:\n"
                                    "\n"
                                    "              Messages: 5\n");
}
END_TEST

/* ---- tables ---- */

/* Columns are as wide as their widest cell, multi-byte cells included, with
 * the title centred above. */
START_TEST(table_renders_ascii_box)
{
    struct table t;
    table_init(&t, "Report", 2, "Stream", "Bytes");
    table_add_row(&t, "ORDERS", "13 MiB");
    const char *row[] = {"A\xc2\xb5", NULL};
    table_add_rowv(&t, row);
    table_print(&t, mem);
    table_close(&t);
    ck_assert_str_eq(take_output(), "+-----------------+\n"
                                    "|     Report      |\n"
                                    "+--------+--------+\n"
                                    "| Stream | Bytes  |\n"
                                    "+--------+--------+\n"
                                    "| ORDERS | 13 MiB |\n"
                                    "| A\xc2\xb5     |        |\n"
                                    "+--------+--------+\n");
}
END_TEST

/* A title wider than the columns widens the last column. */
START_TEST(table_widens_for_long_title)
{
    struct table t;
    table_init(&t, "A long title", 1, "X");
    table_print(&t, mem);
    table_close(&t);
    ck_assert_str_eq(take_output(), "+--------------+\n"
                                    "| A long title |\n"
                                    "+--------------+\n"
                                    "| X            |\n"
                                    "+--------------+\n");
}
END_TEST

/* ---- progress ---- */

/* The bar fills in proportion, caps at 100% and shows the sizes. */
START_TEST(progress_bar_renders)
{
    char out[256];
    ck_assert_str_eq(progress_bar(0, 100, 10, out, sizeof out),
                     "[>         ]   0% | 0 B / 100 B");
    ck_assert_str_eq(progress_bar(50, 100, 10, out, sizeof out),
                     "[=====>    ]  50% | 50 B / 100 B");
    ck_assert_str_eq(progress_bar(100, 100, 10, out, sizeof out),
                     "[==========] 100% | 100 B / 100 B");
    ck_assert_str_eq(progress_bar(150, 100, 4, out, sizeof out),
                     "[====] 100% | 150 B / 100 B");
    ck_assert_str_eq(progress_bar(2048, 0, 10, out, sizeof out), "2.0 KiB");
}
END_TEST

/* Without a terminal, progress is timestamped log lines: one at most per
 * interval, and a final one with the totals. */
START_TEST(progress_logs_without_tty)
{
    struct progress p;
    progress_init(&p, mem, 0, "Received", 0);
    p.log_interval_ms = 1000000; /* no intermediate lines */
    progress_add(&p, 1024);
    progress_add(&p, 1024);
    ck_assert_str_eq(take_output() ? take_output() : "", "");
    progress_finish(&p);
    const char *out = take_output();
    ck_assert_msg(strstr(out, " Received 2.0 KiB in 2 chunks\n") != NULL,
                  "got \"%s\"", out);
    ck_assert_uint_eq(strlen(out), strlen("12:34:56 Received 2.0 KiB in 2 "
                                          "chunks\n"));
}
END_TEST

/* On a terminal the bar is redrawn in place and ends with a newline. */
START_TEST(progress_redraws_on_tty)
{
    struct progress p;
    progress_init(&p, mem, 1, "Sent", 100);
    progress_add(&p, 40);
    progress_finish(&p);
    const char *out = take_output();
    ck_assert_msg(strstr(out, "\r[") != NULL, "got \"%s\"", out);
    ck_assert_msg(strstr(out, "100% | 40 B / 100 B\n") == NULL,
                  "final bar should show the total: \"%s\"", out);
    ck_assert_msg(strstr(out, "100% | 100 B / 100 B\n") != NULL, "got \"%s\"",
                  out);
}
END_TEST

static void add(Suite *s, const char *name, const TTest *t, int loop_end)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    if (loop_end > 0)
        tcase_add_loop_test(tc, t, 0, loop_end);
    else
        tcase_add_test(tc, t);
    suite_add_tcase(s, tc);
}

#define ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *format_suite(void)
{
    Suite *s = suite_create("cli/format");
    add(s, "fmt_size", size_is_formatted_like_humanize_ibytes, ROWS(size_rows));
    add(s, "fmt_count", count_has_thousands_separators, 0);
    add(s, "fmt_duration", duration_is_formatted_like_go, ROWS(dur_rows));
    add(s, "fmt_duration_short", short_duration_rounds, 0);
    add(s, "parse_duration", duration_parses_go_syntax, ROWS(parse_dur_rows));
    add(s, "parse_size", size_parses_units, ROWS(parse_size_rows));
    add(s, "parse_count", count_parses_plain_numbers, 0);
    add(s, "parse_rfc3339", rfc3339_parses, 0);
    add(s, "fmt_time", time_formats_in_utc, 0);
    add(s, "fmt_width", width_counts_code_points, 0);
    add(s, "kv_display", sections_align_keys, 0);
    add(s, "table", table_renders_ascii_box, 0);
    add(s, "table_title", table_widens_for_long_title, 0);
    add(s, "progress_bar", progress_bar_renders, 0);
    add(s, "progress_log", progress_logs_without_tty, 0);
    add(s, "progress_tty", progress_redraws_on_tty, 0);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(format_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
