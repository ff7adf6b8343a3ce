/*
 * timex.c — finds the time expressions of a question and resolves them
 * against the anchor into half-open intervals of seconds (SEMANTICS.md,
 * "Time"; the contract is timex.h).
 *
 * The grammar, over lower-cased tokens ([x] optional, a|b alternatives):
 *
 *   expr     := between LEAD ITEM (and|to|through|-) END                range
 *             | BOUND [EDGE] LEAD ITEM                                  since/after/before/until
 *             | from LEAD ITEM (onwards|onward|forward)                 since
 *             | LEAD ITEM (onwards | (to|until|-) now|date|the present) since
 *             | LEAD ITEM (to|through|thru|till|until|-) END            range
 *             | LEAD ITEM (SEP LEAD ITEM)*                              period or list
 *   END      := LEAD ITEM | DD [[,] YR]        (a day of the start's month: "March 1-15")
 *   BOUND    := since | starting [from|in|with|on] | beginning [in|with|from|on] | after
 *             | later than | before | prior to | earlier than | until | till | through
 *             | thru | up to|until|till|through|thru
 *   EDGE     := [the] start|beginning|end of       ("since the end of 2023" = after 2023)
 *   LEAD     := [in|during|for|on|of|over|within|across|throughout|from] [the]
 *   SEP      := , | and | or | & | , and | , or | vs[.] | versus | v[.] | against | than
 *             | over | compared to|with | as compared to|with | relative to
 *               (after , and or &: every item has the grain of the first)
 *   ITEM     := YEAR | MONTH | DAY | QUARTER | HALF | DATE | WEEKOF | RELATIVE | ROLLING
 *   YEAR     := NNNN (1990..2100, not money or a count) | fy2024 | fy24 | fy|cy YR
 *             | fiscal [year] YR | calendar [year] YR | year NNNN
 *   YR       := YEAR | NNNN (1900..2199) | ' NN | last|this|next year
 *               (a year after a month, day, quarter or half; "of" may precede it)
 *   MONTH    := MNAME [[of | , | -] YR] | last|previous|prior|this|current MNAME
 *   DAY      := MNAME DD [[,] YR] | DD [of] MNAME [[,] YR]     DD: 3 | 3rd | third
 *   QUARTER  := qN [[of|,|-] YR] | YR [-] qN | ORD[-]quarter|qtr [[of] YR]
 *             | quarter|qtr N [YR] | last quarter [of] YR | last|this qN
 *   HALF     := hN [[of|,|-] YR] | YR [-] hN | ORD[-]half [[of] YR] | last|this hN
 *   DATE     := a TOK_DATE: 2024-03-03 | 2024-03 | 3/15/2024 | 3/15/24 | 03/2024 | 15.03.2024
 *   WEEKOF   := week of DAY                        (the Monday-Sunday week holding it)
 *   RELATIVE, ROLLING := the patterns of rel_rules[]
 *   MNAME    := a month name or abbreviation, "sept.", or a name of five or more
 *               letters with one typo ("januray"); "may" alone needs a LEAD,
 *               a separator or a year or day next to it
 *
 * A yearless month, quarter, half or day takes the anchor's year if it has
 * started by the anchor, else the year before ("last March": the latest one
 * that ended before the anchor's day); in a range or list it first takes the
 * year written on another item ("Q1 vs Q2 2024"), and a range's yearless
 * start moves back a year if it would begin after its end ("November to
 * February 2024").  Matches are found left to right, the longest at each
 * position, and never overlap; an impossible date ("February 30, 2024") is
 * skipped as a whole, so no part of it matches.
 */
#include "ask/timex.h"

#include <stdarg.h>
#include <string.h>

/* ------------------------------------------------------------ vocabulary */

typedef struct {
    const char *word;
    int value;
} word_value;

typedef struct {
    const char *word;
    int month;
    bool abbrev;   /* may be followed by a period: "sept." */
    bool weak;     /* also a common English word: "may" */
} month_word;

static const month_word month_words[] = {
    {"january", 1, false, false},   {"jan", 1, true, false},
    {"february", 2, false, false},  {"feb", 2, true, false},
    {"march", 3, false, false},     {"mar", 3, true, false},
    {"april", 4, false, false},     {"apr", 4, true, false},
    {"may", 5, false, true},
    {"june", 6, false, false},      {"jun", 6, true, false},
    {"july", 7, false, false},      {"jul", 7, true, false},
    {"august", 8, false, false},    {"aug", 8, true, false},
    {"september", 9, false, false}, {"sept", 9, true, false}, {"sep", 9, true, false},
    {"october", 10, false, false},  {"oct", 10, true, false},
    {"november", 11, false, false}, {"nov", 11, true, false},
    {"december", 12, false, false}, {"dec", 12, true, false},
};

static const char *const month_names[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December",
};

/* Real words one edit away from a month name: never typos. */
static const char *const not_typos[] = {"match", "marsh", "marco", "marcy", "marci",
                                        "augusta", "augusto"};

static const word_value ordinal_words[] = {
    {"first", 1},   {"second", 2},  {"third", 3},   {"fourth", 4},
    {"fifth", 5},   {"sixth", 6},   {"seventh", 7}, {"eighth", 8},
    {"ninth", 9},   {"tenth", 10},  {"eleventh", 11}, {"twelfth", 12},
};

static const word_value count_words[] = {
    {"a", 1},         {"an", 1},        {"one", 1},       {"two", 2},      {"three", 3},
    {"four", 4},      {"five", 5},      {"six", 6},       {"seven", 7},    {"eight", 8},
    {"nine", 9},      {"ten", 10},      {"eleven", 11},   {"twelve", 12},  {"thirteen", 13},
    {"fourteen", 14}, {"fifteen", 15},  {"sixteen", 16},  {"seventeen", 17},
    {"eighteen", 18}, {"nineteen", 19}, {"twenty", 20},   {"thirty", 30},  {"forty", 40},
    {"fifty", 50},    {"sixty", 60},    {"ninety", 90},   {"hundred", 100},
};

typedef struct {
    const char *word;
    ria_time_unit unit;
    bool plural;
} unit_word;

static const unit_word unit_words[] = {
    {"day", RIA_TU_DAY, false},         {"days", RIA_TU_DAY, true},
    {"week", RIA_TU_WEEK, false},       {"weeks", RIA_TU_WEEK, true},
    {"wk", RIA_TU_WEEK, false},         {"wks", RIA_TU_WEEK, true},
    {"month", RIA_TU_MONTH, false},     {"months", RIA_TU_MONTH, true},
    {"mo", RIA_TU_MONTH, false},        {"mos", RIA_TU_MONTH, true},
    {"mth", RIA_TU_MONTH, false},       {"mths", RIA_TU_MONTH, true},
    {"quarter", RIA_TU_QUARTER, false}, {"quarters", RIA_TU_QUARTER, true},
    {"qtr", RIA_TU_QUARTER, false},     {"qtrs", RIA_TU_QUARTER, true},
    {"year", RIA_TU_YEAR, false},       {"years", RIA_TU_YEAR, true},
    {"yr", RIA_TU_YEAR, false},         {"yrs", RIA_TU_YEAR, true},
    {"fy", RIA_TU_YEAR, false},         {"d", RIA_TU_DAY, true},
};

/* Names and limits of the units, indexed by ria_time_unit. */
static const struct {
    const char *one, *many;
    int max_count;   /* the longest rolling window accepted, in this unit */
} unit_info[] = {
    [RIA_TU_HOUR] = {"hour", "hours", 0},
    [RIA_TU_DAY] = {"day", "days", 3660},
    [RIA_TU_WEEK] = {"week", "weeks", 520},
    [RIA_TU_MONTH] = {"month", "months", 1200},
    [RIA_TU_QUARTER] = {"quarter", "quarters", 400},
    [RIA_TU_YEAR] = {"year", "years", 100},
};

/* Words before a number that make it a count or an amount, not a year or
 * a day ("top 5", "more than 2024"). */
static const char count_before[] =
    "top|bottom|than|over|above|below|under|exceeding|exceed|exceeds|least|most|#|id|sku|no|x|*";
/* Tokens after a number that make it an amount ("2024 units", "15%"). */
static const char amount_after[] =
    "%|percent|pct|percentage|units|unit|items|item|pieces|pcs|dollars|dollar|usd|eur|euros|"
    "euro|gbp|pounds|inr|rupees|k|m|mm|bn|b|million|millions|thousand|thousands|billion|"
    "billions|rows|records|times|x";
static const char money_before[] = "$|€|£|¥|₹|¢|usd|eur|gbp|inr";

static const char lead_words[] = "in|during|for|on|of|over|within|across|throughout|from";
static const char range_seps[] = "to|through|thru|till|until|-";

/* ------------------------------------------------------------- the spec */

/* An item as written, before its year is settled. */
typedef enum { S_YEAR, S_HALF, S_QUARTER, S_MONTH, S_DAY, S_FIXED } spec_kind;

/* How a missing year is found. */
typedef enum {
    PICK_BARE,   /* the anchor's year if started by the anchor, else the year before */
    PICK_LAST,   /* "last March": the latest one that ended before the anchor's day */
    PICK_THIS,   /* "this March": the anchor's year */
} pick_rule;

typedef struct {
    spec_kind kind;
    int year;            /* 0 when not written */
    int num;             /* half 1..2, quarter 1..4, month 1..12 */
    int day;             /* S_DAY: 1..31 */
    pick_rule pick;
    bool weak;           /* "may" with nothing attached */
    bool after_prev;     /* "previous 7 days": in a list, ends where the item before starts */
    bool week_of;        /* S_DAY: "the week of March 3", the Monday-Sunday week holding it */
    bool year_rel;       /* the year was named from the anchor's ("Q3 last year") */
    ria_time_unit unit;  /* S_FIXED rolling windows: unit and count */
    int count;
    ask_period p;        /* S_FIXED: resolved already */
} spec;

typedef struct {
    const ask_tokens *tk;
    int64_t anchor;      /* seconds */
    int64_t aday;        /* the anchor's day */
    int ay, am, ad;      /* the anchor's date */
} tctx;

/* -------------------------------------------------------------- tokens */

static const ask_token *tok(const tctx *c, int i)
{
    return i >= 0 && i < c->tk->n ? &c->tk->t[i] : NULL;
}

static bool is(const tctx *c, int i, const char *w)
{
    const ask_token *t = tok(c, i);
    return t && strcmp(t->text, w) == 0;
}

/* true when token i is one of the '|'-separated words of alts. */
static bool is_any(const tctx *c, int i, const char *alts)
{
    const ask_token *t = tok(c, i);
    if (!t || t->len == 0)
        return false;
    for (const char *p = alts;;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == t->len && memcmp(p, t->text, n) == 0)
            return true;
        if (!bar)
            return false;
        p = bar + 1;
    }
}

/* true when tokens i and i + 1 touch (no space between them). */
static bool glued(const tctx *c, int i)
{
    const ask_token *a = tok(c, i), *b = tok(c, i + 1);
    return a && b && a->end == b->start;
}

static int lookup(const word_value *tab, size_t n, const ask_token *t)
{
    if (!t || t->kind != TOK_WORD)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (strcmp(tab[k].word, t->text) == 0)
            return tab[k].value;
    return 0;
}

/* The value of a NUMBER written as 1..maxlen plain digits, else -1. */
static int plain_int(const ask_token *t, size_t minlen, size_t maxlen)
{
    if (!t || t->kind != TOK_NUMBER || t->len < minlen || t->len > maxlen)
        return -1;
    int v = 0;
    for (size_t k = 0; k < t->len; k++) {
        if (t->text[k] < '0' || t->text[k] > '9')
            return -1;
        v = v * 10 + (t->text[k] - '0');
    }
    return v;
}

/* "3rd" -> 3; 0 when t is not digits with an ordinal suffix. */
static int digit_ordinal(const ask_token *t)
{
    if (!t || t->kind != TOK_WORD || t->len < 3 || t->len > 4)
        return 0;
    size_t nd = t->len - 2;
    const char *sfx = t->text + nd;
    if (strcmp(sfx, "st") && strcmp(sfx, "nd") && strcmp(sfx, "rd") && strcmp(sfx, "th"))
        return 0;
    int v = 0;
    for (size_t k = 0; k < nd; k++) {
        if (t->text[k] < '0' || t->text[k] > '9')
            return 0;
        v = v * 10 + (t->text[k] - '0');
    }
    return v;
}

/* A count at i ("7", "seven", "a"): true with *n set. */
static bool count_at(const tctx *c, int i, int *n)
{
    const ask_token *t = tok(c, i);
    int v = plain_int(t, 1, 6);
    if (v < 0)
        v = lookup(count_words, RIA_ARRAY_LEN(count_words), t);
    if (v <= 0)
        return false;
    *n = v;
    return true;
}

static const unit_word *unit_at(const tctx *c, int i)
{
    const ask_token *t = tok(c, i);
    if (!t || t->kind != TOK_WORD)
        return NULL;
    for (size_t k = 0; k < RIA_ARRAY_LEN(unit_words); k++)
        if (strcmp(unit_words[k].word, t->text) == 0)
            return &unit_words[k];
    return NULL;
}

/* ------------------------------------------------------ numbers in context */

/* true when the number at i is an amount or a count, not a year or a day:
 * after a currency sign, before a unit or %, or after "top" or "than"
 * (unless the caller knows the left context is a time word). */
static bool amount_context(const tctx *c, int i, bool ctx_ok)
{
    if (is_any(c, i - 1, money_before) || is_any(c, i + 1, amount_after))
        return true;
    return !ctx_ok && is_any(c, i - 1, count_before);
}

/* true when the number at i is one end of a pair whose other end cannot be
 * a year ("between 2000 and 3000 units"). */
static bool paired_with_non_year(const tctx *c, int i)
{
    const ask_token *t = tok(c, i + 2);
    if (!is_any(c, i + 1, "and|to|-|or") || !t || t->kind != TOK_NUMBER)
        return false;
    int v = plain_int(t, 4, 4);
    return v < 1900 || v > 2199;
}

static int two_digit_year(const tctx *c, int yy)
{
    int y = 2000 + yy;
    return y > c->ay + 20 ? y - 100 : y;
}

/* "fy2024", "fy24", "cy2024" -> the year. */
static bool fiscal_word(const tctx *c, const ask_token *t, int *y)
{
    if (!t || t->kind != TOK_WORD || (t->len != 4 && t->len != 6))
        return false;
    if (strncmp(t->text, "fy", 2) != 0 && strncmp(t->text, "cy", 2) != 0)
        return false;
    int v = 0;
    for (size_t k = 2; k < t->len; k++) {
        if (t->text[k] < '0' || t->text[k] > '9')
            return false;
        v = v * 10 + (t->text[k] - '0');
    }
    *y = t->len == 4 ? two_digit_year(c, v) : v;
    return *y >= 1900 && *y <= 2199;
}

/* A year number after a fiscal word: "2024", "24" or "'24". */
static int fiscal_number(const tctx *c, int i, int *y)
{
    int v = plain_int(tok(c, i), 4, 4);
    if (v >= 1900 && v <= 2199) {
        *y = v;
        return 1;
    }
    v = plain_int(tok(c, i), 2, 2);
    if (v >= 0) {
        *y = two_digit_year(c, v);
        return 1;
    }
    v = plain_int(tok(c, i + 1), 2, 2);
    if (is(c, i, "'") && v >= 0) {
        *y = two_digit_year(c, v);
        return 2;
    }
    return 0;
}

/* A year at i.  attached: right after a month, quarter or half, where
 * 1900..2199 and "'24" are years too.  Returns the tokens used. */
static int year_at(const tctx *c, int i, bool attached, bool ctx_ok, int *y)
{
    const ask_token *t = tok(c, i);
    if (!t)
        return 0;
    int v = plain_int(t, 4, 4);
    if (v >= 0) {
        bool ok = attached ? v >= 1900 && v <= 2199 : v >= 1990 && v <= 2100;
        *y = v;
        /* a year right after a month or quarter is one even before a
         * count word ("December 2023 units") */
        ok = ok && (attached || (!amount_context(c, i, ctx_ok) && !paired_with_non_year(c, i)));
        return ok ? 1 : 0;
    }
    if (attached && is(c, i, "'") && glued(c, i) && plain_int(tok(c, i + 1), 2, 2) >= 0) {
        *y = two_digit_year(c, plain_int(tok(c, i + 1), 2, 2));
        return 2;
    }
    if (fiscal_word(c, t, y))
        return 1;
    int j = i + 1, n;
    if (is_any(c, i, "fy|cy") && (n = fiscal_number(c, j, y)) > 0)
        return 1 + n;
    if (is_any(c, i, "fiscal|calendar")) {
        j += is(c, j, "year");
        return (n = fiscal_number(c, j, y)) > 0 ? j - i + n : 0;
    }
    v = plain_int(tok(c, j), 4, 4);
    if (is(c, i, "year") && v >= 1900 && v <= 2199) {
        *y = v;
        return 2;
    }
    return 0;
}

/* Years named from the anchor's: "Q3 last year", "March of this year". */
static const word_value year_offsets[] = {
    {"last", -1}, {"previous", -1}, {"prior", -1}, {"this", 0}, {"current", 0}, {"next", 1},
};

static int relative_year(const tctx *c, int i, spec *s)
{
    const ask_token *t = tok(c, i);
    for (size_t k = 0; t && k < RIA_ARRAY_LEN(year_offsets); k++) {
        if (strcmp(t->text, year_offsets[k].word) == 0 && is(c, i + 1, "year")) {
            s->year = c->ay + year_offsets[k].value;
            s->year_rel = true;
            return 2;
        }
    }
    return 0;
}

/* A year attached after a month, day, quarter or half: [of | , | -] YR, or
 * [of] last|this|next year.  Sets s->year; returns the tokens used. */
static int attached_year(const tctx *c, int i, spec *s)
{
    int y, n = year_at(c, i, true, true, &y);
    if (n == 0 && (n = relative_year(c, i, s)) > 0)
        return n;
    if (n > 0) {
        s->year = y;
        return n;
    }
    bool joiner = is_any(c, i, "of|,") || (is(c, i, "-") && glued(c, i - 1) && glued(c, i));
    if (joiner && (n = year_at(c, i + 1, true, true, &y)) > 0) {
        s->year = y;
        return 1 + n;
    }
    if (is(c, i, "of") && (n = relative_year(c, i + 1, s)) > 0)
        return 1 + n;
    return 0;
}

/* -------------------------------------------------------------- months */

/* Optimal string alignment distance, capped: returns 2 for anything >= 2. */
static int edit_distance(const char *a, size_t n, const char *b, size_t m)
{
    if (n > 15 || m > 15 || (n > m ? n - m : m - n) > 1)
        return 2;
    int d[16][16];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = RIA_MIN(d[i - 1][j] + 1, d[i][j - 1] + 1);
            v = RIA_MIN(v, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                v = RIA_MIN(v, d[i - 2][j - 2] + 1);
            d[i][j] = v;
        }
    }
    return RIA_MIN(d[n][m], 2);
}

static bool all_letters(const ask_token *t)
{
    for (size_t k = 0; k < t->len; k++)
        if (t->text[k] < 'a' || t->text[k] > 'z')
            return false;
    return true;
}

/* A month name with one typo: five or more letters, the same first letter. */
static int month_typo(const ask_token *t)
{
    if (t->len < 5 || !all_letters(t))
        return 0;
    for (size_t k = 0; k < RIA_ARRAY_LEN(not_typos); k++)
        if (strcmp(not_typos[k], t->text) == 0)
            return 0;
    for (size_t k = 0; k < RIA_ARRAY_LEN(month_words); k++) {
        const month_word *mw = &month_words[k];
        size_t len = strlen(mw->word);
        if (mw->abbrev || len < 5 || mw->word[0] != t->text[0])
            continue;
        if (edit_distance(t->text, t->len, mw->word, len) == 1)
            return mw->month;
    }
    return 0;
}

/* A month word at i: returns its tokens (2 with an abbreviation's period). */
static int month_at(const tctx *c, int i, int *m, bool *weak)
{
    const ask_token *t = tok(c, i);
    *weak = false;
    if (!t || t->kind != TOK_WORD)
        return 0;
    for (size_t k = 0; k < RIA_ARRAY_LEN(month_words); k++) {
        const month_word *mw = &month_words[k];
        if (strcmp(mw->word, t->text) != 0)
            continue;
        *m = mw->month;
        *weak = mw->weak;
        return mw->abbrev && is(c, i + 1, ".") && glued(c, i) ? 2 : 1;
    }
    *m = month_typo(t);
    return *m ? 1 : 0;
}

/* A day of the month at i: "3", "3rd", "third". */
static bool day_at(const tctx *c, int i, bool ctx_ok, int *d)
{
    const ask_token *t = tok(c, i);
    int v = plain_int(t, 1, 2);
    if (v >= 0 && amount_context(c, i, ctx_ok))
        return false;
    if (v < 0)
        v = digit_ordinal(t);
    if (v <= 0)
        v = lookup(ordinal_words, RIA_ARRAY_LEN(ordinal_words), t);
    if (v < 1 || v > 31)
        return false;
    *d = v;
    return true;
}

/* MNAME DD [,] [YR] | MNAME [[of|,|-] YR] */
static int month_item(const tctx *c, int i, bool ctx_ok, spec *s)
{
    int m;
    bool weak;
    int n = month_at(c, i, &m, &weak);
    if (n == 0)
        return 0;
    int j = i + n, d;
    *s = (spec){.kind = S_MONTH, .num = m};
    if (day_at(c, j, true, &d)) {
        s->kind = S_DAY;
        s->day = d;
        j++;
        return j + attached_year(c, j, s) - i;
    }
    int ny = attached_year(c, j, s);
    /* "May" capitalized inside a sentence is the month */
    s->weak = weak && ny == 0 && !ctx_ok && !(i > 0 && tok(c, i)->capital);
    return j - i + ny;
}

/* DD [of] MNAME [,] [YR]: "3 March 2024", "the 3rd of March". */
static int day_first_item(const tctx *c, int i, bool ctx_ok, spec *s)
{
    int d, m;
    bool weak;
    const ask_token *t = tok(c, i);
    if (!t || (t->kind == TOK_WORD && !digit_ordinal(t)) || !day_at(c, i, ctx_ok, &d))
        return 0;
    int j = i + 1 + is(c, i + 1, "of");
    int n = month_at(c, j, &m, &weak);
    if (n == 0)
        return 0;
    j += n;
    *s = (spec){.kind = S_DAY, .num = m, .day = d};
    return j + attached_year(c, j, s) - i;
}

/* -------------------------------------------------- quarters and halves */

typedef struct {
    char letter;         /* "q1", "h2" */
    int max;
    const char *words;   /* "quarter|qtr" */
    spec_kind kind;
} part_kind;

static const part_kind part_kinds[] = {
    {'q', 4, "quarter|qtr", S_QUARTER},
    {'h', 2, "half", S_HALF},
};

/* "q3" -> 3 for the quarter kind; 0 otherwise. */
static int part_word(const part_kind *pk, const ask_token *t)
{
    if (!t || t->kind != TOK_WORD || t->len != 2 || t->text[0] != pk->letter)
        return 0;
    int v = t->text[1] - '0';
    return v >= 1 && v <= pk->max ? v : 0;
}

/* qN [YR] | YR [-] qN */
static int part_code(const tctx *c, int i, const part_kind *pk, spec *s)
{
    int y, v = part_word(pk, tok(c, i));
    if (v) {
        *s = (spec){.kind = pk->kind, .num = v};
        return 1 + attached_year(c, i + 1, s);
    }
    int ny = year_at(c, i, true, true, &y);
    if (ny == 0)
        return 0;
    int j = i + ny + (is(c, i + ny, "-") && glued(c, i + ny - 1) && glued(c, i + ny));
    if ((v = part_word(pk, tok(c, j))) == 0)
        return 0;
    *s = (spec){.kind = pk->kind, .num = v, .year = y};
    return j + 1 - i;
}

/* ORD quarter [[of] YR] | quarter N [YR]; "last quarter" needs a year. */
static int part_words(const tctx *c, int i, const part_kind *pk, spec *s)
{
    const ask_token *t = tok(c, i);
    int v = lookup(ordinal_words, RIA_ARRAY_LEN(ordinal_words), t);
    if (!v)
        v = digit_ordinal(t);
    bool last = is(c, i, "last");
    int j = i + 1, ny;
    if ((v >= 1 && v <= pk->max) || last) {
        j += is(c, j, "-") && glued(c, i) && glued(c, j); /* "third-quarter" */
        if (!is_any(c, j, pk->words))
            return 0;
        j++;
    } else if (is_any(c, i, pk->words) && count_at(c, j, &v) && v <= pk->max &&
               !is_any(c, j, "a|an")) {
        j++;
    } else {
        return 0;
    }
    *s = (spec){.kind = pk->kind, .num = last ? pk->max : v};
    ny = attached_year(c, j, s);
    if (last && ny == 0)
        return 0;
    return j - i + ny;
}

static int part_item(const tctx *c, int i, bool ctx_ok, spec *s)
{
    (void)ctx_ok;
    int best = 0;
    for (size_t k = 0; k < RIA_ARRAY_LEN(part_kinds); k++) {
        spec t;
        int n = part_code(c, i, &part_kinds[k], &t);
        if (n > best) {
            best = n;
            *s = t;
        }
        n = part_words(c, i, &part_kinds[k], &t);
        if (n > best) {
            best = n;
            *s = t;
        }
    }
    return best;
}

/* ----------------------------------------------------- dates and years */

/* Splits "2024-03-03" into numbers; returns how many (at most 3). */
static int split_date(const char *s, int v[3], int len[3], char *sep)
{
    int n = 0;
    *sep = 0;
    for (const char *p = s; *p && n < 3;) {
        v[n] = 0;
        len[n] = 0;
        while (*p >= '0' && *p <= '9' && len[n] < 5) {
            v[n] = v[n] * 10 + (*p++ - '0');
            len[n]++;
        }
        if (len[n] == 0)
            return 0;
        n++;
        if (*p) {
            *sep = *p;
            p++;
        }
    }
    return n;
}

/* A TOK_DATE: YYYY-MM-DD, YYYY/MM/DD, YYYY-MM, M/D/Y, M-D-YYYY, D.M.YYYY,
 * MM/YYYY.  Slashes and dashes read month first unless the first number
 * cannot be a month. */
static int date_item(const tctx *c, int i, bool ctx_ok, spec *s)
{
    (void)ctx_ok;
    const ask_token *t = tok(c, i);
    if (!t || t->kind != TOK_DATE)
        return 0;
    int v[3], len[3];
    char sep;
    int n = split_date(t->text, v, len, &sep);
    if (n == 3 && len[0] == 4) {
        *s = (spec){.kind = S_DAY, .year = v[0], .num = v[1], .day = v[2]};
    } else if (n == 2) {
        bool ym = len[0] == 4;
        *s = (spec){.kind = S_MONTH, .year = ym ? v[0] : v[1], .num = ym ? v[1] : v[0]};
    } else if (n == 3) {
        int y = len[2] == 2 ? two_digit_year(c, v[2]) : v[2];
        bool dmy = sep == '.' || v[0] > 12;
        *s = (spec){.kind = S_DAY, .year = y, .num = dmy ? v[1] : v[0], .day = dmy ? v[0] : v[1]};
    } else {
        return 0;
    }
    return s->num >= 1 && s->num <= 12 && s->year >= 1 ? 1 : 0;
}

static int year_item(const tctx *c, int i, bool ctx_ok, spec *s)
{
    int y, n = year_at(c, i, false, ctx_ok, &y);
    if (n > 0)
        *s = (spec){.kind = S_YEAR, .year = y};
    return n;
}

/* ------------------------------------------------------------ periods */

static void set_label(ask_period *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_label(ask_period *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->label, sizeof p->label, fmt, ap);
    va_end(ap);
}

static ask_period days_period(int64_t d0, int64_t d1, ria_time_unit grain, bool rel)
{
    ask_period p;
    memset(&p, 0, sizeof p);
    p.start = d0 * RIA_SECS_PER_DAY;
    p.end = d1 * RIA_SECS_PER_DAY;
    p.grain = grain;
    p.relative = rel;
    return p;
}

static int64_t day_of(int64_t secs)
{
    return ria_floor_div(secs, RIA_SECS_PER_DAY);
}

/* The first day of the month `index` months after January of year 0. */
static int64_t month_start(int64_t index)
{
    int64_t y = ria_floor_div(index, 12);
    return ria_days_from_civil((int)y, (int)(index - y * 12) + 1, 1);
}

/* Builds a period from a spec whose year is set; false for impossible
 * dates and years out of range. */
static bool build(const spec *s, bool rel, ask_period *out)
{
    int y = s->year;
    if (s->kind == S_FIXED) {
        *out = s->p;
        return true;
    }
    if (y < 1 || y > 9998)
        return false;
    int64_t m0 = (int64_t)y * 12;
    switch (s->kind) {
    case S_YEAR:
        *out = days_period(month_start(m0), month_start(m0 + 12), RIA_TU_YEAR, rel);
        set_label(out, "%d", y);
        return true;
    case S_HALF:
        m0 += (s->num - 1) * 6;
        *out = days_period(month_start(m0), month_start(m0 + 6), RIA_TU_QUARTER, rel);
        set_label(out, "H%d %d", s->num, y);
        return true;
    case S_QUARTER:
        m0 += (s->num - 1) * 3;
        *out = days_period(month_start(m0), month_start(m0 + 3), RIA_TU_QUARTER, rel);
        set_label(out, "Q%d %d", s->num, y);
        return true;
    case S_MONTH:
        m0 += s->num - 1;
        *out = days_period(month_start(m0), month_start(m0 + 1), RIA_TU_MONTH, rel);
        set_label(out, "%s %d", month_names[s->num - 1], y);
        return true;
    case S_DAY: {
        if (!ria_date_valid(y, s->num, s->day))
            return false;
        int64_t d = ria_days_from_civil(y, s->num, s->day);
        if (s->week_of) {
            char monday[11];
            d -= ria_weekday(d);
            *out = days_period(d, d + 7, RIA_TU_WEEK, rel);
            ria_format_date(d, monday);
            set_label(out, "week of %s", monday);
            return true;
        }
        *out = days_period(d, d + 1, RIA_TU_DAY, rel);
        ria_format_date(d, out->label);
        return true;
    }
    case S_FIXED:
        break;
    }
    return false;
}

/* The year a yearless month, quarter, half or day takes from the anchor. */
static int anchor_year(const tctx *c, const spec *s)
{
    if (s->pick == PICK_THIS)
        return c->ay;
    spec t = *s;
    t.year = c->ay;
    if (t.kind == S_DAY)
        t.day = RIA_MIN(t.day, ria_days_in_month(t.year, t.num));
    ask_period p;
    if (!build(&t, false, &p))
        return c->ay;
    int y;
    if (s->pick == PICK_LAST)
        y = p.end <= c->aday * RIA_SECS_PER_DAY ? c->ay : c->ay - 1;
    else
        y = p.start <= c->anchor ? c->ay : c->ay - 1;
    /* a yearless February 29 is the latest one there was */
    for (int k = 0; k < 8 && s->kind == S_DAY && !ria_date_valid(y, s->num, s->day); k++)
        y--;
    return y;
}

static bool sub_year(const spec *s)
{
    return s->kind == S_HALF || s->kind == S_QUARTER || s->kind == S_MONTH || s->kind == S_DAY;
}

/* Resolves a spec; a missing year comes from the anchor. */
static bool resolve(const tctx *c, const spec *s, ask_period *out)
{
    if (s->kind == S_FIXED || s->year != 0)
        return build(s, s->year_rel, out);
    spec t = *s;
    t.year = anchor_year(c, s);
    return build(&t, true, out);
}

/* Resolves a spec with the year given by another item of the expression. */
static bool resolve_in(const spec *s, int year, ask_period *out)
{
    spec t = *s;
    t.year = year;
    return build(&t, false, out);
}

/* ----------------------------------------------- relative periods */

static void format_day(int64_t day, char buf[11])
{
    ria_format_date(day, buf);
}

/* The calendar period `off` units from the one holding the anchor. */
static ask_period calendar(const tctx *c, ria_time_unit unit, int off)
{
    ask_period p;
    spec s = {.kind = S_MONTH};
    int64_t index;
    switch (unit) {
    case RIA_TU_WEEK: {
        int64_t monday = c->aday - ria_weekday(c->aday) + 7 * (int64_t)off;
        char d[11];
        p = days_period(monday, monday + 7, RIA_TU_WEEK, true);
        format_day(monday, d);
        set_label(&p, "week of %s", d);
        return p;
    }
    case RIA_TU_MONTH:
        index = (int64_t)c->ay * 12 + c->am - 1 + off;
        s = (spec){.kind = S_MONTH, .year = (int)ria_floor_div(index, 12)};
        s.num = (int)(index - (int64_t)s.year * 12) + 1;
        break;
    case RIA_TU_QUARTER:
        index = (int64_t)c->ay * 4 + (c->am - 1) / 3 + off;
        s = (spec){.kind = S_QUARTER, .year = (int)ria_floor_div(index, 4)};
        s.num = (int)(index - (int64_t)s.year * 4) + 1;
        break;
    case RIA_TU_YEAR:
        s = (spec){.kind = S_YEAR, .year = c->ay + off};
        break;
    default:
        p = days_period(c->aday + off, c->aday + off + 1, RIA_TU_DAY, true);
        format_day(c->aday + off, p.label);
        return p;
    }
    if (!build(&s, true, &p)) {
        p = days_period(c->aday, c->aday + 1, unit, true);
        format_day(c->aday, p.label);
    }
    return p;
}

/* The anchor's period of `unit` from its start through the anchor's day. */
static ask_period to_date(const tctx *c, ria_time_unit unit)
{
    ask_period p = calendar(c, unit, 0);
    if (unit == RIA_TU_DAY)
        return p;
    char name[sizeof p.label], d[11];
    memcpy(name, p.label, sizeof name);
    format_day(c->aday, d);
    p.end = (c->aday + 1) * RIA_SECS_PER_DAY;
    set_label(&p, "%s to date (to %s)", name, d);
    return p;
}

/* The first day of a rolling window of n units ending on day `last`: n days
 * are `last` and the n - 1 days before; n months start the day after the
 * same day n months earlier, clamped to that month's end. */
static int64_t rolling_start(int64_t last, ria_time_unit unit, int n)
{
    if (unit == RIA_TU_DAY || unit == RIA_TU_WEEK)
        return last - ((int64_t)n * (unit == RIA_TU_WEEK ? 7 : 1) - 1);
    int months = n * (unit == RIA_TU_YEAR ? 12 : unit == RIA_TU_QUARTER ? 3 : 1);
    int y, m, d;
    ria_civil_from_days(last, &y, &m, &d);
    int64_t index = (int64_t)y * 12 + (m - 1) - months;
    int py = (int)ria_floor_div(index, 12), pm = (int)(index - (int64_t)py * 12) + 1;
    return ria_days_from_civil(py, pm, RIA_MIN(d, ria_days_in_month(py, pm))) + 1;
}

/* A rolling window of n units ending on day `last` (inclusive).  word:
 * "last" or "previous", said in the label. */
static ask_period rolling(int64_t last, ria_time_unit unit, int n, const char *word)
{
    ask_period p = days_period(rolling_start(last, unit, n), last + 1, unit, true);
    char dates[48];
    ask_period_dates(&p, dates, sizeof dates);
    if (n == 1)
        set_label(&p, "the trailing %s (%s)", unit_info[unit].one, dates);
    else
        set_label(&p, "the %s %d %s (%s)", word, n, unit_info[unit].many, dates);
    return p;
}

/* The last n complete calendar units: the anchor's own unit counts when
 * the anchor is its last day. */
static ask_period full_units(const tctx *c, ria_time_unit unit, int n)
{
    int last = calendar(c, unit, 0).end == (c->aday + 1) * RIA_SECS_PER_DAY ? 0 : -1;
    ask_period a = calendar(c, unit, last - n + 1), b = calendar(c, unit, last);
    if (n == 1)
        return b;
    ask_period p = days_period(day_of(a.start), day_of(b.end), unit, true);
    char dates[48];
    ask_period_dates(&p, dates, sizeof dates);
    set_label(&p, "the last %d full %s (%s)", n, unit_info[unit].many, dates);
    return p;
}

typedef enum { R_CAL, R_TODATE, R_ROLL, R_AGO, R_FULL } rel_op;

/* A relative phrase.  Pattern words: "a|b" alternatives, "?a|b" optional,
 * "@unit" a unit word in the singular, "@units" singular or plural, "@n" a
 * count. */
typedef struct {
    const char *pat[6];
    rel_op op;
    int arg;          /* R_CAL: periods from the anchor's; R_ROLL: the count without @n */
    int unit;         /* the unit when no @unit names it, else -1 */
    bool after_prev;  /* "previous 7 days" */
} rel_rule;

static const rel_rule rel_rules[] = {
    {{"last|previous|prior", "?fiscal|calendar", "@unit"}, R_CAL, -1, -1, false},
    {{"this|current", "?fiscal|calendar", "@unit"}, R_TODATE, 0, -1, false},
    {{"@unit", "?-", "to", "?-", "date"}, R_TODATE, 0, -1, false},
    {{"so", "far", "this", "@unit"}, R_TODATE, 0, -1, false},
    {{"this", "@unit", "so", "far"}, R_TODATE, 0, -1, false},
    {{"mtd"}, R_TODATE, 0, RIA_TU_MONTH, false},
    {{"qtd"}, R_TODATE, 0, RIA_TU_QUARTER, false},
    {{"ytd"}, R_TODATE, 0, RIA_TU_YEAR, false},
    {{"wtd"}, R_TODATE, 0, RIA_TU_WEEK, false},
    {{"today"}, R_CAL, 0, RIA_TU_DAY, false},
    {{"yesterday"}, R_CAL, -1, RIA_TU_DAY, false},
    {{"tomorrow"}, R_CAL, 1, RIA_TU_DAY, false},
    {{"next", "?fiscal|calendar", "@unit"}, R_CAL, 1, -1, false},
    {{"@unit", "before", "last"}, R_CAL, -2, -1, false},
    {{"@n", "@units", "ago"}, R_AGO, 0, -1, false},
    {{"last|past|previous|prior", "@n", "full|complete|completed|whole", "@units"}, R_FULL, 0, -1,
     false},
    {{"last|previous|prior|latest", "full|complete|completed|whole", "@unit"}, R_FULL, 1, -1, false},
    {{"last|past|trailing|rolling", "@n", "@units"}, R_ROLL, 0, -1, false},
    {{"previous|prior|preceding", "@n", "@units"}, R_ROLL, 0, -1, true},
    {{"past|trailing|rolling", "@unit"}, R_ROLL, 1, -1, false},
    {{"ttm|ltm"}, R_ROLL, 12, RIA_TU_MONTH, false},
};

typedef struct {
    int unit;   /* -1 until a @unit matched */
    int n;
} captures;

/* Matches one rule at i; returns the tokens used (0 = no match). */
static int match_rule(const tctx *c, int i, const rel_rule *r, captures *cap)
{
    int j = i;
    cap->unit = r->unit;
    cap->n = r->arg;
    for (size_t k = 0; k < RIA_ARRAY_LEN(r->pat) && r->pat[k]; k++) {
        const char *p = r->pat[k];
        if (p[0] == '?') {
            j += is_any(c, j, p + 1);
        } else if (strncmp(p, "@unit", 5) == 0) {
            const unit_word *u = unit_at(c, j);
            if (!u || (u->plural && p[5] != 's'))
                return 0;
            cap->unit = (int)u->unit;
            j++;
        } else if (strcmp(p, "@n") == 0) {
            if (!count_at(c, j, &cap->n))
                return 0;
            j++;
        } else if (is_any(c, j, p)) {
            j++;
        } else {
            return 0;
        }
    }
    return j - i;
}

/* Resolves a matched rule; false when the count is out of range. */
static bool apply_rule(const tctx *c, const rel_rule *r, const captures *cap, spec *s)
{
    ria_time_unit unit = (ria_time_unit)cap->unit;
    *s = (spec){.kind = S_FIXED, .unit = unit, .count = cap->n, .after_prev = r->after_prev};
    switch (r->op) {
    case R_CAL:
        s->p = calendar(c, unit, r->arg);
        return true;
    case R_TODATE:
        s->p = to_date(c, unit);
        return true;
    case R_AGO:
        if (cap->n > unit_info[unit].max_count)
            return false;
        s->p = calendar(c, unit, -cap->n);
        return true;
    case R_FULL:
        if (cap->n < 1 || cap->n > unit_info[unit].max_count)
            return false;
        s->p = full_units(c, unit, cap->n);
        return true;
    case R_ROLL:
        if (cap->n < 1 || cap->n > unit_info[unit].max_count)
            return false;
        s->p = rolling(c->aday, unit, cap->n, r->after_prev ? "previous" : "last");
        return true;
    }
    return false;
}

static int relative_item(const tctx *c, int i, bool ctx_ok, spec *s)
{
    (void)ctx_ok;
    int best = 0;
    for (size_t k = 0; k < RIA_ARRAY_LEN(rel_rules); k++) {
        captures cap;
        spec t;
        int n = match_rule(c, i, &rel_rules[k], &cap);
        if (n > best && apply_rule(c, &rel_rules[k], &cap, &t)) {
            best = n;
            *s = t;
        }
    }
    return best;
}

/* the week of DAY: "week of March 3", "the week of 2024-03-04". */
static int week_of_item(const tctx *c, int i, bool ctx_ok, spec *s)
{
    (void)ctx_ok;
    if (!is(c, i, "week") || !is(c, i + 1, "of"))
        return 0;
    int n = month_item(c, i + 2, true, s);
    spec t;
    int m = day_first_item(c, i + 2, true, &t);
    if (m > n) {
        n = m;
        *s = t;
    }
    m = date_item(c, i + 2, true, &t);
    if (m > n) {
        n = m;
        *s = t;
    }
    if (n == 0 || s->kind != S_DAY)
        return 0;
    s->week_of = true;
    return n + 2;
}

/* last|previous|prior|this|current + a yearless month, quarter or half. */
static int picked_item(const tctx *c, int i, bool ctx_ok, spec *s)
{
    (void)ctx_ok;
    pick_rule pick;
    if (is_any(c, i, "last|previous|prior"))
        pick = PICK_LAST;
    else if (is_any(c, i, "this|current"))
        pick = PICK_THIS;
    else
        return 0;
    int n = month_item(c, i + 1, true, s);
    spec t;
    int np = part_code(c, i + 1, &part_kinds[0], &t);
    if (np > n) {
        n = np;
        *s = t;
    }
    np = part_code(c, i + 1, &part_kinds[1], &t);
    if (np > n) {
        n = np;
        *s = t;
    }
    if (n == 0 || s->year != 0 || s->kind == S_DAY)
        return 0;
    s->pick = pick;
    s->weak = false;
    return n + 1;
}

/* ---------------------------------------------------------------- items */

typedef int (*item_parser)(const tctx *c, int i, bool ctx_ok, spec *s);

static const item_parser item_parsers[] = {
    relative_item, picked_item, week_of_item, part_item, month_item, day_first_item, date_item,
    year_item,
};

/* The longest item at i.  ctx_ok: a time word or separator precedes it. */
static int item_at(const tctx *c, int i, bool ctx_ok, spec *s)
{
    int best = 0;
    for (size_t k = 0; k < RIA_ARRAY_LEN(item_parsers); k++) {
        spec t;
        memset(&t, 0, sizeof t);
        int n = item_parsers[k](c, i, ctx_ok, &t);
        if (n > best) {
            best = n;
            *s = t;
        }
    }
    return best;
}

/* LEAD ITEM: an item after an optional preposition and "the". */
static int lead_item(const tctx *c, int i, bool ctx_ok, spec *s, bool *had_lead)
{
    int k = is_any(c, i, lead_words);
    k += is(c, i + k, "the");
    /* "over 2000" reads as an amount, "over the last year" as time */
    bool time_lead = k > 1 || (k == 1 && !is(c, i, "over"));
    int n = item_at(c, i + k, ctx_ok || time_lead, s);
    if (had_lead)
        *had_lead = k > 0;
    return n > 0 ? k + n : 0;
}

/* The grain class of an item, for lists that must not mix grains. */
static int grain_class(const spec *s)
{
    static const int of_kind[] = {
        [S_YEAR] = RIA_TU_YEAR, [S_HALF] = -1,        [S_QUARTER] = RIA_TU_QUARTER,
        [S_MONTH] = RIA_TU_MONTH, [S_DAY] = RIA_TU_DAY, [S_FIXED] = 0,
    };
    return s->kind == S_FIXED ? (int)s->p.grain : of_kind[s->kind];
}

/* ---------------------------------------------------------- expressions */

typedef struct {
    const char *w[3];
    bool same_grain;   /* the items around it must have the same grain */
} list_sep;

static const list_sep list_seps[] = {
    {{"as", "compared", "to|with"}, false},
    {{"compared", "to|with"}, false},
    {{"relative", "to"}, false},
    {{",", "and"}, true},
    {{",", "or"}, true},
    {{"vs|v", "."}, false},
    {{"vs|versus|v|against|than|over"}, false},
    {{","}, true},
    {{"and|or|&"}, true},
};

/* A list separator at i: its tokens, or 0. */
static int sep_at(const tctx *c, int i, bool *same_grain)
{
    for (size_t k = 0; k < RIA_ARRAY_LEN(list_seps); k++) {
        const list_sep *ls = &list_seps[k];
        int n = 0;
        while (n < 3 && ls->w[n] && is_any(c, i + n, ls->w[n]))
            n++;
        if (n > 0 && (n == 3 || !ls->w[n])) {
            *same_grain = ls->same_grain;
            return n;
        }
    }
    return 0;
}

typedef struct {
    const char *w[2];
    timex_bound bound;
} bound_phrase;

static const bound_phrase bound_phrases[] = {
    {{"since"}, TXB_SINCE},
    {{"starting", "from|in|with|on"}, TXB_SINCE},
    {{"starting"}, TXB_SINCE},
    {{"beginning", "in|with|from|on"}, TXB_SINCE},
    {{"after"}, TXB_AFTER},
    {{"later", "than"}, TXB_AFTER},
    {{"before"}, TXB_BEFORE},
    {{"prior", "to"}, TXB_BEFORE},
    {{"earlier", "than"}, TXB_BEFORE},
    {{"up", "to|until|till|through|thru"}, TXB_UNTIL},
    {{"until|till|through|thru"}, TXB_UNTIL},
};

/* The items of an expression and how they combine. */
typedef struct {
    timex_kind kind;
    timex_bound bound;
    spec s[8];
    int n;
    int ntok;
} parsed;

/* "since the end of 2023" is "after 2023": how an edge word turns a bound. */
static const struct {
    const char *word;
    timex_bound from[TXB_UNTIL + 1];
} edge_words[] = {
    {"start|beginning", {[TXB_SINCE] = TXB_SINCE, [TXB_AFTER] = TXB_SINCE,
                         [TXB_BEFORE] = TXB_BEFORE, [TXB_UNTIL] = TXB_BEFORE}},
    {"end", {[TXB_SINCE] = TXB_AFTER, [TXB_AFTER] = TXB_AFTER,
             [TXB_BEFORE] = TXB_UNTIL, [TXB_UNTIL] = TXB_UNTIL}},
};

/* [the] start|beginning|end of: returns its tokens and turns *bound. */
static int edge_at(const tctx *c, int i, timex_bound *bound)
{
    int j = i + is(c, i, "the");
    for (size_t k = 0; k < RIA_ARRAY_LEN(edge_words); k++) {
        if (is_any(c, j, edge_words[k].word) && is(c, j + 1, "of")) {
            *bound = edge_words[k].from[*bound];
            return j + 2 - i;
        }
    }
    return 0;
}

/* BOUND [EDGE] LEAD ITEM | from LEAD ITEM onwards */
static int parse_bounded(const tctx *c, int i, parsed *out)
{
    for (size_t k = 0; k < RIA_ARRAY_LEN(bound_phrases); k++) {
        const bound_phrase *bp = &bound_phrases[k];
        int j = i;
        while (j - i < 2 && bp->w[j - i] && is_any(c, j, bp->w[j - i]))
            j++;
        if (j == i || (j - i < 2 && bp->w[j - i]))
            continue;
        timex_bound bound = bp->bound;
        j += edge_at(c, j, &bound);
        int n = lead_item(c, j, true, &out->s[0], NULL);
        if (n == 0)
            continue;
        out->kind = TX_RANGE;
        out->bound = bound;
        out->n = 1;
        out->ntok = j + n - i;
        return out->ntok;
    }
    if (!is(c, i, "from"))
        return 0;
    int n = lead_item(c, i + 1, true, &out->s[0], NULL);
    if (n == 0 || !is_any(c, i + 1 + n, "onwards|onward|forward"))
        return 0;
    out->kind = TX_RANGE;
    out->bound = TXB_SINCE;
    out->n = 1;
    out->ntok = n + 2;
    return out->ntok;
}

/* The end of a range after its separator at j: an item, or a day of the
 * start's month ("March 1-15", "March 1 to 15, 2024").  Returns the tokens
 * used after the separator. */
static int range_end(const tctx *c, int j, const spec *a, spec *b)
{
    int m = lead_item(c, j + 1, true, b, NULL);
    const ask_token *t = tok(c, j + 1);
    int d, y;
    if (m > 0 || a->kind != S_DAY || !t || t->kind != TOK_NUMBER || !day_at(c, j + 1, true, &d))
        return m;
    *b = *a;
    b->day = d;
    int k = j + 2 + is(c, j + 2, ","), ny = year_at(c, k, true, true, &y);
    if (ny == 0)
        return 1;
    b->year = y;
    return k + ny - (j + 1);
}

/* "to now", "to date", "to the present": the range runs to the anchor. */
static int to_now(const tctx *c, int j)
{
    if (!is_any(c, j, "to|until|till|through|-"))
        return 0;
    if (is_any(c, j + 1, "now|date|present"))
        return 2;
    return is(c, j + 1, "the") && is(c, j + 2, "present") ? 3 : 0;
}

/* between LEAD ITEM (and|to|through|-) LEAD ITEM */
static int parse_between(const tctx *c, int i, parsed *out)
{
    if (!is(c, i, "between"))
        return 0;
    int n = lead_item(c, i + 1, true, &out->s[0], NULL);
    int j = i + 1 + n;
    if (n == 0 || !is_any(c, j, "and|to|through|-"))
        return 0;
    int m = range_end(c, j, &out->s[0], &out->s[1]);
    if (m == 0)
        return 0;
    out->kind = TX_RANGE;
    out->bound = TXB_FROM_TO;
    out->n = 2;
    out->ntok = j + 1 + m - i;
    return out->ntok;
}

/* LEAD ITEM, then a range or list tail. */
static int parse_items(const tctx *c, int i, parsed *out)
{
    bool lead;
    spec first;
    int n = lead_item(c, i, false, &first, &lead);
    if (n == 0)
        return 0;
    int j = i + n;
    memset(out, 0, sizeof *out);
    out->kind = TX_PERIOD;
    out->s[0] = first;
    out->n = 1;
    int k = is_any(c, j, "onwards|onward") ? 1 : to_now(c, j);
    if (k > 0) {
        out->kind = TX_RANGE;
        out->bound = TXB_SINCE;
        out->ntok = j + k - i;
        return out->ntok;
    }
    if (is_any(c, j, range_seps)) {
        int m = range_end(c, j, &out->s[0], &out->s[1]);
        if (m > 0) {
            out->kind = TX_RANGE;
            out->bound = TXB_FROM_TO;
            out->n = 2;
            out->ntok = j + 1 + m - i;
            return out->ntok;
        }
    }
    for (;;) {
        bool same;
        k = sep_at(c, j, &same);
        if (k == 0 || out->n == (int)RIA_ARRAY_LEN(out->s))
            break;
        int m = lead_item(c, j + k, true, &out->s[out->n], NULL);
        if (m == 0 || (same && grain_class(&out->s[out->n]) != grain_class(&out->s[0])))
            break;
        out->n++;
        j += k + m;
    }
    if (out->n > 1)
        out->kind = TX_LIST;
    else if (out->s[0].weak && !lead)
        return 0; /* "may" alone is a verb */
    out->ntok = j - i;
    return out->ntok;
}

/* ------------------------------------------------------------ resolving */

/* A yearless month, quarter, half or day that may borrow a year. */
static bool borrows(const spec *s)
{
    return sub_year(s) && s->year == 0 && s->pick == PICK_BARE;
}

static bool lends(const spec *s)
{
    return sub_year(s) && s->year != 0 && !s->year_rel;
}

/* The two ends of a range: a yearless end takes the other end's year, moved
 * by one so that the range runs forward ("November to February 2024" starts
 * in November 2023); two yearless ends take the start's anchor year. */
static bool resolve_pair(const tctx *c, const spec *a, const spec *b, ask_period *pa,
                         ask_period *pb)
{
    if (borrows(a) && (lends(b) || borrows(b))) {
        bool both = borrows(b);
        int y = both ? anchor_year(c, a) : b->year;
        if (!resolve_in(a, y, pa))
            return false;
        if (both && !resolve_in(b, y, pb))
            return false;
        if (!both && !resolve(c, b, pb))
            return false;
        if (!both && pa->start > pb->start && !resolve_in(a, y - 1, pa))
            return false;
        if (both && pb->end <= pa->start && !resolve_in(b, y + 1, pb))
            return false;
        pa->relative = pb->relative = both;
        return true;
    }
    if (borrows(b) && lends(a)) {
        if (!resolve(c, a, pa) || !resolve_in(b, a->year, pb))
            return false;
        return pb->end > pa->start || resolve_in(b, a->year + 1, pb);
    }
    return resolve(c, a, pa) && resolve(c, b, pb);
}

/* The year a list item borrows: from the nearest later item with one, else
 * the nearest earlier; 0 when none. */
static int list_year(const parsed *x, int k)
{
    for (int j = k + 1; j < x->n; j++)
        if (lends(&x->s[j]))
            return x->s[j].year;
    for (int j = k - 1; j >= 0; j--)
        if (lends(&x->s[j]))
            return x->s[j].year;
    return 0;
}

static bool resolve_list(const tctx *c, const parsed *x, ask_period *out)
{
    for (int k = 0; k < x->n; k++) {
        const spec *s = &x->s[k];
        int y = borrows(s) ? list_year(x, k) : 0;
        if (y ? !resolve_in(s, y, &out[k]) : !resolve(c, s, &out[k]))
            return false;
        if (s->after_prev && k > 0)
            out[k] = rolling(day_of(out[k - 1].start) - 1, s->unit, s->count, "previous");
    }
    return true;
}

/* "January 2024" + "March 2024" -> "January to March 2024". */
static void range_label(ask_period *span, const ask_period *a, const ask_period *b)
{
    size_t la = strlen(a->label), lb = strlen(b->label);
    bool same_year = la > 5 && lb > 5 && a->label[la - 5] == ' ' &&
                     strcmp(a->label + la - 5, b->label + lb - 5) == 0;
    int n;
    if (same_year)
        n = snprintf(span->label, sizeof span->label, "%.*s to %s", (int)(la - 5), a->label,
                     b->label);
    else
        n = snprintf(span->label, sizeof span->label, "%s to %s", a->label, b->label);
    if (n < 0 || (size_t)n >= sizeof span->label)
        ask_period_dates(span, span->label, sizeof span->label);
}

/* The span of a one-sided range and its label ("since June 2024 (to ...)"). */
static ask_period bounded_span(const tctx *c, timex_bound bound, const ask_period *x)
{
    int64_t now = (c->aday + 1) * RIA_SECS_PER_DAY;
    ask_period p = *x;
    char d[11];
    format_day(c->aday, d);
    static const char *const words[] = {
        [TXB_SINCE] = "since", [TXB_AFTER] = "after",
        [TXB_BEFORE] = "before", [TXB_UNTIL] = "through",
    };
    int n;
    if (bound == TXB_SINCE || bound == TXB_AFTER) {
        p.start = bound == TXB_SINCE ? x->start : x->end;
        p.end = RIA_MAX(p.start, now);
        p.relative = true;
        n = snprintf(p.label, sizeof p.label, "%s %s (to %s)", words[bound], x->label, d);
    } else {
        p.start = ASK_TIME_MIN;
        p.end = bound == TXB_BEFORE ? x->start : x->end;
        n = snprintf(p.label, sizeof p.label, "%s %s", words[bound], x->label);
    }
    if (n < 0 || (size_t)n >= sizeof p.label)
        ask_period_dates(&p, p.label, sizeof p.label);
    return p;
}

/* Fills a match from a parsed expression; false for impossible dates. */
static bool resolve_parsed(const tctx *c, const parsed *x, timex_match *m)
{
    m->kind = x->kind;
    m->bound = x->bound;
    m->nperiods = x->n;
    if (x->kind == TX_LIST) {
        if (!resolve_list(c, x, m->periods))
            return false;
        m->span = m->periods[0];
        return true;
    }
    if (x->bound == TXB_FROM_TO) {
        ask_period *a = &m->periods[0], *b = &m->periods[1];
        if (!resolve_pair(c, &x->s[0], &x->s[1], a, b))
            return false;
        ask_period *sp = &m->span;
        *sp = *a;
        sp->start = RIA_MIN(a->start, b->start);
        sp->end = RIA_MAX(a->end, b->end);
        sp->grain = RIA_MIN(a->grain, b->grain);
        sp->relative = a->relative || b->relative;
        range_label(sp, a, b);
        return true;
    }
    if (!resolve(c, &x->s[0], &m->periods[0]))
        return false;
    m->span = x->bound == TXB_NONE ? m->periods[0] : bounded_span(c, x->bound, &m->periods[0]);
    return true;
}

/* [between|from] DD (and|to|-) DD MNAME [YR]: a range of days of one
 * month named once at the end ("between 2 and 29 December 2024"). */
static int parse_day_span(const tctx *c, int i, parsed *out)
{
    int j = i + is_any(c, i, "between|from");
    int d;
    const ask_token *t = tok(c, j);
    if (!t || t->kind != TOK_NUMBER || !day_at(c, j, true, &d))
        return 0;
    if (!is_any(c, j + 1, j > i && is(c, i, "between") ? "and|to|-" : range_seps))
        return 0;
    spec b;
    memset(&b, 0, sizeof b);
    int n = day_first_item(c, j + 2, true, &b);
    if (n == 0 || b.kind != S_DAY || d > b.day)
        return 0;
    memset(out, 0, sizeof *out);
    out->s[1] = b;
    out->s[0] = b;
    out->s[0].day = d;
    out->kind = TX_RANGE;
    out->bound = TXB_FROM_TO;
    out->n = 2;
    out->ntok = j + 2 + n - i;
    return out->ntok;
}

/* The expression at i: > 0 tokens matched, < 0 tokens of an impossible
 * date to skip, 0 nothing. */
static int parse_expr(const tctx *c, int i, timex_match *m)
{
    parsed x;
    memset(&x, 0, sizeof x);
    int n = parse_day_span(c, i, &x);
    if (n == 0)
        n = parse_between(c, i, &x);
    if (n == 0)
        n = parse_bounded(c, i, &x);
    if (n == 0)
        n = parse_items(c, i, &x);
    if (n == 0)
        return 0;
    memset(m, 0, sizeof *m);
    if (!resolve_parsed(c, &x, m))
        return -n;
    m->tok = i;
    m->ntok = n;
    return n;
}

int timex_find(const ask_tokens *toks, int64_t anchor, timex_match *out, int max)
{
    if (!toks || !out || max <= 0)
        return 0;
    /* keep every date computed from the anchor inside years 1..9998 */
    int64_t lo = ria_days_from_civil(2, 1, 1) * RIA_SECS_PER_DAY;
    int64_t hi = ria_days_from_civil(9997, 12, 31) * RIA_SECS_PER_DAY;
    anchor = RIA_MIN(RIA_MAX(anchor, lo), hi);
    tctx c = {.tk = toks, .anchor = anchor, .aday = day_of(anchor)};
    ria_civil_from_days(c.aday, &c.ay, &c.am, &c.ad);
    int found = 0;
    for (int i = 0; i < toks->n && found < max;) {
        int n = parse_expr(&c, i, &out[found]);
        if (n > 0)
            found++;
        i += n > 0 ? n : n < 0 ? -n : 1;
    }
    return found;
}

void ask_period_dates(const ask_period *p, char *out, size_t outsz)
{
    if (!out || outsz == 0)
        return;
    if (p->end <= p->start) {
        snprintf(out, outsz, "no dates");
        return;
    }
    char a[11], b[11];
    int64_t first = day_of(p->start), last = day_of(p->end - 1);
    format_day(first, a);
    format_day(last, b);
    if (p->start <= ASK_TIME_MIN)
        snprintf(out, outsz, "up to %s", b);
    else if (first == last)
        snprintf(out, outsz, "%s", a);
    else
        snprintf(out, outsz, "%s to %s", a, b);
}
