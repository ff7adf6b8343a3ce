/*
 * summary.h — private to ask: the summarization mode (summary.c), a short
 * written report of sales performance for a period whose every figure is
 * computed by SQL on one snapshot.
 */
#ifndef RIA_ASK_SUMMARY_H
#define RIA_ASK_SUMMARY_H

#include "vocab.h"

typedef struct {
    const vocab *v;
    ria_snapshot *snap;
    ria_exec_opts eo;
    int64_t anchor;            /* "today" (seconds) */
    int64_t version;
    const char *currency;      /* for money formatting (NULL = dollars) */
} summary_ctx;

/* Builds the report for `period` (a time expression such as "2024",
 * "last month", "Q3 2024"; "" = the last complete month and the year to
 * date).  A period that cannot be read is an answer with status
 * "not_understood"; only engine failures return an error. */
ria_status summary_build(const summary_ctx *c, const char *period, json_t **out, ria_error *err);

/* {"examples": [up to max questions drawn from the data, each one that
 * parses], "phrases": [metric-by-dimension phrases for suggestions]}. */
json_t *examples_build(const summary_ctx *c, int max);

#endif
