/* JSON writing like Go's encoding/json, and RFC 3339 times. */
#include "js/api_json.h"

#include "ballast/buf.h"

#include <check.h>
#include <string.h>

#include "suites.h"

static struct bl_buf out;

static void setup(void)
{
    bl_buf_init(&out);
}

static void teardown(void)
{
    bl_buf_close(&out);
}

struct esc_row {
    const char *in;
    size_t len;
    const char *want;
};

static const struct esc_row esc_rows[] = {
    {"plain", 5, "\"plain\""},
    {"a\"b\\c", 5, "\"a\\\"b\\\\c\""},
    {"<>&", 3, "\"\\u003c\\u003e\\u0026\""},
    {"\n\r\t", 3, "\"\\n\\r\\t\""},
    {"\x01\x1f\b\f", 4, "\"\\u0001\\u001f\\u0008\\u000c\""},
    {"caf\xc3\xa9", 5, "\"caf\xc3\xa9\""},
    {"\xe2\x80\xa8\xe2\x80\xa9", 6, "\"\\u2028\\u2029\""},
    {"bad\xff", 4, "\"bad\\ufffd\""},
    {"\xc3", 1, "\"\\ufffd\""},
    {"\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\""}, /* surrogate */
    {"a\0b", 3, "\"a\\u0000b\""},
    {"\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\""},
};

/* Strings are escaped byte for byte as Go does. */
START_TEST(strings_escape_like_go)
{
    const struct esc_row *r = &esc_rows[_i];
    js_json_strn(&out, r->in, r->len);
    ck_assert_str_eq(out.p, r->want);
}
END_TEST

struct time_row {
    int64_t ns;
    const char *want;
};

static const struct time_row time_rows[] = {
    {0, "1970-01-01T00:00:00Z"},
    {1, "1970-01-01T00:00:00.000000001Z"},
    {1641092645500000000LL, "2022-01-02T03:04:05.5Z"},
    {1795457540364014697LL, "2026-11-23T18:12:20.364014697Z"},
    {951782400000000000LL, "2000-02-29T00:00:00Z"},
    {-1, "1969-12-31T23:59:59.999999999Z"},
    {-86400000000000LL, "1969-12-31T00:00:00Z"},
    {INT64_MAX, "2262-04-11T23:47:16.854775807Z"},
};

/* Times print as RFC3339Nano without trailing zeros, in UTC. */
START_TEST(times_format_as_rfc3339nano)
{
    char t[JS_TIME_STR_SIZE];
    size_t n = js_json_time_str(time_rows[_i].ns, t);
    ck_assert_str_eq(t, time_rows[_i].want);
    ck_assert_uint_eq(n, strlen(t));
    int64_t back;
    ck_assert_int_eq(js_json_time_parse(t, n, &back), 0);
    ck_assert_int_eq(back, time_rows[_i].ns);
}
END_TEST

struct parse_row {
    const char *in;
    int ok;
    int64_t ns;
};

static const struct parse_row parse_rows[] = {
    {"2022-01-02T03:04:05.5+01:00", 1, 1641089045500000000LL},
    {"2022-01-02T03:04:05Z", 1, 1641092645000000000LL},
    {"2022-01-02t03:04:05z", 1, 1641092645000000000LL},
    {"2022-01-02T03:04:05.1234567891Z", 1, 1641092645123456789LL},
    {"2022-01-02T03:04:05-00:30", 1, 1641094445000000000LL},
    {"2024-02-29T00:00:00Z", 1, 1709164800000000000LL},
    {"2023-02-29T00:00:00Z", 0, 0},
    {"2022-13-01T00:00:00Z", 0, 0},
    {"2022-01-02 03:04:05Z", 0, 0},
    {"2022-01-02T03:04:05", 0, 0},
    {"2022-01-02T03:04:05.Z", 0, 0},
    {"2022-01-02T24:00:00Z", 0, 0},
    {"2022-01-02T03:04:05+0100", 0, 0},
    {"2022-01-02T03:04:05Zjunk", 0, 0},
    {"0001-01-01T00:00:00Z", 0, 0}, /* outside int64 nanoseconds */
    {"9999-12-31T23:59:59Z", 0, 0},
    {"", 0, 0},
};

/* RFC 3339 input is parsed strictly; out-of-range years are refused. */
START_TEST(times_parse_strictly)
{
    const struct parse_row *r = &parse_rows[_i];
    int64_t ns = -7;
    int rv = js_json_time_parse(r->in, strlen(r->in), &ns);
    if (r->ok) {
        ck_assert_int_eq(rv, 0);
        ck_assert_int_eq(ns, r->ns);
    } else {
        ck_assert_int_ne(rv, 0);
        ck_assert_int_eq(ns, -7);
    }
}
END_TEST

/* The zero wall time is Go's zero time. */
START_TEST(zero_time_is_year_one)
{
    bl_buf_append_str(&out, "{");
    js_json_kv_time(&out, "t", 0);
    js_json_kv_time(&out, "u", 1000000000);
    bl_buf_append_str(&out, "}");
    ck_assert_str_eq(out.p, "{\"t\":\"0001-01-01T00:00:00Z\","
                            "\"u\":\"1970-01-01T00:00:01Z\"}");
}
END_TEST

/* Commas go between members and elements, never after an opener. */
START_TEST(separators_are_automatic)
{
    bl_buf_append_str(&out, "{");
    js_json_kv_str(&out, "a", NULL);
    js_json_kv_i64(&out, "b", -5);
    js_json_kv_u64(&out, "c", UINT64_MAX);
    js_json_key(&out, "d");
    bl_buf_append_str(&out, "[");
    js_json_sep(&out);
    js_json_str(&out, "x");
    js_json_sep(&out);
    js_json_str(&out, "y");
    bl_buf_append_str(&out, "]");
    js_json_kv_bool(&out, "e", false);
    bl_buf_append_str(&out, "}");
    ck_assert_str_eq(out.p, "{\"a\":\"\",\"b\":-5,\"c\":18446744073709551615,"
                            "\"d\":[\"x\",\"y\"],\"e\":false}");
}
END_TEST

/* Byte fields are standard base64 with padding. */
START_TEST(base64_pads)
{
    bl_buf_append_str(&out, "{");
    js_json_kv_base64(&out, "a", "", 0);
    js_json_kv_base64(&out, "b", "f", 1);
    js_json_kv_base64(&out, "c", "fo", 2);
    js_json_kv_base64(&out, "d", "foo", 3);
    js_json_kv_base64(&out, "e", "foob", 4);
    js_json_kv_base64(&out, "f", "\xff\xfe\xfd", 3);
    bl_buf_append_str(&out, "}");
    ck_assert_str_eq(out.p, "{\"a\":\"\",\"b\":\"Zg==\",\"c\":\"Zm8=\","
                            "\"d\":\"Zm9v\",\"e\":\"Zm9vYg==\","
                            "\"f\":\"//79\"}");
}
END_TEST

Suite *api_json_suite(void)
{
    Suite *s = suite_create("js/api_json");
    TCase *tc = tcase_create("strings");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, strings_escape_like_go, 0,
                        sizeof esc_rows / sizeof esc_rows[0]);
    tcase_add_test(tc, separators_are_automatic);
    tcase_add_test(tc, base64_pads);
    suite_add_tcase(s, tc);
    tc = tcase_create("times");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, times_format_as_rfc3339nano, 0,
                        sizeof time_rows / sizeof time_rows[0]);
    tcase_add_loop_test(tc, times_parse_strictly, 0,
                        sizeof parse_rows / sizeof parse_rows[0]);
    tcase_add_test(tc, zero_time_is_year_one);
    suite_add_tcase(s, tc);
    return s;
}
