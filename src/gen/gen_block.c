/*
 * gen_block.c — one block of rows: orders with a date drawn from the growth
 * x season x weekend curve, a state, city, channel, segment, status and
 * customer, and 1-3 lines each with a category, log-uniform price, geometric
 * quantity, discount and margin; then either one injected defect (the table
 * in gen_defects.c) or, on clean rows, a harmless decoration; formatted by
 * hand into CSV.
 *
 * Invariants: money is integer cents, with amount = quantity x price x
 * (100 - discount%) / 100 rounded half away from zero; a block reads only its
 * own random stream, seeded from (seed, block index); a duplicate copies a
 * clean row of the same block.  Ownership: rows go into the caller's buffer.
 */
#include "gen/gen_model.h"

/* Quantity is 1 + floor(Exp(rate 0.7)), capped so that no clean amount
 * reaches the ingest ceiling (50 x 1800.00 < 100000); the cap moves ~1e-15
 * of the probability. */
#define QTY_MAX 50
#define QTY_KEEP 0.49658530379140947 /* exp(-0.7): P(qty > k + 1 | qty > k) */
/* Chance that an order has a 2nd line, and independently a 3rd. */
#define SECOND_LINE 0.35
#define THIRD_LINE 0.15
/* The reference's rejection bound on the date weight (kept, clipping and all). */
#define DATE_BOUND 2.6

static void rng_seed(gen_rng *r, uint64_t seed, uint64_t block)
{
    uint64_t x = ria_mix64(seed ^ 0x6a09e667f3bcc909ULL) ^ ria_mix64(block + 0x9e3779b97f4a7c15ULL);
    for (int i = 0; i < 4; i++) {
        x += 0x9e3779b97f4a7c15ULL; /* splitmix64 */
        uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        r->s[i] = z ^ (z >> 31);
    }
}

/* e^x for 0 <= x < 8 from basic arithmetic only (so the output does not
 * depend on the C library's rounding); relative error below 1e-9. */
static inline double exp_small(double x)
{
    static const double ln2 = 0.69314718055994530942;
    static const double inv_fact[] = {1.0,         1.0,          1.0 / 2,       1.0 / 6,
                                      1.0 / 24,    1.0 / 120,    1.0 / 720,     1.0 / 5040,
                                      1.0 / 40320, 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800};
    int n = (int)(x / ln2);
    double r = x - n * ln2, sum = inv_fact[11]; /* e^r, 0 <= r < ln 2, by Taylor */
    for (int k = 10; k >= 0; k--)
        sum = sum * r + inv_fact[k];
    return sum * (double)(1u << n);
}

/* Nearest integer of a non-negative double (halves round up). */
static inline int64_t round_pos(double x)
{
    return (int64_t)(x + 0.5);
}

/* A row index of table `which` drawn with the table's weights. */
static inline int pick(gen_blockgen *g, int which)
{
    const gen_model *m = g->m;
    return m->lut[which][rng_below(&g->r, (uint64_t)m->lut_total[which])];
}

/* The order time: uniform over the span, kept with probability
 * weight / DATE_BOUND where weight = (1 + 0.25 x years elapsed) x 1.6 in
 * November and December x 1.15 on weekends. */
static void draw_date(gen_blockgen *g, gen_order *o)
{
    const gen_model *m = g->m;
    for (;;) {
        uint64_t s = rng_below(&g->r, m->span_secs);
        int64_t di = (int64_t)(s / RIA_SECS_PER_DAY);
        double d = (double)s / RIA_SECS_PER_DAY;
        double w = (1.0 + 0.25 * d / 365.0) * m->day_weight[di + GEN_DAY_MARGIN];
        if (rng_unit(&g->r) * DATE_BOUND < w) {
            o->day = m->opt.start + di;
            o->sec = (int32_t)(s % RIA_SECS_PER_DAY);
            o->year = m->day_year[di + GEN_DAY_MARGIN];
            return;
        }
    }
}

static void start_order(gen_blockgen *g)
{
    const gen_model *m = g->m;
    gen_order *o = &g->o;
    draw_date(g, o);
    o->state = pick(g, GEN_LUT_STATE);
    o->city = (int)rng_below(&g->r, (uint64_t)gen_states[o->state].ncity);
    o->channel = pick(g, GEN_LUT_CHANNEL);
    o->segment = pick(g, GEN_LUT_SEGMENT);
    o->status = pick(g, GEN_LUT_STATUS);
    uint64_t cust = 1 + rng_below(&g->r, m->customers);
    g->lines_left = 1 + (rng_unit(&g->r) < SECOND_LINE) + (rng_unit(&g->r) < THIRD_LINE);
    /* Unique across blocks: a block holds at most RIA_GEN_BLOCK_ROWS orders. */
    uint64_t number = g->block * RIA_GEN_BLOCK_ROWS + ++g->orders;
    memcpy(o->id, "ORD-", 4);
    size_t n = 4 + put_uint(o->id + 4, (uint64_t)o->year, 4);
    o->id[n++] = '-';
    o->id_len = n + put_uint(o->id + n, number, 9);
    memcpy(o->date, m->day_text[o->day - m->day_lo], 10);
    put_time(o->date + 10, o->sec);
    o->customer[0] = 'C';
    o->customer_len = 1 + put_uint(o->customer + 1, cust, 7);
}

static int draw_qty(gen_rng *r)
{
    double u = rng_unit(r), tail = QTY_KEEP;
    int q = 1;
    while (u < tail && q < QTY_MAX) {
        q++;
        tail *= QTY_KEEP;
    }
    return q;
}

/* The next line of the current order; `needs` (NEED_*) constrains it for the
 * defect it will carry. */
static void make_line(gen_blockgen *g, unsigned needs, gen_line *l)
{
    const gen_model *m = g->m;
    const gen_order *o = &g->o;
    l->cat = pick(g, GEN_LUT_CATEGORY);
    const gen_category *c = &gen_categories[l->cat];
    l->sub = (int)rng_below(&g->r, (uint64_t)c->nsub);
    /* Log-uniform between the bounds: lo x (hi / lo)^u. */
    l->price = round_pos(c->price_lo * 100.0 * exp_small(c->log_ratio * rng_unit(&g->r)));
    l->qty = (needs & NEED_QTY1) ? 1 : draw_qty(&g->r);
    l->discount = (needs & NEED_DISCOUNT) ? gen_discounts[4 + rng_below(&g->r, 4)]
                                          : gen_discounts[rng_below(&g->r, 8)];
    int64_t num = (int64_t)l->qty * l->price * (100 - l->discount);
    l->amount = (num + 50) / 100;
    double margin = c->margin_lo + (c->margin_hi - c->margin_lo) * rng_unit(&g->r);
    if (l->cat == GEN_ELECTRONICS && o->year >= m->last_year)
        margin *= 0.8;
    l->cost = round_pos((double)l->amount * (1.0 - margin));
    l->sku = 1 + (int)rng_below(&g->r, 400);
    l->has_ship = gen_statuses[o->status].ships;
    l->ship = l->has_ship ? o->day + (int64_t)rng_below(&g->r, 7) : 0;
    l->accepted_cents = l->amount;
}

static void upper3(char *p, ria_slice s)
{
    for (int i = 0; i < 3; i++) {
        char c = i < (int)s.n ? s.p[i] : 'X';
        p[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
    }
}

/* The clean text of a line. */
static void render(const gen_blockgen *g, const gen_line *l, gen_row *w)
{
    const gen_order *o = &g->o;
    const gen_state *st = &gen_states[o->state];
    const gen_category *c = &gen_categories[l->cat];
    w->nfields = RIA_GEN_FIELDS;
    w->used = 0;
    row_set(w, F_ORDER_ID, o->id, o->id_len);
    row_set(w, F_ORDER_DATE, o->date, 19);
    if (l->has_ship)
        day_slice(g->m, l->ship, &w->f[F_SHIP_DATE]);
    else
        row_set(w, F_SHIP_DATE, "", 0);
    w->f[F_STATUS] = gen_statuses[o->status].name;
    w->f[F_CHANNEL] = gen_channels[o->channel].name;
    w->f[F_CATEGORY] = c->name;
    w->f[F_SUB_CATEGORY] = c->sub[l->sub];
    char *p = row_room(w, 12);
    upper3(p, c->name);
    p[3] = '-';
    upper3(p + 4, c->sub[l->sub]);
    p[7] = '-';
    put_uint(p + 8, (uint64_t)l->sku, 4);
    row_set(w, F_SKU, p, 12);
    p = w->buf + w->used;
    row_take(w, F_QUANTITY, p, put_uint(p, (uint64_t)l->qty, 1));
    p = w->buf + w->used;
    row_take(w, F_UNIT_PRICE, p, put_cents(p, l->price));
    w->f[F_DISCOUNT] = gen_discount_text[l->discount];
    p = w->buf + w->used;
    row_take(w, F_AMOUNT, p, put_cents(p, l->amount));
    p = w->buf + w->used;
    row_take(w, F_COST, p, put_cents(p, l->cost));
    row_set(w, F_CUSTOMER_ID, o->customer, o->customer_len);
    w->f[F_SEGMENT] = gen_segments[o->segment].name;
    w->f[F_CITY] = st->city[o->city];
    w->f[F_STATE] = st->code;
    w->f[F_REGION] = st->region;
    row_set(w, F_COUNTRY, "US", 2);
}

/* Writes cents as a currency amount, quoted when it has a thousands
 * separator ("\"$1,234.50\"", "$12.50"); returns the length. */
static size_t put_money(char *p, int64_t cents)
{
    char digits[24];
    size_t nd = put_uint(digits, (uint64_t)(cents / 100), 1), n = 0;
    bool quote = nd > 3;
    if (quote)
        p[n++] = '"';
    p[n++] = '$';
    for (size_t i = 0; i < nd; i++) {
        if (i > 0 && (nd - i) % 3 == 0)
            p[n++] = ',';
        p[n++] = digits[i];
    }
    p[n++] = '.';
    memcpy(p + n, gen_digit_pairs + 2 * (cents % 100), 2);
    n += 2;
    if (quote)
        p[n++] = '"';
    return n;
}

/* Harmless variations on clean rows, each as often as a defect: a currency
 * amount and a quoted city.  The values are unchanged. */
static void decorate(gen_blockgen *g, const gen_line *l, gen_row *w)
{
    double rate = g->m->opt.dirty;
    if (rng_unit(&g->r) < rate) {
        char *p = w->buf + w->used;
        row_take(w, F_AMOUNT, p, put_money(p, l->amount));
        g->t->currency_amounts++;
    }
    if (rng_unit(&g->r) < rate) {
        wrap_field(w, F_CITY, "\"", "\"");
        g->t->quoted_cities++;
    }
}

/* memcpy for short fields, without a library call per field. */
static inline void copy_short(char *d, const char *s, size_t n)
{
    if (n >= 8 && n <= 16) {
        memcpy(d, s, 8);
        memcpy(d + n - 8, s + n - 8, 8);
    } else if (n >= 4 && n < 8) {
        memcpy(d, s, 4);
        memcpy(d + n - 4, s + n - 4, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    } else {
        memcpy(d, s, n);
    }
}

static void emit(gen_blockgen *g, const gen_row *w)
{
    char *p = g->out + g->len, *start = p;
    for (int i = 0; i < w->nfields; i++) {
        copy_short(p, w->f[i].p, w->f[i].n);
        p += w->f[i].n;
        *p++ = ',';
    }
    p[-1] = '\n';
    g->len += (size_t)(p - start);
}

static void remember_clean(gen_blockgen *g, size_t off)
{
    g->ring_off[g->ring_head] = off;
    g->ring_len[g->ring_head] = g->len - off;
    g->ring_head = (g->ring_head + 1) % GEN_RING;
    if (g->ring_n < GEN_RING)
        g->ring_n++;
}

/* Copies one of the recent clean rows (ring_n > 0). */
static void emit_duplicate(gen_blockgen *g)
{
    int k = (int)rng_below(&g->r, (uint64_t)g->ring_n);
    int slot = (g->ring_head - 1 - k + GEN_RING) % GEN_RING;
    memcpy(g->out + g->len, g->out + g->ring_off[slot], g->ring_len[slot]);
    g->len += g->ring_len[slot];
    g->t->rows++;
    g->t->defects[RIA_GEN_DUPLICATE]++;
}

static void account(gen_blockgen *g, int kind, const gen_line *l)
{
    ria_gen_truth *t = g->t;
    t->rows++;
    if (kind < 0)
        t->clean_rows++;
    else
        t->defects[kind]++;
    if (kind < 0 || gen_defects[kind].outcome == RIA_GEN_FLAG ||
        gen_defects[kind].outcome == RIA_GEN_FIX) {
        t->accepted_rows++;
        t->accepted_cents += l->accepted_cents;
        t->accepted_quantity += (uint64_t)l->qty;
    }
}

/* A deferred defect this line can carry now, or -1. */
static int take_pending(gen_blockgen *g, const gen_line *l)
{
    if (!g->npending)
        return -1;
    for (int k = 0; k < RIA_GEN_DEFECT_COUNT; k++) {
        unsigned needs = gen_defects[k].needs;
        if (!g->pending[k] || (needs & NEED_EARLIER) || ((needs & NEED_SHIP) && !l->has_ship))
            continue;
        g->pending[k]--;
        g->npending--;
        return k;
    }
    return -1;
}

/* Draws whether the next row is dirty and with which defect (-1 = clean). */
static int draw_defect(gen_blockgen *g)
{
    double rate = g->m->opt.dirty;
    if (rate > 0 && rng_unit(&g->r) < rate)
        return (int)rng_below(&g->r, RIA_GEN_DEFECT_COUNT);
    return -1;
}

/* Writes one row: a duplicate, or the next line of the current order, clean
 * or with one defect.  A defect the row cannot carry (a ship-date defect on
 * an unshipped order, a duplicate with nothing earlier to copy) waits for the
 * next clean row that can, so every drawn defect is written unless the block
 * ends first. */
static void one_row(gen_blockgen *g)
{
    int kind = draw_defect(g);
    uint32_t *dup = &g->pending[RIA_GEN_DUPLICATE];
    if (kind == RIA_GEN_DUPLICATE || (kind < 0 && *dup && g->ring_n)) {
        if (g->ring_n) {
            if (kind < 0)
                (*dup)--;
            emit_duplicate(g);
            return;
        }
        (*dup)++;
        kind = -1;
    }
    if (g->lines_left == 0)
        start_order(g);
    g->lines_left--;
    gen_line l;
    make_line(g, kind < 0 ? 0 : gen_defects[kind].needs, &l);
    if (kind >= 0 && (gen_defects[kind].needs & NEED_SHIP) && !l.has_ship) {
        g->pending[kind]++;
        g->npending++;
        kind = -1;
    }
    if (kind < 0)
        kind = take_pending(g, &l);
    gen_row w;
    render(g, &l, &w);
    if (kind >= 0)
        gen_defects[kind].apply(g, &l, &w);
    else if (g->m->opt.dirty > 0)
        decorate(g, &l, &w);
    size_t off = g->len;
    emit(g, &w);
    account(g, kind, &l);
    if (kind < 0)
        remember_clean(g, off);
}

size_t gen_block(const gen_model *m, uint64_t b, char *out, ria_gen_truth *t)
{
    gen_blockgen g;
    memset(&g, 0, sizeof g);
    g.m = m;
    g.block = b;
    g.out = out;
    g.t = t;
    rng_seed(&g.r, m->opt.seed, b);
    uint64_t first = b * RIA_GEN_BLOCK_ROWS;
    uint64_t n = RIA_MIN((uint64_t)RIA_GEN_BLOCK_ROWS, m->opt.rows - first);
    for (uint64_t i = 0; i < n; i++)
        one_row(&g);
    return g.len;
}
