/*
 * cmd_eval.c — `ria eval FILE.jsonl...`: asks golden questions and judges
 * the answers by the rules of the golden files:
 *   {"value": x}        the answer's single number is x;
 *   {"rows": [...], "order": "exact"|"any"}
 *                       exactly these rows: labels match case-insensitively,
 *                       every listed number appears in its row;
 *   {"contains": [...]} every number appears in the answer's table;
 *   {"abstain": true}   the answer says it cannot answer, with no number.
 * Numbers match within a relative 1e-6 or an absolute 0.005.
 */
#include "ask/ask.h"
#include "cli.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const cli_opt eval_opts[] = {
    CLI_OPT_STORE,
    {"min-accuracy", 0, "PCT", "exit non-zero when overall accuracy is below PCT (0-100)"},
    {"anchor", 0, "DATE", "the \"today\" of relative dates (default: the latest order date)"},
    {"no-cache", 0, NULL, "answer every question without the caches"},
    {"json", 0, NULL, "print the report as JSON"},
    {"quiet", 'q', NULL, "print only the summary"},
    CLI_OPT_HELP,
    {0},
};

static bool num_eq(double a, double b)
{
    double d = fabs(a - b);
    return d <= 0.005 || d <= 1e-6 * RIA_MAX(fabs(a), fabs(b));
}

static bool row_has(json_t *row, double x)
{
    size_t i;
    json_t *c;
    json_array_foreach(row, i, c) if (json_is_number(c) && num_eq(json_number_value(c), x)) return true;
    return false;
}

/* Expected row e against answer row a. */
static bool row_matches(json_t *e, json_t *a)
{
    size_t i, k = 0;
    json_t *c;
    json_array_foreach(e, i, c)
    {
        if (json_is_string(c)) {
            /* the i-th label of the answer row */
            json_t *lab = NULL;
            for (size_t seen = 0, j = 0; j < json_array_size(a); j++)
                if (json_is_string(json_array_get(a, j)) && seen++ == k) {
                    lab = json_array_get(a, j);
                    break;
                }
            k++;
            if (!lab || strcasecmp(json_string_value(lab), json_string_value(c)) != 0)
                return false;
        } else if (json_is_number(c) && !row_has(a, json_number_value(c))) {
            return false;
        }
    }
    return true;
}

static bool judge_rows(json_t *expect, json_t *rows)
{
    json_t *want = json_object_get(expect, "rows");
    const char *order = json_string_value(json_object_get(expect, "order"));
    size_t n = json_array_size(want);
    if (json_array_size(rows) != n)
        return false;
    if (order && strcmp(order, "exact") == 0) {
        for (size_t i = 0; i < n; i++)
            if (!row_matches(json_array_get(want, i), json_array_get(rows, i)))
                return false;
        return true;
    }
    bool *used = calloc(n + 1, 1);
    bool ok = used != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        bool found = false;
        for (size_t j = 0; j < n && !found; j++)
            if (!used[j] && row_matches(json_array_get(want, i), json_array_get(rows, j)))
                used[j] = found = true;
        ok = found;
    }
    free(used);
    return ok;
}

static bool judge(json_t *expect, json_t *ans)
{
    const char *status = json_string_value(json_object_get(ans, "status"));
    bool answered = status && strcmp(status, "answered") == 0;
    json_t *value = json_object_get(ans, "value"), *rows = json_object_get(ans, "rows");
    if (json_is_true(json_object_get(expect, "abstain")))
        return !answered && !json_is_number(value);
    if (!answered)
        return false;
    json_t *x = json_object_get(expect, "value");
    if (x)
        return json_is_number(value) && num_eq(json_number_value(value), json_number_value(x));
    if (json_object_get(expect, "rows"))
        return judge_rows(expect, rows);
    json_t *want = json_object_get(expect, "contains"), *w;
    size_t i;
    json_array_foreach(want, i, w)
    {
        double d = json_number_value(w);
        bool found = json_is_number(value) && num_eq(json_number_value(value), d);
        size_t r;
        json_t *row;
        json_array_foreach(rows, r, row) found |= row_has(row, d);
        if (!found)
            return false;
    }
    return true;
}

/* ------------------------------------------------------------- report */

typedef struct {
    char name[24];
    int total, right;
} tally;

static tally *tally_for(tally *t, int *n, const char *name)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    if (*n >= 16)
        return &t[15];
    t[*n] = (tally){{0}, 0, 0};
    snprintf(t[*n].name, sizeof t[*n].name, "%s", name);
    return &t[(*n)++];
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    double *v;
    int n, cap;
} samples;

static void sample_add(samples *s, double x)
{
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 256;
        double *v = realloc(s->v, (size_t)cap * sizeof *v);
        if (!v)
            return;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = x;
}

static double percentile(samples *s, double q)
{
    if (!s->n)
        return 0;
    qsort(s->v, (size_t)s->n, sizeof *s->v, cmp_double);
    int i = (int)(s->n * q);
    return s->v[i < s->n ? i : s->n - 1];
}

typedef struct {
    tally cats[16];
    int ncats;
    int total, right, abstain_total, abstain_right, wrongly_abstained, wrong_numbers;
    int from_views, executed;      /* answers computed by the engine, and from views */
    int cache_mismatches;          /* second-pass answers judged differently */
    samples lat, cached;
    json_t *misses;
    bool *verdicts;                /* first-pass judgements, in order */
    int nverdicts, capverdicts, pass, at;
} report;

static void record(report *rp, json_t *q, json_t *ans, bool ok, double ms)
{
    const char *cat = json_string_value(json_object_get(q, "category"));
    tally *t = tally_for(rp->cats, &rp->ncats, cat ? cat : "?");
    t->total++;
    rp->total++;
    bool abstain = json_is_true(json_object_get(json_object_get(q, "expect"), "abstain"));
    const char *status = json_string_value(json_object_get(ans, "status"));
    bool answered = status && strcmp(status, "answered") == 0;
    if (abstain)
        rp->abstain_total++;
    if (ok) {
        t->right++;
        rp->right++;
        rp->abstain_right += abstain;
    } else {
        rp->wrongly_abstained += !abstain && !answered;
        rp->wrong_numbers += answered;
        json_t *in = json_object_get(ans, "interpretation");
        json_array_append_new(
            rp->misses,
            json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "id", json_object_get(q, "id"),
                      "question", json_object_get(q, "question"), "expect",
                      json_object_get(q, "expect"), "status", json_object_get(ans, "status"),
                      "text", json_object_get(ans, "text"), "value", json_object_get(ans, "value"),
                      "interpretation",
                      json_object_get(in, "summary") ? json_object_get(in, "summary") : json_null()));
    }
    sample_add(&rp->lat, ms);
    const char *tier = json_string_value(json_object_get(ans, "tier"));
    if (tier && strcmp(tier, "rules") == 0) {
        rp->executed++;
        const char *view = json_string_value(json_object_get(json_object_get(ans, "stats"), "view"));
        rp->from_views += view && *view;
    }
}

/* The second pass: every answer now comes from a cache and must be judged
 * as the first one was. */
static void record_cached(report *rp, bool ok, double ms)
{
    sample_add(&rp->cached, ms);
    if (rp->at < rp->nverdicts && rp->verdicts[rp->at] != ok)
        rp->cache_mismatches++;
    rp->at++;
}

static void keep_verdict(report *rp, bool ok)
{
    if (rp->nverdicts == rp->capverdicts) {
        int cap = rp->capverdicts ? rp->capverdicts * 2 : 256;
        bool *v = realloc(rp->verdicts, (size_t)cap * sizeof *v);
        if (!v)
            return;
        rp->verdicts = v;
        rp->capverdicts = cap;
    }
    rp->verdicts[rp->nverdicts++] = ok;
}

/* Asks the questions of one file; questions of a session share it. */
static int run_file(const cli_command *cmd, ria_asker *k, const char *path, report *rp)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return cli_fail(cmd, RIA_EIO, "%s: cannot open", path);
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, ec = 0;
    ria_session *sess = NULL;
    char sess_name[128] = "";
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        json_error_t je;
        json_t *q = json_loads(line, 0, &je);
        if (!q) {
            if (ria_trim(line, strlen(line)).n)
                ec = cli_fail(cmd, RIA_EPARSE, "%s line %d: %s", path, lineno, je.text);
            continue;
        }
        const char *text = json_string_value(json_object_get(q, "question"));
        const char *sname = json_string_value(json_object_get(q, "session"));
        if (!sname || strcmp(sname, sess_name) != 0) {
            ria_session_free(sess);
            sess = sname ? ria_session_new() : NULL;
            snprintf(sess_name, sizeof sess_name, "%s", sname ? sname : "");
        }
        void *ans = NULL;
        ria_error err = {0};
        if (!text || ria_ask(k, sess, text, &ans, &err) != RIA_OK) {
            ans = json_pack("{s:s, s:s}", "status", "error", "text", text ? err.msg : "no question");
        }
        double ms = json_number_value(json_object_get(json_object_get(ans, "timings"), "total_ms"));
        bool ok = judge(json_object_get(q, "expect"), ans);
        if (rp->pass == 0) {
            record(rp, q, ans, ok, ms);
            keep_verdict(rp, ok);
        } else {
            record_cached(rp, ok, ms);
        }
        json_decref(ans);
        json_decref(q);
    }
    ria_session_free(sess);
    free(line);
    fclose(f);
    return ec;
}

static void print_report(report *rp, bool quiet)
{
    printf("%-12s %9s %8s\n", "category", "right", "accuracy");
    for (int i = 0; i < rp->ncats; i++)
        printf("%-12s %4d/%-4d %7.1f%%\n", rp->cats[i].name, rp->cats[i].right, rp->cats[i].total,
               100.0 * rp->cats[i].right / RIA_MAX(1, rp->cats[i].total));
    printf("%-12s %4d/%-4d %7.1f%%\n", "overall", rp->right, rp->total,
           100.0 * rp->right / RIA_MAX(1, rp->total));
    printf("abstention: %d/%d out-of-scope questions declined; %d answerable questions declined; "
           "%d wrong answers given\n",
           rp->abstain_right, rp->abstain_total, rp->wrongly_abstained, rp->wrong_numbers);
    samples *l = &rp->lat, *c = &rp->cached;
    if (l->n)
        printf("latency: p50 %.2f ms, p95 %.2f ms over %d questions; cached: p50 %.3f ms, p95 "
               "%.3f ms\n",
               percentile(l, 0.5), percentile(l, 0.95), l->n, percentile(c, 0.5),
               percentile(c, 0.95));
    if (rp->executed)
        printf("views: %d of %d computed answers read a materialized view (%.0f%%)\n",
               rp->from_views, rp->executed, 100.0 * rp->from_views / rp->executed);
    if (rp->cache_mismatches)
        printf("cache: %d answers judged differently when served from a cache\n",
               rp->cache_mismatches);
    if (quiet || !json_array_size(rp->misses))
        return;
    printf("\nmisses:\n");
    size_t i;
    json_t *m;
    json_array_foreach(rp->misses, i, m)
    {
        char *exp = json_dumps(json_object_get(m, "expect"), JSON_COMPACT);
        printf("  %s  %s\n    expected %s\n    got [%s] %s\n", json_string_value(json_object_get(m, "id")),
               json_string_value(json_object_get(m, "question")), exp ? exp : "?",
               json_string_value(json_object_get(m, "status")),
               json_string_value(json_object_get(m, "text")));
        const char *in = json_string_value(json_object_get(m, "interpretation"));
        if (in)
            printf("    computed %s\n", in);
        free(exp);
    }
}

int cmd_eval(const cli_command *cmd, cli_args *a)
{
    ria_ask_opts o = {0};
    if (!cli_anchor(cmd, a, &o.anchor))
        return 2;
    o.no_cache = cli_flag(cmd, a, "no-cache");
    int64_t min;
    if (!cli_int(cmd, a, "min-accuracy", 0, 0, 100, &min))
        return 2;
    ria_store *st = NULL;
    ria_asker *k = NULL;
    int ec = cli_open_asker(cmd, a, &o, &st, &k);
    if (ec)
        return ec;
    report rp = {0};
    rp.misses = json_array();
    for (rp.pass = 0; rp.pass < (o.no_cache ? 1 : 2); rp.pass++)
        for (int i = 0; i < a->npos && !ec; i++)
            ec = run_file(cmd, k, a->pos[i], &rp);
    double acc = 100.0 * rp.right / RIA_MAX(1, rp.total);
    if (cli_flag(cmd, a, "json")) {
        json_t *cats = json_object();
        for (int i = 0; i < rp.ncats; i++)
            json_object_set_new(cats, rp.cats[i].name,
                                json_pack("{s:i, s:i}", "right", rp.cats[i].right, "total",
                                          rp.cats[i].total));
        json_t *j = json_pack(
            "{s:i, s:i, s:f, s:o, s:o, s:f, s:f, s:f, s:f, s:i, s:i, s:i}", "total", rp.total,
            "right", rp.right, "accuracy", acc / 100, "categories", cats, "misses",
            json_incref(rp.misses), "p50_ms", percentile(&rp.lat, 0.5), "p95_ms",
            percentile(&rp.lat, 0.95), "cached_p50_ms", percentile(&rp.cached, 0.5),
            "cached_p95_ms", percentile(&rp.cached, 0.95), "computed", rp.executed, "from_views",
            rp.from_views, "cache_mismatches", rp.cache_mismatches);
        json_dumpf(j, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(j);
    } else {
        print_report(&rp, cli_flag(cmd, a, "quiet"));
    }
    if (!ec && rp.cache_mismatches) {
        fprintf(stderr, "ria eval: %d answers changed when served from a cache\n",
                rp.cache_mismatches);
        ec = 1;
    }
    if (!ec && acc < (double)min) {
        fprintf(stderr, "ria eval: accuracy %.1f%% is below --min-accuracy %lld\n", acc, (long long)min);
        ec = 1;
    }
    json_decref(rp.misses);
    free(rp.lat.v);
    free(rp.cached.v);
    free(rp.verdicts);
    ria_asker_free(k);
    ria_store_close(st);
    return ec;
}
