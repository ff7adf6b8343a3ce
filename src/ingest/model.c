/*
 * model.c — the semantic model saved with each commit: columns with roles,
 * the values of every low-cardinality dimension, metric definitions, status
 * classes and region groups, inferred from the data (SEMANTICS.md).
 *
 * The user may edit model.json.  Each commit merges three versions — the
 * model the previous commit wrote (base), model.json as the user left it
 * (mine) and the newly inferred one (theirs) — key by key: what the user
 * changed wins, what only the data changed follows the data.
 */
#include "load_internal.h"

#include <stdlib.h>
#include <string.h>

/* Dimensions with at most this many values list them in the model. */
#define MODEL_MAX_VALUES 5000

static const struct {
    ria_role role;
    const char *words;
} role_words[] = {
    {RIA_ROLE_ORDER_ID, "order id, order, invoice, transaction"},
    {RIA_ROLE_ORDER_DATE, "date, order date, day, month, quarter, year"},
    {RIA_ROLE_SHIP_DATE, "ship date, shipping date"},
    {RIA_ROLE_STATUS, "status, order status"},
    {RIA_ROLE_CHANNEL, "channel, sales channel"},
    {RIA_ROLE_CATEGORY, "category, product category, department"},
    {RIA_ROLE_SUB_CATEGORY, "sub-category, subcategory, product type"},
    {RIA_ROLE_SKU, "sku, product id, item"},
    {RIA_ROLE_PRODUCT_NAME, "product, product name, item name"},
    {RIA_ROLE_CUSTOMER_ID, "customer, client"},
    {RIA_ROLE_SEGMENT, "segment, customer segment"},
    {RIA_ROLE_CITY, "city"},
    {RIA_ROLE_STATE, "state, province"},
    {RIA_ROLE_POSTAL_CODE, "postal code, zip"},
    {RIA_ROLE_REGION, "region"},
    {RIA_ROLE_COUNTRY, "country"},
    {RIA_ROLE_CURRENCY, "currency"},
};

static json_t *words_array(const char *csv)
{
    json_t *a = json_array();
    const char *p = csv;
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        ria_slice t = ria_trim(p, n);
        json_array_append_new(a, json_stringn(t.p, t.n));
        p = e ? e + 1 : NULL;
    }
    return a;
}

static const char *column_use(const ria_column *c)
{
    switch (c->role) {
    case RIA_ROLE_ORDER_DATE:
    case RIA_ROLE_SHIP_DATE: return "time";
    case RIA_ROLE_ORDER_ID:
    case RIA_ROLE_LINE_ID: return "id";
    case RIA_ROLE_QUANTITY:
    case RIA_ROLE_UNIT_PRICE:
    case RIA_ROLE_DISCOUNT:
    case RIA_ROLE_AMOUNT:
    case RIA_ROLE_COST:
    case RIA_ROLE_PROFIT: return "measure";
    default: break;
    }
    if (c->type == RIA_T_DATE || c->type == RIA_T_TIMESTAMP)
        return "time";
    if (c->type == RIA_T_INT || c->type == RIA_T_DECIMAL)
        return "measure";
    return c->kind == RIA_KIND_CODE ? "dimension" : "attribute";
}

static json_t *column_json(ria_txn *tx, const ria_column *c)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "label", c->label, "role",
                          c->role ? ria_role_name(c->role) : "", "type", ria_type_name(c->type),
                          "use", column_use(c));
    json_t *syn = NULL;
    for (size_t i = 0; i < RIA_ARRAY_LEN(role_words); i++)
        if (role_words[i].role == c->role)
            syn = words_array(role_words[i].words);
    if (!syn)
        syn = json_array();
    if (strcmp(c->label, c->name) != 0)
        json_array_append_new(syn, json_string(c->label));
    json_object_set_new(j, "synonyms", syn);
    if (c->role == RIA_ROLE_AMOUNT || c->role == RIA_ROLE_COST || c->role == RIA_ROLE_PROFIT ||
        c->role == RIA_ROLE_UNIT_PRICE)
        json_object_set_new(j, "unit", json_string("money"));
    if (c->kind == RIA_KIND_CODE) {
        uint32_t n = ria_txn_dict_count(tx, c->id);
        json_object_set_new(j, "distinct", json_integer(n));
        if (n <= MODEL_MAX_VALUES) {
            json_t *vals = json_array();
            for (uint32_t code = 1; code <= n; code++) {
                ria_slice s = ria_txn_dict_str(tx, c->id, code);
                json_array_append_new(vals, json_stringn(s.p, s.n));
            }
            json_object_set_new(j, "values", vals);
        }
    }
    return j;
}

/* cancellation / return / sale, by the words in a status value. */
static const char *status_class(ria_slice s)
{
    char low[256];
    size_t n = RIA_MIN(s.n, sizeof low - 1);
    for (size_t i = 0; i < n; i++)
        low[i] = (char)((s.p[i] >= 'A' && s.p[i] <= 'Z') ? s.p[i] + 32 : s.p[i]);
    low[n] = 0;
    if (strstr(low, "cancel"))
        return "cancellation";
    if (strstr(low, "return") || strstr(low, "refund"))
        return "return";
    return "sale";
}

static const ria_column *role_col(ria_txn *tx, ria_role r)
{
    for (int i = 0; i < ria_txn_ncols(tx); i++)
        if (ria_txn_col(tx, (uint32_t)i)->role == r)
            return ria_txn_col(tx, (uint32_t)i);
    return NULL;
}

static void add_metric(json_t *m, const char *name, const char *words, const char *expr,
                       const char *unit, bool status_filter, const char *definition)
{
    json_object_set_new(m, name,
                        json_pack("{s:o, s:s, s:s, s:b, s:s}", "words", words_array(words), "expr",
                                  expr, "unit", unit, "exclude_cancelled_returned", status_filter,
                                  "definition", definition));
}

/* The metrics of SEMANTICS.md whose columns exist. */
static json_t *metrics_json(ria_txn *tx)
{
    json_t *m = json_object();
    bool amount = role_col(tx, RIA_ROLE_AMOUNT), qty = role_col(tx, RIA_ROLE_QUANTITY);
    bool profit = role_col(tx, RIA_ROLE_PROFIT), cost = role_col(tx, RIA_ROLE_COST);
    bool cust = role_col(tx, RIA_ROLE_CUSTOMER_ID), disc = role_col(tx, RIA_ROLE_DISCOUNT);
    bool status = role_col(tx, RIA_ROLE_STATUS);
    const char *gp = profit ? "sum(profit)" : "sum(amount - cost)";
    if (amount)
        add_metric(m, "revenue", "revenue, sales, turnover, income, takings, gmv", "sum(amount)",
                   "money", true, "sum of amount");
    add_metric(m, "orders", "orders, order count, number of orders, transactions, sales count, number of sales",
               "count(distinct order_id)", "count", true, "count of distinct order ids");
    if (qty)
        add_metric(m, "units", "units, quantity, items sold, units sold, volume", "sum(quantity)",
                   "count", true, "sum of quantity");
    if (amount)
        add_metric(m, "aov", "aov, average order value, avg order, basket size, average basket",
                   "sum(amount) / count(distinct order_id)", "money", true, "revenue / orders");
    if (amount && qty)
        add_metric(m, "asp", "asp, average price, average selling price",
                   "sum(amount) / sum(quantity)", "money", true, "revenue / units");
    if (profit || (amount && cost)) {
        add_metric(m, "gross_profit", "profit, gross profit, earnings", gp, "money", true,
                   profit ? "sum of profit" : "sum of amount - cost");
        char margin[64];
        snprintf(margin, sizeof margin, "%s / sum(amount)", gp);
        add_metric(m, "gross_margin", "margin, gross margin, profit margin, margin %", margin,
                   "ratio", true, "gross profit / revenue");
    }
    if (cust)
        add_metric(m, "customers", "customers, unique customers, buyers, shoppers",
                   "count(distinct customer_id)", "count", true, "count of distinct customer ids");
    if (disc && amount)
        add_metric(m, "avg_discount", "discount, avg discount, discount rate",
                   "sum(discount * amount) / sum(amount)", "ratio", true,
                   "revenue-weighted mean of discount");
    if (status) {
        add_metric(m, "cancellation_rate", "cancellation rate, cancel rate, % cancelled",
                   "count(distinct order_id where cancellation) / count(distinct order_id)", "ratio",
                   false, "cancelled orders / all orders");
        add_metric(m, "return_rate", "return rate, returns %",
                   "count(distinct order_id where return) / count(distinct order_id)", "ratio", false,
                   "returned orders / all orders");
    }
    add_metric(m, "lines", "rows, lines, records", "count(*)", "count", false, "count of rows");
    return m;
}

static json_t *regions_json(ria_txn *tx)
{
    const ria_column *rc = role_col(tx, RIA_ROLE_REGION);
    json_t *groups = json_pack("{s:[s,s,s], s:[s,s,s,s,s,s,s,s,s,s,s,s,s,s]}", "West Coast", "CA",
                               "OR", "WA", "East Coast", "ME", "NH", "MA", "RI", "CT", "NY", "NJ",
                               "DE", "MD", "VA", "NC", "SC", "GA", "FL");
    return json_pack("{s:s, s:o}", "source",
                     !rc ? "none" : strstr(rc->label, "(derived)") ? "census" : "column", "groups",
                     groups);
}

/* ------------------------------------------------------------- views */

/* Dimensions with more values than this stay out of the default views,
 * except in the one view kept for a large product dimension (sku). */
#define VIEW_DIM_MAX 200
/* Estimated groups per month a detailed default view may reach. */
#define VIEW_EST_MAX 50000
#define VIEW_DIMS_MAX 10

/* Levels of one hierarchy determine the coarser levels (a state has one
 * region), so a view over several levels has at most as many groups as the
 * finest level has values.  0 = no hierarchy. */
static int hierarchy_of(ria_role r)
{
    switch (r) {
    case RIA_ROLE_CATEGORY:
    case RIA_ROLE_SUB_CATEGORY:
    case RIA_ROLE_SKU:
    case RIA_ROLE_PRODUCT_NAME: return 1;
    case RIA_ROLE_COUNTRY:
    case RIA_ROLE_REGION:
    case RIA_ROLE_STATE:
    case RIA_ROLE_CITY:
    case RIA_ROLE_POSTAL_CODE: return 2;
    default: return 0;
    }
}

/* Estimated groups per time bucket of a view over these columns. */
static double view_estimate(ria_txn *tx, const ria_column *const *cols, int n)
{
    double est = 1, finest[3] = {1, 1, 1};
    for (int i = 0; i < n; i++) {
        double card = RIA_MAX(1, ria_txn_dict_count(tx, cols[i]->id));
        int h = hierarchy_of(cols[i]->role);
        if (h)
            finest[h] = RIA_MAX(finest[h], card);
        else
            est *= card;
    }
    return est * finest[1] * finest[2];
}

static json_t *view_entry(const char *name, const char *grain, const ria_column *const *cols,
                          int n)
{
    json_t *dims = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(dims, json_string(cols[i]->name));
    return json_pack("{s:s, s:s, s:o, s:b}", "name", name, "grain", grain, "dims", dims, "auto",
                     true);
}

/* A text dimension small enough for the default views. */
static bool small_dim(ria_txn *tx, const ria_column *c)
{
    uint32_t n = ria_txn_dict_count(tx, c->id);
    bool id = c->role == RIA_ROLE_ORDER_ID || c->role == RIA_ROLE_LINE_ID ||
              c->role == RIA_ROLE_CUSTOMER_ID;
    return c->kind == RIA_KIND_CODE && n >= 1 && n <= VIEW_DIM_MAX && !id;
}

static int cmp_card(const void *a, const void *b, void *arg)
{
    ria_txn *tx = arg;
    const ria_column *x = *(const ria_column *const *)a, *y = *(const ria_column *const *)b;
    uint32_t cx = ria_txn_dict_count(tx, x->id), cy = ria_txn_dict_count(tx, y->id);
    if (cx != cy)
        return cx < cy ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* The default views for the data (docs/internals/views.md): month and day
 * rollups over the core dimensions, a month rollup over as many small
 * dimensions as stay under VIEW_EST_MAX groups, and a month rollup of a
 * large sku dimension by status. */
static json_t *default_views(ria_txn *tx)
{
    static const ria_role core_roles[] = {RIA_ROLE_CATEGORY, RIA_ROLE_REGION, RIA_ROLE_CHANNEL,
                                          RIA_ROLE_STATUS};
    const ria_column *core[VIEW_DIMS_MAX], *cand[64], *all[VIEW_DIMS_MAX];
    int ncore = 0, ncand = 0, nall = 0;
    json_t *v = json_array();
    if (!role_col(tx, RIA_ROLE_ORDER_DATE))
        return v;
    for (size_t i = 0; i < RIA_ARRAY_LEN(core_roles); i++) {
        const ria_column *c = role_col(tx, core_roles[i]);
        if (c && small_dim(tx, c))
            core[ncore++] = c;
    }
    for (int i = 0; i < ria_txn_ncols(tx) && ncand < 64; i++) {
        const ria_column *c = ria_txn_col(tx, (uint32_t)i);
        bool in_core = false;
        for (int k = 0; k < ncore; k++)
            in_core |= core[k] == c;
        if (!in_core && small_dim(tx, c))
            cand[ncand++] = c;
    }
    qsort_r(cand, (size_t)ncand, sizeof *cand, cmp_card, tx);
    for (int i = 0; ncore == 0 && i < ncand && i < 4; i++)
        core[ncore++] = cand[i];
    for (int i = 0; i < ncore; i++)
        all[nall++] = core[i];
    for (int i = 0; i < ncand && nall < VIEW_DIMS_MAX; i++) {
        bool dup = false;
        for (int k = 0; k < nall; k++)
            dup |= all[k] == cand[i];
        all[nall] = cand[i];
        if (!dup && view_estimate(tx, all, nall + 1) <= VIEW_EST_MAX)
            nall++;
    }
    if (ncore) {
        json_array_append_new(v, view_entry("month_core", "month", core, ncore));
        json_array_append_new(v, view_entry("day_core", "day", core, ncore));
    }
    if (nall > ncore)
        json_array_append_new(v, view_entry("month_all", "month", all, nall));
    const ria_column *sku = role_col(tx, RIA_ROLE_SKU);
    if (sku && sku->kind == RIA_KIND_CODE && ria_txn_dict_count(tx, sku->id) > VIEW_DIM_MAX &&
        ria_txn_dict_count(tx, sku->id) <= (1u << 20)) {
        /* measured on 10M generated rows: sku x status is 1.4M rollup rows (the
         * category a sku belongs to adds none); adding region makes 3.2M */
        static const ria_role with[] = {RIA_ROLE_CATEGORY, RIA_ROLE_STATUS};
        const ria_column *dims[4] = {sku};
        int n = 1;
        for (size_t i = 0; i < RIA_ARRAY_LEN(with); i++) {
            const ria_column *c = role_col(tx, with[i]);
            if (c && small_dim(tx, c))
                dims[n++] = c;
        }
        json_array_append_new(v, view_entry("month_sku", "month", dims, n));
    }
    return v;
}

/* The base version's model (new reference) or NULL. */
static json_t *base_model(ria_txn *tx)
{
    ria_snapshot *b = ria_txn_base(tx);
    const char *rel = b->manifest ? json_string_value(json_object_get(b->manifest, "model")) : NULL;
    char path[4200];
    if (!rel || !*rel || ria_txn_path(tx, rel, path, sizeof path, NULL) != RIA_OK)
        return NULL;
    return json_load_file(path, 0, NULL);
}

/* Adds the views to an inferred model.  Defaults follow the data until the
 * user edits the list (an entry without "auto": true, or an empty list,
 * e.g. with `ria views add/drop`); from then on the base model's list is
 * carried forward, so the merge keeps the user's list.  views_epoch (bumped
 * by `ria views refresh` to rebuild every view) is carried forward too. */
static void add_views(ria_txn *tx, json_t *model)
{
    json_t *base = base_model(tx);
    json_t *bv = base ? json_object_get(base, "views") : NULL, *e;
    bool edited = json_is_array(bv) && json_array_size(bv) == 0;
    size_t i;
    json_array_foreach(bv, i, e)
        edited |= !json_is_true(json_object_get(e, "auto"));
    json_t *views = edited ? json_deep_copy(bv) : default_views(tx);
    if (json_array_size(views) || edited)
        json_object_set_new(model, "views", views);
    else
        json_decref(views);
    json_t *epoch = base ? json_object_get(base, "views_epoch") : NULL;
    if (json_is_integer(epoch))
        json_object_set_new(model, "views_epoch", json_copy(epoch));
    json_decref(base);
}

static json_t *infer(ria_txn *tx)
{
    json_t *cols = json_object(), *status = json_object();
    for (int i = 0; i < ria_txn_ncols(tx); i++) {
        const ria_column *c = ria_txn_col(tx, (uint32_t)i);
        json_object_set_new(cols, c->name, column_json(tx, c));
        if (c->role == RIA_ROLE_STATUS && c->kind == RIA_KIND_CODE)
            for (uint32_t code = 1; code <= ria_txn_dict_count(tx, c->id); code++) {
                ria_slice s = ria_txn_dict_str(tx, c->id, code);
                char key[256];
                snprintf(key, sizeof key, "%.*s", (int)RIA_MIN(s.n, 255), s.p);
                json_object_set_new(status, key, json_string(status_class(s)));
            }
    }
    json_t *model = json_pack("{s:i, s:s, s:o, s:o, s:o, s:o, s:{s:s, s:i}}", "format", 1, "table",
                              "sales", "columns", cols, "metrics", metrics_json(tx), "status",
                              status, "regions", regions_json(tx), "time", "anchor",
                              "latest order date", "fiscal_year_start_month", 1);
    if (model)
        add_views(tx, model);
    return model;
}

/* Three-way merge (see the file comment).  Returns a new reference. */
static json_t *merge3(json_t *base, json_t *mine, json_t *theirs)
{
    if (json_equal(mine, base) || (!mine && !base))
        return theirs ? json_incref(theirs) : NULL;
    if (json_equal(theirs, base) || (!theirs && !base))
        return mine ? json_incref(mine) : NULL;
    if (json_is_object(mine) && json_is_object(theirs) && (!base || json_is_object(base))) {
        json_t *out = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(theirs, k, v)
        {
            json_t *m = merge3(base ? json_object_get(base, k) : NULL, json_object_get(mine, k), v);
            if (m)
                json_object_set_new(out, k, m);
        }
        json_object_foreach(mine, k, v)
        {
            if (json_object_get(theirs, k))
                continue;
            json_t *m = merge3(base ? json_object_get(base, k) : NULL, v, NULL);
            if (m)
                json_object_set_new(out, k, m);
        }
        return out;
    }
    return mine ? json_incref(mine) : NULL; /* a real conflict: the user wins */
}

ria_status model_build(ria_txn *tx, json_t **out, ria_error *err)
{
    json_t *theirs = infer(tx), *mine = NULL, *base = NULL;
    char path[4200];
    ria_status rc = ria_txn_path(tx, "model.json", path, sizeof path, err);
    if (rc != RIA_OK)
        goto done;
    if (ria_path_exists(path)) {
        json_error_t je;
        if (!(mine = json_load_file(path, 0, &je))) {
            rc = ria_fail(err, RIA_EPARSE,
                          "%s line %d: %s (fix the edit or remove the file to regenerate it)",
                          path, je.line, je.text);
            goto done;
        }
        ria_snapshot *b = ria_txn_base(tx);
        const char *rel =
            b->manifest ? json_string_value(json_object_get(b->manifest, "model")) : NULL;
        if (rel && *rel && ria_txn_path(tx, rel, path, sizeof path, NULL) == RIA_OK)
            base = json_load_file(path, 0, NULL);
    }
    *out = mine ? merge3(base, mine, theirs) : json_incref(theirs);
done:
    json_decref(theirs);
    json_decref(mine);
    json_decref(base);
    return rc;
}
