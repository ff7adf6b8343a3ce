/*
 * log.c — leveled messages to stderr.  The threshold is process-wide state
 * (set once at start-up from flags or RIA_LOG); writes are single fputs calls
 * so lines from threads do not interleave.
 */
#include "core.h"

#include <stdatomic.h>

static atomic_int log_level = RIA_LOG_WARN;

void ria_log_set_level(ria_log_level level)
{
    atomic_store(&log_level, (int)level);
}

void ria_log(ria_log_level level, const char *fmt, ...)
{
    if ((int)level > atomic_load(&log_level))
        return;
    static const char *const names[] = {"error", "warning", "info", "debug"};
    char line[1024];
    int k = snprintf(line, sizeof line, "ria: %s: ", names[level]);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + k, sizeof line - (size_t)k - 1, fmt, ap);
    va_end(ap);
    size_t len = 0;
    while (line[len])
        len++;
    line[len] = '\n';
    line[len + 1] = 0;
    fputs(line, stderr);
}
