/*
 * bind.c — checks a parsed plan against a snapshot's schema: resolves
 * column names, GROUP BY / ORDER BY aliases and ordinals, gives every
 * expression a type, converts date-like text literals compared with dates,
 * and inserts implicit casts so both sides of a comparison or arithmetic
 * operation have one type (which the executor and the canonical form rely
 * on).  Errors point at the offending byte of the SQL.
 */
#include "engine_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    const ria_snapshot *snap;
    ria_arena *arena;
    ria_sql_error *err;
    bool allow_agg;       /* inside SELECT / HAVING / ORDER BY */
    bool in_agg;          /* inside an aggregate's argument */
    int depth;
} binder;

static ria_status fail(binder *b, uint32_t pos, ria_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static ria_status fail(binder *b, uint32_t pos, ria_status code, const char *fmt, ...)
{
    if (b->err) {
        va_list ap;
        va_start(ap, fmt);
        b->err->code = code;
        b->err->pos = pos;
        vsnprintf(b->err->msg, sizeof b->err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* ------------------------------------------------------------ columns */

static int edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 63 || m > 63)
        return 99;
    int prev[64], cur[64];
    for (size_t j = 0; j <= m; j++)
        prev[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = (int)i;
        for (size_t j = 1; j <= m; j++) {
            int cost = (a[i - 1] | 32) == (b[j - 1] | 32) ? 0 : 1;
            int v = RIA_MIN(prev[j] + 1, cur[j - 1] + 1);
            cur[j] = RIA_MIN(v, prev[j - 1] + cost);
        }
        memcpy(prev, cur, sizeof cur);
    }
    return prev[m];
}

static ria_status unknown_column(binder *b, const ria_expr *e)
{
    const ria_snapshot *s = b->snap;
    const char *best = NULL;
    int bestd = 4;
    for (int i = 0; i < s->ncols; i++) {
        int d = edit_distance(e->name, s->cols[i].name);
        if (d < bestd) {
            bestd = d;
            best = s->cols[i].name;
        }
    }
    char list[300] = "";
    size_t k = 0;
    for (int i = 0; i < s->ncols && k + 40 < sizeof list; i++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "", s->cols[i].name);
    if (best)
        return fail(b, e->pos, RIA_EPARSE, "unknown column '%s' (did you mean %s?)", e->name, best);
    return fail(b, e->pos, RIA_EPARSE, "unknown column '%s'; the table has: %s", e->name, list);
}

static ria_vtype type_of_column(const ria_column *c)
{
    switch (c->type) {
    case RIA_T_TEXT: return RIA_V_TEXT;
    case RIA_T_INT: return RIA_V_INT;
    case RIA_T_DECIMAL: return RIA_V_DEC;
    case RIA_T_DATE: return RIA_V_DATE;
    case RIA_T_TIMESTAMP: return RIA_V_TS;
    }
    return RIA_V_NULL;
}

/* ---------------------------------------------------------- coercions */

bool parse_time_literal(const char *s, size_t n, ria_vtype want, int64_t *out)
{
    int64_t secs;
    bool ht;
    if (ria_parse_date(s, n, RIA_DATE_ISO, &secs, &ht) != 1 &&
        ria_parse_date(s, n, RIA_DATE_YMD_SLASH, &secs, &ht) != 1)
        return false;
    *out = want == RIA_V_DATE ? ria_floor_div(secs, RIA_SECS_PER_DAY) : secs;
    return true;
}

/* Converts literal e to type t in place; false when it cannot be. */
static bool convert_literal(ria_expr *e, ria_vtype t)
{
    ria_value *v = &e->lit;
    if (v->is_null || v->type == t) {
        v->type = t;
        e->type = t;
        return true;
    }
    if (v->type == RIA_V_TEXT && type_is_time(t)) {
        int64_t x;
        if (!parse_time_literal(v->s, v->n, t, &x))
            return false;
        v->i = x;
    } else if (v->type == RIA_V_TEXT && (t == RIA_V_INT || t == RIA_V_DEC)) {
        int64_t x;
        if ((t == RIA_V_INT ? ria_parse_int(v->s, v->n, &x) : ria_parse_decimal(v->s, v->n, &x)) !=
            RIA_NUM_OK)
            return false;
        v->i = x;
    } else if (v->type == RIA_V_DATE && t == RIA_V_TS) {
        v->i *= RIA_SECS_PER_DAY;
    } else if ((v->type == RIA_V_INT || v->type == RIA_V_BOOL) && t == RIA_V_DEC) {
        if (v->i > INT64_MAX / RIA_DEC_SCALE || v->i < INT64_MIN / RIA_DEC_SCALE)
            return false;
        v->i *= RIA_DEC_SCALE;
    } else if (t == RIA_V_DOUBLE && (v->type == RIA_V_INT || v->type == RIA_V_BOOL)) {
        v->d = (double)v->i;
    } else if (t == RIA_V_DOUBLE && v->type == RIA_V_DEC) {
        v->d = (double)v->i / RIA_DEC_SCALE;
    } else if (v->type == RIA_V_BOOL && t == RIA_V_INT) {
        /* same representation */
    } else if (t == RIA_V_BOOL && type_is_numeric(v->type)) {
        v->i = v->type == RIA_V_DOUBLE ? v->d != 0 : ria_value_i128(v) != 0; /* non-zero is TRUE */
        v->wide = false;
    } else {
        return false;
    }
    v->type = t;
    e->type = t;
    return true;
}

/* Makes *slot of type t: literals are converted, other expressions wrapped
 * in a CAST. */
static ria_status coerce(binder *b, ria_expr **slot, ria_vtype t)
{
    ria_expr *e = *slot;
    if (e->type == t)
        return RIA_OK;
    if (e->kind == RIA_X_LITERAL && t == RIA_V_TEXT && !e->lit.is_null) {
        /* as CAST(literal AS TEXT) would give, as for a column */
        ria_buf text;
        ria_buf_init(&text, 0);
        ria_value_format(&e->lit, true, &text);
        char *copy = ria_arena_strndup(b->arena, text.data ? text.data : "", text.len);
        ria_buf_free(&text);
        if (!copy)
            return fail(b, e->pos, RIA_ENOMEM, "out of memory");
        e->lit.s = copy;
        e->lit.n = (uint32_t)strlen(copy);
        e->lit.type = RIA_V_TEXT;
        e->lit.wide = false;
        e->type = RIA_V_TEXT;
        return RIA_OK;
    }
    if (e->kind == RIA_X_LITERAL) {
        if (convert_literal(e, t))
            return RIA_OK;
        if (e->lit.type == RIA_V_TEXT && type_is_time(t))
            return fail(b, e->pos, RIA_EPARSE, "'%.*s' is not a date (write YYYY-MM-DD)",
                        (int)RIA_MIN(e->lit.n, 40), e->lit.s);
        return fail(b, e->pos, RIA_EPARSE, "cannot use this %s value as %s",
                    ria_vtype_name(e->lit.type), ria_vtype_name(t));
    }
    ria_expr *c = expr_new(b->arena, RIA_X_FUNC, e->pos);
    ria_expr **args = ria_arena_alloc(b->arena, sizeof *args);
    if (!c || !args)
        return fail(b, e->pos, RIA_ENOMEM, "out of memory");
    c->func = RIA_F_CAST;
    c->cast_type = t;
    c->type = t;
    args[0] = e;
    c->args = args;
    c->nargs = 1;
    *slot = c;
    return RIA_OK;
}

/* The common type of two operands of a comparison, or NULL type. */
static ria_vtype compare_type(const ria_expr *a, const ria_expr *b)
{
    ria_vtype x = a->type, y = b->type;
    bool xl = a->kind == RIA_X_LITERAL && x == RIA_V_TEXT;
    bool yl = b->kind == RIA_X_LITERAL && y == RIA_V_TEXT;
    if (x == RIA_V_NULL)
        return y;
    if (y == RIA_V_NULL)
        return x;
    if (type_is_time(x) && yl)
        return x;
    if (type_is_time(y) && xl)
        return y;
    if (x == RIA_V_TEXT && y == RIA_V_TEXT)
        return RIA_V_TEXT;
    if (x == RIA_V_BOOL && y == RIA_V_BOOL)
        return RIA_V_BOOL;
    return type_unify(x, y);
}

/* ------------------------------------------------------------ binding */

static ria_status bind_expr(binder *b, ria_expr **slot);

static ria_status bind_args(binder *b, ria_expr *e)
{
    for (int i = 0; i < e->nargs; i++) {
        ria_status rc = bind_expr(b, &e->args[i]);
        if (rc != RIA_OK)
            return rc;
    }
    return RIA_OK;
}

static ria_status bind_compare(binder *b, ria_expr *e, ria_expr **l, ria_expr **r)
{
    ria_vtype t = compare_type(*l, *r);
    if (t == RIA_V_NULL && (*l)->type != RIA_V_NULL && (*r)->type != RIA_V_NULL)
        return fail(b, e->pos, RIA_EPARSE, "cannot compare %s with %s", ria_vtype_name((*l)->type),
                    ria_vtype_name((*r)->type));
    ria_status rc = coerce(b, l, t);
    if (rc == RIA_OK)
        rc = coerce(b, r, t);
    return rc;
}

/* x IN (v, ...): x and every value are brought to the type of them all
 * (quantity IN (1, 2.5) compares decimals), as one comparison each. */
static ria_status bind_in(binder *b, ria_expr *e)
{
    e->type = RIA_V_BOOL;
    ria_expr probe = *e->args[0];
    for (int i = 1; i < e->nargs; i++) {
        ria_expr *v = e->args[i];
        if (v->kind != RIA_X_LITERAL)
            return fail(b, v->pos, RIA_EUNSUPPORTED, "IN lists must hold literal values");
        ria_vtype t = compare_type(&probe, v);
        if (t == RIA_V_NULL && probe.type != RIA_V_NULL && v->type != RIA_V_NULL)
            return fail(b, e->pos, RIA_EPARSE, "cannot compare %s with %s",
                        ria_vtype_name(probe.type), ria_vtype_name(v->type));
        if (t != RIA_V_NULL)
            probe.type = t;
    }
    ria_status rc = coerce(b, &e->args[0], probe.type);
    for (int i = 1; i < e->nargs && rc == RIA_OK; i++)
        rc = coerce(b, &e->args[i], probe.type);
    return rc;
}

static ria_status bind_binary(binder *b, ria_expr *e)
{
    ria_expr **l = &e->args[0], **r = &e->args[1];
    switch (e->op) {
    case RIA_OP_AND:
    case RIA_OP_OR:
        for (int i = 0; i < 2; i++)
            if (e->args[i]->type != RIA_V_BOOL && e->args[i]->type != RIA_V_NULL)
                return fail(b, e->args[i]->pos, RIA_EPARSE, "expected a condition, found %s",
                            ria_vtype_name(e->args[i]->type));
        e->type = RIA_V_BOOL;
        return RIA_OK;
    case RIA_OP_EQ:
    case RIA_OP_NE:
    case RIA_OP_LT:
    case RIA_OP_LE:
    case RIA_OP_GT:
    case RIA_OP_GE:
        e->type = RIA_V_BOOL;
        return bind_compare(b, e, l, r);
    case RIA_OP_CONCAT:
        e->type = RIA_V_TEXT;
        if ((*l)->type != RIA_V_TEXT && coerce(b, l, RIA_V_TEXT) != RIA_OK)
            return b->err->code;
        if ((*r)->type != RIA_V_TEXT && coerce(b, r, RIA_V_TEXT) != RIA_OK)
            return b->err->code;
        return RIA_OK;
    default: break;
    }
    /* arithmetic */
    for (int i = 0; i < 2; i++) {
        ria_vtype t = e->args[i]->type;
        if (!type_is_numeric(t) && t != RIA_V_NULL)
            return fail(b, e->args[i]->pos, RIA_EPARSE,
                        "arithmetic needs numbers, found %s%s", ria_vtype_name(t),
                        type_is_time(t) ? " (use date parts or date_trunc for dates)" : "");
    }
    ria_vtype t = type_unify((*l)->type, (*r)->type);
    if (t == RIA_V_NULL || t == RIA_V_BOOL)
        t = RIA_V_INT;
    if (e->op == RIA_OP_DIV)
        t = RIA_V_DOUBLE;
    if (e->op == RIA_OP_MOD && t != RIA_V_INT)
        return fail(b, e->pos, RIA_EPARSE, "%% needs whole numbers");
    e->type = t;
    ria_status rc = coerce(b, l, t);
    return rc == RIA_OK ? coerce(b, r, t) : rc;
}

static ria_status bind_func(binder *b, ria_expr *e)
{
    ria_expr *a0 = e->nargs ? e->args[0] : NULL;
    ria_status rc = RIA_OK;
    switch (e->func) {
    case RIA_F_YEAR: case RIA_F_QUARTER: case RIA_F_MONTH: case RIA_F_WEEK: case RIA_F_DAY:
    case RIA_F_HOUR: case RIA_F_MINUTE: case RIA_F_DOW: case RIA_F_DOY:
        if (a0->type == RIA_V_TEXT && a0->kind == RIA_X_LITERAL)
            rc = coerce(b, &e->args[0], RIA_V_TS);
        else if (!type_is_time(a0->type) && a0->type != RIA_V_NULL)
            return fail(b, a0->pos, RIA_EPARSE, "expected a date, found %s", ria_vtype_name(a0->type));
        e->type = RIA_V_INT;
        return rc;
    case RIA_F_DATE_TRUNC:
        if (!type_is_time(a0->type))
            return fail(b, a0->pos, RIA_EPARSE, "date_trunc needs a date, found %s",
                        ria_vtype_name(a0->type));
        e->type = a0->type == RIA_V_DATE && e->unit == RIA_TU_HOUR ? RIA_V_TS : a0->type;
        return RIA_OK;
    case RIA_F_CAST:
        e->type = e->cast_type;
        if (a0->kind == RIA_X_LITERAL && a0->type != RIA_V_NULL && convert_literal(a0, e->cast_type))
            return RIA_OK;
        if (a0->type == RIA_V_TEXT && (type_is_numeric(e->cast_type) || type_is_time(e->cast_type)))
            return RIA_OK; /* parsed per value; unparseable text becomes NULL */
        if (type_unify(a0->type, e->cast_type) == RIA_V_NULL && e->cast_type != RIA_V_TEXT &&
            !(type_is_numeric(a0->type) && type_is_numeric(e->cast_type)))
            return fail(b, e->pos, RIA_EPARSE, "cannot cast %s to %s", ria_vtype_name(a0->type),
                        ria_vtype_name(e->cast_type));
        return RIA_OK;
    case RIA_F_COALESCE:
    case RIA_F_GREATEST:
    case RIA_F_LEAST: {
        ria_vtype t = RIA_V_NULL;
        for (int i = 0; i < e->nargs; i++) {
            ria_vtype u = e->args[i]->type == RIA_V_TEXT && t != RIA_V_TEXT && t != RIA_V_NULL &&
                                  e->args[i]->kind == RIA_X_LITERAL
                              ? t
                              : e->args[i]->type;
            ria_vtype n = (u == t) ? t : (t == RIA_V_NULL ? u : type_unify(t, u));
            if (n == RIA_V_NULL && u != RIA_V_NULL)
                return fail(b, e->args[i]->pos, RIA_EPARSE, "mixed types (%s and %s)",
                            ria_vtype_name(t), ria_vtype_name(u));
            t = n;
        }
        for (int i = 0; i < e->nargs && rc == RIA_OK; i++)
            rc = coerce(b, &e->args[i], t);
        e->type = t;
        return rc;
    }
    case RIA_F_NULLIF:
        e->type = a0->type;
        return bind_compare(b, e, &e->args[0], &e->args[1]);
    case RIA_F_ABS:
    case RIA_F_ROUND:
        if (!type_is_numeric(a0->type) && a0->type != RIA_V_NULL)
            return fail(b, a0->pos, RIA_EPARSE, "expected a number, found %s", ria_vtype_name(a0->type));
        if (e->nargs > 1 && (e->args[1]->kind != RIA_X_LITERAL || e->args[1]->type != RIA_V_INT))
            return fail(b, e->args[1]->pos, RIA_EPARSE, "round() digits must be a whole number");
        e->type = a0->type == RIA_V_BOOL ? RIA_V_INT : a0->type;
        return RIA_OK;
    case RIA_F_LOWER:
    case RIA_F_UPPER:
        e->type = RIA_V_TEXT;
        return a0->type == RIA_V_TEXT ? RIA_OK : coerce(b, &e->args[0], RIA_V_TEXT);
    case RIA_F_LENGTH:
        e->type = RIA_V_INT;
        return a0->type == RIA_V_TEXT ? RIA_OK : coerce(b, &e->args[0], RIA_V_TEXT);
    default: break;
    }
    return fail(b, e->pos, RIA_EINTERNAL, "unknown function");
}

static ria_status bind_agg(binder *b, ria_expr *e)
{
    if (!b->allow_agg)
        return fail(b, e->pos, RIA_EPARSE,
                    "aggregate functions are not allowed here (in WHERE use a condition on rows; "
                    "filter groups with HAVING)");
    if (b->in_agg)
        return fail(b, e->pos, RIA_EPARSE, "aggregate functions cannot be nested");
    b->in_agg = true;
    ria_status rc = bind_args(b, e);
    b->in_agg = false;
    if (rc != RIA_OK)
        return rc;
    ria_vtype t = e->nargs ? e->args[0]->type : RIA_V_INT;
    switch (e->agg) {
    case RIA_AGG_COUNT: e->type = RIA_V_INT; break;
    case RIA_AGG_AVG: e->type = RIA_V_DOUBLE; break;
    case RIA_AGG_SUM:
        if (!type_is_numeric(t) && t != RIA_V_NULL)
            return fail(b, e->pos, RIA_EPARSE, "sum() needs numbers, found %s", ria_vtype_name(t));
        e->type = t == RIA_V_BOOL || t == RIA_V_NULL ? RIA_V_INT : t;
        break;
    default: e->type = t; break; /* min, max */
    }
    if (e->agg == RIA_AGG_AVG && !type_is_numeric(t) && t != RIA_V_NULL)
        return fail(b, e->pos, RIA_EPARSE, "avg() needs numbers, found %s", ria_vtype_name(t));
    return RIA_OK;
}

static ria_status bind_case(binder *b, ria_expr *e)
{
    int pairs = (e->nargs - (e->has_else ? 1 : 0)) / 2;
    ria_vtype t = RIA_V_NULL;
    for (int i = 0; i < pairs; i++) {
        ria_expr *c = e->args[2 * i];
        if (c->type != RIA_V_BOOL && c->type != RIA_V_NULL)
            return fail(b, c->pos, RIA_EPARSE, "expected a condition after WHEN");
    }
    for (int i = 0; i < pairs + (e->has_else ? 1 : 0); i++) {
        ria_expr *v = e->args[i < pairs ? 2 * i + 1 : e->nargs - 1];
        ria_vtype u = v->type;
        ria_vtype n = t == RIA_V_NULL ? u : u == RIA_V_NULL || u == t ? t : type_unify(t, u);
        if (n == RIA_V_NULL && u != RIA_V_NULL)
            return fail(b, v->pos, RIA_EPARSE, "CASE branches mix %s and %s", ria_vtype_name(t),
                        ria_vtype_name(u));
        t = n;
    }
    for (int i = 0; i < pairs + (e->has_else ? 1 : 0); i++) {
        ria_status rc = coerce(b, &e->args[i < pairs ? 2 * i + 1 : e->nargs - 1], t);
        if (rc != RIA_OK)
            return rc;
    }
    e->type = t;
    return RIA_OK;
}

static ria_status bind_subquery(binder *b, ria_expr *e)
{
    ria_plan *sub = e->sub;
    if (sub->nselect != 1)
        return fail(b, e->pos, RIA_EPARSE, "a subquery used as a value must select one column");
    /* a subquery with its own AS OF binds against the version it reads */
    ria_snapshot *own = NULL;
    ria_error err = {0};
    ria_status rc = exec_subquery_snapshot(b->snap, sub, &own, &err);
    if (rc != RIA_OK)
        return fail(b, e->pos, rc, "%s", err.msg);
    rc = ria_plan_bind(sub, own ? own : b->snap, b->err);
    ria_snapshot_free(own);
    if (rc != RIA_OK)
        return rc;
    if (sub->ngroup || !expr_has_agg(sub->select[0].expr))
        return fail(b, e->pos, RIA_EPARSE,
                    "a subquery used as a value must return one row (use an aggregate such as "
                    "sum(...) without GROUP BY)");
    e->type = sub->select[0].expr->type;
    return RIA_OK;
}

static ria_status bind_expr(binder *b, ria_expr **slot)
{
    ria_expr *e = *slot;
    if (++b->depth > 400)
        return fail(b, e->pos, RIA_ELIMIT, "expression nested too deeply");
    ria_status rc = RIA_OK;
    switch (e->kind) {
    case RIA_X_COLUMN: {
        const ria_column *c = ria_snapshot_column(b->snap, e->name);
        if (!c) {
            rc = unknown_column(b, e);
            break;
        }
        e->col = (int32_t)c->id;
        e->type = type_of_column(c);
        break;
    }
    case RIA_X_LITERAL:
        e->type = e->lit.is_null ? RIA_V_NULL : e->lit.type;
        break;
    case RIA_X_AGG: rc = bind_agg(b, e); break;
    case RIA_X_SUBQUERY: rc = bind_subquery(b, e); break;
    default:
        if ((rc = bind_args(b, e)) != RIA_OK)
            break;
        switch (e->kind) {
        case RIA_X_UNARY:
            if (e->op == RIA_OP_NOT && e->args[0]->type != RIA_V_BOOL &&
                e->args[0]->type != RIA_V_NULL) {
                rc = fail(b, e->args[0]->pos, RIA_EPARSE, "expected a condition after NOT, found %s",
                          ria_vtype_name(e->args[0]->type));
            } else if (e->op == RIA_OP_NOT) {
                e->type = RIA_V_BOOL;
            } else if (!type_is_numeric(e->args[0]->type) && e->args[0]->type != RIA_V_NULL) {
                rc = fail(b, e->pos, RIA_EPARSE, "cannot negate %s", ria_vtype_name(e->args[0]->type));
            } else {
                e->type = e->args[0]->type == RIA_V_BOOL ? RIA_V_INT : e->args[0]->type;
            }
            break;
        case RIA_X_BINARY: rc = bind_binary(b, e); break;
        case RIA_X_IN: rc = bind_in(b, e); break;
        case RIA_X_BETWEEN:
            e->type = RIA_V_BOOL;
            rc = bind_compare(b, e, &e->args[0], &e->args[1]);
            if (rc == RIA_OK)
                rc = bind_compare(b, e, &e->args[0], &e->args[2]);
            break;
        case RIA_X_LIKE:
            e->type = RIA_V_BOOL;
            if (e->args[1]->kind != RIA_X_LITERAL || e->args[1]->type != RIA_V_TEXT)
                rc = fail(b, e->args[1]->pos, RIA_EUNSUPPORTED, "LIKE needs a text pattern literal");
            else if (e->args[0]->type != RIA_V_TEXT)
                rc = coerce(b, &e->args[0], RIA_V_TEXT);
            break;
        case RIA_X_IS_NULL: e->type = RIA_V_BOOL; break;
        case RIA_X_CASE: rc = bind_case(b, e); break;
        case RIA_X_FUNC: rc = bind_func(b, e); break;
        default: rc = fail(b, e->pos, RIA_EINTERNAL, "unexpected expression"); break;
        }
    }
    b->depth--;
    return rc;
}

/* ------------------------------------------------- aliases and grouping */

/* A bare name that is not a table column but names a select item. */
static int alias_index(const ria_plan *p, const ria_snapshot *s, const ria_expr *e)
{
    if (e->kind != RIA_X_COLUMN || ria_snapshot_column(s, e->name))
        return -1;
    for (int i = 0; i < p->nselect; i++)
        if (p->select[i].alias && strcasecmp(p->select[i].alias, e->name) == 0)
            return i;
    return -1;
}

/* An integer literal naming a select item by position (1-based). */
static int ordinal_index(binder *b, const ria_plan *p, const ria_expr *e, ria_status *rc)
{
    if (e->kind != RIA_X_LITERAL || e->lit.type != RIA_V_INT)
        return -1;
    if (e->lit.i < 1 || e->lit.i > p->nselect) {
        *rc = fail(b, e->pos, RIA_EPARSE, "position %lld is not in the select list (1..%d)",
                   (long long)e->lit.i, p->nselect);
        return -1;
    }
    return (int)e->lit.i - 1;
}

/* Replaces *slot by a copy of a select item when it is an alias or ordinal,
 * else binds it. */
static ria_status bind_ref(binder *b, ria_plan *p, ria_expr **slot, bool group)
{
    ria_status rc = RIA_OK;
    int i = alias_index(p, b->snap, *slot);
    if (i < 0)
        i = ordinal_index(b, p, *slot, &rc);
    if (rc != RIA_OK)
        return rc;
    if (i >= 0) {
        if (group && expr_has_agg(p->select[i].expr))
            return fail(b, (*slot)->pos, RIA_EPARSE, "cannot group by an aggregate ('%s')",
                        p->select[i].alias ? p->select[i].alias : "select item");
        *slot = expr_copy(b->arena, p->select[i].expr);
        return *slot ? RIA_OK : fail(b, 0, RIA_ENOMEM, "out of memory");
    }
    return bind_expr(b, slot);
}

/* Replaces alias references inside an expression (HAVING revenue > 10,
 * ORDER BY revenue / 2) by copies of the select items they name. */
static ria_status resolve_aliases(binder *b, ria_plan *p, ria_expr **slot)
{
    int i = alias_index(p, b->snap, *slot);
    if (i >= 0) {
        *slot = expr_copy(b->arena, p->select[i].expr);
        return *slot ? RIA_OK : fail(b, 0, RIA_ENOMEM, "out of memory");
    }
    for (int k = 0; k < (*slot)->nargs; k++) {
        ria_status rc = resolve_aliases(b, p, &(*slot)->args[k]);
        if (rc != RIA_OK)
            return rc;
    }
    return RIA_OK;
}

/* Whether e only uses group keys outside aggregates. */
static const ria_expr *ungrouped(const ria_plan *p, const ria_expr *e)
{
    if (!e || e->kind == RIA_X_AGG || e->kind == RIA_X_LITERAL || e->kind == RIA_X_SUBQUERY)
        return NULL;
    for (int g = 0; g < p->ngroup; g++)
        if (expr_equal(p->group[g], e))
            return NULL;
    if (e->kind == RIA_X_COLUMN)
        return e;
    for (int i = 0; i < e->nargs; i++) {
        const ria_expr *bad = ungrouped(p, e->args[i]);
        if (bad)
            return bad;
    }
    return NULL;
}

static ria_status check_grouping(binder *b, ria_plan *p)
{
    bool grouped = p->ngroup > 0 || p->having;
    for (int i = 0; i < p->nselect; i++)
        grouped |= expr_has_agg(p->select[i].expr);
    for (int i = 0; i < p->norder; i++)
        grouped |= expr_has_agg(p->order[i].expr);
    if (!grouped)
        return RIA_OK;
    for (int i = 0; i < p->nselect; i++) {
        const ria_expr *bad = ungrouped(p, p->select[i].expr);
        if (bad)
            return fail(b, bad->pos, RIA_EPARSE,
                        "column '%s' must appear in GROUP BY or be inside an aggregate function",
                        bad->name);
    }
    const ria_expr *bad = ungrouped(p, p->having);
    for (int i = 0; !bad && i < p->norder; i++)
        bad = ungrouped(p, p->order[i].expr);
    if (bad)
        return fail(b, bad->pos, RIA_EPARSE,
                    "column '%s' must appear in GROUP BY or be inside an aggregate function",
                    bad->name);
    return RIA_OK;
}

ria_status ria_plan_bind(ria_plan *p, const ria_snapshot *snap, ria_sql_error *err)
{
    binder b = {snap, p->arena, err, true, false, 0};
    ria_status rc = RIA_OK;
    for (int i = 0; i < p->nselect && rc == RIA_OK; i++)
        rc = bind_expr(&b, &p->select[i].expr);
    b.allow_agg = false;
    if (rc == RIA_OK && p->where) {
        rc = bind_expr(&b, &p->where);
        if (rc == RIA_OK && p->where->type != RIA_V_BOOL && p->where->type != RIA_V_NULL)
            rc = fail(&b, p->where->pos, RIA_EPARSE, "WHERE needs a condition, found %s",
                      ria_vtype_name(p->where->type));
    }
    for (int i = 0; i < p->ngroup && rc == RIA_OK; i++) {
        rc = bind_ref(&b, p, &p->group[i], true);
        if (rc == RIA_OK && expr_has_agg(p->group[i]))
            rc = fail(&b, p->group[i]->pos, RIA_EPARSE, "cannot group by an aggregate");
    }
    b.allow_agg = true;
    if (rc == RIA_OK && p->having) {
        rc = resolve_aliases(&b, p, &p->having);
        if (rc == RIA_OK)
            rc = bind_expr(&b, &p->having);
        if (rc == RIA_OK && p->having->type != RIA_V_BOOL && p->having->type != RIA_V_NULL)
            rc = fail(&b, p->having->pos, RIA_EPARSE, "HAVING needs a condition, found %s",
                      ria_vtype_name(p->having->type));
    }
    for (int i = 0; i < p->norder && rc == RIA_OK; i++)
        if (alias_index(p, snap, p->order[i].expr) < 0)
            rc = resolve_aliases(&b, p, &p->order[i].expr);
    for (int i = 0; i < p->norder && rc == RIA_OK; i++)
        rc = bind_ref(&b, p, &p->order[i].expr, false);
    if (rc == RIA_OK)
        rc = check_grouping(&b, p);
    if (rc == RIA_OK && (p->limit < -1 || p->offset < 0))
        rc = fail(&b, 0, RIA_EPARSE, "LIMIT and OFFSET must not be negative");
    return rc;
}
