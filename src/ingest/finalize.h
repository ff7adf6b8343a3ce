/*
 * finalize.h — private to ingest: the whole-load passes run before the
 * commit (dedupe, upsert, old-date counting).  See finalize.c.
 */
#ifndef RIA_FINALIZE_H
#define RIA_FINALIZE_H

#include "ingest_internal.h"

typedef struct {
    ria_txn *tx;
    new_seg *segs;          /* the load's segments, borrowed */
    int nsegs;
    bool replace;           /* stored rows do not count for dedupe */
    int threads;            /* 0 = all cores */
    uint64_t memory;        /* the load's memory budget: bounds the dedupe sets */
    uint32_t key_cols[16];  /* upsert key, store column ids */
    int nkey;
    uint8_t **dv;           /* per new segment: deletions found (NULL = none) */
    uint64_t *ndel;         /* per new segment: rows deleted */
    uint64_t duplicates;    /* dedupe: new rows dropped as exact duplicates */
    uint64_t superseded;    /* upsert: new rows replaced by a later row of the load */
    uint64_t replaced;      /* upsert: stored rows deleted */
    uint64_t updated;       /* upsert: keys that existed */
    uint64_t inserted;      /* upsert: keys that are new */
} fin_ctx;

ria_status fin_dedupe(fin_ctx *f, ria_error *err);
ria_status fin_upsert(fin_ctx *f, ria_error *err);
/* Counts live new rows whose order time is more than 10 years before
 * latest_ts; *out_threshold is the cut-off. */
ria_status fin_old_dates(fin_ctx *f, int64_t latest_ts, uint32_t date_col, uint64_t *out,
                         int64_t *out_threshold, ria_error *err);

#endif
