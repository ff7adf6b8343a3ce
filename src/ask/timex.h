/*
 * timex.h — private to the ask component: question tokens and the time
 * expressions found in them (SEMANTICS.md, "Time").
 *
 * A question is split into tokens (ask_tokenize); the time parser scans the
 * tokens for the longest time expressions and resolves each against the
 * anchor (the latest order date unless set) into half-open intervals of
 * seconds.  It never guesses: text that is not a time expression is left
 * alone for the rest of the question parser.
 *
 * Ownership: token text points into the tokenizer's buffer (valid while the
 * ask_tokens lives); matches are plain values.
 */
#ifndef RIA_ASK_TIMEX_H
#define RIA_ASK_TIMEX_H

#include "core/core.h"
#include "engine/engine.h"

/* ------------------------------------------------------------------ tokens */

typedef enum {
    TOK_WORD,    /* letters, possibly with digits or apostrophes inside ("q1", "h2", "don't"),
                  * an ordinal ("3rd"), or a possessive "'s" split off its word */
    TOK_NUMBER,  /* digits with optional decimals or thousands separators ("2024", "1,000",
                  * "15.5", ".5") */
    TOK_DATE,    /* an ISO-like date or month ("2024-01-15", "2024-01", "01/15/2024", "3/15/24",
                  * "01/2024", "15.03.2024") */
    TOK_PUNCT,   /* one punctuation character (, . ? ! : ; ( ) [ ] { } - / " and a quote ');
                  * dashes and typographic quotes are folded to - " ' */
    TOK_SYMBOL,  /* % $ € £ and other signs (+ < > = & # ...); ' before digits ("Jan '24") */
} ask_tok_kind;

typedef struct {
    ask_tok_kind kind;
    const char *text;   /* lower-cased, NUL-terminated */
    size_t len;
    uint32_t start, end; /* byte offsets in the original question */
    double num;          /* TOK_NUMBER: the value */
    bool capital;        /* written with a capital first letter ("May", "Store") */
} ask_token;

typedef struct {
    ask_token *t;
    int n;
    char *buf;           /* owns the token texts */
} ask_tokens;

/* Splits a question into tokens (lower-cased; "Q1'24" -> "q1" "'" "24").
 * Every non-space byte belongs to exactly one token, in text order.  A
 * hyphen always splits ("year-over-year" -> "year" "-" "over" "-" "year";
 * adjacent offsets show it was one word); "category's" -> "category" "'s".
 * Returns false only when memory runs out (out is then empty); free the
 * result with ask_tokens_free either way. */
bool ask_tokenize(const char *question, ask_tokens *out);
void ask_tokens_free(ask_tokens *t);

/* ------------------------------------------------------------------ periods */

/* A resolved period: [start, end) in seconds since the epoch (order times
 * are wall-clock without a zone), always whole days.  Periods that run "to
 * date" end after the anchor's whole day. */
typedef struct {
    int64_t start, end;
    ria_time_unit grain;   /* the unit it was named in: month for "March 2024", quarter for
                            * "H1 2024", day for "the last 7 days", year for "YTD" */
    bool relative;         /* it depended on the anchor: "last month", "YTD", or a year
                            * taken from the anchor ("March" alone) */
    char label[64];        /* how to say it, exactly: "March 2024", "Q1 2024", "H2 2023",
                            * "2024-03-03", "week of 2024-12-23", "2024 to date (to
                            * 2024-12-30)", "the last 7 days (2024-12-24 to 2024-12-30)" */
} ask_period;

typedef enum {
    TX_PERIOD,   /* one period: "Q1 2024", "last month", "the last 30 days" */
    TX_RANGE,    /* an explicit range: "between March 1 and March 15 2024", "since June",
                  * "from 2023 to 2024"; see timex_bound */
    TX_LIST,     /* several periods: "Q1 vs Q2 2024", "2023 and 2024",
                  * "January, February and March" */
} timex_kind;

/* How a TX_RANGE is bounded.  span is always the interval to filter on. */
typedef enum {
    TXB_NONE,    /* not a range */
    TXB_FROM_TO, /* "from X to Y", "between X and Y", "X-Y", "X through Y": nperiods 2,
                  * periods[0] = X, periods[1] = Y (possibly a comparison: the caller decides) */
    TXB_SINCE,   /* "since X", "from X onwards": X's start to the anchor's day; nperiods 1 */
    TXB_AFTER,   /* "after X": X's end to the anchor's day; nperiods 1 */
    TXB_BEFORE,  /* "before X", "prior to X": up to X's start; nperiods 1 */
    TXB_UNTIL,   /* "until X", "through X", "up to X": up to X's end; nperiods 1 */
} timex_bound;

/* The start of a span with no lower bound ("before 2024"): 0001-01-01. */
#define ASK_TIME_MIN (-62135596800LL)

typedef struct {
    timex_kind kind;
    timex_bound bound;      /* TX_RANGE: how it is bounded; else TXB_NONE */
    int tok, ntok;          /* the tokens it covers (with a leading "in", "for", "the" ...) */
    ask_period periods[8];  /* TX_PERIOD: 1; TX_RANGE: 1 or 2 (see timex_bound); TX_LIST: 2..8 */
    int nperiods;
    ask_period span;        /* TX_RANGE: the whole range; else periods[0] */
} timex_match;

/* Finds the time expressions of a question, left to right, longest first,
 * without overlaps (the grammar is at the top of timex.c).  anchor: the
 * "today" of SEMANTICS.md (seconds; clamped to years 2..9997).  A match's
 * tokens include a leading "in", "for", "during", "of", "the" ...  Text that
 * names an impossible date ("February 30, 2024") matches nothing at all.
 * Returns the number of matches written (at most max). */
int timex_find(const ask_tokens *toks, int64_t anchor, timex_match *out, int max);

/* A period moved back by whole months (day of month clamped; a period
 * ending at a month's end keeps ending at one) or by days; relabelled. */
ask_period period_back_months(const ask_period *p, int months);
ask_period period_back_days(const ask_period *p, int days);
/* The period just before p of the same length (one calendar unit back for
 * a whole month, quarter or year). */
ask_period period_before(const ask_period *p);
/* Whether p is exactly one calendar unit of its grain (a month, a quarter,
 * a Monday-Sunday week ...), not a part of one. */
bool period_is_whole(const ask_period *p);

/* Formats [start, end) for humans: "2024-01-01 to 2024-03-31"; one day is
 * "2024-03-03", an open start "up to 2023-12-31", an empty span "no dates". */
void ask_period_dates(const ask_period *p, char *out, size_t outsz);

#endif
