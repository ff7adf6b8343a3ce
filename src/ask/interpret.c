/*
 * interpret.c — the interpretation of an answer: what exactly was
 * computed, as structured fields (metric and definition, filters, resolved
 * dates, groupings, ranking, conditions, status rule, anchor, data
 * version) and as one summary line built from the same fields.
 */
#include "compose.h"

#include <string.h>

static json_t *period_json(const ask_period *p)
{
    char a[16], b[16];
    ria_format_date(ria_floor_div(p->start, RIA_SECS_PER_DAY), a);
    ria_format_date(ria_floor_div(p->end, RIA_SECS_PER_DAY) - 1, b);
    return json_pack("{s:s, s:s, s:s, s:b}", "label", p->label, "from", a, "to", b, "relative",
                     p->relative);
}

static const char *shape_name(ask_shape s)
{
    static const char *const n[] = {"figure", "breakdown", "series", "rank", "compare",
                                    "growth", "share",     "threshold", "trend"};
    return (unsigned)s < RIA_ARRAY_LEN(n) ? n[s] : "?";
}

static const char *unit_name(ria_value_unit u)
{
    return u == RIA_UNIT_MONEY ? "money" : u == RIA_UNIT_RATIO ? "ratio" : u == RIA_UNIT_COUNT ? "count" : "number";
}

static json_t *metric_json(const metric_def *m)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "name", m->name, "label", m->label, "definition",
                     m->definition, "unit", unit_name(m->unit));
}

static json_t *filters_json(const compose_ctx *c, ria_buf *sum)
{
    const ask_intent *in = c->in;
    json_t *filters = json_array();
    for (int i = 0; i < in->nfilters; i++) {
        const ask_filter *f = &in->filters[i];
        json_t *vals = json_array();
        for (int k = 0; k < f->nvalues; k++)
            json_array_append_new(vals, json_string(f->values[k]));
        ria_buf lb;
        ria_buf_init(&lb, 0);
        filter_text(c, f, &lb);
        json_array_append_new(filters, json_pack("{s:s, s:o, s:s, s:b}", "column",
                                                 c->v->dims[f->dim].name, "values", vals, "label",
                                                 lb.data ? lb.data : "", "negated", f->negate));
        ria_buf_printf(sum, "; %s %s %s", c->v->dims[f->dim].name, f->negate ? "not in" : "=",
                       lb.data ? lb.data : "");
        ria_buf_free(&lb);
    }
    return filters;
}

/* The dates: one period, the compared periods, or a growth series. */
static void dates(const compose_ctx *c, json_t *j, ria_buf *sum)
{
    const ask_intent *in = c->in;
    bool use_periods = (in->shape == SH_COMPARE && !in->compare_values) ||
                       (in->shape == SH_GROWTH && !in->growth_series) ||
                       (in->shape == SH_THRESHOLD && in->bound_on_growth);
    json_t *periods = json_array();
    for (int k = 0; use_periods && k < in->nperiods; k++) {
        json_array_append_new(periods, period_json(&in->periods[k]));
        ria_buf_printf(sum, "%s%s", k ? " vs " : "; ", in->periods[k].label);
    }
    json_object_set_new(j, "periods", periods);
    if (!use_periods && in->has_period) {
        char a[16], b[16];
        ria_format_date(ria_floor_div(in->period.start, RIA_SECS_PER_DAY), a);
        ria_format_date(ria_floor_div(in->period.end, RIA_SECS_PER_DAY) - 1, b);
        ria_buf_printf(sum, "; %s to %s", a, b);
        json_object_set_new(j, "period", period_json(&in->period));
    } else {
        if (!use_periods && in->shape == SH_TREND) {
            ask_period span = trend_span(in->anchor);
            ria_buf_printf(sum, "; %s", span.label);
            json_object_set_new(j, "period", period_json(&span));
        } else {
            if (!use_periods)
                ria_buf_puts(sum, "; all dates");
            json_object_set_new(j, "period", json_null());
        }
    }
    if (in->share_of_period) {
        ria_buf_printf(sum, "; share of %s in %s", in->periods[0].label, in->period.label);
        json_object_set_new(j, "part_period", period_json(&in->periods[0]));
    }
    if (in->growth_series) {
        ria_buf_printf(sum, "; growth of each %s over %s", grain_name(in->grain),
                       in->lag_months ? "the same period a year before" : "the previous one");
        json_object_set_new(j, "growth_over", json_string(in->lag_months ? "year" : "previous"));
    }
}

static void ranking(const compose_ctx *c, json_t *j, ria_buf *sum)
{
    const ask_intent *in = c->in;
    bool ranked = in->shape == SH_RANK || (in->shape == SH_GROWTH && in->growth_rank) ||
                  (in->shape == SH_SHARE && in->top_n);
    if (ranked && in->top_n) {
        ria_buf_printf(sum, "; %s %d", in->ascending ? "bottom" : "top", in->top_n);
        json_object_set_new(j, "top_n", json_integer(in->top_n));
        json_object_set_new(j, "order", json_string(in->ascending ? "ascending" : "descending"));
    }
    if (in->has_having) {
        const metric_def *h = &c->v->metrics[in->having_metric];
        char v[64];
        format_number(in->having_bound, h->unit, c->currency, v, sizeof v);
        const char *op = in->having_above ? (in->bound_inclusive ? ">=" : ">")
                                          : (in->bound_inclusive ? "<=" : "<");
        ria_buf_printf(sum, "; among groups with %s %s %s (%s)", h->name, op, v, h->definition);
        json_object_set_new(j, "condition", json_pack("{s:o, s:s, s:f}", "metric", metric_json(h),
                                                      "op", op, "bound", in->having_bound));
    }
    if (in->shape == SH_THRESHOLD) {
        const char *op = in->bound_above ? (in->bound_inclusive ? ">=" : ">")
                                         : (in->bound_inclusive ? "<=" : "<");
        ria_buf_printf(sum, "; %s %s %g", in->bound_on_growth ? "growth" : c->v->metrics[in->metric].name,
                       op, in->bound);
        json_object_set_new(j, "threshold", json_pack("{s:s, s:s, s:f}", "on",
                                                      in->bound_on_growth ? "growth" : "value",
                                                      "op", op, "bound", in->bound));
    }
}

json_t *interpretation(const compose_ctx *c)
{
    const ask_intent *in = c->in;
    const metric_def *md = &c->v->metrics[in->metric];
    ria_buf sum;
    ria_buf_init(&sum, 0);
    ria_buf_printf(&sum, "%s (%s)", md->label, md->definition);
    json_t *j = json_pack("{s:o}", "metric", metric_json(md));
    metric_id also = in->metric2 != M_NONE ? in->metric2 : in->extra;
    if (also != M_NONE) {
        const metric_def *m2 = &c->v->metrics[also];
        ria_buf_printf(&sum, " and %s (%s)", m2->label, m2->definition);
        json_object_set_new(j, "metric2", metric_json(m2));
    }
    json_object_set_new(j, "filters", filters_json(c, &sum));
    json_t *groups = json_array();
    for (int g = 0; g < in->ngroup; g++) {
        json_array_append_new(groups, json_string(c->v->dims[in->group[g]].name));
        ria_buf_printf(&sum, "%s%s", g ? " and " : "; by ", c->v->dims[in->group[g]].name);
    }
    json_object_set_new(j, "group_by", groups);
    if (in->by_time) {
        ria_buf_printf(&sum, "; by %s", grain_name(in->grain));
        json_object_set_new(j, "time_grain", json_string(grain_name(in->grain)));
    }
    dates(c, j, &sum);
    ranking(c, j, &sum);
    json_object_set_new(j, "shape", json_string(shape_name(in->shape)));
    bool rule = c->v->status_rule[0] && !in->status_grouped &&
                (!md->status_free || (also != M_NONE && !c->v->metrics[also].status_free));
    json_t *status_rule = json_null();
    if (rule) {
        ria_buf sr;
        ria_buf_init(&sr, 0);
        ria_buf_puts(&sr, "excludes orders whose status is ");
        int n = 0;
        for (int i = 0; i < c->v->nstatus; i++)
            if (strcmp(c->v->status_class[i], "sale") != 0)
                ria_buf_printf(&sr, "%s%s", n++ ? ", " : "", c->v->status_value[i]);
        if (md->status_free || (also != M_NONE && c->v->metrics[also].status_free))
            ria_buf_puts(&sr, " (except the rates, which count every order)");
        status_rule = json_string(sr.data ? sr.data : "");
        ria_buf_printf(&sum, "; %s", sr.data ? sr.data : "");
        ria_buf_free(&sr);
    }
    json_object_set_new(j, "status_rule", status_rule);
    char anchor[16];
    ria_format_date(ria_floor_div(in->anchor, RIA_SECS_PER_DAY), anchor);
    ria_buf_printf(&sum, "; data version %lld, as of %s.", (long long)c->version, anchor);
    json_object_set_new(j, "anchor", json_string(anchor));
    json_object_set_new(j, "currency", json_string(c->currency ? c->currency : "USD"));
    json_object_set_new(j, "data_version", json_integer((json_int_t)c->version));
    json_object_set_new(j, "summary", json_string(sum.data ? sum.data : ""));
    ria_buf_free(&sum);
    return j;
}
