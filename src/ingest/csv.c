/*
 * csv.c — the streaming CSV reader: source decoding, the chunker that splits
 * text into whole records, and the cursor that splits records into fields.
 * The grammar and the error-record rules are stated in csv.h.
 *
 * Key invariant: the chunker alone decides where records start and end, and
 * it decides from the bytes of a record and the record cap only, never from
 * how much happens to be buffered; when a decision needs bytes not yet read
 * it reads more and scans that record again.  So records are identical for
 * every chunk and read size.  The cursor then parses one record at a time
 * inside the bounds the chunker recorded.
 *
 * Ownership: the reader owns its carry (text read past the last chunk's
 * end, always starting at a record boundary) and the header chunk; every
 * other chunk is handed to the caller.
 */
#include "ingest/csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIN_READ (64u << 10)      /* smallest read once a chunk has its target */
#define HEADER_TARGET (64u << 10) /* text held at most while looking for the header */
#define DETECT_MAX (64u << 10)    /* leading blank text examined to find the header line */
#define U16_RAW (64u << 10)       /* UTF-16 bytes decoded at a time */

struct ria_csv_reader {
    int fd;                 /* the caller's descriptor */
    ria_csv_options opt;    /* with defaults filled in */
    ria_csv_stats st;       /* running totals */
    ria_status failed;      /* sticky read failure (RIA_OK while fine) */
    char failed_msg[sizeof ((ria_error *)0)->msg]; /* its message */
    bool started;           /* the BOM has been looked for */
    bool eof;               /* the source returned end of input */
    bool skipping;          /* dropping text up to the next LF (over-long line) */
    bool header_done;       /* ria_csv_read_header has run */
    bool any_text;          /* some text was decoded */
    char last;              /* last byte of text decoded */
    char *carry;            /* text read but not yet in a chunk; a record starts at carry[0] */
    size_t carry_len, carry_alloc;
    uint64_t line;          /* line number of carry[0] */
    uint64_t index;         /* index of the next record */
    uint8_t peek[4];        /* input bytes read while looking for a BOM */
    size_t peek_len, peek_off; /* bytes in peek / already handed on */
    ria_csv_utf16 u16;      /* decoder state for UTF-16 input */
    uint8_t *u16_raw;       /* U16_RAW bytes of undecoded input */
    char *u16_out;          /* decoded text not yet handed on */
    size_t u16_len, u16_off;
    bool u16_done;          /* the decoder was flushed */
    ria_csv_chunk *hchunk;  /* chunk holding the header record */
    ria_csv_cursor hcur;    /* cursor the header record lives in */
    const ria_csv_record *header; /* NULL when the input has no record */
};

/* --------------------------------------------------------------- source */

const char *ria_csv_encoding_name(ria_csv_encoding e)
{
    switch (e) {
    case RIA_CSV_ENC_UTF8: return "UTF-8";
    case RIA_CSV_ENC_UTF8_BOM: return "UTF-8 with BOM";
    case RIA_CSV_ENC_UTF16LE: return "UTF-16LE";
    case RIA_CSV_ENC_UTF16BE: return "UTF-16BE";
    }
    return "unknown";
}

/* Reads up to want input bytes; *out_n == 0 at end of input. */
static ria_status fd_read(ria_csv_reader *r, void *dst, size_t want, size_t *out_n,
                          ria_error *err)
{
    for (;;) {
        ssize_t n = read(r->fd, dst, want);
        if (n >= 0) {
            *out_n = (size_t)n;
            r->st.in_bytes += (uint64_t)n;
            return RIA_OK;
        }
        if (errno != EINTR)
            return ria_fail(err, RIA_EIO, "reading CSV input: %s", strerror(errno));
    }
}

/* The encoding the first bytes announce: a BOM, or UTF-16 without one when
 * the first two characters are ASCII (a zero byte beside each).  Sets the
 * number of BOM bytes to drop. */
static ria_csv_encoding sniff(const uint8_t *b, size_t n, size_t *bom)
{
    *bom = 0;
    if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
        *bom = 3;
        return RIA_CSV_ENC_UTF8_BOM;
    }
    if (n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF))) {
        *bom = 2;
        return b[0] == 0xFF ? RIA_CSV_ENC_UTF16LE : RIA_CSV_ENC_UTF16BE;
    }
    if (n == 4 && b[0] && !b[1] && b[2] && !b[3] && b[0] < 0x80 && b[2] < 0x80)
        return RIA_CSV_ENC_UTF16LE;
    if (n == 4 && !b[0] && b[1] && !b[2] && b[3] && b[1] < 0x80 && b[3] < 0x80)
        return RIA_CSV_ENC_UTF16BE;
    return RIA_CSV_ENC_UTF8;
}

/* Reads the first bytes and sets the encoding. */
static ria_status start_source(ria_csv_reader *r, ria_error *err)
{
    ria_status rc = RIA_OK;
    r->started = true;
    while (r->peek_len < sizeof r->peek) {
        size_t n;
        rc = fd_read(r, r->peek + r->peek_len, sizeof r->peek - r->peek_len, &n, err);
        if (rc != RIA_OK || n == 0)
            break;
        r->peek_len += n;
    }
    if (rc != RIA_OK)
        return rc;
    r->st.encoding = sniff(r->peek, r->peek_len, &r->peek_off);
    if (r->st.encoding == RIA_CSV_ENC_UTF16LE || r->st.encoding == RIA_CSV_ENC_UTF16BE) {
        r->u16.big_endian = r->st.encoding == RIA_CSV_ENC_UTF16BE;
        r->u16_raw = malloc(U16_RAW);
        r->u16_out = malloc(RIA_CSV_UTF16_OUT_MAX(U16_RAW));
        if (!r->u16_raw || !r->u16_out)
            return ria_fail(err, RIA_ENOMEM, "out of memory for UTF-16 decoding");
    }
    return RIA_OK;
}

/* Decodes the next block of UTF-16 input into u16_out. */
static ria_status u16_refill(ria_csv_reader *r, ria_error *err)
{
    size_t n = 0;
    ria_status rc = RIA_OK;
    if (r->peek_off < r->peek_len) {
        n = r->peek_len - r->peek_off;
        memcpy(r->u16_raw, r->peek + r->peek_off, n);
        r->peek_off = r->peek_len;
    } else {
        rc = fd_read(r, r->u16_raw, U16_RAW, &n, err);
        if (rc != RIA_OK)
            return rc;
    }
    r->u16_done = n == 0;
    r->u16_len = ria_csv_utf16_to_utf8(&r->u16, r->u16_raw, n, n == 0, r->u16_out);
    r->u16_off = 0;
    return RIA_OK;
}

/* Reads up to want bytes of text (UTF-8 after BOM removal and UTF-16
 * decoding, or raw bytes) into dst; *out_n == 0 only at end of input. */
static ria_status src_read(ria_csv_reader *r, char *dst, size_t want, size_t *out_n,
                           ria_error *err)
{
    ria_status rc = RIA_OK;
    size_t n = 0;
    if (r->u16_raw) {
        while (r->u16_off == r->u16_len && !r->u16_done) {
            rc = u16_refill(r, err);
            if (rc != RIA_OK)
                return rc;
        }
        n = RIA_MIN(want, r->u16_len - r->u16_off);
        memcpy(dst, r->u16_out + r->u16_off, n);
        r->u16_off += n;
    } else if (r->peek_off < r->peek_len) {
        n = RIA_MIN(want, r->peek_len - r->peek_off);
        memcpy(dst, r->peek + r->peek_off, n);
        r->peek_off += n;
    } else {
        rc = fd_read(r, dst, want, &n, err);
        if (rc != RIA_OK)
            return rc;
    }
    if (n) {
        r->any_text = true;
        r->last = dst[n - 1];
    } else {
        r->eof = true;
    }
    *out_n = n;
    return RIA_OK;
}

/* ------------------------------------------------------------ chunk memory */

void ria_csv_chunk_free(ria_csv_chunk *c)
{
    if (!c)
        return;
    free(c->data);
    free(c->spans);
    free(c);
}

/* Makes room for `extra` more bytes of text plus the sentinel byte. */
static ria_status chunk_reserve(ria_csv_chunk *c, size_t extra, ria_error *err)
{
    size_t need = c->len + extra + 1;
    if (need <= c->alloc)
        return RIA_OK;
    size_t alloc = c->alloc ? c->alloc : 64;
    while (alloc < need)
        alloc = alloc / 2 * 3 + 64;
    char *p = realloc(c->data, alloc);
    if (!p)
        return ria_fail(err, RIA_ENOMEM, "out of memory for a CSV chunk of %zu bytes", alloc);
    c->data = p;
    c->alloc = alloc;
    return RIA_OK;
}

static ria_status span_push(ria_csv_chunk *c, ria_csv_span sp, ria_error *err)
{
    if (c->nrecords == c->spans_alloc) {
        size_t n = c->spans_alloc ? c->spans_alloc * 2 : 64;
        ria_csv_span *p = realloc(c->spans, n * sizeof *p);
        if (!p)
            return ria_fail(err, RIA_ENOMEM, "out of memory for a CSV record table");
        c->spans = p;
        c->spans_alloc = n;
    }
    c->spans[c->nrecords++] = sp;
    if (sp.kind != RIA_CSV_ERR_NONE)
        c->errors++;
    return RIA_OK;
}

/* -------------------------------------------------------------- chunker */

/* Remembers the result of the last search for one byte, so that a record
 * with many quotes or a long line is not searched again from the start:
 * there is no `ch` in [from, at), and data[at] == ch unless at == end, the
 * text length when searched (then none was found). */
typedef struct {
    size_t from, at, end;
} find_cache;

/* State of one chunk fill. */
typedef struct {
    ria_csv_reader *r;
    ria_csv_chunk *c;
    size_t target;     /* stop once pos reaches this */
    size_t max_recs;   /* or once the table holds this many records */
    size_t cap;        /* record cap */
    char delim;
    size_t pos;        /* start of the first byte not yet consumed (a record start) */
    uint32_t line;     /* LFs consumed before pos */
    find_cache quote, lf;
} fill;

static void cache_reset(find_cache *fc)
{
    fc->from = SIZE_MAX;
    fc->at = fc->end = 0;
}

/* Position of the first ch at or after x, or the text length if none. */
static size_t find_next(const ria_csv_chunk *c, find_cache *fc, size_t x, char ch)
{
    size_t from = x;
    if (x >= fc->from && x <= fc->at) {
        if (fc->at < fc->end || fc->end == c->len)
            return fc->at;
        from = fc->from; /* none up to the old end: search only the new text */
        x = fc->end;
    }
    const char *p = memchr(c->data + x, ch, c->len - x);
    fc->from = from;
    fc->at = p ? (size_t)(p - c->data) : c->len;
    fc->end = c->len;
    return fc->at;
}

static uint32_t count_lf(const char *p, size_t n)
{
    uint32_t k = 0;
    const char *end = p + n;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        k++;
        p++;
    }
    return k;
}

static bool is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

/* Length of the record text [s, end) without a final CR. */
static size_t strip_cr(const ria_csv_chunk *c, size_t s, size_t end)
{
    return end > s && c->data[end - 1] == '\r' ? end - s - 1 : end - s;
}

/* Appends a record of raw length n at s spanning nlines lines; an error
 * record or one longer than the cap keeps at most cap bytes. */
static ria_status emit(fill *f, size_t s, size_t n, uint32_t nlines, ria_csv_error_kind kind,
                       ria_error *err)
{
    ria_csv_span sp = {.off = (uint32_t)s, .line = f->line, .nlines = nlines, .kind = kind};
    if (n > f->cap) {
        sp.truncated = 1;
        n = ria_csv_utf8_cut(f->c->data + s, f->cap);
    }
    sp.len = (uint32_t)n;
    return span_push(f->c, sp, err);
}

/* Keeps the first cap bytes of the record at s and drops everything after
 * them up to the next LF (the rest is dropped as it is read). */
static void start_skip(fill *f, size_t s)
{
    f->c->len = s + f->cap;
    f->pos = f->c->len;
    f->r->skipping = true;
    cache_reset(&f->quote);
    cache_reset(&f->lf);
}

/* A record of one line [s, e) with no quote, e at an LF. */
static ria_status simple_line(fill *f, size_t s, size_t e, ria_error *err)
{
    ria_status rc = RIA_OK;
    size_t n = strip_cr(f->c, s, e);
    if (n > f->cap)
        rc = emit(f, s, n, 1, RIA_CSV_ERR_TOO_LONG, err);
    else if (n && !is_blank(f->c->data + s, n))
        rc = emit(f, s, n, 1, RIA_CSV_ERR_NONE, err);
    else
        f->c->blank_lines++;
    f->pos = e + 1;
    f->line++;
    return rc;
}

/* The record at s ends at `end` (an LF, or the end of input); it spans the
 * LFs inside [s, end) plus one line.  quoted: it contains a quote. */
static ria_status finish(fill *f, size_t s, size_t end, bool quoted, ria_error *err)
{
    ria_status rc = RIA_OK;
    size_t n = strip_cr(f->c, s, end);
    uint32_t inner = quoted ? count_lf(f->c->data + s, end - s) : 0;
    if (n > f->cap)
        rc = emit(f, s, n, inner + 1, RIA_CSV_ERR_TOO_LONG, err);
    else if (quoted || (n && !is_blank(f->c->data + s, n)))
        rc = emit(f, s, n, inner + 1, RIA_CSV_ERR_NONE, err);
    else
        f->c->blank_lines++;
    bool at_lf = end < f->c->len;
    f->pos = at_lf ? end + 1 : end;
    f->line += inner + (at_lf ? 1 : 0);
    return rc;
}

/* The quote at q (record at s) never closes within the cap or the input:
 * the record ends with the line that quote is on, and the text after that
 * line is read again as new records.  Sets *more when the end of that line
 * is not read yet and the text read so far cannot tell whether the record
 * is cut at the cap. */
static ria_status unterminated(fill *f, size_t s, size_t q, bool *more, ria_error *err)
{
    ria_csv_chunk *c = f->c;
    size_t nl = find_next(c, &f->lf, q, '\n');
    if (nl == c->len && !f->r->eof && c->len - s < f->cap + 2) {
        *more = true;
        return RIA_OK;
    }
    uint32_t inner = count_lf(c->data + s, q - s);
    ria_status rc;
    if (nl < c->len) {
        rc = emit(f, s, strip_cr(c, s, nl), inner + 1, RIA_CSV_ERR_UNTERMINATED, err);
        f->pos = nl + 1;
        f->line += inner + 1;
    } else if (f->r->eof) {
        rc = emit(f, s, strip_cr(c, s, c->len), inner + 1, RIA_CSV_ERR_UNTERMINATED, err);
        f->pos = c->len;
        f->line += inner;
    } else {
        /* that line goes on past the cap: keep the cap, drop the rest */
        rc = emit(f, s, c->len - s, inner + 1, RIA_CSV_ERR_UNTERMINATED, err);
        f->line += inner;
        start_skip(f, s);
    }
    return rc;
}

typedef enum { CLOSE_FOUND, CLOSE_NONE, CLOSE_MORE } close_result;

/* Finds the quote closing the field opened at q (record at s).  A closing
 * quote must lie within the record cap; "" is an escaped quote. */
static close_result find_close(fill *f, size_t s, size_t q, size_t *out)
{
    const ria_csv_chunk *c = f->c;
    size_t lim = s + f->cap, stop = RIA_MIN(c->len, lim);
    size_t x = q + 1;
    for (;;) {
        size_t k = x < stop ? find_next(c, &f->quote, x, '"') : c->len;
        if (k >= stop)
            return c->len >= lim || f->r->eof ? CLOSE_NONE : CLOSE_MORE;
        if (k + 1 < c->len) {
            if (c->data[k + 1] != '"') {
                *out = k;
                return CLOSE_FOUND;
            }
            x = k + 2;
            continue;
        }
        if (!f->r->eof)
            return CLOSE_MORE; /* the next byte decides: "" or a close */
        *out = k;
        return CLOSE_FOUND;
    }
}

/* Scans the record at s, which has a quote before its first LF or no LF
 * yet.  Sets *more when it needs text not read yet. */
static ria_status quoted_record(fill *f, size_t s, bool *more, ria_error *err)
{
    ria_csv_chunk *c = f->c;
    size_t lim = s + f->cap, p = s;
    bool quoted = false;
    *more = false;
    for (;;) {
        size_t e = find_next(c, &f->lf, p, '\n');
        size_t q = find_next(c, &f->quote, p, '"');
        if (q < RIA_MIN(e, lim)) {
            quoted = true;
            if (q > s && c->data[q - 1] != f->delim) {
                p = q + 1; /* a quote inside an unquoted field is text */
                continue;
            }
            size_t close;
            close_result cr = find_close(f, s, q, &close);
            if (cr == CLOSE_MORE) {
                *more = true;
                return RIA_OK;
            }
            if (cr == CLOSE_NONE)
                return unterminated(f, s, q, more, err);
            p = close + 1;
            continue;
        }
        /* Outside quotes, no quote before the LF or within the cap: the
         * record ends at the first LF (the cap is checked there). */
        if (e < c->len || f->r->eof)
            return finish(f, s, e, quoted, err);
        if (c->len - s >= f->cap + 2) {
            /* longer than the cap even if CRLF comes next */
            uint32_t inner = quoted ? count_lf(c->data + s, c->len - s) : 0;
            ria_status rc = emit(f, s, c->len - s, inner + 1, RIA_CSV_ERR_TOO_LONG, err);
            f->line += inner;
            start_skip(f, s);
            return rc;
        }
        *more = true;
        return RIA_OK;
    }
}

typedef enum { SCAN_FULL, SCAN_MORE, SCAN_END } scan_result;

/* Consumes whole records from f->pos until the chunk is full, the text
 * runs out (SCAN_MORE: read more and call again) or the input ends. */
static ria_status scan(fill *f, scan_result *out, ria_error *err)
{
    ria_csv_chunk *c = f->c;
    ria_status rc = RIA_OK;
    for (;;) {
        if (f->pos >= f->target || c->nrecords >= f->max_recs) {
            *out = SCAN_FULL;
            return RIA_OK;
        }
        size_t s = f->pos;
        if (s == c->len) {
            *out = f->r->eof ? SCAN_END : SCAN_MORE;
            return RIA_OK;
        }
        size_t e = find_next(c, &f->lf, s, '\n');
        if (e < c->len && e < find_next(c, &f->quote, s, '"')) {
            rc = simple_line(f, s, e, err);
        } else {
            bool more;
            rc = quoted_record(f, s, &more, err);
            if (rc == RIA_OK && more) {
                *out = SCAN_MORE;
                return RIA_OK;
            }
        }
        if (rc != RIA_OK)
            return rc;
    }
}

/* Reads more text into the chunk: at least up to the target, and at least
 * as much as the unfinished record already holds (so a long record is
 * scanned a bounded number of times).  Text of an over-long line being
 * skipped is dropped here. */
static ria_status read_more(fill *f, ria_error *err)
{
    ria_csv_reader *r = f->r;
    ria_csv_chunk *c = f->c;
    size_t want = f->target > c->len ? f->target - c->len : 0;
    want = RIA_MAX(want, c->len - f->pos);
    want = RIA_MAX(want, RIA_MIN((size_t)MIN_READ, f->target));
    if (r->opt.read_size)
        want = RIA_MIN(want, r->opt.read_size);
    ria_status rc = chunk_reserve(c, want, err);
    if (rc != RIA_OK)
        return rc;
    size_t n;
    rc = src_read(r, c->data + c->len, want, &n, err);
    if (rc != RIA_OK)
        return rc;
    if (n == 0) {
        r->skipping = false;
        return RIA_OK;
    }
    char *dst = c->data + c->len;
    if (r->skipping) {
        char *lf = memchr(dst, '\n', n);
        if (!lf)
            return RIA_OK;
        size_t k = (size_t)(lf - dst) + 1;
        memmove(dst, dst + k, n - k);
        n -= k;
        r->skipping = false;
        f->line++;
    }
    c->len += n;
    return RIA_OK;
}

static ria_status carry_reserve(ria_csv_reader *r, size_t n, ria_error *err)
{
    if (r->carry_len + n <= r->carry_alloc)
        return RIA_OK;
    size_t alloc = RIA_MAX(r->carry_alloc * 2, r->carry_len + n);
    char *p = realloc(r->carry, alloc);
    if (!p)
        return ria_fail(err, RIA_ENOMEM, "out of memory for CSV input");
    r->carry = p;
    r->carry_alloc = alloc;
    return RIA_OK;
}

/* Fills one chunk: the carry, then text read until `target` bytes of whole
 * records (or max_recs records) are in, or the input ends.  *out is NULL
 * when nothing was left to read. */
static ria_status fill_chunk(ria_csv_reader *r, size_t target, size_t max_recs,
                             ria_csv_chunk **out, ria_error *err)
{
    ria_status rc = RIA_OK;
    uint64_t in0 = r->st.in_bytes;
    *out = NULL;
    ria_csv_chunk *c = calloc(1, sizeof *c);
    if (!c)
        return ria_fail(err, RIA_ENOMEM, "out of memory for a CSV chunk");
    c->delim = r->opt.delim;
    c->record_cap = r->opt.record_cap;
    c->first_line = r->line;
    c->first_index = r->index;
    rc = chunk_reserve(c, r->carry_len + target + RIA_MIN(target, (size_t)MIN_READ), err);
    if (rc != RIA_OK)
        goto done;
    memcpy(c->data, r->carry, r->carry_len);
    c->len = r->carry_len;
    r->carry_len = 0;

    fill f = {.r = r, .c = c, .target = target, .max_recs = max_recs,
              .cap = r->opt.record_cap, .delim = r->opt.delim};
    cache_reset(&f.quote);
    cache_reset(&f.lf);
    for (;;) {
        scan_result res;
        rc = scan(&f, &res, err);
        if (rc != RIA_OK || res != SCAN_MORE)
            break;
        rc = read_more(&f, err);
        if (rc != RIA_OK)
            break;
    }
    if (rc != RIA_OK)
        goto done;

    rc = carry_reserve(r, c->len - f.pos, err);
    if (rc != RIA_OK)
        goto done;
    memcpy(r->carry, c->data + f.pos, c->len - f.pos);
    r->carry_len = c->len - f.pos;
    c->data[c->len] = '\n'; /* sentinel after a final record with no LF */
    c->text_bytes = f.pos;
    c->lines = f.line;
    if (r->eof && r->carry_len == 0 && !r->skipping && f.pos > 0 && r->last != '\n')
        c->lines++; /* the input's last line has no LF */
    c->in_bytes = r->st.in_bytes - in0;
    c->in_total = r->st.in_bytes;
    r->line += f.line;
    r->index += c->nrecords;
    r->st.blank_lines += c->blank_lines;
    if (f.pos == 0 && c->nrecords == 0)
        goto done; /* end of input: nothing consumed */
    *out = c;
    c = NULL;
done:
    ria_csv_chunk_free(c);
    return rc;
}

/* ------------------------------------------------------------ delimiter */

/* Delimiters `d` outside quotes in one line; a field is quoted when its
 * first byte is '"'. */
static size_t count_delims(const char *p, size_t n, char d)
{
    size_t count = 0;
    bool field_start = true;
    for (size_t i = 0; i < n; i++) {
        if (field_start && p[i] == '"') {
            for (i++; i < n; i++) {
                if (p[i] == '"') {
                    if (i + 1 < n && p[i + 1] == '"')
                        i++;
                    else
                        break;
                }
            }
            field_start = false;
            continue;
        }
        field_start = p[i] == d;
        if (field_start)
            count++;
    }
    return count;
}

static char choose_delim(const char *p, size_t n)
{
    static const char others[] = {';', '\t', '|'};
    char best = ',';
    size_t best_n = count_delims(p, n, ',');
    for (size_t i = 0; i < sizeof others; i++) {
        size_t k = count_delims(p, n, others[i]);
        if (k > best_n) {
            best = others[i];
            best_n = k;
        }
    }
    return best;
}

/* Reads into the carry until it holds the first line that the chunker will
 * not skip as blank (a line longer than the cap is never blank), and picks
 * the delimiter from that line's first record_cap bytes.  What is looked at
 * depends on the input only, never on how it arrives.  Input that starts
 * with more than DETECT_MAX bytes of blank lines keeps the comma. */
static ria_status detect_delim(ria_csv_reader *r, ria_error *err)
{
    ria_status rc = RIA_OK;
    size_t ls = 0, cap = r->opt.record_cap;
    for (;;) {
        const char *line = r->carry + ls;
        char *lf = memchr(line, '\n', r->carry_len - ls);
        if (lf || r->eof || r->carry_len - ls >= cap + 2) {
            size_t n = lf ? (size_t)(lf - line) : r->carry_len - ls;
            if ((lf || r->eof) && n && line[n - 1] == '\r')
                n--;
            if (n > cap || !is_blank(line, n)) {
                r->opt.delim = choose_delim(line, RIA_MIN(n, cap));
                return RIA_OK;
            }
            if (!lf || (ls = (size_t)(lf - r->carry) + 1) > DETECT_MAX) {
                r->opt.delim = ',';
                return RIA_OK;
            }
            continue;
        }
        size_t want = r->opt.read_size ? r->opt.read_size : 4096, got;
        rc = carry_reserve(r, want, err);
        if (rc == RIA_OK)
            rc = src_read(r, r->carry + r->carry_len, want, &got, err);
        if (rc != RIA_OK)
            return rc;
        r->carry_len += got;
    }
}

/* --------------------------------------------------------------- reader */

ria_status ria_csv_open(int fd, const ria_csv_options *opt, ria_csv_reader **out,
                        ria_error *err)
{
    *out = NULL;
    ria_csv_options o = opt ? *opt : (ria_csv_options){0};
    unsigned char d = (unsigned char)o.delim;
    if (d && !(d == '\t' || (d > ' ' && d < 0x7F && d != '"' && !(d >= '0' && d <= '9') &&
                             !(d >= 'A' && d <= 'Z') && !(d >= 'a' && d <= 'z'))))
        return ria_fail(err, RIA_EINVAL, "CSV delimiter must be tab or ASCII punctuation other than '\"'");
    if (!o.chunk_size)
        o.chunk_size = RIA_CSV_DEFAULT_CHUNK;
    if (!o.record_cap)
        o.record_cap = RIA_CSV_DEFAULT_RECORD_CAP;
    o.chunk_size = RIA_MIN(o.chunk_size, (size_t)RIA_CSV_MAX_CHUNK);
    o.record_cap = RIA_MIN(o.record_cap, (size_t)RIA_CSV_MAX_RECORD_CAP);
    ria_csv_reader *r = calloc(1, sizeof *r);
    if (!r)
        return ria_fail(err, RIA_ENOMEM, "out of memory for a CSV reader");
    r->carry_alloc = 4096;
    r->carry = malloc(r->carry_alloc); /* never NULL, so memchr and memcpy may use it */
    if (!r->carry) {
        free(r);
        return ria_fail(err, RIA_ENOMEM, "out of memory for a CSV reader");
    }
    r->fd = fd;
    r->opt = o;
    r->line = 1;
    r->st.delim = o.delim ? o.delim : ',';
    r->st.delim_detected = !o.delim;
    ria_csv_cursor_init(&r->hcur);
    *out = r;
    return RIA_OK;
}

void ria_csv_close(ria_csv_reader *r)
{
    if (!r)
        return;
    ria_csv_cursor_free(&r->hcur);
    ria_csv_chunk_free(r->hchunk);
    free(r->carry);
    free(r->u16_raw);
    free(r->u16_out);
    free(r);
}

/* Returns the sticky failure, or records rc as one. */
static ria_status remember(ria_csv_reader *r, ria_status rc, ria_error *err)
{
    if (r->failed != RIA_OK)
        return ria_fail(err, r->failed, "%s", r->failed_msg);
    if (rc != RIA_OK && rc != RIA_ENOMEM) {
        r->failed = rc;
        snprintf(r->failed_msg, sizeof r->failed_msg, "%s", err ? err->msg : "read failed");
    }
    return rc;
}

/* Finds the header: the first record after any blank lines. */
static ria_status read_header(ria_csv_reader *r, ria_error *err)
{
    ria_status rc = start_source(r, err);
    if (rc == RIA_OK && !r->opt.delim)
        rc = detect_delim(r, err);
    if (rc != RIA_OK)
        return rc;
    r->st.delim = r->opt.delim;
    for (;;) {
        ria_csv_chunk *c;
        rc = fill_chunk(r, HEADER_TARGET, 1, &c, err);
        if (rc != RIA_OK || !c)
            break;
        if (c->nrecords == 0) {
            ria_csv_chunk_free(c); /* blank lines only */
            continue;
        }
        r->hchunk = c;
        ria_csv_cursor_reset(&r->hcur, c);
        rc = ria_csv_next(&r->hcur, &r->header, err);
        break;
    }
    r->header_done = rc == RIA_OK;
    return rc;
}

ria_status ria_csv_read_header(ria_csv_reader *r, const ria_csv_record **out, ria_error *err)
{
    ria_status rc = remember(r, RIA_OK, err);
    *out = NULL;
    if (rc == RIA_OK && !r->header_done)
        rc = remember(r, read_header(r, err), err);
    if (rc == RIA_OK)
        *out = r->header;
    return rc;
}

ria_status ria_csv_next_chunk(ria_csv_reader *r, ria_csv_chunk **out, ria_error *err)
{
    const ria_csv_record *hdr;
    *out = NULL;
    ria_status rc = ria_csv_read_header(r, &hdr, err);
    if (rc != RIA_OK)
        return rc;
    size_t target = r->opt.chunk_size;
    rc = remember(r, fill_chunk(r, target, target / 16 + 16, out, err), err);
    if (rc != RIA_OK || !*out)
        return rc;
    (*out)->seq = r->st.chunks++;
    r->st.records += (*out)->nrecords;
    r->st.errors += (*out)->errors;
    return RIA_OK;
}

void ria_csv_get_stats(const ria_csv_reader *r, ria_csv_stats *out)
{
    *out = r->st;
    out->lines = r->line - 1;
    if (r->eof && r->carry_len == 0 && r->any_text && r->last != '\n')
        out->lines++;
}

/* --------------------------------------------------------------- cursor */

enum { C_DELIM = 1, C_QUOTE = 2, C_END = 4, C_HIGH = 8 };

void ria_csv_cursor_init(ria_csv_cursor *cur)
{
    memset(cur, 0, sizeof *cur);
    ria_buf_init(&cur->unq, 0);
    ria_buf_init(&cur->conv, 0);
}

void ria_csv_cursor_reset(ria_csv_cursor *cur, const ria_csv_chunk *chunk)
{
    cur->chunk = chunk;
    cur->next = 0;
    cur->records = cur->converted = cur->repaired = cur->errors = 0;
    if (chunk && chunk->delim != cur->delim) {
        memset(cur->cls, 0, sizeof cur->cls);
        for (int b = 0x80; b < 0x100; b++)
            cur->cls[b] = C_HIGH;
        cur->cls['"'] = C_QUOTE;
        cur->cls['\r'] = cur->cls['\n'] = C_END;
        cur->cls[(uint8_t)chunk->delim] = C_DELIM;
        cur->delim = chunk->delim;
    }
}

void ria_csv_cursor_free(ria_csv_cursor *cur)
{
    if (!cur)
        return;
    free(cur->fields);
    ria_buf_free(&cur->unq);
    ria_buf_free(&cur->conv);
    cur->fields = NULL;
    cur->fields_alloc = 0;
    cur->chunk = NULL;
}

static ria_status grow_fields(ria_csv_cursor *cur, ria_error *err)
{
    size_t n = cur->fields_alloc ? cur->fields_alloc * 2 : 32;
    ria_slice *p = realloc(cur->fields, n * sizeof *p);
    if (!p)
        return ria_fail(err, RIA_ENOMEM, "out of memory for CSV fields");
    cur->fields = p;
    cur->fields_alloc = n;
    return RIA_OK;
}

/* Parses the quoted field whose opening quote is p[*i]; leaves *i on the
 * delimiter after it or at n.  Text that must be rebuilt (doubled quotes,
 * text after the closing quote) goes to u at *ul, which has room for n. */
static ria_slice quoted_field(const char *p, size_t n, size_t *i, char delim, char *u,
                              size_t *ul, unsigned *flags)
{
    size_t j = *i + 1, st = j, ust = *ul;
    bool copy = false;
    for (;;) {
        const char *qp = memchr(p + j, '"', n - j);
        size_t k = qp ? (size_t)(qp - p) : n; /* no close: not produced by the chunker */
        if (qp && k + 1 < n && p[k + 1] == '"') {
            copy = true;
            memcpy(u + *ul, p + j, k + 1 - j);
            *ul += k + 1 - j;
            j = k + 2;
            continue;
        }
        size_t e = qp ? k + 1 : n;
        if (!qp || (e < n && p[e] != delim)) {
            *flags |= RIA_CSV_REPAIRED; /* text after the closing quote is appended */
            copy = true;
            memcpy(u + *ul, p + j, k - j);
            *ul += k - j;
            j = e;
            while (e < n && p[e] != delim)
                e++;
            k = e;
        }
        *i = e;
        if (!copy)
            return (ria_slice){p + st, k - st};
        memcpy(u + *ul, p + j, k - j);
        *ul += k - j;
        return (ria_slice){u + ust, *ul - ust};
    }
}

/* Splits the record p[0, n) (p[n] is a CR or LF) into cur->fields.  Sets
 * *check when the record may hold non-ASCII bytes. */
static ria_status parse_fields(ria_csv_cursor *cur, const char *p, size_t n, bool *check,
                               ria_error *err)
{
    ria_status rc = ria_buf_reserve(&cur->unq, n);
    if (rc != RIA_OK)
        return ria_fail(err, rc, "out of memory for a CSV record");
    const uint8_t *cls = cur->cls;
    char *u = cur->unq.data;
    size_t ul = 0, nf = 0, i = 0;
    unsigned flags = 0, seen = 0;
    for (;;) {
        if (nf == cur->fields_alloc && (rc = grow_fields(cur, err)) != RIA_OK)
            return rc;
        if (i < n && p[i] == '"') {
            seen |= C_HIGH; /* quoted text is not classified: check the record */
            cur->fields[nf++] = quoted_field(p, n, &i, cur->delim, u, &ul, &flags);
        } else {
            size_t st = i;
            for (;;) {
                while (!cls[(uint8_t)p[i]])
                    i++;
                unsigned k = cls[(uint8_t)p[i]];
                if (k == C_DELIM || i >= n)
                    break;
                seen |= k; /* a stray quote, a non-ASCII byte, or a lone CR */
                i++;
            }
            cur->fields[nf++] = (ria_slice){p + st, i - st};
        }
        if (i >= n)
            break;
        i++; /* the delimiter */
    }
    if (seen & C_QUOTE)
        flags |= RIA_CSV_REPAIRED;
    cur->rec.flags = flags;
    cur->rec.fields = cur->fields;
    cur->rec.nfields = nf;
    *check = (seen & C_HIGH) != 0;
    return RIA_OK;
}

/* Converts the record from Windows-1252 into cur->conv, followed by an LF. */
static ria_status convert(ria_csv_cursor *cur, const char *p, size_t n, ria_slice *out,
                          ria_error *err)
{
    ria_buf_reset(&cur->conv);
    ria_status rc = ria_buf_reserve(&cur->conv, 3 * n + 1);
    if (rc != RIA_OK)
        return ria_fail(err, rc, "out of memory converting a CSV record");
    size_t m = ria_csv_cp1252_to_utf8(p, n, cur->conv.data);
    cur->conv.data[m] = '\n';
    *out = (ria_slice){cur->conv.data, m};
    return RIA_OK;
}

static ria_status error_record(ria_csv_cursor *cur, const ria_csv_span *sp, ria_error *err)
{
    ria_csv_record *rec = &cur->rec;
    ria_status rc = RIA_OK;
    rec->flags = RIA_CSV_ERROR | (sp->truncated ? RIA_CSV_TRUNCATED : 0);
    rec->error = (ria_csv_error_kind)sp->kind;
    rec->fields = NULL;
    rec->nfields = 0;
    if (!ria_utf8_valid(rec->raw.p, rec->raw.n)) {
        rc = convert(cur, rec->raw.p, rec->raw.n, &rec->raw, err);
        rec->flags |= RIA_CSV_CONVERTED;
        cur->converted++;
    }
    if (rec->error == RIA_CSV_ERR_UNTERMINATED)
        snprintf(cur->msg, sizeof cur->msg, "unterminated quoted field starting at line %llu",
                 (unsigned long long)(rec->line + rec->nlines - 1));
    else
        snprintf(cur->msg, sizeof cur->msg, "record longer than %zu bytes",
                 cur->chunk->record_cap);
    rec->message = cur->msg;
    cur->errors++;
    return rc;
}

ria_status ria_csv_next(ria_csv_cursor *cur, const ria_csv_record **out, ria_error *err)
{
    const ria_csv_chunk *c = cur->chunk;
    *out = NULL;
    if (!c || cur->next >= c->nrecords)
        return RIA_OK;
    const ria_csv_span *sp = &c->spans[cur->next];
    ria_csv_record *rec = &cur->rec;
    rec->line = c->first_line + sp->line;
    rec->nlines = sp->nlines;
    rec->index = c->first_index + cur->next;
    rec->error = RIA_CSV_ERR_NONE;
    rec->message = NULL;
    rec->raw = (ria_slice){c->data + sp->off, sp->len};
    cur->next++;
    cur->records++;
    ria_status rc;
    if (sp->kind != RIA_CSV_ERR_NONE) {
        rc = error_record(cur, sp, err);
    } else {
        bool check;
        rc = parse_fields(cur, rec->raw.p, rec->raw.n, &check, err);
        if (rc == RIA_OK && check && !ria_utf8_valid(rec->raw.p, rec->raw.n)) {
            rc = convert(cur, rec->raw.p, rec->raw.n, &rec->raw, err);
            if (rc == RIA_OK)
                rc = parse_fields(cur, rec->raw.p, rec->raw.n, &check, err);
            rec->flags |= RIA_CSV_CONVERTED;
            cur->converted++;
        }
        if (rec->flags & RIA_CSV_REPAIRED)
            cur->repaired++;
    }
    if (rc == RIA_OK)
        *out = rec;
    return rc;
}
