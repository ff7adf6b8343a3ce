/*
 * tokenize.c — splits a question into lower-cased tokens that keep their
 * byte offsets into the original text (timex.h).
 *
 * Every byte of the question is either white space or part of exactly one
 * token, and tokens come in text order.  Token texts are copies in one buffer
 * owned by the ask_tokens; they are lower-cased (ASCII and Latin-1 letters)
 * with typographic quotes and dashes folded to their ASCII forms, so a
 * curly apostrophe reads as "'" and an en dash as "-".  The tokenizer never
 * fails except when memory runs out: bytes that are not valid UTF-8 are kept
 * inside words as they are.
 *
 * Decisions a caller sees:
 *   - a hyphen always splits: "year-over-year" is "year" "-" "over" "-"
 *     "year" (adjacent offsets tell that it was written as one word);
 *   - a possessive splits off: "category's" is "category" "'s", and the
 *     trailing apostrophe of "categories'" is a PUNCT "'";
 *   - digits glued to an ordinal suffix are one WORD ("3rd", "21st"); other
 *     digits glued to letters split ("2024q1" is "2024" "q1"), while letters
 *     followed by digits stay one word ("q1", "fy2024");
 *   - "1,000" is one number only when every group after a comma has exactly
 *     three digits; "2023,2024" is "2023" "," "2024".
 */
#include "ask/timex.h"

#include <stdlib.h>
#include <string.h>

/* --------------------------------------------------------- characters */

typedef enum {
    C_SPACE,
    C_LETTER,   /* ASCII letter or any non-ASCII character not listed below */
    C_DIGIT,
    C_APOS,     /* ' and its typographic forms */
    C_PUNCT,
    C_SYMBOL,
} char_class;

/* Non-ASCII characters that are not letters: what each becomes.  `as` NULL
 * keeps the character as written. */
typedef struct {
    uint32_t lo, hi;
    char_class cls;
    const char *as;
} special_char;

static const special_char specials[] = {
    {0x00A0, 0x00A0, C_SPACE, NULL},  /* no-break space */
    {0x1680, 0x1680, C_SPACE, NULL},
    {0x2000, 0x200B, C_SPACE, NULL},  /* en quad .. zero-width space */
    {0x202F, 0x202F, C_SPACE, NULL},
    {0x205F, 0x205F, C_SPACE, NULL},
    {0x3000, 0x3000, C_SPACE, NULL},
    {0xFEFF, 0xFEFF, C_SPACE, NULL},  /* byte order mark */
    {0x2018, 0x2019, C_APOS, "'"},    /* ‘ ’ */
    {0x02BC, 0x02BC, C_APOS, "'"},    /* ʼ */
    {0x2032, 0x2032, C_APOS, "'"},    /* ′ */
    {0x201C, 0x201F, C_PUNCT, "\""},  /* “ ” „ ‟ */
    {0x00AB, 0x00AB, C_PUNCT, "\""},  /* « */
    {0x00BB, 0x00BB, C_PUNCT, "\""},  /* » */
    {0x2010, 0x2015, C_PUNCT, "-"},   /* hyphens, en and em dashes */
    {0x2212, 0x2212, C_PUNCT, "-"},   /* minus sign */
    {0x2026, 0x2026, C_PUNCT, "."},   /* … */
    {0x00BF, 0x00BF, C_PUNCT, "?"},   /* ¿ */
    {0x00A1, 0x00A1, C_PUNCT, "!"},   /* ¡ */
    {0x00A2, 0x00A5, C_SYMBOL, NULL}, /* ¢ £ ¤ ¥ */
    {0x20A0, 0x20CF, C_SYMBOL, NULL}, /* currency signs: € ₹ ... */
    {0x00B0, 0x00B0, C_SYMBOL, NULL}, /* ° */
    {0x00D7, 0x00D7, C_SYMBOL, NULL}, /* × */
    {0x00F7, 0x00F7, C_SYMBOL, NULL}, /* ÷ */
    {0x2264, 0x2265, C_SYMBOL, NULL}, /* ≤ ≥ */
};

/* ASCII punctuation that makes PUNCT tokens; the rest of ASCII's
 * non-alphanumerics are SYMBOLs. */
static const char ascii_punct[] = ",.?!:;()[]{}-/\"";

/* Decodes one UTF-8 character at s[i] (i < n).  Invalid or truncated
 * sequences decode as one byte with cp = 0xFFFD. */
static int utf8_decode(const unsigned char *s, size_t n, size_t i, uint32_t *cp)
{
    unsigned char b = s[i];
    int len = b < 0x80 ? 1 : b >= 0xF0 && b < 0xF5 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
    if (len == 1) {
        *cp = b;
        return 1;
    }
    if (len == 0 || i + (size_t)len > n) {
        *cp = 0xFFFD;
        return 1;
    }
    uint32_t v = b & (0x7F >> len);
    for (int k = 1; k < len; k++) {
        if ((s[i + k] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = v << 6 | (s[i + k] & 0x3F);
    }
    static const uint32_t min_of_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min_of_len[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = 0xFFFD;
        return 1;
    }
    *cp = v;
    return len;
}

static const special_char *special_of(uint32_t cp)
{
    for (size_t k = 0; k < RIA_ARRAY_LEN(specials); k++)
        if (cp >= specials[k].lo && cp <= specials[k].hi)
            return &specials[k];
    return NULL;
}

static char_class classify(uint32_t cp)
{
    if (cp < 0x80) {
        if (cp <= ' ' || cp == 0x7F)
            return C_SPACE;
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
            return C_LETTER;
        if (cp >= '0' && cp <= '9')
            return C_DIGIT;
        if (cp == '\'' || cp == '`')
            return C_APOS;
        return strchr(ascii_punct, (int)cp) ? C_PUNCT : C_SYMBOL;
    }
    const special_char *sp = special_of(cp);
    return sp ? sp->cls : C_LETTER;
}

/* ------------------------------------------------------------- scanner */

typedef struct {
    const unsigned char *s;
    size_t n;
    size_t pos;          /* next byte to read */
    ask_tokens *out;
    char *w;             /* write position in out->buf */
} scanner;

static bool is_digit_at(const scanner *sc, size_t i)
{
    return i < sc->n && sc->s[i] >= '0' && sc->s[i] <= '9';
}

static char_class class_at(const scanner *sc, size_t i, int *len)
{
    uint32_t cp;
    *len = utf8_decode(sc->s, sc->n, i, &cp);
    return classify(cp);
}

/* true when a letter or digit starts at byte i. */
static bool alnum_at(const scanner *sc, size_t i)
{
    if (i >= sc->n)
        return false;
    int len;
    char_class c = class_at(sc, i, &len);
    return c == C_LETTER || c == C_DIGIT;
}

/* Starts a token at byte `start`; its text is appended with put_*. */
static ask_token *begin(scanner *sc, ask_tok_kind kind, size_t start)
{
    ask_token *t = &sc->out->t[sc->out->n++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->text = sc->w;
    t->start = (uint32_t)start;
    t->capital = start < sc->n && sc->s[start] >= 'A' && sc->s[start] <= 'Z';
    return t;
}

static void finish(scanner *sc, ask_token *t, size_t end)
{
    t->len = (size_t)(sc->w - t->text);
    *sc->w++ = 0;
    t->end = (uint32_t)end;
}

/* Appends the character at byte i (length len) lower-cased or folded. */
static void put_char(scanner *sc, size_t i, int len)
{
    const unsigned char *p = sc->s + i;
    if (len == 1) {
        unsigned char b = p[0];
        *sc->w++ = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b == '`' ? '\'' : b);
        return;
    }
    uint32_t cp;
    utf8_decode(sc->s, sc->n, i, &cp);
    const special_char *sp = special_of(cp);
    if (sp && sp->as) {
        size_t k = strlen(sp->as);
        memcpy(sc->w, sp->as, k);
        sc->w += k;
        return;
    }
    memcpy(sc->w, p, (size_t)len);
    /* Latin-1 capitals À..Þ (except ×) are two bytes C3 80..9E. */
    if (len == 2 && p[0] == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9E && p[1] != 0x97)
        sc->w[1] = (char)(p[1] + 0x20);
    sc->w += len;
}

/* ------------------------------------------------------------- numbers */

/* Counts the digits starting at byte i. */
static size_t digit_run(const scanner *sc, size_t i)
{
    size_t k = 0;
    while (is_digit_at(sc, i + k))
        k++;
    return k;
}

/* Reads digits [i, i + k) as an int (k <= 4). */
static int small_int(const scanner *sc, size_t i, size_t k)
{
    int v = 0;
    for (size_t j = 0; j < k; j++)
        v = v * 10 + (sc->s[i + j] - '0');
    return v;
}

/* A date shape at pos: returns its length in bytes, or 0.  Shapes:
 * YYYY-M-D, YYYY/M/D, YYYY-MM, M/D/YY, M/D/YYYY, M-D-YYYY, D.M.YYYY and
 * M/YYYY, with month 1..12 and day 1..31 (the time parser checks the rest). */
static size_t date_shape(const scanner *sc, size_t pos)
{
    size_t g[3], at[3];
    char sep[2] = {0, 0};
    int ng = 0;
    size_t i = pos;
    for (;;) {
        size_t k = digit_run(sc, i);
        if (k == 0 || k > 4)
            return 0;
        at[ng] = i;
        g[ng++] = k;
        i += k;
        if (ng == 3 || i + 1 >= sc->n || !is_digit_at(sc, i + 1))
            break;
        char c = (char)sc->s[i];
        if (c != '-' && c != '/' && c != '.')
            break;
        if (ng == 2 && c != sep[0])
            break;
        sep[ng - 1] = c;
        i++;
    }
    /* a date never runs into more digits or letters, except a time ("T10:00") */
    bool time_next = i + 1 < sc->n && (sc->s[i] | 0x20) == 't' && is_digit_at(sc, i + 1);
    if (ng < 2 || (alnum_at(sc, i) && !time_next))
        return 0;
    int v[3] = {0, 0, 0};
    for (int k = 0; k < ng; k++)
        v[k] = small_int(sc, at[k], g[k]);
    if (ng == 3 && g[0] == 4 && sep[0] != '.' && g[1] <= 2 && g[2] <= 2)
        return v[1] >= 1 && v[1] <= 12 && v[2] >= 1 && v[2] <= 31 ? i - pos : 0;
    if (ng == 2 && g[0] == 4 && sep[0] == '-' && g[1] == 2)
        return v[1] >= 1 && v[1] <= 12 ? i - pos : 0;
    if (ng == 3 && g[0] <= 2 && g[1] <= 2 && (g[2] == 4 || (g[2] == 2 && sep[0] == '/'))) {
        bool ok = v[0] >= 1 && v[0] <= 31 && v[1] >= 1 && v[1] <= 31 &&
                  (v[0] <= 12 || v[1] <= 12);
        return ok ? i - pos : 0;
    }
    if (ng == 2 && g[0] <= 2 && g[1] == 4 && sep[0] == '/')
        return v[0] >= 1 && v[0] <= 12 ? i - pos : 0;
    return 0;
}

/* The length of a number at pos: digits, thousands groups of exactly three
 * digits after commas (only when the first group has at most three
 * digits), and one decimal part. */
static size_t number_len(const scanner *sc, size_t pos)
{
    size_t i = pos + digit_run(sc, pos);
    if (i - pos <= 3) {
        while (i < sc->n && sc->s[i] == ',' && digit_run(sc, i + 1) == 3)
            i += 4;
    }
    if (i + 1 < sc->n && sc->s[i] == '.' && is_digit_at(sc, i + 1))
        i += 1 + digit_run(sc, i + 1);
    return i - pos;
}

/* The value of a number's text ("1,000.25").  Up to 19 significant digits
 * it is one division of exact integers, so "0.25" is exactly 0.25. */
static double number_value(const char *p, size_t n)
{
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    uint64_t mant = 0;
    double approx = 0;
    int digits = 0, decimals = 0;
    bool frac = false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '.') {
            frac = true;
            continue;
        }
        if (p[i] < '0' || p[i] > '9')
            continue;
        mant = mant * 10 + (uint64_t)(p[i] - '0');
        approx = approx * 10 + (p[i] - '0');
        digits++;
        decimals += frac;
    }
    if (digits <= 19 && decimals < (int)RIA_ARRAY_LEN(pow10))
        return (double)mant / pow10[decimals];
    for (int k = 0; k < decimals; k++)
        approx /= 10;
    return approx;
}

/* The ordinal suffixes that make "3rd" one word. */
static const char *const ordinal_suffixes[] = {"st", "nd", "rd", "th"};

/* Length of an ordinal suffix at i (2) when it ends a word, else 0. */
static size_t ordinal_suffix(const scanner *sc, size_t i)
{
    if (i + 2 > sc->n)
        return 0;
    for (size_t k = 0; k < RIA_ARRAY_LEN(ordinal_suffixes); k++) {
        const char *sfx = ordinal_suffixes[k];
        if ((sc->s[i] | 0x20) == sfx[0] && (sc->s[i + 1] | 0x20) == sfx[1] && !alnum_at(sc, i + 2))
            return 2;
    }
    return 0;
}

static void put_range(scanner *sc, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        put_char(sc, i, 1);
}

/* A token starting with a digit (or ".5"): date, ordinal word or number. */
static void lex_number(scanner *sc)
{
    size_t pos = sc->pos;
    size_t n = date_shape(sc, pos);
    if (n > 0) {
        ask_token *t = begin(sc, TOK_DATE, pos);
        put_range(sc, pos, pos + n);
        finish(sc, t, pos + n);
        sc->pos = pos + n;
        return;
    }
    n = number_len(sc, pos);
    size_t plain = digit_run(sc, pos);
    size_t sfx = plain == n ? ordinal_suffix(sc, pos + n) : 0;
    if (sfx > 0) {
        ask_token *t = begin(sc, TOK_WORD, pos);
        put_range(sc, pos, pos + n + sfx);
        finish(sc, t, pos + n + sfx);
        sc->pos = pos + n + sfx;
        return;
    }
    ask_token *t = begin(sc, TOK_NUMBER, pos);
    put_range(sc, pos, pos + n);
    finish(sc, t, pos + n);
    t->num = number_value(t->text, t->len);
    sc->pos = pos + n;
}

/* --------------------------------------------------------------- words */

/* true when an apostrophe at i starts a possessive "'s" that ends a word. */
static bool possessive_at(const scanner *sc, size_t i)
{
    int len;
    if (i >= sc->n || class_at(sc, i, &len) != C_APOS)
        return false;
    size_t j = i + (size_t)len;
    return j < sc->n && (sc->s[j] | 0x20) == 's' && !alnum_at(sc, j + 1);
}

/* Letters and digits, with apostrophes inside ("don't"), up to a possessive. */
static void lex_word(scanner *sc)
{
    size_t pos = sc->pos, i = pos;
    ask_token *t = begin(sc, TOK_WORD, pos);
    while (i < sc->n) {
        int len;
        char_class c = class_at(sc, i, &len);
        if (c == C_LETTER || c == C_DIGIT) {
            put_char(sc, i, len);
            i += (size_t)len;
            continue;
        }
        if (c != C_APOS || possessive_at(sc, i))
            break;
        int len2;
        size_t j = i + (size_t)len;
        if (j >= sc->n || class_at(sc, j, &len2) != C_LETTER)
            break;
        put_char(sc, i, len);
        i = j;
    }
    finish(sc, t, i);
    sc->pos = i;
}

/* An apostrophe outside a word: "'24" (SYMBOL), "'s" (WORD) or a quote. */
static void lex_apostrophe(scanner *sc, int len)
{
    size_t pos = sc->pos, end = pos + (size_t)len;
    if (possessive_at(sc, pos)) {
        ask_token *t = begin(sc, TOK_WORD, pos);
        put_char(sc, pos, len);
        put_char(sc, end, 1);
        finish(sc, t, end + 1);
        sc->pos = end + 1;
        return;
    }
    ask_token *t = begin(sc, is_digit_at(sc, end) ? TOK_SYMBOL : TOK_PUNCT, pos);
    put_char(sc, pos, len);
    finish(sc, t, end);
    sc->pos = end;
}

static void lex_single(scanner *sc, ask_tok_kind kind, int len)
{
    ask_token *t = begin(sc, kind, sc->pos);
    put_char(sc, sc->pos, len);
    finish(sc, t, sc->pos + (size_t)len);
    sc->pos += (size_t)len;
}

/* "." starts a number (".5") when a digit follows and no word or number
 * precedes. */
static bool leading_point(const scanner *sc)
{
    if (sc->s[sc->pos] != '.' || !is_digit_at(sc, sc->pos + 1))
        return false;
    return sc->pos == 0 || !alnum_at(sc, sc->pos - 1);
}

static void lex_next(scanner *sc)
{
    int len;
    char_class c = class_at(sc, sc->pos, &len);
    switch (c) {
    case C_SPACE:
        sc->pos += (size_t)len;
        break;
    case C_DIGIT:
        lex_number(sc);
        break;
    case C_LETTER:
        lex_word(sc);
        break;
    case C_APOS:
        lex_apostrophe(sc, len);
        break;
    case C_PUNCT:
        if (leading_point(sc))
            lex_number(sc);
        else
            lex_single(sc, TOK_PUNCT, len);
        break;
    case C_SYMBOL:
        lex_single(sc, TOK_SYMBOL, len);
        break;
    }
}

bool ask_tokenize(const char *question, ask_tokens *out)
{
    memset(out, 0, sizeof *out);
    size_t n = question ? strlen(question) : 0;
    if (n > UINT32_MAX - 8)
        n = UINT32_MAX - 8; /* offsets are 32-bit; the rest is ignored */
    /* Each token's text is at most its bytes plus a NUL; tokens <= bytes. */
    out->t = malloc((n + 1) * sizeof *out->t);
    out->buf = malloc(2 * n + 1);
    if (!out->t || !out->buf) {
        ask_tokens_free(out);
        return false;
    }
    scanner sc = {(const unsigned char *)question, n, 0, out, out->buf};
    while (sc.pos < n)
        lex_next(&sc);
    return true;
}

void ask_tokens_free(ask_tokens *t)
{
    if (!t)
        return;
    free(t->t);
    free(t->buf);
    memset(t, 0, sizeof *t);
}
