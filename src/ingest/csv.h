/*
 * csv.h — the streaming CSV reader of the ingest component (private header).
 *
 * Reads RFC 4180 CSV as real exports write it, from a file descriptor (a file
 * or a pipe: it never seeks or maps), in bounded memory whatever the input
 * size.  Work is split for parallel parsing:
 *
 *   reader thread                         worker threads
 *   -------------                         --------------
 *   ria_csv_open(fd)
 *   ria_csv_read_header()  → header record
 *   ria_csv_next_chunk()   → chunk ──────► ria_csv_cursor_reset(cur, chunk)
 *   ria_csv_next_chunk()   → chunk ──►     while (ria_csv_next(cur, &rec) && rec)
 *   ...                                       use rec->line, rec->fields ...
 *   (NULL at end of input)                 ria_csv_chunk_free(chunk)
 *   ria_csv_close()
 *
 * A chunk is a block of whole records (~chunk_size bytes of text) with a
 * record table computed by the reader: where every record starts and ends,
 * its physical line number and whether it is an error record.  Boundaries
 * are decided on the data alone, so the records (text, fields, line numbers,
 * flags) are identical whatever the chunk and read sizes.  Chunks are
 * numbered (seq) in file order; records carry absolute line numbers and a
 * file-wide index, so workers may finish in any order.
 *
 * Grammar.  A record ends at LF or CRLF outside quotes (a lone CR is data);
 * a field is quoted only when its first byte is '"'; inside quotes "" is one
 * quote and delimiters, CR and LF are data.  Leniency, flagged per record
 * (RIA_CSV_REPAIRED): a quote in the middle of an unquoted field is text, and
 * text after a closing quote is appended to the field ("abc"def → abcdef).
 * Blank lines (empty, or only spaces, tabs and CRs) are skipped and counted.
 * Line numbers count LF bytes: line 1 is the first line of the input.
 *
 * Error records.  A record never grows beyond record_cap bytes:
 *   - if the cap, or the end of input, is reached inside a quoted field, the
 *     record becomes an error record ("unterminated quoted field starting at
 *     line N") covering its physical lines up to and including line N, where
 *     that quote opened (usually just its first line), and reading resumes
 *     on the next line as if that quote were text;
 *   - if the cap is exceeded outside quotes, the record becomes an error
 *     record ("record longer than C bytes") that ends at the next LF.
 * Error records come through the same iteration (RIA_CSV_ERROR, a message,
 * no fields, the raw text cut to at most record_cap bytes) and count as
 * records, so every non-blank line of the input is accounted for.
 *
 * Encodings.  A UTF-8 BOM is removed.  UTF-16 LE/BE with a BOM (or without
 * one, when the first two characters are ASCII) is converted to UTF-8 as it
 * is read (unpaired surrogates become U+FFFD).  Otherwise each
 * record that is not valid UTF-8 is read as Windows-1252 and converted to
 * UTF-8 (RIA_CSV_CONVERTED); the five bytes Windows-1252 leaves undefined
 * (0x81 0x8D 0x8F 0x90 0x9D) map to the C1 controls of the same value, as
 * the WHATWG Encoding Standard does, so no byte is lost.
 *
 * Delimiter.  Comma unless the options force one, or the first non-blank
 * line has more semicolons, tabs or pipes (outside quotes) than commas; the
 * most frequent of those wins (ties: ';' then tab then '|').
 *
 * Ownership.  The caller owns the fd (the reader never closes it).  The
 * reader owns the header record.  Each chunk belongs to whoever received it
 * until ria_csv_chunk_free (any thread; chunks are independent of each other
 * and of the reader).  A cursor belongs to one worker; the record it returns
 * borrows from the cursor and the chunk.  Memory: the reader holds at most
 * one partial record beyond the chunks handed out; a chunk holds at most
 * about chunk_size + 2 * record_cap bytes plus its record table.
 */
#ifndef RIA_INGEST_CSV_H
#define RIA_INGEST_CSV_H

#include "core/core.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ----------------------------------------------------------------- options */

#define RIA_CSV_DEFAULT_CHUNK (8u << 20)      /* 8 MiB of text per chunk */
#define RIA_CSV_DEFAULT_RECORD_CAP (1u << 20) /* 1 MiB per record */
#define RIA_CSV_MAX_CHUNK (1u << 30)
#define RIA_CSV_MAX_RECORD_CAP (256u << 20)

typedef struct {
    char delim;        /* 0 = detect; else ',' ';' '\t' '|' or another ASCII punctuation */
    size_t chunk_size; /* target bytes of text per chunk; 0 = 8 MiB, at most 1 GiB */
    size_t record_cap; /* max bytes of one record; 0 = 1 MiB, at most 256 MiB */
    size_t read_size;  /* max bytes per read(2); 0 = as needed (tests use tiny values) */
} ria_csv_options;

/* ------------------------------------------------------------------ record */

/* Record flags. */
#define RIA_CSV_REPAIRED 1u  /* a stray quote kept as text, or text after a closing quote */
#define RIA_CSV_CONVERTED 2u /* the record was not UTF-8; converted from Windows-1252 */
#define RIA_CSV_ERROR 4u     /* error record: no fields; see error, message and raw */
#define RIA_CSV_TRUNCATED 8u /* raw holds only the first record_cap bytes */

typedef enum {
    RIA_CSV_ERR_NONE = 0,
    RIA_CSV_ERR_UNTERMINATED, /* record cap or end of input reached inside quotes */
    RIA_CSV_ERR_TOO_LONG,     /* record longer than the cap outside quotes */
} ria_csv_error_kind;

/* One record.  Every slice is valid until the next call on the cursor that
 * returned it (or, for the header, until ria_csv_close), and never after its
 * chunk is freed.  Slices are not NUL-terminated. */
typedef struct {
    uint64_t line;            /* physical line of its first byte, 1-based */
    uint32_t nlines;          /* physical lines it spans (> 1 with quoted newlines) */
    uint64_t index;           /* records before it in the file: header 0, first data 1 */
    unsigned flags;           /* RIA_CSV_* flags */
    ria_csv_error_kind error; /* RIA_CSV_ERR_NONE unless flags has RIA_CSV_ERROR */
    const char *message;      /* error records: one line for the quarantine; else NULL */
    ria_slice raw;            /* the record text (UTF-8, after conversion), no line terminator */
    const ria_slice *fields;  /* nfields fields, quotes removed, spaces kept */
    size_t nfields;           /* >= 1, or 0 for error records */
} ria_csv_record;

/* ------------------------------------------------------------------- chunk */

/* Where one record lies in a chunk (private to csv.c; listed for sizeof). */
typedef struct {
    uint32_t off;             /* first byte, from the chunk's text */
    uint32_t len;             /* bytes of raw text kept (no terminator) */
    uint32_t line;            /* line number minus the chunk's first_line */
    uint32_t nlines : 29;     /* physical lines spanned */
    uint32_t kind : 2;        /* ria_csv_error_kind */
    uint32_t truncated : 1;   /* raw text was cut at the record cap */
} ria_csv_span;

/* A block of whole records.  Fields above `private` are read-only for the
 * caller; the rest belongs to csv.c. */
typedef struct {
    uint64_t seq;          /* 0, 1, 2 ... in file order */
    uint64_t first_line;   /* line number of the chunk's first byte */
    uint64_t lines;        /* physical lines it covers (blank ones included) */
    uint64_t first_index;  /* index of its first record (see ria_csv_record.index) */
    size_t nrecords;       /* records, error records included, blank lines not */
    uint64_t blank_lines;  /* blank lines skipped inside it */
    uint64_t errors;       /* error records among nrecords */
    uint64_t in_bytes;     /* input bytes read while it was filled (progress: MB/s) */
    uint64_t in_total;     /* input bytes read so far, this chunk included (ETA) */
    size_t text_bytes;     /* bytes of text (UTF-8 or raw) it covers */
    /* private */
    char delim;            /* the reader's delimiter */
    size_t record_cap;     /* the reader's record cap */
    char *data;            /* text, followed by a '\n' sentinel */
    size_t len, alloc;     /* bytes in data / allocated */
    ria_csv_span *spans;   /* nrecords entries, in file order */
    size_t spans_alloc;
} ria_csv_chunk;

/* Frees a chunk and everything it owns.  Accepts NULL.  Any thread. */
void ria_csv_chunk_free(ria_csv_chunk *c);

/* ------------------------------------------------------------------ reader */

typedef enum {
    RIA_CSV_ENC_UTF8 = 0, /* no BOM: UTF-8, records that are not UTF-8 read as Windows-1252 */
    RIA_CSV_ENC_UTF8_BOM,
    RIA_CSV_ENC_UTF16LE,  /* with or without a BOM */
    RIA_CSV_ENC_UTF16BE,
} ria_csv_encoding;

const char *ria_csv_encoding_name(ria_csv_encoding e);

/* What the reader has seen so far (the totals once the last chunk is out). */
typedef struct {
    ria_csv_encoding encoding; /* from the BOM, known after the header is read */
    char delim;                /* the delimiter in use */
    bool delim_detected;       /* false when forced by the options */
    uint64_t in_bytes;         /* input bytes read from the fd (BOM included) */
    uint64_t lines;            /* physical lines consumed */
    uint64_t records;          /* data records handed out (header not counted) */
    uint64_t errors;           /* error records among them */
    uint64_t blank_lines;      /* blank lines skipped, before the header included */
    uint64_t chunks;           /* chunks handed out */
} ria_csv_stats;

typedef struct ria_csv_reader ria_csv_reader;

/* Creates a reader over fd (not read until the header is asked for; never
 * closed by the reader).  opt may be NULL for the defaults.  RIA_EINVAL for
 * a forced delimiter that is not tab or ASCII punctuation other than '"'. */
ria_status ria_csv_open(int fd, const ria_csv_options *opt, ria_csv_reader **out,
                        ria_error *err);

/* Frees the reader and its header record.  Chunks already handed out stay
 * valid.  Accepts NULL. */
void ria_csv_close(ria_csv_reader *r);

/* Reads the first non-blank record (detecting the encoding and, unless
 * forced, the delimiter first).  *out is the header, owned by the reader and
 * valid until ria_csv_close; NULL when the input holds no record at all.
 * It may be an error record.  Calling it again returns the same record.
 * RIA_EIO if reading fails, RIA_ENOMEM. */
ria_status ria_csv_read_header(ria_csv_reader *r, const ria_csv_record **out,
                               ria_error *err);

/* Reads the next chunk of data records (reading the header first if that was
 * not done).  *out is owned by the caller (ria_csv_chunk_free), or NULL at
 * the end of input.  A chunk may hold no record (only blank lines).  Only
 * one thread may call this.  RIA_EIO if reading fails (the error repeats on
 * later calls), RIA_ENOMEM. */
ria_status ria_csv_next_chunk(ria_csv_reader *r, ria_csv_chunk **out, ria_error *err);

/* Copies the reader's running totals into *out. */
void ria_csv_get_stats(const ria_csv_reader *r, ria_csv_stats *out);

/* ------------------------------------------------------------------ cursor */

/* Iterates the records of one chunk at a time, with per-worker scratch
 * memory that is reused from chunk to chunk.  Counters are read-only for the
 * caller; the rest is private. */
typedef struct {
    uint64_t records;   /* records returned since the last reset */
    uint64_t converted; /* ... of which converted from Windows-1252 */
    uint64_t repaired;  /* ... of which repaired */
    uint64_t errors;    /* ... of which error records */
    /* private */
    const ria_csv_chunk *chunk;
    size_t next;               /* span index of the next record */
    char delim;                /* delimiter the class table was built for */
    uint8_t cls[256];          /* byte classes of the field scanner */
    ria_csv_record rec;        /* the record last returned */
    ria_slice *fields;         /* fields of rec */
    size_t fields_alloc;
    ria_buf unq;               /* field text rebuilt without quotes */
    ria_buf conv;              /* record converted from Windows-1252 */
    char msg[96];              /* message of an error record */
} ria_csv_cursor;

/* Prepares an empty cursor (no chunk). */
void ria_csv_cursor_init(ria_csv_cursor *cur);

/* Points the cursor at the first record of chunk (which must outlive the
 * iteration) and zeroes the counters.  chunk may be NULL. */
void ria_csv_cursor_reset(ria_csv_cursor *cur, const ria_csv_chunk *chunk);

/* Frees the cursor's scratch memory.  Accepts NULL. */
void ria_csv_cursor_free(ria_csv_cursor *cur);

/* Returns the next record of the chunk in *out, or NULL after the last one.
 * The record and its slices live until the next call on this cursor (and
 * never beyond the chunk).  RIA_ENOMEM if scratch memory cannot grow. */
ria_status ria_csv_next(ria_csv_cursor *cur, const ria_csv_record **out, ria_error *err);

/* ------------------------------------------ encoding helpers (csv_encoding.c) */

/* Converts n bytes of Windows-1252 to UTF-8 into out, which must hold 3 * n
 * bytes; returns the bytes written. */
size_t ria_csv_cp1252_to_utf8(const char *in, size_t n, char *out);

/* The Unicode code point of a Windows-1252 byte. */
uint32_t ria_csv_cp1252_codepoint(uint8_t b);

/* Streaming UTF-16 → UTF-8 state: a byte or a high surrogate may wait for
 * the next block. */
typedef struct {
    bool big_endian;
    bool has_byte;  /* `byte` is the first half of a code unit */
    uint8_t byte;
    uint16_t high;  /* a high surrogate waiting for its pair, 0 = none */
} ria_csv_utf16;

/* Converts n bytes of UTF-16 into out, which must hold
 * RIA_CSV_UTF16_OUT_MAX(n) bytes, and returns the bytes written.  With final,
 * a dangling byte or high surrogate is flushed as U+FFFD. */
#define RIA_CSV_UTF16_OUT_MAX(n) (3 * ((n) / 2) + 12)
size_t ria_csv_utf16_to_utf8(ria_csv_utf16 *st, const uint8_t *in, size_t n, bool final,
                             char *out);

/* The largest length <= n that does not end inside a UTF-8 sequence (cuts at
 * most 3 bytes; text that is not UTF-8 is cut only where it looks like one). */
size_t ria_csv_utf8_cut(const char *p, size_t n);

#endif
