/*
 * fs.c — file helpers with the error detail filled in: whole-file reads,
 * atomic replacement (write, fsync, rename, fsync dir), mkdir -p.
 */
#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

ria_status ria_read_file(const char *path, size_t max, char **out, size_t *out_len,
                         ria_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ria_fail(err, errno == ENOENT ? RIA_ENOTFOUND : RIA_EIO, "%s: %s", path,
                        strerror(errno));
    ria_buf b;
    ria_buf_init(&b, max);
    ria_status rc = RIA_OK;
    for (;;) {
        size_t want = 65536;
        if (max && want > max - b.len)
            want = max - b.len;
        if (want == 0 || (rc = ria_buf_reserve(&b, want)) != RIA_OK) {
            if (want == 0) {
                char probe;
                ssize_t more = read(fd, &probe, 1);
                if (more == 0)
                    break; /* exactly max bytes */
            }
            rc = ria_fail(err, want ? rc : RIA_ELIMIT, "%s: larger than %zu bytes", path, max);
            break;
        }
        ssize_t k = read(fd, b.data + b.len, b.cap - b.len - 1);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            rc = ria_fail(err, RIA_EIO, "%s: %s", path, strerror(errno));
            break;
        }
        if (k == 0)
            break;
        b.len += (size_t)k;
        b.data[b.len] = 0;
    }
    close(fd);
    if (rc != RIA_OK) {
        ria_buf_free(&b);
        return rc;
    }
    if (out_len)
        *out_len = b.len;
    *out = ria_buf_steal(&b);
    return RIA_OK;
}

ria_status ria_write_all(int fd, const void *p, size_t n, const char *what, ria_error *err)
{
    const char *c = p;
    while (n) {
        ssize_t k = write(fd, c, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return ria_fail(err, RIA_EIO, "%s: %s", what, strerror(errno));
        }
        c += k;
        n -= (size_t)k;
    }
    return RIA_OK;
}

ria_status ria_fsync_dir(const char *path, ria_error *err)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return ria_fail(err, RIA_EIO, "%s: %s", path, strerror(errno));
    int r = fsync(fd);
    int e = errno;
    close(fd);
    if (r != 0 && e != EINVAL)
        return ria_fail(err, RIA_EIO, "fsync %s: %s", path, strerror(e));
    return RIA_OK;
}

ria_status ria_write_file_atomic(const char *path, const void *data, size_t n, ria_error *err)
{
    char tmp[4096], dir[4096];
    ria_status rc = ria_path_join(tmp, sizeof tmp, err, "%s.tmp.%ld", path, (long)getpid());
    if (rc != RIA_OK)
        return rc;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return ria_fail(err, RIA_EIO, "%s: %s", tmp, strerror(errno));
    rc = ria_write_all(fd, data, n, tmp, err);
    if (rc == RIA_OK && fsync(fd) != 0)
        rc = ria_fail(err, RIA_EIO, "fsync %s: %s", tmp, strerror(errno));
    close(fd);
    if (rc == RIA_OK && rename(tmp, path) != 0)
        rc = ria_fail(err, RIA_EIO, "rename %s: %s", path, strerror(errno));
    if (rc != RIA_OK) {
        unlink(tmp);
        return rc;
    }
    snprintf(dir, sizeof dir, "%s", path);
    return ria_fsync_dir(dirname(dir), err);
}

ria_status ria_mkdirs(const char *path, ria_error *err)
{
    char p[4096];
    if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
        return ria_fail(err, RIA_ELIMIT, "path too long: %s", path);
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == 0) {
            char save = *s;
            *s = 0;
            if (mkdir(p, 0755) != 0 && errno != EEXIST)
                return ria_fail(err, RIA_EIO, "mkdir %s: %s", p, strerror(errno));
            *s = save;
            if (!save)
                break;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return ria_fail(err, RIA_EIO, "%s: not a directory", path);
    return RIA_OK;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

ria_status ria_remove_tree(const char *path, ria_error *err)
{
    if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
        return ria_fail(err, RIA_EIO, "cannot remove %s: %s", path, strerror(errno));
    return RIA_OK;
}

bool ria_path_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

ria_status ria_path_join(char *out, size_t outsz, ria_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, outsz, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= outsz)
        return ria_fail(err, RIA_ELIMIT, "path too long");
    return RIA_OK;
}
