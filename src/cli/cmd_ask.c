/*
 * cmd_ask.c — `ria ask "question"`: one question, printed for a terminal or
 * as the answer JSON.
 */
#include "ask/ask.h"
#include "cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

const cli_opt ask_opts[] = {
    CLI_OPT_STORE,
    {"json", 0, NULL, "print the answer object as JSON"},
    {"anchor", 0, "DATE", "the \"today\" of relative dates (default: the latest order date)"},
    {"no-cache", 0, NULL, "compute the answer even if it is cached"},
    {"no-views", 0, NULL, "always scan the base table"},
    CLI_OPT_HELP,
    {0},
};

/* Parses --anchor as a date or timestamp (end of that day for a date). */
bool cli_anchor(const cli_command *cmd, const cli_args *a, int64_t *out)
{
    const char *s = cli_get(cmd, a, "anchor", NULL);
    *out = 0;
    if (!s)
        return true;
    bool ht;
    if (ria_parse_date(s, strlen(s), RIA_DATE_ISO, out, &ht) != 1) {
        cli_fail(cmd, RIA_EINVAL, "--anchor: '%s' is not a date (YYYY-MM-DD)", s);
        return false;
    }
    if (!ht)
        *out += RIA_SECS_PER_DAY - 1;
    return true;
}

int cmd_ask(const cli_command *cmd, cli_args *a)
{
    ria_ask_opts o = {0};
    if (!cli_anchor(cmd, a, &o.anchor))
        return 2;
    o.no_cache = cli_flag(cmd, a, "no-cache");
    o.no_views = cli_flag(cmd, a, "no-views");
    ria_error err = {0};
    ria_store *st = NULL;
    ria_asker *k = NULL;
    if (ria_store_open(cli_store_dir(cmd, a), &st, &err) != RIA_OK ||
        ria_asker_open(st, &o, &k, &err) != RIA_OK) {
        ria_store_close(st);
        return cli_fail_err(cmd, &err);
    }
    ria_buf q;
    ria_buf_init(&q, 0);
    for (int i = 0; i < a->npos; i++)
        ria_buf_printf(&q, "%s%s", i ? " " : "", a->pos[i]);
    void *ans = NULL;
    int ec = 0;
    if (ria_ask(k, NULL, q.data ? q.data : "", &ans, &err) != RIA_OK) {
        ec = cli_fail_err(cmd, &err);
    } else if (cli_flag(cmd, a, "json")) {
        json_dumpf(ans, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(16));
        fputc('\n', stdout);
    } else {
        ria_answer_print(stdout, ans);
    }
    /* 0 answered, 3 not understood or out of scope (as `ria summary`), 1 an error */
    const char *status = ans ? json_string_value(json_object_get(ans, "status")) : NULL;
    if (!ec && status && strcmp(status, "error") == 0)
        ec = 1;
    else if (!ec && status && strcmp(status, "answered") != 0)
        ec = 3;
    json_decref(ans);
    ria_buf_free(&q);
    ria_asker_free(k);
    ria_store_close(st);
    return ec;
}
