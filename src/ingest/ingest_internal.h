/*
 * ingest_internal.h — private to the ingest component: the per-file plan
 * (which CSV field feeds which store column, detected formats), the chunk
 * builder that workers fill with typed rows, and row hashing shared by
 * dedupe and upsert.
 */
#ifndef RIA_INGEST_INTERNAL_H
#define RIA_INGEST_INTERNAL_H

#include "ingest.h"

#define NO_COL UINT32_MAX
#define NO_FIELD (-1)
/* Examples of each rule kept in the report. */
#define RULE_EXAMPLES 5
/* Flag and fix rules (the ones counted on kept rows) are bits of a row's
 * hit mask, from this rule on. */
#define FIRST_KEPT_RULE RIA_RULE_AMOUNT_CEILING
_Static_assert(RIA_RULE_COUNT - FIRST_KEPT_RULE <= 32, "kept-row rules fit a 32-bit mask");

/* ------------------------------------------------------------ the plan */

/* How one store column is filled from a file. */
typedef struct {
    uint32_t col;          /* store column id */
    int field;             /* CSV field index, or NO_FIELD (derived or absent) */
    ria_type type;
    ria_kind kind;
    ria_role role;
    ria_date_format datefmt; /* DATE / TIMESTAMP columns */
} plan_col;

/* A source file's mapping onto the store schema, fixed before its rows are
 * processed.  Immutable while workers run, so they share it freely. */
typedef struct {
    char name[1024];        /* file name for messages ("-" = stdin) */
    int nfields;            /* fields in the header */
    plan_col *cols;         /* one per store column this file fills */
    int ncols;
    int role_field[RIA_ROLE_COUNT]; /* CSV field of each role, or NO_FIELD */
    uint32_t role_col[RIA_ROLE_COUNT]; /* store column of each role, or NO_COL */
    ria_date_format order_fmt, ship_fmt;
    bool order_fmt_ambiguous; /* day/month order could not be decided */
    bool us_states;         /* the state field holds US states */
    bool us_postal;         /* postal codes are US zip codes */
    bool derive_region;     /* region filled from the state (Census regions) */
    bool derive_amount;     /* no amount field: quantity x price x (1 - discount) */
    int ignored[64];        /* junk fields (blank or "Unnamed: n" headers) */
    int nignored;
    int64_t max_amount;     /* ceiling for the amount_above_ceiling flag (scaled) */
    int64_t future_limit;   /* order dates after this are flagged */
    bool upsert;            /* compute key hashes */
    uint32_t key_cols[16];  /* upsert key */
    int nkey;
    uint32_t ncols_store;   /* store columns when the plan was made */
} file_plan;

/* A record as the CSV reader delivers it. */
typedef struct {
    const ria_slice *fields;
    int nfields;
    uint64_t line;          /* physical line where the record starts */
    ria_slice raw;          /* the record text, for quarantine */
    bool error;             /* malformed (unterminated quote, too long) */
    const char *error_msg;
    bool repaired;          /* stray quote kept as text */
    bool converted;         /* decoded from Windows-1252 */
} src_record;

/* ------------------------------------------------------- chunk builder */

/* One quarantined row. */
typedef struct {
    uint64_t line;
    ria_rule rule;
    const char *detail;     /* in the chunk arena */
    ria_slice raw;          /* in the chunk arena */
    uint32_t file;
} quarantine_row;

typedef struct {
    uint64_t count;
    uint64_t lines[RULE_EXAMPLES];
    uint32_t files[RULE_EXAMPLES];
    int nlines;
} rule_count;

/* The oldest kept rows seen, by order time: the examples of the old_date
 * flag, which is only decided once the latest date of the load is known. */
typedef struct {
    int64_t ts[RULE_EXAMPLES];
    uint64_t lines[RULE_EXAMPLES];
    uint32_t files[RULE_EXAMPLES];
    int n;
} oldest_rows;
void oldest_add(oldest_rows *o, int64_t ts, uint32_t file, uint64_t line);

/* A chunk-local dictionary: text → local code (1, 2, ... in first-seen
 * order).  Specialised for the per-value hot path: the hash is inlined, the
 * last value is remembered, keys live in one byte buffer. */
typedef struct {
    uint32_t *slots;        /* local code, 0 = empty */
    uint64_t *hashes;       /* hash per slot */
    uint32_t nslots;        /* power of two, at most half full */
    uint32_t count;
    uint64_t *offs;         /* entry i (code i+1): bytes[offs[i] .. offs[i+1]) */
    uint32_t cap;
    ria_buf bytes;
    uint32_t last;          /* code of the last value interned, 0 = none */
} ldict;

void ldict_init(ldict *d);
void ldict_free(ldict *d);
/* Code of s (adding it when new); 0 on allocation failure. */
uint32_t ldict_intern(ldict *d, const char *s, size_t n);
static inline ria_slice ldict_str(const ldict *d, uint32_t code)
{
    return (ria_slice){d->bytes.data + d->offs[code - 1],
                       (size_t)(d->offs[code] - d->offs[code - 1])};
}

/* Typed rows of one chunk, column-major over the store columns of the plan.
 * Text of dictionary columns is coded against a chunk-local dictionary; the
 * ordered merge stage maps local codes to store codes. */
typedef struct {
    uint32_t col;
    ria_kind kind;
    int64_t *i64;           /* I64 */
    uint32_t *codes;        /* CODE: codes of the worker's dictionary, 0 = null */
    ldict *local;           /* CODE: the worker's dictionary (borrowed; it
                               outlives the chunk and keeps growing) */
    uint32_t new_from;      /* CODE: entries the dictionary had before this chunk */
    uint32_t nnew;          /* CODE: entries this chunk added ... */
    ria_slice *news;        /* ... copied into the chunk's arena */
    uint64_t *offs;         /* HEAP: n+1 offsets */
    ria_buf heap;           /* HEAP: bytes */
} chunk_col;

typedef struct {
    uint64_t seq;           /* chunk number within the load */
    uint32_t file;          /* input file index */
    const file_plan *plan;
    size_t nrows, cap;      /* accepted rows */
    chunk_col *cols;        /* plan->ncols entries */
    ria_hash128 *fp;        /* row fingerprints */
    uint32_t *hits;         /* flag/fix rules that fired per row (bit = rule - FIRST_KEPT_RULE) */
    ria_hash128 *key;       /* upsert key hashes (upsert only) */
    uint64_t *line;         /* source line of each row */
    int *partition;
    quarantine_row *quar;
    size_t nquar, capquar;
    rule_count rules[RIA_RULE_COUNT];
    uint64_t records, blank_lines, converted_rows, bytes_in;
    int64_t min_ts, max_ts;
    oldest_rows oldest;
    ria_arena arena;        /* quarantine text */
    ria_buf scratch;        /* per-row hashing buffer */
} chunk_rows;

/* dicts: the calling worker's dictionaries, one per plan column. */
ria_status chunk_init(chunk_rows *c, const file_plan *plan, uint64_t seq, uint32_t file,
                      ldict *dicts);
/* Copies the dictionary entries the chunk added (for the merge stage). */
ria_status chunk_seal(chunk_rows *c);
void chunk_free(chunk_rows *c);
/* Converts one record: appends it as a row, or quarantines it.  Counts the
 * rules that fired.  Never fails on bad data; only on memory exhaustion. */
ria_status chunk_add_record(chunk_rows *c, const src_record *rec);
/* Counts a rule hit with its line as an example. */
void rule_hit(rule_count *rc, uint64_t line, uint32_t file);

/* ---------------------------------------------------------- row hashing */

/* Canonical row encoding for fingerprints and keys: for each non-null value,
 * (column id, value) — text by its bytes — so rows hash the same whether
 * they come from a file or from stored segments, and adding a column later
 * does not change the fingerprint of rows where it is null. */
void rowhash_reset(ria_buf *b);
void rowhash_i64(ria_buf *b, uint32_t col, int64_t v);
void rowhash_str(ria_buf *b, uint32_t col, const char *p, size_t n);
ria_hash128 rowhash_done(const ria_buf *b);

/* ----------------------------------------------------- plan construction */

typedef struct {
    int64_t max_amount;     /* scaled decimal */
    const char *key;        /* upsert key columns, comma-separated, or NULL */
    char delimiter;         /* 0 = detect */
} plan_opts;

/* Builds the plan for a file from its header and a sample of its first
 * records, adding new columns to the transaction's schema.  notes receives
 * human-readable lines about the mapping (JSON array of strings). */
ria_status plan_build(ria_txn *tx, const char *name, const src_record *header,
                      const src_record *sample, size_t nsample, const plan_opts *opts,
                      file_plan *out, void *notes, ria_error *err);
void plan_free(file_plan *p);

/* The role a header maps to (by normalized synonyms) and its priority
 * (lower wins), or RIA_ROLE_NONE. */
ria_role role_for_header(const char *header, size_t n, int *out_rank);

/* ------------------------------------------------- partition buffers */

/* One store column of a partition buffer. */
typedef struct {
    ria_kind kind;
    bool present;          /* some value is non-null (else the column is not written) */
    int64_t *i64;
    uint32_t *codes;
    uint64_t *offs;        /* HEAP: nrows + 1 */
    ria_buf heap;
} pb_col;

/* Accepted rows of one month, in arrival order, waiting to be clustered and
 * written as a segment.  Owned by the load until handed to a flush job. */
typedef struct {
    int partition;
    size_t nrows, cap;
    int ncols;             /* store columns allocated */
    pb_col *cols;
    ria_hash128 *fp;
    uint32_t *hits;        /* flag/fix rules per row (see chunk_rows) */
    ria_hash128 *key;      /* upsert only */
    uint64_t *seq;         /* upsert only: file << 40 | line */
    int64_t min_ts, max_ts;
    size_t bytes;          /* memory held, for the budget */
} part_buf;

part_buf *pb_new(int partition);
void pb_free(part_buf *pb);
/* Room for `more` rows over every column of the transaction's schema. */
ria_status pb_reserve(part_buf *pb, const ria_txn *tx, size_t more, bool upsert);
/* Marks rows [from, nrows) of columns the caller did not fill as null. */
void pb_fill_nulls(part_buf *pb, int col, size_t from, size_t to);

/* Path of a segment's rule-hit sidecar (temporary: removed at commit). */
void hits_path(const char *dir, const ria_segref *ref, char *out, size_t outsz);
/* Reads a sidecar: n (row, mask) pairs, malloc'd; none when absent. */
ria_status hits_read(const char *path, uint32_t **out_pairs, size_t *out_n, ria_error *err);

/* A segment written by a flush, with what finalize needs. */
typedef struct {
    ria_segref ref;
    ria_hash128 *keys;     /* upsert: key per row (segment order), owned */
    uint64_t *seqs;        /* upsert: source position per row, owned */
} new_seg;

/* Clusters pb's rows (category, region, state, order time), writes the
 * segment and its fingerprints to ref's paths and fills ref's statistics.
 * `cluster` holds the store column ids of category, region, state, order
 * date (NO_COL when absent) and the dictionary sizes of the first three. */
typedef struct {
    uint32_t col[4];
    uint32_t dict_size[3];
} cluster_spec;
ria_status pb_flush(const char *dir, part_buf *pb, const cluster_spec *cs, new_seg *out,
                    ria_error *err);

#endif
