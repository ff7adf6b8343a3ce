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

/* An aligned table of typed columns (at most 200 rows). */
static void print_table(FILE *f, json_t *cols, json_t *rows, const char *currency)
{
    size_t nc = json_array_size(cols), nr = json_array_size(rows);
    if (nc && nr && !(nr == 1 && nc == 1)) {
        size_t w[16] = {0};
        char buf[128];
        nc = RIA_MIN(nc, (size_t)16);
        for (size_t c = 0; c < nc; c++)
            w[c] = strlen(json_string_value(json_object_get(json_array_get(cols, c), "name")));
        for (size_t r = 0; r < nr && r < 200; r++)
            for (size_t c = 0; c < nc; c++) {
                cell_text(json_array_get(json_array_get(rows, r), c), json_array_get(cols, c),
                          currency, buf, sizeof buf);
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
                cell_text(v, json_array_get(cols, c), currency, buf, sizeof buf);
                fprintf(f, json_is_number(v) ? "%s%*s" : "%s%-*s", "  ", (int)w[c], buf);
            }
            fputc('\n', f);
        }
        if (nr > 200)
            fprintf(f, "  ... %zu more rows (use --json)\n", nr - 200);
    }
}

void ria_answer_print(FILE *f, const void *answer_json)
{
    json_t *a = (json_t *)answer_json;
    fprintf(f, "%s\n", json_string_value(json_object_get(a, "text")));
    json_t *in = json_object_get(a, "interpretation");
    const char *currency = json_string_value(json_object_get(in, "currency"));
    print_table(f, json_object_get(a, "columns"), json_object_get(a, "rows"), currency);
    const char *sum = json_string_value(json_object_get(in, "summary"));
    if (sum)
        fprintf(f, "\ncomputed: %s\n", sum);
    json_t *t = json_object_get(a, "timings");
    const char *tier = json_string_value(json_object_get(a, "tier"));
    if (t && tier)
        fprintf(f, "answered by %s in %.1f ms\n", tier,
                json_number_value(json_object_get(t, "total_ms")));
}

static void print_title(FILE *f, const char *title, bool first)
{
    fprintf(f, "%s%s\n", first ? "" : "\n", title);
    for (const char *p = title; *p; p++)
        fputc('-', f);
    fputc('\n', f);
}

/* Prints text as lines, each a bullet. */
static void print_lines(FILE *f, const char *text)
{
    while (text && *text) {
        const char *e = strchr(text, '\n');
        size_t n = e ? (size_t)(e - text) : strlen(text);
        if (n)
            fprintf(f, "- %.*s\n", (int)n, text);
        text += n + (e ? 1 : 0);
    }
}

void ria_summary_print(FILE *f, const void *summary_json)
{
    json_t *a = (json_t *)summary_json;
    json_t *secs = json_object_get(a, "sections");
    if (!json_array_size(secs)) {
        fprintf(f, "%s\n", json_string_value(json_object_get(a, "text")));
        return;
    }
    size_t i;
    json_t *s;
    json_array_foreach(secs, i, s)
    {
        const char *title = json_string_value(json_object_get(s, "title"));
        print_title(f, title ? title : "", i == 0);
        print_lines(f, json_string_value(json_object_get(s, "text")));
    }
    json_t *um = json_object_get(a, "unusual_months");
    if (um) {
        print_title(f, "Months that stand out", false);
        print_lines(f, json_string_value(json_object_get(um, "text")));
    }
    json_t *cav = json_object_get(a, "caveats");
    if (json_array_size(cav)) {
        print_title(f, "Caveats", false);
        json_array_foreach(cav, i, s) fprintf(f, "- %s\n", json_string_value(s));
    }
    fprintf(f, "\ncomputed by %zu SQL statements on data version %lld, as of %s (--json lists "
               "them).\n",
            json_array_size(json_object_get(a, "sql")),
            (long long)json_integer_value(json_object_get(a, "data_version")),
            json_string_value(json_object_get(a, "anchor")));
}
