#include "http/procstat.h"

#include "ballast/err.h"

#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* User plus system time of the whole process (all threads). */
static uint64_t cpu_ns(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    uint64_t us = (uint64_t)ru.ru_utime.tv_sec * 1000000ull +
                  (uint64_t)ru.ru_utime.tv_usec +
                  (uint64_t)ru.ru_stime.tv_sec * 1000000ull +
                  (uint64_t)ru.ru_stime.tv_usec;
    return us * 1000ull;
}

static int read_rss(uint64_t *rss_bytes)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL)
        return bl_err_from_errno(errno);
    unsigned long long size_pages = 0, rss_pages = 0;
    int n = fscanf(f, "%llu %llu", &size_pages, &rss_pages);
    fclose(f);
    if (n != 2)
        return BL_EIO;
    long page = sysconf(_SC_PAGESIZE);
    *rss_bytes = (uint64_t)rss_pages * (uint64_t)(page > 0 ? page : 4096);
    return 0;
}

void procstat_init(struct procstat *ps)
{
    ps->last_cpu_ns = cpu_ns();
    ps->last_mono_ns = mono_ns();
    ps->cpu_percent = 0.0;
}

int procstat_sample(struct procstat *ps, uint64_t *rss_bytes,
                    double *cpu_percent)
{
    uint64_t now = mono_ns();
    uint64_t cpu = cpu_ns();
    if (now - ps->last_mono_ns >= 1000000ull) {
        uint64_t used = cpu > ps->last_cpu_ns ? cpu - ps->last_cpu_ns : 0;
        ps->cpu_percent =
            100.0 * (double)used / (double)(now - ps->last_mono_ns);
        ps->last_cpu_ns = cpu;
        ps->last_mono_ns = now;
    }
    *cpu_percent = ps->cpu_percent;
    *rss_bytes = 0;
    return read_rss(rss_bytes);
}

int procstat_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}
