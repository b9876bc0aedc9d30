/* The store contract, run unchanged against the memory store and the file
 * store (with small blocks, so rolling and compaction happen on the way). */
#include "helpers.h"
#include "suites.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct store *s;
static char *dir;
static char errmsg[BL_ERRMSG_SIZE];
static struct store_msg m;

static void setup_mem(void)
{
    ck_assert_int_eq(memstore_new(NULL, &s), 0);
    store_msg_init(&m);
}

static void setup_file(void)
{
    dir = tmpdir_new();
    char path[4096];
    snprintf(path, sizeof(path), "%s/stream", dir);
    struct store_cfg cfg = {.name = "T", .block_size = 1024};
    ck_assert_msg(filestore_open(path, &cfg, &s, errmsg) == 0, "%s", errmsg);
    store_msg_init(&m);
}

static void teardown(void)
{
    store_msg_close(&m);
    store_close(s);
    s = NULL;
    tmpdir_remove(dir);
    free(dir);
    dir = NULL;
}

static struct store_state state(void)
{
    struct store_state st;
    store_state(s, &st);
    return st;
}

static uint64_t load_next_seq(const char *filter, uint64_t seq)
{
    int rv = store_load_next(s, SL(filter), seq, &m, errmsg);
    if (rv == BL_ENOENT)
        return 0;
    ck_assert_msg(rv == 0, "load_next: %d %s", rv, errmsg);
    return m.seq;
}

static uint64_t load_prev_seq(const char *filter, uint64_t seq)
{
    int rv = store_load_prev(s, SL(filter), seq, &m, errmsg);
    if (rv == BL_ENOENT)
        return 0;
    ck_assert_msg(rv == 0, "load_prev: %d %s", rv, errmsg);
    return m.seq;
}

static uint64_t load_last_seq(const char *filter)
{
    int rv = store_load_last(s, SL(filter), &m, errmsg);
    if (rv == BL_ENOENT)
        return 0;
    ck_assert_msg(rv == 0, "load_last: %d %s", rv, errmsg);
    return m.seq;
}

/* Appends a.1 b.1 a.2 c.x.y a.1 at ts 100..500: the fixture of many tests. */
static void append_five(void)
{
    append_str(s, "a.1", NULL, "one", 100);
    append_str(s, "b.1", "NATS/1.0\r\nX: y\r\n\r\n", "two", 200);
    append_str(s, "a.2", NULL, "three", 300);
    append_str(s, "c.x.y", NULL, "four", 400);
    append_str(s, "a.1", NULL, "five", 500);
}

/* Appends get 1, 2, 3 and the counters follow. */
START_TEST(append_assigns_increasing_sequences)
{
    ck_assert_uint_eq(state().first_seq, 1);
    ck_assert_uint_eq(state().last_seq, 0);
    ck_assert_uint_eq(append_str(s, "a", NULL, "x", 10), 1);
    ck_assert_uint_eq(append_str(s, "b", NULL, "yy", 20), 2);
    ck_assert_uint_eq(append_str(s, "a", "H", "", 30), 3);
    struct store_state st = state();
    ck_assert_uint_eq(st.msgs, 3);
    ck_assert_uint_eq(st.first_seq, 1);
    ck_assert_uint_eq(st.last_seq, 3);
    ck_assert_uint_eq(st.first_ts_ns, 10);
    ck_assert_uint_eq(st.last_ts_ns, 30);
    ck_assert_uint_eq(st.num_deleted, 0);
    ck_assert_uint_eq(st.num_subjects, 2);
    ck_assert_uint_eq(st.bytes, store_msg_size(1, 0, 1) +
                                    store_msg_size(1, 0, 2) +
                                    store_msg_size(1, 1, 0));
}
END_TEST

/* A load returns subject, headers, payload and time as appended. */
START_TEST(load_returns_the_message)
{
    append_five();
    ck_assert_int_eq(store_load(s, 2, &m, errmsg), 0);
    ck_assert_uint_eq(m.seq, 2);
    ck_assert_uint_eq(m.ts_ns, 200);
    ck_assert(bl_slice_eq_str(m.subject, "b.1"));
    ck_assert(bl_slice_eq_str(m.hdr, "NATS/1.0\r\nX: y\r\n\r\n"));
    ck_assert(bl_slice_eq_str(m.data, "two"));
    ck_assert_int_eq(store_load(s, 3, &m, errmsg), 0);
    ck_assert_uint_eq(m.hdr.len, 0);
    ck_assert(bl_slice_eq_str(m.data, "three"));
    ck_assert_int_eq(store_load(s, 0, &m, errmsg), BL_ENOENT);
    ck_assert_int_eq(store_load(s, 6, &m, errmsg), BL_ENOENT);
}
END_TEST

/* Bad appends are refused with the exact code and change nothing. */
START_TEST(bad_appends_are_refused)
{
    append_str(s, "a", NULL, "x", 1);
    ck_assert_int_eq(store_append(s, NOSL, NOSL, SL("x"), 1, NULL, errmsg),
                     BL_EINVAL);
    struct bl_slice huge = {"x", (size_t)STORE_MSG_MAX + 1};
    ck_assert_int_eq(store_append(s, SL("a"), NOSL, huge, 1, NULL, errmsg),
                     BL_ETOOBIG);
    ck_assert_int_eq(store_append_at(s, 1, SL("a"), NOSL, SL("x"), 1, errmsg),
                     BL_EINVAL);
    ck_assert_uint_eq(state().msgs, 1);
    ck_assert_uint_eq(state().last_seq, 1);
}
END_TEST

/* append_at keeps the given sequence; the gap counts as deleted. */
START_TEST(append_at_keeps_sequence)
{
    ck_assert_int_eq(store_append_at(s, 10, SL("a"), NOSL, SL("x"), 5, errmsg),
                     0);
    struct store_state st = state();
    ck_assert_uint_eq(st.first_seq, 10);
    ck_assert_uint_eq(st.last_seq, 10);
    ck_assert_uint_eq(st.num_deleted, 0);
    ck_assert_int_eq(store_append_at(s, 15, SL("b"), NOSL, SL("y"), 6, errmsg),
                     0);
    st = state();
    ck_assert_uint_eq(st.num_deleted, 4);
    ck_assert_int_eq(store_append_at(s, 12, SL("b"), NOSL, SL("y"), 6, errmsg),
                     BL_EINVAL);
    ck_assert_uint_eq(append_str(s, "c", NULL, "z", 7), 16);
    ck_assert_int_eq(store_load(s, 12, &m, errmsg), BL_ENOENT);
    ck_assert_int_eq(store_load(s, 15, &m, errmsg), 0);
    ck_assert(bl_slice_eq_str(m.subject, "b"));
}
END_TEST

/* skip_to moves last_seq without a message; on an empty store first too. */
START_TEST(skip_to_moves_last_seq)
{
    ck_assert_int_eq(store_skip_to(s, 7, 70, errmsg), 0);
    struct store_state st = state();
    ck_assert_uint_eq(st.msgs, 0);
    ck_assert_uint_eq(st.first_seq, 8);
    ck_assert_uint_eq(st.last_seq, 7);
    ck_assert_uint_eq(st.last_ts_ns, 70);
    ck_assert_uint_eq(append_str(s, "a", NULL, "x", 80), 8);
    ck_assert_int_eq(store_skip_to(s, 10, 90, errmsg), 0);
    st = state();
    ck_assert_uint_eq(st.first_seq, 8);
    ck_assert_uint_eq(st.last_seq, 10);
    ck_assert_uint_eq(st.num_deleted, 2);
    ck_assert_int_eq(store_skip_to(s, 9, 90, errmsg), BL_EINVAL);
    ck_assert_int_eq(store_skip_to(s, 10, 90, errmsg), 0);
    ck_assert_uint_eq(append_str(s, "a", NULL, "y", 100), 11);
}
END_TEST

/* Removing the first moves first_seq; a middle one counts as deleted; all
 * gone leaves first = last + 1. */
START_TEST(remove_updates_state)
{
    append_five();
    ck_assert_int_eq(store_remove(s, 1, false, errmsg), 0);
    struct store_state st = state();
    ck_assert_uint_eq(st.first_seq, 2);
    ck_assert_uint_eq(st.first_ts_ns, 200);
    ck_assert_uint_eq(st.msgs, 4);
    ck_assert_uint_eq(st.num_deleted, 0);
    ck_assert_int_eq(store_remove(s, 3, false, errmsg), 0);
    st = state();
    ck_assert_uint_eq(st.first_seq, 2);
    ck_assert_uint_eq(st.num_deleted, 1);
    ck_assert_uint_eq(st.num_subjects, 3);
    ck_assert_int_eq(store_remove(s, 3, false, errmsg), BL_ENOENT);
    ck_assert_int_eq(store_remove(s, 99, false, errmsg), BL_ENOENT);
    ck_assert_int_eq(store_remove(s, 2, true, errmsg), 0);
    ck_assert_int_eq(store_load(s, 2, &m, errmsg), BL_ENOENT);
    st = state();
    ck_assert_uint_eq(st.first_seq, 4);
    ck_assert_uint_eq(st.num_subjects, 2);
    ck_assert_int_eq(store_remove(s, 4, false, errmsg), 0);
    ck_assert_int_eq(store_remove(s, 5, false, errmsg), 0);
    st = state();
    ck_assert_uint_eq(st.msgs, 0);
    ck_assert_uint_eq(st.bytes, 0);
    ck_assert_uint_eq(st.first_seq, 6);
    ck_assert_uint_eq(st.last_seq, 5);
    ck_assert_uint_eq(st.num_deleted, 0);
    ck_assert_uint_eq(st.num_subjects, 0);
    ck_assert_uint_eq(append_str(s, "z", NULL, "z", 600), 6);
}
END_TEST

/* load_next finds the next match for literal, `*` and `>` filters. */
START_TEST(load_next_matches_filters)
{
    append_five();
    ck_assert_uint_eq(load_next_seq("a.*", 1), 1);
    ck_assert_uint_eq(load_next_seq("a.*", 2), 3);
    ck_assert_uint_eq(load_next_seq("a.*", 4), 5);
    ck_assert_uint_eq(load_next_seq("a.*", 6), 0);
    ck_assert_uint_eq(load_next_seq("c.>", 1), 4);
    ck_assert_uint_eq(load_next_seq("*.x.*", 1), 4);
    ck_assert_uint_eq(load_next_seq(">", 2), 2);
    ck_assert_uint_eq(load_next_seq("", 0), 1);
    ck_assert_uint_eq(load_next_seq("b.1", 3), 0);
    ck_assert_uint_eq(load_next_seq("a.1", 2), 5);
    ck_assert(bl_slice_eq_str(m.data, "five"));
    ck_assert_uint_eq(load_next_seq("nope", 1), 0);
    ck_assert_uint_eq(load_next_seq("a", 1), 0);
    ck_assert_int_eq(store_remove(s, 3, false, errmsg), 0);
    ck_assert_uint_eq(load_next_seq("a.*", 2), 5);
    ck_assert_int_eq(store_remove(s, 1, false, errmsg), 0);
    ck_assert_uint_eq(load_next_seq("a.1", 0), 5);
}
END_TEST

/* load_last and load_prev find the newest match at or below a sequence. */
START_TEST(load_last_and_prev_match_filters)
{
    append_five();
    ck_assert_uint_eq(load_last_seq("a.1"), 5);
    ck_assert_uint_eq(load_last_seq("a.*"), 5);
    ck_assert_uint_eq(load_last_seq("b.1"), 2);
    ck_assert_uint_eq(load_last_seq(">"), 5);
    ck_assert_uint_eq(load_last_seq("c.*"), 0);
    ck_assert_uint_eq(load_prev_seq("a.*", 4), 3);
    ck_assert_uint_eq(load_prev_seq(">", 4), 4);
    ck_assert_uint_eq(load_prev_seq("b.1", 1), 0);
    ck_assert_int_eq(store_remove(s, 5, false, errmsg), 0);
    ck_assert_uint_eq(load_last_seq("a.1"), 1);
    ck_assert(bl_slice_eq_str(m.data, "one"));
    ck_assert_uint_eq(load_last_seq(">"), 4);
    ck_assert_int_eq(store_remove(s, 1, false, errmsg), 0);
    ck_assert_uint_eq(load_last_seq("a.1"), 0);
}
END_TEST

/* Per-subject counts and first/last follow appends and removals. */
START_TEST(subject_state_follows_changes)
{
    append_five();
    struct store_subject_state ss;
    store_subject_state(s, SL("a.1"), &ss);
    ck_assert_uint_eq(ss.msgs, 2);
    ck_assert_uint_eq(ss.first_seq, 1);
    ck_assert_uint_eq(ss.last_seq, 5);
    append_str(s, "a.1", NULL, "six", 600);
    ck_assert_int_eq(store_remove(s, 1, false, errmsg), 0);
    store_subject_state(s, SL("a.1"), &ss);
    ck_assert_uint_eq(ss.msgs, 2);
    ck_assert_uint_eq(ss.first_seq, 5);
    ck_assert_uint_eq(ss.last_seq, 6);
    store_subject_state(s, SL("zz"), &ss);
    ck_assert_uint_eq(ss.msgs, 0);
    ck_assert_uint_eq(ss.first_seq, 0);
    ck_assert_uint_eq(store_num_subjects(s, SL("a.*")), 2);
    ck_assert_uint_eq(store_num_subjects(s, SL(">")), 4);
    ck_assert_uint_eq(store_num_subjects(s, SL("c.x.y")), 1);
    ck_assert_uint_eq(store_num_subjects(s, SL("c.x")), 0);
}
END_TEST

/* Filtered state counts matches from a sequence on, by table or scan. */
START_TEST(filtered_state_counts_matches)
{
    append_five();
    struct store_subject_state fs;
    store_filtered_state(s, SL("a.*"), 1, &fs);
    ck_assert_uint_eq(fs.msgs, 3);
    ck_assert_uint_eq(fs.first_seq, 1);
    ck_assert_uint_eq(fs.last_seq, 5);
    store_filtered_state(s, SL("a.*"), 2, &fs);
    ck_assert_uint_eq(fs.msgs, 2);
    ck_assert_uint_eq(fs.first_seq, 3);
    store_filtered_state(s, SL(""), 4, &fs);
    ck_assert_uint_eq(fs.msgs, 2);
    ck_assert_uint_eq(fs.first_seq, 4);
    ck_assert_uint_eq(fs.last_seq, 5);
    store_filtered_state(s, SL("b.1"), 3, &fs);
    ck_assert_uint_eq(fs.msgs, 0);
    store_filtered_state(s, SL("a.1"), 0, &fs);
    ck_assert_uint_eq(fs.msgs, 2);
    ck_assert_uint_eq(fs.last_seq, 5);
}
END_TEST

/* A full purge empties the store; sequences continue after it. */
START_TEST(purge_all_keeps_sequence)
{
    append_five();
    uint64_t n = 0;
    ck_assert_int_eq(store_purge(s, NOSL, 0, 0, &n, errmsg), 0);
    ck_assert_uint_eq(n, 5);
    struct store_state st = state();
    ck_assert_uint_eq(st.msgs, 0);
    ck_assert_uint_eq(st.bytes, 0);
    ck_assert_uint_eq(st.first_seq, 6);
    ck_assert_uint_eq(st.last_seq, 5);
    ck_assert_uint_eq(st.num_deleted, 0);
    ck_assert_uint_eq(st.num_subjects, 0);
    ck_assert_uint_eq(load_next_seq(">", 0), 0);
    ck_assert_uint_eq(append_str(s, "a.1", NULL, "x", 700), 6);
    ck_assert_uint_eq(state().first_seq, 6);
}
END_TEST

/* Purge by subject removes only matches; first_seq moves if they led. */
START_TEST(purge_by_subject_filter)
{
    append_five();
    uint64_t n = 0;
    ck_assert_int_eq(store_purge(s, SL("a.*"), 0, 0, &n, errmsg), 0);
    ck_assert_uint_eq(n, 3);
    struct store_state st = state();
    ck_assert_uint_eq(st.msgs, 2);
    ck_assert_uint_eq(st.first_seq, 2);
    ck_assert_uint_eq(st.num_deleted, 2);
    ck_assert_uint_eq(st.num_subjects, 2);
    ck_assert_uint_eq(load_next_seq(">", 0), 2);
    ck_assert_uint_eq(load_next_seq(">", 3), 4);
    ck_assert_int_eq(store_purge(s, SL("b.1"), 0, 0, &n, errmsg), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(state().first_seq, 4);
}
END_TEST

/* Purge below a sequence and purge keeping the newest N. */
START_TEST(purge_below_and_keep)
{
    append_five();
    uint64_t n = 0;
    ck_assert_int_eq(store_purge(s, NOSL, 3, 0, &n, errmsg), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(state().first_seq, 3);
    append_str(s, "a.1", NULL, "six", 600);
    append_str(s, "a.1", NULL, "seven", 700);
    /* a.1 now at 5, 6, 7: keep the newest one (a rollup). */
    ck_assert_int_eq(store_purge(s, SL("a.1"), 0, 1, &n, errmsg), 0);
    ck_assert_uint_eq(n, 2);
    struct store_subject_state ss;
    store_subject_state(s, SL("a.1"), &ss);
    ck_assert_uint_eq(ss.msgs, 1);
    ck_assert_uint_eq(ss.first_seq, 7);
    /* Keep more than there are: nothing. */
    ck_assert_int_eq(store_purge(s, SL("a.1"), 0, 5, &n, errmsg), 0);
    ck_assert_uint_eq(n, 0);
    /* Keep 2 of everything: 3, 4, 7 -> 4, 7. */
    ck_assert_int_eq(store_purge(s, NOSL, 0, 2, &n, errmsg), 0);
    ck_assert_uint_eq(n, 1);
    struct store_state st = state();
    ck_assert_uint_eq(st.msgs, 2);
    ck_assert_uint_eq(st.first_seq, 4);
    /* A bound at or below first_seq removes nothing. */
    ck_assert_int_eq(store_purge(s, NOSL, 4, 0, &n, errmsg), 0);
    ck_assert_uint_eq(n, 0);
}
END_TEST

/* Compact drops everything below; past the end it moves last_seq. */
START_TEST(compact_drops_below)
{
    append_five();
    uint64_t n = 0;
    ck_assert_int_eq(store_compact(s, 4, &n, errmsg), 0);
    ck_assert_uint_eq(n, 3);
    struct store_state st = state();
    ck_assert_uint_eq(st.first_seq, 4);
    ck_assert_uint_eq(st.msgs, 2);
    ck_assert_int_eq(store_compact(s, 100, &n, errmsg), 0);
    ck_assert_uint_eq(n, 2);
    st = state();
    ck_assert_uint_eq(st.msgs, 0);
    ck_assert_uint_eq(st.first_seq, 100);
    ck_assert_uint_eq(st.last_seq, 99);
    ck_assert_uint_eq(append_str(s, "a", NULL, "x", 900), 100);
}
END_TEST

/* Truncate drops everything above and sequences continue from there. */
START_TEST(truncate_drops_above)
{
    append_five();
    ck_assert_int_eq(store_truncate(s, 6, errmsg), BL_EINVAL);
    ck_assert_int_eq(store_truncate(s, 3, errmsg), 0);
    struct store_state st = state();
    ck_assert_uint_eq(st.msgs, 3);
    ck_assert_uint_eq(st.last_seq, 3);
    ck_assert_uint_eq(st.last_ts_ns, 300);
    ck_assert_uint_eq(st.num_subjects, 3);
    ck_assert_uint_eq(load_last_seq("a.1"), 1);
    ck_assert_uint_eq(append_str(s, "d", NULL, "new", 1000), 4);
    ck_assert_int_eq(store_load(s, 4, &m, errmsg), 0);
    ck_assert(bl_slice_eq_str(m.subject, "d"));
    ck_assert_int_eq(store_truncate(s, 0, errmsg), 0);
    st = state();
    ck_assert_uint_eq(st.msgs, 0);
    ck_assert_uint_eq(st.first_seq, 1);
    ck_assert_uint_eq(st.last_seq, 0);
    ck_assert_uint_eq(append_str(s, "e", NULL, "again", 1100), 1);
}
END_TEST

static int collect_seq(void *ctx, uint64_t seq)
{
    struct bl_buf *b = ctx;
    bl_buf_printf(b, "%llu,", (unsigned long long)seq);
    return 0;
}

/* The deleted list names exactly the holes, gaps included. */
START_TEST(deleted_lists_holes)
{
    append_five();
    ck_assert_int_eq(store_append_at(s, 8, SL("x"), NOSL, SL("x"), 800,
                                     errmsg),
                     0);
    ck_assert_int_eq(store_remove(s, 2, false, errmsg), 0);
    ck_assert_int_eq(store_remove(s, 1, false, errmsg), 0);
    struct bl_buf b;
    bl_buf_init(&b);
    ck_assert_int_eq(store_deleted(s, collect_seq, &b), 0);
    ck_assert_str_eq(b.p, "6,7,");
    ck_assert_int_eq(store_remove(s, 4, false, errmsg), 0);
    bl_buf_clear(&b);
    store_deleted(s, collect_seq, &b);
    ck_assert_str_eq(b.p, "4,6,7,");
    ck_assert_uint_eq(state().num_deleted, 3);
    bl_buf_close(&b);
}
END_TEST

/* seq_from_time finds the first message at or after a time. */
START_TEST(seq_from_time_finds_first_at_or_after)
{
    append_five();
    ck_assert_uint_eq(store_seq_from_time(s, 0), 1);
    ck_assert_uint_eq(store_seq_from_time(s, 100), 1);
    ck_assert_uint_eq(store_seq_from_time(s, 150), 2);
    ck_assert_uint_eq(store_seq_from_time(s, 500), 5);
    ck_assert_uint_eq(store_seq_from_time(s, 501), 6);
    ck_assert_int_eq(store_remove(s, 2, false, errmsg), 0);
    ck_assert_int_eq(store_remove(s, 3, false, errmsg), 0);
    ck_assert_uint_eq(store_seq_from_time(s, 150), 4);
}
END_TEST

static int count_until_three(void *ctx, const struct store_msg *msg)
{
    struct bl_buf *b = ctx;
    bl_buf_printf(b, "%llu:%.*s,", (unsigned long long)msg->seq,
                  (int)msg->data.len, msg->data.p);
    return msg->seq == 3 ? 42 : 0;
}

/* Iteration visits live messages in order and stops when asked. */
START_TEST(iter_visits_in_order)
{
    append_five();
    ck_assert_int_eq(store_remove(s, 2, false, errmsg), 0);
    struct bl_buf b;
    bl_buf_init(&b);
    ck_assert_int_eq(store_iter(s, 0, count_until_three, &b, errmsg), 42);
    ck_assert_str_eq(b.p, "1:one,3:three,");
    bl_buf_clear(&b);
    ck_assert_int_eq(store_iter(s, 4, count_until_three, &b, errmsg), 0);
    ck_assert_str_eq(b.p, "4:four,5:five,");
    bl_buf_close(&b);
}
END_TEST

/* A deterministic generator, so a failure replays. */
static uint64_t rng_state;
static uint64_t rnd(uint64_t n)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (rng_state >> 33) % n;
}

#define MODEL_MAX 6000
#define MODEL_SUBJECTS 12
static int model_subj[MODEL_MAX + 1]; /* -1: no message */

static void model_check(uint64_t last)
{
    uint64_t n = 0, first = 0, counts[MODEL_SUBJECTS] = {0},
             firsts[MODEL_SUBJECTS] = {0}, lasts[MODEL_SUBJECTS] = {0};
    for (uint64_t q = 1; q <= last; q++) {
        int k = model_subj[q];
        if (k < 0)
            continue;
        n++;
        if (first == 0)
            first = q;
        if (counts[k]++ == 0)
            firsts[k] = q;
        lasts[k] = q;
    }
    struct store_state st = state();
    ck_assert_uint_eq(st.msgs, n);
    ck_assert_uint_eq(st.last_seq, last);
    ck_assert_uint_eq(st.first_seq, first ? first : last + 1);
    for (int k = 0; k < MODEL_SUBJECTS; k++) {
        char subj[32];
        snprintf(subj, sizeof(subj), "m.%d.%s", k, k % 2 ? "odd" : "even");
        struct store_subject_state ss;
        store_subject_state(s, SL(subj), &ss);
        ck_assert_uint_eq(ss.msgs, counts[k]);
        ck_assert_uint_eq(ss.first_seq, firsts[k]);
        ck_assert_uint_eq(ss.last_seq, lasts[k]);
    }
    /* The next odd-subject message from a random point. */
    uint64_t from = rnd(last + 2);
    uint64_t want = 0;
    for (uint64_t q = from ? from : 1; q <= last && want == 0; q++)
        if (model_subj[q] >= 0 && model_subj[q] % 2)
            want = q;
    ck_assert_uint_eq(load_next_seq("m.*.odd", from), want);
    if (want != 0) {
        char subj[32];
        snprintf(subj, sizeof(subj), "m.%d.odd", model_subj[want]);
        ck_assert(bl_slice_eq_str(m.subject, subj));
    }
}

/* Random appends, removes and purges agree with a simple model. */
START_TEST(random_operations_match_model)
{
    rng_state = 12345;
    uint64_t last = 0;
    for (int i = 0; i <= MODEL_MAX; i++)
        model_subj[i] = -1;
    while (last < MODEL_MAX - 10) {
        uint64_t op = rnd(100);
        if (op < 70) {
            int k = (int)rnd(MODEL_SUBJECTS);
            char subj[32], data[64];
            snprintf(subj, sizeof(subj), "m.%d.%s", k,
                     k % 2 ? "odd" : "even");
            snprintf(data, sizeof(data), "payload-%llu",
                     (unsigned long long)last + 1);
            ck_assert_uint_eq(append_str(s, subj, NULL, data, last + 1),
                              last + 1);
            model_subj[++last] = k;
        } else if (op < 92 && last > 0) {
            uint64_t q = 1 + rnd(last);
            int rv = store_remove(s, q, op % 2, errmsg);
            ck_assert_int_eq(rv, model_subj[q] >= 0 ? 0 : BL_ENOENT);
            model_subj[q] = -1;
        } else if (op < 95) {
            int k = (int)rnd(MODEL_SUBJECTS);
            char subj[32];
            snprintf(subj, sizeof(subj), "m.%d.%s", k,
                     k % 2 ? "odd" : "even");
            uint64_t keep = rnd(3);
            ck_assert_int_eq(store_purge(s, SL(subj), 0, keep, NULL, errmsg),
                             0);
            for (uint64_t q = last; q > 0; q--) {
                if (model_subj[q] != k)
                    continue;
                if (keep > 0)
                    keep--;
                else
                    model_subj[q] = -1;
            }
        } else if (op < 97 && last > 0) {
            uint64_t below = last - rnd(last) / 8;
            ck_assert_int_eq(store_purge(s, SL("m.*.even"), below, 0, NULL,
                                         errmsg),
                             0);
            for (uint64_t q = 1; q < below; q++)
                if (model_subj[q] >= 0 && model_subj[q] % 2 == 0)
                    model_subj[q] = -1;
        } else if (op < 98) {
            uint64_t to = last > 50 ? last - 50 : 0;
            ck_assert_int_eq(store_compact(s, to, NULL, errmsg), 0);
            for (uint64_t q = 1; q < to; q++)
                model_subj[q] = -1;
        }
        if (rnd(50) == 0)
            model_check(last);
    }
    model_check(last);
    for (uint64_t q = 1; q <= last; q++) {
        int rv = store_load(s, q, &m, errmsg);
        if (model_subj[q] < 0) {
            ck_assert_int_eq(rv, BL_ENOENT);
            continue;
        }
        ck_assert_msg(rv == 0, "load %llu: %s", (unsigned long long)q,
                      errmsg);
        char data[64];
        snprintf(data, sizeof(data), "payload-%llu", (unsigned long long)q);
        ck_assert(bl_slice_eq_str(m.data, data));
        ck_assert_uint_eq(m.ts_ns, q);
    }
}
END_TEST

/* Sync succeeds and changes nothing visible. */
START_TEST(sync_is_harmless)
{
    append_five();
    char *before = store_dump(s);
    ck_assert_int_eq(store_sync(s, errmsg), 0);
    char *after = store_dump(s);
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
}
END_TEST

static Suite *conformance_suite(const char *name, void (*setup)(void))
{
    Suite *su = suite_create(name);
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"append", append_assigns_increasing_sequences},
        {"load", load_returns_the_message},
        {"bad_append", bad_appends_are_refused},
        {"append_at", append_at_keeps_sequence},
        {"skip_to", skip_to_moves_last_seq},
        {"remove", remove_updates_state},
        {"load_next", load_next_matches_filters},
        {"load_last", load_last_and_prev_match_filters},
        {"subject_state", subject_state_follows_changes},
        {"filtered_state", filtered_state_counts_matches},
        {"purge_all", purge_all_keeps_sequence},
        {"purge_subject", purge_by_subject_filter},
        {"purge_below_keep", purge_below_and_keep},
        {"compact", compact_drops_below},
        {"truncate", truncate_drops_above},
        {"deleted", deleted_lists_holes},
        {"seq_from_time", seq_from_time_finds_first_at_or_after},
        {"iter", iter_visits_in_order},
        {"random", random_operations_match_model},
        {"sync", sync_is_harmless},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(su, tc);
    }
    return su;
}

Suite *conformance_memstore_suite(void)
{
    return conformance_suite("store/conformance/memstore", setup_mem);
}

Suite *conformance_filestore_suite(void)
{
    return conformance_suite("store/conformance/filestore", setup_file);
}
