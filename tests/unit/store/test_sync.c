/* The sync in three steps: what store_sync_begin() captures and resets,
 * store_sync_run() on another thread while the store goes on (and even
 * goes away), store_sync_end() and store_sync_repeat(). */
#include "helpers.h"
#include "suites.h"

#include "ballast/mem.h"

#include <check.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static char *tmp;
static char path[4096];
static struct store *s;
static char errmsg[BL_ERRMSG_SIZE];
static struct store_cfg cfg;

static void setup(void)
{
    tmp = tmpdir_new();
    snprintf(path, sizeof(path), "%s/stream", tmp);
    memset(&cfg, 0, sizeof(cfg));
    cfg.name = "T";
    errmsg[0] = '\0';
    int rv = filestore_open(path, &cfg, &s, errmsg);
    ck_assert_msg(rv == 0, "open: %d %s", rv, errmsg);
}

static void teardown(void)
{
    store_close(s);
    s = NULL;
    tmpdir_remove(tmp);
    free(tmp);
    tmp = NULL;
}

static unsigned open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    ck_assert_ptr_nonnull(d);
    unsigned n = 0;
    while (readdir(d) != NULL)
        n++;
    closedir(d);
    return n;
}

static struct store_sync *begin_ok(void)
{
    struct store_sync *j = (struct store_sync *)1; /* must be written */
    int rv = store_sync_begin(s, &j, errmsg);
    ck_assert_msg(rv == 0, "begin: %d %s", rv, errmsg);
    return j;
}

static void end_ok(struct store_sync *j)
{
    int rv = store_sync_end(j, errmsg);
    ck_assert_msg(rv == 0, "end: %d %s", rv, errmsg);
}

/* Begin takes what is dirty and marks the store clean: a second begin has
 * nothing, a new write gives the next one something again. The job holds
 * its own descriptors until end. */
START_TEST(begin_takes_the_dirty_files_and_resets)
{
    store_sync(s, errmsg);
    ck_assert_ptr_null(begin_ok()); /* nothing written since the sync */
    append_str(s, "a", NULL, "1", 1);
    unsigned before = open_fds();
    struct store_sync *j = begin_ok();
    ck_assert_ptr_nonnull(j);
    ck_assert_uint_gt(open_fds(), before); /* dups of block (and dir) */
    ck_assert_ptr_null(begin_ok());        /* clean now */
    append_str(s, "a", NULL, "2", 2);
    struct store_sync *j2 = begin_ok();
    ck_assert_ptr_nonnull(j2);
    ck_assert_int_eq(store_sync_run(j), 0);
    ck_assert_int_eq(store_sync_run(j2), 0);
    end_ok(j);
    end_ok(j2);
    ck_assert_uint_eq(open_fds(), before);
    /* A remove writes the dmap: that is something to sync too. */
    ck_assert_int_eq(store_remove(s, 1, false, errmsg), 0);
    j = begin_ok();
    ck_assert_ptr_nonnull(j);
    ck_assert_int_eq(store_sync_run(j), 0);
    end_ok(j);
    ck_assert_ptr_null(begin_ok());
}
END_TEST

struct runner {
    pthread_t thread;
    struct store_sync *job;
    int rv;
};

static void *run_thread(void *arg)
{
    struct runner *r = arg;
    r->rv = store_sync_run(r->job);
    return NULL;
}

static void run_on_thread(struct runner *r, struct store_sync *j)
{
    r->job = j;
    r->rv = -1000;
    ck_assert_int_eq(pthread_create(&r->thread, NULL, run_thread, r), 0);
}

static void join(struct runner *r)
{
    ck_assert_int_eq(pthread_join(r->thread, NULL), 0);
}

/* The fsyncs run on another thread while this one appends (rolling to new
 * blocks), repeats the job's fsyncs itself, and reads; then end. */
START_TEST(run_on_a_thread_while_the_store_goes_on)
{
    store_close(s);
    cfg.block_size = 4096;
    int rv = filestore_open(path, &cfg, &s, errmsg);
    ck_assert_msg(rv == 0, "open: %s", errmsg);
    for (int i = 0; i < 50; i++)
        append_str(s, "a.b", NULL, "0123456789012345678901234567890123", 1);
    struct runner r;
    run_on_thread(&r, begin_ok());
    for (int i = 0; i < 200; i++)
        append_str(s, "a.c", NULL, "0123456789012345678901234567890123", 2);
    ck_assert_int_eq(store_sync_repeat(r.job, errmsg), 0);
    join(&r);
    ck_assert_int_eq(r.rv, 0);
    end_ok(r.job);
    struct store_sync *j = begin_ok();
    ck_assert_ptr_nonnull(j); /* the 200 after begin */
    ck_assert_int_eq(store_sync_run(j), 0);
    end_ok(j);
    struct store_state st;
    store_state(s, &st);
    ck_assert_uint_eq(st.msgs, 250);
}
END_TEST

/* A job outlives its store: closed (_i 0) or deleted (_i 1) while the
 * fsyncs run, or before they start. */
START_TEST(job_outlives_its_store)
{
    append_str(s, "a", NULL, "1", 1);
    struct store_sync *early = begin_ok();
    append_str(s, "a", NULL, "2", 2);
    struct runner r;
    run_on_thread(&r, begin_ok());
    if (_i == 0) {
        store_close(s);
    } else {
        ck_assert_int_eq(store_delete(s, errmsg), 0);
    }
    s = NULL;
    join(&r);
    ck_assert_int_eq(r.rv, 0);
    end_ok(r.job);
    ck_assert_int_eq(store_sync_run(early), 0);
    end_ok(early);
}
END_TEST

/* A begin that cannot duplicate the descriptors fails and leaves the
 * store dirty: the next begin still takes everything. */
START_TEST(failed_begin_keeps_the_dirty_state)
{
    append_str(s, "a", NULL, "1", 1);
    struct rlimit old, low;
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
    low = old;
    int lowest_free = dup(0);
    ck_assert_int_ge(lowest_free, 0);
    close(lowest_free);
    low.rlim_cur = (rlim_t)lowest_free; /* no descriptor left to dup into */
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
    struct store_sync *j = NULL;
    int rv = store_sync_begin(s, &j, errmsg);
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
    ck_assert_int_ne(rv, 0);
    ck_assert_ptr_null(j);
    ck_assert_ptr_nonnull(strstr(errmsg, "dup"));
    j = begin_ok();
    ck_assert_ptr_nonnull(j);
    ck_assert_int_eq(store_sync_run(j), 0);
    end_ok(j);
}
END_TEST

/* A job's failure comes back from end with its message; end frees it. */
struct test_job {
    struct store_sync base;
    int *freed;
};

static int test_job_run(const struct store_sync *j, char *e)
{
    (void)j;
    bl_errmsg_set(e, "sync block 3: Input/output error");
    return BL_EIO;
}

static void test_job_free(struct store_sync *j)
{
    struct test_job *t = (struct test_job *)j;
    (*t->freed)++;
    bl_free(t);
}

START_TEST(end_returns_the_run_result)
{
    int freed = 0;
    struct test_job *t = bl_xcalloc(1, sizeof(*t));
    t->base.run = test_job_run;
    t->base.free = test_job_free;
    t->freed = &freed;
    struct runner r;
    run_on_thread(&r, &t->base);
    join(&r);
    ck_assert_int_eq(r.rv, BL_EIO);
    ck_assert_int_eq(store_sync_end(&t->base, errmsg), BL_EIO);
    ck_assert_str_eq(errmsg, "sync block 3: Input/output error");
    ck_assert_int_eq(freed, 1);
    ck_assert_int_eq(store_sync_run(NULL), 0);
    ck_assert_int_eq(store_sync_end(NULL, errmsg), 0);
    ck_assert_int_eq(store_sync_repeat(NULL, errmsg), 0);
}
END_TEST

/* The memory store never has anything to sync. */
START_TEST(memstore_has_nothing_to_sync)
{
    struct store *ms = NULL;
    ck_assert_int_eq(memstore_new(NULL, &ms), 0);
    append_str(ms, "a", NULL, "1", 1);
    struct store_sync *j = (struct store_sync *)1;
    ck_assert_int_eq(store_sync_begin(ms, &j, errmsg), 0);
    ck_assert_ptr_null(j);
    ck_assert_int_eq(store_sync_run(j), 0);
    ck_assert_int_eq(store_sync_end(j, errmsg), 0);
    store_close(ms);
}
END_TEST

Suite *sync_suite(void)
{
    Suite *su = suite_create("store/sync");
    TCase *tc = tcase_create("sync");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, begin_takes_the_dirty_files_and_resets);
    tcase_add_test(tc, run_on_a_thread_while_the_store_goes_on);
    tcase_add_loop_test(tc, job_outlives_its_store, 0, 2);
    tcase_add_test(tc, failed_begin_keeps_the_dirty_state);
    tcase_add_test(tc, end_returns_the_run_result);
    tcase_add_test(tc, memstore_has_nothing_to_sync);
    suite_add_tcase(su, tc);
    return su;
}
