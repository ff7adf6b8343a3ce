/*
 * expr.c — small helpers over expression trees: construction, copying,
 * structural equality, walking, and the type lattice.
 */
#include "engine_internal.h"

#include <string.h>

ria_expr *expr_new(ria_arena *a, ria_xkind kind, uint32_t pos)
{
    ria_expr *e = ria_arena_alloc(a, sizeof *e);
    if (e) {
        e->kind = kind;
        e->pos = pos;
        e->col = -1;
    }
    return e;
}

ria_expr *expr_lit_int(ria_arena *a, ria_vtype type, int64_t v)
{
    ria_expr *e = expr_new(a, RIA_X_LITERAL, 0);
    if (e) {
        e->type = type;
        e->lit.type = type;
        e->lit.i = v;
    }
    return e;
}

ria_expr *expr_copy(ria_arena *a, const ria_expr *e)
{
    if (!e)
        return NULL;
    ria_expr *c = ria_arena_alloc(a, sizeof *c);
    if (!c)
        return NULL;
    *c = *e;
    if (e->nargs) {
        c->args = ria_arena_alloc(a, (size_t)e->nargs * sizeof *c->args);
        if (!c->args)
            return NULL;
        for (int i = 0; i < e->nargs; i++)
            c->args[i] = expr_copy(a, e->args[i]);
    }
    return c;
}

static bool value_equal(const ria_value *a, const ria_value *b)
{
    if (a->type != b->type || a->is_null != b->is_null)
        return false;
    if (a->is_null)
        return true;
    switch (a->type) {
    case RIA_V_TEXT: return a->n == b->n && memcmp(a->s, b->s, a->n) == 0;
    case RIA_V_DOUBLE: return a->d == b->d;
    default: return a->i == b->i;
    }
}

bool expr_equal(const ria_expr *a, const ria_expr *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->kind != b->kind || a->nargs != b->nargs)
        return false;
    switch (a->kind) {
    case RIA_X_COLUMN:
        if (a->col >= 0 || b->col >= 0)
            return a->col == b->col;
        return a->name && b->name && strcasecmp(a->name, b->name) == 0;
    case RIA_X_LITERAL: return value_equal(&a->lit, &b->lit);
    case RIA_X_UNARY:
    case RIA_X_BINARY:
        if (a->op != b->op)
            return false;
        break;
    case RIA_X_FUNC:
        if (a->func != b->func || a->unit != b->unit || a->cast_type != b->cast_type)
            return false;
        break;
    case RIA_X_AGG:
        if (a->agg != b->agg || a->distinct != b->distinct || a->star != b->star)
            return false;
        break;
    case RIA_X_IN:
    case RIA_X_BETWEEN:
    case RIA_X_LIKE:
    case RIA_X_IS_NULL:
        if (a->negated != b->negated)
            return false;
        break;
    case RIA_X_CASE:
        if (a->has_else != b->has_else)
            return false;
        break;
    case RIA_X_SUBQUERY: return a->sub == b->sub;
    }
    for (int i = 0; i < a->nargs; i++)
        if (!expr_equal(a->args[i], b->args[i]))
            return false;
    return true;
}

bool expr_has_agg(const ria_expr *e)
{
    if (!e)
        return false;
    if (e->kind == RIA_X_AGG)
        return true;
    for (int i = 0; i < e->nargs; i++)
        if (expr_has_agg(e->args[i]))
            return true;
    return false;
}

void expr_walk(ria_expr *e, void (*fn)(ria_expr *e, void *arg), void *arg)
{
    if (!e)
        return;
    fn(e, arg);
    for (int i = 0; i < e->nargs; i++)
        expr_walk(e->args[i], fn, arg);
}

/* ------------------------------------------------------------ naming */

static const char *op_text(ria_op op)
{
    static const char *const t[] = {"+", "-", "*", "/", "%", "=", "<>", "<", "<=", ">", ">=",
                                    "AND", "OR", "NOT", "-", "||"};
    return (unsigned)op < RIA_ARRAY_LEN(t) ? t[op] : "?";
}

static const char *func_text(const ria_expr *e)
{
    static const char *const f[] = {"year", "quarter", "month", "week", "day", "hour", "minute",
                                    "dayofweek", "dayofyear", "date_trunc", "cast", "coalesce",
                                    "nullif", "abs", "round", "lower", "upper", "length",
                                    "greatest", "least"};
    return (unsigned)e->func < RIA_ARRAY_LEN(f) ? f[e->func] : "f";
}

void expr_name(const ria_expr *e, ria_buf *b)
{
    static const char *const aggs[] = {"sum", "count", "avg", "min", "max"};
    static const char *const units[] = {"hour", "day", "week", "month", "quarter", "year"};
    if (!e)
        return;
    switch (e->kind) {
    case RIA_X_COLUMN: ria_buf_puts(b, e->name ? e->name : "?"); return;
    case RIA_X_LITERAL:
        if (e->lit.type == RIA_V_TEXT && !e->lit.is_null) {
            ria_buf_putc(b, '\'');
            ria_buf_append(b, e->lit.s, e->lit.n);
            ria_buf_putc(b, '\'');
        } else {
            ria_value_format(&e->lit, true, b);
            if (e->lit.is_null)
                ria_buf_puts(b, "NULL");
        }
        return;
    case RIA_X_AGG:
        ria_buf_printf(b, "%s(%s", aggs[e->agg], e->distinct ? "DISTINCT " : "");
        if (e->star)
            ria_buf_putc(b, '*');
        else
            expr_name(e->args[0], b);
        ria_buf_putc(b, ')');
        return;
    case RIA_X_FUNC:
        if (e->func == RIA_F_CAST) {
            ria_buf_puts(b, "CAST(");
            expr_name(e->args[0], b);
            ria_buf_printf(b, " AS %s)", ria_vtype_name(e->cast_type));
            return;
        }
        ria_buf_printf(b, "%s(", func_text(e));
        if (e->func == RIA_F_DATE_TRUNC)
            ria_buf_printf(b, "'%s', ", units[e->unit]);
        for (int i = 0; i < e->nargs; i++) {
            if (i)
                ria_buf_puts(b, ", ");
            expr_name(e->args[i], b);
        }
        ria_buf_putc(b, ')');
        return;
    case RIA_X_BINARY:
        ria_buf_putc(b, '(');
        expr_name(e->args[0], b);
        ria_buf_printf(b, " %s ", op_text(e->op));
        expr_name(e->args[1], b);
        ria_buf_putc(b, ')');
        return;
    case RIA_X_UNARY:
        ria_buf_puts(b, e->op == RIA_OP_NOT ? "NOT " : "-");
        expr_name(e->args[0], b);
        return;
    case RIA_X_CASE: ria_buf_puts(b, "CASE ... END"); return;
    case RIA_X_SUBQUERY:
        ria_buf_putc(b, '(');
        ria_plan_sql(e->sub, b);
        ria_buf_putc(b, ')');
        return;
    default:
        expr_name(e->args[0], b);
        if (e->kind == RIA_X_IS_NULL) {
            ria_buf_puts(b, e->negated ? " IS NOT NULL" : " IS NULL");
            return;
        }
        ria_buf_puts(b, e->negated ? " NOT" : "");
        ria_buf_puts(b, e->kind == RIA_X_IN ? " IN (...)" : e->kind == RIA_X_BETWEEN ? " BETWEEN ..."
                                                                                     : " LIKE ...");
        return;
    }
}

bool type_is_numeric(ria_vtype t)
{
    return t == RIA_V_INT || t == RIA_V_DEC || t == RIA_V_DOUBLE || t == RIA_V_BOOL;
}

bool type_is_time(ria_vtype t)
{
    return t == RIA_V_DATE || t == RIA_V_TS;
}

ria_vtype type_unify(ria_vtype a, ria_vtype b)
{
    if (a == RIA_V_NULL)
        return b;
    if (b == RIA_V_NULL || a == b)
        return a;
    if (type_is_numeric(a) && type_is_numeric(b)) {
        if (a == RIA_V_DOUBLE || b == RIA_V_DOUBLE)
            return RIA_V_DOUBLE;
        if (a == RIA_V_DEC || b == RIA_V_DEC)
            return RIA_V_DEC;
        return RIA_V_INT;
    }
    if (type_is_time(a) && type_is_time(b))
        return RIA_V_TS;
    return RIA_V_NULL;
}

ria_value value_null(ria_vtype t)
{
    ria_value v;
    memset(&v, 0, sizeof v);
    v.type = t;
    v.is_null = true;
    return v;
}
