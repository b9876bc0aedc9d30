/* Subscription index: maps a literal subject to the subscriptions whose
 * filter matches it, with queue-group members gathered per group.
 *
 * A token trie with `*` and `>` nodes plus a match cache keyed by subject.
 * The cache stays correct as subscriptions come and go: inserts and removes
 * invalidate or patch the cached results they affect. Subscriptions are
 * opaque `void *` handles owned by the caller; the index only stores them.
 * Not thread-safe: one event loop owns it. */
#ifndef BALLAST_SUBJ_SUBLIST_H
#define BALLAST_SUBJ_SUBLIST_H

#include "ballast/buf.h"

#include <stddef.h>
#include <stdint.h>

struct sublist;

struct sublist_qgroup {
    struct bl_slice name; /* borrowed from the index, valid with the result */
    size_t n_subs;
    void **subs;
};

/* A match result. Refcounted: valid until sublist_result_release(), even if
 * the index changes meanwhile (delivery may unsubscribe). */
struct sublist_result {
    unsigned refs;
    size_t n_psubs; /* plain (non-queue) subscriptions */
    void **psubs;
    size_t n_qgroups;
    struct sublist_qgroup *qgroups;
};

struct sublist_stats {
    uint64_t n_subs;
    uint64_t n_cache; /* entries in the match cache */
    uint64_t n_inserts;
    uint64_t n_removes;
    uint64_t n_matches;
    uint64_t n_cache_hits;
    uint64_t max_fanout;
    double avg_fanout;
};

struct sublist *sublist_new(void);
void sublist_free(struct sublist *sl);

/* Adds `sub` under `subject` (validated with subject_valid_subscribe) and
 * queue group `queue` (len 0 for none). The index copies the strings.
 * Returns 0, or BL_EINVAL for an invalid subject or queue. */
int sublist_insert(struct sublist *sl, struct bl_slice subject,
                   struct bl_slice queue, void *sub);

/* Removes the entry added with the same subject, queue and sub. Returns 0 or
 * BL_ENOENT. */
int sublist_remove(struct sublist *sl, struct bl_slice subject,
                   struct bl_slice queue, void *sub);

/* Finds the subscriptions matching the literal `subject`. Never NULL; the
 * caller releases the result. */
struct sublist_result *sublist_match(struct sublist *sl,
                                     struct bl_slice subject);
void sublist_result_release(struct sublist_result *r);

size_t sublist_count(const struct sublist *sl);
void sublist_get_stats(const struct sublist *sl, struct sublist_stats *out);

/* Calls cb for every stored entry (for /subsz); stops if cb returns
 * nonzero. */
typedef int (*sublist_visit_cb)(void *ctx, struct bl_slice subject,
                                struct bl_slice queue, void *sub);
void sublist_visit(const struct sublist *sl, sublist_visit_cb cb, void *ctx);

#endif
