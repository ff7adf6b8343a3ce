/*
 * csv_encoding.c — the text conversions of the CSV reader: Windows-1252 and
 * UTF-16 to UTF-8, and cutting UTF-8 text without splitting a character.
 *
 * Invariant: every output is valid UTF-8 whatever the input bytes (an
 * unpaired surrogate or a dangling byte becomes U+FFFD).  No allocation:
 * callers provide output space of the documented size.
 */
#include "ingest/csv.h"

/* Windows-1252 0x80..0x9F.  The five bytes the code page leaves undefined
 * (0x81 0x8D 0x8F 0x90 0x9D) map to the C1 control of the same value, as in
 * the WHATWG Encoding Standard: lossless, and visibly odd if ever shown. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, /* 80-87 */
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F, /* 88-8F */
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, /* 90-97 */
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178, /* 98-9F */
};

uint32_t ria_csv_cp1252_codepoint(uint8_t b)
{
    if (b >= 0x80 && b <= 0x9F)
        return cp1252_high[b - 0x80];
    return b; /* ASCII, and 0xA0..0xFF are Latin-1 */
}

/* Writes code point cp (< 0x110000, not a surrogate) as UTF-8; returns the
 * length. */
static size_t put_utf8(char *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t ria_csv_cp1252_to_utf8(const char *in, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)in[i];
        if (b < 0x80)
            out[k++] = (char)b;
        else
            k += put_utf8(out + k, ria_csv_cp1252_codepoint(b));
    }
    return k;
}

#define REPLACEMENT 0xFFFDu

/* Feeds one UTF-16 code unit; returns the bytes written to out (<= 6). */
static size_t utf16_unit(ria_csv_utf16 *st, uint16_t u, char *out)
{
    size_t k = 0;
    if (st->high) {
        if (u >= 0xDC00 && u <= 0xDFFF) {
            uint32_t cp = 0x10000u + (((uint32_t)st->high - 0xD800u) << 10) + (u - 0xDC00u);
            st->high = 0;
            return put_utf8(out, cp);
        }
        k += put_utf8(out, REPLACEMENT);
        st->high = 0;
    }
    if (u >= 0xD800 && u <= 0xDBFF)
        st->high = u;
    else if (u >= 0xDC00 && u <= 0xDFFF)
        k += put_utf8(out + k, REPLACEMENT);
    else
        k += put_utf8(out + k, u);
    return k;
}

size_t ria_csv_utf16_to_utf8(ria_csv_utf16 *st, const uint8_t *in, size_t n, bool final,
                             char *out)
{
    size_t k = 0, i = 0;
    if (st->has_byte && n > 0) {
        uint8_t a = st->byte, b = in[0];
        uint16_t u = st->big_endian ? (uint16_t)(a << 8 | b) : (uint16_t)(b << 8 | a);
        k += utf16_unit(st, u, out + k);
        st->has_byte = false;
        i = 1;
    }
    for (; i + 1 < n; i += 2) {
        uint8_t a = in[i], b = in[i + 1];
        uint16_t u = st->big_endian ? (uint16_t)(a << 8 | b) : (uint16_t)(b << 8 | a);
        if (u < 0x80 && !st->high)
            out[k++] = (char)u; /* the common case: ASCII */
        else
            k += utf16_unit(st, u, out + k);
    }
    if (i < n) {
        st->byte = in[i];
        st->has_byte = true;
    }
    if (final) {
        if (st->high) {
            k += put_utf8(out + k, REPLACEMENT);
            st->high = 0;
        }
        if (st->has_byte) {
            k += put_utf8(out + k, REPLACEMENT);
            st->has_byte = false;
        }
    }
    return k;
}

size_t ria_csv_utf8_cut(const char *p, size_t n)
{
    /* Find the start of the last sequence among the last four bytes. */
    size_t k = n;
    while (k > 0 && n - k < 4 && ((uint8_t)p[k - 1] & 0xC0) == 0x80)
        k--;
    if (k == 0)
        return n;
    uint8_t lead = (uint8_t)p[k - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (need > 1 && (k - 1) + need > n)
        return k - 1;
    return n;
}
