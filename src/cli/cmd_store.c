/*
 * cmd_store.c — the store commands: info, versions, compact, vacuum.
 */
#include "cli.h"
#include "ingest/ingest.h"
#include "store/store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

const cli_opt info_opts[] = {
    CLI_OPT_STORE,
    {"version", 'v', "N", "describe version N (default: latest)"},
    {"partitions", 'p', NULL, "list every partition"},
    {"json", 0, NULL, "print as JSON"},
    CLI_OPT_HELP,
    {0},
};
const cli_opt versions_opts[] = {CLI_OPT_STORE, {"json", 0, NULL, "print as JSON"}, CLI_OPT_HELP, {0}};
const cli_opt compact_opts[] = {
    CLI_OPT_STORE,
    {"max-rows", 0, "N", "largest segment to build (default 2M rows)"},
    {"threads", 'j', "N", "threads (default: all cores)"},
    CLI_OPT_HELP,
    {0},
};
const cli_opt vacuum_opts[] = {
    CLI_OPT_STORE,
    {"keep", 0, "N", "keep the last N versions readable (default 1)"},
    {"older-than", 0, "AGE", "instead, drop versions older than AGE (30d, 12h) or a date"},
    {"dry-run", 'n', NULL, "only count what would be removed"},
    CLI_OPT_HELP,
    {0},
};

static void commas(uint64_t v, char *out, size_t n)
{
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    size_t k = 0;
    for (int i = 0; i < len && k + 2 < n; i++) {
        out[k++] = buf[i];
        if ((len - i - 1) % 3 == 0 && i != len - 1)
            out[k++] = ',';
    }
    out[k] = 0;
}

static void human(uint64_t b, char *out, size_t n)
{
    const char *u[] = {"B", "KB", "MB", "GB", "TB"};
    double v = (double)b;
    int i = 0;
    while (v >= 1000 && i < 4)
        v /= 1000, i++;
    snprintf(out, n, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

static const char *kind_label(ria_kind k)
{
    return k == RIA_KIND_CODE ? "dictionary" : k == RIA_KIND_HEAP ? "strings" : "numbers";
}

static ria_status open_snapshot(const cli_command *cmd, cli_args *a, ria_store **st,
                                ria_snapshot **snap, ria_error *err)
{
    int64_t v = 0;
    const char *vs = cli_get(cmd, a, "version", NULL);
    if (vs && (!ria_parse_i64(vs, &v) || v < 1))
        return ria_fail(err, RIA_EINVAL, "--version: '%s' is not a version number", vs);
    ria_status rc = ria_store_open(cli_store_dir(cmd, a), st, err);
    if (rc == RIA_OK)
        rc = ria_store_snapshot(*st, v, snap, err);
    return rc;
}

static json_t *info_json(const ria_snapshot *s, uint64_t bytes)
{
    json_t *cols = json_array(), *parts = json_object();
    for (int i = 0; i < s->ncols; i++) {
        const ria_column *c = &s->cols[i];
        json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", c->name, "label", c->label,
                              "type", ria_type_name(c->type), "storage", kind_label(c->kind),
                              "role", ria_role_name(c->role));
        if (s->dicts[i])
            json_object_set_new(j, "distinct", json_integer(s->dicts[i]->count));
        json_array_append_new(cols, j);
    }
    for (int i = 0; i < s->nsegs; i++) {
        char name[8];
        ria_partition_name(s->segs[i].partition, name);
        json_t *p = json_object_get(parts, name);
        if (!p) {
            p = json_pack("{s:I, s:i, s:I}", "rows", (json_int_t)0, "segments", 0, "bytes",
                          (json_int_t)0);
            json_object_set_new(parts, name, p);
        }
        json_object_set_new(p, "rows", json_integer(json_integer_value(json_object_get(p, "rows")) +
                                                    (json_int_t)(s->segs[i].rows - s->segs[i].deleted)));
        json_object_set_new(p, "segments", json_integer(json_integer_value(json_object_get(p, "segments")) + 1));
        json_object_set_new(p, "bytes", json_integer(json_integer_value(json_object_get(p, "bytes")) +
                                                     (json_int_t)s->segs[i].bytes));
    }
    char from[24] = "", to[24] = "";
    if (s->live_rows) {
        ria_format_ts(s->min_ts, from);
        ria_format_ts(s->max_ts, to);
    }
    return json_pack("{s:I, s:I, s:s, s:I, s:i, s:I, s:s, s:s, s:o, s:o}", "version",
                     (json_int_t)s->info.version, "time", (json_int_t)s->info.time, "operation",
                     s->info.operation, "rows", (json_int_t)s->live_rows, "segments", s->nsegs,
                     "bytes", (json_int_t)bytes, "first_order", from, "last_order", to, "columns",
                     cols, "partitions", parts);
}

int cmd_info(const cli_command *cmd, cli_args *a)
{
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    ria_error err = {0};
    if (open_snapshot(cmd, a, &st, &s, &err) != RIA_OK) {
        ria_store_close(st);
        return cli_fail_err(cmd, &err);
    }
    uint64_t bytes = 0;
    for (int i = 0; i < s->nsegs; i++)
        bytes += s->segs[i].bytes;
    json_t *j = info_json(s, bytes);
    if (cli_flag(cmd, a, "json")) {
        json_object_set_new(j, "store", json_string(ria_store_dir(st)));
        json_dumpf(j, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    } else if (s->info.version == 0) {
        printf("store %s: no data yet (run 'ria ingest FILE')\n", ria_store_dir(st));
    } else {
        char when[24], rows[32], size[32];
        ria_format_ts(s->info.time, when);
        commas(s->live_rows, rows, sizeof rows);
        human(bytes, size, sizeof size);
        json_t *parts = json_object_get(j, "partitions");
        printf("store %s, version %lld (%s UTC, %s)\n", ria_store_dir(st),
               (long long)s->info.version, when, s->info.operation);
        printf("table sales: %s rows, %zu partitions, %d segments, %s", rows,
               json_object_size(parts), s->nsegs, size);
        if (s->live_rows)
            printf(" (%.1f bytes/row)", (double)bytes / (double)s->live_rows);
        printf("\norder dates: %s .. %s\n\n", json_string_value(json_object_get(j, "first_order")),
               json_string_value(json_object_get(j, "last_order")));
        printf("  %-22s %-10s %-11s %-13s %9s  %s\n", "column", "type", "storage", "role",
               "distinct", "source header");
        for (int i = 0; i < s->ncols; i++) {
            const ria_column *c = &s->cols[i];
            char distinct[24] = "";
            if (s->dicts[i])
                commas(s->dicts[i]->count, distinct, sizeof distinct);
            printf("  %-22s %-10s %-11s %-13s %9s  %s\n", c->name, ria_type_name(c->type),
                   kind_label(c->kind), ria_role_name(c->role), distinct, c->label);
        }
        if (cli_flag(cmd, a, "partitions")) {
            printf("\n  %-8s %14s %9s %10s\n", "month", "rows", "segments", "size");
            const char *k;
            json_t *p;
            json_object_foreach(parts, k, p)
            {
                commas((uint64_t)json_integer_value(json_object_get(p, "rows")), rows, sizeof rows);
                human((uint64_t)json_integer_value(json_object_get(p, "bytes")), size, sizeof size);
                printf("  %-8s %14s %9lld %10s\n", k, rows,
                       (long long)json_integer_value(json_object_get(p, "segments")), size);
            }
        }
    }
    json_decref(j);
    ria_snapshot_free(s);
    ria_store_close(st);
    return 0;
}

int cmd_versions(const cli_command *cmd, cli_args *a)
{
    ria_store *st = NULL;
    ria_version_info *vs = NULL;
    int n = 0;
    ria_error err = {0};
    if (ria_store_open(cli_store_dir(cmd, a), &st, &err) != RIA_OK ||
        ria_store_versions(st, &vs, &n, &err) != RIA_OK) {
        ria_store_close(st);
        return cli_fail_err(cmd, &err);
    }
    bool json = cli_flag(cmd, a, "json");
    json_t *arr = json_array();
    if (!json)
        printf("%7s  %-19s  %-8s %12s %12s %12s  %s\n", "version", "time (UTC)", "op", "added",
               "removed", "rows", "report");
    for (int i = 0; i < n; i++) {
        char when[24], add[32], rem[32], live[32];
        ria_format_ts(vs[i].time, when);
        if (json) {
            json_array_append_new(
                arr, json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:s}", "version",
                               (json_int_t)vs[i].version, "time", when, "operation",
                               vs[i].operation, "rows_added", (json_int_t)vs[i].rows_added,
                               "rows_removed", (json_int_t)vs[i].rows_removed, "rows",
                               (json_int_t)vs[i].live_rows, "summary", vs[i].summary));
            continue;
        }
        commas(vs[i].rows_added, add, sizeof add);
        commas(vs[i].rows_removed, rem, sizeof rem);
        commas(vs[i].live_rows, live, sizeof live);
        printf("%7lld  %-19s  %-8s %12s %12s %12s  %s\n", (long long)vs[i].version, when,
               vs[i].operation, add, rem, live, vs[i].summary);
    }
    if (json) {
        json_dumpf(arr, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    } else if (n == 0) {
        printf("(no versions yet)\n");
    }
    json_decref(arr);
    free(vs);
    ria_store_close(st);
    return 0;
}

int cmd_compact(const cli_command *cmd, cli_args *a)
{
    ria_compact_opts o = {0};
    int64_t v;
    if (!cli_int(cmd, a, "max-rows", 2000000, 1000, 1LL << 32, &v))
        return 2;
    o.max_rows = (uint64_t)v;
    if (!cli_int(cmd, a, "threads", 0, 0, 64, &v))
        return 2;
    o.threads = (int)v;
    ria_compact_result r;
    ria_error err = {0};
    if (ria_compact(cli_store_dir(cmd, a), &o, &r, &err) != RIA_OK)
        return cli_fail_err(cmd, &err);
    if (!r.version)
        printf("nothing to compact\n");
    else
        printf("compacted %d segments into %d in %d partitions (%llu rows): version %lld\n",
               r.segments_in, r.segments_out, r.partitions, (unsigned long long)r.rows,
               (long long)r.version);
    return 0;
}

/* "30d", "12h", "90m", "45s" ago, or a date / timestamp. */
static bool parse_age(const char *s, int64_t *out)
{
    size_t n = strlen(s);
    int64_t v;
    char num[32];
    if (n >= 2 && n < sizeof num && strchr("smhdw", s[n - 1])) {
        memcpy(num, s, n - 1);
        num[n - 1] = 0;
        if (ria_parse_i64(num, &v) && v >= 0) {
            int64_t mul = s[n - 1] == 's' ? 1 : s[n - 1] == 'm' ? 60 : s[n - 1] == 'h' ? 3600
                        : s[n - 1] == 'd' ? 86400 : 604800;
            *out = ria_wall_time() - v * mul;
            return true;
        }
    }
    bool ht;
    return ria_parse_date(s, n, RIA_DATE_ISO, out, &ht) == 1;
}

int cmd_vacuum(const cli_command *cmd, cli_args *a)
{
    ria_vacuum_opts o = {0};
    int64_t keep;
    if (!cli_int(cmd, a, "keep", 1, 1, 1LL << 40, &keep))
        return 2;
    o.keep = (int)RIA_MIN(keep, (int64_t)1 << 30);
    const char *age = cli_get(cmd, a, "older-than", NULL);
    if (age && !parse_age(age, &o.older_than))
        return cli_fail(cmd, RIA_EINVAL, "--older-than: '%s' is not an age (30d, 12h) or a date", age);
    if (age && cli_get(cmd, a, "keep", NULL))
        return cli_fail(cmd, RIA_EINVAL, "use either --keep or --older-than");
    o.dry_run = cli_flag(cmd, a, "dry-run");
    ria_vacuum_result r;
    ria_error err = {0};
    if (ria_store_vacuum(cli_store_dir(cmd, a), &o, &r, &err) != RIA_OK)
        return cli_fail_err(cmd, &err);
    char size[32];
    human(r.bytes_removed, size, sizeof size);
    printf("%s %llu files (%s); versions from %lld on stay readable\n",
           o.dry_run ? "would remove" : "removed", (unsigned long long)r.files_removed, size,
           (long long)r.oldest_kept);
    return 0;
}
