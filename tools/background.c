#include "background.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child's end of the pipe the parent waits on; -1 when not forked. */
static int ready_fd = -1;

/* The parent: wait for a byte (ready) or the pipe's end (the child
 * failed, or died). */
static void wait_for_child(pid_t child, int fd)
{
    char byte;
    ssize_t n;
    do
        n = read(fd, &byte, 1);
    while (n < 0 && errno == EINTR);
    if (n == 1) {
        printf("%ld\n", (long)child);
        fflush(stdout);
        _exit(0);
    }
    int status;
    pid_t r;
    while ((r = waitpid(child, &status, 0)) < 0 && errno == EINTR)
        ;
    if (r < 0)
        _exit(1);
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1);
}

int background_start(void)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -errno;
    fflush(NULL);
    pid_t child = fork();
    if (child < 0) {
        int err = -errno;
        close(p[0]);
        close(p[1]);
        return err;
    }
    if (child > 0) {
        close(p[1]);
        wait_for_child(child, p[0]);
    }
    close(p[0]);
    ready_fd = p[1];
    /* stdout on /dev/null, so that $(...) around the parent ends with it. */
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        close(null);
    }
    return 0;
}

void background_ready(void)
{
    if (ready_fd < 0)
        return;
    setsid();
    char byte = 1;
    ssize_t n;
    do
        n = write(ready_fd, &byte, 1);
    while (n < 0 && errno == EINTR);
    close(ready_fd);
    ready_fd = -1;
}
