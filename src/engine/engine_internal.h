/*
 * engine_internal.h — private to the engine: the table abstraction the
 * executor scans (the base table or a materialized view), vectors, the
 * scalar evaluator used after aggregation, and plan helpers shared by the
 * binder, canonicalizer, executor and view router.
 */
#ifndef RIA_ENGINE_INTERNAL_H
#define RIA_ENGINE_INTERNAL_H

#include "engine.h"

/* ------------------------------------------------------------- the table */

/* One segment of a scannable table. */
typedef struct {
    int snap_index;          /* base table: index in snapshot->segs; views: -1 */
    ria_segment *seg;        /* opened (owned by the snapshot, or by the view set) */
    const uint8_t *dv;       /* deletion bitmap or NULL */
    int partition;
    int64_t min_ts, max_ts;  /* order time range of its rows */
    uint64_t rows;
    uint64_t deleted;
} exec_seg;

/* What the executor scans: a schema (column ids index cols), dictionaries
 * and segments.  The base table and every view look alike. */
typedef struct {
    const char *name;        /* "sales" or the view's name */
    const ria_column *cols;
    int ncols;
    ria_dict *const *dicts;  /* per column, NULL unless dictionary-coded */
    exec_seg *segs;
    int nsegs;
    int time_col;            /* column of the order time, -1 if none */
    ria_time_unit grain;     /* views: time grain of time_col; base: -1 */
    bool is_view;
} exec_table;

/* Builds the base table of a snapshot (segments opened on first use). */
ria_status table_of_snapshot(ria_snapshot *snap, exec_table *out, ria_error *err);
void table_free(exec_table *t);

/* The snapshot a scalar subquery reads: NULL in *out when it is snap (no
 * AS OF of its own, or the same version), else a new snapshot of the
 * version its AS OF names, which the caller frees. */
ria_status exec_subquery_snapshot(const ria_snapshot *snap, const ria_plan *sub,
                                  ria_snapshot **out, ria_error *err);
/* Runs a scalar subquery on the version it reads (see above). */
ria_status exec_subquery(ria_snapshot *snap, ria_plan *sub, const ria_exec_opts *opts,
                         ria_result **out, ria_error *err);

/* ------------------------------------------------------------ expressions */

ria_expr *expr_new(ria_arena *a, ria_xkind kind, uint32_t pos);
ria_expr *expr_copy(ria_arena *a, const ria_expr *e);
ria_expr *expr_lit_int(ria_arena *a, ria_vtype type, int64_t v);
/* Structural equality (bound columns compare by id). */
bool expr_equal(const ria_expr *a, const ria_expr *b);
bool expr_has_agg(const ria_expr *e);
/* A short readable rendering (result column names, explain). */
void expr_name(const ria_expr *e, ria_buf *out);
/* Calls fn on every node (pre-order); stops descending into subqueries. */
void expr_walk(ria_expr *e, void (*fn)(ria_expr *e, void *arg), void *arg);
/* Whether e is a bound reference to column col. */
static inline bool expr_is_col(const ria_expr *e, int col)
{
    return e && e->kind == RIA_X_COLUMN && e->col == col;
}

/* The numeric supertype of two types (INT < DEC < DOUBLE), or NULL type. */
ria_vtype type_unify(ria_vtype a, ria_vtype b);
bool type_is_numeric(ria_vtype t);
bool type_is_time(ria_vtype t);

/* -------------------------------------------------------- scalar evaluation */

/* A row after aggregation: group key values and aggregate results, looked
 * up by structural match of the plan's expressions. */
typedef struct {
    ria_expr **keys;        /* group expressions */
    const ria_value *key_vals;
    int nkeys;
    ria_expr **aggs;        /* aggregate expressions */
    const ria_value *agg_vals;
    int naggs;
    bool *overflow;         /* set when a value left the 128-bit range (may be NULL) */
} scalar_row;

/* Evaluates an expression over one row (aggregates and group keys come from
 * the row; column references must be group keys).  Text results point into
 * the row's values, the expression's literals, or `a`.  Integer results
 * beyond 64 bits are wide; one beyond 128 bits sets *row->overflow (and is
 * NULL): the caller must fail the query then. */
ria_value scalar_eval(const ria_expr *e, const scalar_row *row, ria_arena *a);
/* SQL comparison of two non-null values of comparable types: <0, 0, >0. */
int value_cmp(const ria_value *a, const ria_value *b);
bool value_truthy(const ria_value *v); /* TRUE (not NULL, not false) */
/* SQL LIKE ('%' any run, '_' one byte), case-sensitive. */
bool value_like(const ria_value *v, const ria_value *pat);
/* Converts to the given type (BOOL/INT/DEC/DOUBLE/DATE/TS/TEXT); a result
 * beyond 128 bits sets *overflow (when not NULL) and is NULL. */
ria_value value_cast(const ria_value *v, ria_vtype to, ria_arena *a, bool *overflow);
ria_value value_null(ria_vtype t);

/* Date helpers shared by the vector and scalar evaluators. */
int64_t date_part(ria_func f, ria_vtype t, int64_t v);
int64_t date_trunc(ria_time_unit u, ria_vtype t, int64_t v);

/* Parses text as a DATE or TIMESTAMP literal (ISO layouts). */
bool parse_time_literal(const char *s, size_t n, ria_vtype want, int64_t *out);

#endif
