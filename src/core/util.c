/*
 * util.c — small string helpers shared by every component.
 */
#include "core.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool ria_slice_ieq(ria_slice s, const char *z)
{
    size_t n = strlen(z);
    if (n != s.n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)s.p[i]) != tolower((unsigned char)z[i]))
            return false;
    return true;
}

size_t ria_normalize_name(const char *p, size_t n, char *out, size_t outsz)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < outsz; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == ' ' || c == '-' || c == '_' || c == '.' || c == '\t')
            continue;
        out[k++] = (char)tolower(c);
    }
    if (outsz)
        out[k] = 0;
    return k;
}

size_t ria_snake_name(const char *p, size_t n, char *out, size_t outsz)
{
    size_t k = 0;
    bool pending = false;
    for (size_t i = 0; i < n && k + 2 < outsz; i++) {
        unsigned char c = (unsigned char)p[i];
        if (isalnum(c)) {
            if (pending && k)
                out[k++] = '_';
            pending = false;
            if (k == 0 && isdigit(c))
                out[k++] = 'c';
            out[k++] = (char)tolower(c);
        } else if (c >= 0x80) {
            if (pending && k)
                out[k++] = '_';
            pending = false;
            out[k++] = (char)c;
        } else {
            pending = true;
        }
    }
    if (outsz)
        out[k] = 0;
    return k;
}

bool ria_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        /* fast path over ASCII, eight bytes at a time */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        unsigned char c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        int len;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            len = 3, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            len = 4, cp = c & 0x07;
        else
            return false;
        if (i + (size_t)len > n)
            return false;
        for (int j = 1; j < len; j++) {
            if ((p[i + (size_t)j] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + (size_t)j] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return false;
        i += (size_t)len;
    }
    return true;
}

bool ria_parse_i64(const char *s, int64_t *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool ria_parse_size(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return false;
    uint64_t mul = 1;
    switch (*end) {
    case 0: break;
    case 'k': case 'K': mul = 1ULL << 10; end++; break;
    case 'm': case 'M': mul = 1ULL << 20; end++; break;
    case 'g': case 'G': mul = 1ULL << 30; end++; break;
    default: return false;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end)
        return false;
    *out = v * mul;
    return true;
}
