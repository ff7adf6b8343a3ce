/*
 * cmd_sql.c — `ria sql`: run a read-only SELECT (or explain it) and print
 * the result as an aligned table, CSV or JSON; --batch runs one query per
 * input line and prints one JSON object per query (used by the
 * differential tests and benchmarks).
 */
#include "cli.h"
#include "engine/engine.h"

#include <math.h>
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

static void print_csv(const ria_result *r, FILE *f)
{
    ria_buf b;
    ria_buf_init(&b, 0);
    for (int c = 0; c < r->ncols; c++) {
        fputs(c ? "," : "", f);
        ria_fput_csv_field(f, r->cols[c].name, strlen(r->cols[c].name), false);
    }
    fputc('\n', f);
    for (size_t i = 0; i < r->nrows; i++) {
        for (int c = 0; c < r->ncols; c++) {
            ria_buf_reset(&b);
            cell(r, i, c, &b, true);
            fputs(c ? "," : "", f);
            ria_fput_csv_field(f, b.data ? b.data : "", b.len, false);
        }
        fputc('\n', f);
    }
    ria_buf_free(&b);
}

/* ---------------------------------------------------------------- JSON
 * Written here rather than through jansson, whose numbers are doubles:
 * decimals and integers beyond 64 bits are printed digit for digit. */

/* A JSON string: UTF-8 kept, control characters escaped, invalid bytes
 * replaced by U+FFFD. */
static void json_str(ria_buf *b, const char *s, size_t n)
{
    ria_buf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            ria_buf_putc(b, '\\');
            ria_buf_putc(b, (char)c);
            i++;
        } else if (c < 0x20) {
            const char *esc = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r"
                              : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
            if (esc)
                ria_buf_puts(b, esc);
            else
                ria_buf_printf(b, "\\u%04x", c);
            i++;
        } else if (c < 0x80) {
            ria_buf_putc(b, (char)c);
            i++;
        } else {
            /* a well-formed sequence (no overlongs, surrogates or > U+10FFFF) */
            size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
            bool ok = len && i + len <= n;
            for (size_t k = 1; ok && k < len; k++)
                ok = ((unsigned char)s[i + k] & 0xC0) == 0x80;
            if (ok && len == 3) {
                unsigned char d = (unsigned char)s[i + 1];
                ok = !(c == 0xE0 && d < 0xA0) && !(c == 0xED && d >= 0xA0);
            } else if (ok && len == 4) {
                unsigned char d = (unsigned char)s[i + 1];
                ok = !(c == 0xF0 && d < 0x90) && !(c == 0xF4 && d >= 0x90);
            }
            if (ok) {
                ria_buf_append(b, s + i, len);
                i += len;
            } else {
                ria_buf_puts(b, "\xEF\xBF\xBD");
                i++;
            }
        }
    }
    ria_buf_putc(b, '"');
}

/* A double as jansson prints one (17 significant digits, always a '.' or an
 * exponent, no '+' or leading zeros in the exponent); not finite: null. */
static void json_double(ria_buf *b, double d)
{
    if (!isfinite(d)) {
        ria_buf_puts(b, "null");
        return;
    }
    char num[64];
    snprintf(num, sizeof num, "%.17g", d);
    char *e = strchr(num, 'e');
    if (!e && !strchr(num, '.'))
        snprintf(num + strlen(num), sizeof num - strlen(num), ".0");
    if (e) {
        char *q = e + 1, *from = q;
        if (*from == '+')
            from++;
        else if (*from == '-')
            from++, q++;
        while (*from == '0' && from[1])
            from++;
        memmove(q, from, strlen(from) + 1);
    }
    ria_buf_puts(b, num);
}

static void json_value(ria_buf *b, const ria_value *v)
{
    if (v->is_null) {
        ria_buf_puts(b, "null");
        return;
    }
    switch (v->type) {
    case RIA_V_BOOL: ria_buf_puts(b, v->i ? "true" : "false"); return;
    case RIA_V_INT:
    case RIA_V_DEC: ria_value_format(v, true, b); return; /* exact digits, a JSON number */
    case RIA_V_DOUBLE: json_double(b, v->d); return;
    default: {
        ria_buf t;
        ria_buf_init(&t, 0);
        ria_value_format(v, true, &t);
        json_str(b, t.data ? t.data : "", t.len);
        ria_buf_free(&t);
        return;
    }
    }
}

static const char *unit_name(ria_value_unit u)
{
    return u == RIA_UNIT_MONEY ? "money" : u == RIA_UNIT_COUNT ? "count" : u == RIA_UNIT_RATIO ? "ratio" : "";
}

/* Layout: pretty (two-space indents, one value a line) or compact. */
typedef struct {
    ria_buf *b;
    bool pretty;
} jout;

static void jbreak(const jout *j, int depth)
{
    if (!j->pretty)
        return;
    ria_buf_putc(j->b, '\n');
    for (int i = 0; i < depth; i++)
        ria_buf_puts(j->b, "  ");
}

static void jkey(const jout *j, int depth, bool first, const char *key)
{
    if (!first)
        ria_buf_putc(j->b, ',');
    jbreak(j, depth);
    json_str(j->b, key, strlen(key));
    ria_buf_puts(j->b, j->pretty ? ": " : ":");
}

/* {"columns": [...], "rows": [[...]], "stats": {...}[, "median_ms": x]} */
static void result_json(ria_buf *b, const ria_result *r, const ria_exec_stats *s, double median_ms,
                        bool pretty)
{
    jout j = {b, pretty};
    ria_buf_putc(b, '{');
    jkey(&j, 1, true, "columns");
    ria_buf_putc(b, '[');
    for (int c = 0; c < r->ncols; c++) {
        if (c)
            ria_buf_putc(b, ',');
        jbreak(&j, 2);
        ria_buf_putc(b, '{');
        jkey(&j, 3, true, "name");
        json_str(b, r->cols[c].name, strlen(r->cols[c].name));
        jkey(&j, 3, false, "type");
        json_str(b, ria_vtype_name(r->cols[c].type), strlen(ria_vtype_name(r->cols[c].type)));
        jkey(&j, 3, false, "unit");
        json_str(b, unit_name(r->cols[c].unit), strlen(unit_name(r->cols[c].unit)));
        jbreak(&j, 2);
        ria_buf_putc(b, '}');
    }
    if (r->ncols)
        jbreak(&j, 1);
    ria_buf_putc(b, ']');
    jkey(&j, 1, false, "rows");
    ria_buf_putc(b, '[');
    for (size_t i = 0; i < r->nrows; i++) {
        if (i)
            ria_buf_putc(b, ',');
        jbreak(&j, 2);
        ria_buf_putc(b, '[');
        for (int c = 0; c < r->ncols; c++) {
            if (c)
                ria_buf_putc(b, ',');
            jbreak(&j, 3);
            json_value(b, ria_result_at(r, i, c));
        }
        if (r->ncols)
            jbreak(&j, 2);
        ria_buf_putc(b, ']');
    }
    if (r->nrows)
        jbreak(&j, 1);
    ria_buf_putc(b, ']');
    jkey(&j, 1, false, "stats");
    ria_buf_putc(b, '{');
    const char *names[] = {"rows_scanned", "bytes_read", "partitions", "partitions_pruned",
                           "blocks", "blocks_pruned"};
    uint64_t vals[] = {s->rows_scanned, s->bytes_read, s->partitions_total, s->partitions_pruned,
                       s->blocks_total, s->blocks_pruned};
    for (size_t k = 0; k < RIA_ARRAY_LEN(names); k++) {
        jkey(&j, 2, k == 0, names[k]);
        ria_buf_printf(b, "%llu", (unsigned long long)vals[k]);
    }
    jkey(&j, 2, false, "view");
    json_str(b, s->view, strlen(s->view));
    jkey(&j, 2, false, "seconds");
    json_double(b, s->seconds);
    jkey(&j, 2, false, "version");
    ria_buf_printf(b, "%lld", (long long)s->version);
    jbreak(&j, 1);
    ria_buf_putc(b, '}');
    if (!isnan(median_ms)) {
        jkey(&j, 1, false, "median_ms");
        json_double(b, median_ms);
    }
    jbreak(&j, 0);
    ria_buf_putc(b, '}');
}

/* {"error": msg[, "pos": offset]} on one line. */
static void error_json(ria_buf *b, const char *msg, int pos)
{
    ria_buf_puts(b, "{\"error\":");
    json_str(b, msg, strlen(msg));
    if (pos >= 0)
        ria_buf_printf(b, ",\"pos\":%d", pos);
    ria_buf_putc(b, '}');
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

/* One run of a query: parse, bind, canonicalize, execute.  A parse or
 * bind error is in *serr (with its offset), an execution error in *err;
 * *res is the result on success (the caller frees it). */
typedef struct {
    ria_result *res;
    ria_exec_stats st;
    ria_sql_error serr;
    ria_error err;
    double seconds;
} run_out;

static ria_status run_once(runner *r, const char *sql, run_out *o)
{
    memset(o, 0, sizeof *o);
    ria_arena a;
    ria_arena_init(&a, 16 * 1024);
    ria_plan *p = NULL;
    ria_snapshot *snap = NULL;
    bool own = false;
    double t0 = ria_now();
    ria_status rc = plan_for(r, sql, &a, &p, &snap, &own, &o->serr);
    if (rc == RIA_OK)
        rc = ria_execute(snap, p, &r->opts, &o->res, &o->st, &o->err);
    o->seconds = ria_now() - t0;
    if (own)
        ria_snapshot_free(snap);
    ria_arena_free(&a);
    return rc;
}

/* Runs a query `repeat` times after one warm-up run (just once when repeat
 * is 1), stopping at the first error; *o is the last run and *median_ms the
 * median time of the timed runs. */
static ria_status run_repeated(runner *r, const char *sql, int repeat, run_out *o,
                               double *median_ms)
{
    double times[101];
    int n = 0, runs = repeat > 1 ? repeat + 1 : 1;
    ria_status rc = RIA_OK;
    memset(o, 0, sizeof *o);
    for (int k = 0; k < runs && rc == RIA_OK; k++) {
        ria_result_free(o->res);
        rc = run_once(r, sql, o);
        if (k > 0 || runs == 1)
            times[n++] = o->seconds;
    }
    qsort(times, (size_t)n, sizeof *times, cmp_double);
    *median_ms = times[n / 2] * 1e3;
    return rc;
}

/* One query of a batch: a JSON line.  With repeat > 1 the query runs once
 * to warm up and then `repeat` times, each time parsed, bound and executed,
 * and the median wall time is reported.  Returns the query's status. */
static ria_status batch_one(runner *r, const char *sql, int repeat)
{
    run_out o;
    double median_ms;
    ria_status rc = run_repeated(r, sql, repeat, &o, &median_ms);
    ria_buf out;
    ria_buf_init(&out, 0);
    if (rc != RIA_OK && o.serr.msg[0])
        error_json(&out, o.serr.msg, (int)o.serr.pos);
    else if (rc != RIA_OK)
        error_json(&out, o.err.msg, -1);
    else
        result_json(&out, o.res, &o.st, median_ms, false);
    puts(out.data ? out.data : "{}");
    ria_buf_free(&out);
    ria_result_free(o.res);
    return rc;
}

/* Runs every query of the file; the exit status is that of the first
 * query that failed, 0 when all ran. */
static int run_batch(const cli_command *cmd, runner *r, const char *path, int repeat)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f)
        return cli_fail(cmd, RIA_EIO, "%s: cannot open", path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int ec = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        ria_slice t = ria_trim(line, (size_t)n);
        if (!t.n || (t.n >= 2 && t.p[0] == '-' && t.p[1] == '-'))
            continue;
        ((char *)t.p)[t.n] = 0;
        ria_status rc = batch_one(r, t.p, repeat);
        if (rc != RIA_OK && !ec)
            ec = ria_status_exit_code(rc);
        fflush(stdout);
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return ec;
}

static void print_result(const ria_result *res, const ria_exec_stats *st, const char *fmt)
{
    if (strcmp(fmt, "json") == 0) {
        ria_buf b;
        ria_buf_init(&b, 0);
        result_json(&b, res, st, NAN, true);
        puts(b.data ? b.data : "{}");
        ria_buf_free(&b);
    } else if (strcmp(fmt, "csv") == 0) {
        print_csv(res, stdout);
    } else {
        print_table(res, stdout);
    }
}

/* --explain: the canonical SQL, then how the plan would run. */
static int explain(const cli_command *cmd, runner *r, const char *sql)
{
    ria_arena ar;
    ria_arena_init(&ar, 16 * 1024);
    ria_plan *p = NULL;
    ria_snapshot *snap = NULL;
    bool own = false;
    ria_sql_error serr = {0};
    ria_error err = {0};
    int ec = 0;
    if (plan_for(r, sql, &ar, &p, &snap, &own, &serr) != RIA_OK) {
        ria_buf b;
        ria_buf_init(&b, 0);
        ria_sql_error_format(sql, &serr, &b);
        fprintf(stderr, "ria sql: %s\n", b.data ? b.data : serr.msg);
        ria_buf_free(&b);
        ec = ria_status_exit_code(serr.code);
    } else {
        ria_buf b;
        ria_buf_init(&b, 0);
        ria_buf_puts(&b, "query: ");
        ria_plan_sql(p, &b);
        ria_buf_putc(&b, '\n');
        if (ria_explain(snap, p, &r->opts, &b, &err) != RIA_OK)
            ec = cli_fail_err(cmd, &err);
        else
            fputs(b.data, stdout);
        ria_buf_free(&b);
    }
    if (own)
        ria_snapshot_free(snap);
    ria_arena_free(&ar);
    return ec;
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
    bool repeated = cli_get(cmd, a, "repeat", NULL) != NULL;
    if (repeated && cli_flag(cmd, a, "explain"))
        return cli_fail(cmd, RIA_EINVAL, "--repeat times queries; it does not go with --explain");
    ria_error err = {0};
    if (ria_store_open(cli_store_dir(cmd, a), &r.st, &err) != RIA_OK)
        return cli_fail_err(cmd, &err);
    int ec = 0;
    const char *sql = batch ? NULL : a->pos[0];
    if (batch) {
        ec = run_batch(cmd, &r, batch, (int)repeat);
    } else if (cli_flag(cmd, a, "explain")) {
        ec = explain(cmd, &r, sql);
    } else {
        run_out o;
        double median_ms;
        ria_status rc = run_repeated(&r, sql, (int)repeat, &o, &median_ms);
        if (rc != RIA_OK && o.serr.msg[0]) {
            ria_buf b;
            ria_buf_init(&b, 0);
            ria_sql_error_format(sql, &o.serr, &b);
            fprintf(stderr, "ria sql: %s\n", b.data ? b.data : o.serr.msg);
            ria_buf_free(&b);
            ec = ria_status_exit_code(o.serr.code);
        } else if (rc != RIA_OK) {
            ec = cli_fail_err(cmd, &o.err);
        } else {
            print_result(o.res, &o.st, fmt);
            if (cli_flag(cmd, a, "stats"))
                print_stats(&o.st);
            if (repeated)
                fprintf(stderr, "%lld runs after one warm-up: median %.3f ms\n",
                        (long long)repeat, median_ms);
        }
        ria_result_free(o.res);
    }
    ria_snapshot_free(r.latest);
    ria_store_close(r.st);
    return ec;
}
