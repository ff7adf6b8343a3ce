/*
 * compose_periods.c — answers that put periods or values side by side:
 * comparisons, growth between two periods, growth per time bucket, and
 * comparisons of values ("CA vs TX").
 */
#include "compose.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Periods side by side (COMPARE) and GROWTH share the same result shape:
 * groups, then one value per period. */
json_t *compose_periods(const compose_ctx *c)
{
    const ask_intent *in = c->in;
    int nlab = in->ngroup;
    rows rs = read_rows(c->r->res[0], nlab, in->grain);
    bool two = in->nperiods == 2;
    for (int i = 0; i < rs.n && two; i++) {
        row *w = &rs.r[i];
        double old = w->v[0], cur = w->v[1];
        w->v[2] = cur - old;
        w->v[3] = old != 0 && !isnan(old) ? cur / old - 1 : NAN;
        w->nv = 4;
    }
    bool diff = in->difference;
    int key = two ? (diff ? 2 : 3) : 0;
    if (nlab)
        sort_rows(&rs, in->growth_rank || in->shape == SH_GROWTH ? key : -1,
                  !(in->growth_rank && in->ascending));
    int limit = in->growth_rank ? (in->top_n ? in->top_n : 1) : 0;
    char m[64], a[64], bb[64], ch_[64], g[64];
    metric_label_lc(c, in->metric, m, sizeof m);
    const char *p1 = in->periods[0].label, *p2 = in->periods[in->nperiods - 1].label;
    ria_buf b;
    ria_buf_init(&b, 0);
    json_t *value = NULL;
    if (rs.n == 0) {
        ria_buf_printf(&b, "No rows match: there is no %s", m);
        context(c, -1, false, &b);
        ria_buf_printf(&b, " in %s or %s.", p1, p2);
    } else if (!nlab && two) {
        row *w = &rs.r[0];
        fmt(c, w->v[0], munit(c), a, sizeof a);
        fmt(c, w->v[1], munit(c), bb, sizeof bb);
        fmt(c, fabs(w->v[2]), munit(c), ch_, sizeof ch_);
        pct(w->v[3], g, sizeof g);
        ria_buf_printf(&b, "%c%s", m[0] - 32, m + 1);
        context(c, -1, false, &b);
        if (in->shape == SH_GROWTH && diff)
            ria_buf_printf(&b, " was %s %s in %s than in %s (%s vs %s).", ch_,
                           w->v[2] >= 0 ? "higher" : "lower", p2, p1, bb, a);
        else if (in->shape == SH_GROWTH)
            ria_buf_printf(&b, " %s %s from %s in %s to %s in %s.",
                           isnan(w->v[3]) ? "changed" : w->v[3] >= 0 ? "grew" : "fell", g, a, p1,
                           bb, p2);
        else
            ria_buf_printf(&b, " was %s in %s and %s in %s (%s).", a, p1, bb, p2, g);
        if (in->shape == SH_GROWTH)
            value = number_json(diff ? w->v[2] : w->v[3]);
    } else if (!nlab) {
        ria_buf_printf(&b, "%c%s", m[0] - 32, m + 1);
        context(c, -1, false, &b);
        ria_buf_putc(&b, ':');
        for (int k = 0; k < rs.r[0].nv; k++) {
            fmt(c, rs.r[0].v[k], munit(c), a, sizeof a);
            ria_buf_printf(&b, "%s %s in %s", k ? "," : "", a, in->periods[k].label);
        }
        ria_buf_putc(&b, '.');
    } else if (limit == 1) {
        row *w = &rs.r[0];
        fmt(c, w->v[0], munit(c), a, sizeof a);
        fmt(c, w->v[1], munit(c), bb, sizeof bb);
        pct(w->v[3], g, sizeof g);
        fmt(c, w->v[2], munit(c), ch_, sizeof ch_);
        ria_buf_printf(&b, "%s had the %s %s in %s", label_str(w, 0),
                       in->ascending ? "smallest" : "largest",
                       diff ? "increase of" : "growth of", m);
        context(c, -1, false, &b);
        ria_buf_printf(&b, " from %s to %s: %s (%s to %s, %s).", p1, p2, diff ? ch_ : g, a, bb,
                       diff ? g : ch_);
    } else {
        char pl[80];
        plural(dim_label(c, 0), pl, sizeof pl);
        ria_buf_printf(&b, "%c%s by %s", m[0] - 32, m + 1, dim_label(c, 0));
        context(c, -1, false, &b);
        ria_buf_printf(&b, ", %s vs %s", p1, p2);
        if (two && rs.n) {
            /* the group that changed most (least, for a bottom ranking) */
            bool low = in->growth_rank && in->ascending;
            int k = diff ? 2 : 3, best = 0;
            for (int i = 1; i < rs.n; i++)
                if (cmp_num(rs.r[i].v[k], rs.r[best].v[k], !low) < 0)
                    best = i;
            if (diff)
                fmt(c, rs.r[best].v[2], munit(c), g, sizeof g);
            else
                pct(rs.r[best].v[3], g, sizeof g);
            ria_buf_printf(&b, ": %s %s %s (%s%s)", label_str(&rs.r[best], 0),
                           diff ? "increased" : "grew", low ? "least" : "most",
                           diff && rs.r[best].v[2] >= 0 ? "+" : "", g);
        }
        ria_buf_putc(&b, '.');
    }
    json_t *cols = group_columns(c, false);
    for (int k = 0; k < in->nperiods; k++)
        json_array_append_new(cols, column(in->periods[k].label, "number", munit(c)));
    if (two) {
        json_array_append_new(cols, column("change", "number", munit(c)));
        json_array_append_new(cols, column("growth", "number", RIA_UNIT_RATIO));
    }
    json_t *y = json_array();
    for (int k = 0; k < in->nperiods; k++)
        json_array_append_new(y, json_string(in->periods[k].label));
    json_t *chj = chart(nlab ? "grouped_bar" : "bar", nlab ? c->v->dims[in->group[0]].name : NULL,
                        y, NULL);
    json_t *res = answer_obj(b.data, value, cols, rows_json(&rs, limit), chj);
    ria_buf_free(&b);
    free_rows(&rs);
    return res;
}

json_t *compose_compare_values(const compose_ctx *c)
{
    const ask_intent *in = c->in;
    const ask_filter *f = &in->filters[in->compare_filter];
    rows rs = read_rows(c->r->res[0], 1 + in->ngroup, in->grain);
    /* in the order the question named them (v[7] holds the position) */
    for (int i = 0; i < rs.n; i++)
        for (int k = 0; k < f->nvalues; k++)
            if (strcmp(label_str(&rs.r[i], 0), f->values[k]) == 0)
                rs.r[i].v[7] = k;
    for (int i = 1; i < rs.n; i++) /* insertion sort: stable, few rows */
        for (int j = i; j > 0 && rs.r[j - 1].v[7] > rs.r[j].v[7]; j--) {
            row t = rs.r[j];
            rs.r[j] = rs.r[j - 1];
            rs.r[j - 1] = t;
        }
    /* two values: each row's difference from the other */
    bool two = rs.n == 2 && !in->ngroup;
    for (int i = 0; i < rs.n; i++) {
        rs.r[i].nv = 1;
        if (two) {
            rs.r[i].v[1] = rs.r[i].v[0] - rs.r[1 - i].v[0];
            rs.r[i].nv = 2;
        }
    }
    char m[64], a[64], d[64];
    metric_label_lc(c, in->metric, m, sizeof m);
    ria_buf b;
    ria_buf_init(&b, 0);
    ria_buf_printf(&b, "%c%s", m[0] - 32, m + 1);
    context(c, in->compare_filter, true, &b);
    ria_buf_putc(&b, ':');
    for (int i = 0; i < rs.n && !in->ngroup; i++) {
        fmt(c, rs.r[i].v[0], munit(c), a, sizeof a);
        ria_buf_printf(&b, "%s %s %s", i ? "," : "", label_str(&rs.r[i], 0), a);
    }
    if (two) {
        fmt(c, fabs(rs.r[0].v[1]), munit(c), d, sizeof d);
        ria_buf_printf(&b, "; %s is %s %s", label_str(&rs.r[0], 0), d,
                       rs.r[0].v[1] >= 0 ? "higher" : "lower");
        if (!isnan(rs.r[1].v[0]) && rs.r[1].v[0] != 0 && c->v->metrics[in->metric].unit != RIA_UNIT_RATIO) {
            pct(rs.r[0].v[0] / rs.r[1].v[0] - 1, d, sizeof d);
            ria_buf_printf(&b, " (%s)", d);
        }
    }
    if (in->ngroup)
        ria_buf_printf(&b, " %d rows by %s and %s", rs.n, c->v->dims[f->dim].label, dim_label(c, 0));
    ria_buf_putc(&b, '.');
    json_t *cols = json_array();
    json_array_append_new(cols, column(c->v->dims[f->dim].name, "label", RIA_UNIT_NONE));
    for (int g = 0; g < in->ngroup; g++)
        json_array_append_new(cols, column(c->v->dims[in->group[g]].name, "label", RIA_UNIT_NONE));
    json_array_append_new(cols, column(c->v->metrics[in->metric].name, "number", munit(c)));
    if (two)
        json_array_append_new(cols, column("difference", "number", munit(c)));
    json_t *value = two && in->difference ? number_json(rs.r[0].v[1]) : NULL;
    json_t *res = answer_obj(b.data, value, cols, rows_json(&rs, 0),
                             chart(in->ngroup ? "grouped_bar" : "bar", c->v->dims[f->dim].name,
                                   json_pack("[s]", c->v->metrics[in->metric].name),
                                   in->ngroup ? c->v->dims[in->group[0]].name : NULL));
    ria_buf_free(&b);
    free_rows(&rs);
    return res;
}

/* The start (a day) of the bucket `n` buckets after the one starting at day. */
static int64_t bucket_add(int64_t day, ria_time_unit grain, int n)
{
    int months = grain == RIA_TU_YEAR ? 12 : grain == RIA_TU_QUARTER ? 3 : 1;
    switch (grain) {
    case RIA_TU_WEEK: return day + 7 * (int64_t)n;
    case RIA_TU_DAY:
    case RIA_TU_HOUR: return day + n;
    default: break;
    }
    int y, m, d;
    ria_civil_from_days(day, &y, &m, &d);
    int total = y * 12 + (m - 1) + n * months;
    return ria_days_from_civil(total / 12, total % 12 + 1, 1);
}

/* The first day of the bucket holding day. */
static int64_t bucket_of(int64_t day, ria_time_unit grain)
{
    int y, m, d;
    ria_civil_from_days(day, &y, &m, &d);
    switch (grain) {
    case RIA_TU_YEAR: return ria_days_from_civil(y, 1, 1);
    case RIA_TU_QUARTER: return ria_days_from_civil(y, m - (m - 1) % 3, 1);
    case RIA_TU_MONTH: return ria_days_from_civil(y, m, 1);
    case RIA_TU_WEEK: return day - ria_weekday(day);
    default: return day;
    }
}

/* The bucket a growth compares with: the previous one, or the one a year
 * before (52 weeks for weeks). */
static int64_t lag_bucket(int64_t day, const ask_intent *in)
{
    if (!in->lag_months)
        return bucket_add(day, in->grain, -1);
    switch (in->grain) {
    case RIA_TU_WEEK: return day - 364;
    case RIA_TU_DAY: {
        int y, m, d;
        ria_civil_from_days(day, &y, &m, &d);
        return ria_days_from_civil(y - 1, m, RIA_MIN(d, ria_days_in_month(y - 1, m)));
    }
    default: return bucket_add(day, RIA_TU_MONTH, -in->lag_months);
    }
}

static int64_t cell_day(const ria_value *v)
{
    return v->type == RIA_V_TS ? ria_floor_div(v->i, RIA_SECS_PER_DAY) : v->i;
}

json_t *compose_growth_series(const compose_ctx *c)
{
    const ask_intent *in = c->in;
    const ria_result *r = c->r->res[0];
    bool additive = c->v->metrics[in->metric].additive;
    int64_t first = bucket_of(ria_floor_div(in->period.start, RIA_SECS_PER_DAY), in->grain);
    int64_t end = ria_floor_div(in->period.end, RIA_SECS_PER_DAY);
    rows rs = {calloc(400, sizeof(row)), 0};
    for (int64_t b = first; rs.r && b < end && rs.n < 400; b = bucket_add(b, in->grain, 1)) {
        int64_t lb = lag_bucket(b, in);
        double cur = additive ? 0 : NAN, old = additive ? 0 : NAN;
        for (size_t i = 0; i < r->nrows; i++) {
            const ria_value *t = ria_result_at(r, i, 0);
            if (t->is_null)
                continue;
            int64_t d = cell_day(t);
            if (d == b)
                cur = value_number(ria_result_at(r, i, 1));
            else if (d == lb)
                old = value_number(ria_result_at(r, i, 1));
        }
        row *w = &rs.r[rs.n++];
        char lab[32];
        time_label(b, RIA_V_DATE, in->grain, lab, sizeof lab);
        w->labels[0] = json_string(lab);
        w->nlabels = 1;
        w->v[0] = cur;
        w->v[1] = old;
        w->v[2] = cur - old;
        w->v[3] = old != 0 && !isnan(old) ? cur / old - 1 : NAN;
        w->nv = 4;
    }
    char m[64], lo[32], hi[32];
    metric_label_lc(c, in->metric, m, sizeof m);
    const char *over = in->lag_months ? "the same period a year before" : "the previous";
    ria_buf b;
    ria_buf_init(&b, 0);
    ria_buf_printf(&b, "%c%s growth by %s over %s%s%s", m[0] - 32, m + 1, grain_name(in->grain),
                   over, in->lag_months ? "" : " ", in->lag_months ? "" : grain_name(in->grain));
    context(c, -1, true, &b);
    int ihi = -1, ilo = -1;
    for (int i = 0; i < rs.n; i++) {
        if (isnan(rs.r[i].v[3]))
            continue;
        if (ihi < 0 || rs.r[i].v[3] > rs.r[ihi].v[3])
            ihi = i;
        if (ilo < 0 || rs.r[i].v[3] < rs.r[ilo].v[3])
            ilo = i;
    }
    if (ihi >= 0) {
        pct(rs.r[ihi].v[3], hi, sizeof hi);
        pct(rs.r[ilo].v[3], lo, sizeof lo);
        ria_buf_printf(&b, ": highest %s in %s, lowest %s in %s.", hi, label_str(&rs.r[ihi], 0),
                       lo, label_str(&rs.r[ilo], 0));
    } else {
        ria_buf_puts(&b, ": no growth can be computed (no earlier values).");
    }
    json_t *cols = json_array();
    json_array_append_new(cols, column(grain_name(in->grain), "label", RIA_UNIT_NONE));
    json_array_append_new(cols, column(c->v->metrics[in->metric].name, "number", munit(c)));
    json_array_append_new(cols, column(in->lag_months ? "a year before" : "previous", "number",
                                       munit(c)));
    json_array_append_new(cols, column("change", "number", munit(c)));
    json_array_append_new(cols, column("growth", "number", RIA_UNIT_RATIO));
    json_t *res = answer_obj(b.data, NULL, cols, rows_json(&rs, 0),
                             chart("bar", grain_name(in->grain), json_pack("[s]", "growth"), NULL));
    ria_buf_free(&b);
    free_rows(&rs);
    return res;
}
