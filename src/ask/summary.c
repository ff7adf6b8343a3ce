/*
 * summary.c — the summarization mode: a short written report of sales
 * performance for a period.
 *
 * For each period (default: the last complete month and the year to
 * date): the headline metrics (revenue, orders, average order value, gross
 * margin, units, customers — those the data can compute) with their change
 * on the previous period and on a year before; the best and worst
 * categories, regions and channels; the biggest movers; months that stand
 * out of the last 24; and data caveats (an incomplete period, rows the
 * last load set aside).  Every figure comes from an SQL statement run on
 * one snapshot, every sentence is built from those figures, and the
 * statements are returned with the report.
 */
#include "summary.h"

#include "sqlgen.h"
#include "answer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const summary_ctx *c;
    json_t *sql;               /* the statements run */
    ria_exec_stats stats;
} runner;

/* Runs one statement on the snapshot. */
static ria_status run(runner *r, const char *sql, ria_result **out, ria_error *err)
{
    ria_arena arena;
    ria_arena_init(&arena, 16 * 1024);
    ria_sql_error se = {0};
    ria_plan *p = NULL;
    ria_status rc = ria_sql_parse(sql, &arena, &p, &se);
    if (rc == RIA_OK)
        rc = ria_plan_bind(p, r->c->snap, &se);
    if (rc != RIA_OK) {
        ria_arena_free(&arena);
        return ria_fail(err, RIA_EINTERNAL, "generated SQL failed (%s): %s", se.msg, sql);
    }
    ria_plan_canonicalize(p);
    ria_exec_stats st;
    rc = ria_execute(r->c->snap, p, &r->c->eo, out, &st, err);
    ria_arena_free(&arena);
    if (rc == RIA_OK) {
        r->stats.rows_scanned += st.rows_scanned;
        r->stats.bytes_read += st.bytes_read;
        json_array_append_new(r->sql, json_string(sql));
    }
    return rc;
}

/* ------------------------------------------------------------- periods */

/* Reads a period typed by the user: one time expression and nothing else
 * but filler ("for", "the"). */
static bool read_period(const char *text, int64_t anchor, ask_period *out)
{
    ask_tokens t;
    if (!ask_tokenize(text, &t))
        return false;
    timex_match m[4];
    int n = timex_find(&t, anchor, m, 4);
    bool ok = n == 1;
    for (int i = 0; ok && i < t.n; i++) {
        bool inside = i >= m[0].tok && i < m[0].tok + m[0].ntok;
        if (!inside && t.t[i].kind != TOK_PUNCT && strcmp(t.t[i].text, "for") != 0 &&
            strcmp(t.t[i].text, "the") != 0)
            ok = false;
    }
    if (ok)
        *out = m[0].span;
    ask_tokens_free(&t);
    return ok;
}

/* The default periods: the last complete month and the year to date. */
static int default_periods(int64_t anchor, ask_period out[2])
{
    int64_t day = ria_floor_div(anchor, RIA_SECS_PER_DAY);
    int y, m, d;
    ria_civil_from_days(day, &y, &m, &d);
    bool month_done = d == ria_days_in_month(y, m);
    int n = 0;
    if (read_period(month_done ? "this month" : "last month", anchor, &out[n])) {
        if (month_done)
            snprintf(out[n].label, sizeof out[n].label, "%s", period_back_months(&out[n], 0).label);
        n++;
    }
    if (read_period("ytd", anchor, &out[n]))
        n++;
    return n;
}

/* ----------------------------------------------------------- formatting */

static void money_or_count(const summary_ctx *c, const metric_def *m, double x, char *out, size_t n)
{
    format_number(x, m->unit, c->currency, out, n);
}

/* "+12.3%" for amounts and counts, "+0.4 pts" for ratios; "" when the old
 * value is missing. */
static void change_text(const metric_def *m, double cur, double old, char *out, size_t n)
{
    if (isnan(cur) || isnan(old) || (m->unit != RIA_UNIT_RATIO && old == 0)) {
        snprintf(out, n, "n/a");
        return;
    }
    if (m->unit == RIA_UNIT_RATIO)
        snprintf(out, n, "%+.1f pts", (cur - old) * 100);
    else
        snprintf(out, n, "%+.1f%%", (cur / old - 1) * 100);
}

/* "November 2024" for a month bucket. */
static void month_name(const ria_value *v, char *out, size_t n)
{
    static const char *const names[] = {"January", "February", "March",     "April",
                                        "May",     "June",     "July",      "August",
                                        "September", "October", "November", "December"};
    int64_t day = v->type == RIA_V_TS ? ria_floor_div(v->i, RIA_SECS_PER_DAY) : v->i;
    int y, m, d;
    ria_civil_from_days(day, &y, &m, &d);
    snprintf(out, n, "%s %d", names[m - 1], y);
}

static double num(const ria_result *r, size_t row, int col)
{
    return r && row < r->nrows && col < r->ncols ? value_number(ria_result_at(r, row, col)) : NAN;
}

/* ------------------------------------------------------------ sections */

typedef struct {
    ask_period cur, prev, ya;
    bool has_prev;            /* a whole calendar unit: compare with the one before */
} periods3;

static void periods_cond(const summary_ctx *c, const ask_period *p, ria_buf *out)
{
    const char *t = c->snap->cols[c->v->col_time].name;
    char a[16], b[16];
    ria_format_date(ria_floor_div(p->start, RIA_SECS_PER_DAY), a);
    ria_format_date(ria_floor_div(p->end, RIA_SECS_PER_DAY), b);
    ria_buf_printf(out, "%s >= '%s' AND %s < '%s'", t, a, t, b);
}

/* " WHERE <the span of all periods> AND <status rule>" */
static void where_all(const summary_ctx *c, const periods3 *ps, ria_buf *b)
{
    ask_period span = ps->cur;
    span.start = RIA_MIN(span.start, ps->ya.start);
    if (ps->has_prev)
        span.start = RIA_MIN(span.start, ps->prev.start);
    ria_buf_puts(b, " WHERE ");
    periods_cond(c, &span, b);
    if (c->v->status_rule[0])
        ria_buf_printf(b, " AND %s", c->v->status_rule);
}

/* metric(cur), metric(prev), metric(ya) as select items */
static void three(const summary_ctx *c, const periods3 *ps, metric_id m, ria_buf *b)
{
    const ask_period *p[3] = {&ps->cur, &ps->prev, &ps->ya};
    ria_buf cond;
    ria_buf_init(&cond, 0);
    for (int k = 0; k < 3; k++) {
        ria_buf_reset(&cond);
        periods_cond(c, p[k], &cond);
        if (k)
            ria_buf_puts(b, ", ");
        if (k == 1 && !ps->has_prev)
            ria_buf_puts(b, "NULL");
        else
            metric_sql(c->v, m, cond.data, b);
    }
    ria_buf_free(&cond);
}

static const metric_id headline_metrics[] = {M_REVENUE, M_ORDERS, M_AOV, M_MARGIN, M_UNITS,
                                             M_CUSTOMERS};

static ria_status headline(runner *r, const periods3 *ps, json_t *sec, ria_buf *text,
                           ria_error *err)
{
    const summary_ctx *c = r->c;
    ria_buf b;
    ria_buf_init(&b, 0);
    ria_buf_puts(&b, "SELECT ");
    int nm = 0;
    metric_id ms[RIA_ARRAY_LEN(headline_metrics)];
    for (size_t i = 0; i < RIA_ARRAY_LEN(headline_metrics); i++) {
        if (!c->v->metrics[headline_metrics[i]].available)
            continue;
        if (nm)
            ria_buf_puts(&b, ", ");
        three(c, ps, headline_metrics[i], &b);
        ms[nm++] = headline_metrics[i];
    }
    ria_buf_puts(&b, " FROM sales");
    where_all(c, ps, &b);
    ria_result *res = NULL;
    ria_status rc = run(r, b.data, &res, err);
    ria_buf_free(&b);
    if (rc != RIA_OK)
        return rc;
    json_t *rows = json_array(), *units = json_array();
    const char *vs = ps->has_prev ? "%s on %s, %s on %s" : "%s on %s";
    for (int i = 0; i < nm; i++) {
        const metric_def *m = &c->v->metrics[ms[i]];
        double cur = num(res, 0, 3 * i), prev = num(res, 0, 3 * i + 1), ya = num(res, 0, 3 * i + 2);
        json_array_append_new(rows, json_pack("[s, o, o, o]", m->label, number_json(cur),
                                              number_json(prev), number_json(ya)));
        json_array_append_new(units, json_string(m->unit == RIA_UNIT_MONEY   ? "money"
                                                 : m->unit == RIA_UNIT_RATIO ? "ratio"
                                                 : m->unit == RIA_UNIT_COUNT ? "count"
                                                                             : "number"));
        char v[64], cp[32], cy[32];
        money_or_count(c, m, cur, v, sizeof v);
        change_text(m, cur, prev, cp, sizeof cp);
        change_text(m, cur, ya, cy, sizeof cy);
        if (i == 0) {
            /* the first metric (revenue) in full */
            ria_buf_printf(text, "%s was %s (", m->label, v);
            if (ps->has_prev)
                ria_buf_printf(text, vs, cp, ps->prev.label, cy, ps->ya.label);
            else
                ria_buf_printf(text, vs, cy, ps->ya.label);
            ria_buf_puts(text, ").\n");
            continue;
        }
        char lc[64];
        snprintf(lc, sizeof lc, "%s", m->label);
        if (lc[0] >= 'A' && lc[0] <= 'Z' && !(lc[1] >= 'A' && lc[1] <= 'Z'))
            lc[0] = (char)(lc[0] + 32);
        ria_buf_printf(text, "%s%s %s (", i == 1 ? "" : "; ", i == 1 ? m->label : lc, v);
        if (ps->has_prev)
            ria_buf_printf(text, "%s, %s", cp, cy);
        else
            ria_buf_puts(text, cy);
        ria_buf_putc(text, ')');
    }
    if (nm > 1) {
        if (ps->has_prev)
            ria_buf_printf(text, ": changes on %s and on %s.\n", ps->prev.label, ps->ya.label);
        else
            ria_buf_printf(text, ": changes on %s.\n", ps->ya.label);
    }
    json_t *cols = json_array();
    json_array_append_new(cols, column("metric", "label", RIA_UNIT_NONE));
    json_array_append_new(cols, column(ps->cur.label, "number", RIA_UNIT_NONE));
    json_array_append_new(cols, column(ps->has_prev ? ps->prev.label : "previous", "number",
                                       RIA_UNIT_NONE));
    json_array_append_new(cols, column(ps->ya.label, "number", RIA_UNIT_NONE));
    /* units[i] is the unit of rows[i]'s numbers */
    json_object_set_new(sec, "headline",
                        json_pack("{s:o, s:o, s:o}", "columns", cols, "rows", rows, "units", units));
    ria_result_free(res);
    return RIA_OK;
}

/* Revenue by one dimension in the three periods, sorted by the current. */
typedef struct {
    char label[96];
    double cur, prev, ya;
} dim_row;

static int cmp_dim_row(const void *a, const void *b)
{
    const dim_row *x = a, *y = b;
    double u = isnan(x->cur) ? -INFINITY : x->cur, v = isnan(y->cur) ? -INFINITY : y->cur;
    return (u < v) - (u > v);
}

static ria_status by_dim(runner *r, const periods3 *ps, int dim, dim_row **out, int *n,
                         ria_error *err)
{
    const summary_ctx *c = r->c;
    ria_buf b;
    ria_buf_init(&b, 0);
    ria_buf_printf(&b, "SELECT %s, ", c->v->dims[dim].name);
    three(c, ps, M_REVENUE, &b);
    ria_buf_puts(&b, " FROM sales");
    where_all(c, ps, &b);
    ria_buf_puts(&b, " GROUP BY 1");
    ria_result *res = NULL;
    ria_status rc = run(r, b.data, &res, err);
    ria_buf_free(&b);
    if (rc != RIA_OK)
        return rc;
    *out = calloc(res->nrows + 1, sizeof **out);
    *n = 0;
    for (size_t i = 0; *out && i < res->nrows; i++) {
        const ria_value *l = ria_result_at(res, i, 0);
        if (l->is_null)
            continue;
        dim_row *d = &(*out)[(*n)++];
        snprintf(d->label, sizeof d->label, "%.*s", (int)l->n, l->s);
        d->cur = num(res, i, 1);
        d->prev = num(res, i, 2);
        d->ya = num(res, i, 3);
    }
    if (*out)
        qsort(*out, (size_t)*n, sizeof **out, cmp_dim_row);
    ria_result_free(res);
    return *out ? RIA_OK : ria_fail(err, RIA_ENOMEM, "out of memory");
}

static int dim_by_role(const vocab *v, ria_role role)
{
    for (int d = 0; d < v->ndims; d++)
        if (v->snap->cols[v->dims[d].col].role == role)
            return d;
    return -1;
}

/* A section over the revenue by one dimension (rows sorted by the current
 * period, at least two of them; the writer may reorder and change them). */
typedef void (*dim_section)(const summary_ctx *c, const periods3 *ps, int dim, dim_row *rows,
                            int n, json_t *sec, ria_buf *text);

/* Runs the query of by_dim and writes its section with f when there are
 * two values or more to compare (fewer: nothing). */
static ria_status dim_section_run(runner *r, const periods3 *ps, int dim, dim_section f,
                                  json_t *sec, ria_buf *text, ria_error *err)
{
    dim_row *rows = NULL;
    int n = 0;
    ria_status rc = by_dim(r, ps, dim, &rows, &n, err);
    if (rc == RIA_OK && n >= 2)
        f(r->c, ps, dim, rows, n, sec, text);
    free(rows);
    return rc;
}

/* "By category, Electronics led with $X (48% of revenue, +5% on 2023);
 * Beauty was smallest with $Y." */
static void leaders(const summary_ctx *c, const periods3 *ps, int dim, dim_row *rows, int n,
                    json_t *sec, ria_buf *text)
{
    const metric_def *rev = &c->v->metrics[M_REVENUE];
    double total = 0;
    for (int i = 0; i < n; i++)
        total += isnan(rows[i].cur) ? 0 : rows[i].cur;
    char a[64], z[64], cy[32];
    money_or_count(c, rev, rows[0].cur, a, sizeof a);
    money_or_count(c, rev, rows[n - 1].cur, z, sizeof z);
    change_text(rev, rows[0].cur, rows[0].ya, cy, sizeof cy);
    ria_buf_printf(text, "By %s, %s led with %s (%.1f%% of revenue, %s on %s); %s was smallest "
                         "with %s.\n",
                   c->v->dims[dim].label, rows[0].label, a,
                   total > 0 ? rows[0].cur / total * 100 : 0.0, cy, ps->ya.label,
                   rows[n - 1].label, z);
    json_t *jr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(jr, json_pack("[s, o, o]", rows[i].label, number_json(rows[i].cur),
                                            number_json(rows[i].ya)));
    json_object_set_new(sec, c->v->dims[dim].name, jr);
}

static int cmp_change(const void *a, const void *b)
{
    const dim_row *x = a, *y = b;
    double u = x->prev, v = y->prev; /* prev holds the change here */
    return (u < v) - (u > v);
}

/* The largest rises and falls of revenue over the previous period (or
 * the year before) among the values of a fine dimension. */
static void movers(const summary_ctx *c, const periods3 *ps, int dim, dim_row *rows, int n,
                   json_t *sec, ria_buf *text)
{
    const char *vs = ps->has_prev ? ps->prev.label : ps->ya.label;
    for (int i = 0; i < n; i++) {
        double old = ps->has_prev ? rows[i].prev : rows[i].ya;
        double cur = isnan(rows[i].cur) ? 0 : rows[i].cur;
        rows[i].prev = cur - (isnan(old) ? 0 : old);
    }
    qsort(rows, (size_t)n, sizeof *rows, cmp_change);
    const metric_def *rev = &c->v->metrics[M_REVENUE];
    ria_buf_printf(text, "Biggest changes by %s on %s:", c->v->dims[dim].label, vs);
    json_t *jr = json_array();
    int shown = 0;
    for (int i = 0; i < n && i < 2 && rows[i].prev > 0; i++, shown++) {
        char d[64];
        money_or_count(c, rev, rows[i].prev, d, sizeof d);
        ria_buf_printf(text, "%s %s (+%s)", shown ? "," : "", rows[i].label, d);
        json_array_append_new(jr, json_pack("[s, o]", rows[i].label, number_json(rows[i].prev)));
    }
    int falls = 0;
    for (int i = n - 1; i >= 0 && i >= n - 2 && rows[i].prev < 0; i--, falls++) {
        char d[64];
        money_or_count(c, rev, -rows[i].prev, d, sizeof d);
        ria_buf_printf(text, "%s %s (-%s)", shown || falls ? (falls ? "," : "; down:") : " down:",
                       rows[i].label, d);
        json_array_append_new(jr, json_pack("[s, o]", rows[i].label, number_json(rows[i].prev)));
    }
    if (!shown && !falls)
        ria_buf_puts(text, " no change");
    ria_buf_puts(text, ".\n");
    json_object_set_new(sec, "movers", json_pack("{s:s, s:s, s:o}", "by", c->v->dims[dim].name,
                                                 "versus", vs, "rows", jr));
}

/* Months of the 24 up to the period's end whose revenue lies more than two
 * standard deviations from the mean of the other months. */
static ria_status unusual_months(runner *r, const ask_period *p, json_t *sec, ria_buf *text,
                                 ria_error *err)
{
    const summary_ctx *c = r->c;
    int64_t end_day = ria_floor_div(RIA_MIN(p->end, c->anchor + RIA_SECS_PER_DAY), RIA_SECS_PER_DAY);
    int y, m, d;
    ria_civil_from_days(end_day, &y, &m, &d);
    /* complete months only: up to the start of the month holding end_day,
     * unless end_day is a month's first day (the month before is done) */
    int64_t hi = ria_days_from_civil(y, m, 1);
    int total = y * 12 + (m - 1) - 24;
    int64_t lo = ria_days_from_civil(total / 12, total % 12 + 1, 1);
    const char *t = c->snap->cols[c->v->col_time].name;
    char a[16], b2[16];
    ria_format_date(lo, a);
    ria_format_date(hi, b2);
    ria_buf b;
    ria_buf_init(&b, 0);
    ria_buf_printf(&b, "SELECT date_trunc('month', %s) AS month, ", t);
    metric_sql(c->v, M_REVENUE, NULL, &b);
    ria_buf_printf(&b, " AS value FROM sales WHERE %s >= '%s' AND %s < '%s'", t, a, t, b2);
    if (c->v->status_rule[0])
        ria_buf_printf(&b, " AND %s", c->v->status_rule);
    ria_buf_puts(&b, " GROUP BY 1 ORDER BY 1");
    ria_result *res = NULL;
    ria_status rc = run(r, b.data, &res, err);
    ria_buf_free(&b);
    if (rc != RIA_OK)
        return rc;
    int n = (int)res->nrows;
    json_t *jr = json_array();
    int flagged = 0;
    for (int i = 0; n >= 6 && i < n; i++) {
        double s = 0, s2 = 0, x = num(res, (size_t)i, 1);
        for (int k = 0; k < n; k++) {
            if (k == i)
                continue;
            double v = num(res, (size_t)k, 1);
            s += v;
            s2 += v * v;
        }
        double mean = s / (n - 1), var = s2 / (n - 1) - mean * mean;
        double sd = var > 0 ? sqrt(var) : 0;
        double z = sd > 0 ? (x - mean) / sd : 0;
        if (fabs(z) < 2 || isnan(x))
            continue;
        char lab[16], name[32], v[64], mv[64];
        const ria_value *tv = ria_result_at(res, (size_t)i, 0);
        time_label(tv->i, tv->type, RIA_TU_MONTH, lab, sizeof lab);
        month_name(tv, name, sizeof name);
        format_number(x, RIA_UNIT_MONEY, c->currency, v, sizeof v);
        format_number(mean, RIA_UNIT_MONEY, c->currency, mv, sizeof mv);
        ria_buf_printf(text, "%s: revenue %s, %.1f standard deviations %s the mean of the other "
                             "months (%s).\n",
                       name, v, fabs(z), z > 0 ? "above" : "below", mv);
        json_array_append_new(jr, json_pack("[s, o, f]", lab, number_json(x), z));
        flagged++;
    }
    if (!flagged && n >= 6)
        ria_buf_printf(text, "No month of the %d before %s stands out: all are within two standard "
                             "deviations of the others.\n",
                       n, b2);
    else if (n < 6)
        ria_buf_puts(text, "Too few months of data to tell which stand out.\n");
    json_object_set_new(sec, "rows", jr);
    ria_result_free(res);
    return RIA_OK;
}

/* Caveats: an incomplete period, rows the last load set aside. */
static json_t *caveats(const summary_ctx *c, const ask_period *ps, int np, ria_buf *text)
{
    json_t *out = json_array();
    char anchor[16];
    ria_format_date(ria_floor_div(c->anchor, RIA_SECS_PER_DAY), anchor);
    for (int i = 0; i < np; i++)
        if (ps[i].end > ria_floor_div(c->anchor, RIA_SECS_PER_DAY) * RIA_SECS_PER_DAY + RIA_SECS_PER_DAY) {
            char s[200];
            snprintf(s, sizeof s, "The data runs to %s, so %s is not complete.", anchor, ps[i].label);
            json_array_append_new(out, json_string(s));
        }
    json_t *rep = c->snap->manifest ? json_object_get(c->snap->manifest, "report") : NULL;
    if (json_is_object(rep)) {
        json_int_t read = json_integer_value(json_object_get(rep, "rows_read"));
        json_int_t q = json_integer_value(json_object_get(rep, "quarantined"));
        json_int_t dup = json_integer_value(json_object_get(rep, "duplicates"));
        char s[300], nr[32], nq[32], nd[32];
        format_number((double)read, RIA_UNIT_COUNT, NULL, nr, sizeof nr);
        format_number((double)q, RIA_UNIT_COUNT, NULL, nq, sizeof nq);
        format_number((double)dup, RIA_UNIT_COUNT, NULL, nd, sizeof nd);
        if (q || dup)
            snprintf(s, sizeof s, "The last load (version %lld) set aside %s of the %s rows it "
                                  "read as invalid and %s as duplicates; 'ria versions' shows "
                                  "its report.",
                     (long long)c->version, nq, nr, nd);
        else
            snprintf(s, sizeof s, "The last load (version %lld) accepted all %s rows it read.",
                     (long long)c->version, nr);
        json_array_append_new(out, json_string(s));
    }
    size_t i;
    json_t *s;
    json_array_foreach(out, i, s) ria_buf_printf(text, "%s%s", i ? "\n" : "", json_string_value(s));
    return out;
}

static ria_status section(runner *r, const ask_period *p, json_t *sections, ria_buf *text,
                          ria_error *err)
{
    const summary_ctx *c = r->c;
    periods3 ps = {*p, *p, *p, period_is_whole(p)};
    ps.ya = period_back_months(p, 12);
    if (!ps.has_prev) {
        /* "2024 to date" is compared with the same dates a year before */
        int y0, y1, m, d;
        ria_civil_from_days(ria_floor_div(ps.ya.start, RIA_SECS_PER_DAY), &y0, &m, &d);
        ria_civil_from_days(ria_floor_div(ps.ya.end, RIA_SECS_PER_DAY) - 1, &y1, &m, &d);
        if (y0 == y1)
            snprintf(ps.ya.label, sizeof ps.ya.label, "the same dates of %d", y0);
        else
            ask_period_dates(&ps.ya, ps.ya.label, sizeof ps.ya.label);
    }
    if (ps.has_prev)
        ps.prev = period_before(p);
    json_t *sec = json_pack("{s:s, s:{s:s, s:s}}", "title", p->label, "period", "label", p->label,
                            "from", "");
    char a[16], b[16];
    ria_format_date(ria_floor_div(p->start, RIA_SECS_PER_DAY), a);
    ria_format_date(ria_floor_div(p->end, RIA_SECS_PER_DAY) - 1, b);
    json_object_set_new(json_object_get(sec, "period"), "from", json_string(a));
    json_object_set_new(json_object_get(sec, "period"), "to", json_string(b));
    ria_buf st;
    ria_buf_init(&st, 0);
    ria_status rc = headline(r, &ps, sec, &st, err);
    static const ria_role lead_roles[] = {RIA_ROLE_CATEGORY, RIA_ROLE_REGION, RIA_ROLE_CHANNEL};
    for (size_t k = 0; rc == RIA_OK && k < RIA_ARRAY_LEN(lead_roles); k++) {
        int d = dim_by_role(c->v, lead_roles[k]);
        if (d >= 0)
            rc = dim_section_run(r, &ps, d, leaders, sec, &st, err);
    }
    int fine = dim_by_role(c->v, RIA_ROLE_SUB_CATEGORY);
    if (fine < 0)
        fine = dim_by_role(c->v, RIA_ROLE_CATEGORY);
    if (rc == RIA_OK && fine >= 0)
        rc = dim_section_run(r, &ps, fine, movers, sec, &st, err);
    json_object_set_new(sec, "text", json_string(st.data ? st.data : ""));
    ria_buf_printf(text, "%s%s\n%s", text->len ? "\n" : "", p->label, st.data ? st.data : "");
    ria_buf_free(&st);
    json_array_append_new(sections, sec);
    return rc;
}

ria_status summary_build(const summary_ctx *c, const char *period, json_t **out, ria_error *err)
{
    ask_period ps[2];
    int np;
    if (period && *period) {
        np = read_period(period, c->anchor, &ps[0]) ? 1 : 0;
        if (!np) {
            *out = json_pack("{s:s, s:s}", "status", "not_understood", "text", "");
            char msg[512];
            snprintf(msg, sizeof msg, "I could not read '%s' as a period; try \"last month\", "
                                      "\"Q3 2024\", \"2023\" or \"the last 90 days\".",
                     period);
            json_object_set_new(*out, "text", json_string(msg));
            return RIA_OK;
        }
    } else {
        np = default_periods(c->anchor, ps);
    }
    if (c->v->col_time < 0 || !c->v->metrics[M_REVENUE].available) {
        *out = json_pack("{s:s, s:s}", "status", "not_understood", "text",
                         "A summary needs order dates and amounts, which this data set lacks.");
        return RIA_OK;
    }
    runner r = {c, json_array(), {0}};
    json_t *sections = json_array();
    ria_buf text;
    ria_buf_init(&text, 0);
    ria_status rc = RIA_OK;
    for (int i = 0; i < np && rc == RIA_OK; i++)
        rc = section(&r, &ps[i], sections, &text, err);
    /* months that stand out of the 24 before the latest period's end */
    json_t *months = json_object();
    ria_buf mt;
    ria_buf_init(&mt, 0);
    ask_period last = ps[0];
    for (int i = 1; i < np; i++)
        if (ps[i].end > last.end)
            last = ps[i];
    if (rc == RIA_OK)
        rc = unusual_months(&r, &last, months, &mt, err);
    json_object_set_new(months, "text", json_string(mt.data ? mt.data : ""));
    if (mt.len)
        ria_buf_printf(&text, "\nMonths that stand out\n%s", mt.data);
    ria_buf_free(&mt);
    ria_buf cv;
    ria_buf_init(&cv, 0);
    json_t *cav = caveats(c, ps, np, &cv);
    if (cv.len)
        ria_buf_printf(&text, "\nCaveats\n%s\n", cv.data);
    char anchor[16];
    ria_format_date(ria_floor_div(c->anchor, RIA_SECS_PER_DAY), anchor);
    if (rc == RIA_OK)
        *out = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:I, s:{s:I, s:I}}", "status",
                         "answered", "text", text.data ? text.data : "", "sections", sections,
                         "unusual_months", months, "caveats", cav, "sql", r.sql, "currency",
                         c->currency ? c->currency : "USD", "anchor", anchor, "data_version",
                         (json_int_t)c->version, "stats", "rows_scanned",
                         (json_int_t)r.stats.rows_scanned, "bytes_read",
                         (json_int_t)r.stats.bytes_read);
    else {
        json_decref(sections);
        json_decref(months);
        json_decref(cav);
        json_decref(r.sql);
    }
    ria_buf_free(&text);
    ria_buf_free(&cv);
    return rc;
}
