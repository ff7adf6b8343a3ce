/* test_gen.c — the generator (gen/gen.h and its private model): determinism
 * across seeds and thread counts, exact row counts around block boundaries,
 * the shape and arithmetic of every clean row, and the truth record checked
 * against an independent re-scan of the output that classifies each row's
 * defect from its text alone. */
#include "gen/gen.h"
#include "gen/gen_model.h"
#include "ingest/ingest.h"
#include "test.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>

/* ------------------------------------------------------------------ helpers */

static ria_status to_buf(void *ctx, const char *p, size_t n, ria_error *err)
{
    (void)err;
    return ria_buf_append(ctx, p, n);
}

/* Generates into a fresh buffer; the caller frees it. */
static ria_status gen_mem(uint64_t rows, uint64_t seed, double dirty, int threads, ria_buf *out,
                          ria_gen_truth *truth)
{
    ria_gen_options o;
    ria_gen_options_default(&o);
    o.rows = rows;
    o.seed = seed;
    o.dirty = dirty;
    o.threads = threads;
    ria_buf_init(out, 0);
    ria_error err = {0};
    ria_status rc = ria_gen_run(&o, to_buf, out, truth, &err);
    if (rc != RIA_OK)
        fprintf(stderr, "    ria_gen_run: %s\n", err.msg);
    return rc;
}

static size_t count_lines(const ria_buf *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->len; i++)
        n += b->data[i] == '\n';
    return n;
}

/* Splits one CSV line (no embedded newlines; quoted fields hold no quotes)
 * into at most max fields; returns the field count. */
static int split(const char *p, size_t n, ria_slice *f, int max)
{
    int k = 0;
    size_t i = 0;
    for (;;) {
        ria_slice s;
        if (i < n && p[i] == '"') {
            size_t j = i + 1;
            while (j < n && p[j] != '"')
                j++;
            s = (ria_slice){p + i + 1, j - i - 1};
            i = j + 1;
        } else {
            size_t j = i;
            while (j < n && p[j] != ',')
                j++;
            s = (ria_slice){p + i, j - i};
            i = j;
        }
        if (k < max)
            f[k] = s;
        k++;
        if (i >= n)
            return k;
        i++; /* the comma */
    }
}

static bool eq(ria_slice s, const char *z)
{
    return s.n == strlen(z) && memcmp(s.p, z, s.n) == 0;
}

/* Parses a whole ISO date or timestamp into days; false if impossible. */
static bool day_of(ria_slice s, int64_t *out)
{
    int64_t secs;
    bool has_time;
    if (ria_parse_date(s.p, s.n, RIA_DATE_ISO, &secs, &has_time) != 1)
        return false;
    *out = ria_floor_div(secs, RIA_SECS_PER_DAY);
    return true;
}

/* Cents from a decimal slice, or false. */
static bool cents_of(ria_slice s, int64_t *out)
{
    int64_t v;
    if (ria_parse_decimal(s.p, s.n, &v) != RIA_NUM_OK || v % 100 != 0)
        return false;
    *out = v / 100;
    return true;
}

enum {
    C_ID,
    C_DATE,
    C_SHIP,
    C_STATUS,
    C_CHANNEL,
    C_CAT,
    C_SUB,
    C_SKU,
    C_QTY,
    C_PRICE,
    C_DISC,
    C_AMOUNT,
    C_COST,
    C_CUST,
    C_SEG,
    C_CITY,
    C_STATE,
    C_REGION,
    C_COUNTRY
};

/* Checks the text of a clean row (19 fields); returns NULL or what is wrong. */
static const char *check_clean(const ria_slice *f, int64_t start_day)
{
    static const char *const statuses[] = {"Delivered", "Shipped", "Pending", "Cancelled",
                                           "Returned"};
    int64_t day, ship, qty, price, amount, cost, disc;
    if (f[C_ID].n < 18 || memcmp(f[C_ID].p, "ORD-", 4) != 0 || f[C_ID].p[8] != '-')
        return "order id shape";
    if (f[C_DATE].n != 19 || !day_of(f[C_DATE], &day) || day < start_day ||
        day >= start_day + 3 * 365)
        return "order date";
    if (memcmp(f[C_ID].p + 4, f[C_DATE].p, 4) != 0)
        return "order id year";
    bool ships = !(eq(f[C_STATUS], "Pending") || eq(f[C_STATUS], "Cancelled"));
    bool known = false;
    for (size_t i = 0; i < RIA_ARRAY_LEN(statuses); i++)
        known |= eq(f[C_STATUS], statuses[i]);
    if (!known)
        return "status";
    if (ships != (f[C_SHIP].n > 0))
        return "ship date presence";
    if (ships && (f[C_SHIP].n != 10 || !day_of(f[C_SHIP], &ship) || ship < day || ship > day + 6))
        return "ship date";
    if (f[C_SKU].n != 12 || f[C_SKU].p[3] != '-' || f[C_SKU].p[7] != '-')
        return "sku shape";
    if (ria_parse_int(f[C_QTY].p, f[C_QTY].n, &qty) != RIA_NUM_OK || qty < 1 || qty > 50)
        return "quantity";
    if (!cents_of(f[C_PRICE], &price) || price < 100 || price > 180000)
        return "unit price";
    if (!cents_of(f[C_DISC], &disc) ||
        (disc != 0 && disc != 5 && disc != 10 && disc != 15 && disc != 20))
        return "discount";
    if (!cents_of(f[C_AMOUNT], &amount) || !cents_of(f[C_COST], &cost))
        return "amount or cost";
    if (amount != (qty * price * (100 - disc) + 50) / 100)
        return "amount != qty x price x (1 - discount)";
    if (cost <= 0 || cost >= amount)
        return "cost outside (0, amount)";
    if (f[C_CUST].n < 8 || f[C_CUST].p[0] != 'C')
        return "customer id";
    if (f[C_STATE].n != 2 || f[C_REGION].n == 0 || !eq(f[C_COUNTRY], "US"))
        return "state, region or country";
    return NULL;
}

/* ------------------------------------------------------ independent re-scan */

typedef struct {
    uint64_t rows, clean, defects[RIA_GEN_DEFECT_COUNT];
    uint64_t accepted_rows, accepted_quantity;
    int64_t accepted_cents;
    const char *problem; /* first inconsistency found, or NULL */
    size_t problem_line;
    size_t longest;
} scan;

/* A set of 64-bit line hashes (open addressing, 0 = empty). */
typedef struct {
    uint64_t *slots;
    size_t mask;
} hashset;

/* Adds h; returns true if it was already present. */
static bool seen(hashset *s, uint64_t h)
{
    h |= 1;
    for (size_t i = h & s->mask;; i = (i + 1) & s->mask) {
        if (s->slots[i] == h)
            return true;
        if (s->slots[i] == 0) {
            s->slots[i] = h;
            return false;
        }
    }
}

/* The defect a row shows (-1 for none) judged from its text alone; sets
 * *count to how many defects it shows. */
static int classify(const ria_slice *f, int nf, int64_t start_day, int *count)
{
    int kinds[RIA_GEN_DEFECT_COUNT], n = 0;
    if (nf != RIA_GEN_FIELDS) {
        *count = 1;
        return nf == RIA_GEN_FIELDS - 1 ? RIA_GEN_FIELD_COUNT : -2;
    }
    int64_t day = 0, ship, v;
    bool date_ok = day_of(f[C_DATE], &day);
    if (f[C_ID].n == 0)
        kinds[n++] = RIA_GEN_MISSING_ORDER_ID;
    if (!date_ok)
        kinds[n++] = RIA_GEN_BAD_DATE;
    else if (day < start_day)
        kinds[n++] = RIA_GEN_OLD_DATE;
    if (f[C_AMOUNT].n == 0)
        kinds[n++] = RIA_GEN_DERIVED_AMOUNT;
    else if (f[C_AMOUNT].p[0] == '-')
        kinds[n++] = RIA_GEN_NEGATIVE_AMOUNT;
    else if (ria_parse_decimal(f[C_AMOUNT].p, f[C_AMOUNT].n, &v) != RIA_NUM_OK)
        kinds[n++] = RIA_GEN_BAD_AMOUNT;
    else if (v >= 100000 * RIA_DEC_SCALE)
        kinds[n++] = RIA_GEN_AMOUNT_CEILING;
    if (f[C_QTY].n == 0)
        kinds[n++] = RIA_GEN_MISSING_QUANTITY;
    else if (f[C_QTY].p[0] == '-')
        kinds[n++] = RIA_GEN_NEGATIVE_QUANTITY;
    else if (ria_parse_int(f[C_QTY].p, f[C_QTY].n, &v) != RIA_NUM_OK)
        kinds[n++] = RIA_GEN_BAD_QUANTITY;
    if (f[C_SHIP].n && !day_of(f[C_SHIP], &ship))
        kinds[n++] = RIA_GEN_BAD_SHIP_DATE;
    else if (f[C_SHIP].n && date_ok && ship < day)
        kinds[n++] = RIA_GEN_SHIP_BEFORE_ORDER;
    if (eq(f[C_STATE], "ZZ"))
        kinds[n++] = RIA_GEN_UNKNOWN_STATE;
    else if (f[C_STATE].n > 2)
        kinds[n++] = RIA_GEN_STATE_NAME;
    if (f[C_DISC].n && f[C_DISC].p[f[C_DISC].n - 1] == '%')
        kinds[n++] = RIA_GEN_DISCOUNT_PERCENT;
    if (f[C_CAT].n == 0)
        kinds[n++] = RIA_GEN_MISSING_CATEGORY;
    *count = n;
    return n ? kinds[0] : -1;
}

/* Adds an accepted row's amount (derived when blank) and quantity (1 when
 * blank). */
static bool accept(scan *s, const ria_slice *f)
{
    int64_t qty = 1, price, disc, amount;
    if (f[C_QTY].n && ria_parse_int(f[C_QTY].p, f[C_QTY].n, &qty) != RIA_NUM_OK)
        return false;
    if (f[C_AMOUNT].n) {
        if (ria_parse_decimal(f[C_AMOUNT].p, f[C_AMOUNT].n, &amount) != RIA_NUM_OK)
            return false;
        amount /= 100;
    } else {
        if (!cents_of(f[C_PRICE], &price) || !cents_of(f[C_DISC], &disc))
            return false;
        amount = (qty * price * (100 - disc) + 50) / 100;
    }
    s->accepted_rows++;
    s->accepted_quantity += (uint64_t)qty;
    s->accepted_cents += amount;
    return true;
}

static void scan_row(scan *s, hashset *lines, const char *p, size_t n, int64_t start_day)
{
    ria_slice f[RIA_GEN_FIELDS + 2];
    int nf = split(p, n, f, RIA_GEN_FIELDS + 2), count;
    s->rows++;
    s->longest = RIA_MAX(s->longest, n + 1);
    if (seen(lines, ria_hash64(p, n))) {
        s->defects[RIA_GEN_DUPLICATE]++;
        return;
    }
    int kind = classify(f, nf, start_day, &count);
    const char *problem = NULL;
    if (count > 1 || kind == -2)
        problem = "more than one defect";
    else if (kind >= 0)
        s->defects[kind]++;
    else {
        s->clean++;
        problem = check_clean(f, start_day);
    }
    ria_gen_outcome out = kind >= 0 ? ria_gen_defect_outcome((ria_gen_defect)kind) : RIA_GEN_FIX;
    if (!problem && (out == RIA_GEN_FLAG || out == RIA_GEN_FIX) && !accept(s, f))
        problem = "accepted row does not parse";
    if (problem && !s->problem) {
        s->problem = problem;
        s->problem_line = s->rows + 1;
    }
}

/* Re-scans CSV text (header first). */
static void rescan(const ria_buf *b, int64_t start_day, scan *s)
{
    memset(s, 0, sizeof *s);
    hashset lines = {calloc(1u << 22, sizeof(uint64_t)), (1u << 22) - 1};
    const char *p = b->data, *end = b->data + b->len;
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    for (p = nl ? nl + 1 : end; p < end; p = nl + 1) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        scan_row(s, &lines, p, (size_t)(nl - p), start_day);
    }
    free(lines.slots);
}

/* -------------------------------------------------------------------- tests */

TEST(gen_header_and_exact_row_counts)
{
    const uint64_t counts[] = {0,
                               1,
                               100,
                               RIA_GEN_BLOCK_ROWS - 1,
                               RIA_GEN_BLOCK_ROWS,
                               RIA_GEN_BLOCK_ROWS + 1,
                               2 * RIA_GEN_BLOCK_ROWS + 37};
    for (size_t i = 0; i < RIA_ARRAY_LEN(counts); i++) {
        for (int threads = 1; threads <= 3; threads += 2) {
            ria_buf b;
            ria_gen_truth t;
            CHECK_OK(gen_mem(counts[i], 7, 0.1, threads, &b, &t));
            CHECK_EQ_INT(count_lines(&b), counts[i] + 1);
            CHECK_EQ_INT(t.rows, counts[i]);
            CHECK(b.len > 0 && b.data[b.len - 1] == '\n');
            const char *hdr = RIA_GEN_HEADER "\n";
            CHECK(b.len >= strlen(hdr) && memcmp(b.data, hdr, strlen(hdr)) == 0);
            ria_buf_free(&b);
        }
    }
}

TEST(gen_deterministic_across_runs_and_threads)
{
    ria_buf a, b, c, d;
    uint64_t rows = 3 * RIA_GEN_BLOCK_ROWS + 555;
    CHECK_OK(gen_mem(rows, 99, 0.05, 1, &a, NULL));
    CHECK_OK(gen_mem(rows, 99, 0.05, 1, &b, NULL));
    CHECK_OK(gen_mem(rows, 99, 0.05, 2, &c, NULL));
    CHECK_OK(gen_mem(rows, 99, 0.05, 4, &d, NULL));
    CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    CHECK(a.len == c.len && memcmp(a.data, c.data, a.len) == 0);
    CHECK(a.len == d.len && memcmp(a.data, d.data, a.len) == 0);
    ria_buf e;
    CHECK_OK(gen_mem(rows, 100, 0.05, 2, &e, NULL));
    CHECK(a.len != e.len || memcmp(a.data, e.data, a.len) != 0);
    /* Rows of the first block do not depend on how many rows follow. */
    ria_buf f;
    CHECK_OK(gen_mem(RIA_GEN_BLOCK_ROWS, 99, 0.05, 1, &f, NULL));
    CHECK(f.len < a.len);
    ria_buf_free(&a);
    ria_buf_free(&b);
    ria_buf_free(&c);
    ria_buf_free(&d);
    ria_buf_free(&e);
    ria_buf_free(&f);
}

TEST(gen_clean_rows_parse_and_add_up)
{
    ria_buf b;
    ria_gen_truth t;
    CHECK_OK(gen_mem(50000, 3, 0, 2, &b, &t));
    scan s;
    rescan(&b, ria_days_from_civil(2022, 1, 1), &s);
    CHECK_MSG(!s.problem, "row %zu: %s", s.problem_line, s.problem);
    CHECK_EQ_INT(s.rows, 50000);
    CHECK_EQ_INT(s.clean, 50000);
    CHECK_EQ_INT(t.clean_rows, 50000);
    CHECK_EQ_INT(t.accepted_rows, 50000);
    CHECK_EQ_INT(s.accepted_cents, t.accepted_cents);
    CHECK_EQ_INT(s.accepted_quantity, t.accepted_quantity);
    CHECK(s.longest < 300);
    CHECK(memchr(b.data, '"', b.len) == NULL && memchr(b.data, '$', b.len) == NULL);
    ria_buf_free(&b);
}

TEST(gen_truth_matches_rescan)
{
    ria_buf b;
    ria_gen_truth t;
    CHECK_OK(gen_mem(60000, 11, 0.1, 2, &b, &t));
    scan s;
    rescan(&b, ria_days_from_civil(2022, 1, 1), &s);
    CHECK_MSG(!s.problem, "row %zu: %s", s.problem_line, s.problem);
    CHECK_EQ_INT(s.rows, t.rows);
    CHECK_EQ_INT(s.clean, t.clean_rows);
    uint64_t sum = t.clean_rows;
    for (int k = 0; k < RIA_GEN_DEFECT_COUNT; k++) {
        CHECK_MSG(s.defects[k] == t.defects[k], "%s: found %llu, truth %llu",
                  ria_gen_defect_name((ria_gen_defect)k), (unsigned long long)s.defects[k],
                  (unsigned long long)t.defects[k]);
        CHECK_MSG(t.defects[k] > 0, "no %s rows", ria_gen_defect_name((ria_gen_defect)k));
        sum += t.defects[k];
    }
    CHECK_EQ_INT(sum, t.rows);
    CHECK_EQ_INT(s.accepted_rows, t.accepted_rows);
    CHECK_EQ_INT(s.accepted_quantity, t.accepted_quantity);
    CHECK_EQ_INT(s.accepted_cents, t.accepted_cents);
    CHECK(t.currency_amounts > 0 && t.quoted_cities > 0);
    CHECK(s.longest < 300);
    ria_buf_free(&b);
}

TEST(gen_dirty_rate_close_to_requested)
{
    const double rates[] = {0.01, 0.1, 0.5, 1.0};
    for (size_t i = 0; i < RIA_ARRAY_LEN(rates); i++) {
        ria_buf b;
        ria_gen_truth t;
        CHECK_OK(gen_mem(40000, 5, rates[i], 2, &b, &t));
        double dirty = (double)(t.rows - t.clean_rows) / (double)t.rows;
        CHECK_MSG(dirty > rates[i] * 0.9 - 0.003 && dirty < rates[i] * 1.1 + 0.003,
                  "rate %g: measured %g", rates[i], dirty);
        /* Every kind appears about equally often (when there are clean rows
         * for duplicates to copy). */
        double per_kind = (double)(t.rows - t.clean_rows) / RIA_GEN_DEFECT_COUNT;
        for (int k = 0; k < RIA_GEN_DEFECT_COUNT && per_kind > 1000 && rates[i] < 1; k++)
            CHECK_MSG(t.defects[k] > per_kind * 0.85 && t.defects[k] < per_kind * 1.15,
                      "%s: %llu, expected about %.0f", ria_gen_defect_name((ria_gen_defect)k),
                      (unsigned long long)t.defects[k], per_kind);
        ria_buf_free(&b);
    }
}

TEST(gen_distributions)
{
    ria_buf b;
    CHECK_OK(gen_mem(100000, 21, 0, 2, &b, NULL));
    uint64_t rows = 0, electronics = 0, ca = 0, delivered = 0, nov_dec = 0, y[3] = {0};
    const char *p = (const char *)memchr(b.data, '\n', b.len) + 1, *end = b.data + b.len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        ria_slice f[RIA_GEN_FIELDS];
        CHECK_EQ_INT(split(p, (size_t)(nl - p), f, RIA_GEN_FIELDS), RIA_GEN_FIELDS);
        rows++;
        electronics += eq(f[C_CAT], "Electronics");
        ca += eq(f[C_STATE], "CA");
        delivered += eq(f[C_STATUS], "Delivered");
        nov_dec += f[C_DATE].p[5] == '1' && f[C_DATE].p[6] >= '1';
        int year = (f[C_DATE].p[3] - '0') - 2;
        if (year >= 0 && year < 3)
            y[year]++;
        p = nl + 1;
    }
    CHECK(fabs((double)electronics / rows - 0.18) < 0.01);
    CHECK(fabs((double)ca / rows - 12.0 / 79) < 0.01);
    CHECK(fabs((double)delivered / rows - 0.78) < 0.015);
    /* Two months of twelve, weighted 1.6: about 24% of rows. */
    CHECK((double)nov_dec / rows > 0.22 && (double)nov_dec / rows < 0.27);
    /* Growth: each year larger than the one before. */
    CHECK(y[0] < y[1] && y[1] < y[2]);
    ria_buf_free(&b);
}

static int sink_calls;
static ria_status failing_sink(void *ctx, const char *p, size_t n, ria_error *err)
{
    (void)p;
    (void)n;
    if (++sink_calls < 3)
        return RIA_OK;
    return *(ria_status *)ctx == RIA_ECANCELLED ? RIA_ECANCELLED
                                                : ria_fail(err, RIA_EIO, "disk full");
}

TEST(gen_sink_errors_stop_the_run)
{
    ria_gen_options o;
    ria_gen_options_default(&o);
    o.rows = 20 * RIA_GEN_BLOCK_ROWS;
    const ria_status kinds[] = {RIA_EIO, RIA_ECANCELLED};
    for (size_t i = 0; i < RIA_ARRAY_LEN(kinds); i++) {
        for (int threads = 1; threads <= 2; threads++) {
            ria_error err = {0};
            ria_gen_truth t;
            ria_status want = kinds[i];
            o.threads = threads;
            sink_calls = 0;
            CHECK_EQ_INT(ria_gen_run(&o, failing_sink, &want, &t, &err), want);
            CHECK_EQ_INT(sink_calls, 3);
            CHECK_EQ_INT(t.rows, RIA_GEN_BLOCK_ROWS); /* header + one block written */
        }
    }
}

TEST(gen_options_checked)
{
    ria_gen_options o;
    ria_error err = {0};
    ria_gen_options_default(&o);
    CHECK_EQ_INT(ria_gen_options_check(&o, &err), RIA_OK);
    CHECK_EQ_INT(o.rows, 1000000);
    CHECK_EQ_INT(o.seed, 42);
    CHECK_EQ_INT(o.years, 3);
    CHECK_EQ_INT(o.start, ria_days_from_civil(2022, 1, 1));
    o.dirty = 1.5;
    CHECK_EQ_INT(ria_gen_options_check(&o, &err), RIA_EINVAL);
    o.dirty = 0;
    o.years = 0;
    CHECK_EQ_INT(ria_gen_options_check(&o, &err), RIA_EINVAL);
    o.years = 3;
    o.start = ria_days_from_civil(1200, 1, 1);
    CHECK_EQ_INT(ria_gen_options_check(&o, &err), RIA_EINVAL);
    for (int k = 0; k < RIA_GEN_DEFECT_COUNT; k++)
        CHECK(strcmp(ria_gen_defect_name((ria_gen_defect)k), "unknown") != 0);
    CHECK_EQ_STR(ria_gen_defect_name(RIA_GEN_AMOUNT_CEILING), "amount_above_ceiling");
    CHECK_EQ_INT(ria_gen_defect_outcome(RIA_GEN_OLD_DATE), RIA_GEN_FLAG);
    CHECK_EQ_INT(ria_gen_defect_outcome(RIA_GEN_DUPLICATE), RIA_GEN_DEDUPE);
}

TEST(gen_truth_json_shape)
{
    ria_buf b, j;
    ria_gen_truth t;
    ria_gen_options o;
    ria_gen_options_default(&o);
    o.dirty = 0.05;
    o.seed = 8;
    CHECK_OK(gen_mem(20000, 8, 0.05, 2, &b, &t));
    ria_buf_init(&j, 0);
    CHECK_OK(ria_gen_truth_json(&o, &t, &j));
    json_error_t jerr;
    json_t *root = json_loadb(j.data, j.len, 0, &jerr);
    CHECK_MSG(root, "truth JSON: %s", jerr.text);
    CHECK_EQ_INT(json_integer_value(json_object_get(root, "rows")), 20000);
    CHECK_EQ_INT(json_integer_value(json_object_get(root, "seed")), 8);
    CHECK(json_real_value(json_object_get(root, "dirty")) == 0.05);
    json_t *defects = json_object_get(root, "defects");
    CHECK(json_is_object(defects));
    CHECK_EQ_INT(json_object_size(defects), RIA_GEN_DEFECT_COUNT - 1);
    CHECK_EQ_INT(json_integer_value(json_object_get(defects, "bad_ship_date")),
                 t.defects[RIA_GEN_BAD_SHIP_DATE]);
    CHECK_EQ_INT(json_integer_value(json_object_get(root, "duplicates")),
                 t.defects[RIA_GEN_DUPLICATE]);
    CHECK_EQ_INT(json_integer_value(json_object_get(root, "clean_rows")), t.clean_rows);
    CHECK_EQ_INT(json_integer_value(json_object_get(root, "accepted_rows")), t.accepted_rows);
    CHECK_EQ_INT(json_integer_value(json_object_get(root, "accepted_quantity")),
                 t.accepted_quantity);
    const char *amount = json_string_value(json_object_get(root, "accepted_amount"));
    CHECK(amount != NULL);
    int64_t v;
    CHECK(ria_parse_decimal(amount, strlen(amount), &v) == RIA_NUM_OK);
    CHECK_EQ_INT(v / 100, t.accepted_cents);
    CHECK(strchr(amount, '.') && strlen(strchr(amount, '.')) == 3);
    json_decref(root);
    ria_buf_free(&j);
    ria_buf_free(&b);
}

TEST(gen_model_tables)
{
    for (int i = 0; gen_categories[i].weight; i++) {
        const gen_category *c = &gen_categories[i];
        CHECK(fabs(c->log_ratio - log((double)c->price_hi / c->price_lo)) < 1e-12);
    }
    int weights = 0;
    for (int i = 0; gen_states[i].weight; i++) {
        weights += gen_states[i].weight;
        CHECK(gen_states[i].code.n == 2 && gen_states[i].ncity >= 2);
    }
    CHECK_EQ_INT(weights, 79);
    ria_gen_options o;
    ria_gen_options_default(&o);
    gen_model m;
    CHECK_OK(gen_model_init(&m, &o, NULL));
    CHECK_EQ_INT(m.lut_total[GEN_LUT_STATE], 79);
    for (int k = GEN_LUT_CATEGORY; k < GEN_LUT_COUNT; k++)
        CHECK_EQ_INT(m.lut_total[k], 100);
    CHECK_EQ_INT(m.customers, 125000);
    CHECK_EQ_INT(m.last_year, 2024);
    CHECK_EQ_INT(m.old_years, 15);
    gen_model_free(&m);
}

TEST(gen_defect_names_are_ingest_rules)
{
    static const ria_outcome outcome[] = {[RIA_GEN_REJECT] = RIA_OUTCOME_REJECT,
                                          [RIA_GEN_FLAG] = RIA_OUTCOME_FLAG,
                                          [RIA_GEN_FIX] = RIA_OUTCOME_FIX};
    for (int k = 0; k < RIA_GEN_DEFECT_COUNT; k++) {
        const gen_defect_row *d = &gen_defects[k];
        CHECK_EQ_STR(ria_gen_defect_name((ria_gen_defect)k), d->name);
        if (d->outcome == RIA_GEN_DEDUPE) {
            CHECK_EQ_INT(d->rule, RIA_RULE_COUNT);
            continue;
        }
        const ria_rule_info *r = ria_rule_get((ria_rule)d->rule);
        CHECK(r != NULL);
        CHECK_EQ_STR(r->name, d->name);
        CHECK_EQ_INT(r->outcome, outcome[d->outcome]);
    }
}
