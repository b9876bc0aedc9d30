#include "suites.h"

#include "ballast/duration.h"
#include "ballast/err.h"

#include <stdint.h>
#include <string.h>

static const struct {
    int64_t ns;
    const char *text;
} formats[] = {
    {0, "0s"},
    {1, "1ns"},
    {999, "999ns"},
    {1000, "1\xc2\xb5s"},
    {1500, "1.5\xc2\xb5s"},
    {1000000, "1ms"},
    {1234567, "1.234567ms"},
    {1000000000, "1s"},
    {1500000000, "1.5s"},
    {60000000000, "1m0s"},
    {90000000000, "1m30s"},
    {3600000000000, "1h0m0s"},
    {3723000000001, "1h2m3.000000001s"},
    {-2000000000, "-2s"},
    {-1500, "-1.5\xc2\xb5s"},
    {INT64_MAX, "2562047h47m16.854775807s"},
    {INT64_MIN, "-2562047h47m16.854775808s"},
};

/* Durations print exactly as Go's time.Duration.String(). */
START_TEST(format_matches_go)
{
    char out[BL_DURATION_SIZE];
    size_t n = bl_duration_format(formats[_i].ns, out, sizeof(out));
    ck_assert_str_eq(out, formats[_i].text);
    ck_assert_uint_eq(n, strlen(formats[_i].text));
}
END_TEST

static const struct {
    const char *text;
    int rv;
    int64_t ns;
} parses[] = {
    {"0", 0, 0},
    {"-0", 0, 0},
    {"5s", 0, 5000000000},
    {"300ms", 0, 300000000},
    {"-1.5h", 0, -5400000000000},
    {"2h45m", 0, 9900000000000},
    {"1.000000001s", 0, 1000000001},
    {".5s", 0, 500000000},
    {"5.s", 0, 5000000000},
    {"1us", 0, 1000},
    {"1\xc2\xb5s", 0, 1000},
    {"1\xce\xbcs", 0, 1000},
    {"100ns", 0, 100},
    {"1h1m1s1ms1us1ns", 0, 3661001001001},
    {"2562047h47m16.854775807s", 0, INT64_MAX},
    {"-2562047h47m16.854775808s", 0, INT64_MIN},
    {"", BL_EINVAL, 0},
    {"1", BL_EINVAL, 0},
    {"s", BL_EINVAL, 0},
    {"1x", BL_EINVAL, 0},
    {"1.2.3s", BL_EINVAL, 0},
    {"-", BL_EINVAL, 0},
    {"1d", BL_EINVAL, 0},
    {"2562048h", BL_EINVAL, 0},
    {"99999999999999999999s", BL_EINVAL, 0},
};

/* Parsing accepts what Go's time.ParseDuration accepts, refuses the rest. */
START_TEST(parse_matches_go)
{
    int64_t ns = -7;
    int rv = bl_duration_parse(parses[_i].text, strlen(parses[_i].text), &ns);
    ck_assert_msg(rv == parses[_i].rv, "\"%s\": rv %d", parses[_i].text, rv);
    if (rv == 0)
        ck_assert_msg(ns == parses[_i].ns, "\"%s\": %lld", parses[_i].text,
                      (long long)ns);
    else
        ck_assert_int_eq(ns, -7);
}
END_TEST

/* What is printed parses back to the same value. */
START_TEST(format_then_parse_round_trips)
{
    char out[BL_DURATION_SIZE];
    bl_duration_format(formats[_i].ns, out, sizeof(out));
    int64_t ns = 0;
    ck_assert_int_eq(bl_duration_parse(out, strlen(out), &ns), 0);
    ck_assert_int_eq(ns, formats[_i].ns);
}
END_TEST

Suite *duration_suite(void)
{
    Suite *s = suite_create("lib/duration");
    TCase *tc = tcase_create("duration");
    size_t nf = sizeof(formats) / sizeof(formats[0]);
    tcase_add_loop_test(tc, format_matches_go, 0, (int)nf);
    tcase_add_loop_test(tc, parse_matches_go, 0,
                        (int)(sizeof(parses) / sizeof(parses[0])));
    tcase_add_loop_test(tc, format_then_parse_round_trips, 0, (int)nf);
    suite_add_tcase(s, tc);
    return s;
}
