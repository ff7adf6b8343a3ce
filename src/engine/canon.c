/*
 * canon.c — the canonical form of a bound plan and its hash.
 *
 * Canonicalization rewrites a plan into one representative of everything
 * that means the same: literals on the right of comparisons, IN of one value
 * as =, IN lists sorted without repeats, operands of commutative operators
 * ordered, WHERE conjuncts flattened, sorted and deduplicated, and every
 * restriction of the order time (>=, <, BETWEEN, =, year() = Y, year() and
 * quarter()/month() equalities) folded into one half-open range
 * `t >= lo AND t < hi`.  The hash is XXH3-128 of an unambiguous prefix
 * serialization of the canonical plan (aliases excluded: they name
 * columns, they do not change results).
 */
#include "engine_internal.h"

#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* ---------------------------------------------------------- serialization */

static void ser_value(const ria_value *v, ria_buf *b)
{
    if (v->is_null) {
        ria_buf_puts(b, "null");
        return;
    }
    switch (v->type) {
    case RIA_V_TEXT:
        ria_buf_printf(b, "s%u:", v->n);
        ria_buf_append(b, v->s, v->n);
        return;
    case RIA_V_DOUBLE: ria_buf_printf(b, "f%.17g", v->d); return;
    default: {
        /* integers print exactly, wide ones too */
        __int128 x = ria_value_i128(v);
        char num[48], *q = num + sizeof num - 1;
        bool neg = x < 0;
        unsigned __int128 u = neg ? (unsigned __int128)(-(x + 1)) + 1 : (unsigned __int128)x;
        *q = 0;
        do {
            *--q = (char)('0' + (int)(u % 10));
            u /= 10;
        } while (u);
        if (neg)
            *--q = '-';
        ria_buf_printf(b, "%s%s", ria_vtype_name(v->type), q);
        return;
    }
    }
}

static void ser_expr(const ria_expr *e, ria_buf *b);

static void ser_args(const ria_expr *e, ria_buf *b)
{
    for (int i = 0; i < e->nargs; i++) {
        ria_buf_putc(b, ' ');
        ser_expr(e->args[i], b);
    }
}

static void ser_plan(const ria_plan *p, ria_buf *b);

static void ser_expr(const ria_expr *e, ria_buf *b)
{
    if (!e) {
        ria_buf_puts(b, "()");
        return;
    }
    switch (e->kind) {
    case RIA_X_COLUMN: ria_buf_printf(b, "(c %d)", e->col); return;
    case RIA_X_LITERAL:
        ria_buf_puts(b, "(l ");
        ser_value(&e->lit, b);
        ria_buf_putc(b, ')');
        return;
    case RIA_X_SUBQUERY:
        ria_buf_puts(b, "(q ");
        ser_plan(e->sub, b);
        ria_buf_putc(b, ')');
        return;
    default: break;
    }
    ria_buf_printf(b, "(x%d o%d f%d a%d u%d t%d n%d d%d s%d e%d", (int)e->kind, (int)e->op,
                   (int)e->func, (int)e->agg, (int)e->unit, (int)e->cast_type, e->negated,
                   e->distinct, e->star, e->has_else);
    ser_args(e, b);
    ria_buf_putc(b, ')');
}

static void ser_plan(const ria_plan *p, ria_buf *b)
{
    ria_buf_printf(b, "(plan v%lld t%lld d%d (select", (long long)p->as_of_version,
                   (long long)p->as_of_time, p->distinct);
    for (int i = 0; i < p->nselect; i++) {
        ria_buf_putc(b, ' ');
        ser_expr(p->select[i].expr, b);
    }
    ria_buf_puts(b, ") (where ");
    ser_expr(p->where, b);
    ria_buf_puts(b, ") (group");
    for (int i = 0; i < p->ngroup; i++) {
        ria_buf_putc(b, ' ');
        ser_expr(p->group[i], b);
    }
    ria_buf_puts(b, ") (having ");
    ser_expr(p->having, b);
    ria_buf_puts(b, ") (order");
    for (int i = 0; i < p->norder; i++) {
        ria_buf_printf(b, " %s", p->order[i].desc ? "desc" : "asc");
        ser_expr(p->order[i].expr, b);
    }
    ria_buf_printf(b, ") (limit %lld %lld))", (long long)p->limit, (long long)p->offset);
}

void ria_plan_canonical_text(const ria_plan *p, ria_buf *out)
{
    ser_plan(p, out);
}

ria_hash128 ria_plan_hash(const ria_plan *p)
{
    ria_buf b;
    ria_buf_init(&b, 0);
    ser_plan(p, &b);
    XXH128_hash_t h = XXH3_128bits(b.data ? b.data : "", b.len);
    ria_buf_free(&b);
    return (ria_hash128){h.low64, h.high64};
}

/* ------------------------------------------------------------- ordering */

static int cmp_text(const ria_expr *a, const ria_expr *b)
{
    ria_buf x, y;
    ria_buf_init(&x, 0);
    ria_buf_init(&y, 0);
    ser_expr(a, &x);
    ser_expr(b, &y);
    int c = strcmp(x.data ? x.data : "", y.data ? y.data : "");
    ria_buf_free(&x);
    ria_buf_free(&y);
    return c;
}

static int cmp_expr_ptr(const void *a, const void *b)
{
    return cmp_text(*(ria_expr *const *)a, *(ria_expr *const *)b);
}

static bool commutative(ria_op op)
{
    return op == RIA_OP_ADD || op == RIA_OP_MUL || op == RIA_OP_EQ || op == RIA_OP_NE ||
           op == RIA_OP_AND || op == RIA_OP_OR;
}

static ria_op mirror(ria_op op)
{
    switch (op) {
    case RIA_OP_LT: return RIA_OP_GT;
    case RIA_OP_LE: return RIA_OP_GE;
    case RIA_OP_GT: return RIA_OP_LT;
    case RIA_OP_GE: return RIA_OP_LE;
    default: return op;
    }
}

/* -------------------------------------------------------- rewriting */

static void canon_expr(ria_arena *a, ria_expr **slot);

static void canon_in(ria_arena *a, ria_expr *e)
{
    /* sort the literal list and drop repeats */
    int n = e->nargs - 1;
    if (n > 1) {
        qsort(e->args + 1, (size_t)n, sizeof *e->args, cmp_expr_ptr);
        int k = 1;
        for (int i = 2; i < e->nargs; i++)
            if (!expr_equal(e->args[i], e->args[k]))
                e->args[++k] = e->args[i];
        e->nargs = k + 1;
    }
    if (e->nargs == 2) { /* x IN (v) is x = v */
        e->kind = RIA_X_BINARY;
        e->op = e->negated ? RIA_OP_NE : RIA_OP_EQ;
        e->negated = false;
    }
    (void)a;
}

static void canon_expr(ria_arena *a, ria_expr **slot)
{
    ria_expr *e = *slot;
    if (!e)
        return;
    if (e->kind == RIA_X_SUBQUERY) {
        ria_plan_canonicalize(e->sub);
        return;
    }
    for (int i = 0; i < e->nargs; i++)
        canon_expr(a, &e->args[i]);
    if (e->kind == RIA_X_IN) {
        canon_in(a, e);
        return;
    }
    if (e->kind != RIA_X_BINARY)
        return;
    ria_expr *l = e->args[0], *r = e->args[1];
    bool compare = e->op >= RIA_OP_EQ && e->op <= RIA_OP_GE;
    if (compare && l->kind == RIA_X_LITERAL && r->kind != RIA_X_LITERAL) {
        e->args[0] = r;
        e->args[1] = l;
        e->op = mirror(e->op);
    } else if (commutative(e->op) && !(compare && r->kind == RIA_X_LITERAL) &&
               cmp_text(l, r) > 0) {
        /* a literal compared stays on the right, where the time folding,
         * the zone maps and the view router look for it */
        e->args[0] = r;
        e->args[1] = l;
    }
}

/* ------------------------------------------------------------ conjuncts */

typedef struct {
    ria_expr **v;
    int n, cap;
} exprs;

static void push(ria_arena *a, exprs *x, ria_expr *e)
{
    if (x->n == x->cap) {
        int cap = x->cap ? x->cap * 2 : 8;
        ria_expr **v = ria_arena_alloc(a, (size_t)cap * sizeof *v);
        if (!v)
            return;
        if (x->n)
            memcpy(v, x->v, (size_t)x->n * sizeof *v);
        x->v = v;
        x->cap = cap;
    }
    x->v[x->n++] = e;
}

static void flatten(ria_arena *a, ria_expr *e, exprs *out)
{
    if (e && e->kind == RIA_X_BINARY && e->op == RIA_OP_AND) {
        flatten(a, e->args[0], out);
        flatten(a, e->args[1], out);
    } else if (e) {
        push(a, out, e);
    }
}

/* The column id of the single time column restricted in a conjunct, with
 * the bounds it implies; false when the conjunct is not such a bound. */
typedef struct {
    int col;
    ria_vtype type;        /* DATE or TS */
    int64_t lo, hi;        /* half-open, in the column's units */
    const char *name;      /* the column as written */
} time_range;

static bool literal_bound(const ria_expr *e, time_range *tr)
{
    if (e->kind == RIA_X_BETWEEN && !e->negated && e->args[0]->kind == RIA_X_COLUMN &&
        type_is_time(e->args[0]->type) && e->args[1]->kind == RIA_X_LITERAL &&
        e->args[2]->kind == RIA_X_LITERAL && !e->args[1]->lit.is_null && !e->args[2]->lit.is_null) {
        *tr = (time_range){e->args[0]->col, e->args[0]->type, e->args[1]->lit.i,
                           e->args[2]->lit.i + 1, e->args[0]->name};
        return true;
    }
    if (e->kind != RIA_X_BINARY || e->op < RIA_OP_EQ || e->op > RIA_OP_GE || e->op == RIA_OP_NE)
        return false;
    const ria_expr *c = e->args[0], *l = e->args[1];
    if (c->kind != RIA_X_COLUMN || !type_is_time(c->type) || l->kind != RIA_X_LITERAL ||
        l->lit.is_null || l->type != c->type)
        return false;
    int64_t v = l->lit.i;
    *tr = (time_range){c->col, c->type, INT64_MIN, INT64_MAX, c->name};
    switch (e->op) {
    case RIA_OP_EQ: tr->lo = v; tr->hi = v + 1; break;
    case RIA_OP_LT: tr->hi = v; break;
    case RIA_OP_LE: tr->hi = v + 1; break;
    case RIA_OP_GT: tr->lo = v + 1; break;
    default: tr->lo = v; break;
    }
    return true;
}

/* year(t) = Y, quarter(t) = Q, month(t) = M on a time column. */
static bool part_equality(const ria_expr *e, int *col, ria_vtype *type, ria_func *f, int64_t *v,
                          const char **name)
{
    if (e->kind != RIA_X_BINARY || e->op != RIA_OP_EQ || e->args[0]->kind != RIA_X_FUNC ||
        e->args[1]->kind != RIA_X_LITERAL || e->args[1]->lit.is_null)
        return false;
    const ria_expr *fn = e->args[0];
    if ((fn->func != RIA_F_YEAR && fn->func != RIA_F_QUARTER && fn->func != RIA_F_MONTH) ||
        fn->args[0]->kind != RIA_X_COLUMN || !type_is_time(fn->args[0]->type))
        return false;
    *col = fn->args[0]->col;
    *type = fn->args[0]->type;
    *name = fn->args[0]->name;
    *f = fn->func;
    *v = e->args[1]->lit.i;
    return true;
}

static int64_t day_start(int y, int m, ria_vtype t)
{
    int64_t d = ria_days_from_civil(y, m, 1);
    return t == RIA_V_TS ? d * RIA_SECS_PER_DAY : d;
}

static ria_expr *bound_expr(ria_arena *a, int col, const char *name, ria_vtype t, ria_op op,
                            int64_t v)
{
    ria_expr *e = expr_new(a, RIA_X_BINARY, 0);
    ria_expr *c = expr_new(a, RIA_X_COLUMN, 0);
    ria_expr *l = expr_lit_int(a, t, v);
    ria_expr **args = ria_arena_alloc(a, 2 * sizeof *args);
    if (!e || !c || !l || !args)
        return NULL;
    c->col = col;
    c->type = t;
    c->name = name;
    args[0] = c;
    args[1] = l;
    e->op = op;
    e->type = RIA_V_BOOL;
    e->args = args;
    e->nargs = 2;
    return e;
}

/* Folds the time restrictions of one column (the first restricted) into a
 * range conjunct pair. */
static void fold_time(ria_arena *a, exprs *cs)
{
    int col = -1;
    const char *cname = NULL;
    ria_vtype type = RIA_V_TS;
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    int64_t year = 0, quarter = 0, month = 0;
    bool has_year = false, has_quarter = false, has_month = false;
    bool used[512] = {false};
    int nused = 0;
    for (int i = 0; i < cs->n && i < 512; i++) {
        time_range tr;
        int pc;
        ria_vtype pt;
        ria_func f;
        int64_t v;
        const char *nm;
        if (literal_bound(cs->v[i], &tr) && (col < 0 || tr.col == col)) {
            col = tr.col;
            cname = tr.name;
            type = tr.type;
            lo = RIA_MAX(lo, tr.lo);
            hi = RIA_MIN(hi, tr.hi);
            used[i] = true;
            nused++;
        } else if (part_equality(cs->v[i], &pc, &pt, &f, &v, &nm) && (col < 0 || pc == col)) {
            cname = nm;
            int64_t *slot = f == RIA_F_YEAR ? &year : f == RIA_F_QUARTER ? &quarter : &month;
            bool *has = f == RIA_F_YEAR ? &has_year : f == RIA_F_QUARTER ? &has_quarter : &has_month;
            bool valid = f == RIA_F_YEAR ? v >= 1 && v <= 9998
                         : f == RIA_F_QUARTER ? v >= 1 && v <= 4
                                              : v >= 1 && v <= 12;
            if ((*has && *slot != v) || !valid)
                return; /* contradictory or impossible: leave as written */
            *slot = v;
            *has = true;
            col = pc;
            type = pt;
            used[i] = true;
            nused++;
        }
    }
    if (col < 0 || nused == 0)
        return;
    if (has_year) {
        int y = (int)year, m0 = 1, m1 = 13;
        if (has_quarter)
            m0 = (int)(quarter - 1) * 3 + 1, m1 = m0 + 3;
        if (has_month) {
            if (m0 > month || m1 <= month)
                return;
            m0 = (int)month, m1 = m0 + 1;
        }
        lo = RIA_MAX(lo, day_start(y, m0, type));
        hi = RIA_MIN(hi, m1 == 13 ? day_start(y + 1, 1, type) : day_start(y, m1, type));
    } else if (has_quarter || has_month) {
        /* a month without a year recurs every year: keep those as written */
        for (int i = 0; i < cs->n && i < 512; i++) {
            ria_func f;
            int pc;
            ria_vtype pt;
            int64_t v;
            const char *nm;
            if (used[i] && part_equality(cs->v[i], &pc, &pt, &f, &v, &nm))
                used[i] = false;
        }
    }
    exprs kept = {0};
    for (int i = 0; i < cs->n; i++)
        if (i >= 512 || !used[i])
            push(a, &kept, cs->v[i]);
    if (lo != INT64_MIN)
        push(a, &kept, bound_expr(a, col, cname, type, RIA_OP_GE, lo));
    if (hi != INT64_MAX)
        push(a, &kept, bound_expr(a, col, cname, type, RIA_OP_LT, hi));
    *cs = kept;
}

static ria_expr *rebuild_and(ria_arena *a, exprs *cs)
{
    if (cs->n == 0)
        return NULL;
    ria_expr *acc = cs->v[0];
    for (int i = 1; i < cs->n; i++) {
        ria_expr *e = expr_new(a, RIA_X_BINARY, 0);
        ria_expr **args = ria_arena_alloc(a, 2 * sizeof *args);
        if (!e || !args)
            return acc;
        args[0] = acc;
        args[1] = cs->v[i];
        e->op = RIA_OP_AND;
        e->type = RIA_V_BOOL;
        e->args = args;
        e->nargs = 2;
        acc = e;
    }
    return acc;
}

static ria_expr *canon_where(ria_arena *a, ria_expr *where)
{
    exprs cs = {0};
    flatten(a, where, &cs);
    fold_time(a, &cs);
    if (cs.n > 1)
        qsort(cs.v, (size_t)cs.n, sizeof *cs.v, cmp_expr_ptr);
    int k = 0;
    for (int i = 0; i < cs.n; i++)
        if (k == 0 || !expr_equal(cs.v[i], cs.v[k - 1]))
            cs.v[k++] = cs.v[i];
    cs.n = k;
    return rebuild_and(a, &cs);
}

void ria_plan_canonicalize(ria_plan *p)
{
    ria_arena *a = p->arena;
    for (int i = 0; i < p->nselect; i++)
        canon_expr(a, &p->select[i].expr);
    canon_expr(a, &p->where);
    p->where = canon_where(a, p->where);
    for (int i = 0; i < p->ngroup; i++)
        canon_expr(a, &p->group[i]);
    canon_expr(a, &p->having);
    for (int i = 0; i < p->norder; i++)
        canon_expr(a, &p->order[i].expr);
}
