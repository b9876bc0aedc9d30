/* The Check suites of the proto module, run together by main.c. */
#ifndef BALLAST_TEST_PROTO_SUITES_H
#define BALLAST_TEST_PROTO_SUITES_H

#include <check.h>

Suite *parser_suite(void);
Suite *encode_suite(void);

#endif
