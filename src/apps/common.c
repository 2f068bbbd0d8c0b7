/* What every application shares: durations that know when a time is not
 * set, rates, and the one place addresses become text. */
#include "apps_internal.h"

#include <errno.h>
#include <stdio.h>

#include "naru/addr.h"

bool naru_app_elapsed(naru_time_t from, naru_time_t to, naru_time_t *out)
{
    *out = 0;
    if (from == NARU_APP_UNSET || to == NARU_APP_UNSET || to < from)
        return false;
    *out = to - from;
    return true;
}

double naru_app_rate(uint64_t bytes, naru_time_t from, naru_time_t to)
{
    naru_time_t took;
    if (!naru_app_elapsed(from, to, &took) || took == 0)
        return 0;
    return (double)bytes * 8 * (double)NARU_SEC / (double)took;
}

const char *naru_app_addr_text(const struct naru_sockaddr *addr, bool with_port, char buf[NARU_APP_ADDR_TEXT])
{
    struct naru_sockaddr a = *addr;
    if (!with_port)
        a.port = 0;
    return naru_sockaddr_format(&a, NULL, buf);
}

const char *app_errno_text(int err)
{
    switch (err) {
    case -ECONNREFUSED: return "connection refused";
    case -ECONNRESET: return "connection reset";
    case -ETIMEDOUT: return "connection timed out";
    case -EHOSTUNREACH: return "host unreachable";
    case -ENETUNREACH: return "network unreachable";
    case -EPROTONOSUPPORT: return "TCP is not available in this build";
    case -EADDRINUSE: return "address in use";
    case -ENOMEM: return "out of memory";
    case -EMFILE: return "out of sockets";
    case -EPIPE: return "connection closed";
    default: return "socket error";
    }
}

int app_connect_state(struct naru_stack *stack, int sock)
{
    unsigned ev = naru_socket_events(stack, sock);
    if (ev & NARU_POLLERR) {
        int err = naru_socket_error(stack, sock);
        return err ? err : -ECONNREFUSED;
    }
    return (ev & NARU_POLLOUT) ? 1 : 0;
}
