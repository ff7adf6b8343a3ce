/*
 * parse.h — private to ask: a question to an intent (see parse.c).
 */
#ifndef RIA_ASK_PARSE_H
#define RIA_ASK_PARSE_H

#include "vocab.h"

typedef enum { PARSE_OK, PARSE_NOT_UNDERSTOOD, PARSE_OUT_OF_SCOPE } parse_verdict;

typedef struct {
    parse_verdict verdict;
    ask_intent intent;
    bool follow_up;          /* merged with the previous question's intent */
    char unknown[8][48];     /* words not understood, as typed */
    int nunknown;
    char scope[4][48];       /* words that made it out of scope */
    int nscope;
    char currency[8];        /* out of scope: asked in this currency, the data is in another */
    metric_id unavailable;   /* a metric the data cannot compute (M_NONE when all can) */
    char corrected[8][2][48];/* typos read as known words: {as typed, read as} */
    char future[64];         /* out of scope: a period after the data's end (a forecast) */
    int ncorrected;
} ask_parse;

/* Interprets a question; prev is the session's previous intent (or NULL). */
ria_status ask_parse_question(const vocab *v, const char *question, int64_t anchor,
                              const ask_intent *prev, ask_parse *out);
/* The anchor's calendar year as a period. */
ask_period anchor_year(int64_t anchor);

#endif
