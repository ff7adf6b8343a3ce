/*
 * auth.c — API keys.  The key file has one key per line: "KEY read|write
 * [name]"; blank lines and lines starting with '#' are ignored.  A read key
 * may call every route but the ingest ones; a write key may also ingest.
 * Keys are compared in constant time.
 */
#include "server.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    char key[128];
    size_t len;
    auth_level level;
} api_key;

struct keyring {
    api_key *keys;
    int n;
};

static bool same_key(const char *a, size_t an, const char *b, size_t bn)
{
    unsigned diff = (unsigned)(an ^ bn);
    size_t n = an < bn ? an : bn;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned)(a[i] ^ b[i]);
    return diff == 0;
}

ria_status keyring_load(const char *path, keyring **out, ria_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return ria_fail(err, RIA_EIO, "%s: cannot open the API key file", path);
    keyring *k = calloc(1, sizeof *k);
    char line[512];
    int lineno = 0, cap = 0;
    ria_status rc = k ? RIA_OK : ria_fail(err, RIA_ENOMEM, "out of memory");
    while (rc == RIA_OK && fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '#' || *p == '\n' || *p == '\r' || !*p)
            continue;
        char key[160] = "", level[16] = "";
        if (sscanf(p, "%159s %15s", key, level) != 2 ||
            (strcmp(level, "read") != 0 && strcmp(level, "write") != 0)) {
            rc = ria_fail(err, RIA_EPARSE, "%s line %d: expected 'KEY read|write [name]'", path,
                          lineno);
            break;
        }
        if (strlen(key) < 16 || strlen(key) >= sizeof k->keys[0].key) {
            rc = ria_fail(err, RIA_EINVAL, "%s line %d: a key must have 16 to 127 characters",
                          path, lineno);
            break;
        }
        if (k->n == cap) {
            cap = cap ? cap * 2 : 8;
            api_key *a = realloc(k->keys, (size_t)cap * sizeof *a);
            if (!a) {
                rc = ria_fail(err, RIA_ENOMEM, "out of memory");
                break;
            }
            k->keys = a;
        }
        api_key *a = &k->keys[k->n++];
        snprintf(a->key, sizeof a->key, "%s", key);
        a->len = strlen(key);
        a->level = strcmp(level, "write") == 0 ? AUTH_WRITE : AUTH_READ;
    }
    fclose(f);
    if (rc == RIA_OK && k->n == 0)
        rc = ria_fail(err, RIA_EINVAL, "%s: no keys", path);
    if (rc != RIA_OK) {
        keyring_free(k);
        return rc;
    }
    *out = k;
    return RIA_OK;
}

void keyring_free(keyring *k)
{
    if (!k)
        return;
    free(k->keys);
    free(k);
}

auth_level keyring_check(const keyring *k, const char *key)
{
    size_t n = strlen(key);
    auth_level best = AUTH_NONE;
    for (int i = 0; i < k->n; i++)
        if (same_key(k->keys[i].key, k->keys[i].len, key, n) && k->keys[i].level > best)
            best = k->keys[i].level;
    return best;
}

int keyring_count(const keyring *k)
{
    return k ? k->n : 0;
}
