/*
 * parse.c — a question's tokens to an intent.
 *
 * Each token is accounted for by one item (parse_items.h): part of a time
 * expression, a period relative to another one, a lexicon phrase (metric,
 * dimension, value, grammar word, filler, scope word, currency), a number,
 * or — failing everything, typos included — an unknown word.  Unknown
 * words make the question "not understood" (the answer names them); scope
 * words make it "out of scope".  Otherwise the items give the intent's
 * metric(s), filters, period(s) and groupings here, its shape in shape.c,
 * and followup.c merges a follow-up with the previous intent.
 */
#include "parse_items.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ helpers */

int find_word(const parser *p, word_id w)
{
    for (int i = 0; i < p->n; i++)
        if (is_word(&p->it[i], w))
            return i;
    return -1;
}

bool has_token(const parser *p, const char *w)
{
    for (int i = 0; i < p->toks.n; i++)
        if (strcmp(p->toks.t[i].text, w) == 0)
            return true;
    return false;
}

bool plural_item(const parser *p, const item *it)
{
    const ask_token *t = &p->toks.t[it->tok + it->ntok - 1];
    if (t->len < 3 || t->text[t->len - 1] != 's')
        return false;
    /* "status", "address", "bus": singular words ending in s */
    return strcmp(t->text + t->len - 2, "ss") != 0 && strcmp(t->text + t->len - 2, "us") != 0;
}

bool growth_words(const parser *p)
{
    return has_word(p, W_GROWTH) || has_word(p, W_YOY) || has_word(p, W_MOM) ||
           has_word(p, W_QOQ) || has_word(p, W_WOW) || has_word(p, W_DOD) ||
           has_word(p, W_CHANGE) || has_word(p, W_INCREASE) || has_word(p, W_DECREASE);
}

int compared_values(const ask_intent *in)
{
    for (int i = 0; i < in->nfilters; i++) {
        const ask_filter *f = &in->filters[i];
        if (!f->negate && !f->named_group && f->nvalues >= 2 && f->nvalues <= 8)
            return i;
    }
    return -1;
}

/* ------------------------------------------------------------------ items */

/* Reads a number item at token i: "15", "15%", "$1,000", "1.5m", "2k". */
static int number_item(parser *p, int i, item *out)
{
    const ask_token *t = &p->toks.t[i];
    if (t->kind != TOK_NUMBER)
        return 0;
    int used = 1;
    *out = (item){IT_NUMBER, i, 1, NULL, -1, t->num, false, false, 0, 0};
    if (i > 0 && p->toks.t[i - 1].kind == TOK_SYMBOL && strchr("$€£", p->toks.t[i - 1].text[0]))
        out->money = true;
    if (i + 1 < p->toks.n) {
        const ask_token *u = &p->toks.t[i + 1];
        if (strcmp(u->text, "%") == 0 || strcmp(u->text, "percent") == 0 ||
            strcmp(u->text, "pct") == 0 || strcmp(u->text, "percentage") == 0 ||
            strcmp(u->text, "points") == 0) {
            out->percent = true;
            used = 2;
        } else if (strcmp(u->text, "k") == 0 || strcmp(u->text, "thousand") == 0) {
            out->num *= 1e3;
            used = 2;
        } else if (strcmp(u->text, "m") == 0 || strcmp(u->text, "mm") == 0 ||
                   strcmp(u->text, "million") == 0 || strcmp(u->text, "millions") == 0) {
            out->num *= 1e6;
            used = 2;
        } else if (strcmp(u->text, "b") == 0 || strcmp(u->text, "bn") == 0 ||
                   strcmp(u->text, "billion") == 0) {
            out->num *= 1e9;
            used = 2;
        }
    }
    out->ntok = used;
    return used;
}

/* A word token with a trailing k/m suffix ("1.5m", "250k"). */
static bool suffixed_number(const ask_token *t, double *out)
{
    if (t->kind != TOK_WORD || t->len < 2)
        return false;
    char last = t->text[t->len - 1];
    double mul = last == 'k' ? 1e3 : last == 'm' ? 1e6 : last == 'b' ? 1e9 : 0;
    if (!mul)
        return false;
    char buf[32];
    if (t->len - 1 >= sizeof buf)
        return false;
    memcpy(buf, t->text, t->len - 1);
    buf[t->len - 1] = 0;
    char *end;
    double v = strtod(buf, &end);
    if (*end || end == buf)
        return false;
    *out = v * mul;
    return true;
}

static void push(parser *p, item it)
{
    if (p->n < (int)RIA_ARRAY_LEN(p->it))
        p->it[p->n++] = it;
}

/* ---------------------------------------------------- relative periods */

static const char *tok_text(const parser *p, int i)
{
    return i >= 0 && i < p->toks.n ? p->toks.t[i].text : "";
}

/* Whether token i is one of the "|"-separated words. */
static bool tok_is(const parser *p, int i, const char *alts)
{
    const char *t = tok_text(p, i);
    size_t n = strlen(t);
    if (!n)
        return false;
    for (const char *a = alts; *a;) {
        const char *e = strchr(a, '|');
        size_t k = e ? (size_t)(e - a) : strlen(a);
        if (k == n && memcmp(a, t, n) == 0)
            return true;
        a = e ? e + 1 : a + k;
    }
    return false;
}

/* A unit word at token i: months back for one unit (week and day in days). */
static bool unit_back(const parser *p, int i, int *months, int *days)
{
    *months = *days = 0;
    if (tok_is(p, i, "year|yr"))
        *months = 12;
    else if (tok_is(p, i, "quarter|qtr"))
        *months = 3;
    else if (tok_is(p, i, "month"))
        *months = 1;
    else if (tok_is(p, i, "week"))
        *days = 7;
    else if (tok_is(p, i, "day"))
        *days = 1;
    else if (!tok_is(p, i, "period"))
        return false;
    return true;
}

/* "last year", "the previous year", "a year ago", "the year before" ... at
 * token i: the tokens used and the unit. */
static int unit_ago(const parser *p, int i, int *months, int *days)
{
    int j = i + tok_is(p, i, "the");
    if (tok_is(p, j, "last|previous|prior|preceding") && unit_back(p, j + 1, months, days))
        return j + 2 - i;
    if (tok_is(p, i, "a|one") && unit_back(p, i + 1, months, days) &&
        tok_is(p, i + 2, "ago|earlier|before|prior|back"))
        return 3;
    if (tok_is(p, i, "the") && unit_back(p, i + 1, months, days) &&
        tok_is(p, i + 2, "before|prior|earlier"))
        return 3;
    return 0;
}

/* Whether a time expression lies outside tokens [a, b). */
static bool other_time(const parser *p, int a, int b)
{
    for (int k = 0; k < p->ntx; k++)
        if (p->tx[k].tok + p->tx[k].ntok <= a || p->tx[k].tok >= b)
            return true;
    return false;
}

static bool prev_period(const parser *p)
{
    return p->prev && (p->prev->has_period || p->prev->nperiods);
}

/* A period named relative to another one at token i:
 *   [the] same period|time|... [of|in] last year|a year ago|the year before ...
 *   [the] month|quarter|year|week|day|period before|prior|earlier [that]
 *   [the] previous|prior|preceding UNIT   (only beside another period)
 *   a|one year earlier|before             (only beside another period)
 * The reference is the question's other period, else the previous
 * question's.  Returns the tokens used (0 = none). */
static int relative_item(const parser *p, int i, item *out)
{
    int months = 0, days = 0, j = i + tok_is(p, i, "the"), n = 0;
    bool need_here = false;
    if (tok_is(p, j, "same") &&
        tok_is(p, j + 1, "period|time|days|dates|months|month|weeks|week|quarter|window|span")) {
        int k = j + 2 + tok_is(p, j + 2, "of|in|from");
        int m = unit_ago(p, k, &months, &days);
        if (m == 0 || (months == 0 && days == 0))
            return 0;
        n = k + m - i;
    } else if (unit_back(p, j, &months, &days) && tok_is(p, j + 1, "before|prior|earlier") &&
               !tok_is(p, j + 2, "last")) {
        n = j + 2 + tok_is(p, j + 2, "that|it|this") - i;
    } else if (tok_is(p, j, "previous|prior|preceding") && unit_back(p, j + 1, &months, &days)) {
        n = j + 2 - i;
        need_here = !tok_is(p, j + 1, "period");
    } else if (tok_is(p, i, "a|one") && unit_back(p, i + 1, &months, &days) &&
               tok_is(p, i + 2, "earlier|before|prior")) {
        n = 3;
        need_here = true;
    } else {
        return 0;
    }
    bool here = other_time(p, i, i + n);
    if (!here && (need_here || !prev_period(p)))
        return 0;
    *out = (item){IT_RELTIME, i, n, NULL, -1, 0, false, false, months, days};
    return n;
}

/* The one-word grammar word spelled as token i, or NULL. */
static const lex_entry *grammar_word_at(const parser *p, int i)
{
    for (int x = 0; x < p->v->lex.n; x++) {
        const lex_entry *g = &p->v->lex.e[x];
        if (g->kind == LX_WORD && g->nwords == 1 && strcmp(g->phrase, p->toks.t[i].text) == 0)
            return g;
    }
    return NULL;
}

static bool coordinator(const item *it)
{
    return is_word(it, W_AND) || is_word(it, W_OR) || is_word(it, W_VS);
}

/* "online and store": a value that is also a common word (so normally
 * matched only as stored) counts in lower case when it is coordinated with
 * another value of the same dimension. */
static void coordinated_values(parser *p)
{
    for (int i = 0; i < p->n; i++) {
        item *it = &p->it[i];
        if (it->kind != IT_UNKNOWN && !(it->kind == IT_LEX && it->e->kind == LX_FILLER))
            continue;
        const item *nb = NULL;
        if (i >= 2 && coordinator(&p->it[i - 1]) && p->it[i - 2].kind == IT_LEX &&
            p->it[i - 2].e->kind == LX_VALUE)
            nb = &p->it[i - 2];
        else if (i + 2 < p->n && coordinator(&p->it[i + 1]) && p->it[i + 2].kind == IT_LEX &&
                 p->it[i + 2].e->kind == LX_VALUE)
            nb = &p->it[i + 2];
        else if (i + 1 < p->n && p->it[i + 1].kind == IT_LEX && p->it[i + 1].e->kind == LX_DIM)
            nb = &p->it[i + 1]; /* "the store channel": a value before its column's name */
        if (!nb)
            continue;
        const lex_entry *e = NULL;
        int k = vocab_lookup(p->v, &p->toks, it->tok, it->ntok, NULL, &e);
        if (k == it->ntok && e->kind == LX_VALUE && e->id == nb->e->id) {
            it->kind = IT_LEX;
            it->e = e;
        }
    }
}

static void note_correction(ask_parse *out, const parser *p, int tok, const char *to)
{
    if (out->ncorrected == (int)RIA_ARRAY_LEN(out->corrected))
        return;
    const ask_token *t = &p->toks.t[tok];
    snprintf(out->corrected[out->ncorrected][0], 48, "%.*s", (int)(t->end - t->start),
             p->q + t->start);
    snprintf(out->corrected[out->ncorrected][1], 48, "%s", to);
    out->ncorrected++;
}

/* Words that are neither in the lexicon nor in time expressions but one
 * typo away from exactly one such word are read as that word, before time
 * expressions and phrases are matched ("betwen", "margn", "dyas"). */
static void correct_typos(parser *p, ask_parse *out)
{
    for (int i = 0; i < p->toks.n; i++) {
        ask_token *t = &p->toks.t[i];
        if (t->kind != TOK_WORD)
            continue;
        const char *w = vocab_correct(p->v, t->text, t->len);
        if (!w)
            continue;
        note_correction(out, p, i, w);
        t->text = w; /* the vocabulary outlives the tokens */
        t->len = strlen(w);
    }
}

/* The grammar word entry spelled phrase with this id, or NULL. */
static const lex_entry *grammar_entry(const vocab *v, const char *phrase, word_id id)
{
    for (int x = 0; x < v->lex.n; x++) {
        const lex_entry *g = &v->lex.e[x];
        if (g->kind == LX_WORD && g->id == (int)id && strcmp(g->phrase, phrase) == 0)
            return g;
    }
    return NULL;
}

/* "over": a bound before a number ("over $420"), else a comparison ("growth
 * over last year"). */
static void resolve_over(parser *p)
{
    for (int i = 0; i < p->n; i++) {
        item *it = &p->it[i];
        if (it->kind != IT_LEX || it->e->kind != LX_WORD || strcmp(it->e->phrase, "over") != 0)
            continue;
        bool number = i + 1 < p->n && p->it[i + 1].kind == IT_NUMBER;
        const lex_entry *e = grammar_entry(p->v, "over", number ? W_MORE : W_VS);
        if (e)
            it->e = e;
    }
}

/* Number words: "top five states". */
static bool number_word(const ask_token *t, double *out)
{
    static const char *const words[] = {"two",     "three",     "four",     "five",
                                        "six",     "seven",     "eight",    "nine",
                                        "ten",     "eleven",    "twelve",   "thirteen",
                                        "fourteen", "fifteen",  "sixteen",  "seventeen",
                                        "eighteen", "nineteen", "twenty"};
    for (size_t k = 0; k < RIA_ARRAY_LEN(words); k++)
        if (strcmp(t->text, words[k]) == 0) {
            *out = (double)k + 2;
            return true;
        }
    if (strcmp(t->text, "dozen") == 0) {
        *out = 12;
        return true;
    }
    return false;
}

/* Splits the question into items (see the file comment). */
static void itemize(parser *p, int64_t anchor)
{
    p->ntx = timex_find(&p->toks, anchor, p->tx, (int)RIA_ARRAY_LEN(p->tx));
    int i = 0, x = 0;
    while (i < p->toks.n) {
        while (x < p->ntx && p->tx[x].tok + p->tx[x].ntok <= i)
            x++;
        item rel;
        int r = relative_item(p, i, &rel);
        if (r > 0) {
            push(p, rel);
            i += r;
            continue;
        }
        if (x < p->ntx && p->tx[x].tok == i) {
            push(p, (item){IT_TIME, i, p->tx[x].ntok, NULL, x, 0, false, false, 0, 0});
            i += p->tx[x].ntok;
            continue;
        }
        const lex_entry *e = NULL;
        /* a phrase must not run into the next time expression */
        int maxw = x < p->ntx ? p->tx[x].tok - i : p->toks.n - i;
        int k = maxw > 0 ? vocab_lookup(p->v, &p->toks, i, maxw, p->q, &e) : 0;
        /* a value spelled as a grammar word at the start of the question
         * is capitalized for the sentence: "Top 5 states" */
        if (k == 1 && i == 0 && e->kind == LX_VALUE && e->exact_case) {
            const lex_entry *g = grammar_word_at(p, i);
            if (g)
                e = g;
        }
        if (k > 0) {
            push(p, (item){IT_LEX, i, k, e, -1, 0, false, false, 0, 0});
            i += k;
            continue;
        }
        item num;
        int used = number_item(p, i, &num);
        if (used) {
            push(p, num);
            i += used;
            continue;
        }
        const ask_token *t = &p->toks.t[i];
        double sv;
        if (suffixed_number(t, &sv) || number_word(t, &sv)) {
            push(p, (item){IT_NUMBER, i, 1, NULL, -1, sv, false, false, 0, 0});
            i++;
            continue;
        }
        if (t->kind == TOK_PUNCT || t->kind == TOK_SYMBOL) {
            i++; /* punctuation carries no meaning of its own */
            continue;
        }
        push(p, (item){IT_UNKNOWN, i, 1, NULL, -1, 0, false, false, 0, 0});
        i++;
    }
    coordinated_values(p);
    resolve_over(p);
}

/* ---------------------------------------------------------------- intent */

static void add_filter(ask_intent *in, int dim, const char *value, const char *label, bool negate)
{
    for (int i = 0; i < in->nfilters; i++) {
        ask_filter *f = &in->filters[i];
        if (f->dim != dim || f->negate != negate || f->named_group)
            continue;
        for (int k = 0; k < f->nvalues; k++)
            if (strcmp(f->values[k], value) == 0)
                return;
        if (f->nvalues < MAX_VALUES) {
            f->values[f->nvalues++] = value;
            size_t l = strlen(f->label);
            snprintf(f->label + l, sizeof f->label - l, "%s%s", l ? ", " : "", label);
        }
        return;
    }
    if (in->nfilters == MAX_FILTERS)
        return;
    ask_filter *f = &in->filters[in->nfilters++];
    memset(f, 0, sizeof *f);
    f->dim = dim;
    f->negate = negate;
    f->values[f->nvalues++] = value;
    snprintf(f->label, sizeof f->label, "%s", label);
}

/* A named group of values ("the West Coast", "returned orders"). */
static void add_group_filter(ask_intent *in, const lex_entry *e, bool negate)
{
    if (in->nfilters == MAX_FILTERS)
        return;
    ask_filter *f = &in->filters[in->nfilters++];
    memset(f, 0, sizeof *f);
    f->dim = e->id;
    f->negate = negate;
    f->named_group = true;
    for (int k = 0; k < e->nvalues && k < MAX_VALUES; k++)
        f->values[f->nvalues++] = e->values[k];
    snprintf(f->label, sizeof f->label, "the %s", e->phrase);
}

static bool grouping_marker(const item *it)
{
    return is_word(it, W_BY) || is_word(it, W_EACH) || is_word(it, W_PER) ||
           is_word(it, W_ACROSS) || is_word(it, W_WHICH) || is_word(it, W_TOP) ||
           is_word(it, W_BOTTOM) || is_word(it, W_HIGHEST) || is_word(it, W_LOWEST) ||
           is_word(it, W_BEST) || is_word(it, W_WORST) || is_word(it, W_BREAK_DOWN);
}

static bool value_of(const item *it, int dim)
{
    return it->kind == IT_LEX && (it->e->kind == LX_VALUE || it->e->kind == LX_STATES) &&
           (dim < 0 || it->e->id == dim);
}

/* Whether the dimension item at i names the groups of the answer, rather
 * than introducing or qualifying a value: "the West region", "SKU
 * CLO-KID-0324", "Home products". */
static bool groups_by(const parser *p, int i)
{
    const item *it = &p->it[i];
    int dim = it->e->id;
    if (i + 1 < p->n && value_of(&p->it[i + 1], dim))
        return false;
    if (i > 0 && value_of(&p->it[i - 1], dim))
        return false;
    if (vocab_product_word(it->e) && i > 0 && value_of(&p->it[i - 1], -1) &&
        !(i > 1 && grouping_marker(&p->it[i - 2])))
        return false;
    return true;
}

/* "top 3 customers by revenue": the customers metric word names the
 * customer column when a ranking or grouping word points at it and another
 * metric is named. */
static bool customers_grouped(const parser *p, int i, ask_intent *in)
{
    if (p->it[i].e->id != M_CUSTOMERS || in->ngroup >= 2)
        return false;
    const ria_column *c = ria_snapshot_role(p->v->snap, RIA_ROLE_CUSTOMER_ID);
    int d = c ? vocab_dim_of_col(p->v, (int)c->id) : -1;
    if (d < 0)
        return false;
    int k = i - 1;
    if (k >= 0 && p->it[k].kind == IT_NUMBER)
        k--;
    if (k < 0 || !(is_word(&p->it[k], W_TOP) || is_word(&p->it[k], W_BOTTOM) ||
                   is_word(&p->it[k], W_BY) || is_word(&p->it[k], W_EACH) ||
                   is_word(&p->it[k], W_PER) || is_word(&p->it[k], W_WHICH) ||
                   is_word(&p->it[k], W_HIGHEST) || is_word(&p->it[k], W_LOWEST) ||
                   is_word(&p->it[k], W_BEST) || is_word(&p->it[k], W_WORST)))
        return false;
    bool other = false;
    for (int x = 0; x < p->n; x++)
        other |= x != i && is_metric(&p->it[x]) && p->it[x].e->id != M_CUSTOMERS;
    if (!other)
        return false;
    in->group[in->ngroup++] = d;
    return true;
}

/* Resolves the periods named relative to another one. */
static void resolve_relative(const parser *p, ask_intent *in)
{
    ask_period ref;
    bool have = in->has_period;
    if (have)
        ref = in->period;
    else if (p->prev && p->prev->has_period)
        ref = p->prev->period, have = true;
    else if (p->prev && p->prev->nperiods)
        ref = p->prev->periods[p->prev->nperiods - 1], have = true;
    if (!have)
        ref = in->anchor_year;
    bool first = !in->has_period;
    for (int i = 0; i < p->n; i++) {
        const item *it = &p->it[i];
        if (it->kind != IT_RELTIME)
            continue;
        ask_period q = it->back_months ? period_back_months(&ref, it->back_months)
                       : it->back_days ? period_back_days(&ref, it->back_days)
                                       : period_before(&ref);
        if (in->nperiods == 0 && in->has_period && in->nperiods < MAX_PERIODS)
            in->periods[in->nperiods++] = ref;
        if (in->nperiods < MAX_PERIODS)
            in->periods[in->nperiods++] = q;
        if (first) {
            in->period = q;
            in->has_period = true;
            first = false;
        }
    }
}

/* Collects metrics, filters, groupings and periods from the items. */
static void collect(const parser *p, ask_intent *in)
{
    bool negate_next = false;
    for (int i = 0; i < p->n; i++) {
        const item *it = &p->it[i];
        if (is_word(it, W_NOT)) {
            negate_next = true;
            continue;
        }
        if (it->kind == IT_TIME) {
            const timex_match *m = &p->tx[it->tx];
            for (int k = 0; k < m->nperiods && in->nperiods < MAX_PERIODS; k++)
                in->periods[in->nperiods++] = m->periods[k];
            if (!in->has_period || m->kind == TX_RANGE) {
                in->period = m->span;
                in->has_period = true;
            }
            if (m->kind == TX_RANGE)
                in->range_tx = true;
            continue;
        }
        if (it->kind != IT_LEX)
            continue;
        const lex_entry *e = it->e;
        switch (e->kind) {
        case LX_METRIC:
            if (customers_grouped(p, i, in))
                break;
            if (!in->metric_explicit)
                in->metric = (metric_id)e->id;
            else if (in->metric2 == M_NONE && e->id != (int)in->metric)
                in->metric2 = (metric_id)e->id;
            in->metric_explicit = true;
            break;
        case LX_VALUE:
            add_filter(in, e->id, e->value, e->value, negate_next);
            negate_next = false;
            break;
        case LX_STATES:
            add_group_filter(in, e, negate_next);
            negate_next = false;
            break;
        case LX_DIM:
            if (groups_by(p, i) && in->ngroup < 2) {
                bool dup = false;
                for (int g = 0; g < in->ngroup; g++)
                    dup |= in->group[g] == e->id;
                if (!dup)
                    in->group[in->ngroup++] = e->id;
            }
            break;
        default: break;
        }
    }
    resolve_relative(p, in);
}

/* -------------------------------------------------------------- parse */

static void unknown_words(const parser *p, ask_parse *out)
{
    for (int i = 0; i < p->n; i++) {
        const item *it = &p->it[i];
        if (it->kind == IT_UNKNOWN && out->nunknown < (int)RIA_ARRAY_LEN(out->unknown)) {
            const ask_token *t = &p->toks.t[it->tok];
            snprintf(out->unknown[out->nunknown++], sizeof out->unknown[0], "%.*s",
                     (int)(t->end - t->start), p->q + t->start);
        }
        if (it->kind != IT_LEX)
            continue;
        if (it->e->kind == LX_SCOPE && out->nscope < (int)RIA_ARRAY_LEN(out->scope))
            snprintf(out->scope[out->nscope++], sizeof out->scope[0], "%s", it->e->phrase);
        /* amounts asked in another currency than the data's */
        if (it->e->kind == LX_CURRENCY && strcmp(it->e->value, p->v->currency) != 0 &&
            out->nscope < (int)RIA_ARRAY_LEN(out->scope)) {
            snprintf(out->scope[out->nscope++], sizeof out->scope[0], "%s", it->e->phrase);
            snprintf(out->currency, sizeof out->currency, "%s", it->e->value);
        }
    }
}

static bool meaningful(const parser *p)
{
    for (int i = 0; i < p->n; i++) {
        const item *it = &p->it[i];
        if (it->kind == IT_TIME || it->kind == IT_NUMBER || it->kind == IT_RELTIME)
            return true;
        if (it->kind == IT_LEX && it->e->kind != LX_FILLER && it->e->kind != LX_CURRENCY)
            return true;
    }
    return false;
}

/* A period that starts after the anchor's day asks for a forecast. */
static void future_period(const parser *p, const ask_intent *in, ask_parse *out)
{
    int64_t end = (ria_floor_div(in->anchor, RIA_SECS_PER_DAY) + 1) * RIA_SECS_PER_DAY;
    const ask_period *f = NULL;
    if (in->has_period && in->period.start >= end)
        f = &in->period;
    for (int k = 0; !f && k < in->nperiods; k++)
        if (in->periods[k].start >= end)
            f = &in->periods[k];
    (void)p;
    if (f)
        snprintf(out->future, sizeof out->future, "%s", f->label);
}

ria_status ask_parse_question(const vocab *v, const char *question, int64_t anchor,
                              const ask_intent *prev, ask_parse *out)
{
    memset(out, 0, sizeof *out);
    out->unavailable = M_NONE;
    parser *p = calloc(1, sizeof *p);
    if (!p)
        return RIA_ENOMEM;
    p->v = v;
    p->q = question;
    p->prev = prev;
    if (!ask_tokenize(question, &p->toks)) {
        free(p);
        return RIA_ENOMEM;
    }
    correct_typos(p, out);
    itemize(p, anchor);
    unknown_words(p, out);
    ask_intent *in = &out->intent;
    memset(in, 0, sizeof *in);
    in->metric = M_REVENUE;
    in->metric2 = M_NONE;
    in->extra = M_NONE;
    in->having_metric = M_NONE;
    in->anchor_year = anchor_year(anchor);
    in->anchor = anchor;
    if (out->nscope) {
        out->verdict = PARSE_OUT_OF_SCOPE;
    } else if (out->nunknown || !meaningful(p)) {
        out->verdict = PARSE_NOT_UNDERSTOOD;
    } else {
        collect(p, in);
        future_period(p, in, out);
        bool had_metric = in->metric_explicit;
        decide_shape(p, in);
        if (prev && is_follow_up(p, in)) {
            merge_follow_up(p, in, prev, had_metric);
            out->follow_up = true;
        }
        if (out->future[0])
            out->verdict = PARSE_OUT_OF_SCOPE;
        for (int i = 0; i < in->nfilters; i++)
            if (v->dims[in->filters[i].dim].col == v->col_status)
                in->status_grouped = true;
        for (int g = 0; g < in->ngroup; g++)
            if (v->dims[in->group[g]].col == v->col_status)
                in->status_grouped = true;
        if (out->verdict != PARSE_OUT_OF_SCOPE)
            out->verdict = PARSE_OK;
    }
    ask_tokens_free(&p->toks);
    free(p);
    return RIA_OK;
}

ask_period anchor_year(int64_t anchor)
{
    ask_period y;
    memset(&y, 0, sizeof y);
    int yy, m, d;
    ria_civil_from_days(ria_floor_div(anchor, RIA_SECS_PER_DAY), &yy, &m, &d);
    y.start = ria_days_from_civil(yy, 1, 1) * RIA_SECS_PER_DAY;
    y.end = ria_days_from_civil(yy + 1, 1, 1) * RIA_SECS_PER_DAY;
    y.grain = RIA_TU_YEAR;
    snprintf(y.label, sizeof y.label, "%d", yy);
    return y;
}
