/*
 * vocab.h — private to ask: the vocabulary of one store version (see
 * vocab.c) and phrase lookup in a token stream.
 */
#ifndef RIA_ASK_VOCAB_H
#define RIA_ASK_VOCAB_H

#include "ask_internal.h"
#include "ingest/ingest.h"

/* Dimensions with more values than this are not in the lexicon (they can
 * still be grouped by). */
#define VOCAB_MAX_VALUES 20000

/* The generic words for products (the product name dimension, else SKU). */
#define PRODUCT_WORDS "product|products|item|items|goods|merchandise|article|articles"

/* Whether a lexicon entry is one of PRODUCT_WORDS. */
bool vocab_product_word(const lex_entry *e);

typedef struct {
    ria_snapshot *snap;            /* borrowed */
    metric_def metrics[M_COUNT_];
    dim_def dims[64];
    int ndims;
    lexicon lex;
    /* columns by role, -1 when absent */
    int col_amount, col_quantity, col_cost, col_profit, col_customer, col_discount, col_status,
        col_state, col_time, col_order, col_region;
    /* status values and their class: "sale", "cancellation", "return" */
    const char *status_value[256];
    const char *status_class[256];
    int nstatus;
    /* the condition every status-ruled metric adds; "" when the data has none */
    char status_rule[2048];
    char currency[8];              /* "USD" (the default), "INR", or "mixed" */
    /* spelling: every word of the lexicon and of time expressions (known),
     * and the ones a typo may be corrected to (the grammar, metrics,
     * dimensions and the values of small dimensions) */
    ria_strmap known;
    const char **fix_words;
    int nfix;
} vocab;

ria_status vocab_build(vocab *v, ria_snapshot *snap, json_t *model, ria_error *err);
void vocab_free(vocab *v);
int vocab_dim_of_col(const vocab *v, int col);
/* The word a typo stands for ("revenu" -> "revenue", "dyas" -> "days"),
 * or NULL when the word is known or no single known word is that close. */
const char *vocab_correct(const vocab *v, const char *w, size_t n);
/* The longest lexicon phrase starting at token `at` (exact-case values are
 * only matched when the question spells them as stored); returns its word
 * count (0 when none) and the entry. */
int vocab_lookup(const vocab *v, const ask_tokens *t, int at, int maxw, const char *question,
                 const lex_entry **out);
/* Whether a word makes the question out of scope. */
bool vocab_is_scope_word(const char *w);
const char *metric_words(metric_id m);
/* Appends s as an SQL string literal. */
void sql_quote(ria_buf *out, const char *s);
lex_entry *lex_add(lexicon *lx, const char *phrase, size_t n, lex_kind kind, int id);

#endif
