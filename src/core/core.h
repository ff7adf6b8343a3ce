/*
 * core.h — the project-free toolbox every component builds on: status codes
 * and error objects, arenas, bounded buffers, hashing and hash maps, calendar
 * dates, fixed-point decimals, file helpers, threads and logging.
 *
 * Ownership rule for the whole module: whoever creates a thing frees it, and
 * every *_free function accepts NULL.  Functions that can fail return a
 * ria_status and write the human detail into a caller-owned ria_error.
 */
#ifndef RIA_CORE_H
#define RIA_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ------------------------------------------------------------------ status */

/* One status type for the whole program.  Names, exit codes and HTTP statuses
 * live in one table (status.c). */
typedef enum {
    RIA_OK = 0,
    RIA_EINVAL,      /* bad argument or usage */
    RIA_EPARSE,      /* malformed input text (SQL, CSV, JSON, dates) */
    RIA_EIO,         /* the operating system refused (open, read, write) */
    RIA_ENOMEM,      /* allocation failed */
    RIA_ECORRUPT,    /* a store file failed its checksum or format check */
    RIA_ELOCKED,     /* another writer holds the store lock */
    RIA_ENOTFOUND,   /* no such store, version, column or file */
    RIA_EUNSUPPORTED,/* understood but not supported */
    RIA_ELIMIT,      /* a configured size or count limit was exceeded */
    RIA_ECANCELLED,  /* stopped on request */
    RIA_EREFUSED,    /* read-only violation or permission */
    RIA_EINTERNAL,   /* a bug: an invariant did not hold */
    RIA_STATUS_COUNT
} ria_status;

/* The human detail of a failure.  `msg` is one line, no trailing newline. */
typedef struct {
    ria_status code;
    char msg[512];
} ria_error;

/* Records code and a printf-style message in `err` (which may be NULL) and
 * returns code, so callers write `return ria_fail(err, RIA_EIO, "...")`. */
ria_status ria_fail(ria_error *err, ria_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefixes an existing message: "context: old message". */
void ria_error_prefix(ria_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *ria_status_name(ria_status code);
int ria_status_exit_code(ria_status code);
int ria_status_http(ria_status code);

/* ------------------------------------------------------------------- arena */

/* A bump allocator: many small allocations freed at once.  Not thread-safe. */
typedef struct ria_arena_block ria_arena_block;
typedef struct {
    ria_arena_block *head; /* current block; older blocks chained behind */
    size_t block_size;     /* default size of a new block */
    size_t total;          /* bytes obtained from malloc, for accounting */
} ria_arena;

void ria_arena_init(ria_arena *a, size_t block_size);
/* Returns zeroed memory aligned to 16 bytes, or NULL if malloc fails. */
void *ria_arena_alloc(ria_arena *a, size_t n);
char *ria_arena_strndup(ria_arena *a, const char *s, size_t n);
char *ria_arena_strdup(ria_arena *a, const char *s);
char *ria_arena_printf(ria_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Forgets every allocation but keeps the newest block for reuse. */
void ria_arena_reset(ria_arena *a);
/* Frees every block; the arena can be reused after ria_arena_init. */
void ria_arena_free(ria_arena *a);

/* ----------------------------------------------------------------- buffers */

/* A growable byte buffer with a hard cap.  data is always NUL-terminated
 * (one byte beyond len) once anything was appended. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* 0 = no cap beyond SIZE_MAX */
} ria_buf;

void ria_buf_init(ria_buf *b, size_t max);
/* Make room for n more bytes; RIA_ELIMIT past max, RIA_ENOMEM if malloc fails. */
ria_status ria_buf_reserve(ria_buf *b, size_t n);
ria_status ria_buf_append(ria_buf *b, const void *p, size_t n);
ria_status ria_buf_putc(ria_buf *b, char c);
ria_status ria_buf_puts(ria_buf *b, const char *s);
ria_status ria_buf_printf(ria_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
ria_status ria_buf_vprintf(ria_buf *b, const char *fmt, va_list ap);
void ria_buf_reset(ria_buf *b);
void ria_buf_free(ria_buf *b);
/* Takes the data away from the buffer (the caller frees it with free()). */
char *ria_buf_steal(ria_buf *b);
/* Appends one CSV field: as is, or in double quotes with each inner quote
 * doubled when it holds a comma, quote, CR or LF or, with edge_spaces,
 * starts or ends with a space.  Failures to append (cap, memory) are not
 * reported. */
void ria_buf_csv_field(ria_buf *b, const char *p, size_t n, bool edge_spaces);
/* The same field written to f. */
void ria_fput_csv_field(FILE *f, const char *p, size_t n, bool edge_spaces);

/* A borrowed string slice; its lifetime is stated where it is returned. */
typedef struct {
    const char *p;
    size_t n;
} ria_slice;

/* --------------------------------------------------------------- hashing */

uint64_t ria_hash64(const void *p, size_t n);
uint64_t ria_hash64_seed(const void *p, size_t n, uint64_t seed);
typedef struct {
    uint64_t lo, hi;
} ria_hash128;
ria_hash128 ria_hash128_of(const void *p, size_t n);
static inline uint64_t ria_mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Maps byte strings to uint32 values.  Keys are copied into the map's own
 * storage; a returned key pointer lives as long as the map. */
typedef struct {
    uint32_t *slots;  /* index+1 into entries, 0 = empty */
    uint64_t *hashes; /* hash of each slot's entry (for fast probing) */
    size_t nslots;    /* power of two */
    struct ria_strmap_entry *entries;
    size_t count, cap;
    ria_arena keys;
} ria_strmap;
struct ria_strmap_entry {
    const char *key;
    uint32_t len;
    uint32_t value;
};

void ria_strmap_init(ria_strmap *m);
void ria_strmap_free(ria_strmap *m);
/* Finds key; returns true and sets *out_value when present. */
bool ria_strmap_get(const ria_strmap *m, const char *key, size_t len, uint32_t *out_value);
bool ria_strmap_get_h(const ria_strmap *m, const char *key, size_t len, uint64_t h,
                      uint32_t *out_value);
/* Inserts key→value unless present; returns the value now stored for key. */
ria_status ria_strmap_put(ria_strmap *m, const char *key, size_t len, uint32_t value,
                          uint32_t *out_value);
ria_status ria_strmap_put_h(ria_strmap *m, const char *key, size_t len, uint64_t h,
                            uint32_t value, uint32_t *out_value);
size_t ria_strmap_count(const ria_strmap *m);
/* The i-th inserted entry (insertion order), i < count. */
const struct ria_strmap_entry *ria_strmap_at(const ria_strmap *m, size_t i);

/* ------------------------------------------------------------------ dates */

/* Days are counted from 1970-01-01 (proleptic Gregorian); timestamps are
 * seconds from 1970-01-01 00:00:00 with no time zone (wall-clock time as
 * written in the data). */
#define RIA_SECS_PER_DAY 86400
int64_t ria_days_from_civil(int y, int m, int d);
void ria_civil_from_days(int64_t days, int *y, int *m, int *d);
bool ria_date_valid(int y, int m, int d);
int ria_days_in_month(int y, int m);
/* 0 = Monday ... 6 = Sunday */
int ria_weekday(int64_t days);
static inline int64_t ria_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
/* "YYYY-MM-DD" into buf (>= 11 bytes). */
void ria_format_date(int64_t days, char *buf);
/* "YYYY-MM-DD HH:MM:SS" into buf (>= 20 bytes). */
void ria_format_ts(int64_t secs, char *buf);

/* Date layouts ingest recognises; see SEMANTICS.md.  Each accepts an
 * optional time part " HH:MM[:SS]" or "THH:MM[:SS]" (fractions ignored). */
typedef enum {
    RIA_DATE_UNKNOWN = 0,
    RIA_DATE_ISO,       /* YYYY-MM-DD */
    RIA_DATE_YMD_SLASH, /* YYYY/MM/DD */
    RIA_DATE_MDY_SLASH, /* M/D/YYYY or M/D/YY */
    RIA_DATE_DMY_SLASH, /* D/M/YYYY or D/M/YY */
    RIA_DATE_MDY_DASH,  /* MM-DD-YY or MM-DD-YYYY */
    RIA_DATE_DMY_DASH,  /* DD-MM-YYYY */
    RIA_DATE_DMY_DOT,   /* DD.MM.YYYY */
    RIA_DATE_FORMAT_COUNT
} ria_date_format;

const char *ria_date_format_name(ria_date_format f);
/* Parses s as format f.  Returns 1 on success (secs since epoch, has_time set
 * when a time part was present), 0 if the text has that layout but names an
 * impossible date or time ("2023-13-45"), -1 if it is not that layout. */
int ria_parse_date(const char *s, size_t n, ria_date_format f, int64_t *out_secs,
                   bool *out_has_time);
/* Which formats accept s (bit i set for format i).  Used to detect a file's
 * format from a sample of values. */
unsigned ria_date_formats_matching(const char *s, size_t n);

/* --------------------------------------------------------------- decimals */

/* Money and other decimals are int64 scaled by 10^4 (RIA_DEC_SCALE), exact. */
#define RIA_DEC_DIGITS 4
#define RIA_DEC_SCALE 10000LL
/* The null sentinel for every int64 column value. */
#define RIA_NULL_I64 INT64_MIN

typedef enum {
    RIA_NUM_OK = 0,
    RIA_NUM_EMPTY,   /* blank (after trimming) */
    RIA_NUM_BAD,     /* not a number */
    RIA_NUM_RANGE,   /* out of the representable range */
} ria_num_result;

/* Parses a human-written number into scaled decimal: optional sign, currency
 * symbols or codes ($ € £ ¥ ₹, USD, EUR, INR ...) before or after, thousands
 * separators (1,234.50), parentheses for negatives, exponent; more than four
 * decimals are rounded half away from zero. */
ria_num_result ria_parse_decimal(const char *s, size_t n, int64_t *out);
/* Parses an integer, accepting the same decorations and a zero fraction
 * ("3.0"); "2.5" is RIA_NUM_BAD. */
ria_num_result ria_parse_int(const char *s, size_t n, int64_t *out);
/* Writes v/10^4 with `decimals` digits (rounded half away from zero) into buf
 * (>= 32 bytes); returns the length. */
int ria_format_decimal(int64_t v, int decimals, char *buf);
/* Same for a 128-bit scaled sum. */
int ria_format_decimal128(__int128 v, int decimals, char *buf);

/* ------------------------------------------------------------------ files */

/* Reads a whole file (capped at max bytes) into a malloc'd NUL-terminated
 * buffer. */
ria_status ria_read_file(const char *path, size_t max, char **out, size_t *out_len,
                         ria_error *err);
/* Writes data to path atomically: temp file, fsync, rename, fsync dir. */
ria_status ria_write_file_atomic(const char *path, const void *data, size_t n,
                                 ria_error *err);
ria_status ria_write_all(int fd, const void *p, size_t n, const char *what, ria_error *err);
ria_status ria_mkdirs(const char *path, ria_error *err);
ria_status ria_fsync_dir(const char *path, ria_error *err);
bool ria_path_exists(const char *path);
/* Removes a directory tree (does not follow symbolic links). */
ria_status ria_remove_tree(const char *path, ria_error *err);
/* snprintf into a fixed buffer; RIA_ELIMIT if it does not fit. */
ria_status ria_path_join(char *out, size_t outsz, ria_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ----------------------------------------------------------------- threads */

int ria_ncpu(void);
/* Runs fn(arg, i) for i in [0, n) on up to `threads` threads and waits. */
void ria_parallel_for(int n, int threads, void (*fn)(void *arg, int i), void *arg);
/* Monotonic time in seconds. */
double ria_now(void);
/* Wall-clock seconds since the epoch. */
int64_t ria_wall_time(void);
/* 64 unpredictable bits from the kernel (ids, not keys of data). */
uint64_t ria_random64(void);

/* ---------------------------------------------------------------- logging */

typedef enum { RIA_LOG_ERROR, RIA_LOG_WARN, RIA_LOG_INFO, RIA_LOG_DEBUG } ria_log_level;
/* The process-wide log threshold (set once from flags or RIA_LOG). */
void ria_log_set_level(ria_log_level level);
void ria_log(ria_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* -------------------------------------------------------------- utilities */

/* Trims ASCII whitespace from both ends of a slice. */
static inline ria_slice ria_trim(const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
        p++;
        n--;
    }
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' || p[n - 1] == '\n'))
        n--;
    return (ria_slice){p, n};
}
/* ASCII case-insensitive equality of a slice and a C string. */
bool ria_slice_ieq(ria_slice s, const char *z);
/* Lower-cases and removes spaces, '-', '_', '.' (the header normalization of
 * SEMANTICS.md) into out (capacity outsz); returns the length. */
size_t ria_normalize_name(const char *p, size_t n, char *out, size_t outsz);
/* Makes a SQL-friendly identifier: lower case, runs of non-alphanumerics
 * become '_', no leading digit. */
size_t ria_snake_name(const char *p, size_t n, char *out, size_t outsz);
/* true when the n bytes are valid UTF-8. */
bool ria_utf8_valid(const char *p, size_t n);
/* Parses a decimal size with optional K/M/G suffix ("64M"). */
bool ria_parse_size(const char *s, uint64_t *out);
/* Strict base-10 integer parse of a whole C string. */
bool ria_parse_i64(const char *s, int64_t *out);

#define RIA_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define RIA_MIN(a, b) ((a) < (b) ? (a) : (b))
#define RIA_MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
