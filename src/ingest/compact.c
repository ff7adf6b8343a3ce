/*
 * compact.c — merges the small segments of each partition (and drops rows
 * marked deleted) into fewer, freshly clustered segments, as one commit.
 * Old segments stay on disk for time travel until vacuum.  Groups are
 * rebuilt in parallel; each holds at most max_rows rows in memory.
 */
#include "ingest_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int first, count;    /* range in the sorted segment index list */
    uint64_t rows;       /* live rows */
    new_seg out;
    ria_status rc;
    ria_error err;
} group;

typedef struct {
    ria_txn *tx;
    ria_snapshot *base;
    int *order;          /* base segment indexes sorted by partition */
    group *groups;
    cluster_spec cs;
} compact_ctx;

/* Appends the live rows of base segment si to pb. */
static ria_status read_segment(compact_ctx *cx, int si, part_buf *pb, ria_error *err)
{
    ria_snapshot *b = cx->base;
    const ria_segref *ref = &b->segs[si];
    ria_segment *seg;
    const uint8_t *dv;
    ria_hash128 *fps = NULL;
    uint64_t nfp = 0;
    char path[4200];
    ria_status rc = ria_snapshot_segment(b, si, &seg, err);
    if (rc == RIA_OK)
        rc = ria_snapshot_dv(b, si, &dv, err);
    if (rc == RIA_OK) {
        snprintf(path, sizeof path, "%s/%s", ria_txn_dir(cx->tx), ref->fp_path);
        rc = ria_fp_read(path, &fps, &nfp, err);
    }
    if (rc == RIA_OK && nfp != ref->rows)
        rc = ria_fail(err, RIA_ECORRUPT, "%s: fingerprints do not match its rows", ref->fp_path);
    if (rc == RIA_OK && pb_reserve(pb, cx->tx, ref->rows - ref->deleted, false) != RIA_OK)
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
    int64_t *i64 = malloc(RIA_BLOCK_ROWS * sizeof *i64);
    uint32_t *codes = malloc(RIA_BLOCK_ROWS * sizeof *codes);
    ria_scratch scratch = {0};
    if (rc == RIA_OK && (!i64 || !codes))
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
    uint64_t row0 = 0;
    size_t start = pb->nrows;
    for (uint32_t blk = 0; rc == RIA_OK && blk < ria_segment_nblocks(seg); blk++) {
        uint32_t nb = ria_segment_block_rows(seg, blk);
        for (int c = 0; rc == RIA_OK && c < b->ncols; c++) {
            pb_col *dst = &pb->cols[c];
            size_t k = start;
            ria_heapvec hv;
            if (dst->kind == RIA_KIND_I64)
                rc = ria_segment_read_i64(seg, (uint32_t)c, blk, i64, err);
            else if (dst->kind == RIA_KIND_CODE)
                rc = ria_segment_read_codes(seg, (uint32_t)c, blk, codes, err);
            else
                rc = ria_segment_read_heap(seg, (uint32_t)c, blk, &hv, &scratch, err);
            for (uint32_t r = 0; rc == RIA_OK && r < nb; r++) {
                if (ria_dv_get(dv, row0 + r))
                    continue;
                if (dst->kind == RIA_KIND_I64) {
                    dst->i64[k] = i64[r];
                } else if (dst->kind == RIA_KIND_CODE) {
                    dst->codes[k] = codes[r];
                } else {
                    ria_buf_append(&dst->heap, hv.bytes + hv.offs[r], hv.offs[r + 1] - hv.offs[r]);
                    dst->offs[k + 1] = dst->heap.len;
                }
                k++;
            }
        }
        for (uint32_t r = 0; rc == RIA_OK && r < nb; r++)
            if (!ria_dv_get(dv, row0 + r))
                pb->fp[start++] = fps[row0 + r];
        row0 += nb;
    }
    if (rc == RIA_OK) {
        pb->nrows = start;
        pb->min_ts = RIA_MIN(pb->min_ts, ref->min_ts);
        pb->max_ts = RIA_MAX(pb->max_ts, ref->max_ts);
    }
    ria_scratch_free(&scratch);
    free(i64);
    free(codes);
    free(fps);
    return rc;
}

static void build_group(void *arg, int gi)
{
    compact_ctx *cx = arg;
    group *g = &cx->groups[gi];
    part_buf *pb = pb_new(g->out.ref.partition);
    if (!pb) {
        g->rc = ria_fail(&g->err, RIA_ENOMEM, "out of memory");
        return;
    }
    g->rc = RIA_OK;
    for (int k = 0; k < g->count && g->rc == RIA_OK; k++)
        g->rc = read_segment(cx, cx->order[g->first + k], pb, &g->err);
    if (g->rc == RIA_OK)
        g->rc = pb_flush(ria_txn_dir(cx->tx), pb, &cx->cs, &g->out, &g->err);
    pb_free(pb);
}

static int cmp_part(const void *a, const void *b, void *arg)
{
    const ria_snapshot *s = arg;
    const ria_segref *x = &s->segs[*(const int *)a], *y = &s->segs[*(const int *)b];
    if (x->partition != y->partition)
        return x->partition < y->partition ? -1 : 1;
    return (x->rows > y->rows) - (x->rows < y->rows);
}

/* Groups the small segments of each partition; returns the group count. */
static int plan_groups(compact_ctx *cx, uint64_t max_rows)
{
    ria_snapshot *b = cx->base;
    int ng = 0;
    for (int i = 0; i < b->nsegs;) {
        int j = i;
        while (j < b->nsegs && b->segs[cx->order[j]].partition == b->segs[cx->order[i]].partition)
            j++;
        /* within a partition, smallest first: pack while under max_rows */
        for (int k = i; k < j;) {
            group g;
            memset(&g, 0, sizeof g);
            g.first = k;
            bool dirty = false;
            while (k < j) {
                const ria_segref *s = &b->segs[cx->order[k]];
                uint64_t live = s->rows - s->deleted;
                if (g.count && g.rows + live > max_rows)
                    break;
                g.rows += live;
                g.count++;
                dirty |= s->deleted > 0;
                k++;
            }
            if (g.count > 1 || dirty)
                cx->groups[ng++] = g;
        }
        i = j;
    }
    return ng;
}

static cluster_spec cluster_of(const ria_snapshot *b)
{
    static const ria_role roles[4] = {RIA_ROLE_CATEGORY, RIA_ROLE_REGION, RIA_ROLE_STATE,
                                      RIA_ROLE_ORDER_DATE};
    cluster_spec cs;
    for (int k = 0; k < 4; k++) {
        const ria_column *c = ria_snapshot_role(b, roles[k]);
        cs.col[k] = c ? c->id : NO_COL;
        if (k < 3)
            cs.dict_size[k] = c && b->dicts[c->id] ? b->dicts[c->id]->count : 0;
    }
    return cs;
}

ria_status ria_compact(const char *dir, const ria_compact_opts *opts, ria_compact_result *out,
                       ria_error *err)
{
    memset(out, 0, sizeof *out);
    compact_ctx cx = {0};
    uint64_t max_rows = opts->max_rows ? opts->max_rows : 2000000;
    ria_status rc = ria_txn_begin(dir, false, &cx.tx, err);
    if (rc != RIA_OK)
        return rc;
    cx.base = ria_txn_base(cx.tx);
    int n = cx.base->nsegs;
    cx.order = malloc(((size_t)n + 1) * sizeof *cx.order);
    cx.groups = calloc((size_t)n + 1, sizeof *cx.groups);
    if (!cx.order || !cx.groups) {
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < n; i++)
        cx.order[i] = i;
    qsort_r(cx.order, (size_t)n, sizeof *cx.order, cmp_part, cx.base);
    cx.cs = cluster_of(cx.base);
    int ng = plan_groups(&cx, max_rows);
    if (ng == 0)
        goto done;
    for (int g = 0; g < ng && rc == RIA_OK; g++)
        rc = ria_txn_new_segment(cx.tx, cx.base->segs[cx.order[cx.groups[g].first]].partition,
                                 &cx.groups[g].out.ref, err);
    if (rc != RIA_OK)
        goto done;
    ria_parallel_for(ng, opts->threads > 0 ? opts->threads : ria_ncpu(), build_group, &cx);
    int last_part = -1;
    for (int g = 0; g < ng && rc == RIA_OK; g++) {
        group *gr = &cx.groups[g];
        if (gr->rc != RIA_OK) {
            *err = gr->err;
            rc = gr->rc;
            break;
        }
        for (int k = 0; k < gr->count && rc == RIA_OK; k++)
            rc = ria_txn_remove_segment(cx.tx, cx.base->segs[cx.order[gr->first + k]].id, err);
        if (rc == RIA_OK)
            rc = ria_txn_add_segment(cx.tx, &gr->out.ref, err);
        out->segments_in += gr->count;
        out->segments_out++;
        out->rows += gr->out.ref.rows;
        if (gr->out.ref.partition != last_part)
            out->partitions++;
        last_part = gr->out.ref.partition;
    }
    if (rc == RIA_OK) {
        char summary[160];
        snprintf(summary, sizeof summary, "compacted %d segments into %d in %d partitions",
                 out->segments_in, out->segments_out, out->partitions);
        json_t *report = json_pack("{s:s, s:i, s:i, s:i, s:I}", "summary", summary, "partitions",
                                   out->partitions, "segments_in", out->segments_in,
                                   "segments_out", out->segments_out, "rows",
                                   (json_int_t)out->rows);
        rc = ria_txn_commit(cx.tx, "compact", report, NULL, &out->version, err);
        json_decref(report);
    }
done:
    free(cx.order);
    free(cx.groups);
    ria_txn_free(cx.tx);
    return rc;
}
