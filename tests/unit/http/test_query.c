#include "http/query.h"

#include "ballast/err.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"

static struct query q;

static void setup(void)
{
    query_init(&q);
}

static void teardown(void)
{
    query_close(&q);
}

/* Absent arguments get nats-server's defaults. */
START_TEST(connz_defaults)
{
    struct stats_connz_query c;
    char errmsg[BL_ERRMSG_SIZE];
    ck_assert_int_eq(query_connz(&q, &c, errmsg), 0);
    ck_assert_int_eq(c.offset, 0);
    ck_assert_int_eq(c.limit, 1024);
    ck_assert(!c.subs);
    ck_assert(!c.closed);
    ck_assert_int_eq(c.sort, STATS_SORT_CID);
}
END_TEST

/* Every argument is read; a key without "=" has an empty value. */
START_TEST(connz_reads_every_argument)
{
    struct stats_connz_query c;
    char errmsg[BL_ERRMSG_SIZE];
    query_add(&q, "offset", "5");
    query_add(&q, "limit", "2");
    query_add(&q, "subs", "detail");
    query_add(&q, "state", "closed");
    query_add(&q, "sort", "reason");
    query_add(&q, "auth", NULL);
    ck_assert_str_eq(query_get(&q, "auth"), "");
    ck_assert_ptr_null(query_get(&q, "nope"));
    ck_assert_int_eq(query_connz(&q, &c, errmsg), 0);
    ck_assert_int_eq(c.offset, 5);
    ck_assert_int_eq(c.limit, 2);
    ck_assert(c.subs);
    ck_assert(c.closed);
    ck_assert_int_eq(c.sort, STATS_SORT_REASON);
}
END_TEST

/* Negative offsets become 0 and non-positive limits the default. */
START_TEST(connz_clamps_offset_and_limit)
{
    struct stats_connz_query c;
    char errmsg[BL_ERRMSG_SIZE];
    query_add(&q, "offset", "-3");
    query_add(&q, "limit", "0");
    query_add(&q, "subs", "false");
    ck_assert_int_eq(query_connz(&q, &c, errmsg), 0);
    ck_assert_int_eq(c.offset, 0);
    ck_assert_int_eq(c.limit, 1024);
    ck_assert(!c.subs);
}
END_TEST

static const struct {
    const char *key, *value;
    int sort;
} sort_names[] = {
    {"sort", "cid", STATS_SORT_CID},
    {"sort", "start", STATS_SORT_START},
    {"sort", "subs", STATS_SORT_SUBS},
    {"sort", "pending", STATS_SORT_PENDING},
    {"sort", "msgs_to", STATS_SORT_MSGS_TO},
    {"sort", "msgs_from", STATS_SORT_MSGS_FROM},
    {"sort", "bytes_to", STATS_SORT_BYTES_TO},
    {"sort", "bytes_from", STATS_SORT_BYTES_FROM},
    {"sort", "last", STATS_SORT_LAST},
    {"sort", "idle", STATS_SORT_IDLE},
    {"sort", "uptime", STATS_SORT_UPTIME},
    {"sort", "rtt", STATS_SORT_RTT},
};

/* Every nats-server sort name maps to its order. */
START_TEST(connz_sort_names)
{
    struct stats_connz_query c;
    char errmsg[BL_ERRMSG_SIZE];
    query_add(&q, sort_names[_i].key, sort_names[_i].value);
    ck_assert_int_eq(query_connz(&q, &c, errmsg), 0);
    ck_assert_int_eq(c.sort, sort_names[_i].sort);
}
END_TEST

static const struct {
    const char *key, *value, *second_key, *second_value;
    const char *want_errmsg;
} bad_args[] = {
    {"offset", "abc", NULL, NULL, "invalid offset 'abc'"},
    {"limit", "1x", NULL, NULL, "invalid limit '1x'"},
    {"limit", "99999999999", NULL, NULL, "invalid limit '99999999999'"},
    {"subs", "maybe", NULL, NULL, "invalid subs 'maybe'"},
    {"state", "bad", NULL, NULL, "invalid state 'bad'"},
    {"state", "all", NULL, NULL,
     "state 'all' is not supported, ask for open and closed separately"},
    {"sort", "bad", NULL, NULL, "invalid sort 'bad'"},
    {"sort", "stop", NULL, NULL,
     "sort by stop is only valid for closed connections"},
    {"sort", "reason", "state", "open",
     "sort by reason is only valid for closed connections"},
};

/* Malformed or unsupported values are BL_EINVAL with a message. */
START_TEST(connz_rejects_bad_values)
{
    struct stats_connz_query c = {7, 7, true, true, 7};
    char errmsg[BL_ERRMSG_SIZE] = "";
    query_add(&q, bad_args[_i].key, bad_args[_i].value);
    if (bad_args[_i].second_key != NULL)
        query_add(&q, bad_args[_i].second_key, bad_args[_i].second_value);
    ck_assert_int_eq(query_connz(&q, &c, errmsg), BL_EINVAL);
    ck_assert_str_eq(errmsg, bad_args[_i].want_errmsg);
    ck_assert_int_eq(c.offset, 7); /* untouched on failure */
}
END_TEST

/* Arguments past QUERY_MAX_ARGS are dropped, not overflowed. */
START_TEST(too_many_arguments_are_dropped)
{
    char key[16];
    for (int i = 0; i < QUERY_MAX_ARGS + 4; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        query_add(&q, key, "v");
    }
    ck_assert_uint_eq(q.n_args, QUERY_MAX_ARGS);
    ck_assert_str_eq(query_get(&q, "k0"), "v");
    ck_assert_ptr_null(query_get(&q, "k17"));
}
END_TEST

Suite *query_suite(void)
{
    Suite *s = suite_create("http/query");
    TCase *tc = tcase_create("connz");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, connz_defaults);
    tcase_add_test(tc, connz_reads_every_argument);
    tcase_add_test(tc, connz_clamps_offset_and_limit);
    tcase_add_loop_test(tc, connz_sort_names, 0,
                        sizeof(sort_names) / sizeof(sort_names[0]));
    tcase_add_loop_test(tc, connz_rejects_bad_values, 0,
                        sizeof(bad_args) / sizeof(bad_args[0]));
    suite_add_tcase(s, tc);

    tc = tcase_create("args");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, too_many_arguments_are_dropped);
    suite_add_tcase(s, tc);
    return s;
}
