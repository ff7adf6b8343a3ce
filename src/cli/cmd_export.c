/*
 * cmd_export.c — `ria export`: the table (live rows of a version) as CSV on
 * stdout or into a file, in segment order.  Values are written so that
 * ingesting the export gives the same table back.
 */
#include "cli.h"
#include "store/store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const cli_opt export_opts[] = {
    CLI_OPT_STORE,
    {"version", 'v', "N", "export version N (default: latest)"},
    {"out", 'o', "FILE", "write to FILE (default: stdout)"},
    CLI_OPT_HELP,
    {0},
};

static void put_i64(FILE *f, const ria_column *c, int64_t v)
{
    char buf[48];
    if (v == RIA_NULL_I64)
        return;
    switch (c->type) {
    case RIA_T_DECIMAL: {
        int n = ria_format_decimal(v, 4, buf);
        while (n > 0 && buf[n - 1] == '0')
            buf[--n] = 0;
        if (n > 0 && buf[n - 1] == '.')
            buf[--n] = 0;
        fputs(buf, f);
        return;
    }
    case RIA_T_DATE: ria_format_date(v, buf); break;
    case RIA_T_TIMESTAMP: ria_format_ts(v, buf); break;
    default: snprintf(buf, sizeof buf, "%lld", (long long)v); break;
    }
    fputs(buf, f);
}

typedef struct {
    int64_t *i64;
    uint32_t *codes;
    ria_heapvec heap;
    ria_scratch scratch;
} col_buf;

static ria_status export_segment(FILE *f, ria_snapshot *s, int si, col_buf *cb, ria_error *err)
{
    ria_segment *seg;
    const uint8_t *dv;
    ria_status rc = ria_snapshot_segment(s, si, &seg, err);
    if (rc == RIA_OK)
        rc = ria_snapshot_dv(s, si, &dv, err);
    uint64_t row0 = 0;
    for (uint32_t b = 0; rc == RIA_OK && b < ria_segment_nblocks(seg); b++) {
        uint32_t nb = ria_segment_block_rows(seg, b);
        for (int c = 0; rc == RIA_OK && c < s->ncols; c++) {
            const ria_column *col = &s->cols[c];
            if (col->kind == RIA_KIND_I64)
                rc = ria_segment_read_i64(seg, col->id, b, cb[c].i64, err);
            else if (col->kind == RIA_KIND_CODE)
                rc = ria_segment_read_codes(seg, col->id, b, cb[c].codes, err);
            else
                rc = ria_segment_read_heap(seg, col->id, b, &cb[c].heap, &cb[c].scratch, err);
        }
        for (uint32_t r = 0; rc == RIA_OK && r < nb; r++) {
            if (ria_dv_get(dv, row0 + r))
                continue;
            for (int c = 0; c < s->ncols; c++) {
                const ria_column *col = &s->cols[c];
                if (c)
                    fputc(',', f);
                if (col->kind == RIA_KIND_I64) {
                    put_i64(f, col, cb[c].i64[r]);
                } else if (col->kind == RIA_KIND_CODE) {
                    uint32_t code = cb[c].codes[r];
                    const ria_dict *d = s->dicts[c];
                    if (code && d && code <= d->count)
                        ria_fput_csv_field(f, d->strs[code], d->lens[code], true);
                } else {
                    const ria_heapvec *h = &cb[c].heap;
                    ria_fput_csv_field(f, h->bytes + h->offs[r], h->offs[r + 1] - h->offs[r], true);
                }
            }
            fputc('\n', f);
        }
        row0 += nb;
    }
    return rc;
}

int cmd_export(const cli_command *cmd, cli_args *a)
{
    int64_t version = 0;
    const char *vs = cli_get(cmd, a, "version", NULL);
    if (vs && (!ria_parse_i64(vs, &version) || version < 1))
        return cli_fail(cmd, RIA_EINVAL, "--version: '%s' is not a version number", vs);
    ria_error err = {0};
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    if (ria_store_open(cli_store_dir(cmd, a), &st, &err) != RIA_OK ||
        ria_store_snapshot(st, version, &s, &err) != RIA_OK) {
        ria_store_close(st);
        return cli_fail_err(cmd, &err);
    }
    const char *out = cli_get(cmd, a, "out", NULL);
    FILE *f = out ? fopen(out, "w") : stdout;
    if (!f) {
        int e = errno;
        ria_snapshot_free(s);
        ria_store_close(st);
        return cli_fail(cmd, RIA_EIO, "%s: %s", out, strerror(e));
    }
    col_buf *cb = calloc((size_t)s->ncols + 1, sizeof *cb);
    ria_status rc = cb ? RIA_OK : ria_fail(&err, RIA_ENOMEM, "out of memory");
    for (int c = 0; rc == RIA_OK && c < s->ncols; c++) {
        cb[c].i64 = malloc(RIA_BLOCK_ROWS * sizeof(int64_t));
        cb[c].codes = malloc(RIA_BLOCK_ROWS * sizeof(uint32_t));
        if (!cb[c].i64 || !cb[c].codes)
            rc = ria_fail(&err, RIA_ENOMEM, "out of memory");
    }
    for (int c = 0; rc == RIA_OK && c < s->ncols; c++) {
        if (c)
            fputc(',', f);
        ria_fput_csv_field(f, s->cols[c].name, strlen(s->cols[c].name), true);
    }
    if (rc == RIA_OK)
        fputc('\n', f);
    for (int i = 0; rc == RIA_OK && i < s->nsegs; i++)
        rc = export_segment(f, s, i, cb, &err);
    if (rc == RIA_OK && (fflush(f) != 0 || ferror(f)))
        rc = ria_fail(&err, RIA_EIO, "writing %s: %s", out ? out : "stdout", strerror(errno));
    for (int c = 0; cb && c < s->ncols; c++) {
        free(cb[c].i64);
        free(cb[c].codes);
        ria_scratch_free(&cb[c].scratch);
    }
    free(cb);
    if (out)
        fclose(f);
    ria_snapshot_free(s);
    ria_store_close(st);
    return rc == RIA_OK ? 0 : cli_fail_err(cmd, &err);
}
