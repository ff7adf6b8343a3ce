/*
 * cmd_feedback.c — `ria feedback`: what users said about answers (thumbs
 * up and down from the web page and the API, kept in
 * STORE/serve/feedback.jsonl): counts by rating and reason, the disliked
 * questions with what was computed, and an export of those questions as a
 * golden-file skeleton to review and complete.
 */
#include "cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

const cli_opt feedback_opts[] = {
    CLI_OPT_STORE,
    {"export", 0, "FILE", "write the disliked questions as a golden-file skeleton (JSON lines)"},
    {"json", 0, NULL, "print the report as JSON"},
    {"limit", 0, "N", "disliked questions listed (default 20)"},
    CLI_OPT_HELP,
    {0},
};

static void bump(json_t *counts, const char *key)
{
    json_t *c = json_object_get(counts, key);
    json_object_set_new(counts, key, json_integer(c ? json_integer_value(c) + 1 : 1));
}

int cmd_feedback(const cli_command *cmd, cli_args *a)
{
    int64_t limit;
    if (!cli_int(cmd, a, "limit", 20, 1, 100000, &limit))
        return 2;
    char path[4200];
    snprintf(path, sizeof path, "%s/serve/feedback.jsonl", cli_store_dir(cmd, a));
    FILE *f = fopen(path, "r");
    json_t *ratings = json_object(), *reasons = json_object(), *down = json_array();
    int bad = 0;
    if (f) {
        char *line = NULL;
        size_t cap = 0;
        while (getline(&line, &cap, f) > 0) {
            json_t *j = json_loads(line, 0, NULL);
            const char *r = json_string_value(json_object_get(j, "rating"));
            if (!r) {
                bad += ria_trim(line, strlen(line)).n > 0;
                json_decref(j);
                continue;
            }
            bump(ratings, r);
            if (strcmp(r, "down") == 0) {
                const char *why = json_string_value(json_object_get(j, "reason"));
                bump(reasons, why && *why ? why : "(no reason)");
                json_array_append(down, j);
            }
            json_decref(j);
        }
        free(line);
        fclose(f);
    }
    const char *exp = cli_get(cmd, a, "export", NULL);
    int ec = 0;
    if (exp) {
        FILE *o = fopen(exp, "w");
        if (!o) {
            ec = cli_fail(cmd, RIA_EIO, "%s: cannot write", exp);
        } else {
            size_t i;
            json_t *j;
            json_array_foreach(down, i, j)
            {
                char id[32], note[1400];
                snprintf(id, sizeof id, "fb-%04zu", i + 1);
                snprintf(note, sizeof note, "disliked (%s%s%s); ria computed: %s; data version %lld",
                         json_string_value(json_object_get(j, "reason")),
                         *json_string_value(json_object_get(j, "comment")) ? ": " : "",
                         json_string_value(json_object_get(j, "comment")),
                         json_is_string(json_object_get(j, "interpretation"))
                             ? json_string_value(json_object_get(j, "interpretation"))
                             : json_string_value(json_object_get(json_object_get(j, "interpretation"), "summary"))
                                   ? json_string_value(json_object_get(json_object_get(j, "interpretation"), "summary"))
                                   : "?",
                         (long long)json_integer_value(json_object_get(j, "data_version")));
                json_t *g = json_pack("{s:s, s:s, s:O, s:{}, s:s, s:s}", "id", id, "category",
                                      "review", "question", json_object_get(j, "question"),
                                      "expect", "definition", "", "note", note);
                char *text = json_dumps(g, JSON_COMPACT);
                fprintf(o, "%s\n", text ? text : "{}");
                free(text);
                json_decref(g);
            }
            if (fclose(o) != 0)
                ec = cli_fail(cmd, RIA_EIO, "%s: write failed", exp);
        }
    }
    if (cli_flag(cmd, a, "json")) {
        json_t *rep = json_pack("{s:O, s:O, s:O}", "ratings", ratings, "reasons", reasons,
                                "disliked", down);
        json_dumpf(rep, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(rep);
    } else {
        printf("feedback: %lld up, %lld down%s\n",
               (long long)json_integer_value(json_object_get(ratings, "up")),
               (long long)json_integer_value(json_object_get(ratings, "down")),
               f ? "" : " (no feedback yet)");
        const char *k;
        json_t *v;
        if (json_object_size(reasons))
            printf("\nthumbs down by reason:\n");
        json_object_foreach(reasons, k, v) printf("  %-24s %lld\n", k, (long long)json_integer_value(v));
        if (json_array_size(down))
            printf("\nlatest disliked questions:\n");
        for (size_t i = json_array_size(down); i > 0 && json_array_size(down) - i < (size_t)limit; i--) {
            json_t *j = json_array_get(down, i - 1);
            json_t *in = json_object_get(j, "interpretation");
            const char *sum = json_is_string(in) ? json_string_value(in)
                                                 : json_string_value(json_object_get(in, "summary"));
            printf("  %s  \"%s\" (%s)\n", json_string_value(json_object_get(j, "time")),
                   json_string_value(json_object_get(j, "question")),
                   json_string_value(json_object_get(j, "reason")));
            if (sum)
                printf("      computed: %s\n", sum);
        }
        if (exp && !ec)
            printf("\nwrote %zu questions to %s: add \"expect\" and \"definition\" to each, then "
                   "'ria eval' them\n",
                   json_array_size(down), exp);
        if (bad)
            printf("\n(%d lines of the feedback file could not be read)\n", bad);
    }
    json_decref(ratings);
    json_decref(reasons);
    json_decref(down);
    return ec;
}
