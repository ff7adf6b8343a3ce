/*
 * examples.c — example questions for a first-time user, drawn from the
 * data: its largest category and state, its channels, its latest complete
 * quarter and year.  Each example is checked to parse before it is
 * offered.  Also the phrases an ask box can suggest (metric words,
 * "by <dimension>", the largest values).
 */
#include "summary.h"

#include "parse.h"
#include "sqlgen.h"

#include <stdlib.h>
#include <string.h>

/* The value of a dimension with the most revenue in the data, or NULL. */
static const char *top_value(const summary_ctx *c, int dim, int rank, char *out, size_t n)
{
    if (dim < 0 || !c->v->metrics[M_REVENUE].available)
        return NULL;
    ria_buf b;
    ria_buf_init(&b, 0);
    ria_buf_printf(&b, "SELECT %s, ", c->v->dims[dim].name);
    metric_sql(c->v, M_REVENUE, NULL, &b);
    ria_buf_printf(&b, " AS v FROM sales WHERE %s IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT %d",
                   c->v->dims[dim].name, rank + 1);
    ria_arena arena;
    ria_arena_init(&arena, 8192);
    ria_sql_error se = {0};
    ria_plan *p = NULL;
    ria_result *res = NULL;
    ria_exec_stats st;
    ria_error err = {0};
    const char *found = NULL;
    if (ria_sql_parse(b.data, &arena, &p, &se) == RIA_OK && ria_plan_bind(p, c->snap, &se) == RIA_OK &&
        ria_execute(c->snap, p, &c->eo, &res, &st, &err) == RIA_OK && res->nrows > (size_t)rank) {
        const ria_value *v = ria_result_at(res, (size_t)rank, 0);
        if (v->type == RIA_V_TEXT && v->n < n) {
            snprintf(out, n, "%.*s", (int)v->n, v->s);
            found = out;
        }
    }
    ria_result_free(res);
    ria_arena_free(&arena);
    ria_buf_free(&b);
    return found;
}

static int dim_of_role(const vocab *v, ria_role role)
{
    for (int d = 0; d < v->ndims; d++)
        if (v->snap->cols[v->dims[d].col].role == role)
            return d;
    return -1;
}

/* The state's name for a code ("CA" -> "California"). */
static const char *state_name(const char *code)
{
    for (int i = 0; i < ria_us_state_count(); i++) {
        const char *c, *name;
        ria_us_state_at(i, &c, &name, NULL);
        if (strcmp(c, code) == 0)
            return name;
    }
    return code;
}

static void offer(const summary_ctx *c, json_t *list, const char *q, int max)
{
    if ((int)json_array_size(list) >= max)
        return;
    ask_parse p;
    if (ask_parse_question(c->v, q, c->anchor, NULL, &p) != RIA_OK || p.verdict != PARSE_OK)
        return;
    metric_id ms[] = {p.intent.metric, p.intent.metric2, p.intent.extra};
    for (size_t i = 0; i < RIA_ARRAY_LEN(ms); i++)
        if (ms[i] != M_NONE && !c->v->metrics[ms[i]].available)
            return;
    json_array_append_new(list, json_string(q));
}

json_t *examples_build(const summary_ctx *c, int max)
{
    json_t *ex = json_array(), *phrases = json_array();
    const vocab *v = c->v;
    char cat[128], state[64], chan1[64], chan2[64], region[64], q[512];
    int dcat = dim_of_role(v, RIA_ROLE_CATEGORY), dstate = dim_of_role(v, RIA_ROLE_STATE);
    int dchan = dim_of_role(v, RIA_ROLE_CHANNEL), dreg = dim_of_role(v, RIA_ROLE_REGION);
    const char *pc = top_value(c, dcat, 0, cat, sizeof cat);
    const char *ps = top_value(c, dstate, 0, state, sizeof state);
    const char *c1 = top_value(c, dchan, 0, chan1, sizeof chan1);
    const char *c2 = top_value(c, dchan, 1, chan2, sizeof chan2);
    const char *pr = top_value(c, dreg, 0, region, sizeof region);
    /* the latest complete quarter and year before the anchor */
    int y, m, d;
    ria_civil_from_days(ria_floor_div(c->anchor, RIA_SECS_PER_DAY), &y, &m, &d);
    int qn = (m - 1) / 3, qy = y;
    if (qn == 0) {
        qn = 4;
        qy--;
    }
    if (pc && ps) {
        snprintf(q, sizeof q, "What were %s sales in %s in Q%d %d?", pc, state_name(ps), qn, qy);
        offer(c, ex, q, max);
    } else if (pc) {
        snprintf(q, sizeof q, "What were %s sales in Q%d %d?", pc, qn, qy);
        offer(c, ex, q, max);
    }
    snprintf(q, sizeof q, "Top 5 %s by revenue in %d", dstate >= 0 ? "states" : "categories", y - 1);
    offer(c, ex, q, max);
    offer(c, ex, "Monthly revenue for the last 12 months", max);
    if (qn > 1)
        snprintf(q, sizeof q, "Compare Q%d vs Q%d %d revenue by category", qn - 1, qn, qy);
    else
        snprintf(q, sizeof q, "Compare Q3 vs Q4 %d revenue by category", qy - 1);
    offer(c, ex, q, max);
    offer(c, ex, "Which categories are trending up but margins trending down?", max);
    if (c1 && c2) {
        snprintf(q, sizeof q, "%s vs %s revenue this year", c1, c2);
        offer(c, ex, q, max);
    }
    offer(c, ex, "How did orders change last quarter compared to the quarter before?", max);
    if (pr) {
        snprintf(q, sizeof q, "What share of revenue came from the %s region last year?", pr);
        offer(c, ex, q, max);
    }
    offer(c, ex, "Gross margin by category this year", max);
    offer(c, ex, "Average order value by channel last month", max);
    offer(c, ex, "YoY revenue growth by region", max);
    /* phrases for an ask box */
    for (int mi = 0; mi < M_COUNT_; mi++)
        if (v->metrics[mi].available) {
            const char *w = metric_words(mi);
            const char *e = strchr(w, '|');
            snprintf(q, sizeof q, "%.*s by ", (int)(e ? e - w : (long)strlen(w)), w);
            for (int di = 0; di < v->ndims && di < 6; di++) {
                char ph[256];
                snprintf(ph, sizeof ph, "%s%s", q, v->dims[di].label);
                json_array_append_new(phrases, json_string(ph));
            }
        }
    return json_pack("{s:o, s:o}", "examples", ex, "phrases", phrases);
}
