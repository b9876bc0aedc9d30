/* File store behaviour beyond the shared contract: what survives a reopen,
 * torn writes, corruption, block files, compaction, a full disk. */
#include "helpers.h"
#include "suites.h"

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmp;           /* the test's temp dir */
static char path[4096];     /* the store directory inside it */
static struct store *s;
static char errmsg[BL_ERRMSG_SIZE];
static struct store_msg m;
static struct store_cfg cfg;

static void open_store(void)
{
    int rv = filestore_open(path, &cfg, &s, errmsg);
    ck_assert_msg(rv == 0, "open: %d %s", rv, errmsg);
}

static void reopen(void)
{
    store_close(s);
    s = NULL;
    open_store();
}

static void setup(void)
{
    tmp = tmpdir_new();
    snprintf(path, sizeof(path), "%s/stream", tmp);
    memset(&cfg, 0, sizeof(cfg));
    cfg.name = "T";
    store_msg_init(&m);
    errmsg[0] = '\0';
}

static void teardown(void)
{
    store_msg_close(&m);
    store_close(s);
    s = NULL;
    tmpdir_remove(tmp);
    free(tmp);
    tmp = NULL;
}

static struct store_state state(void)
{
    struct store_state st;
    store_state(s, &st);
    return st;
}

static off_t file_size(const char *p)
{
    struct stat st;
    ck_assert_int_eq(stat(p, &st), 0);
    return st.st_size;
}

static void append_n(int n, const char *prefix)
{
    for (int i = 0; i < n; i++) {
        char subj[64], data[128];
        snprintf(subj, sizeof(subj), "%s.%d", prefix, i % 7);
        snprintf(data, sizeof(data), "%s-data-%d-%0*d", prefix, i, i % 40, 0);
        append_str(s, subj, i % 3 ? NULL : "NATS/1.0\r\nK: v\r\n\r\n", data,
                   1000 + (uint64_t)i);
    }
}

/* Everything visible (messages, deletes, subjects, counters) is the same
 * after closing and opening again. */
START_TEST(reopen_restores_everything)
{
    cfg.block_size = 2048;
    open_store();
    append_n(300, "a");
    ck_assert_int_eq(store_remove(s, 1, false, errmsg), 0);
    ck_assert_int_eq(store_remove(s, 50, false, errmsg), 0);
    ck_assert_int_eq(store_remove(s, 299, true, errmsg), 0);
    ck_assert_int_eq(store_purge(s, SL("a.3"), 0, 2, NULL, errmsg), 0);
    ck_assert_int_eq(store_purge(s, NOSL, 20, 0, NULL, errmsg), 0);
    ck_assert_int_eq(store_append_at(s, 310, SL("b.x"), NOSL, SL("late"), 5000,
                                     errmsg),
                     0);
    ck_assert_int_eq(store_skip_to(s, 320, 6000, errmsg), 0);
    char *before = store_dump(s);
    reopen();
    char *after = store_dump(s);
    ck_assert_str_eq(before, after);
    ck_assert_uint_eq(store_recovery(s)->n_bad_records, 0);
    ck_assert_uint_eq(store_recovery(s)->n_torn_bytes, 0);
    ck_assert_str_eq(store_recovery(s)->msg, "");
    ck_assert_uint_eq(append_str(s, "c", NULL, "next", 7000), 321);
    free(before);
    free(after);
}
END_TEST

/* A purge or compact that leaves nothing still remembers the sequence. */
START_TEST(reopen_after_purge_keeps_sequence)
{
    cfg.block_size = 1024;
    open_store();
    append_n(50, "a");
    ck_assert_int_eq(store_purge(s, NOSL, 0, 0, NULL, errmsg), 0);
    reopen();
    struct store_state st = state();
    ck_assert_uint_eq(st.msgs, 0);
    ck_assert_uint_eq(st.first_seq, 51);
    ck_assert_uint_eq(st.last_seq, 50);
    ck_assert_uint_eq(st.last_ts_ns, 1049);
    ck_assert_int_eq(store_compact(s, 1000, NULL, errmsg), 0);
    reopen();
    st = state();
    ck_assert_uint_eq(st.first_seq, 1000);
    ck_assert_uint_eq(st.last_seq, 999);
    ck_assert_uint_eq(append_str(s, "x", NULL, "y", 1), 1000);
}
END_TEST

/* Truncation survives a reopen and new appends follow it. */
START_TEST(reopen_after_truncate)
{
    cfg.block_size = 1024;
    open_store();
    append_n(60, "a");
    ck_assert_int_eq(store_remove(s, 20, false, errmsg), 0);
    ck_assert_int_eq(store_remove(s, 40, false, errmsg), 0);
    ck_assert_int_eq(store_truncate(s, 30, errmsg), 0);
    char *before = store_dump(s);
    reopen();
    char *after = store_dump(s);
    ck_assert_str_eq(before, after);
    ck_assert_uint_eq(append_str(s, "new", NULL, "n", 1), 31);
    ck_assert_uint_eq(append_str(s, "new", NULL, "n", 1), 32);
    reopen();
    ck_assert_int_eq(store_load(s, 31, &m, errmsg), 0);
    ck_assert(bl_slice_eq_str(m.subject, "new"));
    ck_assert_uint_eq(state().msgs, 31);
    free(before);
    free(after);
}
END_TEST

/* Cutting the last record at every byte offset loses only that record:
 * the rest reopens intact and appends continue with its sequence. */
START_TEST(torn_tail_at_every_offset)
{
    char blk[4096];
    off_t start = 0, end = 0;
    /* Learn the offsets of the last record once. */
    open_store();
    append_n(5, "a");
    last_block_path(path, blk, sizeof(blk));
    start = file_size(blk);
    append_str(s, "torn.subject", "NATS/1.0\r\n\r\n", "the last one", 9999);
    end = file_size(blk);
    store_close(s);
    s = NULL;
    tmpdir_remove(path);
    for (off_t cut = start; cut < end; cut++) {
        open_store();
        append_n(5, "a");
        append_str(s, "torn.subject", "NATS/1.0\r\n\r\n", "the last one",
                   9999);
        store_close(s);
        s = NULL;
        ck_assert_int_eq(truncate(blk, cut), 0);
        open_store();
        struct store_state st = state();
        ck_assert_uint_eq(st.msgs, 5);
        ck_assert_uint_eq(st.last_seq, 5);
        ck_assert_uint_eq(store_recovery(s)->n_torn_bytes,
                          (uint64_t)(cut - start));
        ck_assert_uint_eq(store_recovery(s)->n_bad_records, 0);
        ck_assert_int_eq(file_size(blk), start);
        for (uint64_t q = 1; q <= 5; q++)
            ck_assert_int_eq(store_load(s, q, &m, errmsg), 0);
        ck_assert_int_eq(store_load(s, 6, &m, errmsg), BL_ENOENT);
        ck_assert_uint_eq(append_str(s, "after", NULL, "crash", 1), 6);
        store_close(s);
        s = NULL;
        open_store();
        ck_assert_int_eq(store_load(s, 6, &m, errmsg), 0);
        ck_assert(bl_slice_eq_str(m.subject, "after"));
        store_close(s);
        s = NULL;
        tmpdir_remove(path);
    }
}
END_TEST

/* Appends 10 messages and returns the block file offset of record 4 (the
 * fifth record is at off5). */
static off_t records_with_offsets(char *blk, size_t blk_size, off_t *rec4_end)
{
    open_store();
    last_block_path(path, blk, blk_size);
    append_n(3, "a");
    off_t off = file_size(blk);
    append_n(1, "b");
    *rec4_end = file_size(blk);
    append_n(6, "c");
    store_close(s);
    s = NULL;
    return off;
}

static void flip_byte(const char *file, off_t at)
{
    int fd = open(file, O_RDWR);
    ck_assert_int_ge(fd, 0);
    unsigned char c;
    ck_assert_int_eq(pread(fd, &c, 1, at), 1);
    c ^= 0x5a;
    ck_assert_int_eq(pwrite(fd, &c, 1, at), 1);
    close(fd);
}

/* A flipped payload byte in the middle of the last block is reported and
 * that record skipped; records after it are not cut off. */
START_TEST(corrupt_payload_is_skipped_and_reported)
{
    char blk[4096];
    off_t rec4_end;
    off_t off = records_with_offsets(blk, sizeof(blk), &rec4_end);
    flip_byte(blk, rec4_end - 8);
    open_store();
    ck_assert_uint_eq(store_recovery(s)->n_bad_records, 1);
    ck_assert_uint_eq(store_recovery(s)->n_torn_bytes, 0);
    ck_assert_ptr_nonnull(strstr(store_recovery(s)->msg, "corrupt record"));
    struct store_state st = state();
    ck_assert_uint_eq(st.msgs, 9);
    ck_assert_uint_eq(st.last_seq, 10);
    ck_assert_uint_eq(st.num_deleted, 1);
    ck_assert_int_eq(store_load(s, 4, &m, errmsg), BL_ENOENT);
    for (uint64_t q = 1; q <= 10; q++)
        if (q != 4)
            ck_assert_int_eq(store_load(s, q, &m, errmsg), 0);
    ck_assert_uint_eq(append_str(s, "x", NULL, "y", 1), 11);
    (void)off;
}
END_TEST

/* A corrupt length field needs a resync; the records after it survive. */
START_TEST(corrupt_length_resyncs)
{
    char blk[4096];
    off_t rec4_end;
    off_t off = records_with_offsets(blk, sizeof(blk), &rec4_end);
    flip_byte(blk, off + 5);
    open_store();
    ck_assert_uint_eq(store_recovery(s)->n_bad_records, 1);
    ck_assert_uint_eq(state().msgs, 9);
    ck_assert_int_eq(store_load(s, 4, &m, errmsg), BL_ENOENT);
    ck_assert_int_eq(store_load(s, 5, &m, errmsg), 0);
    ck_assert_int_eq(store_load(s, 10, &m, errmsg), 0);
}
END_TEST

/* Corruption in an older block is skipped the same way, and reading a
 * record corrupted after open fails with BL_EIO instead of bad data. */
START_TEST(corrupt_older_block)
{
    cfg.block_size = 1024;
    open_store();
    append_n(100, "a");
    unsigned n_blocks;
    dir_bytes(path, ".blk", &n_blocks);
    ck_assert_uint_gt(n_blocks, 3);
    char first[8192];
    snprintf(first, sizeof(first), "%s/00000001.blk", path);
    /* Record 2 starts right after the 32-byte header and record 1. */
    ck_assert_int_eq(store_load(s, 1, &m, errmsg), 0);
    off_t rec2 = 32 + (off_t)store_msg_size(m.subject.len, m.hdr.len,
                                              m.data.len);
    flip_byte(first, rec2 + 40);
    ck_assert_int_eq(store_load(s, 2, &m, errmsg), BL_EIO);
    ck_assert_str_ne(errmsg, "");
    reopen();
    ck_assert_uint_eq(store_recovery(s)->n_bad_records, 1);
    ck_assert_uint_eq(state().msgs, 99);
    ck_assert_uint_eq(state().last_seq, 100);
    ck_assert_int_eq(store_load(s, 2, &m, errmsg), BL_ENOENT);
    ck_assert_int_eq(store_load(s, 3, &m, errmsg), 0);
}
END_TEST

/* A block whose header is not ours is set aside; the others load. */
START_TEST(bad_block_header_is_set_aside)
{
    cfg.block_size = 1024;
    open_store();
    append_n(100, "a");
    store_close(s);
    s = NULL;
    char first[8192];
    snprintf(first, sizeof(first), "%s/00000001.blk", path);
    flip_byte(first, 2);
    open_store();
    ck_assert_uint_eq(store_recovery(s)->n_bad_records, 1);
    ck_assert_ptr_nonnull(strstr(store_recovery(s)->msg, "bad header"));
    struct store_state st = state();
    ck_assert_uint_eq(st.last_seq, 100);
    ck_assert_uint_gt(st.first_seq, 1);
    ck_assert_int_eq(store_load(s, 100, &m, errmsg), 0);
    ck_assert_uint_eq(dir_bytes(path, ".blk.bad", NULL) > 0, 1);
}
END_TEST

/* A torn delete-map entry is cut; the whole entries still apply. */
START_TEST(torn_dmap_entry_is_cut)
{
    open_store();
    append_n(10, "a");
    ck_assert_int_eq(store_remove(s, 3, false, errmsg), 0);
    ck_assert_int_eq(store_remove(s, 5, false, errmsg), 0);
    store_close(s);
    s = NULL;
    char dmap[8192];
    snprintf(dmap, sizeof(dmap), "%s/00000001.dmap", path);
    int fd = open(dmap, O_WRONLY | O_APPEND);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "\x07\x00\x00", 3), 3);
    close(fd);
    open_store();
    ck_assert_uint_eq(state().msgs, 8);
    ck_assert_int_eq(store_load(s, 3, &m, errmsg), BL_ENOENT);
    ck_assert_int_eq(store_load(s, 7, &m, errmsg), 0);
    ck_assert_int_eq(store_remove(s, 7, false, errmsg), 0);
    reopen();
    ck_assert_uint_eq(state().msgs, 7);
    ck_assert_int_eq(store_load(s, 7, &m, errmsg), BL_ENOENT);
}
END_TEST

/* Small blocks roll into many files; purging drops whole files. */
START_TEST(blocks_roll_and_go_on_purge)
{
    cfg.block_size = 1024;
    open_store();
    append_n(200, "a");
    unsigned n0, n1, n2;
    dir_bytes(path, ".blk", &n0);
    ck_assert_uint_gt(n0, 10);
    ck_assert_int_eq(store_purge(s, NOSL, 100, 0, NULL, errmsg), 0);
    dir_bytes(path, ".blk", &n1);
    ck_assert_uint_lt(n1, n0 * 2 / 3);
    ck_assert_int_eq(store_purge(s, NOSL, 0, 0, NULL, errmsg), 0);
    dir_bytes(path, ".blk", &n2);
    ck_assert_uint_eq(n2, 1);
    reopen();
    ck_assert_uint_eq(state().first_seq, 201);
    ck_assert_uint_eq(append_str(s, "x", NULL, "y", 1), 201);
}
END_TEST

/* Removing most messages of full blocks rewrites them smaller; the live
 * messages stay readable, also after a reopen. */
START_TEST(compaction_reclaims_space)
{
    cfg.block_size = 64 * 1024;
    open_store();
    append_n(3000, "a");
    uint64_t before = dir_bytes(path, ".blk", NULL);
    for (uint64_t q = 1; q <= 3000; q++)
        if (q % 8 != 0)
            ck_assert_int_eq(store_remove(s, q, false, errmsg), 0);
    uint64_t after = dir_bytes(path, ".blk", NULL);
    ck_assert_uint_lt(after, before / 2);
    char *dump = store_dump(s);
    reopen();
    char *dump2 = store_dump(s);
    ck_assert_str_eq(dump, dump2);
    ck_assert_uint_eq(state().msgs, 375);
    ck_assert_int_eq(store_load(s, 2000, &m, errmsg), 0);
    ck_assert_ptr_nonnull(strstr(m.data.p, "a-data-1999-"));
    free(dump);
    free(dump2);
}
END_TEST

static bool file_contains(const char *file, const char *needle)
{
    FILE *f = fopen(file, "rb");
    ck_assert_ptr_nonnull(f);
    char buf[65536];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    return memmem(buf, n, needle, strlen(needle)) != NULL;
}

/* A secure erase leaves no trace of the payload in the block file. */
START_TEST(erase_overwrites_bytes)
{
    open_store();
    append_str(s, "a", NULL, "keep-me", 1);
    append_str(s, "secret.subject", "H", "SECRET-PAYLOAD", 2);
    append_str(s, "a", NULL, "keep-me-too", 3);
    char blk[4096];
    last_block_path(path, blk, sizeof(blk));
    ck_assert(file_contains(blk, "SECRET-PAYLOAD"));
    ck_assert_int_eq(store_remove(s, 2, true, errmsg), 0);
    ck_assert(!file_contains(blk, "SECRET-PAYLOAD"));
    ck_assert(!file_contains(blk, "secret.subject"));
    reopen();
    ck_assert_uint_eq(state().msgs, 2);
    ck_assert_uint_eq(store_recovery(s)->n_bad_records, 0);
    ck_assert_int_eq(store_load(s, 2, &m, errmsg), BL_ENOENT);
    ck_assert_int_eq(store_load(s, 3, &m, errmsg), 0);
}
END_TEST

/* A second handle on the same directory is refused. */
START_TEST(second_open_is_busy)
{
    open_store();
    struct store *other = NULL;
    ck_assert_int_eq(filestore_open(path, &cfg, &other, errmsg), BL_EBUSY);
    ck_assert_ptr_null(other);
    ck_assert_ptr_nonnull(strstr(errmsg, path));
}
END_TEST

/* A block size above the limit is a config error. */
START_TEST(bad_block_size_is_refused)
{
    cfg.block_size = 8ull * 1024 * 1024 * 1024;
    ck_assert_int_eq(filestore_open(path, &cfg, &s, errmsg), BL_EINVAL);
    ck_assert_ptr_null(s);
}
END_TEST

/* Hitting the file size limit fails the append with BL_ENOSPC, leaves no
 * partial record, and the store works once the limit is lifted. */
START_TEST(file_size_limit_is_disk_full)
{
    signal(SIGXFSZ, SIG_IGN);
    open_store();
    append_n(5, "a");
    char blk[4096];
    last_block_path(path, blk, sizeof(blk));
    off_t size = file_size(blk);
    struct rlimit old, lim;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = (rlim_t)size + 10;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    char big[200];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    uint64_t seq = 0;
    int rv = store_append(s, SL("a.big"), NOSL, SL(big), 1, &seq, errmsg);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    ck_assert_int_eq(rv, BL_ENOSPC);
    ck_assert_ptr_nonnull(strstr(errmsg, "write"));
    ck_assert_uint_eq(seq, 0);
    ck_assert_int_eq(file_size(blk), size);
    ck_assert_uint_eq(state().msgs, 5);
    ck_assert_uint_eq(state().last_seq, 5);
    ck_assert_uint_eq(append_str(s, "a.big", NULL, big, 2), 6);
    reopen();
    ck_assert_uint_eq(store_recovery(s)->n_torn_bytes, 0);
    ck_assert_int_eq(store_load(s, 6, &m, errmsg), 0);
    ck_assert(bl_slice_eq_str(m.data, big));
    ck_assert_uint_eq(state().msgs, 6);
}
END_TEST

/* sync_every_write mode works end to end. */
START_TEST(sync_every_write_mode)
{
    cfg.sync_every_write = true;
    open_store();
    append_n(20, "a");
    ck_assert_int_eq(store_remove(s, 3, false, errmsg), 0);
    ck_assert_int_eq(store_sync(s, errmsg), 0);
    reopen();
    ck_assert_uint_eq(state().msgs, 19);
}
END_TEST

/* store_delete removes the directory. */
START_TEST(delete_removes_files)
{
    open_store();
    append_n(10, "a");
    ck_assert_int_eq(store_delete(s, errmsg), 0);
    s = NULL;
    struct stat st;
    ck_assert_int_eq(stat(path, &st), -1);
}
END_TEST

/* Stray .tmp files of an interrupted create or compaction are ignored and
 * removed. */
START_TEST(leftover_tmp_files_are_removed)
{
    open_store();
    append_n(10, "a");
    store_close(s);
    s = NULL;
    char junk[8192];
    snprintf(junk, sizeof(junk), "%s/00000002.blk.tmp", path);
    FILE *f = fopen(junk, "w");
    fputs("garbage", f);
    fclose(f);
    open_store();
    struct stat st;
    ck_assert_int_eq(stat(junk, &st), -1);
    ck_assert_uint_eq(state().msgs, 10);
    ck_assert_uint_eq(append_str(s, "x", NULL, "y", 1), 11);
}
END_TEST

Suite *filestore_suite(void)
{
    Suite *su = suite_create("store/filestore");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"reopen", reopen_restores_everything},
        {"reopen_purge", reopen_after_purge_keeps_sequence},
        {"reopen_truncate", reopen_after_truncate},
        {"torn_tail", torn_tail_at_every_offset},
        {"corrupt_payload", corrupt_payload_is_skipped_and_reported},
        {"corrupt_length", corrupt_length_resyncs},
        {"corrupt_older_block", corrupt_older_block},
        {"bad_header", bad_block_header_is_set_aside},
        {"torn_dmap", torn_dmap_entry_is_cut},
        {"blocks", blocks_roll_and_go_on_purge},
        {"compaction", compaction_reclaims_space},
        {"erase", erase_overwrites_bytes},
        {"busy", second_open_is_busy},
        {"bad_cfg", bad_block_size_is_refused},
        {"disk_full", file_size_limit_is_disk_full},
        {"sync_every_write", sync_every_write_mode},
        {"delete", delete_removes_files},
        {"tmp_files", leftover_tmp_files_are_removed},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(su, tc);
    }
    return su;
}
