/*
 * ask.h — the question engine: plain English in, a correct and explained
 * answer out, without any LLM.
 *
 * An asker binds a store: it builds the vocabulary (metrics, dimensions,
 * every value of every low-cardinality dimension, state names, regions)
 * from the semantic model and the latest snapshot, and keeps the caches.
 * A question is tokenized, its time expressions resolved against the anchor
 * (the latest order date unless set), its words mapped to metrics, filters,
 * groupings and a shape; the interpretation becomes one or more SQL plans
 * (the engine's contract), which run on the engine; the results become an
 * answer: a sentence, a typed table, a chart spec and the interpretation.
 * When a word is not understood or the question is out of scope, the answer
 * says so and carries no number.
 *
 * Answers are JSON (jansson) objects with at least: status ("answered",
 * "not_understood", "out_of_scope", "error"), text, value, columns, rows,
 * chart, interpretation, sql, tier, timings (see docs/ASK.md).
 *
 * Ownership: the caller frees askers, sessions and the answer objects it
 * receives (json_decref).  An asker may be used by several threads at once;
 * a session by one at a time.
 */
#ifndef RIA_ASK_H
#define RIA_ASK_H

#include "engine/engine.h"

typedef struct ria_asker ria_asker;
typedef struct ria_session ria_session;

/* An optional shared cache tier behind the in-process ones (the server's
 * Redis).  Keys are printable and already include the store version;
 * values are opaque bytes.  get returns a malloc'd copy or NULL; both may
 * be called from several threads at once and must not block for long. */
typedef struct {
    void *ctx;
    void *(*get)(void *ctx, const char *key, size_t *len);
    void (*put)(void *ctx, const char *key, const void *value, size_t len);
} ria_ask_shared;

typedef struct {
    int64_t anchor;          /* "today" (seconds); 0 = the latest order date */
    bool no_cache;           /* bypass both cache tiers */
    bool no_views;           /* always scan the base table */
    int threads;             /* engine threads (0 = all cores) */
    size_t cache_bytes;      /* budget of each cache tier (0 = 64 MiB) */
    ria_ask_shared shared;   /* a shared tier (all NULL = none) */
} ria_ask_opts;

/* Opens the question engine on a store (at its latest version; a newer
 * commit is picked up by ria_asker_refresh). */
ria_status ria_asker_open(ria_store *st, const ria_ask_opts *opts, ria_asker **out, ria_error *err);
void ria_asker_free(ria_asker *a);
/* Moves to the store's latest version when there is a newer one; answers
 * are always computed on one consistent version. */
ria_status ria_asker_refresh(ria_asker *a, ria_error *err);
int64_t ria_asker_version(const ria_asker *a);

ria_session *ria_session_new(void);
void ria_session_free(ria_session *s);

/* Answers a question (session may be NULL: no follow-ups).  The answer is
 * a new JSON object; only an internal failure returns an error status (a
 * question that cannot be answered is an answer with that status). */
ria_status ria_ask(ria_asker *a, ria_session *s, const char *question, void **out_json,
                   ria_error *err);

/* The summary of a period ("" = the last complete month and year to date):
 * a written report whose every figure is computed. */
ria_status ria_summary(ria_asker *a, const char *period, void **out_json, ria_error *err);

/* Example questions drawn from the data (each one understood), and phrases
 * for suggestions: {"examples": [...], "phrases": [...]}.  Cached per
 * version. */
ria_status ria_ask_examples(ria_asker *a, int max, void **out_json, ria_error *err);

/* Cache counters, for metrics and tests. */
typedef struct {
    uint64_t exact_hits, exact_misses, plan_hits, plan_misses, shared_hits, shared_misses;
    size_t exact_bytes, plan_bytes;
} ria_ask_cache_stats;
void ria_ask_cache_stats_get(ria_asker *a, ria_ask_cache_stats *out);

/* Prints an answer for a terminal: sentence, table, interpretation. */
void ria_answer_print(FILE *f, const void *answer_json);
/* Prints a summary report for a terminal. */
void ria_summary_print(FILE *f, const void *summary_json);

#endif
