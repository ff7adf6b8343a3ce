/*
 * vec.c — vectorized evaluation of expressions over one block of rows.
 *
 * Columns are decoded on first use; a column whose zone map says it is
 * constant in the block is never decoded.  Expressions over a single
 * dictionary-coded column were evaluated once per dictionary entry when the
 * plan was prepared (dict_table), so here they are a lookup by code — that
 * is how `category = 'Electronics'`, `state IN (...)`, LIKE and functions of
 * text columns run on codes rather than strings.
 *
 * NULL follows SQL: arithmetic and comparisons with NULL give NULL; AND/OR
 * use three-valued logic; filters keep only TRUE.
 */
#include "exec_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------- allocation */

static vec *vnew(blockctx *bc, ria_vtype type, vec_kind kind, bool constant)
{
    vec *v = ria_arena_alloc(bc->arena, sizeof *v);
    if (!v)
        return NULL;
    v->type = type;
    v->kind = kind;
    v->constant = constant;
    size_t n = constant ? 1 : bc->n;
    switch (kind) {
    case VK_I64: v->i = ria_arena_alloc(bc->arena, n * sizeof *v->i); break;
    case VK_F64: v->f = ria_arena_alloc(bc->arena, n * sizeof *v->f); break;
    case VK_STR: v->s = ria_arena_alloc(bc->arena, n * sizeof *v->s); break;
    case VK_CODE: break;
    }
    if ((kind == VK_I64 && !v->i) || (kind == VK_F64 && !v->f) || (kind == VK_STR && !v->s))
        return NULL;
    return v;
}

static vec *oom(blockctx *bc)
{
    if (bc->rc == RIA_OK)
        bc->rc = ria_fail(bc->err, RIA_ENOMEM, "out of memory evaluating a block");
    return NULL;
}

static vec_kind kind_of(ria_vtype t)
{
    return t == RIA_V_DOUBLE ? VK_F64 : t == RIA_V_TEXT ? VK_STR : VK_I64;
}

/* An integer vector whose values are int128 (see vec). */
static vec *vnew_wide(blockctx *bc, ria_vtype type, bool constant)
{
    vec *v = ria_arena_alloc(bc->arena, sizeof *v);
    if (!v)
        return NULL;
    v->type = type;
    v->kind = VK_I64;
    v->constant = constant;
    v->w = ria_arena_alloc(bc->arena, (constant ? 1 : bc->n) * sizeof *v->w);
    return v->w ? v : NULL;
}

/* Whether an int128 fits the 64-bit representation (INT64_MIN is NULL). */
static inline bool fits_i64(__int128 x)
{
    return x > INT64_MIN && x <= INT64_MAX;
}

/* Fails the block: a value left the 128-bit range. */
static vec *overflow(blockctx *bc, const ria_expr *e)
{
    if (bc->rc == RIA_OK) {
        ria_buf b;
        ria_buf_init(&b, 0);
        expr_name(e, &b);
        bc->rc = ria_fail(bc->err, RIA_ELIMIT,
                          "arithmetic overflow: a value of %.200s is beyond the 128-bit range",
                          b.data ? b.data : "an expression");
        ria_buf_free(&b);
    }
    return NULL;
}

/* Makes out wide, keeping rows [0, upto) (the rows written so far). */
static bool make_wide(blockctx *bc, vec *out, uint32_t upto)
{
    __int128 *w = ria_arena_alloc(bc->arena, (out->constant ? 1 : bc->n) * sizeof *w);
    if (!w)
        return false;
    for (uint32_t k = 0; k < upto; k++)
        w[k] = out->i[k] == RIA_NULL_I64 ? VW_NULL : (__int128)out->i[k];
    out->w = w;
    out->i = NULL;
    return true;
}

/* Stores an integer value in row k of an integer vector, making the vector
 * wide when the value needs it. */
static bool put_int(blockctx *bc, vec *out, uint32_t k, const ria_value *v)
{
    if (out->w) {
        out->w[k] = v->is_null ? VW_NULL : ria_value_i128(v);
        return true;
    }
    if (v->is_null) {
        out->i[k] = RIA_NULL_I64;
        return true;
    }
    __int128 x = ria_value_i128(v);
    if (fits_i64(x)) {
        out->i[k] = (int64_t)x;
        return true;
    }
    if (!make_wide(bc, out, k))
        return false;
    out->w[k] = x;
    return true;
}

/* Stores value v (of out's type) in row k. */
static bool put_value(blockctx *bc, vec *out, uint32_t k, const ria_value *v)
{
    switch (out->kind) {
    case VK_F64: out->f[k] = v->is_null ? NAN : v->d; return true;
    case VK_STR: out->s[k] = v->is_null ? (ria_slice){NULL, 0} : (ria_slice){v->s, v->n}; return true;
    default: return put_int(bc, out, k, v);
    }
}

/* A constant vector holding value x. */
static vec *vconst(blockctx *bc, const ria_value *x, ria_vtype type)
{
    vec *v = vnew(bc, type, kind_of(type), true);
    if (!v || !put_value(bc, v, 0, x))
        return oom(bc);
    return v;
}

ria_value vec_value(const vec *v, uint32_t r)
{
    uint32_t k = v->constant ? 0 : r;
    ria_value x = value_null(v->type);
    switch (v->kind) {
    case VK_I64:
        if (v->w) {
            if (v->w[k] != VW_NULL) {
                x.is_null = false;
                if (fits_i64(v->w[k])) {
                    x.i = (int64_t)v->w[k];
                } else {
                    x.wide = true;
                    x.big = v->w[k];
                }
            }
        } else if (v->i[k] != RIA_NULL_I64) {
            x.is_null = false;
            x.i = v->i[k];
        }
        break;
    case VK_F64:
        if (!isnan(v->f[k])) {
            x.is_null = false;
            x.d = v->f[k];
        }
        break;
    case VK_CODE: {
        uint32_t c = v->codes[k];
        if (c && v->dict && c <= v->dict->count) {
            x.is_null = false;
            x.s = v->dict->strs[c];
            x.n = v->dict->lens[c];
        }
        break;
    }
    case VK_STR:
        if (v->s[k].p) {
            x.is_null = false;
            x.s = v->s[k].p;
            x.n = (uint32_t)v->s[k].n;
        }
        break;
    }
    return x;
}

/* -------------------------------------------------------------- columns */

static vec *decode_column(blockctx *bc, int col)
{
    const ria_column *c = &bc->pp->t->cols[col];
    ria_zone z;
    bool has = ria_segment_zone(bc->seg, (uint32_t)col, bc->block, &z);
    ria_vtype type = c->type == RIA_T_TEXT      ? RIA_V_TEXT
                     : c->type == RIA_T_INT     ? RIA_V_INT
                     : c->type == RIA_T_DECIMAL ? RIA_V_DEC
                     : c->type == RIA_T_DATE    ? RIA_V_DATE
                                                : RIA_V_TS;
    bool all_null = !has || z.nulls == z.rows;
    bool constant = has && z.nulls == 0 && z.min == z.max && c->kind != RIA_KIND_HEAP;
    if (c->kind == RIA_KIND_CODE) {
        const ria_dict *d = bc->pp->t->dicts[col];
        if (has && z.nulls < z.rows && (!d || z.max > (int64_t)d->count || z.min < 0)) {
            bc->rc = ria_fail(bc->err, RIA_ECORRUPT,
                              "column %s: codes beyond its dictionary (corrupt segment)", c->name);
            return NULL;
        }
        vec *v = vnew(bc, type, VK_CODE, constant || all_null);
        if (!v)
            return oom(bc);
        v->dict = d;
        uint32_t *codes = ria_arena_alloc(bc->arena, (v->constant ? 1 : bc->n) * sizeof *codes);
        if (!codes)
            return oom(bc);
        if (v->constant) {
            codes[0] = all_null ? 0 : (uint32_t)z.min;
        } else {
            ria_status rc = ria_segment_read_codes(bc->seg, (uint32_t)col, bc->block, codes, bc->err);
            if (rc != RIA_OK) {
                bc->rc = rc;
                return NULL;
            }
            bc->st->bytes_read += bc->n / 2;
        }
        v->codes = codes;
        return v;
    }
    if (c->kind == RIA_KIND_HEAP) {
        vec *v = vnew(bc, type, VK_STR, all_null);
        if (!v)
            return oom(bc);
        if (all_null) {
            v->s[0] = (ria_slice){NULL, 0};
            return v;
        }
        ria_heapvec hv;
        ria_status rc = ria_segment_read_heap(bc->seg, (uint32_t)col, bc->block, &hv,
                                              &bc->scratch[col], bc->err);
        if (rc != RIA_OK) {
            bc->rc = rc;
            return NULL;
        }
        for (uint32_t r = 0; r < bc->n; r++) {
            uint32_t a = hv.offs[r], b = hv.offs[r + 1];
            v->s[r] = b > a ? (ria_slice){hv.bytes + a, b - a} : (ria_slice){NULL, 0};
        }
        bc->st->bytes_read += hv.offs[bc->n] / 4;
        return v;
    }
    vec *v = vnew(bc, type, VK_I64, constant || all_null);
    if (!v)
        return oom(bc);
    if (v->constant) {
        v->i[0] = all_null ? RIA_NULL_I64 : z.min;
        return v;
    }
    ria_status rc = ria_segment_read_i64(bc->seg, (uint32_t)col, bc->block, v->i, bc->err);
    if (rc != RIA_OK) {
        bc->rc = rc;
        return NULL;
    }
    bc->st->bytes_read += bc->n * 3;
    return v;
}

/* ------------------------------------------------------------- helpers */

static inline int64_t at_i(const vec *v, uint32_t r)
{
    return v->i[v->constant ? 0 : r];
}

static inline double at_f(const vec *v, uint32_t r)
{
    return v->f[v->constant ? 0 : r];
}

/* Text view of a vector: VK_CODE becomes slices of dictionary strings. */
static vec *as_str(blockctx *bc, vec *v)
{
    if (!v || v->kind == VK_STR)
        return v;
    vec *s = vnew(bc, RIA_V_TEXT, VK_STR, v->constant);
    if (!s)
        return oom(bc);
    uint32_t n = v->constant ? 1 : bc->n;
    for (uint32_t r = 0; r < n; r++) {
        ria_value x = vec_value(v, r);
        s->s[r] = x.is_null ? (ria_slice){NULL, 0} : (ria_slice){x.s, x.n};
    }
    return s;
}

/* ------------------------------------------------------- dictionary tables */

static vec *from_table(blockctx *bc, const dict_table *dt)
{
    vec *codes = bc->cols[dt->col] ? bc->cols[dt->col] : (bc->cols[dt->col] = decode_column(bc, dt->col));
    if (!codes)
        return NULL;
    vec *v = vnew(bc, dt->type, kind_of(dt->type), codes->constant);
    if (!v)
        return oom(bc);
    uint32_t n = codes->constant ? 1 : bc->n;
    const uint32_t *c = codes->codes;
    switch (v->kind) {
    case VK_I64:
        for (uint32_t r = 0; r < n; r++)
            v->i[r] = dt->i[c[r]];
        break;
    case VK_F64:
        for (uint32_t r = 0; r < n; r++)
            v->f[r] = dt->f[c[r]];
        break;
    default:
        for (uint32_t r = 0; r < n; r++)
            v->s[r] = dt->s[c[r]];
        break;
    }
    return v;
}

/* ------------------------------------------------------------ operators */

static int cmp_i(int64_t a, int64_t b)
{
    return (a > b) - (a < b);
}

static bool holds(ria_op op, int c)
{
    switch (op) {
    case RIA_OP_EQ: return c == 0;
    case RIA_OP_NE: return c != 0;
    case RIA_OP_LT: return c < 0;
    case RIA_OP_LE: return c <= 0;
    case RIA_OP_GT: return c > 0;
    default: return c >= 0;
    }
}

static int cmp_s(ria_slice a, ria_slice b)
{
    size_t n = RIA_MIN(a.n, b.n);
    int c = n ? memcmp(a.p, b.p, n) : 0;
    return c ? c : (a.n > b.n) - (a.n < b.n);
}

static vec *compare(blockctx *bc, ria_op op, vec *l, vec *r)
{
    bool constant = l->constant && r->constant;
    vec *out = vnew(bc, RIA_V_BOOL, VK_I64, constant);
    if (!out)
        return oom(bc);
    uint32_t n = constant ? 1 : bc->n;
    if (l->kind == VK_I64 && r->kind == VK_I64 && (l->w || r->w)) {
        for (uint32_t k = 0; k < n; k++) {
            __int128 x = vec_at_w(l, k), y = vec_at_w(r, k);
            out->i[k] = x == VW_NULL || y == VW_NULL ? RIA_NULL_I64 : holds(op, (x > y) - (x < y));
        }
        return out;
    }
    if (l->kind == VK_I64 && r->kind == VK_I64) {
        if (r->constant && !l->constant) {
            int64_t y = r->i[0];
            const int64_t *x = l->i;
            if (y == RIA_NULL_I64) {
                for (uint32_t k = 0; k < n; k++)
                    out->i[k] = RIA_NULL_I64;
                return out;
            }
            switch (op) { /* the hot comparisons get branch-free loops */
            case RIA_OP_LT:
                for (uint32_t k = 0; k < n; k++)
                    out->i[k] = x[k] == RIA_NULL_I64 ? RIA_NULL_I64 : x[k] < y;
                return out;
            case RIA_OP_GE:
                for (uint32_t k = 0; k < n; k++)
                    out->i[k] = x[k] == RIA_NULL_I64 ? RIA_NULL_I64 : x[k] >= y;
                return out;
            case RIA_OP_EQ:
                for (uint32_t k = 0; k < n; k++)
                    out->i[k] = x[k] == RIA_NULL_I64 ? RIA_NULL_I64 : x[k] == y;
                return out;
            default: break;
            }
        }
        for (uint32_t k = 0; k < n; k++) {
            int64_t x = at_i(l, k), y = at_i(r, k);
            out->i[k] = x == RIA_NULL_I64 || y == RIA_NULL_I64 ? RIA_NULL_I64 : holds(op, cmp_i(x, y));
        }
        return out;
    }
    if (l->kind == VK_F64 || r->kind == VK_F64) {
        for (uint32_t k = 0; k < n; k++) {
            double x = at_f(l, k), y = at_f(r, k);
            out->i[k] = isnan(x) || isnan(y) ? RIA_NULL_I64 : holds(op, (x > y) - (x < y));
        }
        return out;
    }
    if (l->kind == VK_CODE && r->kind == VK_CODE && l->dict == r->dict &&
        (op == RIA_OP_EQ || op == RIA_OP_NE)) {
        for (uint32_t k = 0; k < n; k++) {
            uint32_t x = l->codes[l->constant ? 0 : k], y = r->codes[r->constant ? 0 : k];
            out->i[k] = !x || !y ? RIA_NULL_I64 : holds(op, x == y ? 0 : 1);
        }
        return out;
    }
    vec *ls = as_str(bc, l), *rs = as_str(bc, r);
    if (!ls || !rs)
        return NULL;
    for (uint32_t k = 0; k < n; k++) {
        ria_slice x = ls->s[ls->constant ? 0 : k], y = rs->s[rs->constant ? 0 : k];
        out->i[k] = !x.p || !y.p ? RIA_NULL_I64 : holds(op, cmp_s(x, y));
    }
    return out;
}

static vec *logic(blockctx *bc, bool and_op, vec *l, vec *r)
{
    bool constant = l->constant && r->constant;
    vec *out = vnew(bc, RIA_V_BOOL, VK_I64, constant);
    if (!out)
        return oom(bc);
    uint32_t n = constant ? 1 : bc->n;
    for (uint32_t k = 0; k < n; k++) {
        int64_t x = at_i(l, k), y = at_i(r, k);
        int64_t dominant = and_op ? 0 : 1;
        if (x == dominant || y == dominant)
            out->i[k] = dominant;
        else if (x == RIA_NULL_I64 || y == RIA_NULL_I64)
            out->i[k] = RIA_NULL_I64;
        else
            out->i[k] = !dominant;
    }
    return out;
}

static inline __int128 round_div(__int128 a, __int128 b)
{
    __int128 q = a / b, r = a % b;
    if ((r < 0 ? -r : r) * 2 >= (b < 0 ? -b : b))
        q += ((a < 0) != (b < 0)) ? -1 : 1;
    return q;
}

/* Integer or decimal arithmetic in 128 bits, for operands or results
 * beyond 64 bits: a wide vector, or an overflow error. */
static vec *arith_wide(blockctx *bc, const ria_expr *e, vec *l, vec *r)
{
    bool constant = l->constant && r->constant;
    vec *out = vnew_wide(bc, e->type, constant);
    if (!out)
        return oom(bc);
    uint32_t n = constant ? 1 : bc->n;
    bool dec = e->type == RIA_V_DEC, over = false;
    for (uint32_t k = 0; k < n; k++) {
        __int128 x = vec_at_w(l, k), y = vec_at_w(r, k), z;
        if (x == VW_NULL || y == VW_NULL) {
            out->w[k] = VW_NULL;
            continue;
        }
        switch (e->op) {
        case RIA_OP_ADD: over |= __builtin_add_overflow(x, y, &z); break;
        case RIA_OP_SUB: over |= __builtin_sub_overflow(x, y, &z); break;
        case RIA_OP_MUL:
            if (__builtin_mul_overflow(x, y, &z))
                over = true;
            else if (dec)
                z = round_div(z, RIA_DEC_SCALE);
            break;
        default:
            if (!y) {
                out->w[k] = VW_NULL;
                continue;
            }
            z = x % y;
            break;
        }
        over |= z == VW_NULL;
        out->w[k] = z;
    }
    return over ? overflow(bc, e) : out;
}

static vec *arith(blockctx *bc, const ria_expr *e, vec *l, vec *r)
{
    bool constant = l->constant && r->constant;
    if (e->type != RIA_V_DOUBLE && (l->w || r->w))
        return arith_wide(bc, e, l, r);
    vec *out = vnew(bc, e->type, kind_of(e->type), constant);
    if (!out)
        return oom(bc);
    uint32_t n = constant ? 1 : bc->n;
    if (out->kind == VK_F64) {
        for (uint32_t k = 0; k < n; k++) {
            double x = l->kind == VK_F64 ? at_f(l, k) : (double)at_i(l, k);
            double y = r->kind == VK_F64 ? at_f(r, k) : (double)at_i(r, k);
            double z;
            switch (e->op) {
            case RIA_OP_ADD: z = x + y; break;
            case RIA_OP_SUB: z = x - y; break;
            case RIA_OP_MUL: z = x * y; break;
            default: z = y == 0 ? NAN : x / y; break;
            }
            out->f[k] = z;
        }
        return out;
    }
    /* in int128, stored in int64; a row beyond int64 makes the whole
     * vector wide (computed again in 128 bits) */
    bool dec = e->type == RIA_V_DEC, wide = false;
    for (uint32_t k = 0; k < n; k++) {
        int64_t x = at_i(l, k), y = at_i(r, k);
        if (x == RIA_NULL_I64 || y == RIA_NULL_I64) {
            out->i[k] = RIA_NULL_I64;
            continue;
        }
        __int128 z;
        switch (e->op) {
        case RIA_OP_ADD: z = (__int128)x + y; break;
        case RIA_OP_SUB: z = (__int128)x - y; break;
        case RIA_OP_MUL: z = dec ? round_div((__int128)x * y, RIA_DEC_SCALE) : (__int128)x * y; break;
        default:
            if (!y) {
                out->i[k] = RIA_NULL_I64;
                continue;
            }
            z = (__int128)x % y;
            break;
        }
        bool outside = z > INT64_MAX || z <= INT64_MIN;
        wide |= outside;
        out->i[k] = outside ? RIA_NULL_I64 : (int64_t)z;
    }
    return wide ? arith_wide(bc, e, l, r) : out;
}

/* ------------------------------------------------------------- functions */

static vec *cast_vec(blockctx *bc, const ria_expr *e, vec *x)
{
    ria_vtype to = e->cast_type;
    if (x->type == to)
        return x;
    vec *out = vnew(bc, to, kind_of(to), x->constant);
    if (!out)
        return oom(bc);
    uint32_t n = x->constant ? 1 : bc->n;
    if (x->type == RIA_V_TS && to == RIA_V_DATE) {
        for (uint32_t k = 0; k < n; k++) {
            int64_t v = at_i(x, k);
            out->i[k] = v == RIA_NULL_I64 ? v : ria_floor_div(v, RIA_SECS_PER_DAY);
        }
        return out;
    }
    if (x->type == RIA_V_INT && to == RIA_V_DEC && !x->w) {
        bool wide = false;
        for (uint32_t k = 0; k < n; k++) {
            int64_t v = at_i(x, k), z = RIA_NULL_I64;
            bool outside = v != RIA_NULL_I64 &&
                           (__builtin_mul_overflow(v, (int64_t)RIA_DEC_SCALE, &z) || z == RIA_NULL_I64);
            wide |= outside;
            out->i[k] = outside ? RIA_NULL_I64 : z;
        }
        if (!wide)
            return out;
        if (!(out = vnew(bc, to, VK_I64, x->constant)))
            return oom(bc);
    }
    /* everything else one value at a time, with the scalar rules */
    bool over = false;
    for (uint32_t k = 0; k < n; k++) {
        ria_value v = vec_value(x, k), c = value_cast(&v, to, bc->arena, &over);
        if (!put_value(bc, out, k, &c))
            return oom(bc);
    }
    return over ? overflow(bc, e) : out;
}

static vec *date_vec(blockctx *bc, const ria_expr *e, vec *x)
{
    vec *out = vnew(bc, e->type, VK_I64, x->constant);
    if (!out)
        return oom(bc);
    uint32_t n = x->constant ? 1 : bc->n;
    for (uint32_t k = 0; k < n; k++) {
        int64_t v = at_i(x, k);
        if (v == RIA_NULL_I64)
            out->i[k] = v;
        else if (e->func == RIA_F_DATE_TRUNC)
            out->i[k] = date_trunc(e->unit, x->type, v);
        else
            out->i[k] = date_part(e->func, x->type, v);
    }
    return out;
}

/* The period a date part or truncation depends on. */
static ria_time_unit period_of(const ria_expr *e, bool *ok)
{
    *ok = true;
    switch (e->func) {
    case RIA_F_YEAR: return RIA_TU_YEAR;
    case RIA_F_QUARTER: return RIA_TU_QUARTER;
    case RIA_F_MONTH: return RIA_TU_MONTH;
    case RIA_F_WEEK: return RIA_TU_WEEK;
    case RIA_F_DAY: case RIA_F_DOW: case RIA_F_DOY: return RIA_TU_DAY;
    case RIA_F_HOUR: return RIA_TU_HOUR;
    case RIA_F_DATE_TRUNC: return e->unit;
    case RIA_F_CAST:
        *ok = e->cast_type == RIA_V_DATE && e->args[0]->type == RIA_V_TS;
        return RIA_TU_DAY;
    default: *ok = false; return RIA_TU_DAY;
    }
}

/* A date part of a column whose zone lies within one period of the part is
 * the same for every row of the block: evaluate it once. */
static vec *fold_date(blockctx *bc, const ria_expr *e)
{
    bool ok;
    ria_time_unit u = period_of(e, &ok);
    const ria_expr *x = e->args[0];
    if (!ok || x->kind != RIA_X_COLUMN || !type_is_time(x->type) ||
        bc->pp->t->cols[x->col].kind != RIA_KIND_I64)
        return NULL;
    ria_zone z;
    if (!ria_segment_zone(bc->seg, (uint32_t)x->col, bc->block, &z) || z.nulls)
        return NULL;
    if (date_trunc(u, x->type, z.min) != date_trunc(u, x->type, z.max))
        return NULL;
    ria_value v = value_null(e->type);
    v.is_null = false;
    if (e->func == RIA_F_CAST)
        v.i = ria_floor_div(z.min, RIA_SECS_PER_DAY);
    else if (e->func == RIA_F_DATE_TRUNC)
        v.i = date_trunc(e->unit, x->type, z.min);
    else
        v.i = date_part(e->func, x->type, z.min);
    return vconst(bc, &v, e->type);
}

/* Row-at-a-time fallback over vectors (rare functions, ||, unary minus,
 * LIKE on heap strings): each row's argument values become literals of a
 * shell node that the scalar evaluator evaluates. */
static vec *rowwise(blockctx *bc, const ria_expr *e, vec **args)
{
    bool constant = true;
    for (int i = 0; i < e->nargs; i++)
        constant &= !args[i] || args[i]->constant;
    vec *out = vnew(bc, e->type, kind_of(e->type), constant);
    ria_expr *lits = ria_arena_alloc(bc->arena, ((size_t)e->nargs + 1) * sizeof *lits);
    ria_expr **ptrs = ria_arena_alloc(bc->arena, ((size_t)e->nargs + 1) * sizeof *ptrs);
    if (!out || !lits || !ptrs)
        return oom(bc);
    uint32_t n = constant ? 1 : bc->n;
    ria_expr shell = *e;
    shell.args = ptrs;
    for (int i = 0; i < e->nargs; i++) {
        ptrs[i] = e->args[i];
        if (args[i]) {
            memset(&lits[i], 0, sizeof lits[i]);
            lits[i].kind = RIA_X_LITERAL;
            lits[i].type = args[i]->type;
            ptrs[i] = &lits[i];
        }
    }
    bool over = false;
    scalar_row row = {.overflow = &over};
    for (uint32_t k = 0; k < n; k++) {
        for (int i = 0; i < e->nargs; i++)
            if (args[i])
                lits[i].lit = vec_value(args[i], k);
        ria_value v = scalar_eval(&shell, &row, bc->arena);
        if (!put_value(bc, out, k, &v))
            return oom(bc);
    }
    return over ? overflow(bc, e) : out;
}

static vec *case_vec(blockctx *bc, const ria_expr *e)
{
    int pairs = (e->nargs - (e->has_else ? 1 : 0)) / 2;
    vec *out = vnew(bc, e->type, kind_of(e->type), false);
    uint8_t *done = ria_arena_alloc(bc->arena, bc->n);
    if (!out || !done)
        return oom(bc);
    ria_value null = value_null(e->type);
    for (int p = 0; p <= pairs; p++) {
        vec *cond = NULL, *val;
        if (p < pairs) {
            if (!(cond = veval(bc, e->args[2 * p])))
                return NULL;
            if (cond->constant && at_i(cond, 0) != 1)
                continue; /* never taken in this block */
            val = veval(bc, e->args[2 * p + 1]);
        } else {
            val = e->has_else ? veval(bc, e->args[e->nargs - 1]) : vconst(bc, &null, e->type);
        }
        if (!val)
            return NULL;
        if (val->kind == VK_CODE && (val = as_str(bc, val)) == NULL)
            return NULL;
        if (val->w && !out->w) { /* the rows done so far move to 128 bits */
            __int128 *w = ria_arena_alloc(bc->arena, bc->n * sizeof *w);
            if (!w)
                return oom(bc);
            for (uint32_t k = 0; k < bc->n; k++)
                w[k] = !done[k] || out->i[k] == RIA_NULL_I64 ? VW_NULL : (__int128)out->i[k];
            out->w = w;
            out->i = NULL;
        }
        for (uint32_t k = 0; k < bc->n; k++) {
            if (done[k] || (cond && at_i(cond, k) != 1))
                continue;
            done[k] = 1;
            uint32_t s = val->constant ? 0 : k;
            if (out->kind == VK_F64)
                out->f[k] = val->kind == VK_F64 ? val->f[s] : (double)val->i[s];
            else if (out->kind == VK_STR)
                out->s[k] = val->s[s];
            else if (out->w)
                out->w[k] = vec_at_w(val, k);
            else
                out->i[k] = val->i[s];
        }
        if (cond && cond->constant)
            break; /* every remaining row took this branch */
    }
    return out;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_f64(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_slice(const void *a, const void *b)
{
    return cmp_s(*(const ria_slice *)a, *(const ria_slice *)b);
}

bool in_list_build(const ria_expr *e, ria_arena *a, in_list *out)
{
    memset(out, 0, sizeof *out);
    out->e = e;
    vec_kind kind = kind_of(e->args[0]->type);
    size_t m = (size_t)e->nargs;
    if (kind == VK_F64)
        out->f = ria_arena_alloc(a, m * sizeof *out->f);
    else if (kind == VK_I64)
        out->i = ria_arena_alloc(a, m * sizeof *out->i);
    else
        out->s = ria_arena_alloc(a, m * sizeof *out->s);
    if (!out->f && !out->i && !out->s)
        return false;
    for (int j = 1; j < e->nargs; j++) {
        const ria_value *v = &e->args[j]->lit;
        if (v->is_null) {
            out->has_null = true;
            continue;
        }
        if (out->f)
            out->f[out->n++] = v->d;
        else if (out->i)
            out->i[out->n++] = v->i;
        else
            out->s[out->n++] = (ria_slice){v->s, v->n};
    }
    if (out->f)
        qsort(out->f, out->n, sizeof *out->f, cmp_f64);
    else if (out->i)
        qsort(out->i, out->n, sizeof *out->i, cmp_i64);
    else
        qsort(out->s, out->n, sizeof *out->s, cmp_slice);
    return true;
}

static bool find_i(const in_list *l, int64_t x)
{
    uint32_t lo = 0, hi = l->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (l->i[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < l->n && l->i[lo] == x;
}

static bool find_f(const in_list *l, double x)
{
    uint32_t lo = 0, hi = l->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (l->f[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < l->n && l->f[lo] == x;
}

static bool find_s(const in_list *l, ria_slice x)
{
    uint32_t lo = 0, hi = l->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (cmp_s(l->s[mid], x) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < l->n && cmp_s(l->s[lo], x) == 0;
}

/* x [NOT] IN (v, ...) with SQL's NULLs: NULL when x is NULL, or when x
 * matches no value and the list holds a NULL; so x NOT IN (..., NULL) is
 * never TRUE. */
static vec *in_vec(blockctx *bc, const ria_expr *e, vec *x)
{
    const in_list *l = NULL;
    in_list own;
    for (int i = 0; i < bc->pp->nins && !l; i++)
        if (bc->pp->ins[i].e == e)
            l = &bc->pp->ins[i];
    if (!l && !in_list_build(e, bc->arena, &own))
        return oom(bc);
    if (!l)
        l = &own;
    vec *out = vnew(bc, RIA_V_BOOL, VK_I64, x->constant);
    if (!out)
        return oom(bc);
    uint32_t n = x->constant ? 1 : bc->n;
    int64_t hit = !e->negated, miss = l->has_null ? RIA_NULL_I64 : e->negated;
    if (x->kind == VK_I64 && l->i && !x->w) {
        for (uint32_t k = 0; k < n; k++) {
            int64_t v = at_i(x, k);
            out->i[k] = v == RIA_NULL_I64 ? RIA_NULL_I64 : find_i(l, v) ? hit : miss;
        }
    } else if (x->kind == VK_I64 && l->i) {
        for (uint32_t k = 0; k < n; k++) {
            __int128 v = vec_at_w(x, k);
            out->i[k] = v == VW_NULL                              ? RIA_NULL_I64
                        : fits_i64(v) && find_i(l, (int64_t)v) ? hit
                                                                 : miss;
        }
    } else if (x->kind == VK_F64 && l->f) {
        for (uint32_t k = 0; k < n; k++) {
            double v = at_f(x, k);
            out->i[k] = isnan(v) ? RIA_NULL_I64 : find_f(l, v) ? hit : miss;
        }
    } else if (l->s) {
        vec *xs = as_str(bc, x);
        if (!xs)
            return NULL;
        for (uint32_t k = 0; k < n; k++) {
            ria_slice v = xs->s[xs->constant ? 0 : k];
            out->i[k] = !v.p ? RIA_NULL_I64 : find_s(l, v) ? hit : miss;
        }
    } else {
        bc->rc = ria_fail(bc->err, RIA_EINTERNAL, "IN list of another type than its value");
        return NULL;
    }
    return out;
}

/* Whether any column e reads has NULLs in this block. */
static bool has_nulls(blockctx *bc, const ria_expr *e)
{
    if (e->kind == RIA_X_COLUMN) {
        ria_zone z;
        if (!ria_segment_zone(bc->seg, (uint32_t)e->col, bc->block, &z))
            return true; /* absent column: all NULL */
        return z.nulls > 0;
    }
    for (int i = 0; i < e->nargs; i++)
        if (has_nulls(bc, e->args[i]))
            return true;
    return false;
}

/* ------------------------------------------------------------- veval */

static vec *eval_node(blockctx *bc, const ria_expr *e)
{
    if (e->xid > 0 && e->xid < bc->pp->ndt && bc->pp->dt[e->xid].col >= 0)
        return from_table(bc, &bc->pp->dt[e->xid]);
    switch (e->kind) {
    case RIA_X_COLUMN:
        if (!bc->cols[e->col])
            bc->cols[e->col] = decode_column(bc, e->col);
        return bc->cols[e->col];
    case RIA_X_LITERAL: return vconst(bc, &e->lit, e->type == RIA_V_NULL ? e->lit.type : e->type);
    default: break;
    }
    /* zone maps may settle a condition for the whole block (exactly: a
     * block with NULLs in the columns involved is not settled, because
     * NOT and CASE tell NULL from FALSE) */
    if (e->type == RIA_V_BOOL && !has_nulls(bc, e)) {
        int z = zone_verdict(bc, e);
        if (z) {
            ria_value v = value_null(RIA_V_BOOL);
            v.is_null = false;
            v.i = z > 0;
            return vconst(bc, &v, RIA_V_BOOL);
        }
    }
    if (e->kind == RIA_X_FUNC) {
        vec *folded = fold_date(bc, e);
        if (folded)
            return folded;
    }
    vec *few[8] = {0}, **args = few;
    if (e->nargs > 8 && !(args = ria_arena_alloc(bc->arena, (size_t)e->nargs * sizeof *args)))
        return oom(bc);
    if (e->kind != RIA_X_CASE && e->kind != RIA_X_SUBQUERY)
        for (int i = 0; i < e->nargs; i++)
            if (!(e->kind == RIA_X_IN && i > 0) && !(e->kind == RIA_X_LIKE && i == 1) &&
                !(args[i] = veval(bc, e->args[i])))
                return NULL;
    switch (e->kind) {
    case RIA_X_UNARY:
        if (e->op == RIA_OP_NOT) {
            vec *out = vnew(bc, RIA_V_BOOL, VK_I64, args[0]->constant);
            if (!out)
                return oom(bc);
            for (uint32_t k = 0; k < (args[0]->constant ? 1 : bc->n); k++) {
                int64_t v = at_i(args[0], k);
                out->i[k] = v == RIA_NULL_I64 ? v : !v;
            }
            return out;
        }
        return rowwise(bc, e, args);
    case RIA_X_BINARY:
        switch (e->op) {
        case RIA_OP_AND: return logic(bc, true, args[0], args[1]);
        case RIA_OP_OR: return logic(bc, false, args[0], args[1]);
        case RIA_OP_EQ: case RIA_OP_NE: case RIA_OP_LT: case RIA_OP_LE: case RIA_OP_GT:
        case RIA_OP_GE:
            return compare(bc, e->op, args[0], args[1]);
        case RIA_OP_CONCAT: return rowwise(bc, e, args);
        default: return arith(bc, e, args[0], args[1]);
        }
    case RIA_X_FUNC:
        switch (e->func) {
        case RIA_F_CAST: return cast_vec(bc, e, args[0]);
        case RIA_F_YEAR: case RIA_F_QUARTER: case RIA_F_MONTH: case RIA_F_WEEK: case RIA_F_DAY:
        case RIA_F_HOUR: case RIA_F_MINUTE: case RIA_F_DOW: case RIA_F_DOY: case RIA_F_DATE_TRUNC:
            return date_vec(bc, e, args[0]);
        default: return rowwise(bc, e, args);
        }
    case RIA_X_CASE: return case_vec(bc, e);
    case RIA_X_IN: return in_vec(bc, e, args[0]);
    case RIA_X_SUBQUERY:
        bc->rc = ria_fail(bc->err, RIA_EINTERNAL, "subquery was not evaluated before the scan");
        return NULL;
    default: return rowwise(bc, e, args);
    }
}

vec *veval(blockctx *bc, const ria_expr *e)
{
    if (bc->rc != RIA_OK)
        return NULL;
    vec *v = eval_node(bc, e);
    if (!v && bc->rc == RIA_OK)
        oom(bc);
    return v;
}

vec *vec_narrow(blockctx *bc, const vec *v, const uint32_t *sel, uint32_t n)
{
    vec *out = vnew(bc, v->type, VK_I64, v->constant);
    if (!out)
        return oom(bc);
    uint32_t rows = v->constant ? 1 : bc->n;
    for (uint32_t k = 0; k < rows; k++)
        out->i[k] = RIA_NULL_I64;
    for (uint32_t j = 0; j < n; j++) {
        uint32_t k = v->constant ? 0 : sel[j];
        __int128 x = v->w[k];
        if (x != VW_NULL && !fits_i64(x))
            return NULL;
        out->i[k] = x == VW_NULL ? RIA_NULL_I64 : (int64_t)x;
    }
    return out;
}

uint32_t vec_filter(const vec *b, uint32_t *sel, uint32_t n)
{
    if (b->constant)
        return b->i[0] == 1 ? n : 0;
    uint32_t k = 0;
    for (uint32_t j = 0; j < n; j++) {
        uint32_t r = sel[j];
        sel[k] = r;
        k += b->i[r] == 1;
    }
    return k;
}

/* ------------------------------------------------------------ zone maps */

static bool column_zone(blockctx *bc, int col, ria_zone *z)
{
    if (!bc->has_zone[col]) {
        if (!ria_segment_zone(bc->seg, (uint32_t)col, bc->block, &bc->zones[col])) {
            bc->zones[col] = (ria_zone){0, 0, bc->n, bc->n};
        }
        bc->has_zone[col] = true;
    }
    *z = bc->zones[col];
    return true;
}

/* Verdict of `col op lit` over a zone [min, max] without nulls. */
static int range_verdict(ria_op op, int64_t min, int64_t max, int64_t v)
{
    switch (op) {
    case RIA_OP_EQ: return v < min || v > max ? -1 : (min == max && min == v ? 1 : 0);
    case RIA_OP_NE: return v < min || v > max ? 1 : (min == max && min == v ? -1 : 0);
    case RIA_OP_LT: return max < v ? 1 : min >= v ? -1 : 0;
    case RIA_OP_LE: return max <= v ? 1 : min > v ? -1 : 0;
    case RIA_OP_GT: return min > v ? 1 : max <= v ? -1 : 0;
    default: return min >= v ? 1 : max < v ? -1 : 0;
    }
}

static ria_op flip(ria_op op)
{
    switch (op) {
    case RIA_OP_LT: return RIA_OP_GT;
    case RIA_OP_LE: return RIA_OP_GE;
    case RIA_OP_GT: return RIA_OP_LT;
    case RIA_OP_GE: return RIA_OP_LE;
    default: return op;
    }
}

/* A verdict from a dictionary table of booleans over the zone's codes. */
static int table_verdict(blockctx *bc, const dict_table *dt)
{
    ria_zone z;
    column_zone(bc, dt->col, &z);
    if (!dt->true_prefix || z.min < 0 || (uint64_t)z.max >= dt->n)
        return 0;
    uint32_t lo = z.nulls == z.rows ? 0 : (uint32_t)z.min, hi = z.nulls == z.rows ? 0 : (uint32_t)z.max;
    uint32_t trues = dt->true_prefix[hi + 1] - dt->true_prefix[lo];
    bool null_true = dt->i[0] == 1;
    if (z.nulls == z.rows)
        return null_true ? 1 : -1;
    if (trues == 0 && (z.nulls == 0 || !null_true))
        return -1;
    if (trues == hi - lo + 1 && (z.nulls == 0 || null_true)) {
        /* every code in range is TRUE, but the range may hold codes absent
         * from the block: still every present row is TRUE */
        return 1;
    }
    return 0;
}

int zone_verdict(blockctx *bc, const ria_expr *e)
{
    if (e->xid > 0 && e->xid < bc->pp->ndt && bc->pp->dt[e->xid].col >= 0)
        return table_verdict(bc, &bc->pp->dt[e->xid]);
    if (e->kind == RIA_X_BINARY && (e->op == RIA_OP_AND || e->op == RIA_OP_OR)) {
        int a = zone_verdict(bc, e->args[0]), b = zone_verdict(bc, e->args[1]);
        if (e->op == RIA_OP_AND)
            return a < 0 || b < 0 ? -1 : (a > 0 && b > 0 ? 1 : 0);
        return a > 0 || b > 0 ? 1 : (a < 0 && b < 0 ? -1 : 0);
    }
    if (e->kind == RIA_X_BETWEEN && !e->negated && e->args[0]->kind == RIA_X_COLUMN &&
        e->args[1]->kind == RIA_X_LITERAL && e->args[2]->kind == RIA_X_LITERAL &&
        bc->pp->t->cols[e->args[0]->col].kind == RIA_KIND_I64 && !e->args[1]->lit.is_null &&
        !e->args[2]->lit.is_null && !e->args[1]->lit.wide && !e->args[2]->lit.wide &&
        e->args[1]->type != RIA_V_DOUBLE && e->args[2]->type != RIA_V_DOUBLE) {
        ria_zone z;
        column_zone(bc, e->args[0]->col, &z);
        if (z.nulls == z.rows)
            return -1;
        int a = range_verdict(RIA_OP_GE, z.min, z.max, e->args[1]->lit.i);
        int b = range_verdict(RIA_OP_LE, z.min, z.max, e->args[2]->lit.i);
        int v = a < 0 || b < 0 ? -1 : (a > 0 && b > 0 ? 1 : 0);
        return v > 0 && z.nulls ? 0 : v;
    }
    if (e->kind != RIA_X_BINARY || e->op < RIA_OP_EQ || e->op > RIA_OP_GE)
        return 0;
    const ria_expr *c = e->args[0], *l = e->args[1];
    ria_op op = e->op;
    if (c->kind == RIA_X_LITERAL && l->kind == RIA_X_COLUMN) {
        const ria_expr *t = c;
        c = l;
        l = t;
        op = flip(op);
    }
    if (c->kind != RIA_X_COLUMN || l->kind != RIA_X_LITERAL || l->lit.is_null || l->lit.wide ||
        bc->pp->t->cols[c->col].kind != RIA_KIND_I64 || l->type == RIA_V_DOUBLE)
        return 0;
    ria_zone z;
    column_zone(bc, c->col, &z);
    if (z.nulls == z.rows)
        return -1;
    int v = range_verdict(op, z.min, z.max, l->lit.i);
    return v > 0 && z.nulls ? 0 : v;
}
