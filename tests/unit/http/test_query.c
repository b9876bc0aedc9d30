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

/* Absent arguments ask for totals only. */
START_TEST(jsz_defaults)
{
    struct stats_jsz_query j;
    char errmsg[BL_ERRMSG_SIZE];
    memset(&j, 0xff, sizeof(j));
    ck_assert_int_eq(query_jsz(&q, &j, errmsg), 0);
    ck_assert(!j.streams);
    ck_assert(!j.config);
    ck_assert(!j.accounts);
    ck_assert_str_eq(j.account, "");
}
END_TEST

static const struct {
    const char *key, *value;
    bool streams, config, accounts;
    const char *account;
} jsz_args[] = {
    {"streams", "true", true, false, true, ""},
    {"streams", "0", false, false, false, ""},
    {"consumers", "1", true, false, true, ""},
    {"config", "true", false, true, false, ""},
    {"accounts", "T", false, false, true, ""},
    {"acc", "$G", false, false, true, "$G"},
    {"acc", "", false, false, false, ""},
    {"streams", "", false, false, false, ""},
    {"leader-only", "true", false, false, false, ""},
    {"offset", "3", false, false, false, ""},
    {"limit", "10", false, false, false, ""},
};

/* Each argument sets its field; consumers imply streams, and streams or
 * an account name imply the account list, as in nats-server. */
START_TEST(jsz_reads_arguments)
{
    struct stats_jsz_query j;
    char errmsg[BL_ERRMSG_SIZE];
    query_add(&q, jsz_args[_i].key, jsz_args[_i].value);
    ck_assert_int_eq(query_jsz(&q, &j, errmsg), 0);
    ck_assert_int_eq(j.streams, jsz_args[_i].streams);
    ck_assert_int_eq(j.config, jsz_args[_i].config);
    ck_assert_int_eq(j.accounts, jsz_args[_i].accounts);
    ck_assert_str_eq(j.account, jsz_args[_i].account);
}
END_TEST

static const struct {
    const char *key, *value;
    const char *want_errmsg;
} jsz_bad_args[] = {
    {"streams", "maybe", "invalid streams 'maybe'"},
    {"consumers", "yes", "invalid consumers 'yes'"},
    {"config", "2", "invalid config '2'"},
    {"accounts", "on", "invalid accounts 'on'"},
    {"leader-only", "x", "invalid leader-only 'x'"},
    {"offset", "x", "invalid offset 'x'"},
    {"limit", "-", "invalid limit '-'"},
};

/* An account name that does not fit is refused, not truncated. */
START_TEST(jsz_rejects_long_account)
{
    struct stats_jsz_query j;
    char errmsg[BL_ERRMSG_SIZE] = "";
    char name[65];
    memset(name, 'A', 64);
    name[64] = '\0';
    query_add(&q, "acc", name);
    ck_assert_int_eq(query_jsz(&q, &j, errmsg), BL_EINVAL);
    ck_assert_str_eq(errmsg, "invalid acc: longer than 63 bytes");
    query_close(&q);
    name[63] = '\0';
    query_add(&q, "acc", name);
    ck_assert_int_eq(query_jsz(&q, &j, errmsg), 0);
    ck_assert_str_eq(j.account, name);
}
END_TEST

/* Malformed values are BL_EINVAL with a message; *out is untouched. */
START_TEST(jsz_rejects_bad_values)
{
    struct stats_jsz_query j;
    memset(&j, 0, sizeof(j));
    strcpy(j.account, "keep");
    char errmsg[BL_ERRMSG_SIZE] = "";
    query_add(&q, "acc", "ACME");
    query_add(&q, jsz_bad_args[_i].key, jsz_bad_args[_i].value);
    ck_assert_int_eq(query_jsz(&q, &j, errmsg), BL_EINVAL);
    ck_assert_str_eq(errmsg, jsz_bad_args[_i].want_errmsg);
    ck_assert_str_eq(j.account, "keep");
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

    tc = tcase_create("jsz");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, jsz_defaults);
    tcase_add_loop_test(tc, jsz_reads_arguments, 0,
                        sizeof(jsz_args) / sizeof(jsz_args[0]));
    tcase_add_loop_test(tc, jsz_rejects_bad_values, 0,
                        sizeof(jsz_bad_args) / sizeof(jsz_bad_args[0]));
    tcase_add_test(tc, jsz_rejects_long_account);
    suite_add_tcase(s, tc);

    tc = tcase_create("args");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, too_many_arguments_are_dropped);
    suite_add_tcase(s, tc);
    return s;
}
