/*
 * helpers.h — what several unit-test files share: paths under the test's
 * temporary directory, small files, generated sales CSV and loading a file
 * into the test store.  No tests of its own (those are TEST()s in the
 * test_*.c files).
 *
 * Helpers that can fail record why (test_failed) and return false or NULL,
 * so a test writes CHECK(th_...) and a helper of a test file HCHECK(th_...).
 * Every path lives under test_tmpdir(), which is fresh for each test.
 */
#ifndef RIA_TEST_HELPERS_H
#define RIA_TEST_HELPERS_H

#include "ingest/ingest.h"
#include "test.h"

#include <jansson.h>
#include <stdbool.h>

/* test_tmpdir()/rel.  The text lives in one of 16 rotating buffers: valid
 * until 16 more calls of th_path or th_pathf. */
const char *th_path(const char *rel);
/* The same for a printf-style relative path. */
const char *th_pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The test store's directory, test_tmpdir()/store (one buffer of its own,
 * valid for the whole test). */
const char *th_store_dir(void);

/* Writes n bytes of text as the file at path (created or truncated). */
bool th_write_file(const char *path, const char *text, size_t n);

/* Generated sales CSV as the file name under the test directory: rows lines
 * from seed, two generator threads.  start (YYYY-MM-DD) and years set the
 * span; NULL and 0 keep the generator's default (2022-01-01, three years). */
bool th_gen_csv(const char *name, uint64_t rows, uint64_t seed, const char *start, int years);

/* Loads the file name (under the test directory) into the test store as
 * one commit: mode, key (NULL for none), two threads, quietly.  Returns the
 * load's report (the caller frees it), or NULL after recording why. */
json_t *th_ingest_report(const char *name, ria_ingest_mode mode, const char *key);
/* The same without the report. */
bool th_ingest(const char *name, ria_ingest_mode mode, const char *key);

/* Opens the test store and its snapshot of version (0: the latest); the
 * caller frees both.  On failure records why and leaves nothing open. */
bool th_open_snapshot(int64_t version, ria_store **st, ria_snapshot **s);

/* qsort comparison of two char * by strcmp. */
int th_cmp_str(const void *a, const void *b);

#endif
