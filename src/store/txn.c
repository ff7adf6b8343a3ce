/*
 * txn.c — write transactions.  A transaction takes the writer lock, stages a
 * new version on top of the latest one (schema additions, dictionary codes,
 * added and removed segments, deletion vectors) and publishes it with one
 * rename of the log entry, after every file it names is on disk.  Anything a
 * transaction wrote but did not publish is unreachable and removed by vacuum.
 */
#include "store_internal.h"
#include "views.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

typedef struct {
    bool active;       /* a CODE column */
    bool loaded;       /* map holds the base entries */
    ria_strmap map;    /* every string → code, base and staged; entry i is code i+1 */
    dict_state base;   /* what the base version committed */
    ria_buf pending;   /* staged entries in file format */
} txn_dict;

struct ria_txn {
    ria_store *st;
    int lock_fd;
    ria_snapshot *base;
    int64_t version;
    ria_column *cols;
    int ncols, capcols;
    txn_dict *dicts;   /* per column, capcols entries */
    ria_segref *segs;  /* staged live segments */
    int nsegs, capsegs;
    uint64_t rows_added, rows_removed;
    uint32_t seg_counter;
    uint32_t tag;      /* random, distinguishes files of concurrent crashed attempts */
};

/* Entries in a directory other than . and ..; -1 on error. */
static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static ria_status ensure_layout(const char *dir, bool create, ria_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, RIA_STORE_MARKER);
    bool is_store = ria_path_exists(path);
    if (!is_store && !create)
        return ria_fail(err, RIA_ENOTFOUND, "no store at %s", dir);
    if (!is_store && ria_path_exists(dir)) {
        int n = dir_entries(dir);
        if (n < 0)
            return ria_fail(err, RIA_EIO, "%s: %s", dir, strerror(errno));
        if (n > 0)
            return ria_fail(err, RIA_EREFUSED,
                            "%s exists and is not a ria store; choose an empty or new directory",
                            dir);
    }
    /* the marker first, then the subdirectories (made again whenever they
     * are missing), so an interrupted creation is still a store */
    ria_status rc = ria_mkdirs(dir, err);
    if (rc == RIA_OK && !is_store) {
        char marker[64];
        int n = snprintf(marker, sizeof marker, "ria store\nformat %d\n", RIA_STORE_FORMAT);
        rc = ria_write_file_atomic(path, marker, (size_t)n, err);
    }
    static const char *const subdirs[] = {"/log", "/data", "/dict", "/reports", "/quarantine",
                                          "/models"};
    for (size_t i = 0; i < RIA_ARRAY_LEN(subdirs) && rc == RIA_OK; i++) {
        snprintf(path, sizeof path, "%s%s", dir, subdirs[i]);
        rc = ria_mkdirs(path, err);
    }
    return rc;
}

static ria_status take_lock(const char *dir, int *out_fd, ria_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return ria_fail(err, RIA_EIO, "%s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = "";
        ssize_t k = pread(fd, pid, sizeof pid - 1, 0);
        if (k > 0) {
            pid[k] = 0;
            pid[strcspn(pid, "\n")] = 0;
        }
        close(fd);
        return ria_fail(err, RIA_ELOCKED,
                        "store %s is locked by another writer%s%s%s; try again when it finishes",
                        dir, pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "");
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n)
        ria_log(RIA_LOG_WARN, "could not record pid in %s", path);
    *out_fd = fd;
    return RIA_OK;
}

static ria_status grow_cols(ria_txn *tx, int need)
{
    if (need <= tx->capcols)
        return RIA_OK;
    int cap = tx->capcols ? tx->capcols * 2 : 32;
    while (cap < need)
        cap *= 2;
    ria_column *c = realloc(tx->cols, (size_t)cap * sizeof *c);
    if (!c)
        return RIA_ENOMEM;
    tx->cols = c;
    txn_dict *d = realloc(tx->dicts, (size_t)cap * sizeof *d);
    if (!d)
        return RIA_ENOMEM;
    memset(d + tx->capcols, 0, (size_t)(cap - tx->capcols) * sizeof *d);
    tx->dicts = d;
    tx->capcols = cap;
    return RIA_OK;
}

static ria_status push_seg(ria_txn *tx, const ria_segref *ref)
{
    if (tx->nsegs == tx->capsegs) {
        int cap = tx->capsegs ? tx->capsegs * 2 : 64;
        ria_segref *s = realloc(tx->segs, (size_t)cap * sizeof *s);
        if (!s)
            return RIA_ENOMEM;
        tx->segs = s;
        tx->capsegs = cap;
    }
    tx->segs[tx->nsegs++] = *ref;
    return RIA_OK;
}

ria_status ria_txn_begin(const char *dir, bool create, ria_txn **out, ria_error *err)
{
    ria_txn *tx = calloc(1, sizeof *tx);
    if (!tx)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    tx->lock_fd = -1;
    ria_status rc = ensure_layout(dir, create, err);
    if (rc == RIA_OK)
        rc = take_lock(dir, &tx->lock_fd, err);
    if (rc == RIA_OK)
        rc = ria_store_open(dir, &tx->st, err);
    if (rc == RIA_OK)
        rc = ria_store_snapshot(tx->st, 0, &tx->base, err);
    if (rc != RIA_OK)
        goto done;
    tx->version = tx->base->info.version + 1;
    tx->tag = (uint32_t)ria_mix64((uint64_t)getpid() ^ (uint64_t)(ria_now() * 1e9));
    if ((rc = grow_cols(tx, tx->base->ncols + 1)) != RIA_OK) {
        rc = ria_fail(err, rc, "out of memory");
        goto done;
    }
    for (int i = 0; i < tx->base->ncols; i++) {
        tx->cols[i] = tx->base->cols[i];
        txn_dict *d = &tx->dicts[i];
        d->active = tx->cols[i].kind == RIA_KIND_CODE;
        d->base = store_dict_state(tx->base, (uint32_t)i);
        ria_buf_init(&d->pending, 0);
    }
    tx->ncols = tx->base->ncols;
    for (int i = 0; i < tx->base->nsegs; i++)
        if ((rc = push_seg(tx, &tx->base->segs[i])) != RIA_OK) {
            rc = ria_fail(err, rc, "out of memory");
            goto done;
        }
done:
    if (rc != RIA_OK) {
        ria_txn_free(tx);
        return rc;
    }
    *out = tx;
    return RIA_OK;
}

void ria_txn_free(ria_txn *tx)
{
    if (!tx)
        return;
    for (int i = 0; i < tx->ncols; i++) {
        if (tx->dicts[i].loaded)
            ria_strmap_free(&tx->dicts[i].map);
        ria_buf_free(&tx->dicts[i].pending);
    }
    free(tx->dicts);
    free(tx->cols);
    free(tx->segs);
    ria_snapshot_free(tx->base);
    ria_store_close(tx->st);
    if (tx->lock_fd >= 0)
        close(tx->lock_fd); /* releases the flock */
    free(tx);
}

ria_snapshot *ria_txn_base(ria_txn *tx)
{
    return tx->base;
}

const char *ria_txn_dir(const ria_txn *tx)
{
    return tx->st->dir;
}

int64_t ria_txn_version(const ria_txn *tx)
{
    return tx->version;
}

int ria_txn_ncols(const ria_txn *tx)
{
    return tx->ncols;
}

const ria_column *ria_txn_col(const ria_txn *tx, uint32_t id)
{
    return id < (uint32_t)tx->ncols ? &tx->cols[id] : NULL;
}

ria_status ria_txn_add_column(ria_txn *tx, const char *name, const char *label, ria_role role,
                              ria_type type, ria_kind kind, uint32_t *out_id, ria_error *err)
{
    for (int i = 0; i < tx->ncols; i++)
        if (strcmp(tx->cols[i].name, name) == 0)
            return ria_fail(err, RIA_EINVAL, "column %s already exists", name);
    if (grow_cols(tx, tx->ncols + 1) != RIA_OK)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    ria_column *c = &tx->cols[tx->ncols];
    memset(c, 0, sizeof *c);
    c->id = (uint32_t)tx->ncols;
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->label, sizeof c->label, "%s", label);
    c->role = role;
    c->type = type;
    c->kind = kind;
    txn_dict *d = &tx->dicts[tx->ncols];
    memset(d, 0, sizeof *d);
    d->active = kind == RIA_KIND_CODE;
    ria_buf_init(&d->pending, 0);
    *out_id = c->id;
    tx->ncols++;
    return RIA_OK;
}

/* Loads the base dictionary of a column into its staging map. */
static ria_status load_dict(ria_txn *tx, uint32_t col, ria_error *err)
{
    txn_dict *d = &tx->dicts[col];
    ria_strmap_init(&d->map);
    d->loaded = true;
    ria_dict *bd = col < (uint32_t)tx->base->ncols ? tx->base->dicts[col] : NULL;
    for (uint32_t c = 1; bd && c <= bd->count; c++)
        if (ria_strmap_put(&d->map, bd->strs[c], bd->lens[c], c, NULL) != RIA_OK)
            return ria_fail(err, RIA_ENOMEM, "out of memory");
    return RIA_OK;
}

ria_status ria_txn_intern(ria_txn *tx, uint32_t col, const char *s, size_t n,
                          uint32_t *out_code, ria_error *err)
{
    if (col >= (uint32_t)tx->ncols || !tx->dicts[col].active)
        return ria_fail(err, RIA_EINTERNAL, "column %u has no dictionary", col);
    if (n == 0) {
        *out_code = 0;
        return RIA_OK;
    }
    txn_dict *d = &tx->dicts[col];
    if (!d->loaded) {
        ria_status rc = load_dict(tx, col, err);
        if (rc != RIA_OK)
            return rc;
    }
    uint32_t next = (uint32_t)ria_strmap_count(&d->map) + 1, code;
    if (ria_strmap_put(&d->map, s, n, next, &code) != RIA_OK)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    if (code == next) {
        if (next > RIA_DICT_MAX_CODES)
            return ria_fail(err, RIA_ELIMIT,
                            "column %s has more than %u distinct values; it cannot be kept as a "
                            "dictionary",
                            tx->cols[col].name, RIA_DICT_MAX_CODES);
        uint32_t len = (uint32_t)n;
        if (ria_buf_append(&d->pending, &len, 4) != RIA_OK ||
            ria_buf_append(&d->pending, s, n) != RIA_OK)
            return ria_fail(err, RIA_ENOMEM, "out of memory");
    }
    *out_code = code;
    return RIA_OK;
}

ria_slice ria_txn_dict_str(const ria_txn *tx, uint32_t col, uint32_t code)
{
    if (col >= (uint32_t)tx->ncols || code == 0)
        return (ria_slice){"", 0};
    const txn_dict *d = &tx->dicts[col];
    if (!d->loaded) {
        ria_dict *bd = col < (uint32_t)tx->base->ncols ? tx->base->dicts[col] : NULL;
        if (bd && code <= bd->count)
            return (ria_slice){bd->strs[code], bd->lens[code]};
        return (ria_slice){"", 0};
    }
    const struct ria_strmap_entry *e = ria_strmap_at(&d->map, code - 1);
    return e ? (ria_slice){e->key, e->len} : (ria_slice){"", 0};
}

uint32_t ria_txn_dict_count(const ria_txn *tx, uint32_t col)
{
    if (col >= (uint32_t)tx->ncols)
        return 0;
    const txn_dict *d = &tx->dicts[col];
    if (d->loaded)
        return (uint32_t)ria_strmap_count(&d->map);
    return d->base.count;
}

ria_status ria_txn_path(const ria_txn *tx, const char *rel, char *out, size_t outsz,
                        ria_error *err)
{
    return ria_path_join(out, outsz, err, "%s/%s", tx->st->dir, rel);
}

ria_status ria_txn_new_segment(ria_txn *tx, int partition, ria_segref *out, ria_error *err)
{
    char part[8], dir[4200];
    ria_partition_name(partition, part);
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "v%lld-%08x-%u", (long long)tx->version, tx->tag,
             tx->seg_counter++);
    snprintf(out->path, sizeof out->path, "data/%s/%s.seg", part, out->id);
    snprintf(out->fp_path, sizeof out->fp_path, "data/%s/%s.fp", part, out->id);
    out->partition = partition;
    out->created = tx->version;
    snprintf(dir, sizeof dir, "%s/data/%s", tx->st->dir, part);
    return ria_mkdirs(dir, err);
}

static int find_seg(const ria_txn *tx, const char *id)
{
    for (int i = 0; i < tx->nsegs; i++)
        if (strcmp(tx->segs[i].id, id) == 0)
            return i;
    return -1;
}

ria_status ria_txn_add_segment(ria_txn *tx, const ria_segref *ref, ria_error *err)
{
    if (find_seg(tx, ref->id) >= 0)
        return ria_fail(err, RIA_EINTERNAL, "segment %s added twice", ref->id);
    if (push_seg(tx, ref) != RIA_OK)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    tx->rows_added += ref->rows - ref->deleted;
    return RIA_OK;
}

ria_status ria_txn_remove_segment(ria_txn *tx, const char *id, ria_error *err)
{
    int i = find_seg(tx, id);
    if (i < 0)
        return ria_fail(err, RIA_ENOTFOUND, "segment %s is not live", id);
    const ria_segref *s = &tx->segs[i];
    if (s->created == tx->version)
        tx->rows_added -= s->rows - s->deleted;
    else
        tx->rows_removed += s->rows - s->deleted;
    tx->segs[i] = tx->segs[--tx->nsegs];
    return RIA_OK;
}

void ria_txn_remove_all(ria_txn *tx)
{
    while (tx->nsegs)
        ria_txn_remove_segment(tx, tx->segs[0].id, NULL);
}

ria_status ria_txn_set_dv(ria_txn *tx, const char *id, const uint8_t *bits, uint64_t ndeleted,
                          ria_error *err)
{
    int i = find_seg(tx, id);
    if (i < 0)
        return ria_fail(err, RIA_ENOTFOUND, "segment %s is not live", id);
    ria_segref *s = &tx->segs[i];
    if (ndeleted < s->deleted || ndeleted > s->rows)
        return ria_fail(err, RIA_EINTERNAL, "deletion count of %s went from %llu to %llu", id,
                        (unsigned long long)s->deleted, (unsigned long long)ndeleted);
    char part[8], path[4200];
    ria_partition_name(s->partition, part);
    snprintf(s->dv_path, sizeof s->dv_path, "data/%s/%s.%lld.dv", part, s->id,
             (long long)tx->version);
    snprintf(path, sizeof path, "%s/%s", tx->st->dir, s->dv_path);
    ria_status rc = ria_dv_write(path, bits, s->rows, err);
    if (rc != RIA_OK)
        return rc;
    uint64_t more = ndeleted - s->deleted;
    if (s->created == tx->version)
        tx->rows_added -= more;
    else
        tx->rows_removed += more;
    s->deleted = ndeleted;
    return RIA_OK;
}

int ria_txn_nsegs(const ria_txn *tx)
{
    return tx->nsegs;
}

const ria_segref *ria_txn_seg(const ria_txn *tx, int i)
{
    return i >= 0 && i < tx->nsegs ? &tx->segs[i] : NULL;
}

/* ---------------------------------------------------------------- commit */

/* Appends a column's staged entries to its dictionary file and returns the
 * state the commit records. */
static ria_status commit_dict(ria_txn *tx, uint32_t col, dict_state *out, ria_error *err)
{
    txn_dict *d = &tx->dicts[col];
    *out = d->base;
    if (!d->loaded || d->pending.len == 0)
        return RIA_OK;
    char path[4200];
    store_dict_path(tx->st->dir, col, path, sizeof path);
    ria_buf all;
    ria_buf_init(&all, 0);
    ria_status rc = RIA_OK;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return ria_fail(err, RIA_EIO, "%s: %s", path, strerror(errno));
    /* the whole committed prefix, for its hash: header + every entry */
    if (ria_buf_append(&all, RIA_DICT_MAGIC, RIA_DICT_HEADER) != RIA_OK)
        goto nomem;
    for (uint32_t c = 0; c < d->base.count; c++) {
        const struct ria_strmap_entry *e = ria_strmap_at(&d->map, c);
        if (ria_buf_append(&all, &e->len, 4) != RIA_OK || ria_buf_append(&all, e->key, e->len) != RIA_OK)
            goto nomem;
    }
    if (ria_buf_append(&all, d->pending.data, d->pending.len) != RIA_OK)
        goto nomem;
    /* drop whatever an interrupted writer left beyond the committed prefix,
     * then append (a new file gets its header too) */
    uint64_t off = d->base.bytes;
    if (ftruncate(fd, (off_t)off) != 0 ||
        pwrite(fd, all.data + off, all.len - off, (off_t)off) != (ssize_t)(all.len - off) ||
        fsync(fd) != 0) {
        rc = ria_fail(err, RIA_EIO, "%s: %s", path, strerror(errno));
        goto done;
    }
    out->count = (uint32_t)ria_strmap_count(&d->map);
    out->bytes = all.len;
    out->hash = ria_hash64(all.data, all.len);
    goto done;
nomem:
    rc = ria_fail(err, RIA_ENOMEM, "out of memory");
done:
    close(fd);
    ria_buf_free(&all);
    return rc;
}

static ria_status write_json(const char *dir, const char *rel, json_t *j, ria_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!text)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    ria_status rc = ria_write_file_atomic(path, text, strlen(text), err);
    free(text);
    return rc;
}

static json_t *build_manifest(ria_txn *tx, const char *op, json_t *dicts, json_t *report,
                              const char *model_rel)
{
    uint64_t live = 0;
    json_t *segs = json_array(), *cols = json_array();
    for (int i = 0; i < tx->nsegs; i++) {
        json_array_append_new(segs, segref_to_json(&tx->segs[i]));
        live += tx->segs[i].rows - tx->segs[i].deleted;
    }
    for (int i = 0; i < tx->ncols; i++)
        json_array_append_new(cols, column_to_json(&tx->cols[i]));
    const char *summary = "";
    if (report && json_is_string(json_object_get(report, "summary")))
        summary = json_string_value(json_object_get(report, "summary"));
    json_t *m = json_pack("{s:i, s:I, s:I, s:s, s:I, s:I, s:I, s:s, s:o, s:o, s:o, s:s}", "format",
                          RIA_STORE_FORMAT, "version", (json_int_t)tx->version, "time",
                          (json_int_t)ria_wall_time(), "operation", op, "rows_added",
                          (json_int_t)tx->rows_added, "rows_removed",
                          (json_int_t)tx->rows_removed, "live_rows", (json_int_t)live, "summary",
                          summary, "columns", cols, "dicts", dicts, "segments", segs, "model",
                          model_rel);
    if (m && report)
        json_object_set(m, "report", report);
    return m;
}

/* True when segment s has a file written by this transaction. */
static bool touched(const ria_txn *tx, const ria_segref *s)
{
    char suffix[32];
    snprintf(suffix, sizeof suffix, ".%lld.dv", (long long)tx->version);
    size_t n = strlen(s->dv_path), k = strlen(suffix);
    return s->created == tx->version || (n >= k && strcmp(s->dv_path + n - k, suffix) == 0);
}

static ria_status fsync_partitions(ria_txn *tx, ria_error *err)
{
    char path[4200], part[8], last[8] = "";
    for (int i = 0; i < tx->nsegs; i++) {
        if (!touched(tx, &tx->segs[i]))
            continue;
        ria_partition_name(tx->segs[i].partition, part);
        if (strcmp(part, last) == 0)
            continue;
        memcpy(last, part, sizeof part);
        snprintf(path, sizeof path, "%s/data/%s", tx->st->dir, part);
        ria_status rc = ria_fsync_dir(path, err);
        if (rc != RIA_OK)
            return rc;
    }
    snprintf(path, sizeof path, "%s/dict", tx->st->dir);
    return ria_fsync_dir(path, err);
}

ria_status ria_txn_commit(ria_txn *tx, const char *op, void *report_v, void *model_v,
                          int64_t *out_version, ria_error *err)
{
    json_t *report = report_v, *model = model_v, *dicts = json_object(), *m = NULL;
    json_t *views = NULL, *files = NULL;
    char rel[128], path[4200];
    ria_status rc = RIA_OK;
    for (int i = 0; i < tx->ncols; i++) {
        if (!tx->dicts[i].active)
            continue;
        dict_state ds;
        if ((rc = commit_dict(tx, (uint32_t)i, &ds, err)) != RIA_OK)
            goto done;
        char key[16], hash[24];
        snprintf(key, sizeof key, "%d", i);
        snprintf(hash, sizeof hash, "%016llx", (unsigned long long)ds.hash);
        json_object_set_new(dicts, key, json_pack("{s:I, s:I, s:s}", "count", (json_int_t)ds.count,
                                                  "bytes", (json_int_t)ds.bytes, "hash", hash));
    }
    if ((rc = fsync_partitions(tx, err)) != RIA_OK)
        goto done;
    const char *base_model = tx->base->manifest
                                 ? json_string_value(json_object_get(tx->base->manifest, "model"))
                                 : NULL;
    snprintf(rel, sizeof rel, "%s", base_model ? base_model : "");
    if (model) {
        snprintf(rel, sizeof rel, "models/%lld.json", (long long)tx->version);
        if ((rc = write_json(tx->st->dir, rel, model, err)) != RIA_OK)
            goto done;
    }
    if (report) {
        char rrel[64];
        snprintf(rrel, sizeof rrel, "reports/%lld.json", (long long)tx->version);
        if ((rc = write_json(tx->st->dir, rrel, report, err)) != RIA_OK)
            goto done;
    }
    /* rollups of exactly this version's rows, written before the log entry */
    if ((rc = views_commit(tx, model, &views, &files, err)) != RIA_OK)
        goto done;
    m = build_manifest(tx, op, dicts, report, rel);
    dicts = NULL;
    if (!m) {
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
        goto done;
    }
    if (views) {
        json_object_set_new(m, "views", views);
        json_object_set_new(m, "files", files);
        views = files = NULL;
    }
    /* the publishing step: one atomic rename of a fully written log entry */
    char *text = json_dumps(m, JSON_INDENT(1) | JSON_SORT_KEYS);
    if (!text) {
        rc = ria_fail(err, RIA_ENOMEM, "out of memory");
        goto done;
    }
    store_log_path(tx->st->dir, tx->version, path, sizeof path);
    rc = ria_write_file_atomic(path, text, strlen(text), err);
    free(text);
    if (rc != RIA_OK)
        goto done;
    if (model) {
        /* the user-editable copy follows the commit */
        if (write_json(tx->st->dir, "model.json", model, err) != RIA_OK)
            ria_log(RIA_LOG_WARN, "could not update model.json: %s", err->msg);
    }
    if (out_version)
        *out_version = tx->version;
done:
    json_decref(dicts);
    json_decref(m);
    json_decref(views);
    json_decref(files);
    return rc;
}
