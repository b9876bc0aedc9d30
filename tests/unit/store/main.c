/* Runs the store module's suites; exits nonzero if any test failed. */
#include "suites.h"

#include "ballast/log.h"

#include <stdlib.h>

int main(void)
{
    /* Recovery warnings are expected in the corruption tests. */
    bl_log_set_level(BL_LOG_ERROR);
    SRunner *sr = srunner_create(conformance_memstore_suite());
    srunner_add_suite(sr, conformance_filestore_suite());
    srunner_add_suite(sr, filestore_suite());
    srunner_add_suite(sr, sync_suite());
    srunner_run_all(sr, CK_NORMAL);
    int n_failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
