/*
 * store.h — the versioned, partitioned columnar store: one sales table in a
 * directory.
 *
 * Layout of a store directory:
 *   RIA_STORE                 marker with the format version
 *   lock                      flock(2) held by the one writer
 *   log/<version>.json        commits: each is a full manifest (schema,
 *                             dictionary lengths, live segments, report)
 *   data/<YYYY-MM>/<seg>.seg  columnar segments, partitioned by order month
 *   data/<YYYY-MM>/<seg>.fp   row fingerprints (dedupe), row order
 *   data/<YYYY-MM>/<seg>.<v>.dv  deletion vectors written by commit v
 *   dict/c<id>.dict           append-only global dictionaries
 *   reports/<version>.json    full ingest reports
 *   quarantine/<version>.csv  rejected rows with line numbers and reasons
 *   model.json                the editable semantic model (latest)
 *   models/<version>.json     the semantic model saved with each commit
 *
 * Invariants: files are immutable once a commit names them; a commit becomes
 * visible only when its log file is renamed into place (after every file it
 * names was fsynced), so readers never see half a commit; dictionary files only
 * grow and a commit records the prefix it covers; one writer holds `lock`.
 *
 * Ownership: ria_store, ria_snapshot and ria_txn are created and freed by
 * their own functions; everything reachable from a snapshot lives until
 * ria_snapshot_free.
 */
#ifndef RIA_STORE_H
#define RIA_STORE_H

#include "core/core.h"

#define RIA_STORE_FORMAT 1
#define RIA_SEGMENT_FORMAT 1
/* Rows per block: the unit of zone maps, decoding and pruning. */
#define RIA_BLOCK_ROWS 8192

/* ------------------------------------------------------------ column roles */

/* The roles of SEMANTICS.md.  RIA_ROLE_NONE: a kept column with no role. */
typedef enum {
    RIA_ROLE_NONE = 0,
    RIA_ROLE_ORDER_ID,
    RIA_ROLE_LINE_ID,
    RIA_ROLE_ORDER_DATE,
    RIA_ROLE_SHIP_DATE,
    RIA_ROLE_STATUS,
    RIA_ROLE_CHANNEL,
    RIA_ROLE_CATEGORY,
    RIA_ROLE_SUB_CATEGORY,
    RIA_ROLE_SKU,
    RIA_ROLE_PRODUCT_NAME,
    RIA_ROLE_QUANTITY,
    RIA_ROLE_UNIT_PRICE,
    RIA_ROLE_DISCOUNT,
    RIA_ROLE_AMOUNT,
    RIA_ROLE_COST,
    RIA_ROLE_PROFIT,
    RIA_ROLE_CUSTOMER_ID,
    RIA_ROLE_SEGMENT,
    RIA_ROLE_CITY,
    RIA_ROLE_STATE,
    RIA_ROLE_POSTAL_CODE,
    RIA_ROLE_REGION,
    RIA_ROLE_COUNTRY,
    RIA_ROLE_CURRENCY,
    RIA_ROLE_COUNT
} ria_role;

/* Canonical column name of a role ("order_id"); "" for RIA_ROLE_NONE. */
const char *ria_role_name(ria_role role);
/* The role whose canonical name is `name`, or RIA_ROLE_NONE. */
ria_role ria_role_by_name(const char *name);

/* Logical types.  Every non-text value is an int64 in memory and on disk:
 * INT as is, DECIMAL scaled by 10^4, DATE as days since 1970-01-01,
 * TIMESTAMP as seconds since 1970-01-01 00:00:00.  NULL is RIA_NULL_I64.
 * Text is NULL when empty. */
typedef enum {
    RIA_T_TEXT = 1,
    RIA_T_INT,
    RIA_T_DECIMAL,
    RIA_T_DATE,
    RIA_T_TIMESTAMP,
} ria_type;

const char *ria_type_name(ria_type t);
ria_type ria_type_by_name(const char *name); /* 0 if unknown */

/* How a column is kept.  A text column is either dictionary-coded against
 * the store-wide dictionary of that column (codes >= 1; 0 is NULL) or kept
 * as strings in per-block heaps (high-cardinality ids). */
typedef enum {
    RIA_KIND_I64 = 1,
    RIA_KIND_CODE,
    RIA_KIND_HEAP,
} ria_kind;

typedef struct {
    uint32_t id;      /* stable id: index in the schema, never reused */
    char name[64];    /* SQL name: the role name, or snake_case of the header */
    char label[128];  /* the header as first seen in a source file */
    ria_role role;
    ria_type type;
    ria_kind kind;    /* I64 for non-text; CODE or HEAP for text */
} ria_column;

static inline ria_kind ria_kind_of_type(ria_type t, bool dict)
{
    return t == RIA_T_TEXT ? (dict ? RIA_KIND_CODE : RIA_KIND_HEAP) : RIA_KIND_I64;
}

/* A month partition: year * 12 + (month - 1).  Directory name "YYYY-MM". */
static inline int ria_partition_of_ts(int64_t secs)
{
    int y, m, d;
    ria_civil_from_days(ria_floor_div(secs, RIA_SECS_PER_DAY), &y, &m, &d);
    return y * 12 + (m - 1);
}
void ria_partition_name(int partition, char out[8]);
/* First second of the partition's month, and of the month after. */
int64_t ria_partition_start(int partition);
int64_t ria_partition_end(int partition);

/* ------------------------------------------------------------- segments */

/* One column of rows to write, already in the final (clustered) order.
 * Exactly one representation is set, matching `kind`. */
typedef struct {
    uint32_t col_id;
    ria_kind kind;
    const int64_t *i64;    /* KIND_I64: n values, RIA_NULL_I64 = null */
    const uint32_t *codes; /* KIND_CODE: n codes, 0 = null */
    const uint64_t *offs;  /* KIND_HEAP: n+1 offsets into bytes */
    const char *bytes;     /* KIND_HEAP: concatenated strings ("" = null) */
} ria_colvec_in;

/* Writes a segment file of nrows rows (blocks of RIA_BLOCK_ROWS, per-block
 * zone maps and checksums), fsyncs it, and reports its size.  The file is
 * complete or absent: it is written under a temporary name and renamed. */
ria_status ria_segment_write(const char *path, uint64_t nrows, const ria_colvec_in *cols,
                             int ncols, uint64_t *out_bytes, ria_error *err);

/* An open (memory-mapped, footer-verified) segment file. */
typedef struct ria_segment ria_segment;

ria_status ria_segment_open(const char *path, ria_segment **out, ria_error *err);
void ria_segment_close(ria_segment *seg);
/* Drops the segment's pages from this process's memory (they stay in the
 * page cache and come back on the next read): a pass over many large
 * segments calls it when done with one, so its RSS stays flat. */
void ria_segment_release(ria_segment *seg);
uint64_t ria_segment_rows(const ria_segment *seg);
uint32_t ria_segment_nblocks(const ria_segment *seg);
/* Rows in block b (RIA_BLOCK_ROWS except possibly the last). */
uint32_t ria_segment_block_rows(const ria_segment *seg, uint32_t b);
/* Bytes of the encoded column (all blocks), for statistics. */
uint64_t ria_segment_column_bytes(const ria_segment *seg, uint32_t col_id);

/* Per-block statistics of one column.  For I64 and CODE columns min/max are
 * over non-null values (codes compare as numbers, not as strings); for HEAP
 * columns min/max are the lengths.  all_null when nulls == rows. */
typedef struct {
    int64_t min, max;
    uint32_t nulls;
    uint32_t rows;
} ria_zone;

/* False when the segment has no such column (written before the column
 * existed): every value is then NULL. */
bool ria_segment_has_column(const ria_segment *seg, uint32_t col_id);
bool ria_segment_zone(const ria_segment *seg, uint32_t col_id, uint32_t b, ria_zone *out);

/* Decoders: out must hold ria_segment_block_rows(seg, b) values.  A missing
 * column decodes as all NULL.  RIA_ECORRUPT if the block fails its checksum. */
ria_status ria_segment_read_i64(const ria_segment *seg, uint32_t col_id, uint32_t b,
                                int64_t *out, ria_error *err);
ria_status ria_segment_read_codes(const ria_segment *seg, uint32_t col_id, uint32_t b,
                                  uint32_t *out, ria_error *err);
/* Heap strings of a block: string i is bytes[offs[i] .. offs[i+1]).  The
 * arrays live in `scratch` and are valid until it is next used or freed. */
typedef struct {
    const uint32_t *offs; /* rows + 1 offsets */
    const char *bytes;
} ria_heapvec;
/* Decoding scratch memory, reused block after block by one thread.  Zero
 * initialise it; release with ria_scratch_free. */
typedef struct {
    void *mem;  /* owned by the scratch */
    size_t cap;
    void *ctx;  /* decompression context, created on first use */
} ria_scratch;
void ria_scratch_free(ria_scratch *s);
ria_status ria_segment_read_heap(const ria_segment *seg, uint32_t col_id, uint32_t b,
                                 ria_heapvec *out, ria_scratch *scratch, ria_error *err);

/* ------------------------------------------------- fingerprints, deletes */

/* Row fingerprints (128-bit hashes of a row's stored values) in row order. */
ria_status ria_fp_write(const char *path, const ria_hash128 *fps, uint64_t n, ria_error *err);
ria_status ria_fp_read(const char *path, ria_hash128 **out, uint64_t *out_n, ria_error *err);

/* Deletion vectors: a bitmap of nrows bits, bit i set = row i deleted. */
ria_status ria_dv_write(const char *path, const uint8_t *bits, uint64_t nrows, ria_error *err);
ria_status ria_dv_read(const char *path, uint8_t **out, uint64_t nrows, ria_error *err);
static inline bool ria_dv_get(const uint8_t *bits, uint64_t i)
{
    return bits && (bits[i >> 3] >> (i & 7)) & 1;
}
static inline void ria_dv_set(uint8_t *bits, uint64_t i)
{
    bits[i >> 3] |= (uint8_t)(1u << (i & 7));
}

/* ---------------------------------------------------------- dictionaries */

/* A column's dictionary as of a version: codes 1..count. */
typedef struct {
    uint32_t count;
    const char **strs;   /* strs[code], code 1..count; strs[0] = "" */
    uint32_t *lens;      /* lens[code] */
    char *blob;          /* backing storage */
    ria_strmap *index;   /* string → code, built on first lookup */
} ria_dict;

/* Code of s, or 0 when the dictionary does not hold it. */
uint32_t ria_dict_lookup(ria_dict *d, const char *s, size_t n);

/* ------------------------------------------------------- store, snapshot */

typedef struct ria_store ria_store;

/* Opens an existing store read-only.  RIA_ENOTFOUND when dir is not a store. */
ria_status ria_store_open(const char *dir, ria_store **out, ria_error *err);
void ria_store_close(ria_store *st);
const char *ria_store_dir(const ria_store *st);
/* Latest committed version (0 for a store with no commit yet). */
ria_status ria_store_latest(ria_store *st, int64_t *out, ria_error *err);

/* One live segment of a snapshot. */
typedef struct {
    char id[40];          /* file stem, unique in the store */
    char path[96];        /* relative to the store dir */
    char fp_path[96];     /* "" when no fingerprints */
    char dv_path[96];     /* "" when no rows are deleted */
    int partition;
    uint64_t rows;        /* physical rows in the file */
    uint64_t deleted;     /* rows marked in the deletion vector */
    int64_t min_ts, max_ts; /* order_date range of the rows */
    uint64_t bytes;
    int64_t created;      /* version that added it */
} ria_segref;

typedef struct {
    int64_t version;
    int64_t time;          /* unix seconds of the commit */
    char operation[16];    /* append, upsert, replace, compact, model */
    uint64_t rows_added, rows_removed;
    uint64_t live_rows;
    char summary[256];     /* one-line report summary */
} ria_version_info;

/* A read-only view of one version: schema, dictionaries, segments. */
typedef struct ria_snapshot {
    ria_store *store;
    ria_version_info info;
    ria_column *cols;
    int ncols;
    ria_dict **dicts;      /* per column id; NULL unless kind CODE */
    ria_segref *segs;
    int nsegs;
    uint64_t live_rows;
    int64_t min_ts, max_ts; /* order_date range over live segments */
    void *manifest;        /* the parsed commit (json_t *), owned */
    /* lazily opened per-segment state, same index as segs */
    ria_segment **open_segs;
    uint8_t **dvs;
    void *lock;            /* guards the lazy state (pthread_mutex_t *) */
} ria_snapshot;

/* version 0 = latest.  RIA_ENOTFOUND for a version that does not exist or
 * was vacuumed. */
ria_status ria_store_snapshot(ria_store *st, int64_t version, ria_snapshot **out,
                              ria_error *err);
/* The latest version committed at or before unix time t. */
ria_status ria_store_snapshot_at(ria_store *st, int64_t t, ria_snapshot **out, ria_error *err);
void ria_snapshot_free(ria_snapshot *snap);
/* Column by SQL name (case-insensitive) or by label; NULL if none. */
const ria_column *ria_snapshot_column(const ria_snapshot *snap, const char *name);
const ria_column *ria_snapshot_role(const ria_snapshot *snap, ria_role role);
/* The opened segment i (thread-safe, opened on first use). */
ria_status ria_snapshot_segment(ria_snapshot *snap, int i, ria_segment **out, ria_error *err);
/* Deletion bitmap of segment i, or NULL when none (thread-safe). */
ria_status ria_snapshot_dv(ria_snapshot *snap, int i, const uint8_t **out, ria_error *err);
/* The commit's JSON report (json_t *, borrowed) or NULL. */
void *ria_snapshot_report(const ria_snapshot *snap);

/* Every version, oldest first (caller frees *out). */
ria_status ria_store_versions(ria_store *st, ria_version_info **out, int *out_n, ria_error *err);

/* ---------------------------------------------------------- transactions */

/* A write transaction: holds the writer lock from begin to commit/abort and
 * stages a new version on top of the latest one. */
typedef struct ria_txn ria_txn;

/* Opens (creating when `create` is set) the store at dir and takes the writer
 * lock; RIA_ELOCKED with a clear message when another writer holds it. */
ria_status ria_txn_begin(const char *dir, bool create, ria_txn **out, ria_error *err);
/* The version the transaction builds on (NULL-free: an empty snapshot for a
 * new store).  Borrowed until commit/abort. */
ria_snapshot *ria_txn_base(ria_txn *tx);
const char *ria_txn_dir(const ria_txn *tx);
int64_t ria_txn_version(const ria_txn *tx); /* the version being written */

/* Schema: the staged columns (base schema plus additions). */
int ria_txn_ncols(const ria_txn *tx);
const ria_column *ria_txn_col(const ria_txn *tx, uint32_t id);
ria_status ria_txn_add_column(ria_txn *tx, const char *name, const char *label, ria_role role,
                              ria_type type, ria_kind kind, uint32_t *out_id, ria_error *err);

/* Dictionary of a CODE column: code of s, adding it when new (appended to the
 * dictionary file at commit).  Not thread-safe. */
ria_status ria_txn_intern(ria_txn *tx, uint32_t col_id, const char *s, size_t n,
                          uint32_t *out_code, ria_error *err);
/* The string of a code (staged or committed); borrowed until commit/abort. */
ria_slice ria_txn_dict_str(const ria_txn *tx, uint32_t col_id, uint32_t code);
uint32_t ria_txn_dict_count(const ria_txn *tx, uint32_t col_id);

/* A fresh segment id and its paths (relative to the store dir) in a
 * partition; the directory is created. */
ria_status ria_txn_new_segment(ria_txn *tx, int partition, ria_segref *out, ria_error *err);
/* Stages an added segment (its files must be written and fsynced). */
ria_status ria_txn_add_segment(ria_txn *tx, const ria_segref *ref, ria_error *err);
/* Stages removal of a live segment (by id). */
ria_status ria_txn_remove_segment(ria_txn *tx, const char *id, ria_error *err);
/* Removes every live segment (replace mode). */
void ria_txn_remove_all(ria_txn *tx);
/* Stages a new deletion bitmap for a live or staged segment (the full
 * bitmap, including earlier deletions). */
ria_status ria_txn_set_dv(ria_txn *tx, const char *id, const uint8_t *bits, uint64_t ndeleted,
                          ria_error *err);
/* The staged segment list (base minus removals plus additions). */
int ria_txn_nsegs(const ria_txn *tx);
const ria_segref *ria_txn_seg(const ria_txn *tx, int i);
/* Path of a store file: dir + "/" + rel. */
ria_status ria_txn_path(const ria_txn *tx, const char *rel, char *out, size_t outsz,
                        ria_error *err);

/* Publishes the new version: appends dictionaries, writes the model
 * (json_t *, may be NULL to keep the base's) and the report (json_t *), then
 * the log entry.  Consumes nothing; the caller still frees the txn. */
ria_status ria_txn_commit(ria_txn *tx, const char *operation, void *report, void *model,
                          int64_t *out_version, ria_error *err);
/* Releases the lock and frees the transaction; uncommitted files are left
 * for vacuum. */
void ria_txn_free(ria_txn *tx);

/* -------------------------------------------------------- maintenance */

typedef struct {
    int keep;              /* keep at least the last `keep` versions (>= 1) */
    int64_t older_than;    /* or: drop versions committed before this unix time (0 = unused) */
    bool dry_run;
} ria_vacuum_opts;
typedef struct {
    uint64_t files_removed, bytes_removed;
    int64_t oldest_kept;
} ria_vacuum_result;
ria_status ria_store_vacuum(const char *dir, const ria_vacuum_opts *opts, ria_vacuum_result *out,
                            ria_error *err);

/* Path helpers. */
ria_status ria_store_file(const ria_store *st, const char *rel, char *out, size_t outsz,
                          ria_error *err);

#endif
