/*
 * api_data.c — the data routes: SQL and explain, schema and semantic
 * model, versions, the quality report and quarantined rows, streamed
 * ingest, tasks (submit, follow, cancel), health, readiness, metrics and
 * the embedded page.
 */
#include "server.h"

#include "assets.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SQL_MAX_ROWS 10000

/* ------------------------------------------------------------- results */

static json_t *value_json(const ria_value *v)
{
    if (v->is_null)
        return json_null();
    switch (v->type) {
    case RIA_V_BOOL: return json_boolean(v->i);
    case RIA_V_INT:
        if (v->wide)
            break; /* beyond 64 bits: as text, exactly */
        return json_integer((json_int_t)v->i);
    case RIA_V_DOUBLE: return json_real(v->d);
    case RIA_V_DEC: {
        /* the nearest double to the exact decimal, so it prints as written */
        ria_buf b;
        ria_buf_init(&b, 0);
        ria_value_format(v, true, &b);
        json_t *j = json_real(strtod(b.data ? b.data : "0", NULL));
        ria_buf_free(&b);
        return j;
    }
    case RIA_V_TEXT: return json_stringn(v->s, v->n);
    default: break;
    }
    ria_buf b;
    ria_buf_init(&b, 0);
    ria_value_format(v, true, &b);
    json_t *j = json_stringn(b.data ? b.data : "", b.len);
    ria_buf_free(&b);
    return j;
}

static json_t *result_json(const ria_result *res, size_t max_rows)
{
    json_t *cols = json_array(), *rows = json_array();
    for (int c = 0; c < res->ncols; c++)
        json_array_append_new(cols, json_pack("{s:s, s:s}", "name", res->cols[c].name, "type",
                                              ria_vtype_name(res->cols[c].type)));
    for (size_t i = 0; i < res->nrows && i < max_rows; i++) {
        json_t *row = json_array();
        for (int c = 0; c < res->ncols; c++)
            json_array_append_new(row, value_json(ria_result_at(res, i, c)));
        json_array_append_new(rows, row);
    }
    return json_pack("{s:o, s:o, s:I, s:b}", "columns", cols, "rows", rows, "row_count",
                     (json_int_t)res->nrows, "truncated", res->nrows > max_rows);
}

/* Runs one read-only statement on the store's latest version. */
static json_t *run_sql(srv *s, const char *sql, bool no_views, int *status)
{
    ria_exec_opts eo = {s->o.query_threads, no_views};
    ria_result *res = NULL;
    ria_exec_stats st;
    ria_sql_error se = {0};
    double t0 = ria_now();
    ria_status rc = ria_query(s->st, sql, &eo, &res, &st, &se);
    if (rc != RIA_OK) {
        *status = rc == RIA_EPARSE || rc == RIA_EREFUSED || rc == RIA_EINVAL ||
                          rc == RIA_ENOTFOUND || rc == RIA_EUNSUPPORTED || rc == RIA_ELIMIT
                      ? 400
                      : 500;
        return json_pack("{s:{s:s, s:s, s:i, s:i}}", "error", "code",
                         *status == 400 ? "bad_sql" : "query_failed", "message", se.msg,
                         "position", (int)se.pos, "status", *status);
    }
    json_t *j = result_json(res, SQL_MAX_ROWS);
    json_object_set_new(j, "stats",
                        json_pack("{s:I, s:I, s:i, s:i, s:s, s:f}", "rows_scanned",
                                  (json_int_t)st.rows_scanned, "bytes_read",
                                  (json_int_t)st.bytes_read, "blocks_pruned", (int)st.blocks_pruned,
                                  "partitions_pruned", (int)st.partitions_pruned, "view", st.view,
                                  "ms", (ria_now() - t0) * 1e3));
    atomic_fetch_add(&s->m.rows_scanned, st.rows_scanned);
    atomic_fetch_add(&s->m.bytes_read, st.bytes_read);
    ria_result_free(res);
    *status = 200;
    return j;
}

/* The body of /api/sql and /api/explain: {"sql": "SELECT ...", "no_views"?}. */
typedef struct {
    json_t *body;      /* owned: json_decref it */
    const char *sql;   /* borrowed from body */
    bool no_views;
} sql_request;

/* Reads the request's body into q; false with the error response set. */
static bool sql_request_read(req *r, resp *out, sql_request *q)
{
    q->body = req_json(r, out);
    if (!q->body)
        return false;
    q->sql = json_string_value(json_object_get(q->body, "sql"));
    if (!q->sql) {
        json_decref(q->body);
        resp_error(out, 400, "missing_sql", "the body needs \"sql\": \"SELECT ...\"");
        return false;
    }
    q->no_views = json_is_true(json_object_get(q->body, "no_views"));
    return true;
}

static void h_sql(req *r, resp *out)
{
    sql_request q;
    if (!sql_request_read(r, out, &q))
        return;
    int status;
    json_t *j = run_sql(r->s, q.sql, q.no_views, &status);
    json_decref(q.body);
    resp_json(out, status, j);
}

/* The plan of a statement as `ria sql --explain` prints it. */
static ria_status explain_sql(ria_store *st, const char *sql, const ria_exec_opts *eo, ria_buf *out,
                              char *msg, size_t msgsz)
{
    ria_arena a;
    ria_arena_init(&a, 16 * 1024);
    ria_sql_error se = {0};
    ria_error err = {0};
    ria_plan *p = NULL;
    ria_snapshot *snap = NULL;
    ria_status rc = ria_sql_parse(sql, &a, &p, &se);
    if (rc == RIA_OK && (rc = ria_engine_snapshot_for(st, p, &snap, &err)) != RIA_OK)
        snprintf(se.msg, sizeof se.msg, "%s", err.msg);
    if (rc == RIA_OK && (rc = ria_plan_bind(p, snap, &se)) == RIA_OK) {
        ria_plan_canonicalize(p);
        ria_plan_sql(p, out);
        ria_buf_putc(out, '\n');
        if ((rc = ria_explain(snap, p, eo, out, &err)) != RIA_OK)
            snprintf(se.msg, sizeof se.msg, "%s", err.msg);
    }
    snprintf(msg, msgsz, "%s", se.msg);
    ria_snapshot_free(snap);
    ria_arena_free(&a);
    return rc;
}

static void h_explain(req *r, resp *out)
{
    sql_request q;
    if (!sql_request_read(r, out, &q))
        return;
    ria_exec_opts eo = {r->s->o.query_threads, q.no_views};
    ria_buf text;
    ria_buf_init(&text, 0);
    char msg[512] = "";
    ria_status rc = explain_sql(r->s->st, q.sql, &eo, &text, msg, sizeof msg);
    json_decref(q.body);
    if (rc != RIA_OK) {
        resp_error(out, rc == RIA_EPARSE || rc == RIA_EREFUSED || rc == RIA_ENOTFOUND ? 400 : 500,
                   "bad_sql", "%s", msg);
    } else {
        resp_json(out, 200, json_pack("{s:s}", "plan", text.data ? text.data : ""));
    }
    ria_buf_free(&text);
}

/* ------------------------------------------------------- store routes */

static void h_schema(req *r, resp *out)
{
    ria_snapshot *snap = NULL;
    ria_error err = {0};
    if (ria_store_snapshot(r->s->st, 0, &snap, &err) != RIA_OK) {
        resp_error(out, 503, "no_data", "%s", err.msg);
        return;
    }
    json_t *cols = json_array(), *dims = json_array();
    for (int i = 0; i < snap->ncols; i++) {
        const ria_column *c = &snap->cols[i];
        json_array_append_new(cols, json_pack("{s:s, s:s, s:s, s:s}", "name", c->name, "label",
                                              c->label, "type", ria_type_name(c->type), "role",
                                              c->role ? ria_role_name(c->role) : ""));
        const ria_dict *d = snap->dicts[i];
        if (c->type == RIA_T_TEXT && d && d->count <= 1000) {
            json_t *vals = json_array();
            for (uint32_t k = 1; k <= d->count && k <= 50; k++)
                json_array_append_new(vals, json_stringn(d->strs[k], d->lens[k]));
            json_array_append_new(dims, json_pack("{s:s, s:I, s:o}", "name", c->name, "count",
                                                  (json_int_t)d->count, "values", vals));
        }
    }
    json_t *model = NULL;
    const char *mrel = json_string_value(json_object_get(snap->manifest, "model"));
    char path[4300];
    if (mrel && ria_store_file(snap->store, mrel, path, sizeof path, &err) == RIA_OK)
        model = json_load_file(path, 0, NULL);
    json_t *mlist = json_array();
    void *ex = NULL;
    if (ria_ask_examples(r->s->asker, 0, &ex, &err) == RIA_OK) {
        /* the metric of each "<metric> by <dimension>" phrase, once */
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(ex, "phrases"), i, v)
        {
            const char *p = json_string_value(v), *by = strstr(p, " by ");
            if (!by)
                continue;
            json_t *m = json_stringn(p, (size_t)(by - p));
            bool dup = false;
            size_t k;
            json_t *w;
            json_array_foreach(mlist, k, w) dup |= json_equal(w, m);
            if (dup)
                json_decref(m);
            else
                json_array_append_new(mlist, m);
        }
        json_decref(ex);
    }
    char minb[24] = "", maxb[24] = "";
    if (snap->live_rows) {
        ria_format_ts(snap->min_ts, minb);
        ria_format_ts(snap->max_ts, maxb);
    }
    json_t *j = json_pack("{s:I, s:I, s:o, s:o, s:o, s:s, s:s}", "version",
                          (json_int_t)snap->info.version, "rows", (json_int_t)snap->live_rows,
                          "columns", cols, "dimensions", dims, "model",
                          model ? model : json_null(), "first_order", minb, "last_order", maxb);
    json_object_set_new(j, "metrics", mlist);
    ria_snapshot_free(snap);
    resp_json(out, 200, j);
}

static void h_versions(req *r, resp *out)
{
    ria_version_info *vs = NULL;
    int n = 0;
    ria_error err = {0};
    if (ria_store_versions(r->s->st, &vs, &n, &err) != RIA_OK) {
        resp_error(out, 500, "store_error", "%s", err.msg);
        return;
    }
    json_t *a = json_array();
    for (int i = n - 1; i >= 0; i--) {
        char when[24];
        ria_format_ts(vs[i].time, when);
        json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:s}", "version",
                                           (json_int_t)vs[i].version, "time", when, "operation",
                                           vs[i].operation, "rows_added",
                                           (json_int_t)vs[i].rows_added, "rows_removed",
                                           (json_int_t)vs[i].rows_removed, "live_rows",
                                           (json_int_t)vs[i].live_rows, "summary", vs[i].summary));
    }
    free(vs);
    resp_json(out, 200, json_pack("{s:o}", "versions", a));
}

/* The snapshot of ?version= (latest when absent); NULL with a response. */
static ria_snapshot *version_arg(req *r, resp *out)
{
    const char *v = req_arg(r, "version");
    int64_t ver = 0;
    if (v && (!ria_parse_i64(v, &ver) || ver < 0)) {
        resp_error(out, 400, "bad_version", "version must be a positive integer");
        return NULL;
    }
    ria_snapshot *snap = NULL;
    ria_error err = {0};
    if (ria_store_snapshot(r->s->st, ver, &snap, &err) != RIA_OK) {
        resp_error(out, 404, "no_such_version", "%s", err.msg);
        return NULL;
    }
    return snap;
}

static void h_quality(req *r, resp *out)
{
    ria_snapshot *snap = version_arg(r, out);
    if (!snap)
        return;
    json_t *rep = ria_snapshot_report(snap);
    json_t *j = rep ? json_deep_copy(rep) : json_object();
    json_object_set_new(j, "version", json_integer(snap->info.version));
    json_object_set_new(j, "operation", json_string(snap->info.operation));
    ria_snapshot_free(snap);
    resp_json(out, 200, j);
}

/* Reads one CSV record (quotes may hold commas and newlines); false at EOF. */
static bool csv_record(FILE *f, json_t **fields)
{
    int ch = fgetc(f);
    if (ch == EOF)
        return false;
    *fields = json_array();
    ria_buf b;
    ria_buf_init(&b, 0);
    bool q = false;
    for (; ch != EOF; ch = fgetc(f)) {
        if (q) {
            if (ch == '"') {
                int next = fgetc(f);
                if (next == '"') {
                    ria_buf_putc(&b, '"');
                    continue;
                }
                q = false;
                if (next == EOF)
                    break;
                ch = next;
            } else {
                ria_buf_putc(&b, (char)ch);
                continue;
            }
        }
        if (ch == '"') {
            q = true;
        } else if (ch == ',') {
            json_array_append_new(*fields, json_stringn(b.data ? b.data : "", b.len));
            ria_buf_reset(&b);
        } else if (ch == '\n') {
            break;
        } else if (ch != '\r') {
            ria_buf_putc(&b, (char)ch);
        }
    }
    json_array_append_new(*fields, json_stringn(b.data ? b.data : "", b.len));
    ria_buf_free(&b);
    return true;
}

static void h_quarantine(req *r, resp *out)
{
    ria_snapshot *snap = version_arg(r, out);
    if (!snap)
        return;
    int64_t limit = 100, offset = 0;
    const char *l = req_arg(r, "limit"), *o = req_arg(r, "offset");
    if ((l && (!ria_parse_i64(l, &limit) || limit < 1 || limit > 1000)) ||
        (o && (!ria_parse_i64(o, &offset) || offset < 0))) {
        ria_snapshot_free(snap);
        resp_error(out, 400, "bad_range", "limit is 1..1000 and offset >= 0");
        return;
    }
    json_t *rep = ria_snapshot_report(snap);
    const char *rel = json_string_value(json_object_get(rep, "quarantine_file"));
    json_t *rows = json_array(), *reasons = json_object();
    json_t *cols = json_pack("[s, s, s, s, s]", "file", "line", "rule", "reason", "record");
    json_int_t total = 0;
    char path[4300];
    ria_error err = {0};
    if (rel && *rel && ria_store_file(snap->store, rel, path, sizeof path, &err) == RIA_OK) {
        FILE *f = fopen(path, "r");
        json_t *rec = NULL;
        if (f && csv_record(f, &rec)) { /* the header */
            json_decref(rec);
            while (csv_record(f, &rec)) {
                const char *rule = json_string_value(json_array_get(rec, 2));
                if (rule) {
                    json_t *c = json_object_get(reasons, rule);
                    json_object_set_new(reasons, rule, json_integer(c ? json_integer_value(c) + 1 : 1));
                }
                if (total >= offset && total < offset + limit)
                    json_array_append(rows, rec);
                total++;
                json_decref(rec);
            }
        }
        if (f)
            fclose(f);
    }
    json_t *j = json_pack("{s:I, s:o, s:o, s:I, s:o}", "version", (json_int_t)snap->info.version,
                          "columns", cols, "rows", rows, "total", total, "reasons", reasons);
    ria_snapshot_free(snap);
    resp_json(out, 200, j);
}

/* ------------------------------------------------------------ ingest */

static bool is_ndjson(const req *r)
{
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
    const char *f = req_arg(r, "format");
    return (f && strcmp(f, "ndjson") == 0) ||
           (ct && (strstr(ct, "ndjson") || strstr(ct, "json-seq") || strstr(ct, "jsonl")));
}

static void h_ingest(req *r, resp *out)
{
    if (!r->spool_path[0]) {
        resp_error(out, 400, "empty", "the body is empty: send CSV with a header or NDJSON");
        return;
    }
    const char *w = req_arg(r, "wait");
    json_t *reply = NULL;
    int status = batcher_add(r->s->batch, r->spool_path, is_ndjson(r),
                             w && (strcmp(w, "1") == 0 || strcmp(w, "true") == 0), &reply);
    /* 200 when the rows are committed (wait), 202 when they are pending */
    bool committed = json_integer_value(json_object_get(reply, "version")) > 0;
    resp_json(out, status == 200 ? (committed ? 200 : 202) : status, reply);
}

/* ------------------------------------------------------------- tasks */

static void run_ingest_task(task *t);
static void run_summary_task(task *t);
static void run_sql_task(task *t);
static void run_ask_task(task *t);
static void run_eval_task(task *t);

static void ingest_progress(void *ctx, uint64_t done, uint64_t total)
{
    task *t = ctx;
    task_progress(t, total ? (double)done / (double)total * 0.95 : 0.5, "loading: %llu of %llu bytes",
                  (unsigned long long)done, (unsigned long long)total);
}

static void run_ingest_task(task *t)
{
    srv *s = t->s;
    const char *mode = json_string_value(json_object_get(t->params, "mode"));
    ria_ingest_opts o = {.quiet = true, .threads = 2, .on_progress = ingest_progress,
                         .progress_ctx = t, .cancel = &t->cancel};
    o.mode = mode && strcmp(mode, "upsert") == 0    ? RIA_MODE_UPSERT
             : mode && strcmp(mode, "replace") == 0 ? RIA_MODE_REPLACE
                                                    : RIA_MODE_APPEND;
    o.key = json_string_value(json_object_get(t->params, "key"));
    char *files[1] = {t->spool_path};
    ria_ingest_result res = {0};
    ria_error err = {0};
    task_progress(t, 0, "loading");
    ria_status rc = RIA_ELOCKED;
    for (int tries = 0; rc == RIA_ELOCKED && tries < 60 && !t->cancel; tries++) {
        rc = ria_ingest_run(s->store_dir, files, 1, &o, &res, &err);
        if (rc == RIA_ELOCKED) {
            task_progress(t, 0, "waiting for another writer to finish");
            usleep(1000 * 1000);
        }
    }
    if (rc != RIA_OK) {
        task_finish(t, NULL, err.msg[0] ? err.msg : "cancelled");
        return;
    }
    atomic_fetch_add(&s->m.ingest_accepted,
                     (uint64_t)json_integer_value(json_object_get(res.report, "accepted")));
    atomic_fetch_add(&s->m.ingest_quarantined,
                     (uint64_t)json_integer_value(json_object_get(res.report, "quarantined")));
    atomic_fetch_add(&s->m.ingest_duplicates,
                     (uint64_t)json_integer_value(json_object_get(res.report, "duplicates")));
    atomic_fetch_add(&s->m.ingest_commits, 1);
    json_t *result = json_deep_copy(res.report);
    json_object_set_new(result, "version", json_integer(res.version));
    ria_ingest_result_free(&res);
    ria_asker_refresh(s->asker, &err);
    task_finish(t, result, NULL);
}

static void run_summary_task(task *t)
{
    void *rep = NULL;
    ria_error err = {0};
    task_progress(t, 0.1, "computing the report");
    const char *period = json_string_value(json_object_get(t->params, "period"));
    if (ria_summary(t->s->asker, period ? period : "", &rep, &err) != RIA_OK)
        task_finish(t, NULL, err.msg);
    else
        task_finish(t, rep, NULL);
}

static void run_sql_task(task *t)
{
    const char *sql = json_string_value(json_object_get(t->params, "sql"));
    int status;
    task_progress(t, 0.1, "running the query");
    json_t *j = run_sql(t->s, sql ? sql : "", json_is_true(json_object_get(t->params, "no_views")),
                        &status);
    if (status != 200) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s",
                 json_string_value(json_object_get(json_object_get(j, "error"), "message")));
        json_decref(j);
        task_finish(t, NULL, msg);
        return;
    }
    task_finish(t, j, NULL);
}

static void run_ask_task(task *t)
{
    const char *q = json_string_value(json_object_get(t->params, "question"));
    void *ans = NULL;
    ria_error err = {0};
    if (ria_ask(t->s->asker, NULL, q ? q : "", &ans, &err) != RIA_OK)
        task_finish(t, NULL, err.msg);
    else
        task_finish(t, ans, NULL);
}

/* An evaluation over golden questions sent with the task:
 * {"questions": [{"id", "question", "expect", ...}]} — the answers and the
 * share answered (judging is the client's or `ria eval`'s). */
static void run_eval_task(task *t)
{
    json_t *qs = json_object_get(t->params, "questions");
    size_t n = json_array_size(qs), answered = 0;
    json_t *out = json_array();
    ria_session *sess = NULL;
    const char *sname = NULL;
    for (size_t i = 0; i < n && !t->cancel; i++) {
        json_t *q = json_array_get(qs, i);
        const char *text = json_string_value(json_object_get(q, "question"));
        const char *sn = json_string_value(json_object_get(q, "session"));
        if (!sn || !sname || strcmp(sn, sname) != 0) {
            ria_session_free(sess);
            sess = sn ? ria_session_new() : NULL;
            sname = sn;
        }
        void *ans = NULL;
        ria_error err = {0};
        if (!text || ria_ask(t->s->asker, sess, text, &ans, &err) != RIA_OK)
            ans = json_pack("{s:s, s:s}", "status", "error", "text", err.msg);
        const char *st = json_string_value(json_object_get(ans, "status"));
        answered += st && strcmp(st, "answered") == 0;
        json_array_append_new(out, json_pack("{s:O, s:o}", "id",
                                             json_object_get(q, "id") ? json_object_get(q, "id") : json_null(),
                                             "answer", ans));
        task_progress(t, (double)(i + 1) / (double)n, "%zu of %zu questions", i + 1, n);
    }
    ria_session_free(sess);
    task_finish(t, json_pack("{s:I, s:I, s:o}", "questions", (json_int_t)n, "answered",
                             (json_int_t)answered, "answers", out),
                NULL);
}

/* Gives an upload the file name the client sent (?name=sales.csv), so the
 * ingest report names it: the spooled file moves into a directory of its
 * own.  Only letters, digits, '.', '-' and '_' are kept. */
static void name_upload(req *r)
{
    const char *name = req_arg(r, "name");
    if (!name || !*name)
        return;
    char clean[101];
    size_t k = 0;
    for (const char *p = name; *p && k < sizeof clean - 1; p++) {
        char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '-' || c == '_')
            clean[k++] = c;
    }
    clean[k] = 0;
    if (!k || clean[0] == '.')
        return;
    char dir[4300], path[4500];
    snprintf(dir, sizeof dir, "%s/upload-XXXXXX", r->s->data_dir);
    if (!mkdtemp(dir))
        return;
    snprintf(path, sizeof path, "%s/%s", dir, clean);
    if (rename(r->spool_path, path) != 0 || strlen(path) >= sizeof r->spool_path) {
        rmdir(dir);
        return;
    }
    snprintf(r->spool_path, sizeof r->spool_path, "%s", path);
}

static void h_task_submit(req *r, resp *out)
{
    const char *kind = req_arg(r, "kind");
    srv *s = r->s;
    json_t *params = NULL;
    task_fn fn = NULL;
    bool upload = kind && strcmp(kind, "ingest") == 0;
    if (upload) {
        if (r->auth < AUTH_WRITE) {
            resp_error(out, 403, "forbidden", "loading data needs a key with write rights");
            return;
        }
        if (!r->spool_path[0]) {
            resp_error(out, 400, "empty", "send the CSV file as the request body");
            return;
        }
        name_upload(r);
        params = json_object();
        const char *mode = req_arg(r, "mode"), *key = req_arg(r, "key");
        if (mode)
            json_object_set_new(params, "mode", json_string(mode));
        if (key)
            json_object_set_new(params, "key", json_string(key));
        fn = run_ingest_task;
    } else {
        /* the other kinds take a small JSON body, spooled like uploads */
        json_error_t je;
        params = r->spool_path[0] ? json_load_file(r->spool_path, 0, &je) : json_object();
        if (!json_is_object(params) || r->body_bytes > s->o.max_body) {
            json_decref(params);
            resp_error(out, 400, "bad_json", "the body must be a JSON object of at most %zu bytes",
                       s->o.max_body);
            return;
        }
        fn = !kind                          ? NULL
             : strcmp(kind, "summary") == 0 ? run_summary_task
             : strcmp(kind, "sql") == 0     ? run_sql_task
             : strcmp(kind, "ask") == 0     ? run_ask_task
             : strcmp(kind, "eval") == 0    ? run_eval_task
                                            : NULL;
    }
    if (!fn) {
        json_decref(params);
        resp_error(out, 400, "bad_kind", "kind must be ingest, summary, sql, ask or eval");
        return;
    }
    task *t = tasks_submit(s->tasks, kind, fn, params, upload ? r->spool_path : NULL);
    if (!t) {
        resp_error(out, 429, "busy", "the task queue is full; retry shortly");
        return;
    }
    if (upload)
        r->spool_path[0] = 0; /* the task owns the file now */
    snprintf(out->location, sizeof out->location, "/api/tasks/%s", t->id);
    resp_json(out, 202, task_json(s->tasks, t, false));
    tasks_put(s->tasks, t);
}

static void h_tasks(req *r, resp *out)
{
    const char *rest = r->url + strlen("/api/tasks");
    srv *s = r->s;
    if (!*rest || strcmp(rest, "/") == 0) {
        if (strcmp(r->method, "POST") == 0)
            h_task_submit(r, out);
        else
            resp_json(out, 200, json_pack("{s:o}", "tasks", tasks_list(s->tasks)));
        return;
    }
    char id[40];
    const char *slash = strchr(rest + 1, '/');
    size_t n = slash ? (size_t)(slash - rest - 1) : strlen(rest + 1);
    if (n == 0 || n >= sizeof id) {
        resp_error(out, 404, "not_found", "no such task");
        return;
    }
    memcpy(id, rest + 1, n);
    id[n] = 0;
    task *t = tasks_get(s->tasks, id);
    if (!t) {
        resp_error(out, 404, "not_found", "no such task: %s", id);
        return;
    }
    if (slash && strcmp(slash, "/events") == 0 && strcmp(r->method, "GET") == 0) {
        out->raw = tasks_events(s->tasks, t, r->conn);
        out->status = out->raw ? 200 : 500;
    } else if (slash) {
        resp_error(out, 404, "not_found", "no such task route");
    } else if (strcmp(r->method, "DELETE") == 0) {
        bool live = task_cancel(s->tasks, t);
        resp_json(out, live ? 202 : 409, task_json(s->tasks, t, false));
    } else if (strcmp(r->method, "GET") == 0) {
        resp_json(out, 200, task_json(s->tasks, t, true));
    } else {
        resp_error(out, 405, "method_not_allowed", "use GET or DELETE on a task");
    }
    tasks_put(s->tasks, t);
}

/* ------------------------------------------------------ health, metrics */

static void h_healthz(req *r, resp *out)
{
    (void)r;
    resp_json(out, 200, json_pack("{s:s}", "status", "ok"));
}

static void h_readyz(req *r, resp *out)
{
    srv *s = r->s;
    int64_t v = atomic_load(&s->version);
    if (v <= 0) {
        resp_error(out, 503, "not_ready", "the store has no data yet");
        return;
    }
    uint64_t pending = 0;
    double lag = batcher_lag(s->batch, &pending);
    resp_json(out, 200, json_pack("{s:s, s:I, s:b, s:f}", "status", "ready", "version", (json_int_t)v,
                                  "redis", s->redis ? redis_tier_up(s->redis) : 0,
                                  "freshness_lag_seconds", lag));
}

static void h_metrics(req *r, resp *out)
{
    size_t len;
    char *text = metrics_render(r->s, &len);
    resp_text(out, 200, "text/plain; version=0.0.4", text, len);
}

static void h_static(req *r, resp *out)
{
    if (strncmp(r->url, "/api/", 5) == 0) {
        resp_error(out, 404, "not_found", "no such route: %s", r->url);
        return;
    }
    const char *path = strcmp(r->url, "/") == 0 ? "/index.html" : r->url;
    for (size_t i = 0; i < ria_asset_count; i++)
        if (strcmp(ria_assets[i].path, path) == 0) {
            out->status = 200;
            out->type = ria_assets[i].type;
            out->body = (char *)ria_assets[i].data;
            out->len = ria_assets[i].len;
            out->body_static = true;
            return;
        }
    resp_error(out, 404, "not_found", "no such file: %s", r->url);
}

/* ------------------------------------------------------------- table */

void api_data_routes(const route **rt, int *n);

static const route data_routes[] = {
    {"POST", "/api/sql", false, AUTH_READ, false, "sql", h_sql},
    {"POST", "/api/explain", false, AUTH_READ, false, "explain", h_explain},
    {"GET", "/api/schema", false, AUTH_READ, false, "schema", h_schema},
    {"GET", "/api/versions", false, AUTH_READ, false, "versions", h_versions},
    {"GET", "/api/quality", false, AUTH_READ, false, "quality", h_quality},
    {"GET", "/api/quality/quarantine", false, AUTH_READ, false, "quarantine", h_quarantine},
    {"POST", "/api/ingest", false, AUTH_WRITE, true, "ingest", h_ingest},
    {"POST", "/api/tasks", false, AUTH_READ, true, "tasks", h_tasks},
    {"GET", "/api/tasks", false, AUTH_READ, false, "tasks", h_tasks},
    {"GET", "/api/tasks/", true, AUTH_READ, false, "tasks", h_tasks},
    {"DELETE", "/api/tasks/", true, AUTH_READ, false, "tasks", h_tasks},
    {"GET", "/healthz", false, AUTH_NONE, false, "healthz", h_healthz},
    {"GET", "/readyz", false, AUTH_NONE, false, "readyz", h_readyz},
    {"GET", "/metrics", false, AUTH_READ, false, "metrics", h_metrics},
    {"GET", "/", true, AUTH_NONE, false, "static", h_static},
};

void api_data_routes(const route **rt, int *n)
{
    *rt = data_routes;
    *n = (int)RIA_ARRAY_LEN(data_routes);
}
