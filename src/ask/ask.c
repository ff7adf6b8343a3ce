/*
 * ask.c — the question engine's front door: versioned state, the two cache
 * tiers, sessions, and the path question → intent → plans → results →
 * answer.
 *
 * State (snapshot, vocabulary, anchor) is reference-counted and replaced
 * whole when a new version is committed, so every answer is computed on one
 * consistent version while others may refresh.  Cache keys include the
 * version and anchor: a new commit never serves stale numbers.
 *   tier 1, exact: the normalized question text (+ session context);
 *   tier 2, plan:  the canonical plans and the intent they came from, so
 *                  different wordings of one question share an entry and
 *                  questions that differ in any slot never do.
 */
#include "answer.h"
#include "cache/cache.h"
#include "parse.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    ria_snapshot *snap;
    vocab voc;
    int64_t version;
    int64_t anchor;
    int refs;                 /* guarded by the asker's mutex */
} ask_state;

struct ria_asker {
    ria_store *st;
    ria_ask_opts opts;
    pthread_mutex_t mu;
    ask_state *cur;
    ria_lru *exact, *plans;
};

struct ria_session {
    ask_intent prev;
    bool has_prev;
    char last_question[512];
};

/* ------------------------------------------------------------- state */

static json_t *load_model(ria_snapshot *snap)
{
    const char *rel = snap->manifest
                          ? json_string_value(json_object_get(snap->manifest, "model"))
                          : NULL;
    char path[4200];
    if (!rel || !*rel ||
        ria_store_file(snap->store, rel, path, sizeof path, NULL) != RIA_OK)
        return NULL;
    return json_load_file(path, 0, NULL);
}

static void state_free(ask_state *s)
{
    if (!s)
        return;
    vocab_free(&s->voc);
    ria_snapshot_free(s->snap);
    free(s);
}

static ria_status state_new(ria_asker *a, ask_state **out, ria_error *err)
{
    ask_state *s = calloc(1, sizeof *s);
    if (!s)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    ria_status rc = ria_store_snapshot(a->st, 0, &s->snap, err);
    if (rc == RIA_OK && s->snap->info.version == 0)
        rc = ria_fail(err, RIA_ENOTFOUND, "the store has no data yet (run 'ria ingest FILE')");
    json_t *model = rc == RIA_OK ? load_model(s->snap) : NULL;
    if (rc == RIA_OK)
        rc = vocab_build(&s->voc, s->snap, model, err);
    json_decref(model);
    if (rc != RIA_OK) {
        state_free(s);
        return rc;
    }
    s->version = s->snap->info.version;
    s->anchor = a->opts.anchor ? a->opts.anchor : s->snap->max_ts;
    s->refs = 1;
    *out = s;
    return RIA_OK;
}

static ask_state *state_get(ria_asker *a)
{
    pthread_mutex_lock(&a->mu);
    ask_state *s = a->cur;
    s->refs++;
    pthread_mutex_unlock(&a->mu);
    return s;
}

static void state_put(ria_asker *a, ask_state *s)
{
    pthread_mutex_lock(&a->mu);
    bool last = --s->refs == 0;
    pthread_mutex_unlock(&a->mu);
    if (last)
        state_free(s);
}

ria_status ria_asker_open(ria_store *st, const ria_ask_opts *opts, ria_asker **out, ria_error *err)
{
    ria_asker *a = calloc(1, sizeof *a);
    if (!a)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    a->st = st;
    if (opts)
        a->opts = *opts;
    size_t budget = a->opts.cache_bytes ? a->opts.cache_bytes : 64u << 20;
    pthread_mutex_init(&a->mu, NULL);
    a->exact = ria_lru_new(budget);
    a->plans = ria_lru_new(budget);
    ria_status rc = a->exact && a->plans ? state_new(a, &a->cur, err)
                                         : ria_fail(err, RIA_ENOMEM, "out of memory");
    if (rc != RIA_OK) {
        ria_asker_free(a);
        return rc;
    }
    *out = a;
    return RIA_OK;
}

void ria_asker_free(ria_asker *a)
{
    if (!a)
        return;
    if (a->cur)
        state_put(a, a->cur);
    ria_lru_free(a->exact);
    ria_lru_free(a->plans);
    pthread_mutex_destroy(&a->mu);
    free(a);
}

ria_status ria_asker_refresh(ria_asker *a, ria_error *err)
{
    int64_t latest;
    ria_status rc = ria_store_latest(a->st, &latest, err);
    if (rc != RIA_OK || latest == ria_asker_version(a))
        return rc;
    ask_state *s;
    if ((rc = state_new(a, &s, err)) != RIA_OK)
        return rc;
    pthread_mutex_lock(&a->mu);
    ask_state *old = a->cur;
    a->cur = s;
    pthread_mutex_unlock(&a->mu);
    state_put(a, old);
    return RIA_OK;
}

int64_t ria_asker_version(const ria_asker *a)
{
    ria_asker *m = (ria_asker *)a;
    pthread_mutex_lock(&m->mu);
    int64_t v = m->cur->version;
    pthread_mutex_unlock(&m->mu);
    return v;
}

ria_session *ria_session_new(void)
{
    return calloc(1, sizeof(ria_session));
}

void ria_session_free(ria_session *s)
{
    free(s);
}

void ria_ask_cache_stats_get(const ria_asker *a, ria_ask_cache_stats *out)
{
    ria_lru_stats e, p;
    ria_lru_stats_get(a->exact, &e);
    ria_lru_stats_get(a->plans, &p);
    *out = (ria_ask_cache_stats){e.hits, e.misses, p.hits, p.misses, e.bytes, p.bytes};
}

/* ------------------------------------------------------------- keys */

/* Lower case, single spaces, no trailing punctuation: how the exact tier
 * sees a question. */
static void normalize(const char *q, ria_buf *out)
{
    bool space = false;
    for (const char *p = q; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (isspace(c)) {
            space = out->len > 0;
            continue;
        }
        if (space)
            ria_buf_putc(out, ' ');
        space = false;
        ria_buf_putc(out, (char)tolower(c));
    }
    while (out->len && strchr("?!. ", out->data[out->len - 1]))
        out->data[--out->len] = 0;
}

/* The intent fields that decide an answer, in a fixed serialization. */
static void intent_text(const ask_intent *in, ria_buf *b)
{
    ria_buf_printf(b, "s%d m%d m%d e%d ", in->shape, in->metric, in->metric2, in->metric_explicit);
    for (int i = 0; i < in->nfilters; i++) {
        const ask_filter *f = &in->filters[i];
        ria_buf_printf(b, "f%d%c", f->dim, f->negate ? '!' : '=');
        for (int k = 0; k < f->nvalues; k++)
            ria_buf_printf(b, "%zu:%s,", strlen(f->values[k]), f->values[k]);
        ria_buf_printf(b, "[%s] ", f->label);
    }
    if (in->has_period)
        ria_buf_printf(b, "p%lld-%lld[%s] ", (long long)in->period.start,
                       (long long)in->period.end, in->period.label);
    for (int k = 0; k < in->nperiods; k++)
        ria_buf_printf(b, "q%lld-%lld[%s] ", (long long)in->periods[k].start,
                       (long long)in->periods[k].end, in->periods[k].label);
    for (int g = 0; g < in->ngroup; g++)
        ria_buf_printf(b, "g%d ", in->group[g]);
    ria_buf_printf(b, "t%d:%d n%d a%d c%d:%d d%d r%d b%.17g:%d:%d:%d u%d:%d sg%d an%lld",
                   in->by_time, in->grain, in->top_n, in->ascending, in->compare_values,
                   in->compare_filter, in->difference, in->growth_rank, in->bound,
                   in->bound_above, in->bound_on_growth, in->bound_inclusive, in->trend_up,
                   in->trend2_up, in->status_grouped, (long long)in->anchor);
    ria_buf_printf(b, " gs%d:%d x%d h%d:%d:%.17g:%d sp%d", in->growth_series, in->lag_months,
                   in->extra, in->has_having, in->having_metric, in->having_bound,
                   in->having_above, in->share_of_period);
    for (int i = 0; i < in->nfilters; i++)
        ria_buf_printf(b, " ng%d", in->filters[i].named_group);
}

static ria_hash128 key_of(const char *a, size_t an, int64_t version)
{
    ria_buf b;
    ria_buf_init(&b, 0);
    ria_buf_printf(&b, "v%lld|", (long long)version);
    ria_buf_append(&b, a, an);
    ria_hash128 h = ria_hash128_of(b.data, b.len);
    ria_buf_free(&b);
    return h;
}

/* ------------------------------------------------------- cannot answer */

/* The lexicon phrases closest to a word (for "did you mean"). */
static void suggestions(const vocab *v, const char *word, json_t *out)
{
    char low[64];
    size_t n = 0;
    for (; word[n] && n + 1 < sizeof low; n++)
        low[n] = (char)tolower((unsigned char)word[n]);
    low[n] = 0;
    const lex_entry *best[3] = {0};
    int bestd[3] = {99, 99, 99};
    for (int i = 0; i < v->lex.n; i++) {
        const lex_entry *e = &v->lex.e[i];
        if (e->kind > LX_STATES || e->nwords > 2)
            continue;
        size_t m = strlen(e->phrase);
        int d = 0;
        /* cheap distance: common prefix and length difference */
        size_t k = 0;
        while (k < n && k < m && low[k] == e->phrase[k])
            k++;
        d = (int)(RIA_MAX(n, m) - k);
        if (d > (int)n / 2 + 1)
            continue;
        for (int s = 0; s < 3; s++) {
            if (d < bestd[s]) {
                for (int t = 2; t > s; t--) {
                    best[t] = best[t - 1];
                    bestd[t] = bestd[t - 1];
                }
                best[s] = e;
                bestd[s] = d;
                break;
            }
            if (best[s] && strcmp(best[s]->phrase, e->phrase) == 0)
                break;
        }
    }
    for (int s = 0; s < 3; s++)
        if (best[s])
            json_array_append_new(out, json_string(best[s]->value ? best[s]->value : best[s]->phrase));
}

static json_t *vocabulary_hint(const vocab *v)
{
    json_t *h = json_pack("{s:[], s:[]}", "metrics", "dimensions");
    for (int m = 0; m < M_COUNT_; m++)
        if (v->metrics[m].available)
            json_array_append_new(json_object_get(h, "metrics"), json_string(v->metrics[m].name));
    for (int d = 0; d < v->ndims; d++)
        json_array_append_new(json_object_get(h, "dimensions"), json_string(v->dims[d].name));
    return h;
}

static json_t *cannot_answer(const vocab *v, const ask_parse *p)
{
    ria_buf b;
    ria_buf_init(&b, 0);
    json_t *words = json_array(), *sugg = json_array();
    const char *status;
    if (p->verdict == PARSE_OUT_OF_SCOPE) {
        status = "out_of_scope";
        bool write = false;
        static const char *const writes[] = {"delete", "remove", "drop", "drop table", "update",
                                             "insert", "truncate", "alter", "modify", "erase",
                                             "wipe", "purge", "overwrite", "change the", "set the",
                                             "create", "write"};
        for (int i = 0; i < p->nscope; i++) {
            json_array_append_new(words, json_string(p->scope[i]));
            for (size_t k = 0; k < RIA_ARRAY_LEN(writes); k++)
                write |= strcmp(p->scope[i], writes[k]) == 0;
        }
        if (write)
            ria_buf_puts(&b, "I only read the sales data; I cannot change, delete or add "
                             "records. Ask about revenue, orders, units, margins and the like.");
        else if (p->currency[0])
            ria_buf_printf(&b, "The data's amounts are in %s; I do not convert them to %s "
                               "(there are no exchange rates in the data).",
                           v->currency, p->currency);
        else
            ria_buf_printf(&b, "That is outside what I can answer: I know this store's sales "
                               "data (revenue, orders, units, customers, margins ...), not '%s'.",
                           p->scope[0]);
    } else {
        status = "not_understood";
        if (p->nunknown) {
            ria_buf_puts(&b, "I did not understand ");
            for (int i = 0; i < p->nunknown; i++) {
                ria_buf_printf(&b, "%s'%s'", i ? (i + 1 == p->nunknown ? " and " : ", ") : "",
                               p->unknown[i]);
                json_array_append_new(words, json_string(p->unknown[i]));
                suggestions(v, p->unknown[i], sugg);
            }
            ria_buf_puts(&b, ", so I did not answer rather than guess.");
            if (json_array_size(sugg)) {
                ria_buf_puts(&b, " Did you mean ");
                for (size_t i = 0; i < json_array_size(sugg); i++)
                    ria_buf_printf(&b, "%s'%s'", i ? (i + 1 == json_array_size(sugg) ? " or " : ", ") : "",
                                   json_string_value(json_array_get(sugg, i)));
                ria_buf_puts(&b, "?");
            }
        } else {
            ria_buf_puts(&b, "I could not find a question about the sales data in that. Try "
                             "for example \"revenue by category last year\".");
        }
    }
    json_t *a = json_pack("{s:s, s:s, s:n, s:[], s:[], s:{s:s}, s:o, s:o, s:o}", "status", status,
                          "text", b.data ? b.data : "", "value", "columns", "rows", "chart", "type",
                          "none", "not_understood", words, "suggestions", sugg, "vocabulary",
                          vocabulary_hint(v));
    json_object_set_new(a, "interpretation", json_null());
    ria_buf_free(&b);
    return a;
}

/* ------------------------------------------------------------- running */

typedef struct {
    ria_arena arena;
    ria_plan *plans[ASK_MAX_QUERIES];
    int n;
} planned;

static ria_status plan_all(ask_state *s, const ask_sql *q, planned *pl, ria_error *err)
{
    ria_arena_init(&pl->arena, 16 * 1024);
    pl->n = 0;
    for (int i = 0; i < q->n; i++) {
        ria_sql_error se = {0};
        ria_plan *p = NULL;
        ria_status rc = ria_sql_parse(q->sql[i], &pl->arena, &p, &se);
        if (rc == RIA_OK)
            rc = ria_plan_bind(p, s->snap, &se);
        if (rc != RIA_OK)
            return ria_fail(err, RIA_EINTERNAL, "generated SQL failed (%s): %s", se.msg, q->sql[i]);
        ria_plan_canonicalize(p);
        pl->plans[pl->n++] = p;
    }
    return RIA_OK;
}

static ria_status execute_all(ria_asker *a, ask_state *s, planned *pl, ask_results *r,
                              ria_error *err)
{
    memset(r, 0, sizeof *r);
    ria_exec_opts eo = {a->opts.threads, a->opts.no_views};
    for (int i = 0; i < pl->n; i++) {
        ria_exec_stats st;
        ria_status rc = ria_execute(s->snap, pl->plans[i], &eo, &r->res[i], &st, err);
        if (rc != RIA_OK)
            return rc;
        r->n = i + 1;
        r->stats.rows_scanned += st.rows_scanned;
        r->stats.bytes_read += st.bytes_read;
        r->stats.partitions_total += st.partitions_total;
        r->stats.partitions_pruned += st.partitions_pruned;
        r->stats.blocks_total += st.blocks_total;
        r->stats.blocks_pruned += st.blocks_pruned;
        if (st.view[0] && strlen(r->views) + strlen(st.view) + 2 < sizeof r->views)
            snprintf(r->views + strlen(r->views), sizeof r->views - strlen(r->views), "%s%s",
                     r->views[0] ? "," : "", st.view);
    }
    return RIA_OK;
}

static void results_free(ask_results *r)
{
    for (int i = 0; i < r->n; i++)
        ria_result_free(r->res[i]);
    r->n = 0;
}

static json_t *stats_json(const ask_results *r)
{
    return json_pack("{s:I, s:I, s:i, s:i, s:s}", "rows_scanned", (json_int_t)r->stats.rows_scanned,
                     "bytes_read", (json_int_t)r->stats.bytes_read, "blocks_pruned",
                     (int)r->stats.blocks_pruned, "partitions_pruned",
                     (int)r->stats.partitions_pruned, "view", r->views);
}

static void finish(json_t *ans, const char *question, const char *tier, double t0, double t_parse,
                   double t_exec)
{
    json_object_set_new(ans, "question", json_string(question));
    json_object_set_new(ans, "tier", json_string(tier));
    json_object_set_new(ans, "timings",
                        json_pack("{s:f, s:f, s:f}", "parse_ms", t_parse * 1e3, "execute_ms",
                                  t_exec * 1e3, "total_ms", (ria_now() - t0) * 1e3));
}

/* Answers through the plan tier or the engine; *ans is the answer. */
static ria_status answer_intent(ria_asker *a, ask_state *s, const ask_intent *in, json_t **ans,
                                const char **tier, double *t_exec, ria_error *err)
{
    ask_sql q;
    planned pl = {0};
    ask_results r = {0};
    ria_buf key;
    ria_buf_init(&key, 0);
    ria_status rc = ask_build_sql(&s->voc, in, &q);
    if (rc != RIA_OK)
        return ria_fail(err, rc, "out of memory");
    if ((rc = plan_all(s, &q, &pl, err)) != RIA_OK)
        goto done;
    intent_text(in, &key);
    for (int i = 0; i < pl.n; i++) {
        ria_hash128 h = ria_plan_hash(pl.plans[i]);
        ria_buf_printf(&key, "|%016llx%016llx", (unsigned long long)h.hi, (unsigned long long)h.lo);
    }
    ria_hash128 pk = key_of(key.data, key.len, s->version);
    size_t len;
    char *hit = a->opts.no_cache ? NULL : ria_lru_get(a->plans, pk, &len);
    if (hit) {
        *ans = json_loads(hit, 0, NULL);
        free(hit);
        if (*ans) {
            *tier = "plan_cache";
            goto done;
        }
    }
    double t1 = ria_now();
    if ((rc = execute_all(a, s, &pl, &r, err)) != RIA_OK)
        goto done;
    *t_exec = ria_now() - t1;
    compose_ctx c = {&s->voc, in, &q, &r, s->version,
                     strcmp(s->voc.currency, "USD") != 0 ? s->voc.currency : NULL};
    *ans = compose_answer(&c);
    json_t *sql = json_array();
    for (int i = 0; i < q.n; i++)
        json_array_append_new(sql, json_string(q.sql[i]));
    json_object_set_new(*ans, "sql", sql);
    json_object_set_new(*ans, "stats", stats_json(&r));
    char hash[40];
    ria_hash128 h0 = ria_plan_hash(pl.plans[0]);
    snprintf(hash, sizeof hash, "%016llx%016llx", (unsigned long long)h0.hi, (unsigned long long)h0.lo);
    json_object_set_new(*ans, "plan_hash", json_string(hash));
    *tier = "rules";
    if (!a->opts.no_cache) {
        char *text = json_dumps(*ans, JSON_COMPACT);
        if (text)
            ria_lru_put(a->plans, pk, text, strlen(text));
        free(text);
    }
done:
    results_free(&r);
    ria_arena_free(&pl.arena);
    ask_sql_free(&q);
    ria_buf_free(&key);
    return rc;
}

ria_status ria_ask(ria_asker *a, ria_session *sess, const char *question, void **out_json,
                   ria_error *err)
{
    double t0 = ria_now();
    ask_state *s = state_get(a);
    ria_buf norm;
    ria_buf_init(&norm, 4096);
    ria_status rc = RIA_OK;
    json_t *ans = NULL;
    const char *tier = "rules";
    double t_parse = 0, t_exec = 0;
    if (strlen(question) > 2000) {
        ans = json_pack("{s:s, s:s, s:n, s:[], s:[], s:{s:s}, s:n}", "status", "error", "text",
                        "The question is too long (at most 2000 characters).", "value", "columns",
                        "rows", "chart", "type", "none", "interpretation");
        goto done;
    }
    /* tier 1: the exact question, in the same conversational context */
    normalize(question, &norm);
    ria_buf_printf(&norm, "|a%lld|", (long long)s->anchor);
    if (sess && sess->has_prev)
        intent_text(&sess->prev, &norm);
    ria_hash128 ek = key_of(norm.data ? norm.data : "", norm.len, s->version);
    size_t len;
    char *hit = a->opts.no_cache ? NULL : ria_lru_get(a->exact, ek, &len);
    if (hit) {
        ans = json_loads(hit, 0, NULL);
        free(hit);
        if (ans)
            tier = "exact_cache"; /* still parsed below: the session moves on */
    }
    ask_parse p;
    double tp = ria_now();
    if ((rc = ask_parse_question(&s->voc, question, s->anchor, sess && sess->has_prev ? &sess->prev : NULL,
                                 &p)) != RIA_OK) {
        rc = ria_fail(err, rc, "out of memory");
        goto done;
    }
    t_parse = ria_now() - tp;
    if (p.verdict == PARSE_OK && !s->voc.metrics[p.intent.metric].available) {
        p.verdict = PARSE_NOT_UNDERSTOOD;
    }
    if (!ans) {
        if (p.verdict != PARSE_OK) {
            ans = cannot_answer(&s->voc, &p);
        } else if ((rc = answer_intent(a, s, &p.intent, &ans, &tier, &t_exec, err)) != RIA_OK) {
            goto done;
        }
        if (!a->opts.no_cache && ans) {
            char *text = json_dumps(ans, JSON_COMPACT);
            if (text)
                ria_lru_put(a->exact, ek, text, strlen(text));
            free(text);
        }
    }
    if (sess && p.verdict == PARSE_OK) {
        sess->prev = p.intent;
        sess->has_prev = true;
    }
    finish(ans, question, tier, t0, t_parse, t_exec);
    json_object_set_new(ans, "follow_up", json_boolean(p.follow_up));
done:
    ria_buf_free(&norm);
    state_put(a, s);
    if (rc != RIA_OK) {
        json_decref(ans);
        return rc;
    }
    *out_json = ans;
    return RIA_OK;
}
