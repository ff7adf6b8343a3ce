/*
 * serve.h — `ria serve`: the question engine, the store and the web page as
 * an HTTP/1.1 service (libmicrohttpd).
 *
 * The server reads the store (picking up each new commit without a
 * restart; every answer comes from one consistent version), answers the
 * JSON API of docs/API.md, serves the embedded web page, runs long work as
 * tasks on a bounded pool, commits streamed sales as micro-batches, shares
 * answers with other instances through an optional Redis tier, and exports
 * Prometheus metrics.  Only the ingest routes, with a key that may write,
 * change data.
 */
#ifndef RIA_SERVE_H
#define RIA_SERVE_H

#include "core/core.h"

typedef struct {
    const char *store_dir;
    const char *listen;           /* "127.0.0.1:8080" (host:port; "[::1]:8080") */
    const char *api_key_file;     /* lines "KEY read|write [name]"; NULL = none */
    const char *redis;            /* "host:port" of the shared cache, or NULL */
    const char *cors_origin;      /* an origin allowed to call the API, or NULL */
    const char *query_log;        /* JSON lines file, NULL = STORE/serve/queries.jsonl, "" = off */
    int64_t anchor;               /* "today" for relative dates (0 = latest order date) */
    int threads;                  /* HTTP worker threads (0 = 2 per core) */
    int query_threads;            /* engine threads per query (0 = all cores) */
    int task_workers;             /* background task workers (0 = 2) */
    int task_queue;               /* queued tasks before 429 (0 = 64) */
    size_t max_body;              /* JSON request body limit (0 = 1 MiB) */
    uint64_t max_upload;          /* CSV upload / ingest body limit (0 = 4 GiB) */
    int batch_seconds;            /* streamed ingest: commit at least this often (0 = 10) */
    uint64_t batch_rows;          /* ... or when this many rows are pending (0 = 100000) */
    int max_connections;          /* 0 = 4096 */
    int timeout_seconds;          /* idle connection timeout (0 = 60) */
    bool quiet;                   /* no access log on stderr */
} ria_serve_opts;

/* Runs the server until SIGINT or SIGTERM (or ria_serve_stop); returns the
 * failure that stopped it from starting, else RIA_OK after a clean stop. */
ria_status ria_serve_run(const ria_serve_opts *opts, ria_error *err);

/* Asks a running server (in this process) to stop; safe from a signal. */
void ria_serve_stop(void);

#endif
