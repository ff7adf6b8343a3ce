/*
 * metrics.c — the Prometheus registry: per-route request counts, errors and
 * latency histograms, answer latency by cache tier, cache hits and misses
 * per tier, rows and bytes scanned, view usage, task queue depth, store
 * version and freshness, ingest outcomes, feedback, Redis health.  Counters
 * are atomics updated by the handlers; gauges are read at scrape time.
 */
#include "server.h"

#include <string.h>

/* Bucket upper bounds in seconds. */
static const double bounds[LAT_BUCKETS] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                           0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                           1,      2.5,     5,      10};

static const char *const tier_names[4] = {"rules", "plan_cache", "exact_cache", "shared_cache"};

void metrics_init(metrics *m, const route *routes, int n)
{
    memset(m, 0, sizeof *m);
    for (int i = 0; i < n && m->nroutes < MAX_ROUTES - 1; i++) {
        bool dup = false;
        for (int k = 0; k < m->nroutes; k++)
            dup |= strcmp(m->routes[k].route, routes[i].label) == 0;
        if (!dup)
            m->routes[m->nroutes++].route = routes[i].label;
    }
    m->routes[m->nroutes++].route = "other";
}

void hist_observe(histogram *h, double seconds)
{
    atomic_fetch_add(&h->count, 1);
    atomic_fetch_add(&h->sum_us, (uint64_t)(seconds * 1e6));
    for (int i = 0; i < LAT_BUCKETS; i++)
        if (seconds <= bounds[i]) {
            atomic_fetch_add(&h->buckets[i], 1);
            break;
        }
}

route_stats *metrics_route(metrics *m, const char *label)
{
    for (int i = 0; i < m->nroutes; i++)
        if (strcmp(m->routes[i].route, label) == 0)
            return &m->routes[i];
    return &m->routes[m->nroutes - 1];
}

static void hist_render(ria_buf *b, const char *name, const char *labels, const histogram *h)
{
    uint64_t cum = 0;
    for (int i = 0; i < LAT_BUCKETS; i++) {
        cum += atomic_load(&h->buckets[i]);
        ria_buf_printf(b, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, *labels ? "," : "",
                       bounds[i], (unsigned long long)cum);
    }
    uint64_t count = atomic_load(&h->count);
    ria_buf_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, *labels ? "," : "",
                   (unsigned long long)count);
    ria_buf_printf(b, "%s_sum{%s} %.6f\n", name, labels, (double)atomic_load(&h->sum_us) / 1e6);
    ria_buf_printf(b, "%s_count{%s} %llu\n", name, labels, (unsigned long long)count);
}

static void help(ria_buf *b, const char *name, const char *type, const char *text)
{
    ria_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

static void counter(ria_buf *b, const char *name, const char *text, uint64_t v)
{
    help(b, name, "counter", text);
    ria_buf_printf(b, "%s %llu\n", name, (unsigned long long)v);
}

static void gauge(ria_buf *b, const char *name, const char *text, double v)
{
    help(b, name, "gauge", text);
    ria_buf_printf(b, "%s %.17g\n", name, v);
}

char *metrics_render(srv *s, size_t *len)
{
    metrics *m = &s->m;
    ria_buf b;
    ria_buf_init(&b, 0);
    help(&b, "ria_http_requests_total", "counter", "HTTP requests by route.");
    for (int i = 0; i < m->nroutes; i++)
        ria_buf_printf(&b, "ria_http_requests_total{route=\"%s\"} %llu\n", m->routes[i].route,
                       (unsigned long long)atomic_load(&m->routes[i].requests));
    help(&b, "ria_http_errors_total", "counter", "HTTP responses with a 5xx status by route.");
    for (int i = 0; i < m->nroutes; i++)
        ria_buf_printf(&b, "ria_http_errors_total{route=\"%s\"} %llu\n", m->routes[i].route,
                       (unsigned long long)atomic_load(&m->routes[i].errors));
    help(&b, "ria_http_client_errors_total", "counter", "HTTP responses with a 4xx status by route.");
    for (int i = 0; i < m->nroutes; i++)
        ria_buf_printf(&b, "ria_http_client_errors_total{route=\"%s\"} %llu\n", m->routes[i].route,
                       (unsigned long long)atomic_load(&m->routes[i].client_errors));
    help(&b, "ria_http_request_duration_seconds", "histogram", "Request latency by route.");
    for (int i = 0; i < m->nroutes; i++) {
        char l[80];
        snprintf(l, sizeof l, "route=\"%s\"", m->routes[i].route);
        hist_render(&b, "ria_http_request_duration_seconds", l, &m->routes[i].lat);
    }
    help(&b, "ria_answer_duration_seconds", "histogram",
         "Question latency by the tier that answered (rules = computed now).");
    for (int t = 0; t < 4; t++) {
        char l[48];
        snprintf(l, sizeof l, "tier=\"%s\"", tier_names[t]);
        hist_render(&b, "ria_answer_duration_seconds", l, &m->ask_tier[t]);
    }
    static const char *const st[4] = {"answered", "not_understood", "out_of_scope", "error"};
    help(&b, "ria_answers_total", "counter", "Answers by status.");
    for (int i = 0; i < 4; i++)
        ria_buf_printf(&b, "ria_answers_total{status=\"%s\"} %llu\n", st[i],
                       (unsigned long long)atomic_load(&m->answers[i]));
    ria_ask_cache_stats cs;
    ria_ask_cache_stats_get(s->asker, &cs);
    help(&b, "ria_cache_hits_total", "counter", "Cache hits by tier.");
    ria_buf_printf(&b, "ria_cache_hits_total{tier=\"exact\"} %llu\n", (unsigned long long)cs.exact_hits);
    ria_buf_printf(&b, "ria_cache_hits_total{tier=\"plan\"} %llu\n", (unsigned long long)cs.plan_hits);
    ria_buf_printf(&b, "ria_cache_hits_total{tier=\"shared\"} %llu\n", (unsigned long long)cs.shared_hits);
    help(&b, "ria_cache_misses_total", "counter", "Cache misses by tier.");
    ria_buf_printf(&b, "ria_cache_misses_total{tier=\"exact\"} %llu\n", (unsigned long long)cs.exact_misses);
    ria_buf_printf(&b, "ria_cache_misses_total{tier=\"plan\"} %llu\n", (unsigned long long)cs.plan_misses);
    ria_buf_printf(&b, "ria_cache_misses_total{tier=\"shared\"} %llu\n", (unsigned long long)cs.shared_misses);
    help(&b, "ria_cache_bytes", "gauge", "Bytes held by the in-process cache tiers.");
    ria_buf_printf(&b, "ria_cache_bytes{tier=\"exact\"} %zu\n", cs.exact_bytes);
    ria_buf_printf(&b, "ria_cache_bytes{tier=\"plan\"} %zu\n", cs.plan_bytes);
    counter(&b, "ria_rows_scanned_total", "Rows read by computed answers and queries.",
            atomic_load(&m->rows_scanned));
    counter(&b, "ria_bytes_read_total", "Column bytes read by computed answers and queries.",
            atomic_load(&m->bytes_read));
    counter(&b, "ria_view_answers_total", "Computed answers that read a materialized view.",
            atomic_load(&m->view_answers));
    counter(&b, "ria_computed_answers_total", "Answers computed by the engine (not cached).",
            atomic_load(&m->computed_answers));
    int running = 0, queued = tasks_depth(s->tasks, &running);
    gauge(&b, "ria_task_queue_depth", "Tasks waiting for a worker.", queued);
    gauge(&b, "ria_tasks_running", "Tasks being run.", running);
    counter(&b, "ria_rejected_busy_total", "Requests refused with 429 (queue full).",
            atomic_load(&m->rejected_busy));
    counter(&b, "ria_unauthorized_total", "Requests refused for a missing or unknown key.",
            atomic_load(&m->unauthorized));
    gauge(&b, "ria_store_version", "The store version answers come from.",
          (double)atomic_load(&s->version));
    double now = (double)ria_wall_time();
    gauge(&b, "ria_data_age_seconds", "Seconds since the version being served was committed.",
          atomic_load(&s->commit_time) ? now - (double)atomic_load(&s->commit_time) : 0);
    uint64_t pending = 0;
    double lag = s->batch ? batcher_lag(s->batch, &pending) : 0;
    gauge(&b, "ria_freshness_lag_seconds",
          "Seconds the oldest streamed row has waited to be committed (0 when none waits).", lag);
    gauge(&b, "ria_ingest_pending_rows", "Streamed rows waiting for the next commit.",
          (double)pending);
    help(&b, "ria_ingest_rows_total", "counter", "Rows committed by the server by outcome.");
    ria_buf_printf(&b, "ria_ingest_rows_total{outcome=\"accepted\"} %llu\n",
                   (unsigned long long)atomic_load(&m->ingest_accepted));
    ria_buf_printf(&b, "ria_ingest_rows_total{outcome=\"quarantined\"} %llu\n",
                   (unsigned long long)atomic_load(&m->ingest_quarantined));
    ria_buf_printf(&b, "ria_ingest_rows_total{outcome=\"duplicate\"} %llu\n",
                   (unsigned long long)atomic_load(&m->ingest_duplicates));
    counter(&b, "ria_ingest_commits_total", "Commits made by the server (uploads, micro-batches).",
            atomic_load(&m->ingest_commits));
    help(&b, "ria_feedback_total", "counter", "Feedback on answers by rating.");
    ria_buf_printf(&b, "ria_feedback_total{rating=\"up\"} %llu\n",
                   (unsigned long long)atomic_load(&m->feedback_up));
    ria_buf_printf(&b, "ria_feedback_total{rating=\"down\"} %llu\n",
                   (unsigned long long)atomic_load(&m->feedback_down));
    gauge(&b, "ria_redis_up", "1 when the shared cache tier is configured and reachable.",
          s->redis && redis_tier_up(s->redis) ? 1 : 0);
    counter(&b, "ria_redis_errors_total", "Failed calls to the shared cache tier.",
            atomic_load(&m->redis_errors));
    gauge(&b, "ria_uptime_seconds", "Seconds since the server started.", ria_now() - s->started);
    *len = b.len;
    return ria_buf_steal(&b);
}
