/* Capture files into memory for the reader: a regular file is mapped
 * (a 100,000-packet capture costs no copy), anything else (a pipe, "-"
 * for standard input) is read whole. */
#define _GNU_SOURCE /* MAP_POPULATE */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace/capture_internal.h"

/* Every page mapped at once: the reader touches them all, and one call
 * costs less than a fault per page (a third of the time for 100 MB). */
#ifdef MAP_POPULATE
#define POPULATE MAP_POPULATE
#else
#define POPULATE 0
#endif

static void release_mapping(const uint8_t *data, size_t len)
{
    munmap((void *)(uintptr_t)data, len);
}

static void release_buffer(const uint8_t *data, size_t len)
{
    (void)len;
    free((void *)(uintptr_t)data);
}

/* Reads fd to its end into a malloc'd buffer. 0 or a negative errno. */
static int read_all(int fd, uint8_t **out, size_t *out_len)
{
    size_t len = 0, cap = 1 << 16;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return -ENOMEM;
    for (;;) {
        if (len == cap) {
            uint8_t *grown = cap < SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (!grown) {
                free(buf);
                return -ENOMEM;
            }
            buf = grown;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = -errno;
            free(buf);
            return err;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    *out = buf;
    *out_len = len;
    return 0;
}

struct naru_capture *naru_capture_open(const char *path, char error[NARU_CAPTURE_ERRLEN])
{
    bool from_stdin = strcmp(path, "-") == 0;
    const char *name = from_stdin ? "standard input" : path;
    int fd = from_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(error, NARU_CAPTURE_ERRLEN, "%s: %s", name, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        snprintf(error, NARU_CAPTURE_ERRLEN, "%s: %s", name, strerror(errno));
        if (!from_stdin)
            close(fd);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(error, NARU_CAPTURE_ERRLEN, "%s: %s", name, strerror(EISDIR));
        if (!from_stdin)
            close(fd);
        return NULL;
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0 && (uintmax_t)st.st_size <= SIZE_MAX) {
        size_t len = (size_t)st.st_size;
        void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE | POPULATE, fd, 0);
        if (map != MAP_FAILED) {
            if (!from_stdin)
                close(fd);
            return capture_open_bytes(map, len, name, release_mapping, error);
        }
    }
    uint8_t *buf = NULL;
    size_t len = 0;
    int err = read_all(fd, &buf, &len);
    if (!from_stdin)
        close(fd);
    if (err < 0) {
        snprintf(error, NARU_CAPTURE_ERRLEN, "%s: %s", name, strerror(-err));
        return NULL;
    }
    return capture_open_bytes(buf, len, name, release_buffer, error);
}
