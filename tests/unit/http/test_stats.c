#include "http/stats.h"

#include "ballast/mem.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"

static struct stats_connz z;

/* Five connections: cid i+1 has in_msgs (i*7)%5 and out_msgs i, and the
 * one with cid 3 has two subscriptions. */
static void setup(void)
{
    memset(&z, 0, sizeof(z));
    z.now_wall_ns = 1000000;
    z.n_conns = 5;
    z.conns = bl_xcalloc(5, sizeof(z.conns[0]));
    /* Shuffled so sorting by cid has work to do. */
    const uint64_t cids[5] = {4, 2, 5, 1, 3};
    for (size_t i = 0; i < 5; i++) {
        struct stats_conn *c = &z.conns[i];
        c->cid = cids[i];
        c->in_msgs = (cids[i] * 7) % 5;
        c->out_msgs = cids[i];
        c->start_wall_ns = 1000 * cids[i];
        c->last_activity_wall_ns = 2000 * cids[i];
        snprintf(c->reason, sizeof(c->reason), "r%c", (int)('e' - cids[i]));
        if (cids[i] == 3) {
            c->n_subs = 2;
            c->subs = bl_xmalloc(2 * sizeof(char *));
            c->subs[0] = bl_xstrdup("a");
            c->subs[1] = bl_xstrdup("b.>");
        }
    }
}

static void teardown(void)
{
    stats_connz_free(&z);
}

static void assert_cids(const uint64_t *want, size_t n)
{
    ck_assert_uint_eq(z.n_conns, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_eq(z.conns[i].cid, want[i]);
}

/* Sorting by cid is ascending; the window keeps offset..offset+limit and
 * frees the rest (ASan checks the subs of dropped connections). */
START_TEST(sort_by_cid_and_page)
{
    struct stats_connz_query q = {1, 2, false, false, STATS_SORT_CID};
    stats_connz_sort_page(&z, &q);
    const uint64_t want[] = {2, 3};
    assert_cids(want, 2);
    ck_assert_uint_eq(z.total, 5);
    ck_assert_int_eq(z.offset, 1);
    ck_assert_int_eq(z.limit, 2);
    ck_assert_ptr_nonnull(z.conns[1].subs);
    ck_assert_str_eq(z.conns[1].subs[1], "b.>");
}
END_TEST

/* msgs_to sorts by out_msgs, largest first. */
START_TEST(sort_by_msgs_to_is_descending)
{
    struct stats_connz_query q = {0, 1024, false, false, STATS_SORT_MSGS_TO};
    stats_connz_sort_page(&z, &q);
    const uint64_t want[] = {5, 4, 3, 2, 1};
    assert_cids(want, 5);
}
END_TEST

/* msgs_from sorts by in_msgs, largest first, ties by cid. in_msgs are
 * cid 1:2, 2:4, 3:1, 4:3, 5:0. */
START_TEST(sort_by_msgs_from_is_descending)
{
    struct stats_connz_query q = {0, 1024, false, false, STATS_SORT_MSGS_FROM};
    stats_connz_sort_page(&z, &q);
    const uint64_t want[] = {2, 4, 1, 3, 5};
    assert_cids(want, 5);
}
END_TEST

/* Idle (now - last activity) sorts longest first; reason alphabetically. */
START_TEST(sort_by_idle_and_reason)
{
    struct stats_connz_query q = {0, 1024, false, true, STATS_SORT_IDLE};
    stats_connz_sort_page(&z, &q);
    const uint64_t want_idle[] = {1, 2, 3, 4, 5};
    assert_cids(want_idle, 5);
    q.sort = STATS_SORT_REASON; /* reasons: cid 1 "rd" ... cid 4 "ra" */
    stats_connz_sort_page(&z, &q);
    const uint64_t want_reason[] = {5, 4, 3, 2, 1};
    assert_cids(want_reason, 5);
    ck_assert(z.closed);
}
END_TEST

/* An offset past the end leaves an empty page but the right total. */
START_TEST(offset_past_end_is_empty)
{
    struct stats_connz_query q = {9, 2, false, false, STATS_SORT_CID};
    stats_connz_sort_page(&z, &q);
    ck_assert_uint_eq(z.n_conns, 0);
    ck_assert_uint_eq(z.total, 5);
}
END_TEST

/* stats_connz_free is safe on NULL and on an emptied snapshot. */
START_TEST(free_is_idempotent)
{
    stats_connz_free(NULL);
    stats_connz_free(&z);
    ck_assert_ptr_null(z.conns);
    ck_assert_uint_eq(z.n_conns, 0);
    stats_connz_free(&z);
}
END_TEST

/* stats_jsz_free() frees every stream's strings and the array (ASan
 * checks), leaves no details, and is safe on NULL, on a zeroed snapshot
 * and a second time. */
START_TEST(jsz_free_releases_details)
{
    struct stats_jsz j;
    memset(&j, 0, sizeof(j));
    stats_jsz_free(&j);
    stats_jsz_free(NULL);
    j.enabled = true;
    j.streams = 2;
    j.n_streams = 2;
    j.stream_detail = bl_xcalloc(2, sizeof(j.stream_detail[0]));
    j.stream_detail[0].account = bl_xstrdup("$G");
    j.stream_detail[0].name = bl_xstrdup("ORDERS");
    j.stream_detail[0].config_json = bl_xstrdup("{}");
    j.stream_detail[1].account = bl_xstrdup("$G");
    j.stream_detail[1].name = bl_xstrdup("EVENTS");
    stats_jsz_free(&j);
    ck_assert_uint_eq(j.n_streams, 0);
    ck_assert_ptr_null(j.stream_detail);
    ck_assert(j.enabled); /* totals are left alone */
    ck_assert_uint_eq(j.streams, 2);
    stats_jsz_free(&j);
}
END_TEST

Suite *stats_suite(void)
{
    Suite *s = suite_create("http/stats");
    TCase *tc = tcase_create("sort_page");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, sort_by_cid_and_page);
    tcase_add_test(tc, sort_by_msgs_to_is_descending);
    tcase_add_test(tc, sort_by_msgs_from_is_descending);
    tcase_add_test(tc, sort_by_idle_and_reason);
    tcase_add_test(tc, offset_past_end_is_empty);
    tcase_add_test(tc, free_is_idempotent);
    tcase_add_test(tc, jsz_free_releases_details);
    suite_add_tcase(s, tc);
    return s;
}
