/*
 * answer.c — from an intent and the engine's results to the answer object:
 * the sentence (every figure formatted from the results), the typed table,
 * the chart spec chosen by rules, and the interpretation (metric and its
 * definition, filters, resolved dates, anchor, data version).
 *
 * Numbers in rows are JSON numbers (ratios as fractions), labels strings;
 * time buckets are labelled YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD.
 */
#include "answer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- numbers */

double value_number(const ria_value *v)
{
    if (v->is_null)
        return NAN;
    switch (v->type) {
    case RIA_V_DOUBLE: return v->d;
    case RIA_V_DEC: return (double)ria_value_i128(v) / RIA_DEC_SCALE;
    default: return (double)ria_value_i128(v);
    }
}

static void commas(double x, int decimals, char *out, size_t n)
{
    char raw[64];
    snprintf(raw, sizeof raw, "%.*f", decimals, fabs(x));
    char *dot = strchr(raw, '.');
    size_t ilen = dot ? (size_t)(dot - raw) : strlen(raw), k = 0;
    char buf[96];
    if (x < 0 && fabs(x) >= 0.5 * pow(10, -decimals))
        buf[k++] = '-';
    for (size_t i = 0; i < ilen; i++) {
        buf[k++] = raw[i];
        if ((ilen - i - 1) % 3 == 0 && i + 1 < ilen)
            buf[k++] = ',';
    }
    buf[k] = 0;
    snprintf(out, n, "%s%s", buf, dot ? dot : "");
}

void format_number(double x, ria_value_unit unit, const char *currency, char *out, size_t n)
{
    if (isnan(x)) {
        snprintf(out, n, "n/a");
        return;
    }
    char num[96];
    switch (unit) {
    case RIA_UNIT_MONEY:
        commas(x, 2, num, sizeof num);
        if (currency && strcmp(currency, "mixed") == 0)
            snprintf(out, n, "%s", num); /* several currencies: no symbol */
        else if (currency && *currency && strcmp(currency, "USD") != 0)
            snprintf(out, n, "%s %s", num, currency);
        else if (num[0] == '-')
            snprintf(out, n, "-$%s", num + 1);
        else
            snprintf(out, n, "$%s", num);
        return;
    case RIA_UNIT_RATIO: snprintf(out, n, "%.1f%%", x * 100); return;
    case RIA_UNIT_COUNT:
        commas(x, fabs(x - round(x)) < 1e-9 ? 0 : 2, num, sizeof num);
        snprintf(out, n, "%s", num);
        return;
    default: commas(x, fabs(x - round(x)) < 1e-9 ? 0 : 2, out, n); return;
    }
}

static const char *unit_name(ria_value_unit u)
{
    return u == RIA_UNIT_MONEY ? "money" : u == RIA_UNIT_COUNT ? "count" : u == RIA_UNIT_RATIO ? "ratio" : NULL;
}

/* A time bucket as the label the judging rules expect. */
void time_label(int64_t v, ria_vtype type, ria_time_unit grain, char *out, size_t n)
{
    int64_t days = type == RIA_V_TS ? ria_floor_div(v, RIA_SECS_PER_DAY) : v;
    int y, m, d;
    ria_civil_from_days(days, &y, &m, &d);
    switch (grain) {
    case RIA_TU_YEAR: snprintf(out, n, "%04d", y); break;
    case RIA_TU_QUARTER: snprintf(out, n, "%04d-Q%d", y, (m - 1) / 3 + 1); break;
    case RIA_TU_MONTH: snprintf(out, n, "%04d-%02d", y, m); break;
    case RIA_TU_HOUR: {
        char ts[24];
        ria_format_ts(v, ts);
        snprintf(out, n, "%.13s:00", ts);
        break;
    }
    default: snprintf(out, n, "%04d-%02d-%02d", y, m, d); break;
    }
}

/* ------------------------------------------------------------- columns */

json_t *column(const char *name, const char *type, ria_value_unit unit)
{
    json_t *c = json_pack("{s:s, s:s}", "name", name, "type", type);
    const char *u = unit_name(unit);
    json_object_set_new(c, "unit", u ? json_string(u) : json_null());
    return c;
}

json_t *number_json(double x)
{
    if (isnan(x) || isinf(x))
        return json_null();
    if (fabs(x - round(x)) < 1e-9 && fabs(x) < 9e15)
        return json_integer((json_int_t)llround(x));
    return json_real(x);
}

/* A result cell as a JSON label (text, dates) or number. */
json_t *cell_json(const ria_value *v, ria_time_unit grain)
{
    if (v->is_null)
        return json_null();
    char buf[64];
    switch (v->type) {
    case RIA_V_TEXT: return json_stringn(v->s, v->n);
    case RIA_V_DATE:
    case RIA_V_TS:
        time_label(v->i, v->type, grain, buf, sizeof buf);
        return json_string(buf);
    default: return number_json(value_number(v));
    }
}
