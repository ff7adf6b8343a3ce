/*
 * gen_model.h — private to src/gen: the tables of the sales model, the
 * precomputed model shared read-only by the generator threads, the state of
 * one block being written, and the small inline helpers (random numbers,
 * hand-written number and date formatting, row fields) the files share.
 *
 * Invariant: gen_block's output depends only on the model and the block
 * index, never on which thread runs it or when.  Ownership: the model owns
 * its tables (gen_model_free); block output goes into caller memory; row
 * fields point into static tables, the current order, or the row's own
 * scratch buffer, and live as long as the row.
 */
#ifndef RIA_GEN_MODEL_H
#define RIA_GEN_MODEL_H

#include "gen/gen.h"

#include <string.h>

/* Upper bound of one written row in bytes: the fields have bounded widths
 * (about 250 bytes at most); the unit tests check the longest rows. */
#define GEN_ROW_MAX 480
/* Bytes a block buffer must hold. */
#define GEN_BLOCK_BYTES ((size_t)RIA_GEN_BLOCK_ROWS * GEN_ROW_MAX)
/* Days of margin kept in the day tables on each side of the order span (ship
 * dates run up to 6 days late, ship_before_order up to 5 days early). */
#define GEN_DAY_MARGIN 8

/* ------------------------------------------------------------------ tables */

/* The distributions of bench/gen_sales.py (gen_tables.c). */
typedef struct {
    ria_slice code, name, region;
    int weight, ncity;
    ria_slice city[4];
} gen_state;

typedef struct {
    ria_slice name;
    int weight, nsub;
    ria_slice sub[5];
    int price_lo, price_hi;      /* whole dollars; prices are log-uniform */
    double margin_lo, margin_hi; /* uniform */
    double log_ratio;            /* ln(price_hi / price_lo) */
} gen_category;

typedef struct {
    ria_slice name;
    int weight;
    bool ships; /* statuses: the line has a ship date */
} gen_choice;

extern const gen_state gen_states[];
extern const gen_category gen_categories[];
extern const gen_choice gen_channels[], gen_segments[], gen_statuses[];
/* Index of Electronics in gen_categories (its margins shrink in the last year). */
#define GEN_ELECTRONICS 0
/* Discounts in percent, drawn uniformly; the last four are the non-zero ones. */
extern const int gen_discounts[8];
/* Text of a discount percent as a fraction ("0.15") and as a percent ("15%"). */
extern const ria_slice gen_discount_text[21], gen_discount_pct_text[21];

/* The weighted choices, each a lookup table. */
enum {
    GEN_LUT_STATE,
    GEN_LUT_CATEGORY,
    GEN_LUT_CHANNEL,
    GEN_LUT_SEGMENT,
    GEN_LUT_STATUS,
    GEN_LUT_COUNT
};
#define GEN_LUT_MAX 128 /* the largest weight total a table may have */

typedef struct {
    ria_gen_options opt;
    uint64_t nblocks;   /* ceil(rows / RIA_GEN_BLOCK_ROWS) */
    uint64_t customers; /* customer ids are 1..customers */
    int64_t span_days;  /* 365 * years */
    uint64_t span_secs; /* span_days * 86400 */
    int start_year;
    int last_year;                           /* electronics margins shrink from this year on */
    int old_years;                           /* how far old_date moves an order back */
    int64_t day_lo;                          /* day number of index 0 of the day tables */
    int64_t ndays;                           /* length of the day tables */
    char (*day_text)[10];                    /* "YYYY-MM-DD" of each day (not NUL-terminated) */
    int16_t *day_year;                       /* calendar year of each day */
    double *day_weight;                      /* November/December and weekend uplift of each day */
    uint8_t lut[GEN_LUT_COUNT][GEN_LUT_MAX]; /* a uniform index below lut_total[i]
                                                maps to a row of table i */
    int lut_total[GEN_LUT_COUNT];
} gen_model;

/* Checks nothing (see ria_gen_options_check); RIA_ENOMEM when allocation
 * fails, leaving nothing to free. */
ria_status gen_model_init(gen_model *m, const ria_gen_options *o, ria_error *err);
void gen_model_free(gen_model *m);

/* Writes block b (b < nblocks) into out, which holds GEN_BLOCK_BYTES, and
 * adds what it wrote to *t.  Returns the byte count.  Never fails. */
size_t gen_block(const gen_model *m, uint64_t b, char *out, ria_gen_truth *t);

/* ------------------------------------------------------------ random bits */

/* xoshiro256**: fast, 256 bits of state, seeded through splitmix64. */
typedef struct {
    uint64_t s[4];
} gen_rng;

static inline uint64_t gen_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(gen_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = gen_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = gen_rotl(s[3], 45);
    return out;
}

/* Uniform in [0, 1). */
static inline double rng_unit(gen_rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n) (multiply-shift; the bias is below n / 2^64). */
static inline uint64_t rng_below(gen_rng *r, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

/* ------------------------------------------------------------- formatting */

static const char gen_digit_pairs[] = "00010203040506070809101112131415161718192021222324"
                                      "25262728293031323334353637383940414243444546474849"
                                      "50515253545556575859606162636465666768697071727374"
                                      "75767778798081828384858687888990919293949596979899";

/* Writes v in decimal, at least `width` (<= 20) digits, zero-padded; returns
 * the length. */
static inline size_t put_uint(char *p, uint64_t v, int width)
{
    char tmp[24];
    int n = 0;
    while (v >= 100) {
        memcpy(tmp + sizeof tmp - 2 - n, gen_digit_pairs + 2 * (v % 100), 2);
        v /= 100;
        n += 2;
    }
    if (v >= 10) {
        memcpy(tmp + sizeof tmp - 2 - n, gen_digit_pairs + 2 * v, 2);
        n += 2;
    } else {
        tmp[sizeof tmp - 1 - n] = (char)('0' + v);
        n += 1;
    }
    while (n < width && n < (int)sizeof tmp)
        tmp[sizeof tmp - 1 - n++] = '0';
    memcpy(p, tmp + sizeof tmp - n, (size_t)n);
    return (size_t)n;
}

/* Writes non-negative cents as "123.45"; returns the length. */
static inline size_t put_cents(char *p, int64_t cents)
{
    size_t n = put_uint(p, (uint64_t)(cents / 100), 1);
    p[n] = '.';
    memcpy(p + n + 1, gen_digit_pairs + 2 * (cents % 100), 2);
    return n + 3;
}

/* Writes " HH:MM:SS" for a second of the day; returns 9. */
static inline size_t put_time(char *p, int32_t sec)
{
    p[0] = ' ';
    memcpy(p + 1, gen_digit_pairs + 2 * (sec / 3600), 2);
    p[3] = ':';
    memcpy(p + 4, gen_digit_pairs + 2 * (sec / 60 % 60), 2);
    p[6] = ':';
    memcpy(p + 7, gen_digit_pairs + 2 * (sec % 60), 2);
    return 9;
}

/* Writes "YYYY-MM-DD" for any day (not from the day tables); returns 10. */
static inline size_t put_day(char *p, int64_t day)
{
    char tmp[12];
    ria_format_date(day, tmp);
    memcpy(p, tmp, 10);
    return 10;
}

/* ---------------------------------------------------- orders, lines, rows */

typedef struct {
    int64_t day; /* order day */
    int32_t sec; /* second of the day */
    int year;
    int state, city, channel, segment, status;
    char id[40], date[20], customer[32];
    size_t id_len, customer_len;
} gen_order;

typedef struct {
    int cat, sub, qty, discount, sku;
    int64_t price, amount, cost; /* cents */
    int64_t ship;                /* ship day; valid when has_ship */
    bool has_ship;
    int64_t accepted_cents; /* the amount ingest keeps after fixes */
} gen_line;

/* One row as field slices. */
typedef struct {
    ria_slice f[RIA_GEN_FIELDS];
    int nfields;
    size_t used;   /* bytes of buf in use */
    char buf[256]; /* scratch for rendered fields */
} gen_row;

enum {
    F_ORDER_ID,
    F_ORDER_DATE,
    F_SHIP_DATE,
    F_STATUS,
    F_CHANNEL,
    F_CATEGORY,
    F_SUB_CATEGORY,
    F_SKU,
    F_QUANTITY,
    F_UNIT_PRICE,
    F_DISCOUNT,
    F_AMOUNT,
    F_COST,
    F_CUSTOMER_ID,
    F_SEGMENT,
    F_CITY,
    F_STATE,
    F_REGION,
    F_COUNTRY
};

#define GEN_RING 16 /* recent clean rows a duplicate may copy */

/* The state of one block being written. */
typedef struct {
    const gen_model *m;
    gen_rng r;
    uint64_t block;
    char *out;                                     /* GEN_BLOCK_BYTES */
    size_t len;                                    /* bytes written to out */
    ria_gen_truth *t;                              /* counts of what was written */
    gen_order o;                                   /* the current order */
    int lines_left;                                /* lines of o still to write */
    uint64_t orders;                               /* orders started in this block */
    uint32_t pending[RIA_GEN_DEFECT_COUNT];        /* defects waiting for a row that suits */
    uint32_t npending;                             /* sum of pending[] except the duplicate */
    size_t ring_off[GEN_RING], ring_len[GEN_RING]; /* recent clean rows in out */
    int ring_n, ring_head;
} gen_blockgen;

/* Points *out at the table text of a day inside the day tables. */
static inline void day_slice(const gen_model *m, int64_t day, ria_slice *out)
{
    out->p = m->day_text[day - m->day_lo];
    out->n = 10;
}

/* n bytes of the row's scratch (the row's width bound keeps it in range). */
static inline char *row_room(gen_row *w, size_t n)
{
    char *p = w->buf + w->used;
    w->used += n;
    return p;
}

static inline void row_set(gen_row *w, int field, const char *p, size_t n)
{
    w->f[field] = (ria_slice){p, n};
}

/* The caller wrote n bytes at p = the scratch end; they become the field. */
static inline void row_take(gen_row *w, int field, char *p, size_t n)
{
    w->used = (size_t)(p - w->buf) + n;
    row_set(w, field, p, n);
}

/* Replaces field f by prefix + old text + suffix. */
static inline void wrap_field(gen_row *w, int f, const char *prefix, const char *suffix)
{
    size_t a = strlen(prefix), b = strlen(suffix), n = w->f[f].n;
    char *p = row_room(w, a + n + b);
    memcpy(p, prefix, a);
    memcpy(p + a, w->f[f].p, n);
    memcpy(p + a + n, suffix, b);
    row_set(w, f, p, a + n + b);
}

/* ----------------------------------------------------------------- defects */

/* What a line must look like for its defect to be the only rule it trips. */
enum {
    NEED_SHIP = 1,     /* the line has a ship date (deferred to one that does) */
    NEED_QTY1 = 2,     /* the line is made with quantity 1 */
    NEED_DISCOUNT = 4, /* the line is made with a non-zero discount */
    NEED_EARLIER = 8,  /* a clean row earlier in the block (duplicates) */
};

typedef struct {
    const char *name; /* the ingest rule name */
    int rule;         /* its ria_rule, tying the name to ingest's table */
    ria_gen_outcome outcome;
    unsigned needs; /* NEED_* */
    /* Edits the clean row w of line l; NULL for the duplicate (a copy). */
    void (*apply)(gen_blockgen *g, gen_line *l, gen_row *w);
} gen_defect_row;

/* Every defect kind, indexed by ria_gen_defect (gen_defects.c). */
extern const gen_defect_row gen_defects[RIA_GEN_DEFECT_COUNT];

#endif
