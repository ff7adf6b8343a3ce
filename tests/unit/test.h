/*
 * test.h — the unit-test registry.  TEST(name) defines and registers a test;
 * CHECK* record a failure (file:line and the expression) and return from the
 * test; HCHECK does the same in a helper returning bool.  Each test runs in
 * its own process with a timeout (see main.c).
 */
#ifndef RIA_TEST_H
#define RIA_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef void (*test_fn)(void);
void test_register(const char *name, const char *file, test_fn fn);
void test_failed(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A fresh empty directory for this test (removed when the test ends). */
const char *test_tmpdir(void);
/* The shared tests/fixtures directory. */
const char *test_fixture(const char *name);

#define TEST(name)                                                          \
    static void test_##name(void);                                          \
    __attribute__((constructor)) static void register_##name(void)          \
    {                                                                       \
        test_register(#name, __FILE__, test_##name);                        \
    }                                                                       \
    static void test_##name(void)

/* When cond does not hold: records a failure (file:line and a printf-style
 * message), then does `then` (return, return false, goto done, ...). */
#define CHECK_OR(then, cond, ...)                                           \
    do {                                                                    \
        if (!(cond)) {                                                      \
            test_failed(__FILE__, __LINE__, __VA_ARGS__);                   \
            then;                                                           \
        }                                                                   \
    } while (0)

#define CHECK(cond) CHECK_OR(return, cond, "CHECK(%s)", #cond)
#define CHECK_MSG(cond, ...) CHECK_OR(return, cond, __VA_ARGS__)
/* The same in a helper returning bool: records a failure and returns false. */
#define HCHECK(cond, ...) CHECK_OR(return false, cond, __VA_ARGS__)

#define CHECK_EQ_INT(a, b)                                                  \
    do {                                                                    \
        long long a_ = (long long)(a), b_ = (long long)(b);                 \
        if (a_ != b_) {                                                     \
            test_failed(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_); \
            return;                                                         \
        }                                                                   \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                  \
    do {                                                                    \
        const char *a_ = (a), *b_ = (b);                                    \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                            \
            test_failed(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b, \
                        a_ ? a_ : "(null)", b_ ? b_ : "(null)");            \
            return;                                                         \
        }                                                                   \
    } while (0)

#define CHECK_OK(expr)                                                      \
    do {                                                                    \
        ria_error err_ = {0};                                               \
        (void)err_;                                                         \
        int rc_ = (int)(expr);                                              \
        if (rc_ != 0) {                                                     \
            test_failed(__FILE__, __LINE__, "%s returned %d", #expr, rc_);  \
            return;                                                         \
        }                                                                   \
    } while (0)

#endif
