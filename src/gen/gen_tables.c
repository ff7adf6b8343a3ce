/*
 * gen_tables.c — the data of the sales model (states and cities, categories
 * with price ranges and margins, channels, segments, statuses, discounts:
 * the same as bench/gen_sales.py) and the precomputation that turns them and
 * the options into a gen_model: weighted-choice lookup tables and per-day
 * tables of date text, year and seasonal weight.
 *
 * Invariant: the model is built once and read-only afterwards, so generator
 * threads share it without locks.  Ownership: gen_model_free releases the
 * day tables; the static tables live for the program.
 */
#include "gen/gen_model.h"

#include <stdlib.h>

/* clang-format off */
#define S(text) {text, sizeof(text) - 1}
/* clang-format on */

/* clang-format off */
const gen_state gen_states[] = {
    {S("CA"), S("California"), S("West"), 12, 4,
     {S("Los Angeles"), S("San Francisco"), S("San Diego"), S("San Jose")}},
    {S("TX"), S("Texas"), S("South"), 9, 4, {S("Houston"), S("Dallas"), S("Austin"), S("San Antonio")}},
    {S("NY"), S("New York"), S("East"), 8, 3, {S("New York City"), S("Buffalo"), S("Rochester")}},
    {S("FL"), S("Florida"), S("South"), 7, 3, {S("Miami"), S("Orlando"), S("Tampa")}},
    {S("IL"), S("Illinois"), S("Central"), 5, 2, {S("Chicago"), S("Springfield")}},
    {S("PA"), S("Pennsylvania"), S("East"), 4, 2, {S("Philadelphia"), S("Pittsburgh")}},
    {S("OH"), S("Ohio"), S("East"), 4, 2, {S("Columbus"), S("Cleveland")}},
    {S("WA"), S("Washington"), S("West"), 4, 2, {S("Seattle"), S("Spokane")}},
    {S("GA"), S("Georgia"), S("South"), 3, 2, {S("Atlanta"), S("Savannah")}},
    {S("MI"), S("Michigan"), S("Central"), 3, 2, {S("Detroit"), S("Grand Rapids")}},
    {S("NC"), S("North Carolina"), S("South"), 3, 2, {S("Charlotte"), S("Raleigh")}},
    {S("AZ"), S("Arizona"), S("West"), 3, 2, {S("Phoenix"), S("Tucson")}},
    {S("CO"), S("Colorado"), S("West"), 2, 2, {S("Denver"), S("Boulder")}},
    {S("MA"), S("Massachusetts"), S("East"), 2, 2, {S("Boston"), S("Cambridge")}},
    {S("OR"), S("Oregon"), S("West"), 2, 2, {S("Portland"), S("Eugene")}},
    {S("MN"), S("Minnesota"), S("Central"), 2, 2, {S("Minneapolis"), S("Saint Paul")}},
    {S("NJ"), S("New Jersey"), S("East"), 2, 2, {S("Newark"), S("Jersey City")}},
    {S("VA"), S("Virginia"), S("South"), 2, 2, {S("Richmond"), S("Virginia Beach")}},
    {S("TN"), S("Tennessee"), S("South"), 1, 2, {S("Nashville"), S("Memphis")}},
    {S("NV"), S("Nevada"), S("West"), 1, 2, {S("Las Vegas"), S("Reno")}},
    {{0}, {0}, {0}, 0, 0, {{0}}},
};

/* log_ratio is ln(price_hi / price_lo), written out so that prices do not
 * depend on the C library's log (the unit tests check the values). */
const gen_category gen_categories[] = {
    [GEN_ELECTRONICS] = {S("Electronics"), 18, 5,
                         {S("Phones"), S("Laptops"), S("Audio"), S("Accessories"), S("TVs")},
                         15, 1800, 0.08, 0.30, 4.787491742782046},
    {S("Clothing"), 22, 4, {S("Men"), S("Women"), S("Kids"), S("Shoes")}, 8, 180, 0.30, 0.60,
     3.1135153092103742},
    {S("Home"), 16, 4, {S("Furniture"), S("Kitchen"), S("Decor"), S("Bedding")}, 10, 900, 0.20, 0.45,
     4.499809670330265},
    {S("Grocery"), 20, 4, {S("Beverages"), S("Snacks"), S("Fresh"), S("Pantry")}, 1, 60, 0.10, 0.25,
     4.0943445622221},
    {S("Beauty"), 9, 3, {S("Skincare"), S("Makeup"), S("Fragrance")}, 5, 150, 0.40, 0.70,
     3.4011973816621555},
    {S("Sports"), 8, 3, {S("Fitness"), S("Outdoor"), S("Cycling")}, 10, 1200, 0.20, 0.40,
     4.787491742782046},
    {S("Toys"), 7, 3, {S("Games"), S("Dolls"), S("Building Sets")}, 5, 200, 0.25, 0.50,
     3.6888794541139363},
    {{0}, 0, 0, {{0}}, 0, 0, 0, 0, 0},
};

const gen_choice gen_channels[] = {
    {S("Online"), 55, false}, {S("Store"), 35, false}, {S("Marketplace"), 10, false}, {{0}, 0, 0}};
const gen_choice gen_segments[] = {
    {S("Consumer"), 60, false}, {S("Corporate"), 25, false}, {S("Home Office"), 15, false},
    {{0}, 0, 0}};
const gen_choice gen_statuses[] = {
    {S("Delivered"), 78, true}, {S("Shipped"), 9, true}, {S("Pending"), 4, false},
    {S("Cancelled"), 6, false}, {S("Returned"), 3, true}, {{0}, 0, 0}};

const int gen_discounts[8] = {0, 0, 0, 0, 5, 10, 15, 20};
const ria_slice gen_discount_text[21] = {
    [0] = S("0.00"), [5] = S("0.05"), [10] = S("0.10"), [15] = S("0.15"), [20] = S("0.20")};
const ria_slice gen_discount_pct_text[21] = {
    [0] = S("0%"), [5] = S("5%"), [10] = S("10%"), [15] = S("15%"), [20] = S("20%")};
/* clang-format on */

/* Fills lut so that lut[uniform index below the total] is a row index drawn
 * with the rows' weights; returns the total.  `weight` points at the first
 * row's weight, rows are `stride` bytes apart, a zero weight ends the table. */
static int build_lut(uint8_t *lut, const int *weight, size_t stride)
{
    int total = 0;
    for (size_t i = 0;; i++) {
        int w = *(const int *)(const void *)((const char *)weight + i * stride);
        if (w == 0)
            break;
        for (int k = 0; k < w && total < GEN_LUT_MAX; k++)
            lut[total++] = (uint8_t)i;
    }
    return total;
}

#define LUT(m, which, table)                                                                       \
    ((m)->lut_total[which] = build_lut((m)->lut[which], &(table)[0].weight, sizeof((table)[0])))

/* The day tables cover the order span plus GEN_DAY_MARGIN days each side. */
static ria_status build_days(gen_model *m, ria_error *err)
{
    m->day_lo = m->opt.start - GEN_DAY_MARGIN;
    m->ndays = m->span_days + 2 * GEN_DAY_MARGIN;
    m->day_text = malloc((size_t)m->ndays * sizeof *m->day_text);
    m->day_year = malloc((size_t)m->ndays * sizeof *m->day_year);
    m->day_weight = malloc((size_t)m->ndays * sizeof *m->day_weight);
    if (!m->day_text || !m->day_year || !m->day_weight)
        return ria_fail(err, RIA_ENOMEM, "out of memory for the date tables");
    for (int64_t i = 0; i < m->ndays; i++) {
        int64_t day = m->day_lo + i;
        int y, mo, d;
        ria_civil_from_days(day, &y, &mo, &d);
        put_day(m->day_text[i], day);
        m->day_year[i] = (int16_t)y;
        m->day_weight[i] = (mo >= 11 ? 1.6 : 1.0) * (ria_weekday(day) >= 5 ? 1.15 : 1.0);
    }
    return RIA_OK;
}

ria_status gen_model_init(gen_model *m, const ria_gen_options *o, ria_error *err)
{
    ria_status rc;
    memset(m, 0, sizeof *m);
    m->opt = *o;
    m->nblocks = (o->rows + RIA_GEN_BLOCK_ROWS - 1) / RIA_GEN_BLOCK_ROWS;
    m->customers = RIA_MAX((uint64_t)1000, o->rows / 8);
    m->span_days = 365LL * o->years;
    m->span_secs = (uint64_t)m->span_days * RIA_SECS_PER_DAY;
    int mo, d;
    ria_civil_from_days(o->start, &m->start_year, &mo, &d);
    m->last_year = m->start_year + o->years - 1;
    /* 15 years back, and always more than 10 years before any other order. */
    m->old_years = RIA_MAX(15, o->years + 11);
    LUT(m, GEN_LUT_STATE, gen_states);
    LUT(m, GEN_LUT_CATEGORY, gen_categories);
    LUT(m, GEN_LUT_CHANNEL, gen_channels);
    LUT(m, GEN_LUT_SEGMENT, gen_segments);
    LUT(m, GEN_LUT_STATUS, gen_statuses);
    rc = build_days(m, err);
    if (rc != RIA_OK)
        gen_model_free(m);
    return rc;
}

void gen_model_free(gen_model *m)
{
    if (!m)
        return;
    free(m->day_text);
    free(m->day_year);
    free(m->day_weight);
    m->day_text = NULL;
    m->day_year = NULL;
    m->day_weight = NULL;
}
