/*
 * parse_items.h — private to the question parser (parse.c, shape.c,
 * followup.c): the items a question is split into and the helpers that
 * look at them.
 *
 * Every token belongs to one item: part of a time expression, a lexicon
 * phrase, a number, a period named relative to another one ("the month
 * before", "the same period last year"), or an unknown word.
 */
#ifndef RIA_ASK_PARSE_ITEMS_H
#define RIA_ASK_PARSE_ITEMS_H

#include "parse.h"

typedef enum { IT_TIME, IT_LEX, IT_NUMBER, IT_UNKNOWN, IT_RELTIME } item_kind;

typedef struct {
    item_kind kind;
    int tok, ntok;
    const lex_entry *e;   /* IT_LEX */
    int tx;               /* IT_TIME: index into the time matches */
    double num;           /* IT_NUMBER */
    bool percent, money;  /* IT_NUMBER: "15%", "$1,000", "1.5M" */
    /* IT_RELTIME: the reference period moved back this many months or
     * days; both 0 = by one of the reference's own units */
    int back_months, back_days;
} item;

typedef struct {
    const vocab *v;
    const char *q;
    const ask_intent *prev;  /* the session's previous intent, or NULL */
    ask_tokens toks;
    timex_match tx[16];
    int ntx;
    item it[256];
    int n;
} parser;

static inline bool is_word(const item *it, word_id w)
{
    return it->kind == IT_LEX && it->e->kind == LX_WORD && it->e->id == (int)w;
}

static inline bool is_metric(const item *it)
{
    return it->kind == IT_LEX && it->e->kind == LX_METRIC;
}

/* Index of the first item that is grammar word w, or -1. */
int find_word(const parser *p, word_id w);

static inline bool has_word(const parser *p, word_id w)
{
    return find_word(p, w) >= 0;
}

/* Whether any token of the question is the word w (also inside time
 * expressions: "2024 than 2023" is one list). */
bool has_token(const parser *p, const char *w);

/* Whether the item names several things ("states", "sub-categories"). */
bool plural_item(const parser *p, const item *it);

/* Whether the question asks for growth or change. */
bool growth_words(const parser *p);

/* Two values of one dimension compared ("CA vs TX"): the filter index or -1. */
int compared_values(const ask_intent *in);

/* shape.c: chooses the intent's shape from the items (see shape.c). */
void decide_shape(const parser *p, ask_intent *in);

/* followup.c: whether the question continues the previous one, and the
 * merge of the two interpretations. */
bool is_follow_up(const parser *p, const ask_intent *in);
void merge_follow_up(const parser *p, ask_intent *in, const ask_intent *prev, bool had_metric);

#endif
