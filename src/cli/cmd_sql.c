/*
 * cmd_sql.c — `ria sql`: run a read-only SELECT (or explain it) and print
 * the result as an aligned table, CSV or JSON; --batch runs one query per
 * input line and prints one JSON object per query (used by the
 * differential tests and benchmarks).
 */
#include "cli.h"
#include "engine/engine.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

const cli_opt sql_opts[] = {
    CLI_OPT_STORE,
    {"format", 'F', "FMT", "table (default on a terminal), csv or json"},
    {"explain", 'e', NULL, "show the plan, pruning and view choice instead of running it"},
    {"stats", 's', NULL, "print rows scanned, bytes read, pruning and time to stderr"},
    {"no-views", 0, NULL, "always scan the base table"},
    {"threads", 'j', "N", "threads (default: all cores)"},
    {"batch", 'b', "FILE", "run one query per line of FILE (- = stdin), print JSON lines"},
    {"repeat", 'r', "N", "with --batch: run each query N times and report the median time"},
    CLI_OPT_HELP,
    {0},
};

/* ------------------------------------------------------------- output */

static void cell(const ria_result *r, size_t row, int c, ria_buf *b, bool raw)
{
    const ria_value *v = ria_result_at(r, row, c);
    if (!raw && v->type == RIA_V_DEC && !v->is_null && r->cols[c].unit == RIA_UNIT_MONEY) {
        char num[64];
        ria_format_decimal128(ria_value_i128(v), 2, num);
        ria_buf_puts(b, num);
        return;
    }
    ria_value_format(v, raw, b);
}

static void print_table(const ria_result *r, FILE *f)
{
    size_t *w = calloc((size_t)r->ncols + 1, sizeof *w);
    ria_buf b;
    ria_buf_init(&b, 0);
    for (int c = 0; c < r->ncols; c++)
        w[c] = strlen(r->cols[c].name);
    for (size_t i = 0; i < r->nrows; i++)
        for (int c = 0; c < r->ncols; c++) {
            ria_buf_reset(&b);
            cell(r, i, c, &b, false);
            w[c] = RIA_MAX(w[c], b.len);
        }
    for (int c = 0; c < r->ncols; c++)
        fprintf(f, "%s%-*s", c ? "  " : "", (int)w[c], r->cols[c].name);
    fputc('\n', f);
    for (int c = 0; c < r->ncols; c++) {
        fputs(c ? "  " : "", f);
        for (size_t k = 0; k < w[c]; k++)
            fputc('-', f);
    }
    fputc('\n', f);
    for (size_t i = 0; i < r->nrows; i++) {
        for (int c = 0; c < r->ncols; c++) {
            ria_buf_reset(&b);
            cell(r, i, c, &b, false);
            ria_vtype t = r->cols[c].type;
            bool right = t == RIA_V_INT || t == RIA_V_DEC || t == RIA_V_DOUBLE;
            fprintf(f, "%s%*s%s", c ? "  " : "", right ? (int)w[c] : 0, b.data ? b.data : "",
                    "");
            if (!right && c + 1 < r->ncols)
                fprintf(f, "%*s", (int)(w[c] - b.len), "");
        }
        fputc('\n', f);
    }
    fprintf(f, "(%zu row%s)\n", r->nrows, r->nrows == 1 ? "" : "s");
    ria_buf_free(&b);
    free(w);
}

static void csv_field(FILE *f, const char *p, size_t n)
{
    bool q = false;
    for (size_t i = 0; i < n && !q; i++)
        q = p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r';
    if (!q) {
        fwrite(p, 1, n, f);
        return;
    }
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            fputc('"', f);
        fputc(p[i], f);
    }
    fputc('"', f);
}

static void print_csv(const ria_result *r, FILE *f)
{
    ria_buf b;
    ria_buf_init(&b, 0);
    for (int c = 0; c < r->ncols; c++) {
        fputs(c ? "," : "", f);
        csv_field(f, r->cols[c].name, strlen(r->cols[c].name));
    }
    fputc('\n', f);
    for (size_t i = 0; i < r->nrows; i++) {
        for (int c = 0; c < r->ncols; c++) {
            ria_buf_reset(&b);
            cell(r, i, c, &b, true);
            fputs(c ? "," : "", f);
            csv_field(f, b.data ? b.data : "", b.len);
        }
        fputc('\n', f);
    }
    ria_buf_free(&b);
}

static json_t *json_value(const ria_value *v)
{
    if (v->is_null)
        return json_null();
    switch (v->type) {
    case RIA_V_BOOL: return json_boolean(v->i);
    case RIA_V_INT:
        if (!v->wide)
            return json_integer(v->i);
        return json_real((double)ria_value_i128(v));
    case RIA_V_DEC: {
        /* exact decimal text parsed back as a JSON number */
        char num[64];
        ria_format_decimal128(ria_value_i128(v), 4, num);
        return json_real(strtod(num, NULL));
    }
    case RIA_V_DOUBLE: return json_real(v->d);
    default: {
        ria_buf b;
        ria_buf_init(&b, 0);
        ria_value_format(v, true, &b);
        json_t *s = json_stringn(b.data ? b.data : "", b.len);
        ria_buf_free(&b);
        return s;
    }
    }
}

static const char *unit_name(ria_value_unit u)
{
    return u == RIA_UNIT_MONEY ? "money" : u == RIA_UNIT_COUNT ? "count" : u == RIA_UNIT_RATIO ? "ratio" : "";
}

static json_t *result_json(const ria_result *r)
{
    json_t *cols = json_array(), *rows = json_array();
    for (int c = 0; c < r->ncols; c++)
        json_array_append_new(cols, json_pack("{s:s, s:s, s:s}", "name", r->cols[c].name, "type",
                                              ria_vtype_name(r->cols[c].type), "unit",
                                              unit_name(r->cols[c].unit)));
    for (size_t i = 0; i < r->nrows; i++) {
        json_t *row = json_array();
        for (int c = 0; c < r->ncols; c++)
            json_array_append_new(row, json_value(ria_result_at(r, i, c)));
        json_array_append_new(rows, row);
    }
    return json_pack("{s:o, s:o}", "columns", cols, "rows", rows);
}

static json_t *stats_json(const ria_exec_stats *s)
{
    return json_pack("{s:I, s:I, s:i, s:i, s:i, s:i, s:s, s:f, s:I}", "rows_scanned",
                     (json_int_t)s->rows_scanned, "bytes_read", (json_int_t)s->bytes_read,
                     "partitions", (int)s->partitions_total, "partitions_pruned",
                     (int)s->partitions_pruned, "blocks", (int)s->blocks_total, "blocks_pruned",
                     (int)s->blocks_pruned, "view", s->view, "seconds", s->seconds, "version",
                     (json_int_t)s->version);
}

static void print_stats(const ria_exec_stats *s)
{
    fprintf(stderr,
            "version %lld: %llu rows scanned, %llu bytes read, partitions %u/%u pruned, "
            "blocks %u/%u pruned, %s, %.3f ms\n",
            (long long)s->version, (unsigned long long)s->rows_scanned,
            (unsigned long long)s->bytes_read, s->partitions_pruned, s->partitions_total,
            s->blocks_pruned, s->blocks_total, s->view[0] ? s->view : "base table",
            s->seconds * 1e3);
}

/* ------------------------------------------------------------ running */

typedef struct {
    ria_store *st;
    ria_exec_opts opts;
    ria_snapshot *latest; /* reused across a batch */
} runner;

/* Parses, binds and canonicalizes sql; *out_snap is the snapshot to use
 * (owned by the runner when it is the latest, else by the caller). */
static ria_status plan_for(runner *r, const char *sql, ria_arena *a, ria_plan **out,
                           ria_snapshot **snap, bool *own_snap, ria_sql_error *serr)
{
    ria_status rc = ria_sql_parse(sql, a, out, serr);
    if (rc != RIA_OK)
        return rc;
    ria_error err = {0};
    *own_snap = (*out)->as_of_version || (*out)->as_of_time;
    if (*own_snap) {
        rc = ria_engine_snapshot_for(r->st, *out, snap, &err);
    } else {
        if (!r->latest)
            rc = ria_store_snapshot(r->st, 0, &r->latest, &err);
        *snap = r->latest;
    }
    if (rc != RIA_OK) {
        serr->code = rc;
        serr->pos = 0;
        snprintf(serr->msg, sizeof serr->msg, "%s", err.msg);
        return rc;
    }
    rc = ria_plan_bind(*out, *snap, serr);
    if (rc == RIA_OK)
        ria_plan_canonicalize(*out);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One query of a batch: a JSON line.  With repeat > 1 the query runs once
 * to warm up and then `repeat` times, each time parsed, bound and executed,
 * and the median wall time is reported. */
static void batch_one(runner *r, const char *sql, int repeat)
{
    json_t *out = NULL;
    double times[101];
    int n = 0;
    int runs = repeat > 1 ? repeat + 1 : 1;
    for (int k = 0; k < runs; k++) {
        ria_arena a;
        ria_arena_init(&a, 16 * 1024);
        ria_plan *p = NULL;
        ria_snapshot *snap = NULL;
        bool own = false;
        ria_sql_error serr = {0};
        ria_result *res = NULL;
        ria_exec_stats st;
        ria_error err = {0};
        double t0 = ria_now();
        ria_status rc = plan_for(r, sql, &a, &p, &snap, &own, &serr);
        if (rc == RIA_OK)
            rc = ria_execute(snap, p, &r->opts, &res, &st, &err);
        double dt = ria_now() - t0;
        if (k > 0 || runs == 1)
            times[n++] = dt;
        if (k == runs - 1 || rc != RIA_OK) {
            json_decref(out);
            if (rc != RIA_OK && serr.msg[0])
                out = json_pack("{s:s, s:i}", "error", serr.msg, "pos", (int)serr.pos);
            else if (rc != RIA_OK)
                out = json_pack("{s:s}", "error", err.msg);
            else {
                out = result_json(res);
                json_object_set_new(out, "stats", stats_json(&st));
            }
        }
        ria_result_free(res);
        if (own)
            ria_snapshot_free(snap);
        ria_arena_free(&a);
        if (rc != RIA_OK)
            break;
    }
    if (n && !json_object_get(out, "error")) {
        qsort(times, (size_t)n, sizeof *times, cmp_double);
        json_object_set_new(out, "median_ms", json_real(times[n / 2] * 1e3));
    }
    char *text = json_dumps(out, JSON_COMPACT);
    puts(text ? text : "{}");
    free(text);
    json_decref(out);
}

static int run_batch(const cli_command *cmd, runner *r, const char *path, int repeat)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f)
        return cli_fail(cmd, RIA_EIO, "%s: cannot open", path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0) {
        ria_slice t = ria_trim(line, (size_t)n);
        if (!t.n || (t.n >= 2 && t.p[0] == '-' && t.p[1] == '-'))
            continue;
        ((char *)t.p)[t.n] = 0;
        batch_one(r, t.p, repeat);
        fflush(stdout);
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return 0;
}

int cmd_sql(const cli_command *cmd, cli_args *a)
{
    runner r = {0};
    int64_t threads, repeat;
    if (!cli_int(cmd, a, "threads", 0, 0, 64, &threads) ||
        !cli_int(cmd, a, "repeat", 1, 1, 100, &repeat))
        return 2;
    r.opts.threads = (int)threads;
    r.opts.no_views = cli_flag(cmd, a, "no-views");
    const char *fmt = cli_get(cmd, a, "format", cli_isatty(1) ? "table" : "csv");
    if (strcmp(fmt, "table") && strcmp(fmt, "csv") && strcmp(fmt, "json"))
        return cli_fail(cmd, RIA_EINVAL, "--format must be table, csv or json");
    const char *batch = cli_get(cmd, a, "batch", NULL);
    if (!batch && a->npos != 1)
        return cli_fail(cmd, RIA_EINVAL, "give one SQL statement (quoted), or --batch FILE");
    ria_error err = {0};
    if (ria_store_open(cli_store_dir(cmd, a), &r.st, &err) != RIA_OK)
        return cli_fail_err(cmd, &err);
    int ec = 0;
    if (batch) {
        ec = run_batch(cmd, &r, batch, (int)repeat);
        goto done;
    }
    const char *sql = a->pos[0];
    ria_arena ar;
    ria_arena_init(&ar, 16 * 1024);
    ria_plan *p = NULL;
    ria_snapshot *snap = NULL;
    bool own = false;
    ria_sql_error serr = {0};
    if (plan_for(&r, sql, &ar, &p, &snap, &own, &serr) != RIA_OK) {
        ria_buf b;
        ria_buf_init(&b, 0);
        ria_sql_error_format(sql, &serr, &b);
        fprintf(stderr, "ria sql: %s\n", b.data ? b.data : serr.msg);
        ria_buf_free(&b);
        ec = ria_status_exit_code(serr.code);
    } else if (cli_flag(cmd, a, "explain")) {
        ria_buf b;
        ria_buf_init(&b, 0);
        ria_buf_puts(&b, "query: ");
        ria_plan_sql(p, &b);
        ria_buf_putc(&b, '\n');
        if (ria_explain(snap, p, &r.opts, &b, &err) != RIA_OK)
            ec = cli_fail_err(cmd, &err);
        else
            fputs(b.data, stdout);
        ria_buf_free(&b);
    } else {
        ria_result *res = NULL;
        ria_exec_stats st;
        if (ria_execute(snap, p, &r.opts, &res, &st, &err) != RIA_OK) {
            ec = cli_fail_err(cmd, &err);
        } else {
            if (strcmp(fmt, "json") == 0) {
                json_t *j = result_json(res);
                json_object_set_new(j, "stats", stats_json(&st));
                json_dumpf(j, stdout, JSON_INDENT(2));
                fputc('\n', stdout);
                json_decref(j);
            } else if (strcmp(fmt, "csv") == 0) {
                print_csv(res, stdout);
            } else {
                print_table(res, stdout);
            }
            if (cli_flag(cmd, a, "stats"))
                print_stats(&st);
        }
        ria_result_free(res);
    }
    if (own)
        ria_snapshot_free(snap);
    ria_arena_free(&ar);
done:
    ria_snapshot_free(r.latest);
    ria_store_close(r.st);
    return ec;
}
