/*
 * hash.c — XXH3 hashing and an insertion-ordered string → uint32 hash map.
 * Invariant: slots[i] is 0 (empty) or 1 + index of an entry; the table is at
 * most half full, so probing always ends at an empty slot.
 */
#include "core.h"

#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

uint64_t ria_hash64(const void *p, size_t n)
{
    return XXH3_64bits(p, n);
}

uint64_t ria_hash64_seed(const void *p, size_t n, uint64_t seed)
{
    return XXH3_64bits_withSeed(p, n, seed);
}

ria_hash128 ria_hash128_of(const void *p, size_t n)
{
    XXH128_hash_t h = XXH3_128bits(p, n);
    return (ria_hash128){h.low64, h.high64};
}

void ria_strmap_init(ria_strmap *m)
{
    memset(m, 0, sizeof *m);
    ria_arena_init(&m->keys, 64 * 1024);
}

void ria_strmap_free(ria_strmap *m)
{
    if (!m)
        return;
    free(m->slots);
    free(m->hashes);
    free(m->entries);
    ria_arena_free(&m->keys);
    memset(m, 0, sizeof *m);
}

bool ria_strmap_get_h(const ria_strmap *m, const char *key, size_t len, uint64_t h,
                      uint32_t *out_value)
{
    if (!m->nslots)
        return false;
    size_t mask = m->nslots - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t s = m->slots[i];
        if (!s)
            return false;
        if (m->hashes[i] == h) {
            const struct ria_strmap_entry *e = &m->entries[s - 1];
            if (e->len == len && memcmp(e->key, key, len) == 0) {
                if (out_value)
                    *out_value = e->value;
                return true;
            }
        }
    }
}

bool ria_strmap_get(const ria_strmap *m, const char *key, size_t len, uint32_t *out_value)
{
    return ria_strmap_get_h(m, key, len, ria_hash64(key, len), out_value);
}

static ria_status grow(ria_strmap *m)
{
    size_t n = m->nslots ? m->nslots * 2 : 64;
    uint32_t *slots = calloc(n, sizeof *slots);
    uint64_t *hashes = calloc(n, sizeof *hashes);
    if (!slots || !hashes) {
        free(slots);
        free(hashes);
        return RIA_ENOMEM;
    }
    for (size_t i = 0; i < m->nslots; i++) {
        if (!m->slots[i])
            continue;
        size_t j = m->hashes[i] & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = m->slots[i];
        hashes[j] = m->hashes[i];
    }
    free(m->slots);
    free(m->hashes);
    m->slots = slots;
    m->hashes = hashes;
    m->nslots = n;
    return RIA_OK;
}

ria_status ria_strmap_put_h(ria_strmap *m, const char *key, size_t len, uint64_t h,
                            uint32_t value, uint32_t *out_value)
{
    if (len > UINT32_MAX)
        return RIA_ELIMIT;
    if ((m->count + 1) * 2 > m->nslots) {
        ria_status rc = grow(m);
        if (rc != RIA_OK)
            return rc;
    }
    size_t mask = m->nslots - 1, i = h & mask;
    for (;; i = (i + 1) & mask) {
        uint32_t s = m->slots[i];
        if (!s)
            break;
        if (m->hashes[i] == h) {
            const struct ria_strmap_entry *e = &m->entries[s - 1];
            if (e->len == len && memcmp(e->key, key, len) == 0) {
                if (out_value)
                    *out_value = e->value;
                return RIA_OK;
            }
        }
    }
    if (m->count == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        struct ria_strmap_entry *e = realloc(m->entries, cap * sizeof *e);
        if (!e)
            return RIA_ENOMEM;
        m->entries = e;
        m->cap = cap;
    }
    char *k = ria_arena_strndup(&m->keys, key, len);
    if (!k)
        return RIA_ENOMEM;
    m->entries[m->count] = (struct ria_strmap_entry){k, (uint32_t)len, value};
    m->count++;
    m->slots[i] = (uint32_t)m->count;
    m->hashes[i] = h;
    if (out_value)
        *out_value = value;
    return RIA_OK;
}

ria_status ria_strmap_put(ria_strmap *m, const char *key, size_t len, uint32_t value,
                          uint32_t *out_value)
{
    return ria_strmap_put_h(m, key, len, ria_hash64(key, len), value, out_value);
}

size_t ria_strmap_count(const ria_strmap *m)
{
    return m->count;
}

const struct ria_strmap_entry *ria_strmap_at(const ria_strmap *m, size_t i)
{
    return i < m->count ? &m->entries[i] : NULL;
}
