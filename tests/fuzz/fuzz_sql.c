/*
 * fuzz_sql.c — fuzz target for the SQL front end (src/engine/sql_*.c).
 *
 * Parses the bytes as SQL.  A failure must carry an offset inside the text
 * and a message, and must format without trouble.  A success must print to
 * text that parses again to text that prints identically (the printer's
 * round-trip invariant).  Any violation aborts.  Built with libFuzzer by
 * `make fuzz`, or with tests/fuzz/replay.c to replay the corpus in
 * tests/fuzz/corpus/sql/.
 */
#include "engine/engine.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(bool ok, const char *what, const char *detail)
{
    if (!ok) {
        fprintf(stderr, "fuzz_sql: %s\n%s\n", what, detail ? detail : "");
        abort();
    }
}

/* Prints p into a fresh NUL-terminated malloc'd string. */
static char *print(const ria_plan *p)
{
    ria_buf b;
    ria_buf_init(&b, 0);
    ria_plan_sql(p, &b);
    ria_buf_putc(&b, 0);
    return ria_buf_steal(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *sql = malloc(size + 1);
    if (!sql)
        return 0;
    memcpy(sql, data, size);
    sql[size] = 0;
    ria_arena arena;
    ria_arena_init(&arena, 1 << 14);
    ria_plan *plan = NULL;
    ria_sql_error err;
    ria_status rc = ria_sql_parse(sql, &arena, &plan, &err);
    if (rc != RIA_OK) {
        require(plan == NULL && err.code == rc && err.msg[0], "bad error", sql);
        require(err.pos <= strlen(sql) || rc == RIA_ELIMIT, "error offset past the text", sql);
        ria_buf b;
        ria_buf_init(&b, 0);
        ria_sql_error_format(sql, &err, &b);
        require(b.len > strlen(err.msg), "formatted error too short", sql);
        ria_buf_free(&b);
    } else {
        char *t1 = print(plan);
        ria_plan *again = NULL;
        rc = ria_sql_parse(t1, &arena, &again, &err);
        if (rc == RIA_ELIMIT && strlen(t1) > (1u << 20)) {
            free(t1); /* printing may lengthen a text that was near the cap */
        } else {
            require(rc == RIA_OK, err.msg, t1);
            char *t2 = print(again);
            require(strcmp(t1, t2) == 0, "print/parse/print differs", t1);
            free(t2);
            free(t1);
        }
    }
    ria_arena_free(&arena);
    free(sql);
    return 0;
}
