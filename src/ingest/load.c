/*
 * load.c — the ingest pipeline.
 *
 *   main thread: read chunks ─► job queue ─► workers: parse + rules ─┐
 *        ▲                                                           │
 *        └── merge results in chunk order ◄──────────────────────────┘
 *            (dictionary codes, partition buffers, quarantine file)
 *            └─► over budget: buffers ─► job queue ─► workers: cluster + write
 *   end: flush all, finalize (dedupe / upsert / old dates), report, commit.
 *
 * Memory is bounded by the row-buffer budget plus a fixed number of chunks
 * in flight, whatever the input size.  Only the main thread touches the
 * transaction; workers touch only the chunk or buffer of their job.
 */
#include "finalize.h"
#include "ingest_internal.h"
#include "load_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- jobs */

static void queue_push(loader *L, job *j)
{
    pthread_mutex_lock(&L->mu);
    j->next = NULL;
    if (L->tail)
        L->tail->next = j;
    else
        L->head = j;
    L->tail = j;
    pthread_cond_signal(&L->work);
    pthread_mutex_unlock(&L->mu);
}

/* A worker's dictionaries, kept from chunk to chunk of the same file so
 * that repeated values are found in a warm table. */
typedef struct {
    const file_plan *plan;
    ldict *dicts;
    int n;
} worker_dicts;

static ria_status dicts_for(worker_dicts *wd, const file_plan *plan)
{
    if (wd->plan == plan)
        return RIA_OK;
    for (int i = 0; i < wd->n; i++)
        ldict_free(&wd->dicts[i]);
    free(wd->dicts);
    wd->dicts = calloc((size_t)plan->ncols + 1, sizeof *wd->dicts);
    if (!wd->dicts) {
        wd->plan = NULL;
        wd->n = 0;
        return RIA_ENOMEM;
    }
    for (int i = 0; i < plan->ncols; i++)
        ldict_init(&wd->dicts[i]);
    wd->n = plan->ncols;
    wd->plan = plan;
    return RIA_OK;
}

static void run_parse(loader *L, job *j, ria_csv_cursor *cur, worker_dicts *wd, int worker)
{
    chunk_rows *c = &j->rows;
    j->worker = worker;
    ria_status rc = dicts_for(wd, j->plan);
    if (rc == RIA_OK)
        rc = chunk_init(c, j->plan, j->chunk->seq, j->file, wd->dicts);
    ria_csv_cursor_reset(cur, j->chunk);
    while (rc == RIA_OK) {
        const ria_csv_record *r = NULL;
        if ((rc = ria_csv_next(cur, &r, NULL)) != RIA_OK || !r)
            break;
        src_record s = {r->fields, (int)r->nfields, r->line, r->raw,
                        (r->flags & RIA_CSV_ERROR) != 0, r->message,
                        (r->flags & RIA_CSV_REPAIRED) != 0, (r->flags & RIA_CSV_CONVERTED) != 0};
        rc = chunk_add_record(c, &s);
    }
    if (rc == RIA_OK)
        rc = chunk_seal(c);
    c->blank_lines = j->chunk->blank_lines;
    c->bytes_in = j->chunk->in_bytes;
    j->rc = rc;
    ria_csv_chunk_free(j->chunk);
    j->chunk = NULL;
    (void)L;
}

static void run_flush(loader *L, job *j)
{
    ria_error err = {0};
    j->rc = pb_flush(ria_txn_dir(L->tx), j->pb, &j->cluster, &j->seg, &err);
    if (j->rc != RIA_OK)
        j->err = err;
    pb_free(j->pb);
    j->pb = NULL;
}

static void *worker_main(void *arg)
{
    loader *L = ((worker_arg *)arg)->L;
    int id = ((worker_arg *)arg)->id;
    worker_dicts wd = {0};
    ria_csv_cursor cur;
    ria_csv_cursor_init(&cur);
    for (;;) {
        pthread_mutex_lock(&L->mu);
        while (!L->head && !L->stop)
            pthread_cond_wait(&L->work, &L->mu);
        if (!L->head) {
            pthread_mutex_unlock(&L->mu);
            break;
        }
        job *j = L->head;
        L->head = j->next;
        if (!L->head)
            L->tail = NULL;
        pthread_mutex_unlock(&L->mu);
        if (j->kind == JOB_PARSE)
            run_parse(L, j, &cur, &wd, id);
        else
            run_flush(L, j);
        pthread_mutex_lock(&L->mu);
        j->done = true;
        if (j->kind == JOB_FLUSH) {
            j->next = L->flushed;
            L->flushed = j;
        }
        pthread_cond_broadcast(&L->finished);
        pthread_mutex_unlock(&L->mu);
    }
    ria_csv_cursor_free(&cur);
    for (int i = 0; i < wd.n; i++)
        ldict_free(&wd.dicts[i]);
    free(wd.dicts);
    return NULL;
}

static ria_status start_workers(loader *L, ria_error *err)
{
    pthread_mutex_init(&L->mu, NULL);
    pthread_cond_init(&L->work, NULL);
    pthread_cond_init(&L->finished, NULL);
    L->sync_ready = true;
    for (int i = 0; i < L->nthreads; i++) {
        L->wargs[i] = (worker_arg){L, i};
        if (pthread_create(&L->threads[i], NULL, worker_main, &L->wargs[i]) != 0)
            return ria_fail(err, RIA_EIO, "cannot start worker thread: %s", strerror(errno));
        L->nstarted++;
    }
    return RIA_OK;
}

static void stop_workers(loader *L)
{
    if (!L->sync_ready)
        return;
    pthread_mutex_lock(&L->mu);
    L->stop = true;
    pthread_cond_broadcast(&L->work);
    pthread_mutex_unlock(&L->mu);
    for (int i = 0; i < L->nstarted; i++)
        pthread_join(L->threads[i], NULL);
    L->nstarted = 0;
}

/* ----------------------------------------------------------- flushing */

static cluster_spec cluster_for(loader *L)
{
    static const ria_role roles[4] = {RIA_ROLE_CATEGORY, RIA_ROLE_REGION, RIA_ROLE_STATE,
                                      RIA_ROLE_ORDER_DATE};
    cluster_spec cs;
    for (int k = 0; k < 4; k++) {
        cs.col[k] = NO_COL;
        for (int i = 0; i < ria_txn_ncols(L->tx); i++)
            if (ria_txn_col(L->tx, (uint32_t)i)->role == roles[k])
                cs.col[k] = (uint32_t)i;
        if (k < 3)
            cs.dict_size[k] = cs.col[k] == NO_COL ? 0 : ria_txn_dict_count(L->tx, cs.col[k]);
    }
    return cs;
}

/* Collects finished flushes; call with L->mu held. */
static ria_status reap_flushes(loader *L, ria_error *err)
{
    ria_status rc = RIA_OK;
    while (L->flushed) {
        job *j = L->flushed;
        L->flushed = j->next;
        L->inflight_flush_bytes -= j->bytes;
        L->inflight_flushes--;
        if (j->rc != RIA_OK && rc == RIA_OK) {
            rc = j->rc;
            *err = j->err;
        }
        if (j->rc == RIA_OK) {
            if (L->nsegs == L->capsegs) {
                int cap = L->capsegs ? L->capsegs * 2 : 64;
                new_seg *s = realloc(L->segs, (size_t)cap * sizeof *s);
                if (!s) {
                    free(j);
                    return ria_fail(err, RIA_ENOMEM, "out of memory");
                }
                L->segs = s;
                L->capsegs = cap;
            }
            L->segs[L->nsegs++] = j->seg;
        }
        free(j);
    }
    return rc;
}

/* Hands a partition buffer to a flush job. */
static ria_status dispatch_flush(loader *L, int partition, ria_error *err)
{
    part_buf *pb = L->parts[partition];
    L->parts[partition] = NULL;
    L->buffered -= pb->bytes;
    job *j = calloc(1, sizeof *j);
    if (!j)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    j->kind = JOB_FLUSH;
    j->pb = pb;
    j->bytes = pb->bytes;
    j->cluster = cluster_for(L);
    ria_status rc = ria_txn_new_segment(L->tx, partition, &j->seg.ref, err);
    if (rc != RIA_OK) {
        pb_free(pb);
        free(j);
        return rc;
    }
    pthread_mutex_lock(&L->mu);
    L->inflight_flush_bytes += j->bytes;
    L->inflight_flushes++;
    pthread_mutex_unlock(&L->mu);
    queue_push(L, j);
    return RIA_OK;
}

/* Keeps buffered rows under the budget: flushes the largest partitions, and
 * waits while flushes in flight hold too much. */
static ria_status enforce_budget(loader *L, ria_error *err)
{
    ria_status rc = RIA_OK;
    if (L->buffered > L->budget) {
        while (L->buffered > L->budget / 2 && rc == RIA_OK) {
            int best = -1;
            for (int i = 0; i < L->nlive; i++) {
                int p = L->live[i];
                if (L->parts[p] && (best < 0 || L->parts[p]->bytes > L->parts[best]->bytes))
                    best = p;
            }
            if (best < 0)
                break;
            rc = dispatch_flush(L, best, err);
        }
    }
    pthread_mutex_lock(&L->mu);
    while (rc == RIA_OK && L->inflight_flush_bytes > L->budget / 2 && L->inflight_flushes > 0) {
        pthread_cond_wait(&L->finished, &L->mu);
        rc = reap_flushes(L, err);
    }
    if (rc == RIA_OK)
        rc = reap_flushes(L, err);
    pthread_mutex_unlock(&L->mu);
    return rc;
}

static ria_status flush_all(loader *L, ria_error *err)
{
    ria_status rc = RIA_OK;
    for (int i = 0; i < L->nlive && rc == RIA_OK; i++)
        if (L->parts[L->live[i]])
            rc = dispatch_flush(L, L->live[i], err);
    pthread_mutex_lock(&L->mu);
    while (L->inflight_flushes > 0) {
        pthread_cond_wait(&L->finished, &L->mu);
        ria_status r2 = reap_flushes(L, err);
        if (rc == RIA_OK)
            rc = r2;
    }
    pthread_mutex_unlock(&L->mu);
    return rc;
}

/* ---------------------------------------------------------------- merge */

static part_buf *part_for(loader *L, int partition, ria_error *err)
{
    if (partition < 0 || partition >= RIA_MAX_PARTITION) {
        ria_fail(err, RIA_EINTERNAL, "partition %d out of range", partition);
        return NULL;
    }
    if (!L->parts[partition]) {
        L->parts[partition] = pb_new(partition);
        if (!L->parts[partition]) {
            ria_fail(err, RIA_ENOMEM, "out of memory");
            return NULL;
        }
        bool known = false;
        for (int i = 0; i < L->nlive; i++)
            known |= L->live[i] == partition;
        if (!known) {
            int *lv = realloc(L->live, (size_t)(L->nlive + 1) * sizeof *lv);
            if (!lv) {
                ria_fail(err, RIA_ENOMEM, "out of memory");
                return NULL;
            }
            L->live = lv;
            L->live[L->nlive++] = partition;
        }
    }
    return L->parts[partition];
}

/* The translation tables of worker w for plan p (reset when the worker
 * moved on to another file's plan). */
static ria_status codes_of(loader *L, int w, const file_plan *p)
{
    struct worker_codes *wc = &L->wcodes[w];
    if (wc->plan == p)
        return RIA_OK;
    for (int i = 0; i < wc->ncols; i++)
        free(wc->xl[i]);
    free(wc->xl);
    free(wc->nxl);
    wc->xl = calloc((size_t)p->ncols + 1, sizeof *wc->xl);
    wc->nxl = calloc((size_t)p->ncols + 1, sizeof *wc->nxl);
    wc->ncols = p->ncols;
    wc->plan = p;
    if (!wc->xl || !wc->nxl) {
        wc->plan = NULL;
        wc->ncols = 0;
        return RIA_ENOMEM;
    }
    return RIA_OK;
}

/* Maps a chunk's worker-dictionary codes to store codes, in place: entries
 * the chunk added are interned first, in order, so codes stay stable. */
static ria_status map_codes(loader *L, chunk_rows *c, int w, ria_error *err)
{
    if (codes_of(L, w, c->plan) != RIA_OK)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    struct worker_codes *wc = &L->wcodes[w];
    for (int i = 0; i < c->plan->ncols; i++) {
        chunk_col *cc = &c->cols[i];
        if (cc->kind != RIA_KIND_CODE)
            continue;
        if (cc->nnew) {
            if (wc->nxl[i] != cc->new_from)
                return ria_fail(err, RIA_EINTERNAL, "dictionary translation out of step");
            uint32_t *xl = realloc(wc->xl[i], (cc->new_from + cc->nnew + 1) * sizeof *xl);
            if (!xl)
                return ria_fail(err, RIA_ENOMEM, "out of memory");
            wc->xl[i] = xl;
            for (uint32_t k = 0; k < cc->nnew; k++) {
                ria_status rc = ria_txn_intern(L->tx, cc->col, cc->news[k].p, cc->news[k].n,
                                               &xl[cc->new_from + k], err);
                if (rc != RIA_OK)
                    return rc;
            }
            wc->nxl[i] = cc->new_from + cc->nnew;
        }
        const uint32_t *xl = wc->xl[i];
        for (size_t r = 0; r < c->nrows; r++)
            if (cc->codes[r])
                cc->codes[r] = xl[cc->codes[r] - 1];
    }
    return RIA_OK;
}

/* Rows of one partition within a chunk: order[start .. start + count). */
typedef struct {
    part_buf *pb;
    uint32_t start, count;
} route_group;

/* Appends the rows order[0..n) of chunk column cc to pb's column at base. */
static ria_status copy_col(const chunk_col *cc, part_buf *pb, size_t base, const uint32_t *order,
                           uint32_t n)
{
    pb_col *dst = &pb->cols[cc->col];
    switch (cc->kind) {
    case RIA_KIND_I64: {
        int64_t *d = dst->i64 + base;
        for (uint32_t k = 0; k < n; k++)
            d[k] = cc->i64[order[k]];
        return RIA_OK;
    }
    case RIA_KIND_CODE: {
        uint32_t *d = dst->codes + base;
        for (uint32_t k = 0; k < n; k++)
            d[k] = cc->codes[order[k]];
        return RIA_OK;
    }
    case RIA_KIND_HEAP: {
        size_t bytes = 0;
        for (uint32_t k = 0; k < n; k++)
            bytes += (size_t)(cc->offs[order[k] + 1] - cc->offs[order[k]]);
        if (ria_buf_reserve(&dst->heap, bytes) != RIA_OK)
            return RIA_ENOMEM;
        char *out = dst->heap.data;
        size_t len = dst->heap.len;
        for (uint32_t k = 0; k < n; k++) {
            uint64_t from = cc->offs[order[k]], to = cc->offs[order[k] + 1];
            memcpy(out + len, cc->heap.data + from, (size_t)(to - from));
            len += (size_t)(to - from);
            dst->offs[base + k + 1] = len;
        }
        dst->heap.len = len;
        out[len] = 0;
        pb->bytes += bytes;
        return RIA_OK;
    }
    }
    return RIA_OK;
}

/* Groups a chunk's rows by partition (a counting sort), so each column is
 * appended to each buffer with one tight loop. */
static ria_status group_rows(loader *L, chunk_rows *c, uint32_t *order, route_group *groups,
                             int *out_ngroups, ria_error *err)
{
    int ng = 0;
    int last = INT32_MIN, last_g = -1;
    uint32_t *gid = order + c->nrows; /* scratch: group of each row */
    for (size_t r = 0; r < c->nrows; r++) {
        int p = c->partition[r];
        int g = p == last ? last_g : -1;
        for (int k = 0; g < 0 && k < ng; k++)
            if (groups[k].pb->partition == p)
                g = k;
        if (g < 0) {
            if (ng == 256)
                return ria_fail(err, RIA_EINTERNAL, "too many partitions in one chunk");
            part_buf *pb = part_for(L, p, err);
            if (!pb)
                return err->code;
            groups[ng] = (route_group){pb, 0, 0};
            g = ng++;
        }
        last = p;
        last_g = g;
        groups[g].count++;
        gid[r] = (uint32_t)g;
    }
    uint32_t start = 0;
    for (int g = 0; g < ng; g++) {
        groups[g].start = start;
        start += groups[g].count;
        groups[g].count = 0;
    }
    for (size_t r = 0; r < c->nrows; r++) {
        route_group *g = &groups[gid[r]];
        order[g->start + g->count++] = (uint32_t)r;
    }
    *out_ngroups = ng;
    return RIA_OK;
}

/* Routes a chunk's rows into partition buffers. */
static ria_status route_rows(loader *L, chunk_rows *c, ria_error *err)
{
    size_t n = c->nrows;
    uint32_t *order = malloc((2 * n + 1) * sizeof *order);
    route_group *groups = malloc(256 * sizeof *groups);
    int ng = 0, ncols = ria_txn_ncols(L->tx);
    bool *filled = calloc((size_t)ncols + 1, sizeof *filled);
    ria_status rc = RIA_OK;
    if (!order || !groups || !filled) {
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = group_rows(L, c, order, groups, &ng, err)) != RIA_OK)
        goto done;
    for (int i = 0; i < c->plan->ncols; i++)
        filled[c->plan->cols[i].col] = true;
    const int64_t *ts = c->cols[L->date_plan_idx[c->file]].i64;
    for (int g = 0; g < ng; g++) {
        part_buf *pb = groups[g].pb;
        const uint32_t *ord = order + groups[g].start;
        uint32_t cnt = groups[g].count;
        if (pb_reserve(pb, L->tx, cnt, L->upsert) != RIA_OK) {
            rc = ria_fail(err, RIA_ENOMEM, "out of memory buffering rows");
            goto done;
        }
        size_t base = pb->nrows, before = pb->bytes;
        for (int i = 0; i < c->plan->ncols; i++)
            if (copy_col(&c->cols[i], pb, base, ord, cnt) != RIA_OK) {
                rc = ria_fail(err, RIA_ENOMEM, "out of memory buffering rows");
                goto done;
            }
        for (int col = 0; col < ncols; col++)
            if (!filled[col])
                pb_fill_nulls(pb, col, base, base + cnt);
        for (uint32_t k = 0; k < cnt; k++) {
            uint32_t r = ord[k];
            pb->fp[base + k] = c->fp[r];
            pb->hits[base + k] = c->hits[r];
            pb->min_ts = RIA_MIN(pb->min_ts, ts[r]);
            pb->max_ts = RIA_MAX(pb->max_ts, ts[r]);
        }
        if (L->upsert)
            for (uint32_t k = 0; k < cnt; k++) {
                uint32_t r = ord[k];
                pb->key[base + k] = c->key[r];
                pb->seq[base + k] = ((uint64_t)c->file << 40) | c->line[r];
            }
        pb->nrows = base + cnt;
        pb->bytes += (size_t)cnt * L->row_bytes;
        L->buffered += pb->bytes - before;
    }
done:
    free(order);
    free(groups);
    free(filled);
    return rc;
}

static void merge_counts(loader *L, const chunk_rows *c)
{
    for (int r = 0; r < RIA_RULE_COUNT; r++) {
        const rule_count *src = &c->rules[r];
        rule_count *dst = &L->rules[r];
        for (int k = 0; k < src->nlines && dst->nlines < RULE_EXAMPLES; k++) {
            dst->lines[dst->nlines] = src->lines[k];
            dst->files[dst->nlines++] = src->files[k];
        }
        dst->count += src->count;
    }
    L->rows_read += c->records;
    L->accepted += c->nrows;
    L->quarantined += c->nquar;
    L->converted_rows += c->converted_rows;
    L->bytes_done += c->bytes_in;
    L->file_rows[c->file] += c->records;
    for (int i = 0; i < c->oldest.n; i++)
        oldest_add(&L->oldest, c->oldest.ts[i], c->oldest.files[i], c->oldest.lines[i]);
    if (c->nrows) {
        L->min_ts = RIA_MIN(L->min_ts, c->min_ts);
        L->max_ts = RIA_MAX(L->max_ts, c->max_ts);
    }
}

static ria_status merge_chunk(loader *L, chunk_rows *c, int worker, ria_error *err)
{
    ria_status rc = map_codes(L, c, worker, err);
    if (rc == RIA_OK)
        rc = route_rows(L, c, err);
    if (rc == RIA_OK)
        rc = quarantine_write(L, c, err);
    if (rc == RIA_OK) {
        merge_counts(L, c);
        progress_update(L, false);
        rc = enforce_budget(L, err);
    }
    if (rc == RIA_OK && L->opts.cancel && *L->opts.cancel)
        rc = ria_fail(err, RIA_ECANCELLED, "the load was cancelled; nothing was committed");
    return rc;
}

/* CPU seconds used by the calling thread. */
static double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Waits for the oldest parse job and merges it. */
static ria_status merge_next(loader *L, ria_error *err)
{
    job *j = L->pending_head;
    double t0 = ria_now();
    pthread_mutex_lock(&L->mu);
    while (!j->done)
        pthread_cond_wait(&L->finished, &L->mu);
    pthread_mutex_unlock(&L->mu);
    double t1 = ria_now();
    L->t_wait += t1 - t0;
    double c1 = thread_cpu();
    L->pending_head = j->next_pending;
    if (!L->pending_head)
        L->pending_tail = NULL;
    L->npending--;
    ria_status rc = j->rc;
    if (rc != RIA_OK)
        rc = ria_fail(err, rc, "%s: out of memory parsing rows", L->plans[j->file].name);
    else
        rc = merge_chunk(L, &j->rows, j->worker, err);
    chunk_free(&j->rows);
    free(j);
    L->t_merge += thread_cpu() - c1;
    return rc;
}

static ria_status submit_parse(loader *L, ria_csv_chunk *chunk, uint32_t file, ria_error *err)
{
    job *j = calloc(1, sizeof *j);
    if (!j) {
        ria_csv_chunk_free(chunk);
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    }
    j->kind = JOB_PARSE;
    j->chunk = chunk;
    j->file = file;
    j->plan = &L->plans[file];
    if (L->pending_tail)
        L->pending_tail->next_pending = j;
    else
        L->pending_head = j;
    L->pending_tail = j;
    L->npending++;
    queue_push(L, j);
    ria_status rc = RIA_OK;
    while (rc == RIA_OK && L->npending > L->max_pending)
        rc = merge_next(L, err);
    return rc;
}

/* --------------------------------------------------------------- files */

/* Copies the first records of a chunk as the file's type sample. */
static ria_status take_sample(loader *L, const ria_csv_chunk *chunk, src_record **out,
                              size_t *out_n, ria_error *err)
{
    ria_csv_cursor cur;
    ria_csv_cursor_init(&cur);
    ria_csv_cursor_reset(&cur, chunk);
    size_t cap = RIA_MIN(chunk ? chunk->nrecords : 0, (size_t)20000), n = 0;
    src_record *s = calloc(cap ? cap : 1, sizeof *s);
    ria_status rc = s ? RIA_OK : ria_fail(err, RIA_ENOMEM, "out of memory");
    while (rc == RIA_OK && n < cap) {
        const ria_csv_record *r = NULL;
        if ((rc = ria_csv_next(&cur, &r, err)) != RIA_OK || !r)
            break;
        ria_slice *fields = ria_arena_alloc(&L->sample_arena, (r->nfields + 1) * sizeof *fields);
        if (!fields) {
            rc = ria_fail(err, RIA_ENOMEM, "out of memory");
            break;
        }
        for (size_t f = 0; f < r->nfields; f++) {
            char *copy = ria_arena_strndup(&L->sample_arena, r->fields[f].p, r->fields[f].n);
            if (!copy) {
                rc = ria_fail(err, RIA_ENOMEM, "out of memory");
                break;
            }
            fields[f] = (ria_slice){copy, r->fields[f].n};
        }
        s[n++] = (src_record){fields, (int)r->nfields, r->line, {"", 0},
                              (r->flags & RIA_CSV_ERROR) != 0, NULL, false, false};
    }
    ria_csv_cursor_free(&cur);
    *out = s;
    *out_n = n;
    return rc;
}

static ria_status open_input(loader *L, const char *name, int *out_fd, ria_error *err)
{
    if (strcmp(name, "-") == 0) {
        *out_fd = STDIN_FILENO;
        return RIA_OK;
    }
    int fd = open(name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ria_fail(err, errno == ENOENT ? RIA_ENOTFOUND : RIA_EIO, "%s: %s", name,
                        strerror(errno));
    off_t size = lseek(fd, 0, SEEK_END);
    if (size > 0)
        L->bytes_total += (uint64_t)size;
    lseek(fd, 0, SEEK_SET);
    *out_fd = fd;
    return RIA_OK;
}

/* Reads one input file through the pipeline. */
static ria_status load_file(loader *L, uint32_t fi, ria_error *err)
{
    const char *name = L->files[fi];
    int fd = -1;
    ria_csv_reader *rd = NULL;
    ria_csv_chunk *chunk = NULL;
    src_record *sample = NULL;
    size_t nsample = 0;
    json_t *notes = json_array();
    ria_status rc = open_input(L, name, &fd, err);
    if (rc != RIA_OK)
        goto done;
    ria_csv_options co = {L->opts.delimiter, L->opts.chunk_bytes, 0, 0};
    const ria_csv_record *hdr = NULL;
    if ((rc = ria_csv_open(fd, &co, &rd, err)) != RIA_OK ||
        (rc = ria_csv_read_header(rd, &hdr, err)) != RIA_OK)
        goto done;
    if (!hdr || (hdr->flags & RIA_CSV_ERROR)) {
        rc = ria_fail(err, RIA_EPARSE, "%s: %s", name,
                      hdr ? "the header line is malformed" : "the file is empty (no header)");
        goto done;
    }
    if ((rc = ria_csv_next_chunk(rd, &chunk, err)) != RIA_OK)
        goto done;
    if ((rc = take_sample(L, chunk, &sample, &nsample, err)) != RIA_OK)
        goto done;
    src_record h = {hdr->fields, (int)hdr->nfields, hdr->line, hdr->raw, false, NULL, false, false};
    plan_opts po = {L->opts.max_amount, L->opts.mode == RIA_MODE_UPSERT ? L->opts.key : NULL,
                    L->opts.delimiter};
    if ((rc = plan_build(L->tx, name, &h, sample, nsample, &po, &L->plans[fi], notes, err)) !=
        RIA_OK)
        goto done;
    L->nplans = (int)fi + 1;
    for (int i = 0; i < L->plans[fi].ncols; i++)
        if (L->plans[fi].cols[i].role == RIA_ROLE_ORDER_DATE)
            L->date_plan_idx[fi] = i;
    /* bytes a buffered row holds besides its heap text */
    L->row_bytes = sizeof(ria_hash128) + (L->upsert ? sizeof(ria_hash128) + 8 : 0);
    for (int i = 0; i < ria_txn_ncols(L->tx); i++)
        L->row_bytes += ria_txn_col(L->tx, (uint32_t)i)->kind == RIA_KIND_CODE ? 4 : 8;
    while (rc == RIA_OK && chunk) {
        rc = submit_parse(L, chunk, fi, err);
        chunk = NULL;
        if (rc == RIA_OK)
            rc = ria_csv_next_chunk(rd, &chunk, err);
        if (rc != RIA_OK)
            ria_error_prefix(err, "%s", name);
    }
    while (rc == RIA_OK && L->npending)
        rc = merge_next(L, err);
    ria_csv_stats st;
    ria_csv_get_stats(rd, &st);
    report_file(L, fi, &st, notes);
    notes = NULL;
done:
    json_decref(notes);
    free(sample);
    ria_csv_chunk_free(chunk);
    ria_csv_close(rd);
    if (fd > STDIN_FILENO)
        close(fd);
    return rc;
}

/* ------------------------------------------------------------- finalize */

/* Takes back the flag/fix counts of rows that finalize dropped, and
 * removes every rule-hit sidecar (they are not part of the commit). */
static ria_status uncount_dropped(loader *L, const fin_ctx *f, ria_error *err)
{
    ria_status rc = RIA_OK;
    for (int i = 0; i < L->nsegs; i++) {
        char path[4200];
        hits_path(ria_txn_dir(L->tx), &L->segs[i].ref, path, sizeof path);
        uint32_t *pairs = NULL;
        size_t n = 0;
        if (rc == RIA_OK && f->dv[i] && (rc = hits_read(path, &pairs, &n, err)) == RIA_OK)
            for (size_t k = 0; k < n; k++) {
                if (!ria_dv_get(f->dv[i], pairs[2 * k]))
                    continue;
                for (int b = 0; b < RIA_RULE_COUNT - FIRST_KEPT_RULE; b++)
                    if (pairs[2 * k + 1] >> b & 1)
                        L->rules[FIRST_KEPT_RULE + b].count--;
            }
        free(pairs);
        unlink(path);
    }
    return rc;
}

static void drop_segment_files(loader *L, const ria_segref *ref)
{
    char path[4200];
    if (ria_txn_path(L->tx, ref->path, path, sizeof path, NULL) == RIA_OK)
        unlink(path);
    if (ria_txn_path(L->tx, ref->fp_path, path, sizeof path, NULL) == RIA_OK)
        unlink(path);
}

static ria_status finalize(loader *L, fin_ctx *f, ria_error *err)
{
    memset(f, 0, sizeof *f);
    f->tx = L->tx;
    f->segs = L->segs;
    f->nsegs = L->nsegs;
    f->replace = L->opts.mode == RIA_MODE_REPLACE;
    f->threads = L->nthreads;
    f->memory = L->opts.memory;
    f->dv = calloc((size_t)L->nsegs + 1, sizeof *f->dv);
    f->ndel = calloc((size_t)L->nsegs + 1, sizeof *f->ndel);
    if (!f->dv || !f->ndel)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    ria_status rc;
    if (L->upsert) {
        f->nkey = L->plans[0].nkey;
        memcpy(f->key_cols, L->plans[0].key_cols, sizeof f->key_cols);
        rc = fin_upsert(f, err);
    } else {
        rc = fin_dedupe(f, err);
    }
    if (rc == RIA_OK)
        rc = uncount_dropped(L, f, err);
    if (rc != RIA_OK)
        return rc;
    if (f->replace)
        ria_txn_remove_all(L->tx);
    for (int i = 0; i < L->nsegs && rc == RIA_OK; i++) {
        if (f->ndel[i] == L->segs[i].ref.rows) {
            drop_segment_files(L, &L->segs[i].ref); /* nothing new in it */
            continue;
        }
        rc = ria_txn_add_segment(L->tx, &L->segs[i].ref, err);
        if (rc == RIA_OK && f->dv[i])
            rc = ria_txn_set_dv(L->tx, L->segs[i].ref.id, f->dv[i], f->ndel[i], err);
    }
    if (rc != RIA_OK || !L->nsegs)
        return rc;
    /* the latest order date of the table as it will be */
    int64_t latest = L->max_ts;
    for (int i = 0; i < ria_txn_nsegs(L->tx); i++) {
        const ria_segref *s = ria_txn_seg(L->tx, i);
        if (s->rows > s->deleted)
            latest = RIA_MAX(latest, s->max_ts);
    }
    uint64_t old = 0;
    rc = fin_old_dates(f, latest, L->date_col, &old, &L->old_threshold, err);
    rule_count *oc = &L->rules[RIA_RULE_OLD_DATE];
    oc->count = old;
    for (int i = 0; old && i < L->oldest.n && oc->nlines < RULE_EXAMPLES; i++)
        if (L->oldest.ts[i] < L->old_threshold) {
            oc->lines[oc->nlines] = L->oldest.lines[i];
            oc->files[oc->nlines++] = L->oldest.files[i];
        }
    return rc;
}

static void fin_free(fin_ctx *f, int nsegs)
{
    for (int i = 0; f->dv && i < nsegs; i++)
        free(f->dv[i]);
    free(f->dv);
    free(f->ndel);
}

/* ------------------------------------------------------------ the load */

static ria_status loader_init(loader *L, const char *dir, char *const *files, int nfiles,
                              const ria_ingest_opts *opts, ria_error *err)
{
    memset(L, 0, sizeof *L);
    /* Chunks and buffers of a few MB come and go all the time; keep freed
     * memory in the heap instead of returning it to the kernel, which would
     * have to zero fresh pages again for the next chunk. */
    mallopt(M_MMAP_THRESHOLD, 512 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    L->opts = *opts;
    if (!L->opts.max_amount)
        L->opts.max_amount = 100000 * RIA_DEC_SCALE;
    if (!L->opts.memory)
        L->opts.memory = 640ULL << 20;
    if (!L->opts.chunk_bytes)
        L->opts.chunk_bytes = 8u << 20;
    L->budget = L->opts.memory;
    L->files = files;
    L->nfiles = nfiles;
    L->upsert = opts->mode == RIA_MODE_UPSERT;
    L->nthreads = opts->threads > 0 ? opts->threads : ria_ncpu();
    L->nthreads = RIA_MIN(L->nthreads, (int)RIA_ARRAY_LEN(L->threads));
    L->max_pending = (size_t)L->nthreads * 2 + 1;
    L->min_ts = INT64_MAX;
    L->max_ts = INT64_MIN;
    L->started = ria_now();
    ria_arena_init(&L->sample_arena, 1 << 20);
    L->plans = calloc((size_t)nfiles, sizeof *L->plans);
    L->file_rows = calloc((size_t)nfiles, sizeof *L->file_rows);
    L->date_plan_idx = calloc((size_t)nfiles, sizeof *L->date_plan_idx);
    L->parts = calloc(RIA_MAX_PARTITION, sizeof *L->parts);
    L->file_reports = json_array();
    if (!L->plans || !L->file_rows || !L->date_plan_idx || !L->parts || !L->file_reports)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    if (L->upsert && (!opts->key || !*opts->key))
        return ria_fail(err, RIA_EINVAL, "--mode upsert needs --key COLUMNS");
    ria_status rc = ria_txn_begin(dir, true, &L->tx, err);
    if (rc == RIA_OK)
        rc = quarantine_open(L, err);
    return rc;
}

static void loader_free(loader *L)
{
    stop_workers(L);
    if (L->sync_ready) {
        pthread_mutex_destroy(&L->mu);
        pthread_cond_destroy(&L->work);
        pthread_cond_destroy(&L->finished);
    }
    while (L->pending_head) {
        job *j = L->pending_head;
        L->pending_head = j->next_pending;
        chunk_free(&j->rows);
        ria_csv_chunk_free(j->chunk);
        free(j);
    }
    for (int i = 0; L->parts && i < L->nlive; i++)
        pb_free(L->parts[L->live[i]]);
    for (int i = 0; i < L->nsegs; i++) {
        free(L->segs[i].keys);
        free(L->segs[i].seqs);
    }
    for (int i = 0; i < L->nplans; i++)
        plan_free(&L->plans[i]);
    for (int w = 0; w < (int)RIA_ARRAY_LEN(L->wcodes); w++) {
        for (int i = 0; i < L->wcodes[w].ncols; i++)
            free(L->wcodes[w].xl[i]);
        free(L->wcodes[w].xl);
        free(L->wcodes[w].nxl);
    }
    quarantine_close(L, false);
    progress_done(L);
    free(L->segs);
    free(L->live);
    free(L->parts);
    free(L->plans);
    free(L->file_rows);
    free(L->date_plan_idx);
    json_decref(L->file_reports);
    ria_arena_free(&L->sample_arena);
    ria_txn_free(L->tx);
}

ria_status ria_ingest_run(const char *dir, char *const *files, int nfiles,
                          const ria_ingest_opts *opts, ria_ingest_result *out, ria_error *err)
{
    /* a store this load creates is removed again if the load fails */
    bool existed = ria_path_exists(dir);
    loader *L = calloc(1, sizeof *L);
    fin_ctx fin;
    memset(&fin, 0, sizeof fin);
    memset(out, 0, sizeof *out);
    if (!L)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    ria_status rc = loader_init(L, dir, files, nfiles, opts, err);
    if (rc == RIA_OK)
        rc = start_workers(L, err);
    for (int i = 0; rc == RIA_OK && i < nfiles; i++)
        rc = load_file(L, (uint32_t)i, err);
    ria_log(RIA_LOG_INFO, "ingest: read and parsed in %.2f s (main thread: %.2f s CPU merging, %.2f s waiting)",
            ria_now() - L->started, L->t_merge, L->t_wait);
    if (rc == RIA_OK)
        rc = flush_all(L, err);
    ria_log(RIA_LOG_INFO, "ingest: flushed at %.2f s", ria_now() - L->started);
    for (int i = 0; rc == RIA_OK && i < ria_txn_ncols(L->tx); i++)
        if (ria_txn_col(L->tx, (uint32_t)i)->role == RIA_ROLE_ORDER_DATE)
            L->date_col = (uint32_t)i;
    if (rc == RIA_OK)
        rc = finalize(L, &fin, err);
    ria_log(RIA_LOG_INFO, "ingest: finalized at %.2f s", ria_now() - L->started);
    progress_done(L);
    json_t *report = NULL, *model = NULL;
    if (rc == RIA_OK)
        rc = quarantine_close(L, true) ? RIA_OK : ria_fail(err, RIA_EIO, "cannot write the quarantine file");
    if (rc == RIA_OK)
        report = report_build(L, &fin);
    if (rc == RIA_OK)
        rc = model_build(L->tx, &model, err);
    if (rc == RIA_OK && report)
        rc = ria_txn_commit(L->tx, opts->mode == RIA_MODE_UPSERT    ? "upsert"
                                   : opts->mode == RIA_MODE_REPLACE ? "replace"
                                                                    : "append",
                            report, model, &out->version, err);
    if (rc == RIA_OK) {
        out->report = report;
        report = NULL;
    }
    json_decref(report);
    json_decref(model);
    fin_free(&fin, L->nsegs);
    loader_free(L);
    free(L);
    if (rc != RIA_OK && !existed)
        ria_remove_tree(dir, NULL);
    return rc;
}

void ria_ingest_result_free(ria_ingest_result *r)
{
    if (r && r->report) {
        json_decref(r->report);
        r->report = NULL;
    }
}
