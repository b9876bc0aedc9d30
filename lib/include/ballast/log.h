/* Leveled logging to stderr: "ts level message". By convention the message
 * starts with the module name ("net: client 7 closed reason=..."). The level
 * is checked before any formatting, so disabled levels cost one compare. */
#ifndef BALLAST_LOG_H
#define BALLAST_LOG_H

enum bl_log_level {
    BL_LOG_TRACE = 0,
    BL_LOG_DEBUG = 1,
    BL_LOG_INFO = 2,
    BL_LOG_WARN = 3,
    BL_LOG_ERROR = 4,
    BL_LOG_OFF = 5
};

extern enum bl_log_level bl_log_level_current;

/* Sets the lowest level that is written. */
void bl_log_set_level(enum bl_log_level level);

/* Writes timestamps (default on); off is handy for tests. */
void bl_log_set_timestamps(int on);

/* Writes one line at `level`; use the macros below. */
void bl_log_write(enum bl_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define bl_log_at(level, ...)                                                  \
    do {                                                                       \
        if ((level) >= bl_log_level_current)                                   \
            bl_log_write((level), __VA_ARGS__);                                \
    } while (0)
#define bl_log_trace(...) bl_log_at(BL_LOG_TRACE, __VA_ARGS__)
#define bl_log_debug(...) bl_log_at(BL_LOG_DEBUG, __VA_ARGS__)
#define bl_log_info(...) bl_log_at(BL_LOG_INFO, __VA_ARGS__)
#define bl_log_warn(...) bl_log_at(BL_LOG_WARN, __VA_ARGS__)
#define bl_log_error(...) bl_log_at(BL_LOG_ERROR, __VA_ARGS__)

#endif
