/*
 * convert.c — one CSV record to one typed row: parse every field by its
 * column's type, apply the quality rules (reject, flag, fix), compute the
 * row fingerprint and partition.  This is the per-row hot path of ingest;
 * it allocates only when a chunk's arrays grow.
 *
 * Invariant: a record ends up either as a row (with its flag/fix hits
 * counted) or as a quarantine entry (one reject rule), never both.
 */
#include "ingest_internal.h"

#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* ------------------------------------------------------------ row hashing */

void rowhash_reset(ria_buf *b)
{
    b->len = 0;
}

void rowhash_i64(ria_buf *b, uint32_t col, int64_t v)
{
    char tmp[13];
    tmp[0] = 'i';
    memcpy(tmp + 1, &col, 4);
    memcpy(tmp + 5, &v, 8);
    ria_buf_append(b, tmp, sizeof tmp);
}

void rowhash_str(ria_buf *b, uint32_t col, const char *p, size_t n)
{
    char tmp[9];
    uint32_t len = (uint32_t)n;
    tmp[0] = 's';
    memcpy(tmp + 1, &col, 4);
    memcpy(tmp + 5, &len, 4);
    ria_buf_append(b, tmp, sizeof tmp);
    ria_buf_append(b, p, n);
}

ria_hash128 rowhash_done(const ria_buf *b)
{
    XXH128_hash_t h = XXH3_128bits(b->data ? b->data : "", b->len);
    return (ria_hash128){h.low64, h.high64};
}

/* Unchecked variants for the hot path: the caller reserved room for the
 * whole row first (see append_row). */
static inline void fp_i64(ria_buf *b, uint32_t col, int64_t v)
{
    char *p = b->data + b->len;
    p[0] = 'i';
    memcpy(p + 1, &col, 4);
    memcpy(p + 5, &v, 8);
    b->len += 13;
}

static inline void fp_str(ria_buf *b, uint32_t col, const char *s, size_t n)
{
    char *p = b->data + b->len;
    uint32_t len = (uint32_t)n;
    p[0] = 's';
    memcpy(p + 1, &col, 4);
    memcpy(p + 5, &len, 4);
    memcpy(p + 9, s, n);
    b->len += 9 + n;
}

/* ------------------------------------------------------ local dictionary */

void ldict_init(ldict *d)
{
    memset(d, 0, sizeof *d);
    ria_buf_init(&d->bytes, 0);
}

void ldict_free(ldict *d)
{
    free(d->slots);
    free(d->hashes);
    free(d->offs);
    ria_buf_free(&d->bytes);
}

static bool ldict_grow(ldict *d)
{
    uint32_t n = d->nslots ? d->nslots * 2 : 64;
    uint32_t *slots = calloc(n, sizeof *slots);
    uint64_t *hashes = malloc(n * sizeof *hashes);
    if (!slots || !hashes) {
        free(slots);
        free(hashes);
        return false;
    }
    for (uint32_t i = 0; i < d->nslots; i++) {
        if (!d->slots[i])
            continue;
        uint32_t j = (uint32_t)d->hashes[i] & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = d->slots[i];
        hashes[j] = d->hashes[i];
    }
    free(d->slots);
    free(d->hashes);
    d->slots = slots;
    d->hashes = hashes;
    d->nslots = n;
    return true;
}

/* Equality of two byte strings of length n, inlined for short keys. */
static inline bool same_bytes(const char *a, const char *b, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t x0, y0, x1, y1;
        memcpy(&x0, a, 8);
        memcpy(&y0, b, 8);
        memcpy(&x1, a + n - 8, 8);
        memcpy(&y1, b + n - 8, 8);
        return x0 == y0 && x1 == y1;
    }
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            if (a[i] != b[i])
                return false;
        return true;
    }
    return memcmp(a, b, n) == 0;
}

uint32_t ldict_intern(ldict *d, const char *s, size_t n)
{
    if (d->last) {
        ria_slice l = ldict_str(d, d->last);
        if (l.n == n && same_bytes(l.p, s, n))
            return d->last;
    }
    if ((d->count + 1) * 2 > d->nslots && !ldict_grow(d))
        return 0;
    uint64_t h = XXH3_64bits(s, n);
    uint32_t mask = d->nslots - 1;
    uint32_t i = (uint32_t)h & mask;
    for (; d->slots[i]; i = (i + 1) & mask) {
        if (d->hashes[i] != h)
            continue;
        ria_slice k = ldict_str(d, d->slots[i]);
        if (k.n == n && same_bytes(k.p, s, n))
            return d->last = d->slots[i];
    }
    if (d->count + 2 > d->cap) {
        uint32_t cap = d->cap ? d->cap * 2 : 64;
        uint64_t *offs = realloc(d->offs, cap * sizeof *offs);
        if (!offs)
            return 0;
        d->offs = offs;
        d->cap = cap;
        if (d->count == 0)
            d->offs[0] = 0;
    }
    if (ria_buf_append(&d->bytes, s, n) != RIA_OK)
        return 0;
    d->count++;
    d->offs[d->count] = d->bytes.len;
    d->slots[i] = d->count;
    d->hashes[i] = h;
    return d->last = d->count;
}

/* ------------------------------------------------------------ the chunk */

ria_status chunk_init(chunk_rows *c, const file_plan *plan, uint64_t seq, uint32_t file,
                      ldict *dicts)
{
    memset(c, 0, sizeof *c);
    c->seq = seq;
    c->file = file;
    c->plan = plan;
    c->min_ts = INT64_MAX;
    c->max_ts = INT64_MIN;
    ria_arena_init(&c->arena, 64 * 1024);
    ria_buf_init(&c->scratch, 0);
    c->cols = calloc((size_t)plan->ncols, sizeof *c->cols);
    if (!c->cols)
        return RIA_ENOMEM;
    for (int i = 0; i < plan->ncols; i++) {
        chunk_col *cc = &c->cols[i];
        cc->col = plan->cols[i].col;
        cc->kind = plan->cols[i].kind;
        cc->local = &dicts[i];
        cc->new_from = dicts[i].count;
        ria_buf_init(&cc->heap, 0);
    }
    return RIA_OK;
}

void chunk_free(chunk_rows *c)
{
    if (!c)
        return;
    for (int i = 0; c->cols && i < c->plan->ncols; i++) {
        chunk_col *cc = &c->cols[i];
        free(cc->i64);
        free(cc->codes);
        free(cc->offs);
        ria_buf_free(&cc->heap);
    }
    free(c->cols);
    free(c->fp);
    free(c->hits);
    free(c->key);
    free(c->line);
    free(c->partition);
    free(c->quar);
    ria_arena_free(&c->arena);
    ria_buf_free(&c->scratch);
    memset(c, 0, sizeof *c);
}

static ria_status grow_rows(chunk_rows *c)
{
    size_t cap = c->cap ? c->cap * 2 : 4096;
    for (int i = 0; i < c->plan->ncols; i++) {
        chunk_col *cc = &c->cols[i];
        void *p;
        switch (cc->kind) {
        case RIA_KIND_I64:
            if (!(p = realloc(cc->i64, cap * sizeof *cc->i64)))
                return RIA_ENOMEM;
            cc->i64 = p;
            break;
        case RIA_KIND_CODE:
            if (!(p = realloc(cc->codes, cap * sizeof *cc->codes)))
                return RIA_ENOMEM;
            cc->codes = p;
            break;
        case RIA_KIND_HEAP:
            if (!(p = realloc(cc->offs, (cap + 1) * sizeof *cc->offs)))
                return RIA_ENOMEM;
            cc->offs = p;
            if (c->cap == 0)
                cc->offs[0] = 0;
            break;
        }
    }
    void *fp = realloc(c->fp, cap * sizeof *c->fp);
    if (fp)
        c->fp = fp;
    void *line = realloc(c->line, cap * sizeof *c->line);
    if (line)
        c->line = line;
    void *hits = realloc(c->hits, cap * sizeof *c->hits);
    if (hits)
        c->hits = hits;
    void *part = realloc(c->partition, cap * sizeof *c->partition);
    if (part)
        c->partition = part;
    if (!fp || !line || !part || !hits)
        return RIA_ENOMEM;
    if (c->plan->upsert) {
        void *k = realloc(c->key, cap * sizeof *c->key);
        if (!k)
            return RIA_ENOMEM;
        c->key = k;
    }
    c->cap = cap;
    return RIA_OK;
}

void oldest_add(oldest_rows *o, int64_t ts, uint32_t file, uint64_t line)
{
    int at = o->n;
    if (o->n == RULE_EXAMPLES) {
        if (ts >= o->ts[o->n - 1])
            return;
        at = o->n - 1;
    } else {
        o->n++;
    }
    while (at > 0 && o->ts[at - 1] > ts) { /* keep them sorted, oldest first */
        o->ts[at] = o->ts[at - 1];
        o->lines[at] = o->lines[at - 1];
        o->files[at] = o->files[at - 1];
        at--;
    }
    o->ts[at] = ts;
    o->lines[at] = line;
    o->files[at] = file;
}

void rule_hit(rule_count *rc, uint64_t line, uint32_t file)
{
    if (rc->nlines < RULE_EXAMPLES) {
        rc->lines[rc->nlines] = line;
        rc->files[rc->nlines] = file;
        rc->nlines++;
    }
    rc->count++;
}

static ria_status quarantine(chunk_rows *c, const src_record *rec, ria_rule rule,
                             const char *detail)
{
    if (c->nquar == c->capquar) {
        size_t cap = c->capquar ? c->capquar * 2 : 64;
        quarantine_row *q = realloc(c->quar, cap * sizeof *q);
        if (!q)
            return RIA_ENOMEM;
        c->quar = q;
        c->capquar = cap;
    }
    quarantine_row *q = &c->quar[c->nquar++];
    q->line = rec->line;
    q->rule = rule;
    q->file = c->file;
    q->detail = ria_arena_strdup(&c->arena, detail ? detail : "");
    char *raw = ria_arena_strndup(&c->arena, rec->raw.p ? rec->raw.p : "", rec->raw.n);
    if (!q->detail || !raw)
        return RIA_ENOMEM;
    q->raw = (ria_slice){raw, rec->raw.n};
    rule_hit(&c->rules[rule], rec->line, c->file);
    return RIA_OK;
}

/* ------------------------------------------------------- field parsing */

/* The parsed values of one record, before it is appended. */
typedef struct {
    ria_slice text[RIA_ROLE_COUNT]; /* trimmed role text */
    int64_t order_ts, ship_days, amount, quantity, price, discount;
    ria_rule hits[16];             /* flag/fix rules to count if accepted */
    int nhits;
    char state_code[3];
    int state_index;               /* US state, or -1 */
    char postal[16];
    char customer[64];
    bool ship_before;              /* ship date before the order date */
    char detail[160];              /* reason for a reject */
} row_vals;

static ria_slice field(const src_record *rec, int f)
{
    if (f < 0 || f >= rec->nfields)
        return (ria_slice){"", 0};
    return ria_trim(rec->fields[f].p, rec->fields[f].n);
}

static void hit(row_vals *v, ria_rule r)
{
    if (v->nhits < (int)RIA_ARRAY_LEN(v->hits))
        v->hits[v->nhits++] = r;
}

static void set_detail(row_vals *v, const char *what, ria_slice s)
{
    snprintf(v->detail, sizeof v->detail, "%s '%.*s'", what, (int)RIA_MIN(s.n, 80), s.p);
}

/* A decimal field: RIA_NULL_I64 when blank.  False when not a number. */
static bool dec_field(ria_slice s, int64_t *out)
{
    if (s.n == 0) {
        *out = RIA_NULL_I64;
        return true;
    }
    return ria_parse_decimal(s.p, s.n, out) == RIA_NUM_OK;
}

/* Strips a float suffix ("2149.0" → "2149") into out; true when changed. */
static bool unfloat_id(ria_slice s, char *out, size_t outsz, ria_slice *res)
{
    size_t n = s.n;
    if (n < 3 || n >= outsz)
        return false;
    size_t dot = n;
    for (size_t i = 0; i < n; i++) {
        if (s.p[i] == '.') {
            if (dot != n)
                return false;
            dot = i;
        } else if (s.p[i] < '0' || s.p[i] > '9') {
            return false;
        }
    }
    if (dot == n || dot == 0)
        return false;
    for (size_t i = dot + 1; i < n; i++)
        if (s.p[i] != '0')
            return false;
    memcpy(out, s.p, dot);
    out[dot] = 0;
    *res = (ria_slice){out, dot};
    return true;
}

/* Checks and parses the measures; returns the reject rule or -1. */
static int parse_measures(const file_plan *p, const src_record *rec, row_vals *v)
{
    ria_slice qty = field(rec, p->role_field[RIA_ROLE_QUANTITY]);
    ria_slice amt = field(rec, p->role_field[RIA_ROLE_AMOUNT]);
    ria_slice disc = field(rec, p->role_field[RIA_ROLE_DISCOUNT]);
    v->amount = v->quantity = v->price = v->discount = RIA_NULL_I64;
    if (p->role_field[RIA_ROLE_AMOUNT] != NO_FIELD && amt.n) {
        if (!dec_field(amt, &v->amount))
            return set_detail(v, "amount", amt), RIA_RULE_BAD_AMOUNT;
        if (v->amount < 0)
            return set_detail(v, "amount", amt), RIA_RULE_NEGATIVE_AMOUNT;
    }
    if (p->role_field[RIA_ROLE_QUANTITY] != NO_FIELD) {
        if (qty.n == 0) {
            v->quantity = 1;
            hit(v, RIA_RULE_FIX_QUANTITY);
        } else if (ria_parse_int(qty.p, qty.n, &v->quantity) != RIA_NUM_OK) {
            return set_detail(v, "quantity", qty), RIA_RULE_BAD_QUANTITY;
        } else if (v->quantity < 0) {
            return set_detail(v, "quantity", qty), RIA_RULE_NEGATIVE_QUANTITY;
        }
    }
    static const ria_role money[] = {RIA_ROLE_UNIT_PRICE, RIA_ROLE_COST, RIA_ROLE_PROFIT};
    for (size_t i = 0; i < RIA_ARRAY_LEN(money); i++) {
        ria_slice s = field(rec, p->role_field[money[i]]);
        int64_t x;
        if (!dec_field(s, &x))
            return set_detail(v, ria_role_name(money[i]), s), RIA_RULE_BAD_NUMBER;
        if (x != RIA_NULL_I64 && x < 0 && money[i] != RIA_ROLE_PROFIT)
            return set_detail(v, ria_role_name(money[i]), s), RIA_RULE_NEGATIVE_PRICE;
        if (money[i] == RIA_ROLE_UNIT_PRICE)
            v->price = x;
    }
    if (disc.n) {
        bool pct = disc.p[disc.n - 1] == '%';
        ria_slice num = pct ? ria_trim(disc.p, disc.n - 1) : disc;
        if (!dec_field(num, &v->discount))
            return set_detail(v, "discount", disc), RIA_RULE_BAD_NUMBER;
        if (pct) {
            v->discount /= 100;
            hit(v, RIA_RULE_FIX_DISCOUNT_PCT);
        }
        if (v->discount < 0 || v->discount > RIA_DEC_SCALE)
            return set_detail(v, "discount", disc), RIA_RULE_BAD_DISCOUNT;
    }
    return -1;
}

/* amount = quantity x price x (1 - discount), rounded half away from zero
 * to whole cents. */
static int64_t derive_amount(int64_t qty, int64_t price, int64_t disc)
{
    __int128 a = (__int128)qty * price; /* scaled 1e4 */
    if (disc != RIA_NULL_I64)
        a = a * (RIA_DEC_SCALE - disc); /* scaled 1e8 */
    else
        a *= RIA_DEC_SCALE;
    /* to cents: divide by 1e6, round, back to 1e4 scale */
    __int128 q = a / 1000000, r = a % 1000000;
    if (r * 2 >= 1000000)
        q++;
    return (int64_t)(q * 100);
}

static int parse_dates(const file_plan *p, const src_record *rec, row_vals *v)
{
    ria_slice od = field(rec, p->role_field[RIA_ROLE_ORDER_DATE]);
    if (od.n == 0)
        return RIA_RULE_MISSING_DATE;
    bool ht;
    if (ria_parse_date(od.p, od.n, p->order_fmt, &v->order_ts, &ht) != 1) {
        set_detail(v, "order date", od);
        return RIA_RULE_BAD_DATE;
    }
    v->ship_days = RIA_NULL_I64;
    ria_slice sd = field(rec, p->role_field[RIA_ROLE_SHIP_DATE]);
    if (sd.n) {
        int64_t ts;
        if (ria_parse_date(sd.p, sd.n, p->ship_fmt, &ts, &ht) != 1) {
            hit(v, RIA_RULE_FIX_SHIP_DATE);
        } else {
            v->ship_days = ria_floor_div(ts, RIA_SECS_PER_DAY);
            if (v->ship_days < ria_floor_div(v->order_ts, RIA_SECS_PER_DAY)) {
                set_detail(v, "ship date", sd);
                v->ship_before = true;
            }
        }
    }
    return -1;
}

/* Runs the reject rules in table order; returns the first that fires or -1,
 * and leaves parsed values and pending flag/fix hits in v. */
static int check_row(const file_plan *p, const src_record *rec, row_vals *v)
{
    v->nhits = 0;
    v->detail[0] = 0;
    v->ship_before = false;
    if (rec->error) {
        snprintf(v->detail, sizeof v->detail, "%s", rec->error_msg ? rec->error_msg : "");
        return RIA_RULE_BAD_RECORD;
    }
    if (rec->nfields < p->nfields) {
        snprintf(v->detail, sizeof v->detail, "expected %d fields, found %d", p->nfields,
                 rec->nfields);
        return RIA_RULE_FIELD_COUNT;
    }
    for (int f = p->nfields; f < rec->nfields; f++)
        if (field(rec, f).n) {
            snprintf(v->detail, sizeof v->detail, "expected %d fields, found %d", p->nfields,
                     rec->nfields);
            return RIA_RULE_FIELD_COUNT;
        }
    if (field(rec, p->role_field[RIA_ROLE_ORDER_ID]).n == 0)
        return RIA_RULE_MISSING_ORDER_ID;
    int r = parse_dates(p, rec, v);
    if (r >= 0)
        return r;
    char ship_detail[sizeof v->detail];
    memcpy(ship_detail, v->detail, sizeof ship_detail);
    if ((r = parse_measures(p, rec, v)) >= 0)
        return r;
    if (v->ship_before) {
        memcpy(v->detail, ship_detail, sizeof ship_detail);
        return RIA_RULE_SHIP_BEFORE_ORDER;
    }
    return -1;
}

/* Fixes and flags on an accepted row (text roles, derived values). */
static void repair_row(const file_plan *p, const src_record *rec, row_vals *v)
{
    for (int r = 1; r < RIA_ROLE_COUNT; r++)
        v->text[r] = field(rec, p->role_field[r]);
    if (p->role_field[RIA_ROLE_CATEGORY] != NO_FIELD && v->text[RIA_ROLE_CATEGORY].n == 0) {
        v->text[RIA_ROLE_CATEGORY] = (ria_slice){"Unknown", 7};
        hit(v, RIA_RULE_FIX_CATEGORY);
    }
    v->state_index = -1;
    ria_slice st = v->text[RIA_ROLE_STATE];
    if (p->us_states && st.n) {
        bool by_name = false;
        int i = ria_us_state_find(st.p, st.n, &by_name);
        if (i < 0) {
            hit(v, RIA_RULE_UNKNOWN_STATE);
        } else {
            const char *code;
            ria_us_state_at(i, &code, NULL, NULL);
            memcpy(v->state_code, code, 3);
            if (by_name)
                hit(v, RIA_RULE_FIX_STATE_NAME);
            v->text[RIA_ROLE_STATE] = (ria_slice){v->state_code, 2};
            v->state_index = i;
        }
    }
    ria_slice pc = v->text[RIA_ROLE_POSTAL_CODE], fixed;
    bool changed = unfloat_id(pc, v->postal, sizeof v->postal - 1, &fixed);
    if (changed)
        pc = fixed;
    if (p->us_postal && pc.n == 4 && pc.p[0] >= '0' && pc.p[0] <= '9') {
        memmove(v->postal + 1, pc.p, 4);
        v->postal[0] = '0';
        v->postal[5] = 0;
        pc = (ria_slice){v->postal, 5};
        changed = true;
    }
    if (changed) {
        v->text[RIA_ROLE_POSTAL_CODE] = pc;
        hit(v, RIA_RULE_FIX_POSTAL_CODE);
    }
    if (unfloat_id(v->text[RIA_ROLE_CUSTOMER_ID], v->customer, sizeof v->customer, &fixed)) {
        v->text[RIA_ROLE_CUSTOMER_ID] = fixed;
        hit(v, RIA_RULE_FIX_POSTAL_CODE);
    }
    if (v->amount == RIA_NULL_I64) {
        if (v->quantity != RIA_NULL_I64 && v->price != RIA_NULL_I64) {
            v->amount = derive_amount(v->quantity, v->price, v->discount);
            hit(v, RIA_RULE_FIX_AMOUNT);
        } else {
            hit(v, RIA_RULE_MISSING_AMOUNT);
        }
    }
    if (v->amount != RIA_NULL_I64 && v->amount > p->max_amount)
        hit(v, RIA_RULE_AMOUNT_CEILING);
    if (v->order_ts > p->future_limit)
        hit(v, RIA_RULE_FUTURE_DATE);
    if (rec->repaired)
        hit(v, RIA_RULE_MALFORMED_QUOTES);
    if (rec->converted)
        hit(v, RIA_RULE_FIX_ENCODING);
}

/* ------------------------------------------------------------ appending */

static ria_status put_text(chunk_rows *c, chunk_col *cc, size_t row, ria_slice s)
{
    if (cc->kind == RIA_KIND_CODE) {
        uint32_t code = 0;
        if (s.n && !(code = ldict_intern(cc->local, s.p, s.n)))
            return RIA_ENOMEM;
        cc->codes[row] = code;
    } else {
        if (ria_buf_append(&cc->heap, s.p, s.n) != RIA_OK)
            return RIA_ENOMEM;
        cc->offs[row + 1] = cc->heap.len;
    }
    if (s.n) /* empty text is null: not part of the fingerprint */
        fp_str(&c->scratch, cc->col, s.p, s.n);
    return RIA_OK;
}

static void put_i64(chunk_rows *c, chunk_col *cc, size_t row, int64_t x)
{
    cc->i64[row] = x;
    if (x != RIA_NULL_I64)
        fp_i64(&c->scratch, cc->col, x);
}

/* The value of a column without a role, parsed by its inferred type. */
static int64_t extra_value(const plan_col *pc, ria_slice s, bool *bad)
{
    int64_t x = RIA_NULL_I64;
    bool ht;
    *bad = false;
    if (s.n == 0)
        return x;
    switch (pc->type) {
    case RIA_T_INT: *bad = ria_parse_int(s.p, s.n, &x) != RIA_NUM_OK; break;
    case RIA_T_DECIMAL: *bad = ria_parse_decimal(s.p, s.n, &x) != RIA_NUM_OK; break;
    case RIA_T_DATE:
    case RIA_T_TIMESTAMP:
        *bad = ria_parse_date(s.p, s.n, pc->datefmt, &x, &ht) != 1;
        if (!*bad && pc->type == RIA_T_DATE)
            x = ria_floor_div(x, RIA_SECS_PER_DAY);
        break;
    default: break;
    }
    return *bad ? RIA_NULL_I64 : x;
}

static int64_t role_i64(const row_vals *v, const plan_col *pc, const src_record *rec,
                        row_vals *mv)
{
    switch (pc->role) {
    case RIA_ROLE_ORDER_DATE: return v->order_ts;
    case RIA_ROLE_SHIP_DATE: return v->ship_days;
    case RIA_ROLE_AMOUNT: return v->amount;
    case RIA_ROLE_QUANTITY: return v->quantity;
    case RIA_ROLE_UNIT_PRICE: return v->price;
    case RIA_ROLE_DISCOUNT: return v->discount;
    default: {
        bool bad;
        int64_t x = extra_value(pc, field(rec, pc->field), &bad);
        if (bad)
            hit(mv, RIA_RULE_FIX_EXTRA_VALUE);
        return x;
    }
    }
}

static ria_status append_row(chunk_rows *c, const src_record *rec, row_vals *v)
{
    const file_plan *p = c->plan;
    if (c->nrows == c->cap && grow_rows(c) != RIA_OK)
        return RIA_ENOMEM;
    size_t row = c->nrows;
    /* the fingerprint text is at most the record's text plus a tag per
     * column (derived values are short) */
    rowhash_reset(&c->scratch);
    if (ria_buf_reserve(&c->scratch, rec->raw.n + 32 * (size_t)p->ncols + 64) != RIA_OK)
        return RIA_ENOMEM;
    for (int i = 0; i < p->ncols; i++) {
        const plan_col *pc = &p->cols[i];
        chunk_col *cc = &c->cols[i];
        if (cc->kind != RIA_KIND_I64) {
            ria_slice s;
            if (pc->role == RIA_ROLE_REGION && p->derive_region) {
                const char *region = "";
                if (v->state_index >= 0)
                    ria_us_state_at(v->state_index, NULL, NULL, &region);
                s = (ria_slice){region, strlen(region)};
            } else if (pc->role != RIA_ROLE_NONE) {
                s = v->text[pc->role];
            } else {
                s = field(rec, pc->field);
            }
            if (put_text(c, cc, row, s) != RIA_OK)
                return RIA_ENOMEM;
        } else {
            put_i64(c, cc, row, role_i64(v, pc, rec, v));
        }
    }
    c->fp[row] = rowhash_done(&c->scratch);
    if (p->upsert) {
        rowhash_reset(&c->scratch);
        for (int k = 0; k < p->nkey; k++) {
            for (int i = 0; i < p->ncols; i++) {
                if (p->cols[i].col != p->key_cols[k])
                    continue;
                const chunk_col *cc = &c->cols[i];
                if (cc->kind == RIA_KIND_I64) {
                    rowhash_i64(&c->scratch, cc->col, cc->i64[row]);
                } else if (cc->kind == RIA_KIND_CODE) {
                    ria_slice e = cc->codes[row] ? ldict_str(cc->local, cc->codes[row])
                                                 : (ria_slice){"", 0};
                    rowhash_str(&c->scratch, cc->col, e.p, e.n);
                } else {
                    rowhash_str(&c->scratch, cc->col, cc->heap.data + cc->offs[row],
                                (size_t)(cc->offs[row + 1] - cc->offs[row]));
                }
            }
        }
        c->key[row] = rowhash_done(&c->scratch);
    }
    c->line[row] = rec->line;
    c->partition[row] = ria_partition_of_ts(v->order_ts);
    if (v->order_ts < c->min_ts || c->oldest.n < RULE_EXAMPLES)
        oldest_add(&c->oldest, v->order_ts, c->file, rec->line);
    c->min_ts = RIA_MIN(c->min_ts, v->order_ts);
    c->max_ts = RIA_MAX(c->max_ts, v->order_ts);
    c->nrows++;
    uint32_t mask = 0;
    for (int h = 0; h < v->nhits; h++) {
        rule_hit(&c->rules[v->hits[h]], rec->line, c->file);
        mask |= 1u << (v->hits[h] - FIRST_KEPT_RULE);
    }
    c->hits[row] = mask;
    return RIA_OK;
}

ria_status chunk_seal(chunk_rows *c)
{
    for (int i = 0; i < c->plan->ncols; i++) {
        chunk_col *cc = &c->cols[i];
        if (cc->kind != RIA_KIND_CODE)
            continue;
        cc->nnew = cc->local->count - cc->new_from;
        if (!cc->nnew)
            continue;
        cc->news = ria_arena_alloc(&c->arena, cc->nnew * sizeof *cc->news);
        if (!cc->news)
            return RIA_ENOMEM;
        for (uint32_t k = 0; k < cc->nnew; k++) {
            ria_slice e = ldict_str(cc->local, cc->new_from + k + 1);
            char *copy = ria_arena_strndup(&c->arena, e.p, e.n);
            if (!copy)
                return RIA_ENOMEM;
            cc->news[k] = (ria_slice){copy, e.n};
        }
    }
    return RIA_OK;
}

ria_status chunk_add_record(chunk_rows *c, const src_record *rec)
{
    row_vals v;
    c->records++;
    if (rec->converted)
        c->converted_rows++;
    int r = check_row(c->plan, rec, &v);
    if (r >= 0)
        return quarantine(c, rec, (ria_rule)r, v.detail);
    repair_row(c->plan, rec, &v);
    return append_row(c, rec, &v);
}
