/*
 * exec_internal.h — private to the executor (exec.c, vec.c, agg.c): the
 * prepared plan (read-only while threads run), vectors over one block, the
 * per-block context, and per-thread aggregation tables.
 *
 * Ownership: the prepared plan owns its tables (freed by prep_free); a
 * block context's vectors live in its arena, reset for every block; each
 * thread owns its aggregation table until the merge.
 */
#ifndef RIA_EXEC_INTERNAL_H
#define RIA_EXEC_INTERNAL_H

#include "engine_internal.h"

/* ---------------------------------------------------------------- vectors */

typedef enum { VK_I64, VK_F64, VK_CODE, VK_STR } vec_kind;

/* Values of one expression over the rows of a block.  NULL is RIA_NULL_I64
 * (VK_I64, booleans are 0/1), NaN (VK_F64), code 0 (VK_CODE), p == NULL
 * (VK_STR).  A constant vector holds one value, valid for every row.
 *
 * Integers and decimals are int64 (`i`) unless some row's value does not
 * fit: arithmetic then gives a *wide* vector, whose values are int128 in
 * `w` (and `i` is NULL), NULL being VW_NULL.  Booleans, dates and
 * timestamps are never wide. */
typedef struct {
    ria_vtype type;
    vec_kind kind;
    bool constant;
    int64_t *i;
    __int128 *w;           /* wide VK_I64: the values (i is NULL) */
    double *f;
    const uint32_t *codes;
    const ria_dict *dict;
    ria_slice *s;
} vec;

/* NULL in a wide vector; no value may be VW_NULL, so the values are
 * symmetric around 0 (|x| < 2^127). */
#define VW_NULL ((__int128)((unsigned __int128)1 << 127))

/* The value of row r of an integer vector as int128 (VW_NULL for NULL). */
static inline __int128 vec_at_w(const vec *v, uint32_t r)
{
    uint32_t k = v->constant ? 0 : r;
    if (v->w)
        return v->w[k];
    return v->i[k] == RIA_NULL_I64 ? VW_NULL : (__int128)v->i[k];
}

/* A per-dictionary-entry table: an expression over one dictionary-coded
 * column evaluated once per entry (code 0 = NULL included), so per row it is
 * a lookup.  Boolean tables carry prefix counts of TRUE for zone checks. */
typedef struct {
    int col;               /* the column, -1 when the node has no table */
    ria_vtype type;
    uint32_t n;            /* entries: dictionary size + 1 */
    int64_t *i;
    double *f;
    ria_slice *s;
    uint32_t *true_prefix; /* booleans: true_prefix[k] = TRUEs among codes < k */
} dict_table;

/* The values of an IN list, sorted for binary search: built once per query
 * by prepare for every IN node the vectors evaluate (looked up by node). */
typedef struct {
    const ria_expr *e;     /* the IN node */
    bool has_null;         /* the list holds a NULL */
    uint32_t n;            /* values that are not NULL */
    int64_t *i;            /* x an integer, decimal, boolean, date or timestamp */
    double *f;             /* x a double */
    ria_slice *s;          /* x text */
} in_list;

/* Builds the sorted list of e's values (memory from a); false when out of
 * memory. */
bool in_list_build(const ria_expr *e, ria_arena *a, in_list *out);

/* How one group key is encoded in 64 bits. */
typedef enum { KEY_CODE, KEY_I64, KEY_F64, KEY_STR } key_kind;

typedef struct {
    key_kind kind;
    ria_vtype type;
    const ria_dict *dict;  /* KEY_CODE */
    int64_t base;          /* dense: smallest value */
    uint64_t card;         /* dense: distinct slots, including NULL; 0 = unbounded */
} key_spec;

/* What an aggregate keeps per group. */
typedef enum { AS_SUM_I, AS_SUM_F, AS_COUNT, AS_MINMAX_I, AS_MINMAX_F, AS_MINMAX_S, AS_DISTINCT } agg_state_kind;

typedef struct {
    ria_expr *expr;
    agg_state_kind kind;
    bool is_max;
} agg_spec;

typedef struct {
    exec_table *t;
    ria_plan *p;
    bool grouped;          /* aggregates or GROUP BY present */
    ria_expr **conj;       /* WHERE conjuncts */
    int nconj;
    int time_col;
    int64_t lo, hi;        /* order time range [lo, hi) implied by WHERE */
    bool *need;            /* columns read */
    dict_table *dt;        /* by expr->xid */
    int ndt;
    ria_expr **keys;
    key_spec *kspec;
    int nkeys;
    agg_spec *aggs;
    int naggs;
    bool dense;            /* group ids are a mixed-radix number of the keys */
    uint64_t dense_size;
    ria_expr **proj;       /* non-grouped: select expressions then extra ORDER BY ones */
    int nproj;
    in_list *ins;          /* IN lists evaluated on vectors (in the prepare arena) */
    int nins;
} prepared;

/* ------------------------------------------------------- block context */

typedef struct {
    const prepared *pp;
    ria_segment *seg;
    uint32_t block;
    uint32_t n;            /* rows in the block */
    const uint8_t *dv;     /* segment deletions, with row0 the block's first row */
    uint64_t row0;
    vec **cols;            /* decoded columns (NULL until used) */
    ria_scratch *scratch;  /* per column, for string heaps (per thread) */
    ria_zone *zones;       /* per column */
    bool *has_zone;
    ria_arena *arena;      /* vectors of this block */
    ria_exec_stats *st;
    ria_error *err;
    ria_status rc;         /* first error while evaluating */
} blockctx;

/* The vector of e over the block's rows (decoding columns on first use). */
vec *veval(blockctx *bc, const ria_expr *e);
/* A 64-bit copy of a wide vector when its selected rows (sel, n entries)
 * all fit in 64 bits (the other rows become NULL), else NULL. */
vec *vec_narrow(blockctx *bc, const vec *v, const uint32_t *sel, uint32_t n);
/* Filters sel (n entries) to rows where the boolean vector b is TRUE;
 * returns the new count. */
uint32_t vec_filter(const vec *b, uint32_t *sel, uint32_t n);
/* The value of row r as a ria_value (text borrowed from the vector). */
ria_value vec_value(const vec *v, uint32_t r);
/* Zone-map verdict for a boolean expression on this block: -1 false for
 * every row, 1 true for every row, 0 unknown. */
int zone_verdict(blockctx *bc, const ria_expr *e);

/* -------------------------------------------------------------- aggregation */

typedef struct dset dset;

typedef struct {
    const prepared *pp;
    uint32_t ngroups, cap;
    uint64_t *keys;        /* ngroups * nkeys */
    uint32_t *slots;       /* hash index: group id + 1 */
    uint64_t *hashes;
    uint32_t nslots;
    ria_strmap strs;       /* KEY_STR interning: string -> id (entry id-1) */
    bool *seen;            /* dense: group has rows */
    /* per aggregate, arrays of cap entries */
    __int128 **sum;
    double **fsum;
    int64_t **cnt;
    int64_t **mi;
    double **mf;
    ria_slice **ms;
    __int128 **mw;         /* min/max of integers once a wide value was seen */
    bool *checked;         /* sums: a wide value was seen, add with overflow checks */
    dset ***sets;
    ria_arena text;        /* min/max strings */
} aggtab;

ria_status agg_init(aggtab *a, const prepared *pp);
void agg_free(aggtab *a);
/* Adds the selected rows of a block: key vectors and aggregate argument
 * vectors (NULL for COUNT(*)). */
ria_status agg_add(aggtab *a, vec **keys, vec **args, const uint32_t *sel, uint32_t n,
                   ria_arena *scratch);
/* Makes sure group 0 exists (aggregates without GROUP BY over no rows). */
ria_status agg_ensure_group(aggtab *a);
/* Folds b into a (b is left empty). */
ria_status agg_merge(aggtab *a, aggtab *b);
/* Key and aggregate values of group g. */
ria_value agg_key_value(const aggtab *a, uint32_t g, int k, ria_arena *out);
ria_value agg_result(const aggtab *a, uint32_t g, int k);
/* Whether group g exists (dense tables have holes). */
bool agg_group_live(const aggtab *a, uint32_t g);

#endif
