/*
 * rollup.c — the rollup of one partition: its live rows grouped by (time
 * bucket, dimension codes) into a row count and, per measure, its sum and
 * non-null count, written as a segment (layout in views.h).
 *
 * A group's key is the mixed-radix number of its dimension codes and bucket
 * slot (dimensions major, bucket minor), so sorting groups by key gives the
 * clustered output order.  A dense array maps keys to groups when the key
 * space is small, an open-addressing table otherwise.  One pass over the
 * partition's blocks feeds every view that cannot be derived from another;
 * each of the others folds the smallest finer view with a superset of its
 * dimensions, already built in memory (sums and counts re-aggregate
 * exactly).  Rows are handled a block at a time: keys first, then groups
 * (prefetching table slots), then the updates (prefetching group states),
 * because rollups of large dimensions do not fit in cache.
 *
 * Ownership: a rollup_ws is used by one thread at a time and keeps its
 * tables and buffers from one partition to the next (so building many
 * partitions does not map and unmap memory over and over); the segments
 * and bitmaps read belong to the caller.
 */
#include "views.h"

#include <stdlib.h>
#include <string.h>

/* Largest key space mapped with a dense array: 1 MB of group ids, small
 * enough to stay in cache (a larger, sparser array costs a cache miss per
 * row where a hash table of the groups would not). */
#define DENSE_MAX (1u << 18)
#define HASH_MIN 4096

/* A hash slot: a key and its group + 1 (0 = empty). */
typedef struct {
    uint64_t key;
    uint64_t gid;
} hslot;

typedef struct {
    const vdef *v;
    const vschema *sc;
    uint32_t nb;           /* bucket slots; the last one holds NULL times */
    int stride;            /* values per group: rows, then sum and count per measure */
    uint64_t space;        /* key space size */
    bool use_dense;
    uint32_t *dense;       /* key -> group + 1 (small key spaces) */
    uint64_t dense_cap;
    hslot *hash;           /* otherwise an open-addressing table of hmask + 1 slots */
    uint64_t hmask;
    uint64_t *gkey;        /* per group: its key */
    size_t gkey_cap;
    int64_t *st;           /* per group: stride values */
    size_t st_cap;         /* values */
    uint32_t n, cap;       /* groups, and groups the arrays hold */
    bool overflow;         /* some sum left int64 */
    bool set_aside;        /* the key space exceeds 64 bits: not built (reported as
                            * overflow, so the view is unusable, not the commit failed) */
    int source;            /* -1: fed from rows; else the index of the view folded */
} rtab;

/* One block of live rows, decoded; buffers are kept between partitions. */
typedef struct {
    int ncols;                     /* per-column arrays below hold ncols entries */
    uint32_t **codes;              /* per column id: codes */
    int64_t **nums;                /* per column id: numbers */
    bool *want_code, *want_num;    /* read this column for this partition */
    uint32_t *radix;               /* per column id: codes must stay below it */
    uint32_t *slots[VG_COUNT];     /* bucket slot per row, per grain */
    bool want_slots[VG_COUNT];
    const int64_t *mv[VIEW_MAX_MEASURES]; /* per measure: its values */
    int64_t *derived[VIEW_MAX_MEASURES];  /* storage of a - b measures */
    uint32_t *sel, *gids;          /* live rows; the group of each */
    uint64_t *keys;                /* the key of each live row */
    int64_t *ts;
    uint32_t n, nsel;
    bool overflow;                 /* a derived measure left int64 */
} blockbuf;

struct rollup_ws {
    rtab tabs[VIEW_MAX];
    blockbuf bb;
    int64_t *seed;                 /* a block of a previous rollup, column after column */
    size_t seed_cap;
    uint32_t *order;               /* output: groups in key order */
    size_t order_cap;
    uint64_t (*sort_a)[2], (*sort_b)[2];
    size_t sort_a_cap, sort_b_cap;
    int64_t *nums;
    size_t nums_cap;
    uint32_t *codes;
    size_t codes_cap;
};

/* Makes *p hold at least need elements of size elem (contents kept). */
static bool grow(void *pp, size_t *cap, size_t need, size_t elem)
{
    void **p = pp;
    if (need <= *cap)
        return true;
    size_t n = RIA_MAX(need, *cap * 2);
    void *q = realloc(*p, n * elem);
    if (!q)
        return false;
    *p = q;
    *cap = n;
    return true;
}

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

/* Empties t for view v; `hint` is the expected number of groups. */
static ria_status rtab_reset(rtab *t, const vdef *v, const vschema *sc, uint64_t hint,
                             ria_error *err)
{
    t->v = v;
    t->sc = sc;
    t->source = -1;
    t->overflow = false;
    t->set_aside = false;
    t->n = 0;
    t->nb = slots_of(v->grain);
    t->stride = 1 + 2 * sc->nm;
    t->space = t->nb;
    for (int d = 0; d < v->ndims; d++)
        if (__builtin_mul_overflow(t->space, (uint64_t)v->radix[d], &t->space)) {
            /* group keys would not fit in 64 bits: this view is set aside
             * (unusable, like one whose sums overflow); the others and the
             * commit go on */
            ria_log(RIA_LOG_WARN, "view %s set aside: its dimensions have too many value "
                    "combinations for 64-bit group keys", v->name);
            t->set_aside = true;
            t->overflow = true;
            t->space = UINT64_MAX;
            return RIA_OK;
        }
    t->use_dense = t->space <= DENSE_MAX;
    if (t->use_dense && t->dense_cap < t->space) {
        free(t->dense);
        t->dense_cap = 0;
        if (!(t->dense = calloc(t->space, sizeof *t->dense)))
            return ria_fail(err, RIA_ENOMEM, "out of memory");
        t->dense_cap = t->space;
    } else if (t->use_dense) {
        memset(t->dense, 0, t->space * sizeof *t->dense);
    } else if (!t->hash) {
        if (!(t->hash = calloc(HASH_MIN, sizeof *t->hash)))
            return ria_fail(err, RIA_ENOMEM, "out of memory");
        t->hmask = HASH_MIN - 1;
    } else {
        memset(t->hash, 0, (t->hmask + 1) * sizeof *t->hash);
    }
    size_t want = (size_t)RIA_MAX(RIA_MIN(RIA_MIN(hint, t->space), (uint64_t)1 << 20), 64);
    if (!grow(&t->gkey, &t->gkey_cap, want, sizeof *t->gkey) ||
        !grow(&t->st, &t->st_cap, want * (size_t)t->stride, sizeof *t->st))
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    t->cap = (uint32_t)RIA_MIN(RIA_MIN(t->gkey_cap, t->st_cap / (size_t)t->stride), UINT32_MAX / 4);
    return RIA_OK;
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
        size_t want = (size_t)t->cap * 2;
        if (want >= UINT32_MAX / 4 || !grow(&t->gkey, &t->gkey_cap, want, sizeof *t->gkey) ||
            !grow(&t->st, &t->st_cap, want * (size_t)t->stride, sizeof *t->st))
            return UINT32_MAX;
        t->cap = (uint32_t)want;
    }
    uint32_t g = t->n++;
    t->gkey[g] = key;
    memset(t->st + (size_t)g * (size_t)t->stride, 0, (size_t)t->stride * sizeof *t->st);
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
    if (t->use_dense) {
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

static void bb_free(blockbuf *bb)
{
    for (int c = 0; c < bb->ncols; c++) {
        free(bb->codes[c]);
        free(bb->nums[c]);
    }
    for (int g = 0; g < VG_COUNT; g++)
        free(bb->slots[g]);
    for (int m = 0; m < VIEW_MAX_MEASURES; m++)
        free(bb->derived[m]);
    free(bb->codes);
    free(bb->nums);
    free(bb->want_code);
    free(bb->want_num);
    free(bb->radix);
    free(bb->sel);
    free(bb->gids);
    free(bb->keys);
    free(bb->ts);
}

/* Widens the per-column arrays to ncols entries. */
static bool bb_columns(blockbuf *bb, int ncols)
{
    if (ncols <= bb->ncols)
        return true;
    size_t n = (size_t)ncols, old = (size_t)bb->ncols;
    uint32_t **codes = realloc(bb->codes, n * sizeof *codes);
    if (codes)
        bb->codes = codes;
    int64_t **nums = realloc(bb->nums, n * sizeof *nums);
    if (nums)
        bb->nums = nums;
    bool *wc = realloc(bb->want_code, n * sizeof *wc);
    if (wc)
        bb->want_code = wc;
    bool *wn = realloc(bb->want_num, n * sizeof *wn);
    if (wn)
        bb->want_num = wn;
    uint32_t *radix = realloc(bb->radix, n * sizeof *radix);
    if (radix)
        bb->radix = radix;
    if (!codes || !nums || !wc || !wn || !radix)
        return false;
    memset(bb->codes + old, 0, (n - old) * sizeof *codes);
    memset(bb->nums + old, 0, (n - old) * sizeof *nums);
    bb->ncols = ncols;
    return true;
}

static bool want_codes(blockbuf *bb, uint32_t c, uint32_t radix)
{
    bb->want_code[c] = true;
    bb->radix[c] = radix;
    return bb->codes[c] || (bb->codes[c] = malloc(RIA_BLOCK_ROWS * sizeof(uint32_t)));
}

static bool want_nums(blockbuf *bb, int c)
{
    bb->want_num[c] = true;
    return bb->nums[c] || (bb->nums[c] = malloc(RIA_BLOCK_ROWS * sizeof(int64_t)));
}

/* Readies the buffers the row-fed tables need for this partition. */
static bool bb_prepare(blockbuf *bb, const vschema *sc, const rtab *tabs, int nt)
{
    int ncols = sc->tcol + 1;
    for (int m = 0; m < sc->nm; m++)
        ncols = RIA_MAX(ncols, RIA_MAX(sc->m[m].a, sc->m[m].b) + 1);
    for (int i = 0; i < nt; i++)
        for (int d = 0; d < tabs[i].v->ndims; d++)
            ncols = RIA_MAX(ncols, (int)tabs[i].v->dims[d] + 1);
    if (!bb_columns(bb, ncols))
        return false;
    memset(bb->want_code, 0, (size_t)bb->ncols * sizeof *bb->want_code);
    memset(bb->want_num, 0, (size_t)bb->ncols * sizeof *bb->want_num);
    memset(bb->want_slots, 0, sizeof bb->want_slots);
    bb->overflow = false;
    if ((!bb->sel && !(bb->sel = malloc(RIA_BLOCK_ROWS * sizeof *bb->sel))) ||
        (!bb->gids && !(bb->gids = malloc(RIA_BLOCK_ROWS * sizeof *bb->gids))) ||
        (!bb->keys && !(bb->keys = malloc(RIA_BLOCK_ROWS * sizeof *bb->keys))) ||
        (!bb->ts && !(bb->ts = malloc(RIA_BLOCK_ROWS * sizeof *bb->ts))))
        return false;
    for (int i = 0; i < nt; i++) {
        const rtab *t = &tabs[i];
        if (t->source >= 0 || t->set_aside)
            continue;
        vgrain g = t->v->grain;
        bb->want_slots[g] = true;
        if (!bb->slots[g] && !(bb->slots[g] = malloc(RIA_BLOCK_ROWS * sizeof(uint32_t))))
            return false;
        for (int d = 0; d < t->v->ndims; d++)
            if (!want_codes(bb, t->v->dims[d], t->v->radix[d]))
                return false;
    }
    for (int m = 0; m < sc->nm; m++) {
        if (!want_nums(bb, sc->m[m].a) || (sc->m[m].b >= 0 && !want_nums(bb, sc->m[m].b)))
            return false;
        if (sc->m[m].b >= 0 && !bb->derived[m] &&
            !(bb->derived[m] = malloc(RIA_BLOCK_ROWS * sizeof(int64_t))))
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
        if (bb->want_slots[g] &&
            !bucket_slots((vgrain)g, pstart, bb->ts, bb->n, slots_of((vgrain)g), bb->slots[g]))
            rc = ria_fail(err, RIA_ECORRUPT, "an order time lies outside its partition");
    for (int c = 0; rc == RIA_OK && c < bb->ncols; c++) {
        ria_zone z;
        if (bb->want_code[c]) {
            if (ria_segment_zone(s->seg, (uint32_t)c, b, &z) && z.nulls < z.rows &&
                (z.min < 0 || z.max >= (int64_t)bb->radix[c]))
                return ria_fail(err, RIA_ECORRUPT, "codes beyond the dictionary of column %d", c);
            rc = ria_segment_read_codes(s->seg, (uint32_t)c, b, bb->codes[c], err);
        }
        if (rc == RIA_OK && bb->want_num[c])
            rc = ria_segment_read_i64(s->seg, (uint32_t)c, b, bb->nums[c], err);
    }
    if (rc == RIA_OK)
        derive(bb, sc);
    return rc;
}

/* Folds the live rows of a block into a row-fed table: keys, then groups
 * (prefetching table slots), then updates (prefetching group states). */
static bool rtab_add(rtab *t, blockbuf *bb)
{
    const vdef *v = t->v;
    const uint32_t *codes[VIEW_MAX_DIMS];
    for (int d = 0; d < v->ndims; d++)
        codes[d] = bb->codes[v->dims[d]];
    const uint32_t *slots = bb->slots[v->grain];
    uint32_t *gids = bb->gids;
    uint64_t *keys = bb->keys;
    int nd = v->ndims, nm = t->sc->nm;
    for (uint32_t i = 0; i < bb->nsel; i++) {
        uint32_t r = bb->sel[i];
        uint64_t key = 0;
        for (int d = 0; d < nd; d++)
            key = key * v->radix[d] + codes[d][r];
        keys[i] = key * t->nb + slots[r];
    }
    for (uint32_t i = 0; i < bb->nsel; i++) {
        if (i + 16 < bb->nsel) {
            uint64_t k = keys[i + 16];
            if (t->use_dense)
                __builtin_prefetch(&t->dense[k]);
            else
                __builtin_prefetch(&t->hash[ria_mix64(k) & t->hmask]);
        }
        if ((gids[i] = rtab_group(t, keys[i])) == UINT32_MAX)
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
            int64_t *q = s + 1 + 2 * m;
            over |= __builtin_add_overflow(q[0], x, &q[0]);
            q[1]++;
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
            const int64_t *p = s + 1 + 2 * m;
            int64_t *q = t + 1 + 2 * m;
            dst->overflow |= __builtin_add_overflow(q[0], p[0], &q[0]);
            q[1] += p[1];
        }
    }
    dst->overflow |= src->overflow;
    return true;
}

/* The slot of a previous rollup's bucket; false when it is not one of the
 * partition's buckets. */
static bool seed_slot(const rtab *t, int64_t pstart, int64_t b, uint32_t *out)
{
    if (b == RIA_NULL_I64) {
        *out = t->nb - 1;
        return true;
    }
    int64_t unit = t->v->grain == VG_HOUR ? 3600 : RIA_SECS_PER_DAY;
    if (t->v->grain >= VG_MONTH) {
        *out = 0;
        return b == bucket_value(t->v->grain, ria_partition_of_ts(pstart), 0);
    }
    if (b < pstart || (b - pstart) % unit || (uint64_t)((b - pstart) / unit) >= t->nb - 1)
        return false;
    *out = (uint32_t)((b - pstart) / unit);
    return true;
}

/* Adds the rows of the partition's previous rollup of t's view (same
 * definition, so same layout): with the rows appended since, they make the
 * new rollup, because sums and counts add up. */
static ria_status add_seed(rollup_ws *ws, rtab *t, const ria_segment *seed, int partition,
                           ria_error *err)
{
    const vdef *v = t->v;
    int nd = v->ndims, nm = t->sc->nm, nnum = 2 + 2 * nm, ncols = nnum + nd;
    if (!ria_segment_has_column(seed, (uint32_t)(ncols - 1)) ||
        ria_segment_has_column(seed, (uint32_t)ncols))
        return ria_fail(err, RIA_ECORRUPT, "view %s: a previous rollup has another layout",
                        v->name);
    if (!grow(&ws->seed, &ws->seed_cap, (size_t)ncols * RIA_BLOCK_ROWS, sizeof *ws->seed))
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    int64_t pstart = ria_partition_start(partition);
    uint32_t codes[RIA_BLOCK_ROWS];
    ria_status rc = RIA_OK;
    for (uint32_t b = 0; rc == RIA_OK && b < ria_segment_nblocks(seed); b++) {
        uint32_t n = ria_segment_block_rows(seed, b);
        int64_t *col = ws->seed;
        for (int c = 0; rc == RIA_OK && c < ncols; c++) {
            int64_t *dst = col + (size_t)c * RIA_BLOCK_ROWS;
            ria_zone z;
            if (c < 1 || c > nd) {
                rc = ria_segment_read_i64(seed, (uint32_t)c, b, dst, err);
                continue;
            }
            if (ria_segment_zone(seed, (uint32_t)c, b, &z) && z.nulls < z.rows &&
                (z.min < 0 || z.max >= (int64_t)v->radix[c - 1]))
                return ria_fail(err, RIA_ECORRUPT, "view %s: codes beyond the dictionary", v->name);
            rc = ria_segment_read_codes(seed, (uint32_t)c, b, codes, err);
            for (uint32_t r = 0; rc == RIA_OK && r < n; r++)
                dst[r] = codes[r];
        }
        for (uint32_t r = 0; rc == RIA_OK && r < n; r++) {
            uint64_t key = 0;
            uint32_t slot;
            for (int d = 0; d < nd; d++)
                key = key * v->radix[d] + (uint64_t)col[(size_t)(1 + d) * RIA_BLOCK_ROWS + r];
            if (!seed_slot(t, pstart, col[r], &slot))
                return ria_fail(err, RIA_ECORRUPT, "view %s: a bucket outside its partition",
                                v->name);
            uint32_t g = rtab_group(t, key * t->nb + slot);
            if (g == UINT32_MAX)
                return ria_fail(err, RIA_ENOMEM, "out of memory building views");
            int64_t *s = t->st + (size_t)g * (size_t)t->stride;
            const int64_t *x = col + (size_t)(nd + 1) * RIA_BLOCK_ROWS + r;
            s[0] += x[0];
            for (int m = 0; m < nm; m++) {
                int64_t sum = x[(size_t)(1 + 2 * m) * RIA_BLOCK_ROWS];
                int64_t cnt = x[(size_t)(2 + 2 * m) * RIA_BLOCK_ROWS];
                if (cnt > 0)
                    t->overflow |= __builtin_add_overflow(s[1 + 2 * m], sum, &s[1 + 2 * m]);
                s[2 + 2 * m] += cnt;
            }
        }
    }
    return rc;
}

/* ------------------------------------------------------------- output */

/* Sorts the groups by key (LSD radix sort, 11 bits a pass) into ws->order. */
static bool sort_groups(rollup_ws *ws, const rtab *t)
{
    size_t n = t->n;
    if (!grow(&ws->sort_a, &ws->sort_a_cap, n + 1, sizeof *ws->sort_a) ||
        !grow(&ws->sort_b, &ws->sort_b_cap, n + 1, sizeof *ws->sort_b) ||
        !grow(&ws->order, &ws->order_cap, n + 1, sizeof *ws->order))
        return false;
    uint64_t(*a)[2] = ws->sort_a, (*b)[2] = ws->sort_b;
    uint32_t count[2048];
    for (size_t i = 0; i < n; i++) {
        a[i][0] = t->gkey[i];
        a[i][1] = i;
    }
    for (int shift = 0; shift < 64 && (t->space - 1) >> shift; shift += 11) {
        memset(count, 0, sizeof count);
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
        ws->order[i] = (uint32_t)a[i][1];
    return true;
}

/* Writes the table's groups, sorted by key, as the segment at path. */
static ria_status rtab_write(rollup_ws *ws, const rtab *t, const char *path, int partition,
                             vout *o, ria_error *err)
{
    const vdef *v = t->v;
    int nd = v->ndims, nm = t->sc->nm, nnum = 2 + 2 * nm, ncols = nnum + nd;
    size_t n = t->n;
    ria_colvec_in cols[2 + VIEW_MAX_DIMS + 2 * VIEW_MAX_MEASURES];
    if (!sort_groups(ws, t) ||
        !grow(&ws->nums, &ws->nums_cap, (n + 1) * (size_t)nnum, sizeof *ws->nums) ||
        !grow(&ws->codes, &ws->codes_cap, (n + 1) * (size_t)(nd + 1), sizeof *ws->codes))
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    int64_t *nums = ws->nums;
    uint32_t *codes = ws->codes;
    o->min_ts = INT64_MAX;
    o->max_ts = INT64_MIN;
    size_t lines = ((size_t)t->stride * 8 + 63) / 64;
    for (size_t i = 0; i < n; i++) {
        if (i + 8 < n) {
            const char *p = (const char *)(t->st + (size_t)ws->order[i + 8] * (size_t)t->stride);
            for (size_t l = 0; l < lines; l++)
                __builtin_prefetch(p + 64 * l);
        }
        uint32_t g = ws->order[i];
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
            const int64_t *q = s + 1 + 2 * m;
            nums[(size_t)(2 + 2 * m) * n + i] = q[1] ? q[0] : RIA_NULL_I64;
            nums[(size_t)(3 + 2 * m) * n + i] = q[1];
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
    return ria_segment_write(path, n, cols, ncols, &o->bytes, err);
}

/* ---------------------------------------------------------- partition */

rollup_ws *rollup_ws_new(void)
{
    return calloc(1, sizeof(rollup_ws));
}

void rollup_ws_free(rollup_ws *ws)
{
    if (!ws)
        return;
    for (int i = 0; i < VIEW_MAX; i++)
        rtab_free(&ws->tabs[i]);
    bb_free(&ws->bb);
    free(ws->seed);
    free(ws->order);
    free(ws->sort_a);
    free(ws->sort_b);
    free(ws->nums);
    free(ws->codes);
    free(ws);
}

/* Picks, for each view, the smallest already-ordered view it folds from.
 * ord lists views by grain (finest first), then by dimension count (most
 * first), so every possible source comes before the views it feeds. */
static void choose_sources(rtab *tabs, const int *ord, int nv)
{
    for (int i = 0; i < nv; i++) {
        rtab *t = &tabs[ord[i]];
        if (t->set_aside)
            continue;
        for (int j = 0; j < i; j++) {
            const rtab *s = &tabs[ord[j]];
            if (s->set_aside || !can_fold(t->v, s->v))
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
static ria_status scan_rows(rollup_ws *ws, int nv, const vschema *sc, int partition,
                            const vsrc *src, int nsrc, ria_error *err)
{
    blockbuf *bb = &ws->bb;
    if (!bb_prepare(bb, sc, ws->tabs, nv))
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    ria_status rc = RIA_OK;
    for (int s = 0; rc == RIA_OK && s < nsrc; s++) {
        uint64_t row0 = 0;
        for (uint32_t b = 0; rc == RIA_OK && b < ria_segment_nblocks(src[s].seg); b++) {
            rc = read_block(bb, sc, &src[s], b, row0, partition, err);
            row0 += bb->n;
            for (int i = 0; rc == RIA_OK && bb->nsel && i < nv; i++)
                if (ws->tabs[i].source < 0 && !ws->tabs[i].set_aside && !rtab_add(&ws->tabs[i], bb))
                    rc = ria_fail(err, RIA_ENOMEM, "out of memory building views");
        }
        ria_segment_release(src[s].seg);
    }
    return rc;
}

ria_status rollup_partition(rollup_ws *ws, const char *dir, const vschema *sc,
                            const vdef *const *v, int nv, int partition, const vsrc *src,
                            int nsrc, ria_segment *const *seeds, vout *out, ria_error *err)
{
    rtab *tabs = ws->tabs;
    int ord[VIEW_MAX];
    if (nv > VIEW_MAX)
        return ria_fail(err, RIA_ELIMIT, "more than %d views", VIEW_MAX);
    uint64_t live = 0;
    for (int s = 0; s < nsrc; s++)
        live += ria_segment_rows(src[s].seg);
    for (int i = 0; i < nv; i++) {
        ria_status rc = rtab_reset(&tabs[i], v[i], sc, live / 4, err);
        if (rc != RIA_OK)
            return rc;
        ord[i] = i;
    }
    qsort_r(ord, (size_t)nv, sizeof *ord, cmp_order, tabs);
    choose_sources(tabs, ord, nv);
    ria_status rc = RIA_OK;
    for (int i = 0; rc == RIA_OK && seeds && i < nv; i++)
        if (tabs[i].source < 0 && !tabs[i].set_aside && seeds[i])
            rc = add_seed(ws, &tabs[i], seeds[i], partition, err);
    if (rc == RIA_OK)
        rc = scan_rows(ws, nv, sc, partition, src, nsrc, err);
    for (int i = 0; rc == RIA_OK && i < nv; i++) {
        rtab *t = &tabs[ord[i]];
        if (t->source >= 0 && !rtab_fold(t, &tabs[t->source]))
            rc = ria_fail(err, RIA_ENOMEM, "out of memory building views");
    }
    for (int i = 0; i < nv && rc == RIA_OK; i++) {
        vout *o = &out[i];
        o->built = tabs[i].n > 0 || tabs[i].set_aside; /* set aside: an overflow entry */
        o->overflow = tabs[i].overflow;
        if (!o->built || o->overflow)
            continue;
        char path[4400];
        if ((rc = ria_path_join(path, sizeof path, err, "%s/%s", dir, o->path)) == RIA_OK)
            rc = rtab_write(ws, &tabs[i], path, partition, o, err);
    }
    return rc;
}
