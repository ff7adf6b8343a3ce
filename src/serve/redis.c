/*
 * redis.c — the shared cache tier: answers kept in Redis (hiredis) so that
 * several server instances share them.  Keys come from the question
 * engine and already include the build and the store version; entries
 * expire after a day.
 *
 * A few connections, each with its own mutex, serve the calls; every call
 * has a short timeout.  When Redis is away, calls fail fast (a miss, and
 * nothing stored) and a connection is retried at most once a second, so
 * the server keeps answering from its own tiers and comes back to the
 * shared one by itself.
 */
#include "server.h"

#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>

#define REDIS_CONNS 4
#define REDIS_TTL_SECONDS 86400

typedef struct {
    pthread_mutex_t mu;
    redisContext *c;
    double retry_at;           /* no reconnect before this time */
} redis_conn;

struct redis_tier {
    char host[256];
    int port;
    metrics *m;
    redis_conn conns[REDIS_CONNS];
    _Atomic unsigned next;
    _Atomic int up;
};

redis_tier *redis_tier_new(const char *hostport, metrics *m)
{
    redis_tier *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    const char *colon = strrchr(hostport, ':');
    if (!colon || colon == hostport) {
        free(r);
        return NULL;
    }
    snprintf(r->host, sizeof r->host, "%.*s", (int)(colon - hostport), hostport);
    int64_t port = 0;
    if (!ria_parse_i64(colon + 1, &port) || port <= 0 || port > 65535) {
        free(r);
        return NULL;
    }
    r->port = (int)port;
    r->m = m;
    for (int i = 0; i < REDIS_CONNS; i++)
        pthread_mutex_init(&r->conns[i].mu, NULL);
    return r;
}

void redis_tier_free(redis_tier *r)
{
    if (!r)
        return;
    for (int i = 0; i < REDIS_CONNS; i++) {
        if (r->conns[i].c)
            redisFree(r->conns[i].c);
        pthread_mutex_destroy(&r->conns[i].mu);
    }
    free(r);
}

bool redis_tier_up(redis_tier *r)
{
    return atomic_load(&r->up) != 0;
}

/* A connected context (the connection's mutex held), or NULL. */
static redisContext *conn_ready(redis_tier *r, redis_conn *c)
{
    if (c->c && !c->c->err)
        return c->c;
    if (c->c) {
        redisFree(c->c);
        c->c = NULL;
    }
    double now = ria_now();
    if (now < c->retry_at)
        return NULL;
    struct timeval tv = {0, 200 * 1000};
    c->c = redisConnectWithTimeout(r->host, r->port, tv);
    if (!c->c || c->c->err) {
        if (c->c) {
            redisFree(c->c);
            c->c = NULL;
        }
        c->retry_at = now + 1.0;
        atomic_store(&r->up, 0);
        atomic_fetch_add(&r->m->redis_errors, 1);
        return NULL;
    }
    struct timeval op = {0, 100 * 1000};
    redisSetTimeout(c->c, op);
    atomic_store(&r->up, 1);
    return c->c;
}

static redis_conn *pick(redis_tier *r)
{
    unsigned start = atomic_fetch_add(&r->next, 1);
    for (int i = 0; i < REDIS_CONNS; i++) {
        redis_conn *c = &r->conns[(start + (unsigned)i) % REDIS_CONNS];
        if (pthread_mutex_trylock(&c->mu) == 0)
            return c;
    }
    redis_conn *c = &r->conns[start % REDIS_CONNS];
    pthread_mutex_lock(&c->mu);
    return c;
}

static void failed(redis_tier *r, redis_conn *c)
{
    atomic_fetch_add(&r->m->redis_errors, 1);
    atomic_store(&r->up, 0);
    if (c->c) {
        redisFree(c->c);
        c->c = NULL;
    }
    c->retry_at = ria_now() + 1.0;
}

void *redis_tier_get(void *ctx, const char *key, size_t *len)
{
    redis_tier *r = ctx;
    redis_conn *c = pick(r);
    void *out = NULL;
    redisContext *rc = conn_ready(r, c);
    if (rc) {
        redisReply *rep = redisCommand(rc, "GET %s", key);
        if (!rep) {
            failed(r, c);
        } else {
            if (rep->type == REDIS_REPLY_STRING && rep->len > 0) {
                out = malloc(rep->len);
                if (out) {
                    memcpy(out, rep->str, rep->len);
                    *len = rep->len;
                }
            }
            freeReplyObject(rep);
        }
    }
    pthread_mutex_unlock(&c->mu);
    return out;
}

void redis_tier_put(void *ctx, const char *key, const void *value, size_t len)
{
    redis_tier *r = ctx;
    redis_conn *c = pick(r);
    redisContext *rc = conn_ready(r, c);
    if (rc) {
        redisReply *rep = redisCommand(rc, "SET %s %b EX %d", key, value, len, REDIS_TTL_SECONDS);
        if (!rep)
            failed(r, c);
        else
            freeReplyObject(rep);
    }
    pthread_mutex_unlock(&c->mu);
}
