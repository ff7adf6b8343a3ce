/*
 * ask_internal.h — private to the ask component: the vocabulary built from
 * the semantic model and snapshot, the interpretation of a question (the
 * "intent"), and the stages between them:
 *
 *   tokens ─► lexicon matches (metrics, dimensions, values, time, shape
 *   words, filler) ─► intent (metric, filters, period(s), grouping, shape)
 *   ─► SQL plans ─► engine results ─► answer
 *
 * Every token must be accounted for by some match; whatever is left is
 * "not understood" and the answer names it instead of guessing.
 */
#ifndef RIA_ASK_INTERNAL_H
#define RIA_ASK_INTERNAL_H

#include "ask.h"
#include "timex.h"

#include <jansson.h>
#include <pthread.h>

/* ---------------------------------------------------------------- metrics */

typedef enum {
    M_REVENUE, M_ORDERS, M_UNITS, M_AOV, M_ASP, M_PROFIT, M_MARGIN, M_CUSTOMERS, M_DISCOUNT,
    M_CANCEL_RATE, M_RETURN_RATE, M_LINES, M_REV_PER_CUSTOMER, M_ORDERS_PER_CUSTOMER,
    M_UNITS_PER_ORDER, M_COUNT_
} metric_id;

#define M_NONE ((metric_id)-1)

typedef struct {
    metric_id id;
    const char *name;        /* "revenue" */
    const char *label;       /* "Revenue" */
    ria_value_unit unit;     /* money, count, ratio */
    bool status_free;        /* rates and line counts ignore the status rule */
    bool additive;           /* a sum: shares and differences make sense */
    char sql[256];           /* the aggregate expression for this data set */
    char definition[160];    /* said in the interpretation */
    bool available;          /* the data has the columns it needs */
} metric_def;

/* -------------------------------------------------------------- vocabulary */

/* A dimension: a column people group and filter by. */
typedef struct {
    int col;                 /* store column id */
    const char *name;        /* column name (SQL) */
    char label[64];          /* "category", "sub-category", "ship mode" */
    bool is_time;            /* order date (grouped by grain instead) */
    bool has_values;         /* dictionary-coded: values known */
} dim_def;

/* What a phrase of the lexicon stands for. */
typedef enum {
    LX_METRIC,      /* a metric word: id */
    LX_DIM,         /* a dimension name: dim index */
    LX_VALUE,       /* a dimension value: dim index + value */
    LX_STATES,      /* a named group of states ("West Coast"): value list */
    LX_WORD,        /* a function word of the grammar: word id */
    LX_FILLER,      /* words that carry no meaning here ("please", "the") */
    LX_SCOPE,       /* words that put a question out of scope ("weather", "delete") */
    LX_CURRENCY,    /* a currency ("dollars", "euros"): value = ISO code */
} lex_kind;

/* Function words the grammar looks at. */
typedef enum {
    W_BY, W_EACH, W_TOP, W_BOTTOM, W_HIGHEST, W_LOWEST, W_VS, W_AND, W_OR, W_COMPARE,
    W_GROWTH, W_CHANGE, W_INCREASE, W_DECREASE, W_MORE, W_LESS, W_THAN, W_SHARE, W_PERCENT,
    W_TREND_UP, W_TREND_DOWN, W_TREND, W_DAILY, W_WEEKLY, W_MONTHLY, W_QUARTERLY, W_YEARLY,
    W_YOY, W_MOM, W_QOQ, W_WHICH, W_HOW_MANY, W_HOW_MUCH, W_NOT, W_ONLY, W_EXCLUDING,
    W_ALL, W_TOTAL, W_AVERAGE, W_FROM, W_TO, W_IN, W_FOR, W_OF, W_WITH, W_BETWEEN, W_SINCE,
    W_ABOVE, W_BELOW, W_BUT, W_WHILE, W_WHAT_ABOUT, W_BREAK_DOWN, W_DAY, W_WEEK, W_MONTH,
    W_QUARTER, W_YEAR, W_PER, W_ACROSS, W_LAST, W_FIRST, W_BEST, W_WORST, W_WOW, W_DOD, W_LOSS,
    W_CONTRIBUTE, W_COUNT_
} word_id;

typedef struct {
    const char *phrase;      /* lower-case words separated by single spaces */
    int nwords;
    lex_kind kind;
    int id;                  /* metric / dim index / word id */
    const char *value;       /* LX_VALUE: the stored value (original case) */
    const char **values;     /* LX_STATES: state codes */
    int nvalues;
    bool exact_case;         /* a value that is also a common word: match
                                only when written capitalized as stored */
} lex_entry;

typedef struct {
    lex_entry *e;
    int n, cap;
    ria_strmap first;        /* first word -> index of the first entry starting with it (+1) */
    ria_arena strings;
} lexicon;

/* ----------------------------------------------------------------- intent */

#define MAX_FILTERS 12
#define MAX_VALUES 32
#define MAX_PERIODS 8

typedef struct {
    int dim;                       /* dim index */
    const char *values[MAX_VALUES];/* OR-ed values (stored strings) */
    int nvalues;
    bool negate;
    bool named_group;              /* a named group of values ("West Coast"), not a list */
    char label[96];                /* "California", "the West Coast" */
} ask_filter;

typedef enum {
    SH_FIGURE,        /* one number */
    SH_BREAKDOWN,     /* metric by one or two dimensions */
    SH_SERIES,        /* metric over time at a grain (optionally by a dimension) */
    SH_RANK,          /* top/bottom N of a dimension (or of time buckets) */
    SH_COMPARE,       /* periods side by side, or values side by side */
    SH_GROWTH,        /* new / old - 1 (or a difference), optionally by a dimension */
    SH_SHARE,         /* part / whole */
    SH_THRESHOLD,     /* groups whose metric or growth passes a bound */
    SH_TREND,         /* groups by the sign of the least-squares slope */
} ask_shape;

typedef struct {
    ask_shape shape;
    metric_id metric;
    metric_id metric2;             /* TREND with two conditions, -1 when none */
    bool metric_explicit;          /* a metric word was given */
    ask_filter filters[MAX_FILTERS];
    int nfilters;
    ask_period period;             /* the period of interest (whole table when !has_period) */
    bool has_period;
    ask_period periods[MAX_PERIODS]; /* COMPARE / GROWTH periods, oldest first */
    int nperiods;
    int group[2];                  /* dim indexes (breakdowns, ranks, shares ...) */
    int ngroup;
    ria_time_unit grain;           /* SERIES grain, or a RANK over time buckets */
    bool by_time;                  /* grouped by time buckets */
    int top_n;                     /* RANK (and "top 3 categories' share"), 0 = all */
    bool ascending;                /* bottom / lowest / worst */
    bool compare_values;           /* COMPARE of filter values (CA vs TX) */
    int compare_filter;            /* which filter holds the compared values */
    bool difference;               /* GROWTH as new - old ("how many more", "biggest increase") */
    bool growth_rank;              /* rank groups by growth */
    double bound;                  /* THRESHOLD: the bound (fraction for growth, else value) */
    bool bound_above;
    bool bound_inclusive;          /* "at least", "at most" (THRESHOLD and having) */
    bool bound_on_growth;
    bool trend_up, trend2_up;      /* TREND directions wanted */
    bool growth_series;            /* GROWTH of each time bucket over the one `lag` before */
    int lag_months;                /* growth_series: 0 = the previous bucket, 12 = a year */
    metric_id extra;               /* RANK: a second metric shown beside the ranked one */
    bool has_having;               /* RANK among groups whose having_metric passes a bound */
    metric_id having_metric;
    double having_bound;
    bool having_above;
    bool share_of_period;          /* SHARE: periods[0] (inside) of period (the whole) */
    bool status_grouped;           /* grouped or filtered by status: no status rule */
    bool range_tx;                 /* the period came from an explicit range */
    ask_period anchor_year;        /* the anchor's calendar year (default growth period) */
    int64_t anchor;                /* "today" of the question */
} ask_intent;

#endif
