/*
 * view_rewrite.c — whether a view covers a plan, and the plan rewritten
 * against it (the rules are summed up in views.c's header).
 *
 * Row-level expressions (WHERE, GROUP BY, CASE conditions, arguments of
 * MIN/MAX and COUNT(DISTINCT)) are rewritten only when they are constant
 * within a view row; aggregates become aggregates of the rollup's sums,
 * counts and row counts that give the base table's value and type:
 *   sum(m)   -> sum(sum_m)            count(*) -> COALESCE(sum(rows), 0)
 *   count(m) -> COALESCE(sum(cnt_m), 0)
 *   avg(m)   -> CAST(sum(sum_m) AS DOUBLE) / CAST(sum(cnt_m) AS DOUBLE)
 *   sum(CASE WHEN c THEN m ELSE k END) -> sum(CASE WHEN c THEN sum_m ELSE k * rows END)
 * and likewise for count and avg through CASE.
 *
 * Ownership: everything built lives in the caller's arena; the input plan
 * is not modified.
 */
#include "views.h"

#include <stdarg.h>
#include <string.h>

typedef struct {
    const vinfo *v;
    int tcol;             /* the base order time column */
    uint64_t max_rows;    /* bound on the base rows of one view row */
    ria_arena *a;
    char why[200];        /* the first reason the view does not cover */
} cov;

static void *fail(cov *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void *fail(cov *c, const char *fmt, ...)
{
    if (!c->why[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->why, sizeof c->why, fmt, ap);
        va_end(ap);
    }
    return NULL;
}

static ria_expr *node(cov *c, ria_xkind kind, ria_vtype type, int nargs)
{
    ria_expr *e = expr_new(c->a, kind, 0);
    if (!e)
        return fail(c, "out of memory");
    e->type = type;
    if (nargs) {
        e->args = ria_arena_alloc(c->a, (size_t)nargs * sizeof *e->args);
        if (!e->args)
            return fail(c, "out of memory");
        e->nargs = nargs;
    }
    return e;
}

/* A copy of e's node with a fresh (unfilled) argument array. */
static ria_expr *copy_node(cov *c, const ria_expr *e)
{
    ria_expr *n = ria_arena_alloc(c->a, sizeof *n);
    if (!n)
        return fail(c, "out of memory");
    *n = *e;
    n->xid = 0;
    if (e->nargs && !(n->args = ria_arena_alloc(c->a, (size_t)e->nargs * sizeof *n->args)))
        return fail(c, "out of memory");
    return n;
}

static ria_expr *vcol(cov *c, int id)
{
    const ria_column *col = &c->v->cols[id];
    ria_expr *e = node(c, RIA_X_COLUMN, RIA_V_NULL, 0);
    if (!e)
        return NULL;
    e->col = id;
    e->name = col->name;
    e->type = col->type == RIA_T_TEXT        ? RIA_V_TEXT
              : col->type == RIA_T_INT       ? RIA_V_INT
              : col->type == RIA_T_DECIMAL   ? RIA_V_DEC
              : col->type == RIA_T_DATE      ? RIA_V_DATE
                                             : RIA_V_TS;
    return e;
}

static ria_expr *lit_int(cov *c, ria_vtype type, int64_t v)
{
    ria_expr *e = expr_lit_int(c->a, type, v);
    return e ? e : fail(c, "out of memory");
}

static ria_expr *unary(cov *c, ria_xkind kind, ria_vtype type, ria_expr *x)
{
    ria_expr *e = x ? node(c, kind, type, 1) : NULL;
    if (e)
        e->args[0] = x;
    return e;
}

static ria_expr *binary(cov *c, ria_op op, ria_vtype type, ria_expr *x, ria_expr *y)
{
    ria_expr *e = x && y ? node(c, RIA_X_BINARY, type, 2) : NULL;
    if (e) {
        e->op = op;
        e->args[0] = x;
        e->args[1] = y;
    }
    return e;
}

static ria_expr *func(cov *c, ria_func f, ria_vtype type, ria_expr *x, ria_expr *y)
{
    ria_expr *e = x ? node(c, RIA_X_FUNC, type, y ? 2 : 1) : NULL;
    if (!e || (!y && f == RIA_F_COALESCE))
        return NULL;
    e->func = f;
    e->args[0] = x;
    if (y)
        e->args[1] = y;
    if (f == RIA_F_CAST)
        e->cast_type = type;
    return e;
}

static ria_expr *agg(cov *c, ria_agg a, ria_vtype type, ria_expr *x)
{
    ria_expr *e = unary(c, RIA_X_AGG, type, x);
    if (e)
        e->agg = a;
    return e;
}

/* ----------------------------------------------------- the order time */

static bool aligned(const cov *c, int64_t x)
{
    if (c->v->level == LV_HOUR)
        return ria_floor_div(x, 3600) * 3600 == x;
    int64_t days = ria_floor_div(x, RIA_SECS_PER_DAY);
    if (days * RIA_SECS_PER_DAY != x)
        return false;
    int y, m, d;
    ria_civil_from_days(days, &y, &m, &d);
    return c->v->level == LV_DAY || (d == 1 && (c->v->level == LV_MONTH || m == 1));
}

/* Whether `t op x` has one value for every time in a bucket. */
static bool bound_ok(const cov *c, ria_op op, int64_t x)
{
    switch (op) {
    case RIA_OP_GE:
    case RIA_OP_LT: return aligned(c, x);
    case RIA_OP_GT:
    case RIA_OP_LE: return x < INT64_MAX && aligned(c, x + 1);
    default: return false; /* = and <> split every bucket of more than a second */
    }
}

/* The finest level a function of the order time needs; -1 when no bucket
 * gives it. */
static int level_needed(const ria_expr *f)
{
    switch (f->func) {
    case RIA_F_YEAR: return LV_YEAR;
    case RIA_F_QUARTER:
    case RIA_F_MONTH: return LV_MONTH;
    case RIA_F_WEEK:
    case RIA_F_DAY:
    case RIA_F_DOW:
    case RIA_F_DOY: return LV_DAY;
    case RIA_F_HOUR: return LV_HOUR;
    case RIA_F_CAST: return f->cast_type == RIA_V_DATE ? LV_DAY : -1;
    case RIA_F_DATE_TRUNC:
        switch (f->unit) {
        case RIA_TU_HOUR: return LV_HOUR;
        case RIA_TU_DAY:
        case RIA_TU_WEEK: return LV_DAY;
        case RIA_TU_MONTH:
        case RIA_TU_QUARTER: return LV_MONTH;
        default: return LV_YEAR;
        }
    default: return -1;
    }
}

static bool is_time(const cov *c, const ria_expr *e)
{
    return expr_is_col(e, c->tcol);
}

/* -------------------------------------------------- row-level rewrite */

static ria_expr *row_expr(cov *c, const ria_expr *e);

static ria_expr *row_args(cov *c, const ria_expr *e)
{
    ria_expr *n = copy_node(c, e);
    for (int i = 0; n && i < e->nargs; i++)
        if (!(n->args[i] = row_expr(c, e->args[i])))
            return NULL;
    return n;
}

/* e with its argument k (the order time) replaced by the bucket. */
static ria_expr *on_bucket(cov *c, const ria_expr *e, int k)
{
    ria_expr *n = copy_node(c, e);
    for (int i = 0; n && i < e->nargs; i++)
        if (!(n->args[i] = i == k ? vcol(c, VCOL_TIME) : row_expr(c, e->args[i])))
            return NULL;
    return n;
}

static ria_expr *time_compare(cov *c, const ria_expr *e)
{
    bool left = is_time(c, e->args[0]);
    const ria_expr *lit = e->args[left ? 1 : 0];
    ria_op op = left ? e->op : view_flip(e->op);
    const char *tn = c->v->cols[VCOL_TIME].name;
    if (lit->kind != RIA_X_LITERAL || (!lit->lit.is_null && lit->type != RIA_V_TS))
        return fail(c, "%s is compared with something other than a time literal", tn);
    if (!lit->lit.is_null && !bound_ok(c, op, lit->lit.i))
        return fail(c, "a condition on %s does not fall on %s boundaries", tn,
                    view_level_name(c->v->level));
    return on_bucket(c, e, left ? 0 : 1);
}

static ria_expr *time_between(cov *c, const ria_expr *e)
{
    const ria_expr *lo = e->args[1], *hi = e->args[2];
    const char *tn = c->v->cols[VCOL_TIME].name;
    if (lo->kind != RIA_X_LITERAL || hi->kind != RIA_X_LITERAL)
        return fail(c, "%s BETWEEN needs time literals", tn);
    if ((!lo->lit.is_null && (lo->type != RIA_V_TS || !bound_ok(c, RIA_OP_GE, lo->lit.i))) ||
        (!hi->lit.is_null && (hi->type != RIA_V_TS || !bound_ok(c, RIA_OP_LE, hi->lit.i))))
        return fail(c, "a range on %s does not fall on %s boundaries", tn,
                    view_level_name(c->v->level));
    return on_bucket(c, e, 0);
}

/* e rewritten over the view's columns, or NULL (with the reason) when its
 * value is not the same for every base row of a view row. */
static ria_expr *row_expr(cov *c, const ria_expr *e)
{
    switch (e->kind) {
    case RIA_X_LITERAL:
    case RIA_X_SUBQUERY: return copy_node(c, e);
    case RIA_X_AGG: return fail(c, "an aggregate inside an aggregate");
    case RIA_X_COLUMN:
        for (int k = 0; k < c->v->ndims; k++)
            if (c->v->dims[k] == e->col)
                return vcol(c, 1 + k);
        if (e->col == c->tcol)
            return fail(c, "%s is used directly (only date parts, date_trunc, CAST AS DATE and "
                        "aligned ranges are answered from rollups)", e->name);
        return fail(c, "%s is not one of its dimensions", e->name);
    case RIA_X_FUNC:
        if (e->nargs && is_time(c, e->args[0])) {
            int need = level_needed(e);
            if (need < 0 || need < c->v->level)
                return fail(c, "a function of %s needs a finer grain than %s", e->args[0]->name,
                            view_level_name(c->v->level));
            return on_bucket(c, e, 0);
        }
        return row_args(c, e);
    case RIA_X_BINARY:
        if (e->op >= RIA_OP_EQ && e->op <= RIA_OP_GE &&
            (is_time(c, e->args[0]) || is_time(c, e->args[1])))
            return time_compare(c, e);
        return row_args(c, e);
    case RIA_X_BETWEEN:
        return is_time(c, e->args[0]) ? time_between(c, e) : row_args(c, e);
    case RIA_X_IS_NULL:
        return is_time(c, e->args[0]) ? on_bucket(c, e, 0) : row_args(c, e);
    default: return row_args(c, e);
    }
}

/* ---------------------------------------------------- aggregate rewrite */

typedef enum { AM_SUM, AM_COUNT, AM_MIN, AM_MAX } amode;

/* The measure x is (a measure column, or a - b), or -1. */
static int measure_of(const cov *c, const ria_expr *x)
{
    for (int j = 0; j < c->v->nm; j++) {
        const vmeasure_info *m = &c->v->m[j];
        if (m->b < 0 && expr_is_col(x, m->a))
            return j;
        if (m->b >= 0 && x->kind == RIA_X_BINARY && x->op == RIA_OP_SUB &&
            expr_is_col(x->args[0], m->a) && expr_is_col(x->args[1], m->b))
            return j;
    }
    return -1;
}

/* lit * rows: the sum of a constant over a view row. */
static ria_expr *times_rows(cov *c, const ria_expr *lit)
{
    int64_t v = lit->lit.i, bound = INT64_MAX / (int64_t)RIA_MAX(c->max_rows, 1);
    if ((lit->type != RIA_V_INT && lit->type != RIA_V_DEC) || lit->lit.wide || v > bound ||
        v < -bound)
        return fail(c, "a sum of the constant %s cannot be taken from row counts",
                    ria_vtype_name(lit->type));
    ria_expr *rows = vcol(c, vcol_rows(c->v));
    if (lit->type == RIA_V_DEC)
        rows = func(c, RIA_F_CAST, RIA_V_DEC, rows, NULL);
    return binary(c, RIA_OP_MUL, lit->type, copy_node(c, lit), rows);
}

static ria_expr *agg_arg(cov *c, amode mode, const ria_expr *x, ria_vtype type);

/* CASE WHEN <covered> THEN ... rewritten branch by branch. */
static ria_expr *case_arg(cov *c, amode mode, const ria_expr *x, ria_vtype type)
{
    int pairs = (x->nargs - (x->has_else ? 1 : 0)) / 2;
    bool zero_else = mode == AM_COUNT && !x->has_else;
    ria_expr *n = node(c, RIA_X_CASE, mode == AM_COUNT ? RIA_V_INT : type,
                       x->nargs + (zero_else ? 1 : 0));
    if (!n)
        return NULL;
    n->has_else = x->has_else || zero_else;
    for (int i = 0; i < pairs; i++)
        if (!(n->args[2 * i] = row_expr(c, x->args[2 * i])) ||
            !(n->args[2 * i + 1] = agg_arg(c, mode, x->args[2 * i + 1], type)))
            return NULL;
    if (x->has_else && !(n->args[n->nargs - 1] = agg_arg(c, mode, x->args[x->nargs - 1], type)))
        return NULL;
    if (zero_else && !(n->args[n->nargs - 1] = lit_int(c, RIA_V_INT, 0)))
        return NULL;
    return n;
}

/* What to aggregate over view rows for an aggregate of x in the given
 * mode: a measure's sums or counts, row counts for constants, or (min, max)
 * the covered expression itself. */
static ria_expr *agg_arg(cov *c, amode mode, const ria_expr *x, ria_vtype type)
{
    int j = measure_of(c, x);
    if (j >= 0 && (mode == AM_MIN || mode == AM_MAX))
        return fail(c, "min and max of %s are not kept in rollups", c->v->m[j].name);
    if (j >= 0 && (mode == AM_COUNT || c->v->m[j].type == type))
        return vcol(c, mode == AM_COUNT ? vcol_cnt(c->v, j) : vcol_sum(c->v, j));
    if (x->kind == RIA_X_CASE)
        return case_arg(c, mode, x, type);
    if (x->kind == RIA_X_LITERAL) {
        if (mode == AM_COUNT)
            return x->lit.is_null ? lit_int(c, RIA_V_INT, 0) : vcol(c, vcol_rows(c->v));
        if (mode == AM_SUM && !x->lit.is_null)
            return times_rows(c, x);
        return copy_node(c, x);
    }
    ria_expr *rx = row_expr(c, x);
    if (!rx)
        return NULL;
    switch (mode) {
    case AM_COUNT: {
        ria_expr *e = node(c, RIA_X_CASE, RIA_V_INT, 3);
        if (!e)
            return NULL;
        e->has_else = true;
        e->args[0] = unary(c, RIA_X_IS_NULL, RIA_V_BOOL, rx);
        e->args[1] = lit_int(c, RIA_V_INT, 0);
        e->args[2] = vcol(c, vcol_rows(c->v));
        return e->args[0] && e->args[1] && e->args[2] ? e : NULL;
    }
    case AM_SUM: return fail(c, "a sum of an expression that is not a measure");
    default: return rx;
    }
}

static ria_expr *coalesce0(cov *c, ria_expr *x)
{
    return func(c, RIA_F_COALESCE, RIA_V_INT, x, lit_int(c, RIA_V_INT, 0));
}

/* The aggregate e computed from view rows (same type and value). */
static ria_expr *agg_rewrite(cov *c, const ria_expr *e)
{
    if (e->star)
        return coalesce0(c, agg(c, RIA_AGG_SUM, RIA_V_INT, vcol(c, vcol_rows(c->v))));
    const ria_expr *x = e->args[0];
    if (e->distinct) {
        if (e->agg == RIA_AGG_SUM || e->agg == RIA_AGG_AVG)
            return fail(c, "sum or avg of DISTINCT values needs the base rows");
        ria_expr *n = unary(c, RIA_X_AGG, e->type, row_expr(c, x));
        if (n) {
            n->agg = e->agg;
            n->distinct = true;
        }
        return n;
    }
    switch (e->agg) {
    case RIA_AGG_SUM: return agg(c, RIA_AGG_SUM, e->type, agg_arg(c, AM_SUM, x, x->type));
    case RIA_AGG_COUNT:
        return coalesce0(c, agg(c, RIA_AGG_SUM, RIA_V_INT, agg_arg(c, AM_COUNT, x, x->type)));
    case RIA_AGG_MIN: return agg(c, RIA_AGG_MIN, e->type, agg_arg(c, AM_MIN, x, x->type));
    case RIA_AGG_MAX: return agg(c, RIA_AGG_MAX, e->type, agg_arg(c, AM_MAX, x, x->type));
    case RIA_AGG_AVG: {
        if (x->type != RIA_V_INT && x->type != RIA_V_DEC)
            return fail(c, "avg of %s values", ria_vtype_name(x->type));
        /* the same totals the base table divides, in the same way */
        ria_expr *s = agg(c, RIA_AGG_SUM, x->type, agg_arg(c, AM_SUM, x, x->type));
        ria_expr *n = agg(c, RIA_AGG_SUM, RIA_V_INT, agg_arg(c, AM_COUNT, x, x->type));
        return binary(c, RIA_OP_DIV, RIA_V_DOUBLE, func(c, RIA_F_CAST, RIA_V_DOUBLE, s, NULL),
                      func(c, RIA_F_CAST, RIA_V_DOUBLE, n, NULL));
    }
    }
    return fail(c, "unknown aggregate");
}

/* An expression after aggregation: aggregates rewritten, the rest (group
 * keys, literals) as row-level expressions. */
static ria_expr *post_expr(cov *c, const ria_expr *e)
{
    if (!e)
        return NULL;
    if (e->kind == RIA_X_AGG)
        return agg_rewrite(c, e);
    if (e->kind == RIA_X_SUBQUERY || !expr_has_agg(e))
        return row_expr(c, e);
    ria_expr *n = copy_node(c, e);
    for (int i = 0; n && i < e->nargs; i++)
        if (!(n->args[i] = post_expr(c, e->args[i])))
            return NULL;
    return n;
}

bool view_plan_grouped(const ria_plan *p)
{
    bool g = p->ngroup > 0 || p->having;
    for (int i = 0; i < p->nselect; i++)
        g |= expr_has_agg(p->select[i].expr);
    for (int i = 0; i < p->norder; i++)
        g |= expr_has_agg(p->order[i].expr);
    return g;
}

/* p rewritten against the view, or NULL (c->why says why). */
static ria_plan *rewrite_plan(cov *c, const ria_plan *p)
{
    ria_plan *q = ria_arena_alloc(c->a, sizeof *q);
    if (!q)
        return fail(c, "out of memory");
    *q = *p;
    q->arena = c->a;
    q->select = ria_arena_alloc(c->a, ((size_t)p->nselect + 1) * sizeof *q->select);
    q->group = ria_arena_alloc(c->a, ((size_t)p->ngroup + 1) * sizeof *q->group);
    q->order = ria_arena_alloc(c->a, ((size_t)p->norder + 1) * sizeof *q->order);
    if (!q->select || !q->group || !q->order)
        return fail(c, "out of memory");
    /* aggregates first: their reasons are the most telling */
    for (int i = 0; i < p->nselect; i++) {
        q->select[i] = p->select[i];
        if (!(q->select[i].expr = post_expr(c, p->select[i].expr)))
            return NULL;
    }
    if (p->having && !(q->having = post_expr(c, p->having)))
        return NULL;
    for (int i = 0; i < p->norder; i++) {
        q->order[i] = p->order[i];
        if (!(q->order[i].expr = post_expr(c, p->order[i].expr)))
            return NULL;
    }
    for (int i = 0; i < p->ngroup; i++)
        if (!(q->group[i] = row_expr(c, p->group[i])))
            return NULL;
    if (p->where && !(q->where = row_expr(c, p->where)))
        return NULL;
    return q;
}

ria_plan *view_rewrite(const vinfo *v, int tcol, uint64_t max_rows, const ria_plan *p,
                       ria_arena *a, char *why, size_t whysz)
{
    cov c = {v, tcol, max_rows, a, ""};
    ria_plan *q = rewrite_plan(&c, p);
    if (!q)
        snprintf(why, whysz, "%s", c.why[0] ? c.why : "out of memory");
    return q;
}
