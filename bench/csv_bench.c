/*
 * csv_bench.c — throughput of the streaming CSV reader (src/ingest/csv.c).
 *
 * Not built by default.  Build and run from the repository root:
 *
 *   gcc -std=c17 -D_GNU_SOURCE -O2 -Isrc $(pkg-config --cflags libxxhash) \
 *       -o /tmp/csv_bench bench/csv_bench.c src/ingest/csv.c \
 *       src/ingest/csv_encoding.c src/core/[a-z]*.c \
 *       $(pkg-config --libs libzstd jansson libxxhash) -lpthread -lm
 *   /tmp/csv_bench [MB] [dir]        (default 256 MB in $TMPDIR or /tmp)
 *
 * It writes two synthetic sales files of about MB megabytes (19 short fields
 * a line; one plain, one with every text field quoted as many exports do),
 * then, with each file in the page cache, measures:
 *   read      read(2) of the file in 8 MiB blocks (the floor for the rest)
 *   chunker   ria_csv_next_chunk over the whole file (read + boundary scan)
 *   parse     ria_csv_next over chunks already in memory, one core, fields
 *             touched (the per-core record/field rate)
 *   pipeline  reader thread + 2 worker threads, end to end
 * Figures are MB/s of input, best of three runs.
 */
#include "ingest/csv.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t rng = 88172645463325252ULL;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static const char *const cats[] = {"Electronics", "Home", "Toys", "Garden", "Books"};
static const char *const subs[] = {"Phones", "Kitchen", "Puzzles", "Tools", "Fiction", "Audio"};
static const char *const names[] = {"Widget Pro 3000", "Garden Hose, 25ft", "Desk Lamp",
                                    "USB-C Cable 2m", "Puzzle 1000 pcs", "Chef's Knife"};
static const char *const cities[] = {"Springfield", "Portland", "Austin", "Columbus", "Denver"};
static const char *const states[] = {"IL", "OR", "TX", "OH", "CO"};

/* Appends one sales line of 19 fields; quoted: every text field quoted. */
static void sales_line(ria_buf *b, uint64_t i, bool quoted)
{
    const char *q = quoted ? "\"" : "";
    const char *name = names[rnd(6)];
    const char *nq = quoted || strchr(name, ',') ? "\"" : "";
    int qty = 1 + (int)rnd(5);
    int cents = 199 + (int)rnd(20000);
    ria_buf_printf(b, "%llu,2024-%02u-%02u %02u:%02u:%02u,", (unsigned long long)(100000 + i),
                   1 + rnd(12), 1 + rnd(28), rnd(24), rnd(60), rnd(60));
    ria_buf_printf(b, "%sShipped%s,%sOnline%s,%s%s%s,%s%s%s,SKU-%05u,%s%s%s,", q, q, q, q, q,
                   cats[rnd(5)], q, q, subs[rnd(6)], q, rnd(100000), nq, name, nq);
    ria_buf_printf(b, "%d,%d.%02d,0.%02u,%d.%02d,%d.%02d,%d.%02d,", qty, cents / 100,
                   cents % 100, rnd(30), qty * cents / 100, qty * cents % 100, cents / 200,
                   cents % 100, cents / 300, cents % 100);
    ria_buf_printf(b, "CUST-%05u,%sConsumer%s,%s%s%s,%s,%05u\n", rnd(100000), q, q, q,
                   cities[rnd(5)], q, states[rnd(5)], rnd(99999));
}

static const char header[] =
    "order_id,order_date,status,channel,category,sub_category,sku,product_name,quantity,"
    "unit_price,discount,amount,cost,profit,customer_id,segment,city,state,postal_code\n";

static int write_file(const char *path, size_t bytes, bool quoted)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return -1;
    ria_buf b;
    ria_buf_init(&b, 0);
    ria_buf_puts(&b, header);
    size_t done = 0;
    for (uint64_t i = 0; done < bytes; i++) {
        sales_line(&b, i, quoted);
        if (b.len > (1u << 20)) {
            if (ria_write_all(fd, b.data, b.len, path, NULL) != RIA_OK)
                return -1;
            done += b.len;
            ria_buf_reset(&b);
        }
    }
    if (ria_write_all(fd, b.data, b.len, path, NULL) != RIA_OK)
        return -1;
    ria_buf_free(&b);
    return fd;
}

static double mbps(size_t bytes, double secs)
{
    return (double)bytes / 1e6 / secs;
}

static double bench_read(int fd)
{
    char *buf = malloc(8u << 20);
    lseek(fd, 0, SEEK_SET);
    double t = ria_now();
    while (read(fd, buf, 8u << 20) > 0)
        ;
    t = ria_now() - t;
    free(buf);
    return t;
}

static double bench_chunker(int fd)
{
    ria_csv_reader *r;
    ria_error err;
    const ria_csv_record *h;
    ria_csv_chunk *c;
    lseek(fd, 0, SEEK_SET);
    double t = ria_now();
    if (ria_csv_open(fd, NULL, &r, &err) != RIA_OK || ria_csv_read_header(r, &h, &err) != RIA_OK)
        return -1;
    while (ria_csv_next_chunk(r, &c, &err) == RIA_OK && c)
        ria_csv_chunk_free(c);
    t = ria_now() - t;
    ria_csv_close(r);
    return t;
}

/* Iterates every record of a chunk, touching each field. */
static uint64_t consume(ria_csv_cursor *cur, const ria_csv_chunk *c)
{
    const ria_csv_record *rec;
    ria_error err;
    uint64_t sum = 0;
    ria_csv_cursor_reset(cur, c);
    while (ria_csv_next(cur, &rec, &err) == RIA_OK && rec)
        for (size_t i = 0; i < rec->nfields; i++)
            sum += rec->fields[i].n + (uint8_t)(rec->fields[i].n ? rec->fields[i].p[0] : 0);
    return sum;
}

/* Parses the first `limit` bytes worth of chunks, already in memory. */
static double bench_parse(int fd, size_t limit, size_t *out_bytes, uint64_t *out_recs)
{
    ria_csv_reader *r;
    ria_error err;
    const ria_csv_record *h;
    ria_csv_chunk *chunks[256];
    size_t n = 0, bytes = 0;
    lseek(fd, 0, SEEK_SET);
    if (ria_csv_open(fd, NULL, &r, &err) != RIA_OK || ria_csv_read_header(r, &h, &err) != RIA_OK)
        return -1;
    while (n < 256 && bytes < limit && ria_csv_next_chunk(r, &chunks[n], &err) == RIA_OK &&
           chunks[n])
        bytes += chunks[n++]->text_bytes;
    ria_csv_cursor cur;
    ria_csv_cursor_init(&cur);
    uint64_t sum = 0, recs = 0;
    double t = ria_now();
    for (size_t i = 0; i < n; i++) {
        sum += consume(&cur, chunks[i]);
        recs += cur.records;
    }
    t = ria_now() - t;
    if (sum == 42)
        puts("");
    for (size_t i = 0; i < n; i++)
        ria_csv_chunk_free(chunks[i]);
    ria_csv_cursor_free(&cur);
    ria_csv_close(r);
    *out_bytes = bytes;
    *out_recs = recs;
    return t;
}

/* ------------------------------------------------- reader + 2 workers */

#define QUEUE 4

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    ria_csv_chunk *q[QUEUE];
    size_t head, count;
    bool done;
    uint64_t sum;
} queue;

static void *worker(void *arg)
{
    queue *qu = arg;
    ria_csv_cursor cur;
    ria_csv_cursor_init(&cur);
    uint64_t sum = 0;
    for (;;) {
        pthread_mutex_lock(&qu->mu);
        while (qu->count == 0 && !qu->done)
            pthread_cond_wait(&qu->cv, &qu->mu);
        if (qu->count == 0) {
            pthread_mutex_unlock(&qu->mu);
            break;
        }
        ria_csv_chunk *c = qu->q[qu->head];
        qu->head = (qu->head + 1) % QUEUE;
        qu->count--;
        pthread_cond_broadcast(&qu->cv);
        pthread_mutex_unlock(&qu->mu);
        sum += consume(&cur, c);
        ria_csv_chunk_free(c);
    }
    ria_csv_cursor_free(&cur);
    pthread_mutex_lock(&qu->mu);
    qu->sum += sum;
    pthread_mutex_unlock(&qu->mu);
    return NULL;
}

static double bench_pipeline(int fd)
{
    queue qu = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    pthread_t th[2];
    ria_csv_reader *r;
    ria_error err;
    const ria_csv_record *h;
    ria_csv_chunk *c;
    lseek(fd, 0, SEEK_SET);
    double t = ria_now();
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, worker, &qu);
    if (ria_csv_open(fd, NULL, &r, &err) != RIA_OK || ria_csv_read_header(r, &h, &err) != RIA_OK)
        return -1;
    while (ria_csv_next_chunk(r, &c, &err) == RIA_OK && c) {
        pthread_mutex_lock(&qu.mu);
        while (qu.count == QUEUE)
            pthread_cond_wait(&qu.cv, &qu.mu);
        qu.q[(qu.head + qu.count) % QUEUE] = c;
        qu.count++;
        pthread_cond_broadcast(&qu.cv);
        pthread_mutex_unlock(&qu.mu);
    }
    pthread_mutex_lock(&qu.mu);
    qu.done = true;
    pthread_cond_broadcast(&qu.cv);
    pthread_mutex_unlock(&qu.mu);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    t = ria_now() - t;
    ria_csv_close(r);
    return t;
}

static double best3(double (*fn)(int), int fd)
{
    double best = 1e30;
    for (int i = 0; i < 3; i++) {
        double t = fn(fd);
        if (t > 0 && t < best)
            best = t;
    }
    return best;
}

static void run(const char *path, size_t bytes, bool quoted)
{
    int fd = write_file(path, bytes, quoted);
    if (fd < 0) {
        perror(path);
        exit(1);
    }
    size_t size = (size_t)lseek(fd, 0, SEEK_END);
    bench_read(fd); /* warm the page cache */
    printf("%s file, %.0f MB:\n", quoted ? "quoted" : "plain", (double)size / 1e6);
    printf("  read      %7.0f MB/s\n", mbps(size, best3(bench_read, fd)));
    printf("  chunker   %7.0f MB/s\n", mbps(size, best3(bench_chunker, fd)));
    double best = 1e30;
    size_t pb = 0;
    uint64_t recs = 0;
    for (int i = 0; i < 3; i++) {
        double t = bench_parse(fd, 128u << 20, &pb, &recs);
        if (t > 0 && t < best)
            best = t;
    }
    printf("  parse     %7.0f MB/s per core (%.1f M records/s, %.0f bytes/record)\n",
           mbps(pb, best), (double)recs / best / 1e6, (double)pb / (double)recs);
    printf("  pipeline  %7.0f MB/s (reader + 2 workers)\n", mbps(size, best3(bench_pipeline, fd)));
    close(fd);
    unlink(path);
}

int main(int argc, char **argv)
{
    size_t mb = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 256;
    const char *dir = argc > 2 ? argv[2] : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char path[4096];
    snprintf(path, sizeof path, "%s/csv_bench_%d.csv", dir, (int)getpid());
    run(path, mb << 20, false);
    run(path, mb << 20, true);
    return 0;
}
