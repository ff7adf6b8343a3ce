/*
 * args.c — option parsing from a command's cli_opt table (getopt_long), the
 * generated --help text, and the shared failure printer.
 */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int opt_index(const cli_command *cmd, const char *name)
{
    for (int i = 0; cmd->opts && cmd->opts[i].name; i++)
        if (strcmp(cmd->opts[i].name, name) == 0)
            return i;
    return -1;
}

const char *cli_get(const cli_command *cmd, const cli_args *a, const char *name, const char *def)
{
    int i = opt_index(cmd, name);
    if (i < 0) {
        fprintf(stderr, "ria %s: internal: no option --%s\n", cmd->name, name);
        abort();
    }
    return a->values[i] ? a->values[i] : def;
}

bool cli_flag(const cli_command *cmd, const cli_args *a, const char *name)
{
    return cli_get(cmd, a, name, NULL) != NULL;
}

/* An integer with an optional decimal suffix: 10K = 10,000, 10M = 10^7,
 * 1G = 10^9 (counts, not byte sizes). */
static bool parse_count(const char *s, int64_t *out)
{
    if (ria_parse_i64(s, out))
        return true;
    size_t n = strlen(s);
    char num[32];
    if (n < 2 || n >= sizeof num)
        return false;
    int64_t mul = s[n - 1] == 'K' || s[n - 1] == 'k' ? 1000
                  : s[n - 1] == 'M' || s[n - 1] == 'm' ? 1000000
                  : s[n - 1] == 'G' || s[n - 1] == 'g' ? 1000000000
                                                       : 0;
    memcpy(num, s, n - 1);
    num[n - 1] = 0;
    int64_t v;
    if (!mul || !ria_parse_i64(num, &v) || v < 0 || v > INT64_MAX / mul)
        return false;
    *out = v * mul;
    return true;
}

bool cli_int(const cli_command *cmd, const cli_args *a, const char *name, int64_t def,
             int64_t min, int64_t max, int64_t *out)
{
    const char *v = cli_get(cmd, a, name, NULL);
    if (!v) {
        *out = def;
        return true;
    }
    int64_t x;
    if (!parse_count(v, &x)) {
        cli_fail(cmd, RIA_EINVAL, "--%s: '%s' is not a number", name, v);
        return false;
    }
    if (x < min || x > max) {
        cli_fail(cmd, RIA_EINVAL, "--%s: %lld is outside %lld..%lld", name, (long long)x,
                 (long long)min, (long long)max);
        return false;
    }
    *out = x;
    return true;
}

const char *cli_store_dir(const cli_command *cmd, const cli_args *a)
{
    const char *v = cli_get(cmd, a, "store", NULL);
    if (v && *v)
        return v;
    v = getenv("RIA_STORE");
    return v && *v ? v : "./ria-data";
}

int cli_fail(const cli_command *cmd, ria_status code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "ria %s: %s\n", cmd ? cmd->name : "", msg);
    int ec = ria_status_exit_code(code);
    return ec ? ec : 1;
}

int cli_fail_err(const cli_command *cmd, const ria_error *err)
{
    return cli_fail(cmd, err->code ? err->code : RIA_EINTERNAL, "%s",
                    err->msg[0] ? err->msg : ria_status_name(err->code));
}

bool cli_isatty(int fd)
{
    return isatty(fd) == 1;
}

void cli_print_help(const cli_command *cmd, FILE *f)
{
    fprintf(f, "usage: ria %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->summary);
    if (cmd->description)
        fprintf(f, "\n%s\n", cmd->description);
    if (cmd->opts && cmd->opts[0].name) {
        fprintf(f, "\noptions:\n");
        for (int i = 0; cmd->opts[i].name; i++) {
            const cli_opt *o = &cmd->opts[i];
            char left[64];
            if (o->short_name)
                snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name,
                         o->arg ? " " : "", o->arg ? o->arg : "");
            else
                snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "",
                         o->arg ? o->arg : "");
            fprintf(f, "  %-26s %s\n", left, o->help);
        }
    }
}

int cli_parse(const cli_command *cmd, int argc, char **argv, cli_args *out)
{
    memset(out, 0, sizeof *out);
    struct option longs[CLI_MAX_OPTS + 1];
    char shorts[CLI_MAX_OPTS * 2 + 2];
    int nl = 0, ns = 0;
    shorts[ns++] = ':';
    for (int i = 0; cmd->opts && cmd->opts[i].name && i < CLI_MAX_OPTS; i++) {
        const cli_opt *o = &cmd->opts[i];
        longs[nl++] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL,
                                      256 + i};
        if (o->short_name) {
            shorts[ns++] = o->short_name;
            if (o->arg)
                shorts[ns++] = ':';
        }
    }
    longs[nl] = (struct option){0};
    shorts[ns] = 0;
    optind = 1;
    opterr = 0;
    for (;;) {
        int c = getopt_long(argc, argv, shorts, longs, NULL);
        if (c == -1)
            break;
        int idx = -1;
        if (c >= 256) {
            idx = c - 256;
        } else if (c == '?' || c == ':') {
            const char *bad = argv[optind - 1];
            if (c == ':')
                return cli_fail(cmd, RIA_EINVAL, "%s needs a value (see ria %s --help)", bad,
                                cmd->name);
            return cli_fail(cmd, RIA_EINVAL, "unknown option %s (see ria %s --help)", bad,
                            cmd->name);
        } else {
            for (int i = 0; cmd->opts[i].name; i++)
                if (cmd->opts[i].short_name == c)
                    idx = i;
        }
        if (idx < 0)
            return cli_fail(cmd, RIA_EINTERNAL, "option table mismatch");
        out->values[idx] = cmd->opts[idx].arg ? optarg : "1";
        if (strcmp(cmd->opts[idx].name, "help") == 0) {
            cli_print_help(cmd, stdout);
            return 0;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (out->npos >= CLI_MAX_POS)
            return cli_fail(cmd, RIA_ELIMIT, "too many arguments (at most %d)", CLI_MAX_POS);
        out->pos[out->npos++] = argv[i];
    }
    if (out->npos < cmd->min_pos)
        return cli_fail(cmd, RIA_EINVAL, "missing argument (usage: ria %s %s)", cmd->name,
                        cmd->usage);
    if (cmd->max_pos >= 0 && out->npos > cmd->max_pos)
        return cli_fail(cmd, RIA_EINVAL, "unexpected argument '%s' (usage: ria %s %s)",
                        out->pos[cmd->max_pos], cmd->name, cmd->usage);
    return -1;
}
