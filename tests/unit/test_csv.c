/*
 * test_csv.c — the streaming CSV reader (src/ingest/csv.c): grammar, line
 * numbers, blank lines, encodings, delimiter detection, error records, and
 * that records do not depend on chunk or read sizes (fixed nasty inputs and
 * a randomized round trip through a reference encoder).
 *
 * Most tests render every record of an input as text, one line each:
 *   <line>:<nlines>:<flags>:<field>|<field>...      (flags from R C E T)
 *   <line>:<nlines>:<flags>:!<message>!<raw>        (error records)
 * with \n \r \t | \ escaped, and compare with the expected rendering.
 */
#include "test.h"

#include "ingest/csv.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------- helpers */

/* A memory file holding data, positioned at its start; -1 on failure. */
static int mem_input(const void *data, size_t n)
{
    int fd = memfd_create("csv", 0);
    if (fd < 0)
        return -1;
    if (ria_write_all(fd, data, n, "memfd", NULL) != RIA_OK || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void put_escaped(ria_buf *b, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (p[i]) {
        case '\n': ria_buf_puts(b, "\\n"); break;
        case '\r': ria_buf_puts(b, "\\r"); break;
        case '\t': ria_buf_puts(b, "\\t"); break;
        case '|': ria_buf_puts(b, "\\|"); break;
        case '\\': ria_buf_puts(b, "\\\\"); break;
        default: ria_buf_putc(b, p[i]);
        }
    }
}

static void render(ria_buf *b, const ria_csv_record *rec)
{
    ria_buf_printf(b, "%llu:%u:", (unsigned long long)rec->line, rec->nlines);
    if (rec->flags & RIA_CSV_REPAIRED)
        ria_buf_putc(b, 'R');
    if (rec->flags & RIA_CSV_CONVERTED)
        ria_buf_putc(b, 'C');
    if (rec->flags & RIA_CSV_ERROR)
        ria_buf_putc(b, 'E');
    if (rec->flags & RIA_CSV_TRUNCATED)
        ria_buf_putc(b, 'T');
    ria_buf_putc(b, ':');
    if (rec->flags & RIA_CSV_ERROR) {
        ria_buf_printf(b, "!%s!", rec->message);
        put_escaped(b, rec->raw.p, rec->raw.n);
    }
    for (size_t i = 0; i < rec->nfields; i++) {
        if (i)
            ria_buf_putc(b, '|');
        put_escaped(b, rec->fields[i].p, rec->fields[i].n);
    }
    ria_buf_putc(b, '\n');
}

/* Everything one read of an input produced. */
typedef struct {
    ria_buf text;          /* rendering of every record, header first */
    ria_csv_stats st;      /* reader totals at the end */
    uint64_t converted, repaired, errors, records; /* cursor counters, summed */
    uint64_t chunk_blank, chunk_lines, chunk_in;   /* chunk fields, summed */
    size_t nchunks;
    char problem[200];     /* an API failure or broken invariant, else "" */
} run_result;

static void run_free(run_result *res)
{
    ria_buf_free(&res->text);
}

static bool check_chunk(run_result *res, const ria_csv_chunk *c, uint64_t *next_line,
                        uint64_t *next_index)
{
    if (c->seq != res->nchunks || c->first_line != *next_line || c->first_index != *next_index) {
        snprintf(res->problem, sizeof res->problem,
                 "chunk %zu: seq %llu first_line %llu (want %llu) first_index %llu (want %llu)",
                 res->nchunks, (unsigned long long)c->seq, (unsigned long long)c->first_line,
                 (unsigned long long)*next_line, (unsigned long long)c->first_index,
                 (unsigned long long)*next_index);
        return false;
    }
    *next_line += c->lines;
    *next_index += c->nrecords;
    res->nchunks++;
    res->chunk_blank += c->blank_lines;
    res->chunk_lines += c->lines;
    res->chunk_in += c->in_bytes;
    return true;
}

/* Iterates one chunk's records into res; false on a failure. */
static bool run_chunk(run_result *res, ria_csv_cursor *cur, const ria_csv_chunk *c,
                      uint64_t *index)
{
    ria_csv_cursor_reset(cur, c);
    for (;;) {
        const ria_csv_record *rec;
        ria_error err = {0};
        if (ria_csv_next(cur, &rec, &err) != RIA_OK) {
            snprintf(res->problem, sizeof res->problem, "next: %s", err.msg);
            return false;
        }
        if (!rec)
            break;
        if (rec->index != (*index)++) {
            snprintf(res->problem, sizeof res->problem, "record index %llu",
                     (unsigned long long)rec->index);
            return false;
        }
        render(&res->text, rec);
    }
    res->converted += cur->converted;
    res->repaired += cur->repaired;
    res->errors += cur->errors;
    res->records += cur->records;
    return true;
}

/* Reads data from fd with opt; the result holds the rendering and totals. */
static void run_fd(int fd, const ria_csv_options *opt, run_result *res)
{
    memset(res, 0, sizeof *res);
    ria_buf_init(&res->text, 0);
    ria_csv_reader *r = NULL;
    ria_csv_cursor cur;
    ria_csv_cursor_init(&cur);
    ria_error err = {0};
    const ria_csv_record *hdr;
    uint64_t index = 0;
    if (ria_csv_open(fd, opt, &r, &err) != RIA_OK || ria_csv_read_header(r, &hdr, &err) != RIA_OK) {
        snprintf(res->problem, sizeof res->problem, "open/header: %s", err.msg);
        goto done;
    }
    if (hdr) {
        render(&res->text, hdr);
        index = 1;
    }
    uint64_t next_line = 0, next_index = index;
    for (;;) {
        ria_csv_chunk *c;
        if (ria_csv_next_chunk(r, &c, &err) != RIA_OK) {
            snprintf(res->problem, sizeof res->problem, "next_chunk: %s", err.msg);
            goto done;
        }
        if (!c)
            break;
        if (res->nchunks == 0)
            next_line = c->first_line;
        bool ok = check_chunk(res, c, &next_line, &next_index) && run_chunk(res, &cur, c, &index);
        ria_csv_chunk_free(c);
        if (!ok)
            goto done;
    }
    ria_csv_get_stats(r, &res->st);
done:
    ria_csv_cursor_free(&cur);
    ria_csv_close(r);
}

static void run_mem(const void *data, size_t n, const ria_csv_options *opt, run_result *res)
{
    int fd = mem_input(data, n);
    if (fd < 0) {
        memset(res, 0, sizeof *res);
        snprintf(res->problem, sizeof res->problem, "memfd failed");
        return;
    }
    run_fd(fd, opt, res);
    close(fd);
}

static const char *rendered(run_result *res)
{
    return res->problem[0] ? res->problem : res->text.data ? res->text.data : "";
}

/* Reads a C string with the given chunk size (0 = default) and record cap
 * and checks the rendering. */
#define CHECK_CSV(input, chunk, cap, expected)                                  \
    do {                                                                        \
        ria_csv_options o_ = {.chunk_size = (chunk), .record_cap = (cap)};      \
        run_result r_;                                                          \
        run_mem(input, strlen(input), &o_, &r_);                                \
        bool same_ = strcmp(rendered(&r_), expected) == 0;                      \
        if (!same_)                                                             \
            test_failed(__FILE__, __LINE__, "got:\n%s\nwant:\n%s", rendered(&r_), \
                        expected);                                              \
        run_free(&r_);                                                          \
        if (!same_)                                                             \
            return;                                                             \
    } while (0)

/* --------------------------------------------------------------- grammar */

TEST(csv_basic_lf)
{
    CHECK_CSV("id,name,amount\n1,Widget,9.50\n2,Gadget,12\n", 0, 0,
              "1:1::id|name|amount\n"
              "2:1::1|Widget|9.50\n"
              "3:1::2|Gadget|12\n");
}

TEST(csv_crlf_and_mixed_endings)
{
    CHECK_CSV("a,b\r\n1,2\r\n3,4\n5,6\r\n", 0, 0,
              "1:1::a|b\n2:1::1|2\n3:1::3|4\n4:1::5|6\n");
}

TEST(csv_quoted_delimiters_and_doubled_quotes)
{
    CHECK_CSV("name,desc\n\"Smith, John\",\"He said \"\"hi\"\"\"\n\"\",\"\"\"\"\n", 0, 0,
              "1:1::name|desc\n"
              "2:1::Smith, John|He said \"hi\"\n"
              "3:1::|\"\n");
}

TEST(csv_embedded_newlines_keep_line_numbers)
{
    /* three embedded newlines: the record spans lines 2-5, the next is line 6 */
    CHECK_CSV("id,desc,amt\n1,\"a\nb\nc\nd\",5\n2,next,6\n", 0, 0,
              "1:1::id|desc|amt\n"
              "2:4::1|a\\nb\\nc\\nd|5\n"
              "6:1::2|next|6\n");
    CHECK_CSV("id,desc\r\n1,\"x\r\ny\r\nz\"\r\n2,w\r\n", 0, 0,
              "1:1::id|desc\n"
              "2:3::1|x\\r\\ny\\r\\nz\n"
              "5:1::2|w\n");
}

TEST(csv_lone_cr_is_data)
{
    CHECK_CSV("a,b\n\"x\ry\",z\nq\rr,s\n", 0, 0,
              "1:1::a|b\n2:1::x\\ry|z\n3:1::q\\rr|s\n");
}

TEST(csv_final_record_without_newline)
{
    CHECK_CSV("a,b\n1,2\n3,4", 0, 0, "1:1::a|b\n2:1::1|2\n3:1::3|4\n");
    CHECK_CSV("a,b\r\n1,\"x\"", 0, 0, "1:1::a|b\n2:1::1|x\n");
    CHECK_CSV("a,b\r\n1,2\r", 0, 0, "1:1::a|b\n2:1::1|2\n");
}

TEST(csv_blank_lines_skipped_and_counted)
{
    const char *in = "\n  \na,b\n\n1,2\r\n \t \r\n\r\n3,4\n\n";
    ria_csv_options o = {0};
    run_result r;
    run_mem(in, strlen(in), &o, &r);
    CHECK_EQ_STR(rendered(&r), "3:1::a|b\n5:1::1|2\n8:1::3|4\n");
    CHECK_EQ_INT(r.st.blank_lines, 6);
    CHECK_EQ_INT(r.st.lines, 9);
    CHECK_EQ_INT(r.st.records, 2);
    run_free(&r);
}

TEST(csv_stray_quotes_are_repaired)
{
    CHECK_CSV("a,b,c\n12\" pipe,x\"y,z\n\"abc\"def,\"q\"\"\"r\"s,t\n", 0, 0,
              "1:1::a|b|c\n"
              "2:1:R:12\" pipe|x\"y|z\n"
              "3:1:R:abcdef|q\"r\"s|t\n");
}

TEST(csv_spaces_kept_and_quote_after_space_is_text)
{
    CHECK_CSV("a,b\n x , \"y\" \n", 0, 0, "1:1::a|b\n2:1:R: x | \"y\" \n");
}

TEST(csv_header_with_spaces_and_unnamed_columns)
{
    CHECK_CSV(" Order ID , Order Date ,,Amount,\n1,2024-01-01,,5,\n", 0, 0,
              "1:1:: Order ID | Order Date ||Amount|\n"
              "2:1::1|2024-01-01||5|\n");
}

TEST(csv_extra_and_missing_fields_are_returned_as_is)
{
    CHECK_CSV("a,b\n1,2,3,4\n5\n,\n", 0, 0, "1:1::a|b\n2:1::1|2|3|4\n3:1::5\n4:1::|\n");
}

TEST(csv_empty_file_and_header_only)
{
    run_result r;
    ria_csv_options o = {0};
    run_mem("", 0, &o, &r);
    CHECK_EQ_STR(rendered(&r), "");
    CHECK_EQ_INT(r.nchunks, 0);
    CHECK_EQ_INT(r.st.lines, 0);
    run_free(&r);
    run_mem("\n\r\n  \n", 6, &o, &r);
    CHECK_EQ_STR(rendered(&r), "");
    CHECK_EQ_INT(r.st.blank_lines, 3);
    run_free(&r);
    CHECK_CSV("id,name\n", 0, 0, "1:1::id|name\n");
    CHECK_CSV("id,name", 0, 0, "1:1::id|name\n");
    run_mem("id,name\n", 8, &o, &r);
    CHECK_EQ_INT(r.st.records, 0);
    CHECK_EQ_INT(r.st.lines, 1);
    run_free(&r);
}

/* --------------------------------------------------------- error records */

TEST(csv_unterminated_quote_costs_one_row)
{
    /* no other quote follows: end of input inside quotes */
    CHECK_CSV("id,name,amt\n1,ok,5\n2,\"bad,5\n3,fine,7\n4,x,8\n", 0, 0,
              "1:1::id|name|amt\n"
              "2:1::1|ok|5\n"
              "3:1:E:!unterminated quoted field starting at line 3!2,\"bad,5\n"
              "4:1::3|fine|7\n"
              "5:1::4|x|8\n");
    /* a later quote lies beyond the record cap */
    CHECK_CSV("id,name,amt\n1,ok,5\n2,\"bad,5\n3,fine,7\n4,x,8\n5,\"q\",9\n", 0, 24,
              "1:1::id|name|amt\n"
              "2:1::1|ok|5\n"
              "3:1:E:!unterminated quoted field starting at line 3!2,\"bad,5\n"
              "4:1::3|fine|7\n"
              "5:1::4|x|8\n"
              "6:1::5|q|9\n");
}

TEST(csv_unterminated_after_multiline_field)
{
    /* the record's first field spans lines 2-3; the bad quote opens on 3 */
    CHECK_CSV("a,b,c\n\"x\ny\",\"oops,1\n2,3,4\n", 0, 0,
              "1:1::a|b|c\n"
              "2:2:E:!unterminated quoted field starting at line 3!\"x\\ny\",\"oops,1\n"
              "4:1::2|3|4\n");
}

TEST(csv_quoted_record_over_the_cap)
{
    CHECK_CSV("h1,h2\n1,\"abc\ndef\nghi\",2\nlast,1\n", 0, 12,
              "1:1::h1|h2\n"
              "2:1:E:!unterminated quoted field starting at line 2!1,\"abc\n"
              "3:1::def\n"
              "4:1:R:ghi\"|2\n"
              "5:1::last|1\n");
}

TEST(csv_record_longer_than_cap)
{
    CHECK_CSV("a,b\n1234567890\n12345678901\n123456789\r\n1234567890\r\nx,y\n"
              "abcdefghijkl,\"m\nn\"\n",
              0, 10,
              "1:1::a|b\n"
              "2:1::1234567890\n"
              "3:1:ET:!record longer than 10 bytes!1234567890\n"
              "4:1::123456789\n"
              "5:1::1234567890\n"
              "6:1::x|y\n"
              "7:1:ET:!record longer than 10 bytes!abcdefghij\n"
              "8:1:R:n\"\n");
    /* the cut does not split a character */
    CHECK_CSV("a\n12345678\xc3\xa9xx\n", 0, 9, "1:1::a\n2:1:ET:!record longer than 9 bytes!12345678\n");
}

TEST(csv_error_records_are_counted)
{
    const char *in = "a,b\n\"x\n1,2\n123456789012345\n3,4";
    ria_csv_options o = {.record_cap = 12};
    run_result r;
    run_mem(in, strlen(in), &o, &r);
    CHECK_EQ_STR(rendered(&r), "1:1::a|b\n"
                               "2:1:E:!unterminated quoted field starting at line 2!\"x\n"
                               "3:1::1|2\n"
                               "4:1:ET:!record longer than 12 bytes!123456789012\n"
                               "5:1::3|4\n");
    CHECK_EQ_INT(r.st.records, 4);
    CHECK_EQ_INT(r.st.errors, 2);
    CHECK_EQ_INT(r.errors, 2);
    CHECK_EQ_INT(r.st.lines, 5);
    run_free(&r);
}

/* -------------------------------------------------------------- encodings */

TEST(csv_utf8_bom_and_crlf)
{
    const char *in = "\xEF\xBB\xBFid,name\r\n1,Caf\xC3\xA9\r\n";
    ria_csv_options o = {0};
    run_result r;
    run_mem(in, strlen(in), &o, &r);
    CHECK_EQ_STR(rendered(&r), "1:1::id|name\n2:1::1|Caf\xC3\xA9\n");
    CHECK_EQ_INT(r.st.encoding, RIA_CSV_ENC_UTF8_BOM);
    CHECK_EQ_INT(r.converted, 0);
    CHECK_EQ_INT(r.st.in_bytes, strlen(in));
    run_free(&r);
}

TEST(csv_windows1252_records_are_converted)
{
    const char *in = "id,name\n1,Caf\xE9\n2,\x80 5\n3,it\x92s\n4,ok\n5,na\xC3\xAFve\n";
    ria_csv_options o = {0};
    run_result r;
    run_mem(in, strlen(in), &o, &r);
    CHECK_EQ_STR(rendered(&r), "1:1::id|name\n"
                               "2:1:C:1|Caf\xC3\xA9\n"
                               "3:1:C:2|\xE2\x82\xAC 5\n"
                               "4:1:C:3|it\xE2\x80\x99s\n"
                               "5:1::4|ok\n"
                               "6:1::5|na\xC3\xAFve\n");
    CHECK_EQ_INT(r.converted, 3);
    CHECK_EQ_INT(r.st.encoding, RIA_CSV_ENC_UTF8);
    run_free(&r);
}

TEST(csv_latin1_file)
{
    const char *in = "Name,City\nJos\xE9,S\xE3o Paulo\nM\xFCller,\"K\xF6ln, \xC5rhus\"\n";
    ria_csv_options o = {0};
    run_result r;
    run_mem(in, strlen(in), &o, &r);
    CHECK_EQ_STR(rendered(&r), "1:1::Name|City\n"
                               "2:1:C:Jos\xC3\xA9|S\xC3\xA3o Paulo\n"
                               "3:1:C:M\xC3\xBCller|K\xC3\xB6ln, \xC3\x85rhus\n");
    CHECK_EQ_INT(r.converted, 2);
    run_free(&r);
}

TEST(csv_cp1252_table)
{
    CHECK_EQ_INT(ria_csv_cp1252_codepoint(0x80), 0x20AC);
    CHECK_EQ_INT(ria_csv_cp1252_codepoint(0x92), 0x2019);
    CHECK_EQ_INT(ria_csv_cp1252_codepoint(0x9F), 0x0178);
    CHECK_EQ_INT(ria_csv_cp1252_codepoint(0x81), 0x81);
    CHECK_EQ_INT(ria_csv_cp1252_codepoint(0x9D), 0x9D);
    CHECK_EQ_INT(ria_csv_cp1252_codepoint(0xE9), 0xE9);
    CHECK_EQ_INT(ria_csv_cp1252_codepoint('A'), 'A');
    char out[3 * 256];
    char in[256];
    for (int i = 0; i < 256; i++)
        in[i] = (char)i;
    size_t n = ria_csv_cp1252_to_utf8(in, 256, out);
    CHECK(ria_utf8_valid(out, n));
    CHECK_EQ_INT(n, 128 + 3 * 17 + 2 * 15 + 2 * 96); /* ASCII, 80-9F (17 above U+07FF), A0-FF */
}

/* UTF-8 to UTF-16 (the test's own encoder). */
static size_t to_utf16(const char *s, bool big_endian, uint8_t *out)
{
    size_t k = 0;
    const uint8_t *p = (const uint8_t *)s;
    while (*p) {
        uint32_t cp;
        if (*p < 0x80)
            cp = *p++;
        else if (*p < 0xE0)
            cp = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F), p += 2;
        else if (*p < 0xF0)
            cp = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F), p += 3;
        else
            cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
                 (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F),
            p += 4;
        uint16_t units[2];
        int nu = 1;
        if (cp >= 0x10000) {
            units[0] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
            units[1] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
            nu = 2;
        } else {
            units[0] = (uint16_t)cp;
        }
        for (int i = 0; i < nu; i++) {
            out[k++] = big_endian ? (uint8_t)(units[i] >> 8) : (uint8_t)units[i];
            out[k++] = big_endian ? (uint8_t)units[i] : (uint8_t)(units[i] >> 8);
        }
    }
    return k;
}

TEST(csv_utf16_files)
{
    const char *text = "\xEF\xBB\xBFid;name\r\n1;\"Caf\xC3\xA9; \xE2\x82\xAC\"\r\n2;\xF0\x9F\x98\x80\r\n";
    const char *want = "1:1::id|name\n2:1::1|Caf\xC3\xA9; \xE2\x82\xAC\n3:1::2|\xF0\x9F\x98\x80\n";
    for (int be = 0; be <= 1; be++) {
        uint8_t buf[256];
        size_t n = to_utf16(text, be, buf); /* U+FEFF becomes the UTF-16 BOM */
        for (size_t rs = 1; rs <= 7; rs += 3) {
            ria_csv_options o = {.read_size = rs, .chunk_size = 5};
            run_result r;
            run_mem(buf, n, &o, &r);
            CHECK_EQ_STR(rendered(&r), want);
            CHECK_EQ_INT(r.st.encoding, be ? RIA_CSV_ENC_UTF16BE : RIA_CSV_ENC_UTF16LE);
            CHECK_EQ_INT(r.st.delim, ';');
            CHECK_EQ_INT(r.st.in_bytes, n);
            run_free(&r);
        }
    }
}

TEST(csv_utf16_without_bom)
{
    for (int be = 0; be <= 1; be++) {
        uint8_t buf[64];
        size_t n = to_utf16("id,name\n1,\xC3\xA9t\xC3\xA9\n", be, buf);
        run_result r;
        ria_csv_options o = {.read_size = 3};
        run_mem(buf, n, &o, &r);
        CHECK_EQ_STR(rendered(&r), "1:1::id|name\n2:1::1|\xC3\xA9t\xC3\xA9\n");
        CHECK_EQ_INT(r.st.encoding, be ? RIA_CSV_ENC_UTF16BE : RIA_CSV_ENC_UTF16LE);
        run_free(&r);
    }
    /* too short to tell: bytes as they are */
    CHECK_CSV("a", 0, 0, "1:1::a\n");
    CHECK_CSV("ab\n", 0, 0, "1:1::ab\n");
}

TEST(csv_utf16_bad_surrogates_and_odd_length)
{
    /* LE: BOM, 'a', lone low surrogate, 'b', lone high surrogate, '\n', then a dangling byte */
    const uint8_t in[] = {0xFF, 0xFE, 'a', 0, 0x00, 0xDC, 'b', 0, 0x00, 0xD8, '\n', 0, 'c'};
    ria_csv_options o = {0};
    run_result r;
    run_mem(in, sizeof in, &o, &r);
    CHECK_EQ_STR(rendered(&r), "1:1::a\xEF\xBF\xBD" "b\xEF\xBF\xBD\n2:1::\xEF\xBF\xBD\n");
    run_free(&r);
}

TEST(csv_utf8_cut)
{
    CHECK_EQ_INT(ria_csv_utf8_cut("abc", 3), 3);
    CHECK_EQ_INT(ria_csv_utf8_cut("ab\xC3\xA9", 4), 4);
    CHECK_EQ_INT(ria_csv_utf8_cut("ab\xC3\xA9", 3), 2);
    CHECK_EQ_INT(ria_csv_utf8_cut("a\xE2\x82\xAC", 3), 1);
    CHECK_EQ_INT(ria_csv_utf8_cut("a\xF0\x9F\x98\x80", 4), 1);
    CHECK_EQ_INT(ria_csv_utf8_cut("a\xF0\x9F\x98\x80", 5), 5);
    CHECK_EQ_INT(ria_csv_utf8_cut("\x80\x80\x80\x80\x80", 5), 5);
    CHECK_EQ_INT(ria_csv_utf8_cut("", 0), 0);
}

/* -------------------------------------------------------------- delimiter */

TEST(csv_delimiter_detection)
{
    CHECK_CSV("a;b;c\n1;2,5;3\n", 0, 0, "1:1::a|b|c\n2:1::1|2,5|3\n");
    CHECK_CSV("a\tb\tc\n1\t2\t3\n", 0, 0, "1:1::a|b|c\n2:1::1|2|3\n");
    CHECK_CSV("a|b\n1|2\n", 0, 0, "1:1::a|b\n2:1::1|2\n");
    /* semicolons inside quotes do not count */
    CHECK_CSV("\"a;b;c\",d\n1,2\n", 0, 0, "1:1::a;b;c|d\n2:1::1|2\n");
    /* a tie keeps the comma */
    CHECK_CSV("a,b;c\n1,2;3\n", 0, 0, "1:1::a|b;c\n2:1::1|2;3\n");
    /* detection looks past blank lines */
    CHECK_CSV("\n\na;b\n1;2\n", 0, 0, "3:1::a|b\n4:1::1|2\n");
    CHECK_CSV("single\nx\n", 0, 0, "1:1::single\n2:1::x\n");
}

TEST(csv_forced_delimiter)
{
    const char *in = "a;b,c\n1;2,3\n";
    ria_csv_options o = {.delim = ','};
    run_result r;
    run_mem(in, strlen(in), &o, &r);
    CHECK_EQ_STR(rendered(&r), "1:1::a;b|c\n2:1::1;2|3\n");
    CHECK(!r.st.delim_detected);
    run_free(&r);
    ria_csv_reader *rd = NULL;
    ria_error err = {0};
    o.delim = '"';
    CHECK_EQ_INT(ria_csv_open(0, &o, &rd, &err), RIA_EINVAL);
    o.delim = '\n';
    CHECK_EQ_INT(ria_csv_open(0, &o, &rd, &err), RIA_EINVAL);
    CHECK(rd == NULL);
}

/* ------------------------------------------------------ chunks and reading */

TEST(csv_chunk_bookkeeping)
{
    ria_buf in;
    ria_buf_init(&in, 0);
    ria_buf_puts(&in, "id,v\n");
    for (int i = 0; i < 5000; i++) {
        ria_buf_printf(&in, "%d,\"line\n%d\"\n", i, i);
        if (i % 100 == 0)
            ria_buf_puts(&in, "\n");
    }
    ria_csv_options o = {.chunk_size = 1000};
    run_result r;
    run_mem(in.data, in.len, &o, &r);
    CHECK_MSG(r.problem[0] == 0, "%s", r.problem);
    CHECK(r.nchunks > 50);
    CHECK_EQ_INT(r.records, 5000);
    CHECK_EQ_INT(r.st.records, 5000);
    CHECK_EQ_INT(r.st.blank_lines, 50);
    CHECK_EQ_INT(r.chunk_blank, 50);
    CHECK_EQ_INT(r.st.lines, 1 + 2 * 5000 + 50);
    CHECK_EQ_INT(r.chunk_lines + 1, r.st.lines);
    CHECK_EQ_INT(r.st.in_bytes, in.len);
    CHECK_EQ_INT(r.st.chunks, r.nchunks);
    CHECK(r.chunk_in <= in.len);
    /* the last record: 4999 at lines 2 + 2 * 4999 + 50 */
    char want[64];
    snprintf(want, sizeof want, "%d:2::4999|line\\n4999\n", 2 + 2 * 4999 + 50);
    CHECK(strstr(r.text.data, want) != NULL);
    run_free(&r);
    ria_buf_free(&in);
}

TEST(csv_reads_from_a_pipe)
{
    int fds[2];
    CHECK(pipe(fds) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        char line[64];
        int ok = ria_write_all(fds[1], "id,name\n", 8, "pipe", NULL) == RIA_OK;
        for (int i = 0; ok && i < 20000; i++) {
            int n = snprintf(line, sizeof line, "%d,\"n\n%d\"\n", i, i);
            ok = ria_write_all(fds[1], line, (size_t)n, "pipe", NULL) == RIA_OK;
        }
        _exit(ok ? 0 : 1);
    }
    close(fds[1]);
    ria_csv_options o = {.chunk_size = 4096};
    run_result r;
    run_fd(fds[0], &o, &r);
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    CHECK_MSG(r.problem[0] == 0, "%s", r.problem);
    CHECK_EQ_INT(r.records, 20000);
    CHECK_EQ_INT(r.st.lines, 40001);
    CHECK(strstr(r.text.data, "39998:2::19998|n\\n19998\n") != NULL);
    run_free(&r);
}

/* Inputs that must read the same whatever the chunk and read sizes. */
static const char *const nasty[] = {
    "id,name,amt\n1,ok,5\n2,\"bad,5\n3,fine,7\n4,x,8\n",
    "a,b,c\n\"x\ny\",\"oops,1\n2,3,4\n",
    "h1,h2\n1,\"abc\ndef\nghi\",2\nlast,1\n",
    "a,b\n1234567890\n12345678901\n123456789\r\n1234567890\r\nx,y\nabcdefghijkl,\"m\nn\"\n",
    "id,desc,amt\n1,\"a\nb\nc\nd\",5\n2,next,6\n",
    "\xEF\xBB\xBF\n\n a;b \r\n\"x;\"\"y\"\"\";\"\r\nz\"\r\n\r\n  \r\n1;2",
    "a,b\n\"abc\"def,\"q\"\"\"r\"s,t\n12\" pipe,x\"y,z\n\"",
    "a\n\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\n\"\n",
    "x\n\"a\"\"\nb\"\"\",\"\r\r\n\"\r\n\r",
    "q\n1,\"1234567890\r\n\r\n",
    "q\n\"123456789\"\"0\n1\n",
    "q\n\"12345678\"\r\n\"123456789\"\r\n\"1234567890\"\r\n",
    "q\nabcdefghijklmnopqrstuvwxyz\"\n\"abcdefghijklmnopqrstuvwxyz\nx\n",
    "id,name\n1,Caf\xE9\n2,\x80 5\n3,it\x92s\n4,ok\n5,na\xC3\xAFve\n",
    "a|b\n1|\"x|y\"\n\"p\nq\"|2\n",
    "\r\n\r\n\r",
    "\"",
    "\"\n\"\n\"\n",
    ",\n,,\n\"\",\n",
};

/* Renders input with the given sizes into out (NULL on a failure). */
static char *render_with(const char *in, size_t chunk, size_t read_size, size_t cap)
{
    ria_csv_options o = {.chunk_size = chunk, .read_size = read_size, .record_cap = cap};
    run_result r;
    run_mem(in, strlen(in), &o, &r);
    char *s = r.problem[0] ? NULL : strdup(r.text.data ? r.text.data : "");
    run_free(&r);
    return s;
}

TEST(csv_records_do_not_depend_on_chunk_size)
{
    static const size_t caps[] = {12, 0};
    static const size_t reads[] = {0, 1, 3};
    for (size_t i = 0; i < RIA_ARRAY_LEN(nasty); i++) {
        for (size_t ci = 0; ci < RIA_ARRAY_LEN(caps); ci++) {
            char *want = render_with(nasty[i], 1 << 20, 0, caps[ci]);
            CHECK_MSG(want != NULL, "input %zu failed", i);
            for (size_t chunk = 1; chunk <= 64; chunk++) {
                for (size_t ri = 0; ri < RIA_ARRAY_LEN(reads); ri++) {
                    size_t rs = reads[ri] ? reads[ri] : chunk;
                    char *got = render_with(nasty[i], chunk, rs, caps[ci]);
                    bool same = got && strcmp(got, want) == 0;
                    if (!same)
                        test_failed(__FILE__, __LINE__,
                                    "input %zu cap %zu chunk %zu read %zu:\n%s\nwant:\n%s", i,
                                    caps[ci], chunk, rs, got ? got : "(failed)", want);
                    free(got);
                    if (!same) {
                        free(want);
                        return;
                    }
                }
            }
            free(want);
        }
    }
}

/* ------------------------------------------------- randomized round trip */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)((rng_state >> 33) % n);
}

static const char *const pieces[] = {
    "a", "b", "Z", "0", "42", " ", ",", ";", "\"", "\"\"", "\n", "\r", "\r\n", "\t", "|",
    "\xC3\xA9", "\xE2\x82\xAC", "\xE6\x97\xA5", "\xF0\x9F\x98\x80", "Widget", "x\"y", "\\",
};

static void random_field(ria_buf *f)
{
    ria_buf_reset(f);
    int n = (int)rnd(6);
    if (rnd(4) == 0)
        n = 0;
    for (int i = 0; i < n; i++)
        ria_buf_puts(f, pieces[rnd(RIA_ARRAY_LEN(pieces))]);
}

/* The reference encoder: quotes a field that needs it (or at random). */
static void encode_field(ria_buf *out, const char *p, size_t n, char delim, bool force)
{
    bool need = force || rnd(5) == 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] == delim || p[i] == '"' || p[i] == '\n' || p[i] == '\r')
            need = true;
    if (!need) {
        ria_buf_append(out, p, n);
        return;
    }
    ria_buf_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            ria_buf_putc(out, '"');
        ria_buf_putc(out, p[i]);
    }
    ria_buf_putc(out, '"');
}

static uint32_t lf_count(const char *p, size_t n)
{
    uint32_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += p[i] == '\n';
    return k;
}

static bool only_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

#define MAX_RANDOM_FIELDS 6

/* Encodes one record of nf fields into rec; a record that would read as a
 * blank line gets its first field quoted. */
static void encode_record(ria_buf *rec, ria_buf *fields, int nf, char delim)
{
    for (int force = 0; force <= 1; force++) {
        ria_buf_reset(rec);
        for (int i = 0; i < nf; i++) {
            if (i)
                ria_buf_putc(rec, delim);
            encode_field(rec, fields[i].data ? fields[i].data : "", fields[i].len, delim,
                         force && i == 0);
        }
        if (rec->len && !only_blank(rec->data, rec->len))
            return;
    }
}

/* Builds a random CSV in `csv` and the rendering a reader must produce in
 * `want`. */
static void random_csv(ria_buf *csv, ria_buf *want, char delim)
{
    ria_buf fields[MAX_RANDOM_FIELDS], rec;
    for (int i = 0; i < MAX_RANDOM_FIELDS; i++)
        ria_buf_init(&fields[i], 0);
    ria_buf_init(&rec, 0);
    ria_buf_reset(csv);
    ria_buf_reset(want);
    int nrec = 1 + (int)rnd(40);
    for (int r = 0; r < nrec; r++) {
        while (rnd(6) == 0)
            ria_buf_puts(csv, rnd(2) ? "\n" : " \t\r\n");
        uint64_t line = 1 + lf_count(csv->data ? csv->data : "", csv->len);
        int nf = r == 0 ? 3 : 1 + (int)rnd(MAX_RANDOM_FIELDS - 1);
        for (int i = 0; i < nf; i++) {
            ria_buf_reset(&fields[i]);
            if (r == 0)
                ria_buf_printf(&fields[i], "col%d", i);
            else
                random_field(&fields[i]);
        }
        encode_record(&rec, fields, nf, delim);
        ria_buf_append(csv, rec.data, rec.len);
        if (r < nrec - 1 || rnd(2))
            ria_buf_puts(csv, rnd(2) ? "\n" : "\r\n");
        ria_buf_printf(want, "%llu:%u::", (unsigned long long)line,
                       1 + lf_count(rec.data, rec.len));
        for (int i = 0; i < nf; i++) {
            if (i)
                ria_buf_putc(want, '|');
            put_escaped(want, fields[i].data ? fields[i].data : "", fields[i].len);
        }
        ria_buf_putc(want, '\n');
    }
    for (int i = 0; i < MAX_RANDOM_FIELDS; i++)
        ria_buf_free(&fields[i]);
    ria_buf_free(&rec);
}

TEST(csv_random_round_trip)
{
    rng_state = 20240611;
    ria_buf csv, want;
    ria_buf_init(&csv, 0);
    ria_buf_init(&want, 0);
    static const char delims[] = {',', ';', '\t', '|'};
    for (int iter = 0; iter < 600; iter++) {
        char delim = delims[iter % 4];
        random_csv(&csv, &want, delim);
        size_t chunk = 1 + rnd(iter % 3 ? 64 : 4096);
        size_t rs = rnd(3) ? 1 + rnd(40) : 0;
        ria_csv_options o = {.delim = delim, .chunk_size = chunk, .read_size = rs};
        run_result r;
        run_mem(csv.data, csv.len, &o, &r);
        bool same = strcmp(rendered(&r), want.data) == 0;
        if (!same)
            test_failed(__FILE__, __LINE__, "iteration %d (chunk %zu, read %zu):\n%s\nwant:\n%s",
                        iter, chunk, rs, rendered(&r), want.data);
        run_free(&r);
        if (!same)
            break;
    }
    ria_buf_free(&csv);
    ria_buf_free(&want);
}

TEST(csv_random_garbage_does_not_depend_on_chunk_size)
{
    static const char alphabet[] = {'a', 'b', ',', ';', '"', '"', '\n', '\n', '\r', ' ', '\t',
                                    (char)0xE9, (char)0xC3, (char)0xA9, (char)0x80};
    rng_state = 7;
    char in[400];
    for (int iter = 0; iter < 400; iter++) {
        size_t n = rnd(sizeof in - 1);
        for (size_t i = 0; i < n; i++)
            in[i] = alphabet[rnd(sizeof alphabet)];
        in[n] = 0;
        size_t cap = 1 + rnd(40);
        char *want = render_with(in, 1 << 20, 0, cap);
        CHECK(want != NULL);
        size_t chunk = 1 + rnd(30), rs = 1 + rnd(10);
        char *got = render_with(in, chunk, rs, cap);
        bool same = got && strcmp(got, want) == 0;
        if (!same) {
            ria_buf hex;
            ria_buf_init(&hex, 0);
            put_escaped(&hex, in, n);
            test_failed(__FILE__, __LINE__, "input \"%s\" cap %zu chunk %zu read %zu:\n%s\nwant:\n%s",
                        hex.data ? hex.data : "", cap, chunk, rs, got ? got : "(failed)", want);
            ria_buf_free(&hex);
        }
        free(got);
        free(want);
        if (!same)
            return;
    }
}
