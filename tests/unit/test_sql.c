/*
 * test_sql.c — the SQL front end (src/engine/sql_*.c): every construct of
 * the dialect, the bench queries, exact error offsets and messages,
 * refusals, precedence, limits, error formatting, and the printer's round
 * trip (parse → print → parse gives the same tree and the same text), on
 * fixed queries and on seeded random trees.
 */
#include "engine/engine.h"
#include "test.h"

#include <stdlib.h>

/* ---------------------------------------------------------------- helpers */

/* The twelve bench queries (../shared/bench/queries.sql), embedded so the
 * test runs anywhere; bench_file checks the file itself when present. */
static const char *const bench[] = {
    "SELECT sum(amount) FROM sales WHERE order_date >= '2024-01-01' AND order_date < "
    "'2024-02-01';",
    "SELECT category, sum(amount) AS revenue FROM sales GROUP BY category ORDER BY revenue DESC;",
    "SELECT sum(amount) FROM sales WHERE category = 'Electronics' AND state = 'CA' AND "
    "order_date >= '2024-01-01' AND order_date < '2024-04-01';",
    "SELECT year(order_date) AS y, month(order_date) AS m, sum(amount) FROM sales GROUP BY y, m "
    "ORDER BY y, m;",
    "SELECT state, sum(amount) AS revenue FROM sales WHERE order_date >= '2023-01-01' AND "
    "order_date < '2024-01-01' GROUP BY state ORDER BY revenue DESC LIMIT 5;",
    "SELECT category, sum(CASE WHEN order_date < '2024-04-01' THEN amount ELSE 0 END) AS q1, "
    "sum(CASE WHEN order_date >= '2024-04-01' THEN amount ELSE 0 END) AS q2 FROM sales WHERE "
    "order_date >= '2024-01-01' AND order_date < '2024-07-01' GROUP BY category ORDER BY "
    "category;",
    "SELECT category, sum(CASE WHEN year(order_date) = 2024 THEN amount ELSE 0 END) / sum(CASE "
    "WHEN year(order_date) = 2023 THEN amount ELSE 0 END) - 1 AS yoy FROM sales WHERE order_date "
    ">= '2023-01-01' AND order_date < '2025-01-01' GROUP BY category ORDER BY yoy DESC;",
    "SELECT category, year(order_date) AS y, (sum(amount) - sum(cost)) / sum(amount) AS margin "
    "FROM sales GROUP BY category, y ORDER BY category, y;",
    "SELECT count(DISTINCT order_id), sum(amount) / count(DISTINCT order_id) FROM sales WHERE "
    "order_date >= '2024-01-01' AND order_date < '2025-01-01' AND status <> 'Cancelled';",
    "SELECT sku, sum(quantity) AS units FROM sales WHERE region = 'West' AND order_date >= "
    "'2024-12-01' AND order_date < '2025-01-01' GROUP BY sku ORDER BY units DESC, sku LIMIT 10;",
    "SELECT channel, sum(amount) / (SELECT sum(amount) FROM sales) AS share FROM sales GROUP BY "
    "channel ORDER BY share DESC;",
    "SELECT CAST(order_date AS DATE) AS d, sum(amount) FROM sales WHERE order_date >= "
    "'2024-12-02' AND order_date < '2025-01-01' GROUP BY d ORDER BY d;",
};

static bool plan_same(const ria_plan *a, const ria_plan *b);

/* Structural equality of two trees, ignoring offsets and bound types. */
static bool expr_same(const ria_expr *a, const ria_expr *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind || a->negated != b->negated || a->distinct != b->distinct ||
        a->star != b->star || a->has_else != b->has_else || a->nargs != b->nargs)
        return false;
    switch (a->kind) {
    case RIA_X_UNARY:
    case RIA_X_BINARY:
        if (a->op != b->op)
            return false;
        break;
    case RIA_X_FUNC:
        if (a->func != b->func || (a->func == RIA_F_CAST && a->cast_type != b->cast_type) ||
            (a->func == RIA_F_DATE_TRUNC && a->unit != b->unit))
            return false;
        break;
    case RIA_X_AGG:
        if (a->agg != b->agg)
            return false;
        break;
    case RIA_X_COLUMN:
        if (strcmp(a->name, b->name) != 0 || a->col != -1 || b->col != -1)
            return false;
        break;
    case RIA_X_LITERAL:
        if (a->lit.type != b->lit.type || a->lit.is_null != b->lit.is_null)
            return false;
        if (a->lit.type == RIA_V_TEXT)
            return a->lit.n == b->lit.n && memcmp(a->lit.s, b->lit.s, a->lit.n) == 0;
        return a->lit.type == RIA_V_NULL || a->lit.i == b->lit.i;
    case RIA_X_SUBQUERY:
        return plan_same(a->sub, b->sub);
    default:
        break;
    }
    for (int i = 0; i < a->nargs; i++)
        if (!expr_same(a->args[i], b->args[i]))
            return false;
    return true;
}

static bool str_same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool plan_same(const ria_plan *a, const ria_plan *b)
{
    if (!a || !b)
        return a == b;
    if (a->distinct != b->distinct || a->nselect != b->nselect || a->ngroup != b->ngroup ||
        a->norder != b->norder || a->limit != b->limit || a->offset != b->offset ||
        a->as_of_version != b->as_of_version || a->as_of_time != b->as_of_time ||
        !expr_same(a->where, b->where) || !expr_same(a->having, b->having))
        return false;
    for (int i = 0; i < a->nselect; i++)
        if (!expr_same(a->select[i].expr, b->select[i].expr) ||
            !str_same(a->select[i].alias, b->select[i].alias))
            return false;
    for (int i = 0; i < a->ngroup; i++)
        if (!expr_same(a->group[i], b->group[i]))
            return false;
    for (int i = 0; i < a->norder; i++)
        if (!expr_same(a->order[i].expr, b->order[i].expr) || a->order[i].desc != b->order[i].desc)
            return false;
    return true;
}

/* The plan as SQL (malloc'd). */
static char *to_sql(const ria_plan *p)
{
    ria_buf b;
    ria_buf_init(&b, 0);
    ria_plan_sql(p, &b);
    ria_buf_putc(&b, 0);
    return ria_buf_steal(&b);
}

/* Prints p, parses the text, and checks the tree and the text come back the
 * same.  Returns NULL on success or a malloc'd description of the problem. */
static char *round_trip(const ria_plan *p)
{
    char *t1 = to_sql(p), *t2 = NULL, *why = NULL;
    ria_arena a;
    ria_arena_init(&a, 1 << 14);
    ria_plan *q;
    ria_sql_error err;
    if (ria_sql_parse(t1, &a, &q, &err) != RIA_OK) {
        ria_buf b;
        ria_buf_init(&b, 0);
        ria_buf_printf(&b, "printed text does not parse: %s (at %u) in: %s", err.msg, err.pos, t1);
        ria_buf_putc(&b, 0);
        why = ria_buf_steal(&b);
        goto done;
    }
    t2 = to_sql(q);
    if (!plan_same(p, q) || strcmp(t1, t2) != 0) {
        ria_buf b;
        ria_buf_init(&b, 0);
        ria_buf_printf(&b, "round trip differs:\n      %s\n      %s", t1, t2);
        ria_buf_putc(&b, 0);
        why = ria_buf_steal(&b);
    }
done:
    free(t1);
    free(t2);
    ria_arena_free(&a);
    return why;
}

/* Parses sql into a (which the caller frees); NULL and a report on failure. */
static ria_plan *must_parse(ria_arena *a, const char *sql)
{
    ria_plan *p;
    ria_sql_error err;
    if (ria_sql_parse(sql, a, &p, &err) != RIA_OK) {
        fprintf(stderr, "    parse failed: %s (at %u): %s\n", err.msg, err.pos, sql);
        return NULL;
    }
    return p;
}

/* Parses, round-trips and returns the canonical text of sql (malloc'd). */
static char *canonical(const char *sql)
{
    ria_arena a;
    ria_arena_init(&a, 1 << 14);
    ria_plan *p = must_parse(&a, sql);
    char *text = NULL;
    if (p) {
        char *why = round_trip(p);
        if (why) {
            fprintf(stderr, "    %s\n", why);
            free(why);
        } else {
            text = to_sql(p);
        }
    }
    ria_arena_free(&a);
    return text;
}

#define CHECK_CANON(sql, want)                                                             \
    do {                                                                                   \
        char *got_ = canonical(sql);                                                       \
        bool ok_ = got_ && strcmp(got_, want) == 0;                                        \
        if (!ok_)                                                                          \
            test_failed(__FILE__, __LINE__, "canonical(%s):\n      got  %s\n      want %s", \
                        sql, got_ ? got_ : "(error)", want);                               \
        free(got_);                                                                        \
        if (!ok_)                                                                          \
            return;                                                                        \
    } while (0)

/* The WHERE expression of "SELECT 1 FROM sales WHERE <e>". */
static const ria_expr *where_of(ria_arena *a, const char *e)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT 1 FROM sales WHERE %s", e);
    ria_plan *p = must_parse(a, sql);
    return p ? p->where : NULL;
}

/* The first select item of "SELECT <e> FROM sales". */
static const ria_expr *item_of(ria_arena *a, const char *e)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT %s FROM sales", e);
    ria_plan *p = must_parse(a, sql);
    return p ? p->select[0].expr : NULL;
}

static bool is_col(const ria_expr *e, const char *name)
{
    return e && e->kind == RIA_X_COLUMN && strcmp(e->name, name) == 0 && e->col == -1;
}

static bool is_bin(const ria_expr *e, ria_op op)
{
    return e && e->kind == RIA_X_BINARY && e->op == op && e->nargs == 2;
}

static bool is_int(const ria_expr *e, int64_t v)
{
    return e && e->kind == RIA_X_LITERAL && e->lit.type == RIA_V_INT && e->lit.i == v;
}

/* ------------------------------------------------------------------ bench */

TEST(sql_bench_queries_parse_and_round_trip)
{
    for (size_t i = 0; i < RIA_ARRAY_LEN(bench); i++) {
        ria_arena a;
        ria_arena_init(&a, 1 << 14);
        ria_plan *p = must_parse(&a, bench[i]);
        CHECK_MSG(p, "bench query %zu", i + 1);
        char *why = round_trip(p);
        CHECK_MSG(!why, "Q%zu: %s", i + 1, why);
        ria_arena_free(&a);
    }
}

TEST(sql_bench_queries_shapes)
{
    ria_arena a;
    ria_arena_init(&a, 1 << 14);
    ria_plan *p = must_parse(&a, bench[1]); /* revenue by category */
    CHECK(p && p->nselect == 2 && p->ngroup == 1 && p->norder == 1 && p->limit == -1);
    CHECK(is_col(p->group[0], "category"));
    CHECK(is_col(p->order[0].expr, "revenue") && p->order[0].desc);
    CHECK_EQ_STR(p->select[1].alias, "revenue");
    CHECK(p->select[1].expr->kind == RIA_X_AGG && p->select[1].expr->agg == RIA_AGG_SUM);
    CHECK_EQ_STR(p->table, "sales");
    CHECK(p->arena == &a);

    p = must_parse(&a, bench[3]); /* GROUP BY aliases stay names */
    CHECK(p && p->ngroup == 2 && is_col(p->group[0], "y") && is_col(p->group[1], "m"));
    CHECK(p->select[0].expr->kind == RIA_X_FUNC && p->select[0].expr->func == RIA_F_YEAR);

    p = must_parse(&a, bench[4]);
    CHECK(p && p->limit == 5 && p->offset == 0);

    p = must_parse(&a, bench[8]); /* count(DISTINCT order_id) */
    CHECK(p && p->select[0].expr->kind == RIA_X_AGG && p->select[0].expr->agg == RIA_AGG_COUNT);
    CHECK(p->select[0].expr->distinct && !p->select[0].expr->star);
    CHECK(p->where && is_bin(p->where, RIA_OP_AND) && is_bin(p->where->args[1], RIA_OP_NE));

    p = must_parse(&a, bench[10]); /* share of total: a scalar subquery */
    const ria_expr *div = p ? p->select[1].expr : NULL;
    CHECK(is_bin(div, RIA_OP_DIV) && div->args[1]->kind == RIA_X_SUBQUERY);
    const ria_plan *sub = div->args[1]->sub;
    CHECK(sub && sub->nselect == 1 && !sub->where && sub->limit == -1 && sub->arena == &a);
    CHECK_EQ_INT(div->args[1]->pos, 30);

    p = must_parse(&a, bench[11]);
    const ria_expr *cast = p ? p->select[0].expr : NULL;
    CHECK(cast && cast->kind == RIA_X_FUNC && cast->func == RIA_F_CAST &&
          cast->cast_type == RIA_V_DATE && is_col(cast->args[0], "order_date"));
    ria_arena_free(&a);
}

/* Reads the shared bench file when it can be found: every query in it must
 * parse and round-trip. */
TEST(sql_bench_file)
{
    const char *shared = getenv("RIA_SHARED");
    char path[1024];
    snprintf(path, sizeof path, "%s/bench/queries.sql", shared ? shared : "../shared");
    char *text;
    size_t len;
    ria_error err;
    if (ria_read_file(path, 1 << 20, &text, &len, &err) != RIA_OK) {
        fprintf(stderr, "    (skipped: %s not found)\n", path);
        return;
    }
    int n = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "--", 2) == 0 || !line[0])
            continue;
        ria_arena a;
        ria_arena_init(&a, 1 << 14);
        ria_plan *p = must_parse(&a, line);
        char *why = p ? round_trip(p) : NULL;
        ria_arena_free(&a);
        if (!p || why)
            test_failed(__FILE__, __LINE__, "%s: %s", line, why ? why : "parse failed");
        free(why);
        n++;
    }
    free(text);
    CHECK_EQ_INT(n, 12);
}

/* -------------------------------------------------------------- literals */

TEST(sql_literals)
{
    ria_arena a;
    ria_arena_init(&a, 1 << 14);
    const ria_expr *e = item_of(&a, "42");
    CHECK(is_int(e, 42));
    e = item_of(&a, "-9223372036854775808");
    CHECK(is_int(e, INT64_MIN) && e->pos == 7);
    e = item_of(&a, "12.5");
    CHECK(e && e->lit.type == RIA_V_DEC && e->lit.i == 125000);
    e = item_of(&a, "1.5e2");
    CHECK(e && e->lit.type == RIA_V_DEC && e->lit.i == 1500000);
    e = item_of(&a, ".25");
    CHECK(e && e->lit.type == RIA_V_DEC && e->lit.i == 2500);
    e = item_of(&a, "-0.0001");
    CHECK(e && e->lit.type == RIA_V_DEC && e->lit.i == -1);
    e = item_of(&a, "'it''s'");
    CHECK(e && e->lit.type == RIA_V_TEXT && e->lit.n == 4 && memcmp(e->lit.s, "it's", 4) == 0);
    e = item_of(&a, "''");
    CHECK(e && e->lit.type == RIA_V_TEXT && e->lit.n == 0);
    e = item_of(&a, "'2024-01-01'"); /* stays text: the binder coerces it */
    CHECK(e && e->lit.type == RIA_V_TEXT && e->lit.n == 10);
    e = item_of(&a, "DATE '2024-01-01'");
    CHECK(e && e->lit.type == RIA_V_DATE && e->lit.i == ria_days_from_civil(2024, 1, 1));
    e = item_of(&a, "date '1969-12-31'");
    CHECK(e && e->lit.type == RIA_V_DATE && e->lit.i == -1);
    e = item_of(&a, "TIMESTAMP '2024-01-01 10:00:00'");
    CHECK(e && e->lit.type == RIA_V_TS &&
          e->lit.i == ria_days_from_civil(2024, 1, 1) * RIA_SECS_PER_DAY + 36000);
    e = item_of(&a, "TIMESTAMP '2024-01-02'");
    CHECK(e && e->lit.type == RIA_V_TS && e->lit.i == ria_days_from_civil(2024, 1, 2) * 86400);
    e = item_of(&a, "TRUE");
    CHECK(e && e->lit.type == RIA_V_BOOL && e->lit.i == 1);
    e = item_of(&a, "false");
    CHECK(e && e->lit.type == RIA_V_BOOL && e->lit.i == 0);
    e = item_of(&a, "NULL");
    CHECK(e && e->lit.type == RIA_V_NULL && e->lit.is_null);
    ria_arena_free(&a);

    CHECK_CANON("SELECT 1.50, 2., 1e3, -0.5, 'a''b', DATE '2024-1-5', timestamp '2024-01-01 "
                "23:59:59', true, null FROM sales",
                "SELECT 1.5, 2.0, 1000.0, -0.5, 'a''b', DATE '2024-01-05', TIMESTAMP '2024-01-01 "
                "23:59:59', TRUE, NULL FROM sales");
    CHECK_CANON("SELECT - 2, -(2), - -2, -x, - -x, -(-x) FROM sales",
                "SELECT -2, -(2), - -2, -x, - -x, - -x FROM sales");
}

/* ----------------------------------------------------------- identifiers */

TEST(sql_identifiers)
{
    ria_arena a;
    ria_arena_init(&a, 1 << 14);
    CHECK(is_col(item_of(&a, "\"Ship Mode\""), "Ship Mode"));
    CHECK(is_col(item_of(&a, "`Ship Mode`"), "Ship Mode"));
    CHECK(is_col(item_of(&a, "\"a\"\"b\""), "a\"b"));
    CHECK(is_col(item_of(&a, "Amount"), "Amount"));
    CHECK(is_col(item_of(&a, "sales.amount"), "amount"));
    CHECK(is_col(item_of(&a, "SALES.\"Ship Mode\""), "Ship Mode"));
    CHECK(is_col(item_of(&a, "date"), "date")); /* not a literal without a string */
    CHECK(is_col(item_of(&a, "year"), "year")); /* not a call without '(' */
    ria_plan *p = must_parse(&a, "SELECT s.amount FROM sales s WHERE S.region = 'West'");
    CHECK(p && is_col(p->select[0].expr, "amount") && is_col(p->where->args[0], "region"));
    p = must_parse(&a, "SELECT x.amount FROM sales AS x");
    CHECK(p && is_col(p->select[0].expr, "amount"));
    p = must_parse(&a, "SELECT \"t\".amount FROM sales \"t\"");
    CHECK(p && is_col(p->select[0].expr, "amount"));
    ria_arena_free(&a);

    CHECK_CANON("SELECT \"Ship Mode\", `order`, \"a\"\"b\", \"x1\", \"1x\", \"Sum\" FROM sales",
                "SELECT \"Ship Mode\", \"order\", \"a\"\"b\", x1, \"1x\", Sum FROM sales");
    CHECK_CANON("SELECT amount AS \"Total Revenue\", amount total, amount AS \"select\" FROM sales",
                "SELECT amount AS \"Total Revenue\", amount AS total, amount AS \"select\" FROM "
                "sales");
}

/* ------------------------------------------------------------- operators */

TEST(sql_precedence)
{
    ria_arena a;
    ria_arena_init(&a, 1 << 14);
    const ria_expr *e = where_of(&a, "a OR b AND c");
    CHECK(is_bin(e, RIA_OP_OR) && is_col(e->args[0], "a") && is_bin(e->args[1], RIA_OP_AND));
    e = where_of(&a, "a AND b OR c");
    CHECK(is_bin(e, RIA_OP_OR) && is_bin(e->args[0], RIA_OP_AND));
    e = item_of(&a, "-x * y");
    CHECK(is_bin(e, RIA_OP_MUL) && e->args[0]->kind == RIA_X_UNARY &&
          e->args[0]->op == RIA_OP_NEG && is_col(e->args[0]->args[0], "x"));
    e = where_of(&a, "NOT a = b");
    CHECK(e && e->kind == RIA_X_UNARY && e->op == RIA_OP_NOT && is_bin(e->args[0], RIA_OP_EQ));
    e = where_of(&a, "NOT a AND b");
    CHECK(is_bin(e, RIA_OP_AND) && e->args[0]->kind == RIA_X_UNARY);
    e = item_of(&a, "a + b * c");
    CHECK(is_bin(e, RIA_OP_ADD) && is_bin(e->args[1], RIA_OP_MUL));
    e = item_of(&a, "a - b - c");
    CHECK(is_bin(e, RIA_OP_SUB) && is_bin(e->args[0], RIA_OP_SUB) && is_col(e->args[1], "c"));
    e = item_of(&a, "a / b % c * d");
    CHECK(is_bin(e, RIA_OP_MUL) && is_bin(e->args[0], RIA_OP_MOD) &&
          is_bin(e->args[0]->args[0], RIA_OP_DIV));
    e = where_of(&a, "a || b = c || 'x'");
    CHECK(is_bin(e, RIA_OP_EQ) && is_bin(e->args[0], RIA_OP_CONCAT) &&
          is_bin(e->args[1], RIA_OP_CONCAT));
    e = where_of(&a, "a + 1 || b");
    CHECK(is_bin(e, RIA_OP_CONCAT) && is_bin(e->args[0], RIA_OP_ADD));
    e = item_of(&a, "-2 * y"); /* a negative literal, not NEG(2) */
    CHECK(is_bin(e, RIA_OP_MUL) && is_int(e->args[0], -2));
    e = item_of(&a, "x - -2");
    CHECK(is_bin(e, RIA_OP_SUB) && is_int(e->args[1], -2));
    e = item_of(&a, "-(2)");
    CHECK(e && e->kind == RIA_X_UNARY && is_int(e->args[0], 2));
    e = item_of(&a, "+x");
    CHECK(is_col(e, "x"));
    e = where_of(&a, "x BETWEEN 1 AND 2 AND y");
    CHECK(is_bin(e, RIA_OP_AND) && e->args[0]->kind == RIA_X_BETWEEN);
    e = where_of(&a, "a + b IS NULL");
    CHECK(e && e->kind == RIA_X_IS_NULL && is_bin(e->args[0], RIA_OP_ADD));
    e = item_of(&a, "-x::text");
    CHECK(e && e->kind == RIA_X_UNARY && e->args[0]->func == RIA_F_CAST);

    /* each node starts where its text starts, parentheses included */
    e = item_of(&a, "(a + b) * c");
    CHECK(is_bin(e, RIA_OP_MUL) && e->pos == 7 && e->args[0]->pos == 8 && e->args[1]->pos == 17);
    e = item_of(&a, "(x)::int = -y");
    CHECK(is_bin(e, RIA_OP_EQ) && e->pos == 7 && e->args[0]->pos == 7 &&
          e->args[0]->args[0]->pos == 8 && e->args[1]->pos == 18);
    e = where_of(&a, "(a) NOT BETWEEN 1 AND 2");
    CHECK(e && e->kind == RIA_X_BETWEEN && e->pos == 26 && e->args[0]->pos == 27);
    ria_arena_free(&a);

    CHECK_CANON("SELECT (a + b) * c, a + (b * c), a - (b - c), (a - b) - c, -(a + b), NOT (a AND "
                "b), (a OR b) AND c, (a = b) = c, a = (b = c), a || (b || c), -x * y FROM sales",
                "SELECT (a + b) * c, a + b * c, a - (b - c), a - b - c, -(a + b), NOT (a AND b), "
                "(a OR b) AND c, (a = b) = c, a = (b = c), a || (b || c), -x * y FROM sales");
    CHECK_CANON("SELECT 1 FROM sales WHERE NOT NOT a = b AND (x IS NULL) IS NOT NULL",
                "SELECT 1 FROM sales WHERE NOT NOT a = b AND (x IS NULL) IS NOT NULL");
}

TEST(sql_predicates)
{
    ria_arena a;
    ria_arena_init(&a, 1 << 14);
    const ria_expr *e = where_of(&a, "region IN ('West', 'East', 'North')");
    CHECK(e && e->kind == RIA_X_IN && e->nargs == 4 && !e->negated && is_col(e->args[0], "region"));
    CHECK(e->args[3]->lit.type == RIA_V_TEXT && e->args[3]->pos == 53);
    e = where_of(&a, "x NOT IN (1)");
    CHECK(e && e->kind == RIA_X_IN && e->nargs == 2 && e->negated && is_int(e->args[1], 1));
    e = where_of(&a, "x BETWEEN 1 AND 10");
    CHECK(e && e->kind == RIA_X_BETWEEN && !e->negated && is_int(e->args[1], 1) &&
          is_int(e->args[2], 10));
    e = where_of(&a, "x NOT BETWEEN 1 + 1 AND 10");
    CHECK(e && e->kind == RIA_X_BETWEEN && e->negated && is_bin(e->args[1], RIA_OP_ADD));
    e = where_of(&a, "sku LIKE 'AB%'");
    CHECK(e && e->kind == RIA_X_LIKE && !e->negated && e->args[1]->lit.type == RIA_V_TEXT);
    e = where_of(&a, "sku NOT LIKE '%x_'");
    CHECK(e && e->kind == RIA_X_LIKE && e->negated);
    e = where_of(&a, "x IS NULL");
    CHECK(e && e->kind == RIA_X_IS_NULL && !e->negated && e->nargs == 1);
    e = where_of(&a, "x IS NOT NULL");
    CHECK(e && e->kind == RIA_X_IS_NULL && e->negated);
    e = where_of(&a, "a <> b AND a != b AND a <= b AND a >= b AND a < b AND a > b");
    CHECK(is_bin(e, RIA_OP_AND) && is_bin(e->args[1], RIA_OP_GT));
    e = where_of(&a, "x IN ((SELECT max(amount) FROM sales), 2)");
    CHECK(e && e->kind == RIA_X_IN && e->args[1]->kind == RIA_X_SUBQUERY);
    ria_arena_free(&a);
    CHECK_CANON("SELECT 1 FROM sales WHERE a != 1 AND b NOT  IN (1,2) AND c not between 1 and 2 "
                "AND d not like 'x' AND e is not null",
                "SELECT 1 FROM sales WHERE a <> 1 AND b NOT IN (1, 2) AND c NOT BETWEEN 1 AND 2 "
                "AND d NOT LIKE 'x' AND e IS NOT NULL");
}

TEST(sql_case)
{
    ria_arena a;
    ria_arena_init(&a, 1 << 14);
    const ria_expr *e = item_of(&a, "CASE WHEN x > 1 THEN 'big' WHEN x > 0 THEN 'small' END");
    CHECK(e && e->kind == RIA_X_CASE && e->nargs == 4 && !e->has_else);
    CHECK(is_bin(e->args[0], RIA_OP_GT) && e->args[1]->lit.type == RIA_V_TEXT);
    e = item_of(&a, "CASE WHEN x THEN 1 ELSE 2 END");
    CHECK(e && e->kind == RIA_X_CASE && e->nargs == 3 && e->has_else && is_int(e->args[2], 2));
    e = item_of(&a, "CASE region WHEN 'West' THEN 1 WHEN 'East' THEN 2 ELSE 0 END");
    CHECK(e && e->kind == RIA_X_CASE && e->nargs == 5 && e->has_else);
    CHECK(is_bin(e->args[0], RIA_OP_EQ) && is_col(e->args[0]->args[0], "region"));
    CHECK(is_bin(e->args[2], RIA_OP_EQ) && is_col(e->args[2]->args[0], "region"));
    CHECK(e->args[0]->args[0] != e->args[2]->args[0]); /* copies, not shared */
    ria_arena_free(&a);
    CHECK_CANON("SELECT CASE year(d) WHEN 2024 THEN 1 END FROM sales",
                "SELECT CASE WHEN year(d) = 2024 THEN 1 END FROM sales");
    CHECK_CANON("SELECT CASE a OR b WHEN c THEN (SELECT max(x) FROM sales) END FROM sales",
                "SELECT CASE WHEN (a OR b) = c THEN (SELECT max(x) FROM sales) END FROM sales");
}

/* ------------------------------------------------------------- functions */

TEST(sql_functions)
{
    static const struct {
        const char *text;
        ria_xkind kind;
        int id; /* ria_func or ria_agg */
        int nargs;
    } cases[] = {
        {"sum(x)", RIA_X_AGG, RIA_AGG_SUM, 1},
        {"COUNT(x)", RIA_X_AGG, RIA_AGG_COUNT, 1},
        {"count(*)", RIA_X_AGG, RIA_AGG_COUNT, 0},
        {"Avg(x)", RIA_X_AGG, RIA_AGG_AVG, 1},
        {"min(x)", RIA_X_AGG, RIA_AGG_MIN, 1},
        {"max(x)", RIA_X_AGG, RIA_AGG_MAX, 1},
        {"year(d)", RIA_X_FUNC, RIA_F_YEAR, 1},
        {"quarter(d)", RIA_X_FUNC, RIA_F_QUARTER, 1},
        {"month(d)", RIA_X_FUNC, RIA_F_MONTH, 1},
        {"week(d)", RIA_X_FUNC, RIA_F_WEEK, 1},
        {"day(d)", RIA_X_FUNC, RIA_F_DAY, 1},
        {"dayofmonth(d)", RIA_X_FUNC, RIA_F_DAY, 1},
        {"hour(d)", RIA_X_FUNC, RIA_F_HOUR, 1},
        {"minute(d)", RIA_X_FUNC, RIA_F_MINUTE, 1},
        {"dayofweek(d)", RIA_X_FUNC, RIA_F_DOW, 1},
        {"DOW(d)", RIA_X_FUNC, RIA_F_DOW, 1},
        {"dayofyear(d)", RIA_X_FUNC, RIA_F_DOY, 1},
        {"doy(d)", RIA_X_FUNC, RIA_F_DOY, 1},
        {"EXTRACT(year FROM d)", RIA_X_FUNC, RIA_F_YEAR, 1},
        {"extract(DOW from d)", RIA_X_FUNC, RIA_F_DOW, 1},
        {"extract('month' from d)", RIA_X_FUNC, RIA_F_MONTH, 1},
        {"date_trunc('month', d)", RIA_X_FUNC, RIA_F_DATE_TRUNC, 1},
        {"coalesce(a, b, c)", RIA_X_FUNC, RIA_F_COALESCE, 3},
        {"ifnull(a, b)", RIA_X_FUNC, RIA_F_COALESCE, 2},
        {"nullif(a, 0)", RIA_X_FUNC, RIA_F_NULLIF, 2},
        {"abs(a)", RIA_X_FUNC, RIA_F_ABS, 1},
        {"round(a)", RIA_X_FUNC, RIA_F_ROUND, 1},
        {"round(a, 2)", RIA_X_FUNC, RIA_F_ROUND, 2},
        {"lower(a)", RIA_X_FUNC, RIA_F_LOWER, 1},
        {"UPPER(a)", RIA_X_FUNC, RIA_F_UPPER, 1},
        {"length(a)", RIA_X_FUNC, RIA_F_LENGTH, 1},
        {"greatest(a, b)", RIA_X_FUNC, RIA_F_GREATEST, 2},
        {"least(a, b, 1)", RIA_X_FUNC, RIA_F_LEAST, 3},
        {"date(d)", RIA_X_FUNC, RIA_F_CAST, 1},
        {"CAST(d AS DATE)", RIA_X_FUNC, RIA_F_CAST, 1},
        {"d::date", RIA_X_FUNC, RIA_F_CAST, 1},
    };
    ria_arena a;
    ria_arena_init(&a, 1 << 14);
    for (size_t i = 0; i < RIA_ARRAY_LEN(cases); i++) {
        const ria_expr *e = item_of(&a, cases[i].text);
        CHECK_MSG(e && e->kind == cases[i].kind && e->nargs == cases[i].nargs &&
                      (e->kind == RIA_X_AGG ? (int)e->agg : (int)e->func) == cases[i].id,
                  "%s", cases[i].text);
        CHECK_MSG(e->pos == 7, "%s: pos %u", cases[i].text, e->pos);
    }
    const ria_expr *e = item_of(&a, "count(*)");
    CHECK(e && e->star && !e->distinct);
    e = item_of(&a, "count(DISTINCT sku)");
    CHECK(e && e->distinct && !e->star && is_col(e->args[0], "sku"));
    e = item_of(&a, "date_trunc('Quarter', order_date)");
    CHECK(e && e->unit == RIA_TU_QUARTER && is_col(e->args[0], "order_date"));
    e = item_of(&a, "date(d)");
    CHECK(e && e->cast_type == RIA_V_DATE);
    ria_arena_free(&a);
    CHECK_CANON("SELECT DayOfMonth(d), dow(d), DOY(d), IFNULL(a, 0), EXTRACT(week FROM d), "
                "date_trunc('YEAR', d), date(d), COUNT(*), Count(distinct x) FROM sales",
                "SELECT day(d), dayofweek(d), dayofyear(d), coalesce(a, 0), week(d), "
                "date_trunc('year', d), CAST(d AS DATE), count(*), count(DISTINCT x) FROM sales");
}

TEST(sql_casts)
{
    static const struct {
        const char *type;
        ria_vtype want;
    } cases[] = {
        {"DATE", RIA_V_DATE},          {"timestamp", RIA_V_TS},
        {"INT", RIA_V_INT},            {"integer", RIA_V_INT},
        {"BIGINT", RIA_V_INT},         {"DECIMAL", RIA_V_DEC},
        {"numeric(12, 4)", RIA_V_DEC}, {"decimal(18)", RIA_V_DEC},
        {"DOUBLE", RIA_V_DOUBLE},      {"double precision", RIA_V_DOUBLE},
        {"REAL", RIA_V_DOUBLE},        {"float", RIA_V_DOUBLE},
        {"TEXT", RIA_V_TEXT},          {"VARCHAR", RIA_V_TEXT},
        {"varchar(20)", RIA_V_TEXT},   {"STRING", RIA_V_TEXT},
        {"BOOLEAN", RIA_V_BOOL},
    };
    ria_arena a;
    ria_arena_init(&a, 1 << 14);
    for (size_t i = 0; i < RIA_ARRAY_LEN(cases); i++) {
        char text[96];
        snprintf(text, sizeof text, "CAST(x AS %s)", cases[i].type);
        const ria_expr *e = item_of(&a, text);
        CHECK_MSG(e && e->kind == RIA_X_FUNC && e->func == RIA_F_CAST &&
                      e->cast_type == cases[i].want && is_col(e->args[0], "x"),
                  "%s", text);
        snprintf(text, sizeof text, "x::%s", cases[i].type);
        e = item_of(&a, text);
        CHECK_MSG(e && e->func == RIA_F_CAST && e->cast_type == cases[i].want, "%s", text);
    }
    /* DECIMAL(p, s) rounds to s places */
    const ria_expr *e = item_of(&a, "CAST(x AS DECIMAL(10, 2))");
    CHECK(e && e->func == RIA_F_ROUND && e->nargs == 2 && is_int(e->args[1], 2));
    CHECK(e->args[0]->func == RIA_F_CAST && e->args[0]->cast_type == RIA_V_DEC);
    ria_arena_free(&a);
    CHECK_CANON("SELECT x::int::text, CAST(x AS numeric(10,2)), CAST(x AS VARCHAR(3)), y::double "
                "precision FROM sales",
                "SELECT CAST(CAST(x AS INTEGER) AS TEXT), round(CAST(x AS DECIMAL), 2), CAST(x AS "
                "TEXT), CAST(y AS DOUBLE) FROM sales");
}

/* ---------------------------------------------------------------- clauses */

TEST(sql_clauses)
{
    ria_arena a;
    ria_arena_init(&a, 1 << 14);
    ria_plan *p = must_parse(
        &a, "select distinct region, sum(amount) total from SALES where amount > 0 group by "
            "region, 1 having sum(amount) > 100 order by 2 desc, region asc limit 10 offset 20");
    CHECK(p && p->distinct && p->nselect == 2 && p->ngroup == 2 && p->norder == 2);
    CHECK(is_col(p->group[0], "region") && is_int(p->group[1], 1)); /* ordinal stays a literal */
    CHECK(is_int(p->order[0].expr, 2) && p->order[0].desc && !p->order[1].desc);
    CHECK(p->having && is_bin(p->having, RIA_OP_GT) && p->limit == 10 && p->offset == 20);
    CHECK_EQ_STR(p->select[1].alias, "total");
    CHECK(p->select[0].alias == NULL);

    p = must_parse(&a, "SELECT sum(amount) FROM sales AS OF VERSION 7");
    CHECK(p && p->as_of_version == 7 && p->as_of_time == 0);
    p = must_parse(&a, "SELECT sum(amount) FROM sales AS OF TIMESTAMP '2024-03-01 12:00:00' s "
                       "WHERE s.amount > 0");
    CHECK(p && p->as_of_time == ria_days_from_civil(2024, 3, 1) * RIA_SECS_PER_DAY + 43200);
    p = must_parse(&a, "SELECT sum(amount) FROM sales s AS OF TIMESTAMP '2024-03-01'");
    CHECK(p && p->as_of_time == ria_days_from_civil(2024, 3, 1) * RIA_SECS_PER_DAY);
    p = must_parse(&a, "SELECT 1 FROM sales OFFSET 5");
    CHECK(p && p->limit == -1 && p->offset == 5);
    p = must_parse(&a, "SELECT 1 FROM sales LIMIT 0;;");
    CHECK(p && p->limit == 0);
    p = must_parse(&a, "SELECT ALL x FROM sales");
    CHECK(p && !p->distinct);
    ria_arena_free(&a);

    CHECK_CANON("select a from sales as of version 3 s where s.a = 1",
                "SELECT a FROM sales AS OF VERSION 3 WHERE a = 1");
    CHECK_CANON("select a from sales as of timestamp '2024-01-01' limit 1 offset 0",
                "SELECT a FROM sales AS OF TIMESTAMP '2024-01-01 00:00:00' LIMIT 1");
    CHECK_CANON("SELECT region, count(*) FROM sales GROUP BY 1 HAVING count(*) > 2 ORDER BY 2 "
                "DESC, 1 LIMIT 3 OFFSET 4",
                "SELECT region, count(*) FROM sales GROUP BY 1 HAVING count(*) > 2 ORDER BY 2 "
                "DESC, 1 LIMIT 3 OFFSET 4");
}

TEST(sql_comments_and_spacing)
{
    CHECK_CANON("-- leading comment\nSELECT /* inline */ a -- trailing\n,\tb\r\nFROM sales /**/;"
                " -- after",
                "SELECT a, b FROM sales");
    CHECK_CANON("SELECT a/*x*/FROM sales", "SELECT a FROM sales");
    CHECK_CANON("SELECT 1-1, 1 - -1, a--comment\nFROM sales",
                "SELECT 1 - 1, 1 - -1, a FROM sales");
}

TEST(sql_subqueries)
{
    ria_arena a;
    ria_arena_init(&a, 1 << 14);
    ria_plan *p = must_parse(&a, "SELECT region FROM sales WHERE amount > (SELECT avg(amount) "
                                 "FROM sales WHERE region = 'West') AND 1 = (SELECT 1 FROM sales "
                                 "s WHERE s.x = (SELECT max(sales.x) FROM sales))");
    CHECK(p && is_bin(p->where, RIA_OP_AND));
    const ria_expr *sq = p->where->args[0]->args[1];
    CHECK(sq->kind == RIA_X_SUBQUERY && sq->sub->where && sq->pos == 40);
    ria_arena_free(&a);
    CHECK_CANON("SELECT ((SELECT 1 FROM sales)), -(SELECT 2 FROM sales) FROM sales",
                "SELECT (SELECT 1 FROM sales), -(SELECT 2 FROM sales) FROM sales");
}

/* ---------------------------------------------------------------- errors */

typedef struct {
    const char *sql;
    ria_status code;
    uint32_t pos;
    const char *msg; /* exact message, or a prefix when it ends with '*' */
} err_case;

static bool msg_matches(const char *got, const char *want)
{
    size_t n = strlen(want);
    if (n > 0 && want[n - 1] == '*')
        return strncmp(got, want, n - 1) == 0;
    return strcmp(got, want) == 0;
}

static void check_errors(const char *file, int line, const err_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ria_arena a;
        ria_arena_init(&a, 1 << 12);
        ria_plan *p = (ria_plan *)&a; /* must be reset to NULL */
        ria_sql_error err;
        ria_status rc = ria_sql_parse(cases[i].sql, &a, &p, &err);
        if (rc != cases[i].code || err.code != rc || err.pos != cases[i].pos || p != NULL ||
            !msg_matches(err.msg, cases[i].msg))
            test_failed(file, line, "%s\n      got  %d at %u: %s\n      want %d at %u: %s",
                        cases[i].sql, rc, err.pos, err.msg, cases[i].code, cases[i].pos,
                        cases[i].msg);
        ria_arena_free(&a);
    }
}

#define CHECK_ERRORS(cases) check_errors(__FILE__, __LINE__, cases, RIA_ARRAY_LEN(cases))

TEST(sql_syntax_errors)
{
    static const err_case cases[] = {
        {"SELECT a WHERE x", RIA_EPARSE, 9, "expected FROM, found 'WHERE'"},
        {"SELECT 'abc FROM sales", RIA_EPARSE, 7, "unterminated string literal"},
        {"SELECT (a + b FROM sales", RIA_EPARSE, 14,
         "expected ')' to close '(' at 7, found 'FROM'"},
        {"SELECT sum(a FROM sales", RIA_EPARSE, 13,
         "expected ',' or ')' to close '(' at 10, found 'FROM'"},
        {"SELECT a FROM", RIA_EPARSE, 13, "expected the table name sales, found end of input"},
        {"SELECT a, FROM sales", RIA_EPARSE, 10, "expected an expression, found 'FROM'"},
        {"SELECT a FROM sales WHERE", RIA_EPARSE, 25, "expected an expression, found end of input"},
        {"SELECT a FROM sales WHERE a = b = c", RIA_EPARSE, 32,
         "expected AND or OR between comparisons, found '='"},
        {"SELECT a FROM sales GROUP a", RIA_EPARSE, 26, "expected BY, found 'a'"},
        {"SELECT a FROM sales GROUP BY a WHERE b", RIA_EPARSE, 31,
         "expected HAVING, ORDER BY, LIMIT, OFFSET or end of input, found 'WHERE'"},
        {"SELECT a FROM sales x y", RIA_EPARSE, 22,
         "expected WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET or end of input, found 'y'"},
        {"SELECT a FROM sales LIMIT 5 OFFSET 1 2", RIA_EPARSE, 37,
         "expected end of input, found '2'"},
        {"SELECT a FROM sales LIMIT -1", RIA_EPARSE, 26,
         "expected a row count after LIMIT, found '-'"},
        {"SELECT a FROM sales WHERE a ? 3", RIA_EPARSE, 28, "unexpected character '?'"},
        {"SELECT a FROM sales WHERE a = 1 /* open", RIA_EPARSE, 32, "unterminated comment"},
        {"SELECT \"Ship Mode FROM sales", RIA_EPARSE, 7, "unterminated quoted identifier"},
        {"SELECT 12abc FROM sales", RIA_EPARSE, 7, "malformed number '12abc'"},
        {"SELECT \"\" FROM sales", RIA_EPARSE, 7,
         "expected a name, found an empty quoted identifier"},
        {"SELECT CASE WHEN a THEN 1 FROM sales", RIA_EPARSE, 26,
         "expected WHEN, ELSE or END, found 'FROM'"},
        {"SELECT CASE a END FROM sales", RIA_EPARSE, 14, "expected WHEN, found 'END'"},
        {"SELECT CAST(a AS money) FROM sales", RIA_EPARSE, 17,
         "expected a type (DATE, TIMESTAMP, INTEGER, DECIMAL, DOUBLE, TEXT or BOOLEAN), found "
         "'money'"},
        {"SELECT CAST(a, b) FROM sales", RIA_EPARSE, 13, "expected AS, found ','"},
        {"SELECT year(a, b) FROM sales", RIA_EPARSE, 15, "expected 1 argument to year(), found 2"},
        {"SELECT round() FROM sales", RIA_EPARSE, 13,
         "expected 1 or 2 arguments to round(), found 0"},
        {"SELECT nullif(a) FROM sales", RIA_EPARSE, 15,
         "expected 2 arguments to nullif(), found 1"},
        {"SELECT coalesce() FROM sales", RIA_EPARSE, 16,
         "expected at least 1 argument to coalesce(), found 0"},
        {"SELECT date_trunc('fortnight', a) FROM sales", RIA_EPARSE, 18,
         "expected a unit 'hour', 'day', 'week', 'month', 'quarter' or 'year', found string "
         "'fortnight'"},
        {"SELECT date_trunc(a, 'month') FROM sales", RIA_EPARSE, 18,
         "expected a unit 'hour', 'day', 'week', 'month', 'quarter' or 'year', found 'a'"},
        {"SELECT EXTRACT(epoch FROM d) FROM sales", RIA_EPARSE, 15,
         "expected a date part (year, quarter, month, week, day, hour, minute, dayofweek or "
         "dayofyear), found 'epoch'"},
        {"SELECT DATE '2024-13-01' FROM sales", RIA_EPARSE, 12,
         "expected a date 'YYYY-MM-DD', found string '2024-13-01'"},
        {"SELECT DATE '2024-01-01 10:00' FROM sales", RIA_EPARSE, 12,
         "expected a date 'YYYY-MM-DD', found string '2024-01-01 10:00'"},
        {"SELECT TIMESTAMP 'noon' FROM sales", RIA_EPARSE, 17,
         "expected a timestamp 'YYYY-MM-DD HH:MM:SS', found string 'noon'"},
        {"SELECT a FROM sales WHERE a LIKE b", RIA_EPARSE, 33,
         "expected a 'pattern' string after LIKE, found 'b'"},
        {"SELECT a FROM sales WHERE a IS 1", RIA_EPARSE, 31,
         "expected NULL or NOT NULL, found '1'"},
        {"SELECT a FROM sales WHERE a IN ()", RIA_EPARSE, 32,
         "expected an expression, found ')'"},
        {"SELECT a FROM sales WHERE a IN 1", RIA_EPARSE, 31, "expected '(' after IN, found '1'"},
        {"SELECT a FROM sales AS OF VERSION 0", RIA_EPARSE, 34,
         "expected a version number, found '0' (versions start at 1)"},
        {"SELECT a FROM sales AS OF yesterday", RIA_EPARSE, 26,
         "expected VERSION or TIMESTAMP after AS OF, found 'yesterday'"},
        {"SELECT a FROM sales AS OF TIMESTAMP '1970-01-01'", RIA_EPARSE, 36,
         "expected a timestamp 'YYYY-MM-DD[ HH:MM:SS]' after 1970-01-01, found string "
         "'1970-01-01'"},
        {"SELECT a AS FROM sales", RIA_EPARSE, 12, "expected a name after AS, found 'FROM'"},
        {"SELECT s. FROM sales s", RIA_EPARSE, 10,
         "expected a column name after '.', found 'FROM'"},
        {"SELECT (SELECT 1 FROM sales x y) FROM sales", RIA_EPARSE, 30,
         "expected WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET or ')' to close '(' at 7, "
         "found 'y'"},
        {"", RIA_EPARSE, 0, "expected SELECT, found end of input"},
        {"  ;", RIA_EPARSE, 2, "expected SELECT, found ';'"},
        {"SELECT 1.23456 FROM sales", RIA_EUNSUPPORTED, 7,
         "number '1.23456' has more than 4 decimal places (decimals are exact to 4)"},
        {"SELECT 99999999999999999999 FROM sales", RIA_EUNSUPPORTED, 7,
         "integer '99999999999999999999' is out of range (64-bit)"},
        {"SELECT -9223372036854775809 FROM sales", RIA_EUNSUPPORTED, 7,
         "integer '-9223372036854775809' is out of range (64-bit)"},
        {"SELECT 1e300 FROM sales", RIA_EUNSUPPORTED, 7,
         "number '1e300' is out of range for a decimal"},
        {"SELECT x.amount FROM sales s", RIA_ENOTFOUND, 7,
         "unknown table or alias 'x': the table is called sales"},
    };
    CHECK_ERRORS(cases);
}

TEST(sql_refusals)
{
#define REFUSED_MSG "ria only runs one read-only SELECT statement; "
    static const err_case cases[] = {
        {"INSERT INTO sales VALUES (1)", RIA_EREFUSED, 0, REFUSED_MSG "found 'INSERT'"},
        {"update sales set amount = 0", RIA_EREFUSED, 0, REFUSED_MSG "found 'update'"},
        {"DELETE FROM sales", RIA_EREFUSED, 0, REFUSED_MSG "found 'DELETE'"},
        {"  DROP TABLE sales", RIA_EREFUSED, 2, REFUSED_MSG "found 'DROP'"},
        {"CREATE TABLE x (a int)", RIA_EREFUSED, 0, REFUSED_MSG "found 'CREATE'"},
        {"ALTER TABLE sales ADD c int", RIA_EREFUSED, 0, REFUSED_MSG "found 'ALTER'"},
        {"ATTACH 'x.db' AS x", RIA_EREFUSED, 0, REFUSED_MSG "found 'ATTACH'"},
        {"COPY sales TO '/tmp/x'", RIA_EREFUSED, 0, REFUSED_MSG "found 'COPY'"},
        {"PRAGMA writable_schema = 1", RIA_EREFUSED, 0, REFUSED_MSG "found 'PRAGMA'"},
        {"SET search_path = x", RIA_EREFUSED, 0, REFUSED_MSG "found 'SET'"},
        {"-- hello\nTRUNCATE sales", RIA_EREFUSED, 9, REFUSED_MSG "found 'TRUNCATE'"},
        {"SELECT a FROM sales; DROP TABLE sales", RIA_EREFUSED, 21,
         REFUSED_MSG "found a second statement after ';'"},
        {"SELECT a FROM sales;SELECT b FROM sales;", RIA_EREFUSED, 20,
         REFUSED_MSG "found a second statement after ';'"},
        {"SELECT a INTO t FROM sales", RIA_EREFUSED, 9,
         REFUSED_MSG "SELECT ... INTO is not allowed"},
        {"SELECT a FROM sales INTO t", RIA_EREFUSED, 20,
         REFUSED_MSG "SELECT ... INTO is not allowed"},
    };
    CHECK_ERRORS(cases);
}

TEST(sql_unsupported)
{
    static const err_case cases[] = {
        {"SELECT * FROM sales", RIA_EUNSUPPORTED, 7,
         "SELECT * is not supported: name the columns you want (e.g. SELECT category, "
         "sum(amount) FROM sales GROUP BY category)"},
        {"SELECT s.* FROM sales s", RIA_EUNSUPPORTED, 9, "SELECT * is not supported: *"},
        {"SELECT a FROM orders", RIA_EUNSUPPORTED, 14,
         "unknown table 'orders': ria has one table, and the table is called sales"},
        {"SELECT a FROM public.sales", RIA_EUNSUPPORTED, 14,
         "unknown table 'public.sales': ria has one table, and the table is called sales"},
        {"SELECT a FROM sales s JOIN customers c ON s.id = c.id", RIA_EUNSUPPORTED, 22,
         "joins are not supported: ria queries the one table sales"},
        {"SELECT a FROM sales LEFT JOIN x", RIA_EUNSUPPORTED, 20, "joins are not supported: *"},
        {"SELECT a FROM sales, other", RIA_EUNSUPPORTED, 19, "joins are not supported: *"},
        {"SELECT a FROM sales UNION SELECT b FROM sales", RIA_EUNSUPPORTED, 20,
         "UNION is not supported: ria runs one SELECT over sales (combine results with CASE "
         "inside aggregates, or GROUP BY)"},
        {"SELECT a FROM sales INTERSECT SELECT a FROM sales", RIA_EUNSUPPORTED, 20,
         "INTERSECT is not supported: *"},
        {"SELECT a FROM sales WHERE b = 1 EXCEPT SELECT a FROM sales", RIA_EUNSUPPORTED, 32,
         "EXCEPT is not supported: *"},
        {"WITH t AS (SELECT a FROM sales) SELECT a FROM t", RIA_EUNSUPPORTED, 0,
         "WITH (common table expressions) is not supported: write one SELECT over sales, with "
         "scalar subqueries where needed"},
        {"SELECT a FROM (SELECT a FROM sales) t", RIA_EUNSUPPORTED, 14,
         "subqueries in FROM are not supported: select from sales directly (scalar subqueries "
         "are allowed in expressions)"},
        {"SELECT sum(amount) OVER (PARTITION BY region) FROM sales", RIA_EUNSUPPORTED, 19,
         "window functions (OVER) are not supported: use GROUP BY, or a scalar subquery such as "
         "(SELECT sum(amount) FROM sales) for shares of a total"},
        {"SELECT sum(DISTINCT a) FROM sales", RIA_EUNSUPPORTED, 11,
         "DISTINCT is only supported in count(DISTINCT x), not in sum()"},
        {"SELECT median(a) FROM sales", RIA_EUNSUPPORTED, 7,
         "unknown function 'median'; the functions are: sum, count, avg, min, max, year, "
         "quarter, month, week, day, dayofmonth, hour, minute, dayofweek, dow, dayofyear, doy, "
         "date_trunc, date, coalesce, ifnull, nullif, abs, round, lower, upper, length, "
         "greatest, least, CAST, EXTRACT"},
        {"SELECT left(sku, 2) FROM sales", RIA_EUNSUPPORTED, 7, "unknown function 'left'; *"},
        {"SELECT a FROM sales WHERE a IN (SELECT a FROM sales)", RIA_EUNSUPPORTED, 32,
         "IN (SELECT ...) is not supported: list the values, or compare with a scalar subquery"},
        {"SELECT a FROM sales WHERE d > DATE '2024-01-01' - INTERVAL '1 month'",
         RIA_EUNSUPPORTED, 50, "INTERVAL is not supported: *"},
        {"SELECT (SELECT max(s.a) FROM sales t) FROM sales s", RIA_EUNSUPPORTED, 19,
         "correlated subqueries are not supported: 's' names the outer query"},
    };
    CHECK_ERRORS(cases);
}

TEST(sql_limits)
{
    ria_arena a;
    ria_arena_init(&a, 1 << 16);
    ria_buf b;
    ria_sql_error err;
    ria_plan *p;

    /* nesting: parentheses, unary operators, subqueries, long chains */
    static const char *const shapes[][2] = {
        {"(", ")"},        {"- ", ""},    {"NOT ", ""}, {"abs(", ")"},
        {"(SELECT ", " FROM sales)"},     {"1 + ", ""}, {"", "::int"},
        {"CASE WHEN 1 THEN ", " END"},
    };
    for (size_t s = 0; s < RIA_ARRAY_LEN(shapes); s++) {
        ria_buf_init(&b, 0);
        ria_buf_puts(&b, "SELECT ");
        for (int i = 0; i < 5000; i++)
            ria_buf_puts(&b, shapes[s][0]);
        ria_buf_puts(&b, "1");
        for (int i = 0; i < 5000; i++)
            ria_buf_puts(&b, shapes[s][1]);
        ria_buf_puts(&b, " FROM sales");
        ria_status rc = ria_sql_parse(b.data, &a, &p, &err);
        CHECK_MSG(rc == RIA_ELIMIT && strstr(err.msg, "nested too deeply"), "shape %zu: %d %s",
                  s, rc, err.msg);
        ria_buf_free(&b);
    }

    /* just within the limits: parses and round-trips */
    ria_buf_init(&b, 0);
    ria_buf_puts(&b, "SELECT ");
    for (int i = 0; i < 200; i++)
        ria_buf_puts(&b, "a + ");
    ria_buf_puts(&b, "a FROM sales");
    p = must_parse(&a, b.data);
    CHECK(p);
    char *why = round_trip(p);
    CHECK_MSG(!why, "%s", why);
    ria_buf_free(&b);

    /* long lists */
    ria_buf_init(&b, 0);
    ria_buf_puts(&b, "SELECT 1 FROM sales WHERE x IN (0");
    for (int i = 1; i <= 10000; i++)
        ria_buf_printf(&b, ",%d", i);
    ria_buf_puts(&b, ")");
    CHECK_EQ_INT(ria_sql_parse(b.data, &a, &p, &err), RIA_ELIMIT);
    CHECK_EQ_STR(err.msg, "list too long (more than 10000 items)");
    ria_buf_free(&b);

    /* the text itself */
    size_t big = (1u << 20) + 1;
    char *text = malloc(big + 1);
    CHECK(text);
    memset(text, ' ', big);
    memcpy(text, "SELECT 1 FROM sales", 19);
    text[big] = 0;
    CHECK_EQ_INT(ria_sql_parse(text, &a, &p, &err), RIA_ELIMIT);
    text[big - 1] = 0; /* exactly 1 MiB is fine */
    CHECK_EQ_INT(ria_sql_parse(text, &a, &p, &err), RIA_OK);
    free(text);

    CHECK_EQ_INT(ria_sql_parse(NULL, &a, &p, &err), RIA_EINVAL);
    CHECK_EQ_INT(ria_sql_parse("SELECT 1 FROM sales", &a, &p, NULL), RIA_OK);
    ria_arena_free(&a);
}

/* Deep but legal trees of every kind round-trip: printing never needs more
 * nesting than the parser allows for a tree of legal height. */
TEST(sql_deep_round_trip)
{
    static const struct {
        const char *open, *close;
        int height; /* tree levels each wrap adds */
    } wraps[] = {
        {"NOT ", "", 1},          {"- ", "", 1},           {"(", " IN (1))", 1},
        {"", "::int", 1},         {"(SELECT ", " FROM sales)", 1},
        {"(", " = 1)", 1},        {"abs(", ")", 1},        {"CASE x WHEN ", " THEN 1 END", 2},
        {"-(", ")", 1},           {"(", " IS NULL)", 1},   {"1 - (", ")", 1},
        {"(NOT ", ") IS NULL", 2},
    };
    for (size_t w = 0; w < RIA_ARRAY_LEN(wraps); w++) {
        int levels = 250 / wraps[w].height;
        ria_buf b;
        ria_buf_init(&b, 0);
        ria_buf_puts(&b, "SELECT ");
        for (int i = 0; i < levels; i++)
            ria_buf_puts(&b, wraps[w].open);
        ria_buf_puts(&b, "a");
        for (int i = 0; i < levels; i++)
            ria_buf_puts(&b, wraps[w].close);
        ria_buf_puts(&b, " FROM sales");
        ria_arena a;
        ria_arena_init(&a, 1 << 16);
        ria_plan *p = must_parse(&a, b.data);
        char *why = p ? round_trip(p) : NULL;
        ria_arena_free(&a);
        ria_buf_free(&b);
        CHECK_MSG(p && !why, "wrap %zu: %s", w, why ? why : "did not parse");
        free(why);
    }
}

/* Every prefix of every bench query either parses or fails with an offset
 * inside the text. */
TEST(sql_truncated_inputs)
{
    char text[1024];
    for (size_t q = 0; q < RIA_ARRAY_LEN(bench); q++) {
        size_t n = strlen(bench[q]);
        for (size_t k = 0; k <= n; k++) {
            memcpy(text, bench[q], k);
            text[k] = 0;
            ria_arena a;
            ria_arena_init(&a, 1 << 12);
            ria_plan *p;
            ria_sql_error err;
            ria_status rc = ria_sql_parse(text, &a, &p, &err);
            CHECK_MSG(rc == RIA_OK || (err.pos <= k && err.msg[0] && !p), "%s", text);
            ria_arena_free(&a);
        }
    }
}

/* ------------------------------------------------------- error formatting */

static char *format_error(const char *sql)
{
    ria_arena a;
    ria_arena_init(&a, 1 << 12);
    ria_plan *p;
    ria_sql_error err;
    ria_buf b;
    ria_buf_init(&b, 0);
    if (ria_sql_parse(sql, &a, &p, &err) != RIA_OK)
        ria_sql_error_format(sql, &err, &b);
    ria_buf_putc(&b, 0);
    ria_arena_free(&a);
    return ria_buf_steal(&b);
}

TEST(sql_error_format)
{
    char *s = format_error("SELECT a WHERE x");
    CHECK_EQ_STR(s, "expected FROM, found 'WHERE'\n  SELECT a WHERE x\n           ^\n");
    free(s);
    s = format_error("SELECT a,\n\tb\n  FROM sales\n WHERE é = 1 ?");
    CHECK_EQ_STR(s, "unexpected character '?' (line 4, column 14)\n   WHERE é = 1 ?\n"
                    "               ^\n");
    free(s);
    s = format_error("SELECT\ta FROM sales WHERE\t?");
    CHECK_EQ_STR(s, "unexpected character '?'\n  SELECT\ta FROM sales WHERE\t?\n  "
                    "      \t                  \t^\n");
    free(s);
    s = format_error("SELECT a FROM sales WHERE");
    CHECK_EQ_STR(s, "expected an expression, found end of input\n"
                    "  SELECT a FROM sales WHERE\n                           ^\n");
    free(s);

    /* a long line is trimmed around the offset */
    ria_buf b;
    ria_buf_init(&b, 0);
    ria_buf_puts(&b, "SELECT a FROM sales WHERE x IN (");
    for (int i = 0; i < 100; i++)
        ria_buf_printf(&b, "%d, ", 1000 + i);
    ria_buf_puts(&b, "?");
    for (int i = 0; i < 100; i++)
        ria_buf_printf(&b, ", %d", 2000 + i);
    ria_buf_puts(&b, ")");
    s = format_error(b.data);
    ria_buf_free(&b);
    char *l2 = strchr(s, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
    CHECK(strncmp(s, "unexpected character '?'\n", 25) == 0);
    CHECK(strncmp(l2, "  ...", 5) == 0 && strstr(l2, "...\n") == l3 - 4);
    CHECK_EQ_INT(l3 - l2, 2 + 3 + 100 + 3 + 1);
    CHECK_EQ_INT(strchr(l3, '^') - l3, 2 + 3 + 60);
    CHECK_EQ_INT(l2[2 + 3 + 60], '?');
    free(s);

    /* no SQL: just the message */
    ria_sql_error err = {.code = RIA_EPARSE, .pos = 3, .msg = "boom"};
    ria_buf_init(&b, 0);
    ria_sql_error_format(NULL, &err, &b);
    CHECK_EQ_STR(b.data, "boom\n");
    ria_buf_free(&b);
}

/* ------------------------------------------------------ random round trip */

typedef struct {
    uint64_t s;
    ria_arena *a;
} rng;

static uint64_t next_u64(rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

static int below(rng *r, int n)
{
    return (int)(next_u64(r) % (uint64_t)n);
}

static ria_expr *node(rng *r, ria_xkind kind, int nargs)
{
    ria_expr *e = ria_arena_alloc(r->a, sizeof *e);
    e->kind = kind;
    e->col = -1;
    e->nargs = nargs;
    e->args = nargs ? ria_arena_alloc(r->a, (size_t)nargs * sizeof *e->args) : NULL;
    return e;
}

static const char *const names[] = {"amount", "Ship Mode", "order", "x1", "a\"b", "ünï", "year",
                                    "date", "_z", "Region"};
static const char *const texts[] = {"", "West", "it's", "''", "a\nb", "%_", "--", "/*", "ü"};

static ria_expr *random_text(rng *r)
{
    ria_expr *e = node(r, RIA_X_LITERAL, 0);
    const char *t = texts[below(r, (int)RIA_ARRAY_LEN(texts))];
    e->lit = (ria_value){.type = RIA_V_TEXT, .s = t, .n = (uint32_t)strlen(t)};
    return e;
}

static ria_expr *random_leaf(rng *r)
{
    ria_expr *e;
    int64_t big = (int64_t)(next_u64(r) >> 1);
    switch (below(r, 9)) {
    case 0:
    case 1:
        e = node(r, RIA_X_COLUMN, 0);
        e->name = names[below(r, (int)RIA_ARRAY_LEN(names))];
        return e;
    case 2:
        e = node(r, RIA_X_LITERAL, 0);
        e->lit.type = RIA_V_INT;
        e->lit.i = below(r, 4) == 0 ? (below(r, 2) ? INT64_MIN : INT64_MAX)
                                    : (int64_t)below(r, 2001) - 1000;
        return e;
    case 3:
        e = node(r, RIA_X_LITERAL, 0);
        e->lit.type = RIA_V_DEC;
        e->lit.i = below(r, 3) == 0 ? (below(r, 2) ? -big : big) : (int64_t)below(r, 200001) - 100000;
        return e;
    case 4: return random_text(r);
    case 5:
        e = node(r, RIA_X_LITERAL, 0);
        e->lit.type = RIA_V_DATE;
        e->lit.i = below(r, 20000) + ria_days_from_civil(1950, 1, 1);
        return e;
    case 6:
        e = node(r, RIA_X_LITERAL, 0);
        e->lit.type = RIA_V_TS;
        e->lit.i = (int64_t)below(r, 2000000000) - 100000000;
        return e;
    case 7:
        e = node(r, RIA_X_LITERAL, 0);
        e->lit.type = RIA_V_BOOL;
        e->lit.i = below(r, 2);
        return e;
    default:
        e = node(r, RIA_X_LITERAL, 0);
        e->lit.type = RIA_V_NULL;
        e->lit.is_null = true;
        return e;
    }
}

static ria_plan *random_plan(rng *r, int depth);

static ria_expr *random_expr(rng *r, int depth)
{
    if (depth <= 0 || below(r, 5) == 0)
        return random_leaf(r);
    ria_expr *e;
    switch (below(r, 11)) {
    case 0:
        e = node(r, RIA_X_UNARY, 1);
        e->op = below(r, 2) ? RIA_OP_NEG : RIA_OP_NOT;
        e->args[0] = random_expr(r, depth - 1);
        return e;
    case 1:
    case 2:
    case 3: {
        static const ria_op ops[] = {RIA_OP_ADD, RIA_OP_SUB, RIA_OP_MUL, RIA_OP_DIV,
                                     RIA_OP_MOD, RIA_OP_EQ,  RIA_OP_NE,  RIA_OP_LT,
                                     RIA_OP_LE,  RIA_OP_GT,  RIA_OP_GE,  RIA_OP_AND,
                                     RIA_OP_OR,  RIA_OP_CONCAT};
        e = node(r, RIA_X_BINARY, 2);
        e->op = ops[below(r, (int)RIA_ARRAY_LEN(ops))];
        e->args[0] = random_expr(r, depth - 1);
        e->args[1] = random_expr(r, depth - 1);
        return e;
    }
    case 4: {
        int n = 2 + below(r, 4);
        e = node(r, RIA_X_IN, n);
        for (int i = 0; i < n; i++)
            e->args[i] = random_expr(r, depth - 1);
        e->negated = below(r, 2);
        return e;
    }
    case 5:
        e = node(r, below(r, 2) ? RIA_X_BETWEEN : RIA_X_LIKE, 3);
        e->negated = below(r, 2);
        e->args[0] = random_expr(r, depth - 1);
        if (e->kind == RIA_X_LIKE) {
            e->nargs = 2;
            e->args[1] = random_text(r);
        } else {
            e->args[1] = random_expr(r, depth - 1);
            e->args[2] = random_expr(r, depth - 1);
        }
        return e;
    case 6:
        e = node(r, RIA_X_IS_NULL, 1);
        e->negated = below(r, 2);
        e->args[0] = random_expr(r, depth - 1);
        return e;
    case 7: {
        int pairs = 1 + below(r, 3);
        bool has_else = below(r, 2);
        e = node(r, RIA_X_CASE, 2 * pairs + has_else);
        e->has_else = has_else;
        for (int i = 0; i < e->nargs; i++)
            e->args[i] = random_expr(r, depth - 1);
        return e;
    }
    case 8: {
        static const struct {
            ria_func f;
            int n;
        } funcs[] = {
            {RIA_F_YEAR, 1},     {RIA_F_QUARTER, 1}, {RIA_F_MONTH, 1},    {RIA_F_WEEK, 1},
            {RIA_F_DAY, 1},      {RIA_F_HOUR, 1},    {RIA_F_MINUTE, 1},   {RIA_F_DOW, 1},
            {RIA_F_DOY, 1},      {RIA_F_DATE_TRUNC, 1}, {RIA_F_CAST, 1},  {RIA_F_COALESCE, 3},
            {RIA_F_NULLIF, 2},   {RIA_F_ABS, 1},     {RIA_F_ROUND, 2},    {RIA_F_LOWER, 1},
            {RIA_F_UPPER, 1},    {RIA_F_LENGTH, 1},  {RIA_F_GREATEST, 2}, {RIA_F_LEAST, 4},
        };
        static const ria_vtype types[] = {RIA_V_DATE, RIA_V_TS,   RIA_V_INT, RIA_V_DEC,
                                          RIA_V_DOUBLE, RIA_V_TEXT, RIA_V_BOOL};
        int k = below(r, (int)RIA_ARRAY_LEN(funcs));
        e = node(r, RIA_X_FUNC, funcs[k].n);
        e->func = funcs[k].f;
        e->unit = (ria_time_unit)below(r, 6);
        e->cast_type = types[below(r, (int)RIA_ARRAY_LEN(types))];
        for (int i = 0; i < e->nargs; i++)
            e->args[i] = random_expr(r, depth - 1);
        return e;
    }
    case 9:
        e = node(r, RIA_X_AGG, 1);
        e->agg = (ria_agg)below(r, 5);
        if (e->agg == RIA_AGG_COUNT && below(r, 2)) {
            e->star = true;
            e->nargs = 0;
            return e;
        }
        e->distinct = e->agg == RIA_AGG_COUNT && below(r, 2);
        e->args[0] = random_expr(r, depth - 1);
        return e;
    default:
        e = node(r, RIA_X_SUBQUERY, 0);
        e->sub = random_plan(r, depth - 2);
        return e;
    }
}

static ria_plan *random_plan(rng *r, int depth)
{
    ria_plan *p = ria_arena_alloc(r->a, sizeof *p);
    p->arena = r->a;
    p->table = "sales";
    p->limit = below(r, 3) ? -1 : below(r, 100);
    p->offset = below(r, 4) ? 0 : below(r, 100);
    p->distinct = below(r, 4) == 0;
    if (below(r, 5) == 0)
        p->as_of_version = 1 + below(r, 50);
    else if (below(r, 5) == 0)
        p->as_of_time = 1 + below(r, 2000000000);
    p->nselect = 1 + below(r, 3);
    p->select = ria_arena_alloc(r->a, (size_t)p->nselect * sizeof *p->select);
    for (int i = 0; i < p->nselect; i++) {
        p->select[i].expr = random_expr(r, depth);
        p->select[i].alias = below(r, 2) ? names[below(r, (int)RIA_ARRAY_LEN(names))] : NULL;
    }
    if (below(r, 2))
        p->where = random_expr(r, depth);
    if (below(r, 3) == 0) {
        p->ngroup = 1 + below(r, 2);
        p->group = ria_arena_alloc(r->a, (size_t)p->ngroup * sizeof *p->group);
        for (int i = 0; i < p->ngroup; i++)
            p->group[i] = random_expr(r, depth - 1);
        if (below(r, 2))
            p->having = random_expr(r, depth - 1);
    }
    if (below(r, 3) == 0) {
        p->norder = 1 + below(r, 2);
        p->order = ria_arena_alloc(r->a, (size_t)p->norder * sizeof *p->order);
        for (int i = 0; i < p->norder; i++) {
            p->order[i].expr = random_expr(r, depth - 1);
            p->order[i].desc = below(r, 2);
        }
    }
    return p;
}

TEST(sql_random_round_trip)
{
    for (uint64_t seed = 1; seed <= 3000; seed++) {
        ria_arena a;
        ria_arena_init(&a, 1 << 14);
        rng r = {.s = seed * 0x9E3779B97F4A7C15ULL, .a = &a};
        ria_plan *p = random_plan(&r, 2 + (int)(seed % 6));
        char *why = round_trip(p);
        ria_arena_free(&a);
        CHECK_MSG(!why, "seed %llu: %s", (unsigned long long)seed, why);
    }
}
