/* test_ingest.c — loading CSV through ria_ingest_run: every quality rule
 * (the row is quarantined, or flagged/fixed, with its count and line in the
 * report and the stored value as the rule says), exact duplicates within a
 * file and against stored rows, upsert and replace, blank numbers as null,
 * and compaction keeping the table's rows.  Tables are read back through a
 * small reader over the snapshot API. */
#include "helpers.h"
#include "ingest/ingest.h"
#include "test.h"

#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

/* ---------------------------------------------------------------- loading */

/* Loads CSV text (written to name under the test dir) into the store.
 * Returns the report (owned by the caller) or NULL after recording why. */
static json_t *load(const char *name, const char *csv, ria_ingest_mode mode, const char *key)
{
    if (!th_write_file(th_path(name), csv, strlen(csv)))
        return NULL;
    json_t *r = th_ingest_report(name, mode, key);
    if (r && !json_is_true(json_object_get(r, "reconciled"))) {
        test_failed(__FILE__, __LINE__, "report of %s is not reconciled", name);
        json_decref(r);
        return NULL;
    }
    return r;
}

static json_int_t jint(const json_t *r, const char *key)
{
    return json_integer_value(json_object_get(r, key));
}

/* ---------------------------------------------------------------- reading */

/* A version's live rows rendered as text: cells[row * ncols + col];
 * NULL values read "NULL". */
typedef struct {
    int ncols;
    char names[64][64];
    size_t nrows;
    char **cells;
} table;

static void table_free(table *t)
{
    for (size_t i = 0; t->cells && i < t->nrows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

static char *render_i64(const ria_column *c, int64_t v)
{
    char buf[64];
    if (v == RIA_NULL_I64)
        return strdup("NULL");
    switch (c->type) {
    case RIA_T_DECIMAL: ria_format_decimal(v, 4, buf); break;
    case RIA_T_DATE: ria_format_date(v, buf); break;
    case RIA_T_TIMESTAMP: ria_format_ts(v, buf); break;
    default: snprintf(buf, sizeof buf, "%lld", (long long)v); break;
    }
    return strdup(buf);
}

static char *render_text(const char *p, size_t n)
{
    return n ? strndup(p, n) : strdup("NULL");
}

static bool table_read(int64_t version, table *t)
{
    memset(t, 0, sizeof *t);
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    if (!th_open_snapshot(version, &st, &s))
        return false;
    ria_error err = {0};
    bool ok = s->ncols <= 64;
    t->ncols = s->ncols;
    for (int c = 0; ok && c < s->ncols; c++)
        snprintf(t->names[c], sizeof t->names[c], "%s", s->cols[c].name);
    t->cells = calloc((s->live_rows + 1) * (size_t)(s->ncols + 1), sizeof *t->cells);
    int64_t *i64 = malloc(sizeof *i64 * RIA_BLOCK_ROWS);
    uint32_t *codes = malloc(sizeof *codes * RIA_BLOCK_ROWS);
    ria_scratch scratch = {0};
    for (int si = 0; ok && si < s->nsegs; si++) {
        ria_segment *seg;
        const uint8_t *dv;
        ok = ria_snapshot_segment(s, si, &seg, &err) == RIA_OK &&
             ria_snapshot_dv(s, si, &dv, &err) == RIA_OK;
        uint64_t row0 = 0;
        for (uint32_t b = 0; ok && b < ria_segment_nblocks(seg); b++) {
            uint32_t nb = ria_segment_block_rows(seg, b);
            size_t first = t->nrows;
            for (int c = 0; ok && c < s->ncols; c++) {
                const ria_column *col = &s->cols[c];
                ria_heapvec hv;
                if (col->kind == RIA_KIND_I64)
                    ok = ria_segment_read_i64(seg, col->id, b, i64, &err) == RIA_OK;
                else if (col->kind == RIA_KIND_CODE)
                    ok = ria_segment_read_codes(seg, col->id, b, codes, &err) == RIA_OK;
                else
                    ok = ria_segment_read_heap(seg, col->id, b, &hv, &scratch, &err) == RIA_OK;
                size_t k = first;
                for (uint32_t r = 0; ok && r < nb; r++) {
                    if (ria_dv_get(dv, row0 + r))
                        continue;
                    if (k >= s->live_rows) {
                        ok = false;
                        snprintf(err.msg, sizeof err.msg, "more rows than live_rows");
                        break;
                    }
                    char **cell = &t->cells[k * (size_t)t->ncols + (size_t)c];
                    if (col->kind == RIA_KIND_I64) {
                        *cell = render_i64(col, i64[r]);
                    } else if (col->kind == RIA_KIND_CODE) {
                        const ria_dict *d = s->dicts[c];
                        if (codes[r] && (!d || codes[r] > d->count)) {
                            ok = false;
                            snprintf(err.msg, sizeof err.msg, "code beyond the dictionary");
                            break;
                        }
                        *cell = codes[r] ? render_text(d->strs[codes[r]], d->lens[codes[r]])
                                         : strdup("NULL");
                    } else {
                        *cell = render_text(hv.bytes + hv.offs[r], hv.offs[r + 1] - hv.offs[r]);
                    }
                    k++;
                }
                if (c == s->ncols - 1)
                    t->nrows = k;
            }
            row0 += nb;
        }
    }
    if (ok && t->nrows != s->live_rows) {
        snprintf(err.msg, sizeof err.msg, "read %zu rows, live_rows is %llu", t->nrows,
                 (unsigned long long)s->live_rows);
        ok = false;
    }
    free(i64);
    free(codes);
    ria_scratch_free(&scratch);
    ria_snapshot_free(s);
    ria_store_close(st);
    if (!ok) {
        test_failed(__FILE__, __LINE__, "reading version %lld: %s", (long long)version, err.msg);
        table_free(t);
    }
    return ok;
}

static int table_col(const table *t, const char *name)
{
    for (int c = 0; c < t->ncols; c++)
        if (strcmp(t->names[c], name) == 0)
            return c;
    return -1;
}

/* The value of column `col` in the row whose order_id is `id` ("?" if no
 * such row or column, "DUP" if two rows have that id). */
static const char *cell(const table *t, const char *id, const char *col)
{
    int ci = table_col(t, "order_id"), cc = table_col(t, col);
    if (ci < 0 || cc < 0)
        return "?";
    const char *found = "?";
    int hits = 0;
    for (size_t r = 0; r < t->nrows; r++)
        if (strcmp(t->cells[r * (size_t)t->ncols + (size_t)ci], id) == 0) {
            found = t->cells[r * (size_t)t->ncols + (size_t)cc];
            hits++;
        }
    return hits > 1 ? "DUP" : found;
}

/* Every row as one line "name=value|..." (columns in name order, so two
 * tables with the same columns compare equal whatever their ids), sorted. */
static char **table_lines(const table *t)
{
    int order[64];
    for (int c = 0; c < t->ncols; c++)
        order[c] = c;
    for (int i = 1; i < t->ncols; i++)
        for (int j = i; j > 0 && strcmp(t->names[order[j - 1]], t->names[order[j]]) > 0; j--) {
            int x = order[j];
            order[j] = order[j - 1];
            order[j - 1] = x;
        }
    char **lines = calloc(t->nrows + 1, sizeof *lines);
    for (size_t r = 0; r < t->nrows; r++) {
        ria_buf b;
        ria_buf_init(&b, 0);
        for (int k = 0; k < t->ncols; k++)
            ria_buf_printf(&b, "%s=%s|", t->names[order[k]],
                           t->cells[r * (size_t)t->ncols + (size_t)order[k]]);
        lines[r] = ria_buf_steal(&b);
    }
    qsort(lines, t->nrows, sizeof *lines, th_cmp_str);
    return lines;
}

static void lines_free(char **lines, size_t n)
{
    for (size_t i = 0; lines && i < n; i++)
        free(lines[i]);
    free(lines);
}

/* Two versions hold the same multiset of rows. */
static bool same_rows(int64_t va, int64_t vb)
{
    table a, b;
    if (!table_read(va, &a))
        return false;
    if (!table_read(vb, &b)) {
        table_free(&a);
        return false;
    }
    bool ok = a.nrows == b.nrows;
    if (!ok)
        test_failed(__FILE__, __LINE__, "version %lld has %zu rows, version %lld has %zu",
                    (long long)va, a.nrows, (long long)vb, b.nrows);
    char **la = table_lines(&a), **lb = table_lines(&b);
    for (size_t i = 0; ok && i < a.nrows; i++)
        if (strcmp(la[i], lb[i]) != 0) {
            test_failed(__FILE__, __LINE__, "row %zu differs:\n      %s\n      %s", i, la[i],
                        lb[i]);
            ok = false;
        }
    lines_free(la, a.nrows);
    lines_free(lb, b.nrows);
    table_free(&a);
    table_free(&b);
    return ok;
}

/* ------------------------------------------------------------- the rules */

#define HEADER                                                                                 \
    "order_id,order_date,ship_date,category,state,quantity,unit_price,discount,amount,cost,"    \
    "customer_id,postal_code,country,points\n"

/* A row no rule fires on: order i in March 2024. */
static void good_row(ria_buf *b, const char *prefix, int i)
{
    ria_buf_printf(b,
                   "%s%04d,2024-03-%02d 10:%02d:00,2024-03-25,Electronics,CA,2,10.00,0.1,18.00,"
                   "12.00,C%04d,94103,US,%d\n",
                   prefix, i, 1 + i % 20, i % 60, i, 7 + i);
}

/* Initializes b with the header and the good rows first..last. */
static void good_rows(ria_buf *b, const char *prefix, int first, int last)
{
    ria_buf_init(b, 0);
    ria_buf_puts(b, HEADER);
    for (int i = first; i <= last; i++)
        good_row(b, prefix, i);
}

/* Ten good rows, the row under test on line 12, two more good rows. */
static char *rule_csv(const char *special)
{
    ria_buf b;
    good_rows(&b, "ORD-", 1, 10);
    ria_buf_puts(&b, special);
    ria_buf_puts(&b, "\n");
    for (int i = 11; i <= 12; i++)
        good_row(&b, "ORD-", i);
    return ria_buf_steal(&b);
}

#define SPECIAL_LINE 12

/* The rule fired once, on line 12 of t.csv, with the table's outcome. */
static bool rule_hit_once(const json_t *report, const char *rule)
{
    json_t *r = json_object_get(json_object_get(report, "rules"), rule);
    HCHECK(r, "rule %s did not fire (rules: %s)", rule,
           json_dumps(json_object_get(report, "rules"), JSON_COMPACT));
    HCHECK(jint(r, "count") == 1, "rule %s fired %lld times", rule, (long long)jint(r, "count"));
    ria_outcome want = 0;
    for (int k = 0; k < RIA_RULE_COUNT; k++)
        if (strcmp(ria_rule_get((ria_rule)k)->name, rule) == 0)
            want = ria_rule_get((ria_rule)k)->outcome;
    HCHECK(want, "no rule named %s", rule);
    const char *outcome = json_string_value(json_object_get(r, "outcome"));
    HCHECK(outcome && strcmp(outcome, ria_outcome_name(want)) == 0, "rule %s outcome %s", rule,
           outcome ? outcome : "(none)");
    json_t *ex = json_array_get(json_object_get(r, "examples"), 0);
    HCHECK(ex, "rule %s: no line in the report", rule);
    HCHECK(jint(ex, "line") == SPECIAL_LINE, "rule %s reported at line %lld, not %d", rule,
           (long long)jint(ex, "line"), SPECIAL_LINE);
    const char *file = json_string_value(json_object_get(ex, "file"));
    HCHECK(file && strstr(file, "t.csv"), "rule %s: file %s", rule, file ? file : "(none)");
    return true;
}

/* A reject rule: the row is quarantined (report and quarantine file) and
 * the twelve others are stored. */
static void check_reject(const char *special, const char *rule)
{
    char *csv = rule_csv(special);
    json_t *r = load("t.csv", csv, RIA_MODE_APPEND, NULL);
    free(csv);
    CHECK(r);
    bool ok = rule_hit_once(r, rule);
    json_int_t read = jint(r, "rows_read"), acc = jint(r, "accepted"), q = jint(r, "quarantined");
    const char *qrel = json_string_value(json_object_get(r, "quarantine_file"));
    char qpath[1200];
    snprintf(qpath, sizeof qpath, "%s/%s", th_store_dir(), qrel ? qrel : "");
    json_decref(r);
    CHECK(ok);
    CHECK_EQ_INT(read, 13);
    CHECK_EQ_INT(q, 1);
    CHECK_EQ_INT(acc, 12);
    char *text = NULL;
    CHECK_OK(ria_read_file(qpath, 1 << 20, &text, NULL, &err_));
    char want[128];
    snprintf(want, sizeof want, ",%d,%s,", SPECIAL_LINE, rule);
    bool listed = strstr(text, want) != NULL;
    int lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    free(text);
    CHECK_MSG(listed, "quarantine file has no '%s'", want);
    CHECK_EQ_INT(lines, 2); /* header + the row */
    table t;
    CHECK(table_read(0, &t));
    size_t n = t.nrows;
    const char *absent = cell(&t, "ORD-0099", "order_id");
    bool gone = strcmp(absent, "?") == 0;
    table_free(&t);
    CHECK_EQ_INT(n, 12);
    CHECK(gone);
}

/* A flag or fix rule: the row is stored, counted once at line 12, and its
 * column `col` reads `want` (skipped when col is NULL). */
static void check_kept(const char *special, const char *rule, const char *col, const char *want)
{
    char *csv = rule_csv(special);
    json_t *r = load("t.csv", csv, RIA_MODE_APPEND, NULL);
    free(csv);
    CHECK(r);
    bool ok = rule_hit_once(r, rule);
    json_int_t acc = jint(r, "accepted"), q = jint(r, "quarantined");
    json_decref(r);
    CHECK(ok);
    CHECK_EQ_INT(q, 0);
    CHECK_EQ_INT(acc, 13);
    table t;
    CHECK(table_read(0, &t));
    char got[256];
    snprintf(got, sizeof got, "%s", col ? cell(&t, "ORD-0099", col) : "");
    size_t n = 0;
    int ci = table_col(&t, "order_id");
    for (size_t i = 0; ci >= 0 && i < t.nrows; i++)
        n += strncmp(t.cells[i * (size_t)t.ncols + (size_t)ci], "ORD-", 4) == 0;
    table_free(&t);
    CHECK_EQ_INT(n, 13);
    if (col)
        CHECK_EQ_STR(got, want);
}

/* Rows under test; the good row is
 * ORD-0099,2024-03-05 10:00:00,2024-03-25,Electronics,CA,2,10.00,0.1,18.00,12.00,C0099,94103,US,5 */
TEST(rule_bad_record)
{
    check_reject("ORD-0099,2024-03-05 10:00:00,2024-03-25,\"Electronics,CA,2,10.00,0.1,18.00,"
                 "12.00,C0099,94103,US,5",
                 "bad_record");
}
TEST(rule_field_count)
{
    check_reject("ORD-0099,2024-03-05 10:00:00,2024-03-25,Electronics,CA,2", "field_count");
}
TEST(rule_missing_order_id)
{
    check_reject(",2024-03-05 10:00:00,2024-03-25,Electronics,CA,2,10.00,0.1,18.00,12.00,C0099,"
                 "94103,US,5",
                 "missing_order_id");
}
TEST(rule_missing_date)
{
    check_reject("ORD-0099,,2024-03-25,Electronics,CA,2,10.00,0.1,18.00,12.00,C0099,94103,US,5",
                 "missing_date");
}
TEST(rule_bad_date)
{
    check_reject("ORD-0099,2024-02-30 10:00:00,2024-03-25,Electronics,CA,2,10.00,0.1,18.00,12.00,"
                 "C0099,94103,US,5",
                 "bad_date");
}
TEST(rule_bad_amount)
{
    check_reject("ORD-0099,2024-03-05 10:00:00,2024-03-25,Electronics,CA,2,10.00,0.1,18.0x,"
                 "12.00,C0099,94103,US,5",
                 "bad_amount");
}
TEST(rule_negative_amount)
{
    check_reject("ORD-0099,2024-03-05 10:00:00,2024-03-25,Electronics,CA,2,10.00,0.1,-18.00,"
                 "12.00,C0099,94103,US,5",
                 "negative_amount");
}
TEST(rule_bad_quantity)
{
    check_reject("ORD-0099,2024-03-05 10:00:00,2024-03-25,Electronics,CA,2.5,10.00,0.1,18.00,"
                 "12.00,C0099,94103,US,5",
                 "bad_quantity");
}
TEST(rule_negative_quantity)
{
    check_reject("ORD-0099,2024-03-05 10:00:00,2024-03-25,Electronics,CA,-2,10.00,0.1,18.00,"
                 "12.00,C0099,94103,US,5",
                 "negative_quantity");
}
TEST(rule_bad_number)
{
    check_reject("ORD-0099,2024-03-05 10:00:00,2024-03-25,Electronics,CA,2,10.00,0.1,18.00,"
                 "twelve,C0099,94103,US,5",
                 "bad_number");
}
TEST(rule_negative_price)
{
    check_reject("ORD-0099,2024-03-05 10:00:00,2024-03-25,Electronics,CA,2,-10.00,0.1,18.00,"
                 "12.00,C0099,94103,US,5",
                 "negative_price");
}
TEST(rule_bad_discount)
{
    check_reject("ORD-0099,2024-03-05 10:00:00,2024-03-25,Electronics,CA,2,10.00,1.5,18.00,"
                 "12.00,C0099,94103,US,5",
                 "bad_discount");
}
TEST(rule_ship_before_order)
{
    check_reject("ORD-0099,2024-03-05 10:00:00,2024-03-04,Electronics,CA,2,10.00,0.1,18.00,"
                 "12.00,C0099,94103,US,5",
                 "ship_before_order");
}
TEST(rule_amount_above_ceiling)
{
    check_kept("ORD-0099,2024-03-05 10:00:00,2024-03-25,Electronics,CA,2,10.00,0.1,150000.00,"
               "12.00,C0099,94103,US,5",
               "amount_above_ceiling", "amount", "150000.0000");
}
TEST(rule_unknown_state)
{
    check_kept("ORD-0099,2024-03-05 10:00:00,2024-03-25,Electronics,ZZ,2,10.00,0.1,18.00,12.00,"
               "C0099,94103,US,5",
               "unknown_state", "state", "ZZ");
}
TEST(rule_old_date)
{
    check_kept("ORD-0099,2010-03-05 10:00:00,2010-03-25,Electronics,CA,2,10.00,0.1,18.00,12.00,"
               "C0099,94103,US,5",
               "old_date", "order_date", "2010-03-05 10:00:00");
}
TEST(rule_future_date)
{
    check_kept("ORD-0099,2099-03-05 10:00:00,,Electronics,CA,2,10.00,0.1,18.00,12.00,C0099,94103,"
               "US,5",
               "future_date", "order_date", "2099-03-05 10:00:00");
}
TEST(rule_malformed_quotes)
{
    check_kept("ORD-0099,2024-03-05 10:00:00,2024-03-25,Elec\"tronics,CA,2,10.00,0.1,18.00,12.00,"
               "C0099,94103,US,5",
               "malformed_quotes", "category", "Elec\"tronics");
}
TEST(rule_missing_amount)
{
    check_kept("ORD-0099,2024-03-05 10:00:00,2024-03-25,Electronics,CA,2,,0.1,,12.00,C0099,94103,"
               "US,5",
               "missing_amount", "amount", "NULL");
}
TEST(rule_missing_category)
{
    check_kept("ORD-0099,2024-03-05 10:00:00,2024-03-25,,CA,2,10.00,0.1,18.00,12.00,C0099,94103,"
               "US,5",
               "missing_category", "category", "Unknown");
}
TEST(rule_missing_quantity)
{
    check_kept("ORD-0099,2024-03-05 10:00:00,2024-03-25,Electronics,CA,,10.00,0.1,9.00,12.00,"
               "C0099,94103,US,5",
               "missing_quantity", "quantity", "1");
}
TEST(rule_derived_amount)
{
    /* 3 x 10.05 x (1 - 0.1) = 27.135, rounded to cents */
    check_kept("ORD-0099,2024-03-05 10:00:00,2024-03-25,Electronics,CA,3,10.05,0.1,,12.00,C0099,"
               "94103,US,5",
               "derived_amount", "amount", "27.1400");
}
TEST(rule_state_name)
{
    check_kept("ORD-0099,2024-03-05 10:00:00,2024-03-25,Electronics,New York,2,10.00,0.1,18.00,"
               "12.00,C0099,94103,US,5",
               "state_name", "state", "NY");
}
TEST(rule_discount_percent)
{
    check_kept("ORD-0099,2024-03-05 10:00:00,2024-03-25,Electronics,CA,2,10.00,15%,17.00,12.00,"
               "C0099,94103,US,5",
               "discount_percent", "discount", "0.1500");
}
TEST(rule_bad_ship_date)
{
    check_kept("ORD-0099,2024-03-05 10:00:00,2024-02-31,Electronics,CA,2,10.00,0.1,18.00,12.00,"
               "C0099,94103,US,5",
               "bad_ship_date", "ship_date", "NULL");
}
TEST(rule_postal_code)
{
    check_kept("ORD-0099,2024-03-05 10:00:00,2024-03-25,Electronics,CA,2,10.00,0.1,18.00,12.00,"
               "C0099,2149.0,US,5",
               "postal_code", "postal_code", "02149");
}
TEST(rule_encoding)
{
    /* "Caf\xe9" is Windows-1252, not UTF-8 */
    check_kept("ORD-0099,2024-03-05 10:00:00,2024-03-25,Caf\xe9,CA,2,10.00,0.1,18.00,12.00,C0099,"
               "94103,US,5",
               "encoding", "category", "Caf\xc3\xa9");
}
TEST(rule_bad_value)
{
    /* points is a whole-number column once a load has typed it */
    ria_buf b;
    good_rows(&b, "PRE-", 1, 5);
    char *pre = ria_buf_steal(&b);
    json_t *r = load("pre.csv", pre, RIA_MODE_APPEND, NULL);
    free(pre);
    CHECK(r);
    json_decref(r);
    check_kept("ORD-0099,2024-03-05 10:00:00,2024-03-25,Electronics,CA,2,10.00,0.1,18.00,12.00,"
               "C0099,94103,US,lots",
               "bad_value", "points", "NULL");
}

TEST(rule_table_is_complete)
{
    /* every rule has a stable name, an outcome and a description, and the
     * rule tests above cover each name */
    static const char *const tested[] = {
        "bad_record",     "field_count",      "missing_order_id", "missing_date",
        "bad_date",       "bad_amount",       "negative_amount",  "bad_quantity",
        "negative_quantity", "bad_number",    "negative_price",   "bad_discount",
        "ship_before_order", "amount_above_ceiling", "unknown_state", "old_date",
        "future_date",    "malformed_quotes", "missing_amount",   "missing_category",
        "missing_quantity", "derived_amount", "state_name",       "discount_percent",
        "bad_ship_date",  "postal_code",      "encoding",         "bad_value"};
    CHECK_EQ_INT(RIA_ARRAY_LEN(tested), RIA_RULE_COUNT);
    for (int k = 0; k < RIA_RULE_COUNT; k++) {
        const ria_rule_info *ri = ria_rule_get((ria_rule)k);
        CHECK(ri && ri->name && ri->description && ri->description[0]);
        bool found = false;
        for (size_t i = 0; i < RIA_ARRAY_LEN(tested); i++)
            found |= strcmp(tested[i], ri->name) == 0;
        CHECK_MSG(found, "rule %s has no test", ri->name);
    }
}

/* ---------------------------------------------------------- dedupe, nulls */

TEST(ingest_dedupes_within_a_file)
{
    ria_buf b;
    good_rows(&b, "ORD-", 1, 10);
    good_row(&b, "ORD-", 3);  /* exact copy */
    good_row(&b, "ORD-", 7);  /* exact copy */
    good_row(&b, "ORD-", 7);  /* and again */
    /* same order id, one value different: not a duplicate */
    ria_buf_puts(&b, "ORD-0005,2024-03-06 10:05:00,2024-03-25,Electronics,CA,2,10.00,0.1,18.00,"
                     "12.00,C0005,94103,US,99\n");
    /* surrounding spaces do not make a row different */
    ria_buf_puts(&b, "ORD-0004 , 2024-03-05 10:04:00,2024-03-25,Electronics,CA,2,10.00,0.1,18.00,"
                     "12.00,C0004,94103,US,11\n");
    char *csv = ria_buf_steal(&b);
    json_t *r = load("d.csv", csv, RIA_MODE_APPEND, NULL);
    free(csv);
    CHECK(r);
    json_int_t read = jint(r, "rows_read"), acc = jint(r, "accepted"), dup = jint(r, "duplicates");
    json_decref(r);
    CHECK_EQ_INT(read, 15);
    CHECK_EQ_INT(dup, 4);
    CHECK_EQ_INT(acc, 11);
    table t;
    CHECK(table_read(0, &t));
    size_t n = t.nrows;
    table_free(&t);
    CHECK_EQ_INT(n, 11);
}

TEST(ingest_dedupes_against_stored_rows)
{
    ria_buf b;
    good_rows(&b, "ORD-", 1, 30);
    char *first = ria_buf_steal(&b);
    json_t *r = load("a.csv", first, RIA_MODE_APPEND, NULL);
    CHECK(r);
    json_decref(r);
    /* the same file again: nothing new */
    r = load("a.csv", first, RIA_MODE_APPEND, NULL);
    free(first);
    CHECK(r);
    json_int_t acc = jint(r, "accepted"), dup = jint(r, "duplicates");
    json_decref(r);
    CHECK_EQ_INT(dup, 30);
    CHECK_EQ_INT(acc, 0);
    /* half old, half new (in other months too) */
    good_rows(&b, "ORD-", 21, 40);
    ria_buf_puts(&b, "NEW-0001,2023-11-05 09:00:00,2023-11-07,Home,TX,1,5.00,0,5.00,2.00,C9,"
                     "75001,US,1\n");
    char *second = ria_buf_steal(&b);
    r = load("b.csv", second, RIA_MODE_APPEND, NULL);
    free(second);
    CHECK(r);
    acc = jint(r, "accepted");
    dup = jint(r, "duplicates");
    json_decref(r);
    CHECK_EQ_INT(dup, 10);
    CHECK_EQ_INT(acc, 11);
    table t;
    CHECK(table_read(0, &t));
    size_t n = t.nrows;
    bool one = strcmp(cell(&t, "ORD-0025", "order_id"), "ORD-0025") == 0;
    table_free(&t);
    CHECK_EQ_INT(n, 41);
    CHECK(one);
    /* rows deleted by an upsert are no longer stored: loading them again adds them */
    r = load("u.csv",
             HEADER "ORD-0001,2024-03-02 10:01:00,2024-03-25,Electronics,CA,2,10.00,0.1,18.00,"
                    "12.00,C0001,94103,US,500\n",
             RIA_MODE_UPSERT, "order_id");
    CHECK(r);
    json_decref(r);
    good_rows(&b, "ORD-", 1, 1);
    char *third = ria_buf_steal(&b);
    r = load("c.csv", third, RIA_MODE_APPEND, NULL);
    free(third);
    CHECK(r);
    acc = jint(r, "accepted");
    dup = jint(r, "duplicates");
    json_decref(r);
    CHECK_EQ_INT(dup, 0);
    CHECK_EQ_INT(acc, 1);
}

TEST(ingest_blank_numbers_are_null)
{
    const char *csv =
        HEADER
        "ORD-0001,2024-03-02 10:00:00,,Electronics,CA,2,10.00,,18.00,,,94103,US,\n"
        "ORD-0002,2024-03-03 10:00:00,2024-03-05,Electronics,CA,1,4.00,0,4.00,1.50,C0002,"
        "94103,US,3\n"
        "ORD-0003,2024-03-04 10:00:00,2024-03-06,Home,CA,1,0,0,0,0,C0003,94103,US,0\n";
    json_t *r = load("n.csv", csv, RIA_MODE_APPEND, NULL);
    CHECK(r);
    json_int_t acc = jint(r, "accepted");
    json_decref(r);
    CHECK_EQ_INT(acc, 3);
    table t;
    CHECK(table_read(0, &t));
    char got[6][32];
    snprintf(got[0], 32, "%s", cell(&t, "ORD-0001", "discount"));
    snprintf(got[1], 32, "%s", cell(&t, "ORD-0001", "cost"));
    snprintf(got[2], 32, "%s", cell(&t, "ORD-0001", "points"));
    snprintf(got[3], 32, "%s", cell(&t, "ORD-0001", "ship_date"));
    snprintf(got[4], 32, "%s", cell(&t, "ORD-0001", "customer_id"));
    snprintf(got[5], 32, "%s", cell(&t, "ORD-0003", "cost"));
    char zero_points[32];
    snprintf(zero_points, sizeof zero_points, "%s", cell(&t, "ORD-0003", "points"));
    table_free(&t);
    CHECK_EQ_STR(got[0], "NULL");
    CHECK_EQ_STR(got[1], "NULL");
    CHECK_EQ_STR(got[2], "NULL");
    CHECK_EQ_STR(got[3], "NULL");
    CHECK_EQ_STR(got[4], "NULL");
    /* zero is a value, not a null */
    CHECK_EQ_STR(got[5], "0.0000");
    CHECK_EQ_STR(zero_points, "0");
}

/* --------------------------------------------------------- upsert, replace */

static const char *const upsert_base =
    HEADER
    "K1,2024-03-01 09:00:00,2024-03-03,Home,CA,1,10.00,0,10.00,5.00,C1,94103,US,1\n"
    "K2,2024-03-02 09:00:00,2024-03-04,Home,CA,1,20.00,0,20.00,5.00,C2,94103,US,2\n"
    "K3,2024-03-03 09:00:00,2024-03-05,Toys,CA,1,30.00,0,30.00,5.00,C3,94103,US,3\n"
    "K3,2024-04-03 09:00:00,2024-04-05,Toys,CA,1,31.00,0,31.00,5.00,C3,94103,US,4\n";

TEST(ingest_upsert_replaces_by_key)
{
    json_t *r = load("base.csv", upsert_base, RIA_MODE_APPEND, NULL);
    CHECK(r);
    json_decref(r);
    /* K2 twice (the later wins), K3 (stored twice, in two months), K4 new */
    const char *upd =
        HEADER
        "K2,2024-03-02 09:00:00,2024-03-04,Home,CA,1,21.00,0,21.00,5.00,C2,94103,US,2\n"
        "K4,2024-05-01 09:00:00,2024-05-03,Garden,CA,1,40.00,0,40.00,5.00,C4,94103,US,5\n"
        "K2,2024-03-09 09:00:00,2024-03-10,Home,CA,1,22.00,0,22.00,5.00,C2,94103,US,2\n"
        "K3,2024-03-03 09:00:00,2024-03-05,Toys,CA,1,33.00,0,33.00,5.00,C3,94103,US,3\n";
    r = load("upd.csv", upd, RIA_MODE_UPSERT, "order_id");
    CHECK(r);
    json_t *u = json_object_get(r, "upsert");
    json_int_t updated = jint(u, "updated"), inserted = jint(u, "inserted"),
               replaced = jint(u, "stored_rows_replaced"), sup = jint(r, "superseded"),
               read = jint(r, "rows_read"), acc = jint(r, "accepted");
    const char *mode = json_string_value(json_object_get(r, "mode"));
    bool mode_ok = mode && strcmp(mode, "upsert") == 0;
    bool has = u != NULL;
    json_decref(r);
    CHECK(has);
    CHECK(mode_ok);
    CHECK_EQ_INT(read, 4);
    CHECK_EQ_INT(sup, 1);
    CHECK_EQ_INT(acc, 3);
    CHECK_EQ_INT(updated, 2);
    CHECK_EQ_INT(inserted, 1);
    CHECK_EQ_INT(replaced, 3);
    table t;
    CHECK(table_read(0, &t));
    char got[5][32];
    snprintf(got[0], 32, "%s", cell(&t, "K1", "amount"));
    snprintf(got[1], 32, "%s", cell(&t, "K2", "amount"));
    snprintf(got[2], 32, "%s", cell(&t, "K3", "amount"));
    snprintf(got[3], 32, "%s", cell(&t, "K4", "amount"));
    snprintf(got[4], 32, "%s", cell(&t, "K2", "order_date"));
    size_t n = t.nrows;
    table_free(&t);
    CHECK_EQ_INT(n, 4);
    CHECK_EQ_STR(got[0], "10.0000");
    CHECK_EQ_STR(got[1], "22.0000");
    CHECK_EQ_STR(got[2], "33.0000");
    CHECK_EQ_STR(got[3], "40.0000");
    CHECK_EQ_STR(got[4], "2024-03-09 09:00:00");
    /* version 1 is unchanged */
    CHECK(table_read(1, &t));
    n = t.nrows;
    snprintf(got[1], 32, "%s", cell(&t, "K2", "amount"));
    snprintf(got[2], 32, "%s", cell(&t, "K3", "amount"));
    table_free(&t);
    CHECK_EQ_INT(n, 4);
    CHECK_EQ_STR(got[1], "20.0000");
    CHECK_EQ_STR(got[2], "DUP");
    /* the version records what went */
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    CHECK(th_open_snapshot(2, &st, &s));
    ria_version_info info = s->info;
    ria_snapshot_free(s);
    ria_store_close(st);
    CHECK_EQ_STR(info.operation, "upsert");
    CHECK_EQ_INT(info.rows_removed, 3);
    CHECK_EQ_INT(info.rows_added, 3);
    CHECK_EQ_INT(info.live_rows, 4);
}

TEST(ingest_upsert_with_composite_key)
{
    const char *base =
        HEADER
        "K1,2024-03-01 09:00:00,,Home,CA,1,10.00,0,10.00,5.00,C1,94103,US,1\n"
        "K1,2024-03-01 09:00:00,,Home,CA,1,11.00,0,11.00,5.00,C1,94103,US,2\n";
    json_t *r = load("base.csv", base, RIA_MODE_APPEND, NULL);
    CHECK(r);
    json_decref(r);
    r = load("upd.csv",
             HEADER "K1,2024-03-01 09:00:00,,Home,CA,1,12.00,0,12.00,5.00,C1,94103,US,2\n",
             RIA_MODE_UPSERT, "order_id, points");
    CHECK(r);
    json_int_t replaced = jint(json_object_get(r, "upsert"), "stored_rows_replaced");
    json_decref(r);
    CHECK_EQ_INT(replaced, 1);
    table t;
    CHECK(table_read(0, &t));
    char **lines = table_lines(&t);
    size_t n = t.nrows;
    bool has10 = n == 2 && strstr(lines[0], "amount=10.0000|") && strstr(lines[1], "amount=12.0000|");
    lines_free(lines, n);
    table_free(&t);
    CHECK_EQ_INT(n, 2);
    CHECK(has10);
}

TEST(ingest_upsert_needs_a_key_in_the_file)
{
    json_t *r = load("base.csv", upsert_base, RIA_MODE_APPEND, NULL);
    CHECK(r);
    json_decref(r);
    const char *path = th_path("upd.csv");
    CHECK(th_write_file(path, upsert_base, strlen(upsert_base)));
    char *files[1] = {(char *)path};
    ria_ingest_opts o = {.mode = RIA_MODE_UPSERT, .quiet = true};
    ria_ingest_result res;
    ria_error err = {0};
    CHECK(ria_ingest_run(th_store_dir(), files, 1, &o, &res, &err) == RIA_EINVAL);
    o.key = "no_such_column";
    err.msg[0] = 0;
    CHECK(ria_ingest_run(th_store_dir(), files, 1, &o, &res, &err) == RIA_EINVAL);
    CHECK(strstr(err.msg, "no_such_column") != NULL);
    /* nothing was committed */
    ria_store *st = NULL;
    int64_t latest = 0;
    CHECK_OK(ria_store_open(th_store_dir(), &st, &err_));
    CHECK_OK(ria_store_latest(st, &latest, &err_));
    ria_store_close(st);
    CHECK_EQ_INT(latest, 1);
}

TEST(ingest_replace_makes_the_new_rows_the_table)
{
    json_t *r = load("base.csv", upsert_base, RIA_MODE_APPEND, NULL);
    CHECK(r);
    json_decref(r);
    /* K1 is identical to a stored row: with the old rows gone it must stay */
    const char *repl =
        HEADER
        "K1,2024-03-01 09:00:00,2024-03-03,Home,CA,1,10.00,0,10.00,5.00,C1,94103,US,1\n"
        "K7,2024-06-01 09:00:00,2024-06-03,Home,CA,1,70.00,0,70.00,5.00,C7,94103,US,7\n"
        "K7,2024-06-01 09:00:00,2024-06-03,Home,CA,1,70.00,0,70.00,5.00,C7,94103,US,7\n";
    r = load("repl.csv", repl, RIA_MODE_REPLACE, NULL);
    CHECK(r);
    json_int_t acc = jint(r, "accepted"), dup = jint(r, "duplicates");
    const char *mode = json_string_value(json_object_get(r, "mode"));
    bool mode_ok = mode && strcmp(mode, "replace") == 0;
    json_decref(r);
    CHECK(mode_ok);
    CHECK_EQ_INT(dup, 1);
    CHECK_EQ_INT(acc, 2);
    table t;
    CHECK(table_read(0, &t));
    size_t n = t.nrows;
    char k1[32], k7[32], k2[32];
    snprintf(k1, 32, "%s", cell(&t, "K1", "amount"));
    snprintf(k7, 32, "%s", cell(&t, "K7", "amount"));
    snprintf(k2, 32, "%s", cell(&t, "K2", "amount"));
    table_free(&t);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_STR(k1, "10.0000");
    CHECK_EQ_STR(k7, "70.0000");
    CHECK_EQ_STR(k2, "?");
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    CHECK(th_open_snapshot(0, &st, &s));
    ria_version_info info = s->info;
    ria_snapshot_free(s);
    ria_store_close(st);
    CHECK_EQ_STR(info.operation, "replace");
    CHECK_EQ_INT(info.rows_removed, 4);
    CHECK_EQ_INT(info.rows_added, 2);
    /* time travel still sees the replaced table */
    CHECK(table_read(1, &t));
    n = t.nrows;
    table_free(&t);
    CHECK_EQ_INT(n, 4);
}

/* ------------------------------------------------------------- compaction */

/* n rows "<prefix>NNNN" over two months, with or without the points column. */
static char *batch_csv(const char *prefix, int first, int n, bool points)
{
    ria_buf b;
    ria_buf_init(&b, 0);
    ria_buf_puts(&b, points ? HEADER
                            : "order_id,order_date,ship_date,category,state,quantity,unit_price,"
                              "discount,amount,cost,customer_id,postal_code,country\n");
    static const char *const cats[] = {"Home", "Toys", "Garden", "Books"};
    for (int i = first; i < first + n; i++) {
        int month = 1 + i % 2;
        ria_buf_printf(&b, "%s%05d,2024-%02d-%02d 08:%02d:00,,%s,%s,%d,%d.25,0,%d.25,1.00,C%d,"
                           "94103,US",
                       prefix, i, month, 1 + i % 27, i % 60, cats[i % 4], i % 3 ? "CA" : "TX",
                       1, 3 + i % 50, 3 + i % 50, i % 97);
        if (points)
            ria_buf_printf(&b, ",%d", i % 11);
        ria_buf_puts(&b, "\n");
    }
    return ria_buf_steal(&b);
}

/* batch_csv(prefix, first, n, points) loaded as the file name with mode and
 * key; the report (the caller's) or NULL after recording why. */
static json_t *load_batch(const char *name, const char *prefix, int first, int n, bool points,
                          ria_ingest_mode mode, const char *key)
{
    char *csv = batch_csv(prefix, first, n, points);
    json_t *r = load(name, csv, mode, key);
    free(csv);
    return r;
}

/* The same appended, without the report. */
static bool append_batch(const char *name, const char *prefix, int first, int n, bool points)
{
    json_t *r = load_batch(name, prefix, first, n, points, RIA_MODE_APPEND, NULL);
    bool ok = r != NULL;
    json_decref(r);
    return ok;
}

/* The segments of a version and, in *with_deletes, how many have deleted
 * rows; -1 when the version cannot be read. */
static int live_segments(int64_t version, int *with_deletes)
{
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    if (!th_open_snapshot(version, &st, &s))
        return -1;
    int n = s->nsegs;
    *with_deletes = 0;
    for (int i = 0; i < n; i++)
        *with_deletes += s->segs[i].deleted > 0;
    ria_snapshot_free(s);
    ria_store_close(st);
    return n;
}

TEST(compact_keeps_the_rows)
{
    /* three appends (the first without the points column) and an upsert
     * that deletes stored rows */
    CHECK(append_batch("a.csv", "A", 0, 3000, false));
    CHECK(append_batch("b.csv", "B", 0, 2000, true));
    CHECK(append_batch("c.csv", "C", 0, 1000, true));
    /* replaces A00100..A00149 */
    json_t *r = load_batch("u.csv", "A", 100, 50, true, RIA_MODE_UPSERT, "order_id");
    CHECK(r);
    json_int_t replaced = jint(json_object_get(r, "upsert"), "stored_rows_replaced");
    json_decref(r);
    CHECK_EQ_INT(replaced, 50);
    int dirty = 0;
    int before = live_segments(4, &dirty);
    CHECK(before >= 6);
    CHECK(dirty > 0);

    ria_compact_opts co = {0};
    ria_compact_result res;
    ria_error err = {0};
    CHECK_MSG(ria_compact(th_store_dir(), &co, &res, &err) == RIA_OK, "%s", err.msg);
    CHECK_EQ_INT(res.version, 5);
    CHECK(res.segments_in > res.segments_out);
    CHECK_EQ_INT(res.rows, 6000);
    int after = live_segments(5, &dirty);
    CHECK_MSG(after < before, "%d segments before, %d after", before, after);
    CHECK_EQ_INT(after, 2); /* one per month */
    CHECK_EQ_INT(dirty, 0);
    CHECK(same_rows(4, 5));
    /* rows of the first load read NULL points before and after */
    table t;
    CHECK(table_read(5, &t));
    char p[32], q[32];
    snprintf(p, sizeof p, "%s", cell(&t, "A00007", "points"));
    snprintf(q, sizeof q, "%s", cell(&t, "A00107", "points"));
    size_t n = t.nrows;
    table_free(&t);
    CHECK_EQ_INT(n, 6000);
    CHECK_EQ_STR(p, "NULL");
    CHECK_EQ_STR(q, "8");
    /* history is untouched */
    table t1;
    CHECK(table_read(1, &t1));
    n = t1.nrows;
    table_free(&t1);
    CHECK_EQ_INT(n, 3000);
    /* a second compaction has nothing to do */
    CHECK_OK(ria_compact(th_store_dir(), &co, &res, &err_));
    CHECK_EQ_INT(res.version, 0);
    /* later loads still dedupe against the compacted rows */
    r = load_batch("b2.csv", "B", 0, 2000, true, RIA_MODE_APPEND, NULL);
    CHECK(r);
    json_int_t dup = jint(r, "duplicates");
    json_decref(r);
    CHECK_EQ_INT(dup, 2000);
}

TEST(compact_respects_max_rows)
{
    for (int k = 0; k < 4; k++) {
        char name[16];
        snprintf(name, sizeof name, "%d.csv", k);
        CHECK(append_batch(name, k % 2 ? "X" : "Y", k * 1000, 1000, true));
    }
    int dirty;
    CHECK_EQ_INT(live_segments(4, &dirty), 8);
    ria_compact_opts co = {.max_rows = 1000};
    ria_compact_result res;
    ria_error err = {0};
    CHECK_MSG(ria_compact(th_store_dir(), &co, &res, &err) == RIA_OK, "%s", err.msg);
    CHECK_EQ_INT(res.version, 5);
    /* 500-row segments, two per group of at most 1000 rows */
    CHECK_EQ_INT(live_segments(5, &dirty), 4);
    CHECK(same_rows(4, 5));
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    CHECK(th_open_snapshot(5, &st, &s));
    uint64_t biggest = 0;
    for (int i = 0; i < s->nsegs; i++)
        biggest = RIA_MAX(biggest, s->segs[i].rows);
    ria_snapshot_free(s);
    ria_store_close(st);
    CHECK(biggest <= 1000);
}

TEST(compact_version_does_not_adopt_a_killed_loads_quarantine)
{
    /* A load killed before its commit leaves quarantine/<next>.csv; when a
     * compaction then takes that version number, the file does not belong
     * to it and vacuum must not keep it as that version's quarantine. */
    CHECK(append_batch("a.csv", "A", 0, 100, true));
    CHECK(append_batch("b.csv", "B", 0, 100, true));
    const char *stale = th_path("store/quarantine/3.csv");
    const char *text = "file,line,rule,reason,record\nx.csv,2,bad_date,never committed,\"x\"\n";
    CHECK(th_write_file(stale, text, strlen(text)));
    ria_compact_opts co = {0};
    ria_compact_result res;
    CHECK_OK(ria_compact(th_store_dir(), &co, &res, &err_));
    CHECK_EQ_INT(res.version, 3);
    ria_vacuum_opts vo = {.keep = 10};
    ria_vacuum_result vr;
    CHECK_OK(ria_store_vacuum(th_store_dir(), &vo, &vr, &err_));
    CHECK_MSG(!ria_path_exists(stale),
              "quarantine/3.csv of an uncommitted load survives vacuum as version 3's (a "
              "compaction)");
}
