/* test_timex.c — the question tokenizer and the time-expression parser
 * (src/ask/tokenize.c, src/ask/timex.c): tables of phrasings with their
 * expected intervals, spans and labels, and randomized sentences. */
#include "test.h"
#include "ask/timex.h"

#include <stdlib.h>

/* ------------------------------------------------------------ helpers */

#define DEFAULT_ANCHOR "2024-12-30 23:53"

static int64_t anchor_of(const char *s)
{
    int64_t secs = 0;
    bool has_time;
    if (!s)
        s = DEFAULT_ANCHOR;
    if (ria_parse_date(s, strlen(s), RIA_DATE_ISO, &secs, &has_time) != 1)
        test_failed(__FILE__, __LINE__, "bad anchor %s", s);
    return secs;
}

static void day_str(int64_t secs, char buf[11])
{
    ria_format_date(ria_floor_div(secs, RIA_SECS_PER_DAY), buf);
}

/* The original text a match covers. */
static void span_text(const char *q, const ask_tokens *t, const timex_match *m, char *out,
                      size_t outsz)
{
    uint32_t a = t->t[m->tok].start, b = t->t[m->tok + m->ntok - 1].end;
    snprintf(out, outsz, "%.*s", (int)(b - a), q + a);
}

static const char *kind_name(const timex_match *m)
{
    static const char *const bounds[] = {
        [TXB_NONE] = "range", [TXB_FROM_TO] = "range", [TXB_SINCE] = "since",
        [TXB_AFTER] = "after", [TXB_BEFORE] = "before", [TXB_UNTIL] = "until",
    };
    if (m->kind == TX_PERIOD)
        return "period";
    if (m->kind == TX_LIST)
        return "list";
    return bounds[m->bound];
}

static void parts_text(const timex_match *m, char *out, size_t outsz)
{
    size_t n = 0;
    out[0] = 0;
    for (int k = 0; k < m->nperiods && n < outsz; k++)
        n += (size_t)snprintf(out + n, outsz - n, "%s%s", k ? " | " : "", m->periods[k].label);
}

/* ------------------------------------------------------ the phrasings */

typedef struct {
    const char *anchor;  /* NULL: DEFAULT_ANCHOR */
    const char *q;
    int nmatch;          /* matches expected; the fields below describe the first */
    const char *kind;    /* period, list, range, since, after, before, until */
    const char *span;    /* the text it covers */
    const char *start, *end; /* [start, end) */
    const char *label;
    const char *parts;   /* lists and ranges: the period labels, " | " between; NULL = skip */
} timex_case;

#define A_JAN1 "2024-01-01 00:00"
#define A_FEB10 "2024-02-10 12:00"
#define A_MAR31 "2024-03-31 10:00"

static const timex_case cases[] = {
    /* years */
    {NULL, "What was total revenue in 2024?", 1, "period", "in 2024",
     "2024-01-01", "2025-01-01", "2024", NULL},
    {NULL, "How many orders did we get in 2023?", 1, "period", "in 2023",
     "2023-01-01", "2024-01-01", "2023", NULL},
    {NULL, "FY2024 revenue", 1, "period", "FY2024", "2024-01-01", "2025-01-01", "2024", NULL},
    {NULL, "revenue for fiscal 2024", 1, "period", "for fiscal 2024",
     "2024-01-01", "2025-01-01", "2024", NULL},
    {NULL, "fiscal year 2023 sales", 1, "period", "fiscal year 2023",
     "2023-01-01", "2024-01-01", "2023", NULL},
    {NULL, "FY24", 1, "period", "FY24", "2024-01-01", "2025-01-01", "2024", NULL},
    {NULL, "units in FY 2022", 1, "period", "in FY 2022", "2022-01-01", "2023-01-01", "2022", NULL},
    {NULL, "fy'23 margin", 1, "period", "fy'23", "2023-01-01", "2024-01-01", "2023", NULL},
    {NULL, "calendar year 2022", 1, "period", "calendar year 2022",
     "2022-01-01", "2023-01-01", "2022", NULL},
    {NULL, "sales during the year 2021", 1, "period", "during the year 2021",
     "2021-01-01", "2022-01-01", "2021", NULL},
    {NULL, "2024", 1, "period", "2024", "2024-01-01", "2025-01-01", "2024", NULL},
    {NULL, "Which month of 2024 had the highest revenue?", 1, "period", "of 2024",
     "2024-01-01", "2025-01-01", "2024", NULL},
    {NULL, "What share of 2024 revenue came from the top 3 categories?", 1, "period", "of 2024",
     "2024-01-01", "2025-01-01", "2024", NULL},
    {NULL, "How many 2024 orders were returned?", 1, "period", "2024",
     "2024-01-01", "2025-01-01", "2024", NULL},
    {NULL, "revenue in 1995", 1, "period", "in 1995", "1995-01-01", "1996-01-01", "1995", NULL},

    /* months */
    {NULL, "What was total revenue in January 2024?", 1, "period", "in January 2024",
     "2024-01-01", "2024-02-01", "January 2024", NULL},
    {NULL, "Revenue in Jan 2024", 1, "period", "in Jan 2024",
     "2024-01-01", "2024-02-01", "January 2024", NULL},
    {NULL, "sales for Jan '24", 1, "period", "for Jan '24",
     "2024-01-01", "2024-02-01", "January 2024", NULL},
    {NULL, "sales for Jan \xe2\x80\x99" "24", 1, "period", "for Jan \xe2\x80\x99" "24",
     "2024-01-01", "2024-02-01", "January 2024", NULL},
    {NULL, "March of 2024", 1, "period", "March of 2024",
     "2024-03-01", "2024-04-01", "March 2024", NULL},
    {NULL, "March, 2024", 1, "period", "March, 2024",
     "2024-03-01", "2024-04-01", "March 2024", NULL},
    {NULL, "sales 2024-01", 1, "period", "2024-01",
     "2024-01-01", "2024-02-01", "January 2024", NULL},
    {NULL, "sales in 01/2024", 1, "period", "in 01/2024",
     "2024-01-01", "2024-02-01", "January 2024", NULL},
    {NULL, "Sept. 2024 orders", 1, "period", "Sept. 2024",
     "2024-09-01", "2024-10-01", "September 2024", NULL},
    {NULL, "sept 2023", 1, "period", "sept 2023",
     "2023-09-01", "2023-10-01", "September 2023", NULL},
    {NULL, "Revenue in Januray 2024", 1, "period", "in Januray 2024",
     "2024-01-01", "2024-02-01", "January 2024", NULL},
    {NULL, "Febuary sales", 1, "period", "Febuary",
     "2024-02-01", "2024-03-01", "February 2024", NULL},
    {NULL, "Septmber 2023", 1, "period", "Septmber 2023",
     "2023-09-01", "2023-10-01", "September 2023", NULL},
    {NULL, "Novmeber 2023", 1, "period", "Novmeber 2023",
     "2023-11-01", "2023-12-01", "November 2023", NULL},
    {NULL, "DECEMBER 2023", 1, "period", "DECEMBER 2023",
     "2023-12-01", "2024-01-01", "December 2023", NULL},
    {NULL, "revenue in December", 1, "period", "in December",
     "2024-12-01", "2025-01-01", "December 2024", NULL},
    {NULL, "November", 1, "period", "November", "2024-11-01", "2024-12-01", "November 2024", NULL},
    {A_FEB10, "March", 1, "period", "March", "2023-03-01", "2023-04-01", "March 2023", NULL},
    {A_FEB10, "February", 1, "period", "February",
     "2024-02-01", "2024-03-01", "February 2024", NULL},
    {A_JAN1, "January", 1, "period", "January", "2024-01-01", "2024-02-01", "January 2024", NULL},
    {A_JAN1, "February", 1, "period", "February",
     "2023-02-01", "2023-03-01", "February 2023", NULL},
    {A_JAN1, "in December", 1, "period", "in December",
     "2023-12-01", "2024-01-01", "December 2023", NULL},
    {NULL, "revenue in May", 1, "period", "in May", "2024-05-01", "2024-06-01", "May 2024", NULL},
    {NULL, "May 2024 revenue", 1, "period", "May 2024",
     "2024-05-01", "2024-06-01", "May 2024", NULL},
    {NULL, "last December", 1, "period", "last December",
     "2023-12-01", "2024-01-01", "December 2023", NULL},
    {A_FEB10, "last December", 1, "period", "last December",
     "2023-12-01", "2024-01-01", "December 2023", NULL},
    {A_FEB10, "last January", 1, "period", "last January",
     "2024-01-01", "2024-02-01", "January 2024", NULL},
    {A_FEB10, "previous February", 1, "period", "previous February",
     "2023-02-01", "2023-03-01", "February 2023", NULL},
    {A_FEB10, "this March", 1, "period", "this March",
     "2024-03-01", "2024-04-01", "March 2024", NULL},

    /* quarters and halves */
    {NULL, "Total units sold in Q2 2024", 1, "period", "in Q2 2024",
     "2024-04-01", "2024-07-01", "Q2 2024", NULL},
    {NULL, "q1 2024", 1, "period", "q1 2024", "2024-01-01", "2024-04-01", "Q1 2024", NULL},
    {NULL, "2024 Q1 revenue", 1, "period", "2024 Q1", "2024-01-01", "2024-04-01", "Q1 2024", NULL},
    {NULL, "Q1'24", 1, "period", "Q1'24", "2024-01-01", "2024-04-01", "Q1 2024", NULL},
    {NULL, "Q3 of 2023", 1, "period", "Q3 of 2023", "2023-07-01", "2023-10-01", "Q3 2023", NULL},
    {NULL, "2024-Q3", 1, "period", "2024-Q3", "2024-07-01", "2024-10-01", "Q3 2024", NULL},
    {NULL, "2024q3", 1, "period", "2024q3", "2024-07-01", "2024-10-01", "Q3 2024", NULL},
    {NULL, "Q2 FY24", 1, "period", "Q2 FY24", "2024-04-01", "2024-07-01", "Q2 2024", NULL},
    {NULL, "first quarter of 2024", 1, "period", "first quarter of 2024",
     "2024-01-01", "2024-04-01", "Q1 2024", NULL},
    {NULL, "in the fourth quarter", 1, "period", "in the fourth quarter",
     "2024-10-01", "2025-01-01", "Q4 2024", NULL},
    {NULL, "1st quarter", 1, "period", "1st quarter", "2024-01-01", "2024-04-01", "Q1 2024", NULL},
    {NULL, "third-quarter 2023", 1, "period", "third-quarter 2023",
     "2023-07-01", "2023-10-01", "Q3 2023", NULL},
    {NULL, "quarter 2 2023", 1, "period", "quarter 2 2023",
     "2023-04-01", "2023-07-01", "Q2 2023", NULL},
    {NULL, "the last quarter of 2023", 1, "period", "the last quarter of 2023",
     "2023-10-01", "2024-01-01", "Q4 2023", NULL},
    {NULL, "Q4", 1, "period", "Q4", "2024-10-01", "2025-01-01", "Q4 2024", NULL},
    {A_FEB10, "Q1", 1, "period", "Q1", "2024-01-01", "2024-04-01", "Q1 2024", NULL},
    {A_FEB10, "Q2", 1, "period", "Q2", "2023-04-01", "2023-07-01", "Q2 2023", NULL},
    {A_JAN1, "Q1", 1, "period", "Q1", "2024-01-01", "2024-04-01", "Q1 2024", NULL},
    {A_JAN1, "Q4", 1, "period", "Q4", "2023-10-01", "2024-01-01", "Q4 2023", NULL},
    {NULL, "Revenue in the West region in H1 2024", 1, "period", "in H1 2024",
     "2024-01-01", "2024-07-01", "H1 2024", NULL},
    {NULL, "first half of 2024", 1, "period", "first half of 2024",
     "2024-01-01", "2024-07-01", "H1 2024", NULL},
    {NULL, "the second half of 2023", 1, "period", "the second half of 2023",
     "2023-07-01", "2024-01-01", "H2 2023", NULL},
    {NULL, "H2", 1, "period", "H2", "2024-07-01", "2025-01-01", "H2 2024", NULL},
    {A_FEB10, "H2", 1, "period", "H2", "2023-07-01", "2024-01-01", "H2 2023", NULL},
    {A_JAN1, "H1", 1, "period", "H1", "2024-01-01", "2024-07-01", "H1 2024", NULL},
    {NULL, "2023 H2", 1, "period", "2023 H2", "2023-07-01", "2024-01-01", "H2 2023", NULL},
    {NULL, "last Q4", 1, "period", "last Q4", "2023-10-01", "2024-01-01", "Q4 2023", NULL},
    {A_FEB10, "last Q4", 1, "period", "last Q4", "2023-10-01", "2024-01-01", "Q4 2023", NULL},
    {A_FEB10, "this Q2", 1, "period", "this Q2", "2024-04-01", "2024-07-01", "Q2 2024", NULL},

    /* days */
    {NULL, "2024-03-03", 1, "period", "2024-03-03", "2024-03-03", "2024-03-04", "2024-03-03", NULL},
    {NULL, "sales on March 3, 2024", 1, "period", "on March 3, 2024",
     "2024-03-03", "2024-03-04", "2024-03-03", NULL},
    {NULL, "March 3rd", 1, "period", "March 3rd", "2024-03-03", "2024-03-04", "2024-03-03", NULL},
    {NULL, "3 March 2024", 1, "period", "3 March 2024",
     "2024-03-03", "2024-03-04", "2024-03-03", NULL},
    {NULL, "orders on 3/15/2024", 1, "period", "on 3/15/2024",
     "2024-03-15", "2024-03-16", "2024-03-15", NULL},
    {NULL, "the 3rd of March 2024", 1, "period", "the 3rd of March 2024",
     "2024-03-03", "2024-03-04", "2024-03-03", NULL},
    {NULL, "3/15/24", 1, "period", "3/15/24", "2024-03-15", "2024-03-16", "2024-03-15", NULL},
    {NULL, "15.03.2024", 1, "period", "15.03.2024", "2024-03-15", "2024-03-16", "2024-03-15", NULL},
    {NULL, "25/12/2023", 1, "period", "25/12/2023", "2023-12-25", "2023-12-26", "2023-12-25", NULL},
    {NULL, "March first", 1, "period", "March first",
     "2024-03-01", "2024-03-02", "2024-03-01", NULL},
    {NULL, "Jan 24", 1, "period", "Jan 24", "2024-01-24", "2024-01-25", "2024-01-24", NULL},
    {NULL, "Dec 25th, 2023", 1, "period", "Dec 25th, 2023",
     "2023-12-25", "2023-12-26", "2023-12-25", NULL},
    {A_FEB10, "March 3", 1, "period", "March 3", "2023-03-03", "2023-03-04", "2023-03-03", NULL},
    {A_FEB10, "February 10", 1, "period", "February 10",
     "2024-02-10", "2024-02-11", "2024-02-10", NULL},
    {A_FEB10, "February 11", 1, "period", "February 11",
     "2023-02-11", "2023-02-12", "2023-02-11", NULL},
    {NULL, "December 31", 1, "period", "December 31",
     "2023-12-31", "2024-01-01", "2023-12-31", NULL},
    {NULL, "February 29, 2024", 1, "period", "February 29, 2024",
     "2024-02-29", "2024-03-01", "2024-02-29", NULL},
    {A_JAN1, "February 29", 1, "period", "February 29",
     "2020-02-29", "2020-03-01", "2020-02-29", NULL},
    {A_MAR31, "February 29", 1, "period", "February 29",
     "2024-02-29", "2024-03-01", "2024-02-29", NULL},
    {NULL, "the week of March 3, 2024", 1, "period", "the week of March 3, 2024",
     "2024-02-26", "2024-03-04", "week of 2024-02-26", NULL},
    {NULL, "week of 2024-03-04", 1, "period", "week of 2024-03-04",
     "2024-03-04", "2024-03-11", "week of 2024-03-04", NULL},

    /* calendar periods relative to the anchor */
    {NULL, "Revenue last month", 1, "period", "last month",
     "2024-11-01", "2024-12-01", "November 2024", NULL},
    {NULL, "previous month", 1, "period", "previous month",
     "2024-11-01", "2024-12-01", "November 2024", NULL},
    {NULL, "prior quarter", 1, "period", "prior quarter",
     "2024-07-01", "2024-10-01", "Q3 2024", NULL},
    {NULL, "How much did we sell in Texas last quarter?", 1, "period", "last quarter",
     "2024-07-01", "2024-10-01", "Q3 2024", NULL},
    {NULL, "Sales by region last year", 1, "period", "last year",
     "2023-01-01", "2024-01-01", "2023", NULL},
    {NULL, "last fiscal year", 1, "period", "last fiscal year",
     "2023-01-01", "2024-01-01", "2023", NULL},
    {NULL, "in the last year", 1, "period", "in the last year",
     "2023-01-01", "2024-01-01", "2023", NULL},
    {NULL, "last week", 1, "period", "last week",
     "2024-12-23", "2024-12-30", "week of 2024-12-23", NULL},
    {A_FEB10, "last week", 1, "period", "last week",
     "2024-01-29", "2024-02-05", "week of 2024-01-29", NULL},
    {A_FEB10, "this week", 1, "period", "this week",
     "2024-02-05", "2024-02-11", "week of 2024-02-05 to date (to 2024-02-10)", NULL},
    {NULL, "this week", 1, "period", "this week",
     "2024-12-30", "2024-12-31", "week of 2024-12-30 to date (to 2024-12-30)", NULL},
    {NULL, "Sales this year", 1, "period", "this year",
     "2024-01-01", "2024-12-31", "2024 to date (to 2024-12-30)", NULL},
    {NULL, "this month", 1, "period", "this month",
     "2024-12-01", "2024-12-31", "December 2024 to date (to 2024-12-30)", NULL},
    {NULL, "current quarter", 1, "period", "current quarter",
     "2024-10-01", "2024-12-31", "Q4 2024 to date (to 2024-12-30)", NULL},
    {NULL, "MTD revenue", 1, "period", "MTD",
     "2024-12-01", "2024-12-31", "December 2024 to date (to 2024-12-30)", NULL},
    {NULL, "month-to-date sales", 1, "period", "month-to-date",
     "2024-12-01", "2024-12-31", "December 2024 to date (to 2024-12-30)", NULL},
    {NULL, "QTD", 1, "period", "QTD",
     "2024-10-01", "2024-12-31", "Q4 2024 to date (to 2024-12-30)", NULL},
    {NULL, "YTD revenue", 1, "period", "YTD",
     "2024-01-01", "2024-12-31", "2024 to date (to 2024-12-30)", NULL},
    {NULL, "year to date", 1, "period", "year to date",
     "2024-01-01", "2024-12-31", "2024 to date (to 2024-12-30)", NULL},
    {NULL, "so far this year", 1, "period", "so far this year",
     "2024-01-01", "2024-12-31", "2024 to date (to 2024-12-30)", NULL},
    {NULL, "this year so far", 1, "period", "this year so far",
     "2024-01-01", "2024-12-31", "2024 to date (to 2024-12-30)", NULL},
    {NULL, "today", 1, "period", "today", "2024-12-30", "2024-12-31", "2024-12-30", NULL},
    {NULL, "sales yesterday", 1, "period", "yesterday",
     "2024-12-29", "2024-12-30", "2024-12-29", NULL},
    {NULL, "the year before last", 1, "period", "the year before last",
     "2022-01-01", "2023-01-01", "2022", NULL},
    {NULL, "2 years ago", 1, "period", "2 years ago", "2022-01-01", "2023-01-01", "2022", NULL},
    {NULL, "a month ago", 1, "period", "a month ago",
     "2024-11-01", "2024-12-01", "November 2024", NULL},
    {NULL, "next month", 1, "period", "next month",
     "2025-01-01", "2025-02-01", "January 2025", NULL},
    {A_JAN1, "this year", 1, "period", "this year",
     "2024-01-01", "2024-01-02", "2024 to date (to 2024-01-01)", NULL},
    {A_JAN1, "last month", 1, "period", "last month",
     "2023-12-01", "2024-01-01", "December 2023", NULL},
    {A_JAN1, "last quarter", 1, "period", "last quarter",
     "2023-10-01", "2024-01-01", "Q4 2023", NULL},
    {A_JAN1, "last week", 1, "period", "last week",
     "2023-12-25", "2024-01-01", "week of 2023-12-25", NULL},
    {A_MAR31, "last month", 1, "period", "last month",
     "2024-02-01", "2024-03-01", "February 2024", NULL},
    {A_MAR31, "this quarter", 1, "period", "this quarter",
     "2024-01-01", "2024-04-01", "Q1 2024 to date (to 2024-03-31)", NULL},

    /* rolling windows */
    {NULL, "Daily revenue for the last 7 days", 1, "period", "for the last 7 days",
     "2024-12-24", "2024-12-31", "the last 7 days (2024-12-24 to 2024-12-30)", NULL},
    {NULL, "past 30 days", 1, "period", "past 30 days",
     "2024-12-01", "2024-12-31", "the last 30 days (2024-12-01 to 2024-12-30)", NULL},
    {NULL, "trailing 90 days", 1, "period", "trailing 90 days",
     "2024-10-02", "2024-12-31", "the last 90 days (2024-10-02 to 2024-12-30)", NULL},
    {NULL, "last 2 weeks", 1, "period", "last 2 weeks",
     "2024-12-17", "2024-12-31", "the last 2 weeks (2024-12-17 to 2024-12-30)", NULL},
    {NULL, "over the past 12 months", 1, "period", "over the past 12 months",
     "2023-12-31", "2024-12-31", "the last 12 months (2023-12-31 to 2024-12-30)", NULL},
    {NULL, "last 3 months", 1, "period", "last 3 months",
     "2024-10-01", "2024-12-31", "the last 3 months (2024-10-01 to 2024-12-30)", NULL},
    {NULL, "last 2 years", 1, "period", "last 2 years",
     "2022-12-31", "2024-12-31", "the last 2 years (2022-12-31 to 2024-12-30)", NULL},
    {NULL, "last seven days", 1, "period", "last seven days",
     "2024-12-24", "2024-12-31", "the last 7 days (2024-12-24 to 2024-12-30)", NULL},
    {NULL, "trailing twelve months", 1, "period", "trailing twelve months",
     "2023-12-31", "2024-12-31", "the last 12 months (2023-12-31 to 2024-12-30)", NULL},
    {NULL, "TTM revenue", 1, "period", "TTM",
     "2023-12-31", "2024-12-31", "the last 12 months (2023-12-31 to 2024-12-30)", NULL},
    {NULL, "past 4 quarters", 1, "period", "past 4 quarters",
     "2023-12-31", "2024-12-31", "the last 4 quarters (2023-12-31 to 2024-12-30)", NULL},
    {NULL, "within the last 1 day", 1, "period", "within the last 1 day",
     "2024-12-30", "2024-12-31", "the trailing day (2024-12-30)", NULL},
    {A_MAR31, "last 1 month", 1, "period", "last 1 month",
     "2024-03-01", "2024-04-01", "the trailing month (2024-03-01 to 2024-03-31)", NULL},
    {A_MAR31, "last 3 months", 1, "period", "last 3 months",
     "2024-01-01", "2024-04-01", "the last 3 months (2024-01-01 to 2024-03-31)", NULL},
    {"2024-05-31 12:00", "last 3 months", 1, "period", "last 3 months",
     "2024-03-01", "2024-06-01", "the last 3 months (2024-03-01 to 2024-05-31)", NULL},
    {"2025-03-31 12:00", "last 1 month", 1, "period", "last 1 month",
     "2025-03-01", "2025-04-01", "the trailing month (2025-03-01 to 2025-03-31)", NULL},
    {"2024-02-29 08:00", "past year", 1, "period", "past year",
     "2023-03-01", "2024-03-01", "the trailing year (2023-03-01 to 2024-02-29)", NULL},
    {A_FEB10, "last 1 month", 1, "period", "last 1 month",
     "2024-01-11", "2024-02-11", "the trailing month (2024-01-11 to 2024-02-10)", NULL},
    {A_JAN1, "last 7 days", 1, "period", "last 7 days",
     "2023-12-26", "2024-01-02", "the last 7 days (2023-12-26 to 2024-01-01)", NULL},

    /* ranges */
    {NULL, "between March 1 and March 15 2024", 1, "range", "between March 1 and March 15 2024",
     "2024-03-01", "2024-03-16", "2024-03-01 to 2024-03-15", "2024-03-01 | 2024-03-15"},
    {NULL, "from January to March 2024", 1, "range", "from January to March 2024",
     "2024-01-01", "2024-04-01", "January to March 2024", "January 2024 | March 2024"},
    {NULL, "Jan\xe2\x80\x93Mar 2024", 1, "range", "Jan\xe2\x80\x93Mar 2024",
     "2024-01-01", "2024-04-01", "January to March 2024", "January 2024 | March 2024"},
    {NULL, "Jan-Mar 2024", 1, "range", "Jan-Mar 2024",
     "2024-01-01", "2024-04-01", "January to March 2024", "January 2024 | March 2024"},
    {NULL, "sales since June", 1, "since", "since June",
     "2024-06-01", "2024-12-31", "since June 2024 (to 2024-12-30)", "June 2024"},
    {NULL, "since 2023", 1, "since", "since 2023",
     "2023-01-01", "2024-12-31", "since 2023 (to 2024-12-30)", "2023"},
    {NULL, "How did Electronics revenue change from 2023 to 2024?", 1, "range", "from 2023 to 2024",
     "2023-01-01", "2025-01-01", "2023 to 2024", "2023 | 2024"},
    {NULL, "2023 through 2024", 1, "range", "2023 through 2024",
     "2023-01-01", "2025-01-01", "2023 to 2024", "2023 | 2024"},
    {NULL, "before 2024", 1, "before", "before 2024",
     "0001-01-01", "2024-01-01", "before 2024", "2024"},
    {NULL, "after March 2024", 1, "after", "after March 2024",
     "2024-04-01", "2024-12-31", "after March 2024 (to 2024-12-30)", "March 2024"},
    {NULL, "until June", 1, "until", "until June",
     "0001-01-01", "2024-07-01", "through June 2024", "June 2024"},
    {NULL, "from Q3 to Q4 2024", 1, "range", "from Q3 to Q4 2024",
     "2024-07-01", "2025-01-01", "Q3 to Q4 2024", "Q3 2024 | Q4 2024"},
    {NULL, "from November to February 2024", 1, "range", "from November to February 2024",
     "2023-11-01", "2024-03-01", "November 2023 to February 2024", "November 2023 | February 2024"},
    {NULL, "from November 2023 to February", 1, "range", "from November 2023 to February",
     "2023-11-01", "2024-03-01", "November 2023 to February 2024", "November 2023 | February 2024"},
    {A_FEB10, "from October to March", 1, "range", "from October to March",
     "2023-10-01", "2024-04-01", "October 2023 to March 2024", "October 2023 | March 2024"},
    {A_FEB10, "from January to March", 1, "range", "from January to March",
     "2024-01-01", "2024-04-01", "January to March 2024", "January 2024 | March 2024"},
    {NULL, "2023-2024", 1, "range", "2023-2024",
     "2023-01-01", "2025-01-01", "2023 to 2024", "2023 | 2024"},
    {NULL, "Q1-Q3 2024", 1, "range", "Q1-Q3 2024",
     "2024-01-01", "2024-10-01", "Q1 to Q3 2024", "Q1 2024 | Q3 2024"},
    {NULL, "from 2023 onwards", 1, "since", "from 2023 onwards",
     "2023-01-01", "2024-12-31", "since 2023 (to 2024-12-30)", "2023"},
    {NULL, "prior to March 2024", 1, "before", "prior to March 2024",
     "0001-01-01", "2024-03-01", "before March 2024", "March 2024"},
    {NULL, "up to June 2024", 1, "until", "up to June 2024",
     "0001-01-01", "2024-07-01", "through June 2024", "June 2024"},
    {NULL, "since the end of 2023", 1, "after", "since the end of 2023",
     "2024-01-01", "2024-12-31", "after 2023 (to 2024-12-30)", "2023"},
    {NULL, "since last month", 1, "since", "since last month",
     "2024-11-01", "2024-12-31", "since November 2024 (to 2024-12-30)", "November 2024"},
    {NULL, "between 2022 and 2023", 1, "range", "between 2022 and 2023",
     "2022-01-01", "2024-01-01", "2022 to 2023", "2022 | 2023"},
    {NULL, "from 2024-01-15 to 2024-02-15", 1, "range", "from 2024-01-15 to 2024-02-15",
     "2024-01-15", "2024-02-16", "2024-01-15 to 2024-02-15", "2024-01-15 | 2024-02-15"},
    {NULL, "March 1-15", 1, "range", "March 1-15",
     "2024-03-01", "2024-03-16", "2024-03-01 to 2024-03-15", "2024-03-01 | 2024-03-15"},
    {NULL, "between March 1 and 15, 2023", 1, "range", "between March 1 and 15, 2023",
     "2023-03-01", "2023-03-16", "2023-03-01 to 2023-03-15", "2023-03-01 | 2023-03-15"},
    {NULL, "from 2022 to now", 1, "since", "from 2022 to now",
     "2022-01-01", "2024-12-31", "since 2022 (to 2024-12-30)", "2022"},
    {NULL, "revenue in 2024 to date", 1, "since", "in 2024 to date",
     "2024-01-01", "2024-12-31", "since 2024 (to 2024-12-30)", "2024"},
    {NULL, "until the start of June", 1, "before", "until the start of June",
     "0001-01-01", "2024-06-01", "before June 2024", "June 2024"},
    {NULL, "from last month to today", 1, "range", "from last month to today",
     "2024-11-01", "2024-12-31", "November 2024 to 2024-12-30", "November 2024 | 2024-12-30"},
    {NULL, "H1 to H2 2023", 1, "range", "H1 to H2 2023",
     "2023-01-01", "2024-01-01", "H1 to H2 2023", "H1 2023 | H2 2023"},

    /* lists and comparisons */
    {NULL, "Compare Q1 vs Q2 2024 revenue by category", 1, "list", "Q1 vs Q2 2024",
     "2024-01-01", "2024-04-01", "Q1 2024", "Q1 2024 | Q2 2024"},
    {NULL, "Q1 and Q2", 1, "list", "Q1 and Q2",
     "2024-01-01", "2024-04-01", "Q1 2024", "Q1 2024 | Q2 2024"},
    {NULL, "2023 vs 2024", 1, "list", "2023 vs 2024",
     "2023-01-01", "2024-01-01", "2023", "2023 | 2024"},
    {NULL, "2023 vs. 2024", 1, "list", "2023 vs. 2024",
     "2023-01-01", "2024-01-01", "2023", "2023 | 2024"},
    {NULL, "January, February and March 2024", 1, "list", "January, February and March 2024",
     "2024-01-01", "2024-02-01", "January 2024", "January 2024 | February 2024 | March 2024"},
    {NULL, "this year vs last year", 1, "list", "this year vs last year",
     "2024-01-01", "2024-12-31", "2024 to date (to 2024-12-30)",
     "2024 to date (to 2024-12-30) | 2023"},
    {NULL, "Q4 2024 vs Q4 2023 revenue by channel", 1, "list", "Q4 2024 vs Q4 2023",
     "2024-10-01", "2025-01-01", "Q4 2024", "Q4 2024 | Q4 2023"},
    {NULL, "growth in 2024 compared with 2023", 1, "list", "in 2024 compared with 2023",
     "2024-01-01", "2025-01-01", "2024", "2024 | 2023"},
    {NULL, "more orders in 2024 than in 2023", 1, "list", "in 2024 than in 2023",
     "2024-01-01", "2025-01-01", "2024", "2024 | 2023"},
    {NULL, "Compare the gross margin of Electronics in 2023 and 2024", 1,
     "list", "in 2023 and 2024",
     "2023-01-01", "2024-01-01", "2023", "2023 | 2024"},
    {NULL, "H1 vs H2 2023", 1, "list", "H1 vs H2 2023",
     "2023-01-01", "2023-07-01", "H1 2023", "H1 2023 | H2 2023"},
    {NULL, "last 7 days vs the previous 7 days", 1, "list", "last 7 days vs the previous 7 days",
     "2024-12-24", "2024-12-31", "the last 7 days (2024-12-24 to 2024-12-30)",
     "the last 7 days (2024-12-24 to 2024-12-30) | the previous 7 days (2024-12-17 to 2024-12-23)"},
    {NULL, "2024 over 2023", 1, "list", "2024 over 2023",
     "2024-01-01", "2025-01-01", "2024", "2024 | 2023"},
    {NULL, "May vs June", 1, "list", "May vs June",
     "2024-05-01", "2024-06-01", "May 2024", "May 2024 | June 2024"},
    {NULL, "Q1 & Q2 2023", 1, "list", "Q1 & Q2 2023",
     "2023-01-01", "2023-04-01", "Q1 2023", "Q1 2023 | Q2 2023"},
    {NULL, "December 2023 versus November 2023", 1, "list", "December 2023 versus November 2023",
     "2023-12-01", "2024-01-01", "December 2023", "December 2023 | November 2023"},
    {NULL, "Q1 2024 vs Q2", 1, "list", "Q1 2024 vs Q2",
     "2024-01-01", "2024-04-01", "Q1 2024", "Q1 2024 | Q2 2024"},
    {NULL, "2021, 2022, 2023 and 2024", 1, "list", "2021, 2022, 2023 and 2024",
     "2021-01-01", "2022-01-01", "2021", "2021 | 2022 | 2023 | 2024"},
    {NULL, "Q3 vs Q3 last year", 1, "list", "Q3 vs Q3 last year",
     "2024-07-01", "2024-10-01", "Q3 2024", "Q3 2024 | Q3 2023"},
    {NULL, "Q4 of last year", 1, "period", "Q4 of last year",
     "2023-10-01", "2024-01-01", "Q4 2023", NULL},
    {A_FEB10, "March this year", 1, "period", "March this year",
     "2024-03-01", "2024-04-01", "March 2024", NULL},
    {A_FEB10, "January, February and March", 1, "list", "January, February and March",
     "2024-01-01", "2024-02-01", "January 2024", "January 2024 | February 2024 | March 2023"},

    /* several expressions in one question */
    {NULL, "revenue in 2023 and profit in 2024", 2, "period", "in 2023",
     "2023-01-01", "2024-01-01", "2023", NULL},
    {NULL, "In 2024, March was our best month", 2, "period", "In 2024",
     "2024-01-01", "2025-01-01", "2024", NULL},
    {NULL, "top 5 states by revenue in 2023", 1, "period", "in 2023",
     "2023-01-01", "2024-01-01", "2023", NULL},
    {NULL, "states that grew by more than 15% in 2024", 1, "period", "in 2024",
     "2024-01-01", "2025-01-01", "2024", NULL},
    {NULL, "orders over $2024 last month", 1, "period", "last month",
     "2024-11-01", "2024-12-01", "November 2024", NULL},

    /* not time expressions */
    {NULL, "top 5 states", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "more than 15%", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "more than 2,000 units", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "orders over $2024", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "2024 units sold", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "between 2000 and 3000 units", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "over 2000 orders", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "top 2000 customers", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "€1999 or more", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "1999 dollars", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "2024.5 items", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "in 1989", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "store 2101", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "Revenue by year", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "month over month revenue", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "year-over-year growth by quarter", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "Total revenue", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "you may see revenue", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "stores in Augusta", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "products that match", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "last few months", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "last 0 days", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "last 5000 years", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "Q5 2024", 1, "period", "2024", "2024-01-01", "2025-01-01", "2024", NULL},
    {NULL, "February 30", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "February 30, 2024", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "on 2024-02-30", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "April 31 2024", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "February 29, 2023", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "2/30/2024", 0, NULL, NULL, NULL, NULL, NULL, NULL},
    {NULL, "February 28-30", 0, NULL, NULL, NULL, NULL, NULL, NULL},
};

/* Checks one case; returns false (after reporting) when it does not hold. */
static bool check_case(const timex_case *c)
{
    ask_tokens t;
    timex_match m[8];
    char span[256], a[11], b[11], parts[512];
    bool ok = true;
    if (!ask_tokenize(c->q, &t)) {
        test_failed(__FILE__, __LINE__, "%s: out of memory", c->q);
        return false;
    }
    int n = timex_find(&t, anchor_of(c->anchor), m, 8);
    if (n != c->nmatch) {
        test_failed(__FILE__, __LINE__, "\"%s\": %d matches, expected %d", c->q, n, c->nmatch);
        ok = false;
    }
    if (ok && n > 0) {
        span_text(c->q, &t, &m[0], span, sizeof span);
        day_str(m[0].span.start, a);
        day_str(m[0].span.end, b);
        parts_text(&m[0], parts, sizeof parts);
        ok = strcmp(kind_name(&m[0]), c->kind) == 0 && strcmp(span, c->span) == 0 &&
             strcmp(a, c->start) == 0 && strcmp(b, c->end) == 0 &&
             strcmp(m[0].span.label, c->label) == 0 && (!c->parts || strcmp(parts, c->parts) == 0);
        if (!ok)
            test_failed(__FILE__, __LINE__,
                        "\"%s\" (anchor %s):\n      got      %s \"%s\" [%s, %s) \"%s\" {%s}\n"
                        "      expected %s \"%s\" [%s, %s) \"%s\" {%s}",
                        c->q, c->anchor ? c->anchor : DEFAULT_ANCHOR, kind_name(&m[0]), span, a,
                        b, m[0].span.label, parts, c->kind, c->span, c->start, c->end, c->label,
                        c->parts ? c->parts : "-");
    }
    ask_tokens_free(&t);
    return ok;
}

TEST(timex_table)
{
    int failed = 0;
    for (size_t k = 0; k < RIA_ARRAY_LEN(cases); k++)
        failed += !check_case(&cases[k]);
    CHECK_MSG(failed == 0, "%d of %d phrasings failed", failed, (int)RIA_ARRAY_LEN(cases));
    CHECK(RIA_ARRAY_LEN(cases) >= 150);
}

/* ------------------------------------------------ details of matches */

static int find_in(const char *q, const char *anchor, timex_match *m, int max, ask_tokens *t)
{
    if (!ask_tokenize(q, t))
        return -1;
    return timex_find(t, anchor_of(anchor), m, max);
}

TEST(timex_grain_and_relative)
{
    static const struct {
        const char *q;
        ria_time_unit grain;
        bool relative;
    } rows[] = {
        {"Q1 2024", RIA_TU_QUARTER, false}, {"H1 2024", RIA_TU_QUARTER, false},
        {"March 2024", RIA_TU_MONTH, false}, {"March", RIA_TU_MONTH, true},
        {"2024", RIA_TU_YEAR, false},       {"2024-03-03", RIA_TU_DAY, false},
        {"last month", RIA_TU_MONTH, true}, {"last week", RIA_TU_WEEK, true},
        {"YTD", RIA_TU_YEAR, true},         {"last 7 days", RIA_TU_DAY, true},
        {"past 3 months", RIA_TU_MONTH, true}, {"since 2023", RIA_TU_YEAR, true},
        {"from January to March 2024", RIA_TU_MONTH, false},
        {"from 2024-01-15 to March 2024", RIA_TU_DAY, false},
    };
    for (size_t k = 0; k < RIA_ARRAY_LEN(rows); k++) {
        ask_tokens t;
        timex_match m[4];
        int n = find_in(rows[k].q, NULL, m, 4, &t);
        ask_tokens_free(&t);
        CHECK_MSG(n == 1, "%s: %d matches", rows[k].q, n);
        CHECK_MSG(m[0].span.grain == rows[k].grain, "%s: grain %d", rows[k].q, m[0].span.grain);
        CHECK_MSG(m[0].span.relative == rows[k].relative, "%s: relative %d", rows[k].q,
                  m[0].span.relative);
    }
}

TEST(timex_several_matches)
{
    const char *q = "revenue in 2023 and profit in Q2 2024 vs Q3, last 30 days";
    ask_tokens t;
    timex_match m[8];
    int n = find_in(q, NULL, m, 8, &t);
    CHECK_EQ_INT(n, 3);
    char span[128];
    span_text(q, &t, &m[1], span, sizeof span);
    CHECK_EQ_STR(span, "in Q2 2024 vs Q3");
    CHECK_EQ_INT(m[1].kind, TX_LIST);
    CHECK_EQ_STR(m[1].periods[1].label, "Q3 2024");
    span_text(q, &t, &m[2], span, sizeof span);
    CHECK_EQ_STR(span, "last 30 days");
    CHECK(m[0].tok + m[0].ntok <= m[1].tok && m[1].tok + m[1].ntok <= m[2].tok);
    /* max limits what is written */
    CHECK_EQ_INT(timex_find(&t, anchor_of(NULL), m, 2), 2);
    CHECK_EQ_INT(timex_find(&t, anchor_of(NULL), m, 0), 0);
    ask_tokens_free(&t);
}

TEST(timex_range_parts)
{
    ask_tokens t;
    timex_match m[2];
    int n = find_in("from 2023 to 2024", NULL, m, 2, &t);
    ask_tokens_free(&t);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(m[0].kind, TX_RANGE);
    CHECK_EQ_INT(m[0].bound, TXB_FROM_TO);
    CHECK_EQ_INT(m[0].nperiods, 2);
    CHECK_EQ_STR(m[0].periods[0].label, "2023");
    CHECK_EQ_STR(m[0].periods[1].label, "2024");
    n = find_in("before 2024", NULL, m, 2, &t);
    ask_tokens_free(&t);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(m[0].nperiods, 1);
    CHECK_EQ_INT(m[0].span.start, ASK_TIME_MIN);
    /* a future bound gives an empty span, never an inverted one */
    n = find_in("after 2024", NULL, m, 2, &t);
    ask_tokens_free(&t);
    CHECK_EQ_INT(n, 1);
    CHECK(m[0].span.end == m[0].span.start);
}

TEST(timex_period_dates)
{
    static const struct {
        const char *q, *dates;
    } rows[] = {
        {"Q1 2024", "2024-01-01 to 2024-03-31"},
        {"2024-03-03", "2024-03-03"},
        {"before 2024", "up to 2023-12-31"},
        {"after 2024", "no dates"},
        {"last 7 days", "2024-12-24 to 2024-12-30"},
    };
    for (size_t k = 0; k < RIA_ARRAY_LEN(rows); k++) {
        ask_tokens t;
        timex_match m[2];
        char buf[64];
        int n = find_in(rows[k].q, NULL, m, 2, &t);
        ask_tokens_free(&t);
        CHECK_MSG(n == 1, "%s", rows[k].q);
        ask_period_dates(&m[0].span, buf, sizeof buf);
        CHECK_EQ_STR(buf, rows[k].dates);
    }
    ask_period p = {.start = 0, .end = 86400};
    char small[6];
    ask_period_dates(&p, small, sizeof small);
    CHECK_EQ_STR(small, "1970-");
}

/* ------------------------------------------------------------ tokenizer */

/* Renders tokens as "W:q1 S:' N:24" (kind letter, text). */
static void render_tokens(const ask_tokens *t, char *out, size_t outsz)
{
    static const char kinds[] = "WNDPS";
    size_t n = 0;
    out[0] = 0;
    for (int i = 0; i < t->n && n < outsz; i++)
        n += (size_t)snprintf(out + n, outsz - n, "%s%c:%s", i ? " " : "", kinds[t->t[i].kind],
                              t->t[i].text);
}

TEST(timex_tokenize_table)
{
    static const struct {
        const char *q, *tokens;
    } rows[] = {
        {"Q1'24", "W:q1 S:' N:24"},
        {"Jan \xe2\x80\x99" "24", "W:jan S:' N:24"},
        {"1,000 and 15.5%", "N:1,000 W:and N:15.5 S:%"},
        {"2024-01-15, 2024-01 01/15/2024 3/15/24",
         "D:2024-01-15 P:, D:2024-01 D:01/15/2024 D:3/15/24"},
        {"Year-Over-Year", "W:year P:- W:over P:- W:year"},
        {"categories' California's don't", "W:categories P:' W:california W:'s W:don't"},
        {"\xe2\x80\x9c\xc3\x89lectronique\xe2\x80\x9d Stra\xc3\x9f" "e",
         "P:\" W:\xc3\xa9lectronique P:\" W:stra\xc3\x9f" "e"},
        {"$2,024.50 \xe2\x82\xac" "300 \xc2\xa3" "5",
         "S:$ N:2,024.50 S:\xe2\x82\xac N:300 S:\xc2\xa3 N:5"},
        {"3rd 21st 2024q1 FY2024", "W:3rd W:21st N:2024 W:q1 W:fy2024"},
        {"2023,2024 1,0000", "N:2023 P:, N:2024 N:1 P:, N:0000"},
        {"Sept. 2024?", "W:sept P:. N:2024 P:?"},
        {"Jan\xe2\x80\x93Mar", "W:jan P:- W:mar"},
        {"", ""},
        {"  \t\n ", ""},
        {"a\xff\xfe" "b c", "W:a\xff\xfe" "b W:c"},
        {"2024-13-01", "N:2024 P:- N:13 P:- N:01"},
        {".5 and 0.25", "N:.5 W:and N:0.25"},
        {"x\xc2\xa0y", "W:x W:y"},
        {"2024's best", "N:2024 W:'s W:best"},
        {"(Q1) [H2] {x} a/b \"q\" ;:!",
         "P:( W:q1 P:) P:[ W:h2 P:] P:{ W:x P:} W:a P:/ W:b P:\" W:q P:\" P:; P:: P:!"},
        {"a+b=c <5 #3 & @x", "W:a S:+ W:b S:= W:c S:< N:5 S:# N:3 S:& S:@ W:x"},
        {"2024-01-15T10:00", "D:2024-01-15 W:t10 P:: N:00"},
    };
    for (size_t k = 0; k < RIA_ARRAY_LEN(rows); k++) {
        ask_tokens t;
        char buf[512];
        CHECK(ask_tokenize(rows[k].q, &t));
        render_tokens(&t, buf, sizeof buf);
        ask_tokens_free(&t);
        CHECK_EQ_STR(buf, rows[k].tokens);
    }
}

TEST(timex_tokenize_offsets_and_numbers)
{
    const char *q = "Q1\xe2\x80\x99" "24 sold 1,000.5 units";
    ask_tokens t;
    CHECK(ask_tokenize(q, &t));
    CHECK_EQ_INT(t.n, 6);
    CHECK_EQ_INT(t.t[0].start, 0);
    CHECK_EQ_INT(t.t[0].end, 2);
    CHECK_EQ_INT(t.t[1].start, 2); /* the curly apostrophe is 3 bytes */
    CHECK_EQ_INT(t.t[1].end, 5);
    CHECK_EQ_INT(t.t[1].len, 1);
    CHECK_EQ_INT(t.t[2].start, 5);
    CHECK_EQ_INT(t.t[2].end, 7);
    CHECK_EQ_INT(t.t[4].kind, TOK_NUMBER);
    CHECK(t.t[4].num == 1000.5);
    CHECK_EQ_INT(t.t[4].start, 13);
    CHECK_EQ_INT(t.t[4].end, 20);
    CHECK(t.t[2].num == 24);
    ask_tokens_free(&t);
    ask_tokens_free(&t); /* twice is harmless */
    ask_tokens_free(NULL);
    CHECK(ask_tokenize(".5 0.25 1,234.5678 0.1", &t));
    CHECK(t.n == 4 && t.t[0].num == 0.5 && t.t[1].num == 0.25 && t.t[2].num == 1234.5678 &&
          t.t[3].num == 0.1);
    ask_tokens_free(&t);
    CHECK(ask_tokenize(NULL, &t));
    CHECK_EQ_INT(t.n, 0);
    ask_tokens_free(&t);
}

/* ------------------------------------------------------------ randomized */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33) % n;
}

/* Tokens are in order, inside the text, and each token's bytes are not
 * white space. */
static bool tokens_sane(const char *q, const ask_tokens *t)
{
    size_t len = strlen(q);
    uint32_t prev = 0;
    for (int i = 0; i < t->n; i++) {
        const ask_token *k = &t->t[i];
        if (k->start < prev || k->end <= k->start || k->end > len || k->len == 0 ||
            strlen(k->text) != k->len || k->len > k->end - k->start + 1)
            return false;
        prev = k->end;
    }
    return true;
}

/* Matches are in order, never overlap, and hold sane periods. */
static bool matches_sane(const ask_tokens *t, const timex_match *m, int n)
{
    int next = 0;
    for (int k = 0; k < n; k++) {
        const timex_match *x = &m[k];
        if (x->tok < next || x->ntok < 1 || x->tok + x->ntok > t->n)
            return false;
        next = x->tok + x->ntok;
        int lo = x->kind == TX_LIST ? 2 : 1;
        int hi = x->kind == TX_PERIOD ? 1 : x->kind == TX_RANGE ? 2 : 8;
        if (x->nperiods < lo || x->nperiods > hi || x->span.start > x->span.end)
            return false;
        for (int j = 0; j < x->nperiods; j++) {
            const ask_period *p = &x->periods[j];
            if (p->start >= p->end || !memchr(p->label, 0, sizeof p->label) || !p->label[0])
                return false;
        }
        if (!memchr(x->span.label, 0, sizeof x->span.label) || !x->span.label[0])
            return false;
    }
    return true;
}

static const char *const fragments[] = {
    "revenue", "in", "the", "last", "past", "7", "30", "days", "months", "month", "quarter",
    "year", "Q1", "Q2", "q4", "H1", "2023", "2024", "'24", "’24", "FY2024", "fiscal", "January",
    "Jan", "Sept.", "Febuary", "May", "march", "3", "3rd", "15,", "2024-03-03", "3/15/24",
    "2024-02-30", "01/2024", "between", "and", "from", "to", "through", "since", "before",
    "after", "until", "vs", "versus", ",", "-", "–", "compared", "with", "than", "of", "this",
    "previous", "prior", "so", "far", "YTD", "MTD", "today", "yesterday", "ago", "before last",
    "top", "5", "more", "15%", "$2024", "2,000", "units", "first", "second", "half", "week",
    "onwards", "start", "end", "€", "é", "\xff", "\"", "(", ")", "?", "twelve", "a", "trailing",
};

TEST(timex_random_sentences)
{
    static const char *const anchors[] = {NULL, A_JAN1, A_FEB10, A_MAR31, "1999-06-15 00:00"};
    rng_state = 0x5eed;
    for (int iter = 0; iter < 20000; iter++) {
        char q[512];
        size_t n = 0;
        int words = 1 + (int)rnd(14);
        for (int w = 0; w < words; w++) {
            const char *f = fragments[rnd(RIA_ARRAY_LEN(fragments))];
            n += (size_t)snprintf(q + n, sizeof q - n, "%s%s", w && rnd(5) ? " " : "", f);
            if (n >= sizeof q)
                n = sizeof q - 1;
        }
        ask_tokens t;
        timex_match m[8];
        CHECK(ask_tokenize(q, &t));
        CHECK_MSG(tokens_sane(q, &t), "tokens of \"%s\"", q);
        int found = timex_find(&t, anchor_of(anchors[rnd(RIA_ARRAY_LEN(anchors))]), m, 8);
        CHECK_MSG(found >= 0 && found <= 8 && matches_sane(&t, m, found), "matches of \"%s\"", q);
        ask_tokens_free(&t);
    }
}

TEST(timex_random_bytes)
{
    rng_state = 0xb17e5;
    for (int iter = 0; iter < 20000; iter++) {
        char q[96];
        int len = (int)rnd(sizeof q - 1);
        for (int i = 0; i < len; i++) {
            static const char alphabet[] = "0123456789/-.,'Qq HhJjMmAa$%\xe2\x80\x99\x93\xc3";
            q[i] = rnd(3) ? alphabet[rnd(sizeof alphabet - 1)] : (char)(1 + rnd(255));
        }
        q[len] = 0;
        ask_tokens t;
        timex_match m[4];
        CHECK(ask_tokenize(q, &t));
        CHECK(tokens_sane(q, &t));
        int found = timex_find(&t, (int64_t)rnd(2000000000), m, 4);
        CHECK(matches_sane(&t, m, found));
        ask_tokens_free(&t);
    }
}

TEST(timex_extreme_anchors)
{
    static const int64_t anchors[] = {INT64_MIN, -1, 0, INT64_MAX, 253402214400LL /* 9999-12-31 */};
    const char *q = "Q1 vs Q2, last 3 months, since June, the year before last, 5 years ago, "
                    "next year, February 29, YTD, last week, between Nov and Feb, H2";
    ask_tokens t;
    CHECK(ask_tokenize(q, &t));
    for (size_t k = 0; k < RIA_ARRAY_LEN(anchors); k++) {
        timex_match m[16];
        int n = timex_find(&t, anchors[k], m, 16);
        CHECK_MSG(n >= 5 && matches_sane(&t, m, n), "anchor %" PRId64 ": %d matches",
                  anchors[k], n);
    }
    ask_tokens_free(&t);
}
