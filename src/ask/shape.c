/*
 * shape.c — which kind of answer a question asks for, from its items.
 *
 * One shape is chosen by fixed precedence: trend, ranking among groups
 * passing a condition on another metric, loss, threshold, share, growth,
 * comparison, ranking, series, breakdown, single figure.  Each step also
 * fills the slots its shape needs (the periods of a growth, the bound of a
 * threshold, the size of a ranking ...).
 */
#include "parse_items.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The first number after item i (skipping filler and grammar words), or NULL. */
static const item *number_after(const parser *p, int i)
{
    for (int k = i + 1; k < p->n && k <= i + 3; k++) {
        if (p->it[k].kind == IT_NUMBER)
            return &p->it[k];
        if (p->it[k].kind == IT_LEX && p->it[k].e->kind != LX_FILLER && p->it[k].e->kind != LX_WORD)
            break;
    }
    return NULL;
}

static bool count_number(const item *num)
{
    return num && !num->percent && !num->money && num->num >= 1 && num->num <= 1000 &&
           num->num == floor(num->num);
}

/* Whether the dimension (or time unit) that a ranking word at i ranks is
 * named in the singular: "top SKU" is one, "top SKUs" five. */
static bool singular_after(const parser *p, int i)
{
    for (int k = i + 1; k < p->n && k <= i + 3; k++) {
        const item *it = &p->it[k];
        if (it->kind == IT_LEX && it->e->kind == LX_DIM)
            return !plural_item(p, it);
        if (it->kind == IT_LEX && it->e->kind == LX_WORD && it->e->id >= W_DAY &&
            it->e->id <= W_YEAR)
            return !plural_item(p, it);
    }
    return false;
}

/* TOP/BOTTOM N, HIGHEST/LOWEST, "which 3 states": fills the ranking slots. */
static bool ranking(const parser *p, ask_intent *in)
{
    bool rank = false;
    for (int i = 0; i < p->n; i++) {
        const item *it = &p->it[i];
        const item *num = number_after(p, i);
        if (is_word(it, W_TOP) || is_word(it, W_BOTTOM)) {
            in->top_n = count_number(num) ? (int)num->num : singular_after(p, i) ? 1 : 5;
            in->ascending = is_word(it, W_BOTTOM);
            rank = true;
        } else if (is_word(it, W_HIGHEST) || is_word(it, W_BEST) || is_word(it, W_LOWEST) ||
                   is_word(it, W_WORST)) {
            in->top_n = count_number(num) ? (int)num->num : in->top_n ? in->top_n : 1;
            in->ascending = is_word(it, W_LOWEST) || is_word(it, W_WORST);
            rank = true;
        } else if (is_word(it, W_WHICH) && i + 1 < p->n && p->it[i + 1].kind == IT_NUMBER &&
                   count_number(&p->it[i + 1])) {
            in->top_n = (int)p->it[i + 1].num;
            rank = true;
        }
    }
    return rank;
}

/* "at least", "at most", "no less than": the bound itself passes. */
static bool inclusive_bound(const item *it)
{
    return strncmp(it->e->phrase, "at ", 3) == 0 || strncmp(it->e->phrase, "no ", 3) == 0 ||
           strncmp(it->e->phrase, "minimum", 7) == 0 || strncmp(it->e->phrase, "maximum", 7) == 0;
}

/* A bound word with a number after it: "more than 15%", "above $1M". */
static int bound_at(const parser *p, const item **num)
{
    for (int i = 0; i < p->n; i++) {
        const item *it = &p->it[i];
        if (!is_word(it, W_MORE) && !is_word(it, W_ABOVE) && !is_word(it, W_LESS) &&
            !is_word(it, W_BELOW))
            continue;
        *num = number_after(p, i);
        if (*num)
            return i;
    }
    return -1;
}

/* A threshold "more than 15%", "above $1M", "lower ... than". */
static bool threshold(const parser *p, ask_intent *in)
{
    const item *num;
    int i = bound_at(p, &num);
    if (i >= 0) {
        in->bound_above = is_word(&p->it[i], W_MORE) || is_word(&p->it[i], W_ABOVE);
        in->bound_inclusive = inclusive_bound(&p->it[i]);
        in->bound = num->percent ? num->num / 100.0 : num->num;
        in->bound_on_growth = num->percent && growth_words(p);
        if (num->percent && !in->bound_on_growth && in->nperiods >= 2)
            in->bound_on_growth = true;
        return true;
    }
    /* "lower in 2024 than in 2023", "higher this year than last year" (the
     * "than" may sit inside the time list) */
    if (has_token(p, "than") && in->nperiods == 2 &&
        (has_word(p, W_DECREASE) || has_word(p, W_INCREASE) || has_word(p, W_LESS) ||
         has_word(p, W_MORE))) {
        in->bound_on_growth = true;
        in->bound = 0;
        in->bound_above = has_word(p, W_INCREASE) || has_word(p, W_MORE);
        return true;
    }
    return false;
}

static int cmp_period(const void *a, const void *b)
{
    const ask_period *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

/* Growth needs two periods: explicit ones, or the asked one and the one a
 * year (month, quarter, week, day) before. */
static void growth_periods(const parser *p, ask_intent *in)
{
    if (in->nperiods >= 2) {
        qsort(in->periods, (size_t)in->nperiods, sizeof in->periods[0], cmp_period);
        in->periods[1] = in->periods[in->nperiods - 1];
        in->nperiods = 2;
        return;
    }
    ask_period cur = in->has_period ? in->period : in->anchor_year, old;
    if (has_word(p, W_WOW))
        old = period_back_days(&cur, 7);
    else if (has_word(p, W_DOD))
        old = period_back_days(&cur, 1);
    else if (has_word(p, W_MOM))
        old = period_back_months(&cur, 1);
    else if (has_word(p, W_QOQ))
        old = period_back_months(&cur, 3);
    else if (has_word(p, W_YOY))
        old = period_back_months(&cur, 12);
    else if (cur.grain == RIA_TU_MONTH && has_word(p, W_MONTH))
        old = period_back_months(&cur, 1);
    else if (cur.grain == RIA_TU_WEEK || cur.grain == RIA_TU_DAY)
        old = period_before(&cur);
    else
        old = period_back_months(&cur, 12);
    in->periods[0] = old;
    in->periods[1] = cur;
    in->nperiods = 2;
}

static bool direction_word(const item *it)
{
    return is_word(it, W_TREND_UP) || is_word(it, W_TREND_DOWN) || is_word(it, W_INCREASE) ||
           is_word(it, W_DECREASE);
}

static bool upward(const item *it)
{
    return is_word(it, W_TREND_UP) || is_word(it, W_INCREASE);
}

/* "categories trending up but margins trending down", "trending up in
 * revenue but down in margin": the question may hold two conditions, split
 * at a conjunction after the first direction.  Each clause has a direction
 * and a metric (revenue when the clause names none). */
static void trend_clauses(const parser *p, ask_intent *in)
{
    int dir_at = -1;
    for (int i = 0; i < p->n && dir_at < 0; i++)
        if (is_word(&p->it[i], W_TREND_UP) || is_word(&p->it[i], W_TREND_DOWN))
            dir_at = i;
    in->trend_up = upward(&p->it[dir_at]);
    int split = -1, dir2 = -1;
    for (int i = dir_at + 1; i < p->n && split < 0; i++)
        if (is_word(&p->it[i], W_BUT) || is_word(&p->it[i], W_WHILE) || is_word(&p->it[i], W_AND))
            split = i;
    for (int i = split + 1; split >= 0 && i < p->n && dir2 < 0; i++)
        if (direction_word(&p->it[i]))
            dir2 = i;
    int m1 = -1, m2 = -1;
    for (int i = 0; i < p->n; i++) {
        if (!is_metric(&p->it[i]))
            continue;
        if ((split < 0 || i < split) && m1 < 0)
            m1 = p->it[i].e->id;
        else if (split >= 0 && i > split && m2 < 0)
            m2 = p->it[i].e->id;
    }
    in->metric = m1 >= 0 ? (metric_id)m1 : M_REVENUE;
    in->metric2 = M_NONE;
    if (dir2 < 0)
        return;
    in->trend2_up = upward(&p->it[dir2]);
    in->metric2 = m2 >= 0 ? (metric_id)m2 : M_REVENUE;
    if (in->metric2 == in->metric && in->trend_up == in->trend2_up)
        in->metric2 = M_NONE;
}

/* The metric a ranking word or "by" points at ("top 3 categories by 2024
 * revenue", "highest AOV"), or M_NONE. */
static metric_id ranked_metric(const parser *p)
{
    for (int i = 0; i < p->n; i++) {
        if (!is_metric(&p->it[i]))
            continue;
        for (int k = i - 1; k >= 0 && k >= i - 3; k--) {
            const item *b = &p->it[k];
            if (b->kind == IT_TIME || (b->kind == IT_LEX && b->e->kind == LX_FILLER))
                continue;
            if (is_word(b, W_BY) || is_word(b, W_TOP) || is_word(b, W_BOTTOM) ||
                is_word(b, W_HIGHEST) || is_word(b, W_LOWEST) || is_word(b, W_BEST) ||
                is_word(b, W_WORST))
                return (metric_id)p->it[i].e->id;
            break;
        }
    }
    return M_NONE;
}

/* Whether the item after i (filler skipped) names products: a value of a
 * category, sub-category, SKU or product name, or a product word. */
static bool product_after(const parser *p, int i)
{
    for (int k = i + 1; k < p->n; k++) {
        const item *it = &p->it[k];
        if (it->kind == IT_LEX && it->e->kind == LX_FILLER)
            continue;
        if (it->kind != IT_LEX)
            return false;
        if (it->e->kind == LX_DIM)
            return vocab_product_word(it->e);
        if (it->e->kind != LX_VALUE)
            return false;
        ria_role r = p->v->snap->cols[p->v->dims[it->e->id].col].role;
        return r == RIA_ROLE_CATEGORY || r == RIA_ROLE_SUB_CATEGORY || r == RIA_ROLE_SKU ||
               r == RIA_ROLE_PRODUCT_NAME;
    }
    return false;
}

/* "Among states with at least 5000 orders, which had the highest AOV?": a
 * ranking among the groups whose other metric passes a bound.  The bound's
 * metric is the one named next to its number. */
static bool having_rank(const parser *p, ask_intent *in)
{
    const item *num;
    int i = bound_at(p, &num);
    if (i < 0 || in->metric2 == M_NONE)
        return false;
    int ni = (int)(num - p->it);
    metric_id hm = M_NONE;
    for (int k = ni + 1; k < p->n && k <= ni + 2 && hm == M_NONE; k++)
        if (is_metric(&p->it[k]))
            hm = (metric_id)p->it[k].e->id;
    for (int k = i - 1; k >= 0 && k >= i - 2 && hm == M_NONE; k--)
        if (is_metric(&p->it[k]))
            hm = (metric_id)p->it[k].e->id;
    if (hm == M_NONE)
        return false;
    in->has_having = true;
    in->having_metric = hm;
    in->having_bound = num->percent ? num->num / 100.0 : num->num;
    in->having_above = is_word(&p->it[i], W_MORE) || is_word(&p->it[i], W_ABOVE);
    in->bound_inclusive = inclusive_bound(&p->it[i]);
    in->metric = hm == in->metric ? in->metric2 : in->metric;
    in->metric2 = M_NONE;
    return true;
}

/* The time grain a question groups by: "monthly", "by quarter", "which
 * month", "months with ...". */
static void time_grouping(const parser *p, ask_intent *in)
{
    ria_time_unit g;
    for (int i = 0; i < p->n; i++) {
        static const struct {
            word_id w;
            ria_time_unit u;
        } grains[] = {{W_DAILY, RIA_TU_DAY},         {W_WEEKLY, RIA_TU_WEEK},
                      {W_MONTHLY, RIA_TU_MONTH},     {W_QUARTERLY, RIA_TU_QUARTER},
                      {W_YEARLY, RIA_TU_YEAR},       {W_DAY, RIA_TU_DAY},
                      {W_WEEK, RIA_TU_WEEK},         {W_MONTH, RIA_TU_MONTH},
                      {W_QUARTER, RIA_TU_QUARTER},   {W_YEAR, RIA_TU_YEAR}};
        const item *it = &p->it[i];
        word_id w = W_COUNT_;
        for (size_t k = 0; k < RIA_ARRAY_LEN(grains); k++)
            if (is_word(it, grains[k].w)) {
                w = grains[k].w;
                g = grains[k].u;
            }
        if (w == W_COUNT_)
            continue;
        /* "month" alone groups only after which/best/by ("which month") or
         * in the plural ("months with revenue above ...") */
        bool marker = i > 0 && (is_word(&p->it[i - 1], W_WHICH) || is_word(&p->it[i - 1], W_BEST) ||
                                is_word(&p->it[i - 1], W_WORST) || is_word(&p->it[i - 1], W_BY) ||
                                is_word(&p->it[i - 1], W_EACH) || is_word(&p->it[i - 1], W_PER) ||
                                is_word(&p->it[i - 1], W_TOP) || is_word(&p->it[i - 1], W_HIGHEST) ||
                                is_word(&p->it[i - 1], W_LOWEST) || is_word(&p->it[i - 1], W_ACROSS));
        if (w >= W_DAY && w <= W_YEAR && !marker && !plural_item(p, it))
            continue;
        in->grain = g;
        in->by_time = true;
    }
}

/* "from April to June 2024" is one span unless the question compares its
 * ends ("change from Q3 to Q4", "compare Q1 to Q2"). */
static void ranges_as_spans(const parser *p, ask_intent *in)
{
    bool from_to = false;
    for (int i = 0; i < p->n; i++)
        if (p->it[i].kind == IT_TIME && p->tx[p->it[i].tx].bound == TXB_FROM_TO)
            from_to = true;
    if (from_to && !growth_words(p) && !has_word(p, W_VS) && !has_word(p, W_COMPARE) &&
        !has_word(p, W_CONTRIBUTE))
        in->nperiods = 0;
}

/* "What share of Q4 revenue came from November?": one period inside the
 * other is the part of a share. */
static bool period_share(ask_intent *in)
{
    for (int i = 0; i < in->nperiods; i++)
        for (int k = 0; k < in->nperiods; k++) {
            const ask_period *a = &in->periods[i], *b = &in->periods[k];
            if (i == k || a->start < b->start || a->end > b->end ||
                (a->start == b->start && a->end == b->end))
                continue;
            ask_period part = *a, whole = *b;
            in->share_of_period = true;
            in->period = whole;
            in->has_period = true;
            in->periods[0] = part;
            in->nperiods = 1;
            return true;
        }
    return false;
}

/* Questions naming two metrics outside a trend: the second is shown
 * beside the first (the ranked one in a ranking). */
static void second_metric(const parser *p, ask_intent *in)
{
    if (in->metric2 == M_NONE || in->shape == SH_TREND)
        return;
    if (in->shape == SH_RANK) {
        metric_id r = ranked_metric(p);
        if (r == in->metric2) {
            in->metric2 = in->metric;
            in->metric = r;
        }
    }
    if (in->shape == SH_RANK || in->shape == SH_BREAKDOWN || in->shape == SH_SERIES ||
        in->shape == SH_FIGURE)
        in->extra = in->metric2;
    in->metric2 = M_NONE;
}

static bool shape_before_growth(const parser *p, ask_intent *in, bool rank)
{
    bool up = has_word(p, W_TREND_UP), down = has_word(p, W_TREND_DOWN);
    bool which = has_word(p, W_WHICH);
    bool grouped = in->ngroup || in->by_time;
    if ((up || down) && (in->ngroup || which)) {
        in->shape = SH_TREND;
        trend_clauses(p, in);
        return true;
    }
    if (rank && grouped && having_rank(p, in)) {
        in->shape = SH_RANK;
        return true;
    }
    if (has_word(p, W_LOSS)) {
        /* "lost money": gross profit (or margin) below zero */
        if (!(in->metric_explicit && in->metric == M_MARGIN))
            in->metric = M_PROFIT;
        in->metric2 = M_NONE;
        if (grouped || which) {
            in->shape = SH_THRESHOLD;
            in->bound = 0;
            in->bound_above = false;
            in->bound_on_growth = false;
        } else {
            in->shape = SH_FIGURE;
        }
        return true;
    }
    if ((rank || grouped || which) && threshold(p, in)) {
        in->shape = SH_THRESHOLD;
        if (in->bound_on_growth)
            growth_periods(p, in);
        return true;
    }
    bool contribute = has_word(p, W_CONTRIBUTE);
    if (contribute && growth_words(p)) {
        /* "which state contributed most to revenue growth": the largest
         * increase */
        in->shape = SH_GROWTH;
        growth_periods(p, in);
        in->difference = true;
        in->growth_rank = rank;
        return true;
    }
    bool share = has_word(p, W_SHARE) || contribute ||
                 (has_word(p, W_PERCENT) && !growth_words(p));
    if (share && !(has_word(p, W_MORE) || has_word(p, W_LESS))) {
        in->shape = SH_SHARE;
        if (in->nperiods >= 2)
            period_share(in);
        return true;
    }
    return false;
}

/* "revenue by category for Electronics": grouping by a column filtered to
 * one value gives one group; the question is about that value. */
static void single_value_groups(ask_intent *in)
{
    int k = 0;
    for (int g = 0; g < in->ngroup; g++) {
        bool single = false;
        for (int i = 0; i < in->nfilters; i++)
            single |= in->filters[i].dim == in->group[g] && !in->filters[i].negate &&
                      in->filters[i].nvalues == 1;
        if (!single)
            in->group[k++] = in->group[g];
    }
    in->ngroup = k;
}

void decide_shape(const parser *p, ask_intent *in)
{
    /* "how many" with no metric counts orders ("how many returned
     * orders"), or units of a product ("how many laptops did we sell") */
    if (!in->metric_explicit && has_word(p, W_HOW_MANY)) {
        in->metric = product_after(p, find_word(p, W_HOW_MANY)) && p->v->metrics[M_UNITS].available
                         ? M_UNITS
                         : M_ORDERS;
        in->metric_explicit = true;
    }
    ranges_as_spans(p, in);
    single_value_groups(in);
    time_grouping(p, in);
    bool rank = ranking(p, in);
    if (shape_before_growth(p, in, rank)) {
        second_metric(p, in);
        return;
    }
    int cv = compared_values(in);
    bool timed = in->nperiods >= 2 || has_word(p, W_YOY) || has_word(p, W_MOM) ||
                 has_word(p, W_QOQ) || has_word(p, W_WOW) || has_word(p, W_DOD) || in->range_tx;
    bool compare = has_word(p, W_VS) || has_word(p, W_COMPARE);
    if (growth_words(p) &&
        (timed || ((has_word(p, W_GROWTH) || has_word(p, W_CHANGE)) && cv < 0))) {
        in->shape = SH_GROWTH;
        if (in->by_time && in->nperiods < 2) {
            /* "month-over-month growth for each month of 2024" */
            in->growth_series = true;
            in->lag_months = has_word(p, W_YOY) ? 12 : 0;
            if (!in->has_period) {
                in->period = in->anchor_year;
                in->has_period = true;
            }
            in->nperiods = 0;
            return;
        }
        growth_periods(p, in);
        in->difference = (has_word(p, W_INCREASE) || has_word(p, W_DECREASE) ||
                          has_word(p, W_MORE) || has_word(p, W_LESS)) &&
                         !has_word(p, W_GROWTH) && !has_word(p, W_PERCENT);
        in->growth_rank = rank;
        return;
    }
    if (has_word(p, W_HOW_MANY) && has_word(p, W_MORE) && has_token(p, "than") &&
        in->nperiods >= 2) {
        in->shape = SH_GROWTH;
        growth_periods(p, in);
        in->difference = true;
        return;
    }
    if ((compare || in->nperiods >= 2 || cv >= 0) && !rank) {
        if (in->nperiods >= 2) {
            in->shape = SH_COMPARE;
            qsort(in->periods, (size_t)in->nperiods, sizeof in->periods[0], cmp_period);
            return;
        }
        if (cv >= 0) {
            in->shape = SH_COMPARE;
            in->compare_values = true;
            in->compare_filter = cv;
            in->difference = has_word(p, W_CHANGE) || has_word(p, W_BETWEEN);
            return;
        }
    }
    if (rank && (in->ngroup || in->by_time)) {
        in->shape = SH_RANK;
        if (!in->by_time && !in->ngroup)
            in->grain = RIA_TU_MONTH;
    } else if (in->by_time || has_word(p, W_TREND)) {
        in->shape = SH_SERIES;
        if (!in->by_time) {
            in->grain = RIA_TU_MONTH;
            in->by_time = true;
        }
    } else {
        in->shape = in->ngroup ? SH_BREAKDOWN : SH_FIGURE;
    }
    second_metric(p, in);
}
