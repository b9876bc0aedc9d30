/* The conf/ test suites, run together by main.c. */
#ifndef BALLAST_TEST_CONF_SUITES_H
#define BALLAST_TEST_CONF_SUITES_H

#include <check.h>

Suite *nats_suite(void);
Suite *yaml_suite(void);
Suite *apply_suite(void);
Suite *opts_suite(void);
Suite *args_suite(void);

#endif
