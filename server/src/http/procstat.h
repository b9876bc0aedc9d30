/* Resident memory and CPU usage of this process, for /varz and /metrics.
 *
 * Reads /proc/self/statm and getrusage(); knows nothing of HTTP. CPU usage
 * is the user+system time consumed between two samples divided by the
 * monotonic time between them, in percent of one core (like nats-server's
 * "cpu"), so it may exceed 100 on several cores. */
#ifndef BALLAST_HTTP_PROCSTAT_H
#define BALLAST_HTTP_PROCSTAT_H

#include <stdint.h>

struct procstat {
    uint64_t last_cpu_ns;  /* user+system time at the last sample */
    uint64_t last_mono_ns; /* monotonic time of the last sample */
    double cpu_percent;    /* result of the last sample */
};

/* Takes the first sample: the first procstat_sample() reports usage since
 * this call. */
void procstat_init(struct procstat *ps);

/* Writes the resident set size in bytes and the CPU usage since the
 * previous sample. When less than a millisecond has passed the previous
 * percentage is repeated, since so short a window says nothing. Returns 0,
 * or a BL_E* code when /proc cannot be read (the RSS is then 0). */
int procstat_sample(struct procstat *ps, uint64_t *rss_bytes,
                    double *cpu_percent);

/* Returns the number of online processors (at least 1). */
int procstat_cores(void);

#endif
