/*
 * engine.h — the query engine: the plan (the one contract between front
 * ends and back ends), the SQL parser that produces plans, the binder that
 * checks them against a snapshot, canonical forms and hashes, and the
 * vectorized parallel executor with partition/zone-map pruning and
 * materialized-view routing.
 *
 * A plan is a single read-only SELECT over the one table `sales` at one
 * version.  Everything a plan points to lives in the arena given to the
 * parser (or builder); one ria_arena_free releases it all.
 */
#ifndef RIA_ENGINE_H
#define RIA_ENGINE_H

#include "store/store.h"

/* ------------------------------------------------------------------ values */

/* Types of values during evaluation.  INT, DEC (scaled by 10^4), DATE (days)
 * and TS (seconds) are int64; DOUBLE is used for ratios (division results);
 * TEXT is a byte string. */
typedef enum {
    RIA_V_NULL = 0,
    RIA_V_BOOL,
    RIA_V_INT,
    RIA_V_DEC,
    RIA_V_DOUBLE,
    RIA_V_TEXT,
    RIA_V_DATE,
    RIA_V_TS,
} ria_vtype;

const char *ria_vtype_name(ria_vtype t);

typedef struct {
    ria_vtype type;
    bool is_null;
    bool wide;          /* INT/DEC held in `big` (sums beyond int64) */
    union {
        int64_t i;      /* BOOL (0/1), INT, DEC, DATE, TS */
        double d;       /* DOUBLE */
        __int128 big;   /* INT/DEC when wide */
    };
    const char *s;      /* TEXT (not NUL-terminated), borrowed */
    uint32_t n;
} ria_value;

/* The integer (INT, DEC scaled) value, wide or not. */
static inline __int128 ria_value_i128(const ria_value *v)
{
    return v->wide ? v->big : (__int128)v->i;
}

/* --------------------------------------------------------------- the plan */

typedef enum {
    RIA_X_COLUMN,    /* name; bound: col (store column id) */
    RIA_X_LITERAL,   /* lit */
    RIA_X_UNARY,     /* op in {NEG, NOT}; args[0] */
    RIA_X_BINARY,    /* op; args[0], args[1] */
    RIA_X_IN,        /* args[0] IN (args[1..]); negated for NOT IN */
    RIA_X_BETWEEN,   /* args[0] BETWEEN args[1] AND args[2]; negated */
    RIA_X_LIKE,      /* args[0] LIKE args[1] (a literal pattern); negated */
    RIA_X_IS_NULL,   /* args[0] IS NULL; negated for IS NOT NULL */
    RIA_X_CASE,      /* args = when1, then1, ..., [else] (has_else) */
    RIA_X_FUNC,      /* func(args...) */
    RIA_X_AGG,       /* agg(args[0]) (no arg for COUNT(*)); distinct */
    RIA_X_SUBQUERY,  /* a scalar subquery: sub */
} ria_xkind;

typedef enum {
    RIA_OP_ADD, RIA_OP_SUB, RIA_OP_MUL, RIA_OP_DIV, RIA_OP_MOD,
    RIA_OP_EQ, RIA_OP_NE, RIA_OP_LT, RIA_OP_LE, RIA_OP_GT, RIA_OP_GE,
    RIA_OP_AND, RIA_OP_OR, RIA_OP_NOT, RIA_OP_NEG, RIA_OP_CONCAT,
} ria_op;

typedef enum {
    /* date parts of a DATE or TS argument */
    RIA_F_YEAR, RIA_F_QUARTER, RIA_F_MONTH, RIA_F_WEEK, RIA_F_DAY, RIA_F_HOUR,
    RIA_F_MINUTE, RIA_F_DOW, RIA_F_DOY,
    /* date_trunc('unit', x): unit in trunc_unit */
    RIA_F_DATE_TRUNC,
    /* CAST(x AS cast_type) */
    RIA_F_CAST,
    RIA_F_COALESCE, RIA_F_NULLIF, RIA_F_ABS, RIA_F_ROUND, RIA_F_LOWER, RIA_F_UPPER,
    RIA_F_LENGTH, RIA_F_GREATEST, RIA_F_LEAST,
    RIA_F_COUNT_
} ria_func;

typedef enum {
    RIA_TU_HOUR, RIA_TU_DAY, RIA_TU_WEEK, RIA_TU_MONTH, RIA_TU_QUARTER,
    RIA_TU_YEAR,
} ria_time_unit;

typedef enum {
    RIA_AGG_SUM, RIA_AGG_COUNT, RIA_AGG_AVG, RIA_AGG_MIN, RIA_AGG_MAX,
} ria_agg;

struct ria_plan;

typedef struct ria_expr {
    ria_xkind kind;
    uint32_t pos;            /* byte offset in the SQL text (errors, carets) */
    ria_vtype type;          /* result type, set by the binder */
    ria_op op;
    ria_func func;
    ria_agg agg;
    ria_time_unit unit;      /* DATE_TRUNC */
    ria_vtype cast_type;     /* CAST */
    bool negated;            /* NOT IN / NOT BETWEEN / NOT LIKE / IS NOT NULL */
    bool distinct;           /* COUNT(DISTINCT x) */
    bool star;               /* COUNT(*) */
    bool has_else;           /* CASE */
    const char *name;        /* COLUMN: as written */
    int32_t col;             /* COLUMN: store column id once bound, else -1 */
    ria_value lit;           /* LITERAL */
    struct ria_expr **args;
    int nargs;
    struct ria_plan *sub;    /* SUBQUERY */
    int32_t xid;             /* executor annotation (0 = none); not part of the meaning */
} ria_expr;

typedef struct {
    ria_expr *expr;
    const char *alias;       /* NULL when none was given */
} ria_select_item;

typedef struct {
    ria_expr *expr;
    bool desc;
} ria_order_item;

typedef struct ria_plan {
    ria_arena *arena;          /* owns the plan and everything it points to */
    const char *table;         /* "sales" */
    int64_t as_of_version;     /* 0 = latest */
    int64_t as_of_time;        /* unix seconds, 0 = none */
    bool distinct;             /* SELECT DISTINCT */
    ria_select_item *select;
    int nselect;
    ria_expr *where;           /* NULL when none */
    ria_expr **group;
    int ngroup;
    ria_expr *having;
    ria_order_item *order;
    int norder;
    int64_t limit;             /* -1 = none */
    int64_t offset;
} ria_plan;

/* ------------------------------------------------------------------- SQL */

/* A parse or bind error: a message and the byte offset it points at. */
typedef struct {
    ria_status code;
    uint32_t pos;
    char msg[400];
} ria_sql_error;

/* Parses one SELECT statement (a trailing ';' is allowed).  Anything else
 * (INSERT, DROP, several statements, ...) is refused with RIA_EREFUSED and a
 * message saying only a read-only SELECT is accepted.  Syntax errors are
 * RIA_EPARSE with the offset and what was expected. */
ria_status ria_sql_parse(const char *sql, ria_arena *arena, ria_plan **out, ria_sql_error *err);

/* Formats an error as two or three lines: the message, the SQL line, and a
 * caret under the offending byte. */
void ria_sql_error_format(const char *sql, const ria_sql_error *err, ria_buf *out);

/* Resolves column names against the snapshot's schema, infers types, checks
 * aggregate placement (no aggregates in WHERE, non-aggregated select items
 * must be grouped), resolves GROUP BY / ORDER BY aliases and ordinals. */
ria_status ria_plan_bind(ria_plan *p, const ria_snapshot *snap, ria_sql_error *err);

/* Rewrites a bound plan into its canonical form (conjuncts sorted, IN of one
 * value as =, time predicates on the order date folded into one range,
 * commutative operands ordered) so that plans meaning the same thing hash the
 * same.  Safe to execute afterwards. */
void ria_plan_canonicalize(ria_plan *p);
/* Stable hash of a (canonical) plan; differs for plans that differ. */
ria_hash128 ria_plan_hash(const ria_plan *p);
/* The plan as SQL text in the engine's dialect (round-trips through the
 * parser to the same hash). */
void ria_plan_sql(const ria_plan *p, ria_buf *out);
/* The canonical serialization hashed by ria_plan_hash (for debugging). */
void ria_plan_canonical_text(const ria_plan *p, ria_buf *out);

/* --------------------------------------------------------------- results */

typedef enum { RIA_UNIT_NONE = 0, RIA_UNIT_MONEY, RIA_UNIT_COUNT, RIA_UNIT_RATIO } ria_value_unit;

typedef struct {
    const char *name;
    ria_vtype type;
    ria_value_unit unit;
} ria_result_col;

/* A query result: ncols columns, nrows rows, values row-major. */
typedef struct {
    ria_arena arena;           /* owns text values and names */
    ria_result_col *cols;
    int ncols;
    ria_value *vals;           /* nrows * ncols */
    size_t nrows;
} ria_result;

void ria_result_free(ria_result *r);
static inline const ria_value *ria_result_at(const ria_result *r, size_t row, int col)
{
    return &r->vals[row * (size_t)r->ncols + (size_t)col];
}
/* Formats one value as text (money with 2 decimals unless raw). */
void ria_value_format(const ria_value *v, bool raw, ria_buf *out);

/* ---------------------------------------------------------------- execute */

typedef struct {
    int threads;               /* 0 = all cores */
    bool no_views;             /* always scan the base table */
} ria_exec_opts;

/* What a query did, for --stats, answers and metrics. */
typedef struct {
    uint64_t rows_scanned;     /* rows whose values were evaluated */
    uint64_t bytes_read;       /* encoded bytes of the blocks decoded */
    uint32_t partitions_total, partitions_pruned;
    uint32_t blocks_total, blocks_pruned;
    char view[64];             /* view that answered, "" for the base table */
    double seconds;
    int64_t version;
} ria_exec_stats;

/* Runs a bound plan on the snapshot (whose version must be the one the plan
 * asks for; see ria_engine_snapshot_for). */
ria_status ria_execute(ria_snapshot *snap, ria_plan *p, const ria_exec_opts *opts,
                       ria_result **out, ria_exec_stats *stats, ria_error *err);

/* The snapshot a plan reads: latest, AS OF VERSION or AS OF TIMESTAMP. */
ria_status ria_engine_snapshot_for(ria_store *st, const ria_plan *p, ria_snapshot **out,
                                   ria_error *err);

/* Parse + bind + canonicalize + execute, for callers that start from SQL. */
ria_status ria_query(ria_store *st, const char *sql, const ria_exec_opts *opts,
                     ria_result **out, ria_exec_stats *stats, ria_sql_error *err);

/* A readable description of how a plan would run: canonical SQL, pruning
 * (time range, partitions and blocks kept), the view chosen or why none. */
ria_status ria_explain(ria_snapshot *snap, ria_plan *p, const ria_exec_opts *opts, ria_buf *out,
                       ria_error *err);

#endif
