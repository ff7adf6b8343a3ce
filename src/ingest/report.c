/*
 * report.c — what a load tells its user: the quarantine CSV (every rejected
 * row with file, line, rule and reason), the progress bar on a terminal, and
 * the reconciliation report (JSON, saved with the commit, and printed).
 * Invariant of every report: rows_read = accepted + quarantined + duplicates
 * + superseded.
 */
#include "load_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------ quarantine */

ria_status quarantine_open(loader *L, ria_error *err)
{
    char path[4200];
    snprintf(L->quar_rel, sizeof L->quar_rel, "quarantine/%lld.csv",
             (long long)ria_txn_version(L->tx));
    ria_status rc = ria_txn_path(L->tx, L->quar_rel, path, sizeof path, err);
    if (rc != RIA_OK)
        return rc;
    L->quar = fopen(path, "w");
    if (!L->quar)
        return ria_fail(err, RIA_EIO, "%s: %s", path, strerror(errno));
    fputs("file,line,rule,reason,record\n", L->quar);
    return RIA_OK;
}

ria_status quarantine_write(loader *L, const chunk_rows *c, ria_error *err)
{
    for (size_t i = 0; i < c->nquar; i++) {
        const quarantine_row *q = &c->quar[i];
        const char *name = L->files[q->file];
        ria_fput_csv_field(L->quar, name, strlen(name), false);
        fprintf(L->quar, ",%llu,%s,", (unsigned long long)q->line, ria_rule_get(q->rule)->name);
        const char *reason = q->detail && *q->detail ? q->detail : ria_rule_get(q->rule)->description;
        ria_fput_csv_field(L->quar, reason, strlen(reason), false);
        fputc(',', L->quar);
        ria_fput_csv_field(L->quar, q->raw.p, q->raw.n, false);
        fputc('\n', L->quar);
    }
    if (ferror(L->quar))
        return ria_fail(err, RIA_EIO, "writing %s: %s", L->quar_rel, strerror(errno));
    return RIA_OK;
}

bool quarantine_close(loader *L, bool keep)
{
    if (!L->quar)
        return true;
    bool ok = fflush(L->quar) == 0 && fsync(fileno(L->quar)) == 0 && !ferror(L->quar);
    ok &= fclose(L->quar) == 0;
    L->quar = NULL;
    if (!keep || !ok || L->quarantined == 0) {
        char path[4200];
        if (ria_txn_path(L->tx, L->quar_rel, path, sizeof path, NULL) == RIA_OK)
            unlink(path);
    }
    return ok;
}

/* -------------------------------------------------------------- progress */

static void human_bytes(double b, char *out, size_t n)
{
    const char *unit[] = {"B", "KB", "MB", "GB", "TB"};
    int u = 0;
    while (b >= 1000 && u < 4) {
        b /= 1000;
        u++;
    }
    snprintf(out, n, u ? "%.1f %s" : "%.0f %s", b, unit[u]);
}

void progress_update(loader *L, bool force)
{
    if (!L->opts.progress && !L->opts.on_progress)
        return;
    double now = ria_now();
    if (!force && now - L->last_progress < 0.2)
        return;
    L->last_progress = now;
    if (L->opts.on_progress)
        L->opts.on_progress(L->opts.progress_ctx, L->bytes_done, L->bytes_total);
    if (!L->opts.progress)
        return;
    double dt = now - L->started;
    if (dt <= 0)
        return;
    char done[32], total[32], line[200];
    human_bytes((double)L->bytes_done, done, sizeof done);
    double mbs = (double)L->bytes_done / dt / 1e6, rps = (double)L->rows_read / dt;
    int k;
    if (L->bytes_total > 0) {
        human_bytes((double)L->bytes_total, total, sizeof total);
        double frac = RIA_MIN(1.0, (double)L->bytes_done / (double)L->bytes_total);
        double eta = frac > 0 ? dt * (1 - frac) / frac : 0;
        int bar = (int)(frac * 24);
        char bars[25];
        for (int i = 0; i < 24; i++)
            bars[i] = i < bar ? '#' : '.';
        bars[24] = 0;
        k = snprintf(line, sizeof line,
                     "\r  ingest [%s] %3.0f%%  %s / %s  %.0f MB/s  %.2f M rows/s  ETA %d:%02d ", bars,
                     frac * 100, done, total, mbs, rps / 1e6, (int)eta / 60, (int)eta % 60);
    } else {
        k = snprintf(line, sizeof line, "\r  ingest  %s  %.0f MB/s  %.2f M rows/s ", done, mbs,
                     rps / 1e6);
    }
    fwrite(line, 1, (size_t)RIA_MIN(k, (int)sizeof line - 1), stderr);
    L->progress_drawn = true;
}

void progress_done(loader *L)
{
    if (L->progress_drawn) {
        fputs("\r\033[K", stderr);
        L->progress_drawn = false;
    }
}

/* ---------------------------------------------------------------- report */

void report_file(loader *L, uint32_t fi, const ria_csv_stats *st, json_t *notes)
{
    const file_plan *p = &L->plans[fi];
    L->blank_lines += st->blank_lines;
    char delim[3] = {st->delim == '\t' ? '\\' : st->delim, st->delim == '\t' ? 't' : 0, 0};
    json_t *f = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:I, s:I, s:o}", "name", L->files[fi],
                          "bytes", (json_int_t)st->in_bytes, "rows", (json_int_t)L->file_rows[fi],
                          "encoding", ria_csv_encoding_name(st->encoding), "delimiter", delim,
                          "date_format", ria_date_format_name(p->order_fmt), "blank_lines",
                          (json_int_t)st->blank_lines, "malformed_records",
                          (json_int_t)st->errors, "notes", notes);
    if (f && p->order_fmt_ambiguous)
        json_object_set_new(f, "date_format_ambiguous", json_true());
    json_array_append_new(L->file_reports, f);
}

static json_t *rules_json(const loader *L)
{
    json_t *rules = json_object();
    for (int r = 0; r < RIA_RULE_COUNT; r++) {
        const rule_count *rc = &L->rules[r];
        if (!rc->count)
            continue;
        const ria_rule_info *info = ria_rule_get((ria_rule)r);
        json_t *ex = json_array();
        for (int k = 0; k < rc->nlines; k++)
            json_array_append_new(ex, json_pack("{s:s, s:I}", "file", L->files[rc->files[k]],
                                                "line", (json_int_t)rc->lines[k]));
        json_object_set_new(rules, info->name,
                            json_pack("{s:s, s:I, s:s, s:o}", "outcome",
                                      ria_outcome_name(info->outcome), "count",
                                      (json_int_t)rc->count, "description", info->description,
                                      "examples", ex));
    }
    return rules;
}

json_t *report_build(loader *L, const fin_ctx *fin)
{
    uint64_t dropped = fin->duplicates + fin->superseded;
    uint64_t accepted = L->accepted - dropped;
    double dt = ria_now() - L->started;
    char summary[256], threshold[16] = "";
    snprintf(summary, sizeof summary,
             "read %llu rows: %llu accepted, %llu quarantined, %llu duplicates%s",
             (unsigned long long)L->rows_read, (unsigned long long)accepted,
             (unsigned long long)L->quarantined, (unsigned long long)fin->duplicates,
             fin->superseded ? ", superseded rows replaced in the same load" : "");
    if (L->rules[RIA_RULE_OLD_DATE].count)
        ria_format_date(ria_floor_div(L->old_threshold, RIA_SECS_PER_DAY), threshold);
    const char *mode = L->opts.mode == RIA_MODE_UPSERT    ? "upsert"
                       : L->opts.mode == RIA_MODE_REPLACE ? "replace"
                                                          : "append";
    json_t *r = json_pack(
        "{s:s, s:s, s:O, s:I, s:I, s:I, s:I, s:I, s:b, s:I, s:I, s:o, s:s, s:f, s:f, s:f}",
        "summary", summary, "mode", mode, "files", L->file_reports, "rows_read",
        (json_int_t)L->rows_read, "accepted", (json_int_t)accepted, "quarantined",
        (json_int_t)L->quarantined, "duplicates", (json_int_t)fin->duplicates, "superseded",
        (json_int_t)fin->superseded, "reconciled",
        L->rows_read == accepted + L->quarantined + dropped, "blank_lines",
        (json_int_t)L->blank_lines, "converted_rows", (json_int_t)L->converted_rows, "rules",
        rules_json(L), "quarantine_file", L->quarantined ? L->quar_rel : "", "seconds", dt,
        "mb_per_s", dt > 0 ? (double)L->bytes_done / dt / 1e6 : 0.0, "rows_per_s",
        dt > 0 ? (double)L->rows_read / dt : 0.0);
    if (r && L->upsert)
        json_object_set_new(r, "upsert",
                            json_pack("{s:I, s:I, s:I}", "updated", (json_int_t)fin->updated,
                                      "inserted", (json_int_t)fin->inserted, "stored_rows_replaced",
                                      (json_int_t)fin->replaced));
    if (r && threshold[0])
        json_object_set_new(r, "old_date_before", json_string(threshold));
    return r;
}

/* -------------------------------------------------------------- printing */

static void print_count(FILE *f, const char *label, json_int_t n)
{
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%lld", (long long)n), k = 0;
    char out[48];
    for (int i = 0; i < len; i++) {
        out[k++] = buf[i];
        if (buf[i] != '-' && (len - i - 1) % 3 == 0 && i != len - 1)
            out[k++] = ',';
    }
    out[k] = 0;
    fprintf(f, "  %-12s %15s\n", label, out);
}

void ria_ingest_print_report(FILE *f, const void *report_v)
{
    json_t *r = (json_t *)report_v;
    json_int_t read = 0, acc = 0, quar = 0, dup = 0, sup = 0, blank = 0;
    double secs = 0, mbs = 0, rps = 0;
    const char *qfile = "";
    json_unpack(r, "{s:I, s:I, s:I, s:I, s:I, s:I, s:F, s:F, s:F, s:s}", "rows_read", &read,
                "accepted", &acc, "quarantined", &quar, "duplicates", &dup, "superseded", &sup,
                "blank_lines", &blank, "seconds", &secs, "mb_per_s", &mbs, "rows_per_s", &rps,
                "quarantine_file", &qfile);
    json_t *files = json_object_get(r, "files"), *file;
    size_t i;
    json_array_foreach(files, i, file)
    {
        const char *name = json_string_value(json_object_get(file, "name"));
        const char *enc = json_string_value(json_object_get(file, "encoding"));
        const char *df = json_string_value(json_object_get(file, "date_format"));
        fprintf(f, "%s: %lld rows, %s, dates %s%s\n", name ? name : "?",
                (long long)json_integer_value(json_object_get(file, "rows")), enc ? enc : "?",
                df ? df : "?",
                json_is_true(json_object_get(file, "date_format_ambiguous"))
                    ? " (ambiguous: month first assumed)"
                    : "");
        json_t *notes = json_object_get(file, "notes"), *n;
        size_t k;
        json_array_foreach(notes, k, n) fprintf(f, "  %s\n", json_string_value(n));
    }
    json_int_t conv = json_integer_value(json_object_get(r, "converted_rows"));
    if (conv)
        fprintf(f, "  %lld rows were not UTF-8 and were converted from Windows-1252\n",
                (long long)conv);
    fprintf(f, "reconciliation (%.1f s, %.0f MB/s, %.2f M rows/s):\n", secs, mbs, rps / 1e6);
    print_count(f, "rows read", read);
    print_count(f, "accepted", acc);
    print_count(f, "quarantined", quar);
    print_count(f, "duplicates", dup);
    if (sup)
        print_count(f, "superseded", sup);
    fprintf(f, "  %s: %lld = %lld + %lld + %lld%s\n",
            json_is_true(json_object_get(r, "reconciled")) ? "balanced" : "NOT BALANCED",
            (long long)read, (long long)acc, (long long)quar, (long long)dup,
            sup ? " + superseded" : "");
    json_t *up = json_object_get(r, "upsert");
    if (up)
        fprintf(f, "upsert: %lld keys updated, %lld inserted, %lld stored rows replaced\n",
                (long long)json_integer_value(json_object_get(up, "updated")),
                (long long)json_integer_value(json_object_get(up, "inserted")),
                (long long)json_integer_value(json_object_get(up, "stored_rows_replaced")));
    json_t *rules = json_object_get(r, "rules");
    if (json_object_size(rules))
        fprintf(f, "quality rules:\n");
    static const char *const order[] = {"reject", "flag", "fix"};
    for (int o = 0; o < 3; o++) {
        const char *name;
        json_t *rule;
        json_object_foreach(rules, name, rule)
        {
            const char *outcome = json_string_value(json_object_get(rule, "outcome"));
            if (!outcome || strcmp(outcome, order[o]) != 0)
                continue;
            json_t *ex = json_object_get(rule, "examples");
            json_t *first = json_array_get(ex, 0);
            char where[64] = "";
            if (first)
                snprintf(where, sizeof where, " (first at line %lld)",
                         (long long)json_integer_value(json_object_get(first, "line")));
            fprintf(f, "  %-6s %-22s %10lld  %s%s\n", outcome, name,
                    (long long)json_integer_value(json_object_get(rule, "count")),
                    json_string_value(json_object_get(rule, "description")), where);
        }
    }
    const char *before = json_string_value(json_object_get(r, "old_date_before"));
    if (before)
        fprintf(f, "  (old_date: order dates before %s)\n", before);
    if (qfile && *qfile)
        fprintf(f, "quarantined rows: %s\n", qfile);
}
