/*
 * compose.c — the answer of each shape: rows from the results (sorted,
 * limited, with derived columns such as change, growth and share), the
 * sentence, the chart spec, and the interpretation.  Every figure in a
 * sentence is formatted from the same numbers as the table.
 */
#include "compose.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- shapes */

static json_t *figure(const compose_ctx *c)
{
    const ria_result *r = c->r->res[0];
    double x = r->nrows ? value_number(ria_result_at(r, 0, 0)) : NAN;
    char m[64], v[64];
    ria_buf b;
    ria_buf_init(&b, 0);
    metric_label_lc(c, c->in->metric, m, sizeof m);
    fmt(c, x, munit(c), v, sizeof v);
    ria_buf_printf(&b, "%c%s", m[0] >= 'a' ? m[0] - 32 : m[0], m + 1);
    context(c, -1, true, &b);
    ria_buf_printf(&b, isnan(x) ? " has no value: no matching rows." : " was %s.", v);
    json_t *cols = json_array();
    json_array_append_new(cols, column(c->v->metrics[c->in->metric].name, "number", munit(c)));
    json_t *rj = json_pack("[[o]]", number_json(x));
    json_t *a = answer_obj(b.data, number_json(x), cols, rj, chart("none", NULL, NULL, NULL));
    ria_buf_free(&b);
    return a;
}

typedef struct {
    int col;          /* the number column of the condition */
    double bound;
    bool above, inclusive;
} having_spec;

static bool passes_having(const row *w, const void *arg)
{
    const having_spec *h = arg;
    double x = w->v[h->col];
    if (isnan(x))
        return false;
    if (h->inclusive)
        return h->above ? x >= h->bound : x <= h->bound;
    return h->above ? x > h->bound : x < h->bound;
}

/* " among states with orders of at least 5,000" */
static void having_text(const compose_ctx *c, ria_buf *b)
{
    const ask_intent *in = c->in;
    if (!in->has_having)
        return;
    char pl[80], m[64], v[64];
    plural(dim_label(c, 0), pl, sizeof pl);
    metric_label_lc(c, in->having_metric, m, sizeof m);
    format_number(in->having_bound, c->v->metrics[in->having_metric].unit, c->currency, v,
                  sizeof v);
    ria_buf_printf(b, " among %s with %s %s %s", pl, m,
                   in->having_above ? (in->bound_inclusive ? "of at least" : "above")
                                    : (in->bound_inclusive ? "of at most" : "below"),
                   v);
}

static json_t *breakdown(const compose_ctx *c, bool rank)
{
    const ask_intent *in = c->in;
    int nlab = in->ngroup + (in->by_time ? 1 : 0);
    rows rs = read_rows(c->r->res[0], nlab, in->grain);
    having_spec hv = {in->extra != M_NONE ? 2 : 1, in->having_bound, in->having_above,
                      in->bound_inclusive};
    if (in->has_having)
        filter_rows(&rs, passes_having, &hv);
    bool series = in->shape == SH_SERIES;
    if (series)
        sort_rows(&rs, -1, false);
    else if (rank)
        sort_rows(&rs, 0, !in->ascending);
    else
        sort_rows(&rs, nlab > 1 ? -1 : 0, true);
    int limit = rank ? in->top_n : 0;
    char m[64], a[64], bb[64], what[80];
    metric_label_lc(c, in->metric, m, sizeof m);
    if (in->by_time && !in->ngroup)
        snprintf(what, sizeof what, "%s", grain_name(in->grain));
    else
        snprintf(what, sizeof what, "%s", dim_label(c, 0));
    ria_buf b;
    ria_buf_init(&b, 0);
    if (rs.n == 0) {
        ria_buf_printf(&b, "No rows match: there is no %s", m);
        context(c, -1, true, &b);
        ria_buf_putc(&b, '.');
    } else if (rank && limit == 1) {
        fmt(c, rs.r[0].v[0], munit(c), a, sizeof a);
        ria_buf_printf(&b, "%s had the %s %s", label_str(&rs.r[0], 0),
                       in->ascending ? "lowest" : "highest", m);
        context(c, -1, true, &b);
        having_text(c, &b);
        ria_buf_printf(&b, ": %s.", a);
    } else if (rank) {
        char pl[80];
        plural(what, pl, sizeof pl);
        ria_buf_printf(&b, "%s %d %s by %s", in->ascending ? "Bottom" : "Top",
                       RIA_MIN(limit, rs.n), pl, m);
        context(c, -1, true, &b);
        having_text(c, &b);
        ria_buf_puts(&b, ": ");
        for (int i = 0; i < rs.n && i < limit; i++) {
            fmt(c, rs.r[i].v[0], munit(c), a, sizeof a);
            ria_buf_printf(&b, "%s%s (%s)", i ? ", " : "", label_str(&rs.r[i], 0), a);
        }
        ria_buf_putc(&b, '.');
    } else if (series) {
        int hi = 0, lo = 0, buckets = 0;
        for (int i = 0; i < rs.n; i++) {
            if (cmp_num(rs.r[i].v[0], rs.r[hi].v[0], true) < 0)
                hi = i;
            if (cmp_num(rs.r[i].v[0], rs.r[lo].v[0], false) < 0)
                lo = i;
            /* rows are sorted by bucket first: count the distinct ones */
            buckets += i == 0 || strcmp(label_str(&rs.r[i], 0), label_str(&rs.r[i - 1], 0)) != 0;
        }
        fmt(c, rs.r[hi].v[0], munit(c), a, sizeof a);
        fmt(c, rs.r[lo].v[0], munit(c), bb, sizeof bb);
        ria_buf_printf(&b, "%c%s by %s", m[0] - 32, m + 1, grain_name(in->grain));
        if (in->ngroup)
            ria_buf_printf(&b, " and %s", dim_label(c, 0));
        context(c, -1, true, &b);
        ria_buf_printf(&b, ": %d %ss", buckets, grain_name(in->grain));
        if (in->ngroup) {
            ria_buf_printf(&b, ", highest %s in %s (%s), lowest %s in %s (%s).", a,
                           label_str(&rs.r[hi], 0), label_str(&rs.r[hi], 1), bb,
                           label_str(&rs.r[lo], 0), label_str(&rs.r[lo], 1));
        } else {
            ria_buf_printf(&b, ", highest %s in %s, lowest %s in %s.", a, label_str(&rs.r[hi], 0),
                           bb, label_str(&rs.r[lo], 0));
        }
    } else {
        double total = 0;
        int hi = 0, lo = 0;
        for (int i = 0; i < rs.n; i++) {
            total += isnan(rs.r[i].v[0]) ? 0 : rs.r[i].v[0];
            if (cmp_num(rs.r[i].v[0], rs.r[hi].v[0], true) < 0)
                hi = i;
            if (cmp_num(rs.r[i].v[0], rs.r[lo].v[0], false) < 0)
                lo = i;
        }
        fmt(c, rs.r[hi].v[0], munit(c), a, sizeof a);
        ria_buf_printf(&b, "%c%s by %s", m[0] - 32, m + 1, what);
        if (nlab > 1 && in->ngroup > 1)
            ria_buf_printf(&b, " and %s", dim_label(c, 1));
        context(c, -1, true, &b);
        ria_buf_puts(&b, ": ");
        for (int k = 0; k < nlab; k++)
            ria_buf_printf(&b, "%s%s", k ? ", " : "", label_str(&rs.r[hi], k));
        ria_buf_printf(&b, " is highest with %s", a);
        if (c->v->metrics[in->metric].additive && total > 0 && nlab == 1) {
            char s[32];
            snprintf(s, sizeof s, "%.1f%%", rs.r[hi].v[0] / total * 100);
            ria_buf_printf(&b, " (%s of the total)", s);
        }
        if (rs.n > 1) {
            fmt(c, rs.r[lo].v[0], munit(c), bb, sizeof bb);
            ria_buf_puts(&b, "; ");
            for (int k = 0; k < nlab; k++)
                ria_buf_printf(&b, "%s%s", k ? ", " : "", label_str(&rs.r[lo], k));
            ria_buf_printf(&b, " is lowest with %s", bb);
        }
        ria_buf_putc(&b, '.');
    }
    json_t *cols = group_columns(c, true);
    json_array_append_new(cols, column(c->v->metrics[in->metric].name, "number", munit(c)));
    if (in->extra != M_NONE)
        json_array_append_new(cols, column(c->v->metrics[in->extra].name, "number",
                                           c->v->metrics[in->extra].unit));
    if (in->has_having)
        json_array_append_new(cols, column(c->v->metrics[in->having_metric].name, "number",
                                           c->v->metrics[in->having_metric].unit));
    const char *x = in->by_time ? grain_name(in->grain) : c->v->dims[in->group[0]].name;
    const char *serie = nlab > 1 ? c->v->dims[in->group[nlab - (in->by_time ? 2 : 1)]].name : NULL;
    json_t *ch = chart(series ? "line" : nlab > 1 ? "grouped_bar" : "bar", x,
                       json_pack("[s]", c->v->metrics[in->metric].name), serie);
    json_t *res = answer_obj(b.data, NULL, cols, rows_json(&rs, limit), ch);
    ria_buf_free(&b);
    free_rows(&rs);
    return res;
}

static json_t *share(const compose_ctx *c)
{
    const ask_intent *in = c->in;
    char m[64], a[64], bb[64], s[32];
    metric_label_lc(c, in->metric, m, sizeof m);
    ria_buf b;
    ria_buf_init(&b, 0);
    json_t *res;
    if (in->ngroup || in->top_n) {
        const ria_result *tr = c->r->res[1];
        double total = tr->nrows ? value_number(ria_result_at(tr, 0, 0)) : NAN;
        rows rs = read_rows(c->r->res[0], in->ngroup, in->grain);
        sort_rows(&rs, 0, !in->ascending);
        double part = 0;
        int limit = in->top_n ? RIA_MIN(in->top_n, rs.n) : rs.n;
        for (int i = 0; i < rs.n; i++) {
            rs.r[i].v[1] = total ? rs.r[i].v[0] / total : NAN;
            rs.r[i].nv = 2;
            if (i < limit && !isnan(rs.r[i].v[0]))
                part += rs.r[i].v[0];
        }
        json_t *value = NULL;
        if (in->top_n && in->ngroup) {
            double sh = total ? part / total : NAN;
            snprintf(s, sizeof s, "%.1f%%", sh * 100);
            fmt(c, part, munit(c), a, sizeof a);
            fmt(c, total, munit(c), bb, sizeof bb);
            char pl[80];
            plural(dim_label(c, 0), pl, sizeof pl);
            ria_buf_printf(&b, "The %s %d %s (", in->ascending ? "bottom" : "top", limit, pl);
            for (int i = 0; i < limit; i++)
                ria_buf_printf(&b, "%s%s", i ? ", " : "", label_str(&rs.r[i], 0));
            ria_buf_printf(&b, ") had %s of %s", s, m);
            context(c, -1, true, &b);
            ria_buf_printf(&b, " (%s of %s).", a, bb);
            value = number_json(sh);
        } else {
            ria_buf_printf(&b, "Share of %s by %s", m, dim_label(c, 0));
            context(c, -1, true, &b);
            if (rs.n) {
                snprintf(s, sizeof s, "%.1f%%", rs.r[0].v[1] * 100);
                ria_buf_printf(&b, ": %s has the largest share, %s.", label_str(&rs.r[0], 0), s);
            } else {
                ria_buf_puts(&b, ": no rows match.");
            }
        }
        json_t *cols = group_columns(c, false);
        json_array_append_new(cols, column(c->v->metrics[in->metric].name, "number", munit(c)));
        json_array_append_new(cols, column("share", "number", RIA_UNIT_RATIO));
        res = answer_obj(b.data, value, cols, rows_json(&rs, in->top_n ? limit : 0),
                     chart(in->top_n ? "bar" : "pie", c->v->dims[in->group[0]].name,
                           json_pack("[s]", "share"), NULL));
        free_rows(&rs);
    } else {
        const ria_result *pr = c->r->res[0], *tr = c->r->res[1];
        double part = pr->nrows ? value_number(ria_result_at(pr, 0, 0)) : NAN;
        double total = tr->nrows ? value_number(ria_result_at(tr, 0, 0)) : NAN;
        double sh = total ? part / total : NAN;
        /* the part: a period inside the period, else the last filter */
        int pf = in->share_of_period ? -1 : in->nfilters - 1;
        snprintf(s, sizeof s, "%.1f%%", sh * 100);
        fmt(c, part, munit(c), a, sizeof a);
        fmt(c, total, munit(c), bb, sizeof bb);
        ria_buf tb;
        ria_buf_init(&tb, 0);
        if (in->share_of_period)
            ria_buf_puts(&tb, in->periods[0].label);
        else if (pf >= 0)
            filter_text(c, &in->filters[pf], &tb);
        ria_buf_printf(&b, "%s accounted for %s of %s", tb.data ? tb.data : "The selection", s, m);
        context(c, pf, true, &b);
        ria_buf_printf(&b, " (%s of %s).", a, bb);
        json_t *cols = json_array();
        json_array_append_new(cols, column("part", "label", RIA_UNIT_NONE));
        json_array_append_new(cols, column(c->v->metrics[in->metric].name, "number", munit(c)));
        json_array_append_new(cols, column("total", "number", munit(c)));
        json_array_append_new(cols, column("share", "number", RIA_UNIT_RATIO));
        json_t *rj = json_pack("[[s, o, o, o]]", tb.data ? tb.data : "", number_json(part),
                               number_json(total), number_json(sh));
        res = answer_obj(b.data, number_json(sh), cols, rj, chart("none", NULL, NULL, NULL));
        ria_buf_free(&tb);
    }
    ria_buf_free(&b);
    return res;
}

static json_t *threshold(const compose_ctx *c)
{
    const ask_intent *in = c->in;
    bool timed = in->by_time && !in->bound_on_growth;
    rows rs = read_rows(c->r->res[0], in->ngroup + timed, in->grain);
    const char *what = timed ? grain_name(in->grain) : dim_label(c, 0);
    const char *xaxis = timed ? grain_name(in->grain) : c->v->dims[in->group[0]].name;
    int key = 0;
    if (in->bound_on_growth) {
        for (int i = 0; i < rs.n; i++) {
            row *w = &rs.r[i];
            w->v[2] = w->v[0] != 0 && !isnan(w->v[0]) ? w->v[1] / w->v[0] - 1 : NAN;
            w->nv = 3;
        }
        key = 2;
    }
    int k = 0;
    for (int i = 0; i < rs.n; i++) {
        double x = rs.r[i].v[key];
        bool pass = !isnan(x) && (in->bound_inclusive
                                      ? (in->bound_above ? x >= in->bound : x <= in->bound)
                                      : (in->bound_above ? x > in->bound : x < in->bound));
        if (pass)
            rs.r[k++] = rs.r[i];
        else
            for (int l = 0; l < rs.r[i].nlabels; l++)
                json_decref(rs.r[i].labels[l]);
    }
    rs.n = k;
    sort_rows(&rs, timed ? -1 : key, timed ? false : in->bound_above);
    char m[64], pl[80], bound[64];
    metric_label_lc(c, in->metric, m, sizeof m);
    plural(what, pl, sizeof pl);
    if (in->bound_on_growth)
        snprintf(bound, sizeof bound, "%.1f%%", in->bound * 100);
    else
        fmt(c, in->bound, munit(c), bound, sizeof bound);
    ria_buf b;
    ria_buf_init(&b, 0);
    if (in->bound_on_growth)
        ria_buf_printf(&b, "%d %s had %s %s %s", rs.n, pl, m,
                       in->bound == 0 ? (in->bound_above ? "higher" : "lower")
                                      : (in->bound_above ? "growth above" : "growth below"),
                       in->bound == 0 ? "" : bound);
    else
        ria_buf_printf(&b, "%d %s had %s %s %s", rs.n, pl, m, in->bound_above ? "above" : "below",
                       bound);
    context(c, -1, !in->bound_on_growth, &b);
    if (in->bound_on_growth)
        ria_buf_printf(&b, " in %s %s %s", in->periods[1].label,
                       in->bound == 0 ? "than in" : "compared with", in->periods[0].label);
    ria_buf_puts(&b, rs.n ? ": " : ".");
    for (int i = 0; i < rs.n; i++)
        ria_buf_printf(&b, "%s%s", i ? ", " : "", label_str(&rs.r[i], 0));
    if (rs.n)
        ria_buf_putc(&b, '.');
    json_t *cols = group_columns(c, timed);
    if (in->bound_on_growth) {
        json_array_append_new(cols, column(in->periods[0].label, "number", munit(c)));
        json_array_append_new(cols, column(in->periods[1].label, "number", munit(c)));
        json_array_append_new(cols, column("growth", "number", RIA_UNIT_RATIO));
    } else {
        json_array_append_new(cols, column(c->v->metrics[in->metric].name, "number", munit(c)));
    }
    json_t *res = answer_obj(b.data, NULL, cols, rows_json(&rs, 0),
                             chart("bar", xaxis,
                                   json_pack("[s]", in->bound_on_growth
                                                        ? "growth"
                                                        : c->v->metrics[in->metric].name),
                                   NULL));
    ria_buf_free(&b);
    free_rows(&rs);
    return res;
}
json_t *compose_answer(const compose_ctx *c)
{
    json_t *a;
    switch (c->in->shape) {
    case SH_FIGURE: a = figure(c); break;
    case SH_BREAKDOWN:
    case SH_SERIES: a = breakdown(c, false); break;
    case SH_RANK: a = breakdown(c, true); break;
    case SH_COMPARE: a = c->in->compare_values ? compose_compare_values(c) : compose_periods(c); break;
    case SH_GROWTH: a = c->in->growth_series ? compose_growth_series(c) : compose_periods(c); break;
    case SH_SHARE: a = share(c); break;
    case SH_THRESHOLD: a = threshold(c); break;
    default: a = compose_trend(c); break;
    }
    json_object_set_new(a, "interpretation", interpretation(c));
    return a;
}

