/*
 * cmd_ask.c — `ria ask "question"`: one question, printed for a terminal or
 * as the answer JSON.  Also what the commands that talk to an asker share
 * (ask, chat, eval, summary, serve): --anchor, opening the asker, and the
 * one-shot flow of ask and summary.
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

/* The store and its asker, or the exit code of why not (see cli.h). */
int cli_open_asker(const cli_command *cmd, const cli_args *a, const ria_ask_opts *o,
                   ria_store **out_st, ria_asker **out_k)
{
    ria_error err = {0};
    *out_st = NULL;
    *out_k = NULL;
    if (ria_store_open(cli_store_dir(cmd, a), out_st, &err) != RIA_OK ||
        ria_asker_open(*out_st, o, out_k, &err) != RIA_OK) {
        ria_store_close(*out_st);
        *out_st = NULL;
        return cli_fail_err(cmd, &err);
    }
    return 0;
}

/* The text of a question or period: the positional arguments joined by
 * single spaces (malloc'd). */
static char *joined_args(const cli_args *a)
{
    ria_buf b;
    ria_buf_init(&b, 0);
    for (int i = 0; i < a->npos; i++)
        ria_buf_printf(&b, "%s%s", i ? " " : "", a->pos[i]);
    return ria_buf_steal(&b);
}

/* One question or period answered and printed (see cli.h). */
int cli_ask_run(const cli_command *cmd, cli_args *a, ria_ask_opts *o, const cli_ask_kind *kind)
{
    if (!cli_anchor(cmd, a, &o->anchor))
        return 2;
    ria_store *st;
    ria_asker *k;
    int ec = cli_open_asker(cmd, a, o, &st, &k);
    if (ec)
        return ec;
    char *text = joined_args(a);
    void *obj = NULL;
    ria_error err = {0};
    if (kind->call(k, text ? text : "", &obj, &err) != RIA_OK) {
        ec = cli_fail_err(cmd, &err);
    } else {
        if (cli_flag(cmd, a, "json")) {
            json_dumpf(obj, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(16));
            fputc('\n', stdout);
        } else {
            kind->print(stdout, obj);
        }
        ec = kind->exit_code(json_string_value(json_object_get(obj, "status")));
    }
    json_decref(obj);
    free(text);
    ria_asker_free(k);
    ria_store_close(st);
    return ec;
}

static ria_status ask_one(ria_asker *k, const char *question, void **out, ria_error *err)
{
    return ria_ask(k, NULL, question, out, err);
}

/* 0 answered, 3 not understood or out of scope (as `ria summary`), 1 an error */
static int ask_exit_code(const char *status)
{
    if (status && strcmp(status, "error") == 0)
        return 1;
    return status && strcmp(status, "answered") != 0 ? 3 : 0;
}

int cmd_ask(const cli_command *cmd, cli_args *a)
{
    static const cli_ask_kind kind = {ask_one, ria_answer_print, ask_exit_code};
    ria_ask_opts o = {.no_cache = cli_flag(cmd, a, "no-cache"),
                      .no_views = cli_flag(cmd, a, "no-views")};
    return cli_ask_run(cmd, a, &o, &kind);
}
