/*
 * batch.c — streamed ingest.  POST /api/ingest sends sales as CSV (with a
 * header) or NDJSON (one object per line); the rows are appended to a
 * pending file and committed together as one micro-batch when the oldest
 * has waited batch_seconds or batch_rows are pending, so new sales are
 * answerable within seconds while commits stay few.
 *
 * Batches with a different header go to a new pending file; a commit
 * takes every pending file (ingest reads each with its own header).  When
 * another writer holds the store, the files wait for the next attempt a
 * second later; nothing is dropped.  A request may wait for the commit
 * that holds its rows ("wait": true) and then gets the version.
 */
#include "server.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PENDING_FILES 64

typedef struct {
    char path[4200];
    char header[4096];
    FILE *f;
    uint64_t rows;
} pending_file;

struct batcher {
    srv *s;
    pthread_mutex_t mu;
    pthread_cond_t wake, done;
    int seconds;
    uint64_t rows_limit;
    pending_file files[MAX_PENDING_FILES];
    int nfiles;
    uint64_t pending_rows;
    double first_at;               /* arrival of the oldest pending row */
    uint64_t next_batch;           /* the batch new rows join */
    uint64_t committed_batch;      /* batches < this are committed (or failed) */
    int64_t last_version;
    char last_error[512];
    bool flush, stop;
    pthread_t thread;
};

/* ----------------------------------------------------------- CSV rows */

/* Counts the records of CSV text (a newline inside quotes is data). */
static uint64_t count_records(const char *p, size_t n, bool *in_quotes)
{
    uint64_t rows = 0;
    bool q = *in_quotes;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            q = !q;
        else if (p[i] == '\n' && !q)
            rows++;
    }
    *in_quotes = q;
    return rows;
}

static void json_field(ria_buf *b, json_t *v)
{
    char num[64];
    switch (json_typeof(v)) {
    case JSON_STRING:
        ria_buf_csv_field(b, json_string_value(v), json_string_length(v), false);
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        ria_buf_puts(b, num);
        break;
    case JSON_REAL:
        snprintf(num, sizeof num, "%.17g", json_real_value(v));
        ria_buf_puts(b, num);
        break;
    case JSON_TRUE: ria_buf_puts(b, "true"); break;
    case JSON_FALSE: ria_buf_puts(b, "false"); break;
    default: break; /* null, arrays and objects: empty */
    }
}

/* Converts an NDJSON file into CSV (header from the first object's keys);
 * an object with a key the first lacks is an error naming its line. */
static int ndjson_to_csv(const char *in_path, const char *out_path, char *err, size_t errsz)
{
    FILE *in = fopen(in_path, "r"), *out = fopen(out_path, "w");
    if (!in || !out) {
        if (in)
            fclose(in);
        if (out)
            fclose(out);
        snprintf(err, errsz, "cannot stage the upload");
        return 500;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int lineno = 0, status = 200;
    json_t *keys = NULL;
    ria_buf b;
    ria_buf_init(&b, 0);
    while (status == 200 && (len = getline(&line, &cap, in)) > 0) {
        lineno++;
        if (ria_trim(line, (size_t)len).n == 0)
            continue;
        json_error_t je;
        json_t *o = json_loadb(line, (size_t)len, 0, &je);
        if (!json_is_object(o)) {
            snprintf(err, errsz, "line %d: not a JSON object (%s)", lineno,
                     o ? "another JSON value" : je.text);
            json_decref(o);
            status = 400;
            break;
        }
        ria_buf_reset(&b);
        const char *k;
        json_t *v;
        if (!keys) {
            keys = json_array();
            json_object_foreach(o, k, v)
            {
                json_array_append_new(keys, json_string(k));
                ria_buf_csv_field(&b, k, strlen(k), false);
                ria_buf_putc(&b, ',');
            }
            if (b.len)
                b.data[b.len - 1] = '\n';
            fwrite(b.data, 1, b.len, out);
            ria_buf_reset(&b);
        }
        json_object_foreach(o, k, v)
        {
            bool known = false;
            for (size_t i = 0; i < json_array_size(keys) && !known; i++)
                known = strcmp(json_string_value(json_array_get(keys, i)), k) == 0;
            if (!known) {
                snprintf(err, errsz, "line %d: key '%s' is not in the first object", lineno, k);
                status = 400;
                break;
            }
        }
        for (size_t i = 0; status == 200 && i < json_array_size(keys); i++) {
            if (i)
                ria_buf_putc(&b, ',');
            json_t *val = json_object_get(o, json_string_value(json_array_get(keys, i)));
            if (val)
                json_field(&b, val);
        }
        ria_buf_putc(&b, '\n');
        if (status == 200)
            fwrite(b.data, 1, b.len, out);
        json_decref(o);
    }
    free(line);
    json_decref(keys);
    ria_buf_free(&b);
    fclose(in);
    if (fclose(out) != 0 && status == 200) {
        snprintf(err, errsz, "cannot stage the upload");
        status = 500;
    }
    return status;
}

/* ------------------------------------------------------------ pending */

static pending_file *pending_for(batcher *b, const char *header)
{
    for (int i = 0; i < b->nfiles; i++)
        if (b->files[i].f && strcmp(b->files[i].header, header) == 0)
            return &b->files[i];
    if (b->nfiles == MAX_PENDING_FILES)
        return NULL;
    pending_file *p = &b->files[b->nfiles];
    memset(p, 0, sizeof *p);
    snprintf(p->path, sizeof p->path, "%s/batch-XXXXXX", b->s->data_dir);
    int fd = mkstemp(p->path);
    if (fd < 0)
        return NULL;
    p->f = fdopen(fd, "w");
    if (!p->f) {
        close(fd);
        unlink(p->path);
        return NULL;
    }
    snprintf(p->header, sizeof p->header, "%s", header);
    fputs(header, p->f);
    fputc('\n', p->f);
    b->nfiles++;
    return p;
}

/* Appends the records after the header of a CSV file; returns the count. */
static int append_csv(batcher *b, const char *path, uint64_t *rows, char *err, size_t errsz)
{
    FILE *in = fopen(path, "r");
    if (!in) {
        snprintf(err, errsz, "cannot read the upload");
        return 500;
    }
    char *header = NULL;
    size_t cap = 0;
    ssize_t hl = getline(&header, &cap, in);
    if (hl <= 0) {
        free(header);
        fclose(in);
        snprintf(err, errsz, "the body is empty (a CSV header line is expected)");
        return 400;
    }
    while (hl && (header[hl - 1] == '\n' || header[hl - 1] == '\r'))
        header[--hl] = 0;
    if (hl == 0 || (size_t)hl >= sizeof b->files[0].header) {
        free(header);
        fclose(in);
        snprintf(err, errsz, "the CSV header line is empty or too long");
        return 400;
    }
    pending_file *p = pending_for(b, header);
    free(header);
    if (!p) {
        fclose(in);
        snprintf(err, errsz, "too many different headers are pending; retry in a few seconds");
        return 503;
    }
    char buf[65536];
    size_t n;
    bool q = false, last_newline = true;
    uint64_t count = 0;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        count += count_records(buf, n, &q);
        if (fwrite(buf, 1, n, p->f) != n) {
            fclose(in);
            snprintf(err, errsz, "cannot stage the rows");
            return 500;
        }
        last_newline = buf[n - 1] == '\n';
    }
    fclose(in);
    if (!last_newline) {
        fputc('\n', p->f);
        count++;
    }
    if (fflush(p->f) != 0) {
        snprintf(err, errsz, "cannot stage the rows");
        return 500;
    }
    p->rows += count;
    *rows = count;
    return 200;
}

int batcher_add(batcher *b, const char *path, bool ndjson, bool wait, json_t **reply)
{
    char err[512] = "";
    char csv[4200] = "";
    const char *src = path;
    int status = 200;
    if (ndjson) {
        snprintf(csv, sizeof csv, "%s.csv", path);
        status = ndjson_to_csv(path, csv, err, sizeof err);
        src = csv;
    }
    uint64_t rows = 0, batch = 0;
    if (status == 200) {
        pthread_mutex_lock(&b->mu);
        status = append_csv(b, src, &rows, err, sizeof err);
        if (status == 200 && rows) {
            if (!b->pending_rows)
                b->first_at = ria_now();
            b->pending_rows += rows;
            if (b->pending_rows >= b->rows_limit)
                pthread_cond_signal(&b->wake);
        }
        batch = b->next_batch;
        if (status == 200 && wait) {
            b->flush = true;
            pthread_cond_signal(&b->wake);
            while (b->committed_batch <= batch && !b->stop)
                pthread_cond_wait(&b->done, &b->mu);
        }
        uint64_t pending = b->pending_rows;
        int64_t version = b->last_version;
        char last_err[512];
        snprintf(last_err, sizeof last_err, "%s", b->last_error);
        pthread_mutex_unlock(&b->mu);
        if (status == 200) {
            *reply = json_pack("{s:I, s:I, s:i}", "accepted_rows", (json_int_t)rows,
                               "pending_rows", (json_int_t)pending, "commit_within_seconds",
                               b->seconds);
            if (wait) {
                json_object_set_new(*reply, "version", json_integer(version));
                if (last_err[0])
                    json_object_set_new(*reply, "commit_error", json_string(last_err));
            }
        }
    }
    if (csv[0])
        unlink(csv);
    if (status != 200)
        *reply = json_pack("{s:{s:s, s:s, s:i}}", "error", "code",
                           status == 400 ? "bad_rows" : "unavailable", "message", err, "status",
                           status);
    return status;
}

double batcher_lag(batcher *b, uint64_t *pending_rows)
{
    pthread_mutex_lock(&b->mu);
    double lag = b->pending_rows ? ria_now() - b->first_at : 0;
    *pending_rows = b->pending_rows;
    pthread_mutex_unlock(&b->mu);
    return lag;
}

/* ------------------------------------------------------------ commits */

static void count_outcomes(srv *s, const json_t *report)
{
    atomic_fetch_add(&s->m.ingest_accepted,
                     (uint64_t)json_integer_value(json_object_get(report, "accepted")));
    atomic_fetch_add(&s->m.ingest_quarantined,
                     (uint64_t)json_integer_value(json_object_get(report, "quarantined")));
    atomic_fetch_add(&s->m.ingest_duplicates,
                     (uint64_t)json_integer_value(json_object_get(report, "duplicates")));
    atomic_fetch_add(&s->m.ingest_commits, 1);
}

/* Commits every pending file (the mutex held on entry and exit). */
static void commit_pending(batcher *b)
{
    int n = b->nfiles;
    char *paths[MAX_PENDING_FILES];
    for (int i = 0; i < n; i++) {
        if (b->files[i].f) {
            fclose(b->files[i].f);
            b->files[i].f = NULL;
        }
        paths[i] = b->files[i].path;
    }
    uint64_t batch = b->next_batch++;
    pthread_mutex_unlock(&b->mu);
    ria_ingest_opts o = {.mode = RIA_MODE_APPEND, .quiet = true, .threads = 2};
    ria_ingest_result res = {0};
    ria_error err = {0};
    ria_status rc = ria_ingest_run(b->s->store_dir, paths, n, &o, &res, &err);
    pthread_mutex_lock(&b->mu);
    if (rc == RIA_ELOCKED) {
        /* another writer: the same files go into the next attempt */
        b->next_batch--;
        for (int i = 0; i < n; i++)
            b->files[i].f = NULL;
        pthread_mutex_unlock(&b->mu);
        usleep(1000 * 1000);
        pthread_mutex_lock(&b->mu);
        return;
    }
    if (rc == RIA_OK) {
        b->last_version = res.version;
        b->last_error[0] = 0;
        count_outcomes(b->s, res.report);
    } else {
        snprintf(b->last_error, sizeof b->last_error, "%s", err.msg);
        fprintf(stderr, "ria serve: a streamed batch was not committed: %s\n", err.msg);
    }
    ria_ingest_result_free(&res);
    /* rows arrived during the commit went to new files after these */
    for (int i = 0; i < n; i++) {
        if (rc == RIA_OK)
            unlink(b->files[i].path);
        b->pending_rows -= RIA_MIN(b->pending_rows, b->files[i].rows);
    }
    memmove(b->files, b->files + n, (size_t)(b->nfiles - n) * sizeof b->files[0]);
    b->nfiles -= n;
    b->first_at = b->pending_rows ? ria_now() : 0;
    b->committed_batch = batch + 1;
    b->flush = false;
    pthread_cond_broadcast(&b->done);
    if (rc == RIA_OK)
        ria_asker_refresh(b->s->asker, &err);
}

static void *committer(void *arg)
{
    batcher *b = arg;
    pthread_mutex_lock(&b->mu);
    while (!b->stop) {
        double now = ria_now();
        bool due = b->pending_rows &&
                   (b->flush || b->pending_rows >= b->rows_limit || now - b->first_at >= b->seconds);
        if (due) {
            commit_pending(b);
            continue;
        }
        if (b->flush && !b->pending_rows) {
            /* a waiter with nothing to commit */
            b->next_batch++;
            b->committed_batch = b->next_batch;
            b->flush = false;
            pthread_cond_broadcast(&b->done);
            continue;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&b->wake, &b->mu, &ts);
    }
    if (b->pending_rows)
        commit_pending(b); /* what was accepted is committed before stopping */
    pthread_cond_broadcast(&b->done);
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

batcher *batcher_new(srv *s, int seconds, uint64_t rows)
{
    batcher *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->s = s;
    b->seconds = seconds;
    b->rows_limit = rows;
    b->next_batch = 1;
    b->committed_batch = 1;
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->wake, NULL);
    pthread_cond_init(&b->done, NULL);
    if (pthread_create(&b->thread, NULL, committer, b) != 0) {
        free(b);
        return NULL;
    }
    return b;
}

void batcher_free(batcher *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->mu);
    b->stop = true;
    pthread_cond_signal(&b->wake);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->thread, NULL);
    for (int i = 0; i < b->nfiles; i++)
        if (b->files[i].f)
            fclose(b->files[i].f);
    pthread_cond_destroy(&b->wake);
    pthread_cond_destroy(&b->done);
    pthread_mutex_destroy(&b->mu);
    free(b);
}
