#include "http_files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *content_type(const char *path)
{
    static const struct { const char *ext, *type; } types[] = {
        { ".html", "text/html; charset=utf-8" }, { ".htm", "text/html; charset=utf-8" },
        { ".txt", "text/plain; charset=utf-8" }, { ".css", "text/css" },
        { ".js", "text/javascript" },            { ".json", "application/json" },
        { ".png", "image/png" },                 { ".jpg", "image/jpeg" },
        { ".gif", "image/gif" },                 { ".svg", "image/svg+xml" },
        { ".pdf", "application/pdf" },
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcasecmp(dot, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

/* Open root/rel safely: the resolved file must still lie inside root.
 * The descriptor, or a negative errno. */
static int open_under_root(const char *root, const char *rel, struct stat *st)
{
    char path[PATH_MAX], resolved[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", root, rel) >= (int)sizeof path || !realpath(path, resolved))
        return -ENOENT;
    size_t rl = strlen(root);
    if (strncmp(resolved, root, rl) != 0 || (resolved[rl] != '/' && resolved[rl] != '\0'))
        return -EACCES; /* a symbolic link out of the served tree */
    if (stat(resolved, st) < 0)
        return -errno;
    if (S_ISDIR(st->st_mode)) {
        if (snprintf(path, sizeof path, "%s/index.html", resolved) >= (int)sizeof path)
            return -ENOENT;
        if (stat(path, st) < 0 || !S_ISREG(st->st_mode))
            return -EACCES;
        snprintf(resolved, sizeof resolved, "%s", path);
    } else if (!S_ISREG(st->st_mode)) {
        return -EACCES;
    }
    int fd = open(resolved, O_RDONLY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

static int files_open(void *ctx, const char *path, struct naru_http_resource *res)
{
    struct stat st;
    int fd = open_under_root(ctx, path, &st);
    if (fd < 0)
        return fd == -ENOENT || fd == -ENOTDIR ? 404 : 403;
    res->content_type = content_type(path);
    res->length = (uint64_t)st.st_size;
    res->handle = (void *)(intptr_t)fd;
    return 200;
}

static long files_read(void *ctx, void *handle, uint64_t offset, void *buf, size_t len)
{
    (void)ctx;
    ssize_t got = pread((int)(intptr_t)handle, buf, len, (off_t)offset);
    return got < 0 ? -errno : got; /* 0: the file shrank, and the response ends */
}

static void files_close(void *ctx, void *handle)
{
    (void)ctx;
    close((int)(intptr_t)handle);
}

void http_files_site(const char *root, struct naru_http_site *site)
{
    *site = (struct naru_http_site){ .open = files_open, .read = files_read, .close = files_close,
                                     .ctx = (void *)(uintptr_t)root };
}
