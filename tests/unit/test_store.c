/* test_store.c — the store through its public API: commits and snapshots
 * (schema, dictionaries, decoded values), deletion vectors and time travel,
 * the writer lock, interrupted writers (dictionary tails, unpublished
 * segments), corruption reported as RIA_ECORRUPT, refusing foreign
 * directories, and vacuum keeping exactly what kept versions reference. */
#include "helpers.h"
#include "store/store.h"
#include "test.h"

#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* The table every test builds: four columns, one of each storage kind plus
 * a timestamp that decides the partition. */
enum { COL_ID, COL_TS, COL_CAT, COL_AMT, NCOLS };

typedef struct {
    char id[24];     /* order_id (heap text) */
    int64_t ts;      /* order_date (timestamp) */
    char cat[24];    /* category (dictionary text); "" = null */
    int64_t amount;  /* amount (decimal, scaled); RIA_NULL_I64 = null */
} row;

static const char *const categories[] = {"Electronics", "Beauty", "Home", "Toys", "Garden"};

/* n rows in month (year, month); ids "<tag>-<i>", a null every 7th row. */
static void make_rows(row *r, int n, const char *tag, int year, int month)
{
    int64_t day0 = ria_days_from_civil(year, month, 1);
    for (int i = 0; i < n; i++) {
        snprintf(r[i].id, sizeof r[i].id, "%s-%d", tag, i);
        r[i].ts = (day0 + i % 28) * RIA_SECS_PER_DAY + (i * 37) % RIA_SECS_PER_DAY;
        snprintf(r[i].cat, sizeof r[i].cat, "%s", i % 7 == 3 ? "" : categories[i % 5]);
        r[i].amount = i % 7 == 5 ? RIA_NULL_I64 : (int64_t)(i % 1000) * 125 + 1;
    }
}

/* A file of the store, by its path relative to the store directory. */
static const char *spath(const char *rel)
{
    return th_pathf("store/%s", rel);
}

/* Adds the four columns to a new store's transaction. */
static bool add_columns(ria_txn *tx)
{
    ria_error err = {0};
    uint32_t id;
    HCHECK(ria_txn_add_column(tx, "order_id", "Order ID", RIA_ROLE_ORDER_ID, RIA_T_TEXT,
                              RIA_KIND_HEAP, &id, &err) == RIA_OK && id == COL_ID, "%s", err.msg);
    HCHECK(ria_txn_add_column(tx, "order_date", "Order Date", RIA_ROLE_ORDER_DATE,
                              RIA_T_TIMESTAMP, RIA_KIND_I64, &id, &err) == RIA_OK && id == COL_TS,
           "%s", err.msg);
    HCHECK(ria_txn_add_column(tx, "category", "Category", RIA_ROLE_CATEGORY, RIA_T_TEXT,
                              RIA_KIND_CODE, &id, &err) == RIA_OK && id == COL_CAT, "%s", err.msg);
    HCHECK(ria_txn_add_column(tx, "amount", "Sales", RIA_ROLE_AMOUNT, RIA_T_DECIMAL,
                              RIA_KIND_I64, &id, &err) == RIA_OK && id == COL_AMT, "%s", err.msg);
    return true;
}

/* Writes rows (all in one month) as a new segment with fingerprints and
 * stages it; the staged ref is copied to *out when out is set. */
static bool add_rows(ria_txn *tx, const row *r, int n, ria_segref *out)
{
    ria_error err = {0};
    int64_t *ts = malloc(sizeof *ts * (size_t)n), *amt = malloc(sizeof *amt * (size_t)n);
    uint32_t *codes = malloc(sizeof *codes * (size_t)n);
    uint64_t *offs = malloc(sizeof *offs * (size_t)(n + 1));
    char *bytes = malloc((size_t)n * sizeof r[0].id + 1);
    ria_hash128 *fps = malloc(sizeof *fps * (size_t)n);
    bool ok = false;
    ria_segref ref;
    size_t len = 0;
    int64_t mn = INT64_MAX, mx = INT64_MIN;
    offs[0] = 0;
    for (int i = 0; i < n; i++) {
        ts[i] = r[i].ts;
        amt[i] = r[i].amount;
        mn = RIA_MIN(mn, r[i].ts);
        mx = RIA_MAX(mx, r[i].ts);
        size_t k = strlen(r[i].id);
        memcpy(bytes + len, r[i].id, k);
        len += k;
        offs[i + 1] = len;
        fps[i] = ria_hash128_of(&r[i], sizeof r[i]);
        if (ria_txn_intern(tx, COL_CAT, r[i].cat, strlen(r[i].cat), &codes[i], &err) != RIA_OK) {
            test_failed(__FILE__, __LINE__, "intern: %s", err.msg);
            goto done;
        }
    }
    ria_colvec_in cols[NCOLS] = {
        {.col_id = COL_ID, .kind = RIA_KIND_HEAP, .offs = offs, .bytes = bytes},
        {.col_id = COL_TS, .kind = RIA_KIND_I64, .i64 = ts},
        {.col_id = COL_CAT, .kind = RIA_KIND_CODE, .codes = codes},
        {.col_id = COL_AMT, .kind = RIA_KIND_I64, .i64 = amt},
    };
    char path[4200];
    if (ria_txn_new_segment(tx, ria_partition_of_ts(r[0].ts), &ref, &err) != RIA_OK ||
        ria_txn_path(tx, ref.path, path, sizeof path, &err) != RIA_OK ||
        ria_segment_write(path, (uint64_t)n, cols, NCOLS, &ref.bytes, &err) != RIA_OK ||
        ria_txn_path(tx, ref.fp_path, path, sizeof path, &err) != RIA_OK ||
        ria_fp_write(path, fps, (uint64_t)n, &err) != RIA_OK) {
        test_failed(__FILE__, __LINE__, "writing a segment: %s", err.msg);
        goto done;
    }
    ref.rows = (uint64_t)n;
    ref.min_ts = mn;
    ref.max_ts = mx;
    if (ria_txn_add_segment(tx, &ref, &err) != RIA_OK) {
        test_failed(__FILE__, __LINE__, "add segment: %s", err.msg);
        goto done;
    }
    if (out)
        *out = ref;
    ok = true;
done:
    free(ts);
    free(amt);
    free(codes);
    free(offs);
    free(bytes);
    free(fps);
    return ok;
}

static bool commit(ria_txn *tx, const char *op, int64_t want_version)
{
    ria_error err = {0};
    int64_t v = 0;
    json_t *report = json_pack("{s:s}", "summary", op);
    ria_status rc = ria_txn_commit(tx, op, report, NULL, &v, &err);
    json_decref(report);
    HCHECK(rc == RIA_OK, "commit: %s", err.msg);
    HCHECK(v == want_version, "committed version %lld, expected %lld", (long long)v,
           (long long)want_version);
    return true;
}

/* Creates the store with one commit of rows r[0..n) in one segment. */
static bool create_store(const row *r, int n, ria_segref *out)
{
    ria_error err = {0};
    ria_txn *tx = NULL;
    HCHECK(ria_txn_begin(th_store_dir(), true, &tx, &err) == RIA_OK, "begin: %s", err.msg);
    bool ok = add_columns(tx) && add_rows(tx, r, n, out) && commit(tx, "append", 1);
    ria_txn_free(tx);
    return ok;
}

/* The store most tests start from: a[0..20) made as rows "A-<i>" of
 * January 2024, committed as version 1. */
static bool create_january_store(row a[20])
{
    make_rows(a, 20, "A", 2024, 1);
    return create_store(a, 20, NULL);
}

static int cmp_row_id(const void *a, const void *b)
{
    return strcmp(((const row *)a)->id, ((const row *)b)->id);
}

/* Every live row of a version (all segments, deletion vectors applied),
 * sorted by id.  *out is malloc'd. */
static bool read_version(int64_t version, row **out, int *out_n)
{
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    if (!th_open_snapshot(version, &st, &s))
        return false;
    ria_error err = {0};
    row *rows = calloc(s->live_rows + 1, sizeof *rows);
    int n = 0;
    bool ok = true;
    int64_t i64[RIA_BLOCK_ROWS], amt[RIA_BLOCK_ROWS];
    uint32_t codes[RIA_BLOCK_ROWS];
    ria_scratch scratch = {0};
    for (int si = 0; ok && si < s->nsegs; si++) {
        ria_segment *seg;
        const uint8_t *dv;
        ok = ria_snapshot_segment(s, si, &seg, &err) == RIA_OK &&
             ria_snapshot_dv(s, si, &dv, &err) == RIA_OK;
        if (ok && ria_segment_rows(seg) != s->segs[si].rows) {
            test_failed(__FILE__, __LINE__, "segment %s has %llu rows, manifest says %llu",
                        s->segs[si].id, (unsigned long long)ria_segment_rows(seg),
                        (unsigned long long)s->segs[si].rows);
            ok = false;
            break;
        }
        uint64_t row0 = 0;
        for (uint32_t b = 0; ok && b < ria_segment_nblocks(seg); b++) {
            uint32_t nb = ria_segment_block_rows(seg, b);
            ria_heapvec hv;
            ok = ria_segment_read_i64(seg, COL_TS, b, i64, &err) == RIA_OK &&
                 ria_segment_read_i64(seg, COL_AMT, b, amt, &err) == RIA_OK &&
                 ria_segment_read_codes(seg, COL_CAT, b, codes, &err) == RIA_OK &&
                 ria_segment_read_heap(seg, COL_ID, b, &hv, &scratch, &err) == RIA_OK;
            for (uint32_t r = 0; ok && r < nb; r++) {
                if (ria_dv_get(dv, row0 + r))
                    continue;
                if ((uint64_t)n >= s->live_rows) {
                    test_failed(__FILE__, __LINE__, "more live rows than live_rows=%llu",
                                (unsigned long long)s->live_rows);
                    ok = false;
                    break;
                }
                row *o = &rows[n++];
                uint32_t k = hv.offs[r + 1] - hv.offs[r];
                snprintf(o->id, sizeof o->id, "%.*s", (int)k, hv.bytes + hv.offs[r]);
                o->ts = i64[r];
                o->amount = amt[r];
                const ria_dict *d = s->dicts[COL_CAT];
                if (codes[r] && (!d || codes[r] > d->count)) {
                    test_failed(__FILE__, __LINE__, "code %u beyond the dictionary", codes[r]);
                    ok = false;
                    break;
                }
                snprintf(o->cat, sizeof o->cat, "%s", codes[r] ? d->strs[codes[r]] : "");
            }
            row0 += nb;
        }
    }
    if (!ok && err.msg[0])
        test_failed(__FILE__, __LINE__, "reading version %lld: %s", (long long)version, err.msg);
    if (ok && (uint64_t)n != s->live_rows) {
        test_failed(__FILE__, __LINE__, "read %d rows, live_rows says %llu", n,
                    (unsigned long long)s->live_rows);
        ok = false;
    }
    ria_scratch_free(&scratch);
    ria_snapshot_free(s);
    ria_store_close(st);
    if (!ok) {
        free(rows);
        return false;
    }
    qsort(rows, (size_t)n, sizeof *rows, cmp_row_id);
    *out = rows;
    *out_n = n;
    return true;
}

/* The version's rows equal want[0..n) (any order). */
static bool version_equals(int64_t version, const row *want, int n)
{
    row *got = NULL, *exp = malloc(sizeof *exp * (size_t)(n + 1));
    int ng = 0;
    memcpy(exp, want, sizeof *exp * (size_t)n);
    qsort(exp, (size_t)n, sizeof *exp, cmp_row_id);
    bool ok = read_version(version, &got, &ng);
    if (ok && ng != n) {
        test_failed(__FILE__, __LINE__, "version %lld: %d rows, expected %d", (long long)version,
                    ng, n);
        ok = false;
    }
    for (int i = 0; ok && i < n; i++) {
        const row *a = &got[i], *b = &exp[i];
        if (strcmp(a->id, b->id) || a->ts != b->ts || strcmp(a->cat, b->cat) ||
            a->amount != b->amount) {
            test_failed(__FILE__, __LINE__,
                        "version %lld row %d: {%s %lld '%s' %lld} != {%s %lld '%s' %lld}",
                        (long long)version, i, a->id, (long long)a->ts, a->cat,
                        (long long)a->amount, b->id, (long long)b->ts, b->cat,
                        (long long)b->amount);
            ok = false;
        }
    }
    free(got);
    free(exp);
    return ok;
}

static ria_status open_snapshot(int64_t version, ria_store **st, ria_snapshot **s, ria_error *err)
{
    *s = NULL;
    ria_status rc = ria_store_open(th_store_dir(), st, err);
    if (rc != RIA_OK)
        return rc;
    rc = ria_store_snapshot(*st, version, s, err);
    if (rc != RIA_OK) {
        ria_store_close(*st);
        *st = NULL;
    }
    return rc;
}

static off_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? sb.st_size : -1;
}

static bool append_bytes(const char *path, const void *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_APPEND);
    HCHECK(fd >= 0, "cannot open %s", path);
    bool ok = write(fd, p, n) == (ssize_t)n;
    close(fd);
    HCHECK(ok, "cannot append to %s", path);
    return true;
}

/* Flips one byte of a file at offset off (negative: from the end). */
static bool flip_byte(const char *path, off_t off)
{
    int fd = open(path, O_RDWR);
    HCHECK(fd >= 0, "cannot open %s", path);
    if (off < 0)
        off += file_size(path);
    unsigned char c = 0;
    bool ok = pread(fd, &c, 1, off) == 1;
    c ^= 0x5a;
    ok = ok && pwrite(fd, &c, 1, off) == 1;
    close(fd);
    HCHECK(ok, "cannot modify %s", path);
    return true;
}

static bool write_text(const char *path, const char *text)
{
    return th_write_file(path, text, strlen(text));
}

static const char *log_path(int64_t version)
{
    return th_pathf("store/log/%020lld.json", (long long)version);
}

/* Bytes a dictionary file needs for these entries: header + (u32 len, bytes) each. */
static off_t dict_bytes(const char *const *strs, int n)
{
    off_t b = 8;
    for (int i = 0; i < n; i++)
        b += 4 + (off_t)strlen(strs[i]);
    return b;
}

/* Counts regular files under dir (recursively) and whether each is in want[]. */
static int count_files(const char *dir, const char *const *want, int nwant, int *unexpected,
                       char *first_unexpected, size_t fsz)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char sub[2048];
        snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (lstat(sub, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode)) {
            n += count_files(sub, want, nwant, unexpected, first_unexpected, fsz);
            continue;
        }
        n++;
        bool known = false;
        for (int i = 0; i < nwant; i++) {
            size_t k = strlen(want[i]), m = strlen(sub);
            if (m >= k && strcmp(sub + m - k, want[i]) == 0 && sub[m - k - 1] == '/')
                known = true;
        }
        if (!known) {
            if (!*unexpected)
                snprintf(first_unexpected, fsz, "%s", sub);
            (*unexpected)++;
        }
    }
    closedir(d);
    return n;
}

/* ------------------------------------------------------------------ tests */

TEST(store_commit_and_read_back)
{
    enum { N = 20000 }; /* three blocks */
    row *r = malloc(sizeof *r * N);
    make_rows(r, N, "A", 2024, 3);
    ria_segref ref;
    if (!create_store(r, N, &ref)) {
        free(r);
        return;
    }
    ria_error err = {0};
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    CHECK_MSG(open_snapshot(0, &st, &s, &err) == RIA_OK, "%s", err.msg);
    /* version information */
    CHECK_EQ_INT(s->info.version, 1);
    CHECK_EQ_STR(s->info.operation, "append");
    CHECK_EQ_INT(s->info.rows_added, N);
    CHECK_EQ_INT(s->info.rows_removed, 0);
    CHECK_EQ_INT(s->live_rows, N);
    CHECK(s->info.time > 0 && s->info.time <= ria_wall_time());
    CHECK(ria_snapshot_report(s) != NULL);
    /* schema */
    CHECK_EQ_INT(s->ncols, NCOLS);
    static const struct {
        const char *name, *label;
        ria_role role;
        ria_type type;
        ria_kind kind;
    } want[NCOLS] = {
        {"order_id", "Order ID", RIA_ROLE_ORDER_ID, RIA_T_TEXT, RIA_KIND_HEAP},
        {"order_date", "Order Date", RIA_ROLE_ORDER_DATE, RIA_T_TIMESTAMP, RIA_KIND_I64},
        {"category", "Category", RIA_ROLE_CATEGORY, RIA_T_TEXT, RIA_KIND_CODE},
        {"amount", "Sales", RIA_ROLE_AMOUNT, RIA_T_DECIMAL, RIA_KIND_I64},
    };
    for (int i = 0; i < NCOLS; i++) {
        CHECK_EQ_INT(s->cols[i].id, i);
        CHECK_EQ_STR(s->cols[i].name, want[i].name);
        CHECK_EQ_STR(s->cols[i].label, want[i].label);
        CHECK_EQ_INT(s->cols[i].role, want[i].role);
        CHECK_EQ_INT(s->cols[i].type, want[i].type);
        CHECK_EQ_INT(s->cols[i].kind, want[i].kind);
        CHECK((s->dicts[i] != NULL) == (want[i].kind == RIA_KIND_CODE));
    }
    CHECK(ria_snapshot_column(s, "AMOUNT") == &s->cols[COL_AMT]);
    CHECK(ria_snapshot_column(s, "Sales") == &s->cols[COL_AMT]);
    CHECK(ria_snapshot_column(s, "nope") == NULL);
    CHECK(ria_snapshot_role(s, RIA_ROLE_CATEGORY) == &s->cols[COL_CAT]);
    /* dictionary: codes in order of first appearance, 0 is null */
    ria_dict *d = s->dicts[COL_CAT];
    CHECK_EQ_INT(d->count, 5);
    const char *order[5];
    int norder = 0;
    for (int i = 0; i < N && norder < 5; i++) {
        bool seen = !r[i].cat[0];
        for (int k = 0; k < norder; k++)
            seen |= strcmp(order[k], r[i].cat) == 0;
        if (!seen)
            order[norder++] = r[i].cat;
    }
    CHECK_EQ_INT(norder, 5);
    for (uint32_t c = 1; c <= 5; c++) {
        CHECK_EQ_STR(d->strs[c], order[c - 1]);
        CHECK_EQ_INT(d->lens[c], strlen(order[c - 1]));
        CHECK_EQ_INT(ria_dict_lookup(d, order[c - 1], strlen(order[c - 1])), c);
    }
    CHECK_EQ_INT(ria_dict_lookup(d, "Food", 4), 0);
    /* segment list */
    CHECK_EQ_INT(s->nsegs, 1);
    CHECK_EQ_STR(s->segs[0].id, ref.id);
    CHECK_EQ_STR(s->segs[0].path, ref.path);
    CHECK_EQ_STR(s->segs[0].dv_path, "");
    CHECK_EQ_INT(s->segs[0].rows, N);
    CHECK_EQ_INT(s->segs[0].deleted, 0);
    CHECK_EQ_INT(s->segs[0].partition, 2024 * 12 + 2);
    CHECK_EQ_INT(s->segs[0].created, 1);
    CHECK_EQ_INT(s->segs[0].bytes, ref.bytes);
    CHECK_EQ_INT(s->segs[0].bytes, file_size(spath(ref.path)));
    char part[8];
    ria_partition_name(s->segs[0].partition, part);
    CHECK_EQ_STR(part, "2024-03");
    ria_segment *seg;
    CHECK_OK(ria_snapshot_segment(s, 0, &seg, &err_));
    CHECK_EQ_INT(ria_segment_rows(seg), N);
    CHECK_EQ_INT(ria_segment_nblocks(seg), 3);
    CHECK_EQ_INT(s->min_ts, r[0].ts);
    ria_snapshot_free(s);
    ria_store_close(st);
    /* values, row by row */
    CHECK(version_equals(1, r, N));
    /* the fingerprints written with the segment read back */
    ria_hash128 *fps = NULL;
    uint64_t nfp = 0;
    CHECK_MSG(ria_fp_read(spath(ref.fp_path), &fps, &nfp, &err) == RIA_OK, "%s", err.msg);
    CHECK_EQ_INT(nfp, N);
    bool same = fps[N - 1].lo == ria_hash128_of(&r[N - 1], sizeof r[N - 1]).lo;
    free(fps);
    free(r);
    CHECK(same);
}

TEST(store_empty_and_missing_versions)
{
    ria_error err = {0};
    ria_store *st = NULL;
    CHECK(ria_store_open(th_store_dir(), &st, &err) == RIA_ENOTFOUND);
    CHECK(err.msg[0]);
    ria_txn *tx = NULL;
    CHECK_MSG(ria_txn_begin(th_store_dir(), true, &tx, &err) == RIA_OK, "%s", err.msg);
    CHECK_EQ_INT(ria_txn_version(tx), 1);
    CHECK_EQ_INT(ria_txn_base(tx)->info.version, 0);
    CHECK_EQ_INT(ria_txn_base(tx)->nsegs, 0);
    ria_txn_free(tx);
    /* a store with no commit: latest 0, an empty snapshot, no version 1 */
    CHECK_MSG(ria_store_open(th_store_dir(), &st, &err) == RIA_OK, "%s", err.msg);
    int64_t latest = -1;
    CHECK_OK(ria_store_latest(st, &latest, &err_));
    CHECK_EQ_INT(latest, 0);
    ria_snapshot *s = NULL;
    CHECK_OK(ria_store_snapshot(st, 0, &s, &err_));
    CHECK_EQ_INT(s->live_rows, 0);
    CHECK_EQ_INT(s->nsegs, 0);
    ria_snapshot_free(s);
    err.msg[0] = 0;
    CHECK(ria_store_snapshot(st, 1, &s, &err) == RIA_ENOTFOUND);
    CHECK(err.msg[0]);
    ria_version_info *vs = NULL;
    int n = -1;
    CHECK_OK(ria_store_versions(st, &vs, &n, &err_));
    CHECK_EQ_INT(n, 0);
    free(vs);
    ria_store_close(st);
    /* after one commit: version 2 and negative versions do not exist */
    row r[10];
    make_rows(r, 10, "A", 2024, 1);
    ria_segref ref;
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    bool ok = add_columns(tx) && add_rows(tx, r, 10, &ref) && commit(tx, "append", 1);
    ria_txn_free(tx);
    CHECK(ok);
    CHECK_MSG(ria_store_open(th_store_dir(), &st, &err) == RIA_OK, "%s", err.msg);
    CHECK(ria_store_snapshot(st, 2, &s, &err) == RIA_ENOTFOUND);
    CHECK(ria_store_snapshot(st, -3, &s, &err) == RIA_ENOTFOUND);
    CHECK_OK(ria_store_latest(st, &latest, &err_));
    CHECK_EQ_INT(latest, 1);
    ria_store_close(st);
}

TEST(store_deletion_vectors_and_time_travel)
{
    enum { N = 9000 };
    row *r = malloc(sizeof *r * N), *live = malloc(sizeof *live * N);
    make_rows(r, N, "A", 2024, 5);
    ria_segref ref;
    if (!create_store(r, N, &ref)) {
        free(r);
        free(live);
        return;
    }
    /* v2 deletes every third row (including both ends of block 0/1) */
    uint8_t *bits = calloc(N / 8 + 1, 1);
    uint64_t ndel = 0;
    for (int i = 0; i < N; i += 3, ndel++)
        ria_dv_set(bits, (uint64_t)i);
    ria_dv_set(bits, RIA_BLOCK_ROWS - 1);
    ria_dv_set(bits, RIA_BLOCK_ROWS);
    ndel = 0;
    for (int i = 0; i < N; i++)
        ndel += ria_dv_get(bits, (uint64_t)i);
    ria_error err = {0};
    ria_txn *tx = NULL;
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    bool ok = ria_txn_set_dv(tx, ref.id, bits, ndel, &err) == RIA_OK;
    ok = ok && commit(tx, "upsert", 2);
    ria_txn_free(tx);
    CHECK_MSG(ok, "%s", err.msg);
    int nlive = 0;
    for (int i = 0; i < N; i++)
        if (!ria_dv_get(bits, (uint64_t)i))
            live[nlive++] = r[i];
    /* v3 deletes one more row: the full bitmap, earlier deletions included */
    ria_dv_set(bits, 1);
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    ok = ria_txn_set_dv(tx, ref.id, bits, ndel + 1, &err) == RIA_OK && commit(tx, "upsert", 3);
    ria_txn_free(tx);
    CHECK_MSG(ok, "%s", err.msg);

    CHECK(version_equals(1, r, N));
    CHECK(version_equals(2, live, nlive));
    /* row 1 was live in v2 and is gone in v3 */
    int k = 0;
    for (int i = 0; i < nlive; i++)
        if (strcmp(live[i].id, "A-1") != 0)
            live[k++] = live[i];
    CHECK_EQ_INT(k, nlive - 1);
    CHECK(version_equals(3, live, k));

    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    CHECK_OK(open_snapshot(1, &st, &s, &err_));
    const uint8_t *dv = (const uint8_t *)1;
    CHECK_OK(ria_snapshot_dv(s, 0, &dv, &err_));
    CHECK(dv == NULL);
    ria_snapshot_free(s);
    ria_store_close(st);
    CHECK_OK(open_snapshot(2, &st, &s, &err_));
    CHECK_EQ_INT(s->segs[0].deleted, ndel);
    CHECK_EQ_INT(s->live_rows, N - ndel);
    CHECK_EQ_INT(s->info.rows_removed, ndel);
    CHECK_EQ_INT(s->info.rows_added, 0);
    CHECK(s->segs[0].dv_path[0]);
    char v2_dv[96];
    snprintf(v2_dv, sizeof v2_dv, "%s", s->segs[0].dv_path);
    ria_snapshot_free(s);
    ria_store_close(st);
    CHECK_OK(open_snapshot(3, &st, &s, &err_));
    CHECK_EQ_INT(s->info.rows_removed, 1);
    CHECK_EQ_INT(s->live_rows, N - ndel - 1);
    /* each version has its own deletion vector file */
    CHECK(strcmp(s->segs[0].dv_path, v2_dv) != 0);
    ria_snapshot_free(s);
    ria_store_close(st);
    free(bits);
    free(r);
    free(live);
}

TEST(store_set_dv_cannot_undelete)
{
    row r[100];
    make_rows(r, 100, "A", 2024, 5);
    ria_segref ref;
    if (!create_store(r, 100, &ref))
        return;
    uint8_t bits[16] = {0};
    ria_dv_set(bits, 4);
    ria_dv_set(bits, 7);
    ria_error err = {0};
    ria_txn *tx = NULL;
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    bool ok = ria_txn_set_dv(tx, ref.id, bits, 2, &err) == RIA_OK && commit(tx, "upsert", 2);
    ria_txn_free(tx);
    CHECK_MSG(ok, "%s", err.msg);
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    uint8_t fewer[16] = {0};
    ria_dv_set(fewer, 4);
    ria_status rc = ria_txn_set_dv(tx, ref.id, fewer, 1, &err);
    ria_status rc2 = ria_txn_set_dv(tx, "no-such-segment", bits, 2, &err);
    ria_txn_free(tx);
    CHECK(rc != RIA_OK);
    CHECK(rc2 == RIA_ENOTFOUND);
}

TEST(store_snapshot_at_time)
{
    row a[50], b[40];
    make_rows(a, 50, "A", 2024, 1);
    make_rows(b, 40, "B", 2024, 2);
    if (!create_store(a, 50, NULL))
        return;
    ria_error err = {0};
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    CHECK_OK(open_snapshot(1, &st, &s, &err_));
    int64_t t1 = s->info.time;
    ria_snapshot_free(s);
    ria_store_close(st);
    /* the second commit lands in a later second */
    while (ria_wall_time() <= t1)
        usleep(20000);
    ria_txn *tx = NULL;
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    bool ok = add_rows(tx, b, 40, NULL) && commit(tx, "append", 2);
    ria_txn_free(tx);
    CHECK(ok);
    CHECK_OK(open_snapshot(2, &st, &s, &err_));
    int64_t t2 = s->info.time;
    ria_snapshot_free(s);
    CHECK(t2 > t1);
    CHECK_OK(ria_store_snapshot_at(st, t1, &s, &err_));
    CHECK_EQ_INT(s->info.version, 1);
    CHECK_EQ_INT(s->live_rows, 50);
    ria_snapshot_free(s);
    CHECK_OK(ria_store_snapshot_at(st, t2 - 1, &s, &err_));
    CHECK_EQ_INT(s->info.version, 1);
    ria_snapshot_free(s);
    CHECK_OK(ria_store_snapshot_at(st, t2, &s, &err_));
    CHECK_EQ_INT(s->info.version, 2);
    CHECK_EQ_INT(s->live_rows, 90);
    ria_snapshot_free(s);
    CHECK_OK(ria_store_snapshot_at(st, t2 + 86400, &s, &err_));
    CHECK_EQ_INT(s->info.version, 2);
    ria_snapshot_free(s);
    err.msg[0] = 0;
    s = NULL;
    CHECK(ria_store_snapshot_at(st, t1 - 1, &s, &err) == RIA_ENOTFOUND);
    CHECK(s == NULL);
    CHECK(err.msg[0]);
    ria_version_info *vs = NULL;
    int n = 0;
    CHECK_OK(ria_store_versions(st, &vs, &n, &err_));
    CHECK_EQ_INT(n, 2);
    CHECK(vs[0].version == 1 && vs[0].time == t1 && vs[0].live_rows == 50);
    CHECK(vs[1].version == 2 && vs[1].time == t2 && vs[1].live_rows == 90 &&
          vs[1].rows_added == 40);
    free(vs);
    ria_store_close(st);
}

TEST(store_second_writer_is_locked)
{
    row r[10];
    make_rows(r, 10, "A", 2024, 1);
    if (!create_store(r, 10, NULL))
        return;
    ria_error err = {0};
    ria_txn *tx = NULL, *tx2 = NULL;
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    err.msg[0] = 0;
    ria_status rc = ria_txn_begin(th_store_dir(), false, &tx2, &err);
    char msg[sizeof err.msg];
    snprintf(msg, sizeof msg, "%s", err.msg);
    /* maintenance takes the same lock */
    ria_vacuum_opts vo = {.keep = 1};
    ria_vacuum_result vr;
    ria_status vrc = ria_store_vacuum(th_store_dir(), &vo, &vr, &err);
    /* the writer's pid is recorded for the message */
    char *pid = NULL;
    ria_read_file(spath("lock"), 64, &pid, NULL, NULL);
    char me[32];
    snprintf(me, sizeof me, "%ld", (long)getpid());
    bool pid_ok = pid && strstr(pid, me) != NULL;
    free(pid);
    ria_txn_free(tx);
    CHECK(rc == RIA_ELOCKED);
    CHECK(tx2 == NULL);
    CHECK(msg[0] && strchr(msg, '\n') == NULL);
    CHECK_MSG(strstr(msg, me) != NULL, "message does not name the writer: %s", msg);
    CHECK(vrc == RIA_ELOCKED);
    CHECK(pid_ok);
    /* released by ria_txn_free: a new writer commits */
    CHECK_MSG(ria_txn_begin(th_store_dir(), false, &tx2, &err) == RIA_OK, "%s", err.msg);
    bool ok = add_rows(tx2, r, 10, NULL) && commit(tx2, "append", 2);
    ria_txn_free(tx2);
    CHECK(ok);
}

TEST(store_abort_publishes_nothing)
{
    row a[30], b[30];
    make_rows(a, 30, "A", 2024, 1);
    make_rows(b, 30, "B", 2024, 1);
    if (!create_store(a, 30, NULL))
        return;
    ria_error err = {0};
    ria_txn *tx = NULL;
    ria_segref orphan;
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    uint32_t code;
    bool ok = add_rows(tx, b, 30, &orphan) &&
              ria_txn_intern(tx, COL_CAT, "Unpublished", 11, &code, &err) == RIA_OK;
    ria_txn_free(tx); /* no commit */
    CHECK(ok);
    CHECK(ria_path_exists(spath(orphan.path)));
    CHECK(version_equals(1, a, 30));
    /* the next writer builds the same version number, and the orphan is not in it */
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    CHECK_EQ_INT(ria_txn_version(tx), 2);
    CHECK_EQ_INT(ria_txn_dict_count(tx, COL_CAT), 5);
    ria_segref ref;
    ok = add_rows(tx, b, 30, &ref) && commit(tx, "append", 2);
    ria_txn_free(tx);
    CHECK(ok);
    CHECK(strcmp(ref.id, orphan.id) != 0);
    row all[60];
    memcpy(all, a, sizeof a);
    memcpy(all + 30, b, sizeof b);
    CHECK(version_equals(2, all, 60));
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    CHECK_OK(open_snapshot(2, &st, &s, &err_));
    CHECK_EQ_INT(s->nsegs, 2);
    for (int i = 0; i < s->nsegs; i++)
        CHECK(strcmp(s->segs[i].id, orphan.id) != 0);
    CHECK_EQ_INT(s->dicts[COL_CAT]->count, 5);
    ria_snapshot_free(s);
    ria_store_close(st);
}

TEST(store_staging_counts_and_remove_all)
{
    row a[40], b[25], c[15];
    make_rows(a, 40, "A", 2024, 1);
    make_rows(b, 25, "B", 2024, 2);
    make_rows(c, 15, "C", 2024, 3);
    ria_error err = {0};
    ria_txn *tx = NULL;
    CHECK(ria_txn_begin(th_store_dir(), true, &tx, &err) == RIA_OK);
    ria_segref ra, rb;
    bool ok = add_columns(tx) && add_rows(tx, a, 40, &ra) && add_rows(tx, b, 25, &rb);
    /* removing a segment staged in the same transaction un-adds its rows */
    ok = ok && ria_txn_remove_segment(tx, rb.id, &err) == RIA_OK;
    ok = ok && ria_txn_nsegs(tx) == 1 && strcmp(ria_txn_seg(tx, 0)->id, ra.id) == 0;
    ok = ok && ria_txn_remove_segment(tx, rb.id, &err) == RIA_ENOTFOUND;
    ok = ok && ria_txn_add_segment(tx, &ra, &err) != RIA_OK; /* twice */
    ok = ok && commit(tx, "append", 1);
    ria_txn_free(tx);
    CHECK(ok);
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    CHECK_OK(open_snapshot(1, &st, &s, &err_));
    CHECK_EQ_INT(s->info.rows_added, 40);
    CHECK_EQ_INT(s->nsegs, 1);
    ria_snapshot_free(s);
    ria_store_close(st);
    /* replace: every live segment goes, the new rows stay */
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    ria_txn_remove_all(tx);
    ok = ria_txn_nsegs(tx) == 0 && add_rows(tx, c, 15, NULL) && commit(tx, "replace", 2);
    ria_txn_free(tx);
    CHECK(ok);
    CHECK_OK(open_snapshot(2, &st, &s, &err_));
    CHECK_EQ_STR(s->info.operation, "replace");
    CHECK_EQ_INT(s->info.rows_added, 15);
    CHECK_EQ_INT(s->info.rows_removed, 40);
    CHECK_EQ_INT(s->live_rows, 15);
    ria_snapshot_free(s);
    ria_store_close(st);
    CHECK(version_equals(1, a, 40));
    CHECK(version_equals(2, c, 15));
}

TEST(store_column_added_later_reads_null)
{
    row a[20];
    make_rows(a, 20, "A", 2024, 1);
    ria_segref ref;
    if (!create_store(a, 20, &ref))
        return;
    ria_error err = {0};
    ria_txn *tx = NULL;
    uint32_t id = 0;
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    bool ok = ria_txn_add_column(tx, "points", "Points", RIA_ROLE_NONE, RIA_T_INT, RIA_KIND_I64,
                                 &id, &err) == RIA_OK;
    ria_status dup = ria_txn_add_column(tx, "points", "Points", RIA_ROLE_NONE, RIA_T_INT,
                                        RIA_KIND_I64, &id, &err);
    ok = ok && id == NCOLS && commit(tx, "model", 2);
    ria_txn_free(tx);
    CHECK(ok);
    CHECK(dup != RIA_OK);
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    CHECK_OK(open_snapshot(2, &st, &s, &err_));
    CHECK_EQ_INT(s->ncols, NCOLS + 1);
    CHECK_EQ_STR(s->cols[NCOLS].name, "points");
    ria_segment *seg;
    CHECK_OK(ria_snapshot_segment(s, 0, &seg, &err_));
    CHECK(!ria_segment_has_column(seg, NCOLS));
    int64_t v[RIA_BLOCK_ROWS];
    v[0] = 5;
    CHECK_OK(ria_segment_read_i64(seg, NCOLS, 0, v, &err_));
    for (int i = 0; i < 20; i++)
        CHECK(v[i] == RIA_NULL_I64);
    ria_snapshot_free(s);
    /* v1 does not know the column */
    CHECK_OK(ria_store_snapshot(st, 1, &s, &err_));
    CHECK_EQ_INT(s->ncols, NCOLS);
    ria_snapshot_free(s);
    ria_store_close(st);
}

TEST(store_dict_tail_ignored_and_truncated)
{
    row a[20];
    if (!create_january_store(a))
        return;
    const char *dict = spath("dict/c2.dict");
    CHECK_EQ_INT(file_size(dict), dict_bytes(categories, 5));
    /* what a writer killed after appending leaves: a well-formed entry and
     * half of another */
    char tail[32];
    uint32_t len = 5;
    memcpy(tail, &len, 4);
    memcpy(tail + 4, "Ghost", 5);
    len = 1000;
    memcpy(tail + 9, &len, 4);
    memcpy(tail + 13, "Half", 4);
    CHECK(append_bytes(dict, tail, 17));
    /* readers see exactly the committed codes */
    ria_error err = {0};
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    CHECK_MSG(open_snapshot(0, &st, &s, &err) == RIA_OK, "%s", err.msg);
    CHECK_EQ_INT(s->dicts[COL_CAT]->count, 5);
    CHECK_EQ_INT(ria_dict_lookup(s->dicts[COL_CAT], "Ghost", 5), 0);
    ria_snapshot_free(s);
    ria_store_close(st);
    CHECK(version_equals(1, a, 20));
    /* the next commit that adds to the dictionary replaces the tail */
    ria_txn *tx = NULL;
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    row b[3];
    make_rows(b, 3, "B", 2024, 2);
    snprintf(b[0].cat, sizeof b[0].cat, "Ghost");
    snprintf(b[1].cat, sizeof b[1].cat, "Books");
    bool ok = add_rows(tx, b, 3, NULL) && commit(tx, "append", 2);
    ria_txn_free(tx);
    CHECK(ok);
    static const char *const now[] = {"Electronics", "Beauty", "Home", "Toys", "Garden", "Ghost",
                                      "Books"};
    CHECK_EQ_INT(file_size(dict), dict_bytes(now, 7));
    CHECK_MSG(open_snapshot(0, &st, &s, &err) == RIA_OK, "%s", err.msg);
    CHECK_EQ_INT(s->dicts[COL_CAT]->count, 7);
    CHECK_EQ_INT(ria_dict_lookup(s->dicts[COL_CAT], "Ghost", 5), 6);
    CHECK_EQ_STR(s->dicts[COL_CAT]->strs[7], "Books");
    ria_snapshot_free(s);
    /* the old version still sees five codes */
    CHECK_OK(ria_store_snapshot(st, 1, &s, &err_));
    CHECK_EQ_INT(s->dicts[COL_CAT]->count, 5);
    ria_snapshot_free(s);
    ria_store_close(st);
    row all[23];
    memcpy(all, a, sizeof a);
    memcpy(all + 20, b, sizeof b);
    CHECK(version_equals(2, all, 23));
    CHECK(version_equals(1, a, 20));
}

TEST(store_dict_tail_left_by_commit_without_new_entries)
{
    /* a commit that adds no dictionary entries still leaves the file readable */
    row a[20];
    if (!create_january_store(a))
        return;
    const char *dict = spath("dict/c2.dict");
    CHECK(append_bytes(dict, "\x03\x00\x00\x00XYZ", 7));
    ria_error err = {0};
    ria_txn *tx = NULL;
    row b[5];
    make_rows(b, 5, "B", 2024, 3); /* only known categories */
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    bool ok = add_rows(tx, b, 5, NULL) && commit(tx, "append", 2);
    ria_txn_free(tx);
    CHECK(ok);
    row all[25];
    memcpy(all, a, sizeof a);
    memcpy(all + 20, b, sizeof b);
    CHECK(version_equals(2, all, 25));
    /* and a later commit that does add entries starts from the committed length */
    row c[1];
    make_rows(c, 1, "C", 2024, 4);
    snprintf(c[0].cat, sizeof c[0].cat, "Music");
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    ok = add_rows(tx, c, 1, NULL) && commit(tx, "append", 3);
    ria_txn_free(tx);
    CHECK(ok);
    static const char *const now[] = {"Electronics", "Beauty", "Home", "Toys", "Garden", "Music"};
    CHECK_EQ_INT(file_size(dict), dict_bytes(now, 6));
    row all3[26];
    memcpy(all3, all, sizeof all);
    all3[25] = c[0];
    CHECK(version_equals(3, all3, 26));
}

TEST(store_corrupt_log_entry_is_reported)
{
    row a[20], b[10];
    make_rows(b, 10, "B", 2024, 1);
    if (!create_january_store(a))
        return;
    ria_error err = {0};
    ria_txn *tx = NULL;
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    bool ok = add_rows(tx, b, 10, NULL) && commit(tx, "append", 2);
    ria_txn_free(tx);
    CHECK(ok);
    char *good = NULL;
    size_t len = 0;
    CHECK_OK(ria_read_file(log_path(2), 1 << 20, &good, &len, &err_));
    /* cut in half: not JSON */
    int fd = open(log_path(2), O_WRONLY | O_TRUNC);
    bool wrote = fd >= 0 && write(fd, good, len / 2) == (ssize_t)(len / 2);
    if (fd >= 0)
        close(fd);
    CHECK(wrote);
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    CHECK_OK(ria_store_open(th_store_dir(), &st, &err_));
    err.msg[0] = 0;
    CHECK(ria_store_snapshot(st, 2, &s, &err) == RIA_ECORRUPT);
    CHECK(err.msg[0] && strchr(err.msg, '\n') == NULL);
    err.msg[0] = 0;
    CHECK(ria_store_snapshot(st, 0, &s, &err) == RIA_ECORRUPT);
    ria_version_info *vs = NULL;
    int n = 0;
    CHECK(ria_store_versions(st, &vs, &n, &err) == RIA_ECORRUPT);
    /* the older version is still readable */
    CHECK_OK(ria_store_snapshot(st, 1, &s, &err_));
    ria_snapshot_free(s);
    ria_store_close(st);
    /* a writer does not build on a corrupt version */
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_ECORRUPT);

    /* valid JSON with a malformed segment entry */
    json_error_t je;
    json_t *m = json_loads(good, 0, &je);
    CHECK(m);
    json_t *seg0 = json_array_get(json_object_get(m, "segments"), 0);
    json_object_set_new(seg0, "rows", json_string("many"));
    CHECK(json_dump_file(m, log_path(2), 0) == 0);
    json_decref(m);
    CHECK_OK(ria_store_open(th_store_dir(), &st, &err_));
    err.msg[0] = 0;
    CHECK(ria_store_snapshot(st, 2, &s, &err) == RIA_ECORRUPT);
    CHECK(err.msg[0]);
    ria_store_close(st);

    /* a segment path that leaves the store */
    m = json_loads(good, 0, &je);
    seg0 = json_array_get(json_object_get(m, "segments"), 0);
    json_object_set_new(seg0, "path", json_string("../../etc/passwd"));
    CHECK(json_dump_file(m, log_path(2), 0) == 0);
    json_decref(m);
    CHECK_OK(ria_store_open(th_store_dir(), &st, &err_));
    CHECK(ria_store_snapshot(st, 2, &s, &err) == RIA_ECORRUPT);
    ria_store_close(st);

    /* not an object at all */
    CHECK(write_text(log_path(2), "[1, 2, 3]\n"));
    CHECK_OK(ria_store_open(th_store_dir(), &st, &err_));
    CHECK(ria_store_snapshot(st, 2, &s, &err) != RIA_OK);
    ria_store_close(st);
    free(good);
}

/* A new 20-row store whose log entry of version 1 lost `key`, read back:
 * the snapshot's status, and its live rows and columns when it opened. */
static bool snapshot_without(const char *key, ria_status *rc, uint64_t *rows, int *ncols)
{
    row a[20];
    if (!create_january_store(a))
        return false;
    json_error_t je;
    json_t *m = json_load_file(log_path(1), 0, &je);
    HCHECK(m, "%s: %s", log_path(1), je.text);
    json_object_del(m, key);
    int dumped = json_dump_file(m, log_path(1), 0);
    json_decref(m);
    HCHECK(dumped == 0, "cannot write %s", log_path(1));
    ria_error err = {0};
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    HCHECK(ria_store_open(th_store_dir(), &st, &err) == RIA_OK, "open: %s", err.msg);
    *rc = ria_store_snapshot(st, 1, &s, &err);
    *rows = *rc == RIA_OK ? s->live_rows : 0;
    *ncols = *rc == RIA_OK ? s->ncols : -1;
    ria_snapshot_free(s);
    ria_store_close(st);
    return true;
}

TEST(store_manifest_without_segment_list_is_corrupt)
{
    /* A commit always lists its segments; a log entry without the list
     * must not read as an empty table. */
    ria_status rc;
    uint64_t rows;
    int ncols;
    CHECK(snapshot_without("segments", &rc, &rows, &ncols));
    CHECK_MSG(rc == RIA_ECORRUPT, "manifest without \"segments\": status %d, %llu rows", (int)rc,
              (unsigned long long)rows);
}

TEST(store_manifest_without_columns_is_corrupt)
{
    ria_status rc;
    uint64_t rows;
    int ncols;
    CHECK(snapshot_without("columns", &rc, &rows, &ncols));
    CHECK_MSG(rc == RIA_ECORRUPT, "manifest without \"columns\": status %d, %d columns", (int)rc,
              ncols);
}

TEST(store_unrenamed_log_entry_is_invisible)
{
    /* a writer killed between writing its log entry and renaming it */
    row a[20], b[10];
    make_rows(b, 10, "B", 2024, 2);
    if (!create_january_store(a))
        return;
    char *text = NULL;
    size_t len = 0;
    CHECK_OK(ria_read_file(log_path(1), 1 << 20, &text, &len, &err_));
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.tmp.999999", log_path(2));
    ria_error err = {0};
    bool ok = ria_write_file_atomic(tmp, text, len / 2, &err) == RIA_OK;
    free(text);
    CHECK(ok);
    CHECK(write_text(spath("reports/2.json"), "{\"summary\": \"from a killed writer\"}"));
    ria_store *st = NULL;
    CHECK_OK(ria_store_open(th_store_dir(), &st, &err_));
    int64_t latest = 0;
    CHECK_OK(ria_store_latest(st, &latest, &err_));
    ria_version_info *vs = NULL;
    int n = 0;
    ria_status rc = ria_store_versions(st, &vs, &n, &err);
    free(vs);
    ria_store_close(st);
    CHECK_EQ_INT(latest, 1);
    CHECK(rc == RIA_OK && n == 1);
    ria_txn *tx = NULL;
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    ok = add_rows(tx, b, 10, NULL) && commit(tx, "append", 2);
    ria_txn_free(tx);
    CHECK(ok);
    row all[30];
    memcpy(all, a, sizeof a);
    memcpy(all + 20, b, sizeof b);
    CHECK(version_equals(2, all, 30));
    json_error_t je;
    json_t *rep = json_load_file(spath("reports/2.json"), 0, &je);
    CHECK(rep);
    bool fresh = strcmp(json_string_value(json_object_get(rep, "summary")), "append") == 0;
    json_decref(rep);
    CHECK(fresh);
}

TEST(store_vacuum_removes_interrupted_log_entry)
{
    /* vacuum.c: "files left by interrupted writers" go; a log entry that
     * was written but never renamed is one of them */
    row a[20];
    if (!create_january_store(a))
        return;
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.tmp.999999", log_path(2));
    CHECK(write_text(tmp, "{\"format\": 1"));
    ria_vacuum_opts vo = {.keep = 1};
    ria_vacuum_result vr;
    CHECK_OK(ria_store_vacuum(th_store_dir(), &vo, &vr, &err_));
    CHECK_MSG(!ria_path_exists(tmp), "vacuum left %s", tmp);
    CHECK(version_equals(1, a, 20));
}

TEST(store_corrupt_dictionary_is_reported)
{
    row a[20];
    if (!create_january_store(a))
        return;
    const char *dict = spath("dict/c2.dict");
    char *good = NULL;
    size_t len = 0;
    CHECK_OK(ria_read_file(dict, 1 << 20, &good, &len, &err_));
    ria_error err = {0};
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    /* one byte changed inside the committed prefix */
    CHECK(flip_byte(dict, 14));
    err.msg[0] = 0;
    CHECK(open_snapshot(1, &st, &s, &err) == RIA_ECORRUPT);
    CHECK_MSG(strstr(err.msg, "c2.dict") != NULL, "message: %s", err.msg);
    /* shorter than the commit says */
    CHECK(ria_write_file_atomic(dict, good, len - 3, &err) == RIA_OK);
    err.msg[0] = 0;
    CHECK(open_snapshot(1, &st, &s, &err) == RIA_ECORRUPT);
    CHECK(err.msg[0]);
    /* gone */
    CHECK(unlink(dict) == 0);
    err.msg[0] = 0;
    CHECK(open_snapshot(1, &st, &s, &err) == RIA_ECORRUPT);
    CHECK(err.msg[0]);
    /* restored: fine again */
    CHECK(ria_write_file_atomic(dict, good, len, &err) == RIA_OK);
    free(good);
    CHECK(version_equals(1, a, 20));
}

TEST(store_corrupt_segment_and_dv_are_reported)
{
    enum { N = 500 };
    row a[N];
    make_rows(a, N, "A", 2024, 1);
    ria_segref ref;
    if (!create_store(a, N, &ref))
        return;
    uint8_t bits[N / 8 + 1] = {0};
    ria_dv_set(bits, 10);
    ria_error err = {0};
    ria_txn *tx = NULL;
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    bool ok = ria_txn_set_dv(tx, ref.id, bits, 1, &err) == RIA_OK && commit(tx, "upsert", 2);
    ria_txn_free(tx);
    CHECK(ok);
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    CHECK_OK(open_snapshot(2, &st, &s, &err_));
    char dv[96];
    snprintf(dv, sizeof dv, "%s", s->segs[0].dv_path);
    ria_snapshot_free(s);
    ria_store_close(st);
    /* a flipped bit in the deletion vector */
    CHECK(flip_byte(spath(dv), -1));
    CHECK_OK(open_snapshot(2, &st, &s, &err_));
    const uint8_t *bv = NULL;
    err.msg[0] = 0;
    CHECK(ria_snapshot_dv(s, 0, &bv, &err) == RIA_ECORRUPT);
    CHECK(err.msg[0]);
    ria_snapshot_free(s);
    ria_store_close(st);
    /* a flipped byte in the middle of the segment: open or read says so */
    CHECK(flip_byte(spath(ref.path), file_size(spath(ref.path)) / 3));
    CHECK_OK(open_snapshot(1, &st, &s, &err_));
    ria_segment *seg = NULL;
    ria_status rc = ria_snapshot_segment(s, 0, &seg, &err);
    if (rc == RIA_OK) {
        int64_t v[RIA_BLOCK_ROWS];
        uint32_t codes[RIA_BLOCK_ROWS];
        ria_heapvec hv;
        ria_scratch sc = {0};
        ria_status r1 = ria_segment_read_i64(seg, COL_TS, 0, v, &err);
        ria_status r2 = ria_segment_read_i64(seg, COL_AMT, 0, v, &err);
        ria_status r3 = ria_segment_read_codes(seg, COL_CAT, 0, codes, &err);
        ria_status r4 = ria_segment_read_heap(seg, COL_ID, 0, &hv, &sc, &err);
        ria_scratch_free(&sc);
        rc = r1 != RIA_OK ? r1 : r2 != RIA_OK ? r2 : r3 != RIA_OK ? r3 : r4;
    }
    ria_snapshot_free(s);
    ria_store_close(st);
    CHECK_EQ_INT(rc, RIA_ECORRUPT);
}

TEST(store_create_refuses_foreign_directory)
{
    const char *dir = th_path("photos");
    CHECK(mkdir(dir, 0755) == 0);
    CHECK(write_text(th_path("photos/cat.jpg"), "not a store"));
    ria_error err = {0};
    ria_txn *tx = NULL;
    err.msg[0] = 0;
    ria_status rc = ria_txn_begin(dir, true, &tx, &err);
    CHECK(rc != RIA_OK);
    CHECK(tx == NULL);
    CHECK(err.msg[0] && strchr(err.msg, '\n') == NULL);
    /* nothing was added to the directory */
    int unexpected = 0;
    char first[1024] = "";
    static const char *const only[] = {"cat.jpg"};
    CHECK_EQ_INT(count_files(dir, only, 1, &unexpected, first, sizeof first), 1);
    CHECK_MSG(unexpected == 0, "created %s", first);
    DIR *d = opendir(dir);
    int entries = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        entries += e->d_name[0] != '.';
    if (d)
        closedir(d);
    CHECK_EQ_INT(entries, 1);
    ria_store *st = NULL;
    CHECK(ria_store_open(dir, &st, &err) == RIA_ENOTFOUND);
    /* opening for write without create does not create either */
    CHECK(ria_txn_begin(th_path("nothing-here"), false, &tx, &err) == RIA_ENOTFOUND);
    CHECK(!ria_path_exists(th_path("nothing-here")));
    /* an empty existing directory is fine */
    CHECK(mkdir(th_path("empty"), 0755) == 0);
    CHECK_MSG(ria_txn_begin(th_path("empty"), true, &tx, &err) == RIA_OK, "%s", err.msg);
    ria_txn_free(tx);
}

TEST(store_vacuum_keeps_what_kept_versions_reference)
{
    row a[30], b[20], c[10], d[5];
    make_rows(a, 30, "A", 2024, 1);
    make_rows(b, 20, "B", 2024, 2);
    make_rows(c, 10, "C", 2024, 1);
    make_rows(d, 5, "D", 2024, 4);
    ria_segref ra, rb, rcc, rd;
    if (!create_store(a, 30, &ra))
        return;
    ria_error err = {0};
    ria_txn *tx = NULL;
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    bool ok = add_rows(tx, b, 20, &rb) && commit(tx, "append", 2);
    ria_txn_free(tx);
    CHECK(ok);
    /* v3: A replaced by C, one row of B deleted */
    uint8_t bits[8] = {0};
    ria_dv_set(bits, 0);
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    ok = ria_txn_remove_segment(tx, ra.id, &err) == RIA_OK && add_rows(tx, c, 10, &rcc) &&
         ria_txn_set_dv(tx, rb.id, bits, 1, &err) == RIA_OK && commit(tx, "upsert", 3);
    ria_txn_free(tx);
    CHECK_MSG(ok, "%s", err.msg);
    /* an interrupted writer's segment and a stray temporary file */
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    ok = add_rows(tx, d, 5, &rd);
    ria_txn_free(tx);
    CHECK(ok);
    CHECK(write_text(spath("data/2024-01/x.seg.tmp.123"), "partial"));

    int unexpected = 0;
    char first[1024] = "";
    int before = count_files(spath("data"), NULL, 0, &unexpected, first, sizeof first);
    CHECK_EQ_INT(before, 10); /* 4 segments x (seg, fp) + dv + tmp */
    /* dry run: counts, removes nothing */
    ria_vacuum_opts vo = {.keep = 2, .dry_run = true};
    ria_vacuum_result vr;
    CHECK_MSG(ria_store_vacuum(th_store_dir(), &vo, &vr, &err) == RIA_OK, "%s", err.msg);
    /* D's seg and fp, the temporary file, v1's report (A is still live in v2) */
    CHECK_EQ_INT(vr.files_removed, 4);
    CHECK_EQ_INT(vr.oldest_kept, 2);
    unexpected = 0;
    CHECK_EQ_INT(count_files(spath("data"), NULL, 0, &unexpected, first, sizeof first), before);
    CHECK(version_equals(1, a, 30));
    uint64_t dry_files = vr.files_removed;

    vo.dry_run = false;
    CHECK_MSG(ria_store_vacuum(th_store_dir(), &vo, &vr, &err) == RIA_OK, "%s", err.msg);
    CHECK_EQ_INT(vr.files_removed, dry_files);
    CHECK_EQ_INT(vr.oldest_kept, 2);
    CHECK(vr.bytes_removed > 0);
    /* exactly the files of v2 and v3 are left under data/ */
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    CHECK_OK(open_snapshot(3, &st, &s, &err_));
    char dvrel[96];
    snprintf(dvrel, sizeof dvrel, "%s", s->segs[0].dv_path[0] ? s->segs[0].dv_path
                                                                 : s->segs[1].dv_path);
    ria_snapshot_free(s);
    ria_store_close(st);
    const char *keep[] = {ra.path, ra.fp_path, rb.path, rb.fp_path, rcc.path, rcc.fp_path, dvrel};
    unexpected = 0;
    first[0] = 0;
    CHECK_EQ_INT(count_files(spath("data"), keep, 7, &unexpected, first, sizeof first), 7);
    CHECK_MSG(unexpected == 0, "left behind: %s", first);
    CHECK(!ria_path_exists(spath(rd.path)));
    CHECK(!ria_path_exists(spath(rd.fp_path)));
    CHECK(!ria_path_exists(spath("data/2024-01/x.seg.tmp.123")));
    CHECK(!ria_path_exists(spath("reports/1.json")));
    CHECK(ria_path_exists(spath("reports/2.json")));
    CHECK(ria_path_exists(spath("reports/3.json")));
    /* v1 is gone with a clear error; v2 and v3 read as before */
    CHECK_OK(ria_store_open(th_store_dir(), &st, &err_));
    err.msg[0] = 0;
    CHECK(ria_store_snapshot(st, 1, &s, &err) == RIA_ENOTFOUND);
    CHECK_MSG(strstr(err.msg, "vacuum") != NULL, "message: %s", err.msg);
    ria_store_close(st);
    row v2[50], v3[29];
    memcpy(v2, a, sizeof a);
    memcpy(v2 + 30, b, sizeof b);
    memcpy(v3, b + 1, sizeof b - sizeof b[0]);
    memcpy(v3 + 19, c, sizeof c);
    CHECK(version_equals(2, v2, 50));
    CHECK(version_equals(3, v3, 29));
    /* a second vacuum finds nothing; keep 1 then drops what only v2 needs */
    vo.keep = 2;
    CHECK_OK(ria_store_vacuum(th_store_dir(), &vo, &vr, &err_));
    CHECK_EQ_INT(vr.files_removed, 0);
    vo.keep = 1;
    CHECK_OK(ria_store_vacuum(th_store_dir(), &vo, &vr, &err_));
    CHECK_EQ_INT(vr.oldest_kept, 3);
    CHECK(ria_path_exists(spath(rb.path))); /* still live in v3 */
    CHECK(!ria_path_exists(spath(ra.path))); /* only v1 and v2 had it */
    CHECK(!ria_path_exists(spath(ra.fp_path)));
    CHECK(version_equals(3, v3, 29));
    CHECK_OK(ria_store_open(th_store_dir(), &st, &err_));
    CHECK(ria_store_snapshot(st, 2, &s, &err) == RIA_ENOTFOUND);
    ria_version_info *vs = NULL;
    int n = 0;
    CHECK_OK(ria_store_versions(st, &vs, &n, &err_));
    free(vs);
    ria_store_close(st);
    CHECK_EQ_INT(n, 3); /* history stays listed */
    /* and the store takes new commits */
    CHECK(ria_txn_begin(th_store_dir(), false, &tx, &err) == RIA_OK);
    ok = add_rows(tx, d, 5, NULL) && commit(tx, "append", 4);
    ria_txn_free(tx);
    CHECK(ok);
}
