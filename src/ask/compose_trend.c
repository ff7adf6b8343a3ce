/*
 * compose_trend.c — "which categories are trending up (but margins
 * trending down)": groups by the sign of the least-squares slope of their
 * monthly series (SEMANTICS.md, "Time").
 */
#include "compose.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>


/* Least-squares slope of y over x = 0, 1, 2 ... (NaN points skipped). */
static double slope(const double *y, int n)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (isnan(y[i]))
            continue;
        sx += i;
        sy += y[i];
        sxx += (double)i * i;
        sxy += i * y[i];
        k++;
    }
    double den = k * sxx - sx * sx;
    return k >= 2 && den != 0 ? (k * sxy - sx * sy) / den : NAN;
}

json_t *compose_trend(const compose_ctx *c)
{
    const ask_intent *in = c->in;
    const ria_result *r = c->r->res[0];
    ask_period span = in->has_period ? in->period : trend_span(in->anchor);
    int y0, m0, d0;
    ria_civil_from_days(ria_floor_div(span.start, RIA_SECS_PER_DAY), &y0, &m0, &d0);
    int months = 0;
    for (int64_t t = span.start; t < span.end && months < 240; months++) {
        int tot = y0 * 12 + m0 - 1 + months + 1;
        t = ria_days_from_civil(tot / 12, tot % 12 + 1, 1) * RIA_SECS_PER_DAY;
    }
    bool two = in->metric2 != (metric_id)-1;
    int ng = in->ngroup;
    /* groups in first-seen order with their monthly series */
    rows rs = {calloc(r->nrows + 1, sizeof(row)), 0};
    double *ys = calloc((r->nrows + 1) * (size_t)months * 2 + 1, sizeof *ys);
    for (size_t i = 0; rs.r && ys && i < r->nrows; i++) {
        ria_value g = *ria_result_at(r, i, 0);
        json_t *label = cell_json(&g, RIA_TU_MONTH);
        int at = -1;
        for (int k = 0; k < rs.n && at < 0; k++)
            if (json_equal(rs.r[k].labels[0], label))
                at = k;
        if (at >= 0) {
            json_decref(label);
        } else {
            at = rs.n++;
            rs.r[at].labels[0] = label;
            rs.r[at].nlabels = 1;
            double *yy = ys + (size_t)at * (size_t)months * 2;
            for (int k = 0; k < months * 2; k++)
                yy[k] = c->v->metrics[k < months ? in->metric : (two ? in->metric2 : in->metric)].additive ? 0 : NAN;
        }
        const ria_value *mv = ria_result_at(r, i, ng);
        int y, m, d;
        ria_civil_from_days(ria_floor_div(mv->i, RIA_SECS_PER_DAY), &y, &m, &d);
        int idx = (y * 12 + m - 1) - (y0 * 12 + m0 - 1);
        if (idx < 0 || idx >= months)
            continue;
        double *yy = ys + (size_t)at * (size_t)months * 2;
        yy[idx] = value_number(ria_result_at(r, i, ng + 1));
        if (two)
            yy[months + idx] = value_number(ria_result_at(r, i, ng + 2));
    }
    int k = 0;
    for (int i = 0; i < rs.n; i++) {
        double *yy = ys + (size_t)i * (size_t)months * 2;
        double s1 = slope(yy, months), s2 = two ? slope(yy + months, months) : NAN;
        bool pass = !isnan(s1) && (in->trend_up ? s1 > 0 : s1 < 0);
        if (two)
            pass = pass && !isnan(s2) && (in->trend2_up ? s2 > 0 : s2 < 0);
        if (!pass) {
            json_decref(rs.r[i].labels[0]);
            continue;
        }
        row w = rs.r[i];
        w.v[0] = s1;
        w.nv = 1;
        if (two) {
            w.v[1] = s2;
            w.nv = 2;
        }
        rs.r[k++] = w;
    }
    rs.n = k;
    sort_rows(&rs, -1, false);
    char m[64], m2[64], pl[80];
    metric_label_lc(c, in->metric, m, sizeof m);
    plural(dim_label(c, 0), pl, sizeof pl);
    ria_buf b;
    ria_buf_init(&b, 0);
    ria_buf_printf(&b, "%d %s have %s trending %s", rs.n, pl, m, in->trend_up ? "up" : "down");
    if (two)
        ria_buf_printf(&b, " and %s trending %s", metric_label_lc(c, in->metric2, m2, sizeof m2),
                       in->trend2_up ? "up" : "down");
    context(c, -1, false, &b);
    ria_buf_printf(&b, " over %s (least-squares slope of the monthly series)%s", span.label,
                   rs.n ? ": " : ".");
    for (int i = 0; i < rs.n; i++)
        ria_buf_printf(&b, "%s%s", i ? ", " : "", label_str(&rs.r[i], 0));
    if (rs.n)
        ria_buf_putc(&b, '.');
    json_t *cols = group_columns(c, false);
    json_array_append_new(cols, column("slope per month", "number", munit(c)));
    if (two)
        json_array_append_new(cols, column("slope per month (2)", "number",
                                           c->v->metrics[in->metric2].unit));
    json_t *res = answer_obj(b.data, NULL, cols, rows_json(&rs, 0),
                         chart("bar", c->v->dims[in->group[0]].name, json_pack("[s]", "slope per month"), NULL));
    ria_buf_free(&b);
    free_rows(&rs);
    free(ys);
    return res;
}

