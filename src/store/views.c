/*
 * views.c — materialized views, maintained by every commit.
 *
 * The semantic model lists views as {"name", "grain", "dims"}.  A commit
 * resolves them against its schema and, for each view and each month
 * partition, either reuses the rollup file the base version recorded or
 * builds a new one (rollup.c).  A partition's rollup is rebuilt when its
 * live rows changed in this commit (its segments or their deletion vectors
 * differ from the base version's): from the previous rollup plus the new
 * segments when rows were only appended (sums and counts add up), from all
 * its live rows otherwise (upsert, replace, compaction).  Every partition
 * is rebuilt from its rows when the view's definition (grain, dimensions,
 * measures, layout, the model's views_epoch) is new or changed.
 * Partitions are built in parallel.
 *
 * Key invariant: the manifest of version v names, for each view, rollups of
 * exactly v's live rows, so a view is never stale and time travel reads the
 * view of its own version.  Rollup files are written and fsynced before the
 * log entry that names them; the manifest lists them under "files" so
 * vacuum keeps what kept versions use.
 *
 * Ownership: a vctx lives for one views_commit call; the JSON returned is
 * the caller's.
 */
#include "views.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const char *const grain_names[VG_COUNT] = {"hour", "day", "month", "year"};

typedef struct {
    int partition;
    int first, count;   /* its staged segments: order[first .. first + count) */
    uint64_t live;      /* live rows */
    bool changed;       /* segments or deletions differ from the base version */
    bool appended;      /* changed only by segments this commit added */
} vpart;

typedef struct {
    ria_txn *tx;
    const char *dir;
    uint32_t tag;       /* distinguishes files of interrupted attempts */
    vschema sc;
    vdef *v;
    int nv;
    vpart *parts;       /* sorted by partition */
    int nparts;
    int *order;         /* staged segment indexes sorted by partition */
    bool *need;         /* [view * nparts + part]: build a rollup */
    vout *out;          /* [view * nparts + part] */
    ria_status *rcs;    /* per partition */
    ria_error *errs;
    pthread_mutex_t lock; /* guards the pool */
    rollup_ws *pool[64]; /* idle workspaces, one per thread at most */
    int npool;
    int from_rows, from_prev; /* rollups built from rows / from previous rollups */
} vctx;

/* ------------------------------------------------------- definitions */

/* The order time (a TIMESTAMP, as ingest makes it) and the measures: every
 * INT or DECIMAL column, plus amount - cost when both exist (gross profit
 * without a profit column). */
static bool schema_of(ria_txn *tx, vschema *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->tcol = -1;
    int amount = -1, cost = -1;
    for (int i = 0; i < ria_txn_ncols(tx); i++) {
        const ria_column *c = ria_txn_col(tx, (uint32_t)i);
        if (c->role == RIA_ROLE_ORDER_DATE) {
            if (c->kind == RIA_KIND_I64 && c->type == RIA_T_TIMESTAMP)
                sc->tcol = i;
            continue;
        }
        if (c->kind != RIA_KIND_I64 || (c->type != RIA_T_INT && c->type != RIA_T_DECIMAL) ||
            sc->nm == VIEW_MAX_MEASURES)
            continue;
        vmeasure *m = &sc->m[sc->nm++];
        snprintf(m->name, sizeof m->name, "%s", c->name);
        m->a = i;
        m->b = -1;
        if (c->type == RIA_T_DECIMAL && c->role == RIA_ROLE_AMOUNT)
            amount = i;
        if (c->type == RIA_T_DECIMAL && c->role == RIA_ROLE_COST)
            cost = i;
    }
    if (amount >= 0 && cost >= 0 && sc->nm < VIEW_MAX_MEASURES) {
        vmeasure *m = &sc->m[sc->nm++];
        snprintf(m->name, sizeof m->name, "%s_minus_%s", ria_txn_col(tx, (uint32_t)amount)->name,
                 ria_txn_col(tx, (uint32_t)cost)->name);
        m->a = amount;
        m->b = cost;
    }
    return sc->tcol >= 0;
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 40)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

static int grain_of(const char *s)
{
    for (int g = 0; s && g < VG_COUNT; g++)
        if (strcmp(grain_names[g], s) == 0)
            return g;
    return -1;
}

/* The dictionary-coded column called name, or -1. */
static int dim_column(ria_txn *tx, const char *name)
{
    for (int i = 0; name && i < ria_txn_ncols(tx); i++) {
        const ria_column *c = ria_txn_col(tx, (uint32_t)i);
        if (strcasecmp(c->name, name) == 0)
            return c->kind == RIA_KIND_CODE ? i : -1;
    }
    return -1;
}

/* Resolves one model entry; false (with a warning) when it is unusable. */
static bool parse_def(vctx *cx, json_t *e, int64_t epoch, vdef *d)
{
    memset(d, 0, sizeof *d);
    const char *name = json_string_value(json_object_get(e, "name"));
    int g = grain_of(json_string_value(json_object_get(e, "grain")));
    json_t *dims = json_object_get(e, "dims");
    if (!name || !valid_name(name) || g < 0 || !json_is_array(dims) ||
        json_array_size(dims) > VIEW_MAX_DIMS) {
        ria_log(RIA_LOG_WARN, "model: ignoring view %s (needs a name of a-z, 0-9 and _, a grain "
                "of hour/day/month/year and at most %d dims)", name ? name : "?", VIEW_MAX_DIMS);
        return false;
    }
    snprintf(d->name, sizeof d->name, "%s", name);
    d->grain = (vgrain)g;
    size_t k = 0;
    int n = snprintf(d->key, sizeof d->key, "L%d|t%d|%s|d", VIEW_LAYOUT, cx->sc.tcol,
                     grain_names[g]);
    for (size_t i = 0; i < json_array_size(dims); i++) {
        const char *dn = json_string_value(json_array_get(dims, i));
        int c = dim_column(cx->tx, dn);
        for (size_t j = 0; c >= 0 && j < k; j++)
            if (d->dims[j] == (uint32_t)c)
                c = -1;
        if (c < 0) {
            ria_log(RIA_LOG_WARN, "model: ignoring view %s (%s is not a text dimension kept as a "
                    "dictionary, or is repeated)", name, dn ? dn : "?");
            return false;
        }
        d->dims[k] = (uint32_t)c;
        d->radix[k] = ria_txn_dict_count(cx->tx, (uint32_t)c) + 1;
        n += snprintf(d->key + n, sizeof d->key - (size_t)n, "%s%d", k ? "," : "", c);
        k++;
    }
    d->ndims = (int)k;
    n += snprintf(d->key + n, sizeof d->key - (size_t)n, "|m");
    for (int m = 0; m < cx->sc.nm && n < (int)sizeof d->key; m++)
        n += snprintf(d->key + n, sizeof d->key - (size_t)n, "%s%d:%d", m ? "," : "",
                      cx->sc.m[m].a, cx->sc.m[m].b);
    if (n < (int)sizeof d->key)
        snprintf(d->key + n, sizeof d->key - (size_t)n, "|e%lld", (long long)epoch);
    return true;
}

/* The base version's entry for a view with the same definition, or NULL. */
static json_t *previous(ria_txn *tx, const vdef *d)
{
    json_t *m = ria_txn_base(tx)->manifest, *views = m ? json_object_get(m, "views") : NULL, *e;
    size_t i;
    json_array_foreach(views, i, e)
    {
        const char *name = json_string_value(json_object_get(e, "name"));
        const char *key = json_string_value(json_object_get(e, "key"));
        if (name && key && strcmp(name, d->name) == 0 && strcmp(key, d->key) == 0 &&
            json_is_array(json_object_get(e, "segments")))
            return e;
    }
    return NULL;
}

static ria_status parse_defs(vctx *cx, json_t *model, ria_error *err)
{
    json_t *views = json_object_get(model, "views"), *e;
    int64_t epoch = json_integer_value(json_object_get(model, "views_epoch"));
    cx->v = calloc(json_array_size(views) + 1, sizeof *cx->v);
    if (!cx->v)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    size_t i;
    json_array_foreach(views, i, e)
    {
        vdef *d = &cx->v[cx->nv];
        if (cx->nv == VIEW_MAX) {
            ria_log(RIA_LOG_WARN, "model: more than %d views; the rest are ignored", VIEW_MAX);
            break;
        }
        if (!parse_def(cx, e, epoch, d))
            continue;
        bool dup = false;
        for (int j = 0; j < cx->nv && !dup; j++)
            dup = strcmp(cx->v[j].name, d->name) == 0;
        if (dup) {
            ria_log(RIA_LOG_WARN, "model: ignoring a second view named %s", d->name);
            continue;
        }
        d->prev = previous(cx->tx, d);
        cx->nv++;
    }
    return RIA_OK;
}

/* ------------------------------------------------------- partitions */

typedef struct {
    int partition;
    uint32_t count;
    uint64_t hash;    /* sum of the hashes of (segment id, deletion vector) */
} psig;

static int cmp_psig(const void *a, const void *b)
{
    const psig *x = a, *y = b;
    return (x->partition > y->partition) - (x->partition < y->partition);
}

static uint64_t seg_hash(const ria_segref *s)
{
    char text[200];
    int n = snprintf(text, sizeof text, "%s|%s", s->id, s->dv_path);
    return ria_hash64(text, (size_t)RIA_MIN(n, (int)sizeof text - 1));
}

/* Per-partition signatures of a segment list, sorted by partition. */
static psig *signatures(const ria_segref *const *refs, int n, int *out_n)
{
    psig *s = calloc((size_t)n + 1, sizeof *s);
    if (!s)
        return NULL;
    for (int i = 0; i < n; i++)
        s[i] = (psig){refs[i]->partition, 1, seg_hash(refs[i])};
    qsort(s, (size_t)n, sizeof *s, cmp_psig);
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (m && s[m - 1].partition == s[i].partition) {
            s[m - 1].count++;
            s[m - 1].hash += s[i].hash;
        } else {
            s[m++] = s[i];
        }
    }
    *out_n = m;
    return s;
}

static int cmp_seg_part(const void *a, const void *b, void *arg)
{
    const ria_txn *tx = arg;
    const ria_segref *x = ria_txn_seg(tx, *(const int *)a), *y = ria_txn_seg(tx, *(const int *)b);
    if (x->partition != y->partition)
        return x->partition < y->partition ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* Marks a partition changed (its segments or deletions differ from the base
 * version's, whose signatures are bs) and appended (changed only by
 * segments this commit added). */
static void compare_partition(vctx *cx, vpart *p, const psig *bs, int nb, int64_t ver)
{
    psig key = {p->partition, 0, 0}, old = key, mine = key;
    for (int k = 0; k < p->count; k++) {
        const ria_segref *s = ria_txn_seg(cx->tx, cx->order[p->first + k]);
        uint64_t h = seg_hash(s);
        mine.count++;
        mine.hash += h;
        if (s->created != ver) {
            old.count++;
            old.hash += h;
        }
    }
    const psig *theirs = bsearch(&key, bs, (size_t)nb, sizeof *bs, cmp_psig);
    if (!theirs)
        theirs = &key;
    p->changed = theirs->count != mine.count || theirs->hash != mine.hash;
    p->appended = p->changed && theirs->count == old.count && theirs->hash == old.hash;
}

/* Groups the staged segments by partition and marks the changed ones. */
static ria_status plan_parts(vctx *cx, ria_error *err)
{
    ria_txn *tx = cx->tx;
    ria_snapshot *base = ria_txn_base(tx);
    int n = ria_txn_nsegs(tx), nb = 0;
    const ria_segref **old = calloc((size_t)base->nsegs + 1, sizeof *old);
    cx->order = calloc((size_t)n + 1, sizeof *cx->order);
    cx->parts = calloc((size_t)n + 1, sizeof *cx->parts);
    psig *bs = NULL;
    ria_status rc = RIA_OK;
    if (!old || !cx->order || !cx->parts)
        goto nomem;
    for (int i = 0; i < n; i++)
        cx->order[i] = i;
    for (int i = 0; i < base->nsegs; i++)
        old[i] = &base->segs[i];
    if (!(bs = signatures(old, base->nsegs, &nb)))
        goto nomem;
    qsort_r(cx->order, (size_t)n, sizeof *cx->order, cmp_seg_part, tx);
    int64_t ver = ria_txn_version(tx);
    for (int i = 0; i < n; i++) {
        const ria_segref *s = ria_txn_seg(tx, cx->order[i]);
        if (!cx->nparts || cx->parts[cx->nparts - 1].partition != s->partition)
            cx->parts[cx->nparts++] = (vpart){s->partition, i, 0, 0, true, false};
        vpart *p = &cx->parts[cx->nparts - 1];
        p->count++;
        p->live += s->rows - s->deleted;
    }
    for (int i = 0; i < cx->nparts; i++)
        compare_partition(cx, &cx->parts[i], bs, nb, ver);
    goto done;
nomem:
    rc = ria_fail(err, RIA_ENOMEM, "out of memory");
done:
    free(old);
    free(bs);
    return rc;
}

/* The previous rollup entry of a partition, or NULL. */
static json_t *prev_segment(const vdef *d, int partition)
{
    char part[8];
    ria_partition_name(partition, part);
    json_t *segs = d->prev ? json_object_get(d->prev, "segments") : NULL, *s;
    size_t i;
    json_array_foreach(segs, i, s)
    {
        const char *p = json_string_value(json_object_get(s, "partition"));
        if (p && strcmp(p, part) == 0)
            return s;
    }
    return NULL;
}

/* Decides which (view, partition) rollups to build and names their files. */
static ria_status plan_builds(vctx *cx, ria_error *err)
{
    size_t cells = (size_t)cx->nv * (size_t)cx->nparts + 1;
    cx->need = calloc(cells, sizeof *cx->need);
    cx->out = calloc(cells, sizeof *cx->out);
    cx->rcs = calloc((size_t)cx->nparts + 1, sizeof *cx->rcs);
    cx->errs = calloc((size_t)cx->nparts + 1, sizeof *cx->errs);
    if (!cx->need || !cx->out || !cx->rcs || !cx->errs)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    int64_t ver = ria_txn_version(cx->tx);
    for (int v = 0; v < cx->nv; v++)
        for (int p = 0; p < cx->nparts; p++) {
            const vpart *pt = &cx->parts[p];
            size_t c = (size_t)v * (size_t)cx->nparts + (size_t)p;
            const vdef *d = &cx->v[v];
            cx->need[c] = pt->live > 0 &&
                          (pt->changed || !d->prev || !prev_segment(d, pt->partition));
            if (!cx->need[c])
                continue;
            char part[8];
            ria_partition_name(pt->partition, part);
            snprintf(cx->out[c].path, sizeof cx->out[c].path, "views/%s/%s/v%lld-%08x.seg",
                     cx->v[v].name, part, (long long)ver, cx->tag);
        }
    return RIA_OK;
}

/* ------------------------------------------------------------ building */

static void close_sources(vsrc *src, int n)
{
    for (int i = 0; i < n; i++) {
        ria_segment_close(src[i].seg);
        free(src[i].dv);
    }
    free(src);
}

/* Opens the partition's live segments (only those this commit added, when
 * only_new) and their deletion bitmaps. */
static ria_status open_sources(vctx *cx, const vpart *pt, bool only_new, vsrc **out, int *out_n,
                               ria_error *err)
{
    vsrc *src = calloc((size_t)pt->count + 1, sizeof *src);
    int n = 0;
    ria_status rc = src ? RIA_OK : ria_fail(err, RIA_ENOMEM, "out of memory");
    for (int k = 0; rc == RIA_OK && k < pt->count; k++) {
        const ria_segref *r = ria_txn_seg(cx->tx, cx->order[pt->first + k]);
        if (r->rows == r->deleted || (only_new && r->created != ria_txn_version(cx->tx)))
            continue;
        vsrc *s = &src[n];
        char path[4400];
        rc = ria_path_join(path, sizeof path, err, "%s/%s", cx->dir, r->path);
        if (rc == RIA_OK)
            rc = ria_segment_open(path, &s->seg, err);
        if (s->seg)
            n++;
        if (rc == RIA_OK && r->dv_path[0]) {
            rc = ria_path_join(path, sizeof path, err, "%s/%s", cx->dir, r->dv_path);
            if (rc == RIA_OK)
                rc = ria_dv_read(path, &s->dv, r->rows, err);
        }
    }
    if (rc != RIA_OK) {
        if (src)
            close_sources(src, n);
        return rc;
    }
    *out = src;
    *out_n = n;
    return RIA_OK;
}

/* The previous rollup file of a partition to start from, or NULL (opened;
 * the caller closes it). */
static ria_segment *open_seed(vctx *cx, const vdef *d, const vpart *pt)
{
    json_t *prev = pt->appended ? prev_segment(d, pt->partition) : NULL;
    const char *rel = json_string_value(json_object_get(prev, "path"));
    char path[4400];
    ria_segment *seg = NULL;
    if (!rel || !*rel || json_is_true(json_object_get(prev, "overflow")) ||
        ria_path_join(path, sizeof path, NULL, "%s/%s", cx->dir, rel) != RIA_OK ||
        ria_segment_open(path, &seg, NULL) != RIA_OK)
        return NULL;
    return seg;
}

/* One rollup_partition call over the views in `cells`, all seeded (rows
 * appended since their previous rollups) or none (every live row). */
static ria_status build_group(vctx *cx, rollup_ws *ws, const vpart *pt, const int *cells,
                              ria_segment *const *seeds, int nv, ria_error *err)
{
    const vdef *defs[VIEW_MAX];
    vout outs[VIEW_MAX];
    for (int i = 0; i < nv; i++) {
        defs[i] = &cx->v[cells[i] / cx->nparts];
        outs[i] = cx->out[cells[i]];
    }
    vsrc *src = NULL;
    int nsrc = 0;
    ria_status rc = open_sources(cx, pt, seeds != NULL, &src, &nsrc, err);
    if (rc == RIA_OK)
        rc = rollup_partition(ws, cx->dir, &cx->sc, defs, nv, pt->partition, src, nsrc, seeds,
                              outs, err);
    if (rc == RIA_OK)
        for (int i = 0; i < nv; i++)
            cx->out[cells[i]] = outs[i];
    if (src)
        close_sources(src, nsrc);
    return rc;
}

static ria_status make_dir(vctx *cx, const char *file, ria_error *err)
{
    char dir[4400];
    const char *slash = strrchr(file, '/');
    ria_status rc =
        ria_path_join(dir, sizeof dir, err, "%s/%.*s", cx->dir, (int)(slash - file), file);
    return rc == RIA_OK ? ria_mkdirs(dir, err) : rc;
}

/* Builds every rollup one partition needs (runs on a worker thread): from
 * the previous rollup and the new segments when rows were only appended,
 * else from every live row. */
static void build_partition(void *arg, int pi)
{
    vctx *cx = arg;
    const vpart *pt = &cx->parts[pi];
    ria_error *err = &cx->errs[pi];
    int full[VIEW_MAX], inc[VIEW_MAX], nfull = 0, ninc = 0;
    ria_segment *seeds[VIEW_MAX];
    ria_status rc = RIA_OK;
    for (int v = 0; v < cx->nv && rc == RIA_OK; v++) {
        int c = v * cx->nparts + pi;
        if (!cx->need[c])
            continue;
        rc = make_dir(cx, cx->out[c].path, err);
        if ((seeds[ninc] = open_seed(cx, &cx->v[v], pt)))
            inc[ninc++] = c;
        else
            full[nfull++] = c;
    }
    rollup_ws *ws = NULL;
    if (rc == RIA_OK && nfull + ninc) {
        pthread_mutex_lock(&cx->lock);
        ws = cx->npool ? cx->pool[--cx->npool] : NULL;
        pthread_mutex_unlock(&cx->lock);
        if (!ws && !(ws = rollup_ws_new()))
            rc = ria_fail(err, RIA_ENOMEM, "out of memory");
    }
    if (rc == RIA_OK && nfull)
        rc = build_group(cx, ws, pt, full, NULL, nfull, err);
    if (rc == RIA_OK && ninc)
        rc = build_group(cx, ws, pt, inc, seeds, ninc, err);
    pthread_mutex_lock(&cx->lock);
    cx->from_rows += nfull;
    cx->from_prev += ninc;
    if (ws && cx->npool < (int)RIA_ARRAY_LEN(cx->pool))
        cx->pool[cx->npool++] = ws;
    else
        rollup_ws_free(ws);
    pthread_mutex_unlock(&cx->lock);
    for (int i = 0; i < ninc; i++)
        ria_segment_close(seeds[i]);
    cx->rcs[pi] = rc;
}

/* fsyncs the directories that received rollup files, then their parents. */
static ria_status sync_dirs(vctx *cx, ria_error *err)
{
    char path[4400];
    for (int v = 0; v < cx->nv; v++) {
        bool any = false;
        for (int p = 0; p < cx->nparts; p++) {
            const vout *o = &cx->out[(size_t)v * (size_t)cx->nparts + (size_t)p];
            if (!o->built || o->overflow)
                continue;
            any = true;
            char part[8];
            ria_partition_name(cx->parts[p].partition, part);
            ria_status rc = ria_path_join(path, sizeof path, err, "%s/views/%s/%s", cx->dir,
                                          cx->v[v].name, part);
            if (rc == RIA_OK)
                rc = ria_fsync_dir(path, err);
            if (rc != RIA_OK)
                return rc;
        }
        if (!any)
            continue;
        ria_status rc =
            ria_path_join(path, sizeof path, err, "%s/views/%s", cx->dir, cx->v[v].name);
        if (rc == RIA_OK)
            rc = ria_fsync_dir(path, err);
        if (rc == RIA_OK)
            rc = ria_path_join(path, sizeof path, err, "%s/views", cx->dir);
        if (rc == RIA_OK)
            rc = ria_fsync_dir(path, err);
        if (rc != RIA_OK)
            return rc;
    }
    return RIA_OK;
}

/* --------------------------------------------------------------- manifest */

static json_t *segment_json(const vout *o, int partition, uint64_t live, int64_t version)
{
    char part[8];
    ria_partition_name(partition, part);
    json_int_t rows = (json_int_t)(o->overflow ? 0 : o->rows);
    json_t *s = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "partition", part, "path",
                          o->overflow ? "" : o->path, "rows", rows,
                          "bytes", (json_int_t)o->bytes, "min_ts", (json_int_t)o->min_ts, "max_ts",
                          (json_int_t)o->max_ts, "base_rows", (json_int_t)live, "created",
                          (json_int_t)version);
    if (s && o->overflow)
        json_object_set_new(s, "overflow", json_true());
    return s;
}

static json_t *definition_json(const vctx *cx, const vdef *d)
{
    json_t *dims = json_array(), *ids = json_array(), *ms = json_array();
    for (int k = 0; k < d->ndims; k++) {
        json_array_append_new(dims, json_string(ria_txn_col(cx->tx, d->dims[k])->name));
        json_array_append_new(ids, json_integer(d->dims[k]));
    }
    for (int m = 0; m < cx->sc.nm; m++)
        json_array_append_new(ms, json_pack("{s:s, s:i, s:i}", "name", cx->sc.m[m].name, "a",
                                            cx->sc.m[m].a, "b", cx->sc.m[m].b));
    return json_pack("{s:s, s:s, s:o, s:o, s:i, s:o, s:i, s:s}", "name", d->name, "grain",
                     grain_names[d->grain], "dims", dims, "dim_ids", ids, "time_col", cx->sc.tcol,
                     "measures", ms, "layout", VIEW_LAYOUT, "key", d->key);
}

/* The manifest entry of view v; its file paths are appended to files. */
static json_t *view_json(const vctx *cx, int v, json_t *files)
{
    const vdef *d = &cx->v[v];
    json_t *j = definition_json(cx, d), *segs = json_array();
    uint64_t rows = 0, bytes = 0;
    bool usable = true;
    int64_t ver = ria_txn_version(cx->tx);
    for (int p = 0; p < cx->nparts; p++) {
        const vpart *pt = &cx->parts[p];
        const vout *o = &cx->out[(size_t)v * (size_t)cx->nparts + (size_t)p];
        json_t *s = NULL;
        if (cx->need[(size_t)v * (size_t)cx->nparts + (size_t)p])
            s = o->built ? segment_json(o, pt->partition, pt->live, ver) : NULL;
        else if (pt->live > 0)
            s = json_deep_copy(prev_segment(d, pt->partition));
        if (!s)
            continue;
        const char *path = json_string_value(json_object_get(s, "path"));
        usable &= !json_is_true(json_object_get(s, "overflow"));
        rows += (uint64_t)json_integer_value(json_object_get(s, "rows"));
        bytes += (uint64_t)json_integer_value(json_object_get(s, "bytes"));
        if (path && *path)
            json_array_append_new(files, json_string(path));
        json_array_append_new(segs, s);
    }
    json_object_set_new(j, "segments", segs);
    json_object_set_new(j, "rows", json_integer((json_int_t)rows));
    json_object_set_new(j, "bytes", json_integer((json_int_t)bytes));
    json_object_set_new(j, "usable", json_boolean(usable));
    return j;
}

/* ------------------------------------------------------------------ entry */

/* The base version's semantic model (new reference) or NULL. */
static json_t *base_model(ria_txn *tx)
{
    json_t *m = ria_txn_base(tx)->manifest;
    const char *rel = m ? json_string_value(json_object_get(m, "model")) : NULL;
    char path[4400];
    if (!rel || !*rel || ria_txn_path(tx, rel, path, sizeof path, NULL) != RIA_OK)
        return NULL;
    return json_load_file(path, 0, NULL);
}

static void ctx_free(vctx *cx)
{
    for (int i = 0; i < cx->npool; i++)
        rollup_ws_free(cx->pool[i]);
    pthread_mutex_destroy(&cx->lock);
    free(cx->v);
    free(cx->parts);
    free(cx->order);
    free(cx->need);
    free(cx->out);
    free(cx->rcs);
    free(cx->errs);
}

ria_status views_commit(ria_txn *tx, json_t *model, json_t **out_views, json_t **out_files,
                        ria_error *err)
{
    *out_views = *out_files = NULL;
    vctx cx;
    memset(&cx, 0, sizeof cx);
    cx.tx = tx;
    cx.dir = ria_txn_dir(tx);
    pthread_mutex_init(&cx.lock, NULL);
    cx.tag = (uint32_t)ria_mix64((uint64_t)getpid() ^ (uint64_t)(ria_now() * 1e9));
    json_t *owned = model ? NULL : base_model(tx);
    ria_status rc = RIA_OK;
    double t0 = ria_now();
    if (!model)
        model = owned;
    if (!model || !json_is_array(json_object_get(model, "views")) || !schema_of(tx, &cx.sc))
        goto done;
    if ((rc = parse_defs(&cx, model, err)) != RIA_OK || cx.nv == 0)
        goto done;
    if ((rc = plan_parts(&cx, err)) != RIA_OK || (rc = plan_builds(&cx, err)) != RIA_OK)
        goto done;
    ria_parallel_for(cx.nparts, ria_ncpu(), build_partition, &cx);
    for (int p = 0; p < cx.nparts; p++)
        if (cx.rcs[p] != RIA_OK) {
            *err = cx.errs[p];
            ria_error_prefix(err, "building views");
            rc = cx.rcs[p];
            goto done;
        }
    if ((rc = sync_dirs(&cx, err)) != RIA_OK)
        goto done;
    json_t *views = json_array(), *files = json_array();
    for (int v = 0; v < cx.nv; v++)
        json_array_append_new(views, view_json(&cx, v, files));
    *out_views = views;
    *out_files = files;
    ria_log(RIA_LOG_INFO, "views: %d maintained in %.3f s (%d rollups built from rows, %d from "
            "previous rollups and new rows)", cx.nv, ria_now() - t0, cx.from_rows, cx.from_prev);
done:
    ctx_free(&cx);
    json_decref(owned);
    return rc;
}
