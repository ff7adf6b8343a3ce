/*
 * main.c — runs the registered unit tests, each in a forked child with a
 * timeout, and prints "N passed, N failed".  Arguments filter tests by
 * substring; RIA_TEST_TIMEOUT sets the per-test limit in seconds.
 */
#include "test.h"

#include <limits.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    const char *name, *file;
    test_fn fn;
} test_entry;

static test_entry tests[2048];
static int ntests;
static int failures_in_child;
static char tmpdir[PATH_MAX];
static char fixture_path[PATH_MAX];

void test_register(const char *name, const char *file, test_fn fn)
{
    if (ntests < (int)(sizeof tests / sizeof tests[0]))
        tests[ntests++] = (test_entry){name, file, fn};
}

void test_failed(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "    %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures_in_child++;
}

const char *test_tmpdir(void)
{
    if (!tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(tmpdir, sizeof tmpdir, "%s/ria-test-XXXXXX", base ? base : "/tmp");
        if (!mkdtemp(tmpdir)) {
            perror("mkdtemp");
            exit(2);
        }
    }
    return tmpdir;
}

const char *test_fixture(const char *name)
{
    const char *dir = getenv("RIA_FIXTURES");
    snprintf(fixture_path, sizeof fixture_path, "%s/%s", dir ? dir : "tests/fixtures", name);
    return fixture_path;
}

static int run_one(const test_entry *t, int timeout)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        alarm((unsigned)timeout);
        t->fn();
        if (tmpdir[0]) {
            char cmd[PATH_MAX + 16];
            snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
            if (system(cmd) != 0)
                fprintf(stderr, "    could not remove %s\n", tmpdir);
        }
        fflush(NULL);
        _exit(failures_in_child ? 1 : 0);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        ;
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        fprintf(stderr, "    killed by signal %d%s\n", sig, sig == SIGALRM ? " (timeout)" : "");
        return 1;
    }
    return WEXITSTATUS(status) != 0;
}

int main(int argc, char **argv)
{
    int timeout = 120;
    const char *env = getenv("RIA_TEST_TIMEOUT");
    if (env && strtol(env, NULL, 10) > 0)
        timeout = (int)strtol(env, NULL, 10);
    int passed = 0, failed = 0;
    for (int i = 0; i < ntests; i++) {
        bool want = argc < 2;
        for (int a = 1; a < argc; a++)
            if (strstr(tests[i].name, argv[a]))
                want = true;
        if (!want)
            continue;
        int bad = run_one(&tests[i], timeout);
        printf("%s %s\n", bad ? "FAIL" : "ok  ", tests[i].name);
        fflush(stdout);
        bad ? failed++ : passed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
