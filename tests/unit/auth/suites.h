/* The auth module's Check suites, run together by main.c. */
#ifndef BALLAST_TEST_AUTH_SUITES_H
#define BALLAST_TEST_AUTH_SUITES_H

#include <check.h>

Suite *auth_suite(void);
Suite *perms_suite(void);

#endif
