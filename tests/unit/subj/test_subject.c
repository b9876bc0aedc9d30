/* Subject validation and wildcard matching, table-driven. */
#include "subj/subject.h"

#include <check.h>
#include <stdlib.h>

#include "suites.h"

struct valid_row {
    const char *s;
    bool publish;   /* subject_valid_publish */
    bool subscribe; /* subject_valid_subscribe */
    bool literal;   /* subject_is_literal */
};

static const struct valid_row valid_rows[] = {
    {"foo", true, true, true},
    {"foo.bar", true, true, true},
    {"foo.bar.baz", true, true, true},
    {"$JS.API.INFO", true, true, true},
    {"_INBOX.abc123.x", true, true, true},
    {"a-b_c.d/e:f", true, true, true},
    {"", false, false, true},
    {".", false, false, true},
    {".foo", false, false, true},
    {"foo.", false, false, true},
    {"foo..bar", false, false, true},
    {"foo bar", false, false, true},
    {"foo\tbar", false, false, true},
    {"foo\r", false, false, true},
    {"\nfoo", false, false, true},
    {"foo.\f", false, false, true},
    {" ", false, false, true},
    {"*", false, true, false},
    {">", false, true, false},
    {"foo.*", false, true, false},
    {"foo.>", false, true, false},
    {"*.bar", false, true, false},
    {"*.*.*", false, true, false},
    {"foo.*.>", false, true, false},
    {"foo.>.bar", false, false, false},
    {">.>", false, false, false},
    {"> ", false, false, true},
    {"foo. *", false, false, true},
    {"foo.*bar", true, true, true},
    {"foo.bar*", true, true, true},
    {"foo.>bar", true, true, true},
    {"foo.**", true, true, true},
    {"foo.>>", true, true, true},
    {">foo.bar", true, true, true},
    {"foo.*.", false, false, false},
    {".>", false, false, false},
};

/* Each subject is judged for publish, subscribe and literalness exactly as
 * nats-server judges it. */
START_TEST(validity_follows_nats_rules)
{
    const struct valid_row *r = &valid_rows[_i];
    struct bl_slice s = bl_slice_of(r->s);
    ck_assert_msg(subject_valid_publish(s) == r->publish, "publish %s", r->s);
    ck_assert_msg(subject_valid_subscribe(s) == r->subscribe, "subscribe %s",
                  r->s);
    ck_assert_msg(subject_is_literal(s) == r->literal, "literal %s", r->s);
}
END_TEST

struct match_row {
    const char *filter;
    const char *subject;
    bool match;
};

static const struct match_row match_rows[] = {
    {"foo", "foo", true},
    {"foo", "bar", false},
    {"foo", "foo.bar", false},
    {"foo.bar", "foo", false},
    {"foo.bar", "foo.bar", true},
    {"foo.bar", "foo.baz", false},
    {"foo.bar", "foo.barx", false},
    {"foo.barx", "foo.bar", false},
    {"*", "foo", true},
    {"*", "foo.bar", false},
    {"foo.*", "foo.bar", true},
    {"foo.*", "foo", false},
    {"foo.*", "foo.bar.baz", false},
    {"*.bar", "foo.bar", true},
    {"*.bar", "foo.baz", false},
    {"*.*", "a.b", true},
    {"foo.*.baz", "foo.x.baz", true},
    {"foo.*.baz", "foo.x.bar", false},
    {">", "foo", true},
    {">", "foo.bar.baz", true},
    {"foo.>", "foo", false},
    {"foo.>", "foo.bar", true},
    {"foo.>", "foo.bar.baz", true},
    {"foo.>", "bar.baz", false},
    {"*.>", "foo", false},
    {"*.>", "foo.bar", true},
    {"foo.*.>", "foo.bar", false},
    {"foo.*.>", "foo.bar.baz.qux", true},
    {"foo.*bar", "foo.*bar", true},
    {"foo.*bar", "foo.xbar", false},
    {"foo.>bar", "foo.x", false},
    {"", "", false},
    {"foo", "", false},
    {"", "foo", false},
};

/* A literal subject matches a filter token by token, '*' taking one token
 * and '>' one or more. */
START_TEST(matches_follows_wildcards)
{
    const struct match_row *r = &match_rows[_i];
    ck_assert_msg(subject_matches(bl_slice_of(r->filter),
                                  bl_slice_of(r->subject)) == r->match,
                  "%s ~ %s", r->filter, r->subject);
}
END_TEST

struct pair_row {
    const char *a;
    const char *b;
    bool overlaps;   /* subject_overlaps(a, b) */
    bool a_subset_b; /* subject_is_subset(a, b) */
    bool b_subset_a; /* subject_is_subset(b, a) */
};

static const struct pair_row pair_rows[] = {
    {"foo", "foo", true, true, true},
    {"foo", "bar", false, false, false},
    {"foo", "foo.bar", false, false, false},
    {"foo", "*", true, true, false},
    {"foo.bar", "*", false, false, false},
    {"foo", ">", true, true, false},
    {"foo.bar", ">", true, true, false},
    {"*", ">", true, true, false},
    {"*.*", ">", true, true, false},
    {">", ">", true, true, true},
    {"*", "*", true, true, true},
    {"foo.*", "*.bar", true, false, false},
    {"foo.*", "*.*", true, true, false},
    {"foo.*", "foo.>", true, true, false},
    {"foo.>", "foo.*.>", true, false, true},
    {"foo.*", "foo.*.>", false, false, false},
    {"foo.>", "bar.>", false, false, false},
    {"foo.>", "*.bar", true, false, false},
    {"foo.>", "foo", false, false, false},
    {"foo.>", "foo.bar.baz", true, false, true},
    {"*.bar.>", "foo.*.baz", true, false, false},
    {"foo.*.baz", "foo.bar.*", true, false, false},
    {"foo.*.baz", "foo.bar.qux", false, false, false},
    {"a.b.c", "a.*.c", true, true, false},
    {"a.*.c", "*.b.*", true, false, false},
    {"*.>", ">", true, true, false},
    {"*.>", "foo", false, false, false},
    {"foo.*bar", "foo.*", true, true, false},
    {"foo.*bar", "foo.xbar", false, false, false},
    {"", "foo", false, false, false},
    {"", "", false, false, false},
};

/* Two filters overlap when one literal subject matches both; one is a subset
 * of the other when every subject it matches the other matches too. */
START_TEST(overlap_and_subset_are_exact)
{
    const struct pair_row *r = &pair_rows[_i];
    struct bl_slice a = bl_slice_of(r->a), b = bl_slice_of(r->b);
    ck_assert_msg(subject_overlaps(a, b) == r->overlaps, "overlaps %s %s", r->a,
                  r->b);
    ck_assert_msg(subject_overlaps(b, a) == r->overlaps, "overlaps %s %s", r->b,
                  r->a);
    ck_assert_msg(subject_is_subset(a, b) == r->a_subset_b, "%s <= %s", r->a,
                  r->b);
    ck_assert_msg(subject_is_subset(b, a) == r->b_subset_a, "%s <= %s", r->b,
                  r->a);
}
END_TEST

/* Brute-force check of overlap and subset: every filter of up to three
 * tokens over {a, b, *, >} against every other, compared with enumerating the
 * literal subjects of up to four tokens over {a, b, c}. That enumeration is
 * exact: 'c' appears in no filter, and four tokens outrun any fixed-length
 * filter of three, so a distinguishing subject, if any, is among them. */
START_TEST(overlap_and_subset_agree_with_enumeration)
{
    static const char toks[] = {'a', 'b', '*', '>'};
    static const char lits[] = {'a', 'b', 'c'};
    static char filters[64][8];
    static char subjects[128][8];
    size_t n_f = 0, n_s = 0;

    for (int len = 1; len <= 3; len++) {
        int total = 1;
        for (int k = 0; k < len; k++)
            total *= 4;
        for (int code = 0; code < total; code++) {
            char *buf = filters[n_f];
            size_t n = 0;
            bool ok = true;
            int c = code;
            for (int k = 0; k < len; k++) {
                char t = toks[c % 4];
                c /= 4;
                if (t == '>' && k != len - 1)
                    ok = false;
                if (k > 0)
                    buf[n++] = '.';
                buf[n++] = t;
            }
            buf[n] = '\0';
            if (ok)
                n_f++;
        }
    }
    for (int len = 1; len <= 4; len++) {
        int total = 1;
        for (int k = 0; k < len; k++)
            total *= 3;
        for (int code = 0; code < total; code++) {
            size_t n = 0;
            int c = code;
            for (int k = 0; k < len; k++) {
                if (k > 0)
                    subjects[n_s][n++] = '.';
                subjects[n_s][n++] = lits[c % 3];
                c /= 3;
            }
            subjects[n_s][n] = '\0';
            n_s++;
        }
    }
    ck_assert_uint_eq(n_f, 4 + 12 + 36);
    ck_assert_uint_eq(n_s, 3 + 9 + 27 + 81);

    for (size_t i = 0; i < n_f; i++) {
        for (size_t j = 0; j < n_f; j++) {
            struct bl_slice a = bl_slice_of(filters[i]);
            struct bl_slice b = bl_slice_of(filters[j]);
            bool both = false, a_not_b = false;
            for (size_t k = 0; k < n_s; k++) {
                struct bl_slice s = bl_slice_of(subjects[k]);
                bool ma = subject_matches(a, s), mb = subject_matches(b, s);
                both |= ma && mb;
                a_not_b |= ma && !mb;
            }
            ck_assert_msg(subject_overlaps(a, b) == both, "overlaps %s %s",
                          filters[i], filters[j]);
            ck_assert_msg(subject_is_subset(a, b) == !a_not_b, "%s <= %s",
                          filters[i], filters[j]);
        }
    }
}
END_TEST

struct queue_row {
    const char *q;
    bool valid;
};

static const struct queue_row queue_rows[] = {
    {"workers", true}, {"w.1", true},  {"*", true},    {"a>b", true},
    {"", false},       {"a b", false}, {"a\t", false}, {"\r\n", false},
};

/* Queue names are any non-empty run of non-whitespace bytes. */
START_TEST(queue_name_rules)
{
    const struct queue_row *r = &queue_rows[_i];
    ck_assert_msg(queue_name_valid(bl_slice_of(r->q)) == r->valid, "queue %s",
                  r->q);
}
END_TEST

/* The functions work on slices, not C strings: bytes past len are ignored. */
START_TEST(slices_are_not_nul_terminated)
{
    const char *buf = "foo.bar baz";
    struct bl_slice s = {buf, 7};
    ck_assert(subject_valid_publish(s));
    ck_assert(subject_matches(BL_SLICE_LIT("foo.*"), s));
    ck_assert(!subject_valid_publish((struct bl_slice){buf, 8}));
    struct bl_slice f = {"foo.>x", 5};
    ck_assert(subject_valid_subscribe(f));
    ck_assert(subject_matches(f, s));
}
END_TEST

#define N_ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

Suite *subject_suite(void)
{
    Suite *s = suite_create("subj/subject");
    TCase *tc;

    tc = tcase_create("validity");
    tcase_add_loop_test(tc, validity_follows_nats_rules, 0, N_ROWS(valid_rows));
    suite_add_tcase(s, tc);

    tc = tcase_create("matches");
    tcase_add_loop_test(tc, matches_follows_wildcards, 0, N_ROWS(match_rows));
    suite_add_tcase(s, tc);

    tc = tcase_create("overlap_subset");
    tcase_add_loop_test(tc, overlap_and_subset_are_exact, 0, N_ROWS(pair_rows));
    tcase_add_test(tc, overlap_and_subset_agree_with_enumeration);
    suite_add_tcase(s, tc);

    tc = tcase_create("queue_name");
    tcase_add_loop_test(tc, queue_name_rules, 0, N_ROWS(queue_rows));
    suite_add_tcase(s, tc);

    tc = tcase_create("slices");
    tcase_add_test(tc, slices_are_not_nul_terminated);
    suite_add_tcase(s, tc);

    return s;
}
