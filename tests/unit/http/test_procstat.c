#include "http/procstat.h"

#include <check.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "suites.h"

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* RSS is non-zero and grows when we touch fresh memory. */
START_TEST(rss_counts_touched_memory)
{
    struct procstat ps;
    procstat_init(&ps);
    uint64_t before = 0, after = 0;
    double cpu;
    ck_assert_int_eq(procstat_sample(&ps, &before, &cpu), 0);
    ck_assert_uint_gt(before, 0);
    size_t n = 64u << 20;
    volatile char *p = malloc(n);
    ck_assert_ptr_nonnull((void *)p);
    for (size_t i = 0; i < n; i += 4096)
        p[i] = 1;
    ck_assert_int_eq(procstat_sample(&ps, &after, &cpu), 0);
    free((void *)p);
    ck_assert_uint_gt(after, before + (32u << 20));
}
END_TEST

static uint64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ns(void)
{
    return mono_ms() * 1000000ull;
}

/* Busy work shows as the CPU time it took over the wall time it took
 * (measured here independently, so a loaded machine does not matter);
 * sleeping afterwards shows almost none. */
START_TEST(cpu_follows_work)
{
    struct procstat ps;
    uint64_t wall0 = mono_ns(), cpu0 = cpu_ns();
    procstat_init(&ps);
    uint64_t spins = 0;
    while (cpu_ns() - cpu0 < 200000000ull)
        spins++;
    ck_assert_uint_gt(spins, 0);
    uint64_t rss;
    double cpu;
    ck_assert_int_eq(procstat_sample(&ps, &rss, &cpu), 0);
    uint64_t wall1 = mono_ns(), cpu1 = cpu_ns();
    double want = 100.0 * (double)(cpu1 - cpu0) / (double)(wall1 - wall0);
    ck_assert_msg(cpu > want * 0.75 - 2.0 && cpu < want * 1.25 + 2.0,
                  "cpu %.1f, expected about %.1f", cpu, want);

    usleep(300 * 1000);
    ck_assert_int_eq(procstat_sample(&ps, &rss, &cpu), 0);
    ck_assert_double_lt(cpu, 10.0);
    ck_assert_int_ge(procstat_cores(), 1);
}
END_TEST

Suite *procstat_suite(void)
{
    Suite *s = suite_create("http/procstat");
    TCase *tc = tcase_create("sample");
    tcase_add_test(tc, rss_counts_touched_memory);
    tcase_add_test(tc, cpu_follows_work);
    suite_add_tcase(s, tc);
    return s;
}
