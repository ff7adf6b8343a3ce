/*
 * cmd_summary.c — `ria summary [PERIOD]`: the written report of sales
 * performance for a period (default: the last complete month and the year
 * to date).
 */
#include "ask/ask.h"
#include "cli.h"

#include <jansson.h>
#include <string.h>

const cli_opt summary_opts[] = {
    CLI_OPT_STORE,
    {"json", 0, NULL, "print the report object as JSON (with every SQL statement)"},
    {"anchor", 0, "DATE", "the \"today\" of relative periods (default: the latest order date)"},
    {"no-views", 0, NULL, "always scan the base table"},
    CLI_OPT_HELP,
    {0},
};

int cmd_summary(const cli_command *cmd, cli_args *a)
{
    ria_ask_opts o = {0};
    if (!cli_anchor(cmd, a, &o.anchor))
        return 2;
    o.no_views = cli_flag(cmd, a, "no-views");
    ria_error err = {0};
    ria_store *st = NULL;
    ria_asker *k = NULL;
    if (ria_store_open(cli_store_dir(cmd, a), &st, &err) != RIA_OK ||
        ria_asker_open(st, &o, &k, &err) != RIA_OK) {
        ria_store_close(st);
        return cli_fail_err(cmd, &err);
    }
    ria_buf period;
    ria_buf_init(&period, 0);
    for (int i = 0; i < a->npos; i++)
        ria_buf_printf(&period, "%s%s", i ? " " : "", a->pos[i]);
    void *rep = NULL;
    int ec = 0;
    if (ria_summary(k, period.data ? period.data : "", &rep, &err) != RIA_OK) {
        ec = cli_fail_err(cmd, &err);
    } else {
        if (cli_flag(cmd, a, "json")) {
            json_dumpf(rep, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(16));
            fputc('\n', stdout);
        } else {
            ria_summary_print(stdout, rep);
        }
        const char *status = json_string_value(json_object_get(rep, "status"));
        ec = status && strcmp(status, "answered") == 0 ? 0 : 3;
    }
    json_decref(rep);
    ria_buf_free(&period);
    ria_asker_free(k);
    ria_store_close(st);
    return ec;
}
