/*
 * cmd_chat.c — `ria chat`: an interactive prompt.  Questions are asked in
 * one session, so follow-ups ("and in Texas?", "by month") refine the
 * previous answer.  Line editing and history come from libedit when the
 * input is a terminal; otherwise lines are read plainly (scripts, tests).
 *
 * Commands: :help, :reset (a new conversation), :json (toggle JSON
 * output), :sql (the SQL of the last answer), :summary [PERIOD], :quit.
 */
#include "ask/ask.h"
#include "cli.h"

#include <editline/readline.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const cli_opt chat_opts[] = {
    CLI_OPT_STORE,
    {"anchor", 0, "DATE", "the \"today\" of relative dates (default: the latest order date)"},
    {"json", 0, NULL, "print answers as JSON"},
    {"history", 0, "FILE", "history file (default: $RIA_HISTORY, else ~/.ria_history)"},
    CLI_OPT_HELP,
    {0},
};

typedef struct {
    ria_asker *asker;
    ria_session *session;
    bool json;
    json_t *last;          /* the last answer */
} chat;

static void chat_help(void)
{
    printf("Ask about the sales in plain English, for example:\n"
           "  revenue by category last quarter\n"
           "  and in Texas?\n"
           "  break that down by month\n"
           "Commands: :help  :reset (new conversation)  :json (toggle JSON)  :sql (last SQL)\n"
           "          :summary [PERIOD]  :quit\n");
}

static void show(const chat *c, json_t *ans, bool summary)
{
    if (c->json) {
        json_dumpf(ans, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(16));
        fputc('\n', stdout);
    } else if (summary) {
        ria_summary_print(stdout, ans);
    } else {
        ria_answer_print(stdout, ans);
    }
}

/* Handles one line; returns false to leave. */
static bool chat_line(chat *c, const char *line, ria_error *err)
{
    ria_slice s = ria_trim(line, strlen(line));
    if (!s.n)
        return true;
    if (s.p[0] == ':') {
        if (strncmp(s.p, ":quit", 5) == 0 || strncmp(s.p, ":q", s.n) == 0 ||
            strncmp(s.p, ":exit", 5) == 0)
            return false;
        if (strncmp(s.p, ":help", 5) == 0) {
            chat_help();
        } else if (strncmp(s.p, ":reset", 6) == 0) {
            ria_session_free(c->session);
            c->session = ria_session_new();
            printf("(a new conversation)\n");
        } else if (strncmp(s.p, ":json", 5) == 0) {
            c->json = !c->json;
            printf("(JSON output %s)\n", c->json ? "on" : "off");
        } else if (strncmp(s.p, ":sql", 4) == 0) {
            json_t *sql = json_object_get(c->last, "sql");
            size_t i;
            json_t *q;
            if (!json_array_size(sql))
                printf("(no SQL yet)\n");
            json_array_foreach(sql, i, q) printf("%s;\n", json_string_value(q));
        } else if (strncmp(s.p, ":summary", 8) == 0) {
            char period[256];
            snprintf(period, sizeof period, "%.*s", (int)(s.n - 8), s.p + 8);
            void *rep = NULL;
            if (ria_summary(c->asker, period, &rep, err) != RIA_OK) {
                fprintf(stderr, "ria chat: %s\n", err->msg);
                return true;
            }
            show(c, rep, true);
            json_decref(rep);
        } else {
            printf("unknown command '%.*s' (:help lists them)\n", (int)s.n, s.p);
        }
        return true;
    }
    if (strcmp(line, "exit") == 0 || strcmp(line, "quit") == 0)
        return false;
    char *q = strndup(s.p, s.n);
    void *ans = NULL;
    if (!q || ria_ask(c->asker, c->session, q, &ans, err) != RIA_OK) {
        fprintf(stderr, "ria chat: %s\n", q ? err->msg : "out of memory");
        free(q);
        return true;
    }
    free(q);
    show(c, ans, false);
    json_decref(c->last);
    c->last = ans;
    return true;
}

static void history_path(const cli_command *cmd, cli_args *a, char *out, size_t n)
{
    const char *h = cli_get(cmd, a, "history", NULL);
    if (!h)
        h = getenv("RIA_HISTORY");
    if (h) {
        snprintf(out, n, "%s", h);
        return;
    }
    const char *home = getenv("HOME");
    snprintf(out, n, "%s/.ria_history", home && *home ? home : ".");
}

int cmd_chat(const cli_command *cmd, cli_args *a)
{
    ria_ask_opts o = {0};
    if (!cli_anchor(cmd, a, &o.anchor))
        return 2;
    ria_error err = {0};
    ria_store *st = NULL;
    chat c = {0};
    c.json = cli_flag(cmd, a, "json");
    int ec = cli_open_asker(cmd, a, &o, &st, &c.asker);
    if (ec)
        return ec;
    c.session = ria_session_new();
    bool tty = isatty(STDIN_FILENO);
    char hist[4096];
    history_path(cmd, a, hist, sizeof hist);
    if (tty) {
        using_history();
        read_history(hist);
        printf("ria chat on data version %lld: ask about the sales (:help, :quit).\n",
               (long long)ria_asker_version(c.asker));
    }
    for (;;) {
        char *line = NULL;
        if (tty) {
            line = readline("ria> ");
            if (!line)
                break;
            if (*line)
                add_history(line);
        } else {
            size_t cap = 0;
            if (getline(&line, &cap, stdin) < 0) {
                free(line);
                break;
            }
            line[strcspn(line, "\r\n")] = 0;
        }
        /* a new commit since the last question is picked up */
        ria_asker_refresh(c.asker, &err);
        bool go = chat_line(&c, line, &err);
        free(line);
        if (!go)
            break;
        if (tty)
            fputc('\n', stdout);
        fflush(stdout);
    }
    if (tty)
        write_history(hist);
    json_decref(c.last);
    ria_session_free(c.session);
    ria_asker_free(c.asker);
    ria_store_close(st);
    return 0;
}
