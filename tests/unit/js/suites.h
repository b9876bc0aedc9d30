/* The js module's Check suites, one per source file. */
#ifndef BALLAST_TESTS_UNIT_JS_SUITES_H
#define BALLAST_TESTS_UNIT_JS_SUITES_H

#include <check.h>

Suite *api_json_suite(void);
Suite *consumer_config_suite(void);
Suite *errors_suite(void);
Suite *render_suite(void);
Suite *requests_suite(void);
Suite *snapshot_suite(void);
Suite *stream_config_suite(void);

#endif
