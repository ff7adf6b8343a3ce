/*
 * rollup.c — the rollup of one partition: its live rows grouped by (time
 * bucket, dimension codes) into a row count and, per measure, sum, non-null
 * count, min and max, written as a segment (layout in views.h).
 *
 * A group's key is the mixed-radix number of its dimension codes and bucket
 * slot (dimensions major, bucket minor), so sorting groups by key gives the
 * clustered output order.  A dense array maps keys to groups when the key
 * space is small, an open-addressing table otherwise.  One pass over the
 * partition's blocks feeds every view that cannot be derived from another;
 * each of the others folds the smallest finer view with a superset of its
 * dimensions, already built in memory (sums, counts, minima and maxima
 * re-aggregate exactly).
 *
 * Ownership: tables and block buffers belong to one rollup_partition call,
 * which runs on one thread; the segments and bitmaps read belong to the
 * caller.
 */
#include "views.h"

#include <stdlib.h>
#include <string.h>

/* Largest key space mapped with a dense array: 1 MB of group ids, small
 * enough to stay in cache (a larger, sparser array costs a cache miss per
 * row where a hash table of the groups would not). */
#define DENSE_MAX (1u << 18)

/* A hash slot: a key and its group + 1 (0 = empty), on one cache line. */
typedef struct {
    uint64_t key;
    uint64_t gid;
} hslot;

typedef struct {
    const vdef *v;
    const vschema *sc;
    uint32_t nb;           /* bucket slots; the last one holds NULL times */
    int stride;            /* values per group: rows, then sum/cnt/min/max per measure */
    uint64_t space;        /* key space size */
    uint32_t *dense;       /* key -> group + 1 (small key spaces) */
    hslot *hash;           /* otherwise an open-addressing table */
    uint64_t hmask;
    uint64_t *gkey;        /* per group: its key */
    int64_t *st;           /* per group: stride values */
    uint32_t n, cap;
    bool overflow;         /* some sum left int64 */
    int source;            /* -1: fed from rows; else the index of the view folded */
} rtab;

/* ------------------------------------------------------------- buckets */

static uint32_t slots_of(vgrain g)
{
    return g == VG_HOUR ? 24 * 31 + 1 : g == VG_DAY ? 32 : 2;
}

/* Bucket slots of n order times in the partition starting at pstart;
 * false when a time lies outside the partition. */
static bool bucket_slots(vgrain g, int64_t pstart, const int64_t *ts, uint32_t n, uint32_t nb,
                         uint32_t *out)
{
    int64_t unit = g == VG_HOUR ? 3600 : RIA_SECS_PER_DAY, span = 31 * (int64_t)RIA_SECS_PER_DAY;
    for (uint32_t r = 0; r < n; r++) {
        if (ts[r] == RIA_NULL_I64) {
            out[r] = nb - 1;
            continue;
        }
        int64_t off = ts[r] - pstart;
        if (off < 0 || off >= span)
            return false;
        out[r] = g >= VG_MONTH ? 0 : (uint32_t)(off / unit);
    }
    return true;
}

/* The slot of a finer bucket in a coarser grain. */
static uint32_t map_slot(const rtab *from, const rtab *to, uint32_t s)
{
    if (s == from->nb - 1)
        return to->nb - 1;
    if (to->v->grain >= VG_MONTH)
        return 0;
    if (to->v->grain == from->v->grain)
        return s;
    return s / 24; /* hour of the month to day of the month */
}

/* The bucket's start time. */
static int64_t bucket_value(vgrain g, int partition, uint32_t s)
{
    int64_t ps = ria_partition_start(partition);
    switch (g) {
    case VG_HOUR: return ps + (int64_t)s * 3600;
    case VG_DAY: return ps + (int64_t)s * RIA_SECS_PER_DAY;
    case VG_MONTH: return ps;
    default: return ria_days_from_civil(partition / 12, 1, 1) * RIA_SECS_PER_DAY;
    }
}

/* -------------------------------------------------------------- tables */

/* Sets up an empty table; `hint` is the expected number of groups. */
static ria_status rtab_init(rtab *t, const vdef *v, const vschema *sc, uint64_t hint,
                            ria_error *err)
{
    memset(t, 0, sizeof *t);
    t->v = v;
    t->sc = sc;
    t->source = -1;
    t->nb = slots_of(v->grain);
    t->stride = 1 + 4 * sc->nm;
    t->space = t->nb;
    for (int d = 0; d < v->ndims; d++)
        if (__builtin_mul_overflow(t->space, (uint64_t)v->radix[d], &t->space))
            return ria_fail(err, RIA_ELIMIT, "view %s: too many dimension values to build",
                            v->name);
    hint = RIA_MIN(RIA_MIN(hint, t->space), (uint64_t)1 << 20);
    t->cap = (uint32_t)RIA_MAX(hint, 64);
    t->gkey = malloc((size_t)t->cap * sizeof *t->gkey);
    t->st = malloc((size_t)t->cap * (size_t)t->stride * sizeof *t->st);
    if (!t->gkey || !t->st)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    if (t->space <= DENSE_MAX) {
        t->dense = calloc(t->space, sizeof *t->dense);
        return t->dense ? RIA_OK : ria_fail(err, RIA_ENOMEM, "out of memory");
    }
    uint64_t slots = 1024;
    while (slots < 2 * (uint64_t)t->cap)
        slots *= 2;
    t->hmask = slots - 1;
    t->hash = calloc(slots, sizeof *t->hash);
    return t->hash ? RIA_OK : ria_fail(err, RIA_ENOMEM, "out of memory");
}

static void rtab_free(rtab *t)
{
    free(t->dense);
    free(t->hash);
    free(t->gkey);
    free(t->st);
}

/* A new group for key; UINT32_MAX when memory runs out. */
static uint32_t rtab_new(rtab *t, uint64_t key)
{
    if (t->n == t->cap) {
        if (t->cap >= UINT32_MAX / 4)
            return UINT32_MAX;
        uint32_t cap = t->cap * 2;
        uint64_t *k = realloc(t->gkey, (size_t)cap * sizeof *k);
        if (!k)
            return UINT32_MAX;
        t->gkey = k;
        int64_t *s = realloc(t->st, (size_t)cap * (size_t)t->stride * sizeof *s);
        if (!s)
            return UINT32_MAX;
        t->st = s;
        t->cap = cap;
    }
    uint32_t g = t->n++;
    t->gkey[g] = key;
    int64_t *s = t->st + (size_t)g * (size_t)t->stride;
    s[0] = 0;
    for (int m = 0; m < t->sc->nm; m++) {
        int64_t *q = s + 1 + 4 * m;
        q[0] = 0;
        q[1] = 0;
        q[2] = INT64_MAX;
        q[3] = INT64_MIN;
    }
    return g;
}

static bool rtab_rehash(rtab *t)
{
    uint64_t n = (t->hmask + 1) * 2;
    hslot *h = calloc(n, sizeof *h);
    if (!h)
        return false;
    for (uint32_t g = 0; g < t->n; g++) {
        uint64_t i = ria_mix64(t->gkey[g]) & (n - 1);
        while (h[i].gid)
            i = (i + 1) & (n - 1);
        h[i] = (hslot){t->gkey[g], (uint64_t)g + 1};
    }
    free(t->hash);
    t->hash = h;
    t->hmask = n - 1;
    return true;
}

/* The group of key, created when new; UINT32_MAX when memory runs out. */
static inline uint32_t rtab_group(rtab *t, uint64_t key)
{
    if (t->dense) {
        uint32_t g = t->dense[key];
        if (g)
            return g - 1;
        g = rtab_new(t, key);
        if (g != UINT32_MAX)
            t->dense[key] = g + 1;
        return g;
    }
    for (uint64_t i = ria_mix64(key) & t->hmask;; i = (i + 1) & t->hmask) {
        hslot *h = &t->hash[i];
        if (h->gid && h->key == key)
            return (uint32_t)(h->gid - 1);
        if (h->gid)
            continue;
        if ((uint64_t)(t->n + 1) * 2 > t->hmask + 1) {
            if (!rtab_rehash(t))
                return UINT32_MAX;
            return rtab_group(t, key);
        }
        uint32_t g = rtab_new(t, key);
        if (g != UINT32_MAX)
            *h = (hslot){key, (uint64_t)g + 1};
        return g;
    }
}

/* ---------------------------------------------------------- one block */

typedef struct {
    uint32_t n;                    /* rows in the block */
    uint32_t *sel;                 /* live rows */
    uint32_t nsel;
    uint32_t *gids;                /* group of each live row (rtab_add) */
    int64_t *ts;
    uint32_t *slots[VG_COUNT];     /* bucket slot per row, for each grain fed from rows */
    uint32_t **codes;              /* per column id: codes, when some view groups by it */
    int64_t **nums;                /* per column id: numbers, when some measure reads it */
    const int64_t *mv[VIEW_MAX_MEASURES]; /* per measure: its values */
    int64_t *derived[VIEW_MAX_MEASURES];  /* storage of a - b measures */
    uint32_t *radix;               /* per column id: codes must stay below it */
    int ncols;
    bool overflow;                 /* a derived measure left int64 */
} blockbuf;

static void bb_free(blockbuf *bb)
{
    free(bb->sel);
    free(bb->gids);
    free(bb->ts);
    for (int g = 0; g < VG_COUNT; g++)
        free(bb->slots[g]);
    for (int c = 0; c < bb->ncols; c++) {
        if (bb->codes)
            free(bb->codes[c]);
        if (bb->nums)
            free(bb->nums[c]);
    }
    for (int m = 0; m < VIEW_MAX_MEASURES; m++)
        free(bb->derived[m]);
    free(bb->codes);
    free(bb->nums);
    free(bb->radix);
}

/* Allocates the buffers the row-fed tables need. */
static bool bb_init(blockbuf *bb, const vschema *sc, const rtab *tabs, int nt)
{
    memset(bb, 0, sizeof *bb);
    int ncols = sc->tcol + 1;
    for (int m = 0; m < sc->nm; m++)
        ncols = RIA_MAX(ncols, RIA_MAX(sc->m[m].a, sc->m[m].b) + 1);
    for (int i = 0; i < nt; i++)
        for (int d = 0; d < tabs[i].v->ndims; d++)
            ncols = RIA_MAX(ncols, (int)tabs[i].v->dims[d] + 1);
    bb->ncols = ncols;
    bb->codes = calloc((size_t)ncols, sizeof *bb->codes);
    bb->nums = calloc((size_t)ncols, sizeof *bb->nums);
    bb->radix = calloc((size_t)ncols, sizeof *bb->radix);
    bb->sel = malloc(RIA_BLOCK_ROWS * sizeof *bb->sel);
    bb->gids = malloc(RIA_BLOCK_ROWS * sizeof *bb->gids);
    bb->ts = malloc(RIA_BLOCK_ROWS * sizeof *bb->ts);
    if (!bb->codes || !bb->nums || !bb->radix || !bb->sel || !bb->gids || !bb->ts)
        return false;
    for (int i = 0; i < nt; i++) {
        const rtab *t = &tabs[i];
        if (t->source >= 0)
            continue;
        if (!bb->slots[t->v->grain] &&
            !(bb->slots[t->v->grain] = malloc(RIA_BLOCK_ROWS * sizeof(uint32_t))))
            return false;
        for (int d = 0; d < t->v->ndims; d++) {
            uint32_t c = t->v->dims[d];
            bb->radix[c] = t->v->radix[d];
            if (!bb->codes[c] && !(bb->codes[c] = malloc(RIA_BLOCK_ROWS * sizeof(uint32_t))))
                return false;
        }
    }
    for (int m = 0; m < sc->nm; m++) {
        int cs[2] = {sc->m[m].a, sc->m[m].b};
        for (int k = 0; k < 2; k++)
            if (cs[k] >= 0 && !bb->nums[cs[k]] &&
                !(bb->nums[cs[k]] = malloc(RIA_BLOCK_ROWS * sizeof(int64_t))))
                return false;
        if (sc->m[m].b >= 0 && !(bb->derived[m] = malloc(RIA_BLOCK_ROWS * sizeof(int64_t))))
            return false;
    }
    return true;
}

static void derive(blockbuf *bb, const vschema *sc)
{
    for (int m = 0; m < sc->nm; m++) {
        const vmeasure *ms = &sc->m[m];
        if (ms->b < 0) {
            bb->mv[m] = bb->nums[ms->a];
            continue;
        }
        const int64_t *x = bb->nums[ms->a], *y = bb->nums[ms->b];
        int64_t *z = bb->derived[m];
        for (uint32_t r = 0; r < bb->n; r++) {
            if (x[r] == RIA_NULL_I64 || y[r] == RIA_NULL_I64) {
                z[r] = RIA_NULL_I64;
                continue;
            }
            bb->overflow |= __builtin_sub_overflow(x[r], y[r], &z[r]);
            bb->overflow |= z[r] == RIA_NULL_I64;
        }
        bb->mv[m] = z;
    }
}

/* Decodes block b of a source (rows starting at row0) into bb. */
static ria_status read_block(blockbuf *bb, const vschema *sc, const vsrc *s, uint32_t b,
                             uint64_t row0, int partition, ria_error *err)
{
    bb->n = ria_segment_block_rows(s->seg, b);
    bb->nsel = 0;
    for (uint32_t r = 0; r < bb->n; r++)
        if (!ria_dv_get(s->dv, row0 + r))
            bb->sel[bb->nsel++] = r;
    if (bb->nsel == 0)
        return RIA_OK;
    ria_status rc = ria_segment_read_i64(s->seg, (uint32_t)sc->tcol, b, bb->ts, err);
    int64_t pstart = ria_partition_start(partition);
    for (int g = 0; rc == RIA_OK && g < VG_COUNT; g++)
        if (bb->slots[g] && !bucket_slots((vgrain)g, pstart, bb->ts, bb->n, slots_of((vgrain)g),
                                          bb->slots[g]))
            rc = ria_fail(err, RIA_ECORRUPT, "an order time lies outside its partition");
    for (int c = 0; rc == RIA_OK && c < bb->ncols; c++) {
        ria_zone z;
        if (bb->codes[c]) {
            if (ria_segment_zone(s->seg, (uint32_t)c, b, &z) && z.nulls < z.rows &&
                (z.min < 0 || z.max >= (int64_t)bb->radix[c]))
                return ria_fail(err, RIA_ECORRUPT, "codes beyond the dictionary of column %d", c);
            rc = ria_segment_read_codes(s->seg, (uint32_t)c, b, bb->codes[c], err);
        }
        if (rc == RIA_OK && bb->nums[c])
            rc = ria_segment_read_i64(s->seg, (uint32_t)c, b, bb->nums[c], err);
    }
    if (rc == RIA_OK)
        derive(bb, sc);
    return rc;
}

/* Folds the live rows of a block into a row-fed table: first the group of
 * every row, then the updates, prefetching group states a few rows ahead
 * (rollups of large dimensions do not fit in cache). */
static bool rtab_add(rtab *t, const blockbuf *bb)
{
    const vdef *v = t->v;
    const uint32_t *codes[VIEW_MAX_DIMS];
    for (int d = 0; d < v->ndims; d++)
        codes[d] = bb->codes[v->dims[d]];
    const uint32_t *slots = bb->slots[v->grain];
    uint32_t *gids = bb->gids;
    int nd = v->ndims, nm = t->sc->nm;
    for (uint32_t i = 0; i < bb->nsel; i++) {
        uint32_t r = bb->sel[i];
        uint64_t key = 0;
        for (int d = 0; d < nd; d++)
            key = key * v->radix[d] + codes[d][r];
        if ((gids[i] = rtab_group(t, key * t->nb + slots[r])) == UINT32_MAX)
            return false;
    }
    size_t stride = (size_t)t->stride, lines = (stride * 8 + 63) / 64;
    bool over = false;
    for (uint32_t i = 0; i < bb->nsel; i++) {
        if (i + 8 < bb->nsel) {
            const char *p = (const char *)(t->st + (size_t)gids[i + 8] * stride);
            for (size_t l = 0; l < lines; l++)
                __builtin_prefetch(p + 64 * l, 1);
        }
        uint32_t r = bb->sel[i];
        int64_t *s = t->st + (size_t)gids[i] * stride;
        s[0]++;
        for (int m = 0; m < nm; m++) {
            int64_t x = bb->mv[m][r];
            if (x == RIA_NULL_I64)
                continue;
            int64_t *q = s + 1 + 4 * m;
            over |= __builtin_add_overflow(q[0], x, &q[0]);
            q[1]++;
            q[2] = x < q[2] ? x : q[2];
            q[3] = x > q[3] ? x : q[3];
        }
    }
    t->overflow |= over || bb->overflow;
    return true;
}

/* Whether dst can be computed from src: coarser or equal grain, and a
 * subset of its dimensions. */
static bool can_fold(const vdef *dst, const vdef *src)
{
    if (src->grain > dst->grain)
        return false;
    for (int d = 0; d < dst->ndims; d++) {
        bool found = false;
        for (int k = 0; k < src->ndims && !found; k++)
            found = src->dims[k] == dst->dims[d];
        if (!found)
            return false;
    }
    return true;
}

/* Re-aggregates the groups of src into dst. */
static bool rtab_fold(rtab *dst, const rtab *src)
{
    const vdef *dv = dst->v, *sv = src->v;
    int pos[VIEW_MAX_DIMS];
    for (int d = 0; d < dv->ndims; d++)
        for (int k = 0; k < sv->ndims; k++)
            if (sv->dims[k] == dv->dims[d])
                pos[d] = k;
    uint64_t codes[VIEW_MAX_DIMS];
    int nm = dst->sc->nm;
    for (uint32_t g = 0; g < src->n; g++) {
        uint64_t k = src->gkey[g];
        uint32_t slot = (uint32_t)(k % src->nb);
        k /= src->nb;
        for (int d = sv->ndims - 1; d >= 0; d--) {
            codes[d] = k % sv->radix[d];
            k /= sv->radix[d];
        }
        uint64_t key = 0;
        for (int d = 0; d < dv->ndims; d++)
            key = key * dv->radix[d] + codes[pos[d]];
        key = key * dst->nb + map_slot(src, dst, slot);
        uint32_t h = rtab_group(dst, key);
        if (h == UINT32_MAX)
            return false;
        const int64_t *s = src->st + (size_t)g * (size_t)src->stride;
        int64_t *t = dst->st + (size_t)h * (size_t)dst->stride;
        t[0] += s[0];
        for (int m = 0; m < nm; m++) {
            const int64_t *p = s + 1 + 4 * m;
            int64_t *q = t + 1 + 4 * m;
            dst->overflow |= __builtin_add_overflow(q[0], p[0], &q[0]);
            q[1] += p[1];
            q[2] = p[2] < q[2] ? p[2] : q[2];
            q[3] = p[3] > q[3] ? p[3] : q[3];
        }
    }
    dst->overflow |= src->overflow;
    return true;
}

/* ------------------------------------------------------------- output */

/* Sorts the groups by key (LSD radix sort, 11 bits a pass); order[i] is
 * the i-th group. */
static bool sort_groups(const rtab *t, uint32_t *order)
{
    size_t n = t->n;
    uint64_t (*a)[2] = malloc((n + 1) * sizeof *a), (*b)[2] = malloc((n + 1) * sizeof *b);
    uint32_t *count = malloc(2048 * sizeof *count);
    if (!a || !b || !count) {
        free(a);
        free(b);
        free(count);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        a[i][0] = t->gkey[i];
        a[i][1] = i;
    }
    for (int shift = 0; shift < 64 && (t->space - 1) >> shift; shift += 11) {
        memset(count, 0, 2048 * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(a[i][0] >> shift) & 2047]++;
        uint32_t sum = 0;
        for (int d = 0; d < 2048; d++) {
            uint32_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            uint32_t d = (uint32_t)(a[i][0] >> shift) & 2047;
            b[count[d]][0] = a[i][0];
            b[count[d]++][1] = a[i][1];
        }
        uint64_t(*tmp)[2] = a;
        a = b;
        b = tmp;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)a[i][1];
    free(a);
    free(b);
    free(count);
    return true;
}

/* Writes the table's groups, sorted by key, as the segment at path. */
static ria_status rtab_write(const rtab *t, const char *path, int partition, vout *o,
                             ria_error *err)
{
    const vdef *v = t->v;
    int nd = v->ndims, nm = t->sc->nm, nnum = 2 + 4 * nm, ncols = nnum + nd;
    size_t n = t->n;
    uint32_t *order = malloc((n + 1) * sizeof *order);
    int64_t *nums = malloc((n + 1) * (size_t)nnum * sizeof *nums);
    uint32_t *codes = malloc((n + 1) * (size_t)(nd + 1) * sizeof *codes);
    ria_colvec_in *cols = calloc((size_t)ncols, sizeof *cols);
    ria_status rc = RIA_OK;
    if (!order || !nums || !codes || !cols) {
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
        goto done;
    }
    if (!sort_groups(t, order)) {
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
        goto done;
    }
    o->min_ts = INT64_MAX;
    o->max_ts = INT64_MIN;
    size_t lines = ((size_t)t->stride * 8 + 63) / 64;
    for (size_t i = 0; i < n; i++) {
        if (i + 8 < n) {
            const char *p = (const char *)(t->st + (size_t)order[i + 8] * (size_t)t->stride);
            for (size_t l = 0; l < lines; l++)
                __builtin_prefetch(p + 64 * l);
        }
        uint32_t g = order[i];
        uint64_t k = t->gkey[g];
        uint32_t slot = (uint32_t)(k % t->nb);
        k /= t->nb;
        for (int d = nd - 1; d >= 0; d--) {
            codes[(size_t)d * n + i] = (uint32_t)(k % v->radix[d]);
            k /= v->radix[d];
        }
        int64_t b = slot == t->nb - 1 ? RIA_NULL_I64 : bucket_value(v->grain, partition, slot);
        if (b != RIA_NULL_I64) {
            o->min_ts = RIA_MIN(o->min_ts, b);
            o->max_ts = RIA_MAX(o->max_ts, b);
        }
        const int64_t *s = t->st + (size_t)g * (size_t)t->stride;
        nums[i] = b;
        nums[n + i] = s[0];
        for (int m = 0; m < nm; m++) {
            const int64_t *q = s + 1 + 4 * m;
            bool none = q[1] == 0;
            nums[(size_t)(2 + 4 * m) * n + i] = none ? RIA_NULL_I64 : q[0];
            nums[(size_t)(3 + 4 * m) * n + i] = q[1];
            nums[(size_t)(4 + 4 * m) * n + i] = none ? RIA_NULL_I64 : q[2];
            nums[(size_t)(5 + 4 * m) * n + i] = none ? RIA_NULL_I64 : q[3];
        }
    }
    /* column ids: bucket 0, dimensions 1..nd, rows nd+1, measures after */
    cols[0] = (ria_colvec_in){.col_id = 0, .kind = RIA_KIND_I64, .i64 = nums};
    for (int d = 0; d < nd; d++)
        cols[1 + d] = (ria_colvec_in){.col_id = (uint32_t)(1 + d), .kind = RIA_KIND_CODE,
                                      .codes = codes + (size_t)d * n};
    for (int j = 1; j < nnum; j++)
        cols[nd + j] = (ria_colvec_in){.col_id = (uint32_t)(nd + j), .kind = RIA_KIND_I64,
                                       .i64 = nums + (size_t)j * n};
    o->rows = n;
    rc = ria_segment_write(path, n, cols, ncols, &o->bytes, err);
done:
    free(order);
    free(nums);
    free(codes);
    free(cols);
    return rc;
}

/* ---------------------------------------------------------- partition */

/* Picks, for each view, the smallest already-ordered view it folds from.
 * ord lists views by grain (finest first), then by dimension count (most
 * first), so every possible source comes before the views it feeds. */
static void choose_sources(rtab *tabs, const int *ord, int nv)
{
    for (int i = 0; i < nv; i++) {
        rtab *t = &tabs[ord[i]];
        for (int j = 0; j < i; j++) {
            const rtab *s = &tabs[ord[j]];
            if (!can_fold(t->v, s->v))
                continue;
            if (t->source < 0 || s->space < tabs[t->source].space)
                t->source = ord[j];
        }
    }
}

static int cmp_order(const void *a, const void *b, void *arg)
{
    const rtab *tabs = arg;
    const vdef *x = tabs[*(const int *)a].v, *y = tabs[*(const int *)b].v;
    if (x->grain != y->grain)
        return x->grain < y->grain ? -1 : 1;
    if (x->ndims != y->ndims)
        return x->ndims > y->ndims ? -1 : 1;
    return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

/* One pass over the partition's blocks for the row-fed tables. */
static ria_status scan_rows(rtab *tabs, int nv, const vschema *sc, int partition,
                            const vsrc *src, int nsrc, ria_error *err)
{
    blockbuf bb;
    ria_status rc = RIA_OK;
    if (!bb_init(&bb, sc, tabs, nv))
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
    for (int s = 0; rc == RIA_OK && s < nsrc; s++) {
        uint64_t row0 = 0;
        for (uint32_t b = 0; rc == RIA_OK && b < ria_segment_nblocks(src[s].seg); b++) {
            rc = read_block(&bb, sc, &src[s], b, row0, partition, err);
            row0 += bb.n;
            for (int i = 0; rc == RIA_OK && bb.nsel && i < nv; i++)
                if (tabs[i].source < 0 && !rtab_add(&tabs[i], &bb))
                    rc = ria_fail(err, RIA_ENOMEM, "out of memory building views");
        }
    }
    bb_free(&bb);
    return rc;
}

ria_status rollup_partition(const char *dir, const vschema *sc, const vdef *const *v, int nv,
                            int partition, const vsrc *src, int nsrc, vout *out, ria_error *err)
{
    rtab *tabs = calloc((size_t)nv + 1, sizeof *tabs);
    int *ord = malloc(((size_t)nv + 1) * sizeof *ord);
    ria_status rc = RIA_OK;
    if (!tabs || !ord) {
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
        goto done;
    }
    uint64_t live = 0;
    for (int s = 0; s < nsrc; s++)
        live += ria_segment_rows(src[s].seg);
    for (int i = 0; i < nv && rc == RIA_OK; i++) {
        rc = rtab_init(&tabs[i], v[i], sc, live / 4, err);
        ord[i] = i;
    }
    if (rc != RIA_OK)
        goto done;
    qsort_r(ord, (size_t)nv, sizeof *ord, cmp_order, tabs);
    choose_sources(tabs, ord, nv);
    if ((rc = scan_rows(tabs, nv, sc, partition, src, nsrc, err)) != RIA_OK)
        goto done;
    for (int i = 0; i < nv; i++) {
        rtab *t = &tabs[ord[i]];
        if (t->source >= 0 && !rtab_fold(t, &tabs[t->source])) {
            rc = ria_fail(err, RIA_ENOMEM, "out of memory building views");
            goto done;
        }
    }
    for (int i = 0; i < nv && rc == RIA_OK; i++) {
        vout *o = &out[i];
        o->built = tabs[i].n > 0;
        o->overflow = tabs[i].overflow;
        if (!o->built || o->overflow)
            continue;
        char path[4400];
        if ((rc = ria_path_join(path, sizeof path, err, "%s/%s", dir, o->path)) == RIA_OK)
            rc = rtab_write(&tabs[i], path, partition, o, err);
    }
done:
    for (int i = 0; tabs && i < nv; i++)
        rtab_free(&tabs[i]);
    free(tabs);
    free(ord);
    return rc;
}
