/*
 * cli.h — the command line: one table of commands (main.c) whose entries
 * carry their usage, summary and options, so dispatch, `--help` and the
 * README's command reference come from the same data.
 *
 * A command's run function gets its parsed arguments and returns a process
 * exit code.  On failure it prints one line "ria CMD: reason" to stderr
 * (cli_fail does this) and returns non-zero.
 */
#ifndef RIA_CLI_H
#define RIA_CLI_H

#include "ask/ask.h"
#include "core/core.h"

typedef struct {
    const char *name;   /* long option name, without "--" */
    char short_name;    /* 0 when none */
    const char *arg;    /* metavariable ("N", "DIR"), NULL for a flag */
    const char *help;   /* one line */
} cli_opt;

#define CLI_MAX_OPTS 40
#define CLI_MAX_POS 256

/* Parsed arguments: option values by name (last one wins; repeated options
 * are also kept in order in `all`), positional arguments. */
typedef struct {
    const char *values[CLI_MAX_OPTS]; /* per option index; flags are "1" */
    int npos;
    char *pos[CLI_MAX_POS];
} cli_args;

typedef struct cli_command {
    const char *name;
    const char *usage;       /* after "ria NAME " */
    const char *summary;     /* one line for the command list */
    const char *description; /* paragraph for --help, may be NULL */
    const cli_opt *opts;     /* terminated by {0} */
    int min_pos, max_pos;    /* positional argument count limits (-1 = any) */
    int (*run)(const struct cli_command *cmd, cli_args *args);
} cli_command;

/* Value of option `name`, or def when absent. */
const char *cli_get(const cli_command *cmd, const cli_args *a, const char *name, const char *def);
bool cli_flag(const cli_command *cmd, const cli_args *a, const char *name);
/* Integer option with bounds; prints an error and returns false when bad. */
bool cli_int(const cli_command *cmd, const cli_args *a, const char *name, int64_t def,
             int64_t min, int64_t max, int64_t *out);
/* The store directory: --store, else $RIA_STORE, else ./ria-data. */
const char *cli_store_dir(const cli_command *cmd, const cli_args *a);
/* Prints "ria CMD: message" to stderr; returns the exit code for status. */
int cli_fail(const cli_command *cmd, ria_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int cli_fail_err(const cli_command *cmd, const ria_error *err);
/* true when stdout (fd 1) / stderr (fd 2) is a terminal. */
bool cli_isatty(int fd);

/* The --store option, shared by every command that touches data. */
#define CLI_OPT_STORE {"store", 0, "DIR", "store directory (default: $RIA_STORE, else ./ria-data)"}
#define CLI_OPT_HELP {"help", 'h', NULL, "show this help"}

/* Command implementations (one file each). */
int cmd_gen(const cli_command *cmd, cli_args *args);
int cmd_ingest(const cli_command *cmd, cli_args *args);
int cmd_info(const cli_command *cmd, cli_args *args);
int cmd_versions(const cli_command *cmd, cli_args *args);
int cmd_compact(const cli_command *cmd, cli_args *args);
int cmd_vacuum(const cli_command *cmd, cli_args *args);
int cmd_export(const cli_command *cmd, cli_args *args);
int cmd_sql(const cli_command *cmd, cli_args *args);
int cmd_ask(const cli_command *cmd, cli_args *args);
int cmd_eval(const cli_command *cmd, cli_args *args);
int cmd_chat(const cli_command *cmd, cli_args *args);
int cmd_summary(const cli_command *cmd, cli_args *args);
int cmd_serve(const cli_command *cmd, cli_args *args);
int cmd_feedback(const cli_command *cmd, cli_args *args);
/* --anchor DATE of ask, chat, eval, summary and serve. */
bool cli_anchor(const cli_command *cmd, const cli_args *a, int64_t *out);
/* Opens the store (--store) and an asker on it with o.  Returns 0 with both
 * open (the caller frees them), else prints why, leaves nothing open and
 * returns the exit code. */
int cli_open_asker(const cli_command *cmd, const cli_args *a, const ria_ask_opts *o,
                   ria_store **out_st, ria_asker **out_k);
/* What one-shot commands on an asker (ask, summary) differ in: the call on
 * the positional arguments joined by spaces, the terminal printer of its
 * JSON, and the exit code for the JSON's "status" (NULL when absent). */
typedef struct {
    ria_status (*call)(ria_asker *k, const char *text, void **out_json, ria_error *err);
    void (*print)(FILE *f, const void *json);
    int (*exit_code)(const char *status);
} cli_ask_kind;
/* Runs a one-shot command: sets o->anchor from --anchor, opens the asker
 * with o, calls kind->call, prints the result (as JSON with --json) and
 * returns kind->exit_code, or the exit code of a failure (2: bad usage). */
int cli_ask_run(const cli_command *cmd, cli_args *a, ria_ask_opts *o, const cli_ask_kind *kind);
int cmd_views(const cli_command *cmd, cli_args *args);

/* Options of each command, defined beside the implementation. */
extern const cli_opt gen_opts[], ingest_opts[], info_opts[], versions_opts[], compact_opts[],
    vacuum_opts[], export_opts[], sql_opts[], ask_opts[], eval_opts[];
extern const cli_opt views_opts[], chat_opts[], summary_opts[], serve_opts[], feedback_opts[];

/* Parses argv against cmd (handles --help); returns -1 to continue, else an
 * exit code to return at once. */
int cli_parse(const cli_command *cmd, int argc, char **argv, cli_args *out);
void cli_print_help(const cli_command *cmd, FILE *f);

#endif
