/* Subject and queue name rules: validation and wildcard matching on
 * dot-separated tokens. `*` matches one token, `>` one or more trailing
 * tokens. Pure functions, no allocation. */
#ifndef BALLAST_SUBJ_SUBJECT_H
#define BALLAST_SUBJ_SUBJECT_H

#include "ballast/buf.h"

#include <stdbool.h>

/* A subject a client may publish to: non-empty tokens, no wildcards, no
 * whitespace. */
bool subject_valid_publish(struct bl_slice s);

/* A subject a client may subscribe to: like publish, but `*` and `>` may
 * stand as whole tokens, `>` only as the last. */
bool subject_valid_subscribe(struct bl_slice s);

/* True if `s` has no wildcard token. */
bool subject_is_literal(struct bl_slice s);

/* True if the literal subject `subject` matches `filter` (which may hold
 * wildcards). */
bool subject_matches(struct bl_slice filter, struct bl_slice subject);

/* True if some literal subject matches both filters. */
bool subject_overlaps(struct bl_slice a, struct bl_slice b);

/* True if every subject matching `sub` also matches `super`. */
bool subject_is_subset(struct bl_slice sub, struct bl_slice super);

/* A queue group name: non-empty, no whitespace. */
bool queue_name_valid(struct bl_slice q);

#endif
