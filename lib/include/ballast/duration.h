/* Durations written and read the way Go's time package does, since that is
 * how nats-server shows them and how its users write them: "1h2m3.5s",
 * "250ms", "1.5µs", "0s". */
#ifndef BALLAST_DURATION_H
#define BALLAST_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* Bytes that hold any duration bl_duration_format() writes. */
#define BL_DURATION_SIZE 40

/* Formats `ns` like Go's time.Duration.String() into `out` (`size` bytes,
 * BL_DURATION_SIZE is always enough). Returns the length written. */
size_t bl_duration_format(int64_t ns, char *out, size_t size);

/* Parses like Go's time.ParseDuration: an optional sign, then one or more
 * decimal numbers (fraction allowed) each with a unit ns, us, µs, μs, ms, s,
 * m or h; "0" alone is zero. Returns 0 with *ns set, or BL_EINVAL for
 * anything else, including overflow of int64 nanoseconds. */
int bl_duration_parse(const char *p, size_t len, int64_t *ns);

#endif
