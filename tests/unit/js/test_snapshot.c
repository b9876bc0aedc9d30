#include "suites.h"

#include "js/snapshot.h"

#include "ballast/err.h"
#include "ballast/mem.h"

#include <stdio.h>
#include <string.h>

/* What the decoder handed out, flattened to text for comparison. */
static struct bl_buf seen;
static struct bl_buf snap;

static int log_item(void *ctx, const struct snap_item *it)
{
    struct bl_buf *b = ctx;
    switch (it->kind) {
    case SNAP_CONFIG:
        bl_buf_printf(b, "C[%.*s]", (int)it->json.len, it->json.p);
        break;
    case SNAP_SEQS:
        bl_buf_printf(b, "S[%llu,%llu]", (unsigned long long)it->first_seq,
                      (unsigned long long)it->last_seq);
        break;
    case SNAP_CONSUMER:
        bl_buf_printf(b, "O[%.*s|%.*s|%llu|%zu]", (int)it->name.len,
                      it->name.p, (int)it->json.len, it->json.p,
                      (unsigned long long)it->created_ns, it->state.len);
        break;
    case SNAP_MSG:
        bl_buf_printf(b, "M[%llu,%llu,%.*s,%zu,%.*s]",
                      (unsigned long long)it->seq,
                      (unsigned long long)it->ts_ns, (int)it->subject.len,
                      it->subject.p, it->hdr.len, (int)it->data.len,
                      it->data.p);
        break;
    case SNAP_END:
        bl_buf_printf(b, "E[%llu]", (unsigned long long)it->n_msgs);
        break;
    }
    return 0;
}

static void build(void)
{
    snap_write_magic(&snap);
    snap_write_config(&snap, BL_SLICE_LIT("{\"name\":\"S\"}"));
    snap_write_seqs(&snap, 3, 9);
    snap_write_consumer(&snap, BL_SLICE_LIT("C1"), BL_SLICE_LIT("{}"), 77,
                        BL_SLICE_LIT("\x01\x02\x03"));
    snap_write_msg(&snap, 3, 1000, BL_SLICE_LIT("a.b"),
                   BL_SLICE_LIT("NATS/1.0\r\nX: y\r\n\r\n"),
                   BL_SLICE_LIT("hello"));
    snap_write_msg(&snap, 9, 2000, BL_SLICE_LIT("c"), BL_SLICE_LIT(""),
                   BL_SLICE_LIT(""));
    snap_write_end(&snap, 2);
}

static const char expected[] =
    "C[{\"name\":\"S\"}]S[3,9]O[C1|{}|77|3]M[3,1000,a.b,18,hello]"
    "M[9,2000,c,0,]E[2]";

static void setup(void)
{
    bl_buf_init(&seen);
    bl_buf_init(&snap);
    build();
}

static void teardown(void)
{
    bl_buf_close(&seen);
    bl_buf_close(&snap);
}

/* Every record comes back as written, in order, and the end checks out. */
START_TEST(round_trip_whole)
{
    struct snap_decoder d;
    snap_decoder_init(&d);
    char err[BL_ERRMSG_SIZE] = "";
    ck_assert_int_eq(snap_decode(&d, snap.p, snap.len, log_item, &seen, err),
                     0);
    ck_assert_str_eq(seen.p, expected);
    ck_assert_int_eq(snap_decoder_finish(&d, err), 0);
    snap_decoder_close(&d);
}
END_TEST

/* Chunks of any size decode to the same records (split at every byte). */
START_TEST(round_trip_split_at_every_byte)
{
    for (size_t cut = 0; cut <= snap.len; cut++) {
        struct snap_decoder d;
        snap_decoder_init(&d);
        bl_buf_clear(&seen);
        char err[BL_ERRMSG_SIZE] = "";
        ck_assert_int_eq(snap_decode(&d, snap.p, cut, log_item, &seen, err),
                         0);
        ck_assert_int_eq(snap_decode(&d, snap.p + cut, snap.len - cut,
                                     log_item, &seen, err),
                         0);
        ck_assert_str_eq(seen.p, expected);
        ck_assert_int_eq(snap_decoder_finish(&d, err), 0);
        snap_decoder_close(&d);
    }
}
END_TEST

/* A flipped byte anywhere after the magic is caught (checksum, length or
 * order), never handed out as a valid record set. */
START_TEST(any_corruption_is_detected)
{
    for (size_t i = SNAP_MAGIC_LEN; i < snap.len; i++) {
        struct bl_buf bad;
        bl_buf_init(&bad);
        bl_buf_append(&bad, snap.p, snap.len);
        bad.p[i] ^= 0x5a;
        struct snap_decoder d;
        snap_decoder_init(&d);
        bl_buf_clear(&seen);
        char err[BL_ERRMSG_SIZE] = "";
        int rv = snap_decode(&d, bad.p, bad.len, log_item, &seen, err);
        if (rv == 0)
            rv = snap_decoder_finish(&d, err);
        ck_assert_msg(rv == BL_EPROTO, "byte %zu flipped went unnoticed", i);
        ck_assert_str_ne(err, "");
        snap_decoder_close(&d);
        bl_buf_close(&bad);
    }
}
END_TEST

/* A snapshot cut short, one with the wrong magic and one whose message
 * count disagrees with its end record are all refused. */
START_TEST(truncated_foreign_and_miscounted_are_refused)
{
    char err[BL_ERRMSG_SIZE];
    struct snap_decoder d;
    snap_decoder_init(&d);
    ck_assert_int_eq(snap_decode(&d, snap.p, snap.len - 3, log_item, &seen,
                                 err),
                     0);
    ck_assert_int_eq(snap_decoder_finish(&d, err), BL_EPROTO);
    snap_decoder_close(&d);

    snap_decoder_init(&d);
    ck_assert_int_eq(snap_decode(&d, "TARBALL!xxxx", 12, log_item, &seen, err),
                     BL_EPROTO);
    snap_decoder_close(&d);

    struct bl_buf b;
    bl_buf_init(&b);
    snap_write_magic(&b);
    snap_write_config(&b, BL_SLICE_LIT("{}"));
    snap_write_seqs(&b, 1, 1);
    snap_write_end(&b, 5);
    snap_decoder_init(&d);
    ck_assert_int_eq(snap_decode(&d, b.p, b.len, log_item, &seen, err), 0);
    ck_assert_int_eq(snap_decoder_finish(&d, err), BL_EPROTO);
    snap_decoder_close(&d);
    bl_buf_close(&b);
}
END_TEST

/* Records out of order (a message before the config) are refused. */
START_TEST(records_out_of_order_are_refused)
{
    struct bl_buf b;
    bl_buf_init(&b);
    snap_write_magic(&b);
    snap_write_msg(&b, 1, 1, BL_SLICE_LIT("a"), BL_SLICE_LIT(""),
                   BL_SLICE_LIT("x"));
    struct snap_decoder d;
    snap_decoder_init(&d);
    char err[BL_ERRMSG_SIZE] = "";
    ck_assert_int_eq(snap_decode(&d, b.p, b.len, log_item, &seen, err),
                     BL_EPROTO);
    ck_assert_ptr_nonnull(strstr(err, "out of order"));
    snap_decoder_close(&d);
    bl_buf_close(&b);
}
END_TEST

Suite *snapshot_suite(void)
{
    Suite *s = suite_create("js/snapshot");
    TCase *tc = tcase_create("snapshot");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, round_trip_whole);
    tcase_add_test(tc, round_trip_split_at_every_byte);
    tcase_add_test(tc, any_corruption_is_detected);
    tcase_add_test(tc, truncated_foreign_and_miscounted_are_refused);
    tcase_add_test(tc, records_out_of_order_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
