/*
 * segment.c — the columnar segment file: an immutable file of rows cut into
 * blocks of RIA_BLOCK_ROWS, each column of each block encoded on its own
 * (constant, frame-of-reference bit-packing with a GCD, raw int64, or a
 * zstd-compressed string heap) with a zone map and an XXH3-64 checksum that
 * every read verifies.
 *
 * File layout (integers little-endian; block formats in segment_internal.h):
 *   header   64 bytes: "RIASEGMT", u32 format, u32 header size, u64 rows,
 *            u32 blocks, u32 columns, u32 block rows, zeros, and at 56 the
 *            XXH3-64 of bytes 0..56
 *   data     the encoded blocks, column after column, each 8-byte aligned
 *   footer   u32 columns, u32 blocks, then per column u32 id, u32 kind and
 *            per block 48 bytes: u64 offset, u32 length, u8 encoding, 3
 *            zeros, i64 min, i64 max, u32 nulls, u32 rows, u64 XXH3-64
 *   trailer  32 bytes: u64 footer offset, u64 footer length, u64 XXH3-64 of
 *            the footer, "RIASEGND"
 *
 * Key invariant: once ria_segment_open succeeds, every block entry lies
 * inside the data area, and a reader checks a block's own header against its
 * length before decoding, so no input, however malformed, is read outside
 * the mapping.  Bit-packed areas end in 8 bytes of padding so the 8-byte load
 * of the last value stays inside the block.
 *
 * Ownership: a ria_segment owns its mapping and directory and is never
 * modified after open, so threads may read it concurrently.  Decoded values
 * go to caller memory; heap strings go to the caller's ria_scratch, which
 * also caches that thread's zstd decompression context.
 */
#include "store/segment_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "segment files are read and written with native little-endian loads"
#endif

#define SEG_MAGIC "RIASEGMT"
#define END_MAGIC "RIASEGND"
#define HDR_SIZE 64
#define TRAILER_SIZE 32
#define DIR_COL_SIZE 8
#define DIR_BLOCK_SIZE 48
#define NUM_HDR 24
#define HEAP_HDR 16
#define MAX_COLS 65536
/* Decompressed heap block cap: lengths plus bytes of 8192 strings. */
#define HEAP_BLOCK_MAX (256u << 20)
/* Level 1: on order-id-like columns it compresses as well as levels 3-5
 * (better, in bench/segment_bench.c) at a fraction of the time. */
#define HEAP_ZSTD_LEVEL 1
#define OUT_BUF_SIZE (1u << 20)

/* A fuzzer cannot forge XXH3 checksums; fuzzing builds skip the comparison
 * so malformed structure behind a valid-looking checksum gets exercised. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define SUM_OK(a, b) ((void)(a), (void)(b), true)
#else
#define SUM_OK(a, b) ((a) == (b))
#endif

typedef struct {
    uint64_t off;  /* file offset of the encoded block */
    uint64_t sum;  /* XXH3-64 of the len encoded bytes */
    ria_zone zone;
    uint32_t len;  /* encoded bytes, within the data area */
    uint8_t enc;   /* RIA_ENC_*, valid for the column's kind */
} blockent;

typedef struct {
    uint32_t id;
    ria_kind kind;
    uint64_t bytes;    /* sum of the blocks' lengths */
    blockent *blocks;  /* nblocks entries, into ria_segment.ents */
} segcol;

struct ria_segment {
    char *path;           /* for messages */
    const uint8_t *map;   /* the whole file, read-only */
    size_t size;
    uint64_t nrows;
    uint32_t nblocks;     /* ceil(nrows / RIA_BLOCK_ROWS) */
    uint32_t ncols;
    segcol *cols;         /* sorted by id, ids unique */
    blockent *ents;       /* ncols * nblocks */
};

static inline uint64_t ld64(const uint8_t *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

static inline uint32_t ld32(const uint8_t *p)
{
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}

static inline void st64(uint8_t *p, uint64_t x)
{
    memcpy(p, &x, 8);
}

static inline void st32(uint8_t *p, uint32_t x)
{
    memcpy(p, &x, 4);
}

static inline size_t bitmap_bytes(uint32_t n)
{
    return 8 * (((size_t)n + 63) / 64);
}

static inline size_t packed_bytes(uint32_t n, unsigned w)
{
    return 8 * (((uint64_t)n * w + 63) / 64) + 8;
}

/* ================================================================ encoding */

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    if (!a || !b)
        return a | b;
    int shift = __builtin_ctzll(a | b);
    a >>= __builtin_ctzll(a);
    do {
        b >>= __builtin_ctzll(b);
        if (a > b) {
            uint64_t t = a;
            a = b;
            b = t;
        }
        b -= a;
    } while (b);
    return a << shift;
}

/* Exact division by a constant d = odd << shift: x / d is
 * (x >> shift) * inverse(odd) mod 2^64 when d divides x, and d divides x iff
 * the low shift bits are zero and that product is <= UINT64_MAX / odd. */
typedef struct {
    unsigned shift;
    uint64_t low; /* mask of the low `shift` bits */
    uint64_t inv; /* inverse of the odd part mod 2^64 */
    uint64_t lim; /* UINT64_MAX / odd part */
} divisor;

static divisor divisor_of(uint64_t d)
{
    divisor r;
    r.shift = (unsigned)__builtin_ctzll(d);
    r.low = (UINT64_C(1) << r.shift) - 1;
    uint64_t odd = d >> r.shift, x = odd; /* correct to 3 bits */
    for (int i = 0; i < 5; i++)
        x *= 2 - odd * x; /* Newton step doubles the correct bits */
    r.inv = x;
    r.lim = UINT64_MAX / odd;
    return r;
}

static inline bool divides(const divisor *d, uint64_t x)
{
    return (x & d->low) == 0 && (x >> d->shift) * d->inv <= d->lim;
}

static inline uint64_t divide_exact(const divisor *d, uint64_t x)
{
    return (x >> d->shift) * d->inv;
}

typedef struct {
    int64_t min, max; /* over non-null values (undefined when all are NULL) */
    uint32_t nulls;
    uint64_t gcd;     /* of (v - min) over non-null values; 0 when all equal */
    uint64_t nullbits[RIA_BLOCK_ROWS / 64]; /* bit i set = row i is NULL */
} numstats;

/* One pass over a block: min, max, NULLs and the GCD of the differences.
 * The GCD of (v - ref) for any non-null ref equals that of (v - min), so it
 * needs no second pass; the divisibility test is a multiply, and the GCD is
 * recomputed only the few times it shrinks.  Branch-free but for that. */
static void num_stats(const int64_t *v, uint32_t n, int64_t null, numstats *st)
{
    int64_t mn = INT64_MAX, mx = INT64_MIN, ref = null;
    uint64_t g = 0;
    uint32_t nulls = 0;
    divisor dv = {0, UINT64_MAX, 0, 0}; /* divides only 0 */
    for (uint32_t i = 0; i < n && ref == null; i++)
        ref = v[i];
    for (uint32_t w0 = 0; w0 < n; w0 += 64) {
        uint64_t m = 0;
        uint32_t k = RIA_MIN(64, n - w0);
        for (uint32_t j = 0; j < k; j++) {
            int64_t x = v[w0 + j];
            bool is_null = x == null;
            m |= (uint64_t)is_null << j;
            mn = !is_null && x < mn ? x : mn;
            mx = !is_null && x > mx ? x : mx;
            uint64_t d = is_null    ? 0
                         : x >= ref ? (uint64_t)x - (uint64_t)ref
                                    : (uint64_t)ref - (uint64_t)x;
            if (__builtin_expect(!divides(&dv, d), 0)) {
                g = gcd64(g, d);
                dv = divisor_of(g);
            }
        }
        st->nullbits[w0 / 64] = m;
        nulls += (uint32_t)__builtin_popcountll(m);
    }
    st->min = mn;
    st->max = mx;
    st->nulls = nulls;
    st->gcd = g;
}

/* Packs (v - min) / d of every row (0 for NULLs) at w bits each, then the
 * zero padding; writes exactly packed_bytes(n, w) bytes.  1 <= w <= 56.
 * Branch-free: the word in progress is stored on every step and the output
 * pointer advances by 8 only when it filled up. */
static void pack(const int64_t *v, uint32_t n, int64_t null, int64_t min, const divisor *d,
                 unsigned w, uint8_t *out)
{
    uint64_t acc = 0;
    unsigned bits = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t q = v[i] == null ? 0 : divide_exact(d, (uint64_t)v[i] - (uint64_t)min);
        acc |= q << bits;
        bits += w;
        st64(out, acc);
        unsigned full = bits >> 6; /* 0 or 1 */
        out += 8 * full;
        bits &= 63;
        uint64_t carry = q >> ((w - bits) & 63); /* the part that did not fit */
        acc = full ? carry : acc;
    }
    if (bits) {
        st64(out, acc);
        out += 8;
    }
    st64(out, 0);
}

static uint8_t *put_num_header(uint8_t *p, uint8_t enc, unsigned w, bool nulls, uint32_t n,
                               int64_t base, uint64_t gcd)
{
    p[0] = enc;
    p[1] = (uint8_t)w;
    p[2] = nulls;
    p[3] = 0;
    st32(p + 4, n);
    st64(p + 8, (uint64_t)base);
    st64(p + 16, gcd);
    return p + NUM_HDR;
}

ria_status ria_block_encode_num(const int64_t *v, uint32_t n, int64_t null, bool allow_raw,
                                ria_buf *out, ria_zone *zone, uint8_t *out_enc, ria_error *err)
{
    if (n == 0 || n > RIA_BLOCK_ROWS)
        return ria_fail(err, RIA_EINVAL, "block of %u rows", n);
    ria_status rc = ria_buf_reserve(out, ria_block_max_bytes(n));
    if (rc != RIA_OK)
        return ria_fail(err, rc, "no memory for a block");
    numstats st;
    num_stats(v, n, null, &st);
    bool all_null = st.nulls == n, nulls = st.nulls && !all_null;
    *zone = (ria_zone){all_null ? 0 : st.min, all_null ? 0 : st.max, st.nulls, n};
    uint8_t *start = (uint8_t *)out->data + out->len, *p = start;
    size_t bm = nulls ? bitmap_bytes(n) : 0;
    if (all_null || st.gcd == 0) {
        *out_enc = RIA_ENC_CONST;
        p = put_num_header(p, RIA_ENC_CONST, 0, nulls, n, all_null ? null : st.min, 1);
        memcpy(p, st.nullbits, bm);
        p += bm;
        goto done;
    }
    divisor dv = divisor_of(st.gcd);
    uint64_t range = (uint64_t)st.max - (uint64_t)st.min; /* no overflow */
    unsigned w = 64 - (unsigned)__builtin_clzll(divide_exact(&dv, range));
    size_t for_size = w <= RIA_FOR_MAX_WIDTH ? NUM_HDR + bm + packed_bytes(n, w) : SIZE_MAX;
    size_t raw_size = allow_raw ? NUM_HDR + 8 * (size_t)n : SIZE_MAX;
    if (for_size == SIZE_MAX && raw_size == SIZE_MAX)
        return ria_fail(err, RIA_EINVAL, "code range of %u bits does not pack", w);
    if (for_size <= raw_size) {
        *out_enc = RIA_ENC_FOR;
        p = put_num_header(p, RIA_ENC_FOR, w, nulls, n, st.min, st.gcd);
        memcpy(p, st.nullbits, bm);
        p += bm;
        pack(v, n, null, st.min, &dv, w, p);
        p += packed_bytes(n, w);
    } else {
        *out_enc = RIA_ENC_RAW;
        p = put_num_header(p, RIA_ENC_RAW, 0, false, n, st.min, 1);
        memcpy(p, v, 8 * (size_t)n);
        p += 8 * (size_t)n;
    }
done:
    out->len += (size_t)(p - start);
    out->data[out->len] = 0;
    return RIA_OK;
}

/* ================================================================ decoding */

/* The unpack kernel for a compile-time width: 8 values span exactly w bytes,
 * so within a group every load offset and shift is a constant. */
static inline __attribute__((always_inline)) void
unpack(const uint8_t *src, uint32_t n, unsigned w, uint64_t base, uint64_t gcd, int64_t *o64,
       uint32_t *o32)
{
    const uint64_t mask = (UINT64_C(1) << w) - 1;
    uint32_t i = 0, groups = n / 8;
    for (uint32_t g = 0; g < groups; g++, src += w) {
#pragma GCC unroll 8
        for (unsigned j = 0; j < 8; j++, i++) {
            uint64_t q = (ld64(src + ((j * w) >> 3)) >> ((j * w) & 7)) & mask;
            uint64_t x = base + q * gcd;
            if (o32)
                o32[i] = (uint32_t)x;
            else
                o64[i] = (int64_t)x;
        }
    }
    for (uint64_t bit = 0; i < n; i++, bit += w) {
        uint64_t q = (ld64(src + (bit >> 3)) >> (bit & 7)) & mask;
        uint64_t x = base + q * gcd;
        if (o32)
            o32[i] = (uint32_t)x;
        else
            o64[i] = (int64_t)x;
    }
}

#define WIDTHS(X)                                                                              \
    X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)      \
    X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23) X(24) X(25) X(26) X(27) X(28) X(29)        \
    X(30) X(31) X(32) X(33) X(34) X(35) X(36) X(37) X(38) X(39) X(40) X(41) X(42) X(43)        \
    X(44) X(45) X(46) X(47) X(48) X(49) X(50) X(51) X(52) X(53) X(54) X(55) X(56)

/* One specialised loop per width, with and without a GCD multiply. */
static void unpack_i64(const uint8_t *src, uint32_t n, unsigned w, uint64_t base, uint64_t gcd,
                       int64_t *out)
{
#define CASE_G1(W)                                                                             \
    case W:                                                                                    \
        unpack(src, n, W, base, 1, out, NULL);                                                 \
        return;
#define CASE_GN(W)                                                                             \
    case W:                                                                                    \
        unpack(src, n, W, base, gcd, out, NULL);                                               \
        return;
    if (gcd == 1) {
        switch (w) { WIDTHS(CASE_G1) }
    } else {
        switch (w) { WIDTHS(CASE_GN) }
    }
#undef CASE_G1
#undef CASE_GN
}

static void unpack_codes(const uint8_t *src, uint32_t n, unsigned w, uint64_t base,
                         uint64_t gcd, uint32_t *out)
{
#define CASE_G1(W)                                                                             \
    case W:                                                                                    \
        unpack(src, n, W, base, 1, NULL, out);                                                 \
        return;
#define CASE_GN(W)                                                                             \
    case W:                                                                                    \
        unpack(src, n, W, base, gcd, NULL, out);                                               \
        return;
    if (gcd == 1) {
        switch (w) { WIDTHS(CASE_G1) }
    } else {
        switch (w) { WIDTHS(CASE_GN) }
    }
#undef CASE_G1
#undef CASE_GN
}

typedef struct {
    uint8_t enc, width;
    bool has_nulls;
    uint64_t base, gcd;
    const uint8_t *bitmap;  /* bitmap_bytes(rows) bytes when has_nulls */
    const uint8_t *payload; /* packed or raw values */
} numblock;

/* Parses and bounds-checks a numeric block header: on success the block is
 * exactly as long as its header says. */
static ria_status parse_num(const uint8_t *p, size_t len, uint32_t rows, bool codes,
                            numblock *nb, ria_error *err)
{
    if (len < NUM_HDR)
        return ria_fail(err, RIA_ECORRUPT, "block of %zu bytes is shorter than its header", len);
    nb->enc = p[0];
    nb->width = p[1];
    nb->has_nulls = p[2] == 1;
    nb->base = ld64(p + 8);
    nb->gcd = ld64(p + 16);
    if (ld32(p + 4) != rows || p[2] > 1 || p[3] != 0)
        return ria_fail(err, RIA_ECORRUPT, "bad block header");
    size_t need = NUM_HDR + (nb->has_nulls ? bitmap_bytes(rows) : 0);
    nb->bitmap = p + NUM_HDR;
    nb->payload = p + need;
    if (nb->enc == RIA_ENC_FOR && nb->width <= RIA_FOR_MAX_WIDTH)
        need += packed_bytes(rows, nb->width);
    else if (nb->enc == RIA_ENC_RAW && !codes && !nb->has_nulls)
        need += 8 * (size_t)rows;
    else if (nb->enc != RIA_ENC_CONST || nb->width != 0)
        return ria_fail(err, RIA_ECORRUPT, "bad block encoding %u/%u", nb->enc, nb->width);
    if (need != len)
        return ria_fail(err, RIA_ECORRUPT, "block is %zu bytes, its header says %zu", len, need);
    return RIA_OK;
}

ria_status ria_block_decode_i64(const uint8_t *p, size_t len, uint32_t rows, int64_t *out,
                                ria_error *err)
{
    numblock nb;
    ria_status rc = parse_num(p, len, rows, false, &nb, err);
    if (rc != RIA_OK)
        return rc;
    if (nb.enc == RIA_ENC_CONST) {
        for (uint32_t i = 0; i < rows; i++)
            out[i] = (int64_t)nb.base;
    } else if (nb.enc == RIA_ENC_FOR) {
        unpack_i64(nb.payload, rows, nb.width, nb.base, nb.gcd, out);
    } else {
        memcpy(out, nb.payload, 8 * (size_t)rows);
    }
    if (nb.has_nulls) {
        for (uint32_t w0 = 0; w0 < rows; w0 += 64) {
            uint64_t m = ld64(nb.bitmap + w0 / 8);
            for (; m; m &= m - 1) {
                uint32_t i = w0 + (uint32_t)__builtin_ctzll(m);
                if (i < rows)
                    out[i] = RIA_NULL_I64;
            }
        }
    }
    return RIA_OK;
}

ria_status ria_block_decode_codes(const uint8_t *p, size_t len, uint32_t rows, uint32_t *out,
                                  ria_error *err)
{
    numblock nb;
    ria_status rc = parse_num(p, len, rows, true, &nb, err);
    if (rc != RIA_OK)
        return rc;
    if (nb.enc == RIA_ENC_CONST) {
        for (uint32_t i = 0; i < rows; i++)
            out[i] = (uint32_t)nb.base;
    } else {
        unpack_codes(nb.payload, rows, nb.width, nb.base, nb.gcd, out);
    }
    if (nb.has_nulls) {
        for (uint32_t w0 = 0; w0 < rows; w0 += 64) {
            uint64_t m = ld64(nb.bitmap + w0 / 8);
            for (; m; m &= m - 1) {
                uint32_t i = w0 + (uint32_t)__builtin_ctzll(m);
                if (i < rows)
                    out[i] = 0;
            }
        }
    }
    return RIA_OK;
}

/* ============================================================ heap blocks */

/* Makes room for `need` bytes in the scratch; returns the area. */
static uint8_t *scratch_area(ria_scratch *s, size_t need)
{
    if (!s->mem || s->cap < need) {
        size_t cap = RIA_MAX(need, s->cap + s->cap / 2);
        void *m = realloc(s->mem, cap ? cap : 1);
        if (!m)
            return NULL;
        s->mem = m;
        s->cap = cap;
    }
    return s->mem;
}

static ZSTD_DCtx *scratch_dctx(ria_scratch *s)
{
    if (!s->ctx)
        s->ctx = ZSTD_createDCtx();
    return s->ctx;
}

void ria_scratch_free(ria_scratch *s)
{
    if (!s)
        return;
    ZSTD_freeDCtx(s->ctx);
    free(s->mem);
    s->mem = NULL;
    s->ctx = NULL;
    s->cap = 0;
}

/* Decompresses a heap block into the scratch: offs[rows + 1], then the
 * lengths (consumed), then the string bytes. */
static ria_status decode_heap(const uint8_t *p, size_t len, uint32_t rows, ria_heapvec *out,
                              ria_scratch *s, ria_error *err)
{
    if (len < HEAP_HDR || p[0] != RIA_ENC_HEAP_ZSTD || ld32(p + 4) != rows)
        return ria_fail(err, RIA_ECORRUPT, "bad heap block header");
    size_t raw = ld32(p + 8), lens = 4 * (size_t)rows;
    if (raw < lens || raw > HEAP_BLOCK_MAX ||
        ZSTD_getFrameContentSize(p + HEAP_HDR, len - HEAP_HDR) != raw)
        return ria_fail(err, RIA_ECORRUPT, "heap block of %zu bytes for %u rows", raw, rows);
    uint8_t *area = scratch_area(s, 4 * ((size_t)rows + 1) + raw);
    ZSTD_DCtx *dctx = area ? scratch_dctx(s) : NULL;
    if (!dctx)
        return ria_fail(err, RIA_ENOMEM, "no memory for a heap block of %zu bytes", raw);
    uint8_t *dst = area + 4 * ((size_t)rows + 1);
    size_t got = ZSTD_decompressDCtx(dctx, dst, raw, p + HEAP_HDR, len - HEAP_HDR);
    if (ZSTD_isError(got) || got != raw)
        return ria_fail(err, RIA_ECORRUPT, "heap block does not decompress: %s",
                        ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short");
    uint32_t *offs = (uint32_t *)(void *)area;
    uint64_t at = 0;
    offs[0] = 0;
    for (uint32_t i = 0; i < rows; i++) {
        at += ld32(dst + 4 * (size_t)i);
        if (at > raw - lens)
            return ria_fail(err, RIA_ECORRUPT, "heap string %u runs past the block", i);
        offs[i + 1] = (uint32_t)at;
    }
    if (at != raw - lens)
        return ria_fail(err, RIA_ECORRUPT, "heap block has %zu stray bytes",
                        (size_t)(raw - lens - at));
    out->offs = offs;
    out->bytes = (const char *)dst + lens;
    return RIA_OK;
}

/* ================================================================ reading */

static int col_cmp(const void *a, const void *b)
{
    uint32_t x = ((const segcol *)a)->id, y = ((const segcol *)b)->id;
    return (x > y) - (x < y);
}

static const segcol *find_col(const ria_segment *seg, uint32_t id)
{
    size_t lo = 0, hi = seg->ncols;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (seg->cols[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < seg->ncols && seg->cols[lo].id == id ? &seg->cols[lo] : NULL;
}

uint64_t ria_segment_rows(const ria_segment *seg)
{
    return seg->nrows;
}

uint32_t ria_segment_nblocks(const ria_segment *seg)
{
    return seg->nblocks;
}

uint32_t ria_segment_block_rows(const ria_segment *seg, uint32_t b)
{
    if (b >= seg->nblocks)
        return 0;
    uint64_t left = seg->nrows - (uint64_t)b * RIA_BLOCK_ROWS;
    return left < RIA_BLOCK_ROWS ? (uint32_t)left : RIA_BLOCK_ROWS;
}

uint32_t ria_segment_ncols(const ria_segment *seg)
{
    return seg->ncols;
}

uint32_t ria_segment_col_at(const ria_segment *seg, uint32_t i, ria_kind *out_kind)
{
    if (out_kind)
        *out_kind = seg->cols[i].kind;
    return seg->cols[i].id;
}

uint64_t ria_segment_column_bytes(const ria_segment *seg, uint32_t col_id)
{
    const segcol *c = find_col(seg, col_id);
    return c ? c->bytes : 0;
}

bool ria_segment_has_column(const ria_segment *seg, uint32_t col_id)
{
    return find_col(seg, col_id) != NULL;
}

bool ria_segment_zone(const ria_segment *seg, uint32_t col_id, uint32_t b, ria_zone *out)
{
    const segcol *c = find_col(seg, col_id);
    if (!c || b >= seg->nblocks)
        return false;
    *out = c->blocks[b].zone;
    return true;
}

/* Looks up column col_id for a read of block b: *out_c is NULL when the
 * segment lacks the column, else its kind must be `kind`. */
static ria_status read_begin(const ria_segment *seg, uint32_t col_id, uint32_t b, ria_kind kind,
                             const segcol **out_c, uint32_t *out_rows, ria_error *err)
{
    if (b >= seg->nblocks)
        return ria_fail(err, RIA_EINVAL, "%s: block %u of %u", seg->path, b, seg->nblocks);
    *out_rows = ria_segment_block_rows(seg, b);
    *out_c = find_col(seg, col_id);
    if (*out_c && (*out_c)->kind != kind)
        return ria_fail(err, RIA_EINVAL, "%s: column %u is of kind %d, read as kind %d",
                        seg->path, col_id, (int)(*out_c)->kind, (int)kind);
    return RIA_OK;
}

/* The verified bytes of one block. */
static ria_status block_bytes(const ria_segment *seg, const segcol *c, uint32_t b,
                              const uint8_t **out, size_t *out_len, ria_error *err)
{
    const blockent *e = &c->blocks[b];
    const uint8_t *p = seg->map + e->off;
    if (!SUM_OK(ria_hash64(p, e->len), e->sum))
        return ria_fail(err, RIA_ECORRUPT, "%s: column %u block %u: checksum mismatch",
                        seg->path, c->id, b);
    *out = p;
    *out_len = e->len;
    return RIA_OK;
}

ria_status ria_segment_read_i64(const ria_segment *seg, uint32_t col_id, uint32_t b,
                                int64_t *out, ria_error *err)
{
    const segcol *c;
    const uint8_t *p;
    size_t len;
    uint32_t rows;
    ria_status rc = read_begin(seg, col_id, b, RIA_KIND_I64, &c, &rows, err);
    if (rc != RIA_OK)
        return rc;
    if (!c) {
        for (uint32_t i = 0; i < rows; i++)
            out[i] = RIA_NULL_I64;
        return RIA_OK;
    }
    if ((rc = block_bytes(seg, c, b, &p, &len, err)) != RIA_OK)
        return rc;
    if ((rc = ria_block_decode_i64(p, len, rows, out, err)) != RIA_OK)
        ria_error_prefix(err, "%s: column %u block %u", seg->path, col_id, b);
    return rc;
}

ria_status ria_segment_read_codes(const ria_segment *seg, uint32_t col_id, uint32_t b,
                                  uint32_t *out, ria_error *err)
{
    const segcol *c;
    const uint8_t *p;
    size_t len;
    uint32_t rows;
    ria_status rc = read_begin(seg, col_id, b, RIA_KIND_CODE, &c, &rows, err);
    if (rc != RIA_OK)
        return rc;
    if (!c) {
        memset(out, 0, 4 * (size_t)rows);
        return RIA_OK;
    }
    if ((rc = block_bytes(seg, c, b, &p, &len, err)) != RIA_OK)
        return rc;
    if ((rc = ria_block_decode_codes(p, len, rows, out, err)) != RIA_OK)
        ria_error_prefix(err, "%s: column %u block %u", seg->path, col_id, b);
    return rc;
}

ria_status ria_segment_read_heap(const ria_segment *seg, uint32_t col_id, uint32_t b,
                                 ria_heapvec *out, ria_scratch *scratch, ria_error *err)
{
    const segcol *c;
    const uint8_t *p;
    size_t len;
    uint32_t rows;
    ria_status rc = read_begin(seg, col_id, b, RIA_KIND_HEAP, &c, &rows, err);
    if (rc != RIA_OK)
        return rc;
    if (!c) {
        uint8_t *area = scratch_area(scratch, 4 * ((size_t)rows + 1) + 1);
        if (!area)
            return ria_fail(err, RIA_ENOMEM, "no memory for %u empty strings", rows);
        memset(area, 0, 4 * ((size_t)rows + 1) + 1);
        out->offs = (const uint32_t *)(void *)area;
        out->bytes = (const char *)area + 4 * ((size_t)rows + 1);
        return RIA_OK;
    }
    if ((rc = block_bytes(seg, c, b, &p, &len, err)) != RIA_OK)
        return rc;
    if ((rc = decode_heap(p, len, rows, out, scratch, err)) != RIA_OK)
        ria_error_prefix(err, "%s: column %u block %u", seg->path, col_id, b);
    return rc;
}

/* ================================================================ opening */

static ria_status map_file(ria_segment *seg, ria_error *err)
{
    int fd = open(seg->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ria_fail(err, errno == ENOENT ? RIA_ENOTFOUND : RIA_EIO, "%s: %s", seg->path,
                        strerror(errno));
    ria_status rc = RIA_OK;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = ria_fail(err, RIA_EIO, "%s: %s", seg->path, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size < HDR_SIZE + TRAILER_SIZE) {
        rc = ria_fail(err, RIA_ECORRUPT, "%s: not a segment file (%lld bytes)", seg->path,
                      (long long)st.st_size);
        goto done;
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
        rc = ria_fail(err, RIA_EIO, "%s: mmap: %s", seg->path, strerror(errno));
        goto done;
    }
    seg->map = m;
    seg->size = (size_t)st.st_size;
done:
    close(fd);
    return rc;
}

static ria_status check_header(ria_segment *seg, ria_error *err)
{
    const uint8_t *h = seg->map;
    if (memcmp(h, SEG_MAGIC, 8) != 0)
        return ria_fail(err, RIA_ECORRUPT, "%s: not a segment file (bad magic)", seg->path);
    if (ld32(h + 8) != RIA_SEGMENT_FORMAT || ld32(h + 12) != HDR_SIZE)
        return ria_fail(err, RIA_ECORRUPT, "%s: segment format %u, expected %d", seg->path,
                        ld32(h + 8), RIA_SEGMENT_FORMAT);
    if (!SUM_OK(ria_hash64(h, HDR_SIZE - 8), ld64(h + HDR_SIZE - 8)))
        return ria_fail(err, RIA_ECORRUPT, "%s: header checksum mismatch", seg->path);
    seg->nrows = ld64(h + 16);
    seg->nblocks = ld32(h + 24);
    seg->ncols = ld32(h + 28);
    uint64_t want = seg->nrows / RIA_BLOCK_ROWS + (seg->nrows % RIA_BLOCK_ROWS != 0);
    if (ld32(h + 32) != RIA_BLOCK_ROWS || want != seg->nblocks || seg->ncols > MAX_COLS)
        return ria_fail(err, RIA_ECORRUPT, "%s: inconsistent header (%llu rows, %u blocks)",
                        seg->path, (unsigned long long)seg->nrows, seg->nblocks);
    return RIA_OK;
}

static ria_status check_trailer(ria_segment *seg, uint64_t *foff, uint64_t *flen,
                                ria_error *err)
{
    const uint8_t *t = seg->map + seg->size - TRAILER_SIZE;
    uint64_t end = seg->size - TRAILER_SIZE;
    if (memcmp(t + 24, END_MAGIC, 8) != 0)
        return ria_fail(err, RIA_ECORRUPT, "%s: truncated segment (no trailer)", seg->path);
    *foff = ld64(t);
    *flen = ld64(t + 8);
    if (*foff < HDR_SIZE || *foff > end || *flen != end - *foff)
        return ria_fail(err, RIA_ECORRUPT, "%s: footer at %llu+%llu outside the file",
                        seg->path, (unsigned long long)*foff, (unsigned long long)*flen);
    if (!SUM_OK(ria_hash64(seg->map + *foff, *flen), ld64(t + 16)))
        return ria_fail(err, RIA_ECORRUPT, "%s: footer checksum mismatch", seg->path);
    return RIA_OK;
}

/* Reads one 48-byte directory entry of block b; false when it is invalid. */
static bool parse_entry(const ria_segment *seg, const uint8_t *p, ria_kind kind, uint32_t b,
                        uint64_t data_end, blockent *e)
{
    e->off = ld64(p);
    e->len = ld32(p + 8);
    e->enc = p[12];
    e->zone.min = (int64_t)ld64(p + 16);
    e->zone.max = (int64_t)ld64(p + 24);
    e->zone.nulls = ld32(p + 32);
    e->zone.rows = ld32(p + 36);
    e->sum = ld64(p + 40);
    bool enc_ok = kind == RIA_KIND_HEAP   ? e->enc == RIA_ENC_HEAP_ZSTD
                  : kind == RIA_KIND_CODE ? e->enc == RIA_ENC_CONST || e->enc == RIA_ENC_FOR
                                          : e->enc >= RIA_ENC_CONST && e->enc <= RIA_ENC_RAW;
    return enc_ok && e->off >= HDR_SIZE && e->off <= data_end && e->len <= data_end - e->off &&
           e->zone.rows == ria_segment_block_rows(seg, b) && e->zone.nulls <= e->zone.rows;
}

static ria_status parse_footer(ria_segment *seg, uint64_t foff, uint64_t flen, ria_error *err)
{
    const uint8_t *f = seg->map + foff;
    uint64_t per_col = DIR_COL_SIZE + (uint64_t)seg->nblocks * DIR_BLOCK_SIZE;
    if (flen < 8 || ld32(f) != seg->ncols || ld32(f + 4) != seg->nblocks ||
        flen != 8 + seg->ncols * per_col)
        return ria_fail(err, RIA_ECORRUPT, "%s: footer does not match the header", seg->path);
    seg->cols = calloc(seg->ncols ? seg->ncols : 1, sizeof *seg->cols);
    seg->ents = calloc((size_t)seg->ncols * seg->nblocks + 1, sizeof *seg->ents);
    if (!seg->cols || !seg->ents)
        return ria_fail(err, RIA_ENOMEM, "%s: no memory for the footer", seg->path);
    for (uint32_t i = 0; i < seg->ncols; i++) {
        const uint8_t *p = f + 8 + i * per_col;
        segcol *c = &seg->cols[i];
        c->id = ld32(p);
        c->kind = (ria_kind)ld32(p + 4);
        c->blocks = seg->ents + (size_t)i * seg->nblocks;
        if (ld32(p + 4) < RIA_KIND_I64 || ld32(p + 4) > RIA_KIND_HEAP)
            return ria_fail(err, RIA_ECORRUPT, "%s: column %u has kind %u", seg->path, c->id,
                            ld32(p + 4));
        for (uint32_t b = 0; b < seg->nblocks; b++) {
            if (!parse_entry(seg, p + DIR_COL_SIZE + (size_t)b * DIR_BLOCK_SIZE, c->kind, b,
                             foff, &c->blocks[b]))
                return ria_fail(err, RIA_ECORRUPT, "%s: column %u block %u: bad directory entry",
                                seg->path, c->id, b);
            c->bytes += c->blocks[b].len;
        }
    }
    qsort(seg->cols, seg->ncols, sizeof *seg->cols, col_cmp);
    for (uint32_t i = 1; i < seg->ncols; i++)
        if (seg->cols[i].id == seg->cols[i - 1].id)
            return ria_fail(err, RIA_ECORRUPT, "%s: column %u appears twice", seg->path,
                            seg->cols[i].id);
    return RIA_OK;
}

ria_status ria_segment_open(const char *path, ria_segment **out, ria_error *err)
{
    ria_status rc = RIA_OK;
    uint64_t foff = 0, flen = 0;
    *out = NULL;
    ria_segment *seg = calloc(1, sizeof *seg);
    if (!seg || !(seg->path = strdup(path))) {
        rc = ria_fail(err, RIA_ENOMEM, "%s: no memory", path);
        goto done;
    }
    if ((rc = map_file(seg, err)) != RIA_OK || (rc = check_header(seg, err)) != RIA_OK ||
        (rc = check_trailer(seg, &foff, &flen, err)) != RIA_OK ||
        (rc = parse_footer(seg, foff, flen, err)) != RIA_OK)
        goto done;
    *out = seg;
    seg = NULL;
done:
    ria_segment_close(seg);
    return rc;
}

void ria_segment_release(ria_segment *seg)
{
    if (seg && seg->map)
        (void)madvise((void *)seg->map, seg->size, MADV_DONTNEED);
}

void ria_segment_close(ria_segment *seg)
{
    if (!seg)
        return;
    if (seg->map)
        munmap((void *)seg->map, seg->size);
    free(seg->cols);
    free(seg->ents);
    free(seg->path);
    free(seg);
}

/* ================================================================ writing */

typedef struct {
    int fd;
    char tmp[4096];    /* the temporary name, renamed at the end */
    uint8_t *buf;      /* OUT_BUF_SIZE bytes not yet written */
    size_t buffered;
    uint64_t off;      /* file offset of the next byte (written + buffered) */
    ria_buf blk;       /* one encoded block */
    ria_buf raw;       /* one heap block before compression */
    int64_t *vals;     /* a CODE block widened to int64 */
    ZSTD_CCtx *zc;
    blockent *dir;     /* ncols * nblocks entries */
} segwriter;

static ria_status out_flush(segwriter *w, ria_error *err)
{
    ria_status rc = ria_write_all(w->fd, w->buf, w->buffered, w->tmp, err);
    w->buffered = 0;
    return rc;
}

static ria_status out_put(segwriter *w, const void *p, size_t n, ria_error *err)
{
    ria_status rc = RIA_OK;
    if (n > OUT_BUF_SIZE - w->buffered && (rc = out_flush(w, err)) != RIA_OK)
        return rc;
    if (n >= OUT_BUF_SIZE)
        rc = ria_write_all(w->fd, p, n, w->tmp, err);
    else {
        memcpy(w->buf + w->buffered, p, n);
        w->buffered += n;
    }
    w->off += n;
    return rc;
}

/* Encodes rows [first, first + n) of a heap column into w->blk. */
static ria_status encode_heap(segwriter *w, const ria_colvec_in *c, uint64_t first, uint32_t n,
                              blockent *e, ria_error *err)
{
    const uint64_t *o = c->offs + first;
    e->zone = (ria_zone){INT64_MAX, 0, 0, n};
    for (uint32_t i = 0; i < n; i++) {
        if (o[i + 1] < o[i])
            return ria_fail(err, RIA_EINVAL, "column %u: string offsets decrease at row %llu",
                            c->col_id, (unsigned long long)(first + i));
        int64_t len = (int64_t)RIA_MIN(o[i + 1] - o[i], (uint64_t)HEAP_BLOCK_MAX);
        e->zone.nulls += len == 0;
        if (len) {
            e->zone.min = RIA_MIN(e->zone.min, len);
            e->zone.max = RIA_MAX(e->zone.max, len);
        }
    }
    if (e->zone.nulls == n)
        e->zone.min = 0;
    uint64_t total = o[n] - o[0];
    if (total > HEAP_BLOCK_MAX - 4 * (uint64_t)n)
        return ria_fail(err, RIA_ELIMIT, "column %u: block of %llu string bytes exceeds %u",
                        c->col_id, (unsigned long long)total, HEAP_BLOCK_MAX);
    size_t raw = 4 * (size_t)n + (size_t)total, bound = ZSTD_compressBound(raw);
    if (ria_buf_reserve(&w->raw, raw) != RIA_OK ||
        ria_buf_reserve(&w->blk, HEAP_HDR + bound) != RIA_OK)
        return ria_fail(err, RIA_ENOMEM, "no memory for a heap block of %zu bytes", raw);
    uint8_t *r = (uint8_t *)w->raw.data, *b = (uint8_t *)w->blk.data;
    for (uint32_t i = 0; i < n; i++)
        st32(r + 4 * (size_t)i, (uint32_t)(o[i + 1] - o[i]));
    memcpy(r + 4 * (size_t)n, c->bytes + o[0], (size_t)total);
    size_t z = ZSTD_compressCCtx(w->zc, b + HEAP_HDR, bound, r, raw, HEAP_ZSTD_LEVEL);
    if (ZSTD_isError(z))
        return ria_fail(err, RIA_EINTERNAL, "zstd: %s", ZSTD_getErrorName(z));
    memset(b, 0, HEAP_HDR);
    b[0] = RIA_ENC_HEAP_ZSTD;
    st32(b + 4, n);
    st32(b + 8, (uint32_t)raw);
    w->blk.len = HEAP_HDR + z;
    w->blk.data[w->blk.len] = 0;
    e->enc = RIA_ENC_HEAP_ZSTD;
    return RIA_OK;
}

static ria_status encode_block(segwriter *w, const ria_colvec_in *c, uint64_t first, uint32_t n,
                               blockent *e, ria_error *err)
{
    w->blk.len = 0;
    if (c->kind == RIA_KIND_HEAP)
        return encode_heap(w, c, first, n, e, err);
    if (c->kind == RIA_KIND_I64)
        return ria_block_encode_num(c->i64 + first, n, RIA_NULL_I64, true, &w->blk, &e->zone,
                                    &e->enc, err);
    for (uint32_t i = 0; i < n; i++)
        w->vals[i] = c->codes[first + i];
    return ria_block_encode_num(w->vals, n, 0, false, &w->blk, &e->zone, &e->enc, err);
}

/* Writes every block of one column, 8-byte aligned, and fills its entries. */
static ria_status write_column(segwriter *w, const ria_colvec_in *c, uint64_t nrows,
                               uint32_t nblocks, blockent *ents, ria_error *err)
{
    static const uint8_t zeros[8];
    ria_status rc = RIA_OK;
    for (uint32_t b = 0; b < nblocks; b++) {
        uint64_t first = (uint64_t)b * RIA_BLOCK_ROWS;
        uint32_t n = (uint32_t)RIA_MIN(nrows - first, (uint64_t)RIA_BLOCK_ROWS);
        blockent *e = &ents[b];
        if ((rc = encode_block(w, c, first, n, e, err)) != RIA_OK)
            return rc;
        if ((rc = out_put(w, zeros, (8 - w->off % 8) % 8, err)) != RIA_OK)
            return rc;
        e->off = w->off;
        e->len = (uint32_t)w->blk.len;
        e->sum = ria_hash64(w->blk.data, w->blk.len);
        if ((rc = out_put(w, w->blk.data, w->blk.len, err)) != RIA_OK)
            return rc;
    }
    return RIA_OK;
}

static ria_status write_header(segwriter *w, uint64_t nrows, uint32_t nblocks, int ncols,
                               ria_error *err)
{
    uint8_t h[HDR_SIZE] = {0};
    memcpy(h, SEG_MAGIC, 8);
    st32(h + 8, RIA_SEGMENT_FORMAT);
    st32(h + 12, HDR_SIZE);
    st64(h + 16, nrows);
    st32(h + 24, nblocks);
    st32(h + 28, (uint32_t)ncols);
    st32(h + 32, RIA_BLOCK_ROWS);
    st64(h + HDR_SIZE - 8, ria_hash64(h, HDR_SIZE - 8));
    return out_put(w, h, sizeof h, err);
}

/* The footer directory and the trailer, from w->dir. */
static ria_status write_footer(segwriter *w, const ria_colvec_in *cols, int ncols,
                               uint32_t nblocks, ria_error *err)
{
    ria_buf f;
    ria_buf_init(&f, 0);
    uint64_t foff = w->off;
    size_t size = 8 + (size_t)ncols * (DIR_COL_SIZE + (size_t)nblocks * DIR_BLOCK_SIZE);
    ria_status rc = ria_buf_reserve(&f, size);
    if (rc != RIA_OK) {
        rc = ria_fail(err, rc, "no memory for a footer of %zu bytes", size);
        goto done;
    }
    uint8_t *p = (uint8_t *)f.data;
    memset(p, 0, size);
    st32(p, (uint32_t)ncols);
    st32(p + 4, nblocks);
    p += 8;
    for (int i = 0; i < ncols; i++) {
        st32(p, cols[i].col_id);
        st32(p + 4, (uint32_t)cols[i].kind);
        p += DIR_COL_SIZE;
        for (uint32_t b = 0; b < nblocks; b++, p += DIR_BLOCK_SIZE) {
            const blockent *e = &w->dir[(size_t)i * nblocks + b];
            st64(p, e->off);
            st32(p + 8, e->len);
            p[12] = e->enc;
            st64(p + 16, (uint64_t)e->zone.min);
            st64(p + 24, (uint64_t)e->zone.max);
            st32(p + 32, e->zone.nulls);
            st32(p + 36, e->zone.rows);
            st64(p + 40, e->sum);
        }
    }
    uint8_t t[TRAILER_SIZE];
    st64(t, foff);
    st64(t + 8, size);
    st64(t + 16, ria_hash64(f.data, size));
    memcpy(t + 24, END_MAGIC, 8);
    if ((rc = out_put(w, f.data, size, err)) == RIA_OK)
        rc = out_put(w, t, sizeof t, err);
done:
    ria_buf_free(&f);
    return rc;
}

static int id_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Checks the arguments of ria_segment_write. */
static ria_status check_input(uint64_t nrows, const ria_colvec_in *cols, int ncols,
                              ria_error *err)
{
    if (ncols < 0 || ncols > MAX_COLS || (ncols && !cols) ||
        nrows > (uint64_t)UINT32_MAX * RIA_BLOCK_ROWS)
        return ria_fail(err, RIA_EINVAL, "segment of %llu rows and %d columns",
                        (unsigned long long)nrows, ncols);
    uint32_t *ids = malloc(sizeof *ids * ((size_t)ncols + 1));
    if (!ids)
        return ria_fail(err, RIA_ENOMEM, "no memory");
    ria_status rc = RIA_OK;
    for (int i = 0; i < ncols && rc == RIA_OK; i++) {
        const ria_colvec_in *c = &cols[i];
        bool ok = c->kind == RIA_KIND_I64    ? c->i64 != NULL
                  : c->kind == RIA_KIND_CODE ? c->codes != NULL
                  : c->kind == RIA_KIND_HEAP ? c->offs && c->bytes
                                             : false;
        if (!ok && (nrows || c->kind < RIA_KIND_I64 || c->kind > RIA_KIND_HEAP))
            rc = ria_fail(err, RIA_EINVAL, "column %u: no values for kind %d", c->col_id,
                          (int)c->kind);
        ids[i] = c->col_id;
    }
    qsort(ids, (size_t)ncols, sizeof *ids, id_cmp);
    for (int i = 1; i < ncols && rc == RIA_OK; i++)
        if (ids[i] == ids[i - 1])
            rc = ria_fail(err, RIA_EINVAL, "column %u given twice", ids[i]);
    free(ids);
    return rc;
}

/* Flushes, fsyncs, closes and renames the temporary file into place. */
static ria_status finish_file(segwriter *w, const char *path, ria_error *err)
{
    char dir[4096];
    ria_status rc = out_flush(w, err);
    if (rc == RIA_OK && fsync(w->fd) != 0)
        rc = ria_fail(err, RIA_EIO, "fsync %s: %s", w->tmp, strerror(errno));
    if (close(w->fd) != 0 && rc == RIA_OK)
        rc = ria_fail(err, RIA_EIO, "close %s: %s", w->tmp, strerror(errno));
    w->fd = -1;
    if (rc == RIA_OK && rename(w->tmp, path) != 0)
        rc = ria_fail(err, RIA_EIO, "rename %s: %s", path, strerror(errno));
    if (rc != RIA_OK)
        return rc;
    w->tmp[0] = 0;
    if ((rc = ria_path_join(dir, sizeof dir, err, "%s", path)) != RIA_OK)
        return rc;
    return ria_fsync_dir(dirname(dir), err);
}

static ria_status writer_init(segwriter *w, const char *path, uint32_t nblocks, int ncols,
                              ria_error *err)
{
    ria_status rc = ria_path_join(w->tmp, sizeof w->tmp, err, "%s.tmp.%ld", path,
                                  (long)getpid());
    if (rc != RIA_OK)
        return rc;
    w->buf = malloc(OUT_BUF_SIZE);
    w->vals = malloc(sizeof *w->vals * RIA_BLOCK_ROWS);
    w->dir = calloc((size_t)ncols * nblocks + 1, sizeof *w->dir);
    w->zc = ZSTD_createCCtx();
    if (!w->buf || !w->vals || !w->dir || !w->zc) {
        w->tmp[0] = 0;
        return ria_fail(err, RIA_ENOMEM, "no memory to write %s", path);
    }
    w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        rc = ria_fail(err, RIA_EIO, "%s: %s", w->tmp, strerror(errno));
        w->tmp[0] = 0;
    }
    return rc;
}

ria_status ria_segment_write(const char *path, uint64_t nrows, const ria_colvec_in *cols,
                             int ncols, uint64_t *out_bytes, ria_error *err)
{
    segwriter w = {.fd = -1};
    ria_buf_init(&w.blk, 0);
    ria_buf_init(&w.raw, 0);
    uint32_t nblocks = (uint32_t)(nrows / RIA_BLOCK_ROWS + (nrows % RIA_BLOCK_ROWS != 0));
    ria_status rc = check_input(nrows, cols, ncols, err);
    if (rc != RIA_OK || (rc = writer_init(&w, path, nblocks, ncols, err)) != RIA_OK ||
        (rc = write_header(&w, nrows, nblocks, ncols, err)) != RIA_OK)
        goto done;
    for (int i = 0; i < ncols; i++)
        if ((rc = write_column(&w, &cols[i], nrows, nblocks, w.dir + (size_t)i * nblocks,
                               err)) != RIA_OK)
            goto done;
    if ((rc = write_footer(&w, cols, ncols, nblocks, err)) != RIA_OK ||
        (rc = finish_file(&w, path, err)) != RIA_OK)
        goto done;
    if (out_bytes)
        *out_bytes = w.off;
done:
    if (w.fd >= 0)
        close(w.fd);
    if (rc != RIA_OK && w.tmp[0])
        unlink(w.tmp);
    free(w.buf);
    free(w.vals);
    free(w.dir);
    ZSTD_freeCCtx(w.zc);
    ria_buf_free(&w.blk);
    ria_buf_free(&w.raw);
    return rc;
}
