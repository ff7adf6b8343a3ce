/*
 * segment_bench.c — encode/decode throughput of segment blocks for a
 * realistic money column (line amounts in units of 10^-4, whole cents) and
 * a dictionary-code column (a skewed choice among 60 products), plus a
 * string-heap column of order ids.  Not built by `make`; build and run:
 *
 *   cc -std=c17 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -O2 -Isrc \
 *      $(pkg-config --cflags libzstd libxxhash) -o /tmp/segment_bench \
 *      bench/segment_bench.c src/store/segment.c src/core/[a-z]*.c \
 *      $(pkg-config --libs libzstd) -lpthread -lm
 *   /tmp/segment_bench [rows (default 4000000)] [dir (default /tmp)]
 *
 * "encode"/"decode" are the block codec alone; "write" is ria_segment_write
 * of all three columns to dir, fsync included; "read" is ria_segment_read_*
 * (checksum verification included).  Single-threaded; each figure is the
 * best of several passes.
 */
#include "store/segment_internal.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t rng = 1;

static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* quantity (1..8) x price (a list price in cents) less a 0/10/20% discount,
 * rounded to the cent; 1% NULL. */
static void gen_money(int64_t *v, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        if (rnd() % 100 == 0) {
            v[i] = RIA_NULL_I64;
            continue;
        }
        int64_t cents = (int64_t)(99 + rnd() % 49900) * (int64_t)(1 + rnd() % 8);
        cents -= cents * (int64_t)(rnd() % 3) / 10;
        v[i] = cents * 100;
    }
}

/* Codes 1..60 with a skew toward the low ones (few best sellers). */
static void gen_codes(uint32_t *c, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        uint64_t r = rnd();
        c[i] = 1 + (uint32_t)((r % 60) * ((r >> 32) % 60) / 60);
    }
}

/* Order ids like "CA-2017-152156": a random number per order, repeated on
 * each of its 1..4 lines. */
static void gen_ids(uint64_t n, uint64_t **out_offs, char **out_bytes)
{
    uint64_t *o = malloc(sizeof *o * (n + 1));
    char *b = malloc(16 * n + 1);
    uint64_t len = 0, left = 0;
    unsigned num = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (left-- == 0) {
            num = 100000 + (unsigned)(rnd() % 900000);
            left = rnd() % 4;
        }
        o[i] = len;
        len += (uint64_t)snprintf(b + len, 17, "CA-%04u-%06u", 2014 + (unsigned)(i * 5 / n),
                                  num);
    }
    o[n] = len;
    *out_offs = o;
    *out_bytes = b;
}

static double mvps(uint64_t values, double secs)
{
    return (double)values / secs / 1e6;
}

/* Encodes every block of v into all (offsets in at); returns the seconds. */
static double encode_all(const int64_t *v, uint64_t n, int64_t null, bool raw, ria_buf *all,
                         size_t *at)
{
    ria_zone z;
    uint8_t enc;
    ria_error err = {0};
    all->len = 0;
    double t0 = ria_now();
    for (uint64_t b = 0; b * RIA_BLOCK_ROWS < n; b++) {
        uint32_t k = (uint32_t)RIA_MIN(n - b * RIA_BLOCK_ROWS, (uint64_t)RIA_BLOCK_ROWS);
        at[b] = all->len;
        if (ria_block_encode_num(v + b * RIA_BLOCK_ROWS, k, null, raw, all, &z, &enc, &err))
            exit(1);
    }
    at[(n + RIA_BLOCK_ROWS - 1) / RIA_BLOCK_ROWS] = all->len;
    return ria_now() - t0;
}

/* Decodes every block once; returns the seconds. */
static double decode_all(const ria_buf *all, const size_t *at, uint64_t n, bool i64,
                         int64_t *out, uint32_t *cout)
{
    ria_error err = {0};
    double t0 = ria_now();
    for (uint64_t b = 0; b * RIA_BLOCK_ROWS < n; b++) {
        uint32_t k = (uint32_t)RIA_MIN(n - b * RIA_BLOCK_ROWS, (uint64_t)RIA_BLOCK_ROWS);
        const uint8_t *p = (const uint8_t *)all->data + at[b];
        ria_status rc = i64 ? ria_block_decode_i64(p, at[b + 1] - at[b], k, out, &err)
                            : ria_block_decode_codes(p, at[b + 1] - at[b], k, cout, &err);
        if (rc)
            exit(1);
    }
    return ria_now() - t0;
}

/* Block codec alone, best of `reps` passes each way (the machine may be
 * shared; the best pass is the one least disturbed). */
static void codec(const char *name, const int64_t *v, uint64_t n, int64_t null, bool i64,
                  int reps)
{
    uint64_t nb = (n + RIA_BLOCK_ROWS - 1) / RIA_BLOCK_ROWS;
    ria_buf all;
    ria_buf_init(&all, 0);
    if (ria_buf_reserve(&all, nb * ria_block_max_bytes(RIA_BLOCK_ROWS)))
        exit(1);
    size_t *at = malloc(sizeof *at * (nb + 1));
    int64_t *out = malloc(sizeof *out * RIA_BLOCK_ROWS);
    uint32_t *cout = malloc(sizeof *cout * RIA_BLOCK_ROWS);
    double enc = 1e9, dec = 1e9;
    for (int r = 0; r < reps; r++)
        enc = RIA_MIN(enc, encode_all(v, n, null, i64, &all, at));
    for (int r = 0; r < reps; r++)
        dec = RIA_MIN(dec, decode_all(&all, at, n, i64, out, cout));
    printf("%-6s codec: %.2f bytes/value, encode %6.0f M values/s, decode %6.0f M values/s\n",
           name, (double)all.len / (double)n, mvps(n, enc), mvps(n, dec));
    free(out);
    free(cout);
    free(at);
    ria_buf_free(&all);
}

/* The whole segment: write it, then read every block of each column, best of
 * reps passes. */
static void segment(const char *dir, const ria_colvec_in *cols, uint64_t n, int reps)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/segment_bench.%ld.seg", dir, (long)getpid());
    ria_error err = {0};
    uint64_t bytes;
    double t0 = ria_now();
    if (ria_segment_write(path, n, cols, 3, &bytes, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    double t1 = ria_now();
    printf("write  3 columns: %.1f MB, %.0f M rows/s (all columns, fsync included)\n",
           (double)bytes / 1e6, mvps(n, t1 - t0));
    ria_segment *seg;
    if (ria_segment_open(path, &seg, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    int64_t *out = malloc(sizeof *out * RIA_BLOCK_ROWS);
    uint32_t *cout = malloc(sizeof *cout * RIA_BLOCK_ROWS);
    ria_scratch s = {0};
    ria_heapvec hv;
    static const char *names[] = {"money", "codes", "ids"};
    for (int c = 0; c < 3; c++) {
        double best = 1e9;
        for (int r = 0; r < reps; r++) {
            double a = ria_now();
            for (uint32_t b = 0; b < ria_segment_nblocks(seg); b++) {
                ria_status rc = c == 0   ? ria_segment_read_i64(seg, 1, b, out, &err)
                                : c == 1 ? ria_segment_read_codes(seg, 2, b, cout, &err)
                                         : ria_segment_read_heap(seg, 3, b, &hv, &s, &err);
                if (rc)
                    exit(1);
            }
            best = RIA_MIN(best, ria_now() - a);
        }
        printf("%-6s read:  %.2f bytes/value, %6.0f M values/s (checksum included)\n", names[c],
               (double)ria_segment_column_bytes(seg, cols[c].col_id) / (double)n, mvps(n, best));
    }
    ria_scratch_free(&s);
    free(out);
    free(cout);
    ria_segment_close(seg);
    unlink(path);
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 4000000;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    if (n == 0)
        return 2;
    int64_t *money = malloc(sizeof *money * n), *wide = malloc(sizeof *wide * n);
    uint32_t *codes = malloc(sizeof *codes * n);
    uint64_t *offs;
    char *ids;
    gen_money(money, n);
    gen_codes(codes, n);
    gen_ids(n, &offs, &ids);
    for (uint64_t i = 0; i < n; i++)
        wide[i] = codes[i];
    printf("%llu rows, blocks of %d\n", (unsigned long long)n, RIA_BLOCK_ROWS);
    codec("money", money, n, RIA_NULL_I64, true, 10);
    codec("codes", wide, n, 0, false, 10);
    ria_colvec_in cols[3] = {{.col_id = 1, .kind = RIA_KIND_I64, .i64 = money},
                             {.col_id = 2, .kind = RIA_KIND_CODE, .codes = codes},
                             {.col_id = 3, .kind = RIA_KIND_HEAP, .offs = offs, .bytes = ids}};
    segment(dir, cols, n, 10);
    free(money);
    free(wide);
    free(codes);
    free(offs);
    free(ids);
    return 0;
}
