/*
 * test_views.c — materialized views (src/store/views.c, rollup.c) and the
 * view router (src/engine/views.c).
 *
 * Maintenance: after every kind of commit (append, upsert changing amounts,
 * replace, compaction) each view's rows equal a GROUP BY of the base table
 * at the same version, read straight from the view's segments, at that
 * version and at every earlier one (time travel); untouched partitions keep
 * their rollup files; vacuum keeps the files kept versions use and removes
 * the rest.
 *
 * Routing: a few hundred generated queries (filters on dimensions, aligned
 * and unaligned time ranges, date parts, every aggregate form, CASE, HAVING,
 * ORDER BY/LIMIT, share-of-total subqueries) give exactly the base table's
 * result through views; queries the views cannot answer (count of distinct
 * order ids, unaligned ranges, non-dimension columns) go to the base table.
 */
#include "engine/engine.h"
#include "gen/gen.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "test.h"

#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define HCHECK(cond, ...)                                                                      \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            test_failed(__FILE__, __LINE__, __VA_ARGS__);                                      \
            return false;                                                                      \
        }                                                                                      \
    } while (0)

/* ---------------------------------------------------------------- helpers */

static const char *tpath(const char *rel)
{
    static char buf[8][1024];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, sizeof buf[0], "%s/%s", test_tmpdir(), rel);
    return p;
}

static const char *store_dir(void)
{
    return tpath("store");
}

static ria_status to_file(void *ctx, const char *p, size_t n, ria_error *err)
{
    (void)err;
    return fwrite(p, 1, n, ctx) == n ? RIA_OK : RIA_EIO;
}

/* Generated sales CSV: rows from `start` (YYYY-MM-DD) over `years` years. */
static bool gen_csv(const char *name, uint64_t rows, uint64_t seed, const char *start, int years)
{
    ria_gen_options o;
    ria_gen_options_default(&o);
    o.rows = rows;
    o.seed = seed;
    o.years = years;
    o.threads = 2;
    int y, m, d;
    HCHECK(sscanf(start, "%d-%d-%d", &y, &m, &d) == 3, "bad date %s", start);
    o.start = ria_days_from_civil(y, m, d);
    FILE *f = fopen(tpath(name), "wb");
    HCHECK(f, "cannot create %s", name);
    ria_error err = {0};
    ria_status rc = ria_gen_run(&o, to_file, f, NULL, &err);
    fclose(f);
    HCHECK(rc == RIA_OK, "gen: %s", err.msg);
    return true;
}

static bool ingest(const char *name, ria_ingest_mode mode, const char *key)
{
    ria_ingest_opts o = {0};
    o.mode = mode;
    o.key = key;
    o.threads = 2;
    o.quiet = true;
    ria_ingest_result res;
    ria_error err = {0};
    char *files[1] = {(char *)tpath(name)};
    ria_status rc = ria_ingest_run(store_dir(), files, 1, &o, &res, &err);
    HCHECK(rc == RIA_OK, "ingest of %s: %s", name, err.msg);
    ria_ingest_result_free(&res);
    return true;
}

/* A result as text: column names, types and units, then one line per row
 * (values formatted exactly: decimals with 4 digits, doubles with 17). */
static void result_text(const ria_result *r, bool sort_rows, ria_buf *out)
{
    for (int c = 0; c < r->ncols; c++)
        ria_buf_printf(out, "%s:%s:%d|", r->cols[c].name, ria_vtype_name(r->cols[c].type),
                       (int)r->cols[c].unit);
    ria_buf_putc(out, '\n');
    char **lines = calloc(r->nrows + 1, sizeof *lines);
    for (size_t i = 0; i < r->nrows; i++) {
        ria_buf b;
        ria_buf_init(&b, 0);
        for (int c = 0; c < r->ncols; c++) {
            const ria_value *v = ria_result_at(r, i, c);
            ria_buf_puts(&b, v->is_null ? "NULL" : "");
            ria_value_format(v, true, &b);
            ria_buf_putc(&b, '|');
        }
        lines[i] = ria_buf_steal(&b);
        if (!lines[i])
            lines[i] = calloc(1, 1);
    }
    if (sort_rows)
        qsort(lines, r->nrows, sizeof *lines, (int (*)(const void *, const void *))strcmp_ptr);
    for (size_t i = 0; i < r->nrows; i++) {
        ria_buf_puts(out, lines[i]);
        ria_buf_putc(out, '\n');
        free(lines[i]);
    }
    free(lines);
}
