/*
 * vacuum.c — removes files that no kept version can reach: segments,
 * fingerprints and deletion vectors dropped by later commits, files left by
 * interrupted writers, and the reports, models and quarantine files of
 * versions that are no longer kept.  Log entries stay (history remains
 * visible); versions below the recorded horizon can no longer be read.
 * Runs under the writer lock, so it never races an ingest.
 */
#include "store_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The set of reachable relative paths (a string map used as a set). */
static ria_status mark_version(const char *dir, int64_t v, ria_strmap *keep, ria_error *err)
{
    char path[4200];
    store_log_path(dir, v, path, sizeof path);
    json_error_t je;
    json_t *m = json_load_file(path, 0, &je);
    if (!m)
        return ria_fail(err, RIA_ECORRUPT, "%s: %s", path, je.text);
    json_t *segs = json_object_get(m, "segments"), *s;
    size_t i;
    json_array_foreach(segs, i, s)
    {
        static const char *const keys[] = {"path", "fp", "dv"};
        for (size_t k = 0; k < RIA_ARRAY_LEN(keys); k++) {
            const char *p = json_string_value(json_object_get(s, keys[k]));
            if (p && *p)
                ria_strmap_put(keep, p, strlen(p), 1, NULL);
        }
    }
    const char *model = json_string_value(json_object_get(m, "model"));
    if (model && *model)
        ria_strmap_put(keep, model, strlen(model), 1, NULL);
    /* a report and a quarantine file belong to a version only when its
     * manifest says so (an interrupted load may have left files with the
     * number a later commit took) */
    json_t *report = json_object_get(m, "report");
    if (report) {
        char rel[64];
        int n = snprintf(rel, sizeof rel, "reports/%lld.json", (long long)v);
        ria_strmap_put(keep, rel, (size_t)n, 1, NULL);
        const char *q = json_string_value(json_object_get(report, "quarantine_file"));
        if (q && *q)
            ria_strmap_put(keep, q, strlen(q), 1, NULL);
    }
    /* files of views and other derived data list themselves under "files" */
    json_t *files = json_object_get(m, "files"), *f;
    json_array_foreach(files, i, f)
    {
        const char *p = json_string_value(f);
        if (p && *p)
            ria_strmap_put(keep, p, strlen(p), 1, NULL);
    }
    json_decref(m);
    return RIA_OK;
}

typedef struct {
    const char *root;
    const ria_strmap *keep;
    const ria_vacuum_opts *opts;
    ria_vacuum_result *res;
} sweep_ctx;

/* What a sweep does with one entry of root/rel: its name, and its path
 * root/rel/name. */
typedef void (*entry_fn)(sweep_ctx *c, const char *rel, const char *name, const char *full);

/* Calls f for every entry of the directory root/rel (none when it cannot be
 * opened), "." and ".." included. */
static void each_entry(sweep_ctx *c, const char *rel, entry_fn f)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", c->root, rel);
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        char full[4400];
        snprintf(full, sizeof full, "%s/%s", path, e->d_name);
        f(c, rel, e->d_name, full);
    }
    closedir(d);
}

/* Counts a file removed (or, in a dry run, one that would be). */
static void count_removed(sweep_ctx *c, const struct stat *st)
{
    c->res->files_removed++;
    c->res->bytes_removed += (uint64_t)st->st_size;
}

/* Removes an entry of a sweep that no kept version reaches, recursing into
 * directories (removed when that leaves them empty). */
static void sweep_entry(sweep_ctx *c, const char *rel, const char *name, const char *full)
{
    if (name[0] == '.')
        return;
    char sub[1024];
    snprintf(sub, sizeof sub, "%s/%s", rel, name);
    struct stat st;
    if (lstat(full, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        each_entry(c, sub, sweep_entry);
        if (!c->opts->dry_run)
            rmdir(full); /* only succeeds when empty */
        return;
    }
    if (ria_strmap_get(c->keep, sub, strlen(sub), NULL))
        return;
    if (!c->opts->dry_run && unlink(full) != 0) {
        ria_log(RIA_LOG_WARN, "vacuum: cannot remove %s: %s", full, strerror(errno));
        return;
    }
    count_removed(c, &st);
}

/* Removes a file an interrupted writer left under a temporary name
 * ("<name>.tmp.<pid>"). */
static void temporary_entry(sweep_ctx *c, const char *rel, const char *name, const char *full)
{
    (void)rel;
    if (!strstr(name, ".tmp."))
        return;
    struct stat st;
    if (lstat(full, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    if (!c->opts->dry_run && unlink(full) != 0)
        return;
    count_removed(c, &st);
}

ria_status ria_store_vacuum(const char *dir, const ria_vacuum_opts *opts, ria_vacuum_result *out,
                            ria_error *err)
{
    memset(out, 0, sizeof *out);
    ria_txn *tx = NULL; /* held only for the writer lock */
    ria_store *st = NULL;
    ria_version_info *vs = NULL;
    int n = 0;
    ria_strmap keep;
    ria_strmap_init(&keep);
    ria_status rc = ria_txn_begin(dir, false, &tx, err);
    if (rc == RIA_OK)
        rc = ria_store_open(dir, &st, err);
    if (rc == RIA_OK)
        rc = ria_store_versions(st, &vs, &n, err);
    if (rc != RIA_OK)
        goto done;
    if (n == 0)
        goto done;
    int keep_n = opts->keep > 0 ? opts->keep : 1;
    int first = n - keep_n < 0 ? 0 : n - keep_n;
    if (opts->older_than > 0) {
        first = n - 1;
        while (first > 0 && vs[first - 1].time >= opts->older_than)
            first--;
    }
    int64_t horizon = RIA_MAX(vs[first].version, store_horizon(dir));
    for (int i = 0; i < n; i++)
        if (vs[i].version >= horizon && (rc = mark_version(dir, vs[i].version, &keep, err)) != RIA_OK)
            goto done;
    out->oldest_kept = horizon;
    if (!opts->dry_run && horizon > store_horizon(dir)) {
        char path[4200], text[32];
        int k = snprintf(text, sizeof text, "%lld\n", (long long)horizon);
        snprintf(path, sizeof path, "%s/log/horizon", dir);
        /* the horizon is published before any file goes */
        if ((rc = ria_write_file_atomic(path, text, (size_t)k, err)) != RIA_OK)
            goto done;
    }
    sweep_ctx c = {dir, &keep, opts, out};
    static const char *const areas[] = {"data", "reports", "models", "quarantine", "views"};
    for (size_t i = 0; i < RIA_ARRAY_LEN(areas); i++)
        each_entry(&c, areas[i], sweep_entry);
    each_entry(&c, "log", temporary_entry);
    each_entry(&c, ".", temporary_entry);
done:
    free(vs);
    ria_strmap_free(&keep);
    ria_store_close(st);
    ria_txn_free(tx);
    return rc;
}
