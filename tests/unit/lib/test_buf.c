#include "suites.h"

#include "ballast/buf.h"
#include "ballast/mem.h"

static struct bl_buf b;

static void setup(void)
{
    bl_buf_init(&b);
}

static void teardown(void)
{
    bl_buf_close(&b);
}

/* Appends grow the buffer and keep it NUL-terminated. */
START_TEST(append_grows_and_terminates)
{
    for (int i = 0; i < 1000; i++)
        bl_buf_append(&b, "abc", 3);
    ck_assert_uint_eq(b.len, 3000);
    ck_assert_int_eq(b.p[b.len], '\0');
    ck_assert_mem_eq(b.p + 2997, "abc", 3);
}
END_TEST

/* printf and u64 appends produce the same text as snprintf. */
START_TEST(printf_and_u64_format_numbers)
{
    bl_buf_printf(&b, "x=%d ", 42);
    bl_buf_append_u64(&b, 0);
    bl_buf_append_str(&b, " ");
    bl_buf_append_u64(&b, 18446744073709551615ull);
    ck_assert_str_eq(b.p, "x=42 0 18446744073709551615");
}
END_TEST

/* Consuming drops the front and keeps the rest in order. */
START_TEST(consume_keeps_the_tail)
{
    bl_buf_append_str(&b, "hello world");
    bl_buf_consume(&b, 6);
    ck_assert_str_eq(b.p, "world");
    bl_buf_consume(&b, 100);
    ck_assert_uint_eq(b.len, 0);
}
END_TEST

/* Steal hands over the bytes and leaves an empty buffer. */
START_TEST(steal_transfers_ownership)
{
    bl_buf_append_str(&b, "mine");
    char *p = bl_buf_steal(&b);
    ck_assert_str_eq(p, "mine");
    ck_assert_ptr_null(b.p);
    bl_free(p);
}
END_TEST

struct size_case {
    const char *in;
    int64_t want;
};

static const struct size_case size_cases[] = {
    {"0", 0},   {"123", 123}, {"", -1},   {"12a", -1},
    {"-1", -1}, {" 1", -1},   {"1000000000000000000", -1},
};

/* Sizes are plain decimals; anything else is -1. */
START_TEST(parse_size_accepts_only_decimals)
{
    const struct size_case *c = &size_cases[_i];
    ck_assert_int_eq(bl_parse_size(c->in, strlen(c->in)), c->want);
}
END_TEST

Suite *buf_suite(void)
{
    Suite *s = suite_create("lib/buf");
    TCase *tc = tcase_create("buf");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, append_grows_and_terminates);
    tcase_add_test(tc, printf_and_u64_format_numbers);
    tcase_add_test(tc, consume_keeps_the_tail);
    tcase_add_test(tc, steal_transfers_ownership);
    tcase_add_loop_test(tc, parse_size_accepts_only_decimals, 0,
                        sizeof(size_cases) / sizeof(size_cases[0]));
    suite_add_tcase(s, tc);
    return s;
}
