/* The suites of tests/unit/js_consumer. */
#ifndef BALLAST_TEST_JS_CONSUMER_SUITES_H
#define BALLAST_TEST_JS_CONSUMER_SUITES_H

#include <check.h>

Suite *consumer_suite(void);

#endif
