/*
 * sql_print.c — plans back to SQL text in the engine's dialect, and SQL
 * errors as message + source line + caret.
 *
 * The printed form is canonical: single spaces, upper-case keywords,
 * lower-case function names, identifiers quoted only when they must be,
 * typed DATE/TIMESTAMP literals, and parentheses exactly where precedence
 * needs them.  Invariant: parsing the printed text of a parsed plan gives the
 * same tree, so printing it again gives the same text.  Output goes to a
 * caller-owned ria_buf; a buffer that hits its cap simply stops growing.
 */
#include "engine/sql_internal.h"

#include <stdio.h>
#include <string.h>

/* Binding strength, loosest first. */
enum {
    P_ANY = 0, /* a full expression is allowed */
    P_OR,
    P_AND,
    P_NOT,
    P_CMP,
    P_CONCAT,
    P_ADD,
    P_MUL,
    P_UNARY,
    P_PRIMARY,
    P_ALWAYS, /* forces parentheses */
};

static const struct {
    const char *text;
    int prec;
} binops[] = {
    [RIA_OP_ADD] = {"+", P_ADD},   [RIA_OP_SUB] = {"-", P_ADD},     [RIA_OP_MUL] = {"*", P_MUL},
    [RIA_OP_DIV] = {"/", P_MUL},   [RIA_OP_MOD] = {"%", P_MUL},     [RIA_OP_EQ] = {"=", P_CMP},
    [RIA_OP_NE] = {"<>", P_CMP},   [RIA_OP_LT] = {"<", P_CMP},      [RIA_OP_LE] = {"<=", P_CMP},
    [RIA_OP_GT] = {">", P_CMP},    [RIA_OP_GE] = {">=", P_CMP},     [RIA_OP_AND] = {"AND", P_AND},
    [RIA_OP_OR] = {"OR", P_OR},    [RIA_OP_NOT] = {"NOT", P_NOT},   [RIA_OP_NEG] = {"-", P_UNARY},
    [RIA_OP_CONCAT] = {"||", P_CONCAT},
};

static void put_plan(ria_buf *b, const ria_plan *p);
static void put_expr(ria_buf *b, const ria_expr *e, int need);

static int binop_prec(ria_op op)
{
    return (unsigned)op < RIA_ARRAY_LEN(binops) && binops[op].text ? binops[op].prec : P_PRIMARY;
}

static const char *binop_text(ria_op op)
{
    return (unsigned)op < RIA_ARRAY_LEN(binops) && binops[op].text ? binops[op].text : "?";
}

static bool is_number_lit(const ria_expr *e)
{
    return e->kind == RIA_X_LITERAL && !e->lit.is_null &&
           (e->lit.type == RIA_V_INT || e->lit.type == RIA_V_DEC);
}

static int prec_of(const ria_expr *e)
{
    switch (e->kind) {
    case RIA_X_UNARY: return e->op == RIA_OP_NOT ? P_NOT : P_UNARY;
    case RIA_X_BINARY: return binop_prec(e->op);
    case RIA_X_IN:
    case RIA_X_BETWEEN:
    case RIA_X_LIKE:
    case RIA_X_IS_NULL: return P_CMP;
    case RIA_X_LITERAL: return is_number_lit(e) && e->lit.i < 0 ? P_UNARY : P_PRIMARY;
    default: return P_PRIMARY;
    }
}

/* ------------------------------------------------------------ leaf text */

static bool needs_quotes(const char *s)
{
    if (!s || !s[0] || (s[0] >= '0' && s[0] <= '9'))
        return true;
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return true;
    }
    return sql_is_reserved(s, n);
}

static void put_ident(ria_buf *b, const char *s)
{
    if (!needs_quotes(s)) {
        ria_buf_puts(b, s);
        return;
    }
    ria_buf_putc(b, '"');
    for (const char *c = s ? s : ""; *c; c++) {
        if (*c == '"')
            ria_buf_putc(b, '"');
        ria_buf_putc(b, *c);
    }
    ria_buf_putc(b, '"');
}

static void put_string(ria_buf *b, const char *s, size_t n)
{
    ria_buf_putc(b, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'')
            ria_buf_putc(b, '\'');
        ria_buf_putc(b, s[i]);
    }
    ria_buf_putc(b, '\'');
}

/* A decimal with its trailing fraction zeros dropped, keeping one digit so
 * that it reads back as a decimal ("2.5", "3.0"). */
static void put_decimal(ria_buf *b, int64_t v)
{
    char text[48];
    int n = ria_format_decimal(v, RIA_DEC_DIGITS, text);
    while (n > 2 && text[n - 1] == '0' && text[n - 2] != '.')
        n--;
    ria_buf_append(b, text, (size_t)n);
}

static void put_literal(ria_buf *b, const ria_value *v)
{
    char text[48];
    if (v->is_null) {
        ria_buf_puts(b, "NULL");
        return;
    }
    switch (v->type) {
    case RIA_V_NULL: ria_buf_puts(b, "NULL"); break;
    case RIA_V_BOOL: ria_buf_puts(b, v->i ? "TRUE" : "FALSE"); break;
    case RIA_V_INT: ria_buf_printf(b, "%lld", (long long)v->i); break;
    case RIA_V_DEC: put_decimal(b, v->i); break;
    case RIA_V_DOUBLE: ria_buf_printf(b, "CAST('%.17g' AS DOUBLE)", v->d); break;
    case RIA_V_TEXT: put_string(b, v->s ? v->s : "", v->s ? v->n : 0); break;
    case RIA_V_DATE:
        ria_format_date(v->i, text);
        ria_buf_printf(b, "DATE '%s'", text);
        break;
    case RIA_V_TS:
        ria_format_ts(v->i, text);
        ria_buf_printf(b, "TIMESTAMP '%s'", text);
        break;
    default: ria_buf_puts(b, "NULL"); break;
    }
}

/* ----------------------------------------------------------- expressions */

static void put_list(ria_buf *b, ria_expr *const *args, int from, int to)
{
    for (int i = from; i < to; i++) {
        if (i > from)
            ria_buf_puts(b, ", ");
        put_expr(b, args[i], P_ANY);
    }
}

static void put_unary(ria_buf *b, const ria_expr *e)
{
    const ria_expr *x = e->nargs > 0 ? e->args[0] : NULL;
    if (e->op == RIA_OP_NOT) {
        ria_buf_puts(b, "NOT ");
        put_expr(b, x, P_NOT);
        return;
    }
    ria_buf_putc(b, '-');
    if (x && is_number_lit(x) && x->lit.i >= 0) {
        put_expr(b, x, P_ALWAYS); /* -(2): a bare -2 would read back as a literal */
        return;
    }
    if (x && ((x->kind == RIA_X_UNARY && x->op == RIA_OP_NEG) || prec_of(x) == P_UNARY))
        ria_buf_putc(b, ' '); /* "- -x", never the comment "--x" */
    put_expr(b, x, P_UNARY);
}

static void put_binary(ria_buf *b, const ria_expr *e)
{
    int prec = binop_prec(e->op);
    /* left-associative chains; comparisons do not chain at all */
    put_expr(b, e->nargs > 0 ? e->args[0] : NULL, prec == P_CMP ? prec + 1 : prec);
    ria_buf_printf(b, " %s ", binop_text(e->op));
    put_expr(b, e->nargs > 1 ? e->args[1] : NULL, prec + 1);
}

static void put_predicate(ria_buf *b, const ria_expr *e)
{
    put_expr(b, e->nargs > 0 ? e->args[0] : NULL, P_CONCAT);
    const char *nt = e->negated ? " NOT" : "";
    switch (e->kind) {
    case RIA_X_IN:
        ria_buf_printf(b, "%s IN (", nt);
        put_list(b, e->args, 1, e->nargs);
        ria_buf_putc(b, ')');
        break;
    case RIA_X_BETWEEN:
        ria_buf_printf(b, "%s BETWEEN ", nt);
        put_expr(b, e->nargs > 1 ? e->args[1] : NULL, P_CONCAT);
        ria_buf_puts(b, " AND ");
        put_expr(b, e->nargs > 2 ? e->args[2] : NULL, P_CONCAT);
        break;
    case RIA_X_LIKE:
        ria_buf_printf(b, "%s LIKE ", nt);
        put_expr(b, e->nargs > 1 ? e->args[1] : NULL, P_CONCAT);
        break;
    default:
        ria_buf_puts(b, e->negated ? " IS NOT NULL" : " IS NULL");
        break;
    }
}

static void put_case(ria_buf *b, const ria_expr *e)
{
    int pairs = (e->nargs - (e->has_else ? 1 : 0)) / 2;
    ria_buf_puts(b, "CASE");
    for (int i = 0; i < pairs; i++) {
        ria_buf_puts(b, " WHEN ");
        put_expr(b, e->args[2 * i], P_ANY);
        ria_buf_puts(b, " THEN ");
        put_expr(b, e->args[2 * i + 1], P_ANY);
    }
    if (e->has_else && e->nargs > 0) {
        ria_buf_puts(b, " ELSE ");
        put_expr(b, e->args[e->nargs - 1], P_ANY);
    }
    ria_buf_puts(b, " END");
}

static void put_call(ria_buf *b, const ria_expr *e)
{
    if (e->kind == RIA_X_AGG) {
        ria_buf_printf(b, "%s(%s", sql_agg_name(e->agg), e->distinct ? "DISTINCT " : "");
        if (e->star)
            ria_buf_putc(b, '*');
        else
            put_list(b, e->args, 0, e->nargs);
    } else if (e->func == RIA_F_CAST) {
        ria_buf_puts(b, "CAST(");
        put_list(b, e->args, 0, e->nargs);
        ria_buf_printf(b, " AS %s", sql_type_name(e->cast_type));
    } else if (e->func == RIA_F_DATE_TRUNC) {
        ria_buf_printf(b, "date_trunc('%s', ", sql_unit_name(e->unit));
        put_list(b, e->args, 0, e->nargs);
    } else {
        ria_buf_printf(b, "%s(", sql_func_name(e->func));
        put_list(b, e->args, 0, e->nargs);
    }
    ria_buf_putc(b, ')');
}

static void put_body(ria_buf *b, const ria_expr *e)
{
    switch (e->kind) {
    case RIA_X_COLUMN: put_ident(b, e->name); break;
    case RIA_X_LITERAL: put_literal(b, &e->lit); break;
    case RIA_X_UNARY: put_unary(b, e); break;
    case RIA_X_BINARY: put_binary(b, e); break;
    case RIA_X_IN:
    case RIA_X_BETWEEN:
    case RIA_X_LIKE:
    case RIA_X_IS_NULL: put_predicate(b, e); break;
    case RIA_X_CASE: put_case(b, e); break;
    case RIA_X_FUNC:
    case RIA_X_AGG: put_call(b, e); break;
    case RIA_X_SUBQUERY:
        ria_buf_putc(b, '(');
        if (e->sub)
            put_plan(b, e->sub);
        ria_buf_putc(b, ')');
        break;
    default: ria_buf_puts(b, "NULL"); break;
    }
}

/* e, parenthesized when it binds more loosely than `need`. */
static void put_expr(ria_buf *b, const ria_expr *e, int need)
{
    if (!e) {
        ria_buf_puts(b, "NULL");
        return;
    }
    bool paren = prec_of(e) < need;
    if (paren)
        ria_buf_putc(b, '(');
    put_body(b, e);
    if (paren)
        ria_buf_putc(b, ')');
}

/* ------------------------------------------------------------------ plans */

static void put_clause_list(ria_buf *b, const char *kw, ria_expr *const *list, int n)
{
    if (n <= 0)
        return;
    ria_buf_printf(b, " %s ", kw);
    put_list(b, list, 0, n);
}

static void put_from(ria_buf *b, const ria_plan *p)
{
    ria_buf_puts(b, " FROM ");
    put_ident(b, p->table ? p->table : "sales");
    if (p->as_of_version > 0) {
        ria_buf_printf(b, " AS OF VERSION %lld", (long long)p->as_of_version);
    } else if (p->as_of_time > 0) {
        char ts[24];
        ria_format_ts(p->as_of_time, ts);
        ria_buf_printf(b, " AS OF TIMESTAMP '%s'", ts);
    }
}

static void put_plan(ria_buf *b, const ria_plan *p)
{
    ria_buf_puts(b, p->distinct ? "SELECT DISTINCT " : "SELECT ");
    for (int i = 0; i < p->nselect; i++) {
        if (i > 0)
            ria_buf_puts(b, ", ");
        put_expr(b, p->select[i].expr, P_ANY);
        if (p->select[i].alias) {
            ria_buf_puts(b, " AS ");
            put_ident(b, p->select[i].alias);
        }
    }
    put_from(b, p);
    if (p->where) {
        ria_buf_puts(b, " WHERE ");
        put_expr(b, p->where, P_ANY);
    }
    put_clause_list(b, "GROUP BY", p->group, p->ngroup);
    if (p->having) {
        ria_buf_puts(b, " HAVING ");
        put_expr(b, p->having, P_ANY);
    }
    for (int i = 0; i < p->norder; i++) {
        ria_buf_puts(b, i == 0 ? " ORDER BY " : ", ");
        put_expr(b, p->order[i].expr, P_ANY);
        if (p->order[i].desc)
            ria_buf_puts(b, " DESC");
    }
    if (p->limit >= 0)
        ria_buf_printf(b, " LIMIT %lld", (long long)p->limit);
    if (p->offset > 0)
        ria_buf_printf(b, " OFFSET %lld", (long long)p->offset);
}

void ria_plan_sql(const ria_plan *p, ria_buf *out)
{
    if (p)
        put_plan(out, p);
}

/* ----------------------------------------------------------------- errors */

#define ERR_WIDTH 100   /* longest source line shown whole */
#define ERR_BEFORE 60   /* bytes kept before the offset in a trimmed line */

static bool is_cont(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

/* The source text [from, to) on one line, control characters as spaces. */
static void put_source(ria_buf *b, const char *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        unsigned char c = (unsigned char)s[i];
        ria_buf_putc(b, c == '\t' || c >= 0x20 ? (char)c : ' ');
    }
}

/* Spaces (tabs where the source has tabs) up to pos, one per character. */
static void put_caret(ria_buf *b, const char *s, size_t from, size_t pos)
{
    for (size_t i = from; i < pos; i++)
        if (!is_cont(s[i]))
            ria_buf_putc(b, s[i] == '\t' ? '\t' : ' ');
    ria_buf_puts(b, "^\n");
}

void ria_sql_error_format(const char *sql, const ria_sql_error *err, ria_buf *out)
{
    if (!err)
        return;
    size_t len = sql ? strlen(sql) : 0;
    size_t pos = err->pos;
    if (!sql || pos > len) {
        ria_buf_printf(out, "%s\n", err->msg);
        return;
    }
    size_t ls = pos, le = pos, line = 1, col = 1;
    while (ls > 0 && sql[ls - 1] != '\n')
        ls--;
    while (le < len && sql[le] != '\n')
        le++;
    if (le > ls && sql[le - 1] == '\r')
        le--;
    for (size_t i = 0; i < ls; i++)
        line += sql[i] == '\n';
    for (size_t i = ls; i < pos; i++)
        col += !is_cont(sql[i]);
    if (memchr(sql, '\n', len))
        ria_buf_printf(out, "%s (line %zu, column %zu)\n", err->msg, line, col);
    else
        ria_buf_printf(out, "%s\n", err->msg);
    size_t from = ls, to = le;
    if (to - from > ERR_WIDTH) {
        from = pos > ls + ERR_BEFORE ? pos - ERR_BEFORE : ls;
        while (from > ls && is_cont(sql[from]))
            from--;
        to = RIA_MIN(le, from + ERR_WIDTH);
        while (to < le && to > from && is_cont(sql[to]))
            to--;
    }
    const char *pre = from > ls ? "..." : "";
    ria_buf_printf(out, "  %s", pre);
    put_source(out, sql, from, to);
    ria_buf_puts(out, to < le ? "...\n" : "\n");
    ria_buf_printf(out, "  %s", from > ls ? "   " : "");
    put_caret(out, sql, from, RIA_MIN(pos, RIA_MAX(to, pos)));
}
