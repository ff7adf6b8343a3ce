/*
 * agg.c — grouping and aggregate states for one thread.
 *
 * A group is identified by its keys, each encoded in 64 bits (dictionary
 * code, integer, double bits, or an interned string id).  When every key
 * has a small known cardinality the group id is the mixed-radix number of
 * the keys (a dense array, no hashing); otherwise an open-addressing table
 * maps key tuples to group ids.  Sums are exact (int128 over scaled
 * decimals); COUNT(DISTINCT) keeps an exact set per group (strings by their
 * 128-bit hash).  Threads aggregate separately and are merged at the end.
 */
#include "exec_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* ------------------------------------------------------------ distinct */

/* An exact set of 128-bit keys.  Small sets are one open-addressing table.
 * Past SMALL_MAX keys the set becomes 256 append-only vectors chosen by the
 * top byte of the key: an insert is a sequential write, and a vector is
 * deduplicated (with a temporary table small enough to stay in cache) only
 * when it has grown to twice its last unique count, so memory stays within
 * a small multiple of the distinct count and the work per key is constant.
 * Counting settles every vector, in parallel for large sets. */
#define SMALL_MAX 16384
#define NPART 256

typedef struct {
    ria_hash128 *slots;
    uint32_t mask, count;
} htab;

typedef struct {
    ria_hash128 *v;
    uint32_t n, cap;
    uint32_t uniq;   /* v[0 .. uniq) are distinct */
} pvec;

/* The table a settle deduplicates with, kept between settles: a fresh
 * allocation each time would cost page faults on every settle. */
typedef struct {
    ria_hash128 *t;
    uint32_t cap;
} settle_tab;

struct dset {
    htab small;
    pvec *parts;     /* NPART entries once large */
    settle_tab tmp;     /* for the settles while keys are added */
};

/* Spreads a key over 64 bits: integer keys (codes, numbers) are not
 * hashes, and their bits are mostly in the low end.  The top byte picks
 * the partition, the low bits the slot. */
static inline uint64_t key_mix(ria_hash128 h)
{
    uint64_t x = h.lo ^ (h.hi * 0xC2B2AE3D27D4EB4FULL);
    x ^= x >> 31;
    x *= 0x9E3779B97F4A7C15ULL;
    return x ^ (x >> 29);
}

static bool htab_add(htab *s, ria_hash128 h)
{
    if ((s->count + 1) * 2 > s->mask + 1) {
        uint32_t n = s->mask ? (s->mask + 1) * 2 : 16;
        ria_hash128 *slots = calloc(n, sizeof *slots);
        if (!slots)
            return false;
        for (uint32_t i = 0; s->slots && i <= s->mask; i++) {
            ria_hash128 e = s->slots[i];
            if (!e.lo && !e.hi)
                continue;
            uint32_t j = (uint32_t)key_mix(e) & (n - 1);
            while (slots[j].lo || slots[j].hi)
                j = (j + 1) & (n - 1);
            slots[j] = e;
        }
        free(s->slots);
        s->slots = slots;
        s->mask = n - 1;
    }
    for (uint32_t i = (uint32_t)key_mix(h) & s->mask;; i = (i + 1) & s->mask) {
        ria_hash128 *e = &s->slots[i];
        if (!e->lo && !e->hi) {
            *e = h;
            s->count++;
            return true;
        }
        if (e->lo == h.lo && e->hi == h.hi)
            return true;
    }
}

static int cmp_key(const void *a, const void *b)
{
    const ria_hash128 *x = a, *y = b;
    if (x->hi != y->hi)
        return x->hi < y->hi ? -1 : 1;
    return (x->lo > y->lo) - (x->lo < y->lo);
}

/* Keeps one copy of each key of a vector by sorting it: slower, but
 * needs no memory (when the scratch table cannot be had). */
static void pvec_sort_unique(pvec *p)
{
    qsort(p->v, p->n, sizeof *p->v, cmp_key);
    uint32_t k = 0;
    for (uint32_t i = 0; i < p->n; i++)
        if (!k || cmp_key(&p->v[k - 1], &p->v[i]) != 0)
            p->v[k++] = p->v[i];
    p->n = p->uniq = k;
}

/* Keeps one copy of each key of a vector. */
static void pvec_settle(pvec *p, settle_tab *sc)
{
    if (p->n == p->uniq)
        return;
    uint32_t size = 16;
    while (size < p->n * 2u)
        size *= 2;
    if (sc->cap < size) {
        free(sc->t);
        sc->cap = 0;
        if (!(sc->t = malloc((size_t)size * sizeof *sc->t))) {
            pvec_sort_unique(p);
            return;
        }
        sc->cap = size;
    }
    ria_hash128 *t = sc->t;
    memset(t, 0, (size_t)size * sizeof *t);
    uint32_t k = 0;
    for (uint32_t i = 0; i < p->n; i++) {
        ria_hash128 h = p->v[i];
        uint32_t j = (uint32_t)key_mix(h) & (size - 1);
        while ((t[j].lo || t[j].hi) && (t[j].lo != h.lo || t[j].hi != h.hi))
            j = (j + 1) & (size - 1);
        if (!t[j].lo && !t[j].hi) {
            t[j] = h;
            p->v[k++] = h;
        }
    }
    p->n = p->uniq = k;
}

/* Appends n keys; settles the vector with sc when it has doubled (not
 * when sc is NULL: a union leaves that to the parallel count). */
static bool pvec_push(pvec *p, const ria_hash128 *h, uint32_t n, settle_tab *sc)
{
    if (p->n + n > p->cap) {
        uint32_t cap = p->cap ? p->cap : 64;
        while (cap < p->n + n)
            cap *= 2;
        ria_hash128 *v = realloc(p->v, cap * sizeof *v);
        if (!v)
            return false;
        p->v = v;
        p->cap = cap;
    }
    memcpy(p->v + p->n, h, n * sizeof *h);
    p->n += n;
    if (sc && p->n > 2 * p->uniq + 4096)
        pvec_settle(p, sc);
    return true;
}

static bool dset_add(dset *s, ria_hash128 h)
{
    if (!h.lo && !h.hi)
        h.lo = 1;
    if (s->parts) {
        pvec *p = &s->parts[key_mix(h) >> 56];
        if (p->n < p->cap && p->n < 2 * p->uniq + 4096) {
            p->v[p->n++] = h; /* the common case: one sequential store */
            return true;
        }
        return pvec_push(p, &h, 1, &s->tmp);
    }
    if (!htab_add(&s->small, h))
        return false;
    if (s->small.count <= SMALL_MAX)
        return true;
    /* become large: spread the table over the partitions */
    s->parts = calloc(NPART, sizeof *s->parts);
    if (!s->parts)
        return false;
    for (uint32_t i = 0; i <= s->small.mask; i++) {
        ria_hash128 e = s->small.slots[i];
        if ((e.lo || e.hi) && !pvec_push(&s->parts[key_mix(e) >> 56], &e, 1, &s->tmp))
            return false;
    }
    for (int i = 0; i < NPART; i++)
        s->parts[i].uniq = s->parts[i].n; /* they came from a set */
    free(s->small.slots);
    memset(&s->small, 0, sizeof s->small);
    return true;
}

typedef struct {
    pvec *parts;
    int nchunks;
} settle_job;

/* Settles chunk i of the partitions with one scratch table. */
static void settle_chunk(void *arg, int i)
{
    settle_job *j = arg;
    settle_tab sc = {NULL, 0};
    for (int p = i * NPART / j->nchunks; p < (i + 1) * NPART / j->nchunks; p++)
        pvec_settle(&j->parts[p], &sc);
    free(sc.t);
}

static uint64_t dset_count(dset *s)
{
    if (!s)
        return 0;
    if (!s->parts)
        return s->small.count;
    free(s->tmp.t);
    s->tmp = (settle_tab){NULL, 0};
    settle_job j = {s->parts, RIA_MAX(1, RIA_MIN(ria_ncpu(), NPART))};
    ria_parallel_for(j.nchunks, j.nchunks, settle_chunk, &j);
    uint64_t n = 0;
    for (int i = 0; i < NPART; i++)
        n += s->parts[i].n;
    return n;
}

/* Adds every key of b to a. */
static bool dset_union(dset *a, dset *b)
{
    if (a->parts && b->parts) {
        for (int i = 0; i < NPART; i++)
            if (b->parts[i].n && !pvec_push(&a->parts[i], b->parts[i].v, b->parts[i].n, NULL))
                return false;
        return true;
    }
    const htab *t = &b->small;
    for (uint32_t k = 0; t->slots && k <= t->mask; k++)
        if ((t->slots[k].lo || t->slots[k].hi) && !dset_add(a, t->slots[k]))
            return false;
    for (int i = 0; b->parts && i < NPART; i++)
        for (uint32_t k = 0; k < b->parts[i].n; k++)
            if (!dset_add(a, b->parts[i].v[k]))
                return false;
    return true;
}

static void dset_free(dset *s)
{
    if (!s)
        return;
    free(s->small.slots);
    free(s->tmp.t);
    for (int i = 0; s->parts && i < NPART; i++)
        free(s->parts[i].v);
    free(s->parts);
    free(s);
}

/* ------------------------------------------------------------ storage */

static ria_status grow_states(aggtab *a, uint32_t need)
{
    if (need <= a->cap)
        return RIA_OK;
    uint32_t cap = a->cap ? a->cap : 64;
    while (cap < need)
        cap *= 2;
    const prepared *pp = a->pp;
    for (int k = 0; k < pp->naggs; k++) {
        void *p;
#define GROW(field, type)                                                       \
    if (a->field[k]) {                                                          \
        if (!(p = realloc(a->field[k], cap * sizeof(type))))                    \
            return RIA_ENOMEM;                                                  \
        memset((type *)p + a->cap, 0, (cap - a->cap) * sizeof(type));           \
        a->field[k] = p;                                                        \
    }
        GROW(sum, __int128)
        GROW(fsum, double)
        GROW(cnt, int64_t)
        GROW(mi, int64_t)
        GROW(mf, double)
        GROW(ms, ria_slice)
        GROW(sets, dset *)
        GROW(mw, __int128)
#undef GROW
    }
    if (!pp->dense && pp->nkeys) { /* dense group ids are their keys */
        uint64_t *keys = realloc(a->keys, (size_t)cap * (size_t)pp->nkeys * sizeof *keys);
        if (!keys)
            return RIA_ENOMEM;
        a->keys = keys;
    }
    a->cap = cap;
    return RIA_OK;
}

/* Moves the min/max state of aggregate k to 128 bits (the first wide value
 * it meets). */
static ria_status minmax_widen(aggtab *a, int k)
{
    if (a->mw[k])
        return RIA_OK;
    __int128 *w = malloc(((size_t)a->cap + 1) * sizeof *w);
    if (!w)
        return RIA_ENOMEM;
    for (uint32_t g = 0; g < a->cap; g++)
        w[g] = a->mi[k][g];
    a->mw[k] = w;
    return RIA_OK;
}

ria_status agg_init(aggtab *a, const prepared *pp)
{
    memset(a, 0, sizeof *a);
    a->pp = pp;
    ria_strmap_init(&a->strs);
    ria_arena_init(&a->text, 64 * 1024);
    size_t n = (size_t)RIA_MAX(pp->naggs, 1);
    a->sum = calloc(n, sizeof *a->sum);
    a->fsum = calloc(n, sizeof *a->fsum);
    a->cnt = calloc(n, sizeof *a->cnt);
    a->mi = calloc(n, sizeof *a->mi);
    a->mf = calloc(n, sizeof *a->mf);
    a->ms = calloc(n, sizeof *a->ms);
    a->sets = calloc(n, sizeof *a->sets);
    a->mw = calloc(n, sizeof *a->mw);
    a->checked = calloc(n, sizeof *a->checked);
    if (!a->sum || !a->fsum || !a->cnt || !a->mi || !a->mf || !a->ms || !a->sets || !a->mw ||
        !a->checked)
        return RIA_ENOMEM;
    /* allocate the arrays each aggregate needs (grown together) */
    for (int k = 0; k < pp->naggs; k++) {
        switch (pp->aggs[k].kind) {
        case AS_SUM_I: a->sum[k] = malloc(sizeof(__int128)); a->cnt[k] = malloc(8); break;
        case AS_SUM_F: a->fsum[k] = malloc(8); a->cnt[k] = malloc(8); break;
        case AS_COUNT: a->cnt[k] = malloc(8); break;
        case AS_MINMAX_I: a->mi[k] = malloc(8); a->cnt[k] = malloc(8); break;
        case AS_MINMAX_F: a->mf[k] = malloc(8); a->cnt[k] = malloc(8); break;
        case AS_MINMAX_S: a->ms[k] = malloc(sizeof(ria_slice)); a->cnt[k] = malloc(8); break;
        case AS_DISTINCT: a->sets[k] = malloc(sizeof(dset *)); break;
        }
    }
    ria_status rc = RIA_OK;
    if (pp->dense) {
        rc = grow_states(a, (uint32_t)pp->dense_size);
        a->seen = calloc(pp->dense_size, 1);
        if (rc == RIA_OK && !a->seen)
            rc = RIA_ENOMEM;
        a->ngroups = (uint32_t)pp->dense_size;
    }
    return rc;
}

void agg_free(aggtab *a)
{
    if (!a || !a->pp)
        return;
    for (int k = 0; k < a->pp->naggs; k++) {
        if (a->sets && a->sets[k])
            for (uint32_t g = 0; g < a->ngroups; g++)
                dset_free(a->sets[k][g]);
        if (a->sum)
            free(a->sum[k]);
        if (a->fsum)
            free(a->fsum[k]);
        if (a->cnt)
            free(a->cnt[k]);
        if (a->mi)
            free(a->mi[k]);
        if (a->mf)
            free(a->mf[k]);
        if (a->ms)
            free(a->ms[k]);
        if (a->sets)
            free(a->sets[k]);
        if (a->mw)
            free(a->mw[k]);
    }
    free(a->mw);
    free(a->checked);
    free(a->sum);
    free(a->fsum);
    free(a->cnt);
    free(a->mi);
    free(a->mf);
    free(a->ms);
    free(a->sets);
    free(a->keys);
    free(a->slots);
    free(a->hashes);
    free(a->seen);
    ria_strmap_free(&a->strs);
    ria_arena_free(&a->text);
    memset(a, 0, sizeof *a);
}

/* --------------------------------------------------------------- keys */

static uint64_t key_of(aggtab *a, const key_spec *ks, const vec *v, uint32_t r, bool *oom)
{
    uint32_t k = v->constant ? 0 : r;
    switch (v->kind) {
    case VK_CODE: return v->codes[k];
    case VK_I64: return (uint64_t)v->i[k];
    case VK_F64: {
        double d = v->f[k];
        uint64_t bits;
        if (isnan(d))
            return 0x7ff8dead00000000ULL;
        if (d == 0)
            d = 0; /* -0 and 0 group together */
        memcpy(&bits, &d, 8);
        return bits;
    }
    case VK_STR: {
        ria_slice s = v->s[k];
        if (!s.p)
            return 0;
        uint32_t id;
        if (ria_strmap_put(&a->strs, s.p, s.n, (uint32_t)ria_strmap_count(&a->strs) + 1, &id) !=
            RIA_OK)
            *oom = true;
        return id;
    }
    }
    (void)ks;
    return 0;
}

/* The dense slot of one key value (0 is NULL). */
static uint64_t dense_digit(const key_spec *ks, uint64_t key)
{
    if (ks->kind == KEY_CODE)
        return key;
    int64_t v = (int64_t)key;
    return v == RIA_NULL_I64 ? 0 : (uint64_t)(v - ks->base) + 1;
}

static uint64_t hash_keys(const uint64_t *k, int n)
{
    return XXH3_64bits(k, (size_t)n * 8);
}

/* Group id of a key tuple in a hashed table (adding it when new). */
static int64_t group_of(aggtab *a, const uint64_t *key)
{
    int nk = a->pp->nkeys;
    if ((a->ngroups + 1) * 2 > a->nslots) {
        uint32_t n = a->nslots ? a->nslots * 2 : 256;
        uint32_t *slots = calloc(n, sizeof *slots);
        uint64_t *hashes = malloc(n * sizeof *hashes);
        if (!slots || !hashes) {
            free(slots);
            free(hashes);
            return -1;
        }
        for (uint32_t i = 0; i < a->nslots; i++) {
            if (!a->slots[i])
                continue;
            uint32_t j = (uint32_t)a->hashes[i] & (n - 1);
            while (slots[j])
                j = (j + 1) & (n - 1);
            slots[j] = a->slots[i];
            hashes[j] = a->hashes[i];
        }
        free(a->slots);
        free(a->hashes);
        a->slots = slots;
        a->hashes = hashes;
        a->nslots = n;
    }
    uint64_t h = hash_keys(key, nk);
    uint32_t mask = a->nslots - 1;
    for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
        uint32_t s = a->slots[i];
        if (!s) {
            if (grow_states(a, a->ngroups + 1) != RIA_OK)
                return -1;
            uint32_t g = a->ngroups++;
            memcpy(&a->keys[(size_t)g * (size_t)nk], key, (size_t)nk * 8);
            a->slots[i] = g + 1;
            a->hashes[i] = h;
            return g;
        }
        if (a->hashes[i] == h && memcmp(&a->keys[(size_t)(s - 1) * (size_t)nk], key, (size_t)nk * 8) == 0)
            return s - 1;
    }
}

/* Dense group ids, one key column at a time: gid = gid * card + digit.
 * False when a key lies outside the range its encoding was sized for (the
 * ranges come from the plan and the table's metadata; a value outside
 * would index past the array). */
static bool dense_groups(aggtab *a, vec **keys, const uint32_t *sel, uint32_t n, uint32_t *gid)
{
    const prepared *pp = a->pp;
    memset(gid, 0, n * sizeof *gid);
    bool outside = false;
    for (int k = 0; k < pp->nkeys; k++) {
        const key_spec *ks = &pp->kspec[k];
        const vec *v = keys[k];
        uint32_t card = (uint32_t)ks->card;
        if (v->constant) {
            uint64_t d = v->kind == VK_CODE ? v->codes[0] : dense_digit(ks, (uint64_t)v->i[0]);
            if (d >= card)
                return false;
            for (uint32_t j = 0; j < n; j++)
                gid[j] = gid[j] * card + (uint32_t)d;
        } else if (v->kind == VK_CODE) {
            const uint32_t *c = v->codes;
            for (uint32_t j = 0; j < n; j++)
                gid[j] = gid[j] * card + c[sel[j]];
        } else {
            const int64_t *x = v->i;
            uint64_t base = (uint64_t)ks->base;
            for (uint32_t j = 0; j < n; j++) {
                int64_t y = x[sel[j]];
                uint64_t d = y == RIA_NULL_I64 ? 0 : (uint64_t)y - base + 1;
                outside |= d >= card;
                gid[j] = gid[j] * card + (uint32_t)d;
            }
        }
    }
    if (outside)
        return false;
    for (uint32_t j = 0; j < n; j++)
        a->seen[gid[j]] = 1;
    return true;
}

/* Group ids for the selected rows (gid[j] for row sel[j]). */
static ria_status assign_groups(aggtab *a, vec **keys, const uint32_t *sel, uint32_t n,
                                uint32_t *gid)
{
    const prepared *pp = a->pp;
    int nk = pp->nkeys;
    bool oom = false;
    if (nk == 0) {
        if (grow_states(a, 1) != RIA_OK)
            return RIA_ENOMEM;
        if (a->ngroups == 0)
            a->ngroups = 1;
        memset(gid, 0, n * sizeof *gid);
        return RIA_OK;
    }
    if (pp->dense)
        return dense_groups(a, keys, sel, n, gid) ? RIA_OK : RIA_EINTERNAL;
    uint64_t key[16];
    bool all_const = true;
    for (int k = 0; k < nk; k++)
        all_const &= keys[k]->constant;
    for (uint32_t j = 0; j < n; j++) {
        uint32_t r = sel[j];
        if (all_const && j > 0) {
            gid[j] = gid[0];
            continue;
        }
        for (int k = 0; k < nk; k++)
            key[k] = key_of(a, &pp->kspec[k], keys[k], r, &oom);
        int64_t g = group_of(a, key);
        if (g < 0)
            return RIA_ENOMEM;
        gid[j] = (uint32_t)g;
    }
    return oom ? RIA_ENOMEM : RIA_OK;
}

/* -------------------------------------------------------------- update */

static ria_hash128 distinct_key(const vec *v, uint32_t r, bool *is_null)
{
    uint32_t k = v->constant ? 0 : r;
    ria_hash128 h = {0, 0x9E3779B97F4A7C15ULL};
    *is_null = false;
    switch (v->kind) {
    case VK_CODE:
        *is_null = v->codes[k] == 0;
        h.lo = v->codes[k];
        break;
    case VK_I64:
        if (v->w) { /* values within 64 bits keep their 64-bit key */
            __int128 x = v->w[k];
            *is_null = x == VW_NULL;
            if (x > INT64_MIN && x <= INT64_MAX) {
                h.lo = (uint64_t)(int64_t)x;
            } else {
                XXH128_hash_t y = XXH3_128bits(&x, sizeof x);
                h = (ria_hash128){y.low64, y.high64};
            }
            break;
        }
        *is_null = v->i[k] == RIA_NULL_I64;
        h.lo = (uint64_t)v->i[k];
        break;
    case VK_F64:
        *is_null = isnan(v->f[k]);
        memcpy(&h.lo, &v->f[k], 8);
        break;
    case VK_STR:
        *is_null = !v->s[k].p;
        if (!*is_null) {
            XXH128_hash_t x = XXH3_128bits(v->s[k].p, v->s[k].n);
            h = (ria_hash128){x.low64, x.high64};
        }
        break;
    }
    return h;
}

static int slice_cmp(ria_slice a, ria_slice b)
{
    size_t n = RIA_MIN(a.n, b.n);
    int c = n ? memcmp(a.p, b.p, n) : 0;
    return c ? c : (a.n > b.n) - (a.n < b.n);
}

static ria_status update_one(aggtab *a, int k, const vec *v, const uint32_t *sel, uint32_t n,
                             const uint32_t *gid, bool one_group)
{
    const agg_spec *as = &a->pp->aggs[k];
    int64_t *cnt = a->cnt[k];
    switch (as->kind) {
    case AS_COUNT:
        if (!v) { /* COUNT(*) */
            if (one_group)
                cnt[gid[0]] += n;
            else
                for (uint32_t j = 0; j < n; j++)
                    cnt[gid[j]]++;
            return RIA_OK;
        }
        for (uint32_t j = 0; j < n; j++) {
            ria_value x = vec_value(v, sel[j]);
            cnt[gid[j]] += !x.is_null;
        }
        return RIA_OK;
    case AS_SUM_I: {
        __int128 *sum = a->sum[k];
        if (v->w || a->checked[k]) { /* 128-bit values: sums may leave 128 bits */
            a->checked[k] = true;
            for (uint32_t j = 0; j < n; j++) {
                __int128 y = vec_at_w(v, sel[j]);
                if (y == VW_NULL)
                    continue;
                if (__builtin_add_overflow(sum[gid[j]], y, &sum[gid[j]]) || sum[gid[j]] == VW_NULL)
                    return RIA_ELIMIT;
                cnt[gid[j]]++;
            }
            return RIA_OK;
        }
        if (v->constant) {
            int64_t x = v->i[0];
            if (x != RIA_NULL_I64)
                for (uint32_t j = 0; j < n; j++) {
                    sum[gid[j]] += x;
                    cnt[gid[j]]++;
                }
            return RIA_OK;
        }
        const int64_t *x = v->i;
        if (one_group) {
            __int128 s = 0;
            int64_t c = 0;
            for (uint32_t j = 0; j < n; j++) {
                int64_t y = x[sel[j]];
                bool ok = y != RIA_NULL_I64;
                s += ok ? y : 0;
                c += ok;
            }
            sum[gid[0]] += s;
            cnt[gid[0]] += c;
            return RIA_OK;
        }
        for (uint32_t j = 0; j < n; j++) {
            int64_t y = x[sel[j]];
            if (y != RIA_NULL_I64) {
                sum[gid[j]] += y;
                cnt[gid[j]]++;
            }
        }
        return RIA_OK;
    }
    case AS_SUM_F: {
        double *sum = a->fsum[k];
        for (uint32_t j = 0; j < n; j++) {
            double y = v->kind == VK_F64 ? v->f[v->constant ? 0 : sel[j]]
                                         : (double)v->i[v->constant ? 0 : sel[j]];
            if (!isnan(y) && !(v->kind == VK_I64 && v->i[v->constant ? 0 : sel[j]] == RIA_NULL_I64)) {
                sum[gid[j]] += y;
                cnt[gid[j]]++;
            }
        }
        return RIA_OK;
    }
    case AS_MINMAX_I: {
        if (v->w || a->mw[k]) {
            if (minmax_widen(a, k) != RIA_OK)
                return RIA_ENOMEM;
            __int128 *m = a->mw[k];
            for (uint32_t j = 0; j < n; j++) {
                __int128 y = vec_at_w(v, sel[j]);
                uint32_t g = gid[j];
                if (y == VW_NULL)
                    continue;
                if (!cnt[g] || (as->is_max ? y > m[g] : y < m[g]))
                    m[g] = y;
                cnt[g]++;
            }
            return RIA_OK;
        }
        int64_t *m = a->mi[k];
        for (uint32_t j = 0; j < n; j++) {
            int64_t y = v->i[v->constant ? 0 : sel[j]];
            uint32_t g = gid[j];
            if (y == RIA_NULL_I64)
                continue;
            if (!cnt[g] || (as->is_max ? y > m[g] : y < m[g]))
                m[g] = y;
            cnt[g]++;
        }
        return RIA_OK;
    }
    case AS_MINMAX_F: {
        double *m = a->mf[k];
        for (uint32_t j = 0; j < n; j++) {
            double y = v->f[v->constant ? 0 : sel[j]];
            uint32_t g = gid[j];
            if (isnan(y))
                continue;
            if (!cnt[g] || (as->is_max ? y > m[g] : y < m[g]))
                m[g] = y;
            cnt[g]++;
        }
        return RIA_OK;
    }
    case AS_MINMAX_S: {
        ria_slice *m = a->ms[k];
        for (uint32_t j = 0; j < n; j++) {
            ria_value x = vec_value(v, sel[j]);
            uint32_t g = gid[j];
            if (x.is_null)
                continue;
            ria_slice s = {x.s, x.n};
            if (!cnt[g] || (as->is_max ? slice_cmp(s, m[g]) > 0 : slice_cmp(s, m[g]) < 0)) {
                char *copy = ria_arena_strndup(&a->text, s.p, s.n);
                if (!copy)
                    return RIA_ENOMEM;
                m[g] = (ria_slice){copy, s.n};
            }
            cnt[g]++;
        }
        return RIA_OK;
    }
    case AS_DISTINCT: {
        dset **sets = a->sets[k];
        for (uint32_t j = 0; j < n; j++) {
            bool is_null;
            ria_hash128 h = distinct_key(v, sel[j], &is_null);
            if (is_null)
                continue;
            uint32_t g = gid[j];
            if (!sets[g] && !(sets[g] = calloc(1, sizeof *sets[g])))
                return RIA_ENOMEM;
            if (!dset_add(sets[g], h))
                return RIA_ENOMEM;
        }
        return RIA_OK;
    }
    }
    return RIA_OK;
}

ria_status agg_add(aggtab *a, vec **keys, vec **args, const uint32_t *sel, uint32_t n,
                   ria_arena *scratch)
{
    if (n == 0)
        return RIA_OK;
    uint32_t *gid = ria_arena_alloc(scratch, n * sizeof *gid);
    if (!gid)
        return RIA_ENOMEM;
    ria_status rc = assign_groups(a, keys, sel, n, gid);
    if (rc != RIA_OK)
        return rc;
    bool one_group = true;
    for (int k = 0; k < a->pp->nkeys; k++)
        one_group &= keys[k]->constant;
    for (int k = 0; k < a->pp->naggs && rc == RIA_OK; k++)
        rc = update_one(a, k, args[k], sel, n, gid, one_group);
    return rc;
}

ria_status agg_ensure_group(aggtab *a)
{
    if (a->ngroups)
        return RIA_OK;
    if (grow_states(a, 1) != RIA_OK)
        return RIA_ENOMEM;
    a->ngroups = 1;
    return RIA_OK;
}

/* --------------------------------------------------------------- merge */

static uint64_t remap_key(aggtab *dst, const aggtab *src, const key_spec *ks, uint64_t key,
                          bool *oom)
{
    if (ks->kind != KEY_STR || key == 0)
        return key;
    const struct ria_strmap_entry *e = ria_strmap_at(&src->strs, key - 1);
    uint32_t id;
    if (ria_strmap_put(&dst->strs, e->key, e->len, (uint32_t)ria_strmap_count(&dst->strs) + 1,
                       &id) != RIA_OK)
        *oom = true;
    return id;
}

/* The min/max of aggregate k of group g as int128. */
static __int128 minmax_w(const aggtab *a, int k, uint32_t g)
{
    return a->mw[k] ? a->mw[k][g] : (__int128)a->mi[k][g];
}

static void merge_states(aggtab *a, uint32_t g, aggtab *b, uint32_t h, bool *oom, bool *over)
{
    for (int k = 0; k < a->pp->naggs; k++) {
        const agg_spec *as = &a->pp->aggs[k];
        int64_t *ca = a->cnt[k], *cb = b->cnt[k];
        switch (as->kind) {
        case AS_SUM_I:
            *over |= __builtin_add_overflow(a->sum[k][g], b->sum[k][h], &a->sum[k][g]) ||
                     a->sum[k][g] == VW_NULL;
            ca[g] += cb[h];
            break;
        case AS_SUM_F: a->fsum[k][g] += b->fsum[k][h]; ca[g] += cb[h]; break;
        case AS_COUNT: ca[g] += cb[h]; break;
        case AS_MINMAX_I:
            if (b->mw[k] && minmax_widen(a, k) != RIA_OK) {
                *oom = true;
                break;
            }
            if (a->mw[k]) {
                __int128 x = minmax_w(b, k, h);
                if (cb[h] && (!ca[g] || (as->is_max ? x > a->mw[k][g] : x < a->mw[k][g])))
                    a->mw[k][g] = x;
            } else if (cb[h] && (!ca[g] || (as->is_max ? b->mi[k][h] > a->mi[k][g]
                                                       : b->mi[k][h] < a->mi[k][g]))) {
                a->mi[k][g] = b->mi[k][h];
            }
            ca[g] += cb[h];
            break;
        case AS_MINMAX_F:
            if (cb[h] && (!ca[g] || (as->is_max ? b->mf[k][h] > a->mf[k][g] : b->mf[k][h] < a->mf[k][g])))
                a->mf[k][g] = b->mf[k][h];
            ca[g] += cb[h];
            break;
        case AS_MINMAX_S:
            if (cb[h] && (!ca[g] || (as->is_max ? slice_cmp(b->ms[k][h], a->ms[k][g]) > 0
                                                : slice_cmp(b->ms[k][h], a->ms[k][g]) < 0))) {
                char *copy = ria_arena_strndup(&a->text, b->ms[k][h].p, b->ms[k][h].n);
                if (!copy)
                    *oom = true;
                else
                    a->ms[k][g] = (ria_slice){copy, b->ms[k][h].n};
            }
            ca[g] += cb[h];
            break;
        case AS_DISTINCT: {
            dset *from = b->sets[k][h];
            if (!from)
                break;
            dset **to = &a->sets[k][g];
            if (!*to) { /* adopt the whole set */
                *to = from;
                b->sets[k][h] = NULL;
                break;
            }
            if (!(*to)->parts && from->parts) { /* insert the smaller into the larger */
                dset *t = *to;
                *to = from;
                from = t;
                b->sets[k][h] = t;
            }
            if (!dset_union(*to, from))
                *oom = true;
            break;
        }
        }
    }
}

ria_status agg_merge(aggtab *a, aggtab *b)
{
    const prepared *pp = a->pp;
    int nk = pp->nkeys;
    bool oom = false, over = false;
    for (int k = 0; k < pp->naggs; k++)
        a->checked[k] |= b->checked[k];
    if (nk == 0) {
        if (b->ngroups) {
            if (grow_states(a, 1) != RIA_OK)
                return RIA_ENOMEM;
            a->ngroups = 1;
            merge_states(a, 0, b, 0, &oom, &over);
        }
        return oom ? RIA_ENOMEM : over ? RIA_ELIMIT : RIA_OK;
    }
    uint64_t key[16];
    for (uint32_t h = 0; h < b->ngroups; h++) {
        if (pp->dense && !b->seen[h])
            continue;
        for (int k = 0; k < nk && !pp->dense; k++)
            key[k] = remap_key(a, b, &pp->kspec[k], b->keys[(size_t)h * (size_t)nk + (size_t)k], &oom);
        uint32_t g;
        if (pp->dense) {
            g = h; /* the same key tuple has the same dense id in every table */
            a->seen[g] = 1;
        } else {
            int64_t gg = group_of(a, key);
            if (gg < 0)
                return RIA_ENOMEM;
            g = (uint32_t)gg;
        }
        merge_states(a, g, b, h, &oom, &over);
    }
    return oom ? RIA_ENOMEM : over ? RIA_ELIMIT : RIA_OK;
}

/* ------------------------------------------------------------- results */

bool agg_group_live(const aggtab *a, uint32_t g)
{
    return !a->pp->dense || a->seen[g];
}

/* The stored key of group g, or for dense tables the digit decoded from g. */
static uint64_t group_key(const aggtab *a, uint32_t g, int k)
{
    const prepared *pp = a->pp;
    if (!pp->dense)
        return a->keys[(size_t)g * (size_t)pp->nkeys + (size_t)k];
    uint64_t rest = g, digit = 0;
    for (int i = pp->nkeys - 1; i >= k; i--) {
        digit = rest % pp->kspec[i].card;
        rest /= pp->kspec[i].card;
    }
    const key_spec *ks = &pp->kspec[k];
    if (ks->kind == KEY_CODE)
        return digit;
    return digit == 0 ? (uint64_t)RIA_NULL_I64 : (uint64_t)(ks->base + (int64_t)digit - 1);
}

ria_value agg_key_value(const aggtab *a, uint32_t g, int k, ria_arena *out)
{
    const key_spec *ks = &a->pp->kspec[k];
    uint64_t key = group_key(a, g, k);
    ria_value v = value_null(ks->type);
    switch (ks->kind) {
    case KEY_CODE:
        if (key && ks->dict && key <= ks->dict->count) {
            v.is_null = false;
            v.s = ks->dict->strs[key];
            v.n = ks->dict->lens[key];
        }
        break;
    case KEY_STR:
        if (key) {
            const struct ria_strmap_entry *e = ria_strmap_at(&a->strs, key - 1);
            v.is_null = false;
            v.s = ria_arena_strndup(out, e->key, e->len);
            v.n = e->len;
        }
        break;
    case KEY_F64: {
        double d;
        memcpy(&d, &key, 8);
        if (!isnan(d)) {
            v.is_null = false;
            v.d = d;
        }
        break;
    }
    case KEY_I64:
        if ((int64_t)key != RIA_NULL_I64) {
            v.is_null = false;
            v.i = (int64_t)key;
        }
        break;
    }
    return v;
}

ria_value agg_result(const aggtab *a, uint32_t g, int k)
{
    const agg_spec *as = &a->pp->aggs[k];
    ria_expr *e = as->expr;
    ria_value v = value_null(e->type);
    int64_t c = a->cnt[k] ? a->cnt[k][g] : 0;
    switch (as->kind) {
    case AS_COUNT:
        v.is_null = false;
        v.i = c;
        return v;
    case AS_DISTINCT:
        v.is_null = false;
        v.i = (int64_t)dset_count(a->sets[k][g]);
        return v;
    default: break;
    }
    if (!c)
        return v;
    v.is_null = false;
    switch (as->kind) {
    case AS_SUM_I:
        if (e->agg == RIA_AGG_AVG) {
            double s = (double)a->sum[k][g];
            if (e->args[0]->type == RIA_V_DEC)
                s /= RIA_DEC_SCALE;
            v.d = s / (double)c;
        } else if (a->sum[k][g] >= INT64_MIN + 1 && a->sum[k][g] <= INT64_MAX) {
            v.i = (int64_t)a->sum[k][g];
        } else {
            v.wide = true;
            v.big = a->sum[k][g];
        }
        break;
    case AS_SUM_F: v.d = e->agg == RIA_AGG_AVG ? a->fsum[k][g] / (double)c : a->fsum[k][g]; break;
    case AS_MINMAX_I: {
        __int128 x = minmax_w(a, k, g);
        if (x > INT64_MIN && x <= INT64_MAX) {
            v.i = (int64_t)x;
        } else {
            v.wide = true;
            v.big = x;
        }
        break;
    }
    case AS_MINMAX_F: v.d = a->mf[k][g]; break;
    case AS_MINMAX_S: v.s = a->ms[k][g].p; v.n = (uint32_t)a->ms[k][g].n; break;
    default: break;
    }
    return v;
}
