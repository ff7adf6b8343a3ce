/*
 * load_internal.h — private to ingest: the state of one load (see load.c)
 * and the modules that report on it (report.c, quarantine, progress) and
 * describe its data (model.c).
 */
#ifndef RIA_LOAD_INTERNAL_H
#define RIA_LOAD_INTERNAL_H

#include "csv.h"
#include "finalize.h"
#include "ingest_internal.h"

#include <jansson.h>
#include <pthread.h>

/* Partitions are months from year 0 to 9999. */
#define RIA_MAX_PARTITION (10000 * 12)

typedef enum { JOB_PARSE, JOB_FLUSH } job_kind;

typedef struct job {
    job_kind kind;
    struct job *next;          /* queue link (guarded by loader.mu) */
    struct job *next_pending;  /* parse jobs in chunk order (main thread) */
    bool done;                 /* guarded by loader.mu */
    ria_status rc;
    ria_error err;
    /* parse */
    ria_csv_chunk *chunk;
    uint32_t file;
    const file_plan *plan;
    chunk_rows rows;
    int worker;                /* which worker parsed it (dictionary translation) */
    /* flush */
    part_buf *pb;
    size_t bytes;
    cluster_spec cluster;
    new_seg seg;
} job;

typedef struct loader loader;
typedef struct {
    loader *L;
    int id;
} worker_arg;

struct loader {
    ria_ingest_opts opts;
    ria_txn *tx;
    char *const *files;
    int nfiles;
    file_plan *plans;
    int nplans;
    int *date_plan_idx;        /* per file: plan column of the order date */
    uint32_t date_col;         /* store column of the order date */
    bool upsert;
    /* workers */
    pthread_t threads[64];
    worker_arg wargs[64];
    int nthreads, nstarted;
    pthread_mutex_t mu;
    pthread_cond_t work, finished;
    bool sync_ready, stop;
    job *head, *tail;          /* queue */
    job *flushed;              /* finished flush jobs, not yet reaped */
    job *pending_head, *pending_tail; /* parse jobs not merged yet, in order */
    size_t npending, max_pending;
    size_t inflight_flush_bytes;
    int inflight_flushes;
    /* per worker: translation of its dictionary codes to store codes, for
     * the plan it last parsed (merge stage only) */
    struct worker_codes {
        const file_plan *plan;
        uint32_t **xl;     /* per plan column: store code of local code k+1 */
        uint32_t *nxl;
        int ncols;
    } wcodes[64];
    /* partition buffers */
    part_buf **parts;          /* by partition id */
    int *live;                 /* partition ids ever used */
    int nlive;
    size_t buffered, budget, row_bytes;
    new_seg *segs;             /* written segments */
    int nsegs, capsegs;
    /* accounting */
    rule_count rules[RIA_RULE_COUNT];
    uint64_t rows_read, accepted, quarantined, blank_lines, converted_rows;
    uint64_t *file_rows;
    uint64_t bytes_done, bytes_total;
    int64_t min_ts, max_ts, old_threshold;
    oldest_rows oldest;
    double started;
    double t_merge, t_wait;    /* main thread: merging, waiting for workers */
    json_t *file_reports;
    ria_arena sample_arena;
    /* quarantine */
    FILE *quar;
    char quar_rel[64];
    bool quar_failed;
    /* progress */
    double last_progress;
    bool progress_drawn;
};

ria_status quarantine_open(loader *L, ria_error *err);
ria_status quarantine_write(loader *L, const chunk_rows *c, ria_error *err);
/* Closes the file; with keep it must be complete (returns false on a write
 * error), without it is removed. */
bool quarantine_close(loader *L, bool keep);

void progress_update(loader *L, bool force);
void progress_done(loader *L);

/* Records a file's reader statistics and mapping notes (takes notes). */
void report_file(loader *L, uint32_t fi, const ria_csv_stats *st, json_t *notes);
/* The reconciliation report of the load (new reference). */
json_t *report_build(loader *L, const fin_ctx *fin);

/* The semantic model for the staged version: inferred from the schema and
 * dictionaries, merged with the user's edits of model.json. */
ria_status model_build(ria_txn *tx, json_t **out, ria_error *err);

#endif
