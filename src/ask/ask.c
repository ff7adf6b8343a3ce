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
#include "summary.h"
#include "cache/cache.h"
#include "parse.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    ria_snapshot *snap;
    vocab voc;
    json_t *examples;         /* built on first use; guarded by the asker's mutex */
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
    uint64_t shared_hits, shared_misses;   /* guarded by mu */
};

/* A conversation: the previous interpretation, self-contained (its filter
 * values are copied into the session's own memory, so it outlives the
 * vocabulary of the version it came from). */
struct ria_session {
    ask_intent prev;
    bool has_prev;
    ria_arena pool[2];       /* the strings of prev, in pool[cur] */
    int cur;
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
    json_decref(s->examples);
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
    ria_session *s = calloc(1, sizeof(ria_session));
    if (!s)
        return NULL;
    ria_arena_init(&s->pool[0], 4096);
    ria_arena_init(&s->pool[1], 4096);
    return s;
}

void ria_session_free(ria_session *s)
{
    if (!s)
        return;
    ria_arena_free(&s->pool[0]);
    ria_arena_free(&s->pool[1]);
    free(s);
}

/* Keeps in as the session's previous interpretation (copying its strings:
 * they may point into the previous copy, hence the two pools). */
static void session_keep(ria_session *s, const ask_intent *in)
{
    int next = 1 - s->cur;
    ria_arena *pool = &s->pool[next];
    ria_arena_reset(pool);
    ask_intent c = *in;
    for (int i = 0; i < c.nfilters; i++)
        for (int k = 0; k < c.filters[i].nvalues; k++) {
            const char *v = ria_arena_strdup(pool, c.filters[i].values[k]);
            if (!v) {
                s->has_prev = false; /* out of memory: forget the context */
                return;
            }
            c.filters[i].values[k] = v;
        }
    s->prev = c;
    s->has_prev = true;
    s->cur = next;
}

void ria_ask_cache_stats_get(ria_asker *a, ria_ask_cache_stats *out)
{
    ria_lru_stats e, p;
    ria_lru_stats_get(a->exact, &e);
    ria_lru_stats_get(a->plans, &p);
    *out = (ria_ask_cache_stats){e.hits, e.misses, p.hits, p.misses, 0, 0, e.bytes, p.bytes};
    pthread_mutex_lock(&a->mu);
    out->shared_hits = a->shared_hits;
    out->shared_misses = a->shared_misses;
    pthread_mutex_unlock(&a->mu);
}

/* ------------------------------------------------------------- keys */

/* Single spaces, no trailing punctuation: how the exact tier sees a
 * question.  Case is kept: it can change the meaning ("Store" the channel,
 * "store" a word; "OH" the state, "oh" a word). */
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
        ria_buf_putc(out, (char)c);
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
    /* whether a period was relative does not change the numbers; a plan
     * tier hit rebuilds the interpretation, which says it */
    if (in->has_period)
        ria_buf_printf(b, "p%lld-%lld:%d[%s] ", (long long)in->period.start,
                       (long long)in->period.end, in->period.grain, in->period.label);
    for (int k = 0; k < in->nperiods; k++)
        ria_buf_printf(b, "q%lld-%lld:%d[%s] ", (long long)in->periods[k].start,
                       (long long)in->periods[k].end, in->periods[k].grain,
                       in->periods[k].label);
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

static json_t *cannot_answer(const vocab *v, const ask_parse *p, int64_t anchor)
{
    char anchor_text[16];
    ria_format_date(ria_floor_div(anchor, RIA_SECS_PER_DAY), anchor_text);
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
        else if (p->future[0])
            ria_buf_printf(&b, "The data ends on %s and %s lies after it; I report what "
                               "happened and do not forecast.",
                           anchor_text, p->future);
        else if (p->currency[0])
            ria_buf_printf(&b, "The data's amounts are in %s; I do not convert them to %s "
                               "(there are no exchange rates in the data).",
                           v->currency, p->currency);
        else
            ria_buf_printf(&b, "That is outside what I can answer: I know this store's sales "
                               "data (revenue, orders, units, customers, margins ...), not '%s'.",
                           p->scope[0]);
    } else if (p->unavailable != M_NONE) {
        status = "not_understood";
        const metric_def *m = &v->metrics[p->unavailable];
        ria_buf_printf(&b, "This data set has no column to compute %s (%s), so I did not "
                           "answer.",
                       m->label, m->definition);
        json_array_append_new(words, json_string(m->name));
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
            /* the numbers are shared; the interpretation is this wording's */
            compose_ctx ic = {&s->voc, in, &q, NULL, s->version,
                              strcmp(s->voc.currency, "USD") != 0 ? s->voc.currency : NULL};
            json_object_set_new(*ans, "interpretation", interpretation(&ic));
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

/* Typos read as known words: listed in the answer and said first in the
 * interpretation's summary (after any cache tier: they belong to this
 * wording). */
static void note_corrections(json_t *ans, const ask_parse *p)
{
    if (!p->ncorrected)
        return;
    json_t *list = json_array();
    ria_buf b;
    ria_buf_init(&b, 0);
    ria_buf_puts(&b, "Read ");
    for (int i = 0; i < p->ncorrected; i++) {
        json_array_append_new(list, json_pack("{s:s, s:s}", "typed", p->corrected[i][0], "read_as",
                                              p->corrected[i][1]));
        ria_buf_printf(&b, "%s'%s' as '%s'", i ? (i + 1 == p->ncorrected ? " and " : ", ") : "",
                       p->corrected[i][0], p->corrected[i][1]);
    }
    ria_buf_puts(&b, ". ");
    json_object_set_new(ans, "corrections", list);
    json_t *in = json_object_get(ans, "interpretation");
    const char *sum = json_string_value(json_object_get(in, "summary"));
    if (sum) {
        ria_buf_puts(&b, sum);
        json_object_set_new(in, "summary", json_string(b.data));
    }
    ria_buf_free(&b);
}

/* A metric of the intent the data cannot compute, or M_NONE. */
static metric_id unavailable_metric(const vocab *v, const ask_intent *in)
{
    metric_id ms[] = {in->metric, in->metric2, in->extra, in->having_metric};
    for (size_t i = 0; i < RIA_ARRAY_LEN(ms); i++)
        if (ms[i] != M_NONE && !v->metrics[ms[i]].available)
            return ms[i];
    return M_NONE;
}

/* Tier-1 entries hold the interpretation (so a hit moves a conversation on
 * without parsing) and the answer:
 *   exact_head | the filter values, each NUL-terminated | answer JSON
 * The values are stored by copy: the intent's pointers are re-pointed into
 * the entry when it is read. */
typedef struct {
    uint32_t magic;
    int32_t answered;        /* the intent is a valid interpretation */
    int32_t follow_up;
    ask_intent intent;
} exact_head;
typedef exact_head exact_head_t;

#ifndef RIA_BUILD_ID
#define RIA_BUILD_ID "0"
#endif

#define EXACT_MAGIC 0x52494145u

/* The shared tier's key: the build (the entry holds a struct) and the
 * exact-tier key, which includes the store version. */
static void shared_key(ria_hash128 key, char out[96])
{
    snprintf(out, 96, "ria:%s:%zu:%016llx%016llx", RIA_BUILD_ID, sizeof(exact_head_t),
             (unsigned long long)key.hi, (unsigned long long)key.lo);
}

static void exact_put(ria_asker *a, ria_hash128 key, const ask_parse *p, json_t *ans)
{
    char *text = json_dumps(ans, JSON_COMPACT);
    if (!text)
        return;
    ria_buf b;
    ria_buf_init(&b, 0);
    exact_head h;
    memset(&h, 0, sizeof h);
    h.magic = EXACT_MAGIC;
    h.answered = p->verdict == PARSE_OK;
    h.follow_up = p->follow_up;
    h.intent = p->intent;
    ria_buf_append(&b, &h, sizeof h);
    for (int i = 0; h.answered && i < h.intent.nfilters; i++)
        for (int k = 0; k < h.intent.filters[i].nvalues; k++)
            ria_buf_append(&b, h.intent.filters[i].values[k],
                           strlen(h.intent.filters[i].values[k]) + 1);
    ria_buf_puts(&b, text);
    if (b.data) {
        ria_lru_put(a->exact, key, b.data, b.len);
        if (a->opts.shared.put) {
            char sk[96];
            shared_key(key, sk);
            a->opts.shared.put(a->opts.shared.ctx, sk, b.data, b.len);
        }
    }
    ria_buf_free(&b);
    free(text);
}

static bool exact_get(ria_asker *a, ria_hash128 key, ria_session *sess, json_t **ans,
                      bool *follow_up, bool *shared)
{
    size_t len;
    char *hit = ria_lru_get(a->exact, key, &len);
    *shared = false;
    if (!hit && a->opts.shared.get) {
        char sk[96];
        shared_key(key, sk);
        hit = a->opts.shared.get(a->opts.shared.ctx, sk, &len);
        pthread_mutex_lock(&a->mu);
        if (hit)
            a->shared_hits++;
        else
            a->shared_misses++;
        pthread_mutex_unlock(&a->mu);
        if (hit) {
            ria_lru_put(a->exact, key, hit, len);
            *shared = true;
        }
    }
    if (!hit)
        return false;
    exact_head h;
    bool ok = len >= sizeof h;
    if (ok)
        memcpy(&h, hit, sizeof h);
    ok = ok && h.magic == EXACT_MAGIC;
    size_t at = sizeof h;
    for (int i = 0; ok && h.answered && i < h.intent.nfilters; i++)
        for (int k = 0; ok && k < h.intent.filters[i].nvalues; k++) {
            const char *v = hit + at;
            size_t n = strnlen(v, len - at);
            ok = at + n < len;
            h.intent.filters[i].values[k] = v;
            at += n + 1;
        }
    if (ok)
        *ans = json_loadb(hit + at, len - at, 0, NULL);
    if (ok && *ans) {
        *follow_up = h.follow_up;
        if (sess && h.answered)
            session_keep(sess, &h.intent);
    }
    free(hit);
    return ok && *ans;
}

ria_status ria_ask(ria_asker *a, ria_session *sess, const char *question, void **out_json,
                   ria_error *err)
{
    double t0 = ria_now();
    ask_state *s = state_get(a);
    ria_buf norm;
    ria_buf_init(&norm, 0);
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
    bool follow_up = false, shared = false;
    if (!a->opts.no_cache && exact_get(a, ek, sess, &ans, &follow_up, &shared)) {
        tier = shared ? "shared_cache" : "exact_cache";
    } else {
        ask_parse p;
        double tp = ria_now();
        if ((rc = ask_parse_question(&s->voc, question, s->anchor,
                                     sess && sess->has_prev ? &sess->prev : NULL, &p)) != RIA_OK) {
            rc = ria_fail(err, rc, "out of memory");
            goto done;
        }
        t_parse = ria_now() - tp;
        if (p.verdict == PARSE_OK)
            p.unavailable = unavailable_metric(&s->voc, &p.intent);
        if (p.unavailable != M_NONE)
            p.verdict = PARSE_NOT_UNDERSTOOD;
        if (p.verdict != PARSE_OK)
            ans = cannot_answer(&s->voc, &p, s->anchor);
        else if ((rc = answer_intent(a, s, &p.intent, &ans, &tier, &t_exec, err)) != RIA_OK)
            goto done;
        note_corrections(ans, &p);
        if (!a->opts.no_cache)
            exact_put(a, ek, &p, ans);
        if (sess && p.verdict == PARSE_OK)
            session_keep(sess, &p.intent);
        follow_up = p.follow_up;
    }
    finish(ans, question, tier, t0, t_parse, t_exec);
    json_object_set_new(ans, "follow_up", json_boolean(follow_up));
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

ria_status ria_summary(ria_asker *a, const char *period, void **out_json, ria_error *err)
{
    double t0 = ria_now();
    ask_state *s = state_get(a);
    summary_ctx c = {&s->voc, s->snap, {a->opts.threads, a->opts.no_views}, s->anchor, s->version,
                     strcmp(s->voc.currency, "USD") != 0 ? s->voc.currency : NULL};
    json_t *ans = NULL;
    ria_status rc = summary_build(&c, period ? period : "", &ans, err);
    if (rc == RIA_OK) {
        json_object_set_new(ans, "tier", json_string("rules"));
        json_object_set_new(ans, "timings", json_pack("{s:f}", "total_ms", (ria_now() - t0) * 1e3));
        *out_json = ans;
    }
    state_put(a, s);
    return rc;
}

ria_status ria_ask_examples(ria_asker *a, int max, void **out_json, ria_error *err)
{
    ask_state *s = state_get(a);
    pthread_mutex_lock(&a->mu);
    json_t *have = s->examples ? json_incref(s->examples) : NULL;
    pthread_mutex_unlock(&a->mu);
    if (!have) {
        summary_ctx c = {&s->voc, s->snap, {a->opts.threads, a->opts.no_views}, s->anchor,
                         s->version, NULL};
        have = examples_build(&c, 12);
        pthread_mutex_lock(&a->mu);
        if (!s->examples && have)
            s->examples = json_incref(have);
        pthread_mutex_unlock(&a->mu);
    }
    state_put(a, s);
    if (!have)
        return ria_fail(err, RIA_ENOMEM, "out of memory");
    /* a copy the caller may change, with at most max examples */
    json_t *copy = json_deep_copy(have);
    json_decref(have);
    json_t *ex = json_object_get(copy, "examples");
    while ((int)json_array_size(ex) > max)
        json_array_remove(ex, json_array_size(ex) - 1);
    *out_json = copy;
    return RIA_OK;
}
