/*
 * vocab.c — what the question engine can talk about, built once per store
 * version: metric definitions as SQL for this data set (SEMANTICS.md,
 * "Metrics"), the dimensions, and the lexicon of phrases — metric words,
 * dimension names, every value of every low-cardinality dimension, state
 * names, region groups, and the function words of the grammar.
 *
 * Invariant: every phrase is lower case with single spaces; values that are
 * also ordinary words ("Set", "Top", "OR") are marked exact_case and match
 * only when typed as stored.
 */
#include "vocab.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------- metrics */

static const struct {
    metric_id id;
    const char *name, *label;
    ria_value_unit unit;
    bool status_free, additive;
    const char *words;
} metric_table[M_COUNT_] = {
    {M_REVENUE, "revenue", "Revenue", RIA_UNIT_MONEY, false, true,
     "revenue|sales|turnover|income|takings|gmv|gross sales|net sales|total sales|sales revenue|"
     "rev|revs|sales dollars|dollar sales|sales value|receipts|"
     "amount|sales amount|revenues|sale|money|spend|spending|value|sales value"},
    {M_ORDERS, "orders", "Orders", RIA_UNIT_COUNT, false, true,
     "orders|order count|number of orders|transactions|sales count|number of sales|order|"
     "transaction count|number of transactions|count of orders|invoices|number of invoices|purchases"},
    {M_UNITS, "units", "Units", RIA_UNIT_COUNT, false, true,
     "units|quantity|items sold|units sold|volume|unit|items|quantities|pieces|qty|unit sales|"
     "quantity sold|sales volume|number of units"},
    {M_AOV, "aov", "Average order value", RIA_UNIT_MONEY, false, false,
     "aov|average order value|avg order value|average order|avg order|basket size|average basket|"
     "average order size|avg basket|mean order value|average sale|average transaction value"},
    {M_ASP, "asp", "Average selling price", RIA_UNIT_MONEY, false, false,
     "asp|average price|average selling price|avg price|avg selling price|average unit price|"
     "price per unit|mean price|selling price"},
    {M_PROFIT, "gross_profit", "Gross profit", RIA_UNIT_MONEY, false, true,
     "profit|gross profit|earnings|profits|gross profits"},
    {M_MARGIN, "gross_margin", "Gross margin", RIA_UNIT_RATIO, false, false,
     "margin|gross margin|profit margin|margin %|margins|gross margins|profit margins|margin rate|"
     "profitability"},
    {M_CUSTOMERS, "customers", "Customers", RIA_UNIT_COUNT, false, false,
     "customers|unique customers|buyers|shoppers|customer count|number of customers|clients|"
     "distinct customers|customer|active customers"},
    {M_DISCOUNT, "avg_discount", "Average discount", RIA_UNIT_RATIO, false, false,
     "discount|avg discount|average discount|discount rate|discounts|average discount rate|"
     "discount rates|average discounts|"
     "avg discount rate|mean discount|discount level|discounting"},
    {M_CANCEL_RATE, "cancellation_rate", "Cancellation rate", RIA_UNIT_RATIO, true, false,
     "cancellation rate|cancel rate|% cancelled|cancellation %|cancellations rate|rate of cancellation|"
     "cancellation rates|cancel rates|cancelation rates|rates of cancellation|"
     "cancelation rate|share of cancelled orders|percent cancelled|percentage cancelled"},
    {M_RETURN_RATE, "return_rate", "Return rate", RIA_UNIT_RATIO, true, false,
     "return rate|returns %|return %|returns rate|rate of returns|percent returned|return rates|"
     "returns rates|rates of return|refund rate|refund rates|"
     "percentage returned|share of returned orders"},
    {M_LINES, "lines", "Order lines", RIA_UNIT_COUNT, true, true,
     "rows|lines|records|order lines|line items|line count|number of rows|number of lines"},
    {M_REV_PER_CUSTOMER, "revenue_per_customer", "Revenue per customer", RIA_UNIT_MONEY, false,
     false,
     "revenue per customer|sales per customer|spend per customer|spending per customer|"
     "average revenue per customer|average spend per customer|average sales per customer|"
     "revenue per buyer|spend per buyer|average customer spend|customer spend|arpu|"
     "average revenue per user|revenue per user"},
    {M_ORDERS_PER_CUSTOMER, "orders_per_customer", "Orders per customer", RIA_UNIT_NONE, false,
     false,
     "orders per customer|average orders per customer|purchase frequency|order frequency|"
     "orders per buyer|purchases per customer"},
    {M_UNITS_PER_ORDER, "units_per_order", "Units per order", RIA_UNIT_NONE, false, false,
     "units per order|items per order|average units per order|average items per order|"
     "quantity per order|average quantity per order|units per transaction|items per transaction"},
};

const char *metric_words(metric_id m)
{
    return metric_table[m].words;
}

/* Quotes a text value as an SQL literal into out. */
void sql_quote(ria_buf *out, const char *s)
{
    ria_buf_putc(out, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            ria_buf_putc(out, '\'');
        ria_buf_putc(out, *s);
    }
    ria_buf_putc(out, '\'');
}

/* "status IN ('a','b')" for the status values of a class, or "" when none. */
static void status_in(const vocab *v, const char *cls, ria_buf *out)
{
    int n = 0;
    for (int i = 0; i < v->nstatus; i++) {
        if (strcmp(v->status_class[i], cls) != 0)
            continue;
        ria_buf_puts(out, n++ ? ", " : "status IN (");
        sql_quote(out, v->status_value[i]);
    }
    if (n)
        ria_buf_putc(out, ')');
}

static void define_metrics(vocab *v)
{
    bool amount = v->col_amount >= 0, qty = v->col_quantity >= 0, cost = v->col_cost >= 0;
    bool profit = v->col_profit >= 0, cust = v->col_customer >= 0, disc = v->col_discount >= 0;
    bool status = v->col_status >= 0;
    for (int i = 0; i < M_COUNT_; i++) {
        metric_def *m = &v->metrics[i];
        m->id = metric_table[i].id;
        m->name = metric_table[i].name;
        m->label = metric_table[i].label;
        m->unit = metric_table[i].unit;
        m->status_free = metric_table[i].status_free;
        m->additive = metric_table[i].additive;
    }
    /* aggregate arguments are written @arg@ so a row condition can wrap
     * them (per-period values in one scan): see metric_sql */
    const char *gp = profit ? "sum(@profit@)" : "sum(@amount@) - sum(@cost@)";
#define DEF(id, ok, sql_, def_)                                                    \
    do {                                                                           \
        v->metrics[id].available = (ok);                                           \
        snprintf(v->metrics[id].sql, sizeof v->metrics[id].sql, "%s", sql_);       \
        snprintf(v->metrics[id].definition, sizeof v->metrics[id].definition, "%s", def_); \
    } while (0)
    DEF(M_REVENUE, amount, "sum(@amount@)", "revenue = sum of amount");
    DEF(M_ORDERS, true, "count(DISTINCT @order_id@)", "orders = count of distinct order ids");
    DEF(M_UNITS, qty, "sum(@quantity@)", "units = sum of quantity");
    DEF(M_AOV, amount, "sum(@amount@) / count(DISTINCT @order_id@)",
        "average order value = revenue / orders");
    DEF(M_ASP, amount && qty, "sum(@amount@) / sum(@quantity@)",
        "average selling price = revenue / units");
    DEF(M_PROFIT, profit || (amount && cost), gp,
        profit ? "gross profit = sum of profit" : "gross profit = sum of amount - sum of cost");
    char margin[128];
    snprintf(margin, sizeof margin, "(%s) / sum(@amount@)", gp);
    DEF(M_MARGIN, (profit || cost) && amount, margin, "gross margin = gross profit / revenue");
    DEF(M_CUSTOMERS, cust, "count(DISTINCT @customer_id@)",
        "customers = count of distinct customer ids");
    DEF(M_DISCOUNT, disc && amount, "sum(@discount * amount@) / sum(@amount@)",
        "average discount = revenue-weighted mean of discount");
    DEF(M_LINES, true, "count(@*@)", "lines = count of order lines");
    DEF(M_REV_PER_CUSTOMER, amount && cust, "sum(@amount@) / count(DISTINCT @customer_id@)",
        "revenue per customer = revenue / customers");
    DEF(M_ORDERS_PER_CUSTOMER, cust,
        "CAST(count(DISTINCT @order_id@) AS DOUBLE) / count(DISTINCT @customer_id@)",
        "orders per customer = orders / customers");
    DEF(M_UNITS_PER_ORDER, qty, "CAST(sum(@quantity@) AS DOUBLE) / count(DISTINCT @order_id@)",
        "units per order = units / orders");
#undef DEF
    ria_buf b;
    ria_buf_init(&b, 0);
    static const struct {
        metric_id id;
        const char *cls, *label;
    } rates[] = {{M_CANCEL_RATE, "cancellation", "cancelled"}, {M_RETURN_RATE, "return", "returned"}};
    for (size_t k = 0; k < RIA_ARRAY_LEN(rates); k++) {
        metric_def *m = &v->metrics[rates[k].id];
        ria_buf_reset(&b);
        status_in(v, rates[k].cls, &b);
        m->available = status && b.len > 0;
        snprintf(m->sql, sizeof m->sql,
                 "count(DISTINCT @CASE WHEN %s THEN order_id END@) / count(DISTINCT @order_id@)",
                 b.data ? b.data : "FALSE");
        snprintf(m->definition, sizeof m->definition, "%s orders / all orders (every status)",
                 rates[k].label);
    }
    /* the status rule: which rows every other metric leaves out */
    ria_buf_reset(&b);
    int n = 0;
    for (int i = 0; i < v->nstatus; i++) {
        if (strcmp(v->status_class[i], "sale") == 0)
            continue;
        ria_buf_puts(&b, n++ ? ", " : "(status IS NULL OR status NOT IN (");
        sql_quote(&b, v->status_value[i]);
    }
    if (n)
        ria_buf_puts(&b, "))");
    snprintf(v->status_rule, sizeof v->status_rule, "%s", b.data ? b.data : "");
    ria_buf_free(&b);
}

/* ------------------------------------------------------------- lexicon */

static char *lower_dup(ria_arena *a, const char *s, size_t n)
{
    char *d = ria_arena_alloc(a, n + 1);
    if (!d)
        return NULL;
    size_t k = 0;
    bool space = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        /* hyphens separate words as the tokenizer sees them ("sub-category") */
        if (c == ' ' || c == '\t' || c == '_' || (c == '-' && n > 1)) {
            space = k > 0;
            continue;
        }
        if (space)
            d[k++] = ' ';
        space = false;
        d[k++] = (char)tolower(c);
    }
    d[k] = 0;
    return d;
}

static int count_words(const char *p)
{
    int n = *p ? 1 : 0;
    for (; *p; p++)
        n += *p == ' ';
    return n;
}

lex_entry *lex_add(lexicon *lx, const char *phrase, size_t n, lex_kind kind, int id)
{
    if (lx->n == lx->cap) {
        int cap = lx->cap ? lx->cap * 2 : 1024;
        lex_entry *e = realloc(lx->e, (size_t)cap * sizeof *e);
        if (!e)
            return NULL;
        lx->e = e;
        lx->cap = cap;
    }
    char *p = lower_dup(&lx->strings, phrase, n);
    if (!p || !*p)
        return NULL;
    lex_entry *e = &lx->e[lx->n++];
    memset(e, 0, sizeof *e);
    e->phrase = p;
    e->nwords = count_words(p);
    e->kind = kind;
    e->id = id;
    return e;
}

/* Adds each "|"-separated phrase of a list. */
static void lex_add_list(lexicon *lx, const char *list, lex_kind kind, int id)
{
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, '|');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        lex_add(lx, p, n, kind, id);
        p = e ? e + 1 : p + n;
    }
}

/* Function words of the grammar. */
static const struct {
    word_id id;
    const char *words;
} grammar_words[] = {
    {W_BY, "by|split by|broken down by|grouped by|group by|organized by|sorted by|as per"},
    {W_EACH, "for each|each|for every|every|for all|of each"},
    {W_PER, "per"},
    {W_ACROSS, "across|among|between the|amongst"},
    {W_BETWEEN, "between"},
    {W_WOW, "wow|week over week|week-over-week|week on week|week-on-week|vs last week|"
            "versus last week|compared to last week|compared with last week|vs the previous week"},
    {W_DOD, "dod|day over day|day-over-day|day on day|vs yesterday|compared to yesterday|"
            "compared with yesterday|vs the previous day"},
    {W_LOSS, "lost money|lose money|losing money|made a loss|make a loss|made losses|"
             "at a loss|loss making|loss-making|unprofitable|negative profit|negative margin|"
             "in the red|lost|loss|losses"},
    {W_CONTRIBUTE, "contributed|contribute|contributes|contributing|account for|accounted for|"
                   "accounts for|accounting for|made up|make up|makes up|drove|driven|drive|"
                   "drives|responsible for"},
    {W_TOP, "top|the top|leading"},
    {W_BOTTOM, "bottom|the bottom"},
    {W_HIGHEST, "highest|most|max|maximum|greatest|peak|strongest|top performing|best performing|"
                "biggest|largest|fastest|quickest|sharpest|steepest|busiest|strongest|"
                "best selling|best-selling|bestselling|top selling"},
    {W_LOWEST, "lowest|least|min|minimum|weakest|worst performing|lowest performing|slowest|"
                "smallest|fewest|quietest|slowest"},
    {W_BEST, "best"},
    {W_WORST, "worst"},
    {W_VS, "vs|versus|vs.|v.|compared to|compared with|against|relative to|over"},
    {W_AND, "and|&|as well as|plus"},
    {W_OR, "or"},
    {W_COMPARE, "compare|comparison|comparing|contrast|side by side"},
    {W_GROWTH, "growth|grew|grow|growing rate|growth rate|expand|expanded|expansion"},
    {W_CHANGE, "change|changed|changes|difference|differ|delta|evolve|evolved|move|moved|shift"},
    {W_INCREASE, "increase|increased|increases|rise|rose|gain|gained|up|higher|improve|improved|"
                 "jump|jumped|add|added|adds|adding|grew by|went up|climbed"},
    {W_DECREASE, "decrease|decreased|decline|declined|drop|dropped|fall|fell|down|lower|shrink|"
                 "shrank|worse|lost|lose|losing"},
    {W_MORE, "more|more than|greater than|over|exceeding|exceeded|at least|larger than|bigger than|"
              "no less than|no fewer than|minimum of|a minimum of|upwards of|in excess of"},
    {W_LESS, "less|less than|fewer than|under|below|at most|smaller than|no more than|"
              "maximum of|a maximum of"},
    {W_ABOVE, "above"},
    {W_BELOW, "beneath"},
    {W_THAN, "than"},
    {W_SHARE, "share|portion|proportion|contribution|mix|split|fraction|part|share of"},
    {W_PERCENT, "percentage|percent|pct|%|percentages"},
    {W_TREND_UP, "trending up|trend up|going up|on the rise|rising|increasing|growing|improving|"
                 "upward|climbing"},
    {W_TREND_DOWN, "trending down|trend down|going down|declining|falling|decreasing|shrinking|"
                   "deteriorating|downward|slipping|eroding|dropping"},
    {W_TREND, "trend|trends|trending|over time|time series|evolution|history|trajectory"},
    {W_DAILY, "daily|per day|each day|by day|day by day|day-by-day|every day"},
    {W_WEEKLY, "weekly|per week|each week|by week|week by week|every week"},
    {W_MONTHLY, "monthly|per month|each month|by month|month by month|month-by-month|every month|"
                "by months|month over month trend"},
    {W_QUARTERLY, "quarterly|per quarter|each quarter|by quarter|quarter by quarter|every quarter"},
    {W_YEARLY, "yearly|annual|annually|per year|each year|by year|year by year|every year|"
               "year-by-year"},
    {W_YOY, "yoy|year over year|year-over-year|year on year|year-on-year|vs last year|"
            "versus last year|compared to last year|compared with last year|annual growth"},
    {W_MOM, "mom|month over month|month-over-month|month on month|month-on-month|vs last month|"
            "compared to last month|compared with last month|vs the previous month"},
    {W_QOQ, "qoq|quarter over quarter|quarter-over-quarter|quarter on quarter|vs last quarter|"
            "compared to last quarter|compared with last quarter"},
    {W_WHICH, "which|what|who|where"},
    {W_HOW_MANY, "how many|number of|count of|count"},
    {W_HOW_MUCH, "how much"},
    {W_NOT, "not|excluding|except|without|other than|apart from|besides"},
    {W_ONLY, "only|just|solely|exclusively"},
    {W_ALL, "all|overall|total|in total|altogether|combined|entire|whole|everything"},
    {W_AVERAGE, "average|avg|mean"},
    {W_FROM, "from"},
    {W_TO, "to|till|until|through|thru"},
    {W_IN, "in|during|within|inside"},
    {W_FOR, "for"},
    {W_OF, "of"},
    {W_WITH, "with|having|that have|that had|whose"},
    {W_BUT, "but|yet|however|although|though"},
    {W_WHILE, "while|whereas"},
    {W_WHAT_ABOUT, "what about|how about|and what about|what of|same for|and for|now for|"
                   "and in|and on|and at|what if|instead"},
    {W_BREAK_DOWN, "break down|break that down|break it down|breakdown|broken down|split that|"
                   "split it|drill down|drill into|show that by|show it by|divide by"},
    {W_DAY, "day|days|date|dates"},
    {W_WEEK, "week|weeks"},
    {W_MONTH, "month|months"},
    {W_QUARTER, "quarter|quarters|qtr|qtrs"},
    {W_YEAR, "year|years"},
    {W_LAST, "last"},
    {W_FIRST, "first"},
};

/* Words that carry no meaning for an answer. */
static const char *const filler_words =
    "what|was|were|is|are|be|been|being|the|a|an|our|we|us|my|i|did|do|does|done|show|me|give|"
    "tell|can|could|would|will|you|please|pls|get|got|have|had|has|on|at|it|its|that|this|"
    "these|those|there|here|let|know|like|want|need|see|find|list|display|report|provide|"
    "calculate|compute|look|looking|at|up|so|far|just|about|which|value|values|number|numbers|"
    "figure|figures|data|stats|statistics|metric|metrics|kpi|kpis|our company|company|business|"
    "store|shop|overall|generated|generate|make|made|bring|brought|earn|earned|sell|sold|"
    "selling|achieve|achieved|do we|did we|have we|much|many|how|level|levels|total|totals|"
    "amounts|?|!|.|,|:|;|-|(|)|\"|'|also|again|now|then|well|really|exactly|approximately|"
    "roughly|around|about|currently|current|recent|recently|period|time|timeframe|time frame|"
    "range|results|result|performance|performed|perform|performing|look like|looked like|"
    "break|down|out|into|them|they|their|each of|all of|one|ones|"
    "state of|region of|city of|channel of|there were|were there|"
    "happen|happened|going|go|went|so far|to date|as of|hey|hi|hello|thanks|thank you|ok|"
    "okay|kindly|quick|quickly|briefly|summary of|overview of|status of|total of|sum|sum of|"
    "volume of|level of|amount of|counts|ranked|ranking|rank|ordered|sort|sorted|listed|bought|"
    "buy|buying|purchased|purchase|something|anything|came|come|comes|coming|contributed by|"
    "been|has been|have been|get|getting|received|receive|place|placed|customers who|people|"
    "orders placed|did they|it was|in terms of|terms|respectively|versus the|the same|same|"
    "period over period|figures for|numbers for|how are|how is|doing|look|looks|'s|s|shipped|"
    "ship|ships|shipping via|shipped via|shipped with|delivered|fulfilled|fulfil|fulfill|issued|"
    "raised|booked|recorded|processed|registered|logged|realized|realised|posted|written|"
    "invoiced|billed|ordered|paid|spent|spend on|did it|was it|were they|altogether|"
    "as a whole|in all|so far this|come from|came from|coming from|among them|of them|"
    "of those|each one|each one's|every one|one's|apiece|individually|respective|"
    "their respective|via|given|offered|applied|dataset|data set|database|"
    "the dataset|the data|in the data|in the dataset|in our data|on record|in total|overall|"
    "#|no.|amt";

/* Words that put a question out of scope. */
static const char *const scope_words =
    "weather|forecast tomorrow|rain|temperature|joke|jokes|funny|poem|song|story|stock price|"
    "stock|stocks|share price|bitcoin|crypto|news|election|president|recipe|movie|football|"
    "soccer|basketball|sports score|horoscope|delete|remove|drop|drop table|update|insert|"
    "truncate|alter|modify|erase|wipe|purge|overwrite|change the|set the|create|write|"
    "email|send|call|book|schedule|translate|password|hack|who are you|your name|meaning of life";

bool vocab_is_scope_word(const char *w)
{
    size_t n = strlen(w);
    const char *p = scope_words;
    while (*p) {
        const char *e = strchr(p, '|');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        if (k == n && memcmp(p, w, n) == 0)
            return true;
        p = e ? e + 1 : p + k;
    }
    return false;
}

/* Values that are also ordinary English words: matched only as typed. */
static bool common_word(const char *lower)
{
    static const char *const words[] = {
        "set",  "top",   "free", "all",  "other", "none", "new",   "one",  "home",  "store",
        "sale", "in",    "or",   "me",   "hi",    "ok",   "oh",    "de",   "la",    "pa",
        "ma",   "co",    "id",   "al",   "ar",    "mo",   "ne",    "nd",   "sd",    "un",
        "us",   "it",    "on",   "at",   "to",    "up",   "go",    "no",   "yes",   "true",
        "false", "s",    "m",    "l",    "xl",    "best", "total", "last", "first", "standard",
        "average", "mean", "max", "min", "per",  "each", "by",    "and",  "year",  "month",
        "day",   "week", "quarter", "tops", "sets", "bottom", "bottoms", "hi", "me", "ms",
        "oh",    "ok",   "or",   "in",   "la",    "pa",   "de",    "co",   "ma",    "ne",
    };
    for (size_t i = 0; i < RIA_ARRAY_LEN(words); i++)
        if (strcmp(words[i], lower) == 0)
            return true;
    return false;
}

/* Adds a dimension value (and simple plural/singular forms). */
static void add_value(vocab *v, int dim, const char *value, size_t n)
{
    lexicon *lx = &v->lex;
    char *stored = ria_arena_strndup(&lx->strings, value, n);
    lex_entry *e = lex_add(lx, value, n, LX_VALUE, dim);
    if (!e || !stored)
        return;
    e->value = stored;
    /* status values are said in lower case ("returned orders"); a state
     * code only when it is not also a word ("tx" but not "or") */
    e->exact_case = common_word(e->phrase) && v->dims[dim].col != v->col_status;
    /* "TVs" also as "TV": an acronym's plural */
    bool acronym_plural = n == 3 && value[2] == 's' && value[0] >= 'A' && value[0] <= 'Z' &&
                          value[1] >= 'A' && value[1] <= 'Z';
    if ((n < 4 && !acronym_plural) || e->exact_case)
        return;
    /* "Laptops" also as "laptop"; "Phone" also as "phones" */
    char alt[256];
    if (n >= sizeof alt - 2)
        return;
    memcpy(alt, value, n);
    size_t m = n;
    if (value[n - 1] == 's' || value[n - 1] == 'S')
        m = n - 1;
    else
        alt[m++] = 's';
    lex_entry *p = lex_add(lx, alt, m, LX_VALUE, dim);
    if (p)
        p->value = stored;
}

static void add_dimension_words(vocab *v, int d)
{
    static const struct {
        ria_role role;
        const char *words;
    } role_words[] = {
        {RIA_ROLE_CATEGORY, "category|categories|product category|product categories|department|"
                            "departments|dept|depts|product line|product lines"},
        {RIA_ROLE_SUB_CATEGORY, "sub-category|sub category|subcategory|sub-categories|"
                                "sub categories|subcategories|subcat|subcats|product type|"
                                "product types"},
        {RIA_ROLE_STATE, "state|states|province|provinces|us state|us states"},
        {RIA_ROLE_CITY, "city|cities|town|towns"},
        {RIA_ROLE_REGION, "region|regions|area|areas|territory|territories"},
        {RIA_ROLE_CHANNEL, "channel|channels|sales channel|sales channels"},
        {RIA_ROLE_SEGMENT, "segment|segments|customer segment|customer segments"},
        {RIA_ROLE_STATUS, "status|statuses|order status|order statuses|state of the order"},
        {RIA_ROLE_SKU, "sku|skus|stock code|stock codes|product id|product ids"},
        {RIA_ROLE_PRODUCT_NAME, "product name|product names|product description|description|"
                                "descriptions"},
        {RIA_ROLE_CUSTOMER_ID, "customer id|customer ids|client|clients"},
        {RIA_ROLE_COUNTRY, "country|countries|nation|nations|market|markets"},
        {RIA_ROLE_POSTAL_CODE, "zip|zip code|zip codes|postal code|postal codes|zipcode"},
        {RIA_ROLE_CURRENCY, "currency|currencies"},
    };
    const dim_def *dd = &v->dims[d];
    const ria_column *c = &v->snap->cols[dd->col];
    for (size_t i = 0; i < RIA_ARRAY_LEN(role_words); i++)
        if (role_words[i].role == c->role)
            lex_add_list(&v->lex, role_words[i].words, LX_DIM, d);
    /* the column's own names: "ship_mode", "Ship Mode", plurals */
    lex_add(&v->lex, c->name, strlen(c->name), LX_DIM, d);
    lex_add(&v->lex, c->label, strlen(c->label), LX_DIM, d);
    char plural[160];
    int k = snprintf(plural, sizeof plural, "%s%s", c->label,
                     c->label[0] && strchr("sS", c->label[strlen(c->label) - 1]) ? "es" : "s");
    lex_add(&v->lex, plural, (size_t)k, LX_DIM, d);
}

static int cmp_entry(const void *a, const void *b)
{
    const lex_entry *x = a, *y = b;
    int c = strcmp(x->phrase, y->phrase);
    return c ? c : (x->kind > y->kind) - (x->kind < y->kind);
}

static ria_status index_lexicon(lexicon *lx)
{
    qsort(lx->e, (size_t)lx->n, sizeof *lx->e, cmp_entry);
    ria_strmap_init(&lx->first);
    for (int i = 0; i < lx->n; i++) {
        const char *p = lx->e[i].phrase, *sp = strchr(p, ' ');
        size_t n = sp ? (size_t)(sp - p) : strlen(p);
        uint32_t have;
        if (!ria_strmap_get(&lx->first, p, n, &have) &&
            ria_strmap_put(&lx->first, p, n, (uint32_t)i + 1, NULL) != RIA_OK)
            return RIA_ENOMEM;
    }
    return RIA_OK;
}

/* ------------------------------------------------------------- building */

static bool dimension_role(ria_role r)
{
    switch (r) {
    case RIA_ROLE_ORDER_ID:
    case RIA_ROLE_LINE_ID:
    case RIA_ROLE_ORDER_DATE:
    case RIA_ROLE_SHIP_DATE:
    case RIA_ROLE_QUANTITY:
    case RIA_ROLE_UNIT_PRICE:
    case RIA_ROLE_DISCOUNT:
    case RIA_ROLE_AMOUNT:
    case RIA_ROLE_COST:
    case RIA_ROLE_PROFIT: return false;
    default: return true;
    }
}

static void find_roles(vocab *v)
{
    const ria_snapshot *s = v->snap;
    int *slots[] = {&v->col_amount, &v->col_quantity, &v->col_cost, &v->col_profit,
                    &v->col_customer, &v->col_discount, &v->col_status, &v->col_state,
                    &v->col_time, &v->col_order, &v->col_region};
    ria_role roles[] = {RIA_ROLE_AMOUNT,  RIA_ROLE_QUANTITY, RIA_ROLE_COST,    RIA_ROLE_PROFIT,
                        RIA_ROLE_CUSTOMER_ID, RIA_ROLE_DISCOUNT, RIA_ROLE_STATUS, RIA_ROLE_STATE,
                        RIA_ROLE_ORDER_DATE, RIA_ROLE_ORDER_ID, RIA_ROLE_REGION};
    for (size_t i = 0; i < RIA_ARRAY_LEN(roles); i++) {
        const ria_column *c = ria_snapshot_role(s, roles[i]);
        *slots[i] = c ? (int)c->id : -1;
    }
}

/* Status values and their classes (model first, else by the words in them). */
static void load_status(vocab *v, json_t *model)
{
    if (v->col_status < 0)
        return;
    const ria_dict *d = v->snap->dicts[v->col_status];
    json_t *classes = model ? json_object_get(model, "status") : NULL;
    for (uint32_t c = 1; d && c <= d->count && v->nstatus < (int)RIA_ARRAY_LEN(v->status_value); c++) {
        const char *val = d->strs[c];
        const char *cls = json_string_value(json_object_get(classes, val));
        if (!cls) {
            char low[256];
            snprintf(low, sizeof low, "%s", val);
            for (char *p = low; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            cls = strstr(low, "cancel") ? "cancellation"
                  : strstr(low, "return") || strstr(low, "refund") ? "return"
                                                                    : "sale";
        }
        v->status_value[v->nstatus] = val;
        v->status_class[v->nstatus] = ria_arena_strdup(&v->lex.strings, cls);
        v->nstatus++;
    }
}

static void add_dims_and_values(vocab *v)
{
    const ria_snapshot *s = v->snap;
    for (int i = 0; i < s->ncols && v->ndims < (int)RIA_ARRAY_LEN(v->dims); i++) {
        const ria_column *c = &s->cols[i];
        if (c->type != RIA_T_TEXT || !dimension_role(c->role))
            continue;
        dim_def *dd = &v->dims[v->ndims];
        dd->col = (int)c->id;
        dd->name = c->name;
        snprintf(dd->label, sizeof dd->label, "%s",
                 c->role ? ria_role_name(c->role) : c->label);
        for (char *p = dd->label; *p; p++)
            *p = *p == '_' ? ' ' : *p;
        if (c->role == RIA_ROLE_SUB_CATEGORY)
            snprintf(dd->label, sizeof dd->label, "sub-category");
        if (c->role == RIA_ROLE_CUSTOMER_ID)
            snprintf(dd->label, sizeof dd->label, "customer");
        dd->has_values = c->kind == RIA_KIND_CODE;
        int d = v->ndims++;
        add_dimension_words(v, d);
        const ria_dict *dict = s->dicts[i];
        if (dict && dict->count <= VOCAB_MAX_VALUES)
            for (uint32_t code = 1; code <= dict->count; code++)
                add_value(v, d, dict->strs[code], dict->lens[code]);
    }
}

/* US state names map to codes; "West Coast" and "East Coast" to lists. */
static void add_state_words(vocab *v)
{
    int sd = vocab_dim_of_col(v, v->col_state);
    if (sd < 0)
        return;
    const ria_dict *dict = v->snap->dicts[v->col_state];
    for (int i = 0; i < ria_us_state_count(); i++) {
        const char *code, *name;
        ria_us_state_at(i, &code, &name, NULL);
        if (!dict || !ria_dict_lookup((ria_dict *)dict, code, 2))
            continue;
        lex_entry *e = lex_add(&v->lex, name, strlen(name), LX_VALUE, sd);
        if (e)
            e->value = code;
    }
    static const struct {
        const char *phrase;
        const char *const codes[16];
    } groups[] = {
        {"west coast", {"CA", "OR", "WA"}},
        {"east coast", {"ME", "NH", "MA", "RI", "CT", "NY", "NJ", "DE", "MD", "VA", "NC", "SC",
                        "GA", "FL"}},
    };
    for (size_t g = 0; g < RIA_ARRAY_LEN(groups); g++) {
        lex_entry *e = lex_add(&v->lex, groups[g].phrase, strlen(groups[g].phrase), LX_STATES, sd);
        if (!e)
            continue;
        e->values = (const char **)groups[g].codes;
        while (e->nvalues < 16 && groups[g].codes[e->nvalues])
            e->nvalues++;
    }
}

/* Nicknames of big cities, when the data has the city. */
static void add_city_nicknames(vocab *v)
{
    static const struct {
        const char *nick, *city;
    } nicks[] = {
        {"nyc", "New York City"},      {"nyc", "New York"},          {"new york city", "New York"},
        {"sf", "San Francisco"},       {"san fran", "San Francisco"}, {"philly", "Philadelphia"},
        {"vegas", "Las Vegas"},        {"nola", "New Orleans"},      {"atl", "Atlanta"},
    };
    const ria_column *c = ria_snapshot_role(v->snap, RIA_ROLE_CITY);
    int d = c ? vocab_dim_of_col(v, (int)c->id) : -1;
    const ria_dict *dict = c ? v->snap->dicts[c->id] : NULL;
    if (d < 0 || !dict)
        return;
    const char *added = "";
    for (size_t i = 0; i < RIA_ARRAY_LEN(nicks); i++) {
        /* the first city of a nickname that the data has */
        if (strcmp(added, nicks[i].nick) == 0)
            continue;
        uint32_t code = ria_dict_lookup((ria_dict *)dict, nicks[i].city, strlen(nicks[i].city));
        if (!code)
            continue;
        lex_entry *e = lex_add(&v->lex, nicks[i].nick, strlen(nicks[i].nick), LX_VALUE, d);
        if (e)
            e->value = dict->strs[code];
        added = nicks[i].nick;
    }
}

/* "returned orders", "cancellations": the status values of a class as one
 * named group. */
static void add_status_words(vocab *v)
{
    int sd = vocab_dim_of_col(v, v->col_status);
    if (sd < 0)
        return;
    static const struct {
        const char *cls, *words;
    } classes[] = {
        {"return", "returned|returns|refunded|refunds"},
        {"cancellation", "cancelled|canceled|cancellations|cancelations"},
    };
    for (size_t k = 0; k < RIA_ARRAY_LEN(classes); k++) {
        int n = 0;
        for (int i = 0; i < v->nstatus; i++)
            n += strcmp(v->status_class[i], classes[k].cls) == 0;
        if (n == 0)
            continue;
        const char **vals = ria_arena_alloc(&v->lex.strings, (size_t)n * sizeof *vals);
        if (!vals)
            return;
        n = 0;
        for (int i = 0; i < v->nstatus; i++)
            if (strcmp(v->status_class[i], classes[k].cls) == 0)
                vals[n++] = v->status_value[i];
        const char *p = classes[k].words;
        while (*p) {
            const char *e = strchr(p, '|');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            lex_entry *le = lex_add(&v->lex, p, len, LX_STATES, sd);
            if (le) {
                le->values = vals;
                le->nvalues = n;
            }
            p = e ? e + 1 : p + len;
        }
    }
}

/* "products", "items": the product name when the data has one, else the
 * SKU.  Without either they stay unknown words rather than being ignored. */
static void add_product_words(vocab *v)
{
    int d = -1;
    for (int i = 0; i < v->ndims && d < 0; i++)
        if (v->snap->cols[v->dims[i].col].role == RIA_ROLE_PRODUCT_NAME)
            d = i;
    for (int i = 0; i < v->ndims && d < 0; i++)
        if (v->snap->cols[v->dims[i].col].role == RIA_ROLE_SKU)
            d = i;
    if (d >= 0)
        lex_add_list(&v->lex, PRODUCT_WORDS, LX_DIM, d);
}

/* Currency words; a question naming another currency than the data's asks
 * for a conversion, which is out of scope. */
static void add_currency_words(vocab *v)
{
    static const struct {
        const char *code, *words;
    } cur[] = {
        {"USD", "usd|dollars|dollar|us dollars|us dollar|us$"},
        {"EUR", "eur|euro|euros"},
        {"GBP", "gbp|pounds|pound sterling|sterling|british pounds"},
        {"INR", "inr|rupees|rupee|indian rupees"},
        {"JPY", "jpy|yen|japanese yen"},
        {"CAD", "cad|canadian dollars"},
        {"AUD", "aud|australian dollars"},
        {"CNY", "cny|rmb|yuan|renminbi"},
        {"CHF", "chf|swiss francs|francs"},
    };
    for (size_t k = 0; k < RIA_ARRAY_LEN(cur); k++) {
        const char *p = cur[k].words;
        while (*p) {
            const char *e = strchr(p, '|');
            size_t len = e ? (size_t)(e - p) : strlen(p);
            lex_entry *le = lex_add(&v->lex, p, len, LX_CURRENCY, 0);
            if (le)
                le->value = cur[k].code;
            p = e ? e + 1 : p + len;
        }
    }
}

/* The currency of the data: a currency column with a single value, else
 * US dollars. */
static void find_currency(vocab *v)
{
    const ria_column *c = ria_snapshot_role(v->snap, RIA_ROLE_CURRENCY);
    const ria_dict *d = c ? v->snap->dicts[c->id] : NULL;
    if (d && d->count == 1 && d->lens[1] < sizeof v->currency)
        snprintf(v->currency, sizeof v->currency, "%s", d->strs[1]);
    else if (d && d->count > 1)
        snprintf(v->currency, sizeof v->currency, "mixed");
    else
        snprintf(v->currency, sizeof v->currency, "USD");
}

/* Words of time expressions (timex.c) that a typo may stand for. */
static const char *const time_words =
    "day|days|week|weeks|month|months|quarter|quarters|year|years|last|past|previous|prior|"
    "this|current|next|since|between|from|until|through|ago|today|yesterday|trailing|rolling|"
    "full|complete|completed|whole|half|first|second|third|fourth|date|onwards|starting|"
    "beginning|before|after|during|within|january|february|march|april|june|july|august|"
    "september|october|november|december|fiscal|calendar|yearly|monthly|weekly|daily|"
    "quarterly|annual|annually";

/* Adds each word of phrase to the known set, and to the correction list
 * when fix. */
static void learn_words(vocab *v, const char *phrase, bool fix, int *cap)
{
    const char *p = phrase;
    while (*p) {
        while (*p == ' ' || *p == '|')
            p++;
        const char *e = p;
        while (*e && *e != ' ' && *e != '|')
            e++;
        size_t n = (size_t)(e - p);
        uint32_t have;
        if (n && !ria_strmap_get(&v->known, p, n, &have)) {
            const char *w = ria_arena_strndup(&v->lex.strings, p, n);
            if (w && ria_strmap_put(&v->known, w, n, 1, NULL) == RIA_OK && fix && n >= 3) {
                if (v->nfix == *cap) {
                    int c = *cap ? *cap * 2 : 1024;
                    const char **a = realloc(v->fix_words, (size_t)c * sizeof *a);
                    if (!a)
                        return;
                    v->fix_words = a;
                    *cap = c;
                }
                v->fix_words[v->nfix++] = w;
            }
        }
        p = e;
    }
}

static void build_spelling(vocab *v)
{
    ria_strmap_init(&v->known);
    int cap = 0;
    learn_words(v, time_words, true, &cap);
    for (int i = 0; i < v->lex.n; i++) {
        const lex_entry *e = &v->lex.e[i];
        bool fix = e->kind != LX_VALUE ||
                   !v->snap->dicts[v->dims[e->id].col] ||
                   v->snap->dicts[v->dims[e->id].col]->count <= 200;
        /* filler is never a correction: a typo of a meaningful word must
         * not silently become a word that means nothing */
        learn_words(v, e->phrase, fix && !e->exact_case && e->kind != LX_FILLER, &cap);
    }
}

/* Whether b is a with two neighbouring letters swapped. */
static bool swapped(const char *a, const char *b)
{
    size_t n = strlen(b);
    for (size_t i = 0; i + 1 < n; i++)
        if (a[i] != b[i])
            return a[i] == b[i + 1] && a[i + 1] == b[i] && strcmp(a + i + 2, b + i + 2) == 0;
    return false;
}

/* Whether two letters are neighbours on a QWERTY keyboard. */
static bool keys_near(char a, char b)
{
    static const char *const rows[] = {"qwertyuiop", "asdfghjkl", "zxcvbnm"};
    int ra = -1, ca = 0, rb = -1, cb = 0;
    for (int r = 0; r < 3; r++) {
        const char *x = strchr(rows[r], a), *y = strchr(rows[r], b);
        if (x && a) {
            ra = r;
            ca = (int)(x - rows[r]) * 2 + r;
        }
        if (y && b) {
            rb = r;
            cb = (int)(y - rows[r]) * 2 + r;
        }
    }
    return ra >= 0 && rb >= 0 && abs(ra - rb) <= 1 && abs(ca - cb) <= 2;
}

/* The edit distance in half steps: a dropped, extra or swapped letter or a
 * neighbouring key costs 2, any other substitution 3. */
static int typo_cost(const char *a, size_t n, const char *b, size_t m)
{
    if (n > 40 || m > 40)
        return 99;
    int d[41][41];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = 2 * (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = 2 * (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int sub = a[i - 1] == b[j - 1] ? 0 : keys_near(a[i - 1], b[j - 1]) ? 2 : 3;
            int x = RIA_MIN(d[i - 1][j] + 2, d[i][j - 1] + 2);
            x = RIA_MIN(x, d[i - 1][j - 1] + sub);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                x = RIA_MIN(x, d[i - 2][j - 2] + 2);
            d[i][j] = x;
        }
    return d[n][m];
}

/* Damerau-Levenshtein distance, capped at 3 (and at 40 letters). */
static int typo_distance(const char *a, size_t n, const char *b, size_t m)
{
    if (n > 40 || m > 40)
        return 3;
    int d[41][41];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        int row_min = 99;
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int x = RIA_MIN(d[i - 1][j] + 1, d[i][j - 1] + 1);
            x = RIA_MIN(x, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                x = RIA_MIN(x, d[i - 2][j - 2] + 1);
            d[i][j] = x;
            row_min = RIA_MIN(row_min, x);
        }
        if (row_min > 2)
            return 3;
    }
    return RIA_MIN(d[n][m], 3);
}

const char *vocab_correct(const vocab *v, const char *w, size_t n)
{
    uint32_t have;
    if (n < 4 || ria_strmap_get(&v->known, w, n, &have))
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(w[i] >= 'a' && w[i] <= 'z'))
            return NULL;
    /* one edit from five letters, two from eight; four letters only swap
     * two neighbours ("dyas") */
    int limit = n >= 8 ? 2 : 1;
    const char *best = NULL;
    int bestd = 99, ties = 0;
    for (int i = 0; i < v->nfix; i++) {
        const char *c = v->fix_words[i];
        size_t m = strlen(c);
        if (m + (size_t)limit < n || n + (size_t)limit < m)
            continue;
        int d = typo_distance(w, n, c, m);
        if (n == 4 && (d != 1 || m != 4 || !swapped(w, c)))
            continue;
        if (d > limit)
            continue;
        /* rank by likelihood: a neighbouring key beats any other key, and
         * a dropped letter ("monthy" for "monthly") an extra one ("month") */
        int score = typo_cost(w, n, c, m) * 2 + (m < n ? 1 : 0);
        if (score < bestd) {
            bestd = score;
            best = c;
            ties = 0;
        } else if (score == bestd) {
            ties++;
        }
    }
    return best && ties == 0 ? best : NULL;
}

ria_status vocab_build(vocab *v, ria_snapshot *snap, json_t *model, ria_error *err)
{
    memset(v, 0, sizeof *v);
    v->snap = snap;
    ria_arena_init(&v->lex.strings, 256 * 1024);
    find_roles(v);
    find_currency(v);
    load_status(v, model);
    define_metrics(v);
    for (int m = 0; m < M_COUNT_; m++)
        if (v->metrics[m].available)
            lex_add_list(&v->lex, metric_table[m].words, LX_METRIC, m);
    for (size_t i = 0; i < RIA_ARRAY_LEN(grammar_words); i++)
        lex_add_list(&v->lex, grammar_words[i].words, LX_WORD, grammar_words[i].id);
    lex_add_list(&v->lex, filler_words, LX_FILLER, 0);
    lex_add_list(&v->lex, scope_words, LX_SCOPE, 0);
    add_dims_and_values(v);
    add_state_words(v);
    add_status_words(v);
    add_city_nicknames(v);
    add_product_words(v);
    add_currency_words(v);
    if (index_lexicon(&v->lex) != RIA_OK)
        return ria_fail(err, RIA_ENOMEM, "out of memory building the vocabulary");
    build_spelling(v);
    return RIA_OK;
}

void vocab_free(vocab *v)
{
    ria_strmap_free(&v->known);
    free(v->fix_words);
    free(v->lex.e);
    ria_strmap_free(&v->lex.first);
    ria_arena_free(&v->lex.strings);
    memset(v, 0, sizeof *v);
}

int vocab_dim_of_col(const vocab *v, int col)
{
    for (int i = 0; i < v->ndims; i++)
        if (v->dims[i].col == col)
            return i;
    return -1;
}

/* Whether the question spells an exact-case value as stored. */
static bool spelled_as_stored(const lex_entry *e, const ask_tokens *t, int at, int k,
                              const char *question)
{
    uint32_t a = t->t[at].start, b = t->t[at + k - 1].end;
    size_t n = strlen(e->value);
    return b - a == n && memcmp(question + a, e->value, n) == 0;
}

int vocab_lookup(const vocab *v, const ask_tokens *t, int at, int maxw, const char *question,
                 const lex_entry **out)
{
    const lexicon *lx = &v->lex;
    uint32_t first;
    if (!ria_strmap_get(&lx->first, t->t[at].text, t->t[at].len, &first))
        return 0;
    int best = 0;
    const lex_entry *best_e = NULL;
    /* entries sharing the first word are contiguous in sorted order */
    for (int i = (int)first - 1; i < lx->n; i++) {
        const lex_entry *e = &lx->e[i];
        const char *p = e->phrase;
        size_t fl = t->t[at].len;
        if (strncmp(p, t->t[at].text, fl) != 0 || (p[fl] && p[fl] != ' '))
            break;
        /* match the following words (a "-" between them is not a word) */
        int k = 1;
        const char *q = p + fl;
        while (*q == ' ' && at + k < t->n && k < maxw) {
            if (t->t[at + k].kind == TOK_PUNCT && t->t[at + k].text[0] == '-' &&
                at + k + 1 < t->n && k + 1 < maxw) {
                k++;
                continue;
            }
            q++;
            size_t wl = t->t[at + k].len;
            if (strncmp(q, t->t[at + k].text, wl) != 0 || (q[wl] && q[wl] != ' '))
                break;
            q += wl;
            k++;
        }
        if (*q)
            continue; /* the phrase needs more words than matched */
        if (e->exact_case && question && !spelled_as_stored(e, t, at, k, question))
            continue;
        if (k > best || (k == best && best_e && e->kind < best_e->kind)) {
            best = k;
            best_e = e;
        }
    }
    if (best_e)
        *out = best_e;
    return best;
}

bool vocab_product_word(const lex_entry *e)
{
    if (e->kind != LX_DIM)
        return false;
    size_t n = strlen(e->phrase);
    const char *p = PRODUCT_WORDS;
    while (*p) {
        const char *q = strchr(p, '|');
        size_t k = q ? (size_t)(q - p) : strlen(p);
        if (k == n && memcmp(p, e->phrase, n) == 0)
            return true;
        p = q ? q + 1 : p + k;
    }
    return false;
}
