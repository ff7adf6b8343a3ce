/*
 * store.c — opening a store, reading its log, and snapshots: the read-only
 * view of one version (schema, dictionaries, live segments) that queries use.
 * Segments and deletion vectors are opened lazily, under the snapshot's lock,
 * so a snapshot can be shared by threads.
 */
#include "store_internal.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void store_log_path(const char *dir, int64_t version, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s/log/%020lld.json", dir, (long long)version);
}

void store_dict_path(const char *dir, uint32_t col_id, char *out, size_t outsz)
{
    snprintf(out, outsz, "%s/dict/c%u.dict", dir, col_id);
}

ria_status ria_store_file(const ria_store *st, const char *rel, char *out, size_t outsz,
                          ria_error *err)
{
    return ria_path_join(out, outsz, err, "%s/%s", st->dir, rel);
}

ria_status ria_store_open(const char *dir, ria_store **out, ria_error *err)
{
    char marker[4200];
    if (ria_path_join(marker, sizeof marker, err, "%s/%s", dir, RIA_STORE_MARKER) != RIA_OK)
        return RIA_ELIMIT;
    if (!ria_path_exists(marker)) {
        if (!ria_path_exists(dir))
            return ria_fail(err, RIA_ENOTFOUND, "no store at %s (run 'ria ingest' first)", dir);
        return ria_fail(err, RIA_ENOTFOUND, "%s is not a ria store (no %s file)", dir,
                        RIA_STORE_MARKER);
    }
    char *text = NULL;
    ria_status rc = ria_read_file(marker, 4096, &text, NULL, err);
    if (rc != RIA_OK)
        return rc;
    int64_t fmt = 0;
    const char *p = strstr(text, "format ");
    char num[24] = "";
    for (size_t k = 0; p && k + 1 < sizeof num && p[7 + k] >= '0' && p[7 + k] <= '9'; k++) {
        num[k] = p[7 + k];
        num[k + 1] = 0;
    }
    bool ok = ria_parse_i64(num, &fmt);
    free(text);
    if (!ok || fmt != RIA_STORE_FORMAT)
        return ria_fail(err, RIA_EUNSUPPORTED, "%s: store format %lld is not supported (this ria reads format %d)",
                        dir, (long long)fmt, RIA_STORE_FORMAT);
    ria_store *st = calloc(1, sizeof *st);
    if (!st)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    snprintf(st->dir, sizeof st->dir, "%s", dir);
    *out = st;
    return RIA_OK;
}

void ria_store_close(ria_store *st)
{
    free(st);
}

const char *ria_store_dir(const ria_store *st)
{
    return st->dir;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

ria_status store_list_versions(const char *dir, int64_t **out, int *out_n, ria_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/log", dir);
    DIR *d = opendir(path);
    *out = NULL;
    *out_n = 0;
    if (!d) {
        if (errno == ENOENT)
            return RIA_OK;
        return ria_fail(err, RIA_EIO, "%s: %s", path, strerror(errno));
    }
    int64_t *v = NULL;
    int n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len != 25 || strcmp(e->d_name + 20, ".json") != 0)
            continue;
        char num[21];
        memcpy(num, e->d_name, 20);
        num[20] = 0;
        int64_t ver;
        if (!ria_parse_i64(num, &ver) || ver <= 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            int64_t *nv = realloc(v, (size_t)cap * sizeof *v);
            if (!nv) {
                free(v);
                closedir(d);
                return ria_fail(err, RIA_ENOMEM, "out of memory");
            }
            v = nv;
        }
        v[n++] = ver;
    }
    closedir(d);
    if (n > 1)
        qsort(v, (size_t)n, sizeof *v, cmp_i64);
    *out = v;
    *out_n = n;
    return RIA_OK;
}

int64_t store_horizon(const char *dir)
{
    char path[4200], *text = NULL;
    snprintf(path, sizeof path, "%s/log/horizon", dir);
    int64_t h = 0;
    if (ria_read_file(path, 64, &text, NULL, NULL) == RIA_OK) {
        char *nl = strchr(text, '\n');
        if (nl)
            *nl = 0;
        if (!ria_parse_i64(text, &h))
            h = 0;
        free(text);
    }
    return h;
}

ria_status ria_store_latest(ria_store *st, int64_t *out, ria_error *err)
{
    int64_t *v;
    int n;
    ria_status rc = store_list_versions(st->dir, &v, &n, err);
    if (rc != RIA_OK)
        return rc;
    *out = n ? v[n - 1] : 0;
    free(v);
    return RIA_OK;
}

/* ------------------------------------------------------------ JSON forms */

static const char *kind_name(ria_kind k)
{
    return k == RIA_KIND_CODE ? "dict" : k == RIA_KIND_HEAP ? "heap" : "number";
}

json_t *column_to_json(const ria_column *c)
{
    return json_pack("{s:i, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)c->id, "name", c->name,
                     "label", c->label, "role", ria_role_name(c->role), "type",
                     ria_type_name(c->type), "kind", kind_name(c->kind));
}

ria_status column_from_json(json_t *j, ria_column *out, ria_error *err)
{
    json_int_t id;
    const char *name, *label, *role, *type, *kind;
    if (json_unpack(j, "{s:I, s:s, s:s, s:s, s:s, s:s}", "id", &id, "name", &name, "label",
                    &label, "role", &role, "type", &type, "kind", &kind) != 0)
        return ria_fail(err, RIA_ECORRUPT, "manifest: malformed column entry");
    memset(out, 0, sizeof *out);
    out->id = (uint32_t)id;
    snprintf(out->name, sizeof out->name, "%s", name);
    snprintf(out->label, sizeof out->label, "%s", label);
    out->role = ria_role_by_name(role);
    out->type = ria_type_by_name(type);
    out->kind = strcmp(kind, "dict") == 0   ? RIA_KIND_CODE
                : strcmp(kind, "heap") == 0 ? RIA_KIND_HEAP
                                            : RIA_KIND_I64;
    if (!out->type || id < 0)
        return ria_fail(err, RIA_ECORRUPT, "manifest: column %s has unknown type %s", name, type);
    return RIA_OK;
}

json_t *segref_to_json(const ria_segref *s)
{
    char part[8];
    ria_partition_name(s->partition, part);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "id", s->id,
                     "path", s->path, "fp", s->fp_path, "dv", s->dv_path, "partition", part,
                     "rows", (json_int_t)s->rows, "deleted", (json_int_t)s->deleted, "min_ts",
                     (json_int_t)s->min_ts, "max_ts", (json_int_t)s->max_ts, "bytes",
                     (json_int_t)s->bytes, "created", (json_int_t)s->created);
}

ria_status segref_from_json(json_t *j, ria_segref *out, ria_error *err)
{
    const char *id, *path, *fp, *dv, *part;
    json_int_t rows, deleted, min_ts, max_ts, bytes, created;
    if (json_unpack(j, "{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "id", &id,
                    "path", &path, "fp", &fp, "dv", &dv, "partition", &part, "rows", &rows,
                    "deleted", &deleted, "min_ts", &min_ts, "max_ts", &max_ts, "bytes", &bytes,
                    "created", &created) != 0)
        return ria_fail(err, RIA_ECORRUPT, "manifest: malformed segment entry");
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "%s", id);
    snprintf(out->path, sizeof out->path, "%s", path);
    snprintf(out->fp_path, sizeof out->fp_path, "%s", fp);
    snprintf(out->dv_path, sizeof out->dv_path, "%s", dv);
    int y = 0, m = 0;
    if (sscanf(part, "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12 || strstr(path, "..") ||
        path[0] == '/')
        return ria_fail(err, RIA_ECORRUPT, "manifest: bad segment %s", id);
    out->partition = y * 12 + m - 1;
    out->rows = (uint64_t)rows;
    out->deleted = (uint64_t)deleted;
    out->min_ts = min_ts;
    out->max_ts = max_ts;
    out->bytes = (uint64_t)bytes;
    out->created = created;
    return RIA_OK;
}

/* ------------------------------------------------------------ snapshots */

ria_snapshot *store_empty_snapshot(ria_store *st)
{
    ria_snapshot *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->store = st;
    s->lock = malloc(sizeof(pthread_mutex_t));
    if (!s->lock) {
        free(s);
        return NULL;
    }
    pthread_mutex_init(s->lock, NULL);
    snprintf(s->info.operation, sizeof s->info.operation, "%s", "empty");
    s->min_ts = INT64_MAX;
    s->max_ts = INT64_MIN;
    return s;
}

dict_state store_dict_state(const ria_snapshot *snap, uint32_t col_id)
{
    dict_state ds = {0, 0, 0};
    json_t *dicts = snap->manifest ? json_object_get(snap->manifest, "dicts") : NULL;
    char key[16];
    snprintf(key, sizeof key, "%u", col_id);
    json_t *d = dicts ? json_object_get(dicts, key) : NULL;
    if (d) {
        json_int_t count = 0, bytes = 0;
        const char *hash = "0";
        if (json_unpack(d, "{s:I, s:I, s:s}", "count", &count, "bytes", &bytes, "hash", &hash) == 0) {
            ds.count = (uint32_t)count;
            ds.bytes = (uint64_t)bytes;
            ds.hash = strtoull(hash, NULL, 16);
        }
    }
    return ds;
}

static ria_status parse_info(json_t *m, ria_version_info *info, ria_error *err)
{
    json_int_t version, time, added = 0, removed = 0, live = 0;
    const char *op, *summary = "";
    if (json_unpack(m, "{s:I, s:I, s:s, s?I, s?I, s?I, s?s}", "version", &version, "time", &time,
                    "operation", &op, "rows_added", &added, "rows_removed", &removed,
                    "live_rows", &live, "summary", &summary) != 0)
        return ria_fail(err, RIA_ECORRUPT, "manifest: missing version, time or operation");
    info->version = version;
    info->time = time;
    snprintf(info->operation, sizeof info->operation, "%s", op);
    info->rows_added = (uint64_t)added;
    info->rows_removed = (uint64_t)removed;
    info->live_rows = (uint64_t)live;
    snprintf(info->summary, sizeof info->summary, "%s", summary);
    return RIA_OK;
}

static ria_status read_manifest(const char *dir, int64_t version, json_t **out, ria_error *err)
{
    char path[4200];
    store_log_path(dir, version, path, sizeof path);
    json_error_t je;
    json_t *m = json_load_file(path, 0, &je);
    if (!m) {
        if (!ria_path_exists(path))
            return ria_fail(err, RIA_ENOTFOUND, "version %lld does not exist", (long long)version);
        return ria_fail(err, RIA_ECORRUPT, "%s: %s", path, je.text);
    }
    json_int_t fmt = 0;
    json_unpack(m, "{s:I}", "format", &fmt);
    if (fmt != RIA_STORE_FORMAT) {
        json_decref(m);
        return ria_fail(err, RIA_EUNSUPPORTED, "%s: format %lld not supported", path,
                        (long long)fmt);
    }
    *out = m;
    return RIA_OK;
}

static ria_status load_columns(ria_snapshot *s, json_t *cols, ria_error *err)
{
    if (!json_is_array(cols))
        return ria_fail(err, RIA_ECORRUPT, "manifest: no column list");
    size_t n = json_array_size(cols);
    s->cols = calloc(n ? n : 1, sizeof *s->cols);
    s->dicts = calloc(n ? n : 1, sizeof *s->dicts);
    if (!s->cols || !s->dicts)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        ria_status rc = column_from_json(json_array_get(cols, i), &s->cols[i], err);
        if (rc != RIA_OK)
            return rc;
        if (s->cols[i].id != i)
            return ria_fail(err, RIA_ECORRUPT, "manifest: column ids out of order");
        s->ncols = (int)i + 1;
        if (s->cols[i].kind == RIA_KIND_CODE) {
            char path[4200];
            store_dict_path(s->store->dir, (uint32_t)i, path, sizeof path);
            dict_state ds = store_dict_state(s, (uint32_t)i);
            if ((rc = dict_load(path, &ds, &s->dicts[i], err)) != RIA_OK)
                return rc;
        }
    }
    return RIA_OK;
}

static ria_status load_segments(ria_snapshot *s, json_t *segs, ria_error *err)
{
    if (!json_is_array(segs))
        return ria_fail(err, RIA_ECORRUPT, "manifest: no segment list");
    size_t n = json_array_size(segs);
    s->segs = calloc(n ? n : 1, sizeof *s->segs);
    s->open_segs = calloc(n ? n : 1, sizeof *s->open_segs);
    s->dvs = calloc(n ? n : 1, sizeof *s->dvs);
    if (!s->segs || !s->open_segs || !s->dvs)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    s->min_ts = INT64_MAX;
    s->max_ts = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        ria_status rc = segref_from_json(json_array_get(segs, i), &s->segs[i], err);
        if (rc != RIA_OK)
            return rc;
        s->nsegs = (int)i + 1;
        const ria_segref *r = &s->segs[i];
        s->live_rows += r->rows - r->deleted;
        if (r->rows > r->deleted) {
            s->min_ts = RIA_MIN(s->min_ts, r->min_ts);
            s->max_ts = RIA_MAX(s->max_ts, r->max_ts);
        }
    }
    return RIA_OK;
}

ria_status store_load_snapshot(ria_store *st, int64_t version, ria_snapshot **out,
                               ria_error *err)
{
    json_t *m = NULL;
    ria_status rc = read_manifest(st->dir, version, &m, err);
    if (rc != RIA_OK)
        return rc;
    ria_snapshot *s = store_empty_snapshot(st);
    if (!s) {
        json_decref(m);
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    }
    s->manifest = m;
    if ((rc = parse_info(m, &s->info, err)) != RIA_OK)
        goto done;
    if ((rc = load_columns(s, json_object_get(m, "columns"), err)) != RIA_OK)
        goto done;
    if ((rc = load_segments(s, json_object_get(m, "segments"), err)) != RIA_OK)
        goto done;
done:
    if (rc != RIA_OK) {
        ria_error_prefix(err, "version %lld", (long long)version);
        ria_snapshot_free(s);
        return rc;
    }
    *out = s;
    return RIA_OK;
}

ria_status ria_store_snapshot(ria_store *st, int64_t version, ria_snapshot **out, ria_error *err)
{
    int64_t latest;
    ria_status rc = ria_store_latest(st, &latest, err);
    if (rc != RIA_OK)
        return rc;
    if (version == 0) {
        if (latest == 0) {
            *out = store_empty_snapshot(st);
            return *out ? RIA_OK : ria_fail(err, RIA_ENOMEM, "out of memory");
        }
        version = latest;
    }
    if (version < 0 || version > latest)
        return ria_fail(err, RIA_ENOTFOUND, "version %lld does not exist (latest is %lld)",
                        (long long)version, (long long)latest);
    if (version < store_horizon(st->dir))
        return ria_fail(err, RIA_ENOTFOUND,
                        "version %lld was removed by vacuum (oldest kept: %lld)",
                        (long long)version, (long long)store_horizon(st->dir));
    return store_load_snapshot(st, version, out, err);
}

ria_status ria_store_snapshot_at(ria_store *st, int64_t t, ria_snapshot **out, ria_error *err)
{
    ria_version_info *vs;
    int n;
    ria_status rc = ria_store_versions(st, &vs, &n, err);
    if (rc != RIA_OK)
        return rc;
    int64_t best = 0;
    for (int i = 0; i < n; i++)
        if (vs[i].time <= t)
            best = vs[i].version;
    free(vs);
    if (!best) {
        char buf[32];
        ria_format_ts(t, buf);
        return ria_fail(err, RIA_ENOTFOUND, "no version was committed at or before %s", buf);
    }
    return ria_store_snapshot(st, best, out, err);
}

void ria_snapshot_free(ria_snapshot *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->nsegs; i++) {
        ria_segment_close(s->open_segs[i]);
        free(s->dvs[i]);
    }
    for (int i = 0; i < s->ncols; i++)
        dict_free(s->dicts[i]);
    free(s->open_segs);
    free(s->dvs);
    free(s->segs);
    free(s->cols);
    free(s->dicts);
    if (s->manifest)
        json_decref(s->manifest);
    if (s->lock) {
        pthread_mutex_destroy(s->lock);
        free(s->lock);
    }
    free(s);
}

const ria_column *ria_snapshot_column(const ria_snapshot *s, const char *name)
{
    for (int i = 0; i < s->ncols; i++)
        if (strcasecmp(s->cols[i].name, name) == 0)
            return &s->cols[i];
    for (int i = 0; i < s->ncols; i++)
        if (strcasecmp(s->cols[i].label, name) == 0)
            return &s->cols[i];
    return NULL;
}

const ria_column *ria_snapshot_role(const ria_snapshot *s, ria_role role)
{
    for (int i = 0; i < s->ncols; i++)
        if (s->cols[i].role == role)
            return &s->cols[i];
    return NULL;
}

ria_status ria_snapshot_segment(ria_snapshot *s, int i, ria_segment **out, ria_error *err)
{
    ria_status rc = RIA_OK;
    pthread_mutex_lock(s->lock);
    if (!s->open_segs[i]) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", s->store->dir, s->segs[i].path);
        rc = ria_segment_open(path, &s->open_segs[i], err);
    }
    *out = s->open_segs[i];
    pthread_mutex_unlock(s->lock);
    return rc;
}

ria_status ria_snapshot_dv(ria_snapshot *s, int i, const uint8_t **out, ria_error *err)
{
    ria_status rc = RIA_OK;
    *out = NULL;
    if (!s->segs[i].dv_path[0])
        return RIA_OK;
    pthread_mutex_lock(s->lock);
    if (!s->dvs[i]) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", s->store->dir, s->segs[i].dv_path);
        rc = ria_dv_read(path, &s->dvs[i], s->segs[i].rows, err);
    }
    *out = s->dvs[i];
    pthread_mutex_unlock(s->lock);
    return rc;
}

void *ria_snapshot_report(const ria_snapshot *s)
{
    return s->manifest ? json_object_get(s->manifest, "report") : NULL;
}

ria_status ria_store_versions(ria_store *st, ria_version_info **out, int *out_n, ria_error *err)
{
    int64_t *v;
    int n;
    ria_status rc = store_list_versions(st->dir, &v, &n, err);
    if (rc != RIA_OK)
        return rc;
    ria_version_info *infos = calloc(n ? (size_t)n : 1, sizeof *infos);
    if (!infos) {
        free(v);
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    }
    int k = 0;
    for (int i = 0; i < n; i++) {
        json_t *m;
        if ((rc = read_manifest(st->dir, v[i], &m, err)) != RIA_OK)
            break;
        rc = parse_info(m, &infos[k], err);
        json_decref(m);
        if (rc != RIA_OK)
            break;
        k++;
    }
    free(v);
    if (rc != RIA_OK) {
        free(infos);
        return rc;
    }
    *out = infos;
    *out_n = k;
    return RIA_OK;
}
