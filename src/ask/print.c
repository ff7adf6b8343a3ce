/*
 * print.c — an answer for a terminal: the sentence, the table (aligned,
 * money with two decimals, ratios as percentages) and the one-line
 * interpretation.
 */
#include "answer.h"

#include <math.h>
#include <string.h>

static void cell_text(json_t *v, json_t *col, const char *currency, char *out, size_t n)
{
    if (json_is_string(v)) {
        snprintf(out, n, "%s", json_string_value(v));
        return;
    }
    if (!json_is_number(v)) {
        snprintf(out, n, "-");
        return;
    }
    const char *unit = json_string_value(json_object_get(col, "unit"));
    ria_value_unit u = !unit                        ? RIA_UNIT_NONE
                       : strcmp(unit, "money") == 0 ? RIA_UNIT_MONEY
                       : strcmp(unit, "ratio") == 0 ? RIA_UNIT_RATIO
                                                    : RIA_UNIT_COUNT;
    format_number(json_number_value(v), u, currency, out, n);
}

void ria_answer_print(FILE *f, const void *answer_json)
{
    json_t *a = (json_t *)answer_json;
    fprintf(f, "%s\n", json_string_value(json_object_get(a, "text")));
    json_t *cols = json_object_get(a, "columns"), *rows = json_object_get(a, "rows");
    size_t nc = json_array_size(cols), nr = json_array_size(rows);
    if (nc && nr && !(nr == 1 && nc == 1)) {
        size_t w[16] = {0};
        char buf[128];
        nc = RIA_MIN(nc, (size_t)16);
        for (size_t c = 0; c < nc; c++)
            w[c] = strlen(json_string_value(json_object_get(json_array_get(cols, c), "name")));
        for (size_t r = 0; r < nr && r < 200; r++)
            for (size_t c = 0; c < nc; c++) {
                cell_text(json_array_get(json_array_get(rows, r), c), json_array_get(cols, c), NULL,
                          buf, sizeof buf);
                w[c] = RIA_MAX(w[c], strlen(buf));
            }
        fputc('\n', f);
        for (size_t c = 0; c < nc; c++)
            fprintf(f, "%s%-*s", c ? "  " : "  ", (int)w[c],
                    json_string_value(json_object_get(json_array_get(cols, c), "name")));
        fputc('\n', f);
        for (size_t r = 0; r < nr && r < 200; r++) {
            for (size_t c = 0; c < nc; c++) {
                json_t *v = json_array_get(json_array_get(rows, r), c);
                cell_text(v, json_array_get(cols, c), NULL, buf, sizeof buf);
                fprintf(f, json_is_number(v) ? "%s%*s" : "%s%-*s", "  ", (int)w[c], buf);
            }
            fputc('\n', f);
        }
        if (nr > 200)
            fprintf(f, "  ... %zu more rows (use --json)\n", nr - 200);
    }
    json_t *in = json_object_get(a, "interpretation");
    const char *sum = json_string_value(json_object_get(in, "summary"));
    if (sum)
        fprintf(f, "\ncomputed: %s\n", sum);
    json_t *t = json_object_get(a, "timings");
    const char *tier = json_string_value(json_object_get(a, "tier"));
    if (t && tier)
        fprintf(f, "answered by %s in %.1f ms\n", tier,
                json_number_value(json_object_get(t, "total_ms")));
}
