/*
 * test_views.c — materialized views (src/store/views.c, rollup.c) and the
 * view router (src/engine/views.c).
 *
 * Maintenance: after every kind of commit (append, upsert changing amounts,
 * replace, compaction) each view's rows, read straight from its segments,
 * equal a GROUP BY of the base table at the same version, at that version
 * and at every earlier one (time travel); untouched partitions keep their
 * rollup files; a changed definition or views_epoch rebuilds them; vacuum
 * keeps the files kept versions use and removes the rest.
 *
 * Routing: a few hundred generated queries (filters on dimensions, aligned
 * and unaligned time ranges, date parts, every aggregate form, CASE, HAVING,
 * ORDER BY/LIMIT, share-of-total subqueries) give exactly the base table's
 * result through views; queries no view can answer (count of distinct order
 * ids, unaligned ranges, non-dimension columns) run on the base table.
 */
#include "engine/engine.h"
#include "helpers.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "test.h"

#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

/* ---------------------------------------------------------------- helpers */

/* Every tenth line of src with its amount doubled (field 12), as dst: an
 * upsert by (order_id, sku) that changes amounts of stored rows. */
static bool doubled_amounts(const char *src, const char *dst)
{
    FILE *in = fopen(th_path(src), "r"), *out = fopen(th_path(dst), "w");
    HCHECK(in && out, "cannot open %s or %s", src, dst);
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, in)) {
        if (n++ == 0) {
            fputs(line, out);
            continue;
        }
        if (n % 10)
            continue;
        char *f = line;
        for (int k = 0; k < 11 && f; k++)
            f = strchr(f, ',') ? strchr(f, ',') + 1 : NULL;
        char *end = f ? strchr(f, ',') : NULL;
        if (!end)
            continue;
        double amount = strtod(f, NULL);
        fprintf(out, "%.*s%.2f%s", (int)(f - line), line, amount * 2 + 0.01, end);
    }
    fclose(in);
    HCHECK(fclose(out) == 0, "cannot write %s", dst);
    return true;
}

/* Row i of a result as one line: each exact value (NULL as "NULL") followed
 * by '|' (malloc'd). */
static char *row_line(const ria_result *r, size_t i)
{
    ria_buf b;
    ria_buf_init(&b, 0);
    for (int c = 0; c < r->ncols; c++) {
        const ria_value *v = ria_result_at(r, i, c);
        if (v->is_null)
            ria_buf_puts(&b, "NULL");
        ria_value_format(v, true, &b);
        ria_buf_putc(&b, '|');
    }
    return ria_buf_steal(&b);
}

/* A result as text: column names, types and units, then one line per row
 * with exact values (decimals to 4 places, doubles to 17 digits); rows are
 * sorted when the query leaves their order open. */
static char *result_text(const ria_result *r, bool sort_rows)
{
    ria_buf out;
    ria_buf_init(&out, 0);
    for (int c = 0; c < r->ncols; c++)
        ria_buf_printf(&out, "%s:%s:%d|", r->cols[c].name, ria_vtype_name(r->cols[c].type),
                       (int)r->cols[c].unit);
    ria_buf_putc(&out, '\n');
    char **lines = calloc(r->nrows + 1, sizeof *lines);
    for (size_t i = 0; i < r->nrows; i++)
        lines[i] = row_line(r, i);
    if (sort_rows)
        qsort(lines, r->nrows, sizeof *lines, th_cmp_str);
    for (size_t i = 0; i < r->nrows; i++) {
        ria_buf_puts(&out, lines[i]);
        ria_buf_putc(&out, '\n');
        free(lines[i]);
    }
    free(lines);
    return ria_buf_steal(&out);
}

/* Runs sql with or without views; the result as text and the view used. */
static bool run(ria_store *st, const char *sql, bool views, char **text, char *view)
{
    ria_exec_opts o = {.threads = 2, .no_views = !views};
    ria_result *r = NULL;
    ria_exec_stats stats;
    ria_sql_error serr = {0};
    ria_status rc = ria_query(st, sql, &o, &r, &stats, &serr);
    HCHECK(rc == RIA_OK, "%s: %s", sql, serr.msg);
    *text = result_text(r, strstr(sql, "ORDER BY") == NULL);
    if (view)
        snprintf(view, 64, "%s", stats.view);
    ria_result_free(r);
    return true;
}

/* sql through views equals sql on the base table; *used tells whether a
 * view answered (NULL: no expectation). */
static bool same(ria_store *st, const char *sql, bool *used)
{
    char *a = NULL, *b = NULL, view[64] = "";
    bool ok = run(st, sql, true, &a, view) && run(st, sql, false, &b, NULL);
    if (ok && strcmp(a, b) != 0) {
        test_failed(__FILE__, __LINE__, "%s\n  through %s:\n%.600s\n  base:\n%.600s", sql,
                    view[0] ? view : "base", a, b);
        ok = false;
    }
    if (used)
        *used = view[0] != 0;
    free(a);
    free(b);
    return ok;
}

static bool expect_route(ria_store *st, const char *sql, bool want_view)
{
    bool used = false;
    if (!same(st, sql, &used))
        return false;
    HCHECK(used == want_view, "%s: expected %s", sql, want_view ? "a view" : "the base table");
    return true;
}

/* ------------------------------------------------------- view contents */


/* The GROUP BY of the base table a view must equal, at a version. */
static void view_sql(json_t *v, int64_t version, ria_buf *sql)
{
    const char *grain = json_string_value(json_object_get(v, "grain"));
    ria_buf_printf(sql, "SELECT date_trunc('%s', order_date)", grain);
    json_t *d, *m;
    size_t i;
    json_array_foreach(json_object_get(v, "dims"), i, d)
        ria_buf_printf(sql, ", %s", json_string_value(d));
    ria_buf_puts(sql, ", count(*)");
    json_array_foreach(json_object_get(v, "measures"), i, m)
    {
        const char *name = json_string_value(json_object_get(m, "name"));
        char expr[160];
        if (json_integer_value(json_object_get(m, "b")) >= 0)
            snprintf(expr, sizeof expr, "amount - cost");
        else
            snprintf(expr, sizeof expr, "%s", name);
        ria_buf_printf(sql, ", sum(%s), count(%s)", expr, expr);
    }
    ria_buf_printf(sql, " FROM sales AS OF VERSION %lld GROUP BY date_trunc('%s', order_date)",
                   (long long)version, grain);
    json_array_foreach(json_object_get(v, "dims"), i, d)
        ria_buf_printf(sql, ", %s", json_string_value(d));
}

/* Appends a view segment's rows to lines, formatted like the result of
 * view_sql (codes become strings through the snapshot's dictionaries). */
static bool segment_lines(const ria_snapshot *s, json_t *v, const char *rel, char ***lines,
                          size_t *n)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", th_store_dir(), rel);
    ria_segment *seg = NULL;
    ria_error err = {0};
    HCHECK(ria_segment_open(path, &seg, &err) == RIA_OK, "%s: %s", rel, err.msg);
    size_t nd = json_array_size(json_object_get(v, "dims"));
    size_t nm = json_array_size(json_object_get(v, "measures"));
    int ncols = (int)(2 + nd + 2 * nm);
    int64_t *x = malloc(RIA_BLOCK_ROWS * sizeof *x * (size_t)ncols);
    uint32_t *codes = malloc(RIA_BLOCK_ROWS * sizeof *codes);
    bool ok = x && codes;
    for (uint32_t b = 0; ok && b < ria_segment_nblocks(seg); b++) {
        uint32_t rows = ria_segment_block_rows(seg, b);
        for (int c = 0; c < ncols; c++) {
            int64_t *dst = x + (size_t)c * RIA_BLOCK_ROWS;
            if (c >= 1 && c <= (int)nd) {
                ok &= ria_segment_read_codes(seg, (uint32_t)c, b, codes, &err) == RIA_OK;
                for (uint32_t r = 0; r < rows; r++)
                    dst[r] = codes[r];
            } else {
                ok &= ria_segment_read_i64(seg, (uint32_t)c, b, dst, &err) == RIA_OK;
            }
        }
        for (uint32_t r = 0; ok && r < rows; r++) {
            ria_buf line;
            ria_buf_init(&line, 0);
            char ts[24];
            ria_format_ts(x[r], ts);
            ria_buf_printf(&line, "%s|", ts);
            for (size_t k = 0; k < nd; k++) {
                int64_t code = x[(1 + k) * RIA_BLOCK_ROWS + r];
                json_t *ids = json_object_get(v, "dim_ids");
                json_int_t col = json_integer_value(json_array_get(ids, k));
                const ria_dict *d = s->dicts[col];
                if (code == 0)
                    ria_buf_puts(&line, "NULL|");
                else
                    ria_buf_printf(&line, "%.*s|", (int)d->lens[code], d->strs[code]);
            }
            for (int c = (int)(1 + nd); c < ncols; c++) {
                int64_t val = x[(size_t)c * RIA_BLOCK_ROWS + r];
                int m = (c - (int)(2 + nd)) / 2;
                bool dec = c > (int)(1 + nd) && (c - (int)(2 + nd)) % 2 == 0 &&
                           s->cols[json_integer_value(json_object_get(
                                        json_array_get(json_object_get(v, "measures"), (size_t)m),
                                        "a"))]
                                   .type == RIA_T_DECIMAL;
                char num[48];
                if (val == RIA_NULL_I64)
                    ria_buf_puts(&line, "NULL|");
                else if (dec) {
                    ria_value dv = {.type = RIA_V_DEC, .i = val};
                    ria_value_format(&dv, true, &line);
                    ria_buf_putc(&line, '|');
                } else {
                    snprintf(num, sizeof num, "%lld|", (long long)val);
                    ria_buf_puts(&line, num);
                }
            }
            char **grown = realloc(*lines, (*n + 1) * sizeof **lines);
            ok = grown != NULL;
            if (ok) {
                *lines = grown;
                (*lines)[(*n)++] = ria_buf_steal(&line);
            }
        }
    }
    free(x);
    free(codes);
    ria_segment_close(seg);
    HCHECK(ok, "%s: %s", rel, err.msg);
    return true;
}

/* The base result of view_sql in the same line format. */
static bool base_lines(ria_store *st, const char *sql, char ***lines, size_t *n)
{
    ria_exec_opts o = {.threads = 2, .no_views = true};
    ria_result *r = NULL;
    ria_exec_stats stats;
    ria_sql_error serr = {0};
    HCHECK(ria_query(st, sql, &o, &r, &stats, &serr) == RIA_OK, "%s: %s", sql, serr.msg);
    *lines = calloc(r->nrows + 1, sizeof **lines);
    for (size_t i = 0; i < r->nrows; i++)
        (*lines)[i] = row_line(r, i);
    *n = r->nrows;
    ria_result_free(r);
    return true;
}

static void free_lines(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

/* Every view of a version holds exactly the GROUP BY of that version's rows,
 * and its segments account for every live row of their partitions. */
static bool check_views(ria_store *st, int64_t version, int *out_views)
{
    ria_snapshot *s = NULL;
    ria_error err = {0};
    HCHECK(ria_store_snapshot(st, version, &s, &err) == RIA_OK, "%s", err.msg);
    json_t *views = json_object_get(s->manifest, "views"), *v;
    size_t i;
    bool ok = true;
    json_array_foreach(views, i, v)
    {
        ria_buf sql;
        ria_buf_init(&sql, 0);
        view_sql(v, version, &sql);
        char **want = NULL, **got = NULL;
        size_t nw = 0, ng = 0;
        ok = base_lines(st, sql.data, &want, &nw);
        json_t *seg;
        size_t j;
        json_array_foreach(json_object_get(v, "segments"), j, seg)
            ok = ok && segment_lines(s, v, json_string_value(json_object_get(seg, "path")), &got,
                                     &ng);
        if (ok) {
            qsort(want, nw, sizeof *want, th_cmp_str);
            qsort(got, ng, sizeof *got, th_cmp_str);
            bool eq = nw == ng;
            for (size_t k = 0; eq && k < nw; k++)
                eq = strcmp(want[k], got[k]) == 0;
            if (!eq) {
                test_failed(__FILE__, __LINE__, "view %s at version %lld: %zu rows, base %zu%s%s",
                            json_string_value(json_object_get(v, "name")), (long long)version,
                            ng, nw, ng ? "\n  first view row: " : "", ng ? got[0] : "");
                ok = false;
            }
        }
        free_lines(want, nw);
        free_lines(got, ng);
        ria_buf_free(&sql);
        if (!ok)
            break;
        HCHECK(json_is_true(json_object_get(v, "usable")), "view not usable");
    }
    if (out_views)
        *out_views = (int)json_array_size(views);
    ria_snapshot_free(s);
    return ok;
}

/* The rollup file of each (view, partition) of a version: "view/part" -> path. */
static json_t *view_files(ria_store *st, int64_t version)
{
    ria_snapshot *s = NULL;
    ria_error err = {0};
    if (ria_store_snapshot(st, version, &s, &err) != RIA_OK)
        return NULL;
    json_t *out = json_object(), *v, *seg;
    size_t i, j;
    json_array_foreach(json_object_get(s->manifest, "views"), i, v)
        json_array_foreach(json_object_get(v, "segments"), j, seg)
        {
            char key[128];
            snprintf(key, sizeof key, "%s/%s", json_string_value(json_object_get(v, "name")),
                     json_string_value(json_object_get(seg, "partition")));
            json_object_set(out, key, json_object_get(seg, "path"));
        }
    ria_snapshot_free(s);
    return out;
}

/* Whether two versions use the same rollup file for "view/partition". */
static bool same_file(json_t *a, json_t *b, const char *key)
{
    json_t *x = json_object_get(a, key), *y = json_object_get(b, key);
    return x && y && json_equal(x, y);
}

/* -------------------------------------------------------------- queries */

/* A seeded generator of varied queries over the generated data. */
static uint64_t rng_next(uint64_t *s)
{
    *s += 0x9e3779b97f4a7c15ULL;
    return ria_mix64(*s);
}

static const char *const q_aggs[] = {
    "sum(amount)", "count(*)", "count(amount)", "avg(amount)", "max(amount)", "avg(unit_price)",
    "sum(quantity)", "avg(quantity)", "max(year(order_date))", "count(cost)", "sum(cost)",
    "sum(amount - cost)", "avg(discount)", "sum(discount)", "count(DISTINCT category)",
    "count(DISTINCT status)", "min(region)", "max(channel)",
    "sum(CASE WHEN status = 'Delivered' THEN amount ELSE 0 END)",
    "sum(CASE WHEN channel = 'Online' THEN 1 ELSE 0 END)",
    "count(CASE WHEN category = 'Toys' THEN amount END)",
    "avg(CASE WHEN region = 'West' THEN quantity END)",
    "min(CASE WHEN channel = 'Online' THEN category END)",
    "sum(CASE WHEN order_date < '2022-07-01' THEN amount ELSE 0 END)",
    "sum(CASE WHEN year(order_date) = 2023 THEN amount ELSE 0 END) / sum(CASE WHEN "
    "year(order_date) = 2022 THEN amount ELSE 0 END) - 1",
    "(sum(amount) - sum(cost)) / sum(amount)", "sum(amount) / count(*)",
    "sum(CASE WHEN month(order_date) IN (1, 2, 3) THEN amount END)",
    "sum(amount) / (SELECT sum(amount) FROM sales)",
    "count(*) * 100.0 / (SELECT count(*) FROM sales WHERE status <> 'Cancelled')",
    "sum(CASE WHEN status IN ('Cancelled', 'Returned') THEN 0 ELSE amount END)",
    "count(CASE WHEN quarter(order_date) = 2 THEN 1 END)",
    "min(CASE WHEN segment = 'Consumer' THEN unit_price ELSE NULL END)",
    "sum(CASE WHEN channel = 'Store' THEN amount - cost ELSE 0 END)",
};
static const char *const q_filters[] = {
    "", "category = 'Electronics'", "region IN ('West', 'East')", "status <> 'Cancelled'",
    "status NOT IN ('Cancelled', 'Returned')", "channel = 'Online' AND segment = 'Consumer'",
    "state = 'CA'", "category LIKE 'C%'",
    "order_date >= '2023-01-01' AND order_date < '2023-04-01'",
    "order_date >= '2023-03-15' AND order_date < '2023-04-01'",
    "order_date BETWEEN '2022-01-01' AND '2022-06-30 23:59:59'", "year(order_date) = 2023",
    "quarter(order_date) = 2", "month(order_date) = 12 AND category <> 'Home'",
    "order_date > '2022-05-31 23:59:59'", "order_date < '2022-07-01' OR category = 'Toys'",
    "sub_category IS NOT NULL", "order_date >= '2022-02-01' AND region = 'South'",
    "NOT (status = 'Pending') AND order_date < '2023-10-01'",
    "dayofweek(order_date) IN (0, 6)", "order_date >= '2022-08-10 06:00:00'",
    "city <> 'Boston' AND order_date < '2023-01-01'",
};
static const struct {
    const char *text;
    int keys;
} q_groups[] = {
    {"", 0}, {"category", 1}, {"region, channel", 2}, {"year(order_date)", 1},
    {"year(order_date), month(order_date)", 2}, {"date_trunc('month', order_date)", 1},
    {"quarter(order_date)", 1}, {"CAST(order_date AS DATE)", 1}, {"status", 1}, {"state", 1},
    {"sub_category, segment", 2}, {"date_trunc('week', order_date)", 1},
    {"category, year(order_date)", 2}, {"date_trunc('year', order_date), region", 2},
};

/* Query i of the generated set. */
static void gen_query(uint64_t seed, ria_buf *q)
{
    uint64_t s = seed;
    uint64_t gi = rng_next(&s) % RIA_ARRAY_LEN(q_groups);
    const char *g = q_groups[gi].text;
    const char *f = q_filters[rng_next(&s) % RIA_ARRAY_LEN(q_filters)];
    int naggs = 1 + (int)(rng_next(&s) % 3);
    ria_buf_puts(q, "SELECT ");
    if (*g)
        ria_buf_printf(q, "%s, ", g);
    for (int k = 0; k < naggs; k++)
        ria_buf_printf(q, "%s%s AS a%d", k ? ", " : "",
                       q_aggs[rng_next(&s) % RIA_ARRAY_LEN(q_aggs)], k);
    ria_buf_puts(q, " FROM sales");
    if (*f)
        ria_buf_printf(q, " WHERE %s", f);
    if (*g)
        ria_buf_printf(q, " GROUP BY %s", g);
    uint64_t shape = rng_next(&s) % 6;
    if (*g && shape == 1)
        ria_buf_puts(q, " HAVING count(*) > 3");
    if (*g && shape == 2)
        ria_buf_puts(q, " HAVING sum(amount) > 1000 OR max(quantity) > 2");
    if (*g && shape >= 3) {
        /* a total order: the first aggregate, then every group key */
        ria_buf_puts(q, " ORDER BY a0 DESC");
        for (int k = 1; k <= q_groups[gi].keys; k++)
            ria_buf_printf(q, ", %d", k);
        if (shape == 4)
            ria_buf_puts(q, " LIMIT 5");
        if (shape == 5)
            ria_buf_puts(q, " LIMIT 3 OFFSET 2");
    }
}

static bool open_store(ria_store **st)
{
    ria_error err = {0};
    HCHECK(ria_store_open(th_store_dir(), st, &err) == RIA_OK, "%s", err.msg);
    return true;
}

/* One generated load: rows from seed, from start over years. */
typedef struct {
    uint64_t rows, seed;
    const char *start;
    int years;
} gen_load;

/* The test store holding the loads, appended in order (as a.csv, b.csv,
 * ...), opened. */
static bool loaded_store(const gen_load *l, int n, ria_store **st)
{
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof name, "%c.csv", 'a' + i);
        if (!th_gen_csv(name, l[i].rows, l[i].seed, l[i].start, l[i].years) ||
            !th_ingest(name, RIA_MODE_APPEND, NULL))
            return false;
    }
    return open_store(st);
}

/* The same with one load from 2022-01-01. */
static bool one_load(uint64_t rows, uint64_t seed, int years, ria_store **st)
{
    return loaded_store(&(gen_load){rows, seed, "2022-01-01", years}, 1, st);
}

/* ----------------------------------------------------------------- tests */

TEST(views_defaults_hold_the_group_by)
{
    ria_store *st = NULL;
    CHECK(one_load(20000, 1, 2, &st));
    int nviews = 0;
    CHECK(check_views(st, 1, &nviews));
    CHECK_MSG(nviews >= 4, "only %d default views", nviews);
    json_t *files = view_files(st, 1);
    CHECK(json_object_get(files, "month_core/2022-01"));
    CHECK(json_object_get(files, "day_core/2023-12"));
    json_decref(files);
    ria_store_close(st);
}

TEST(views_generated_queries_equal_base)
{
    static const gen_load loads[] = {{30000, 2, "2022-01-01", 2}, {6000, 3, "2022-06-01", 1}};
    ria_store *st = NULL;
    CHECK(loaded_store(loads, 2, &st));
    int through_views = 0, n = 300;
    for (int i = 0; i < n; i++) {
        ria_buf q;
        ria_buf_init(&q, 0);
        gen_query((uint64_t)i * 7919 + 1, &q);
        bool used = false;
        bool ok = same(st, q.data, &used);
        ria_buf_free(&q);
        CHECK(ok);
        through_views += used;
    }
    CHECK_MSG(through_views > n / 2, "only %d of %d queries used a view", through_views, n);
    ria_store_close(st);
}

TEST(views_routing_decisions)
{
    ria_store *st = NULL;
    CHECK(one_load(20000, 4, 2, &st));
    static const struct {
        const char *sql;
        bool view;
    } cases[] = {
        {"SELECT sum(amount) FROM sales", true},
        {"SELECT count(*) FROM sales WHERE category = 'Nothing'", true},
        {"SELECT category, count(*), avg(amount) FROM sales GROUP BY category", true},
        {"SELECT sum(amount) FROM sales WHERE order_date >= '2022-03-01' AND order_date < "
         "'2022-04-01'", true},
        {"SELECT sum(amount) FROM sales WHERE order_date >= '2022-03-01' AND order_date <= "
         "'2022-03-31 23:59:59'", true},
        {"SELECT sum(amount) FROM sales WHERE order_date > '2022-02-28 23:59:59'", true},
        {"SELECT sum(amount) FROM sales WHERE order_date BETWEEN '2022-03-01' AND '2022-03-31 "
         "23:59:59'", true},
        {"SELECT sum(amount) FROM sales WHERE order_date >= '2022-03-05' AND order_date < "
         "'2022-03-09'", true},
        {"SELECT CAST(order_date AS DATE), sum(amount) FROM sales GROUP BY 1 ORDER BY 1", true},
        {"SELECT category, sum(amount) / (SELECT sum(amount) FROM sales) FROM sales GROUP BY "
         "category ORDER BY 1", true},
        {"SELECT count(DISTINCT order_id) FROM sales", false},
        {"SELECT count(DISTINCT customer_id) FROM sales WHERE category = 'Toys'", false},
        {"SELECT sum(amount) FROM sales WHERE order_date <= '2022-03-31'", false},
        {"SELECT sum(amount) FROM sales WHERE order_date >= '2022-03-01 12:00:00'", false},
        {"SELECT sum(amount) FROM sales WHERE order_date = '2022-03-01'", false},
        {"SELECT hour(order_date), count(*) FROM sales GROUP BY 1 ORDER BY 1", false},
        {"SELECT order_date, count(*) FROM sales GROUP BY order_date ORDER BY 2 DESC, 1 LIMIT 3",
         false},
        {"SELECT city, sum(amount) FROM sales GROUP BY city ORDER BY 1", false},
        {"SELECT sum(amount) FROM sales WHERE amount > 100", false},
        {"SELECT sum(amount * 2) FROM sales", false},
        {"SELECT category, amount FROM sales ORDER BY amount DESC LIMIT 3", false},
        {"SELECT min(order_date) FROM sales", false},
        {"SELECT category, max(amount) FROM sales GROUP BY category", false},
    };
    for (size_t i = 0; i < RIA_ARRAY_LEN(cases); i++)
        CHECK(expect_route(st, cases[i].sql, cases[i].view));
    /* the bench questions: all but the distinct-order count use a view */
    static const char *const bench[] = {
        "SELECT sum(amount) FROM sales WHERE order_date >= '2023-01-01' AND order_date < "
        "'2023-02-01'",
        "SELECT category, sum(amount) AS revenue FROM sales GROUP BY category ORDER BY revenue "
        "DESC",
        "SELECT sum(amount) FROM sales WHERE category = 'Electronics' AND state = 'CA' AND "
        "order_date >= '2023-01-01' AND order_date < '2023-04-01'",
        "SELECT year(order_date) AS y, month(order_date) AS m, sum(amount) FROM sales GROUP BY "
        "y, m ORDER BY y, m",
        "SELECT category, year(order_date) AS y, (sum(amount) - sum(cost)) / sum(amount) AS "
        "margin FROM sales GROUP BY category, y ORDER BY category, y",
        "SELECT channel, sum(amount) / (SELECT sum(amount) FROM sales) AS share FROM sales GROUP "
        "BY channel ORDER BY share DESC",
    };
    for (size_t i = 0; i < RIA_ARRAY_LEN(bench); i++)
        CHECK(expect_route(st, bench[i], true));
    ria_store_close(st);
}

TEST(views_explain_names_the_choice)
{
    ria_store *st = NULL;
    CHECK(one_load(5000, 5, 1, &st));
    static const struct {
        const char *sql, *want;
    } cases[] = {
        {"SELECT category, sum(amount) FROM sales GROUP BY category", "view: month_core (month"},
        {"SELECT count(DISTINCT order_id) FROM sales", "order_id is not one of its dimensions"},
        {"SELECT sum(amount) FROM sales WHERE order_date >= '2022-01-01 10:00:00'",
         "does not fall on day boundaries"},
    };
    for (size_t i = 0; i < RIA_ARRAY_LEN(cases); i++) {
        ria_arena a;
        ria_arena_init(&a, 4096);
        ria_plan *p = NULL;
        ria_sql_error serr = {0};
        ria_snapshot *s = NULL;
        ria_error err = {0};
        CHECK(ria_sql_parse(cases[i].sql, &a, &p, &serr) == RIA_OK);
        CHECK(ria_store_snapshot(st, 0, &s, &err) == RIA_OK);
        CHECK(ria_plan_bind(p, s, &serr) == RIA_OK);
        ria_plan_canonicalize(p);
        ria_buf out;
        ria_buf_init(&out, 0);
        ria_exec_opts o = {0};
        CHECK(ria_explain(s, p, &o, &out, &err) == RIA_OK);
        CHECK_MSG(strstr(out.data, cases[i].want), "explain of %s:\n%s", cases[i].sql, out.data);
        ria_buf_free(&out);
        ria_snapshot_free(s);
        ria_arena_free(&a);
    }
    ria_store_close(st);
}

TEST(views_follow_every_commit)
{
    ria_store *st = NULL;
    CHECK(th_gen_csv("a.csv", 12000, 6, "2022-01-01", 1));
    CHECK(th_gen_csv("b.csv", 4000, 7, "2023-01-01", 1));  /* new partitions only */
    CHECK(th_gen_csv("c.csv", 3000, 8, "2022-03-01", 1));  /* into old partitions */
    CHECK(th_gen_csv("r.csv", 5000, 9, "2022-06-01", 1));  /* the replacement */
    CHECK(doubled_amounts("a.csv", "up.csv"));
    CHECK(th_ingest("a.csv", RIA_MODE_APPEND, NULL));                 /* v1 */
    CHECK(th_ingest("b.csv", RIA_MODE_APPEND, NULL));                 /* v2 */
    CHECK(open_store(&st));
    json_t *f1 = view_files(st, 1), *f2 = view_files(st, 2);
    CHECK(f1 && f2);
    /* untouched partitions keep their rollup files; new ones get theirs */
    CHECK(same_file(f1, f2, "day_core/2022-05"));
    CHECK(json_object_get(f2, "month_all/2023-06") && !json_object_get(f1, "month_all/2023-06"));
    CHECK(th_ingest("up.csv", RIA_MODE_UPSERT, "order_id,sku"));     /* v3 */
    CHECK(th_ingest("c.csv", RIA_MODE_APPEND, NULL));                 /* v4 */
    json_t *f3 = view_files(st, 3), *f4 = view_files(st, 4);
    CHECK(f3 && f4);
    /* the upsert rewrote amounts in 2022 only; 2023 rollups stay */
    CHECK(!same_file(f2, f3, "month_core/2022-04"));
    CHECK(same_file(f2, f3, "month_core/2023-04"));
    CHECK(same_file(f3, f4, "month_all/2022-01"));
    ria_compact_opts co = {0};
    ria_compact_result cr;
    ria_error err = {0};
    CHECK(ria_compact(th_store_dir(), &co, &cr, &err) == RIA_OK && cr.version == 5);  /* v5 */
    CHECK(th_ingest("r.csv", RIA_MODE_REPLACE, NULL));                /* v6 */
    for (int64_t v = 1; v <= 6; v++)
        CHECK(check_views(st, v, NULL));
    /* time travel through views equals the base table at every version */
    for (int64_t v = 1; v <= 6; v++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "SELECT category, year(order_date), sum(amount), count(*), avg(quantity) FROM "
                 "sales AS OF VERSION %lld GROUP BY 1, 2",
                 (long long)v);
        CHECK(expect_route(st, sql, true));
        snprintf(sql, sizeof sql,
                 "SELECT status, sum(amount) / (SELECT sum(amount) FROM sales AS OF VERSION "
                 "%lld) FROM sales AS OF VERSION %lld WHERE order_date >= '2022-03-01' GROUP BY "
                 "1",
                 (long long)v, (long long)v);
        CHECK(expect_route(st, sql, true));
    }
    json_t *f6 = view_files(st, 6);
    CHECK(!json_object_get(f6, "month_core/2022-01")); /* replaced away */
    json_decref(f1);
    json_decref(f2);
    json_decref(f3);
    json_decref(f4);
    json_decref(f6);
    ria_store_close(st);
}

static bool file_exists(const char *rel)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", th_store_dir(), rel);
    return access(path, F_OK) == 0;
}

TEST(views_vacuum_keeps_what_versions_use)
{
    static const gen_load loads[] = {{8000, 10, "2022-01-01", 1}, {3000, 11, "2022-02-01", 1}};
    ria_store *st = NULL;
    CHECK(loaded_store(loads, 2, &st));
    json_t *f1 = view_files(st, 1), *f2 = view_files(st, 2);
    /* a file of an interrupted commit, named by no version */
    char orphan[2048];
    snprintf(orphan, sizeof orphan, "%s/views/month_core/2022-01/v9-deadbeef.seg", th_store_dir());
    FILE *f = fopen(orphan, "w");
    CHECK(f);
    fputs("junk", f);
    fclose(f);
    ria_vacuum_opts vo = {.keep = 2};
    ria_vacuum_result vr;
    ria_error err = {0};
    CHECK(ria_store_vacuum(th_store_dir(), &vo, &vr, &err) == RIA_OK);
    CHECK(access(orphan, F_OK) != 0);
    const char *k;
    json_t *p;
    json_object_foreach(f1, k, p)
        CHECK_MSG(file_exists(json_string_value(p)), "version 1 lost %s", k);
    vo.keep = 1;
    CHECK(ria_store_vacuum(th_store_dir(), &vo, &vr, &err) == RIA_OK);
    int gone = 0;
    json_object_foreach(f2, k, p)
        CHECK_MSG(file_exists(json_string_value(p)), "version 2 lost %s", k);
    json_object_foreach(f1, k, p)
        gone += !file_exists(json_string_value(p));
    CHECK_MSG(gone > 0, "no rollup of version 1 alone was removed");
    CHECK(check_views(st, 2, NULL));
    json_decref(f1);
    json_decref(f2);
    ria_store_close(st);
}

/* Rewrites the views of model.json with f. */
static bool edit_model(void (*f)(json_t *model))
{
    char path[2048];
    snprintf(path, sizeof path, "%s/model.json", th_store_dir());
    json_t *m = json_load_file(path, 0, NULL);
    HCHECK(m, "no model.json");
    f(m);
    HCHECK(json_dump_file(m, path, JSON_INDENT(2)) == 0, "cannot write model.json");
    json_decref(m);
    return true;
}

static void add_city_view(json_t *m)
{
    json_array_append_new(json_object_get(m, "views"),
                          json_pack("{s:s, s:s, s:[s, s]}", "name", "by_city", "grain", "hour",
                                    "dims", "city", "status"));
}

static void bump_epoch(json_t *m)
{
    json_object_set_new(m, "views_epoch", json_integer(7));
}

TEST(views_user_edits_survive_and_rebuild)
{
    CHECK(th_gen_csv("a.csv", 6000, 12, "2022-01-01", 1));
    CHECK(th_gen_csv("b.csv", 2000, 13, "2022-03-01", 1));
    CHECK(th_ingest("a.csv", RIA_MODE_APPEND, NULL));
    CHECK(edit_model(add_city_view));
    CHECK(th_ingest("b.csv", RIA_MODE_APPEND, NULL));
    CHECK(th_ingest("b.csv", RIA_MODE_APPEND, NULL)); /* exact duplicates: nothing changes */
    ria_store *st = NULL;
    CHECK(open_store(&st));
    json_t *f2 = view_files(st, 2), *f3 = view_files(st, 3);
    CHECK_MSG(json_object_get(f3, "by_city/2022-01"), "the user's view was dropped");
    CHECK(json_equal(f2, f3));
    CHECK(check_views(st, 3, NULL));
    CHECK(expect_route(st, "SELECT city, hour(order_date), count(*) FROM sales WHERE order_date "
                           ">= '2022-03-01 10:00:00' GROUP BY 1, 2",
                       true));
    CHECK(edit_model(bump_epoch));
    CHECK(th_gen_csv("c.csv", 100, 14, "2022-05-01", 1));
    CHECK(th_ingest("c.csv", RIA_MODE_APPEND, NULL));
    json_t *f4 = view_files(st, 4);
    const char *k;
    json_t *p;
    json_object_foreach(f4, k, p)
        CHECK_MSG(!json_equal(p, json_object_get(f3, k)), "%s was not rebuilt", k);
    CHECK(check_views(st, 4, NULL));
    json_decref(f2);
    json_decref(f3);
    json_decref(f4);
    ria_store_close(st);
}
