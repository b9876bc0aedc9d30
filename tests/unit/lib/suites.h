#ifndef BALLAST_TEST_LIB_SUITES_H
#define BALLAST_TEST_LIB_SUITES_H
#include <check.h>
Suite *buf_suite(void);
Suite *map_suite(void);
Suite *err_suite(void);
Suite *duration_suite(void);
#endif
