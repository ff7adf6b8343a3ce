/*
 * buf.c — growable byte buffers with a hard cap, and CSV fields written
 * into them or to a file.
 * Invariant: when data != NULL, data[len] == 0.
 */
#include "core.h"

#include <stdlib.h>
#include <string.h>

void ria_buf_init(ria_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

ria_status ria_buf_reserve(ria_buf *b, size_t n)
{
    size_t need = b->len + n + 1;
    if (need < b->len || (b->max && need > b->max + 1))
        return RIA_ELIMIT;
    if (need <= b->cap)
        return RIA_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    if (b->max && cap > b->max + 1)
        cap = b->max + 1;
    char *p = realloc(b->data, cap);
    if (!p)
        return RIA_ENOMEM;
    b->data = p;
    b->cap = cap;
    return RIA_OK;
}

ria_status ria_buf_append(ria_buf *b, const void *p, size_t n)
{
    ria_status rc = ria_buf_reserve(b, n);
    if (rc != RIA_OK)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return RIA_OK;
}

ria_status ria_buf_putc(ria_buf *b, char c)
{
    return ria_buf_append(b, &c, 1);
}

ria_status ria_buf_puts(ria_buf *b, const char *s)
{
    return ria_buf_append(b, s, strlen(s));
}

ria_status ria_buf_vprintf(ria_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return RIA_EINVAL;
    ria_status rc = ria_buf_reserve(b, (size_t)n);
    if (rc != RIA_OK)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return RIA_OK;
}

ria_status ria_buf_printf(ria_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ria_status rc = ria_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void ria_buf_reset(ria_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = 0;
}

void ria_buf_free(ria_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *ria_buf_steal(ria_buf *b)
{
    char *p = b->data;
    if (!p) {
        p = malloc(1);
        if (p)
            p[0] = 0;
    }
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

static bool csv_needs_quotes(const char *p, size_t n, bool edge_spaces)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r')
            return true;
    return edge_spaces && n && (p[0] == ' ' || p[n - 1] == ' ');
}

void ria_buf_csv_field(ria_buf *b, const char *p, size_t n, bool edge_spaces)
{
    if (!csv_needs_quotes(p, n, edge_spaces)) {
        ria_buf_append(b, p, n);
        return;
    }
    ria_buf_putc(b, '"');
    const char *q;
    while (n && (q = memchr(p, '"', n)) != NULL) {
        size_t k = (size_t)(q - p) + 1; /* up to and with the quote, */
        ria_buf_append(b, p, k);
        ria_buf_putc(b, '"'); /* which is doubled */
        p += k;
        n -= k;
    }
    ria_buf_append(b, p, n);
    ria_buf_putc(b, '"');
}

void ria_fput_csv_field(FILE *f, const char *p, size_t n, bool edge_spaces)
{
    if (!csv_needs_quotes(p, n, edge_spaces)) {
        fwrite(p, 1, n, f);
        return;
    }
    /* quoting is rare: build the quoted field, then write it at once */
    ria_buf q;
    ria_buf_init(&q, 0);
    ria_buf_csv_field(&q, p, n, edge_spaces);
    if (q.data)
        fwrite(q.data, 1, q.len, f);
    ria_buf_free(&q);
}
