/*
 * views.c — the materialized-view router: answers a plan from the smallest
 * view that covers it, or says why none does.
 *
 * A view is a rollup of the live rows by (time bucket, dimensions) with row
 * counts and per-measure sums and non-null counts (layout: store/views.h;
 * the manifest lists each view's definition and segments).  A view covers a
 * plan (view_rewrite.c) when
 *   - every row-level expression (WHERE, GROUP BY, CASE conditions, the
 *     arguments of MIN/MAX and COUNT(DISTINCT)) is constant within a view
 *     row: it reads only the view's dimensions and uses the order time only
 *     through date parts, date_trunc or CAST AS DATE no finer than the
 *     grain, or in comparisons with literals on the grain's boundaries
 *     (t >= L and t < L need L aligned; t > L, t <= L and BETWEEN's upper
 *     end need L + 1 second aligned; t = L never holds for a whole bucket);
 *   - every aggregate re-aggregates exactly: sum(m) -> sum(sum_m),
 *     count(*) -> sum(rows), count(m) -> sum(cnt_m), avg(m) ->
 *     sum(sum_m) / sum(cnt_m), the same through CASE WHEN <covered> THEN m
 *     ... (branches of measures, literals or NULL), and COUNT(DISTINCT),
 *     MIN and MAX of covered expressions over the view rows themselves.
 *     COUNT(DISTINCT order_id), MIN/MAX of a measure and anything reading a
 *     column that is not a dimension need the base table.
 * Sums of sums are exact (int128), averages divide the same totals as the
 * base table does, and counts over no rows stay 0 (COALESCE), so results are
 * identical to the base table's.  Scalar subqueries (shares of a total) run
 * first, each routed on its own, and their values take their place.
 *
 * Of the views that cover a plan the one with the fewest rows within the
 * plan's time range answers; its segments in that range become an
 * exec_table the executor scans like the base table.
 *
 * Ownership: see views.h.  Opened rollup segments are shared between
 * queries through a small process-wide cache (immutable files); nothing
 * else outlives a route.
 */
#include "views.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_VIEWS 64

static const char *const level_names[] = {"hour", "day", "month", "year"};

const char *view_level_name(int level)
{
    return level >= 0 && level < 4 ? level_names[level] : "?";
}

/* ------------------------------------------------------ the manifest */

static ria_vtype vtype_of(ria_type t)
{
    return t == RIA_T_INT ? RIA_V_INT : t == RIA_T_DECIMAL ? RIA_V_DEC : RIA_V_NULL;
}

static void set_col(ria_column *c, int id, const char *name, ria_role role, ria_type type,
                    ria_kind kind)
{
    c->id = (uint32_t)id;
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->label, sizeof c->label, "%s", name);
    c->role = role;
    c->type = type;
    c->kind = kind;
}

/* The view's schema: bucket, dimensions, rows, then the measure stats. */
static bool build_schema(vinfo *v, const ria_snapshot *snap, int tcol, ria_arena *a)
{
    v->ncols = 2 + v->ndims + 2 * v->nm;
    v->cols = ria_arena_alloc(a, (size_t)v->ncols * sizeof *v->cols);
    if (!v->cols)
        return false;
    const ria_column *t = &snap->cols[tcol];
    set_col(&v->cols[VCOL_TIME], VCOL_TIME, t->name, t->role, t->type, RIA_KIND_I64);
    for (int k = 0; k < v->ndims; k++) {
        const ria_column *d = &snap->cols[v->dims[k]];
        set_col(&v->cols[1 + k], 1 + k, d->name, d->role, d->type, RIA_KIND_CODE);
    }
    set_col(&v->cols[vcol_rows(v)], vcol_rows(v), "rows", RIA_ROLE_NONE, RIA_T_INT,
            RIA_KIND_I64);
    for (int m = 0; m < v->nm; m++) {
        ria_type mt = v->m[m].type == RIA_V_INT ? RIA_T_INT : RIA_T_DECIMAL;
        ria_role role = v->m[m].b < 0 ? snap->cols[v->m[m].a].role : RIA_ROLE_NONE;
        char name[80];
        snprintf(name, sizeof name, "sum_%s", v->m[m].name);
        set_col(&v->cols[vcol_sum(v, m)], vcol_sum(v, m), name, role, mt, RIA_KIND_I64);
        snprintf(name, sizeof name, "cnt_%s", v->m[m].name);
        set_col(&v->cols[vcol_cnt(v, m)], vcol_cnt(v, m), name, RIA_ROLE_NONE, RIA_T_INT,
                RIA_KIND_I64);
    }
    return true;
}

static bool valid_col(const ria_snapshot *snap, json_int_t id)
{
    return id >= 0 && id < snap->ncols;
}

/* Reads one manifest entry; false when it is unusable here. */
static bool parse_view(json_t *e, const ria_snapshot *snap, int tcol, vinfo *v, ria_arena *a)
{
    memset(v, 0, sizeof *v);
    json_t *ids = json_object_get(e, "dim_ids"), *ms = json_object_get(e, "measures"), *x;
    const char *grain = json_string_value(json_object_get(e, "grain"));
    v->name = json_string_value(json_object_get(e, "name"));
    v->segs = json_object_get(e, "segments");
    v->level = -1;
    for (int l = 0; grain && l < 4; l++)
        if (strcmp(grain, level_names[l]) == 0)
            v->level = l;
    if (!v->name || v->level < 0 || !json_is_true(json_object_get(e, "usable")) ||
        json_integer_value(json_object_get(e, "layout")) != VIEW_LAYOUT_READ ||
        json_integer_value(json_object_get(e, "time_col")) != tcol ||
        !json_is_array(json_object_get(e, "segments")) ||
        json_array_size(ids) > VIEW_DIMS_MAX || json_array_size(ms) > VIEW_MEASURES_MAX)
        return false;
    size_t i;
    json_array_foreach(ids, i, x)
    {
        json_int_t id = json_integer_value(x);
        if (!json_is_integer(x) || !valid_col(snap, id) || snap->cols[id].kind != RIA_KIND_CODE)
            return false;
        v->dims[v->ndims++] = (int)id;
    }
    json_array_foreach(ms, i, x)
    {
        vmeasure_info *m = &v->m[v->nm++];
        json_int_t ca = json_integer_value(json_object_get(x, "a"));
        json_int_t cb = json_integer_value(json_object_get(x, "b"));
        m->name = json_string_value(json_object_get(x, "name"));
        if (!m->name || !valid_col(snap, ca) || (cb >= 0 && !valid_col(snap, cb)))
            return false;
        m->a = (int)ca;
        m->b = cb >= 0 ? (int)cb : -1;
        m->type = vtype_of(snap->cols[ca].type);
        if (m->type == RIA_V_NULL || (m->b >= 0 && vtype_of(snap->cols[cb].type) != m->type))
            return false;
    }
    return build_schema(v, snap, tcol, a);
}

/* ------------------------------------------------------------ choosing */

/* Narrows [lo, hi] by the top-level conjuncts of e on the order time: a
 * conservative window (a bound's own bucket is kept) used to size views and
 * to pick the segments to open. */
static void time_range(const ria_expr *e, int tcol, int64_t *lo, int64_t *hi)
{
    if (!e)
        return;
    if (e->kind == RIA_X_BINARY && e->op == RIA_OP_AND) {
        time_range(e->args[0], tcol, lo, hi);
        time_range(e->args[1], tcol, lo, hi);
        return;
    }
    if (e->kind == RIA_X_BETWEEN && !e->negated && expr_is_col(e->args[0], tcol) &&
        e->args[1]->kind == RIA_X_LITERAL && e->args[2]->kind == RIA_X_LITERAL &&
        !e->args[1]->lit.is_null && !e->args[2]->lit.is_null) {
        *lo = RIA_MAX(*lo, e->args[1]->lit.i);
        *hi = RIA_MIN(*hi, e->args[2]->lit.i);
        return;
    }
    if (e->kind != RIA_X_BINARY || e->op < RIA_OP_EQ || e->op > RIA_OP_GE || e->op == RIA_OP_NE)
        return;
    bool left = expr_is_col(e->args[0], tcol);
    const ria_expr *l = e->args[left ? 1 : 0];
    if ((!left && !expr_is_col(e->args[1], tcol)) || l->kind != RIA_X_LITERAL || l->lit.is_null)
        return;
    ria_op op = left ? e->op : view_flip(e->op);
    int64_t v = l->lit.i;
    if (op == RIA_OP_GE || op == RIA_OP_GT || op == RIA_OP_EQ)
        *lo = RIA_MAX(*lo, v);
    if (op == RIA_OP_LT || op == RIA_OP_LE || op == RIA_OP_EQ)
        *hi = RIA_MIN(*hi, v);
}

/* Whether a manifest segment holds buckets in [lo, hi]. */
static bool seg_in_range(json_t *s, int64_t lo, int64_t hi)
{
    const char *path = json_string_value(json_object_get(s, "path"));
    json_int_t rows = json_integer_value(json_object_get(s, "rows"));
    json_int_t mn = json_integer_value(json_object_get(s, "min_ts"));
    json_int_t mx = json_integer_value(json_object_get(s, "max_ts"));
    return path && *path && rows > 0 && mx >= lo && mn <= hi;
}

static uint64_t rows_in_range(const vinfo *v, int64_t lo, int64_t hi)
{
    uint64_t n = 0;
    json_t *s;
    size_t i;
    json_array_foreach(v->segs, i, s)
        if (seg_in_range(s, lo, hi))
            n += (uint64_t)json_integer_value(json_object_get(s, "rows"));
    return n;
}

/* ------------------------------------------------------ open segments */

/* Rollup files are immutable and uniquely named, so one opened segment can
 * serve every later query of the process: a small cache keyed by path,
 * checked against the file's identity (device, inode, size, mtime) at each
 * use, with reference counts so that an entry in use is never closed. */
#define CACHE_MAX 512

typedef struct {
    uint64_t hash;
    char *path;
    ria_segment *seg;
    dev_t dev;
    ino_t ino;
    off_t size;
    int64_t mtime_ns;
    int refs;
    uint64_t used;      /* clock of the last use, for eviction */
} centry;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static centry cache[CACHE_MAX];
static int ncache;
static uint64_t cache_clock;

static int64_t mtime_of(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static void cache_drop(int i)
{
    ria_segment_close(cache[i].seg);
    free(cache[i].path);
    cache[i] = cache[--ncache];
}

/* Caches seg (opened from path, with identity st) unless the cache is full
 * of entries in use; false when it was not cached. */
static bool cache_put(const char *path, uint64_t h, const struct stat *st, ria_segment *seg)
{
    if (ncache == CACHE_MAX) {
        int victim = -1;
        for (int i = 0; i < ncache; i++)
            if (!cache[i].refs && (victim < 0 || cache[i].used < cache[victim].used))
                victim = i;
        if (victim < 0)
            return false;
        cache_drop(victim);
    }
    char *copy = strdup(path);
    if (!copy)
        return false;
    cache[ncache++] = (centry){h, copy, seg, st->st_dev, st->st_ino, st->st_size, mtime_of(st),
                               1, ++cache_clock};
    return true;
}

/* The opened segment at path, shared; give it back with seg_release. */
static ria_status seg_acquire(const char *path, ria_segment **out, ria_error *err)
{
    struct stat st;
    bool known = stat(path, &st) == 0;
    uint64_t h = ria_hash64(path, strlen(path));
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; known && i < ncache; i++) {
        centry *c = &cache[i];
        if (c->hash != h || strcmp(c->path, path) != 0)
            continue;
        if (c->dev == st.st_dev && c->ino == st.st_ino && c->size == st.st_size &&
            c->mtime_ns == mtime_of(&st)) {
            c->refs++;
            c->used = ++cache_clock;
            *out = c->seg;
            pthread_mutex_unlock(&cache_lock);
            return RIA_OK;
        }
        if (!c->refs)
            cache_drop(i); /* another file now has that name */
        break;
    }
    pthread_mutex_unlock(&cache_lock);
    ria_status rc = ria_segment_open(path, out, err);
    if (rc != RIA_OK || !known)
        return rc;
    pthread_mutex_lock(&cache_lock);
    bool cached = cache_put(path, h, &st, *out);
    pthread_mutex_unlock(&cache_lock);
    (void)cached; /* an uncached segment is closed by seg_release */
    return RIA_OK;
}

static void seg_release(ria_segment *seg)
{
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < ncache; i++)
        if (cache[i].seg == seg) {
            cache[i].refs--;
            pthread_mutex_unlock(&cache_lock);
            return;
        }
    pthread_mutex_unlock(&cache_lock);
    ria_segment_close(seg);
}

/* Opens the view's segments within the range as the route's table. */
static ria_status open_table(view_route *r, ria_snapshot *snap, const vinfo *v, int64_t lo,
                             int64_t hi, ria_error *err)
{
    exec_table *t = &r->table;
    size_t n = json_array_size(v->segs);
    t->segs = ria_arena_alloc(&r->arena, (n + 1) * sizeof *t->segs);
    r->open = calloc(n + 1, sizeof *r->open);
    ria_dict **dicts = ria_arena_alloc(&r->arena, (size_t)v->ncols * sizeof *dicts);
    if (!t->segs || !r->open || !dicts)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    for (int k = 0; k < v->ndims; k++)
        dicts[1 + k] = snap->dicts[v->dims[k]];
    t->name = ria_arena_strdup(&r->arena, v->name);
    t->cols = v->cols;
    t->ncols = v->ncols;
    t->dicts = dicts;
    t->time_col = VCOL_TIME;
    t->grain = v->level == LV_HOUR ? RIA_TU_HOUR : v->level == LV_DAY ? RIA_TU_DAY
               : v->level == LV_MONTH ? RIA_TU_MONTH : RIA_TU_YEAR;
    t->is_view = true;
    json_t *s;
    size_t i;
    json_array_foreach(v->segs, i, s)
    {
        if (!seg_in_range(s, lo, hi))
            continue;
        char path[4400];
        ria_segment *seg = NULL;
        ria_status rc = ria_store_file(snap->store, json_string_value(json_object_get(s, "path")),
                                       path, sizeof path, err);
        if (rc == RIA_OK)
            rc = seg_acquire(path, &seg, err);
        if (rc != RIA_OK) {
            ria_error_prefix(err, "view %s", v->name);
            return rc;
        }
        int part = 0, y = 0, m = 0;
        const char *pn = json_string_value(json_object_get(s, "partition"));
        if (pn && sscanf(pn, "%4d-%2d", &y, &m) == 2)
            part = y * 12 + m - 1;
        r->open[r->nopen++] = seg;
        t->segs[t->nsegs++] = (exec_seg){-1, seg, NULL, part,
                                         json_integer_value(json_object_get(s, "min_ts")),
                                         json_integer_value(json_object_get(s, "max_ts")),
                                         ria_segment_rows(seg), 0};
    }
    return RIA_OK;
}

static void describe(view_route *r, const vinfo *v, uint64_t rows)
{
    size_t k = (size_t)snprintf(r->detail, sizeof r->detail, "%s (%s x ", v->name,
                                level_names[v->level]);
    for (int d = 0; d < v->ndims && k < sizeof r->detail; d++)
        k += (size_t)snprintf(r->detail + k, sizeof r->detail - k, "%s%s", d ? ", " : "",
                              v->cols[1 + d].name);
    if (k < sizeof r->detail)
        snprintf(r->detail + k, sizeof r->detail - k, "; %llu rows in range)",
                 (unsigned long long)rows);
}

/* ---------------------------------------------------------- subqueries */

/* Runs the scalar subqueries of e (each routed on its own) and puts their
 * values in place, as the executor does before it names result columns. */
static ria_status inline_subqueries(ria_snapshot *snap, ria_expr *e, const ria_exec_opts *opts,
                                    ria_arena *a, ria_error *err)
{
    if (!e)
        return RIA_OK;
    if (e->kind != RIA_X_SUBQUERY) {
        for (int i = 0; i < e->nargs; i++) {
            ria_status rc = inline_subqueries(snap, e->args[i], opts, a, err);
            if (rc != RIA_OK)
                return rc;
        }
        return RIA_OK;
    }
    ria_result *res = NULL;
    ria_status rc = exec_subquery(snap, e->sub, opts, &res, err);
    if (rc != RIA_OK)
        return rc;
    ria_value v = res->nrows ? *ria_result_at(res, 0, 0) : value_null(e->type);
    if (!v.is_null && v.type == RIA_V_TEXT && !(v.s = ria_arena_strndup(a, v.s, v.n)))
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
    ria_result_free(res);
    e->kind = RIA_X_LITERAL;
    e->lit = v;
    e->nargs = 0;
    return rc;
}

static bool has_subquery(const ria_expr *e)
{
    if (!e)
        return false;
    if (e->kind == RIA_X_SUBQUERY)
        return true;
    for (int i = 0; i < e->nargs; i++)
        if (has_subquery(e->args[i]))
            return true;
    return false;
}

/* p itself when it has no subqueries, else a copy with their values. */
static ria_status with_subqueries_run(ria_snapshot *snap, const ria_plan *p,
                                      const ria_exec_opts *opts, ria_arena *a,
                                      const ria_plan **out, ria_error *err)
{
    bool any = has_subquery(p->where) || has_subquery(p->having);
    for (int i = 0; i < p->nselect; i++)
        any |= has_subquery(p->select[i].expr);
    for (int i = 0; i < p->ngroup; i++)
        any |= has_subquery(p->group[i]);
    for (int i = 0; i < p->norder; i++)
        any |= has_subquery(p->order[i].expr);
    *out = p;
    if (!any)
        return RIA_OK;
    ria_plan *c = ria_arena_alloc(a, sizeof *c);
    if (!c)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    *c = *p;
    c->select = ria_arena_alloc(a, ((size_t)p->nselect + 1) * sizeof *c->select);
    c->group = ria_arena_alloc(a, ((size_t)p->ngroup + 1) * sizeof *c->group);
    c->order = ria_arena_alloc(a, ((size_t)p->norder + 1) * sizeof *c->order);
    if (!c->select || !c->group || !c->order)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    ria_status rc = RIA_OK;
    c->where = expr_copy(a, p->where);
    c->having = expr_copy(a, p->having);
    rc = inline_subqueries(snap, c->where, opts, a, err);
    if (rc == RIA_OK)
        rc = inline_subqueries(snap, c->having, opts, a, err);
    for (int i = 0; rc == RIA_OK && i < p->nselect; i++) {
        c->select[i] = p->select[i];
        c->select[i].expr = expr_copy(a, p->select[i].expr);
        rc = inline_subqueries(snap, c->select[i].expr, opts, a, err);
    }
    for (int i = 0; rc == RIA_OK && i < p->ngroup; i++) {
        c->group[i] = expr_copy(a, p->group[i]);
        rc = inline_subqueries(snap, c->group[i], opts, a, err);
    }
    for (int i = 0; rc == RIA_OK && i < p->norder; i++) {
        c->order[i] = p->order[i];
        c->order[i].expr = expr_copy(a, p->order[i].expr);
        rc = inline_subqueries(snap, c->order[i].expr, opts, a, err);
    }
    if (rc == RIA_OK)
        *out = c;
    return rc;
}

/* Appends "name: why" to the reasons no view covers. */
static void add_reason(view_route *r, const char *name, const char *why)
{
    size_t k = strlen(r->detail);
    if (k + 4 < sizeof r->detail)
        snprintf(r->detail + k, sizeof r->detail - k, "%s%s: %s", k ? "; " : "", name, why);
}

ria_status view_route_plan(ria_snapshot *snap, const ria_plan *p, const ria_exec_opts *opts,
                           view_route *r, ria_error *err)
{
    memset(r, 0, sizeof *r);
    ria_arena_init(&r->arena, 32 * 1024);
    r->input = p;
    json_t *views = snap->manifest ? json_object_get(snap->manifest, "views") : NULL, *e;
    const ria_column *tc = ria_snapshot_role(snap, RIA_ROLE_ORDER_DATE);
    if (opts && opts->no_views) {
        snprintf(r->detail, sizeof r->detail, "views disabled");
        return RIA_OK;
    }
    if (!json_array_size(views) || !tc || tc->type != RIA_T_TIMESTAMP) {
        snprintf(r->detail, sizeof r->detail, "this version has no views");
        return RIA_OK;
    }
    if (!view_plan_grouped(p)) {
        snprintf(r->detail, sizeof r->detail, "not an aggregate query");
        return RIA_OK;
    }
    ria_status rc = with_subqueries_run(snap, p, opts, &r->arena, &r->input, err);
    if (rc != RIA_OK)
        return rc;
    p = r->input;
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    time_range(p->where, (int)tc->id, &lo, &hi);
    vinfo *vs = ria_arena_alloc(&r->arena, MAX_VIEWS * sizeof *vs);
    if (!vs)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    int best = -1;
    uint64_t best_rows = 0;
    size_t i;
    json_array_foreach(views, i, e)
    {
        if (i >= MAX_VIEWS)
            break;
        vinfo *v = &vs[i];
        if (!parse_view(e, snap, (int)tc->id, v, &r->arena)) {
            const char *name = json_string_value(json_object_get(e, "name"));
            add_reason(r, name ? name : "?", "not usable at this version");
            continue;
        }
        char why[200];
        ria_plan *q = view_rewrite(v, (int)tc->id, snap->live_rows, p, &r->arena, why, sizeof why);
        if (!q) {
            add_reason(r, v->name, why);
            continue;
        }
        uint64_t rows = rows_in_range(v, lo, hi);
        if (best < 0 || rows < best_rows) {
            best = (int)i;
            best_rows = rows;
            r->plan = q;
        }
    }
    if (best < 0)
        return RIA_OK;
    ria_error oerr = {0};
    if (open_table(r, snap, &vs[best], lo, hi, &oerr) != RIA_OK) {
        /* the base table still gives the right answer */
        ria_log(RIA_LOG_WARN, "%s", oerr.msg);
        for (int k = 0; k < r->nopen; k++)
            seg_release(r->open[k]);
        r->nopen = 0;
        snprintf(r->detail, sizeof r->detail, "%s could not be read: %s", vs[best].name,
                 oerr.msg);
        return RIA_OK;
    }
    r->chosen = true;
    snprintf(r->name, sizeof r->name, "%s", vs[best].name);
    describe(r, &vs[best], best_rows);
    return RIA_OK;
}

void view_route_free(view_route *r)
{
    for (int i = 0; i < r->nopen; i++)
        seg_release(r->open[i]);
    free(r->open);
    r->open = NULL;
    r->nopen = 0;
    ria_arena_free(&r->arena);
}

void view_route_explain(const view_route *r, ria_buf *out)
{
    ria_buf_printf(out, "view: %s%s%s\n", r->chosen ? "" : "none (", r->detail,
                   r->chosen ? "" : ")");
}

/* ----------------------------------------------------------- results */

/* The unit the base table gives a result column (mirrors exec.c). */
static ria_value_unit base_unit(const ria_snapshot *snap, const ria_expr *e)
{
    switch (e->kind) {
    case RIA_X_COLUMN:
        switch (e->col >= 0 && e->col < snap->ncols ? snap->cols[e->col].role : RIA_ROLE_NONE) {
        case RIA_ROLE_AMOUNT:
        case RIA_ROLE_COST:
        case RIA_ROLE_PROFIT:
        case RIA_ROLE_UNIT_PRICE: return RIA_UNIT_MONEY;
        case RIA_ROLE_QUANTITY: return RIA_UNIT_COUNT;
        default: return RIA_UNIT_NONE;
        }
    case RIA_X_AGG:
        if (e->agg == RIA_AGG_COUNT)
            return RIA_UNIT_COUNT;
        return e->nargs ? base_unit(snap, e->args[0]) : RIA_UNIT_NONE;
    case RIA_X_BINARY: {
        ria_value_unit a = base_unit(snap, e->args[0]), b = base_unit(snap, e->args[1]);
        if (e->op == RIA_OP_DIV)
            return a == b && a != RIA_UNIT_NONE ? RIA_UNIT_RATIO
                   : a == RIA_UNIT_MONEY        ? a
                                                : RIA_UNIT_NONE;
        if (e->op == RIA_OP_ADD || e->op == RIA_OP_SUB)
            return a != RIA_UNIT_NONE ? a : b;
        return a == RIA_UNIT_MONEY || b == RIA_UNIT_MONEY ? RIA_UNIT_MONEY : RIA_UNIT_NONE;
    }
    case RIA_X_CASE: return e->nargs > 1 ? base_unit(snap, e->args[1]) : RIA_UNIT_NONE;
    case RIA_X_FUNC:
        if (e->func == RIA_F_CAST || e->func == RIA_F_ROUND || e->func == RIA_F_ABS ||
            e->func == RIA_F_COALESCE)
            return base_unit(snap, e->args[0]);
        return RIA_UNIT_NONE;
    default: return RIA_UNIT_NONE;
    }
}

void view_route_result(const view_route *r, const ria_snapshot *snap, ria_result *res)
{
    const ria_plan *p = r->input;
    for (int i = 0; i < p->nselect && i < res->ncols; i++) {
        res->cols[i].type = p->select[i].expr->type;
        res->cols[i].unit = base_unit(snap, p->select[i].expr);
    }
}
