/*
 * gen_defects.c — the injected data-quality defects: one table, one row per
 * kind, each naming the ingest rule it exercises, that rule's outcome, what
 * the line must look like, and the edit that makes the clean row dirty.
 *
 * Invariant: an edit changes exactly one thing, chosen so that the row trips
 * its own rule and no other (amounts stay positive, shifted dates keep their
 * order, a blanked quantity was 1, a percent discount was non-zero).
 * Ownership: edits write into the row's scratch buffer.
 */
#include "gen/gen_model.h"
#include "ingest/ingest.h"

/* clang-format off */
#define S(text) {text, sizeof(text) - 1}
/* clang-format on */

/* "YYYY" + one of the impossible month-day suffixes; returns the length. */
static size_t put_impossible_date(gen_blockgen *g, char *p, int year)
{
    static const char *const md[] = {"-13-45", "-02-30", "-04-31", "-00-12",
                                     "-02-31", "-06-31", "-09-31", "-11-31"};
    size_t n = put_uint(p, (uint64_t)year, 4);
    memcpy(p + n, md[rng_below(&g->r, RIA_ARRAY_LEN(md))], 6);
    return n + 6;
}

static void blank_id(gen_blockgen *g, gen_line *l, gen_row *w)
{
    (void)g;
    (void)l;
    row_set(w, F_ORDER_ID, "", 0);
}

static void bad_date(gen_blockgen *g, gen_line *l, gen_row *w)
{
    (void)l;
    char *p = w->buf + w->used;
    size_t n = put_impossible_date(g, p, g->o.year);
    n += put_time(p + n, g->o.sec);
    row_take(w, F_ORDER_DATE, p, n);
}

/* Text no number parser accepts and no reader takes for a blank. */
static void bad_amount(gen_blockgen *g, gen_line *l, gen_row *w)
{
    (void)l;
    if (rng_below(&g->r, 2))
        wrap_field(w, F_AMOUNT, "", "x");
    else
        wrap_field(w, F_AMOUNT, "#", "");
}

static void negative_amount(gen_blockgen *g, gen_line *l, gen_row *w)
{
    (void)g;
    (void)l;
    wrap_field(w, F_AMOUNT, "-", "");
}

/* The amount stays positive, so only the quantity is wrong. */
static void negative_quantity(gen_blockgen *g, gen_line *l, gen_row *w)
{
    (void)g;
    (void)l;
    wrap_field(w, F_QUANTITY, "-", "");
}

static void bad_quantity(gen_blockgen *g, gen_line *l, gen_row *w)
{
    (void)l;
    static const ria_slice words[] = {S("two"), S("three"), S("1.5"), S("many")};
    w->f[F_QUANTITY] = words[rng_below(&g->r, RIA_ARRAY_LEN(words))];
}

/* Ship 1-5 days before the order day (the line has a ship date). */
static void ship_before_order(gen_blockgen *g, gen_line *l, gen_row *w)
{
    l->ship = g->o.day - 1 - (int64_t)rng_below(&g->r, 5);
    day_slice(g->m, l->ship, &w->f[F_SHIP_DATE]);
}

static void drop_last_field(gen_blockgen *g, gen_line *l, gen_row *w)
{
    (void)g;
    (void)l;
    w->nfields = RIA_GEN_FIELDS - 1;
}

static void above_ceiling(gen_blockgen *g, gen_line *l, gen_row *w)
{
    (void)g;
    char *p = w->buf + w->used;
    row_take(w, F_AMOUNT, p, put_cents(p, RIA_GEN_CEILING_CENTS));
    l->accepted_cents = RIA_GEN_CEILING_CENTS;
}

static void unknown_state(gen_blockgen *g, gen_line *l, gen_row *w)
{
    (void)g;
    (void)l;
    row_set(w, F_STATE, "ZZ", 2);
}

/* Moves the order date back old_years (29 Feb becomes 28 Feb) and the ship
 * date by the same number of days, so their order holds. */
static void old_date(gen_blockgen *g, gen_line *l, gen_row *w)
{
    int y, mo, d;
    ria_civil_from_days(g->o.day, &y, &mo, &d);
    y -= g->m->old_years;
    if (d > ria_days_in_month(y, mo))
        d = ria_days_in_month(y, mo);
    int64_t day = ria_days_from_civil(y, mo, d), delta = day - g->o.day;
    char *p = w->buf + w->used;
    size_t n = put_day(p, day);
    n += put_time(p + n, g->o.sec);
    row_take(w, F_ORDER_DATE, p, n);
    if (l->has_ship) {
        l->ship += delta;
        p = w->buf + w->used;
        row_take(w, F_SHIP_DATE, p, put_day(p, l->ship));
    }
}

static void blank_category(gen_blockgen *g, gen_line *l, gen_row *w)
{
    (void)g;
    (void)l;
    row_set(w, F_CATEGORY, "", 0);
}

/* The line was made with quantity 1, what the fix restores. */
static void blank_quantity(gen_blockgen *g, gen_line *l, gen_row *w)
{
    (void)g;
    (void)l;
    row_set(w, F_QUANTITY, "", 0);
}

/* Quantity, price and discount stay, so the amount can be derived. */
static void blank_amount(gen_blockgen *g, gen_line *l, gen_row *w)
{
    (void)g;
    (void)l;
    row_set(w, F_AMOUNT, "", 0);
}

static void state_name(gen_blockgen *g, gen_line *l, gen_row *w)
{
    (void)l;
    w->f[F_STATE] = gen_states[g->o.state].name;
}

/* The line was made with a non-zero discount. */
static void discount_percent(gen_blockgen *g, gen_line *l, gen_row *w)
{
    (void)g;
    w->f[F_DISCOUNT] = gen_discount_pct_text[l->discount];
}

/* An impossible date in the ship year (the line has a ship date). */
static void bad_ship_date(gen_blockgen *g, gen_line *l, gen_row *w)
{
    int y, mo, d;
    ria_civil_from_days(l->ship, &y, &mo, &d);
    char *p = w->buf + w->used;
    row_take(w, F_SHIP_DATE, p, put_impossible_date(g, p, y));
}

const gen_defect_row gen_defects[RIA_GEN_DEFECT_COUNT] = {
    [RIA_GEN_MISSING_ORDER_ID] = {"missing_order_id", RIA_RULE_MISSING_ORDER_ID, RIA_GEN_REJECT, 0,
                                  blank_id},
    [RIA_GEN_BAD_DATE] = {"bad_date", RIA_RULE_BAD_DATE, RIA_GEN_REJECT, 0, bad_date},
    [RIA_GEN_BAD_AMOUNT] = {"bad_amount", RIA_RULE_BAD_AMOUNT, RIA_GEN_REJECT, 0, bad_amount},
    [RIA_GEN_NEGATIVE_AMOUNT] = {"negative_amount", RIA_RULE_NEGATIVE_AMOUNT, RIA_GEN_REJECT, 0,
                                 negative_amount},
    [RIA_GEN_NEGATIVE_QUANTITY] = {"negative_quantity", RIA_RULE_NEGATIVE_QUANTITY, RIA_GEN_REJECT,
                                   0, negative_quantity},
    [RIA_GEN_BAD_QUANTITY] = {"bad_quantity", RIA_RULE_BAD_QUANTITY, RIA_GEN_REJECT, 0,
                              bad_quantity},
    [RIA_GEN_SHIP_BEFORE_ORDER] = {"ship_before_order", RIA_RULE_SHIP_BEFORE_ORDER, RIA_GEN_REJECT,
                                   NEED_SHIP, ship_before_order},
    [RIA_GEN_FIELD_COUNT] = {"field_count", RIA_RULE_FIELD_COUNT, RIA_GEN_REJECT, 0,
                             drop_last_field},
    [RIA_GEN_AMOUNT_CEILING] = {"amount_above_ceiling", RIA_RULE_AMOUNT_CEILING, RIA_GEN_FLAG, 0,
                                above_ceiling},
    [RIA_GEN_UNKNOWN_STATE] = {"unknown_state", RIA_RULE_UNKNOWN_STATE, RIA_GEN_FLAG, 0,
                               unknown_state},
    [RIA_GEN_OLD_DATE] = {"old_date", RIA_RULE_OLD_DATE, RIA_GEN_FLAG, 0, old_date},
    [RIA_GEN_MISSING_CATEGORY] = {"missing_category", RIA_RULE_FIX_CATEGORY, RIA_GEN_FIX, 0,
                                  blank_category},
    [RIA_GEN_MISSING_QUANTITY] = {"missing_quantity", RIA_RULE_FIX_QUANTITY, RIA_GEN_FIX, NEED_QTY1,
                                  blank_quantity},
    [RIA_GEN_DERIVED_AMOUNT] = {"derived_amount", RIA_RULE_FIX_AMOUNT, RIA_GEN_FIX, 0,
                                blank_amount},
    [RIA_GEN_STATE_NAME] = {"state_name", RIA_RULE_FIX_STATE_NAME, RIA_GEN_FIX, 0, state_name},
    [RIA_GEN_DISCOUNT_PERCENT] = {"discount_percent", RIA_RULE_FIX_DISCOUNT_PCT, RIA_GEN_FIX,
                                  NEED_DISCOUNT, discount_percent},
    [RIA_GEN_BAD_SHIP_DATE] = {"bad_ship_date", RIA_RULE_FIX_SHIP_DATE, RIA_GEN_FIX, NEED_SHIP,
                               bad_ship_date},
    /* Not a quality rule: ingest drops exact duplicates. */
    [RIA_GEN_DUPLICATE] = {"duplicate", RIA_RULE_COUNT, RIA_GEN_DEDUPE, NEED_EARLIER, NULL},
};

const char *ria_gen_defect_name(ria_gen_defect d)
{
    return (unsigned)d < RIA_GEN_DEFECT_COUNT ? gen_defects[d].name : "unknown";
}

ria_gen_outcome ria_gen_defect_outcome(ria_gen_defect d)
{
    return (unsigned)d < RIA_GEN_DEFECT_COUNT ? gen_defects[d].outcome : RIA_GEN_REJECT;
}
