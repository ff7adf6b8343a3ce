/*
 * exec.c — runs a bound plan over a table.
 *
 *   prepare: scalar subqueries become literals; WHERE splits into
 *            conjuncts; time conjuncts give the order-time range; every
 *            maximal sub-expression over one dictionary-coded column gets a
 *            per-entry table; group keys and aggregates get encodings.
 *   scan:    segments outside the time range are skipped; the remaining
 *            (segment, block) tasks are shared by all cores; per block,
 *            zone maps prune the block or settle conjuncts, the others
 *            filter a selection vector, then keys and aggregate arguments
 *            are evaluated and folded into the thread's groups.
 *   finish:  thread tables merge; HAVING, select expressions, ORDER BY,
 *            DISTINCT and LIMIT/OFFSET run on the (few) group rows.
 * Queries without aggregates project rows instead, on one thread in
 * segment order, stopping early when a LIMIT without ORDER BY is met.
 */
#include "exec_internal.h"
#include "engine/views.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Largest dense group array. */
#define DENSE_MAX (1u << 22)
/* Rows a query without aggregates may return. */
#define PROJECT_MAX (50u * 1000 * 1000)

/* ------------------------------------------------------------ the table */

ria_status table_of_snapshot(ria_snapshot *snap, exec_table *t, ria_error *err)
{
    memset(t, 0, sizeof *t);
    t->name = "sales";
    t->cols = snap->cols;
    t->ncols = snap->ncols;
    t->dicts = snap->dicts;
    t->grain = (ria_time_unit)-1;
    t->time_col = -1;
    const ria_column *tc = ria_snapshot_role(snap, RIA_ROLE_ORDER_DATE);
    if (tc)
        t->time_col = (int)tc->id;
    t->segs = calloc((size_t)snap->nsegs + 1, sizeof *t->segs);
    if (!t->segs)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    for (int i = 0; i < snap->nsegs; i++) {
        const ria_segref *r = &snap->segs[i];
        t->segs[i] = (exec_seg){i, NULL, NULL, r->partition, r->min_ts, r->max_ts, r->rows, r->deleted};
    }
    t->nsegs = snap->nsegs;
    return RIA_OK;
}

void table_free(exec_table *t)
{
    free(t->segs);
    t->segs = NULL;
}

/* ------------------------------------------------------------- prepare */

static void split_and(ria_expr *e, ria_expr ***out, int *n, ria_arena *a)
{
    if (!e)
        return;
    if (e->kind == RIA_X_BINARY && e->op == RIA_OP_AND) {
        split_and(e->args[0], out, n, a);
        split_and(e->args[1], out, n, a);
        return;
    }
    ria_expr **grown = ria_arena_alloc(a, (size_t)(*n + 1) * sizeof *grown);
    if (!grown)
        return;
    if (*n)
        memcpy(grown, *out, (size_t)*n * sizeof *grown);
    grown[(*n)++] = e;
    *out = grown;
}

/* Narrows [lo, hi) by a conjunct on the time column. */
static void time_bounds(const ria_expr *e, int tcol, int64_t *lo, int64_t *hi)
{
    if (e->kind == RIA_X_BETWEEN && !e->negated && expr_is_col(e->args[0], tcol) &&
        e->args[1]->kind == RIA_X_LITERAL && e->args[2]->kind == RIA_X_LITERAL &&
        e->args[1]->type == RIA_V_TS && !e->args[1]->lit.is_null && !e->args[2]->lit.is_null) {
        *lo = RIA_MAX(*lo, e->args[1]->lit.i);
        *hi = RIA_MIN(*hi, e->args[2]->lit.i + 1);
        return;
    }
    if (e->kind != RIA_X_BINARY || e->op < RIA_OP_EQ || e->op > RIA_OP_GE || e->op == RIA_OP_NE)
        return;
    const ria_expr *c = e->args[0], *l = e->args[1];
    ria_op op = e->op;
    if (l->kind == RIA_X_COLUMN) {
        const ria_expr *t = c;
        c = l;
        l = t;
        op = op == RIA_OP_LT ? RIA_OP_GT : op == RIA_OP_LE ? RIA_OP_GE : op == RIA_OP_GT ? RIA_OP_LT
             : op == RIA_OP_GE ? RIA_OP_LE : op;
    }
    if (!expr_is_col(c, tcol) || l->kind != RIA_X_LITERAL || l->type != RIA_V_TS || l->lit.is_null)
        return;
    int64_t v = l->lit.i;
    switch (op) {
    case RIA_OP_EQ: *lo = RIA_MAX(*lo, v); *hi = RIA_MIN(*hi, v + 1); break;
    case RIA_OP_LT: *hi = RIA_MIN(*hi, v); break;
    case RIA_OP_LE: *hi = RIA_MIN(*hi, v + 1); break;
    case RIA_OP_GT: *lo = RIA_MAX(*lo, v + 1); break;
    default: *lo = RIA_MAX(*lo, v); break;
    }
}

/* -2: uses several columns or something not tabulable; -1: no column; else
 * the one dictionary-coded column the expression depends on. */
static int single_dict_col(const exec_table *t, const ria_expr *e)
{
    switch (e->kind) {
    case RIA_X_COLUMN: return t->cols[e->col].kind == RIA_KIND_CODE ? e->col : -2;
    case RIA_X_LITERAL: return -1;
    case RIA_X_AGG:
    case RIA_X_SUBQUERY: return -2;
    default: break;
    }
    int col = -1;
    for (int i = 0; i < e->nargs; i++) {
        int c = single_dict_col(t, e->args[i]);
        if (c == -2 || (c >= 0 && col >= 0 && c != col))
            return -2;
        if (c >= 0)
            col = c;
    }
    return col;
}

static ria_status tabulate_args(prepared *pp, ria_expr *e, ria_arena *a, ria_error *err);

static ria_status build_table(prepared *pp, ria_expr *e, int col, ria_arena *a, ria_error *err)
{
    const ria_dict *d = pp->t->dicts[col];
    if (!d)
        return RIA_OK;
    dict_table *grown = realloc(pp->dt, (size_t)(pp->ndt + 1) * sizeof *grown);
    if (!grown)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    pp->dt = grown;
    if (pp->ndt == 0) { /* xid 0 means "no table" */
        memset(&pp->dt[0], 0, sizeof pp->dt[0]);
        pp->dt[0].col = -1;
        pp->ndt = 1;
        grown = realloc(pp->dt, 2 * sizeof *grown);
        if (!grown)
            return ria_fail(err, RIA_ENOMEM, "out of memory");
        pp->dt = grown;
    }
    dict_table *dt = &pp->dt[pp->ndt];
    memset(dt, 0, sizeof *dt);
    dt->col = col;
    dt->type = e->type;
    dt->n = d->count + 1;
    ria_vtype t = e->type;
    if (t == RIA_V_DOUBLE)
        dt->f = malloc(dt->n * sizeof *dt->f);
    else if (t == RIA_V_TEXT)
        dt->s = malloc(dt->n * sizeof *dt->s);
    else
        dt->i = malloc(dt->n * sizeof *dt->i);
    if (!dt->f && !dt->s && !dt->i)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    ria_expr colx;
    memset(&colx, 0, sizeof colx);
    colx.kind = RIA_X_COLUMN;
    colx.col = col;
    ria_expr *keys[1] = {&colx};
    bool over = false, wide = false;
    for (uint32_t c = 0; c < dt->n; c++) {
        ria_value kv = value_null(RIA_V_TEXT);
        if (c) {
            kv.is_null = false;
            kv.s = d->strs[c];
            kv.n = d->lens[c];
        }
        scalar_row row = {keys, &kv, 1, NULL, NULL, 0, &over};
        ria_value v = scalar_eval(e, &row, a);
        if (t == RIA_V_DOUBLE)
            dt->f[c] = v.is_null ? NAN : v.d;
        else if (t == RIA_V_TEXT)
            dt->s[c] = v.is_null ? (ria_slice){NULL, 0} : (ria_slice){v.s, v.n};
        else if (v.wide || (!v.is_null && v.i == RIA_NULL_I64))
            wide = true;
        else
            dt->i[c] = v.is_null ? RIA_NULL_I64 : v.i;
    }
    if (over || wide) {
        /* values beyond 64 bits (or beyond 128, an error if a row meets it):
         * the vectors evaluate this expression instead */
        free(dt->i);
        free(dt->f);
        free(dt->s);
        return tabulate_args(pp, e, a, err);
    }
    if (t == RIA_V_BOOL) {
        dt->true_prefix = malloc((dt->n + 1) * sizeof *dt->true_prefix);
        if (!dt->true_prefix)
            return ria_fail(err, RIA_ENOMEM, "out of memory");
        dt->true_prefix[0] = 0;
        for (uint32_t c = 0; c < dt->n; c++)
            dt->true_prefix[c + 1] = dt->true_prefix[c] + (dt->i[c] == 1);
    }
    e->xid = pp->ndt++;
    return RIA_OK;
}

/* Gives every maximal sub-expression over one dictionary column a table. */
static ria_status tabulate(prepared *pp, ria_expr *e, ria_arena *a, ria_error *err)
{
    if (!e)
        return RIA_OK;
    int col = e->kind == RIA_X_COLUMN || e->kind == RIA_X_LITERAL ? -2 : single_dict_col(pp->t, e);
    if (col >= 0)
        return build_table(pp, e, col, a, err);
    if (e->kind == RIA_X_AGG && e->nargs && e->args[0]->kind == RIA_X_COLUMN)
        return RIA_OK;
    return tabulate_args(pp, e, a, err);
}

static ria_status tabulate_args(prepared *pp, ria_expr *e, ria_arena *a, ria_error *err)
{
    for (int i = 0; i < e->nargs; i++) {
        ria_status rc = tabulate(pp, e->args[i], a, err);
        if (rc != RIA_OK)
            return rc;
    }
    return RIA_OK;
}

/* Sorted value lists for the IN nodes the vectors evaluate (not those
 * inside a dictionary table). */
static ria_status index_in_lists(prepared *pp, const ria_expr *e, ria_arena *a, ria_error *err)
{
    if (!e || e->xid > 0)
        return RIA_OK;
    if (e->kind == RIA_X_IN) {
        in_list *grown = ria_arena_alloc(a, ((size_t)pp->nins + 1) * sizeof *grown);
        if (!grown)
            return ria_fail(err, RIA_ENOMEM, "out of memory");
        if (pp->nins)
            memcpy(grown, pp->ins, (size_t)pp->nins * sizeof *grown);
        pp->ins = grown;
        if (!in_list_build(e, a, &pp->ins[pp->nins]))
            return ria_fail(err, RIA_ENOMEM, "out of memory");
        pp->nins++;
    }
    for (int i = 0; i < e->nargs; i++) {
        ria_status rc = index_in_lists(pp, e->args[i], a, err);
        if (rc != RIA_OK)
            return rc;
    }
    return RIA_OK;
}

static void mark_need(ria_expr *e, void *arg)
{
    prepared *pp = arg;
    if (e->kind == RIA_X_COLUMN && e->col >= 0 && e->col < pp->t->ncols)
        pp->need[e->col] = true;
}

/* The order-time range of the table's rows. */
static void table_time_range(const exec_table *t, int64_t *lo, int64_t *hi)
{
    *lo = INT64_MAX;
    *hi = INT64_MIN;
    for (int i = 0; i < t->nsegs; i++)
        if (t->segs[i].rows > t->segs[i].deleted) {
            *lo = RIA_MIN(*lo, t->segs[i].min_ts);
            *hi = RIA_MAX(*hi, t->segs[i].max_ts);
        }
}

/* Dense cardinality of an integer key derived from the order time. */
static bool time_key_range(const prepared *pp, const ria_expr *e, int64_t *base, uint64_t *card)
{
    if (e->kind != RIA_X_FUNC || e->nargs < 1)
        return false;
    const ria_expr *x = e->args[0];
    bool on_time = expr_is_col(x, pp->t->time_col) ||
                   (x->kind == RIA_X_FUNC && x->func == RIA_F_CAST && x->cast_type == RIA_V_DATE &&
                    expr_is_col(x->args[0], pp->t->time_col));
    int64_t lo, hi;
    table_time_range(pp->t, &lo, &hi);
    if (lo > hi)
        lo = hi = 0;
    int64_t dlo = ria_floor_div(lo, RIA_SECS_PER_DAY), dhi = ria_floor_div(hi, RIA_SECS_PER_DAY);
    switch (e->func) {
    case RIA_F_MONTH: *base = 1, *card = 13; return true;
    case RIA_F_QUARTER: *base = 1, *card = 5; return true;
    case RIA_F_DAY: *base = 1, *card = 32; return true;
    case RIA_F_HOUR: *base = 0, *card = 25; return true;
    case RIA_F_MINUTE: *base = 0, *card = 61; return true;
    case RIA_F_DOW: *base = 0, *card = 8; return true;
    case RIA_F_DOY: *base = 1, *card = 367; return true;
    case RIA_F_WEEK: *base = 1, *card = 54; return true;
    case RIA_F_YEAR: {
        if (!on_time)
            return false;
        int y0, y1, m, d;
        ria_civil_from_days(dlo, &y0, &m, &d);
        ria_civil_from_days(dhi, &y1, &m, &d);
        *base = y0;
        *card = (uint64_t)(y1 - y0) + 2;
        return true;
    }
    case RIA_F_CAST:
        if (e->cast_type != RIA_V_DATE || !expr_is_col(x, pp->t->time_col))
            return false;
        *base = dlo;
        *card = (uint64_t)(dhi - dlo) + 2;
        return true;
    case RIA_F_DATE_TRUNC: {
        if (!on_time || e->type != RIA_V_DATE || e->unit == RIA_TU_HOUR)
            return false;
        /* the truncation of the first day can lie well before it (a month,
         * quarter or year start): the range runs from there */
        int64_t tlo = date_trunc(e->unit, RIA_V_DATE, dlo), thi = date_trunc(e->unit, RIA_V_DATE, dhi);
        *base = tlo;
        *card = (uint64_t)(thi - tlo) + 2;
        return true;
    }
    default: return false;
    }
}

static void key_encoding(prepared *pp, int k)
{
    ria_expr *e = pp->keys[k];
    key_spec *ks = &pp->kspec[k];
    ks->type = e->type;
    ks->card = 0;
    if (e->kind == RIA_X_COLUMN && pp->t->cols[e->col].kind == RIA_KIND_CODE && e->xid == 0) {
        ks->kind = KEY_CODE;
        ks->dict = pp->t->dicts[e->col];
        ks->card = (ks->dict ? ks->dict->count : 0) + 1;
        return;
    }
    if (e->type == RIA_V_TEXT) {
        ks->kind = KEY_STR;
        return;
    }
    if (e->type == RIA_V_DOUBLE) {
        ks->kind = KEY_F64;
        return;
    }
    ks->kind = KEY_I64;
    if (e->xid > 0 && pp->dt[e->xid].col >= 0 && pp->dt[e->xid].i) {
        const dict_table *dt = &pp->dt[e->xid];
        int64_t lo = INT64_MAX, hi = INT64_MIN;
        for (uint32_t c = 0; c < dt->n; c++)
            if (dt->i[c] != RIA_NULL_I64) {
                lo = RIA_MIN(lo, dt->i[c]);
                hi = RIA_MAX(hi, dt->i[c]);
            }
        if (lo <= hi && (uint64_t)hi - (uint64_t)lo < DENSE_MAX) {
            ks->base = lo;
            ks->card = (uint64_t)hi - (uint64_t)lo + 2;
        }
        return;
    }
    int64_t base;
    uint64_t card;
    if (time_key_range(pp, e, &base, &card)) {
        ks->base = base;
        ks->card = card;
    }
}

static void add_agg(prepared *pp, ria_expr *e, void *unused)
{
    (void)unused;
    for (int i = 0; i < pp->naggs; i++)
        if (expr_equal(pp->aggs[i].expr, e))
            return;
    agg_spec *as = &pp->aggs[pp->naggs++];
    as->expr = e;
    ria_vtype t = e->nargs ? e->args[0]->type : RIA_V_INT;
    switch (e->agg) {
    case RIA_AGG_COUNT: as->kind = e->distinct ? AS_DISTINCT : AS_COUNT; break;
    case RIA_AGG_SUM:
    case RIA_AGG_AVG: as->kind = t == RIA_V_DOUBLE ? AS_SUM_F : AS_SUM_I; break;
    default:
        as->is_max = e->agg == RIA_AGG_MAX;
        as->kind = t == RIA_V_DOUBLE ? AS_MINMAX_F : t == RIA_V_TEXT ? AS_MINMAX_S : AS_MINMAX_I;
        break;
    }
}

static void collect_aggs(prepared *pp, ria_expr *e)
{
    if (!e)
        return;
    if (e->kind == RIA_X_AGG) {
        add_agg(pp, e, NULL);
        return;
    }
    for (int i = 0; i < e->nargs; i++)
        collect_aggs(pp, e->args[i]);
}

static int count_aggs(const ria_expr *e)
{
    if (!e)
        return 0;
    int n = e->kind == RIA_X_AGG;
    for (int i = 0; i < e->nargs; i++)
        n += count_aggs(e->args[i]);
    return n;
}

void prep_free(prepared *pp);
void prep_free(prepared *pp)
{
    for (int i = 0; i < pp->ndt; i++) {
        free(pp->dt[i].i);
        free(pp->dt[i].f);
        free(pp->dt[i].s);
        free(pp->dt[i].true_prefix);
    }
    free(pp->dt);
    free(pp->need);
    free(pp->kspec);
    free(pp->aggs);
    memset(pp, 0, sizeof *pp);
}

static ria_status run_subqueries(ria_snapshot *snap, ria_expr *e, const ria_exec_opts *opts,
                                 ria_arena *a, ria_error *err);

static ria_status prepare(prepared *pp, exec_table *t, ria_plan *p, ria_arena *a, ria_error *err)
{
    memset(pp, 0, sizeof *pp);
    pp->t = t;
    pp->p = p;
    pp->time_col = t->time_col;
    pp->lo = INT64_MIN;
    pp->hi = INT64_MAX;
    pp->need = calloc((size_t)t->ncols + 1, sizeof *pp->need);
    if (!pp->need)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    split_and(p->where, &pp->conj, &pp->nconj, a);
    for (int i = 0; i < pp->nconj && t->time_col >= 0; i++)
        time_bounds(pp->conj[i], t->time_col, &pp->lo, &pp->hi);
    pp->grouped = p->ngroup > 0 || p->having;
    int naggs = 0;
    for (int i = 0; i < p->nselect; i++)
        naggs += count_aggs(p->select[i].expr);
    for (int i = 0; i < p->norder; i++)
        naggs += count_aggs(p->order[i].expr);
    naggs += count_aggs(p->having);
    pp->grouped |= naggs > 0;
    ria_status rc = RIA_OK;
    /* dictionary tables for filters, keys, aggregate arguments, projections */
    for (int i = 0; i < pp->nconj && rc == RIA_OK; i++)
        rc = tabulate(pp, pp->conj[i], a, err);
    for (int i = 0; i < p->ngroup && rc == RIA_OK; i++)
        rc = tabulate(pp, p->group[i], a, err);
    if (rc != RIA_OK)
        return rc;
    if (pp->grouped) {
        pp->keys = p->group;
        pp->nkeys = p->ngroup;
        if (pp->nkeys > 16)
            return ria_fail(err, RIA_ELIMIT, "at most 16 GROUP BY expressions");
        pp->kspec = calloc((size_t)pp->nkeys + 1, sizeof *pp->kspec);
        pp->aggs = calloc((size_t)naggs + 1, sizeof *pp->aggs);
        if (!pp->kspec || !pp->aggs)
            return ria_fail(err, RIA_ENOMEM, "out of memory");
        for (int i = 0; i < p->nselect; i++)
            collect_aggs(pp, p->select[i].expr);
        collect_aggs(pp, p->having);
        for (int i = 0; i < p->norder; i++)
            collect_aggs(pp, p->order[i].expr);
        for (int i = 0; i < pp->naggs && rc == RIA_OK; i++)
            if (pp->aggs[i].expr->nargs)
                rc = tabulate(pp, pp->aggs[i].expr->args[0], a, err);
        pp->dense = pp->nkeys > 0;
        pp->dense_size = 1;
        for (int k = 0; k < pp->nkeys; k++) {
            key_encoding(pp, k);
            uint64_t card = pp->kspec[k].card;
            if (!card || card > DENSE_MAX || pp->dense_size * card > DENSE_MAX)
                pp->dense = false;
            else
                pp->dense_size *= card;
        }
        for (int k = 0; k < pp->nkeys; k++)
            expr_walk(pp->keys[k], mark_need, pp);
        for (int i = 0; i < pp->naggs; i++)
            expr_walk(pp->aggs[i].expr, mark_need, pp);
    } else {
        pp->nproj = p->nselect + p->norder;
        pp->proj = ria_arena_alloc(a, (size_t)(pp->nproj + 1) * sizeof *pp->proj);
        if (!pp->proj)
            return ria_fail(err, RIA_ENOMEM, "out of memory");
        for (int i = 0; i < p->nselect; i++)
            pp->proj[i] = p->select[i].expr;
        for (int i = 0; i < p->norder; i++)
            pp->proj[p->nselect + i] = p->order[i].expr;
        for (int i = 0; i < pp->nproj && rc == RIA_OK; i++) {
            rc = tabulate(pp, pp->proj[i], a, err);
            expr_walk(pp->proj[i], mark_need, pp);
        }
    }
    for (int i = 0; i < pp->nconj; i++)
        expr_walk(pp->conj[i], mark_need, pp);
    for (int i = 0; i < pp->nconj && rc == RIA_OK; i++)
        rc = index_in_lists(pp, pp->conj[i], a, err);
    for (int k = 0; k < pp->nkeys && rc == RIA_OK; k++)
        rc = index_in_lists(pp, pp->keys[k], a, err);
    for (int i = 0; i < pp->naggs && rc == RIA_OK; i++)
        rc = index_in_lists(pp, pp->aggs[i].expr, a, err);
    for (int i = 0; i < pp->nproj && rc == RIA_OK; i++)
        rc = index_in_lists(pp, pp->proj[i], a, err);
    return rc;
}

/* --------------------------------------------------------------- tasks */

typedef struct {
    int seg;
    uint32_t block;
} task;

typedef struct {
    ria_snapshot *snap;
    prepared *pp;
    task *tasks;
    int ntasks;
    atomic_int next;
    atomic_int failed;
    /* per worker */
    aggtab *tabs;
    ria_exec_stats *stats;
    ria_status *rcs;
    ria_error *errs;
    pthread_mutex_t open_lock;
} scan_job;

/* Opens the segment (and its deletion vector) of a table entry. */
static ria_status open_seg(scan_job *j, exec_seg *s, ria_error *err)
{
    if (s->seg)
        return RIA_OK;
    ria_status rc = RIA_OK;
    pthread_mutex_lock(&j->open_lock);
    if (!s->seg && s->snap_index >= 0) {
        const uint8_t *dv = NULL;
        ria_segment *seg = NULL;
        rc = ria_snapshot_segment(j->snap, s->snap_index, &seg, err);
        if (rc == RIA_OK)
            rc = ria_snapshot_dv(j->snap, s->snap_index, &dv, err);
        if (rc == RIA_OK) {
            s->dv = dv;
            s->seg = seg;
        }
    }
    pthread_mutex_unlock(&j->open_lock);
    return rc;
}

typedef struct {
    blockctx bc;
    ria_arena arena;
    uint32_t *sel;
    vec **keys;
    vec **args;
} worker;

static ria_status worker_init(worker *w, scan_job *j, int id)
{
    memset(w, 0, sizeof *w);
    ria_arena_init(&w->arena, 1 << 20);
    int nc = j->pp->t->ncols;
    w->bc.pp = j->pp;
    w->bc.arena = &w->arena;
    w->bc.st = &j->stats[id];
    w->bc.err = &j->errs[id];
    w->bc.cols = calloc((size_t)nc + 1, sizeof *w->bc.cols);
    w->bc.scratch = calloc((size_t)nc + 1, sizeof *w->bc.scratch);
    w->bc.zones = calloc((size_t)nc + 1, sizeof *w->bc.zones);
    w->bc.has_zone = calloc((size_t)nc + 1, sizeof *w->bc.has_zone);
    w->sel = malloc(RIA_BLOCK_ROWS * sizeof *w->sel);
    w->keys = calloc((size_t)j->pp->nkeys + 1, sizeof *w->keys);
    w->args = calloc((size_t)j->pp->naggs + 1, sizeof *w->args);
    if (!w->bc.cols || !w->bc.scratch || !w->bc.zones || !w->bc.has_zone || !w->sel || !w->keys ||
        !w->args)
        return RIA_ENOMEM;
    return RIA_OK;
}

static void worker_free(worker *w, int ncols)
{
    for (int c = 0; w->bc.scratch && c < ncols; c++)
        ria_scratch_free(&w->bc.scratch[c]);
    free(w->bc.cols);
    free(w->bc.scratch);
    free(w->bc.zones);
    free(w->bc.has_zone);
    free(w->sel);
    free(w->keys);
    free(w->args);
    ria_arena_free(&w->arena);
}

/* Sets up the block context for task k; returns false when the block is
 * pruned by zone maps.  satisfied[i] tells that conjunct i holds for every
 * row. */
static bool enter_block(worker *w, scan_job *j, const task *tk, bool *satisfied)
{
    const prepared *pp = j->pp;
    exec_seg *s = &pp->t->segs[tk->seg];
    blockctx *bc = &w->bc;
    ria_arena_reset(&w->arena);
    bc->seg = s->seg;
    bc->block = tk->block;
    bc->n = ria_segment_block_rows(s->seg, tk->block);
    bc->dv = s->dv;
    bc->row0 = (uint64_t)tk->block * RIA_BLOCK_ROWS;
    memset(bc->cols, 0, (size_t)pp->t->ncols * sizeof *bc->cols);
    memset(bc->has_zone, 0, (size_t)pp->t->ncols * sizeof *bc->has_zone);
    for (int i = 0; i < pp->nconj; i++) {
        int v = zone_verdict(bc, pp->conj[i]);
        if (v < 0)
            return false;
        satisfied[i] = v > 0;
    }
    return true;
}

/* The selection of live rows that pass the unsettled conjuncts. */
static uint32_t select_rows(worker *w, scan_job *j, const bool *satisfied)
{
    blockctx *bc = &w->bc;
    uint32_t n = 0;
    if (bc->dv) {
        for (uint32_t r = 0; r < bc->n; r++)
            if (!ria_dv_get(bc->dv, bc->row0 + r))
                w->sel[n++] = r;
    } else {
        for (uint32_t r = 0; r < bc->n; r++)
            w->sel[r] = r;
        n = bc->n;
    }
    for (int i = 0; i < j->pp->nconj && n; i++) {
        if (satisfied[i])
            continue;
        vec *b = veval(bc, j->pp->conj[i]);
        if (!b)
            return 0;
        n = vec_filter(b, w->sel, n);
    }
    return n;
}

/* The message of an agg_add failure. */
static void agg_fail(ria_error *err, ria_status rc)
{
    if (rc == RIA_ENOMEM)
        ria_fail(err, rc, "out of memory aggregating");
    else if (rc == RIA_ELIMIT)
        ria_fail(err, rc, "arithmetic overflow: a sum is beyond the 128-bit range");
    else
        ria_fail(err, rc, "a group key lies outside the range the table's metadata gives "
                          "(corrupt segment metadata?)");
}

static void scan_worker(scan_job *j, int id)
{
    worker w;
    const prepared *pp = j->pp;
    bool satisfied[256];
    ria_status rc = worker_init(&w, j, id);
    if (rc == RIA_OK && agg_init(&j->tabs[id], pp) != RIA_OK)
        rc = RIA_ENOMEM;
    if (rc != RIA_OK)
        ria_fail(&j->errs[id], rc, "out of memory");
    while (rc == RIA_OK && !atomic_load(&j->failed)) {
        int k = atomic_fetch_add(&j->next, 1);
        if (k >= j->ntasks)
            break;
        exec_seg *s = &pp->t->segs[j->tasks[k].seg];
        if ((rc = open_seg(j, s, &j->errs[id])) != RIA_OK)
            break;
        j->stats[id].blocks_total++;
        if (!enter_block(&w, j, &j->tasks[k], satisfied)) {
            j->stats[id].blocks_pruned++;
            continue;
        }
        j->stats[id].rows_scanned += w.bc.n;
        uint32_t n = select_rows(&w, j, satisfied);
        if ((rc = w.bc.rc) != RIA_OK || n == 0)
            continue;
        for (int i = 0; i < pp->nkeys && rc == RIA_OK; i++) {
            if (!(w.keys[i] = veval(&w.bc, pp->keys[i])))
                rc = w.bc.rc;
            else if (w.keys[i]->w && !(w.keys[i] = vec_narrow(&w.bc, w.keys[i], w.sel, n)))
                rc = w.bc.rc != RIA_OK ? w.bc.rc
                                       : ria_fail(&j->errs[id], RIA_ELIMIT,
                                                  "a GROUP BY value is beyond 64 bits: group by a "
                                                  "smaller expression");
        }
        for (int i = 0; i < pp->naggs && rc == RIA_OK; i++) {
            ria_expr *ae = pp->aggs[i].expr;
            w.args[i] = NULL;
            if (ae->nargs && !(w.args[i] = veval(&w.bc, ae->args[0])))
                rc = w.bc.rc;
        }
        if (rc == RIA_OK && (rc = agg_add(&j->tabs[id], w.keys, w.args, w.sel, n, &w.arena)) != RIA_OK)
            agg_fail(&j->errs[id], rc);
    }
    if (rc != RIA_OK) {
        j->rcs[id] = rc;
        atomic_store(&j->failed, 1);
    }
    worker_free(&w, pp->t->ncols);
}

typedef struct {
    scan_job *job;
    int id;
} worker_arg;

static void *scan_thread(void *arg)
{
    worker_arg *wa = arg;
    scan_worker(wa->job, wa->id);
    return NULL;
}

typedef struct {
    int partition;
    bool kept;
} part_seen;

static int cmp_part(const void *a, const void *b)
{
    const part_seen *x = a, *y = b;
    return (x->partition > y->partition) - (x->partition < y->partition);
}

/* Counts the distinct partitions of the table's segments and those of
 * them no segment of which is kept (a partition's segments need not be
 * adjacent: an append adds segments to earlier partitions). */
static void count_partitions(part_seen *ps, int n, ria_exec_stats *st)
{
    qsort(ps, (size_t)n, sizeof *ps, cmp_part);
    for (int i = 0; i < n;) {
        bool kept = false;
        int j = i;
        for (; j < n && ps[j].partition == ps[i].partition; j++)
            kept |= ps[j].kept;
        st->partitions_total++;
        st->partitions_pruned += !kept;
        i = j;
    }
}

/* The (segment, block) tasks left after time-range pruning. */
static ria_status make_tasks(const prepared *pp, task **out, int *out_n, ria_exec_stats *st,
                             ria_error *err)
{
    const exec_table *t = pp->t;
    size_t cap = 64, n = 0;
    task *tasks = malloc(cap * sizeof *tasks);
    part_seen *ps = malloc(((size_t)t->nsegs + 1) * sizeof *ps);
    if (!tasks || !ps) {
        free(tasks);
        free(ps);
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    }
    for (int i = 0; i < t->nsegs; i++) {
        const exec_seg *s = &t->segs[i];
        bool kept = !(s->rows == s->deleted || s->max_ts < pp->lo || s->min_ts >= pp->hi);
        ps[i] = (part_seen){s->partition, kept};
        if (!kept)
            continue;
        uint32_t blocks = (uint32_t)((s->rows + RIA_BLOCK_ROWS - 1) / RIA_BLOCK_ROWS);
        for (uint32_t b = 0; b < blocks; b++) {
            if (n == cap) {
                cap *= 2;
                task *g = realloc(tasks, cap * sizeof *g);
                if (!g) {
                    free(tasks);
                    free(ps);
                    return ria_fail(err, RIA_ENOMEM, "out of memory");
                }
                tasks = g;
            }
            tasks[n++] = (task){i, b};
        }
    }
    count_partitions(ps, t->nsegs, st);
    free(ps);
    *out = tasks;
    *out_n = (int)n;
    return RIA_OK;
}

/* ---------------------------------------------------------- finishing */

typedef struct {
    ria_value *vals;   /* select items then order items */
} out_row;

typedef struct {
    const ria_plan *p;
    int nsel;
} sort_ctx;

static int cmp_rows(const void *x, const void *y, void *arg)
{
    const sort_ctx *c = arg;
    const out_row *a = x, *b = y;
    for (int i = 0; i < c->p->norder; i++) {
        const ria_value *u = &a->vals[c->nsel + i], *v = &b->vals[c->nsel + i];
        int r;
        if (u->is_null || v->is_null)
            r = u->is_null == v->is_null ? 0 : u->is_null ? 1 : -1; /* NULLs last */
        else
            r = value_cmp(u, v) * (c->p->order[i].desc ? -1 : 1);
        if (r)
            return r;
    }
    return 0;
}

static ria_value_unit unit_of(const exec_table *t, const ria_expr *e)
{
    switch (e->kind) {
    case RIA_X_COLUMN:
        switch (t->cols[e->col].role) {
        case RIA_ROLE_AMOUNT: case RIA_ROLE_COST: case RIA_ROLE_PROFIT: case RIA_ROLE_UNIT_PRICE:
            return RIA_UNIT_MONEY;
        case RIA_ROLE_QUANTITY: return RIA_UNIT_COUNT;
        default: return RIA_UNIT_NONE;
        }
    case RIA_X_AGG:
        if (e->agg == RIA_AGG_COUNT)
            return RIA_UNIT_COUNT;
        return e->nargs ? unit_of(t, e->args[0]) : RIA_UNIT_NONE;
    case RIA_X_BINARY: {
        ria_value_unit a = unit_of(t, e->args[0]), b = unit_of(t, e->args[1]);
        if (e->op == RIA_OP_DIV)
            return a == b && a != RIA_UNIT_NONE ? RIA_UNIT_RATIO : a == RIA_UNIT_MONEY ? a : RIA_UNIT_NONE;
        if (e->op == RIA_OP_ADD || e->op == RIA_OP_SUB)
            return a != RIA_UNIT_NONE ? a : b;
        return a == RIA_UNIT_MONEY || b == RIA_UNIT_MONEY ? RIA_UNIT_MONEY : RIA_UNIT_NONE;
    }
    case RIA_X_CASE:
        return e->nargs > 1 ? unit_of(t, e->args[1]) : RIA_UNIT_NONE;
    case RIA_X_FUNC:
        if (e->func == RIA_F_CAST || e->func == RIA_F_ROUND || e->func == RIA_F_ABS ||
            e->func == RIA_F_COALESCE)
            return unit_of(t, e->args[0]);
        return RIA_UNIT_NONE;
    default: return RIA_UNIT_NONE;
    }
}

/* Longest result column name kept whole (a longer one ends in "..."). */
#define NAME_MAX_BYTES 1024

/* The name of select item i: its alias, else the expression as expr_name
 * prints it, without the outer parentheses of a binary expression. */
static const char *column_name(const ria_plan *p, int i, ria_arena *a)
{
    const ria_select_item *it = &p->select[i];
    if (it->alias)
        return ria_arena_strdup(a, it->alias);
    ria_buf b;
    ria_buf_init(&b, 0);
    expr_name(it->expr, &b);
    size_t from = 0, n = b.len;
    if (n > 2 && b.data[0] == '(' && b.data[n - 1] == ')' && it->expr->kind == RIA_X_BINARY) {
        from = 1;
        n -= 2;
    }
    const char *name;
    if (n > NAME_MAX_BYTES) {
        size_t keep = NAME_MAX_BYTES - 3;
        while (keep > 0 && ((unsigned char)b.data[from + keep] & 0xC0) == 0x80)
            keep--; /* not inside a UTF-8 sequence */
        name = ria_arena_printf(a, "%.*s...", (int)keep, b.data + from);
    } else {
        name = ria_arena_strndup(a, b.data ? b.data + from : "", n);
    }
    ria_buf_free(&b);
    return name ? name : "";
}

void exec_name_columns(const ria_plan *p, ria_result *r)
{
    for (int i = 0; i < p->nselect && i < r->ncols; i++)
        r->cols[i].name = column_name(p, i, &r->arena);
}

static ria_status new_result(const ria_plan *p, const exec_table *t, ria_result **out,
                             ria_error *err)
{
    ria_result *r = calloc(1, sizeof *r);
    if (!r)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    ria_arena_init(&r->arena, 64 * 1024);
    r->ncols = p->nselect;
    r->cols = ria_arena_alloc(&r->arena, (size_t)p->nselect * sizeof *r->cols + 1);
    if (!r->cols) {
        ria_result_free(r);
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    }
    for (int i = 0; i < p->nselect; i++) {
        r->cols[i].name = ""; /* named by ria_execute, from the plan as the caller gave it */
        r->cols[i].type = p->select[i].expr->type;
        r->cols[i].unit = unit_of(t, p->select[i].expr);
    }
    *out = r;
    return RIA_OK;
}

/* Copies text values into the result's arena. */
static void own_text(ria_result *r, ria_value *v)
{
    if (!v->is_null && v->type == RIA_V_TEXT) {
        v->s = ria_arena_strndup(&r->arena, v->s ? v->s : "", v->n);
    }
}

/* Sorts, removes duplicates, applies OFFSET/LIMIT and fills the result. */
static ria_status finish_rows(const ria_plan *p, out_row *rows, size_t n, ria_result *r,
                              ria_error *err)
{
    if (p->norder) {
        sort_ctx c = {p, p->nselect};
        qsort_r(rows, n, sizeof *rows, cmp_rows, &c);
    }
    if (p->distinct) {
        /* keep the first row of each distinct value tuple (after sorting) */
        ria_strmap seen;
        ria_strmap_init(&seen);
        ria_buf key;
        ria_buf_init(&key, 0);
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            ria_buf_reset(&key);
            for (int c = 0; c < p->nselect; c++) {
                const ria_value *v = &rows[i].vals[c];
                ria_buf_putc(&key, v->is_null ? 'N' : 'V');
                ria_value_format(v, true, &key);
                ria_buf_putc(&key, 0);
            }
            uint32_t before = (uint32_t)ria_strmap_count(&seen), got;
            if (ria_strmap_put(&seen, key.data, key.len, before, &got) != RIA_OK) {
                ria_strmap_free(&seen);
                ria_buf_free(&key);
                return ria_fail(err, RIA_ENOMEM, "out of memory");
            }
            if (got == before && ria_strmap_count(&seen) > before)
                rows[k++] = rows[i];
        }
        ria_strmap_free(&seen);
        ria_buf_free(&key);
        n = k;
    }
    size_t from = (size_t)RIA_MIN((uint64_t)p->offset, (uint64_t)n);
    size_t count = n - from;
    if (p->limit >= 0 && (uint64_t)p->limit < count)
        count = (size_t)p->limit;
    r->vals = ria_arena_alloc(&r->arena, (count * (size_t)p->nselect + 1) * sizeof *r->vals);
    if (!r->vals)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    for (size_t i = 0; i < count; i++)
        for (int c = 0; c < p->nselect; c++) {
            ria_value v = rows[from + i].vals[c];
            own_text(r, &v);
            r->vals[i * (size_t)p->nselect + (size_t)c] = v;
        }
    r->nrows = count;
    return RIA_OK;
}

static ria_status finish_groups(prepared *pp, aggtab *tab, ria_result *r, ria_arena *a,
                                ria_error *err)
{
    const ria_plan *p = pp->p;
    /* an aggregate without GROUP BY gives one row even over no rows */
    if (pp->nkeys == 0 && agg_ensure_group(tab) != RIA_OK)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    size_t n = 0;
    out_row *rows = malloc(((size_t)tab->ngroups + 1) * sizeof *rows);
    ria_value *keys = ria_arena_alloc(a, ((size_t)pp->nkeys + 1) * sizeof *keys);
    ria_value *aggs = ria_arena_alloc(a, ((size_t)pp->naggs + 1) * sizeof *aggs);
    ria_expr **aggx = ria_arena_alloc(a, ((size_t)pp->naggs + 1) * sizeof *aggx);
    if (!rows || !keys || !aggs || !aggx) {
        free(rows);
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    }
    for (int k = 0; k < pp->naggs; k++)
        aggx[k] = pp->aggs[k].expr;
    int width = p->nselect + p->norder;
    bool over = false;
    for (uint32_t g = 0; g < tab->ngroups && !over; g++) {
        if (!agg_group_live(tab, g))
            continue;
        for (int k = 0; k < pp->nkeys; k++)
            keys[k] = agg_key_value(tab, g, k, a);
        for (int k = 0; k < pp->naggs; k++)
            aggs[k] = agg_result(tab, g, k);
        scalar_row row = {pp->keys, keys, pp->nkeys, aggx, aggs, pp->naggs, &over};
        if (p->having) {
            ria_value h = scalar_eval(p->having, &row, a);
            if (!value_truthy(&h))
                continue;
        }
        ria_value *vals = ria_arena_alloc(a, ((size_t)width + 1) * sizeof *vals);
        if (!vals) {
            free(rows);
            return ria_fail(err, RIA_ENOMEM, "out of memory");
        }
        for (int i = 0; i < p->nselect; i++)
            vals[i] = scalar_eval(p->select[i].expr, &row, a);
        for (int i = 0; i < p->norder; i++)
            vals[p->nselect + i] = scalar_eval(p->order[i].expr, &row, a);
        rows[n++] = (out_row){vals};
    }
    ria_status rc = over ? ria_fail(err, RIA_ELIMIT,
                                    "arithmetic overflow: a value is beyond the 128-bit range")
                         : finish_rows(p, rows, n, r, err);
    free(rows);
    return rc;
}

/* Rows of a query without aggregates, in segment order. */
static ria_status project(scan_job *j, ria_result *r, ria_arena *a, ria_error *err)
{
    prepared *pp = j->pp;
    const ria_plan *p = pp->p;
    worker w;
    bool satisfied[256];
    ria_status rc = worker_init(&w, j, 0);
    if (rc != RIA_OK)
        return ria_fail(err, rc, "out of memory");
    size_t n = 0, cap = 1024;
    out_row *rows = malloc(cap * sizeof *rows);
    uint64_t want = p->norder || p->distinct || p->limit < 0 ? UINT64_MAX
                                                             : (uint64_t)p->limit + (uint64_t)p->offset;
    vec **pv = calloc((size_t)pp->nproj + 1, sizeof *pv);
    if (!rows || !pv)
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
    for (int k = 0; rc == RIA_OK && k < j->ntasks && n < want; k++) {
        exec_seg *s = &pp->t->segs[j->tasks[k].seg];
        if ((rc = open_seg(j, s, err)) != RIA_OK)
            break;
        j->stats[0].blocks_total++;
        if (!enter_block(&w, j, &j->tasks[k], satisfied)) {
            j->stats[0].blocks_pruned++;
            continue;
        }
        j->stats[0].rows_scanned += w.bc.n;
        uint32_t m = select_rows(&w, j, satisfied);
        for (int i = 0; i < pp->nproj && m && w.bc.rc == RIA_OK; i++)
            pv[i] = veval(&w.bc, pp->proj[i]);
        if ((rc = w.bc.rc) != RIA_OK) {
            *err = j->errs[0];
            break;
        }
        for (uint32_t q = 0; q < m && n < want; q++) {
            if (n == cap) {
                cap *= 2;
                out_row *g = realloc(rows, cap * sizeof *g);
                if (!g) {
                    rc = ria_fail(err, RIA_ENOMEM, "out of memory");
                    break;
                }
                rows = g;
            }
            if (n >= PROJECT_MAX) {
                rc = ria_fail(err, RIA_ELIMIT, "the query returns more than %u rows; add LIMIT",
                              PROJECT_MAX);
                break;
            }
            ria_value *vals = ria_arena_alloc(a, (size_t)pp->nproj * sizeof *vals);
            if (!vals) {
                rc = ria_fail(err, RIA_ENOMEM, "out of memory");
                break;
            }
            for (int i = 0; i < pp->nproj; i++) {
                vals[i] = vec_value(pv[i], w.sel[q]);
                if (!vals[i].is_null && vals[i].type == RIA_V_TEXT)
                    vals[i].s = ria_arena_strndup(a, vals[i].s, vals[i].n);
            }
            rows[n++] = (out_row){vals};
        }
    }
    if (rc == RIA_OK)
        rc = finish_rows(p, rows, n, r, err);
    free(rows);
    free(pv);
    worker_free(&w, pp->t->ncols);
    return rc;
}

/* ------------------------------------------------------------ subqueries */

typedef struct {
    ria_snapshot *snap;
    const ria_exec_opts *opts;
    ria_arena *a;
    ria_error *err;
    ria_status rc;
} subq_ctx;

ria_status exec_subquery_snapshot(const ria_snapshot *snap, const ria_plan *sub,
                                  ria_snapshot **out, ria_error *err)
{
    *out = NULL;
    if (!sub->as_of_version && !sub->as_of_time)
        return RIA_OK;
    if (sub->as_of_version && !sub->as_of_time && sub->as_of_version == snap->info.version)
        return RIA_OK;
    if (!snap->store)
        return ria_fail(err, RIA_EUNSUPPORTED, "AS OF in a subquery needs the store");
    return ria_engine_snapshot_for(snap->store, sub, out, err);
}

ria_status exec_subquery(ria_snapshot *snap, ria_plan *sub, const ria_exec_opts *opts,
                         ria_result **out, ria_error *err)
{
    ria_snapshot *own = NULL;
    ria_exec_stats st;
    ria_status rc = exec_subquery_snapshot(snap, sub, &own, err);
    if (rc == RIA_OK)
        rc = ria_execute(own ? own : snap, sub, opts, out, &st, err);
    ria_snapshot_free(own);
    return rc;
}

static ria_status run_subqueries(ria_snapshot *snap, ria_expr *e, const ria_exec_opts *opts,
                                 ria_arena *a, ria_error *err)
{
    if (!e)
        return RIA_OK;
    if (e->kind == RIA_X_SUBQUERY) {
        ria_result *res = NULL;
        ria_status rc = exec_subquery(snap, e->sub, opts, &res, err);
        if (rc != RIA_OK)
            return rc;
        ria_value v = res->nrows ? *ria_result_at(res, 0, 0) : value_null(e->type);
        if (!v.is_null && v.type == RIA_V_TEXT)
            v.s = ria_arena_strndup(a, v.s, v.n);
        ria_result_free(res);
        e->kind = RIA_X_LITERAL;
        e->lit = v;
        e->nargs = 0;
        return RIA_OK;
    }
    for (int i = 0; i < e->nargs; i++) {
        ria_status rc = run_subqueries(snap, e->args[i], opts, a, err);
        if (rc != RIA_OK)
            return rc;
    }
    return RIA_OK;
}

/* A private copy of the plan's expressions, so execution can rewrite them
 * (subqueries to literals, annotations) without touching the caller's plan. */
static ria_plan *copy_plan(const ria_plan *p, ria_arena *a)
{
    ria_plan *c = ria_arena_alloc(a, sizeof *c);
    if (!c)
        return NULL;
    *c = *p;
    c->arena = a;
    c->select = ria_arena_alloc(a, ((size_t)p->nselect + 1) * sizeof *c->select);
    c->group = ria_arena_alloc(a, ((size_t)p->ngroup + 1) * sizeof *c->group);
    c->order = ria_arena_alloc(a, ((size_t)p->norder + 1) * sizeof *c->order);
    if (!c->select || !c->group || !c->order)
        return NULL;
    for (int i = 0; i < p->nselect; i++) {
        c->select[i] = p->select[i];
        c->select[i].expr = expr_copy(a, p->select[i].expr);
    }
    for (int i = 0; i < p->ngroup; i++)
        c->group[i] = expr_copy(a, p->group[i]);
    for (int i = 0; i < p->norder; i++) {
        c->order[i] = p->order[i];
        c->order[i].expr = expr_copy(a, p->order[i].expr);
    }
    c->where = expr_copy(a, p->where);
    c->having = expr_copy(a, p->having);
    return c;
}

static ria_status subqueries_of(ria_snapshot *snap, ria_plan *p, const ria_exec_opts *opts,
                                ria_arena *a, ria_error *err)
{
    ria_status rc = run_subqueries(snap, p->where, opts, a, err);
    for (int i = 0; rc == RIA_OK && i < p->nselect; i++)
        rc = run_subqueries(snap, p->select[i].expr, opts, a, err);
    for (int i = 0; rc == RIA_OK && i < p->ngroup; i++)
        rc = run_subqueries(snap, p->group[i], opts, a, err);
    for (int i = 0; rc == RIA_OK && i < p->norder; i++)
        rc = run_subqueries(snap, p->order[i].expr, opts, a, err);
    if (rc == RIA_OK)
        rc = run_subqueries(snap, p->having, opts, a, err);
    return rc;
}

/* ------------------------------------------------------------- execute */

static void sum_stats(ria_exec_stats *into, const ria_exec_stats *s, int n)
{
    for (int i = 0; i < n; i++) {
        into->rows_scanned += s[i].rows_scanned;
        into->bytes_read += s[i].bytes_read;
        into->blocks_total += s[i].blocks_total;
        into->blocks_pruned += s[i].blocks_pruned;
    }
}

static ria_status scan_grouped(scan_job *j, int threads, ria_error *err)
{
    pthread_t tid[64];
    worker_arg args[64];
    int started = 0;
    for (int i = 1; i < threads; i++) {
        args[i] = (worker_arg){j, i};
        if (pthread_create(&tid[started], NULL, scan_thread, &args[i]) == 0)
            started++;
    }
    scan_worker(j, 0);
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    int used = started + 1;
    for (int i = 0; i < used; i++)
        if (j->rcs[i] != RIA_OK) {
            *err = j->errs[i];
            return j->rcs[i];
        }
    for (int i = 1; i < used; i++) {
        ria_status rc = agg_merge(&j->tabs[0], &j->tabs[i]);
        if (rc != RIA_OK) {
            agg_fail(err, rc);
            return rc;
        }
    }
    return RIA_OK;
}

ria_status exec_table_plan(ria_snapshot *snap, exec_table *t, const ria_plan *plan,
                           const ria_exec_opts *opts, ria_result **out, ria_exec_stats *stats,
                           ria_error *err);
ria_status exec_table_plan(ria_snapshot *snap, exec_table *t, const ria_plan *plan,
                           const ria_exec_opts *opts, ria_result **out, ria_exec_stats *stats,
                           ria_error *err)
{
    ria_arena a;
    ria_arena_init(&a, 256 * 1024);
    prepared pp;
    memset(&pp, 0, sizeof pp);
    scan_job j;
    memset(&j, 0, sizeof j);
    pthread_mutex_init(&j.open_lock, NULL);
    int threads = opts && opts->threads > 0 ? opts->threads : ria_ncpu();
    threads = RIA_MAX(1, RIA_MIN(threads, 64));
    ria_result *r = NULL;
    ria_status rc = RIA_OK;
    ria_plan *p = copy_plan(plan, &a);
    if (!p)
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
    if (rc == RIA_OK)
        rc = subqueries_of(snap, p, opts, &a, err);
    if (rc == RIA_OK)
        rc = prepare(&pp, t, p, &a, err);
    if (rc == RIA_OK)
        rc = make_tasks(&pp, &j.tasks, &j.ntasks, stats, err);
    if (rc == RIA_OK && pp.nconj > 256)
        rc = ria_fail(err, RIA_ELIMIT, "too many AND-ed conditions (at most 256)");
    if (rc == RIA_OK)
        rc = new_result(p, t, &r, err);
    j.snap = snap;
    j.pp = &pp;
    j.tabs = calloc((size_t)threads, sizeof *j.tabs);
    j.stats = calloc((size_t)threads, sizeof *j.stats);
    j.rcs = calloc((size_t)threads, sizeof *j.rcs);
    j.errs = calloc((size_t)threads, sizeof *j.errs);
    if (rc == RIA_OK && (!j.tabs || !j.stats || !j.rcs || !j.errs))
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
    if (rc == RIA_OK && pp.grouped) {
        if (j.ntasks < threads * 2)
            threads = RIA_MAX(1, j.ntasks / 2);
        rc = scan_grouped(&j, threads, err);
        if (rc == RIA_OK)
            rc = finish_groups(&pp, &j.tabs[0], r, &a, err);
    } else if (rc == RIA_OK) {
        threads = 1;
        rc = project(&j, r, &a, err);
    }
    if (j.stats)
        sum_stats(stats, j.stats, threads);
    for (int i = 0; j.tabs && i < threads; i++)
        agg_free(&j.tabs[i]);
    free(j.tabs);
    free(j.stats);
    free(j.rcs);
    free(j.errs);
    free(j.tasks);
    pthread_mutex_destroy(&j.open_lock);
    prep_free(&pp);
    ria_arena_free(&a);
    if (rc != RIA_OK) {
        ria_result_free(r);
        return rc;
    }
    *out = r;
    return RIA_OK;
}

ria_status ria_execute(ria_snapshot *snap, ria_plan *p, const ria_exec_opts *opts,
                       ria_result **out, ria_exec_stats *stats, ria_error *err)
{
    double t0 = ria_now();
    memset(stats, 0, sizeof *stats);
    stats->version = snap->info.version;
    /* the smallest view that covers the plan, else the base table */
    view_route vr;
    ria_status rc = view_route_plan(snap, p, opts, &vr, err);
    if (rc == RIA_OK && vr.chosen) {
        rc = exec_table_plan(snap, &vr.table, vr.plan, opts, out, stats, err);
        if (rc == RIA_OK) {
            view_route_result(&vr, snap, *out);
            snprintf(stats->view, sizeof stats->view, "%s", vr.name);
        }
    } else if (rc == RIA_OK) {
        exec_table t;
        rc = table_of_snapshot(snap, &t, err);
        if (rc == RIA_OK)
            rc = exec_table_plan(snap, &t, vr.input, opts, out, stats, err);
        table_free(&t);
    }
    /* names come from p itself, not from a copy with subquery values in
     * place: a subquery is named by its text, whichever path answered */
    if (rc == RIA_OK)
        exec_name_columns(p, *out);
    view_route_free(&vr);
    stats->seconds = ria_now() - t0;
    return rc;
}

void ria_result_free(ria_result *r)
{
    if (!r)
        return;
    ria_arena_free(&r->arena);
    free(r);
}

/* ------------------------------------------------------------- front door */

ria_status ria_engine_snapshot_for(ria_store *st, const ria_plan *p, ria_snapshot **out,
                                   ria_error *err)
{
    if (p->as_of_time)
        return ria_store_snapshot_at(st, p->as_of_time, out, err);
    return ria_store_snapshot(st, p->as_of_version, out, err);
}

ria_status ria_query(ria_store *st, const char *sql, const ria_exec_opts *opts,
                     ria_result **out, ria_exec_stats *stats, ria_sql_error *serr)
{
    ria_arena a;
    ria_arena_init(&a, 64 * 1024);
    ria_plan *p = NULL;
    ria_snapshot *snap = NULL;
    ria_error err = {0};
    ria_status rc = ria_sql_parse(sql, &a, &p, serr);
    if (rc == RIA_OK && (rc = ria_engine_snapshot_for(st, p, &snap, &err)) != RIA_OK) {
        serr->code = rc;
        serr->pos = 0;
        snprintf(serr->msg, sizeof serr->msg, "%s", err.msg);
    }
    if (rc == RIA_OK)
        rc = ria_plan_bind(p, snap, serr);
    if (rc == RIA_OK) {
        ria_plan_canonicalize(p);
        if ((rc = ria_execute(snap, p, opts, out, stats, &err)) != RIA_OK) {
            serr->code = rc;
            serr->pos = 0;
            snprintf(serr->msg, sizeof serr->msg, "%s", err.msg);
        }
    }
    ria_snapshot_free(snap);
    ria_arena_free(&a);
    return rc;
}

/* --------------------------------------------------------------- explain */

static void explain_range(ria_buf *out, int64_t lo, int64_t hi)
{
    char a[24], b[24];
    if (lo == INT64_MIN && hi == INT64_MAX) {
        ria_buf_puts(out, "order time: all\n");
        return;
    }
    if (lo != INT64_MIN)
        ria_format_ts(lo, a);
    if (hi != INT64_MAX)
        ria_format_ts(hi, b);
    ria_buf_printf(out, "order time: [%s, %s)\n", lo == INT64_MIN ? "-inf" : a,
                   hi == INT64_MAX ? "+inf" : b);
}

ria_status ria_explain(ria_snapshot *snap, ria_plan *plan, const ria_exec_opts *opts, ria_buf *out,
                       ria_error *err)
{
    ria_arena a;
    ria_arena_init(&a, 64 * 1024);
    exec_table t;
    prepared pp;
    memset(&pp, 0, sizeof pp);
    scan_job j;
    memset(&j, 0, sizeof j);
    pthread_mutex_init(&j.open_lock, NULL);
    ria_exec_stats st;
    memset(&st, 0, sizeof st);

    ria_error werr = {0};
    view_route vr;
    ria_status rc = view_route_plan(snap, plan, opts, &vr, err);
    if (rc == RIA_OK && vr.chosen)
        t = vr.table;
    else if (rc == RIA_OK)
        rc = table_of_snapshot(snap, &t, err);
    else
        memset(&t, 0, sizeof t);
    ria_plan *p = rc == RIA_OK ? copy_plan(vr.chosen ? vr.plan : vr.input, &a) : NULL;
    if (rc == RIA_OK && !p)
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
    if (rc == RIA_OK)
        rc = subqueries_of(snap, p, opts, &a, err);
    if (rc == RIA_OK)
        rc = prepare(&pp, &t, p, &a, err);
    if (rc == RIA_OK)
        rc = make_tasks(&pp, &j.tasks, &j.ntasks, &st, err);
    ria_hash128 h = ria_plan_hash(plan);
    if (rc == RIA_OK) {
        ria_buf_printf(out, "version: %lld\nplan hash: %016llx%016llx\nsource: %s (%d segments)\n",
                       (long long)snap->info.version, (unsigned long long)h.hi,
                       (unsigned long long)h.lo, t.name, t.nsegs);
        view_route_explain(&vr, out);
        explain_range(out, pp.lo, pp.hi);
        ria_buf_printf(out, "partitions: %u of %u kept by the time range\n",
                       st.partitions_total - st.partitions_pruned, st.partitions_total);
        /* zone-map pruning, block by block, without evaluating rows */
        j.snap = snap;
        j.pp = &pp;
        j.stats = &st;
        j.errs = &werr;
        worker w;
        memset(&w, 0, sizeof w);
        bool satisfied[256];
        uint32_t kept = 0;
        if (pp.nconj <= 256 && worker_init(&w, &j, 0) == RIA_OK) {
            for (int k = 0; k < j.ntasks; k++) {
                if (open_seg(&j, &pp.t->segs[j.tasks[k].seg], err) != RIA_OK)
                    break;
                kept += enter_block(&w, &j, &j.tasks[k], satisfied);
            }
        }
        worker_free(&w, t.ncols);
        ria_buf_printf(out, "blocks: %u of %d kept by zone maps (%d rows per block)\n", kept,
                       j.ntasks, RIA_BLOCK_ROWS);
        ria_buf_puts(out, "filters:");
        for (int i = 0; i < pp.nconj; i++) {
            ria_buf_puts(out, i ? " AND " : " ");
            expr_name(pp.conj[i], out);
        }
        ria_buf_puts(out, pp.nconj ? "\n" : " none\n");
        ria_buf_puts(out, "columns read:");
        for (int c = 0; c < t.ncols; c++)
            if (pp.need[c])
                ria_buf_printf(out, " %s", t.cols[c].name);
        ria_buf_putc(out, '\n');
        if (pp.grouped) {
            ria_buf_printf(out, "grouping: %d keys, %s; %d aggregates\n", pp.nkeys,
                           pp.nkeys == 0 ? "one group"
                           : pp.dense  ? "dense array"
                                       : "hash table",
                           pp.naggs);
        } else {
            ria_buf_puts(out, "projection: rows in segment order\n");
        }
        int tables = 0;
        for (int i = 1; i < pp.ndt; i++)
            tables += pp.dt[i].col >= 0;
        if (tables)
            ria_buf_printf(out, "dictionary-evaluated expressions: %d\n", tables);
    }
    free(j.tasks);
    pthread_mutex_destroy(&j.open_lock);
    prep_free(&pp);
    if (!vr.chosen)
        table_free(&t);
    view_route_free(&vr);
    ria_arena_free(&a);
    return rc;
}
