/*
 * api_ask.c — the question routes: ask (with sessions), summary,
 * suggestions, examples and feedback; and the query log.
 */
#include "server.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ sessions */

void serve_new_id(char out[33])
{
    uint64_t a = ria_random64(), b = ria_random64();
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)a, (unsigned long long)b);
}

static bool valid_id(const char *id)
{
    size_t n = strlen(id);
    if (n < 8 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)id[i]) && id[i] != '-' && id[i] != '_')
            return false;
    return true;
}

sess_entry *sess_get(sess_table *t, const char *id)
{
    pthread_mutex_lock(&t->mu);
    sess_entry *e = NULL;
    if (id && valid_id(id))
        for (e = t->head; e && strcmp(e->id, id) != 0; e = e->next) {
        }
    if (!e) {
        if (t->n >= t->max) {
            /* the least recently used idle session makes room */
            sess_entry **victim = NULL;
            for (sess_entry **pp = &t->head; *pp; pp = &(*pp)->next)
                if (!(*pp)->refs && (!victim || (*pp)->last_used < (*victim)->last_used))
                    victim = pp;
            if (victim) {
                sess_entry *v = *victim;
                *victim = v->next;
                ria_session_free(v->sess);
                pthread_mutex_destroy(&v->mu);
                free(v);
                t->n--;
            }
        }
        e = calloc(1, sizeof *e);
        if (e)
            e->sess = ria_session_new();
        if (e && e->sess) {
            if (id && valid_id(id))
                snprintf(e->id, sizeof e->id, "%s", id);
            else
                serve_new_id(e->id);
            pthread_mutex_init(&e->mu, NULL);
            e->next = t->head;
            t->head = e;
            t->n++;
        } else if (e) {
            free(e);
            e = NULL;
        }
    }
    if (e) {
        e->refs++;
        e->last_used = ria_now();
    }
    pthread_mutex_unlock(&t->mu);
    return e;
}

void sess_put(sess_table *t, sess_entry *e)
{
    pthread_mutex_lock(&t->mu);
    e->refs--;
    pthread_mutex_unlock(&t->mu);
}

void sess_expire(sess_table *t, double idle_seconds)
{
    double now = ria_now();
    pthread_mutex_lock(&t->mu);
    sess_entry **pp = &t->head;
    while (*pp) {
        sess_entry *e = *pp;
        if (!e->refs && now - e->last_used > idle_seconds) {
            *pp = e->next;
            ria_session_free(e->sess);
            pthread_mutex_destroy(&e->mu);
            free(e);
            t->n--;
            continue;
        }
        pp = &e->next;
    }
    pthread_mutex_unlock(&t->mu);
}

void sess_free_all(sess_table *t)
{
    sess_expire(t, -1);
}

/* ------------------------------------------------------------ query log */

void serve_log_question(srv *s, const char *question, json_t *ans, const char *session)
{
    if (!s->qlog)
        return;
    char when[32];
    ria_format_ts(ria_wall_time(), when);
    json_t *in = json_object_get(ans, "interpretation");
    json_t *line = json_pack("{s:s, s:s, s:s}", "time", when, "question", question, "session",
                             session ? session : "");
    /* copies of the answer's fields (null when absent) */
    static const char *const from_answer[] = {"status", "tier", "plan_hash"};
    for (size_t i = 0; i < RIA_ARRAY_LEN(from_answer); i++) {
        json_t *v = json_object_get(ans, from_answer[i]);
        json_object_set(line, from_answer[i], v ? v : json_null());
    }
    json_t *ms = json_object_get(json_object_get(ans, "timings"), "total_ms");
    json_t *rows = json_object_get(json_object_get(ans, "stats"), "rows_scanned");
    json_t *dv = json_object_get(in, "data_version"), *sum = json_object_get(in, "summary");
    json_object_set(line, "ms", ms ? ms : json_null());
    json_object_set_new(line, "rows_scanned", json_integer(rows ? json_integer_value(rows) : 0));
    json_object_set(line, "data_version", dv ? dv : json_null());
    json_object_set(line, "interpretation", sum ? sum : json_null());
    char *text = json_dumps(line, JSON_COMPACT);
    json_decref(line);
    if (!text)
        return;
    pthread_mutex_lock(&s->log_mu);
    fputs(text, s->qlog);
    fputc('\n', s->qlog);
    fflush(s->qlog);
    pthread_mutex_unlock(&s->log_mu);
    free(text);
}

/* ------------------------------------------------------------------ ask */

static int tier_index(const char *tier)
{
    static const char *const names[4] = {"rules", "plan_cache", "exact_cache", "shared_cache"};
    for (int i = 0; tier && i < 4; i++)
        if (strcmp(tier, names[i]) == 0)
            return i;
    return 0;
}

static void count_answer(srv *s, json_t *ans, double seconds)
{
    const char *status = json_string_value(json_object_get(ans, "status"));
    int k = !status ? 3
            : strcmp(status, "answered") == 0       ? 0
            : strcmp(status, "not_understood") == 0 ? 1
            : strcmp(status, "out_of_scope") == 0   ? 2
                                                    : 3;
    atomic_fetch_add(&s->m.answers[k], 1);
    const char *tier = json_string_value(json_object_get(ans, "tier"));
    int t = tier_index(tier);
    hist_observe(&s->m.ask_tier[t], seconds);
    if (t == 0 && k == 0) {
        json_t *st = json_object_get(ans, "stats");
        atomic_fetch_add(&s->m.computed_answers, 1);
        atomic_fetch_add(&s->m.rows_scanned, (uint64_t)json_integer_value(json_object_get(st, "rows_scanned")));
        atomic_fetch_add(&s->m.bytes_read, (uint64_t)json_integer_value(json_object_get(st, "bytes_read")));
        const char *view = json_string_value(json_object_get(st, "view"));
        if (view && *view)
            atomic_fetch_add(&s->m.view_answers, 1);
    }
}

/* Asks one question (in a session when sid is given or "new"). */
static json_t *ask_one(srv *s, const char *question, const char *sid, bool use_session,
                       ria_error *err, ria_status *rc)
{
    double t0 = ria_now();
    sess_entry *e = use_session ? sess_get(&s->sessions, sid) : NULL;
    if (e)
        pthread_mutex_lock(&e->mu);
    void *ans = NULL;
    *rc = ria_ask(s->asker, e ? e->sess : NULL, question, &ans, err);
    if (e) {
        pthread_mutex_unlock(&e->mu);
        if (ans)
            json_object_set_new(ans, "session", json_string(e->id));
        sess_put(&s->sessions, e);
    }
    if (*rc == RIA_OK) {
        count_answer(s, ans, ria_now() - t0);
        serve_log_question(s, question, ans, e ? json_string_value(json_object_get(ans, "session")) : NULL);
    }
    return ans;
}

static void h_ask(req *r, resp *out)
{
    json_t *body = req_json(r, out);
    if (!body)
        return;
    const char *q = json_string_value(json_object_get(body, "question"));
    if (!q) {
        json_decref(body);
        resp_error(out, 400, "missing_question", "the body needs \"question\": \"...\"");
        return;
    }
    if (strlen(q) > 2000) {
        json_decref(body);
        resp_error(out, 413, "too_long", "a question has at most 2000 characters");
        return;
    }
    json_t *sj = json_object_get(body, "session");
    const char *sid = json_string_value(sj);
    bool use_session = !json_is_false(sj); /* "session": false = a one-off question */
    ria_error err = {0};
    ria_status rc;
    json_t *ans = ask_one(r->s, q, sid, use_session, &err, &rc);
    json_decref(body);
    if (rc != RIA_OK) {
        resp_error(out, 500, "ask_failed", "%s", err.msg);
        return;
    }
    resp_json(out, 200, ans);
}

static void h_summary(req *r, resp *out)
{
    const char *period = req_arg(r, "period");
    json_t *body = NULL;
    if (strcmp(r->method, "POST") == 0) {
        body = req_json(r, out);
        if (!body)
            return;
        period = json_string_value(json_object_get(body, "period"));
    }
    void *rep = NULL;
    ria_error err = {0};
    ria_status rc = ria_summary(r->s->asker, period ? period : "", &rep, &err);
    json_decref(body);
    if (rc != RIA_OK) {
        resp_error(out, 500, "summary_failed", "%s", err.msg);
        return;
    }
    resp_json(out, 200, rep);
}

/* ---------------------------------------------------- suggestions, examples */

/* Phrases for the ask box: past questions from the query log and the
 * vocabulary, those starting with (then containing) the prefix first. */
static void h_suggestions(req *r, resp *out)
{
    const char *q = req_arg(r, "q");
    size_t qn = q ? strlen(q) : 0;
    if (qn > 200) {
        resp_error(out, 400, "too_long", "q has at most 200 characters");
        return;
    }
    char low[201];
    for (size_t i = 0; i < qn; i++)
        low[i] = (char)tolower((unsigned char)q[i]);
    low[qn] = 0;
    json_t *pool = json_array();
    /* recent questions answered (the query log) */
    srv *s = r->s;
    if (s->qlog) {
        char path[4300];
        snprintf(path, sizeof path, "%s/queries.jsonl", s->data_dir);
        FILE *f = s->o.query_log && *s->o.query_log ? fopen(s->o.query_log, "r") : fopen(path, "r");
        if (f) {
            if (fseek(f, -65536, SEEK_END) != 0)
                fseek(f, 0, SEEK_SET);
            char line[4096];
            while (fgets(line, sizeof line, f)) {
                json_t *j = json_loads(line, 0, NULL);
                const char *st = json_string_value(json_object_get(j, "status"));
                const char *qq = json_string_value(json_object_get(j, "question"));
                if (st && qq && strcmp(st, "answered") == 0)
                    json_array_append_new(pool, json_string(qq));
                json_decref(j);
            }
            fclose(f);
        }
    }
    json_t *ex = NULL;
    void *vocab = NULL;
    ria_error err = {0};
    if (ria_ask_examples(s->asker, 40, &vocab, &err) == RIA_OK) {
        ex = vocab;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(ex, "examples"), i, v) json_array_append(pool, v);
        json_array_foreach(json_object_get(ex, "phrases"), i, v) json_array_append(pool, v);
    }
    json_t *res = json_array();
    for (int pass = 0; pass < 2; pass++) {
        size_t i;
        json_t *v;
        json_array_foreach(pool, i, v)
        {
            if (json_array_size(res) >= 10)
                break;
            const char *t = json_string_value(v);
            char tl[512];
            size_t n = strlen(t);
            if (n >= sizeof tl)
                continue;
            for (size_t k = 0; k <= n; k++)
                tl[k] = (char)tolower((unsigned char)t[k]);
            bool hit = pass == 0 ? strncmp(tl, low, qn) == 0 : qn && strstr(tl, low) && strncmp(tl, low, qn) != 0;
            if (!hit)
                continue;
            bool dup = false;
            size_t k;
            json_t *w;
            json_array_foreach(res, k, w) dup |= strcasecmp(json_string_value(w), t) == 0;
            if (!dup)
                json_array_append(res, v);
        }
    }
    json_decref(pool);
    json_decref(ex);
    resp_json(out, 200, json_pack("{s:o}", "suggestions", res));
}

static void h_examples(req *r, resp *out)
{
    void *ex = NULL;
    ria_error err = {0};
    if (ria_ask_examples(r->s->asker, 8, &ex, &err) != RIA_OK) {
        resp_error(out, 500, "examples_failed", "%s", err.msg);
        return;
    }
    json_object_del(ex, "phrases");
    resp_json(out, 200, ex);
}

/* ------------------------------------------------------------- feedback */

static void h_feedback(req *r, resp *out)
{
    json_t *body = req_json(r, out);
    if (!body)
        return;
    const char *q = json_string_value(json_object_get(body, "question"));
    const char *rating = json_string_value(json_object_get(body, "rating"));
    if (!q || !rating || (strcmp(rating, "up") != 0 && strcmp(rating, "down") != 0)) {
        json_decref(body);
        resp_error(out, 400, "bad_feedback",
                   "the body needs \"question\" and \"rating\": \"up\" or \"down\"");
        return;
    }
    bool up = strcmp(rating, "up") == 0; /* rating points into body, freed below */
    const char *reason = json_string_value(json_object_get(body, "reason"));
    const char *comment = json_string_value(json_object_get(body, "comment"));
    if (strlen(q) > 2000 || (reason && strlen(reason) > 100) || (comment && strlen(comment) > 2000)) {
        json_decref(body);
        resp_error(out, 413, "too_long", "question, reason or comment is too long");
        return;
    }
    srv *s = r->s;
    char id[33], when[32];
    serve_new_id(id);
    ria_format_ts(ria_wall_time(), when);
    json_t *interp = json_object_get(body, "interpretation");
    json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:O, s:O, s:O}", "id", id,
                            "time", when, "question", q, "rating", rating, "reason",
                            reason ? reason : "", "comment", comment ? comment : "",
                            "interpretation", json_is_object(interp) || json_is_string(interp) ? interp : json_null(),
                            "data_version",
                            json_is_integer(json_object_get(body, "data_version"))
                                ? json_object_get(body, "data_version")
                                : json_integer(atomic_load(&s->version)),
                            "plan_hash",
                            json_is_string(json_object_get(body, "plan_hash"))
                                ? json_object_get(body, "plan_hash")
                                : json_null(),
                            "session",
                            json_is_string(json_object_get(body, "session"))
                                ? json_object_get(body, "session")
                                : json_null());
    json_decref(body);
    char *text = json_dumps(rec, JSON_COMPACT);
    json_decref(rec);
    bool ok = false;
    pthread_mutex_lock(&s->log_mu);
    FILE *f = fopen(s->feedback_path, "a");
    if (f && text) {
        ok = fprintf(f, "%s\n", text) > 0;
        ok = fclose(f) == 0 && ok;
    } else if (f) {
        fclose(f);
    }
    pthread_mutex_unlock(&s->log_mu);
    free(text);
    if (!ok) {
        resp_error(out, 500, "io_error", "the feedback could not be stored");
        return;
    }
    atomic_fetch_add(up ? &s->m.feedback_up : &s->m.feedback_down, 1);
    resp_json(out, 201, json_pack("{s:b, s:s}", "ok", 1, "id", id));
}

/* --------------------------------------------------------------- exports */

void api_ask_routes(const route **rt, int *n);

static const route ask_routes[] = {
    {"POST", "/api/ask", false, AUTH_READ, false, "ask", h_ask},
    {"GET", "/api/summary", false, AUTH_READ, false, "summary", h_summary},
    {"POST", "/api/summary", false, AUTH_READ, false, "summary", h_summary},
    {"GET", "/api/suggestions", false, AUTH_READ, false, "suggestions", h_suggestions},
    {"GET", "/api/examples", false, AUTH_READ, false, "examples", h_examples},
    {"POST", "/api/feedback", false, AUTH_READ, false, "feedback", h_feedback},
};

void api_ask_routes(const route **rt, int *n)
{
    *rt = ask_routes;
    *n = (int)RIA_ARRAY_LEN(ask_routes);
}
