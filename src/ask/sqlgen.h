/*
 * sqlgen.h — private to ask: an intent as SQL statements in the engine's
 * dialect (see sqlgen.c).
 */
#ifndef RIA_ASK_SQLGEN_H
#define RIA_ASK_SQLGEN_H

#include "vocab.h"

/* What each statement of a plan contributes to the answer. */
typedef enum {
    Q_MAIN,       /* the answer's rows */
    Q_TOTAL,      /* the whole a share divides by */
    Q_PART,       /* the part of a part/whole share */
} ask_query_role;

#define ASK_MAX_QUERIES 4

typedef struct {
    char *sql[ASK_MAX_QUERIES];   /* malloc'd */
    ask_query_role role[ASK_MAX_QUERIES];
    int n;
} ask_sql;

ria_status ask_build_sql(const vocab *v, const ask_intent *in, ask_sql *out);
void ask_sql_free(ask_sql *q);
/* The metric's aggregate expression; rows restricted to cond when given. */
void metric_sql(const vocab *v, metric_id m, const char *cond, ria_buf *out);
/* Where a growth series' query starts: one bucket (or lag_months) before
 * the bucket holding the period's start. */
int64_t growth_series_start(const ask_intent *in);
/* The last 12 complete months before the anchor (the default trend span). */
ask_period trend_span(int64_t anchor);

#endif
