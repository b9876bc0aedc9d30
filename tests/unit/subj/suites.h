/* The subj module's Check suites, run together by main.c. */
#ifndef BALLAST_TEST_SUBJ_SUITES_H
#define BALLAST_TEST_SUBJ_SUITES_H

#include <check.h>

Suite *subject_suite(void);
Suite *sublist_suite(void);

#endif
