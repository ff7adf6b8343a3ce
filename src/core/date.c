/*
 * date.c — calendar arithmetic (proleptic Gregorian, days since 1970-01-01)
 * and the date layouts of SEMANTICS.md.  Parsing never allocates.
 */
#include "core.h"

#include <string.h>

int64_t ria_days_from_civil(int y, int m, int d)
{
    /* Howard Hinnant's days_from_civil. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void ria_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
    int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (mm <= 2));
    *m = mm;
    *d = dd;
}

int ria_days_in_month(int y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

bool ria_date_valid(int y, int m, int d)
{
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= ria_days_in_month(y, m);
}

int ria_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    return (int)((days % 7 + 7 + 3) % 7);
}

static void put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

void ria_format_date(int64_t days, char *buf)
{
    int y, m, d;
    ria_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        snprintf(buf, 11, "%s", "0000-00-00");
        return;
    }
    put2(buf, y / 100);
    put2(buf + 2, y % 100);
    buf[4] = '-';
    put2(buf + 5, m);
    buf[7] = '-';
    put2(buf + 8, d);
    buf[10] = 0;
}

void ria_format_ts(int64_t secs, char *buf)
{
    int64_t days = ria_floor_div(secs, RIA_SECS_PER_DAY);
    int64_t rem = secs - days * RIA_SECS_PER_DAY;
    ria_format_date(days, buf);
    buf[10] = ' ';
    put2(buf + 11, (int)(rem / 3600));
    buf[13] = ':';
    put2(buf + 14, (int)(rem / 60 % 60));
    buf[16] = ':';
    put2(buf + 17, (int)(rem % 60));
    buf[19] = 0;
}

static const char *const format_names[RIA_DATE_FORMAT_COUNT] = {
    [RIA_DATE_UNKNOWN] = "unknown",       [RIA_DATE_ISO] = "YYYY-MM-DD",
    [RIA_DATE_YMD_SLASH] = "YYYY/MM/DD",  [RIA_DATE_MDY_SLASH] = "M/D/YYYY",
    [RIA_DATE_DMY_SLASH] = "D/M/YYYY",    [RIA_DATE_MDY_DASH] = "MM-DD-YY",
    [RIA_DATE_DMY_DASH] = "DD-MM-YYYY",   [RIA_DATE_DMY_DOT] = "DD.MM.YYYY",
};

const char *ria_date_format_name(ria_date_format f)
{
    return (unsigned)f < RIA_DATE_FORMAT_COUNT ? format_names[f] : "unknown";
}

/* Reads 1..max digits at *i; returns the digit count (0 if none). */
static int digits(const char *s, size_t n, size_t *i, int max, int *out)
{
    int v = 0, k = 0;
    while (*i < n && k < max && s[*i] >= '0' && s[*i] <= '9') {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    if (k == max && *i < n && s[*i] >= '0' && s[*i] <= '9')
        return -1; /* too many digits */
    *out = v;
    return k;
}

/* Parses an optional time part starting at s[i].  Returns 1 (secs set),
 * 0 (impossible time), -1 (not a time). */
static int parse_time(const char *s, size_t n, size_t i, int *out_secs, bool *has_time)
{
    *out_secs = 0;
    *has_time = false;
    if (i == n)
        return 1;
    if (s[i] != ' ' && s[i] != 'T')
        return -1;
    while (i < n && (s[i] == ' ' || s[i] == 'T'))
        i++;
    if (i == n)
        return -1;
    int h, mi, sec = 0;
    if (digits(s, n, &i, 2, &h) <= 0 || i >= n || s[i] != ':')
        return -1;
    i++;
    if (digits(s, n, &i, 2, &mi) != 2)
        return -1;
    if (i < n && s[i] == ':') {
        i++;
        if (digits(s, n, &i, 2, &sec) != 2)
            return -1;
        if (i < n && s[i] == '.') {
            i++;
            while (i < n && s[i] >= '0' && s[i] <= '9')
                i++;
        }
    }
    while (i < n && s[i] == ' ')
        i++;
    if (i + 2 <= n && (s[i] == 'A' || s[i] == 'a' || s[i] == 'P' || s[i] == 'p') &&
        (s[i + 1] == 'M' || s[i + 1] == 'm')) {
        if (h < 1 || h > 12)
            return 0;
        bool pm = s[i] == 'P' || s[i] == 'p';
        h = h % 12 + (pm ? 12 : 0);
        i += 2;
    } else if (i < n && s[i] == 'Z') {
        i++;
    }
    if (i != n)
        return -1;
    if (h > 23 || mi > 59 || sec > 60)
        return 0;
    if (sec == 60)
        sec = 59;
    *out_secs = h * 3600 + mi * 60 + sec;
    *has_time = true;
    return 1;
}

static int year2(int v, int ndigits)
{
    if (ndigits == 4)
        return v;
    return v < 70 ? 2000 + v : 1900 + v;
}

int ria_parse_date(const char *s, size_t n, ria_date_format f, int64_t *out_secs,
                   bool *out_has_time)
{
    ria_slice t = ria_trim(s, n);
    s = t.p;
    n = t.n;
    size_t i = 0;
    int a, b, c, na, nb, nc;
    char sep;
    switch (f) {
    case RIA_DATE_ISO: sep = '-'; break;
    case RIA_DATE_YMD_SLASH: sep = '/'; break;
    case RIA_DATE_MDY_SLASH:
    case RIA_DATE_DMY_SLASH: sep = '/'; break;
    case RIA_DATE_MDY_DASH:
    case RIA_DATE_DMY_DASH: sep = '-'; break;
    case RIA_DATE_DMY_DOT: sep = '.'; break;
    default: return -1;
    }
    bool year_first = f == RIA_DATE_ISO || f == RIA_DATE_YMD_SLASH;
    na = digits(s, n, &i, year_first ? 4 : 2, &a);
    if (na <= 0 || (year_first && na != 4) || i >= n || s[i] != sep)
        return -1;
    i++;
    nb = digits(s, n, &i, 2, &b);
    if (nb <= 0 || i >= n || s[i] != sep)
        return -1;
    i++;
    nc = digits(s, n, &i, year_first ? 2 : 4, &c);
    if (nc <= 0 || (!year_first && nc != 2 && nc != 4))
        return -1;
    int y, m, d;
    switch (f) {
    case RIA_DATE_ISO:
    case RIA_DATE_YMD_SLASH: y = a, m = b, d = c; break;
    case RIA_DATE_MDY_SLASH:
    case RIA_DATE_MDY_DASH: m = a, d = b, y = year2(c, nc); break;
    default: d = a, m = b, y = year2(c, nc); break;
    }
    int secs;
    bool has_time;
    int tr = parse_time(s, n, i, &secs, &has_time);
    if (tr < 0)
        return -1;
    if (tr == 0 || !ria_date_valid(y, m, d))
        return 0;
    *out_secs = ria_days_from_civil(y, m, d) * RIA_SECS_PER_DAY + secs;
    if (out_has_time)
        *out_has_time = has_time;
    return 1;
}

unsigned ria_date_formats_matching(const char *s, size_t n)
{
    unsigned mask = 0;
    for (int f = 1; f < RIA_DATE_FORMAT_COUNT; f++) {
        int64_t v;
        bool ht;
        if (ria_parse_date(s, n, (ria_date_format)f, &v, &ht) == 1)
            mask |= 1u << f;
    }
    return mask;
}
