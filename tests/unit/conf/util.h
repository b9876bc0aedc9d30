/* Test helpers for conf/: a temp directory per test, files written into
 * it, and capture of stdout/stderr (warnings, -h output). */
#ifndef BALLAST_TEST_CONF_UTIL_H
#define BALLAST_TEST_CONF_UTIL_H

#include "conf/conf_tree.h"
#include "conf/opts.h"

#include <stddef.h>

/* Creates a fresh directory under $TMPDIR; returns its path (static). */
const char *tmpdir_make(void);

/* Removes the directory made by tmpdir_make() and everything in it. */
void tmpdir_remove(void);

/* Writes `text` to tmpdir/name and returns the full path (static buffer,
 * valid until the next call). */
const char *tmpdir_write(const char *name, const char *text);

/* Redirects fd (1 or 2) into a temp file until capture_end(), which
 * returns what was written (caller frees with bl_free()). */
void capture_begin(int fd);
char *capture_end(void);

/* Parses nats-syntax `text` named "t.conf" and applies it to a fresh o
 * (opts_init()). Returns the code; errmsg and *n_warnings are filled. */
int apply_nats(struct server_opts *o, const char *text, size_t *n_warnings,
               char *errmsg);

/* Same for YAML text named "t.yaml". */
int apply_yaml(struct server_opts *o, const char *text, size_t *n_warnings,
               char *errmsg);

#endif
