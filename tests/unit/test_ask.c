/*
 * test_ask.c — the question engine's caches, sessions and answers
 * (src/ask/ask.c and what it calls), on a generated store of 30,000 lines.
 *
 * Caches: 1,230 generated pairs of questions that differ in exactly one
 * slot (month, quarter, year, state, category, channel, metric, top/bottom,
 * highest/lowest, N, dimension; 33 templates) never share an entry: on a
 * caching asker that has answered A (and other neighbours of B, never B),
 * A again is an exact hit equal to the first A, and B is computed by the
 * rules and equals B computed without caches.  Different wordings of one
 * question share the plan tier, and a plan hit still explains the question
 * asked.  Values that are also ordinary words ("Store", "Home", "OH") are
 * only understood when capitalized as stored, so questions that differ
 * only in their case are different questions to the exact tier too.
 *
 * Sessions: one follow-up text after different previous questions gives
 * each session its own answer, equal to the fully spelled question, also
 * when it comes from the exact tier.  A commit plus refresh invalidates
 * both tiers; sessions outlive the snapshot their context came from; four
 * threads share an asker across a refresh.
 *
 * Answers: figures for generated questions equal sums computed here from
 * the generated CSV (SEMANTICS.md: cancelled and returned orders excluded);
 * unknown words, out-of-scope requests and metrics the data lacks give no
 * number; the summary's revenue equals the answer for the same period;
 * under AddressSanitizer, answering leaks nothing.
 *
 * "Without caches" is an asker opened with no_cache, which keeps nothing
 * between questions, so one serves as the fresh reference for many.
 */
#include "ask/ask.h"
#include "gen/gen.h"
#include "helpers.h"
#include "ingest/ingest.h"
#include "store/store.h"
#include "test.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_LSAN 1
#endif
#endif
#ifdef HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

/* ---------------------------------------------------------------- helpers */

/* The store every test starts from: 30,000 generated lines, seed 11, over
 * the generator's default span 2022-01-01 .. 2024-12-30 (so the anchor is
 * 2024-12-30). */
#define BASE_ROWS 30000
#define BASE_SEED 11

static bool base_store(void)
{
    return th_gen_csv("base.csv", BASE_ROWS, BASE_SEED, NULL, 0) &&
           th_ingest("base.csv", RIA_MODE_APPEND, NULL);
}

static bool open_asker(ria_store **st, bool no_cache, ria_asker **out)
{
    ria_error err = {0};
    if (!*st)
        HCHECK(ria_store_open(th_store_dir(), st, &err) == RIA_OK, "open: %s", err.msg);
    ria_ask_opts o = {0};
    o.no_cache = no_cache;
    o.threads = 2;
    HCHECK(ria_asker_open(*st, &o, out, &err) == RIA_OK, "asker: %s", err.msg);
    return true;
}

/* The base store, opened, with a first asker on it. */
static bool open_base(ria_store **st, bool no_cache, ria_asker **out)
{
    return base_store() && open_asker(st, no_cache, out);
}

static bool refresh(ria_asker *a)
{
    ria_error err = {0};
    HCHECK(ria_asker_refresh(a, &err) == RIA_OK, "refresh: %s", err.msg);
    return true;
}

/* The answer to q (NULL after recording a failure). */
static json_t *ask_at(const char *file, int line, ria_asker *a, ria_session *s, const char *q)
{
    void *out = NULL;
    ria_error err = {0};
    if (ria_ask(a, s, q, &out, &err) != RIA_OK) {
        test_failed(file, line, "ria_ask(\"%s\"): %s", q, err.msg);
        return NULL;
    }
    return out;
}
#define ASK(a, s, q) ask_at(__FILE__, __LINE__, (a), (s), (q))

static const char *str_of(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static const char *summary_of(const json_t *ans)
{
    const char *s =
        json_string_value(json_object_get(json_object_get(ans, "interpretation"), "summary"));
    return s ? s : str_of(ans, "text");
}

/* The first of fields (NULL-terminated) in which x and y differ, or NULL. */
static const char *differs(const json_t *x, const json_t *y, const char *const *fields)
{
    for (int i = 0; fields[i]; i++) {
        json_t *a = json_object_get(x, fields[i]), *b = json_object_get(y, fields[i]);
        if (!a || !b || !json_equal(a, b))
            return fields[i];
    }
    return NULL;
}

/* What an answer says, as judged: status, the number and the table. */
static const char *const RESULT[] = {"status", "value", "columns", "rows", NULL};
/* Everything computed for the question (not timings, tier or question). */
static const char *const COMPUTED[] = {"status", "text",           "value", "columns", "rows",
                                       "chart",  "interpretation", "sql",   NULL};

/* Every field but the timings (an exact hit repeats the answer verbatim). */
static const char *differs_but_timings(json_t *x, json_t *y)
{
    const char *k;
    json_t *v;
    json_object_foreach(x, k, v)
    {
        if (strcmp(k, "timings") == 0 || strcmp(k, "tier") == 0)
            continue;
        json_t *w = json_object_get(y, k);
        if (!w || !json_equal(v, w))
            return k;
    }
    json_object_foreach(y, k, v)
    {
        if (!json_object_get(x, k))
            return k;
    }
    return NULL;
}

static char *dump(const json_t *j)
{
    static char buf[4][600];
    static int k;
    char *p = buf[k++ % 4];
    char *t = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    snprintf(p, sizeof buf[0], "%s", t ? t : "(null)");
    free(t);
    return p;
}

/* ------------------------------------------- adversarial question pairs */

typedef enum {
    S_MONTH,
    S_QUARTER,
    S_YEAR,
    S_STATE,
    S_CATEGORY,
    S_CHANNEL,
    S_METRIC,
    S_TOPBOTTOM,
    S_HIGHLOW,
    S_N,
    S_DIM,
    S_COUNT_
} slot_kind;

/* Each slot's values are pairwise different in meaning (no synonyms: "CA"
 * and "California" are never in one list). */
static const struct {
    const char *name;
    const char *values[12];
} slots[S_COUNT_] = {
    [S_MONTH] = {"month",
                 {"January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December"}},
    [S_QUARTER] = {"quarter", {"Q1", "Q2", "Q3", "Q4"}},
    [S_YEAR] = {"year", {"2022", "2023", "2024"}},
    [S_STATE] = {"state",
                 {"CA", "TX", "New York", "Florida", "IL", "Ohio", "PA", "Washington", "Georgia",
                  "MI"}},
    [S_CATEGORY] = {"category",
                    {"Electronics", "Clothing", "Grocery", "Home", "Beauty", "Sports", "Toys"}},
    [S_CHANNEL] = {"channel", {"Online", "Store", "Marketplace"}},
    [S_METRIC] = {"metric", {"revenue", "units", "orders", "profit", "AOV", "customers", "margin"}},
    [S_TOPBOTTOM] = {"top/bottom", {"top", "bottom"}},
    [S_HIGHLOW] = {"highest/lowest", {"highest", "lowest"}},
    [S_N] = {"N", {"2", "3", "4", "5", "6"}},
    [S_DIM] = {"dimension", {"category", "region", "channel", "state", "segment"}},
};

static int slot_size(slot_kind k)
{
    int n = 0;
    while (n < 12 && slots[k].values[n])
        n++;
    return n;
}

/* Templates: the slot is the one %s; everything else is fixed. */
static const struct {
    slot_kind slot;
    const char *text;
} templates[] = {
    {S_MONTH, "revenue in %s 2024"},
    {S_MONTH, "how many units did we sell in %s 2023"},
    {S_MONTH, "orders in CA in %s 2024"},
    {S_MONTH, "revenue by category in %s 2024"},
    {S_QUARTER, "revenue in %s 2024"},
    {S_QUARTER, "profit for Electronics in %s 2023"},
    {S_QUARTER, "top 3 states by revenue in %s 2024"},
    {S_QUARTER, "units by channel in %s 2024"},
    {S_YEAR, "revenue in %s"},
    {S_YEAR, "orders by region in %s"},
    {S_YEAR, "AOV for Online in %s"},
    {S_YEAR, "which category had the highest revenue in %s"},
    {S_STATE, "revenue in %s in 2024"},
    {S_STATE, "units in %s in Q2 2024"},
    {S_STATE, "revenue by category in %s in 2023"},
    {S_CATEGORY, "revenue for %s in 2024"},
    {S_CATEGORY, "units of %s in March 2024"},
    {S_CATEGORY, "top 3 states by revenue for %s in 2024"},
    {S_CHANNEL, "revenue for %s in 2024"},
    {S_CHANNEL, "orders for %s in Q4 2023"},
    {S_CHANNEL, "revenue by category for %s in 2024"},
    {S_METRIC, "%s in 2024"},
    {S_METRIC, "%s by region in 2023"},
    {S_METRIC, "%s for Electronics in Q1 2024"},
    {S_TOPBOTTOM, "%s 3 categories by revenue in 2024"},
    {S_TOPBOTTOM, "%s 5 states by units in 2023"},
    {S_HIGHLOW, "which category had the %s revenue in 2024"},
    {S_HIGHLOW, "which state had the %s profit in 2023"},
    {S_HIGHLOW, "which month had the %s revenue in 2024"},
    {S_N, "top %s states by revenue in 2024"},
    {S_N, "bottom %s categories by orders in 2023"},
    {S_DIM, "revenue by %s in 2024"},
    {S_DIM, "units by %s in Q3 2023"},
};

/* The answer without caches, memoized by question. */
static json_t *reference(ria_asker *ref, json_t *memo, const char *q)
{
    json_t *r = json_object_get(memo, q);
    if (r)
        return r;
    r = ASK(ref, NULL, q);
    if (r)
        json_object_set_new(memo, q, r);
    return r;
}

/* Records a failure and jumps to the function's cleanup at `done:`. */
#define PCHECK(cond, ...) CHECK_OR(goto done, cond, __VA_ARGS__)

/* One pair (A, B) on a caching asker that has answered A (first) and so
 * far only other neighbours of B: A again is an exact hit equal to the
 * first A; B is computed by the rules and equals B without caches; then
 * B again is an exact hit. */
static bool check_pair(ria_asker *a, ria_asker *ref, json_t *memo, json_t *a1, const char *qa,
                       const char *qb)
{
    json_t *a2 = NULL, *b1 = NULL, *b2 = NULL;
    bool ok = false;
    json_t *rb = reference(ref, memo, qb);
    if (!rb || !(a2 = ASK(a, NULL, qa)) || !(b1 = ASK(a, NULL, qb)) || !(b2 = ASK(a, NULL, qb)))
        goto done;
    const char *f;
    PCHECK(strcmp(str_of(a2, "tier"), "exact_cache") == 0, "\"%s\" asked again: tier %s", qa,
           str_of(a2, "tier"));
    PCHECK(!(f = differs_but_timings(a1, a2)), "\"%s\" asked again: %s differs: %s / %s", qa, f,
           dump(json_object_get(a1, f)), dump(json_object_get(a2, f)));
    PCHECK(strcmp(str_of(b1, "status"), "answered") == 0, "\"%s\" not answered: %s", qb,
           str_of(b1, "text"));
    PCHECK(strcmp(str_of(b1, "tier"), "rules") == 0,
           "\"%s\" after \"%s\": tier %s (served from a cache entry of another question)", qb, qa,
           str_of(b1, "tier"));
    PCHECK(!(f = differs(b1, rb, COMPUTED)),
           "\"%s\" after \"%s\": %s differs from the answer without caches:\n      %s\n      %s",
           qb, qa, f, dump(json_object_get(b1, f)), dump(json_object_get(rb, f)));
    PCHECK(strcmp(summary_of(a1), summary_of(b1)) != 0,
           "\"%s\" and \"%s\" have the same interpretation: %s", qa, qb, summary_of(a1));
    PCHECK(strcmp(str_of(b2, "tier"), "exact_cache") == 0 && !differs_but_timings(b1, b2),
           "\"%s\" asked again: tier %s", qb, str_of(b2, "tier"));
    ok = true;
done:
    json_decref(a2);
    json_decref(b1);
    json_decref(b2);
    return ok;
}

/* Every pair (A, B) of one template whose A is value i, on a new caching
 * asker: A first (computed), then A and B for each other value B in turn.
 * Returns the number of failed pairs. */
static int check_row(ria_store *st, ria_asker *ref, json_t *memo, size_t t, int i, int *pairs)
{
    slot_kind k = templates[t].slot;
    int n = slot_size(k), failed = n;
    char qa[256];
    snprintf(qa, sizeof qa, templates[t].text, slots[k].values[i]);
    ria_asker *a = NULL;
    json_t *a1 = NULL, *ra = NULL;
    if (!open_asker(&st, false, &a) || !(a1 = ASK(a, NULL, qa)) || !(ra = reference(ref, memo, qa)))
        goto done;
    const char *f;
    PCHECK(strcmp(str_of(a1, "status"), "answered") == 0, "\"%s\" not answered: %s", qa,
           str_of(a1, "text"));
    PCHECK(strcmp(str_of(a1, "tier"), "rules") == 0, "\"%s\" first asked: tier %s", qa,
           str_of(a1, "tier"));
    PCHECK(!(f = differs(a1, ra, COMPUTED)), "\"%s\": %s differs from the answer without caches",
           qa, f);
    failed = 0;
    for (int j = 0; j < n && failed < 3; j++) {
        if (j == i)
            continue;
        char qb[256];
        snprintf(qb, sizeof qb, templates[t].text, slots[k].values[j]);
        (*pairs)++;
        failed += !check_pair(a, ref, memo, a1, qa, qb);
    }
done:
    json_decref(a1);
    ria_asker_free(a);
    return failed;
}

TEST(ask_cache_never_confuses_one_slot_pairs)
{
    ria_store *st = NULL;
    ria_asker *ref = NULL;
    CHECK(open_base(&st, true, &ref));
    json_t *memo = json_object();
    int pairs = 0, failed = 0;
    bool slot_seen[S_COUNT_] = {0};
    for (size_t t = 0; t < RIA_ARRAY_LEN(templates) && failed < 10; t++) {
        slot_seen[templates[t].slot] = true;
        for (int i = 0; i < slot_size(templates[t].slot) && failed < 10; i++)
            failed += check_row(st, ref, memo, t, i, &pairs);
    }
    json_decref(memo);
    ria_asker_free(ref);
    ria_store_close(st);
    CHECK_MSG(failed == 0, "%d pairs failed (stopping after 10)", failed);
    for (int k = 0; k < S_COUNT_; k++)
        CHECK_MSG(slot_seen[k], "no template varies the %s", slots[k].name);
    CHECK_MSG(pairs >= 1000, "only %d pairs", pairs);
}

/* Many one-slot neighbours asked on one long-lived caching asker, in an
 * order that mixes templates: every answer equals the one without caches,
 * whichever tier gives it. */
TEST(ask_cache_shared_asker_many_neighbours)
{
    ria_store *st = NULL;
    ria_asker *ref = NULL, *a = NULL;
    CHECK(open_base(&st, true, &ref));
    CHECK(open_asker(&st, false, &a));
    json_t *memo = json_object(), *seen = json_object();
    uint64_t r = 12345;
    int asked = 0, computed = 0;
    for (int round = 0; round < 3; round++)
        for (size_t t0 = 0; t0 < RIA_ARRAY_LEN(templates); t0++) {
            size_t t = (t0 * 7 + (size_t)round * 5) % RIA_ARRAY_LEN(templates);
            slot_kind k = templates[t].slot;
            int n = slot_size(k);
            for (int i = 0; i < n; i++) {
                r = r * 6364136223846793005ull + 1442695040888963407ull;
                char q[256];
                snprintf(q, sizeof q, templates[t].text, slots[k].values[(i + (int)(r >> 40)) % n]);
                json_t *ans = ASK(a, NULL, q);
                json_t *want = reference(ref, memo, q);
                CHECK(ans && want);
                const char *tier = str_of(ans, "tier");
                bool before = json_object_get(seen, q) != NULL;
                const char *f = differs(ans, want, COMPUTED);
                CHECK_MSG(!f,
                          "\"%s\" (tier %s): %s differs from the answer without caches: %s / %s", q,
                          tier, f, dump(json_object_get(ans, f)), dump(json_object_get(want, f)));
                CHECK_MSG(strcmp(tier, before ? "exact_cache" : "rules") == 0,
                          "\"%s\" %s asked before: tier %s", q, before ? "was" : "was not", tier);
                computed += strcmp(tier, "rules") == 0;
                json_object_set_new(seen, q, json_true());
                json_decref(ans);
                asked++;
            }
        }
    CHECK(asked > 300 && computed > 100);
    json_decref(memo);
    json_decref(seen);
    ria_asker_free(a);
    ria_asker_free(ref);
    ria_store_close(st);
}

/* Values that are also ordinary words match only when capitalized as
 * stored: "revenue for Store in 2024" is the Store channel, "revenue for
 * store in 2024" all revenue.  The exact tier must not serve one for the
 * other. */
TEST(ask_cache_keeps_case_of_values_apart)
{
    ria_store *st = NULL;
    ria_asker *ref = NULL;
    CHECK(open_base(&st, true, &ref));
    static const char *const pairs[][2] = {
        {"revenue for Store in 2024", "revenue for store in 2024"},
        {"revenue for Home in 2024", "revenue for home in 2024"},
        {"revenue in OH in 2024", "revenue in oh in 2024"},
        {"units in PA in Q1 2024", "units in pa in Q1 2024"},
    };
    int bad = 0;
    for (size_t i = 0; i < RIA_ARRAY_LEN(pairs); i++)
        for (int order = 0; order < 2; order++) {
            const char *qa = pairs[i][order], *qb = pairs[i][1 - order];
            ria_asker *a = NULL;
            CHECK(open_asker(&st, false, &a));
            json_t *a1 = ASK(a, NULL, qa), *b1 = ASK(a, NULL, qb), *rb = ASK(ref, NULL, qb);
            CHECK(a1 && b1 && rb);
            /* the two spellings are understood differently ... */
            json_t *ra = ASK(ref, NULL, qa);
            CHECK(ra);
            CHECK_MSG(differs(ra, rb, RESULT), "\"%s\" and \"%s\" mean the same here", qa, qb);
            /* ... so the second must not be the first's cache entry */
            const char *f = differs(b1, rb, RESULT);
            if (f) {
                test_failed(__FILE__, __LINE__,
                            "\"%s\" after \"%s\": tier %s, %s %s; without caches %s", qb, qa,
                            str_of(b1, "tier"), f, dump(json_object_get(b1, f)),
                            dump(json_object_get(rb, f)));
                bad++;
            }
            json_decref(a1);
            json_decref(b1);
            json_decref(rb);
            json_decref(ra);
            ria_asker_free(a);
        }
    ria_asker_free(ref);
    ria_store_close(st);
    CHECK_EQ_INT(bad, 0);
}

/* Different wordings of one question: the second is a plan-tier hit with
 * the same result. */
static const char *const paraphrases[][2] = {
    {"revenue by category in 2024", "2024 sales for each category"},
    {"units in Q2 2024", "total units sold in Q2 2024"},
    {"number of orders in 2023", "How many orders did we get in 2023?"},
    {"revenue in Texas in March 2024", "Texas revenue for March 2024"},
    {"top 3 states by revenue in 2024", "which 3 states had the highest revenue in 2024"},
    {"revenue by region in 2023", "2023 revenue broken down by region"},
    {"profit for Electronics in 2023", "gross profit of Electronics in 2023"},
    {"revenue in CA in 2024", "revenue in California in 2024"},
    {"revenue last year", "revenue in 2023"},
};

TEST(ask_cache_paraphrases_share_the_plan_tier)
{
    ria_store *st = NULL;
    ria_asker *ref = NULL, *a = NULL;
    CHECK(open_base(&st, true, &ref));
    CHECK(open_asker(&st, false, &a));
    for (size_t i = 0; i < RIA_ARRAY_LEN(paraphrases); i++) {
        const char *q1 = paraphrases[i][0], *q2 = paraphrases[i][1];
        json_t *x = ASK(a, NULL, q1), *y = ASK(a, NULL, q2), *ry = ASK(ref, NULL, q2);
        CHECK(x && y && ry);
        CHECK_MSG(strcmp(str_of(x, "status"), "answered") == 0, "\"%s\": %s", q1,
                  str_of(x, "text"));
        CHECK_MSG(strcmp(str_of(x, "tier"), "rules") == 0, "\"%s\": tier %s", q1,
                  str_of(x, "tier"));
        CHECK_MSG(strcmp(str_of(y, "tier"), "plan_cache") == 0, "\"%s\" after \"%s\": tier %s", q2,
                  q1, str_of(y, "tier"));
        const char *f = differs(x, y, RESULT);
        CHECK_MSG(!f, "\"%s\" / \"%s\": %s differs", q1, q2, f);
        f = differs(y, ry, RESULT);
        CHECK_MSG(!f, "\"%s\" from the plan tier: %s differs from the answer without caches", q2,
                  f);
        CHECK_EQ_STR(str_of(y, "question"), q2);
        json_decref(x);
        json_decref(y);
        json_decref(ry);
    }
    ria_ask_cache_stats cs;
    ria_ask_cache_stats_get(a, &cs);
    CHECK_EQ_INT(cs.plan_hits, RIA_ARRAY_LEN(paraphrases));
    CHECK(cs.exact_misses >= 2 * RIA_ARRAY_LEN(paraphrases));
    ria_asker_free(a);
    ria_asker_free(ref);
    ria_store_close(st);
}

/* A plan-tier hit explains the question asked, not the wording that
 * filled the entry: its interpretation equals the one computed without
 * caches.  "last year" is relative to the anchor, "2023" is not, though
 * both are 2023-01-01 .. 2023-12-31. */
static const char *const same_dates[][2] = {
    {"revenue in 2023", "revenue last year"},
    {"revenue last year", "revenue in 2023"},
    {"revenue last month", "revenue in November 2024"},
    {"revenue in December", "revenue in December 2024"},
    {"units by region last quarter", "units by region in Q3 2024"},
};

TEST(ask_cache_plan_tier_keeps_own_interpretation)
{
    ria_store *st = NULL;
    ria_asker *ref = NULL;
    CHECK(open_base(&st, true, &ref));
    int bad = 0;
    size_t np = RIA_ARRAY_LEN(paraphrases), n = np + RIA_ARRAY_LEN(same_dates);
    for (size_t i = 0; i < n; i++) {
        const char *const *pair = i < np ? paraphrases[i] : same_dates[i - np];
        ria_asker *a = NULL;
        CHECK(open_asker(&st, false, &a));
        json_t *x = ASK(a, NULL, pair[0]), *y = ASK(a, NULL, pair[1]),
               *ry = ASK(ref, NULL, pair[1]);
        CHECK(x && y && ry);
        CHECK_MSG(!differs(y, ry, RESULT), "\"%s\" after \"%s\": another result", pair[1], pair[0]);
        json_t *iy = json_object_get(y, "interpretation"),
               *iry = json_object_get(ry, "interpretation");
        if (!json_equal(iy, iry)) {
            test_failed(__FILE__, __LINE__,
                        "\"%s\" after \"%s\" (tier %s): period %s\n      without caches %s",
                        pair[1], pair[0], str_of(y, "tier"), dump(json_object_get(iy, "period")),
                        dump(json_object_get(iry, "period")));
            bad++;
        }
        json_decref(x);
        json_decref(y);
        json_decref(ry);
        ria_asker_free(a);
    }
    ria_asker_free(ref);
    ria_store_close(st);
    CHECK_EQ_INT(bad, 0);
}

/* ------------------------------------------------------------- sessions */

/* Previous questions with the place a follow-up's filter goes ("%s"), and
 * follow-ups with the filter they add. */
static const char *const prevs[] = {
    "revenue%s in 2023",      "revenue%s in 2024",
    "units%s in Q1 2024",     "orders by category%s in 2023",
    "profit%s in March 2024", "top 3 categories by revenue%s in 2024",
};
static const char *const follow_ups[][2] = {
    {"and in Texas?", " in Texas"},
    {"what about Florida?", " in Florida"},
    {"and for Online?", " for Online"},
};

TEST(ask_follow_ups_are_scoped_to_their_session)
{
    ria_store *st = NULL;
    ria_asker *ref = NULL, *a = NULL;
    CHECK(open_base(&st, true, &ref));
    CHECK(open_asker(&st, false, &a));
    enum { NP = RIA_ARRAY_LEN(prevs), NF = RIA_ARRAY_LEN(follow_ups) };
    json_t *first[NP][NF] = {{0}};
    /* round 0 computes every follow-up; round 1 repeats the conversations
     * (exact hits, in the context of the same previous question) */
    for (int round = 0; round < 2; round++)
        for (int f = 0; f < NF; f++)
            for (int p = 0; p < NP; p++) {
                char prev[256], full[256];
                snprintf(prev, sizeof prev, prevs[p], "");
                snprintf(full, sizeof full, prevs[p], follow_ups[f][1]);
                ria_session *s = ria_session_new();
                json_t *x = ASK(a, s, prev), *y = ASK(a, s, follow_ups[f][0]);
                json_t *want = ASK(ref, NULL, full);
                CHECK(x && y && want);
                CHECK_MSG(strcmp(str_of(want, "status"), "answered") == 0, "\"%s\": %s", full,
                          str_of(want, "text"));
                CHECK_MSG(json_is_true(json_object_get(y, "follow_up")),
                          "\"%s\" after \"%s\" is not a follow-up", follow_ups[f][0], prev);
                const char *d = differs(y, want, RESULT);
                CHECK_MSG(!d, "round %d: \"%s\" after \"%s\" (tier %s): %s %s, but \"%s\" is %s",
                          round, follow_ups[f][0], prev, str_of(y, "tier"), d,
                          dump(json_object_get(y, d)), full, dump(json_object_get(want, d)));
                CHECK_EQ_STR(str_of(y, "tier"), round ? "exact_cache" : "rules");
                if (round == 0) {
                    first[p][f] = json_incref(y);
                } else {
                    d = differs_but_timings(first[p][f], y);
                    CHECK_MSG(!d, "\"%s\" after \"%s\" the second time: %s differs",
                              follow_ups[f][0], prev, d);
                }
                /* the exact hit moved the conversation on: one more step */
                json_t *z = ASK(a, s, "and in Ohio?");
                char full2[256];
                char filt[64];
                snprintf(filt, sizeof filt, "%s in Ohio",
                         strstr(follow_ups[f][1], "Online") ? " for Online" : "");
                snprintf(full2, sizeof full2, prevs[p], filt);
                json_t *want2 = ASK(ref, NULL, full2);
                CHECK(z && want2);
                d = differs(z, want2, RESULT);
                CHECK_MSG(!d,
                          "round %d: \"and in Ohio?\" after \"%s\", \"%s\": %s %s, but \"%s\" "
                          "is %s",
                          round, prev, follow_ups[f][0], d, dump(json_object_get(z, d)), full2,
                          dump(json_object_get(want2, d)));
                json_decref(x);
                json_decref(y);
                json_decref(z);
                json_decref(want);
                json_decref(want2);
                ria_session_free(s);
            }
    /* one follow-up text, six contexts, six different answers */
    for (int f = 0; f < NF; f++)
        for (int p = 0; p < NP; p++)
            for (int q = p + 1; q < NP; q++)
                CHECK_MSG(strcmp(summary_of(first[p][f]), summary_of(first[q][f])) != 0,
                          "\"%s\" has one interpretation after \"%s\" and \"%s\"", follow_ups[f][0],
                          prevs[p], prevs[q]);
    for (int f = 0; f < NF; f++)
        for (int p = 0; p < NP; p++)
            json_decref(first[p][f]);
    /* without a session the same text is a question of its own */
    json_t *alone = ASK(a, NULL, "and in Texas?");
    CHECK(alone);
    CHECK(!json_is_true(json_object_get(alone, "follow_up")));
    json_decref(alone);
    ria_asker_free(a);
    ria_asker_free(ref);
    ria_store_close(st);
}

/* ------------------------------------------------------ commits, refresh */

static const char *const watched[] = {
    "revenue in 2024",         "revenue by category in 2024",
    "orders in CA in Q1 2024", "top 3 states by units in 2023",
    "AOV for Online in 2024",
};

TEST(ask_new_commit_invalidates)
{
    CHECK(base_store());
    CHECK(th_gen_csv("more.csv", 6000, 77, NULL, 0));
    ria_store *st = NULL;
    ria_asker *a = NULL;
    CHECK(open_asker(&st, false, &a));
    int64_t v1 = ria_asker_version(a);
    enum { NW = RIA_ARRAY_LEN(watched) };
    json_t *old[NW];
    for (int i = 0; i < NW; i++) {
        old[i] = ASK(a, NULL, watched[i]);
        CHECK(old[i]);
        json_t *again = ASK(a, NULL, watched[i]);
        CHECK(again && strcmp(str_of(again, "tier"), "exact_cache") == 0);
        json_decref(again);
    }
    /* a paraphrase too, so the plan tier holds entries of the old version */
    json_t *p = ASK(a, NULL, "2024 sales for each category");
    CHECK(p && strcmp(str_of(p, "tier"), "plan_cache") == 0);
    json_decref(p);

    CHECK(th_ingest("more.csv", RIA_MODE_APPEND, NULL));
    /* until the refresh the asker answers on its version, consistently */
    for (int i = 0; i < NW; i++) {
        json_t *x = ASK(a, NULL, watched[i]);
        CHECK(x);
        CHECK(!differs_but_timings(old[i], x));
        json_decref(x);
    }
    CHECK(refresh(a));
    CHECK(ria_asker_version(a) > v1);
    ria_asker *ref = NULL;
    CHECK(open_asker(&st, true, &ref));
    CHECK_EQ_INT(ria_asker_version(ref), ria_asker_version(a));
    for (int i = 0; i < NW; i++) {
        json_t *x = ASK(a, NULL, watched[i]), *want = ASK(ref, NULL, watched[i]);
        CHECK(x && want);
        CHECK_MSG(strcmp(str_of(x, "tier"), "rules") == 0, "\"%s\" after the commit: tier %s",
                  watched[i], str_of(x, "tier"));
        const char *f = differs(x, want, COMPUTED);
        CHECK_MSG(!f, "\"%s\" after the commit: %s differs from the answer without caches",
                  watched[i], f);
        CHECK_MSG(differs(x, old[i], RESULT), "\"%s\" did not change with 6,000 more lines",
                  watched[i]);
        CHECK_EQ_INT(json_integer_value(
                         json_object_get(json_object_get(x, "interpretation"), "data_version")),
                     ria_asker_version(a));
        json_decref(x);
        json_decref(want);
        json_decref(old[i]);
    }
    p = ASK(a, NULL, "2024 sales for each category");
    CHECK(p && strcmp(str_of(p, "tier"), "plan_cache") == 0); /* of the new version */
    json_t *want = ASK(ref, NULL, "2024 sales for each category");
    CHECK(want && !differs(p, want, RESULT));
    json_decref(p);
    json_decref(want);
    /* a refresh with nothing new keeps the caches */
    CHECK(refresh(a));
    p = ASK(a, NULL, watched[0]);
    CHECK(p && strcmp(str_of(p, "tier"), "exact_cache") == 0);
    json_decref(p);
    ria_asker_free(a);
    ria_asker_free(ref);
    ria_store_close(st);
}

/* A session's context comes from a version whose snapshot and vocabulary
 * are freed by the refresh; the follow-up after it is answered on the new
 * data (under ASan this is the use-after-free check). */
TEST(ask_sessions_survive_refresh)
{
    CHECK(base_store());
    CHECK(th_gen_csv("more.csv", 5000, 78, NULL, 0));
    CHECK(th_gen_csv("more2.csv", 5000, 79, NULL, 0));
    ria_store *st = NULL;
    ria_asker *a = NULL;
    CHECK(open_asker(&st, false, &a));
    ria_session *s1 = ria_session_new(), *s2 = ria_session_new(), *s3 = ria_session_new();
    CHECK(s1 && s2 && s3);
    /* s1 computes, s2 takes its context from the exact tier */
    json_t *x = ASK(a, s1, "revenue by category in CA in 2024");
    json_t *y = ASK(a, s2, "revenue by category in CA in 2024");
    json_t *z = ASK(a, s3, "orders for Electronics in Q2 2024");
    CHECK(x && y && z);
    CHECK_EQ_STR(str_of(y, "tier"), "exact_cache");
    json_decref(x);
    json_decref(y);
    json_decref(z);
    for (int commit = 0; commit < 2; commit++) {
        CHECK(th_ingest(commit ? "more2.csv" : "more.csv", RIA_MODE_APPEND, NULL));
        CHECK(refresh(a));
        ria_asker *ref = NULL;
        CHECK(open_asker(&st, true, &ref));
        static const char *const steps[2][3][2] = {
            {{"and in Texas?", "revenue by category in Texas in 2024"},
             {"what about Florida?", "revenue by category in Florida in 2024"},
             {"and for Toys?", "orders for Toys in Q2 2024"}},
            {{"what about 2023?", "revenue by category in Texas in 2023"},
             {"and in 2022?", "revenue by category in Florida in 2022"},
             {"and in Q3 2024?", "orders for Toys in Q3 2024"}},
        };
        ria_session *ss[3] = {s1, s2, s3};
        for (int i = 0; i < 3; i++) {
            /* s1 and s2 take different turns so their contexts part */
            const char *q = steps[commit][i][0], *full = steps[commit][i][1];
            json_t *ans = ASK(a, ss[i], q), *want = ASK(ref, NULL, full);
            CHECK(ans && want);
            const char *f = differs(ans, want, RESULT);
            CHECK_MSG(!f, "after commit %d: \"%s\": %s %s, but \"%s\" is %s", commit + 1, q, f,
                      dump(json_object_get(ans, f)), full, dump(json_object_get(want, f)));
            CHECK_EQ_INT(json_integer_value(json_object_get(json_object_get(ans, "interpretation"),
                                                            "data_version")),
                         ria_asker_version(a));
            json_decref(ans);
            json_decref(want);
        }
        ria_asker_free(ref);
    }
    ria_session_free(s1);
    ria_session_free(s2);
    ria_session_free(s3);
    ria_asker_free(a);
    ria_store_close(st);
}

/* ------------------------------------------------- figures, independently */

/* One line of the generated CSV, the fields the figures need. */
typedef struct {
    char order[24];
    int year, month;
    bool sale; /* status is not Cancelled or Returned */
    char category[16];
    char state[4];
    int64_t quantity;
    int64_t amount, cost; /* cents */
} line;

static bool cents(const char *s, int64_t *out)
{
    char *end;
    bool neg = *s == '-';
    if (neg)
        s++;
    long long whole = strtoll(s, &end, 10);
    int64_t c = whole * 100;
    if (*end == '.') {
        int digits = 0;
        for (end++; *end >= '0' && *end <= '9'; end++, digits++) {
            if (digits == 0)
                c += (*end - '0') * 10;
            else if (digits == 1)
                c += *end - '0';
            else if (*end != '0')
                return false;
        }
    }
    *out = neg ? -c : c;
    return *end == 0;
}

static line *read_lines(const char *name, size_t *out_n)
{
    FILE *f = fopen(th_path(name), "r");
    if (!f)
        return NULL;
    size_t cap = BASE_ROWS + 16, n = 0;
    line *ls = calloc(cap, sizeof *ls);
    char buf[1024];
    bool ok = ls && fgets(buf, sizeof buf, f); /* the header */
    while (ok && fgets(buf, sizeof buf, f)) {
        buf[strcspn(buf, "\r\n")] = 0;
        char *fld[RIA_GEN_FIELDS];
        int nf = 0;
        for (char *p = buf; nf < RIA_GEN_FIELDS; nf++) {
            fld[nf] = p;
            char *c = strchr(p, ',');
            if (!c) {
                nf++;
                break;
            }
            *c = 0;
            p = c + 1;
        }
        ok = nf == RIA_GEN_FIELDS && n < cap && !strchr(fld[15], '"');
        if (!ok)
            break;
        line *l = &ls[n++];
        snprintf(l->order, sizeof l->order, "%s", fld[0]);
        ok = sscanf(fld[1], "%d-%d", &l->year, &l->month) == 2;
        l->sale = strcmp(fld[3], "Cancelled") != 0 && strcmp(fld[3], "Returned") != 0;
        snprintf(l->category, sizeof l->category, "%s", fld[5]);
        snprintf(l->state, sizeof l->state, "%s", fld[16]);
        l->quantity = strtoll(fld[8], NULL, 10);
        ok = ok && cents(fld[11], &l->amount) && cents(fld[12], &l->cost);
    }
    fclose(f);
    if (!ok) {
        free(ls);
        return NULL;
    }
    *out_n = n;
    return ls;
}

typedef enum { F_REVENUE, F_UNITS, F_ORDERS, F_PROFIT, F_AOV } figure;

/* The figure over the lines passing the filters (state or category, "" for
 * none) in [year/month_lo, year/month_hi]. */
static double compute(const line *ls, size_t n, figure fig, const char *state, const char *category,
                      int year, int mlo, int mhi)
{
    int64_t amount = 0, cost = 0, units = 0;
    const char **orders = malloc((n + 1) * sizeof *orders);
    size_t no = 0;
    for (size_t i = 0; i < n; i++) {
        const line *l = &ls[i];
        if (!l->sale || l->year != year || l->month < mlo || l->month > mhi)
            continue;
        if ((*state && strcmp(l->state, state) != 0) ||
            (*category && strcmp(l->category, category) != 0))
            continue;
        amount += l->amount;
        cost += l->cost;
        units += l->quantity;
        orders[no++] = l->order;
    }
    qsort(orders, no, sizeof *orders, th_cmp_str);
    size_t distinct = 0;
    for (size_t i = 0; i < no; i++)
        distinct += i == 0 || strcmp(orders[i], orders[i - 1]) != 0;
    free(orders);
    switch (fig) {
    case F_REVENUE:
        return (double)amount / 100;
    case F_UNITS:
        return (double)units;
    case F_ORDERS:
        return (double)distinct;
    case F_PROFIT:
        return (double)(amount - cost) / 100;
    case F_AOV:
        return distinct ? (double)amount / 100 / (double)distinct : NAN;
    }
    return NAN;
}

TEST(ask_figures_match_the_csv)
{
    CHECK(base_store());
    size_t n = 0;
    line *ls = read_lines("base.csv", &n);
    CHECK_MSG(ls, "cannot read base.csv");
    CHECK_EQ_INT(n, BASE_ROWS);
    ria_store *st = NULL;
    ria_asker *a = NULL;
    CHECK(open_asker(&st, false, &a));
    static const struct {
        figure fig;
        const char *word;
    } metrics[] = {{F_REVENUE, "revenue"},
                   {F_UNITS, "units"},
                   {F_ORDERS, "orders"},
                   {F_PROFIT, "profit"},
                   {F_AOV, "average order value"}};
    static const struct {
        const char *words, *state, *category;
    } filters[] = {{"", "", ""},
                   {" in CA", "CA", ""},
                   {" in Texas", "TX", ""},
                   {" in New York", "NY", ""},
                   {" for Electronics", "", "Electronics"},
                   {" for Clothing", "", "Clothing"},
                   {" for Home", "", "Home"}};
    static const char *const month_names[] = {"January",   "February", "March",    "April",
                                              "May",       "June",     "July",     "August",
                                              "September", "October",  "November", "December"};
    uint64_t r = 2024;
    int compared = 0;
    for (int i = 0; i < 60; i++) {
        r = r * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t x = ria_mix64(r);
        int m = (int)(x % RIA_ARRAY_LEN(metrics)), f = (int)((x >> 8) % RIA_ARRAY_LEN(filters));
        int year = 2022 + (int)((x >> 16) % 3), kind = (int)((x >> 24) % 3);
        int month = 1 + (int)((x >> 32) % 12), quarter = 1 + (int)((x >> 40) % 4);
        char period[64], q[256];
        int lo = 1, hi = 12;
        if (kind == 0) {
            snprintf(period, sizeof period, "in %s %d", month_names[month - 1], year);
            lo = hi = month;
        } else if (kind == 1) {
            snprintf(period, sizeof period, "in Q%d %d", quarter, year);
            lo = quarter * 3 - 2;
            hi = quarter * 3;
        } else {
            snprintf(period, sizeof period, "in %d", year);
        }
        snprintf(q, sizeof q, "%s%s %s", metrics[m].word, filters[f].words, period);
        double want =
            compute(ls, n, metrics[m].fig, filters[f].state, filters[f].category, year, lo, hi);
        json_t *ans = ASK(a, NULL, q);
        CHECK(ans);
        CHECK_MSG(strcmp(str_of(ans, "status"), "answered") == 0, "\"%s\": %s", q,
                  str_of(ans, "text"));
        json_t *v = json_object_get(ans, "value");
        CHECK_MSG(json_is_number(v), "\"%s\": value %s", q, dump(v));
        double got = json_number_value(v);
        CHECK_MSG(fabs(got - want) <= fmax(0.005, 1e-9 * fabs(want)),
                  "\"%s\": %.6f, the CSV gives %.6f", q, got, want);
        json_decref(ans);
        compared++;
    }
    CHECK(compared >= 50);
    free(ls);
    ria_asker_free(a);
    ria_store_close(st);
}

/* ------------------------------------------------------------ abstention */

static bool abstains(ria_asker *a, const char *q, const char *want_status)
{
    for (int k = 0; k < 2; k++) { /* computed, then from the exact tier */
        json_t *ans = ASK(a, NULL, q);
        HCHECK(ans, "no answer");
        const char *s = str_of(ans, "status");
        json_t *rows = json_object_get(ans, "rows");
        bool ok = strcmp(s, "answered") != 0 && (!want_status || strcmp(s, want_status) == 0) &&
                  json_is_null(json_object_get(ans, "value")) && json_is_array(rows) &&
                  json_array_size(rows) == 0 && *str_of(ans, "text");
        char *text = json_dumps(ans, JSON_COMPACT);
        json_decref(ans);
        if (!ok)
            test_failed(__FILE__, __LINE__, "\"%s\" (ask %d) should abstain%s%s: %.400s", q, k + 1,
                        want_status ? " as " : "", want_status ? want_status : "", text);
        free(text);
        if (!ok)
            return false;
    }
    return true;
}

TEST(ask_abstains)
{
    ria_store *st = NULL;
    ria_asker *a = NULL;
    CHECK(open_base(&st, false, &a));
    static const struct {
        const char *q, *status;
    } cases[] = {
        /* unknown words */
        {"revenue by flurbo in 2024", "not_understood"},
        {"zorgle blamp", "not_understood"},
        {"units of Gadgetronics in 2024", "not_understood"},
        {"revenue for the Northwestish region", "not_understood"},
        /* out of scope */
        {"what's the weather in Austin tomorrow", "out_of_scope"},
        {"delete all orders", "out_of_scope"},
        {"drop table sales", "out_of_scope"},
        {"update every discount to zero", "out_of_scope"},
        {"who won the world cup", NULL},
        /* what the data does not have */
        {"what was foot traffic in March 2024", NULL},
        {"revenue by payment method in 2024", NULL},
        {"website conversion rate in 2024", NULL},
        {"inventory on hand for Electronics", NULL},
        {"revenue by store manager", NULL},
    };
    for (size_t i = 0; i < RIA_ARRAY_LEN(cases); i++)
        CHECK(abstains(a, cases[i].q, cases[i].status));
    ria_asker_free(a);
    ria_store_close(st);
}

/* A data set without cost and customer ids: profit, margin and customers
 * are metrics it lacks; revenue still answers. */
TEST(ask_abstains_on_missing_metrics)
{
    CHECK(th_gen_csv("full.csv", 5000, 5, NULL, 0));
    FILE *in = fopen(th_path("full.csv"), "r"), *out = fopen(th_path("lean.csv"), "w");
    CHECK(in && out);
    char buf[1024];
    while (fgets(buf, sizeof buf, in)) {
        /* drop fields 12 (cost) and 13 (customer_id) */
        char *p = buf;
        for (int k = 0; k < 12 && p; k++)
            p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL;
        char *q = p;
        for (int k = 0; k < 2 && q; k++)
            q = strchr(q, ',') ? strchr(q, ',') + 1 : NULL;
        CHECK(p && q);
        fprintf(out, "%.*s%s", (int)(p - buf), buf, q);
    }
    fclose(in);
    CHECK(fclose(out) == 0);
    CHECK(th_ingest("lean.csv", RIA_MODE_APPEND, NULL));
    ria_store *st = NULL;
    ria_asker *a = NULL;
    CHECK(open_asker(&st, false, &a));
    CHECK(abstains(a, "profit in 2024", "not_understood"));
    CHECK(abstains(a, "gross margin by category in 2024", "not_understood"));
    CHECK(abstains(a, "how many customers bought in Q1 2024", "not_understood"));
    CHECK(abstains(a, "top 3 states by profit in 2023", "not_understood"));
    json_t *ok = ASK(a, NULL, "revenue in 2024");
    CHECK(ok);
    CHECK_EQ_STR(str_of(ok, "status"), "answered");
    CHECK(json_is_number(json_object_get(ok, "value")));
    json_decref(ok);
    ria_asker_free(a);
    ria_store_close(st);
}

/* ------------------------------------------------------------- summary */

static bool summary_matches(ria_asker *a, const char *period)
{
    void *out = NULL;
    ria_error err = {0};
    HCHECK(ria_summary(a, period, &out, &err) == RIA_OK, "summary \"%s\": %s", period, err.msg);
    json_t *rep = out;
    bool ok = false;
    json_t *sections = json_object_get(rep, "sections");
    PCHECK(strcmp(str_of(rep, "status"), "answered") == 0, "summary \"%s\": %s", period,
           str_of(rep, "text"));
    PCHECK(*str_of(rep, "text"), "summary \"%s\": no text", period);
    PCHECK(json_array_size(sections) > 0, "summary \"%s\": no sections", period);
    PCHECK(json_object_get(rep, "unusual_months") &&
               json_is_array(json_object_get(rep, "caveats")) &&
               json_array_size(json_object_get(rep, "sql")) > 0,
           "summary \"%s\": fields missing", period);
    size_t i;
    json_t *sec;
    json_array_foreach(sections, i, sec)
    {
        json_t *per = json_object_get(sec, "period"),
               *rows = json_object_get(json_object_get(sec, "headline"), "rows");
        double revenue = NAN;
        size_t r;
        json_t *row;
        json_array_foreach(rows, r, row)
        {
            const char *label = json_string_value(json_array_get(row, 0));
            if (label && strcmp(label, "Revenue") == 0)
                revenue = json_number_value(json_array_get(row, 1));
        }
        PCHECK(!isnan(revenue), "summary \"%s\": section %zu has no revenue", period, i);
        char q[256];
        snprintf(q, sizeof q, "revenue from %s to %s", str_of(per, "from"), str_of(per, "to"));
        json_t *ans = ASK(a, NULL, q);
        PCHECK(ans, "no answer");
        double v = json_number_value(json_object_get(ans, "value"));
        const char *from = json_string_value(json_object_get(
            json_object_get(json_object_get(ans, "interpretation"), "period"), "from"));
        bool same = fabs(v - revenue) < 0.005 && from && strcmp(from, str_of(per, "from")) == 0;
        json_decref(ans);
        PCHECK(same, "summary \"%s\", %s: revenue %.2f, \"%s\" gives %.2f", period,
               str_of(sec, "title"), revenue, q, v);
    }
    ok = true;
done:
    json_decref(rep);
    return ok;
}

TEST(ask_summary)
{
    ria_store *st = NULL;
    ria_asker *a = NULL;
    CHECK(open_base(&st, false, &a));
    CHECK(summary_matches(a, ""));
    CHECK(summary_matches(a, "Q3 2024"));
    CHECK(summary_matches(a, "2023"));
    /* the period of "revenue in Q3 2024" too */
    void *out = NULL;
    ria_error err = {0};
    CHECK_OK(ria_summary(a, "Q3 2024", &out, &err));
    json_t *ans = ASK(a, NULL, "revenue in Q3 2024");
    CHECK(ans);
    json_t *row = json_array_get(
        json_object_get(
            json_object_get(json_array_get(json_object_get(out, "sections"), 0), "headline"),
            "rows"),
        0);
    CHECK(fabs(json_number_value(json_array_get(row, 1)) -
               json_number_value(json_object_get(ans, "value"))) < 0.005);
    json_decref(ans);
    json_decref(out);
    static const char *const unreadable[] = {"blorp", "the next fortnight of Mars", "Q7 2024"};
    for (size_t i = 0; i < RIA_ARRAY_LEN(unreadable); i++) {
        CHECK_OK(ria_summary(a, unreadable[i], &out, &err));
        CHECK_MSG(strcmp(str_of(out, "status"), "not_understood") == 0, "\"%s\": %s", unreadable[i],
                  str_of(out, "status"));
        CHECK(*str_of(out, "text"));
        json_decref(out);
    }
    ria_asker_free(a);
    ria_store_close(st);
}

/* ---------------------------------------------------------------- leaks */

/* Answers free all they allocate; under AddressSanitizer a leak check
 * after asking finds nothing unreachable (elsewhere it only checks that
 * the questions are answered).  Trend answers compare group labels. */
TEST(ask_answers_do_not_leak)
{
    ria_store *st = NULL;
    ria_asker *a = NULL;
    CHECK(open_base(&st, true, &a));
    static const char *const qs[] = {
        "revenue by category in 2024",     "top 3 states by revenue in 2024",
        "revenue by month in 2024",        "Which categories are trending up?",
        "which regions are trending down",
    };
#ifdef HAVE_LSAN
    json_t *warm = ASK(a, NULL, qs[0]);
    json_decref(warm);
    CHECK_MSG(__lsan_do_recoverable_leak_check() == 0, "leaks before asking (see above)");
#endif
    for (size_t i = 0; i < RIA_ARRAY_LEN(qs); i++) {
        json_t *ans = ASK(a, NULL, qs[i]);
        CHECK(ans);
        CHECK_MSG(strcmp(str_of(ans, "status"), "answered") == 0, "\"%s\": %s", qs[i],
                  str_of(ans, "text"));
        json_decref(ans);
#ifdef HAVE_LSAN
        CHECK_MSG(__lsan_do_recoverable_leak_check() == 0, "\"%s\" leaked (see above)", qs[i]);
#endif
    }
    ria_asker_free(a);
    ria_store_close(st);
}

/* ------------------------------------------------------------- threads */

static const char *const thread_questions[] = {
    "revenue in 2024",
    "revenue in 2023",
    "units in CA in Q1 2024",
    "units in TX in Q1 2024",
    "orders by region in 2024",
    "orders by channel in 2024",
    "top 3 states by revenue in 2024",
    "bottom 3 states by revenue in 2024",
    "AOV for Online in 2024",
    "AOV for Store in 2024",
    "revenue by category in March 2024",
    "revenue by category in April 2024",
    "2024 sales for each category",
    "profit for Electronics in 2023",
    "which month had the highest revenue in 2024",
    "revenue for Home in 2024",
};
enum { NTQ = RIA_ARRAY_LEN(thread_questions) };

typedef struct {
    ria_asker *a;
    json_t *const (*want)[NTQ]; /* want[version - 1][question] */
    int64_t v1;
    uint64_t seed;
    int bad, asked;
    char why[512];
} asker_thread;

static void *ask_loop(void *arg)
{
    asker_thread *t = arg;
    for (int i = 0; i < 400 && !t->bad; i++) {
        t->seed = t->seed * 6364136223846793005ull + 1442695040888963407ull;
        int q = (int)((t->seed >> 33) % NTQ);
        ria_session *s = (t->seed >> 20) % 3 == 0 ? ria_session_new() : NULL;
        void *out = NULL;
        ria_error err = {0};
        if (ria_ask(t->a, s, thread_questions[q], &out, &err) != RIA_OK) {
            snprintf(t->why, sizeof t->why, "\"%s\": %s", thread_questions[q], err.msg);
            t->bad++;
        } else {
            json_t *ans = out;
            int64_t v = json_integer_value(
                json_object_get(json_object_get(ans, "interpretation"), "data_version"));
            int k = (int)(v - t->v1);
            const char *f = k == 0 || k == 1 ? differs(ans, t->want[k][q], RESULT) : "version";
            if (f) {
                snprintf(t->why, sizeof t->why, "\"%s\" (tier %s, version %lld): %s differs",
                         thread_questions[q], str_of(ans, "tier"), (long long)v, f);
                t->bad++;
            }
            json_decref(ans);
        }
        ria_session_free(s);
        __atomic_fetch_add(&t->asked, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

/* Four threads ask on one caching asker while it refreshes to a new
 * commit; every answer is that of the version it says it was computed
 * on. */
TEST(ask_threads_with_refresh)
{
    CHECK(base_store());
    CHECK(th_gen_csv("more.csv", 4000, 80, NULL, 0));
    ria_store *st = NULL;
    ria_asker *a = NULL, *ref = NULL;
    CHECK(open_asker(&st, false, &a));
    CHECK(open_asker(&st, true, &ref));
    int64_t v1 = ria_asker_version(a);
    json_t *want[2][NTQ];
    for (int q = 0; q < NTQ; q++) {
        want[0][q] = ASK(ref, NULL, thread_questions[q]);
        CHECK(want[0][q]);
    }
    CHECK(th_ingest("more.csv", RIA_MODE_APPEND, NULL));
    CHECK(refresh(ref));
    CHECK_EQ_INT(ria_asker_version(ref), v1 + 1);
    for (int q = 0; q < NTQ; q++) {
        want[1][q] = ASK(ref, NULL, thread_questions[q]);
        CHECK(want[1][q]);
    }
    asker_thread t[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        t[i] = (asker_thread){a, (json_t *const(*)[NTQ])want, v1, (uint64_t)i + 1, 0, 0, ""};
        CHECK(pthread_create(&th[i], NULL, ask_loop, &t[i]) == 0);
    }
    /* refresh once the threads are well under way */
    for (;;) {
        int asked = 0;
        for (int i = 0; i < 4; i++)
            asked += __atomic_load_n(&t[i].asked, __ATOMIC_RELAXED);
        if (asked > 200)
            break;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    bool refreshed = refresh(a);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    CHECK(refreshed);
    for (int i = 0; i < 4; i++)
        CHECK_MSG(t[i].bad == 0, "thread %d: %s", i, t[i].why);
    CHECK_EQ_INT(ria_asker_version(a), v1 + 1);
    for (int k = 0; k < 2; k++)
        for (int q = 0; q < NTQ; q++)
            json_decref(want[k][q]);
    ria_asker_free(a);
    ria_asker_free(ref);
    ria_store_close(st);
}
