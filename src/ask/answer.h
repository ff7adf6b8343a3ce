/*
 * answer.h — private to ask: formatting helpers and the composition of
 * answers from an intent and engine results (answer.c, compose.c).
 */
#ifndef RIA_ASK_ANSWER_H
#define RIA_ASK_ANSWER_H

#include "sqlgen.h"

/* The results of an intent's statements, in ask_sql order. */
typedef struct {
    ria_result *res[ASK_MAX_QUERIES];
    int n;
    ria_exec_stats stats;      /* summed over the statements */
    char views[160];           /* views that answered, comma-separated */
} ask_results;

typedef struct {
    const vocab *v;
    const ask_intent *in;
    const ask_sql *sql;
    const ask_results *r;
    int64_t version;
    const char *currency;      /* "USD", "INR", or NULL */
} compose_ctx;

/* Builds status "answered", text, value, columns, rows, chart and
 * interpretation into a new object. */
json_t *compose_answer(const compose_ctx *c);
/* The interpretation object alone (also given with not-understood answers
 * when a part of the question was understood). */
json_t *interpretation(const compose_ctx *c);

double value_number(const ria_value *v);
void format_number(double x, ria_value_unit unit, const char *currency, char *out, size_t n);
void time_label(int64_t v, ria_vtype type, ria_time_unit grain, char *out, size_t n);
json_t *column(const char *name, const char *type, ria_value_unit unit);
json_t *number_json(double x);
json_t *cell_json(const ria_value *v, ria_time_unit grain);

#endif
