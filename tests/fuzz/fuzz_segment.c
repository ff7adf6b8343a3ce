/*
 * fuzz_segment.c — any bytes opened as a segment file: opening either fails
 * cleanly or succeeds, and then every block of every column decodes or fails
 * cleanly.  Never a crash, never a read outside the file.
 *
 * Built as a corpus replayer by `make` (tests/fuzz/replay.c is main), or with
 * libFuzzer; define FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION for segment.c
 * too so mutated blocks get past their checksums:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c17 -D_GNU_SOURCE \
 *     -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -Isrc -o /tmp/fuzz_segment \
 *     tests/fuzz/fuzz_segment.c src/store/segment.c src/core/[a-z]*.c -lzstd -lpthread -lm
 *   /tmp/fuzz_segment tests/fuzz/corpus/segment
 */
#include "store/segment_internal.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[4096];
static int fd = -1;

static void remove_file(void)
{
    if (path[0])
        unlink(path);
}

/* One temporary file per process, rewritten for each input. */
static int put_file(const uint8_t *data, size_t size)
{
    if (fd < 0) {
        const char *dir = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/fuzz_segment.XXXXXX", dir ? dir : "/tmp");
        fd = mkstemp(path);
        if (fd < 0)
            return -1;
        atexit(remove_file);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        return -1;
    return 0;
}

/* Reads block b of column id with the reader of `kind`. */
static void read_block(const ria_segment *seg, uint32_t id, ria_kind kind, uint32_t b,
                       int64_t *v, uint32_t *c, ria_scratch *s)
{
    ria_error err;
    ria_heapvec hv;
    ria_zone z;
    (void)ria_segment_zone(seg, id, b, &z);
    if (kind == RIA_KIND_I64) {
        (void)ria_segment_read_i64(seg, id, b, v, &err);
    } else if (kind == RIA_KIND_CODE) {
        (void)ria_segment_read_codes(seg, id, b, c, &err);
    } else if (ria_segment_read_heap(seg, id, b, &hv, s, &err) == RIA_OK) {
        uint32_t n = ria_segment_block_rows(seg, b);
        volatile char sink = 0;
        for (uint32_t i = 0; i < n; i++)
            if (hv.offs[i + 1] > hv.offs[i])
                sink ^= hv.bytes[hv.offs[i + 1] - 1];
        (void)sink;
    }
}

/* Every block of every column, then a few blocks of a column the file lacks
 * and of a real column read as the wrong kind. */
static void read_everything(const ria_segment *seg)
{
    int64_t *v = malloc(sizeof *v * RIA_BLOCK_ROWS);
    uint32_t *c = malloc(sizeof *c * RIA_BLOCK_ROWS);
    ria_scratch s = {0};
    uint32_t nb = ria_segment_nblocks(seg), nc = ria_segment_ncols(seg);
    for (uint32_t i = 0; i < nc && v && c; i++) {
        ria_kind kind;
        uint32_t id = ria_segment_col_at(seg, i, &kind);
        (void)ria_segment_has_column(seg, id);
        (void)ria_segment_column_bytes(seg, id);
        for (uint32_t b = 0; b < nb; b++)
            read_block(seg, id, kind, b, v, c, &s);
        read_block(seg, id, kind == RIA_KIND_HEAP ? RIA_KIND_I64 : RIA_KIND_HEAP, 0, v, c, &s);
    }
    for (ria_kind k = RIA_KIND_I64; k <= RIA_KIND_HEAP && v && c; k++)
        for (uint32_t b = 0; b < nb && b < 4; b++)
            read_block(seg, UINT32_MAX - 1, k, b, v, c, &s);
    ria_scratch_free(&s);
    free(v);
    free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ria_segment *seg = NULL;
    ria_error err;
    if (put_file(data, size) != 0)
        return 0;
    if (ria_segment_open(path, &seg, &err) == RIA_OK) {
        read_everything(seg);
        ria_segment_close(seg);
    }
    return 0;
}
