/*
 * main.c — the `ria` binary: the command table and dispatch.  Every command's
 * usage, summary and options live in this table, so `ria help`, `ria CMD
 * --help` and docs/CLI.md are generated from the same data.
 */
#include "cli.h"
#include "ingest/ingest.h"

#include <stdlib.h>
#include <string.h>

#ifndef RIA_VERSION
#define RIA_VERSION "0.1.0"
#endif

static const cli_command commands[] = {
    {"gen", "[options] [> FILE]", "Generate realistic retail sales CSV (deterministic).",
     "Writes order lines with trends, seasonality, category and state mixes and\n"
     "multi-line orders.  --dirty RATE injects every kind of defect the ingest\n"
     "quality rules handle; --truth FILE records what was injected.",
     gen_opts, 0, 0, cmd_gen},
    {"ingest", "[options] FILE... | -", "Load CSV files (or stdin) into the store as one commit.",
     "Streams the input with bounded memory on all cores: maps headers to roles,\n"
     "infers types, applies the quality rules (reject to quarantine, flag, fix),\n"
     "drops exact duplicates, partitions by order month and clusters rows, then\n"
     "commits a new version and prints the reconciliation.",
     ingest_opts, 1, -1, cmd_ingest},
    {"ask", "[options] \"QUESTION\"", "Answer a question about the sales in plain English.",
     "Prints the answer sentence, the table and exactly what was computed (metric\n"
     "definition, filters, dates, data version), or says which words it did not\n"
     "understand.  --json prints the full answer object (see docs/ASK.md).  Exits\n"
     "0 when answered, 3 when not understood or out of scope, 1 on an error.",
     ask_opts, 1, -1, cmd_ask},
    {"chat", "[options]", "Ask questions interactively, with follow-ups and history.",
     "A prompt with line editing and history: each question is asked in one\n"
     "conversation, so follow-ups (\"and in Texas?\", \"what about last year?\",\n"
     "\"break that down by month\", \"only Online\") refine the previous answer.\n"
     "Commands: :help, :reset, :json, :sql, :summary [PERIOD], :quit.  Reads\n"
     "plain lines when the input is not a terminal.",
     chat_opts, 0, 0, cmd_chat},
    {"summary", "[options] [PERIOD]", "Write a short report of sales performance for a period.",
     "PERIOD is a time expression (\"last month\", \"Q3 2024\", \"2023\", \"the last\n"
     "90 days\"); by default the last complete month and the year to date.  The\n"
     "report gives revenue, orders, average order value, margin, units and\n"
     "customers with their change on the previous period and a year before, the\n"
     "leading and trailing categories, regions and channels, the biggest movers,\n"
     "months that stand out, and data caveats.  Every figure is computed by SQL\n"
     "(--json lists the statements).",
     summary_opts, 0, -1, cmd_summary},
    {"eval", "[options] FILE.jsonl...", "Run golden question files and report accuracy.",
     "Asks every question of each file (questions sharing a \"session\" are asked in\n"
     "order in one conversation), judges the answers against \"expect\", and prints\n"
     "accuracy per category, abstention correctness, latency p50/p95 and every miss\n"
     "with the interpretation chosen.  Exits non-zero below --min-accuracy.",
     eval_opts, 1, -1, cmd_eval},
    {"serve", "[options]", "Serve the JSON API and the web page over HTTP.",
     "Listens on 127.0.0.1:8080 by default and serves the store read-only while\n"
     "'ria ingest' may commit beside it: each new version is picked up without a\n"
     "restart.  The API (docs/API.md) answers questions, summaries, SQL, schema,\n"
     "versions, quality reports, feedback, tasks with progress, streamed ingest\n"
     "(micro-batches) and /metrics.  Off loopback every request needs an API key.",
     serve_opts, 0, 0, cmd_serve},
    {"feedback", "[options]", "Report what users said about answers; export the disliked.",
     "Counts thumbs up and down by reason, lists the disliked questions with what\n"
     "was computed, and --export writes them as a golden-file skeleton to review.",
     feedback_opts, 0, 0, cmd_feedback},
    {"sql", "[options] \"SELECT ...\"", "Run a read-only SQL query over the sales table.",
     "A practical SELECT dialect: WHERE, GROUP BY (names, aliases, positions),\n"
     "HAVING, ORDER BY, LIMIT/OFFSET, CASE, date parts and date_trunc, CAST,\n"
     "scalar subqueries, and FROM sales AS OF VERSION n / AS OF TIMESTAMP '...'.\n"
     "Anything that is not one read-only SELECT is refused.",
     sql_opts, 0, 1, cmd_sql},
    {"views", "[list | add NAME --grain G --dims A,B,... | drop NAME | refresh] [options]",
     "List, add, drop or rebuild the materialized views (rollups).",
     "Views are rollups of the additive measures by time grain and a few text\n"
     "dimensions, kept in step with every commit; queries they cover are answered\n"
     "from them (ria sql --explain says which).  add, drop and refresh edit the\n"
     "semantic model's view list and commit a new version that builds them.",
     views_opts, 0, 2, cmd_views},
    {"info", "[options]", "Show the table: schema, rows, partitions, size, version.", NULL,
     info_opts, 0, 0, cmd_info},
    {"versions", "[options]", "List commits: version, time, operation, rows, report.", NULL,
     versions_opts, 0, 0, cmd_versions},
    {"compact", "[options]", "Merge small segments within each partition.",
     "Rewrites each partition whose live rows are spread over several segments (or\n"
     "carry deletions) into one clustered segment, as a new version.  Older\n"
     "versions stay readable until vacuum.",
     compact_opts, 0, 0, cmd_compact},
    {"vacuum", "[options]", "Remove files no longer reachable from kept versions.",
     "Keeps the last --keep N versions (or those newer than --older-than) readable\n"
     "and deletes every file that none of them needs, including files left by an\n"
     "interrupted ingest.  Runs under the writer lock.",
     vacuum_opts, 0, 0, cmd_vacuum},
    {"export", "[options]", "Write the table (any version) as CSV.",
     "The live rows of the latest version, or of --version N, with every column.\n"
     "Ingesting the export into an empty store gives the same table.",
     export_opts, 0, 0, cmd_export},
};

static void usage(FILE *f)
{
    fprintf(f, "ria %s — Retail Insights Assistant\n\nusage: ria COMMAND [options]\n\ncommands:\n",
            RIA_VERSION);
    for (size_t i = 0; i < RIA_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'ria COMMAND --help' for a command's options.\n");
}

/* Prints the command reference as Markdown (docs/CLI.md is generated). */
static void markdown(void)
{
    printf("# Command reference\n\nGenerated by `ria help --markdown`.\n");
    for (size_t i = 0; i < RIA_ARRAY_LEN(commands); i++) {
        const cli_command *c = &commands[i];
        printf("\n## ria %s\n\n```\nria %s %s\n```\n\n%s\n", c->name, c->name, c->usage,
               c->summary);
        if (c->description)
            printf("\n%s\n", c->description);
        if (c->opts && c->opts[0].name) {
            printf("\n| option | meaning |\n|---|---|\n");
            for (int j = 0; c->opts[j].name; j++)
                printf("| `--%s%s%s` | %s |\n", c->opts[j].name, c->opts[j].arg ? " " : "",
                       c->opts[j].arg ? c->opts[j].arg : "", c->opts[j].help);
        }
    }
}

/* The quality rules as a Markdown table (docs/INGEST.md embeds it). */
static void rules_markdown(void)
{
    printf("| rule | outcome | meaning |\n|---|---|---|\n");
    for (int r = 0; r < RIA_RULE_COUNT; r++) {
        const ria_rule_info *i = ria_rule_get((ria_rule)r);
        printf("| `%s` | %s | %s |\n", i->name, ria_outcome_name(i->outcome), i->description);
    }
}

int main(int argc, char **argv)
{
    const char *lvl = getenv("RIA_LOG");
    if (lvl)
        ria_log_set_level(strcmp(lvl, "debug") == 0  ? RIA_LOG_DEBUG
                          : strcmp(lvl, "info") == 0 ? RIA_LOG_INFO
                                                     : RIA_LOG_WARN);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("ria %s\n", RIA_VERSION);
        return 0;
    }
    if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        if (argc > 2 && strcmp(argv[2], "--markdown") == 0) {
            markdown();
            return 0;
        }
        if (argc > 2 && strcmp(argv[2], "--rules") == 0) {
            rules_markdown();
            return 0;
        }
        for (size_t i = 0; argc > 2 && i < RIA_ARRAY_LEN(commands); i++)
            if (strcmp(commands[i].name, argv[2]) == 0) {
                cli_print_help(&commands[i], stdout);
                return 0;
            }
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < RIA_ARRAY_LEN(commands); i++) {
        const cli_command *c = &commands[i];
        if (strcmp(c->name, name) != 0)
            continue;
        cli_args args;
        int rc = cli_parse(c, argc - 1, argv + 1, &args);
        if (rc >= 0)
            return rc;
        return c->run(c, &args);
    }
    fprintf(stderr, "ria: unknown command '%s' (see ria help)\n", name);
    return 2;
}
