#include "ballast/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

enum bl_log_level bl_log_level_current = BL_LOG_INFO;
static int with_timestamps = 1;

static const char *level_names[] = {"TRC", "DBG", "INF", "WRN", "ERR", "OFF"};

void bl_log_set_level(enum bl_log_level level)
{
    bl_log_level_current = level;
}

void bl_log_set_timestamps(int on)
{
    with_timestamps = on;
}

void bl_log_write(enum bl_log_level level, const char *fmt, ...)
{
    char line[2048];
    size_t n = 0;
    if (with_timestamps) {
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
        n += (size_t)snprintf(line + n, sizeof(line) - n, ".%06ldZ ",
                              ts.tv_nsec / 1000);
    }
    n += (size_t)snprintf(line + n, sizeof(line) - n, "%s ",
                          level_names[level]);
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
    va_end(ap);
    if (w < 0)
        return;
    n += (size_t)w;
    if (n > sizeof(line) - 2)
        n = sizeof(line) - 2;
    line[n++] = '\n';
    /* One write per line keeps lines whole when several processes share
     * the same stderr. */
    fwrite(line, 1, n, stderr);
    fflush(stderr);
}
