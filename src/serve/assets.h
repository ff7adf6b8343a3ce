/*
 * assets.h — the web page's files, embedded in the binary at build time
 * (scripts/embed-assets writes the table from web/).  Paths start with
 * "/"; the server maps "/" to "/index.html".
 */
#ifndef RIA_SERVE_ASSETS_H
#define RIA_SERVE_ASSETS_H

#include <stddef.h>

typedef struct {
    const char *path;
    const char *type;
    const unsigned char *data;
    size_t len;
} ria_asset;

extern const ria_asset ria_assets[];
extern const size_t ria_asset_count;

#endif
