/*
 * segment_internal.h — the block codecs of the segment file (segment.c),
 * exposed to its unit tests and benchmark.  Not part of the store's public
 * interface: other components go through store.h.
 *
 * A numeric block (RIA_KIND_I64 or RIA_KIND_CODE) is self-describing:
 *
 *   0  u8  encoding (RIA_ENC_CONST, RIA_ENC_FOR, RIA_ENC_RAW)
 *   1  u8  bit width of a packed value (FOR; 0 otherwise)
 *   2  u8  1 when a null bitmap follows the header
 *   3  u8  0
 *   4  u32 rows
 *   8  i64 base: CONST the value, FOR the minimum
 *   16 u64 gcd: FOR the divisor of (value - base); 1 otherwise
 *   24 null bitmap, 8 * ceil(rows / 64) bytes, bit i set = row i is NULL
 *      payload: FOR 8 * ceil(rows * width / 64) + 8 bytes of packed values
 *      (the last 8 are zero padding), RAW 8 * rows bytes (I64 only)
 *
 * A heap block: u8 RIA_ENC_HEAP_ZSTD, 3 zero bytes, u32 rows, u32 raw
 * length, u32 0, then one zstd frame of (u32 length[rows], string bytes).
 * All integers are little-endian.
 */
#ifndef RIA_SEGMENT_INTERNAL_H
#define RIA_SEGMENT_INTERNAL_H

#include "store/store.h"

enum {
    RIA_ENC_CONST = 1,     /* every non-null value equal (or all NULL) */
    RIA_ENC_FOR = 2,       /* frame of reference: (v - min) / gcd bit-packed */
    RIA_ENC_RAW = 3,       /* plain int64 values, NULLs inline */
    RIA_ENC_HEAP_ZSTD = 4, /* zstd-compressed lengths and string bytes */
};

/* Widest bit-packed value: one unaligned 8-byte load must cover any value
 * whatever its bit offset (7 + 56 <= 64). */
#define RIA_FOR_MAX_WIDTH 56

/* Largest encoded size of a numeric block of n rows. */
static inline size_t ria_block_max_bytes(uint32_t n)
{
    return 24 + 8 * (((size_t)n + 63) / 64) + 8 * (size_t)n + 16;
}

/* Encodes values v[0..n) (1 <= n <= RIA_BLOCK_ROWS; `null` marks NULL:
 * RIA_NULL_I64 for I64, 0 for codes) as one block appended to `out`, picking
 * the smallest of CONST, FOR and (when allow_raw) RAW.  Fills the zone map
 * (min/max over non-null values, 0/0 when all are NULL) and the encoding.
 * RIA_EINVAL when !allow_raw and the range does not pack in 56 bits. */
ria_status ria_block_encode_num(const int64_t *v, uint32_t n, int64_t null, bool allow_raw,
                                ria_buf *out, ria_zone *zone, uint8_t *out_enc, ria_error *err);

/* Decode a numeric block of `rows` rows from p[0..len) into out.  Every
 * header field is checked against len first, so malformed input gives
 * RIA_ECORRUPT and never a read outside p[0..len). */
ria_status ria_block_decode_i64(const uint8_t *p, size_t len, uint32_t rows, int64_t *out,
                                ria_error *err);
ria_status ria_block_decode_codes(const uint8_t *p, size_t len, uint32_t rows, uint32_t *out,
                                  ria_error *err);

/* The columns of an open segment, in id order: i < ria_segment_ncols. */
uint32_t ria_segment_ncols(const ria_segment *seg);
uint32_t ria_segment_col_at(const ria_segment *seg, uint32_t i, ria_kind *out_kind);

#endif
