/* Test helpers for the store: temp directories, appending by string, and a
 * text dump of everything a store exposes, to compare across reopens. */
#ifndef BALLAST_TEST_STORE_HELPERS_H
#define BALLAST_TEST_STORE_HELPERS_H

#include "store/store.h"

#include <stdint.h>

/* A fresh directory under $TMPDIR (or /tmp); caller frees with free(). */
char *tmpdir_new(void);
/* rm -rf dir. */
void tmpdir_remove(const char *dir);

/* store_append() with C strings (hdr may be NULL); returns the seq, fails
 * the test on error. */
uint64_t append_str(struct store *s, const char *subject, const char *hdr,
                    const char *data, uint64_t ts_ns);

/* Describes state, subjects, deleted sequences and every message; caller
 * frees. */
char *store_dump(struct store *s);

/* Total size of the files in dir whose name ends with `suffix`, and their
 * count in *n if not NULL. */
uint64_t dir_bytes(const char *dir, const char *suffix, unsigned *n);
/* Path of the block file with the highest number. */
void last_block_path(const char *dir, char *out, size_t out_size);

#define SL(s) bl_slice_of(s)
#define NOSL ((struct bl_slice){NULL, 0})

#endif
