/*
 * cmd_summary.c — `ria summary [PERIOD]`: the written report of sales
 * performance for a period (default: the last complete month and the year
 * to date).
 */
#include "ask/ask.h"
#include "cli.h"

#include <string.h>

const cli_opt summary_opts[] = {
    CLI_OPT_STORE,
    {"json", 0, NULL, "print the report object as JSON (with every SQL statement)"},
    {"anchor", 0, "DATE", "the \"today\" of relative periods (default: the latest order date)"},
    {"no-views", 0, NULL, "always scan the base table"},
    CLI_OPT_HELP,
    {0},
};

static int summary_exit_code(const char *status)
{
    return status && strcmp(status, "answered") == 0 ? 0 : 3;
}

int cmd_summary(const cli_command *cmd, cli_args *a)
{
    static const cli_ask_kind kind = {ria_summary, ria_summary_print, summary_exit_code};
    ria_ask_opts o = {.no_views = cli_flag(cmd, a, "no-views")};
    return cli_ask_run(cmd, a, &o, &kind);
}
