/*
 * cmd_serve.c — `ria serve`: the HTTP API and the web page (see
 * src/serve/serve.h and docs/API.md).
 */
#include "cli.h"
#include "serve/serve.h"

#include <string.h>

const cli_opt serve_opts[] = {
    CLI_OPT_STORE,
    {"listen", 0, "HOST:PORT", "address to listen on (default 127.0.0.1:8080)"},
    {"api-key-file", 0, "FILE", "API keys, one per line: KEY read|write [name] (required off loopback)"},
    {"redis", 0, "HOST:PORT", "share answers with other instances through Redis"},
    {"anchor", 0, "DATE", "the \"today\" of relative dates (default: the latest order date)"},
    {"threads", 0, "N", "HTTP worker threads (default: 2 per core)"},
    {"query-threads", 0, "N", "engine threads per query (default: all cores)"},
    {"task-workers", 0, "N", "background task workers (default 2)"},
    {"task-queue", 0, "N", "queued tasks before requests get 429 (default 64)"},
    {"max-body", 0, "BYTES", "largest JSON request body (default 1048576)"},
    {"max-upload", 0, "BYTES", "largest CSV upload or ingest body (default 4 GiB)"},
    {"batch-seconds", 0, "N", "streamed ingest: commit at least every N seconds (default 10)"},
    {"batch-rows", 0, "N", "streamed ingest: commit when N rows are pending (default 100000)"},
    {"max-connections", 0, "N", "concurrent connections (default 4096)"},
    {"timeout", 0, "SECONDS", "idle connection timeout (default 60)"},
    {"cors-origin", 0, "ORIGIN", "allow this origin to call the API (default: none)"},
    {"query-log", 0, "FILE", "question log, JSON lines (default STORE/serve/queries.jsonl; '' = off)"},
    {"quiet", 'q', NULL, "no access log on stderr"},
    CLI_OPT_HELP,
    {0},
};

int cmd_serve(const cli_command *cmd, cli_args *a)
{
    ria_serve_opts o = {0};
    o.store_dir = cli_store_dir(cmd, a);
    o.listen = cli_get(cmd, a, "listen", NULL);
    o.api_key_file = cli_get(cmd, a, "api-key-file", NULL);
    o.redis = cli_get(cmd, a, "redis", NULL);
    o.cors_origin = cli_get(cmd, a, "cors-origin", NULL);
    o.query_log = cli_get(cmd, a, "query-log", NULL);
    o.quiet = cli_flag(cmd, a, "quiet");
    if (!cli_anchor(cmd, a, &o.anchor))
        return 2;
    int64_t v;
    /* 0 = the server's default (serve.h) */
    static const struct {
        const char *name;
        int64_t lo, hi;
    } ints[] = {
        {"threads", 1, 256},           {"query-threads", 1, 256},  {"task-workers", 1, 64},
        {"task-queue", 1, 100000},     {"max-body", 1024, 1LL << 30},
        {"max-upload", 1024, 1LL << 44}, {"batch-seconds", 1, 3600}, {"batch-rows", 1, 1LL << 32},
        {"max-connections", 16, 100000}, {"timeout", 1, 3600},
    };
    int64_t vals[RIA_ARRAY_LEN(ints)];
    for (size_t i = 0; i < RIA_ARRAY_LEN(ints); i++) {
        if (!cli_int(cmd, a, ints[i].name, 0, ints[i].lo, ints[i].hi, &v))
            return 2;
        vals[i] = v;
    }
    o.threads = (int)vals[0];
    o.query_threads = (int)vals[1];
    o.task_workers = (int)vals[2];
    o.task_queue = (int)vals[3];
    o.max_body = (size_t)vals[4];
    o.max_upload = (uint64_t)vals[5];
    o.batch_seconds = (int)vals[6];
    o.batch_rows = (uint64_t)vals[7];
    o.max_connections = (int)vals[8];
    o.timeout_seconds = (int)vals[9];
    ria_error err = {0};
    if (ria_serve_run(&o, &err) != RIA_OK)
        return cli_fail_err(cmd, &err);
    return 0;
}
