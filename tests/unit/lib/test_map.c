#include "suites.h"

#include "ballast/err.h"
#include "ballast/map.h"

#include <stdio.h>
#include <stdint.h>

static struct bl_map m;

static void setup(void)
{
    bl_map_init(&m);
}

static void teardown(void)
{
    bl_map_close(&m);
}

/* Values come back under their keys; missing keys give NULL. */
START_TEST(put_get_del_round_trip)
{
    ck_assert_int_eq(bl_map_put(&m, bl_slice_of("a"), (void *)1), 0);
    ck_assert_int_eq(bl_map_put(&m, bl_slice_of("b"), (void *)2), 0);
    ck_assert_int_eq(bl_map_put(&m, bl_slice_of("a"), (void *)3), BL_EEXIST);
    ck_assert_ptr_eq(bl_map_get(&m, bl_slice_of("a")), (void *)1);
    ck_assert_ptr_null(bl_map_get(&m, bl_slice_of("c")));
    ck_assert_ptr_eq(bl_map_del(&m, bl_slice_of("a")), (void *)1);
    ck_assert_ptr_null(bl_map_get(&m, bl_slice_of("a")));
    ck_assert_uint_eq(bl_map_count(&m), 1);
}
END_TEST

/* Many inserts and deletes (tombstones, growth) keep every survivor. */
START_TEST(many_keys_survive_growth_and_deletes)
{
    char k[32];
    for (uintptr_t i = 1; i <= 5000; i++) {
        snprintf(k, sizeof(k), "key.%lu", (unsigned long)i);
        ck_assert_int_eq(bl_map_put(&m, bl_slice_of(k), (void *)i), 0);
        if (i % 3 == 0) {
            snprintf(k, sizeof(k), "key.%lu", (unsigned long)(i - 1));
            ck_assert_ptr_eq(bl_map_del(&m, bl_slice_of(k)), (void *)(i - 1));
        }
    }
    size_t n = 0;
    for (uintptr_t i = 1; i <= 5000; i++) {
        snprintf(k, sizeof(k), "key.%lu", (unsigned long)i);
        void *v = bl_map_get(&m, bl_slice_of(k));
        if ((i + 1) % 3 == 0 && i + 1 <= 5000)
            ck_assert_ptr_null(v);
        else {
            ck_assert_ptr_eq(v, (void *)i);
            n++;
        }
    }
    ck_assert_uint_eq(bl_map_count(&m), n);
    size_t it = 0, seen = 0;
    while (bl_map_next(&m, &it, NULL, NULL))
        seen++;
    ck_assert_uint_eq(seen, n);
}
END_TEST

Suite *map_suite(void)
{
    Suite *s = suite_create("lib/map");
    TCase *tc = tcase_create("map");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, put_get_del_round_trip);
    tcase_add_test(tc, many_keys_survive_growth_and_deletes);
    suite_add_tcase(s, tc);
    return s;
}
