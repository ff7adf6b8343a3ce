/*
 * followup.c — questions that continue the previous one in a session:
 * "and in Texas?", "what about 2023?", "by channel", "only Store",
 * "compare with H2", "and the lowest?".
 *
 * A question is a follow-up when it starts with a continuation cue, or
 * names no metric and says little (two meaningful items at most: "by
 * channel", "Texas?").  The merge starts from the previous interpretation
 * and lets what the new question names replace the slot of the same kind.
 */
#include "parse_items.h"

#include <stdlib.h>
#include <string.h>

static const item *first_meaningful(const parser *p)
{
    for (int i = 0; i < p->n; i++) {
        const item *it = &p->it[i];
        if (!(it->kind == IT_LEX && it->e->kind == LX_FILLER))
            return it;
    }
    return NULL;
}

static int meaningful_items(const parser *p)
{
    int n = 0;
    for (int i = 0; i < p->n; i++)
        n += !(p->it[i].kind == IT_LEX && p->it[i].e->kind == LX_FILLER);
    return n;
}

bool is_follow_up(const parser *p, const ask_intent *in)
{
    const item *f = first_meaningful(p);
    if (!f)
        return false;
    if (is_word(f, W_AND) || is_word(f, W_WHAT_ABOUT) || is_word(f, W_ONLY) ||
        is_word(f, W_BREAK_DOWN) || is_word(f, W_BUT) || is_word(f, W_IN) || is_word(f, W_FOR) ||
        has_word(p, W_WHAT_ABOUT) || has_word(p, W_BREAK_DOWN))
        return true;
    if (in->metric_explicit)
        return false;
    if (is_word(f, W_VS) || is_word(f, W_COMPARE))
        return true;
    return meaningful_items(p) <= 2;
}

static int cmp_period(const void *a, const void *b)
{
    const ask_period *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

static void drop_group(ask_intent *b, int dim)
{
    int k = 0;
    for (int g = 0; g < b->ngroup; g++)
        if (b->group[g] != dim)
            b->group[k++] = b->group[g];
    b->ngroup = k;
}

static void merge_filters(ask_intent *b, const ask_intent *in)
{
    for (int i = 0; i < in->nfilters; i++) {
        const ask_filter *f = &in->filters[i];
        bool replaced = false;
        for (int k = 0; k < b->nfilters; k++)
            if (b->filters[k].dim == f->dim) {
                b->filters[k] = *f;
                replaced = true;
            }
        if (!replaced && b->nfilters < MAX_FILTERS)
            b->filters[b->nfilters++] = *f;
        /* "only Store" after "by channel": one value of a grouped column */
        if (!f->negate && f->nvalues == 1)
            drop_group(b, f->dim);
        if (b->compare_values && b->filters[b->compare_filter].nvalues < 2)
            b->compare_values = false;
    }
}

/* The months between two periods' starts (to keep a growth's lag). */
static int months_between(const ask_period *a, const ask_period *b)
{
    int y1, m1, d1, y2, m2, d2;
    ria_civil_from_days(ria_floor_div(a->start, RIA_SECS_PER_DAY), &y1, &m1, &d1);
    ria_civil_from_days(ria_floor_div(b->start, RIA_SECS_PER_DAY), &y2, &m2, &d2);
    return (y2 - y1) * 12 + (m2 - m1);
}

static void merge_time(const parser *p, ask_intent *b, const ask_intent *in)
{
    bool compare = has_word(p, W_VS) || has_word(p, W_COMPARE);
    if (!in->has_period)
        return;
    if (compare && (b->shape == SH_FIGURE || b->shape == SH_BREAKDOWN)) {
        /* "compare with H2", "compared with the same period last year" */
        ask_period old = b->has_period ? b->period : b->anchor_year;
        b->nperiods = 0;
        b->periods[b->nperiods++] = old;
        for (int k = 0; k < in->nperiods && b->nperiods < MAX_PERIODS; k++)
            if (in->periods[k].start != old.start || in->periods[k].end != old.end)
                b->periods[b->nperiods++] = in->periods[k];
        if (b->nperiods == 1)
            b->periods[b->nperiods++] = in->period;
        qsort(b->periods, (size_t)b->nperiods, sizeof b->periods[0], cmp_period);
        b->shape = SH_COMPARE;
        return;
    }
    if (b->shape == SH_GROWTH && !b->growth_series && in->nperiods < 2 && b->nperiods == 2) {
        /* the same comparison for the new period */
        int lag = months_between(&b->periods[0], &b->periods[1]);
        b->periods[1] = in->period;
        b->periods[0] = lag > 0 ? period_back_months(&in->period, lag) : period_before(&in->period);
    } else if (in->nperiods >= 2 || (b->shape != SH_COMPARE && b->shape != SH_GROWTH)) {
        memcpy(b->periods, in->periods, sizeof b->periods);
        b->nperiods = in->nperiods;
    }
    b->period = in->period;
    b->has_period = true;
}

static void merge_grouping(const parser *p, ask_intent *b, const ask_intent *in)
{
    if (!in->ngroup && !in->by_time)
        return;
    bool add = b->shape == SH_COMPARE || b->shape == SH_GROWTH || has_word(p, W_BREAK_DOWN);
    if (!add) {
        b->ngroup = 0;
        b->by_time = false;
    }
    for (int g = 0; g < in->ngroup && b->ngroup < 2; g++) {
        bool dup = false;
        for (int k = 0; k < b->ngroup; k++)
            dup |= b->group[k] == in->group[g];
        if (!dup)
            b->group[b->ngroup++] = in->group[g];
    }
    if (in->by_time) {
        b->by_time = true;
        b->grain = in->grain;
    }
    if (b->shape == SH_FIGURE || b->shape == SH_BREAKDOWN || b->shape == SH_SERIES)
        b->shape = b->by_time && !b->ngroup ? SH_SERIES : SH_BREAKDOWN;
}

static void merge_ranking(const parser *p, ask_intent *b, const ask_intent *in)
{
    bool rank = has_word(p, W_TOP) || has_word(p, W_BOTTOM) || has_word(p, W_HIGHEST) ||
                has_word(p, W_LOWEST) || has_word(p, W_BEST) || has_word(p, W_WORST);
    if (!rank)
        return;
    bool number = false;
    for (int i = 0; i < p->n; i++)
        number |= p->it[i].kind == IT_NUMBER;
    b->ascending = in->ascending;
    if (number || !b->top_n)
        b->top_n = in->top_n ? in->top_n : 1;
    if ((b->shape == SH_BREAKDOWN || b->shape == SH_SERIES) && (b->ngroup || b->by_time))
        b->shape = SH_RANK;
    if (b->shape == SH_GROWTH)
        b->growth_rank = true;
}

void merge_follow_up(const parser *p, ask_intent *in, const ask_intent *prev, bool had_metric)
{
    ask_intent b = *prev;
    b.anchor = in->anchor;
    if (had_metric) {
        b.metric = in->metric;
        b.metric2 = in->metric2;
        b.extra = in->extra;
        b.metric_explicit = true;
    }
    merge_filters(&b, in);
    merge_time(p, &b, in);
    merge_grouping(p, &b, in);
    merge_ranking(p, &b, in);
    /* a breakdown or ranking whose groups were all narrowed to one value */
    if ((b.shape == SH_BREAKDOWN || b.shape == SH_RANK || b.shape == SH_SHARE) && !b.ngroup &&
        !b.by_time) {
        b.shape = SH_FIGURE;
        b.top_n = 0;
    }
    *in = b;
}
