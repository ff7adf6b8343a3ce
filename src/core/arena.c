/*
 * arena.c — bump allocation in malloc'd blocks, all freed together.
 * Invariant: every returned pointer is 16-byte aligned and zeroed.
 */
#include "core.h"

#include <stdlib.h>
#include <string.h>

struct ria_arena_block {
    ria_arena_block *next; /* older block */
    size_t size;           /* usable bytes in data */
    size_t used;           /* bytes handed out */
    _Alignas(16) unsigned char data[];
};

void ria_arena_init(ria_arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : 64 * 1024;
    a->total = 0;
}

void *ria_arena_alloc(ria_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    ria_arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > a->block_size ? n : a->block_size;
        b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->size = size;
        b->used = 0;
        b->next = a->head;
        a->head = b;
        a->total += size;
    }
    void *p = b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *ria_arena_strndup(ria_arena *a, const char *s, size_t n)
{
    char *p = ria_arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

char *ria_arena_strdup(ria_arena *a, const char *s)
{
    return ria_arena_strndup(a, s, strlen(s));
}

char *ria_arena_printf(ria_arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = n >= 0 ? ria_arena_alloc(a, (size_t)n + 1) : NULL;
    if (p)
        vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void ria_arena_reset(ria_arena *a)
{
    if (!a->head)
        return;
    ria_arena_block *keep = a->head, *b = keep->next;
    while (b) {
        ria_arena_block *next = b->next;
        a->total -= b->size;
        free(b);
        b = next;
    }
    keep->next = NULL;
    keep->used = 0;
}

void ria_arena_free(ria_arena *a)
{
    if (!a)
        return;
    ria_arena_block *b = a->head;
    while (b) {
        ria_arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}
