/* Runs the conf/ suites with one SRunner. */
#include "suites.h"

#include "ballast/log.h"

#include <stdlib.h>

int main(void)
{
    bl_log_set_timestamps(0);
    SRunner *sr = srunner_create(nats_suite());
    srunner_add_suite(sr, yaml_suite());
    srunner_add_suite(sr, apply_suite());
    srunner_add_suite(sr, opts_suite());
    srunner_add_suite(sr, args_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
