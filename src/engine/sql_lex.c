/*
 * sql_lex.c — the SQL tokenizer and the dialect's vocabulary tables
 * (reserved words, functions, cast types, date_trunc units).
 *
 * The lexer is a pure function of (text, offset): it never allocates and
 * never fails; malformed input becomes a TK_ERROR token that the parser
 * reports with its offset.  Tokens are byte ranges into the caller's text,
 * valid as long as that text.
 */
#include "engine/sql_internal.h"

#include <string.h>

/* ------------------------------------------------------------ characters */

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Bytes >= 0x80 are accepted so that UTF-8 names need no quotes. */
static bool is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_ident_char(unsigned char c)
{
    return is_ident_start(c) || is_digit(c);
}

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

bool sql_ieq(const char *p, size_t n, const char *z)
{
    size_t i = 0;
    for (; i < n; i++)
        if (!z[i] || lower((unsigned char)p[i]) != lower((unsigned char)z[i]))
            return false;
    return z[i] == 0;
}

/* --------------------------------------------------------------- scanning */

static sql_token make(sql_tk kind, size_t start, size_t end)
{
    return (sql_token){.kind = kind, .start = (uint32_t)start, .end = (uint32_t)end};
}

static sql_token lex_error(size_t start, size_t end, const char *msg, bool quotes)
{
    sql_token t = make(TK_ERROR, start, end);
    t.error = msg;
    t.error_quotes = quotes;
    return t;
}

/* Skips whitespace and comments.  Returns the offset of the next token, or
 * sets *open_comment to the start of an unterminated block comment. */
static size_t skip_blank(const char *s, size_t n, size_t i, size_t *open_comment)
{
    *open_comment = SIZE_MAX;
    for (;;) {
        while (i < n && is_space((unsigned char)s[i]))
            i++;
        if (i + 1 < n && s[i] == '-' && s[i + 1] == '-') {
            while (i < n && s[i] != '\n')
                i++;
        } else if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
            const char *close = n - i >= 4 ? memmem(s + i + 2, n - i - 2, "*/", 2) : NULL;
            if (!close) {
                *open_comment = i;
                return n;
            }
            i = (size_t)(close - s) + 2;
        } else {
            return i;
        }
    }
}

/* A quoted run ('string', "ident", `ident`) with the quote doubled inside. */
static sql_token lex_quoted(const char *s, size_t n, size_t start, sql_tk kind)
{
    char q = s[start];
    for (size_t i = start + 1; i < n; i++) {
        if (s[i] != q)
            continue;
        if (i + 1 < n && s[i + 1] == q) {
            i++;
            continue;
        }
        return make(kind, start, i + 1);
    }
    return lex_error(start, n,
                     kind == TK_STRING ? "unterminated string literal"
                                       : "unterminated quoted identifier",
                     false);
}

/* digits [. digits] [e [+-] digits], or . digits [...]. */
static sql_token lex_number(const char *s, size_t n, size_t start)
{
    size_t i = start;
    bool frac = false;
    while (i < n && is_digit((unsigned char)s[i]))
        i++;
    if (i < n && s[i] == '.') {
        frac = true;
        i++;
        while (i < n && is_digit((unsigned char)s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t k = i + 1;
        if (k < n && (s[k] == '+' || s[k] == '-'))
            k++;
        if (k < n && is_digit((unsigned char)s[k])) {
            frac = true;
            i = k;
            while (i < n && is_digit((unsigned char)s[i]))
                i++;
        }
    }
    if (i < n && is_ident_char((unsigned char)s[i])) {
        while (i < n && is_ident_char((unsigned char)s[i]))
            i++;
        return lex_error(start, i, "malformed number", true);
    }
    return make(frac ? TK_NUMBER : TK_INT, start, i);
}

/* Operators, longest first. */
static const struct {
    const char text[3];
    sql_tk kind;
} operators[] = {
    {"::", TK_COLONS}, {"||", TK_CONCAT}, {"<>", TK_NE},    {"!=", TK_NE},    {"<=", TK_LE},
    {">=", TK_GE},     {"(", TK_LPAREN},  {")", TK_RPAREN}, {",", TK_COMMA},  {".", TK_DOT},
    {";", TK_SEMI},    {"*", TK_STAR},    {"+", TK_PLUS},   {"-", TK_MINUS},  {"/", TK_SLASH},
    {"%", TK_PERCENT}, {"=", TK_EQ},      {"<", TK_LT},     {">", TK_GT},
};

/* Length of the UTF-8 sequence starting at s[i] (1 for anything malformed). */
static size_t char_len(const char *s, size_t n, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    size_t k = 1;
    while (k < want && i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80)
        k++;
    return k;
}

sql_token sql_lex(const char *s, size_t n, size_t pos)
{
    size_t open_comment;
    size_t i = skip_blank(s, n, pos, &open_comment);
    if (open_comment != SIZE_MAX)
        return lex_error(open_comment, n, "unterminated comment", false);
    if (i >= n)
        return make(TK_EOF, pos, pos);
    unsigned char c = (unsigned char)s[i];
    if (c == '\'')
        return lex_quoted(s, n, i, TK_STRING);
    if (c == '"' || c == '`')
        return lex_quoted(s, n, i, TK_QIDENT);
    if (is_digit(c) || (c == '.' && i + 1 < n && is_digit((unsigned char)s[i + 1])))
        return lex_number(s, n, i);
    if (is_ident_start(c)) {
        size_t k = i;
        while (k < n && is_ident_char((unsigned char)s[k]))
            k++;
        return make(TK_WORD, i, k);
    }
    for (size_t k = 0; k < RIA_ARRAY_LEN(operators); k++) {
        size_t len = operators[k].text[1] ? 2 : 1;
        if (i + len <= n && memcmp(s + i, operators[k].text, len) == 0)
            return make(operators[k].kind, i, i + len);
    }
    return lex_error(i, i + char_len(s, n, i), "unexpected character", true);
}

/* Appends text[0..n) to buf (capacity bufsz, at *len), control characters
 * shown as spaces, cut at a character boundary with "..." beyond `limit`. */
static void put_clipped(char *buf, size_t bufsz, size_t *len, const char *text, size_t n,
                        size_t limit)
{
    bool clipped = n > limit;
    if (clipped) {
        n = limit;
        while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
            n--;
    }
    for (size_t i = 0; i < n && *len + 1 < bufsz; i++) {
        unsigned char c = (unsigned char)text[i];
        buf[(*len)++] = (char)(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    if (clipped)
        for (int k = 0; k < 3 && *len + 1 < bufsz; k++)
            buf[(*len)++] = '.';
    buf[*len] = 0;
}

void sql_token_describe(const char *sql, const sql_token *t, char *buf, size_t bufsz)
{
    if (bufsz == 0)
        return;
    buf[0] = 0;
    size_t len = 0;
    if (t->kind == TK_EOF) {
        put_clipped(buf, bufsz, &len, "end of input", 12, 64);
        return;
    }
    if (t->kind == TK_STRING)
        put_clipped(buf, bufsz, &len, "string ", 7, 64);
    else
        put_clipped(buf, bufsz, &len, "'", 1, 64);
    put_clipped(buf, bufsz, &len, sql + t->start, t->end - t->start, 40);
    if (t->kind != TK_STRING)
        put_clipped(buf, bufsz, &len, "'", 1, 64);
}

/* ------------------------------------------------------------ vocabulary */

static const struct {
    const char *word;
    bool callable;
} reserved[] = {
    {"ALL", false},       {"AND", false},     {"AS", false},        {"ASC", false},
    {"BETWEEN", false},   {"BY", false},      {"CASE", false},      {"CAST", false},
    {"CROSS", false},     {"DESC", false},    {"DISTINCT", false},  {"ELSE", false},
    {"END", false},       {"EXCEPT", false},  {"EXTRACT", false},   {"FALSE", false},
    {"FROM", false},      {"FULL", false},    {"GROUP", false},     {"HAVING", false},
    {"IN", false},        {"INNER", false},   {"INTERSECT", false}, {"INTO", false},
    {"IS", false},        {"JOIN", false},    {"LEFT", true},       {"LIKE", false},
    {"LIMIT", false},     {"NATURAL", false}, {"NOT", false},       {"NULL", false},
    {"OFFSET", false},    {"ON", false},      {"OR", false},        {"ORDER", false},
    {"OUTER", false},     {"OVER", false},    {"RIGHT", true},      {"SELECT", false},
    {"THEN", false},      {"TRUE", false},    {"UNION", false},     {"USING", false},
    {"WHEN", false},      {"WHERE", false},   {"WINDOW", false},    {"WITH", false},
};

static int reserved_index(const char *p, size_t n)
{
    for (size_t i = 0; i < RIA_ARRAY_LEN(reserved); i++)
        if (sql_ieq(p, n, reserved[i].word))
            return (int)i;
    return -1;
}

bool sql_is_reserved(const char *p, size_t n)
{
    return reserved_index(p, n) >= 0;
}

bool sql_is_reserved_callable(const char *p, size_t n)
{
    int i = reserved_index(p, n);
    return i >= 0 && reserved[i].callable;
}

/* Canonical names first: the printer uses the first entry for an id. */
const sql_func_def sql_funcs[] = {
    {"sum", SQL_FK_AGG, RIA_AGG_SUM, 1, 1, false},
    {"count", SQL_FK_AGG, RIA_AGG_COUNT, 1, 1, false},
    {"avg", SQL_FK_AGG, RIA_AGG_AVG, 1, 1, false},
    {"min", SQL_FK_AGG, RIA_AGG_MIN, 1, 1, false},
    {"max", SQL_FK_AGG, RIA_AGG_MAX, 1, 1, false},
    {"year", SQL_FK_FUNC, RIA_F_YEAR, 1, 1, true},
    {"quarter", SQL_FK_FUNC, RIA_F_QUARTER, 1, 1, true},
    {"month", SQL_FK_FUNC, RIA_F_MONTH, 1, 1, true},
    {"week", SQL_FK_FUNC, RIA_F_WEEK, 1, 1, true},
    {"day", SQL_FK_FUNC, RIA_F_DAY, 1, 1, true},
    {"dayofmonth", SQL_FK_FUNC, RIA_F_DAY, 1, 1, true},
    {"hour", SQL_FK_FUNC, RIA_F_HOUR, 1, 1, true},
    {"minute", SQL_FK_FUNC, RIA_F_MINUTE, 1, 1, true},
    {"dayofweek", SQL_FK_FUNC, RIA_F_DOW, 1, 1, true},
    {"dow", SQL_FK_FUNC, RIA_F_DOW, 1, 1, true},
    {"dayofyear", SQL_FK_FUNC, RIA_F_DOY, 1, 1, true},
    {"doy", SQL_FK_FUNC, RIA_F_DOY, 1, 1, true},
    {"date_trunc", SQL_FK_TRUNC, RIA_F_DATE_TRUNC, 2, 2, false},
    {"date", SQL_FK_DATE, RIA_F_CAST, 1, 1, false},
    {"coalesce", SQL_FK_FUNC, RIA_F_COALESCE, 1, SQL_MAX_LIST, false},
    {"ifnull", SQL_FK_FUNC, RIA_F_COALESCE, 2, 2, false},
    {"nullif", SQL_FK_FUNC, RIA_F_NULLIF, 2, 2, false},
    {"abs", SQL_FK_FUNC, RIA_F_ABS, 1, 1, false},
    {"round", SQL_FK_FUNC, RIA_F_ROUND, 1, 2, false},
    {"lower", SQL_FK_FUNC, RIA_F_LOWER, 1, 1, false},
    {"upper", SQL_FK_FUNC, RIA_F_UPPER, 1, 1, false},
    {"length", SQL_FK_FUNC, RIA_F_LENGTH, 1, 1, false},
    {"greatest", SQL_FK_FUNC, RIA_F_GREATEST, 1, SQL_MAX_LIST, false},
    {"least", SQL_FK_FUNC, RIA_F_LEAST, 1, SQL_MAX_LIST, false},
};
const int sql_nfuncs = (int)RIA_ARRAY_LEN(sql_funcs);

const sql_func_def *sql_func_find(const char *p, size_t n)
{
    for (int i = 0; i < sql_nfuncs; i++)
        if (sql_ieq(p, n, sql_funcs[i].name))
            return &sql_funcs[i];
    return NULL;
}

const char *sql_func_name(ria_func f)
{
    for (int i = 0; i < sql_nfuncs; i++)
        if (sql_funcs[i].kind == SQL_FK_FUNC && sql_funcs[i].id == (int)f)
            return sql_funcs[i].name;
    return f == RIA_F_DATE_TRUNC ? "date_trunc" : "unknown_function";
}

const char *sql_agg_name(ria_agg a)
{
    for (int i = 0; i < sql_nfuncs; i++)
        if (sql_funcs[i].kind == SQL_FK_AGG && sql_funcs[i].id == (int)a)
            return sql_funcs[i].name;
    return "unknown_aggregate";
}

static const sql_type_def types[] = {
    {"DATE", RIA_V_DATE, false},     {"TIMESTAMP", RIA_V_TS, false},
    {"INTEGER", RIA_V_INT, false},   {"INT", RIA_V_INT, false},
    {"BIGINT", RIA_V_INT, false},    {"DECIMAL", RIA_V_DEC, true},
    {"NUMERIC", RIA_V_DEC, true},    {"DOUBLE", RIA_V_DOUBLE, false},
    {"REAL", RIA_V_DOUBLE, false},   {"FLOAT", RIA_V_DOUBLE, false},
    {"TEXT", RIA_V_TEXT, false},     {"VARCHAR", RIA_V_TEXT, true},
    {"STRING", RIA_V_TEXT, false},   {"BOOLEAN", RIA_V_BOOL, false},
    {"BOOL", RIA_V_BOOL, false},
};

const char sql_type_list[] = "DATE, TIMESTAMP, INTEGER, DECIMAL, DOUBLE, TEXT or BOOLEAN";

const sql_type_def *sql_type_find(const char *p, size_t n)
{
    for (size_t i = 0; i < RIA_ARRAY_LEN(types); i++)
        if (sql_ieq(p, n, types[i].name))
            return &types[i];
    return NULL;
}

const char *sql_type_name(ria_vtype t)
{
    for (size_t i = 0; i < RIA_ARRAY_LEN(types); i++)
        if (types[i].type == t)
            return types[i].name;
    return "UNKNOWN_TYPE";
}

static const char *const units[] = {
    [RIA_TU_HOUR] = "hour",       [RIA_TU_DAY] = "day",         [RIA_TU_WEEK] = "week",
    [RIA_TU_MONTH] = "month",     [RIA_TU_QUARTER] = "quarter", [RIA_TU_YEAR] = "year",
};

bool sql_unit_find(const char *p, size_t n, ria_time_unit *out)
{
    for (size_t i = 0; i < RIA_ARRAY_LEN(units); i++)
        if (sql_ieq(p, n, units[i])) {
            *out = (ria_time_unit)i;
            return true;
        }
    return false;
}

const char *sql_unit_name(ria_time_unit u)
{
    return (unsigned)u < RIA_ARRAY_LEN(units) ? units[u] : "unknown_unit";
}
