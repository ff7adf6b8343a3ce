/*
 * status.c — the one table of status codes: name, process exit code and HTTP
 * status; plus the error-object helpers.
 */
#include "core.h"

#include <string.h>

static const struct {
    const char *name;
    int exit_code;
    int http;
} status_table[RIA_STATUS_COUNT] = {
    [RIA_OK] = {"ok", 0, 200},
    [RIA_EINVAL] = {"invalid argument", 2, 400},
    [RIA_EPARSE] = {"parse error", 3, 400},
    [RIA_EIO] = {"i/o error", 4, 500},
    [RIA_ENOMEM] = {"out of memory", 5, 503},
    [RIA_ECORRUPT] = {"corrupt store", 6, 500},
    [RIA_ELOCKED] = {"store locked", 7, 409},
    [RIA_ENOTFOUND] = {"not found", 8, 404},
    [RIA_EUNSUPPORTED] = {"unsupported", 9, 422},
    [RIA_ELIMIT] = {"limit exceeded", 10, 413},
    [RIA_ECANCELLED] = {"cancelled", 11, 499},
    [RIA_EREFUSED] = {"refused", 12, 403},
    [RIA_EINTERNAL] = {"internal error", 70, 500},
};

const char *ria_status_name(ria_status code)
{
    if ((unsigned)code >= RIA_STATUS_COUNT)
        return "unknown status";
    return status_table[code].name;
}

int ria_status_exit_code(ria_status code)
{
    if ((unsigned)code >= RIA_STATUS_COUNT)
        return 1;
    return status_table[code].exit_code;
}

int ria_status_http(ria_status code)
{
    if ((unsigned)code >= RIA_STATUS_COUNT)
        return 500;
    return status_table[code].http;
}

ria_status ria_fail(ria_error *err, ria_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void ria_error_prefix(ria_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[256], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
}
