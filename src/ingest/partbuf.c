/*
 * partbuf.c — partition buffers and their flush: the rows of one month are
 * sorted by the clustering key (category, region, state, order time) so
 * zone maps prune well, then written as a segment plus its fingerprints.
 * A flush runs on a worker thread and touches only its own buffer.
 */
#include "ingest_internal.h"

#include <stdlib.h>
#include <string.h>

part_buf *pb_new(int partition)
{
    part_buf *pb = calloc(1, sizeof *pb);
    if (pb) {
        pb->partition = partition;
        pb->min_ts = INT64_MAX;
        pb->max_ts = INT64_MIN;
    }
    return pb;
}

void pb_free(part_buf *pb)
{
    if (!pb)
        return;
    for (int i = 0; i < pb->ncols; i++) {
        free(pb->cols[i].i64);
        free(pb->cols[i].codes);
        free(pb->cols[i].offs);
        ria_buf_free(&pb->cols[i].heap);
    }
    free(pb->cols);
    free(pb->fp);
    free(pb->hits);
    free(pb->key);
    free(pb->seq);
    free(pb);
}

static ria_status grow(void **p, size_t n, size_t size)
{
    void *q = realloc(*p, n * size);
    if (!q)
        return RIA_ENOMEM;
    *p = q;
    return RIA_OK;
}

/* Adds the columns created since the buffer was made; earlier rows are null. */
static ria_status add_columns(part_buf *pb, const ria_txn *tx)
{
    int n = ria_txn_ncols(tx);
    if (n <= pb->ncols)
        return RIA_OK;
    pb_col *cols = realloc(pb->cols, (size_t)n * sizeof *cols);
    if (!cols)
        return RIA_ENOMEM;
    pb->cols = cols;
    for (int i = pb->ncols; i < n; i++) {
        pb_col *c = &cols[i];
        memset(c, 0, sizeof *c);
        c->kind = ria_txn_col(tx, (uint32_t)i)->kind;
        ria_buf_init(&c->heap, 0);
        size_t cap = pb->cap ? pb->cap : 1;
        ria_status rc = RIA_OK;
        if (c->kind == RIA_KIND_I64)
            rc = grow((void **)&c->i64, cap, sizeof *c->i64);
        else if (c->kind == RIA_KIND_CODE)
            rc = grow((void **)&c->codes, cap, sizeof *c->codes);
        else
            rc = grow((void **)&c->offs, cap + 1, sizeof *c->offs);
        if (rc != RIA_OK)
            return rc;
        if (c->kind == RIA_KIND_HEAP)
            c->offs[0] = 0;
        pb->ncols = i + 1;
        pb_fill_nulls(pb, i, 0, pb->nrows);
    }
    return RIA_OK;
}

void pb_fill_nulls(part_buf *pb, int col, size_t from, size_t to)
{
    pb_col *c = &pb->cols[col];
    for (size_t r = from; r < to; r++) {
        if (c->kind == RIA_KIND_I64)
            c->i64[r] = RIA_NULL_I64;
        else if (c->kind == RIA_KIND_CODE)
            c->codes[r] = 0;
        else
            c->offs[r + 1] = c->heap.len;
    }
}

ria_status pb_reserve(part_buf *pb, const ria_txn *tx, size_t more, bool upsert)
{
    ria_status rc = add_columns(pb, tx);
    if (rc != RIA_OK || pb->nrows + more <= pb->cap)
        return rc;
    size_t cap = pb->cap ? pb->cap : 1024;
    while (cap < pb->nrows + more)
        cap *= 2;
    size_t bytes = 0;
    for (int i = 0; i < pb->ncols && rc == RIA_OK; i++) {
        pb_col *c = &pb->cols[i];
        if (c->kind == RIA_KIND_I64)
            rc = grow((void **)&c->i64, cap, sizeof *c->i64), bytes += 8;
        else if (c->kind == RIA_KIND_CODE)
            rc = grow((void **)&c->codes, cap, sizeof *c->codes), bytes += 4;
        else
            rc = grow((void **)&c->offs, cap + 1, sizeof *c->offs), bytes += 8;
    }
    if (rc == RIA_OK)
        rc = grow((void **)&pb->fp, cap, sizeof *pb->fp);
    if (rc == RIA_OK) {
        rc = grow((void **)&pb->hits, cap, sizeof *pb->hits);
        if (rc == RIA_OK)
            memset(pb->hits + pb->cap, 0, (cap - pb->cap) * sizeof *pb->hits);
    }
    if (rc == RIA_OK && upsert) {
        rc = grow((void **)&pb->key, cap, sizeof *pb->key);
        if (rc == RIA_OK)
            rc = grow((void **)&pb->seq, cap, sizeof *pb->seq);
    }
    if (rc != RIA_OK)
        return rc;
    pb->cap = cap;
    (void)bytes;
    return RIA_OK;
}

/* ------------------------------------------------------------ clustering */

typedef struct {
    uint64_t key;
    uint32_t idx;
} sort_item;

static int bits_for(uint64_t v)
{
    int b = 0;
    while (b < 64 && (v >> b))
        b++;
    return b;
}

/* LSD radix sort on the low `bits` bits of key; stable, so equal keys keep
 * arrival order. */
static ria_status radix_sort(sort_item *a, size_t n, int bits)
{
    sort_item *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return RIA_ENOMEM;
    for (int shift = 0; shift < bits; shift += 11) {
        size_t count[2049] = {0};
        for (size_t i = 0; i < n; i++)
            count[((a[i].key >> shift) & 2047) + 1]++;
        for (int d = 0; d < 2048; d++)
            count[d + 1] += count[d];
        for (size_t i = 0; i < n; i++)
            tmp[count[(a[i].key >> shift) & 2047]++] = a[i];
        memcpy(a, tmp, n * sizeof *a);
    }
    free(tmp);
    return RIA_OK;
}

typedef struct {
    const uint32_t *c[3];
    const int64_t *ts;
} cmp_ctx;

static int cmp_rows(const void *x, const void *y, void *arg)
{
    const cmp_ctx *cx = arg;
    uint32_t a = ((const sort_item *)x)->idx, b = ((const sort_item *)y)->idx;
    for (int k = 0; k < 3; k++)
        if (cx->c[k] && cx->c[k][a] != cx->c[k][b])
            return cx->c[k][a] < cx->c[k][b] ? -1 : 1;
    if (cx->ts && cx->ts[a] != cx->ts[b])
        return cx->ts[a] < cx->ts[b] ? -1 : 1;
    return (a > b) - (a < b);
}

/* The clustered order of pb's rows as a permutation. */
static ria_status cluster_order(const part_buf *pb, const cluster_spec *cs, uint32_t **out)
{
    size_t n = pb->nrows;
    sort_item *items = malloc((n ? n : 1) * sizeof *items);
    uint32_t *perm = malloc((n ? n : 1) * sizeof *perm);
    if (!items || !perm) {
        free(items);
        free(perm);
        return RIA_ENOMEM;
    }
    cmp_ctx cx = {{NULL, NULL, NULL}, NULL};
    int bits[3] = {0, 0, 0}, total = 0;
    for (int k = 0; k < 3; k++) {
        uint32_t col = cs->col[k];
        if (col != NO_COL && (int)col < pb->ncols && pb->cols[col].kind == RIA_KIND_CODE) {
            cx.c[k] = pb->cols[col].codes;
            bits[k] = bits_for(cs->dict_size[k] + 1u);
            total += bits[k];
        }
    }
    uint32_t tc = cs->col[3];
    if (tc != NO_COL && (int)tc < pb->ncols && pb->cols[tc].kind == RIA_KIND_I64)
        cx.ts = pb->cols[tc].i64;
    int64_t base = pb->min_ts == INT64_MAX ? 0 : pb->min_ts;
    int tbits = cx.ts ? bits_for((uint64_t)(pb->max_ts - base)) : 0;
    ria_status rc = RIA_OK;
    for (size_t i = 0; i < n; i++)
        items[i].idx = (uint32_t)i;
    if (total + tbits <= 64) {
        for (size_t i = 0; i < n; i++) {
            uint64_t key = 0;
            for (int k = 0; k < 3; k++)
                if (cx.c[k])
                    key = (key << bits[k]) | cx.c[k][i];
            if (cx.ts) {
                int64_t t = cx.ts[i] == RIA_NULL_I64 ? base : cx.ts[i];
                key = (tbits ? key << tbits : key) | (uint64_t)(t - base);
            }
            items[i].key = key;
        }
        rc = radix_sort(items, n, total + tbits);
    } else {
        qsort_r(items, n, sizeof *items, cmp_rows, &cx);
    }
    for (size_t i = 0; i < n; i++)
        perm[i] = items[i].idx;
    free(items);
    if (rc != RIA_OK) {
        free(perm);
        return rc;
    }
    *out = perm;
    return RIA_OK;
}

/* Reorders one column by perm (into a new array that replaces the old). */
static ria_status permute_col(pb_col *c, const uint32_t *perm, size_t n)
{
    if (c->kind == RIA_KIND_I64) {
        int64_t *v = malloc((n ? n : 1) * sizeof *v);
        if (!v)
            return RIA_ENOMEM;
        for (size_t i = 0; i < n; i++)
            v[i] = c->i64[perm[i]];
        free(c->i64);
        c->i64 = v;
    } else if (c->kind == RIA_KIND_CODE) {
        uint32_t *v = malloc((n ? n : 1) * sizeof *v);
        if (!v)
            return RIA_ENOMEM;
        for (size_t i = 0; i < n; i++)
            v[i] = c->codes[perm[i]];
        free(c->codes);
        c->codes = v;
    } else {
        ria_buf heap;
        ria_buf_init(&heap, 0);
        uint64_t *offs = malloc((n + 1) * sizeof *offs);
        if (!offs || ria_buf_reserve(&heap, c->heap.len) != RIA_OK) {
            free(offs);
            ria_buf_free(&heap);
            return RIA_ENOMEM;
        }
        offs[0] = 0;
        for (size_t i = 0; i < n; i++) {
            uint64_t a = c->offs[perm[i]], b = c->offs[perm[i] + 1];
            ria_buf_append(&heap, c->heap.data + a, (size_t)(b - a));
            offs[i + 1] = heap.len;
        }
        free(c->offs);
        ria_buf_free(&c->heap);
        c->offs = offs;
        c->heap = heap;
    }
    return RIA_OK;
}

static void *permuted_copy(const void *src, const uint32_t *perm, size_t n, size_t size)
{
    char *dst = malloc((n ? n : 1) * size);
    if (dst)
        for (size_t i = 0; i < n; i++)
            memcpy(dst + i * size, (const char *)src + (size_t)perm[i] * size, size);
    return dst;
}

/* Whether any value of the column is non-null. */
static bool col_present(const pb_col *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (c->kind == RIA_KIND_I64 ? c->i64[i] != RIA_NULL_I64
            : c->kind == RIA_KIND_CODE ? c->codes[i] != 0
                                       : c->offs[i + 1] != c->offs[i])
            return true;
    }
    return false;
}

void hits_path(const char *dir, const ria_segref *ref, char *out, size_t outsz)
{
    size_t n = strlen(ref->fp_path);
    snprintf(out, outsz, "%s/%.*s.hits", dir, (int)(n > 3 ? n - 3 : n), ref->fp_path);
}

/* Writes the (row, mask) pairs of rows where a flag or fix fired, so
 * finalize can uncount rows it drops.  Not part of any commit. */
static ria_status hits_write(const char *dir, const ria_segref *ref, const uint32_t *hits,
                             const uint32_t *perm, size_t n, ria_error *err)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += hits[perm[i]] != 0;
    if (!k)
        return RIA_OK;
    uint32_t *pairs = malloc(2 * k * sizeof *pairs);
    if (!pairs)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    k = 0;
    for (size_t i = 0; i < n; i++)
        if (hits[perm[i]]) {
            pairs[2 * k] = (uint32_t)i;
            pairs[2 * k + 1] = hits[perm[i]];
            k++;
        }
    char path[4200];
    hits_path(dir, ref, path, sizeof path);
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(pairs, sizeof *pairs, 2 * k, f) == 2 * k;
    if (f && fclose(f) != 0)
        ok = false;
    free(pairs);
    return ok ? RIA_OK : ria_fail(err, RIA_EIO, "%s: cannot write", path);
}

ria_status hits_read(const char *path, uint32_t **out_pairs, size_t *out_n, ria_error *err)
{
    char *data = NULL;
    size_t len = 0;
    *out_pairs = NULL;
    *out_n = 0;
    if (!ria_path_exists(path))
        return RIA_OK;
    ria_status rc = ria_read_file(path, (size_t)1 << 40, &data, &len, err);
    if (rc != RIA_OK)
        return rc;
    *out_pairs = (uint32_t *)(void *)data;
    *out_n = len / (2 * sizeof(uint32_t));
    return RIA_OK;
}

ria_status pb_flush(const char *dir, part_buf *pb, const cluster_spec *cs, new_seg *out,
                    ria_error *err)
{
    size_t n = pb->nrows;
    uint32_t *perm = NULL;
    ria_colvec_in *in = NULL;
    ria_hash128 *fps = NULL;
    char path[4200];
    ria_status rc = cluster_order(pb, cs, &perm);
    if (rc != RIA_OK)
        return ria_fail(err, rc, "out of memory clustering %zu rows", n);
    in = calloc((size_t)pb->ncols + 1, sizeof *in);
    fps = permuted_copy(pb->fp, perm, n, sizeof *fps);
    if (!in || !fps) {
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
        goto done;
    }
    int nin = 0;
    for (int i = 0; i < pb->ncols; i++) {
        pb_col *c = &pb->cols[i];
        if (!col_present(c, n))
            continue;
        if ((rc = permute_col(c, perm, n)) != RIA_OK) {
            rc = ria_fail(err, rc, "out of memory");
            goto done;
        }
        in[nin++] = (ria_colvec_in){(uint32_t)i, c->kind, c->i64, c->codes, c->offs,
                                    c->heap.data ? c->heap.data : ""};
    }
    snprintf(path, sizeof path, "%s/%s", dir, out->ref.path);
    if ((rc = ria_segment_write(path, n, in, nin, &out->ref.bytes, err)) != RIA_OK)
        goto done;
    snprintf(path, sizeof path, "%s/%s", dir, out->ref.fp_path);
    if ((rc = ria_fp_write(path, fps, n, err)) != RIA_OK)
        goto done;
    if (pb->hits && (rc = hits_write(dir, &out->ref, pb->hits, perm, n, err)) != RIA_OK)
        goto done;
    out->ref.rows = n;
    out->ref.min_ts = pb->min_ts;
    out->ref.max_ts = pb->max_ts;
    if (pb->key) {
        out->keys = permuted_copy(pb->key, perm, n, sizeof *pb->key);
        out->seqs = permuted_copy(pb->seq, perm, n, sizeof *pb->seq);
        if (!out->keys || !out->seqs)
            rc = ria_fail(err, RIA_ENOMEM, "out of memory");
    }
done:
    free(perm);
    free(in);
    free(fps);
    return rc;
}
