/*
 * test_lru.c — the LRU of byte blobs (src/cache/lru.c).
 *
 * A get after a put returns an equal, independent copy; a put replaces; the
 * entry evicted is always the least recently used one (a get refreshes) —
 * checked step by step against a reference model over thousands of random
 * gets and puts of random sizes, which also pins every counter and the byte
 * total; the byte budget is never exceeded; values over a quarter of the
 * budget are not kept and evict nothing; clearing empties the cache (also
 * one never used) and it stays usable; four threads hammering one cache
 * only ever see the value that belongs to a key.
 *
 * The per-entry bookkeeping cost is private to lru.c: the tests measure it
 * from the stats after one put instead of assuming it.
 */
#include "cache/cache.h"
#include "test.h"

#include <pthread.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- helpers */

static ria_hash128 key_n(uint64_t n)
{
    return (ria_hash128){ria_mix64(n + 1), ria_mix64(~n)};
}

static uint64_t next_rand(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return ria_mix64(*s);
}

/* The bytes a key's value holds (any length): a function of key and index. */
static void fill_value(uint64_t key, unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        p[i] = (unsigned char)(ria_mix64(key * 1000003u + i) >> 17);
}

static bool value_ok(uint64_t key, const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != (unsigned char)(ria_mix64(key * 1000003u + i) >> 17))
            return false;
    return true;
}

/* The per-entry cost lru.c charges on top of the value's length. */
static size_t entry_cost(void)
{
    ria_lru *c = ria_lru_new(1u << 20);
    ria_lru_put(c, key_n(0), "x", 1);
    ria_lru_stats st;
    ria_lru_stats_get(c, &st);
    ria_lru_free(c);
    return st.bytes - 1;
}

/* ---------------------------------------------------------- basic contract */

TEST(lru_get_returns_an_equal_copy)
{
    ria_lru *c = ria_lru_new(1u << 16);
    char v[] = "the value";
    ria_lru_put(c, key_n(1), v, 9);
    v[0] = 'X'; /* the cache kept its own copy */
    size_t len = 0;
    char *got = ria_lru_get(c, key_n(1), &len);
    CHECK(got);
    CHECK_EQ_INT(len, 9);
    CHECK(memcmp(got, "the value", 9) == 0);
    CHECK_EQ_INT(got[9], 0); /* NUL-terminated for text */
    got[0] = 'Y';            /* the copy is the caller's */
    free(got);
    got = ria_lru_get(c, key_n(1), &len);
    CHECK(got && memcmp(got, "the value", 9) == 0);
    free(got);

    /* keys equal in one half only are different keys */
    ria_hash128 k = key_n(1);
    CHECK(ria_lru_get(c, (ria_hash128){k.lo, k.hi + 1}, &len) == NULL);
    CHECK(ria_lru_get(c, (ria_hash128){k.lo + 1, k.hi}, &len) == NULL);

    /* an empty value is a value */
    ria_lru_put(c, key_n(2), "", 0);
    got = ria_lru_get(c, key_n(2), &len);
    CHECK(got);
    CHECK_EQ_INT(len, 0);
    free(got);
    /* out_len may be NULL */
    got = ria_lru_get(c, key_n(1), NULL);
    CHECK(got && strcmp(got, "the value") == 0);
    free(got);
    ria_lru_free(c);
    ria_lru_free(NULL);
}

TEST(lru_put_replaces)
{
    size_t cost = entry_cost();
    ria_lru *c = ria_lru_new(1u << 16);
    ria_lru_put(c, key_n(5), "first value", 11);
    ria_lru_put(c, key_n(6), "other", 5);
    ria_lru_put(c, key_n(5), "2nd", 3);
    size_t len;
    char *got = ria_lru_get(c, key_n(5), &len);
    CHECK(got);
    CHECK_EQ_INT(len, 3);
    CHECK(memcmp(got, "2nd", 3) == 0);
    free(got);
    got = ria_lru_get(c, key_n(6), &len);
    CHECK(got && len == 5 && memcmp(got, "other", 5) == 0);
    free(got);
    ria_lru_stats st;
    ria_lru_stats_get(c, &st);
    CHECK_EQ_INT(st.entries, 2);
    CHECK_EQ_INT(st.bytes, 3 + 5 + 2 * cost);
    CHECK_EQ_INT(st.inserts, 3);
    CHECK_EQ_INT(st.evictions, 0); /* a replacement is not an eviction */
    ria_lru_free(c);
}

TEST(lru_evicts_least_recently_used)
{
    size_t cost = entry_cost();
    size_t vlen = 100, per = vlen + cost, fit = 10;
    ria_lru *c = ria_lru_new(per * fit + per / 2); /* exactly 10 entries fit */
    unsigned char v[100];
    for (uint64_t k = 0; k < fit; k++) {
        fill_value(k, v, vlen);
        ria_lru_put(c, key_n(k), v, vlen);
    }
    ria_lru_stats st;
    ria_lru_stats_get(c, &st);
    CHECK_EQ_INT(st.entries, fit);
    CHECK_EQ_INT(st.evictions, 0);

    /* recency now 9 8 ... 1 0; a get of 0 and of 3 makes it 3 0 9 8 ... 4 2 1 */
    free(ria_lru_get(c, key_n(0), NULL));
    free(ria_lru_get(c, key_n(3), NULL));
    fill_value(10, v, vlen);
    ria_lru_put(c, key_n(10), v, vlen); /* evicts 1 */
    fill_value(11, v, vlen);
    ria_lru_put(c, key_n(11), v, vlen); /* evicts 2 */
    fill_value(12, v, vlen);
    ria_lru_put(c, key_n(12), v, vlen); /* evicts 4 */
    ria_lru_stats_get(c, &st);
    CHECK_EQ_INT(st.evictions, 3);
    CHECK_EQ_INT(st.entries, fit);
    static const int gone[] = {1, 2, 4};
    static const int kept[] = {0, 3, 5, 6, 7, 8, 9, 10, 11, 12};
    for (size_t i = 0; i < RIA_ARRAY_LEN(gone); i++)
        CHECK_MSG(ria_lru_get(c, key_n((uint64_t)gone[i]), NULL) == NULL, "key %d was kept",
                  gone[i]);
    for (size_t i = 0; i < RIA_ARRAY_LEN(kept); i++) {
        size_t len = 0;
        unsigned char *got = ria_lru_get(c, key_n((uint64_t)kept[i]), &len);
        CHECK_MSG(got, "key %d was evicted", kept[i]);
        CHECK(len == vlen && value_ok((uint64_t)kept[i], got, len));
        free(got);
    }

    /* one large value evicts as many old entries as it needs, oldest first */
    ria_lru_put(c, key_n(0), v, vlen); /* 0 most recent again (replaced) */
    size_t big = 2 * per - cost;       /* needs the room of two entries */
    unsigned char *b = malloc(big);
    fill_value(99, b, big);
    ria_lru_put(c, key_n(99), b, big);
    free(b);
    ria_lru_stats_get(c, &st);
    CHECK(st.bytes <= st.max_bytes);
    /* recency before: 0 12 11 10 9 8 7 6 5 3 (the gets above went 0 3 5 ...
     * 12, then the replacement of 0); the two oldest are 3 and 5 */
    CHECK(ria_lru_get(c, key_n(3), NULL) == NULL);
    CHECK(ria_lru_get(c, key_n(5), NULL) == NULL);
    unsigned char *got = ria_lru_get(c, key_n(6), NULL);
    CHECK_MSG(got, "key 6 should have survived");
    free(got);
    got = ria_lru_get(c, key_n(99), NULL);
    CHECK(got && value_ok(99, got, big));
    free(got);
    ria_lru_free(c);
}

TEST(lru_oversized_values_are_not_kept)
{
    size_t cost = entry_cost();
    size_t max = 4096;
    ria_lru *c = ria_lru_new(max);
    unsigned char v[4096];
    for (uint64_t k = 0; k < 6; k++) {
        fill_value(k, v, 100);
        ria_lru_put(c, key_n(k), v, 100);
    }
    ria_lru_stats before, after;
    ria_lru_stats_get(c, &before);
    fill_value(50, v, sizeof v);
    ria_lru_put(c, key_n(50), v, max / 4 + 1);
    ria_lru_put(c, key_n(51), v, max);
    ria_lru_stats_get(c, &after);
    CHECK(ria_lru_get(c, key_n(50), NULL) == NULL);
    CHECK(ria_lru_get(c, key_n(51), NULL) == NULL);
    /* nothing was evicted or counted for them */
    CHECK_EQ_INT(after.entries, before.entries);
    CHECK_EQ_INT(after.bytes, before.bytes);
    CHECK_EQ_INT(after.inserts, before.inserts);
    CHECK_EQ_INT(after.evictions, before.evictions);
    /* a value that fits in a quarter with its bookkeeping is kept */
    ria_lru_put(c, key_n(52), v, max / 4 - cost);
    size_t len = 0;
    unsigned char *got = ria_lru_get(c, key_n(52), &len);
    CHECK(got && len == max / 4 - cost && value_ok(50, got, len));
    free(got);
    /* an oversized replacement does not keep the old value either way: the
     * key reads as the old value or nothing, never a partial one */
    ria_lru_put(c, key_n(0), v, max);
    got = ria_lru_get(c, key_n(0), &len);
    CHECK(!got || (len == 100 && value_ok(0, got, len)));
    free(got);
    ria_lru_free(c);
}

TEST(lru_counters)
{
    size_t cost = entry_cost();
    size_t per = 10 + cost;
    ria_lru *c = ria_lru_new(per * 4); /* four 10-byte values fit */
    ria_lru_stats st;
    ria_lru_stats_get(c, &st);
    CHECK(st.hits == 0 && st.misses == 0 && st.inserts == 0 && st.evictions == 0);
    CHECK(st.bytes == 0 && st.entries == 0);
    CHECK_EQ_INT(st.max_bytes, per * 4);
    CHECK(ria_lru_get(c, key_n(1), NULL) == NULL); /* miss 1 */
    for (uint64_t k = 1; k <= 4; k++)
        ria_lru_put(c, key_n(k), "0123456789", 10);
    free(ria_lru_get(c, key_n(1), NULL));          /* hit 1 */
    free(ria_lru_get(c, key_n(2), NULL));          /* hit 2 */
    CHECK(ria_lru_get(c, key_n(7), NULL) == NULL); /* miss 2 */
    ria_lru_put(c, key_n(5), "0123456789", 10);    /* evicts 3 */
    ria_lru_put(c, key_n(6), "0123456789", 10);    /* evicts 4 */
    CHECK(ria_lru_get(c, key_n(3), NULL) == NULL); /* miss 3 */
    ria_lru_stats_get(c, &st);
    CHECK_EQ_INT(st.hits, 2);
    CHECK_EQ_INT(st.misses, 3);
    CHECK_EQ_INT(st.inserts, 6);
    CHECK_EQ_INT(st.evictions, 2);
    CHECK_EQ_INT(st.entries, 4);
    CHECK_EQ_INT(st.bytes, 4 * per);
    ria_lru_free(c);
}

/* Clearing a cache that never held anything (its index is not allocated
 * yet) is a no-op. */
TEST(lru_clear_unused)
{
    ria_lru *c = ria_lru_new(1u << 16);
    ria_lru_clear(c);
    ria_lru_stats st;
    ria_lru_stats_get(c, &st);
    CHECK(st.entries == 0 && st.bytes == 0);
    ria_lru_put(c, key_n(1), "v", 1);
    char *got = ria_lru_get(c, key_n(1), NULL);
    CHECK(got && strcmp(got, "v") == 0);
    free(got);
    ria_lru_free(c);
}

TEST(lru_clear)
{
    ria_lru *c = ria_lru_new(1u << 16);
    for (uint64_t k = 0; k < 200; k++)
        ria_lru_put(c, key_n(k), "abcdef", 6);
    ria_lru_clear(c);
    ria_lru_stats st;
    ria_lru_stats_get(c, &st);
    CHECK_EQ_INT(st.entries, 0);
    CHECK_EQ_INT(st.bytes, 0);
    for (uint64_t k = 0; k < 200; k++)
        CHECK_MSG(ria_lru_get(c, key_n(k), NULL) == NULL, "key %llu survived the clear",
                  (unsigned long long)k);
    /* usable afterwards, with the same keys */
    for (uint64_t k = 0; k < 300; k++) {
        unsigned char v[64];
        fill_value(k, v, k % 64);
        ria_lru_put(c, key_n(k), v, k % 64);
    }
    for (uint64_t k = 0; k < 300; k++) {
        size_t len = 0;
        unsigned char *got = ria_lru_get(c, key_n(k), &len);
        CHECK_MSG(got && len == k % 64 && value_ok(k, got, len), "key %llu after the clear",
                  (unsigned long long)k);
        free(got);
    }
    ria_lru_clear(c);
    ria_lru_clear(c);
    ria_lru_stats_get(c, &st);
    CHECK(st.entries == 0 && st.bytes == 0);
    ria_lru_free(c);
}

/* ------------------------------------------------------- reference model */

/* The LRU as it is specified: a recency list (most recent first), bytes =
 * sum of lengths + cost per entry, puts over a quarter ignored, eviction
 * from the tail until the new entry fits. */
typedef struct {
    uint64_t keys[4096];
    size_t lens[4096];
    int n;
    size_t bytes, max, cost;
    uint64_t hits, misses, inserts, evictions;
} model;

static int model_find(const model *m, uint64_t k)
{
    for (int i = 0; i < m->n; i++)
        if (m->keys[i] == k)
            return i;
    return -1;
}

static void model_remove(model *m, int i)
{
    m->bytes -= m->lens[i] + m->cost;
    memmove(&m->keys[i], &m->keys[i + 1], (size_t)(m->n - i - 1) * sizeof m->keys[0]);
    memmove(&m->lens[i], &m->lens[i + 1], (size_t)(m->n - i - 1) * sizeof m->lens[0]);
    m->n--;
}

static void model_front(model *m, uint64_t k, size_t len)
{
    memmove(&m->keys[1], &m->keys[0], (size_t)m->n * sizeof m->keys[0]);
    memmove(&m->lens[1], &m->lens[0], (size_t)m->n * sizeof m->lens[0]);
    m->keys[0] = k;
    m->lens[0] = len;
    m->n++;
    m->bytes += len + m->cost;
}

static bool model_get(model *m, uint64_t k, size_t *len)
{
    int i = model_find(m, k);
    if (i < 0) {
        m->misses++;
        return false;
    }
    *len = m->lens[i];
    model_remove(m, i);
    model_front(m, k, *len);
    m->hits++;
    return true;
}

static void model_put(model *m, uint64_t k, size_t len)
{
    if (len + m->cost > m->max / 4)
        return;
    int i = model_find(m, k);
    if (i >= 0)
        model_remove(m, i);
    while (m->n && m->bytes + len + m->cost > m->max) {
        model_remove(m, m->n - 1);
        m->evictions++;
    }
    model_front(m, k, len);
    m->inserts++;
}

TEST(lru_matches_model)
{
    size_t cost = entry_cost();
    static model m;
    unsigned char *v = malloc(1u << 17);
    CHECK(v);
    static const size_t budgets[] = {2000, 10000, 65536, 300000};
    uint64_t seed = 7;
    for (size_t b = 0; b < RIA_ARRAY_LEN(budgets); b++) {
        memset(&m, 0, sizeof m);
        m.max = budgets[b];
        m.cost = cost;
        ria_lru *c = ria_lru_new(m.max);
        /* the stored value of a key changes with each put: its length and
         * bytes come from (key, put serial) */
        static uint64_t serial_of[600];
        memset(serial_of, 0, sizeof serial_of);
        uint64_t serial = 1;
        for (int op = 0; op < 20000; op++) {
            uint64_t r = next_rand(&seed);
            uint64_t k = r % 600;
            if ((r >> 20) % 3 == 0) {
                size_t len = (size_t)(next_rand(&seed) % (m.max / 3 + 1));
                if ((r >> 30) % 4 == 0)
                    len %= 64;
                uint64_t tag = k * 1000000 + serial++;
                fill_value(tag, v, len);
                ria_lru_put(c, key_n(k), v, len);
                uint64_t ins = m.inserts;
                model_put(&m, k, len);
                if (m.inserts != ins)
                    serial_of[k] = tag;
            } else {
                size_t len = 0, mlen = 0;
                unsigned char *got = ria_lru_get(c, key_n(k), &len);
                bool want = model_get(&m, k, &mlen);
                CHECK_MSG(!!got == want, "budget %zu op %d: get of key %llu %s, the model %s",
                          m.max, op, (unsigned long long)k, got ? "hit" : "missed",
                          want ? "hits" : "misses");
                if (got) {
                    CHECK_MSG(len == mlen && value_ok(serial_of[k], got, len),
                              "budget %zu op %d: key %llu has the wrong value", m.max, op,
                              (unsigned long long)k);
                    free(got);
                }
            }
            ria_lru_stats st;
            ria_lru_stats_get(c, &st);
            CHECK_MSG(st.bytes <= st.max_bytes, "budget %zu op %d: %zu bytes", m.max, op, st.bytes);
            CHECK_MSG(st.bytes == m.bytes && st.entries == (size_t)m.n && st.hits == m.hits &&
                          st.misses == m.misses && st.inserts == m.inserts &&
                          st.evictions == m.evictions,
                      "budget %zu op %d: stats %zu bytes %zu entries %llu/%llu/%llu/%llu, "
                      "model %zu bytes %d entries %llu/%llu/%llu/%llu (hits/misses/inserts/"
                      "evictions)",
                      m.max, op, st.bytes, st.entries, (unsigned long long)st.hits,
                      (unsigned long long)st.misses, (unsigned long long)st.inserts,
                      (unsigned long long)st.evictions, m.bytes, m.n, (unsigned long long)m.hits,
                      (unsigned long long)m.misses, (unsigned long long)m.inserts,
                      (unsigned long long)m.evictions);
            if (op % 5000 == 4999) {
                ria_lru_clear(c);
                while (m.n)
                    model_remove(&m, 0);
            }
        }
        CHECK_MSG(m.hits > 0 && m.evictions > 0, "budget %zu: %llu hits, %llu evictions", m.max,
                  (unsigned long long)m.hits, (unsigned long long)m.evictions);
        ria_lru_free(c);
    }
    free(v);
}

TEST(lru_budget_never_exceeded)
{
    uint64_t seed = 99;
    unsigned char *v = calloc(1, 1u << 20);
    CHECK(v);
    static const size_t budgets[] = {1000, 4096, 100000, 1u << 20};
    for (size_t b = 0; b < RIA_ARRAY_LEN(budgets); b++) {
        ria_lru *c = ria_lru_new(budgets[b]);
        size_t puts = 0;
        for (int i = 0; i < 30000; i++) {
            uint64_t r = next_rand(&seed);
            /* sizes from empty to the whole budget: some are refused */
            size_t len = (size_t)(next_rand(&seed) % (budgets[b] + 1));
            if (r % 3)
                len %= budgets[b] / 16 + 1;
            ria_lru_put(c, key_n(r % 5000), v, len);
            puts++;
            ria_lru_stats st;
            ria_lru_stats_get(c, &st);
            CHECK_MSG(st.bytes <= budgets[b], "budget %zu exceeded: %zu bytes after %zu puts",
                      budgets[b], st.bytes, puts);
        }
        ria_lru_stats st;
        ria_lru_stats_get(c, &st);
        CHECK(st.entries > 0);
        CHECK(st.inserts - st.evictions >= st.entries);
        ria_lru_free(c);
    }
    free(v);
}

/* ------------------------------------------------------------- threads */

typedef struct {
    ria_lru *c;
    uint64_t seed;
    int ops;
    uint64_t gets, hits, bad;
    bool clears;
} worker;

/* A key's value: its length and bytes depend on the key alone, so any hit
 * can be verified. */
static size_t len_of(uint64_t k)
{
    return (size_t)(ria_mix64(k * 31 + 7) % 700);
}

static void *work(void *arg)
{
    worker *w = arg;
    unsigned char v[700];
    for (int i = 0; i < w->ops; i++) {
        uint64_t r = next_rand(&w->seed);
        uint64_t k = next_rand(&w->seed) % 2000;
        if (r % 5 < 2) {
            fill_value(k, v, len_of(k));
            ria_lru_put(w->c, key_n(k), v, len_of(k));
        } else if (w->clears && r % 4096 == 3) {
            ria_lru_clear(w->c);
        } else if (r % 64 == 5) {
            ria_lru_stats st;
            ria_lru_stats_get(w->c, &st);
            if (st.bytes > st.max_bytes)
                w->bad++;
        } else {
            size_t len = 0;
            unsigned char *got = ria_lru_get(w->c, key_n(k), &len);
            w->gets++;
            if (got) {
                w->hits++;
                if (len != len_of(k) || !value_ok(k, got, len))
                    w->bad++;
                free(got);
            }
        }
    }
    return NULL;
}

TEST(lru_threads)
{
    /* small enough that evictions never stop, large enough for hits */
    ria_lru *c = ria_lru_new(200000);
    worker w[4];
    pthread_t th[4];
    for (int t = 0; t < 4; t++) {
        w[t] = (worker){c, (uint64_t)t * 7919 + 1, 150000, 0, 0, 0, t == 3};
        CHECK(pthread_create(&th[t], NULL, work, &w[t]) == 0);
    }
    uint64_t gets = 0, hits = 0;
    for (int t = 0; t < 4; t++) {
        pthread_join(th[t], NULL);
        CHECK_MSG(w[t].bad == 0, "thread %d saw %llu wrong values or budgets", t,
                  (unsigned long long)w[t].bad);
        gets += w[t].gets;
        hits += w[t].hits;
    }
    ria_lru_stats st;
    ria_lru_stats_get(c, &st);
    CHECK_EQ_INT(st.hits + st.misses, gets);
    CHECK_EQ_INT(st.hits, hits);
    CHECK_MSG(st.hits > 0 && st.evictions > 0, "hits %llu, evictions %llu",
              (unsigned long long)st.hits, (unsigned long long)st.evictions);
    CHECK(st.bytes <= st.max_bytes);
    /* the survivors are whole and right */
    for (uint64_t k = 0; k < 2000; k++) {
        size_t len = 0;
        unsigned char *got = ria_lru_get(c, key_n(k), &len);
        if (got) {
            CHECK_MSG(len == len_of(k) && value_ok(k, got, len), "key %llu", (unsigned long long)k);
            free(got);
        }
    }
    ria_lru_free(c);
}
