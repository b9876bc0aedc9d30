#include "suites.h"

#include "ballast/err.h"

#include <errno.h>

/* Prefixes stack like a path, innermost last. */
START_TEST(prefix_reads_like_a_path)
{
    char msg[BL_ERRMSG_SIZE];
    bl_errmsg_set(msg, "write: %s", "No space left on device");
    bl_errmsg_prefix(msg, "open segment %d", 7);
    bl_errmsg_prefix(msg, "load stream %s", "ORDERS");
    ck_assert_str_eq(msg, "load stream ORDERS: open segment 7: write: No "
                          "space left on device");
}
END_TEST

/* errno values map onto our codes. */
START_TEST(errno_maps_to_codes)
{
    ck_assert_int_eq(bl_err_from_errno(ENOSPC), BL_ENOSPC);
    ck_assert_int_eq(bl_err_from_errno(ENOENT), BL_ENOENT);
    ck_assert_int_eq(bl_err_from_errno(EIO), BL_EIO);
    ck_assert_str_eq(bl_strerror(BL_ENOSPC), "no space left on device");
}
END_TEST

Suite *err_suite(void)
{
    Suite *s = suite_create("lib/err");
    TCase *tc = tcase_create("err");
    tcase_add_test(tc, prefix_reads_like_a_path);
    tcase_add_test(tc, errno_maps_to_codes);
    suite_add_tcase(s, tc);
    return s;
}
