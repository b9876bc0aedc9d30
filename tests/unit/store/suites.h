/* Suites of the store module's test binary. */
#ifndef BALLAST_TEST_STORE_SUITES_H
#define BALLAST_TEST_STORE_SUITES_H

#include <check.h>

/* The same conformance cases against each implementation. */
Suite *conformance_memstore_suite(void);
Suite *conformance_filestore_suite(void);
/* File-store specific: reopen, torn writes, corruption, blocks, limits. */
Suite *filestore_suite(void);
/* store_sync_begin/run/end/repeat, with a worker thread. */
Suite *sync_suite(void);

#endif
