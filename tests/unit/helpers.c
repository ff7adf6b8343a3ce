/*
 * helpers.c — the shared helpers of the unit tests (see helpers.h): paths
 * under the test directory, files, generated CSV and loads into the store.
 */
#include "helpers.h"

#include "gen/gen.h"

#include <stdarg.h>

const char *th_pathf(const char *fmt, ...)
{
    static char buf[16][1024];
    static int k;
    char *p = buf[k++ % 16];
    int n = snprintf(p, sizeof buf[0], "%s/", test_tmpdir());
    if (n < 0 || (size_t)n >= sizeof buf[0])
        return p;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p + n, sizeof buf[0] - (size_t)n, fmt, ap);
    va_end(ap);
    return p;
}

const char *th_path(const char *rel)
{
    return th_pathf("%s", rel);
}

const char *th_store_dir(void)
{
    static char dir[1024];
    snprintf(dir, sizeof dir, "%s/store", test_tmpdir());
    return dir;
}

bool th_write_file(const char *path, const char *text, size_t n)
{
    FILE *f = fopen(path, "wb");
    HCHECK(f, "cannot create %s", path);
    fwrite(text, 1, n, f);
    HCHECK(fclose(f) == 0, "cannot write %s", path);
    return true;
}

static ria_status to_file(void *ctx, const char *p, size_t n, ria_error *err)
{
    (void)err;
    return fwrite(p, 1, n, ctx) == n ? RIA_OK : RIA_EIO;
}

bool th_gen_csv(const char *name, uint64_t rows, uint64_t seed, const char *start, int years)
{
    ria_gen_options o;
    ria_gen_options_default(&o);
    o.rows = rows;
    o.seed = seed;
    o.threads = 2;
    if (years > 0)
        o.years = years;
    if (start) {
        int y, m, d;
        HCHECK(sscanf(start, "%d-%d-%d", &y, &m, &d) == 3, "bad date %s", start);
        o.start = ria_days_from_civil(y, m, d);
    }
    FILE *f = fopen(th_path(name), "wb");
    HCHECK(f, "cannot create %s", name);
    ria_error err = {0};
    ria_status rc = ria_gen_run(&o, to_file, f, NULL, &err);
    fclose(f);
    HCHECK(rc == RIA_OK, "gen: %s", err.msg);
    return true;
}

/* Loads name into the test store; the report into *report (when not NULL). */
static bool load(const char *name, ria_ingest_mode mode, const char *key, json_t **report)
{
    ria_ingest_opts o = {0};
    o.mode = mode;
    o.key = key;
    o.threads = 2;
    o.quiet = true;
    ria_ingest_result res;
    ria_error err = {0};
    char *files[1] = {(char *)th_path(name)};
    ria_status rc = ria_ingest_run(th_store_dir(), files, 1, &o, &res, &err);
    HCHECK(rc == RIA_OK, "ingest of %s: %s", name, err.msg);
    if (report) {
        *report = res.report;
        res.report = NULL;
    }
    ria_ingest_result_free(&res);
    return true;
}

json_t *th_ingest_report(const char *name, ria_ingest_mode mode, const char *key)
{
    json_t *r = NULL;
    return load(name, mode, key, &r) ? r : NULL;
}

bool th_ingest(const char *name, ria_ingest_mode mode, const char *key)
{
    return load(name, mode, key, NULL);
}

bool th_open_snapshot(int64_t version, ria_store **st, ria_snapshot **s)
{
    ria_error err = {0};
    *st = NULL;
    *s = NULL;
    HCHECK(ria_store_open(th_store_dir(), st, &err) == RIA_OK, "open: %s", err.msg);
    if (ria_store_snapshot(*st, version, s, &err) != RIA_OK) {
        ria_store_close(*st);
        *st = NULL;
        HCHECK(false, "snapshot %lld: %s", (long long)version, err.msg);
    }
    return true;
}

int th_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}
