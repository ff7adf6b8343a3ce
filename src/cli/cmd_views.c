/*
 * cmd_views.c — `ria views`: list the materialized views of the latest
 * version, add or drop one, or rebuild them all.  Views are defined in the
 * semantic model ("views" in model.json); every change commits a new
 * version (operation "views") whose commit builds what changed, so the
 * views stay tied to the store version like everything else.
 *
 * Once the list is edited here its entries lose the "auto" mark: ingest
 * then carries the user's list forward instead of re-inferring defaults.
 */
#include "cli.h"
#include "store/store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

const cli_opt views_opts[] = {
    CLI_OPT_STORE,
    {"grain", 'g', "G", "add: time grain, hour, day, month or year (default month)"},
    {"dims", 'd', "A,B,...", "add: dimensions (dictionary-coded text columns)"},
    {"json", 0, NULL, "list: print as JSON"},
    CLI_OPT_HELP,
    {0},
};

#define MAX_DIMS 12

/* ---------------------------------------------------------------- list */

static void print_views(json_t *views)
{
    if (!json_array_size(views)) {
        printf("no views (add one with: ria views add NAME --grain month --dims a,b)\n");
        return;
    }
    printf("%-16s %-6s %12s %12s %6s  %s\n", "view", "grain", "rows", "bytes", "parts",
           "dimensions");
    json_t *v;
    size_t i;
    json_array_foreach(views, i, v)
    {
        char dims[512] = "";
        size_t k = 0;
        json_t *d;
        size_t j;
        json_array_foreach(json_object_get(v, "dims"), j, d)
        {
            if (k < sizeof dims)
                k += (size_t)snprintf(dims + k, sizeof dims - k, "%s%s", j ? ", " : "",
                                      json_string_value(d));
        }
        printf("%-16s %-6s %12lld %12lld %6zu  %s%s\n",
               json_string_value(json_object_get(v, "name")),
               json_string_value(json_object_get(v, "grain")),
               (long long)json_integer_value(json_object_get(v, "rows")),
               (long long)json_integer_value(json_object_get(v, "bytes")),
               json_array_size(json_object_get(v, "segments")), dims,
               json_is_true(json_object_get(v, "usable")) ? "" : "  (unusable: a sum overflowed)");
    }
}

static int list_views(const cli_command *cmd, cli_args *a)
{
    ria_store *st = NULL;
    ria_snapshot *s = NULL;
    ria_error err = {0};
    if (ria_store_open(cli_store_dir(cmd, a), &st, &err) != RIA_OK ||
        ria_store_snapshot(st, 0, &s, &err) != RIA_OK) {
        ria_store_close(st);
        return cli_fail_err(cmd, &err);
    }
    json_t *views = s->manifest ? json_object_get(s->manifest, "views") : NULL;
    if (cli_flag(cmd, a, "json")) {
        json_t *out = json_array(), *v;
        size_t i;
        json_array_foreach(views, i, v)
        {
            json_t *c = json_deep_copy(v);
            json_object_del(c, "segments");
            size_t parts = json_array_size(json_object_get(v, "segments"));
            json_object_set_new(c, "partitions", json_integer((json_int_t)parts));
            json_array_append_new(out, c);
        }
        json_dumpf(out, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(out);
    } else {
        printf("version %lld\n", (long long)s->info.version);
        print_views(views);
    }
    ria_snapshot_free(s);
    ria_store_close(st);
    return 0;
}

/* ------------------------------------------------------------- changes */

/* The model to edit: model.json as the user left it, else the one the
 * latest version committed.  NULL when the store has neither. */
static json_t *current_model(ria_txn *tx, ria_error *err)
{
    char path[4200];
    json_error_t je;
    if (ria_txn_path(tx, "model.json", path, sizeof path, err) != RIA_OK)
        return NULL;
    if (ria_path_exists(path)) {
        json_t *m = json_load_file(path, 0, &je);
        if (!m)
            ria_fail(err, RIA_EPARSE, "%s line %d: %s", path, je.line, je.text);
        return m;
    }
    ria_snapshot *b = ria_txn_base(tx);
    const char *rel = b->manifest ? json_string_value(json_object_get(b->manifest, "model")) : NULL;
    if (!rel || !*rel || ria_txn_path(tx, rel, path, sizeof path, err) != RIA_OK) {
        ria_fail(err, RIA_ENOTFOUND, "the store has no data yet (run 'ria ingest FILE' first)");
        return NULL;
    }
    json_t *m = json_load_file(path, 0, &je);
    if (!m)
        ria_fail(err, RIA_ECORRUPT, "%s: %s", path, je.text);
    return m;
}

/* The model's view list (created when absent), every entry now the user's. */
static json_t *user_views(json_t *model)
{
    json_t *views = json_object_get(model, "views"), *v;
    if (!json_is_array(views)) {
        views = json_array();
        json_object_set_new(model, "views", views);
    }
    size_t i;
    json_array_foreach(views, i, v)
        json_object_del(v, "auto");
    return views;
}

static int find_view(json_t *views, const char *name)
{
    json_t *v;
    size_t i;
    json_array_foreach(views, i, v)
    {
        const char *n = json_string_value(json_object_get(v, "name"));
        if (n && strcmp(n, name) == 0)
            return (int)i;
    }
    return -1;
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return n > 0 && n <= 40;
}

/* Checks --dims against the latest schema; the names as a JSON array. */
static json_t *parse_dims(const char *list, const ria_snapshot *snap, ria_error *err)
{
    json_t *dims = json_array();
    const char *p = list;
    while (p && *p) {
        const char *e = strchr(p, ',');
        ria_slice t = ria_trim(p, e ? (size_t)(e - p) : strlen(p));
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)RIA_MIN(t.n, sizeof name - 1), t.p);
        const ria_column *c = name[0] ? ria_snapshot_column(snap, name) : NULL;
        json_t *d;
        size_t i;
        bool dup = false;
        json_array_foreach(dims, i, d)
            dup |= c && strcmp(json_string_value(d), c->name) == 0;
        if (!c || c->kind != RIA_KIND_CODE || dup) {
            ria_fail(err, RIA_EINVAL, "'%s' %s", name,
                     !c    ? "is not a column"
                     : dup ? "is listed twice"
                           : "is not a text dimension kept as a dictionary (ids and numbers "
                             "cannot be view dimensions)");
            json_decref(dims);
            return NULL;
        }
        json_array_append_new(dims, json_string(c->name));
        p = e ? e + 1 : NULL;
    }
    if (json_array_size(dims) > MAX_DIMS) {
        ria_fail(err, RIA_EINVAL, "a view has at most %d dimensions", MAX_DIMS);
        json_decref(dims);
        return NULL;
    }
    return dims;
}

/* Applies the change to the model's view list; *summary describes it. */
static ria_status edit(const cli_command *cmd, cli_args *a, ria_txn *tx, json_t *model,
                       char *summary, size_t n, ria_error *err)
{
    const char *verb = a->pos[0];
    if (strcmp(verb, "refresh") == 0) {
        json_int_t epoch = json_integer_value(json_object_get(model, "views_epoch"));
        json_object_set_new(model, "views_epoch", json_integer(epoch + 1));
        snprintf(summary, n, "rebuilt every view");
        return RIA_OK;
    }
    if (a->npos != 2)
        return ria_fail(err, RIA_EINVAL, "usage: ria views %s NAME", verb);
    const char *name = a->pos[1];
    json_t *views = user_views(model);
    int at = find_view(views, name);
    if (strcmp(verb, "drop") == 0) {
        if (at < 0)
            return ria_fail(err, RIA_ENOTFOUND, "no view named %s", name);
        json_array_remove(views, (size_t)at);
        snprintf(summary, n, "dropped view %s", name);
        return RIA_OK;
    }
    const char *grain = cli_get(cmd, a, "grain", "month");
    const char *list = cli_get(cmd, a, "dims", NULL);
    if (!valid_name(name))
        return ria_fail(err, RIA_EINVAL, "a view name is 1-40 characters of a-z, 0-9 and _");
    if (at >= 0)
        return ria_fail(err, RIA_EINVAL, "a view named %s exists (drop it first)", name);
    if (strcmp(grain, "hour") && strcmp(grain, "day") && strcmp(grain, "month") &&
        strcmp(grain, "year"))
        return ria_fail(err, RIA_EINVAL, "--grain must be hour, day, month or year");
    json_t *dims = parse_dims(list ? list : "", ria_txn_base(tx), err);
    if (!dims)
        return err->code;
    json_array_append_new(views, json_pack("{s:s, s:s, s:o}", "name", name, "grain", grain,
                                           "dims", dims));
    snprintf(summary, n, "added view %s", name);
    return RIA_OK;
}

static int change_views(const cli_command *cmd, cli_args *a)
{
    ria_txn *tx = NULL;
    json_t *model = NULL, *report = NULL;
    ria_error err = {0};
    char summary[200] = "";
    int64_t version = 0;
    ria_status rc = ria_txn_begin(cli_store_dir(cmd, a), false, &tx, &err);
    if (rc == RIA_OK && !(model = current_model(tx, &err)))
        rc = err.code ? err.code : RIA_ENOTFOUND;
    if (rc == RIA_OK)
        rc = edit(cmd, a, tx, model, summary, sizeof summary, &err);
    if (rc == RIA_OK) {
        report = json_pack("{s:s}", "summary", summary);
        rc = ria_txn_commit(tx, "views", report, model, &version, &err);
    }
    json_decref(report);
    json_decref(model);
    ria_txn_free(tx);
    if (rc != RIA_OK)
        return cli_fail_err(cmd, &err);
    printf("%s: version %lld\n", summary, (long long)version);
    return list_views(cmd, a);
}

int cmd_views(const cli_command *cmd, cli_args *a)
{
    const char *verb = a->npos ? a->pos[0] : "list";
    if (strcmp(verb, "list") == 0 && a->npos <= 1)
        return list_views(cmd, a);
    if (strcmp(verb, "add") == 0 || strcmp(verb, "drop") == 0 || strcmp(verb, "refresh") == 0)
        return change_views(cmd, a);
    return cli_fail(cmd, RIA_EINVAL, "unknown action '%s' (list, add, drop or refresh)", verb);
}
