/*
 * scalar.c — one-value-at-a-time evaluation with SQL semantics: NULL
 * propagation, three-valued logic, exact decimal arithmetic (int128, scaled
 * by 10^4, products rounded half away from zero), division producing a
 * double (NULL on division by zero), date parts and truncation.  Used after
 * aggregation (a few rows per query) and for constant folding; the
 * vectorized executor shares its date helpers.
 */
#include "engine_internal.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <strings.h>

const char *ria_vtype_name(ria_vtype t)
{
    static const char *const names[] = {"null", "boolean", "integer", "decimal",
                                        "double", "text",    "date",    "timestamp"};
    return (unsigned)t < RIA_ARRAY_LEN(names) ? names[t] : "?";
}

/* ------------------------------------------------------------- dates */

static int64_t days_of(ria_vtype t, int64_t v)
{
    return t == RIA_V_TS ? ria_floor_div(v, RIA_SECS_PER_DAY) : v;
}

int64_t date_part(ria_func f, ria_vtype t, int64_t v)
{
    int64_t days = days_of(t, v);
    int y, m, d;
    ria_civil_from_days(days, &y, &m, &d);
    int64_t secs = t == RIA_V_TS ? v - days * RIA_SECS_PER_DAY : 0;
    switch (f) {
    case RIA_F_YEAR: return y;
    case RIA_F_QUARTER: return (m - 1) / 3 + 1;
    case RIA_F_MONTH: return m;
    case RIA_F_DAY: return d;
    case RIA_F_HOUR: return secs / 3600;
    case RIA_F_MINUTE: return secs / 60 % 60;
    case RIA_F_DOW: return (ria_weekday(days) + 1) % 7; /* 0 = Sunday, as in SQL engines */
    case RIA_F_DOY: return days - ria_days_from_civil(y, 1, 1) + 1;
    case RIA_F_WEEK: {
        /* ISO 8601 week number */
        int64_t thursday = days - ria_weekday(days) + 3;
        int ty, tm, td;
        ria_civil_from_days(thursday, &ty, &tm, &td);
        return (thursday - ria_days_from_civil(ty, 1, 1)) / 7 + 1;
    }
    default: return 0;
    }
}

int64_t date_trunc(ria_time_unit u, ria_vtype t, int64_t v)
{
    int64_t days = days_of(t, v);
    int y, m, d;
    ria_civil_from_days(days, &y, &m, &d);
    int64_t out;
    switch (u) {
    case RIA_TU_HOUR:
        return t == RIA_V_TS ? ria_floor_div(v, 3600) * 3600 : days * RIA_SECS_PER_DAY;
    case RIA_TU_DAY: out = days; break;
    case RIA_TU_WEEK: out = days - ria_weekday(days); break; /* Monday */
    case RIA_TU_MONTH: out = ria_days_from_civil(y, m, 1); break;
    case RIA_TU_QUARTER: out = ria_days_from_civil(y, (m - 1) / 3 * 3 + 1, 1); break;
    default: out = ria_days_from_civil(y, 1, 1); break;
    }
    return t == RIA_V_TS ? out * RIA_SECS_PER_DAY : out;
}

/* ------------------------------------------------------------ values */

/* The one 128-bit value no integer may take (vectors use it for NULL), so
 * that the range is symmetric and negation never overflows. */
#define VALUE_MIN ((__int128)((unsigned __int128)1 << 127))

static ria_value make_int(ria_vtype t, __int128 x)
{
    ria_value v = value_null(t);
    v.is_null = false;
    if (x > INT64_MIN && x <= INT64_MAX) { /* INT64_MIN is NULL in vectors */
        v.i = (int64_t)x;
    } else {
        v.wide = true;
        v.big = x;
    }
    return v;
}

static ria_value make_double(double d)
{
    ria_value v = value_null(RIA_V_DOUBLE);
    if (isnan(d))
        return v;
    v.is_null = false;
    v.d = d;
    return v;
}

static ria_value make_bool(bool b)
{
    ria_value v = value_null(RIA_V_BOOL);
    v.is_null = false;
    v.i = b;
    return v;
}

static double as_double(const ria_value *v)
{
    switch (v->type) {
    case RIA_V_DOUBLE: return v->d;
    case RIA_V_DEC: return (double)ria_value_i128(v) / RIA_DEC_SCALE;
    default: return (double)ria_value_i128(v);
    }
}

bool value_truthy(const ria_value *v)
{
    return !v->is_null && (v->type == RIA_V_DOUBLE ? v->d != 0 : ria_value_i128(v) != 0);
}

int value_cmp(const ria_value *a, const ria_value *b)
{
    if (a->type == RIA_V_TEXT || b->type == RIA_V_TEXT) {
        size_t n = RIA_MIN(a->n, b->n);
        int c = n ? memcmp(a->s, b->s, n) : 0;
        return c ? (c < 0 ? -1 : 1) : (a->n > b->n) - (a->n < b->n);
    }
    if (a->type == RIA_V_DOUBLE || b->type == RIA_V_DOUBLE) {
        double x = as_double(a), y = as_double(b);
        return (x > y) - (x < y);
    }
    __int128 x = ria_value_i128(a), y = ria_value_i128(b);
    /* values of different scales compare scaled; a product beyond 128 bits
     * is beyond every value of the other side */
    if (a->type == RIA_V_DEC && b->type != RIA_V_DEC && __builtin_mul_overflow(y, RIA_DEC_SCALE, &y))
        return y < 0 ? 1 : -1;
    if (b->type == RIA_V_DEC && a->type != RIA_V_DEC && __builtin_mul_overflow(x, RIA_DEC_SCALE, &x))
        return x < 0 ? -1 : 1;
    if (a->type == RIA_V_DATE && b->type == RIA_V_TS)
        x *= RIA_SECS_PER_DAY;
    if (b->type == RIA_V_DATE && a->type == RIA_V_TS)
        y *= RIA_SECS_PER_DAY;
    return (x > y) - (x < y);
}

static ria_value text_of(const ria_value *v, ria_arena *a)
{
    ria_value out = value_null(RIA_V_TEXT);
    if (v->is_null)
        return out;
    if (v->type == RIA_V_TEXT)
        return *v;
    ria_buf b;
    ria_buf_init(&b, 0);
    ria_value_format(v, true, &b);
    out.is_null = false;
    out.s = ria_arena_strndup(a, b.data ? b.data : "", b.len);
    out.n = (uint32_t)b.len;
    ria_buf_free(&b);
    return out;
}

/* Whether x is within the range of integer values (|x| < 2^127). */
static inline bool in_range(__int128 x)
{
    return x != VALUE_MIN;
}

/* Text as a boolean: true/false (any case), t/f, yes/no, or a number
 * (non-zero is true). */
static ria_value text_bool(const ria_value *v)
{
    static const char *const yes[] = {"true", "t", "yes", "y"}, *const no[] = {"false", "f", "no", "n"};
    ria_slice t = ria_trim(v->s, v->n);
    for (size_t i = 0; i < RIA_ARRAY_LEN(yes); i++) {
        if (t.n == strlen(yes[i]) && strncasecmp(t.p, yes[i], t.n) == 0)
            return make_bool(true);
        if (t.n == strlen(no[i]) && strncasecmp(t.p, no[i], t.n) == 0)
            return make_bool(false);
    }
    int64_t x;
    if (ria_parse_decimal(t.p, t.n, &x) == RIA_NUM_OK)
        return make_bool(x != 0);
    return value_null(RIA_V_BOOL);
}

ria_value value_cast(const ria_value *v, ria_vtype to, ria_arena *a, bool *overflow)
{
    if (v->is_null || v->type == to) {
        ria_value r = *v;
        r.type = to;
        return r;
    }
    if (to == RIA_V_TEXT)
        return text_of(v, a);
    if (to == RIA_V_BOOL) /* a number is TRUE when it is not zero */
        return v->type == RIA_V_TEXT ? text_bool(v)
               : type_is_time(v->type) ? value_null(to)
                                       : make_bool(value_truthy(v));
    if (v->type == RIA_V_TEXT) {
        int64_t x;
        bool ok;
        if (type_is_time(to))
            ok = parse_time_literal(v->s, v->n, to, &x);
        else if (to == RIA_V_DOUBLE) {
            ok = ria_parse_decimal(v->s, v->n, &x) == RIA_NUM_OK;
            if (ok)
                return make_double((double)x / RIA_DEC_SCALE);
        } else
            ok = (to == RIA_V_INT ? ria_parse_int(v->s, v->n, &x) : ria_parse_decimal(v->s, v->n, &x)) ==
                 RIA_NUM_OK;
        return ok ? make_int(to, x) : value_null(to);
    }
    if (type_is_time(v->type) && type_is_time(to)) {
        int64_t x = v->i;
        x = to == RIA_V_DATE ? ria_floor_div(x, RIA_SECS_PER_DAY) : x * RIA_SECS_PER_DAY;
        ria_value r = make_int(to, x);
        return r;
    }
    if (type_is_time(to) || type_is_time(v->type))
        return value_null(to);
    if (to == RIA_V_DOUBLE)
        return make_double(as_double(v));
    if (v->type == RIA_V_DOUBLE) {
        /* half away from zero; beyond the 128-bit range the cast gives NULL */
        double d = round(to == RIA_V_DEC ? v->d * RIA_DEC_SCALE : v->d);
        if (!(d > -1.7e38 && d < 1.7e38))
            return value_null(to);
        return make_int(to, (__int128)d);
    }
    __int128 x = ria_value_i128(v);
    if (v->type == RIA_V_DEC && to == RIA_V_INT) {
        /* round half away from zero */
        __int128 q = x / RIA_DEC_SCALE, r = x % RIA_DEC_SCALE;
        if (r * 2 >= RIA_DEC_SCALE)
            q++;
        else if (r * 2 <= -RIA_DEC_SCALE)
            q--;
        return make_int(RIA_V_INT, q);
    }
    if (to == RIA_V_DEC && v->type != RIA_V_DEC &&
        (__builtin_mul_overflow(x, RIA_DEC_SCALE, &x) || !in_range(x))) {
        if (overflow)
            *overflow = true;
        return value_null(to);
    }
    return make_int(to, x);
}

/* -------------------------------------------------------- arithmetic */

static __int128 div_round(__int128 a, __int128 b)
{
    __int128 q = a / b, r = a % b;
    if ((r < 0 ? -r : r) * 2 >= (b < 0 ? -b : b))
        q += ((a < 0) != (b < 0)) ? -1 : 1;
    return q;
}

/* The NULL that stands for a value beyond 128 bits: flags the row. */
static ria_value overflowed(const scalar_row *row, ria_vtype t)
{
    if (row && row->overflow)
        *row->overflow = true;
    return value_null(t);
}

static ria_value arith(ria_op op, ria_vtype t, const ria_value *a, const ria_value *b,
                       const scalar_row *row)
{
    if (a->is_null || b->is_null)
        return value_null(t);
    if (t == RIA_V_DOUBLE) {
        double x = as_double(a), y = as_double(b);
        switch (op) {
        case RIA_OP_ADD: return make_double(x + y);
        case RIA_OP_SUB: return make_double(x - y);
        case RIA_OP_MUL: return make_double(x * y);
        case RIA_OP_DIV: return y == 0 ? value_null(t) : make_double(x / y);
        default: return value_null(t);
        }
    }
    __int128 x = ria_value_i128(a), y = ria_value_i128(b), z;
    bool over;
    switch (op) {
    case RIA_OP_ADD: over = __builtin_add_overflow(x, y, &z); break;
    case RIA_OP_SUB: over = __builtin_sub_overflow(x, y, &z); break;
    case RIA_OP_MUL:
        over = __builtin_mul_overflow(x, y, &z);
        if (!over && t == RIA_V_DEC)
            z = div_round(z, RIA_DEC_SCALE);
        break;
    case RIA_OP_MOD:
        if (y == 0)
            return value_null(t);
        z = x % y;
        over = false;
        break;
    default: return value_null(t);
    }
    if (over || !in_range(z))
        return overflowed(row, t);
    return make_int(t, z);
}

/* round(x, digits) of an integer or decimal: half away from zero to a
 * multiple of 10^(scale - digits), where scale is 4 for decimals and 0 for
 * integers. */
static ria_value round_int(const ria_value *x, int digits, const scalar_row *row)
{
    int places = (x->type == RIA_V_DEC ? RIA_DEC_DIGITS : 0) - digits;
    if (places <= 0)
        return *x;
    __int128 v = ria_value_i128(x);
    if (places > 38) /* 10^39 is beyond every value: everything rounds to 0 */
        return make_int(x->type, 0);
    __int128 unit = 1;
    for (int i = 0; i < places; i++)
        unit *= 10;
    __int128 q = div_round(v, unit), z;
    if (__builtin_mul_overflow(q, unit, &z) || !in_range(z))
        return overflowed(row, x->type);
    return make_int(x->type, z);
}

/* SQL LIKE with % and _ (case-sensitive, as in standard SQL). */
static bool like_match(const char *s, size_t n, const char *p, size_t m)
{
    size_t i = 0, j = 0, star_j = SIZE_MAX, star_i = 0;
    while (i < n) {
        if (j < m && (p[j] == '_' || (p[j] != '%' && p[j] == s[i]))) {
            i++;
            j++;
        } else if (j < m && p[j] == '%') {
            star_j = j++;
            star_i = i;
        } else if (star_j != SIZE_MAX) {
            j = star_j + 1;
            i = ++star_i;
        } else {
            return false;
        }
    }
    while (j < m && p[j] == '%')
        j++;
    return j == m;
}

bool value_like(const ria_value *v, const ria_value *pat)
{
    return like_match(v->s, v->n, pat->s, pat->n);
}

/* ------------------------------------------------------------- eval */

static ria_value eval_func(const ria_expr *e, const scalar_row *row, ria_arena *a)
{
    ria_value x = e->nargs ? scalar_eval(e->args[0], row, a) : value_null(e->type);
    switch (e->func) {
    case RIA_F_YEAR: case RIA_F_QUARTER: case RIA_F_MONTH: case RIA_F_WEEK: case RIA_F_DAY:
    case RIA_F_HOUR: case RIA_F_MINUTE: case RIA_F_DOW: case RIA_F_DOY:
        return x.is_null ? value_null(RIA_V_INT) : make_int(RIA_V_INT, date_part(e->func, x.type, x.i));
    case RIA_F_DATE_TRUNC:
        if (x.is_null)
            return value_null(e->type);
        return make_int(e->type, date_trunc(e->unit, x.type, x.i));
    case RIA_F_CAST: return value_cast(&x, e->cast_type, a, row ? row->overflow : NULL);
    case RIA_F_COALESCE:
        for (int i = 0; i < e->nargs; i++) {
            ria_value v = i ? scalar_eval(e->args[i], row, a) : x;
            if (!v.is_null)
                return v;
        }
        return value_null(e->type);
    case RIA_F_NULLIF: {
        ria_value y = scalar_eval(e->args[1], row, a);
        if (!x.is_null && !y.is_null && value_cmp(&x, &y) == 0)
            return value_null(e->type);
        return x;
    }
    case RIA_F_GREATEST:
    case RIA_F_LEAST: {
        ria_value best = value_null(e->type);
        for (int i = 0; i < e->nargs; i++) {
            ria_value v = i ? scalar_eval(e->args[i], row, a) : x;
            if (v.is_null)
                continue;
            int c = best.is_null ? 1 : value_cmp(&v, &best);
            if (best.is_null || (e->func == RIA_F_GREATEST ? c > 0 : c < 0))
                best = v;
        }
        return best;
    }
    case RIA_F_ABS:
        if (x.is_null)
            return x;
        if (x.type == RIA_V_DOUBLE)
            return make_double(fabs(x.d));
        if (!in_range(ria_value_i128(&x)))
            return overflowed(row, x.type);
        return make_int(x.type, ria_value_i128(&x) < 0 ? -ria_value_i128(&x) : ria_value_i128(&x));
    case RIA_F_ROUND: {
        int64_t d = e->nargs > 1 ? e->args[1]->lit.i : 0;
        int digits = (int)RIA_MAX(RIA_MIN(d, 1000), -1000);
        if (x.is_null)
            return x;
        if (x.type == RIA_V_DOUBLE) {
            if (digits > 300 || !isfinite(x.d))
                return x;
            if (digits < -300)
                return make_double(0 * x.d);
            double p = pow(10, digits);
            return make_double(round(x.d * p) / p);
        }
        return round_int(&x, digits, row);
    }
    case RIA_F_LOWER:
    case RIA_F_UPPER:
    case RIA_F_LENGTH: {
        if (x.is_null)
            return value_null(e->type);
        if (e->func == RIA_F_LENGTH) {
            int64_t chars = 0;
            for (uint32_t i = 0; i < x.n; i++)
                chars += ((unsigned char)x.s[i] & 0xC0) != 0x80;
            return make_int(RIA_V_INT, chars);
        }
        char *out = ria_arena_alloc(a, x.n + 1);
        for (uint32_t i = 0; out && i < x.n; i++)
            out[i] = (char)(e->func == RIA_F_LOWER ? tolower((unsigned char)x.s[i])
                                                   : toupper((unsigned char)x.s[i]));
        ria_value r = x;
        r.s = out;
        return r;
    }
    default: return value_null(e->type);
    }
}

static ria_value eval_logic(const ria_expr *e, const scalar_row *row, ria_arena *a)
{
    ria_value l = scalar_eval(e->args[0], row, a);
    bool and_op = e->op == RIA_OP_AND;
    if (!l.is_null && value_truthy(&l) != and_op)
        return make_bool(!and_op); /* FALSE AND x, TRUE OR x */
    ria_value r = scalar_eval(e->args[1], row, a);
    if (!r.is_null && value_truthy(&r) != and_op)
        return make_bool(!and_op);
    if (l.is_null || r.is_null)
        return value_null(RIA_V_BOOL);
    return make_bool(and_op);
}

static ria_value eval_compare(ria_op op, const ria_value *l, const ria_value *r)
{
    if (l->is_null || r->is_null)
        return value_null(RIA_V_BOOL);
    int c = value_cmp(l, r);
    switch (op) {
    case RIA_OP_EQ: return make_bool(c == 0);
    case RIA_OP_NE: return make_bool(c != 0);
    case RIA_OP_LT: return make_bool(c < 0);
    case RIA_OP_LE: return make_bool(c <= 0);
    case RIA_OP_GT: return make_bool(c > 0);
    default: return make_bool(c >= 0);
    }
}

static ria_value eval_binary(const ria_expr *e, const scalar_row *row, ria_arena *a)
{
    if (e->op == RIA_OP_AND || e->op == RIA_OP_OR)
        return eval_logic(e, row, a);
    ria_value l = scalar_eval(e->args[0], row, a), r = scalar_eval(e->args[1], row, a);
    switch (e->op) {
    case RIA_OP_EQ: case RIA_OP_NE: case RIA_OP_LT: case RIA_OP_LE: case RIA_OP_GT: case RIA_OP_GE:
        return eval_compare(e->op, &l, &r);
    case RIA_OP_CONCAT: {
        if (l.is_null || r.is_null)
            return value_null(RIA_V_TEXT);
        char *out = ria_arena_alloc(a, (size_t)l.n + r.n + 1);
        if (!out)
            return value_null(RIA_V_TEXT);
        memcpy(out, l.s, l.n);
        memcpy(out + l.n, r.s, r.n);
        ria_value v = l;
        v.s = out;
        v.n = l.n + r.n;
        return v;
    }
    default: return arith(e->op, e->type, &l, &r, row);
    }
}

static ria_value eval_case(const ria_expr *e, const scalar_row *row, ria_arena *a)
{
    int pairs = (e->nargs - (e->has_else ? 1 : 0)) / 2;
    for (int i = 0; i < pairs; i++) {
        ria_value c = scalar_eval(e->args[2 * i], row, a);
        if (value_truthy(&c))
            return scalar_eval(e->args[2 * i + 1], row, a);
    }
    return e->has_else ? scalar_eval(e->args[e->nargs - 1], row, a) : value_null(e->type);
}

static ria_value eval_predicate(const ria_expr *e, const scalar_row *row, ria_arena *a)
{
    ria_value x = scalar_eval(e->args[0], row, a);
    bool r;
    switch (e->kind) {
    case RIA_X_IS_NULL: return make_bool(x.is_null != e->negated);
    case RIA_X_IN: {
        if (x.is_null)
            return value_null(RIA_V_BOOL);
        bool any_null = false;
        r = false;
        for (int i = 1; i < e->nargs && !r; i++) {
            ria_value y = scalar_eval(e->args[i], row, a);
            if (y.is_null)
                any_null = true;
            else if (value_cmp(&x, &y) == 0)
                r = true;
        }
        if (!r && any_null)
            return value_null(RIA_V_BOOL);
        break;
    }
    case RIA_X_BETWEEN: {
        ria_value lo = scalar_eval(e->args[1], row, a), hi = scalar_eval(e->args[2], row, a);
        if (x.is_null || lo.is_null || hi.is_null)
            return value_null(RIA_V_BOOL);
        r = value_cmp(&x, &lo) >= 0 && value_cmp(&x, &hi) <= 0;
        break;
    }
    default: { /* LIKE */
        ria_value p = scalar_eval(e->args[1], row, a);
        if (x.is_null || p.is_null)
            return value_null(RIA_V_BOOL);
        r = value_like(&x, &p);
        break;
    }
    }
    return make_bool(r != e->negated);
}

ria_value scalar_eval(const ria_expr *e, const scalar_row *row, ria_arena *a)
{
    if (row) {
        for (int i = 0; i < row->nkeys; i++)
            if (expr_equal(row->keys[i], e))
                return row->key_vals[i];
        if (e->kind == RIA_X_AGG)
            for (int i = 0; i < row->naggs; i++)
                if (expr_equal(row->aggs[i], e))
                    return row->agg_vals[i];
    }
    switch (e->kind) {
    case RIA_X_LITERAL: return e->lit;
    case RIA_X_UNARY: {
        ria_value x = scalar_eval(e->args[0], row, a);
        if (e->op == RIA_OP_NOT)
            return x.is_null ? x : make_bool(!value_truthy(&x));
        if (x.is_null)
            return x;
        if (x.type == RIA_V_DOUBLE)
            return make_double(-x.d);
        if (!in_range(ria_value_i128(&x)))
            return overflowed(row, e->type);
        return make_int(e->type, -ria_value_i128(&x));
    }
    case RIA_X_BINARY: return eval_binary(e, row, a);
    case RIA_X_CASE: return eval_case(e, row, a);
    case RIA_X_FUNC: return eval_func(e, row, a);
    case RIA_X_IN:
    case RIA_X_BETWEEN:
    case RIA_X_LIKE:
    case RIA_X_IS_NULL: return eval_predicate(e, row, a);
    default: return value_null(e->type); /* columns outside keys, unresolved aggregates */
    }
}

/* ---------------------------------------------------------- formatting */

/* Exact decimal digits of an integer of up to 128 bits (buf: 41 bytes). */
static void format_int128(__int128 x, char *buf)
{
    char tmp[48];
    int n = 0;
    bool neg = x < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-(x + 1)) + 1 : (unsigned __int128)x;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    int k = 0;
    if (neg)
        buf[k++] = '-';
    while (n)
        buf[k++] = tmp[--n];
    buf[k] = 0;
}

void ria_value_format(const ria_value *v, bool raw, ria_buf *out)
{
    char buf[64];
    if (v->is_null) {
        if (!raw)
            ria_buf_puts(out, "NULL");
        return;
    }
    switch (v->type) {
    case RIA_V_BOOL: ria_buf_puts(out, v->i ? "true" : "false"); return;
    case RIA_V_INT: format_int128(ria_value_i128(v), buf); break;
    case RIA_V_DEC: {
        int n = ria_format_decimal128(ria_value_i128(v), raw ? 4 : 2, buf);
        if (raw) {
            while (n > 0 && buf[n - 1] == '0')
                buf[--n] = 0;
            if (n > 0 && buf[n - 1] == '.')
                buf[--n] = 0;
        }
        break;
    }
    case RIA_V_DOUBLE:
        if (raw)
            snprintf(buf, sizeof buf, "%.17g", v->d);
        else
            snprintf(buf, sizeof buf, "%.6g", v->d);
        break;
    case RIA_V_DATE: ria_format_date(v->i, buf); break;
    case RIA_V_TS: ria_format_ts(v->i, buf); break;
    case RIA_V_TEXT: ria_buf_append(out, v->s, v->n); return;
    default: buf[0] = 0; break;
    }
    ria_buf_puts(out, buf);
}
