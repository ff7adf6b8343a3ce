/*
 * server.h — private to serve: the server's state and the parts that share
 * it.
 *
 *   http.c      libmicrohttpd glue: requests, bodies, limits, auth, headers,
 *               the route table, the access log
 *   server.c    start and stop, the ticker (new versions, expiry), sessions
 *   api_*.c     the handlers of docs/API.md
 *   tasks.c     the background pool, task registry and Server-Sent Events
 *   batch.c     streamed ingest committed as micro-batches
 *   metrics.c   the Prometheus registry
 *   redis.c     the shared cache tier (hiredis), reconnecting
 *   auth.c      API keys
 *   assets      the embedded web page (assets.h, generated assets.c)
 *
 * Threads: libmicrohttpd's pool runs the handlers; the task workers, the
 * batch committer and the ticker are the server's own.  Shared state is
 * guarded as noted at each field.
 */
#ifndef RIA_SERVE_SERVER_H
#define RIA_SERVE_SERVER_H

#include "serve.h"

#include "ask/ask.h"
#include "ingest/ingest.h"

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>

typedef struct srv srv;

/* ----------------------------------------------------------- requests */

typedef enum { AUTH_NONE = 0, AUTH_READ = 1, AUTH_WRITE = 2 } auth_level;

/* One request, from its first byte to its response. */
typedef struct {
    srv *s;
    struct MHD_Connection *conn;
    const char *method, *url;      /* borrowed from libmicrohttpd */
    const struct route *route;
    ria_buf body;                  /* JSON bodies, up to max_body */
    int spool_fd;                  /* upload bodies go to a file (-1 when none) */
    char spool_path[4200];
    uint64_t body_bytes;
    bool too_large, io_error;
    bool answered;                 /* a response is queued; the rest of the body is dropped */
    auth_level auth;               /* what the request's key may do */
    double t0;
} req;

/* A response being built by a handler. */
typedef struct {
    int status;
    const char *type;              /* Content-Type */
    char *body;                    /* malloc'd (or static when body_static) */
    size_t len;
    bool body_static;
    struct MHD_Response *raw;      /* a ready response (streams), else NULL */
    char location[256];
    const char *tier;              /* for metrics: the answering tier of /api/ask */
} resp;

typedef void (*handler_fn)(req *r, resp *out);

typedef struct route {
    const char *method;
    const char *path;              /* exact, or a prefix ending in '/' when prefix */
    bool prefix;
    auth_level need;
    bool upload;                   /* the body is spooled to a file */
    const char *label;             /* metrics label */
    handler_fn fn;
} route;

/* Query-string argument or NULL. */
const char *req_arg(const req *r, const char *name);
/* The JSON body as an object (NULL with a 400 written to out). */
json_t *req_json(req *r, resp *out);

void resp_json(resp *out, int status, json_t *j);  /* steals j */
void resp_error(resp *out, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void resp_text(resp *out, int status, const char *type, char *body, size_t len);

/* ------------------------------------------------------------ metrics */

#define LAT_BUCKETS 16

typedef struct {
    _Atomic uint64_t count;
    _Atomic uint64_t sum_us;
    _Atomic uint64_t buckets[LAT_BUCKETS];
} histogram;

typedef struct {
    const char *route;
    _Atomic uint64_t requests, errors;     /* errors: status >= 500 */
    _Atomic uint64_t client_errors;        /* 4xx */
    histogram lat;
} route_stats;

#define MAX_ROUTES 40

typedef struct {
    route_stats routes[MAX_ROUTES];
    int nroutes;
    histogram ask_tier[4];                 /* rules, plan_cache, exact_cache, shared_cache */
    _Atomic uint64_t answers[4];           /* answered, not_understood, out_of_scope, error */
    _Atomic uint64_t rows_scanned, bytes_read, view_answers, computed_answers;
    _Atomic uint64_t feedback_up, feedback_down;
    _Atomic uint64_t ingest_accepted, ingest_quarantined, ingest_duplicates, ingest_commits;
    _Atomic uint64_t redis_errors;
    _Atomic uint64_t rejected_busy;        /* 429s */
    _Atomic uint64_t unauthorized;
} metrics;

void metrics_init(metrics *m, const route *routes, int n);
void hist_observe(histogram *h, double seconds);
route_stats *metrics_route(metrics *m, const char *label);
/* The Prometheus text exposition of everything the server knows. */
char *metrics_render(srv *s, size_t *len);

/* ------------------------------------------------------------ sessions */

typedef struct sess_entry {
    char id[33];
    ria_session *sess;
    pthread_mutex_t mu;            /* held while a question of this session runs */
    double last_used;
    int refs;                      /* guarded by the table's mutex */
    struct sess_entry *next;
} sess_entry;

typedef struct {
    pthread_mutex_t mu;
    sess_entry *head;
    int n, max;
} sess_table;

/* The session with this id (created when id is NULL or unknown; the new id
 * is in the entry).  Release with sess_put. */
sess_entry *sess_get(sess_table *t, const char *id);
void sess_put(sess_table *t, sess_entry *e);
void sess_expire(sess_table *t, double idle_seconds);
void sess_free_all(sess_table *t);

/* --------------------------------------------------------------- tasks */

typedef enum { TASK_QUEUED, TASK_RUNNING, TASK_DONE, TASK_FAILED, TASK_CANCELLED } task_state;

typedef struct task task;
typedef void (*task_fn)(task *t);

typedef struct sse_waiter {
    struct MHD_Connection *conn;
    bool suspended;
    struct sse_waiter *next;
} sse_waiter;

struct task {
    char id[33];
    char kind[16];
    srv *s;
    task_fn run;
    json_t *params;                /* owned */
    char spool_path[4200];         /* an uploaded body, removed when the task ends */
    /* guarded by the registry's mutex */
    task_state state;
    double progress;               /* 0..1 */
    char message[256];
    json_t *result;                /* owned */
    char error[512];
    double created, started, finished;
    uint64_t seq;                  /* bumped on every change (SSE) */
    volatile int cancel;
    sse_waiter *waiters;
    int refs;
    task *next;
};

typedef struct tasks tasks;

tasks *tasks_new(srv *s, int workers, int queue);
/* Cancels every task and ends every event stream (before the daemon
 * stops); tasks_free then waits for the workers. */
void tasks_shutdown(tasks *ts);
void tasks_free(tasks *ts);
/* Queues a task (params stolen); NULL when the queue is full. */
task *tasks_submit(tasks *ts, const char *kind, task_fn fn, json_t *params, const char *spool);
/* The task with id (a reference: tasks_put it), or NULL. */
task *tasks_get(tasks *ts, const char *id);
void tasks_put(tasks *ts, task *t);
/* Progress from inside a running task. */
void task_progress(task *t, double progress, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void task_finish(task *t, json_t *result, const char *error);
json_t *task_json(tasks *ts, task *t, bool with_result);
json_t *tasks_list(tasks *ts);
bool task_cancel(tasks *ts, task *t);
int tasks_depth(tasks *ts, int *running);
/* A Server-Sent Events response following the task until it ends. */
struct MHD_Response *tasks_events(tasks *ts, task *t, struct MHD_Connection *conn);
void tasks_expire(tasks *ts, double keep_seconds);

/* ---------------------------------------------------- streamed ingest */

typedef struct batcher batcher;

batcher *batcher_new(srv *s, int seconds, uint64_t rows);
void batcher_free(batcher *b);
/* Adds the rows of a CSV or NDJSON file to the pending batch (the file is
 * consumed).  Fills a JSON reply; returns an HTTP status. */
int batcher_add(batcher *b, const char *path, bool ndjson, bool wait, json_t **reply);
/* Seconds between the oldest pending row's arrival and now (0 if none). */
double batcher_lag(batcher *b, uint64_t *pending_rows);

/* --------------------------------------------------------------- redis */

typedef struct redis_tier redis_tier;

redis_tier *redis_tier_new(const char *hostport, metrics *m);
void redis_tier_free(redis_tier *r);
bool redis_tier_up(redis_tier *r);
/* The ria_ask_shared hooks. */
void *redis_tier_get(void *ctx, const char *key, size_t *len);
void redis_tier_put(void *ctx, const char *key, const void *value, size_t len);

/* ---------------------------------------------------------------- auth */

typedef struct keyring keyring;

ria_status keyring_load(const char *path, keyring **out, ria_error *err);
void keyring_free(keyring *k);
/* What the key may do (AUTH_NONE when unknown). */
auth_level keyring_check(const keyring *k, const char *key);
int keyring_count(const keyring *k);

/* --------------------------------------------------------------- state */

struct srv {
    ria_serve_opts o;
    char store_dir[4096];
    ria_store *st;
    ria_asker *asker;
    struct MHD_Daemon *d;
    keyring *keys;                 /* NULL: no keys needed (loopback only) */
    sess_table sessions;
    tasks *tasks;
    batcher *batch;
    redis_tier *redis;
    metrics m;
    FILE *qlog;                    /* the query log, or NULL */
    pthread_mutex_t log_mu;        /* guards qlog and the feedback file */
    char feedback_path[4200];
    char data_dir[4200];           /* STORE/serve: query log, feedback, uploads */
    _Atomic int64_t version;       /* the version answers come from */
    _Atomic int64_t commit_time;   /* its commit time (unix seconds) */
    double started;
    pthread_t ticker;
    volatile int stopping;
    const route *routes;
    int nroutes;
};

/* The route table (api.c). */
extern const route serve_routes[];
extern const int serve_nroutes;

/* http.c: the libmicrohttpd access handler and completion callback. */
enum MHD_Result http_access(void *cls, struct MHD_Connection *conn, const char *url,
                            const char *method, const char *version, const char *upload,
                            size_t *upload_size, void **con_cls);
void http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                    enum MHD_RequestTerminationCode toe);

/* One JSON line to the query log. */
void serve_log_question(srv *s, const char *question, json_t *answer, const char *session);
/* A unique id (32 hex digits). */
void serve_new_id(char out[33]);

#endif
