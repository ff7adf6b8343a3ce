/* test_segment.c — segment files: round-trips of every encoding, zone maps,
 * missing columns, heap strings, corruption and truncation, sizes. */
#include "helpers.h"
#include "store/segment_internal.h"
#include "store/store.h"
#include "test.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n)
{
    return n ? rnd() % n : 0;
}

/* ------------------------------------------------------------ generators */

enum { PAT_RANGE, PAT_CONST, PAT_ALLNULL, PAT_SOMENULL, PAT_EXTREME, PAT_GCD, PAT_NEG, PAT_FULL,
       PAT_MONEY, PAT_COUNT };

/* Fills v[0..n) with one pattern of values. */
static void gen_i64(int pat, int64_t *v, uint32_t n)
{
    int64_t base = (int64_t)(rnd() >> rnd_below(64)) * (rnd() & 1 ? -1 : 1);
    unsigned bits = (unsigned)rnd_below(63);
    uint64_t gcd = 1 + rnd_below(1000000) * (rnd() & 1 ? 1000000 : 1);
    for (uint32_t i = 0; i < n; i++) {
        switch (pat) {
        case PAT_RANGE: v[i] = (int64_t)(rnd() >> (63 - bits)) - (int64_t)(bits > 3 ? 7 : 0); break;
        case PAT_CONST: v[i] = base == RIA_NULL_I64 ? 0 : base; break;
        case PAT_ALLNULL: v[i] = RIA_NULL_I64; break;
        case PAT_SOMENULL:
            v[i] = rnd_below(5) == 0 ? RIA_NULL_I64 : (int64_t)rnd_below(1000);
            break;
        case PAT_EXTREME: {
            static const int64_t ex[] = {INT64_MIN + 1, INT64_MAX, 0, -1, 1, RIA_NULL_I64};
            v[i] = ex[rnd_below(6)];
            break;
        }
        case PAT_GCD: v[i] = (int64_t)(rnd_below(1000) * gcd) - 500 * (int64_t)gcd; break;
        case PAT_NEG: v[i] = -(int64_t)rnd_below(1 + ((uint64_t)1 << bits)) - 1; break;
        case PAT_FULL: v[i] = (int64_t)rnd(); break;
        default: v[i] = (int64_t)rnd_below(200001) * 100; break; /* whole cents */
        }
        if (v[i] == RIA_NULL_I64 && pat != PAT_ALLNULL && pat != PAT_EXTREME &&
            pat != PAT_SOMENULL)
            v[i] = 0;
    }
}

/* Fills a column of nrows values, a pattern per block (or one for all). */
static int64_t *gen_column(uint64_t nrows, int fixed_pat)
{
    int64_t *v = malloc(sizeof *v * (nrows + 1));
    for (uint64_t at = 0; at < nrows; at += RIA_BLOCK_ROWS) {
        uint32_t n = (uint32_t)RIA_MIN(nrows - at, (uint64_t)RIA_BLOCK_ROWS);
        gen_i64(fixed_pat >= 0 ? fixed_pat : (int)rnd_below(PAT_COUNT), v + at, n);
    }
    return v;
}

static uint32_t *gen_codes(uint64_t nrows, uint32_t maxcode, int null_pct)
{
    uint32_t *c = malloc(sizeof *c * (nrows + 1));
    for (uint64_t i = 0; i < nrows; i++)
        c[i] = (int)rnd_below(100) < null_pct ? 0 : 1 + (uint32_t)rnd_below(maxcode);
    return c;
}

/* Strings: empty (NULL) with null_pct, else ids, long text or UTF-8. */
static void gen_heap(uint64_t nrows, int null_pct, bool long_ones, uint64_t **out_offs,
                     char **out_bytes)
{
    static const char *utf8[] = {"caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac", "na\xc3\xafve",
                                 "\xf0\x9f\x9b\x92 cart"};
    size_t cap = 1024, len = 0;
    char *b = malloc(cap);
    uint64_t *o = malloc(sizeof *o * (nrows + 1));
    for (uint64_t i = 0; i < nrows; i++) {
        char tmp[64];
        const char *s = tmp;
        size_t n;
        uint64_t r = rnd_below(100);
        if ((int)r < null_pct) {
            n = 0;
        } else if (long_ones && r % 7 == 0) {
            n = 1000 + rnd_below(60000);
            s = NULL;
        } else if (r % 3 == 0) {
            s = utf8[r % 4];
            n = strlen(s);
        } else {
            n = (size_t)snprintf(tmp, sizeof tmp, "CA-%04u-%06u", 2014 + (unsigned)(r % 5),
                                 (unsigned)rnd_below(1000000));
        }
        while (len + n + 1 > cap)
            b = realloc(b, cap *= 2);
        o[i] = len;
        for (size_t k = 0; k < n; k++)
            b[len + k] = s ? s[k] : (char)('a' + (k * 7 + i) % 26);
        len += n;
    }
    o[nrows] = len;
    *out_offs = o;
    *out_bytes = b;
}

static void free_cols(ria_colvec_in *cols, int ncols)
{
    for (int i = 0; i < ncols; i++) {
        free((void *)cols[i].i64);
        free((void *)cols[i].codes);
        free((void *)cols[i].offs);
        free((void *)cols[i].bytes);
    }
}

/* ----------------------------------------------------------- verification */

static bool zone_eq(const ria_zone *z, int64_t mn, int64_t mx, uint32_t nulls, uint32_t rows)
{
    if (nulls == rows)
        mn = mx = 0;
    return z->min == mn && z->max == mx && z->nulls == nulls && z->rows == rows;
}

static bool verify_i64(ria_segment *seg, const ria_colvec_in *c, uint32_t b, uint64_t first,
                       uint32_t n, int64_t *buf)
{
    ria_error err = {0};
    HCHECK(ria_segment_read_i64(seg, c->col_id, b, buf, &err) == RIA_OK, "read: %s", err.msg);
    int64_t mn = INT64_MAX, mx = INT64_MIN;
    uint32_t nulls = 0;
    for (uint32_t i = 0; i < n; i++) {
        int64_t x = c->i64[first + i];
        HCHECK(buf[i] == x, "col %u row %llu: %lld != %lld", c->col_id,
               (unsigned long long)(first + i), (long long)buf[i], (long long)x);
        if (x == RIA_NULL_I64) {
            nulls++;
            continue;
        }
        mn = RIA_MIN(mn, x);
        mx = RIA_MAX(mx, x);
    }
    ria_zone z;
    HCHECK(ria_segment_zone(seg, c->col_id, b, &z), "no zone");
    HCHECK(zone_eq(&z, mn, mx, nulls, n), "col %u block %u zone %lld..%lld/%u", c->col_id, b,
           (long long)z.min, (long long)z.max, z.nulls);
    return true;
}

static bool verify_codes(ria_segment *seg, const ria_colvec_in *c, uint32_t b, uint64_t first,
                         uint32_t n, uint32_t *buf)
{
    ria_error err = {0};
    HCHECK(ria_segment_read_codes(seg, c->col_id, b, buf, &err) == RIA_OK, "read: %s", err.msg);
    int64_t mn = INT64_MAX, mx = INT64_MIN;
    uint32_t nulls = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t x = c->codes[first + i];
        HCHECK(buf[i] == x, "col %u row %llu: %u != %u", c->col_id,
               (unsigned long long)(first + i), buf[i], x);
        nulls += x == 0;
        if (x) {
            mn = RIA_MIN(mn, (int64_t)x);
            mx = RIA_MAX(mx, (int64_t)x);
        }
    }
    ria_zone z;
    HCHECK(ria_segment_zone(seg, c->col_id, b, &z), "no zone");
    HCHECK(zone_eq(&z, mn, mx, nulls, n), "codes zone");
    return true;
}

static bool verify_heap(ria_segment *seg, const ria_colvec_in *c, uint32_t b, uint64_t first,
                        uint32_t n, ria_scratch *s)
{
    ria_error err = {0};
    ria_heapvec hv;
    HCHECK(ria_segment_read_heap(seg, c->col_id, b, &hv, s, &err) == RIA_OK, "read: %s",
           err.msg);
    int64_t mn = INT64_MAX, mx = INT64_MIN;
    uint32_t nulls = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t a = c->offs[first + i], e = c->offs[first + i + 1];
        uint32_t len = hv.offs[i + 1] - hv.offs[i];
        HCHECK(len == e - a && memcmp(hv.bytes + hv.offs[i], c->bytes + a, len) == 0,
               "col %u row %llu: string differs", c->col_id, (unsigned long long)(first + i));
        nulls += len == 0;
        if (len) {
            mn = RIA_MIN(mn, (int64_t)len);
            mx = RIA_MAX(mx, (int64_t)len);
        }
    }
    ria_zone z;
    HCHECK(ria_segment_zone(seg, c->col_id, b, &z), "no zone");
    HCHECK(zone_eq(&z, mn, mx, nulls, n), "heap zone %lld..%lld/%u", (long long)z.min,
           (long long)z.max, z.nulls);
    return true;
}

/* Reads back every block of every column and compares values and zones. */
static bool verify(const char *path, const ria_colvec_in *cols, int ncols, uint64_t nrows)
{
    ria_segment *seg = NULL;
    ria_error err = {0};
    HCHECK(ria_segment_open(path, &seg, &err) == RIA_OK, "open: %s", err.msg);
    HCHECK(ria_segment_rows(seg) == nrows, "rows");
    uint32_t nb = ria_segment_nblocks(seg);
    HCHECK(nb == (nrows + RIA_BLOCK_ROWS - 1) / RIA_BLOCK_ROWS, "nblocks %u", nb);
    int64_t *vbuf = malloc(sizeof *vbuf * RIA_BLOCK_ROWS);
    uint32_t *cbuf = malloc(sizeof *cbuf * RIA_BLOCK_ROWS);
    ria_scratch s = {0};
    bool ok = true;
    for (int i = 0; i < ncols && ok; i++) {
        const ria_colvec_in *c = &cols[i];
        ok = ria_segment_has_column(seg, c->col_id);
        for (uint32_t b = 0; b < nb && ok; b++) {
            uint64_t first = (uint64_t)b * RIA_BLOCK_ROWS;
            uint32_t n = ria_segment_block_rows(seg, b);
            ok = n == RIA_MIN(nrows - first, (uint64_t)RIA_BLOCK_ROWS);
            if (ok && c->kind == RIA_KIND_I64)
                ok = verify_i64(seg, c, b, first, n, vbuf);
            else if (ok && c->kind == RIA_KIND_CODE)
                ok = verify_codes(seg, c, b, first, n, cbuf);
            else if (ok)
                ok = verify_heap(seg, c, b, first, n, &s);
        }
    }
    free(vbuf);
    free(cbuf);
    ria_scratch_free(&s);
    ria_segment_close(seg);
    HCHECK(ok, "verification failed");
    return true;
}

static bool write_seg(const char *path, uint64_t nrows, const ria_colvec_in *cols, int ncols,
                      uint64_t *out_bytes)
{
    ria_error err = {0};
    uint64_t bytes = 0;
    HCHECK(ria_segment_write(path, nrows, cols, ncols, &bytes, &err) == RIA_OK, "write: %s",
           err.msg);
    struct stat st;
    HCHECK(stat(path, &st) == 0 && (uint64_t)st.st_size == bytes, "size %llu",
           (unsigned long long)bytes);
    if (out_bytes)
        *out_bytes = bytes;
    return true;
}

/* ------------------------------------------------------------------ tests */

TEST(segment_roundtrip_random)
{
    static const uint64_t shapes[] = {0, 1, 2, 7, 8, 9, 63, 64, 65, 8191, 8192, 8193, 16384,
                                      3 * 8192 + 17};
    rng_state = 42;
    for (int round = 0; round < 40; round++) {
        uint64_t nrows = round < (int)RIA_ARRAY_LEN(shapes) ? shapes[round]
                                                             : 1 + rnd_below(5 * 8192);
        ria_colvec_in cols[PAT_COUNT + 4];
        int nc = 0;
        memset(cols, 0, sizeof cols);
        for (int p = -1; p < PAT_COUNT; p++, nc++)
            cols[nc] = (ria_colvec_in){.col_id = (uint32_t)(100 - nc), .kind = RIA_KIND_I64,
                                       .i64 = gen_column(nrows, p)};
        cols[nc++] = (ria_colvec_in){.col_id = 500, .kind = RIA_KIND_CODE,
                                     .codes = gen_codes(nrows, 1 + (uint32_t)rnd_below(5000),
                                                        (int)rnd_below(3) * 10)};
        cols[nc++] = (ria_colvec_in){.col_id = 7, .kind = RIA_KIND_CODE,
                                     .codes = gen_codes(nrows, UINT32_MAX, 0)};
        uint64_t *offs;
        char *bytes;
        gen_heap(nrows, (int)rnd_below(3) * 20, false, &offs, &bytes);
        cols[nc++] = (ria_colvec_in){.col_id = 9, .kind = RIA_KIND_HEAP, .offs = offs,
                                     .bytes = bytes};
        const char *path = th_path("r.seg");
        bool ok = write_seg(path, nrows, cols, nc, NULL) && verify(path, cols, nc, nrows);
        free_cols(cols, nc);
        CHECK_MSG(ok, "round %d (%llu rows)", round, (unsigned long long)nrows);
    }
}

/* Every bit width 1..64 and many lengths through the block codec directly. */
TEST(segment_block_widths)
{
    rng_state = 7;
    int64_t v[RIA_BLOCK_ROWS], out[RIA_BLOCK_ROWS];
    uint32_t cv[RIA_BLOCK_ROWS];
    static const uint32_t lens[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 100, 8191, 8192};
    ria_buf b;
    ria_buf_init(&b, 0);
    for (unsigned w = 1; w <= 64; w++) {
        for (size_t li = 0; li < RIA_ARRAY_LEN(lens); li++) {
            uint32_t n = lens[li];
            uint64_t gcd = w < 40 ? 1 + rnd_below(3) * 1000 : 1;
            int64_t base = -(int64_t)rnd_below(1000);
            for (uint32_t i = 0; i < n; i++) {
                uint64_t q = w == 64 ? rnd() : rnd() & ((UINT64_C(1) << w) - 1);
                v[i] = (int64_t)((uint64_t)base + q * gcd);
                if (v[i] == RIA_NULL_I64 || (n > 5 && i % 13 == 5))
                    v[i] = RIA_NULL_I64 + 1;
            }
            v[0] = base; /* the minimum and the top of the range pin the width */
            if (w < 64)
                v[n - 1] = (int64_t)((uint64_t)base + ((UINT64_C(1) << w) - 1) * gcd);
            if (n > 3 && w < 60)
                v[1] = RIA_NULL_I64;
            ria_zone z;
            uint8_t enc;
            ria_error err = {0};
            ria_status rc;
            b.len = 0;
            CHECK_OK(ria_block_encode_num(v, n, RIA_NULL_I64, true, &b, &z, &enc, &err));
            CHECK(b.len <= ria_block_max_bytes(n));
            uint8_t *exact = malloc(b.len); /* so ASan sees any read past the block */
            memcpy(exact, b.data, b.len);
            rc = ria_block_decode_i64(exact, b.len, n, out, &err);
            free(exact);
            CHECK_OK(rc);
            for (uint32_t i = 0; i < n; i++)
                CHECK_MSG(out[i] == v[i], "w %u n %u row %u: %lld != %lld", w, n, i,
                          (long long)out[i], (long long)v[i]);
            if (w > 32)
                continue;
            for (uint32_t i = 0; i < n; i++)
                cv[i] = (uint32_t)(rnd() & ((UINT64_C(1) << w) - 1));
            for (uint32_t i = 0; i < n; i++)
                v[i] = cv[i];
            b.len = 0;
            CHECK_OK(ria_block_encode_num(v, n, 0, false, &b, &z, &enc, &err));
            uint32_t co[RIA_BLOCK_ROWS];
            exact = malloc(b.len);
            memcpy(exact, b.data, b.len);
            rc = ria_block_decode_codes(exact, b.len, n, co, &err);
            free(exact);
            CHECK_OK(rc);
            CHECK(memcmp(co, cv, 4 * (size_t)n) == 0);
        }
    }
    ria_buf_free(&b);
}

TEST(segment_encoding_choice)
{
    int64_t v[RIA_BLOCK_ROWS], out[RIA_BLOCK_ROWS];
    ria_buf b;
    ria_buf_init(&b, 0);
    ria_zone z;
    uint8_t enc;
    ria_error err = {0};
    for (int i = 0; i < RIA_BLOCK_ROWS; i++)
        v[i] = 1234500;
    CHECK_OK(ria_block_encode_num(v, RIA_BLOCK_ROWS, RIA_NULL_I64, true, &b, &z, &enc, &err));
    CHECK_EQ_INT(enc, RIA_ENC_CONST);
    CHECK(b.len <= 24);
    v[17] = RIA_NULL_I64;
    b.len = 0;
    CHECK_OK(ria_block_encode_num(v, RIA_BLOCK_ROWS, RIA_NULL_I64, true, &b, &z, &enc, &err));
    CHECK_EQ_INT(enc, RIA_ENC_CONST);
    CHECK_EQ_INT(z.nulls, 1);
    CHECK_OK(ria_block_decode_i64((const uint8_t *)b.data, b.len, RIA_BLOCK_ROWS, out, &err));
    CHECK(out[17] == RIA_NULL_I64 && out[16] == 1234500 && out[18] == 1234500);
    /* whole cents in units of 10^-4: gcd 100, 18 bits */
    for (int i = 0; i < RIA_BLOCK_ROWS; i++)
        v[i] = (int64_t)(i * 7919 % 200001) * 100;
    b.len = 0;
    CHECK_OK(ria_block_encode_num(v, RIA_BLOCK_ROWS, RIA_NULL_I64, true, &b, &z, &enc, &err));
    CHECK_EQ_INT(enc, RIA_ENC_FOR);
    CHECK_EQ_INT(((const uint8_t *)b.data)[1], 18);
    CHECK(b.len <= 24 + 18 * 1024 + 8);
    /* a range wider than 56 bits stays raw */
    v[0] = INT64_MIN + 1;
    v[1] = INT64_MAX;
    b.len = 0;
    CHECK_OK(ria_block_encode_num(v, RIA_BLOCK_ROWS, RIA_NULL_I64, true, &b, &z, &enc, &err));
    CHECK_EQ_INT(enc, RIA_ENC_RAW);
    CHECK(z.min == INT64_MIN + 1 && z.max == INT64_MAX);
    CHECK_OK(ria_block_decode_i64((const uint8_t *)b.data, b.len, RIA_BLOCK_ROWS, out, &err));
    CHECK(memcmp(out, v, sizeof v) == 0);
    /* codes may not go raw */
    b.len = 0;
    CHECK(ria_block_encode_num(v, 4, 0, false, &b, &z, &enc, &err) == RIA_EINVAL);
    ria_buf_free(&b);
}

TEST(segment_money_size)
{
    rng_state = 3;
    uint64_t n = 100000;
    int64_t *money = malloc(sizeof *money * n);
    for (uint64_t i = 0; i < n; i++)
        money[i] = (int64_t)rnd_below(200001) * 100; /* 0.00 .. 2000.00 */
    ria_colvec_in c = {.col_id = 1, .kind = RIA_KIND_I64, .i64 = money};
    uint64_t bytes = 0;
    const char *path = th_path("money.seg");
    bool ok = write_seg(path, n, &c, 1, &bytes) && verify(path, &c, 1, n);
    ria_segment *seg = NULL;
    ria_error err = {0};
    CHECK(ok);
    CHECK_OK(ria_segment_open(path, &seg, &err));
    uint64_t colb = ria_segment_column_bytes(seg, 1);
    ria_segment_close(seg);
    free(money);
    CHECK_MSG(bytes < 3 * n, "%llu bytes for %llu values", (unsigned long long)bytes,
              (unsigned long long)n);
    CHECK(colb > 0 && colb <= bytes);
}

TEST(segment_codes_and_heap)
{
    rng_state = 11;
    uint64_t n = 3 * RIA_BLOCK_ROWS + 5;
    ria_colvec_in cols[4];
    memset(cols, 0, sizeof cols);
    cols[0] = (ria_colvec_in){.col_id = 2, .kind = RIA_KIND_CODE, .codes = gen_codes(n, 12, 5)};
    cols[1] = (ria_colvec_in){.col_id = 3, .kind = RIA_KIND_CODE, .codes = gen_codes(n, 1, 0)};
    uint64_t *o;
    char *b;
    gen_heap(n, 10, true, &o, &b);
    cols[2] = (ria_colvec_in){.col_id = 4, .kind = RIA_KIND_HEAP, .offs = o, .bytes = b};
    gen_heap(n, 100, false, &o, &b); /* every string empty: all NULL */
    cols[3] = (ria_colvec_in){.col_id = 5, .kind = RIA_KIND_HEAP, .offs = o, .bytes = b};
    for (uint64_t i = RIA_BLOCK_ROWS; i < 2 * RIA_BLOCK_ROWS; i++)
        ((uint32_t *)cols[0].codes)[i] = 0; /* one all-NULL block */
    const char *path = th_path("cs.seg");
    bool ok = write_seg(path, n, cols, 4, NULL) && verify(path, cols, 4, n);
    free_cols(cols, 4);
    CHECK(ok);
    ria_segment *seg = NULL;
    ria_error err = {0};
    CHECK_OK(ria_segment_open(path, &seg, &err));
    ria_zone z;
    CHECK(ria_segment_zone(seg, 2, 1, &z) && z.nulls == z.rows && z.rows == RIA_BLOCK_ROWS);
    CHECK(ria_segment_zone(seg, 5, 3, &z) && z.nulls == 5 && z.min == 0 && z.max == 0);
    CHECK(ria_segment_zone(seg, 3, 0, &z) && z.min == 1 && z.max == 1);
    CHECK(!ria_segment_zone(seg, 3, 4, &z));
    int64_t v[RIA_BLOCK_ROWS];
    CHECK(ria_segment_read_i64(seg, 2, 0, v, &err) == RIA_EINVAL); /* kind mismatch */
    CHECK(ria_segment_read_i64(seg, 2, 4, v, &err) == RIA_EINVAL); /* no such block */
    ria_segment_close(seg);
}

TEST(segment_missing_column)
{
    int64_t vals[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    ria_colvec_in c = {.col_id = 1, .kind = RIA_KIND_I64, .i64 = vals};
    const char *path = th_path("m.seg");
    CHECK(write_seg(path, 10, &c, 1, NULL));
    ria_segment *seg = NULL;
    ria_error err = {0};
    CHECK_OK(ria_segment_open(path, &seg, &err));
    CHECK(ria_segment_has_column(seg, 1));
    CHECK(!ria_segment_has_column(seg, 2));
    ria_zone z;
    CHECK(!ria_segment_zone(seg, 2, 0, &z));
    CHECK_EQ_INT(ria_segment_column_bytes(seg, 2), 0);
    int64_t v[10];
    uint32_t codes[10];
    memset(codes, 0xff, sizeof codes);
    CHECK_OK(ria_segment_read_i64(seg, 2, 0, v, &err));
    CHECK_OK(ria_segment_read_codes(seg, 3, 0, codes, &err));
    ria_scratch s = {0};
    ria_heapvec hv;
    CHECK_OK(ria_segment_read_heap(seg, 4, 0, &hv, &s, &err));
    for (int i = 0; i < 10; i++) {
        CHECK(v[i] == RIA_NULL_I64 && codes[i] == 0);
        CHECK(hv.offs[i] == 0 && hv.offs[i + 1] == 0);
    }
    ria_scratch_free(&s);
    ria_scratch_free(&s); /* idempotent */
    ria_segment_close(seg);
    ria_segment_close(NULL);
}

TEST(segment_empty)
{
    const char *path = th_path("e.seg");
    CHECK(write_seg(path, 0, NULL, 0, NULL));
    ria_segment *seg = NULL;
    ria_error err = {0};
    CHECK_OK(ria_segment_open(path, &seg, &err));
    CHECK_EQ_INT(ria_segment_rows(seg), 0);
    CHECK_EQ_INT(ria_segment_nblocks(seg), 0);
    CHECK_EQ_INT(ria_segment_block_rows(seg, 0), 0);
    ria_segment_close(seg);
}

static bool read_all_ok(ria_segment *seg, const ria_colvec_in *cols, int ncols, int *bad_col,
                        uint32_t *bad_block, ria_error *err)
{
    int64_t v[RIA_BLOCK_ROWS];
    uint32_t c[RIA_BLOCK_ROWS];
    ria_scratch s = {0};
    ria_heapvec hv;
    bool ok = true;
    for (int i = 0; i < ncols && ok; i++) {
        for (uint32_t b = 0; b < ria_segment_nblocks(seg) && ok; b++) {
            ria_status rc = cols[i].kind == RIA_KIND_I64
                                ? ria_segment_read_i64(seg, cols[i].col_id, b, v, err)
                            : cols[i].kind == RIA_KIND_CODE
                                ? ria_segment_read_codes(seg, cols[i].col_id, b, c, err)
                                : ria_segment_read_heap(seg, cols[i].col_id, b, &hv, &s, err);
            if (rc != RIA_OK) {
                *bad_col = i;
                *bad_block = b;
                ok = false;
            }
        }
    }
    ria_scratch_free(&s);
    return ok;
}

static void flip_byte(const char *path, uint64_t off)
{
    int fd = open(path, O_RDWR);
    uint8_t x;
    if (fd < 0 || pread(fd, &x, 1, (off_t)off) != 1)
        abort();
    x ^= 0x40;
    if (pwrite(fd, &x, 1, (off_t)off) != 1)
        abort();
    close(fd);
}

/* Offset and length of block b of column col_id, from the file's own footer
 * (layout in segment.c). */
static bool find_block(const char *path, uint32_t col_id, uint32_t b, uint64_t *off,
                       uint32_t *len)
{
    char *data = NULL;
    size_t n = 0;
    ria_error err = {0};
    HCHECK(ria_read_file(path, 1 << 28, &data, &n, &err) == RIA_OK, "%s", err.msg);
    const uint8_t *u = (const uint8_t *)data;
    uint64_t foff, nblocks;
    uint32_t ncols;
    memcpy(&foff, u + n - 32, 8);
    memcpy(&ncols, u + foff, 4);
    nblocks = 0;
    memcpy(&nblocks, u + foff + 4, 4);
    bool found = false;
    for (uint32_t i = 0; i < ncols && !found; i++) {
        const uint8_t *c = u + foff + 8 + i * (8 + nblocks * 48);
        uint32_t id;
        memcpy(&id, c, 4);
        if (id == col_id && b < nblocks) {
            memcpy(off, c + 8 + b * 48, 8);
            memcpy(len, c + 8 + b * 48 + 8, 4);
            found = true;
        }
    }
    free(data);
    HCHECK(found, "column %u block %u not in the footer", col_id, b);
    return true;
}

static void make_mixed(ria_colvec_in *cols, uint64_t n)
{
    memset(cols, 0, 3 * sizeof *cols);
    cols[0] = (ria_colvec_in){.col_id = 1, .kind = RIA_KIND_I64, .i64 = gen_column(n, PAT_MONEY)};
    cols[1] = (ria_colvec_in){.col_id = 2, .kind = RIA_KIND_CODE, .codes = gen_codes(n, 40, 1)};
    uint64_t *o;
    char *b;
    gen_heap(n, 5, false, &o, &b);
    cols[2] = (ria_colvec_in){.col_id = 3, .kind = RIA_KIND_HEAP, .offs = o, .bytes = b};
}

/* Flipping one byte inside a block fails that block only, naming it. */
TEST(segment_corrupt_block)
{
    rng_state = 5;
    uint64_t n = 3 * RIA_BLOCK_ROWS;
    ria_colvec_in cols[3];
    make_mixed(cols, n);
    const char *path = th_path("c.seg");
    for (int target = 0; target < 3; target++) {
        for (int where = 0; where < 3; where++) {
            CHECK(write_seg(path, n, cols, 3, NULL));
            uint64_t off;
            uint32_t len;
            CHECK(find_block(path, cols[target].col_id, 1, &off, &len));
            flip_byte(path, off + (where == 0 ? 0 : where == 1 ? len / 2 : len - 1));
            ria_segment *seg = NULL;
            ria_error err = {0};
            CHECK_OK(ria_segment_open(path, &seg, &err));
            int bad_col = -1;
            uint32_t bad_block = 0;
            bool ok = read_all_ok(seg, cols, 3, &bad_col, &bad_block, &err);
            CHECK(!ok && bad_col == target && bad_block == 1);
            CHECK_EQ_INT(err.code, RIA_ECORRUPT);
            char want[64];
            snprintf(want, sizeof want, "column %u block 1", cols[target].col_id);
            CHECK_MSG(strstr(err.msg, want) && strstr(err.msg, path), "message: %s", err.msg);
            /* the other blocks and columns still read */
            int64_t v[RIA_BLOCK_ROWS];
            CHECK_OK(ria_segment_read_i64(seg, 1, target == 0 ? 2 : 1, v, &err));
            ria_segment_close(seg);
        }
    }
    free_cols(cols, 3);
}

static void truncate_copy(const char *src, const char *dst, size_t keep)
{
    char *data = NULL;
    size_t n = 0;
    ria_error err = {0};
    if (ria_read_file(src, 1 << 28, &data, &n, &err) != RIA_OK)
        abort();
    FILE *f = fopen(dst, "wb");
    if (!f || fwrite(data, 1, RIA_MIN(keep, n), f) != RIA_MIN(keep, n))
        abort();
    fclose(f);
    free(data);
}

TEST(segment_truncated)
{
    rng_state = 9;
    uint64_t n = RIA_BLOCK_ROWS + 100;
    ria_colvec_in cols[3];
    make_mixed(cols, n);
    const char *path = th_path("t.seg"), *cut = th_path("cut.seg");
    uint64_t size = 0;
    CHECK(write_seg(path, n, cols, 3, &size));
    free_cols(cols, 3);
    for (uint64_t keep = 0; keep < size; keep += keep < 200 || size - keep < 600 ? 1 : 97) {
        truncate_copy(path, cut, (size_t)keep);
        ria_segment *seg = NULL;
        ria_error err = {0};
        ria_status rc = ria_segment_open(cut, &seg, &err);
        CHECK_MSG(rc == RIA_ECORRUPT && !seg, "truncated to %llu: %d",
                  (unsigned long long)keep, (int)rc);
    }
    ria_segment *seg = NULL;
    ria_error err = {0};
    CHECK(ria_segment_open(th_path("absent.seg"), &seg, &err) == RIA_ENOTFOUND);
}

/* Random bytes, and random bytes behind a valid header, never crash. */
TEST(segment_garbage)
{
    rng_state = 13;
    const char *path = th_path("g.seg"), *good = th_path("good.seg");
    ria_colvec_in cols[3];
    make_mixed(cols, 300);
    uint64_t gsize;
    CHECK(write_seg(good, 300, cols, 3, &gsize));
    free_cols(cols, 3);
    char *gdata = NULL;
    size_t glen = 0;
    ria_error err = {0};
    CHECK_OK(ria_read_file(good, 1 << 20, &gdata, &glen, &err));
    for (int round = 0; round < 400; round++) {
        size_t n = (size_t)rnd_below(round < 200 ? 300 : glen + 50);
        uint8_t *buf = malloc(n + 1);
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)rnd();
        if (round >= 200) { /* mutate a valid file: keep most of it */
            memcpy(buf, gdata, RIA_MIN(n, glen));
            for (int k = 0; k < 1 + round % 5; k++)
                if (n)
                    buf[rnd_below(n)] ^= (uint8_t)(1 + rnd_below(255));
        }
        FILE *f = fopen(path, "wb");
        CHECK(f && fwrite(buf, 1, n, f) == n);
        fclose(f);
        free(buf);
        ria_segment *seg = NULL;
        if (ria_segment_open(path, &seg, &err) == RIA_OK) {
            int bc;
            uint32_t bb;
            ria_colvec_in probe[3] = {{.col_id = 1, .kind = RIA_KIND_I64},
                                      {.col_id = 2, .kind = RIA_KIND_CODE},
                                      {.col_id = 3, .kind = RIA_KIND_HEAP}};
            (void)read_all_ok(seg, probe, 3, &bc, &bb, &err);
            ria_segment_close(seg);
        } else {
            CHECK(err.code == RIA_ECORRUPT);
        }
    }
    free(gdata);
}

typedef struct {
    ria_segment *seg;
    const ria_colvec_in *cols;
    int failures;
} par_ctx;

static void par_read(void *arg, int i)
{
    par_ctx *c = arg;
    const ria_colvec_in *col = &c->cols[i % 3];
    int64_t *v = malloc(sizeof *v * RIA_BLOCK_ROWS);
    uint32_t *codes = malloc(sizeof *codes * RIA_BLOCK_ROWS);
    ria_scratch s = {0};
    ria_error err = {0};
    for (uint32_t b = 0; b < ria_segment_nblocks(c->seg); b++) {
        uint64_t first = (uint64_t)b * RIA_BLOCK_ROWS;
        uint32_t n = ria_segment_block_rows(c->seg, b);
        ria_heapvec hv;
        bool ok;
        if (col->kind == RIA_KIND_I64)
            ok = ria_segment_read_i64(c->seg, col->col_id, b, v, &err) == RIA_OK &&
                 memcmp(v, col->i64 + first, 8 * (size_t)n) == 0;
        else if (col->kind == RIA_KIND_CODE)
            ok = ria_segment_read_codes(c->seg, col->col_id, b, codes, &err) == RIA_OK &&
                 memcmp(codes, col->codes + first, 4 * (size_t)n) == 0;
        else
            ok = ria_segment_read_heap(c->seg, col->col_id, b, &hv, &s, &err) == RIA_OK &&
                 hv.offs[n] == col->offs[first + n] - col->offs[first] &&
                 memcmp(hv.bytes, col->bytes + col->offs[first], hv.offs[n]) == 0;
        if (!ok)
            __atomic_add_fetch(&c->failures, 1, __ATOMIC_RELAXED);
    }
    ria_scratch_free(&s);
    free(v);
    free(codes);
}

TEST(segment_concurrent_readers)
{
    rng_state = 17;
    uint64_t n = 6 * RIA_BLOCK_ROWS + 1;
    ria_colvec_in cols[3];
    make_mixed(cols, n);
    const char *path = th_path("p.seg");
    CHECK(write_seg(path, n, cols, 3, NULL));
    par_ctx ctx = {NULL, cols, 0};
    ria_error err = {0};
    CHECK_OK(ria_segment_open(path, &ctx.seg, &err));
    ria_parallel_for(24, 4, par_read, &ctx);
    ria_segment_close(ctx.seg);
    free_cols(cols, 3);
    CHECK_EQ_INT(ctx.failures, 0);
}

TEST(segment_write_errors)
{
    int64_t v[4] = {1, 2, 3, 4};
    uint64_t offs[5] = {0, 2, 1, 3, 4};
    ria_colvec_in dup[2] = {{.col_id = 1, .kind = RIA_KIND_I64, .i64 = v},
                            {.col_id = 1, .kind = RIA_KIND_I64, .i64 = v}};
    ria_error err = {0};
    const char *path = th_path("w.seg");
    CHECK(ria_segment_write(path, 4, dup, 2, NULL, &err) == RIA_EINVAL);
    ria_colvec_in bad = {.col_id = 1, .kind = RIA_KIND_HEAP, .offs = offs, .bytes = "abcd"};
    CHECK(ria_segment_write(path, 4, &bad, 1, NULL, &err) == RIA_EINVAL);
    ria_colvec_in none = {.col_id = 1, .kind = RIA_KIND_CODE};
    CHECK(ria_segment_write(path, 4, &none, 1, NULL, &err) == RIA_EINVAL);
    CHECK(!ria_path_exists(path));
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    CHECK(!ria_path_exists(tmp));
    CHECK(ria_segment_write(th_path("no/such/dir.seg"), 4, dup, 1, NULL, &err) == RIA_EIO);
    /* a segment replaces an older file of the same name whole */
    CHECK(write_seg(path, 4, dup, 1, NULL));
    CHECK(write_seg(path, 2, dup, 1, NULL));
    CHECK(verify(path, dup, 1, 2));
    CHECK(!ria_path_exists(tmp));
}
