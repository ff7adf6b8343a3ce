/*
 * server.c — starting and stopping `ria serve`: options and their checks
 * (keys are required off loopback), the route table, the libmicrohttpd
 * daemon, the ticker that picks up new store versions and expires
 * sessions and tasks, and a clean stop on SIGINT or SIGTERM.
 */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

void api_ask_routes(const route **rt, int *n);
void api_data_routes(const route **rt, int *n);

/* The one server of this process (signals need to find it). */
static volatile sig_atomic_t stop_requested;

void ria_serve_stop(void)
{
    stop_requested = 1;
}

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* ------------------------------------------------------------- routes */

static route *all_routes(int *n)
{
    const route *a, *b;
    int na, nb;
    api_ask_routes(&a, &na);
    api_data_routes(&b, &nb);
    route *r = calloc((size_t)(na + nb), sizeof *r);
    if (!r)
        return NULL;
    memcpy(r, a, (size_t)na * sizeof *r);
    /* the catch-all static route stays last */
    memcpy(r + na, b, (size_t)nb * sizeof *r);
    *n = na + nb;
    return r;
}

/* ------------------------------------------------------------ address */

typedef struct {
    struct sockaddr_storage sa;
    socklen_t len;
    bool loopback;
    char text[128];
} address;

static ria_status parse_listen(const char *spec, address *out, ria_error *err)
{
    memset(out, 0, sizeof *out);
    char host[128];
    const char *colon = strrchr(spec, ':');
    if (!colon)
        return ria_fail(err, RIA_EINVAL, "--listen %s: expected HOST:PORT", spec);
    size_t hn = (size_t)(colon - spec);
    if (hn >= sizeof host)
        return ria_fail(err, RIA_EINVAL, "--listen %s: the host is too long", spec);
    memcpy(host, spec, hn);
    host[hn] = 0;
    int64_t port;
    if (!ria_parse_i64(colon + 1, &port) || port < 1 || port > 65535)
        return ria_fail(err, RIA_EINVAL, "--listen %s: the port must be 1..65535", spec);
    if (host[0] == '[' && hn > 2 && host[hn - 1] == ']') {
        memmove(host, host + 1, hn - 2);
        host[hn - 2] = 0;
    }
    if (strcmp(host, "localhost") == 0 || !*host)
        snprintf(host, sizeof host, "%s", *host ? "127.0.0.1" : "0.0.0.0");
    struct sockaddr_in *v4 = (struct sockaddr_in *)&out->sa;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->sa;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        out->len = sizeof *v4;
        out->loopback = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        out->len = sizeof *v6;
        out->loopback = IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
    } else {
        return ria_fail(err, RIA_EINVAL, "--listen %s: '%s' is not an IP address", spec, host);
    }
    snprintf(out->text, sizeof out->text, "%s", spec);
    return RIA_OK;
}

/* ------------------------------------------------------------- ticker */

/* Follows the store: a new commit is picked up at once (answers always
 * come from one version), sessions idle for an hour and tasks ended an
 * hour ago are dropped. */
static void *ticker(void *arg)
{
    srv *s = arg;
    double last_expire = ria_now();
    while (!s->stopping) {
        ria_error err = {0};
        if (ria_asker_refresh(s->asker, &err) == RIA_OK) {
            int64_t v = ria_asker_version(s->asker);
            if (v != atomic_load(&s->version)) {
                atomic_store(&s->version, v);
                ria_version_info *vs = NULL;
                int n = 0;
                if (ria_store_versions(s->st, &vs, &n, &err) == RIA_OK)
                    for (int i = 0; i < n; i++)
                        if (vs[i].version == v)
                            atomic_store(&s->commit_time, vs[i].time);
                free(vs);
            }
        }
        if (ria_now() - last_expire > 10) {
            sess_expire(&s->sessions, 3600);
            tasks_expire(s->tasks, 3600);
            last_expire = ria_now();
        }
        for (int i = 0; i < 5 && !s->stopping; i++)
            usleep(100 * 1000);
    }
    return NULL;
}

/* ------------------------------------------------------------- start */

static void defaults(ria_serve_opts *o)
{
    int ncpu = ria_ncpu();
    if (!o->listen)
        o->listen = "127.0.0.1:8080";
    if (!o->threads)
        o->threads = RIA_MAX(2, 2 * ncpu);
    if (!o->task_workers)
        o->task_workers = 2;
    if (!o->task_queue)
        o->task_queue = 64;
    if (!o->max_body)
        o->max_body = 1u << 20;
    if (!o->max_upload)
        o->max_upload = 4ull << 30;
    if (!o->batch_seconds)
        o->batch_seconds = 10;
    if (!o->batch_rows)
        o->batch_rows = 100000;
    if (!o->max_connections)
        o->max_connections = 4096;
    if (!o->timeout_seconds)
        o->timeout_seconds = 60;
}

/* More open files for many connections (up to the hard limit). */
static void raise_fd_limit(int want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rlim_t target = (rlim_t)want + 256;
    if (rl.rlim_cur < target) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= target ? target : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static ria_status open_state(srv *s, ria_error *err)
{
    snprintf(s->store_dir, sizeof s->store_dir, "%s", s->o.store_dir);
    ria_status rc = ria_store_open(s->store_dir, &s->st, err);
    if (rc != RIA_OK)
        return rc;
    snprintf(s->data_dir, sizeof s->data_dir, "%s/serve", s->store_dir);
    if (mkdir(s->data_dir, 0755) != 0 && errno != EEXIST)
        return ria_fail(err, RIA_EIO, "%s: %s", s->data_dir, strerror(errno));
    snprintf(s->feedback_path, sizeof s->feedback_path, "%s/feedback.jsonl", s->data_dir);
    /* leftovers of an earlier run: uploads and batches never committed */
    char probe[4300];
    snprintf(probe, sizeof probe, "%s/queries.jsonl", s->data_dir);
    const char *ql = s->o.query_log ? s->o.query_log : probe;
    if (*ql) {
        s->qlog = fopen(ql, "a");
        if (!s->qlog)
            return ria_fail(err, RIA_EIO, "%s: cannot open the query log: %s", ql, strerror(errno));
    }
    ria_ask_opts ao = {.anchor = s->o.anchor, .threads = s->o.query_threads};
    if (s->o.redis) {
        s->redis = redis_tier_new(s->o.redis, &s->m);
        if (!s->redis)
            return ria_fail(err, RIA_EINVAL, "--redis %s: expected HOST:PORT", s->o.redis);
        ao.shared = (ria_ask_shared){s->redis, redis_tier_get, redis_tier_put};
    }
    if ((rc = ria_asker_open(s->st, &ao, &s->asker, err)) != RIA_OK)
        return rc;
    atomic_store(&s->version, ria_asker_version(s->asker));
    s->tasks = tasks_new(s, s->o.task_workers, s->o.task_queue);
    s->batch = batcher_new(s, s->o.batch_seconds, s->o.batch_rows);
    if (!s->tasks || !s->batch)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    return RIA_OK;
}

static void close_state(srv *s)
{
    batcher_free(s->batch);
    tasks_free(s->tasks);
    sess_free_all(&s->sessions);
    ria_asker_free(s->asker);
    redis_tier_free(s->redis);
    keyring_free(s->keys);
    if (s->qlog)
        fclose(s->qlog);
    ria_store_close(s->st);
}

ria_status ria_serve_run(const ria_serve_opts *opts, ria_error *err)
{
    srv *s = calloc(1, sizeof *s);
    if (!s)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    s->o = *opts;
    defaults(&s->o);
    s->started = ria_now();
    pthread_mutex_init(&s->log_mu, NULL);
    pthread_mutex_init(&s->sessions.mu, NULL);
    s->sessions.max = 10000;
    int nroutes = 0;
    route *routes = all_routes(&nroutes);
    s->routes = routes;
    s->nroutes = nroutes;
    metrics_init(&s->m, routes, nroutes);
    address addr;
    ria_status rc = routes ? parse_listen(s->o.listen, &addr, err)
                           : ria_fail(err, RIA_ENOMEM, "out of memory");
    if (rc == RIA_OK && s->o.api_key_file)
        rc = keyring_load(s->o.api_key_file, &s->keys, err);
    if (rc == RIA_OK && !addr.loopback && !s->keys)
        rc = ria_fail(err, RIA_EREFUSED,
                      "listening on %s (not loopback) needs --api-key-file: every request must "
                      "carry a key",
                      s->o.listen);
    if (rc == RIA_OK)
        rc = open_state(s, err);
    if (rc == RIA_OK) {
        raise_fd_limit(s->o.max_connections);
        unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
                         (addr.sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
        s->d = MHD_start_daemon(
            flags, 0, NULL, NULL, http_access, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr.sa,
            MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s->o.threads, MHD_OPTION_CONNECTION_LIMIT,
            (unsigned)s->o.max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
            (unsigned)s->o.timeout_seconds, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
            MHD_OPTION_NOTIFY_COMPLETED, http_completed, s, MHD_OPTION_LISTEN_BACKLOG_SIZE,
            (unsigned)1024, MHD_OPTION_END);
        if (!s->d)
            rc = ria_fail(err, RIA_EIO, "cannot listen on %s (in use, or not allowed)", s->o.listen);
    }
    if (rc == RIA_OK) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        pthread_create(&s->ticker, NULL, ticker, s);
        fprintf(stderr, "ria serve: http://%s/ on %s (version %lld)%s%s\n", addr.text, s->store_dir,
                (long long)atomic_load(&s->version), s->keys ? ", API keys required" : "",
                s->redis ? ", shared cache in Redis" : "");
        while (!stop_requested)
            usleep(100 * 1000);
        fprintf(stderr, "ria serve: stopping\n");
        s->stopping = 1;
        pthread_join(s->ticker, NULL);
        MHD_quiesce_daemon(s->d);
    }
    if (s->d) {
        /* suspended event streams are resumed and end before the daemon
         * stops; the tasks are freed after it */
        tasks_shutdown(s->tasks);
        usleep(200 * 1000);
        MHD_stop_daemon(s->d);
    }
    close_state(s);
    pthread_mutex_destroy(&s->log_mu);
    pthread_mutex_destroy(&s->sessions.mu);
    free(routes);
    free(s);
    stop_requested = 0;
    return rc;
}
