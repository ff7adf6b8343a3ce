/*
 * plan.c — how a file maps onto the store: headers to roles (SEMANTICS.md
 * synonyms), junk columns dropped, types inferred for the other columns from
 * a sample of records, date layouts detected once per file, and derived
 * columns (region from state, amount from quantity x price).
 */
#include "ingest_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Normalized header synonyms per role, best first (SEMANTICS.md). */
static const struct {
    ria_role role;
    const char *names[9];
} synonyms[] = {
    {RIA_ROLE_ORDER_ID, {"orderid", "order", "orderno", "ordernumber", "invoiceno", "invoice",
                         "invoiceid", "transactionid"}},
    {RIA_ROLE_LINE_ID, {"lineid", "rowid", "lineno", "linenumber", "index"}},
    {RIA_ROLE_ORDER_DATE, {"orderdate", "date", "orderdatetime", "invoicedate", "transactiondate",
                           "purchasedate", "orderts"}},
    {RIA_ROLE_SHIP_DATE, {"shipdate", "shippingdate", "shippeddate"}},
    {RIA_ROLE_STATUS, {"status", "orderstatus"}},
    {RIA_ROLE_CHANNEL, {"channel", "saleschannel", "fulfilment", "fulfillment"}},
    {RIA_ROLE_CATEGORY, {"category", "productcategory", "dept", "department"}},
    {RIA_ROLE_SUB_CATEGORY, {"subcategory", "productsubcategory", "subcat"}},
    {RIA_ROLE_SKU, {"sku", "productid", "stockcode", "asin", "itemid", "productcode"}},
    {RIA_ROLE_PRODUCT_NAME, {"productname", "product", "description", "itemname"}},
    {RIA_ROLE_QUANTITY, {"quantity", "qty", "units", "unitssold"}},
    {RIA_ROLE_UNIT_PRICE, {"unitprice", "price"}},
    {RIA_ROLE_DISCOUNT, {"discount", "discountpct"}},
    {RIA_ROLE_AMOUNT, {"amount", "sales", "revenue", "netsales", "total", "totalamount",
                       "saleamount", "linetotal"}},
    {RIA_ROLE_COST, {"cost", "cogs", "costofgoods"}},
    {RIA_ROLE_PROFIT, {"profit", "grossprofit"}},
    {RIA_ROLE_CUSTOMER_ID, {"customerid", "customer", "clientid"}},
    {RIA_ROLE_SEGMENT, {"segment", "customersegment"}},
    {RIA_ROLE_CITY, {"city", "shipcity"}},
    {RIA_ROLE_STATE, {"state", "shipstate", "province", "statecode"}},
    {RIA_ROLE_POSTAL_CODE, {"postalcode", "zip", "zipcode", "shippostalcode"}},
    {RIA_ROLE_REGION, {"region"}},
    {RIA_ROLE_COUNTRY, {"country", "shipcountry"}},
    {RIA_ROLE_CURRENCY, {"currency"}},
};

ria_role role_for_header(const char *header, size_t n, int *out_rank)
{
    char norm[128];
    ria_normalize_name(header, n, norm, sizeof norm);
    for (size_t i = 0; i < RIA_ARRAY_LEN(synonyms); i++)
        for (int k = 0; k < 9 && synonyms[i].names[k]; k++)
            if (strcmp(norm, synonyms[i].names[k]) == 0) {
                if (out_rank)
                    *out_rank = k;
                return synonyms[i].role;
            }
    return RIA_ROLE_NONE;
}

/* The type a role's column always has (text roles decide dict/heap later). */
static ria_type role_type(ria_role r)
{
    switch (r) {
    case RIA_ROLE_ORDER_DATE: return RIA_T_TIMESTAMP;
    case RIA_ROLE_SHIP_DATE: return RIA_T_DATE;
    case RIA_ROLE_QUANTITY: return RIA_T_INT;
    case RIA_ROLE_UNIT_PRICE:
    case RIA_ROLE_DISCOUNT:
    case RIA_ROLE_AMOUNT:
    case RIA_ROLE_COST:
    case RIA_ROLE_PROFIT: return RIA_T_DECIMAL;
    default: return RIA_T_TEXT;
    }
}

static bool is_junk_header(ria_slice h)
{
    if (h.n == 0)
        return true;
    char norm[128];
    ria_normalize_name(h.p, h.n, norm, sizeof norm);
    return strncmp(norm, "unnamed", 7) == 0;
}

static ria_slice sample_field(const src_record *r, int f)
{
    if (r->error || f < 0 || f >= r->nfields)
        return (ria_slice){"", 0};
    return ria_trim(r->fields[f].p, r->fields[f].n);
}

/* Picks the date layout that parses the most sample values (ties go to the
 * earlier layout, so month/day wins over day/month when nothing decides). */
static ria_date_format detect_date(const src_record *sample, size_t n, int f, bool *ambiguous,
                                   bool *has_time, size_t *nvalues)
{
    size_t score[RIA_DATE_FORMAT_COUNT] = {0}, seen = 0;
    *has_time = false;
    for (size_t i = 0; i < n; i++) {
        ria_slice s = sample_field(&sample[i], f);
        if (!s.n)
            continue;
        seen++;
        for (int k = 1; k < RIA_DATE_FORMAT_COUNT; k++) {
            int64_t v;
            bool ht;
            if (ria_parse_date(s.p, s.n, (ria_date_format)k, &v, &ht) == 1) {
                score[k]++;
                if (ht)
                    *has_time = true;
            }
        }
    }
    int best = RIA_DATE_UNKNOWN;
    for (int k = 1; k < RIA_DATE_FORMAT_COUNT; k++)
        if (score[k] > (best ? score[best] : 0))
            best = k;
    *ambiguous = best == RIA_DATE_MDY_SLASH && score[RIA_DATE_DMY_SLASH] == score[best];
    *ambiguous |= best == RIA_DATE_MDY_DASH && score[RIA_DATE_DMY_DASH] == score[best];
    *nvalues = seen;
    return best ? (ria_date_format)best : RIA_DATE_ISO;
}

/* Type of a column without a role, from its sample values. */
static ria_type infer_type(const src_record *sample, size_t n, int f, ria_date_format *fmt)
{
    size_t seen = 0, ints = 0, decs = 0;
    bool leading_zero = false;
    for (size_t i = 0; i < n; i++) {
        ria_slice s = sample_field(&sample[i], f);
        if (!s.n)
            continue;
        seen++;
        int64_t v;
        if (ria_parse_int(s.p, s.n, &v) == RIA_NUM_OK)
            ints++;
        if (ria_parse_decimal(s.p, s.n, &v) == RIA_NUM_OK)
            decs++;
        if (s.n > 1 && s.p[0] == '0' && s.p[1] >= '0' && s.p[1] <= '9')
            leading_zero = true;
    }
    *fmt = RIA_DATE_UNKNOWN;
    if (!seen)
        return RIA_T_TEXT;
    if (ints == seen && !leading_zero)
        return RIA_T_INT;
    if (decs == seen && !leading_zero)
        return RIA_T_DECIMAL;
    bool amb, ht;
    size_t nv;
    ria_date_format df = detect_date(sample, n, f, &amb, &ht, &nv);
    size_t ok = 0;
    for (size_t i = 0; i < n; i++) {
        ria_slice s = sample_field(&sample[i], f);
        int64_t v;
        bool t;
        if (s.n && ria_parse_date(s.p, s.n, df, &v, &t) == 1)
            ok++;
    }
    if (ok == seen) {
        *fmt = df;
        return ht ? RIA_T_TIMESTAMP : RIA_T_DATE;
    }
    return RIA_T_TEXT;
}

/* Dictionary-code a text column unless its values look like ids. */
static bool want_dict(const src_record *sample, size_t n, int f, ria_role role)
{
    if (role == RIA_ROLE_ORDER_ID || role == RIA_ROLE_LINE_ID)
        return false;
    ria_strmap seen;
    ria_strmap_init(&seen);
    size_t values = 0;
    for (size_t i = 0; i < n; i++) {
        ria_slice s = sample_field(&sample[i], f);
        if (!s.n)
            continue;
        values++;
        ria_strmap_put(&seen, s.p, s.n, 0, NULL);
    }
    size_t distinct = ria_strmap_count(&seen);
    ria_strmap_free(&seen);
    return distinct <= 65536 && (values < 1000 || distinct * 2 <= values);
}

static void note(json_t *notes, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(json_t *notes, const char *fmt, ...)
{
    if (!notes)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_array_append_new(notes, json_string(buf));
}

static ria_status push_col(file_plan *p, uint32_t col, int field, const ria_column *c,
                           ria_date_format fmt)
{
    plan_col *pc = realloc(p->cols, (size_t)(p->ncols + 1) * sizeof *pc);
    if (!pc)
        return RIA_ENOMEM;
    p->cols = pc;
    p->cols[p->ncols++] = (plan_col){col, field, c->type, c->kind, c->role, fmt};
    return RIA_OK;
}

/* Finds or creates the store column for a role or an extra field. */
static ria_status resolve_col(ria_txn *tx, const char *name, const char *label, ria_role role,
                              ria_type type, bool dict, uint32_t *out, ria_error *err)
{
    for (int i = 0; i < ria_txn_ncols(tx); i++) {
        const ria_column *c = ria_txn_col(tx, (uint32_t)i);
        if (strcmp(c->name, name) == 0) {
            if (c->role != role)
                continue;
            *out = c->id;
            return RIA_OK;
        }
    }
    char unique[64];
    snprintf(unique, sizeof unique, "%s", name);
    for (int k = 2; k < 100; k++) {
        bool taken = false;
        for (int i = 0; i < ria_txn_ncols(tx); i++)
            if (strcmp(ria_txn_col(tx, (uint32_t)i)->name, unique) == 0)
                taken = true;
        if (!taken)
            break;
        snprintf(unique, sizeof unique, "%.56s_%d", name, k);
    }
    return ria_txn_add_column(tx, unique, label, role, type, ria_kind_of_type(type, dict), out, err);
}

/* Share of sample values in field f that are US states (codes or names). */
static double us_state_share(const src_record *sample, size_t n, int f)
{
    size_t seen = 0, us = 0;
    for (size_t i = 0; i < n; i++) {
        ria_slice s = sample_field(&sample[i], f);
        if (!s.n)
            continue;
        seen++;
        if (ria_us_state_find(s.p, s.n, NULL) >= 0)
            us++;
    }
    return seen ? (double)us / (double)seen : 0.0;
}

static bool country_is_us(const src_record *sample, size_t n, int f)
{
    size_t seen = 0, us = 0;
    for (size_t i = 0; i < n; i++) {
        ria_slice s = sample_field(&sample[i], f);
        if (!s.n)
            continue;
        seen++;
        if (ria_slice_ieq(s, "US") || ria_slice_ieq(s, "USA") || ria_slice_ieq(s, "United States") ||
            ria_slice_ieq(s, "United States of America"))
            us++;
    }
    return seen && us * 10 >= seen * 9;
}

/* Maps header fields to roles (best synonym wins) and marks junk fields. */
static void map_roles(file_plan *p, const src_record *header, json_t *notes)
{
    int rank[RIA_ROLE_COUNT];
    for (int r = 0; r < RIA_ROLE_COUNT; r++) {
        p->role_field[r] = NO_FIELD;
        p->role_col[r] = NO_COL;
        rank[r] = 1000;
    }
    for (int f = 0; f < header->nfields; f++) {
        ria_slice h = ria_trim(header->fields[f].p, header->fields[f].n);
        if (is_junk_header(h)) {
            if (p->nignored < (int)RIA_ARRAY_LEN(p->ignored))
                p->ignored[p->nignored++] = f;
            note(notes, "ignored column %d '%.*s' (no usable header)", f + 1, (int)h.n, h.p);
            continue;
        }
        int k;
        ria_role r = role_for_header(h.p, h.n, &k);
        if (r != RIA_ROLE_NONE && k < rank[r]) {
            rank[r] = k;
            p->role_field[r] = f;
        }
    }
}

static bool ignored(const file_plan *p, int f)
{
    for (int i = 0; i < p->nignored; i++)
        if (p->ignored[i] == f)
            return true;
    return false;
}

/* Adds the role columns present in the file (and derived ones). */
static ria_status plan_roles(ria_txn *tx, file_plan *p, const src_record *header,
                             const src_record *sample, size_t ns, json_t *notes, ria_error *err)
{
    ria_status rc;
    for (int r = 1; r < RIA_ROLE_COUNT; r++) {
        int f = p->role_field[r];
        bool derived = (r == RIA_ROLE_REGION && p->derive_region) ||
                       (r == RIA_ROLE_AMOUNT && p->derive_amount);
        if (f == NO_FIELD && !derived)
            continue;
        ria_type t = role_type((ria_role)r);
        ria_date_format fmt = RIA_DATE_UNKNOWN;
        if (r == RIA_ROLE_LINE_ID) {
            ria_date_format unused;
            t = infer_type(sample, ns, f, &unused) == RIA_T_INT ? RIA_T_INT : RIA_T_TEXT;
        }
        if (r == RIA_ROLE_ORDER_DATE)
            fmt = p->order_fmt;
        if (r == RIA_ROLE_SHIP_DATE)
            fmt = p->ship_fmt;
        bool dict = derived || want_dict(sample, ns, f, (ria_role)r);
        char label[128];
        if (derived)
            snprintf(label, sizeof label, "%s (derived)", ria_role_name((ria_role)r));
        else
            snprintf(label, sizeof label, "%.*s", (int)RIA_MIN(ria_trim(header->fields[f].p, header->fields[f].n).n, 127),
                     ria_trim(header->fields[f].p, header->fields[f].n).p);
        uint32_t col;
        if ((rc = resolve_col(tx, ria_role_name((ria_role)r), label, (ria_role)r, t, dict, &col,
                              err)) != RIA_OK)
            return rc;
        const ria_column *c = ria_txn_col(tx, col);
        p->role_col[r] = col;
        if ((rc = push_col(p, col, f, c, fmt)) != RIA_OK)
            return ria_fail(err, rc, "out of memory");
        if (!derived)
            note(notes, "'%s' -> %s", label, c->name);
    }
    return RIA_OK;
}

/* Adds the columns without a role, by their own (snake_case) names. */
static ria_status plan_extras(ria_txn *tx, file_plan *p, const src_record *header,
                              const src_record *sample, size_t ns, json_t *notes, ria_error *err)
{
    for (int f = 0; f < header->nfields; f++) {
        bool is_role = false;
        for (int r = 1; r < RIA_ROLE_COUNT; r++)
            if (p->role_field[r] == f)
                is_role = true;
        if (is_role || ignored(p, f))
            continue;
        ria_slice h = ria_trim(header->fields[f].p, header->fields[f].n);
        char label[128], name[64];
        snprintf(label, sizeof label, "%.*s", (int)RIA_MIN(h.n, 127), h.p);
        ria_snake_name(h.p, h.n, name, sizeof name);
        if (!name[0])
            snprintf(name, sizeof name, "column_%d", f + 1);
        ria_date_format fmt;
        ria_type t = infer_type(sample, ns, f, &fmt);
        uint32_t col;
        ria_status rc = resolve_col(tx, name, label, RIA_ROLE_NONE, t,
                                    t == RIA_T_TEXT && want_dict(sample, ns, f, RIA_ROLE_NONE),
                                    &col, err);
        if (rc != RIA_OK)
            return rc;
        const ria_column *c = ria_txn_col(tx, col);
        if (c->type == RIA_T_DATE || c->type == RIA_T_TIMESTAMP) {
            bool amb, ht;
            size_t nv;
            fmt = detect_date(sample, ns, f, &amb, &ht, &nv);
        }
        if ((rc = push_col(p, col, f, c, fmt)) != RIA_OK)
            return ria_fail(err, rc, "out of memory");
        note(notes, "'%s' -> %s (%s)", label, c->name, ria_type_name(c->type));
    }
    return RIA_OK;
}

static int cmp_plan_col(const void *a, const void *b)
{
    const plan_col *x = a, *y = b;
    return (x->col > y->col) - (x->col < y->col);
}

static ria_status plan_key(ria_txn *tx, file_plan *p, const char *key, ria_error *err)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", key);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        ria_slice t = ria_trim(tok, strlen(tok));
        uint32_t col = NO_COL;
        for (int i = 0; i < ria_txn_ncols(tx); i++) {
            const ria_column *c = ria_txn_col(tx, (uint32_t)i);
            if (ria_slice_ieq(t, c->name) || ria_slice_ieq(t, c->label))
                col = c->id;
        }
        bool in_file = false;
        for (int i = 0; i < p->ncols; i++)
            if (p->cols[i].col == col)
                in_file = true;
        if (col == NO_COL || !in_file)
            return ria_fail(err, RIA_EINVAL, "%s: upsert key column '%.*s' is not in the file",
                            p->name, (int)t.n, t.p);
        if (p->nkey == (int)RIA_ARRAY_LEN(p->key_cols))
            return ria_fail(err, RIA_ELIMIT, "upsert key has too many columns");
        p->key_cols[p->nkey++] = col;
    }
    if (!p->nkey)
        return ria_fail(err, RIA_EINVAL, "upsert needs --key with at least one column");
    p->upsert = true;
    return RIA_OK;
}

static ria_status check_required(const file_plan *p, ria_error *err)
{
    if (p->role_field[RIA_ROLE_ORDER_ID] == NO_FIELD)
        return ria_fail(err, RIA_EINVAL,
                        "%s: no order id column (looked for a header such as Order ID, Invoice "
                        "No or Transaction ID)",
                        p->name);
    if (p->role_field[RIA_ROLE_ORDER_DATE] == NO_FIELD)
        return ria_fail(err, RIA_EINVAL,
                        "%s: no order date column (looked for a header such as Order Date, Date "
                        "or Invoice Date)",
                        p->name);
    if (p->role_field[RIA_ROLE_AMOUNT] == NO_FIELD && !p->derive_amount)
        return ria_fail(err, RIA_EINVAL,
                        "%s: no amount column (Amount, Sales, Revenue, Total ...) and no quantity "
                        "and unit price to derive it from",
                        p->name);
    return RIA_OK;
}

/* Decides derived columns and value conventions from the sample. */
static void plan_conventions(ria_txn *tx, file_plan *p, const src_record *sample, size_t ns,
                             json_t *notes)
{
    int sf = p->role_field[RIA_ROLE_STATE], cf = p->role_field[RIA_ROLE_COUNTRY];
    p->us_states = sf != NO_FIELD && us_state_share(sample, ns, sf) >= 0.8;
    p->us_postal = cf != NO_FIELD ? country_is_us(sample, ns, cf) : p->us_states;
    if (p->us_states && p->role_field[RIA_ROLE_REGION] == NO_FIELD) {
        const ria_column *have = NULL;
        for (int i = 0; i < ria_txn_ncols(tx); i++)
            if (ria_txn_col(tx, (uint32_t)i)->role == RIA_ROLE_REGION)
                have = ria_txn_col(tx, (uint32_t)i);
        p->derive_region = !have || strstr(have->label, "(derived)") != NULL;
        if (p->derive_region)
            note(notes, "region derived from state (US Census regions)");
    }
    p->derive_amount = p->role_field[RIA_ROLE_AMOUNT] == NO_FIELD &&
                       p->role_field[RIA_ROLE_QUANTITY] != NO_FIELD &&
                       p->role_field[RIA_ROLE_UNIT_PRICE] != NO_FIELD;
    if (p->derive_amount)
        note(notes, "amount derived as quantity x unit price%s",
             p->role_field[RIA_ROLE_DISCOUNT] != NO_FIELD ? " x (1 - discount)" : "");
}

static void plan_dates(file_plan *p, const src_record *sample, size_t ns, json_t *notes)
{
    bool amb, ht;
    size_t nv;
    p->order_fmt = detect_date(sample, ns, p->role_field[RIA_ROLE_ORDER_DATE], &amb, &ht, &nv);
    p->order_fmt_ambiguous = amb;
    note(notes, "order dates read as %s%s", ria_date_format_name(p->order_fmt),
         amb ? " (day and month could not be told apart; assumed month first)" : "");
    if (p->role_field[RIA_ROLE_SHIP_DATE] != NO_FIELD) {
        p->ship_fmt = detect_date(sample, ns, p->role_field[RIA_ROLE_SHIP_DATE], &amb, &ht, &nv);
        if (nv == 0)
            p->ship_fmt = p->order_fmt;
    }
}

ria_status plan_build(ria_txn *tx, const char *name, const src_record *header,
                      const src_record *sample, size_t ns, const plan_opts *opts,
                      file_plan *p, void *notes_v, ria_error *err)
{
    json_t *notes = notes_v;
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->nfields = header->nfields;
    p->max_amount = opts->max_amount;
    int64_t today = ria_floor_div(ria_wall_time(), RIA_SECS_PER_DAY);
    p->future_limit = (today + 2) * RIA_SECS_PER_DAY - 1; /* end of tomorrow */
    map_roles(p, header, notes);
    plan_conventions(tx, p, sample, ns, notes);
    ria_status rc = check_required(p, err);
    if (rc != RIA_OK)
        return rc;
    plan_dates(p, sample, ns, notes);
    if ((rc = plan_roles(tx, p, header, sample, ns, notes, err)) != RIA_OK)
        goto done;
    if ((rc = plan_extras(tx, p, header, sample, ns, notes, err)) != RIA_OK)
        goto done;
    qsort(p->cols, (size_t)p->ncols, sizeof *p->cols, cmp_plan_col);
    if (opts->key && (rc = plan_key(tx, p, opts->key, err)) != RIA_OK)
        goto done;
    p->ncols_store = (uint32_t)ria_txn_ncols(tx);
done:
    if (rc != RIA_OK)
        plan_free(p);
    return rc;
}

void plan_free(file_plan *p)
{
    if (!p)
        return;
    free(p->cols);
    p->cols = NULL;
    p->ncols = 0;
}
