/*
 * views.h — private to the engine: the materialized-view router (views.c).
 * ria_execute and ria_explain ask it first; when a view covers the plan it
 * hands back the view as an exec_table and the plan rewritten against it.
 *
 * Ownership: a view_route owns its arena (the rewritten plan, the view's
 * schema) and the view segments it opened; view_route_free releases them.
 * The snapshot must outlive the route (dictionaries are borrowed from it).
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
    ria_segment **open;      /* segments opened for table */
    int nopen;
} view_route;

/* Looks for the smallest view (by rows within the plan's time range) that
 * covers the bound plan p.  Never fails for want of a view: out->chosen
 * says whether one was found and out->detail why not.  Errors are real
 * failures (a view segment that cannot be opened, memory). */
ria_status view_route_plan(ria_snapshot *snap, const ria_plan *p, const ria_exec_opts *opts,
                           view_route *out, ria_error *err);
/* Gives a result computed through the route the column names, types and
 * units the base table would have given (the rewritten expressions differ). */
void view_route_result(const view_route *r, const ria_snapshot *snap, ria_result *res);
/* One "view: ..." line for explain. */
void view_route_explain(const view_route *r, ria_buf *out);
void view_route_free(view_route *r);

/* The executor entry point (exec.c). */
ria_status exec_table_plan(ria_snapshot *snap, exec_table *t, const ria_plan *plan,
                           const ria_exec_opts *opts, ria_result **out, ria_exec_stats *stats,
                           ria_error *err);

#endif
