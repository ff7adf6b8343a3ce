/*
 * sql_parse.c — the SQL front end: a recursive-descent parser from one
 * read-only SELECT over `sales` to a ria_plan.
 *
 * Grammar, lowest precedence first: OR; AND; NOT; one comparison (= <> !=
 * < <= > >=, IS [NOT] NULL, [NOT] IN, [NOT] BETWEEN, [NOT] LIKE); ||; + -;
 * * / %; unary - +; postfix ::type; primary.  Names stay unresolved
 * (RIA_X_COLUMN with col = -1) for the binder; GROUP BY / ORDER BY aliases
 * and ordinals are kept as written.  Each node's pos is the offset where its
 * text starts (a parenthesized left operand included); a minus sign directly
 * before a number makes a negative literal, not a negation.
 *
 * Invariants: every node is allocated from the caller's arena inside an
 * sql_node that records its tree height, and a node is created only when its
 * height is within SQL_MAX_HEIGHT; parser recursion is capped at
 * SQL_MAX_DEPTH, which is more than any printed plan of legal height needs,
 * so that whatever parses also parses after printing.  Errors stop the parse
 * at once and leave the message and byte offset in the caller's
 * ria_sql_error; nothing is freed here (the arena owns it all).
 */
#include "engine/sql_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define REFUSAL "ria only runs one read-only SELECT statement"

/* A parsed expression node and the height of the tree below it. */
typedef struct {
    ria_expr e; /* first member: a ria_expr * made here points to an sql_node */
    uint32_t height;
} sql_node;

/* A table qualifier (`s.amount`) waiting for the FROM clause that defines
 * the alias, which comes after the select list. */
typedef struct qual_ref {
    const char *name;
    uint32_t pos;
    bool from_inner;       /* unresolved in a subquery, passed outwards */
    struct qual_ref *next;
} qual_ref;

/* One SELECT being parsed. */
typedef struct sql_scope {
    const char *alias;     /* table alias, NULL when none */
    qual_ref *refs;        /* qualifiers to check once the query is complete */
    struct sql_scope *parent;
} sql_scope;

typedef struct {
    const char *sql;
    size_t len;            /* <= SQL_MAX_BYTES */
    ria_arena *arena;      /* owns everything produced */
    ria_sql_error *err;
    sql_token tok;         /* the current token */
    int depth;             /* current recursion depth, <= SQL_MAX_DEPTH */
    size_t nodes;          /* nodes created, <= SQL_MAX_NODES */
    uint32_t qheight;      /* tallest node of the SELECT being parsed */
    int next_clause;       /* first clause still allowed after the last one parsed */
    sql_scope *scope;      /* innermost SELECT */
} sql_parser;

typedef ria_status (*expr_fn)(sql_parser *p, ria_expr **out);

static ria_status parse_expr(sql_parser *p, ria_expr **out);
static ria_status parse_select(sql_parser *p, ria_plan **out);
static ria_status fail_clause_end(sql_parser *p, const char *terminator);

/* ------------------------------------------------------------------ errors */

static ria_status fail(sql_parser *p, ria_status code, uint32_t pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static ria_status fail(sql_parser *p, ria_status code, uint32_t pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    p->err->code = code;
    p->err->pos = pos;
    vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
    va_end(ap);
    return code;
}

static void describe(const sql_parser *p, const sql_token *t, char *buf, size_t n)
{
    sql_token_describe(p->sql, t, buf, n);
}

/* The current token is a lexical error: report it as such. */
static ria_status fail_lex(sql_parser *p)
{
    char text[96] = "";
    if (p->tok.error_quotes)
        describe(p, &p->tok, text, sizeof text);
    return fail(p, RIA_EPARSE, p->tok.start, "%s%s%s", p->tok.error, text[0] ? " " : "", text);
}

/* "expected <what>, found <current token>". */
static ria_status fail_expected(sql_parser *p, const char *what)
{
    if (p->tok.kind == TK_ERROR)
        return fail_lex(p);
    char found[96];
    describe(p, &p->tok, found, sizeof found);
    return fail(p, RIA_EPARSE, p->tok.start, "expected %s, found %s", what, found);
}

static ria_status fail_nomem(sql_parser *p)
{
    return fail(p, RIA_ENOMEM, p->tok.start, "out of memory while parsing the query");
}

static ria_status fail_star(sql_parser *p, uint32_t pos)
{
    return fail(p, RIA_EUNSUPPORTED, pos,
                "SELECT * is not supported: name the columns you want "
                "(e.g. SELECT category, sum(amount) FROM sales GROUP BY category)");
}

/* ------------------------------------------------------------------ tokens */

static void advance(sql_parser *p)
{
    p->tok = sql_lex(p->sql, p->len, p->tok.end);
}

static sql_token peek_after(const sql_parser *p, const sql_token *t)
{
    return sql_lex(p->sql, p->len, t->end);
}

static bool tok_kw(const sql_parser *p, const sql_token *t, const char *kw)
{
    return t->kind == TK_WORD && sql_ieq(p->sql + t->start, t->end - t->start, kw);
}

static bool is_kw(const sql_parser *p, const char *kw)
{
    return tok_kw(p, &p->tok, kw);
}

static bool accept_kw(sql_parser *p, const char *kw)
{
    if (!is_kw(p, kw))
        return false;
    advance(p);
    return true;
}

static bool accept(sql_parser *p, sql_tk kind)
{
    if (p->tok.kind != kind)
        return false;
    advance(p);
    return true;
}

static ria_status expect_kw(sql_parser *p, const char *kw)
{
    return accept_kw(p, kw) ? RIA_OK : fail_expected(p, kw);
}

static ria_status expect(sql_parser *p, sql_tk kind, const char *what)
{
    return accept(p, kind) ? RIA_OK : fail_expected(p, what);
}

/* Consumes the ')' matching the '(' at `open`; `list` adds "',' or". */
static ria_status expect_close(sql_parser *p, uint32_t open, bool list)
{
    if (accept(p, TK_RPAREN))
        return RIA_OK;
    char what[64];
    snprintf(what, sizeof what, "%s')' to close '(' at %u", list ? "',' or " : "", open);
    return fail_expected(p, what);
}

/* An unquoted word usable as a name: not a reserved word. */
static bool tok_is_name(const sql_parser *p, const sql_token *t)
{
    return t->kind == TK_QIDENT ||
           (t->kind == TK_WORD && !sql_is_reserved(p->sql + t->start, t->end - t->start));
}

/* ------------------------------------------------------------------- nodes */

static ria_status enter(sql_parser *p)
{
    if (++p->depth > SQL_MAX_DEPTH)
        return fail(p, RIA_ELIMIT, p->tok.start,
                    "query nested too deeply (more than %d levels)", SQL_MAX_HEIGHT);
    return RIA_OK;
}

static void leave(sql_parser *p)
{
    p->depth--;
}

static uint32_t height_of(const ria_expr *e)
{
    return ((const sql_node *)(const void *)e)->height;
}

/* A zeroed node with room for nargs children (filled by the caller). */
static ria_status node_new(sql_parser *p, ria_xkind kind, uint32_t pos, int nargs, ria_expr **out)
{
    if (p->nodes >= SQL_MAX_NODES)
        return fail(p, RIA_ELIMIT, p->tok.start, "query too large (more than %d terms)",
                    SQL_MAX_NODES);
    sql_node *nd = ria_arena_alloc(p->arena, sizeof *nd);
    if (!nd)
        return fail_nomem(p);
    ria_expr *e = &nd->e;
    if (nargs > 0) {
        e->args = ria_arena_alloc(p->arena, (size_t)nargs * sizeof *e->args);
        if (!e->args)
            return fail_nomem(p);
    }
    e->kind = kind;
    e->pos = pos;
    e->nargs = nargs;
    e->col = -1;
    p->nodes++;
    *out = e;
    return RIA_OK;
}

/* Records the height of a completed node: one more than its tallest child
 * (or `inner`, the height of a subquery's expressions). */
static ria_status node_seal(sql_parser *p, ria_expr *e, uint32_t inner)
{
    uint32_t h = inner;
    for (int i = 0; i < e->nargs; i++)
        h = RIA_MAX(h, height_of(e->args[i]));
    h++;
    if (h > SQL_MAX_HEIGHT)
        return fail(p, RIA_ELIMIT, p->tok.start,
                    "query nested too deeply (more than %d levels)", SQL_MAX_HEIGHT);
    ((sql_node *)(void *)e)->height = h;
    p->qheight = RIA_MAX(p->qheight, h);
    return RIA_OK;
}

/* A node of `kind` over args[0..n). */
static ria_status mk_node(sql_parser *p, ria_xkind kind, uint32_t pos, ria_expr *const *args,
                          int n, ria_expr **out)
{
    ria_expr *e = NULL;
    ria_status rc = node_new(p, kind, pos, n, &e);
    if (rc != RIA_OK)
        return rc;
    for (int i = 0; i < n; i++)
        e->args[i] = args[i];
    *out = e;
    return node_seal(p, e, 0);
}

static ria_status mk_op(sql_parser *p, ria_xkind kind, ria_op op, uint32_t pos,
                        ria_expr *a, ria_expr *b, ria_expr **out)
{
    ria_expr *args[2] = {a, b};
    ria_status rc = mk_node(p, kind, pos, args, b ? 2 : 1, out);
    if (rc == RIA_OK)
        (*out)->op = op;
    return rc;
}

static ria_status mk_lit(sql_parser *p, uint32_t pos, ria_value v, ria_expr **out)
{
    ria_status rc = mk_node(p, RIA_X_LITERAL, pos, NULL, 0, out);
    if (rc == RIA_OK)
        (*out)->lit = v;
    return rc;
}

/* A FUNC node with one argument. */
static ria_status mk_func1(sql_parser *p, ria_func f, uint32_t pos, ria_expr *x, ria_expr **out)
{
    ria_status rc = mk_node(p, RIA_X_FUNC, pos, &x, 1, out);
    if (rc == RIA_OK)
        (*out)->func = f;
    return rc;
}

static ria_status clone_plan(sql_parser *p, const ria_plan *src, ria_plan **out);

/* A deep copy of a parsed expression (simple CASE repeats its operand). */
static ria_status clone_expr(sql_parser *p, const ria_expr *src, ria_expr **out)
{
    ria_expr *e = NULL;
    ria_status rc = node_new(p, src->kind, src->pos, src->nargs, &e);
    if (rc != RIA_OK)
        return rc;
    ria_expr **args = e->args;
    *e = *src;
    e->args = args;
    ((sql_node *)(void *)e)->height = height_of(src);
    for (int i = 0; i < src->nargs && rc == RIA_OK; i++)
        rc = clone_expr(p, src->args[i], &e->args[i]);
    if (rc == RIA_OK && src->sub)
        rc = clone_plan(p, src->sub, &e->sub);
    *out = e;
    return rc;
}

static ria_status clone_list(sql_parser *p, ria_expr **src, int n, ria_expr ***out)
{
    *out = NULL;
    if (n == 0)
        return RIA_OK;
    ria_expr **v = ria_arena_alloc(p->arena, (size_t)n * sizeof *v);
    if (!v)
        return fail_nomem(p);
    ria_status rc = RIA_OK;
    for (int i = 0; i < n && rc == RIA_OK; i++)
        rc = clone_expr(p, src[i], &v[i]);
    *out = v;
    return rc;
}

static ria_status clone_plan(sql_parser *p, const ria_plan *src, ria_plan **out)
{
    ria_plan *q = ria_arena_alloc(p->arena, sizeof *q);
    ria_select_item *sel = ria_arena_alloc(p->arena, (size_t)src->nselect * sizeof *sel + 1);
    ria_order_item *ord = ria_arena_alloc(p->arena, (size_t)src->norder * sizeof *ord + 1);
    if (!q || !sel || !ord)
        return fail_nomem(p);
    *q = *src;
    q->select = sel;
    q->order = ord;
    ria_status rc = RIA_OK;
    for (int i = 0; i < src->nselect && rc == RIA_OK; i++) {
        sel[i].alias = src->select[i].alias;
        rc = clone_expr(p, src->select[i].expr, &sel[i].expr);
    }
    for (int i = 0; i < src->norder && rc == RIA_OK; i++) {
        ord[i].desc = src->order[i].desc;
        rc = clone_expr(p, src->order[i].expr, &ord[i].expr);
    }
    if (rc == RIA_OK && src->where)
        rc = clone_expr(p, src->where, &q->where);
    if (rc == RIA_OK && src->having)
        rc = clone_expr(p, src->having, &q->having);
    if (rc == RIA_OK)
        rc = clone_list(p, src->group, src->ngroup, &q->group);
    *out = q;
    return rc;
}

/* ------------------------------------------------------------------- lists */

/* A growable array in the arena (old storage is abandoned on growth). */
typedef struct {
    void *data;
    int n, cap;
} sql_vec;

static ria_status vec_push(sql_parser *p, sql_vec *v, const void *item, size_t size)
{
    if (v->n >= SQL_MAX_LIST)
        return fail(p, RIA_ELIMIT, p->tok.start, "list too long (more than %d items)",
                    SQL_MAX_LIST);
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 8;
        void *d = ria_arena_alloc(p->arena, (size_t)cap * size);
        if (!d)
            return fail_nomem(p);
        if (v->n)
            memcpy(d, v->data, (size_t)v->n * size);
        v->data = d;
        v->cap = cap;
    }
    memcpy((char *)v->data + (size_t)v->n * size, item, size);
    v->n++;
    return RIA_OK;
}

static ria_status push_expr(sql_parser *p, sql_vec *v, ria_expr *e)
{
    return vec_push(p, v, &e, sizeof e);
}

/* ---------------------------------------------------------------- literals */

/* The text between the quotes of a quoted token, with doubled quotes
 * undone, NUL-terminated in the arena. */
static ria_status unquote(sql_parser *p, const sql_token *t, const char **out, uint32_t *out_n)
{
    const char *s = p->sql + t->start + 1;
    size_t n = t->end - t->start - 2;
    char q = s[-1];
    char *d = ria_arena_alloc(p->arena, n + 1);
    if (!d)
        return fail_nomem(p);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        d[k++] = s[i];
        if (s[i] == q)
            i++; /* the lexer guarantees quotes come in pairs here */
    }
    d[k] = 0;
    *out = d;
    *out_n = (uint32_t)k;
    return RIA_OK;
}

/* The name a TK_WORD or TK_QIDENT token stands for, as written. */
static ria_status token_name(sql_parser *p, const sql_token *t, const char **out)
{
    if (t->kind == TK_WORD) {
        *out = ria_arena_strndup(p->arena, p->sql + t->start, t->end - t->start);
        return *out ? RIA_OK : fail_nomem(p);
    }
    uint32_t n;
    ria_status rc = unquote(p, t, out, &n);
    if (rc == RIA_OK && n == 0)
        return fail(p, RIA_EPARSE, t->start, "expected a name, found an empty quoted identifier");
    return rc;
}

/* Digits of an integer token as an int64, negated when neg. */
static ria_status int_value(sql_parser *p, const sql_token *t, bool neg, uint32_t pos, int64_t *out)
{
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (uint32_t i = t->start; i < t->end; i++) {
        unsigned d = (unsigned)(p->sql[i] - '0');
        if (v > (limit - d) / 10) {
            int shown = (int)RIA_MIN(t->end - t->start, 40u);
            return fail(p, RIA_EUNSUPPORTED, pos, "integer '%s%.*s%s' is out of range (64-bit)",
                        neg ? "-" : "", shown, p->sql + t->start,
                        shown < (int)(t->end - t->start) ? "..." : "");
        }
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return RIA_OK;
}

/* True when a number token has a non-zero digit below 10^-4 (a decimal
 * literal must be exact). */
static bool finer_than_decimal(const char *s, size_t n)
{
    size_t ni = 0;
    while (ni < n && s[ni] >= '0' && s[ni] <= '9')
        ni++;
    size_t i = ni, mant_end = ni; /* fraction digits are s[i..mant_end) */
    if (i < n && s[i] == '.') {
        i++;
        mant_end = i;
        while (mant_end < n && s[mant_end] >= '0' && s[mant_end] <= '9')
            mant_end++;
    }
    int64_t exp = 0;
    if (mant_end < n) { /* e[+-]digits */
        size_t k = mant_end + 1;
        bool eneg = k < n && s[k] == '-';
        if (k < n && (s[k] == '-' || s[k] == '+'))
            k++;
        for (; k < n; k++)
            exp = RIA_MIN(exp * 10 + (s[k] - '0'), 1000000);
        exp = eneg ? -exp : exp;
    }
    /* integer digit j (from the left) weighs 10^(ni-1-j+exp); fraction digit
     * f weighs 10^(-(f+1)+exp) */
    for (size_t j = 0; j < ni; j++)
        if (s[j] != '0' && (int64_t)(ni - 1 - j) + exp < -RIA_DEC_DIGITS)
            return true;
    for (size_t k = i; k < mant_end; k++)
        if (s[k] != '0' && -(int64_t)(k - i + 1) + exp < -RIA_DEC_DIGITS)
            return true;
    return false;
}

/* A number token (TK_INT or TK_NUMBER) as a literal, negated when neg. */
static ria_status lit_number(sql_parser *p, bool neg, uint32_t pos, ria_expr **out)
{
    sql_token t = p->tok;
    ria_value v = {0};
    ria_status rc;
    if (t.kind == TK_INT) {
        v.type = RIA_V_INT;
        rc = int_value(p, &t, neg, pos, &v.i);
    } else {
        char text[96];
        describe(p, &t, text, sizeof text);
        v.type = RIA_V_DEC;
        const char *s = p->sql + t.start;
        size_t n = t.end - t.start;
        if (finer_than_decimal(s, n))
            return fail(p, RIA_EUNSUPPORTED, pos,
                        "number %s has more than %d decimal places (decimals are exact to %d)",
                        text, RIA_DEC_DIGITS, RIA_DEC_DIGITS);
        rc = ria_parse_decimal(s, n, &v.i) == RIA_NUM_OK
                 ? RIA_OK
                 : fail(p, RIA_EUNSUPPORTED, pos, "number %s is out of range for a decimal", text);
        if (neg)
            v.i = -v.i;
    }
    if (rc != RIA_OK)
        return rc;
    advance(p);
    return mk_lit(p, pos, v, out);
}

static ria_status lit_string(sql_parser *p, ria_expr **out)
{
    ria_value v = {.type = RIA_V_TEXT};
    uint32_t pos = p->tok.start;
    ria_status rc = unquote(p, &p->tok, &v.s, &v.n);
    if (rc != RIA_OK)
        return rc;
    advance(p);
    return mk_lit(p, pos, v, out);
}

/* DATE '...' or TIMESTAMP '...': the current token is the keyword and the
 * next one the string. */
static ria_status lit_typed(sql_parser *p, ria_vtype type, ria_expr **out)
{
    uint32_t pos = p->tok.start;
    advance(p);
    const char *s;
    uint32_t n;
    ria_status rc = unquote(p, &p->tok, &s, &n);
    if (rc != RIA_OK)
        return rc;
    int64_t secs;
    bool has_time = false;
    int ok = ria_parse_date(s, n, RIA_DATE_ISO, &secs, &has_time);
    if (type == RIA_V_DATE && (ok != 1 || has_time))
        return fail_expected(p, "a date 'YYYY-MM-DD'");
    if (ok != 1)
        return fail_expected(p, "a timestamp 'YYYY-MM-DD HH:MM:SS'");
    advance(p);
    ria_value v = {.type = type, .i = type == RIA_V_DATE ? secs / RIA_SECS_PER_DAY : secs};
    return mk_lit(p, pos, v, out);
}

static ria_status lit_keyword(sql_parser *p, ria_expr **out)
{
    ria_value v = {.type = RIA_V_BOOL};
    uint32_t pos = p->tok.start;
    if (is_kw(p, "NULL")) {
        v.type = RIA_V_NULL;
        v.is_null = true;
    } else {
        v.i = is_kw(p, "TRUE");
    }
    advance(p);
    return mk_lit(p, pos, v, out);
}

/* ------------------------------------------------------------------- types */

/* A small integer inside a type's parentheses. */
static ria_status type_size(sql_parser *p, int *out)
{
    int64_t v = -1;
    if (p->tok.kind != TK_INT || p->tok.end - p->tok.start > 4 ||
        int_value(p, &p->tok, false, p->tok.start, &v) != RIA_OK)
        return fail_expected(p, "a size");
    *out = (int)v;
    advance(p);
    return RIA_OK;
}

/* A cast type; *scale is the s of DECIMAL(p, s), or -1. */
static ria_status parse_type(sql_parser *p, ria_vtype *type, int *scale)
{
    char what[128];
    snprintf(what, sizeof what, "a type (%s)", sql_type_list);
    const sql_type_def *def =
        p->tok.kind == TK_WORD ? sql_type_find(p->sql + p->tok.start, p->tok.end - p->tok.start)
                               : NULL;
    if (!def)
        return fail_expected(p, what);
    *type = def->type;
    *scale = -1;
    advance(p);
    if (def->type == RIA_V_DOUBLE)
        accept_kw(p, "PRECISION");
    if (!def->takes_size || p->tok.kind != TK_LPAREN)
        return RIA_OK;
    uint32_t open = p->tok.start;
    advance(p);
    int precision;
    ria_status rc = type_size(p, &precision);
    if (rc == RIA_OK && def->type == RIA_V_DEC && accept(p, TK_COMMA))
        rc = type_size(p, scale);
    return rc != RIA_OK ? rc : expect_close(p, open, def->type == RIA_V_DEC);
}

/* CAST(x AS type).  DECIMAL(p, s) with s below the engine's four places
 * rounds like SQL does: round(CAST(x AS DECIMAL), s). */
static ria_status mk_cast(sql_parser *p, uint32_t pos, ria_expr *x, ria_vtype type, int scale,
                          ria_expr **out)
{
    ria_status rc = mk_func1(p, RIA_F_CAST, pos, x, out);
    if (rc != RIA_OK)
        return rc;
    (*out)->cast_type = type;
    if (type != RIA_V_DEC || scale < 0 || scale >= RIA_DEC_DIGITS)
        return RIA_OK;
    ria_expr *digits, *args[2];
    rc = mk_lit(p, pos, (ria_value){.type = RIA_V_INT, .i = scale}, &digits);
    if (rc != RIA_OK)
        return rc;
    args[0] = *out;
    args[1] = digits;
    rc = mk_node(p, RIA_X_FUNC, pos, args, 2, out);
    if (rc == RIA_OK)
        (*out)->func = RIA_F_ROUND;
    return rc;
}

/* Zero or more `::type` after an operand; each counts as a nesting level,
 * since the printer writes it as CAST(...). */
static ria_status parse_postfix_casts(sql_parser *p, uint32_t start, ria_expr *x, ria_expr **out)
{
    ria_status rc = RIA_OK;
    int levels = 0;
    while (rc == RIA_OK && p->tok.kind == TK_COLONS) {
        advance(p);
        ria_vtype type;
        int scale;
        rc = enter(p);
        levels++;
        if (rc == RIA_OK)
            rc = parse_type(p, &type, &scale);
        if (rc == RIA_OK)
            rc = mk_cast(p, start, x, type, scale, &x);
    }
    p->depth -= levels;
    *out = x;
    return rc;
}

/* --------------------------------------------------------------- functions */

static ria_status fail_unknown_function(sql_parser *p, const sql_token *name)
{
    char known[320];
    size_t len = 0;
    for (int i = 0; i < sql_nfuncs && len < sizeof known; i++)
        len += (size_t)snprintf(known + len, sizeof known - len, "%s, ", sql_funcs[i].name);
    if (len < sizeof known)
        snprintf(known + len, sizeof known - len, "CAST, EXTRACT");
    char text[96];
    describe(p, name, text, sizeof text);
    return fail(p, RIA_EUNSUPPORTED, name->start, "unknown function %s; the functions are: %s",
                text, known);
}

/* Checks the argument count of a call: `extra` arguments that are not
 * expressions (count's *, date_trunc's unit) come before args[0..nexpr). */
static ria_status check_arity(sql_parser *p, const sql_func_def *def, ria_expr **args, int nexpr,
                              int extra, uint32_t close)
{
    int n = nexpr + extra;
    if (n >= def->min_args && n <= def->max_args)
        return RIA_OK;
    char want[64];
    if (def->max_args >= SQL_MAX_LIST)
        snprintf(want, sizeof want, "at least %d argument%s", def->min_args,
                 def->min_args == 1 ? "" : "s");
    else if (def->min_args == def->max_args)
        snprintf(want, sizeof want, "%d argument%s", def->min_args, def->min_args == 1 ? "" : "s");
    else
        snprintf(want, sizeof want, "%d or %d arguments", def->min_args, def->max_args);
    uint32_t pos = n > def->max_args ? args[def->max_args - extra]->pos : close;
    return fail(p, RIA_EPARSE, pos, "expected %s to %s(), found %d", want, def->name, n);
}

/* Arguments up to the closing ')' of the call opened at `open`. */
static ria_status parse_args(sql_parser *p, uint32_t open, sql_vec *args, uint32_t *close)
{
    ria_status rc = RIA_OK;
    if (p->tok.kind != TK_RPAREN) {
        do {
            ria_expr *a;
            rc = parse_expr(p, &a);
            if (rc == RIA_OK)
                rc = push_expr(p, args, a);
        } while (rc == RIA_OK && accept(p, TK_COMMA));
    }
    *close = p->tok.start;
    return rc != RIA_OK ? rc : expect_close(p, open, true);
}

/* date_trunc('unit', x): the current token is the unit string. */
static ria_status parse_trunc_args(sql_parser *p, uint32_t open, ria_time_unit *unit,
                                   sql_vec *args, uint32_t *close)
{
    const char *s;
    uint32_t n;
    const char *what = "a unit 'hour', 'day', 'week', 'month', 'quarter' or 'year'";
    if (p->tok.kind != TK_STRING)
        return fail_expected(p, what);
    ria_status rc = unquote(p, &p->tok, &s, &n);
    if (rc != RIA_OK)
        return rc;
    if (!sql_unit_find(s, n, unit))
        return fail_expected(p, what);
    advance(p);
    rc = expect(p, TK_COMMA, "','");
    return rc != RIA_OK ? rc : parse_args(p, open, args, close);
}

/* sum(x), count(*), count(DISTINCT x), ... */
static ria_status parse_agg_args(sql_parser *p, const sql_func_def *def, uint32_t open,
                                 ria_expr *e, sql_vec *args, uint32_t *close)
{
    if (def->id == RIA_AGG_COUNT && p->tok.kind == TK_STAR) {
        advance(p);
        e->star = true;
        *close = p->tok.start;
        return expect_close(p, open, false);
    }
    if (is_kw(p, "DISTINCT")) {
        if (def->id != RIA_AGG_COUNT)
            return fail(p, RIA_EUNSUPPORTED, p->tok.start,
                        "DISTINCT is only supported in count(DISTINCT x), not in %s()", def->name);
        e->distinct = true;
        advance(p);
    }
    return parse_args(p, open, args, close);
}

/* Refuses `f(...) OVER (...)`. */
static ria_status check_no_window(sql_parser *p)
{
    if (!is_kw(p, "OVER"))
        return RIA_OK;
    return fail(p, RIA_EUNSUPPORTED, p->tok.start,
                "window functions (OVER) are not supported: use GROUP BY, or a scalar "
                "subquery such as (SELECT sum(amount) FROM sales) for shares of a total");
}

/* name(args): the current token is the name, the next one '('. */
static ria_status parse_call(sql_parser *p, ria_expr **out)
{
    sql_token name = p->tok;
    const sql_func_def *def = sql_func_find(p->sql + name.start, name.end - name.start);
    if (!def)
        return fail_unknown_function(p, &name);
    advance(p);
    uint32_t open = p->tok.start, close = 0;
    advance(p);
    ria_expr tmp = {0};
    sql_vec args = {0};
    ria_status rc;
    if (def->kind == SQL_FK_AGG)
        rc = parse_agg_args(p, def, open, &tmp, &args, &close);
    else if (def->kind == SQL_FK_TRUNC)
        rc = parse_trunc_args(p, open, &tmp.unit, &args, &close);
    else
        rc = parse_args(p, open, &args, &close);
    if (rc != RIA_OK)
        return rc;
    rc = check_arity(p, def, args.data, args.n, (def->kind == SQL_FK_TRUNC) + tmp.star, close);
    if (rc == RIA_OK)
        rc = check_no_window(p);
    if (rc != RIA_OK)
        return rc;
    if (def->kind == SQL_FK_DATE)
        return mk_cast(p, name.start, ((ria_expr **)args.data)[0], RIA_V_DATE, -1, out);
    rc = mk_node(p, def->kind == SQL_FK_AGG ? RIA_X_AGG : RIA_X_FUNC, name.start, args.data,
                 args.n, out);
    if (rc != RIA_OK)
        return rc;
    ria_expr *e = *out;
    e->star = tmp.star;
    e->distinct = tmp.distinct;
    e->unit = tmp.unit;
    if (def->kind == SQL_FK_AGG)
        e->agg = (ria_agg)def->id;
    else
        e->func = (ria_func)def->id;
    return RIA_OK;
}

/* CAST(x AS type) */
static ria_status parse_cast(sql_parser *p, ria_expr **out)
{
    uint32_t pos = p->tok.start;
    advance(p);
    uint32_t open = p->tok.start;
    ria_expr *x;
    ria_vtype type;
    int scale;
    ria_status rc = expect(p, TK_LPAREN, "'(' after CAST");
    if (rc == RIA_OK)
        rc = parse_expr(p, &x);
    if (rc == RIA_OK)
        rc = expect_kw(p, "AS");
    if (rc == RIA_OK)
        rc = parse_type(p, &type, &scale);
    if (rc == RIA_OK)
        rc = expect_close(p, open, false);
    return rc != RIA_OK ? rc : mk_cast(p, pos, x, type, scale, out);
}

/* EXTRACT(part FROM x), the same as the function part(x). */
static ria_status parse_extract(sql_parser *p, ria_expr **out)
{
    uint32_t pos = p->tok.start;
    advance(p);
    uint32_t open = p->tok.start;
    ria_status rc = expect(p, TK_LPAREN, "'(' after EXTRACT");
    if (rc != RIA_OK)
        return rc;
    const sql_func_def *def = NULL;
    if (p->tok.kind == TK_WORD)
        def = sql_func_find(p->sql + p->tok.start, p->tok.end - p->tok.start);
    else if (p->tok.kind == TK_STRING)
        def = sql_func_find(p->sql + p->tok.start + 1, p->tok.end - p->tok.start - 2);
    if (!def || !def->date_part)
        return fail_expected(p, "a date part (year, quarter, month, week, day, hour, minute, "
                                "dayofweek or dayofyear)");
    advance(p);
    ria_expr *x;
    rc = expect_kw(p, "FROM");
    if (rc == RIA_OK)
        rc = parse_expr(p, &x);
    if (rc == RIA_OK)
        rc = expect_close(p, open, false);
    return rc != RIA_OK ? rc : mk_func1(p, (ria_func)def->id, pos, x, out);
}

/* CASE [x] WHEN c THEN v ... [ELSE e] END; the simple form becomes
 * conditions x = c (each with its own copy of x). */
static ria_status parse_case(sql_parser *p, ria_expr **out)
{
    uint32_t pos = p->tok.start;
    advance(p);
    ria_expr *operand = NULL;
    sql_vec args = {0};
    ria_status rc = RIA_OK;
    if (!is_kw(p, "WHEN"))
        rc = parse_expr(p, &operand);
    bool first = true;
    while (rc == RIA_OK && accept_kw(p, "WHEN")) {
        ria_expr *c, *v, *x = operand;
        rc = parse_expr(p, &c);
        if (rc == RIA_OK && operand && !first)
            rc = clone_expr(p, operand, &x);
        if (rc == RIA_OK && operand)
            rc = mk_op(p, RIA_X_BINARY, RIA_OP_EQ, x->pos, x, c, &c);
        if (rc == RIA_OK)
            rc = push_expr(p, &args, c);
        if (rc == RIA_OK)
            rc = expect_kw(p, "THEN");
        if (rc == RIA_OK)
            rc = parse_expr(p, &v);
        if (rc == RIA_OK)
            rc = push_expr(p, &args, v);
        first = false;
    }
    if (rc != RIA_OK)
        return rc;
    if (args.n == 0)
        return fail_expected(p, "WHEN");
    bool has_else = accept_kw(p, "ELSE");
    ria_expr *e;
    if (has_else) {
        rc = parse_expr(p, &e);
        if (rc == RIA_OK)
            rc = push_expr(p, &args, e);
    }
    if (rc == RIA_OK && !accept_kw(p, "END"))
        rc = fail_expected(p, has_else ? "END" : "WHEN, ELSE or END");
    if (rc == RIA_OK)
        rc = mk_node(p, RIA_X_CASE, pos, args.data, args.n, out);
    if (rc == RIA_OK)
        (*out)->has_else = has_else;
    return rc;
}

/* ----------------------------------------------------------------- primary */

/* Remembers a table qualifier for checking at the end of the SELECT. */
static ria_status note_qualifier(sql_parser *p, const char *name, uint32_t pos)
{
    qual_ref *r = ria_arena_alloc(p->arena, sizeof *r);
    if (!r)
        return fail_nomem(p);
    r->name = name;
    r->pos = pos;
    r->next = p->scope->refs;
    p->scope->refs = r;
    return RIA_OK;
}

/* name or qualifier.name */
static ria_status parse_column(sql_parser *p, ria_expr **out)
{
    uint32_t pos = p->tok.start;
    const char *name;
    ria_status rc = token_name(p, &p->tok, &name);
    if (rc != RIA_OK)
        return rc;
    advance(p);
    if (accept(p, TK_DOT)) {
        if (p->tok.kind == TK_STAR)
            return fail_star(p, p->tok.start);
        if (!tok_is_name(p, &p->tok))
            return fail_expected(p, "a column name after '.'");
        rc = note_qualifier(p, name, pos);
        if (rc == RIA_OK)
            rc = token_name(p, &p->tok, &name);
        if (rc != RIA_OK)
            return rc;
        advance(p);
    }
    rc = mk_node(p, RIA_X_COLUMN, pos, NULL, 0, out);
    if (rc == RIA_OK)
        (*out)->name = name;
    return rc;
}

/* (SELECT ...): the current token is '(' and the next one SELECT. */
static ria_status parse_subquery(sql_parser *p, ria_expr **out)
{
    uint32_t open = p->tok.start;
    advance(p);
    uint32_t saved = p->qheight;
    p->qheight = 0;
    ria_plan *sub = NULL;
    ria_status rc = enter(p);
    if (rc == RIA_OK)
        rc = parse_select(p, &sub);
    leave(p);
    uint32_t inner = p->qheight;
    p->qheight = saved;
    if (rc != RIA_OK)
        return rc;
    if (p->tok.kind != TK_RPAREN) {
        char close[48];
        snprintf(close, sizeof close, "')' to close '(' at %u", open);
        return fail_clause_end(p, close);
    }
    advance(p);
    rc = mk_node(p, RIA_X_SUBQUERY, open, NULL, 0, out);
    if (rc != RIA_OK)
        return rc;
    (*out)->sub = sub;
    return node_seal(p, *out, inner);
}

static ria_status parse_word(sql_parser *p, ria_expr **out)
{
    static const struct {
        const char *kw;
        expr_fn fn;
    } forms[] = {
        {"NULL", lit_keyword}, {"TRUE", lit_keyword}, {"FALSE", lit_keyword},
        {"CASE", parse_case},  {"CAST", parse_cast},  {"EXTRACT", parse_extract},
    };
    for (size_t i = 0; i < RIA_ARRAY_LEN(forms); i++)
        if (is_kw(p, forms[i].kw))
            return forms[i].fn(p, out);
    sql_token next = peek_after(p, &p->tok);
    if (next.kind == TK_STRING) {
        if (is_kw(p, "DATE"))
            return lit_typed(p, RIA_V_DATE, out);
        if (is_kw(p, "TIMESTAMP"))
            return lit_typed(p, RIA_V_TS, out);
        if (is_kw(p, "INTERVAL"))
            return fail(p, RIA_EUNSUPPORTED, p->tok.start,
                        "INTERVAL is not supported: compare with DATE or TIMESTAMP literals "
                        "(e.g. order_date >= DATE '2024-01-01')");
    }
    const char *w = p->sql + p->tok.start;
    size_t wn = p->tok.end - p->tok.start;
    bool reserved = sql_is_reserved(w, wn);
    if (next.kind == TK_LPAREN && (!reserved || sql_is_reserved_callable(w, wn)))
        return parse_call(p, out);
    if (reserved)
        return fail_expected(p, "an expression");
    return parse_column(p, out);
}

static ria_status parse_primary(sql_parser *p, ria_expr **out)
{
    switch (p->tok.kind) {
    case TK_INT:
    case TK_NUMBER:
        return lit_number(p, false, p->tok.start, out);
    case TK_STRING:
        return lit_string(p, out);
    case TK_WORD:
        return parse_word(p, out);
    case TK_QIDENT:
        return parse_column(p, out);
    case TK_LPAREN: {
        sql_token next = peek_after(p, &p->tok);
        if (tok_kw(p, &next, "SELECT"))
            return parse_subquery(p, out);
        uint32_t open = p->tok.start;
        advance(p);
        ria_status rc = parse_expr(p, out);
        return rc != RIA_OK ? rc : expect_close(p, open, false);
    }
    default:
        return fail_expected(p, "an expression");
    }
}

/* --------------------------------------------------------------- operators */

/* -x, +x, and -<number> as a negative literal. */
static ria_status parse_unary(sql_parser *p, ria_expr **out)
{
    if (p->tok.kind != TK_MINUS && p->tok.kind != TK_PLUS) {
        ria_expr *x;
        uint32_t start = p->tok.start;
        ria_status rc = parse_primary(p, &x);
        return rc != RIA_OK ? rc : parse_postfix_casts(p, start, x, out);
    }
    bool neg = p->tok.kind == TK_MINUS;
    uint32_t pos = p->tok.start;
    advance(p);
    ria_expr *x;
    ria_status rc;
    if (neg && (p->tok.kind == TK_INT || p->tok.kind == TK_NUMBER)) {
        rc = lit_number(p, true, pos, &x);
        return rc != RIA_OK ? rc : parse_postfix_casts(p, pos, x, out);
    }
    rc = enter(p);
    if (rc == RIA_OK)
        rc = parse_unary(p, &x);
    leave(p);
    if (rc != RIA_OK || !neg) {
        *out = x;
        return rc;
    }
    return mk_op(p, RIA_X_UNARY, RIA_OP_NEG, pos, x, NULL, out);
}

typedef struct {
    sql_tk tk;
    const char *kw; /* for TK_WORD */
    ria_op op;
} sql_binop;

static const sql_binop or_ops[] = {{TK_WORD, "OR", RIA_OP_OR}};
static const sql_binop and_ops[] = {{TK_WORD, "AND", RIA_OP_AND}};
static const sql_binop concat_ops[] = {{TK_CONCAT, NULL, RIA_OP_CONCAT}};
static const sql_binop add_ops[] = {{TK_PLUS, NULL, RIA_OP_ADD}, {TK_MINUS, NULL, RIA_OP_SUB}};
static const sql_binop mul_ops[] = {
    {TK_STAR, NULL, RIA_OP_MUL}, {TK_SLASH, NULL, RIA_OP_DIV}, {TK_PERCENT, NULL, RIA_OP_MOD}};
static const sql_binop cmp_ops[] = {
    {TK_EQ, NULL, RIA_OP_EQ}, {TK_NE, NULL, RIA_OP_NE}, {TK_LT, NULL, RIA_OP_LT},
    {TK_LE, NULL, RIA_OP_LE}, {TK_GT, NULL, RIA_OP_GT}, {TK_GE, NULL, RIA_OP_GE},
};

static const sql_binop *match_op(const sql_parser *p, const sql_binop *ops, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p->tok.kind == ops[i].tk && (!ops[i].kw || is_kw(p, ops[i].kw)))
            return &ops[i];
    return NULL;
}

/* operand { op operand }, building a left-deep tree. */
static ria_status parse_left_assoc(sql_parser *p, const sql_binop *ops, size_t nops,
                                   expr_fn operand, ria_expr **out)
{
    ria_expr *left, *right;
    uint32_t start = p->tok.start; /* before any '(' of the left operand */
    ria_status rc = operand(p, &left);
    const sql_binop *op;
    while (rc == RIA_OK && (op = match_op(p, ops, nops)) != NULL) {
        advance(p);
        rc = operand(p, &right);
        if (rc == RIA_OK)
            rc = mk_op(p, RIA_X_BINARY, op->op, start, left, right, &left);
    }
    *out = left;
    return rc;
}

static ria_status parse_mul(sql_parser *p, ria_expr **out)
{
    return parse_left_assoc(p, mul_ops, RIA_ARRAY_LEN(mul_ops), parse_unary, out);
}

static ria_status parse_add(sql_parser *p, ria_expr **out)
{
    return parse_left_assoc(p, add_ops, RIA_ARRAY_LEN(add_ops), parse_mul, out);
}

static ria_status parse_concat(sql_parser *p, ria_expr **out)
{
    return parse_left_assoc(p, concat_ops, RIA_ARRAY_LEN(concat_ops), parse_add, out);
}

/* IN (a, b, ...) after `x [NOT]`: the current token is IN. */
static ria_status parse_in(sql_parser *p, uint32_t start, ria_expr *x, bool negated,
                           ria_expr **out)
{
    advance(p);
    uint32_t open = p->tok.start;
    ria_status rc = expect(p, TK_LPAREN, "'(' after IN");
    if (rc != RIA_OK)
        return rc;
    if (is_kw(p, "SELECT"))
        return fail(p, RIA_EUNSUPPORTED, p->tok.start,
                    "IN (SELECT ...) is not supported: list the values, or compare with a "
                    "scalar subquery");
    sql_vec args = {0};
    rc = push_expr(p, &args, x);
    do {
        ria_expr *e;
        if (rc == RIA_OK)
            rc = parse_expr(p, &e);
        if (rc == RIA_OK)
            rc = push_expr(p, &args, e);
    } while (rc == RIA_OK && accept(p, TK_COMMA));
    if (rc == RIA_OK)
        rc = expect_close(p, open, true);
    if (rc == RIA_OK)
        rc = mk_node(p, RIA_X_IN, start, args.data, args.n, out);
    if (rc == RIA_OK)
        (*out)->negated = negated;
    return rc;
}

/* BETWEEN lo AND hi, or LIKE 'pattern', after `x [NOT]`. */
static ria_status parse_range_or_like(sql_parser *p, uint32_t start, ria_expr *x, bool negated,
                                      ria_expr **out)
{
    ria_expr *args[3] = {x, NULL, NULL};
    ria_xkind kind = is_kw(p, "LIKE") ? RIA_X_LIKE : RIA_X_BETWEEN;
    advance(p);
    ria_status rc;
    if (kind == RIA_X_LIKE) {
        rc = p->tok.kind == TK_STRING ? lit_string(p, &args[1])
                                      : fail_expected(p, "a 'pattern' string after LIKE");
    } else {
        rc = parse_concat(p, &args[1]);
        if (rc == RIA_OK)
            rc = expect_kw(p, "AND");
        if (rc == RIA_OK)
            rc = parse_concat(p, &args[2]);
    }
    if (rc == RIA_OK)
        rc = mk_node(p, kind, start, args, kind == RIA_X_LIKE ? 2 : 3, out);
    if (rc == RIA_OK)
        (*out)->negated = negated;
    return rc;
}

/* True when the current token starts a comparison (after an operand). */
static bool at_comparison(const sql_parser *p)
{
    if (match_op(p, cmp_ops, RIA_ARRAY_LEN(cmp_ops)) || is_kw(p, "IS") || is_kw(p, "IN") ||
        is_kw(p, "BETWEEN") || is_kw(p, "LIKE"))
        return true;
    if (!is_kw(p, "NOT"))
        return false;
    sql_token next = peek_after(p, &p->tok);
    return tok_kw(p, &next, "IN") || tok_kw(p, &next, "BETWEEN") || tok_kw(p, &next, "LIKE");
}

/* operand [comparison]: comparisons do not chain. */
static ria_status parse_cmp(sql_parser *p, ria_expr **out)
{
    ria_expr *x;
    uint32_t start = p->tok.start;
    ria_status rc = parse_concat(p, &x);
    if (rc != RIA_OK || !at_comparison(p)) {
        *out = x;
        return rc;
    }
    const sql_binop *op = match_op(p, cmp_ops, RIA_ARRAY_LEN(cmp_ops));
    if (op) {
        advance(p);
        ria_expr *r;
        rc = parse_concat(p, &r);
        if (rc == RIA_OK)
            rc = mk_op(p, RIA_X_BINARY, op->op, start, x, r, out);
    } else if (accept_kw(p, "IS")) {
        bool negated = accept_kw(p, "NOT");
        rc = accept_kw(p, "NULL") ? mk_node(p, RIA_X_IS_NULL, start, &x, 1, out)
                                  : fail_expected(p, negated ? "NULL" : "NULL or NOT NULL");
        if (rc == RIA_OK)
            (*out)->negated = negated;
    } else {
        bool negated = accept_kw(p, "NOT");
        rc = is_kw(p, "IN") ? parse_in(p, start, x, negated, out)
                            : parse_range_or_like(p, start, x, negated, out);
    }
    if (rc == RIA_OK && at_comparison(p))
        rc = fail_expected(p, "AND or OR between comparisons");
    return rc;
}

static ria_status parse_not(sql_parser *p, ria_expr **out)
{
    if (!is_kw(p, "NOT"))
        return parse_cmp(p, out);
    uint32_t pos = p->tok.start;
    advance(p);
    ria_expr *x;
    ria_status rc = enter(p);
    if (rc == RIA_OK)
        rc = parse_not(p, &x);
    leave(p);
    return rc != RIA_OK ? rc : mk_op(p, RIA_X_UNARY, RIA_OP_NOT, pos, x, NULL, out);
}

static ria_status parse_and(sql_parser *p, ria_expr **out)
{
    return parse_left_assoc(p, and_ops, RIA_ARRAY_LEN(and_ops), parse_not, out);
}

static ria_status parse_or(sql_parser *p, ria_expr **out)
{
    return parse_left_assoc(p, or_ops, RIA_ARRAY_LEN(or_ops), parse_and, out);
}

static ria_status parse_expr(sql_parser *p, ria_expr **out)
{
    ria_status rc = enter(p);
    if (rc == RIA_OK)
        rc = parse_or(p, out);
    leave(p);
    return rc;
}

/* ----------------------------------------------------------------- clauses */

/* [AS] alias after a select item or the table; *out stays NULL if none. */
static ria_status parse_alias(sql_parser *p, const char **out)
{
    *out = NULL;
    bool as = accept_kw(p, "AS");
    if (!tok_is_name(p, &p->tok))
        return as ? fail_expected(p, "a name after AS") : RIA_OK;
    ria_status rc = token_name(p, &p->tok, out);
    if (rc == RIA_OK)
        advance(p);
    return rc;
}

static ria_status parse_select_list(sql_parser *p, ria_plan *q)
{
    sql_vec items = {0};
    ria_status rc = RIA_OK;
    do {
        if (p->tok.kind == TK_STAR)
            return fail_star(p, p->tok.start);
        sql_token next = peek_after(p, &p->tok);
        if (tok_is_name(p, &p->tok) && next.kind == TK_DOT) {
            sql_token after = peek_after(p, &next);
            if (after.kind == TK_STAR)
                return fail_star(p, after.start);
        }
        ria_select_item it = {0};
        rc = parse_expr(p, &it.expr);
        if (rc == RIA_OK)
            rc = parse_alias(p, &it.alias);
        if (rc == RIA_OK)
            rc = vec_push(p, &items, &it, sizeof it);
    } while (rc == RIA_OK && accept(p, TK_COMMA));
    q->select = items.data;
    q->nselect = items.n;
    return rc;
}

/* A non-negative integer literal (version, row count). */
static ria_status parse_count(sql_parser *p, const char *what, int64_t *out)
{
    if (p->tok.kind != TK_INT)
        return fail_expected(p, what);
    ria_status rc = int_value(p, &p->tok, false, p->tok.start, out);
    if (rc == RIA_OK)
        advance(p);
    return rc;
}

/* AS OF VERSION n | AS OF TIMESTAMP '...' (AS OF already consumed). */
static ria_status parse_as_of(sql_parser *p, ria_plan *q)
{
    if (accept_kw(p, "VERSION")) {
        sql_token t = p->tok;
        ria_status rc = parse_count(p, "a version number", &q->as_of_version);
        if (rc == RIA_OK && q->as_of_version == 0)
            rc = fail(p, RIA_EPARSE, t.start, "expected a version number, found '0' "
                                              "(versions start at 1)");
        return rc;
    }
    if (!accept_kw(p, "TIMESTAMP"))
        return fail_expected(p, "VERSION or TIMESTAMP after AS OF");
    const char *what = "a timestamp 'YYYY-MM-DD[ HH:MM:SS]' after 1970-01-01";
    if (p->tok.kind != TK_STRING)
        return fail_expected(p, what);
    const char *s;
    uint32_t n;
    ria_status rc = unquote(p, &p->tok, &s, &n);
    if (rc != RIA_OK)
        return rc;
    int64_t secs;
    bool has_time;
    if (ria_parse_date(s, n, RIA_DATE_ISO, &secs, &has_time) != 1 || secs <= 0)
        return fail_expected(p, what);
    q->as_of_time = secs;
    advance(p);
    return RIA_OK;
}

static bool at_as_of(const sql_parser *p)
{
    sql_token next = peek_after(p, &p->tok);
    return is_kw(p, "AS") && tok_kw(p, &next, "OF");
}

static ria_status parse_optional_as_of(sql_parser *p, ria_plan *q)
{
    if (!at_as_of(p) || q->as_of_version || q->as_of_time)
        return RIA_OK;
    advance(p);
    advance(p);
    return parse_as_of(p, q);
}

/* FROM sales [AS OF ...] [[AS] alias] */
static ria_status parse_from(sql_parser *p, ria_plan *q, sql_scope *scope)
{
    if (!accept_kw(p, "FROM"))
        return fail_expected(p, "FROM");
    if (p->tok.kind == TK_LPAREN)
        return fail(p, RIA_EUNSUPPORTED, p->tok.start,
                    "subqueries in FROM are not supported: select from sales directly "
                    "(scalar subqueries are allowed in expressions)");
    if (!tok_is_name(p, &p->tok))
        return fail_expected(p, "the table name sales");
    sql_token first = p->tok, last = p->tok;
    const char *name;
    ria_status rc = token_name(p, &first, &name);
    if (rc != RIA_OK)
        return rc;
    advance(p);
    while (p->tok.kind == TK_DOT) { /* schema.table */
        advance(p);
        if (!tok_is_name(p, &p->tok))
            return fail_expected(p, "a table name after '.'");
        last = p->tok;
        advance(p);
    }
    if (first.start != last.start || !sql_ieq(name, strlen(name), "sales")) {
        sql_token whole = {.kind = TK_WORD, .start = first.start, .end = last.end};
        char text[96];
        describe(p, &whole, text, sizeof text);
        return fail(p, RIA_EUNSUPPORTED, first.start,
                    "unknown table %s: ria has one table, and the table is called sales", text);
    }
    rc = parse_optional_as_of(p, q);
    if (rc == RIA_OK && !at_as_of(p))
        rc = parse_alias(p, &scope->alias);
    if (rc == RIA_OK)
        rc = parse_optional_as_of(p, q);
    if (rc != RIA_OK)
        return rc;
    static const char *const joins[] = {"JOIN", "INNER", "LEFT", "RIGHT", "FULL", "CROSS",
                                        "NATURAL"};
    bool join = p->tok.kind == TK_COMMA;
    for (size_t i = 0; i < RIA_ARRAY_LEN(joins); i++)
        join = join || is_kw(p, joins[i]);
    if (join)
        return fail(p, RIA_EUNSUPPORTED, p->tok.start,
                    "joins are not supported: ria queries the one table sales");
    return RIA_OK;
}

static ria_status parse_where(sql_parser *p, ria_plan *q)
{
    return parse_expr(p, &q->where);
}

static ria_status parse_having(sql_parser *p, ria_plan *q)
{
    return parse_expr(p, &q->having);
}

static ria_status parse_group(sql_parser *p, ria_plan *q)
{
    sql_vec keys = {0};
    ria_status rc;
    do {
        ria_expr *e;
        rc = parse_expr(p, &e);
        if (rc == RIA_OK)
            rc = push_expr(p, &keys, e);
    } while (rc == RIA_OK && accept(p, TK_COMMA));
    q->group = keys.data;
    q->ngroup = keys.n;
    return rc;
}

static ria_status parse_order(sql_parser *p, ria_plan *q)
{
    sql_vec items = {0};
    ria_status rc;
    do {
        ria_order_item it = {0};
        rc = parse_expr(p, &it.expr);
        if (rc == RIA_OK && !accept_kw(p, "ASC"))
            it.desc = accept_kw(p, "DESC");
        if (rc == RIA_OK)
            rc = vec_push(p, &items, &it, sizeof it);
    } while (rc == RIA_OK && accept(p, TK_COMMA));
    q->order = items.data;
    q->norder = items.n;
    return rc;
}

static ria_status parse_limit(sql_parser *p, ria_plan *q)
{
    return parse_count(p, "a row count after LIMIT", &q->limit);
}

static ria_status parse_offset(sql_parser *p, ria_plan *q)
{
    return parse_count(p, "a row count after OFFSET", &q->offset);
}

/* The clauses after FROM, in the order they must appear. */
static const struct {
    const char *kw, *kw2, *label;
    ria_status (*parse)(sql_parser *p, ria_plan *q);
} clauses[] = {
    {"WHERE", NULL, "WHERE", parse_where},       {"GROUP", "BY", "GROUP BY", parse_group},
    {"HAVING", NULL, "HAVING", parse_having},    {"ORDER", "BY", "ORDER BY", parse_order},
    {"LIMIT", NULL, "LIMIT", parse_limit},       {"OFFSET", NULL, "OFFSET", parse_offset},
};

static ria_status parse_clauses(sql_parser *p, ria_plan *q)
{
    int next = 0;
    ria_status rc = RIA_OK;
    while (rc == RIA_OK) {
        int found = -1;
        for (int i = next; i < (int)RIA_ARRAY_LEN(clauses) && found < 0; i++)
            if (is_kw(p, clauses[i].kw))
                found = i;
        if (found < 0)
            break;
        advance(p);
        if (clauses[found].kw2)
            rc = expect_kw(p, clauses[found].kw2);
        if (rc == RIA_OK)
            rc = clauses[found].parse(p, q);
        next = found + 1;
    }
    p->next_clause = next;
    return rc;
}

/* "expected <clauses still allowed> or <terminator>, found ..." */
static ria_status fail_clause_end(sql_parser *p, const char *terminator)
{
    char what[160];
    size_t len = 0;
    for (int i = p->next_clause; i < (int)RIA_ARRAY_LEN(clauses) && len < sizeof what; i++)
        len += (size_t)snprintf(what + len, sizeof what - len, "%s, ", clauses[i].label);
    if (len >= 2 && len < sizeof what) /* "A, B, " -> "A, B or T" */
        snprintf(what + len - 2, sizeof what - (len - 2), " or %s", terminator);
    else if (len < sizeof what)
        snprintf(what + len, sizeof what - len, "%s", terminator);
    return fail_expected(p, what);
}

/* Set operations and SELECT ... INTO after a complete SELECT. */
static ria_status check_query_tail(sql_parser *p)
{
    static const char *const setops[] = {"UNION", "INTERSECT", "EXCEPT"};
    for (size_t i = 0; i < RIA_ARRAY_LEN(setops); i++)
        if (is_kw(p, setops[i]))
            return fail(p, RIA_EUNSUPPORTED, p->tok.start,
                        "%s is not supported: ria runs one SELECT over sales "
                        "(combine results with CASE inside aggregates, or GROUP BY)",
                        setops[i]);
    if (is_kw(p, "INTO"))
        return fail(p, RIA_EREFUSED, p->tok.start, REFUSAL "; SELECT ... INTO is not allowed");
    return RIA_OK;
}

/* Qualifiers must name this SELECT's table or alias; the ones that do not
 * are passed to the enclosing SELECT, where naming its alias would make a
 * correlated subquery. */
static ria_status resolve_qualifiers(sql_parser *p, sql_scope *s)
{
    qual_ref *unknown = NULL;
    for (qual_ref *r = s->refs, *next; r; r = next) {
        next = r->next;
        size_t n = strlen(r->name);
        bool own = sql_ieq(r->name, n, "sales") || (s->alias && sql_ieq(r->name, n, s->alias));
        if (own && r->from_inner)
            return fail(p, RIA_EUNSUPPORTED, r->pos,
                        "correlated subqueries are not supported: '%s' names the outer query",
                        r->name);
        if (own)
            continue;
        if (s->parent) {
            r->from_inner = true;
            r->next = s->parent->refs;
            s->parent->refs = r;
        } else if (!unknown || r->pos < unknown->pos) {
            unknown = r;
        }
    }
    if (unknown)
        return fail(p, RIA_ENOTFOUND, unknown->pos,
                    "unknown table or alias '%s': the table is called sales", unknown->name);
    return RIA_OK;
}

/* SELECT ... up to (not including) its terminator. */
static ria_status parse_select(sql_parser *p, ria_plan **out)
{
    ria_status rc = RIA_OK;
    sql_scope scope = {.parent = p->scope};
    ria_plan *q = ria_arena_alloc(p->arena, sizeof *q);
    if (!q || !(q->table = ria_arena_strdup(p->arena, "sales")))
        return fail_nomem(p);
    q->arena = p->arena;
    q->limit = -1;
    p->scope = &scope;
    rc = expect_kw(p, "SELECT");
    if (rc != RIA_OK)
        goto done;
    q->distinct = accept_kw(p, "DISTINCT");
    if (!q->distinct)
        accept_kw(p, "ALL");
    rc = parse_select_list(p, q);
    if (rc == RIA_OK)
        rc = check_query_tail(p);
    if (rc == RIA_OK)
        rc = parse_from(p, q, &scope);
    if (rc == RIA_OK)
        rc = parse_clauses(p, q);
    if (rc == RIA_OK)
        rc = check_query_tail(p);
    if (rc == RIA_OK)
        rc = resolve_qualifiers(p, &scope);
done:
    p->scope = scope.parent;
    if (rc == RIA_OK)
        *out = q;
    return rc;
}

/* --------------------------------------------------------------- statement */

static ria_status check_statement_start(sql_parser *p)
{
    if (is_kw(p, "SELECT"))
        return RIA_OK;
    if (is_kw(p, "WITH"))
        return fail(p, RIA_EUNSUPPORTED, p->tok.start,
                    "WITH (common table expressions) is not supported: write one SELECT over "
                    "sales, with scalar subqueries where needed");
    if (p->tok.kind != TK_WORD && p->tok.kind != TK_QIDENT)
        return fail_expected(p, "SELECT");
    char found[96];
    describe(p, &p->tok, found, sizeof found);
    return fail(p, RIA_EREFUSED, p->tok.start, REFUSAL "; found %s", found);
}

static ria_status check_statement_end(sql_parser *p)
{
    if (p->tok.kind == TK_SEMI) {
        while (accept(p, TK_SEMI))
            ;
        if (p->tok.kind != TK_EOF)
            return fail(p, RIA_EREFUSED, p->tok.start,
                        REFUSAL "; found a second statement after ';'");
        return RIA_OK;
    }
    return p->tok.kind == TK_EOF ? RIA_OK : fail_clause_end(p, "end of input");
}

ria_status ria_sql_parse(const char *sql, ria_arena *arena, ria_plan **out, ria_sql_error *err)
{
    ria_sql_error scratch;
    if (!err)
        err = &scratch;
    memset(err, 0, sizeof *err);
    if (out)
        *out = NULL;
    if (!sql || !arena || !out) {
        err->code = RIA_EINVAL;
        snprintf(err->msg, sizeof err->msg, "no SQL text to parse");
        return RIA_EINVAL;
    }
    sql_parser p = {.sql = sql, .arena = arena, .err = err};
    p.len = strnlen(sql, SQL_MAX_BYTES + 1);
    if (p.len > SQL_MAX_BYTES)
        return fail(&p, RIA_ELIMIT, SQL_MAX_BYTES, "SQL text longer than %u bytes (1 MiB)",
                    SQL_MAX_BYTES);
    p.tok = sql_lex(sql, p.len, 0);
    ria_plan *plan = NULL;
    ria_status rc = check_statement_start(&p);
    if (rc == RIA_OK)
        rc = parse_select(&p, &plan);
    if (rc == RIA_OK)
        rc = check_statement_end(&p);
    if (rc == RIA_OK)
        *out = plan;
    return rc;
}
