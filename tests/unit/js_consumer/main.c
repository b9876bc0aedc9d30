/* Runs the consumer state machine's suite. */
#include "suites.h"

#include "ballast/log.h"

#include <check.h>
#include <stdlib.h>

int main(void)
{
    bl_log_set_level(BL_LOG_OFF);
    SRunner *sr = srunner_create(consumer_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
