/*
 * cache.h — in-process caches: an LRU of immutable byte blobs keyed by
 * 128-bit hashes, with a byte budget and hit/miss counters.  The question
 * engine keeps two (exact questions, canonical plans); the server adds a
 * shared tier in Redis on top.
 *
 * Keys must already include everything that changes the value (the store
 * version, the anchor): the cache never guesses.  Thread-safe.
 */
#ifndef RIA_CACHE_H
#define RIA_CACHE_H

#include "core/core.h"

typedef struct ria_lru ria_lru;

typedef struct {
    uint64_t hits, misses, inserts, evictions;
    size_t bytes, entries, max_bytes;
} ria_lru_stats;

/* A cache holding at most max_bytes of values (and their keys). */
ria_lru *ria_lru_new(size_t max_bytes);
void ria_lru_free(ria_lru *c);
/* A malloc'd copy of the value of key (and its length), or NULL. */
void *ria_lru_get(ria_lru *c, ria_hash128 key, size_t *out_len);
/* Stores a copy of the value (replacing any), evicting least recently used
 * entries to stay in budget; values larger than a quarter of the budget
 * are not kept. */
void ria_lru_put(ria_lru *c, ria_hash128 key, const void *value, size_t len);
void ria_lru_clear(ria_lru *c);
void ria_lru_stats_get(ria_lru *c, ria_lru_stats *out);

#endif
