/*
 * period.c — arithmetic on resolved periods: moved back by months or days
 * (with day-of-month clamping), the period just before, and labels that
 * say exactly which dates are meant.
 */
#include "ask/timex.h"

#include <string.h>

static const char *const month_names[12] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December",
};

/* The first day of the month `months` after the one holding `day`. */
static int64_t month_start_after(int64_t day, int months)
{
    int y, m, d;
    ria_civil_from_days(day, &y, &m, &d);
    int64_t index = (int64_t)y * 12 + (m - 1) + months;
    int64_t yy = ria_floor_div(index, 12);
    return ria_days_from_civil((int)yy, (int)(index - yy * 12) + 1, 1);
}

/* Labels a period by its grain when it is exactly one calendar unit, else
 * by its dates. */
static void label_period(ask_period *q)
{
    int64_t d0 = ria_floor_div(q->start, RIA_SECS_PER_DAY);
    int64_t d1 = ria_floor_div(q->end, RIA_SECS_PER_DAY);
    int y, m, d;
    ria_civil_from_days(d0, &y, &m, &d);
    bool month_aligned = d == 1;
    switch (q->grain) {
    case RIA_TU_YEAR:
        if (month_aligned && m == 1 && d1 == month_start_after(d0, 12)) {
            snprintf(q->label, sizeof q->label, "%d", y);
            return;
        }
        break;
    case RIA_TU_QUARTER:
        if (month_aligned && (m - 1) % 3 == 0 && d1 == month_start_after(d0, 3)) {
            snprintf(q->label, sizeof q->label, "Q%d %d", (m - 1) / 3 + 1, y);
            return;
        }
        break;
    case RIA_TU_MONTH:
        if (month_aligned && d1 == month_start_after(d0, 1)) {
            snprintf(q->label, sizeof q->label, "%s %d", month_names[m - 1], y);
            return;
        }
        break;
    case RIA_TU_WEEK:
        if (d1 - d0 == 7 && ria_weekday(d0) == 0) {
            char a[16];
            ria_format_date(d0, a);
            snprintf(q->label, sizeof q->label, "week of %s", a);
            return;
        }
        break;
    default: break;
    }
    char a[16], b[16];
    ria_format_date(d0, a);
    ria_format_date(d1 - 1, b);
    if (d1 - d0 == 1)
        snprintf(q->label, sizeof q->label, "%s", a);
    else
        snprintf(q->label, sizeof q->label, "%s to %s", a, b);
}

/* The same day `months` earlier, clamped to the end of a shorter month. */
static int64_t day_months_back(int64_t day, int months)
{
    int y, m, d;
    ria_civil_from_days(day, &y, &m, &d);
    int64_t index = (int64_t)y * 12 + (m - 1) - months;
    int64_t yy = ria_floor_div(index, 12);
    int mm = (int)(index - yy * 12) + 1;
    return ria_days_from_civil((int)yy, mm, RIA_MIN(d, ria_days_in_month((int)yy, mm)));
}

ask_period period_back_months(const ask_period *p, int months)
{
    ask_period q = *p;
    int64_t d0 = ria_floor_div(p->start, RIA_SECS_PER_DAY);
    int64_t d1 = ria_floor_div(p->end, RIA_SECS_PER_DAY);
    int y, m, d;
    ria_civil_from_days(d1, &y, &m, &d);
    /* a period ending at a month's end keeps ending at a month's end */
    int64_t e = d == 1 ? month_start_after(d1, -months) : day_months_back(d1, months);
    q.start = day_months_back(d0, months) * RIA_SECS_PER_DAY;
    q.end = e * RIA_SECS_PER_DAY;
    q.relative = false;
    label_period(&q);
    return q;
}

ask_period period_back_days(const ask_period *p, int days)
{
    ask_period q = *p;
    q.start -= (int64_t)days * RIA_SECS_PER_DAY;
    q.end -= (int64_t)days * RIA_SECS_PER_DAY;
    q.relative = false;
    label_period(&q);
    return q;
}

ask_period period_before(const ask_period *p)
{
    int64_t d0 = ria_floor_div(p->start, RIA_SECS_PER_DAY);
    int64_t d1 = ria_floor_div(p->end, RIA_SECS_PER_DAY);
    int y, m, d;
    ria_civil_from_days(d0, &y, &m, &d);
    int months = p->grain == RIA_TU_YEAR      ? 12
                 : p->grain == RIA_TU_QUARTER ? 3
                 : p->grain == RIA_TU_MONTH   ? 1
                                              : 0;
    if (months && d == 1 && d1 == month_start_after(d0, months))
        return period_back_months(p, months);
    return period_back_days(p, (int)(d1 - d0));
}


bool period_is_whole(const ask_period *p)
{
    int64_t d0 = ria_floor_div(p->start, RIA_SECS_PER_DAY);
    int64_t d1 = ria_floor_div(p->end, RIA_SECS_PER_DAY);
    int y, m, d;
    ria_civil_from_days(d0, &y, &m, &d);
    switch (p->grain) {
    case RIA_TU_YEAR: return d == 1 && m == 1 && d1 == month_start_after(d0, 12);
    case RIA_TU_QUARTER: return d == 1 && (m - 1) % 3 == 0 && d1 == month_start_after(d0, 3);
    case RIA_TU_MONTH: return d == 1 && d1 == month_start_after(d0, 1);
    case RIA_TU_WEEK: return ria_weekday(d0) == 0 && d1 - d0 == 7;
    case RIA_TU_DAY: return d1 - d0 == 1;
    default: return false;
    }
}
