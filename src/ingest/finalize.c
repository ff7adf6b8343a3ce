/*
 * finalize.c — the passes that need every new row at once, run after all
 * segments of a load are written and before the commit:
 *   - dedupe (append, replace): per partition, new rows whose fingerprint
 *     equals a stored live row's, or an earlier new row's, are deleted;
 *   - upsert: among new rows with the same key the last one read wins, and
 *     stored rows with a key of the load are deleted;
 *   - the old_date flag, which needs the latest order date of the result.
 * Deletions go into deletion vectors, so nothing is rewritten.
 *
 * Memory: dedupe holds a set of 32 bytes per row (stored and new) of the
 * partitions being processed (one per thread); upsert holds 40 bytes per
 * new row.
 */
#include "ingest_internal.h"
#include "finalize.h"

#include <stdlib.h>
#include <string.h>

static int cmp_hash(const ria_hash128 *a, const ria_hash128 *b)
{
    if (a->hi != b->hi)
        return a->hi < b->hi ? -1 : 1;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    return 0;
}

static int cmp_hash_v(const void *a, const void *b)
{
    return cmp_hash(a, b);
}

typedef struct {
    ria_hash128 h;
    uint32_t seg;   /* index into the new segments */
    uint32_t row;
    uint64_t seq;   /* upsert: source position */
} entry;

static int cmp_entry(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    int c = cmp_hash(&x->h, &y->h);
    if (c)
        return c;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    if (x->seg != y->seg)
        return x->seg < y->seg ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* Marks row `row` of new segment `seg` deleted. */
static ria_status del_new(fin_ctx *f, uint32_t seg, uint32_t row)
{
    if (!f->dv[seg]) {
        f->dv[seg] = calloc((f->segs[seg].ref.rows + 7) / 8 + 1, 1);
        if (!f->dv[seg])
            return RIA_ENOMEM;
    }
    if (!ria_dv_get(f->dv[seg], row)) {
        ria_dv_set(f->dv[seg], row);
        f->ndel[seg]++;
    }
    return RIA_OK;
}

/* An open-addressing set of 128-bit fingerprints.  All-zero marks an empty
 * slot, so a fingerprint of all zeros is kept as {1, 0}: telling the two
 * apart is a 2^-128 event, like any other fingerprint collision.  The set
 * doubles when it is three quarters full. */
typedef struct {
    ria_hash128 *slots;
    size_t mask, count;
} fp_set;

/* An empty set of cap slots (a power of two). */
static bool fp_set_alloc(fp_set *s, size_t cap)
{
    s->slots = calloc(cap, sizeof *s->slots);
    s->mask = cap - 1;
    s->count = 0;
    return s->slots != NULL;
}

/* An empty set for about n fingerprints. */
static bool fp_set_init(fp_set *s, size_t n)
{
    size_t cap = 16;
    while (cap < n + n / 2)
        cap *= 2;
    return fp_set_alloc(s, cap);
}

static size_t fp_slot(const fp_set *s, ria_hash128 h)
{
    size_t i = h.lo & s->mask;
    while ((s->slots[i].lo || s->slots[i].hi) && (s->slots[i].lo != h.lo || s->slots[i].hi != h.hi))
        i = (i + 1) & s->mask;
    return i;
}

static bool fp_set_grow(fp_set *s)
{
    fp_set g;
    if (!fp_set_alloc(&g, (s->mask + 1) * 2))
        return false;
    for (size_t i = 0; i <= s->mask; i++)
        if (s->slots[i].lo || s->slots[i].hi)
            g.slots[fp_slot(&g, s->slots[i])] = s->slots[i];
    g.count = s->count;
    free(s->slots);
    *s = g;
    return true;
}

/* Adds h: 1 when it is new, 0 when it was already present, -1 when out
 * of memory. */
static int fp_set_add(fp_set *s, ria_hash128 h)
{
    if (!h.lo && !h.hi)
        h.lo = 1;
    if ((s->count + 1) * 4 > (s->mask + 1) * 3 && !fp_set_grow(s))
        return -1;
    size_t i = fp_slot(s, h);
    if (s->slots[i].lo || s->slots[i].hi)
        return 0;
    s->slots[i] = h;
    s->count++;
    return 1;
}

/* A partition is deduplicated in passes, each over the fingerprints whose
 * high word falls in its class modulo the number of passes: the two copies
 * of a duplicate always meet in the same pass, and the set of one pass
 * holds at most pass_rows() fingerprints, so memory stays within the
 * load's budget whatever the size of a partition. */
static size_t pass_rows(const fin_ctx *f)
{
    int threads = f->threads > 0 ? f->threads : ria_ncpu();
    uint64_t budget = f->memory ? f->memory : 640ULL << 20;
    /* a set takes up to about 50 bytes per fingerprint (16-byte slots,
     * at most two thirds full, rounded up to a power of two); the sets of
     * all threads together take at most half the budget */
    return (size_t)RIA_MAX(budget / (uint64_t)RIA_MAX(threads, 1) / 100, 65536);
}

/* Is h in this pass? */
static bool in_pass(ria_hash128 h, uint32_t pass, uint32_t npass)
{
    return npass == 1 || h.hi % npass == pass;
}

/* Adds the fingerprints of this pass of the stored live rows of a
 * partition to set. */
static ria_status add_stored(fin_ctx *f, int partition, fp_set *set, uint32_t pass,
                             uint32_t npass, ria_error *err)
{
    ria_snapshot *base = ria_txn_base(f->tx);
    ria_status rc = RIA_OK;
    for (int i = 0; i < base->nsegs && !f->replace && rc == RIA_OK; i++) {
        const ria_segref *s = &base->segs[i];
        if (s->partition != partition || !s->fp_path[0])
            continue;
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", ria_txn_dir(f->tx), s->fp_path);
        ria_hash128 *fps = NULL;
        uint64_t k = 0;
        const uint8_t *dv = NULL;
        if ((rc = ria_fp_read(path, &fps, &k, err)) == RIA_OK &&
            (rc = ria_snapshot_dv(base, i, &dv, err)) == RIA_OK)
            for (uint64_t r = 0; r < k && rc == RIA_OK; r++)
                if (!ria_dv_get(dv, r) && in_pass(fps[r], pass, npass) &&
                    fp_set_add(set, fps[r]) < 0)
                    rc = ria_fail(err, RIA_ENOMEM, "out of memory for duplicate detection");
        free(fps);
    }
    return rc;
}

static uint64_t stored_rows(fin_ctx *f, int partition)
{
    ria_snapshot *base = ria_txn_base(f->tx);
    uint64_t n = 0;
    for (int i = 0; i < base->nsegs && !f->replace; i++)
        if (base->segs[i].partition == partition)
            n += base->segs[i].rows;
    return n;
}

/* One pass of the dedupe of a partition's new rows (see pass_rows). */
static ria_status dedupe_pass(fin_ctx *f, int partition, size_t rows, uint32_t pass,
                              uint32_t npass, uint64_t *dups, ria_error *err)
{
    fp_set set;
    if (!fp_set_init(&set, rows / npass + rows / npass / 16 + 1024))
        return ria_fail(err, RIA_ENOMEM, "out of memory for duplicate detection");
    ria_status rc = add_stored(f, partition, &set, pass, npass, err);
    for (int i = 0; i < f->nsegs && rc == RIA_OK; i++) {
        const new_seg *s = &f->segs[i];
        if (s->ref.partition != partition)
            continue;
        char path[4200];
        ria_hash128 *fps = NULL;
        uint64_t k = 0;
        snprintf(path, sizeof path, "%s/%s", ria_txn_dir(f->tx), s->ref.fp_path);
        if ((rc = ria_fp_read(path, &fps, &k, err)) != RIA_OK)
            break;
        for (uint64_t r = 0; r < k && rc == RIA_OK; r++) {
            if (!in_pass(fps[r], pass, npass))
                continue;
            int added = fp_set_add(&set, fps[r]);
            if (added < 0) {
                rc = ria_fail(err, RIA_ENOMEM, "out of memory for duplicate detection");
            } else if (!added) {
                if (del_new(f, (uint32_t)i, (uint32_t)r) != RIA_OK)
                    rc = ria_fail(err, RIA_ENOMEM, "out of memory");
                (*dups)++;
            }
        }
        free(fps);
    }
    free(set.slots);
    return rc;
}

/* Dedupe of one partition's new rows: the first copy of a row is kept
 * unless the partition already stores it. */
static ria_status dedupe_partition(fin_ctx *f, int partition, uint64_t *dups, ria_error *err)
{
    uint64_t total = stored_rows(f, partition);
    for (int i = 0; i < f->nsegs; i++)
        if (f->segs[i].ref.partition == partition)
            total += f->segs[i].ref.rows;
    size_t per = pass_rows(f);
    uint32_t npass = (uint32_t)((total + per - 1) / per);
    npass = RIA_MAX(npass, 1u);
    if (npass > 1)
        ria_log(RIA_LOG_INFO, "dedupe: partition %d (%llu rows) in %u passes", partition,
                (unsigned long long)total, npass);
    ria_status rc = RIA_OK;
    for (uint32_t p = 0; p < npass && rc == RIA_OK; p++)
        rc = dedupe_pass(f, partition, (size_t)total, p, npass, dups, err);
    return rc;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

typedef struct {
    fin_ctx *f;
    int *parts;
    uint64_t *dups;
    ria_status *rc;
    ria_error *errs;
} dedupe_job;

static void dedupe_one(void *arg, int i)
{
    dedupe_job *j = arg;
    j->rc[i] = dedupe_partition(j->f, j->parts[i], &j->dups[i], &j->errs[i]);
}

ria_status fin_dedupe(fin_ctx *f, ria_error *err)
{
    size_t n = (size_t)f->nsegs + 1;
    int *parts = malloc(n * sizeof *parts);
    uint64_t *dups = calloc(n, sizeof *dups);
    ria_status *rcs = calloc(n, sizeof *rcs);
    ria_error *errs = calloc(n, sizeof *errs);
    ria_status rc = RIA_OK;
    if (!parts || !dups || !rcs || !errs) {
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
        goto done;
    }
    int np = 0;
    for (int i = 0; i < f->nsegs; i++)
        parts[np++] = f->segs[i].ref.partition;
    qsort(parts, (size_t)np, sizeof *parts, cmp_int);
    int k = 0;
    for (int i = 0; i < np; i++)
        if (i == 0 || parts[i] != parts[k - 1])
            parts[k++] = parts[i];
    /* partitions are independent: each touches only its own segments */
    dedupe_job job = {f, parts, dups, rcs, errs};
    ria_parallel_for(k, f->threads > 0 ? f->threads : ria_ncpu(), dedupe_one, &job);
    for (int i = 0; i < k; i++) {
        f->duplicates += dups[i];
        if (rcs[i] != RIA_OK && rc == RIA_OK) {
            rc = rcs[i];
            *err = errs[i];
        }
    }
done:
    free(parts);
    free(dups);
    free(rcs);
    free(errs);
    return rc;
}

/* ---------------------------------------------------------------- upsert */

/* Key hash of every live row of a stored segment; deleted rows get a zero
 * hash and are skipped by the caller. */
static ria_status stored_keys(fin_ctx *f, int si, ria_hash128 **out, ria_error *err)
{
    ria_snapshot *base = ria_txn_base(f->tx);
    ria_segment *seg;
    ria_status rc = ria_snapshot_segment(base, si, &seg, err);
    if (rc != RIA_OK)
        return rc;
    uint64_t rows = ria_segment_rows(seg);
    ria_hash128 *keys = calloc(rows ? rows : 1, sizeof *keys);
    int64_t *i64 = malloc(RIA_BLOCK_ROWS * sizeof *i64 * (size_t)f->nkey);
    uint32_t *codes = malloc(RIA_BLOCK_ROWS * sizeof *codes * (size_t)f->nkey);
    ria_heapvec *heaps = calloc((size_t)f->nkey, sizeof *heaps);
    ria_scratch *scratch = calloc((size_t)f->nkey, sizeof *scratch);
    ria_buf hb;
    ria_buf_init(&hb, 0);
    if (!keys || !i64 || !codes || !heaps || !scratch) {
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
        goto done;
    }
    uint64_t row0 = 0;
    for (uint32_t b = 0; b < ria_segment_nblocks(seg); b++) {
        uint32_t nb = ria_segment_block_rows(seg, b);
        for (int k = 0; k < f->nkey && rc == RIA_OK; k++) {
            const ria_column *c = &base->cols[f->key_cols[k]];
            if (c->kind == RIA_KIND_I64)
                rc = ria_segment_read_i64(seg, c->id, b, i64 + (size_t)k * RIA_BLOCK_ROWS, err);
            else if (c->kind == RIA_KIND_CODE)
                rc = ria_segment_read_codes(seg, c->id, b, codes + (size_t)k * RIA_BLOCK_ROWS, err);
            else
                rc = ria_segment_read_heap(seg, c->id, b, &heaps[k], &scratch[k], err);
        }
        if (rc != RIA_OK)
            goto done;
        for (uint32_t r = 0; r < nb; r++) {
            rowhash_reset(&hb);
            for (int k = 0; k < f->nkey; k++) {
                const ria_column *c = &base->cols[f->key_cols[k]];
                if (c->kind == RIA_KIND_I64) {
                    rowhash_i64(&hb, c->id, i64[(size_t)k * RIA_BLOCK_ROWS + r]);
                } else if (c->kind == RIA_KIND_CODE) {
                    uint32_t code = codes[(size_t)k * RIA_BLOCK_ROWS + r];
                    const ria_dict *d = base->dicts[c->id];
                    rowhash_str(&hb, c->id, d && code <= d->count ? d->strs[code] : "",
                                d && code <= d->count ? d->lens[code] : 0);
                } else {
                    const ria_heapvec *h = &heaps[k];
                    rowhash_str(&hb, c->id, h->bytes + h->offs[r], h->offs[r + 1] - h->offs[r]);
                }
            }
            keys[row0 + r] = rowhash_done(&hb);
        }
        row0 += nb;
    }
done:
    for (int k = 0; scratch && k < f->nkey; k++)
        ria_scratch_free(&scratch[k]);
    free(scratch);
    free(heaps);
    free(i64);
    free(codes);
    ria_buf_free(&hb);
    if (rc != RIA_OK) {
        free(keys);
        return rc;
    }
    *out = keys;
    return RIA_OK;
}

/* Deletes the stored rows whose key is in the sorted set `keys`. */
static ria_status delete_stored(fin_ctx *f, const ria_hash128 *keys, size_t nkeys,
                                uint8_t *matched, ria_error *err)
{
    ria_snapshot *base = ria_txn_base(f->tx);
    ria_status rc = RIA_OK;
    for (int i = 0; i < base->nsegs && rc == RIA_OK; i++) {
        const ria_segref *s = &base->segs[i];
        if (s->rows == s->deleted)
            continue;
        ria_hash128 *sk = NULL;
        const uint8_t *dv = NULL;
        if ((rc = stored_keys(f, i, &sk, err)) != RIA_OK ||
            (rc = ria_snapshot_dv(base, i, &dv, err)) != RIA_OK) {
            free(sk);
            break;
        }
        uint8_t *bits = NULL;
        uint64_t ndel = s->deleted;
        for (uint64_t r = 0; r < s->rows; r++) {
            if (ria_dv_get(dv, r))
                continue;
            const ria_hash128 *hit = bsearch(&sk[r], keys, nkeys, sizeof *keys, cmp_hash_v);
            if (!hit)
                continue;
            if (!bits) {
                bits = calloc((s->rows + 7) / 8 + 1, 1);
                if (!bits) {
                    rc = ria_fail(err, RIA_ENOMEM, "out of memory");
                    break;
                }
                if (dv)
                    memcpy(bits, dv, (s->rows + 7) / 8);
            }
            ria_dv_set(bits, r);
            ndel++;
            f->replaced++;
            matched[hit - keys] = 1;
        }
        if (rc == RIA_OK && bits)
            rc = ria_txn_set_dv(f->tx, s->id, bits, ndel, err);
        free(bits);
        free(sk);
    }
    return rc;
}

ria_status fin_upsert(fin_ctx *f, ria_error *err)
{
    size_t total = 0, n = 0;
    for (int i = 0; i < f->nsegs; i++)
        total += f->segs[i].ref.rows;
    entry *e = malloc((total ? total : 1) * sizeof *e);
    ria_hash128 *keys = malloc((total ? total : 1) * sizeof *keys);
    uint8_t *matched = calloc(total ? total : 1, 1);
    ria_status rc = RIA_OK;
    if (!e || !keys || !matched) {
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < f->nsegs; i++)
        for (uint64_t r = 0; r < f->segs[i].ref.rows; r++)
            e[n++] = (entry){f->segs[i].keys[r], (uint32_t)i, (uint32_t)r, f->segs[i].seqs[r]};
    qsort(e, n, sizeof *e, cmp_entry);
    /* within the load, the last row read for a key wins */
    size_t nkeys = 0;
    for (size_t i = 0; i < n; i++) {
        bool last = i + 1 == n || cmp_hash(&e[i].h, &e[i + 1].h) != 0;
        if (!last) {
            if (del_new(f, e[i].seg, e[i].row) != RIA_OK) {
                rc = ria_fail(err, RIA_ENOMEM, "out of memory");
                goto done;
            }
            f->superseded++;
        } else {
            keys[nkeys++] = e[i].h;
        }
    }
    if ((rc = delete_stored(f, keys, nkeys, matched, err)) != RIA_OK)
        goto done;
    for (size_t i = 0; i < nkeys; i++)
        matched[i] ? f->updated++ : f->inserted++;
done:
    free(e);
    free(keys);
    free(matched);
    return rc;
}

/* ------------------------------------------------------------ old dates */

ria_status fin_old_dates(fin_ctx *f, int64_t latest_ts, uint32_t date_col, uint64_t *out,
                         int64_t *out_threshold, ria_error *err)
{
    int y, m, d;
    ria_civil_from_days(ria_floor_div(latest_ts, RIA_SECS_PER_DAY), &y, &m, &d);
    if (m == 2 && d == 29)
        d = 28;
    int64_t threshold = ria_days_from_civil(y - 10, m, d) * RIA_SECS_PER_DAY;
    *out_threshold = threshold;
    *out = 0;
    int64_t *ts = malloc(RIA_BLOCK_ROWS * sizeof *ts);
    if (!ts)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    ria_status rc = RIA_OK;
    for (int i = 0; i < f->nsegs && rc == RIA_OK; i++) {
        const new_seg *s = &f->segs[i];
        if (s->ref.min_ts >= threshold || f->ndel[i] == s->ref.rows)
            continue;
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", ria_txn_dir(f->tx), s->ref.path);
        ria_segment *seg = NULL;
        if ((rc = ria_segment_open(path, &seg, err)) != RIA_OK)
            break;
        uint64_t row0 = 0;
        for (uint32_t b = 0; b < ria_segment_nblocks(seg) && rc == RIA_OK; b++) {
            uint32_t nb = ria_segment_block_rows(seg, b);
            rc = ria_segment_read_i64(seg, date_col, b, ts, err);
            for (uint32_t r = 0; rc == RIA_OK && r < nb; r++)
                if (ts[r] < threshold && !ria_dv_get(f->dv[i], row0 + r))
                    (*out)++;
            row0 += nb;
        }
        ria_segment_close(seg);
    }
    free(ts);
    return rc;
}
