/*
 * sql_internal.h — private to the SQL front end (sql_lex.c, sql_parse.c,
 * sql_print.c): tokens, the lexer, and the vocabulary of the dialect
 * (reserved words, functions, cast types, date_trunc units) shared by the
 * parser, which reads it, and the printer, which must write exactly what the
 * parser reads back.
 *
 * Invariant: every table here is the single source of a spelling; the
 * printer's canonical spelling of a function, type or unit is the first
 * table entry that maps to it.
 */
#ifndef RIA_SQL_INTERNAL_H
#define RIA_SQL_INTERNAL_H

#include "engine.h"

/* Limits of the parser; see sql_parse.c for how each is enforced. */
#define SQL_MAX_BYTES (1u << 20) /* SQL text */
#define SQL_MAX_HEIGHT 256       /* expression tree height, subqueries included */
#define SQL_MAX_DEPTH (2 * SQL_MAX_HEIGHT + 8) /* parser recursion */
#define SQL_MAX_LIST 10000       /* items in any one list */
#define SQL_MAX_NODES 250000     /* expression nodes in one statement */

/* ------------------------------------------------------------------ tokens */

typedef enum {
    TK_EOF,
    TK_ERROR,   /* a lexical error: message in `error` */
    TK_WORD,    /* unquoted identifier or keyword */
    TK_QIDENT,  /* "quoted" or `quoted` identifier (raw text, quotes included) */
    TK_STRING,  /* 'string' (raw text, quotes included) */
    TK_INT,     /* digits only */
    TK_NUMBER,  /* digits with a fraction or an exponent */
    TK_LPAREN, TK_RPAREN, TK_COMMA, TK_DOT, TK_SEMI, TK_STAR, TK_PLUS, TK_MINUS,
    TK_SLASH, TK_PERCENT, TK_CONCAT, TK_EQ, TK_NE, TK_LT, TK_LE, TK_GT, TK_GE,
    TK_COLONS,  /* :: */
} sql_tk;

typedef struct {
    sql_tk kind;
    uint32_t start, end; /* byte range [start, end) in the SQL text; for
                            TK_EOF both are where scanning began */
    const char *error;   /* TK_ERROR: what is wrong (static text) */
    bool error_quotes;   /* TK_ERROR: append the token text to the message */
} sql_token;

/* The token at or after byte `pos` of sql[0..len), skipping whitespace and
 * comments.  Stateless, so the parser peeks by lexing from a token's end. */
sql_token sql_lex(const char *sql, size_t len, size_t pos);

/* Describes a token for "found ..." in messages: 'text' (trimmed to a few
 * dozen bytes), "string '...'" or "end of input".  Writes into buf. */
void sql_token_describe(const char *sql, const sql_token *t, char *buf, size_t bufsz);

/* ASCII case-insensitive comparison of p[0..n) with the C string z. */
bool sql_ieq(const char *p, size_t n, const char *z);

/* ------------------------------------------------------------ vocabulary */

/* Words that cannot be unquoted column names or aliases. */
bool sql_is_reserved(const char *p, size_t n);
/* Reserved words that are also the names of well-known functions in other
 * dialects (LEFT, RIGHT), so that `left(x)` reports an unknown function. */
bool sql_is_reserved_callable(const char *p, size_t n);

typedef enum {
    SQL_FK_AGG,   /* aggregate: id is a ria_agg */
    SQL_FK_FUNC,  /* scalar function: id is a ria_func */
    SQL_FK_TRUNC, /* date_trunc('unit', x) */
    SQL_FK_DATE,  /* date(x) = CAST(x AS DATE) */
} sql_fkind;

typedef struct {
    const char *name; /* lower case, as printed */
    sql_fkind kind;
    int id;
    int min_args, max_args;
    bool date_part;   /* also accepted by EXTRACT(part FROM x) */
} sql_func_def;

extern const sql_func_def sql_funcs[];
extern const int sql_nfuncs;
/* The entry named p[0..n) (case-insensitive), or NULL. */
const sql_func_def *sql_func_find(const char *p, size_t n);
/* Canonical printed name of a scalar function or aggregate. */
const char *sql_func_name(ria_func f);
const char *sql_agg_name(ria_agg a);

typedef struct {
    const char *name;   /* upper case */
    ria_vtype type;
    bool takes_size;    /* accepts (n) or (p[, s]) after the name */
} sql_type_def;

/* The cast type named p[0..n) (case-insensitive), or NULL. */
const sql_type_def *sql_type_find(const char *p, size_t n);
/* Canonical printed name of a cast type ("DECIMAL", "TEXT", ...). */
const char *sql_type_name(ria_vtype t);
/* The list of type names for messages. */
extern const char sql_type_list[];

/* date_trunc units: lower-case names indexed by ria_time_unit. */
bool sql_unit_find(const char *p, size_t n, ria_time_unit *out);
const char *sql_unit_name(ria_time_unit u);

#endif
