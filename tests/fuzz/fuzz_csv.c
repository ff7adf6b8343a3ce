/*
 * fuzz_csv.c — fuzz target for the streaming CSV reader (src/ingest/csv.c).
 *
 * Feeds the bytes through a memory file twice: with tiny chunks, tiny reads
 * and a tiny record cap, then with one large chunk and the same cap.  Every
 * record is checked (index and line order, raw text within the cap, valid
 * UTF-8, slices readable) and rendered; the two renderings must be equal,
 * since records may not depend on how the input is chunked.  Any failure
 * aborts.  Built with libFuzzer by `make fuzz`, or with tests/fuzz/replay.c
 * to replay the corpus in tests/fuzz/corpus/csv/.
 */
#include "ingest/csv.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CAP 40

static void require(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_csv: %s\n", what);
        abort();
    }
}

static void render(ria_buf *b, const ria_csv_record *rec)
{
    ria_buf_printf(b, "%llu+%u #%llu %x %d:", (unsigned long long)rec->line, rec->nlines,
                   (unsigned long long)rec->index, rec->flags, (int)rec->error);
    ria_buf_append(b, rec->raw.p, rec->raw.n);
    for (size_t i = 0; i < rec->nfields; i++) {
        ria_buf_printf(b, "|%zu:", rec->fields[i].n);
        ria_buf_append(b, rec->fields[i].p, rec->fields[i].n);
    }
    if (rec->message)
        ria_buf_puts(b, rec->message);
    ria_buf_putc(b, '\n');
}

static void check_record(const ria_csv_record *rec, uint64_t *index, uint64_t *line)
{
    require(rec->index == *index, "record index out of order");
    require(rec->line >= *line && rec->nlines >= 1, "line numbers out of order");
    /* the cap counts bytes as read; Windows-1252 text grows when converted */
    size_t cap = (rec->flags & RIA_CSV_CONVERTED) ? 3 * FUZZ_CAP : FUZZ_CAP;
    require(rec->raw.n <= cap, "raw text longer than the cap");
    require(ria_utf8_valid(rec->raw.p, rec->raw.n), "raw text is not UTF-8");
    bool is_error = (rec->flags & RIA_CSV_ERROR) != 0;
    require(is_error == (rec->error != RIA_CSV_ERR_NONE), "error flag and kind disagree");
    require(is_error ? rec->nfields == 0 && rec->message : rec->nfields >= 1,
            "field count");
    for (size_t i = 0; i < rec->nfields; i++)
        require(ria_utf8_valid(rec->fields[i].p, rec->fields[i].n), "field is not UTF-8");
    *index += 1;
    *line = rec->line + rec->nlines;
}

/* Reads the whole input with the given sizes into out. */
static void read_all(int fd, size_t chunk, size_t read_size, char delim, ria_buf *out)
{
    ria_csv_options opt = {.delim = delim, .chunk_size = chunk, .read_size = read_size,
                           .record_cap = FUZZ_CAP};
    ria_csv_reader *r = NULL;
    ria_csv_cursor cur;
    ria_error err = {0};
    const ria_csv_record *rec;
    uint64_t index = 0, line = 1;
    require(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    require(ria_csv_open(fd, &opt, &r, &err) == RIA_OK, "open");
    require(ria_csv_read_header(r, &rec, &err) == RIA_OK, "read_header");
    if (rec) {
        check_record(rec, &index, &line);
        render(out, rec);
    }
    ria_csv_cursor_init(&cur);
    for (;;) {
        ria_csv_chunk *c;
        require(ria_csv_next_chunk(r, &c, &err) == RIA_OK, "next_chunk");
        if (!c)
            break;
        require(c->first_index == index, "chunk first_index");
        ria_csv_cursor_reset(&cur, c);
        while (ria_csv_next(&cur, &rec, &err) == RIA_OK && rec) {
            check_record(rec, &index, &line);
            render(out, rec);
        }
        ria_csv_chunk_free(c);
    }
    ria_csv_stats st;
    ria_csv_get_stats(r, &st);
    require(st.records + (index > 0) == index, "record count");
    ria_buf_printf(out, "lines %llu blank %llu\n", (unsigned long long)st.lines,
                   (unsigned long long)st.blank_lines);
    ria_csv_cursor_free(&cur);
    ria_csv_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz_csv", 0);
    if (fd < 0)
        return 0;
    if (ria_write_all(fd, data, size, "memfd", NULL) != RIA_OK) {
        close(fd);
        return 0;
    }
    /* the sizes and the delimiter mode vary with the input, deterministically */
    size_t chunk = 1 + size % 7, read_size = 1 + size % 5;
    char delim = size % 13 == 0 ? ';' : 0;
    ria_buf small, large;
    ria_buf_init(&small, 0);
    ria_buf_init(&large, 0);
    read_all(fd, chunk, read_size, delim, &small);
    read_all(fd, 1 << 16, 0, delim, &large);
    require(small.len == large.len && (small.len == 0 || memcmp(small.data, large.data, small.len) == 0),
            "records depend on the chunk size");
    ria_buf_free(&small);
    ria_buf_free(&large);
    close(fd);
    return 0;
}
