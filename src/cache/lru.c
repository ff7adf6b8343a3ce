/*
 * lru.c — the LRU: an open-addressing index of 128-bit keys over entries in
 * a doubly linked recency list, all under one mutex (operations are short).
 * Invariant: bytes is the sum of value lengths plus a fixed per-entry cost,
 * and never exceeds max_bytes after a put.
 */
#include "cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define ENTRY_COST 96 /* bookkeeping charged per entry */

typedef struct entry {
    ria_hash128 key;
    struct entry *prev, *next; /* recency: head is the most recent */
    size_t len;
    unsigned char value[];
} entry;

struct ria_lru {
    pthread_mutex_t mu;
    entry **slots;   /* NULL = empty, TOMB = deleted */
    size_t nslots, used; /* used counts live entries and tombstones */
    entry *head, *tail;
    ria_lru_stats st;
};

static entry tomb_entry;
#define TOMB (&tomb_entry)

ria_lru *ria_lru_new(size_t max_bytes)
{
    ria_lru *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    pthread_mutex_init(&c->mu, NULL);
    c->st.max_bytes = max_bytes;
    return c;
}

static void unlink_entry(ria_lru *c, entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void push_front(ria_lru *c, entry *e)
{
    e->prev = NULL;
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (!c->tail)
        c->tail = e;
}

/* Slot of key, or of the first free slot for it when absent. */
static size_t find(const ria_lru *c, ria_hash128 key, bool *found)
{
    size_t mask = c->nslots - 1, i = key.lo & mask, first_free = SIZE_MAX;
    for (;; i = (i + 1) & mask) {
        entry *e = c->slots[i];
        if (!e) {
            *found = false;
            return first_free != SIZE_MAX ? first_free : i;
        }
        if (e == TOMB) {
            if (first_free == SIZE_MAX)
                first_free = i;
        } else if (e->key.lo == key.lo && e->key.hi == key.hi) {
            *found = true;
            return i;
        }
    }
}

static bool rehash(ria_lru *c)
{
    size_t n = 64;
    while (n < (c->st.entries + 1) * 4)
        n *= 2;
    entry **slots = calloc(n, sizeof *slots);
    if (!slots)
        return false;
    free(c->slots);
    c->slots = slots;
    c->nslots = n;
    c->used = 0;
    for (entry *e = c->head; e; e = e->next) {
        bool found;
        c->slots[find(c, e->key, &found)] = e;
        c->used++;
    }
    return true;
}

static void remove_entry(ria_lru *c, entry *e)
{
    bool found;
    size_t i = find(c, e->key, &found);
    if (found)
        c->slots[i] = TOMB;
    unlink_entry(c, e);
    c->st.bytes -= e->len + ENTRY_COST;
    c->st.entries--;
    free(e);
}

void *ria_lru_get(ria_lru *c, ria_hash128 key, size_t *out_len)
{
    void *copy = NULL;
    pthread_mutex_lock(&c->mu);
    bool found = false;
    size_t i = c->nslots ? find(c, key, &found) : 0;
    if (found) {
        entry *e = c->slots[i];
        unlink_entry(c, e);
        push_front(c, e);
        copy = malloc(e->len + 1);
        if (copy) {
            memcpy(copy, e->value, e->len);
            ((char *)copy)[e->len] = 0;
            if (out_len)
                *out_len = e->len;
        }
        c->st.hits++;
    } else {
        c->st.misses++;
    }
    pthread_mutex_unlock(&c->mu);
    return copy;
}

void ria_lru_put(ria_lru *c, ria_hash128 key, const void *value, size_t len)
{
    if (len + ENTRY_COST > c->st.max_bytes / 4)
        return;
    entry *e = malloc(sizeof *e + len);
    if (!e)
        return;
    e->key = key;
    e->len = len;
    memcpy(e->value, value, len);
    pthread_mutex_lock(&c->mu);
    bool found = false;
    if (c->nslots) {
        size_t i = find(c, key, &found);
        if (found)
            remove_entry(c, c->slots[i]);
    }
    while (c->tail && c->st.bytes + len + ENTRY_COST > c->st.max_bytes) {
        remove_entry(c, c->tail);
        c->st.evictions++;
    }
    if ((c->used + 1) * 2 > c->nslots && !rehash(c)) {
        pthread_mutex_unlock(&c->mu);
        free(e);
        return;
    }
    size_t i = find(c, key, &found);
    if (!c->slots[i])
        c->used++;
    c->slots[i] = e;
    push_front(c, e);
    c->st.bytes += len + ENTRY_COST;
    c->st.entries++;
    c->st.inserts++;
    pthread_mutex_unlock(&c->mu);
}

void ria_lru_clear(ria_lru *c)
{
    pthread_mutex_lock(&c->mu);
    while (c->head)
        remove_entry(c, c->head);
    if (c->slots)
        memset(c->slots, 0, c->nslots * sizeof *c->slots);
    c->used = 0;
    pthread_mutex_unlock(&c->mu);
}

void ria_lru_stats_get(ria_lru *c, ria_lru_stats *out)
{
    pthread_mutex_lock(&c->mu);
    *out = c->st;
    pthread_mutex_unlock(&c->mu);
}

void ria_lru_free(ria_lru *c)
{
    if (!c)
        return;
    while (c->head) {
        entry *e = c->head;
        c->head = e->next;
        free(e);
    }
    free(c->slots);
    pthread_mutex_destroy(&c->mu);
    free(c);
}
