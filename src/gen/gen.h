/*
 * gen.h — the sales-data generator behind `ria gen`: realistic retail order
 * lines as CSV (the columns and distributions of bench/gen_sales.py), fast,
 * deterministic and streaming, with optional injected data-quality defects
 * and a record ("truth") of exactly what was injected.
 *
 * Key invariant: the bytes written depend only on the options other than
 * `threads`.  Rows are made in fixed-size blocks of RIA_GEN_BLOCK_ROWS, each
 * from its own random stream derived from (seed, block index), and handed to
 * the sink strictly in block order, so any thread count gives the same file.
 * Memory is bounded by a fixed number of block buffers whatever the row count.
 *
 * Ownership: the generator owns nothing after ria_gen_run returns; the bytes
 * passed to a sink are borrowed for the duration of that one call.
 */
#ifndef RIA_GEN_H
#define RIA_GEN_H

#include "core/core.h"

/* Rows per block: the unit of parallel work and of seeding. */
#define RIA_GEN_BLOCK_ROWS 8192
/* The header line (without the newline). */
#define RIA_GEN_HEADER                                                                             \
    "order_id,order_date,ship_date,status,channel,category,sub_category,sku,quantity,"             \
    "unit_price,discount,amount,cost,customer_id,segment,city,state,region,country"
#define RIA_GEN_FIELDS 19
/* An amount written on a row with the amount_above_ceiling defect (cents). */
#define RIA_GEN_CEILING_CENTS 25000000

typedef struct {
    uint64_t rows; /* data rows to write (the header is extra) */
    uint64_t seed; /* any value; the same seed gives the same bytes */
    int64_t start; /* first possible order day, days since 1970-01-01 */
    int years;     /* order dates span 365 * years days from start, 1..50 */
    double dirty;  /* fraction of rows with one injected defect, 0..1 */
    int threads;   /* generator threads; <= 0 means ria_ncpu() */
} ria_gen_options;

/* Fills the defaults: 1000000 rows, seed 42, start 2022-01-01, 3 years, clean,
 * threads from ria_ncpu(). */
void ria_gen_options_default(ria_gen_options *o);
/* RIA_EINVAL with a one-line reason when an option is out of range. */
ria_status ria_gen_options_check(const ria_gen_options *o, ria_error *err);

/* What ingest should do with a row carrying a defect. */
typedef enum { RIA_GEN_REJECT, RIA_GEN_FLAG, RIA_GEN_FIX, RIA_GEN_DEDUPE } ria_gen_outcome;

/* The defect kinds, one per dirty row, chosen uniformly.  Their names are the
 * quality-rule names of ingest/ingest.h (plus "duplicate" for the dedupe). */
typedef enum {
    RIA_GEN_MISSING_ORDER_ID,
    RIA_GEN_BAD_DATE,
    RIA_GEN_BAD_AMOUNT,
    RIA_GEN_NEGATIVE_AMOUNT,
    RIA_GEN_NEGATIVE_QUANTITY,
    RIA_GEN_BAD_QUANTITY,
    RIA_GEN_SHIP_BEFORE_ORDER,
    RIA_GEN_FIELD_COUNT,
    RIA_GEN_AMOUNT_CEILING,
    RIA_GEN_UNKNOWN_STATE,
    RIA_GEN_OLD_DATE,
    RIA_GEN_MISSING_CATEGORY,
    RIA_GEN_MISSING_QUANTITY,
    RIA_GEN_DERIVED_AMOUNT,
    RIA_GEN_STATE_NAME,
    RIA_GEN_DISCOUNT_PERCENT,
    RIA_GEN_BAD_SHIP_DATE,
    RIA_GEN_DUPLICATE,
    RIA_GEN_DEFECT_COUNT
} ria_gen_defect;

/* Stable name ("negative_amount") and outcome of a defect kind. */
const char *ria_gen_defect_name(ria_gen_defect d);
ria_gen_outcome ria_gen_defect_outcome(ria_gen_defect d);

/* What was written.  rows = clean_rows + the sum of defects[] (duplicates
 * included).  The accepted_* totals cover the rows ingest should keep (clean,
 * flagged and fixed; not rejected, not duplicates) with fixes applied: a blank
 * amount counts as quantity x unit_price x (1 - discount) rounded to cents, a
 * blank quantity as 1, and a ceiling row as RIA_GEN_CEILING_CENTS. */
typedef struct {
    uint64_t rows;
    uint64_t clean_rows;
    uint64_t defects[RIA_GEN_DEFECT_COUNT];
    uint64_t accepted_rows;
    uint64_t accepted_quantity;
    int64_t accepted_cents;
    uint64_t currency_amounts; /* clean amounts written as "$1,234.50" */
    uint64_t quoted_cities;    /* clean city fields written in quotes */
} ria_gen_truth;

/* Receives the output in order: the header line first, then whole blocks of
 * rows.  `p` is valid only during the call.  A sink returns RIA_OK to go on,
 * RIA_ECANCELLED when the reader went away (the run stops quietly), or another
 * status with `err` filled to abort the run. */
typedef ria_status (*ria_gen_sink)(void *ctx, const char *p, size_t n, ria_error *err);

/* Generates o->rows rows into sink.  On RIA_OK *out_truth (may be NULL)
 * describes every row written; on failure it covers the blocks written before
 * the failure.  Threads are started and joined inside the call. */
ria_status ria_gen_run(const ria_gen_options *o, ria_gen_sink sink, void *ctx,
                       ria_gen_truth *out_truth, ria_error *err);

/* Appends the truth JSON (one object, newline-terminated) to out:
 * {"rows", "seed", "dirty", "defects": {name: count...} (all kinds but the
 * duplicate), "duplicates", "clean_rows", "rejected", "flagged", "fixed",
 * "accepted_rows", "accepted_amount" (string, 2 decimals),
 * "accepted_quantity", "currency_amounts", "quoted_cities"}. */
ria_status ria_gen_truth_json(const ria_gen_options *o, const ria_gen_truth *t, ria_buf *out);

#endif
