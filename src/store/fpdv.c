/*
 * fpdv.c — the two small per-segment side files: row fingerprints (.fp) and
 * deletion vectors (.dv).  Both are a fixed header, a payload and an XXH3
 * checksum of the payload; both are written atomically.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FP_MAGIC "RIAFP001"
#define DV_MAGIC "RIADV001"

typedef struct {
    char magic[8];
    uint64_t count;    /* fingerprints, or rows covered by the bitmap */
    uint64_t checksum; /* XXH3-64 of the payload */
} side_header;

static ria_status write_side(const char *path, const char *magic, uint64_t count,
                             const void *payload, size_t len, ria_error *err)
{
    size_t total = sizeof(side_header) + len;
    char *buf = malloc(total ? total : 1);
    if (!buf)
        return ria_fail(err, RIA_ENOMEM, "%s: out of memory", path);
    side_header h;
    memcpy(h.magic, magic, 8);
    h.count = count;
    h.checksum = ria_hash64(payload, len);
    memcpy(buf, &h, sizeof h);
    if (len)
        memcpy(buf + sizeof h, payload, len);
    ria_status rc = ria_write_file_atomic(path, buf, total, err);
    free(buf);
    return rc;
}

static ria_status read_side(const char *path, const char *magic, size_t unit_bytes_num,
                            size_t unit_bytes_den, char **out_payload, uint64_t *out_count,
                            ria_error *err)
{
    char *data = NULL;
    size_t len = 0;
    ria_status rc = ria_read_file(path, (size_t)1 << 40, &data, &len, err);
    if (rc != RIA_OK)
        return rc;
    side_header h;
    if (len < sizeof h) {
        rc = ria_fail(err, RIA_ECORRUPT, "%s: truncated", path);
        goto done;
    }
    memcpy(&h, data, sizeof h);
    size_t want = (size_t)((h.count * unit_bytes_num + unit_bytes_den - 1) / unit_bytes_den);
    if (memcmp(h.magic, magic, 8) != 0 || len - sizeof h != want) {
        rc = ria_fail(err, RIA_ECORRUPT, "%s: bad header or size", path);
        goto done;
    }
    if (ria_hash64(data + sizeof h, want) != h.checksum) {
        rc = ria_fail(err, RIA_ECORRUPT, "%s: checksum mismatch", path);
        goto done;
    }
    char *payload = malloc(want ? want : 1);
    if (!payload) {
        rc = ria_fail(err, RIA_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    memcpy(payload, data + sizeof h, want);
    *out_payload = payload;
    *out_count = h.count;
done:
    free(data);
    return rc;
}

ria_status ria_fp_write(const char *path, const ria_hash128 *fps, uint64_t n, ria_error *err)
{
    return write_side(path, FP_MAGIC, n, fps, (size_t)n * sizeof *fps, err);
}

ria_status ria_fp_read(const char *path, ria_hash128 **out, uint64_t *out_n, ria_error *err)
{
    char *p = NULL;
    ria_status rc = read_side(path, FP_MAGIC, sizeof(ria_hash128), 1, &p, out_n, err);
    if (rc == RIA_OK)
        *out = (ria_hash128 *)(void *)p;
    return rc;
}

ria_status ria_dv_write(const char *path, const uint8_t *bits, uint64_t nrows, ria_error *err)
{
    return write_side(path, DV_MAGIC, nrows, bits, (size_t)((nrows + 7) / 8), err);
}

ria_status ria_dv_read(const char *path, uint8_t **out, uint64_t nrows, ria_error *err)
{
    char *p = NULL;
    uint64_t n = 0;
    ria_status rc = read_side(path, DV_MAGIC, 1, 8, &p, &n, err);
    if (rc != RIA_OK)
        return rc;
    if (n != nrows) {
        free(p);
        return ria_fail(err, RIA_ECORRUPT, "%s: covers %llu rows, segment has %llu", path,
                        (unsigned long long)n, (unsigned long long)nrows);
    }
    *out = (uint8_t *)p;
    return RIA_OK;
}
