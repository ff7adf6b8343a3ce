/*
 * views.h — private to the engine: the materialized-view router (views.c).
 * ria_execute and ria_explain ask it first; when a view covers the plan it
 * hands back the view as an exec_table and the plan rewritten against it.
 *
 * Ownership: a view_route owns its arena (the rewritten plan, the view's
 * schema) and a reference to each view segment it uses (opened segments are
 * shared through a process-wide cache; rollup files are immutable);
 * view_route_free releases them.  The snapshot must outlive the route
 * (dictionaries are borrowed from it).
 */
#ifndef RIA_ENGINE_VIEWS_H
#define RIA_ENGINE_VIEWS_H

#include "engine_internal.h"

typedef struct {
    bool chosen;             /* a view answers the plan */
    char name[64];           /* the view chosen */
    char detail[1024];       /* chosen: grain, dims and rows read; else why none covers */
    exec_table table;        /* chosen: the view as a table */
    const ria_plan *input;   /* the plan to run: the caller's, or a copy with the values
                              * of its scalar subqueries in place (run once, here) */
    ria_plan *plan;          /* chosen: input rewritten against table */
    ria_arena arena;         /* owns plan and the view's schema */
    ria_segment **open;      /* segments of table, each referenced once */
    int nopen;
} view_route;

/* Looks for the smallest view (by rows within the plan's time range) that
 * covers the bound plan p.  Never fails for want of a view: out->chosen
 * says whether one was found and out->detail why not (a view whose files
 * cannot be read leaves the plan to the base table, with a warning).
 * Errors are real failures: a scalar subquery that fails, memory. */
ria_status view_route_plan(ria_snapshot *snap, const ria_plan *p, const ria_exec_opts *opts,
                           view_route *out, ria_error *err);
/* Gives a result computed through the route the column types and units
 * the base table would have given (the rewritten expressions differ);
 * ria_execute names the columns (exec_name_columns) on both paths. */
void view_route_result(const view_route *r, const ria_snapshot *snap, ria_result *res);
/* Names result columns after the plan's select items: the alias, else the
 * expression's text (a scalar subquery by its SQL). */
void exec_name_columns(const ria_plan *p, ria_result *r);
/* One "view: ..." line for explain. */
void view_route_explain(const view_route *r, ria_buf *out);
void view_route_free(view_route *r);

/* ------------------------------------------------ what the router knows */

#define VIEW_DIMS_MAX 16
#define VIEW_MEASURES_MAX 32
/* The rollup layout this router reads (store/views.h). */
#define VIEW_LAYOUT_READ 2

/* Time grains as levels; a view of level L serves expressions of the order
 * time that need a level >= L. */
enum { LV_HOUR, LV_DAY, LV_MONTH, LV_YEAR };
const char *view_level_name(int level);

typedef struct {
    const char *name;
    int a, b;               /* column a, or a - b */
    ria_vtype type;
} vmeasure_info;

/* A view of the snapshot, from its manifest entry. */
typedef struct {
    const char *name;
    int level;
    int ndims;
    int dims[VIEW_DIMS_MAX]; /* base column ids */
    int nm;
    vmeasure_info m[VIEW_MEASURES_MAX];
    void *segs;             /* json_t *: the manifest's segment entries (borrowed) */
    ria_column *cols;       /* the view's schema: ids as in store/views.h */
    int ncols;
} vinfo;

/* Column ids inside a view: the bucket, the dimensions, rows, then the sum
 * and count of each measure. */
#define VCOL_TIME 0
static inline int vcol_rows(const vinfo *v)
{
    return 1 + v->ndims;
}
static inline int vcol_sum(const vinfo *v, int m)
{
    return 2 + v->ndims + 2 * m;
}
static inline int vcol_cnt(const vinfo *v, int m)
{
    return 3 + v->ndims + 2 * m;
}

/* The comparison with its operands swapped (a < b is b > a). */
static inline ria_op view_flip(ria_op op)
{
    return op == RIA_OP_LT ? RIA_OP_GT : op == RIA_OP_LE ? RIA_OP_GE : op == RIA_OP_GT ? RIA_OP_LT
           : op == RIA_OP_GE ? RIA_OP_LE : op;
}

/* Whether p aggregates (only such plans can be answered from rollups). */
bool view_plan_grouped(const ria_plan *p);
/* p rewritten against view v (view_rewrite.c), allocated in a; NULL when
 * v does not cover p, with the reason in why.  tcol is the base order time
 * column; max_rows bounds the base rows behind one view row. */
ria_plan *view_rewrite(const vinfo *v, int tcol, uint64_t max_rows, const ria_plan *p,
                       ria_arena *a, char *why, size_t whysz);

/* The executor entry point (exec.c). */
ria_status exec_table_plan(ria_snapshot *snap, exec_table *t, const ria_plan *plan,
                           const ria_exec_opts *opts, ria_result **out, ria_exec_stats *stats,
                           ria_error *err);

#endif
