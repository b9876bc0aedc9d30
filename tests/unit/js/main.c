/* Runs the js module's suites with one SRunner. */
#include <check.h>
#include <stdlib.h>

#include "suites.h"

int main(void)
{
    SRunner *sr = srunner_create(errors_suite());
    srunner_add_suite(sr, api_json_suite());
    srunner_add_suite(sr, stream_config_suite());
    srunner_add_suite(sr, consumer_config_suite());
    srunner_add_suite(sr, requests_suite());
    srunner_add_suite(sr, render_suite());
    srunner_add_suite(sr, snapshot_suite());
    srunner_run_all(sr, CK_NORMAL);
    int n_failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
