#include "suites.h"

#include <stdlib.h>

int main(void)
{
    SRunner *sr = srunner_create(buf_suite());
    srunner_add_suite(sr, map_suite());
    srunner_add_suite(sr, err_suite());
    srunner_add_suite(sr, duration_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
