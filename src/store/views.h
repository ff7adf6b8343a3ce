/*
 * views.h — private to the store: materialized views (rollups) maintained
 * at commit time.  views.c decides what each commit must build and writes
 * the manifest entries; rollup.c groups live rows into rollup rows and
 * writes them as segments.  The manifest format is read by the engine's
 * view router (src/engine/views.c) and described in docs/internals/views.md.
 *
 * A rollup segment has these columns, by id:
 *   0            the time bucket: the TIMESTAMP starting its hour, day, month
 *                or year
 *   1 .. k       the view's dimensions, as the base dictionary codes
 *   k + 1        rows: base rows in the group
 *   k + 2 + 2j   sum of measure j (NULL when it has no value in the group)
 *   k + 3 + 2j   non-null count of measure j
 * (Minima and maxima are not kept: measured, they made the build half as
 * costly again; MIN/MAX of a measure are answered by the base table.)
 * Rows are sorted by the dimensions in view order, then by bucket.
 *
 * Ownership: everything here lives for one views_commit call, except a
 * rollup_ws, which its creator frees.
 */
#ifndef RIA_STORE_VIEWS_H
#define RIA_STORE_VIEWS_H

#include "store_internal.h"

#define VIEW_MAX_DIMS 12
#define VIEW_MAX_MEASURES 24
#define VIEW_MAX 64
/* Bump when the rollup layout changes: every view is then rebuilt. */
#define VIEW_LAYOUT 2

typedef enum { VG_HOUR, VG_DAY, VG_MONTH, VG_YEAR, VG_COUNT } vgrain;

/* A numeric measure: the value of column a, or a - b when b >= 0. */
typedef struct {
    char name[64];
    int a, b;
} vmeasure;

/* What every view of one commit shares: the order time and the measures. */
typedef struct {
    int tcol;              /* order time column id (a TIMESTAMP) */
    vmeasure m[VIEW_MAX_MEASURES];
    int nm;
} vschema;

/* One view definition, resolved against the staged schema. */
typedef struct {
    char name[48];
    vgrain grain;
    int ndims;
    uint32_t dims[VIEW_MAX_DIMS];  /* column ids, all dictionary-coded */
    uint32_t radix[VIEW_MAX_DIMS]; /* dictionary size + 1 (code 0 = NULL) */
    char key[512];                 /* the definition's identity */
    json_t *prev;                  /* base manifest entry with the same key, borrowed */
} vdef;

/* What one (view, partition) build produced. */
typedef struct {
    bool built;
    bool overflow;         /* a sum did not fit in 64 bits: no file */
    char path[200];        /* relative to the store dir */
    uint64_t rows, bytes;
    int64_t min_ts, max_ts; /* bucket range */
} vout;

/* One live segment of a partition, opened for reading. */
typedef struct {
    ria_segment *seg;
    uint8_t *dv;           /* deletion bitmap or NULL (owned) */
} vsrc;

/* Working memory of rollup_partition, kept from one partition to the next
 * by one thread at a time. */
typedef struct rollup_ws rollup_ws;
rollup_ws *rollup_ws_new(void);
void rollup_ws_free(rollup_ws *ws);

/* Builds the rollups of views v[0..nv) for one partition from the rows of
 * src, plus, for each view i with seeds[i] set (seeds may be NULL), the
 * rows of its previous rollup of that partition: when rows were only
 * appended, the previous rollup and the new segments make the new rollup.
 * Every view whose seed is NULL must be given all the partition's live
 * segments.  Each rollup is written as the segment file dir/out[i].path
 * (which the caller names; the directory must exist).  Views may be
 * derived from one another in memory; the result is the same as a scan of
 * all the partition's rows. */
ria_status rollup_partition(rollup_ws *ws, const char *dir, const vschema *sc,
                            const vdef *const *v, int nv, int partition, const vsrc *src,
                            int nsrc, ria_segment *const *seeds, vout *out, ria_error *err);

/* Builds the views defined in `model` (a json_t * semantic model, or NULL to
 * use the base version's) for the version tx stages.  *out_views gets the
 * manifest's "views" array and *out_files every file those views use (new
 * references; both NULL when the version has no views). */
ria_status views_commit(ria_txn *tx, json_t *model, json_t **out_views, json_t **out_files,
                        ria_error *err);

#endif
