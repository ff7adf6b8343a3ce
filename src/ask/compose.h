/*
 * compose.h — private to ask: the parts the answer composers share
 * (compose_util.c) and the composer of each shape (compose.c,
 * compose_periods.c, compose_trend.c).
 */
#ifndef RIA_ASK_COMPOSE_H
#define RIA_ASK_COMPOSE_H

#include "answer.h"

/* One row of an answer: up to three labels and eight numbers. */
typedef struct {
    json_t *labels[3];   /* group labels (JSON strings or null) */
    int nlabels;
    double v[8];         /* numbers of the row */
    int nv;
} row;

typedef struct {
    row *r;
    int n;
} rows;

/* Reads result rows: the first `nlab` columns are labels. */
rows read_rows(const ria_result *r, int nlab, ria_time_unit grain);
void free_rows(rows *rs);
/* Drops the rows that keep(row) rejects (freeing their labels). */
void filter_rows(rows *rs, bool (*keep)(const row *w, const void *arg), const void *arg);
const char *label_str(const row *w, int k);
/* Compares numbers with missing values last. */
int cmp_num(double a, double b, bool desc);
/* Sorts by number column key (-1: by labels only), ties by labels. */
void sort_rows(rows *rs, int key, bool desc);
json_t *rows_json(const rows *rs, int limit);

json_t *chart(const char *type, const char *x, json_t *y, const char *series);
json_t *answer_obj(const char *text, json_t *value, json_t *cols, json_t *rowsj, json_t *ch);
/* Columns: the time bucket (when with_time) and the group labels. */
json_t *group_columns(const compose_ctx *c, bool with_time);

const char *metric_label_lc(const compose_ctx *c, metric_id m, char *buf, size_t n);
ria_value_unit munit(const compose_ctx *c);
void fmt(const compose_ctx *c, double x, ria_value_unit u, char *out, size_t n);
void pct(double x, char *out, size_t n);
void filter_text(const compose_ctx *c, const ask_filter *f, ria_buf *b);
/* " for Electronics in California, excluding Online" (with the period). */
void context(const compose_ctx *c, int skip_filter, bool with_period, ria_buf *b);
const char *dim_label(const compose_ctx *c, int g);
void plural(const char *word, char *out, size_t n);
const char *grain_name(ria_time_unit u);

json_t *compose_periods(const compose_ctx *c);
json_t *compose_compare_values(const compose_ctx *c);
json_t *compose_growth_series(const compose_ctx *c);
json_t *compose_trend(const compose_ctx *c);

#endif
