/*
 * test_engine_fixes.c — the query engine (src/engine/) on edge cases a
 * review of its documentation found wrong: grouping by date_trunc of
 * date(order_date) on data that does not start on a period boundary, NULLs
 * in IN lists, long IN lists and wide CASE / coalesce / greatest, row
 * arithmetic beyond 64 bits, AS OF inside subqueries, partition counts
 * after an append, non-boolean HAVING and NOT, round with negative digits,
 * CAST to BOOLEAN, names of negated predicates and of subqueries, number
 * literals as text, canonical order of = operands, decimal formatting, a
 * view whose key space exceeds 64 bits, and `ria sql` JSON, --batch and
 * --repeat (through the binary, when RIA_BIN is set).
 *
 * Each check runs the query with the materialized views and without
 * (--no-views) and expects the same answer from both.
 */
#include "engine/engine.h"
#include "helpers.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "test.h"

#include <jansson.h>
#include <stdlib.h>
#include <sys/wait.h>

/* ---------------------------------------------------------------- helpers */

/* The test store: 20,000 rows from 2022-03-15 (not a month, quarter or
 * year start), then 3,000 more from 2023-06-10 appended as version 2. */
static bool make_store(ria_store **st)
{
    ria_error err = {0};
    HCHECK(th_gen_csv("a.csv", 20000, 7, "2022-03-15", 2) &&
               th_ingest("a.csv", RIA_MODE_APPEND, NULL),
           "version 1");
    HCHECK(th_gen_csv("b.csv", 3000, 8, "2023-06-10", 1) &&
               th_ingest("b.csv", RIA_MODE_APPEND, NULL),
           "version 2");
    HCHECK(ria_store_open(th_store_dir(), st, &err) == RIA_OK, "%s", err.msg);
    return true;
}

/* A result as text: the column names on the first line, then one line per
 * row with exact values separated by '|' (NULL as NULL). */
static char *result_text(const ria_result *r)
{
    ria_buf out;
    ria_buf_init(&out, 0);
    for (int c = 0; c < r->ncols; c++)
        ria_buf_printf(&out, "%s%s", c ? "|" : "", r->cols[c].name);
    for (size_t i = 0; i < r->nrows; i++) {
        ria_buf_putc(&out, '\n');
        for (int c = 0; c < r->ncols; c++) {
            const ria_value *v = ria_result_at(r, i, c);
            if (c)
                ria_buf_putc(&out, '|');
            if (v->is_null)
                ria_buf_puts(&out, "NULL");
            ria_value_format(v, true, &out);
        }
    }
    return ria_buf_steal(&out);
}

/* Runs sql; the result as text (NULL on error, with the error in serr). */
static char *run(ria_store *st, const char *sql, bool views, ria_sql_error *serr,
                 ria_exec_stats *stats)
{
    ria_exec_opts o = {.threads = 2, .no_views = !views};
    ria_result *r = NULL;
    ria_exec_stats s;
    memset(serr, 0, sizeof *serr);
    if (ria_query(st, sql, &o, &r, stats ? stats : &s, serr) != RIA_OK)
        return NULL;
    char *text = result_text(r);
    ria_result_free(r);
    return text;
}

/* The rows of sql (without the header line), the same with and without
 * views, equal `want`. */
static bool expect_rows(ria_store *st, const char *sql, const char *want)
{
    for (int views = 0; views < 2; views++) {
        ria_sql_error serr;
        char *got = run(st, sql, views, &serr, NULL);
        HCHECK(got, "%s%s: %s", sql, views ? "" : " (no views)", serr.msg);
        const char *rows = strchr(got, '\n') ? strchr(got, '\n') + 1 : "";
        bool ok = strcmp(rows, want) == 0;
        if (!ok)
            test_failed(__FILE__, __LINE__, "%s%s:\n  got  %s\n  want %s", sql,
                        views ? "" : " (no views)", rows, want);
        free(got);
        if (!ok)
            return false;
    }
    return true;
}

/* The first cell of sql (with views), copied into out. */
static bool cell(ria_store *st, const char *sql, char *out, size_t n)
{
    ria_sql_error serr;
    char *got = run(st, sql, true, &serr, NULL);
    HCHECK(got, "%s: %s", sql, serr.msg);
    const char *rows = strchr(got, '\n');
    HCHECK(rows, "%s: no rows", sql);
    snprintf(out, n, "%.*s", (int)strcspn(rows + 1, "|\n"), rows + 1);
    free(got);
    return true;
}

/* Two queries give the same rows (names aside), with and without views. */
static bool expect_same(ria_store *st, const char *a, const char *b)
{
    for (int views = 0; views < 2; views++) {
        ria_sql_error e1, e2;
        char *x = run(st, a, views, &e1, NULL), *y = run(st, b, views, &e2, NULL);
        bool ok = x && y && strcmp(strchr(x, '\n') ? strchr(x, '\n') : "",
                                   strchr(y, '\n') ? strchr(y, '\n') : "") == 0;
        if (!ok)
            test_failed(__FILE__, __LINE__, "%s\n  and\n%s\ndiffer%s:\n  %.400s\n  %.400s", a, b,
                        views ? "" : " (no views)", x ? x : e1.msg, y ? y : e2.msg);
        free(x);
        free(y);
        if (!ok)
            return false;
    }
    return true;
}

/* sql fails with status code and a message containing `part`. */
static bool expect_error(ria_store *st, const char *sql, ria_status code, const char *part)
{
    for (int views = 0; views < 2; views++) {
        ria_sql_error serr;
        char *got = run(st, sql, views, &serr, NULL);
        HCHECK(!got, "%s: expected an error, got %s", sql, got);
        HCHECK(serr.code == code, "%s: status %d (%s), expected %d", sql, (int)serr.code,
               serr.msg, (int)code);
        HCHECK(strstr(serr.msg, part), "%s: message '%s' lacks '%s'", sql, serr.msg, part);
    }
    return true;
}

/* The column names of sql, '|'-separated, the same with and without views. */
static bool expect_names(ria_store *st, const char *sql, const char *want)
{
    for (int views = 0; views < 2; views++) {
        ria_sql_error serr;
        char *got = run(st, sql, views, &serr, NULL);
        HCHECK(got, "%s: %s", sql, serr.msg);
        got[strcspn(got, "\n")] = 0;
        bool ok = strcmp(got, want) == 0;
        if (!ok)
            test_failed(__FILE__, __LINE__, "%s%s: names\n  %s\nexpected\n  %s", sql,
                        views ? "" : " (no views)", got, want);
        free(got);
        if (!ok)
            return false;
    }
    return true;
}

/* ------------------------------------------------------------- grouping */

TEST(engine_date_trunc_of_date_groups_from_the_period_start)
{
    ria_store *st = NULL;
    CHECK(make_store(&st));
    /* the first month, quarter and year start before the first order */
    CHECK(expect_rows(st,
                      "SELECT date_trunc('month', date(order_date)) AS m FROM sales GROUP BY 1 "
                      "ORDER BY 1 LIMIT 1",
                      "2022-03-01"));
    CHECK(expect_rows(st,
                      "SELECT date_trunc('quarter', date(order_date)) AS q FROM sales GROUP BY 1 "
                      "ORDER BY 1 LIMIT 1",
                      "2022-01-01"));
    CHECK(expect_rows(st,
                      "SELECT date_trunc('year', date(order_date)) AS y, count(*) > 0 FROM sales "
                      "GROUP BY 1 ORDER BY 1",
                      "2022-01-01|true\n2023-01-01|true\n2024-01-01|true"));
    CHECK(expect_same(st,
                      "SELECT date_trunc('month', date(order_date)) AS m, count(*), sum(amount) "
                      "FROM sales GROUP BY 1 ORDER BY 1",
                      "SELECT CAST(date_trunc('month', order_date) AS DATE) AS m, count(*), "
                      "sum(amount) FROM sales GROUP BY 1 ORDER BY 1"));
    CHECK(expect_same(st,
                      "SELECT date_trunc('quarter', CAST(order_date AS DATE)), category, count(*) "
                      "FROM sales GROUP BY 1, 2 ORDER BY 1, 2",
                      "SELECT date(date_trunc('quarter', order_date)), category, count(*) FROM "
                      "sales GROUP BY 1, 2 ORDER BY 1, 2"));
    CHECK(expect_same(st,
                      "SELECT date_trunc('week', date(order_date)), count(*) FROM sales WHERE "
                      "order_date < '2022-06-01' GROUP BY 1 ORDER BY 1",
                      "SELECT date(date_trunc('week', order_date)), count(*) FROM sales WHERE "
                      "order_date < '2022-06-01' GROUP BY 1 ORDER BY 1"));
    /* grouping keys far apart: a dense range must not overflow */
    CHECK(expect_rows(st,
                      "SELECT CASE WHEN category = 'Toys' THEN -9000000000000000000 ELSE "
                      "9000000000000000000 END AS k, count(*) > 0 FROM sales GROUP BY 1 ORDER BY 1",
                      "-9000000000000000000|true\n9000000000000000000|true"));
    ria_store_close(st);
}

/* ----------------------------------------------------------------- IN */

TEST(engine_in_list_with_null)
{
    ria_store *st = NULL;
    CHECK(make_store(&st));
    /* x NOT IN (..., NULL) is never TRUE, for every kind of column */
    const char *never[] = {
        "quantity NOT IN (1, NULL)",
        "amount NOT IN (10.5, NULL)",
        "ship_date NOT IN ('2022-05-01', NULL)",
        "order_date NOT IN ('2022-05-01 10:00:00', NULL)",
        "category NOT IN ('Toys', NULL)",
        "order_id NOT IN ('x', NULL)",
        "CAST(amount AS DOUBLE) NOT IN (10.5, NULL)",
        "quantity * 1000000000000000000 NOT IN (1, NULL)",
    };
    char sql[300];
    for (size_t i = 0; i < RIA_ARRAY_LEN(never); i++) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM sales WHERE %s", never[i]);
        CHECK(expect_rows(st, sql, "0"));
        /* so NOT of it is TRUE wherever it is not NULL */
        char other[300];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM sales WHERE NOT (%s)", never[i]);
        snprintf(other, sizeof other, "SELECT count(*) FROM sales WHERE (%s) IS NOT NULL",
                 never[i]);
        CHECK(expect_same(st, sql, other));
    }
    /* x IN (v, NULL): TRUE when x matches, else NULL */
    CHECK(expect_same(st, "SELECT count(*) FROM sales WHERE quantity IN (1, NULL)",
                      "SELECT count(*) FROM sales WHERE quantity = 1"));
    CHECK(expect_same(st, "SELECT count(*) FROM sales WHERE (quantity IN (1, NULL)) IS NULL",
                      "SELECT count(*) FROM sales WHERE quantity <> 1 OR quantity IS NULL"));
    CHECK(expect_same(st,
                      "SELECT sum(CASE WHEN amount IN (10.5, 20, NULL) THEN 1 ELSE 0 END) FROM sales",
                      "SELECT count(*) FROM sales WHERE amount = 10.5 OR amount = 20"));
    /* values of several numeric types meet at the widest */
    CHECK(expect_same(st, "SELECT count(*) FROM sales WHERE quantity IN (1, 2.5, 3)",
                      "SELECT count(*) FROM sales WHERE quantity = 1 OR quantity = 3"));
    ria_store_close(st);
}

/* A comma-separated list of n items made by fmt from 0, 1, ... */
static char *list_of(int n, const char *fmt, int scale)
{
    ria_buf b;
    ria_buf_init(&b, 0);
    for (int i = 0; i < n; i++) {
        if (i)
            ria_buf_puts(&b, ", ");
        ria_buf_printf(&b, fmt, i * scale);
    }
    return ria_buf_steal(&b);
}

TEST(engine_long_lists_and_many_branches)
{
    ria_store *st = NULL;
    CHECK(make_store(&st));
    char *ints = list_of(300, "%d", 1), *doubles = list_of(40, "%d", 1);
    char *ids = list_of(2000, "'ORD-2022-%09d'", 1), *whens = NULL, *nulls = list_of(40, "NULL%.0d", 0);
    ria_buf b;
    ria_buf_init(&b, 0);
    for (int i = 0; i < 60; i++)
        ria_buf_printf(&b, "WHEN quantity = %d THEN %d ", i, i * 10);
    whens = ria_buf_steal(&b);
    size_t cap = 64 * 1024;
    char *x = malloc(cap), *y = malloc(cap);
    CHECK(ints && doubles && ids && whens && nulls && x && y);
    snprintf(x, cap, "SELECT count(*) FROM sales WHERE quantity IN (%s)", ints);
    CHECK(expect_same(st, x, "SELECT count(quantity) FROM sales WHERE quantity < 300"));
    snprintf(x, cap, "SELECT count(*) FROM sales WHERE quantity NOT IN (%s)", ints);
    CHECK(expect_same(st, x, "SELECT count(quantity) FROM sales WHERE quantity >= 300"));
    snprintf(x, cap, "SELECT count(*) FROM sales WHERE CAST(quantity AS DOUBLE) IN (%s)", doubles);
    CHECK(expect_same(st, x, "SELECT count(quantity) FROM sales WHERE quantity < 40"));
    snprintf(x, cap, "SELECT count(*) FROM sales WHERE order_id IN (%s)", ids);
    CHECK(expect_same(st, x,
                      "SELECT count(*) FROM sales WHERE order_id >= 'ORD-2022-000000000' AND "
                      "order_id <= 'ORD-2022-000001999'"));
    snprintf(x, cap, "SELECT sum(CASE %s ELSE -1 END) FROM sales", whens);
    CHECK(expect_same(st, x,
                      "SELECT sum(CASE WHEN quantity < 60 THEN quantity * 10 ELSE -1 END) FROM "
                      "sales"));
    snprintf(x, cap, "SELECT sum(coalesce(%s, quantity)), max(greatest(%s, quantity, 3)), "
                     "min(least(%s, quantity, 3)) FROM sales",
             nulls, nulls, nulls);
    CHECK(expect_same(st, x,
                      "SELECT sum(quantity), max(greatest(quantity, 3)), min(least(quantity, 3)) "
                      "FROM sales"));
    snprintf(y, cap, "SELECT sum(greatest(%s)) FROM sales", ints);
    CHECK(expect_rows(st, y, "6877000")); /* 299 per row */
    free(ints);
    free(doubles);
    free(ids);
    free(whens);
    free(nulls);
    free(x);
    free(y);
    ria_store_close(st);
}

/* ------------------------------------------------------------- overflow */

TEST(engine_row_arithmetic_beyond_64_bits)
{
    ria_store *st = NULL;
    CHECK(make_store(&st));
    /* a decimal times 10^12 leaves 64 bits (decimals count 10^-4) */
    CHECK(expect_same(st,
                      "SELECT max(amount * 1000000000000), min(-amount * 1000000000000), "
                      "sum(amount * 1000000000000), count(amount * 1000000000000), "
                      "count(DISTINCT amount * 1000000000000) FROM sales",
                      "SELECT max(amount) * 1000000000000, min(-amount) * 1000000000000, "
                      "sum(amount) * 1000000000000, count(amount), count(DISTINCT amount) FROM "
                      "sales"));
    CHECK(expect_rows(st,
                      "SELECT abs(avg(amount * 1000000000000) / 1000000000000 - avg(amount)) < "
                      "0.0001 FROM sales",
                      "true"));
    CHECK(expect_same(st,
                      "SELECT category, max(amount * 1000000000000) FROM sales GROUP BY 1 ORDER BY 1",
                      "SELECT category, max(amount) * 1000000000000 FROM sales GROUP BY 1 ORDER BY 1"));
    CHECK(expect_same(st, "SELECT amount * 1000000000000 FROM sales ORDER BY 1 DESC LIMIT 1",
                      "SELECT max(amount) * 1000000000000 FROM sales"));
    CHECK(expect_same(st,
                      "SELECT count(*) FROM sales WHERE amount * 1000000000000 > 900000000000000.0",
                      "SELECT count(*) FROM sales WHERE amount > 900"));
    CHECK(expect_same(st,
                      "SELECT sum(CASE WHEN quantity > 2 THEN amount * 1000000000000 ELSE amount "
                      "END) FROM sales",
                      "SELECT sum(CASE WHEN quantity > 2 THEN amount ELSE 0 END) * 1000000000000 + "
                      "sum(CASE WHEN quantity > 2 THEN 0 ELSE amount END) FROM sales"));
    CHECK(expect_same(st,
                      "SELECT max(CAST(quantity * 9000000000000000000 AS DECIMAL)) FROM sales",
                      "SELECT CAST(max(quantity) * 9000000000000000000 AS DECIMAL) FROM sales"));
    CHECK(expect_rows(st, "SELECT 9223372036854775807 + 1, -9223372036854775807 - 2 FROM sales LIMIT 1",
                      "9223372036854775808|-9223372036854775809"));
    /* grouping by a value beyond 64 bits, and values beyond 128 bits */
    CHECK(expect_error(st, "SELECT quantity * 9000000000000000000, count(*) FROM sales GROUP BY 1",
                       RIA_ELIMIT, "GROUP BY value is beyond 64 bits"));
    CHECK(expect_rows(st,
                      "SELECT quantity * 9000000000000000000, count(*) > 0 FROM sales WHERE "
                      "quantity = 1 GROUP BY 1",
                      "9000000000000000000|true"));
    CHECK(expect_error(st,
                       "SELECT max(amount * 900000000000000.0 * 900000000000000.0 * 1000000) FROM "
                       "sales",
                       RIA_ELIMIT, "overflow"));
    CHECK(expect_error(st,
                       "SELECT sum(amount) * 900000000000000.0 * 900000000000000.0 * 1000000 FROM "
                       "sales",
                       RIA_ELIMIT, "overflow"));
    ria_store_close(st);
}

/* ------------------------------------------------------------ subqueries */

TEST(engine_subquery_reads_its_own_version)
{
    ria_store *st = NULL;
    CHECK(make_store(&st));
    CHECK(expect_rows(st,
                      "SELECT count(*), (SELECT count(*) FROM sales AS OF VERSION 1), (SELECT "
                      "count(*) FROM sales) FROM sales",
                      "23000|20000|23000"));
    CHECK(expect_rows(st,
                      "SELECT count(*), (SELECT count(*) FROM sales AS OF VERSION 2), (SELECT "
                      "count(*) FROM sales) FROM sales AS OF VERSION 1",
                      "20000|23000|20000"));
    CHECK(expect_rows(st,
                      "SELECT count(*) FROM sales WHERE quantity > (SELECT max(quantity) FROM "
                      "sales AS OF TIMESTAMP '2999-01-01')",
                      "0"));
    CHECK(expect_rows(st,
                      "SELECT sum(amount) / (SELECT sum(amount) FROM sales AS OF VERSION 1) FROM "
                      "sales AS OF VERSION 1",
                      "1"));
    CHECK(expect_rows(st,
                      "SELECT sum(amount) / (SELECT sum(amount) FROM sales AS OF VERSION 1) > 1 "
                      "FROM sales",
                      "true"));
    CHECK(expect_error(st, "SELECT (SELECT count(*) FROM sales AS OF VERSION 9) FROM sales",
                       RIA_ENOTFOUND, "version 9 does not exist"));
    ria_store_close(st);
}

TEST(engine_subquery_column_named_by_its_text)
{
    ria_store *st = NULL;
    CHECK(make_store(&st));
    CHECK(expect_names(st,
                       "SELECT (SELECT sum(amount) FROM sales WHERE category = 'Toys'), count(*) "
                       "FROM sales",
                       "(SELECT sum(amount) FROM sales WHERE category = 'Toys')|count(*)"));
    CHECK(expect_names(st,
                       "SELECT category, sum(amount) / (SELECT sum(amount) FROM sales) AS share, "
                       "(SELECT count(*) FROM sales AS OF VERSION 1) FROM sales GROUP BY 1",
                       "category|share|(SELECT count(*) FROM sales AS OF VERSION 1)"));
    ria_store_close(st);
}

/* ---------------------------------------------------------------- stats */

TEST(engine_partitions_counted_once_after_append)
{
    ria_store *st = NULL;
    CHECK(make_store(&st));
    char months[32];
    CHECK(cell(st,
               "SELECT count(DISTINCT date_trunc('month', order_date)) FROM sales WHERE "
               "order_date IS NOT NULL",
               months, sizeof months));
    ria_sql_error serr;
    ria_exec_stats stats;
    char *got = run(st, "SELECT count(*) FROM sales", false, &serr, &stats);
    CHECK_MSG(got, "%s", serr.msg);
    free(got);
    CHECK_EQ_INT(stats.partitions_total, (int)strtol(months, NULL, 10));
    CHECK_EQ_INT(stats.partitions_pruned, 0);
    got = run(st, "SELECT count(*) FROM sales WHERE order_date >= '2023-06-01'", false, &serr,
              &stats);
    CHECK_MSG(got, "%s", serr.msg);
    free(got);
    CHECK(cell(st,
               "SELECT count(DISTINCT date_trunc('month', order_date)) FROM sales WHERE "
               "order_date < '2023-06-01'",
               months, sizeof months));
    CHECK_EQ_INT(stats.partitions_pruned, (int)strtol(months, NULL, 10));
    ria_store_close(st);
}

/* ------------------------------------------------------------- binding */

TEST(engine_conditions_must_be_boolean)
{
    ria_store *st = NULL;
    CHECK(make_store(&st));
    CHECK(expect_error(st, "SELECT count(*) FROM sales HAVING count(*) + 1", RIA_EPARSE,
                       "HAVING needs a condition, found integer"));
    CHECK(expect_error(st, "SELECT category FROM sales GROUP BY 1 HAVING sum(amount)", RIA_EPARSE,
                       "HAVING needs a condition, found decimal"));
    CHECK(expect_error(st, "SELECT count(*) FROM sales WHERE quantity", RIA_EPARSE,
                       "WHERE needs a condition"));
    CHECK(expect_error(st, "SELECT count(*) FROM sales WHERE NOT quantity", RIA_EPARSE,
                       "expected a condition after NOT"));
    CHECK(expect_rows(st, "SELECT count(*) FROM sales HAVING count(*) > 1 AND NOT NULL", ""));
    CHECK(expect_rows(st, "SELECT count(*) > 0 FROM sales HAVING count(*) > 1", "true"));
    ria_store_close(st);
}

TEST(engine_number_literals_as_text)
{
    ria_store *st = NULL;
    CHECK(make_store(&st));
    CHECK(expect_rows(st,
                      "SELECT 'a' || 1 || 2.50 || TRUE || DATE '2024-02-29', lower(1), upper(2.5), "
                      "length(12.5), length(-7), 5 LIKE '5%' FROM sales LIMIT 1",
                      "a12.5true2024-02-29|1|2.5|4|2|true"));
    CHECK(expect_same(st, "SELECT count(*) FROM sales WHERE 'q' || quantity = 'q' || 2",
                      "SELECT count(*) FROM sales WHERE quantity = 2"));
    ria_store_close(st);
}

/* ------------------------------------------------------------ functions */

TEST(engine_round_with_negative_digits)
{
    ria_store *st = NULL;
    CHECK(make_store(&st));
    CHECK(expect_rows(st,
                      "SELECT round(1234, -2), round(1250, -2), round(-1250, -2), round(1249, -2), "
                      "round(1234.5678, -2), round(5, -30), round(12.3456, -100), round(7, 2), "
                      "round(9223372036854775807, -18), round(9223372036854775807, -19) FROM sales "
                      "LIMIT 1",
                      "1200|1300|-1300|1200|1200|0|0|7|9000000000000000000|10000000000000000000"));
    CHECK(expect_same(st, "SELECT round(quantity, -1), count(*) FROM sales GROUP BY 1 ORDER BY 1",
                      "SELECT quantity + 5 - (quantity + 5) % 10, count(*) FROM sales GROUP BY 1 "
                      "ORDER BY 1"));
    ria_store_close(st);
}

TEST(engine_cast_to_boolean)
{
    ria_store *st = NULL;
    CHECK(make_store(&st));
    CHECK(expect_rows(st,
                      "SELECT CAST(5 AS BOOLEAN) = TRUE, CAST(0 AS BOOLEAN), CAST(-0.5 AS BOOLEAN), "
                      "CAST(CAST(0.25 AS DOUBLE) AS BOOLEAN), CAST('yes' AS BOOLEAN), CAST('0' AS "
                      "BOOLEAN), CAST('x' AS BOOLEAN), 7::bool FROM sales LIMIT 1",
                      "true|false|true|true|true|false|NULL|true"));
    CHECK(expect_same(st, "SELECT count(*) FROM sales WHERE CAST(quantity AS BOOLEAN) = TRUE",
                      "SELECT count(*) FROM sales WHERE quantity <> 0"));
    CHECK(expect_same(st,
                      "SELECT sum(CAST(quantity - 1 AS BOOLEAN)), count(CAST(amount AS BOOLEAN)) "
                      "FROM sales",
                      "SELECT count(CASE WHEN quantity <> 1 THEN 1 END), count(amount) FROM sales"));
    ria_store_close(st);
}

/* ----------------------------------------------------------------- names */

TEST(engine_negated_predicates_named_with_not)
{
    ria_store *st = NULL;
    CHECK(make_store(&st));
    CHECK(expect_names(st,
                       "SELECT quantity IS NOT NULL, quantity IS NULL, quantity NOT IN (1, 2), "
                       "quantity IN (1, 2), category NOT LIKE 'a%', category LIKE 'a%', quantity "
                       "NOT BETWEEN 1 AND 2, quantity BETWEEN 1 AND 2 FROM sales LIMIT 1",
                       "quantity IS NOT NULL|quantity IS NULL|quantity NOT IN (...)|quantity IN "
                       "(...)|category NOT LIKE ...|category LIKE ...|quantity NOT BETWEEN "
                       "...|quantity BETWEEN ..."));
    ria_store_close(st);
}

/* ------------------------------------------------------------ canonical */

static bool same_hash(ria_store *st, const char *a, const char *b, bool want)
{
    ria_arena ar;
    ria_arena_init(&ar, 0);
    ria_snapshot *snap = NULL;
    ria_error err = {0};
    ria_sql_error serr = {0};
    ria_plan *p = NULL, *q = NULL;
    bool ok = ria_store_snapshot(st, 0, &snap, &err) == RIA_OK &&
              ria_sql_parse(a, &ar, &p, &serr) == RIA_OK && ria_plan_bind(p, snap, &serr) == RIA_OK &&
              ria_sql_parse(b, &ar, &q, &serr) == RIA_OK && ria_plan_bind(q, snap, &serr) == RIA_OK;
    if (ok) {
        ria_plan_canonicalize(p);
        ria_plan_canonicalize(q);
        ria_hash128 x = ria_plan_hash(p), y = ria_plan_hash(q);
        ok = (x.lo == y.lo && x.hi == y.hi) == want;
        if (!ok)
            test_failed(__FILE__, __LINE__, "%s\n  and\n%s\n  should%s hash alike", a, b,
                        want ? "" : " not");
    } else {
        test_failed(__FILE__, __LINE__, "%s / %s: %s%s", a, b, err.msg, serr.msg);
    }
    ria_snapshot_free(snap);
    ria_arena_free(&ar);
    return ok;
}

TEST(engine_equal_operands_in_canonical_order)
{
    ria_store *st = NULL;
    CHECK(make_store(&st));
    CHECK(same_hash(st, "SELECT count(*) FROM sales WHERE quantity = discount",
                    "SELECT count(*) FROM sales WHERE discount = quantity", true));
    CHECK(same_hash(st, "SELECT count(*) FROM sales WHERE amount <> cost",
                    "SELECT count(*) FROM sales WHERE cost <> amount", true));
    CHECK(same_hash(st, "SELECT count(*) FROM sales WHERE 5 = quantity",
                    "SELECT count(*) FROM sales WHERE quantity = 5", true));
    CHECK(same_hash(st, "SELECT count(*) FROM sales WHERE amount < cost",
                    "SELECT count(*) FROM sales WHERE cost < amount", false));
    /* the literal stays on the right, where time folding finds it */
    CHECK(same_hash(st, "SELECT count(*) FROM sales WHERE year(order_date) = 2023",
                    "SELECT count(*) FROM sales WHERE order_date >= '2023-01-01' AND order_date < "
                    "'2024-01-01'",
                    true));
    CHECK(expect_same(st, "SELECT count(*) FROM sales WHERE amount = unit_price",
                      "SELECT count(*) FROM sales WHERE unit_price = amount"));
    ria_store_close(st);
}

/* -------------------------------------------------------------- decimals */

/* Leaves '0' bytes on the stack where the next call's locals will be. */
static __attribute__((noinline)) void stack_of_zeros(void)
{
    volatile char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = '0';
}

TEST(engine_decimal_format_reads_only_its_digits)
{
    char buf[64];
    for (int d = 0; d <= 4; d++) {
        stack_of_zeros();
        ria_format_decimal128(-1, d, buf); /* -0.0001 */
        CHECK_EQ_STR(buf, d == 4 ? "-0.0001" : d == 0 ? "0" : d == 1 ? "0.0" : d == 2 ? "0.00"
                                                                                    : "0.000");
    }
    stack_of_zeros();
    ria_format_decimal128(-12345, 2, buf);
    CHECK_EQ_STR(buf, "-1.23");
}

/* ----------------------------------------------------------------- views */

/* A CSV whose eight text columns each take 300 values: a view over all
 * eight at hour grain has more key combinations than 64 bits hold. */
static bool wide_dims_csv(const char *name)
{
    FILE *f = fopen(th_path(name), "w");
    HCHECK(f, "cannot create %s", name);
    fputs("order_id,order_date,amount,d1,d2,d3,d4,d5,d6,d7,d8\n", f);
    uint64_t x = 12345;
    for (int i = 0; i < 6000; i++) {
        fprintf(f, "O%d,2024-01-%02d %02d:00:00,%d.25", i, 1 + i % 28, i % 24, i % 100);
        for (int d = 0; d < 8; d++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            fprintf(f, ",v%u", (unsigned)((x >> 33) % 300));
        }
        fputc('\n', f);
    }
    HCHECK(fclose(f) == 0, "cannot write %s", name);
    return true;
}

TEST(engine_view_beyond_64_bit_keys_is_set_aside)
{
    CHECK(wide_dims_csv("w.csv"));
    CHECK(th_ingest("w.csv", RIA_MODE_APPEND, NULL));
    char path[2048];
    snprintf(path, sizeof path, "%s/model.json", th_store_dir());
    json_t *m = json_load_file(path, 0, NULL);
    CHECK_MSG(m, "no model.json");
    if (!json_is_array(json_object_get(m, "views")))
        json_object_set_new(m, "views", json_array());
    json_array_append_new(json_object_get(m, "views"),
                          json_pack("{s:s, s:s, s:[s, s, s, s, s, s, s, s]}", "name", "huge",
                                    "grain", "hour", "dims", "d1", "d2", "d3", "d4", "d5", "d6",
                                    "d7", "d8"));
    CHECK(json_dump_file(m, path, JSON_INDENT(2)) == 0);
    json_decref(m);
    /* a second commit builds the views: it must succeed */
    CHECK(th_ingest("w.csv", RIA_MODE_APPEND, NULL));
    ria_store *st = NULL;
    ria_error err = {0};
    CHECK_MSG(ria_store_open(th_store_dir(), &st, &err) == RIA_OK, "%s", err.msg);
    ria_snapshot *snap = NULL;
    CHECK(ria_store_snapshot(st, 0, &snap, &err) == RIA_OK);
    json_t *views = json_object_get(snap->manifest, "views"), *v;
    size_t i;
    bool found = false;
    json_array_foreach(views, i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "name")), "huge") != 0)
            continue;
        found = true;
        CHECK_MSG(json_is_false(json_object_get(v, "usable")), "the view was not set aside");
    }
    ria_snapshot_free(snap);
    CHECK_MSG(found, "the view is not in the manifest");
    CHECK(expect_rows(st, "SELECT count(*), count(DISTINCT d1) FROM sales", "6000|300"));
    ria_store_close(st);
}

/* ------------------------------------------------------------ the binary */

/* Runs `$RIA_BIN args` with stdin from `input` (NULL: none); stdout into
 * out (malloc'd) and the exit status into *status.  False when RIA_BIN is
 * not set (the test then has nothing to run). */
static bool ria_cli(const char *args, const char *input, char **out, int *status)
{
    const char *bin = getenv("RIA_BIN");
    if (!bin)
        return false;
    char cmd[4096];
    if (input) {
        FILE *f = fopen(th_path("stdin.txt"), "w");
        if (!f)
            return false;
        fputs(input, f);
        fclose(f);
    }
    snprintf(cmd, sizeof cmd, "'%s' %s < '%s' 2>'%s'", bin, args,
             input ? th_path("stdin.txt") : "/dev/null", th_path("stderr.txt"));
    FILE *p = popen(cmd, "r");
    if (!p)
        return false;
    ria_buf b;
    ria_buf_init(&b, 0);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        ria_buf_append(&b, chunk, n);
    int st = pclose(p);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    *out = ria_buf_steal(&b);
    if (!*out)
        *out = calloc(1, 1);
    return true;
}

TEST(engine_sql_cli_json_batch_and_repeat)
{
    ria_store *st = NULL;
    CHECK(make_store(&st));
    ria_store_close(st);
    char args[2048], *out = NULL;
    int status = 0;
    /* decimals and integers beyond 64 bits are printed exactly */
    snprintf(args, sizeof args,
             "sql --store '%s' -F json \"SELECT 15006919.06 + 0.0000, 0.1, -0.0001, sum(amount) "
             "* 0 + 123456789012345.6789, 9223372036854775807 * 1000, max(amount * "
             "1000000000000) > 0, CAST(0.5 AS DOUBLE) FROM sales\"",
             th_store_dir());
    if (!ria_cli(args, NULL, &out, &status))
        return; /* RIA_BIN not set: only `make test` runs this */
    CHECK_MSG(status == 0, "exit %d: %s", status, out);
    CHECK_MSG(strstr(out, "      15006919.06,\n      0.1,\n      -0.0001,\n      "
                          "123456789012345.6789,\n      9223372036854775807000,\n      true,\n"
                          "      0.5\n"),
              "%s", out);
    free(out);
    /* a batch exits with the status of its first failed query, and prints a
     * line for every query */
    snprintf(args, sizeof args, "sql --store '%s' --batch - --repeat 2", th_store_dir());
    CHECK(ria_cli(args, "SELECT count(*) FROM sales\nSELECT nope FROM sales\nSELECT 1 FROM sales "
                        "HAVING 1\n",
                  &out, &status));
    CHECK_EQ_INT(status, 3);
    CHECK_MSG(strstr(out, "{\"columns\":[{\"name\":\"count(*)\",\"type\":\"integer\",\"unit\":"
                          "\"count\"}],\"rows\":[[23000]],\"stats\":{"),
              "%s", out);
    CHECK_MSG(strstr(out, "\"median_ms\":"), "%s", out);
    CHECK_MSG(strstr(out, "\n{\"error\":\"unknown column 'nope'"), "%s", out);
    CHECK_MSG(strstr(out, "\n{\"error\":\"HAVING needs a condition"), "%s", out);
    free(out);
    snprintf(args, sizeof args, "sql --store '%s' --batch -", th_store_dir());
    CHECK(ria_cli(args, "SELECT count(*) FROM sales\n", &out, &status));
    CHECK_EQ_INT(status, 0);
    free(out);
    /* --repeat times a single query too */
    snprintf(args, sizeof args, "sql --store '%s' -F csv --repeat 3 \"SELECT count(*) FROM sales\"",
             th_store_dir());
    CHECK(ria_cli(args, NULL, &out, &status));
    CHECK_EQ_INT(status, 0);
    CHECK_EQ_STR(out, "count(*)\n23000\n");
    free(out);
    FILE *f = fopen(th_path("stderr.txt"), "r");
    char line[256] = "";
    CHECK(f && fgets(line, sizeof line, f));
    fclose(f);
    CHECK_MSG(strstr(line, "3 runs after one warm-up: median "), "%s", line);
}
