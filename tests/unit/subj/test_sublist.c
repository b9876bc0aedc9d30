/* The subscription index: matching, queue grouping, removal, the match
 * cache and its invalidation, and a randomized comparison against a brute
 * force scan with subject_matches(). */
#include "subj/sublist.h"

#include "ballast/err.h"
#include "subj/subject.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"

static struct sublist *sl;
static char handles[4096]; /* &handles[i] is subscription handle i */

#define SUB(i) ((void *)&handles[(i)])
#define S(lit) BL_SLICE_LIT(lit)
#define NOQ ((struct bl_slice){"", 0})

static void setup(void)
{
    sl = sublist_new();
}

static void teardown(void)
{
    sublist_free(sl);
    sl = NULL;
}

static void insert_ok(const char *subject, const char *queue, void *sub)
{
    ck_assert_int_eq(
        sublist_insert(sl, bl_slice_of(subject), bl_slice_of(queue), sub), 0);
}

static int cmp_ptr(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) * (void *const *)a;
    uintptr_t y = (uintptr_t) * (void *const *)b;
    return x < y ? -1 : x > y;
}

/* True if the n pointers in `got` are, in any order, the NULL-terminated
 * list `want`. */
static bool same_set(void *const *got, size_t n, void *const *want)
{
    size_t n_want = 0;
    while (want[n_want] != NULL)
        n_want++;
    if (n != n_want)
        return false;
    void **a = malloc((n + 1) * sizeof(*a));
    void **b = malloc((n + 1) * sizeof(*b));
    if (n > 0) {
        memcpy(a, got, n * sizeof(*a));
        memcpy(b, want, n * sizeof(*b));
    }
    qsort(a, n, sizeof(*a), cmp_ptr);
    qsort(b, n, sizeof(*b), cmp_ptr);
    bool eq = n == 0 || memcmp(a, b, n * sizeof(*a)) == 0;
    free(a);
    free(b);
    return eq;
}

#define PSUBS_ARE(r, ...)                                                      \
    ck_assert_msg(same_set((r)->psubs, (r)->n_psubs,                           \
                           (void *const[]){__VA_ARGS__, NULL}),                \
                  "psubs differ (n=%zu)", (r)->n_psubs)

static const struct sublist_qgroup *group_of(const struct sublist_result *r,
                                             const char *name)
{
    for (size_t i = 0; i < r->n_qgroups; i++)
        if (bl_slice_eq_str(r->qgroups[i].name, name))
            return &r->qgroups[i];
    return NULL;
}

#define GROUP_IS(r, name, ...)                                                 \
    do {                                                                       \
        const struct sublist_qgroup *g_ = group_of((r), (name));               \
        ck_assert_msg(g_ != NULL, "no group %s", (name));                      \
        ck_assert_msg(same_set(g_->subs, g_->n_subs,                           \
                               (void *const[]){__VA_ARGS__, NULL}),            \
                      "group %s differs (n=%zu)", (name), g_->n_subs);         \
    } while (0)

static struct sublist_result *match(const char *subject)
{
    struct sublist_result *r = sublist_match(sl, bl_slice_of(subject));
    ck_assert_ptr_nonnull(r);
    return r;
}

/* Number of plain subscriptions plus queue groups that match `subject`. */
static size_t fanout(const char *subject)
{
    struct sublist_result *r = match(subject);
    size_t n = r->n_psubs + r->n_qgroups;
    sublist_result_release(r);
    return n;
}

/* A literal filter matches only its own subject. */
START_TEST(literal_filter_matches_exact_subject)
{
    insert_ok("foo.bar", "", SUB(0));
    insert_ok("foo", "", SUB(1));
    insert_ok("foo.bar.baz", "", SUB(2));
    insert_ok("foo.baz", "", SUB(3));

    struct sublist_result *r = match("foo.bar");
    PSUBS_ARE(r, SUB(0));
    ck_assert_uint_eq(r->n_qgroups, 0);
    sublist_result_release(r);

    r = match("foo");
    PSUBS_ARE(r, SUB(1));
    sublist_result_release(r);

    ck_assert_uint_eq(fanout("foo.bar.baz.qux"), 0);
    ck_assert_uint_eq(fanout("bar"), 0);
    ck_assert_uint_eq(fanout("foo.ba"), 0);
}
END_TEST

/* '*' matches exactly one token at its position. */
START_TEST(pwc_matches_one_token)
{
    insert_ok("foo.*", "", SUB(0));
    insert_ok("*.bar", "", SUB(1));
    insert_ok("*", "", SUB(2));
    insert_ok("foo.*.baz", "", SUB(3));

    struct sublist_result *r = match("foo.bar");
    PSUBS_ARE(r, SUB(0), SUB(1));
    sublist_result_release(r);

    r = match("foo");
    PSUBS_ARE(r, SUB(2));
    sublist_result_release(r);

    r = match("foo.x.baz");
    PSUBS_ARE(r, SUB(3));
    sublist_result_release(r);

    ck_assert_uint_eq(fanout("foo.bar.qux"), 0);
    ck_assert_uint_eq(fanout("foo.x.baz.y"), 0);
}
END_TEST

/* '>' matches one or more trailing tokens, never zero. */
START_TEST(fwc_matches_one_or_more_tokens)
{
    insert_ok("foo.>", "", SUB(0));
    insert_ok(">", "", SUB(1));

    struct sublist_result *r = match("foo");
    PSUBS_ARE(r, SUB(1));
    sublist_result_release(r);

    r = match("foo.bar");
    PSUBS_ARE(r, SUB(0), SUB(1));
    sublist_result_release(r);

    r = match("foo.bar.baz.qux");
    PSUBS_ARE(r, SUB(0), SUB(1));
    sublist_result_release(r);

    r = match("bar.baz");
    PSUBS_ARE(r, SUB(1));
    sublist_result_release(r);
}
END_TEST

/* Wildcards combine: every filter matching the subject contributes once. */
START_TEST(mixed_wildcards_match_together)
{
    insert_ok("a.b.c", "", SUB(0));
    insert_ok("a.*.c", "", SUB(1));
    insert_ok("*.b.*", "", SUB(2));
    insert_ok("a.>", "", SUB(3));
    insert_ok("*.*.>", "", SUB(4));
    insert_ok("a.*.>", "", SUB(5));
    insert_ok("*.*.*.*", "", SUB(6));
    insert_ok("a.b", "", SUB(7));
    insert_ok("a.*bc.c", "", SUB(8)); /* literal token "*bc" */

    struct sublist_result *r = match("a.b.c");
    PSUBS_ARE(r, SUB(0), SUB(1), SUB(2), SUB(3), SUB(4), SUB(5));
    sublist_result_release(r);

    r = match("a.x.c");
    PSUBS_ARE(r, SUB(1), SUB(3), SUB(4), SUB(5));
    sublist_result_release(r);

    r = match("a.b");
    PSUBS_ARE(r, SUB(3), SUB(7));
    sublist_result_release(r);

    r = match("a.b.c.d");
    PSUBS_ARE(r, SUB(3), SUB(4), SUB(5), SUB(6));
    sublist_result_release(r);

    r = match("a.*bc.c");
    PSUBS_ARE(r, SUB(1), SUB(3), SUB(4), SUB(5), SUB(8));
    sublist_result_release(r);
}
END_TEST

/* Queue subscriptions come back as one group per queue name holding every
 * member whose filter matches, across different filters. */
START_TEST(queue_subs_grouped_by_name)
{
    insert_ok("foo", "q1", SUB(0));
    insert_ok("foo", "q1", SUB(1));
    insert_ok("*", "q1", SUB(2));
    insert_ok("foo", "q2", SUB(3));
    insert_ok(">", "q3", SUB(4));
    insert_ok("foo", "", SUB(5));
    insert_ok("bar", "q1", SUB(6));

    struct sublist_result *r = match("foo");
    PSUBS_ARE(r, SUB(5));
    ck_assert_uint_eq(r->n_qgroups, 3);
    GROUP_IS(r, "q1", SUB(0), SUB(1), SUB(2));
    GROUP_IS(r, "q2", SUB(3));
    GROUP_IS(r, "q3", SUB(4));
    sublist_result_release(r);

    r = match("bar");
    ck_assert_uint_eq(r->n_psubs, 0);
    ck_assert_uint_eq(r->n_qgroups, 2);
    GROUP_IS(r, "q1", SUB(2), SUB(6));
    GROUP_IS(r, "q3", SUB(4));
    sublist_result_release(r);
}
END_TEST

/* Removing takes out exactly the entry with the same subject, queue and
 * sub; a second remove, or one with another queue, reports BL_ENOENT. */
START_TEST(remove_takes_out_exact_entry)
{
    insert_ok("foo.*", "", SUB(0));
    insert_ok("foo.*", "q", SUB(1));
    insert_ok("foo.bar", "", SUB(2));
    ck_assert_uint_eq(sublist_count(sl), 3);

    ck_assert_int_eq(sublist_remove(sl, S("foo.*"), S("q"), SUB(0)), BL_ENOENT);
    ck_assert_int_eq(sublist_remove(sl, S("foo.*"), NOQ, SUB(1)), BL_ENOENT);
    ck_assert_int_eq(sublist_remove(sl, S("foo.>"), NOQ, SUB(0)), BL_ENOENT);
    ck_assert_int_eq(sublist_remove(sl, S("foo"), NOQ, SUB(0)), BL_ENOENT);
    ck_assert_int_eq(sublist_remove(sl, S("foo.bar.baz"), NOQ, SUB(2)),
                     BL_ENOENT);
    ck_assert_int_eq(sublist_remove(sl, S("foo..bar"), NOQ, SUB(2)), BL_ENOENT);
    ck_assert_uint_eq(sublist_count(sl), 3);

    ck_assert_int_eq(sublist_remove(sl, S("foo.*"), NOQ, SUB(0)), 0);
    ck_assert_int_eq(sublist_remove(sl, S("foo.*"), NOQ, SUB(0)), BL_ENOENT);
    ck_assert_uint_eq(sublist_count(sl), 2);

    struct sublist_result *r = match("foo.bar");
    PSUBS_ARE(r, SUB(2));
    GROUP_IS(r, "q", SUB(1));
    sublist_result_release(r);

    ck_assert_int_eq(sublist_remove(sl, S("foo.*"), S("q"), SUB(1)), 0);
    ck_assert_int_eq(sublist_remove(sl, S("foo.bar"), NOQ, SUB(2)), 0);
    ck_assert_int_eq(sublist_remove(sl, S("foo.bar"), NOQ, SUB(2)), BL_ENOENT);
    ck_assert_uint_eq(sublist_count(sl), 0);
    ck_assert_uint_eq(fanout("foo.bar"), 0);
}
END_TEST

/* Each insert is its own entry: the same sub under the same subject twice
 * needs two removes. */
START_TEST(duplicate_insert_needs_two_removes)
{
    insert_ok("foo", "", SUB(0));
    insert_ok("foo", "", SUB(0));
    ck_assert_uint_eq(sublist_count(sl), 2);
    ck_assert_uint_eq(fanout("foo"), 2);
    ck_assert_int_eq(sublist_remove(sl, S("foo"), NOQ, SUB(0)), 0);
    ck_assert_uint_eq(fanout("foo"), 1);
    ck_assert_int_eq(sublist_remove(sl, S("foo"), NOQ, SUB(0)), 0);
    ck_assert_uint_eq(fanout("foo"), 0);
    ck_assert_int_eq(sublist_remove(sl, S("foo"), NOQ, SUB(0)), BL_ENOENT);
}
END_TEST

/* A cached result is dropped when a matching filter is inserted or removed,
 * so the next match sees the change; unrelated cached subjects stay. */
START_TEST(cache_follows_inserts_and_removes)
{
    struct sublist_stats st;
    insert_ok("foo.bar", "", SUB(0));

    struct sublist_result *r = match("foo.bar");
    PSUBS_ARE(r, SUB(0));
    sublist_result_release(r);
    ck_assert_uint_eq(fanout("other.subject"), 0);
    sublist_get_stats(sl, &st);
    ck_assert_uint_eq(st.n_cache, 2);
    ck_assert_uint_eq(st.n_cache_hits, 0);

    r = match("foo.bar");
    PSUBS_ARE(r, SUB(0));
    sublist_result_release(r);
    sublist_get_stats(sl, &st);
    ck_assert_uint_eq(st.n_cache_hits, 1);

    insert_ok("foo.*", "", SUB(1));
    sublist_get_stats(sl, &st);
    ck_assert_uint_eq(st.n_cache, 1); /* other.subject survived */
    r = match("foo.bar");
    PSUBS_ARE(r, SUB(0), SUB(1));
    sublist_result_release(r);

    insert_ok(">", "grp", SUB(2));
    r = match("foo.bar");
    PSUBS_ARE(r, SUB(0), SUB(1));
    GROUP_IS(r, "grp", SUB(2));
    sublist_result_release(r);
    r = match("other.subject");
    ck_assert_uint_eq(r->n_psubs, 0);
    GROUP_IS(r, "grp", SUB(2));
    sublist_result_release(r);

    ck_assert_int_eq(sublist_remove(sl, S("foo.*"), NOQ, SUB(1)), 0);
    r = match("foo.bar");
    PSUBS_ARE(r, SUB(0));
    sublist_result_release(r);

    ck_assert_int_eq(sublist_remove(sl, S("foo.bar"), NOQ, SUB(0)), 0);
    r = match("foo.bar");
    ck_assert_uint_eq(r->n_psubs, 0);
    GROUP_IS(r, "grp", SUB(2));
    sublist_result_release(r);

    ck_assert_int_eq(sublist_remove(sl, S(">"), S("grp"), SUB(2)), 0);
    ck_assert_uint_eq(fanout("foo.bar"), 0);
    ck_assert_uint_eq(fanout("other.subject"), 0);
}
END_TEST

/* A literal insert drops only its own cached subject. */
START_TEST(literal_insert_drops_only_its_subject)
{
    struct sublist_stats st;
    ck_assert_uint_eq(fanout("a.b"), 0);
    ck_assert_uint_eq(fanout("a.c"), 0);
    ck_assert_uint_eq(fanout("a"), 0);
    insert_ok("a.b", "", SUB(0));
    sublist_get_stats(sl, &st);
    ck_assert_uint_eq(st.n_cache, 2);
    ck_assert_uint_eq(fanout("a.b"), 1);
    ck_assert_uint_eq(fanout("a.c"), 0);
}
END_TEST

/* A result the caller holds keeps its subs and queue names after the
 * subscription is removed and the cache drops its reference. */
START_TEST(held_result_outlives_removal)
{
    insert_ok("foo.*", "workers", SUB(0));
    insert_ok("foo.bar", "", SUB(1));

    struct sublist_result *held = match("foo.bar");
    ck_assert_uint_eq(held->refs, 2); /* the caller's and the cache's */

    ck_assert_int_eq(sublist_remove(sl, S("foo.*"), S("workers"), SUB(0)), 0);
    ck_assert_int_eq(sublist_remove(sl, S("foo.bar"), NOQ, SUB(1)), 0);
    ck_assert_uint_eq(held->refs, 1);

    struct sublist_result *now = match("foo.bar");
    ck_assert_ptr_ne(now, held);
    ck_assert_uint_eq(now->n_psubs + now->n_qgroups, 0);
    sublist_result_release(now);

    /* Under ASan, reading a freed name or array here would fail. */
    PSUBS_ARE(held, SUB(1));
    GROUP_IS(held, "workers", SUB(0));
    ck_assert_int_eq(memcmp(held->qgroups[0].name.p, "workers", 7), 0);

    sublist_free(sl);
    sl = NULL;
    GROUP_IS(held, "workers", SUB(0));
    sublist_result_release(held);
}
END_TEST

/* A cache hit hands out the same result with one more reference. */
START_TEST(cache_hit_shares_result)
{
    insert_ok("x.y", "", SUB(0));
    struct sublist_result *a = match("x.y");
    struct sublist_result *b = match("x.y");
    ck_assert_ptr_eq(a, b);
    ck_assert_uint_eq(a->refs, 3);
    sublist_result_release(a);
    sublist_result_release(b);
    ck_assert_uint_eq(a->refs, 1);
}
END_TEST

struct bad_row {
    const char *subject;
    const char *queue;
};

static const struct bad_row bad_rows[] = {
    {"", ""},         {".", ""},         {"foo.", ""},   {".foo", ""},
    {"foo..bar", ""}, {"foo.>.bar", ""}, {">.>", ""},    {"foo bar", ""},
    {"foo\t", ""},    {"foo\r\n", ""},   {"foo", "a b"}, {"foo", "q\t"},
    {"foo.*", "\n"},
};

/* Invalid subjects and queue names are refused with BL_EINVAL and leave the
 * index untouched. */
START_TEST(insert_rejects_invalid)
{
    const struct bad_row *row = &bad_rows[_i];
    ck_assert_int_eq(sublist_insert(sl, bl_slice_of(row->subject),
                                    bl_slice_of(row->queue), SUB(0)),
                     BL_EINVAL);
    ck_assert_uint_eq(sublist_count(sl), 0);
    struct sublist_stats st;
    sublist_get_stats(sl, &st);
    ck_assert_uint_eq(st.n_inserts, 0);
}
END_TEST

/* Matching a subject that is not a valid publish subject finds nothing,
 * even where a filter spells it literally. */
START_TEST(match_on_invalid_subject_is_empty)
{
    insert_ok("foo.*", "", SUB(0));
    insert_ok(">", "", SUB(1));
    const char *bad[] = {"foo.*", "foo.>", "", "foo..x", "foo x", ".foo"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sublist_result *r = match(bad[i]);
        ck_assert_msg(r->n_psubs == 0 && r->n_qgroups == 0, "%s", bad[i]);
        sublist_result_release(r);
    }
    ck_assert_uint_eq(fanout("foo.x"), 2);
}
END_TEST

/* Subjects with more tokens than fit on the stack match like short ones. */
START_TEST(long_subjects_match)
{
    char subject[256] = "t0";
    for (int i = 1; i < 60; i++)
        snprintf(subject + strlen(subject), sizeof(subject) - strlen(subject),
                 ".t%d", i);
    char filter[256];
    memcpy(filter, subject, strlen(subject) + 1);
    filter[strlen(filter) - 3] = '*'; /* "...t58.*" */
    filter[strlen(filter) - 2] = '\0';
    ck_assert_str_eq(filter + strlen(filter) - 5, "t58.*");

    insert_ok(subject, "", SUB(0));
    insert_ok(filter, "", SUB(1));
    insert_ok("t0.>", "", SUB(2));
    struct sublist_result *r = match(subject);
    PSUBS_ARE(r, SUB(0), SUB(1), SUB(2));
    sublist_result_release(r);
    ck_assert_int_eq(sublist_remove(sl, bl_slice_of(subject), NOQ, SUB(0)), 0);
    ck_assert_uint_eq(fanout(subject), 2);
}
END_TEST

/* The cache stays bounded when many distinct subjects are matched, and
 * results stay right after evictions. */
START_TEST(cache_is_bounded)
{
    char subject[32];
    struct sublist_stats st;
    insert_ok("s.*", "", SUB(0));
    insert_ok("s.7", "", SUB(1));
    for (int i = 0; i < 5000; i++) {
        snprintf(subject, sizeof(subject), "s.%d", i);
        struct sublist_result *r = match(subject);
        ck_assert_uint_eq(r->n_psubs, i == 7 ? 2 : 1);
        sublist_result_release(r);
        sublist_get_stats(sl, &st);
        ck_assert_uint_le(st.n_cache, 1024);
    }
    ck_assert_uint_gt(st.n_cache, 0);
    struct sublist_result *r = match("s.7");
    PSUBS_ARE(r, SUB(0), SUB(1));
    sublist_result_release(r);
}
END_TEST

/* Once the cache is full, subjects matched only once (replies to one-off
 * inboxes) do not evict what is cached; a subject matched again is
 * admitted and then hit. */
START_TEST(full_cache_admits_only_repeated_subjects)
{
    char subject[32];
    struct sublist_stats st;
    insert_ok("k.*", "", SUB(0));
    insert_ok("inbox.*", "", SUB(1));
    for (int i = 0; i < 1024; i++) {
        snprintf(subject, sizeof(subject), "k.%d", i);
        sublist_result_release(match(subject));
    }
    sublist_get_stats(sl, &st);
    ck_assert_uint_eq(st.n_cache, 1024);
    for (int i = 0; i < 3000; i++) {
        snprintf(subject, sizeof(subject), "inbox.%d", i);
        struct sublist_result *r = match(subject);
        PSUBS_ARE(r, SUB(1));
        sublist_result_release(r);
    }
    sublist_get_stats(sl, &st);
    uint64_t hits = st.n_cache_hits;
    for (int i = 0; i < 1024; i++) {
        snprintf(subject, sizeof(subject), "k.%d", i);
        sublist_result_release(match(subject));
    }
    sublist_get_stats(sl, &st);
    ck_assert_uint_eq(st.n_cache_hits - hits, 1024);

    /* A subject missed twice in a row is admitted, then hit. */
    sublist_result_release(match("inbox.5"));
    sublist_result_release(match("inbox.5"));
    sublist_get_stats(sl, &st);
    hits = st.n_cache_hits;
    struct sublist_result *r = match("inbox.5");
    PSUBS_ARE(r, SUB(1));
    sublist_result_release(r);
    sublist_get_stats(sl, &st);
    ck_assert_uint_eq(st.n_cache_hits, hits + 1);
}
END_TEST

/* The counters track inserts, removes, matches, hits and fanout. */
START_TEST(stats_count_operations)
{
    struct sublist_stats st;
    sublist_get_stats(sl, &st);
    ck_assert_uint_eq(st.n_subs, 0);
    ck_assert_uint_eq(st.n_matches, 0);
    ck_assert(st.avg_fanout == 0.0);

    insert_ok("a", "", SUB(0));
    insert_ok("*", "", SUB(1));
    insert_ok("a", "q", SUB(2));
    insert_ok("a", "q", SUB(3));
    insert_ok("b", "", SUB(4));
    ck_assert_int_eq(sublist_remove(sl, S("b"), NOQ, SUB(4)), 0);
    ck_assert_int_eq(sublist_remove(sl, S("b"), NOQ, SUB(4)), BL_ENOENT);

    ck_assert_uint_eq(fanout("a"), 3); /* two plain + one group */
    ck_assert_uint_eq(fanout("a"), 3);
    ck_assert_uint_eq(fanout("c"), 1);
    ck_assert_uint_eq(fanout("c.d"), 0);

    sublist_get_stats(sl, &st);
    ck_assert_uint_eq(st.n_subs, 4);
    ck_assert_uint_eq(st.n_inserts, 5);
    ck_assert_uint_eq(st.n_removes, 1);
    ck_assert_uint_eq(st.n_matches, 4);
    ck_assert_uint_eq(st.n_cache_hits, 1);
    ck_assert_uint_eq(st.n_cache, 3);
    ck_assert_uint_eq(st.max_fanout, 3);
    ck_assert_double_eq_tol(st.avg_fanout, 7.0 / 4.0, 1e-9);
    ck_assert_uint_eq(sublist_count(sl), 4);
}
END_TEST

struct seen {
    int n;
    int stop_after; /* 0: never stop */
    bool found[8];
};

static int record(void *ctx, struct bl_slice subject, struct bl_slice queue,
                  void *sub)
{
    static const char *const want[][2] = {
        {"foo", ""},    {"foo.bar", ""}, {"foo.*", "q"},
        {"foo.*", "q"}, {">", ""},       {"foo.bar.>", "r"},
    };
    struct seen *s = ctx;
    size_t i = (size_t)((char *)sub - handles);
    ck_assert_uint_lt(i, 6);
    ck_assert_msg(bl_slice_eq_str(subject, want[i][0]), "subject %.*s",
                  (int)subject.len, subject.p);
    ck_assert(bl_slice_eq_str(queue, want[i][1]));
    ck_assert(!s->found[i]);
    s->found[i] = true;
    s->n++;
    return s->stop_after != 0 && s->n >= s->stop_after;
}

/* sublist_visit reports every entry with its subject and queue, once, and
 * stops when the callback says so. */
START_TEST(visit_enumerates_entries)
{
    insert_ok("foo", "", SUB(0));
    insert_ok("foo.bar", "", SUB(1));
    insert_ok("foo.*", "q", SUB(2));
    insert_ok("foo.*", "q", SUB(3));
    insert_ok(">", "", SUB(4));
    insert_ok("foo.bar.>", "r", SUB(5));

    struct seen s = {0};
    sublist_visit(sl, record, &s);
    ck_assert_int_eq(s.n, 6);
    for (int i = 0; i < 6; i++)
        ck_assert(s.found[i]);

    struct seen s2 = {.stop_after = 2};
    sublist_visit(sl, record, &s2);
    ck_assert_int_eq(s2.n, 2);

    ck_assert_int_eq(sublist_remove(sl, S("foo.bar.>"), S("r"), SUB(5)), 0);
    struct seen s3 = {0};
    sublist_visit(sl, record, &s3);
    ck_assert_int_eq(s3.n, 5);
    ck_assert(!s3.found[5]);
}
END_TEST

/* --- randomized comparison with a brute-force scan ---------------------- */

struct entry {
    char subject[32];
    const char *queue;
    void *sub;
};

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33) % n;
}

static void random_filter(char *out)
{
    static const char *const toks[] = {"a", "b", "c", "*", ">"};
    uint32_t len = 1 + rnd(4);
    size_t n = 0;
    for (uint32_t k = 0; k < len; k++) {
        const char *t = toks[rnd(k + 1 == len ? 5 : 4)];
        if (k > 0)
            out[n++] = '.';
        out[n++] = t[0];
    }
    out[n] = '\0';
}

static void random_subject(char *out)
{
    static const char toks[] = {'a', 'b', 'c', 'd'};
    uint32_t len = 1 + rnd(5);
    size_t n = 0;
    for (uint32_t k = 0; k < len; k++) {
        if (k > 0)
            out[n++] = '.';
        out[n++] = toks[rnd(4)];
    }
    out[n] = '\0';
}

/* Expected matches for one subject, from scanning every live entry. */
struct expect {
    void *psubs[512];
    size_t n_psubs;
    const char *qnames[3];
    void *qsubs[3][512];
    size_t n_qsubs[3];
    size_t n_groups;
};

static const char *const queues[] = {"", "q1", "q2", "q3"};

static void expect_scan(struct expect *e, const struct entry *live,
                        size_t n_live, const char *subject)
{
    memset(e, 0, sizeof(*e));
    for (size_t i = 0; i < n_live; i++) {
        if (!subject_matches(bl_slice_of(live[i].subject),
                             bl_slice_of(subject)))
            continue;
        if (live[i].queue[0] == '\0') {
            e->psubs[e->n_psubs++] = live[i].sub;
            continue;
        }
        size_t q = (size_t)(live[i].queue[1] - '1');
        e->qsubs[q][e->n_qsubs[q]++] = live[i].sub;
    }
    for (size_t q = 0; q < 3; q++)
        e->n_groups += e->n_qsubs[q] > 0;
}

static void expect_check(const struct expect *e, const struct sublist_result *r,
                         const char *subject, int step)
{
    void *want[513];
    memcpy(want, e->psubs, e->n_psubs * sizeof(void *));
    want[e->n_psubs] = NULL;
    ck_assert_msg(same_set(r->psubs, r->n_psubs, want),
                  "step %d %s: psubs %zu want %zu", step, subject, r->n_psubs,
                  e->n_psubs);
    ck_assert_msg(r->n_qgroups == e->n_groups, "step %d %s: groups %zu/%zu",
                  step, subject, r->n_qgroups, e->n_groups);
    for (size_t q = 0; q < 3; q++) {
        if (e->n_qsubs[q] == 0)
            continue;
        const struct sublist_qgroup *g = group_of(r, queues[q + 1]);
        ck_assert_msg(g != NULL, "step %d %s: no %s", step, subject,
                      queues[q + 1]);
        memcpy(want, e->qsubs[q], e->n_qsubs[q] * sizeof(void *));
        want[e->n_qsubs[q]] = NULL;
        ck_assert_msg(same_set(g->subs, g->n_subs, want),
                      "step %d %s: group %s", step, subject, queues[q + 1]);
    }
}

/* Random inserts and removes over a small alphabet; after every step,
 * random subjects (and a result held from the step before) must match
 * exactly what a scan with subject_matches() finds. The subject space is
 * larger than the cache, so evictions happen too. */
START_TEST(random_ops_agree_with_brute_force)
{
    static struct entry live[512];
    static struct expect want, held_want;
    size_t n_live = 0;
    int next_sub = 0;
    struct sublist_result *held = NULL;
    char held_subject[32] = "";

    rng_state = 0x5eed1234abcdULL;
    for (int step = 0; step < 2000; step++) {
        uint32_t op = rnd(10);
        if ((op < 6 && n_live < 512) || n_live == 0) {
            struct entry *e = &live[n_live];
            random_filter(e->subject);
            e->queue = queues[rnd(4)];
            /* Mostly fresh handles, sometimes a reused one. */
            e->sub = next_sub > 0 && rnd(5) == 0 ? SUB(rnd((uint32_t)next_sub))
                                                 : SUB(next_sub++ % 4096);
            ck_assert_int_eq(sublist_insert(sl, bl_slice_of(e->subject),
                                            bl_slice_of(e->queue), e->sub),
                             0);
            n_live++;
        } else if (op < 9) {
            size_t i = rnd((uint32_t)n_live);
            ck_assert_int_eq(sublist_remove(sl, bl_slice_of(live[i].subject),
                                            bl_slice_of(live[i].queue),
                                            live[i].sub),
                             0);
            live[i] = live[--n_live];
        } else {
            /* SUB(4095) is never inserted. */
            char f[32];
            random_filter(f);
            ck_assert_int_eq(sublist_remove(sl, bl_slice_of(f), NOQ, SUB(4095)),
                             BL_ENOENT);
        }
        ck_assert_uint_eq(sublist_count(sl), n_live);

        if (held != NULL) {
            expect_check(&held_want, held, held_subject, step);
            sublist_result_release(held);
            held = NULL;
        }
        for (int k = 0; k < 4; k++) {
            char subject[32];
            random_subject(subject);
            expect_scan(&want, live, n_live, subject);
            struct sublist_result *r = match(subject);
            expect_check(&want, r, subject, step);
            if (k == 0) {
                held = r;
                held_want = want;
                memcpy(held_subject, subject, sizeof(subject));
            } else {
                sublist_result_release(r);
            }
        }
    }
    sublist_result_release(held);

    struct sublist_stats st;
    sublist_get_stats(sl, &st);
    ck_assert_uint_gt(st.n_cache_hits, 0);
    ck_assert_uint_le(st.n_cache, 1024);
    ck_assert_uint_eq(st.n_matches, 8000);
}
END_TEST

#define N_ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static TCase *tcase_fixture(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_add_checked_fixture(tc, setup, teardown);
    return tc;
}

Suite *sublist_suite(void)
{
    Suite *s = suite_create("subj/sublist");
    TCase *tc;

    tc = tcase_fixture("match");
    tcase_add_test(tc, literal_filter_matches_exact_subject);
    tcase_add_test(tc, pwc_matches_one_token);
    tcase_add_test(tc, fwc_matches_one_or_more_tokens);
    tcase_add_test(tc, mixed_wildcards_match_together);
    tcase_add_test(tc, long_subjects_match);
    tcase_add_test(tc, match_on_invalid_subject_is_empty);
    suite_add_tcase(s, tc);

    tc = tcase_fixture("queue");
    tcase_add_test(tc, queue_subs_grouped_by_name);
    suite_add_tcase(s, tc);

    tc = tcase_fixture("insert_remove");
    tcase_add_test(tc, remove_takes_out_exact_entry);
    tcase_add_test(tc, duplicate_insert_needs_two_removes);
    tcase_add_loop_test(tc, insert_rejects_invalid, 0, N_ROWS(bad_rows));
    suite_add_tcase(s, tc);

    tc = tcase_fixture("cache");
    tcase_add_test(tc, cache_follows_inserts_and_removes);
    tcase_add_test(tc, literal_insert_drops_only_its_subject);
    tcase_add_test(tc, held_result_outlives_removal);
    tcase_add_test(tc, cache_hit_shares_result);
    tcase_add_test(tc, cache_is_bounded);
    tcase_add_test(tc, full_cache_admits_only_repeated_subjects);
    suite_add_tcase(s, tc);

    tc = tcase_fixture("stats");
    tcase_add_test(tc, stats_count_operations);
    suite_add_tcase(s, tc);

    tc = tcase_fixture("visit");
    tcase_add_test(tc, visit_enumerates_entries);
    suite_add_tcase(s, tc);

    tc = tcase_fixture("random");
    tcase_add_test(tc, random_ops_agree_with_brute_force);
    suite_add_tcase(s, tc);

    return s;
}
