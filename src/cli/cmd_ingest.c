/*
 * cmd_ingest.c — `ria ingest FILE... | -`: options to ria_ingest_opts, the
 * report printed (or as JSON), the new version named.
 */
#include "cli.h"
#include "ingest/ingest.h"

#include <jansson.h>
#include <string.h>

const cli_opt ingest_opts[] = {
    CLI_OPT_STORE,
    {"mode", 'm', "MODE", "append (default), upsert or replace"},
    {"key", 'k', "COLS", "upsert key columns, comma-separated (e.g. order_id,line_id)"},
    {"max-amount", 0, "N", "flag amounts above N (default 100000)"},
    {"threads", 'j', "N", "worker threads (default: all cores)"},
    {"memory", 0, "SIZE", "memory budget for row buffers and the duplicate check, e.g. 512M or 2G (default 640M)"},
    {"delimiter", 'd', "C", "field delimiter (default: detected per file)"},
    {"progress", 0, NULL, "draw a progress bar even when stderr is not a terminal"},
    {"quiet", 'q', NULL, "print only the committed version"},
    {"json", 0, NULL, "print the report as JSON"},
    CLI_OPT_HELP,
    {0},
};

static bool parse_mode(const char *s, ria_ingest_mode *out)
{
    if (strcmp(s, "append") == 0)
        *out = RIA_MODE_APPEND;
    else if (strcmp(s, "upsert") == 0)
        *out = RIA_MODE_UPSERT;
    else if (strcmp(s, "replace") == 0)
        *out = RIA_MODE_REPLACE;
    else
        return false;
    return true;
}

int cmd_ingest(const cli_command *cmd, cli_args *a)
{
    ria_ingest_opts o = {0};
    if (!parse_mode(cli_get(cmd, a, "mode", "append"), &o.mode))
        return cli_fail(cmd, RIA_EINVAL, "--mode must be append, upsert or replace");
    o.key = cli_get(cmd, a, "key", NULL);
    if (o.key && o.mode != RIA_MODE_UPSERT)
        return cli_fail(cmd, RIA_EINVAL, "--key only applies to --mode upsert");
    if (o.mode == RIA_MODE_UPSERT && !o.key)
        return cli_fail(cmd, RIA_EINVAL, "--mode upsert needs --key COLS");
    const char *max = cli_get(cmd, a, "max-amount", NULL);
    if (max && (ria_parse_decimal(max, strlen(max), &o.max_amount) != RIA_NUM_OK || o.max_amount <= 0))
        return cli_fail(cmd, RIA_EINVAL, "--max-amount: '%s' is not a positive number", max);
    int64_t threads;
    if (!cli_int(cmd, a, "threads", 0, 0, 64, &threads))
        return 2;
    o.threads = (int)threads;
    const char *mem = cli_get(cmd, a, "memory", NULL);
    uint64_t m = 0;
    if (mem && (!ria_parse_size(mem, &m) || m < (16u << 20)))
        return cli_fail(cmd, RIA_EINVAL, "--memory: '%s' is not a size of at least 16M", mem);
    o.memory = m;
    const char *d = cli_get(cmd, a, "delimiter", NULL);
    if (d) {
        if (strcmp(d, "\\t") == 0 || strcmp(d, "tab") == 0)
            d = "\t";
        if (strlen(d) != 1)
            return cli_fail(cmd, RIA_EINVAL, "--delimiter must be one character");
        o.delimiter = d[0];
    }
    bool json = cli_flag(cmd, a, "json"), quiet = cli_flag(cmd, a, "quiet");
    o.progress = cli_flag(cmd, a, "progress") || (cli_isatty(2) && !quiet && !json);
    int stdin_uses = 0;
    for (int i = 0; i < a->npos; i++)
        stdin_uses += strcmp(a->pos[i], "-") == 0;
    if (stdin_uses > 1)
        return cli_fail(cmd, RIA_EINVAL, "standard input (-) can be read only once");
    ria_ingest_result res;
    ria_error err = {0};
    const char *dir = cli_store_dir(cmd, a);
    ria_status rc = ria_ingest_run(dir, a->pos, a->npos, &o, &res, &err);
    if (rc != RIA_OK)
        return cli_fail_err(cmd, &err);
    if (json) {
        json_t *r = res.report;
        json_object_set_new(r, "version", json_integer(res.version));
        json_dumpf(r, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
        fputc('\n', stdout);
    } else if (quiet) {
        printf("%lld\n", (long long)res.version);
    } else {
        ria_ingest_print_report(stdout, res.report);
        printf("committed version %lld to %s\n", (long long)res.version, dir);
    }
    ria_ingest_result_free(&res);
    return 0;
}
