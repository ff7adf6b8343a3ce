/*
 * cmd_gen.c — `ria gen`: generate sales CSV to stdout or a file, optionally
 * with injected defects and a truth JSON describing them.
 *
 * Output goes straight to the file descriptor in whole blocks.  A reader that
 * goes away (EPIPE, e.g. `ria gen | head`) ends the run quietly with status 0
 * and no truth file, since the output was cut short; any other write error is
 * one line on stderr and a non-zero exit.
 */
#include "cli.h"
#include "gen/gen.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const cli_opt gen_opts[] = {
    {"rows", 'n', "N", "data rows to write (default 1000000; 10M-style suffixes allowed)"},
    {"seed", 's', "S", "random seed; the same options give the same bytes (default 42)"},
    {"start", 0, "YYYY-MM-DD", "first possible order date (default 2022-01-01)"},
    {"years", 0, "N", "order dates span N x 365 days (default 3, at most 50)"},
    {"dirty", 0, "RATE",
     "fraction of rows with one injected data-quality defect, 0..1 (default 0)"},
    {"out", 'o', "FILE", "write the CSV to FILE (default: standard output)"},
    {"truth", 0, "FILE", "write a JSON record of the rows, defects and expected totals"},
    {"threads", 'j', "N", "generator threads (default: the number of cores)"},
    CLI_OPT_HELP,
    {0},
};

typedef struct {
    int fd;
    const char *name; /* for messages */
} fd_out;

static ria_status write_fd(void *ctx, const char *p, size_t n, ria_error *err)
{
    fd_out *o = ctx;
    while (n > 0) {
        ssize_t k = write(o->fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && errno == EPIPE)
            return RIA_ECANCELLED;
        if (k <= 0)
            return ria_fail(err, RIA_EIO, "write %s: %s", o->name,
                            k < 0 ? strerror(errno) : "no progress");
        p += k;
        n -= (size_t)k;
    }
    return RIA_OK;
}

/* Parses a rate in 0..1 ("0.05"). */
static bool parse_rate(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0 && v <= 1))
        return false;
    *out = v;
    return true;
}

/* Parses a plain YYYY-MM-DD date into days since 1970-01-01. */
static bool parse_day(const char *s, int64_t *out)
{
    int64_t secs;
    bool has_time;
    size_t n = strlen(s);
    if (ria_parse_date(s, n, RIA_DATE_ISO, &secs, &has_time) != 1 || has_time || n != 10)
        return false;
    *out = secs / RIA_SECS_PER_DAY;
    return true;
}

/* Reads the options into o; prints the reason and returns false when bad. */
static bool read_options(const cli_command *cmd, const cli_args *a, ria_gen_options *o)
{
    int64_t rows, seed, years, threads;
    ria_gen_options_default(o);
    if (!cli_int(cmd, a, "rows", (int64_t)o->rows, 0, INT64_MAX / 2, &rows) ||
        !cli_int(cmd, a, "seed", (int64_t)o->seed, 0, INT64_MAX, &seed) ||
        !cli_int(cmd, a, "years", o->years, 1, 50, &years) ||
        !cli_int(cmd, a, "threads", ria_ncpu(), 1, 256, &threads))
        return false;
    o->rows = (uint64_t)rows;
    o->seed = (uint64_t)seed;
    o->years = (int)years;
    o->threads = (int)threads;
    const char *v = cli_get(cmd, a, "dirty", NULL);
    if (v && !parse_rate(v, &o->dirty)) {
        cli_fail(cmd, RIA_EINVAL, "--dirty: '%s' is not a rate between 0 and 1", v);
        return false;
    }
    v = cli_get(cmd, a, "start", NULL);
    if (v && !parse_day(v, &o->start)) {
        cli_fail(cmd, RIA_EINVAL, "--start: '%s' is not a date YYYY-MM-DD", v);
        return false;
    }
    return true;
}

static ria_status write_truth(const char *path, const ria_gen_options *o, const ria_gen_truth *t,
                              ria_error *err)
{
    ria_status rc;
    ria_buf b;
    ria_buf_init(&b, 1 << 20);
    rc = ria_gen_truth_json(o, t, &b);
    if (rc != RIA_OK) {
        rc = ria_fail(err, rc, "truth JSON: %s", ria_status_name(rc));
        goto done;
    }
    rc = ria_write_file_atomic(path, b.data, b.len, err);
    if (rc != RIA_OK)
        ria_error_prefix(err, "--truth");
done:
    ria_buf_free(&b);
    return rc;
}

int cmd_gen(const cli_command *cmd, cli_args *args)
{
    ria_status rc;
    ria_error err = {0};
    ria_gen_options o;
    ria_gen_truth truth;
    fd_out out = {1, "standard output"};
    if (!read_options(cmd, args, &o))
        return ria_status_exit_code(RIA_EINVAL);
    rc = ria_gen_options_check(&o, &err);
    if (rc != RIA_OK)
        return cli_fail_err(cmd, &err);
    const char *path = cli_get(cmd, args, "out", NULL);
    const char *truth_path = cli_get(cmd, args, "truth", NULL);
    if (path && strcmp(path, "-") != 0) {
        out.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        out.name = path;
        if (out.fd < 0) {
            rc = ria_fail(&err, RIA_EIO, "%s: %s", path, strerror(errno));
            goto done;
        }
    }
    /* A closed pipe becomes EPIPE from write(), handled as a quiet stop. */
    signal(SIGPIPE, SIG_IGN);
    rc = ria_gen_run(&o, write_fd, &out, &truth, &err);
    if (out.fd != 1) {
        if (close(out.fd) != 0 && rc == RIA_OK)
            rc = ria_fail(&err, RIA_EIO, "close %s: %s", path, strerror(errno));
        out.fd = 1;
    }
    if (rc == RIA_OK && truth_path)
        rc = write_truth(truth_path, &o, &truth, &err);
done:
    if (rc == RIA_ECANCELLED)
        return 0;
    return rc == RIA_OK ? 0 : cli_fail_err(cmd, &err);
}
