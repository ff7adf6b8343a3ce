/*
 * thread.c — CPU count, a parallel-for over a fixed index range, clocks.
 * Work is handed out by an atomic counter so uneven items balance.
 */
#include "core.h"

#include <pthread.h>
#include <sys/random.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int ria_ncpu(void)
{
    const char *env = getenv("RIA_THREADS");
    int64_t v;
    if (env && ria_parse_i64(env, &v) && v >= 1 && v <= 256)
        return (int)v;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

typedef struct {
    void (*fn)(void *, int);
    void *arg;
    int n;
    atomic_int next;
} pfor_job;

static void *pfor_worker(void *p)
{
    pfor_job *job = p;
    for (;;) {
        int i = atomic_fetch_add(&job->next, 1);
        if (i >= job->n)
            break;
        job->fn(job->arg, i);
    }
    return NULL;
}

void ria_parallel_for(int n, int threads, void (*fn)(void *arg, int i), void *arg)
{
    if (n <= 0)
        return;
    if (threads > n)
        threads = n;
    pfor_job job = {fn, arg, n, 0};
    if (threads <= 1) {
        pfor_worker(&job);
        return;
    }
    pthread_t tid[256];
    int started = 0;
    for (int t = 1; t < threads && t < 256; t++)
        if (pthread_create(&tid[started], NULL, pfor_worker, &job) == 0)
            started++;
    pfor_worker(&job);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
}

double ria_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int64_t ria_wall_time(void)
{
    return (int64_t)time(NULL);
}

uint64_t ria_random64(void)
{
    uint64_t v = 0;
    if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v) {
        /* no entropy source: time and address mixed (ids stay unique) */
        static _Atomic uint64_t counter;
        v = ria_hash64(&(uint64_t[2]){(uint64_t)(ria_now() * 1e9), ++counter}, 16);
    }
    return v;
}
