/*
 * tasks.c — long work off the request path: a bounded queue served by a
 * few worker threads, a registry of tasks (state, progress, result or
 * error, kept for an hour after they end), cancellation, and
 * Server-Sent Events that follow a task.
 *
 * An SSE response reads the task's changes: when there is nothing new it
 * suspends its connection and registers as a waiter; every change resumes
 * the waiters.  The registry's mutex guards every task field named so in
 * server.h, the queue and the waiter lists.
 */
#include "server.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tasks {
    srv *s;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    task *all;                 /* every task still kept, newest first */
    task **queue;              /* ring of queued tasks */
    int qcap, qhead, qlen;
    int running;
    pthread_t *workers;
    int nworkers;
    bool stop;
};

static void wake_waiters(task *t)
{
    for (sse_waiter *w = t->waiters; w; w = w->next)
        if (w->suspended) {
            w->suspended = false;
            MHD_resume_connection(w->conn);
        }
}

/* Removes an uploaded file (and the directory named uploads live in). */
static void drop_spool(task *t)
{
    if (!t->spool_path[0])
        return;
    unlink(t->spool_path);
    char *slash = strrchr(t->spool_path, '/');
    if (slash && strstr(t->spool_path, "/upload-") && strstr(t->spool_path, "/upload-") < slash) {
        *slash = 0;
        rmdir(t->spool_path);
    }
    t->spool_path[0] = 0;
}

static void task_free(task *t)
{
    json_decref(t->params);
    json_decref(t->result);
    drop_spool(t);
    free(t);
}

static void *worker(void *arg)
{
    tasks *ts = arg;
    pthread_mutex_lock(&ts->mu);
    for (;;) {
        while (!ts->stop && ts->qlen == 0)
            pthread_cond_wait(&ts->cv, &ts->mu);
        if (ts->stop)
            break;
        task *t = ts->queue[ts->qhead];
        ts->qhead = (ts->qhead + 1) % ts->qcap;
        ts->qlen--;
        if (t->cancel) {
            t->state = TASK_CANCELLED;
            t->finished = ria_now();
            t->seq++;
            wake_waiters(t);
            t->refs--;
            continue;
        }
        t->state = TASK_RUNNING;
        t->started = ria_now();
        t->seq++;
        wake_waiters(t);
        ts->running++;
        pthread_mutex_unlock(&ts->mu);
        t->run(t);
        pthread_mutex_lock(&ts->mu);
        ts->running--;
        if (t->state == TASK_RUNNING) { /* a task that forgot to finish */
            t->state = TASK_FAILED;
            snprintf(t->error, sizeof t->error, "the task ended without a result");
            t->finished = ria_now();
            t->seq++;
            wake_waiters(t);
        }
        drop_spool(t);
        t->refs--; /* the queue's reference */
    }
    pthread_mutex_unlock(&ts->mu);
    return NULL;
}

tasks *tasks_new(srv *s, int workers, int queue)
{
    tasks *ts = calloc(1, sizeof *ts);
    if (!ts)
        return NULL;
    ts->s = s;
    ts->qcap = queue;
    ts->queue = calloc((size_t)queue, sizeof *ts->queue);
    ts->workers = calloc((size_t)workers, sizeof *ts->workers);
    pthread_mutex_init(&ts->mu, NULL);
    pthread_cond_init(&ts->cv, NULL);
    if (!ts->queue || !ts->workers) {
        tasks_free(ts);
        return NULL;
    }
    for (int i = 0; i < workers; i++)
        if (pthread_create(&ts->workers[ts->nworkers], NULL, worker, ts) == 0)
            ts->nworkers++;
    return ts;
}

void tasks_shutdown(tasks *ts)
{
    if (!ts)
        return;
    pthread_mutex_lock(&ts->mu);
    ts->stop = true;
    for (task *t = ts->all; t; t = t->next) {
        t->cancel = 1;
        wake_waiters(t); /* their streams end */
    }
    pthread_cond_broadcast(&ts->cv);
    pthread_mutex_unlock(&ts->mu);
}

void tasks_free(tasks *ts)
{
    if (!ts)
        return;
    tasks_shutdown(ts);
    for (int i = 0; i < ts->nworkers; i++)
        pthread_join(ts->workers[i], NULL);
    task *t = ts->all;
    while (t) {
        task *next = t->next;
        task_free(t);
        t = next;
    }
    pthread_cond_destroy(&ts->cv);
    pthread_mutex_destroy(&ts->mu);
    free(ts->queue);
    free(ts->workers);
    free(ts);
}

task *tasks_submit(tasks *ts, const char *kind, task_fn fn, json_t *params, const char *spool)
{
    task *t = calloc(1, sizeof *t);
    if (!t) {
        json_decref(params);
        return NULL;
    }
    serve_new_id(t->id);
    snprintf(t->kind, sizeof t->kind, "%s", kind);
    t->s = ts->s;
    t->run = fn;
    t->params = params;
    t->created = ria_now();
    t->state = TASK_QUEUED;
    if (spool)
        snprintf(t->spool_path, sizeof t->spool_path, "%s", spool);
    pthread_mutex_lock(&ts->mu);
    if (ts->qlen == ts->qcap || ts->stop) {
        pthread_mutex_unlock(&ts->mu);
        t->spool_path[0] = 0; /* the caller still owns its file */
        task_free(t);
        return NULL;
    }
    t->refs = 2; /* the registry's and the queue's */
    t->next = ts->all;
    ts->all = t;
    ts->queue[(ts->qhead + ts->qlen) % ts->qcap] = t;
    ts->qlen++;
    pthread_cond_signal(&ts->cv);
    t->refs++; /* the caller's */
    pthread_mutex_unlock(&ts->mu);
    return t;
}

task *tasks_get(tasks *ts, const char *id)
{
    pthread_mutex_lock(&ts->mu);
    task *t = ts->all;
    while (t && strcmp(t->id, id) != 0)
        t = t->next;
    if (t)
        t->refs++;
    pthread_mutex_unlock(&ts->mu);
    return t;
}

void tasks_put(tasks *ts, task *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&ts->mu);
    t->refs--;
    pthread_mutex_unlock(&ts->mu);
}

void task_progress(task *t, double progress, const char *fmt, ...)
{
    tasks *ts = t->s->tasks;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&ts->mu);
    t->progress = progress < 0 ? 0 : progress > 1 ? 1 : progress;
    snprintf(t->message, sizeof t->message, "%s", msg);
    t->seq++;
    wake_waiters(t);
    pthread_mutex_unlock(&ts->mu);
}

void task_finish(task *t, json_t *result, const char *error)
{
    tasks *ts = t->s->tasks;
    pthread_mutex_lock(&ts->mu);
    if (t->cancel && !result) {
        t->state = TASK_CANCELLED;
        snprintf(t->error, sizeof t->error, "cancelled");
    } else if (error) {
        t->state = TASK_FAILED;
        snprintf(t->error, sizeof t->error, "%s", error);
    } else {
        t->state = TASK_DONE;
        t->progress = 1;
    }
    json_decref(t->result);
    t->result = result;
    t->finished = ria_now();
    t->seq++;
    wake_waiters(t);
    pthread_mutex_unlock(&ts->mu);
}

static const char *state_name(task_state s)
{
    static const char *const n[] = {"queued", "running", "done", "failed", "cancelled"};
    return n[s];
}

/* Under the registry's mutex. */
static json_t *task_json_locked(const srv *s, task *t, bool with_result)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:f, s:s, s:f}", "id", t->id, "kind", t->kind, "state",
                          state_name(t->state), "progress", t->progress, "message", t->message,
                          "age_seconds", ria_now() - t->created);
    if (t->started)
        json_object_set_new(j, "run_seconds",
                            json_real((t->finished ? t->finished : ria_now()) - t->started));
    if (t->error[0])
        json_object_set_new(j, "error", json_string(t->error));
    if (with_result && t->result)
        json_object_set(j, "result", t->result);
    char links[96];
    snprintf(links, sizeof links, "/api/tasks/%s", t->id);
    json_object_set_new(j, "href", json_string(links));
    (void)s;
    return j;
}

json_t *task_json(tasks *ts, task *t, bool with_result)
{
    pthread_mutex_lock(&ts->mu);
    json_t *j = task_json_locked(ts->s, t, with_result);
    pthread_mutex_unlock(&ts->mu);
    return j;
}

json_t *tasks_list(tasks *ts)
{
    json_t *a = json_array();
    pthread_mutex_lock(&ts->mu);
    int n = 0;
    for (task *t = ts->all; t && n < 100; t = t->next, n++)
        json_array_append_new(a, task_json_locked(ts->s, t, false));
    pthread_mutex_unlock(&ts->mu);
    return a;
}

bool task_cancel(tasks *ts, task *t)
{
    pthread_mutex_lock(&ts->mu);
    bool live = t->state == TASK_QUEUED || t->state == TASK_RUNNING;
    if (live) {
        t->cancel = 1;
        if (t->state == TASK_QUEUED) {
            t->state = TASK_CANCELLED;
            snprintf(t->error, sizeof t->error, "cancelled");
            t->finished = ria_now();
            t->seq++;
            wake_waiters(t);
        }
    }
    pthread_mutex_unlock(&ts->mu);
    return live;
}

int tasks_depth(tasks *ts, int *running)
{
    pthread_mutex_lock(&ts->mu);
    int q = ts->qlen;
    *running = ts->running;
    pthread_mutex_unlock(&ts->mu);
    return q;
}

void tasks_expire(tasks *ts, double keep_seconds)
{
    double now = ria_now();
    pthread_mutex_lock(&ts->mu);
    task **pp = &ts->all;
    while (*pp) {
        task *t = *pp;
        bool ended = t->state == TASK_DONE || t->state == TASK_FAILED || t->state == TASK_CANCELLED;
        if (ended && t->refs <= 1 && !t->waiters && now - t->finished > keep_seconds) {
            *pp = t->next;
            task_free(t);
            continue;
        }
        pp = &t->next;
    }
    /* keep-alive for event streams */
    for (task *t = ts->all; t; t = t->next)
        wake_waiters(t);
    pthread_mutex_unlock(&ts->mu);
}

/* ------------------------------------------------------- event streams */

typedef struct {
    tasks *ts;
    task *t;
    sse_waiter w;
    uint64_t seen;             /* the last seq sent */
    bool ended;                /* the final event was sent */
    double last_sent;
    char pending[8192];        /* formatted and not yet fully sent */
    size_t plen, poff;
} sse_stream;

static void unlink_waiter(task *t, sse_waiter *w)
{
    for (sse_waiter **pp = &t->waiters; *pp; pp = &(*pp)->next)
        if (*pp == w) {
            *pp = w->next;
            return;
        }
}

/* Formats the next event into pending (under the mutex). */
static void next_event(sse_stream *st)
{
    task *t = st->t;
    bool ended = t->state == TASK_DONE || t->state == TASK_FAILED || t->state == TASK_CANCELLED;
    json_t *j = task_json_locked(st->ts->s, t, ended);
    char *data = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(16));
    json_decref(j);
    int n = snprintf(st->pending, sizeof st->pending, "event: %s\ndata: %s\n\n",
                     ended ? "done" : "progress", data ? data : "{}");
    if (n >= (int)sizeof st->pending) {
        /* a large result: the event says where to fetch it */
        n = snprintf(st->pending, sizeof st->pending,
                     "event: done\ndata: {\"id\":\"%s\",\"state\":\"%s\",\"href\":\"/api/tasks/%s\"}\n\n",
                     t->id, state_name(t->state), t->id);
    }
    free(data);
    st->plen = (size_t)n;
    st->poff = 0;
    st->seen = t->seq;
    st->ended = ended;
    st->last_sent = ria_now();
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    sse_stream *st = cls;
    tasks *ts = st->ts;
    pthread_mutex_lock(&ts->mu);
    if (st->poff == st->plen) {
        if (st->ended) {
            pthread_mutex_unlock(&ts->mu);
            return MHD_CONTENT_READER_END_OF_STREAM;
        }
        if (st->t->seq != st->seen) {
            next_event(st);
        } else if (ria_now() - st->last_sent > 15) {
            st->plen = (size_t)snprintf(st->pending, sizeof st->pending, ": keep-alive\n\n");
            st->poff = 0;
            st->last_sent = ria_now();
        } else {
            /* nothing new: park the connection until the task changes */
            if (ts->stop) {
                pthread_mutex_unlock(&ts->mu);
                return MHD_CONTENT_READER_END_OF_STREAM;
            }
            st->w.suspended = true;
            MHD_suspend_connection(st->w.conn);
            pthread_mutex_unlock(&ts->mu);
            return 0;
        }
    }
    size_t n = st->plen - st->poff < max ? st->plen - st->poff : max;
    memcpy(buf, st->pending + st->poff, n);
    st->poff += n;
    pthread_mutex_unlock(&ts->mu);
    return (ssize_t)n;
}

static void sse_free(void *cls)
{
    sse_stream *st = cls;
    tasks *ts = st->ts;
    pthread_mutex_lock(&ts->mu);
    unlink_waiter(st->t, &st->w);
    st->t->refs--;
    pthread_mutex_unlock(&ts->mu);
    free(st);
}

struct MHD_Response *tasks_events(tasks *ts, task *t, struct MHD_Connection *conn)
{
    sse_stream *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    st->ts = ts;
    st->t = t;
    st->w.conn = conn;
    pthread_mutex_lock(&ts->mu);
    t->refs++;
    st->w.next = t->waiters;
    t->waiters = &st->w;
    next_event(st); /* the current state first */
    pthread_mutex_unlock(&ts->mu);
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, sse_read,
                                                               st, sse_free);
    if (!r) {
        sse_free(st);
        return NULL;
    }
    MHD_add_response_header(r, "Content-Type", "text/event-stream");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    return r;
}
