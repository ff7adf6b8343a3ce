/*
 * compose_util.c — helpers shared by the answer composers (compose*.c):
 * result rows read into numbers and labels, sorting, JSON tables, chart
 * specs, and the wording of metrics, filters and figures.
 */
#include "compose.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>



const char *metric_label_lc(const compose_ctx *c, metric_id m, char *buf, size_t n)
{
    snprintf(buf, n, "%s", c->v->metrics[m].label);
    if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
        buf[0] = (char)(buf[0] + 32);
    return buf;
}

ria_value_unit munit(const compose_ctx *c)
{
    return c->v->metrics[c->in->metric].unit;
}

void fmt(const compose_ctx *c, double x, ria_value_unit u, char *out, size_t n)
{
    format_number(x, u, c->currency, out, n);
}

void pct(double x, char *out, size_t n)
{
    if (isnan(x) || isinf(x))
        snprintf(out, n, "n/a");
    else
        snprintf(out, n, "%s%.1f%%", x > 0 ? "+" : "", x * 100);
}

/* A filter value as people say it: state codes by their names. */
static const char *value_display(const compose_ctx *c, const ask_filter *f, int k)
{
    if (c->v->dims[f->dim].col == c->v->col_state)
        for (int i = 0; i < ria_us_state_count(); i++) {
            const char *code, *name;
            ria_us_state_at(i, &code, &name, NULL);
            if (strcmp(code, f->values[k]) == 0)
                return name;
        }
    return f->values[k];
}

void filter_text(const compose_ctx *c, const ask_filter *f, ria_buf *b)
{
    if (strncmp(f->label, "the ", 4) == 0) {
        ria_buf_puts(b, f->label);
        return;
    }
    for (int k = 0; k < f->nvalues; k++) {
        if (k)
            ria_buf_puts(b, k + 1 == f->nvalues ? (f->negate ? " and " : " and ") : ", ");
        ria_buf_puts(b, value_display(c, f, k));
    }
}

/* " for Electronics in California, excluding Online" */
void context(const compose_ctx *c, int skip_filter, bool with_period, ria_buf *b)
{
    int n = 0;
    for (int i = 0; i < c->in->nfilters; i++) {
        const ask_filter *f = &c->in->filters[i];
        if (i == skip_filter || f->negate)
            continue;
        ria_buf_puts(b, n++ ? ", " : " for ");
        filter_text(c, f, b);
    }
    for (int i = 0; i < c->in->nfilters; i++) {
        const ask_filter *f = &c->in->filters[i];
        if (i == skip_filter || !f->negate)
            continue;
        ria_buf_puts(b, " excluding ");
        filter_text(c, f, b);
    }
    if (with_period && c->in->has_period)
        ria_buf_printf(b, " in %s", c->in->period.label);
}

const char *dim_label(const compose_ctx *c, int g)
{
    return c->v->dims[c->in->group[g]].label;
}

void plural(const char *word, char *out, size_t n)
{
    size_t l = strlen(word);
    if (l && word[l - 1] == 'y' && l > 1 && !strchr("aeiou", word[l - 2]))
        snprintf(out, n, "%.*sies", (int)(l - 1), word);
    else if (l && (word[l - 1] == 's' || word[l - 1] == 'x'))
        snprintf(out, n, "%ses", word);
    else
        snprintf(out, n, "%ss", word);
}

/* Reads result rows: the first `nlab` columns are labels. */
rows read_rows(const ria_result *r, int nlab, ria_time_unit grain)
{
    rows out = {calloc(r->nrows + 1, sizeof(row)), 0};
    if (!out.r)
        return out;
    for (size_t i = 0; i < r->nrows; i++) {
        row *w = &out.r[out.n++];
        w->nlabels = nlab;
        for (int k = 0; k < nlab && k < 3; k++)
            w->labels[k] = cell_json(ria_result_at(r, i, k), grain);
        for (int k = nlab; k < r->ncols && w->nv < 8; k++)
            w->v[w->nv++] = value_number(ria_result_at(r, i, k));
    }
    return out;
}

void free_rows(rows *rs)
{
    for (int i = 0; rs->r && i < rs->n; i++)
        for (int k = 0; k < rs->r[i].nlabels; k++)
            json_decref(rs->r[i].labels[k]);
    free(rs->r);
    rs->r = NULL;
    rs->n = 0;
}

const char *label_str(const row *w, int k)
{
    const char *s = json_string_value(w->labels[k]);
    return s ? s : "(none)";
}

typedef struct {
    int key;         /* number column to sort by, -1 = labels */
    bool desc;
} sort_spec;

int cmp_num(double a, double b, bool desc)
{
    bool na = isnan(a), nb = isnan(b);
    if (na || nb)
        return na == nb ? 0 : na ? 1 : -1; /* missing values last */
    return desc ? (a < b) - (a > b) : (a > b) - (a < b);
}

static int cmp_row(const void *x, const void *y, void *arg)
{
    const sort_spec *s = arg;
    const row *a = x, *b = y;
    if (s->key >= 0) {
        int c = cmp_num(a->v[s->key], b->v[s->key], s->desc);
        if (c)
            return c;
    }
    for (int k = 0; k < a->nlabels; k++) {
        int c = strcmp(label_str(a, k), label_str(b, k));
        if (c)
            return c;
    }
    return 0;
}

void sort_rows(rows *rs, int key, bool desc)
{
    sort_spec s = {key, desc};
    qsort_r(rs->r, (size_t)rs->n, sizeof(row), cmp_row, &s);
}

json_t *rows_json(const rows *rs, int limit)
{
    json_t *a = json_array();
    for (int i = 0; i < rs->n && (limit <= 0 || i < limit); i++) {
        json_t *r = json_array();
        for (int k = 0; k < rs->r[i].nlabels; k++)
            json_array_append(r, rs->r[i].labels[k]);
        for (int k = 0; k < rs->r[i].nv; k++)
            json_array_append_new(r, number_json(rs->r[i].v[k]));
        json_array_append_new(a, r);
    }
    return a;
}

json_t *chart(const char *type, const char *x, json_t *y, const char *series)
{
    json_t *c = json_pack("{s:s}", "type", type);
    if (x)
        json_object_set_new(c, "x", json_string(x));
    if (y)
        json_object_set_new(c, "y", y);
    if (series)
        json_object_set_new(c, "series", json_string(series));
    return c;
}

json_t *answer_obj(const char *text, json_t *value, json_t *cols, json_t *rowsj, json_t *ch)
{
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "status", "answered", "text", text,
                     "value", value ? value : json_null(), "columns", cols, "rows", rowsj,
                     "chart", ch);
}

const char *grain_name(ria_time_unit u)
{
    static const char *const n[] = {"hour", "day", "week", "month", "quarter", "year"};
    return (unsigned)u < RIA_ARRAY_LEN(n) ? n[u] : "month";
}


/* Columns: the group labels then the given number columns. */
json_t *group_columns(const compose_ctx *c, bool with_time)
{
    json_t *cols = json_array();
    if (with_time && c->in->by_time)
        json_array_append_new(cols, column(grain_name(c->in->grain), "label", RIA_UNIT_NONE));
    for (int g = 0; g < c->in->ngroup; g++)
        json_array_append_new(cols, column(c->v->dims[c->in->group[g]].name, "label", RIA_UNIT_NONE));
    return cols;
}


void filter_rows(rows *rs, bool (*keep)(const row *w, const void *arg), const void *arg)
{
    int k = 0;
    for (int i = 0; i < rs->n; i++) {
        if (keep(&rs->r[i], arg)) {
            rs->r[k++] = rs->r[i];
            continue;
        }
        for (int l = 0; l < rs->r[i].nlabels; l++)
            json_decref(rs->r[i].labels[l]);
    }
    rs->n = k;
}
