/*
 * dict.c — global dictionaries: one append-only file per text column,
 * "RIADICT1" then entries (u32 little-endian length, bytes).  A commit records
 * how many entries and bytes it covers and a hash of that prefix, so a reader
 * at any version sees exactly the codes that version knew, and bytes a
 * crashed writer appended beyond the last commit are ignored (and truncated
 * by the next writer).
 */
#include "store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void dict_free(ria_dict *d)
{
    if (!d)
        return;
    if (d->index) {
        ria_strmap_free(d->index);
        free(d->index);
    }
    free(d->strs);
    free(d->lens);
    free(d->blob);
    free(d);
}

static ria_status read_prefix(const char *path, uint64_t bytes, char **out, ria_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ria_fail(err, RIA_ECORRUPT, "%s: %s", path, strerror(errno));
    char *buf = malloc(bytes ? bytes : 1);
    ria_status rc = RIA_OK;
    if (!buf) {
        rc = ria_fail(err, RIA_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    uint64_t got = 0;
    while (got < bytes) {
        ssize_t k = pread(fd, buf + got, bytes - got, (off_t)got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            rc = ria_fail(err, RIA_ECORRUPT, "%s: shorter than its commit says", path);
            goto done;
        }
        got += (uint64_t)k;
    }
done:
    close(fd);
    if (rc != RIA_OK)
        free(buf);
    else
        *out = buf;
    return rc;
}

ria_status dict_load(const char *path, const dict_state *ds, ria_dict **out, ria_error *err)
{
    ria_dict *d = calloc(1, sizeof *d);
    char *raw = NULL;
    ria_status rc = RIA_OK;
    if (!d)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    d->count = ds->count;
    d->strs = calloc((size_t)ds->count + 1, sizeof *d->strs);
    d->lens = calloc((size_t)ds->count + 1, sizeof *d->lens);
    if (!d->strs || !d->lens) {
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
        goto done;
    }
    d->strs[0] = "";
    if (ds->count == 0)
        goto done;
    if ((rc = read_prefix(path, ds->bytes, &raw, err)) != RIA_OK)
        goto done;
    if (ds->bytes < RIA_DICT_HEADER || memcmp(raw, RIA_DICT_MAGIC, RIA_DICT_HEADER) != 0 ||
        ria_hash64(raw, ds->bytes) != ds->hash) {
        rc = ria_fail(err, RIA_ECORRUPT, "%s: dictionary checksum mismatch", path);
        goto done;
    }
    /* entries become NUL-terminated strings in one blob */
    d->blob = malloc(ds->bytes + ds->count);
    if (!d->blob) {
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
        goto done;
    }
    uint64_t pos = RIA_DICT_HEADER, out_pos = 0;
    for (uint32_t code = 1; code <= ds->count; code++) {
        uint32_t len;
        if (pos + 4 > ds->bytes) {
            rc = ria_fail(err, RIA_ECORRUPT, "%s: truncated entry %u", path, code);
            goto done;
        }
        memcpy(&len, raw + pos, 4);
        pos += 4;
        if (len > ds->bytes - pos) {
            rc = ria_fail(err, RIA_ECORRUPT, "%s: entry %u overruns the file", path, code);
            goto done;
        }
        memcpy(d->blob + out_pos, raw + pos, len);
        d->blob[out_pos + len] = 0;
        d->strs[code] = d->blob + out_pos;
        d->lens[code] = len;
        out_pos += len + 1;
        pos += len;
    }
done:
    free(raw);
    if (rc != RIA_OK) {
        dict_free(d);
        return rc;
    }
    *out = d;
    return RIA_OK;
}

/* Guards the lazily built lookup index of every dictionary: snapshots are
 * shared by server threads, and lookups are per query, not per row. */
static pthread_mutex_t index_lock = PTHREAD_MUTEX_INITIALIZER;

uint32_t ria_dict_lookup(ria_dict *d, const char *s, size_t n)
{
    if (!d || n == 0)
        return 0;
    uint32_t v = 0;
    bool found = false;
    pthread_mutex_lock(&index_lock);
    if (!d->index) {
        ria_strmap *m = malloc(sizeof *m);
        if (m) {
            ria_strmap_init(m);
            for (uint32_t c = 1; c <= d->count; c++)
                if (ria_strmap_put(m, d->strs[c], d->lens[c], c, NULL) != RIA_OK)
                    break;
            d->index = m;
        }
    }
    if (d->index)
        found = ria_strmap_get(d->index, s, n, &v);
    pthread_mutex_unlock(&index_lock);
    return found ? v : 0;
}
