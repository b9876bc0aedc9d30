/* The http module's Check suites, run together by main.c. */
#ifndef BALLAST_TEST_HTTP_SUITES_H
#define BALLAST_TEST_HTTP_SUITES_H

#include <check.h>

Suite *render_suite(void);
Suite *query_suite(void);
Suite *stats_suite(void);
Suite *procstat_suite(void);
Suite *monitor_suite(void);

#endif
