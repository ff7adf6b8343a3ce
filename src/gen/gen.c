/*
 * gen.c — runs the generator: checks options, builds the model, and streams
 * blocks to the sink in order while worker threads make them in parallel;
 * then renders the truth record as JSON.
 *
 * Invariant: block b is handed to the sink only after blocks 0..b-1, and a
 * worker may start block b only once block b - nslots has been written, so
 * memory is nslots block buffers whatever the row count.  Ownership: the
 * pipeline's buffers and threads live inside ria_gen_run.
 */
#include "gen/gen_model.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void ria_gen_options_default(ria_gen_options *o)
{
    memset(o, 0, sizeof *o);
    o->rows = 1000000;
    o->seed = 42;
    o->start = ria_days_from_civil(2022, 1, 1);
    o->years = 3;
    o->dirty = 0;
    o->threads = 0;
}

ria_status ria_gen_options_check(const ria_gen_options *o, ria_error *err)
{
    if (o->years < 1 || o->years > 50)
        return ria_fail(err, RIA_EINVAL, "years must be 1..50 (got %d)", o->years);
    if (!(o->dirty >= 0 && o->dirty <= 1))
        return ria_fail(err, RIA_EINVAL, "dirty rate must be 0..1 (got %g)", o->dirty);
    if (o->rows > UINT64_MAX / 2)
        return ria_fail(err, RIA_EINVAL, "too many rows");
    int y, m, d;
    ria_civil_from_days(o->start, &y, &m, &d);
    /* Old dates go up to 61 years back; the span must end before 9999. */
    if (y < 1900 || y + o->years > 9990)
        return ria_fail(err, RIA_EINVAL, "start year must be 1900..%d (got %d)", 9990 - o->years,
                        y);
    return RIA_OK;
}

/* --------------------------------------------------------------- pipeline */

typedef struct {
    char *data; /* GEN_BLOCK_BYTES (pages touched as rows are written) */
    size_t len;
    bool ready;      /* holds the block the writer needs next from this slot */
    ria_gen_truth t; /* what the block holds */
} slot;

typedef struct {
    const gen_model *m;
    pthread_mutex_t mu;
    pthread_cond_t ready_cv; /* a slot became ready */
    pthread_cond_t free_cv;  /* the writer consumed a block (or stop) */
    slot *slots;
    int nslots;
    uint64_t next;    /* next block to claim */
    uint64_t written; /* blocks handed to the sink */
    bool stop;        /* the writer gave up; workers quit */
} pipeline;

static void add_truth(ria_gen_truth *dst, const ria_gen_truth *src)
{
    dst->rows += src->rows;
    dst->clean_rows += src->clean_rows;
    for (int k = 0; k < RIA_GEN_DEFECT_COUNT; k++)
        dst->defects[k] += src->defects[k];
    dst->accepted_rows += src->accepted_rows;
    dst->accepted_quantity += src->accepted_quantity;
    dst->accepted_cents += src->accepted_cents;
    dst->currency_amounts += src->currency_amounts;
    dst->quoted_cities += src->quoted_cities;
}

static void fill_slot(const gen_model *m, slot *s, uint64_t b)
{
    memset(&s->t, 0, sizeof s->t);
    s->len = gen_block(m, b, s->data, &s->t);
}

static void *worker(void *arg)
{
    pipeline *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->stop && p->next < p->m->nblocks && p->next >= p->written + (uint64_t)p->nslots)
            pthread_cond_wait(&p->free_cv, &p->mu);
        if (p->stop || p->next >= p->m->nblocks) {
            pthread_mutex_unlock(&p->mu);
            break;
        }
        uint64_t b = p->next++;
        pthread_mutex_unlock(&p->mu);
        slot *s = &p->slots[b % (uint64_t)p->nslots];
        fill_slot(p->m, s, b);
        pthread_mutex_lock(&p->mu);
        s->ready = true;
        pthread_cond_broadcast(&p->ready_cv);
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

/* The writer side: hands blocks to the sink in order. */
static ria_status drain(pipeline *p, ria_gen_sink sink, void *ctx, ria_gen_truth *t, ria_error *err)
{
    ria_status rc = RIA_OK;
    for (uint64_t b = 0; b < p->m->nblocks && rc == RIA_OK; b++) {
        slot *s = &p->slots[b % (uint64_t)p->nslots];
        pthread_mutex_lock(&p->mu);
        while (!s->ready)
            pthread_cond_wait(&p->ready_cv, &p->mu);
        pthread_mutex_unlock(&p->mu);
        rc = sink(ctx, s->data, s->len, err);
        if (rc == RIA_OK)
            add_truth(t, &s->t);
        pthread_mutex_lock(&p->mu);
        s->ready = false;
        p->written = b + 1;
        p->stop = rc != RIA_OK;
        pthread_cond_broadcast(&p->free_cv);
        pthread_mutex_unlock(&p->mu);
    }
    return rc;
}

static ria_status run_threads(const gen_model *m, int threads, ria_gen_sink sink, void *ctx,
                              ria_gen_truth *t, ria_error *err)
{
    ria_status rc = RIA_OK;
    pthread_t tid[256];
    int started = 0;
    pipeline p = {.m = m, .nslots = 2 * threads + 1};
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.ready_cv, NULL);
    pthread_cond_init(&p.free_cv, NULL);
    p.slots = calloc((size_t)p.nslots, sizeof *p.slots);
    if (!p.slots) {
        rc = ria_fail(err, RIA_ENOMEM, "out of memory for block buffers");
        goto done;
    }
    for (int i = 0; i < p.nslots; i++) {
        p.slots[i].data = malloc(GEN_BLOCK_BYTES);
        if (!p.slots[i].data) {
            rc = ria_fail(err, RIA_ENOMEM, "out of memory for block buffers");
            goto done;
        }
    }
    for (int i = 0; i < threads && i < 256; i++) {
        if (pthread_create(&tid[started], NULL, worker, &p) != 0)
            break;
        started++;
    }
    if (started == 0) {
        rc = ria_fail(err, RIA_EINTERNAL, "cannot start generator threads");
        goto done;
    }
    rc = drain(&p, sink, ctx, t, err);
done:
    if (started) {
        pthread_mutex_lock(&p.mu);
        p.stop = true;
        pthread_cond_broadcast(&p.free_cv);
        pthread_mutex_unlock(&p.mu);
        for (int i = 0; i < started; i++)
            pthread_join(tid[i], NULL);
    }
    for (int i = 0; p.slots && i < p.nslots; i++)
        free(p.slots[i].data);
    free(p.slots);
    pthread_cond_destroy(&p.free_cv);
    pthread_cond_destroy(&p.ready_cv);
    pthread_mutex_destroy(&p.mu);
    return rc;
}

/* In the caller's thread: make a block, write it, repeat. */
static ria_status run_inline(const gen_model *m, ria_gen_sink sink, void *ctx, ria_gen_truth *t,
                             ria_error *err)
{
    ria_status rc = RIA_OK;
    slot s = {.data = malloc(GEN_BLOCK_BYTES)};
    if (!s.data)
        return ria_fail(err, RIA_ENOMEM, "out of memory for a block buffer");
    for (uint64_t b = 0; b < m->nblocks && rc == RIA_OK; b++) {
        fill_slot(m, &s, b);
        rc = sink(ctx, s.data, s.len, err);
        if (rc == RIA_OK)
            add_truth(t, &s.t);
    }
    free(s.data);
    return rc;
}

ria_status ria_gen_run(const ria_gen_options *o, ria_gen_sink sink, void *ctx,
                       ria_gen_truth *out_truth, ria_error *err)
{
    static const char header[] = RIA_GEN_HEADER "\n";
    ria_status rc;
    gen_model m;
    ria_gen_truth t;
    memset(&m, 0, sizeof m);
    memset(&t, 0, sizeof t);
    rc = ria_gen_options_check(o, err);
    if (rc != RIA_OK)
        goto done;
    rc = gen_model_init(&m, o, err);
    if (rc != RIA_OK)
        goto done;
    rc = sink(ctx, header, sizeof header - 1, err);
    if (rc != RIA_OK)
        goto done;
    int threads = o->threads > 0 ? o->threads : ria_ncpu();
    if ((uint64_t)threads > m.nblocks)
        threads = (int)RIA_MAX(m.nblocks, 1);
    /* With several blocks, even one generator thread gets its own so that
     * writing overlaps generating. */
    if (m.nblocks <= 1)
        rc = run_inline(&m, sink, ctx, &t, err);
    else
        rc = run_threads(&m, RIA_MIN(threads, 256), sink, ctx, &t, err);
done:
    gen_model_free(&m);
    if (out_truth)
        *out_truth = t;
    return rc;
}

/* ------------------------------------------------------------------ truth */

/* Cents as "123.45" (with a sign when negative). */
static void format_cents(int64_t cents, char *buf, size_t cap)
{
    uint64_t u = cents < 0 ? 0 - (uint64_t)cents : (uint64_t)cents;
    snprintf(buf, cap, "%s%llu.%02llu", cents < 0 ? "-" : "", (unsigned long long)(u / 100),
             (unsigned long long)(u % 100));
}

/* The shortest %g form that reads back as the same double. */
static void format_double(double v, char *buf, size_t cap)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, cap, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

ria_status ria_gen_truth_json(const ria_gen_options *o, const ria_gen_truth *t, ria_buf *out)
{
    ria_status rc;
    char dirty[40], amount[40];
    uint64_t by_outcome[4] = {0};
    format_double(o->dirty, dirty, sizeof dirty);
    format_cents(t->accepted_cents, amount, sizeof amount);
    rc = ria_buf_printf(out, "{\"rows\": %llu, \"seed\": %llu, \"dirty\": %s, \"defects\": {",
                        (unsigned long long)t->rows, (unsigned long long)o->seed, dirty);
    for (int k = 0; k < RIA_GEN_DEFECT_COUNT && rc == RIA_OK; k++) {
        by_outcome[ria_gen_defect_outcome((ria_gen_defect)k)] += t->defects[k];
        if (k == RIA_GEN_DUPLICATE)
            continue;
        rc = ria_buf_printf(out, "%s\"%s\": %llu", k ? ", " : "",
                            ria_gen_defect_name((ria_gen_defect)k),
                            (unsigned long long)t->defects[k]);
    }
    if (rc == RIA_OK)
        rc = ria_buf_printf(
            out,
            "}, \"duplicates\": %llu, \"clean_rows\": %llu, \"rejected\": %llu, "
            "\"flagged\": %llu, \"fixed\": %llu, \"accepted_rows\": %llu, "
            "\"accepted_amount\": \"%s\", \"accepted_quantity\": %llu, "
            "\"currency_amounts\": %llu, \"quoted_cities\": %llu}\n",
            (unsigned long long)t->defects[RIA_GEN_DUPLICATE], (unsigned long long)t->clean_rows,
            (unsigned long long)by_outcome[RIA_GEN_REJECT],
            (unsigned long long)by_outcome[RIA_GEN_FLAG],
            (unsigned long long)by_outcome[RIA_GEN_FIX], (unsigned long long)t->accepted_rows,
            amount, (unsigned long long)t->accepted_quantity,
            (unsigned long long)t->currency_amounts, (unsigned long long)t->quoted_cities);
    return rc;
}
