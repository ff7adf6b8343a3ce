/*
 * store_internal.h — private to the store component: the store handle, the
 * manifest (log entry) parser shared by snapshots and transactions, and the
 * dictionary file format.
 */
#ifndef RIA_STORE_INTERNAL_H
#define RIA_STORE_INTERNAL_H

#include "store.h"

#include <jansson.h>

#define RIA_STORE_MARKER "RIA_STORE"
#define RIA_DICT_MAGIC "RIADICT1"
#define RIA_DICT_HEADER 8
/* Largest dictionary a text column may have before ingest refuses. */
#define RIA_DICT_MAX_CODES (1u << 24)

struct ria_store {
    char dir[4096];
};

/* What a commit records about one dictionary file. */
typedef struct {
    uint32_t count;   /* entries (codes 1..count) */
    uint64_t bytes;   /* file prefix covered, header included */
    uint64_t hash;    /* XXH3-64 of that prefix */
} dict_state;

/* Path of a log entry, dictionary, etc. */
void store_log_path(const char *dir, int64_t version, char *out, size_t outsz);
void store_dict_path(const char *dir, uint32_t col_id, char *out, size_t outsz);

/* Lists committed versions (sorted ascending); caller frees *out. */
ria_status store_list_versions(const char *dir, int64_t **out, int *out_n, ria_error *err);
/* Versions below the horizon were vacuumed (their files may be gone). */
int64_t store_horizon(const char *dir);

/* Parses a log entry into a snapshot (dictionaries loaded). */
ria_status store_load_snapshot(ria_store *st, int64_t version, ria_snapshot **out,
                               ria_error *err);
/* An empty snapshot (a store without commits). */
ria_snapshot *store_empty_snapshot(ria_store *st);
/* Dictionary state recorded for a column in a manifest (zeros when none). */
dict_state store_dict_state(const ria_snapshot *snap, uint32_t col_id);

/* Loads count entries of a dictionary file prefix and checks its hash. */
ria_status dict_load(const char *path, const dict_state *ds, ria_dict **out, ria_error *err);
void dict_free(ria_dict *d);

/* JSON helpers. */
json_t *column_to_json(const ria_column *c);
ria_status column_from_json(json_t *j, ria_column *out, ria_error *err);
json_t *segref_to_json(const ria_segref *s);
ria_status segref_from_json(json_t *j, ria_segref *out, ria_error *err);

#endif
