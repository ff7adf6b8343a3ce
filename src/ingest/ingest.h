/*
 * ingest.h — from raw CSV to a committed store version.
 *
 * A load streams its inputs with bounded memory: a reader splits each file
 * into chunks of whole records, workers parse and check them in parallel, and
 * an ordered stage interns dictionary values and routes rows to month
 * partitions, which are clustered and written as segments.  A final pass per
 * partition drops exact duplicates (row fingerprints, also against stored
 * rows) and applies upserts, then one commit publishes everything.
 *
 * Every row read ends up accepted, quarantined (with line number and reason)
 * or counted as a duplicate; the report reconciles the three.
 */
#ifndef RIA_INGEST_H
#define RIA_INGEST_H

#include "store/store.h"

/* ------------------------------------------------------------ quality rules */

typedef enum { RIA_OUTCOME_REJECT = 1, RIA_OUTCOME_FLAG, RIA_OUTCOME_FIX } ria_outcome;

/* The quality rules, one table (rules.c) with id, outcome and description.
 * Reject rules are checked in this order; a row reports the first that
 * applies.  Names are stable: reports, tests and `ria gen --truth` use them. */
typedef enum {
    /* reject */
    RIA_RULE_BAD_RECORD,        /* bad_record: unterminated quote / record too long */
    RIA_RULE_FIELD_COUNT,       /* field_count: wrong number of fields */
    RIA_RULE_MISSING_ORDER_ID,  /* missing_order_id */
    RIA_RULE_MISSING_DATE,      /* missing_date */
    RIA_RULE_BAD_DATE,          /* bad_date: unparseable or impossible order date */
    RIA_RULE_BAD_AMOUNT,        /* bad_amount: amount is not a number */
    RIA_RULE_NEGATIVE_AMOUNT,   /* negative_amount */
    RIA_RULE_BAD_QUANTITY,      /* bad_quantity: not a whole number */
    RIA_RULE_NEGATIVE_QUANTITY, /* negative_quantity */
    RIA_RULE_BAD_NUMBER,        /* bad_number: price, cost, profit, discount... not a number */
    RIA_RULE_NEGATIVE_PRICE,    /* negative_price */
    RIA_RULE_BAD_DISCOUNT,      /* bad_discount: outside 0..1 */
    RIA_RULE_SHIP_BEFORE_ORDER, /* ship_before_order */
    /* flag */
    RIA_RULE_AMOUNT_CEILING,    /* amount_above_ceiling */
    RIA_RULE_UNKNOWN_STATE,     /* unknown_state: not a US state code or name */
    RIA_RULE_OLD_DATE,          /* old_date: > 10 years before the latest order date */
    RIA_RULE_FUTURE_DATE,       /* future_date: after the load's wall-clock date */
    RIA_RULE_MALFORMED_QUOTES,  /* malformed_quotes: stray quote kept as text */
    RIA_RULE_MISSING_AMOUNT,    /* missing_amount: blank, not derivable, kept as null */
    /* fix */
    RIA_RULE_FIX_CATEGORY,      /* missing_category: set to "Unknown" */
    RIA_RULE_FIX_QUANTITY,      /* missing_quantity: set to 1 */
    RIA_RULE_FIX_AMOUNT,        /* derived_amount: quantity x price x (1 - discount) */
    RIA_RULE_FIX_STATE_NAME,    /* state_name: full state name replaced by its code */
    RIA_RULE_FIX_DISCOUNT_PCT,  /* discount_percent: "15%" read as 0.15 */
    RIA_RULE_FIX_SHIP_DATE,     /* bad_ship_date: unparseable ship date cleared */
    RIA_RULE_FIX_POSTAL_CODE,   /* postal_code: "2149.0" -> "02149" (US), float ids */
    RIA_RULE_FIX_ENCODING,      /* encoding: row converted from Windows-1252 */
    RIA_RULE_FIX_EXTRA_VALUE,   /* bad_value: a value that does not fit its column's type, cleared */
    RIA_RULE_COUNT
} ria_rule;

typedef struct {
    const char *name;        /* stable identifier, e.g. "negative_amount" */
    ria_outcome outcome;
    const char *description; /* one line for reports and docs */
} ria_rule_info;

const ria_rule_info *ria_rule_get(ria_rule r);
const char *ria_outcome_name(ria_outcome o);

/* ------------------------------------------------------------- loading */

typedef enum {
    RIA_MODE_APPEND = 0, /* add rows (exact duplicates of stored rows are dropped) */
    RIA_MODE_UPSERT,     /* rows whose key exists replace the stored rows */
    RIA_MODE_REPLACE,    /* the new rows become the whole table */
} ria_ingest_mode;

typedef struct {
    ria_ingest_mode mode;
    const char *key;       /* upsert key columns, comma-separated */
    int64_t max_amount;    /* amount_above_ceiling threshold, scaled (0 = 100000) */
    int threads;           /* 0 = all cores */
    uint64_t memory;       /* memory budget in bytes: row buffers, dedupe sets (0 = 640 MiB) */
    size_t chunk_bytes;    /* read size (0 = 8 MiB) */
    char delimiter;        /* 0 = detect per file */
    bool progress;         /* draw a progress bar on stderr */
    bool quiet;            /* no report printed (the caller prints it) */
    /* called from the loading thread at most five times a second with the
     * bytes read so far and the total (0 when unknown, e.g. stdin) */
    void (*on_progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
    /* when set and non-zero, the load stops with RIA_ECANCELLED and nothing
     * is committed */
    const volatile int *cancel;
} ria_ingest_opts;

typedef struct {
    int64_t version;       /* the committed version */
    void *report;          /* json_t *, owned: the reconciliation report */
} ria_ingest_result;

/* Loads the files ("-" = standard input) into the store at dir (created when
 * missing) as one commit.  On error nothing is committed. */
ria_status ria_ingest_run(const char *dir, char *const *files, int nfiles,
                          const ria_ingest_opts *opts, ria_ingest_result *out, ria_error *err);
void ria_ingest_result_free(ria_ingest_result *r);
/* Prints a report (json_t *) as the human reconciliation. */
void ria_ingest_print_report(FILE *f, const void *report);

/* Rewrites partitions whose rows are spread over several segments (or carry
 * deletions) into fewer clustered segments, as one commit. */
typedef struct {
    uint64_t max_rows;     /* largest segment compaction builds (0 = 4 M) */
    int threads;
} ria_compact_opts;
typedef struct {
    int64_t version;       /* 0 when there was nothing to do */
    int partitions, segments_in, segments_out;
    uint64_t rows;
} ria_compact_result;
ria_status ria_compact(const char *dir, const ria_compact_opts *opts, ria_compact_result *out,
                       ria_error *err);

/* ----------------------------------------------------------- US states */

/* The 50 states and DC with their Census regions (SEMANTICS.md). */
int ria_us_state_count(void);
bool ria_us_state_at(int i, const char **code, const char **name, const char **region);
/* Index of the state written as a code ("ca") or a name ("New York",
 * "new-york"), or -1.  *out_by_name tells which form matched. */
int ria_us_state_find(const char *p, size_t n, bool *out_by_name);

#endif
