/*
 * decimal.c — exact fixed-point numbers: int64 values scaled by 10^4.
 * Parsing accepts the decorations spreadsheets and exports put on numbers
 * (currency, thousands separators, parentheses) and never uses binary
 * floating point, so "0.1" is exactly 1000.
 */
#include "core.h"

#include <string.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Skips one currency marker at s[*i]: a symbol ($ € £ ¥ ₹) or a three-letter
 * upper-case code.  Returns true if something was skipped. */
static bool skip_currency(const char *s, size_t n, size_t *i)
{
    size_t k = *i;
    if (k >= n)
        return false;
    unsigned char c = (unsigned char)s[k];
    if (c == '$') {
        *i = k + 1;
        return true;
    }
    if (c == 0xC2 && k + 1 < n && ((unsigned char)s[k + 1] == 0xA3 || (unsigned char)s[k + 1] == 0xA5)) {
        *i = k + 2; /* £ ¥ */
        return true;
    }
    if (c == 0xE2 && k + 2 < n && (unsigned char)s[k + 1] == 0x82 &&
        ((unsigned char)s[k + 2] == 0xAC || (unsigned char)s[k + 2] == 0xB9)) {
        *i = k + 3; /* € ₹ */
        return true;
    }
    if (k + 3 <= n && s[k] >= 'A' && s[k] <= 'Z' && s[k + 1] >= 'A' && s[k + 1] <= 'Z' &&
        s[k + 2] >= 'A' && s[k + 2] <= 'Z' && (k + 3 == n || !(s[k + 3] >= 'A' && s[k + 3] <= 'Z'))) {
        *i = k + 3;
        return true;
    }
    return false;
}

static void skip_spaces(const char *s, size_t n, size_t *i)
{
    while (*i < n && (s[*i] == ' ' || s[*i] == '\t'))
        (*i)++;
}

/* The shared parser: value = (neg ? -1 : 1) * mant * 10^pow10. */
static ria_num_result parse_number(const char *s, size_t n, bool *neg, __int128 *mant, int *pow10)
{
    ria_slice t = ria_trim(s, n);
    s = t.p;
    n = t.n;
    if (n == 0)
        return RIA_NUM_EMPTY;
    size_t i = 0;
    bool paren = false;
    *neg = false;
    if (s[i] == '(') {
        paren = true;
        i++;
        skip_spaces(s, n, &i);
    }
    if (i < n && (s[i] == '-' || s[i] == '+')) {
        *neg = s[i] == '-';
        i++;
    }
    if (skip_currency(s, n, &i))
        skip_spaces(s, n, &i);
    if (i < n && (s[i] == '-' || s[i] == '+')) { /* "$-5" */
        if (*neg)
            return RIA_NUM_BAD;
        *neg = s[i] == '-';
        i++;
    }
    __int128 m = 0;
    int sig = 0, frac = 0, ndig = 0;
    bool dot = false;
    size_t group_start = 0;
    bool grouped = false;
    for (; i < n; i++) {
        char c = s[i];
        if (is_digit(c)) {
            ndig++;
            if (m == 0 && c == '0') {
                if (dot)
                    frac++;
                continue;
            }
            if (sig < 36) {
                m = m * 10 + (c - '0');
                sig++;
                if (dot)
                    frac++;
            } else if (!dot) {
                frac--; /* drop low integer digits beyond precision */
            }
        } else if (c == ',' && !dot) {
            /* thousands separator: a group of exactly three digits follows,
             * and the first group has one to three digits */
            if (ndig == 0 || (!grouped && ndig > 3) || i + 3 >= n || !is_digit(s[i + 1]) ||
                !is_digit(s[i + 2]) || !is_digit(s[i + 3]) || (i + 4 < n && is_digit(s[i + 4])))
                return RIA_NUM_BAD;
            if (grouped && i - group_start != 4)
                return RIA_NUM_BAD;
            grouped = true;
            group_start = i;
        } else if (c == '.' && !dot) {
            dot = true;
        } else {
            break;
        }
    }
    if (ndig == 0)
        return RIA_NUM_BAD;
    int exp = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            eneg = s[i++] == '-';
        int ed = 0;
        while (i < n && is_digit(s[i]) && exp < 1000) {
            exp = exp * 10 + (s[i++] - '0');
            ed++;
        }
        if (!ed)
            return RIA_NUM_BAD;
        if (eneg)
            exp = -exp;
    }
    skip_spaces(s, n, &i);
    if (skip_currency(s, n, &i))
        skip_spaces(s, n, &i);
    if (paren) {
        if (i >= n || s[i] != ')' || *neg)
            return RIA_NUM_BAD;
        *neg = true;
        i++;
        skip_spaces(s, n, &i);
    }
    if (i != n)
        return RIA_NUM_BAD;
    *mant = m;
    *pow10 = exp - frac;
    return RIA_NUM_OK;
}

/* mant * 10^k rounded half away from zero into *out; false on overflow. */
static bool scale_to(__int128 mant, int k, int64_t *out)
{
    if (mant == 0) {
        *out = 0;
        return true;
    }
    if (k >= 0) {
        for (int j = 0; j < k; j++) {
            mant *= 10;
            if (mant > INT64_MAX)
                return false;
        }
    } else {
        if (k < -38) {
            *out = 0;
            return true;
        }
        __int128 div = 1;
        for (int j = 0; j < -k; j++)
            div *= 10;
        __int128 q = mant / div, r = mant % div;
        if (r * 2 >= div)
            q++;
        mant = q;
    }
    if (mant > INT64_MAX)
        return false;
    *out = (int64_t)mant;
    return true;
}

/* Plain "-123.45": digits, at most one point and four decimals, no
 * decorations.  Returns false to send anything else to the full parser. */
static bool parse_plain(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = n && s[0] == '-';
    i += neg;
    if (i == n || n - i > 19)
        return false;
    int64_t v = 0;
    size_t digits = 0, frac = 0;
    bool dot = false;
    for (; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            v = v * 10 + (c - '0');
            digits++;
            frac += dot;
        } else if (c == '.' && !dot) {
            dot = true;
        } else {
            return false;
        }
    }
    if (!digits || frac > RIA_DEC_DIGITS || digits > 15)
        return false;
    static const int64_t scale[] = {10000, 1000, 100, 10, 1};
    v *= scale[frac];
    *out = neg ? -v : v;
    return true;
}

ria_num_result ria_parse_decimal(const char *s, size_t n, int64_t *out)
{
    if (parse_plain(s, n, out))
        return RIA_NUM_OK;
    bool neg;
    __int128 mant;
    int p;
    ria_num_result r = parse_number(s, n, &neg, &mant, &p);
    if (r != RIA_NUM_OK)
        return r;
    int64_t v;
    if (!scale_to(mant, p + RIA_DEC_DIGITS, &v) || v == INT64_MIN)
        return RIA_NUM_RANGE;
    *out = neg ? -v : v;
    return RIA_NUM_OK;
}

ria_num_result ria_parse_int(const char *s, size_t n, int64_t *out)
{
    bool neg;
    __int128 mant;
    int p;
    ria_num_result r = parse_number(s, n, &neg, &mant, &p);
    if (r != RIA_NUM_OK)
        return r;
    /* The value must be integral: mant * 10^p with no fraction left. */
    if (p < 0) {
        __int128 div = 1;
        for (int j = 0; j < -p && j < 39; j++)
            div *= 10;
        if (-p > 38 ? mant != 0 : mant % div != 0)
            return RIA_NUM_BAD;
        mant = -p > 38 ? 0 : mant / div;
        p = 0;
    }
    int64_t v;
    if (!scale_to(mant, p, &v))
        return RIA_NUM_RANGE;
    *out = neg ? -v : v;
    return RIA_NUM_OK;
}

int ria_format_decimal128(__int128 v, int decimals, char *buf)
{
    if (decimals < 0)
        decimals = 0;
    if (decimals > RIA_DEC_DIGITS)
        decimals = RIA_DEC_DIGITS;
    bool neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
    unsigned __int128 div = 1;
    for (int j = 0; j < RIA_DEC_DIGITS - decimals; j++)
        div *= 10;
    unsigned __int128 q = u / div, r = u % div;
    if (div > 1 && r * 2 >= div)
        q++;
    char tmp[64];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + (int)(q % 10));
        q /= 10;
    } while (q || n <= decimals);
    /* no sign on a value that rounds to zero (tmp holds n digits, not a
     * string) */
    bool zero = true;
    for (int j = 0; j < n && zero; j++)
        zero = tmp[j] == '0';
    int len = 0;
    if (neg && !zero)
        buf[len++] = '-';
    for (int j = n - 1; j >= 0; j--) {
        buf[len++] = tmp[j];
        if (j == decimals && decimals > 0)
            buf[len++] = '.';
    }
    buf[len] = 0;
    return len;
}

int ria_format_decimal(int64_t v, int decimals, char *buf)
{
    return ria_format_decimal128(v, decimals, buf);
}
