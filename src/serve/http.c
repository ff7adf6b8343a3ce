/*
 * http.c — libmicrohttpd glue: each request is matched to a route on its
 * first call, checked for its key, its body collected (in memory up to
 * max_body, spooled to a file for uploads up to max_upload), then handed
 * to the route's handler once complete.  Every response gets the security
 * headers; API responses are JSON and never cached.  Latency and status
 * go to the route's metrics and, unless quiet, one access-log line to
 * stderr.
 */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------ responses */

void resp_json(resp *out, int status, json_t *j)
{
    out->status = status;
    out->type = "application/json";
    out->body = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(16)) : NULL;
    out->len = out->body ? strlen(out->body) : 0;
    out->body_static = false;
    json_decref(j);
}

void resp_error(resp *out, int status, const char *code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    resp_json(out, status, json_pack("{s:{s:s, s:s, s:i}}", "error", "code", code, "message", msg,
                                     "status", status));
}

void resp_text(resp *out, int status, const char *type, char *body, size_t len)
{
    out->status = status;
    out->type = type;
    out->body = body;
    out->len = len;
}

/* ------------------------------------------------------------- requests */

const char *req_arg(const req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

json_t *req_json(req *r, resp *out)
{
    if (r->body.len == 0) {
        json_t *empty = json_object();
        return empty;
    }
    json_error_t je;
    json_t *j = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        resp_error(out, 400, "bad_json", "the body is not valid JSON: %s (line %d, column %d)",
                   je.text, je.line, je.column);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        resp_error(out, 400, "bad_json", "the body must be a JSON object");
        return NULL;
    }
    return j;
}

/* Whether a path is safe to look up: no "..", no NUL, no backslash. */
static bool clean_path(const char *url)
{
    return url[0] == '/' && !strstr(url, "..") && !strchr(url, '\\') && strlen(url) < 1024;
}

static const route *match_route(const srv *s, const char *method, const char *url,
                                bool *method_ok)
{
    *method_ok = false;
    const route *any = NULL;
    for (int i = 0; i < s->nroutes; i++) {
        const route *rt = &s->routes[i];
        bool hit = rt->prefix ? strncmp(url, rt->path, strlen(rt->path)) == 0
                              : strcmp(url, rt->path) == 0;
        if (!hit)
            continue;
        if (strcmp(rt->method, method) == 0) {
            *method_ok = true;
            return rt;
        }
        any = rt;
    }
    return any;
}

/* The key of a request: "Authorization: Bearer KEY" or "X-API-Key: KEY". */
static const char *request_key(struct MHD_Connection *conn)
{
    const char *a = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    if (a && strncasecmp(a, "Bearer ", 7) == 0)
        return a + 7;
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-API-Key");
}

static auth_level request_auth(srv *s, struct MHD_Connection *conn)
{
    if (!s->keys)
        return AUTH_WRITE; /* loopback without a key file: trusted */
    const char *k = request_key(conn);
    return k ? keyring_check(s->keys, k) : AUTH_NONE;
}

static void add_common_headers(srv *s, struct MHD_Response *mr, bool api)
{
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(mr, "X-Frame-Options", "DENY");
    MHD_add_response_header(mr, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(mr, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                            "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
                            "base-uri 'none'; form-action 'self'");
    MHD_add_response_header(mr, "Cache-Control", api ? "no-store" : "no-cache");
    if (s->o.cors_origin && api) {
        MHD_add_response_header(mr, "Access-Control-Allow-Origin", s->o.cors_origin);
        MHD_add_response_header(mr, "Vary", "Origin");
    }
}

static enum MHD_Result send_resp(req *r, resp *out)
{
    struct MHD_Response *mr = out->raw;
    if (!mr) {
        if (!out->body) {
            out->body = (char *)"";
            out->body_static = true;
        }
        mr = MHD_create_response_from_buffer(out->len, out->body,
                                             out->body_static ? MHD_RESPMEM_PERSISTENT
                                                              : MHD_RESPMEM_MUST_FREE);
        if (!mr)
            return MHD_NO;
        out->body = NULL;
        if (out->type)
            MHD_add_response_header(mr, "Content-Type", out->type);
    }
    add_common_headers(r->s, mr, strncmp(r->url, "/api/", 5) == 0 || strcmp(r->url, "/metrics") == 0);
    if (out->location[0])
        MHD_add_response_header(mr, "Location", out->location);
    if (out->status == 401)
        MHD_add_response_header(mr, "WWW-Authenticate", "Bearer realm=\"ria\"");
    if (out->status == 429 || out->status == 503)
        MHD_add_response_header(mr, "Retry-After", "1");
    enum MHD_Result rc = MHD_queue_response(r->conn, (unsigned)out->status, mr);
    MHD_destroy_response(mr);
    return rc;
}

/* Records the request in the metrics and the access log. */
static void account(req *r, const resp *out)
{
    srv *s = r->s;
    double dt = ria_now() - r->t0;
    route_stats *rs = metrics_route(&s->m, r->route ? r->route->label : "other");
    if (rs) {
        atomic_fetch_add(&rs->requests, 1);
        if (out->status >= 500)
            atomic_fetch_add(&rs->errors, 1);
        else if (out->status >= 400)
            atomic_fetch_add(&rs->client_errors, 1);
        hist_observe(&rs->lat, dt);
    }
    if (out->status == 401)
        atomic_fetch_add(&s->m.unauthorized, 1);
    if (out->status == 429)
        atomic_fetch_add(&s->m.rejected_busy, 1);
    if (!s->o.quiet)
        fprintf(stderr, "%s %s %d %.1fms\n", r->method, r->url, out->status, dt * 1e3);
}

/* ------------------------------------------------------------ handler */

static req *req_new(srv *s, struct MHD_Connection *conn, const char *url, const char *method)
{
    req *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->s = s;
    r->conn = conn;
    r->url = url;
    r->method = method;
    r->spool_fd = -1;
    r->t0 = ria_now();
    ria_buf_init(&r->body, 0);
    return r;
}

static void req_free(req *r)
{
    if (!r)
        return;
    ria_buf_free(&r->body);
    if (r->spool_fd >= 0)
        close(r->spool_fd);
    if (r->spool_path[0]) {
        unlink(r->spool_path); /* a handler that keeps the file takes its path away */
        char *slash = strrchr(r->spool_path, '/');
        char *dir = strstr(r->spool_path, "/upload-");
        if (slash && dir && dir < slash) { /* a named upload's own directory */
            *slash = 0;
            rmdir(r->spool_path);
        }
    }
    free(r);
}

static bool open_spool(req *r)
{
    snprintf(r->spool_path, sizeof r->spool_path, "%s/upload-XXXXXX", r->s->data_dir);
    r->spool_fd = mkstemp(r->spool_path);
    if (r->spool_fd < 0) {
        r->spool_path[0] = 0;
        return false;
    }
    return true;
}

/* Takes a chunk of the body. */
static void take_body(req *r, const char *data, size_t n)
{
    srv *s = r->s;
    r->body_bytes += n;
    if (r->too_large || r->io_error)
        return;
    if (r->route && r->route->upload) {
        if (r->body_bytes > s->o.max_upload) {
            r->too_large = true;
            return;
        }
        if (r->spool_fd < 0 && !open_spool(r)) {
            r->io_error = true;
            return;
        }
        while (n) {
            ssize_t w = write(r->spool_fd, data, n);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                r->io_error = true;
                return;
            }
            data += w;
            n -= (size_t)w;
        }
        return;
    }
    if (r->body_bytes > s->o.max_body) {
        r->too_large = true;
        return;
    }
    if (ria_buf_append(&r->body, data, n) != RIA_OK)
        r->io_error = true;
}

/* Serves the request once its body is complete. */
static enum MHD_Result dispatch(req *r)
{
    srv *s = r->s;
    resp out = {0};
    bool method_ok;
    if (!clean_path(r->url)) {
        resp_error(&out, 400, "bad_path", "the path is not allowed");
    } else if (strcmp(r->method, "OPTIONS") == 0 && s->o.cors_origin) {
        out.status = 204;
    } else if (!r->route) {
        const route *any = match_route(s, r->method, r->url, &method_ok);
        if (any)
            resp_error(&out, 405, "method_not_allowed", "%s is not allowed on %s", r->method,
                       r->url);
        else
            resp_error(&out, 404, "not_found", "no such route: %s", r->url);
    } else if (r->auth < r->route->need) {
        if (r->route->need == AUTH_WRITE && r->auth == AUTH_READ)
            resp_error(&out, 403, "forbidden", "this key may read but not write");
        else
            resp_error(&out, 401, "unauthorized",
                       "an API key is required (Authorization: Bearer KEY)");
    } else if (r->too_large) {
        resp_error(&out, 413, "too_large", "the request body is larger than %llu bytes",
                   (unsigned long long)(r->route->upload ? s->o.max_upload : s->o.max_body));
    } else if (r->io_error) {
        resp_error(&out, 500, "io_error", "the request body could not be stored");
    } else {
        if (r->spool_fd >= 0) {
            close(r->spool_fd);
            r->spool_fd = -1;
        }
        r->route->fn(r, &out);
        if (!out.status)
            out.status = 200;
    }
    account(r, &out);
    enum MHD_Result rc = send_resp(r, &out);
    if (out.body && !out.body_static)
        free(out.body);
    return rc;
}

/* Answers at the first call (a refusal), unless the request has no body
 * yet to come and can simply be dispatched later. */
static enum MHD_Result dispatch_early(req *r)
{
    r->answered = true;
    return dispatch(r);
}

enum MHD_Result http_access(void *cls, struct MHD_Connection *conn, const char *url,
                            const char *method, const char *version, const char *upload,
                            size_t *upload_size, void **con_cls)
{
    (void)version;
    srv *s = cls;
    req *r = *con_cls;
    if (!r) {
        r = req_new(s, conn, url, method);
        if (!r)
            return MHD_NO;
        bool method_ok;
        const route *rt = match_route(s, method, url, &method_ok);
        r->route = method_ok ? rt : NULL;
        r->auth = request_auth(s, conn);
        /* refuse a declared oversized body before reading it */
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl) {
            uint64_t n = strtoull(cl, NULL, 10);
            uint64_t lim = r->route && r->route->upload ? s->o.max_upload : s->o.max_body;
            if (n > lim)
                r->too_large = true;
        }
        *con_cls = r;
        /* a request refused anyway is answered before its body is read
         * (libmicrohttpd then closes the connection) */
        if (r->too_large || !r->route || r->auth < r->route->need)
            return dispatch_early(r);
        return MHD_YES;
    }
    if (r->answered) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        take_body(r, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    return dispatch(r);
}

void http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    req_free(*con_cls);
    *con_cls = NULL;
}
