/*
 * sqlgen.c — an intent as SQL in the engine's dialect.  Every answer is
 * computed by ordinary plans (so the plan cache, views and --explain apply):
 * one statement for the rows, plus the total for shares.  Period
 * comparisons and growth are one scan with conditional aggregates, the
 * metric's aggregate arguments wrapped in CASE WHEN <period> THEN ... END.
 */
#include "sqlgen.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------- fragments */

void metric_sql(const vocab *v, metric_id m, const char *cond, ria_buf *out)
{
    const char *t = v->metrics[m].sql;
    while (*t) {
        const char *a = strchr(t, '@');
        if (!a) {
            ria_buf_puts(out, t);
            break;
        }
        ria_buf_append(out, t, (size_t)(a - t));
        const char *b = strchr(a + 1, '@');
        if (!b)
            break;
        size_t n = (size_t)(b - a - 1);
        bool star = n == 1 && a[1] == '*';
        if (!cond) {
            ria_buf_append(out, a + 1, n);
        } else {
            ria_buf_printf(out, "CASE WHEN %s THEN ", cond);
            if (star)
                ria_buf_putc(out, '1');
            else
                ria_buf_append(out, a + 1, n);
            ria_buf_puts(out, " END");
        }
        t = b + 1;
    }
}

static void ts_literal(ria_buf *out, int64_t secs)
{
    char b[24];
    if (ria_floor_div(secs, RIA_SECS_PER_DAY) * RIA_SECS_PER_DAY == secs)
        ria_format_date(ria_floor_div(secs, RIA_SECS_PER_DAY), b);
    else
        ria_format_ts(secs, b);
    ria_buf_printf(out, "'%s'", b);
}

/* "order_date >= 'a' AND order_date < 'b'" */
static void period_cond(const vocab *v, const ask_period *p, ria_buf *out)
{
    const char *t = v->snap->cols[v->col_time].name;
    ria_buf_printf(out, "%s >= ", t);
    ts_literal(out, p->start);
    ria_buf_printf(out, " AND %s < ", t);
    ts_literal(out, p->end);
}

static void filter_cond(const vocab *v, const ask_filter *f, ria_buf *out)
{
    const char *col = v->dims[f->dim].name;
    if (f->nvalues == 1) {
        ria_buf_printf(out, "%s %s ", col, f->negate ? "<>" : "=");
        sql_quote(out, f->values[0]);
        return;
    }
    ria_buf_printf(out, "%s %sIN (", col, f->negate ? "NOT " : "");
    for (int i = 0; i < f->nvalues; i++) {
        if (i)
            ria_buf_puts(out, ", ");
        sql_quote(out, f->values[i]);
    }
    ria_buf_putc(out, ')');
}

/* Whether the status rule applies to the question at all. */
static bool rule_applies(const vocab *v, const ask_intent *in)
{
    return v->status_rule[0] && !in->status_grouped;
}

/* Whether the metrics of one statement disagree about the status rule
 * ("cancellation rate and revenue"): then each ruled metric carries the
 * rule in its own aggregates instead of the WHERE clause. */
static bool mixed_status(const vocab *v, const ask_intent *in)
{
    metric_id ms[] = {in->metric, in->metric2, in->extra, in->having_metric};
    int free_ = 0, ruled = 0;
    for (size_t i = 0; i < RIA_ARRAY_LEN(ms); i++) {
        if (ms[i] == M_NONE)
            continue;
        if (v->metrics[ms[i]].status_free)
            free_++;
        else
            ruled++;
    }
    return free_ && ruled;
}

/* A metric's aggregate for this question, rows restricted to cond. */
static void metric_col(const vocab *v, const ask_intent *in, metric_id m, const char *cond,
                       ria_buf *out)
{
    if (!(rule_applies(v, in) && mixed_status(v, in) && !v->metrics[m].status_free)) {
        metric_sql(v, m, cond, out);
        return;
    }
    ria_buf c;
    ria_buf_init(&c, 0);
    if (cond)
        ria_buf_printf(&c, "(%s) AND ", cond);
    ria_buf_puts(&c, v->status_rule);
    metric_sql(v, m, c.data, out);
    ria_buf_free(&c);
}

/* The WHERE clause: period, filters (all but `skip`), the status rule. */
static void where(const vocab *v, const ask_intent *in, const ask_period *period, int skip,
                  ria_buf *out)
{
    int n = 0;
    if (period) {
        ria_buf_puts(out, " WHERE ");
        period_cond(v, period, out);
        n++;
    }
    for (int i = 0; i < in->nfilters; i++) {
        if (i == skip)
            continue;
        ria_buf_puts(out, n++ ? " AND " : " WHERE ");
        filter_cond(v, &in->filters[i], out);
    }
    if (rule_applies(v, in) && !mixed_status(v, in) && !v->metrics[in->metric].status_free) {
        ria_buf_puts(out, n++ ? " AND " : " WHERE ");
        ria_buf_puts(out, v->status_rule);
    }
}

static const char *unit_word(ria_time_unit u)
{
    static const char *const w[] = {"hour", "day", "week", "month", "quarter", "year"};
    return (unsigned)u < RIA_ARRAY_LEN(w) ? w[u] : "month";
}

/* The grouping expressions as select items ("category, region"). */
static void group_items(const vocab *v, const ask_intent *in, bool with_time, ria_buf *out)
{
    int n = 0;
    if (with_time && in->by_time) {
        ria_buf_printf(out, "date_trunc('%s', %s) AS period", unit_word(in->grain),
                       v->snap->cols[v->col_time].name);
        n++;
    }
    for (int g = 0; g < in->ngroup; g++)
        ria_buf_printf(out, "%s%s", n++ ? ", " : "", v->dims[in->group[g]].name);
}

static int ngroup_items(const ask_intent *in, bool with_time)
{
    return in->ngroup + (with_time && in->by_time ? 1 : 0);
}

static void group_by(const ask_intent *in, bool with_time, ria_buf *out)
{
    int k = ngroup_items(in, with_time);
    for (int i = 1; i <= k; i++)
        ria_buf_printf(out, "%s%d", i == 1 ? " GROUP BY " : ", ", i);
}

static ria_status emit(ask_sql *q, ria_buf *b, ask_query_role role)
{
    if (q->n == ASK_MAX_QUERIES)
        return RIA_ELIMIT;
    q->sql[q->n] = ria_buf_steal(b);
    q->role[q->n] = role;
    q->n++;
    ria_buf_init(b, 0);
    return q->sql[q->n - 1] ? RIA_OK : RIA_ENOMEM;
}

/* ------------------------------------------------------------- shapes */

/* metric [by groups] over one period: FIGURE, BREAKDOWN, SERIES, RANK,
 * SHARE rows, THRESHOLD on the metric, TOTAL queries. */
static void simple_query(const vocab *v, const ask_intent *in, bool grouped, bool with_time,
                         int skip, ria_buf *b)
{
    ria_buf_puts(b, "SELECT ");
    if (grouped && ngroup_items(in, with_time)) {
        group_items(v, in, with_time, b);
        ria_buf_puts(b, ", ");
    }
    metric_col(v, in, in->metric, NULL, b);
    ria_buf_puts(b, " AS value");
    if (in->extra != M_NONE) {
        ria_buf_puts(b, ", ");
        metric_col(v, in, in->extra, NULL, b);
        ria_buf_puts(b, " AS value2");
    }
    if (in->has_having && grouped) {
        ria_buf_puts(b, ", ");
        metric_col(v, in, in->having_metric, NULL, b);
        ria_buf_puts(b, " AS condition");
    }
    ria_buf_puts(b, " FROM sales");
    where(v, in, in->has_period ? &in->period : NULL, skip, b);
    if (grouped)
        group_by(in, with_time, b);
}

/* One period's value, for the parts of a share of a period. */
static void period_value_query(const vocab *v, const ask_intent *in, const ask_period *period,
                               ria_buf *b)
{
    ria_buf_puts(b, "SELECT ");
    metric_col(v, in, in->metric, NULL, b);
    ria_buf_puts(b, " AS value FROM sales");
    where(v, in, period, -1, b);
}

/* The series of a growth per time bucket: from `lag` before the period's
 * start (one bucket, or lag_months) to its end. */
static void growth_series_query(const vocab *v, const ask_intent *in, ria_buf *b)
{
    ask_period span = in->period;
    span.start = growth_series_start(in);
    ria_buf_puts(b, "SELECT ");
    group_items(v, in, true, b);
    ria_buf_puts(b, ", ");
    metric_col(v, in, in->metric, NULL, b);
    ria_buf_puts(b, " AS value FROM sales");
    where(v, in, &span, -1, b);
    group_by(in, true, b);
}

/* Per-period values in one scan: metric(P1), metric(P2) ... */
static void periods_query(const vocab *v, const ask_intent *in, ria_buf *b)
{
    ria_buf_puts(b, "SELECT ");
    if (ngroup_items(in, false)) {
        group_items(v, in, false, b);
        ria_buf_puts(b, ", ");
    }
    ria_buf cond;
    ria_buf_init(&cond, 0);
    ask_period span = in->periods[0];
    for (int k = 0; k < in->nperiods; k++) {
        ria_buf_reset(&cond);
        period_cond(v, &in->periods[k], &cond);
        if (k)
            ria_buf_puts(b, ", ");
        metric_col(v, in, in->metric, cond.data, b);
        ria_buf_printf(b, " AS p%d", k + 1);
        span.start = RIA_MIN(span.start, in->periods[k].start);
        span.end = RIA_MAX(span.end, in->periods[k].end);
    }
    ria_buf_free(&cond);
    ria_buf_puts(b, " FROM sales");
    where(v, in, &span, -1, b);
    group_by(in, false, b);
}

/* Monthly values of one or two metrics per group over the trend span. */
static void trend_query(const vocab *v, const ask_intent *in, ria_buf *b)
{
    ask_period span = in->has_period ? in->period : trend_span(in->anchor);
    ria_buf_puts(b, "SELECT ");
    for (int g = 0; g < in->ngroup; g++)
        ria_buf_printf(b, "%s, ", v->dims[in->group[g]].name);
    ria_buf_printf(b, "date_trunc('month', %s) AS month, ", v->snap->cols[v->col_time].name);
    metric_col(v, in, in->metric, NULL, b);
    ria_buf_puts(b, " AS value");
    if (in->metric2 != M_NONE) {
        ria_buf_puts(b, ", ");
        metric_col(v, in, in->metric2, NULL, b);
        ria_buf_puts(b, " AS value2");
    }
    ria_buf_puts(b, " FROM sales");
    where(v, in, &span, -1, b);
    for (int i = 1; i <= in->ngroup + 1; i++)
        ria_buf_printf(b, "%s%d", i == 1 ? " GROUP BY " : ", ", i);
}

int64_t growth_series_start(const ask_intent *in)
{
    int64_t day = ria_floor_div(in->period.start, RIA_SECS_PER_DAY);
    int y, m, d;
    ria_civil_from_days(day, &y, &m, &d);
    int months = in->lag_months;
    if (!months) {
        switch (in->grain) {
        case RIA_TU_YEAR: months = 12; break;
        case RIA_TU_QUARTER: months = 3; break;
        case RIA_TU_MONTH: months = 1; break;
        case RIA_TU_WEEK: return (day - ria_weekday(day) - 7) * RIA_SECS_PER_DAY;
        default: return (day - 1) * RIA_SECS_PER_DAY;
        }
    }
    /* back from the start of the bucket holding the period's start */
    if (in->grain == RIA_TU_QUARTER)
        m -= (m - 1) % 3;
    if (in->grain == RIA_TU_YEAR)
        m = 1;
    int total = y * 12 + (m - 1) - months;
    if (in->grain == RIA_TU_WEEK || in->grain == RIA_TU_DAY) {
        int64_t start = in->grain == RIA_TU_WEEK ? day - ria_weekday(day) : day;
        return (start - (in->grain == RIA_TU_WEEK ? 364 : 365)) * RIA_SECS_PER_DAY;
    }
    return ria_days_from_civil(total / 12, total % 12 + 1, 1) * RIA_SECS_PER_DAY;
}

ask_period trend_span(int64_t anchor)
{
    ask_period p;
    memset(&p, 0, sizeof p);
    int y, m, d;
    ria_civil_from_days(ria_floor_div(anchor, RIA_SECS_PER_DAY), &y, &m, &d);
    /* the anchor's month is complete only on its last day */
    int total = y * 12 + (m - 1) + (d == ria_days_in_month(y, m) ? 1 : 0);
    p.end = ria_days_from_civil(total / 12, total % 12 + 1, 1) * RIA_SECS_PER_DAY;
    total -= 12;
    p.start = ria_days_from_civil(total / 12, total % 12 + 1, 1) * RIA_SECS_PER_DAY;
    p.grain = RIA_TU_MONTH;
    p.relative = true;
    char a[16], b[16];
    ria_format_date(ria_floor_div(p.start, RIA_SECS_PER_DAY), a);
    ria_format_date(ria_floor_div(p.end, RIA_SECS_PER_DAY) - 1, b);
    snprintf(p.label, sizeof p.label, "the last 12 complete months (%.7s to %.7s)", a, b);
    return p;
}

/* The filter that names the part of a part/whole share: the last one. */
static int share_part(const ask_intent *in)
{
    return in->nfilters ? in->nfilters - 1 : -1;
}

ria_status ask_build_sql(const vocab *v, const ask_intent *in, ask_sql *out)
{
    memset(out, 0, sizeof *out);
    ria_buf b;
    ria_buf_init(&b, 0);
    ria_status rc = RIA_OK;
    switch (in->shape) {
    case SH_FIGURE:
        simple_query(v, in, false, false, -1, &b);
        rc = emit(out, &b, Q_MAIN);
        break;
    case SH_BREAKDOWN:
    case SH_SERIES:
    case SH_RANK:
    case SH_THRESHOLD:
        if (in->shape == SH_THRESHOLD && in->bound_on_growth) {
            periods_query(v, in, &b);
        } else {
            simple_query(v, in, true, true, -1, &b);
        }
        rc = emit(out, &b, Q_MAIN);
        break;
    case SH_COMPARE:
        if (in->compare_values) {
            /* the compared values become the groups */
            ria_buf_printf(&b, "SELECT %s, ", v->dims[in->filters[in->compare_filter].dim].name);
            for (int g = 0; g < in->ngroup; g++)
                ria_buf_printf(&b, "%s, ", v->dims[in->group[g]].name);
            metric_col(v, in, in->metric, NULL, &b);
            ria_buf_puts(&b, " AS value FROM sales");
            where(v, in, in->has_period ? &in->period : NULL, -1, &b);
            for (int i = 1; i <= in->ngroup + 1; i++)
                ria_buf_printf(&b, "%s%d", i == 1 ? " GROUP BY " : ", ", i);
        } else {
            periods_query(v, in, &b);
        }
        rc = emit(out, &b, Q_MAIN);
        break;
    case SH_GROWTH:
        if (in->growth_series)
            growth_series_query(v, in, &b);
        else
            periods_query(v, in, &b);
        rc = emit(out, &b, Q_MAIN);
        break;
    case SH_SHARE:
        if (in->ngroup || in->top_n) {
            simple_query(v, in, true, false, -1, &b);
            if ((rc = emit(out, &b, Q_MAIN)) == RIA_OK) {
                simple_query(v, in, false, false, -1, &b);
                rc = emit(out, &b, Q_TOTAL);
            }
        } else if (in->share_of_period) {
            period_value_query(v, in, &in->periods[0], &b);
            if ((rc = emit(out, &b, Q_PART)) == RIA_OK) {
                period_value_query(v, in, &in->period, &b);
                rc = emit(out, &b, Q_TOTAL);
            }
        } else {
            simple_query(v, in, false, false, -1, &b);
            if ((rc = emit(out, &b, Q_PART)) == RIA_OK) {
                simple_query(v, in, false, false, share_part(in), &b);
                rc = emit(out, &b, Q_TOTAL);
            }
        }
        break;
    case SH_TREND:
        trend_query(v, in, &b);
        rc = emit(out, &b, Q_MAIN);
        break;
    }
    ria_buf_free(&b);
    if (rc != RIA_OK)
        ask_sql_free(out);
    return rc;
}

void ask_sql_free(ask_sql *q)
{
    for (int i = 0; i < q->n; i++)
        free(q->sql[i]);
    q->n = 0;
}
